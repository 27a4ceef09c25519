//! Gives `scholia --version` the commit it was built from: `SCHOLIA_COMMIT` is git's short
//! hash when building from a checkout of this repository, `unknown` otherwise (a published
//! crate, a copy without `.git`, no git installed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = match checkout(&manifest) {
        Some(watched) => {
            // Re-run when HEAD moves: a checkout (HEAD itself), or a commit on the current
            // branch (its ref, loose or packed). Only files that exist: cargo re-runs the
            // script on every build for a path that does not.
            for file in watched.iter().filter(|f| f.is_file()) {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            git(&manifest, &["rev-parse", "--short", "HEAD"])
        }
        None => None,
    };
    // Without this line cargo would re-run the script whenever any file of the package changes.
    println!("cargo:rerun-if-changed=build.rs");
    println!(
        "cargo:rustc-env=SCHOLIA_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
}

/// When `manifest` is the top of a git work tree (not merely inside some other repository,
/// as a crate unpacked under a project's folder would be): the files whose change moves HEAD.
pub(crate) fn checkout(manifest: &Path) -> Option<Vec<PathBuf>> {
    let top = git(manifest, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), manifest) {
        return None;
    }
    // `--git-path` answers for worktrees too, where HEAD and the refs live in different places.
    let path =
        |name: &str| git(manifest, &["rev-parse", "--git-path", name]).map(|p| manifest.join(p));
    let mut watched = vec![path("HEAD")?];
    if let Some(branch) = git(manifest, &["symbolic-ref", "-q", "HEAD"]) {
        watched.extend(path(&branch));
    }
    watched.extend(path("packed-refs"));
    Some(watched)
}

/// One line of git's output, or `None` if git is missing or fails.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let line = text.trim();
    (out.status.success() && !line.is_empty()).then(|| line.to_string())
}
