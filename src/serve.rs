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
//!
//! Open pages follow (see [`live`]): each served page loads a script of serve's own, which
//! reloads the page after a rebuild and shows a failed one's diagnostics over it.
//!
//! Ctrl-C lets a rebuild in progress finish before serve exits, so no half-written
//! temporary folder is left beside the output folder.

mod changes;
mod incremental;
mod kept;
mod live;
mod records;
#[cfg(test)]
mod relink_tests;

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
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
use live::Live;

#[derive(Debug, Clone)]
pub(crate) struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    pub port: u16,
    /// Print how long each stage of a rebuild took.
    pub timings: bool,
    /// Open the site in the browser once it is served.
    pub open: bool,
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the server's runtime")?;
    // Caught from now on, so that Ctrl-C during the first build lets it finish.
    let mut stop = Stop::new(&runtime)?;
    let live = Arc::new(Live::new());
    let mut session = full_build(&options.build, report, &live);
    if !options.bind.is_loopback() {
        eprintln!("warning: serving on {addr}, reachable from other machines");
    }
    let url = format!("http://{addr}/");
    eprintln!(
        "serving {} at {url} (Ctrl-C to stop)",
        options.build.output.display()
    );
    if options.open {
        if let Err(e) = open::that_detached(&url) {
            eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
        }
    }
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
    let app = app(
        options.build.output.clone(),
        Hosts::new(options.bind, addr.port()),
        Arc::clone(&live),
    );
    let build = &options.build;
    let stopping = &AtomicBool::new(false);
    let busy = &AtomicBool::new(false);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(first) = rx.recv() {
                let plan = settle(build, first, &rx);
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                busy.store(true, Ordering::SeqCst);
                rebuild(options, &plan, &mut session, report, &live);
                busy.store(false, Ordering::SeqCst);
            }
            drop(done_tx);
        });
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            tokio::select! {
                never = accept(listener, app) => match never {},
                () = stop.next() => {}
            }
            // No new rebuild starts; one under way finishes (its temporary folder beside
            // the output folder switched in, or removed) before serve exits.
            stopping.store(true, Ordering::SeqCst);
            drop(watcher);
            if busy.load(Ordering::SeqCst) {
                eprintln!("stopping after the rebuild under way (Ctrl-C again to stop at once)");
            }
            tokio::select! {
                _ = done_rx => {}
                () = stop.next() => std::process::exit(130),
            }
            eprintln!("stopped");
            Ok(())
        })
    })
}

/// Ctrl-C (and, on Unix, SIGTERM), caught from when it is made: serve stops at the next
/// good moment instead of dying mid-write.
struct Stop {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    fn new(runtime: &tokio::runtime::Runtime) -> Result<Stop> {
        let _in = runtime.enter();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Stop {
                interrupt: signal(SignalKind::interrupt()).context("cannot handle Ctrl-C")?,
                terminate: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Stop {})
    }

    /// The next signal to stop (including one that came before this was called).
    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
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
fn full_build(build: &BuildOptions, report: &Reporter, live: &Live) -> Option<Session> {
    let started = Instant::now();
    let mut diags = Diagnostics::new();
    let (session, result) = Session::start(build, &mut diags);
    match result {
        Ok(done) => {
            report(build, &mut diags, Ok(done));
            live.built(None);
            eprintln!("full rebuild in {}", millis(started.elapsed()));
        }
        Err(failure) => {
            diags.sort();
            live.failed(&diags, &failure);
            report(build, &mut diags, Err(failure));
        }
    }
    session
}

fn rebuild(
    options: &ServeOptions,
    plan: &Plan,
    session: &mut Option<Session>,
    report: &Reporter,
    live: &Live,
) {
    let build = &options.build;
    let (Plan::Texts(texts), Some(current)) = (plan, session.as_mut()) else {
        if *plan != Plan::Nothing {
            *session = full_build(build, report, live);
        }
        return;
    };
    let mut diags = Diagnostics::new();
    let mut pages_done = |rebuilt: &incremental::Rebuilt, diags: &mut Diagnostics| {
        // The pages are written: open pages may reload now, before the search index.
        let edited = rebuilt.edited.as_ref();
        live.built(edited.map(|e| live::EditedParagraph::new(&e.page, e.paragraph)));
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
        None => *session = full_build(build, report, live),
        Some(Err(failure)) => {
            diags.sort();
            live.failed(&diags, &failure);
            report(build, &mut diags, Err(failure));
        }
        Some(Ok(indexed)) => {
            print_diagnostics(&mut diags);
            if options.timings {
                for (stage, t) in &indexed.timings {
                    eprintln!("{stage:>20}: {}", millis(*t));
                }
            }
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
        std::io::ErrorKind::AddrInUse => {
            let free = (1..=20)
                .filter_map(|i| addr.port().checked_add(i))
                .find(|&p| std::net::TcpListener::bind(SocketAddr::new(addr.ip(), p)).is_ok());
            let another = match free {
                Some(p) => format!("another port with --port {p} (free now)"),
                None => "another port with --port".to_string(),
            };
            format!(
                "another program (perhaps another `scholia serve`) is using port {}; stop \
                 it, or choose {another}, or let the system pick a free one with --port 0",
                addr.port()
            )
        }
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

/// What the routes read: the output folder and the state of the rebuilds.
struct Served {
    root: PathBuf,
    live: Arc<Live>,
}

/// The routes: serve's own files under [`live::PREFIX`] (the live script, its stylesheet,
/// its event stream), and every other path a file of the output folder, answered to GET
/// and HEAD (axum answers other methods 405 with `Allow: GET,HEAD`), for allowed hosts
/// only.
fn app(root: PathBuf, hosts: Hosts, live: Arc<Live>) -> Router {
    let events = {
        let live = Arc::clone(&live);
        axum::routing::get(move || {
            let live = Arc::clone(&live);
            async move { live.events() }
        })
    };
    let files = axum::routing::get(file).with_state(Arc::new(Served { root, live }));
    Router::new()
        .route(live::EVENTS, events)
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

/// A file of the output folder; an HTML page gets the live script's tag (in the answer
/// only: the file on disk is the build's).
async fn file(State(served): State<Arc<Served>>, uri: Uri) -> Response {
    let path = uri.path().to_owned();
    if path.starts_with(live::PREFIX) {
        return live::asset(&path).unwrap_or_else(|| not_found(served.live.build()));
    }
    let build = served.live.build();
    let found = tokio::task::spawn_blocking(move || {
        let file = resolve(&served.root, &path)?;
        let bytes = std::fs::read(&file).ok()?;
        Some((content_type(&file), bytes))
    })
    .await;
    match found {
        Ok(Some((content_type, bytes))) if content_type.starts_with("text/html") => {
            let page = live::inject(&bytes, build);
            ([(header::CONTENT_TYPE, content_type)], page).into_response()
        }
        Ok(Some((content_type, bytes))) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        _ => not_found(build),
    }
    .with_no_store()
}

/// A missing page, with the live script too: while the first build is broken there is no
/// site, and this page shows why.
fn not_found(build: u64) -> Response {
    let page = "<!DOCTYPE html><html lang=\"en\"><head><title>Not found</title></head>\
                <body><p>Not found.</p></body></html>";
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        live::inject(page.as_bytes(), build),
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
