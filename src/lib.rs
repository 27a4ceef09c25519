//! scholia: a static site generator for annotated readers.
//!
//! The build is a pipeline of stages over plain data (see [`pipeline`]): [`load`] reads
//! the content folder into a [`site::Site`]; [`anchor`] finds each note's passage and
//! collects each text's cross-links; [`link`] resolves them into the document model
//! (`document`): backlinks, related notes, previews, tags; [`render`] turns the Markdown
//! into HTML fragments, once; [`output`]'s renderers (the HTML site, the search index)
//! make files from the document, and [`output::write`] writes them atomically.

// A `Diagnostic` is our error type; it is built only on the (rare) error path, so its
// size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod anchor;
pub(crate) mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub(crate) mod document;
pub(crate) mod handout;
pub(crate) mod import;
pub(crate) mod language;
pub mod link;
pub mod load;
pub mod markdown;
pub(crate) mod memory;
pub(crate) mod output;
pub mod pipeline;
pub mod render;
pub(crate) mod scaffold;
pub(crate) mod schema;
pub mod search;
pub(crate) mod serve;
pub mod site;
pub(crate) mod slug;
pub(crate) mod strings;
pub(crate) mod terminal;
