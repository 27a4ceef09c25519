//! The site as Netlify serves it: a loopback server that applies exactly the `[[headers]]`
//! of `netlify.toml` (parsed, each block's `for` pattern matched with Netlify's `*` and
//! `:placeholder` rules), the bundled site in Chromium, and no CSP violation or console
//! error on the page types a reader meets.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::support::browser::{self, js, launch, open, seen, wait_for, WIDE};
use crate::support::{self, Tool};

// --- netlify.toml -----------------------------------------------------------------------

/// One `[[headers]]` block: the headers in `values` go on every response whose path
/// matches `pattern`.
#[derive(Debug)]
struct HeaderRule {
    pattern: String,
    values: Vec<(String, String)>,
}

/// The `[[headers]]` blocks of the repository's `netlify.toml`, in order.
fn header_rules() -> Vec<HeaderRule> {
    let text = support::read(&support::repo().join("netlify.toml"));
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("netlify.toml is not valid TOML: {e}"));
    let blocks = table
        .get("headers")
        .and_then(toml::Value::as_array)
        .unwrap_or_else(|| panic!("netlify.toml has no [[headers]]"));
    blocks
        .iter()
        .map(|block| {
            let pattern = block
                .get("for")
                .and_then(toml::Value::as_str)
                .unwrap_or_else(|| panic!("a [[headers]] block without `for`: {block}"));
            let values = block
                .get("values")
                .and_then(toml::Value::as_table)
                .unwrap_or_else(|| panic!("[[headers]] for {pattern} has no values"));
            HeaderRule {
                pattern: pattern.to_string(),
                values: values
                    .iter()
                    .map(|(name, value)| {
                        let value = value.as_str().unwrap_or_else(|| {
                            panic!("header {name} for {pattern} is not a string")
                        });
                        (name.clone(), value.to_string())
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The headers Netlify sends for `path`: those of every block whose pattern matches, in
/// the file's order (a name given by two blocks is sent twice, which for a CSP means both
/// policies apply).
fn headers_for<'a>(rules: &'a [HeaderRule], path: &str) -> Vec<(&'a str, &'a str)> {
    rules
        .iter()
        .filter(|rule| path_matches(&rule.pattern, path))
        .flat_map(|rule| rule.values.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .collect()
}

/// Netlify's path patterns: `*` matches anything, `/` included (a splat); a segment
/// `:name` matches one non-empty segment; everything else matches itself.
fn path_matches(pattern: &str, path: &str) -> bool {
    #[derive(Clone, Copy)]
    enum Token {
        Byte(u8),
        Splat,
        Segment,
    }
    fn go(pattern: &[Token], path: &[u8]) -> bool {
        match pattern.split_first() {
            None => path.is_empty(),
            Some((Token::Splat, rest)) => (0..=path.len()).any(|i| go(rest, &path[i..])),
            Some((Token::Segment, rest)) => {
                let segment = path.iter().take_while(|c| **c != b'/').count();
                segment > 0 && go(rest, &path[segment..])
            }
            Some((Token::Byte(c), rest)) => path.first() == Some(c) && go(rest, &path[1..]),
        }
    }
    let bytes = pattern.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'*' => tokens.push(Token::Splat),
            b':' if i > 0 && bytes[i - 1] == b'/' => {
                tokens.push(Token::Segment);
                let name = bytes[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                i += name;
            }
            c => tokens.push(Token::Byte(c)),
        }
        i += 1;
    }
    go(&tokens, path.as_bytes())
}

#[test]
fn netlify_patterns_match_as_netlify_matches_them() {
    for (pattern, path, expected) in [
        ("/*", "/", true),
        ("/*", "/index.html", true),
        ("/*", "/texts/henke/", true),
        ("/assets/*", "/assets/style.3f2a9c1e.css", true),
        ("/assets/*", "/assets/fonts/a.woff2", true),
        ("/assets/*", "/assetsx/style.css", false),
        ("/assets/*", "/texts/assets/style.css", false),
        ("/assets/*", "/index.html", false),
        ("/texts/:slug/", "/texts/henke/", true),
        ("/texts/:slug/", "/texts/a/b/", false),
        ("/texts/:slug/", "/texts//", false),
        ("/texts/:slug/*", "/texts/henke/index.html", true),
        ("/index.html", "/index.html", true),
        ("/index.html", "/index.htm", false),
    ] {
        assert_eq!(
            path_matches(pattern, path),
            expected,
            "{pattern} against {path}"
        );
    }
}

// --- A loopback server with Netlify's headers -------------------------------------------

/// Serves a built site at the root of `http://127.0.0.1:PORT/` as Netlify does (a folder's
/// `index.html` for `/folder/`, `404.html` with status 404 for a missing file), with the
/// headers of `netlify.toml` on every response, and logs what it sent. Files in `extra`
/// are served as if they were in the site (a test page). It stops when dropped.
struct NetlifyServer {
    origin: String,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Sent>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

/// One response: status, request path, and the `netlify.toml` headers it carried.
#[derive(Clone, Debug)]
struct Sent {
    status: u16,
    path: String,
    headers: Vec<(String, String)>,
}

struct Site {
    root: PathBuf,
    rules: Vec<HeaderRule>,
    extra: BTreeMap<String, Vec<u8>>,
}

impl NetlifyServer {
    fn start(root: &Path, extra: BTreeMap<String, Vec<u8>>) -> NetlifyServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let site = Arc::new(Site {
            root: root.canonicalize().expect("canonical site root"),
            rules: header_rules(),
            extra,
        });
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
                    let (site, log) = (Arc::clone(&site), Arc::clone(&log));
                    thread::spawn(move || answer(stream, &site, &log));
                }
            })
        };
        NetlifyServer {
            origin: format!("http://{addr}"),
            addr,
            log,
            stop,
            accept: Some(accept),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    fn sent(&self) -> Vec<Sent> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for NetlifyServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Answers one request (HTTP/1.1, `Connection: close`).
fn answer(stream: TcpStream, site: &Site, log: &Mutex<Vec<Sent>>) {
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
    let path = target.split(['?', '#']).next().unwrap_or("").to_string();
    let (status, location, file, body) = if method != "GET" && method != "HEAD" {
        (405, None, None, b"method not allowed".to_vec())
    } else if let Some(bytes) = site.extra.get(&path) {
        (200, None, Some(PathBuf::from(&path)), bytes.clone())
    } else {
        match resolve(&site.root, &path) {
            Found::File(file) => match std::fs::read(&file) {
                Ok(bytes) => (200, None, Some(file), bytes),
                Err(_) => not_found(&site.root),
            },
            Found::Folder => (301, Some(format!("{path}/")), None, Vec::new()),
            Found::Nothing => not_found(&site.root),
        }
    };
    let headers: Vec<(String, String)> = headers_for(&site.rules, &path)
        .into_iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    log.lock().unwrap_or_else(|e| e.into_inner()).push(Sent {
        status,
        path: path.clone(),
        headers: headers.clone(),
    });
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        405 => "Method Not Allowed",
        _ => "Not Found",
    };
    let content_type = file
        .as_deref()
        .map_or("text/html; charset=utf-8", content_type);
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        body.len()
    );
    if let Some(location) = location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    for (name, value) in &headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = &stream;
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
}

/// What Netlify sends for a missing file: the site's `404.html` (if any), status 404.
fn not_found(root: &Path) -> (u16, Option<String>, Option<PathBuf>, Vec<u8>) {
    let page = root.join("404.html");
    let body = std::fs::read(&page).unwrap_or_else(|_| b"not found".to_vec());
    (404, None, Some(page), body)
}

enum Found {
    File(PathBuf),
    /// A folder asked for without its trailing `/`: Netlify redirects to it.
    Folder,
    Nothing,
}

/// The file under `root` for a request path; nothing outside `root` (no `..`, no
/// percent-encoded tricks, no symlink out).
fn resolve(root: &Path, path: &str) -> Found {
    let Some(rest) = path.strip_prefix('/') else {
        return Found::Nothing;
    };
    let Ok(rest) = percent_encoding::percent_decode_str(rest).decode_utf8() else {
        return Found::Nothing;
    };
    if rest.contains(['\\', '\0']) || rest.split('/').any(|seg| seg == ".." || seg == ".") {
        return Found::Nothing;
    }
    let mut file = root.join(&*rest);
    if file.is_dir() {
        if !rest.is_empty() && !rest.ends_with('/') {
            return Found::Folder;
        }
        file.push("index.html");
    }
    match file.canonicalize() {
        Ok(file) if file.starts_with(root) && file.is_file() => Found::File(file),
        _ => Found::Nothing,
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" | "jsonld" => "application/json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

// --- In Chromium ------------------------------------------------------------------------

/// The header named `name` that `netlify.toml` gives `path` (the one value; panics if two
/// blocks give it).
fn expected(path: &str, name: &str) -> Option<String> {
    let rules = header_rules();
    let values: Vec<&str> = headers_for(&rules, path)
        .into_iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .collect();
    assert!(
        values.len() <= 1,
        "{name} given twice for {path}: {values:?}"
    );
    values.first().map(|v| v.to_string())
}

/// A page whose inline script and style the CSP must refuse: proof that the policy comes
/// from the header (the page has no `<meta>` policy) and that the harness sees violations.
const PROBE: &str = "/csp-probe.html";
const PROBE_PAGE: &str = "<!doctype html><html lang=en><title>probe</title>\
    <style>body { color: red }</style>\
    <script>document.title = 'inline script ran';</script><p>probe</p></html>";

#[test]
fn the_site_served_with_netlify_headers_has_no_csp_violation_or_console_error() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let csp = expected("/", "Content-Security-Policy")
        .unwrap_or_else(|| panic!("netlify.toml sends no Content-Security-Policy"));
    let server = NetlifyServer::start(
        browser::site(),
        BTreeMap::from([(PROBE.to_string(), PROBE_PAGE.as_bytes().to_vec())]),
    );
    let chrome = launch();
    for (path, ready) in [
        ("/", "document.querySelector('main')"),
        (
            "/texts/henke/",
            "document.querySelector('.text-body.notes-placed')",
        ),
        (
            "/search/?q=coalition",
            "document.querySelectorAll('#search_results a.search-result').length > 0",
        ),
        ("/glossary/", "document.querySelector('main')"),
    ] {
        let (tab, log) = chrome.tab(WIDE);
        open(&tab, &server.url(path));
        wait_for(&tab, ready, &format!("{path} to be ready"));
        // The page's own response carried the policy, and so does each stylesheet and script
        // it loaded, with the cache headers netlify.toml gives their paths.
        let got = js(
            &tab,
            "const r = await fetch(location.href, { cache: 'no-store' }); \
             const assets = [...document.querySelectorAll('link[rel=stylesheet], script[src]')] \
                 .map(e => new URL(e.href || e.src)); \
             const cached = []; \
             for (const u of assets) { const a = await fetch(u, { cache: 'no-store' }); \
                 cached.push([u.pathname, a.status, a.headers.get('cache-control')]); } \
             return { csp: r.headers.get('content-security-policy'), cached };",
        );
        assert_eq!(got["csp"], csp.as_str(), "{path}: {got:#}");
        let cached = got["cached"].as_array().expect("cached");
        assert!(
            !cached.is_empty(),
            "{path} loads no stylesheet or script: {got:#}"
        );
        for asset in cached {
            let asset_path = asset[0].as_str().expect("asset path");
            assert_eq!(asset[1], 200, "{path}: {asset}");
            let want = expected(asset_path, "Cache-Control");
            assert_eq!(asset[2].as_str(), want.as_deref(), "{path}: {asset}");
        }
        let seen = seen(&log);
        assert!(
            seen.errors.is_empty(),
            "{path}: console errors: {:#?}",
            seen.errors
        );
        let csp_warnings: Vec<&String> = seen
            .warnings
            .iter()
            .filter(|w| w.contains("Content Security Policy"))
            .collect();
        assert!(csp_warnings.is_empty(), "{path}: {csp_warnings:#?}");
    }
    let failed: Vec<Sent> = server
        .sent()
        .into_iter()
        .filter(|s| s.status != 200 && s.status != 301)
        .collect();
    assert!(failed.is_empty(), "requests that failed: {failed:#?}");
    // Every response carried the headers of every block its path matches.
    let rules = header_rules();
    for sent in server.sent() {
        let want: Vec<(String, String)> = headers_for(&rules, &sent.path)
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(sent.headers, want, "{}", sent.path);
    }

    // The probe: the header's policy refuses inline code, and the refusals are seen.
    let (tab, log) = chrome.tab(WIDE);
    open(&tab, &server.url(PROBE));
    let title = js(&tab, "return document.title;");
    assert_eq!(title, "probe", "the inline script ran: no policy in force");
    let errors = seen(&log).errors.clone();
    assert!(
        errors
            .iter()
            .filter(|e| e.contains("Content Security Policy"))
            .count()
            >= 2,
        "the inline script and style were refused without a console error: {errors:#?}"
    );
}

/// The header repeats every directive of the `<meta>` policy in the pages (which is what
/// GitHub Pages and `file://` get), so the site behaves the same on Netlify; the header may
/// add what a `<meta>` policy cannot carry (`frame-ancestors`).
#[test]
fn the_csp_header_carries_every_directive_of_the_pages_meta_policy() {
    let header = expected("/index.html", "Content-Security-Policy")
        .unwrap_or_else(|| panic!("netlify.toml sends no Content-Security-Policy"));
    let base = support::read(&support::repo().join("themes/default/templates/base.html"));
    let meta = base
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no <meta> policy in base.html"));
    let directives = |policy: &str| -> BTreeMap<String, String> {
        policy
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| {
                let (name, value) = d.split_once(' ').unwrap_or((d, ""));
                (name.to_string(), value.trim().to_string())
            })
            .collect()
    };
    let (header, meta) = (directives(&header), directives(meta));
    for (name, value) in &meta {
        assert_eq!(
            header.get(name),
            Some(value),
            "{name} differs: header {header:?}, meta {meta:?}"
        );
    }
}

/// `immutable` is safe only if a changed file never keeps its name: a site whose theme
/// changes the stylesheet and the script, built before and after, must have no path with
/// a year-long cache whose bytes differ between the two builds.
#[test]
fn a_changed_asset_gets_a_new_name_so_a_year_long_cache_is_safe() {
    let site = support::copy_site(&support::fixture("sites/basic"));
    let before = support::site_files(&support::build_ok(site.path(), &[]));
    let config = site.path().join("content/_site.yaml");
    let yaml = format!("{}\ntheme: changed\n", support::read(&config));
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let static_dir = site.path().join("themes/changed/static");
    std::fs::create_dir_all(&static_dir).unwrap_or_else(|e| panic!("{e}"));
    let default = support::repo().join("themes/default/static");
    for (file, comment) in [("style.css", "/* changed */"), ("scholia.js", "// changed")] {
        let text = format!("{}\n{comment}\n", support::read(&default.join(file)));
        std::fs::write(static_dir.join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let after = support::site_files(&support::build_ok(site.path(), &[]));

    let rules = header_rules();
    let immutable = |path: &str| {
        headers_for(&rules, &format!("/{path}"))
            .iter()
            .any(|(name, value)| {
                name.eq_ignore_ascii_case("Cache-Control") && value.contains("immutable")
            })
    };
    let cached: Vec<&String> = before.keys().filter(|p| immutable(p)).collect();
    assert!(!cached.is_empty(), "nothing gets the year-long cache");
    let stale: Vec<&&String> = cached
        .iter()
        .filter(|p| {
            after
                .get(**p)
                .is_some_and(|bytes| Some(bytes) != before.get(**p))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "changed but kept their names (a year-long cache would serve the old bytes): {stale:?}"
    );
    let new: Vec<&String> = after
        .keys()
        .filter(|p| immutable(p) && !before.contains_key(*p))
        .collect();
    assert!(
        new.len() >= 2,
        "the changed stylesheet and script have no new names: {new:?}"
    );
}
