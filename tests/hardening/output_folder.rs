//! Hardening items 1, 5 and 14: what `--output` may name (only a missing path or a folder,
//! symlinks resolved first, refused before anything is renamed), the stale temporary
//! folders of killed builds, and where an instructor build goes by default. The atomic
//! switch itself is tested next to it, in `src/output/write.rs`.

#![cfg(unix)]

use std::os::unix::fs::{symlink, FileTypeExt as _};
use std::path::{Path, PathBuf};

use crate::support::{build_ok, copy_site, fixture, read, scholia};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn file_type(path: &Path) -> std::fs::FileType {
    ok(std::fs::symlink_metadata(path)).file_type()
}

/// Names in `dir` starting with `prefix`: the `.X.new-*` / `.X.old-*` a rename would leave.
fn siblings_named(dir: &Path, prefix: &str) -> Vec<String> {
    ok(std::fs::read_dir(dir))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// Runs `build . -o out` and asserts a usage error naming `what`, before any rename.
fn assert_refused(site: &Path, out: &str, what: &str) {
    let run = scholia(site, &["build", ".", "-o", out]);
    assert_eq!(run.status, 2, "-o {out}:\n{}", run.stderr);
    assert!(
        run.stderr.contains("refusing") && run.stderr.contains(what),
        "-o {out}: expected a refusal naming {what:?}:\n{}",
        run.stderr
    );
    let name = Path::new(out)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        siblings_named(site, &format!(".{name}.")).is_empty(),
        "-o {out} left a temporary sibling"
    );
}

fn mkfifo(path: &Path) {
    let status = ok(std::process::Command::new("mkfifo").arg(path).status());
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_is_refused_and_left_a_fifo() {
    let site = copy_site(&fixture("sites/basic"));
    let pipe = site.path().join("pipe");
    mkfifo(&pipe);
    assert_refused(site.path(), "pipe", "a named pipe (FIFO), not a folder");
    assert!(file_type(&pipe).is_fifo());
}

#[test]
fn a_socket_is_refused_and_left_a_socket() {
    let site = copy_site(&fixture("sites/basic"));
    let path = site.path().join("sock");
    let _listener = ok(std::os::unix::net::UnixListener::bind(&path));
    assert_refused(site.path(), "sock", "a socket, not a folder");
    assert!(file_type(&path).is_socket());
}

#[test]
fn a_symlink_to_a_fifo_is_refused_and_both_are_left_alone() {
    let site = copy_site(&fixture("sites/basic"));
    let pipe = site.path().join("pipe");
    mkfifo(&pipe);
    let link = site.path().join("link");
    ok(symlink(&pipe, &link));
    assert_refused(site.path(), "link", "a named pipe (FIFO), not a folder");
    assert!(file_type(&link).is_symlink());
    assert!(file_type(&pipe).is_fifo());
    assert!(siblings_named(site.path(), ".pipe.").is_empty());
}

#[test]
fn a_dangling_symlink_is_refused() {
    let site = copy_site(&fixture("sites/basic"));
    let link = site.path().join("link");
    ok(symlink(site.path().join("nowhere"), &link));
    assert_refused(site.path(), "link", "a symbolic link to nothing");
    assert!(file_type(&link).is_symlink());
    assert!(!site.path().join("nowhere").exists());
}

#[test]
fn dev_null_is_refused_and_stays_a_character_device() {
    let site = copy_site(&fixture("sites/basic"));
    let before = siblings_named(Path::new("/dev"), ".null.");
    assert_refused(site.path(), "/dev/null", "a character device, not a folder");
    assert!(file_type(Path::new("/dev/null")).is_char_device());
    assert_eq!(siblings_named(Path::new("/dev"), ".null."), before);
}

#[test]
fn a_regular_file_is_refused_and_kept() {
    let site = copy_site(&fixture("sites/basic"));
    let file = site.path().join("notes.txt");
    ok(std::fs::write(&file, "my notes"));
    assert_refused(site.path(), "notes.txt", "a file, not a folder");
    assert_eq!(read(&file), "my notes");
}

#[test]
fn the_site_root_and_a_symlink_to_it_are_refused() {
    let site = copy_site(&fixture("sites/basic"));
    let link = site.path().join("here");
    ok(symlink(site.path(), &link));
    for out in [".", "here", "/"] {
        let run = scholia(site.path(), &["build", ".", "-o", out]);
        assert_eq!(run.status, 2, "-o {out}: {}", run.stderr);
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    }
    assert!(file_type(&link).is_symlink());
    assert!(site.path().join("content").is_dir());
}

/// A link to a folder is checked and replaced as that folder; the link stays a link.
#[test]
fn a_symlink_to_a_folder_is_resolved() {
    let site = copy_site(&fixture("sites/basic"));
    let elsewhere = ok(tempfile::tempdir());
    let target = elsewhere.path().join("out");
    ok(std::fs::create_dir(&target));
    let link = site.path().join("out-link");
    ok(symlink(&target, &link));
    for _ in 0..2 {
        let run = scholia(site.path(), &["build", ".", "-o", "out-link"]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert!(file_type(&link).is_symlink(), "the link was replaced");
        assert!(target.join("index.html").is_file());
        assert_eq!(
            siblings_named(elsewhere.path(), "."),
            Vec::<String>::new(),
            "temporary folders left beside the target"
        );
    }

    // A link to somebody's folder is refused like the folder itself.
    let mine = elsewhere.path().join("mine");
    ok(std::fs::create_dir(&mine));
    ok(std::fs::write(mine.join("thesis.txt"), "years of work"));
    let link = site.path().join("mine-link");
    ok(symlink(&mine, &link));
    assert_refused(site.path(), "mine-link", "was not made by scholia");
    assert_eq!(read(&mine.join("thesis.txt")), "years of work");
    assert!(file_type(&link).is_symlink());
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect();
    files.sort();
    files
}

/// A folder as a killed build leaves it: carrying the marker, with some pages in it.
fn killed_build_folder(path: &Path) {
    ok(std::fs::create_dir_all(path.join("unit-1")));
    ok(std::fs::write(path.join(".scholia-output"), ""));
    ok(std::fs::write(
        path.join("unit-1/index.html"),
        "half written",
    ));
}

#[test]
fn stale_temporary_folders_are_removed_and_look_alikes_kept() {
    let site = copy_site(&fixture("sites/basic"));
    let public = build_ok(site.path(), &[]);
    let complete = files_under(&public);
    // A process id above any pid_max: the build that made these is gone.
    let dead = i32::MAX;
    let stale = [
        site.path().join(format!(".public.new-{dead}-1")),
        site.path().join(format!(".public.old-{dead}-2")),
    ];
    for dir in &stale {
        killed_build_folder(dir);
    }
    let kept = [
        // Named like ours, but no marker: somebody's.
        site.path().join(format!(".public.new-{dead}-3")),
        // Carries a marker, but not our name.
        site.path().join(".public.backup"),
        site.path().join(format!(".other.old-{dead}-4")),
    ];
    for dir in &kept {
        ok(std::fs::create_dir(dir));
        ok(std::fs::write(dir.join("mine.txt"), "keep"));
    }
    ok(std::fs::write(kept[1].join(".scholia-output"), ""));
    ok(std::fs::write(kept[2].join(".scholia-output"), ""));

    build_ok(site.path(), &[]);
    for dir in &stale {
        assert!(!dir.exists(), "{} was left", dir.display());
    }
    for dir in &kept {
        assert_eq!(read(&dir.join("mine.txt")), "keep", "{}", dir.display());
    }
    assert_eq!(files_under(&public), complete, "the output is complete");
    let mut temporary = siblings_named(site.path(), ".public.");
    temporary.sort();
    assert_eq!(
        temporary,
        [".public.backup", &format!(".public.new-{dead}-3")],
        "only the look-alikes are left"
    );
}

#[test]
fn an_instructor_build_goes_to_public_instructor_by_default() {
    let site = copy_site(&fixture("sites/basic"));
    let run = scholia(site.path(), &["build", ".", "--instructor"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("public-instructor"), "{}", run.stderr);
    let out = site.path().join("public-instructor");
    assert!(read(&out.join("unit-1/first/index.html")).contains("SECRETWORD"));
    assert!(
        !site.path().join("public").exists(),
        "an instructor build landed in public/"
    );

    // `-o` still decides, and a public build still goes to public/.
    let run = scholia(site.path(), &["build", ".", "--instructor", "-o", "mine"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(site.path().join("mine/index.html").is_file());
    let public = build_ok(site.path(), &[]);
    assert!(public.join("index.html").is_file());
}

#[test]
fn public_instructor_is_git_ignored() {
    let ignore = read(&crate::support::repo().join(".gitignore"));
    assert!(
        ignore.lines().any(|l| l.trim() == "public-instructor/"),
        "{ignore}"
    );
}
