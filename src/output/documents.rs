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
    let made: Vec<Vec<Made>> = editions
        .par_iter()
        .map(|edition| {
            let mut out = Vec::new();
            if want_pdf {
                out.push(match pdf::render(edition) {
                    Ok(typeset) => Made {
                        file: Some(file(edition, "pdf", typeset.pdf)),
                        diagnostics: typeset.warnings,
                    },
                    Err(pdf::Failed::Content(errors)) => Made {
                        file: None,
                        diagnostics: errors,
                    },
                    Err(pdf::Failed::Typst(e)) => Made {
                        file: None,
                        diagnostics: vec![failure(edition, "PDF", e.to_string())],
                    },
                });
            }
            if want_epub {
                out.push(match epub::render(edition) {
                    Ok(bytes) => Made {
                        file: Some(file(edition, "epub", bytes)),
                        diagnostics: Vec::new(),
                    },
                    Err(e) => Made {
                        file: None,
                        diagnostics: vec![failure(edition, "EPUB", e.to_string())],
                    },
                });
            }
            out
        })
        .collect();
    let mut files = Vec::new();
    for made in made.into_iter().flatten() {
        files.extend(made.file);
        for d in made.diagnostics {
            diags.push(d);
        }
    }
    files
}

/// One file made, or not, and what its author should know.
struct Made {
    file: Option<OutputFile>,
    diagnostics: Vec<Diagnostic>,
}

fn file(edition: &Edition, extension: &str, bytes: Vec<u8>) -> OutputFile {
    let origin = match (edition.is_pack, edition.texts.first()) {
        (false, Some(t)) => Origin::Text(std::sync::Arc::clone(&t.text.source)),
        _ => Origin::generated(format!("the handout of the pack `{}`", edition.name)),
    };
    OutputFile {
        path: format!("{}.{extension}", edition.name),
        bytes: bytes.into(),
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
