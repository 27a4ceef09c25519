//! Hardening item 3: a text named like a page scholia generates (`content/tags.md`,
//! `content/search.md`, `content/tags/coalitions.md`) built with exit status 0, and the
//! generated page silently replaced it. Now every output path is claimed once
//! (`output::Claims`), and a second claim is an error naming both.

use crate::support::{build_ok, copy_site, fixture, read, scholia};

/// Builds the broken site `tests/invalid/<case>` and returns its diagnostics.
fn fails(case: &str) -> String {
    let site = copy_site(&fixture(&format!("invalid/{case}")));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{case} built:\n{}", run.stderr);
    assert!(!site.path().join("public").exists(), "{case} wrote output");
    run.stderr
}

#[test]
fn a_text_never_replaces_a_generated_page() {
    for (case, text, path, other) in [
        (
            "text-named-search",
            "content/search.md",
            "search/index.html",
            "the search page",
        ),
        (
            "text-named-tags",
            "content/tags.md",
            "tags/index.html",
            "the list of tags",
        ),
        (
            "text-in-tags-folder",
            "content/tags/coalitions.md",
            "tags/coalitions/index.html",
            "the page of the tag `coalitions`",
        ),
    ] {
        let stderr = fails(case);
        let headline = format!("error: `{text}` and {other} would both be written to `{path}`");
        assert!(
            stderr.contains(&headline),
            "{case}: no {headline:?} in\n{stderr}"
        );
        assert!(stderr.contains(&format!("--> {text}:1:1")), "{stderr}");
        assert!(stderr.contains("help: "), "{stderr}");
        assert!(
            stderr.contains("1 error;"),
            "{case}: one mistake, one error\n{stderr}"
        );
    }
}

#[test]
fn a_text_in_the_assets_folder_is_refused() {
    let stderr = fails("text-in-assets-folder");
    assert!(
        stderr.contains(
            "the page of `content/assets/style.md` would be `assets/style/index.html`, in `assets/`, which is reserved for the theme's"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> content/assets/style.md:1:1"),
        "{stderr}"
    );
}

#[test]
fn a_text_named_glossary_is_refused_only_by_the_claim() {
    let site = copy_site(&fixture("sites/basic"));
    std::fs::write(
        site.path().join("content/glossary.md"),
        "---\ntitle: Our glossary\n---\n\nWords.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: `content/glossary.md` and the glossary would both be written to `glossary/index.html`"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 error;"), "{}", run.stderr);
}

/// Slugs are paths, so two texts cannot share one on a case-sensitive file system: the
/// likeliest confusion, `a.md` beside `a/index.md`, gives two pages (`a/` and `a/index/`),
/// neither replacing the other. (`output::claims` tests two texts claiming one path.)
#[test]
fn a_text_beside_a_folder_index_keeps_its_own_page() {
    let site = copy_site(&fixture("sites/basic"));
    let content = site.path().join("content");
    std::fs::create_dir_all(content.join("a")).unwrap_or_else(|e| panic!("{e}"));
    for (file, title) in [("a.md", "Outer A"), ("a/index.md", "Inner A")] {
        std::fs::write(
            content.join(file),
            format!("---\ntitle: {title}\n---\n\nBody.\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let public = build_ok(site.path(), &[]);
    assert!(read(&public.join("a/index.html")).contains("<h1>Outer A"));
    assert!(read(&public.join("a/index/index.html")).contains("<h1>Inner A"));
}
