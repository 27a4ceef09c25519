//! Stage "index": client-side search that stays small as the site grows.
//!
//! Zola and mdBook write elasticlunr's index as one file that every visitor downloads
//! before the first result, and it grows with the site. Here the same index (built with
//! `elasticlunr-rs`, so tokenizer, stop words and stemmer are elasticlunr's) is split:
//!
//! 1. [`docs`] takes one search document per paragraph, note, glossary term and
//!    question, from what the build includes (instructor notes and drafts are already
//!    gone from a public build's [`Site`]).
//! 2. [`engine`] indexes them with elasticlunr (in parts, in parallel) and reads the
//!    postings back.
//! 3. [`shard`] gives each posting its elasticlunr score and cuts the sorted terms into
//!    shards of about 20 KB, a very common term's weakest postings going to tail pieces.
//! 4. [`files`] writes them as scripts under `search/`, with a small manifest and the
//!    documents' words in chunks for excerpts.
//!
//! A one-word query then loads the manifest, one shard and the chunks of the results it
//! shows (`themes/default/static/search.js`, our own client, does the rest).

pub mod docs;
pub mod engine;
pub mod files;
pub mod shard;

use rayon::prelude::*;

use crate::anchor::Anchored;
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
    let (_, language) = engine::language(&site.config.language);
    let entries = entries(&docs, language, limits);
    files::write(site, &docs, &entries, language, limits)
}

/// The index's terms, weighed and split into heads and tails, sorted by term.
pub fn entries(docs: &[docs::Doc], language: &str, limits: &Limits) -> Vec<shard::Entry> {
    let full = engine::index(docs, language);
    let kinds: Vec<docs::Kind> = docs.iter().map(|d| d.kind).collect();
    shard::weigh(&full, &kinds)
        .into_par_iter()
        .map(|w| shard::entry(w, limits))
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
    let (_, language) = engine::language(&site.config.language);
    engine::elasticlunr_index(&docs, language, true).to_json()
}

#[cfg(test)]
mod tests;
