//! The whole build: the `sidecar` target's input through `pipeline::build`, templates and
//! writing included. About 15 times slower than `sidecar` (most of a build is parsing
//! the templates), so it gets a smaller share of the time.
//!
//! Input: `a.md \0 a.yaml [\0 _site.yaml [\0 _glossary.yaml]]`, as for `sidecar`.
//!
//! Checks: no panic; a build fails only with content errors (never a usage or I/O
//! error, which would mean an output path made from content was refused or failed); it
//! succeeds exactly when it reports no errors; its diagnostics render.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scholia::diagnostics::Diagnostics;
use scholia::pipeline::{self, Failure};
use scholia_fuzz::SiteFolder;

fuzz_target!(|data: &[u8]| {
    static FOLDER: OnceLock<SiteFolder> = OnceLock::new();
    let folder = FOLDER.get_or_init(|| SiteFolder::new("site_build"));
    let options = folder.build_options(data);
    let mut diags = Diagnostics::new();
    let result = pipeline::build(&options, &mut diags);
    let shown = diags.render(false);
    match result {
        Ok(_) => assert!(
            !diags.has_errors(),
            "a build with errors succeeded:\n{shown}"
        ),
        Err(Failure::Content) => assert!(diags.has_errors(), "a build failed without errors"),
        Err(Failure::Usage(e)) => panic!("usage error from content: {e:#}\n{shown}"),
        Err(Failure::Io(e)) => panic!("I/O error from content: {e:#}\n{shown}"),
    }
});
