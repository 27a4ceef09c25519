//! Rendering a text with its notes: marks, asides, paragraph numbers, and the promise
//! that annotation never changes the words.

use super::*;
use crate::anchor::TextQuoteSelector;
use crate::config::SiteConfig;
use crate::diagnostics::Source;
use crate::site::{Audience, FrontMatter, Glossary, NoteSpans, Selector, ThemeFiles};

fn note(id: &str, selector: Selector) -> Note {
    let src = Source::new("t.yaml", "");
    let span = Span::file(&src);
    Note {
        id: id.into(),
        selector,
        title: None,
        body: format!("About *{id}*."),
        tags: vec!["tag".into()],
        kind: NoteKind::Note,
        audience: Audience::All,
        at: NoteSpans {
            item: span.clone(),
            id: span.clone(),
            selector: span.clone(),
            body: span,
        },
    }
}

fn quote(id: &str, exact: &str) -> Note {
    note(
        id,
        Selector::Quote(TextQuoteSelector {
            exact: exact.into(),
            prefix: None,
            suffix: None,
        }),
    )
}

fn site_with(markdown: &str, notes: Vec<Note>) -> Site {
    let text = Text {
        slug: "t".into(),
        source: Source::new("t.md", markdown),
        body: 0..markdown.len(),
        meta: FrontMatter {
            title: "T".into(),
            ..FrontMatter::default()
        },
        notes,
        questions: Vec::new(),
    };
    Site {
        config: SiteConfig::default(),
        texts: vec![text],
        glossary: Glossary::default(),
        theme: ThemeFiles::default(),
        instructor: false,
    }
}

/// Renders the only text of a one-text site; panics on diagnostics.
fn render(markdown: &str, notes: Vec<Note>) -> RenderedText {
    let site = site_with(markdown, notes);
    let targets = Targets::new(&site);
    let mut diags = Diagnostics::new();
    let text = &site.texts[0];
    let page = Page::Text("t".into());
    let label = |d: &str| targets.label(d, &page);
    let anchored = crate::anchor::text(text, &label, false, &mut diags);
    let rendered = super::text(&site, text, &anchored, &targets, &mut diags);
    assert!(!diags.has_errors(), "{}", diags.render(false));
    rendered
}

/// The HTML with every mark and every notes block removed.
fn strip(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<div class=\"notes\">") {
        out.push_str(&rest[..i]);
        let mut depth = 0;
        let mut j = i;
        loop {
            let open = rest[j..].find("<div").map(|k| j + k);
            let close = rest[j..].find("</div>").map(|k| j + k);
            match (open, close) {
                (Some(o), Some(c)) if o < c => {
                    depth += 1;
                    j = o + 4;
                }
                (_, Some(c)) => {
                    depth -= 1;
                    j = c + 6;
                    if depth == 0 {
                        break;
                    }
                }
                _ => panic!("unbalanced notes block"),
            }
        }
        rest = &rest[j..];
    }
    out.push_str(rest);
    let mut clean = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find("<mark") {
        clean.push_str(&rest[..i]);
        let end = rest[i..].find('>').map_or(rest.len(), |k| i + k + 1);
        rest = &rest[end..];
    }
    clean.push_str(rest);
    clean.replace("</mark>", "")
}

const SAMPLE: &str = "\
## A heading

Most instances of *collective action* occur because one or [maybe two](https://example.org) states care.

- a list item with `some code` in it
- another item

> A block quote
> on two lines.

Last paragraph.
";

#[test]
fn paragraphs_are_numbered_and_headings_are_not() {
    let html = render(SAMPLE, Vec::new()).body;
    insta::assert_snapshot!(html);
}

#[test]
fn a_passage_crossing_formatting_gets_a_mark_per_piece() {
    let html = render(
        SAMPLE,
        vec![quote(
            "n1",
            "of collective action occur because one or maybe",
        )],
    )
    .body;
    let marks = html
        .matches("<mark class=\"passage\" data-note=\"n1\"")
        .count();
    assert_eq!(marks, 4, "{html}");
    assert_eq!(html.matches("id=\"mark-n1\"").count(), 1, "{html}");
    assert!(
        html.contains("<em><mark class=\"passage\" data-note=\"n1\">collective action</mark></em>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"https://example.org\"><mark class=\"passage\" data-note=\"n1\">maybe</mark> two</a>"), "{html}");
}

#[test]
fn overlapping_and_nested_passages_nest_marks() {
    let notes = vec![
        quote("outer", "one or maybe two states care"),
        quote("inner", "maybe two"),
        quote("cross", "two states"),
    ];
    let html = render(SAMPLE, notes).body;
    assert!(
        html.contains("<mark class=\"passage\" data-note=\"outer\"><mark class=\"passage\" data-note=\"inner\" id=\"mark-inner\">maybe </mark></mark>"),
        "{html}"
    );
    assert!(
        html.contains("<mark class=\"passage\" data-note=\"outer\"><mark class=\"passage\" data-note=\"inner\"><mark class=\"passage\" data-note=\"cross\" id=\"mark-cross\">two</mark></mark></mark>"),
        "{html}"
    );
}

#[test]
fn notes_sit_in_the_paragraph_where_their_passage_starts() {
    let html = render(
        SAMPLE,
        vec![
            quote("n1", "another item"),
            note("whole", Selector::Paragraph(5)),
        ],
    )
    .body;
    let item = html.find("id=\"p3\"").unwrap_or(0);
    let aside = html
        .find("<aside class=\"note note-note\" id=\"n1\"")
        .unwrap_or(0);
    let next = html.find("id=\"p4\"").unwrap_or(0);
    assert!(item < aside && aside < next, "{html}");
    assert!(html.contains("<div class=\"para\" id=\"p5\"><a class=\"pnum\" href=\"#p5\" aria-label=\"Paragraph 5\">5</a>\n<p><mark class=\"passage\" data-note=\"whole\" id=\"mark-whole\">Last paragraph.</mark></p>"), "{html}");
}

#[test]
fn annotation_never_changes_the_words() {
    let notes = vec![
        quote("a", "Most instances"),
        quote("b", "collective action occur"),
        quote("c", "with some code in"),
        quote("d", "block quote on two"),
        note("e", Selector::Paragraph(2)),
    ];
    let plain = render(SAMPLE, Vec::new()).body;
    let annotated = render(SAMPLE, notes).body;
    assert_ne!(plain, annotated);
    assert_eq!(strip(&annotated), plain);
}

#[test]
fn markup_in_quotes_and_notes_is_escaped() {
    let md = "Say <b>bold</b> & <script>x</script> here.";
    let html = render(md, vec![quote("n", "<b>bold</b> &")]).body;
    assert!(
        strip(&html).contains("Say &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<mark class=\"passage\" data-note=\"n\" id=\"mark-n\">&lt;b&gt;</mark>"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
}

#[test]
fn javascript_urls_are_defused() {
    let html = render(
        "[x](javascript:alert(1)) [y]( JavaScript:alert(1))",
        Vec::new(),
    )
    .body;
    assert!(!html.to_lowercase().contains("javascript:"), "{html}");
}

#[test]
fn code_blocks_are_highlighted_and_not_numbered() {
    let html = render("Intro.\n\n```rust\nfn main() {}\n```\n\nAfter.", Vec::new()).body;
    assert!(
        html.contains("<pre class=\"code\" tabindex=\"0\"><code class=\"language-rust\">"),
        "{html}"
    );
    assert!(html.contains("id=\"p2\""), "{html}");
    assert!(!html.contains("id=\"p3\""), "{html}");
}

#[test]
fn headings_get_ids_that_avoid_note_ids() {
    let rendered = render(
        "## Intro\n\nText here.\n\n## Intro",
        vec![quote("intro", "Text here")],
    );
    let ids: Vec<&str> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["intro-2", "intro-3"]);
}
