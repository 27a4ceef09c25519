//! Stage 5: pages from templates, and the one place that writes to disk.
//!
//! [`pages`] fills the theme's templates and returns every file of the site as data;
//! [`write`] puts them on disk atomically: into a sibling temporary folder first, swapped
//! in only when everything was written, so a failed build leaves the previous output
//! exactly as it was. Between the two, [`Claims`] makes sure no two files share a path.

mod claims;
mod templates;
mod write;

pub use claims::{Claims, Origin};
pub use templates::pages;

use std::collections::BTreeMap;

use crate::link::graph::{Graph, Preview};
use crate::render::{RenderedText, TermView};

/// Everything the earlier stages made, for the templates.
pub struct Built<'a> {
    pub texts: &'a [RenderedText],
    pub terms: &'a [TermView],
    pub graph: &'a Graph,
    pub previews: &'a BTreeMap<String, Preview>,
}
pub use write::{check_output_dir, write, MARKER};
pub(crate) use write::{remove_stale_temp_folders, update, Written};

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Relative to the output folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    /// What made it, for [`Claims`].
    pub origin: Origin,
}
