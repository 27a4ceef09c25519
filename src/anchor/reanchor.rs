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
use crate::diagnostics::{Diagnostic, Edit, Span};
use crate::load::yaml;
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
    /// Where the quote now is, and how close the match is.
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
    let d = d.code("quote-fuzzy");
    let d = match r.refit.as_ref().and_then(|new| edits(note, q, new)) {
        Some(edits) => d.fix(edits),
        None => d,
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

/// The edits to the sidecar that replace the parts of `old` that changed in `new`,
/// each scalar written in the style it had (plain, single- or double-quoted) if that
/// style can hold the new value; `None` if a part cannot be edited in place (a block
/// or multi-line scalar, flow style, a key to add or remove).
fn edits(note: &Note, old: &TextQuoteSelector, new: &TextQuoteSelector) -> Option<Vec<Edit>> {
    let source = &note.at.selector.source;
    let text = &source.text;
    let at = note.at.selector.range.clone();
    let (_, region) = yaml::items(text, "annotations")
        .into_iter()
        .find(|(_, r)| r.start <= at.start && at.end <= r.end)?;
    let mut edits = Vec::new();
    for (key, was, now) in [
        ("quote", Some(&old.exact), Some(&new.exact)),
        ("prefix", old.prefix.as_ref(), new.prefix.as_ref()),
        ("suffix", old.suffix.as_ref(), new.suffix.as_ref()),
    ] {
        let (was, now) = match (was, now) {
            (Some(was), Some(now)) => (was, now),
            (None, None) => continue,
            _ => return None,
        };
        if collapse(was) == *now {
            continue;
        }
        let value = yaml::key_in(text, region.clone(), key)?;
        let scalar = scalar_extent(text, value)?;
        let written = text.get(scalar.clone())?;
        if yaml_serde::from_str::<String>(written).ok().as_ref() != Some(was) {
            return None;
        }
        edits.push(Edit {
            span: Span::new(source, scalar),
            replacement: scalar_like(written, now)?,
        });
    }
    Some(edits)
}

/// The part of a one-line value (as [`yaml::key_in`] finds it) that is the scalar: the
/// value without a trailing comment. `None` if anything but a comment follows it.
fn scalar_extent(text: &str, value: Range<usize>) -> Option<Range<usize>> {
    let v = text.get(value.clone())?;
    let bytes = v.as_bytes();
    let len = match bytes.first()? {
        b'"' => {
            let mut i = 1;
            loop {
                match bytes.get(i)? {
                    b'\\' => i += 2,
                    b'"' => break i + 1,
                    _ => i += 1,
                }
            }
        }
        b'\'' => {
            let mut i = 1;
            loop {
                match (bytes.get(i)?, bytes.get(i + 1)) {
                    (b'\'', Some(b'\'')) => i += 2,
                    (b'\'', _) => break i + 1,
                    _ => i += 1,
                }
            }
        }
        b'|' | b'>' | b'[' | b'{' | b'&' | b'*' | b'!' => return None,
        _ => v.find(" #").unwrap_or(v.len()),
    };
    let scalar = v.get(..len)?.trim_end();
    let rest = v.get(len..)?.trim_start();
    (rest.is_empty() || rest.starts_with('#')).then(|| value.start..value.start + scalar.len())
}

/// `value` as a YAML scalar in the style of `written` (plain, '…' or "…"), or
/// double-quoted where that style cannot hold it; checked by parsing it back.
fn scalar_like(written: &str, value: &str) -> Option<String> {
    let styled = if written.starts_with('\'') && !value.chars().any(char::is_control) {
        format!("'{}'", value.replace('\'', "''"))
    } else if !written.starts_with('"') && !written.starts_with('\'') && plain_safe(value) {
        value.to_string()
    } else {
        yaml_string(value)
    };
    let reads = |s: &str| yaml_serde::from_str::<String>(s).ok().as_deref() == Some(value);
    if reads(&styled) {
        return Some(styled);
    }
    let quoted = yaml_string(value);
    reads(&quoted).then_some(quoted)
}

/// Whether `value` can be written as a plain scalar and read back as the same text:
/// words and ordinary punctuation, starting with a letter.
fn plain_safe(value: &str) -> bool {
    const WORDS: [&str; 9] = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"];
    value.chars().next().is_some_and(char::is_alphabetic)
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || " .,;()!?-’‘“”—–".contains(c))
        && !value.ends_with(' ')
        && !WORDS.contains(&value.to_lowercase().as_str())
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
        .code("quote-not-unique")
        .label("two passages match it about equally well")
        .note(format!("anchored to {}", at(&found.range)))
        .note(format!("but it might mean {}", at(&rival)))
        .help("make the quote, `prefix` or `suffix` say which passage the note is about"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::site::quote_selector as sel;

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

    #[test]
    fn a_scalar_ends_before_its_comment() {
        let text = "quote: \"a \\\" # b\"  # why\nprefix: 'it''s' # x\nsuffix: plain words # c\n";
        let value = |key: &str| yaml::key_in(text, 0..text.len(), key).unwrap_or(0..0);
        let scalar = |key: &str| scalar_extent(text, value(key)).map(|r| &text[r]);
        assert_eq!(scalar("quote"), Some("\"a \\\" # b\""));
        assert_eq!(scalar("prefix"), Some("'it''s'"));
        assert_eq!(scalar("suffix"), Some("plain words"));
        assert_eq!(scalar_extent("q: |\n  x\n", 3..4), None);
        assert_eq!(scalar_extent("q: \"open\n", 3..8), None);
    }

    #[test]
    fn a_new_value_keeps_the_style_it_can() {
        assert_eq!(scalar_like("'old'", "it's"), Some("'it''s'".to_string()));
        assert_eq!(
            scalar_like("\"old\"", "a \"b\""),
            Some("\"a \\\"b\\\"\"".to_string())
        );
        assert_eq!(
            scalar_like("old", "new words"),
            Some("new words".to_string())
        );
        // Plain where plain would read otherwise: quoted.
        assert_eq!(scalar_like("old", "a: b"), Some("\"a: b\"".to_string()));
        assert_eq!(scalar_like("old", "1998"), Some("\"1998\"".to_string()));
        assert_eq!(scalar_like("old", "true"), Some("\"true\"".to_string()));
        assert_eq!(scalar_like("old", "# x"), Some("\"# x\"".to_string()));
    }
}
