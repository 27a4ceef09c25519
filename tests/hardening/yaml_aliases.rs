//! Item 6: YAML alias amplification. `questions: [&a "<1 MiB>", *a ×1000]`, a 1 MB
//! file, took 4.1 GB of memory and wrote a 1 GB site. Aliases may now expand a YAML
//! document to at most ten times its size (64 KiB for small files); past that the build
//! fails at the alias that passed the limit, in every YAML file the loader reads.

use std::path::Path;

use crate::support::{copy_site, fixture, read, scholia, Run};

fn build(setup: impl FnOnce(&Path)) -> (tempfile::TempDir, Run) {
    let site = copy_site(&fixture("sites/basic"));
    setup(site.path());
    let run = scholia(site.path(), &["build", "."]);
    (site, run)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The `file:line:column` of the first alias diagnostic (`--> file:line:col`).
fn first_location(stderr: &str) -> (String, usize, usize) {
    let from = stderr.find("error: YAML aliases").unwrap_or(0);
    let line = stderr[from..]
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .unwrap_or_else(|| panic!("no location in:\n{stderr}"));
    let mut parts = line.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let row = parts.next().and_then(|r| r.parse().ok());
    match (parts.next(), row, col) {
        (Some(file), Some(row), Some(col)) => (file.to_string(), row, col),
        _ => panic!("bad location {line:?}"),
    }
}

/// A billion-laughs document: ten levels of ten aliases each would be 10^10 copies.
fn laughs(indent: &str) -> String {
    let mut yaml = format!("{indent}l0: &l0 [\"ha ha ha ha ha ha\"]\n");
    for level in 1..10 {
        let prev = level - 1;
        let aliases = vec![format!("*l{prev}"); 10].join(", ");
        yaml.push_str(&format!("{indent}l{level}: &l{level} [{aliases}]\n"));
    }
    yaml
}

#[test]
fn a_megabyte_anchor_aliased_many_times_is_refused_at_the_alias() {
    let mut sidecar = String::from("questions:\n  - &a \"");
    sidecar.push_str(&"x".repeat(1024 * 1024));
    sidecar.push_str("\"\n");
    for _ in 0..40 {
        sidecar.push_str("  - *a\n");
    }
    let (site, run) = build(|s| write(&s.join("content/unit-1/first.yaml"), &sidecar));
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: YAML aliases expand this file to more than"),
        "{}",
        run.stderr
    );
    let (file, line, col) = first_location(&run.stderr);
    assert_eq!(file, "content/unit-1/first.yaml");
    // Ten times 1 MiB is passed at the tenth alias, on the file's 12th line.
    assert_eq!((line, col), (12, 5), "{}", run.stderr);
    let written = sidecar.lines().nth(line - 1).unwrap_or_default();
    assert_eq!(&written[col - 1..], "*a");
    assert!(!site.path().join("public").exists(), "a site was written");
    assert!(
        run.stderr.len() < 10_000,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn nested_aliases_are_refused_in_every_yaml_file() {
    let cases: [(&str, String); 5] = [
        (
            "content/unit-1/first.yaml",
            format!("{}questions: []\n", laughs("")),
        ),
        (
            "content/unit-1/second.md",
            format!("---\ntitle: Second\n{}---\n\nBody.\n", laughs("")),
        ),
        ("content/_site.yaml", format!("title: T\n{}", laughs(""))),
        (
            "content/_glossary.yaml",
            format!("terms: []\n{}", laughs("")),
        ),
        (
            "content/unit-1/_section.yaml",
            format!("title: U\n{}", laughs("")),
        ),
    ];
    for (file, text) in cases {
        let (_site, run) = build(|s| write(&s.join(file), &text));
        assert_eq!(run.status, 1, "{file}: {}", run.stderr);
        assert!(
            run.stderr.contains("YAML aliases expand this file"),
            "{file}: {}",
            run.stderr
        );
        let (at, line, col) = first_location(&run.stderr);
        assert_eq!(at, file, "{}", run.stderr);
        let written = text.lines().nth(line - 1).unwrap_or_default();
        assert!(
            written.get(col - 1..).is_some_and(|s| s.starts_with("*l")),
            "{file}:{line}:{col} is not an alias: {written:?}"
        );
    }
}

#[test]
fn anchors_and_aliases_within_reason_still_work() {
    let (site, run) = build(|s| {
        let path = s.join("content/unit-1/second.yaml");
        let mut sidecar = read(&path);
        sidecar.push_str("questions:\n  - &q Is this asked twice?\n  - *q\n");
        write(&path, &sidecar);
    });
    assert_eq!(run.status, 0, "{}", run.stderr);
    let page = read(&site.path().join("public/unit-1/second/index.html"));
    assert_eq!(page.matches("Is this asked twice?").count(), 2, "{page}");
}
