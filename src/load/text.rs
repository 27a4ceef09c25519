//! One text: its front matter, its body and its sidecar commentary.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::yaml::{self, Seg};
use super::{display_name, read_source};
use crate::config::BuildOptions;
use crate::diagnostics::location;
use crate::diagnostics::{Diagnostic, Diagnostics, Source, Span};
use crate::site::InstructorQuestion;
use crate::site::TextQuoteSelector;
use crate::site::{Audience, FrontMatter, Note, NoteKind, NoteSpans, Question, Selector, Text};

/// A scalar written where text is expected. Authors write `date: 2020` or `title: 1984`
/// and mean text, so numbers and booleans are accepted as their spelling.
#[derive(Debug, Clone)]
pub(super) struct Scalar(pub String);

/// What [`Scalar`] accepts: text, a number or a boolean (a schema written out, since its
/// `Deserialize` is).
impl schemars::JsonSchema for Scalar {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Text".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<Scalar>,
    author: Option<Scalar>,
    date: Option<Scalar>,
    source: Option<Scalar>,
    license: Option<Scalar>,
    summary: Option<Scalar>,
    order: Option<i64>,
    draft: Option<bool>,
    language: Option<Scalar>,
    layout: Option<crate::site::Layout>,
    line_numbers: Option<u32>,
}

const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "author",
    "date",
    "source",
    "license",
    "summary",
    "order",
    "draft",
    "language",
    "layout",
    "line_numbers",
];

/// A sidecar as written; its JSON Schema is derived from it (`scholia schema sidecar`).
#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSidecar {
    annotations: Option<Vec<RawAnnotation>>,
    questions: Option<Vec<Scalar>>,
    instructor_questions: Option<Vec<RawInstructorQuestion>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "InstructorQuestion")]
struct RawInstructorQuestion {
    question: Option<Scalar>,
    answer: Option<Scalar>,
}

const SIDECAR_KEYS: &[&str] = &["annotations", "questions", "instructor_questions"];

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Note")]
struct RawAnnotation {
    id: Option<Scalar>,
    quote: Option<Scalar>,
    para: Option<i64>,
    lines: Option<Scalar>,
    prefix: Option<Scalar>,
    suffix: Option<Scalar>,
    title: Option<Scalar>,
    note: Option<Scalar>,
    tags: Option<Vec<Scalar>>,
    kind: Option<NoteKind>,
    audience: Option<Audience>,
}

/// Loads `path` (a `.md` file) and its sidecar; `None` if the text itself is unusable.
pub(super) fn load(
    site_dir: &Path,
    content: &Path,
    path: &Path,
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<Text> {
    let slug = slug_of(content, path);
    let source = match super::read_source_with_nul(site_dir, path) {
        Ok((s, nul)) => {
            if let Some(d) = nul {
                diags.push(d);
            }
            s
        }
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    if let Err(d) = check_slug(&slug, &source) {
        diags.push(d);
    }
    let (meta, body) = front_matter(&source, diags)?;
    let (notes, questions, instructor_questions) =
        sidecar(site_dir, &path.with_extension("yaml"), options, diags);
    Some(Text {
        slug,
        source,
        body,
        meta,
        notes,
        questions,
        instructor_questions,
    })
}

pub(super) fn slug_of(content: &Path, path: &Path) -> String {
    display_name(content, &path.with_extension(""))
}

fn check_slug(slug: &str, source: &Arc<Source>) -> Result<(), Diagnostic> {
    if is_good_slug(slug) {
        return Ok(());
    }
    let rule = "use lowercase letters, digits, `-` and `_`; `index` is reserved";
    let help = match suggest_slug(slug) {
        Some(better) => format!("rename the file to `{better}.md` ({rule})"),
        None => format!("rename the file ({rule})"),
    };
    Err(Diagnostic::error(
        format!("the file name `{slug}` cannot be a text's address"),
        Span::file(source),
    )
    .help(help))
}

/// Why `slug` cannot be a new text's address, as `scholia new` asks before it writes: the
/// rule [`check_slug`] applies to files, no empty folder name, and not in a folder scholia
/// writes (which a build would refuse later). `None` when it can be.
pub(crate) fn slug_problem(slug: &str) -> Option<String> {
    let rule =
        "use lowercase letters, digits, `-` and `_`, folders separated by `/`; `index` is reserved";
    if !is_good_slug(slug) || slug.split('/').any(str::is_empty) {
        return Some(match suggest_slug(slug) {
            Some(better) => format!("`{slug}` cannot be a text's address: {rule} (try `{better}`)"),
            None => format!("`{slug}` cannot be a text's address: {rule}"),
        });
    }
    let (folder, what) = crate::site::RESERVED
        .iter()
        .find(|(folder, _)| slug == folder.trim_end_matches('/') || slug.starts_with(folder))?;
    Some(format!(
        "`{slug}` would be a page in `{folder}`, where scholia writes {what}: choose another name"
    ))
}

/// A slug can be an address: plain ASCII (no escaping in links, the same on every file
/// system), and not the index page. (Slugs in the folders scholia writes, `tags/` and the
/// like, are refused by `output::Claims`, which names both claimants.)
fn is_good_slug(slug: &str) -> bool {
    slug.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_/".contains(c))
        && slug != "index"
}

/// A name to suggest instead of `slug`: each folder and the file name transliterated to
/// ASCII (`ünïcode` → `unicode`, `Ελλάδα` → `ellada`), lowercased, other characters `-`;
/// a name whose page would be `index` or in a folder scholia writes gets a `text-` in
/// front. `None` when nothing good comes of it.
fn suggest_slug(slug: &str) -> Option<String> {
    let parts: Vec<String> = slug.split('/').map(crate::slug::path_part).collect();
    if parts.iter().any(String::is_empty) {
        return None;
    }
    let mut better = parts.join("/");
    let first = better.split('/').next().unwrap_or_default();
    let reserved = crate::site::RESERVED
        .iter()
        .any(|(folder, _)| folder.trim_end_matches('/') == first);
    if reserved || !is_good_slug(&better) {
        better = format!("text-{better}");
    }
    (better != slug && is_good_slug(&better)).then_some(better)
}

/// Splits off and parses the front matter; returns the body's byte range.
fn front_matter(
    source: &Arc<Source>,
    diags: &mut Diagnostics,
) -> Option<(FrontMatter, std::ops::Range<usize>)> {
    let text = &source.text;
    let Some(after_open) = text.strip_prefix("---\n") else {
        diags.push(
            Diagnostic::error("this text has no front matter", Span::new(source, 0..0))
                .label("expected `---` on the first line")
                .help("start the file with front matter:\n---\ntitle: The title of the text\n---"),
        );
        return None;
    };
    let yaml_start = 4;
    let close = find_closing_fence(after_open);
    let Some((yaml_len, body_start)) = close else {
        diags.push(
            Diagnostic::error("the front matter is never closed", Span::new(source, 0..3))
                .label("opened here")
                .help("add a line `---` after the last key of the front matter"),
        );
        return None;
    };
    let yaml_range = yaml_start..yaml_start + yaml_len;
    let raw: RawFrontMatter = if text[yaml_range.clone()].trim().is_empty() {
        RawFrontMatter::default()
    } else {
        match yaml::parse(source, yaml_range.clone(), FRONT_MATTER_KEYS) {
            Ok(r) => r,
            Err(d) => {
                diags.push(d);
                // Keep the text in the model (the build fails anyway), so links to it
                // do not cascade into further, misleading errors.
                loose_front_matter(&text[yaml_range.clone()])?
            }
        }
    };
    let Some(title) = raw.title.map(|t| t.0).filter(|t| !t.trim().is_empty()) else {
        diags.push(
            Diagnostic::error("this text has no title", Span::new(source, 0..3))
                .label("in this front matter")
                .help("add `title: …` to the front matter"),
        );
        return None;
    };
    let meta = FrontMatter {
        title,
        author: raw.author.map(|s| s.0),
        date: raw.date.map(|s| s.0),
        source: raw.source.map(|s| s.0),
        license: raw.license.map(|s| s.0),
        summary: raw.summary.map(|s| s.0),
        order: raw.order,
        draft: raw.draft.unwrap_or(false),
        language: raw.language.map(|s| s.0),
        layout: raw.layout.unwrap_or_default(),
        line_numbers: raw.line_numbers,
    };
    if let Some(tag) = &meta.language {
        let at = yaml::key_in(text, yaml_range.clone(), "language").unwrap_or(0..3);
        super::check_language(tag, &Span::new(source, at), diags);
    }
    Some((meta, 4 + body_start..text.len()))
}

/// What can be salvaged from front matter that failed to deserialize: its title.
fn loose_front_matter(yaml: &str) -> Option<RawFrontMatter> {
    // Not even that from a document too large to expand.
    yaml::expansion(yaml).ok()?;
    let value: yaml_serde::Value = yaml_serde::from_str(yaml).ok()?;
    let title = value.get("title")?.as_str()?.to_string();
    Some(RawFrontMatter {
        title: Some(Scalar(title)),
        ..RawFrontMatter::default()
    })
}

/// Finds the `---` (or `...`) line closing the front matter in `text` (which starts just
/// after the opening line): returns (length of the YAML, offset of the body).
fn find_closing_fence(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

/// What a sidecar holds.
type Commentary = (Vec<Note>, Vec<Question>, Vec<InstructorQuestion>);

/// Reads the sidecar at `path`, if there is one.
fn sidecar(
    site_dir: &Path,
    path: &Path,
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Commentary {
    let path = if path.exists() {
        path.to_path_buf()
    } else if path.with_extension("yml").exists() {
        path.with_extension("yml")
    } else {
        return (Vec::new(), Vec::new(), Vec::new());
    };
    let source = match read_source(site_dir, &path) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return (Vec::new(), Vec::new(), Vec::new());
        }
    };
    if source.text.trim().is_empty() {
        diags.push(
            Diagnostic::error("this sidecar is empty", Span::file(&source))
                .help("add `annotations:` and `questions:`, or delete the file"),
        );
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let raw: RawSidecar = match yaml::parse(&source, 0..source.text.len(), SIDECAR_KEYS) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return (Vec::new(), Vec::new(), Vec::new());
        }
    };
    let places = yaml::items(&source.text, "annotations");
    let mut notes: Vec<Note> = raw
        .annotations
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter_map(|(i, raw)| annotation(&source, places.get(i).cloned(), raw, diags))
        .collect();
    check_explicit_ids(&notes, diags);
    // Numbering derived ids after this, among the kept notes only, keeps a public page
    // from showing where an instructor note was (`para-1-2` beside a hidden `para-1`).
    notes.retain(|n| n.audience == Audience::All || options.instructor);
    number_derived_ids(&mut notes);
    let questions = raw
        .questions
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, q)| Question {
            body: q.0,
            at: Span::new(
                &source,
                yaml::locate(&source.text, &[Seg::Key("questions"), Seg::Index(i)]),
            ),
        })
        .collect();
    // Dropped here, like instructor notes, so no later stage of a public build has them.
    let instructor_questions = if options.instructor {
        instructor_questions(&source, raw.instructor_questions.unwrap_or_default(), diags)
    } else {
        Vec::new()
    };
    (notes, questions, instructor_questions)
}

fn instructor_questions(
    source: &Arc<Source>,
    raw: Vec<RawInstructorQuestion>,
    diags: &mut Diagnostics,
) -> Vec<InstructorQuestion> {
    raw.into_iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let at = Span::new(
                source,
                yaml::locate(
                    &source.text,
                    &[Seg::Key("instructor_questions"), Seg::Index(i)],
                ),
            );
            match q.question.filter(|q| !q.0.trim().is_empty()) {
                Some(question) => Some(InstructorQuestion {
                    question: question.0,
                    answer: q.answer.map(|a| a.0).filter(|a| !a.trim().is_empty()),
                    at,
                }),
                None => {
                    diags.push(
                        Diagnostic::error("this instructor question has no `question`", at)
                            .help("add `question: …` (and, if you like, `answer: …`)"),
                    );
                    None
                }
            }
        })
        .collect()
}

/// Validates one annotation; `None` when it is unusable (its mistakes are reported).
fn annotation(
    source: &Arc<Source>,
    place: Option<(Range<usize>, Range<usize>)>,
    raw: RawAnnotation,
    diags: &mut Diagnostics,
) -> Option<Note> {
    let (first_line, region) = place.unwrap_or((0..0, 0..0));
    let item = Span::new(source, first_line.clone());
    let written = |key: &str| yaml::key_in(&source.text, region.clone(), key);
    let at = |key: &str| Span::new(source, written(key).unwrap_or(first_line.clone()));
    let mut ok = true;
    let mut fail = |d: Diagnostic| {
        diags.push(d);
        ok = false;
    };
    let body = match raw.note {
        Some(n) if !n.0.trim().is_empty() => n.0,
        _ => {
            fail(
                Diagnostic::error("this annotation has no `note`", item.clone())
                    .label("annotation starts here")
                    .help("add `note: …` with what you want to say about the passage"),
            );
            String::new()
        }
    };
    let lines_written = raw.lines.is_some();
    let lines = match raw.lines.map(|l| parse_lines(&l.0)) {
        Some(Ok(lines)) if raw.quote.is_none() => Some(lines),
        Some(Ok(_)) => {
            fail(
                Diagnostic::error("an annotation has either `quote` or `lines`, not both", at("lines"))
                    .help("remove `lines` to annotate the quoted passage, or `quote` for whole lines of code"),
            );
            None
        }
        Some(Err(why)) => {
            fail(
                Diagnostic::error(format!("`lines:` {why}"), at("lines"))
                    .help("write one line number, `lines: 3`, or a range, `lines: 3-5` (lines are numbered from 1)"),
            );
            None
        }
        None => None,
    };
    let selector = match (raw.quote, raw.para) {
        _ if lines.is_some() => lines.map(|lines| Selector::Lines {
            block: raw.para.map(|k| usize::try_from(k).unwrap_or(usize::MAX)),
            lines,
        }),
        // `lines:` was written, and is reported above.
        (None, None) if lines_written => None,
        (Some(_), Some(_)) => {
            fail(
                Diagnostic::error("an annotation has either `quote` or `para`, not both", at("para"))
                    .help("remove `para` to annotate the quoted passage, or `quote` for the whole paragraph"),
            );
            None
        }
        (None, None) => {
            fail(
                Diagnostic::error(
                    "this annotation says nothing about where it belongs",
                    item.clone(),
                )
                .label("annotation starts here")
                .help("add `quote: \"…\"` with the passage, or `para: N` for paragraph N"),
            );
            None
        }
        (Some(q), None) if q.0.trim().is_empty() => {
            fail(
                Diagnostic::error("the quote is empty", at("quote"))
                    .help("copy the passage from the text"),
            );
            None
        }
        (Some(q), None) => Some(Selector::Quote(TextQuoteSelector {
            exact: q.0,
            prefix: raw.prefix.map(|p| p.0).filter(|p| !p.trim().is_empty()),
            suffix: raw.suffix.map(|s| s.0).filter(|s| !s.trim().is_empty()),
        })),
        (None, Some(n)) if n < 1 => {
            fail(
                Diagnostic::error(format!("there is no paragraph {n}"), at("para"))
                    .help("paragraphs are numbered from 1, as in the margin of the page"),
            );
            None
        }
        (None, Some(n)) => Some(Selector::Paragraph(
            usize::try_from(n).unwrap_or(usize::MAX),
        )),
    };
    let id = match raw.id {
        Some(id) => {
            if let Err(d) = check_id(&id.0, at("id")) {
                fail(d);
            }
            id.0
        }
        None => derive_id(selector.as_ref()),
    };
    let id_span = if written("id").is_some() {
        at("id")
    } else {
        item.clone()
    };
    let tags = clean_tags(raw.tags.unwrap_or_default());
    for tag in &tags {
        if let Err(d) = check_tag(tag, source, written("tags"), region.end) {
            fail(d);
        }
    }
    if !ok {
        return None;
    }
    let selector_span = match &selector {
        Some(Selector::Paragraph(_)) => at("para"),
        Some(Selector::Lines { .. }) => at("lines"),
        _ => at("quote"),
    };
    Some(Note {
        id,
        selector: selector?,
        title: raw.title.map(|t| t.0).filter(|t| !t.trim().is_empty()),
        body,
        tags,
        kind: raw.kind.unwrap_or(NoteKind::Note),
        audience: raw.audience.unwrap_or(Audience::All),
        at: NoteSpans {
            body: at("note"),
            item,
            id: id_span,
            selector: selector_span,
        },
    })
}

fn clean_tags(tags: Vec<Scalar>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.0.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The most bytes a tag's address (`tags/<slug>/`) may have. File systems allow 255
/// bytes in a name; a tag is a word or two, and a longer one is a paste gone wrong.
const MAX_TAG_SLUG: usize = 100;

/// A tag becomes a folder name and a heading: it must fit in a file name and hold no
/// control characters (tabs and line breaks are already spaces).
fn check_tag(
    tag: &str,
    source: &Arc<Source>,
    tags_at: Option<Range<usize>>,
    end: usize,
) -> Result<(), Diagnostic> {
    let slug = crate::slug::tag(tag);
    let problem = if tag.chars().any(char::is_control) {
        "contains a control character"
    } else if slug.len() > MAX_TAG_SLUG {
        "is too long"
    } else {
        return Ok(());
    };
    let shown: String = tag.chars().take(40).filter(|c| !c.is_control()).collect();
    let ellipsis = if tag.chars().count() > 40 { "…" } else { "" };
    // Point at the tag itself when it is written on one line, else at `tags:`.
    let from = tags_at.clone().map_or(0, |r| r.start);
    let needle: String = tag
        .chars()
        .take_while(|c| !c.is_control())
        .take(40)
        .collect();
    let at = source.text[from..end.max(from)]
        .find(needle.as_str())
        .filter(|_| !needle.is_empty())
        .map(|i| from + i..from + i + needle.len())
        .or(tags_at)
        .unwrap_or(0..0);
    Err(
        Diagnostic::error(format!("the tag `{shown}{ellipsis}` {problem}"), Span::new(source, at))
            .label("a tag names a page of the site")
            .help(format!(
                "a tag is a word or a short phrase (its address at most {MAX_TAG_SLUG} bytes), without control characters; put longer text in the note"
            )),
    )
}

/// Note and term ids: what can follow `#` in a URL without escaping, and can't be
/// mistaken for a paragraph (`p12`) or a passage (`mark-…`) anchor.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_paragraph_id(id: &str) -> bool {
    id.strip_prefix('p')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// `l12`: the anchor of a verse text's line 12.
fn is_line_id(id: &str) -> bool {
    id.strip_prefix('l')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn check_id(id: &str, at: Span) -> Result<(), Diagnostic> {
    if !is_valid_id(id) {
        let fixed = crate::slug::slug(id, 60);
        return Err(Diagnostic::error(format!("invalid note id `{id}`"), at)
            .label("ids use lowercase letters, digits and `-`")
            .help(format!(
                "try `{}`",
                if fixed.is_empty() { "note-1" } else { &fixed }
            )));
    }
    let why = if is_paragraph_id(id) {
        match id[1..].trim_start_matches('0') {
            n if n.len() + 1 == id.len() => format!("`{id}` is the anchor of paragraph {n}"),
            _ => "`p` and a number is how paragraphs are linked".to_string(),
        }
    } else if is_line_id(id) {
        "`l` and a number is how the lines of verse are linked".to_string()
    } else if id.starts_with("mark-") {
        "`mark-…` ids anchor the passages of notes".to_string()
    } else if crate::site::RESERVED_IDS.contains(&id) {
        format!("the page uses `{id}` itself")
    } else {
        return Ok(());
    };
    Err(
        Diagnostic::error(format!("the note id `{id}` is reserved"), at)
            .label(why)
            .help(format!("choose another id, e.g. `note-{id}`")),
    )
}

/// `N` or `N-M` (1-based, N ≤ M): the lines of a `lines:` selector; why not, if not.
fn parse_lines(written: &str) -> Result<std::ops::RangeInclusive<usize>, String> {
    let number = |s: &str| -> Result<usize, String> {
        let s = s.trim();
        match s.parse::<usize>() {
            Ok(0) => Err("counts lines from 1, not 0".into()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!(
                "takes line numbers, not `{}`",
                s.chars().take(40).collect::<String>()
            )),
        }
    };
    let (first, last) = match written.split_once(['-', '–']) {
        Some((a, b)) => (number(a)?, number(b)?),
        None => {
            let n = number(written)?;
            (n, n)
        }
    };
    if first > last {
        return Err(format!("runs backwards, from line {first} to line {last}"));
    }
    Ok(first..=last)
}

/// An id from the first words of the quote, so links stay readable.
fn derive_id(selector: Option<&Selector>) -> String {
    match selector {
        Some(Selector::Quote(q)) => {
            let words: Vec<&str> = q.exact.split_whitespace().take(5).collect();
            let id = crate::slug::slug(&words.join(" "), 40);
            if id.is_empty()
                || is_paragraph_id(&id)
                || is_line_id(&id)
                || crate::site::RESERVED_IDS.contains(&id.as_str())
            {
                format!("note-{id}").trim_end_matches('-').to_string()
            } else {
                id
            }
        }
        Some(Selector::Paragraph(n)) => format!("para-{n}"),
        Some(Selector::Lines { block, lines }) => {
            let block = block.map(|k| format!("code-{k}-")).unwrap_or_default();
            if lines.start() == lines.end() {
                format!("{block}line-{}", lines.start())
            } else {
                format!("{block}lines-{}-{}", lines.start(), lines.end())
            }
        }
        None => "note".into(),
    }
}

/// Whether the author wrote the note's id (else it was derived from its passage).
fn has_explicit_id(note: &Note) -> bool {
    note.at.id.range != note.at.item.range
}

/// Reports ids the author gave two notes of one text, whatever their audience: an
/// instructor build would have both.
fn check_explicit_ids(notes: &[Note], diags: &mut Diagnostics) {
    let mut ids: BTreeMap<&str, &Span> = BTreeMap::new();
    for note in notes.iter().filter(|n| has_explicit_id(n)) {
        match ids.get(note.id.as_str()) {
            Some(first) => diags.push(
                Diagnostic::error(
                    format!("duplicate note id `{}`", note.id),
                    note.at.id.clone(),
                )
                .label("used again here")
                .note(format!("first used at {}", location(first)))
                .help("every note of a text needs its own id"),
            ),
            None => {
                ids.insert(&note.id, &note.at.id);
            }
        }
    }
}

/// Makes derived ids unique among `notes` (`-2`, `-3`… in file order), never taking an
/// id the author wrote.
fn number_derived_ids(notes: &mut [Note]) {
    let mut taken: BTreeSet<String> = notes
        .iter()
        .filter(|n| has_explicit_id(n))
        .map(|n| n.id.clone())
        .collect();
    // Where to go on counting for each base, so many notes on one paragraph stay linear.
    let mut next: BTreeMap<String, usize> = BTreeMap::new();
    for note in notes.iter_mut().filter(|n| !has_explicit_id(n)) {
        let base = note.id.clone();
        let n = next.entry(base.clone()).or_insert(2);
        while taken.contains(&note.id) {
            note.id = format!("{base}-{n}");
            *n += 1;
        }
        taken.insert(note.id.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("a-1"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("A"));
        assert!(is_paragraph_id("p12"));
        assert!(!is_paragraph_id("p"));
        assert!(!is_paragraph_id("pa1"));
    }

    #[test]
    fn derived_ids_are_slugs_of_the_quote() {
        let sel = Selector::Quote(TextQuoteSelector {
            exact: "Most instances of “collective” action occur because".into(),
            prefix: None,
            suffix: None,
        });
        assert_eq!(derive_id(Some(&sel)), "most-instances-of-collective-action");
        assert_eq!(derive_id(Some(&Selector::Paragraph(3))), "para-3");
        let lines = Selector::Lines {
            block: Some(2),
            lines: 3..=5,
        };
        assert_eq!(derive_id(Some(&lines)), "code-2-lines-3-5");
    }

    #[test]
    fn rename_hints_transliterate_and_differ_from_the_name() {
        assert_eq!(
            suggest_slug("texts/ünïcode").as_deref(),
            Some("texts/unicode")
        );
        assert_eq!(
            suggest_slug("texts/My Text").as_deref(),
            Some("texts/my-text")
        );
        assert_eq!(suggest_slug("assets").as_deref(), Some("text-assets"));
        assert_eq!(suggest_slug("Assets-2").as_deref(), Some("assets-2"));
        assert_eq!(suggest_slug("Tags/x").as_deref(), Some("text-tags/x"));
        assert_eq!(suggest_slug("glossary").as_deref(), Some("text-glossary"));
        assert_eq!(suggest_slug("Straße/Éire").as_deref(), Some("strasse/eire"));
        for slug in ["texts/ünïcode", "assets", "index", "A", "x y"] {
            let s = suggest_slug(slug);
            assert_ne!(s.as_deref(), Some(slug));
            assert!(s.as_deref().is_none_or(is_good_slug), "{s:?}");
        }
    }

    #[test]
    fn tags_must_fit_in_a_file_name() {
        let src = Source::new("a.yaml", "tags: [ok]\n");
        assert!(check_tag("coalitions", &src, None, 0).is_ok());
        // Its address is transliterated (`é` → `e`): the limit is on the address.
        assert!(check_tag(&"é".repeat(MAX_TAG_SLUG), &src, None, 0).is_ok());
        assert!(check_tag(&"é".repeat(MAX_TAG_SLUG + 1), &src, None, 0).is_err());
        assert!(check_tag(&"a".repeat(300), &src, None, 0).is_err());
        assert!(check_tag("bell\u{7}", &src, None, 0).is_err());
    }

    #[test]
    fn closing_fence() {
        assert_eq!(find_closing_fence("title: x\n---\nbody"), Some((9, 13)));
        assert_eq!(find_closing_fence("title: x\n"), None);
    }

    #[test]
    fn lines_are_a_number_or_a_range() {
        assert_eq!(parse_lines("3"), Ok(3..=3));
        assert_eq!(parse_lines(" 3 - 5 "), Ok(3..=5));
        assert_eq!(parse_lines("3–5"), Ok(3..=5));
        assert!(parse_lines("0").is_err());
        assert!(parse_lines("5-3").is_err());
        assert!(parse_lines("two").is_err());
        assert!(parse_lines("1-").is_err());
    }
}
