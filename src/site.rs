//! The site model: what `load` reads and every later stage works from.
//!
//! Everything here is plain data, already validated for shape (types, known keys), and
//! keeps the [`Span`]s later stages need to point authors at their mistakes.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::diagnostics::{Source, Span};

/// Folders scholia writes itself. No text may have its page in one, even while the site
/// has nothing there (its first tag must not break the build of a site that has a text
/// `tags/intro.md`).
pub(crate) const RESERVED: &[(&str, &str)] = &[
    ("assets/", "the theme's stylesheets, scripts and icons"),
    ("glossary/", "the glossary"),
    ("search/", "the search page and its index"),
    ("tags/", "the tag pages"),
];

/// A whole site as `load` read it: the one input every later stage starts from.
#[derive(Debug)]
pub struct Site {
    /// `_site.yaml`, validated.
    pub config: SiteConfig,
    /// In reading order: by `order`, then title, then slug.
    pub texts: Vec<Text>,
    /// `_glossary.yaml`: the terms texts and notes can link to.
    pub glossary: Glossary,
    /// Folder (slug prefix, e.g. `unit-1`) → its `_section.yaml`.
    pub sections: BTreeMap<String, Section>,
    /// Templates, assets and words the site overrides.
    pub theme: ThemeFiles,
    /// Whether instructor-only notes were kept (`--instructor`).
    pub instructor: bool,
}

impl Site {
    /// In a verse text, every how many lines a number is shown (0: none): its own
    /// `line_numbers`, or the site's; `None` for prose.
    pub fn line_numbers_of(&self, text: &Text) -> Option<u32> {
        text.is_verse()
            .then(|| text.meta.line_numbers.unwrap_or(self.config.line_numbers))
    }

    /// The language a text is written in: its own `language`, or the site's.
    pub fn language_of<'a>(&'a self, text: &'a Text) -> &'a str {
        text.meta
            .language
            .as_deref()
            .unwrap_or(&self.config.language)
    }
}

/// A folder of texts, as its `_section.yaml` describes it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Shown as the section's heading on the home page; the folder's name when absent.
    pub title: Option<String>,
    /// One sentence under the section's heading (Markdown).
    pub summary: Option<String>,
    /// Where the section comes among the others (lower first; then by title).
    pub order: Option<i64>,
}

/// Ids that the theme's text page uses itself, so no note or heading may take them.
/// (`p<number>` and `mark-…` are reserved too, by pattern.)
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "toc",
    "title",
    "notes",
    "notes-index",
    "notes-index-title",
    "questions",
    "questions-title",
    "referenced-by",
    "referenced-by-title",
    "search",
    "scholia-preview",
];

/// One source text and its commentary.
#[derive(Debug)]
pub struct Text {
    /// Path under `content/` without `.md`, `/`-separated: the text's address.
    pub slug: String,
    /// The whole file, kept so diagnostics can quote any line of it.
    pub source: Arc<Source>,
    /// The Markdown body's byte range in `source.text` (after the front matter).
    pub body: Range<usize>,
    /// The front matter, validated.
    pub meta: FrontMatter,
    /// The sidecar's notes, in file order.
    pub notes: Vec<Note>,
    /// The sidecar's discussion questions, shown after the text.
    pub questions: Vec<Question>,
    /// `instructor_questions:`, read only for instructor builds (empty otherwise, so they
    /// cannot reach a public output).
    pub instructor_questions: Vec<InstructorQuestion>,
}

impl Text {
    /// The Markdown after the front matter.
    pub fn markdown(&self) -> &str {
        &self.source.text[self.body.clone()]
    }
}

/// A text's front matter, validated; templates get it as it is.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FrontMatter {
    /// Shown as the page's heading and in every link to the text.
    pub title: String,
    /// Who wrote the text (not the notes).
    pub author: Option<String>,
    /// When the text was written or published, as the author wrote it (`2017-04-01`).
    pub date: Option<String>,
    /// Where the text comes from: a book, an address.
    pub source: Option<String>,
    /// Under which terms the text may be shared.
    pub license: Option<String>,
    /// One sentence about the text, for lists and link previews.
    pub summary: Option<String>,
    /// Where the text comes in the reading order (lower first; then by title).
    pub order: Option<i64>,
    /// Left out of builds unless `--drafts`.
    pub draft: bool,
    /// A BCP 47 tag, when the text is not in the site's language.
    pub language: Option<String>,
    /// `layout:`: prose (the default) or verse, whose every line is kept and numbered.
    pub layout: Layout,
    /// `line_numbers:`: in a verse text, show every Nth line's number (0: none); the
    /// site's setting when absent.
    pub line_numbers: Option<u32>,
}

/// How a text's body is laid out.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Paragraphs, numbered; a line break in the source is a space.
    #[default]
    Prose,
    /// Poems, plays, statutes: every line of the source is a line of the page, numbered
    /// through the text (`#l12`); stanzas (blank-line separated) are the paragraphs.
    Verse,
}

impl Text {
    /// Whether the text is laid out as verse (its lines kept and numbered).
    pub fn is_verse(&self) -> bool {
        self.meta.layout == Layout::Verse
    }
}

/// A margin note: a passage of the text and what the teacher says about it.
#[derive(Debug, Clone)]
pub struct Note {
    /// Unique in its text: the note's fragment (`#id`) and its W3C annotation's name.
    pub id: String,
    /// Which passage the note is about.
    pub selector: Selector,
    /// Its heading; without one, links name it by its passage.
    pub title: Option<String>,
    /// Markdown.
    pub body: String,
    /// Tag names as written; the link stage checks their spellings against each other.
    pub tags: Vec<String>,
    /// What kind of note it is; the theme styles each kind.
    pub kind: NoteKind,
    /// Who may read it: `load` drops instructor notes from a public build.
    pub audience: Audience,
    /// Where the note is written: the item in the sidecar, and its parts.
    pub at: NoteSpans,
}

/// Where a note's parts are written in its sidecar, for diagnostics.
#[derive(Debug, Clone)]
pub struct NoteSpans {
    /// The whole item of the `notes:` list.
    pub item: Span,
    /// Its `id:` (the item when absent, for generated ids).
    pub id: Span,
    /// Its `quote:`, `paragraph:` or `lines:`.
    pub selector: Span,
    /// Its `note:` (the Markdown body).
    pub body: Span,
}

impl Note {
    /// How the note is named in links and lists: its title, or the first words of its
    /// passage (or its paragraph, in the interface's `words`).
    pub fn label(&self, words: &crate::strings::Strings) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        match &self.selector {
            Selector::Quote(q) => {
                let words: Vec<&str> = q.exact.split_whitespace().collect();
                if words.len() > 6 {
                    format!("“{}…”", words[..6].join(" "))
                } else {
                    format!("“{}”", words.join(" "))
                }
            }
            Selector::Paragraph(n) => {
                words.format("note_on_paragraph", None, &[("para", n.to_string())])
            }
            Selector::Lines { lines, .. } if lines.start() == lines.end() => {
                words.format("note_on_line", None, &[("line", lines.start().to_string())])
            }
            Selector::Lines { lines, .. } => words.format(
                "note_on_lines",
                None,
                &[
                    ("first", lines.start().to_string()),
                    ("last", lines.end().to_string()),
                ],
            ),
        }
    }
}

/// The W3C Web Annotation `TextQuoteSelector`: a quote plus optional context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuoteSelector {
    /// The passage as the reader sees it.
    pub exact: String,
    /// A few words just before the passage, to pick one of several occurrences.
    pub prefix: Option<String>,
    /// A few words just after the passage, to pick one of several occurrences.
    pub suffix: Option<String>,
}

/// A quote selector from borrowed words, for tests.
#[cfg(test)]
pub(crate) fn quote_selector(
    exact: &str,
    prefix: Option<&str>,
    suffix: Option<&str>,
) -> TextQuoteSelector {
    TextQuoteSelector {
        exact: exact.to_string(),
        prefix: prefix.map(str::to_string),
        suffix: suffix.map(str::to_string),
    }
}

/// Which passage a note is about.
#[derive(Debug, Clone)]
pub enum Selector {
    /// A quote of the text's words (W3C `TextQuoteSelector`): survives edits around it.
    Quote(TextQuoteSelector),
    /// A whole paragraph, 1-based as numbered in the margin.
    Paragraph(usize),
    /// Whole lines (1-based, inclusive) of a code block: the `block`th (1-based) of the
    /// text's code blocks, or its only one. In a verse text, lines of the text itself,
    /// numbered through the text.
    Lines {
        /// Which code block (1-based); `None` for the text's only one, or for verse.
        block: Option<usize>,
        /// First and last line, 1-based, inclusive.
        lines: std::ops::RangeInclusive<usize>,
    },
}

/// What kind of note it is (`kind:` in a sidecar); `note` when absent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// A comment on the passage.
    Note,
    /// Background: history, people, places.
    Context,
    /// What a word or phrase means.
    Definition,
    /// A question to the reader about the passage.
    Question,
    /// Where the passage comes from, or what it quotes.
    Source,
}

impl NoteKind {
    /// The name sidecars and CSS classes use (`definition`).
    pub fn name(self) -> &'static str {
        match self {
            NoteKind::Note => "note",
            NoteKind::Context => "context",
            NoteKind::Definition => "definition",
            NoteKind::Question => "question",
            NoteKind::Source => "source",
        }
    }

    /// The English word, for when the interface's strings have none for the kind.
    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Note => "Note",
            NoteKind::Context => "Context",
            NoteKind::Definition => "Definition",
            NoteKind::Question => "Question",
            NoteKind::Source => "Source",
        }
    }
}

/// Who may read a note (`audience:` in a sidecar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Every reader (the default).
    All,
    /// Only instructors: kept by `--instructor` builds alone.
    Instructor,
}

/// A discussion question (Markdown) closing a text's page.
#[derive(Debug, Clone)]
pub struct Question {
    /// Markdown.
    pub body: String,
    /// Where it is written in the sidecar, for diagnostics.
    pub at: Span,
}

/// A question for the instructor's edition, with its answer or teaching notes (Markdown).
#[derive(Debug, Clone)]
pub struct InstructorQuestion {
    /// Markdown.
    pub question: String,
    /// Markdown, shown only in the instructor's edition.
    pub answer: Option<String>,
    /// Where it is written in the sidecar, for diagnostics.
    pub at: Span,
}

/// `_glossary.yaml`: the site's terms, each with its own entry and page anchor.
#[derive(Debug, Default)]
pub struct Glossary {
    /// In file order; pages sort them for display.
    pub terms: Vec<Term>,
}

/// A glossary entry.
#[derive(Debug, Clone)]
pub struct Term {
    /// Its anchor on the glossary page (`#term-id`) and the name `[[glossary#id]]` uses.
    pub id: String,
    /// The term as shown.
    pub term: String,
    /// Other spellings that autolinking and search also find.
    pub aliases: Vec<String>,
    /// Markdown.
    pub definition: String,
    /// Where it is written in `_glossary.yaml`, for diagnostics.
    pub at: Span,
}

/// Theme files a site provides itself; they override the built-in theme file by file.
#[derive(Debug, Default)]
pub struct ThemeFiles {
    /// Template name (e.g. `text.html`) → source.
    pub templates: BTreeMap<String, Arc<Source>>,
    /// Asset path under `static/` → bytes.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// The interface's words in the site's language (the theme's, with the site's own
    /// `strings/<language>.toml` laid over them).
    pub strings: crate::strings::Strings,
}
