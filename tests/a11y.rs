//! Accessibility: axe-core (from npm, pinned in `tests/tools/package.json`) in headless
//! Chromium over every page type of the bundled site, in the light and the dark colour scheme,
//! at desktop and phone widths, with zero violations of WCAG 2.0/2.1/2.2 A and AA and of
//! axe's best practices. Text pages are also checked with every note open and a link preview
//! showing, so the colours of what a reader opens are checked too.
//!
//! And what a screen reader is told, read from Chromium's own accessibility tree: every note
//! is exposed with role `note` and named by its summary (through `aria-labelledby`). Whether
//! each passage mark points to its note (`aria-details`) is checked by an ignored test until
//! the renderer adds it (run it with `cargo test --test main -- a11y --ignored`).
//!
//! The browser, the loopback server (the site under `/reader/`) and the page helpers are the
//! harness of `tests/support/browser.rs`. axe is evaluated through the DevTools protocol, which the page's
//! Content-Security-Policy (`default-src 'self'`) does not apply to. Without Chromium or
//! `npm ci` in `tests/tools` plain `cargo test` skips them with a notice, and
//! `cargo xtask test` (which installs both) or CI fails them: see `support::missing`.

use std::time::Instant;

use headless_chrome::protocol::cdp::types::Method;
use headless_chrome::Tab;
use serde_json::Value;

use crate::support::browser::{color_scheme, js, launch, open, site, Server, PHONE, WIDE};
use crate::support::{self, Tool};

/// The page types of the bundled site; the search page is checked when the site has one.
const PAGES: [(&str, &str); 7] = [
    ("index", "index.html"),
    ("text (henke)", "texts/henke/index.html"),
    ("text (alliances)", "texts/alliances/index.html"),
    ("glossary", "glossary/index.html"),
    ("tags index", "tags/index.html"),
    ("tag page", "tags/nato/index.html"),
    ("handout (henke)", "texts/henke/handout/index.html"),
];
const SEARCH: (&str, &str) = ("search", "search/index.html");

/// What axe checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and its best practices.
const TAGS: [&str; 6] = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
];

const SCHEMES: [&str; 2] = ["light", "dark"];

fn pages() -> Vec<(&'static str, &'static str)> {
    let mut pages = PAGES.to_vec();
    for (name, rel) in &pages {
        assert!(
            site().join(rel).is_file(),
            "the bundled site has no {name} page at {rel}"
        );
    }
    if site().join(SEARCH.1).is_file() {
        pages.push(SEARCH);
    } else {
        eprintln!("a11y: the bundled site has no {} (not checked)", SEARCH.1);
    }
    pages
}

/// Puts axe into the page (once per page load) through `Runtime.evaluate`; returns its version.
fn inject_axe(tab: &Tab, source: &str) -> String {
    tab.evaluate(source, false)
        .unwrap_or_else(|e| panic!("cannot evaluate axe.min.js in the page: {e:#}"));
    let version = js(tab, "return typeof axe === 'object' ? axe.version : null;");
    assert!(
        version.is_string(),
        "axe did not load into the page (window.axe is missing)"
    );
    version.as_str().unwrap_or("?").to_string()
}

/// Violations that are known, explained and waiting for a fix outside this test's reach:
/// (rule, element selector as axe prints it, why). They are printed on every run, not failed.
const KNOWN: &[(&str, &str, &str)] = &[];

/// What axe found on the page: violations (one readable block each, known ones apart) and
/// colour-contrast checks it could not decide.
#[derive(Default)]
struct Found {
    violations: Vec<String>,
    known: Vec<String>,
    undecided: Vec<String>,
}

/// Runs axe over the document.
fn run_axe(tab: &Tab) -> Found {
    let tags = serde_json::to_string(&TAGS).expect("JSON");
    let result = js(
        tab,
        &format!(
            "const r = await axe.run(document, {{ runOnly: {{ type: 'tag', values: {tags} }}, \
                                                  resultTypes: ['violations'] }}); \
             const nodes = v => v.nodes.map(n => ({{ target: n.target.join(' '), \
                 html: n.html.slice(0, 240), why: n.failureSummary || '', \
                 said: [...n.any, ...n.all, ...n.none].map(c => c.message).join('; ') }})); \
             return {{ violations: r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help, \
                         url: v.helpUrl, nodes: nodes(v) }})), \
                       passes: r.passes.length, \
                       incomplete: r.incomplete.map(v => ({{ id: v.id, nodes: nodes(v) }})) }};"
        ),
    );
    assert!(
        result["passes"].as_u64().unwrap_or(0) > 0,
        "axe ran no checks at all: {result:#}"
    );
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let mut found = Found::default();
    for v in list(&result["violations"]) {
        let id = v["id"].as_str().unwrap_or("?");
        let (known, fresh): (Vec<Value>, Vec<Value>) =
            list(&v["nodes"]).into_iter().partition(|n| {
                KNOWN
                    .iter()
                    .any(|(rule, target, _)| *rule == id && n["target"] == *target)
            });
        for n in &known {
            let why = KNOWN
                .iter()
                .find(|(rule, target, _)| *rule == id && n["target"] == *target)
                .map_or("", |k| k.2);
            found.known.push(format!(
                "{id} at {}: {why}",
                n["target"].as_str().unwrap_or("?")
            ));
        }
        if fresh.is_empty() {
            continue;
        }
        let mut block = format!(
            "{id} [{}] {} ({} element(s)) {}",
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            fresh.len(),
            v["url"].as_str().unwrap_or("")
        );
        for n in fresh.iter().take(8) {
            block.push_str(&format!(
                "\n      at {}\n         {}\n         {}",
                n["target"].as_str().unwrap_or("?"),
                n["html"].as_str().unwrap_or(""),
                n["why"].as_str().unwrap_or("").replace('\n', "\n         ")
            ));
        }
        if fresh.len() > 8 {
            block.push_str(&format!("\n      … and {} more", fresh.len() - 8));
        }
        found.violations.push(block);
    }
    for v in list(&result["incomplete"]) {
        if v["id"] != "color-contrast" {
            continue;
        }
        for n in list(&v["nodes"]) {
            found.undecided.push(format!(
                "{} ({})",
                n["target"].as_str().unwrap_or("?"),
                n["said"].as_str().unwrap_or("")
            ));
        }
    }
    found
}

/// Opens every note, the cite dialog of the first paragraph, and shows the link preview of the
/// first cross-link in a note (as focusing it with the keyboard does). Returns whether the page has notes at all.
fn open_everything(tab: &Tab) -> bool {
    let state = js(
        tab,
        "const notes = document.querySelectorAll('.note > details'); \
         notes.forEach(d => { d.open = true; }); \
         const num = document.querySelector('article.text[data-cite-chicago] .text-body a.pnum'); \
         if (num) num.click(); \
         await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r()))); \
         const cite = !num || !!document.querySelector('.cite-popover[role=dialog]'); \
         const link = Array.from(document.querySelectorAll('.note a.xref[data-target]')) \
             .find(a => a.getClientRects().length > 0); \
         if (link) link.focus(); \
         await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r()))); \
         const pop = document.getElementById('scholia-preview'); \
         return { notes: notes.length, link: !!link, preview: !!pop && !pop.hidden, cite };",
    );
    assert!(
        state["cite"] == true,
        "a paragraph number did not open its cite dialog: {state}"
    );
    if state["link"] == true {
        assert!(
            state["preview"] == true,
            "focusing a cross-link did not show its preview: {state}"
        );
    }
    state["notes"].as_u64().unwrap_or(0) > 0
}

/// Proves that axe runs and that its violations reach this test: an image without a text
/// alternative, put into the last page checked, must be reported.
fn canary(tab: &Tab) {
    js(
        tab,
        "const img = document.createElement('img'); img.id = 'a11y-canary'; \
         img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAA='; \
         img.width = 40; img.height = 40; document.querySelector('main').prepend(img);",
    );
    let found = run_axe(tab);
    assert!(
        found
            .violations
            .iter()
            .any(|v| v.starts_with("image-alt ") && v.contains("#a11y-canary")),
        "axe did not report an image without alt text put in on purpose: its results are not \
         reaching this test. It reported: {:#?}",
        found.violations
    );
}

#[test]
fn axe_finds_no_violations_on_any_page_type() {
    if support::missing(&[Tool::Chromium, Tool::Axe]) {
        return;
    }
    let started = Instant::now();
    let axe = std::fs::read_to_string(support::tool(Tool::Axe))
        .unwrap_or_else(|e| panic!("axe.min.js: {e}"));
    let pages = pages();
    let server = Server::start(site());
    let chrome = launch();
    let mut problems = Vec::new();
    let mut runs = 0;
    let mut version = String::new();
    for size in [WIDE, PHONE] {
        let tab = chrome.plain_tab(size);
        for &(name, rel) in &pages {
            open(&tab, &server.url(rel));
            version = inject_axe(&tab, &axe);
            let mut check = |state: &str| {
                for s in SCHEMES {
                    color_scheme(&tab, s);
                    let found = run_axe(&tab);
                    runs += 1;
                    let at = format!("{name} ({rel}) at {}px, {s} scheme{state}", size.0);
                    for k in &found.known {
                        eprintln!("  known, not failed: {at}: {k}");
                    }
                    for u in &found.undecided {
                        eprintln!("  contrast not decided by axe (check by eye): {at}: {u}");
                    }
                    if !found.violations.is_empty() {
                        problems.push(format!("{at}:\n    {}", found.violations.join("\n    ")));
                    }
                }
            };
            check("");
            if open_everything(&tab) {
                check(", every note open and a link preview showing");
            }
        }
        if size == PHONE {
            canary(&tab);
        }
        tab.close(false).expect("close tab");
    }
    eprintln!(
        "axe {version}: {runs} runs over {} pages in {:.1}s",
        pages.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "axe-core found accessibility violations:\n\n{}\n",
        problems.join("\n\n")
    );
}

/// The French and the Arabic (right-to-left) fixture sites, and the code fixture: their text,
/// home, tag and search pages at both widths and in both colour schemes, with every note
/// open too; and the verse fixtures' texts (line numbers in the margin; the Arabic one right
/// to left) and their handouts.
#[test]
fn axe_finds_no_violations_in_french_and_arabic() {
    if support::missing(&[Tool::Chromium, Tool::Axe]) {
        return;
    }
    let axe = std::fs::read_to_string(support::tool(Tool::Axe))
        .unwrap_or_else(|e| panic!("axe.min.js: {e}"));
    let chrome = launch();
    let mut problems = Vec::new();
    for (fixture, pages) in [
        (
            "sites/french",
            [
                "index.html",
                "textes/alliances/index.html",
                "tags/alliances/index.html",
                "search/index.html",
            ],
        ),
        (
            "sites/arabic",
            [
                "index.html",
                "texts/alliances/index.html",
                "texts/alliances/handout/index.html",
                "search/index.html",
            ],
        ),
        // Code in several languages, highlighted, with notes on headings and code.
        (
            "sites/code",
            [
                "texts/program/index.html",
                "index.html",
                "texts/program/handout/index.html",
                "search/index.html",
            ],
        ),
        (
            "sites/verse",
            [
                "texts/poem/index.html",
                "texts/charter/index.html",
                "texts/essay/index.html",
                "texts/poem/handout/index.html",
            ],
        ),
        // Verse from right to left: line numbers and notes mirrored.
        (
            "sites/arabic-verse",
            [
                "texts/muallaqa/index.html",
                "texts/muallaqa/handout/index.html",
                "index.html",
                "search/index.html",
            ],
        ),
    ] {
        let site = support::copy_site(&support::fixture(fixture));
        let public = support::build_ok(site.path(), &[]);
        let server = Server::start(&public);
        for size in [WIDE, PHONE] {
            let tab = chrome.plain_tab(size);
            for rel in pages {
                assert!(public.join(rel).is_file(), "{fixture} has no {rel}");
                open(&tab, &server.url(rel));
                inject_axe(&tab, &axe);
                let mut check = |state: &str| {
                    for s in SCHEMES {
                        color_scheme(&tab, s);
                        let found = run_axe(&tab);
                        if !found.violations.is_empty() {
                            problems.push(format!(
                                "{fixture} {rel} at {}px, {s} scheme{state}:\n    {}",
                                size.0,
                                found.violations.join("\n    ")
                            ));
                        }
                    }
                };
                check("");
                if open_everything(&tab) {
                    check(", every note open");
                }
            }
            tab.close(false).expect("close tab");
        }
    }
    assert!(
        problems.is_empty(),
        "axe-core found accessibility violations:\n\n{}\n",
        problems.join("\n\n")
    );
}

/// The print-ready handouts `scholia handout` writes (a text's and a pack's, with its cover
/// and contents, from the handouts fixture), which are pages like any other: axe-clean at
/// both widths, in both colour schemes.
#[test]
fn axe_finds_no_violations_in_handouts_of_a_text_and_a_pack() {
    if support::missing(&[Tool::Chromium, Tool::Axe]) {
        return;
    }
    let axe = std::fs::read_to_string(support::tool(Tool::Axe))
        .unwrap_or_else(|e| panic!("axe.min.js: {e}"));
    let site = support::copy_site(&support::fixture("sites/handouts"));
    let out = site.path().join("handouts");
    let out_s = out.to_string_lossy().into_owned();
    let run = support::scholia(site.path(), &["handout", ".", "-o", &out_s]);
    assert_eq!(run.status, 0, "handout failed:\n{}", run.stderr);
    let chrome = launch();
    let server = Server::start(&out);
    let mut problems = Vec::new();
    for size in [WIDE, PHONE] {
        let tab = chrome.plain_tab(size);
        for rel in ["unit-1/first.html", "week-1.html"] {
            assert!(out.join(rel).is_file(), "no handout {rel}");
            open(&tab, &server.url(rel));
            inject_axe(&tab, &axe);
            for s in SCHEMES {
                color_scheme(&tab, s);
                let found = run_axe(&tab);
                if !found.violations.is_empty() {
                    problems.push(format!(
                        "{rel} at {}px, {s} scheme:\n    {}",
                        size.0,
                        found.violations.join("\n    ")
                    ));
                }
            }
        }
        tab.close(false).expect("close tab");
    }
    assert!(
        problems.is_empty(),
        "axe-core found accessibility violations in handouts:\n\n{}\n",
        problems.join("\n\n")
    );
}

/// `Accessibility.getFullAXTree`, answered as plain JSON: the crate's typed version of the
/// answer is older than Chromium and fails on property names it does not know.
#[derive(Debug, serde::Serialize)]
struct FullAxTree {}

impl Method for FullAxTree {
    const NAME: &'static str = "Accessibility.getFullAXTree";
    type ReturnObject = Value;
}

/// One node of Chromium's accessibility tree, as assistive technology gets it.
struct AxNode {
    role: String,
    name: String,
    description: String,
    /// The ids (DOM backend node ids) that its `details` relation points to.
    details: Vec<u64>,
    node: u64,
}

/// Chromium's accessibility tree of the page, without ignored nodes.
fn ax_tree(tab: &Tab) -> Vec<AxNode> {
    let tree = tab
        .call_method(FullAxTree {})
        .expect("Accessibility.getFullAXTree");
    let text = |v: &Value| v["value"].as_str().unwrap_or("").to_string();
    tree["nodes"]
        .as_array()
        .expect("nodes of the accessibility tree")
        .iter()
        .filter(|n| n["ignored"] != true)
        .map(|n| {
            let details = n["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["name"] == "details")
                .flat_map(|p| {
                    p["value"]["relatedNodes"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .filter_map(|r| r["backendDOMNodeId"].as_u64())
                .collect();
            AxNode {
                role: text(&n["role"]),
                name: text(&n["name"]),
                description: text(&n["description"]),
                details,
                node: n["backendDOMNodeId"].as_u64().unwrap_or(0),
            }
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the DOM says about every note (role, aria-labelledby and what it resolves to).
const NOTES: &str = r#"
    return Array.from(document.querySelectorAll('aside.note')).map(n => {
        const ids = (n.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
        const targets = ids.map(id => document.getElementById(id));
        return { id: n.id, role: n.getAttribute('role'), labelledby: ids,
                 missing: ids.filter((id, i) => !targets[i]),
                 label: targets.filter(Boolean).map(t => t.textContent).join(' ').replace(/\s+/g, ' ').trim() };
    });
"#;

#[test]
fn notes_are_announced_as_named_notes() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let mut problems = Vec::new();
    let mut checked = 0;
    for size in [WIDE, PHONE] {
        let tab = chrome.plain_tab(size);
        for rel in ["texts/henke/index.html", "texts/alliances/index.html"] {
            open(&tab, &server.url(rel));
            let notes = js(&tab, NOTES);
            let notes = notes.as_array().expect("notes");
            assert!(!notes.is_empty(), "{rel} has no notes to check");
            let mut expected = Vec::new();
            for n in notes {
                let id = n["id"].as_str().unwrap_or("?");
                let label = n["label"].as_str().unwrap_or("");
                if n["role"] != "note" {
                    problems.push(format!(
                        "{rel}: note #{id} has role={} (want note)",
                        n["role"]
                    ));
                }
                if n["labelledby"].as_array().is_none_or(Vec::is_empty) {
                    problems.push(format!("{rel}: note #{id} has no aria-labelledby"));
                } else if n["missing"].as_array().is_some_and(|m| !m.is_empty()) {
                    problems.push(format!(
                        "{rel}: note #{id}: aria-labelledby names missing ids {}",
                        n["missing"]
                    ));
                } else if label.is_empty() {
                    problems.push(format!("{rel}: note #{id} is labelled by empty text"));
                }
                expected.push(label.to_lowercase());
            }
            // What Chromium tells assistive technology: one `note` per note, named as above.
            let mut announced: Vec<String> = ax_tree(&tab)
                .into_iter()
                .filter(|n| n.role == "note")
                .map(|n| squash(&n.name).to_lowercase())
                .collect();
            expected.sort();
            announced.sort();
            if announced != expected {
                problems.push(format!(
                    "{rel} at {}px: Chromium announces these notes (role note, by name):\n  \
                     {announced:?}\nbut the page has these:\n  {expected:?}",
                    size.0
                ));
            }
            if announced.iter().any(String::is_empty) {
                problems.push(format!(
                    "{rel} at {}px: a note has no accessible name",
                    size.0
                ));
            }
            checked += notes.len();
        }
        tab.close(false).expect("close tab");
    }
    eprintln!("notes: {checked} checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What the DOM and Chromium say about every passage mark.
const MARKS: &str = r#"
    const marks = Array.from(document.querySelectorAll('.text-body mark.passage[data-note]'));
    return marks.map(m => {
        const ref = attr => (m.getAttribute(attr) || '').split(/\s+/).filter(Boolean);
        const resolves = attr => ref(attr).length > 0 && ref(attr).every(id => document.getElementById(id));
        const note = m.getAttribute('data-note');
        const toNote = attr => ref(attr).some(id => { const el = document.getElementById(id);
            return el && (el.id === note || !!el.closest('#' + CSS.escape(note))); });
        return { note, label: m.getAttribute('aria-label'), labelledby: resolves('aria-labelledby'),
                 describedby: resolves('aria-describedby') && toNote('aria-describedby'),
                 details: resolves('aria-details') && toNote('aria-details'),
                 html: m.outerHTML.slice(0, 160) };
    });
"#;

/// Each passage mark should tell a screen reader that it has a note, and which: by
/// `aria-details` (ARIA 1.3's way to tie annotated text to its annotation) or
/// `aria-describedby` pointing into its note. The marks are made in Rust (src/render), so this
/// waits for that change; run it with `cargo test --test main -- a11y --ignored`.
#[test]
fn marks_point_to_their_notes() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let tab = chrome.plain_tab(WIDE);
    let mut problems = Vec::new();
    for rel in ["texts/henke/index.html", "texts/alliances/index.html"] {
        open(&tab, &server.url(rel));
        let marks = js(&tab, MARKS);
        let marks = marks.as_array().expect("marks");
        assert!(!marks.is_empty(), "{rel} has no marks to check");
        // What Chromium tells assistive technology about the marks.
        let ax: Vec<AxNode> = ax_tree(&tab)
            .into_iter()
            .filter(|n| n.role == "mark")
            .collect();
        if let Some(n) = ax.first() {
            eprintln!(
                "{rel}: Chromium exposes a mark as role {:?}, name {:?}, description {:?}, \
                 details {:?} (DOM node {})",
                n.role, n.name, n.description, n.details, n.node
            );
        }
        let silent = ax
            .iter()
            .filter(|n| n.description.trim().is_empty() && n.details.is_empty())
            .count();
        if silent > 0 {
            problems.push(format!(
                "{rel}: Chromium gives {silent} of {} marks neither a description nor details",
                ax.len()
            ));
        }
        for m in marks {
            if m["details"] != true && m["describedby"] != true {
                problems.push(format!(
                    "{rel}: this mark does not point to its note #{} (aria-details or \
                     aria-describedby): {}",
                    m["note"].as_str().unwrap_or("?"),
                    m["html"].as_str().unwrap_or("")
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of the marks:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
