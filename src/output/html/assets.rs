//! The theme's files under fingerprinted names (`style.3f2a9c1e0b7d.css`).
//!
//! A name that changes whenever the bytes do lets hosts cache `assets/` for a year
//! (`immutable`): a new build links new names, so no reader ever gets a stale stylesheet
//! beside a new page. Every file under `assets/` is fingerprinted, so the whole folder can
//! carry that header; pages get the names as data (`assets["style.css"]`).

use std::collections::BTreeMap;

use include_dir::Dir;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Origin, OutputFile, DEFAULT_THEME};
use crate::config::SiteImage;

/// Hex digits of the SHA-256 of a file's bytes kept in its name: 48 bits, plenty to tell
/// one version of a theme file from the next.
const HASH_DIGITS: usize = 12;

/// The files under `assets/`, and what pages call them.
pub(super) struct Assets {
    pub(super) files: Vec<OutputFile>,
    /// Theme path (`style.css`) → its path in the site (`assets/style.3f2a9c1e0b7d.css`).
    pub(super) names: BTreeMap<String, String>,
    pub(super) favicon: Favicon,
    /// The site's `image:`, by its path in the site.
    pub(super) image: Option<String>,
}

/// The icon pages link to: the site's `favicon:`, or the theme's.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Favicon {
    /// Relative to the site root.
    pub(super) path: String,
    pub(super) media_type: &'static str,
}

impl Assets {
    /// The theme's static files (built-in, then the site's theme), the code stylesheet and
    /// the images `_site.yaml` names.
    pub(super) fn new(site: &crate::site::Site) -> Assets {
        let mut theme: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        if let Some(dir) = DEFAULT_THEME.get_dir("static") {
            collect(dir, &mut theme);
        }
        for (path, bytes) in &site.theme.assets {
            theme.insert(path.clone(), bytes.clone());
        }
        theme
            .entry("syntax.css".into())
            .or_insert_with(|| crate::render::code_stylesheet().into_bytes());
        // The scripts' words in the site's language: a classic script (so file:// works and
        // the CSP holds), its one value written by the JSON serializer.
        theme.insert(
            "words.js".into(),
            format!(
                "window.scholiaWords = {};\n",
                site.theme.strings.for_scripts()
            )
            .into_bytes(),
        );

        let mut assets = Assets {
            files: Vec::with_capacity(theme.len() + 3),
            names: BTreeMap::new(),
            favicon: Favicon {
                path: String::new(),
                media_type: "image/svg+xml",
            },
            image: None,
        };
        // Stylesheets last: their `url(…)`s name the other files by their new names.
        let (css, other): (Vec<_>, Vec<_>) = theme
            .into_iter()
            .partition(|(path, _)| path.ends_with(".css"));
        for (path, bytes) in other {
            assets.add(&path, bytes);
        }
        for (path, bytes) in css {
            let bytes = match String::from_utf8(bytes) {
                Ok(text) => rewrite_urls(&text, &path, &assets.names).into_bytes(),
                Err(e) => e.into_bytes(),
            };
            assets.add(&path, bytes);
        }
        assets.favicon = match &site.config.favicon {
            Some(icon) => Favicon {
                path: assets.add_site_image("favicon", icon),
                media_type: icon.media_type(),
            },
            None => Favicon {
                path: assets.names.get("favicon.svg").cloned().unwrap_or_default(),
                media_type: "image/svg+xml",
            },
        };
        if let Some(image) = &site.config.image {
            assets.image = Some(assets.add_site_image("image", image));
        }
        assets
    }

    /// Adds the theme file `path` under its fingerprinted name.
    fn add(&mut self, path: &str, bytes: Vec<u8>) {
        let name = format!("assets/{}", fingerprinted(path, &bytes));
        self.names.insert(path.to_string(), name.clone());
        self.files.push(OutputFile {
            origin: Origin::generated(format!("the theme's file `static/{path}`")),
            path: name,
            bytes: bytes.into(),
        });
    }

    /// Adds an image of `_site.yaml` (its `key`), returning its path in the site.
    fn add_site_image(&mut self, key: &str, image: &SiteImage) -> String {
        let name = format!(
            "assets/{}",
            fingerprinted(&format!("{key}.{}", image.extension), &image.bytes)
        );
        // The same name is the same bytes: the theme's own `favicon.svg`, say.
        if !self.files.iter().any(|f| f.path == name) {
            self.files.push(OutputFile {
                origin: Origin::generated(format!("the `{key}` of `_site.yaml`")),
                path: name.clone(),
                bytes: image.bytes.clone().into(),
            });
        }
        name
    }
}

/// `dir/style.css` → `dir/style.3f2a9c1e0b7d.css`: the hash goes before the extension, so
/// hosts still tell the file's type by its name.
pub(super) fn fingerprinted(path: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .take(HASH_DIGITS)
        .map(|n| char::from_digit(u32::from(n), 16).unwrap_or('0'))
        .collect();
    let (folder, file) = match path.rsplit_once('/') {
        Some((folder, file)) => (format!("{folder}/"), file),
        None => (String::new(), path),
    };
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{folder}{stem}.{hash}.{ext}"),
        _ => format!("{folder}{file}.{hash}"),
    }
}

/// A stylesheet's `url(…)`s that name another theme file (relative to the stylesheet), by
/// that file's fingerprinted name; anything else (`data:`, absolute, unknown) unchanged.
fn rewrite_urls(css: &str, css_path: &str, names: &BTreeMap<String, String>) -> String {
    let folder = css_path.rsplit_once('/').map_or("", |(f, _)| f);
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("url(") {
        let (before, after) = rest.split_at(at + 4);
        out.push_str(before);
        let Some(end) = after.find(')') else {
            rest = after;
            break;
        };
        let inner = &after[..end];
        let target = inner.trim().trim_matches(['"', '\'']);
        let (file, suffix) = match target.find(['?', '#']) {
            Some(i) => target.split_at(i),
            None => (target, ""),
        };
        match resolve(folder, file).and_then(|p| names.get(&p)) {
            Some(name) => {
                let new = name.trim_start_matches("assets/");
                let back = "../".repeat(folder.split('/').filter(|s| !s.is_empty()).count());
                out.push_str(&format!("\"{back}{new}{suffix}\""));
            }
            None => out.push_str(inner),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `file` relative to the theme folder `folder`; `None` if it leaves the theme or is not
/// a plain relative path.
fn resolve(folder: &str, file: &str) -> Option<String> {
    if file.is_empty() || file.contains(':') || file.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    for seg in file.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn collect(dir: &Dir, files: &mut BTreeMap<String, Vec<u8>>) {
    for f in dir.files() {
        let path = f.path().strip_prefix("static").unwrap_or(f.path());
        files.insert(
            path.to_string_lossy().replace('\\', "/"),
            f.contents().to_vec(),
        );
    }
    for d in dir.dirs() {
        collect(d, files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_change_with_the_bytes_and_keep_the_extension() {
        let a = fingerprinted("style.css", b"body{}");
        let b = fingerprinted("style.css", b"body{ }");
        assert_ne!(a, b);
        assert_eq!(a, fingerprinted("style.css", b"body{}"));
        let hash = a
            .strip_prefix("style.")
            .and_then(|r| r.strip_suffix(".css"));
        assert!(
            hash.is_some_and(|h| h.len() == HASH_DIGITS && h.chars().all(|c| c.is_ascii_hexdigit())),
            "{a}"
        );
        assert!(fingerprinted("fonts/a.woff2", b"x").starts_with("fonts/a."));
        assert!(fingerprinted("LICENSE", b"x").starts_with("LICENSE."));
    }

    #[test]
    fn stylesheets_name_the_fingerprinted_files() {
        let names: BTreeMap<String, String> = [
            ("fonts/a.woff2", "assets/fonts/a.0123456789ab.woff2"),
            ("logo.png", "assets/logo.ba9876543210.png"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let css = "@font-face{src:url(\"fonts/a.woff2?v=1\")} h1{background:url( logo.png )} \
                   i{background:url(data:image/png;base64,AAAA)} b{background:url(gone.png)}";
        let out = rewrite_urls(css, "style.css", &names);
        assert!(
            out.contains("url(\"fonts/a.0123456789ab.woff2?v=1\")"),
            "{out}"
        );
        assert!(out.contains("url(\"logo.ba9876543210.png\")"), "{out}");
        assert!(out.contains("url(data:image/png;base64,AAAA)"), "{out}");
        assert!(out.contains("url(gone.png)"), "{out}");
        let nested = rewrite_urls("a{b:url(../logo.png)}", "css/x.css", &names);
        assert_eq!(nested, "a{b:url(\"../logo.ba9876543210.png\")}");
    }
}
