//! Regression tests for the hardening issue: each defect found by trying to break the
//! build and the dev server as an attacker or a careless user would (docs/testing.md,
//! "Hardening", lists them). One file per area.

mod audience_ids;
mod claims;
mod diagnostics_bounds;
mod fragments;
mod inputs;
mod linear_time;
mod output_folder;
mod raw_html;
mod serve;
mod sitemap;
mod symlinks;
mod yaml_aliases;
