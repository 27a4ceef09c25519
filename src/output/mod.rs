//! Stage 5: the outputs, and the one place that writes to disk.
//!
//! Each output is a [`Renderer`] over the resolved [`Document`] (mdBook's pattern): the
//! HTML site ([`html`]) and the search index ([`search`]) today; handouts, EPUB, feeds or
//! W3C annotations later, each a new renderer in [`renderers`] and nothing else. A
//! renderer hands its files over as data, a batch at a time as it makes them
//! ([`Renderer::render_to`]: a page's or handout's text is rendered with it and dropped
//! with it); [`Claims`] makes sure no two share a path, and [`Staging`] puts them on disk
//! atomically: into a sibling temporary folder first (each batch as soon as it is
//! claimed, then dropped, so neither the site nor one whole output is ever in memory),
//! swapped in only when everything was written, so a failed build leaves the previous
//! output exactly as it was.

mod annotations;
mod claims;
pub(crate) mod edition;
pub(crate) mod feed;
mod html;
mod schema;
pub(crate) mod search;
mod write;

pub(crate) use annotations::quote_selector as quote_context;
// PDF and EPUB handouts (the `documents` feature: the fuzz workspace builds without them).
#[cfg(feature = "documents")]
pub(crate) mod documents;
#[cfg(feature = "documents")]
pub(crate) mod epub;
#[cfg(feature = "documents")]
pub(crate) mod pdf;

pub(crate) use claims::{Claims, Origin};

pub(crate) use html::{other_files, render_pages, PageKey, PageSet};
pub(crate) use html::{render_pages_with, Templates};

/// The HTML handouts of `editions`, for a folder of their own, with their stylesheet.
pub(crate) fn handout_files(
    doc: &Document,
    editions: &[edition::Edition],
    diags: &mut Diagnostics,
) -> Vec<OutputFile> {
    html::handout::render(doc, editions, html::handout::Layout::Folder, diags)
}
pub(crate) use write::{check_output_dir, write, MARKER};
pub(crate) use write::{remove_stale_temp_folders, update, Staging, Updated, Written};

use crate::diagnostics::Diagnostics;
use crate::document::Document;

/// One output of the build, made from the resolved document.
pub(crate) trait Renderer: Send + Sync {
    /// What it makes, for `--timings`.
    fn name(&self) -> &'static str;
    /// Makes its files, handing them to `out` a batch at a time as they are made (a build
    /// writes each batch and drops it); mistakes (a broken template, say) go to `diags`.
    fn render_to(&self, doc: &Document, diags: &mut Diagnostics, out: &mut Files);
    /// Its files, all at once (what `serve` compares with those on disk).
    fn render(&self, doc: &Document, diags: &mut Diagnostics) -> Vec<OutputFile> {
        gathered(|out| self.render_to(doc, diags, out))
    }
    /// For `serve`, when only the texts `texts` (slugs) can differ from the document its
    /// files were last made from: the files that can have changed, or `None` (the
    /// default) to make them all with [`Renderer::render`].
    fn render_texts(
        &mut self,
        _doc: &Document,
        _texts: &std::collections::BTreeSet<String>,
        _diags: &mut Diagnostics,
    ) -> Option<Vec<OutputFile>> {
        None
    }
    /// For `serve`'s first build: its files as [`Renderer::render`] makes them, keeping
    /// what [`Renderer::render_texts`] reuses (by default nothing).
    fn render_kept(&mut self, doc: &Document, diags: &mut Diagnostics) -> Vec<OutputFile> {
        self.render(doc, diags)
    }
}

/// Where a renderer hands its files, a batch at a time.
pub(crate) type Files<'a> = dyn FnMut(Vec<OutputFile>) + 'a;

/// What `make` hands over a batch at a time, as one list (for `serve`, which compares
/// whole outputs with what is on disk).
pub(crate) fn gathered<T>(make: impl FnOnce(&mut dyn FnMut(Vec<T>))) -> Vec<T> {
    let mut all = Vec::new();
    make(&mut |batch| all.extend(batch));
    all
}

/// How many texts' pages (or handouts) are made, then handed over, at a time: enough to
/// keep the cores busy, few enough that their HTML is a few megabytes.
pub(crate) const TEXTS_PER_BATCH: usize = 64;

/// Every output, in the order they are made (an output's errors stop the build before
/// the next).
pub(crate) fn renderers() -> Vec<Box<dyn Renderer>> {
    vec![
        Box::new(html::Site),
        Box::new(search::Index),
        Box::new(feed::AtomFeed),
        Box::new(schema::Schemas),
        Box::new(annotations::Annotations::default()),
        Box::new(html::handout::Handouts::default()),
    ]
}

/// One file of the built site.
#[derive(Debug, Clone)]
pub(crate) struct OutputFile {
    /// Relative to the output folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    /// What made it, for [`Claims`].
    pub origin: Origin,
}
