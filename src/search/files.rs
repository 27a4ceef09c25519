//! The index as files under `search/`, each a script that hands one record to the client
//! (`scholiaSearch.shard(3, {…})`), so it loads with a `<script>` element from `file://`
//! as from a server, where `fetch` would be refused. The records are the types of
//! [`super::format`]; `docs/search-format.md` describes them.
//!
//! ```text
//! search/manifest.js     Manifest: languages, document count and kind ranges, shard boundaries
//! search/shards/N.js     Shard, packed: terms and their heads' postings, tails, words
//! search/tails/N.js      TailPiece, packed: one piece of one term's tail
//! search/words/N.js      WordsShard: rows of the words table (other languages)
//! search/docs/N.js       ExcerptChunk, packed: `chunk` consecutive documents' place and words
//! search/texts.js        [TextEntry]: text titles and document ranges, for the text filter
//! ```

use rayon::prelude::*;
use serde::Serialize;

use super::corpus::Corpus;
use super::docs::{kind_ranges, Doc, Kind};
use super::engine::{FIELDS, FIELD_BOOSTS, MAX_TOKEN_CHARS};
use super::format::{
    packed, postings, ExcerptChunk, Manifest, ParagraphRun, Piece, Place, Shard, Tail, TailPiece,
    TextEntry, TextRef, WordsShard, FORMAT,
};
use super::shard::{self, Entry, Limits, SCALE};
use super::words::Words;
use super::File;
use crate::language;

/// Stored document words are cut to this many characters (excerpts need only some).
const MAX_STORED_CHARS: usize = 2_000;

/// All files of the index. `entries` are sorted by term; `codes[d]` is the pipeline of
/// document d's language.
pub fn write(
    corpus: &Corpus,
    docs: &[Doc],
    entries: Vec<Entry>,
    words: &Words,
    codes: &[&str],
    limits: &Limits,
) -> Vec<File> {
    let mut files = Vec::new();
    let boundaries = term_shards(entries, limits, &mut files);
    let word_boundaries = word_shards(words, limits, &mut files);
    let chunk = excerpts(corpus, docs, limits, &mut files);
    files.push(script(
        "search/texts.js",
        "texts",
        None,
        &texts(corpus, docs),
    ));

    let mut languages: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    languages.sort_unstable();
    languages.dedup();
    let kinds = kind_ranges(docs);
    let manifest = Manifest {
        format: FORMAT,
        language: corpus.language.clone(),
        languages,
        client: language::CLIENT.to_string(),
        words: word_boundaries,
        max_token: MAX_TOKEN_CHARS,
        scale: SCALE,
        docs: docs.len() as u32,
        kinds: Kind::ALL
            .iter()
            .map(|&k| {
                let (s, e) = kinds[k as usize];
                (k.name().to_string(), [s as u32, e as u32])
            })
            .collect(),
        shards: boundaries,
        chunk: chunk as u32,
        texts: corpus.texts.len() as u32,
        glossary: corpus.glossary_path.clone(),
        field_boosts: FIELDS
            .iter()
            .zip(FIELD_BOOSTS)
            .map(|(f, b)| (f.to_string(), b))
            .collect(),
        kind_boosts: Kind::ALL
            .iter()
            .map(|k| (k.name().to_string(), k.boost()))
            .collect(),
    };
    files.push(script("search/manifest.js", "manifest", None, &manifest));
    files
}

/// The term shards and tail pieces; returns the shards' boundaries. Each shard is made,
/// packed and its tail pieces with it, in parallel, from the entries it takes over
/// (deflate is most of the work; no record is held whole beside its packed file).
fn term_shards(entries: Vec<Entry>, limits: &Limits, files: &mut Vec<File>) -> Vec<String> {
    let heads: Vec<String> = entries.iter().map(|e| postings::encode(&e.head)).collect();
    // What each entry adds to its shard: the term, its postings, a few bytes of syntax.
    let sizes: Vec<usize> = entries
        .iter()
        .zip(&heads)
        .map(|(e, h)| {
            let extra = if e.tail.is_empty() {
                0
            } else {
                40 + 30 * e.tail.len()
            };
            e.term.len() + h.len() + 6 + extra + e.words.iter().map(|w| w.len() + 3).sum::<usize>()
        })
        .collect();
    let ranges = shard::split(&sizes, limits);
    let mut boundaries = Vec::with_capacity(ranges.len());
    // Per shard: its entries and heads, and the number of its first tail piece (pieces are
    // numbered in term order across shards).
    let mut groups = Vec::with_capacity(ranges.len());
    let mut entries = entries.into_iter();
    let mut heads = heads.into_iter();
    let mut previous: Option<String> = None;
    let mut next_tail = 0u32;
    for (i, range) in ranges.into_iter().enumerate() {
        let group: Vec<(Entry, String)> = entries
            .by_ref()
            .zip(heads.by_ref())
            .take(range.len())
            .collect();
        let first = group.first().map_or("", |(e, _)| e.term.as_str());
        boundaries.push(match (&previous, i) {
            (Some(p), i) if i > 0 => shard::boundary(p, first),
            _ => String::new(),
        });
        previous = group.last().map(|(e, _)| e.term.clone());
        let tails = group
            .iter()
            .flat_map(|(e, _)| &e.tail)
            .filter(|p| !p.is_empty())
            .count();
        groups.push((i as u32, next_tail, group));
        next_tail += tails as u32;
    }
    let made: Vec<(File, Vec<File>)> = groups
        .into_par_iter()
        .map(|(i, first_tail, group)| term_shard(i, first_tail, group))
        .collect();
    let (shards, tails): (Vec<File>, Vec<Vec<File>>) = made.into_iter().unzip();
    files.extend(tails.into_iter().flatten());
    files.extend(shards);
    boundaries
}

/// Shard `i`'s file and its tail pieces' files, numbered from `next_tail` on.
fn term_shard(i: u32, mut next_tail: u32, group: Vec<(Entry, String)>) -> (File, Vec<File>) {
    let mut shard = Shard::default();
    let mut tails = Vec::new();
    for (k, (e, head)) in group.into_iter().enumerate() {
        shard.terms.push(e.term);
        shard.postings.push(head);
        if !e.words.is_empty() {
            shard.words.insert(k, e.words);
        }
        if e.tail.is_empty() {
            continue;
        }
        let mut pieces = Vec::with_capacity(e.tail.len());
        for piece in &e.tail {
            let (Some(first), Some(last)) = (piece.first(), piece.last()) else {
                continue;
            };
            let id = next_tail;
            next_tail += 1;
            let record = TailPiece {
                postings: postings::encode(piece),
            };
            tails.push(script(
                &format!("search/tails/{id}.js"),
                "tail",
                Some(id),
                &packed::pack(&record),
            ));
            pieces.push(Piece {
                first: first.0,
                last: last.0,
                id,
            });
        }
        shard.tails.insert(
            k,
            Tail {
                total: e.total as u32,
                theta: e.theta,
                pieces,
            },
        );
    }
    let file = script(
        &format!("search/shards/{i}.js"),
        "shard",
        Some(i),
        &packed::pack(&shard),
    );
    (file, tails)
}

/// The words table's shards; returns their boundaries.
fn word_shards(words: &Words, limits: &Limits, files: &mut Vec<File>) -> Vec<String> {
    let rows: Vec<(&String, &Vec<String>)> = words.iter().collect();
    let sizes: Vec<usize> = rows
        .iter()
        .map(|(w, t)| w.len() + 6 + t.iter().map(|t| t.len() + 3).sum::<usize>())
        .collect();
    let mut boundaries = Vec::new();
    for (i, range) in shard::split(&sizes, limits).into_iter().enumerate() {
        boundaries.push(if i == 0 {
            String::new()
        } else {
            shard::boundary(rows[range.start - 1].0, rows[range.start].0)
        });
        let record = WordsShard {
            words: rows[range.clone()].iter().map(|r| r.0.clone()).collect(),
            terms: rows[range].iter().map(|r| r.1.clone()).collect(),
        };
        files.push(script(
            &format!("search/words/{i}.js"),
            "words",
            Some(i as u32),
            &record,
        ));
    }
    boundaries
}

/// The excerpt chunks: a fixed number of documents each, so the manifest needs one
/// number. Returns that number. Chunks are built and deflated in parallel (deflate is most
/// of the work), each holding only its own documents' words.
fn excerpts(corpus: &Corpus, docs: &[Doc], limits: &Limits, files: &mut Vec<File>) -> usize {
    let bytes: usize = docs
        .iter()
        .map(|d| stored_len(&d.body) + d.anchor.len() + d.label.len() + 24)
        .sum();
    let per_chunk = (limits.chunk_target * docs.len().max(1) / bytes.max(1)).clamp(1, 1_000);
    let chunks: Vec<File> = docs
        .par_chunks(per_chunk)
        .enumerate()
        .map(|(k, chunk)| {
            let record = excerpt_chunk(corpus, (k * per_chunk) as u32, chunk);
            script(
                &format!("search/docs/{k}.js"),
                "docs",
                Some(k as u32),
                &packed::pack(&record),
            )
        })
        .collect();
    files.extend(chunks);
    per_chunk
}

/// The record of the excerpt chunk whose documents, from number `first` on, are `chunk`.
pub fn excerpt_chunk(corpus: &Corpus, first: u32, chunk: &[Doc]) -> ExcerptChunk {
    let mut record = ExcerptChunk {
        first,
        ..ExcerptChunk::default()
    };
    for d in chunk {
        if let Some(t) = d.text.and_then(|t| corpus.texts.get(t).map(|x| (t, x))) {
            record.texts.entry(t.0 as u32).or_insert_with(|| TextRef {
                title: t.1.title.clone(),
                path: t.1.path.clone(),
            });
        }
        // The client reads a chunk's runs before its places: once a document is a
        // place (a verse line, a note), later paragraphs are places too.
        let paragraph = match (d.kind, d.text) {
            (Kind::Para, Some(t)) if record.places.is_empty() => d
                .anchor
                .strip_prefix('p')
                .and_then(|n| n.parse().ok())
                .map(|n: u32| (t as u32, n)),
            _ => None,
        };
        match (paragraph, record.paragraphs.last_mut()) {
            (Some((t, n)), Some(run)) if run.text == t && run.first + run.count == n => {
                run.count += 1;
            }
            (Some((text, first)), _) => record.paragraphs.push(ParagraphRun {
                text,
                first,
                count: 1,
            }),
            (None, _) => record.places.push(Place {
                text: d.text.map(|t| t as u32),
                anchor: d.anchor.clone(),
                label: d.label.clone(),
            }),
        }
        record.words.push(stored_words(&d.body));
    }
    record
}

/// Every text with its documents' ranges, for the text filter.
fn texts(corpus: &Corpus, docs: &[Doc]) -> Vec<TextEntry> {
    let kinds = kind_ranges(docs);
    let range = |kind: Kind, i: usize| {
        let (s, e) = kinds[kind as usize];
        let of_kind = &docs[s..e];
        let a = of_kind.partition_point(|d| d.text < Some(i));
        let b = of_kind.partition_point(|d| d.text <= Some(i));
        [(s + a) as u32, (s + b) as u32]
    };
    corpus
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| TextEntry {
            title: t.title.clone(),
            path: t.path.clone(),
            paras: range(Kind::Para, i),
            notes: range(Kind::Note, i),
            questions: range(Kind::Question, i),
        })
        .collect()
}

/// The length in bytes of [`stored_words`]`(body)`, without making it.
fn stored_len(body: &str) -> usize {
    match body.char_indices().nth(MAX_STORED_CHARS) {
        Some((cut, _)) => cut + '…'.len_utf8(),
        None => body.len(),
    }
}

/// A document's words as stored, cut to [`MAX_STORED_CHARS`].
fn stored_words(body: &str) -> String {
    match body.char_indices().nth(MAX_STORED_CHARS) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_string(),
    }
}

/// `scholiaSearch.<call>(<id>,<record>);`: serde_json escapes the record's strings, and
/// `</` is written `<\/` so no record can end a script element it is inlined in.
fn script<T: Serialize>(path: &str, call: &str, id: Option<u32>, record: &T) -> File {
    let json = serde_json::to_string(record)
        .unwrap_or_else(|e| panic!("a search record did not serialize: {e}"))
        .replace("</", "<\\/");
    let text = match id {
        Some(id) => format!("scholiaSearch.{call}({id},{json});\n"),
        None => format!("scholiaSearch.{call}({json});\n"),
    };
    File {
        path: path.to_string(),
        bytes: text.into_bytes(),
    }
}
