//! Hardening 4 and 12: a build takes time about linear in its input, and the "closest
//! passage" hints of a build have a budget.
//!
//! Joining the text events that smart punctuation splits re-formatted the whole run
//! each time: `don't ` × 200k in one paragraph took 131 s. Each shape below fills one
//! paragraph, on one line, of a text that is also annotated, cross-linked, autolinked
//! to the glossary and indexed for search; the build at 4× the size must take less
//! than 8× the user CPU time (16× is quadratic). No absolute times: the least of a few runs
//! of each size, on whatever machine.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::scholia;

/// The big size: one megabyte of the shape in one paragraph.
const BIG: usize = 1 << 20;

/// A site whose text `unit/long` holds `shape` repeated to `size` bytes, on one line.
fn long_site(shape: &str, size: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let content = dir.path().join("content");
    let unit = content.join("unit");
    std::fs::create_dir_all(&unit).unwrap_or_else(|e| panic!("{e}"));
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    write(
        &content.join("_site.yaml"),
        "title: Long runs\nglossary:\n  autolink: true\n",
    );
    write(
        &content.join("_glossary.yaml"),
        "terms:\n  - id: zebra\n    term: zebra\n    definition: An animal no text mentions.\n",
    );
    write(
        &unit.join("other.md"),
        "---\ntitle: Other\n---\n\nA short text.\n",
    );
    let mut body = String::with_capacity(size + 100);
    while body.len() < size {
        body.push_str(shape);
    }
    write(
        &unit.join("long.md"),
        &format!("---\ntitle: Long\n---\n\nFirst words. {body} The end is here.\n\nLast.\n"),
    );
    write(
        &unit.join("long.yaml"),
        "annotations:\n  - quote: \"The end is here\"\n    note: Found at the very end.\n  - quote: \"First words\"\n    note: And at the start.\n",
    );
    dir
}

/// The user CPU time of one `scholia build` of `site`, as bash's `times` reports it for
/// its children: unlike wall time, it hardly depends on what else the machine is doing.
/// System time is left out: it is mostly the kernel zeroing the pages the build touches
/// (a third of a megabyte of headings' samples), which varied 2× between runs on a
/// shared VM, while a quadratic algorithm shows in user time.
fn user_time_of_build(site: &Path) -> Duration {
    let script = r#""$0" build . >/dev/null; status=$?; times; exit $status"#;
    let out = Command::new("bash")
        .args(["-c", script, env!("CARGO_BIN_EXE_scholia")])
        .current_dir(site)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `times` prints the shell's user and system time, then its children's.
    let children = stdout.lines().nth(1).unwrap_or_default();
    children
        .split_whitespace()
        .next()
        .map(minutes_seconds)
        .unwrap_or_default()
}

/// `1m2.345s` as a duration.
fn minutes_seconds(s: &str) -> Duration {
    let (m, sec) = s.trim_end_matches('s').split_once('m').unwrap_or(("0", s));
    let m: f64 = m.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
    let sec: f64 = sec.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
    Duration::from_secs_f64(m * 60.0 + sec)
}

/// The least user CPU time of `runs` builds of `shape` at `size`, asserting each succeeds.
fn fastest_build(shape: &str, size: usize, runs: usize) -> Duration {
    let site = long_site(shape, size);
    (0..runs)
        .map(|_| user_time_of_build(site.path()))
        .min()
        .unwrap_or_default()
}

/// Builds a quarter megabyte and a megabyte of `shape`; the second may take at most
/// 8× the CPU time of the first (linear: 4×, quadratic: 16×). The fastest of three
/// builds each: with two, a busy 2-core CI machine once made the headings' 9×.
fn grows_linearly(shape: &str) {
    let small = fastest_build(shape, BIG / 4, 3);
    let big = fastest_build(shape, BIG, 3);
    let ratio = big.as_secs_f64() / small.as_secs_f64().max(1e-3);
    eprintln!("{shape:?}: {small:?} → {big:?} ({ratio:.1}×)");
    assert!(
        ratio < 8.0,
        "{shape:?}: 4× the size took {ratio:.1}× the time ({small:?} → {big:?})"
    );
}

/// Smart punctuation splits the text at every apostrophe (131 s for 1.2 MB before).
#[test]
fn apostrophes() {
    grows_linearly("don't ");
}

/// Unclosed cross-link brackets (42 s for 400 KB before).
#[test]
fn open_brackets() {
    grows_linearly("[[");
}

#[test]
fn entities() {
    grows_linearly("&amp; ");
}

#[test]
fn emphasis() {
    grows_linearly("*a* ");
}

#[test]
fn backslash_escapes() {
    grows_linearly("\\[x\\] ");
}

/// A cross-link every few words: each makes a backlink with an excerpt of its paragraph.
#[test]
fn cross_links() {
    grows_linearly("[[unit/other]] ");
}

/// One word of a megabyte.
#[test]
fn one_long_word() {
    grows_linearly("a");
}

/// A megabyte of ordinary words on one line.
#[test]
fn one_long_line() {
    grows_linearly("lorem ipsum ");
}

/// Headings with the same words: each needs an id no other heading has.
#[test]
fn same_headings() {
    grows_linearly("\n# Same\n");
}

/// 200 missing 100-word quotes against a 3.9 MB text took 71 s: each looked for its
/// closest passage in the whole text. Hints now share one budget per build, counted in
/// steps of the search, not seconds: the first missing quotes get a hint, the rest are
/// still reported, with a note instead, and the same ones on every run.
#[test]
fn missing_quotes_get_hints_until_the_budget_is_spent() {
    // One paragraph of 400 KB, so no filter narrows a hint's search: each costs about
    // 11 × 64-char rows × 400 KB, and the build's budget pays for about twenty.
    let words: Vec<String> = (0..50_000).map(|i| format!("word{i}")).collect();
    let site = long_site("", 0);
    let unit = site.path().join("content/unit");
    let body = words.join(" ");
    std::fs::write(
        unit.join("long.md"),
        format!("---\ntitle: Long\n---\n\n{body}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut sidecar = String::from("annotations:\n");
    let missing = 40;
    for k in 0..missing {
        // 100 words of the text, 30 of them wrong: nowhere, and too far from any
        // passage to be anchored fuzzily, but close enough for a hint.
        let mut quote = words[k * 1000..k * 1000 + 100].to_vec();
        for (i, word) in quote.iter_mut().enumerate().skip(35).take(30) {
            *word = format!("{}{i}", "q".repeat(6));
        }
        sidecar.push_str(&format!(
            "  - quote: \"{}\"\n    note: n{k}\n",
            quote.join(" ")
        ));
    }
    std::fs::write(unit.join("long.yaml"), sidecar).unwrap_or_else(|e| panic!("{e}"));

    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .split("error: this quote is not in the text")
        .skip(1)
        .collect();
    assert_eq!(errors.len(), missing, "{}", run.stderr);
    let hinted: Vec<bool> = errors
        .iter()
        .map(|e| e.contains("help: the closest passage"))
        .collect();
    let first_unhinted = hinted.iter().position(|h| !h).unwrap_or(missing);
    assert!(
        (1..missing).contains(&first_unhinted),
        "some quotes, not all, get a hint: {hinted:?}"
    );
    assert!(
        hinted[first_unhinted..].iter().all(|h| !h),
        "once the budget is spent, no quote gets a hint: {hinted:?}"
    );
    for e in &errors[first_unhinted..] {
        assert!(!e.contains("help:"), "{e}");
        assert!(
            e.contains("note: not searched for the closest passage"),
            "{e}"
        );
    }
    // The closest passage is the one the quote was taken from.
    assert!(
        errors[0].contains("reads: “word0 word1 word2"),
        "{}",
        errors[0]
    );
    let again = scholia(site.path(), &["build", "."]);
    assert_eq!(again.stderr, run.stderr, "the same hints on every run");
}
