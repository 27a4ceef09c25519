//! `scholia serve`: build, serve the output on loopback, rebuild when content changes.
//!
//! For authors previewing their site, never for hosting it. It binds to 127.0.0.1 unless
//! told otherwise, and serves only files inside the output folder: request paths are
//! decoded, `..`, backslashes and NUL are refused, and the resolved file must still lie
//! under the output folder after symlinks are followed (Zola's CVE-2023-40274 was exactly
//! this).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use notify::{RecursiveMode, Watcher};

use crate::config::BuildOptions;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    pub port: u16,
}

/// Serves until interrupted. `rebuild` runs a build and reports it (the CLI's job).
pub fn run(options: &ServeOptions, rebuild: &(dyn Fn(&BuildOptions) + Sync)) -> Result<()> {
    rebuild(&options.build);
    let addr = SocketAddr::new(options.bind, options.port);
    let server = tiny_http::Server::http(addr)
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    if !options.bind.is_loopback() {
        eprintln!("warning: serving on {addr}, reachable from other machines");
    }
    eprintln!(
        "serving {} at http://{addr}/ (Ctrl-C to stop)",
        options.build.output.display()
    );
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    })?;
    for dir in ["content", "themes", "templates"] {
        let path = options.build.site_dir.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    let build = &options.build;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while rx.recv().is_ok() {
                // Let a burst of saves settle into one rebuild.
                while rx.recv_timeout(Duration::from_millis(200)).is_ok() {}
                rebuild(build);
            }
        });
        for request in server.incoming_requests() {
            let response = respond(&options.build.output, request.url());
            let _ = request.respond(response);
        }
    });
    Ok(())
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn respond(root: &Path, url: &str) -> Response {
    match resolve(root, url) {
        Some(file) => match std::fs::read(&file) {
            Ok(bytes) => with_type(tiny_http::Response::from_data(bytes), content_type(&file)),
            Err(_) => not_found(),
        },
        None => not_found(),
    }
}

fn not_found() -> Response {
    let page = b"<!DOCTYPE html><html lang=\"en\"><title>Not found</title><p>Not found.</p></html>"
        .to_vec();
    with_type(
        tiny_http::Response::from_data(page).with_status_code(404),
        "text/html; charset=utf-8",
    )
}

fn with_type(response: Response, content_type: &str) -> Response {
    match tiny_http::Header::from_bytes("Content-Type", content_type) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

/// The file a request URL names, if it is a file inside `root`.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
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
}
