//! What the typeset pages say about the handout: notes that are not printed whole on the
//! page of their passage, and characters no embedded font has.
//!
//! Typst moves a footnote's line to the next page when its note does not fit, and breaks
//! a note over pages when it fits on none. The layout marks each footnote's number in the
//! text and the start and end of its text (`<scholia-note-mark>`, `-start`, `-end`), and
//! the pages of those marks tell which notes strayed.

use std::collections::BTreeMap;

use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector as _, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use super::world::HandoutWorld;
use crate::diagnostics::{Diagnostic, Source, Span};
use crate::output::edition::Edition;

/// The numbers of the notes whose text does not start on the page of their number in the
/// text, or runs on past the next page, in order.
pub(crate) fn notes_off_their_page(document: &PagedDocument) -> Vec<usize> {
    let mark = pages_of(document, "scholia-note-mark");
    let start = pages_of(document, "scholia-note-start");
    let end = pages_of(document, "scholia-note-end");
    mark.iter()
        .filter(|(n, page)| {
            // A note typst did not print at all is as lost as one on another page.
            // It may go on at the foot of the next page, as footnotes do, but no further.
            start.get(*n) != Some(page) || end.get(*n).is_none_or(|e| *e > *page + 1)
        })
        .map(|(n, _)| *n)
        .collect()
}

/// The page of each metadata labelled `label`, by the note number it holds (the last
/// page, when one number is found on several).
fn pages_of(document: &PagedDocument, label: &str) -> BTreeMap<usize, usize> {
    let introspector = document.introspector();
    let Some(label) = Label::new(PicoStr::intern(label)) else {
        return BTreeMap::new();
    };
    let mut pages = BTreeMap::new();
    for content in introspector.query(&Selector::Label(label)) {
        let number = content
            .to_packed::<MetadataElem>()
            .and_then(|m| match &m.value {
                Value::Int(n) => usize::try_from(*n).ok(),
                _ => None,
            });
        let page = content
            .location()
            .and_then(|l| introspector.page(l))
            .map(|p| p.get());
        if let (Some(n), Some(page)) = (number, page) {
            let at = pages.entry(n).or_insert(page);
            *at = (*at).max(page);
        }
    }
    pages
}

/// An error for each note in `numbers`, at the note's text in its sidecar.
pub(crate) fn diagnostics(edition: &Edition, numbers: &[usize]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, t) in edition.texts.iter().enumerate() {
        for (k, n) in t.notes.iter().enumerate() {
            let number = edition.note_number(i, k);
            if !numbers.contains(&number) {
                continue;
            }
            let Some(note) = t.text.notes.get(n.index) else {
                continue;
            };
            // The body's first line: a long note's whole text would bury the message.
            let body = &note.at.body;
            let first_line = body
                .source
                .text
                .get(body.range.clone())
                .map_or(0, |b| b.find('\n').unwrap_or(b.len()));
            let span = Span::new(
                &body.source,
                body.range.start..body.range.start + first_line,
            );
            let what = if edition.is_pack { "pack" } else { "text" };
            out.push(
                Diagnostic::error(
                    format!(
                        "the note `{}` does not fit on the page of its passage in the PDF handout of the {what} `{}`",
                        note.id, edition.name
                    ),
                    span,
                )
                .label("too long to print whole at the foot of its passage's page")
                .help("shorten the note, split it into two notes on shorter passages, or set `handout: {notes: end}` in `_site.yaml` to print the notes after the text"),
            );
        }
    }
    out
}

/// A warning when the handout holds characters none of the embedded fonts has (Arabic,
/// Hebrew, Chinese…): the PDF would show empty boxes in their place.
pub(crate) fn missing_glyphs(edition: &Edition, world: &HandoutWorld) -> Vec<Diagnostic> {
    let missing = world.uncovered();
    if missing.is_empty() {
        return Vec::new();
    }
    let shown = missing
        .iter()
        .take(8)
        .map(|c| format!("`{c}` (U+{:04X})", u32::from(*c)))
        .collect::<Vec<_>>()
        .join(", ");
    let span = match edition.texts.first() {
        Some(t) => Span::file(&t.text.source),
        None => Span::file(&Source::new("(handout)", "")),
    };
    vec![Diagnostic::warning(
        format!(
            "the PDF handout `{}` has {} character{} that no font of scholia's PDFs has, shown as empty boxes: {shown}",
            edition.name,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
        ),
        span,
    )
    .help("the PDF fonts cover Latin, Greek and Cyrillic; hand this text out as HTML (`scholia handout`) or EPUB (`--epub`), which use the reader's fonts")]
}
