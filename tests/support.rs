//! Helpers shared by the integration tests: running the real `scholia` binary on
//! fixture sites copied into temporary folders.

#![allow(dead_code)] // each test module uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the bundled site lives here).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(path: &str) -> PathBuf {
    repo().join("tests").join(path)
}

/// The result of one `scholia` run.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `scholia` with `args` in `dir`, without colours.
pub fn scholia(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run scholia: {e}"));
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Copies a folder (a fixture site) into a fresh temporary folder and returns it.
pub fn copy_site(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_dir(from, dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let rel = entry
            .path()
            .strip_prefix(from)
            .unwrap_or_else(|e| panic!("{e}"));
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{e}"));
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// Builds the site at `site` (a folder with `content/`) into its default output folder
/// (`site/public`, or `site/public-instructor` with `--instructor`), asserting success.
pub fn build_ok(site: &Path, extra: &[&str]) -> PathBuf {
    assert!(
        !extra.iter().any(|a| *a == "-o" || *a == "--output"),
        "build_ok builds into the default output folder"
    );
    let mut args = vec!["build", "."];
    args.extend_from_slice(extra);
    let run = scholia(site, &args);
    assert_eq!(run.status, 0, "build failed:\n{}", run.stderr);
    site.join(if extra.contains(&"--instructor") {
        "public-instructor"
    } else {
        "public"
    })
}

/// Builds the repository's own bundled site into a temporary output folder.
pub fn build_bundled(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("public");
    let out_s = out.to_string_lossy().into_owned();
    let mut args = vec!["build", ".", "-o", &out_s];
    args.extend_from_slice(extra);
    let run = scholia(&repo(), &args);
    assert_eq!(
        run.status, 0,
        "bundled site failed to build:\n{}",
        run.stderr
    );
    (dir, out)
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
