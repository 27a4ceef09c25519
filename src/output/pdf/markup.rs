//! Typst source from Markdown, with every piece of user text a string literal.
//!
//! Typst markup is code: `#read("/etc/passwd")`, `#import`, `$…$`, `@label`, `<label>`,
//! `]` or `//` in a note would run, reference or comment out. So no user text is ever
//! written as markup: [`string`] makes it a Typst string literal, and markup shows it as
//! `#"…";` (a string value is displayed as plain text, whatever it holds). The markup
//! around it is ours alone, generated from the pulldown-cmark events (never from HTML).

use std::fmt::Write as _;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Tag, TagEnd};

use crate::markdown::{self, Step, Walker};

/// A Typst string literal that evaluates to `s` exactly: the one way user text enters a
/// handout's source. Inside the quotes only `\` and `"` are special, and line breaks and
/// other control characters are written as escapes, so the literal is one line.
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` shown as text in markup. The `;` ends the embedded expression, so whatever
/// markup follows cannot continue it (as `.field`, `(args)` or `[content]`).
pub(crate) fn text(out: &mut String, s: &str) {
    if !s.is_empty() {
        out.push('#');
        out.push_str(&string(s));
        out.push(';');
    }
}

/// `Some(string literal)` or `none`, for optional arguments.
pub(crate) fn optional(s: Option<&str>) -> String {
    s.map_or_else(|| "none".to_string(), string)
}

/// Note, question or definition Markdown as Typst markup (a content block's inside).
/// `label` gives unlabeled cross-links their label, as on the site.
pub(crate) fn fragment(md: &str, label: &dyn Fn(&str) -> Option<String>) -> String {
    let events = markdown::events(md, label, false);
    let mut w = Writer::new(0);
    for (event, _) in &events {
        w.event(event);
    }
    w.finish()
}

/// Where a note is marked in a text's body: its passage (a range of the reading text),
/// and the markup placed at the passage's end (a footnote, or an endnote's number).
pub(crate) struct Mark {
    pub range: Range<usize>,
    pub at_end: String,
}

/// How a text's body is printed.
pub(crate) struct BodyOptions<'a> {
    pub label: &'a dyn Fn(&str) -> Option<String>,
    pub raw_html: bool,
    /// Added to every heading's level (the text's title is the level above).
    pub heading_shift: u8,
    /// The online page, for paragraph numbers that link to their paragraph.
    pub url: Option<&'a str>,
    /// In a verse text, every how many lines a number is printed (0: none); `None` in
    /// prose.
    pub line_numbers: Option<u32>,
}

/// A text's body as Typst markup: numbered paragraphs (the number in the margin), and
/// each passage underlined, with its mark's markup where the passage ends. The body is
/// read through the same [`Walker`] as anchoring, so passages land on the same words.
pub(crate) fn body(md: &str, marks: &[Mark], opts: &BodyOptions) -> String {
    let events = markdown::events(md, opts.label, opts.raw_html);
    let mut w = Writer::new(opts.heading_shift);
    let mut walker = Walker::with_layout(opts.line_numbers.is_some());
    // Marks not yet placed, by start.
    let mut order: Vec<usize> = (0..marks.len()).collect();
    order.sort_by_key(|&i| (marks[i].range.start, std::cmp::Reverse(marks[i].range.end)));
    let mut placed = vec![false; marks.len()];
    for (event, at) in &events {
        let lines = walker.lines_started();
        let step = walker.step(event);
        // A verse line starts here: its number (every Nth), and its indentation.
        let line = (walker.lines_started() > lines).then(|| {
            let n = walker.lines_started();
            let number = if markdown::numbered_line(n, opts.line_numbers.unwrap_or(0)) {
                format!("#scholia-line({n});")
            } else {
                String::new()
            };
            let indent = markdown::line_indent(md, event, at.start);
            if indent > 0 {
                // Half an em a column: about a space's width in the handout's serif.
                format!("{number}#h({}em);", indent as f32 / 2.0)
            } else {
                number
            }
        });
        match step {
            Step::BlockStart(n) => {
                w.event(event);
                let url = opts.url.map(|u| format!("{u}#p{n}"));
                let num = format!("#scholia-num({n}, {});", optional(url.as_deref()));
                // A table's opener is code (its cells are arguments): the number goes before.
                if matches!(event, Event::Start(Tag::Table(_))) {
                    w.insert_before_opener(&num);
                } else {
                    w.out.push_str(&num);
                }
                w.out.push_str(line.as_deref().unwrap_or_default());
            }
            Step::Text(range) if line.is_some() => {
                w.out.push_str("#linebreak();");
                w.out.push_str(line.as_deref().unwrap_or_default());
                place_ended(&mut w.out, marks, &mut placed, &order, range.end, false);
            }
            Step::BlockEnd { .. } => {
                // Marks whose passage ended without a text event ending there (after a
                // code block's text, which is written whole at its end).
                let end = walker.reading_len();
                if w.code.is_some() {
                    w.event(event);
                    place_ended(&mut w.out, marks, &mut placed, &order, end, true);
                } else {
                    place_ended(&mut w.out, marks, &mut placed, &order, end, true);
                    w.event(event);
                }
            }
            // A code block's text is part of the reading, but Typst gets it as one raw block.
            Step::Text(_) if w.code.is_some() => w.event(event),
            Step::Text(range) => match event {
                Event::Text(t) if w.hidden == 0 => {
                    text_with_marks(&mut w.out, t, range, marks, &mut placed, &order)
                }
                Event::Code(t) if w.hidden == 0 => {
                    let inside = marks
                        .iter()
                        .any(|m| m.range.start <= range.start && range.end <= m.range.end);
                    let code = format!("#raw({});", string(t));
                    if inside {
                        let _ = write!(w.out, "#scholia-passage[{code}]");
                    } else {
                        w.out.push_str(&code);
                    }
                    place_ended(&mut w.out, marks, &mut placed, &order, range.end, false);
                }
                _ => {
                    w.event(event);
                    place_ended(&mut w.out, marks, &mut placed, &order, range.end, false);
                }
            },
            Step::Other => w.event(event),
        }
    }
    // Anything left (a passage that ended in no paragraph): at the end.
    for &i in &order {
        if !placed[i] {
            w.out.push_str(&marks[i].at_end);
        }
    }
    w.finish()
}

/// Places the marks of the passages that end at or before `end`.
fn place_ended(
    out: &mut String,
    marks: &[Mark],
    placed: &mut [bool],
    order: &[usize],
    end: usize,
    all_before: bool,
) {
    for &i in order {
        let m = &marks[i];
        if !placed[i] && (m.range.end == end || (all_before && m.range.end <= end)) {
            out.push_str(&m.at_end);
            placed[i] = true;
        }
    }
}

/// A text event cut at the passages' edges: the pieces inside a passage underlined, each
/// mark placed right after the piece its passage ends with.
fn text_with_marks(
    out: &mut String,
    t: &str,
    range: Range<usize>,
    marks: &[Mark],
    placed: &mut [bool],
    order: &[usize],
) {
    let mut cuts = vec![range.start, range.end];
    for m in marks {
        for edge in [m.range.start, m.range.end] {
            if edge > range.start && edge < range.end && t.is_char_boundary(edge - range.start) {
                cuts.push(edge);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let piece = &t[a - range.start..b - range.start];
        let inside = marks
            .iter()
            .any(|m| m.range.start <= a && b <= m.range.end && m.range.start < m.range.end);
        if inside {
            out.push_str("#scholia-passage[");
            text(out, piece);
            out.push(']');
        } else {
            text(out, piece);
        }
        place_ended(out, marks, placed, order, b, false);
    }
}

/// Writes markup for events, closing each element as pulldown-cmark closes it.
struct Writer {
    out: String,
    /// What closes each open element, innermost last.
    closers: Vec<&'static str>,
    heading_shift: u8,
    /// Depth inside images, whose alt text is not shown.
    hidden: usize,
    /// A code block being read: its language and text.
    code: Option<(String, String)>,
    /// Where the last element was opened in `out`.
    last_opener: usize,
}

impl Writer {
    fn new(heading_shift: u8) -> Writer {
        Writer {
            out: String::new(),
            closers: Vec::new(),
            heading_shift,
            hidden: 0,
            code: None,
            last_opener: 0,
        }
    }

    fn finish(self) -> String {
        self.out
    }

    fn insert_before_opener(&mut self, s: &str) {
        self.out.insert_str(self.last_opener, s);
    }

    fn open(&mut self, opener: &str, closer: &'static str) {
        self.last_opener = self.out.len();
        self.out.push_str(opener);
        self.closers.push(closer);
    }

    fn event(&mut self, event: &Event) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(t),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((lang, code)) = self.code.take() {
                        let lang = if lang.is_empty() {
                            String::new()
                        } else {
                            format!("lang: {}, ", string(&lang))
                        };
                        let _ = write!(self.out, "#raw(block: true, {lang}{});\n\n", string(&code));
                    }
                }
                _ => {}
            }
            return;
        }
        if self.hidden > 0 {
            match event {
                Event::Start(Tag::Image { .. }) => self.hidden += 1,
                Event::End(TagEnd::Image) => self.hidden -= 1,
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(_) => {
                let closer = self.closers.pop().unwrap_or("");
                self.out.push_str(closer);
            }
            Event::Text(t) => text(&mut self.out, t),
            Event::Code(t) => {
                let _ = write!(self.out, "#raw({});", string(t));
            }
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.out.push_str("#linebreak();"),
            Event::Rule => self.out.push_str("#line(length: 100%);\n\n"),
            Event::FootnoteReference(name) => {
                let _ = write!(self.out, "#super({});", string(name));
            }
            // Raw HTML (only when the site allows it) means nothing on paper.
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::TaskListMarker(done) => {
                self.out
                    .push_str(if *done { "#\"☒\"; " } else { "#\"☐\"; " });
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => text(&mut self.out, t),
        }
    }

    fn start(&mut self, tag: &Tag) {
        match tag {
            Tag::Paragraph => self.open("", "\n\n"),
            Tag::Heading { level, .. } => {
                let level = (*level as u8).saturating_add(self.heading_shift).min(6);
                self.open(&format!("#heading(level: {level})["), "]\n\n");
            }
            Tag::BlockQuote(_) => self.open("#quote(block: true)[", "]\n\n"),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.split_whitespace().next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                self.code = Some((lang.to_string(), String::new()));
            }
            Tag::List(None) => self.open("#list(", ");\n\n"),
            Tag::List(Some(start)) => self.open(&format!("#enum(start: {start}, "), ");\n\n"),
            Tag::Item => self.open("[", "], "),
            Tag::Table(alignments) => {
                let columns = alignments.len().max(1);
                self.open(&format!("#table(columns: {columns}, "), ");\n\n");
            }
            Tag::TableHead | Tag::TableRow => self.open("", ""),
            Tag::TableCell => self.open("[", "], "),
            Tag::Emphasis => self.open("#emph[", "]"),
            Tag::Strong => self.open("#strong[", "]"),
            Tag::Strikethrough => self.open("#strike[", "]"),
            Tag::Superscript => self.open("#super[", "]"),
            Tag::Subscript => self.open("#sub[", "]"),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let web = ["http://", "https://", "mailto:"].iter().any(|s| {
                    dest_url
                        .get(..s.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(s))
                });
                if web && !matches!(link_type, LinkType::WikiLink { .. }) {
                    self.open(&format!("#link({})[", string(dest_url)), "]");
                } else {
                    // A cross-link (or a relative link) goes to a page the paper has not.
                    self.open("", "");
                }
            }
            Tag::Image { .. } => {
                self.hidden += 1;
            }
            Tag::FootnoteDefinition(name) => {
                self.open(&format!("#block[#super({});", string(name)), "]\n\n");
            }
            _ => self.open("", ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_literals_of_one_line() {
        assert_eq!(string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(string("x\ny\u{2028}z\0"), r#""x\ny\u{2028}z\u{0}""#);
        assert_eq!(
            string("#read(\"/etc/passwd\") $x$ <l> @l ] //"),
            "\"#read(\\\"/etc/passwd\\\") $x$ <l> @l ] //\""
        );
    }

    #[test]
    fn markdown_becomes_markup_with_text_as_strings() {
        let t = fragment("A *b* `c` [d](https://e.org) [[x]].\n\n- f\n- g", &|_| {
            Some("X".into())
        });
        assert_eq!(
            t,
            "#\"A \";#emph[#\"b\";]#\" \";#raw(\"c\");#\" \";#link(\"https://e.org\")[#\"d\";]#\" \";#\"X\";#\".\";\n\n\
             #list([#\"f\";], [#\"g\";], );\n\n"
        );
    }

    #[test]
    fn passages_are_underlined_and_marked_where_they_end() {
        let md = "One two three.\n\nFour *five* six.";
        let marks = [
            Mark {
                range: 4..7,
                at_end: "<A>".into(),
            },
            Mark {
                // "five six" (the paragraph separator is three bytes).
                range: 22..30,
                at_end: "<B>".into(),
            },
        ];
        let opts = BodyOptions {
            label: &|_| None,
            raw_html: false,
            heading_shift: 1,
            url: None,
            line_numbers: None,
        };
        let t = body(md, &marks, &opts);
        assert!(
            t.contains("#scholia-passage[#\"two\";]<A>#\" three.\";"),
            "{t}"
        );
        assert!(t.contains("#scholia-passage[#\"five\";]"), "{t}");
        assert!(t.contains("#scholia-passage[#\" six\";]<B>#\".\";"), "{t}");
        assert!(t.starts_with("#scholia-num(1, none);"), "{t}");
    }

    /// A verse text prints every line on its own (a line break where the source has one),
    /// its indentation, and every Nth line's number, escaped like any other text.
    #[test]
    fn verse_lines_break_indent_and_are_numbered() {
        let md = "One #line\n  two\n\nthree";
        let opts = BodyOptions {
            label: &|_| None,
            raw_html: false,
            heading_shift: 1,
            url: None,
            line_numbers: Some(2),
        };
        let t = body(md, &[], &opts);
        assert!(
            t.contains("#\"One #line\";#linebreak();#scholia-line(2);#h(1em);#\"two\";"),
            "{t}"
        );
        assert!(
            !t.contains("#scholia-line(1)") && !t.contains("#scholia-line(3)"),
            "{t}"
        );
    }
}
