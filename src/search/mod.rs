//! Stage "index": client-side search that stays small as the site grows.
//!
//! Zola and mdBook write elasticlunr's index as one file that every visitor downloads
//! before the first result, and it grows with the site. Here the same index (built with
//! `elasticlunr-rs`, so tokenizer, stop words and stemmer are elasticlunr's) is split:
//!
//! 1. [`docs`] takes one search document per paragraph, note, glossary term and
//!    question, from what the build includes (instructor notes and drafts are already
//!    gone from a public build's [`Site`]).
//! 2. [`engine`] indexes them with elasticlunr (in parts, in parallel), each in its
//!    text's language ([`crate::language`]), and reads the postings back; [`words`] records how
//!    the words of languages other than English were indexed, for the client.
//! 3. [`shard`] gives each posting its elasticlunr score and cuts the sorted terms into
//!    shards of about 20 KB, a very common term's weakest postings going to tail pieces.
//! 4. [`files`] writes them as scripts under `search/`, with a small manifest, the words
//!    table and the documents' words in chunks for excerpts.
//!
//! A one-word query then loads the manifest, one shard and the chunks of the results it
//! shows (`themes/default/static/search.js`, our own client, does the rest).

pub mod docs;
pub mod engine;
pub mod files;

pub mod shard;
pub mod words;

use rayon::prelude::*;

use crate::anchor::Anchored;
use crate::language;
use crate::output::OutputFile;
use crate::render::{RenderedText, TermView};
use crate::site::Site;

pub use shard::Limits;

/// The search index of the site, as files under `search/`. `anchored` and `rendered` are
/// parallel to `site.texts`; `terms` is the rendered glossary.
pub fn index(
    site: &Site,
    anchored: &[Anchored],
    rendered: &[RenderedText],
    terms: &[TermView],
) -> Vec<OutputFile> {
    index_with(site, anchored, rendered, terms, &Limits::default())
}

/// [`index`], with other size targets (for tests).
pub fn index_with(
    site: &Site,
    anchored: &[Anchored],
    rendered: &[RenderedText],
    terms: &[TermView],
    limits: &Limits,
) -> Vec<OutputFile> {
    let docs = docs::extract(site, anchored, rendered, terms);
    let codes = codes(site, &docs);
    let words = words::table(&docs, &codes);
    let entries = entries(&docs, &codes, &words, limits);
    files::write(site, &docs, &entries, &words, &codes, limits)
}

/// The pipeline of each document's language: its text's, or the site's.
pub fn codes(site: &Site, docs: &[docs::Doc]) -> Vec<&'static str> {
    docs.iter()
        .map(|d| {
            let tag = d
                .text
                .and_then(|t| site.texts.get(t))
                .map_or(site.config.language.as_str(), |t| site.language_of(t));
            language::code(tag)
        })
        .collect()
}

/// The index's terms, weighed and split into heads and tails, sorted by term, each with the
/// words of `words` indexed as it.
pub fn entries(
    docs: &[docs::Doc],
    codes: &[&str],
    words: &words::Words,
    limits: &Limits,
) -> Vec<shard::Entry> {
    let full = engine::index(docs, codes);
    let kinds: Vec<docs::Kind> = docs.iter().map(|d| d.kind).collect();
    let forms = words::by_term(words);
    shard::weigh(&full, &kinds)
        .into_par_iter()
        .map(|w| {
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

/// The single-file index Zola would write for the same documents (elasticlunr's JSON,
/// with the documents stored for result teasers): for comparing sizes in the benchmark.
pub fn single_file_index(
    site: &Site,
    anchored: &[Anchored],
    rendered: &[RenderedText],
    terms: &[TermView],
) -> String {
    let docs = docs::extract(site, anchored, rendered, terms);
    let code = language::code(&site.config.language);
    engine::elasticlunr_index(&docs, code, true).to_json()
}

#[cfg(test)]
mod tests;
