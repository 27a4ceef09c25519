//! What a burst of file events means for the site: nothing, a few texts to read again, or
//! a full rebuild.
//!
//! Only a text (`x.md`) or its sidecar (`x.yaml`) can be rebuilt alone: everything else
//! `load` reads (`_site.yaml`, `_glossary.yaml`, `_section.yaml`, the theme and the
//! site's templates) touches every page, and a text that appears, disappears or becomes
//! a folder changes the site's list of texts. Files `load` never reads (editors' swap
//! and backup files, hidden folders, other extensions) change nothing.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// What to do about a burst of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Nothing `load` reads changed.
    Nothing,
    /// Only these texts (their `.md` files, under the site folder as given) or their
    /// sidecars changed, and each still exists.
    Texts(BTreeSet<PathBuf>),
    /// Anything else: load and build everything again.
    Full,
}

/// One changed path, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Irrelevant,
    /// The `.md` file of a text whose source or sidecar changed.
    Text(PathBuf),
    Full,
}

/// The plan for `paths` (as file events report them) in the site at `site_dir`. An
/// empty list means the watcher lost track of events: rebuild everything.
pub(crate) fn plan(site_dir: &Path, paths: &[PathBuf]) -> Plan {
    if paths.is_empty() {
        return Plan::Full;
    }
    let roots = Roots::new(site_dir);
    let mut texts = BTreeSet::new();
    for path in paths {
        match roots.classify(path) {
            Change::Irrelevant => {}
            Change::Text(md) => {
                texts.insert(md);
            }
            Change::Full => return Plan::Full,
        }
    }
    if texts.is_empty() {
        Plan::Nothing
    } else {
        Plan::Texts(texts)
    }
}

/// The site folder as given and as resolved: events name paths under the folder that
/// was watched, which may be either.
struct Roots {
    given: PathBuf,
    real: Option<PathBuf>,
}

impl Roots {
    fn new(site_dir: &Path) -> Roots {
        Roots {
            given: site_dir.to_path_buf(),
            real: site_dir.canonicalize().ok(),
        }
    }

    /// `path` relative to the site folder, as plain names; `None` outside it.
    fn relative(&self, path: &Path) -> Option<Vec<String>> {
        let rel = path
            .strip_prefix(&self.given)
            .ok()
            .or_else(|| path.strip_prefix(self.real.as_ref()?).ok())?;
        rel.components()
            .map(|c| match c {
                Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    }

    fn classify(&self, path: &Path) -> Change {
        let Some(parts) = self.relative(path) else {
            return Change::Irrelevant;
        };
        match parts.first().map(String::as_str) {
            Some("content") => self.in_content(path, &parts[1..]),
            Some("themes" | "templates") => Change::Full,
            _ => Change::Irrelevant,
        }
    }

    /// `parts`: the path under `content/`.
    fn in_content(&self, path: &Path, parts: &[String]) -> Change {
        let Some((name, folders)) = parts.split_last() else {
            return Change::Full; // `content/` itself
        };
        if folders.iter().any(|f| is_hidden(f)) {
            return Change::Irrelevant; // `load` does not look into hidden folders
        }
        if name == "_section.yaml" || (folders.is_empty() && is_site_file(name)) {
            return Change::Full;
        }
        if is_hidden(name) {
            return Change::Irrelevant;
        }
        // A folder appeared or went away, or a link now points elsewhere.
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Change::Full;
        }
        let md = match Path::new(name).extension().and_then(|e| e.to_str()) {
            Some("md") => path.to_path_buf(),
            Some("yaml" | "yml") => path.with_extension("md"),
            _ => return Change::Irrelevant,
        };
        // A new or removed text (or a sidecar of none) changes the list of texts.
        if md.is_file() && !is_new_or_gone(path) {
            Change::Text(self.given_path(&md))
        } else {
            Change::Full
        }
    }

    /// `md` under the site folder as given, whichever form the event used.
    fn given_path(&self, md: &Path) -> PathBuf {
        match self.real.as_ref().and_then(|r| md.strip_prefix(r).ok()) {
            Some(rel) if !md.starts_with(&self.given) => self.given.join(rel),
            _ => md.to_path_buf(),
        }
    }
}

/// A changed file that no longer exists was removed (or renamed away): the text it
/// belonged to, if any, may have lost its sidecar or be gone.
fn is_new_or_gone(path: &Path) -> bool {
    !path.exists()
}

/// `_site.yaml` and `_glossary.yaml`: read once for the whole site.
fn is_site_file(name: &str) -> bool {
    matches!(name, "_site.yaml" | "_glossary.yaml")
}

/// Names `load` skips: `_…` and `.…` (editors' `.x.md.swp` among them), and backups
/// ending in `~`.
fn is_hidden(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('.') || name.ends_with('~')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (path, text) in [
            ("content/a.md", "---\ntitle: A\n---\nA."),
            ("content/a.yaml", "notes: []\n"),
            ("content/unit/b.md", "---\ntitle: B\n---\nB."),
            ("content/_site.yaml", "title: S\n"),
        ] {
            let path = dir.path().join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
        }
        dir
    }

    fn plan_of(dir: &Path, paths: &[&str]) -> Plan {
        let paths: Vec<PathBuf> = paths.iter().map(|p| dir.join(p)).collect();
        plan(dir, &paths)
    }

    fn texts(dir: &Path, paths: &[&str]) -> Plan {
        Plan::Texts(paths.iter().map(|p| dir.join(p)).collect())
    }

    #[test]
    fn a_text_or_its_sidecar_is_read_again_alone() {
        let dir = site();
        let d = dir.path();
        assert_eq!(plan_of(d, &["content/a.md"]), texts(d, &["content/a.md"]));
        assert_eq!(plan_of(d, &["content/a.yaml"]), texts(d, &["content/a.md"]));
        assert_eq!(
            plan_of(d, &["content/a.yaml", "content/a.md", "content/unit/b.md"]),
            texts(d, &["content/a.md", "content/unit/b.md"])
        );
    }

    #[test]
    fn files_load_never_reads_change_nothing() {
        let dir = site();
        let d = dir.path();
        for path in [
            "content/.a.md.swp",
            "content/a.md~",
            "content/4913",
            "content/notes.txt",
            "content/_drafts/c.md",
            "content/.git/index",
            "public/index.html",
            "serve.log",
        ] {
            assert_eq!(plan_of(d, &[path]), Plan::Nothing, "{path}");
        }
        assert_eq!(plan(d, &[PathBuf::from("/elsewhere/x.md")]), Plan::Nothing);
    }

    #[test]
    fn what_every_page_depends_on_rebuilds_everything() {
        let dir = site();
        let d = dir.path();
        for path in [
            "content/_site.yaml",
            "content/_glossary.yaml",
            "content/unit/_section.yaml",
            "themes/default/templates/base.html",
            "themes/default/static/style.css",
            "templates/text.html",
            "content/unit",
            "content",
        ] {
            assert_eq!(plan_of(d, &[path]), Plan::Full, "{path}");
        }
        // One full change among text changes wins.
        assert_eq!(
            plan_of(d, &["content/a.md", "content/_site.yaml"]),
            Plan::Full
        );
        // The watcher dropped events and could not say which.
        assert_eq!(plan(d, &[]), Plan::Full);
    }

    #[test]
    fn a_text_that_comes_or_goes_rebuilds_everything() {
        let dir = site();
        let d = dir.path();
        // Gone: its page, and every link to it, must go.
        assert_eq!(plan_of(d, &["content/gone.md"]), Plan::Full);
        // A sidecar of no text is an error only a full load reports.
        assert_eq!(plan_of(d, &["content/orphan.yaml"]), Plan::Full);
        // A sidecar removed: its text loses its notes, which a full load sees.
        assert_eq!(plan_of(d, &["content/unit/b.yaml"]), Plan::Full);
    }

    #[test]
    fn events_may_name_the_resolved_site_folder() {
        let dir = site();
        let real = dir.path().canonicalize().unwrap_or_else(|e| panic!("{e}"));
        let given = real.join("content/..");
        assert_eq!(
            plan(&given, &[real.join("content/a.md")]),
            Plan::Texts([given.join("content/a.md")].into())
        );
    }
}
