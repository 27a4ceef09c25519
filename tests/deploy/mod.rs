//! Publishing (issue 12): the GitHub Pages workflow and every other workflow pass
//! actionlint, the site served with `netlify.toml`'s headers runs clean in Chromium, and a
//! `cargo install`ed scholia builds a site anywhere.

mod install;
mod netlify;
mod workflows;
