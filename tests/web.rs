//! Publishing on the web (issue 12): `--base-url`, fingerprinted assets, page metadata
//! (Open Graph, Twitter cards, `citation_*`, JSON-LD), `404.html`, `robots.txt`, the
//! sitemap, the Atom feed and the favicon.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::html::elements;
use crate::support::{self, build_ok, copy_site, fixture, read, scholia, Tool};

/// An XSS payload that would end an attribute, then a script element, if anything were
/// written unescaped.
const PAYLOAD: &str = r#""><script>alert(1)</script></script><!--&amp;"#;

/// The payload as an author: without the `;` that separates authors.
const AUTHOR: &str = r#""><script>alert(1)</script>"#;

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The `content` of every `<meta>` whose `name` or `property` is `key`.
fn metas(html: &str, key: &str) -> Vec<String> {
    elements(html)
        .into_iter()
        .filter(|(n, a, _)| {
            n == "meta" && (attr(a, "name") == Some(key) || attr(a, "property") == Some(key))
        })
        .filter_map(|(_, a, _)| attr(&a, "content").map(String::from))
        .collect()
}

/// The page's JSON-LD, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let blocks: Vec<String> = elements(html)
        .into_iter()
        .filter(|(n, a, _)| n == "script" && attr(a, "type") == Some("application/ld+json"))
        .map(|(_, _, t)| t)
        .collect();
    assert_eq!(blocks.len(), 1, "JSON-LD blocks: {blocks:?}");
    serde_json::from_str(&blocks[0]).unwrap_or_else(|e| panic!("{e}: {}", blocks[0]))
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

/// The bundled fixture with a text whose every field is the XSS payload.
fn hostile_site() -> tempfile::TempDir {
    let site = copy_site(&fixture("sites/basic"));
    let yaml = |s: &str| serde_json::to_string(s).unwrap_or_default();
    write(
        &site.path().join("content/unit-1/hostile.md"),
        &format!(
            "---\ntitle: {t}\nauthor: {a}\ndate: 2020-05-17\nsummary: {t}\n---\n\nA plain paragraph.\n",
            t = yaml(PAYLOAD),
            a = yaml(&format!("{AUTHOR} and Second Author"))
        ),
    );
    site
}

#[test]
fn metadata_is_on_every_page_and_a_hostile_title_stays_text_everywhere() {
    let site = hostile_site();
    let public = build_ok(site.path(), &["--base-url", "https://example.org/reader/"]);
    let html = read(&public.join("unit-1/hostile/index.html"));
    let url = "https://example.org/reader/unit-1/hostile/";

    // Nothing of the payload became markup: the page's only scripts are ours.
    let scripts: Vec<_> = elements(&html)
        .into_iter()
        .filter(|(n, _, _)| n == "script")
        .map(|(_, a, _)| attr(&a, "type").unwrap_or("").to_string())
        .collect();
    assert_eq!(scripts, ["application/ld+json", "", ""], "{html}");
    assert!(!html.contains("<script>alert"), "{html}");

    for key in ["og:title", "twitter:title", "citation_title"] {
        assert_eq!(metas(&html, key), [PAYLOAD], "{key}");
    }
    for key in ["description", "og:description", "twitter:description"] {
        assert_eq!(metas(&html, key), [PAYLOAD], "{key}");
    }
    assert_eq!(
        metas(&html, "citation_author"),
        [AUTHOR, "Second Author"],
        "one citation_author per author"
    );
    assert_eq!(metas(&html, "citation_publication_date"), ["2020/05/17"]);
    assert_eq!(metas(&html, "citation_public_url"), [url]);
    assert_eq!(metas(&html, "og:url"), [url]);
    assert_eq!(metas(&html, "og:type"), ["article"]);
    assert_eq!(metas(&html, "og:site_name"), ["Fixture reader"]);
    assert_eq!(metas(&html, "twitter:card"), ["summary"]);
    let title: Vec<String> = elements(&html)
        .into_iter()
        .filter(|(n, _, _)| n == "title")
        .map(|(_, _, t)| t)
        .collect();
    assert_eq!(title, [format!("{PAYLOAD} · Fixture reader")]);

    // The JSON-LD says the same, and its text cannot close the script element.
    let ld = json_ld(&html);
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["headline"], PAYLOAD);
    assert_eq!(ld["author"][0]["name"], AUTHOR);
    assert_eq!(ld["author"][1]["name"], "Second Author");
    assert_eq!(ld["datePublished"], "2020-05-17");
    assert_eq!(ld["url"], url);
    let raw = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|r| r.split("</script>").next())
        .unwrap_or_default();
    assert!(!raw.contains(['<', '>', '&']), "{raw}");

    // Every page has a title, a description, Open Graph and JSON-LD.
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        // Handouts are pages for printing, not for sharing: no link previews.
        if entry.path().extension().is_none_or(|e| e != "html")
            || entry.path().to_string_lossy().contains("/handout/")
        {
            continue;
        }
        let html = read(entry.path());
        let what = entry.path().display();
        assert_eq!(metas(&html, "og:title").len(), 1, "{what}");
        assert_eq!(metas(&html, "og:site_name"), ["Fixture reader"], "{what}");
        assert!(!metas(&html, "description").is_empty(), "{what}");
        assert!(json_ld(&html)["@type"].is_string(), "{what}");
        pages += 1;
    }
    assert!(pages >= 8, "{pages} pages");
    let index = read(&public.join("index.html"));
    assert_eq!(json_ld(&index)["@type"], "WebSite");
    assert_eq!(metas(&index, "og:type"), ["website"]);
    assert!(metas(&index, "citation_title").is_empty());
}

#[test]
fn the_base_url_flag_wins_and_a_bad_one_is_a_usage_error() {
    let site = copy_site(&fixture("sites/basic"));
    write(
        &site.path().join("content/_site.yaml"),
        "title: Fixture reader\nbase_url: https://old.example.org/\n",
    );
    let public = build_ok(site.path(), &["--base-url", "https://new.example.org/sub/"]);
    let html = read(&public.join("unit-1/first/index.html"));
    assert!(
        html.contains(r#"<link rel="canonical" href="https://new.example.org/sub/unit-1/first/">"#),
        "{html}"
    );
    assert!(!html.contains("old.example.org"));
    // Links between pages stay relative.
    assert!(html.contains(r#"href="../../index.html""#));

    for bad in [
        "example.org/reader",
        "ftp://example.org/",
        "https://example.org/a b",
        "https://example.org/#top",
    ] {
        let site = copy_site(&fixture("sites/basic"));
        let run = scholia(site.path(), &["build", ".", "--base-url", bad]);
        assert_eq!(run.status, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("--base-url"), "{bad}: {}", run.stderr);
        assert!(!site.path().join("public").exists(), "{bad}");
    }
}

#[test]
fn every_page_links_existing_fingerprinted_assets() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    // Every file under assets/ carries a hash of its bytes in its name.
    let mut assets = BTreeSet::new();
    for entry in walkdir::WalkDir::new(public.join("assets")) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let parts: Vec<&str> = name.split('.').collect();
        let hash = parts
            .get(parts.len().saturating_sub(2))
            .copied()
            .unwrap_or("");
        assert!(
            parts.len() >= 3 && hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name} is not fingerprinted"
        );
        let path = entry.path().strip_prefix(&public).unwrap_or(entry.path());
        assets.insert(path.to_string_lossy().into_owned());
    }
    // Every reference of every page to assets/ names one of them (and nothing else is
    // missing either).
    let mut referenced = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let folder = path.parent().unwrap_or(&public);
        for (_, attrs, _) in elements(&read(path)) {
            for (name, value) in attrs {
                let is_link = matches!(
                    name.as_str(),
                    "href" | "src" | "data-search-js" | "data-search-engine"
                );
                if !is_link || value.contains(':') || value.starts_with('#') {
                    continue;
                }
                let target = value.split(['#', '?']).next().unwrap_or("");
                // 404.html links from the domain's root: here, the output folder.
                let file = match target.strip_prefix('/') {
                    Some(rooted) => public.join(rooted),
                    None => folder.join(target),
                };
                let file = if target.ends_with('/') || target.is_empty() {
                    file.join("index.html")
                } else {
                    file
                };
                let real = file
                    .canonicalize()
                    .unwrap_or_else(|e| panic!("{}: {value}: {e}", path.display()));
                let rel = real
                    .strip_prefix(public.canonicalize().unwrap_or_default())
                    .unwrap_or(&real)
                    .to_string_lossy()
                    .into_owned();
                if rel.starts_with("assets/") {
                    assert!(assets.contains(&rel), "{rel}");
                    referenced.insert(rel);
                }
            }
        }
    }
    for asset in [
        "style.css",
        "syntax.css",
        "scholia.js",
        "search.js",
        "search-engine.js",
        "favicon.svg",
    ] {
        let built = support::asset(&public, asset);
        let rel = built.strip_prefix(&public).unwrap_or(&built);
        assert!(
            referenced.contains(&*rel.to_string_lossy()),
            "no page references {asset}: {referenced:?}"
        );
    }
    // A change of a theme file is a change of its name.
    let themed = copy_site(&fixture("sites/basic"));
    write(
        &themed.path().join("themes/mine/static/style.css"),
        "body{color:red}\n",
    );
    write(
        &themed.path().join("content/_site.yaml"),
        "title: T\ntheme: mine\n",
    );
    let other = build_ok(themed.path(), &[]);
    assert_ne!(
        support::asset(&public, "style.css").file_name(),
        support::asset(&other, "style.css").file_name()
    );
    assert_eq!(
        support::asset(&public, "scholia.js").file_name(),
        support::asset(&other, "scholia.js").file_name()
    );
}

#[test]
fn the_feed_is_atom_newest_first_with_absolute_ids_and_escaped_text() {
    let site = hostile_site();
    let public = build_ok(site.path(), &["--base-url", "https://example.org/r/"]);
    let xml = read(&public.join("feed.xml"));
    roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let feed =
        atom_syndication::Feed::read_from(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(feed.id(), "https://example.org/r/");
    assert_eq!(feed.title().as_str(), "Fixture reader");
    assert!(feed
        .links()
        .iter()
        .any(|l| l.rel() == "self" && l.href() == "https://example.org/r/feed.xml"));
    let entries: Vec<(&str, &str, String)> = feed
        .entries()
        .iter()
        .map(|e| (e.id(), e.title().as_str(), e.updated().to_rfc3339()))
        .collect();
    // The fixture's dated texts, newest first; the undated one is left out.
    assert_eq!(
        entries,
        [
            (
                "https://example.org/r/unit-1/hostile/",
                PAYLOAD,
                "2020-05-17T00:00:00+00:00".to_string()
            ),
            (
                "https://example.org/r/unit-1/first/",
                "The First Text",
                "2024-01-02T00:00:00+00:00".to_string()
            ),
        ]
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
    );
    assert!(!xml.contains("<script>"), "{xml}");
    // Pages point feed readers at it.
    let html = read(&public.join("index.html"));
    assert!(
        html.contains(r#"<link rel="alternate" type="application/atom+xml" href="feed.xml""#),
        "{html}"
    );
    // Without a base URL, there is no feed, and no link to one.
    let public = build_ok(site.path(), &[]);
    assert!(!public.join("feed.xml").exists());
    assert!(!read(&public.join("index.html")).contains("application/atom+xml"));
}

#[test]
fn robots_txt_names_the_sitemap_which_lists_every_page_of_long_lists() {
    let site = copy_site(&fixture("sites/basic"));
    // 101 texts, each with a note tagged `many`: two pages of the home page, two of the tag.
    for i in 0..101 {
        let dir = site.path().join("content/many");
        write(
            &dir.join(format!("t{i:03}.md")),
            &format!("---\ntitle: Text {i}\n---\n\nParagraph number {i}.\n"),
        );
        write(
            &dir.join(format!("t{i:03}.yaml")),
            &format!(
                "annotations:\n  - id: n{i}\n    para: 1\n    tags: [many]\n    note: A note.\n"
            ),
        );
    }
    let public = build_ok(site.path(), &["--base-url", "https://example.org/r/"]);
    let robots = read(&public.join("robots.txt"));
    assert!(
        robots.contains("\nSitemap: https://example.org/r/sitemap.xml\n"),
        "{robots}"
    );
    let xml = read(&public.join("sitemap.xml"));
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let locs: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    for page in [
        "https://example.org/r/",
        "https://example.org/r/index-2.html",
        "https://example.org/r/many/t100/",
        "https://example.org/r/glossary/",
        "https://example.org/r/tags/",
        "https://example.org/r/tags/many/",
        "https://example.org/r/tags/many/2/",
    ] {
        assert!(locs.contains(page), "{page} not in the sitemap");
    }
    // Every page listed exists.
    for loc in &locs {
        let rel = loc.trim_start_matches("https://example.org/r/");
        let file = if rel.is_empty() || rel.ends_with('/') {
            public.join(rel).join("index.html")
        } else {
            public.join(rel)
        };
        assert!(file.is_file(), "{loc}");
    }
    // Without a base URL: a robots.txt with no sitemap.
    let public = build_ok(site.path(), &[]);
    assert!(!read(&public.join("robots.txt")).contains("Sitemap"));
}

#[test]
fn a_configured_favicon_and_image_are_linked_and_a_missing_one_is_a_content_error() {
    let site = copy_site(&fixture("sites/basic"));
    let png = b"\x89PNG\r\n\x1a\nnot really a picture";
    std::fs::create_dir_all(site.path().join("content/images")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(site.path().join("content/images/icon.png"), png)
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(site.path().join("content/images/card.png"), b"card")
        .unwrap_or_else(|e| panic!("{e}"));
    write(
        &site.path().join("content/_site.yaml"),
        "title: Fixture reader\nfavicon: images/icon.png\nimage: images/card.png\n",
    );
    let public = build_ok(site.path(), &["--base-url", "https://example.org/"]);
    let icon = support::asset(&public, "favicon.png");
    assert_eq!(std::fs::read(&icon).unwrap_or_default(), png);
    let card = support::asset(&public, "image.png");
    let card_name = card
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let html = read(&public.join("unit-1/first/index.html"));
    let icon_name = icon
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        html.contains(&format!(
            r#"<link rel="icon" href="../../assets/{icon_name}" type="image/png">"#
        )),
        "{html}"
    );
    assert_eq!(
        metas(&html, "og:image"),
        [format!("https://example.org/assets/{card_name}")]
    );
    assert_eq!(metas(&html, "twitter:card"), ["summary_large_image"]);

    // A missing file: exit 1, at its line in _site.yaml, nothing written.
    let site = copy_site(&fixture("sites/basic"));
    write(
        &site.path().join("content/_site.yaml"),
        "title: Fixture reader\nfavicon: images/gone.svg\n",
    );
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("--> content/_site.yaml:2:10"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/images/gone.svg"),
        "{}",
        run.stderr
    );
    assert!(!site.path().join("public").exists());

    // A misspelt key gets a suggestion.
    write(
        &site.path().join("content/_site.yaml"),
        "title: T\nfavicn: x.svg\n",
    );
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("favicon"), "{}", run.stderr);
}

/// Hosts serve `404.html` for any missing address, at any depth: under a subpath its
/// links (absolute from the base URL) still reach the stylesheet, the script and the
/// search page, and searching from it works.
#[test]
fn the_404_page_works_under_a_subpath_and_its_search_box_searches() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    use crate::support::browser::{js, launch, open, wait_for, Server, MOUNT};
    let site = copy_site(&fixture("sites/basic"));
    let public = site.path().join("public");
    std::fs::create_dir_all(&public).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start_with_404(&public);
    let base = server.url("");
    assert!(base.ends_with(MOUNT));
    let run = scholia(site.path(), &["build", ".", "--base-url", &base]);
    assert_eq!(run.status, 0, "{}", run.stderr);

    let chrome = launch();
    let (tab, log) = chrome.tab((1200, 900));
    open(&tab, &server.url("no/such/deep/page/"));
    wait_for(
        &tab,
        "document.querySelector('h1') && document.querySelector('h1').textContent === 'Page not found'",
        "the 404 page",
    );
    // The stylesheet applied (through its absolute address).
    let styled = js(
        &tab,
        "return [...document.styleSheets].some(s => s.href && s.href.includes('/assets/style.'));",
    );
    assert_eq!(styled, true);
    // Searching from it lands on the search page, which finds the fixture's text.
    js(
        &tab,
        "const i = document.querySelector('#search_q'); i.value = 'intensely'; i.form.submit(); return true;",
    );
    wait_for(
        &tab,
        "location.pathname.endsWith('/search/index.html') && document.querySelectorAll('#search_results a').length > 0",
        "search results",
    );
    // The one error expected: the missing page's own status.
    let errors: Vec<String> = support::browser::seen(&log)
        .errors
        .iter()
        .filter(|e| !e.contains("no/such/deep"))
        .cloned()
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let failures: Vec<_> = server
        .failures()
        .into_iter()
        .filter(|(_, path)| !path.contains("no/such/deep"))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A text page with every piece of metadata (base URL, image, JSON-LD) under the pages'
/// Content-Security-Policy: no console error (a CSP violation is one), the stylesheet
/// and script load by their fingerprinted names, and the header's search box loads
/// search.js and its engine by the names the page gives and finds the text.
#[test]
fn a_text_page_with_metadata_runs_clean_and_its_search_box_loads_the_fingerprinted_scripts() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    use crate::support::browser::{js, launch, open, seen, wait_for, Server};
    let site = copy_site(&fixture("sites/basic"));
    std::fs::create_dir_all(site.path().join("content/images")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        site.path().join("content/images/card.png"),
        b"\x89PNG\r\n\x1a\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    write(
        &site.path().join("content/_site.yaml"),
        "title: Fixture reader\ndescription: D.\nimage: images/card.png\n",
    );
    let public = site.path().join("public");
    std::fs::create_dir_all(&public).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(&public);
    let run = scholia(site.path(), &["build", ".", "--base-url", &server.url("")]);
    assert_eq!(run.status, 0, "{}", run.stderr);

    let chrome = launch();
    let (tab, log) = chrome.tab((1200, 900));
    open(&tab, &server.url("unit-1/first/"));
    wait_for(
        &tab,
        "document.querySelector('.notes-placed')",
        "scholia.js",
    );
    let ld = js(
        &tab,
        "return JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)['@type'];",
    );
    assert_eq!(ld, "Article");
    tab.press_key("/").expect("press /");
    wait_for(
        &tab,
        "document.activeElement && document.activeElement.id === 'search'",
        "`/` to focus the search box",
    );
    tab.type_str("intensely").expect("type the query");
    wait_for(
        &tab,
        "document.querySelectorAll('#search_panel a.search-result').length > 0",
        "results in the header's panel",
    );
    let errors = &seen(&log).errors;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let served: Vec<String> = server.requests().into_iter().map(|(_, p)| p).collect();
    for asset in ["style.css", "scholia.js", "search.js", "search-engine.js"] {
        let built = support::asset(&public, asset);
        let name = built.file_name().map(|n| n.to_string_lossy().into_owned());
        let path = format!("/reader/assets/{}", name.unwrap_or_default());
        assert!(served.contains(&path), "{path} never loaded: {served:#?}");
    }
    server.assert_no_failures();
}
