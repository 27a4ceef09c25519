//! Writing the site without ever losing the previous one.
//!
//! The new site is written beside the output folder, into `.NAME.new-PID-NANOS`, and put in
//! place in one step: `renameat2(RENAME_EXCHANGE)` on Linux (`renameatx_np(RENAME_SWAP)` on
//! macOS) swaps the two names atomically, so the output folder never goes missing; the
//! previous site, now under the temporary name, is then removed. Where the system or the file
//! system cannot exchange (Windows, some network file systems), the previous site is renamed
//! aside to `.NAME.old-PID-NANOS` first, which leaves a moment without the output folder.
//! A killed build leaves its temporary folder behind; the next build removes those that are
//! named so, carry [`MARKER`], and whose process is gone.
//!
//! `serve` rebuilds while the browser reads the site, and most of a rebuild's files are
//! byte for byte the ones already there: [`update`] writes only the files whose bytes
//! changed, each atomically (a temporary file renamed over the old one, so a reader sees
//! the old file or the new one, never half of one), and removes the files of pages that
//! are gone. [`Written`] remembers what is on disk, as hashes, between rebuilds.

use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher as _;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use anyhow::{bail, Context as _, Result};

use super::OutputFile;

/// Written into every output folder; scholia replaces only folders that carry it, so a
/// mistyped `--output` can never wipe somebody's documents.
pub(crate) const MARKER: &str = ".scholia-output";

/// Refuses output folders whose replacement would destroy something that is not ours.
///
/// Symlinks are resolved first: the folder a link points to is checked and later replaced,
/// the link itself is kept. Only a missing path, an empty folder or a folder scholia wrote
/// pass; files, named pipes, sockets and devices are refused before anything is renamed.
pub(crate) fn check_output_dir(site_dir: &Path, output: &Path) -> Result<PathBuf> {
    let site = absolute(site_dir)?;
    let out = absolute(output)?;
    if is_dangling_link(output) {
        bail!(
            "refusing to write the site to `{}`: it is a symbolic link to nothing (remove it, or choose another --output)",
            output.display()
        );
    }
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
    match Existing::at(&out)? {
        Existing::Nothing | Existing::OurFolder | Existing::EmptyFolder => Ok(out),
        Existing::ForeignFolder => bail!(
            "refusing to replace `{}`: it exists and was not made by scholia (delete it yourself, or choose another --output)",
            out.display()
        ),
        Existing::NotFolder(what) => bail!(
            "refusing to write the site to `{}`: it is {what}, not a folder (choose another --output)",
            out.display()
        ),
    }
}

/// What is at the (resolved) output path before the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    Nothing,
    /// A folder carrying [`MARKER`].
    OurFolder,
    EmptyFolder,
    /// A folder with things in it that scholia did not write.
    ForeignFolder,
    /// A file, pipe, socket, device or link, described for the message.
    NotFolder(&'static str),
}

impl Existing {
    /// Looks at `path` itself, not through a symlink (callers resolve links first).
    fn at(path: &Path) -> Result<Existing> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot look at `{}`", path.display()))
            }
        };
        let kind = meta.file_type();
        Ok(if !kind.is_dir() {
            Existing::NotFolder(describe(kind))
        } else if has_marker(path) {
            Existing::OurFolder
        } else if is_empty_dir(path) {
            Existing::EmptyFolder
        } else {
            Existing::ForeignFolder
        })
    }
}

/// "a file", "a named pipe (FIFO)", …: what a non-folder is, for the refusal.
fn describe(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_file() {
        "a file"
    } else {
        "something other than a folder"
    }
}

/// The marker is a plain file, not a link or a folder someone named so.
fn has_marker(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

fn is_dangling_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) && !path.exists()
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
pub(crate) fn write(files: &[OutputFile], out: &Path) -> Result<()> {
    let staging = Staging::new(out)?;
    staging.add(files)?;
    staging.finish()
}

/// The new site, written file by file beside the output folder and put in its place by
/// [`Staging::finish`]. The build hands each output's files over as soon as they are
/// made and drops them, so the whole site is never in memory at once. Dropped unfinished
/// (a content error in a later output, a disk error), it removes itself and the previous
/// site stays exactly as it was.
pub(crate) struct Staging {
    dir: PathBuf,
    out: PathBuf,
    aside: PathBuf,
    finished: bool,
}

impl Staging {
    /// Creates the temporary folder beside `out` (checked by [`check_output_dir`]), with
    /// its [`MARKER`].
    pub(crate) fn new(out: &Path) -> Result<Staging> {
        let parent = out.parent().context("the output folder has no parent")?;
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tag = format!("{}-{}", std::process::id(), nanos());
        let dir = parent.join(format!(".{name}.new-{tag}"));
        std::fs::create_dir(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
        let staging = Staging {
            aside: parent.join(format!(".{name}.old-{tag}")),
            out: out.to_path_buf(),
            dir,
            finished: false,
        };
        std::fs::write(
            staging.dir.join(MARKER),
            "This folder is built by scholia and replaced on every build.\n",
        )
        .with_context(|| format!("cannot write into `{}`", staging.dir.display()))?;
        Ok(staging)
    }

    /// Writes `files` (claimed, so no two share a path) into the new site, in parallel.
    pub(crate) fn add(&self, files: &[OutputFile]) -> Result<()> {
        files.par_iter().try_for_each(|file| {
            let path = inside(&self.dir, &file.path)?;
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p)
                    .with_context(|| format!("cannot create `{}`", p.display()))?;
            }
            std::fs::write(&path, &file.bytes)
                .with_context(|| format!("cannot write `{}`", path.display()))
        })
    }

    /// Puts the new site in place of the output folder, then removes the previous one.
    pub(crate) fn finish(mut self) -> Result<()> {
        let previous = switch(&self.dir, &self.out, &self.aside)?;
        self.finished = true;
        match previous {
            Some(old) => remove_tree(&old)
                .with_context(|| format!("cannot remove the old site at `{}`", old.display())),
            None => Ok(()),
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The files one output (the pages, the search index) last wrote, as fingerprints of
/// their bytes: all `serve` keeps of them between rebuilds.
#[derive(Debug, Default, Clone)]
pub(crate) struct Written {
    files: HashMap<String, Fingerprint>,
}

/// A file's length and a 64-bit hash of its bytes. Only compared within one process, so
/// a fixed-key hasher is enough: foldhash's, which reads 96 bytes per round where the
/// standard library's SipHash took most of a save's time on a large site's 58 MB
/// `annotations.jsonld`. A collision (odds about 2⁻⁶⁴ per changed file of the same
/// length) would leave one stale file until the next change of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    fn of(bytes: &[u8]) -> Fingerprint {
        Fingerprint {
            len: bytes.len(),
            hash: foldhash::quality::FixedState::with_seed(0).hash_one(bytes),
        }
    }
}

impl Written {
    /// What writing `files` put on disk.
    pub(crate) fn of(files: &[OutputFile]) -> Written {
        Written {
            files: files
                .par_iter()
                .map(|f| (f.path.clone(), Fingerprint::of(&f.bytes)))
                .collect(),
        }
    }

    /// The files written before that are not among `files`, the complete new output.
    pub(crate) fn missing_from(&self, files: &[OutputFile]) -> BTreeSet<String> {
        let new: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        self.files
            .keys()
            .filter(|p| !new.contains(p.as_str()))
            .cloned()
            .collect()
    }
}

/// What [`update`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Updated {
    pub(crate) written: usize,
    pub(crate) removed: usize,
}

/// Brings the output folder `out` (checked by [`check_output_dir`], and already holding a
/// site of ours) up to date: of `files`, writes those whose bytes differ from what
/// `written` records, then removes the files listed in `gone`. `written` follows what was
/// done, also when an error stops it half-way.
pub(crate) fn update(
    out: &Path,
    written: &mut Written,
    files: &[OutputFile],
    gone: &BTreeSet<String>,
) -> Result<Updated> {
    if Existing::at(out)? != Existing::OurFolder {
        bail!(
            "`{}` is no longer a folder made by scholia; left it as it is",
            out.display()
        );
    }
    let root = out
        .canonicalize()
        .with_context(|| format!("cannot resolve `{}`", out.display()))?;
    let changed: Vec<(&OutputFile, Fingerprint)> = files
        .par_iter()
        .map(|f| (f, Fingerprint::of(&f.bytes)))
        .filter(|(f, print)| written.files.get(&f.path) != Some(print))
        .collect();
    let mut done = Updated::default();
    for (file, print) in changed {
        write_in_place(&root, &file.path, &file.bytes)?;
        written.files.insert(file.path.clone(), print);
        done.written += 1;
    }
    for path in gone {
        if written.files.remove(path).is_some() {
            remove_in_place(&root, path)?;
            done.removed += 1;
        }
    }
    Ok(done)
}

/// `root/rel`, for a path of the output's own making: relative, plain names only.
fn inside(root: &Path, rel: &str) -> Result<PathBuf> {
    let plain = !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        bail!("refusing to write `{rel}`: not a plain path inside the output folder");
    }
    Ok(root.join(rel))
}

/// Writes one file atomically: into a temporary file beside it, renamed over it. Its
/// folder must resolve to a place inside `root` (a link planted in the output folder
/// must not lead the write elsewhere).
fn write_in_place(root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = inside(root, rel)?;
    let parent = path.parent().context("a file of the site has no folder")?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create `{}`", parent.display()))?;
    let real = parent
        .canonicalize()
        .with_context(|| format!("cannot resolve `{}`", parent.display()))?;
    if !real.starts_with(root) {
        bail!(
            "refusing to write `{}`: its folder leads outside the output folder",
            path.display()
        );
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = real.join(format!(".{name}.tmp-{}", std::process::id()));
    let target = real.join(&name);
    let result = std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, &target))
        .with_context(|| format!("cannot write `{}`", path.display()));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Removes one file of ours, then its folders as long as they are left empty.
fn remove_in_place(root: &Path, rel: &str) -> Result<()> {
    let path = inside(root, rel)?;
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot remove `{}`", path.display())),
    }
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != root) {
        if std::fs::remove_dir(d).is_err() {
            break; // not empty: other pages live there
        }
        dir = d.parent();
    }
    Ok(())
}

/// Removes a folder of ours, its [`MARKER`] last: a removal cut short by a kill still
/// carries the marker, so the next build recognises the remains and finishes the job.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    let _ = std::fs::remove_file(dir.join(MARKER));
    std::fs::remove_dir(dir)
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Makes `staging` the output folder `out` and returns where the previous site went, for
/// the caller to remove: `staging` itself after an atomic exchange, `aside` after the
/// two-rename fallback. What is at `out` is checked again, since the build took a while.
pub(crate) fn switch(staging: &Path, out: &Path, aside: &Path) -> Result<Option<PathBuf>> {
    let moved = |e: std::io::Error| {
        anyhow::Error::new(e).context(format!("cannot move the new site to `{}`", out.display()))
    };
    match Existing::at(out)? {
        Existing::Nothing => {
            std::fs::rename(staging, out).map_err(moved)?;
            Ok(None)
        }
        Existing::OurFolder | Existing::EmptyFolder => {
            if exchange(staging, out).map_err(moved)? {
                return Ok(Some(staging.to_path_buf()));
            }
            std::fs::rename(out, aside)
                .with_context(|| format!("cannot move `{}` aside", out.display()))?;
            if let Err(e) = std::fs::rename(staging, out) {
                let _ = std::fs::rename(aside, out);
                return Err(moved(e));
            }
            Ok(Some(aside.to_path_buf()))
        }
        Existing::ForeignFolder | Existing::NotFolder(_) => bail!(
            "`{}` changed during the build and is no longer a folder made by scholia; left it as it is",
            out.display()
        ),
    }
}

/// Swaps the names `a` and `b` in one step; `Ok(false)` where this system or file system
/// cannot, so the caller falls back to two renames.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Removes the temporary folders that killed builds left beside `out`. Only folders named
/// as [`write`] names them (`.NAME.new-PID-NANOS`, `.NAME.old-PID-NANOS`), carrying
/// [`MARKER`], whose process is gone (a build running at the same time keeps its own).
/// If the fallback switch was killed between its two renames, `out` is missing and the
/// previous site is in an `.old-` folder: that one is put back instead of removed.
/// Best effort: what cannot be removed now is tried again by the next build.
pub(crate) fn remove_stale_temp_folders(out: &Path) {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name().and_then(|n| n.to_str()))
    else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some((kind, pid)) = file_name.to_str().and_then(|n| temp_owner(n, name)) else {
            continue;
        };
        // `DirEntry::file_type` does not follow links: a link named like ours is left alone.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let path = entry.path();
        if !is_dir || !has_marker(&path) || process_alive(pid) {
            continue;
        }
        let missing = std::fs::symlink_metadata(out).is_err();
        if kind == "old" && missing && std::fs::rename(&path, out).is_ok() {
            continue;
        }
        let _ = remove_tree(&path);
    }
}

/// `("new" or "old", process id)` from a temporary folder's name, if `file_name` is one
/// of `name`'s.
fn temp_owner<'a>(file_name: &'a str, name: &str) -> Option<(&'a str, u32)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    let (kind, tag) = rest.strip_prefix('.')?.split_once('-')?;
    let (pid, nanos) = tag.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !matches!(kind, "new" | "old") || !digits(pid) || !digits(nanos) {
        return None;
    }
    Some((kind, pid.parse().ok()?))
}

/// Whether process `pid` may still be running (and so still be writing its folder).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // EPERM means it exists but belongs to someone else.
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(not(unix))]
fn process_alive(pid: u32) -> bool {
    pid == std::process::id()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn refuses_dangerous_output_folders() {
        let site = ok(tempfile::tempdir());
        let s = site.path();
        assert!(check_output_dir(s, s).is_err());
        assert!(check_output_dir(s, &s.join("..")).is_err());
        assert!(check_output_dir(s, Path::new("/")).is_err());
        assert!(check_output_dir(s, &s.join("content/public")).is_err());
        assert!(check_output_dir(s, &s.join("public")).is_ok());
        ok(std::fs::create_dir(s.join("docs")));
        ok(std::fs::write(s.join("docs/mine.txt"), "x"));
        assert!(check_output_dir(s, &s.join("docs")).is_err());
        ok(std::fs::write(s.join("notes.txt"), "x"));
        assert!(check_output_dir(s, &s.join("notes.txt")).is_err());
    }

    #[test]
    fn replaces_previous_output() {
        let dir = ok(tempfile::tempdir());
        let out = dir.path().join("public");
        let file = |p: &str, b: &str| OutputFile {
            path: p.into(),
            bytes: b.into(),
            origin: super::super::Origin::generated("a test"),
        };
        ok(write(
            &[file("a/index.html", "one"), file("old.html", "x")],
            &out,
        ));
        ok(write(&[file("a/index.html", "two")], &out));
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

    fn output(path: &str, bytes: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
            origin: super::super::Origin::generated("a test"),
        }
    }

    /// The inode and modification time of a file: what changes when it is written again.
    #[cfg(unix)]
    fn identity(path: &Path) -> (u64, std::time::SystemTime) {
        use std::os::unix::fs::MetadataExt as _;
        let meta = ok(std::fs::metadata(path));
        (meta.ino(), ok(meta.modified()))
    }

    #[cfg(unix)]
    #[test]
    fn an_update_writes_only_changed_files_and_removes_gone_ones() {
        let dir = ok(tempfile::tempdir());
        let out = dir.path().join("public");
        let first = [
            output("a/index.html", "a"),
            output("b/index.html", "b"),
            output("tags/t/index.html", "t"),
        ];
        ok(write(&first, &out));
        let mut written = Written::of(&first);
        let before = identity(&out.join("b/index.html"));
        let second = [
            output("a/index.html", "a, edited"),
            output("b/index.html", "b"),
            output("c/d/index.html", "new"),
        ];
        let gone = written.missing_from(&second);
        assert_eq!(gone, BTreeSet::from(["tags/t/index.html".to_string()]));
        let done = ok(update(&out, &mut written, &second, &gone));
        assert_eq!(
            done,
            Updated {
                written: 2,
                removed: 1
            }
        );
        let read = |p: &str| std::fs::read_to_string(out.join(p)).ok();
        assert_eq!(read("a/index.html").as_deref(), Some("a, edited"));
        assert_eq!(read("c/d/index.html").as_deref(), Some("new"));
        assert_eq!(identity(&out.join("b/index.html")), before, "rewritten");
        assert!(!out.join("tags").exists(), "emptied folders are removed");
        assert!(out.join(MARKER).is_file());
        // The same files again: nothing to do.
        let again = ok(update(&out, &mut written, &second, &BTreeSet::new()));
        assert_eq!(again, Updated::default());
        let names: Vec<_> = ok(std::fs::read_dir(out.join("a")))
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["index.html"], "no temporary files are left");
    }

    #[test]
    fn an_update_never_writes_outside_the_output_folder() {
        let dir = ok(tempfile::tempdir());
        let out = dir.path().join("public");
        ok(write(&[output("index.html", "i")], &out));
        let mut written = Written::default();
        for evil in ["../evil.html", "/tmp/evil.html", "a/../../evil.html", ""] {
            let files = [output(evil, "x")];
            assert!(
                update(&out, &mut written, &files, &BTreeSet::new()).is_err(),
                "{evil}"
            );
        }
        assert!(!dir.path().join("evil.html").exists());
        #[cfg(unix)]
        {
            let elsewhere = dir.path().join("elsewhere");
            ok(std::fs::create_dir(&elsewhere));
            ok(std::os::unix::fs::symlink(&elsewhere, out.join("link")));
            let files = [output("link/page.html", "x")];
            assert!(update(&out, &mut written, &files, &BTreeSet::new()).is_err());
            assert!(!elsewhere.join("page.html").exists());
        }
        // A folder that is not ours (any more) is left alone.
        let foreign = dir.path().join("docs");
        ok(std::fs::create_dir(&foreign));
        ok(std::fs::write(foreign.join("mine.txt"), "mine"));
        let files = [output("mine.txt", "overwritten")];
        assert!(update(&foreign, &mut written, &files, &BTreeSet::new()).is_err());
        assert_eq!(
            ok(std::fs::read_to_string(foreign.join("mine.txt"))),
            "mine"
        );
    }

    /// A folder of ours holding `page.html` with `text`.
    fn site_folder(path: &Path, text: &str) {
        ok(std::fs::create_dir(path));
        ok(std::fs::write(path.join(MARKER), ""));
        ok(std::fs::write(path.join("page.html"), text));
    }

    /// Hardening item 5: the switch is one exchange, and the previous site ends in the
    /// temporary folder (then removed by `write`), not under a second name.
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    #[test]
    fn switching_exchanges_the_new_site_with_the_old_one() {
        let dir = ok(tempfile::tempdir());
        let out = dir.path().join("public");
        let staging = dir.path().join(".public.new-1-1");
        let aside = dir.path().join(".public.old-1-1");
        site_folder(&out, "old");
        site_folder(&staging, "new");
        let previous = ok(switch(&staging, &out, &aside));
        assert_eq!(previous.as_deref(), Some(staging.as_path()));
        assert_eq!(ok(std::fs::read_to_string(out.join("page.html"))), "new");
        assert_eq!(
            ok(std::fs::read_to_string(staging.join("page.html"))),
            "old"
        );
        assert!(!aside.exists(), "no second rename");
        ok(remove_tree(&staging));
        assert!(!staging.exists());
    }

    /// Hardening item 5: while builds switch the output over and over, another thread
    /// never finds it missing (the two-rename switch it replaces left a gap each time).
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    #[test]
    fn the_output_folder_never_goes_missing_during_a_switch() {
        let dir = ok(tempfile::tempdir());
        let out = dir.path().join("public");
        let staging = dir.path().join(".public.new-1-1");
        let aside = dir.path().join(".public.old-1-1");
        site_folder(&out, "a");
        site_folder(&staging, "b");
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
        let (done, checks, missing) =
            (AtomicBool::new(false), AtomicU64::new(0), AtomicU64::new(0));
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !done.load(Relaxed) {
                    if std::fs::symlink_metadata(&out).is_err() {
                        missing.fetch_add(1, Relaxed);
                    }
                    checks.fetch_add(1, Relaxed);
                }
            });
            // However busy the machine, both sides get their turns: no clock involved.
            let mut switches = 0;
            let mut failed = None;
            while failed.is_none() && (switches < 2000 || checks.load(Relaxed) < 2000) {
                // The previous site goes back to `staging`, ready for the next switch.
                let next = match switch(&staging, &out, &aside) {
                    Ok(Some(previous)) if previous == staging => Ok(()),
                    Ok(Some(previous)) => std::fs::rename(previous, &staging).map_err(Into::into),
                    other => Err(anyhow::anyhow!("{other:?}")),
                };
                failed = next.err();
                switches += 1;
            }
            done.store(true, Relaxed);
            assert!(failed.is_none(), "{failed:?}");
        });
        let (missing, checks) = (missing.load(Relaxed), checks.load(Relaxed));
        assert_eq!(
            missing, 0,
            "`public` was missing {missing} times in {checks} looks"
        );
    }

    #[test]
    fn knows_its_own_temporary_folders_by_name() {
        assert_eq!(
            temp_owner(".public.new-42-1700000000", "public"),
            Some(("new", 42))
        );
        assert_eq!(temp_owner(".public.old-42-1", "public"), Some(("old", 42)));
        for other in [
            ".public.new-42",
            ".public.new--1",
            ".public.new-+42-1",
            ".public.tmp-42-1",
            ".other.new-42-1",
            "public.new-42-1",
            ".public.new-42-1x",
            ".publicx.new-42-1",
            ".public.newer-42-1",
        ] {
            assert_eq!(temp_owner(other, "public"), None, "{other}");
        }
    }

    #[test]
    fn removes_only_stale_temporary_folders_of_ours() {
        let dir = ok(tempfile::tempdir());
        let out = dir.path().join("public");
        let dead = i32::MAX; // above any pid_max: no such process
        let stale = dir.path().join(format!(".public.old-{dead}-1"));
        let look_alike = dir.path().join(format!(".public.new-{dead}-2"));
        let running = dir
            .path()
            .join(format!(".public.new-{}-3", std::process::id()));
        site_folder(&stale, "old");
        ok(std::fs::create_dir(&look_alike));
        ok(std::fs::write(look_alike.join("mine.txt"), "keep"));
        site_folder(&running, "being written");
        remove_stale_temp_folders(&out);
        assert!(!stale.exists());
        assert!(look_alike.join("mine.txt").exists());
        assert!(running.join("page.html").exists());
    }

    /// A build killed between the fallback's two renames left no output folder and the
    /// previous site under its `.old-` name: the next build puts it back.
    #[test]
    fn puts_back_the_previous_site_of_a_build_killed_mid_switch() {
        let dir = ok(tempfile::tempdir());
        let out = dir.path().join("public");
        let aside = dir.path().join(format!(".public.old-{}-1", i32::MAX));
        site_folder(&aside, "previous");
        remove_stale_temp_folders(&out);
        assert_eq!(
            ok(std::fs::read_to_string(out.join("page.html"))),
            "previous"
        );
        assert!(!aside.exists());
    }
}
