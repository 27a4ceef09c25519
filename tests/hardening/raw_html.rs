//! Item 9: `allow_raw_html: true` sanitized the whole page body, so ammonia's allowlist
//! stripped scholia's own markup with the author's: on the bundled henke page
//! `data-target` went from 37 to 4 (previews broke), `aria-details` from 29 to 0,
//! `rel="tag"` from 53 to 0, and backlinks and related notes vanished. Now only the
//! author's raw HTML is sanitized.

use std::path::Path;

use crate::support::html::elements;
use crate::support::{build_ok, copy_dir, copy_site, fixture, read, repo, site_files};

/// The bundled site with `content/_site.yaml` as it is or with `allow_raw_html: true`.
fn bundled(raw_html: bool) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    if raw_html {
        let config = dir.path().join("content/_site.yaml");
        let mut yaml = read(&config);
        yaml.push_str("\nallow_raw_html: true\n");
        std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    }
    let public = build_ok(dir.path(), &[]);
    (dir, public)
}

#[test]
fn allowing_raw_html_leaves_scholias_markup_alone() {
    // The premise of comparing whole files: the bundled texts have no raw HTML.
    for entry in std::fs::read_dir(repo().join("content/texts")).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().is_some_and(|x| x == "md") {
            let md = read(&path);
            let raw = pulldown_cmark::Parser::new(&md).any(|e| {
                matches!(
                    e,
                    pulldown_cmark::Event::Html(_) | pulldown_cmark::Event::InlineHtml(_)
                )
            });
            assert!(!raw, "{} has raw HTML", path.display());
        }
    }
    let (_a, plain) = bundled(false);
    let (_b, trusted) = bundled(true);
    let henke = read(&trusted.join("texts/henke/index.html"));
    for (what, at_least) in [
        ("data-target=", 20),
        ("aria-details=", 15),
        ("rel=\"tag\"", 25),
        ("class=\"note-backlinks\"", 1),
        ("class=\"note-related\"", 1),
    ] {
        let n = henke.matches(what).count();
        assert!(n >= at_least, "{what} {n} times on the trusted henke page");
    }
    let (plain, trusted) = (site_files(&plain), site_files(&trusted));
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        trusted.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &plain {
        assert!(
            trusted.get(path) == Some(bytes),
            "{path} differs once raw HTML is allowed"
        );
    }
}

/// A text and a note that try everything; `trusted` says whether the site allows raw HTML.
fn hostile_site(trusted: bool) -> tempfile::TempDir {
    let site = copy_site(&fixture("sites/basic"));
    let content = site.path().join("content");
    let write = |name: &str, text: &str| {
        std::fs::write(content.join(name), text).unwrap_or_else(|e| panic!("{e}"))
    };
    let config = if trusted {
        "title: Hostile\nallow_raw_html: true\n"
    } else {
        "title: Hostile\n"
    };
    write("_site.yaml", config);
    write(
        "hostile.md",
        "---\ntitle: Hostile\n---\n\n\
         A <span class=\"term\" onclick=\"alert(1)\">kept span</span>, \
         H<sub>2</sub>O and <a href=\"javascript:alert(2)\">a link</a>.\n\n\
         <script>alert(3)</script>\n\n\
         <style>body { display: none }</style>\n\n\
         <iframe src=\"https://example.org/\"></iframe>\n\n\
         Inline <script>alert(4)</script> and <style>p{}</style> and \
         <iframe src=\"https://example.org/\"></iframe> end.\n\n\
         <div onmouseover=\"alert(5)\"><img src=\"x.png\" alt=\"x\" onerror=\"alert(6)\"></div>\n",
    );
    write(
        "hostile.yaml",
        "annotations:\n  - id: span\n    quote: \"kept span\"\n    tags: [t]\n    note: |\n      \
         <script>alert(7)</script> <b onclick=\"alert(8)\">b</b> \
         <a href=\"javascript:alert(9)\">x</a> <style>p{}</style> \
         <iframe src=\"https://example.org/\"></iframe>\n",
    );
    site
}

/// The body of the hostile text's page (up to the notes index, where notes are listed).
fn hostile_body(site: &Path) -> String {
    let html = read(&build_ok(site, &[]).join("hostile/index.html"));
    let start = html.find("<div class=\"text-body\">").unwrap_or(0);
    let end = html
        .find("<section class=\"notes-index\"")
        .unwrap_or(html.len());
    html[start..end].to_string()
}

/// What in `html` could run script or restyle the page: a script, style or frame
/// element, an event handler, a `javascript:` URL.
fn dangers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (name, attrs, _) in elements(html) {
        if matches!(
            name.as_str(),
            "script" | "style" | "iframe" | "object" | "embed"
        ) {
            found.push(format!("<{name}>"));
        }
        for (attr, value) in attrs {
            let url: String = value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            if attr.starts_with("on") || url.starts_with("javascript:") {
                found.push(format!("<{name} {attr}=\"{value}\">"));
            }
        }
    }
    found
}

#[test]
fn the_authors_raw_html_is_sanitized_when_allowed_and_escaped_otherwise() {
    let trusted = hostile_body(hostile_site(true).path());
    assert_eq!(dangers(&trusted), Vec::<String>::new(), "{trusted}");
    for kept in [
        "<span class=\"term\"><mark",
        "H<sub>2</sub>O",
        "<a>a link</a>",
        "<img src=\"x.png\" alt=\"x\">",
        // Words a sanitizer would drop stay, with the raw HTML around them as text.
        "Inline &lt;script&gt;alert(4)&lt;/script&gt;",
        // The note's raw HTML is always text, and the page's own markup is whole.
        "&lt;script&gt;alert(7)&lt;/script&gt; &lt;b onclick",
        "aria-details=\"span\"",
        "rel=\"tag\"",
    ] {
        assert!(trusted.contains(kept), "{kept} missing:\n{trusted}");
    }
    for gone in [
        "alert(1)",
        "alert(2)",
        "alert(3)",
        "alert(5)",
        "alert(6)",
        "body { display",
    ] {
        assert!(!trusted.contains(gone), "{gone} survived:\n{trusted}");
    }

    let escaped = hostile_body(hostile_site(false).path());
    assert_eq!(dangers(&escaped), Vec::<String>::new(), "{escaped}");
    for shown in [
        "&lt;span class=\"term\" onclick=\"alert(1)\"&gt;",
        "&lt;script&gt;alert(3)&lt;/script&gt;",
        "&lt;iframe src=\"https://example.org/\"&gt;",
        "&lt;script&gt;alert(7)&lt;/script&gt;",
    ] {
        assert!(escaped.contains(shown), "{shown} missing:\n{escaped}");
    }
}
