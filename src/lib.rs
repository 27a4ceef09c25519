//! scholia: a static site generator for annotated readers.
//!
//! The build is a pipeline of stages over plain data (see [`pipeline`]): [`load`] reads
//! the content folder into a [`site::Site`], [`anchor`] finds each note's passage,
//! [`render`] makes HTML fragments, [`link`] resolves cross-links, and [`output`] fills
//! the templates and writes the site atomically.

pub mod anchor;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod link;
pub mod load;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod site;
