//! The search index as an output: a thin adapter over [`crate::search`].

use super::{OutputFile, Renderer};
use crate::anchor::Anchored;
use crate::diagnostics::Diagnostics;
use crate::document::Document;
use crate::render::{NoteView, RenderedText, TermView};

/// The files under `search/`.
pub(crate) struct Index;

impl Renderer for Index {
    fn name(&self) -> &'static str {
        "search"
    }

    fn render(&self, doc: &Document, _diags: &mut Diagnostics) -> Vec<OutputFile> {
        let (anchored, rendered, terms) = inputs(doc);
        crate::search::index(doc.site, &anchored, &rendered, &terms)
    }
}

/// What `search::index` reads today, copied out of the document.
// TODO(issue 10): the search stage reads a `search::Corpus` made from the document.
pub(crate) fn inputs(doc: &Document) -> (Vec<Anchored>, Vec<RenderedText>, Vec<TermView>) {
    let anchored = doc
        .texts
        .iter()
        .map(|t| Anchored {
            reading: t.anchored.reading.clone(),
            passages: t.anchored.passages.clone(),
            links: Default::default(),
        })
        .collect();
    let rendered = doc
        .texts
        .iter()
        .map(|t| RenderedText {
            notes: t
                .notes
                .iter()
                .map(|n| NoteView {
                    id: n.id.clone(),
                    title: n.title.clone(),
                    label: n.label.clone(),
                    kind: n.kind,
                    tags: n.tags.iter().map(|t| t.name.clone()).collect(),
                    plain: n.plain.clone(),
                })
                .collect(),
        })
        .collect();
    let terms = doc
        .glossary
        .iter()
        .map(|e| TermView {
            id: e.id.clone(),
            term: e.term.clone(),
            aliases: e.aliases.clone(),
            plain: e.plain.clone(),
        })
        .collect();
    (anchored, rendered, terms)
}
