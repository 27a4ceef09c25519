//! The raw HTML a trusted site's authors write in a text (`allow_raw_html: true`),
//! sanitized with ammonia *before* anything of scholia's own joins it.
//!
//! Only the author's fragments go through the sanitizer: scholia's markup (paragraph
//! wrappers, marks, notes, cross-links, backlinks) is added later and escaped by
//! construction, so no allowlist has to know it. An HTML block is cleaned on its own. A
//! run of inline content holding raw HTML (`H<sub>2</sub>O`) is cleaned as one piece,
//! with every other event of the run standing in as a placeholder, so an element may
//! wrap Markdown; the events come back unchanged and in order, which keeps every word
//! where anchoring found it. When the sanitizer would drop or reorder them (a `<script>`
//! around words), the run's raw HTML is shown as text instead.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

use crate::markdown::Spanned;

/// Placeholder `i` is `OPEN i CLOSE` (private-use characters).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Sanitizes the author's raw HTML in `events`; every other event is kept as it is.
pub(crate) fn sanitize(events: Vec<Spanned<'_>>) -> Vec<Spanned<'_>> {
    let cleaner = cleaner();
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while let Some((event, range)) = events.next() {
        match event {
            Event::Html(first) => {
                let mut html = first.to_string();
                let mut range = range;
                while let Some((Event::Html(more), r)) = events.peek() {
                    html.push_str(more);
                    range.end = r.end;
                    events.next();
                }
                let clean = cleaner.clean(&html).to_string();
                out.push((Event::Html(clean.into()), range));
            }
            e if is_inline(&e) => {
                let mut run = vec![(e, range)];
                while let Some((next, _)) = events.peek() {
                    if !is_inline(next) {
                        break;
                    }
                    run.extend(events.next());
                }
                out.extend(inline_run(run, &cleaner));
            }
            e => out.push((e, range)),
        }
    }
    out
}

/// What the author's HTML may keep: ammonia's defaults (no scripts, styles, event
/// handlers or `javascript:` URLs) and a few elements readers use.
fn cleaner() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags([
            "mark",
            "details",
            "summary",
            "section",
            "figure",
            "figcaption",
        ])
        .add_generic_attributes(["class", "lang"])
        .link_rel(None)
        .url_relative(ammonia::UrlRelative::PassThrough);
    builder
}

/// Events that live inside a paragraph, heading or table cell.
fn is_inline(event: &Event) -> bool {
    use pulldown_cmark::Tag as T;
    use pulldown_cmark::TagEnd as E;
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak => true,
        Event::Start(t) => matches!(
            t,
            T::Emphasis
                | T::Strong
                | T::Strikethrough
                | T::Superscript
                | T::Subscript
                | T::Link { .. }
                | T::Image { .. }
        ),
        Event::End(t) => matches!(
            t,
            E::Emphasis
                | E::Strong
                | E::Strikethrough
                | E::Superscript
                | E::Subscript
                | E::Link
                | E::Image
        ),
        _ => false,
    }
}

/// Cleans the raw HTML of one run of inline events.
fn inline_run<'a>(run: Vec<Spanned<'a>>, cleaner: &ammonia::Builder) -> Vec<Spanned<'a>> {
    let has_html = run.iter().any(|(e, _)| matches!(e, Event::InlineHtml(_)));
    if !has_html {
        return run;
    }
    let mut joined = String::new();
    let mut kept: Vec<Spanned<'a>> = Vec::new();
    for (event, range) in &run {
        match event {
            Event::InlineHtml(html) if html.contains([OPEN, CLOSE]) => return as_text(run),
            Event::InlineHtml(html) => joined.push_str(html),
            e => {
                joined.push_str(&format!("{OPEN}{}{CLOSE}", kept.len()));
                kept.push((e.clone(), range.clone()));
            }
        }
    }
    let clean = cleaner.clean(&joined).to_string();
    match restore(&clean, kept, run_range(&run)) {
        Some(events) => events,
        None => as_text(run),
    }
}

/// Puts the placeholders' events back between the pieces of clean HTML; `None` unless
/// every placeholder is there exactly once and in order.
fn restore<'a>(
    clean: &str,
    kept: Vec<Spanned<'a>>,
    range: Range<usize>,
) -> Option<Vec<Spanned<'a>>> {
    let mut out = Vec::with_capacity(kept.len() * 2 + 1);
    let mut kept = kept.into_iter();
    let mut rest = clean;
    let mut expected = 0usize;
    while let Some(open) = rest.find(OPEN) {
        let (html, tail) = rest.split_at(open);
        let tail = &tail[OPEN.len_utf8()..];
        let close = tail.find(CLOSE)?;
        if tail[..close].parse::<usize>().ok()? != expected {
            return None;
        }
        expected += 1;
        if !html.is_empty() {
            out.push((Event::InlineHtml(html.to_string().into()), range.clone()));
        }
        out.push(kept.next()?);
        rest = &tail[close + CLOSE.len_utf8()..];
    }
    if kept.next().is_some() || rest.contains(CLOSE) {
        return None;
    }
    if !rest.is_empty() {
        out.push((Event::InlineHtml(rest.to_string().into()), range));
    }
    Some(out)
}

/// The run with its raw HTML shown as text (still `InlineHtml`, so the reading text,
/// which skips raw HTML, stays as anchoring saw it).
fn as_text(run: Vec<Spanned<'_>>) -> Vec<Spanned<'_>> {
    run.into_iter()
        .map(|(e, r)| match e {
            Event::InlineHtml(html) => (Event::InlineHtml(escaped(&html)), r),
            e => (e, r),
        })
        .collect()
}

fn escaped(html: &str) -> CowStr<'static> {
    let mut out = String::with_capacity(html.len());
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut out, html);
    out.into()
}

fn run_range(run: &[Spanned]) -> Range<usize> {
    let start = run.first().map_or(0, |(_, r)| r.start);
    let end = run.last().map_or(start, |(_, r)| r.end);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> String {
        let events = sanitize(crate::markdown::events(md, &|_| None, true));
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter().map(|(e, _)| e));
        html
    }

    fn texts(md: &str, raw: bool) -> Vec<String> {
        let events = crate::markdown::events(md, &|_| None, true);
        let events = if raw { sanitize(events) } else { events };
        events
            .into_iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn inline_elements_may_wrap_markdown() {
        let html = render("H<sub>2</sub>O and <span class=\"x\" onclick=\"f()\">*a* b</span>.");
        assert_eq!(
            html,
            "<p>H<sub>2</sub>O and <span class=\"x\"><em>a</em> b</span>.</p>\n"
        );
    }

    #[test]
    fn scripts_styles_frames_and_handlers_go() {
        let html = render(
            "<script>alert(1)</script>\n\n<style>p{}</style>\n\n\
             <div onmouseover=\"x()\"><a href=\"javascript:y()\">a</a>\
             <iframe src=\"https://example.org\"></iframe></div>\n\n\
             A <img src=x onerror=\"z()\"> b.",
        );
        for bad in [
            "<script",
            "alert",
            "<style",
            "onmouseover",
            "javascript:",
            "<iframe",
            "onerror",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<div><a>a</a></div>"), "{html}");
    }

    #[test]
    fn words_a_sanitizer_would_drop_stay_and_the_html_becomes_text() {
        let md = "Say <script>alert(1)</script> twice <style>b</style>.";
        assert_eq!(texts(md, true), texts(md, false));
        let html = render(md);
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn typed_placeholders_are_only_text() {
        let md = "A \u{E000}0\u{E001} <b title=\"\u{E000}0\u{E001}\">b</b> \u{E000}1\u{E001}";
        assert_eq!(texts(md, true), texts(md, false));
        let html = render(md);
        assert!(!html.contains("<b"), "{html}");
    }

    #[test]
    fn unbalanced_html_is_closed_where_it_was_written() {
        assert_eq!(
            render("<div class=\"box\">\n\nText\n"),
            "<div class=\"box\">\n</div>\n<p>Text</p>\n"
        );
        assert_eq!(
            render("a <b>bold\n\nnext</b>"),
            "<p>a <b>bold</b></p>\n<p>next</p>\n"
        );
    }
}
