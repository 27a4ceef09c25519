//! Every example of the CommonMark spec (`tests/data/commonmark-spec.txt`) as a text with
//! a note on one of the words a reader sees: the note must land on exactly that word, in
//! whatever block it is (paragraph, heading, code, list, quote, table), and stripping the
//! mark must give the page rendered without the note.
//!
//! The word is chosen from the rendered page, not from the Markdown: the first run of three
//! letters or more that occurs once in the page's visible text. So the test asks what a
//! reader would ask ("can I annotate this word I see?"), and a word the anchoring stage
//! reads differently from the renderer shows up as a failure.

use std::collections::BTreeMap;

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use super::*;

const SPEC: &str = include_str!("../../../tests/data/commonmark-spec.txt");

/// How many examples the spec has (0.31.2).
const EXAMPLES: usize = 655;

/// How many examples show no word to annotate, by reason: counted, so that the numbers
/// cannot grow unnoticed. No visible text: rules, images, empty blocks, link reference
/// definitions (`***`, `![foo](/url)`, `[foo]: /url`). Every word repeated: punctuation
/// only (`+++`), or the same words in every block (`# foo` … `###### foo`).
const SKIPPED: [(&str, usize); 2] = [
    ("every word occurs more than once", 42),
    ("no visible text", 41),
];

/// Examples of our own: the extensions scholia turns on (`markdown::options`), which the
/// spec does not cover (tables, strikethrough, footnotes, smart punctuation), and notes on
/// blocks the spec's examples end with but a text goes on after (an HTML block shown as
/// text, a footnote, each followed by a list).
const EXTENSIONS: [&str; 6] = [
    "| left | right |\n|------|-------|\n| one | two |\n",
    "Some ~~struck out~~ words.\n",
    "A[^1] b.\n\n[^1]: Evidence for it.\n\n- x\n",
    "<div>\nraw *x*\n</div>\n\n- x\n",
    "\"Quoted\" -- and 'doesn't' ... end.\n",
    "> - item in a quote\n>\n>   | a | b |\n>   |---|---|\n>   | cell | more |\n",
];

/// One example of the spec.
struct Example {
    number: usize,
    section: String,
    markdown: String,
}

/// The spec's examples, in order: a line of 32 backticks and `example`, the Markdown, a
/// line `.`, the HTML, a line of 32 backticks. `→` stands for a tab.
fn examples() -> Vec<Example> {
    let fence = "`".repeat(32);
    let open = format!("{fence} example");
    let mut out = Vec::new();
    let mut section = String::new();
    let mut lines = SPEC.lines();
    while let Some(line) = lines.next() {
        if let Some(title) = line.strip_prefix('#') {
            section = title.trim_start_matches('#').trim().to_string();
        }
        if line != open {
            continue;
        }
        let mut markdown = String::new();
        for l in lines.by_ref() {
            if l == "." {
                break;
            }
            markdown.push_str(l);
            markdown.push('\n');
        }
        for l in lines.by_ref() {
            if l == fence {
                break;
            }
        }
        out.push(Example {
            number: out.len() + 1,
            section: section.clone(),
            markdown: markdown.replace('→', "\t"),
        });
    }
    out
}

/// The kind of block a word is in, as a reader sees it.
fn kind_of(element: &str) -> Option<(u8, &'static str)> {
    // The lower the rank, the more telling: a word in code in a list item is in code.
    Some(match element {
        "pre" => (0, "code"),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => (1, "heading"),
        "td" | "th" => (2, "table"),
        "li" => (3, "list"),
        "blockquote" => (4, "quote"),
        "p" => (5, "paragraph"),
        _ => return None,
    })
}

/// The visible text of a rendered body, with for each char (byte) the kind of block it is
/// in and whether it is inside a mark of note `note`.
#[derive(Default)]
struct Visible {
    text: String,
    kinds: Vec<&'static str>,
    marked: Vec<bool>,
}

impl Visible {
    fn of(body: &str, note: &str) -> Visible {
        let html = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><title>t</title></head><body>{body}</body></html>"
        );
        let dom =
            html5ever::parse_document(RcDom::default(), Default::default()).one(html.as_str());
        let mut v = Visible::default();
        v.walk(&dom.document, (u8::MAX, "raw HTML as text"), false, note);
        v
    }

    fn walk(&mut self, node: &Handle, kind: (u8, &'static str), marked: bool, note: &str) {
        let (mut kind, mut marked) = (kind, marked);
        match &node.data {
            NodeData::Text { contents } => {
                let s = contents.borrow();
                self.text.push_str(&s);
                self.kinds.extend(std::iter::repeat_n(kind.1, s.len()));
                self.marked.extend(std::iter::repeat_n(marked, s.len()));
                return;
            }
            NodeData::Element { name, attrs, .. } => {
                let attrs = attrs.borrow();
                let attr = |n: &str| {
                    attrs
                        .iter()
                        .find(|a| &*a.name.local == n)
                        .map(|a| a.value.to_string())
                };
                let tag = &*name.local;
                // The paragraph numbers are the page's, not the text's.
                if attr("class").is_some_and(|c| c.split(' ').any(|c| c == "pnum")) {
                    return;
                }
                if matches!(tag, "head" | "script" | "style" | "aside") {
                    return;
                }
                if tag == "mark" && attr("data-note").as_deref() == Some(note) {
                    marked = true;
                }
                if let Some(k) = kind_of(tag) {
                    if k.0 < kind.0 {
                        kind = k;
                    }
                }
            }
            _ => {}
        }
        for child in node.children.borrow().iter() {
            self.walk(child, kind, marked, note);
        }
        // Blocks and cells stand apart on the page, as `innerText` has them: `<td>a</td>
        // <td>b</td>` reads "a b", not "ab".
        if let NodeData::Element { name, .. } = &node.data {
            let apart = matches!(&*name.local, "td" | "th" | "tr" | "div" | "br")
                || kind_of(&name.local).is_some();
            if apart && !self.text.ends_with(char::is_whitespace) {
                self.text.push('\n');
                self.kinds.push(kind.1);
                self.marked.push(false);
            }
        }
    }

    /// The word to annotate, and where: the first run of three letters or more that occurs
    /// once in the text; else the first run of letters or digits, however short, that
    /// occurs once (`ὐ` in `a→a ὐ→a`).
    fn word(&self) -> Option<(usize, &str)> {
        let t = &self.text;
        let once = |w: &str| t.matches(w).count() == 1;
        let long = runs(t, char::is_alphabetic)
            .into_iter()
            .find(|(_, w)| w.chars().count() >= 3 && once(w));
        long.or_else(|| {
            runs(t, char::is_alphanumeric)
                .into_iter()
                .find(|(_, w)| once(w))
        })
    }

    /// The byte ranges of the text inside the note's marks.
    fn marked_ranges(&self) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for (i, &m) in self.marked.iter().enumerate() {
            if !m {
                continue;
            }
            match out.last_mut() {
                Some(r) if r.end == i => r.end = i + 1,
                _ => out.push(i..i + 1),
            }
        }
        out
    }
}

/// The maximal runs of chars of `text` that are `kind`, with their offsets.
fn runs(text: &str, kind: fn(char) -> bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (kind(c) && i < text.len(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// What became of one example.
enum Outcome {
    /// The note landed on its word, in a block of this kind.
    Anchored(&'static str),
    Skipped(&'static str),
    Failed(String),
}

fn check(example: &Example) -> Outcome {
    let md = &example.markdown;
    let (plain, plain_messages) = build_like_the_pipeline(md, Vec::new());
    let seen = Visible::of(&plain.body, "");
    if seen.text.trim().is_empty() {
        return Outcome::Skipped("no visible text");
    }
    let Some((at, word)) = seen.word() else {
        return Outcome::Skipped("every word occurs more than once");
    };
    let kind = seen.kinds[at];
    let (annotated, messages) = build_like_the_pipeline(md, vec![quote("n", word)]);
    if messages != plain_messages {
        return Outcome::Failed(format!("a note on `{word}` ({kind}): {messages:?}"));
    }
    let stripped = strip(&annotated);
    if stripped != plain.body {
        return Outcome::Failed(format!(
            "a note on `{word}` ({kind}) changed the page:\n{stripped}\n-- instead of --\n{}",
            plain.body
        ));
    }
    let marked = Visible::of(&without_notes(&annotated.parts), "n");
    let ranges = marked.marked_ranges();
    let exactly_the_word = ranges.len() == 1 && ranges[0] == (at..at + word.len());
    if marked.text != seen.text || !exactly_the_word {
        let got: Vec<&str> = ranges.iter().map(|r| &marked.text[r.clone()]).collect();
        return Outcome::Failed(format!(
            "a note on `{word}` ({kind}) marks {got:?}:\n{}",
            without_notes(&annotated.parts)
        ));
    }
    Outcome::Anchored(kind)
}

#[test]
fn a_note_on_a_word_of_every_commonmark_example_lands_on_exactly_that_word() {
    let mut examples = examples();
    assert_eq!(examples.len(), EXAMPLES, "the spec's examples were misread");
    for (i, markdown) in EXTENSIONS.iter().enumerate() {
        examples.push(Example {
            number: EXAMPLES + i + 1,
            section: "extensions".into(),
            markdown: markdown.to_string(),
        });
    }
    let mut anchored: BTreeMap<&str, usize> = BTreeMap::new();
    let mut skipped: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut failed = Vec::new();
    for e in &examples {
        match check(e) {
            Outcome::Anchored(kind) => *anchored.entry(kind).or_default() += 1,
            Outcome::Skipped(why) => skipped.entry(why).or_default().push(e.number),
            Outcome::Failed(why) => failed.push(format!(
                "example {} ({}):\n{}\n=> {why}",
                e.number, e.section, e.markdown
            )),
        }
    }
    let total: usize = anchored.values().sum();
    let skips: usize = skipped.values().map(Vec::len).sum();
    let summary = format!(
        "{total} of {} notes landed on their word ({anchored:?}); {} failed; {skips} examples skipped: {skipped:?}",
        total + failed.len(),
        failed.len(),
    );
    assert!(failed.is_empty(), "{summary}\n\n{}", failed.join("\n\n"));
    let counted: Vec<(&str, usize)> = skipped.iter().map(|(k, v)| (*k, v.len())).collect();
    assert_eq!(counted, SKIPPED, "{summary}");
    // Every kind of block a reader sees is among them.
    for kind in [
        "paragraph",
        "heading",
        "code",
        "list",
        "quote",
        "table",
        "raw HTML as text",
    ] {
        assert!(anchored.contains_key(kind), "no {kind}: {summary}");
    }
}
