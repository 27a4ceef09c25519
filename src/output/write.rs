//! Writing the site without ever losing the previous one.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use super::OutputFile;

/// Written into every output folder; scholia replaces only folders that carry it, so a
/// mistyped `--output` can never wipe somebody's documents.
pub const MARKER: &str = ".scholia-output";

/// Refuses output folders whose replacement would destroy something that is not ours.
pub fn check_output_dir(site_dir: &Path, output: &Path) -> Result<PathBuf> {
    let site = absolute(site_dir)?;
    let out = absolute(output)?;
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if out.parent().is_none() {
        bail!(
            "refusing to write the site to `{}`: that is the root of the file system",
            out.display()
        );
    }
    if home.as_deref().map(absolute).transpose()?.as_deref() == Some(out.as_path()) {
        bail!(
            "refusing to write the site to `{}`: that is your home folder",
            out.display()
        );
    }
    if site.starts_with(&out) {
        bail!(
            "refusing to write the site to `{}`: it would replace the site folder itself",
            out.display()
        );
    }
    if out.starts_with(site.join("content")) {
        bail!("refusing to write the site into its own `content/` folder");
    }
    if out.is_file() {
        bail!("`{}` is a file, not a folder", out.display());
    }
    if out.is_dir() && !out.join(MARKER).exists() && !is_empty_dir(&out) {
        bail!(
            "refusing to replace `{}`: it exists and was not made by scholia (delete it yourself, or choose another --output)",
            out.display()
        );
    }
    Ok(out)
}

/// An absolute, `..`-free version of `path`, whether or not it exists yet.
fn absolute(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path)
        .with_context(|| format!("cannot resolve `{}`", path.display()))?;
    // Resolve symlinks in the longest existing prefix, so two names for one folder compare equal.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    Ok(normalize(&out))
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
}

/// Writes `files` to `out` (checked by [`check_output_dir`]) atomically.
pub fn write(files: &[OutputFile], out: &Path) -> Result<()> {
    let parent = out.parent().context("the output folder has no parent")?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create `{}`", parent.display()))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag = format!("{}-{}", std::process::id(), nanos());
    let staging = parent.join(format!(".{name}.new-{tag}"));
    if let Err(e) = write_all(files, &staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap(&staging, out, &parent.join(format!(".{name}.old-{tag}")))
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn write_all(files: &[OutputFile], dir: &Path) -> Result<()> {
    std::fs::create_dir(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "This folder is built by scholia and replaced on every build.\n",
    )?;
    for file in files {
        let path = dir.join(&file.path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)
                .with_context(|| format!("cannot create `{}`", p.display()))?;
        }
        std::fs::write(&path, &file.bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

/// Moves the new site into place; the old one is removed only once the new one is there.
fn swap(staging: &Path, out: &Path, old: &Path) -> Result<()> {
    if out.exists() {
        std::fs::rename(out, old)
            .with_context(|| format!("cannot move `{}` aside", out.display()))?;
    }
    if let Err(e) = std::fs::rename(staging, out) {
        if old.exists() {
            let _ = std::fs::rename(old, out);
        }
        let _ = std::fs::remove_dir_all(staging);
        return Err(e).with_context(|| format!("cannot move the new site to `{}`", out.display()));
    }
    if old.exists() {
        std::fs::remove_dir_all(old)
            .with_context(|| format!("cannot remove the old site at `{}`", old.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_output_folders() {
        let site = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let s = site.path();
        assert!(check_output_dir(s, s).is_err());
        assert!(check_output_dir(s, &s.join("..")).is_err());
        assert!(check_output_dir(s, Path::new("/")).is_err());
        assert!(check_output_dir(s, &s.join("content/public")).is_err());
        assert!(check_output_dir(s, &s.join("public")).is_ok());
        std::fs::create_dir(s.join("docs")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(s.join("docs/mine.txt"), "x").unwrap_or_else(|e| panic!("{e}"));
        assert!(check_output_dir(s, &s.join("docs")).is_err());
    }

    #[test]
    fn replaces_previous_output() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = dir.path().join("public");
        let file = |p: &str, b: &str| OutputFile {
            path: p.into(),
            bytes: b.into(),
            origin: super::super::Origin::generated("a test"),
        };
        write(&[file("a/index.html", "one"), file("old.html", "x")], &out)
            .unwrap_or_else(|e| panic!("{e}"));
        write(&[file("a/index.html", "two")], &out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html"))
                .ok()
                .as_deref(),
            Some("two")
        );
        assert!(!out.join("old.html").exists());
        let leftovers = std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(leftovers, 1, "no temporary folders are left behind");
    }
}
