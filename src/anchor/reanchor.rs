//! Re-anchoring: notes whose text was edited under them.
//!
//! A quote that no longer occurs, or whose prefix/suffix no longer fit, is looked for
//! fuzzily ([`ReadingIndex::find_fuzzy`]). A close enough passage anchors the note with
//! a warning that shows the old quote, the passage it now lands on, and the selector to
//! write instead (what `scholia check --fix` writes); a passage that is no longer unique
//! gets a warning naming both. Anything else is left to the errors of the exact match.

use std::ops::Range;

use super::quote::{block_of, block_range, FuzzyMatch, HintBudget, ReadingIndex, THRESHOLD};
use super::{excerpt, widen, BLOCK_SEPARATOR};
use crate::diagnostics::Diagnostic;
use crate::markdown::Reading;
use crate::site::{Note, TextQuoteSelector};

/// The longest quote (bytes) a warning's help spells out.
const SPELT_OUT: usize = 160;

/// Context is grown up to this many words when the old number of words no longer
/// makes the new selector unique.
const MAX_CONTEXT_WORDS: usize = 12;

/// One text's re-anchoring: its own budget of search steps (so a text anchors the same
/// whatever else the build holds, and whichever core anchors it).
pub(super) struct Reanchor {
    budget: HintBudget,
    /// The reading text with paragraphs joined, built on the first quote that is
    /// nowhere: a quote that runs into the next paragraph is not moved, but reported.
    joined: Option<ReadingIndex>,
}

/// A note anchored fuzzily.
#[derive(Debug, Clone)]
pub struct Relocated {
    pub found: FuzzyMatch,
    /// The selector that matches the new passage exactly (and only it), keeping the
    /// kinds of context the note had; `None` if no such selector was found.
    pub refit: Option<TextQuoteSelector>,
}

impl Reanchor {
    pub(super) fn new() -> Self {
        Self {
            budget: HintBudget::default(),
            joined: None,
        }
    }

    /// The passage a stale selector `q` most likely means now, if one is close enough.
    /// `missing`: the quote occurs nowhere (rather than with the wrong context).
    pub(super) fn relocate(
        &mut self,
        reading: &Reading,
        index: &ReadingIndex,
        q: &TextQuoteSelector,
        missing: bool,
    ) -> Option<Relocated> {
        if missing && self.crosses(reading, q) {
            return None;
        }
        let found = index.find_fuzzy(q, &mut self.budget).ok()??;
        let refit = refit(&reading.text, index, q, &found.range);
        Some(Relocated { found, refit })
    }

    fn crosses(&mut self, reading: &Reading, q: &TextQuoteSelector) -> bool {
        let joined = self.joined.get_or_insert_with(|| {
            let sep = BLOCK_SEPARATOR.to_string();
            ReadingIndex::new(&reading.text.replace(&sep, &" ".repeat(sep.len())))
        });
        joined.find_exact(q).is_ok()
    }
}

/// A selector for `range` that matches it exactly: its text as the quote, and as many
/// words of prefix and suffix as `old` had (more if needed to be unique, none if it had
/// none).
pub(super) fn refit(
    reading: &str,
    index: &ReadingIndex,
    old: &TextQuoteSelector,
    range: &Range<usize>,
) -> Option<TextQuoteSelector> {
    let block = block_range(reading, block_of(reading, range.start))?;
    let before = reading.get(block.start..range.start)?;
    let after = reading.get(range.end..block.end)?;
    let exact = collapse(reading.get(range.clone())?);
    let words = |context: &Option<String>| {
        context
            .as_deref()
            .map(|c| c.split_whitespace().count().max(1))
    };
    let (prefix_words, suffix_words) = (words(&old.prefix), words(&old.suffix));
    for extra in 0..=MAX_CONTEXT_WORDS {
        let selector = TextQuoteSelector {
            exact: exact.clone(),
            prefix: prefix_words.and_then(|n| last_words(before, n + extra)),
            suffix: suffix_words.and_then(|n| first_words(after, n + extra)),
        };
        if index.find_exact(&selector).as_ref() == Ok(range) {
            return Some(selector);
        }
        if prefix_words.is_none() && suffix_words.is_none() {
            break;
        }
    }
    None
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn last_words(text: &str, n: usize) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let kept = words[words.len().saturating_sub(n)..].join(" ");
    (!kept.is_empty()).then_some(kept)
}

fn first_words(text: &str, n: usize) -> Option<String> {
    let kept = text
        .split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ");
    (!kept.is_empty()).then_some(kept)
}

/// The warning for a note anchored fuzzily.
pub(super) fn moved(
    reading: &Reading,
    note: &Note,
    q: &TextQuoteSelector,
    r: &Relocated,
) -> Diagnostic {
    let range = r.found.range.clone();
    let passage = excerpt(&reading.text, range.clone());
    let quote_changed = collapse(&q.exact) != passage;
    let message = if quote_changed {
        format!(
            "the quote of note `{}` does not match the text exactly; it was anchored to the closest passage",
            note.id
        )
    } else {
        format!(
            "the prefix/suffix of note `{}` do not fit the text exactly; it was anchored to the closest passage",
            note.id
        )
    };
    let d = Diagnostic::warning(message, note.at.selector.clone()).label(format!(
        "anchored in paragraph {} (score {:.2}; {THRESHOLD:.2} is needed)",
        reading.paragraph_at(range.start),
        (r.found.score * 100.0).floor() / 100.0
    ));
    let d = if quote_changed {
        d.note(format!(
            "the note quotes: “{}”",
            excerpt(&q.exact, 0..q.exact.len())
        ))
        .note(format!("the text now reads: “{passage}”"))
    } else {
        let context = |c: &Option<String>| {
            c.as_deref().map_or("(none)".to_string(), |c| {
                format!("“{}”", excerpt(c, 0..c.len()))
            })
        };
        d.note(format!(
            "the note's prefix: {}, suffix: {}",
            context(&q.prefix),
            context(&q.suffix)
        ))
        .note(format!(
            "the text around the passage now reads: “{}”",
            excerpt(&reading.text, widen(&reading.text, range))
        ))
    };
    match &r.refit {
        // A long selector is not spelt out: the help stays a line.
        Some(new) if new.exact.len() <= SPELT_OUT => d.help(format!(
            "update the note to {}, or run `scholia check --fix`",
            describe(q, new)
        )),
        Some(_) => d.help("quote the passage as the text now reads, or run `scholia check --fix`"),
        None => d.help(
            "quote the passage as it now reads, with a `prefix` or `suffix` that only it has",
        ),
    }
}

/// What changes from `old` to `new`, as the author would write it.
fn describe(old: &TextQuoteSelector, new: &TextQuoteSelector) -> String {
    let mut parts = Vec::new();
    if collapse(&old.exact) != new.exact {
        parts.push(format!("`quote: {}`", yaml_string(&new.exact)));
    }
    for (key, was, now) in [
        ("prefix", &old.prefix, &new.prefix),
        ("suffix", &old.suffix, &new.suffix),
    ] {
        if was.as_deref().map(collapse) != *now {
            if let Some(now) = now {
                parts.push(format!("`{key}: {}`", yaml_string(now)));
            }
        }
    }
    if parts.is_empty() {
        return "the same selector".to_string();
    }
    parts.join(", ")
}

/// `s` as a double-quoted YAML scalar (JSON string syntax is valid YAML).
pub(crate) fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// The warning for a note whose passage scores about as well as another one.
pub(super) fn not_unique(reading: &Reading, note: &Note, found: &FuzzyMatch) -> Option<Diagnostic> {
    let rival = found.rival.clone()?;
    let at = |r: &Range<usize>| {
        format!(
            "paragraph {}: “{}”",
            reading.paragraph_at(r.start),
            excerpt(&reading.text, r.clone())
        )
    };
    Some(
        Diagnostic::warning(
            format!("the passage of note `{}` is no longer unique", note.id),
            note.at.selector.clone(),
        )
        .label("two passages match it about equally well")
        .note(format!("anchored to {}", at(&found.range)))
        .note(format!("but it might mean {}", at(&rival)))
        .help("make the quote, `prefix` or `suffix` say which passage the note is about"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(exact: &str, prefix: Option<&str>, suffix: Option<&str>) -> TextQuoteSelector {
        TextQuoteSelector {
            exact: exact.to_string(),
            prefix: prefix.map(str::to_string),
            suffix: suffix.map(str::to_string),
        }
    }

    #[test]
    fn a_refit_keeps_the_kinds_of_context() {
        let reading = "The red apple fell.\u{2029}The green apple fell.";
        let index = ReadingIndex::new(reading);
        let range = 26..37;
        assert_eq!(&reading[range.clone()], "green apple");
        let old = sel("green apples", Some("saw the"), None);
        let new = refit(reading, &index, &old, &range);
        assert_eq!(new, Some(sel("green apple", Some("The"), None)));
        let old = sel("green apples", None, None);
        assert_eq!(
            refit(reading, &index, &old, &range),
            Some(sel("green apple", None, None))
        );
    }

    #[test]
    fn a_refit_grows_its_context_until_unique() {
        let reading = "a big dog and a big cat";
        let index = ReadingIndex::new(reading);
        let range = 16..19;
        let old = sel("bog", Some("x"), None);
        let new = refit(reading, &index, &old, &range);
        assert_eq!(new, Some(sel("big", Some("and a"), None)));
        // Without context, nothing makes it unique.
        assert_eq!(
            refit(reading, &index, &sel("bog", None, None), &range),
            None
        );
    }

    #[test]
    fn describes_only_what_changes() {
        let old = sel("a  b", Some("x"), Some("y"));
        let new = sel("a b", Some("x"), Some("z \"q\""));
        assert_eq!(describe(&old, &new), "`suffix: \"z \\\"q\\\"\"`");
    }
}
