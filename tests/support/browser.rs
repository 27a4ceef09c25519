//! The browser harness shared by every browser-driven test module (`browser`, `a11y`,
//! `search`, `hardening::fragments`): the bundled site built once per process, `file://`
//! URLs, a loopback static server that mounts a site under `/reader/`, headless Chromium
//! with a fresh profile per launch, tabs that record console errors (CSP violations
//! included), exceptions and requests, and the page helpers built on the DevTools protocol.
//!
//! Tests call `support::missing(&[Tool::Chromium])` first; `launch` assumes Chromium is there.

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
use headless_chrome::{Browser, Tab};
use serde_json::Value;

use crate::support::{self, Tool};

/// Desktop and phone viewports (CSS pixels).
pub(crate) const WIDE: (u32, u32) = (1280, 900);
pub(crate) const PHONE: (u32, u32) = (390, 844);

/// The bundled site's first text, the page most tests open.
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

/// The `file://` URL of a page of the bundled site (`rel` relative to its root).
pub(crate) fn file_url(rel: &str) -> String {
    file_url_of(site(), rel)
}

/// The `file://` URL of a page of the site built into `root`.
pub(crate) fn file_url_of(root: &Path, rel: &str) -> String {
    let path = root.join(rel);
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

/// Where the server mounts the site: a subpath, as GitHub project pages do.
pub(crate) const MOUNT: &str = "/reader/";

impl Server {
    pub(crate) fn start(root: &Path) -> Server {
        Server::serve(root, false)
    }

    /// As [`Server::start`], but a missing page is answered as GitHub Pages and Netlify
    /// answer it: status 404 with the site's `404.html`.
    pub(crate) fn start_with_404(root: &Path) -> Server {
        Server::serve(root, true)
    }

    fn serve(root: &Path, not_found_page: bool) -> Server {
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
                    thread::spawn(move || serve(stream, &root, &log, not_found_page));
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

    /// Every request so far was answered (no 404s: nothing the pages link to is missing).
    pub(crate) fn assert_no_failures(&self) {
        let failures = self.failures();
        assert!(failures.is_empty(), "requests that failed: {failures:#?}");
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
fn serve(stream: TcpStream, root: &Path, log: &Mutex<Vec<(u16, String)>>, not_found_page: bool) {
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
            Err(404) if not_found_page => match std::fs::read(root.join("404.html")) {
                Ok(bytes) => (404, "text/html; charset=utf-8", bytes),
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
    let (browser, dirs) = super::chromium::start(binary, WIDE, Duration::from_secs(60));
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

    /// A new tab with the given viewport that records nothing, with a longer timeout: for
    /// slow in-page checks such as axe, whose own findings are what counts.
    pub(crate) fn plain_tab(&self, (width, height): (u32, u32)) -> Arc<Tab> {
        let tab = self.browser.new_tab().expect("new tab");
        tab.set_default_timeout(Duration::from_secs(30));
        resize(&tab, width, height);
        tab
    }
}

/// Emulates `prefers-color-scheme: {scheme}` and waits until the page has restyled.
pub(crate) fn color_scheme(tab: &Tab, scheme: &str) {
    tab.call_method(Emulation::SetEmulatedMedia {
        media: None,
        features: Some(vec![Emulation::MediaFeature {
            name: "prefers-color-scheme".into(),
            value: scheme.into(),
        }]),
    })
    .expect("Emulation.setEmulatedMedia");
    let state = js(
        tab,
        &format!(
            "await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r()))); \
             return matchMedia('(prefers-color-scheme: {scheme})').matches;"
        ),
    );
    assert!(
        state == true,
        "the page does not see prefers-color-scheme: {scheme}"
    );
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

/// No console errors (CSP violations and uncaught exceptions included); `context` says where.
pub(crate) fn assert_no_console_errors(log: &Mutex<Seen>, context: &str) {
    let errors = &seen(log).errors;
    assert!(errors.is_empty(), "{context}: console errors: {errors:#?}");
}

/// No console errors (CSP violations included) and no request the server could not answer.
pub(crate) fn assert_clean(log: &Mutex<Seen>, server: &Server) {
    let errors = &seen(log).errors;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    server.assert_no_failures();
}

/// Saves a picture of the top of the page (up to 4,000 px) as
/// `target/screenshots/<name>-<width>.png`, for people to look at.
pub(crate) fn screenshot(tab: &Tab, name: &str, (width, height): (u32, u32)) {
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

// --- Shared page checks: the note beside its passage ----------------------------------------

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
            .is_some_and(|h| h.contains("/assets/style.") && h.ends_with(".css"))),
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

// --- Fixture sites, and gestures several tests make -------------------------------------------

/// A fixture site (`tests/sites/<name>`) built by the real binary into a temporary folder,
/// which lives as long as this does.
pub(crate) struct Fixture {
    _site: tempfile::TempDir,
    pub(crate) public: PathBuf,
}

impl Fixture {
    pub(crate) fn build(name: &str) -> Fixture {
        let site = support::copy_site(&support::fixture(&format!("sites/{name}")));
        let public = support::build_ok(site.path(), &[]);
        Fixture {
            _site: site,
            public,
        }
    }

    /// The `file://` URL of one of its pages.
    pub(crate) fn file_url(&self, rel: &str) -> String {
        file_url_of(&self.public, rel)
    }
}

/// Makes the page's `navigator.clipboard.writeText` record what it is given in
/// `window.__copied`, so a test reads what a Copy button copied without depending on the
/// headless browser's system clipboard. Run it after the page loaded.
pub(crate) const RECORD_CLIPBOARD: &str = "window.__copied = []; \
     navigator.clipboard.writeText = async (t) => { window.__copied.push(t); };";

/// The open cite dialog, once it is there.
pub(crate) const CITE_DIALOG: &str = "document.querySelector('.cite-popover[role=dialog]')";

/// Opens `url` in `tab` with JavaScript off, as a reader without scripts sees it.
pub(crate) fn open_without_scripts(tab: &Tab, url: &str) {
    tab.call_method(Emulation::SetScriptExecutionDisabled { value: true })
        .expect("Emulation.setScriptExecutionDisabled");
    tab.navigate_to(url).expect("navigate");
    tab.wait_until_navigated().expect("loaded");
}

/// Focuses the element of `selector` and presses Enter, as a keyboard user follows a link
/// (a click needs scripts in this driver), then waits up to ten seconds for the page's
/// address to end with `#fragment`; returns the address it is at.
pub(crate) fn follow_with_enter(tab: &Tab, selector: &str, fragment: &str) -> String {
    use headless_chrome::protocol::cdp::DOM;
    let element = tab
        .wait_for_element(selector)
        .unwrap_or_else(|e| panic!("no {selector}: {e:#}"));
    tab.call_method(DOM::Focus {
        node_id: Some(element.node_id),
        backend_node_id: None,
        object_id: None,
    })
    .expect("DOM.focus");
    tab.press_key("Enter").expect("press Enter");
    let at = || {
        let h = tab
            .call_method(Page::GetNavigationHistory(None))
            .expect("Page.getNavigationHistory");
        h.entries[h.current_index as usize].url.clone()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !at().ends_with(&format!("#{fragment}")) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
    }
    at()
}
