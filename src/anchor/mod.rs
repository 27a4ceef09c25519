//! Stage 2: find each note's passage in its text.
//!
//! A note names its passage by quoting it (W3C `TextQuoteSelector`) or by paragraph
//! number. Quotes survive edits to the text around them, which is why they are the
//! default; [`quote`] does the matching, this module applies it to a whole text and
//! turns failures into diagnostics that show the author the closest passage.

pub(crate) mod autolink;
pub(crate) mod links;
mod quote;
mod reanchor;
mod verse;

use std::ops::Range;

pub(crate) use links::{Fragment, LinkSite, TextLinks};
pub use quote::{
    block_of, block_range, find, AnchorError, FuzzyMatch, HintBudget, OverBudget, ReadingIndex,
    CONTEXT_CHARS, MARGIN, THRESHOLD,
};
pub use reanchor::Relocated;

use crate::diagnostics::{list_some, Diagnostic, Diagnostics};
use crate::markdown::{self, BlockKind, Reading, BLOCK_SEPARATOR};
use crate::site::{Glossary, Note, Selector, Text, TextQuoteSelector};

/// Where a note sits in its text's reading text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Index of the note in `Text::notes`.
    pub note: usize,
    /// Byte range of the reading text.
    pub range: Range<usize>,
    /// The 1-based paragraph the passage starts in (for a heading or code block, the
    /// paragraph after it).
    pub paragraph: usize,
    /// The block of the reading text (numbered or not) the passage starts in: the note is
    /// shown beside it.
    pub block: usize,
}

/// A text's reading text, the passages of the notes that anchored, and the cross-links
/// met on the way.
#[derive(Debug, Clone, Default)]
pub struct Anchored {
    /// The words as the reader sees them, which passages are ranges of.
    pub reading: Reading,
    /// Sorted by position; notes that failed to anchor are missing (and reported).
    pub passages: Vec<Passage>,
    /// Every cross-link of the text, unresolved.
    pub(crate) links: TextLinks,
}

/// How to read a text: what the renderer will show, so that both agree on every word.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    /// The label an unlabeled cross-link shows, as the renderer will show it.
    pub label: &'a dyn Fn(&str) -> Option<String>,
    pub raw_html: bool,
    /// The glossary terms linked on first use (empty unless `glossary.autolink`).
    pub autolink: &'a [autolink::Term<'a>],
}

/// Anchors every note of `text`. `label` gives unlabeled cross-links their label, as the
/// renderer will show it, so quotes match what the reader sees. Quotes that occur
/// nowhere are reported with hints from a [`HintBudget`] of this text's own.
pub fn text(
    text: &Text,
    label: &dyn Fn(&str) -> Option<String>,
    raw_html: bool,
    diags: &mut Diagnostics,
) -> Anchored {
    let reader = Reader {
        label,
        raw_html,
        autolink: &[],
    };
    let (anchored, missing) = text_deferring_hints(text, &reader, diags);
    missing.report(&anchored.reading, &mut HintBudget::default(), diags);
    anchored
}

/// Like [`text`], but leaves the quotes that occur nowhere to [`Missing::report`], so
/// that texts anchored in parallel can share one build's [`HintBudget`] in a fixed order.
pub(crate) fn text_deferring_hints<'t>(
    text: &'t Text,
    reader: &Reader,
    diags: &mut Diagnostics,
) -> (Anchored, Missing<'t>) {
    let events = markdown::events(text.markdown(), reader.label, reader.raw_html);
    let reading = Reading::of_layout(&events, text.is_verse());
    if text.is_verse() {
        verse::check_blocks(text, &events, diags);
    }
    let index = ReadingIndex::new(&reading.text);
    let mut missing = Vec::new();
    let mut passages: Vec<Passage> = Vec::new();
    let mut reanchor = reanchor::Reanchor::new();
    for (i, note) in text.notes.iter().enumerate() {
        let found = passage(&reading, &index, note)
            .or_else(|failure| relocate(&reading, &index, &mut reanchor, note, failure, diags));
        match found {
            Ok(range) => passages.push(Passage {
                note: i,
                paragraph: reading.paragraph_at(range.start),
                block: reading.block_at(range.start),
                range,
            }),
            Err(Failure::Missing(q)) => missing.push((note, q)),
            Err(Failure::Stale(q, e)) => diags.push(explain(&reading, note, q, e)),
            Err(Failure::Reported(d)) => diags.push(*d),
        }
    }
    passages.sort_by_key(|p| (p.range.start, std::cmp::Reverse(p.range.end), p.note));
    let links = TextLinks {
        body: links::body(events, reader.autolink),
        notes: passages
            .iter()
            .map(|p| links::fragment(&text.notes[p.note].body, reader.label))
            .collect(),
        questions: links::questions(text, reader.label),
    };
    let missing = Missing {
        index: (!missing.is_empty()).then_some(index),
        notes: missing,
    };
    let anchored = Anchored {
        reading,
        passages,
        links,
    };
    (anchored, missing)
}

/// The words and cross-links of the glossary's definitions, in file order.
pub(crate) fn glossary(
    glossary: &Glossary,
    label: &dyn Fn(&str) -> Option<String>,
) -> Vec<Fragment> {
    glossary
        .terms
        .iter()
        .map(|t| links::fragment(&t.definition, label))
        .collect()
}

/// The notes of a text whose quotes occur nowhere, waiting for their diagnostics.
pub struct Missing<'t> {
    index: Option<ReadingIndex>,
    notes: Vec<(&'t Note, &'t TextQuoteSelector)>,
}

impl Missing<'_> {
    /// Reports each missing quote, with the closest passage as a hint while `budget`
    /// lasts. `reading` is the text's, as anchored.
    pub fn report(self, reading: &Reading, budget: &mut HintBudget, diags: &mut Diagnostics) {
        let Some(index) = self.index else {
            return;
        };
        let mut joined: Option<ReadingIndex> = None;
        for (note, q) in self.notes {
            // Whether the quote would match if paragraphs were one: a common slip.
            let joined = joined.get_or_insert_with(|| {
                let sep = BLOCK_SEPARATOR.to_string();
                ReadingIndex::new(&reading.text.replace(&sep, &" ".repeat(sep.len())))
            });
            let crosses = joined.find_exact(q).ok().map(|r| crossed(reading, r));
            let closest = if crosses.is_some() {
                Ok(None)
            } else {
                index.closest(&q.exact, budget)
            };
            diags.push(not_found(reading, note, crosses, closest));
        }
    }
}

enum Failure<'t> {
    /// A quote that occurs nowhere: reported later, with a hint if the budget allows.
    Missing(&'t TextQuoteSelector),
    /// A quote that occurs, but whose prefix/suffix fit none of its occurrences.
    Stale(&'t TextQuoteSelector, AnchorError),
    Reported(Box<Diagnostic>),
}

/// Anchors a note whose quote matches nowhere exactly (the text was edited, most likely)
/// to the closest passage, with warnings; gives the failure back if none is close enough.
fn relocate<'t>(
    reading: &Reading,
    index: &ReadingIndex,
    reanchor: &mut reanchor::Reanchor,
    note: &Note,
    failure: Failure<'t>,
    diags: &mut Diagnostics,
) -> Result<Range<usize>, Failure<'t>> {
    let (q, missing) = match &failure {
        Failure::Missing(q) => (*q, true),
        Failure::Stale(q, _) => (*q, false),
        Failure::Reported(_) => return Err(failure),
    };
    let Some(relocated) = reanchor.relocate(reading, index, q, missing) else {
        return Err(failure);
    };
    diags.push(reanchor::moved(reading, note, q, &relocated));
    if let Some(d) = reanchor::not_unique(reading, note, &relocated.found) {
        diags.push(d);
    }
    Ok(relocated.found.range)
}

fn passage<'t>(
    reading: &Reading,
    index: &ReadingIndex,
    note: &'t Note,
) -> Result<Range<usize>, Failure<'t>> {
    match &note.selector {
        Selector::Paragraph(n) => n
            .checked_sub(1)
            .and_then(|i| reading.paragraphs.get(i))
            .map(|r| trimmed(&reading.text, r.clone()))
            .ok_or_else(|| Failure::Reported(Box::new(no_paragraph(reading, note, *n)))),
        Selector::Lines { block, lines } if reading.is_verse() => {
            verse::lines(reading, note, *block, lines).map_err(|d| Failure::Reported(Box::new(d)))
        }
        Selector::Lines { block, lines } => {
            code_lines(reading, note, *block, lines).map_err(|d| Failure::Reported(Box::new(d)))
        }
        Selector::Quote(q) => index.find_exact(q).map_err(|e| match e {
            AnchorError::NotFound { .. } => Failure::Missing(q),
            e @ AnchorError::ContextMismatch { .. } => Failure::Stale(q, e),
            e => Failure::Reported(Box::new(explain(reading, note, q, e))),
        }),
    }
}

/// The range of whole lines `lines` (1-based) of a code block: the text's `block`th code
/// block (1-based, counting only code blocks of their own, not code inside a list item or
/// a quote), or its only one. Trimmed of the white space at either end.
fn code_lines(
    reading: &Reading,
    note: &Note,
    block: Option<usize>,
    lines: &std::ops::RangeInclusive<usize>,
) -> Result<Range<usize>, Diagnostic> {
    let at = note.at.selector.clone();
    let code = reading.code_blocks();
    let count = code.len();
    let chosen = match (block, count) {
        (_, 0) => {
            return Err(Diagnostic::error(
                "`lines:` annotates lines of a code block, and this text has none",
                at,
            )
            .code("lines-without-code")
            .help("annotate a passage with `quote: \"…\"` or a paragraph with `para: N`"))
        }
        (None, 1) => code[0],
        (None, _) => {
            return Err(Diagnostic::error(
                format!("the text has {count} code blocks: which one are these lines in?"),
                at,
            )
            .code("lines-which-code-block")
            .help(format!(
                "add `para: K` for the K-th code block of the text (1 to {count})"
            )))
        }
        (Some(k), _) => match k.checked_sub(1).and_then(|i| code.get(i)) {
            Some(&i) => i,
            None => {
                return Err(Diagnostic::error(format!("there is no code block {k}"), at)
                    .code("lines-out-of-range")
                    .label(format!(
                        "the text has {count} code block{}",
                        if count == 1 { "" } else { "s" }
                    ))
                    .help(format!(
                        "with `lines:`, `para: K` counts code blocks only: use 1 to {count}"
                    )))
            }
        },
    };
    let range = reading.blocks[chosen].range.clone();
    let code_text = reading.text.get(range.clone()).unwrap_or_default();
    let mut starts: Vec<usize> = vec![0];
    starts.extend(code_text.match_indices('\n').map(|(i, _)| i + 1));
    // The code ends with a line break: no line after it.
    if starts.len() > 1 && starts.last() == Some(&code_text.len()) {
        starts.pop();
    }
    let total = starts.len();
    let (first, last) = (*lines.start(), *lines.end());
    if first == 0 || last > total {
        let which = block.map_or("the code block".to_string(), |k| format!("code block {k}"));
        return Err(
            Diagnostic::error(format!("{which} has no line {}", last.max(first)), at)
                .code("lines-out-of-range")
                .label(format!(
                    "it has {total} line{}",
                    if total == 1 { "" } else { "s" }
                ))
                .help(format!(
                    "use lines from 1 to {total}, counted from the block's first line"
                )),
        );
    }
    let start = starts[first - 1];
    let end = starts.get(last).map_or(code_text.len(), |&e| e);
    Ok(trimmed(code_text, start..end))
        .map(|r| range.start + r.start..range.start + r.end)
        .and_then(|r| {
            if r.is_empty() {
                Err(
                    Diagnostic::error("these lines are blank", note.at.selector.clone())
                        .code("lines-blank")
                        .help("annotate lines that hold code"),
                )
            } else {
                Ok(r)
            }
        })
}

/// `range` of `text` without the white space at either end.
pub(crate) fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let piece = text.get(range.clone()).unwrap_or_default();
    let start = range.start + (piece.len() - piece.trim_start().len());
    start..start + piece.trim().len()
}

/// What a quote that runs from one block into the next crosses into: a heading or a
/// code block, if one of the blocks is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crossed {
    Paragraphs,
    Heading,
    Code,
}

fn crossed(reading: &Reading, r: Range<usize>) -> Crossed {
    let first = reading.block_at(r.start);
    let last = reading.block_at(r.end);
    let kinds: Vec<BlockKind> = reading
        .blocks
        .get(first..=last.max(first))
        .unwrap_or_default()
        .iter()
        .map(|b| b.kind)
        .collect();
    if kinds.contains(&BlockKind::Heading) {
        Crossed::Heading
    } else if kinds.contains(&BlockKind::Code) {
        Crossed::Code
    } else {
        Crossed::Paragraphs
    }
}

/// The error for a quote that occurs nowhere, with the closest passage if one was found.
fn not_found(
    reading: &Reading,
    note: &Note,
    crosses: Option<Crossed>,
    closest: Result<Option<Range<usize>>, OverBudget>,
) -> Diagnostic {
    let d = Diagnostic::error("this quote is not in the text", note.at.selector.clone())
        .code("quote-not-found")
        .label("no passage reads like this");
    match closest {
        Ok(Some(r)) => d.help(format!(
            "the closest passage, in paragraph {}, reads: “{}”",
            reading.paragraph_at(r.start),
            excerpt(&reading.text, r)
        )),
        _ if crosses == Some(Crossed::Heading) => d.help(
            "the quote runs from a heading into the text next to it: annotate the heading and the paragraph separately",
        ),
        _ if crosses == Some(Crossed::Code) => d.help(
            "the quote runs into or out of a code block: annotate the code and the paragraph separately (or whole lines of the code with `lines:`)",
        ),
        _ if crosses.is_some() && reading.is_verse() => d.help(
            "the quote runs from one stanza into the next: a quote may run over the lines of one stanza only; annotate each stanza separately",
        ),
        _ if crosses.is_some() => d.help(
            "the quote runs from one paragraph into the next: annotate each paragraph separately",
        ),
        // So many quotes are missing that the build stopped looking for the closest
        // passage of each: say so rather than give advice that may not apply.
        Err(OverBudget) => {
            d.note("not searched for the closest passage: too many quotes are missing")
        }
        Ok(None) => d.help(
            "copy the passage as the page shows it: without Markdown marks like `*` or `[…](…)`",
        ),
    }
}

fn no_paragraph(reading: &Reading, note: &Note, n: usize) -> Diagnostic {
    let count = reading.paragraphs.len();
    Diagnostic::error(
        format!("there is no paragraph {n}"),
        note.at.selector.clone(),
    )
    .code("para-out-of-range")
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
        AnchorError::Empty => Diagnostic::error("the quote is empty", at).code("quote-empty"),
        AnchorError::NotFound { closest } => not_found(reading, note, None, Ok(closest)),
        AnchorError::Ambiguous { candidates } => Diagnostic::error(
            format!("this quote occurs {} times in the text", candidates.len()),
            at,
        )
        .code("quote-ambiguous")
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
                .code("quote-context-mismatch")
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

/// How many paragraphs a diagnostic lists before "and N more".
const LISTED_PARAGRAPHS: usize = 10;

/// The paragraphs of `ranges`: the first few, then how many more (a quote may occur
/// in 100,000 paragraphs; the error stays a line).
fn paragraphs(reading: &Reading, ranges: &[Range<usize>]) -> String {
    let mut ns: Vec<usize> = ranges
        .iter()
        .map(|r| reading.paragraph_at(r.start))
        .collect();
    ns.dedup();
    list_some(&ns, LISTED_PARAGRAPHS)
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
