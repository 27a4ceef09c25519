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
    write_kept(corpus, docs, entries, words, codes, limits, false).0
}

/// [`write`], and with `keep` where it put each term (empty without), for `serve` to
/// update the files in place ([`super::live`]).
pub fn write_kept(
    corpus: &Corpus,
    docs: &[Doc],
    entries: Vec<Entry>,
    words: &Words,
    codes: &[&str],
    limits: &Limits,
    keep: bool,
) -> (Vec<File>, Layout) {
    let mut files = Vec::new();
    let chunk = chunk_size(docs, limits);
    excerpts(corpus, docs, chunk, &mut |f| files.extend(f));
    let made = Made {
        entries,
        chunk,
        keep,
    };
    let layout = write_terms(corpus, docs, made, words, codes, limits, &mut |f| {
        files.extend(f)
    });
    (files, layout)
}

/// What [`write_terms`] writes besides the documents.
pub struct Made {
    /// The terms' entries, sorted by term.
    pub entries: Vec<Entry>,
    /// How many documents each excerpt chunk holds (the manifest says it).
    pub chunk: usize,
    /// Whether to keep where each term went ([`Layout::shards`]), for `serve`.
    pub keep: bool,
}

/// Every file of the index but the excerpt chunks ([`excerpts`]), handed to `out` as made:
/// term shards and tail pieces, the words table, the texts and the manifest. Reads no
/// document's words (only their kinds and texts), so a build can free them first.
pub fn write_terms(
    corpus: &Corpus,
    docs: &[Doc],
    made: Made,
    words: &Words,
    codes: &[&str],
    limits: &Limits,
    out: &mut dyn FnMut(Vec<File>),
) -> Layout {
    let mut files = Vec::new();
    let (boundaries, shards) = term_shards(made.entries, limits, made.keep, &mut files);
    out(files);
    let mut files = Vec::new();
    let word_boundaries = word_shards(words, limits, &mut files);
    files.push(texts_file(corpus, docs));
    let layout = Layout {
        boundaries,
        shards,
        words: word_boundaries,
        chunk: made.chunk,
    };
    files.push(manifest_file(corpus, docs, codes, &layout));
    out(files);
    layout
}

/// Where a full build put the index's records: what `serve` keeps to update them.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The term shards' boundaries, and each shard's entries (sorted by term).
    pub boundaries: Vec<String>,
    /// Per shard, its terms' entries.
    pub shards: Vec<Vec<Placed>>,
    /// The words table shards' boundaries.
    pub words: Vec<String>,
    /// Documents per excerpt chunk.
    pub chunk: usize,
}

/// A term's entry and the numbers of its tail pieces' files, one per piece.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The term's head, as its shard holds it.
    pub entry: Entry,
    /// The ids of its tail's pieces (`search/tails/<id>.js`), in order.
    pub tails: Vec<u32>,
}

/// `search/manifest.js` for `layout`.
pub fn manifest_file(corpus: &Corpus, docs: &[Doc], codes: &[&str], layout: &Layout) -> File {
    let mut languages: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    languages.sort_unstable();
    languages.dedup();
    let kinds = kind_ranges(docs);
    let manifest = Manifest {
        format: FORMAT,
        language: corpus.language.clone(),
        languages,
        client: language::CLIENT.to_string(),
        words: layout.words.clone(),
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
        shards: layout.boundaries.clone(),
        chunk: layout.chunk as u32,
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
    script("search/manifest.js", "manifest", None, &manifest)
}

/// `search/texts.js`.
pub fn texts_file(corpus: &Corpus, docs: &[Doc]) -> File {
    script("search/texts.js", "texts", None, &texts(corpus, docs))
}

/// The term shards and tail pieces; returns the shards' boundaries, and with `keep` their
/// entries. Each shard is made, packed and its tail pieces with it, in parallel, from the
/// entries it takes over (deflate is most of the work; no record is held whole beside its
/// packed file).
fn term_shards(
    entries: Vec<Entry>,
    limits: &Limits,
    keep: bool,
    files: &mut Vec<File>,
) -> (Vec<String>, Vec<Vec<Placed>>) {
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
    // Per shard: its entries, with their tail pieces numbered in term order across
    // shards, and heads.
    let mut groups = Vec::with_capacity(ranges.len());
    let mut entries = entries.into_iter();
    let mut heads = heads.into_iter();
    let mut previous: Option<String> = None;
    let mut next_tail = 0u32;
    for (i, range) in ranges.into_iter().enumerate() {
        let group: Vec<Placed> = entries
            .by_ref()
            .take(range.len())
            .map(|entry| {
                let pieces = entry.tail.iter().filter(|p| !p.is_empty()).count() as u32;
                let tails = (next_tail..next_tail + pieces).collect();
                next_tail += pieces;
                Placed { entry, tails }
            })
            .collect();
        let group_heads: Vec<String> = heads.by_ref().take(group.len()).collect();
        let first = group.first().map_or("", |p| p.entry.term.as_str());
        boundaries.push(match (&previous, i) {
            (Some(p), i) if i > 0 => shard::boundary(p, first),
            _ => String::new(),
        });
        previous = group.last().map(|p| p.entry.term.clone());
        groups.push((i as u32, group, group_heads));
    }
    let made: Vec<(File, Vec<File>, Vec<Placed>)> = groups
        .into_par_iter()
        .map(|(i, group, heads)| {
            let (file, tails) = term_shard(i, &group, Some(heads), &|_| true);
            (file, tails, if keep { group } else { Vec::new() })
        })
        .collect();
    let mut kept = Vec::with_capacity(made.len());
    let mut shards = Vec::with_capacity(made.len());
    for (file, tails, group) in made {
        files.extend(tails);
        shards.push(file);
        kept.push(group);
    }
    files.extend(shards);
    (boundaries, if keep { kept } else { Vec::new() })
}

/// Shard `i`'s file, and the files of the tail pieces of the entries `tails_of` names.
/// `heads`: the entries' heads already encoded, if they are.
pub fn term_shard(
    i: u32,
    group: &[Placed],
    heads: Option<Vec<String>>,
    tails_of: &dyn Fn(&Placed) -> bool,
) -> (File, Vec<File>) {
    let mut shard = Shard::default();
    let mut tails = Vec::new();
    let mut heads = heads.map(Vec::into_iter);
    for (k, placed) in group.iter().enumerate() {
        let e = &placed.entry;
        shard.terms.push(e.term.clone());
        let head = heads.as_mut().and_then(Iterator::next);
        shard
            .postings
            .push(head.unwrap_or_else(|| postings::encode(&e.head)));
        if !e.words.is_empty() {
            shard.words.insert(k, e.words.clone());
        }
        if e.tail.is_empty() {
            continue;
        }
        let write = tails_of(placed);
        let mut pieces = Vec::with_capacity(e.tail.len());
        let mut ids = placed.tails.iter();
        for piece in &e.tail {
            let (Some(first), Some(last), Some(&id)) = (piece.first(), piece.last(), ids.next())
            else {
                continue;
            };
            if write {
                let record = TailPiece {
                    postings: postings::encode(piece),
                };
                tails.push(script(
                    &format!("search/tails/{id}.js"),
                    "tail",
                    Some(id),
                    &packed::pack(&record),
                ));
            }
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

/// Documents per excerpt chunk: a fixed number, so the manifest needs one number.
pub fn chunk_size(docs: &[Doc], limits: &Limits) -> usize {
    let bytes: usize = docs
        .iter()
        .map(|d| stored_len(&d.body) + d.anchor.len() + d.label.len() + 24)
        .sum();
    (limits.chunk_target * docs.len().max(1) / bytes.max(1)).clamp(1, 1_000)
}

/// Excerpt chunks made at once: enough to keep the cores busy, few enough that their
/// files are a few megabytes before they are handed over.
const CHUNKS_PER_BATCH: usize = 512;

/// The excerpt chunks, `per_chunk` documents each, handed to `out` a batch at a time.
/// Chunks are built and deflated in parallel (deflate is most of the work), each holding
/// only its own documents' words.
pub fn excerpts(corpus: &Corpus, docs: &[Doc], per_chunk: usize, out: &mut dyn FnMut(Vec<File>)) {
    let per_chunk = per_chunk.max(1);
    for (b, batch) in docs.chunks(per_chunk * CHUNKS_PER_BATCH).enumerate() {
        out(batch
            .par_chunks(per_chunk)
            .enumerate()
            .map(|(k, chunk)| excerpt_file(corpus, b * CHUNKS_PER_BATCH + k, per_chunk, chunk))
            .collect());
    }
}

/// Excerpt chunk `k`'s file, whose documents (`per_chunk` a chunk) are `chunk`.
pub fn excerpt_file(corpus: &Corpus, k: usize, per_chunk: usize, chunk: &[Doc]) -> File {
    let record = excerpt_chunk(corpus, (k * per_chunk) as u32, chunk);
    script(
        &format!("search/docs/{k}.js"),
        "docs",
        Some(k as u32),
        &packed::pack(&record),
    )
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
