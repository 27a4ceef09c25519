//! Markdown as a reader sees it.
//!
//! Anchoring and rendering must agree, to the byte, on where every word of a text is.
//! Both therefore read the same event stream ([`events`]) through the same [`Walker`],
//! which numbers the paragraphs and assigns every piece of visible text its place in the
//! text's *reading text*: the words alone, paragraph after paragraph, separated by
//! [`BLOCK_SEPARATOR`].

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Separates the top-level blocks (paragraphs, list items, …) of a reading text.
///
/// PARAGRAPH SEPARATOR is used because it never occurs in ordinary prose, so it can
/// mark a hard boundary that no quote may cross.
pub const BLOCK_SEPARATOR: char = '\u{2029}';

/// CommonMark plus the extensions authors of readers ask for.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_WIKILINKS
}

/// An event and its byte range in the Markdown source.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// Parses `markdown` into events, with three changes every consumer needs: a wiki link
/// without a label (`[[slug#id]]`) shows what `label` says (the target's title), raw
/// HTML becomes plain text unless `raw_html` is allowed, and U+0000 becomes U+FFFD as
/// CommonMark asks (the renderer relies on no event holding a NUL).
pub fn events<'a>(
    markdown: &'a str,
    label: &dyn Fn(&str) -> Option<String>,
    raw_html: bool,
) -> Vec<Spanned<'a>> {
    let mut out: Vec<Spanned<'a>> = Vec::new();
    // The text of `out`'s last event while adjacent text events are joined onto it: one
    // growing buffer, so a run of n pieces costs O(n), not O(n²) re-formatting.
    let mut run: Option<String> = None;
    let mut unlabeled_link: Option<String> = None;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { has_pothole: false },
                ref dest_url,
                ..
            }) => {
                unlabeled_link = label(dest_url);
                event
            }
            Event::End(TagEnd::Link) => {
                unlabeled_link = None;
                event
            }
            Event::Text(_) if unlabeled_link.is_some() => {
                Event::Text(CowStr::from(unlabeled_link.take().unwrap_or_default()))
            }
            Event::Html(html) | Event::InlineHtml(html) if !raw_html => Event::Text(html),
            other => other,
        };
        let event = without_nul(event);
        // Smart punctuation splits text at every quote; one run of text is one event, so a
        // passage over "doesn’t" is one mark, not three.
        if let (Event::Text(next), Some((Event::Text(prev), prev_range))) = (&event, out.last_mut())
        {
            if prev_range.end == range.start {
                run.get_or_insert_with(|| prev.to_string()).push_str(next);
                prev_range.end = range.end;
                continue;
            }
        }
        end_run(&mut out, &mut run);
        out.push((event, range));
    }
    end_run(&mut out, &mut run);
    out
}

/// Gives the last event the text joined onto it, if any.
/// `event` with any NUL in its text replaced by U+FFFD. (`load` refuses texts with a NUL,
/// but other Markdown, in notes or in the fuzz targets, may hold one.)
fn without_nul(event: Event<'_>) -> Event<'_> {
    fn fix(t: CowStr<'_>) -> CowStr<'_> {
        if t.contains('\0') {
            CowStr::from(t.replace('\0', "\u{FFFD}"))
        } else {
            t
        }
    }
    match event {
        Event::Text(t) => Event::Text(fix(t)),
        Event::Code(t) => Event::Code(fix(t)),
        Event::Html(t) => Event::Html(fix(t)),
        Event::InlineHtml(t) => Event::InlineHtml(fix(t)),
        // Written into ids and addresses as given (fuzz/regressions/markdown/nul-in-a-footnote-label.md).
        Event::FootnoteReference(t) => Event::FootnoteReference(fix(t)),
        Event::Start(Tag::FootnoteDefinition(t)) => Event::Start(Tag::FootnoteDefinition(fix(t))),
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(t))) => {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(fix(t))))
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: fix(dest_url),
            title: fix(title),
            id: fix(id),
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: fix(dest_url),
            title: fix(title),
            id: fix(id),
        }),
        other => other,
    }
}

fn end_run(out: &mut [Spanned], run: &mut Option<String>) {
    if let (Some(joined), Some((Event::Text(last), _))) = (run.take(), out.last_mut()) {
        *last = CowStr::from(joined);
    }
}

/// What an event means for the reading text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A numbered paragraph (1-based) starts with this event.
    BlockStart(usize),
    /// A block of the reading text ends with this event.
    BlockEnd {
        /// Its index among all blocks (0-based).
        block: usize,
        /// Its number, if it is a numbered paragraph.
        paragraph: Option<usize>,
    },
    /// This event's text occupies this range of the reading text.
    Text(Range<usize>),
    /// Nothing a reader reads (markup, images…), or the start of an unnumbered block.
    Other,
}

/// What kind of block of the reading text a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A numbered paragraph (1-based): a paragraph, list item, block quote or table.
    Paragraph(usize),
    /// A heading: read and annotated, but not numbered.
    Heading,
    /// A code block (fenced or indented): read and annotated, but not numbered. Its
    /// reading text is the code, to the byte.
    Code,
    /// An HTML block. Where raw HTML is not allowed (the default) the reader sees its
    /// source as text, which is read and annotated like a heading's, and not numbered;
    /// allowed, its words are markup, and the block reads as empty.
    Html,
    /// A footnote's definition: read and annotated, but not numbered.
    Footnote,
}

/// One block of the reading text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Its range of the reading text.
    pub range: Range<usize>,
    /// What kind of block it is: a numbered paragraph, a heading, code…
    pub kind: BlockKind,
}

/// Follows the event stream, numbering paragraphs and building the reading text.
#[derive(Debug, Default)]
pub struct Walker {
    depth: usize,
    top_list: bool,
    /// The paragraph being read, if it is a numbered one.
    block: Option<usize>,
    /// The block being read (index into `blocks`), numbered or not.
    open: Option<usize>,
    /// Depth inside things whose text is not reading text (images).
    hidden: usize,
    text: String,
    blocks: Vec<Block>,
    paragraphs: usize,
    /// Verse: a line break inside a stanza (a top-level paragraph) ends a numbered line.
    verse: bool,
    /// Whether a stanza is open (verse only).
    stanza: bool,
    /// The verse lines read so far, numbered through the text.
    lines: Vec<Range<usize>>,
}

impl Walker {
    /// A walker for prose.
    pub fn new() -> Walker {
        Walker::default()
    }

    /// A walker for a text laid out as verse (`verse`) or prose. The reading text is the
    /// same length either way (a soft break is a space in prose, a line break in verse),
    /// so code that reads verse as prose still agrees on every offset.
    pub fn with_layout(verse: bool) -> Walker {
        Walker {
            verse,
            ..Walker::default()
        }
    }

    /// Takes the next event of the text, in order; says what it means for the reading text.
    pub fn step(&mut self, event: &Event) -> Step {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) | Event::Code(t) => self.push(t),
            Event::SoftBreak | Event::HardBreak if self.stanza && self.hidden == 0 => {
                self.line_break()
            }
            Event::SoftBreak => self.push(" "),
            Event::HardBreak => self.push("\n"),
            _ => Step::Other,
        }
    }

    fn start(&mut self, tag: &Tag) -> Step {
        let depth = self.depth;
        self.depth += 1;
        if matches!(tag, Tag::Image { .. }) {
            self.hidden += 1;
        }
        match (depth, tag) {
            (0, Tag::Paragraph) if self.verse => {
                let step = self.open_paragraph();
                self.stanza = true;
                let at = self.text.len();
                self.lines.push(at..at);
                step
            }
            (0, Tag::Paragraph | Tag::BlockQuote(_) | Tag::Table(_)) => self.open_paragraph(),
            (0, Tag::Heading { .. }) => self.open_block(BlockKind::Heading),
            (0, Tag::CodeBlock(_)) => self.open_block(BlockKind::Code),
            (0, Tag::HtmlBlock) => self.open_block(BlockKind::Html),
            (0, Tag::FootnoteDefinition(_)) => self.open_block(BlockKind::Footnote),
            (0, Tag::List(_)) => {
                self.top_list = true;
                Step::Other
            }
            (1, Tag::Item) if self.top_list => self.open_paragraph(),
            // Code inside a paragraph (a list item, a block quote) starts on a line of
            // its own, so its first word does not run into the words before it.
            (_, Tag::CodeBlock(_)) if self.runs_on() => self.push("\n"),
            _ => Step::Other,
        }
    }

    fn end(&mut self, tag: TagEnd) -> Step {
        self.depth = self.depth.saturating_sub(1);
        if matches!(tag, TagEnd::Image) {
            self.hidden = self.hidden.saturating_sub(1);
        }
        match (self.depth, tag) {
            (
                0,
                TagEnd::Paragraph
                | TagEnd::BlockQuote(_)
                | TagEnd::Table
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::FootnoteDefinition,
            ) => self.close_block(),
            (0, TagEnd::List(_)) => {
                self.top_list = false;
                Step::Other
            }
            (1, TagEnd::Item) if self.top_list => self.close_block(),
            (_, TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::Heading(_))
                if self.open.is_some() =>
            {
                // Keep the words of neighbouring inner blocks apart.
                self.push("\n")
            }
            _ => Step::Other,
        }
    }

    /// Whether the open block has words that do not end a line.
    fn runs_on(&self) -> bool {
        let start = self
            .open
            .and_then(|i| self.blocks.get(i))
            .map_or(self.text.len(), |b| b.range.start);
        start < self.text.len() && !self.text.ends_with('\n')
    }

    fn open_paragraph(&mut self) -> Step {
        self.paragraphs += 1;
        let n = self.paragraphs;
        self.open_block(BlockKind::Paragraph(n));
        self.block = Some(n);
        Step::BlockStart(n)
    }

    fn open_block(&mut self, kind: BlockKind) -> Step {
        if !self.blocks.is_empty() {
            self.text.push(BLOCK_SEPARATOR);
        }
        self.open = Some(self.blocks.len());
        self.blocks.push(Block {
            range: self.text.len()..self.text.len(),
            kind,
        });
        Step::Other
    }

    fn close_block(&mut self) -> Step {
        if std::mem::take(&mut self.stanza) {
            self.end_line();
        }
        let Some(i) = self.open.take() else {
            return Step::Other;
        };
        let paragraph = self.block.take();
        if let Some(b) = self.blocks.get_mut(i) {
            b.range.end = self.text.len();
        }
        Step::BlockEnd {
            block: i,
            paragraph,
        }
    }

    fn push(&mut self, s: &str) -> Step {
        if self.open.is_none() || self.hidden > 0 {
            return Step::Other;
        }
        let start = self.text.len();
        // A paragraph separator typed in the text must not split a paragraph: read it as a
        // line separator (the same length, so offsets stay those of the event's text).
        if s.contains(BLOCK_SEPARATOR) {
            self.text.push_str(&s.replace(BLOCK_SEPARATOR, "\u{2028}"));
        } else {
            self.text.push_str(s);
        }
        Step::Text(start..self.text.len())
    }

    /// A line break inside a stanza: the line ends, the next starts after the break.
    fn line_break(&mut self) -> Step {
        self.end_line();
        let step = self.push("\n");
        let at = self.text.len();
        self.lines.push(at..at);
        step
    }

    fn end_line(&mut self) {
        let end = self.text.len();
        if let Some(line) = self.lines.last_mut() {
            line.end = end;
        }
    }

    /// How many verse lines have started: the number of the line being read. A step after
    /// which it grew started a line.
    pub fn lines_started(&self) -> usize {
        self.lines.len()
    }

    /// The paragraph being read, if any (1-based).
    pub fn block(&self) -> Option<usize> {
        self.block
    }

    /// The length of the reading text so far.
    pub fn reading_len(&self) -> usize {
        self.text.len()
    }

    /// The reading text, once every event has been stepped through.
    pub fn finish(mut self) -> Reading {
        // Grown a push at a time, the text has up to twice the room it needs, and a
        // build keeps every text's reading to the end (a third of a site's words).
        self.text.shrink_to_fit();
        self.blocks.shrink_to_fit();
        self.lines.shrink_to_fit();
        let paragraphs = self
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Paragraph(_)))
            .map(|b| b.range.clone())
            .collect();
        Reading {
            text: self.text,
            paragraphs,
            blocks: self.blocks,
            lines: self.lines,
            verse: self.verse,
        }
    }
}

/// A text's words as the reader sees them, and where each paragraph lies in them.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// Every word the reader reads, blocks separated by [`BLOCK_SEPARATOR`]: what
    /// quotes are found in and passages are ranges of.
    pub text: String,
    /// Paragraph n (1-based) is `paragraphs[n - 1]`, a range of `text`.
    pub paragraphs: Vec<Range<usize>>,
    /// Every block of `text`, numbered or not, in order: block `i` is the one after the
    /// `i`th [`BLOCK_SEPARATOR`].
    pub blocks: Vec<Block>,
    /// In a verse text, line n (1-based) is `lines[n - 1]`, a range of `text` (its words,
    /// without the line break); empty in prose.
    pub lines: Vec<Range<usize>>,
    /// Whether the text is laid out as verse.
    pub verse: bool,
}

impl Reading {
    /// The reading of a prose text's events.
    pub fn of(events: &[Spanned]) -> Reading {
        Reading::of_layout(events, false)
    }

    /// The reading of a text laid out as verse (`verse`) or prose.
    pub fn of_layout(events: &[Spanned], verse: bool) -> Reading {
        let mut walker = Walker::with_layout(verse);
        for (event, _) in events {
            walker.step(event);
        }
        walker.finish()
    }

    /// Whether this is the reading of a verse text.
    pub fn is_verse(&self) -> bool {
        self.verse
    }

    /// The 1-based verse line that starts at or contains a byte offset of the reading
    /// text (the line before, at a line break), if the text is verse.
    pub fn line_at(&self, offset: usize) -> Option<usize> {
        let n = self.lines.partition_point(|l| l.start <= offset);
        (n > 0).then_some(n)
    }

    /// The 1-based paragraph containing a byte offset of the reading text (for a heading
    /// or code block: the paragraph after it, or the last one).
    pub fn paragraph_at(&self, offset: usize) -> usize {
        self.paragraphs
            .partition_point(|p| p.end < offset)
            .min(self.paragraphs.len().saturating_sub(1))
            + 1
    }

    /// The index of the block containing a byte offset of the reading text (0 when the
    /// text has none).
    pub fn block_at(&self, offset: usize) -> usize {
        self.blocks
            .partition_point(|b| b.range.end < offset)
            .min(self.blocks.len().saturating_sub(1))
    }

    /// The code blocks that are blocks of their own (not inside a list item or quote), in
    /// order: their indices into `blocks`.
    pub fn code_blocks(&self) -> Vec<usize> {
        (0..self.blocks.len())
            .filter(|&i| self.blocks[i].kind == BlockKind::Code)
            .collect()
    }
}

/// The indentation, in columns, of the verse line that `event` (at `at` in `markdown`)
/// starts: a stanza's start, or a line break.
pub fn line_indent(markdown: &str, event: &Event, at: usize) -> usize {
    if matches!(event, Event::Start(_)) {
        indent_before(markdown, at)
    } else {
        indent_after(markdown, at)
    }
}

/// Whether verse line `n` (1-based) shows its number when every `every`th does (0: none).
pub fn numbered_line(n: usize, every: u32) -> bool {
    every > 0 && n.is_multiple_of(every as usize)
}

/// How many columns of indentation the Markdown source has before offset `at` on its line
/// (a stanza's first line: Markdown drops up to three spaces there). Tabs stop every 4.
pub fn indent_before(markdown: &str, at: usize) -> usize {
    let before = markdown.get(..at).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    indent_width(&before[line_start..])
}

/// How many columns the line after the line break at `at` (the break event's start) is
/// indented by in the Markdown source: Markdown drops the spaces and tabs that start a
/// paragraph's later lines, and verse keeps them.
pub fn indent_after(markdown: &str, at: usize) -> usize {
    let rest = markdown.get(at..).unwrap_or_default();
    let Some(newline) = rest.find('\n') else {
        return 0;
    };
    let next = &rest[newline + 1..];
    let end = next.find(|c| c != ' ' && c != '\t').unwrap_or(next.len());
    indent_width(&next[..end])
}

/// The width of leading spaces and tabs, tabs stopping every 4 columns; 0 if `s` holds
/// anything else.
fn indent_width(s: &str) -> usize {
    let mut width = 0;
    for c in s.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => return 0,
        }
    }
    width
}

/// A block a verse text cannot number line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotVerse {
    /// A table.
    Table,
    /// A fenced code block.
    Code,
    /// An indented code block: in verse, most likely a stanza whose first line is indented.
    IndentedCode,
    /// A list.
    List,
    /// A block quote.
    Quote,
    /// An HTML block.
    Html,
}

/// The top-level blocks of a verse text that are neither stanzas (paragraphs) nor
/// headings, rules or footnotes, with their byte ranges in the Markdown.
pub fn not_verse(events: &[Spanned]) -> Vec<(NotVerse, Range<usize>)> {
    let mut depth = 0usize;
    let mut out = Vec::new();
    for (event, range) in events {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    let kind = match tag {
                        Tag::Table(_) => Some(NotVerse::Table),
                        Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Indented) => {
                            Some(NotVerse::IndentedCode)
                        }
                        Tag::CodeBlock(_) => Some(NotVerse::Code),
                        Tag::List(_) => Some(NotVerse::List),
                        Tag::BlockQuote(_) => Some(NotVerse::Quote),
                        Tag::HtmlBlock => Some(NotVerse::Html),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        out.push((kind, range.clone()));
                    }
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// The text of a heading, for its id.
pub fn plain_text(events: &[Spanned]) -> String {
    events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            Event::SoftBreak | Event::HardBreak => Some(" "),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The renderer cuts its output at NULs; a NUL in the Markdown (which `load` refuses in
    /// texts, but a note may hold) must not be one (fuzz/regressions/markdown/nul-in-text-cut-the-body.md).
    #[test]
    fn no_event_holds_a_nul() {
        let events = events("The only paragraph\0 of `B\0`.\n", &|_| None, false);
        let text: String = events
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Code(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(text, "The only paragraph\u{FFFD} of B\u{FFFD}.");
        // Nor a footnote's label, which becomes its id.
        let footnote = super::events("A[^\0].\n\n[^\0]: n\n", &|_| None, false);
        let nul = footnote
            .iter()
            .any(|(e, _)| format!("{e:?}").contains("\\0"));
        assert!(!nul, "{footnote:?}");
    }

    fn reading(md: &str) -> Reading {
        Reading::of(&events(md, &|d| Some(format!("<{d}>")), false))
    }

    #[test]
    fn numbers_paragraphs_items_and_quotes_not_headings_or_code() {
        let r = reading("# Head\n\nOne *two*.\n\n- a\n- b\n\n> q\n\n```\ncode\n```\n\nEnd.");
        let paras: Vec<&str> = r.paragraphs.iter().map(|p| &r.text[p.clone()]).collect();
        assert_eq!(paras, ["One two.", "a", "b", "q\n", "End."]);
        let blocks: Vec<(&str, BlockKind)> = r
            .blocks
            .iter()
            .map(|b| (&r.text[b.range.clone()], b.kind))
            .collect();
        assert_eq!(
            blocks,
            [
                ("Head", BlockKind::Heading),
                ("One two.", BlockKind::Paragraph(1)),
                ("a", BlockKind::Paragraph(2)),
                ("b", BlockKind::Paragraph(3)),
                ("q\n", BlockKind::Paragraph(4)),
                ("code\n", BlockKind::Code),
                ("End.", BlockKind::Paragraph(5)),
            ]
        );
        // Block i is the one after the i-th separator.
        for (i, b) in r.blocks.iter().enumerate() {
            assert_eq!(r.block_at(b.range.start), i);
            assert_eq!(r.text[..b.range.start].matches(BLOCK_SEPARATOR).count(), i);
        }
        assert_eq!(
            r.paragraph_at(0),
            1,
            "a heading counts for the paragraph after it"
        );
    }

    #[test]
    fn code_keeps_its_white_space_and_stays_apart_inside_items() {
        let r = reading("    a\tb\n      c\n\n- item\n  ```\n  x  y\n  ```\n");
        assert_eq!(&r.text[r.blocks[0].range.clone()], "a\tb\n  c\n");
        assert_eq!(&r.text[r.paragraphs[0].clone()], "item\nx  y\n");
    }

    #[test]
    fn headings_inside_quotes_stay_apart_from_the_next_words() {
        let r = reading("> # Title\n> words");
        assert_eq!(&r.text[r.paragraphs[0].clone()], "Title\nwords\n");
    }

    /// Every word a reader sees is in the reading text: raw HTML shown as text (raw HTML
    /// not allowed) and footnotes, unnumbered, their paragraphs apart.
    #[test]
    fn html_blocks_and_footnotes_are_read_but_not_numbered() {
        let md = "<div>\nraw *x*\n</div>\n\nText.[^a]\n\n[^a]: One.\n\n    Two.\n";
        let r = reading(md);
        let blocks: Vec<(&str, BlockKind)> = r
            .blocks
            .iter()
            .map(|b| (&r.text[b.range.clone()], b.kind))
            .collect();
        assert_eq!(
            blocks,
            [
                ("<div>\nraw *x*\n</div>\n", BlockKind::Html),
                ("Text.", BlockKind::Paragraph(1)),
                ("One.\nTwo.\n", BlockKind::Footnote),
            ]
        );
        // Allowed, an HTML block is markup: an empty block, and the numbering is the same.
        let allowed = Reading::of(&events(md, &|_| None, true));
        assert_eq!(&allowed.text[allowed.blocks[0].range.clone()], "");
        assert_eq!(allowed.paragraphs.len(), 1);
    }

    #[test]
    fn soft_breaks_are_spaces_and_inner_paragraphs_stay_apart() {
        let r = reading("a\nb\n\n> x\n>\n> y");
        assert_eq!(&r.text[r.paragraphs[0].clone()], "a b");
        assert_eq!(&r.text[r.paragraphs[1].clone()], "x\ny\n");
    }

    #[test]
    fn unlabeled_wiki_links_read_as_their_label() {
        let r = reading("See [[texts/a#n1]] and [[texts/b|B]].");
        assert_eq!(r.text, "See <texts/a#n1> and B.");
    }

    #[test]
    fn raw_html_is_text_unless_allowed() {
        let ev = events("a <b>x</b>", &|_| None, false);
        assert!(ev.iter().all(|(e, _)| !matches!(e, Event::InlineHtml(_))));
        let ev = events("a <b>x</b>", &|_| None, true);
        assert!(ev.iter().any(|(e, _)| matches!(e, Event::InlineHtml(_))));
    }

    #[test]
    fn a_typed_paragraph_separator_does_not_split_a_paragraph() {
        let r = reading("One\u{2029}two.\n\nThree.");
        assert_eq!(r.paragraphs.len(), 2);
        assert_eq!(
            r.text.len(),
            "One\u{2029}two.".len() + BLOCK_SEPARATOR.len_utf8() + "Three.".len()
        );
        assert_eq!(r.paragraph_at(r.text.find("Three").unwrap_or(0)), 2);
    }

    #[test]
    fn a_run_split_by_smart_punctuation_is_one_text_event() {
        let md = "don't ".repeat(1000);
        let ev = events(&md, &|_| None, false);
        let texts: Vec<&str> = ev
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, [md.trim_end().replace('\'', "\u{2019}")]);
    }

    #[test]
    fn image_alt_text_is_not_reading_text() {
        let r = reading("a ![alt](x.png) b");
        assert_eq!(r.text, "a  b");
    }
}
