//! Front matter and sidecars: a site whose text, sidecar, site settings and glossary are
//! the input, loaded and taken through every stage of the build but the last two
//! (filling templates and writing files: see the `site_build` target for those).
//!
//! Input: `a.md \0 a.yaml [\0 _site.yaml [\0 _glossary.yaml]]` (raw bytes, so invalid
//! UTF-8, BOMs and CRLF reach the loader). A missing part is a missing file. The site
//! also has a fixed text `texts/b` (with a note `b1`) for cross-links to point at.
//!
//! There is no in-memory entry point for loading (`load::site` reads a folder), so the
//! files go into one site folder per process, rewritten for each input. The stages after
//! loading (anchor, link, render) run as the build runs them, through
//! `pipeline::anchored_bodies`; the outputs are left out because parsing the templates is
//! 90% of a build's time.
//!
//! Checks: no panic; every span the loader keeps (for later diagnostics) is a valid
//! range of its file; every anchored passage is a valid range of its reading text; the
//! diagnostics render.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scholia::diagnostics::Diagnostics;
use scholia::pipeline;
use scholia::{load, site::Selector};
use scholia_fuzz::{check_range, check_span, SiteFolder};

fuzz_target!(|data: &[u8]| {
    static FOLDER: OnceLock<SiteFolder> = OnceLock::new();
    let folder = FOLDER.get_or_init(|| SiteFolder::new("sidecar"));
    let options = folder.build_options(data);
    let mut diags = Diagnostics::new();
    let site = load::site(&options, &mut diags).unwrap_or_else(|e| panic!("{e}"));

    for text in &site.texts {
        check_range(&text.source.text, &text.body, "text body");
        for note in &text.notes {
            check_span(&note.at.item, "note item");
            check_span(&note.at.id, "note id");
            check_span(&note.at.selector, "note selector");
            check_span(&note.at.body, "note body");
            if let Selector::Paragraph(n) = note.selector {
                assert!(n >= 1, "paragraph 0 got through");
            }
        }
        for q in &text.questions {
            check_span(&q.at, "question");
        }
    }
    for term in &site.glossary.terms {
        check_span(&term.at, "glossary term");
    }

    // As in `pipeline::build`.
    for (a, _body) in pipeline::anchored_bodies(&site, &mut diags) {
        for p in &a.passages {
            check_range(&a.reading.text, &p.range, "passage");
        }
    }

    diags.sort();
    let _ = diags.render(false);
    let _ = diags.render(true);
});
