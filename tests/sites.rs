//! Fixture sites built by the real binary: what pages they produce, and the promises
//! about instructor notes, drafts, relative links and the words of the text.

use std::path::Path;

use crate::support::{build_bundled, build_ok, copy_site, fixture, read, repo, scholia};

/// The part of a page between two markers, for focused snapshots.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let j = html[i..]
        .find(end)
        .map_or(html.len(), |j| i + j + end.len());
    &html[i..j]
}

#[test]
fn basic_site_pages() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    let first = read(&public.join("unit-1/first/index.html"));
    insta::assert_snapshot!(
        "basic_first_body",
        between(
            &first,
            "<div class=\"text-body\">",
            "<section class=\"notes-index\""
        )
    );
    let second = read(&public.join("unit-1/second/index.html"));
    insta::assert_snapshot!(
        "basic_second_body",
        between(&second, "<div class=\"text-body\">", "</div>\n  </div>")
    );
    let glossary = read(&public.join("glossary/index.html"));
    insta::assert_snapshot!(
        "basic_glossary",
        between(&glossary, "<dl class=\"terms\">", "</dl>")
    );
    let index = read(&public.join("index.html"));
    assert!(
        index.contains("href=\"unit-1/first/index.html\""),
        "{index}"
    );
    assert!(index.contains("The Second Text"));
    for asset in ["style.css", "scholia.js", "syntax.css"] {
        assert!(
            public.join("assets").join(asset).is_file(),
            "missing asset {asset}"
        );
    }
}

#[test]
fn instructor_notes_and_drafts_stay_out_of_public_builds() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    let all = all_text(&public);
    assert!(!all.contains("SECRETWORD"), "an instructor note leaked");
    assert!(
        !all.contains("teacher-only"),
        "an instructor note id leaked"
    );
    assert!(!all.contains("DRAFTWORD"), "a draft leaked");
    assert!(!public.join("draft").exists());

    let out = site.path().join("instructor");
    let run = scholia(
        site.path(),
        &["build", ".", "--instructor", "--drafts", "-o", "instructor"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let all = all_text(&out);
    assert!(all.contains("SECRETWORD"));
    assert!(all.contains("Instructor edition"));
    assert!(out.join("draft/index.html").is_file());
}

/// Every file of a built site as one string, for "does this leak anywhere" checks.
fn all_text(dir: &Path) -> String {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.path()).unwrap_or_default()).into_owned())
        .collect()
}

#[test]
fn crlf_and_byte_order_marks_work() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    let second = read(&public.join("unit-1/second/index.html"));
    assert!(second.contains("<h1>The Second Text</h1>"), "{second}");
    assert!(second.contains("data-note=\"answer\""));
    assert!(!second.contains('\r'));
}

/// Internal links are relative (never `/…`) and every one of them, with its fragment,
/// points at a page and an id that exist: the site works at a root, a subpath and from disk.
#[test]
fn every_internal_link_resolves() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    check_links(&public);
    let (_dir, bundled) = build_bundled(&[]);
    check_links(&bundled);
}

fn check_links(public: &Path) {
    let pages: Vec<_> = walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    assert!(!pages.is_empty());
    for page in &pages {
        let html = read(page);
        for href in attributes(&html, "href")
            .into_iter()
            .chain(attributes(&html, "src"))
        {
            if href.starts_with("http://")
                || href.starts_with("https://")
                || href.starts_with("mailto:")
            {
                continue;
            }
            assert!(
                !href.starts_with('/'),
                "{}: root-relative link {href}",
                page.display()
            );
            let (path, fragment) = href.split_once('#').unwrap_or((&href, ""));
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap_or(public).join(path)
            };
            assert!(target.is_file(), "{}: broken link {href}", page.display());
            if !fragment.is_empty() && target.extension().is_some_and(|x| x == "html") {
                let html = read(&target);
                assert!(
                    html.contains(&format!("id=\"{fragment}\"")),
                    "{}: link {href} names a missing fragment",
                    page.display()
                );
            }
        }
    }
}

fn attributes(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|j| rest[..j].replace("&amp;", "&"))
        })
        .collect()
}

/// The repository's own site builds, and every one of its notes is anchored.
#[test]
fn bundled_site_builds_with_every_note_anchored() {
    let (_dir, public) = build_bundled(&[]);
    for (slug, sidecar) in [
        ("texts/henke", "content/texts/henke.yaml"),
        ("texts/alliances", "content/texts/alliances.yaml"),
    ] {
        let yaml = read(&repo().join(sidecar));
        let public_notes =
            yaml.matches("\n  - ").count() - instructor_notes(&yaml) - questions(&yaml);
        let html = read(&public.join(slug).join("index.html"));
        let asides = html.matches("<aside class=\"note ").count();
        let anchored = html.matches(" id=\"mark-").count();
        assert!(public_notes >= 15, "{slug}: only {public_notes} notes");
        assert_eq!(asides, public_notes, "{slug}: notes shown");
        assert_eq!(anchored, public_notes, "{slug}: notes anchored");
    }
}

fn instructor_notes(yaml: &str) -> usize {
    yaml.matches("audience: instructor").count()
}

fn questions(yaml: &str) -> usize {
    yaml.split("\nquestions:")
        .nth(1)
        .map_or(0, |q| q.matches("\n  - ").count())
}

/// Stripping marks and notes from an annotated page gives the page without a sidecar.
#[test]
fn annotation_never_changes_the_words_of_the_bundled_texts() {
    let (_dir, annotated) = build_bundled(&[]);
    let bare = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    crate::support::copy_dir(&repo().join("content"), &bare.path().join("content"));
    // Without sidecars, the glossary's links to notes would dangle: it goes too.
    for file in ["texts/henke.yaml", "texts/alliances.yaml", "_glossary.yaml"] {
        std::fs::remove_file(bare.path().join("content").join(file))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let plain = build_ok(bare.path(), &[]);
    for slug in ["texts/henke", "texts/alliances"] {
        let with = read(&annotated.join(slug).join("index.html"));
        let without = read(&plain.join(slug).join("index.html"));
        let body =
            |html: &str| between(html, "<div class=\"text-body\">", "\n  </div>").to_string();
        assert_eq!(strip_annotations(&body(&with)), body(&without), "{slug}");
    }
}

/// Removes `<mark …>`/`</mark>` and every `<div class="notes">…</div>` block.
fn strip_annotations(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<div class=\"notes\">") {
        out.push_str(&rest[..i]);
        let mut depth = 0usize;
        let mut j = i;
        loop {
            let open = rest[j..].find("<div").map(|k| j + k);
            let close = rest[j..]
                .find("</div>")
                .map(|k| j + k)
                .unwrap_or_else(|| panic!("unbalanced"));
            match open {
                Some(o) if o < close => {
                    depth += 1;
                    j = o + 4;
                }
                _ => {
                    depth -= 1;
                    j = close + 6;
                    if depth == 0 {
                        break;
                    }
                }
            }
        }
        rest = &rest[j..];
    }
    out.push_str(rest);
    let mut clean = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find("<mark") {
        clean.push_str(&rest[..i]);
        rest = &rest[rest[i..].find('>').map_or(rest.len(), |k| i + k + 1)..];
    }
    clean.push_str(rest);
    clean.replace("</mark>", "")
}

#[test]
fn output_is_deterministic() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    let first = all_text(&public);
    build_ok(site.path(), &[]);
    assert_eq!(first, all_text(&public));
}
