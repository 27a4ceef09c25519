//! `scholia check`: everything a build validates, writing nothing (but the sidecars
//! `--fix` repairs), with diagnostics for people or, as JSON Lines, for editors and CI.
//!
//! The JSON format is documented in docs/check.md; its fields only ever grow.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use crate::config::BuildOptions;
use crate::diagnostics::{Diagnostic, Diagnostics, Edit, Severity, Span};
use crate::pipeline::{self, Failure};

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// As `scholia build` prints them, on standard error.
    Human,
    /// One JSON object per line on standard output (docs/check.md).
    Json,
}

/// What `scholia check` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct CheckOptions {
    pub build: BuildOptions,
    pub format: Format,
    /// Warnings fail the check too.
    pub strict: bool,
    /// Rewrite the sidecars of notes anchored fuzzily.
    pub fix: bool,
    pub color: bool,
}

/// Runs the check; the exit status is a build's (0 fine, 1 content errors, 2 usage),
/// and with `strict` a warning left (not fixed) is an error.
pub(crate) fn run(options: &CheckOptions) -> ExitCode {
    let mut diags = Diagnostics::new();
    let result = pipeline::check(&options.build, &mut diags);
    diags.sort();
    let report = match result {
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(1);
        }
        Err(Failure::Content) => None,
        Ok(report) => Some(report),
    };
    match options.format {
        Format::Human => eprint!("{}", diags.render(options.color)),
        Format::Json => print!("{}", json_lines(&diags)),
    }
    let fixed = if options.fix {
        fix(&options.build.site_dir, &diags)
    } else {
        Vec::new()
    };
    let errors = diags.error_count();
    let warnings = diags.warning_count() - fixed.len();
    if let Some(report) = report {
        if crate::terminal::verbosity() == crate::terminal::Verbosity::Quiet {
            // `-q`: the diagnostics above say all there is.
        } else {
            eprintln!(
                "checked {} text{} with {} note{}: {}",
                report.texts,
                plural(report.texts),
                report.notes,
                plural(report.notes),
                counts(errors, warnings)
            );
        }
    } else {
        eprintln!("error: the check failed: {}", counts(errors, warnings));
    }
    if errors > 0 || (options.strict && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn counts(errors: usize, warnings: usize) -> String {
    format!(
        "{errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

// ---------------------------------------------------------------------------------
// JSON

/// One diagnostic, as `--format json` prints it (docs/check.md).
#[derive(Debug, Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    code: Option<&'static str>,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end: Option<Position>,
    message: &'a str,
    label: Option<&'a str>,
    help: Option<&'a str>,
    notes: &'a [String],
    fix: Option<Vec<JsonEdit<'a>>>,
}

#[derive(Debug, Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Debug, Serialize)]
struct JsonEdit<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end: Position,
    /// Byte offsets in the file, for tools that prefer them.
    start_byte: usize,
    end_byte: usize,
    replacement: &'a str,
}

fn position(span: &Span, offset: usize) -> Position {
    let (line, column) = span.source.line_col(offset);
    Position { line, column }
}

fn json_diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    let start = d.span.as_ref().map(|s| position(s, s.range.start));
    let fix = (!d.fix.is_empty()).then(|| d.fix.iter().map(json_edit).collect());
    JsonDiagnostic {
        severity: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        code: d.code,
        file: d.span.as_ref().map(|s| s.source.name.as_str()),
        line: start.as_ref().map(|p| p.line),
        column: start.as_ref().map(|p| p.column),
        end: d.span.as_ref().map(|s| position(s, s.range.end)),
        message: &d.message,
        label: (!d.label.is_empty()).then_some(d.label.as_str()),
        help: d.help.as_deref(),
        notes: &d.notes,
        fix,
    }
}

fn json_edit(e: &Edit) -> JsonEdit<'_> {
    let start = position(&e.span, e.span.range.start);
    JsonEdit {
        file: &e.span.source.name,
        line: start.line,
        column: start.column,
        end: position(&e.span, e.span.range.end),
        start_byte: e.span.range.start,
        end_byte: e.span.range.end,
        replacement: &e.replacement,
    }
}

/// Every diagnostic (not only the first screenful), one JSON object per line.
fn json_lines(diags: &Diagnostics) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        match serde_json::to_string(&json_diagnostic(d)) {
            Ok(line) => {
                out.push_str(&line);
                out.push('\n');
            }
            Err(e) => eprintln!("error: cannot write a diagnostic as JSON: {e}"),
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// --fix

/// Makes the edits of every diagnostic that has some (notes anchored fuzzily get their
/// `quote`, `prefix` and `suffix` rewritten; nothing else in the file changes), and
/// says what it did and what it could not do. Returns the diagnostics it fixed.
fn fix<'d>(site_dir: &Path, diags: &'d Diagnostics) -> Vec<&'d Diagnostic> {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags.iter().filter(|d| d.code == Some("quote-fuzzy")) {
        match d.fix.first() {
            Some(edit) => by_file.entry(&edit.span.source.name).or_default().push(d),
            None => eprintln!(
                "could not fix {}: the selector cannot be rewritten in place (a block or \
                 multi-line scalar, flow style, or a prefix/suffix to add or remove); edit \
                 it as the warning says",
                d.location().unwrap_or_default(),
            ),
        }
    }
    let mut fixed = Vec::new();
    for (name, ds) in by_file {
        match fix_file(site_dir, name, &ds) {
            Ok(()) => {
                eprintln!("fixed {} note{} in {name}", ds.len(), plural(ds.len()));
                fixed.extend(ds);
            }
            Err(why) => eprintln!("could not fix {name}: {why}"),
        }
    }
    fixed
}

/// Applies the edits of `ds` to the file `name` (relative to `site_dir`), if the file
/// still holds what was checked and the result still parses.
fn fix_file(site_dir: &Path, name: &str, ds: &[&Diagnostic]) -> Result<(), String> {
    let path = site_dir.join(name);
    let mut edits: Vec<&Edit> = ds.iter().flat_map(|d| &d.fix).collect();
    let Some(first) = edits.first() else {
        return Ok(());
    };
    let checked = &first.span.source.text;
    let on_disk = std::fs::read_to_string(&path).map_err(|e| format!("cannot read it: {e}"))?;
    if on_disk != *checked {
        return Err("it changed since it was read, or is not plain UTF-8 text".to_string());
    }
    edits.sort_by_key(|e| e.span.range.start);
    if edits
        .windows(2)
        .any(|w| w[0].span.range.end > w[1].span.range.start)
    {
        return Err("two fixes overlap".to_string());
    }
    let mut text = on_disk;
    for edit in edits.iter().rev() {
        if text.get(edit.span.range.clone()).is_none() {
            return Err("a fix lies outside the file".to_string());
        }
        text.replace_range(edit.span.range.clone(), &edit.replacement);
    }
    if let Err(e) = yaml_serde::from_str::<yaml_serde::Value>(&text) {
        return Err(format!(
            "the fixed file would not parse ({e}); left as it was"
        ));
    }
    write_atomically(&path, &text).map_err(|e| format!("cannot write it: {e}"))
}

/// Writes `text` next to `path`, then renames it over `path`: an interrupted fix
/// leaves the old file, never half of the new one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".scholia-fix");
    let temp = std::path::PathBuf::from(temp);
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
