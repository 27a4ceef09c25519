//! YAML with positions.
//!
//! `yaml_serde` reports a position only for the first error it meets, and typed values
//! carry none. Authors need every later complaint (a duplicate id, a quote that matches
//! nothing) to point at the right line too, so [`locate`] finds a value in the source
//! text by its path, the way a reader would: by indentation. It understands the block
//! style authors write by hand; for anything else it falls back to the nearest place it
//! can find.

use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diagnostics::{did_you_mean, Diagnostic, Source, Span};

/// One step of a path into a YAML document.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    /// A mapping's key.
    Key(&'a str),
    /// A sequence's item (0-based).
    Index(usize),
}

/// Deserializes `source` (or the `range` of it that holds YAML), turning the first error
/// into a diagnostic that points at it. Documents whose aliases would expand them far
/// beyond their size are refused before `yaml_serde` expands them (see [`expansion`]).
pub fn parse<T: DeserializeOwned>(
    source: &Arc<Source>,
    range: Range<usize>,
    known_keys: &[&str],
) -> Result<T, Diagnostic> {
    let text = &source.text[range.clone()];
    if let Err(e) = expansion(text) {
        return Err(expansion_diagnostic(source, range.start, text, &e));
    }
    yaml_serde::from_str(text)
        .map_err(|e| error_diagnostic(source, range.start, text, &e, known_keys))
}

/// The most a YAML document may grow by expanding its aliases: ten times its size, and
/// at least 64 KiB so small files may reuse a note freely. `yaml_serde` expands every
/// alias into a copy, so a 1 MB sidecar aliasing a 1 MB string a thousand times would
/// otherwise take gigabytes of memory and write them into the site.
pub(crate) fn expansion_limit(len: usize) -> u64 {
    (64 * 1024).max(10 * len as u64)
}

/// Where a document's expanded size first passes [`expansion_limit`].
#[derive(Debug)]
pub(crate) struct TooLarge {
    /// 1-based line and column (characters) of the alias that passed it.
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) limit: u64,
}

/// Measures the size of `text` with every alias expanded, from the parser's events (one
/// pass, nothing expanded), and fails at the alias that makes it too large. A scalar
/// counts its length plus one, a sequence or mapping one plus its contents, an alias
/// the size of its anchored node. Documents that do not parse pass: `yaml_serde` then
/// reports the syntax error.
pub(crate) fn expansion(text: &str) -> Result<(), TooLarge> {
    use saphyr_parser::{Event, Parser};
    let limit = expansion_limit(text.len());
    let mut sizes: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    // Open sequences and mappings: (anchor id, size so far); the bottom one is the stream.
    let mut open: Vec<(usize, u64)> = vec![(0, 0)];
    let mut total: u64 = 0;
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return Ok(());
        };
        let (anchor, size) = match event {
            Event::Scalar(value, _, anchor, _) => {
                total = total.saturating_add(value.len() as u64 + 1);
                (anchor, value.len() as u64 + 1)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                total = total.saturating_add(1);
                open.push((anchor, 1));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd if open.len() > 1 => {
                open.pop().unwrap_or_default()
            }
            Event::Alias(id) => {
                let size = sizes.get(&id).copied().unwrap_or(0);
                total = total.saturating_add(size);
                if total > limit {
                    return Err(TooLarge {
                        line: span.start.line(),
                        // saphyr counts columns from 0.
                        column: span.start.col() + 1,
                        limit,
                    });
                }
                (0, size)
            }
            _ => continue,
        };
        if anchor != 0 {
            sizes.insert(anchor, size);
        }
        if let Some(parent) = open.last_mut() {
            parent.1 = parent.1.saturating_add(size);
        }
    }
    Ok(())
}

fn expansion_diagnostic(
    source: &Arc<Source>,
    base: usize,
    text: &str,
    too_large: &TooLarge,
) -> Diagnostic {
    let start = base + Source::new("", text).offset_of(too_large.line, too_large.column);
    let end = token_end(&source.text, start);
    Diagnostic::error(
        format!(
            "YAML aliases expand this file to more than {} KiB",
            too_large.limit / 1024
        ),
        Span::new(source, start..end),
    )
    .label("this alias passes the limit")
    .help(
        "an alias (`*name`) repeats what its anchor (`&name`) marks; a file may grow to at \
         most ten times its size (64 KiB for small files) this way: write the text out, or \
         repeat it less",
    )
}

fn error_diagnostic(
    source: &Arc<Source>,
    base: usize,
    text: &str,
    error: &yaml_serde::Error,
    known_keys: &[&str],
) -> Diagnostic {
    let message = error.to_string();
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let offset = match error.location() {
        Some(loc) => Source::new("", text).offset_of(loc.line(), loc.column()),
        None => 0,
    };
    let start = base + offset;
    let end = token_end(&source.text, start);
    let (message, label, help) = explain(&message, known_keys);
    Diagnostic::error(message, Span::new(source, start..end))
        .label(label)
        .maybe_help(help)
}

/// The end of the word or value starting at `start`, for underlining.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let len = rest.find(['\n', ':', ',']).unwrap_or(rest.len());
    start + rest[..len].trim_end().len()
}

/// Turns serde's wording into an author's: what is wrong, and what to do.
fn explain(message: &str, known_keys: &[&str]) -> (String, String, Option<String>) {
    let expected = expected_names(message);
    let known: Vec<&str> = if expected.is_empty() {
        known_keys.to_vec()
    } else {
        expected
    };
    if let Some(variant) = between(message, "unknown variant `", "`") {
        let help = did_you_mean(variant, known.iter().copied())
            .map(|k| format!("did you mean `{k}`?"))
            .or_else(|| Some(format!("use one of: {}", known.join(", "))));
        return (
            format!("unknown value `{variant}`"),
            "not an allowed value".into(),
            help,
        );
    }
    if let Some(field) = between(message, "unknown field `", "`") {
        let help = did_you_mean(field, known.iter().copied())
            .map(|k| format!("did you mean `{k}`?"))
            .or_else(|| Some(format!("the keys allowed here are: {}", known.join(", "))));
        let (path, _) = message.split_once(": unknown").unwrap_or(("", ""));
        let place = if path.is_empty() || path.contains(' ') {
            String::new()
        } else {
            format!(" in `{path}`")
        };
        return (
            format!("unknown key `{field}`{place}"),
            "not a known key".into(),
            help,
        );
    }
    if let Some(field) = between(message, "missing field `", "`") {
        return (
            format!("missing required key `{field}`"),
            format!("`{field}` is required here"),
            Some(format!("add `{field}: …`")),
        );
    }
    if let Some((path, found, expected)) = invalid_type(message) {
        let place = path.rsplit('.').next().unwrap_or(path);
        let place = place.split('[').next().unwrap_or(place);
        let expected = expected_in_words(expected);
        let found = found_in_words(found);
        let message = if place.is_empty() {
            format!("wrong shape: expected {expected}, found {found}")
        } else {
            format!("wrong type for `{place}`: expected {expected}, found {found}")
        };
        return (message, format!("expected {expected}"), None);
    }
    (
        format!("YAML syntax error: {message}"),
        "here".into(),
        Some("check the indentation and quoting around this line".into()),
    )
}

/// What serde expected, in an author's words: our `Raw*` types are internal names.
fn expected_in_words(expected: &str) -> &str {
    match expected {
        "i64" | "u64" | "i32" | "u32" | "usize" => "a whole number",
        "a boolean" => "`true` or `false`",
        "a sequence" => "a list (`- item` lines, or `[a, b]`)",
        "text" | "a string" => "text",
        "struct RawSidecar" => {
            "a sidecar: a mapping with `annotations:` (a list of notes) and `questions:`"
        }
        "struct RawAnnotation" => "a note (a mapping with `quote` or `para`, and `note`)",
        "struct RawFrontMatter" => "front matter: `key: value` lines such as `title: …`",
        "struct RawSiteConfig" => "site settings: `key: value` lines such as `title: …`",
        "struct RawGlossaryConfig" => "glossary settings (a mapping such as `autolink: true`)",
        "struct RawHandoutConfig" => {
            "handout settings (a mapping such as `paper: a4`, `notes: page`, `answer_lines: 4`)"
        }
        "struct RawPack" => "a pack (a mapping with `name`, `title` and `texts`)",
        "struct RawInstructorQuestion" => {
            "an instructor question (a mapping with `question` and, optionally, `answer`)"
        }
        "enum Paper" => "a paper size: a4 or letter",
        "enum NotePlacement" => "where notes go: page or end",
        "struct RawGlossary" => "a glossary: a mapping with `terms:` (a list of terms)",
        "struct RawTerm" => "a glossary term (a mapping with `id`, `term` and `definition`)",
        "struct Section" => "section settings: `key: value` lines such as `title: …`",
        "enum NoteKind" => "a kind of note: note, context, definition, question or source",
        "enum Audience" => "an audience: all or instructor",
        other => other,
    }
}

/// What serde found, in an author's words.
fn found_in_words(found: &str) -> String {
    match found {
        "map" => "a mapping (`key: value` lines)".into(),
        "sequence" => "a list".into(),
        "unit value" => "nothing (an empty value)".into(),
        other => match other.split_once(' ') {
            Some(("string", s)) => format!("the text {s}"),
            Some(("integer" | "floating", _)) => {
                format!("the number {}", other.rsplit(' ').next().unwrap_or(other))
            }
            Some(("boolean", b)) => format!("the value {b}"),
            _ => other.into(),
        },
    }
}

/// Splits serde's "path: invalid type: found, expected x" into its parts.
fn invalid_type(message: &str) -> Option<(&str, &str, &str)> {
    let (path, rest) = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|kind| {
            let i = message.find(kind)?;
            let path = message[..i].trim_end_matches(": ");
            Some((path, &message[i + kind.len()..]))
        })?;
    let (found, expected) = rest.split_once(", expected ")?;
    Some((path, found, expected))
}

/// The names serde lists after "expected one of" (or "expected `x`").
fn expected_names(message: &str) -> Vec<&str> {
    let Some(i) = message.find("expected") else {
        return Vec::new();
    };
    message[i..].split('`').skip(1).step_by(2).collect()
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let len = s[start..].find(close)?;
    Some(&s[start..start + len])
}

/// The byte range of the value at `path` in block-style YAML `text`, or of the deepest
/// part of the path that could be found.
pub fn locate(text: &str, path: &[Seg]) -> Range<usize> {
    let mut region = 0..text.len();
    let mut found = 0..0;
    for seg in path {
        let next = match seg {
            Seg::Key(k) => find_key(text, region.clone(), k),
            Seg::Index(i) => find_item(text, region.clone(), *i),
        };
        match next {
            Some((value, inner)) => {
                found = value;
                region = inner;
            }
            None => break,
        }
    }
    found
}

/// Lines of `text` within `region`: (start offset, indentation, content after indentation).
fn lines(text: &str, region: Range<usize>) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut offset = region.start;
    text[region].split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        let content = line.trim_start_matches(' ');
        (start, line.len() - content.len(), content.trim_end())
    })
}

/// Finds `key:` in a mapping (possibly the first key of a `- ` item); returns the range
/// of its scalar value (or of the key, for a block value) and the region of its block.
fn find_key(text: &str, region: Range<usize>, key: &str) -> Option<(Range<usize>, Range<usize>)> {
    for (start, indent, content) in lines(text, region.clone()) {
        let mut content = content;
        let mut indent = indent;
        while let Some(rest) = content.strip_prefix("- ") {
            let trimmed = rest.trim_start_matches(' ');
            indent += content.len() - trimmed.len();
            content = trimmed;
        }
        let Some(after) = strip_key(content, key) else {
            continue;
        };
        let key_start = start + indent;
        let value = after.trim_start();
        let value_start = key_start + (content.len() - value.len());
        let block = block_after(text, start, indent, region.end);
        if value.is_empty() || value.starts_with('|') || value.starts_with('>') {
            return Some((key_start..key_start + key.len(), block));
        }
        return Some((
            value_start..value_start + value.len(),
            value_start..block.end,
        ));
    }
    None
}

fn strip_key<'a>(content: &'a str, key: &str) -> Option<&'a str> {
    [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
        .iter()
        .find_map(|k| content.strip_prefix(k.as_str()))
        .and_then(|rest| rest.strip_prefix(':'))
        .filter(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// The lines after `line_start` that belong to a key indented by `indent`: deeper ones,
/// and `- ` items at the same indentation (YAML allows a sequence to start flush).
fn block_after(text: &str, line_start: usize, indent: usize, end: usize) -> Range<usize> {
    let body_start = text[line_start..end]
        .find('\n')
        .map_or(end, |i| line_start + i + 1);
    let mut block_end = body_start;
    for (start, ind, content) in lines(text, body_start..end) {
        let belongs = content.is_empty()
            || content.starts_with('#')
            || ind > indent
            || (ind == indent && content.starts_with("- "));
        if !belongs {
            break;
        }
        block_end = start + text[start..end].find('\n').map_or(end - start, |i| i + 1);
    }
    body_start..block_end
}

/// Finds the `index`th `- ` item of the sequence in `region`.
fn find_item(
    text: &str,
    region: Range<usize>,
    index: usize,
) -> Option<(Range<usize>, Range<usize>)> {
    item_regions(text, region).into_iter().nth(index)
}

/// Every `- ` item of the sequence in `region`: (its first line, its whole region).
fn item_regions(text: &str, region: Range<usize>) -> Vec<(Range<usize>, Range<usize>)> {
    let mut dash_indent = None;
    let mut starts = Vec::new();
    for (start, indent, content) in lines(text, region.clone()) {
        if !(content.starts_with("- ") || content == "-") {
            continue;
        }
        match dash_indent {
            None => dash_indent = Some(indent),
            Some(d) if d != indent => continue,
            Some(_) => {}
        }
        starts.push(start + indent);
    }
    let ends = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(region.end));
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| {
            let first_line_end = text[start..end].find('\n').map_or(end, |i| start + i);
            (start..first_line_end, start..end)
        })
        .collect()
}

/// The items of the top-level sequence `key`, found in one pass (a sidecar with many
/// annotations would otherwise be rescanned for each).
pub fn items(text: &str, key: &str) -> Vec<(Range<usize>, Range<usize>)> {
    match find_key(text, 0..text.len(), key) {
        Some((_, block)) => item_regions(text, block),
        None => Vec::new(),
    }
}

/// The value of `key` inside `region` (an item from [`items`]), if written there.
pub fn key_in(text: &str, region: Range<usize>, key: &str) -> Option<Range<usize>> {
    find_key(text, region, key).map(|(value, _)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDECAR: &str = "\
annotations:
  - id: one
    quote: \"first words\"
    note: |
      quote: not a key
  - quote: second
    para: 3
    note: x
questions:
- Why?
";

    fn at(path: &[Seg]) -> &'static str {
        &SIDECAR[locate(SIDECAR, path)]
    }

    #[test]
    fn finds_keys_in_sequence_items() {
        use Seg::*;
        assert_eq!(
            at(&[Key("annotations"), Index(0), Key("quote")]),
            "\"first words\""
        );
        assert_eq!(at(&[Key("annotations"), Index(1), Key("quote")]), "second");
        assert_eq!(at(&[Key("annotations"), Index(1), Key("para")]), "3");
        assert_eq!(at(&[Key("annotations"), Index(1)]), "- quote: second");
        assert_eq!(at(&[Key("questions"), Index(0)]), "- Why?");
    }

    #[test]
    fn falls_back_to_the_deepest_found_part() {
        use Seg::*;
        assert_eq!(
            at(&[Key("annotations"), Index(0), Key("tags")]),
            "- id: one"
        );
        assert_eq!(at(&[Key("annotations"), Index(7)]), "annotations");
    }

    #[test]
    fn aliases_within_ten_times_the_size_pass() {
        assert!(expansion("a: &a [x, y]\nb: *a\nc: {<<: *a}\n").is_ok());
        let big = format!(
            "q: &a \"{}\"\nr: [*a, *a, *a, *a, *a, *a, *a, *a]\n",
            "x".repeat(70_000)
        );
        assert!(expansion(&big).is_ok(), "9 copies of a 70 KB file's text");
        assert!(
            expansion("a: [unclosed\n*nothing").is_ok(),
            "left to yaml_serde"
        );
    }

    #[test]
    fn amplification_fails_at_the_alias_that_passes_the_limit() {
        let mut doc = format!("q: &a \"{}\"\nr:\n", "x".repeat(70_000));
        for _ in 0..12 {
            doc.push_str("  - *a\n");
        }
        let e = expansion(&doc).err();
        let e = e.unwrap_or_else(|| panic!("12 copies passed"));
        // 70,001 bytes for the anchor, then one more per alias: the 10th passes 10 × size.
        assert_eq!((e.line, e.column), (12, 5));
        assert_eq!(e.limit, 10 * doc.len() as u64);
    }

    #[test]
    fn nested_aliases_are_measured_without_expanding_them() {
        let mut doc = String::from("l0: &l0 [ha]\n");
        for i in 1..40 {
            doc.push_str(&format!("l{i}: &l{i} [*l{p}, *l{p}, *l{p}]\n", p = i - 1));
        }
        let e = expansion(&doc)
            .err()
            .unwrap_or_else(|| panic!("3^39 copies passed"));
        assert_eq!(e.limit, 64 * 1024);
        assert!(e.line < 15, "{e:?}");
    }

    #[test]
    fn type_errors_name_no_internal_types() {
        let (msg, label, _) = explain(
            "annotations[0]: invalid type: string \"x\", expected struct RawAnnotation",
            &[],
        );
        assert_eq!(
            msg,
            "wrong type for `annotations`: expected a note (a mapping with `quote` or `para`, and `note`), found the text \"x\""
        );
        assert!(label.starts_with("expected a note"));
        let (msg, _, _) = explain("invalid type: sequence, expected struct RawSidecar", &[]);
        assert!(msg.starts_with("wrong shape: expected a sidecar"), "{msg}");
        assert!(msg.ends_with("found a list"), "{msg}");
        let (msg, _, _) = explain("order: invalid type: unit value, expected i64", &[]);
        assert_eq!(
            msg,
            "wrong type for `order`: expected a whole number, found nothing (an empty value)"
        );
    }

    #[test]
    fn unknown_field_gets_did_you_mean() {
        let (msg, _, help) = explain(
            "annotations[0]: unknown field `qoute`, expected one of `id`, `quote`",
            &["id", "quote"],
        );
        assert_eq!(msg, "unknown key `qoute` in `annotations[0]`");
        assert_eq!(help.as_deref(), Some("did you mean `quote`?"));
    }
}
