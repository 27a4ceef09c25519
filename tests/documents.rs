//! PDF and EPUB handouts (`scholia handout --pdf`, `--epub`), read back with the tools a
//! reader's machine has: `pdftotext` for the PDFs' text, `epubcheck` for the books.

use std::path::{Path, PathBuf};
use std::process::Command;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::support::{self, copy_site, fixture, repo, scholia, Tool};

/// Runs `scholia handout` in `site` into `out` with `extra`, asserting success.
fn handout(site: &Path, out: &Path, extra: &[&str]) {
    let out_s = out.to_string_lossy().into_owned();
    let mut args = vec!["handout", ".", "-o", &out_s];
    args.extend_from_slice(extra);
    let run = scholia(site, &args);
    assert_eq!(run.status, 0, "handout failed:\n{}", run.stderr);
}

/// The text of each page of a PDF (pdftotext, one run per page as `-f N -l N`).
fn pages(pdf: &Path) -> Vec<String> {
    let whole = pdftotext(pdf, &[]);
    let count = whole.matches('\u{c}').count();
    assert!(count > 0, "{} has no page", pdf.display());
    (1..=count)
        .map(|n| pdftotext(pdf, &["-f", &n.to_string(), "-l", &n.to_string()]))
        .collect()
}

fn pdftotext(pdf: &Path, range: &[&str]) -> String {
    let out = Command::new(support::tool(Tool::Pdftotext))
        .args(range)
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Letters only, lowercased: what survives line breaks, margin numbers, note numbers and
/// the PDF's spacing, so a passage can be found on its page.
fn letters(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first words of Markdown as a reader sees them (40 letters: a long footnote may go
/// on over the page): its text up to the first link,
/// image or code (whose words the handout may show differently).
fn opening(markdown: &str) -> String {
    let mut text = String::new();
    let options = Options::ENABLE_SMART_PUNCTUATION | Options::ENABLE_WIKILINKS;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) | Event::Code(_) => break,
            Event::End(pulldown_cmark::TagEnd::Paragraph) => break,
            _ => {}
        }
    }
    letters(&text).chars().take(40).collect()
}

/// The site at `dir` as scholia loads it (for its notes and questions).
fn load(dir: &Path, instructor: bool) -> scholia::site::Site {
    let options = scholia::config::BuildOptions {
        site_dir: dir.to_path_buf(),
        output: dir.join("public"),
        instructor,
        drafts: false,
        base_url: None,
    };
    let mut diags = scholia::diagnostics::Diagnostics::new();
    scholia::load::site(&options, &mut diags).unwrap_or_else(|e| panic!("{e}"))
}

/// The PDF of each bundled text holds every note and question; each note is on the page
/// where its passage ends (a footnote), and every page says "Page N of M".
#[test]
fn pdf_of_each_bundled_text_has_its_notes_on_their_passages_pages() {
    if support::missing(&[Tool::Pdftotext]) {
        return;
    }
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site = load(&repo(), false);
    let mut args = vec!["--pdf"];
    for t in &site.texts {
        args.extend(["--text", t.slug.as_str()]);
    }
    handout(&repo(), out.path(), &args);
    for text in &site.texts {
        let pdf = out.path().join(format!("{}.pdf", text.slug));
        let pages = pages(&pdf);
        let flat: Vec<String> = pages.iter().map(|p| letters(p)).collect();
        for (n, page) in pages.iter().enumerate() {
            let footer = format!("Page {} of {}", n + 1, pages.len());
            assert!(page.contains(&footer), "{}: no `{footer}`", pdf.display());
        }
        for note in &text.notes {
            let body = opening(&note.body);
            let on: Vec<usize> = (0..flat.len())
                .filter(|&p| flat[p].contains(&body))
                .collect();
            assert!(
                !on.is_empty(),
                "{}: note `{}` ({body}) is missing",
                text.slug,
                note.id
            );
            if let scholia::site::Selector::Quote(q) = &note.selector {
                // The passage's last letters, where the footnote's number is (few: a
                // passage may begin on the page before).
                let end: String = {
                    let l = letters(&q.exact);
                    let skip = l.chars().count().saturating_sub(12);
                    l.chars().skip(skip).collect()
                };
                assert!(
                    on.iter().any(|&p| flat[p].contains(&end)),
                    "{}: note `{}` is not on the page where its passage ends ({end})",
                    text.slug,
                    note.id
                );
            }
        }
        let all = flat.concat();
        for q in &text.questions {
            let q = opening(&q.body);
            assert!(all.contains(&q), "{}: question {q} is missing", text.slug);
        }
    }
}

/// The instructor's PDF holds the instructor's note; the public PDF does not, nor does
/// the public EPUB.
#[test]
fn only_the_instructor_pdf_has_instructor_notes() {
    if support::missing(&[Tool::Pdftotext]) {
        return;
    }
    const SECRET: &str = "SECRETWORD";
    let site = copy_site(&fixture("sites/basic"));
    let public = site.path().join("public-handouts");
    let teacher = site.path().join("teacher-handouts");
    let args = ["--pdf", "--epub", "--text", "unit-1/first"];
    handout(site.path(), &public, &args);
    handout(
        site.path(),
        &teacher,
        &[&args[..], &["--instructor"]].concat(),
    );
    let text = |dir: &PathBuf| pages(&dir.join("unit-1/first.pdf")).concat();
    assert!(
        text(&teacher).contains(SECRET),
        "the instructor PDF lacks the note"
    );
    assert!(
        text(&teacher).contains("INSTRUCTOR"),
        "the note is not marked"
    );
    assert!(
        !text(&public).contains(SECRET),
        "the public PDF has the note"
    );
    let book = std::fs::read(public.join("unit-1/first.epub")).unwrap_or_else(|e| panic!("{e}"));
    assert!(!contains(&book, SECRET), "the public EPUB has the note");
}

fn contains(bytes: &[u8], word: &str) -> bool {
    bytes.windows(word.len()).any(|w| w == word.as_bytes())
}

/// Typst markup in the site's words prints as written, and the PDF holds no file's
/// contents (the compiler may read none).
#[test]
fn typst_code_in_notes_prints_literally() {
    if support::missing(&[Tool::Pdftotext]) {
        return;
    }
    let site = copy_site(&fixture("sites/hostile-notes"));
    let out = site.path().join("out");
    handout(site.path(), &out, &["--pdf", "--text", "injection"]);
    let pdf = out.join("injection.pdf");
    // Whitespace as one space: the PDF breaks lines where it likes.
    let text = pages(&pdf)
        .concat()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Markdown still means Markdown (`*stars*` is emphasis, quotes curl); Typst means
    // nothing.
    for literal in [
        "HOSTILEMARK #read(“/etc/passwd”) and #import “@preview/x:0.1.0”: * then ] and $x$,",
        "<l> and @l, a backslash \\ and stars under tick // slash-slash #{ 1 + 1 }",
        "Title #set page(width: 1cm)",
        "#image(“/etc/hostname”) and #include “x.typ”.",
        "QUESTIONMARK #panic(“no”) and ] [ and $ question?",
        "then #read(“/etc/passwd”) as text",
        "#eval(\"1+1\")",
        "an item with $math$ and <label>",
        "another item @label ]",
        // The front matter and `_site.yaml` are not Markdown: as written.
        "Typst #import \"@preview/x:0.1.0\" title",
        "A \\ B",
        "Source: <src> @src // not a comment",
        "Licence: CC $BY$",
        "Hostile #read(\"/etc/passwd\") reader",
    ] {
        assert!(
            text.contains(literal),
            "`{literal}` is not printed as written:\n{text}"
        );
    }
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{e}"));
    assert!(!contains(&bytes, "root:x:0"), "the PDF holds /etc/passwd");
}

/// The EPUBs of a text and of a pack pass epubcheck with no error.
#[test]
fn epubs_of_a_text_and_a_pack_pass_epubcheck() {
    if support::missing(&[Tool::Java, Tool::Epubcheck]) {
        return;
    }
    let site = copy_site(&fixture("sites/handouts"));
    let out = site.path().join("out");
    handout(site.path(), &out, &["--epub", "--instructor"]);
    let hostile = copy_site(&fixture("sites/hostile-notes"));
    let hostile_out = hostile.path().join("out");
    handout(hostile.path(), &hostile_out, &["--epub"]);
    let verse = copy_site(&fixture("sites/verse"));
    let verse_out = verse.path().join("out");
    handout(
        verse.path(),
        &verse_out,
        &["--epub", "--text", "texts/poem"],
    );
    for book in [
        out.join("unit-1/first.epub"),
        out.join("week-1.epub"),
        hostile_out.join("injection.epub"),
        verse_out.join("texts/poem.epub"),
    ] {
        let run = Command::new(support::tool(Tool::Java))
            .arg("-jar")
            .arg(support::tool(Tool::Epubcheck))
            .args(["--json", "-"])
            .arg(&book)
            .output()
            .unwrap_or_else(|e| panic!("epubcheck: {e}"));
        let stdout = String::from_utf8_lossy(&run.stdout);
        // epubcheck prints a line before its JSON.
        let json = &stdout[stdout.find('{').unwrap_or(0)..];
        let report: serde_json::Value =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        let errors: Vec<String> = report["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| matches!(m["severity"].as_str(), Some("ERROR" | "FATAL")))
            .map(|m| format!("{} {} {}", m["ID"], m["message"], m["locations"]))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            book.display(),
            errors.join("\n")
        );
        assert!(
            run.status.success(),
            "{}: epubcheck failed:\n{stdout}",
            book.display()
        );
    }
}

/// A verse text's PDF prints each line on its own, with every 5th line's number in the
/// margin (pdftotext keeps the layout with `-layout`).
#[test]
fn a_verse_pdf_prints_its_lines_and_their_numbers() {
    if support::missing(&[Tool::Pdftotext]) {
        return;
    }
    let site = copy_site(&fixture("sites/verse"));
    let out = site.path().join("out");
    handout(site.path(), &out, &["--pdf", "--text", "texts/poem"]);
    let text = pdftotext(&out.join("texts/poem.pdf"), &["-layout"]);
    let numbered: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let (n, rest) = l.trim_start().split_once(' ')?;
            n.parse::<u32>().ok()?;
            Some((n.to_string(), rest.trim().to_string()))
        })
        .filter(|(n, _)| n.len() > 1 || n == "5")
        .collect();
    let expected = [
        ("5", "Beside the lake, beneath the trees,"),
        ("10", "Along the margin of a bay:"),
        ("15", "A poet could not but be gay,"),
        ("20", "In vacant or in pensive mood,"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, l)| (n.to_string(), l.to_string()))
        .collect();
    assert_eq!(numbered, expected, "{text}");
    assert!(text.contains("When all at once I saw a crowd,"), "{text}");
}
