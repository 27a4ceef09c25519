//! Fuzzy anchoring: finding a note's passage again after the text under it was edited.
//!
//! The approach is Hypothesis's (`dom-anchor-text-quote`): find the places where the
//! quote matches with few errors, score each by how similar the quote is *and* how well
//! the prefix and suffix agree with the text around it, and take the best if it is good
//! enough. Candidates come from Myers' bit-parallel search (linear in the text for a
//! quote of up to 64 chars, ⌈m/64⌉ times that beyond), over the blocks a hint would
//! search: all of a short text, the few blocks sharing the most words with the quote in
//! a long one. All work is counted against a [`HintBudget`], so a build anchors the
//! same notes on every machine, and never takes long.
//!
//! The score of a candidate passage is, with `q` = 1 − (edits to the quote) / (its
//! length) and `p`, `s` the same for the prefix and suffix against the text just
//! before and after the passage (their last and first [`CONTEXT_CHARS`] chars):
//!
//! ```text
//! score = (50·q + 20·p + 20·s) / (50 + 20 + 20)      (a missing prefix or suffix
//!                                                      drops out of both sums)
//! ```
//!
//! A passage is accepted at [`THRESHOLD`] or above. Candidates never cross a block
//! separator, as exact matches do not.

use std::collections::BinaryHeap;
use std::ops::Range;

use super::{
    normalize_fragment, occurrences, trim_spaces, HintBudget, OverBudget, Pattern, ReadingIndex,
    BLOCK_SEPARATOR,
};
use crate::site::TextQuoteSelector;

/// The least score a passage needs to be anchored fuzzily. 0.8 accepts one changed
/// word in a quote of about eight words without context, or in a three-word quote
/// when its prefix and suffix are intact.
pub const THRESHOLD: f64 = 0.8;

/// Two passages whose scores differ by at most this much are equally likely: the note
/// is anchored to the first (by score, then position) and a warning names both.
pub const MARGIN: f64 = 0.05;

/// How much of the prefix (its end) and of the suffix (its start) is compared.
pub const CONTEXT_CHARS: usize = 64;

const QUOTE_WEIGHT: f64 = 50.0;
const CONTEXT_WEIGHT: f64 = 20.0;

/// At most this many candidates (the fewest errors first) are scored with context.
const CANDIDATES: usize = 64;

/// A passage found by fuzzy anchoring.
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyMatch {
    /// The passage: a byte range of the reading text, within one block.
    pub range: Range<usize>,
    /// Its score, from [`THRESHOLD`] to 1.
    pub score: f64,
    /// Another passage, not overlapping it, that scores within [`MARGIN`] of it (and at
    /// least [`THRESHOLD`]): the quote no longer designates one passage.
    pub rival: Option<Range<usize>>,
}

/// A candidate passage in the normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    range: Range<usize>,
    /// Edit distance between the quote and the passage.
    errors: usize,
}

impl ReadingIndex {
    /// The passage `selector` most likely designates now that the text changed, if one
    /// scores at least [`THRESHOLD`]; [`OverBudget`] if `budget` does not allow the
    /// search. An exact occurrence whose prefix and suffix still fit scores 1.
    pub fn find_fuzzy(
        &self,
        selector: &TextQuoteSelector,
        budget: &mut HintBudget,
    ) -> Result<Option<FuzzyMatch>, OverBudget> {
        let quote = normalize_fragment(&selector.exact);
        if budget.is_spent() {
            return Err(OverBudget);
        }
        if quote.is_empty() {
            return Ok(None);
        }
        let text = &self.norm.text;
        let exact = occurrences(text, &quote);
        let context = Context::new(selector);
        let candidates = if exact.is_empty() {
            self.approximate(&quote, &context, budget)?
        } else {
            // Every occurrence, however many (the budget bounds the work): the one
            // whose context fits must be among them.
            exact
                .into_iter()
                .map(|start| Candidate {
                    range: start..start + quote.len(),
                    errors: 0,
                })
                .collect()
        };
        budget.take(candidates.len().saturating_mul(context.steps()))?;
        let length = quote.chars().count();
        let mut scored: Vec<(f64, Range<usize>)> = candidates
            .into_iter()
            .map(|c| (context.score(text, &c, length), c.range))
            .collect();
        // Best first; on a tie, the earlier passage, then the longer.
        scored.sort_by(|a, b| {
            (b.0.total_cmp(&a.0))
                .then(a.1.start.cmp(&b.1.start))
                .then(b.1.end.cmp(&a.1.end))
        });
        let Some((score, best)) = scored.first().cloned() else {
            return Ok(None);
        };
        if score < THRESHOLD {
            return Ok(None);
        }
        let rival = scored
            .iter()
            .skip(1)
            .take_while(|(s, _)| score - s <= MARGIN && *s >= THRESHOLD)
            .find(|(_, r)| r.end <= best.start || r.start >= best.end)
            .map(|(_, r)| self.norm.original(r.clone()));
        Ok(Some(FuzzyMatch {
            range: self.norm.original(best),
            score,
            rival,
        }))
    }

    /// The passages where `quote` (normalized) matches with at most half its length in
    /// errors: the [`CANDIDATES`] with the fewest, each once, in no particular order.
    fn approximate(
        &self,
        quote: &str,
        context: &Context,
        budget: &mut HintBudget,
    ) -> Result<Vec<Candidate>, OverBudget> {
        let pattern = Pattern::new(quote);
        let length = pattern.chars.len();
        let max_errors = length / 2;
        let blocks = self.search_blocks(quote, &pattern, budget)?;
        // A max-heap on (errors, position) keeps the best few in bounded memory.
        let mut best: BinaryHeap<(usize, usize, usize)> = BinaryHeap::new();
        for (n, (_, block)) in blocks.iter().enumerate() {
            local_minima(&pattern, block, max_errors, |errors, end| {
                best.push((errors, n, end));
                if best.len() > CANDIDATES {
                    best.pop();
                }
            });
        }
        let starts = Starts::new(quote, context.prefix_forward.as_ref());
        budget.take(best.len().saturating_mul(starts.steps()))?;
        let mut found: Vec<Candidate> = best
            .into_sorted_vec()
            .into_iter()
            .filter_map(|(_, n, end)| {
                let &(base, block) = blocks.get(n)?;
                let (start, errors) = starts.best(block, end);
                let local = trim_spaces(block, start..end)?;
                Some(Candidate {
                    range: base + local.start..base + local.end,
                    errors,
                })
            })
            .collect();
        found.sort_by_key(|c| (c.range.start, c.range.end, c.errors));
        found.dedup_by(|later, earlier| later.range == earlier.range);
        Ok(found)
    }
}

/// Where a candidate passage starts, given where it ends: where the quote aligns best,
/// and, when the selector has a prefix, where quote and prefix align best together (a
/// word inserted after two short words of the quote is cheaper, for the quote alone,
/// to align by dropping those words; the prefix, which ends where they begin, says no).
struct Starts<'c> {
    /// The quote reversed: aligned backwards from the end.
    reversed: Pattern,
    length: usize,
    prefix: Option<&'c Pattern>,
}

impl<'c> Starts<'c> {
    fn new(quote: &str, prefix: Option<&'c Pattern>) -> Self {
        let reversed = Pattern::new(&quote.chars().rev().collect::<String>());
        Self {
            length: reversed.chars.len(),
            reversed,
            prefix,
        }
    }

    /// How far back from the end a start is looked for: the quote's length and half
    /// again (its most errors).
    fn span(&self) -> usize {
        self.length + self.length / 2
    }

    fn steps(&self) -> usize {
        let prefix = self
            .prefix
            .map_or(0, |p| p.words.saturating_mul(self.span() + span(p)));
        self.reversed.words.saturating_mul(self.span()) + prefix
    }

    /// The best start in `block` of a passage ending at `end`, and its errors.
    fn best(&self, block: &str, end: usize) -> (usize, usize) {
        let head = block.get(..end).unwrap_or_default();
        // (start, errors of the quote from there to `end`), nearest first.
        let starts: Vec<(usize, usize)> = head
            .char_indices()
            .rev()
            .map(|(at, _)| at)
            .zip(self.reversed.scores(head.chars().rev(), true))
            .take(self.span())
            .collect();
        let Some(prefix) = self.prefix else {
            // The fewest errors; on a tie the longest (so "One" rather than "ne").
            return starts
                .iter()
                .copied()
                .min_by_key(|&(at, errors)| (errors, at))
                .map_or((end, self.length), |(at, errors)| (at, errors));
        };
        let farthest = starts.last().map_or(end, |&(at, _)| at);
        let before = prefix_errors(prefix, head, farthest);
        // Minimizes errors/length of the quote × 50 + of the prefix × 20, without
        // division: ×(quote length × prefix length).
        let cost = |(at, errors): (usize, usize)| {
            let p = before(at);
            QUOTE_WEIGHT as usize * errors * prefix.chars.len()
                + CONTEXT_WEIGHT as usize * p * self.length
        };
        starts
            .iter()
            .copied()
            .min_by_key(|&s| (cost(s), s.0))
            .map_or((end, self.length), |(at, errors)| (at, errors))
    }
}

/// For a start offset in `head` (at or after `from`), the edit distance between
/// `prefix` (not reversed) and the best run of text ending just before it (and the
/// space before it): one forward scan from a little before `from`.
fn prefix_errors<'h>(prefix: &Pattern, head: &'h str, from: usize) -> impl Fn(usize) -> usize + 'h {
    let length = prefix.chars.len();
    let lead = head
        .get(..from)
        .unwrap_or_default()
        .char_indices()
        .rev()
        .take(span(prefix))
        .last()
        .map_or(from, |(at, _)| at);
    let window = head.get(lead..).unwrap_or_default();
    // Errors of the prefix ending just after each char of the window, by end offset.
    let mut ends: Vec<(usize, usize)> = vec![(lead, length)];
    let offsets = window
        .char_indices()
        .map(|(at, c)| lead + at + c.len_utf8());
    ends.extend(offsets.zip(prefix.scores(window.chars(), false)));
    move |start: usize| {
        let before = head.get(..start).unwrap_or_default();
        let junction = before.strip_suffix(' ').map_or(start, str::len);
        match ends.binary_search_by_key(&junction, |&(at, _)| at) {
            Ok(i) => ends.get(i).map_or(length, |&(_, errors)| errors),
            Err(_) => length,
        }
    }
}

/// Calls `found(errors, end)` for the ends (byte offsets in `block`) where the quote's
/// best alignment has at most `max_errors` errors, fewer than just before and no more
/// than just after: one dip of the score, rather than every char of a run of near
/// matches. A flat dip gives its first and its last end, which differ by trailing
/// text counted as deleted or as substituted ("the black" or "the black dog" for
/// "the black cat"): the context tells which is meant.
fn local_minima(
    pattern: &Pattern,
    block: &str,
    max_errors: usize,
    mut found: impl FnMut(usize, usize),
) {
    let ends = block.char_indices().map(|(at, c)| at + c.len_utf8());
    let mut previous = usize::MAX;
    // (errors, first end, last end) of the dip being walked through.
    let mut dip: Option<(usize, usize, usize)> = None;
    let mut leave = |(errors, first, last): (usize, usize, usize)| {
        found(errors, first);
        if last != first {
            found(errors, last);
        }
    };
    for (score, end) in pattern.scores(block.chars(), false).zip(ends) {
        match dip {
            Some((errors, first, _)) if score == errors => dip = Some((errors, first, end)),
            Some(walked) => {
                dip = None;
                if score > walked.0 {
                    leave(walked);
                }
            }
            None => {}
        }
        if dip.is_none() && score < previous && score <= max_errors {
            dip = Some((score, end, end));
        }
        previous = score;
    }
    if let Some(walked) = dip {
        leave(walked);
    }
}

/// A selector's prefix and suffix, prepared for scoring candidates.
struct Context {
    /// The prefix's last [`CONTEXT_CHARS`] chars, reversed (it is matched backwards
    /// from the passage's start).
    prefix: Option<Pattern>,
    /// The same, not reversed: to choose where a passage starts.
    prefix_forward: Option<Pattern>,
    suffix: Option<Pattern>,
}

impl Context {
    fn new(selector: &TextQuoteSelector) -> Self {
        let part = |fragment: Option<&str>, from_end: bool| {
            let norm = normalize_fragment(fragment.unwrap_or_default());
            let chars: Vec<char> = norm.chars().collect();
            let kept: String = if from_end {
                let tail = &chars[chars.len().saturating_sub(CONTEXT_CHARS)..];
                tail.iter().rev().collect()
            } else {
                chars.iter().take(CONTEXT_CHARS).collect()
            };
            (!kept.is_empty()).then(|| Pattern::new(&kept))
        };
        let prefix = part(selector.prefix.as_deref(), true);
        let prefix_forward = prefix
            .as_ref()
            .map(|p| Pattern::new(&p.chars.iter().rev().collect::<String>()));
        Self {
            prefix,
            prefix_forward,
            suffix: part(selector.suffix.as_deref(), false),
        }
    }

    /// Budget steps to score one candidate.
    fn steps(&self) -> usize {
        [&self.prefix, &self.suffix]
            .into_iter()
            .flatten()
            .map(|p| span(p).saturating_mul(p.words))
            .sum()
    }

    /// The candidate's score (see the module's documentation), from 0 to 1.
    fn score(&self, text: &str, candidate: &Candidate, quote_length: usize) -> f64 {
        let mut total = QUOTE_WEIGHT * similarity(candidate.errors, quote_length);
        let mut weight = QUOTE_WEIGHT;
        if let Some(prefix) = &self.prefix {
            let before = text.get(..candidate.range.start).unwrap_or_default();
            let before = before.strip_suffix(' ').unwrap_or(before);
            let chars = before.chars().rev().take_while(|&c| c != BLOCK_SEPARATOR);
            total += CONTEXT_WEIGHT * agreement(prefix, chars);
            weight += CONTEXT_WEIGHT;
        }
        if let Some(suffix) = &self.suffix {
            let after = text.get(candidate.range.end..).unwrap_or_default();
            let after = after.strip_prefix(' ').unwrap_or(after);
            let chars = after.chars().take_while(|&c| c != BLOCK_SEPARATOR);
            total += CONTEXT_WEIGHT * agreement(suffix, chars);
            weight += CONTEXT_WEIGHT;
        }
        total / weight
    }
}

/// How far into the text a context is compared: its length and half again, for
/// insertions.
fn span(context: &Pattern) -> usize {
    let length = context.chars.len();
    length + length / 2
}

/// 1 − the edit distance between `context` and the best-matching run of `text` that
/// starts at its first char, relative to the context's length (0 at worst).
fn agreement(context: &Pattern, text: impl Iterator<Item = char>) -> f64 {
    let length = context.chars.len();
    let errors = context
        .scores(text, true)
        .take(span(context))
        .fold(length, usize::min);
    similarity(errors, length)
}

fn similarity(errors: usize, length: usize) -> f64 {
    if length == 0 {
        return 0.0;
    }
    (1.0 - errors as f64 / length as f64).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::site::quote_selector as sel;

    fn fuzzy(reading: &str, selector: &TextQuoteSelector) -> Option<FuzzyMatch> {
        ReadingIndex::new(reading)
            .find_fuzzy(selector, &mut HintBudget::default())
            .unwrap_or_else(|_| panic!("over budget"))
    }

    fn passage<'a>(reading: &'a str, selector: &TextQuoteSelector) -> Option<&'a str> {
        let found = fuzzy(reading, selector)?;
        reading.get(found.range)
    }

    const HENKE: &str = "Intro.\u{2029}Most instances of collective action occur because one \
        or two states have a very intense interest in a given collaborative outcome.\u{2029}End.";

    #[test]
    fn an_exact_passage_with_its_context_scores_one() {
        let s = sel("one or two states", Some("occur because"), Some("have a"));
        let found = fuzzy(HENKE, &s);
        assert_eq!(found.as_ref().map(|f| f.score), Some(1.0));
        assert_eq!(passage(HENKE, &s), Some("one or two states"));
    }

    #[test]
    fn a_word_changed_inside_the_quote() {
        let s = sel(
            "one or two countries have a very intense interest",
            None,
            None,
        );
        assert_eq!(
            passage(HENKE, &s),
            Some("one or two states have a very intense interest")
        );
    }

    #[test]
    fn a_word_inserted_into_the_text() {
        let s = sel(
            "two states have a very intense interest in a given",
            None,
            None,
        );
        let text = HENKE.replace("intense", "intense, vital");
        assert_eq!(
            passage(&text, &s),
            Some("two states have a very intense, vital interest in a given")
        );
    }

    #[test]
    fn a_word_deleted_from_the_text() {
        let s = sel(
            "two states have a very intense interest in a given",
            None,
            None,
        );
        let text = HENKE.replace("very ", "");
        assert_eq!(
            passage(&text, &s),
            Some("two states have a intense interest in a given")
        );
    }

    #[test]
    fn ties_go_to_the_longer_passage() {
        // "ne or two states" is as close to the quote as "One or two states" (one edit).
        let text = "Intro.\u{2029}One or two states care.";
        let s = sel("one or two states", None, None);
        assert_eq!(passage(text, &s), Some("One or two states"));
        let s = sel("one or two states", None, Some("care"));
        assert_eq!(passage(text, &s), Some("One or two states"));
    }

    #[test]
    fn changed_context_around_an_exact_quote() {
        let s = sel(
            "collective action",
            Some("Most instances of"),
            Some("occur because"),
        );
        let text = HENKE.replace("Most instances", "Many instances");
        assert_eq!(passage(&text, &s), Some("collective action"));
    }

    #[test]
    fn context_decides_between_similar_passages() {
        let text = "I saw the red apple fall.\u{2029}I saw the green apple fall.";
        let s = sel("the green apples", Some("saw"), Some("fall"));
        let found = fuzzy(text, &s).map(|f| f.range);
        assert_eq!(found, Some(34..49));
        assert_eq!(text.get(34..49), Some("the green apple"));
    }

    #[test]
    fn too_different_is_nothing() {
        let s = sel("states have no interest whatsoever in it", None, None);
        assert_eq!(fuzzy(HENKE, &s), None);
        // A short quote with one word changed and no context to confirm it.
        let text = "Then the black dog ran.";
        assert_eq!(fuzzy(text, &sel("the black cat", None, None)), None);
        let s = sel("the black cat", Some("Then"), Some("ran"));
        assert_eq!(passage(text, &s), Some("the black dog"));
    }

    #[test]
    fn two_equally_good_passages_are_rivals() {
        let text = "one big dog barked\u{2029}one big cat barked";
        let found = fuzzy(text, &sel("one big cow barked", None, None));
        let found = found.unwrap_or_else(|| panic!("no match"));
        assert_eq!(&text[found.range.clone()], "one big dog barked");
        let rival = found.rival.unwrap_or_else(|| panic!("no rival"));
        assert_eq!(&text[rival], "one big cat barked");
    }

    #[test]
    fn never_across_a_block_separator() {
        let text = "alpha beta gamma\u{2029}delta epsilon";
        let found = fuzzy(text, &sel("beta gamma delta epsilon", None, None));
        assert!(found.is_none_or(|f| !text[f.range].contains('\u{2029}')));
    }

    #[test]
    fn quotes_longer_than_a_machine_word() {
        let sentence = "It is a truth universally acknowledged, that a single man in \
                        possession of a good fortune, must be in want of a wife.";
        let reading = format!("Chapter 1\u{2029}{sentence}\u{2029}Chapter 2");
        let quote = sentence.replace("good", "large").replace("wife", "spouse");
        assert_eq!(passage(&reading, &sel(&quote, None, None)), Some(sentence));
    }

    #[test]
    fn a_spent_budget_searches_nothing() {
        let index = ReadingIndex::new(HENKE);
        let mut budget = HintBudget::new(0);
        let s = sel("one or two", None, None);
        assert_eq!(index.find_fuzzy(&s, &mut budget), Err(OverBudget));
    }

    // --- properties

    use proptest::prelude::*;

    /// The `n`th word of a text made from `seed`: 4 to 8 letters that look random
    /// (splitmix64), so that words stay unlike each other however proptest shrinks.
    fn word(seed: u64, n: u64) -> String {
        let mut x = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        let len = 4 + (x % 5) as usize;
        (0..len)
            .map(|i| char::from(b'a' + ((x >> (8 + 5 * i)) % 26) as u8))
            .collect()
    }

    /// Paragraphs of distinct words, a quote of 10 to 14 words from one of them (not
    /// its first: the note has a prefix), and an edit of one inner word of the quote,
    /// two words away from its ends. Without a prefix, or next to an end, a long word
    /// inserted after two short ones can cost as much as dropping them, and then
    /// nothing says which passage was meant.
    #[allow(clippy::type_complexity)] // a test strategy's tuple, named where it is used
    fn edited_text() -> impl Strategy<Value = (Vec<Vec<String>>, usize, usize, usize, usize, String)>
    {
        (
            any::<u64>(),
            prop::collection::vec(16usize..30, 1..4),
            any::<prop::sample::Index>(),
            1usize..3,
            10usize..15,
            any::<prop::sample::Index>(),
        )
            .prop_map(|(seed, lengths, which, start, len, inner)| {
                let mut n = 0;
                let paragraphs: Vec<Vec<String>> = lengths
                    .iter()
                    .map(|&l| {
                        (0..l)
                            .map(|_| {
                                n += 1;
                                word(seed, n)
                            })
                            .collect()
                    })
                    .collect();
                let new = word(seed, 0);
                let p = which.index(paragraphs.len());
                let at = 2 + inner.index(len - 4);
                (paragraphs, p, start, len, at, new)
            })
    }

    fn join(paragraphs: &[Vec<String>]) -> String {
        paragraphs
            .iter()
            .map(|p| p.join(" "))
            .collect::<Vec<_>>()
            .join("\u{2029}")
    }

    /// The byte range of words `from..to` of paragraph `p` in [`join`]'s text.
    fn words_range(paragraphs: &[Vec<String>], p: usize, from: usize, to: usize) -> Range<usize> {
        let before: usize = paragraphs[..p]
            .iter()
            .map(|q| q.join(" ").len() + BLOCK_SEPARATOR.len_utf8())
            .sum();
        let words = &paragraphs[p];
        let start = before + words[..from].iter().map(|w| w.len() + 1).sum::<usize>();
        let end = start + words[from..to].join(" ").len();
        start..end
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A quote that still occurs, with its context, anchors exactly: score 1.
        #[test]
        fn an_exact_quote_still_anchors_exactly(
            (paragraphs, p, start, len, _, _) in edited_text(),
        ) {
            let text = join(&paragraphs);
            let range = words_range(&paragraphs, p, start, start + len);
            let prefix = paragraphs[p][..start].join(" ");
            let suffix = paragraphs[p].get(start + len..start + len + 3).map(|w| w.join(" "));
            let s = sel(&text[range.clone()], Some(&prefix), suffix.as_deref());
            let found = fuzzy(&text, &s);
            prop_assert_eq!(found.as_ref().map(|f| (f.range.clone(), f.score)), Some((range, 1.0)));
        }

        /// One inner word of the quote changed, inserted or deleted in the text: the
        /// note lands on the edited passage, exactly.
        #[test]
        fn one_edited_word_anchors_to_the_right_place(
            (paragraphs, p, start, len, at, new) in edited_text(),
            edit in 0usize..3,
        ) {
            let old = join(&paragraphs);
            let quote = old[words_range(&paragraphs, p, start, start + len)].to_string();
            let mut edited = paragraphs.clone();
            let words = &mut edited[p];
            let end = match edit {
                0 => { words[start + at] = new; start + len }
                1 => { words.insert(start + at, new); start + len + 1 }
                _ => { words.remove(start + at); start + len - 1 }
            };
            let text = join(&edited);
            let expected = words_range(&edited, p, start, end);
            let prefix = edited[p][..start].join(" ");
            let s = sel(&quote, (!prefix.is_empty()).then_some(prefix.as_str()), None);
            let found = fuzzy(&text, &s);
            prop_assert_eq!(found.map(|f| f.range), Some(expected), "{:?}", quote);
        }

        /// Whatever it is given, it never panics, and what it finds is a passage of
        /// one block, on char boundaries, starting and ending on a visible char.
        #[test]
        fn never_crosses_a_block_separator(
            text in "[ab c\u{2029}é]{0,40}",
            exact in "[ab c\u{2029}]{1,12}",
            prefix in proptest::option::of("[ab c]{0,6}"),
            suffix in proptest::option::of("[ab c]{0,6}"),
        ) {
            let s = TextQuoteSelector { exact, prefix, suffix };
            if let Some(found) = fuzzy(&text, &s) {
                let piece = text.get(found.range.clone()).unwrap_or_default();
                prop_assert!(!piece.is_empty() && !piece.contains(BLOCK_SEPARATOR), "{:?}", found);
                prop_assert!(!piece.starts_with(' ') && !piece.ends_with(' '));
                prop_assert!(found.score >= THRESHOLD);
                if let Some(rival) = found.rival {
                    prop_assert!(text.get(rival.clone()).is_some_and(|r| !r.contains(BLOCK_SEPARATOR)));
                }
            }
        }

        /// The same on arbitrary strings.
        #[test]
        fn never_panics(
            text in any::<String>(),
            exact in any::<String>(),
            prefix in any::<Option<String>>(),
            suffix in any::<Option<String>>(),
        ) {
            let s = TextQuoteSelector { exact, prefix, suffix };
            if let Some(found) = fuzzy(&text, &s) {
                prop_assert!(text.get(found.range).is_some());
            }
        }
    }
}
