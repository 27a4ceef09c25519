//! PDF handouts, typeset by Typst inside the binary (no browser, no LaTeX).
//!
//! [`source`] writes a handout's Typst source: our layout ([`handout.typ`]) and then the
//! handout itself, where every piece of the site's text is a string literal
//! ([`markup::string`]), so nothing an author writes can run as Typst code. [`render`]
//! compiles it in a [`world::HandoutWorld`], which holds the source and the embedded fonts
//! and refuses every file and package request.

mod fit;
mod markup;
mod world;

use std::fmt::{self, Write as _};

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst::World as _;
use typst::WorldExt as _;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::edition::{Edition, Stamp};
use crate::config::NotePlacement;
use crate::diagnostics::Diagnostic;
use crate::document::TextDoc;
use crate::link::Targets;
use crate::site::NoteKind;

use markup::{optional, string, BodyOptions, Mark};

/// Our layout: functions the generated part calls (`scholia-page`, `scholia-footnote`…).
const LAYOUT: &str = include_str!("handout.typ");

/// Why no PDF was made: Typst's errors, as messages.
#[derive(Debug)]
pub(crate) struct PdfError {
    pub messages: Vec<String>,
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.messages.join("; "))
    }
}

impl std::error::Error for PdfError {}

/// Why a handout has no PDF.
#[derive(Debug)]
pub(crate) enum Failed {
    /// Typst could not typeset it: a bug in scholia when the site builds.
    Typst(PdfError),
    /// The author's content does not fit the paper: one error per mistake.
    Content(Vec<Diagnostic>),
}

/// A PDF and what its author should know about it.
pub(crate) struct Typeset {
    pub pdf: Vec<u8>,
    pub warnings: Vec<Diagnostic>,
}

/// The handout as a PDF. A note that cannot be printed on the page of its passage is an
/// error (pointing at the note in its sidecar), and then there is no PDF.
pub(crate) fn render(edition: &Edition) -> Result<Typeset, Failed> {
    let ident = format!(
        "{}{}",
        edition.name,
        if edition.instructor() {
            " (instructor)"
        } else {
            ""
        }
    );
    let world = world::HandoutWorld::new(source(edition));
    let document = typeset(&world).map_err(Failed::Typst)?;
    if edition.settings.notes == NotePlacement::Page {
        let astray = fit::notes_off_their_page(&document);
        if !astray.is_empty() {
            return Err(Failed::Content(fit::diagnostics(edition, &astray)));
        }
    }
    let pdf = export(&world, &document, &ident, edition.stamp()).map_err(Failed::Typst)?;
    Ok(Typeset {
        pdf,
        warnings: fit::missing_glyphs(edition, &world),
    })
}

/// Compiles Typst source to PDF, with the number of file or package requests refused.
#[cfg(test)]
fn compile(source: String, ident: &str) -> Result<(Vec<u8>, usize), PdfError> {
    let world = world::HandoutWorld::new(source);
    let document = typeset(&world)?;
    let pdf = export(&world, &document, ident, Stamp::EARLIEST)?;
    Ok((pdf, world.denied()))
}

/// Lays the handout out in pages.
fn typeset(world: &world::HandoutWorld) -> Result<PagedDocument, PdfError> {
    if !world.has_fonts() {
        return Err(PdfError {
            messages: vec!["no font could be loaded for the PDF".into()],
        });
    }
    let Warned { output, .. } = typst::compile::<PagedDocument>(world);
    output.map_err(|errors| errors_of(world, &errors))
}

/// The pages as a PDF created at `stamp` (never the clock's time: the same handout makes
/// the same bytes; the document id is the hash of `ident`).
fn export(
    world: &world::HandoutWorld,
    document: &PagedDocument,
    ident: &str,
    stamp: Stamp,
) -> Result<Vec<u8>, PdfError> {
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some("scholia".into())),
        timestamp: Datetime::from_ymd_hms(
            i32::from(stamp.year),
            stamp.month,
            stamp.day,
            stamp.hour,
            stamp.minute,
            stamp.second,
        )
        .map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(document, &options).map_err(|errors| errors_of(world, &errors))
}

/// Typst's errors as messages, each with the line of the source it points at.
fn errors_of(world: &world::HandoutWorld, errors: &[SourceDiagnostic]) -> PdfError {
    let source = world.source(world.main()).ok();
    let messages = errors
        .iter()
        .map(|e| {
            let line = source.as_ref().and_then(|s| {
                let range = world.range(e.span)?;
                s.lines().byte_to_line(range.start).map(|l| l + 1)
            });
            match line {
                Some(l) => format!(
                    "typesetting the PDF failed: {} (handout source line {l})",
                    e.message
                ),
                None => format!("typesetting the PDF failed: {}", e.message),
            }
        })
        .collect();
    PdfError { messages }
}

/// The handout's Typst source.
pub(crate) fn source(h: &Edition) -> String {
    let site = h.doc.site;
    let config = &site.config;
    let mut out = String::with_capacity(16 * 1024);
    words(&mut out, h);
    out.push_str(LAYOUT);
    out.push_str("\n// The handout (generated by scholia).\n\n");
    let author = if h.is_pack {
        config.author.as_deref()
    } else {
        h.texts
            .first()
            .and_then(|t| t.text.meta.author.as_deref())
            .or(config.author.as_deref())
    };
    let _ = writeln!(
        out,
        "#set document(title: {}{})",
        string(&h.title),
        author.map_or(String::new(), |a| format!(", author: {}", string(a)))
    );
    let paper = match h.settings.paper {
        crate::config::Paper::A4 => "a4",
        crate::config::Paper::Letter => "us-letter",
    };
    let running = format!("{} · {}", h.title, config.title);
    let _ = writeln!(
        out,
        "#show: scholia-page.with(paper: {}, running: {}, lang: {})\n",
        string(paper),
        string(&running),
        optional(typst_lang(&config.language).as_deref()),
    );
    if h.is_pack {
        let url = config.base_url.as_ref().map(|u| u.to_string());
        let _ = writeln!(
            out,
            "#scholia-cover({}, site: {}, url: {})\n",
            string(&h.title),
            string(&config.title),
            optional(url.as_deref())
        );
    }
    let targets = Targets::new(site);
    for (i, t) in h.texts.iter().enumerate() {
        text(&mut out, h, i, t, &targets);
    }
    let glossary = h.glossary();
    if !glossary.is_empty() {
        let level = if h.is_pack { 1 } else { 2 };
        if h.is_pack {
            out.push_str("#pagebreak(weak: true)\n");
        }
        let _ = writeln!(
            out,
            "#heading(level: {level}, {})\n",
            string(&h.word("glossary", &[]))
        );
        out.push_str("#terms(tight: false,\n");
        for e in &glossary {
            let definition = site
                .glossary
                .terms
                .get(e.index)
                .map_or("", |t| t.definition.as_str());
            let label = |d: &str| targets.label(d, &crate::document::Page::Glossary);
            let _ = writeln!(
                out,
                "  terms.item({}, [{}]),",
                string(&e.term),
                markup::fragment(definition, &label).trim_end()
            );
        }
        out.push_str(");\n");
    }
    out
}

/// One text of the handout: header, body with notes, endnotes, questions.
fn text(out: &mut String, h: &Edition, i: usize, t: &TextDoc, targets: &Targets) {
    let site = h.doc.site;
    let meta = &t.text.meta;
    let url = h.url(i).map(|u| u.to_string());
    let label = |d: &str| targets.label(d, &t.page);
    if h.is_pack {
        out.push_str("#pagebreak(weak: true)\n");
    }
    let _ = writeln!(
        out,
        "#scholia-header({}, author: {}, date: {}, source: {}, license: {}, site: {}, url: {})\n",
        string(&meta.title),
        optional(meta.author.as_deref()),
        optional(meta.date.as_deref().map(|d| h.date_words(d)).as_deref()),
        optional(
            meta.source
                .as_deref()
                .map(|s| h.word("source", &[("source", s.to_string())]))
                .as_deref()
        ),
        optional(
            meta.license
                .as_deref()
                .map(|l| h.word("license_line", &[("license", l.to_string())]))
                .as_deref()
        ),
        optional((!h.is_pack).then_some(site.config.title.as_str())),
        optional(url.as_deref()),
    );
    // Each note's text, numbered through the handout.
    let notes: Vec<(usize, String)> = t
        .notes
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let body = t
                .text
                .notes
                .get(n.index)
                .map_or("", |note| note.body.as_str());
            let kind = (n.kind != NoteKind::Note).then(|| h.kind_word(n.kind));
            let call = format!(
                "{}, {}, {}, {}, [{}]",
                h.note_number(i, k),
                optional(kind.as_deref()),
                optional(n.title.as_deref()),
                h.is_instructor_note(t, n),
                markup::fragment(body, &label).trim_end()
            );
            (h.note_number(i, k), call)
        })
        .collect();
    let marks: Vec<Mark> = t
        .anchored
        .passages
        .iter()
        .filter_map(|p| {
            let k = t.notes.iter().position(|n| n.index == p.note)?;
            let (number, call) = &notes[k];
            let at_end = match h.settings.notes {
                NotePlacement::Page => format!("#scholia-footnote({call});"),
                NotePlacement::End => format!("#scholia-ref({number});"),
            };
            Some(Mark {
                range: p.range.clone(),
                at_end,
            })
        })
        .collect();
    let opts = BodyOptions {
        label: &label,
        raw_html: site.config.allow_raw_html,
        heading_shift: 1,
        url: url.as_deref(),
        line_numbers: site.line_numbers_of(t.text),
    };
    out.push_str(&markup::body(t.text.markdown(), &marks, &opts));
    out.push('\n');
    if h.settings.notes == NotePlacement::End && !notes.is_empty() {
        let _ = writeln!(
            out,
            "#heading(level: 2, {})\n",
            string(&h.word("notes", &[]))
        );
        for (_, call) in &notes {
            let _ = writeln!(out, "#scholia-endnote({call})");
        }
        out.push('\n');
    }
    let instructor_questions: &[_] = if h.instructor() {
        &t.text.instructor_questions
    } else {
        &[]
    };
    if !t.text.questions.is_empty() || !instructor_questions.is_empty() {
        let _ = writeln!(
            out,
            "#heading(level: 2, {})\n",
            string(&h.word("questions", &[]))
        );
        let lines = h.settings.answer_lines;
        for (k, q) in t.text.questions.iter().enumerate() {
            let _ = writeln!(
                out,
                "#scholia-question({}, {lines}, false, [{}])",
                k + 1,
                markup::fragment(&q.body, &label).trim_end()
            );
        }
        let first = t.text.questions.len() + 1;
        for (k, q) in instructor_questions.iter().enumerate() {
            let answer = q.answer.as_deref().map_or(String::new(), |a| {
                format!(
                    "#scholia-answer[{}]",
                    markup::fragment(a, &label).trim_end()
                )
            });
            let _ = writeln!(
                out,
                "#scholia-question({}, {lines}, true, [{}{answer}])",
                first + k,
                markup::fragment(&q.question, &label).trim_end()
            );
        }
        out.push('\n');
    }
}

/// `scholia-words`, the interface words the layout prints, as Typst string literals:
/// the theme's words in the site's language. "Page {page} of {pages}" becomes a function
/// joining the word's pieces (literals) and the numbers.
fn words(out: &mut String, h: &Edition) {
    let page_of = h.word("page_of", &[]);
    let mut pieces = Vec::new();
    let mut rest = page_of.as_str();
    while let Some(at) = rest.find('{') {
        let (number, len) = if rest[at..].starts_with("{pages}") {
            ("str(pages)", "{pages}".len())
        } else if rest[at..].starts_with("{page}") {
            ("str(page)", "{page}".len())
        } else {
            pieces.push(string(&rest[..=at]));
            rest = &rest[at + 1..];
            continue;
        };
        pieces.push(string(&rest[..at]));
        pieces.push(number.to_string());
        rest = &rest[at + len..];
    }
    pieces.push(string(rest));
    let rtl = crate::strings::is_right_to_left(&h.doc.site.config.language);
    let _ = writeln!(
        out,
        "#let scholia-words = (\n  page_of: (page, pages) => {},\n  contents: {},\n  instructor: {},\n  answer: {},\n  rtl: {rtl},\n)\n",
        pieces.join(" + "),
        string(&h.word("contents", &[])),
        string(&h.word("instructor", &[])),
        string(&h.word("answer", &[])),
    );
}

/// The language Typst is told (for hyphenation and quotes): a BCP 47 tag's primary
/// language, which Typst accepts only as two or three ASCII letters.
fn typst_lang(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?;
    ((2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| primary.to_ascii_lowercase())
}

#[cfg(test)]
pub(crate) mod tests;
