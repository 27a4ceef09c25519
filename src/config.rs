//! Settings: the site's own (`_site.yaml`) and the build's (command-line flags).
//!
//! Raw values are validated once into these types, so later stages never re-check them.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

/// `content/_site.yaml`, validated.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteConfig {
    /// The site's name: every page's title ends with it, feeds and exports name it.
    pub title: String,
    /// One sentence about the site, for the home page and link previews.
    pub description: Option<String>,
    /// The BCP 47 tag of the site's language: the interface's words, stemming and `lang`.
    pub language: String,
    /// Who made the site, for feeds, exports and metadata.
    pub author: Option<String>,
    /// Used only for canonical links and the sitemap: every page works without it.
    /// Checked by [`parse_base_url`]; templates see it as text without a trailing `/`.
    #[serde(serialize_with = "serialize_base_url")]
    pub base_url: Option<Url>,
    /// The built-in theme the site starts from (`default`); its own `templates/` override it.
    pub theme: String,
    /// Whether raw HTML in texts is kept (sanitized) rather than shown as written.
    pub allow_raw_html: bool,
    /// Link each glossary term's first use in each text to the glossary.
    pub glossary_autolink: bool,
    /// `handout:`: how handouts are printed.
    pub handout: HandoutSettings,
    /// `packs:`: texts handed out together, in the order written.
    #[serde(skip)]
    pub packs: Vec<Pack>,
    /// `favicon:`, read by `load`; the theme's icon when absent. Pages get its
    /// fingerprinted name through `assets`, not from here.
    #[serde(skip)]
    pub favicon: Option<SiteImage>,
    /// `image:`, the picture link previews show (`og:image`); absolute addresses need
    /// `base_url`, so without it no page names it.
    #[serde(skip)]
    pub image: Option<SiteImage>,
    /// `line_numbers:`: in verse texts, show every Nth line's number (0: none).
    pub line_numbers: u32,
}

/// An image file `_site.yaml` names (`favicon:`, `image:`), as read from `content/`.
#[derive(Debug, Clone)]
pub struct SiteImage {
    /// Its extension, lowercase (`svg`, `png`…): the fingerprinted name keeps it.
    pub extension: String,
    /// The file as read, copied under a name fingerprinted from these bytes.
    pub bytes: Vec<u8>,
}

impl SiteImage {
    /// The media type of its extension, for `<link rel="icon" type>`.
    pub(crate) fn media_type(&self) -> &'static str {
        match self.extension.as_str() {
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "ico" => "image/x-icon",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            _ => "image/webp",
        }
    }
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
            favicon: None,
            image: None,
            handout: HandoutSettings::default(),
            packs: Vec::new(),
            line_numbers: 5,
        }
    }
}

/// The paper handouts are laid out for.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// 210 × 297 mm, the paper of most of the world.
    #[default]
    A4,
    /// 8.5 × 11 in, the paper of North America.
    Letter,
}

impl Paper {
    /// The name CSS `@page { size }` and Typst know it by.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }
}

/// Where a handout prints its notes.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum NotePlacement {
    /// Beside or under their paragraph, on the page of their passage.
    #[default]
    Page,
    /// All together after the text (endnotes).
    End,
}

/// `handout:` in `_site.yaml`, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct HandoutSettings {
    /// The paper size handouts are set for.
    pub paper: Paper,
    /// Where notes are printed: on their passage's page or at the end.
    pub notes: NotePlacement,
    /// Ruled lines left under each discussion question for the answer.
    pub answer_lines: u32,
}

impl HandoutSettings {
    /// More would be a page of lines per question: surely a typo.
    pub const MAX_ANSWER_LINES: u32 = 40;
}

impl Default for HandoutSettings {
    fn default() -> Self {
        HandoutSettings {
            paper: Paper::A4,
            notes: NotePlacement::Page,
            answer_lines: 4,
        }
    }
}

/// A class pack: texts handed out together as one handout.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The file name of its handout (`week-3`).
    pub name: String,
    /// Shown on the handout's cover and in its contents.
    pub title: String,
    /// Slugs, in the order written; each names a text of the site.
    pub texts: Vec<String>,
}

/// The `handout:` settings of `_site.yaml`, as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "HandoutSettings")]
#[serde(deny_unknown_fields)]
pub struct RawHandoutConfig {
    /// The paper size: `a4` (the default) or `letter`.
    pub paper: Option<Paper>,
    /// Where notes are printed: `page` (footnotes, the default) or `end` (endnotes).
    pub notes: Option<NotePlacement>,
    /// Ruled lines left under each discussion question for the answer (default 4, at most 40).
    pub answer_lines: Option<u32>,
}

/// One pack as written: an item of the `packs:` list, or the value under its name when
/// `packs:` is a mapping.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "Pack")]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    /// The file name of its handout (`week-3`); required in the list form.
    pub name: Option<String>,
    /// Shown on the handout's cover and in its contents (required).
    pub title: Option<String>,
    /// The texts of the pack, by slug, in the order to print them.
    pub texts: Option<Vec<String>>,
}

/// `packs:` as written: a list of packs with `name:`, or a mapping of names to packs.
/// Either way in the order written.
#[derive(Debug, Default)]
pub struct RawPacks {
    /// In the order written.
    pub packs: Vec<RawPack>,
    /// Written as a mapping (name → pack), not a list.
    pub by_name: bool,
}

/// What [`RawPacks`] accepts, written out as its `Deserialize` is: a list of packs, or a
/// mapping of names to packs.
impl schemars::JsonSchema for RawPacks {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Packs".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let pack = generator.subschema_for::<RawPack>();
        schemars::json_schema!({
            "anyOf": [
                { "type": "array", "items": pack },
                { "type": "object", "additionalProperties": pack },
            ]
        })
    }
}

impl<'de> Deserialize<'de> for RawPacks {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawPacks;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of packs, or a mapping of pack names to packs")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<RawPacks, E> {
                Ok(RawPacks::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawPacks, A::Error> {
                let mut packs = Vec::new();
                while let Some(p) = seq.next_element::<RawPack>()? {
                    packs.push(p);
                }
                Ok(RawPacks {
                    packs,
                    by_name: false,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawPacks, A::Error> {
                let mut packs = Vec::new();
                while let Some((name, mut p)) = map.next_entry::<String, RawPack>()? {
                    if p.name.is_none() {
                        p.name = Some(name);
                    }
                    packs.push(p);
                }
                Ok(RawPacks {
                    packs,
                    by_name: true,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

fn serialize_base_url<S: serde::Serializer>(url: &Option<Url>, s: S) -> Result<S::Ok, S::Error> {
    match url {
        Some(u) => s.serialize_some(u.as_str().trim_end_matches('/')),
        None => s.serialize_none(),
    }
}

/// Why a `base_url` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaseUrlError {
    /// Not a URL at all, or a relative one (`example.org/reader`).
    NotAbsolute,
    /// A URL, but not of a web page (`ftp:`, `javascript:`, `file:`).
    NotHttp(String),
    /// Characters a URL may not hold as written (`<`, `"`, spaces…): the URL standard
    /// would silently rewrite them, so what authors wrote is not what pages would link to.
    Malformed(url::SyntaxViolation),
    /// A `#fragment` would end up in the middle of every page's address.
    Fragment,
}

/// Validates `base_url`: an absolute `http`/`https` URL, written as the URL standard
/// writes it (`url` crate), so it can go into any page, XML or JSON output unaltered.
pub(crate) fn parse_base_url(raw: &str) -> Result<Url, BaseUrlError> {
    let violation = std::cell::Cell::new(None);
    let report = |v: url::SyntaxViolation| {
        if violation.get().is_none() {
            violation.set(Some(v));
        }
    };
    let url = Url::options()
        .syntax_violation_callback(Some(&report))
        .parse(raw)
        .map_err(|_| BaseUrlError::NotAbsolute)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BaseUrlError::NotHttp(url.scheme().to_string()));
    }
    if let Some(v) = violation.get() {
        return Err(BaseUrlError::Malformed(v));
    }
    if url.fragment().is_some() {
        return Err(BaseUrlError::Fragment);
    }
    Ok(url)
}

/// The absolute address of the page at `path` (relative to the site root, `/`-separated;
/// a folder's `index.html` is left out) on a site published at `base`. A query in `base`
/// stays on every page's address.
pub(crate) fn page_url(base: &Url, path: &str) -> Url {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    let mut url = base.clone();
    url.set_path(&format!("{}/{path}", base.path().trim_end_matches('/')));
    url
}

/// `_site.yaml` as written; unknown keys are refused by serde. Its JSON Schema is derived
/// from it (`scholia schema site`), so the two cannot disagree.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSiteConfig {
    /// The site's name: every page's title ends with it.
    pub title: Option<String>,
    /// One sentence about the site, for the home page and link previews.
    pub description: Option<String>,
    /// The site's language as a BCP 47 tag (`en`, `fr`, `ar`…; default `en`).
    pub language: Option<String>,
    /// Who made the site, for feeds, exports and metadata.
    pub author: Option<String>,
    /// The address the site is published at (`https://example.org/reader/`): only for
    /// canonical links, the sitemap and feeds; every page works without it.
    pub base_url: Option<String>,
    /// The built-in theme to start from (`default`).
    pub theme: Option<String>,
    /// Keep raw HTML in texts (sanitized) instead of showing it as written (default false).
    pub allow_raw_html: Option<bool>,
    /// Glossary settings.
    pub glossary: Option<RawGlossaryConfig>,
    /// A path relative to `content/`.
    pub favicon: Option<String>,
    /// A path relative to `content/`.
    pub image: Option<String>,
    /// How handouts are printed.
    pub handout: Option<RawHandoutConfig>,
    /// Class packs: texts handed out together as one handout.
    pub packs: Option<RawPacks>,
    /// In verse texts, show every Nth line's number (default 5; 0: none).
    pub line_numbers: Option<u32>,
}

/// The `glossary:` settings of `_site.yaml`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "GlossarySettings")]
#[serde(deny_unknown_fields)]
pub struct RawGlossaryConfig {
    /// Link each glossary term's first use in each text to its entry (default false).
    pub autolink: Option<bool>,
}

impl RawSiteConfig {
    /// Every key `_site.yaml` may have, for did-you-mean help on a misspelled one.
    pub const KEYS: &'static [&'static str] = &[
        "title",
        "description",
        "language",
        "author",
        "base_url",
        "theme",
        "allow_raw_html",
        "glossary",
        "favicon",
        "image",
        "handout",
        "packs",
        "line_numbers",
    ];
}

/// What one run of `scholia build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder, holding `content/`.
    pub site_dir: PathBuf,
    /// Where the site is written; replaced atomically, and refused if it is not a folder,
    /// the site folder, `/` or home.
    pub output: PathBuf,
    /// Include notes with `audience: instructor`.
    pub instructor: bool,
    /// Include texts with `draft: true`.
    pub drafts: bool,
    /// `--base-url`, already checked: it wins over `_site.yaml`'s `base_url`.
    pub base_url: Option<Url>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_is_an_absolute_web_address_written_as_the_standard_writes_it() {
        for ok in [
            "https://example.org",
            "https://example.org/reader/",
            "http://localhost:8000/r",
            "https://example.org/r?lang=en&v=2",
            "https://example.org/caf%C3%A9",
            "https://example.org/café",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok} was refused");
        }
        let hostile = r#"https://example.org/</loc><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script><loc>"#;
        for (bad, why) in [
            ("example.org/reader", BaseUrlError::NotAbsolute),
            ("/reader", BaseUrlError::NotAbsolute),
            (
                "javascript:alert(1)",
                BaseUrlError::NotHttp("javascript".into()),
            ),
            ("ftp://example.org/", BaseUrlError::NotHttp("ftp".into())),
            (
                "https://example.org/a b",
                BaseUrlError::Malformed(url::SyntaxViolation::NonUrlCodePoint),
            ),
            (
                "https://example.org/\\x",
                BaseUrlError::Malformed(url::SyntaxViolation::Backslash),
            ),
            (
                hostile,
                BaseUrlError::Malformed(url::SyntaxViolation::NonUrlCodePoint),
            ),
            ("https://example.org/#top", BaseUrlError::Fragment),
        ] {
            assert_eq!(parse_base_url(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn page_urls_keep_the_base_path_and_query() {
        let url = |base: &str, path: &str| {
            let base = parse_base_url(base).unwrap_or_else(|e| panic!("{e:?}"));
            page_url(&base, path).to_string()
        };
        assert_eq!(
            url("https://example.org", "index.html"),
            "https://example.org/"
        );
        assert_eq!(
            url("https://example.org/reader/", "texts/a/index.html"),
            "https://example.org/reader/texts/a/"
        );
        assert_eq!(
            url("https://example.org/r?a=1&b=2", "texts/a/index.html"),
            "https://example.org/r/texts/a/?a=1&b=2"
        );
        assert_eq!(
            url("https://example.org/r", "tags/café/index.html"),
            "https://example.org/r/tags/caf%C3%A9/"
        );
    }
}
