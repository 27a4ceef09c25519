//! The index as files under `search/`, each a script that hands its data to the client
//! (`scholiaSearch.shard(3, …)`), so it loads with a `<script>` element from `file://`
//! as from a server, where `fetch` would be refused.
//!
//! ```text
//! search/manifest.js     languages, document count and kind ranges, shard boundaries
//! search/shards/N.js     [term, total, theta, tail pieces, head postings, words?] per term
//! search/tails/N.js      one piece of one term's tail
//! search/words/N.js      [word, [terms]] per row of the words table (other languages)
//! search/docs/N.js       excerpt chunk: `chunk` consecutive documents' place and words
//! search/texts.js        text titles and document ranges, for the "which text" filter
//! ```
//!
//! Postings are flat arrays `[doc, weight, doc, weight, …]` with each document number
//! written as the difference from the one before.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::docs::{kind_ranges, Doc, Kind};
use super::engine::{FIELDS, FIELD_BOOSTS, MAX_TOKEN_CHARS};
use super::shard::{self, Entry, Limits, SCALE};
use super::words::Words;
use crate::language;
use crate::link::Page;
use crate::output::{Origin, OutputFile};
use crate::site::Site;

/// Stored document words are cut to this many characters (excerpts need only some).
const MAX_STORED_CHARS: usize = 2_000;

/// Version of the file formats, checked by the client.
pub const FORMAT: u32 = 2;

/// All files of the index. `entries` are sorted by term; `codes[d]` is the pipeline of
/// document d's language.
pub fn write(
    site: &Site,
    docs: &[Doc],
    entries: &[Entry],
    words: &Words,
    codes: &[&str],
    limits: &Limits,
) -> Vec<OutputFile> {
    let mut files = Vec::new();

    // Tail pieces first: entries name them.
    let mut tail_ids: Vec<Vec<(u32, u32, usize)>> = Vec::with_capacity(entries.len());
    let mut next_tail = 0;
    for e in entries {
        let mut ids = Vec::new();
        for piece in &e.tail {
            let (Some(first), Some(last)) = (piece.first(), piece.last()) else {
                continue;
            };
            files.push(script(
                &format!("search/tails/{next_tail}.js"),
                &format!("scholiaSearch.tail({next_tail},{});\n", postings(piece)),
            ));
            ids.push((first.0, last.0, next_tail));
            next_tail += 1;
        }
        tail_ids.push(ids);
    }

    let encoded: Vec<String> = entries
        .iter()
        .zip(&tail_ids)
        .map(|(e, ids)| encode_entry(e, ids))
        .collect();
    let terms: Vec<&str> = entries.iter().map(|e| e.term.as_str()).collect();
    let boundaries = shards(&terms, &encoded, "shards", "shard", limits, &mut files);

    let rows: Vec<String> = words
        .iter()
        .map(|(word, terms)| json!([word, terms]).to_string())
        .collect();
    let keys: Vec<&str> = words.keys().map(String::as_str).collect();
    let word_boundaries = shards(&keys, &rows, "words", "words", limits, &mut files);
    let mut languages: Vec<&str> = codes.to_vec();
    languages.sort_unstable();
    languages.dedup();

    // Excerpt chunks: a fixed number of documents each, so the manifest needs one number.
    let stored: Vec<Value> = docs.iter().map(stored_doc).collect();
    let bytes: usize = stored.iter().map(|v| v.to_string().len() + 1).sum();
    let per_chunk = (limits.chunk_target * docs.len().max(1) / bytes.max(1)).clamp(1, 1_000);
    for (k, chunk) in stored.chunks(per_chunk).enumerate() {
        let start = k * per_chunk;
        let mut texts = serde_json::Map::new();
        for doc in &docs[start..start + chunk.len()] {
            if let Some(t) = doc.text {
                texts
                    .entry(t.to_string())
                    .or_insert_with(|| json!([site.texts[t].meta.title, doc.path(site)]));
            }
        }
        let data = json!({ "texts": texts, "docs": chunk });
        files.push(script(
            &format!("search/docs/{k}.js"),
            &format!("scholiaSearch.docs({k},{data});\n"),
        ));
    }

    let kinds = kind_ranges(docs);
    let texts: Vec<Value> = site
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let ranges: Vec<[usize; 2]> = [Kind::Para, Kind::Note, Kind::Question]
                .iter()
                .map(|&kind| {
                    let (s, e) = kinds[kind as usize];
                    let of_kind = &docs[s..e];
                    let a = of_kind.partition_point(|d| d.text < Some(i));
                    let b = of_kind.partition_point(|d| d.text <= Some(i));
                    [s + a, s + b]
                })
                .collect();
            json!([t.meta.title, Page::Text(t.slug.clone()).path(), ranges])
        })
        .collect();
    files.push(script(
        "search/texts.js",
        &format!("scholiaSearch.texts({});\n", Value::from(texts)),
    ));

    let manifest = json!({
        "format": FORMAT,
        "language": site.config.language,
        // Pipelines of the documents' languages: the client runs "en" itself, and looks
        // the words of the others up in the words table.
        "languages": languages,
        "client": language::CLIENT,
        "words": word_boundaries,
        "maxToken": MAX_TOKEN_CHARS,
        "scale": SCALE,
        "docs": docs.len(),
        "kinds": Kind::ALL.iter().map(|k| (k.name().to_string(), json!([kinds[*k as usize].0, kinds[*k as usize].1]))).collect::<serde_json::Map<_, _>>(),
        "shards": boundaries,
        "chunk": per_chunk,
        "texts": site.texts.len(),
        "glossary": Page::Glossary.path(),
        "fieldBoosts": FIELDS.iter().zip(FIELD_BOOSTS).map(|(f, b)| (f.to_string(), json!(b))).collect::<serde_json::Map<_, _>>(),
        "kindBoosts": Kind::ALL.iter().map(|k| (k.name().to_string(), json!(k.boost()))).collect::<serde_json::Map<_, _>>(),
    });
    files.push(script(
        "search/manifest.js",
        &format!("scholiaSearch.manifest({manifest});\n"),
    ));
    files
}

/// Cuts `encoded` (one item per key, sorted by key) into shard files
/// `search/<dir>/N.js` that call `scholiaSearch.<call>(N, [...])`; returns the prefix that
/// starts each shard, for the manifest.
fn shards(
    keys: &[&str],
    encoded: &[String],
    dir: &str,
    call: &str,
    limits: &Limits,
    files: &mut Vec<OutputFile>,
) -> Vec<String> {
    let sizes: Vec<usize> = encoded.iter().map(|s| s.len() + 1).collect();
    let ranges = shard::split(&sizes, limits);
    let mut boundaries = Vec::with_capacity(ranges.len());
    for (i, r) in ranges.into_iter().enumerate() {
        boundaries.push(if i == 0 {
            String::new()
        } else {
            shard::boundary(keys[r.start - 1], keys[r.start])
        });
        let body = encoded[r].join(",");
        files.push(script(
            &format!("search/{dir}/{i}.js"),
            &format!("scholiaSearch.{call}({i},[{body}]);\n"),
        ));
    }
    boundaries
}

fn script(path: &str, text: &str) -> OutputFile {
    OutputFile {
        path: path.to_string(),
        bytes: text.as_bytes().to_vec(),
        origin: Origin::generated("the search index"),
    }
}

/// `[term, total, theta, [[first doc, last doc, tail id], …], [postings], [words]?]`.
pub fn encode_entry(e: &Entry, tails: &[(u32, u32, usize)]) -> String {
    let mut s = String::with_capacity(16 + e.head.len() * 8);
    s.push('[');
    s.push_str(&Value::from(e.term.as_str()).to_string());
    let _ = write!(s, ",{},{},[", e.total, e.theta);
    for (i, (first, last, id)) in tails.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "[{first},{last},{id}]");
    }
    s.push_str("],");
    s.push_str(&postings(&e.head));
    if !e.words.is_empty() {
        s.push(',');
        s.push_str(&Value::from(e.words.as_slice()).to_string());
    }
    s.push(']');
    s
}

/// `[doc, weight, doc, weight, …]`, each document as the difference from the last.
fn postings(list: &[(u32, u32)]) -> String {
    let mut s = String::with_capacity(list.len() * 8 + 2);
    s.push('[');
    let mut last = 0;
    for (i, &(doc, weight)) in list.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{},{weight}", doc - last);
        last = doc;
    }
    s.push(']');
    s
}

/// `[text or -1, anchor, label, words]`.
fn stored_doc(d: &Doc) -> Value {
    let body = match d.body.char_indices().nth(MAX_STORED_CHARS) {
        Some((cut, _)) => format!("{}…", &d.body[..cut]),
        None => d.body.clone(),
    };
    let text = d.text.map_or(-1, |t| t as i64);
    json!([text, d.anchor, d.label, body])
}
