//! Stage 3: turn texts, notes, questions and glossary definitions into HTML fragments.
//!
//! A text's body is rendered from the same event stream the anchoring stage read, with
//! three additions: each numbered paragraph is wrapped and given its number, each piece
//! of text inside a passage is wrapped in `<mark data-note="…">` (several marks when a
//! passage crosses formatting, nested marks where passages overlap), and each note's
//! `<aside>` is placed at the end of the paragraph its passage starts in. Nothing else
//! changes: removing the marks and asides gives the HTML of the text without notes.

mod autolink;
mod highlight;
mod raw_html;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

pub use highlight::stylesheet as code_stylesheet;

use crate::anchor::{Anchored, Passage};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::link::{CrossRef, Page, Resolved, Targets, Unresolved};
use crate::markdown::{self, Spanned, Step, Walker};
use crate::site::{Note, NoteKind, Site, Text};

/// A text's page content, ready for a template.
#[derive(Debug, Clone, Default)]
pub struct RenderedText {
    /// The body; each note's aside holds a [`note_extras_marker`] for the link stage.
    pub body: String,
    pub notes: Vec<NoteView>,
    pub questions: Vec<String>,
    pub headings: Vec<Heading>,
    pub paragraphs: usize,
    /// Every cross-link on the page, for backlinks and previews.
    pub links: Vec<CrossRef>,
}

/// A note as templates list it (its HTML is in the body already).
#[derive(Debug, Clone, serde::Serialize)]
pub struct NoteView {
    pub id: String,
    pub title: Option<String>,
    /// The title, or the first words of the passage when there is none.
    pub label: String,
    pub kind: NoteKind,
    pub tags: Vec<String>,
    /// The paragraph it is shown beside.
    pub para: usize,
    pub html: String,
    /// The passage as the reader sees it.
    pub passage: String,
    /// The note as plain text, for previews and excerpts.
    pub plain: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A glossary term, rendered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TermView {
    pub id: String,
    pub term: String,
    pub aliases: Vec<String>,
    pub html: String,
    pub plain: String,
}

/// The body without marks and notes: by the promise that annotation never changes the
/// words of a text, this equals the body rendered without any notes. The tests hold
/// every change to that.
pub fn strip_annotations(html: &str) -> String {
    const NOTES: &str = "<div class=\"notes\">";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(NOTES) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = &rest[end_of_div(rest)..];
    }
    out.push_str(rest);
    let mut clean = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find("<mark") {
        clean.push_str(&rest[..i]);
        rest = &rest[rest[i..].find('>').map_or(rest.len(), |k| i + k + 1)..];
    }
    clean.push_str(rest);
    clean.replace("</mark>", "")
}

/// The length of the `<div …>…</div>` element `html` starts with, nested divs included.
fn end_of_div(html: &str) -> usize {
    let mut depth = 0usize;
    let mut at = 0;
    loop {
        let open = html[at..].find("<div").map(|k| at + k);
        let Some(close) = html[at..].find("</div>").map(|k| at + k) else {
            return html.len();
        };
        match open {
            Some(o) if o < close => {
                depth += 1;
                at = o + 4;
            }
            _ => {
                depth = depth.saturating_sub(1);
                at = close + 6;
                if depth == 0 {
                    return at;
                }
            }
        }
    }
}

/// Where the link stage puts a note's backlinks and related notes.
pub fn note_extras_marker(id: &str) -> String {
    format!("<!--scholia:note-extras:{id}-->")
}

/// Renders one text (whose notes were anchored in `anchored`).
pub fn text(
    site: &Site,
    text: &Text,
    anchored: &Anchored,
    targets: &Targets,
    diags: &mut Diagnostics,
) -> RenderedText {
    let page = Page::Text(text.slug.clone());
    let ctx = Context {
        page: &page,
        targets,
        raw_html: false,
    };
    let mut links = Vec::new();
    let notes: Vec<NoteView> = anchored
        .passages
        .iter()
        .map(|p| {
            let note = &text.notes[p.note];
            let (view, found) = note_view(note, p, &anchored.reading.text, &ctx, diags);
            links.extend(
                found
                    .into_iter()
                    .map(|to| cross_ref(&page, &note.id, &view.label, &view.plain, to)),
            );
            view
        })
        .collect();
    let mut asides: BTreeMap<usize, String> = BTreeMap::new();
    for view in &notes {
        asides
            .entry(view.para)
            .or_default()
            .push_str(&aside(view, &page));
    }
    let body_ctx = Context {
        raw_html: site.config.allow_raw_html,
        ..ctx
    };
    let terms: Vec<autolink::Term> = if site.config.glossary_autolink {
        site.glossary
            .terms
            .iter()
            .map(|t| autolink::Term {
                id: &t.id,
                spellings: std::iter::once(t.term.as_str())
                    .chain(t.aliases.iter().map(String::as_str))
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut body = Body::new(text, anchored, &asides, &body_ctx);
    body.glossary = &terms;
    let html = body.render(diags);
    links.append(&mut body.links);
    let questions = text
        .questions
        .iter()
        .map(|q| {
            let mut on_error = link_error_in(&q.at, diags);
            let (html, found) = fragment(&q.body, &ctx, &mut on_error);
            let plain = plain_text(&q.body, &ctx);
            links.extend(
                found
                    .into_iter()
                    .map(|to| cross_ref(&page, "questions", "Discussion questions", &plain, to)),
            );
            html
        })
        .collect();
    RenderedText {
        body: html,
        notes,
        questions,
        headings: body.headings,
        paragraphs: anchored.reading.paragraphs.len(),
        links,
    }
}

fn cross_ref(page: &Page, anchor: &str, label: &str, context: &str, to: Resolved) -> CrossRef {
    CrossRef {
        from: page.clone(),
        anchor: Some(anchor.to_string()),
        label: label.to_string(),
        excerpt: excerpt(context, 30),
        to,
    }
}

/// The first `words` words of `text`, with an ellipsis if cut. Reads only the start
/// of `text`: a paragraph of a megabyte with a link every few words makes an excerpt
/// per link.
pub fn excerpt(text: &str, words: usize) -> String {
    // Enough for `words` words of up to 100 chars; text beyond it is cut.
    let limit = words.saturating_add(1).saturating_mul(101);
    let head = match text.char_indices().nth(limit) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let mut all: Vec<&str> = head.split_whitespace().take(words + 1).collect();
    if all.len() <= words && head.len() < text.len() {
        // A long word was cut: say there is more.
        all.push("");
    }
    if all.len() > words {
        let kept = all[..words].join(" ");
        // "…all. …" rather than "…all.…": the cut falls after a sentence or clause.
        let gap = if kept.ends_with(['.', '!', '?', ':', ';', ',']) {
            " "
        } else {
            ""
        };
        format!("{kept}{gap}…")
    } else {
        all.join(" ")
    }
}

/// Markdown held in YAML as plain text: the words alone, cross-links read as their
/// labels, as the page (`ctx`) shows them.
fn plain_text(markdown: &str, ctx: &Context) -> String {
    let label = |dest: &str| ctx.targets.label(dest, ctx.page);
    let events = markdown::events(markdown, &label, false);
    let mut out = String::new();
    for (e, _) in &events {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                out.push(' ')
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders the glossary's definitions; returns them with the cross-links they make.
pub fn glossary(
    site: &Site,
    targets: &Targets,
    diags: &mut Diagnostics,
) -> (Vec<TermView>, Vec<CrossRef>) {
    let page = Page::Glossary;
    let ctx = Context {
        page: &page,
        targets,
        raw_html: false,
    };
    let mut links = Vec::new();
    let mut terms: Vec<TermView> = site
        .glossary
        .terms
        .iter()
        .map(|t| {
            let mut on_error = link_error_in(&t.at, diags);
            let (html, found) = fragment(&t.definition, &ctx, &mut on_error);
            let plain = plain_text(&t.definition, &ctx);
            links.extend(
                found
                    .into_iter()
                    .map(|to| cross_ref(&page, &t.id, &t.term, &plain, to)),
            );
            TermView {
                id: t.id.clone(),
                term: t.term.clone(),
                aliases: t.aliases.clone(),
                html,
                plain,
            }
        })
        .collect();
    terms.sort_by_key(|t| t.term.to_lowercase());
    (terms, links)
}

/// What rendering needs to know about where it is.
#[derive(Clone, Copy)]
struct Context<'a> {
    page: &'a Page,
    targets: &'a Targets,
    raw_html: bool,
}

impl Context<'_> {
    fn label(&self, dest: &str) -> Option<String> {
        self.targets.label(dest, self.page)
    }
}

type OnLinkError<'a> = dyn FnMut(&str, Range<usize>, Unresolved) + 'a;

/// Reports a broken link inside YAML-held Markdown (a note, a question, a definition):
/// the link is found by its text near `at`, since YAML hides exact offsets.
fn link_error_in<'a>(
    at: &'a Span,
    diags: &'a mut Diagnostics,
) -> impl FnMut(&str, Range<usize>, Unresolved) + 'a {
    move |dest, _range, e| {
        let text = &at.source.text;
        let from = at.range.start.min(text.len());
        let needle = format!("[[{dest}");
        let span = match text[from..].find(&needle) {
            Some(i) => Span::new(&at.source, from + i..from + i + needle.len() + 2),
            None => at.clone(),
        };
        diags.push(
            Diagnostic::error(format!("broken cross-link: {}", e.message), span)
                .label("links to nothing")
                .maybe_help(e.help),
        );
    }
}

/// Markdown held in YAML (notes, questions, definitions) → HTML. Raw HTML is escaped.
fn fragment(markdown: &str, ctx: &Context, on_error: &mut OnLinkError) -> (String, Vec<Resolved>) {
    let label = |d: &str| ctx.label(d);
    let events = markdown::events(markdown, &label, false);
    let mut out = Vec::with_capacity(events.len());
    let mut links = Links::default();
    let mut code: Option<(String, String)> = None;
    for (event, range) in events {
        if let Some(e) = links.event(event, range, ctx, on_error) {
            push_plain(e, &mut code, &mut out);
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    (html, links.found)
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
    /// Targets of the cross-links met so far, for backlinks and previews.
    found: Vec<Resolved>,
}

/// How a link's start was written, so its end is written to match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// A cross-link, as `<a class="xref" …>`.
    CrossLink,
    /// A cross-link that goes nowhere: reported, and shown as its words alone.
    Broken,
    /// Any other link, left to the HTML writer.
    Other,
}

impl Links {
    fn event<'a>(
        &mut self,
        event: Event<'a>,
        range: Range<usize>,
        ctx: &Context,
        on_error: &mut OnLinkError,
    ) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                ..
            }) => match ctx.targets.resolve(&dest_url, ctx.page) {
                Ok(r) => {
                    self.open.push(Opened::CrossLink);
                    let href = ctx.page.href_to(&r.page, r.fragment.as_deref());
                    let html = format!(
                        "<a class=\"xref\" href=\"{}\" data-target=\"{}\">",
                        attr(&href),
                        attr(&r.key())
                    );
                    self.found.push(r);
                    Some(Event::InlineHtml(html.into()))
                }
                Err(e) => {
                    self.open.push(Opened::Broken);
                    on_error(&dest_url, range, e);
                    None
                }
            },
            Event::End(TagEnd::Link) => match self.open.pop() {
                Some(Opened::CrossLink) => Some(Event::InlineHtml("</a>".into())),
                Some(Opened::Broken) => None,
                Some(Opened::Other) | None => Some(Event::End(TagEnd::Link)),
            },
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.open.push(Opened::Other);
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: safe_url(dest_url),
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
                dest_url: safe_url(dest_url),
                title,
                id,
            })),
            e => Some(e),
        }
    }
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

fn note_view(
    note: &Note,
    passage: &Passage,
    reading: &str,
    ctx: &Context,
    diags: &mut Diagnostics,
) -> (NoteView, Vec<Resolved>) {
    let mut on_error = link_error_in(&note.at.body, diags);
    let (html, found) = fragment(&note.body, ctx, &mut on_error);
    let view = NoteView {
        id: note.id.clone(),
        title: note.title.clone(),
        label: note.label(),
        kind: note.kind,
        tags: note.tags.clone(),
        para: passage.paragraph,
        html,
        passage: reading
            .get(passage.range.clone())
            .unwrap_or_default()
            .to_string(),
        plain: plain_text(&note.body, ctx),
    };
    (view, found)
}

/// A note in the margin: a `<details>` so it opens in place on narrow screens, with or
/// without JavaScript.
fn aside(view: &NoteView, page: &Page) -> String {
    let id = attr(&view.id);
    let title = &view.label;
    let tags: String = if view.tags.is_empty() {
        String::new()
    } else {
        let items: String = view
            .tags
            .iter()
            .map(|t| {
                let href = page.href_to(&Page::Tag(crate::slug::tag(t)), None);
                format!(
                    "<li><a href=\"{}\" rel=\"tag\">{}</a></li>",
                    attr(&href),
                    body_text(t)
                )
            })
            .collect();
        format!("<ul class=\"note-tags\" aria-label=\"Tags\">{items}</ul>")
    };
    format!(
        "<aside class=\"note note-{kind}\" id=\"{id}\" role=\"note\" aria-labelledby=\"{id}-title\"><details><summary id=\"{id}-title\"><span class=\"note-kind\">{label}</span> <span class=\"note-title\">{title}</span></summary><div class=\"note-body\">{html}{tags}{extras}<p class=\"note-back\"><a href=\"#mark-{id}\">Back to the passage</a></p></div></details></aside>",
        kind = view.kind.name(),
        label = view.kind.label(),
        title = body_text(title),
        html = view.html,
        extras = note_extras_marker(&view.id),
    )
}

/// Renders a text's body: the event stream, walked once, with paragraphs wrapped,
/// passages marked and notes placed.
struct Body<'a> {
    text: &'a Text,
    anchored: &'a Anchored,
    asides: &'a BTreeMap<usize, String>,
    ctx: &'a Context<'a>,
    headings: Vec<Heading>,
    /// Notes whose first mark has been written (it carries the `mark-<id>` anchor).
    marked: BTreeSet<usize>,
    links: Vec<CrossRef>,
    /// Terms to link on first use (empty unless `glossary.autolink` is on).
    glossary: &'a [autolink::Term<'a>],
}

impl<'a> Body<'a> {
    fn new(
        text: &'a Text,
        anchored: &'a Anchored,
        asides: &'a BTreeMap<usize, String>,
        ctx: &'a Context<'a>,
    ) -> Self {
        Body {
            text,
            anchored,
            asides,
            ctx,
            headings: Vec::new(),
            marked: BTreeSet::new(),
            links: Vec::new(),
            glossary: &[],
        }
    }

    fn render(&mut self, diags: &mut Diagnostics) -> String {
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
                "{AUTOLINK}href=\"{}\" data-target=\"glossary#{}\">",
                attr(&href),
                attr(id)
            )
        };
        let events = if self.glossary.is_empty() {
            events
        } else {
            autolink::link_terms(events, self.glossary, &open)
        };
        let base = self.text.body.start;
        let source = &self.text.source;
        let mut on_error = |dest: &str, range: Range<usize>, e: Unresolved| {
            let span = Span::new(source, base + range.start..base + range.end);
            diags.push(
                Diagnostic::error(format!("broken cross-link: {}", e.message), span)
                    .label(format!("`[[{dest}]]` links to nothing"))
                    .maybe_help(e.help),
            );
        };
        let mut walker = Walker::new();
        let mut links = Links::default();
        let mut code = None;
        let mut out: Vec<Event> = Vec::with_capacity(events.len() * 2);
        for (event, range) in events {
            let step = walker.step(&event);
            let Some(event) = links.event(event, range, self.ctx, &mut on_error) else {
                continue;
            };
            if let Event::InlineHtml(html) = &event {
                if let Some(to) = self.autolinked(html) {
                    links.found.push(to);
                }
            }
            for to in links.found.drain(..) {
                self.links.push(self.body_ref(walker.block(), to));
            }
            match step {
                Step::BlockStart(n) => self.open(event, n, &mut out),
                Step::BlockEnd(n) => self.close(event, n, &mut out),
                Step::Text(r) => self.marked_text(event, r, &mut out),
                Step::Other => push_plain(event, &mut code, &mut out),
            }
        }
        let mut html = String::with_capacity(self.text.body.len() * 2);
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
        html
    }

    /// The glossary term an autolink's opening markup points at.
    fn autolinked(&self, html: &str) -> Option<Resolved> {
        let rest = html.strip_prefix(AUTOLINK)?;
        let key = rest
            .split("data-target=\"glossary#")
            .nth(1)?
            .split('"')
            .next()?;
        self.ctx
            .targets
            .resolve(&format!("glossary#{key}"), self.ctx.page)
            .ok()
    }

    /// A cross-link in paragraph `block` (or outside any, in a heading).
    fn body_ref(&self, block: Option<usize>, to: Resolved) -> CrossRef {
        let page = Page::Text(self.text.slug.clone());
        let reading = &self.anchored.reading;
        match block {
            Some(n) => {
                let words = reading
                    .paragraphs
                    .get(n - 1)
                    .map_or("", |r| &reading.text[r.clone()]);
                cross_ref(&page, &format!("p{n}"), &format!("¶{n}"), words, to)
            }
            None => CrossRef {
                from: page,
                anchor: None,
                label: self.text.meta.title.clone(),
                excerpt: String::new(),
                to,
            },
        }
    }

    fn open<'e>(&self, event: Event<'e>, n: usize, out: &mut Vec<Event<'e>>) {
        let number =
            format!("<a class=\"pnum\" href=\"#p{n}\" aria-label=\"Paragraph {n}\">{n}</a>");
        match event {
            Event::Start(Tag::Item) => out.push(Event::Html(
                format!("<li class=\"para\" id=\"p{n}\">{number}").into(),
            )),
            Event::Start(Tag::BlockQuote(_)) => out.push(Event::Html(
                format!("<blockquote class=\"para\" id=\"p{n}\">{number}\n").into(),
            )),
            e => {
                out.push(Event::Html(
                    format!("<div class=\"para\" id=\"p{n}\">{number}").into(),
                ));
                out.push(e);
            }
        }
    }

    fn close<'e>(&self, event: Event<'e>, n: usize, out: &mut Vec<Event<'e>>) {
        let notes = self
            .asides
            .get(&n)
            .map(|a| format!("<div class=\"notes\">{a}</div>"))
            .unwrap_or_default();
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
        let mut html = String::new();
        for p in active {
            let id = attr(&self.text.notes[p.note].id);
            let anchor = if self.marked.insert(p.note) {
                format!(" id=\"mark-{id}\"")
            } else {
                String::new()
            };
            html.push_str(&format!(
                "<mark class=\"passage\" data-note=\"{id}\" aria-details=\"{id}\"{anchor}>"
            ));
        }
        html.push_str(&body_text(piece));
        html.push_str(&"</mark>".repeat(active.len()));
        html
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

fn unique_heading_id(
    words: &str,
    taken: &mut BTreeSet<String>,
    taken_suffix: &mut BTreeMap<String, usize>,
) -> String {
    let base = crate::slug::slug(words, 60);
    let base = if base.is_empty()
        || base.starts_with('p') && base[1..].chars().all(|c| c.is_ascii_digit())
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

/// How autolinks to the glossary open, so the body walk can count them as citations.
const AUTOLINK: &str = "<a class=\"xref gloss\" ";

#[cfg(test)]
mod tests;
