//! EPUB 3 handouts: one book per text or pack, for tablets and e-readers.
//!
//! Each text is a chapter: its header, its body with each annotated passage marked and
//! followed by a note reference (`epub:type="noteref"`), its questions, and its notes as
//! `<aside epub:type="footnote">`, which reading systems show as pop-ups. The glossary
//! terms the texts cite make an appendix. Markup comes from `chapter.xhtml` (tera, with
//! XML escaping); the Markdown is rendered from its events here, with links that would
//! lead outside the book (cross-links, relative links) reduced to their words and images
//! left out, so the book holds nothing it cannot resolve.

use std::ops::Range;

use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, ZipLibrary,
};
use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use serde::Serialize;

use super::edition::{Edition, Stamp};
use crate::link::Targets;
use crate::markdown::{self, Step, Walker};
use crate::site::NoteKind;

const CHAPTER: &str = include_str!("chapter.xhtml");

const STYLESHEET: &str = "\
body { font-family: serif; line-height: 1.5; }
.meta, .site, .url { color: #555; font-size: 0.9em; margin: 0.2em 0; }
.passage { text-decoration: underline; }
a.noteref { font-size: 0.75em; vertical-align: super; text-decoration: none; }
.para-number { color: #777; font-size: 0.7em; margin-right: 0.4em; }
.line-number { float: right; color: #777; font-size: 0.7em; }
.instructor-label { font-weight: bold; font-size: 0.8em; text-transform: uppercase; background: #e4e4e4; padding: 0 0.2em; }
.kind { font-variant: small-caps; color: #555; }
.notes aside { margin: 0.6em 0; font-size: 0.92em; }
";

/// Why no EPUB was made.
#[derive(Debug)]
pub(crate) struct EpubError(pub String);

impl std::fmt::Display for EpubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "making the EPUB failed: {}", self.0)
    }
}

impl std::error::Error for EpubError {}

fn fail(e: impl std::fmt::Display) -> EpubError {
    EpubError(e.to_string())
}

#[derive(Serialize)]
struct NoteView {
    number: usize,
    kind: Option<String>,
    title: Option<String>,
    instructor: bool,
    html: String,
}

/// The words a book prints itself, in the site's language.
#[derive(Serialize)]
struct Words {
    notes: String,
    questions: String,
    glossary: String,
    instructor: String,
    answer: String,
    contents: String,
    rtl: bool,
}

#[derive(Serialize)]
struct QuestionView {
    question: String,
    answer: Option<String>,
}

#[derive(Serialize)]
struct EntryView {
    id: String,
    term: String,
    html: String,
}

/// The handout as an EPUB 3 book.
pub(crate) fn render(h: &Edition) -> Result<Vec<u8>, EpubError> {
    let site = h.doc.site;
    let config = &site.config;
    let mut tera = tera::Tera::default();
    tera.add_raw_template("chapter.xhtml", CHAPTER)
        .map_err(fail)?;
    tera.autoescape_on(vec![".xhtml"]);
    let lang = config.language.clone();
    let targets = Targets::new(site);

    let mut builder = EpubBuilder::new(ZipLibrary::new().map_err(fail)?).map_err(fail)?;
    builder.epub_version(EpubVersion::V30);
    builder.set_title(h.title.clone());
    builder.add_language(lang.clone());
    builder.set_toc_name(h.word("contents", &[]));
    if crate::strings::is_right_to_left(&lang) {
        builder.epub_direction(epub_builder::PageDirection::Rtl);
    }
    builder.set_generator("scholia");
    // The same site makes the same book: a date that is not the clock's, an identifier
    // named after the book instead of a random one.
    let stamp = h.stamp();
    if let chrono::LocalResult::Single(date) = chrono::TimeZone::with_ymd_and_hms(
        &chrono::Utc,
        i32::from(stamp.year),
        u32::from(stamp.month),
        u32::from(stamp.day),
        u32::from(stamp.hour),
        u32::from(stamp.minute),
        u32::from(stamp.second),
    ) {
        builder.set_modified_date(date);
    }
    builder.set_uuid(identifier(h));
    let author = if h.is_pack {
        config.author.clone()
    } else {
        h.texts
            .first()
            .and_then(|t| t.text.meta.author.clone())
            .or(config.author.clone())
    };
    // epub-builder 0.8.3 gives `dc:creator` and `dc:language` the same id
    // (`epub-creator-0`), which epubcheck refuses: the author goes in as a `meta` instead.
    if let Some(a) = author {
        builder.add_metadata_opf(Box::new(MetadataOpfV3::new("dcterms:creator".into(), a)));
    }
    builder.stylesheet(STYLESHEET.as_bytes()).map_err(fail)?;

    let words = Words {
        notes: h.word("notes", &[]),
        questions: h.word("questions", &[]),
        glossary: h.word("glossary", &[]),
        instructor: h.word("instructor", &[]),
        answer: h.word("answer", &[]),
        contents: h.word("contents", &[]),
        rtl: crate::strings::is_right_to_left(&lang),
    };
    let mut files: Vec<(String, String, String, ReferenceType)> = Vec::new();
    if h.is_pack {
        let mut ctx = tera::Context::new();
        ctx.insert("kind", "cover");
        ctx.insert("words", &words);
        ctx.insert("lang", &lang);
        ctx.insert("title", &h.title);
        ctx.insert("site", &config.title);
        ctx.insert("url", &config.base_url.as_ref().map(|u| u.to_string()));
        let contents: Vec<&str> = h.texts.iter().map(|t| t.text.meta.title.as_str()).collect();
        ctx.insert("contents", &contents);
        let page = tera.render("chapter.xhtml", &ctx).map_err(fail)?;
        files.push((
            "cover.xhtml".into(),
            h.title.clone(),
            page,
            ReferenceType::TitlePage,
        ));
    }
    for (i, t) in h.texts.iter().enumerate() {
        let label = |d: &str| targets.label(d, &t.page);
        let meta = &t.text.meta;
        let mut notes = Vec::new();
        let mut marks = Vec::new();
        for (k, n) in t.notes.iter().enumerate() {
            let number = h.note_number(i, k);
            let body = t
                .text
                .notes
                .get(n.index)
                .map_or("", |note| note.body.as_str());
            notes.push(NoteView {
                number,
                kind: (n.kind != NoteKind::Note).then(|| h.kind_word(n.kind)),
                title: n.title.clone(),
                instructor: h.is_instructor_note(t, n),
                html: fragment(body, &label),
            });
            if let Some(p) = t.anchored.passages.iter().find(|p| p.note == n.index) {
                marks.push((p.range.clone(), number));
            }
        }
        let body = body(
            t.text.markdown(),
            &marks,
            &label,
            site.config.allow_raw_html,
            site.line_numbers_of(t.text),
        );
        let questions: Vec<String> = t
            .text
            .questions
            .iter()
            .map(|q| fragment(&q.body, &label))
            .collect();
        let date = meta.date.as_deref().map(|d| h.date_words(d));
        let byline: Vec<&str> = [meta.author.as_deref(), date.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("kind", "text");
        ctx.insert("words", &words);
        ctx.insert("lang", site.language_of(t.text));
        ctx.insert("title", &meta.title);
        ctx.insert("byline", &byline.join(" · "));
        let source = meta
            .source
            .as_ref()
            .map(|s| h.word("source", &[("source", s.clone())]));
        ctx.insert("source", &source);
        let license = meta
            .license
            .as_ref()
            .map(|l| h.word("license_line", &[("license", l.clone())]));
        ctx.insert("license", &license);
        ctx.insert("url", &h.url(i).map(|u| u.to_string()));
        ctx.insert("body", &body);
        ctx.insert("questions", &questions);
        let instructor_questions: Vec<QuestionView> = if h.instructor() {
            t.text
                .instructor_questions
                .iter()
                .map(|q| QuestionView {
                    question: fragment(&q.question, &label),
                    answer: q.answer.as_deref().map(|a| fragment(a, &label)),
                })
                .collect()
        } else {
            Vec::new()
        };
        ctx.insert("instructor_questions", &instructor_questions);
        ctx.insert("notes", &notes);
        let page = tera.render("chapter.xhtml", &ctx).map_err(fail)?;
        files.push((
            format!("text-{}.xhtml", i + 1),
            meta.title.clone(),
            page,
            ReferenceType::Text,
        ));
    }
    let glossary = h.glossary();
    if !glossary.is_empty() {
        let label = |d: &str| targets.label(d, &crate::document::Page::Glossary);
        let entries: Vec<EntryView> = glossary
            .iter()
            .map(|e| EntryView {
                id: format!("term-{}", e.id),
                term: e.term.clone(),
                html: fragment(
                    site.glossary
                        .terms
                        .get(e.index)
                        .map_or("", |t| t.definition.as_str()),
                    &label,
                ),
            })
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("kind", "glossary");
        ctx.insert("words", &words);
        ctx.insert("lang", &lang);
        ctx.insert("title", &words.glossary);
        ctx.insert("entries", &entries);
        let page = tera.render("chapter.xhtml", &ctx).map_err(fail)?;
        files.push((
            "glossary.xhtml".into(),
            words.glossary.clone(),
            page,
            ReferenceType::Glossary,
        ));
    }
    for (name, title, page, reftype) in files {
        builder
            .add_content(
                EpubContent::new(name, page.as_bytes())
                    .title(title)
                    .reftype(reftype),
            )
            .map_err(fail)?;
    }
    let mut out = Vec::new();
    builder.generate(&mut out).map_err(fail)?;
    rezip(&out, stamp)
}

/// The book's identifier: a name-based UUID of the site (its `base_url`, or its title),
/// the handout's name and edition, so a new build of the same book is the same book to a
/// reading system, and the instructor's book another one.
fn identifier(h: &Edition) -> uuid::Uuid {
    use sha2::Digest as _;
    let config = &h.doc.site.config;
    let site = config
        .base_url
        .as_ref()
        .map_or_else(|| config.title.clone(), |u| u.to_string());
    let mut hash = sha2::Sha256::new();
    for part in [
        "scholia handout",
        &site,
        if h.is_pack { "pack" } else { "text" },
        &h.name,
        if h.instructor() {
            "instructor"
        } else {
            "public"
        },
    ] {
        hash.update(part.len().to_le_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes).into_uuid()
}

/// The book written again with every entry dated `stamp`: the zip library epub-builder
/// uses dates entries with the clock. Entries keep their order, `mimetype` first and
/// stored, as EPUB requires.
fn rezip(book: &[u8], stamp: Stamp) -> Result<Vec<u8>, EpubError> {
    use std::io::{Read as _, Write as _};
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;
    let time = zip::DateTime::from_date_and_time(
        stamp.year,
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    .map_err(fail)?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(book)).map_err(fail)?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(fail)?;
        let method = if entry.name() == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(time)
            .unix_permissions(0o644);
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(fail)?;
        out.start_file(entry.name(), options).map_err(fail)?;
        out.write_all(&data).map_err(fail)?;
    }
    Ok(out.finish().map_err(fail)?.into_inner())
}

/// Note, question or definition Markdown as XHTML.
fn fragment(md: &str, label: &dyn Fn(&str) -> Option<String>) -> String {
    let mut book = Book::default();
    let mut out = Vec::new();
    for (e, _) in markdown::events(md, label, false) {
        book.event(e, &mut out);
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    html
}

/// A text's body as XHTML: each passage's words in `<span class="passage">`, its note's
/// reference where it ends, each numbered paragraph's number before it. The walker reads
/// the events as anchoring read them; [`Book`] then reduces what the book cannot hold.
/// In a verse text (`line_numbers` given), every line is kept, with its indentation, and
/// every Nth line's number is beside it.
fn body(
    md: &str,
    marks: &[(Range<usize>, usize)],
    label: &dyn Fn(&str) -> Option<String>,
    raw_html: bool,
    line_numbers: Option<u32>,
) -> String {
    let events = markdown::events(md, label, raw_html);
    let mut walker = Walker::with_layout(line_numbers.is_some());
    let mut book = Book::default();
    let mut out: Vec<Event> = Vec::new();
    let mut placed = vec![false; marks.len()];
    let mut place_ended = |out: &mut Vec<Event>, end: usize, all_before: bool| {
        for (k, (r, n)) in marks.iter().enumerate() {
            if !placed[k] && (r.end == end || (all_before && r.end <= end)) {
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<a epub:type=\"noteref\" class=\"noteref\" id=\"ref-{n}\" href=\"#note-{n}\">{n}</a>"
                ))));
                placed[k] = true;
            }
        }
    };
    for (event, at) in events {
        let lines = walker.lines_started();
        let step = walker.step(&event);
        let line = (walker.lines_started() > lines).then(|| {
            let n = walker.lines_started();
            let indent = markdown::line_indent(md, &event, at.start);
            let mut html = if markdown::numbered_line(n, line_numbers.unwrap_or(0)) {
                format!("<span class=\"line-number\">{n}</span>")
            } else {
                String::new()
            };
            html.extend(std::iter::repeat_n('\u{a0}', indent));
            Event::InlineHtml(CowStr::from(html))
        });
        match (step, event) {
            (Step::BlockStart(n), e) => {
                book.event(e, &mut out);
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<span class=\"para-number\">{n}</span>"
                ))));
                out.extend(line);
            }
            (Step::Text(range), _) if line.is_some() => {
                out.push(Event::HardBreak);
                out.extend(line);
                place_ended(&mut out, range.end, false);
            }
            (Step::BlockEnd { .. }, e) => {
                place_ended(&mut out, walker.reading_len(), true);
                book.event(e, &mut out);
            }
            (Step::Text(range), Event::Text(t)) => {
                let mut cuts = vec![range.start, range.end];
                for (r, _) in marks {
                    for edge in [r.start, r.end] {
                        if edge > range.start
                            && edge < range.end
                            && t.is_char_boundary(edge - range.start)
                        {
                            cuts.push(edge);
                        }
                    }
                }
                cuts.sort_unstable();
                cuts.dedup();
                for pair in cuts.windows(2) {
                    let (a, b) = (pair[0], pair[1]);
                    let piece = t[a - range.start..b - range.start].to_string();
                    if marks.iter().any(|(r, _)| r.start <= a && b <= r.end) {
                        out.push(Event::InlineHtml("<span class=\"passage\">".into()));
                        out.push(Event::Text(piece.into()));
                        out.push(Event::InlineHtml("</span>".into()));
                    } else {
                        out.push(Event::Text(piece.into()));
                    }
                    place_ended(&mut out, b, false);
                }
            }
            (Step::Text(range), e) => {
                book.event(e, &mut out);
                place_ended(&mut out, range.end, false);
            }
            (_, e) => book.event(e, &mut out),
        }
    }
    place_ended(&mut out, usize::MAX, true);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    html
}

/// Keeps a book self-contained and well-formed: links to other pages become their words,
/// images are left out, and an author's raw HTML (allowed on the site, but maybe not
/// XHTML) is left out too. The only HTML events in the output are this module's own.
#[derive(Default)]
struct Book {
    /// Whether each open link was kept.
    links: Vec<bool>,
    /// Depth inside images.
    image: usize,
}

impl Book {
    fn event<'a>(&mut self, e: Event<'a>, out: &mut Vec<Event<'a>>) {
        if self.image > 0 {
            match e {
                Event::Start(Tag::Image { .. }) => self.image += 1,
                Event::End(TagEnd::Image) => self.image -= 1,
                _ => {}
            }
            return;
        }
        match e {
            Event::Start(Tag::Image { .. }) => self.image += 1,
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let web = ["http://", "https://", "mailto:"].iter().any(|s| {
                    dest_url
                        .get(..s.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(s))
                });
                let keep = web && !matches!(link_type, LinkType::WikiLink { .. });
                self.links.push(keep);
                if keep {
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if self.links.pop().unwrap_or(false) {
                    out.push(e);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {}
            e => out.push(e),
        }
    }
}

#[cfg(test)]
mod tests;
