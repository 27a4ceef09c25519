//! Settings: the site's own (`_site.yaml`) and the build's (command-line flags).
//!
//! Raw values are validated once into these types, so later stages never re-check them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `content/_site.yaml`, validated.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteConfig {
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub author: Option<String>,
    /// Used only for canonical links and the sitemap: every page works without it.
    pub base_url: Option<String>,
    pub theme: String,
    pub allow_raw_html: bool,
    /// Link each glossary term's first use in each text to the glossary.
    pub glossary_autolink: bool,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Reader".into(),
            description: None,
            language: "en".into(),
            author: None,
            base_url: None,
            theme: "default".into(),
            allow_raw_html: false,
            glossary_autolink: false,
        }
    }
}

/// `_site.yaml` as written; unknown keys are refused by serde.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSiteConfig {
    pub title: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub author: Option<String>,
    pub base_url: Option<String>,
    pub theme: Option<String>,
    pub allow_raw_html: Option<bool>,
    pub glossary: Option<RawGlossaryConfig>,
}

/// The `glossary:` settings of `_site.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGlossaryConfig {
    pub autolink: Option<bool>,
}

impl RawSiteConfig {
    pub const KEYS: &'static [&'static str] = &[
        "title",
        "description",
        "language",
        "author",
        "base_url",
        "theme",
        "allow_raw_html",
        "glossary",
    ];
}

/// What one run of `scholia build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site_dir: PathBuf,
    pub output: PathBuf,
    /// Include notes with `audience: instructor`.
    pub instructor: bool,
    /// Include texts with `draft: true`.
    pub drafts: bool,
}

impl BuildOptions {
    /// Where a build goes without `--output`: `public/`, the folder the README says to
    /// publish, except for an instructor build, which must never land there by accident.
    pub(crate) fn default_output(site_dir: &Path, instructor: bool) -> PathBuf {
        site_dir.join(if instructor {
            "public-instructor"
        } else {
            "public"
        })
    }
}
