//! Markdown: any text body through the event stream, the reading text, anchoring and
//! rendering, all in memory (no files).
//!
//! Input: the Markdown body of a text (bytes; invalid UTF-8 is replaced). Notes on it
//! (passages quoted from its own reading text, whole paragraphs, lines, quotes that
//! match nothing), whether raw HTML is allowed, whether glossary terms are linked and
//! whether the text is laid out as verse (`layout: verse`) are chosen from a hash of the
//! input, so every input is a whole, valid annotated text.
//!
//! Checks: no panic; every event range lies in the Markdown; the reading text is
//! exactly the text of the `Walker`'s text steps (a typed U+2029 read as U+2028, and a
//! block separator before every block but the first: paragraphs, headings, code blocks,
//! HTML blocks, footnotes),
//! and `Reading::of` gives the same; paragraphs are in order, on char boundaries and
//! agree with `anchor::block_range` of their block; in verse, a soft break reads as a line
//! break exactly where a line starts, and the lines are in order, on char boundaries and
//! each within one stanza; every anchored passage is a valid range of the reading text;
//! in verse, the rendered body has every line's anchor (`id="lN"`);
//! without raw HTML (broken links or not), rendering with notes and then stripping marks
//! and notes gives the body rendered without notes (up to heading ids and line breaks
//! next to tags, see `comparable`).
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::Event;
use scholia::anchor;
use scholia::config::SiteConfig;
use scholia::diagnostics::{Diagnostics, Source, Span};
use scholia::link::{Page, Targets};
use scholia::markdown::BLOCK_SEPARATOR;
use scholia::markdown::{self, Reading, Step, Walker};
use scholia::pipeline;
use scholia::render;
use scholia::site::TextQuoteSelector;
use scholia::site::{
    Audience, FrontMatter, Glossary, Layout, Note, NoteKind, NoteSpans, Question, Selector, Site,
    Term, Text, ThemeFiles,
};
use scholia_fuzz::{boundaries, check_range, Rng};

const SLUG: &str = "texts/a";

fuzz_target!(|data: &[u8]| {
    let markdown = String::from_utf8_lossy(data).into_owned();
    let mut rng = Rng::new(data);
    let raw_html = rng.flip();
    let autolink = rng.flip();
    let verse = rng.flip();

    // 1. The event stream and the reading text, on their own.
    let label = |dest: &str| dest.starts_with("texts/").then(|| format!("«{dest}»"));
    let events = markdown::events(&markdown, &label, raw_html);
    for (_, range) in &events {
        check_range(&markdown, range, "event");
    }
    let reading = check_reading(&events, verse);

    // 2. A site of this text (with notes on it) and another it can link to.
    let notes = notes_on(&reading, &markdown, &mut rng);
    let questions = if rng.flip() {
        vec![Question {
            body: markdown.chars().take(200).collect(),
            at: span_in_sidecar(),
        }]
    } else {
        Vec::new()
    };
    let glossary = Glossary {
        terms: reading
            .text
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| w.chars().count() > 2)
            .map(|word| Term {
                id: "term".into(),
                term: word.to_string(),
                aliases: vec![format!("{word}s")],
                definition: "A *term*; see [[texts/b]].".into(),
                at: span_in_sidecar(),
            })
            .into_iter()
            .collect(),
    };
    let site = Site {
        config: SiteConfig {
            allow_raw_html: raw_html,
            glossary_autolink: autolink,
            ..SiteConfig::default()
        },
        texts: vec![
            text(SLUG, &markdown, notes, questions, verse),
            text(
                "texts/b",
                "One paragraph.\n\nAnother.\n",
                Vec::new(),
                Vec::new(),
                false,
            ),
        ],
        glossary,
        sections: BTreeMap::new(),
        theme: ThemeFiles::default(),
        instructor: false,
    };

    // 3. Anchoring and rendering, as the pipeline does them.
    let mut targets = Targets::new(&site);
    let page = Page::Text(SLUG.into());
    let mut diags = Diagnostics::new();
    let a = &site.texts[0];
    let anchored = {
        let label = |dest: &str| targets.label(dest, &page);
        anchor::text(a, &label, raw_html, &mut diags)
    };
    // Anchoring labels unlabeled links with the targets' titles: the same checks on
    // the events it read.
    let reading = {
        let label = |dest: &str| targets.label(dest, &page);
        check_reading(&markdown::events(&markdown, &label, raw_html), verse)
    };
    assert_eq!(
        anchored.reading.text, reading.text,
        "anchoring read another text"
    );
    for p in &anchored.passages {
        check_range(&reading.text, &p.range, "passage");
        assert!(
            p.paragraph >= 1 && p.paragraph <= reading.paragraphs.len().max(1),
            "passage in paragraph {} of {}",
            p.paragraph,
            reading.paragraphs.len()
        );
    }
    targets.set_paragraphs(SLUG, reading.paragraphs.len());
    // The whole document as the build makes it (link, render), texts `a` and `b`.
    let bodies = pipeline::anchored_bodies(&site, &mut diags);
    let _ = diags.render(false);
    if verse {
        for n in 1..=reading.lines.len() {
            assert!(
                bodies[0].1.contains(&format!("id=\"l{n}\" ")),
                "line {n} has no anchor in the body"
            );
        }
    }

    // 4. Annotation never changes the words (raw HTML could itself contain the marks
    // that stripping removes, so only without it). Broken cross-links included: the
    // build fails on them, but anchoring and rendering must still read the same words
    // (see fuzz/regressions/markdown/unresolved-self-link-drops-words.md). The text
    // without notes is built as a site of its own, where a link to one of the notes
    // (`[[texts/a#n1]]`, `[[#n1]]`) is broken and shows other words, by design: such
    // texts are left out (fuzz/regressions/markdown/link-to-own-note-without-notes.md).
    let links_to_a_note = markdown.contains("#n");
    if !raw_html && !a.notes.is_empty() && !links_to_a_note {
        let mut bare_site = site;
        bare_site.texts[0] = text(SLUG, &markdown, Vec::new(), Vec::new(), verse);
        let mut diags = Diagnostics::new();
        let bare = pipeline::anchored_bodies(&bare_site, &mut diags);
        assert_eq!(
            comparable(&render::strip_marks(&bodies[0].1)),
            comparable(&bare[0].1),
            "stripping marks and notes does not give the body without notes"
        );
    }
});

/// `html` without what annotation may rightly change: the ids of headings (a heading
/// whose id a note took gets another one, `n1-2`) and line breaks next to tags (a mark
/// closed at the end of a block can move the line break the HTML writer puts between
/// blocks: see fuzz/regressions/markdown/mark-moves-block-newline.md).
fn comparable(html: &str) -> String {
    let mut html = without_heading_ids(html);
    while html.contains(">\n") || html.contains("\n<") {
        html = html.replace(">\n", ">").replace("\n<", "<");
    }
    html
}

fn without_heading_ids(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        let tag = &rest[i..];
        let is_heading = tag
            .as_bytes()
            .get(2)
            .is_some_and(|b| (b'1'..=b'6').contains(b))
            && tag[3..].starts_with(" id=\"");
        if !is_heading {
            out.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i + 3]);
        let after = &tag[8..];
        rest = after.find('"').map_or("", |q| &after[q + 1..]);
    }
    out.push_str(rest);
    out
}

/// Walks the events as the anchoring and rendering stages do, checking that the reading
/// text is made of exactly the text the walker says it is.
fn check_reading(events: &[markdown::Spanned], verse: bool) -> Reading {
    let mut walker = Walker::with_layout(verse);
    let mut rebuilt = String::new();
    let mut blocks = 0;
    let mut last_block = None;
    let sep = BLOCK_SEPARATOR.len_utf8();
    for (event, _) in events {
        let lines_before = walker.lines_started();
        match walker.step(event) {
            Step::BlockStart(n) => {
                blocks += 1;
                assert_eq!(n, blocks, "paragraphs numbered out of order");
            }
            Step::Text(r) => {
                // Blocks that start without a step of their own (headings, code, HTML,
                // footnotes) and empty blocks: the gap is separators only.
                assert!(r.start >= rebuilt.len(), "text steps overlap at {event:?}");
                let gap = r.start - rebuilt.len();
                assert_eq!(gap % sep, 0, "a gap that is no separator before {event:?}");
                for _ in 0..gap / sep {
                    rebuilt.push(BLOCK_SEPARATOR);
                }
                let expected = match event {
                    // A separator typed in the text reads as a line separator.
                    Event::Text(t) | Event::Code(t) => t.replace(BLOCK_SEPARATOR, "\u{2028}"),
                    // In verse, a break that starts a line is a line break.
                    Event::SoftBreak if walker.lines_started() > lines_before => "\n".into(),
                    Event::SoftBreak => " ".into(),
                    Event::HardBreak | Event::End(_) => "\n".into(),
                    other => panic!("reading text from {other:?}"),
                };
                assert_eq!(
                    r.start,
                    rebuilt.len(),
                    "a gap in the reading text before {event:?}"
                );
                rebuilt.push_str(&expected);
                assert_eq!(r.end, rebuilt.len(), "wrong length for {event:?}");
            }
            Step::BlockEnd { block, paragraph } => {
                if let Some(n) = paragraph {
                    assert_eq!(n, blocks, "paragraph {n} ends out of order");
                }
                assert!(last_block < Some(block), "block {block} ends out of order");
                last_block = Some(block);
            }
            Step::Other => {}
        }
    }
    let reading = walker.finish();
    while rebuilt.len() < reading.text.len() {
        rebuilt.push(BLOCK_SEPARATOR);
    }
    assert_eq!(
        reading.text, rebuilt,
        "the reading text is not its text events"
    );
    let again = Reading::of_layout(events, verse);
    assert_eq!(again.text, reading.text);
    assert_eq!(again.paragraphs, reading.paragraphs);
    assert_eq!(again.lines, reading.lines);
    // Prose reads a line break as a space: the same offsets either way.
    assert_eq!(
        Reading::of(events).text.len(),
        reading.text.len(),
        "verse and prose read different lengths"
    );
    assert!(verse || reading.lines.is_empty(), "lines in prose");
    let mut last_end = 0;
    for (i, line) in reading.lines.iter().enumerate() {
        check_range(&reading.text, line, "verse line");
        assert!(
            line.start >= last_end,
            "line {} overlaps the one before",
            i + 1
        );
        last_end = line.end;
        assert_eq!(
            reading.block_at(line.start),
            reading.block_at(line.end),
            "line {} runs over a block",
            i + 1
        );
        assert_eq!(
            reading.line_at(line.start),
            Some(i + 1),
            "line_at({})",
            line.start
        );
    }
    assert_eq!(reading.paragraphs.len(), blocks);
    let mut last_end = 0;
    for (i, p) in reading.paragraphs.iter().enumerate() {
        check_range(&reading.text, p, "paragraph");
        assert!(
            p.start >= last_end,
            "paragraph {} overlaps the one before",
            i + 1
        );
        last_end = p.end;
        assert_eq!(
            reading.paragraph_at(p.start),
            i + 1,
            "paragraph_at({})",
            p.start
        );
    }
    // `para: N` notes find paragraph N by its separators: they must be the walker's
    // (see fuzz/regressions/markdown/paragraph-separator-in-text.md).
    assert_eq!(
        reading.text.matches(BLOCK_SEPARATOR).count(),
        reading.blocks.len().saturating_sub(1),
        "a separator inside a block"
    );
    for (i, b) in reading.blocks.iter().enumerate() {
        let trimmed = reading.text[b.range.clone()].trim();
        let block = anchor::block_range(&reading.text, i);
        assert_eq!(
            block.map(|r| &reading.text[r]),
            Some(trimmed),
            "block {i} is not where the separators say"
        );
        assert_eq!(
            reading.block_at(b.range.start),
            i,
            "block_at({})",
            b.range.start
        );
    }
    reading
}

/// Up to six notes on the reading text: quotes of its passages (with some context),
/// whole paragraphs, and quotes taken from the Markdown source that may match nothing.
fn notes_on(reading: &Reading, markdown: &str, rng: &mut Rng) -> Vec<Note> {
    let verse = reading.is_verse();
    let mut notes = Vec::new();
    let count = rng.below(7);
    for i in 0..count {
        let selector = match rng.below(8) {
            0 => Selector::Paragraph(1 + rng.below(reading.paragraphs.len() + 2)),
            // Lines of a code block (or none: an error), maybe past its end.
            // Lines of a verse text (or of a code block in prose), maybe past the end.
            7 if verse || rng.flip() => {
                let first = 1 + rng.below(reading.lines.len().max(5) + 1);
                Selector::Lines {
                    block: rng.flip().then(|| 1 + rng.below(3)),
                    lines: first..=first + rng.below(4),
                }
            }
            1 => match slice(markdown, rng) {
                Some((s, _)) if !s.trim().is_empty() => Selector::Quote(TextQuoteSelector {
                    exact: s.to_string(),
                    prefix: None,
                    suffix: None,
                }),
                _ => continue,
            },
            _ => {
                // Any block: paragraphs, headings and code.
                let Some(p) = reading
                    .blocks
                    .get(rng.below(reading.blocks.len()))
                    .map(|b| b.range.clone())
                else {
                    continue;
                };
                let para = &reading.text[p.clone()];
                let Some((exact, at)) = slice(para, rng) else {
                    continue;
                };
                if exact.trim().is_empty() {
                    continue;
                }
                let context = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
                let before = &para[..at.start];
                let after = &para[at.end..];
                let keep = rng.below(24);
                let prefix: String = {
                    let cut = before.char_indices().rev().nth(keep).map_or(0, |(i, _)| i);
                    before[cut..].to_string()
                };
                let suffix: String = after.chars().take(rng.below(24)).collect();
                Selector::Quote(TextQuoteSelector {
                    exact: exact.to_string(),
                    prefix: if rng.flip() { context(&prefix) } else { None },
                    suffix: if rng.flip() { context(&suffix) } else { None },
                })
            }
        };
        let body = match rng.below(5) {
            0 => "A note with *emphasis*, `code` and a [link](https://example.org).".to_string(),
            1 => "See [[texts/b]], [[texts/a#n1]] and [[#n2|the other note]].".to_string(),
            2 => "<b>raw</b> & [x](javascript:alert(1))".to_string(),
            _ => slice(markdown, rng).map_or_else(|| "x".to_string(), |(s, _)| s.to_string()),
        };
        let body = if body.trim().is_empty() {
            "x".to_string()
        } else {
            body
        };
        notes.push(Note {
            id: format!("n{}", i + 1),
            selector,
            title: rng.flip().then(|| "A title".to_string()),
            body,
            tags: if rng.flip() {
                vec!["war".into(), "Peace talks".into()]
            } else {
                Vec::new()
            },
            kind: [
                NoteKind::Note,
                NoteKind::Context,
                NoteKind::Definition,
                NoteKind::Question,
                NoteKind::Source,
            ][rng.below(5)],
            audience: Audience::All,
            at: NoteSpans {
                item: span_in_sidecar(),
                id: span_in_sidecar(),
                selector: span_in_sidecar(),
                body: span_in_sidecar(),
            },
        });
    }
    notes
}

/// A random slice of `s` on char boundaries, and where it is.
fn slice<'a>(s: &'a str, rng: &mut Rng) -> Option<(&'a str, std::ops::Range<usize>)> {
    let b = boundaries(s);
    if b.len() < 2 {
        return None;
    }
    let start = rng.below(b.len() - 1);
    let len = 1 + rng.below((b.len() - 1 - start).min(80));
    let range = b[start]..b[start + len];
    Some((&s[range.clone()], range))
}

fn span_in_sidecar() -> Span {
    Span::file(&Source::new("content/texts/a.yaml", ""))
}

fn text(
    slug: &str,
    markdown: &str,
    notes: Vec<Note>,
    questions: Vec<Question>,
    verse: bool,
) -> Text {
    let front = "---\ntitle: A text\n---\n";
    let source: Arc<Source> =
        Source::new(format!("content/{slug}.md"), format!("{front}{markdown}"));
    Text {
        slug: slug.to_string(),
        body: front.len()..source.text.len(),
        source,
        meta: FrontMatter {
            title: "A text".into(),
            layout: if verse { Layout::Verse } else { Layout::Prose },
            ..FrontMatter::default()
        },
        notes,
        questions,
        instructor_questions: Vec::new(),
    }
}
