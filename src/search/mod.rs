//! Stage "index": client-side search that stays small as the site grows.
//!
//! Zola and mdBook write elasticlunr's index as one file that every visitor downloads
//! before the first result, and it grows with the site. Here the same index (with
//! `elasticlunr-rs`'s pipelines, so tokenizer, stop words and stemmers are elasticlunr's)
//! is split:
//!
//! 1. [`corpus`] is what search reads of a build (plain data, instructor notes and
//!    drafts already gone from a public build); [`docs`] makes one search document per
//!    paragraph, note, glossary term and question of it.
//! 2. [`engine`] counts their terms as elasticlunr would (in parts, in parallel), each in
//!    its text's language ([`crate::language`]); [`words`] records how the words of
//!    languages other than English were indexed, for the client.
//! 3. [`shard`] gives each posting its elasticlunr score and cuts the sorted terms into
//!    shards of about 16 KB, a very common term's weakest postings going to tail pieces.
//! 4. [`files`] writes them as scripts under `search/` (records typed in [`format`]),
//!    with a small manifest, the words table and the documents' words in chunks for
//!    excerpts; shards, tails and excerpt chunks packed (deflated, in base85: most of the
//!    index is words, which deflate halves).
//!
//! A one-word query then loads the manifest, one shard and the chunks of the results it
//! shows (`themes/default/static/search.js`, our own client, does the rest).

pub mod corpus;
pub mod docs;
pub mod engine;
pub mod files;
pub mod format;
pub mod live;
pub mod shard;
pub mod words;

use rayon::prelude::*;

use crate::language;

pub use corpus::Corpus;
pub use shard::Limits;

/// One file of the index: its path under the site's root, and its bytes. (The search
/// stage knows nothing of the outputs that write it.)
#[derive(Debug, Clone)]
pub struct File {
    /// Relative to the site's root, `/`-separated.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

/// The search index of `corpus`, as files under `search/`: [`index_to`]'s, gathered.
pub fn index(corpus: Corpus) -> Vec<File> {
    let mut files = Vec::new();
    index_to(corpus, &mut |f| files.extend(f));
    files
}

/// The files of [`index_with`] with the default limits, handed to `out` as they are made,
/// made so that the build never holds every word of the site twice, nor the index's words
/// beside its postings: the corpus's words are freed once copied into the documents, the
/// excerpt chunks are written before the terms are counted, and the documents' words
/// freed once they are.
pub fn index_to(corpus: Corpus, out: &mut dyn FnMut(Vec<File>)) {
    let limits = Limits::default();
    let (corpus, mut docs) = docs::take(corpus);
    let codes = codes(&corpus, &docs);
    let words = words::table(&docs, &codes);
    let chunk = files::chunk_size(&docs, &limits);
    files::excerpts(&corpus, &docs, chunk, out);
    let full = engine::index_forgetting(&mut docs, &codes);
    let entries = weighed(full, &docs, &words, &limits);
    let made = files::Made {
        entries,
        chunk,
        keep: false,
    };
    files::write_terms(&corpus, &docs, made, &words, &codes, &limits, out);
}

/// [`index`], with other size targets (for tests).
pub fn index_with(corpus: &Corpus, limits: &Limits) -> Vec<File> {
    let docs = docs::extract(corpus);
    let codes = codes(corpus, &docs);
    let words = words::table(&docs, &codes);
    let entries = entries(&docs, &codes, &words, limits);
    files::write(corpus, &docs, entries, &words, &codes, limits)
}

/// The pipeline of each document's language: its text's, or the site's.
pub fn codes(corpus: &Corpus, docs: &[docs::Doc]) -> Vec<&'static str> {
    docs.iter().map(|d| corpus.code(d.text)).collect()
}

/// The index's terms, weighed and split into heads and tails, sorted by term, each with the
/// words of `words` indexed as it.
pub fn entries(
    docs: &[docs::Doc],
    codes: &[&str],
    words: &words::Words,
    limits: &Limits,
) -> Vec<shard::Entry> {
    weighed(engine::index(docs, codes), docs, words, limits)
}

/// The entries of `full`, the index of `docs`.
fn weighed(
    full: engine::Full,
    docs: &[docs::Doc],
    words: &words::Words,
    limits: &Limits,
) -> Vec<shard::Entry> {
    let kinds: Vec<docs::Kind> = docs.iter().map(|d| d.kind).collect();
    let forms = words::by_term(words);
    let engine::Full {
        docs: count,
        terms,
        lengths,
    } = full;
    // Each term's counts are dropped once weighed: the full index and the entries are
    // never both whole in memory.
    terms
        .into_par_iter()
        .map(|t| {
            let w = shard::weigh_term(&t, count, &lengths, &kinds);
            drop(t);
            let of_term = forms.get(w.term.as_str()).map(Vec::as_slice);
            let mut e = shard::entry(w, limits);
            e.words = of_term
                .unwrap_or_default()
                .iter()
                .map(|s| s.to_string())
                .collect();
            e
        })
        .collect()
}

/// The search documents of a build (for the benchmark, which picks its query words
/// from them).
pub fn documents(corpus: &Corpus) -> Vec<docs::Doc> {
    docs::extract(corpus)
}

/// The single-file index Zola would write for the same documents (elasticlunr's JSON,
/// with the documents stored for result teasers): for comparing sizes in the benchmark.
pub fn single_file_index(corpus: &Corpus) -> String {
    let docs = documents(corpus);
    let code = language::code(&corpus.language);
    engine::elasticlunr_index(&docs, code, true).to_json()
}

#[cfg(test)]
mod tests;
