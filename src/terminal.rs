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

/// What the process has used by the end of a stage, for `--timings`: CPU time (all
/// threads; unlike wall time it does not depend on what else the machine runs) and
/// memory (resident now, and the most ever resident), so a stage's cost in both shows
/// without a profiler. `None` where the system does not tell (not Linux).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    pub(crate) cpu: Option<Duration>,
    /// Resident and peak resident memory, in kibibytes (`VmRSS`, `VmHWM`).
    pub(crate) memory: Option<(u64, u64)>,
}

impl Usage {
    pub(crate) fn now() -> Usage {
        Usage {
            cpu: process_cpu(),
            memory: resident_memory(),
        }
    }

    /// `stage: 812.0 ms` and, when known, the CPU time since `before` and the memory:
    /// one line of `--timings`.
    pub(crate) fn line(stage: &str, wall: Duration, before: &Usage, after: &Usage) -> String {
        let mut line = format!("{stage:>8}: {:.1} ms", wall.as_secs_f64() * 1000.0);
        if let (Some(a), Some(b)) = (before.cpu, after.cpu) {
            let cpu = b.saturating_sub(a).as_secs_f64() * 1000.0;
            line.push_str(&format!("  (cpu {cpu:.0} ms"));
            if let Some((rss, peak)) = after.memory {
                line.push_str(&format!(
                    ", rss {} MiB, peak {} MiB",
                    rss / 1024,
                    peak / 1024
                ));
            }
            line.push(')');
        }
        line
    }
}

/// User and system time of all the process's threads so far: unlike wall-clock time, it does
/// not depend on what else the machine runs, so `--timings` and `serve` report it.
pub(crate) fn process_cpu() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: `getrusage` fills the one `rusage` the pointer points to.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: zeroed, then written by the call that succeeded.
        let usage = unsafe { usage.assume_init() };
        let micros = |t: libc::timeval| {
            u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000 + u64::try_from(t.tv_usec).unwrap_or(0)
        };
        Some(Duration::from_micros(
            micros(usage.ru_utime) + micros(usage.ru_stime),
        ))
    }
    #[cfg(not(unix))]
    None
}

/// `VmRSS` and `VmHWM` of `/proc/self/status`, in kibibytes (Linux only).
fn resident_memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_stage_line_tells_cpu_time_and_memory_on_linux() {
        let before = Usage::now();
        // Some work, so the CPU clock moves on (at most by 0 ms on a coarse clock).
        let v: Vec<u64> = (0..200_000).collect();
        let after = Usage::now();
        assert!(v.iter().sum::<u64>() > 0);
        let (rss, peak) = after.memory.unwrap_or_default();
        assert!(rss > 0 && peak >= rss, "{rss} {peak}");
        let line = Usage::line("anchor", Duration::from_millis(5), &before, &after);
        assert!(line.starts_with("  anchor: 5.0 ms  (cpu "), "{line}");
        assert!(line.contains(" MiB, peak "), "{line}");
        let unknown = Usage::line("load", Duration::from_millis(5), &Usage::default(), &after);
        assert_eq!(unknown, "    load: 5.0 ms");
    }

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
