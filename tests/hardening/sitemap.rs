//! Hardening item 2: `base_url` went into `sitemap.xml` through `format!`, so a hostile one
//! (`</loc><h:script …>`) put a script into the sitemap and `?a=1&b=2` made it malformed.
//! Now `base_url` must be an absolute http(s) URL as the URL standard writes it, and the
//! sitemap is written by an XML writer.

use std::path::Path;

use crate::support::{build_ok, copy_site, fixture, read, scholia};

fn site_with_base_url(base_url: &str) -> tempfile::TempDir {
    let site = copy_site(&fixture("sites/basic"));
    // Single-quoted YAML: the URLs below hold `"` and `:` but never `'`.
    std::fs::write(
        site.path().join("content/_site.yaml"),
        format!("title: Fixture reader\nbase_url: '{base_url}'\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    site
}

/// Every XML document of the built site (the sitemap, SVG icons), parsed strictly.
fn parse_every_xml_file(public: &Path) -> usize {
    let mut parsed = 0;
    for entry in walkdir::WalkDir::new(public) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let path = entry.path();
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("xml" | "svg")
        ) {
            continue;
        }
        let xml = read(path);
        if let Err(e) = roxmltree::Document::parse(&xml) {
            panic!("{} is not well-formed XML: {e}\n{xml}", path.display());
        }
        parsed += 1;
    }
    parsed
}

fn sitemap_locs(public: &Path) -> Vec<String> {
    let xml = read(&public.join("sitemap.xml"));
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let mut locs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name(("http://www.sitemaps.org/schemas/sitemap/0.9", "loc")))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect();
    locs.sort();
    locs
}

#[test]
fn a_hostile_base_url_is_refused_and_never_written() {
    let hostile = r#"https://example.org/</loc><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script><loc>"#;
    let site = site_with_base_url(hostile);
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: `base_url` is not a well-formed URL"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> content/_site.yaml:2:11"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: "), "{}", run.stderr);
    assert!(!site.path().join("public").exists());
}

#[test]
fn base_urls_with_a_path_or_a_query_give_well_formed_xml_with_each_pages_address() {
    for (base, prefix, query) in [
        (
            "https://example.org/reader/",
            "https://example.org/reader/",
            "",
        ),
        (
            "https://example.org/r?a=1&b=2",
            "https://example.org/r/",
            "?a=1&b=2",
        ),
    ] {
        let page = |p: &str| format!("{prefix}{p}{query}");
        let site = site_with_base_url(base);
        let public = build_ok(site.path(), &[]);
        assert!(parse_every_xml_file(&public) >= 2, "no sitemap or icon");
        let mut expected: Vec<String> = [
            "",
            "unit-1/first/",
            "unit-1/second/",
            "glossary/",
            "tags/",
            "tags/coalitions/",
            "tags/theory/",
        ]
        .iter()
        .map(|p| page(p))
        .collect();
        expected.sort();
        assert_eq!(sitemap_locs(&public), expected, "{base}");
        let escaped = page("unit-1/first/").replace('&', "&amp;");
        let sitemap = read(&public.join("sitemap.xml"));
        assert!(
            sitemap.contains(&format!("<loc>{escaped}</loc>")),
            "{sitemap}"
        );
        let html = read(&public.join("unit-1/first/index.html"));
        assert!(
            html.contains(&format!(r#"<link rel="canonical" href="{escaped}">"#)),
            "{base}: no canonical link to {escaped}"
        );
    }
}

#[test]
fn without_a_base_url_there_is_no_sitemap() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    assert!(!public.join("sitemap.xml").exists());
    assert!(parse_every_xml_file(&public) >= 1);
}
