//! Hardening item 13: a malformed fragment or query (`#%E0%A4%A`, a truncated %-escape) in a
//! link to the site must not stop its scripts. `decodeURIComponent` threw on the reading
//! page's fragment, before the notes were placed in the margin and long ones folded. In
//! headless Chromium, from `file://` and over HTTP under a subpath (the harness of `tests/support/browser.rs`).

use headless_chrome::Tab;

use crate::support::browser::{
    assert_no_console_errors, assert_note_beside_passage, file_url, js, launch, open, site,
    wait_for, Server, HENKE, MEASURE_FIRST_NOTE, SETTLE, WIDE,
};
use crate::support::{self, Tool};

/// Malformed %-escapes: a truncated UTF-8 sequence, a lone `%`, a non-hex escape.
const GARBAGE: [&str; 3] = ["%E0%A4%A", "%", "%ZZ"];

/// Opens the bundled site's page `rel` from `file://` and over HTTP under `/reader/`, once per
/// malformed escape, at the address `url(page, i, escape)`; runs `check(tab, url, escape)` and
/// asserts that no console error and no failed request followed.
fn each_malformed_address(
    rel: &str,
    url: impl Fn(&str, usize, &str) -> String,
    check: impl Fn(&Tab, &str, &str),
) {
    let server = Server::start(site());
    let chrome = launch();
    for (mode, page) in [("file://", file_url(rel)), ("http", server.url(rel))] {
        for (i, garbage) in GARBAGE.iter().enumerate() {
            let url = url(&page, i, garbage);
            let (tab, log) = chrome.tab(WIDE);
            open(&tab, &url);
            check(&tab, &url, garbage);
            assert_no_console_errors(&log, &format!("{mode} {url}"));
            tab.close(false).expect("close tab");
        }
    }
    server.assert_no_failures();
}

#[test]
fn a_malformed_fragment_leaves_the_notes_placed_and_folded() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let url = |page: &str, i, garbage: &str| {
        // The search highlighter reads the query and the fragment too.
        let query = if i == 0 { "?highlight=%E0%A4%A" } else { "" };
        format!("{page}{query}#{garbage}")
    };
    each_malformed_address(HENKE, url, |tab, url, garbage| {
        let m = js(tab, MEASURE_FIRST_NOTE);
        assert_note_beside_passage(&m, url);
        let folded = js(
            tab,
            "return document.querySelectorAll('.notes > .note.note-clamp').length;",
        );
        assert!(
            folded.as_u64().is_some_and(|n| n > 0),
            "{url}: no long note folded ({folded})"
        );
        // Following a malformed in-page link later is handled the same way.
        js(tab, &format!("location.hash = '#{garbage}'; return 0;"));
        js(tab, SETTLE);
    });
}

#[test]
fn a_malformed_query_leaves_the_search_page_working() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let url = |page: &str, _, garbage: &str| format!("{page}?q={garbage}%20Evans#{garbage}");
    each_malformed_address("search/index.html", url, |tab, url, _| {
        // The page still searches (and says what it found, if anything).
        wait_for(
            tab,
            "/ for .*\\.$/.test(document.querySelector('.search-status').textContent)",
            "the search page to run a query with a malformed escape",
        );
        let value = js(tab, "return document.getElementById('search_q').value;");
        assert!(
            value.as_str().is_some_and(|v| v.ends_with(" Evans")),
            "{url}: the search box holds {value}"
        );
    });
}
