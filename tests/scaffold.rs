//! `scholia init`, `scholia new` and `scholia schema`, and the terminal manners of every
//! command: colours only on a terminal and never with `NO_COLOR`, `-q`, the summary line.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{build_ok, copy_site, fixture, read, repo, scholia, Run};

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

/// `scholia init` into a new folder, asserting success; the site's folder.
fn init_site(parent: &Path) -> PathBuf {
    let run = scholia(parent, &["init", "reader"]);
    assert_eq!(run.status, 0, "init failed:\n{}", run.stderr);
    parent.join("reader")
}

#[test]
fn init_makes_a_site_that_builds_at_once_with_every_feature() {
    let dir = tempdir();
    let site = init_site(dir.path());
    for file in [
        "content/_site.yaml",
        "content/_glossary.yaml",
        "content/texts/welcome.md",
        "content/texts/welcome.yaml",
        ".gitignore",
        "netlify.toml",
        ".github/workflows/pages.yml",
        "schema/sidecar.json",
    ] {
        assert!(site.join(file).is_file(), "init did not write {file}");
    }
    let run = scholia(&site, &["build"]);
    assert_eq!(
        run.status, 0,
        "the new site does not build:\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("warning"),
        "the new site builds with warnings:\n{}",
        run.stderr
    );
    let page = read(&site.join("public/texts/welcome/index.html"));
    for id in ["scribes", "the-passage-travelled", "beside-the-words"] {
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "no note {id} in the page"
        );
    }
    assert!(!page.contains("teaching-tip"), "an instructor note leaked");
    assert!(
        !page.contains("commonplace book loses"),
        "an instructor question leaked"
    );
    assert!(read(&site.join("public/glossary/index.html")).contains("commonplace book"));
    assert!(site.join("public/schema/sidecar.json").is_file());
    // The instructor's build has the instructor's note.
    let instructor = build_ok(&site, &["--instructor"]);
    let page = read(&instructor.join("texts/welcome/index.html"));
    assert!(page.contains("id=\"teaching-tip\""));
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_and_writes_nothing() {
    let dir = tempdir();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(dir.path(), &["init"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, ["notes.txt"]);
    assert_eq!(read(&dir.path().join("notes.txt")), "mine");
}

#[test]
fn usage_mistakes_exit_2_and_write_nothing() {
    let dir = tempdir();
    std::fs::write(dir.path().join("a-file"), "x").unwrap_or_else(|e| panic!("{e}"));
    for args in [
        &["init", "a-file"][..],
        &["schema", "--out", "a-file"],
        &["schema", "sidecar", "--out", "elsewhere"],
    ] {
        let run = scholia(dir.path(), args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
    }
    let site = init_site(dir.path());
    let run = scholia(&site, &["new", "intro", "--title", "two\nlines"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(!site.join("content/intro.md").exists());
    assert_eq!(read(&dir.path().join("a-file")), "x");
    assert!(!dir.path().join("elsewhere").exists());
}

#[test]
fn init_fills_an_empty_folder() {
    let dir = tempdir();
    let run = scholia(dir.path(), &["init", "."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(dir.path().join("content/_site.yaml").is_file());
}

#[test]
fn new_adds_a_text_that_builds() {
    let dir = tempdir();
    let site = init_site(dir.path());
    let run = scholia(
        &site,
        &[
            "new",
            "unit-2/the-prince.md",
            "--title",
            "The Prince: chapter 1",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let sidecar = read(&site.join("content/unit-2/the-prince.yaml"));
    assert!(
        sidecar.starts_with("# yaml-language-server: $schema=../../schema/sidecar.json\n"),
        "{sidecar}"
    );
    let public = build_ok(&site, &[]);
    let page = read(&public.join("unit-2/the-prince/index.html"));
    assert!(
        page.contains("The Prince: chapter 1"),
        "the title is not on the page"
    );
    // The same slug again is refused, and the text is left as it was.
    let text = read(&site.join("content/unit-2/the-prince.md"));
    let again = scholia(&site, &["new", "unit-2/the-prince"]);
    assert_eq!(again.status, 2, "{}", again.stderr);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(read(&site.join("content/unit-2/the-prince.md")), text);
}

#[test]
fn new_refuses_a_slug_the_build_would_refuse() {
    let dir = tempdir();
    let site = init_site(dir.path());
    for (slug, why) in [
        ("Chapter One", "try `chapter-one`"),
        ("index", "`index` is reserved"),
        ("search", "scholia writes"),
        ("tags/intro", "scholia writes"),
        ("a//b", "cannot be a text's address"),
        ("../outside", "cannot be a text's address"),
    ] {
        let run = scholia(&site, &["new", slug]);
        assert_eq!(run.status, 2, "{slug}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{slug}: {}", run.stderr);
    }
    assert!(!dir.path().join("outside.md").exists());
    let outside = scholia(dir.path(), &["new", "intro"]);
    assert_eq!(outside.status, 2, "{}", outside.stderr);
    assert!(
        outside.stderr.contains("no `content/` folder"),
        "{}",
        outside.stderr
    );
}

// --- Schemas ------------------------------------------------------------------------------

/// The schemas as `scholia schema KIND` prints them, compiled by the `jsonschema` crate
/// (which refuses a document that is not a valid JSON Schema).
fn validators() -> Vec<(&'static str, jsonschema::Validator)> {
    ["sidecar", "site", "section", "glossary"]
        .into_iter()
        .map(|kind| {
            let run = scholia(&repo(), &["schema", kind]);
            assert_eq!(run.status, 0, "{}", run.stderr);
            let schema: Value =
                serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{kind}"
            );
            jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{kind}: {e}"));
            let v = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{kind}: {e}"));
            (kind, v)
        })
        .collect()
}

/// Which schema a YAML file under `content/` answers to, if any.
fn kind_of(content: &Path, path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    match name {
        "_site.yaml" if path.parent() == Some(content) => Some("site"),
        "_glossary.yaml" if path.parent() == Some(content) => Some("glossary"),
        "_section.yaml" => Some("section"),
        _ if name.starts_with(['_', '.']) => None,
        _ if name.ends_with(".yaml") || name.ends_with(".yml") => {
            path.with_extension("md").is_file().then_some("sidecar")
        }
        _ => None,
    }
}

/// Every YAML file of a site's `content/` (that parses as YAML) with its schema's errors.
fn schema_errors(site: &Path, validators: &[(&str, jsonschema::Validator)]) -> Vec<String> {
    let content = site.join("content");
    let mut errors = Vec::new();
    for entry in walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let Some(kind) = kind_of(&content, path) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let Ok(value) = yaml_serde::from_str::<Value>(&text) else {
            continue;
        };
        let (_, v) = validators
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap_or_else(|| panic!("no schema {kind}"));
        for e in v.iter_errors(&value) {
            errors.push(format!("{}: {e}", path.display()));
        }
    }
    errors
}

/// Cases of `tests/invalid/` whose mistake is one of shape (an unknown key, a wrong type
/// or value): the schemas must refuse them as the build does. Every other case's YAML
/// fits the schemas, whose rules are those of shape only.
const SCHEMA_CASES: &[&str] = &[
    "handout-bad-paper",
    "handout-unknown-key",
    "unknown-key-annotation",
    "unknown-key-site",
    "unknown-kind",
    "wrong-type-annotation",
    "wrong-type-glossary-term",
    "wrong-type-para",
    "wrong-type-tags",
];

/// Cases whose YAML is not read as a document: an alias bomb (`yaml_serde` would expand
/// it; the build refuses it first) and YAML that does not parse.
const NOT_YAML: &[&str] = &["yaml-alias-bomb", "yaml-syntax"];

#[test]
fn every_bundled_and_fixture_file_fits_its_schema() {
    let validators = validators();
    let mut sites = vec![repo(), repo().join("src/scaffold/site")];
    for entry in std::fs::read_dir(fixture("sites")).unwrap_or_else(|e| panic!("{e}")) {
        sites.push(entry.unwrap_or_else(|e| panic!("{e}")).path());
    }
    let mut checked = 0;
    for site in &sites {
        let errors = schema_errors(site, &validators);
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            site.display(),
            errors.join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} sites checked");
}

#[test]
fn the_schemas_refuse_each_invalid_site_whose_mistake_is_of_shape() {
    let validators = validators();
    let mut seen = 0;
    for entry in std::fs::read_dir(fixture("invalid")).unwrap_or_else(|e| panic!("{e}")) {
        let case = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if NOT_YAML.contains(&name.as_str()) {
            continue;
        }
        let errors = schema_errors(&case, &validators);
        if SCHEMA_CASES.contains(&name.as_str()) {
            seen += 1;
            assert!(!errors.is_empty(), "{name}: the schemas accept it");
        } else {
            assert!(
                errors.is_empty(),
                "{name}: the schemas refuse it; if its mistake is one of shape, add it to \
                 SCHEMA_CASES:\n{}",
                errors.join("\n")
            );
        }
    }
    assert_eq!(seen, SCHEMA_CASES.len(), "a case of SCHEMA_CASES is gone");
}

#[test]
fn schema_out_writes_every_schema_and_the_build_publishes_them() {
    let dir = tempdir();
    let run = scholia(dir.path(), &["schema", "--out", "schemas"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    for name in ["sidecar.json", "site.json", "section.json", "glossary.json"] {
        let written = read(&dir.path().join("schemas").join(name));
        assert_eq!(read(&public.join("schema").join(name)), written, "{name}");
        let kind = name.trim_end_matches(".json");
        assert_eq!(
            scholia(dir.path(), &["schema", kind]).stdout,
            written,
            "{name}"
        );
    }
    let run = scholia(dir.path(), &["schema"]);
    assert_eq!(
        run.status, 2,
        "schema without a kind or --out: {}",
        run.stderr
    );
}

// --- Terminal manners ---------------------------------------------------------------------

/// Runs `scholia args` in `dir` under a pseudo-terminal (`script`, from util-linux, in
/// every Debian), with `NO_COLOR` set or not; its output as the terminal showed it.
fn on_terminal(dir: &Path, args: &[&str], no_color: bool) -> String {
    let command = std::iter::once(env!("CARGO_BIN_EXE_scholia"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    if no_color {
        script.env("NO_COLOR", "1");
    }
    let out = script
        .output()
        .unwrap_or_else(|e| panic!("cannot run script: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const ESC: char = '\u{1b}';

#[test]
fn colours_only_on_a_terminal_and_never_with_no_color() {
    let site = copy_site(&fixture("invalid/quote-not-found"));
    let coloured = on_terminal(site.path(), &["build"], false);
    assert!(
        coloured.contains("quote"),
        "no diagnostic on the terminal:\n{coloured}"
    );
    assert!(
        coloured.contains(ESC),
        "no colour on a terminal:\n{coloured}"
    );
    let plain = on_terminal(site.path(), &["build"], true);
    assert!(plain.contains("quote"), "{plain}");
    assert!(!plain.contains(ESC), "colour despite NO_COLOR:\n{plain}");
    // Into a pipe, without NO_COLOR.
    let out = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .arg("build")
        .current_dir(site.path())
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let piped = String::from_utf8_lossy(&out.stderr);
    assert!(piped.contains("quote") && !piped.contains(ESC), "{piped}");
}

#[test]
fn quiet_prints_nothing_on_success_and_a_build_ends_with_one_summary_line() {
    let site = copy_site(&fixture("sites/basic"));
    let loud: Run = scholia(site.path(), &["build"]);
    assert_eq!(loud.status, 0, "{}", loud.stderr);
    let last = loud.stderr.lines().last().unwrap_or_default();
    for part in ["built ", " text", " note", " page", " in "] {
        assert!(last.contains(part), "summary line without `{part}`: {last}");
    }
    for args in [
        &["build", "-q"][..],
        &["-q", "build"],
        &["build", "--quiet"],
    ] {
        let quiet = scholia(site.path(), args);
        assert_eq!(quiet.status, 0, "{}", quiet.stderr);
        assert_eq!(
            (quiet.stdout.as_str(), quiet.stderr.as_str()),
            ("", ""),
            "{args:?}"
        );
    }
    // Nor on a terminal (where a quick build shows no spinner either).
    let shown = on_terminal(site.path(), &["build", "-q"], true);
    assert_eq!(shown, "");
    let verbose = scholia(site.path(), &["build", "-v"]);
    assert!(verbose.stderr.contains("load:"), "{}", verbose.stderr);
}

#[test]
fn help_lists_every_command() {
    let run = scholia(&repo(), &["--help"]);
    for command in ["build", "serve", "check", "init", "new", "schema"] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(command)),
            "--help does not list {command}:\n{}",
            run.stdout
        );
    }
}
