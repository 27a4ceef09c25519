//! The integration suite: one binary, one module per area (as mdBook does).

mod a11y;
mod browser;
mod cli;
mod docs;
mod hardening;
mod languages;
mod search;
mod serve;
mod sites;
mod support;
mod validity;
mod web;
