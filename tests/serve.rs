//! `scholia serve`'s rebuilds (issue 10): a saved text is rebuilt without rewriting the
//! files it does not change. A real server on a copy of a fixture site; each wait is
//! bounded to detect a hang, never to measure speed.

use std::path::Path;
use std::time::SystemTime;

use crate::support;
use crate::support::serve::{write, Served};

/// Serves the crosslinks site with one more text, `solo`, that links to nothing and that
/// nothing links to.
fn start() -> Served {
    let site = support::copy_site(&support::fixture("sites/crosslinks"));
    write(
        &site.path().join("content/unit-2/solo.md"),
        "---\ntitle: Alone\norder: 9\n---\n\nA text on its own.\n",
    );
    Served::start(site, &[])
}

impl Served {
    fn page(&self, slug: &str) -> String {
        std::fs::read_to_string(self.path(&format!("public/{slug}/index.html")))
            .unwrap_or_else(|e| panic!("{slug}: {e}\n{}", self.log()))
    }
}

/// What changes when a file is written again, even with the same bytes: a new file
/// renamed over it has a new inode.
#[cfg(unix)]
fn identity(path: &Path) -> (u64, SystemTime) {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let modified = meta.modified().unwrap_or_else(|e| panic!("{e}"));
    (meta.ino(), modified)
}

/// Editing a paragraph of `war` that links to `peace` rebuilds `war`'s page and the
/// "Referenced by" of `peace` (it quotes that paragraph), and leaves `solo`'s page, which
/// shows nothing of `war`, as it was on disk.
#[cfg(unix)]
#[test]
fn a_saved_text_rewrites_its_page_and_its_backlinks_only() {
    let served = start();
    let solo = served.path("public/unit-2/solo/index.html");
    let solo_before = identity(&solo);
    assert!(served
        .page("unit-2/peace")
        .contains("shifts when a great power rises"));
    let war = served.path("content/unit-1/war.md");
    let text = std::fs::read_to_string(&war).unwrap_or_else(|e| panic!("{e}"));
    write(&war, &text.replace("power shifts when", "power tilts when"));

    let log = served.wait_for_lines("search index updated", 1);
    let rebuilt = log
        .lines()
        .find(|l| l.starts_with("rebuilt "))
        .unwrap_or_else(|| panic!("no rebuild line:\n{log}"));
    assert!(rebuilt.contains(" written"), "{rebuilt}");
    assert!(!log.contains("error"), "{log}");
    let war = served.page("unit-1/war");
    assert!(
        war.contains(" tilts when") && !war.contains("shifts when"),
        "{war}"
    );
    let peace = served.page("unit-2/peace");
    assert!(
        peace.contains("tilts when a great power rises") && !peace.contains("shifts when"),
        "the backlink on peace still quotes the old words:\n{peace}"
    );
    assert_eq!(
        identity(&solo),
        solo_before,
        "solo's page was written again:\n{log}"
    );
}

/// A mistake in a saved sidecar fails the rebuild, keeps the last good site, and once
/// fixed the site is rebuilt from it.
#[test]
fn a_failed_rebuild_keeps_the_last_good_site() {
    let served = start();
    let sidecar = served.path("content/unit-1/war.yaml");
    let good = std::fs::read_to_string(&sidecar).unwrap_or_else(|e| panic!("{e}"));
    let page = served.page("unit-1/war");
    write(&sidecar, &good.replace("annotations:", "notes:"));
    let log = served.wait_for_lines("error: the build failed", 1);
    assert!(log.contains("unknown key `notes`"), "{log}");
    assert_eq!(served.page("unit-1/war"), page);
    write(
        &sidecar,
        &good.replace("Power transition theory.", "Power transition, revised."),
    );
    served.wait_for_lines("rebuilt ", 1);
    assert!(served
        .page("unit-1/war")
        .contains("Power transition, revised."));
}

/// A rebuild that fails after writing its pages (the site's `annotations.jsonld` cannot
/// be replaced: a folder took its name) leaves its texts to the next rebuild: the outputs
/// after the pages (the site's annotations, joined from a part kept per text; handouts)
/// make them again then, and the site is the built one.
#[test]
fn a_rebuild_failing_after_its_pages_leaves_no_output_stale() {
    let served = start();
    let site_file = served.path("public/annotations.jsonld");
    std::fs::remove_file(&site_file).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(&site_file).unwrap_or_else(|e| panic!("{e}"));
    served.edit(
        "content/unit-1/war.yaml",
        "Power transition theory.",
        "Power transition, revised.",
    );
    let log = served.wait_for_lines("error: ", 1);
    assert!(
        log.contains("rebuilt "),
        "the pages were not written first:\n{log}"
    );
    std::fs::remove_dir(&site_file).unwrap_or_else(|e| panic!("{e}"));
    served.edit(
        "content/unit-2/solo.md",
        "A text on its own.",
        "A text alone.",
    );
    served.wait_for_lines("search index updated", 1);
    served.assert_same_as_a_build("a rebuild after one that failed in the annotations");
}

impl Served {
    /// Asserts that the served output folder holds exactly what a fresh `scholia build`
    /// of the same content makes, byte for byte, and a search index that answers every
    /// query as the build's: `serve` updates the index in place, keeping the layout of
    /// its last full build (shard boundaries, tail piece numbers, documents per chunk),
    /// so the files under `search/` may be cut otherwise.
    fn assert_same_as_a_build(&self, after: &str) {
        let fresh = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = fresh.path().join("public");
        let run = support::scholia(self.site(), &["build", ".", "-o", &out.to_string_lossy()]);
        assert_eq!(run.status, 0, "build failed after {after}:\n{}", run.stderr);
        let (built, built_index) = split_index(support::site_files(&out));
        let (served, served_index) = split_index(support::site_files(&self.path("public")));
        let paths =
            |m: &std::collections::BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(paths(&served), paths(&built), "after {after}");
        for (path, bytes) in &built {
            assert!(
                served.get(path) == Some(bytes),
                "after {after}, `{path}` differs from a fresh build's:\n{}\n---\n{}",
                String::from_utf8_lossy(served.get(path).map_or(&[][..], |b| &b[..])),
                String::from_utf8_lossy(bytes),
            );
        }
        let served = scholia::search::live::answers(&served_index);
        let built = scholia::search::live::answers(&built_index);
        assert!(
            served.misplaced.is_empty(),
            "after {after}: {:?}",
            served.misplaced
        );
        assert!(
            served.unreadable.is_empty(),
            "after {after}: {:?}",
            served.unreadable
        );
        assert!(
            served.unused.is_empty(),
            "after {after}: {:?}",
            served.unused
        );
        assert!(!built.terms.is_empty(), "after {after}: an empty index");
        assert!(
            served == built,
            "after {after}, the search index answers otherwise"
        );
    }
}

/// The files of a built site: all but the search index's (`search/*.js`), and those.
#[allow(clippy::type_complexity)]
fn split_index(
    files: std::collections::BTreeMap<String, Vec<u8>>,
) -> (
    std::collections::BTreeMap<String, Vec<u8>>,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    files
        .into_iter()
        .partition(|(path, _)| !(path.starts_with("search/") && path.ends_with(".js")))
}

/// After each of a series of edits, each rebuilding only what changed, the served folder
/// is what a full build of the same content makes: the incremental rebuild misses no page
/// that depends on the edit (backlinks, related notes, tag pages, previews, the home page,
/// the glossary's "cited by") and leaves no page that should be gone.
#[test]
fn after_each_edit_the_served_site_is_the_built_site() {
    let served = start();
    served.assert_same_as_a_build("the first build");
    let mut rebuilds = 0;
    let mut step = |what: &str, rel: &str, from: &str, to: &str| {
        served.edit(rel, from, to);
        rebuilds += 1;
        served.wait_for_lines("search index updated", rebuilds);
        served.assert_same_as_a_build(what);
    };
    step(
        "a paragraph changed",
        "content/unit-1/war.md",
        "Every alliance has a price.",
        "Every alliance costs something.",
    );
    step(
        "a cross-link added",
        "content/unit-2/solo.md",
        "A text on its own.",
        "A text on its own, citing [[unit-1/war#rises]] and [[glossary#balance-of-power]].",
    );
    step(
        "a cross-link removed",
        "content/unit-2/solo.md",
        ", citing [[unit-1/war#rises]] and [[glossary#balance-of-power]].",
        ".",
    );
    step(
        "a note's tags changed (one tag gone, one new)",
        "content/unit-1/war.yaml",
        "tags: [Alliances, history]",
        "tags: [Alliances, memory]",
    );
    step(
        "a title changed",
        "content/unit-2/peace.md",
        "title: Peace",
        "title: Peace Kept",
    );
    step(
        "a note's body changed",
        "content/unit-2/peace.yaml",
        "See [[unit-1/war#treaty]]",
        "Compare [[unit-1/war#treaty]]",
    );

    step(
        "a note renamed",
        "content/unit-1/war.yaml",
        "id: rises",
        "id: rising",
    );
    step(
        "a link to the renamed note (its backlinks, previews)",
        "content/unit-2/solo.md",
        "A text on its own.",
        "A text on its own, after [[unit-1/war#rising]].",
    );
    step(
        "a tag two texts shared dropped (related notes)",
        "content/unit-2/peace.yaml",
        "tags: [alliances, power]",
        "tags: [alliances]",
    );

    // A broken sidecar fails the rebuild (the text's notes are refused); repaired, the
    // site is the built one again.
    let sidecar = "content/unit-1/war.yaml";
    served.edit(sidecar, "annotations:", "notes:");
    served.wait_for_lines("error: the build failed", 1);
    step("a sidecar repaired", sidecar, "notes:", "annotations:");

    // A broken cross-link fails the rebuild; what changed meanwhile is written once it is
    // repaired.
    let solo = "content/unit-2/solo.md";
    served.edit(solo, "[[unit-1/war#rising]]", "[[unit-1/war#risen]]");
    served.wait_for_lines("error: the build failed", 2);
    step(
        "a broken link repaired elsewhere",
        solo,
        "[[unit-1/war#risen]]",
        "[[unit-2/peace#calm]]",
    );
}

// --- Live reload and errors in the page (issue 13) -----------------------------------------

/// Sends a GET for `path` to the server and returns the answer's head and body.
fn get(served: &Served, path: &str) -> (String, String) {
    use std::io::{Read as _, Write as _};
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap_or_else(|e| panic!("{e}"));
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap_or_else(|e| panic!("{e}"));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        served.port
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut bytes = Vec::new();
    stream
        .read_to_end(&mut bytes)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_string(), body.to_string())
}

/// The tag serve adds to the pages it serves.
const LIVE_TAG: &str = "<script src=\"/_scholia/live.js\"";

/// Every file of a site that mentions serve's live script or its event stream.
fn live_traces(root: &Path) -> Vec<String> {
    support::site_files(root)
        .into_iter()
        .filter(|(_, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            text.contains("_scholia") || text.contains("EventSource")
        })
        .map(|(path, _)| path)
        .collect()
}

/// The live script is in the pages serve answers with, never in the files it writes, nor
/// in a build; serve's own files are answered under `/_scholia/`.
#[test]
fn the_live_script_is_in_served_pages_only() {
    let served = start();
    for page in ["", "unit-1/war/", "no/such/page.html"] {
        let (head, body) = get(&served, &format!("/{page}"));
        assert!(body.contains(LIVE_TAG), "/{page}: {head}\n{body}");
        assert_eq!(body.matches(LIVE_TAG).count(), 1, "/{page}");
        let at = body.find(LIVE_TAG).unwrap_or_default();
        assert!(body[at..].contains("</head>"), "/{page}: not in the head");
    }
    let (head, body) = get(&served, "/_scholia/live.js");
    assert!(head.starts_with("HTTP/1.1 200") && head.contains("text/javascript"));
    assert!(body.contains("EventSource"), "{body}");
    let (head, _) = get(&served, "/_scholia/live.css");
    assert!(head.starts_with("HTTP/1.1 200") && head.contains("text/css"));
    let style = support::asset(&served.path("public"), "style.css");
    let style = style
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (head, body) = get(&served, &format!("/assets/{style}"));
    assert!(head.starts_with("HTTP/1.1 200") && !body.contains(LIVE_TAG));
    assert_eq!(live_traces(&served.path("public")), Vec::<String>::new());
    let copy = support::copy_site(&support::fixture("sites/crosslinks"));
    let built = support::build_ok(copy.path(), &[]);
    assert_eq!(live_traces(&built), Vec::<String>::new());
}

/// The event stream says the site's state as JSON at once: a good build, numbered.
#[test]
fn the_event_stream_starts_with_the_state_of_the_site() {
    use std::io::{BufRead as _, BufReader, Write as _};
    let served = start();
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap_or_else(|e| panic!("{e}"));
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap_or_else(|e| panic!("{e}"));
    let request = format!(
        "GET /_scholia/events HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
        served.port
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let data = loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("{e}\n{head}"));
        assert!(n > 0, "the stream ended:\n{head}");
        if let Some(data) = line.strip_prefix("data: ") {
            break data.trim().to_string();
        }
        head.push_str(&line);
    };
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{head}"
    );
    let status: serde_json::Value = serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status["state"], "ok", "{status}");
    assert_eq!(status["build"], 1, "{status}");
}

/// Ctrl-C stops serve with status 0, and it leaves nothing beside the output folder, even
/// when it comes as a full rebuild starts.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_leaves_nothing_behind() {
    let mut served = start();
    let before: Vec<_> = names(served.site());
    served.edit("content/_site.yaml", "title:", "title: Live,");
    let status = served.interrupt();
    let log = served.log();
    assert!(status.success(), "{status:?}:\n{log}");
    assert!(log.lines().any(|l| l == "stopped"), "{log}");
    assert_eq!(names(served.site()), before, "{log}");
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{e}"))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Issue 13's authoring loop in a real browser against a real `scholia serve`: an open page
/// shows a saved text's new words by itself, keeping its scroll position; a broken sidecar
/// shows its diagnostics over the page (in every open page, and at once in a page opened
/// while the site is broken), in a labelled dialog that Escape and its button dismiss;
/// repairing the sidecar takes it away.
#[test]
fn an_open_page_follows_saves_and_shows_what_broke() {
    use crate::support::browser::{self, js, wait_for};
    if support::missing(&[support::Tool::Chromium]) {
        return;
    }
    let site = support::copy_site(&support::fixture("sites/crosslinks"));
    let paragraphs: Vec<String> = (1..=80)
        .map(|i| format!("Paragraph {i} of a long text, long enough to scroll."))
        .collect();
    write(
        &site.path().join("content/unit-2/long.md"),
        &format!(
            "---\ntitle: Long\norder: 9\n---\n\n{}\n",
            paragraphs.join("\n\n")
        ),
    );
    let served = Served::start(site, &[]);
    let chrome = browser::launch();
    let (tab, seen) = chrome.tab(browser::WIDE);
    browser::open(&tab, &served.url("unit-2/long/"));
    let y = js(
        &tab,
        "window.scrollTo({ top: 1200, behavior: 'instant' }); window.loadedBefore = true; \
         return window.scrollY;",
    );
    assert_eq!(y, 1200, "the page is too short to scroll");

    // A saved text: its new words appear, the page scrolled where it was (the edited
    // paragraph was in view).
    let n = js(
        &tab,
        "const p = [...document.querySelectorAll('.para')] \
             .find(p => p.getBoundingClientRect().top >= innerHeight / 3); \
         return Number(p.id.slice(1));",
    );
    let n = n
        .as_u64()
        .unwrap_or_else(|| panic!("no paragraph in view: {n}"));
    served.edit(
        "content/unit-2/long.md",
        &format!("Paragraph {n} of"),
        &format!("Paragraph {n}, edited, of"),
    );
    wait_for(
        &tab,
        &format!(
            "!window.loadedBefore && document.body.textContent.includes('Paragraph {n}, edited, of') \
             && document.readyState === 'complete' && Math.abs(window.scrollY - 1200) < 2"
        ),
        "the new words, at the same scroll position",
    );

    // A paragraph edited out of sight is brought into view.
    js(
        &tab,
        "window.scrollTo({ top: 0, behavior: 'instant' }); window.loadedBefore = true;",
    );
    served.edit(
        "content/unit-2/long.md",
        "Paragraph 75 of",
        "Paragraph 75, edited, of",
    );
    wait_for(
        &tab,
        "!window.loadedBefore && document.readyState === 'complete' \
         && document.getElementById('p75').textContent.includes('Paragraph 75, edited, of') \
         && (() => { const b = document.getElementById('p75').getBoundingClientRect(); \
                     return b.top >= 0 && b.bottom <= innerHeight; })()",
        "the edited paragraph, brought into view",
    );

    // A broken sidecar: the dialog, with the file, line and column, message and help.
    browser::open(&tab, &served.url("unit-1/war/"));
    served.edit("content/unit-1/war.yaml", "annotations:", "notes:");
    wait_for(
        &tab,
        "document.querySelector('#scholia-live[open]')",
        "the dialog of diagnostics",
    );
    let dialog = js(
        &tab,
        "const d = document.getElementById('scholia-live'); \
         const label = document.getElementById(d.getAttribute('aria-labelledby')); \
         return { role: d.getAttribute('role'), label: label && label.textContent, \
                  text: d.innerText, focused: document.activeElement.textContent, \
                  inDialog: d.contains(document.activeElement), \
                  page: document.querySelector('main') ? document.querySelector('main').textContent : '' };",
    );
    assert_eq!(dialog["role"], "alertdialog", "{dialog:#}");
    assert_eq!(dialog["label"], "The site did not rebuild", "{dialog:#}");
    assert!(
        dialog["inDialog"] == true && dialog["focused"] == "Dismiss",
        "focus is not on the dialog's button: {dialog:#}"
    );
    let text = dialog["text"].as_str().unwrap_or_default();
    for expected in [
        "error: unknown key `notes`",
        "content/unit-1/war.yaml:1:1",
        "help: the keys allowed here are",
    ] {
        assert!(
            text.contains(expected),
            "no `{expected}` in the dialog:\n{text}"
        );
    }
    assert!(
        dialog["page"]
            .as_str()
            .is_some_and(|p| p.contains("treaty of alliance binds states")),
        "the last good page is not under the dialog: {dialog:#}"
    );
    browser::screenshot(&tab, "serve-errors-in-the-page", browser::WIDE);
    tab.press_key("Escape").expect("Escape");
    wait_for(
        &tab,
        "!document.querySelector('#scholia-live[open]')",
        "Escape to close the dialog",
    );

    // A page opened while the site is broken shows why at once; its button closes it.
    let (other, other_seen) = chrome.tab(browser::WIDE);
    browser::open(&other, &served.url("unit-2/peace/"));
    wait_for(
        &other,
        "document.querySelector('#scholia-live[open]') && \
         document.getElementById('scholia-live').textContent.includes('content/unit-1/war.yaml:1:1')",
        "the dialog in a page opened while the site is broken",
    );
    browser::click(
        &other,
        "document.querySelector('#scholia-live .scholia-live-close')",
    );
    wait_for(
        &other,
        "!document.querySelector('#scholia-live[open]')",
        "the button to close the dialog",
    );

    // Broken again and then repaired: the dialog shows, then goes, by itself.
    tab.activate().expect("activate the first tab");
    let sidecar = served.path("content/unit-1/war.yaml");
    let broken = support::read(&sidecar);
    write(
        &sidecar,
        &broken.replacen("notes:", "annotations:", 1).replacen(
            "- id: treaty",
            "- id: treaty\n    bogus: 1",
            1,
        ),
    );
    wait_for(
        &tab,
        "document.querySelector('#scholia-live[open]') && \
         document.getElementById('scholia-live').textContent.includes('bogus')",
        "the dialog of the second mistake",
    );
    served.edit("content/unit-1/war.yaml", "\n    bogus: 1", "");
    wait_for(
        &tab,
        "document.readyState === 'complete' && !document.querySelector('#scholia-live[open]') \
         && document.querySelector('mark.passage[data-note]')",
        "the dialog to go once the sidecar is repaired",
    );
    browser::assert_no_console_errors(&seen, "the page served live");
    browser::assert_no_console_errors(&other_seen, "the page opened while broken");
}

/// The dialog of diagnostics has no accessibility violations (axe: WCAG 2.2 AA and best
/// practice), in the light and the dark scheme, and closing it gives focus back.
#[test]
fn the_dialog_of_diagnostics_is_accessible() {
    use crate::support::browser::{self, js, wait_for};
    use crate::support::Tool;
    if support::missing(&[Tool::Chromium, Tool::Axe]) {
        return;
    }
    let axe = support::read(&support::tool(Tool::Axe));
    let served = start();
    let chrome = browser::launch();
    let (tab, seen) = chrome.tab(browser::WIDE);
    browser::open(&tab, &served.url("unit-1/war/"));
    js(
        &tab,
        "const a = document.querySelector('main a[href]'); a.focus(); \
         window.focusedBefore = a;",
    );
    served.edit("content/unit-1/war.yaml", "annotations:", "notes:");
    wait_for(
        &tab,
        "document.querySelector('#scholia-live[open]') && \
         [...document.styleSheets].some(s => s.href && s.href.endsWith('/_scholia/live.css') \
                                            && s.cssRules.length > 0)",
        "the dialog, styled",
    );
    tab.evaluate(&axe, false)
        .unwrap_or_else(|e| panic!("cannot evaluate axe.min.js: {e:#}"));
    for scheme in ["light", "dark"] {
        browser::color_scheme(&tab, scheme);
        let found = js(
            &tab,
            "const r = await axe.run('#scholia-live', { runOnly: { type: 'tag', values: \
                 ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }); \
             return { passes: r.passes.length, violations: r.violations.map(v => \
                 v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', ')) };",
        );
        assert!(
            found["passes"].as_u64().unwrap_or(0) > 0,
            "axe checked nothing: {found:#}"
        );
        assert_eq!(
            found["violations"],
            serde_json::json!([]),
            "{scheme} scheme: {found:#}"
        );
    }
    tab.press_key("Escape").expect("Escape");
    wait_for(
        &tab,
        "!document.querySelector('#scholia-live[open]') \
         && document.activeElement === window.focusedBefore",
        "focus back on the link focused before the dialog",
    );
    browser::assert_no_console_errors(&seen, "the dialog of diagnostics");
}
