//! Live reload and errors in the page: what `serve` adds to the pages it serves, and
//! never to a build.
//!
//! Every HTML answer gets one `<script src>` tag, for [`SCRIPT`], served by `serve` itself
//! under [`PREFIX`] (a path no site file can take: slugs never start with `_`). A same-origin
//! external script keeps the pages' strict CSP (`default-src 'self'`) as it is, and nothing
//! of it is on disk: the output folder stays what `scholia build` makes. The tag carries the
//! number of the build the page came from.
//!
//! The script listens to [`EVENTS`], a stream of server-sent events: one [`Status`] (JSON)
//! when it connects and one after every rebuild. A good build with another number reloads
//! the page, keeping its scroll position; a failed one shows the diagnostics in a dialog
//! over the last good page, which stays served.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt as _};
use serde::Serialize;
use tokio::sync::watch;

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::pipeline::Failure;

/// Where `serve`'s own files live, at the root of the server.
pub(crate) const PREFIX: &str = "/_scholia/";
/// The script every served page loads.
pub(crate) const SCRIPT: &str = "/_scholia/live.js";
/// Its stylesheet, loaded by the script when it first shows diagnostics.
pub(crate) const STYLE: &str = "/_scholia/live.css";
/// The event stream.
pub(crate) const EVENTS: &str = "/_scholia/events";

const SCRIPT_SOURCE: &str = include_str!("live.js");
const STYLE_SOURCE: &str = include_str!("live.css");

/// At most this many diagnostics go to the page (the terminal has them all): enough to
/// work on, and an event stays small whatever the site.
const MAX_PROBLEMS: usize = 50;

/// How soon a page whose event stream ended (or was cut: serve restarted) connects again.
const RETRY: Duration = Duration::from_secs(1);

/// An event stream ends by itself after this long, so that it ends well before the
/// server's connection lifetime (60 s) cuts it mid-answer, which browsers report as a
/// network error in the console; the page connects again at once and hears the status.
const STREAM_LIFETIME: Duration = Duration::from_secs(45);

/// The state of the site, as the pages are told it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Status {
    /// The number of the last good build (0: none yet); pages loaded from another one
    /// reload.
    pub(crate) build: u64,
    pub(crate) state: State,
    /// Why the last rebuild failed: empty unless `state` is `failed`.
    pub(crate) problems: Vec<Problem>,
    /// How many problems there were, `problems` holding at most [`MAX_PROBLEMS`].
    pub(crate) total: usize,
    /// The paragraph the save that made this build changed, if one was: that page, when
    /// open, shows it after reloading.
    pub(crate) edited: Option<EditedParagraph>,
}

/// A paragraph of a page, as the page's script finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct EditedParagraph {
    /// The page's URL path (`/unit-1/war/`).
    pub(crate) page: String,
    /// The paragraph's id on the page (`p3`).
    pub(crate) id: String,
}

impl EditedParagraph {
    /// Paragraph `paragraph` (1-based) of the page at `page` in the output folder.
    pub(crate) fn new(page: &str, paragraph: usize) -> EditedParagraph {
        let folder = page.strip_suffix("index.html").unwrap_or(page);
        EditedParagraph {
            page: format!("/{folder}"),
            id: format!("p{paragraph}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum State {
    Ok,
    Failed,
}

/// One diagnostic, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Problem {
    /// `error` or `warning`: the page writes it out, so colour is never the only sign.
    pub(crate) severity: &'static str,
    /// The file, relative to the site folder, as the terminal names it.
    pub(crate) file: Option<String>,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) message: String,
    /// The line of the file the diagnostic points at.
    pub(crate) snippet: Option<String>,
    pub(crate) label: Option<String>,
    pub(crate) help: Option<String>,
    pub(crate) notes: Vec<String>,
}

impl Problem {
    fn of(d: &Diagnostic) -> Problem {
        let at = d.span.as_ref().map(|span| {
            let (line, column) = span.source.line_col(span.range.start);
            let snippet = span.source.text.lines().nth(line.saturating_sub(1));
            (span.source.name.clone(), line, column, snippet)
        });
        Problem {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            file: at.as_ref().map(|a| a.0.clone()),
            line: at.as_ref().map(|a| a.1),
            column: at.as_ref().map(|a| a.2),
            message: d.message.clone(),
            snippet: at
                .and_then(|a| a.3)
                .map(|s| crate::diagnostics::clip(s, 200).into_owned()),
            label: (!d.label.is_empty()).then(|| d.label.clone()),
            help: d.help.clone(),
            notes: d.notes.clone(),
        }
    }

    /// A failure with no place in the content (a disk error, say).
    fn plain(message: String) -> Problem {
        Problem {
            severity: "error",
            file: None,
            line: None,
            column: None,
            message,
            snippet: None,
            label: None,
            help: None,
            notes: Vec::new(),
        }
    }
}

impl Status {
    /// A failed build's status: its diagnostics (errors first, as the terminal sorts them
    /// within each file) and, if it was not the content's fault, why.
    pub(crate) fn failed(build: u64, diags: &Diagnostics, failure: &Failure) -> Status {
        let mut problems: Vec<Problem> = Vec::new();
        match failure {
            Failure::Content => {}
            Failure::Usage(e) | Failure::Io(e) => problems.push(Problem::plain(format!("{e:#}"))),
        }
        let mut all: Vec<&Diagnostic> = diags.iter().collect();
        all.sort_by_key(|d| std::cmp::Reverse(d.severity));
        problems.extend(all.into_iter().map(Problem::of));
        let total = problems.len();
        problems.truncate(MAX_PROBLEMS);
        Status {
            build,
            state: State::Failed,
            problems,
            total,
            edited: None,
        }
    }

    pub(crate) fn ok(build: u64, edited: Option<EditedParagraph>) -> Status {
        Status {
            build,
            state: State::Ok,
            problems: Vec::new(),
            total: 0,
            edited,
        }
    }

    /// The event's data: one line of JSON (serde escapes newlines, as SSE needs).
    pub(crate) fn json(&self) -> String {
        // Plain data into a string: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What the rebuilds tell the pages: the latest [`Status`], which every event stream
/// watches.
#[derive(Debug)]
pub(crate) struct Live {
    status: watch::Sender<Status>,
}

impl Live {
    pub(crate) fn new() -> Live {
        Live {
            status: watch::Sender::new(Status::ok(0, None)),
        }
    }

    pub(crate) fn build(&self) -> u64 {
        self.status.borrow().build
    }

    /// A build succeeded: pages of an older one reload (and show `edited`).
    pub(crate) fn built(&self, edited: Option<EditedParagraph>) {
        self.status
            .send_modify(|s| *s = Status::ok(s.build + 1, edited));
    }

    /// A rebuild failed: every open page shows why, over the last good build.
    pub(crate) fn failed(&self, diags: &Diagnostics, failure: &Failure) {
        self.status
            .send_modify(|s| *s = Status::failed(s.build, diags, failure));
    }

    /// The event stream of one page: the status now, then each new one (a status that
    /// changes twice before it is sent is sent once, as it is last).
    pub(crate) fn events(&self) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
        let mut rx = self.status.subscribe();
        rx.mark_changed();
        let events = stream::unfold(rx, |mut rx| async move {
            rx.changed().await.ok()?;
            let data = rx.borrow_and_update().json();
            Some((Ok(Event::default().retry(RETRY).data(data)), rx))
        });
        Sse::new(events.take_until(tokio::time::sleep(STREAM_LIFETIME)))
    }
}

/// The script and its stylesheet.
pub(crate) fn asset(path: &str) -> Option<Response> {
    let (content_type, body) = match path {
        SCRIPT => ("text/javascript; charset=utf-8", SCRIPT_SOURCE),
        STYLE => ("text/css; charset=utf-8", STYLE_SOURCE),
        _ => return None,
    };
    Some(
        (
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response(),
    )
}

/// `html` with the live script's tag before `</head>` (or at the end, for a page without
/// one). The tag is ours, its only value a number: nothing of the page goes into it.
pub(crate) fn inject(html: &[u8], build: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT}\" data-build=\"{build}\" defer></script>");
    let at = html
        .windows(7)
        .position(|w| w.eq_ignore_ascii_case(b"</head>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Source, Span};

    fn sidecar_mistake() -> Diagnostics {
        let source = Source::new(
            "content/war.yaml",
            "annotations:\n  - quote: \"x\"\n    bogus: 1\n",
        );
        let start = source.offset_of(3, 5);
        let mut diags = Diagnostics::new();
        diags.push(Diagnostic::warning("a warning", Span::file(&source)));
        diags.push(
            Diagnostic::error("unknown key `bogus`", Span::new(&source, start..start + 5))
                .label("not a key of a note")
                .help("did you mean `body`?"),
        );
        diags
    }

    #[test]
    fn a_failed_build_sends_each_diagnostic_with_its_place() {
        let status = Status::failed(3, &sidecar_mistake(), &Failure::Content);
        let v: serde_json::Value =
            serde_json::from_str(&status.json()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["build"], 3);
        assert_eq!(v["state"], "failed");
        assert_eq!(v["total"], 2);
        let first = &v["problems"][0];
        assert_eq!(first["severity"], "error", "errors come first: {v:#}");
        assert_eq!(first["file"], "content/war.yaml");
        assert_eq!(
            (first["line"].as_u64(), first["column"].as_u64()),
            (Some(3), Some(5))
        );
        assert_eq!(first["message"], "unknown key `bogus`");
        assert_eq!(first["snippet"], "    bogus: 1");
        assert_eq!(first["label"], "not a key of a note");
        assert_eq!(first["help"], "did you mean `body`?");
        assert_eq!(v["problems"][1]["severity"], "warning");
        assert!(!status.json().contains('\n'), "an event's data is one line");
    }

    #[test]
    fn a_failure_outside_the_content_is_said_too() {
        let failure = Failure::Io(anyhow::anyhow!("disk full\nreally"));
        let status = Status::failed(1, &Diagnostics::new(), &failure);
        assert_eq!(status.problems.len(), 1);
        assert_eq!(status.problems[0].message, "disk full\nreally");
        assert_eq!(status.problems[0].file, None);
        assert!(
            !status.json().contains('\n'),
            "newlines are escaped in JSON"
        );
    }

    #[test]
    fn problems_are_bounded() {
        let source = Source::new("content/a.yaml", "x");
        let mut diags = Diagnostics::new();
        for i in 0..(MAX_PROBLEMS + 7) {
            diags.push(Diagnostic::error(
                format!("mistake {i}"),
                Span::file(&source),
            ));
        }
        let status = Status::failed(1, &diags, &Failure::Content);
        assert_eq!(status.problems.len(), MAX_PROBLEMS);
        assert_eq!(status.total, MAX_PROBLEMS + 7);
    }

    #[test]
    fn builds_count_and_a_failure_keeps_the_last_good_number() {
        let live = Live::new();
        live.built(None);
        live.built(None);
        assert_eq!(*live.status.borrow(), Status::ok(2, None));
        live.failed(&sidecar_mistake(), &Failure::Content);
        assert_eq!(live.build(), 2);
        assert_eq!(live.status.borrow().state, State::Failed);
        live.built(Some(EditedParagraph::new("unit-1/war/index.html", 4)));
        let status = live.status.borrow().clone();
        assert_eq!(status.build, 3);
        assert_eq!(status.state, State::Ok);
        let v: serde_json::Value =
            serde_json::from_str(&status.json()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["edited"]["page"], "/unit-1/war/");
        assert_eq!(v["edited"]["id"], "p4");
    }

    #[test]
    fn the_tag_goes_before_the_end_of_the_head() {
        let page = b"<!DOCTYPE html><html><head><title>T</title></HEAD><body>\xff</body></html>";
        let out = inject(page, 7);
        let tag = b"<script src=\"/_scholia/live.js\" data-build=\"7\" defer></script>";
        let at = out
            .windows(tag.len())
            .position(|w| w == tag)
            .unwrap_or_else(|| panic!("no tag: {}", String::from_utf8_lossy(&out)));
        assert!(out[at + tag.len()..].starts_with(b"</HEAD>"));
        assert_eq!(out.len(), page.len() + tag.len(), "nothing else changed");
        let bare = inject(b"<p>no head", 1);
        assert!(bare.starts_with(b"<p>no head<script src="));
    }

    #[test]
    fn the_script_and_its_style_are_served_and_nothing_else() {
        assert!(asset(SCRIPT).is_some() && asset(STYLE).is_some());
        assert!(asset("/_scholia/other.js").is_none());
        assert!(
            SCRIPT.starts_with(PREFIX) && STYLE.starts_with(PREFIX) && EVENTS.starts_with(PREFIX)
        );
    }
}
