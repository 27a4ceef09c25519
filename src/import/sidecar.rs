//! Appending notes to a sidecar without touching a byte of what is there.
//!
//! Authors comment their sidecars and format them their way; rewriting the file through
//! a YAML serializer would lose both. So new notes are YAML *text* appended at the end
//! of the `annotations:` list, in the list's own indentation, every string written by
//! [`string`] (the one quoting function, tested against hostile strings). The result is
//! parsed again and must read as the old list plus exactly the new notes, or nothing is
//! written. [`replace`] puts it on disk atomically, like `scholia check --fix` does.

use std::path::Path;

use yaml_serde::Value;

/// A note to append, in sidecar terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewNote {
    pub id: String,
    pub quote: String,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub tags: Vec<String>,
    /// Markdown.
    pub note: String,
}

/// `s` as a YAML double-quoted scalar on one line: reads back as exactly `s`, whatever
/// it holds (quotes, `#`, `: `, a leading `-`, `*`, `&`, `!`, `%`, `@`, line breaks,
/// control characters, any Unicode).
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Line breaks to YAML, a byte-order mark, and every other control character.
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Markdown body as a literal block scalar (`|`) when that reads back exactly (most
/// notes: lines of ordinary text), else as a [`string`]. `indent` is the indentation of
/// the key it belongs to.
fn block(s: &str, indent: usize) -> String {
    let plain_lines = !s.is_empty()
        && !s.starts_with([' ', '\t', '\n'])
        && s.chars().all(|c| {
            c == '\n'
                || (!c.is_control()
                    && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
        })
        && s.lines().all(|l| l.trim_end() == l)
        && !s.ends_with("\n\n");
    if !plain_lines {
        return string(s);
    }
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    let pad = " ".repeat(indent + 2);
    let mut out = format!("|{chomp}\n");
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// The YAML of one list item, its `-` at column `dash`, its keys at `dash + 2`.
fn item(n: &NewNote, dash: usize) -> String {
    let at = " ".repeat(dash);
    let key = " ".repeat(dash + 2);
    let mut out = format!("{at}- id: {}\n", string(&n.id));
    out.push_str(&format!("{key}quote: {}\n", string(&n.quote)));
    if let Some(p) = &n.prefix {
        out.push_str(&format!("{key}prefix: {}\n", string(p)));
    }
    if let Some(s) = &n.suffix {
        out.push_str(&format!("{key}suffix: {}\n", string(s)));
    }
    if !n.tags.is_empty() {
        let tags: Vec<String> = n.tags.iter().map(|t| string(t)).collect();
        out.push_str(&format!("{key}tags: [{}]\n", tags.join(", ")));
    }
    out.push_str(&format!("{key}note: {}\n", block(&n.note, dash + 2)));
    out
}

/// The sidecar's text with `notes` appended to its `annotations:` list (`old` is `None`
/// for a sidecar to create). Fails, saying why, when the file is not one we can append
/// to safely (a flow-style list, say) or the result would not read back as it should.
pub(crate) fn append(old: Option<&str>, notes: &[NewNote]) -> Result<String, String> {
    let old_text = old.unwrap_or("");
    let before = parse(old_text)?;
    let text = appended(old_text, notes)?;
    let after = parse(&text)?;
    // The old notes, then exactly the new ones; nothing else changed.
    let mut expected = before.clone();
    expected.annotations.extend(notes.iter().map(as_value));
    if after != expected {
        return Err("the notes would not read back as written (please report this)".into());
    }
    Ok(text)
}

fn appended(old: &str, notes: &[NewNote]) -> Result<String, String> {
    let lines: Vec<&str> = old.split_inclusive('\n').collect();
    let key = lines.iter().position(|l| is_annotations_key(l));
    let Some(key) = key else {
        // No list yet: start one at the end of the file.
        let mut text = old.to_string();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&eol("annotations:\n".into(), old));
        for n in notes {
            text.push_str(&eol(item(n, 2), old));
        }
        return Ok(text);
    };
    let rest = lines[key]
        .trim_end()
        .strip_prefix("annotations:")
        .unwrap_or_default();
    let rest = rest.split(" #").next().unwrap_or_default().trim();
    if !rest.is_empty() && rest != "[]" {
        return Err(
            "its `annotations:` list is written in flow style (`[…]`); write it as a block list (`- quote: …` items) to import into it"
                .into(),
        );
    }
    // The list runs until the next top-level key (or document marker).
    let end = lines[key + 1..]
        .iter()
        .position(|l| is_top_level(l))
        .map_or(lines.len(), |i| key + 1 + i);
    let items = &lines[key + 1..end];
    let dash = items
        .iter()
        .find_map(|l| {
            let t = l.trim_start_matches(' ');
            t.starts_with('-').then(|| l.len() - t.len())
        })
        .unwrap_or(2);
    // After the list's last line of content (trailing blank lines and comments at the
    // margin belong to what follows).
    let last = items
        .iter()
        .rposition(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map_or(key + 1, |i| key + 2 + i);
    let mut text = String::new();
    if rest == "[]" {
        let head = lines[key];
        text.extend(lines[..key].iter().copied());
        // `annotations: []` becomes a block list; a comment after it stays.
        let comment = head.find(" #").map(|i| head[i..].trim_end()).unwrap_or("");
        text.push_str(&eol(format!("annotations:{comment}\n"), old));
        text.extend(lines[key + 1..last].iter().copied());
    } else {
        text.extend(lines[..last].iter().copied());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for n in notes {
        text.push_str(&eol(item(n, dash), old));
    }
    text.extend(lines[last..].iter().copied());
    Ok(text)
}

/// New lines end as the file's do (a sidecar saved on Windows stays CRLF). Items hold no
/// CR of their own: [`string`] escapes it and [`block`] is not used for text with one.
fn eol(item: String, old: &str) -> String {
    if old.contains("\r\n") {
        item.replace('\n', "\r\n")
    } else {
        item
    }
}

fn is_annotations_key(line: &str) -> bool {
    line.starts_with("annotations:")
}

fn is_top_level(line: &str) -> bool {
    let first = line.chars().next();
    line.starts_with("---")
        || line.starts_with("...")
        || matches!(first, Some(c) if !c.is_whitespace() && c != '#' && c != '-')
}

/// What the checks compare: the `annotations:` list, and everything else as it was.
#[derive(Debug, Clone, PartialEq)]
struct Parsed {
    annotations: Vec<Value>,
    rest: Value,
}

fn parse(text: &str) -> Result<Parsed, String> {
    if text.trim().is_empty() {
        return Ok(Parsed {
            annotations: Vec::new(),
            rest: Value::Null,
        });
    }
    let mut value: Value =
        yaml_serde::from_str(text).map_err(|e| format!("it is not valid YAML ({e})"))?;
    let annotations = match &mut value {
        Value::Mapping(m) => match m.remove("annotations") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) => items,
            Some(_) => return Err("its `annotations:` is not a list".into()),
        },
        Value::Null => Vec::new(),
        _ => return Err("it is not a mapping of `annotations:` and `questions:`".into()),
    };
    if matches!(&value, Value::Mapping(m) if m.is_empty()) {
        value = Value::Null;
    }
    Ok(Parsed {
        annotations,
        rest: value,
    })
}

fn as_value(n: &NewNote) -> Value {
    let mut m = yaml_serde::Mapping::new();
    let s = |v: &str| Value::String(v.to_string());
    m.insert(s("id"), s(&n.id));
    m.insert(s("quote"), s(&n.quote));
    if let Some(p) = &n.prefix {
        m.insert(s("prefix"), s(p));
    }
    if let Some(x) = &n.suffix {
        m.insert(s("suffix"), s(x));
    }
    if !n.tags.is_empty() {
        m.insert(
            s("tags"),
            Value::Sequence(n.tags.iter().map(|t| s(t)).collect()),
        );
    }
    m.insert(s("note"), s(&n.note));
    Value::Mapping(m)
}

/// Replaces the file at `path` with `text`: written beside it, then renamed over it,
/// so an interrupted import leaves the old file, never half of the new one.
pub(crate) fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".scholia-import");
    let temp = std::path::PathBuf::from(temp);
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "plain",
        "\"quoted\" and 'single'",
        "a # not a comment",
        "key: value",
        "- leading dash",
        "* star",
        "&anchor",
        "!tag",
        "%directive",
        "@at `tick`",
        "|",
        ">",
        "{flow: map}",
        "[flow, list]",
        "line one\nline two",
        "trailing newline\n",
        "\n\nleading newlines",
        "  leading spaces",
        "trailing spaces  ",
        "tab\there",
        "back\\slash",
        "ünïcödé ✓ 😀 \u{2028} \u{2029} \u{85} \u{feff} \u{7}",
        "null",
        "~",
        "true",
        "123",
        "0x1F",
        "",
        "---",
        "...",
    ];

    fn read_string(yaml: &str) -> Option<String> {
        match yaml_serde::from_str::<Value>(&format!("k: {yaml}\n")).ok()? {
            Value::Mapping(m) => m.get("k")?.as_str().map(str::to_string),
            _ => None,
        }
    }

    #[test]
    fn hostile_strings_read_back_exactly() {
        for s in HOSTILE {
            assert_eq!(read_string(&string(s)).as_deref(), Some(*s), "{s:?}");
            // A body as a block scalar, where that is possible.
            let b = block(s, 0);
            assert_eq!(read_string(&b).as_deref(), Some(*s), "{s:?} as {b:?}");
        }
    }

    fn note(id: &str, text: &str) -> NewNote {
        NewNote {
            id: id.into(),
            quote: text.into(),
            prefix: Some(text.into()),
            suffix: None,
            tags: vec![text.into(), "plain".into()],
            note: format!("{text}\n\nSecond paragraph.\n"),
        }
    }

    #[test]
    fn appending_keeps_every_byte_and_comment() {
        let old = "# Commentary on the text.\nannotations:   # the notes\n    - quote: \"a\"   # first\n      note: |\n        Kept.\n\n    # about the second\n    - para: 2\n      note: x\n\n# the questions\nquestions:\n  - Why?\n";
        let notes: Vec<NewNote> = HOSTILE
            .iter()
            .enumerate()
            .map(|(i, s)| note(&format!("h-{i}"), s))
            .collect();
        let text = append(Some(old), &notes).unwrap_or_else(|e| panic!("{e}"));
        let cut = "      note: x\n";
        let at = old.find(cut).map(|i| i + cut.len()).unwrap_or(0);
        assert!(text.starts_with(&old[..at]), "{text}");
        assert!(text.ends_with(&old[at..]), "{text}");
        assert!(
            text[at..].starts_with("    - id: \"h-0\"\n      quote:"),
            "{text}"
        );
    }

    #[test]
    fn a_missing_list_or_sidecar_is_started() {
        let n = [note("h-1", "x")];
        let made = append(None, &n).unwrap_or_default();
        assert!(
            made.starts_with("annotations:\n  - id: \"h-1\"\n"),
            "{made}"
        );
        let only_questions = "questions:\n  - Why?";
        let text = append(Some(only_questions), &n).unwrap_or_default();
        assert!(
            text.starts_with("questions:\n  - Why?\nannotations:\n"),
            "{text}"
        );
        let empty = "annotations: []  # none yet\nquestions: [Why?]\n";
        let text = append(Some(empty), &n).unwrap_or_default();
        assert!(
            text.starts_with("annotations: # none yet\n  - id:"),
            "{text}"
        );
        assert!(text.ends_with("questions: [Why?]\n"), "{text}");
        let top = "annotations:\n- quote: a\n  note: b\n";
        let text = append(Some(top), &n).unwrap_or_default();
        assert!(
            text.starts_with("annotations:\n- quote: a\n  note: b\n- id: \"h-1\"\n  quote:"),
            "{text}"
        );
    }

    #[test]
    fn a_crlf_sidecar_stays_crlf() {
        let old = "annotations:\r\n  - quote: a\r\n    note: b\r\n";
        let text = append(Some(old), &[note("h-1", "x\ny")]).unwrap_or_default();
        assert!(text.starts_with(old), "{text:?}");
        assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
    }

    #[test]
    fn a_flow_list_is_refused() {
        let e = append(
            Some("annotations: [{quote: a, note: b}]\n"),
            &[note("h", "x")],
        );
        assert!(e.is_err_and(|e| e.contains("flow style")));
    }
}
