//! `scholia init` and `scholia new`: a site, and a text in it, that build at once.
//!
//! The new site is the folder `site/` beside this file, compiled in (`include_dir`), so
//! its files are real files one can read, and the tests build them. The schemas its
//! YAML files point at (`schema/*.json`, by a `yaml-language-server` line) are written
//! from [`crate::schema`], so they are those of the scholia that wrote them.
//!
//! Both commands only ever create files, never replace one (`create_new`), and a
//! command that fails half-way removes what it created, so it leaves nothing behind.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use include_dir::{include_dir, Dir};

use crate::schema::{self, Kind};

static SKELETON: Dir = include_dir!("$CARGO_MANIFEST_DIR/src/scaffold/site");

/// Where a schema goes in a new site: `schema/` beside `content/`, which the YAML files'
/// `$schema` lines point at relative to themselves.
const SCHEMA_DIR: &str = "schema";

/// Why `init` or `new` did nothing.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// What was asked cannot be done as asked (exit status 2).
    Usage(String),
    /// The file system failed us; what was created was removed (exit status 1).
    Io(anyhow::Error),
}

impl From<anyhow::Error> for Refusal {
    fn from(e: anyhow::Error) -> Self {
        Refusal::Io(e)
    }
}

/// The files of a new site: the skeleton's, then the schemas. Paths are relative and
/// `/`-separated.
pub(crate) fn site_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    collect(&SKELETON, &mut files);
    for kind in Kind::ALL {
        let path = format!("{SCHEMA_DIR}/{}", kind.file_name());
        files.push((path, schema::to_json(kind).into_bytes()));
    }
    files
}

fn collect(dir: &Dir, files: &mut Vec<(String, Vec<u8>)>) {
    for f in dir.files() {
        let path = f.path().to_string_lossy().replace('\\', "/");
        files.push((path, f.contents().to_vec()));
    }
    for d in dir.dirs() {
        collect(d, files);
    }
}

/// Creates a new site in `dir`, which must be missing or an empty folder. Returns the
/// files written, relative to `dir`.
pub(crate) fn init(dir: &Path) -> Result<Vec<String>, Refusal> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Refusal::Usage(format!(
                    "`{}` is not empty: `scholia init` creates a site only in a new or empty folder, so it never overwrites anything",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if dir.exists() && !dir.is_dir() => {
            return Err(Refusal::Usage(format!(
                "`{}` is not a folder ({e})",
                dir.display()
            )))
        }
        Err(e) => {
            return Err(Refusal::Io(anyhow::anyhow!(
                "cannot read `{}`: {e}",
                dir.display()
            )))
        }
    }
    let files = site_files();
    let mut created = Created::new();
    created.dir_all(dir)?;
    for (path, bytes) in &files {
        created.file(&dir.join(path), bytes)?;
    }
    created.keep();
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Writes every schema into `dir` (created if missing), replacing the schema files only:
/// all are written beside their place first, then renamed into it.
pub(crate) fn write_schemas(dir: &Path) -> Result<(), Refusal> {
    if dir.exists() && !dir.is_dir() {
        return Err(Refusal::Usage(format!(
            "`{}` is not a folder",
            dir.display()
        )));
    }
    let mut created = Created::new();
    created.dir_all(dir)?;
    let mut temps = Vec::new();
    for kind in Kind::ALL {
        let temp = dir.join(format!(".{}.tmp-{}", kind.file_name(), std::process::id()));
        created.file(&temp, schema::to_json(kind).as_bytes())?;
        temps.push((temp, dir.join(kind.file_name())));
    }
    for (temp, path) in &temps {
        std::fs::rename(temp, path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    created.keep();
    Ok(())
}

/// Adds a text `content/SLUG.md` and its sidecar to the site in `site_dir`. Returns the
/// two paths written.
pub(crate) fn new_text(
    site_dir: &Path,
    slug: &str,
    title: Option<&str>,
) -> Result<[PathBuf; 2], Refusal> {
    // `scholia new intro.md` means the text `intro`.
    let slug = slug.strip_suffix(".md").unwrap_or(slug);
    if let Some(problem) = crate::load::slug_problem(slug) {
        return Err(Refusal::Usage(problem));
    }
    let content = site_dir.join("content");
    if !content.is_dir() {
        return Err(Refusal::Usage(format!(
            "`{}` has no `content/` folder: run `scholia new` in a site's folder (or `scholia init` to make one)",
            site_dir.display()
        )));
    }
    let title = match title {
        Some(t) if t.trim().is_empty() || t.chars().any(char::is_control) => {
            return Err(Refusal::Usage(
                "a title is one line of text, not empty".into(),
            ))
        }
        Some(t) => t.trim().to_string(),
        None => title_of(slug),
    };
    let text = content.join(format!("{slug}.md"));
    let sidecar = content.join(format!("{slug}.yaml"));
    for path in [&text, &sidecar, &content.join(format!("{slug}.yml"))] {
        if path.exists() {
            return Err(Refusal::Usage(format!(
                "`{}` already exists: choose another name for the new text",
                path.display()
            )));
        }
    }
    let depth = slug.split('/').count();
    let mut created = Created::new();
    if let Some(folder) = text.parent() {
        created.dir_all(folder)?;
    }
    created.file(&text, text_source(&title)?.as_bytes())?;
    created.file(&sidecar, sidecar_source(depth).as_bytes())?;
    created.keep();
    Ok([text, sidecar])
}

/// `unit-1/the_prince` → "The prince".
fn title_of(slug: &str) -> String {
    let name = slug
        .rsplit('/')
        .next()
        .unwrap_or(slug)
        .replace(['-', '_'], " ");
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled".into(),
    }
}

/// A text's Markdown: front matter written by the YAML serializer (a title with `:` or
/// quotes stays one string), and a paragraph to replace.
fn text_source(title: &str) -> Result<String> {
    #[derive(serde::Serialize)]
    struct FrontMatter<'a> {
        title: &'a str,
    }
    let yaml = yaml_serde::to_string(&FrontMatter { title }).context("cannot write the title")?;
    Ok(format!(
        "---\n{yaml}---\n\nReplace this paragraph with the text. Paragraphs are numbered in the margin, and\nnotes in the sidecar (the `.yaml` file of the same name) quote the passages they are about.\n"
    ))
}

/// A sidecar `depth` folders below `content/`'s parent, pointing at the site's schema.
fn sidecar_source(depth: usize) -> String {
    let up = "../".repeat(depth);
    format!(
        "# yaml-language-server: $schema={up}{SCHEMA_DIR}/sidecar.json\n{}",
        include_str!("new-sidecar.yaml")
    )
}

/// What a command created so far, removed again (newest first) unless [`Created::keep`]
/// is called: a failed command leaves nothing behind. Only what it created itself.
struct Created {
    paths: Vec<(PathBuf, bool)>,
    kept: bool,
}

impl Created {
    fn new() -> Self {
        Created {
            paths: Vec::new(),
            kept: false,
        }
    }

    /// Creates `dir` and the folders above it that are missing.
    fn dir_all(&mut self, dir: &Path) -> Result<()> {
        let mut missing = Vec::new();
        let mut at = Some(dir);
        while let Some(p) = at.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            missing.push(p.to_path_buf());
            at = p.parent();
        }
        for p in missing.into_iter().rev() {
            std::fs::create_dir(&p).with_context(|| format!("cannot create `{}`", p.display()))?;
            self.paths.push((p, true));
        }
        Ok(())
    }

    /// Creates the file `path` (never replacing one) with `bytes`, and its folders.
    fn file(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        if let Some(parent) = path.parent() {
            self.dir_all(parent)?;
        }
        let mut f: File = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        self.paths.push((path.to_path_buf(), false));
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("cannot write `{}`", path.display()))
    }

    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Created {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        for (path, is_dir) in self.paths.iter().rev() {
            let _ = if *is_dir {
                std::fs::remove_dir(path)
            } else {
                std::fs::remove_file(path)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_slugs_last_part() {
        assert_eq!(title_of("unit-1/the_prince"), "The prince");
        assert_eq!(title_of("état-civil"), "État civil");
    }

    #[test]
    fn a_title_is_serialized_not_pasted() {
        let md = text_source("Politics: \"a vocation\"\n---").unwrap_or_default();
        let yaml = md
            .strip_prefix("---\n")
            .and_then(|r| r.split("\n---\n").next())
            .unwrap_or_default();
        #[derive(serde::Deserialize)]
        struct T {
            title: String,
        }
        let t: T = yaml_serde::from_str(yaml).unwrap_or_else(|e| panic!("{e}: {md}"));
        assert_eq!(t.title, "Politics: \"a vocation\"\n---");
    }

    #[test]
    fn the_sidecar_points_at_the_schema_from_where_it_is() {
        assert!(sidecar_source(2)
            .starts_with("# yaml-language-server: $schema=../../schema/sidecar.json\n"));
    }

    #[test]
    fn a_failed_command_removes_what_it_created() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let site = dir.path().join("a/b");
        {
            let mut created = Created::new();
            created
                .file(&site.join("c/d.txt"), b"x")
                .unwrap_or_else(|e| panic!("{e}"));
            // The same file again: refused, never replaced.
            assert!(created.file(&site.join("c/d.txt"), b"y").is_err());
        }
        assert!(!dir.path().join("a").exists());
        assert!(dir.path().exists());
    }
}
