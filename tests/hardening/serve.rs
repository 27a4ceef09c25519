//! Hardening item 7: the dev server. A real `scholia serve` on a free loopback port, spoken
//! to byte by byte over `TcpStream` so each test controls exactly what a client sends (and
//! what it does not read). Every wait is bounded: a read time-out here detects a hang, it does
//! not measure speed.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

use crate::support;
use crate::support::serve::{self as server, Served};

/// How long a client waits for an answer before calling it a hang.
const HANG: Duration = Duration::from_secs(10);

/// Serves the basic fixture site, with a file beside the output folder that no request
/// may ever read.
fn start() -> Served {
    let site = support::copy_site(&support::fixture("sites/basic"));
    std::fs::write(site.path().join("secret.txt"), "TOP-SECRET-7f3a")
        .unwrap_or_else(|e| panic!("{e}"));
    let served = Served::start(site, &[]);
    let r = get(served.port, "/", &served.host())
        .unwrap_or_else(|e| panic!("no answer: {e}\n{}", served.log()));
    assert_eq!(r.status, 200, "{}", r.head);
    served
}

impl Served {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Asserts the server still answers a plain request (it did not stall or fall over).
    fn assert_answers(&self, after: &str) {
        let r = get(self.port, "/", &self.host())
            .unwrap_or_else(|e| panic!("no answer after {after}: {e}\n{}", self.log()));
        assert_eq!(r.status, 200, "after {after}: {}", r.head);
    }
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

fn try_connect(port: u16) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(HANG))?;
    stream.set_write_timeout(Some(HANG))?;
    Ok(stream)
}

fn connect(port: u16) -> TcpStream {
    try_connect(port).unwrap_or_else(|e| panic!("cannot connect to port {port}: {e}"))
}

/// Sends `raw` on a new connection and reads the answer until the server closes it.
fn exchange(port: u16, raw: &[u8]) -> std::io::Result<Reply> {
    let mut stream = try_connect(port)?;
    stream.write_all(raw)?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> std::io::Result<Reply> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, "no complete head"))?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, head.clone()))?;
    Ok(Reply {
        status,
        head,
        body: bytes[end + 4..].to_vec(),
    })
}

fn request(method: &str, path: &str, host: &str) -> Vec<u8> {
    format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()
}

fn get(port: u16, path: &str, host: &str) -> std::io::Result<Reply> {
    exchange(port, &request("GET", path, host))
}

fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply.head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[test]
fn a_client_that_pipelines_and_never_reads_does_not_stall_others() {
    let served = start();
    let mut greedy = connect(served.port);
    let one = format!(
        "GET /index.html HTTP/1.1\r\nHost: {}\r\n\r\n",
        served.host()
    );
    // 2,000 requests (about 100 KB) whose answers (several MB) are never read.
    for _ in 0..2000 {
        if greedy.write_all(one.as_bytes()).is_err() {
            break; // the server may stop reading once its answers back up: that is fine
        }
    }
    for i in 0..3 {
        served.assert_answers(&format!("a pipelining client (other request {i})"));
    }
    drop(greedy);
}

#[test]
fn an_oversized_header_is_refused_and_not_held() {
    let served = start();
    let mut stream = connect(served.port);
    let mut raw = format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Big: ", served.host()).into_bytes();
    raw.resize(raw.len() + 1024 * 1024, b'a');
    raw.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    // The server may answer and close before it has read it all: a failed write is fine.
    let _ = stream.write_all(&raw);
    let _ = stream.shutdown(Shutdown::Write);
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => {
            if let Ok(reply) = parse(&bytes) {
                assert!(
                    [400, 413, 431].contains(&reply.status),
                    "a 1 MB header line was answered: {}",
                    reply.head
                );
            } // else: closed without an answer, also a refusal
        }
        Err(e) => assert!(
            e.kind() != ErrorKind::WouldBlock && e.kind() != ErrorKind::TimedOut,
            "the server held the connection of a 1 MB header: {e}"
        ),
    }
    served.assert_answers("a 1 MB header");
}

/// A request whose headers never end (slow loris) is dropped after the server's header
/// time-out; the client waits at most 60 s for that.
#[test]
fn a_client_that_never_finishes_its_headers_is_dropped() {
    let served = start();
    let mut loris = connect(served.port);
    loris
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap_or_else(|e| panic!("{e}"));
    let start = format!("GET / HTTP/1.1\r\nHost: {}\r\n", served.host());
    loris
        .write_all(start.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut bytes = Vec::new();
    match loris.read_to_end(&mut bytes) {
        Ok(_) => {
            // Closed, perhaps after a 408: anything but an answer to the unfinished request.
            if let Ok(reply) = parse(&bytes) {
                assert_eq!(reply.status, 408, "{}", reply.head);
            }
        }
        Err(e) => assert!(
            e.kind() != ErrorKind::WouldBlock && e.kind() != ErrorKind::TimedOut,
            "an unfinished request was kept open for 60 s: {e}"
        ),
    }
    served.assert_answers("a slow client");
}

#[test]
fn only_get_and_head_are_answered() {
    let served = start();
    let host = served.host();
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let r = exchange(served.port, &request(method, "/", &host))
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(r.status, 405, "{method}: {}", r.head);
        let allow = header(&r, "allow").unwrap_or_else(|| panic!("{method}: no Allow: {}", r.head));
        assert!(
            allow.contains("GET") && allow.contains("HEAD"),
            "{method}: Allow: {allow}"
        );
    }
    let head =
        exchange(served.port, &request("HEAD", "/", &host)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(head.status, 200, "{}", head.head);
    assert!(head.body.is_empty(), "HEAD sent a body");
}

/// DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 must not read
/// the preview (drafts, instructor notes).
#[test]
fn only_hosts_that_name_the_bound_address_are_answered() {
    let served = start();
    let port = served.port;
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        String::new(),
    ] {
        let r = get(port, "/", &host).unwrap_or_else(|e| panic!("{host}: {e}"));
        assert!(
            (400..500).contains(&r.status),
            "Host: {host} was answered: {}",
            r.head
        );
    }
    let no_host = exchange(port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!((400..500).contains(&no_host.status), "{}", no_host.head);
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("LocalHost:{port}"),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        format!("[::1]:{port}"),
    ] {
        let r = get(port, "/", &host).unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(r.status, 200, "Host: {host}: {}", r.head);
    }
}

#[test]
fn paths_outside_the_output_folder_are_refused() {
    let served = start();
    let host = served.host();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/assets/../../secret.txt",
        "/%00",
    ] {
        let r = get(served.port, path, &host).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.head);
        let body = String::from_utf8_lossy(&r.body);
        assert!(!body.contains("TOP-SECRET"), "{path} leaked the file");
    }
}

#[test]
fn files_folders_and_missing_pages_are_served_as_before() {
    let served = start();
    let host = served.host();
    let page = get(served.port, "/", &host).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header(&page, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(String::from_utf8_lossy(&page.body).contains("<!DOCTYPE html>"));
    let style = support::asset(&served.site().join("public"), "style.css");
    let style = style.file_name().map(|n| n.to_string_lossy().into_owned());
    let style = format!("/assets/{}?v=1", style.unwrap_or_default());
    let css = get(served.port, &style, &host).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(css.status, 200, "{}", css.head);
    assert_eq!(
        header(&css, "content-type"),
        Some("text/css; charset=utf-8")
    );
    let missing = get(served.port, "/no/such/page.html", &host).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status, 404, "{}", missing.head);
    assert!(String::from_utf8_lossy(&missing.body).contains("Not found"));
}

/// A port already in use is a usage error (exit 2) that says what to do, before any build.
#[test]
fn a_port_in_use_is_a_clear_usage_error() {
    let site = support::copy_site(&support::fixture("sites/basic"));
    let taken = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = taken.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
    let mut child = server::spawn(site.path(), port, &[]);
    let status = server::wait_for_exit(&mut child);
    drop(taken);
    let log = std::fs::read_to_string(site.path().join("serve.log")).unwrap_or_default();
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(
        log.contains(&format!("cannot listen on 127.0.0.1:{port}"))
            && log.contains("choose another port with --port ")
            && log.contains("--port 0"),
        "{log}"
    );
    assert!(
        !site.path().join("public").exists(),
        "it built the site before finding the port taken:\n{log}"
    );
}
