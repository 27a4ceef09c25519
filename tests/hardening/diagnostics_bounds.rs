//! Hardening 11 and 10 (in part): what a failed build prints is bounded, whatever the
//! content.
//!
//! A quote matching 100k paragraphs gave a 689 KB error, and 300 such notes printed
//! 206 MB. A sidecar that is a link to `/etc/passwd` printed the whole file. Now a
//! diagnostic lists a few places and counts the rest, the build prints the first
//! errors and counts the rest, and a snippet shows at most the offending lines, cut.

use std::path::Path;

use crate::support::scholia;

/// A site with one text, `unit/text`, of `markdown`, and its sidecar `sidecar`.
fn site(markdown: &str, sidecar: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let unit = dir.path().join("content/unit");
    std::fs::create_dir_all(&unit).unwrap_or_else(|e| panic!("{e}"));
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    write(&dir.path().join("content/_site.yaml"), "title: Bounds\n");
    write(
        &unit.join("text.md"),
        &format!("---\ntitle: Text\n---\n\n{markdown}"),
    );
    write(&unit.join("text.yaml"), sidecar);
    dir
}

/// `n` paragraphs that all read "Same words here."
fn same_paragraphs(n: usize) -> String {
    "Same words here.\n\n".repeat(n)
}

#[test]
fn a_quote_in_a_hundred_thousand_paragraphs_gives_a_short_error() {
    let site = site(
        &same_paragraphs(100_000),
        "annotations:\n  - quote: \"Same words\"\n    note: Which one?\n",
    );
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("this quote occurs 100000 times"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("in paragraphs 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 99990 more"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 2_000, "{} bytes", run.stderr.len());
}

#[test]
fn three_hundred_such_notes_print_fifty_errors_and_a_count() {
    let mut sidecar = String::from("annotations:\n");
    for i in 0..300 {
        sidecar.push_str(&format!("  - quote: \"Same words\"\n    note: n{i}\n"));
    }
    let site = site(&same_paragraphs(10_000), &sidecar);
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("error: this quote occurs").count(),
        50,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("… and 250 more errors (0 more warnings) not shown"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the build failed with 300 errors"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 50_000, "{} bytes", run.stderr.len());
}

/// A sidecar that is not YAML mapping but some other file, say a link to `/etc/passwd`
/// (refused by the loader too, see `symlinks`): its lines end up in the parser's
/// message; the error shows the start of it, not the file.
#[test]
fn a_sidecar_that_is_some_other_file_is_not_printed_whole() {
    let passwd: String = (0..2_000)
        .map(|i| format!("user{i}:x:{i}:{i}:User {i}:/home/user{i}:/bin/sh\n"))
        .collect();
    let site = site("Some words.\n", &passwd);
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/unit/text.yaml"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("user10:"), "{}", run.stderr);
    assert!(run.stderr.len() < 2_000, "{} bytes", run.stderr.len());
}

/// A sidecar whose one line is a megabyte long, with a quote that is nowhere.
#[test]
fn an_error_in_a_megabyte_line_shows_a_bounded_snippet() {
    let quote = "lorem ipsum ".repeat(BIG_LINE / 12);
    let sidecar = format!("annotations: [{{note: x, quote: \"{}\"}}]\n", quote.trim());
    let site = site("Some words.\n", &sidecar);
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("this quote is not in the text"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/unit/text.yaml:1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 2_000, "{} bytes", run.stderr.len());
}

const BIG_LINE: usize = 1 << 20;
