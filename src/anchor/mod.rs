//! Stage 2: find each note's passage in its text.
//!
//! A note names its passage by quoting it (W3C `TextQuoteSelector`) or by paragraph
//! number. Quotes survive edits to the text around them, which is why they are the
//! default; [`quote`] does the matching, this module applies it to a whole text and
//! turns failures into diagnostics that show the author the closest passage.

mod quote;

use std::ops::Range;

pub use quote::{
    block_of, block_range, find, AnchorError, ReadingIndex, TextQuoteSelector, BLOCK_SEPARATOR,
};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::{self, Reading};
use crate::site::{Note, Selector, Text};

/// Where a note sits in its text's reading text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Index of the note in `Text::notes`.
    pub note: usize,
    /// Byte range of the reading text.
    pub range: Range<usize>,
    /// The 1-based paragraph the passage starts in: the note is shown beside it.
    pub paragraph: usize,
}

/// A text's reading text and the passages of the notes that anchored.
#[derive(Debug, Clone, Default)]
pub struct Anchored {
    pub reading: Reading,
    /// Sorted by position; notes that failed to anchor are missing (and reported).
    pub passages: Vec<Passage>,
}

/// Anchors every note of `text`. `label` gives unlabeled cross-links their label, as the
/// renderer will show it, so quotes match what the reader sees.
pub fn text(
    text: &Text,
    label: &dyn Fn(&str) -> Option<String>,
    raw_html: bool,
    diags: &mut Diagnostics,
) -> Anchored {
    let events = markdown::events(text.markdown(), label, raw_html);
    let reading = Reading::of(&events);
    let index = ReadingIndex::new(&reading.text);
    let mut passages: Vec<Passage> = text
        .notes
        .iter()
        .enumerate()
        .filter_map(|(i, note)| match passage(&reading, &index, note) {
            Ok(range) => Some(Passage {
                note: i,
                paragraph: reading.paragraph_at(range.start),
                range,
            }),
            Err(d) => {
                diags.push(*d);
                None
            }
        })
        .collect();
    passages.sort_by_key(|p| (p.range.start, std::cmp::Reverse(p.range.end), p.note));
    Anchored { reading, passages }
}

fn passage(
    reading: &Reading,
    index: &ReadingIndex,
    note: &Note,
) -> Result<Range<usize>, Box<Diagnostic>> {
    match &note.selector {
        Selector::Paragraph(n) => block_range(&reading.text, n.wrapping_sub(1))
            .ok_or_else(|| Box::new(no_paragraph(reading, note, *n))),
        Selector::Quote(q) => index
            .find(q)
            .map_err(|e| Box::new(explain(reading, note, q, e))),
    }
}

fn no_paragraph(reading: &Reading, note: &Note, n: usize) -> Diagnostic {
    let count = reading.paragraphs.len();
    Diagnostic::error(
        format!("there is no paragraph {n}"),
        note.at.selector.clone(),
    )
    .label(format!("the text has {count} paragraphs"))
    .help(format!(
        "use a number from 1 to {count}, as numbered in the margin of the page"
    ))
}

fn explain(
    reading: &Reading,
    note: &Note,
    q: &TextQuoteSelector,
    error: AnchorError,
) -> Diagnostic {
    let at = note.at.selector.clone();
    match error {
        AnchorError::Empty => Diagnostic::error("the quote is empty", at),
        AnchorError::NotFound { closest } => {
            let d = Diagnostic::error("this quote is not in the text", at)
                .label("no passage reads like this");
            let closest = closest.filter(|_| !crosses_paragraphs(reading, q));
            match closest {
                Some(r) => d.help(format!(
                    "the closest passage, in paragraph {}, reads: “{}”",
                    reading.paragraph_at(r.start),
                    excerpt(&reading.text, r)
                )),
                None if crosses_paragraphs(reading, q) => d.help(
                    "the quote runs from one paragraph into the next: annotate each paragraph separately",
                ),
                None => d.help("copy the passage as the page shows it: without Markdown marks like `*` or `[…](…)`"),
            }
        }
        AnchorError::Ambiguous { candidates } => Diagnostic::error(
            format!("this quote occurs {} times in the text", candidates.len()),
            at,
        )
        .label(format!(
            "in paragraphs {}",
            paragraphs(reading, &candidates)
        ))
        .help(if q.prefix.is_some() || q.suffix.is_some() {
            "make `prefix` or `suffix` longer, so that only one occurrence has them"
        } else {
            "add `prefix:` (words just before) or `suffix:` (words just after) the passage you mean"
        }),
        AnchorError::ContextMismatch { occurrences } => {
            let first = occurrences.first().cloned().unwrap_or(0..0);
            Diagnostic::error("the quote occurs, but never with this prefix/suffix", at)
                .label(format!(
                    "the quote is in paragraphs {}",
                    paragraphs(reading, &occurrences)
                ))
                .help(format!(
                    "in paragraph {} it reads: “{}”",
                    reading.paragraph_at(first.start),
                    excerpt(&reading.text, widen(&reading.text, first))
                ))
        }
    }
}

/// Whether the quote would match if paragraphs were one: a common slip worth naming.
fn crosses_paragraphs(reading: &Reading, q: &TextQuoteSelector) -> bool {
    let sep = BLOCK_SEPARATOR.to_string();
    let joined = reading.text.replace(&sep, &" ".repeat(sep.len()));
    find(&joined, q).is_ok()
}

fn paragraphs(reading: &Reading, ranges: &[Range<usize>]) -> String {
    let mut ns: Vec<usize> = ranges
        .iter()
        .map(|r| reading.paragraph_at(r.start))
        .collect();
    ns.dedup();
    ns.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The passage with some words of context on either side, within its paragraph.
fn widen(text: &str, r: Range<usize>) -> Range<usize> {
    let is_stop = |c: char| c == BLOCK_SEPARATOR;
    let before = &text[..r.start];
    let mut start = before
        .rfind(is_stop)
        .map_or(0, |i| i + BLOCK_SEPARATOR.len_utf8());
    if let Some((i, _)) = before[start..].char_indices().rev().nth(40) {
        start += i;
    }
    let after = &text[r.end..];
    let mut end = after.find(is_stop).map_or(text.len(), |i| r.end + i);
    if let Some((i, _)) = after[..end - r.end].char_indices().nth(40) {
        end = r.end + i;
    }
    start..end
}

fn excerpt(text: &str, r: Range<usize>) -> String {
    let s: String = text[r].split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}
