//! Handouts: `scholia handout` (texts, packs, instructor editions, bad input), the public
//! build's `<slug>/handout/` pages, and printing a reader page.

use std::path::{Path, PathBuf};

use crate::support::{self, copy_site, fixture, read, scholia, site_files, Tool};

const SITE: &str = "sites/handouts";
/// In an instructor note of the fixture (`audience: instructor`).
const INSTRUCTOR_NOTE: &str = "SECRETWORD";
/// In an instructor question of the fixture (`instructor_questions:`).
const INSTRUCTOR_QUESTION: &str = "PROFQUESTION";

/// Runs `scholia handout` on a copy of the fixture into `out`, asserting success.
fn handouts(site: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let out_s = out.to_string_lossy().into_owned();
    let mut args = vec!["handout", ".", "-o", &out_s];
    args.extend_from_slice(extra);
    let run = scholia(site, &args);
    assert_eq!(run.status, 0, "handout failed:\n{}", run.stderr);
    out.to_path_buf()
}

/// The handout's HTML without what changes with the version.
fn normalized(html: &str) -> String {
    html.replace(
        concat!("scholia ", env!("CARGO_PKG_VERSION")),
        "scholia [VERSION]",
    )
}

/// Whether any byte of any file under `root` contains `word`.
fn anywhere(root: &Path, word: &str) -> Vec<String> {
    site_files(root)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(word.len()).any(|w| w == word.as_bytes()))
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn handouts_of_a_text_and_a_pack_snapshot() {
    let site = copy_site(&fixture(SITE));
    let out = handouts(site.path(), &site.path().join("handouts"), &[]);
    let files: Vec<String> = site_files(&out).into_keys().collect();
    assert_eq!(
        files,
        [
            ".scholia-output",
            "assets/handout.css",
            "unit-1/first.html",
            "unit-1/first.running-title.css",
            "unit-1/second.html",
            "unit-1/second.running-title.css",
            "week-1.html",
            "week-1.running-title.css",
        ]
    );
    let text = read(&out.join("unit-1/first.html"));
    insta::assert_snapshot!("handout_text", normalized(&text));
    let pack = read(&out.join("week-1.html"));
    insta::assert_snapshot!("handout_pack", normalized(&pack));
    // Letter paper and three answer lines, from `_site.yaml`.
    assert!(text.contains("paper-letter"), "{text}");
    assert_eq!(text.matches("class=\"answer-line\"").count(), 2 * 3);
    // A pack numbers its notes on through its texts: the second text's 1, the first's 2….
    assert!(pack.contains("<span class=\"h-note-number\">1</span>"));
    assert!(pack.contains("<span class=\"h-note-number\">5</span>"));
    assert!(pack.find("The Second Text") < pack.find("The First Text"));
    assert!(pack.contains("class=\"contents\""), "a pack has contents");
    // The glossary terms the texts cite, once each.
    assert_eq!(pack.matches("<dt>realism</dt>").count(), 1, "{pack}");
    let css = read(&out.join("week-1.running-title.css"));
    assert!(css.contains("content: \"Week 1\\3a  Coalitions\""), "{css}");
}

#[test]
fn paper_and_note_placement_follow_the_settings_and_the_command_line() {
    let site = copy_site(&fixture(SITE));
    let config = site.path().join("content/_site.yaml");
    let yaml = read(&config).replace("answer_lines: 3", "answer_lines: 0\n  notes: end");
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let out = site.path().join("out");
    handouts(
        site.path(),
        &out,
        &["--text", "unit-1/first", "--paper", "a4"],
    );
    let html = read(&out.join("unit-1/first.html"));
    assert!(html.contains("paper-a4 notes-end"), "{html}");
    assert!(html.contains("class=\"endnotes\""));
    assert!(!html.contains("answer-line"));
    assert!(!out.join("week-1.html").exists(), "only the text asked for");
}

/// `packs:` may be a mapping from names to packs, in the order written.
#[test]
fn packs_may_be_a_mapping_of_names() {
    let site = copy_site(&fixture(SITE));
    let config = site.path().join("content/_site.yaml");
    let yaml = read(&config);
    let at = yaml.find("packs:").unwrap_or(yaml.len());
    let packs = "packs:\n  week-2:\n    title: Week 2\n    texts: [unit-1/first]\n  \
                 week-1:\n    title: Week 1\n    texts: [unit-1/second, unit-1/first]\n";
    std::fs::write(&config, format!("{}{packs}", &yaml[..at])).unwrap_or_else(|e| panic!("{e}"));
    let out = site.path().join("out");
    handouts(site.path(), &out, &["--pack", "week-2"]);
    let html = read(&out.join("week-2.html"));
    assert!(html.contains("<h1>Week 2</h1>"), "{html}");
    assert!(!html.contains("The Second Text"));
    assert!(!out.join("week-1.html").exists());
}

/// Instructor notes and questions reach the instructor's edition and nothing else: not
/// the public handouts, not the public build's `<slug>/handout/` pages (every byte read).
#[test]
fn instructor_material_stays_in_the_instructor_edition() {
    let site = copy_site(&fixture(SITE));
    let public = handouts(site.path(), &site.path().join("handouts"), &[]);
    let instructor = handouts(
        site.path(),
        &site.path().join("handouts-instructor"),
        &["--instructor"],
    );
    let built = support::build_ok(site.path(), &[]);
    assert!(built.join("unit-1/first/handout/index.html").is_file());
    for word in [INSTRUCTOR_NOTE, INSTRUCTOR_QUESTION] {
        assert_eq!(anywhere(&public, word), Vec::<String>::new(), "{word}");
        assert_eq!(anywhere(&built, word), Vec::<String>::new(), "{word}");
        let found = anywhere(&instructor, word);
        assert!(
            found.contains(&"unit-1/first.html".to_string()),
            "{word}: {found:?}"
        );
        assert!(
            found.contains(&"week-1.html".to_string()),
            "{word}: {found:?}"
        );
    }
    let html = read(&instructor.join("unit-1/first.html"));
    assert!(html.contains("<span class=\"instructor-mark\">Instructor</span>"));
    assert!(html.contains("Instructor edition"));
    // The public build's reader page links to its handout.
    let page = read(&built.join("unit-1/first/index.html"));
    assert!(page.contains("<a href=\"handout/index.html\">Print / PDF</a>"));
}

/// The command's default folder, when `handout` runs without `-o`.
#[test]
fn handouts_go_to_their_own_folder_by_default() {
    let site = copy_site(&fixture(SITE));
    let run = scholia(site.path(), &["handout", ".", "--instructor"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(site
        .path()
        .join("handouts-instructor/week-1.html")
        .is_file());
    assert!(!site.path().join("handouts").exists());
    assert!(!site.path().join("public").exists());
}

/// A mistake: its name, the edit of `_site.yaml` (from, to) that makes it, the command's
/// further arguments, the exit status and words of the message.
type BadCase = (
    &'static str,
    Option<(&'static str, &'static str)>,
    &'static [&'static str],
    i32,
    &'static str,
);

/// Each mistake: its exit status, its message, and no file written.
#[test]
fn bad_handout_input_writes_nothing() {
    let cases: [BadCase; 8] = [
        (
            "unknown handout key",
            Some(("answer_lines: 3", "answer_lines: 3\n  papr: a4")),
            &[],
            1,
            "unknown key `papr`",
        ),
        (
            "bad paper",
            Some(("paper: letter", "paper: a5")),
            &[],
            1,
            "unknown value `a5`",
        ),
        (
            "too many answer lines",
            Some(("answer_lines: 3", "answer_lines: 500")),
            &[],
            1,
            "content/_site.yaml:8:17",
        ),
        (
            "empty pack",
            Some(("texts: [unit-1/second, unit-1/first]", "texts: []")),
            &[],
            1,
            "the pack `week-1` has no texts",
        ),
        (
            "pack naming a missing text",
            Some((
                "texts: [unit-1/second, unit-1/first]",
                "texts: [unit-1/secnd]",
            )),
            &[],
            1,
            "did you mean `unit-1/second`?",
        ),
        (
            "unknown --text",
            None,
            &["--text", "unit-1/frist"],
            2,
            "did you mean `unit-1/first`?",
        ),
        (
            "unknown --pack",
            None,
            &["--pack", "week-2"],
            2,
            "did you mean `week-1`?",
        ),
        (
            "bad --paper",
            None,
            &["--paper", "a5"],
            2,
            "invalid value 'a5'",
        ),
    ];
    for (name, edit, args, status, expected) in cases {
        let site = copy_site(&fixture(SITE));
        if let Some((from, to)) = edit {
            let config = site.path().join("content/_site.yaml");
            let yaml = read(&config);
            assert!(yaml.contains(from), "{name}: no `{from}` to replace");
            std::fs::write(&config, yaml.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
        }
        let mut all = vec!["handout", "."];
        all.extend_from_slice(args);
        let run = scholia(site.path(), &all);
        assert_eq!(run.status, status, "{name}:\n{}", run.stderr);
        assert!(run.stderr.contains(expected), "{name}:\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{name}:\n{}", run.stderr);
        assert!(
            !site.path().join("handouts").exists(),
            "{name}: wrote handouts"
        );
    }
    // Handouts never replace a built site; inside it, when asked, they may go.
    let site = copy_site(&fixture(SITE));
    let public = support::build_ok(site.path(), &[]);
    let run = scholia(site.path(), &["handout", ".", "-o", "public"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("refusing to write handouts"),
        "{}",
        run.stderr
    );
    assert!(public.join("index.html").is_file(), "the site was replaced");
    handouts(site.path(), &public.join("handouts"), &[]);
    assert!(public.join("index.html").is_file());
    assert!(public.join("handouts/week-1.html").is_file());
    // PDF and EPUB go where the HTML handouts go, and only they are written.
    let site = copy_site(&fixture(SITE));
    let run = scholia(
        site.path(),
        &["handout", ".", "--pdf", "--epub", "--text", "unit-1/first"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let out = site.path().join("handouts");
    assert!(out.join("unit-1/first.pdf").is_file() && out.join("unit-1/first.epub").is_file());
    assert!(!out.join("unit-1/first.html").exists());
}

/// Printing a reader page from the browser gives the text and its notes, without the
/// site's navigation, search or the link to the handout.
#[test]
fn printing_a_reader_page_leaves_out_the_navigation() {
    if support::missing(&[Tool::Chromium, Tool::Pdftotext]) {
        return;
    }
    use crate::support::browser::{file_url, launch, open};
    let chrome = launch();
    let tab = chrome.browser.new_tab().unwrap_or_else(|e| panic!("{e}"));
    open(&tab, &file_url("texts/henke/index.html"));
    let pdf = tab
        .print_to_pdf(None)
        .unwrap_or_else(|e| panic!("print: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("page.pdf");
    std::fs::write(&file, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(support::tool(Tool::Pdftotext))
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    assert!(out.status.success(), "pdftotext failed");
    // Words as printed, whatever the line breaks.
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = squash(&String::from_utf8_lossy(&out.stdout));
    let page = read(&crate::support::browser::site().join("texts/henke/index.html"));
    // What the page shows on screen and paper leaves out.
    for chrome_text in ["Skip to main content", "Search this reader", "Print / PDF"] {
        assert!(
            page.contains(chrome_text),
            "the page has no `{chrome_text}`"
        );
        assert!(
            !text.contains(chrome_text),
            "printed `{chrome_text}`:\n{text}"
        );
    }
    assert!(
        !text.contains("Notes in this text"),
        "printed the notes index"
    );
    // The text and its notes are there.
    let title = page
        .split("<h1>")
        .nth(1)
        .and_then(|s| s.split("</h1>").next())
        .unwrap_or_default();
    let title = squash(title);
    assert!(
        !title.is_empty() && text.contains(&title),
        "no title `{title}`:\n{text}"
    );
    assert!(text.contains("Discussion questions") || !page.contains("Discussion questions"));
}

/// A text `a/handout.md` keeps its page where `a.md`'s handout would go: the site still
/// builds, with a warning, and the page is the text's.
#[test]
fn a_text_named_handout_keeps_its_page() {
    let site = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let content = site.path().join("content");
    std::fs::create_dir_all(content.join("a")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(content.join("a.md"), "---\ntitle: A\n---\n\nText a.\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        content.join("a/handout.md"),
        "---\ntitle: Handouts\n---\n\nThe text named handout.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("gets no handout page"),
        "{}",
        run.stderr
    );
    let page = read(&site.path().join("public/a/handout/index.html"));
    assert!(page.contains("The text named handout."), "{page}");
    assert!(site
        .path()
        .join("public/a/handout/handout/index.html")
        .is_file());
}

/// Printing a handout (as a student does from its page): the paper of `_site.yaml`, the
/// running title and "Page X of Y" on every page, and each note on the page of its passage.
#[test]
fn a_printed_handout_has_its_paper_page_numbers_and_notes_by_their_passages() {
    if support::missing(&[Tool::Chromium, Tool::Pdftotext]) {
        return;
    }
    use crate::support::browser::{file_url_of, launch, open};
    let site = copy_site(&fixture(SITE));
    let out = handouts(
        site.path(),
        &site.path().join("handouts"),
        &["--text", "unit-1/first"],
    );
    let chrome = launch();
    let tab = chrome.browser.new_tab().unwrap_or_else(|e| panic!("{e}"));
    open(&tab, &file_url_of(&out, "unit-1/first.html"));
    let options = headless_chrome::types::PrintToPdfOptions {
        prefer_css_page_size: Some(true),
        ..Default::default()
    };
    let pdf = tab
        .print_to_pdf(Some(options))
        .unwrap_or_else(|e| panic!("print: {e}"));
    // US Letter, as `handout.paper: letter` says (A4 would be 595 × 842).
    let letter = b"/MediaBox [0 0 612 792]";
    assert!(
        pdf.windows(letter.len()).any(|w| w == letter),
        "not on letter paper"
    );
    let file = site.path().join("first.pdf");
    std::fs::write(&file, &pdf).unwrap_or_else(|e| panic!("{e}"));
    let run = std::process::Command::new(support::tool(Tool::Pdftotext))
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    assert!(run.status.success(), "pdftotext failed");
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = String::from_utf8_lossy(&run.stdout);
    // pdftotext ends each page with a form feed.
    let pages: Vec<String> = text
        .split('\u{c}')
        .map(squash)
        .filter(|p| !p.is_empty())
        .collect();
    assert!(!pages.is_empty());
    for (i, page) in pages.iter().enumerate() {
        let number = format!("Page {} of {}", i + 1, pages.len());
        assert!(page.contains(&number), "no `{number}` on:\n{page}");
        assert!(
            page.contains("The First Text"),
            "no running title on:\n{page}"
        );
    }
    for (passage, note) in [
        ("one or two", "The core claim."),
        (
            "bargain the others",
            "Overlaps the previous passage on purpose.",
        ),
        (
            "collective action in practice",
            "What does collective action mean here?",
        ),
        (
            "A block quote that a note can anchor to",
            "A note on the whole block quote.",
        ),
    ] {
        let at = |words: &str| pages.iter().position(|p| p.contains(words));
        assert!(at(note).is_some(), "`{note}` was not printed");
        assert_eq!(
            at(passage),
            at(note),
            "`{note}` is not on the page of `{passage}`"
        );
    }
    assert!(!pages.concat().contains(INSTRUCTOR_NOTE));
}

/// The ids of a page, in order (every `id="…"` attribute).
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect()
}

/// A pack's page holds several texts, each with its `p1` and notes: every id is unique
/// (each text's prefixed by its slug), and every link inside the page finds its id.
#[test]
fn a_pack_repeats_no_id_and_its_links_stay_inside() {
    let site = copy_site(&fixture(SITE));
    let out = handouts(
        site.path(),
        &site.path().join("handouts"),
        &["--instructor"],
    );
    let pack = read(&out.join("week-1.html"));
    let all = ids(&pack);
    let mut seen = std::collections::BTreeSet::new();
    for id in &all {
        assert!(seen.insert(*id), "the id `{id}` repeats in the pack");
    }
    assert!(all.contains(&"unit-1_first_p1") && all.contains(&"unit-1_second_p1"));
    assert!(all.contains(&"unit-1_first_intense"), "{all:?}");
    for href in pack.split(" href=\"#").skip(1) {
        let target = href.split('"').next().unwrap_or_default();
        assert!(seen.contains(target), "`#{target}` leads to no id");
    }
    // The first text's link to the second text's paragraph 2 goes to it in the page.
    assert!(
        pack.contains("href=\"#unit-1_second_p2\""),
        "{}",
        support::between(&pack, "States cooperate", "</p>")
    );
    // A text's own handout keeps the reader page's ids.
    let text = read(&out.join("unit-1/first.html"));
    assert!(ids(&text).contains(&"p1"));
}

/// A relative image (or link) in a text reaches the same file from the handout page,
/// one folder deeper than the reader page, as from the reader page.
#[test]
fn relative_images_resolve_from_the_handout_page() {
    let site = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let content = site.path().join("content/unit");
    std::fs::create_dir_all(&content).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        content.join("text.md"),
        "---\ntitle: Pictures\n---\n\nA map: ![the map](map.png), a [plan](../plan.pdf), \
         a [site](https://example.org/x.png) and ![logo](/logo.png).\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        content.join("text.yaml"),
        "annotations:\n  - quote: A map\n    note: See ![the key](key.png).\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let public = support::build_ok(site.path(), &[]);
    let base = url::Url::parse("https://example.org/site/").unwrap_or_else(|e| panic!("{e}"));
    let addresses = |page: &str| -> Vec<String> {
        let html = read(&public.join(page));
        let at = base.join(page).unwrap_or_else(|e| panic!("{e}"));
        html.split(" src=\"")
            .skip(1)
            .chain(html.split(" href=\"").skip(1))
            .filter_map(|s| s.split('"').next())
            .filter(|a| {
                !a.contains('#')
                    && ["map", "key", "plan", "https://example.org/x", "/logo"]
                        .iter()
                        .any(|w| a.contains(w))
            })
            .map(|a| at.join(a).map_or_else(|e| e.to_string(), |u| u.to_string()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let reader = addresses("unit/text/index.html");
    let handout = addresses("unit/text/handout/index.html");
    assert!(
        reader.contains(&"https://example.org/site/unit/text/map.png".to_string()),
        "{reader:?}"
    );
    assert_eq!(reader.len(), 5, "{reader:?}");
    assert_eq!(handout, reader);
}
