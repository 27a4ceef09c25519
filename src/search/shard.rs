//! Weighing the postings and splitting the index into shards.
//!
//! **Weights.** Each posting carries the whole of elasticlunr's score for a query that is
//! exactly that term, summed over the fields: `Σ boost_f · tf · idf_f · 1/√len_f`, with
//! `idf_f = 1 + ln(N / (df_f + 1))`, times the document kind's boost, stored as an integer
//! (`× SCALE`). The client adds these up per query term, applies elasticlunr's prefix
//! penalty and coordination factor, and needs no document lengths or field statistics.
//!
//! **Shards.** Terms are sorted and cut into contiguous ranges of about
//! [`Limits::shard_target`] bytes: a range of terms is a range of prefixes (`co`…`cop`),
//! so a term, and all the terms a prefix expands to, are found in one shard or a few
//! neighbours. The manifest lists the shortest prefix that starts each shard.
//!
//! **Heads and tails.** A very common term would make its shard as big as its postings.
//! So a term keeps at most [`Limits::head_max`] postings in its shard, those with the
//! highest weights: the top results of a query on it are exact from the head alone. The
//! rest, the tail, is split by document number into pieces loaded only when the client's
//! bound on what the tail could add (`theta`, its highest weight) says it matters: for
//! some multi-word queries, for filters, or for a long list of results.

use std::ops::Range;

use rayon::prelude::*;

use super::docs::Kind;
use super::engine::{self, FieldPostings, Full, TermPostings, FIELD_BOOSTS};

/// Weights are stored as integers: `round(score × SCALE)`, at least 1.
pub const SCALE: f64 = 100.0;

/// Size targets, in bytes of the written files (or postings for the head and pieces).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A shard is closed once it holds this many bytes…
    pub shard_target: usize,
    /// …and never grows past this many, unless one term alone is bigger.
    pub shard_max: usize,
    /// Postings a term keeps in its shard.
    pub head_max: usize,
    /// Postings per tail piece.
    pub piece_max: usize,
    /// Bytes of document texts per excerpt chunk (on average), before packing (which
    /// keeps about 70%).
    pub chunk_target: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // A one-word query loads one shard and up to ten chunks: with the client's
            // 41 KB, about 90 KB in all (docs/search-format.md, "Size budget").
            shard_target: 16_000,
            shard_max: 24_000,
            head_max: 1_000,
            piece_max: 2_000,
            chunk_target: 4_000,
        }
    }
}

/// A term's weighted postings, `(document, weight)` sorted by document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighted {
    /// The term, as the language pipeline left it.
    pub term: String,
    /// `(document, weight)`, sorted by document.
    pub postings: Vec<(u32, u32)>,
}

/// The postings of the full index with their final weights. `kinds[d]` is document d's kind.
pub fn weigh(full: &Full, kinds: &[Kind]) -> Vec<Weighted> {
    full.terms
        .par_iter()
        .map(|t| weigh_term(t, full.docs, &full.lengths, kinds))
        .collect()
}

/// One term's postings with their final weights; `docs` documents in all, `lengths[d]`
/// document d's field lengths. (Separate from [`weigh`] so that a caller can free each
/// term's counts as soon as it is weighed.)
pub fn weigh_term(t: &TermPostings, docs: usize, lengths: &[[u32; 3]], kinds: &[Kind]) -> Weighted {
    weigh_fields(&t.term, &t.fields, docs, lengths, kinds)
}

/// [`weigh_term`] of term `term` whose postings are `fields`.
pub fn weigh_fields(
    term: &str,
    fields: &FieldPostings,
    docs: usize,
    lengths: &[[u32; 3]],
    kinds: &[Kind],
) -> Weighted {
    let n = docs.max(1) as f64;
    let mut scores: Vec<(u32, f64)> = Vec::with_capacity(fields.iter().map(Vec::len).sum());
    for (f, postings) in fields.iter().enumerate() {
        if postings.is_empty() {
            continue;
        }
        let idf = 1.0 + (n / (postings.len() as f64 + 1.0)).ln();
        for &(doc, count) in postings {
            let tf = engine::tf(count);
            let len = lengths.get(doc as usize).map_or(0, |l| l[f]);
            let norm = if len > 0 {
                1.0 / f64::from(len).sqrt()
            } else {
                1.0
            };
            scores.push((doc, FIELD_BOOSTS[f] * tf * idf * norm));
        }
    }
    // Stable: a document's fields are summed in field order, as before.
    scores.sort_by_key(|p| p.0);
    let mut postings: Vec<(u32, u32)> = Vec::with_capacity(scores.len());
    let mut sum: Option<(u32, f64)> = None;
    for (doc, s) in scores {
        match &mut sum {
            Some((d, acc)) if *d == doc => *acc += s,
            _ => {
                if let Some((d, acc)) = sum.take() {
                    postings.push((d, quantize(acc, kinds, d)));
                }
                sum = Some((doc, s));
            }
        }
    }
    if let Some((d, acc)) = sum {
        postings.push((d, quantize(acc, kinds, d)));
    }
    Weighted {
        term: term.to_string(),
        postings,
    }
}

fn quantize(score: f64, kinds: &[Kind], doc: u32) -> u32 {
    let boost = kinds.get(doc as usize).map_or(1.0, |k| k.boost());
    ((score * boost * SCALE).round() as u32).max(1)
}

/// A term as the client gets it: its head in the shard, its tail in pieces elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The term, as the language pipeline left it.
    pub term: String,
    /// Postings in all, head and tail.
    pub total: usize,
    /// The highest weight in the tail (0 without one).
    pub theta: u32,
    /// The best postings, sorted by document.
    pub head: Vec<(u32, u32)>,
    /// The rest, in pieces of consecutive documents.
    pub tail: Vec<Vec<(u32, u32)>>,
    /// Words of the words table indexed as this term (for marking them in excerpts).
    pub words: Vec<String>,
}

/// Splits a term's postings into head and tail pieces.
pub fn entry(w: Weighted, limits: &Limits) -> Entry {
    let total = w.postings.len();
    if total <= limits.head_max {
        return Entry {
            term: w.term,
            total,
            theta: 0,
            head: w.postings,
            tail: Vec::new(),
            words: Vec::new(),
        };
    }
    let mut by_weight = w.postings;
    by_weight.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut tail = by_weight.split_off(limits.head_max);
    let theta = tail.first().map_or(0, |p| p.1);
    let mut head = by_weight;
    head.sort_by_key(|p| p.0);
    tail.sort_by_key(|p| p.0);
    let pieces = tail
        .chunks(limits.piece_max.max(1))
        .map(<[_]>::to_vec)
        .collect();
    Entry {
        term: w.term,
        total,
        theta,
        head,
        tail: pieces,
        words: Vec::new(),
    }
}

/// Cuts terms, in order, into shards: `sizes[i]` is the encoded size of term i's entry.
/// A shard is closed when it reaches the target, or before a term that would take it
/// past the maximum.
pub fn split(sizes: &[usize], limits: &Limits) -> Vec<Range<usize>> {
    let mut shards = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && bytes + size > limits.shard_max {
            shards.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
        if bytes >= limits.shard_target {
            shards.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < sizes.len() {
        shards.push(start..sizes.len());
    }
    shards
}

/// The shortest prefix of `first` that sorts after `previous`: where a shard starts.
pub fn boundary(previous: &str, first: &str) -> String {
    let mut end = 0;
    for (i, c) in first.char_indices() {
        end = i + c.len_utf8();
        if &first[..end] > previous {
            break;
        }
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_keep_the_best_postings_and_tails_the_rest_in_document_order() {
        let w = Weighted {
            term: "t".into(),
            postings: (0..10).map(|d| (d, 100 - d * 7 % 10)).collect(),
        };
        let limits = Limits {
            head_max: 4,
            piece_max: 3,
            ..Limits::default()
        };
        let e = entry(w.clone(), &limits);
        assert_eq!(e.total, 10);
        assert_eq!(e.head.len(), 4);
        assert!(e.head.windows(2).all(|p| p[0].0 < p[1].0));
        let min_head = e.head.iter().map(|p| p.1).min().unwrap();
        let tail: Vec<(u32, u32)> = e.tail.concat();
        assert!(tail.windows(2).all(|p| p[0].0 < p[1].0));
        assert_eq!(e.theta, tail.iter().map(|p| p.1).max().unwrap());
        assert!(e.theta <= min_head);
        assert_eq!(e.tail.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3]);
        let mut all = [e.head.clone(), tail].concat();
        all.sort();
        assert_eq!(all, w.postings);
    }

    #[test]
    fn split_closes_shards_at_the_target_and_never_passes_the_maximum() {
        let limits = Limits {
            shard_target: 10,
            shard_max: 15,
            ..Limits::default()
        };
        let sizes = [4, 4, 4, 9, 9, 20, 1, 1];
        let shards = split(&sizes, &limits);
        assert_eq!(shards, [0..3, 3..4, 4..5, 5..6, 6..8]);
        for r in &shards {
            let bytes: usize = sizes[r.clone()].iter().sum();
            assert!(bytes <= limits.shard_max || r.len() == 1, "{r:?}");
        }
        assert_eq!(split(&[], &limits), Vec::<Range<usize>>::new());
    }

    #[test]
    fn boundaries_are_the_shortest_separating_prefixes() {
        assert_eq!(boundary("coalit", "coast"), "coas");
        assert_eq!(boundary("b", "ca"), "c");
        assert_eq!(boundary("ab", "abc"), "abc");
        assert_eq!(boundary("état", "été"), "été");
    }
}
