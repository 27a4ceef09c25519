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
//! Each text's record (anchoring, links, HTML) is kept too ([`super::kept`]): a rebuild
//! redoes only the saved texts and those linking into them, links again only what
//! depends on them ([`crate::link::relink`]: their cross-links, the backlinks and
//! previews of the texts they touch, the related notes that can change, their tags),
//! hashes again only the records that changed and renders only the pages whose record
//! differs ([`super::records`]). When what every page shares changes (the list of texts,
//! whether there are tags), every page is rendered again and compared with what is on
//! disk.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::kept::{self, Kept};
use super::records::{self, Records};
use crate::config::BuildOptions;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::document::Document;
use crate::link::{Changed, Targets};
use crate::load::{self, Reloaded};
use crate::output::{self, OutputFile, PageKey, PageSet, Written};
use crate::pipeline::{Failure, Report};
use crate::search::corpus::CorpusText;
use crate::search::live::Live;
use crate::search::{Corpus, Limits};
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
    /// Each text's record, by slug.
    kept: HashMap<String, Kept>,
    /// What the last linking left, to link again only what a save touches.
    links: kept::Links,
    /// What changed in the document since the pages on disk were made, when a rebuild
    /// failed before writing them (`None`: anything).
    dirty: Option<Changed>,
    /// The records of the pages on disk, and the files each made.
    records: Records,
    page_files: HashMap<PageKey, Vec<String>>,
    /// The templates, parsed once (a change to them is a full rebuild, a new session).
    templates: Option<output::Templates>,
    /// The search index as last written, to update only what a save changes (`None`
    /// after a rebuild that failed to write it: the next one builds it in full).
    search: Option<Live>,
    /// The outputs after the pages, kept for what they keep between rebuilds (the
    /// annotations' parts).
    renderers: Vec<Box<dyn output::Renderer>>,
    /// The texts (slugs) the outputs after the pages were not made again for, when a
    /// rebuild failed in them after writing the pages (`None`: any): the next rebuild
    /// makes them again too, or a kept part would stay stale.
    behind: Option<BTreeSet<String>>,
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
    /// When one text was saved and a paragraph of it changed: its page, for open pages to
    /// show that paragraph.
    pub(crate) edited: Option<Edited>,
}

/// The paragraph a save changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edited {
    /// The page's path in the output folder (`unit-1/war/index.html`).
    pub(crate) page: String,
    /// Its number, 1-based (the page's `#p<n>`).
    pub(crate) paragraph: usize,
}

/// What the outputs after the pages (the search index) did.
#[derive(Debug, Default, Clone)]
pub(crate) struct Indexed {
    pub(crate) written: usize,
    pub(crate) took: Duration,
    /// How long each step took, for `--timings`, and the CPU time of all threads from
    /// the first file event handled to the last file of every output written.
    pub(crate) timings: Vec<(&'static str, Duration)>,
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
        let mut kept = HashMap::new();
        let mut links = kept::Links::default();
        let (doc, _) = kept::document(
            &site,
            &mut kept,
            &mut links,
            &BTreeSet::new(),
            diags,
            &mut |_| {},
        );
        let records = records::of(&doc, &kept);
        let mut written = BTreeMap::new();
        let mut all = Vec::new();
        let (pages_name, pages, page_files) = all_pages(&doc, diags)?;
        written.insert(pages_name, Written::of(&pages));
        all.extend(pages);
        let mut search = None;
        let mut renderers: Vec<_> = output::renderers().into_iter().skip(1).collect();
        for renderer in &mut renderers {
            let files = if renderer.name() == output::search::NAME {
                let (files, live) = Live::build(Corpus::from_document(&doc), &Limits::default());
                search = Some(live);
                output::search::files(files)
            } else {
                renderer.render_kept(&doc, diags)
            };
            let files = claimed(files, diags)?;
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
        kept::keep(doc, &mut kept, &mut links);
        let templates = output::Templates::of(&site, &mut Diagnostics::new());
        let session = Session {
            options: options.clone(),
            out,
            site,
            load_diags,
            written,
            kept,
            links,
            dirty: Some(Changed::default()),
            records,
            page_files,
            templates,
            search,
            renderers,
            behind: Some(BTreeSet::new()),
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
        let cpu = crate::terminal::process_cpu();
        if !self.output_is_ours() {
            return None; // removed or replaced meanwhile: only a full build may recreate it
        }
        let mut clock = Clock::new();
        let mut changed = BTreeSet::new();
        for path in paths {
            let mut reread = Diagnostics::new();
            match load::reload_text(&self.options, &mut self.site, path, &mut reread) {
                Reloaded::NotInSite => return None,
                Reloaded::Replaced(slug) | Reloaded::Removed(slug) => {
                    changed.insert(slug);
                }
            }
            self.replace_load_diags(path, reread);
        }
        diags.extend(self.load_diagnostics());
        clock.lap("load");
        let redo = kept::to_redo(&changed, &self.kept);
        // One text saved: the paragraph it changed is found after the rebuild.
        let before = match (changed.len(), changed.first()) {
            (1, Some(slug)) => self
                .kept
                .get(slug)
                .and_then(Kept::paragraphs)
                .map(|p| (slug.clone(), p)),
            _ => None,
        };
        let started = Started { at: started, cpu };
        Some(self.outputs(&redo, before, started, clock, diags, pages_done))
    }

    /// Makes the document, anchoring and rendering again the texts of `redo`, renders the
    /// pages whose record changed and writes those whose bytes changed, tells
    /// `pages_done`, then writes the other outputs. `before`: the one text saved and its
    /// paragraphs before, to find the paragraph it changed.
    fn outputs(
        &mut self,
        redo: &BTreeSet<String>,
        before: Option<(String, Vec<String>)>,
        started: Started,
        mut clock: Clock,
        diags: &mut Diagnostics,
        pages_done: &mut dyn FnMut(&Rebuilt, &mut Diagnostics),
    ) -> Result<Indexed, Failure> {
        let (doc, changed) = kept::document(
            &self.site,
            &mut self.kept,
            &mut self.links,
            redo,
            diags,
            &mut |stage| clock.lap(stage),
        );
        let dirty = match (self.dirty.take(), changed) {
            (Some(mut dirty), Some(changed)) => {
                dirty.texts.extend(changed.texts);
                dirty.tags.extend(changed.tags);
                Some(dirty)
            }
            _ => None,
        };
        let mut pages = Pages {
            out: &self.out,
            written: &mut self.written,
            records: &mut self.records,
            page_files: &mut self.page_files,
            kept: &self.kept,
            templates: &self.templates,
        };
        let result = pages.write(&doc, &dirty, &mut clock, diags);
        // What search (and the outputs after it) read can differ only in the texts
        // anchored again, which the changes name, and those a failed rebuild left
        // behind (`None`: any).
        let for_search = match (dirty.as_ref(), &self.behind) {
            (Some(d), Some(behind)) => Some(d.texts.union(behind).cloned().collect()),
            _ => None,
        };
        self.dirty = match result {
            Ok(_) => Some(Changed::default()),
            Err(_) => dirty,
        };
        let result = match result {
            Ok(rebuilt) => {
                let edited = before.and_then(|(slug, old)| self.edited(&doc, &slug, &old));
                if let (Some(then), Some(now)) = (started.cpu, crate::terminal::process_cpu()) {
                    clock
                        .laps
                        .push(("cpu, all threads", now.saturating_sub(then)));
                }
                let rebuilt = Rebuilt {
                    took: started.at.elapsed(),
                    timings: std::mem::take(&mut clock.laps),
                    edited,
                    ..rebuilt
                };
                pages_done(&rebuilt, diags);
                let search = Search {
                    live: &mut self.search,
                    texts: for_search.as_ref(),
                    targets: self.links.targets(),
                };
                let (out, written) = (&self.out, &mut self.written);
                let renderers = &mut self.renderers;
                let done = other_outputs(out, written, renderers, &doc, search, started, diags);
                self.behind = match done {
                    Ok(_) => Some(BTreeSet::new()),
                    Err(_) => for_search,
                };
                done
            }
            Err(failure) => Err(failure),
        };
        kept::keep(doc, &mut self.kept, &mut self.links);
        result
    }

    /// The paragraph of text `slug` that differs from `old` (its paragraphs before), and
    /// its page.
    fn edited(&self, doc: &Document, slug: &str, old: &[String]) -> Option<Edited> {
        let now = doc.texts.iter().find(|t| t.text.slug == slug)?;
        let paragraph = kept::first_edited(old, &kept::paragraphs(&now.anchored))?;
        let page = self
            .page_files
            .get(&PageKey::Text(slug.to_owned()))?
            .iter()
            .find(|p| p.ends_with("index.html"))?
            .clone();
        Some(Edited { page, paragraph })
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

/// What is on disk of the pages, for a rebuild to bring up to date.
struct Pages<'a> {
    out: &'a Path,
    written: &'a mut BTreeMap<&'static str, Written>,
    records: &'a mut Records,
    page_files: &'a mut HashMap<PageKey, Vec<String>>,
    kept: &'a HashMap<String, Kept>,
    templates: &'a Option<output::Templates>,
}

impl Pages<'_> {
    /// Brings the pages on disk up to date with `doc`, which differs from the document
    /// they were made from where `dirty` says (`None`: anywhere).
    fn write(
        &mut self,
        doc: &Document,
        dirty: &Option<Changed>,
        clock: &mut Clock,
        diags: &mut Diagnostics,
    ) -> Result<Rebuilt, Failure> {
        let records = match dirty {
            Some(changed) => records::update(self.records, doc, self.kept, changed),
            None => records::of(doc, self.kept),
        };
        clock.lap("records");
        if diags.has_errors() {
            return Err(Failure::Content);
        }
        let disk = OnDisk {
            out: self.out,
            written: &mut *self.written,
            records: &*self.records,
            page_files: &mut *self.page_files,
            templates: self.templates,
        };
        let rebuilt = if records.shared == self.records.shared {
            disk.changed_pages(doc, &records, clock, diags)?
        } else {
            disk.every_page(doc, clock, diags)?
        };
        *self.records = records;
        Ok(rebuilt)
    }
}

/// What is on disk of the pages, for a rebuild to bring up to date.
struct OnDisk<'a> {
    out: &'a Path,
    written: &'a mut BTreeMap<&'static str, Written>,
    records: &'a Records,
    page_files: &'a mut HashMap<PageKey, Vec<String>>,
    templates: &'a Option<output::Templates>,
}

impl OnDisk<'_> {
    /// Renders the pages whose record differs from the one on disk, writes those whose
    /// bytes changed, and removes those no record makes any more.
    fn changed_pages(
        self,
        doc: &Document,
        records: &Records,
        clock: &mut Clock,
        diags: &mut Diagnostics,
    ) -> Result<Rebuilt, Failure> {
        let which: BTreeSet<PageKey> = records
            .pages
            .iter()
            .filter(|(key, hash)| self.records.pages.get(*key) != Some(*hash))
            .map(|(key, _)| key.clone())
            .collect();
        let which = PageSet::Only(&which);
        let made = match self.templates {
            Some(templates) => output::render_pages_with(doc, templates, &which, diags),
            None => match output::render_pages(doc, &which, diags) {
                Some(made) => made,
                None => return Err(Failure::Content),
            },
        };
        if diags.has_errors() {
            return Err(Failure::Content);
        }
        clock.lap(PAGES);
        let mut gone = BTreeSet::new();
        let mut files = Vec::new();
        for (key, made) in made {
            let paths: Vec<String> = made.iter().map(|f| f.path.clone()).collect();
            if let Some(old) = self.page_files.get(&key) {
                gone.extend(old.iter().filter(|p| !paths.contains(p)).cloned());
            }
            self.page_files.insert(key, paths);
            files.extend(made);
        }
        let left: Vec<PageKey> = self
            .page_files
            .keys()
            .filter(|k| !records.pages.contains_key(*k))
            .cloned()
            .collect();
        for key in left {
            gone.extend(self.page_files.remove(&key).unwrap_or_default());
        }
        let written = self.written.entry(PAGES).or_default();
        let done = output::update(self.out, written, &files, &gone).map_err(Failure::Io)?;
        clock.lap("write");
        Ok(Rebuilt {
            pages: files.len(),
            written: done.written,
            removed: done.removed,
            ..Rebuilt::default()
        })
    }

    /// Renders every page, as a full build does, and writes those whose bytes changed.
    fn every_page(
        self,
        doc: &Document,
        clock: &mut Clock,
        diags: &mut Diagnostics,
    ) -> Result<Rebuilt, Failure> {
        let (name, files, page_files) = all_pages(doc, diags)?;
        clock.lap(PAGES);
        *self.page_files = page_files;
        let done = update(self.out, self.written, name, &files)?;
        clock.lap("write");
        Ok(Rebuilt {
            pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
            written: done.written,
            removed: done.removed,
            ..Rebuilt::default()
        })
    }
}

/// The name of the pages' output, the first of [`output::renderers`].
const PAGES: &str = "pages";

/// Every file of the pages' output (as its renderer makes them, claimed), and the files
/// each page's record made.
#[allow(clippy::type_complexity)]
fn all_pages(
    doc: &Document,
    diags: &mut Diagnostics,
) -> Result<(&'static str, Vec<OutputFile>, HashMap<PageKey, Vec<String>>), Failure> {
    let Some(made) = output::render_pages(doc, &PageSet::All, diags) else {
        return Err(Failure::Content);
    };
    let mut page_files = HashMap::new();
    let mut files = Vec::new();
    for (key, made) in made {
        page_files.insert(key, made.iter().map(|f| f.path.clone()).collect());
        files.extend(made);
    }
    files.extend(output::other_files(doc, diags));
    Ok((PAGES, claimed(files, diags)?, page_files))
}

/// The search index kept by a session, and what a rebuild changed for it.
struct Search<'a> {
    live: &'a mut Option<Live>,
    /// The texts (slugs) whose words may have changed; `None`: any.
    texts: Option<&'a BTreeSet<String>>,
    /// The site's targets, if kept (for the labels of cross-links in notes).
    targets: Option<&'a Targets>,
}

impl Search<'_> {
    /// The files of the search index that may have changed, and those gone (`None`: the
    /// index was built again in full, its files all given).
    fn files(self, doc: &Document) -> (Vec<OutputFile>, Option<BTreeSet<String>>) {
        if let Some(live) = self.live.as_mut() {
            if live.corpus().texts.len() == doc.texts.len() {
                let fresh;
                let targets = match self.targets {
                    Some(t) => t,
                    None => {
                        fresh = Targets::new(doc.site);
                        &fresh
                    }
                };
                let texts = self.texts;
                let which: Vec<usize> = (0..doc.texts.len())
                    .filter(|&i| texts.is_none_or(|s| s.contains(&doc.texts[i].text.slug)))
                    .collect();
                let now: Vec<(usize, CorpusText)> = which
                    .par_iter()
                    .filter_map(|&i| Corpus::text_of(doc, i, targets).map(|c| (i, c)))
                    .collect();
                if let Some(update) = live.update(now, Corpus::glossary_of(doc, targets)) {
                    return (output::search::files(update.files), Some(update.gone));
                }
            }
        }
        let (files, live) = Live::build(Corpus::from_document(doc), &Limits::default());
        *self.live = Some(live);
        (output::search::files(files), None)
    }
}

/// Writes what changed of the outputs after the pages (the search index, updated in
/// place when it can be).
fn other_outputs(
    out: &Path,
    written: &mut BTreeMap<&'static str, Written>,
    renderers: &mut [Box<dyn output::Renderer>],
    doc: &Document,
    search: Search,
    since: Started,
    diags: &mut Diagnostics,
) -> Result<Indexed, Failure> {
    let started = Instant::now();
    let mut clock = Clock::new();
    let mut indexed = Indexed::default();
    let texts = search.texts;
    for renderer in renderers.iter_mut() {
        let name = renderer.name();
        let done = if name == output::search::NAME {
            let live = &mut *search.live;
            let (files, gone) = Search { live, ..search }.files(doc);
            clock.lap("search index");
            let files = claimed(files, diags)?;
            let done = match gone {
                Some(gone) => {
                    let written = written.entry(name).or_default();
                    output::update(out, written, &files, &gone).map_err(Failure::Io)
                }
                None => update(out, written, name, &files),
            };
            if done.is_err() {
                *search.live = None; // what is on disk is not known: built in full next time
            }
            let done = done?;
            clock.lap("search written");
            done
        } else {
            let done = match texts.and_then(|t| renderer.render_texts(doc, t, diags)) {
                Some(files) => {
                    let files = claimed(files, diags)?;
                    let written = written.entry(name).or_default();
                    output::update(out, written, &files, &BTreeSet::new()).map_err(Failure::Io)?
                }
                None => {
                    let files = claimed(renderer.render_kept(doc, diags), diags)?;
                    update(out, written, name, &files)?
                }
            };
            clock.lap(name);
            done
        };
        indexed.written += done.written + done.removed;
    }
    if let (Some(then), Some(now)) = (since.cpu, crate::terminal::process_cpu()) {
        clock
            .laps
            .push(("cpu, all outputs", now.saturating_sub(then)));
    }
    indexed.took = started.elapsed();
    indexed.timings = clock.laps;
    Ok(indexed)
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

/// When a rebuild started, in wall-clock and CPU time.
struct Started {
    at: Instant,
    cpu: Option<Duration>,
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
