//! `scholia serve`: build, serve the output on loopback, rebuild when content changes.
//!
//! For authors previewing their site, never for hosting it. It binds to 127.0.0.1 unless
//! told otherwise, and serves only files inside the output folder: request paths are
//! decoded, `..`, backslashes and NUL are refused, and the resolved file must still lie
//! under the output folder after symlinks are followed (Zola's CVE-2023-40274 was exactly
//! this).
//!
//! The preview holds drafts and, with `--instructor`, notes not meant for students, so a web
//! page must not be able to read it: requests whose `Host` does not name the bound address
//! are refused, which defeats DNS rebinding (a page on `evil.example` whose name now points
//! at 127.0.0.1 still sends `Host: evil.example`). One client must not stall the others
//! either: each connection is its own task (axum on hyper on a one-thread tokio runtime),
//! with bounded headers, a time-out for headers and a bounded lifetime, and a cap on how
//! many are open at once.
//!
//! A save rebuilds only what it must (see [`incremental`]): the site stays in memory, a
//! saved text is read again alone, and only files whose bytes changed are written.

mod changes;
mod incremental;
mod kept;
mod records;

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use notify::{RecursiveMode, Watcher};
use tokio::sync::Semaphore;

use crate::config::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::pipeline::{Failure, Report};
use changes::Plan;
use incremental::Session;

#[derive(Debug, Clone)]
pub(crate) struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    pub port: u16,
    /// Print how long each stage of a rebuild took.
    pub timings: bool,
}

/// A request head larger than this is answered 431 and its connection closed (browsers'
/// heads are well under 4 KiB). Also the read buffer's size, which bounds what a client
/// pipelining requests can make the server hold.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// A client must send a complete request head within this time, counted from when the
/// server is ready for it (so an idle connection is closed after it too), or it is
/// disconnected.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// No connection lives longer, so one that stops reading its answers is dropped in the
/// end; a browser simply opens a new one.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// Connections open at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 256;

/// How the CLI reports a build: its diagnostics, then its summary or why it failed.
pub(crate) type Reporter<'a> =
    dyn Fn(&BuildOptions, &mut Diagnostics, Result<Report, Failure>) + Sync + 'a;

/// Saves that come closer together than this make one rebuild (an editor's save is often
/// a write, a rename and a change of attributes).
const SETTLE: Duration = Duration::from_millis(100);

/// Serves until interrupted. Builds are reported by `report` (the CLI's job); an
/// incremental rebuild prints its own line.
///
/// The port is bound before the first build, so a port in use fails at once, without
/// touching the output folder.
pub(crate) fn run(options: &ServeOptions, report: &Reporter) -> Result<()> {
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| bind_error(addr, &e))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut session = full_build(&options.build, report);
    if !options.bind.is_loopback() {
        eprintln!("warning: serving on {addr}, reachable from other machines");
    }
    eprintln!(
        "serving {} at http://{addr}/ (Ctrl-C to stop)",
        options.build.output.display()
    );
    let (tx, rx) = mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // No paths means "something changed, unknown what": rebuild everything.
        let paths = match event {
            Ok(e) if e.kind.is_access() => return,
            Ok(e) if e.need_rescan() => Vec::new(),
            Ok(e) => e.paths,
            Err(_) => Vec::new(),
        };
        let _ = tx.send(paths);
    })?;
    for dir in ["content", "themes", "templates"] {
        let path = options.build.site_dir.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the server's runtime")?;
    let app = app(
        options.build.output.clone(),
        Hosts::new(options.bind, addr.port()),
    );
    let build = &options.build;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(first) = rx.recv() {
                let plan = settle(build, first, &rx);
                rebuild(options, &plan, &mut session, report);
            }
        });
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            match accept(listener, app).await {}
        })
    })
}

/// Waits for a burst of events to end and says what it changed.
fn settle(build: &BuildOptions, first: Vec<PathBuf>, rx: &mpsc::Receiver<Vec<PathBuf>>) -> Plan {
    let mut unknown = first.is_empty();
    let mut paths = first;
    while let Ok(more) = rx.recv_timeout(SETTLE) {
        unknown |= more.is_empty();
        paths.extend(more);
    }
    if unknown {
        Plan::Full
    } else {
        changes::plan(&build.site_dir, &paths)
    }
}

/// Builds everything, reports it, and keeps the site for the next rebuilds. On failure the
/// output folder is left as it was (still served) and the next change builds everything.
fn full_build(build: &BuildOptions, report: &Reporter) -> Option<Session> {
    let started = Instant::now();
    let mut diags = Diagnostics::new();
    let (session, result) = Session::start(build, &mut diags);
    let ok = result.is_ok();
    report(build, &mut diags, result);
    if ok {
        eprintln!("full rebuild in {}", millis(started.elapsed()));
    }
    session
}

fn rebuild(options: &ServeOptions, plan: &Plan, session: &mut Option<Session>, report: &Reporter) {
    let build = &options.build;
    let (Plan::Texts(texts), Some(current)) = (plan, session.as_mut()) else {
        if *plan != Plan::Nothing {
            *session = full_build(build, report);
        }
        return;
    };
    let mut diags = Diagnostics::new();
    let mut pages_done = |rebuilt: &incremental::Rebuilt, diags: &mut Diagnostics| {
        print_diagnostics(diags);
        *diags = Diagnostics::new();
        if options.timings {
            for (stage, t) in &rebuilt.timings {
                eprintln!("{stage:>20}: {}", millis(*t));
            }
        }
        eprintln!(
            "rebuilt {} page{} in {} ({} file{} written{}); updating the search index",
            rebuilt.pages,
            plural(rebuilt.pages),
            millis(rebuilt.took),
            rebuilt.written,
            plural(rebuilt.written),
            match rebuilt.removed {
                0 => String::new(),
                n => format!(", {n} removed"),
            }
        );
    };
    match current.texts(texts, &mut diags, &mut pages_done) {
        None => *session = full_build(build, report),
        Some(Err(failure)) => report(build, &mut diags, Err(failure)),
        Some(Ok(indexed)) => {
            print_diagnostics(&mut diags);
            eprintln!(
                "search index updated in {} ({} file{} written)",
                millis(indexed.took),
                indexed.written,
                plural(indexed.written)
            );
        }
    }
}

fn print_diagnostics(diags: &mut Diagnostics) {
    use std::io::IsTerminal as _;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    diags.sort();
    eprint!("{}", diags.render(color));
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn bind_error(addr: SocketAddr, e: &std::io::Error) -> anyhow::Error {
    let help = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "another program (perhaps another `scholia serve`) is using port {}; stop it, \
             or choose another port with --port",
            addr.port()
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            "--bind must be an address of this machine, such as 127.0.0.1".to_string()
        }
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges; choose another with --port".to_string()
        }
        _ => "choose another address with --bind or another port with --port".to_string(),
    };
    anyhow::anyhow!("cannot listen on {addr}: {e}\nhelp: {help}")
}

/// Accepts connections for ever, each served by its own task.
async fn accept(listener: tokio::net::TcpListener, app: Router) -> Infallible {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            continue; // never closed
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it was accepted.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .max_header_size(MAX_HEAD_BYTES)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
            drop(slot);
        });
    }
}

/// The routes: every path is a file of the output folder, answered to GET and HEAD (axum
/// answers other methods 405 with `Allow: GET,HEAD`), for allowed hosts only.
fn app(root: PathBuf, hosts: Hosts) -> Router {
    let files = axum::routing::get(file).with_state(Arc::new(root));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(Arc::new(hosts), check_host))
}

async fn check_host(State(hosts): State<Arc<Hosts>>, request: Request, next: Next) -> Response {
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str())
        .or_else(|| request.headers().get(header::HOST)?.to_str().ok());
    if host.is_some_and(|h| hosts.allows(h)) {
        next.run(request).await
    } else {
        let message = "scholia serve answers only requests for localhost, 127.0.0.1, [::1] \
                       or the address given to --bind\n";
        (StatusCode::FORBIDDEN, message).into_response()
    }
}

async fn file(State(root): State<Arc<PathBuf>>, uri: Uri) -> Response {
    let path = uri.path().to_owned();
    let found = tokio::task::spawn_blocking(move || {
        let file = resolve(&root, &path)?;
        let bytes = std::fs::read(&file).ok()?;
        Some((content_type(&file), bytes))
    })
    .await;
    match found {
        Ok(Some((content_type, bytes))) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        _ => not_found(),
    }
    .with_no_store()
}

fn not_found() -> Response {
    let page = "<!DOCTYPE html><html lang=\"en\"><title>Not found</title><p>Not found.</p></html>";
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// A preview changes with every save: the browser must not keep old copies.
trait NoStore {
    fn with_no_store(self) -> Self;
}

impl NoStore for Response {
    fn with_no_store(mut self) -> Self {
        self.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        self
    }
}

/// The `Host` values (and absolute request URLs) the server answers: names of the bound
/// address, with or without its port. A name is refused unless it is `localhost`: any other
/// name could be an attacker's, pointed at this machine. Bound to every address (0.0.0.0
/// or ::), any IP address is accepted too, since no web page can make a browser send an IP
/// address it did not connect to.
#[derive(Debug)]
pub(crate) struct Hosts {
    bind: IpAddr,
    port: u16,
}

impl Hosts {
    pub(crate) fn new(bind: IpAddr, port: u16) -> Hosts {
        Hosts { bind, port }
    }

    pub(crate) fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_port(host) else {
            return false;
        };
        if port.is_some_and(|p| p != self.port) {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let ip = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
            None => name.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
        };
        ip.is_some_and(|ip| {
            ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
                || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
                || ip == self.bind
                || self.bind.is_unspecified()
        })
    }
}

/// `name[:port]`, where an IPv6 name is in brackets; `None` if the port is not a number.
fn split_port(host: &str) -> Option<(&str, Option<u16>)> {
    let after_name = if host.starts_with('[') {
        host.find(']')? + 1
    } else {
        host.find(':').unwrap_or(host.len())
    };
    let (name, rest) = host.split_at(after_name);
    match rest.strip_prefix(':') {
        Some(port) => Some((name, Some(port.parse().ok()?))),
        None if rest.is_empty() => Some((name, None)),
        None => None,
    }
}

/// The file a request URL names, if it is a file inside `root`.
pub(crate) fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\0') || decoded.contains('\\') || decoded.split('/').any(|s| s == "..") {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let mut file = root.join(decoded.trim_start_matches('/'));
    if file.is_dir() {
        file = file.join("index.html");
    }
    let file = file.canonicalize().ok()?;
    (file.starts_with(&root) && file.is_file()).then_some(file)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_only_files_under_the_root() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("public");
        std::fs::create_dir_all(root.join("a")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(root.join("a/index.html"), "x").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap_or_else(|e| panic!("{e}"));
        assert!(resolve(&root, "/a/").is_some());
        assert!(resolve(&root, "/a/index.html?x=1").is_some());
        for evil in [
            "/../secret.txt",
            "/a/%2e%2e/%2e%2e/secret.txt",
            "/a%5c..%5csecret.txt",
            "/a/%00",
            "/nope",
        ] {
            assert!(resolve(&root, evil).is_none(), "{evil}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt"))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                resolve(&root, "/link.txt").is_none(),
                "a symlink escaping the root"
            );
        }
    }

    #[test]
    fn hosts_name_the_bound_address() {
        let local = Hosts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 1111);
        for ok in [
            "localhost",
            "LOCALHOST:1111",
            "127.0.0.1",
            "127.0.0.1:1111",
            "[::1]",
            "[::1]:1111",
            "[0:0:0:0:0:0:0:1]:1111",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for evil in [
            "",
            ":1111",
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "localhost:1112",
            "localhost:",
            "localhost:1111:1111",
            "localhost:99999",
            "127.0.0.2",
            "[::1]x",
            "[::1",
            "192.168.1.5:1111",
            "2130706433",
        ] {
            assert!(!local.allows(evil), "{evil}");
        }
        let lan = Hosts::new("192.168.1.5".parse().unwrap_or_else(|e| panic!("{e}")), 80);
        assert!(lan.allows("192.168.1.5") && lan.allows("192.168.1.5:80"));
        assert!(!lan.allows("192.168.1.6:80") && !lan.allows("evil.example:80"));
        let any = Hosts::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 80);
        assert!(any.allows("192.168.1.6:80") && any.allows("[fe80::1]:80"));
        assert!(!any.allows("evil.example:80"));
    }
}
