//! actionlint over every GitHub Actions workflow in the repository: the Pages workflow
//! (`.github/workflows/pages.yml`) and any other, such as the one `scholia init` writes
//! for new sites. A broken fixture proves the check reports what it should.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, Tool};

/// Every `*.yml`/`*.yaml` file in a folder `.github/workflows` anywhere in the repository
/// (build output, `node_modules` and `.git` left out).
fn workflows(root: &Path) -> Vec<PathBuf> {
    let skip = [
        "target",
        "node_modules",
        ".git",
        "public",
        "public-instructor",
    ];
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !skip.contains(&e.file_name().to_string_lossy().as_ref())
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| {
            matches!(p.extension().and_then(|x| x.to_str()), Some("yml" | "yaml"))
                && p.parent()
                    .is_some_and(|dir| dir.ends_with(".github/workflows"))
        })
        .collect()
}

/// Runs actionlint on one workflow file: whether it passed, and what it printed.
fn actionlint(file: &Path) -> (bool, String) {
    let node = support::tool(Tool::Node);
    let cli = support::tool(Tool::Actionlint);
    // The command line takes a glob; an absolute path without glob characters is itself.
    let path = file.to_string_lossy();
    assert!(
        !path.contains(['*', '?', '[', ']', '{', '}', '(', ')', '!']),
        "{path}: a glob character would make actionlint look for other files"
    );
    let out = Command::new(node)
        .arg(&cli)
        .arg(&*path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // It exits 0 having linted nothing when the pattern matches no file: make sure it read it.
    assert!(
        text.contains("Checking 1 workflow file(s)"),
        "actionlint did not read {path}:\n{text}"
    );
    (out.status.success(), text)
}

#[test]
fn every_workflow_in_the_repository_passes_actionlint() {
    if support::missing(&[Tool::Node, Tool::Actionlint]) {
        return;
    }
    let files = workflows(&support::repo());
    let pages = support::repo().join(".github/workflows/pages.yml");
    assert!(files.contains(&pages), "no Pages workflow among {files:#?}");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let (ok, text) = actionlint(file);
            (!ok).then(|| format!("{}:\n{text}", file.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn actionlint_reports_each_mistake_of_a_broken_workflow() {
    if support::missing(&[Tool::Node, Tool::Actionlint]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let workflows_dir = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows_dir).unwrap_or_else(|e| panic!("{e}"));
    let file = workflows_dir.join("broken.yml");
    std::fs::copy(support::fixture("deploy/broken-workflow.yml"), &file)
        .unwrap_or_else(|e| panic!("{e}"));
    // The walk that finds the repository's workflows finds this one too.
    assert_eq!(workflows(dir.path()), std::slice::from_ref(&file));
    let (ok, text) = actionlint(&file);
    assert!(!ok, "actionlint passed a broken workflow:\n{text}");
    for expected in [
        r#"broken.yml:8:5 unexpected key "branchs" for "push" section"#,
        r#"property "page" is not defined"#,
        r#"input "pth" is not defined in action "actions/upload-pages-artifact@v3""#,
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// The workflow follows GitHub's pattern for Pages: what each part is for is in
/// docs/deploy.md; these are the parts a careless edit would lose.
#[test]
fn the_pages_workflow_builds_with_the_pages_base_url_and_keeps_nojekyll() {
    let yml = support::read(&support::repo().join(".github/workflows/pages.yml"));
    for part in [
        "pages: write",
        "id-token: write",
        "group: pages",
        "id: pages",
        r#"scholia build --base-url "${{ steps.pages.outputs.base_url }}/""#,
        "path: public",
        "include-hidden-files: true",
        "name: github-pages",
        "uses: actions/deploy-pages@",
    ] {
        assert!(yml.contains(part), "pages.yml lost {part:?}");
    }
    // What include-hidden-files is there for: without `.nojekyll`, Pages would run Jekyll,
    // which drops files and folders whose names start with `_`.
    let site = support::copy_site(&support::fixture("sites/basic"));
    let public = support::build_ok(site.path(), &[]);
    assert!(
        public.join(".nojekyll").is_file(),
        "no .nojekyll in the build"
    );
}
