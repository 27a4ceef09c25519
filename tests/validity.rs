//! Valid HTML and CSS: the W3C Nu HTML Checker (`vnu.jar`, from the npm package `vnu-jar`
//! pinned in `tests/tools/package.json`) over every page of the bundled site and of every
//! fixture site under `tests/sites/`, each built twice (the public edition, and the instructor
//! edition with drafts), in one run of the checker for the HTML and one for the stylesheets.
//!
//! The checker needs Java 17+ and `npm ci` in `tests/tools` (`cargo xtask test` installs
//! both). Without them plain `cargo test` skips this test with a notice, and
//! `cargo xtask test` (or CI) fails it: see `support::missing`.
//!
//! A deliberately broken page and stylesheet ride along in each run, so a checker that
//! silently checks nothing (or whose output format changed) fails the test too.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{self, build_bundled, build_ok, copy_site, fixture, Tool};

/// One site to check: a label for messages and the folder it was built into.
struct Built {
    label: String,
    root: PathBuf,
}

/// One message from the checker.
struct Message {
    kind: String,
    file: String,
    line: u64,
    column: u64,
    text: String,
    extract: String,
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.kind, self.text
        )?;
        if !self.extract.is_empty() {
            write!(f, "\n    {}", self.extract.replace('\n', "⏎"))?;
        }
        Ok(())
    }
}

/// Runs `vnu.jar` with `args`. Status 0 means no errors, 1 means errors (listed as JSON on
/// stderr); anything else is a failure to run.
fn vnu(jar: &Path, args: &[&str], files: &[PathBuf]) -> Output {
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(args)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `java` ({e}): the Nu HTML Checker needs Java 17 or later \
                 (Debian: `apt-get install default-jre-headless`)"
            )
        });
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "the Nu HTML Checker failed to run ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The checker's messages, with file names relative to the site they belong to.
fn messages(out: &Output, sites: &[Built]) -> Vec<Message> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The JSON report is the last line (Java may print warnings of its own before it).
    let json = stderr
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON report from the Nu HTML Checker:\n{stderr}"));
    let report: Value = serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("unreadable report from the Nu HTML Checker ({e}):\n{json}"));
    let list = report["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no message list in the checker's report:\n{json}"));
    list.iter()
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("(no file)");
            let path = url.strip_prefix("file:").unwrap_or(url);
            let file = sites
                .iter()
                .find_map(|s| {
                    let rel = Path::new(path).strip_prefix(&s.root).ok()?;
                    Some(format!("{}/{}", s.label, rel.display()))
                })
                .unwrap_or_else(|| path.to_string());
            Message {
                kind: m["type"].as_str().unwrap_or("?").to_string(),
                file,
                line: m["lastLine"].as_u64().unwrap_or(0),
                column: m["firstColumn"].as_u64().unwrap_or(0),
                text: m["message"].as_str().unwrap_or("").to_string(),
                extract: m["extract"].as_str().unwrap_or("").to_string(),
            }
        })
        .collect()
}

fn files_with_extension(root: &Path, ext: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")))
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == ext))
        .map(walkdir::DirEntry::into_path)
        .collect()
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Splits the checker's messages into those about the canary files (which must be there) and
/// the rest (which must not).
fn check(what: &str, out: &Output, sites: &[Built], canary: &str) -> Vec<String> {
    let all = messages(out, sites);
    let (canary_hits, real): (Vec<_>, Vec<_>) = all.iter().partition(|m| m.file == canary);
    assert!(
        !canary_hits.is_empty(),
        "the Nu HTML Checker found nothing wrong in {canary}, which is broken on purpose: \
         it is not checking the {what} (status {}, stderr:\n{})",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    real.iter().map(|m| m.to_string()).collect()
}

#[test]
fn every_page_and_stylesheet_passes_the_nu_html_checker() {
    if support::missing(&[Tool::Java, Tool::Vnu]) {
        return;
    }
    let jar = support::tool(Tool::Vnu);

    // Build everything first: the bundled site and every fixture site, in both editions.
    let mut keep = Vec::new(); // temporary folders, removed at the end
    let mut sites = Vec::new();
    for (edition, extra) in [
        ("", &[][..]),
        (" (instructor)", &["--instructor", "--drafts"][..]),
    ] {
        let (dir, out) = build_bundled(extra);
        sites.push(Built {
            label: format!("bundled{edition}"),
            root: canonical(&out),
        });
        keep.push(dir);
    }
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(fixture("sites"))
        .unwrap_or_else(|e| panic!("tests/sites: {e}"))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .filter(|p| p.is_dir())
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "no fixture sites under tests/sites");
    for from in &fixtures {
        let name = from.file_name().unwrap_or_default().to_string_lossy();
        let site = copy_site(from);
        let public = build_ok(site.path(), &[]);
        sites.push(Built {
            label: format!("tests/sites/{name}"),
            root: canonical(&public),
        });
        let out = build_ok(site.path(), &["--instructor", "--drafts"]);
        sites.push(Built {
            label: format!("tests/sites/{name} (instructor)"),
            root: canonical(&out),
        });
        keep.push(site);
    }
    // The handouts `scholia handout` writes on their own: texts and a pack of them.
    let handout_site = copy_site(&fixture("sites/handouts"));
    for (edition, extra) in [("", &[][..]), (" (instructor)", &["--instructor"][..])] {
        let out = handout_site.path().join(format!("handouts{}", extra.len()));
        let out_s = out.to_string_lossy().into_owned();
        let args = [&["handout", ".", "-o", out_s.as_str()][..], extra].concat();
        let run = support::scholia(handout_site.path(), &args);
        assert_eq!(run.status, 0, "{}", run.stderr);
        sites.push(Built {
            label: format!("handouts of tests/sites/handouts{edition}"),
            root: canonical(&out),
        });
    }
    keep.push(handout_site);
    let pages: usize = sites
        .iter()
        .map(|s| files_with_extension(&s.root, "html").len())
        .sum();
    let sheets: Vec<PathBuf> = sites
        .iter()
        .flat_map(|s| files_with_extension(&s.root, "css"))
        .collect();
    assert!(pages > 0, "no pages were built");
    assert!(!sheets.is_empty(), "no stylesheets were built");

    // The canaries: one invalid page and one invalid stylesheet.
    let canary = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let canary_root = canonical(canary.path());
    std::fs::write(
        canary_root.join("broken.html"),
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>x</title></head>\n\
         <body><p><div>block in a paragraph</p></body>\n</html>\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(canary_root.join("broken.css"), "p { colr: red; }\n")
        .unwrap_or_else(|e| panic!("{e}"));
    sites.push(Built {
        label: "canary".into(),
        root: canary_root.clone(),
    });

    // The HTML, in one run over all the folders; the CSS, in another run at the same time.
    // (Separate runs, because with --also-check-css the checker reports HTML line numbers one
    // too low, and with --skip-non-css CSS line numbers one too high; --css on the files
    // themselves is exact.)
    let html_args = ["--errors-only", "--skip-non-html", "--format", "json"];
    let css_args = ["--errors-only", "--css", "--format", "json"];
    let mut html_dirs: Vec<PathBuf> = sites.iter().map(|s| s.root.clone()).collect();
    html_dirs.sort();
    let mut css_files = sheets.clone();
    css_files.push(canary_root.join("broken.css"));
    let (html, css) = std::thread::scope(|s| {
        let html = s.spawn(|| vnu(&jar, &html_args, &html_dirs));
        let css = vnu(&jar, &css_args, &css_files);
        (
            html.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            css,
        )
    });

    let mut problems = check("HTML", &html, &sites, "canary/broken.html");
    problems.extend(check("CSS", &css, &sites, "canary/broken.css"));
    eprintln!(
        "Nu HTML Checker: {pages} pages and {} stylesheets from {} builds",
        sheets.len(),
        sites.len() - 1
    );
    assert!(
        problems.is_empty(),
        "the Nu HTML Checker reports {} error(s):\n\n{}\n",
        problems.len(),
        problems.join("\n\n")
    );
}
