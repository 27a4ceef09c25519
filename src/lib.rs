//! scholia: a static site generator for annotated readers.
//!
//! The build is a pipeline of stages over plain data (see [`pipeline`]): [`load`] reads
//! the content folder into a [`site::Site`], [`anchor`] finds each note's passage,
//! [`render`] makes HTML fragments, [`link`] resolves cross-links, and [`output`] fills
//! the templates and writes the site atomically.

// A `Diagnostic` is our error type; it is built only on the (rare) error path, so its
// size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod anchor;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod language;
pub mod link;
pub mod load;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
