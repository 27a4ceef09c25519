//! Hardening item 13: a malformed fragment or query (`#%E0%A4%A`, a truncated %-escape) in a
//! link to the site must not stop its scripts. `decodeURIComponent` threw on the reading
//! page's fragment, before the notes were placed in the margin and long ones folded. In
//! headless Chromium, from `file://` and over HTTP under a subpath (`tests/browser.rs`).

use crate::browser::{
    assert_note_beside_passage, file_url, js, launch, open, seen, site, wait_for, Server, HENKE,
    MEASURE_FIRST_NOTE, SETTLE, WIDE,
};
use crate::support::{self, Tool};

/// Malformed %-escapes: a truncated UTF-8 sequence, a lone `%`, a non-hex escape.
const GARBAGE: [&str; 3] = ["%E0%A4%A", "%", "%ZZ"];

#[test]
fn a_malformed_fragment_leaves_the_notes_placed_and_folded() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    for (mode, page) in [("file://", file_url(HENKE)), ("http", server.url(HENKE))] {
        for (i, garbage) in GARBAGE.iter().enumerate() {
            // The search highlighter reads the query and the fragment too.
            let query = if i == 0 { "?highlight=%E0%A4%A" } else { "" };
            let url = format!("{page}{query}#{garbage}");
            let (tab, log) = chrome.tab(WIDE);
            open(&tab, &url);
            let m = js(&tab, MEASURE_FIRST_NOTE);
            assert_note_beside_passage(&m, &url);
            let folded = js(
                &tab,
                "return document.querySelectorAll('.notes > .note.note-clamp').length;",
            );
            assert!(
                folded.as_u64().is_some_and(|n| n > 0),
                "{url}: no long note folded ({folded})"
            );
            // Following a malformed in-page link later is handled the same way.
            js(&tab, &format!("location.hash = '#{garbage}'; return 0;"));
            js(&tab, SETTLE);
            let errors = &seen(&log).errors;
            assert!(
                errors.is_empty(),
                "{mode} {url}: console errors: {errors:#?}"
            );
            tab.close(false).expect("close tab");
        }
    }
    let failures = server.failures();
    assert!(failures.is_empty(), "requests that failed: {failures:#?}");
}

#[test]
fn a_malformed_query_leaves_the_search_page_working() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    for (mode, page) in [
        ("file://", file_url("search/index.html")),
        ("http", server.url("search/index.html")),
    ] {
        for garbage in GARBAGE {
            let url = format!("{page}?q={garbage}%20Evans#{garbage}");
            let (tab, log) = chrome.tab(WIDE);
            open(&tab, &url);
            // The page still searches (and says what it found, if anything).
            wait_for(
                &tab,
                "/ for .*\\.$/.test(document.querySelector('.search-status').textContent)",
                "the search page to run a query with a malformed escape",
            );
            let value = js(&tab, "return document.getElementById('search_q').value;");
            assert!(
                value.as_str().is_some_and(|v| v.ends_with(" Evans")),
                "{url}: the search box holds {value}"
            );
            let errors = &seen(&log).errors;
            assert!(
                errors.is_empty(),
                "{mode} {url}: console errors: {errors:#?}"
            );
            tab.close(false).expect("close tab");
        }
    }
    let failures = server.failures();
    assert!(failures.is_empty(), "requests that failed: {failures:#?}");
}
