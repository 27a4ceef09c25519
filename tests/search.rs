//! Search in a real browser: the bundled site (and two fixture sites) in headless Chromium,
//! from `file://` and from the loopback server under `/reader/` (see `browser.rs`).
//!
//! What a reader does: press `/`, type a word, read the results (count announced, excerpt
//! marked), follow one with the keyboard and land on the passage with the word highlighted.
//! And what must never happen: a note's HTML run as HTML, an instructor's word found in a
//! public build, a horizontal scroll bar on a phone.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use headless_chrome::Tab;
use serde_json::Value;

use crate::support::browser::{
    file_url, js, launch, open, seen, site, wait_for, Server, HENKE, PHONE, WIDE,
};
use crate::support::{self, Tool};

/// A word of the bundled site that occurs in one note only (henke-who) and nowhere else.
const NOTE_WORD: &str = "evanston";
const NOTE_ID: &str = "henke-who";

const RESULTS: &str = "#search_panel a.search-result";

fn file_url_of(root: &Path, rel: &str) -> String {
    let path = root.join(rel).canonicalize().expect("built file");
    format!("file://{}", path.display())
}

/// Presses `/` and types `text` into the header's search box, as a reader does.
fn type_query(tab: &Tab, text: &str) {
    tab.press_key("/").expect("press /");
    wait_for(
        tab,
        "document.activeElement && document.activeElement.id === 'search'",
        "`/` to focus the search box",
    );
    tab.type_str(text).expect("type the query");
}

fn results(tab: &Tab, selector: &str) -> Value {
    js(
        tab,
        &format!(
            "return Array.from(document.querySelectorAll('{selector}')).map(a => ({{ \
               href: a.href, text: a.textContent, \
               marks: Array.from(a.querySelectorAll('mark')).map(m => m.textContent) }}));"
        ),
    )
}

fn status(tab: &Tab) -> String {
    js(
        tab,
        "const s = document.querySelector('.search-status'); \
         return s ? s.getAttribute('aria-live') + '|' + s.getAttribute('role') + '|' + s.textContent : '';",
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// After following a result: the URL's fragment, and where the highlighted words are.
fn landing(tab: &Tab) -> Value {
    js(
        tab,
        "const hits = Array.from(document.querySelectorAll('mark.search-hit')); \
         const h = hits[0]; const r = h ? h.getBoundingClientRect() : null; \
         return { hash: location.hash, search: location.search, \
                  hits: hits.map(m => m.textContent), \
                  inTarget: !!h && !!h.closest(location.hash), \
                  open: !!h && (!h.closest('details') || h.closest('details').open), \
                  visible: !!r && r.top >= 0 && r.bottom <= innerHeight && r.width > 0 };",
    )
}

/// Types the note-only word, checks the single result, follows it with the keyboard.
fn find_and_follow_the_note(tab: &Tab) {
    type_query(tab, NOTE_WORD);
    wait_for(
        tab,
        &format!("document.querySelectorAll('{RESULTS}').length > 0"),
        "results",
    );
    let found = results(tab, RESULTS);
    let list = found.as_array().expect("results");
    assert_eq!(list.len(), 1, "{found:#}");
    let href = list[0]["href"].as_str().unwrap_or_default();
    assert!(
        href.ends_with(&format!(
            "texts/henke/index.html?highlight={NOTE_WORD}#{NOTE_ID}"
        )),
        "{href}"
    );
    let text = list[0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("Who is Marina Henke?"), "{text}");
    assert!(text.contains("International Coalition-Building"), "{text}");
    assert_eq!(
        list[0]["marks"],
        serde_json::json!(["Evanston"]),
        "{found:#}"
    );
    assert_eq!(status(tab), "polite|status|1 result for “evanston”.");

    // Arrow down to the result, Enter follows it.
    tab.press_key("ArrowDown").expect("ArrowDown");
    let focused = js(tab, "return document.activeElement.className;");
    assert_eq!(focused, "search-result");
    tab.press_key("Enter").expect("Enter");
    wait_for(
        tab,
        &format!(
            "location.hash === '#{NOTE_ID}' && document.readyState === 'complete' && \
             document.querySelector('mark.search-hit')"
        ),
        "the note, highlighted",
    );
    js(tab, crate::support::browser::SETTLE);
    let at = landing(tab);
    assert_eq!(at["hash"], format!("#{NOTE_ID}"), "{at:#}");
    assert_eq!(at["hits"], serde_json::json!(["Evanston"]), "{at:#}");
    assert!(
        at["inTarget"] == true && at["open"] == true && at["visible"] == true,
        "{at:#}"
    );
}

#[test]
fn a_word_in_one_note_finds_it_and_the_result_lands_on_it_from_file_url() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &file_url(HENKE));
    find_and_follow_the_note(&tab);
    let log = seen(&log);
    assert!(log.errors.is_empty(), "{:#?}", log.errors);
}

#[test]
fn search_works_under_a_subpath_and_the_search_page_reads_q() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &server.url("index.html"));
    find_and_follow_the_note(&tab);

    // A linked search: the page runs ?q= (a prefix of the word, still being typed).
    open(&tab, &server.url("search/index.html?q=Evans"));
    wait_for(
        &tab,
        "document.querySelectorAll('#search_results a.search-result').length > 0",
        "results on the search page",
    );
    let found = results(&tab, "#search_results a.search-result");
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found:#}");
    let value = js(&tab, "return document.getElementById('search_q').value;");
    assert_eq!(value, "Evans");
    assert!(
        server.failures().is_empty(),
        "requests that failed: {:?}",
        server.failures()
    );
    let loaded: Vec<String> = server
        .requests()
        .into_iter()
        .map(|(_, path)| path)
        .filter(|p| p.contains("/search/"))
        .collect();
    assert!(
        loaded
            .iter()
            .any(|p| p.ends_with("/reader/search/manifest.js"))
            && loaded.iter().any(|p| p.contains("/reader/search/shards/"))
            && loaded.iter().any(|p| p.contains("/reader/search/docs/")),
        "{loaded:#?}"
    );
    let log = seen(&log);
    assert!(log.errors.is_empty(), "{:#?}", log.errors);
}

#[test]
fn keyboard_filters_count_and_escape() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    open(&tab, &file_url("index.html"));
    type_query(&tab, "coalition");
    wait_for(
        &tab,
        &format!("document.querySelectorAll('{RESULTS}').length === 10"),
        "a page of results",
    );
    let s = status(&tab);
    assert!(
        s.starts_with("polite|status|") && s.ends_with(" results for “coalition”."),
        "{s}"
    );
    // Arrows walk the list and back to the box; Tab is never held.
    tab.press_key("ArrowDown").expect("key");
    tab.press_key("ArrowDown").expect("key");
    let second = js(
        &tab,
        &format!("return document.activeElement === document.querySelectorAll('{RESULTS}')[1];"),
    );
    assert_eq!(second, true);
    tab.press_key("ArrowUp").expect("key");
    tab.press_key("ArrowUp").expect("key");
    assert_eq!(js(&tab, "return document.activeElement.id;"), "search");
    // Escape closes the panel and leaves the focus in the box.
    tab.press_key("Escape").expect("key");
    let closed = js(
        &tab,
        "return { hidden: document.getElementById('search_panel').hidden, \
                  focus: document.activeElement.id };",
    );
    assert_eq!(
        closed,
        serde_json::json!({ "hidden": true, "focus": "search" })
    );

    // Filters: notes only, then the glossary only.
    tab.press_key("ArrowDown").expect("key"); // reopens with the results
    js(
        &tab,
        "const d = document.querySelector('#search_panel .search-filters'); d.open = true; \
         for (const box of d.querySelectorAll('.search-kind input')) { \
           const keep = box.parentNode.textContent.trim() === 'Notes'; \
           if (box.checked !== keep) box.click(); }",
    );
    wait_for(
        &tab,
        &format!(
            "document.querySelectorAll('{RESULTS}').length > 0 && \
             Array.from(document.querySelectorAll('{RESULTS}')).every(a => a.closest('.search-note'))"
        ),
        "note results only",
    );
    // Which text: the select lists both texts once the filters are open.
    wait_for(
        &tab,
        "document.querySelectorAll('#search_panel .search-text option').length === 3",
        "the list of texts",
    );
    js(
        &tab,
        "const s = document.querySelector('#search_panel .search-text select'); \
         s.value = Array.from(s.options).find(o => o.textContent.startsWith('International Coalition-Building')).value; \
         s.dispatchEvent(new Event('change'));",
    );
    wait_for(
        &tab,
        &format!(
            "document.querySelectorAll('{RESULTS}').length > 0 && \
             Array.from(document.querySelectorAll('{RESULTS}')).every(a => a.href.includes('/texts/henke/'))"
        ),
        "results from one text",
    );
    // Tab from the last control leaves the panel: focus is not trapped.
    js(
        &tab,
        &format!("const l = document.querySelectorAll('{RESULTS}'); l[l.length - 1].focus();"),
    );
    for _ in 0..4 {
        tab.press_key("Tab").expect("Tab");
    }
    let outside = js(
        &tab,
        "return !document.querySelector('form.site-search').contains(document.activeElement);",
    );
    assert_eq!(outside, true);
}

#[test]
fn the_panel_fits_a_phone_screen() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, _log) = chrome.tab(PHONE);
    open(&tab, &file_url(HENKE));
    type_query(&tab, "alliance");
    wait_for(
        &tab,
        &format!("document.querySelectorAll('{RESULTS}').length > 0"),
        "results",
    );
    let m = js(
        &tab,
        "const p = document.getElementById('search_panel').getBoundingClientRect(); \
         return { left: p.left, right: p.right, width: innerWidth, \
                  scroll: document.documentElement.scrollWidth };",
    );
    let f = |k: &str| m[k].as_f64().unwrap_or(f64::NAN);
    assert!(
        f("left") >= 0.0 && f("right") <= f("width") && f("scroll") <= f("width"),
        "{m:#}"
    );
}

/// The bundled reader's words and some awkward ones go through the client's pipeline and
/// elasticlunr-rs's: the terms must be the same, or queries would miss.
#[test]
fn the_clients_pipeline_is_elasticlunrs() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let mut text = String::new();
    for entry in std::fs::read_dir(support::repo().join("content/texts")).expect("texts") {
        let path = entry.expect("entry").path();
        text.push_str(&std::fs::read_to_string(&path).expect("read"));
        text.push('\n');
    }
    text.push_str(
        " caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated \
         troubled sized hopping tanned falling hissing fizzed failing filing happy sky \
         relational conditional rational valenci hesitanci digitizer conformabli radicalli \
         differentli vileli analogousli vietnamization predication operator feudalism \
         decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate \
         formative formalize electriciti electrical hopeful goodness revival allowance \
         inference airliner gyroscopic adjustable defensible irritant replacement adjustment \
         dependent adoption homologou communism activate angulariti homologous effective \
         bowdlerize probate rate cease controll roll eing y yy ay bye sky's \
         naïve café Σίσυφος İstanbul ﬁnance résumé’s “quoted” (parens) -dash- a-b--c \
         Straße ÉTAT ŒUVRES 2019’s x_y __init__ e.g. U.S. 1,000 ",
    );
    text.push_str(&"z".repeat(64));
    text.push(' ');
    text.push_str(&"w".repeat(65));
    let expected = scholia::search::engine::terms(&text, "en");

    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    open(&tab, &file_url("search/index.html"));
    wait_for(
        &tab,
        "window.scholiaSearch && scholiaSearch.terms",
        "search.js",
    );
    let arg = serde_json::to_string(&text).expect("JSON");
    let got = js(&tab, &format!("return scholiaSearch.terms({arg});"));
    let got: Vec<String> = serde_json::from_value(got).expect("strings");
    assert_eq!(got.len(), expected.len());
    let diff: Vec<(&String, &String)> = got.iter().zip(&expected).filter(|(a, b)| a != b).collect();
    assert!(diff.is_empty(), "client vs index: {diff:?}");
}

/// The engine's own tests (`tests/tools/search-engine.test.js`, `node --test`): parsing,
/// ranking, filters and excerpt marking without a browser, and queries on the index of
/// `tests/sites/basic` as built here.
#[test]
fn the_search_engine_passes_its_node_tests() {
    if support::missing(&[Tool::Node]) {
        return;
    }
    let out = built("sites/basic", &[]);
    let tests = support::repo().join("tests/tools/search-engine.test.js");
    let run = std::process::Command::new(support::tool(Tool::Node))
        .arg("--test")
        .arg(&tests)
        .env("SCHOLIA_SEARCH_SITE", &out)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(report.contains("# fail 0"), "{report}");
    assert!(report.contains("# skipped 0"), "{report}");
}

// --- Fixture sites --------------------------------------------------------------------------

fn built(fixture: &str, extra: &[&str]) -> PathBuf {
    let dir = support::copy_site(&support::fixture(fixture));
    let out = support::build_ok(dir.path(), extra);
    // Keep the folder for the browser (removed with the test process's temp files).
    let kept = dir.keep();
    assert!(out.starts_with(&kept));
    out
}

#[test]
fn a_malicious_note_is_shown_as_text() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    let out = SITE.get_or_init(|| built("sites/search-xss", &[]));
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &file_url_of(out, "index.html"));
    js(
        &tab,
        "window.__alerts = []; window.alert = m => window.__alerts.push(String(m));",
    );
    type_query(&tab, "quagga");
    wait_for(
        &tab,
        &format!("document.querySelectorAll('{RESULTS}').length === 2"),
        "the note and the question",
    );
    let panel = js(
        &tab,
        "const p = document.getElementById('search_panel'); \
         return { imgs: p.querySelectorAll('img, script, b').length, text: p.textContent, \
                  alerts: window.__alerts.length };",
    );
    assert_eq!(panel["imgs"], 0, "{panel:#}");
    assert_eq!(panel["alerts"], 0, "{panel:#}");
    let text = panel["text"].as_str().unwrap_or_default();
    for shown in [
        "<img src=x onerror=alert(1)>",
        "<script>alert(3)</script>",
        "<img src=x onerror=alert(2)> title",
        "A <b>hostile</b> text",
        "<img src=y onerror=alert(4)>",
    ] {
        assert!(
            text.contains(shown),
            "{shown:?} not shown as text in {text:?}"
        );
    }
    let log = seen(&log);
    assert!(log.errors.is_empty(), "{:#?}", log.errors);
}

#[test]
fn instructor_words_are_not_found_in_a_public_build() {
    let public = built("sites/basic", &[]);
    for entry in walkdir::WalkDir::new(public.join("search")) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            assert!(
                !text.to_lowercase().contains("secretword"),
                "{} holds the instructor's word",
                entry.path().display()
            );
        }
    }
    let instructor = built("sites/basic", &["--instructor"]);

    // The Rust side is checked above without a browser.
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    for (out, expected) in [(&public, 0), (&instructor, 1)] {
        open(&tab, &file_url_of(out, "index.html"));
        type_query(&tab, "SECRETWORD ");
        wait_for(
            &tab,
            "/ for “SECRETWORD”\\.$/.test(document.querySelector('.search-status').textContent)",
            "the search to finish",
        );
        let n = js(
            &tab,
            &format!("return document.querySelectorAll('{RESULTS}').length;"),
        );
        assert_eq!(n, expected, "{}: {}", out.display(), status(&tab));
    }
}

/// axe-core (WCAG 2.2 AA and best practices, as `a11y.rs` runs it on every page type) on
/// what only search shows: the open panel with results and filters, in light and dark, and
/// the search page with results.
#[test]
fn the_open_panel_and_the_results_page_pass_axe() {
    if support::missing(&[Tool::Chromium, Tool::Axe]) {
        return;
    }
    let axe = std::fs::read_to_string(support::tool(Tool::Axe)).expect("axe.min.js");
    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    let check = |tab: &Tab, scope: &str, what: &str| {
        tab.evaluate(&axe, false).expect("load axe");
        let v = js(
            tab,
            &format!(
                "const r = await axe.run(document.querySelector('{scope}'), {{ runOnly: {{ type: 'tag', \
                   values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }}, \
                   resultTypes: ['violations'] }}); \
                 return {{ passes: r.passes.length, violations: r.violations.map(v => v.id + ': ' + \
                   v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary).join(' | ')) }};"
            ),
        );
        assert!(v["passes"].as_u64().unwrap_or(0) > 0, "axe checked nothing");
        assert_eq!(v["violations"], serde_json::json!([]), "{what}");
    };
    for scheme in ["light", "dark"] {
        tab.call_method(
            headless_chrome::protocol::cdp::Emulation::SetEmulatedMedia {
                media: None,
                features: Some(vec![
                    headless_chrome::protocol::cdp::Emulation::MediaFeature {
                        name: "prefers-color-scheme".into(),
                        value: scheme.into(),
                    },
                ]),
            },
        )
        .expect("color scheme");
        open(&tab, &file_url(HENKE));
        type_query(&tab, "alliance");
        wait_for(
            &tab,
            &format!("document.querySelectorAll('{RESULTS}').length > 0"),
            "results",
        );
        js(
            &tab,
            "document.querySelector('#search_panel .search-filters').open = true;",
        );
        wait_for(
            &tab,
            "document.querySelectorAll('#search_panel .search-text option').length > 1",
            "the text filter",
        );
        check(
            &tab,
            "form.site-search",
            &format!("the open panel ({scheme})"),
        );

        open(
            &tab,
            &format!("{}?q=burden%20sharing", file_url("search/index.html")),
        );
        wait_for(
            &tab,
            "document.querySelectorAll('#search_results a.search-result').length > 0",
            "results on the search page",
        );
        check(
            &tab,
            "main",
            &format!("the search page with results ({scheme})"),
        );
    }
}

/// A term in more documents than a shard keeps (1,000) has a tail, loaded only when it can
/// change the results: here "omega" is in one long paragraph whose "alpha" is in the tail,
/// so "alpha omega" must load that piece to rank the paragraph with both words first.
#[test]
fn a_common_words_tail_is_loaded_when_it_decides_the_ranking() {
    let dir = tempfile::tempdir().expect("temp");
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).expect("content");
    std::fs::write(content.join("_site.yaml"), "title: Tails\n").expect("write");
    let mut md = String::from("---\ntitle: Long\n---\n\n");
    for p in 1..=1100 {
        if p <= 1000 {
            md.push_str("Alpha beta.\n\n");
        } else {
            let extra = if p == 1050 { "omega" } else { "lorem" };
            md.push_str(&format!(
                "Alpha {extra} {}.\n\n",
                "filler ".repeat(30).trim_end()
            ));
        }
    }
    std::fs::write(content.join("long.md"), md).expect("write");
    let out = support::build_ok(dir.path(), &[]);
    assert!(
        out.join("search/tails").is_dir(),
        "no tails were written for a term in 1,100 paragraphs"
    );

    // The Rust side is checked above without a browser.
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    open(&tab, &file_url_of(&out, "index.html"));
    type_query(&tab, "alpha");
    wait_for(
        &tab,
        "/for “alpha”\\.$/.test(document.querySelector('.search-status').textContent)",
        "results for alpha",
    );
    assert_eq!(status(&tab), "polite|status|1,100 results for “alpha”.");
    let tails = "Array.from(document.querySelectorAll('script[src]')).filter(s => s.src.includes('/search/tails/')).length";
    assert_eq!(
        js(&tab, &format!("return {tails};")),
        0,
        "a tail loaded for one word"
    );

    tab.type_str(" omega").expect("type");
    wait_for(
        &tab,
        &format!(
            "/for “alpha omega”\\.$/.test(document.querySelector('.search-status').textContent) && \
             document.querySelector('{RESULTS}') && \
             document.querySelector('{RESULTS}').href.endsWith('#p1050')"
        ),
        "the paragraph with both words first",
    );
    let loaded = js(&tab, &format!("return {tails};"));
    assert!(loaded.as_u64().unwrap_or(0) >= 1, "{loaded}");
}

/// Runs `query` in the header's box and waits for its count: the results' paths
/// (`coalitions/index.html#p2`) and marked words.
fn search_for(tab: &Tab, query: &str) -> Vec<(String, Vec<String>)> {
    js(
        tab,
        "const box = document.getElementById('search'); box.blur(); box.value = ''; return 0;",
    );
    type_query(tab, query);
    let shown = query.trim();
    wait_for(
        tab,
        &format!(
            "/ “{shown}”\\.$/.test((document.querySelector('.search-status') || \
             {{ textContent: '' }}).textContent)"
        ),
        "the search to finish",
    );
    let found = results(tab, RESULTS);
    found
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let href = r["href"].as_str().unwrap_or_default();
            let tail = href.rsplit('/').take(2).collect::<Vec<_>>();
            let page = tail.get(1).copied().unwrap_or_default();
            let fragment = href.rsplit_once('#').map_or("", |(_, f)| f);
            let marks = r["marks"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .filter_map(|w| w.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (format!("{page}#{fragment}"), marks)
        })
        .collect()
}

/// A French site with a German and an English text: each text is indexed with its own
/// language's pipeline, and the client, which stems only English itself, finds the other
/// forms of French and German words through the index's words table.
#[test]
fn each_language_is_searched_with_its_own_stemmer() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let out = built("sites/languages", &[]);
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &file_url_of(&out, "index.html"));

    let places = |r: &[(String, Vec<String>)]| -> Vec<String> {
        let mut p: Vec<String> = r.iter().map(|x| x.0.clone()).collect();
        p.sort();
        p
    };
    let marks = |r: &[(String, Vec<String>)]| -> Vec<String> {
        let mut m: Vec<String> = r.iter().flat_map(|x| x.1.clone()).collect();
        m.sort();
        m.dedup();
        m
    };

    // French (the site's language): "alliances" and "alliance" are one term, "allianc".
    let r = search_for(&tab, "alliances ");
    assert_eq!(places(&r), ["coalitions#p1", "coalitions#p2"], "{r:?}");
    assert_eq!(marks(&r), ["alliance", "alliances"], "{r:?}");
    // A French stop word alone finds nothing, and says so (in French: the site's language).
    assert!(search_for(&tab, "les ").is_empty());
    assert!(
        status(&tab).ends_with("Aucun résultat pour “les”."),
        "{}",
        status(&tab)
    );
    // The word being typed expands through the words table: "négociai…" is a prefix of
    // "négociaient", indexed as "négoci" (a term "négociai…" does not start).
    let r = search_for(&tab, "négociai");
    assert_eq!(places(&r), ["coalitions#p3"], "{r:?}");
    assert_eq!(marks(&r), ["négociaient"], "{r:?}");
    // The note, by a word of its own.
    let r = search_for(&tab, "gouvernements ");
    assert_eq!(places(&r), ["coalitions#interets"], "{r:?}");

    // German (a text's own `language: de-DE`): Bündnis and Bündnisse are one term.
    let r = search_for(&tab, "Bündnis ");
    assert_eq!(places(&r), ["buendnis#p1", "buendnis#p2"], "{r:?}");
    assert_eq!(marks(&r), ["Bündnis", "Bündnisse"], "{r:?}");

    // Greek (`language: el`), which elasticlunr has no pipeline for: words as written,
    // whatever their case.
    let r = search_for(&tab, "ΛΌΓΟΣ ");
    assert_eq!(places(&r), ["logos#p1"], "{r:?}");
    assert_eq!(marks(&r), ["λόγος"], "{r:?}");
    assert!(
        search_for(&tab, "λόγου ").len() == 1,
        "the title, as written"
    );

    // English (`language: en-GB`): the client's own Porter stemmer, "running" ~ "runs".
    let r = search_for(&tab, "running ");
    assert_eq!(places(&r), ["treaties#p1", "treaties#p2"], "{r:?}");
    assert_eq!(marks(&r), ["running", "runs"], "{r:?}");

    let log = seen(&log);
    assert!(log.errors.is_empty(), "{:#?}", log.errors);
}

/// In a verse text a search hit is a line: the result links to `#l16` (not the stanza),
/// is named "l. 16", and following it lands on the line with the word highlighted. The
/// prose text after it is still found by paragraph.
#[test]
fn a_hit_in_a_verse_text_lands_on_its_line() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let out = built("sites/verse", &[]);
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &file_url_of(&out, "index.html"));
    let r = search_for(&tab, "jocund ");
    assert_eq!(
        r,
        [("poem#l16".to_string(), vec!["jocund".to_string()])],
        "{r:?}"
    );
    let label = js(
        &tab,
        &format!("return document.querySelector('{RESULTS}').textContent;"),
    );
    assert!(
        label.as_str().unwrap_or_default().contains("l. 16"),
        "{label}"
    );
    // A word of the prose text: its paragraph, as before.
    let r = search_for(&tab, "dancers ");
    assert_eq!(
        r,
        [("essay#p1".to_string(), vec!["dancers".to_string()])],
        "{r:?}"
    );
    // Following the line's result lands on the line.
    search_for(&tab, "jocund ");
    tab.press_key("ArrowDown").expect("ArrowDown");
    tab.press_key("Enter").expect("Enter");
    wait_for(
        &tab,
        "location.hash === '#l16' && document.readyState === 'complete' && \
         document.querySelector('mark.search-hit')",
        "the line, highlighted",
    );
    js(&tab, crate::support::browser::SETTLE);
    let at = js(
        &tab,
        "const h = document.querySelector('mark.search-hit'); const r = h.getBoundingClientRect(); \
         const l = document.getElementById('l16').getBoundingClientRect(); \
         return { hit: h.textContent, visible: r.top >= 0 && r.bottom <= innerHeight, \
                  sameLine: Math.abs((l.top + l.bottom) / 2 - (r.top + r.bottom) / 2) < 4 };",
    );
    assert_eq!(at["hit"], "jocund", "{at}");
    assert!(at["visible"] == true && at["sameLine"] == true, "{at}");
    let log = seen(&log);
    assert!(log.errors.is_empty(), "{:#?}", log.errors);
}
