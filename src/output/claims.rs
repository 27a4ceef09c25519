//! Every file of the built site is claimed once, by the text or the part of scholia that
//! makes it, before anything is written. Without this a text named like a generated page
//! (`search.md`, `tags.md`, `tags/coalitions.md`) was silently replaced by it.
//!
//! Every output goes through [`Claims`] on its way to [`super::write`], so a new kind of
//! output gets the check without asking for it.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{OutputFile, MARKER};
use crate::diagnostics::location;
use crate::diagnostics::{Diagnostic, Diagnostics, Source, Span};
use crate::site::RESERVED;

/// What made an output file, named when two things want the same path.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A text's page, made from this file.
    Text(Arc<Source>),
    /// Something scholia makes itself, as authors would call it ("the search page").
    Generated(String),
}

impl Origin {
    pub(crate) fn generated(what: impl Into<String>) -> Origin {
        Origin::Generated(what.into())
    }

    fn describe(&self) -> String {
        match self {
            Origin::Text(src) => format!("the text `{}`", src.name),
            Origin::Generated(what) => what.clone(),
        }
    }
}

const RESERVED_HELP: &str = "rename the text or move it to another folder: scholia writes `assets/`, `glossary/`, `search/` and `tags/` itself";

/// The files of the site being built, each path claimed by exactly one [`Origin`].
#[derive(Debug)]
pub(crate) struct Claims {
    owners: BTreeMap<String, Origin>,
    files: Vec<OutputFile>,
}

impl Default for Claims {
    fn default() -> Self {
        Self::new()
    }
}

impl Claims {
    pub(crate) fn new() -> Claims {
        let mut owners = BTreeMap::new();
        owners.insert(
            MARKER.to_string(),
            Origin::generated("the file that marks the folder as scholia's"),
        );
        Claims {
            owners,
            files: Vec::new(),
        }
    }

    /// Claims each file's path for its origin. A path already claimed, or a text's page in
    /// a [`RESERVED`] folder, is an error naming both claimants; that file is dropped.
    pub(crate) fn claim(&mut self, files: Vec<OutputFile>, diags: &mut Diagnostics) {
        let claimed = self.take(files, diags);
        self.files.extend(claimed);
    }

    /// As [`Claims::claim`], but hands the claimed files back instead of keeping them (the
    /// paths stay claimed), so a build can write them and let them go.
    pub(crate) fn take(
        &mut self,
        files: Vec<OutputFile>,
        diags: &mut Diagnostics,
    ) -> Vec<OutputFile> {
        let mut claimed = Vec::with_capacity(files.len());
        // Scholia's own files first, so a text that takes one's path is told which.
        let (texts, generated): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|f| matches!(f.origin, Origin::Text(_)));
        for file in generated.into_iter().chain(texts) {
            // The rest of a file handed over before (and claimed then).
            if matches!(file.bytes, super::Contents::Continued(_)) {
                claimed.push(file);
                continue;
            }
            if let Some(first) = self.owners.get(&file.path) {
                diags.push(conflict(&file.path, first, &file.origin));
                continue;
            }
            if let Origin::Text(src) = &file.origin {
                if let Some((folder, what)) = reserved_folder(&file.path) {
                    diags.push(
                        Diagnostic::error(
                            format!(
                                "the page of `{}` would be `{}`, in `{folder}`, which is reserved for {what}",
                                src.name, file.path
                            ),
                            Span::file(src),
                        )
                        .help(rename_help(&file.path)),
                    );
                    continue;
                }
            }
            self.owners.insert(file.path.clone(), file.origin.clone());
            claimed.push(file);
        }
        claimed
    }

    /// The claimed files, in the order they were claimed.
    pub(crate) fn into_files(self) -> Vec<OutputFile> {
        self.files
    }
}

/// Help for a text in a reserved folder: a name to take at the top, a move below it.
fn rename_help(path: &str) -> String {
    match path.strip_suffix("/index.html") {
        Some(slug) if !slug.contains('/') => format!(
            "rename the file to `text-{slug}.md`: scholia writes `assets/`, `glossary/`, `search/` and `tags/` itself"
        ),
        _ => RESERVED_HELP.to_string(),
    }
}

fn reserved_folder(path: &str) -> Option<(&'static str, &'static str)> {
    RESERVED
        .iter()
        .find(|(folder, _)| path.starts_with(folder))
        .copied()
}

/// Two claims of one path: the diagnostic points at a text if there is one.
fn conflict(path: &str, first: &Origin, second: &Origin) -> Diagnostic {
    let (text, other) = match (first, second) {
        (_, Origin::Text(src)) => (src, first),
        (Origin::Text(src), _) => (src, second),
        (Origin::Generated(_), Origin::Generated(_)) => {
            // Only a bug in scholia can get here: its own outputs never share a path.
            return Diagnostic {
                span: None,
                ..Diagnostic::error(
                    format!(
                        "internal error: {} and {} would both be written to `{path}`",
                        first.describe(),
                        second.describe()
                    ),
                    Span::file(&Source::new("(scholia)", "")),
                )
            }
            .help("please report this bug");
        }
    };
    let mut d = Diagnostic::error(
        format!(
            "`{}` and {} would both be written to `{path}`",
            text.name,
            other.describe()
        ),
        Span::file(text),
    )
    .label("this text's page");
    if let Origin::Text(src) = other {
        d = d
            .note(format!(
                "the other text is at {}",
                location(&Span::file(src))
            ))
            .help("rename one of the two files");
    } else {
        if let Some((folder, what)) = reserved_folder(path) {
            d = d.note(format!("`{folder}` is reserved for {what}"));
        }
        d = d.help(rename_help(path));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &str) -> Origin {
        Origin::Text(Source::new(name, "---\ntitle: T\n---\n"))
    }

    fn file(path: &str, origin: Origin) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: Vec::new().into(),
            origin,
        }
    }

    fn claim(files: Vec<OutputFile>) -> (Vec<String>, Vec<Diagnostic>) {
        let mut claims = Claims::new();
        let mut diags = Diagnostics::new();
        claims.claim(files, &mut diags);
        let paths = claims.into_files().into_iter().map(|f| f.path).collect();
        (paths, diags.iter().cloned().collect())
    }

    #[test]
    fn two_texts_with_one_page_name_both() {
        let (paths, d) = claim(vec![
            file("a/index.html", text("content/a.md")),
            file("a/index.html", text("content/b.md")),
        ]);
        assert_eq!(paths, ["a/index.html"]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].location().as_deref(), Some("content/b.md:1:1"));
        assert!(d[0]
            .message
            .contains("`content/b.md` and the text `content/a.md`"));
        assert!(d[0].notes.iter().any(|n| n.contains("content/a.md:1:1")));
    }

    #[test]
    fn a_text_never_replaces_a_generated_page_whatever_the_order() {
        for reversed in [false, true] {
            let mut files = vec![
                file("search/index.html", Origin::generated("the search page")),
                file("search/index.html", text("content/search.md")),
            ];
            if reversed {
                files.reverse();
            }
            let (paths, d) = claim(files);
            assert_eq!(paths, ["search/index.html"]);
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].location().as_deref(), Some("content/search.md:1:1"));
            assert!(d[0].message.contains("the search page"), "{}", d[0].message);
        }
    }

    #[test]
    fn reserved_folders_are_reserved_while_empty() {
        for path in ["tags/intro/index.html", "assets/style/index.html"] {
            let (paths, d) = claim(vec![file(path, text("content/x.md"))]);
            assert!(paths.is_empty());
            assert_eq!(d.len(), 1, "{d:?}");
            assert!(d[0].message.contains("reserved"), "{}", d[0].message);
        }
        let (paths, d) = claim(vec![file("assetsx/index.html", text("content/assetsx.md"))]);
        assert_eq!((paths.len(), d.len()), (1, 0));
    }

    #[test]
    fn scholia_claiming_a_path_twice_is_reported_as_a_bug() {
        let (_, d) = claim(vec![
            file("sitemap.xml", Origin::generated("the sitemap")),
            file(MARKER, Origin::generated("another file")),
        ]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.starts_with("internal error"));
    }
}
