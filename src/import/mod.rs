//! `scholia import hypothesis EXPORT.json [SITE_DIR] [--map URL-PREFIX=SLUG-PREFIX]…`:
//! moves a reader's Hypothesis annotations into the sidecars of the texts they annotate.
//!
//! Each annotation's `uri` is matched to a text (by the `--map` prefixes, by `base_url`
//! and the page's path, or by the page's path alone), its `TextQuoteSelector` anchored
//! with the build's own anchoring, and the note appended to the text's sidecar (see
//! [`sidecar`]: comments and formatting kept byte for byte). Replies are folded into
//! the note they answer. What cannot be placed is reported and left out; ids come from
//! Hypothesis' ids, so running the import again adds nothing. Every sidecar is prepared
//! and checked before the first is written. docs/annotations.md describes it all.

mod hypothesis;
mod sidecar;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use url::Url;

use crate::anchor::{AnchorError, ReadingIndex};
use crate::config::{page_url, BuildOptions};
use crate::diagnostics::Diagnostics;
use crate::document::TextDoc;
use crate::markdown::BLOCK_SEPARATOR;
use crate::site::TextQuoteSelector;

use hypothesis::Annotation;
use sidecar::NewNote;

/// The largest export read (a Hypothesis export of 100,000 annotations is about 100 MB).
const MAX_EXPORT_BYTES: u64 = 256 * 1024 * 1024;

/// `--map URL-PREFIX=SLUG-PREFIX`: annotations of pages whose address starts with
/// `url_prefix` belong to the text `slug_prefix` + the rest of the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapping {
    pub(crate) url_prefix: String,
    pub(crate) slug_prefix: String,
}

/// Parses a `--map` (clap's value parser: a bad one is a usage error).
pub(crate) fn parse_map(s: &str) -> Result<Mapping, String> {
    let Some((url, slug)) = s.split_once('=') else {
        return Err(
            "expected URL-PREFIX=SLUG-PREFIX, e.g. https://example.org/reader/=texts/".into(),
        );
    };
    if url.is_empty() {
        return Err("the URL prefix (before `=`) is empty".into());
    }
    if slug.starts_with('/') || slug.split('/').any(|p| p == "..") {
        return Err(format!(
            "`{slug}` is not a slug prefix: slugs are paths under content/, like `texts/`"
        ));
    }
    Ok(Mapping {
        url_prefix: url.to_string(),
        slug_prefix: slug.to_string(),
    })
}

/// What `scholia import hypothesis` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct ImportOptions {
    pub export: PathBuf,
    pub site_dir: PathBuf,
    pub maps: Vec<Mapping>,
    pub color: bool,
}

/// Why an annotation was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Unplaced {
    NoText,
    NoQuote,
    NotFound,
    Ambiguous(Vec<usize>),
    NoBody,
    BadTag(String),
    ReplyWithoutParent,
    ParentLeftOut,
    /// A reply to a note imported by an earlier run: notes already there are not edited.
    ThreadImported(String),
}

impl Unplaced {
    fn why(&self) -> String {
        match self {
            Unplaced::NoText => "no text of this site has this address".into(),
            Unplaced::NoQuote => "it quotes no passage (a page note?)".into(),
            Unplaced::NotFound => "its quote is not in the text".into(),
            Unplaced::Ambiguous(ps) => format!(
                "its quote occurs several times (paragraphs {}) and its prefix/suffix do not decide",
                crate::diagnostics::list_some(ps, 10)
            ),
            Unplaced::NoBody => "it has no text (a highlight): a note needs one".into(),
            Unplaced::BadTag(t) => format!(
                "its tag `{t}` cannot name a page (too long, or a control character)"
            ),
            Unplaced::ReplyWithoutParent => {
                "it replies to an annotation that is not in the export".into()
            }
            Unplaced::ParentLeftOut => "it replies to an annotation left out".into(),
            Unplaced::ThreadImported(id) => format!(
                "it replies to the note `{id}`, imported before: add it to that note by hand"
            ),
        }
    }
}

/// One annotation's fate.
enum Outcome {
    /// Its note, for the text at this index of the document.
    Placed(usize, NewNote),
    /// A note with its id is in the sidecar already (an earlier import).
    Present(String),
    Unplaced(Unplaced),
}

pub(crate) fn run(options: &ImportOptions) -> ExitCode {
    match import(options) {
        Ok(code) => code,
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Input(e)) => {
            eprintln!("error: {e}");
            eprintln!("nothing was written");
            ExitCode::from(1)
        }
    }
}

enum Failure {
    Usage(String),
    Input(String),
}

fn import(options: &ImportOptions) -> Result<ExitCode, Failure> {
    let export = options.export.display();
    let json = read_export(&options.export)?;
    let annotations = hypothesis::parse(&json)
        .map_err(|e| Failure::Input(format!("{export} is not a Hypothesis export: {e}")))?;
    if annotations.is_empty() {
        return Err(Failure::Input(format!("{export} has no annotations")));
    }

    // The site as a build sees it, instructor notes and drafts included (their ids are
    // taken too).
    let build = BuildOptions {
        output: BuildOptions::default_output(&options.site_dir, true),
        site_dir: options.site_dir.clone(),
        instructor: true,
        drafts: true,
        base_url: None,
    };
    let mut diags = Diagnostics::new();
    let site = crate::load::site(&build, &mut diags).map_err(|e| Failure::Usage(e.to_string()))?;
    let doc = crate::pipeline::document(&site, &mut diags, &mut |_| {});
    if diags.has_errors() {
        diags.sort();
        eprint!("{}", diags.render(options.color));
        return Err(Failure::Input(
            "the site has errors: fix them (`scholia check`) before importing into it".into(),
        ));
    }

    let slugs: HashMap<&str, usize> = doc
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.text.slug.as_str(), i))
        .collect();
    let indexes: Vec<std::sync::OnceLock<ReadingIndex>> = doc
        .texts
        .iter()
        .map(|_| std::sync::OnceLock::new())
        .collect();
    let base = site.config.base_url.as_ref();

    // Replies by the annotation that started their thread, oldest first.
    let mut replies: HashMap<&str, Vec<&Annotation>> = HashMap::new();
    for a in annotations.iter().filter(|a| !a.references.is_empty()) {
        replies.entry(a.references[0].as_str()).or_default().push(a);
    }
    for thread in replies.values_mut() {
        thread.sort_by(|a, b| a.created.cmp(&b.created));
    }

    let mut outcomes: Vec<(&Annotation, Outcome)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut new_ids: HashSet<(usize, String)> = HashSet::new();
    for a in annotations.iter().filter(|a| a.references.is_empty()) {
        if !seen.insert(&a.id) {
            continue;
        }
        let thread = replies.get(a.id.as_str()).map_or(&[][..], Vec::as_slice);
        let outcome = place(a, thread, &doc.texts, &slugs, &indexes, options, base);
        let outcome = match outcome {
            Outcome::Placed(t, n) if !new_ids.insert((t, n.id.clone())) => Outcome::Present(n.id),
            o => o,
        };
        outcomes.push((a, outcome));
    }
    // Replies go where their thread went; those of a thread placed now are in its note.
    let fate: HashMap<&str, Option<Unplaced>> = outcomes
        .iter()
        .map(|(a, o)| {
            let f = match o {
                Outcome::Placed(..) => None,
                Outcome::Present(id) => Some(Unplaced::ThreadImported(id.clone())),
                Outcome::Unplaced(_) => Some(Unplaced::ParentLeftOut),
            };
            (a.id.as_str(), f)
        })
        .collect();
    for a in annotations.iter().filter(|a| !a.references.is_empty()) {
        match fate.get(a.references[0].as_str()) {
            Some(None) => {}
            Some(Some(why)) => outcomes.push((a, Outcome::Unplaced(why.clone()))),
            None => outcomes.push((a, Outcome::Unplaced(Unplaced::ReplyWithoutParent))),
        }
    }

    // Every sidecar prepared and checked before the first is written.
    let mut by_text: BTreeMap<usize, Vec<NewNote>> = BTreeMap::new();
    for (_, o) in &outcomes {
        if let Outcome::Placed(t, n) = o {
            by_text.entry(*t).or_default().push(n.clone());
        }
    }
    let mut writes: Vec<(PathBuf, String, String, bool, usize)> = Vec::new();
    for (t, notes) in &by_text {
        let text = doc.texts[*t].text;
        let name = Path::new(&text.source.name).with_extension("yaml");
        let path = options.site_dir.join(&name);
        let shown = name.display().to_string();
        let old = match std::fs::read(&path) {
            Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| {
                Failure::Input(format!("cannot import into {shown}: it is not UTF-8 text"))
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Failure::Input(format!("cannot read {shown}: {e}"))),
        };
        let new = sidecar::append(old.as_deref(), notes)
            .map_err(|why| Failure::Input(format!("cannot import into {shown}: {why}")))?;
        writes.push((path, shown, new, old.is_none(), notes.len()));
    }
    for (path, shown, text, _, _) in &writes {
        sidecar::replace(path, text)
            .map_err(|e| Failure::Input(format!("cannot write {shown}: {e}")))?;
    }

    Ok(report(&outcomes, &writes, &replies))
}

fn read_export(path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| Failure::Input(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(Failure::Input(format!("{shown} is not a file")));
    }
    if meta.len() > MAX_EXPORT_BYTES {
        return Err(Failure::Input(format!(
            "{shown} is larger than {} MB: split the export",
            MAX_EXPORT_BYTES / 1024 / 1024
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Failure::Input(format!("cannot read {shown}: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| Failure::Input(format!("{shown} is not UTF-8 text, so not JSON")))
}

fn report(
    outcomes: &[(&Annotation, Outcome)],
    writes: &[(PathBuf, String, String, bool, usize)],
    replies: &HashMap<&str, Vec<&Annotation>>,
) -> ExitCode {
    for (_, shown, _, created, n) in writes {
        let verb = if *created { "created" } else { "added to" };
        eprintln!("{verb} {shown}: {n} note{}", plural(*n));
    }
    let placed: usize = writes.iter().map(|w| w.4).sum();
    let folded: usize = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Placed(..)))
        .map(|(a, _)| replies.get(a.id.as_str()).map_or(0, Vec::len))
        .sum();
    let present: Vec<&String> = outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Present(id) => Some(id),
            _ => None,
        })
        .collect();
    if !present.is_empty() {
        eprintln!(
            "skipped {} annotation{} already imported (note ids {})",
            present.len(),
            plural(present.len()),
            crate::diagnostics::list_some(&present, 10)
        );
    }
    let unplaced: Vec<(&Annotation, &Unplaced)> = outcomes
        .iter()
        .filter_map(|(a, o)| match o {
            Outcome::Unplaced(u) => Some((*a, u)),
            _ => None,
        })
        .collect();
    if !unplaced.is_empty() {
        eprintln!(
            "could not place {} annotation{} (nothing written for {}):",
            unplaced.len(),
            plural(unplaced.len()),
            if unplaced.len() == 1 { "it" } else { "them" }
        );
        for (a, why) in &unplaced {
            eprintln!("  {} ({}): {}", a.id, a.uri, why.why());
        }
        if unplaced.iter().any(|(_, u)| **u == Unplaced::NoText) {
            eprintln!(
                "help: tell scholia where those pages are with --map URL-PREFIX=SLUG-PREFIX, or set base_url in _site.yaml"
            );
        }
    }
    eprintln!(
        "imported {placed} note{} ({folded} repl{} folded in), {} already there, {} not placed",
        plural(placed),
        if folded == 1 { "y" } else { "ies" },
        present.len(),
        unplaced.len()
    );
    if placed == 0 && present.is_empty() {
        eprintln!(
            "error: no annotation of the export could be placed in this site; nothing was written"
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Where one annotation (and its replies) goes, or why it goes nowhere.
fn place(
    a: &Annotation,
    thread: &[&Annotation],
    texts: &[TextDoc],
    slugs: &HashMap<&str, usize>,
    indexes: &[std::sync::OnceLock<ReadingIndex>],
    options: &ImportOptions,
    base: Option<&Url>,
) -> Outcome {
    let Some(t) = text_of(&a.uri, &options.maps, base, slugs) else {
        return Outcome::Unplaced(Unplaced::NoText);
    };
    let doc = &texts[t];
    let id = note_id(&a.id);
    if doc.text.notes.iter().any(|n| n.id == id) {
        return Outcome::Present(id);
    }
    let Some(q) = &a.quote else {
        return Outcome::Unplaced(Unplaced::NoQuote);
    };
    let reading = &doc.anchored.reading;
    let index = indexes[t].get_or_init(|| ReadingIndex::new(&reading.text));
    let range = match locate(index, &reading.text, q) {
        Ok(r) => r,
        Err(Located::NotFound) => return Outcome::Unplaced(Unplaced::NotFound),
        Err(Located::Ambiguous(rs)) => {
            let mut ps: Vec<usize> = rs.iter().map(|r| reading.paragraph_at(r.start)).collect();
            ps.dedup();
            return Outcome::Unplaced(Unplaced::Ambiguous(ps));
        }
    };
    let Some((quote, prefix, suffix)) = selector(index, &reading.text, &range) else {
        return Outcome::Unplaced(Unplaced::Ambiguous(vec![reading.paragraph_at(range.start)]));
    };
    let note = body(a, thread);
    if note.trim().is_empty() {
        return Outcome::Unplaced(Unplaced::NoBody);
    }
    let tags: Vec<String> = a.tags.iter().map(|t| clean(t)).collect();
    if let Some(bad) = tags.iter().find(|t| !usable_tag(t)) {
        return Outcome::Unplaced(Unplaced::BadTag(bad.chars().take(40).collect()));
    }
    Outcome::Placed(
        t,
        NewNote {
            id,
            quote,
            prefix,
            suffix,
            tags,
            note,
        },
    )
}

/// The loader's rule for tags (`load::text::check_tag`): each names a page.
fn usable_tag(tag: &str) -> bool {
    !tag.chars().any(char::is_control) && crate::slug::tag(tag).len() <= 100
}

/// NUL cannot be in a sidecar (nor in Markdown, which reads it as U+FFFD).
fn clean(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

/// The note's Markdown: the annotation's text, then each reply as a quotation with its
/// author and date.
fn body(a: &Annotation, thread: &[&Annotation]) -> String {
    let mut out = clean(a.text.trim_end());
    for r in thread {
        let who = r
            .user
            .as_deref()
            .map(user_name)
            .unwrap_or_else(|| "someone".into());
        let when = r
            .created
            .as_deref()
            .and_then(|c| c.get(..10))
            .map(|d| format!(", {}", markdown_escape(d)))
            .unwrap_or_default();
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&format!(
            "> **{}**{when} replied:\n>",
            markdown_escape(&who)
        ));
        for line in clean(r.text.trim_end()).lines() {
            out.push_str("\n>");
            if !line.is_empty() {
                out.push(' ');
                out.push_str(line);
            }
        }
    }
    out
}

/// `acct:alice@hypothes.is` → `alice`.
fn user_name(user: &str) -> String {
    let u = user.strip_prefix("acct:").unwrap_or(user);
    u.split('@').next().unwrap_or(u).to_string()
}

/// A name shown as text in Markdown, whatever it holds.
fn markdown_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// Note ids from Hypothesis ids (`KkBzcu8aEe6F_2tpABpaLg`): `h-` and the id lowercased,
/// with a short hash of the original when lowercasing lost something, so two ids that
/// differ in case stay two notes, and the same id always gives the same note id.
pub(crate) fn note_id(hypothesis: &str) -> String {
    let lower: String = hypothesis
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if lower == hypothesis && !lower.is_empty() {
        format!("h-{lower}")
    } else {
        format!("h-{lower}-{:08x}", fnv1a(hypothesis.as_bytes()))
    }
}

/// FNV-1a, 32 bits: stable across versions and machines, unlike `std`'s hasher.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The text an address is the page of: by `--map`, by `base_url`, then by the path.
fn text_of(
    uri: &str,
    maps: &[Mapping],
    base: Option<&Url>,
    slugs: &HashMap<&str, usize>,
) -> Option<usize> {
    let uri = uri.split('#').next().unwrap_or(uri);
    let uri = uri.split('?').next().unwrap_or(uri);
    let lookup = |slug: String| slugs.get(normalize_slug(&slug).as_str()).copied();
    for m in maps {
        if let Some(rest) = uri.strip_prefix(&m.url_prefix) {
            if let Some(t) = lookup(format!("{}{rest}", m.slug_prefix)) {
                return Some(t);
            }
        }
    }
    if let Some(base) = base {
        let root = page_url(base, "");
        let root = root.as_str();
        if let Some(rest) = uri.strip_prefix(root) {
            if let Some(t) = lookup(rest.to_string()) {
                return Some(t);
            }
        }
    }
    // The longest end of the page's path that is a text's slug.
    let path = match Url::parse(uri) {
        Ok(u) => u.path().to_string(),
        Err(_) => uri.to_string(),
    };
    let path = normalize_slug(&path);
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    (0..parts.len()).find_map(|k| slugs.get(parts[k..].join("/").as_str()).copied())
}

/// A page's path as a slug: percent-decoded, without `index.html` or slashes at its ends.
fn normalize_slug(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let p = decoded.strip_suffix("index.html").unwrap_or(&decoded);
    p.trim_matches('/').to_string()
}

enum Located {
    NotFound,
    Ambiguous(Vec<Range<usize>>),
}

/// The passage a Hypothesis quote designates. Its prefix and suffix were taken from the
/// page as the browser showed it, margin notes and paragraph numbers included, so they
/// may not fit our reading text exactly: when they fit no occurrence, the occurrence
/// whose surroundings share the most characters with them is taken, if only one does.
fn locate(
    index: &ReadingIndex,
    reading: &str,
    q: &hypothesis::Quote,
) -> Result<Range<usize>, Located> {
    let selector = TextQuoteSelector {
        exact: clean(&q.exact),
        prefix: q.prefix.as_deref().map(clean),
        suffix: q.suffix.as_deref().map(clean),
    };
    let candidates = match index.find_exact(&selector) {
        Ok(r) => return Ok(r),
        Err(AnchorError::Empty | AnchorError::NotFound { .. }) => return Err(Located::NotFound),
        Err(AnchorError::ContextMismatch { occurrences: c })
        | Err(AnchorError::Ambiguous { candidates: c }) => c,
    };
    if let [only] = candidates.as_slice() {
        return Ok(only.clone());
    }
    let prefix = squash(selector.prefix.as_deref().unwrap_or_default());
    let suffix = squash(selector.suffix.as_deref().unwrap_or_default());
    let score = |r: &Range<usize>| {
        let before = squash(reading.get(..r.start).unwrap_or_default());
        let after = squash(reading.get(r.end..).unwrap_or_default());
        let p = before
            .chars()
            .rev()
            .zip(prefix.chars().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let s = after
            .chars()
            .zip(suffix.chars())
            .take_while(|(a, b)| a == b)
            .count();
        p + s
    };
    let scores: Vec<usize> = candidates.iter().map(score).collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let winners: Vec<usize> = (0..candidates.len())
        .filter(|&i| scores[i] == best)
        .collect();
    match winners.as_slice() {
        [i] if best > 0 => Ok(candidates[*i].clone()),
        _ => Err(Located::Ambiguous(candidates)),
    }
}

/// White space as one space, and none at the ends: how context is compared and written.
fn squash(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == BLOCK_SEPARATOR)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sidecar's selector for `range`: the passage as the reader sees it, with a prefix
/// and suffix only when the quote alone would not be unique; `None` if even they do not
/// pick it.
fn selector(
    index: &ReadingIndex,
    reading: &str,
    range: &Range<usize>,
) -> Option<(String, Option<String>, Option<String>)> {
    let quote = squash(reading.get(range.clone())?);
    let alone = TextQuoteSelector {
        exact: quote.clone(),
        prefix: None,
        suffix: None,
    };
    if index.find_exact(&alone).ok().as_ref() == Some(range) {
        return Some((quote, None, None));
    }
    let context = crate::output::quote_context(reading, range);
    let prefix = context
        .prefix
        .as_deref()
        .map(squash)
        .filter(|p| !p.is_empty());
    let suffix = context
        .suffix
        .as_deref()
        .map(squash)
        .filter(|s| !s.is_empty());
    let with = TextQuoteSelector {
        exact: quote.clone(),
        prefix: prefix.clone(),
        suffix: suffix.clone(),
    };
    (index.find_exact(&with).ok().as_ref() == Some(range)).then_some((quote, prefix, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_ids_are_valid_stable_and_distinct() {
        let ids = [
            "KkBzcu8aEe6F_2tpABpaLg",
            "kkbzcu8aee6f_2tpabpalg",
            "abc",
            "",
            "-x-",
            "ÜNÏ",
        ];
        let made: Vec<String> = ids.iter().map(|i| note_id(i)).collect();
        for id in &made {
            assert!(crate::load::is_valid_id(id), "{id}");
            assert!(id.starts_with("h-"));
        }
        assert_eq!(made[2], "h-abc");
        let unique: HashSet<&String> = made.iter().collect();
        assert_eq!(unique.len(), made.len(), "{made:?}");
        assert_eq!(note_id(ids[0]), made[0]);
    }

    #[test]
    fn addresses_find_their_text() {
        let slugs: HashMap<&str, usize> = [("texts/henke", 0), ("henke", 1), ("a b", 2)].into();
        let base = Url::parse("https://example.org/reader/").ok();
        let maps = [Mapping {
            url_prefix: "https://old.host/r/".into(),
            slug_prefix: "texts/".into(),
        }];
        let cases = [
            ("https://old.host/r/henke/", Some(0)),
            (
                "https://example.org/reader/texts/henke/index.html#p3",
                Some(0),
            ),
            ("https://example.org/reader/henke/?x=1", Some(1)),
            ("http://localhost:1111/texts/henke/", Some(0)),
            ("file:///home/me/public/a%20b/index.html", Some(2)),
            ("https://example.org/other/", None),
        ];
        for (uri, expected) in cases {
            assert_eq!(
                text_of(uri, &maps, base.as_ref(), &slugs),
                expected,
                "{uri}"
            );
        }
    }

    #[test]
    fn maps_are_checked() {
        assert!(parse_map("https://x.org/=texts/").is_ok());
        assert!(parse_map("no-equals").is_err());
        assert!(parse_map("=texts/").is_err());
        assert!(parse_map("https://x.org/=../up").is_err());
        assert!(parse_map("https://x.org/=/abs").is_err());
    }

    #[test]
    fn browser_context_still_picks_the_occurrence() {
        let s = BLOCK_SEPARATOR;
        let reading = format!("the cat sat on the mat.{s}A dog and the cat ran.");
        let index = ReadingIndex::new(&reading);
        let q = hypothesis::Quote {
            exact: "the cat".into(),
            // As a browser sees it: the paragraph number and a margin note in between.
            prefix: Some("Note: a dog.\n2\nA dog and ".into()),
            suffix: Some(" ran.".into()),
        };
        let r = locate(&index, &reading, &q).unwrap_or(0..0);
        assert_eq!(r.start, reading.rfind("the cat").unwrap_or(0));
        let (quote, prefix, _) = selector(&index, &reading, &r).unwrap_or_default();
        assert_eq!(quote, "the cat");
        assert!(prefix.is_some());
        let q = hypothesis::Quote {
            exact: "the cat".into(),
            prefix: None,
            suffix: None,
        };
        assert!(matches!(
            locate(&index, &reading, &q),
            Err(Located::Ambiguous(_))
        ));
    }

    #[test]
    fn replies_fold_into_their_note() {
        let a = |text: &str, user: &str, created: &str| Annotation {
            id: "x".into(),
            created: Some(created.into()),
            user: Some(user.into()),
            uri: String::new(),
            text: text.into(),
            tags: vec![],
            references: vec![],
            quote: None,
        };
        let root = a("Root *note*.", "acct:a@h", "2024-01-01T00:00:00Z");
        let r1 = a(
            "Yes.\n\nAnd more.",
            "acct:b_2@hypothes.is",
            "2024-02-03T10:00:00Z",
        );
        assert_eq!(
            body(&root, &[&r1]),
            "Root *note*.\n\n> **b\\_2**, 2024\\-02\\-03 replied:\n>\n> Yes.\n>\n> And more."
        );
    }
}
