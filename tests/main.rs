//! The integration suite: one binary, one module per area (as mdBook does).

mod a11y;
mod annotations;
mod browser;
mod cli;
mod deploy;
mod docs;
mod documents;
mod handout;
mod hardening;
mod languages;
mod scaffold;
mod search;
mod serve;
mod sites;
mod support;
mod validity;
mod web;
