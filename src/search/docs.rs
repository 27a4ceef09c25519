//! What a reader can find: one search document per numbered paragraph, note, glossary
//! term and discussion question, taken from what the build includes and nothing else.
//!
//! Documents are numbered kind by kind (every paragraph of every text, then every note,
//! then the glossary, then the questions), texts in reading order within each kind, so a
//! filter by kind is one range of document numbers and a filter by text a few.

use std::collections::HashMap;

use pulldown_cmark::{Event, TagEnd};

use crate::anchor::Anchored;
use crate::link::{Page, Targets};
use crate::markdown;
use crate::render::{RenderedText, TermView};
use crate::site::{Note, Site, Term};

/// What a document is, in the order documents are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Para,
    Note,
    Term,
    Question,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Para, Kind::Note, Kind::Term, Kind::Question];

    /// The kind's name in the manifest and the client's filters.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Para => "para",
            Kind::Note => "note",
            Kind::Term => "term",
            Kind::Question => "question",
        }
    }

    /// How much a hit in this kind of document weighs against a hit in a paragraph: notes
    /// and glossary entries are the commentary a reader is most likely looking for.
    pub fn boost(self) -> f64 {
        match self {
            Kind::Para | Kind::Question => 1.0,
            Kind::Note | Kind::Term => 1.5,
        }
    }
}

/// One search document.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub kind: Kind,
    /// Index into `site.texts`; `None` for glossary terms.
    pub text: Option<usize>,
    /// The fragment the result links to: `p12`, a note id, a term id, `questions`.
    pub anchor: String,
    /// How the result names the place: "¶ 12", "Context · Who leads", a term, "Question 2".
    pub label: String,
    /// Indexed with the title boost: a note's title, a term and its aliases, and the
    /// text's title on its first paragraph.
    pub title: String,
    /// The words, as plain text (also what excerpts are cut from).
    pub body: String,
    /// A note's tags, space-separated.
    pub tags: String,
}

impl Doc {
    /// The page the result links to, relative to the site root.
    pub fn path(&self, site: &Site) -> String {
        match self.text {
            Some(i) => Page::Text(site.texts[i].slug.clone()).path(),
            None => Page::Glossary.path(),
        }
    }
}

/// Every search document of the site, numbered as described in the module docs.
/// `anchored`, `rendered` are parallel to `site.texts`; `terms` is the rendered glossary.
pub fn extract(
    site: &Site,
    anchored: &[Anchored],
    rendered: &[RenderedText],
    terms: &[TermView],
) -> Vec<Doc> {
    let targets = Targets::new(site);
    let mut docs = Vec::new();
    for (i, (text, a)) in site.texts.iter().zip(anchored).enumerate() {
        for (n, range) in a.reading.paragraphs.iter().enumerate() {
            let words = a.reading.text.get(range.clone()).unwrap_or_default();
            docs.push(Doc {
                kind: Kind::Para,
                text: Some(i),
                anchor: format!("p{}", n + 1),
                label: format!("¶ {}", n + 1),
                title: if n == 0 {
                    text.meta.title.clone()
                } else {
                    String::new()
                },
                body: squash(words),
                tags: String::new(),
            });
        }
    }
    for (i, (text, r)) in site.texts.iter().zip(rendered).enumerate() {
        let page = Page::Text(text.slug.clone());
        // By id, not a scan per note: a text may have thousands of notes. (Reversed, so
        // the first of two with one id wins, as a scan would find it.)
        let by_id: HashMap<&str, &Note> = text
            .notes
            .iter()
            .rev()
            .map(|n| (n.id.as_str(), n))
            .collect();
        for note in &r.notes {
            let body = by_id
                .get(note.id.as_str())
                .map_or_else(|| squash(&note.plain), |n| words(&n.body, &targets, &page));
            docs.push(Doc {
                kind: Kind::Note,
                text: Some(i),
                anchor: note.id.clone(),
                label: format!("{} · {}", note.kind.label(), squash(&note.label)),
                title: note.title.clone().unwrap_or_default(),
                body,
                tags: note.tags.join(" "),
            });
        }
    }
    let definitions: HashMap<&str, &Term> = site
        .glossary
        .terms
        .iter()
        .rev()
        .map(|d| (d.id.as_str(), d))
        .collect();
    for t in terms {
        let definition = definitions.get(t.id.as_str());
        let body = definition.map_or_else(
            || squash(&t.plain),
            |d| words(&d.definition, &targets, &Page::Glossary),
        );
        let mut title = t.term.clone();
        for alias in &t.aliases {
            title.push(' ');
            title.push_str(alias);
        }
        docs.push(Doc {
            kind: Kind::Term,
            text: None,
            anchor: t.id.clone(),
            label: t.term.clone(),
            title,
            body,
            tags: String::new(),
        });
    }
    for (i, text) in site.texts.iter().enumerate() {
        let page = Page::Text(text.slug.clone());
        for (n, q) in text.questions.iter().enumerate() {
            docs.push(Doc {
                kind: Kind::Question,
                text: Some(i),
                anchor: "questions".into(),
                label: format!("Question {}", n + 1),
                title: String::new(),
                body: words(&q.body, &targets, &page),
                tags: String::new(),
            });
        }
    }
    docs
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
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where each kind's documents start and end (`[start, end)`), in [`Kind::ALL`] order.
pub fn kind_ranges(docs: &[Doc]) -> [(usize, usize); 4] {
    let mut out = [(0, 0); 4];
    for (slot, kind) in out.iter_mut().zip(Kind::ALL) {
        let start = docs.partition_point(|d| d.kind < kind);
        let end = docs.partition_point(|d| d.kind <= kind);
        *slot = (start, end);
    }
    out
}
