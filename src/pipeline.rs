//! The whole build, in order. Read this file to see how scholia works:
//!
//! ```text
//! content/ ─load→ Site ─anchor→ passages ─render→ HTML fragments ─output→ public/ (atomic)
//!                                                   └─search→ search/ index shards
//! ```

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::link::graph::{self, Graph};
use crate::link::{CrossRef, Page, Targets};
use crate::site::Site;
use crate::{anchor, load, output, render, search};

/// What a build did, for the summary line.
#[derive(Debug, Default)]
pub struct Report {
    pub texts: usize,
    pub notes: usize,
    pub pages: usize,
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
    let mut report = Report::default();
    let mut clock = Clock::new();
    let out =
        output::check_output_dir(&options.site_dir, &options.output).map_err(Failure::Usage)?;
    output::remove_stale_temp_folders(&out);

    let site = load::site(options, diags).map_err(|e| Failure::Usage(e.into()))?;
    clock.lap("load", &mut report);

    let Rendered {
        anchored,
        texts: mut rendered,
        terms,
        glossary_links,
    } = anchor_and_render(&site, diags, &mut |stage| clock.lap(stage, &mut report));

    let graph = Graph::new(&site, &rendered, &glossary_links);
    graph.fill_notes(&site, &mut rendered);
    let previews = graph::previews(&graph, &site, &anchored, &rendered, &terms);
    graph::check_tags(&site, diags);
    clock.lap("link", &mut report);

    let mut claims = output::Claims::new();
    let pages = output::pages(
        &site,
        &output::Built {
            texts: &rendered,
            terms: &terms,
            graph: &graph,
            previews: &previews,
        },
        diags,
    );
    claims.claim(pages, diags);
    clock.lap("pages", &mut report);
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    let corpus = search::Corpus::from_build(&site, &anchored, &rendered, &terms);
    claims.claim(search::index(&corpus), diags);
    clock.lap("search", &mut report);
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    let files = claims.into_files();
    output::write(&files, &out).map_err(Failure::Io)?;
    clock.lap("write", &mut report);

    report.texts = site.texts.len();
    report.notes = rendered.iter().map(|r| r.notes.len()).sum();
    report.pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    Ok(report)
}

/// A site's texts anchored and rendered, and its glossary rendered: what the link, page
/// and search stages work from. `anchored` and `texts` are parallel to `site.texts`.
pub struct Rendered {
    pub anchored: Vec<anchor::Anchored>,
    pub texts: Vec<render::RenderedText>,
    pub terms: Vec<render::TermView>,
    /// The cross-links in the glossary's definitions.
    pub glossary_links: Vec<CrossRef>,
}

/// Anchors every text's notes, then renders the texts and the glossary (texts in
/// parallel; diagnostics in reading order). `lap` is told when each stage ends.
pub fn anchor_and_render(
    site: &Site,
    diags: &mut Diagnostics,
    lap: &mut dyn FnMut(&'static str),
) -> Rendered {
    let mut targets = Targets::new(site);
    let raw_html = site.config.allow_raw_html;
    let anchored: Vec<(anchor::Anchored, Diagnostics, anchor::Missing)> = site
        .texts
        .par_iter()
        .map(|text| {
            let mut d = Diagnostics::new();
            let page = Page::Text(text.slug.clone());
            let label = |dest: &str| targets.label(dest, &page);
            let (a, missing) = anchor::text_deferring_hints(text, &label, raw_html, &mut d);
            (a, d, missing)
        })
        .collect();
    for (text, (a, ..)) in site.texts.iter().zip(&anchored) {
        targets.set_paragraphs(&text.slug, a.reading.paragraphs.len());
    }
    // Hints for missing quotes share one budget, spent in the order of the texts, so a
    // build shows the same hints whatever the number of cores.
    let mut budget = anchor::HintBudget::default();
    let anchored: Vec<anchor::Anchored> = anchored
        .into_iter()
        .map(|(a, d, missing)| {
            diags.extend(d);
            missing.report(&a.reading, &mut budget, diags);
            a
        })
        .collect();
    lap("anchor");

    let rendered: Vec<(render::RenderedText, Diagnostics)> = site
        .texts
        .par_iter()
        .zip(&anchored)
        .map(|(text, a)| {
            let mut d = Diagnostics::new();
            (render::text(site, text, a, &targets, &mut d), d)
        })
        .collect();
    let texts: Vec<render::RenderedText> = rendered
        .into_iter()
        .map(|(r, d)| {
            diags.extend(d);
            r
        })
        .collect();
    let (terms, glossary_links) = render::glossary(site, &targets, diags);
    lap("render");
    Rendered {
        anchored,
        texts,
        terms,
        glossary_links,
    }
}

struct Clock(Instant);

impl Clock {
    fn new() -> Clock {
        Clock(Instant::now())
    }

    fn lap(&mut self, stage: &'static str, report: &mut Report) {
        let now = Instant::now();
        report.timings.push((stage, now - self.0));
        self.0 = now;
    }
}
