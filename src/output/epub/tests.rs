//! EPUB books: self-contained, escaped, with pop-up notes.

use super::*;
use crate::config::NotePlacement;
use crate::diagnostics::Diagnostics;
use crate::output::pdf::tests::{handout, load, settings};

#[test]
fn a_book_holds_its_chapters_notes_and_glossary() {
    let site = load("tests/sites/basic", false);
    let mut diags = Diagnostics::new();
    let doc = crate::pipeline::document(&site, &mut diags, &mut |_| {});
    let settings = settings(NotePlacement::Page);
    let h = handout(&doc, &["unit-1/first", "unit-1/second"], &settings);
    let book = render(&h).expect("an EPUB");
    assert!(book.starts_with(b"PK"));
    // For epubcheck by hand (target/ is the build's own folder).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/handouts");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("basic-pack.epub"), &book);
    // The zip stores the chapters uncompressed or deflated; the names are plain.
    let names = String::from_utf8_lossy(&book);
    for f in [
        "cover.xhtml",
        "text-1.xhtml",
        "text-2.xhtml",
        "glossary.xhtml",
    ] {
        assert!(names.contains(f), "{f} missing");
    }
}

#[test]
fn passages_get_note_references_and_hostile_text_is_escaped() {
    let body = body(
        "One <b>two</b> three.",
        &[(4..14, 1)],
        &|_| None,
        false,
        None,
    );
    assert_eq!(
        body,
        "<p><span class=\"para-number\">1</span>One <span class=\"passage\">&lt;b&gt;two&lt;/b&gt;</span>\
         <a epub:type=\"noteref\" class=\"noteref\" id=\"ref-1\" href=\"#note-1\">1</a> three.</p>\n"
    );
    // Allowed raw HTML is left out of the book, never passed through.
    let body = super::body(
        "One <b>two</b> <script>x</script>",
        &[],
        &|_| None,
        true,
        None,
    );
    assert!(!body.contains("<b>") && !body.contains("<script"), "{body}");
}

#[test]
fn links_out_of_the_book_become_words() {
    let html = fragment(
        "[web](https://e.org) [rel](../x.html) [[unit-1/first]] ![img](x.png)",
        &|_| Some("First".into()),
    );
    assert_eq!(
        html,
        "<p><a href=\"https://e.org\">web</a> rel First </p>\n"
    );
}

/// A verse text's book keeps its lines (a break, the indentation as non-breaking spaces)
/// and numbers every Nth; its passages are marked as in prose.
#[test]
fn verse_keeps_lines_and_numbers_them() {
    let md = "One line\n  two *lines*\nthree\n\nfour";
    let body = super::body(md, &[(4..18, 1)], &|_| None, false, Some(2));
    assert_eq!(
        body,
        "<p><span class=\"para-number\">1</span>One <span class=\"passage\">line</span><br />\n\
         <span class=\"line-number\">2</span>\u{a0}\u{a0}<span class=\"passage\">two </span><em><span class=\"passage\">lines</span>\
         <a epub:type=\"noteref\" class=\"noteref\" id=\"ref-1\" href=\"#note-1\">1</a></em><br />\nthree</p>\n\
         <p><span class=\"para-number\">2</span><span class=\"line-number\">4</span>four</p>\n"
    );
}
