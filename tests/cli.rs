//! The command line: exit codes, diagnostics for every kind of mistake, and the promise
//! that a failed build leaves the previous output exactly as it was.

use std::path::Path;

use crate::support::{build_ok, copy_site, fixture, read, scholia};

/// A stand-in for the previous build, to check that a failed build leaves it alone.
fn plant_previous_output(site: &Path) {
    let public = site.join("public");
    std::fs::create_dir_all(public.join("texts")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(public.join(".scholia-output"), "").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(public.join("index.html"), "previous build").unwrap_or_else(|e| panic!("{e}"));
}

/// Diagnostics with the temporary folder's path taken out, for snapshots.
fn normalize(stderr: &str, site: &Path) -> String {
    stderr.replace(&site.to_string_lossy().into_owned(), "[SITE]")
}

/// Every site under `tests/invalid/` has one kind of mistake (its CASE.md says which).
/// Each must fail with exit status 1, a rustc-style diagnostic pointing into the file
/// at fault, no panic, and the previous output untouched. `insta::glob!` runs one case per
/// folder and names it in failures and snapshots (`main__cli__invalid@<case>.snap`);
/// `INSTA_GLOB_FILTER=quote-not-found cargo test --test main invalid` runs one.
#[test]
fn every_invalid_site_fails_with_a_diagnostic() {
    let mut cases = 0;
    // `?*`: every entry directly in `tests/invalid/` (not the folder itself, nothing deeper).
    insta::glob!("invalid", "?*", |case| {
        cases += 1;
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(
            case.is_dir(),
            "{name}: tests/invalid/ holds only site folders"
        );
        let site = copy_site(case);
        plant_previous_output(site.path());
        let run = scholia(site.path(), &["build", "."]);
        let stderr = normalize(&run.stderr, site.path());
        assert_eq!(
            run.status, 1,
            "{name}: expected exit status 1, got {}:\n{stderr}",
            run.status
        );
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        assert!(
            stderr.contains("error: "),
            "{name}: no error headline:\n{stderr}"
        );
        assert!(
            has_location(&stderr),
            "{name}: no file:line:column:\n{stderr}"
        );
        assert_eq!(
            read(&site.path().join("public/index.html")),
            "previous build",
            "{name}: the previous output was touched"
        );
        insta::assert_snapshot!("invalid", stderr);
    });
    // A filter (`INSTA_GLOB_FILTER`) runs fewer on purpose; otherwise the corpus must not
    // shrink unnoticed.
    if std::env::var_os("INSTA_GLOB_FILTER").is_none_or(|f| f.is_empty()) {
        assert!(
            cases >= 40,
            "the corpus of broken sites has shrunk to {cases}"
        );
    } else {
        assert!(
            cases > 0,
            "INSTA_GLOB_FILTER matched no case of tests/invalid/"
        );
    }
}

/// `--> content/texts/a.yaml:3:12` or the like.
fn has_location(stderr: &str) -> bool {
    stderr.lines().any(|l| {
        let Some(rest) = l.trim_start().strip_prefix("--> ") else {
            return false;
        };
        let mut parts = rest.rsplitn(3, ':');
        let col = parts.next().unwrap_or("");
        let line = parts.next().unwrap_or("");
        let file = parts.next().unwrap_or("");
        !file.is_empty() && line.parse::<usize>().is_ok() && col.parse::<usize>().is_ok()
    })
}

#[test]
fn all_mistakes_of_a_build_are_reported_together() {
    let site = copy_site(&fixture("invalid/many-mistakes"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr.matches("\nerror: ").count() + usize::from(run.stderr.starts_with("error: ")),
        5,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("failed with 4 errors"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_keys_get_did_you_mean() {
    let site = copy_site(&fixture("invalid/unknown-key-annotation"));
    let run = scholia(site.path(), &["build", "."]);
    assert!(
        run.stderr.contains("help: did you mean `quote`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/texts/a.yaml:3:5"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_quote_that_does_not_match_shows_the_closest_passage() {
    let site = copy_site(&fixture("invalid/quote-not-found"));
    let run = scholia(site.path(), &["build", "."]);
    assert!(
        run.stderr
            .contains("in paragraph 1, reads: “with emphasis and a link"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(dir.path(), &["build", "."]);
    assert_eq!(run.status, 2, "no content/ folder: {}", run.stderr);
    assert!(
        run.stderr.contains("no `content/` folder"),
        "{}",
        run.stderr
    );
    let run = scholia(dir.path(), &["build", "--no-such-flag"]);
    assert_eq!(run.status, 2);
    let run = scholia(dir.path(), &["frobnicate"]);
    assert_eq!(run.status, 2);
}

#[test]
fn refuses_output_folders_that_are_not_its_own() {
    let site = copy_site(&fixture("sites/basic"));
    for out in [".", "..", "/", "content/out"] {
        let run = scholia(site.path(), &["build", ".", "-o", out]);
        assert_eq!(run.status, 2, "-o {out}: {}", run.stderr);
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    }
    let precious = site.path().join("precious");
    std::fs::create_dir(&precious).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(precious.join("thesis.txt"), "years of work").unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["build", ".", "-o", "precious"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert_eq!(read(&precious.join("thesis.txt")), "years of work");
}

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(dir.path(), &["build", "--help"]);
    assert_eq!(run.status, 0);
    for flag in ["--output", "--instructor", "--drafts", "[SITE_DIR]"] {
        assert!(
            run.stdout.contains(flag),
            "{flag} missing from --help:\n{}",
            run.stdout
        );
    }
    let run = scholia(dir.path(), &["--version"]);
    assert_eq!(run.status, 0);
    assert!(run.stdout.starts_with("scholia "), "{}", run.stdout);
}

#[test]
fn a_successful_build_replaces_the_previous_output() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    std::fs::write(public.join("stale.html"), "old").unwrap_or_else(|e| panic!("{e}"));
    build_ok(site.path(), &[]);
    assert!(!public.join("stale.html").exists());
    assert!(public.join("index.html").exists());
    let siblings: Vec<_> = std::fs::read_dir(site.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        siblings.is_empty(),
        "temporary folders left behind: {siblings:?}"
    );
}

/// Mistakes that cannot be stored as fixture files: they are made in a copy of a valid site.
mod generated {
    use super::*;

    fn broken(setup: impl FnOnce(&Path)) -> (tempfile::TempDir, crate::support::Run) {
        let site = copy_site(&fixture("sites/basic"));
        plant_previous_output(site.path());
        setup(site.path());
        let run = scholia(site.path(), &["build", "."]);
        (site, run)
    }

    fn assert_failed_cleanly(site: &Path, run: &crate::support::Run, needle: &str) {
        assert_eq!(run.status, 1, "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(
            run.stderr.contains(needle),
            "expected {needle:?} in:\n{}",
            run.stderr
        );
        assert_eq!(read(&site.join("public/index.html")), "previous build");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_reported_not_followed_forever() {
        let (site, run) = broken(|s| {
            std::os::unix::fs::symlink("..", s.join("content/unit-1/loop"))
                .unwrap_or_else(|e| panic!("{e}"));
        });
        assert_failed_cleanly(site.path(), &run, "loops back to a folder that contains it");
        assert!(run.stderr.contains("content/unit-1/loop"), "{}", run.stderr);
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_text_is_reported() {
        // A dangling link cannot be read by anyone, root included.
        let (site, run) = broken(|s| {
            std::os::unix::fs::symlink("/nonexistent/gone.md", s.join("content/unit-1/gone.md"))
                .unwrap_or_else(|e| panic!("{e}"));
        });
        assert_failed_cleanly(site.path(), &run, "cannot read `content/unit-1/gone.md`");
    }

    /// A 20 MB text with a quote that matches nothing: reported, without hanging; and
    /// one with a typo, anchored fuzzily with a warning, also without hanging.
    #[test]
    fn a_twenty_megabyte_text_with_a_bad_quote() {
        let (site, run) = broken(|s| {
            let paragraph =
                "Alliances form against threats, and coalitions form for tasks; ".repeat(20);
            let mut text = String::from("---\ntitle: Huge\n---\n\n");
            while text.len() < 20 * 1024 * 1024 {
                text.push_str(&paragraph);
                text.push_str("\n\n");
            }
            text.push_str("The needle is here at the very end.\n");
            std::fs::write(s.join("content/huge.md"), text).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(s.join("content/huge.yaml"), "annotations:\n  - quote: \"The needle is in a haystack\"\n    note: x\n  - quote: \"at the very end\"\n    note: found\n  - quote: \"The neddle is here at\"\n    note: typo\n")
                .unwrap_or_else(|e| panic!("{e}"));
        });
        assert_failed_cleanly(site.path(), &run, "content/huge.yaml:2:12");
        assert_eq!(
            run.stderr.matches("\nerror: ").count()
                + usize::from(run.stderr.starts_with("error: ")),
            2,
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("the text now reads: “The needle is here at”"),
            "{}",
            run.stderr
        );
    }
}

/// A language search has no stemmer for still builds: a warning says its words are found
/// only as written, and the page says which language it is in.
#[test]
fn a_language_without_a_stemmer_builds_with_a_warning() {
    let site = copy_site(&fixture("sites/basic"));
    let config = site.path().join("content/_site.yaml");
    let yaml = read(&config).replace("language: en", "language: el");
    assert!(yaml.contains("language: el"), "{yaml}");
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: search has no stemmer or stop words for `el`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("content/_site.yaml:"), "{}", run.stderr);
    let index = read(&site.path().join("public/index.html"));
    assert!(index.contains("<html lang=\"el\">"), "{index}");
}

/// Issue 13: a text edited after its notes were written (a paragraph moved, words
/// changed, inserted and deleted in and near the quotes, a sentence duplicated) still
/// builds; each re-anchored note gets a warning naming it, its old quote and the new
/// passage, and its mark lands on the words the note is about.
#[test]
fn an_edited_text_keeps_its_notes_with_warnings() {
    let site = copy_site(&fixture("sites/edited"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("6 warnings"), "{}", run.stderr);
    for (id, line, now) in [
        (
            "moved",
            6,
            "Henke turns to the patient diplomacy of coalition building",
        ),
        ("deleted", 10, "one or two states have an intense interest"),
        ("changed", 15, "the two are often confused"),
        ("archive", 31, "The archive was reopened in 1998"),
    ] {
        let warning = format!("warning: the quote of note `{id}` does not match the text exactly");
        let at = run.stderr.find(&warning);
        let at = at.unwrap_or_else(|| panic!("no warning for {id}:\n{}", run.stderr));
        let rest = &run.stderr[at..];
        let rest = &rest[..rest[1..].find("\nwarning").map_or(rest.len(), |i| i + 1)];
        assert!(
            rest.contains(&format!("content/unit/henke.yaml:{line}:12")),
            "{rest}"
        );
        assert!(
            rest.contains(&format!("the text now reads: “{now}”")),
            "{rest}"
        );
        assert!(rest.contains("the note quotes: “"), "{rest}");
        assert!(
            rest.contains(&format!("update the note to `quote: \"{now}\"`")),
            "{rest}"
        );
    }
    assert!(
        run.stderr
            .contains("warning: the prefix/suffix of note `near` do not fit the text exactly"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("update the note to `suffix: \"of the joint costs.\"`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: the passage of note `archive` is no longer unique"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("but it might mean paragraph 6: “The archive was reopened in 1999”"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("note `exact`"), "{}", run.stderr);
    let page = read(&site.path().join("public/unit/henke/index.html"));
    for (id, words) in [
        (
            "moved",
            "Henke turns to the patient diplomacy of coalition building",
        ),
        ("deleted", "one or two states have an intense interest"),
        ("changed", "the two are often confused"),
        ("near", "a disproportionate share"),
        ("exact", "collective action"),
        ("archive", "The archive was reopened in 1998"),
    ] {
        let mark = format!(
            "<mark class=\"passage\" data-note=\"{id}\" aria-details=\"{id}\" id=\"mark-{id}\">{words}</mark>"
        );
        assert!(page.contains(&mark), "{mark} not in:\n{page}");
    }
}

/// `scholia check` (issue 13) on a site with warnings: what a build says, nothing
/// written, exit status 0; `--strict` makes the warnings fail it.
#[test]
fn check_reports_like_build_and_writes_nothing() {
    let site = copy_site(&fixture("sites/edited"));
    let run = scholia(site.path(), &["check", "."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let names: Vec<String> = std::fs::read_dir(site.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["content"], "check wrote something");
    insta::assert_snapshot!("check_human", normalize(&run.stderr, site.path()));
    let strict = scholia(site.path(), &["check", ".", "--strict"]);
    assert_eq!(strict.status, 1, "{}", strict.stderr);
    let clean = copy_site(&fixture("sites/basic"));
    let strict = scholia(clean.path(), &["check", ".", "--strict"]);
    assert_eq!(strict.status, 0, "{}", strict.stderr);
}

/// The same diagnostics as `build`, for a broken site: exit status 1; a missing site:
/// exit status 2.
#[test]
fn check_fails_where_build_fails() {
    for case in ["quote-not-found", "many-mistakes", "yaml-syntax"] {
        let site = copy_site(&fixture(&format!("invalid/{case}")));
        let build = scholia(site.path(), &["build", "."]);
        let check = scholia(site.path(), &["check", "."]);
        assert_eq!(check.status, 1, "{case}: {}", check.stderr);
        let diagnostics = |stderr: &str| {
            stderr
                .lines()
                .filter(|l| !l.contains("build failed") && !l.contains("check failed"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            diagnostics(&check.stderr),
            diagnostics(&build.stderr),
            "{case}"
        );
    }
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(empty.path(), &["check", "."]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    let run = scholia(empty.path(), &["check", ".", "--format", "xml"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
}

/// `--format json`: one object per line on standard output, with the documented fields
/// (docs/check.md), and the fix `--fix` would make.
#[test]
fn check_json_has_one_object_per_diagnostic() {
    let site = copy_site(&fixture("sites/edited"));
    let run = scholia(site.path(), &["check", ".", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let objects: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(objects.len(), 6, "{}", run.stdout);
    let keys = [
        "severity", "code", "file", "line", "column", "end", "message", "label", "help", "notes",
        "fix",
    ];
    for o in &objects {
        let fields: Vec<&str> = o
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut expected = keys.to_vec();
        expected.sort_unstable();
        assert_eq!(fields, expected, "{o}");
        assert_eq!(o["severity"], "warning");
        assert_eq!(o["file"], "content/unit/henke.yaml");
    }
    let moved = &objects[0];
    assert_eq!(moved["code"], "quote-fuzzy");
    assert_eq!(
        (moved["line"].as_u64(), moved["column"].as_u64()),
        (Some(6), Some(12))
    );
    assert_eq!(moved["end"]["column"], 64);
    assert_eq!(
        moved["fix"][0]["replacement"],
        "\"Henke turns to the patient diplomacy of coalition building\""
    );
    assert_eq!(objects[4]["code"], "quote-not-unique");
    assert_eq!(objects[4]["fix"], serde_json::Value::Null);
    insta::assert_snapshot!("check_json", run.stdout);
}

/// `--fix` rewrites the quote, prefix and suffix of each note anchored fuzzily and not
/// one other byte (comments, order, quoting style, indentation), lists what it could not
/// fix, and the site then checks clean of those warnings.
#[test]
fn check_fix_rewrites_only_the_selectors() {
    let site = copy_site(&fixture("sites/edited"));
    let sidecar = site.path().join("content/unit/henke.yaml");
    // A note whose quote is a block scalar: anchored, but not fixable in place.
    let mut before = read(&sidecar);
    before.push_str(
        "\n  - id: block\n    quote: >-\n      Burden sharing is unequal\n    note: Folded.\n",
    );
    std::fs::write(&sidecar, &before).unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["check", ".", "--fix"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("fixed 5 notes in content/unit/henke.yaml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("could not fix content/unit/henke.yaml:35:5"),
        "{}",
        run.stderr
    );
    let after = read(&sidecar);
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    assert_eq!(old.len(), new.len(), "{after}");
    let fixed = [
        (
            6,
            "    quote: \"Henke turns to the patient diplomacy of coalition building\"\n",
        ),
        (
            10,
            "    quote: 'one or two states have an intense interest'\n",
        ),
        (
            15,
            "    quote: \"the two are often confused\"   # the comment stays\n",
        ),
        (22, "    suffix: \"of the joint costs.\"\n"),
        (31, "    quote: \"The archive was reopened in 1998\"\n"),
    ];
    for (i, (was, now)) in old.iter().zip(&new).enumerate() {
        match fixed.iter().find(|(line, _)| *line == i + 1) {
            Some((_, expected)) => assert_eq!(now, expected, "line {}", i + 1),
            None => assert_eq!(was.as_bytes(), now.as_bytes(), "line {} changed", i + 1),
        }
    }
    let again = scholia(site.path(), &["check", "."]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("0 errors, 1 warning"),
        "only the block scalar's warning is left:\n{}",
        again.stderr
    );
    assert!(again.stderr.contains("note `block`"), "{}", again.stderr);
}
