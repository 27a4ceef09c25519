//! `cargo install --path .` gives a scholia that builds any site folder with nothing of this
//! repository (the theme is compiled in), and `scholia --version` names the commit.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, scholia, site_files};

/// build.rs itself, so its decision (a checkout or not) is tested without packaging a crate.
#[allow(dead_code)] // its `main` is the build script's
#[path = "../../build.rs"]
mod build_script;

/// The `target/` folder this test binary was built in (`CARGO_TARGET_TMPDIR` is its `tmp/`).
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .unwrap_or_else(|| panic!("{} has no parent", tmp.display()))
        .to_path_buf()
}

/// A target folder for the install that starts with the dependencies already compiled:
/// this build's `debug/{deps,build,.fingerprint}` (compiled code as hard links, the rest
/// copied), leaving out scholia's own, which the install compiles. A
/// folder of its own, so the install does not replace `target/debug/scholia` while the
/// tests beside this one run it.
fn warm_target() -> tempfile::TempDir {
    let target = target_dir();
    let dir = tempfile::Builder::new()
        .prefix("install-target-")
        .tempdir_in(target.join("tmp"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ours = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 1 && (name.starts_with("scholia") || name.starts_with("libscholia"))
    };
    for sub in ["deps", "build", ".fingerprint"] {
        let from = target.join("debug").join(sub);
        let walk = walkdir::WalkDir::new(&from).into_iter();
        for entry in walk.filter_entry(|e| !ours(e)) {
            let entry = entry.unwrap_or_else(|e| panic!("{e}"));
            let rel = entry
                .path()
                .strip_prefix(&from)
                .unwrap_or_else(|e| panic!("{e}"));
            let to = dir.path().join("debug").join(sub).join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap_or_else(|e| panic!("{e}"));
                continue;
            }
            // Compiled code is only ever replaced by new files, so a link is safe; cargo
            // rewrites fingerprints and a build script's record in place: copies.
            let record = sub == ".fingerprint"
                || matches!(
                    entry.file_name().to_str(),
                    Some("output" | "root-output" | "stderr" | "invoked.timestamp")
                );
            if record || std::fs::hard_link(entry.path(), &to).is_err() {
                copy_with_mtime(entry.path(), &to);
            }
        }
    }
    dir
}

/// A copy that keeps the modification time: cargo compares them to decide what is fresh.
fn copy_with_mtime(from: &Path, to: &Path) {
    let copied = std::fs::copy(from, to).and_then(|_| {
        let modified = from.metadata()?.modified()?;
        std::fs::File::options()
            .write(true)
            .open(to)?
            .set_modified(modified)
    });
    copied.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
}

/// Runs `program` with `args` in `dir`; panics with its output unless it succeeds.
fn run_ok(program: &Path, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// SLOW (compiles scholia once more, debug profile: a minute or two, with the dependencies
/// this test build compiled, instead of ten for a release build in a fresh folder). Installs with `cargo install --path <repo> --root <tmp>`, copies a
/// fixture site to a folder outside the repository, and builds it there with the
/// installed binary while the repository is hidden under an empty mount (so nothing can
/// be read from it at run time): the same files as the binary `cargo run` builds.
#[test]
fn an_installed_scholia_builds_a_site_outside_the_repository_as_cargo_run_does() {
    let repo = support::repo();
    let install = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = warm_target();
    let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let out = Command::new(&cargo)
        .args(["install", "--quiet", "--debug", "--locked", "--offline"])
        .args(["--bin", "scholia", "--path"])
        .arg(&repo)
        .arg("--root")
        .arg(install.path())
        .env("CARGO_TARGET_DIR", target.path())
        .current_dir(install.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cargo.display()));
    assert!(
        out.status.success(),
        "cargo install failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = install.path().join("bin").join("scholia");
    assert!(installed.is_file(), "no {}", installed.display());

    // The same version line as the binary under test.
    let version = run_ok(&installed, &["--version"], install.path());
    assert_eq!(version, scholia(install.path(), &["--version"]).stdout);

    // Two copies of a fixture site outside the repository, one for each binary.
    let by_installed = support::copy_site(&support::fixture("sites/basic"));
    let by_cargo_run = support::copy_site(&support::fixture("sites/basic"));
    for site in [&by_installed, &by_cargo_run] {
        assert!(
            !site.path().starts_with(&repo),
            "{} is inside the repository",
            site.path().display()
        );
    }
    build_with_the_repository_hidden(&installed, by_installed.path(), &repo);
    let run = scholia(by_cargo_run.path(), &["build"]);
    assert_eq!(run.status, 0, "{}", run.stderr);

    let (a, b) = (
        site_files(&by_installed.path().join("public")),
        site_files(&by_cargo_run.path().join("public")),
    );
    assert!(
        a.contains_key("index.html") && a.contains_key(".nojekyll"),
        "{:?}",
        a.keys()
    );
    let differ: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(differ.is_empty(), "the two builds differ in {differ:?}");
}

/// Runs `scholia build` in `site` with `repo` covered by an empty tmpfs in a private mount
/// namespace (`unshare`, util-linux; root or user namespaces). Where namespaces are not
/// allowed, it says so and builds with the repository in place.
fn build_with_the_repository_hidden(scholia: &Path, site: &Path, repo: &Path) {
    let script = r#"mount -t tmpfs scholia-hidden "$1" || exit 97
if [ -e "$1/Cargo.toml" ]; then exit 98; fi
cd "$2" && exec "$3" build"#;
    let out = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(repo)
        .arg(site)
        .arg(scholia)
        .env("NO_COLOR", "1")
        .output();
    match out {
        Ok(out) if out.status.success() => return,
        Ok(out) if out.status.code() == Some(98) => panic!("the repository was not hidden"),
        Ok(out) if out.status.code() != Some(97) && !namespaces_refused(&out.stderr) => panic!(
            "the installed scholia failed with the repository hidden:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Ok(out) => eprintln!(
            "cannot hide the repository here ({}); building with it in place",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => eprintln!("no unshare ({e}); building with the repository in place"),
    }
    run_ok(scholia, &["build"], site);
}

fn namespaces_refused(stderr: &[u8]) -> bool {
    let text = String::from_utf8_lossy(stderr);
    text.starts_with("unshare:") && text.contains("Operation not permitted")
}

/// `--version` prints the version and the commit: git's short hash when built from a
/// checkout (as this test binary's scholia is, unless the repository came without `.git`).
#[test]
fn version_names_the_release_and_the_commit() {
    let repo = support::repo();
    let commit = build_script::checkout(&repo)
        .and_then(|_| build_script::git(&repo, &["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    let run = scholia(&repo, &["--version"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("scholia {} ({commit})\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Outside a checkout (a crates.io tarball, a copied folder) the commit is `unknown`; a
/// crate unpacked inside some other repository must not take that repository's commit.
#[test]
fn the_commit_is_unknown_outside_a_checkout_of_this_repository() {
    let repo = support::repo();
    let plain = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(build_script::checkout(plain.path()), None);
    if build_script::checkout(&repo).is_some() {
        // A folder inside the checkout, as a vendored crate would be.
        assert_eq!(
            build_script::checkout(&repo.join("tests/sites/basic")),
            None
        );
        // And the files watched for a new commit exist (HEAD at least).
        let watched = build_script::checkout(&repo).unwrap_or_default();
        assert!(
            watched.iter().any(|f| f.ends_with("HEAD") && f.is_file()),
            "{watched:?}"
        );
    }
}
