//! Manners on a terminal: how much to say (`-q`, `-v`), and the progress spinner of a
//! long build.
//!
//! Everything here goes to standard error, so standard output stays for what a command
//! produces (`scholia schema`, `check --format json`). Colours and the spinner appear
//! only on a terminal: a pipe, a file or a CI log gets plain lines.

use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How much a command says besides its diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// `-q`: errors and warnings only; nothing at all on a clean success.
    Quiet,
    Normal,
    /// `-v`: each stage's time, each file `init` writes.
    Verbose,
}

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

/// Set once, from the command line, before anything is printed.
pub(crate) fn set_verbosity(v: Verbosity) {
    let _ = VERBOSITY.set(v);
}

pub(crate) fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or(Verbosity::Normal)
}

/// Whether standard error is a terminal a person watches: colours and the spinner.
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Whether to colour diagnostics: on a terminal, unless `NO_COLOR` is set (<https://no-color.org>
/// asks this of any value but the empty one; we take that too).
pub(crate) fn color() -> bool {
    stderr_is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// How long a build runs before its spinner shows: quick builds print only their summary.
const SPINNER_DELAY: Duration = Duration::from_secs(1);

/// A spinner on standard error with the time so far, shown once a build has taken
/// [`SPINNER_DELAY`], and never when standard error is not a terminal or with `-q`.
/// Cleared by [`Spinner::stop`] (or when dropped) before the summary is printed.
pub(crate) struct Spinner {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    pub(crate) fn start(message: &str) -> Spinner {
        if verbosity() == Verbosity::Quiet || !stderr_is_terminal() {
            return Spinner {
                stop: None,
                thread: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let message = message.to_string();
        let thread = std::thread::spawn(move || {
            if stopped.recv_timeout(SPINNER_DELAY) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(spinner_style())
                .with_message(message);
            bar.enable_steady_tick(Duration::from_millis(100));
            // Until the build ends (a message, or the sender dropped).
            let _ = stopped.recv();
            bar.finish_and_clear();
        });
        Spinner {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Clears the spinner (if it showed) before the caller prints.
    pub(crate) fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.finish();
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// "1.2 s" or "340 ms": a build's time in the summary line.
pub(crate) fn duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(Duration::from_millis(340)), "340 ms");
        assert_eq!(duration(Duration::from_millis(1250)), "1.2 s");
    }
}
