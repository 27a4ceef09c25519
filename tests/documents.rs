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
    // The book's files are compressed: read them unzipped.
    let book = |dir: &PathBuf| unzipped_all(&dir.join("unit-1/first.epub"), "");
    assert!(
        book(&teacher).contains(SECRET),
        "the instructor EPUB lacks the note"
    );
    assert!(
        !book(&public).contains(SECRET),
        "the public EPUB has the note"
    );
    assert!(
        !contains(
            &std::fs::read(public.join("unit-1/first.epub")).unwrap_or_default(),
            SECRET
        ),
        "the public EPUB has the note"
    );
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

/// A note too long to print whole at the foot of its passage's page is an error at the
/// note in its sidecar, and no PDF is written; as endnotes it prints.
#[test]
fn a_note_too_long_for_its_page_is_an_error_at_the_note() {
    let site = copy_site(&fixture("sites/long-note"));
    let run = scholia(site.path(), &["handout", ".", "--pdf"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let err = &run.stderr;
    assert!(
        err.contains("the note `endless` does not fit on the page of its passage"),
        "{err}"
    );
    // The note in the sidecar: line 7, its `note:`.
    assert!(err.contains("content/texts/long.yaml:7:5"), "{err}");
    assert!(err.contains("help: shorten the note"), "{err}");
    assert!(!err.contains("`short`"), "the short note fits:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!site.path().join("handouts").exists(), "a PDF was written");
    // As endnotes, the same note prints (after the text, over as many pages as it needs).
    let config = site.path().join("content/_site.yaml");
    let yaml = support::read(&config).replace("paper: a4", "paper: a4\n  notes: end");
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let out = site.path().join("out");
    handout(site.path(), &out, &["--pdf"]);
    assert!(out.join("texts/long.pdf").is_file());
}

/// Runs `scholia handout` with `SOURCE_DATE_EPOCH` as given (unset when `None`).
fn handout_dated(site: &Path, out: &Path, extra: &[&str], epoch: Option<&str>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scholia"));
    command
        .args(["handout", ".", "-o"])
        .arg(out)
        .args(extra)
        .current_dir(site)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        command.env("SOURCE_DATE_EPOCH", e);
    }
    let run = command.output().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Two runs on the same site make the same bytes, EPUB and PDF: no clock, no random
/// identifier (the runs are a second apart, so zip times from the clock would differ).
/// `SOURCE_DATE_EPOCH` sets the date.
#[test]
fn epubs_and_pdfs_are_reproducible() {
    let site = copy_site(&fixture("sites/handouts"));
    let args = [
        "--pdf",
        "--epub",
        "--text",
        "unit-1/first",
        "--pack",
        "week-1",
    ];
    let (a, b, c) = (
        site.path().join("a"),
        site.path().join("b"),
        site.path().join("c"),
    );
    handout_dated(site.path(), &a, &args, None);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    handout_dated(site.path(), &b, &args, None);
    handout_dated(site.path(), &c, &args, Some("1700000000"));
    for file in [
        "unit-1/first.epub",
        "unit-1/first.pdf",
        "week-1.epub",
        "week-1.pdf",
    ] {
        let bytes = |dir: &Path| std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{e}"));
        assert!(bytes(&a) == bytes(&b), "{file} differs between two runs");
        assert!(bytes(&a) != bytes(&c), "{file} ignores SOURCE_DATE_EPOCH");
    }
    // The book's date is the text's (2024-01-02), or SOURCE_DATE_EPOCH's.
    let opf = |dir: &Path| unzipped(&dir.join("unit-1/first.epub"), "OEBPS/content.opf");
    assert!(opf(&a).contains(">2024-01-02T00:00:00Z<"), "{}", opf(&a));
    assert!(opf(&c).contains(">2023-11-14T22:13:20Z<"), "{}", opf(&c));
}

/// One file of a zip (an EPUB), as text.
fn unzipped(zip: &Path, name: &str) -> String {
    let file = std::fs::File::open(zip).unwrap_or_else(|e| panic!("{}: {e}", zip.display()));
    let mut archive = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{e}"));
    let mut entry = archive
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name} in {}: {e}", zip.display()));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap_or_else(|e| panic!("{e}"));
    text
}

/// Every file of a zip whose name ends with `suffix`, joined.
fn unzipped_all(zip: &Path, suffix: &str) -> String {
    let file = std::fs::File::open(zip).unwrap_or_else(|e| panic!("{}: {e}", zip.display()));
    let archive = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = archive
        .file_names()
        .filter(|n| n.ends_with(suffix))
        .map(String::from)
        .collect();
    names.iter().map(|n| unzipped(zip, n)).collect()
}

/// The words a PDF and an EPUB print themselves are the site's language's.
#[test]
fn a_french_site_gets_french_pdfs_and_epubs() {
    if support::missing(&[Tool::Pdftotext]) {
        return;
    }
    let site = copy_site(&fixture("sites/french"));
    let out = site.path().join("out");
    // A pack, for the cover and contents.
    let config = site.path().join("content/_site.yaml");
    let yaml = support::read(&config)
        + "packs:\n  - name: semaine-1\n    title: Semaine 1\n    texts: [textes/alliances, textes/coalitions]\n";
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    handout(site.path(), &out, &["--pdf", "--epub", "--instructor"]);
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let pdf = squash(&pages(&out.join("textes/alliances.pdf")).concat());
    let pack = squash(&pages(&out.join("semaine-1.pdf")).concat());
    for french in [
        "Page 1 sur",
        "Glossaire",
        "Licence : CC BY 4.0",
        "Source :",
        "1 avril 2017",
        "Contexte",
        "Définition",
    ] {
        assert!(pdf.contains(french), "no `{french}` in the PDF:\n{pdf}");
    }
    assert!(pack.contains("Sommaire"), "no contents title:\n{pack}");
    let english = [
        "Glossary",
        " of 1",
        " of 2",
        "Licence:",
        "Source:",
        "Context ",
        "Definition",
        "Contents",
        "Instructor",
        "Answer",
        "April",
    ];
    for word in english {
        assert!(!pdf.contains(word), "`{word}` in the PDF:\n{pdf}");
        assert!(!pack.contains(word), "`{word}` in the pack's PDF:\n{pack}");
    }
    let book = unzipped_all(&out.join("semaine-1.epub"), "html");
    for french in ["Glossaire", "Licence : CC BY 4.0", "Sommaire", "Contexte"] {
        assert!(book.contains(french), "no `{french}` in the EPUB:\n{book}");
    }
    // Words between tags (markup and the texts' own words aside).
    for word in english {
        let word = word.trim();
        assert!(
            !book.contains(&format!(">{word}<")) && !book.contains(&format!(">{word} ")),
            "`{word}` in the EPUB:\n{book}"
        );
    }
}

/// A text in a script the PDF fonts lack prints with a warning naming the characters,
/// not silently with empty boxes (Arabic is covered, by DejaVu Sans Mono).
#[test]
fn a_pdf_warns_of_characters_no_font_has() {
    let site = copy_site(&fixture("sites/handouts"));
    let text = site.path().join("content/unit-1/second.md");
    let md = support::read(&text) + "\nThe word 漢字 in Chinese.\n";
    std::fs::write(&text, md).unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["handout", ".", "--pdf", "-o", "out"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("that no font of scholia's PDFs has") && run.stderr.contains("漢"),
        "{}",
        run.stderr
    );
    // And the Arabic fixture, none.
    let arabic = copy_site(&fixture("sites/arabic"));
    let run = scholia(arabic.path(), &["handout", ".", "--pdf", "-o", "out"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("no font"), "{}", run.stderr);
}

/// A pack's PDF has a bookmark (the PDF's outline) for each of its texts, and links back to
/// each text's page online: read back with poppler's `pdftohtml -xml`, which lists the
/// outline and the link annotations.
#[test]
fn a_packs_pdf_has_a_bookmark_per_text_and_links_to_the_pages_online() {
    if support::missing(&[Tool::Pdftotext]) {
        return;
    }
    let site = copy_site(&fixture("sites/handouts"));
    let out = site.path().join("out");
    handout(site.path(), &out, &["--pdf", "--pack", "week-1"]);
    let pdf = out.join("week-1.pdf");
    let pdftohtml = support::tool(Tool::Pdftotext).with_file_name("pdftohtml");
    let run = Command::new(&pdftohtml)
        .args(["-xml", "-i", "-stdout", "-q"])
        .arg(&pdf)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", pdftohtml.display()));
    assert!(
        run.status.success(),
        "pdftohtml failed on {}",
        pdf.display()
    );
    let xml = String::from_utf8_lossy(&run.stdout);
    let outline = xml
        .split_once("<outline>")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("the PDF has no outline:\n{xml}"));
    let first = outline.find("The First Text");
    let second = outline.find("The Second Text");
    assert!(first.is_some() && second.is_some(), "{outline}");
    assert!(
        second < first,
        "the bookmarks follow the pack's order:\n{outline}"
    );
    for slug in ["unit-1/first", "unit-1/second"] {
        let href = format!("href=\"https://example.org/reader/{slug}/");
        assert!(xml.contains(&href), "no link to {slug} online:\n{xml}");
    }
}
