//! Fixture sites built by the real binary: what pages they produce, and the promises
//! about instructor notes, drafts, relative links and the words of the text.

use std::path::Path;

use crate::support;
use crate::support::{between, build_bundled, build_ok, copy_site, fixture, read, repo, scholia};

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
            support::asset(&public, asset).is_file(),
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
    // The term, as only the search index's (packed) shards hold it: unpacking works.
    assert!(all.contains("\"secretword\""));
    assert!(all.contains("Instructor edition"));
    assert!(out.join("draft/index.html").is_file());
}

/// Every file of a built site as one string, for "does this leak anywhere" checks; the
/// search index's packed records (deflated) with their JSON too.
fn all_text(dir: &Path) -> String {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let text =
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap_or_default()).into_owned();
            // `scholiaSearch.shard(3,"…");`: base85 has no quotes.
            let packed = text
                .strip_prefix("scholiaSearch.")
                .and_then(|t| Some(&t[t.find('"')? + 1..t.rfind('"')?]))
                .and_then(scholia::search::format::packed::json);
            text + &packed.unwrap_or_default()
        })
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
        // Hosts show it at any depth, so its links start at the domain's root (`/`), or
        // at `base_url` (tests/web.rs follows them from a subpath).
        if page == &public.join("404.html") {
            continue;
        }
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

/// The bundled reader's commentary stays shorter than what it comments on: for each text,
/// the words of all its notes (instructor notes included) are fewer than the words of the
/// text's body. The second edition cut the notes from twice the texts' length; this keeps
/// later additions honest.
#[test]
fn bundled_notes_are_shorter_than_their_texts() {
    let words = |s: &str| s.split_whitespace().count();
    for slug in ["henke", "alliances"] {
        let text = read(&repo().join(format!("content/texts/{slug}.md")));
        let body = text
            .splitn(3, "---\n")
            .nth(2)
            .unwrap_or_else(|| panic!("{slug}.md: no front matter"));
        let sidecar = read(&repo().join(format!("content/texts/{slug}.yaml")));
        let yaml: yaml_serde::Value =
            yaml_serde::from_str(&sidecar).unwrap_or_else(|e| panic!("{slug}.yaml: {e}"));
        let notes = yaml["annotations"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{slug}.yaml: no annotations"));
        let note_words: usize = notes
            .iter()
            .map(|a| words(a["note"].as_str().unwrap_or_default()))
            .sum();
        let text_words = words(body);
        assert!(
            notes.len() >= 15 && text_words > 500,
            "{slug}: the check needs a real text with notes ({} notes, {text_words} words)",
            notes.len()
        );
        assert!(
            note_words < text_words,
            "{slug}: {note_words} words of notes on {text_words} words of text"
        );
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
        assert_eq!(
            scholia::render::strip_marks(&without_notes(&body(&with))),
            body(&without),
            "{slug}"
        );
    }
}

/// `html` without its `<div class="notes">…</div>` elements (nested divs included).
fn without_notes(html: &str) -> String {
    const NOTES: &str = "<div class=\"notes\">";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(NOTES) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let mut depth = 0usize;
        let mut at = 0;
        let end = loop {
            let open = rest[at..].find("<div").map(|k| at + k);
            let Some(close) = rest[at..].find("</div>").map(|k| at + k) else {
                break rest.len();
            };
            match open {
                Some(o) if o < close => {
                    depth += 1;
                    at = o + 4;
                }
                _ => {
                    depth = depth.saturating_sub(1);
                    at = close + 6;
                    if depth == 0 {
                        break at;
                    }
                }
            }
        };
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn output_is_deterministic() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    let first = all_text(&public);
    build_ok(site.path(), &[]);
    assert_eq!(first, all_text(&public));
}

/// Texts in folders, sections, glossary autolinks and links in every direction.
mod crosslinks {
    use super::*;

    fn built() -> (tempfile::TempDir, std::path::PathBuf, crate::support::Run) {
        let site = copy_site(&fixture("sites/crosslinks"));
        let run = scholia(site.path(), &["build", "."]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let public = site.path().join("public");
        (site, public, run)
    }

    #[test]
    fn tags_that_differ_only_by_case_get_a_warning_naming_both() {
        let (_site, public, run) = built();
        assert!(
            run.stderr.contains(
                "warning: tag `Alliances` differs from tag `alliances` only by case or spacing"
            ),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("content/unit-1/war.yaml:2:3"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("`alliances` is used at content/unit-2/peace.yaml:2:3"),
            "{}",
            run.stderr
        );
        let tag = read(&public.join("tags/alliances/index.html"));
        assert!(tag.contains("2 notes in 2 texts"), "{tag}");
    }

    #[test]
    fn tag_pages_list_notes_grouped_by_text_with_excerpts() {
        let (_site, public, _) = built();
        let index = read(&public.join("tags/index.html"));
        insta::assert_snapshot!(
            "crosslinks_tags_index",
            between(&index, "<ul class=\"tag-cloud\">", "</ul>")
        );
        let tag = read(&public.join("tags/power/index.html"));
        insta::assert_snapshot!(
            "crosslinks_tag_power",
            between(&tag, "<section class=\"tag-group\"", "</article>")
        );
    }

    #[test]
    fn glossary_lists_what_cites_each_term_and_autolinks_first_uses() {
        let (_site, public, _) = built();
        let glossary = read(&public.join("glossary/index.html"));
        insta::assert_snapshot!(
            "crosslinks_glossary",
            between(&glossary, "<dl class=\"terms\">", "</dl>")
        );
        let war = read(&public.join("unit-1/war/index.html"));
        assert_eq!(
            war.matches("class=\"xref gloss\"").count(),
            2,
            "first use of each term only"
        );
        let heading = between(&war, "<h2 id=\"alliances-in-history\">", "</h2>");
        assert!(
            !heading.contains("<a"),
            "no autolinks in headings: {heading}"
        );
    }

    #[test]
    fn index_groups_texts_by_section_and_pages_have_breadcrumbs_and_pager() {
        let (_site, public, _) = built();
        let index = read(&public.join("index.html"));
        let two = index.find("Unit two").unwrap_or(usize::MAX);
        let one = index.find("Unit one").unwrap_or(0);
        assert!(two < one, "sections in their order");
        assert!(index.contains("Why states ally."));
        let war = read(&public.join("unit-1/war/index.html"));
        let crumbs = between(&war, "<nav class=\"breadcrumbs\"", "</nav>");
        assert!(
            crumbs.contains("href=\"../../index.html#section-unit-1\">Unit one</a>"),
            "{crumbs}"
        );
        assert!(index.contains("id=\"section-unit-1\""));
        assert!(
            war.contains("rel=\"prev\""),
            "peace (unit two) comes before war (unit one)"
        );
    }

    /// Every "Referenced by" (of a text, of a note) and "Cited in" (of a glossary term)
    /// entry shows the citing words, leads to a place that exists, and that place really
    /// links back; then every link of the site resolves.
    #[test]
    fn every_backlink_exists_and_points_back() {
        let (_site, public, _) = built();
        let checked = check_every_backlink(&public);
        assert!(
            checked[0] >= 2 && checked[1] >= 1 && checked[2] >= 2,
            "too few backlinks checked (notes, texts, glossary): {checked:?}"
        );
        check_links(&public);
        // And the bundled site, which has many of each.
        let (_dir, bundled) = crate::support::build_bundled(&[]);
        let checked = check_every_backlink(&bundled);
        assert!(
            checked[0] >= 20 && checked[1] >= 3 && checked[2] >= 20,
            "too few backlinks checked in the bundled site: {checked:?}"
        );
    }

    /// Checks every backlinks section of the built site `public`: how many entries of
    /// notes, texts and glossary terms it checked.
    fn check_every_backlink(public: &Path) -> [usize; 3] {
        let mut checked = [0; 3];
        for entry in walkdir::WalkDir::new(public)
            .into_iter()
            .filter_map(Result::ok)
        {
            let page = entry.path();
            if page.extension().is_none_or(|x| x != "html") {
                continue;
            }
            let html = read(page);
            let slug = page
                .parent()
                .and_then(|p| p.strip_prefix(public).ok())
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let id_before = |at: usize, tag: &str| -> String {
                let open = html[..at].rfind(tag).unwrap_or(0);
                html[open..]
                    .split("id=\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or("")
                    .to_string()
            };
            // A note's backlinks point back at the note.
            for (at, _) in html.match_indices("<details class=\"note-backlinks\">") {
                let key = format!("{slug}#{}", id_before(at, "<aside"));
                let section = between(&html[at..], "<details", "</details>");
                checked[0] += check_backlinks(page, public, section, &|t: &str| t == key);
            }
            // A text's backlinks point at the text or one of its paragraphs.
            if let Some(at) = html.find("<section class=\"backlinks\"") {
                let section = between(&html[at..], "<section", "</section>");
                let points_here = |t: &str| {
                    t == slug
                        || t.strip_prefix(&format!("{slug}#p"))
                            .is_some_and(|n| n.parse::<usize>().is_ok())
                };
                checked[1] += check_backlinks(page, public, section, &points_here);
            }
            // A glossary term's citations point at the term.
            for (at, _) in html.match_indices("<div class=\"cited-by\">") {
                let key = format!("glossary#{}", id_before(at, "<div class=\"term\""));
                let section = between(&html[at..], "<div", "</div>");
                checked[2] += check_backlinks(page, public, section, &|t: &str| t == key);
            }
        }
        checked
    }

    /// Checks the entries of one backlinks section on `page`; returns how many.
    fn check_backlinks(
        page: &Path,
        public: &Path,
        section: &str,
        points_here: &dyn Fn(&str) -> bool,
    ) -> usize {
        assert_eq!(
            section.matches("<li>").count(),
            section.matches("<span class=\"backlink-excerpt\">").count(),
            "an entry without an excerpt in {}: {section}",
            page.display()
        );
        assert!(
            !section.contains("glossary#"),
            "a raw link target: {section}"
        );
        let mut n = 0;
        for href in section
            .split("href=\"")
            .skip(1)
            .map(|h| h.split('"').next().unwrap_or(""))
        {
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = if path.is_empty() {
                page.to_path_buf()
            } else {
                page.parent().unwrap_or(public).join(path)
            };
            let target_html = read(&target);
            assert!(
                target_html.contains(&format!("id=\"{fragment}\"")),
                "{href} from {}: no such place",
                page.display()
            );
            // The citing place (a paragraph, a note, a term, the questions) links back.
            let place = place_of(&target_html, fragment);
            let back = place
                .split("data-target=\"")
                .skip(1)
                .filter_map(|r| r.split('"').next())
                .any(points_here);
            assert!(back, "{href} from {} does not link back", page.display());
            n += 1;
        }
        n
    }

    /// The HTML of the element with id `fragment`, up to the next element of the same kind.
    fn place_of<'a>(html: &'a str, fragment: &str) -> &'a str {
        let Some(at) = html.find(&format!("id=\"{fragment}\"")) else {
            return "";
        };
        let open = html[..at].rfind('<').unwrap_or(0);
        let tag: String = html[open + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let rest = &html[open..];
        let close = format!("</{tag}>");
        // Nested elements of the same kind (a paragraph's notes) end before it does.
        let mut depth = 0;
        let mut i = 0;
        while i < rest.len() {
            if rest[i..].starts_with(&format!("<{tag}")) {
                depth += 1;
            } else if rest[i..].starts_with(&close) {
                depth -= 1;
                if depth == 0 {
                    return &rest[..i + close.len()];
                }
            }
            i += rest[i..].chars().next().map_or(1, char::len_utf8);
        }
        rest
    }
}

/// Raw HTML: escaped unless the site trusts its authors, and then sanitized; never in notes.
#[test]
fn raw_html_is_sanitized_for_trusted_sites_and_escaped_in_notes() {
    let site = copy_site(&fixture("sites/raw-html"));
    let public = build_ok(site.path(), &[]);
    let html = read(&public.join("trusted/index.html"));
    let body = between(
        &html,
        "<div class=\"text-body\">",
        "<section class=\"notes-index\"",
    );
    assert!(body.contains("<span class=\"term\"><mark"), "{body}");
    assert!(
        body.contains("<abbr title=\"North Atlantic Treaty Organization\">NATO</abbr>"),
        "{body}"
    );
    for bad in [
        "onclick",
        "onmouseover",
        "onerror",
        "<script",
        "javascript:",
        "<style",
    ] {
        assert!(!body.contains(bad), "{bad} survived:\n{body}");
    }
    assert!(
        body.contains("A note with &lt;b&gt;markup&lt;/b&gt; and &lt;script&gt;"),
        "{body}"
    );

    std::fs::write(site.path().join("content/_site.yaml"), "title: Raw HTML\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let public = build_ok(site.path(), &[]);
    let html = read(&public.join("trusted/index.html"));
    assert!(
        html.contains("&lt;span class=\"term\" onclick=\"alert(1)\"&gt;"),
        "escaped by default"
    );
    assert!(!html.contains("<script>alert"), "no script by default");
}

/// Pages run under `default-src 'self'`: no inline script or style, nothing loaded from
/// elsewhere.
#[test]
fn pages_need_no_inline_code_and_nothing_from_elsewhere() {
    let (_dir, bundled) = build_bundled(&[]);
    let sites: Vec<tempfile::TempDir> = ["sites/basic", "sites/crosslinks", "sites/raw-html"]
        .iter()
        .map(|s| copy_site(&fixture(s)))
        .collect();
    let mut roots = vec![bundled];
    for s in &sites {
        roots.push(build_ok(s.path(), &[]));
    }
    for root in &roots {
        for entry in walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.extension().is_none_or(|x| x != "html") {
                continue;
            }
            let html = read(path);
            let lower = html.to_lowercase();
            assert!(
                !lower.contains(" style=\""),
                "{}: inline style attribute",
                path.display()
            );
            assert!(
                !lower.contains("<style"),
                "{}: style element",
                path.display()
            );
            for (i, _) in lower.match_indices("<script") {
                let tag = &lower[i..lower[i..].find('>').map_or(lower.len(), |j| i + j)];
                // JSON-LD is a data block: it never runs, and CSP lets it be.
                if tag == "<script type=\"application/ld+json\"" {
                    continue;
                }
                assert!(tag.contains(" src=\""), "{}: inline script", path.display());
                assert!(
                    lower[i..].starts_with(&format!("{tag}></script>")),
                    "{}: script with a body",
                    path.display()
                );
            }
            for attr in ["src", "href"] {
                for url in attributes(&html, attr) {
                    let external = url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with("//");
                    let is_anchor_link = html.contains(&format!("<a href=\"{url}\""))
                        || html.contains(&format!("class=\"source-link\" href=\"{url}\""));
                    assert!(
                        !external || is_anchor_link,
                        "{}: loads {url} from elsewhere",
                        path.display()
                    );
                }
            }
        }
    }
}

/// Tag pages and the home page stay small however large the site: past 100 notes (or
/// texts) the list goes on on further pages, linked both ways.
#[test]
fn long_tag_pages_and_home_pages_are_cut_into_pages() {
    let site = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let content = site.path().join("content");
    std::fs::create_dir_all(&content).unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: String| {
        std::fs::write(content.join(name), text).unwrap_or_else(|e| panic!("{e}"))
    };
    write("_site.yaml", "title: Many\n".into());
    for i in 1..=101 {
        write(
            &format!("t{i:03}.md"),
            format!("---\ntitle: Text {i:03}\n---\n\nThe words of text {i}.\n"),
        );
    }
    let paragraphs: String = (1..=105).map(|n| format!("Paragraph {n}.\n\n")).collect();
    write(
        "t001.md",
        format!("---\ntitle: Text 001\n---\n\n{paragraphs}"),
    );
    let notes: String = (1..=105)
        .map(|n| format!("  - para: {n}\n    tags: [many]\n    note: On paragraph {n}.\n"))
        .collect();
    write("t001.yaml", format!("annotations:\n{notes}"));
    let public = build_ok(site.path(), &[]);

    let home = read(&public.join("index.html"));
    assert_eq!(home.matches("class=\"text-card\"").count(), 100, "{home}");
    assert!(
        home.contains("<link rel=\"next\" href=\"index-2.html\">"),
        "{home}"
    );
    let home2 = read(&public.join("index-2.html"));
    assert_eq!(home2.matches("class=\"text-card\"").count(), 1, "{home2}");
    assert!(home2.contains("Text 101"), "{home2}");
    assert!(home2.contains("rel=\"prev\""), "{home2}");
    assert!(
        home2.contains("href=\"index.html\" rel=\"prev\""),
        "{home2}"
    );

    let tag = read(&public.join("tags/many/index.html"));
    assert_eq!(tag.matches("class=\"tagged-note ").count(), 100, "{tag}");
    assert!(tag.contains("105 notes in 1 text. Page 1 of 2."), "{tag}");
    assert!(
        tag.contains("<link rel=\"next\" href=\"../../tags/many/2/index.html\">"),
        "{tag}"
    );
    assert!(
        !tag.contains("<aside"),
        "no note's HTML on a tag page: {tag}"
    );
    let tag2 = read(&public.join("tags/many/2/index.html"));
    assert_eq!(tag2.matches("class=\"tagged-note ").count(), 5, "{tag2}");
    assert!(
        tag2.contains("href=\"../../../t001/index.html#mark-"),
        "{tag2}"
    );
    assert!(
        tag2.contains("<link rel=\"prev\" href=\"../../../tags/many/index.html\">"),
        "{tag2}"
    );
}

/// A site may override one partial alone: its `note.html` shows every note, placed by
/// the built-in `text.html` at the end of the note's paragraph, with the built-in
/// `tag-list.html` it includes.
#[test]
fn a_site_overrides_the_note_partial_alone() {
    let site = copy_site(&fixture("sites/note-partial"));
    let public = build_ok(site.path(), &[]);
    let text = read(&public.join("only/index.html"));
    let p1 = text.find("id=\"p1\"").unwrap_or(usize::MAX);
    let note = text
        .find("<div class=\"notes\"><aside class=\"my-note\" id=\"action\"><p class=\"my-note-title\">What it means</p><p>Acting <em>together</em>.</p>\n<ul class=\"note-tags\" aria-label=\"Tags\"><li><a href=\"../tags/theory/index.html\" rel=\"tag\">theory</a></li></ul></aside></div></div>")
        .unwrap_or_else(|| panic!("the site's note.html shows the note: {text}"));
    let p2 = text.find("id=\"p2\"").unwrap_or(0);
    assert!(p1 < note && note < p2, "{text}");
    assert!(!text.contains("class=\"note note-"), "{text}");
    assert!(
        text.contains("<li class=\"note-note\"><a href=\"#action\">"),
        "{text}"
    );
}

/// A site's own theme and templates override the built-in theme file by file.
#[test]
fn site_themes_override_the_built_in_theme_file_by_file() {
    let site = copy_site(&fixture("sites/themed"));
    let public = build_ok(site.path(), &[]);
    let index = read(&public.join("index.html"));
    assert!(
        index.contains("<h1 class=\"my-index\">Themed: 1 text</h1>"),
        "{index}"
    );
    assert!(
        index.contains("class=\"site-override\""),
        "templates/ overrides the theme's base.html: {index}"
    );
    let text = read(&public.join("only/index.html"));
    assert!(
        text.contains("<div class=\"para\" id=\"p1\">"),
        "text.html still comes from the built-in theme"
    );
    let extra = support::asset(&public, "extra.css");
    assert!(read(&extra).contains("rebeccapurple"));
    assert!(
        support::asset(&public, "scholia.js").is_file(),
        "built-in assets stay"
    );
    // The overriding base.html links the theme's files by their fingerprinted names.
    let name = extra.file_name().map(|n| n.to_string_lossy().into_owned());
    assert!(
        index.contains(&format!("assets/{}\"", name.unwrap_or_default())),
        "{index}"
    );
}

/// Notes on headings and code: quotes in headings and in highlighted code, `lines:` of
/// fenced and indented code, tabs and a long line kept as written.
#[test]
fn notes_on_headings_and_code() {
    let site = copy_site(&fixture("sites/code"));
    let public = build_ok(site.path(), &[]);
    let page = read(&public.join("texts/program/index.html"));
    let body = between(
        &page,
        "<div class=\"text-body\">",
        "<section class=\"notes-index\"",
    );
    insta::assert_snapshot!("code_body", body);
    for id in [
        "closely",
        "docstring",
        "python-lines",
        "tabs",
        "long-line",
        "shell",
        "heading-rust",
    ] {
        assert!(body.contains(&format!("id=\"mark-{id}\"")), "{id}: {body}");
        assert!(
            body.contains(&format!("<aside class=\"note note-note\" id=\"{id}\"")),
            "{id}"
        );
    }
    // The tab and the long line are written as they are, marks or not.
    assert!(
        body.contains("\t<span class=\"hl-storage hl-type hl-rust\"><mark"),
        "{body}"
    );
    assert!(body.contains("<mark class=\"passage\" data-note=\"shell\" aria-details=\"shell\" id=\"mark-shell\">echo done</mark>"), "{body}");
    // Headings and code are not numbered: three paragraphs in all.
    assert!(
        body.contains("id=\"p3\"") && !body.contains("id=\"p4\""),
        "{body}"
    );
    check_links(&public);
}

/// Verse (`layout: verse`): every line kept, in the DOM as `#lN`, every Nth numbered
/// (the site's 5, a text's own 2); notes by quote over lines and by `lines:`; cross-links
/// to lines; headings between stanzas.
#[test]
fn verse_lines_notes_and_links() {
    let site = copy_site(&fixture("sites/verse"));
    let public = build_ok(site.path(), &[]);
    let page = read(&public.join("texts/poem/index.html"));
    let body = between(
        &page,
        "<div class=\"text-body\">",
        "<section class=\"notes-index\"",
    );
    insta::assert_snapshot!("verse_body", body);
    for n in 1..=24 {
        assert!(
            body.contains(&format!("id=\"l{n}\" href=\"#l{n}\" data-n=\"{n}\"")),
            "l{n}: {body}"
        );
    }
    assert!(!body.contains("id=\"l25\""), "{body}");
    let numbered: Vec<&str> = body
        .match_indices("class=\"verse-line numbered\" id=\"")
        .map(|(i, m)| &body[i + m.len()..i + m.len() + 3])
        .collect();
    assert_eq!(numbered, ["l5\"", "l10", "l15", "l20"], "{body}");
    // Four stanzas, four paragraphs.
    assert!(
        body.contains("id=\"p4\"") && !body.contains("id=\"p5\""),
        "{body}"
    );
    for id in [
        "lonely",
        "host",
        "stars",
        "sprightly",
        "jocund",
        "inward-eye",
    ] {
        assert!(body.contains(&format!("id=\"mark-{id}\"")), "{id}: {body}");
    }
    // Lines 7 to 9: a mark on each line.
    assert_eq!(body.matches("data-note=\"stars\"").count(), 3, "{body}");
    // Each line is a link to itself; only those whose number shows (and line 1) are named
    // and in the tab order, the others hidden from assistive technology.
    assert!(body.contains("<a class=\"verse-line\" id=\"l1\" href=\"#l1\" data-n=\"1\" aria-label=\"Line 1\"></a>"), "{body}");
    assert!(body.contains("<a class=\"verse-line numbered\" id=\"l10\" href=\"#l10\" data-n=\"10\" aria-label=\"Line 10\"></a>"), "{body}");
    assert!(body.contains("<a class=\"verse-line\" id=\"l11\" href=\"#l11\" data-n=\"11\" tabindex=\"-1\" aria-hidden=\"true\"></a>"), "{body}");
    // The notes index and the note's Cite link name a note's place by its lines.
    let index = between(&page, "<section class=\"notes-index\"", "</section>");
    for (id, place) in [
        ("lonely", "l. 1"),
        ("host", "ll. 3–4"),
        ("stars", "ll. 7–9"),
        ("sprightly", "l. 12"),
    ] {
        assert!(
            index.contains(&format!("href=\"#{id}\">"))
                && index.contains(&format!("<span class=\"para-ref\">{place}</span>")),
            "{id} at {place}: {index}"
        );
    }
    assert!(!index.contains('¶'), "{index}");
    assert!(
        page.contains("href=\"#stars\" data-cite=\"note\" data-para=\"2\" data-lines=\"7-9\""),
        "{page}"
    );
    let charter = read(&public.join("texts/charter/index.html"));
    assert!(
        charter.contains("class=\"verse-line numbered\" id=\"l2\"")
            && charter.contains("class=\"verse-line\" id=\"l3\"")
            && charter.contains("class=\"verse-line numbered\" id=\"l4\""),
        "{charter}"
    );
    let essay = read(&public.join("texts/essay/index.html"));
    assert!(
        essay.contains("href=\"../../texts/poem/index.html#l12\" data-target=\"texts/poem#l12\">I Wandered Lonely as a Cloud, l. 12</a>"),
        "{essay}"
    );
    assert!(
        essay.contains("href=\"../../texts/charter/index.html#l3\""),
        "{essay}"
    );
    check_links(&public);
}
