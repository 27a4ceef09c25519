//! Item 14 (a–e): input hygiene in the loader. A named pipe as a sidecar or glossary hung
//! the build; a NUL byte in a text went into the HTML; a tag over 255 bytes failed with
//! a raw OS error; rename hints suggested `texts/-n-code.md` for `ünïcode.md` and
//! `assets.md` for `assets.md`; type errors named internal types ("expected struct
//! RawAnnotation").

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{copy_site, fixture, read, scholia, Run};

fn site() -> tempfile::TempDir {
    copy_site(&fixture("sites/basic"))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn build(site: &Path) -> Run {
    scholia(site, &["build", "."])
}

fn assert_error(run: &Run, needles: &[&str]) {
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "expected {needle:?} in:\n{}",
            run.stderr
        );
    }
}

/// Runs a build that used to hang; kills it (and fails) if it is not done in a minute.
/// Not a timing assertion: a correct build takes well under a second.
#[cfg(unix)]
fn build_or_hang(site: &Path) -> Run {
    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = |name: &str| {
        std::fs::File::create(logs.path().join(name)).unwrap_or_else(|e| panic!("{e}"))
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["build", "."])
        .current_dir(site)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(file("stdout"))
        .stderr(file("stderr"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run scholia: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the build hung on a named pipe");
            }
        }
    };
    Run {
        status: status.code().unwrap_or(-1),
        stdout: read(&logs.path().join("stdout")),
        stderr: read(&logs.path().join("stderr")),
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    if path.exists() {
        std::fs::remove_file(path).unwrap_or_else(|e| panic!("{e}"));
    }
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("cannot run mkfifo: {e}"));
    assert!(ok.success(), "mkfifo {}", path.display());
}

/// 14a.
#[cfg(unix)]
#[test]
fn a_named_pipe_as_sidecar_or_glossary_is_an_error_not_a_hang() {
    for file in [
        "content/unit-1/first.yaml",
        "content/_glossary.yaml",
        "content/_site.yaml",
    ] {
        let site = site();
        mkfifo(&site.path().join(file));
        let run = build_or_hang(site.path());
        assert_error(
            &run,
            &[
                &format!("error: `{file}` is not a regular file"),
                &format!("--> {file}:1:1"),
            ],
        );
    }
}

/// 14b: NUL is an error at its place (docs/format.md says so), shown as U+FFFD.
#[test]
fn a_nul_byte_in_a_text_is_an_error_at_its_place() {
    let site = site();
    write(
        &site.path().join("content/nul.md"),
        "---\ntitle: Nul\n---\n\nA text with a \0 in it.\n",
    );
    let run = build(site.path());
    assert_error(
        &run,
        &[
            "error: `content/nul.md` contains a NUL byte",
            "--> content/nul.md:5:15",
            "\u{FFFD}",
        ],
    );
    assert!(!run.stderr.contains('\0'), "{:?}", run.stderr);
    assert!(!site.path().join("public").exists());
}

/// 14c.
#[test]
fn a_tag_too_long_for_a_file_name_is_an_error_at_the_tag() {
    let site = site();
    let long = "a".repeat(300);
    let sidecar = format!("annotations:\n  - quote: \"one or two of them care intensely\"\n    tags: [short, {long}]\n    note: x\n");
    write(&site.path().join("content/unit-1/first.yaml"), &sidecar);
    let run = build(site.path());
    assert_error(
        &run,
        &[
            "is too long",
            "--> content/unit-1/first.yaml:3:19",
            "help: a tag is a word",
        ],
    );
    assert!(!run.stderr.contains("os error"), "{}", run.stderr);
    assert!(run.stderr.len() < 2000, "{}", run.stderr);
}

/// 14c: a tag with a control character cannot name a folder either.
#[test]
fn a_tag_with_a_control_character_is_an_error() {
    let site = site();
    let sidecar = "annotations:\n  - quote: \"one or two of them care intensely\"\n    tags: [\"bell\\a\"]\n    note: x\n";
    write(&site.path().join("content/unit-1/first.yaml"), sidecar);
    let run = build(site.path());
    assert_error(
        &run,
        &[
            "the tag `bell` contains a control character",
            "content/unit-1/first.yaml:3:",
        ],
    );
}

/// 14d.
#[test]
fn rename_hints_transliterate_and_never_repeat_the_name() {
    for (file, hint) in [
        (
            "content/unit-1/ünïcode.md",
            "rename the file to `unit-1/unicode.md`",
        ),
        ("content/assets.md", "rename the file to `text-assets.md`"),
        ("content/index.md", "rename the file to `text-index.md`"),
    ] {
        let site = site();
        write(&site.path().join(file), "---\ntitle: T\n---\n\nText.\n");
        let run = build(site.path());
        assert_error(&run, &[hint]);
        let bad = file.trim_start_matches("content/");
        assert!(
            !run.stderr.contains(&format!("`{bad}`")),
            "suggested the same name:\n{}",
            run.stderr
        );
    }
}

/// 14e: what the author wrote and what was expected, in their words.
#[test]
fn type_errors_speak_the_authors_language() {
    for (file, text, expected) in [
        (
            "content/unit-1/first.yaml",
            "annotations:\n  - just a sentence\n",
            "wrong type for `annotations`: expected a note (a mapping with `quote` or `para`, and `note`), found the text \"just a sentence\"",
        ),
        (
            "content/unit-1/first.yaml",
            "- a list\n",
            "wrong shape: expected a sidecar: a mapping with `annotations:` (a list of notes) and `questions:`, found a list",
        ),
        (
            "content/_glossary.yaml",
            "terms:\n  - realism\n",
            "expected a glossary term (a mapping with `id`, `term` and `definition`), found the text \"realism\"",
        ),
        (
            "content/unit-1/first.yaml",
            "annotations:\n  - quote: \"one or two\"\n    tags: {a: b}\n    note: x\n",
            "wrong type for `tags`: expected a list (`- item` lines, or `[a, b]`), found a mapping (`key: value` lines)",
        ),
        (
            "content/unit-1/first.yaml",
            "annotations:\n  - quote: \"one or two\"\n    title: [a, b]\n    note: x\n",
            "wrong type for `title`: expected text, found a list",
        ),
    ] {
        let site = site();
        write(&site.path().join(file), text);
        let run = build(site.path());
        assert_error(&run, &[expected]);
        for internal in ["Raw", "struct ", "unit value", "invalid type"] {
            assert!(!run.stderr.contains(internal), "{internal:?} in:\n{}", run.stderr);
        }
    }
}
