//! Rendering a text with its notes: marks, asides, paragraph numbers, and the promise
//! that annotation never changes the words.

use super::*;
use crate::config::SiteConfig;
use crate::diagnostics::Source;
use crate::diagnostics::{Diagnostics, Span};
use crate::site::TextQuoteSelector;
use crate::site::{Audience, FrontMatter, Glossary, NoteSpans, Selector, ThemeFiles};
use crate::site::{Note, NoteKind};

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
        instructor_questions: Vec::new(),
    };
    Site {
        config: SiteConfig::default(),
        texts: vec![text],
        glossary: Glossary::default(),
        sections: Default::default(),
        theme: ThemeFiles::default(),
        instructor: false,
    }
}

/// A rendered text, its body joined with a stand-in for each note's partial.
struct Rendered {
    body: String,
    parts: Vec<Part>,
    headings: Vec<Heading>,
}

/// Renders the only text of a one-text site; panics on diagnostics.
fn render(markdown: &str, notes: Vec<Note>) -> Rendered {
    let (rendered, messages) = build_like_the_pipeline(markdown, notes);
    assert!(messages.is_empty(), "{messages:?}");
    rendered
}

/// The body as a page shows it, with the partial for notes reduced to its aside.
fn joined(parts: &[Part], doc: &TextDoc) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Html(h) => h.clone(),
            Part::Notes(notes) => {
                let asides: String = notes
                    .iter()
                    .map(|&i| {
                        let n = &doc.notes[i];
                        format!(
                            "<aside class=\"note note-{}\" id=\"{}\"></aside>",
                            n.kind.name(),
                            n.id
                        )
                    })
                    .collect();
                format!("<div class=\"notes\">{asides}</div>")
            }
        })
        .collect()
}

fn strip(r: &Rendered) -> String {
    super::strip_annotations(&r.parts)
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
        .matches("<mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\"")
        .count();
    assert_eq!(marks, 4, "{html}");
    assert_eq!(html.matches("id=\"mark-n1\"").count(), 1, "{html}");
    assert!(
        html.contains("<em><mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\">collective action</mark></em>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"https://example.org\"><mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\">maybe</mark> two</a>"), "{html}");
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
        html.contains("<mark class=\"passage\" data-note=\"outer\" aria-details=\"outer\"><mark class=\"passage\" data-note=\"inner\" aria-details=\"inner\" id=\"mark-inner\">maybe </mark></mark>"),
        "{html}"
    );
    assert!(
        html.contains("<mark class=\"passage\" data-note=\"outer\" aria-details=\"outer\"><mark class=\"passage\" data-note=\"inner\" aria-details=\"inner\"><mark class=\"passage\" data-note=\"cross\" aria-details=\"cross\" id=\"mark-cross\">two</mark></mark></mark>"),
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
    assert!(html.contains("<div class=\"para\" id=\"p5\"><a class=\"pnum\" href=\"#p5\" aria-label=\"Paragraph 5\">5</a>\n<p><mark class=\"passage\" data-note=\"whole\" aria-details=\"whole\" id=\"mark-whole\">Last paragraph.</mark></p>"), "{html}");
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
    let annotated = render(SAMPLE, notes);
    assert_ne!(plain, annotated.body);
    assert_eq!(strip(&annotated), plain);
}

/// Anchors, links and renders as the pipeline does: paragraph counts become known
/// between anchoring and linking. Returns the rendering and the diagnostics' messages.
fn build_like_the_pipeline(markdown: &str, notes: Vec<Note>) -> (Rendered, Vec<String>) {
    build_site_like_the_pipeline(site_with(markdown, notes))
}

/// [`build_like_the_pipeline`] for a text with `layout: verse`.
fn build_verse(markdown: &str, notes: Vec<Note>) -> (Rendered, Vec<String>) {
    let mut site = site_with(markdown, notes);
    site.texts[0].meta.layout = crate::site::Layout::Verse;
    build_site_like_the_pipeline(site)
}

fn build_site_like_the_pipeline(site: Site) -> (Rendered, Vec<String>) {
    let mut targets = Targets::new(&site);
    let mut diags = Diagnostics::new();
    let text = &site.texts[0];
    let page = Page::Text("t".into());
    let anchored = {
        let label = |d: &str| targets.label(d, &page);
        crate::anchor::text(text, &label, false, &mut diags)
    };
    targets.set_paragraphs("t", anchored.reading.paragraphs.len());
    targets.set_lines("t", anchored.reading.lines.len());
    let doc = crate::link::document(&site, vec![anchored], Vec::new(), &targets, &mut diags);
    let html = super::text(&site, &doc.texts[0], &targets, &[]);
    let messages = diags.iter().map(|d| d.message.clone()).collect();
    let rendered = Rendered {
        body: joined(&html.body, &doc.texts[0]),
        parts: html.body,
        headings: html.headings,
    };
    (rendered, messages)
}

/// A link to a paragraph of its own text that does not exist is found out only after
/// anchoring: both stages must still read the same words, or marks land elsewhere
/// (fuzz/regressions/markdown/unresolved-self-link-drops-words.md).
#[test]
fn a_broken_link_to_an_own_paragraph_reads_the_same_in_both_stages() {
    let md = "Only paragraph, see [[t#p3]] and the words after it.\n";
    let (rendered, errors) = build_like_the_pipeline(md, vec![quote("n1", "the words after")]);
    let annotated = &rendered.body;
    assert_eq!(
        errors,
        ["broken cross-link: `t` has no paragraph 3"],
        "{annotated}"
    );
    assert!(
        annotated.contains("<p>Only paragraph, see ¶3 and <mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\" id=\"mark-n1\">the words after</mark> it.</p>"),
        "{annotated}"
    );
    let (plain, _) = build_like_the_pipeline(md, Vec::new());
    let plain = plain.body;
    assert_eq!(strip(&rendered), plain);
    // The broken link is left out, start and end: only the paragraph number is a link.
    assert_eq!(plain.matches("</a>").count(), 1, "{plain}");
}

#[test]
fn markup_in_quotes_and_notes_is_escaped() {
    let md = "Say <b>bold</b> & <script>x</script> here.";
    let rendered = render(md, vec![quote("n", "<b>bold</b> &")]);
    let html = &rendered.body;
    assert!(
        strip(&rendered).contains("Say &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<mark class=\"passage\" data-note=\"n\" aria-details=\"n\" id=\"mark-n\">&lt;b&gt;bold&lt;/b&gt; &amp;</mark>"),
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

#[test]
fn a_quote_in_a_heading_is_marked_across_its_formatting_and_its_note_follows_it() {
    let md = "# foo *bar* \\*baz\\*\n\nFirst paragraph.\n";
    let rendered = render(md, vec![quote("n1", "bar *baz")]);
    let html = &rendered.body;
    assert!(
        html.contains("<h1 id=\"foo-bar-baz\">foo <em><mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\" id=\"mark-n1\">bar</mark></em><mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\"> </mark><mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\">*baz</mark>*</h1><div class=\"notes\"><aside class=\"note note-note\" id=\"n1\"></aside></div>\n<div class=\"para\" id=\"p1\">"),
        "{html}"
    );
    // Not numbered: the paragraph after it is still the first.
    assert!(!html.contains("id=\"p2\""), "{html}");
    assert_eq!(strip(&rendered), render(md, Vec::new()).body);
}

#[test]
fn a_quote_in_code_is_marked_across_the_highlighting_and_keeps_the_white_space() {
    let long = "x".repeat(300);
    let md = format!(
        "Intro.\n\n```rust\nfn main() {{\n\tlet s = \"a < b\";\n\t{long}();\n}}\n```\n\nAfter.\n"
    );
    let notes = vec![quote("n1", "main() { let s"), quote("n2", "< b")];
    let rendered = render(&md, notes);
    let html = &rendered.body;
    let pre = &html[html.find("<pre").unwrap_or(0)..html.find("</pre>").unwrap_or(0)];
    assert!(pre.matches("data-note=\"n1\"").count() > 1, "{pre}");
    assert!(pre.contains("id=\"mark-n1\""), "{pre}");
    assert!(pre.contains("id=\"mark-n2\">&lt; b</mark>"), "{pre}");
    assert!(pre.contains("\t"), "tabs are kept: {pre}");
    assert!(pre.contains(&long), "{pre}");
    // The notes follow the block, outside the `<pre>`.
    let aside = html.find("<aside").unwrap_or(0);
    assert!(aside > html.find("</pre>").unwrap_or(usize::MAX), "{html}");
    assert!(aside < html.find("id=\"p2\"").unwrap_or(0), "{html}");
    assert_eq!(strip(&rendered), render(&md, Vec::new()).body);
}

#[test]
fn a_quote_in_plain_and_indented_code_is_marked() {
    let md = "    if a &lt; b:\n    \treturn  a\n\n```\nplain <text>\n```\n";
    let rendered = render(md, vec![quote("n1", "return a"), quote("n2", "<text>")]);
    let html = &rendered.body;
    assert!(
        html.contains("\t<mark class=\"passage\" data-note=\"n1\" aria-details=\"n1\" id=\"mark-n1\">return  a</mark>\n"),
        "{html}"
    );
    assert!(
        html.contains("plain <mark class=\"passage\" data-note=\"n2\" aria-details=\"n2\" id=\"mark-n2\">&lt;text&gt;</mark>"),
        "{html}"
    );
    assert_eq!(strip(&rendered), render(md, Vec::new()).body);
}

#[test]
fn a_quote_in_code_inside_a_list_item_is_marked_in_its_paragraph() {
    let md = "- Run this:\n\n  ```sh\n  echo hello\n  ```\n";
    let rendered = render(md, vec![quote("n1", "echo hello")]);
    let html = &rendered.body;
    assert!(html.contains("id=\"mark-n1\""), "{html}");
    let aside = html.find("<aside").unwrap_or(0);
    assert!(aside > html.find("</pre>").unwrap_or(usize::MAX), "{html}");
    assert!(aside < html.find("</li>").unwrap_or(0), "{html}");
}

#[test]
fn lines_anchor_whole_lines_of_the_chosen_code_block() {
    let md = "```\none\n  two\nthree\n```\n\nProse.\n\n    a\n    b\n";
    let lines = |block, first, last| {
        note(
            &format!("l{first}"),
            Selector::Lines {
                block,
                lines: first..=last,
            },
        )
    };
    let rendered = render(md, vec![lines(Some(1), 2, 3), lines(Some(2), 1, 1)]);
    let html = &rendered.body;
    assert!(
        html.contains("one\n  <mark class=\"passage\" data-note=\"l2\" aria-details=\"l2\" id=\"mark-l2\">two\nthree</mark>\n</code></pre>"),
        "{html}"
    );
    assert!(
        html.contains("<code><mark class=\"passage\" data-note=\"l1\" aria-details=\"l1\" id=\"mark-l1\">a</mark>\nb\n</code>"),
        "{html}"
    );
    let (_, errors) = build_like_the_pipeline(md, vec![lines(None, 1, 1)]);
    assert_eq!(
        errors,
        ["the text has 2 code blocks: which one are these lines in?"]
    );
    let (_, errors) = build_like_the_pipeline(md, vec![lines(Some(1), 3, 4)]);
    assert_eq!(errors, ["code block 1 has no line 4"]);
    let (_, errors) = build_like_the_pipeline("Prose.\n", vec![lines(None, 1, 1)]);
    assert_eq!(
        errors,
        ["`lines:` annotates lines of a code block, and this text has none"]
    );
}

const POEM: &str = "\
I wandered *lonely* as a cloud
    That floats on high
When all at once

  Continuous as the stars
\tAnd twinkle
Along the margin
";

fn lines(id: &str, first: usize, last: usize) -> Note {
    note(
        id,
        Selector::Lines {
            block: None,
            lines: first..=last,
        },
    )
}

#[test]
fn verse_lines_are_kept_numbered_and_indented() {
    let (rendered, errors) = build_verse(POEM, Vec::new());
    assert!(errors.is_empty(), "{errors:?}");
    let html = &rendered.body;
    // Stanzas are the paragraphs; every line starts with its anchor, every 5th numbered.
    assert!(html.contains("<div class=\"para\" id=\"p1\"><a class=\"pnum\" href=\"#p1\" aria-label=\"Paragraph 1\">1</a>\n<p><a class=\"verse-line\" id=\"l1\" href=\"#l1\" data-n=\"1\" aria-label=\"Line 1\"></a>I wandered <em>lonely</em> as a cloud<br>\n<a class=\"verse-line\" id=\"l2\" href=\"#l2\" data-n=\"2\" tabindex=\"-1\" aria-hidden=\"true\"></a>\u{a0}\u{a0}\u{a0}\u{a0}That floats on high<br>\n"), "{html}");
    assert!(
        html.contains(
            "<p><a class=\"verse-line\" id=\"l4\" href=\"#l4\" data-n=\"4\" tabindex=\"-1\" aria-hidden=\"true\"></a>\u{a0}\u{a0}Continuous"
        ),
        "{html}"
    );
    assert!(html.contains("<a class=\"verse-line numbered\" id=\"l5\" href=\"#l5\" data-n=\"5\" aria-label=\"Line 5\"></a>\u{a0}\u{a0}\u{a0}\u{a0}And twinkle"), "{html}");
    assert_eq!(html.matches("class=\"verse-line").count(), 6, "{html}");
    assert_eq!(html.matches("<br>").count(), 4, "{html}");
    assert!(
        html.contains("id=\"p2\"") && !html.contains("id=\"p3\""),
        "{html}"
    );
    // Prose reads the same Markdown as two paragraphs of run-on lines.
    let prose = render(POEM, Vec::new()).body;
    assert!(
        !prose.contains("verse-line") && !prose.contains("<br>"),
        "{prose}"
    );
}

/// A line that starts inside a link written over a line break keeps its anchor, as a
/// `<span>`: a link to the line there would nest a link in a link.
#[test]
fn a_verse_line_starting_inside_a_link_is_no_link() {
    let (rendered, errors) = build_verse(
        "The [first\nsecond](https://example.org) line\nthird\n",
        Vec::new(),
    );
    assert!(errors.is_empty(), "{errors:?}");
    let html = &rendered.body;
    assert!(
        html.contains("<a href=\"https://example.org\">first<br>\n<span class=\"verse-line\" id=\"l2\" data-n=\"2\"></span>second</a>"),
        "{html}"
    );
    assert!(
        html.contains("<br>\n<a class=\"verse-line\" id=\"l3\" href=\"#l3\""),
        "{html}"
    );
}

#[test]
fn verse_notes_anchor_by_quote_over_lines_and_by_lines() {
    let notes = vec![
        quote("over", "as a cloud That floats"),
        lines("whole", 4, 5),
        lines("one", 6, 6),
    ];
    let (rendered, errors) = build_verse(POEM, notes);
    assert!(errors.is_empty(), "{errors:?}");
    let html = &rendered.body;
    // A passage over two lines: a mark on each line's words, none on the break or the
    // indentation.
    assert!(html.contains("<mark class=\"passage\" data-note=\"over\" aria-details=\"over\" id=\"mark-over\">as a cloud</mark><br>\n<a class=\"verse-line\" id=\"l2\" href=\"#l2\" data-n=\"2\" tabindex=\"-1\" aria-hidden=\"true\"></a>\u{a0}\u{a0}\u{a0}\u{a0}<mark class=\"passage\" data-note=\"over\" aria-details=\"over\">That floats</mark> on high"), "{html}");
    assert!(html.contains("\u{a0}\u{a0}<mark class=\"passage\" data-note=\"whole\" aria-details=\"whole\" id=\"mark-whole\">Continuous as the stars</mark><br>"), "{html}");
    assert!(html.contains("\u{a0}\u{a0}\u{a0}\u{a0}<mark class=\"passage\" data-note=\"whole\" aria-details=\"whole\">And twinkle</mark><br>"), "{html}");
    assert!(
        html.contains("id=\"mark-one\">Along the margin</mark>"),
        "{html}"
    );
    let (plain, _) = build_verse(POEM, Vec::new());
    assert_eq!(strip(&rendered), plain.body);
}

#[test]
fn verse_mistakes_are_errors_with_the_range() {
    let (_, errors) = build_verse(POEM, vec![lines("far", 6, 7)]);
    assert_eq!(errors, ["the text has no line 7"]);
    let (_, errors) = build_verse(POEM, vec![lines("over", 3, 4)]);
    assert_eq!(errors, ["lines 3 to 4 run over a stanza break"]);
    let (_, errors) = build_verse(POEM, vec![quote("over", "When all at once Continuous")]);
    assert_eq!(errors, ["this quote is not in the text"]);
    let mut with_para = lines("para", 1, 1);
    with_para.selector = Selector::Lines {
        block: Some(1),
        lines: 1..=1,
    };
    let (_, errors) = build_verse(POEM, vec![with_para]);
    assert_eq!(
        errors,
        ["in a verse text, `lines:` counts the lines of the whole text: `para:` picks nothing"]
    );
    let (_, errors) = build_verse(
        "A line

| a |
|---|
| 1 |

```
code
```
",
        Vec::new(),
    );
    assert_eq!(
        errors,
        [
            "a verse text cannot number the lines of a table",
            "a verse text cannot number the lines of a code block"
        ]
    );
}

#[test]
fn a_heading_never_takes_a_lines_id() {
    let html = render("## L12\n\n## l\n\nText.\n", Vec::new()).body;
    assert!(
        html.contains("id=\"section-l12\"") && html.contains("id=\"l\""),
        "{html}"
    );
}

#[test]
fn html_pieces_count_entities_as_one_char() {
    let pieces = html_pieces("<span>a &lt;b</span>&#x1F600;c", &[2, 3]);
    assert_eq!(
        pieces,
        [
            HtmlPiece::Tag("<span>"),
            HtmlPiece::Text("a ", 0),
            HtmlPiece::Text("&lt;", 2),
            HtmlPiece::Text("b", 3),
            HtmlPiece::Tag("</span>"),
            HtmlPiece::Text("&#x1F600;c", 4),
        ]
    );
}

mod properties {
    //! Properties over generated texts and sidecars (proptest shrinks failures).

    use html5ever::tendril::TendrilSink;
    use proptest::prelude::*;

    use super::*;

    /// A word, sometimes with markup around it, from a small vocabulary so quotes repeat.
    fn word() -> impl Strategy<Value = String> {
        let plain = prop::sample::select(vec![
            "states", "bargain", "care", "one", "two", "the", "allies", "café", "a&b", "x<y",
        ]);
        (plain, 0..8u8).prop_map(|(w, style)| match style {
            0 => format!("*{w}*"),
            1 => format!("**{w}**"),
            2 => format!("`{w}`"),
            3 => format!("[{w}](https://example.org/{style})"),
            _ => w.to_string(),
        })
    }

    fn paragraph() -> impl Strategy<Value = String> {
        prop::collection::vec(word(), 1..12).prop_map(|w| w.join(" "))
    }

    fn block() -> impl Strategy<Value = String> {
        (paragraph(), 0..12u8).prop_map(|(p, kind)| match kind {
            0 => format!("- {p}\n- {p}"),
            1 => format!("> {p}"),
            2 => format!("## {p}"),
            3 => format!("# {p} *{p}*"),
            // Code: highlighted, plain, indented, with tabs, and inside a list item.
            4 => format!("```rust\nfn f() {{ \"{p}\" }}\n\t// {p}\n```"),
            5 => format!("```python\ndef f(x):\n\treturn '{p}' < x\n```"),
            6 => format!("    {p}\n    \t{p}"),
            7 => format!("- item\n\n  ```\n  {p}\n  ```"),
            // Raw HTML shown as text, and a footnote: read, unnumbered blocks.
            8 => format!("<div>\n{p}\n</div>"),
            9 => format!("{p}[^f]\n\n[^f]: {p}\n\n    {p}"),
            _ => p,
        })
    }

    fn markdown() -> impl Strategy<Value = String> {
        prop::collection::vec(block(), 1..6).prop_map(|b| b.join("\n\n"))
    }

    /// Quotes taken from the text itself: (paragraph index, start fraction, length).
    fn picks() -> impl Strategy<Value = Vec<(usize, usize, usize)>> {
        prop::collection::vec((0..8usize, 0..100usize, 1..40usize), 0..6)
    }

    /// Notes for `markdown`, each quoting a piece of a block (a paragraph, heading or code
    /// block) that anchors uniquely.
    fn notes_for(markdown: &str, picks: &[(usize, usize, usize)], bodies: &[String]) -> Vec<Note> {
        let events = crate::markdown::events(markdown, &|_| None, false);
        let reading = crate::markdown::Reading::of(&events);
        let mut notes = Vec::new();
        let code = reading.code_blocks();
        for (i, (para, start, len)) in picks.iter().enumerate() {
            // Now and then whole lines of a code block, when the text has one.
            if start % 5 == 0 && !code.is_empty() {
                let k = para % code.len();
                let lines = reading.text[reading.blocks[code[k]].range.clone()]
                    .trim_end_matches('\n')
                    .split('\n')
                    .collect::<Vec<_>>();
                let first = len % lines.len() + 1;
                let last = (first + start % 3).min(lines.len());
                if lines[first - 1..last].iter().all(|l| l.trim().is_empty()) {
                    continue;
                }
                let mut n = note(
                    &format!("n{i}"),
                    Selector::Lines {
                        block: Some(k + 1),
                        lines: first..=last,
                    },
                );
                n.body = bodies.get(i).cloned().unwrap_or_default();
                n.tags = Vec::new();
                notes.push(n);
                continue;
            }
            let Some(range) = reading
                .blocks
                .get(para % reading.blocks.len().max(1))
                .map(|b| &b.range)
            else {
                continue;
            };
            let text = &reading.text[range.clone()];
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            if chars.is_empty() {
                continue;
            }
            let a = start * chars.len() / 100;
            let b = (a + len).min(chars.len());
            let from = chars[a].0;
            let to = chars.get(b).map_or(text.len(), |c| c.0);
            let exact = text[from..to].trim();
            let selector = TextQuoteSelector {
                exact: exact.to_string(),
                prefix: Some(text[..from].to_string()).filter(|p| !p.trim().is_empty()),
                suffix: Some(text[to..].to_string()).filter(|s| !s.trim().is_empty()),
            };
            if exact.is_empty() || crate::anchor::find(&reading.text, &selector).is_err() {
                continue;
            }
            let mut n = quote(&format!("n{i}"), exact);
            n.selector = Selector::Quote(selector);
            n.body = bodies.get(i).cloned().unwrap_or_default();
            n.title = bodies.get(i + 1).cloned();
            // Two spellings of one tag (`e`, `é`; `` and `[`) are a warning, and `render`
            // accepts no diagnostic: the first spelling of each tag only.
            let mut tags: Vec<String> = Vec::new();
            for b in bodies.iter().take(2) {
                if !tags
                    .iter()
                    .any(|t| crate::slug::tag(t) == crate::slug::tag(b))
                {
                    tags.push(b.clone());
                }
            }
            n.tags = tags;
            notes.push(n);
        }
        notes
    }

    /// A verse text: stanzas of lines, some indented (spaces, a tab, non-breaking spaces)
    /// but never a stanza's first line by four columns (that is a code block).
    fn verse_markdown() -> impl Strategy<Value = String> {
        let line = (paragraph(), 0..6u8).prop_map(|(p, indent)| match indent {
            0 => format!("    {p}"),
            1 => format!("\t{p}"),
            2 => format!("\u{a0}\u{a0}{p}"),
            3 => format!("  {p}"),
            _ => p,
        });
        let stanza = (paragraph(), prop::collection::vec(line, 0..5)).prop_map(|(first, rest)| {
            std::iter::once(first)
                .chain(rest)
                .collect::<Vec<_>>()
                .join("\n")
        });
        prop::collection::vec(stanza, 1..4).prop_map(|s| s.join("\n\n"))
    }

    /// Notes for a verse text: whole lines of one stanza, and quotes of a stanza's words
    /// (over its line breaks too) that anchor uniquely.
    fn verse_notes_for(markdown: &str, picks: &[(usize, usize, usize)]) -> Vec<Note> {
        let events = crate::markdown::events(markdown, &|_| None, false);
        let reading = crate::markdown::Reading::of_layout(&events, true);
        let mut notes = Vec::new();
        for (i, &(para, start, len)) in picks.iter().enumerate() {
            let Some(block) = reading
                .paragraphs
                .get(para % reading.paragraphs.len().max(1))
            else {
                continue;
            };
            let in_stanza: Vec<usize> = (0..reading.lines.len())
                .filter(|&k| {
                    block.start <= reading.lines[k].start && reading.lines[k].end <= block.end
                })
                .collect();
            if start % 3 == 0 && !in_stanza.is_empty() {
                let first = in_stanza[len % in_stanza.len()];
                let last = (first + start % 4).min(*in_stanza.last().unwrap_or(&first));
                if reading.text[reading.lines[first].start..reading.lines[last].end]
                    .trim()
                    .is_empty()
                {
                    continue;
                }
                notes.push(note(
                    &format!("n{i}"),
                    Selector::Lines {
                        block: None,
                        lines: first + 1..=last + 1,
                    },
                ));
                continue;
            }
            let text = &reading.text[block.clone()];
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            if chars.is_empty() {
                continue;
            }
            let a = start * chars.len() / 100;
            let b = (a + len).min(chars.len());
            let (from, to) = (chars[a].0, chars.get(b).map_or(text.len(), |c| c.0));
            let exact = text[from..to].trim();
            let selector = TextQuoteSelector {
                exact: exact.to_string(),
                prefix: Some(text[..from].to_string()).filter(|p| !p.trim().is_empty()),
                suffix: Some(text[to..].to_string()).filter(|s| !s.trim().is_empty()),
            };
            if exact.is_empty() || crate::anchor::find(&reading.text, &selector).is_err() {
                continue;
            }
            let mut n = quote(&format!("n{i}"), exact);
            n.selector = Selector::Quote(selector);
            notes.push(n);
        }
        notes
    }

    fn verse(md: &str, notes: Vec<Note>) -> Rendered {
        let (rendered, errors) = build_verse(md, notes);
        assert!(errors.is_empty(), "{errors:?}\n{md:?}");
        rendered
    }

    fn parse_errors(fragment: &str) -> Vec<String> {
        let html = format!("<!DOCTYPE html><html lang=\"en\"><head><title>t</title></head><body>{fragment}</body></html>");
        let dom =
            html5ever::parse_document(markup5ever_rcdom::RcDom::default(), Default::default())
                .one(html);
        let errors = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
        errors
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn marks_and_notes_never_change_the_words(md in markdown(), picks in picks()) {
            let notes = notes_for(&md, &picks, &["A note.".to_string()]);
            let plain = render(&md, Vec::new()).body;
            let annotated = render(&md, notes);
            prop_assert_eq!(strip(&annotated), plain);
        }

        #[test]
        fn any_sidecar_gives_well_formed_html(
            md in markdown(),
            picks in picks(),
            bodies in prop::collection::vec("[ -~<>&\"'éü\n]{0,40}", 3),
        ) {
            let notes = notes_for(&md, &picks, &bodies);
            let rendered = render(&md, notes);
            let errors = parse_errors(&rendered.body);
            prop_assert!(errors.is_empty(), "{:?}\n{}", errors, rendered.body);
        }

        #[test]
        fn verse_marks_never_change_the_words_and_give_well_formed_html(
            md in verse_markdown(),
            picks in picks(),
        ) {
            let notes = verse_notes_for(&md, &picks);
            let plain = verse(&md, Vec::new()).body;
            let annotated = verse(&md, notes);
            prop_assert_eq!(strip(&annotated), plain);
            let errors = parse_errors(&annotated.body);
            prop_assert!(errors.is_empty(), "{:?}\n{}", errors, annotated.body);
            // Every line is in the DOM with its id.
            let events = crate::markdown::events(&md, &|_| None, false);
            let count = crate::markdown::Reading::of_layout(&events, true).lines.len();
            let last = format!("id=\"l{count}\"");
            let after = format!("id=\"l{}\"", count + 1);
            prop_assert!(annotated.body.contains(&last));
            prop_assert!(!annotated.body.contains(&after));
        }
    }
}

#[test]
fn excerpts_cut_at_a_word_with_an_ellipsis() {
    use crate::link::excerpt;
    assert_eq!(excerpt("  one\ntwo three ", 5), "one two three");
    assert_eq!(excerpt("one two three", 2), "one two…");
    assert_eq!(excerpt("It ends. Then more", 2), "It ends. …");
}

mod commonmark;
