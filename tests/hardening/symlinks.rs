//! Item 10: symbolic links out of the site were followed. `content/ext -> /elsewhere`
//! published that folder, and a sidecar linked to `/etc/passwd` printed the whole file in
//! the error. The loader now refuses any link that resolves outside the site folder
//! (texts, sidecars, settings, glossary, sections, theme folders, templates, static
//! files), naming the link and where it leads; links inside the site still work.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::support;
use crate::support::{copy_site, fixture, read, scholia, Run};

const SECRET: &str = "SECRET-OUTSIDE-THE-SITE";

/// A copy of `site` and, beside it, a folder outside the site with a text, a sidecar
/// and a file full of secrets.
fn sites(site: &str) -> (tempfile::TempDir, tempfile::TempDir) {
    let site = copy_site(&fixture(site));
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = outside.path();
    write(
        &o.join("secret.md"),
        &format!("---\ntitle: Secret\n---\n\n{SECRET} body.\n"),
    );
    write(
        &o.join("passwd"),
        &format!("root:x:0:0:{SECRET}:/root:/bin/sh\n"),
    );
    write(&o.join("secret.css"), &format!("/* {SECRET} */\n"));
    std::fs::create_dir_all(o.join("templates")).unwrap_or_else(|e| panic!("{e}"));
    write(&o.join("templates/index.html"), SECRET);
    (site, outside)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn link(target: &Path, link: &Path) {
    if link.exists() {
        std::fs::remove_file(link).unwrap_or_else(|e| panic!("{e}"));
    }
    symlink(target, link)
        .unwrap_or_else(|e| panic!("{} -> {}: {e}", link.display(), target.display()));
}

fn build(site: &Path) -> Run {
    scholia(site, &["build", "."])
}

/// Failed, naming the link and where it leads, without a word of what is there.
fn assert_refused(run: &Run, link: &str, outside: &Path) {
    assert_eq!(run.status, 1, "{}", run.stderr);
    let real = std::fs::canonicalize(outside).unwrap_or_else(|e| panic!("{e}"));
    let headline = format!(
        "error: `{link}` leads outside the site folder, to `{}",
        real.display()
    );
    assert!(
        run.stderr.contains(&headline),
        "expected {headline:?} in:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("--> {link}:1:1")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(SECRET), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_folder_linked_from_outside_is_neither_read_nor_published() {
    let (site, outside) = sites("sites/basic");
    link(outside.path(), &site.path().join("content/ext"));
    let run = build(site.path());
    assert_refused(&run, "content/ext", outside.path());
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_sidecar_linked_to_a_file_outside_is_not_read() {
    let (site, outside) = sites("sites/basic");
    link(
        &outside.path().join("passwd"),
        &site.path().join("content/unit-1/first.yaml"),
    );
    let run = build(site.path());
    assert_refused(
        &run,
        "content/unit-1/first.yaml",
        &outside.path().join("passwd"),
    );
}

#[test]
fn settings_glossary_and_sections_linked_outside_are_not_read() {
    for file in [
        "content/_site.yaml",
        "content/_glossary.yaml",
        "content/unit-1/_section.yaml",
    ] {
        let (site, outside) = sites("sites/basic");
        link(&outside.path().join("passwd"), &site.path().join(file));
        let run = build(site.path());
        assert_refused(&run, file, &outside.path().join("passwd"));
    }
}

#[test]
fn a_text_linked_to_a_file_outside_is_not_read() {
    let (site, outside) = sites("sites/basic");
    link(
        &outside.path().join("secret.md"),
        &site.path().join("content/leak.md"),
    );
    let run = build(site.path());
    assert_refused(&run, "content/leak.md", &outside.path().join("secret.md"));
}

#[test]
fn theme_folders_and_files_linked_outside_are_not_read() {
    // The theme folder itself.
    let (site, outside) = sites("sites/themed");
    let mine = site.path().join("themes/mine");
    std::fs::remove_dir_all(&mine).unwrap_or_else(|e| panic!("{e}"));
    link(outside.path(), &mine);
    assert_refused(&build(site.path()), "themes/mine", outside.path());

    // A static file of the theme, a template folder of the site.
    let (site, outside) = sites("sites/themed");
    let css = site.path().join("themes/mine/static/leak.css");
    link(&outside.path().join("secret.css"), &css);
    assert_refused(
        &build(site.path()),
        "themes/mine/static/leak.css",
        &outside.path().join("secret.css"),
    );

    let (site, outside) = sites("sites/themed");
    let templates = site.path().join("templates");
    std::fs::remove_dir_all(&templates).unwrap_or_else(|e| panic!("{e}"));
    link(&outside.path().join("templates"), &templates);
    assert_refused(
        &build(site.path()),
        "templates",
        &outside.path().join("templates"),
    );
}

#[test]
fn links_inside_the_site_are_followed() {
    let (site, _outside) = sites("sites/themed");
    let s = site.path();
    std::fs::create_dir_all(s.join("shared")).unwrap_or_else(|e| panic!("{e}"));
    write(
        &s.join("shared/linked.md"),
        "---\ntitle: Linked\n---\n\nA linked text.\n",
    );
    write(&s.join("shared/linked.css"), "/* linked inside */\n");
    link(Path::new("../shared"), &s.join("content/more"));
    link(
        Path::new("../../../shared/linked.css"),
        &s.join("themes/mine/static/linked.css"),
    );
    let run = build(s);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(read(&s.join("public/more/linked/index.html")).contains("A linked text."));
    assert!(read(&support::asset(&s.join("public"), "linked.css")).contains("linked inside"));
}
