//! The notes as W3C Web Annotations (JSON-LD): `annotations.jsonld` at the site root with
//! every note of the build, and `<slug>/annotations.jsonld` beside each text's page with
//! its own, so that scholars can take a reader's commentary to any tool that speaks the
//! standard. Only the notes of the build are here: a public build has no instructor note
//! to leak. The format is described in docs/annotations.md.
//!
//! Everything goes through serde types; no user text is spliced into JSON by hand.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;
use url::Url;

use super::{Files, Origin, OutputFile, Renderer, TEXTS_PER_BATCH};
use crate::config::page_url;
use crate::diagnostics::Diagnostics;
use crate::document::{Document, NoteDoc, TextDoc};
use crate::markdown::BLOCK_SEPARATOR;
use crate::site::{NoteKind, Selector, Site};

/// The file's name, at the root and beside each text's page.
pub(crate) const FILE: &str = "annotations.jsonld";

/// The JSON-LD context of the Web Annotation vocabulary.
const CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";

/// How many characters of the reading text `prefix` and `suffix` carry at most (what
/// Hypothesis writes too).
pub(crate) const CONTEXT_CHARS: usize = 32;

/// What a `FragmentSelector` conforms to for a fragment of an HTML page (W3C Web
/// Annotation Data Model, 4.2.1).
const HTML_FRAGMENT: &str = "http://tools.ietf.org/rfc/rfc3986";

/// The annotation export.
pub(crate) struct Annotations;

impl Renderer for Annotations {
    fn name(&self) -> &'static str {
        "annotations"
    }

    fn render_to(&self, doc: &Document, _diags: &mut Diagnostics, out: &mut Files) {
        files(doc, None, out);
    }

    /// A text's file reads its own record alone; the site's file is made again.
    fn render_texts(
        &self,
        doc: &Document,
        texts: &std::collections::BTreeSet<String>,
        _diags: &mut Diagnostics,
    ) -> Option<Vec<OutputFile>> {
        Some(super::gathered(|out| files(doc, Some(texts), out)))
    }
}

/// A text with its notes' HTML (parallel to its notes).
type Annotated<'a, 'd> = (&'a TextDoc<'d>, &'a [String]);

/// Every text's file (those of `only`, if given) and the site's.
fn files(doc: &Document, only: Option<&std::collections::BTreeSet<String>>, out: &mut Files) {
    let base = doc.site.config.base_url.as_ref();
    // Each text's own collection, written from its folder (texts in parallel, a batch at
    // a time, in order). Its notes' HTML is rendered once and kept for the site's
    // collection (a few megabytes; the annotations themselves are made again as that is
    // written, rather than all held at once).
    let mut notes_html: Vec<Cow<[String]>> = Vec::with_capacity(doc.texts.len());
    for batch in doc.texts.chunks(TEXTS_PER_BATCH) {
        let made: Vec<(Cow<[String]>, Option<OutputFile>)> = batch
            .par_iter()
            .map(|t| {
                let html = doc.notes_html(t);
                if !only.is_none_or(|o| o.contains(&t.text.slug)) {
                    return (html, None);
                }
                let folder = t.page.path();
                let folder = folder.strip_suffix("index.html").unwrap_or(&folder);
                let iris = Iris {
                    base,
                    root: t.page.root(),
                };
                let label = format!("Notes on “{}”", t.text.meta.title);
                let path = format!("{folder}{FILE}");
                let texts = [(t, &*html)];
                let collection = collection(doc.site, &iris, &path, label, &texts);
                let what = format!("the annotations of `{}`", t.text.slug);
                let file = file(path.clone(), &collection, what);
                (html, file)
            })
            .collect();
        let mut files = Vec::with_capacity(made.len());
        for (html, file) in made {
            notes_html.push(html);
            files.extend(file);
        }
        out(files);
    }
    let iris = Iris {
        base,
        root: String::new(),
    };
    let label = format!("Notes of “{}”", doc.site.config.title);
    let texts: Vec<Annotated> = doc
        .texts
        .iter()
        .zip(notes_html.iter().map(|h| &**h))
        .collect();
    let all = collection(doc.site, &iris, FILE, label, &texts);
    out(
        file(FILE.to_string(), &all, "the site's annotations".to_string())
            .into_iter()
            .collect(),
    );
}

/// serde_json fails only on maps with keys that are not strings and on `Serialize`
/// impls that fail, and these types have neither: a file is always made.
fn file(path: String, collection: &Collection, what: String) -> Option<OutputFile> {
    let mut bytes = serde_json::to_vec_pretty(collection).ok()?;
    bytes.push(b'\n');
    Some(OutputFile {
        path,
        bytes,
        origin: Origin::generated(what),
    })
}

/// Writes IRIs as the file at `root` (the way back to the site root from its folder)
/// needs them: absolute under `base_url`, else relative to the file, which JSON-LD
/// resolves against the file's own address.
struct Iris<'a> {
    base: Option<&'a Url>,
    root: String,
}

impl Iris<'_> {
    /// The IRI of `path` (relative to the site root), with an optional fragment.
    fn of(&self, path: &str, fragment: Option<&str>) -> String {
        let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        match self.base {
            Some(base) => format!("{}{frag}", page_url(base, path)),
            None => {
                let rel = format!("{}{path}", self.root);
                // A text's page seen from its own folder.
                let rel = if rel.is_empty() {
                    "./".to_string()
                } else {
                    rel
                };
                format!("{rel}{frag}")
            }
        }
    }
}

fn collection<'a>(
    site: &'a Site,
    iris: &'a Iris,
    path: &str,
    label: String,
    texts: &'a [Annotated],
) -> Collection<'a> {
    let id = iris.of(path, None);
    let total = texts.iter().map(|(t, _)| count(t)).sum();
    Collection {
        context: CONTEXT,
        first: (total > 0).then(|| AnnotationPage {
            id: iris.of(path, Some("page-1")),
            kind: "AnnotationPage",
            part_of: PartOf {
                id: id.clone(),
                label: label.clone(),
                total,
            },
            start_index: 0,
            items: Items { site, iris, texts },
        }),
        id,
        kind: "AnnotationCollection",
        label,
        total,
    }
}

/// How many annotations `t` has: its notes that anchored to a passage.
fn count(t: &TextDoc) -> usize {
    let anchored: std::collections::HashSet<usize> =
        t.anchored.passages.iter().map(|p| p.note).collect();
    t.notes
        .iter()
        .filter(|n| anchored.contains(&n.index))
        .count()
}

/// A collection's annotations, made text by text as they are written: the site's
/// collection has every note of the build, whose annotations, made all at once, were
/// the largest part of the build's memory.
struct Items<'a> {
    site: &'a Site,
    iris: &'a Iris<'a>,
    texts: &'a [Annotated<'a, 'a>],
}

impl Serialize for Items<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.texts.iter().flat_map(|(t, html)| {
                annotations(self.iris, t, self.site.language_of(t.text), html)
            }),
        )
    }
}

fn annotations(iris: &Iris, t: &TextDoc, language: &str, html: &[String]) -> Vec<Annotation> {
    let folder = t.page.path();
    let folder = folder
        .strip_suffix("index.html")
        .unwrap_or(&folder)
        .to_string();
    let page = iris.of(&folder, None);
    let language = Some(language.to_string()).filter(|l| !l.is_empty());
    let reading = &t.anchored.reading.text;
    let passages: HashMap<usize, Range<usize>> = t
        .anchored
        .passages
        .iter()
        .map(|p| (p.note, p.range.clone()))
        .collect();
    t.notes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let range = passages.get(&n.index)?.clone();
            let html = html.get(i).cloned().unwrap_or_default();
            let note = &t.text.notes[n.index];
            let whole_paragraph = matches!(note.selector, Selector::Paragraph(_));
            Some(annotation(AnnotationOf {
                id: iris.of(&format!("{folder}{FILE}"), Some(&n.id)),
                page: page.clone(),
                note: n,
                markdown: &note.body,
                html,
                language: language.clone(),
                reading,
                range,
                whole_paragraph,
            }))
        })
        .collect()
}

/// What one annotation is made of.
struct AnnotationOf<'a> {
    id: String,
    page: String,
    note: &'a NoteDoc,
    markdown: &'a str,
    html: String,
    language: Option<String>,
    reading: &'a str,
    range: Range<usize>,
    whole_paragraph: bool,
}

fn annotation(a: AnnotationOf) -> Annotation {
    let text = |value: String, format: &'static str| TextualBody {
        kind: "TextualBody",
        value,
        format: Some(format),
        language: a.language.clone(),
        purpose: None,
    };
    let mut body = vec![Body::Choice(Choice {
        kind: "Choice",
        items: vec![
            text(a.html.clone(), "text/html"),
            text(a.note.plain.clone(), "text/plain"),
            text(a.markdown.to_string(), "text/markdown"),
        ],
    })];
    body.extend(a.note.tags.iter().map(|tag| {
        Body::Text(TextualBody {
            kind: "TextualBody",
            value: tag.name.clone(),
            format: None,
            language: None,
            purpose: Some("tagging"),
        })
    }));
    let quote = quote_selector(a.reading, &a.range);
    let (start, end) = char_positions(a.reading, &a.range);
    let paragraph = format!("p{}", a.note.para);
    let fragment = Selector3::Fragment(FragmentSelector {
        kind: "FragmentSelector",
        conforms_to: HTML_FRAGMENT,
        value: paragraph,
        // Within the paragraph, the quote picks the passage (unless it is all of it).
        refined_by: (!a.whole_paragraph).then(|| Box::new(quote.clone())),
    });
    Annotation {
        id: a.id,
        kind: "Annotation",
        motivation: motivation(a.note.kind),
        body,
        target: Target {
            kind: "SpecificResource",
            source: a.page,
            selector: vec![
                Selector3::Quote(quote),
                Selector3::Position(TextPositionSelector {
                    kind: "TextPositionSelector",
                    start,
                    end,
                }),
                fragment,
            ],
        },
    }
}

/// The W3C motivation of each kind of note (the table in docs/annotations.md).
pub(crate) fn motivation(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Note => "commenting",
        NoteKind::Context => "describing",
        NoteKind::Definition => "identifying",
        NoteKind::Question => "questioning",
        NoteKind::Source => "linking",
    }
}

/// The passage, with up to [`CONTEXT_CHARS`] characters before and after it, within its
/// paragraph (quotes never cross paragraphs, so neither does their context).
pub(crate) fn quote_selector(reading: &str, range: &Range<usize>) -> TextQuoteSelector {
    let exact = reading.get(range.clone()).unwrap_or_default().to_string();
    let before = reading.get(..range.start).unwrap_or_default();
    let before = before.rsplit(BLOCK_SEPARATOR).next().unwrap_or_default();
    let prefix: String = {
        let mut chars: Vec<char> = before.chars().rev().take(CONTEXT_CHARS).collect();
        chars.reverse();
        chars.into_iter().collect()
    };
    let after = reading.get(range.end..).unwrap_or_default();
    let after = after.split(BLOCK_SEPARATOR).next().unwrap_or_default();
    let suffix: String = after.chars().take(CONTEXT_CHARS).collect();
    TextQuoteSelector {
        kind: "TextQuoteSelector",
        exact,
        prefix: (!prefix.is_empty()).then_some(prefix),
        suffix: (!suffix.is_empty()).then_some(suffix),
    }
}

/// A byte range of the reading text as positions in Unicode code points, which is how
/// a `TextPositionSelector` counts.
fn char_positions(reading: &str, range: &Range<usize>) -> (usize, usize) {
    let count = |end: usize| reading.get(..end).map_or(0, |s| s.chars().count());
    let start = count(range.start);
    (
        start,
        start + reading.get(range.clone()).map_or(0, |s| s.chars().count()),
    )
}

/// A whole paragraph's passage: what `para:` notes anchor to (kept here for tests).
#[cfg(test)]
fn paragraph(reading: &str, n: usize) -> Option<Range<usize>> {
    crate::anchor::block_range(reading, n.checked_sub(1)?)
}

// ---------------------------------------------------------------------------------
// The JSON-LD, as serde types

#[derive(Serialize)]
struct Collection<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    label: String,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<AnnotationPage<'a>>,
}

#[derive(Serialize)]
struct AnnotationPage<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "partOf")]
    part_of: PartOf,
    #[serde(rename = "startIndex")]
    start_index: usize,
    items: Items<'a>,
}

/// The collection a page is part of, described as the model's example does (and as the
/// W3C test suite's page assertions expect: an object, not only an IRI).
#[derive(Debug, Serialize)]
struct PartOf {
    id: String,
    label: String,
    total: usize,
}

#[derive(Debug, Serialize)]
struct Annotation {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    motivation: &'static str,
    body: Vec<Body>,
    target: Target,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Body {
    Choice(Choice),
    Text(TextualBody),
}

/// The note as HTML, plain text and Markdown: one note, three formats to choose from.
#[derive(Debug, Serialize)]
struct Choice {
    #[serde(rename = "type")]
    kind: &'static str,
    items: Vec<TextualBody>,
}

#[derive(Debug, Serialize)]
struct TextualBody {
    #[serde(rename = "type")]
    kind: &'static str,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    source: String,
    selector: Vec<Selector3>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Selector3 {
    Quote(TextQuoteSelector),
    Position(TextPositionSelector),
    Fragment(FragmentSelector),
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct TextQuoteSelector {
    #[serde(rename = "type")]
    kind: &'static str,
    pub exact: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct TextPositionSelector {
    #[serde(rename = "type")]
    kind: &'static str,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Serialize)]
struct FragmentSelector {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "conformsTo")]
    conforms_to: &'static str,
    value: String,
    #[serde(rename = "refinedBy", skip_serializing_if = "Option::is_none")]
    refined_by: Option<Box<TextQuoteSelector>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: char = BLOCK_SEPARATOR;

    #[test]
    fn context_stays_in_the_paragraph_and_counts_characters() {
        let reading = format!(
            "First para.{S}Ünïcödé words before the passage and after it, and more words.{S}Next"
        );
        let start = reading.find("the passage").unwrap_or(0);
        let range = start..start + "the passage".len();
        let q = quote_selector(&reading, &range);
        assert_eq!(q.exact, "the passage");
        assert_eq!(q.prefix.as_deref(), Some("Ünïcödé words before "));
        assert_eq!(q.suffix.as_deref(), Some(" and after it, and more words."));
        let long = "x".repeat(40);
        let reading = format!("{long}abc{long}");
        let q = quote_selector(&reading, &(40..43));
        assert_eq!(q.prefix.map(|p| p.chars().count()), Some(CONTEXT_CHARS));
        assert_eq!(q.suffix.map(|p| p.chars().count()), Some(CONTEXT_CHARS));
        let q = quote_selector("abc", &(0..3));
        assert_eq!((q.prefix, q.suffix), (None, None));
    }

    #[test]
    fn positions_are_code_points_of_the_reading_text() {
        let reading = format!("é{S}ab😀cd");
        let start = reading.find('c').unwrap_or(0);
        assert_eq!(char_positions(&reading, &(start..start + 2)), (5, 7));
        let p2 = paragraph(&reading, 2).unwrap_or(0..0);
        assert_eq!(&reading[p2], "ab😀cd");
    }

    #[test]
    fn every_kind_has_a_motivation_of_the_model() {
        const MODEL: &[&str] = &[
            "assessing",
            "bookmarking",
            "classifying",
            "commenting",
            "describing",
            "editing",
            "highlighting",
            "identifying",
            "linking",
            "moderating",
            "questioning",
            "replying",
            "tagging",
        ];
        for kind in [
            NoteKind::Note,
            NoteKind::Context,
            NoteKind::Definition,
            NoteKind::Question,
            NoteKind::Source,
        ] {
            assert!(MODEL.contains(&motivation(kind)), "{kind:?}");
        }
    }
}
