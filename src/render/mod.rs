//! Stage 4: turn texts, notes, questions and glossary definitions into HTML fragments,
//! once, with everything about other pages already resolved.
//!
//! A text's body is rendered from the same event stream the anchoring stage read, with
//! three additions: each numbered paragraph is wrapped and given its number, each piece
//! of text inside a passage is wrapped in `<mark data-note="…">` (several marks when a
//! passage crosses formatting, nested marks where passages overlap), and the body is cut
//! into [`Part`]s at the end of each paragraph that has notes, where the theme's
//! `note.html` places them. Nothing else changes: joining the HTML parts and removing the
//! marks gives the HTML of the text without notes.

mod highlight;
mod raw_html;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

pub use highlight::stylesheet as code_stylesheet;
pub(crate) use highlight::warm as warm_code_highlighting;

use crate::anchor::autolink;
use crate::anchor::{Anchored, Passage};
use crate::document::{
    Entry, Heading, InstructorQuestionHtml, Part, RenderText, TextDoc, TextHtml,
};
use crate::link::{Page, Targets};
use crate::markdown::{self, Spanned, Step, Walker};
use crate::site::{Site, Text};

/// The body without its notes and marks: by the promise that annotation never changes
/// the words of a text, this equals the body rendered without any notes. The tests hold
/// every change to that.
#[cfg(test)]
pub(crate) fn strip_annotations(body: &[Part]) -> String {
    strip_marks(&without_notes(body))
}

/// The body's HTML without the notes the theme places in it.
pub(crate) fn without_notes(body: &[Part]) -> String {
    body.iter()
        .filter_map(|p| match p {
            Part::Html(h) => Some(h.as_str()),
            Part::Notes(_) => None,
        })
        .collect()
}

/// `html` without its `<mark …>` and `</mark>` tags.
pub fn strip_marks(html: &str) -> String {
    let mut clean = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<mark") {
        clean.push_str(&rest[..i]);
        rest = &rest[rest[i..].find('>').map_or(rest.len(), |k| i + k + 1)..];
    }
    clean.push_str(rest);
    clean.replace("</mark>", "")
}

/// Renders each text when an output asks for it ([`crate::document::Document::render`]),
/// with what every text's rendering shares.
pub(crate) struct OnDemand<'s> {
    pub(crate) site: &'s Site,
    pub(crate) targets: Targets,
    /// The glossary terms to link on first use (see [`text`]).
    pub(crate) terms: Vec<autolink::Term<'s>>,
}

impl RenderText for OnDemand<'_> {
    fn page(&self, t: &TextDoc) -> TextHtml {
        text(self.site, t, &self.targets, &self.terms)
    }

    fn handout(&self, t: &TextDoc) -> Option<TextHtml> {
        handout_text(self.site, t, &self.targets, &self.terms)
    }

    fn notes(&self, t: &TextDoc) -> Vec<String> {
        let ctx = Context {
            page: &t.page,
            targets: &self.targets,
            raw_html: false,
            prefix: "",
            pack: &Sections::default(),
            base: &t.page,
        };
        notes(t, &ctx)
    }
}

/// The HTML of a text's notes, parallel to its record's, as `ctx` says.
fn notes(doc: &TextDoc, ctx: &Context) -> Vec<String> {
    doc.notes
        .iter()
        .map(|n| fragment(&doc.text.notes[n.index].body, ctx))
        .collect()
}

/// Renders one text of the document: its body, notes and questions. `autolink` lists the
/// glossary terms to link on first use (empty unless `glossary.autolink` is on).
pub(crate) fn text(
    site: &Site,
    doc: &TextDoc,
    targets: &Targets,
    autolink: &[autolink::Term],
) -> TextHtml {
    text_on(
        site,
        doc,
        &doc.page,
        targets,
        autolink,
        &Sections::default(),
    )
}

/// The text's HTML for its handout page, if it differs from its reading page's: its
/// cross-links are written relative to the page that shows them.
pub(crate) fn handout_text(
    site: &Site,
    doc: &TextDoc,
    targets: &Targets,
    autolink: &[autolink::Term],
) -> Option<TextHtml> {
    let links = &doc.anchored.links;
    let linked = !links.body.is_empty()
        || links.notes.iter().any(|f| !f.links.is_empty())
        || links.questions.iter().any(|f| !f.links.is_empty())
        || !doc.text.instructor_questions.is_empty()
        || has_relative_addresses(doc.text);
    let page = Page::Handout(doc.text.slug.clone());
    linked.then(|| text_on(site, doc, &page, targets, autolink, &Sections::default()))
}

/// Whether the text may hold a relative address (an image, a plain link), which the
/// handout page, one folder deeper, writes differently. A cheap look at the Markdown: a
/// false "yes" costs one more rendering.
fn has_relative_addresses(text: &Text) -> bool {
    let written = |md: &str| md.contains("](") || md.contains("]:");
    written(text.markdown())
        || text.notes.iter().any(|n| written(&n.body))
        || text.questions.iter().any(|q| written(&q.body))
}

/// The texts of a pack's handout, which one page holds: each text's ids get a prefix of
/// their own (two texts' `p1` stay two ids), and links to a text of the pack go to its
/// section of the page.
#[derive(Debug, Default)]
pub(crate) struct Sections {
    /// The pack's texts by slug, in order.
    pub texts: Vec<String>,
}

impl Sections {
    /// The prefix of the ids of the text `slug` in the pack's page: its slug, `/` made
    /// `_`, and a final `_` (ids of the page's own sections have no `_`).
    pub(crate) fn prefix(slug: &str) -> String {
        format!("{}_", slug.replace('/', "_"))
    }

    /// The link to `fragment` of the text `slug`, if that text is in the pack: its
    /// section (`text-N`, as the theme's `handout.html` names it), or an id in it.
    fn href(&self, slug: &str, fragment: Option<&str>) -> Option<String> {
        let k = self.texts.iter().position(|t| t == slug)?;
        Some(match fragment {
            Some(f) => format!("#{}{f}", Sections::prefix(slug)),
            None => format!("#text-{}", k + 1),
        })
    }
}

/// The text's HTML for the handout of a pack (see [`Sections`]).
pub(crate) fn pack_text(
    site: &Site,
    doc: &TextDoc,
    targets: &Targets,
    pack: &Sections,
) -> TextHtml {
    let terms = crate::anchor::links::autolinked_terms(site);
    let page = Page::Handout(doc.text.slug.clone());
    text_on(site, doc, &page, targets, &terms, pack)
}

/// [`text`], as the page `page` shows it (in a pack's handout when `pack` has texts).
fn text_on(
    site: &Site,
    doc: &TextDoc,
    page: &Page,
    targets: &Targets,
    autolink: &[autolink::Term],
    pack: &Sections,
) -> TextHtml {
    let text = doc.text;
    let prefix = if pack.texts.is_empty() {
        String::new()
    } else {
        Sections::prefix(&text.slug)
    };
    let ctx = Context {
        page,
        targets,
        raw_html: false,
        prefix: &prefix,
        pack,
        base: &doc.page,
    };
    let notes = notes(doc, &ctx);
    let mut shown: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, n) in doc.notes.iter().enumerate() {
        shown.entry(n.block).or_default().push(i);
    }
    let body_ctx = Context {
        raw_html: site.config.allow_raw_html,
        ..ctx
    };
    let mut body = Body::new(text, &doc.anchored, &shown, &body_ctx);
    body.glossary = autolink;
    body.line_numbers = site.line_numbers_of(text);
    let word = |key: &str| {
        let w = site.theme.strings.table().get(key)?;
        w.as_str().map(str::to_string)
    };
    body.paragraph_word = word("paragraph");
    body.line_word = word("line");
    let parts = body.render();
    let questions = text
        .questions
        .iter()
        .map(|q| fragment(&q.body, &ctx))
        .collect();
    let instructor_questions = text
        .instructor_questions
        .iter()
        .map(|q| InstructorQuestionHtml {
            question: fragment(&q.question, &ctx),
            answer: q.answer.as_deref().map(|a| fragment(a, &ctx)),
        })
        .collect();
    TextHtml {
        body: parts,
        headings: body.headings,
        notes,
        questions,
        instructor_questions,
    }
}

/// Renders the glossary's definitions, parallel to `entries`.
pub(crate) fn glossary(site: &Site, entries: &[Entry], targets: &Targets) -> Vec<String> {
    let no_pack = Sections::default();
    let ctx = Context {
        page: &Page::Glossary,
        targets,
        raw_html: false,
        prefix: "",
        pack: &no_pack,
        base: &Page::Glossary,
    };
    entries
        .iter()
        .map(|e| {
            let definition = site.glossary.terms.get(e.index).map(|t| &t.definition);
            fragment(definition.map_or("", String::as_str), &ctx)
        })
        .collect()
}

/// What rendering needs to know about where it is.
#[derive(Clone, Copy)]
struct Context<'a> {
    page: &'a Page,
    targets: &'a Targets,
    raw_html: bool,
    /// Put before every id the text's HTML holds (empty but in a pack's handout).
    prefix: &'a str,
    /// The texts of the pack whose handout this is (none for any other page).
    pack: &'a Sections,
    /// The page the author's relative addresses (images, plain links) are written for:
    /// the text's reader page, which a handout page one folder deeper is not.
    base: &'a Page,
}

impl Context<'_> {
    fn label(&self, dest: &str) -> Option<String> {
        self.targets.label(dest, self.page)
    }
}

/// Markdown held in YAML (notes, questions, definitions) → HTML. Raw HTML is escaped.
fn fragment(markdown: &str, ctx: &Context) -> String {
    let label = |d: &str| ctx.label(d);
    let events = markdown::events(markdown, &label, false);
    let mut out = Vec::with_capacity(events.len());
    let mut links = Links::default();
    let mut code: Option<(String, String)> = None;
    for (event, _) in events {
        if let Some(e) = links.event(event, ctx) {
            push_plain(e, &mut code, &mut out);
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    html
}

/// Passes an event on, turning code blocks into highlighted HTML.
fn push_plain<'a>(event: Event<'a>, code: &mut Option<(String, String)>, out: &mut Vec<Event<'a>>) {
    match event {
        Event::Start(Tag::CodeBlock(kind)) => {
            let lang = match kind {
                pulldown_cmark::CodeBlockKind::Fenced(l) => l.to_string(),
                pulldown_cmark::CodeBlockKind::Indented => String::new(),
            };
            *code = Some((lang, String::new()));
        }
        Event::Text(t) if code.is_some() => {
            if let Some((_, c)) = code {
                c.push_str(&t);
            }
        }
        Event::End(TagEnd::CodeBlock) => {
            if let Some((lang, c)) = code.take() {
                out.push(Event::Html(highlight::code_block(&c, &lang).into()));
            }
        }
        e => out.push(e),
    }
}

/// Rewrites links: cross-links get their href (relative to the page) and class, and
/// URLs that would run script are defused.
#[derive(Default)]
struct Links {
    /// The links open at this point, innermost last, as written out.
    open: Vec<Opened>,
}

/// How a link's start was written, so its end is written to match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// A cross-link, as `<a class="xref" …>`.
    CrossLink,
    /// A cross-link that goes nowhere (the link stage reported it): its words alone.
    Broken,
    /// Any other link, left to the HTML writer.
    Other,
}

impl Links {
    fn event<'a>(&mut self, event: Event<'a>, ctx: &Context) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                ..
            }) => match ctx.targets.resolve(&dest_url, ctx.page) {
                Ok(r) => {
                    self.open.push(Opened::CrossLink);
                    let in_pack = match &r.page {
                        Page::Text(slug) => ctx.pack.href(slug, r.fragment.as_deref()),
                        _ => None,
                    };
                    let href =
                        in_pack.unwrap_or_else(|| ctx.page.href_to(&r.page, r.fragment.as_deref()));
                    let html = format!(
                        "<a class=\"xref\" href=\"{}\" data-target=\"{}\">",
                        attr(&href),
                        attr(&r.key())
                    );
                    Some(Event::InlineHtml(html.into()))
                }
                Err(_) => {
                    self.open.push(Opened::Broken);
                    None
                }
            },
            Event::End(TagEnd::Link) => match self.open.pop() {
                Some(Opened::CrossLink) => Some(Event::InlineHtml("</a>".into())),
                Some(Opened::Broken) => None,
                Some(Opened::Other) | None => Some(Event::End(TagEnd::Link)),
            },
            // Footnotes' ids are their names: prefixed like every id (in a pack).
            Event::FootnoteReference(name) if !ctx.prefix.is_empty() => Some(
                Event::FootnoteReference(format!("{}{name}", ctx.prefix).into()),
            ),
            Event::Start(Tag::FootnoteDefinition(name)) if !ctx.prefix.is_empty() => {
                Some(Event::Start(Tag::FootnoteDefinition(
                    format!("{}{name}", ctx.prefix).into(),
                )))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.open.push(Opened::Other);
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: rebase(safe_url(dest_url), ctx),
                    title,
                    id,
                }))
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Some(Event::Start(Tag::Image {
                link_type,
                dest_url: rebase(safe_url(dest_url), ctx),
                title,
                id,
            })),
            e => Some(e),
        }
    }
}

/// A relative address written for `ctx.base` (the reader page), as `ctx.page` must write
/// it to reach the same file: a handout page is one folder deeper than its reader page.
/// Absolute addresses, site-absolute paths and fragments stay as they are.
fn rebase<'u>(url: CowStr<'u>, ctx: &Context) -> CowStr<'u> {
    if ctx.base == ctx.page || url.is_empty() || url.starts_with(['/', '#', '?']) {
        return url;
    }
    // A scheme (`https:`, `mailto:`) comes before any `/`, `?` or `#`.
    let head = url.split(['/', '?', '#']).next().unwrap_or("");
    if head.contains(':') {
        return url;
    }
    let base = ctx.base.path();
    let folder = base.strip_suffix("index.html").unwrap_or(&base);
    CowStr::from(format!("{}{folder}{url}", ctx.page.root()))
}

/// `javascript:` and friends never survive into a page.
fn safe_url(url: CowStr) -> CowStr {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take_while(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let has_scheme = url.contains(':');
    if has_scheme && matches!(scheme.as_str(), "javascript" | "vbscript" | "data" | "file") {
        CowStr::from("#")
    } else {
        url
    }
}

/// A paragraph's or line's name for assistive technology (`word` with `{n}` filled; the
/// English `default` without one), escaped for an attribute.
fn numbered_name(word: Option<&str>, default: &str, n: usize) -> String {
    attr(&word.unwrap_or(default).replace("{n}", &n.to_string()))
}

fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

fn body_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut out, s);
    out
}

/// Renders a text's body: the event stream, walked once, with paragraphs wrapped,
/// passages marked and notes placed.
struct Body<'a> {
    text: &'a Text,
    anchored: &'a Anchored,
    /// Block of the reading text → the notes shown at its end (indices into the
    /// document's notes).
    notes: &'a BTreeMap<usize, Vec<usize>>,
    ctx: &'a Context<'a>,
    headings: Vec<Heading>,
    /// Notes whose first mark has been written (it carries the `mark-<id>` anchor).
    marked: BTreeSet<usize>,
    /// Terms to link on first use (empty unless `glossary.autolink` is on).
    glossary: &'a [autolink::Term<'a>],
    /// How a paragraph's number is named to assistive technology (`Paragraph {n}`), in the
    /// interface's language; English when not set.
    paragraph_word: Option<String>,
    /// In a verse text, every how many lines a number is shown (0: none); `None` in prose.
    line_numbers: Option<u32>,
    /// How a verse line's number is named to assistive technology (`Line {n}`).
    line_word: Option<String>,
}

/// Where the body is cut for a paragraph's notes. The HTML writer runs once over the
/// whole body (footnote numbers and tables carry state across paragraphs), so the cut is
/// marked in its output and split there: NUL, which parsed Markdown never contains.
const CUT: &str = "\0";

impl<'a> Body<'a> {
    fn new(
        text: &'a Text,
        anchored: &'a Anchored,
        notes: &'a BTreeMap<usize, Vec<usize>>,
        ctx: &'a Context<'a>,
    ) -> Self {
        Body {
            text,
            anchored,
            notes,
            ctx,
            headings: Vec::new(),
            marked: BTreeSet::new(),
            glossary: &[],
            paragraph_word: None,
            line_numbers: None,
            line_word: None,
        }
    }

    fn render(&mut self) -> Vec<Part> {
        let label = |d: &str| self.ctx.label(d);
        let events = markdown::events(self.text.markdown(), &label, self.ctx.raw_html);
        let events = if self.ctx.raw_html {
            raw_html::sanitize(events)
        } else {
            events
        };
        let events = self.with_heading_ids(events);
        let page = self.ctx.page;
        let open = |id: &str| {
            let href = page.href_to(&Page::Glossary, Some(id));
            format!(
                "<a class=\"xref gloss\" href=\"{}\" data-target=\"glossary#{}\">",
                attr(&href),
                attr(id)
            )
        };
        let events = if self.glossary.is_empty() {
            events
        } else {
            autolink::link_terms(events, self.glossary, &open)
        };
        let mut walker = Walker::with_layout(self.line_numbers.is_some());
        let mut links = Links::default();
        let mut code: Option<Code> = None;
        let mut out: Vec<Event> = Vec::with_capacity(events.len() * 2);
        let mut cuts: Vec<usize> = Vec::new();
        for (event, range) in events {
            let step = walker.step(&event);
            let Some(event) = links.event(event, self.ctx) else {
                continue;
            };
            match (step, event) {
                (_, Event::Start(Tag::CodeBlock(kind))) => code = Some(Code::new(&kind)),
                (step, Event::Text(t)) if code.is_some() => {
                    if let Some(c) = &mut code {
                        c.push(&t, step);
                    }
                }
                (step, Event::End(TagEnd::CodeBlock)) => {
                    if let Some(c) = code.take() {
                        let html = self.code_block(&c);
                        out.push(Event::Html(html.into()));
                    }
                    if let Step::BlockEnd { block, .. } = step {
                        self.cut(block, &mut out, &mut cuts);
                    }
                }
                (Step::BlockStart(n), event) => {
                    self.open(event, n, &mut out);
                    if let Some(line) = self.line_starting(walker.reading_len()) {
                        let indent = markdown::indent_before(self.text.markdown(), range.start);
                        let html = self.verse_line(line, indent, !links.open.is_empty());
                        out.push(Event::InlineHtml(html.into()));
                    }
                }
                (Step::Text(r), Event::SoftBreak | Event::HardBreak)
                    if self.line_starting(r.end).is_some() =>
                {
                    let line = self.line_starting(r.end).unwrap_or_default();
                    let indent = markdown::indent_after(self.text.markdown(), range.start);
                    let start = self.verse_line(line, indent, !links.open.is_empty());
                    let html = format!("<br>\n{start}");
                    out.push(Event::InlineHtml(html.into()));
                }
                (
                    Step::BlockEnd {
                        block,
                        paragraph: Some(_),
                    },
                    event,
                ) => self.close(event, block, &mut out, &mut cuts),
                (Step::BlockEnd { block, .. }, event) => {
                    // A heading: its notes follow it (a heading holds no asides).
                    out.push(event);
                    self.cut(block, &mut out, &mut cuts);
                }
                (Step::Text(r), event) => self.marked_text(event, r, &mut out),
                (Step::Other, event) => push_plain(event, &mut None, &mut out),
            }
        }
        let mut html = String::with_capacity(self.text.body.len() * 2);
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
        let mut parts = Vec::with_capacity(cuts.len() * 2 + 1);
        let mut pieces = html.split(CUT);
        if let Some(first) = pieces.next() {
            parts.push(Part::Html(first.to_string()));
        }
        for (n, piece) in cuts.iter().zip(pieces) {
            parts.push(Part::Notes(self.notes.get(n).cloned().unwrap_or_default()));
            parts.push(Part::Html(piece.to_string()));
        }
        parts
    }

    fn open<'e>(&self, event: Event<'e>, n: usize, out: &mut Vec<Event<'e>>) {
        let label = numbered_name(self.paragraph_word.as_deref(), "Paragraph {n}", n);
        let id = format!("{}p{n}", attr(self.ctx.prefix));
        let number = format!("<a class=\"pnum\" href=\"#{id}\" aria-label=\"{label}\">{n}</a>");
        match event {
            Event::Start(Tag::Item) => out.push(Event::Html(
                format!("<li class=\"para\" id=\"{id}\">{number}").into(),
            )),
            Event::Start(Tag::BlockQuote(_)) => out.push(Event::Html(
                format!("<blockquote class=\"para\" id=\"{id}\">{number}\n").into(),
            )),
            e => {
                out.push(Event::Html(
                    format!("<div class=\"para\" id=\"{id}\">{number}").into(),
                ));
                out.push(e);
            }
        }
    }

    /// In a verse text, the number of the line that starts at `offset` of the reading text.
    fn line_starting(&self, offset: usize) -> Option<usize> {
        self.line_numbers?;
        let lines = &self.anchored.reading.lines;
        let n = lines.partition_point(|l| l.start < offset);
        (lines.get(n)?.start == offset).then_some(n + 1)
    }

    /// The start of verse line `n`: an empty link to itself with its id (the one-click way
    /// to cite the line: the script opens its citations, and without the script it is the
    /// line's permanent link), its number shown by the stylesheet (as generated content,
    /// so it is never copied with the words) when it is a multiple of `line_numbers`; then
    /// the line's indentation, kept as non-breaking spaces. Only line 1 and the lines whose
    /// number shows are in the tab order and named ("Line 5"): a screen reader hears the
    /// numbers a sighted reader sees, not one before every line; the others are for the
    /// pointer, and the script lets the arrow keys reach them. A line that starts inside
    /// a link (a link written over a line break) cannot hold one: its start is a `<span>`.
    fn verse_line(&self, n: usize, indent: usize, in_link: bool) -> String {
        let shown = markdown::numbered_line(n, self.line_numbers.unwrap_or(0));
        let id = format!("{}l{n}", attr(self.ctx.prefix));
        let class = if shown {
            "verse-line numbered"
        } else {
            "verse-line"
        };
        let mut html = if in_link {
            format!("<span class=\"{class}\" id=\"{id}\" data-n=\"{n}\"></span>")
        } else if shown || n == 1 {
            let label = numbered_name(self.line_word.as_deref(), "Line {n}", n);
            format!(
                "<a class=\"{class}\" id=\"{id}\" href=\"#{id}\" data-n=\"{n}\" aria-label=\"{label}\"></a>"
            )
        } else {
            format!(
                "<a class=\"verse-line\" id=\"{id}\" href=\"#{id}\" data-n=\"{n}\" tabindex=\"-1\" aria-hidden=\"true\"></a>"
            )
        };
        html.extend(std::iter::repeat_n('\u{a0}', indent));
        html
    }

    /// Cuts the body after block `block` if it has notes, for blocks that hold none (a
    /// heading, a code block, an HTML block shown as text, a footnote): the last event
    /// written is the block's end, and the cut goes just before its closing line break,
    /// where the HTML writer would not add one.
    fn cut(&self, block: usize, out: &mut Vec<Event>, cuts: &mut Vec<usize>) {
        if !self.notes.contains_key(&block) {
            return;
        }
        // An HTML block's end writes nothing: its closing line break is its text's last.
        let html_block = matches!(out.last(), Some(Event::End(TagEnd::HtmlBlock)));
        let closer = if html_block { out.pop() } else { None };
        let end = match out.pop() {
            Some(Event::End(TagEnd::Heading(level))) => format!("</{level}>\n"),
            Some(Event::End(TagEnd::FootnoteDefinition)) => "</div>\n".to_string(),
            Some(Event::Html(html) | Event::InlineHtml(html)) => html.to_string(),
            Some(Event::Text(text)) if html_block => body_text(&text),
            Some(other) => {
                out.push(other);
                String::new()
            }
            None => String::new(),
        };
        let (before, newline) = match end.strip_suffix('\n') {
            Some(before) => (before, "\n"),
            None => (end.as_str(), ""),
        };
        cuts.push(block);
        out.push(Event::Html(format!("{before}{CUT}{newline}").into()));
        out.extend(closer);
    }

    /// Ends the paragraph that is block `block`, cutting the body where its notes go, if
    /// it has any.
    fn close<'e>(
        &self,
        event: Event<'e>,
        block: usize,
        out: &mut Vec<Event<'e>>,
        cuts: &mut Vec<usize>,
    ) {
        let notes = if self.notes.contains_key(&block) {
            cuts.push(block);
            CUT
        } else {
            ""
        };
        match event {
            Event::End(TagEnd::Item) => out.push(Event::Html(format!("{notes}</li>\n").into())),
            Event::End(TagEnd::BlockQuote(_)) => {
                out.push(Event::Html(format!("{notes}</blockquote>\n").into()))
            }
            e => {
                out.push(e);
                out.push(Event::Html(format!("{notes}</div>\n").into()));
            }
        }
    }

    /// Splits a text (or inline code) event where passages begin and end, and wraps the
    /// pieces inside passages in marks.
    fn marked_text<'e>(&mut self, event: Event<'e>, r: Range<usize>, out: &mut Vec<Event<'e>>) {
        let passages = &self.anchored.passages;
        let touching: Vec<&Passage> = passages
            .iter()
            .filter(|p| p.range.start < r.end && p.range.end > r.start)
            .collect();
        let (text, is_code) = match &event {
            Event::Text(t) if !touching.is_empty() => (t.to_string(), false),
            Event::Code(t) if !touching.is_empty() => (t.to_string(), true),
            _ => {
                out.push(event);
                return;
            }
        };
        let mut cuts = vec![r.start, r.end];
        for p in &touching {
            cuts.push(p.range.start.clamp(r.start, r.end));
            cuts.push(p.range.end.clamp(r.start, r.end));
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut html = String::new();
        if is_code {
            html.push_str("<code>");
        }
        for w in cuts.windows(2) {
            let piece = text.get(w[0] - r.start..w[1] - r.start).unwrap_or_default();
            let active: Vec<&Passage> = touching
                .iter()
                .copied()
                .filter(|p| p.range.start <= w[0] && p.range.end >= w[1])
                .collect();
            html.push_str(&self.marks(&active, piece));
        }
        if is_code {
            html.push_str("</code>");
        }
        out.push(Event::InlineHtml(html.into()));
    }

    fn marks(&mut self, active: &[&Passage], piece: &str) -> String {
        self.marks_html(active, &body_text(piece))
    }

    /// Wraps `html` (escaped already, holding no tag) in the marks of `active`.
    fn marks_html(&mut self, active: &[&Passage], html_piece: &str) -> String {
        let mut html = String::new();
        for p in active {
            let id = attr(&self.text.notes[p.note].id);
            let prefix = attr(self.ctx.prefix);
            let anchor = if self.marked.insert(p.note) {
                format!(" id=\"{prefix}mark-{id}\"")
            } else {
                String::new()
            };
            html.push_str(&format!(
                "<mark class=\"passage\" data-note=\"{id}\" aria-details=\"{prefix}{id}\"{anchor}>"
            ));
        }
        html.push_str(html_piece);
        html.push_str(&"</mark>".repeat(active.len()));
        html
    }

    /// A code block, highlighted, with its passages marked: the marks cross the
    /// highlighter's spans the way they cross inline formatting (one mark per piece of
    /// text), and the code's white space stays exactly as written.
    fn code_block(&mut self, code: &Code) -> String {
        let html = highlight::code_block(&code.text, &code.lang);
        let Some(start) = code.start else {
            return html;
        };
        let r = start..start + code.text.len();
        let passages = &self.anchored.passages;
        let touching: Vec<Passage> = passages
            .iter()
            .filter(|p| p.range.start < r.end && p.range.end > r.start)
            .cloned()
            .collect();
        if touching.is_empty() {
            return html;
        }
        let mut cuts: Vec<usize> = touching
            .iter()
            .flat_map(|p| [p.range.start, p.range.end])
            .filter(|c| r.contains(c))
            .map(|c| c - r.start)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = String::with_capacity(html.len() * 2);
        // Inside the block's `<code>`: the generator's own markup stays as it is.
        let Some(body_start) = html
            .find("<code")
            .and_then(|i| html[i..].find('>').map(|k| i + k + 1))
        else {
            return html;
        };
        let body_end = html.rfind("</code>").unwrap_or(html.len()).max(body_start);
        out.push_str(&html[..body_start]);
        for piece in html_pieces(&html[body_start..body_end], &cuts) {
            match piece {
                HtmlPiece::Tag(tag) => out.push_str(tag),
                HtmlPiece::Text(text, at) => {
                    let at = at + r.start;
                    let end = at + 1;
                    let active: Vec<&Passage> = touching
                        .iter()
                        .filter(|p| p.range.start <= at && p.range.end >= end)
                        .collect();
                    if active.is_empty() {
                        out.push_str(text);
                    } else {
                        out.push_str(&self.marks_html(&active, text));
                    }
                }
            }
        }
        out.push_str(&html[body_end..]);
        out
    }

    /// Gives every heading an id from its words, unique among the page's ids.
    fn with_heading_ids<'e>(&mut self, events: Vec<Spanned<'e>>) -> Vec<Spanned<'e>> {
        let mut taken: BTreeSet<String> = self.text.notes.iter().map(|n| n.id.clone()).collect();
        let mut suffixes = BTreeMap::new();
        let mut out = Vec::with_capacity(events.len());
        let mut i = 0;
        while i < events.len() {
            if let (
                Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes,
                    attrs,
                }),
                range,
            ) = &events[i]
            {
                let end = events[i..]
                    .iter()
                    .position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))))
                    .map_or(events.len(), |j| i + j);
                let words = markdown::plain_text(&events[i + 1..end]);
                let id = unique_heading_id(&words, &mut taken, &mut suffixes);
                let id = format!("{}{id}", self.ctx.prefix);
                self.headings.push(Heading {
                    level: *level as u8,
                    id: id.clone(),
                    text: words,
                });
                out.push((
                    Event::Start(Tag::Heading {
                        level: *level,
                        id: Some(id.into()),
                        classes: classes.clone(),
                        attrs: attrs.clone(),
                    }),
                    range.clone(),
                ));
            } else {
                out.push(events[i].clone());
            }
            i += 1;
        }
        out
    }
}

/// A code block being read: its language, its text, and where that text starts in the
/// reading text (`None` when it is no reading text, e.g. in a footnote).
struct Code {
    lang: String,
    text: String,
    start: Option<usize>,
}

impl Code {
    fn new(kind: &pulldown_cmark::CodeBlockKind) -> Code {
        let lang = match kind {
            pulldown_cmark::CodeBlockKind::Fenced(l) => l.to_string(),
            pulldown_cmark::CodeBlockKind::Indented => String::new(),
        };
        Code {
            lang,
            text: String::new(),
            start: None,
        }
    }

    fn push(&mut self, text: &str, step: Step) {
        if let (Step::Text(r), None) = (step, self.start) {
            self.start = Some(r.start - self.text.len().min(r.start));
        }
        self.text.push_str(text);
    }
}

/// A piece of HTML: a tag (or entity-free markup) as it is, or a run of text with the
/// offset of its first char in the text it escapes.
#[derive(Debug, PartialEq, Eq)]
enum HtmlPiece<'h> {
    Tag(&'h str),
    Text(&'h str, usize),
}

/// Splits `html` (tags and escaped text, as a highlighter writes it) into tags and runs
/// of text, cutting runs also at the text offsets `cuts` (sorted), so that each run lies
/// wholly inside or outside every passage. Entities count as the one char they stand for.
fn html_pieces<'h>(html: &'h str, cuts: &[usize]) -> Vec<HtmlPiece<'h>> {
    let mut pieces = Vec::new();
    let mut offset = 0;
    let mut rest = html;
    let mut next_cut = cuts.iter().copied().peekable();
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            pieces.push(HtmlPiece::Tag(&rest[..end]));
            rest = &rest[end..];
            continue;
        }
        let run_end = rest.find('<').unwrap_or(rest.len());
        let run = &rest[..run_end];
        let mut piece_start = 0;
        let mut piece_offset = offset;
        let mut i = 0;
        while i < run.len() {
            while next_cut.peek().is_some_and(|&c| c < offset) {
                next_cut.next();
            }
            if next_cut.peek() == Some(&offset) && i > piece_start {
                pieces.push(HtmlPiece::Text(&run[piece_start..i], piece_offset));
                piece_start = i;
                piece_offset = offset;
            }
            let (len, stands_for) = if run[i..].starts_with('&') {
                match run[i..].find(';') {
                    Some(k) if k <= 10 => (k + 1, decoded_len(&run[i..i + k + 1])),
                    _ => (1, 1),
                }
            } else {
                let c = run[i..].chars().next().map_or(1, char::len_utf8);
                (c, c)
            };
            i += len;
            offset += stands_for;
        }
        if piece_start < run.len() {
            pieces.push(HtmlPiece::Text(&run[piece_start..], piece_offset));
        }
        rest = &rest[run_end..];
    }
    pieces
}

/// The length in UTF-8 of the char an HTML entity stands for.
fn decoded_len(entity: &str) -> usize {
    let body = entity.trim_start_matches('&').trim_end_matches(';');
    let code = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(dec) = body.strip_prefix('#') {
        dec.parse().ok()
    } else {
        None
    };
    match code.and_then(char::from_u32) {
        Some(c) => c.len_utf8(),
        // `&lt;`, `&gt;`, `&amp;`, `&quot;`: the named entities a writer of escaped
        // text uses all stand for one ASCII char.
        None => 1,
    }
}

fn unique_heading_id(
    words: &str,
    taken: &mut BTreeSet<String>,
    taken_suffix: &mut BTreeMap<String, usize>,
) -> String {
    let base = crate::slug::slug(words, 60);
    let numbered =
        |prefix: char| base.starts_with(prefix) && base[1..].chars().all(|c| c.is_ascii_digit());
    // `l12` is a verse line's anchor, as `p12` is a paragraph's.
    let base = if base.is_empty()
        || numbered('p')
        || numbered('l') && base.len() > 1
        || base.starts_with("mark-")
    {
        format!("section-{base}").trim_end_matches('-').to_string()
    } else {
        base
    };
    let mut id = base.clone();
    // Where the search for a free `{base}-{n}` resumes, so that 100,000 headings with
    // the same words take linear time, not quadratic.
    let next = taken_suffix.entry(base.clone()).or_insert(2);
    while taken.contains(&id) || crate::site::RESERVED_IDS.contains(&id.as_str()) {
        id = format!("{base}-{next}");
        *next += 1;
    }
    taken.insert(id.clone());
    id
}

#[cfg(test)]
mod tests;
