//! A real `scholia serve` (the binary) on a free loopback port, for every test that needs
//! one (`serve`, `hardening::serve`, `browser::live`): its standard error goes to
//! `serve.log` in the site folder, and it is killed when dropped. Every wait is bounded to
//! detect a hang, never to measure speed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long serve may take to print a line the test waits for (a full build under load).
const PATIENCE: Duration = Duration::from_secs(120);

/// A running `scholia serve` of a site folder of its own.
pub(crate) struct Served {
    child: Child,
    pub(crate) port: u16,
    site: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Serves `site` (a folder with `content/`) on 127.0.0.1 and a free port, with `args`
    /// after `serve .`, once its first build is done.
    pub(crate) fn start(site: tempfile::TempDir, args: &[&str]) -> Served {
        let port = free_port();
        let child = spawn(site.path(), port, args);
        let served = Served { child, port, site };
        served.wait_for_lines("serving ", 1);
        served
    }

    /// The site folder.
    pub(crate) fn site(&self) -> &Path {
        self.site.path()
    }

    /// A path in the site folder.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.site.path().join(rel)
    }

    /// The URL of `rel` on the server (`rel` without a leading `/`).
    pub(crate) fn url(&self, rel: &str) -> String {
        format!("http://127.0.0.1:{}/{rel}", self.port)
    }

    /// What serve printed so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.path("serve.log")).unwrap_or_default()
    }

    /// Waits until the log has `count` lines starting with `start`, and returns it.
    pub(crate) fn wait_for_lines(&self, start: &str, count: usize) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let log = self.log();
            if log.lines().filter(|l| l.starts_with(start)).count() >= count {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "no line `{start}…` from scholia serve:\n{log}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Replaces the first `from` by `to` in the file `rel` of the site.
    pub(crate) fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains(from), "`{from}` is not in {rel}");
        write(&path, &text.replacen(from, to, 1));
    }

    /// Sends serve SIGINT (what Ctrl-C sends) and waits for it to exit.
    #[cfg(unix)]
    pub(crate) fn interrupt(&mut self) -> ExitStatus {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap_or_else(|e| panic!("{e}"));
        // SAFETY: `kill` only sends a signal, to our own child, which has not been waited
        // for yet (so its id is not reused).
        let sent = unsafe { libc::kill(pid, libc::SIGINT) };
        assert_eq!(sent, 0, "cannot send SIGINT to scholia serve");
        wait_for_exit(&mut self.child)
    }
}

/// Starts `scholia serve . --bind 127.0.0.1 --port PORT ARGS…` in `site`, its standard
/// error into `site/serve.log`.
pub(crate) fn spawn(site: &Path, port: u16, args: &[&str]) -> Child {
    let log = std::fs::File::create(site.join("serve.log")).unwrap_or_else(|e| panic!("{e}"));
    let port = port.to_string();
    Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["serve", ".", "--bind", "127.0.0.1", "--port", &port])
        .args(args)
        .current_dir(site)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start scholia serve: {e}"))
}

/// Waits (boundedly) for `child` to exit; kills it and fails if it does not.
pub(crate) fn wait_for_exit(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("scholia serve did not exit");
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A port that was free a moment ago (the kernel picks it for port 0).
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port()
}

pub(crate) fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
