//! Real-browser tests: the bundled site, built once per test process, opened in headless
//! Chromium (`$CHROMIUM`, or `chromium` on `PATH`) through the DevTools protocol.
//!
//! The site is opened both from `file://` and from a small loopback HTTP server that mounts
//! it under the subpath `/reader/`, the way GitHub project pages serve a site, so relative
//! links and assets are checked in both modes. Without Chromium, plain `cargo test` skips
//! these tests with a notice, and `cargo xtask test` (which installs it) or CI fails them:
//! see `support::missing`. The browser, the server and the page helpers are the harness in
//! `tests/support/browser.rs`.
//!
//! Each test launches its own browser with a fresh profile and a temporary `HOME`. Screenshots
//! of every page type at both widths go to `target/screenshots/` for people to look at.

use std::path::PathBuf;

use headless_chrome::Tab;
use serde_json::Value;

// Every helper of the harness: the tests here use most of them.
use crate::support::browser::*;
use crate::support::{self, Tool};

/// The page types of the bundled site, as paths relative to the site root.
const PAGES: [(&str, &str); 4] = [
    ("index", "index.html"),
    ("henke", "texts/henke/index.html"),
    ("alliances", "texts/alliances/index.html"),
    ("glossary", "glossary/index.html"),
];

#[test]
fn note_beside_passage_from_file_url() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &file_url(HENKE));
    let m = js(&tab, MEASURE_FIRST_NOTE);
    assert_note_beside_passage(&m, "file://");
    assert_no_console_errors(&log, "file://");
}

#[test]
fn note_beside_passage_under_subpath() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &server.url(HENKE));
    let m = js(&tab, MEASURE_FIRST_NOTE);
    assert_note_beside_passage(&m, "http under /reader/");
    // Over HTTP the stylesheet is same-origin, so its rules are readable: all of them loaded.
    let sheets = m["sheets"].as_array().expect("sheets");
    assert!(
        sheets.iter().all(|s| s["rules"].as_i64().unwrap_or(0) > 0),
        "a stylesheet is empty or unreadable: {m:#}"
    );
    assert_clean(&log, &server);
}

// --- Phones: the note opens under its paragraph ----------------------------------------------

#[test]
fn note_opens_inline_on_phone() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (tab, log) = chrome.tab(PHONE);
    open(&tab, &server.url(HENKE));

    let first = js(
        &tab,
        "const mark = document.querySelector('.text-body mark.passage[data-note]'); \
         window.__note = document.getElementById(mark.dataset.note); \
         window.__para = mark.closest('.para'); return window.__note.id;",
    );
    let state = || {
        js(
            &tab,
            "const note = window.__note, details = note.querySelector(':scope > details'); \
             const summary = details.querySelector('summary'), body = note.querySelector('.note-body'); \
             const b = body.getBoundingClientRect(), s = summary.getBoundingClientRect(); \
             const text = window.__para.querySelector(':scope > p') || window.__para; \
             return { open: details.open, visible: body.checkVisibility(), \
                      left: b.left, right: b.right, width: b.width, height: b.height, \
                      summaryTop: s.top, textBottom: text.getBoundingClientRect().bottom, \
                      focused: document.activeElement === summary, \
                      innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth };",
        )
    };
    let shown = |s: &Value| {
        s["open"] == true && s["visible"] == true && s["height"].as_f64().unwrap_or(0.0) > 10.0
    };
    let hidden = |s: &Value| {
        s["open"] == false && (s["visible"] == false || s["height"].as_f64() == Some(0.0))
    };

    let s = state();
    assert_eq!(
        s["innerWidth"], PHONE.0,
        "the phone viewport is not {}px wide: {s:#}",
        PHONE.0
    );
    assert!(
        s["scrollWidth"].as_f64() <= s["innerWidth"].as_f64(),
        "the page scrolls sideways on a phone: {s:#}"
    );
    assert!(
        hidden(&s),
        "note {first} is open before it is clicked: {s:#}"
    );
    assert!(
        s["summaryTop"].as_f64() >= s["textBottom"].as_f64().map(|b| b - 1.0),
        "note {first} is not under its paragraph: {s:#}"
    );

    click(
        &tab,
        "window.__note.querySelector(':scope > details > summary')",
    );
    wait_for(
        &tab,
        "window.__note.querySelector(':scope > details').open",
        "the note to open",
    );
    let s = state();
    assert!(
        shown(&s),
        "a click on the summary did not show note {first}: {s:#}"
    );
    assert!(
        s["left"].as_f64() >= Some(0.0)
            && s["right"].as_f64() <= s["innerWidth"].as_f64().map(|w| w + 0.5),
        "the open note does not fit the phone's width: {s:#}"
    );
    assert!(
        s["scrollWidth"].as_f64() <= s["innerWidth"].as_f64(),
        "the open note makes the page scroll sideways: {s:#}"
    );

    // The keyboard: Enter on the focused summary closes it, and opens it again.
    js(
        &tab,
        "window.__note.querySelector(':scope > details > summary').focus();",
    );
    assert!(
        state()["focused"] == true,
        "the summary of note {first} cannot take focus"
    );
    tab.press_key("Enter").expect("press Enter");
    wait_for(
        &tab,
        "!window.__note.querySelector(':scope > details').open",
        "Enter to close the note",
    );
    let s = state();
    assert!(hidden(&s), "Enter did not hide note {first}: {s:#}");
    tab.press_key("Enter").expect("press Enter");
    wait_for(
        &tab,
        "window.__note.querySelector(':scope > details').open",
        "Enter to open the note",
    );
    let s = state();
    assert!(shown(&s), "Enter did not show note {first} again: {s:#}");

    assert_clean(&log, &server);
}

// --- Links and requests ---------------------------------------------------------------------

#[test]
fn links_resolve_under_subpath() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    let here = |tab: &Tab| {
        js(
            tab,
            "return { path: location.pathname, hash: location.hash, title: document.title };",
        )
    };

    open(&tab, &server.url("index.html"));
    // The home page's first link to a text.
    let link = "document.querySelector('main a[href*=\"texts/\"]')";
    let href = js(&tab, &format!("return {link}.href;"));
    click(&tab, link);
    wait_for(
        &tab,
        &format!("location.href === {href} && document.readyState === 'complete'"),
        "the text page",
    );
    js(&tab, SETTLE);
    let page = here(&tab);
    assert!(
        page["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("/reader/texts/") && p.ends_with("/index.html")),
        "the first text link led to {page:#}"
    );
    assert!(
        !page["title"].as_str().unwrap_or("").is_empty(),
        "the text page has no title: {page:#}"
    );

    // A glossary link inside a note (notes are open beside the text on a wide screen; a long
    // one shows its first lines, so the link must be among them).
    let xref = "Array.from(document.querySelectorAll('.note a.xref[href*=\"glossary\"]')).find(a => a.getClientRects().length === 1 && a.getBoundingClientRect().bottom <= a.closest('.note-body').getBoundingClientRect().bottom)";
    let href = js(&tab, &format!("return ({xref}).href;"));
    // Clicked as it is, folded or not (a press used to unfold a folded note under the
    // pointer and lose the click: a_link_in_the_faded_lines_of_a_folded_note_is_followed).
    click(&tab, &format!("({xref})"));
    wait_for(
        &tab,
        &format!("location.href === {href} && document.readyState === 'complete'"),
        "the glossary",
    );
    js(&tab, SETTLE);
    let page = here(&tab);
    assert_eq!(
        page["path"], "/reader/glossary/index.html",
        "the glossary link led to {page:#}"
    );
    assert!(
        !page["title"].as_str().unwrap_or("").is_empty(),
        "the glossary has no title: {page:#}"
    );
    let target = js(&tab, "const id = decodeURIComponent(location.hash.slice(1)); return !!id && !!document.getElementById(id);");
    assert!(
        target == true,
        "the glossary has no entry for the link's fragment {}",
        page["hash"]
    );

    // And back home through the site's name in the header.
    click(&tab, "document.querySelector('.site-header a.brand')");
    wait_for(
        &tab,
        "location.pathname === '/reader/index.html' && document.readyState === 'complete'",
        "the home page",
    );

    let served = server.requests();
    for page in [
        "/reader/texts/",
        "/reader/glossary/index.html",
        "/reader/assets/style.",
        "/reader/assets/scholia.",
    ] {
        assert!(
            served.iter().any(|(_, p)| p.starts_with(page)),
            "the server never served {page}: {served:#?}"
        );
    }
    assert_clean(&log, &server);
}

#[test]
fn no_requests_leave_the_site() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let prefix = server.url("");
    for (name, rel) in PAGES {
        let (tab, log) = chrome.tab(WIDE);
        open(&tab, &server.url(rel));
        // What the page itself says it loaded ...
        let resources = js(
            &tab,
            "return performance.getEntriesByType('resource').map(e => e.name);",
        );
        let resources = resources.as_array().expect("resource list");
        assert!(
            !resources.is_empty(),
            "{name}: the page loaded no resources at all (no stylesheet?)"
        );
        let outside: Vec<_> = resources
            .iter()
            .filter(|u| !u.as_str().is_some_and(|u| u.starts_with(&prefix)))
            .collect();
        assert!(
            outside.is_empty(),
            "{name}: resources from outside {prefix}: {outside:#?}"
        );
        // ... and every request the browser made, seen through the DevTools protocol.
        let requests = seen(&log).requests.clone();
        assert!(!requests.is_empty(), "{name}: no requests were recorded");
        let outside: Vec<_> = requests
            .iter()
            .filter(|u| !u.starts_with(&prefix) && !u.starts_with("data:"))
            .collect();
        assert!(
            outside.is_empty(),
            "{name}: requests that leave the site: {outside:#?}"
        );
        tab.close(false).expect("close tab");
    }
    // The server's own log: everything under the mount point, nothing failed.
    let served = server.requests();
    let stray: Vec<_> = served
        .iter()
        .filter(|(_, p)| !p.starts_with(MOUNT))
        .collect();
    assert!(stray.is_empty(), "requests outside {MOUNT}: {stray:#?}");
    server.assert_no_failures();
}

#[test]
fn no_console_errors() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (mut problems, mut overflow) = (Vec::new(), Vec::new());
    for size in [WIDE, PHONE] {
        for (name, rel) in PAGES {
            let (tab, log) = chrome.tab(size);
            open(&tab, &server.url(rel));
            screenshot(&tab, name, size);
            // While here: no page type scrolls sideways at either width. (A phone zooms out to
            // fit content that is too wide, so the window must also keep its width.)
            let widths = js(
                &tab,
                "return [document.documentElement.scrollWidth, window.innerWidth];",
            );
            if widths[0].as_f64() > widths[1].as_f64() || widths[1] != size.0 {
                overflow.push(format!(
                    "{name} at {}px: scrollWidth/innerWidth {widths}",
                    size.0
                ));
            }
            // Exercise the script on text pages: click a passage (which opens its note on a
            // phone and highlights it everywhere), then follow a link to a note.
            let has_marks = js(
                &tab,
                "return !!document.querySelector('.text-body mark.passage');",
            ) == true;
            if has_marks {
                click(&tab, "document.querySelector('.text-body mark.passage')");
                js(
                    &tab,
                    "const id = document.querySelector('.note').id; location.hash = '#' + id;",
                );
                js(&tab, SETTLE);
            }
            let seen = seen(&log);
            problems.extend(
                seen.errors
                    .iter()
                    .map(|e| format!("{name} at {}px: {e}", size.0)),
            );
            for w in &seen.warnings {
                eprintln!("warning on {name} at {}px: {w}", size.0);
            }
            drop(seen);
            tab.close(false).expect("close tab");
        }
    }
    assert!(problems.is_empty(), "console errors: {problems:#?}");
    assert!(
        overflow.is_empty(),
        "pages that scroll sideways: {overflow:#?}"
    );
    server.assert_no_failures();
}

/// A cross-link shows its target in a popover when focused (keyboard) and the popover
/// closes on Escape; the link is described by it meanwhile.
#[test]
fn link_preview_opens_on_focus_and_closes_on_escape() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    open(&tab, &server.url(HENKE));
    let shown = js(
        &tab,
        "const link = document.querySelector('.text-body a.xref[data-target]'); \
         window.__link = link; link.focus(); \
         await new Promise(r => setTimeout(r, 50)); \
         const pop = document.getElementById('scholia-preview'); \
         const source = document.querySelector('.previews .preview[data-preview-for=\"' + link.dataset.target + '\"]'); \
         return { visible: !!pop && pop.checkVisibility(), \
                  described: link.getAttribute('aria-describedby'), \
                  text: pop ? pop.textContent.trim() : '', \
                  expected: source ? source.textContent.trim() : null, \
                  role: pop ? pop.getAttribute('role') : null };",
    );
    assert_eq!(shown["visible"], true, "no popover on focus: {shown:#}");
    assert_eq!(shown["described"], "scholia-preview", "{shown:#}");
    assert_eq!(shown["role"], "tooltip", "{shown:#}");
    assert!(
        shown["expected"].is_string(),
        "no preview content for the link: {shown:#}"
    );
    assert_eq!(shown["text"], shown["expected"], "{shown:#}");

    tab.press_key("Escape").expect("Escape");
    let hidden = js(
        &tab,
        "const pop = document.getElementById('scholia-preview'); \
         return { visible: pop.checkVisibility(), described: window.__link.getAttribute('aria-describedby'), \
                  focused: document.activeElement === window.__link };",
    );
    assert_eq!(
        hidden["visible"], false,
        "Escape did not close the popover: {hidden:#}"
    );
    assert!(hidden["described"].is_null(), "{hidden:#}");
    assert_eq!(
        hidden["focused"], true,
        "focus stays on the link: {hidden:#}"
    );
}

/// The fixture sites (texts in folders, overlapping notes, code, raw HTML, a theme of the
/// site's own, French, Arabic right to left) from `file://` at both widths: every page loads without console errors,
/// nothing overflows sideways, and keyboard focus moves in document order, starting with
/// the skip link, never into hidden content.
#[test]
fn fixture_sites_from_file_urls_at_both_widths() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    for fixture in [
        "basic",
        "crosslinks",
        "raw-html",
        "code",
        "french",
        "arabic",
        "verse",
        "arabic-verse",
    ] {
        let site = support::copy_site(&support::fixture(&format!("sites/{fixture}")));
        let public = support::build_ok(site.path(), &[]);
        let pages: Vec<PathBuf> = walkdir::WalkDir::new(&public)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            // One tag page stands for all: they share a template.
            .filter(|p| !p.to_string_lossy().contains("/tags/") || p.ends_with("tags/index.html"))
            // Hosts serve it at any depth, so it links from the domain's root, which a
            // file:// URL has not (tests/web.rs opens it from a server).
            .filter(|p| p != &public.join("404.html"))
            .collect();
        let mut pages = pages;
        // A text page first: it has the most to focus.
        pages.sort_by_key(|p| {
            (
                p.ends_with("index.html") && p.parent() == Some(public.as_path()),
                p.clone(),
            )
        });
        for size in [WIDE, PHONE] {
            let (tab, log) = chrome.tab(size);
            for page in &pages {
                let url = format!("file://{}", page.display());
                open(&tab, &url);
                let m = js(
                    &tab,
                    "const positive = [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length; \
                     return { overflow: document.documentElement.scrollWidth - window.innerWidth, positive };",
                );
                assert!(
                    m["overflow"].as_f64().unwrap_or(1.0) <= 0.0,
                    "{url} at {size:?} overflows: {m}"
                );
                assert_eq!(
                    m["positive"], 0,
                    "{url}: positive tabindex breaks the focus order"
                );
                // Walking the focus order costs a round trip per key: once per site and width.
                if page != &pages[0] {
                    continue;
                }
                let mut last = -1.0;
                for step in 0..8 {
                    tab.press_key("Tab").expect("Tab");
                    let f = js(
                        &tab,
                        "const el = document.activeElement; if (!el || el === document.body) return null; \
                         const all = [...document.querySelectorAll('*')]; \
                         return { index: all.indexOf(el), visible: el.checkVisibility({ visibilityProperty: true }), \
                                  skip: el.classList.contains('skip-link'), html: el.outerHTML.slice(0, 120) };",
                    );
                    if f.is_null() {
                        break;
                    }
                    if step == 0 {
                        assert_eq!(
                            f["skip"], true,
                            "{url}: the first Tab should reach the skip link, got {f}"
                        );
                    }
                    let index = f["index"].as_f64().unwrap_or(-1.0);
                    assert!(index > last, "{url}: focus went backwards to {f}");
                    assert_eq!(f["visible"], true, "{url}: focus on something hidden: {f}");
                    last = index;
                }
            }
            assert_no_console_errors(&log, &format!("{fixture} at {size:?}"));
        }
    }
}

/// A page with many long notes (henke: 18 notes on 15 paragraphs) keeps them near their
/// passages by showing long ones cut short, with a button for the rest; the button, a
/// click on the passage, focus inside the note and a link to it each show all of it, and
/// the notes below make room.
#[test]
fn long_notes_fold_in_the_margin_and_open_on_demand() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &file_url(HENKE));
    let state = r#"
        const notes = Array.from(document.querySelectorAll('.notes > .note'));
        const folded = notes.filter(n => n.classList.contains('note-clamp'));
        const boxes = notes.map(n => n.getBoundingClientRect());
        const overlaps = boxes.slice(1).filter((b, i) => b.top < boxes[i].bottom - 0.5).length;
        const info = n => { const b = n.querySelector('.note-body'); const m = n.querySelector('.note-more');
            return { id: n.id, cut: b.scrollHeight - b.clientHeight, button: m && !m.hidden ? m.textContent : null,
                     expanded: m ? m.getAttribute('aria-expanded') : null, controls: m ? m.getAttribute('aria-controls') === b.id : null,
                     top: n.getBoundingClientRect().top, bottom: n.getBoundingClientRect().bottom }; };
        return { notes: notes.length, folded: folded.length, overlaps,
                 first: folded[0] ? info(folded[0]) : null,
                 next: folded[0] ? info(notes[notes.indexOf(folded[0]) + 1]) : null,
                 unfolded: notes.filter(n => !n.classList.contains('note-clamp')).map(info)
                             .filter(i => i.cut > 1 || i.button).length };
    "#;
    let before = js(&tab, state);
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    assert!(
        f(&before["folded"]) >= 5.0,
        "too few long notes folded: {before:#}"
    );
    assert_eq!(before["overlaps"], 0, "{before:#}");
    assert_eq!(
        before["unfolded"], 0,
        "a short note with a button or cut: {before:#}"
    );
    let first = &before["first"];
    assert!(f(&first["cut"]) > 10.0, "{before:#}");
    assert_eq!(first["button"], "Show all of this note", "{before:#}");
    assert_eq!(first["expanded"], "false", "{before:#}");
    assert_eq!(first["controls"], true, "{before:#}");
    let id = first["id"].as_str().unwrap_or_default().to_string();

    // The button shows all of it; the next note moves down to make room.
    js(
        &tab,
        &format!("document.getElementById('{id}').querySelector('.note-more').click(); return 0;"),
    );
    js(&tab, SETTLE);
    let after = js(&tab, state);
    let opened = js(
        &tab,
        &format!(
            "const n = document.getElementById('{id}'); const b = n.querySelector('.note-body'); \
             const m = n.querySelector('.note-more'); \
             return {{ cut: b.scrollHeight - b.clientHeight, expanded: m.getAttribute('aria-expanded'), \
                       label: m.textContent, bottom: n.getBoundingClientRect().bottom }};"
        ),
    );
    assert!(f(&opened["cut"]) <= 1.0, "{opened:#}");
    assert_eq!(opened["expanded"], "true", "{opened:#}");
    assert_eq!(opened["label"], "Show less of this note", "{opened:#}");
    assert_eq!(after["overlaps"], 0, "{after:#}");
    assert!(
        f(&after["next"]["top"]) >= f(&opened["bottom"]),
        "the next note did not make room: {after:#} {opened:#}"
    );

    // And again folds it; focus on a link inside a folded note shows all of it. (Its tags
    // are hidden while it is folded: cut by the fold, they crowded the button.)
    js(
        &tab,
        &format!("document.getElementById('{id}').querySelector('.note-more').click(); return 0;"),
    );
    let focused = js(
        &tab,
        r#"const n = Array.from(document.querySelectorAll('.note.note-clamp:not(.note-expanded)'))
               .find(n => n.querySelector('.note-body a[href]:not([rel="tag"])'));
           if (!n) return null;
           const b = n.querySelector('.note-body');
           const before = b.scrollHeight - b.clientHeight;
           n.querySelector('.note-body a[href]:not([rel="tag"])').focus();
           return { before, after: b.scrollHeight - b.clientHeight };"#,
    );
    assert!(
        f(&focused["before"]) > 1.0 && f(&focused["after"]) <= 1.0,
        "{focused:#}"
    );
    assert_no_console_errors(&log, HENKE);
}

/// A press on a link in the faded lines of a folded margin note follows the link. Focus
/// inside a note unfolds it (for keyboard users); a mouse press used to focus the link, so
/// the note grew under the pointer between press and release and the click was lost.
#[test]
fn a_link_in_the_faded_lines_of_a_folded_note_is_followed() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &file_url(HENKE));
    // The lowest link that the fold still shows, in a folded note: the fold fades out its
    // last lines (style.css: mask-image from 60% of its height).
    let faded = r#"Array.from(document.querySelectorAll('.note.note-clamp:not(.note-expanded) .note-body a[href]:not([rel="tag"])'))
        .filter(a => { const r = a.getClientRects(); const b = a.closest('.note-body').getBoundingClientRect();
                       return r.length === 1 && r[0].bottom <= b.bottom && r[0].top > b.top + 0.6 * b.height; })
        .sort((a, b) => b.getBoundingClientRect().bottom - a.getBoundingClientRect().bottom)[0]"#;
    let before = js(
        &tab,
        &format!(
            "const a = {faded}; if (!a) return null; const b = a.closest('.note-body'); \
             return {{ href: a.href, note: a.closest('.note').id, cut: b.scrollHeight - b.clientHeight }};"
        ),
    );
    assert!(
        before["href"].is_string(),
        "no link in the faded lines of a folded note on {HENKE}"
    );
    assert!(
        before["cut"].as_f64().is_some_and(|cut| cut > 10.0),
        "the note is not folded: {before:#}"
    );
    let href = &before["href"];
    click(&tab, &format!("({faded})"));
    wait_for(
        &tab,
        &format!("location.href === {href} && document.readyState === 'complete'"),
        "the link's target",
    );
    let errors = &seen(&log).errors;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// Notes on a heading and on lines of code (tests/sites/code): beside their passage in
/// the margin at 1280 px, under the heading or the code block at 390 px.
#[test]
fn notes_on_headings_and_code_sit_beside_them_wide_and_below_on_phones() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let site = Fixture::build("code");
    let url = site.file_url("texts/program/index.html");
    let chrome = launch();
    const MEASURE: &str = "const box = e => { const r = e.getBoundingClientRect(); \
         return { top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right }; }; \
         const of = id => { const mark = document.getElementById(`mark-${id}`); \
           const block = mark.closest('pre, h1, h2, h3'); \
           return { mark: box(mark.getClientRects()[0] ? { getBoundingClientRect: () => mark.getClientRects()[0] } : mark), \
                    block: box(block), note: box(document.getElementById(id)) }; }; \
         return { closely: of('closely'), heading: of('heading-rust'), shell: of('shell'), tabs: of('tabs') };";
    for size in [WIDE, PHONE] {
        let (tab, log) = chrome.tab(size);
        open(&tab, &url);
        let m = js(&tab, MEASURE);
        for id in ["closely", "heading", "shell", "tabs"] {
            let at = &m[id];
            let n = |part: &str, side: &str| at[part][side].as_f64().unwrap_or(f64::NAN);
            if size == WIDE {
                assert!(
                    n("note", "left") >= n("block", "right"),
                    "{id}: the note is not in the margin at {size:?}: {at}"
                );
                assert!(
                    // Within a few lines: a note may be pushed down by the one above it.
                    n("note", "top") >= n("mark", "top") - 1.0
                        && n("note", "top") < n("mark", "top") + 240.0,
                    "{id}: the note is not beside its passage at {size:?}: {at}"
                );
            } else {
                assert!(
                    n("note", "top") >= n("block", "bottom") - 1.0,
                    "{id}: the note is not below its heading or code at {size:?}: {at}"
                );
                assert!(
                    n("note", "left") < n("block", "right"),
                    "{id}: the note is not under the text at {size:?}: {at}"
                );
            }
        }
        // The first note, with none above it, starts on its passage's line.
        let first = &m["closely"];
        let gap = first["note"]["top"].as_f64().unwrap_or(f64::NAN)
            - first["mark"]["top"].as_f64().unwrap_or(f64::NAN);
        if size == WIDE {
            assert!(
                gap.abs() < 2.0,
                "the heading's note is {gap}px off: {first}"
            );
        }
        assert_no_console_errors(&log, &format!("code at {size:?}"));
    }
}

// --- Cite this --------------------------------------------------------------------------------

/// A paragraph's number, activated with the keyboard, opens the "Cite" dialog: the link to the
/// paragraph and citations with its pinpoint; Copy puts the citation on the clipboard, Escape
/// closes and gives focus back. The page's `navigator.clipboard.writeText` is wrapped in the
/// page (after load) to record what is written, so the test reads what the button copied
/// without depending on the headless browser's system clipboard.
#[test]
fn cite_a_paragraph_with_the_keyboard_and_copy_it() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &server.url(HENKE));
    js(
        &tab,
        &format!(
            "{RECORD_CLIPBOARD} \
             document.querySelector('.text-body a.pnum[href=\"#p2\"]').focus();"
        ),
    );
    tab.press_key("Enter").expect("press Enter");
    wait_for(&tab, CITE_DIALOG, "the cite dialog");
    let shown = js(
        &tab,
        "const d = document.querySelector('.cite-popover[role=dialog]'); \
         const v = s => { const e = d.querySelector(`.cite-value[data-style=\"${s}\"]`); return e && e.textContent; }; \
         return { label: d.getAttribute('aria-label'), link: v('link'), chicago: v('chicago'), \
                  mla: v('mla'), focus: d.contains(document.activeElement) && document.activeElement.tagName, \
                  hash: location.hash };",
    );
    assert_eq!(shown["label"], "Cite paragraph 2", "{shown:#}");
    let link = shown["link"].as_str().unwrap_or_default();
    assert!(
        link.ends_with("/texts/henke/index.html#p2") && link.starts_with("http://"),
        "{shown:#}"
    );
    for style in ["chicago", "mla"] {
        let c = shown[style].as_str().unwrap_or_default();
        assert!(
            c.contains(", para. 2") && c.contains("“"),
            "{style}: {shown:#}"
        );
    }
    assert_eq!(
        shown["focus"], "BUTTON",
        "focus did not move into the dialog: {shown:#}"
    );
    assert_eq!(
        shown["hash"], "",
        "the number navigated instead of opening the dialog"
    );
    screenshot(&tab, "cite-dialog", WIDE);

    // Copy the Chicago citation (Tab to its button, Enter).
    tab.press_key("Tab").expect("Tab");
    tab.press_key("Enter").expect("Enter");
    wait_for(
        &tab,
        "window.__copied.length > 0",
        "a copy to the clipboard",
    );
    let copied = js(&tab, "return window.__copied;");
    assert_eq!(copied[0], shown["chicago"], "{copied:#}");

    tab.press_key("Escape").expect("Escape");
    let after = js(
        &tab,
        "return { open: !!document.querySelector('.cite-popover'), \
                  focus: document.activeElement.getAttribute('href') };",
    );
    assert_eq!(after["open"], false, "{after}");
    assert_eq!(
        after["focus"], "#p2",
        "focus did not go back to the number: {after}"
    );
    assert_clean(&log, &server);
}

/// A French site's dialog speaks French: its label, the pinpoint ("§ 2", not "para. 2") and
/// the citations' own words (quotation marks, date, "Publié initialement dans"). The words
/// of each language are checked one by one in `src/output/html/cite.rs`.
#[test]
fn a_french_sites_cite_dialog_is_in_french() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let site = Fixture::build("french");
    let server = Server::start(&site.public);
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &server.url("textes/alliances/index.html"));
    js(
        &tab,
        "document.querySelector('.text-body a.pnum[href=\"#p2\"]').click();",
    );
    wait_for(&tab, CITE_DIALOG, "the cite dialog");
    let shown = js(
        &tab,
        "const d = document.querySelector('.cite-popover[role=dialog]'); \
         const v = s => { const e = d.querySelector(`.cite-value[data-style=\"${s}\"]`); return e && e.textContent; }; \
         return { label: d.getAttribute('aria-label'), chicago: v('chicago'), mla: v('mla'), \
                  apa: v('apa'), all: d.textContent };",
    );
    assert_eq!(shown["label"], "Citer le paragraphe 2", "{shown:#}");
    let chicago = shown["chicago"].as_str().unwrap_or_default();
    assert_eq!(
        chicago,
        "A. Autrice, «\u{a0}Les alliances\u{a0}», Lectures annotées, 1 avril 2017, §\u{a0}2. \
         Publié initialement dans https://example.org/alliances.",
        "{shown:#}"
    );
    let mla = shown["mla"].as_str().unwrap_or_default();
    assert!(mla.contains("1 avr. 2017, §\u{a0}2."), "{shown:#}");
    let all = shown["all"].as_str().unwrap_or_default();
    for english in ["para.", "April", "Originally", "“", "Copy"] {
        assert!(
            !all.contains(english),
            "`{english}` in the dialog: {shown:#}"
        );
    }
    assert_clean(&log, &server);
}

/// Without JavaScript the cite controls are links to their places: the paragraph's number to
/// `#p2`, a note's Cite link to the note, the text's to its page. With scripts off, the page is
/// read through the DevTools DOM domain (not `Runtime.evaluate`, which needs scripts).
#[test]
fn cite_controls_are_links_without_javascript() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let server = Server::start(site());
    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    let url = server.url(HENKE);
    open_without_scripts(&tab, &url);
    let attr = |selector: &str, name: &str| {
        tab.wait_for_element(selector)
            .unwrap_or_else(|e| panic!("no {selector}: {e:#}"))
            .get_attribute_value(name)
            .expect("DOM.getAttributes")
    };
    // scholia.js marks the controls as opening a dialog: it did not run.
    assert_eq!(attr(".text-body a.pnum[href='#p2']", "aria-haspopup"), None);
    let note_id = attr(".text-body .note", "id").expect("a note with an id");
    assert_eq!(
        attr(&format!("[id='{note_id}'] a.cite-link"), "href"),
        Some(format!("#{note_id}"))
    );
    assert_eq!(
        attr(".text-header a.cite-link", "href").as_deref(),
        Some("../../texts/henke/index.html")
    );
    assert_eq!(
        follow_with_enter(&tab, ".text-body a.pnum[href='#p2']", "p2"),
        format!("{url}#p2"),
        "Enter on the number did not go to #p2"
    );
    assert!(
        tab.find_element(".cite-popover").is_err(),
        "a cite dialog opened without JavaScript"
    );
}

// --- Verse --------------------------------------------------------------------------------

/// A verse text (`tests/sites/verse`): every 5th line's number shows at the inline end of
/// its line, inside the page at both widths, and is not part of the words a reader selects
/// and copies; a link to `#l12` shows line 12's number; a note on lines sits beside its
/// first line on wide screens and below its stanza's line on phones.
#[test]
fn verse_line_numbers_and_notes_beside_lines() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let site = Fixture::build("verse");
    let url = site.file_url("texts/poem/index.html");
    let chrome = launch();
    const MEASURE: &str = "const line = n => { const s = document.getElementById(`l${n}`); \
           const before = getComputedStyle(s, '::before'); \
           const range = document.createRange(); range.setStartAfter(s); range.setEnd(s.parentNode, s.parentNode.childNodes.length); \
           const words = range.getClientRects()[0]; \
           return { content: before.content, right: s.getBoundingClientRect().right, top: words ? words.top + scrollY : NaN, \
                    width: before.width }; }; \
         const stanza = document.getElementById('p1'); const sel = getSelection(); sel.selectAllChildren(stanza.querySelector('p')); \
         const copied = sel.toString(); sel.removeAllRanges(); \
         const body = document.querySelector('.text-body').getBoundingClientRect(); \
         const note = document.getElementById('sprightly').getBoundingClientRect(); \
         const mark = document.getElementById('mark-sprightly').getClientRects()[0]; \
         return { l5: line(5), l4: line(4), copied, bodyRight: body.right, \
                  note: { top: note.top + scrollY, left: note.left }, mark: { top: mark.top + scrollY, right: mark.right }, \
                  overflow: document.documentElement.scrollWidth - innerWidth };";
    for size in [WIDE, PHONE] {
        let (tab, log) = chrome.tab(size);
        open(&tab, &url);
        let m = js(&tab, MEASURE);
        let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
        assert!(
            f(&m["overflow"]) <= 0.0,
            "the poem overflows at {size:?}: {m}"
        );
        assert_eq!(
            m["l5"]["content"], "\"5\" / \"\"",
            "line 5 shows its number: {m}"
        );
        assert_eq!(m["l4"]["content"], "none", "line 4 shows none: {m}");
        // The stanza's words are copied without the numbers, line by line.
        let copied = m["copied"].as_str().unwrap_or_default();
        assert!(
            copied.starts_with("I wandered lonely as a cloud\n") && !copied.contains('5'),
            "copied: {copied:?}"
        );
        assert!(copied.contains("\nBeside the lake"), "copied: {copied:?}");
        let (note, mark) = (&m["note"], &m["mark"]);
        if size == WIDE {
            assert!(
                f(&note["left"]) >= f(&m["bodyRight"]),
                "the note is not in the margin: {m}"
            );
            assert!(
                f(&note["top"]) >= f(&mark["top"]) - 1.0
                    && f(&note["top"]) < f(&mark["top"]) + 240.0,
                "the note is not beside line 12: {m}"
            );
        } else {
            assert!(
                f(&note["top"]) > f(&mark["top"]),
                "the note is not below line 12: {m}"
            );
        }
        // Following a link to a line that shows no number shows it.
        let target = js(
            &tab,
            "location.hash = '#l12'; \
             return getComputedStyle(document.getElementById('l12'), '::before').content;",
        );
        assert_eq!(target, "\"12\" / \"\"", "at #l12");
        screenshot(&tab, &format!("verse-{}", size.0), size);
        assert_no_console_errors(&log, &format!("verse at {size:?}"));
    }
}

/// One click on a verse line's box (here line 7, whose number does not show) opens the cite
/// dialog for that line: its link (`#l7`) and citations with "line 7"; Copy puts the
/// citation on the clipboard. Escape gives focus back to the line, and the arrow keys go on to
/// line 8, whose link is then named and focusable, line 7's hidden again. A note on lines 7 to
/// 9 is cited with "lines 7–9".
#[test]
fn cite_a_verse_line_in_one_click_and_move_by_line_with_the_keyboard() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let site = Fixture::build("verse");
    let server = Server::start(&site.public);
    let chrome = launch();
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &server.url("texts/poem/index.html"));
    js(&tab, RECORD_CLIPBOARD);
    tab.find_element("#l7")
        .expect("line 7's link")
        .click()
        .expect("click line 7");
    wait_for(&tab, CITE_DIALOG, "the cite dialog");
    const SHOWN: &str = "const d = document.querySelector('.cite-popover[role=dialog]'); \
         const v = s => { const e = d.querySelector(`.cite-value[data-style=\"${s}\"]`); return e && e.textContent; }; \
         return { label: d.getAttribute('aria-label'), link: v('link'), chicago: v('chicago'), \
                  mla: v('mla'), apa: v('apa (in text)'), hash: location.hash };";
    let shown = js(&tab, SHOWN);
    assert_eq!(shown["label"], "Cite line 7", "{shown:#}");
    let link = shown["link"].as_str().unwrap_or_default();
    assert!(
        link.starts_with("http://") && link.ends_with("/texts/poem/index.html#l7"),
        "{shown:#}"
    );
    for style in ["chicago", "mla"] {
        let c = shown[style].as_str().unwrap_or_default();
        assert!(
            c.contains(", line 7") && c.contains("Wordsworth"),
            "{style}: {shown:#}"
        );
    }
    assert_eq!(shown["hash"], "", "the click navigated: {shown:#}");
    js(
        &tab,
        "document.querySelector('.cite-value[data-style=chicago] + button').click();",
    );
    wait_for(
        &tab,
        "window.__copied.length > 0",
        "a copy to the clipboard",
    );
    let copied = js(&tab, "return window.__copied;");
    assert_eq!(copied[0], shown["chicago"], "{copied:#}");
    screenshot(&tab, "cite-verse-line", WIDE);

    tab.press_key("Escape").expect("Escape");
    const FOCUS: &str = "const a = document.activeElement; \
         return { id: a.id, hidden: a.getAttribute('aria-hidden'), tabindex: a.getAttribute('tabindex'), \
                  label: a.getAttribute('aria-label'), open: !!document.querySelector('.cite-popover'), \
                  l7: document.getElementById('l7').getAttribute('aria-hidden') };";
    let after = js(&tab, FOCUS);
    assert_eq!(after["open"], false, "{after}");
    assert_eq!(after["id"], "l7", "focus is not back on line 7: {after}");
    assert_eq!(after["hidden"], Value::Null, "{after}");
    tab.press_key("ArrowDown").expect("ArrowDown");
    let moved = js(&tab, FOCUS);
    assert_eq!(moved["id"], "l8", "{moved}");
    assert_eq!(moved["hidden"], Value::Null, "{moved}");
    assert_eq!(moved["tabindex"], "0", "{moved}");
    assert_eq!(moved["label"], "Cite line 8", "{moved}");
    assert_eq!(moved["l7"], "true", "line 7 stays reachable: {moved}");
    tab.press_key("Enter").expect("Enter");
    wait_for(
        &tab,
        "document.querySelector('.cite-popover[role=dialog]')",
        "the cite dialog of line 8",
    );
    assert_eq!(js(&tab, SHOWN)["label"], "Cite line 8");
    tab.press_key("Escape").expect("Escape");

    // A note on lines 7 to 9 cites them.
    js(
        &tab,
        "document.querySelector('#stars a.cite-link').click();",
    );
    wait_for(
        &tab,
        "document.querySelector('.cite-popover[role=dialog]')",
        "the note's cite dialog",
    );
    let note = js(&tab, SHOWN);
    assert_eq!(note["label"], "Cite this note", "{note:#}");
    let chicago = note["chicago"].as_str().unwrap_or_default();
    assert!(chicago.contains(", lines 7–9"), "{note:#}");
    assert!(
        note["link"]
            .as_str()
            .unwrap_or_default()
            .ends_with("#stars"),
        "{note:#}"
    );
    assert_clean(&log, &server);
}

/// Without JavaScript a verse line's box is a plain link to the line: following it goes to
/// `#l7` and opens no dialog.
#[test]
fn a_verse_lines_link_goes_to_the_line_without_javascript() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let site = Fixture::build("verse");
    let server = Server::start(&site.public);
    let chrome = launch();
    let (tab, _log) = chrome.tab(WIDE);
    let url = server.url("texts/poem/index.html");
    open_without_scripts(&tab, &url);
    let line = tab.wait_for_element("#l7").expect("line 7");
    assert_eq!(
        line.get_attribute_value("href").expect("DOM.getAttributes"),
        Some("#l7".to_string())
    );
    assert_eq!(
        line.get_attribute_value("aria-haspopup")
            .expect("DOM.getAttributes"),
        None,
        "scholia.js ran"
    );
    assert_eq!(
        follow_with_enter(&tab, "#l7", "l7"),
        format!("{url}#l7"),
        "Enter on line 7 did not go to #l7"
    );
    assert!(
        tab.find_element(".cite-popover").is_err(),
        "a cite dialog opened without JavaScript"
    );
}

/// A right-to-left verse text (`tests/sites/arabic-verse`): the line numbers sit at the
/// column's inline end, on the left of the words, inside the page at both widths; the notes
/// are mirrored into the left margin on wide screens; a note on lines 3 and 4 sits beside
/// line 3; a click on a line cites it in Arabic.
#[test]
fn right_to_left_verse_numbers_its_lines_on_the_left_and_mirrors_its_notes() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let site = Fixture::build("arabic-verse");
    let server = Server::start(&site.public);
    let chrome = launch();
    const MEASURE: &str = "const line = n => { const s = document.getElementById(`l${n}`); \
           const range = document.createRange(); range.setStartAfter(s); range.setEnd(s.parentNode, s.parentNode.childNodes.length); \
           const words = range.getClientRects()[0]; const box = s.getBoundingClientRect(); \
           return { content: getComputedStyle(s, '::before').content, left: box.left, right: box.right, top: box.top + scrollY, \
                    height: box.height, wordsLeft: words ? words.left : NaN, wordsTop: words ? words.top + scrollY : NaN }; }; \
         const body = document.querySelector('.text-body').getBoundingClientRect(); \
         const note = document.getElementById('places').getBoundingClientRect(); \
         return { dir: document.documentElement.dir, l5: line(5), l3: line(3), \
                  body: { left: body.left, right: body.right }, note: { top: note.top + scrollY, right: note.right, left: note.left }, \
                  overflow: document.documentElement.scrollWidth - innerWidth };";
    for size in [WIDE, PHONE] {
        let (tab, log) = chrome.tab(size);
        open(&tab, &server.url("texts/muallaqa/index.html"));
        let m = js(&tab, MEASURE);
        let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
        assert_eq!(m["dir"], "rtl", "{m}");
        assert!(f(&m["overflow"]) <= 0.0, "overflows at {size:?}: {m}");
        let l5 = &m["l5"];
        assert_eq!(
            l5["content"], "\"5\" / \"\"",
            "line 5 shows its number: {m}"
        );
        assert!(
            f(&l5["left"]) >= f(&m["body"]["left"]) - 0.5
                && f(&l5["right"]) <= f(&l5["wordsLeft"]) + 0.5,
            "line 5's number is not on the left of its words at {size:?}: {m}"
        );
        // Every line's box is as high as a line (24 px at least: a target to click), its
        // number shown or not.
        for l in [l5, &m["l3"]] {
            assert!(
                f(&l["height"]) >= 24.0
                    && (f(&l["height"]) - f(&l5["height"])).abs() < 0.5
                    && (f(&l["top"]) - f(&l["wordsTop"])).abs() < 12.0,
                "a line's box is not a line high, beside its line, at {size:?}: {m}"
            );
        }
        let note = &m["note"];
        if size == WIDE {
            assert!(
                f(&note["right"]) <= f(&m["body"]["left"]),
                "the note is not in the left margin: {m}"
            );
            // Beside line 3, or below it when the note on line 1 takes the room.
            assert!(
                f(&note["top"]) >= f(&m["l3"]["top"]) - 1.0
                    && f(&note["top"]) < f(&m["l3"]["top"]) + 240.0,
                "the note is not beside line 3: {m}"
            );
        } else {
            assert!(f(&note["top"]) > f(&m["l3"]["top"]), "{m}");
        }
        screenshot(&tab, &format!("arabic-verse-{}", size.0), size);
        if size == WIDE {
            tab.find_element("#l4")
                .expect("line 4")
                .click()
                .expect("click line 4");
            wait_for(&tab, CITE_DIALOG, "the cite dialog");
            let chicago = js(
                &tab,
                "const d = document.querySelector('.cite-popover[role=dialog]'); \
                 return { label: d.getAttribute('aria-label'), \
                          chicago: d.querySelector('.cite-value[data-style=chicago]').textContent };",
            );
            assert_eq!(chicago["label"], "استشهد بالسطر 4", "{chicago}");
            assert!(
                chicago["chicago"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("السطر 4"),
                "{chicago}"
            );
        }
        assert_no_console_errors(&log, &format!("arabic verse at {size:?}"));
    }
}
