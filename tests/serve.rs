//! `scholia serve`'s rebuilds (issue 10): a saved text is rebuilt without rewriting the
//! files it does not change. A real server on a copy of a fixture site; each wait is
//! bounded to detect a hang, never to measure speed.

use std::path::Path;
use std::time::SystemTime;

use crate::support;
use crate::support::serve::{write, Served};

/// Serves the crosslinks site with one more text, `solo`, that links to nothing and that
/// nothing links to.
fn start() -> Served {
    let site = support::copy_site(&support::fixture("sites/crosslinks"));
    write(
        &site.path().join("content/unit-2/solo.md"),
        "---\ntitle: Alone\norder: 9\n---\n\nA text on its own.\n",
    );
    Served::start(site, &[])
}

impl Served {
    fn page(&self, slug: &str) -> String {
        std::fs::read_to_string(self.path(&format!("public/{slug}/index.html")))
            .unwrap_or_else(|e| panic!("{slug}: {e}\n{}", self.log()))
    }
}

/// What changes when a file is written again, even with the same bytes: a new file
/// renamed over it has a new inode.
#[cfg(unix)]
fn identity(path: &Path) -> (u64, SystemTime) {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let modified = meta.modified().unwrap_or_else(|e| panic!("{e}"));
    (meta.ino(), modified)
}

/// Editing a paragraph of `war` that links to `peace` rebuilds `war`'s page and the
/// "Referenced by" of `peace` (it quotes that paragraph), and leaves `solo`'s page, which
/// shows nothing of `war`, as it was on disk.
#[cfg(unix)]
#[test]
fn a_saved_text_rewrites_its_page_and_its_backlinks_only() {
    let served = start();
    let solo = served.path("public/unit-2/solo/index.html");
    let solo_before = identity(&solo);
    assert!(served
        .page("unit-2/peace")
        .contains("shifts when a great power rises"));
    let war = served.path("content/unit-1/war.md");
    let text = std::fs::read_to_string(&war).unwrap_or_else(|e| panic!("{e}"));
    write(&war, &text.replace("power shifts when", "power tilts when"));

    let log = served.wait_for_lines("search index updated", 1);
    let rebuilt = log
        .lines()
        .find(|l| l.starts_with("rebuilt "))
        .unwrap_or_else(|| panic!("no rebuild line:\n{log}"));
    assert!(rebuilt.contains(" written"), "{rebuilt}");
    assert!(!log.contains("error"), "{log}");
    let war = served.page("unit-1/war");
    assert!(
        war.contains(" tilts when") && !war.contains("shifts when"),
        "{war}"
    );
    let peace = served.page("unit-2/peace");
    assert!(
        peace.contains("tilts when a great power rises") && !peace.contains("shifts when"),
        "the backlink on peace still quotes the old words:\n{peace}"
    );
    assert_eq!(
        identity(&solo),
        solo_before,
        "solo's page was written again:\n{log}"
    );
}

/// A mistake in a saved sidecar fails the rebuild, keeps the last good site, and once
/// fixed the site is rebuilt from it.
#[test]
fn a_failed_rebuild_keeps_the_last_good_site() {
    let served = start();
    let sidecar = served.path("content/unit-1/war.yaml");
    let good = std::fs::read_to_string(&sidecar).unwrap_or_else(|e| panic!("{e}"));
    let page = served.page("unit-1/war");
    write(&sidecar, &good.replace("annotations:", "notes:"));
    let log = served.wait_for_lines("error: the build failed", 1);
    assert!(log.contains("unknown key `notes`"), "{log}");
    assert_eq!(served.page("unit-1/war"), page);
    write(
        &sidecar,
        &good.replace("Power transition theory.", "Power transition, revised."),
    );
    served.wait_for_lines("rebuilt ", 1);
    assert!(served
        .page("unit-1/war")
        .contains("Power transition, revised."));
}

impl Served {
    /// Asserts that the served output folder holds exactly what a fresh `scholia build`
    /// of the same content makes, byte for byte, the search index included.
    fn assert_same_as_a_build(&self, after: &str) {
        let fresh = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = fresh.path().join("public");
        let run = support::scholia(self.site(), &["build", ".", "-o", &out.to_string_lossy()]);
        assert_eq!(run.status, 0, "build failed after {after}:\n{}", run.stderr);
        let built = support::site_files(&out);
        let served = support::site_files(&self.path("public"));
        let paths =
            |m: &std::collections::BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(paths(&served), paths(&built), "after {after}");
        for (path, bytes) in &built {
            assert!(
                served.get(path) == Some(bytes),
                "after {after}, `{path}` differs from a fresh build's:\n{}\n---\n{}",
                String::from_utf8_lossy(served.get(path).map_or(&[][..], |b| &b[..])),
                String::from_utf8_lossy(bytes),
            );
        }
    }
}

/// After each of a series of edits, each rebuilding only what changed, the served folder
/// is what a full build of the same content makes: the incremental rebuild misses no page
/// that depends on the edit (backlinks, related notes, tag pages, previews, the home page,
/// the glossary's "cited by") and leaves no page that should be gone.
#[test]
fn after_each_edit_the_served_site_is_the_built_site() {
    let served = start();
    served.assert_same_as_a_build("the first build");
    let mut rebuilds = 0;
    let mut step = |what: &str, rel: &str, from: &str, to: &str| {
        served.edit(rel, from, to);
        rebuilds += 1;
        served.wait_for_lines("search index updated", rebuilds);
        served.assert_same_as_a_build(what);
    };
    step(
        "a paragraph changed",
        "content/unit-1/war.md",
        "Every alliance has a price.",
        "Every alliance costs something.",
    );
    step(
        "a cross-link added",
        "content/unit-2/solo.md",
        "A text on its own.",
        "A text on its own, citing [[unit-1/war#rises]] and [[glossary#balance-of-power]].",
    );
    step(
        "a cross-link removed",
        "content/unit-2/solo.md",
        ", citing [[unit-1/war#rises]] and [[glossary#balance-of-power]].",
        ".",
    );
    step(
        "a note's tags changed (one tag gone, one new)",
        "content/unit-1/war.yaml",
        "tags: [Alliances, history]",
        "tags: [Alliances, memory]",
    );
    step(
        "a title changed",
        "content/unit-2/peace.md",
        "title: Peace",
        "title: Peace Kept",
    );
    step(
        "a note's body changed",
        "content/unit-2/peace.yaml",
        "See [[unit-1/war#treaty]]",
        "Compare [[unit-1/war#treaty]]",
    );

    // A broken sidecar fails the rebuild (the text's notes are refused); repaired, the
    // site is the built one again.
    let sidecar = "content/unit-1/war.yaml";
    served.edit(sidecar, "annotations:", "notes:");
    served.wait_for_lines("error: the build failed", 1);
    step("a sidecar repaired", sidecar, "notes:", "annotations:");
}
