//! Item 8: instructor notes revealed that they exist. An instructor `para: 1` note and a
//! public `para: 1` note, neither with an id, gave the public note `id="para-1-2"` in the
//! public build (page and search index): derived ids were numbered before instructor
//! notes were left out. The public build must be the build of the site without them.

use crate::support::{build_ok, copy_site, fixture, read, site_files};

/// A sidecar entry and whether it is for instructors.
type Entry = (bool, &'static str);

/// Notes on `unit-1/first.md` of the basic fixture. The instructor ones sit before the
/// public ones they could disturb: same derived ids (`para-1`, from a quote), an id a
/// heading would take (`evidence`), tags, a tag no public note has, cross-links to
/// another text, a paragraph and the glossary (backlinks, "Cited in", related notes).
const FIRST: &[Entry] = &[
    (true, "  - para: 1\n    audience: instructor\n    tags: [coalitions, secret-tag]\n    note: Hidden, see [[unit-1/second#answer]] and [[glossary#realism]].\n"),
    (false, "  - para: 1\n    tags: [coalitions]\n    note: Public note on the first paragraph.\n"),
    (true, "  - quote: \"collective action\"\n    audience: instructor\n    note: Hidden on the quote.\n"),
    (false, "  - quote: \"collective action\"\n    tags: [theory]\n    note: Public on the quote.\n"),
    (true, "  - id: evidence\n    quote: \"A first numbered point\"\n    audience: instructor\n    tags: [theory]\n    note: Hidden with the heading's id.\n"),
    (true, "  - quote: \"The last paragraph\"\n    audience: instructor\n    kind: question\n    note: Hidden, links [[unit-1/first#para-1]] and [[unit-1/first#p4]].\n"),
    (false, "  - quote: \"mentions realism once\"\n    note: Public, see [[unit-1/first#para-1]].\n"),
    (true, "  - para: 4\n    audience: instructor\n    note: Hidden on the block quote.\n"),
    (false, "  - para: 4\n    note: Public on the block quote.\n"),
];

const SECOND: &[Entry] = &[
    (true, "  - quote: \"A text saved on Windows\"\n    audience: instructor\n    tags: [coalitions]\n    note: Hidden, cites [[unit-1/first#p1]] and [[glossary#liberalism]].\n"),
    (false, "  - id: answer\n    quote: \"answers the first text\"\n    tags: [coalitions]\n    note: \"Back to [[unit-1/first#p1]].\"\n"),
];

fn sidecar(entries: &[Entry], with_instructor: bool) -> String {
    let mut yaml = String::from("annotations:\n");
    for (instructor, entry) in entries {
        if with_instructor || !instructor {
            yaml.push_str(entry);
        }
    }
    yaml
}

/// The basic fixture with the notes above, the instructor ones kept or deleted.
fn site(with_instructor: bool) -> tempfile::TempDir {
    let site = copy_site(&fixture("sites/basic"));
    let unit = site.path().join("content/unit-1");
    for (name, entries) in [("first.yaml", FIRST), ("second.yaml", SECOND)] {
        std::fs::write(unit.join(name), sidecar(entries, with_instructor))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    site
}

#[test]
fn a_public_build_is_the_build_without_instructor_notes() {
    let with = site(true);
    let without = site(false);

    // The premise: instructor notes change the instructor build's ids and lists.
    let instructor = build_ok(with.path(), &["--instructor"]);
    let page = read(&instructor.join("unit-1/first/index.html"));
    for id in ["para-1-2", "collective-action-2", "para-4-2", "evidence-2"] {
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "{id} not in the instructor build"
        );
    }

    let public = site_files(&build_ok(with.path(), &[]));
    let reference = site_files(&build_ok(without.path(), &[]));
    let page = String::from_utf8_lossy(&public["unit-1/first/index.html"]).into_owned();
    for id in ["para-1", "collective-action", "para-4", "evidence"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    assert_eq!(
        public.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &public {
        if reference.get(path) != Some(bytes) {
            let (a, b) = (
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&reference[path]),
            );
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            panic!(
                "{path} shows that instructor notes exist, near:\n{}\nwithout them:\n{}",
                around(&a, at),
                around(&b, at),
            );
        }
    }
}

/// About 120 bytes either side of `at`.
fn around(s: &str, at: usize) -> &str {
    let mut from = at.saturating_sub(120).min(s.len());
    while !s.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + 120).min(s.len());
    while !s.is_char_boundary(to) {
        to += 1;
    }
    &s[from..to]
}

/// An id the author wrote twice is an error in every build, instructor notes included
/// (the instructor build would have both); a derived id gives way to a written one
/// wherever it stands.
#[test]
fn written_ids_are_checked_across_audiences_and_derived_ids_give_way() {
    let site = copy_site(&fixture("sites/basic"));
    let yaml = site.path().join("content/unit-1/second.yaml");
    std::fs::write(
        &yaml,
        "annotations:\n  - id: answer\n    quote: answers\n    note: Kept.\n  - para: 1\n    note: Derived first.\n  - id: para-1\n    para: 2\n    note: Written.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let page = read(&build_ok(site.path(), &[]).join("unit-1/second/index.html"));
    assert!(
        page.contains("id=\"para-1-2\"") && page.contains("id=\"para-1\""),
        "{page}"
    );

    std::fs::write(
        &yaml,
        "annotations:\n  - id: answer\n    quote: answers\n    note: Kept.\n  - id: same\n    para: 1\n    note: Public.\n  - id: same\n    para: 2\n    audience: instructor\n    note: Hidden.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = crate::support::scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("duplicate note id `same`"),
        "{}",
        run.stderr
    );
}
