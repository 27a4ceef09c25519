//! `serve`'s rebuilds: the site stays in memory between them, a saved text is read again
//! alone, and only the files whose bytes changed are written.
//!
//! The first build (and any rebuild after a change to what every page depends on, see
//! [`super::changes`]) is a full one, switched in atomically like `scholia build`'s. After
//! it, a [`Session`] keeps the loaded [`Site`], the diagnostics `load` gave, and what each
//! output wrote ([`Written`]). A rebuild for a few texts reads just those texts, runs the
//! later stages over the site in memory, writes the pages that changed, then the search
//! index and any other output (the slowest, so the browser gets the pages first).
//!
//! What is not done yet: the resolved document is made again for the whole site (anchor,
//! link, render), and every page rendered and compared with what is on disk. Next: keep
//! each text's anchoring and HTML, redo only the saved texts and those linking into them,
//! and render only the pages whose resolved record changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::BuildOptions;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{self, Reloaded};
use crate::output::{self, OutputFile, Written};
use crate::pipeline::{self, Failure, Report};
use crate::site::Site;

/// The site as `serve` last built it.
pub(crate) struct Session {
    options: BuildOptions,
    out: PathBuf,
    site: Site,
    /// What `load` reported, shown again with every rebuild (a warning does not go away
    /// because another file was saved); those of a file read again are replaced.
    load_diags: Vec<Diagnostic>,
    /// What each output (by its renderer's name) last wrote.
    written: BTreeMap<&'static str, Written>,
}

/// What an incremental rebuild did, for the line `serve` prints.
#[derive(Debug, Default, Clone)]
pub(crate) struct Rebuilt {
    /// Pages rendered (HTML files compared).
    pub(crate) pages: usize,
    /// Files of the site written, or removed, because their bytes changed.
    pub(crate) written: usize,
    pub(crate) removed: usize,
    /// From the first file event's handling to the last page file written.
    pub(crate) took: Duration,
    /// How long each stage took, for `--timings`.
    pub(crate) timings: Vec<(&'static str, Duration)>,
}

/// What the outputs after the pages (the search index) did.
#[derive(Debug, Default, Clone)]
pub(crate) struct Indexed {
    pub(crate) written: usize,
    pub(crate) took: Duration,
}

impl Session {
    /// A full build, as `scholia build` makes it (the output switched in atomically),
    /// remembered for the next rebuilds. `None` with the failure if it failed.
    pub(crate) fn start(
        options: &BuildOptions,
        diags: &mut Diagnostics,
    ) -> (Option<Session>, Result<Report, Failure>) {
        match Session::full(options, diags) {
            Ok((session, report)) => (Some(session), Ok(report)),
            Err(failure) => (None, Err(failure)),
        }
    }

    fn full(options: &BuildOptions, diags: &mut Diagnostics) -> Result<(Session, Report), Failure> {
        let out =
            output::check_output_dir(&options.site_dir, &options.output).map_err(Failure::Usage)?;
        output::remove_stale_temp_folders(&out);
        let mut loaded = Diagnostics::new();
        let site = load::site(options, &mut loaded).map_err(|e| Failure::Usage(e.into()))?;
        let load_diags: Vec<Diagnostic> = loaded.iter().cloned().collect();
        diags.extend(loaded);
        let doc = pipeline::document(&site, diags, &mut |_| {});
        let mut written = BTreeMap::new();
        let mut all = Vec::new();
        for renderer in output::renderers() {
            let files = claimed(renderer.render(&doc, diags), diags)?;
            written.insert(renderer.name(), Written::of(&files));
            all.extend(files);
        }
        output::write(&all, &out).map_err(Failure::Io)?;
        let report = Report {
            texts: site.texts.len(),
            notes: doc.texts.iter().map(|t| t.notes.len()).sum(),
            pages: all.iter().filter(|f| f.path.ends_with(".html")).count(),
            timings: Vec::new(),
        };
        drop(doc);
        let session = Session {
            options: options.clone(),
            out,
            site,
            load_diags,
            written,
        };
        Ok((session, report))
    }

    /// Reads the texts `paths` (their `.md` files) again and rebuilds: the pages first,
    /// told to `pages_done`, then the other outputs. `None` when only a full build can
    /// bring them in (a text the site did not have): the caller starts a new session.
    /// Diagnostics of the whole site go to `diags`.
    pub(crate) fn texts(
        &mut self,
        paths: &BTreeSet<PathBuf>,
        diags: &mut Diagnostics,
        pages_done: &mut dyn FnMut(&Rebuilt, &mut Diagnostics),
    ) -> Option<Result<Indexed, Failure>> {
        let started = Instant::now();
        if !self.output_is_ours() {
            return None; // removed or replaced meanwhile: only a full build may recreate it
        }
        let mut clock = Clock::new();
        for path in paths {
            let mut reread = Diagnostics::new();
            if load::reload_text(&self.options, &mut self.site, path, &mut reread)
                == Reloaded::NotInSite
            {
                return None;
            }
            self.replace_load_diags(path, reread);
        }
        diags.extend(self.load_diagnostics());
        clock.lap("load");
        Some(self.outputs(started, clock, diags, pages_done))
    }

    /// Makes the document and each output, and writes the files whose bytes changed.
    fn outputs(
        &mut self,
        started: Instant,
        mut clock: Clock,
        diags: &mut Diagnostics,
        pages_done: &mut dyn FnMut(&Rebuilt, &mut Diagnostics),
    ) -> Result<Indexed, Failure> {
        let doc = pipeline::document(&self.site, diags, &mut |_| {});
        clock.lap("anchor, link, render");
        let mut renderers = output::renderers().into_iter();
        let mut rebuilt = Rebuilt::default();
        if let Some(pages) = renderers.next() {
            let files = claimed(pages.render(&doc, diags), diags)?;
            clock.lap(pages.name());
            let done = update(&self.out, &mut self.written, pages.name(), &files)?;
            clock.lap("write");
            rebuilt = Rebuilt {
                pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
                written: done.written,
                removed: done.removed,
                took: started.elapsed(),
                timings: clock.laps,
            };
        }
        pages_done(&rebuilt, diags);
        let started = Instant::now();
        let mut indexed = Indexed::default();
        for renderer in renderers {
            let files = claimed(renderer.render(&doc, diags), diags)?;
            let done = update(&self.out, &mut self.written, renderer.name(), &files)?;
            indexed.written += done.written + done.removed;
        }
        indexed.took = started.elapsed();
        Ok(indexed)
    }

    /// Whether the output folder is still the one this session wrote.
    fn output_is_ours(&self) -> bool {
        output::check_output_dir(&self.options.site_dir, &self.options.output).is_ok()
            && self.out.join(output::MARKER).is_file()
    }

    /// Forgets what `load` said about `text` (its `.md` file) and its sidecar, and keeps
    /// `reread` instead.
    fn replace_load_diags(&mut self, text: &Path, reread: Diagnostics) {
        let site_dir = &self.options.site_dir;
        let names = [
            load::source_name(site_dir, text),
            load::source_name(site_dir, &text.with_extension("yaml")),
        ];
        self.load_diags.retain(|d| {
            d.span
                .as_ref()
                .is_none_or(|s| !names.contains(&s.source.name))
        });
        self.load_diags.extend(reread.iter().cloned());
    }

    fn load_diagnostics(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for d in &self.load_diags {
            diags.push(d.clone());
        }
        diags
    }
}

/// Writes what changed of one output's files into `out`, and removes those it no longer
/// makes.
fn update(
    out: &Path,
    written: &mut BTreeMap<&'static str, Written>,
    output: &'static str,
    files: &[OutputFile],
) -> Result<output::Updated, Failure> {
    let written = written.entry(output).or_default();
    let gone = written.missing_from(files);
    output::update(out, written, files, &gone).map_err(Failure::Io)
}

/// One output's files, each path claimed once; fails on any error so far, so nothing
/// is written.
fn claimed(files: Vec<OutputFile>, diags: &mut Diagnostics) -> Result<Vec<OutputFile>, Failure> {
    let mut claims = output::Claims::new();
    claims.claim(files, diags);
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    Ok(claims.into_files())
}

/// Stage times, for `--timings`.
struct Clock {
    at: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            at: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.at));
        self.at = now;
    }
}
