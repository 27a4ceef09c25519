//! `serve`'s rebuilds: the site stays in memory between them, a saved text is read again
//! alone, and only the files whose bytes changed are written.
//!
//! The first build (and any rebuild after a change to what every page depends on, see
//! [`super::changes`]) is a full one, switched in atomically like `scholia build`'s. After
//! it, a [`Session`] keeps the loaded [`Site`], the diagnostics `load` gave, and what each
//! output wrote ([`Written`]). A rebuild for a few texts reads just those texts, runs the
//! later stages over the site in memory, writes the pages that changed, then the search
//! index (the slowest output, so the browser gets the pages first).
//!
//! Each text's anchoring and rendering is kept too ([`Prepared`]); a rebuild redoes only
//! the saved texts and those that link into them ([`super::affected`]). The link stage
//! and the pages are still made for the whole site, then compared with what is on disk:
//! rendering only the pages whose resolved data changed waits for the resolved document
//! model.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::BuildOptions;
use rayon::prelude::*;

use crate::anchor::{self, Anchored};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::graph::{self, Graph};
use crate::link::{Page, Targets};
use crate::load::{self, Reloaded};
use crate::output::{self, OutputFile, Written};
use crate::pipeline::{self, Failure, Report};
use crate::render::RenderedText;
use crate::search;
use crate::site::Site;

/// The site as `serve` last built it.
pub(crate) struct Session {
    options: BuildOptions,
    out: PathBuf,
    site: Site,
    /// What `load` reported, shown again with every rebuild (a warning does not go away
    /// because another file was saved); those of a file read again are replaced.
    load_diags: Vec<Diagnostic>,
    pages: Written,
    search: Written,
    /// Each text's anchoring and rendering, by slug.
    prepared: HashMap<String, Prepared>,
    /// The rendered texts of the last rebuild, until the search index is made from them.
    pending: Option<pipeline::Rendered>,
}

/// One text anchored and rendered (before the link stage fills in its notes' extras),
/// with what those two stages said about it.
struct Prepared {
    anchored: Anchored,
    rendered: RenderedText,
    diags: Vec<Diagnostic>,
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

/// What the search index's rebuild, which follows the pages', did.
#[derive(Debug, Default, Clone)]
pub(crate) struct Indexed {
    pub(crate) written: usize,
    pub(crate) took: Duration,
}

/// Everything but the search index, and the data the index is made from.
struct Built {
    pages: Vec<OutputFile>,
    report: Report,
    rendered: pipeline::Rendered,
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
        let mut prepared = HashMap::new();
        let redo = site.texts.iter().map(|t| t.slug.clone()).collect();
        let built = build(&site, &mut prepared, &redo, diags)?;
        let index = search_index(&site, &built.rendered, diags)?;
        let mut all = built.pages;
        all.extend_from_slice(&index);
        output::write(&all, &out).map_err(Failure::Io)?;
        let pages = Written::of(&all[..all.len() - index.len()]);
        let search = Written::of(&index);
        let session = Session {
            options: options.clone(),
            out,
            site,
            load_diags,
            pages,
            search,
            prepared,
            pending: None,
        };
        Ok((session, built.report))
    }

    /// Reads the texts `paths` (their `.md` files) again and rebuilds. `None` when only a
    /// full build can bring them in (a text the site did not have): the caller starts a
    /// new session. Diagnostics of the whole site go to `diags`.
    pub(crate) fn texts(
        &mut self,
        paths: &BTreeSet<PathBuf>,
        diags: &mut Diagnostics,
    ) -> Option<Result<Rebuilt, Failure>> {
        let started = Instant::now();
        if !self.output_is_ours() {
            return None; // removed or replaced meanwhile: only a full build may recreate it
        }
        let mut changed = BTreeSet::new();
        let mut clock = Clock::new();
        for path in paths {
            let mut reread = Diagnostics::new();
            match load::reload_text(&self.options, &mut self.site, path, &mut reread) {
                Reloaded::NotInSite => return None,
                Reloaded::Replaced(slug) | Reloaded::Removed(slug) => {
                    self.prepared.remove(&slug);
                    changed.insert(slug);
                }
            }
            self.replace_load_diags(path, reread);
        }
        let redo = super::affected::to_redo(
            &changed,
            self.prepared.iter().map(|(slug, p)| super::affected::Done {
                slug,
                links: &p.rendered.links,
                reported: !p.diags.is_empty(),
            }),
        );
        diags.extend(self.load_diagnostics());
        clock.lap("load");
        Some(self.pages(&redo, started, diags).map(|mut rebuilt| {
            rebuilt.timings.splice(0..0, clock.laps);
            rebuilt
        }))
    }

    /// Makes every page and writes those whose bytes changed.
    fn pages(
        &mut self,
        redo: &BTreeSet<String>,
        started: Instant,
        diags: &mut Diagnostics,
    ) -> Result<Rebuilt, Failure> {
        let built = build(&self.site, &mut self.prepared, redo, diags)?;
        let mut clock = Clock::new();
        let gone = self.pages.missing_from(&built.pages);
        let done =
            output::update(&self.out, &mut self.pages, &built.pages, &gone).map_err(Failure::Io)?;
        clock.lap("write");
        let rebuilt = Rebuilt {
            pages: built.report.pages,
            written: done.written,
            removed: done.removed,
            took: started.elapsed(),
            timings: [built.report.timings, clock.laps].concat(),
        };
        self.pending = Some(built.rendered);
        Ok(rebuilt)
    }

    /// Makes the search index from the last rebuild and writes the files that changed.
    /// Nothing to do if the rebuild failed or the index is up to date.
    pub(crate) fn search_index(
        &mut self,
        diags: &mut Diagnostics,
    ) -> Option<Result<Indexed, Failure>> {
        let rendered = self.pending.take()?;
        let started = Instant::now();
        let result = search_index(&self.site, &rendered, diags).and_then(|index| {
            let gone = self.search.missing_from(&index);
            output::update(&self.out, &mut self.search, &index, &gone).map_err(Failure::Io)
        });
        Some(result.map(|done| Indexed {
            written: done.written + done.removed,
            took: started.elapsed(),
        }))
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

/// The stages after `load`, up to the pages (as [`pipeline::build`] runs them), anchoring
/// and rendering again only the texts in `redo` (and those not `prepared` yet); fails if
/// any diagnostic is an error, so nothing is written.
fn build(
    site: &Site,
    prepared: &mut HashMap<String, Prepared>,
    redo: &BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Result<Built, Failure> {
    let mut clock = Clock::new();
    let mut rendered = prepare(site, prepared, redo, diags);
    clock.lap("anchor, render");
    let graph = Graph::new(site, &rendered.texts, &rendered.glossary_links);
    graph.fill_notes(site, &mut rendered.texts);
    let previews = graph::previews(
        &graph,
        site,
        &rendered.anchored,
        &rendered.texts,
        &rendered.terms,
    );
    graph::check_tags(site, diags);
    clock.lap("link");
    let files = output::pages(
        site,
        &output::Built {
            texts: &rendered.texts,
            terms: &rendered.terms,
            graph: &graph,
            previews: &previews,
        },
        diags,
    );
    let mut claims = output::Claims::new();
    claims.claim(files, diags);
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    let pages = claims.into_files();
    clock.lap("pages");
    let report = Report {
        texts: site.texts.len(),
        notes: rendered.texts.iter().map(|r| r.notes.len()).sum(),
        pages: pages.iter().filter(|f| f.path.ends_with(".html")).count(),
        timings: clock.laps,
    };
    Ok(Built {
        pages,
        report,
        rendered,
    })
}

fn search_index(
    site: &Site,
    rendered: &pipeline::Rendered,
    diags: &mut Diagnostics,
) -> Result<Vec<OutputFile>, Failure> {
    let index = search::index(site, &rendered.anchored, &rendered.texts, &rendered.terms);
    let mut claims = output::Claims::new();
    claims.claim(index, diags);
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    Ok(claims.into_files())
}

/// [`pipeline::anchor_and_render`], redoing only the texts in `redo` or not in `prepared`
/// and taking the others from `prepared`, which is brought up to date.
fn prepare(
    site: &Site,
    prepared: &mut HashMap<String, Prepared>,
    redo: &BTreeSet<String>,
    diags: &mut Diagnostics,
) -> pipeline::Rendered {
    prepared.retain(|slug, _| !redo.contains(slug));
    let mut targets = Targets::new(site);
    let raw_html = site.config.allow_raw_html;
    let todo: Vec<usize> = (0..site.texts.len())
        .filter(|&i| !prepared.contains_key(&site.texts[i].slug))
        .collect();
    let anchored: Vec<(usize, Anchored, Diagnostics, anchor::Missing)> = todo
        .par_iter()
        .map(|&i| {
            let text = &site.texts[i];
            let mut d = Diagnostics::new();
            let page = Page::Text(text.slug.clone());
            let label = |dest: &str| targets.label(dest, &page);
            let (a, missing) = anchor::text_deferring_hints(text, &label, raw_html, &mut d);
            (i, a, d, missing)
        })
        .collect();
    for text in &site.texts {
        if let Some(p) = prepared.get(&text.slug) {
            targets.set_paragraphs(&text.slug, p.anchored.reading.paragraphs.len());
        }
    }
    let mut budget = anchor::HintBudget::default();
    let anchored: Vec<(usize, Anchored, Diagnostics)> = anchored
        .into_iter()
        .map(|(i, a, mut d, missing)| {
            targets.set_paragraphs(&site.texts[i].slug, a.reading.paragraphs.len());
            missing.report(&a.reading, &mut budget, &mut d);
            (i, a, d)
        })
        .collect();
    let done: Vec<(String, Prepared)> = anchored
        .into_par_iter()
        .map(|(i, anchored, mut d)| {
            let text = &site.texts[i];
            let rendered = crate::render::text(site, text, &anchored, &targets, &mut d);
            let diags = d.iter().cloned().collect();
            let p = Prepared {
                anchored,
                rendered,
                diags,
            };
            (text.slug.clone(), p)
        })
        .collect();
    prepared.extend(done);
    let (terms, glossary_links) = crate::render::glossary(site, &targets, diags);
    let mut out = pipeline::Rendered {
        anchored: Vec::with_capacity(site.texts.len()),
        texts: Vec::with_capacity(site.texts.len()),
        terms,
        glossary_links,
    };
    for text in &site.texts {
        if let Some(p) = prepared.get(&text.slug) {
            for d in &p.diags {
                diags.push(d.clone());
            }
            out.anchored.push(p.anchored.clone());
            out.texts.push(p.rendered.clone());
        }
    }
    out
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
