//! Anchoring: `anchor::find` and `ReadingIndex::find` on any reading text and selector.
//!
//! Input: `reading \0 exact [\0 prefix [\0 suffix]]` (bytes; invalid UTF-8 is replaced).
//! A missing part is `None`, an empty one `Some("")`.
//!
//! Checks: no panic; both entry points agree; every range returned (the match, the
//! closest passage, the occurrences and candidates of errors) lies within the text on
//! char boundaries, within one block; a match starts and ends on a non-space char, and
//! anchoring the matched passage itself with the same context finds it again. Fuzzy
//! anchoring (`ReadingIndex::find_fuzzy`) never panics either; what it finds lies in one
//! block, starts and ends on a non-space char, scores from the threshold to 1, and an
//! exact match with its context scores 1.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scholia::anchor::{self, AnchorError, ReadingIndex};
use scholia::markdown::BLOCK_SEPARATOR;
use scholia::site::TextQuoteSelector;
use scholia_fuzz::{check_range, parts};

fuzz_target!(|data: &[u8]| {
    let parts = parts(data, 4);
    let text = |i: usize| {
        parts
            .get(i)
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    let reading = text(0).unwrap_or_default();
    let selector = TextQuoteSelector {
        exact: text(1).unwrap_or_default(),
        prefix: text(2),
        suffix: text(3),
    };

    let found = anchor::find(&reading, &selector);
    let index = ReadingIndex::new(&reading);
    assert_eq!(
        found,
        index.find(&selector),
        "anchor::find and ReadingIndex::find disagree"
    );

    let in_one_block = |r: &std::ops::Range<usize>, what: &str| {
        check_range(&reading, r, what);
        assert!(
            !reading[r.clone()].contains(BLOCK_SEPARATOR),
            "{what}: {r:?} crosses a block separator"
        );
        let block = anchor::block_of(&reading, r.start);
        let whole = anchor::block_range(&reading, block);
        assert!(
            whole
                .as_ref()
                .is_some_and(|b| b.start <= r.start && r.end <= b.end)
                || r.is_empty(),
            "{what}: {r:?} is not inside block {block} ({whole:?})"
        );
    };

    let fuzzy = index.find_fuzzy(&selector, &mut anchor::HintBudget::new(10_000_000));
    if let Ok(Some(f)) = &fuzzy {
        in_one_block(&f.range, "fuzzy match");
        let passage = &reading[f.range.clone()];
        assert!(
            passage.chars().next().is_some_and(|c| !c.is_whitespace())
                && passage.chars().next_back().is_some_and(|c| !c.is_whitespace()),
            "the fuzzy match {:?} = {passage:?} is empty or starts or ends with white space",
            f.range
        );
        assert!(
            (anchor::THRESHOLD..=1.0).contains(&f.score),
            "score {}",
            f.score
        );
        if let Some(rival) = &f.rival {
            in_one_block(rival, "rival");
            assert!(
                rival.end <= f.range.start || rival.start >= f.range.end,
                "the rival {rival:?} overlaps the match {:?}",
                f.range
            );
        }
    }
    if found.is_ok() {
        assert!(
            matches!(&fuzzy, Ok(Some(f)) if f.score == 1.0),
            "an exact match does not score 1 fuzzily: {fuzzy:?}"
        );
    }

    match found {
        Ok(r) => {
            in_one_block(&r, "match");
            let passage = &reading[r.clone()];
            let first = passage.chars().next();
            let last = passage.chars().next_back();
            assert!(
                first.is_some_and(|c| !c.is_whitespace())
                    && last.is_some_and(|c| !c.is_whitespace()),
                "the match {r:?} = {passage:?} is empty or starts or ends with white space"
            );
            let again = TextQuoteSelector {
                exact: passage.to_string(),
                ..selector.clone()
            };
            assert_eq!(
                index.find(&again),
                Ok(r.clone()),
                "anchoring the matched passage {passage:?} again finds something else"
            );
        }
        Err(AnchorError::Empty) => {
            assert!(
                selector.exact.chars().all(char::is_whitespace),
                "`Empty` for a quote with words: {:?}",
                selector.exact
            );
        }
        Err(AnchorError::NotFound { closest }) => {
            assert!(
                !selector.exact.chars().all(char::is_whitespace),
                "an empty quote reported as not found"
            );
            if let Some(r) = closest {
                in_one_block(&r, "closest passage");
            }
        }
        Err(AnchorError::ContextMismatch { occurrences }) => {
            assert!(
                !occurrences.is_empty(),
                "a context mismatch without occurrences"
            );
            let context = |s: &Option<String>| {
                s.as_deref()
                    .is_some_and(|s| !s.chars().all(char::is_whitespace))
            };
            assert!(
                context(&selector.prefix) || context(&selector.suffix),
                "a context mismatch without a context"
            );
            for r in &occurrences {
                in_one_block(r, "occurrence");
            }
            assert!(occurrences.windows(2).all(|w| w[0].start < w[1].start));
        }
        Err(AnchorError::Ambiguous { candidates }) => {
            assert!(candidates.len() >= 2, "ambiguous with {candidates:?}");
            for r in &candidates {
                in_one_block(r, "candidate");
            }
            assert!(candidates.windows(2).all(|w| w[0].start < w[1].start));
        }
    }
});
