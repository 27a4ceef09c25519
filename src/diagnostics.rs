//! Authors' mistakes as data.
//!
//! Every stage pushes [`Diagnostic`]s into a [`Diagnostics`] sink and carries on, so a
//! build reports all of its errors at once, like a compiler. Positions are byte ranges
//! into a [`Source`] until printed; only [`Diagnostics::render`] turns them into
//! `file:line:column` with the offending line underlined.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A file that diagnostics can point into: its name as shown to the author and its text.
#[derive(Debug)]
pub struct Source {
    /// The path relative to the site folder, with `/` separators.
    pub name: String,
    /// The file's text; lossily decoded when the file is not valid UTF-8.
    pub text: String,
}

impl Source {
    /// Shared, so every span into the file and every stage's diagnostic quote one copy.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The byte range of a 1-based line and column (in characters), as YAML errors give them.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut start = 0;
        for _ in 1..line {
            match self.text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return self.text.len(),
            }
        }
        let rest = &self.text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        rest[..line_end]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(start + line_end, |(i, _)| start + i)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether a diagnostic fails the build: warnings are printed, errors exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Doubtful but buildable; `check --strict` fails on it.
    Warning,
    /// The build writes nothing and exits 1.
    Error,
}

/// A place in a source file.
#[derive(Debug, Clone)]
pub struct Span {
    /// The file, shared with every other span into it.
    pub source: Arc<Source>,
    /// Byte range in `source.text`; empty for a point.
    pub range: Range<usize>,
}

impl Span {
    /// A span of `range` in `source` (which it shares).
    pub fn new(source: &Arc<Source>, range: Range<usize>) -> Span {
        Span {
            source: Arc::clone(source),
            range,
        }
    }

    /// The whole file, for mistakes that have no better place (an empty file, say).
    pub fn file(source: &Arc<Source>) -> Span {
        Span::new(source, 0..0)
    }
}

/// One mistake (or doubtful thing) in the content.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Whether it fails the build.
    pub severity: Severity,
    /// What is wrong, in one line, in the author's terms.
    pub message: String,
    /// Where; `None` for what no file holds (an internal error).
    pub span: Option<Span>,
    /// Said under the underlined snippet.
    pub label: String,
    /// What to do about it: the did-you-mean, the closest passage.
    pub help: Option<String>,
    /// Further facts, each on a `= note:` line.
    pub notes: Vec<String>,
    /// A stable name for the kind of mistake, for editors and CI (`scholia check
    /// --format json`, documented in docs/check.md); `None` for kinds not named yet.
    pub code: Option<&'static str>,
    /// Edits that would fix it, which `scholia check --fix` makes.
    pub fix: Vec<Edit>,
}

/// Replace the bytes of `span` by `replacement`.
#[derive(Debug, Clone)]
pub struct Edit {
    /// The bytes to replace.
    pub span: Span,
    /// What to write instead.
    pub replacement: String,
}

impl Diagnostic {
    /// An error at `span`; the builders below add the rest.
    pub fn error(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            help: None,
            notes: Vec::new(),
            code: None,
            fix: Vec::new(),
        }
    }

    /// Names the kind of mistake (see `code`).
    pub fn code(mut self, code: &'static str) -> Diagnostic {
        self.code = Some(code);
        self
    }

    /// Attaches the edits `check --fix` makes.
    pub fn fix(mut self, edits: Vec<Edit>) -> Diagnostic {
        self.fix = edits;
        self
    }

    /// A warning at `span`: printed, but the build goes on.
    pub fn warning(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message, span)
        }
    }

    /// Says `label` under the underlined snippet.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Adds the `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds `help` only when there is something to say.
    pub fn maybe_help(self, help: Option<String>) -> Diagnostic {
        match help {
            Some(h) => self.help(h),
            None => self,
        }
    }

    /// Adds a `= note:` line.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// `file:line:column`, the way editors and terminals make clickable.
    pub fn location(&self) -> Option<String> {
        let span = self.span.as_ref()?;
        let (line, col) = span.source.line_col(span.range.start);
        Some(format!("{}:{line}:{col}", span.source.name))
    }
}

/// The sink every stage writes its diagnostics into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Keeps one diagnostic; a build reports all of them together at its end.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Takes over another sink's diagnostics (a parallel stage's).
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether the build must fail (exit 1, nothing written).
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// How many errors, for the summary line.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many warnings, for the summary line.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    /// In the order pushed (or sorted, after `sort`).
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorts by file and position so output is stable whatever order stages ran in.
    pub fn sort(&mut self) {
        self.items.sort_by_key(sort_key);
    }

    /// All diagnostics as rustc-style text, optionally coloured for a terminal: the
    /// first [`SHOWN`] errors and the first [`SHOWN`] warnings, then how many more there
    /// are, so that a thousand broken notes print a screenful, not megabytes.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = String::new();
        let (mut errors, mut warnings) = (0, 0);
        for d in &self.items {
            let shown = match d.severity {
                Severity::Error => &mut errors,
                Severity::Warning => &mut warnings,
            };
            *shown += 1;
            if *shown <= SHOWN {
                let _ = writeln!(out, "{}", render_one(d, &renderer));
            }
        }
        let more_errors = errors.saturating_sub(SHOWN);
        let more_warnings = warnings.saturating_sub(SHOWN);
        if more_errors + more_warnings > 0 {
            let _ = writeln!(
                out,
                "… and {more_errors} more error{} ({more_warnings} more warning{}) not shown: fix the ones above first\n",
                plural(more_errors),
                plural(more_warnings)
            );
        }
        out
    }
}

/// How many errors, and how many warnings, a build prints in full.
pub const SHOWN: usize = 50;

/// The most characters a message, label, help or note prints (it may quote the content).
const MAX_MESSAGE_CHARS: usize = 300;

/// The most characters of a source line a snippet holds from where its span starts;
/// the renderer trims the line further, around the span, to the terminal's width.
const MAX_LINE_CHARS: usize = 500;

/// The most lines a snippet shows.
const MAX_SNIPPET_LINES: usize = 5;

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `s`, cut to `max` characters with an ellipsis.
pub(crate) fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]).into(),
        None => s.into(),
    }
}

/// `items` joined by ", ", at most `max` of them, then how many more there are.
pub(crate) fn list_some<T: std::fmt::Display>(items: &[T], max: usize) -> String {
    let mut out = items
        .iter()
        .take(max)
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let _ = write!(out, " and {} more", items.len() - max);
    }
    out
}

fn sort_key(d: &Diagnostic) -> (String, usize, String) {
    match &d.span {
        Some(s) => (s.source.name.clone(), s.range.start, d.message.clone()),
        None => (String::new(), 0, d.message.clone()),
    }
}

/// The lines around a span, so a 20 MB file costs no more to report than a short one,
/// and a diagnostic never shows more of a file than the offending lines (whatever file
/// it is: a sidecar may be a link to anything).
struct Excerpt<'a> {
    text: &'a str,
    first_line: usize,
    range: Range<usize>,
}

fn excerpt(span: &Span) -> Excerpt<'_> {
    let text = &span.source.text;
    let start = floor_char_boundary(text, span.range.start.min(text.len()));
    let end = floor_char_boundary(text, span.range.end.clamp(start, text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // Show at most a few lines of a long span: its first line alone if it has more.
    let mut line_end = line_end_from(text, end);
    if text[line_start..line_end].matches('\n').count() >= MAX_SNIPPET_LINES {
        line_end = line_end_from(text, start);
    }
    // And a long line only up to a little past the span's start (the text before it
    // stays, for the column): the renderer trims what is left to the terminal's width.
    let line_end = text[start..line_end]
        .char_indices()
        .nth(MAX_LINE_CHARS)
        .map_or(line_end, |(i, _)| start + i);
    let end = end.min(line_end);
    Excerpt {
        text: &text[line_start..line_end],
        first_line: span.source.line_col(line_start).0,
        range: start - line_start..end - line_start,
    }
}

fn line_end_from(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

fn render_one(d: &Diagnostic, renderer: &Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let message = clip(&d.message, MAX_MESSAGE_CHARS);
    let label = clip(&d.label, MAX_MESSAGE_CHARS);
    let mut group = Group::with_title(level.primary_title(message.as_ref()));
    let excerpt_owner;
    if let Some(span) = &d.span {
        excerpt_owner = excerpt(span);
        let e = &excerpt_owner;
        let mut snippet = Snippet::source(e.text)
            .line_start(e.first_line)
            .path(span.source.name.as_str());
        let label = (!label.is_empty()).then_some(label.as_ref());
        snippet = snippet.annotation(AnnotationKind::Primary.span(e.range.clone()).label(label));
        group = group.element(snippet);
    }
    let notes: Vec<_> = d.notes.iter().map(|n| clip(n, MAX_MESSAGE_CHARS)).collect();
    for note in &notes {
        group = group.element(Level::NOTE.message(note.as_ref()));
    }
    let help = d.help.as_deref().map(|h| clip(h, MAX_MESSAGE_CHARS));
    if let Some(help) = &help {
        group = group.element(Level::HELP.message(help.as_ref()));
    }
    renderer.render(&[group])
}

/// The closest of `candidates` to `word`, for "did you mean" help; `None` if nothing is close.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 3.max(word.len().min(c.len()) / 3) && *d < word.len().max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `file:line:column` of a span, for diagnostics that mention a second place.
pub(crate) fn location(span: &Span) -> String {
    let (line, col) = span.source.line_col(span.range.start);
    format!("{}:{line}:{col}", span.source.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let s = Source::new("a.md", "é\nxéy");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(6), (2, 3));
        assert_eq!(s.offset_of(2, 3), 6);
    }

    #[test]
    fn renders_path_line_and_help() {
        let src = Source::new("content/a.yaml", "title: x\nqoute: y\n");
        let mut d = Diagnostics::new();
        d.push(
            Diagnostic::error("unknown key `qoute`", Span::new(&src, 9..14))
                .label("not a key of an annotation")
                .help("did you mean `quote`?"),
        );
        let text = d.render(false);
        assert!(text.contains("error: unknown key `qoute`"), "{text}");
        assert!(text.contains("content/a.yaml:2:1"), "{text}");
        assert!(text.contains("help: did you mean `quote`?"), "{text}");
    }

    fn one_error(src: &Arc<Source>, range: Range<usize>) -> String {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error("bad", Span::new(src, range)).label("here"));
        d.render(false)
    }

    #[test]
    fn a_snippet_of_a_megabyte_line_shows_a_bounded_part_of_it() {
        let line = "abcdefghij".repeat(100_000);
        let src = Source::new("a.yaml", format!("key: {line}\nnext: 1\n"));
        let middle = 5 + 500_000;
        let text = one_error(&src, middle..middle + 300_000);
        assert!(text.len() < 2_000, "{} bytes:\n{text}", text.len());
        assert!(text.contains("a.yaml:1:500006"), "{text}");
        let text = one_error(&src, 0..src.text.len());
        assert!(text.len() < 2_000, "{} bytes:\n{text}", text.len());
    }

    #[test]
    fn a_snippet_of_a_long_span_shows_a_few_lines() {
        let lines: String = (0..1000).map(|i| format!("user{i}:x:{i}\n")).collect();
        let src = Source::new("etc.yaml", lines);
        let text = one_error(&src, 0..src.text.len());
        assert!(text.contains("user0:"), "{text}");
        assert!(!text.contains("user5:"), "{text}");
        let text = one_error(&src, 20..60);
        assert!(
            text.lines().filter(|l| l.contains("user")).count() <= 5,
            "{text}"
        );
    }

    #[test]
    fn long_messages_are_cut() {
        let src = Source::new("a.yaml", "x: 1\n");
        let mut d = Diagnostics::new();
        let secret = "root:x:0:0 ".repeat(10_000);
        d.push(
            Diagnostic::error(format!("invalid type: {secret}"), Span::new(&src, 0..1))
                .label(secret.clone())
                .note(secret.clone())
                .help(secret),
        );
        let text = d.render(false);
        assert!(text.len() < 2_000, "{} bytes:\n{text}", text.len());
        assert!(text.contains("invalid type: root:x:0:0"), "{text}");
    }

    #[test]
    fn at_most_so_many_diagnostics_are_shown_and_the_rest_counted() {
        let src = Source::new("a.yaml", "x: 1\n");
        let mut d = Diagnostics::new();
        for i in 0..SHOWN + 30 {
            d.push(Diagnostic::error(
                format!("error {i}"),
                Span::new(&src, 0..1),
            ));
        }
        for i in 0..3 {
            d.push(Diagnostic::warning(
                format!("warning {i}"),
                Span::new(&src, 0..1),
            ));
        }
        let text = d.render(false);
        assert_eq!(text.matches("error: error").count(), SHOWN, "{text}");
        assert_eq!(text.matches("warning: warning").count(), 3, "{text}");
        assert!(
            text.contains("… and 30 more errors (0 more warnings) not shown"),
            "{text}"
        );
    }

    #[test]
    fn lists_are_cut_with_a_count() {
        assert_eq!(list_some(&[1, 2, 3], 5), "1, 2, 3");
        assert_eq!(list_some(&[1, 2, 3, 4], 2), "1, 2 and 2 more");
        assert_eq!(clip("abc", 2), "ab…");
        assert_eq!(clip("ab", 2), "ab");
    }

    #[test]
    fn suggests_only_close_words() {
        let keys = ["quote", "prefix", "suffix", "note"];
        assert_eq!(did_you_mean("qoute", keys), Some("quote"));
        assert_eq!(did_you_mean("zzzzzzzz", keys), None);
    }
}
