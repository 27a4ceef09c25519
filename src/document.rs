//! The resolved document: the site as every output sees it.
//!
//! `link` builds it from the loaded [`Site`] and the anchored texts, resolving everything
//! a page shows about other pages (backlinks, related notes, previews, tags, prev/next)
//! into plain data; `render` then adds the glossary's HTML and what renders each text's
//! Markdown when an output asks ([`Document::render`]: a text's HTML is the largest part
//! of its record, so a build makes it where it is shown and drops it there). Outputs (the
//! HTML site, the search index, handouts, feeds) read it and never edit it: one record
//! per text, the glossary and the tags as records too, hrefs already relative to the page
//! that shows them.

use std::borrow::Cow;

use serde::Serialize;

use crate::anchor::Anchored;
use crate::site::{NoteKind, Site, Text};

/// Where a page lives, for writing links relative to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Page {
    /// The home page (the list of texts).
    Index,
    /// A further page of the list of texts (from 2), when there are many.
    IndexMore(usize),
    /// A text's reading page, by its slug.
    Text(String),
    /// The glossary page.
    Glossary,
    /// The list of all tags.
    Tags,
    /// One tag's (first) page, by its slug.
    Tag(String),
    /// A further page of a tag's notes: its slug and the page's number (from 2).
    TagMore(String, usize),
    /// A text's printable handout, by the text's slug (`<slug>/handout/`).
    Handout(String),
}

impl Page {
    /// The path from this page's folder back to the site root (`""` or `"../../"`).
    pub fn root(&self) -> String {
        let depth = match self {
            Page::Index | Page::IndexMore(_) => 0,
            Page::Text(slug) => slug.split('/').count(),
            Page::Glossary | Page::Tags => 1,
            Page::Tag(_) => 2,
            Page::TagMore(..) => 3,
            Page::Handout(slug) => slug.split('/').count() + 1,
        };
        "../".repeat(depth)
    }

    /// The page's file, relative to the site root.
    pub fn path(&self) -> String {
        match self {
            Page::Index => "index.html".into(),
            // Beside `index.html`, where no text's page can be (those are folders).
            Page::IndexMore(n) => format!("index-{n}.html"),
            Page::Text(slug) => format!("{slug}/index.html"),
            Page::Glossary => "glossary/index.html".into(),
            Page::Tags => "tags/index.html".into(),
            Page::Tag(slug) => format!("tags/{slug}/index.html"),
            Page::TagMore(slug, n) => format!("tags/{slug}/{n}/index.html"),
            Page::Handout(slug) => format!("{slug}/handout/index.html"),
        }
    }

    /// Page `n` (from 1) of the list of texts.
    pub fn index(n: usize) -> Page {
        if n <= 1 {
            Page::Index
        } else {
            Page::IndexMore(n)
        }
    }

    /// Page `n` (from 1) of a tag's notes.
    pub fn tag(slug: &str, n: usize) -> Page {
        if n <= 1 {
            Page::Tag(slug.to_string())
        } else {
            Page::TagMore(slug.to_string(), n)
        }
    }

    /// A link from `self` to `target`'s page, with an optional fragment.
    pub fn href_to(&self, target: &Page, fragment: Option<&str>) -> String {
        let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        if self == target && fragment.is_some() {
            return frag;
        }
        format!("{}{}{frag}", self.root(), target.path())
    }
}

/// The whole site, resolved (and, once `render` ran, rendered).
pub(crate) struct Document<'s> {
    pub site: &'s Site,
    /// In reading order, as `site.texts`.
    pub texts: Vec<TextDoc<'s>>,
    /// Sorted by term (case-insensitively), as the glossary page lists them.
    pub glossary: Vec<Entry>,
    /// Sorted by name (case-insensitively).
    pub tags: Vec<Tag>,
    /// What the glossary page's link previews show.
    pub glossary_previews: Vec<Preview>,
    /// Renders a text's HTML when an output asks for it: a build's document has it, so
    /// each output renders the texts it shows a few at a time and drops their HTML with
    /// its files, and the build never holds every text's HTML at once. `None` when each
    /// record keeps its HTML ([`TextParts::html`]): `serve`, which compares it between
    /// rebuilds.
    pub render: Option<Box<dyn RenderText + 's>>,
}

/// What renders a text's HTML for [`Document::render`] (the render stage's, kept behind
/// this so the model does not depend on the stage).
pub(crate) trait RenderText: Sync {
    /// The text's HTML as its reader page shows it.
    fn page(&self, t: &TextDoc) -> TextHtml;
    /// As its handout page shows it, when that differs from [`RenderText::page`]'s.
    fn handout(&self, t: &TextDoc) -> Option<TextHtml>;
    /// Its notes' HTML alone, parallel to its notes, as its reader page shows them.
    fn notes(&self, t: &TextDoc) -> Vec<String>;
}

impl Document<'_> {
    /// Whether any note carries a tag (the pages then link to the list of tags).
    pub(crate) fn has_tags(&self) -> bool {
        !self.tags.is_empty()
    }

    /// The HTML of `t` as its reader page shows it: rendered now, or its record's.
    pub(crate) fn page_html<'a>(&self, t: &'a TextDoc) -> Cow<'a, TextHtml> {
        match &self.render {
            Some(r) => Cow::Owned(r.page(t)),
            None => Cow::Borrowed(&t.html),
        }
    }

    /// The HTML of `t` as its handout page shows it: rendered now, or its record's.
    pub(crate) fn handout_html<'a>(&self, t: &'a TextDoc) -> Cow<'a, TextHtml> {
        match &self.render {
            Some(r) => Cow::Owned(r.handout(t).unwrap_or_else(|| r.page(t))),
            None => Cow::Borrowed(t.handout_html()),
        }
    }

    /// The HTML of `t`'s notes, parallel to its notes: rendered now, or its record's.
    pub(crate) fn notes_html<'a>(&self, t: &'a TextDoc) -> Cow<'a, [String]> {
        match &self.render {
            Some(r) => Cow::Owned(r.notes(t)),
            None => Cow::Borrowed(&t.html.notes),
        }
    }
}

/// One text: its source, its passages, what it links to and what links to it.
///
/// The text and its page borrow from (or are named by) the site; everything else is in
/// [`TextParts`], which `serve` keeps whole between rebuilds while the site changes. Its
/// fields read as the record's own (`t.notes`) through `Deref`.
pub(crate) struct TextDoc<'s> {
    pub text: &'s Text,
    pub page: Page,
    pub parts: TextParts,
}

/// A text's record without the text it is of: what `serve` keeps of it between rebuilds
/// (the site it borrows from changes in between).
#[derive(Default)]
pub(crate) struct TextParts {
    pub anchored: Anchored,
    /// The notes that anchored, in the order of their passages.
    pub notes: Vec<NoteDoc>,
    /// "Referenced by": what links to the text or its paragraphs from elsewhere.
    pub backlinks: Vec<Backlink>,
    /// What link previews show, for the targets this page links to (and no others).
    pub previews: Vec<Preview>,
    pub prev: Option<NavLink>,
    pub next: Option<NavLink>,
    /// The HTML, when the record keeps it (in `serve`; a build renders it in the outputs
    /// that show it, see [`Document::render`]: read it through [`Document::page_html`]).
    pub html: TextHtml,
    /// The HTML as the text's handout page shows it (its links one folder further up),
    /// when that differs from `html`: only texts with cross-links are rendered twice.
    pub handout_html: Option<TextHtml>,
}

impl<'s> TextDoc<'s> {
    /// The record of `text` made of `parts`.
    pub(crate) fn new(text: &'s Text, parts: TextParts) -> TextDoc<'s> {
        TextDoc {
            text,
            page: Page::Text(text.slug.clone()),
            parts,
        }
    }
}

impl std::ops::Deref for TextDoc<'_> {
    type Target = TextParts;

    fn deref(&self) -> &TextParts {
        &self.parts
    }
}

impl std::ops::DerefMut for TextDoc<'_> {
    fn deref_mut(&mut self) -> &mut TextParts {
        &mut self.parts
    }
}

impl TextDoc<'_> {
    /// The HTML of the text's handout page.
    pub(crate) fn handout_html(&self) -> &TextHtml {
        self.handout_html.as_ref().unwrap_or(&self.html)
    }
}

/// A note as pages show it, with everything it says about other pages.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NoteDoc {
    pub id: String,
    pub title: Option<String>,
    /// The title, or the first words of the passage when there is none.
    pub label: String,
    pub kind: NoteKind,
    /// The paragraph it is shown beside (for a note on a heading or a code block: the
    /// paragraph after it).
    pub para: usize,
    /// The block of the reading text it is shown beside (see [`crate::markdown::Reading`]).
    #[serde(skip)]
    pub block: usize,
    /// In a verse text, the lines its passage spans: pages name its place by them ("l. 12",
    /// "ll. 12–14", in `line_ref`) rather than by the stanza, which readers do not count.
    pub lines: Option<NoteLines>,
    /// `lines` in the interface's words, as the notes index and handouts print it.
    pub line_ref: Option<String>,
    /// The passage as the reader sees it.
    pub passage: String,
    /// The note as plain text, for previews and excerpts.
    pub plain: String,
    pub tags: Vec<TagLink>,
    /// "Referenced by", excerpts short enough for the margin.
    pub backlinks: Vec<Backlink>,
    /// "See also": notes of other texts sharing tags or links, grouped by text.
    pub related: Vec<RelatedGroup>,
    /// The note's index in `Text::notes`.
    #[serde(skip)]
    pub index: usize,
}

/// The first and last lines (1-based, numbered through the text) of a verse passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct NoteLines {
    pub first: usize,
    pub last: usize,
}

impl NoteLines {
    /// The lines of the reading text that `range` lies in: `None` in prose, and for a
    /// passage outside the lines of a verse text (a heading).
    pub(crate) fn of(
        reading: &crate::markdown::Reading,
        range: &std::ops::Range<usize>,
    ) -> Option<NoteLines> {
        let within = |offset: usize| {
            let n = reading.line_at(offset)?;
            let line = reading.lines.get(n - 1)?;
            (offset <= line.end).then_some(n)
        };
        let first = within(range.start)?;
        let last = within(range.end.max(range.start))?;
        Some(NoteLines { first, last })
    }

    /// "l. 12" or "ll. 12–14" in the interface's `words`.
    pub(crate) fn reference(self, words: &crate::strings::Strings) -> String {
        if self.first == self.last {
            words.format("line_ref", None, &[("line", self.first.to_string())])
        } else {
            words.format(
                "lines_ref",
                None,
                &[
                    ("first", self.first.to_string()),
                    ("last", self.last.to_string()),
                ],
            )
        }
    }
}

/// A tag as a note shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagLink {
    pub name: String,
    pub href: String,
}

/// A backlink as a page shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct Backlink {
    pub href: String,
    /// The text (or "Glossary") the link is in.
    pub source: String,
    /// Where in it: "¶3", a note's title, a term.
    pub place: String,
    pub excerpt: String,
}

/// Related notes in one other text.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RelatedGroup {
    /// The text's title.
    pub source: String,
    pub notes: Vec<NavLink>,
}

/// A link with its label, for navigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct NavLink {
    pub title: String,
    pub href: String,
}

/// What a link preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Preview {
    pub key: String,
    pub title: String,
    pub text: String,
}

/// A text's HTML: the Markdown rendered, with the places where notes go.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextHtml {
    pub body: Vec<Part>,
    pub headings: Vec<Heading>,
    /// Parallel to [`TextDoc::notes`].
    pub notes: Vec<String>,
    /// Parallel to `Text::questions`.
    pub questions: Vec<String>,
    /// Parallel to `Text::instructor_questions` (empty but in instructor builds).
    pub instructor_questions: Vec<InstructorQuestionHtml>,
}

/// An instructor question, rendered.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InstructorQuestionHtml {
    pub question: String,
    pub answer: Option<String>,
}

/// A piece of a text's body: its HTML, or the notes shown at the end of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Part {
    Html(String),
    /// Indices into [`TextDoc::notes`].
    Notes(Vec<usize>),
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A glossary term, with the places that cite it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    pub id: String,
    pub term: String,
    pub aliases: Vec<String>,
    /// The definition as plain text, for previews and search.
    pub plain: String,
    pub cited_by: Vec<Backlink>,
    /// The definition's HTML, once rendered.
    pub html: String,
    /// The term's index in `Glossary::terms`.
    #[serde(skip)]
    pub index: usize,
}

/// A tag and the notes that carry it, grouped by text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Tag {
    pub name: String,
    pub slug: String,
    pub count: usize,
    pub groups: Vec<TagGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TagGroup {
    pub title: String,
    pub slug: String,
    /// The text's notes carrying the tag (a page of the tag may list only some).
    pub count: usize,
    pub notes: Vec<TaggedNote>,
}

/// A note as a tag page lists it: a label, a few words and a link, never its HTML, so
/// tag pages stay small however many notes carry the tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TaggedNote {
    pub id: String,
    pub label: String,
    pub kind: NoteKind,
    pub para: usize,
    /// In a verse text, its lines ("l. 12"), which readers count rather than stanzas.
    pub line_ref: Option<String>,
    /// The first words of the note.
    pub excerpt: String,
}
