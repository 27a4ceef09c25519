//! The notes as W3C Web Annotations (JSON-LD): `annotations.jsonld` at the site root with
//! every note of the build, and `<slug>/annotations.jsonld` beside each text's page with
//! its own, so that scholars can take a reader's commentary to any tool that speaks the
//! standard. Only the notes of the build are here: a public build has no instructor note
//! to leak. The format is described in docs/annotations.md.
//!
//! Everything goes through serde types; no user text is spliced into JSON by hand.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;
use url::Url;

use super::{Files, Origin, OutputFile, Renderer, TEXTS_PER_BATCH};
use crate::config::page_url;
use crate::diagnostics::Diagnostics;
use crate::document::{Document, NoteDoc, TextDoc};
use crate::markdown::BLOCK_SEPARATOR;
use crate::site::{NoteKind, Selector};

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

/// The annotation export. For `serve` it keeps each text's part of the site's file
/// ([`Renderer::render_kept`]), so that a save serializes again only the saved texts'.
#[derive(Default)]
pub(crate) struct Annotations {
    /// Each text's part of the site's file, by slug (`None`: not kept).
    parts: Option<HashMap<String, Part>>,
}

impl Renderer for Annotations {
    fn name(&self) -> &'static str {
        "annotations"
    }

    fn render_to(&self, doc: &Document, _diags: &mut Diagnostics, out: &mut Files) {
        files(doc, None, &mut Parts::Streamed, out);
    }

    fn render_kept(&mut self, doc: &Document, _diags: &mut Diagnostics) -> Vec<OutputFile> {
        let mut parts = HashMap::new();
        let files = super::gathered(|out| files(doc, None, &mut Parts::Kept(&mut parts), out));
        self.parts = Some(parts);
        files
    }

    /// A text's file reads its own record alone; the site's file joins the parts kept of
    /// the other texts to those of `texts`, made again.
    fn render_texts(
        &mut self,
        doc: &Document,
        texts: &std::collections::BTreeSet<String>,
        _diags: &mut Diagnostics,
    ) -> Option<Vec<OutputFile>> {
        let parts = self.parts.get_or_insert_with(HashMap::new);
        // Parts of texts the site no longer has go (a text without a part is made).
        let slugs: HashSet<&str> = doc.texts.iter().map(|t| t.text.slug.as_str()).collect();
        parts.retain(|slug, _| slugs.contains(slug.as_str()));
        Some(super::gathered(|out| {
            files(doc, Some(texts), &mut Parts::Kept(parts), out)
        }))
    }
}

/// A text with its notes' HTML (parallel to its notes).
type Annotated<'a, 'd> = (&'a TextDoc<'d>, &'a [String]);

/// One text's part of a collection's items: its annotations, serialized as they stand
/// in the collection's file (indented, separated), and how many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Part {
    count: usize,
    bytes: Vec<u8>,
}

/// What becomes of the site's file's parts as they are made.
enum Parts<'a> {
    /// Appended to the file and dropped (a build: the parts are never all in memory
    /// beside the file).
    Streamed,
    /// Kept by slug (`serve`), the file joined from them at the end.
    Kept(&'a mut HashMap<String, Part>),
}

/// Every text's file (those of `only`, if given) and the site's. The site's file is the
/// head of its collection, each text's part in the document's order, and its tail, so
/// that `serve` can make it again from the parts it kept and the saved texts' new ones.
fn files(
    doc: &Document,
    only: Option<&std::collections::BTreeSet<String>>,
    parts: &mut Parts,
    out: &mut Files,
) {
    let base = doc.site.config.base_url.as_ref();
    let root = Iris {
        base,
        root: String::new(),
    };
    let mut site = match parts {
        // The total comes first in the file: counted before any part is made.
        Parts::Streamed => Some(Joined::new(
            &root,
            FILE,
            site_label(doc),
            doc.texts.iter().map(count).sum(),
        )),
        Parts::Kept(_) => None,
    };
    let wanted = |t: &TextDoc| only.is_none_or(|o| o.contains(&t.text.slug));
    // Texts in parallel, a batch at a time, in order: each text's own collection, written
    // from its folder, and its part of the site's (made if it is not kept).
    for batch in doc.texts.chunks(TEXTS_PER_BATCH) {
        let kept: Option<&HashMap<String, Part>> = match &*parts {
            Parts::Streamed => None,
            Parts::Kept(kept) => Some(kept),
        };
        let made: Vec<(Option<OutputFile>, Option<Part>)> = batch
            .par_iter()
            .map(|t| {
                let redo = kept.is_none_or(|k| wanted(t) || !k.contains_key(&t.text.slug));
                let own = wanted(t);
                if !redo && !own {
                    return (None, None);
                }
                let html = doc.notes_html(t);
                let language = doc.site.language_of(t.text);
                let file = own.then(|| text_file(doc, t, &html, language)).flatten();
                let part = redo.then(|| part(&root, (t, &html), language, SITE_DEPTH));
                (file, part)
            })
            .collect();
        let mut files = Vec::with_capacity(made.len());
        for ((file, part), t) in made.into_iter().zip(batch) {
            files.extend(file);
            match (part, &mut site, &mut *parts) {
                (Some(part), Some(site), Parts::Streamed) => site.push(&part),
                (Some(part), _, Parts::Kept(kept)) => {
                    kept.insert(t.text.slug.clone(), part);
                }
                _ => {}
            }
        }
        out(files);
    }
    let site = match (site, parts) {
        (Some(site), _) => site,
        (None, Parts::Kept(kept)) => {
            let ordered: Vec<&Part> = doc
                .texts
                .iter()
                .filter_map(|t| kept.get(&t.text.slug))
                .collect();
            let total = ordered.iter().map(|p| p.count).sum();
            let mut site = Joined::new(&root, FILE, site_label(doc), total);
            // One allocation for the whole file (58 MB on a large site), not a series of
            // doublings.
            let separators = ordered.len() * (2 + 2 * SITE_DEPTH);
            let length: usize = ordered.iter().map(|p| p.bytes.len()).sum();
            site.bytes
                .reserve(length + separators + site.tail.len() + 1);
            for part in ordered {
                site.push(part);
            }
            site
        }
        (None, Parts::Streamed) => return,
    };
    out(vec![OutputFile {
        path: FILE.to_string(),
        bytes: site.finish(),
        origin: Origin::generated("the site's annotations"),
    }]);
}

fn site_label(doc: &Document) -> String {
    format!("Notes of “{}”", doc.site.config.title)
}

/// How deep in the collection's file its items are: object, page, items.
const SITE_DEPTH: usize = 3;

/// The file of `t`'s own annotations, beside its page.
fn text_file(doc: &Document, t: &TextDoc, html: &[String], language: &str) -> Option<OutputFile> {
    let folder = t.page.path();
    let folder = folder.strip_suffix("index.html").unwrap_or(&folder);
    let iris = Iris {
        base: doc.site.config.base_url.as_ref(),
        root: t.page.root(),
    };
    let label = format!("Notes on “{}”", t.text.meta.title);
    let path = format!("{folder}{FILE}");
    let part = part(&iris, (t, html), language, SITE_DEPTH);
    let mut file = Joined::new(&iris, &path, label, part.count);
    file.push(&part);
    Some(OutputFile {
        path,
        bytes: file.finish(),
        origin: Origin::generated(format!("the annotations of `{}`", t.text.slug)),
    })
}

/// `t`'s annotations as the items of a collection's file have them, `depth` levels deep:
/// each pretty-printed and indented so, separated as serde_json separates a sequence's
/// items (`,`, a new line, the indent).
fn part(iris: &Iris, (t, html): Annotated, language: &str, depth: usize) -> Part {
    let annotations = annotations(iris, t, language, html);
    let indent = "  ".repeat(depth);
    let mut bytes = Vec::new();
    for (i, a) in annotations.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
            bytes.push(b'\n');
            bytes.extend_from_slice(indent.as_bytes());
        }
        // serde_json fails only on maps with keys that are not strings and on
        // `Serialize` impls that fail, and these types have neither.
        let _ = serde_json::to_writer_pretty(
            Indented {
                out: &mut bytes,
                indent: indent.as_bytes(),
            },
            a,
        );
    }
    Part {
        count: annotations.len(),
        bytes,
    }
}

/// Writes pretty JSON one indent deeper per level: each new line serde_json starts gets
/// `indent` first. (A pretty-printed JSON value has new lines only between tokens: one
/// inside a string is escaped.)
struct Indented<'a> {
    out: &'a mut Vec<u8>,
    indent: &'a [u8],
}

impl std::io::Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for line in buf.split_inclusive(|&b| b == b'\n') {
            self.out.extend_from_slice(line);
            if line.ends_with(b"\n") {
                self.out.extend_from_slice(self.indent);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A collection's file made from its parts: the head serde_json writes before the
/// items, the parts one after another, the tail after them.
struct Joined {
    bytes: Vec<u8>,
    tail: Vec<u8>,
    /// Whether a part is in (the next is preceded by a separator).
    started: bool,
}

impl Joined {
    /// The collection `path`'s head, for `total` annotations to come.
    fn new(iris: &Iris, path: &str, label: String, total: usize) -> Joined {
        // The collection with one `null` item, split there: what serde_json writes
        // before and after the items at this depth.
        let whole = serde_json::to_vec_pretty(&collection(iris, path, label, total, [()]))
            .unwrap_or_default();
        let (head, tail) = match (total > 0, whole.windows(4).rposition(|w| w == b"null")) {
            (true, Some(at)) => (whole[..at].to_vec(), whole[at + 4..].to_vec()),
            // No annotation: no page and no items.
            _ => (whole, Vec::new()),
        };
        Joined {
            bytes: head,
            tail,
            started: false,
        }
    }

    fn push(&mut self, part: &Part) {
        if part.bytes.is_empty() {
            return;
        }
        if self.started {
            self.bytes.push(b',');
            self.bytes.push(b'\n');
            self.bytes
                .extend_from_slice("  ".repeat(SITE_DEPTH).as_bytes());
        }
        self.bytes.extend_from_slice(&part.bytes);
        self.started = true;
    }

    fn finish(mut self) -> Vec<u8> {
        self.bytes.extend_from_slice(&self.tail);
        self.bytes.push(b'\n');
        self.bytes
    }
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

/// A collection of `total` annotations at `path`, its items `items` (the file's
/// items are joined in by [`Joined`]; a test serializes them whole).
fn collection<I: Serialize>(
    iris: &Iris,
    path: &str,
    label: String,
    total: usize,
    items: I,
) -> Collection<I> {
    let id = iris.of(path, None);
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
            items,
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
struct Collection<I> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    label: String,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<AnnotationPage<I>>,
}

#[derive(Serialize)]
struct AnnotationPage<I> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "partOf")]
    part_of: PartOf,
    #[serde(rename = "startIndex")]
    start_index: usize,
    items: I,
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

    /// The collection at `path` as serde_json writes it whole, its annotations made
    /// all at once: what the joined files must be, byte for byte.
    fn whole(
        doc: &Document,
        iris: &Iris,
        path: &str,
        label: String,
        texts: &[&TextDoc],
    ) -> Vec<u8> {
        let items: Vec<Annotation> = texts
            .iter()
            .flat_map(|t| annotations(iris, t, doc.site.language_of(t.text), &doc.notes_html(t)))
            .collect();
        let all = collection(iris, path, label, items.len(), items);
        let mut bytes = serde_json::to_vec_pretty(&all).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    #[test]
    fn the_files_joined_from_parts_are_serde_jsons_whole() {
        let mut annotated = 0;
        for (dir, base) in [
            ("tests/sites/annotations", None),
            ("tests/sites/annotations", Some("https://example.org/r/")),
            ("tests/sites/basic", None),
            (".", None),
        ] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let options = crate::config::BuildOptions {
                site_dir: root.clone(),
                output: root.join("public"),
                instructor: true,
                drafts: false,
                base_url: base.map(|b| Url::parse(b).unwrap_or_else(|e| panic!("{e}"))),
            };
            let mut diags = Diagnostics::new();
            let site = crate::load::site(&options, &mut diags).unwrap_or_else(|e| panic!("{e:?}"));
            let doc = crate::pipeline::document(&site, &mut diags, &mut |_| {});
            let files: HashMap<String, Vec<u8>> = Annotations::default()
                .render(&doc, &mut diags)
                .into_iter()
                .map(|f| (f.path, f.bytes))
                .collect();
            let root = Iris {
                base: doc.site.config.base_url.as_ref(),
                root: String::new(),
            };
            let texts: Vec<&TextDoc> = doc.texts.iter().collect();
            let expected = whole(&doc, &root, FILE, site_label(&doc), &texts);
            assert!(expected.len() > 200, "{dir}");
            assert_eq!(
                String::from_utf8_lossy(&files[FILE]),
                String::from_utf8_lossy(&expected),
                "{dir}"
            );
            for t in &doc.texts {
                let folder = t.page.path();
                let folder = folder.strip_suffix("index.html").unwrap_or(&folder);
                let path = format!("{folder}{FILE}");
                let iris = Iris {
                    base: doc.site.config.base_url.as_ref(),
                    root: t.page.root(),
                };
                let label = format!("Notes on “{}”", t.text.meta.title);
                let expected = whole(&doc, &iris, &path, label, &[t]);
                assert_eq!(
                    String::from_utf8_lossy(&files[&path]),
                    String::from_utf8_lossy(&expected),
                    "{dir}: {path}"
                );
                annotated += usize::from(count(t) > 1);
            }
        }
        assert!(annotated > 2, "no text has two annotations");
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
