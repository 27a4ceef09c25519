//! `scholia handout`: the handouts of chosen texts and packs, written on their own.
//!
//! The same stages as a build (load, anchor, link, render), then the handout renderers
//! over each [`Edition`], and the files written atomically like a build's: a run with an
//! error writes nothing.

use std::path::PathBuf;

use anyhow::anyhow;

use crate::config::{BuildOptions, HandoutSettings, Paper};
use crate::diagnostics::{did_you_mean, Diagnostics};
use crate::output::edition::Edition;
use crate::output::{self, OutputFile};
use crate::pipeline::{self, Failure};
use crate::{load, site::Site};

/// What one run of `scholia handout` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct HandoutOptions {
    pub site_dir: PathBuf,
    pub output: PathBuf,
    /// Slugs of the texts to hand out; with `packs`, nothing means everything.
    pub texts: Vec<String>,
    pub packs: Vec<String>,
    pub pdf: bool,
    pub epub: bool,
    pub instructor: bool,
    /// Overrides `handout.paper`.
    pub paper: Option<Paper>,
}

/// What a run wrote, for the summary line.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub handouts: usize,
}

/// Makes and writes the handouts. Diagnostics are left in `diags` either way.
pub(crate) fn run(options: &HandoutOptions, diags: &mut Diagnostics) -> Result<Written, Failure> {
    formats(options, cfg!(feature = "documents")).map_err(Failure::Usage)?;
    let out =
        output::check_output_dir(&options.site_dir, &options.output).map_err(Failure::Usage)?;
    // Handouts replace the folder they go to: never a built site, which has the same mark.
    for instructor in [false, true] {
        let site = BuildOptions::default_output(&options.site_dir, instructor);
        if output::check_output_dir(&options.site_dir, &site).is_ok_and(|s| s == out) {
            return Err(Failure::Usage(anyhow!(
                "refusing to write handouts to `{}`: that is where `scholia build` puts the site, which they would replace (choose another -o, such as `{}`)",
                options.output.display(),
                site.join("handouts").display()
            )));
        }
    }
    let build = BuildOptions {
        site_dir: options.site_dir.clone(),
        output: options.output.clone(),
        instructor: options.instructor,
        drafts: false,
        base_url: None,
    };
    let site = load::site(&build, diags).map_err(|e| Failure::Usage(e.into()))?;
    let settings = HandoutSettings {
        paper: options.paper.unwrap_or(site.config.handout.paper),
        ..site.config.handout
    };
    chosen(options, &site).map_err(Failure::Usage)?;
    let doc = pipeline::document(&site, diags, &mut |_| {});
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    let (texts, packs) = if options.texts.is_empty() && options.packs.is_empty() {
        let texts = site.texts.iter().map(|t| t.slug.clone()).collect();
        let packs = site.config.packs.iter().map(|p| p.name.clone()).collect();
        (texts, packs)
    } else {
        (options.texts.clone(), options.packs.clone())
    };
    let mut editions: Vec<Edition> = texts
        .iter()
        .filter_map(|slug| Edition::text(&doc, slug, &settings))
        .collect();
    editions.extend(
        site.config
            .packs
            .iter()
            .filter(|p| packs.contains(&p.name))
            .map(|p| Edition::pack(&doc, p, &settings)),
    );
    let files: Vec<OutputFile> = files(&doc, &editions, options, diags);
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    let mut claims = output::Claims::new();
    let files = claims.take(files, diags);
    if diags.has_errors() {
        return Err(Failure::Content);
    }
    output::remove_stale_temp_folders(&out);
    output::write(&files, &out).map_err(Failure::Io)?;
    Ok(Written {
        handouts: editions.len(),
    })
}

/// The formats asked for, if this scholia can make them: PDF and EPUB need the
/// `documents` feature (on by default), and without it asking for them is a usage error
/// rather than HTML the user did not ask for.
fn formats(options: &HandoutOptions, documents: bool) -> anyhow::Result<()> {
    if documents || !(options.pdf || options.epub) {
        return Ok(());
    }
    Err(anyhow!(
        "this scholia was built without PDF and EPUB support; install it with the default features (`cargo install scholia`), or leave out --pdf and --epub for the printable HTML handouts"
    ))
}

/// The handout files: PDF and EPUB when asked for, else the printable HTML.
fn files(
    doc: &crate::document::Document,
    editions: &[Edition],
    options: &HandoutOptions,
    diags: &mut Diagnostics,
) -> Vec<OutputFile> {
    #[cfg(feature = "documents")]
    if options.pdf || options.epub {
        return output::documents::files(editions, options.pdf, options.epub, diags);
    }
    // Without the feature, `formats` refused --pdf and --epub before anything was made.
    #[cfg(not(feature = "documents"))]
    let _ = options;
    output::handout_files(doc, editions, diags)
}

/// Checks that every text and pack asked for exists (suggesting the closest name).
fn chosen(options: &HandoutOptions, site: &Site) -> anyhow::Result<()> {
    let slugs: Vec<&str> = site.texts.iter().map(|t| t.slug.as_str()).collect();
    for slug in &options.texts {
        if !slugs.contains(&slug.as_str()) {
            let hint = match did_you_mean(slug, slugs.iter().copied()) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None => " (a text's slug is its path under `content/` without `.md`)".into(),
            };
            return Err(anyhow!("--text `{slug}`: there is no such text{hint}"));
        }
    }
    let names: Vec<&str> = site.config.packs.iter().map(|p| p.name.as_str()).collect();
    for name in &options.packs {
        if !names.contains(&name.as_str()) {
            let hint = match did_you_mean(name, names.iter().copied()) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None if names.is_empty() => " (`_site.yaml` defines no `packs:`)".into(),
                None => format!(" (the packs are: {})", names.join(", ")),
            };
            return Err(anyhow!("--pack `{name}`: there is no such pack{hint}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(pdf: bool, epub: bool) -> HandoutOptions {
        HandoutOptions {
            site_dir: PathBuf::from("."),
            output: PathBuf::from("handouts"),
            texts: Vec::new(),
            packs: Vec::new(),
            pdf,
            epub,
            instructor: false,
            paper: None,
        }
    }

    #[test]
    fn pdf_and_epub_without_the_documents_feature_are_usage_errors() {
        for (pdf, epub) in [(true, false), (false, true), (true, true)] {
            let err = formats(&asking(pdf, epub), false).expect_err("refused");
            assert!(
                err.to_string()
                    .contains("built without PDF and EPUB support"),
                "{err}"
            );
            assert!(formats(&asking(pdf, epub), true).is_ok());
        }
        // The HTML handouts need nothing more.
        assert!(formats(&asking(false, false), false).is_ok());
    }

    /// This very binary, built without the feature, refuses (the function above is told
    /// the truth about the build).
    #[cfg(not(feature = "documents"))]
    #[test]
    fn this_build_refuses_pdf_and_epub() {
        let options = asking(true, false);
        let mut diags = Diagnostics::new();
        assert!(matches!(run(&options, &mut diags), Err(Failure::Usage(_))));
    }
}
