//! The whole build, in order. Read this file to see how scholia works:
//!
//! ```text
//! content/ ─load→ Site ─anchor→ passages, links ─link→ Document ─render→ HTML fragments
//!          ─outputs→ files (site, search, handouts, feed, annotations) ─claims→ ─write→ public/ (atomic)
//!
//! Each output's files are written into the new site a batch at a time, as soon as they
//! are claimed, and dropped, so the built site is never held in memory whole; the
//! texts' HTML is rendered inside the outputs that show it (the pages, the handouts, the
//! annotations), a batch of texts at a time, and dropped with their files.
//! ```
//!
//! Every stage is a function over one text where it can be (anchor one text, render one
//! text), run in parallel; diagnostics are collected per text and joined in reading
//! order, so a build reports the same whatever the number of cores.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::anchor::{self, autolink, Anchored};
use crate::config::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::document::Document;
use crate::link::{self, Page, Targets};
use crate::output::OutputFile;
use crate::site::Site;
use crate::{load, output, render};

/// What a build did, for the summary line.
#[derive(Debug, Default)]
pub struct Report {
    /// Texts built (drafts left out unless asked for).
    pub texts: usize,
    /// Notes anchored on them.
    pub notes: usize,
    /// HTML files written, handouts included.
    pub pages: usize,
    /// Each stage's and output's wall time, in order, for `--timings`.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Why a build produced no site.
#[derive(Debug)]
pub enum Failure {
    /// The user asked for something impossible (exit status 2).
    Usage(anyhow::Error),
    /// The content has mistakes, all of them in the diagnostics (exit status 1).
    Content,
    /// The machine failed us: a disk error, say (exit status 1).
    Io(anyhow::Error),
}

/// Builds the site. Diagnostics (errors and warnings) are left in `diags` either way.
pub fn build(options: &BuildOptions, diags: &mut Diagnostics) -> Result<Report, Failure> {
    build_with_progress(options, diags, &|_| {})
}

/// How many stages a build reports to `build_with_progress`'s `progress` (and times):
/// load, anchor, link, render, each output, write.
pub(crate) fn stage_count() -> usize {
    5 + output::renderers().len()
}

/// [`build`], telling `progress` the name of each stage as it ends (the command line's
/// progress bar).
pub(crate) fn build_with_progress(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    progress: &dyn Fn(&'static str),
) -> Result<Report, Failure> {
    limit_malloc_arenas();
    let mut report = Report::default();
    let mut clock = Clock::new();
    clock.progress = progress;
    let out =
        output::check_output_dir(&options.site_dir, &options.output).map_err(Failure::Usage)?;
    output::remove_stale_temp_folders(&out);

    // Each output's files are written into the new site as soon as they are made, and
    // dropped; dropped unfinished (a content error in a later output), the new site
    // removes itself and the previous one stays as it was.
    let mut staging: Option<output::Staging> = None;
    let mut writing = Duration::ZERO;
    outputs(options, diags, &mut report, &mut clock, &mut |files| {
        let started = Instant::now();
        let new_site = match &staging {
            Some(s) => s,
            None => staging.insert(output::Staging::new(&out).map_err(Failure::Io)?),
        };
        new_site.add(&files).map_err(Failure::Io)?;
        writing += started.elapsed();
        Ok(())
    })?;
    let new_site = match staging {
        Some(s) => s,
        None => output::Staging::new(&out).map_err(Failure::Io)?,
    };
    new_site.finish().map_err(Failure::Io)?;
    clock.lap("write", &mut report);
    if let Some((_, t)) = report.timings.last_mut() {
        *t += writing;
    }
    Ok(report)
}

/// Does everything [`build`] does but write (nor look at the output folder): what
/// `scholia check` runs, so that it validates exactly what a build validates.
pub fn check(options: &BuildOptions, diags: &mut Diagnostics) -> Result<Report, Failure> {
    let mut report = Report::default();
    let mut clock = Clock::new();
    outputs(options, diags, &mut report, &mut clock, &mut |_| Ok(()))?;
    Ok(report)
}

/// Where each output's files go once claimed: the new site, or nowhere.
type Sink<'a> = dyn FnMut(Vec<OutputFile>) -> Result<(), Failure> + 'a;

/// Loads the site and makes every output's files, counting them into `report` and handing
/// them to `sink` one output at a time, so the whole site is never in memory at once.
fn outputs(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    report: &mut Report,
    clock: &mut Clock,
    sink: &mut Sink,
) -> Result<(), Failure> {
    let site = load::site(options, diags).map_err(|e| Failure::Usage(e.into()))?;
    clock.lap("load", report);

    let doc = document(&site, diags, &mut |stage| clock.lap(stage, report));

    let mut claims = output::Claims::new();
    for renderer in output::renderers() {
        // Each batch of files is claimed and handed to `sink` as the renderer makes it
        // (none once the build has an error: it will write nothing); what claiming finds
        // is reported after the renderer's own mistakes.
        let mut claimed = Diagnostics::new();
        let mut failed = None;
        let mut spent = Duration::ZERO;
        let may_write = !diags.has_errors();
        renderer.render_to(&doc, diags, &mut |files| {
            let files = claims.take(files, &mut claimed);
            report.pages += files.iter().filter(|f| f.path.ends_with(".html")).count();
            if may_write && failed.is_none() && !claimed.has_errors() {
                let started = Instant::now();
                failed = sink(files).err();
                spent += started.elapsed();
            }
        });
        diags.extend(claimed);
        crate::memory::release_freed_memory();
        // Writing is timed as the `write` stage.
        clock.exclude(spent);
        clock.lap(renderer.name(), report);
        if let Some(failure) = failed {
            return Err(failure);
        }
        if diags.has_errors() {
            return Err(Failure::Content);
        }
    }
    report.texts = site.texts.len();
    report.notes = doc.texts.iter().map(|t| t.notes.len()).sum();
    Ok(())
}

/// glibc gives threads that allocate at once arenas of their own (up to 8 per core) and
/// keeps what is freed in each: with rayon's workers, memory one stage frees stays spread
/// over arenas the next stage does not use (about 80 MB of the peak on a 1,000-text
/// site, for no measurable speed). Two arenas are plenty for our few threads. Must run
/// before the worker threads first allocate; later calls change nothing.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a tuning parameter of the allocator; M_ARENA_MAX is
    // documented as safe to set at any time.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// The site anchored, linked and rendered: what every output reads. `lap` is told when
/// each stage ends.
pub(crate) fn document<'s>(
    site: &'s Site,
    diags: &mut Diagnostics,
    lap: &mut dyn FnMut(&'static str),
) -> Document<'s> {
    // syntect's syntax set takes a while to load: load it beside anchoring and linking,
    // not in the middle of rendering. (A fence in a note or question merely loads it late.)
    if site
        .texts
        .iter()
        .any(|t| t.markdown().contains("```") || t.markdown().contains("~~~"))
    {
        std::thread::spawn(render::warm_code_highlighting);
    }
    let mut targets = Targets::new(site);
    let terms = autolinked_terms(site);
    let anchored = anchor(site, &targets, &terms, diags);
    let mut doc = link_anchored(site, anchored, &mut targets, diags, lap);
    render(&mut doc, targets, terms);
    lap("render");
    doc
}

/// From the texts anchored (one per text of `site`, in order) to the linked document: tells
/// `targets` how many paragraphs each text has (what a `#p3` link may name), anchors the
/// glossary, then links. `lap` is told when anchoring and linking end.
pub(crate) fn link_anchored<'s>(
    site: &'s Site,
    anchored: Vec<Anchored>,
    targets: &mut Targets,
    diags: &mut Diagnostics,
    lap: &mut dyn FnMut(&'static str),
) -> Document<'s> {
    let definitions = definitions(site, anchored.iter(), targets);
    lap("anchor");
    let doc = link::document(site, anchored, definitions, targets, diags);
    lap("link");
    doc
}

/// What linking needs once every text is anchored (`anchored`, in the order of
/// `site.texts`): tells `targets` each text's paragraph count and anchors the glossary's
/// definitions. Shared with `serve`'s rebuilds, so both link the same document.
pub(crate) fn definitions<'a>(
    site: &Site,
    anchored: impl Iterator<Item = &'a Anchored>,
    targets: &mut Targets,
) -> Vec<anchor::Fragment> {
    for (text, a) in site.texts.iter().zip(anchored) {
        targets.set_paragraphs(&text.slug, a.reading.paragraphs.len());
        targets.set_lines(&text.slug, a.reading.lines.len());
    }
    let label = |dest: &str| targets.label(dest, &Page::Glossary);
    anchor::glossary(&site.glossary, &label)
}

/// The glossary terms texts link on first use (kept here by name for the dev server).
pub(crate) use crate::anchor::links::autolinked_terms;

/// Anchors every text's notes and collects its cross-links (texts in parallel,
/// diagnostics in reading order).
fn anchor(
    site: &Site,
    targets: &Targets,
    terms: &[autolink::Term],
    diags: &mut Diagnostics,
) -> Vec<Anchored> {
    let all: Vec<usize> = (0..site.texts.len()).collect();
    let anchored = anchor_texts(site, &all, targets, terms);
    // Hints for missing quotes share one budget, spent in the order of the texts, so a
    // build shows the same hints whatever the number of cores.
    let mut budget = anchor::HintBudget::default();
    anchored
        .into_iter()
        .map(|(a, d, missing)| {
            diags.extend(d);
            missing.report(&a.reading, &mut budget, diags);
            a
        })
        .collect()
}

/// Anchors the texts numbered `which` (in parallel), each with its diagnostics and the
/// quotes it missed, whose hints the caller reports in reading order.
pub(crate) fn anchor_texts<'s>(
    site: &'s Site,
    which: &[usize],
    targets: &Targets,
    terms: &[autolink::Term],
) -> Vec<(Anchored, Diagnostics, anchor::Missing<'s>)> {
    let raw_html = site.config.allow_raw_html;
    which
        .par_iter()
        .map(|&i| {
            let text = &site.texts[i];
            let mut d = Diagnostics::new();
            let page = Page::Text(text.slug.clone());
            let label = |dest: &str| targets.label(dest, &page);
            let reader = anchor::Reader {
                label: &label,
                raw_html,
                autolink: terms,
            };
            let (a, missing) = anchor::text_deferring_hints(text, &reader, &mut d);
            (a, d, missing)
        })
        .collect()
}

/// Renders the glossary into the document, and gives it what renders each text when an
/// output asks ([`Document::render`]): the outputs that show a text's HTML render it a
/// few texts at a time and drop it with their files, so the build never holds every
/// text's HTML (the largest part of the document) at once.
fn render<'s>(doc: &mut Document<'s>, targets: Targets, terms: Vec<autolink::Term<'s>>) {
    let site = doc.site;
    let definitions = render::glossary(site, &doc.glossary, &targets);
    for (e, html) in doc.glossary.iter_mut().zip(definitions) {
        e.html = html;
    }
    doc.render = Some(Box::new(render::OnDemand {
        site,
        targets,
        terms,
    }));
}

struct Clock<'p> {
    started: Instant,
    /// Told each stage's name as it ends.
    progress: &'p dyn Fn(&'static str),
}

impl Clock<'_> {
    fn new() -> Self {
        Clock {
            started: Instant::now(),
            progress: &|_| {},
        }
    }

    fn lap(&mut self, stage: &'static str, report: &mut Report) {
        let now = Instant::now();
        report.timings.push((stage, now - self.started));
        self.started = now;
        (self.progress)(stage);
    }

    /// Leaves `spent` out of the current lap: it is counted elsewhere.
    fn exclude(&mut self, spent: Duration) {
        self.started += spent;
    }
}

/// What search reads of a site, for the search benchmark and the search stage's tests.
pub fn search_corpus(site: &Site, diags: &mut Diagnostics) -> crate::search::Corpus {
    crate::search::Corpus::from_document(&document(site, diags, &mut |_| {}))
}

/// Each text's anchoring and its body as rendered, without the notes the theme places in
/// it: every stage before the outputs, for the fuzz targets, which check each passage
/// against its text and that marking passages changes no word.
pub fn anchored_bodies(site: &Site, diags: &mut Diagnostics) -> Vec<(Anchored, String)> {
    let doc = document(site, diags, &mut |_| {});
    let bodies: Vec<String> = doc
        .texts
        .iter()
        .map(|t| render::without_notes(&doc.page_html(t).body))
        .collect();
    doc.texts
        .into_iter()
        .zip(bodies)
        .map(|(t, body)| (t.parts.anchored, body))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::output::{OutputFile, Renderer, TEXTS_PER_BATCH};

    /// A site of more texts than a batch holds, linking to each other, to the glossary
    /// and to images (so that a handout's HTML differs from its page's).
    fn site(dir: &std::path::Path) -> BuildOptions {
        let content = dir.join("content");
        let write = |name: &str, text: String| {
            let path = content.join(name);
            std::fs::create_dir_all(path.parent().unwrap_or(&content))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        };
        write(
            "_site.yaml",
            "title: S\nglossary:\n  autolink: true\n".into(),
        );
        write(
            "_glossary.yaml",
            "terms:\n  - id: treaty\n    term: treaty\n    definition: See [[t1#p2]].\n".into(),
        );
        let texts = TEXTS_PER_BATCH * 2 + 3;
        for k in 0..texts {
            let next = (k + 1) % texts;
            write(
                &format!("t{k}.md"),
                format!(
                    "---\ntitle: Text {k}\n---\n\nA treaty of {k}, see [[t{next}#p2]].\n\n\
                     The second paragraph ![map](map.png) of {k}.\n"
                ),
            );
            write(
                &format!("t{k}.yaml"),
                format!(
                    "annotations:\n  - id: n1\n    quote: second paragraph\n    tags: [war]\n    \
                     note: Compare [[t{next}#n1]].\n"
                ),
            );
        }
        BuildOptions {
            site_dir: dir.to_path_buf(),
            output: dir.join("public"),
            instructor: false,
            drafts: false,
            base_url: None,
        }
    }

    /// Each renderer's files, batch by batch.
    fn batches(renderer: &dyn Renderer, doc: &Document) -> Vec<Vec<OutputFile>> {
        let mut diags = Diagnostics::new();
        let mut batches = Vec::new();
        renderer.render_to(doc, &mut diags, &mut |files| batches.push(files));
        assert!(!diags.has_errors(), "{diags:?}");
        batches
    }

    #[test]
    fn outputs_render_texts_a_batch_at_a_time_as_from_kept_html() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let options = site(dir.path());
        let mut diags = Diagnostics::new();
        let site = load::site(&options, &mut diags).unwrap_or_else(|e| panic!("{e:?}"));
        let doc = document(&site, &mut diags, &mut |_| {});
        assert!(!diags.has_errors(), "{diags:?}");
        // The build's document holds no text's HTML: the outputs render it.
        assert!(doc.render.is_some());
        assert!(doc.texts.iter().all(|t| t.html.body.is_empty()));
        // The same document with every text's HTML kept in its record, as `serve` has it.
        let mut with_html = document(&site, &mut diags, &mut |_| {});
        let render = with_html
            .render
            .take()
            .unwrap_or_else(|| panic!("a build's document renders texts"));
        for t in &mut with_html.texts {
            let (html, handout) = (render.page(t), render.handout(t));
            t.html = html;
            t.handout_html = handout;
        }
        let mut all = BTreeMap::new();
        for renderer in output::renderers() {
            let made = batches(renderer.as_ref(), &doc);
            // No batch holds more than a batch of texts' files (a page, or a handout and
            // its stylesheet, or an annotation file each).
            for batch in &made {
                let texts: BTreeSet<&str> = batch
                    .iter()
                    .filter_map(|f| f.path.split_once('/').map(|(slug, _)| slug))
                    .filter(|slug| slug.starts_with('t') && *slug != "tags")
                    .collect();
                assert!(texts.len() <= TEXTS_PER_BATCH, "{}", renderer.name());
            }
            let of = |files: Vec<OutputFile>| -> BTreeMap<String, Vec<u8>> {
                files
                    .into_iter()
                    .map(|f| (f.path, f.bytes.to_vec()))
                    .collect()
            };
            let streamed = of(output::whole_files(made.into_iter().flatten().collect()));
            let from_kept = of(renderer.render(&with_html, &mut diags));
            assert_eq!(
                streamed.keys().collect::<Vec<_>>(),
                from_kept.keys().collect::<Vec<_>>(),
                "{}",
                renderer.name()
            );
            for (path, bytes) in &streamed {
                assert!(from_kept[path] == *bytes, "{path} differs");
            }
            all.extend(streamed);
        }
        // The handout's HTML is its own: its links and images one folder further up.
        let read = |path: &str| String::from_utf8_lossy(&all[path]).into_owned();
        let (page, handout) = (read("t3/index.html"), read("t3/handout/index.html"));
        assert!(page.contains("href=\"../t4/index.html#p2\""), "{page}");
        assert!(
            handout.contains("href=\"../../t4/index.html#p2\""),
            "{handout}"
        );
        assert!(page.contains("src=\"map.png\""), "{page}");
        assert!(handout.contains("src=\"../../t3/map.png\""), "{handout}");
        let pages = batches(&*output::renderers()[0], &doc);
        assert!(pages.len() > 2, "the texts' pages come in several batches");
    }
}
