//! The search index as an output: a thin adapter over [`crate::search`].

use super::{Files, Origin, OutputFile, Renderer};
use crate::diagnostics::Diagnostics;
use crate::document::Document;
use crate::search::{self, Corpus};

/// The files under `search/`.
pub(crate) struct Index;

impl Renderer for Index {
    fn name(&self) -> &'static str {
        NAME
    }

    fn render_to(&self, doc: &Document, _diags: &mut Diagnostics, out: &mut Files) {
        search::index_to(Corpus::from_document(doc), &mut |f| out(files(f)));
    }
}

/// The renderer's name, for `serve`, which keeps the index between rebuilds
/// ([`search::live`]) instead of rendering it again.
pub(crate) const NAME: &str = "search";

/// The search stage's files as the output's.
pub(crate) fn files(files: Vec<search::File>) -> Vec<OutputFile> {
    files
        .into_iter()
        .map(|f| OutputFile {
            path: f.path,
            bytes: f.bytes.into(),
            origin: Origin::generated("the search index"),
        })
        .collect()
}
