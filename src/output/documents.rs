//! The PDF and EPUB files of handouts (`scholia handout --pdf`, `--epub`): one of each
//! per [`Edition`], beside where the HTML handout would be (`<name>.pdf`, `<name>.epub`).

use rayon::prelude::*;

use super::edition::Edition;
use super::{epub, pdf, Origin, OutputFile};
use crate::diagnostics::{Diagnostic, Diagnostics, Source, Span};

/// The files of `editions` in the formats asked for. A handout that cannot be made is an
/// error in `diags` (pointing at its text when it has one) and no file.
pub(crate) fn files(
    editions: &[Edition],
    want_pdf: bool,
    want_epub: bool,
    diags: &mut Diagnostics,
) -> Vec<OutputFile> {
    let made: Vec<Vec<Result<OutputFile, Diagnostic>>> = editions
        .par_iter()
        .map(|edition| {
            let mut out = Vec::new();
            if want_pdf {
                out.push(
                    pdf::render(edition)
                        .map(|bytes| file(edition, "pdf", bytes))
                        .map_err(|e| failure(edition, "PDF", e.to_string())),
                );
            }
            if want_epub {
                out.push(
                    epub::render(edition)
                        .map(|bytes| file(edition, "epub", bytes))
                        .map_err(|e| failure(edition, "EPUB", e.to_string())),
                );
            }
            out
        })
        .collect();
    let mut files = Vec::new();
    for result in made.into_iter().flatten() {
        match result {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    files
}

fn file(edition: &Edition, extension: &str, bytes: Vec<u8>) -> OutputFile {
    let origin = match (edition.is_pack, edition.texts.first()) {
        (false, Some(t)) => Origin::Text(std::sync::Arc::clone(&t.text.source)),
        _ => Origin::generated(format!("the handout of the pack `{}`", edition.name)),
    };
    OutputFile {
        path: format!("{}.{extension}", edition.name),
        bytes,
        origin,
    }
}

/// Why a handout could not be made, pointing at its text (or, for a pack, at no file).
fn failure(edition: &Edition, format: &str, why: String) -> Diagnostic {
    let what = if edition.is_pack { "pack" } else { "text" };
    let message = format!(
        "could not make the {format} handout of the {what} `{}`: {why}",
        edition.name
    );
    match (edition.is_pack, edition.texts.first()) {
        (false, Some(t)) => Diagnostic::error(message, Span::file(&t.text.source)),
        _ => Diagnostic {
            span: None,
            ..Diagnostic::error(message, Span::file(&Source::new("(handout)", "")))
        },
    }
    .help("this is a bug in scholia if the text builds as a site: please report it")
}
