//! `scholia serve`'s rebuilds (issue 10): a saved text is rebuilt without rewriting the
//! files it does not change. A real server on a copy of a fixture site; each wait is
//! bounded to detect a hang, never to measure speed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::support;

/// A `scholia serve` of a copy of the crosslinks site, killed when dropped.
struct Served {
    child: Child,
    site: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Serves the crosslinks site with one more text, `solo`, that links to nothing and
    /// that nothing links to.
    fn start() -> Served {
        let site = support::copy_site(&support::fixture("sites/crosslinks"));
        write(
            &site.path().join("content/unit-2/solo.md"),
            "---\ntitle: Alone\norder: 9\n---\n\nA text on its own.\n",
        );
        let log =
            std::fs::File::create(site.path().join("serve.log")).unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(env!("CARGO_BIN_EXE_scholia"))
            .args(["serve", ".", "--port", &free_port().to_string()])
            .current_dir(site.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start scholia serve: {e}"));
        let served = Served { child, site };
        served.wait_for_lines("serving ", 1);
        served
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.path().join(rel)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("serve.log")).unwrap_or_default()
    }

    /// Waits until the log has `count` lines starting with `start`.
    fn wait_for_lines(&self, start: &str, count: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let log = self.log();
            if log.lines().filter(|l| l.starts_with(start)).count() >= count {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "no line `{start}…` from scholia serve:\n{log}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn page(&self, slug: &str) -> String {
        std::fs::read_to_string(self.path(&format!("public/{slug}/index.html")))
            .unwrap_or_else(|e| panic!("{slug}: {e}\n{}", self.log()))
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port()
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
    let served = Served::start();
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
    let served = Served::start();
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
        let run = support::scholia(
            self.site.path(),
            &["build", ".", "-o", &out.to_string_lossy()],
        );
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

    /// Replaces `from` by `to` in the file `rel` of the site.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains(from), "`{from}` is not in {rel}");
        write(&path, &text.replacen(from, to, 1));
    }
}

/// After each of a series of edits, each rebuilding only what changed, the served folder
/// is what a full build of the same content makes: the incremental rebuild misses no page
/// that depends on the edit (backlinks, related notes, tag pages, previews, the home page,
/// the glossary's "cited by") and leaves no page that should be gone.
#[test]
fn after_each_edit_the_served_site_is_the_built_site() {
    let served = Served::start();
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
