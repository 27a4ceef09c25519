//! Manners on a terminal: how much to say (`-q`, `-v`), colours, and the progress bar
//! of a long build.
//!
//! Everything here goes to standard error, so standard output stays for what a command
//! produces (`scholia schema`, `check --format json`). Colours and the progress bar appear
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

/// Whether standard error is a terminal a person watches: colours and the progress bar.
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Whether to colour diagnostics: on a terminal, unless `NO_COLOR` is set (<https://no-color.org>
/// asks this of any value but the empty one; we take that too).
pub(crate) fn color() -> bool {
    stderr_is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// How long a build runs before its progress bar shows: quick builds print only their
/// summary.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

/// A build's progress bar on standard error (its stages done of all, the time so far),
/// shown once the build has taken [`PROGRESS_DELAY`], and never when standard error is
/// not a terminal or with `-q`. Cleared by [`Progress::stop`] (or when dropped), before
/// the summary is printed.
pub(crate) struct Progress {
    /// Hidden until the delay has passed; `None` when it is never to show.
    bar: Option<ProgressBar>,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// A bar for `stages` steps, labelled `what` ("building").
    pub(crate) fn start(what: &'static str, stages: usize) -> Progress {
        if verbosity() == Verbosity::Quiet || !stderr_is_terminal() {
            return Progress {
                bar: None,
                stop: None,
                thread: None,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(stages as u64), ProgressDrawTarget::hidden())
            .with_style(style())
            .with_message(what);
        let (stop, stopped) = mpsc::channel::<()>();
        let shown = bar.clone();
        let thread = std::thread::spawn(move || {
            if stopped.recv_timeout(PROGRESS_DELAY) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            shown.set_draw_target(ProgressDrawTarget::stderr());
            shown.enable_steady_tick(Duration::from_millis(100));
            // Until the build ends (a message, or the sender dropped).
            let _ = stopped.recv();
            shown.finish_and_clear();
        });
        Progress {
            bar: Some(bar),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// One more stage done.
    pub(crate) fn stage_done(&self, stage: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("building: {stage} done"));
        }
    }

    /// Clears the bar (if it showed) before the caller prints.
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

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{bar:24}] {pos}/{len} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
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

    /// The progress bar's length is the number of stages a build reports, each once.
    #[test]
    fn a_build_reports_as_many_stages_as_the_bar_counts() {
        let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/basic");
        let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let options = crate::config::BuildOptions {
            site_dir: site,
            output: out.path().join("public"),
            instructor: false,
            drafts: false,
            base_url: None,
        };
        let seen = std::cell::RefCell::new(Vec::new());
        let mut diags = crate::diagnostics::Diagnostics::new();
        let report = crate::pipeline::build_with_progress(&options, &mut diags, &|stage| {
            seen.borrow_mut().push(stage);
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        let stages: Vec<&str> = report.timings.iter().map(|(s, _)| *s).collect();
        assert_eq!(*seen.borrow(), stages);
        assert_eq!(stages.len(), crate::pipeline::stage_count(), "{stages:?}");
    }
}
