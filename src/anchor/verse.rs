//! Verse texts (`layout: verse`): notes on whole lines, and the blocks verse cannot hold.
//!
//! A verse text's lines are numbered through the text, stanza after stanza, so `lines:`
//! counts them, not the lines of a code block. Only stanzas (paragraphs) carry lines;
//! a table, list, quote, code or HTML block would break the count, so each is an error
//! at its place rather than a silently unnumbered block.

use std::ops::{Range, RangeInclusive};

use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::markdown::{self, NotVerse, Reading, Spanned};
use crate::site::{Note, Text};

/// The range of lines `lines` (1-based, numbered through the text), trimmed of the white
/// space at either end. Lines of one stanza only, as a quote may not cross a stanza break.
pub(super) fn lines(
    reading: &Reading,
    note: &Note,
    block: Option<usize>,
    lines: &RangeInclusive<usize>,
) -> Result<Range<usize>, Diagnostic> {
    let at = note.at.selector.clone();
    let total = reading.lines.len();
    if block.is_some() {
        return Err(Diagnostic::error(
            "in a verse text, `lines:` counts the lines of the whole text: `para:` picks nothing",
            at,
        )
        .code("lines-with-para")
        .help(format!(
            "remove `para:` and give the lines as numbered in the margin (1 to {total})"
        )));
    }
    let (first, last) = (*lines.start(), *lines.end());
    let (Some(a), Some(b)) = (
        first.checked_sub(1).and_then(|i| reading.lines.get(i)),
        last.checked_sub(1).and_then(|i| reading.lines.get(i)),
    ) else {
        return Err(
            Diagnostic::error(format!("the text has no line {}", last.max(first)), at)
                .code("lines-out-of-range")
                .label(format!("it has {total} line{}", plural(total)))
                .help(format!(
            "use lines from 1 to {total}, numbered through the text as in the margin of the page"
        )),
        );
    };
    let range = a.start..b.end;
    if reading.block_at(a.start) != reading.block_at(b.end) {
        let (s, e) = stanza_lines(reading, a.start);
        return Err(Diagnostic::error(
            format!("lines {first} to {last} run over a stanza break"),
            at,
        )
        .code("lines-across-stanzas")
        .label(format!("line {first} is in the stanza of lines {s} to {e}"))
        .help("a note annotates lines of one stanza: write one note for each stanza"));
    }
    let range = super::trimmed(&reading.text, range);
    if range.is_empty() {
        return Err(Diagnostic::error("these lines are blank", at)
            .code("lines-blank")
            .help("annotate lines that hold words"));
    }
    Ok(range)
}

/// The first and last line numbers of the stanza that holds offset `at`.
fn stanza_lines(reading: &Reading, at: usize) -> (usize, usize) {
    let block = reading.block_at(at);
    let Some(b) = reading.blocks.get(block) else {
        return (1, reading.lines.len());
    };
    let first = reading.lines.partition_point(|l| l.start < b.range.start) + 1;
    let last = reading.lines.partition_point(|l| l.end <= b.range.end);
    (first, last.max(first))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Reports every top-level block of a verse text that is no stanza, heading, rule or
/// footnote, at its place in the text.
pub(super) fn check_blocks(text: &Text, events: &[Spanned], diags: &mut Diagnostics) {
    for (kind, range) in markdown::not_verse(events) {
        let start = text.body.start + range.start;
        // The block's first line: enough to point at, and bounded.
        let line_end = text.source.text[start..]
            .find('\n')
            .map_or(text.source.text.len(), |i| start + i)
            .min(text.body.start + range.end);
        let at = Span::new(&text.source, start..line_end);
        diags.push(not_verse(kind, at));
    }
}

fn not_verse(kind: NotVerse, at: Span) -> Diagnostic {
    let (what, help) = match kind {
        NotVerse::Table => (
            "a table",
            "a verse text is numbered line by line and a table has no lines: move the table to a prose text, or write its rows as lines",
        ),
        NotVerse::Code => (
            "a code block",
            "a verse text is numbered line by line: move the code to a prose text (one without `layout: verse`)",
        ),
        NotVerse::IndentedCode => (
            "a code block (a line indented by four spaces or more after a blank line)",
            "to indent the first line of a stanza, use fewer than four spaces or non-breaking spaces (U+00A0); lines after the first may be indented freely",
        ),
        NotVerse::List => (
            "a list",
            "a line starting with `-`, `*`, `+` or a number and `.` begins a list in Markdown: escape the mark (`\\-`, `1\\.`) to keep it a line of verse",
        ),
        NotVerse::Quote => (
            "a block quote",
            "a line starting with `>` begins a block quote in Markdown: escape it (`\\>`) to keep it a line of verse",
        ),
        NotVerse::Html => (
            "an HTML block",
            "a verse text holds stanzas and headings: remove the HTML, or escape its `<` as `\\<`",
        ),
    };
    Diagnostic::error(
        format!("a verse text cannot number the lines of {what}"),
        at,
    )
    .code("not-verse")
    .label("in a text with `layout: verse`")
    .help(help)
}
