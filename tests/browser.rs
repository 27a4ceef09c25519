//! Real-browser tests: the bundled site, built once per test process, opened in headless
//! Chromium (`$CHROMIUM`, or `chromium` on `PATH`) through the DevTools protocol.
//!
//! The site is opened both from `file://` and from a small loopback HTTP server that mounts
//! it under the subpath `/reader/`, the way GitHub project pages serve a site, so relative
//! links and assets are checked in both modes. Without Chromium, plain `cargo test` skips
//! these tests with a notice, and `cargo xtask test` (which installs it) or CI fails them:
//! see `support::missing`.
//!
//! Each test launches its own browser with a fresh profile and a temporary `HOME`. Screenshots
//! of every page type at both widths go to `target/screenshots/` for people to look at.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use headless_chrome::browser::tab::point::Point;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Log, Network, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

use crate::support::{self, Tool};

/// Desktop and phone viewports (CSS pixels).
pub(crate) const WIDE: (u32, u32) = (1280, 900);
pub(crate) const PHONE: (u32, u32) = (390, 844);

/// The page types of the bundled site, as paths relative to the site root.
const PAGES: [(&str, &str); 4] = [
    ("index", "index.html"),
    ("henke", "texts/henke/index.html"),
    ("alliances", "texts/alliances/index.html"),
    ("glossary", "glossary/index.html"),
];
pub(crate) const HENKE: &str = "texts/henke/index.html";

// --- The site -------------------------------------------------------------------------------

/// The bundled site, built once per test process into `target/tmp/` (a static is never dropped,
/// so old builds left by earlier runs are removed here instead).
pub(crate) fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_builds(tmp);
        let dir = tempfile::Builder::new()
            .prefix("browser-site-")
            .tempdir_in(tmp)
            .unwrap_or_else(|e| panic!("cannot make a temporary folder in {}: {e}", tmp.display()))
            .keep();
        let out = dir.join("public");
        let run = support::scholia(
            &support::repo(),
            &["build", ".", "-o", &out.to_string_lossy()],
        );
        assert_eq!(
            run.status, 0,
            "bundled site failed to build:\n{}",
            run.stderr
        );
        out
    })
}

fn remove_stale_builds(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("browser-site-")
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

pub(crate) fn file_url(rel: &str) -> String {
    let path = site().join(rel);
    let path = path
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    format!("file://{}", path.display())
}

// --- A loopback static file server under /reader/ -------------------------------------------

/// Serves the built site at `http://127.0.0.1:PORT/reader/`, logging every request. It stops
/// when dropped; connection threads end when the browser closes its sockets (or after a
/// read timeout).
pub(crate) struct Server {
    origin: String,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<(u16, String)>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

const MOUNT: &str = "/reader/";

impl Server {
    pub(crate) fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let root = root.canonicalize().expect("canonical site root");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (log, stop) = (Arc::clone(&log), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (root, log) = (root.clone(), Arc::clone(&log));
                    thread::spawn(move || serve(stream, &root, &log));
                }
            })
        };
        Server {
            origin: format!("http://{addr}"),
            addr,
            log,
            stop,
            accept: Some(accept),
        }
    }

    /// The URL of a page of the site (`rel` relative to the site root).
    pub(crate) fn url(&self, rel: &str) -> String {
        format!("{}{MOUNT}{rel}", self.origin)
    }

    pub(crate) fn requests(&self) -> Vec<(u16, String)> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn failures(&self) -> Vec<(u16, String)> {
        self.requests()
            .into_iter()
            .filter(|(status, _)| *status != 200)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Answers one request on `stream` (HTTP/1.1, `Connection: close`).
fn serve(stream: TcpStream, root: &Path, log: &Mutex<Vec<(u16, String)>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return; // a speculative connection that never sent a request
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim_end().is_empty() => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split(['?', '#']).next().unwrap_or("");
    let (status, content_type, body) = if method != "GET" && method != "HEAD" {
        (405, "text/plain", b"method not allowed".to_vec())
    } else {
        match resolve(root, path) {
            Ok(file) => match std::fs::read(&file) {
                Ok(bytes) => (200, content_type(&file), bytes),
                Err(_) => (404, "text/plain", b"not found".to_vec()),
            },
            Err(status) => (status, "text/plain", b"not found or refused".to_vec()),
        }
    };
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((status, target.to_string()));
    let reason = match status {
        200 => "OK",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        _ => "Not Found",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = &stream;
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
}

/// Maps a request path to a file under `root`: only below the mount point, no `..`, no
/// backslashes or NULs (also percent-encoded), nothing that escapes the root through a symlink.
fn resolve(root: &Path, path: &str) -> Result<PathBuf, u16> {
    let rest = path.strip_prefix(MOUNT).ok_or(404u16)?;
    let rest = percent_decode(rest).ok_or(403u16)?;
    if rest.contains(['\\', '\0']) || rest.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(403);
    }
    let mut file = root.join(rest.trim_start_matches('/'));
    if rest.is_empty() || rest.ends_with('/') {
        file.push("index.html");
    }
    let file = file.canonicalize().map_err(|_| 404u16)?;
    if !file.starts_with(root) {
        return Err(403);
    }
    if !file.is_file() {
        return Err(404);
    }
    Ok(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(OsStr::to_str).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

// --- The browser ----------------------------------------------------------------------------

/// A headless Chromium with its own profile, `HOME` and caches (removed when dropped).
pub(crate) struct Chrome {
    pub(crate) browser: Browser,
    _dirs: tempfile::TempDir,
}

pub(crate) fn launch() -> Chrome {
    let binary = support::tool(Tool::Chromium);
    let dirs = tempfile::Builder::new()
        .prefix("scholia-chromium-")
        .tempdir()
        .expect("temporary folder");
    let sub = |name: &str| {
        let dir = dirs.path().join(name);
        std::fs::create_dir_all(&dir).expect("temporary folder");
        dir
    };
    let (profile, home, config, cache) = (sub("profile"), sub("home"), sub("config"), sub("cache"));
    let envs = HashMap::from([
        ("HOME".to_string(), home.display().to_string()),
        ("XDG_CONFIG_HOME".to_string(), config.display().to_string()),
        ("XDG_CACHE_HOME".to_string(), cache.display().to_string()),
    ]);
    let args = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let options = LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(binary.clone()),
        user_data_dir: Some(profile),
        window_size: Some(WIDE),
        args: args.iter().map(OsStr::new).collect(),
        process_envs: Some(envs),
        idle_browser_timeout: Duration::from_secs(60),
        ..LaunchOptions::default()
    };
    let browser = Browser::new(options)
        .unwrap_or_else(|e| panic!("cannot start {}: {e:#}", binary.display()));
    Chrome {
        browser,
        _dirs: dirs,
    }
}

/// What a tab has seen: console errors (and warnings), uncaught exceptions and requests.
#[derive(Default)]
pub(crate) struct Seen {
    pub(crate) errors: Vec<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) requests: Vec<String>,
}

impl Chrome {
    /// A new tab with the given viewport, recording console messages, exceptions and requests.
    pub(crate) fn tab(&self, (width, height): (u32, u32)) -> (Arc<Tab>, Arc<Mutex<Seen>>) {
        let tab = self.browser.new_tab().expect("new tab");
        tab.set_default_timeout(Duration::from_secs(20));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let sink = Arc::clone(&seen);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            let mut seen = sink.lock().unwrap_or_else(|e| e.into_inner());
            match event {
                Event::LogEntryAdded(e) => {
                    let entry = &e.params.entry;
                    let line = format!(
                        "{:?}: {} ({})",
                        entry.source,
                        entry.text,
                        entry.url.as_deref().unwrap_or("-")
                    );
                    match entry.level {
                        Log::LogEntryLevel::Error => seen.errors.push(line),
                        Log::LogEntryLevel::Warning => seen.warnings.push(line),
                        _ => {}
                    }
                }
                Event::RuntimeExceptionThrown(e) => {
                    let d = &e.params.exception_details;
                    let what = d
                        .exception
                        .as_ref()
                        .and_then(|x| x.description.clone())
                        .unwrap_or_default();
                    seen.errors.push(format!(
                        "uncaught exception: {} {what} ({}:{})",
                        d.text,
                        d.url.as_deref().unwrap_or("-"),
                        d.line_number
                    ));
                }
                Event::RuntimeConsoleAPICalled(e) => {
                    use Runtime::ConsoleAPICalledEventTypeOption as Kind;
                    let text = || {
                        let args = e.params.args.iter();
                        args.map(|a| {
                            a.value
                                .as_ref()
                                .map_or_else(|| format!("{:?}", a.description), Value::to_string)
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                    };
                    match e.params.Type {
                        Kind::Error | Kind::Assert => {
                            seen.errors.push(format!("console.error: {}", text()))
                        }
                        Kind::Warning => seen.warnings.push(format!("console.warn: {}", text())),
                        _ => {}
                    }
                }
                Event::NetworkRequestWillBeSent(e) => {
                    seen.requests.push(e.params.request.url.clone())
                }
                _ => {}
            }
        }))
        .expect("event listener");
        tab.enable_log().expect("Log.enable");
        tab.enable_runtime().expect("Runtime.enable");
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .expect("Network.enable");
        resize(&tab, width, height);
        (tab, seen)
    }
}

/// Sets the viewport: a desktop window, or a phone (a mobile viewport that honours the
/// `<meta name="viewport">`).
pub(crate) fn resize(tab: &Tab, width: u32, height: u32) {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile: width < 600,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("Emulation.setDeviceMetricsOverride");
}

/// Runs `body` (the body of an async JavaScript function) in the page and returns its result,
/// passed through JSON. A JavaScript error fails the test with its message.
pub(crate) fn js(tab: &Tab, body: &str) -> Value {
    let expr = format!(
        "(async () => {{ {body} }})().then(v => JSON.stringify({{ ok: v === undefined ? null : v }}), \
         e => JSON.stringify({{ error: String(e && e.stack || e) }}))"
    );
    let result = tab
        .evaluate(&expr, true)
        .unwrap_or_else(|e| panic!("evaluate failed: {e:#}\n{body}"));
    let text = result
        .value
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no result from:\n{body}"));
    let mut v: Value = serde_json::from_str(text).expect("JSON from the page");
    if let Some(error) = v.get("error") {
        panic!("JavaScript failed: {error}\n{body}");
    }
    v["ok"].take()
}

/// Waits until the page has loaded and laid out (two animation frames after `load`), so the
/// script's placement of notes has run.
pub(crate) const SETTLE: &str = "await new Promise(r => { \
    const go = () => requestAnimationFrame(() => requestAnimationFrame(() => r())); \
    if (document.readyState === 'complete') go(); else addEventListener('load', go, { once: true }); }); \
    await document.fonts.ready;";

pub(crate) fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url)
        .unwrap_or_else(|e| panic!("cannot open {url}: {e:#}"));
    tab.wait_until_navigated()
        .unwrap_or_else(|e| panic!("{url} did not load: {e:#}"));
    js(tab, SETTLE);
}

/// Polls `cond` (a JavaScript expression) until it is true, tolerating the page going away
/// mid-navigation.
pub(crate) fn wait_for(tab: &Tab, cond: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let expr =
        format!("(() => {{ try {{ return !!({cond}); }} catch (e) {{ return false; }} }})()");
    while Instant::now() < deadline {
        if let Ok(v) = tab.evaluate(&expr, false) {
            if v.value == Some(Value::Bool(true)) {
                return;
            }
        }
        thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what} ({cond})");
}

/// Clicks, with the mouse, the middle of the first line box of the element that `element` (a
/// JavaScript expression) selects, after scrolling it into view and checking nothing covers it.
/// The page may still be scrolling (to a `#fragment`, smoothly): scroll until the element
/// stays put in the viewport.
pub(crate) fn click(tab: &Tab, element: &str) {
    let at = js(
        tab,
        &format!(
            "const el = {element}; if (!el) throw new Error('nothing to click: ' + {element:?}); \
             const frame = () => new Promise(r => requestAnimationFrame(() => r())); \
             let x = NaN, y = NaN; \
             for (let i = 0; i < 40; i++) {{ \
                 el.scrollIntoView({{ block: 'center', inline: 'nearest', behavior: 'instant' }}); \
                 await frame(); await frame(); \
                 const b = el.getClientRects()[0]; \
                 const nx = b.left + b.width / 2, ny = b.top + b.height / 2; \
                 const still = nx === x && ny === y; x = nx; y = ny; \
                 if (still && x >= 0 && y >= 0 && x < innerWidth && y < innerHeight) break; \
             }} \
             const hit = document.elementFromPoint(x, y); \
             return {{ x, y, ok: !!hit && (hit === el || el.contains(hit)), \
                       hit: hit ? hit.outerHTML.slice(0, 200) : null, el: el.outerHTML.slice(0, 200) }};"
        ),
    );
    assert!(
        at["ok"] == true,
        "the element to click is covered at its middle:\n{at:#}"
    );
    let point = Point {
        x: at["x"].as_f64().expect("x"),
        y: at["y"].as_f64().expect("y"),
    };
    tab.click_point(point).expect("mouse click");
}

pub(crate) fn seen(seen: &Mutex<Seen>) -> std::sync::MutexGuard<'_, Seen> {
    seen.lock().unwrap_or_else(|e| e.into_inner())
}

/// No console errors (CSP violations included) and no request the server could not answer.
pub(crate) fn assert_clean(log: &Mutex<Seen>, server: &Server) {
    let errors = &seen(log).errors;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let failures = server.failures();
    assert!(failures.is_empty(), "requests that failed: {failures:#?}");
}

fn screenshot(tab: &Tab, name: &str, (width, height): (u32, u32)) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    // Up to 4,000 px of the page: enough to show the header, paragraphs and notes.
    let full = js(
        tab,
        "window.scrollTo(0, 0); return document.documentElement.scrollHeight;",
    );
    let tall = full.as_u64().map_or(height, |h| {
        u32::try_from(h).unwrap_or(u32::MAX).clamp(height, 4000)
    });
    resize(tab, width, tall);
    js(tab, SETTLE);
    let png = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    resize(tab, width, height);
    let file = dir.join(format!("{name}-{width}.png"));
    std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
}

// --- Wide screens: the note beside its passage ----------------------------------------------

/// Measures the first passage of a text page, its paragraph and its note, and what the page
/// loaded (stylesheets, script).
pub(crate) const MEASURE_FIRST_NOTE: &str = r#"
    const mark = document.querySelector('.text-body mark.passage[data-note]');
    if (!mark) throw new Error('no mark.passage on the page');
    const note = document.getElementById(mark.dataset.note);
    if (!note) throw new Error('no note with id ' + mark.dataset.note);
    const noteBody = note.querySelector('.note-body');
    const para = mark.closest('.para');
    const text = para.querySelector(':scope > p') || para;
    const box = el => { const b = el.getBoundingClientRect();
        return { left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width, height: b.height }; };
    const sheets = Array.from(document.styleSheets).map(s => {
        let rules = -1; try { rules = s.cssRules.length; } catch (e) {}
        return { href: s.href, rules };
    });
    return {
        id: note.id,
        noteInParagraph: para.contains(note),
        note: box(note), body: box(noteBody), text: box(text), para: box(para),
        bodyVisible: noteBody.checkVisibility({ visibilityProperty: true, opacityProperty: true }),
        sheets,
        fontText: getComputedStyle(document.documentElement).getPropertyValue('--font-text').trim(),
        notesPlaced: document.querySelector('.text-body').classList.contains('notes-placed'),
        innerWidth: window.innerWidth,
        scrollWidth: document.documentElement.scrollWidth,
    };
"#;

pub(crate) fn assert_note_beside_passage(m: &Value, mode: &str) {
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let (note, body, text, para) = (&m["note"], &m["body"], &m["text"], &m["para"]);
    assert!(
        m["noteInParagraph"] == true,
        "{mode}: the note is not inside its paragraph: {m:#}"
    );
    assert!(
        m["bodyVisible"] == true && f(&body["width"]) > 50.0 && f(&body["height"]) > 10.0,
        "{mode}: the note body is not visible on a wide screen: {m:#}"
    );
    assert!(
        f(&note["left"]) >= f(&text["right"]) - 2.0 && f(&body["left"]) >= f(&text["right"]) - 2.0,
        "{mode}: the note is not to the right of the paragraph text: {m:#}"
    );
    assert!(
        f(&note["top"]) >= f(&para["top"]) - 1.0 && f(&note["top"]) <= f(&para["bottom"]),
        "{mode}: the note does not start beside its paragraph: {m:#}"
    );
    assert!(
        f(&body["right"]) <= f(&m["innerWidth"]) + 0.5,
        "{mode}: the note body runs off the right edge of the window: {m:#}"
    );
    assert!(
        f(&m["scrollWidth"]) <= f(&m["innerWidth"]),
        "{mode}: the page scrolls sideways at {}px: {m:#}",
        WIDE.0
    );
    // The stylesheet loaded through its relative link (its custom properties apply) ...
    let sheets = m["sheets"].as_array().expect("sheets");
    assert!(
        sheets.iter().any(|s| s["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/assets/style.css"))),
        "{mode}: style.css is not among the page's stylesheets: {m:#}"
    );
    assert!(
        !m["fontText"].as_str().unwrap_or("").is_empty(),
        "{mode}: style.css did not apply: {m:#}"
    );
    // ... and so did the script: it marks the text body once it has placed the notes.
    assert!(
        m["notesPlaced"] == true,
        "{mode}: scholia.js did not run (no .notes-placed): {m:#}"
    );
}

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
    let errors = &seen(&log).errors;
    assert!(errors.is_empty(), "file://: console errors: {errors:#?}");
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
    // Unfold its note first, as a reader would: a press on a link in the faded lines of a
    // folded note unfolds the note under the pointer, and the click is lost (open bug).
    js(
        &tab,
        &format!(
            "const n = ({xref}).closest('.note'); \
             if (n.classList.contains('note-clamp') && !n.classList.contains('note-expanded')) \
                 n.querySelector('.note-more').click(); \
             return 0;"
        ),
    );
    js(&tab, SETTLE);
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
        "/reader/assets/style.css",
        "/reader/assets/scholia.js",
    ] {
        assert!(
            served.iter().any(|(_, p)| p.starts_with(page)),
            "the server never served {page}: {served:#?}"
        );
    }
    assert!(
        server.failures().is_empty(),
        "requests that failed (404s): {:#?}",
        server.failures()
    );
    let errors = &seen(&log).errors;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
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
    assert!(
        server.failures().is_empty(),
        "requests that failed: {:#?}",
        server.failures()
    );
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
    assert!(
        server.failures().is_empty(),
        "requests that failed: {:#?}",
        server.failures()
    );
}

// --- The server itself ----------------------------------------------------------------------

#[test]
fn test_server_refuses_paths_outside_the_site() {
    let root = site();
    assert!(resolve(root, "/reader/index.html").is_ok());
    assert!(resolve(root, "/reader/").is_ok_and(|f| f.ends_with("index.html")));
    assert_eq!(
        resolve(root, "/index.html"),
        Err(404),
        "served outside the mount point"
    );
    assert_eq!(resolve(root, "/reader/missing.html"), Err(404));
    for bad in [
        "/reader/../Cargo.toml",
        "/reader/%2e%2e/Cargo.toml",
        "/reader/assets%5c..%5cx",
        "/reader/a%00",
    ] {
        assert_eq!(resolve(root, bad), Err(403), "{bad} was not refused");
    }
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
/// site's own) from `file://` at both widths: every page loads without console errors,
/// nothing overflows sideways, and keyboard focus moves in document order, starting with
/// the skip link, never into hidden content.
#[test]
fn fixture_sites_from_file_urls_at_both_widths() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let chrome = launch();
    for fixture in ["basic", "crosslinks", "raw-html"] {
        let site = support::copy_site(&support::fixture(&format!("sites/{fixture}")));
        let public = support::build_ok(site.path(), &[]);
        let pages: Vec<PathBuf> = walkdir::WalkDir::new(&public)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            // One tag page stands for all: they share a template.
            .filter(|p| !p.to_string_lossy().contains("/tags/") || p.ends_with("tags/index.html"))
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
            let errors = &seen(&log).errors;
            assert!(
                errors.is_empty(),
                "{fixture} at {size:?}: console errors: {errors:#?}"
            );
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
    let errors = &seen(&log).errors;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
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
