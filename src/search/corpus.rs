//! What search reads of a build, as plain data: per text its paragraphs, public notes and
//! questions as the words a reader sees, and the glossary. [`Corpus::from_document`] is the
//! only place that knows the pipeline's types; the rest of `search` works from a
//! [`Corpus`] alone, so the index does not change when the pipeline's model does.
//!
//! A public build's [`crate::site::Site`] has no instructor notes or drafts, so neither has its corpus.

use std::collections::HashMap;

use pulldown_cmark::{Event, TagEnd};
use rayon::prelude::*;

use super::docs::Kind;
use crate::document::Document;
use crate::language;
use crate::link::{Page, Targets};
use crate::markdown;
use crate::site::Term;

/// Everything a reader can find with search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corpus {
    /// The site's language tag (BCP 47).
    pub language: String,
    /// Path of the glossary page, relative to the site root.
    pub glossary_path: String,
    /// Every text of the build, in reading order.
    pub texts: Vec<CorpusText>,
    /// Every glossary entry, in file order.
    pub glossary: Vec<GlossaryTerm>,
}

/// One text, in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CorpusText {
    /// Its address under `content/`.
    pub slug: String,
    /// Its page, relative to the site root.
    pub path: String,
    /// Shown as the result's text and in the text filter.
    pub title: String,
    /// Its language tag: its own, or the site's.
    pub language: String,
    /// Paragraph n + 1's words (`#p{n+1}`), whitespace squashed.
    pub paragraphs: Vec<String>,
    /// The notes the build shows, in their text's order.
    pub notes: Vec<CorpusNote>,
    /// The discussion questions' words.
    pub questions: Vec<String>,
    /// A verse text's lines (`#l{n+1}`), searched instead of its stanzas so that a hit
    /// opens the page at its line; empty in prose.
    pub lines: Vec<CorpusLine>,
}

impl CorpusText {
    /// Frees the words its documents of kind `kind` copy (see [`Corpus::without_words`]).
    pub fn forget_words(&mut self, kind: Kind) {
        match kind {
            Kind::Para => {
                self.paragraphs = Vec::new();
                for line in &mut self.lines {
                    line.words = String::new();
                }
            }
            Kind::Note => {
                for note in &mut self.notes {
                    note.plain = String::new();
                }
            }
            Kind::Question => self.questions = Vec::new(),
            Kind::Term => {}
        }
    }
}

/// One line of a verse text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CorpusLine {
    /// How a result names it: "l. 12".
    pub label: String,
    /// Its words, whitespace squashed.
    pub words: String,
}

/// A note the build shows (public ones only in a public build).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CorpusNote {
    /// Its fragment on the text's page.
    pub id: String,
    /// How a result names it: "Context · Who leads".
    pub label: String,
    /// Its title as written (empty without one), indexed with the title boost.
    pub title: String,
    /// Its words as the page shows them (cross-links read as their labels).
    pub plain: String,
    /// Indexed in the tags field, so a tag's name finds its notes.
    pub tags: Vec<String>,
    /// The paragraph (1-based) it stands beside.
    pub paragraph: usize,
}

/// A glossary entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GlossaryTerm {
    /// Its fragment on the glossary page.
    pub id: String,
    /// The term as shown, indexed with the title boost.
    pub term: String,
    /// Other spellings, indexed with the title boost too.
    pub aliases: Vec<String>,
    /// The definition's words.
    pub definition: String,
}

impl Corpus {
    /// The corpus of a build's document: its texts' paragraphs, the notes it shows, the
    /// questions, and the glossary.
    pub(crate) fn from_document(doc: &Document) -> Corpus {
        let targets = Targets::new(doc.site);
        // Texts in parallel: a note's or question's words are its Markdown rendered again.
        let texts = (0..doc.texts.len())
            .into_par_iter()
            .filter_map(|i| Corpus::text_of(doc, i, &targets))
            .collect();
        Corpus {
            language: doc.site.config.language.clone(),
            glossary_path: Page::Glossary.path(),
            texts,
            glossary: Corpus::glossary_of(doc, &targets),
        }
    }

    /// What search reads of text number `i` of `doc` (`targets`: the site's, for the
    /// labels of cross-links), alone: what `serve` makes again after a save.
    pub(crate) fn text_of(doc: &Document, i: usize, targets: &Targets) -> Option<CorpusText> {
        let site = doc.site;
        let t = doc.texts.get(i)?;
        let text = t.text;
        let page = &t.page;
        let reading = &t.anchored.reading;
        let paragraphs = reading
            .paragraphs
            .iter()
            .map(|range| squash(reading.text.get(range.clone()).unwrap_or_default()))
            .collect();
        let lines = reading
            .lines
            .iter()
            .enumerate()
            .map(|(n, range)| CorpusLine {
                label: site.theme.strings.format(
                    "line_ref",
                    None,
                    &[("line", (n + 1).to_string())],
                ),
                words: squash(reading.text.get(range.clone()).unwrap_or_default()),
            })
            .collect();
        let notes = t
            .notes
            .iter()
            .map(|note| CorpusNote {
                id: note.id.clone(),
                label: format!(
                    "{} · {}",
                    doc.site.theme.strings.kind(note.kind),
                    squash(&note.label)
                ),
                title: note.title.clone().unwrap_or_default(),
                plain: text
                    .notes
                    .get(note.index)
                    .map_or_else(|| squash(&note.plain), |n| words(&n.body, targets, page)),
                tags: note.tags.iter().map(|tag| tag.name.clone()).collect(),
                paragraph: note.para,
            })
            .collect();
        Some(CorpusText {
            slug: text.slug.clone(),
            path: page.path(),
            title: text.meta.title.clone(),
            language: site.language_of(text).to_string(),
            paragraphs,
            notes,
            questions: text
                .questions
                .iter()
                .map(|q| words(&q.body, targets, page))
                .collect(),
            lines,
        })
    }

    /// What search reads of `doc`'s glossary.
    pub(crate) fn glossary_of(doc: &Document, targets: &Targets) -> Vec<GlossaryTerm> {
        let definitions: HashMap<&str, &Term> = doc
            .site
            .glossary
            .terms
            .iter()
            .rev()
            .map(|d| (d.id.as_str(), d))
            .collect();
        doc.glossary
            .iter()
            .map(|e| GlossaryTerm {
                id: e.id.clone(),
                term: e.term.clone(),
                aliases: e.aliases.clone(),
                definition: definitions.get(e.id.as_str()).map_or_else(
                    || squash(&e.plain),
                    |d| words(&d.definition, targets, &Page::Glossary),
                ),
            })
            .collect()
    }

    /// The corpus without what its search documents copy ([`super::docs::extract`]): the
    /// words of paragraphs, lines, notes, questions and definitions. What is left (texts'
    /// titles, paths and languages, the glossary's ids and terms) is all the index's files
    /// read besides the documents.
    pub fn without_words(mut self) -> Corpus {
        for t in &mut self.texts {
            for kind in [Kind::Para, Kind::Note, Kind::Question] {
                t.forget_words(kind);
            }
        }
        for term in &mut self.glossary {
            term.definition = String::new();
        }
        self
    }

    /// The pipeline code ([`language::code`]) of text `t`, or of the site for `None`.
    pub fn code(&self, text: Option<usize>) -> &'static str {
        let tag = text
            .and_then(|t| self.texts.get(t))
            .map_or(self.language.as_str(), |t| t.language.as_str());
        language::code(tag)
    }
}

/// Markdown held in YAML (a note, a definition, a question) as the words a reader sees on
/// `page`: cross-links read as their labels, as the page shows them.
fn words(md: &str, targets: &Targets, page: &Page) -> String {
    let label = |dest: &str| targets.label(dest, page);
    let mut out = String::new();
    for (event, _) in markdown::events(md, &label, false) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => out.push(' '),
            _ => {}
        }
    }
    squash(&out)
}

/// Whitespace runs as single spaces: what the reader sees, and shorter to store.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
