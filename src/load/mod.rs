//! Stage 1: read the content folder into a [`Site`].
//!
//! The only stage that reads the site folder. It checks the *shape* of what authors
//! wrote (UTF-8, front matter, known keys, types, ids) and reports every mistake it
//! finds; whether quotes match and links resolve is for the later stages to say.

mod text;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;

use crate::config::{
    parse_base_url, BaseUrlError, BuildOptions, RawSiteConfig, SiteConfig, SiteImage,
};
use crate::config::{HandoutSettings, Pack, RawHandoutConfig, RawPacks};
use crate::diagnostics::{did_you_mean, location, Diagnostic, Diagnostics, Source, Span};
use crate::site::{Glossary, Section, Site, Term, Text, ThemeFiles};
use yaml::Seg;

pub use text::is_valid_id;
pub(crate) use text::{slug_problem, RawSidecar};

/// Why a site could not be loaded at all (as opposed to content mistakes).
#[derive(Debug)]
pub enum LoadError {
    /// The site folder has no `content/` folder: the user pointed at the wrong place.
    NoContent(PathBuf),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NoContent(p) => write!(
                f,
                "no `content/` folder in `{}`: is this a scholia site?",
                p.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads the site. Content mistakes go to `diags`; the site returned holds everything
/// that could be read despite them, so later stages can find further mistakes.
pub fn site(options: &BuildOptions, diags: &mut Diagnostics) -> Result<Site, LoadError> {
    let content = options.site_dir.join("content");
    if !content.is_dir() {
        return Err(LoadError::NoContent(options.site_dir.clone()));
    }
    let (mut config, config_source, raw_packs) = site_config(&options.site_dir, diags);
    if let Some(url) = &options.base_url {
        config.base_url = Some(url.clone());
    }
    let files = discover(&options.site_dir, &content, diags);
    let mut texts: Vec<_> = files
        .texts
        .par_iter()
        .map(|path| {
            let mut d = Diagnostics::new();
            let text = text::load(&options.site_dir, &content, path, options, &mut d);
            (text, d)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|(text, d)| {
            diags.extend(d);
            text
        })
        .collect();
    orphan_sidecars(&options.site_dir, &files, diags);
    if let (Some(raw), Some(source)) = (raw_packs, &config_source) {
        // Checked against every text, drafts too: a pack is valid whatever the build
        // leaves out (its handout skips the drafts a build leaves out).
        let slugs: Vec<&str> = texts.iter().map(|t| t.slug.as_str()).collect();
        config.packs = packs(raw, source, &slugs, diags);
    }
    texts.retain(|t| options.drafts || !t.meta.draft);
    let glossary = glossary(&options.site_dir, &content, diags);
    let sections = sections(&options.site_dir, &content, &files, diags);
    sort_texts(&mut texts, &sections);
    let theme = theme_files(&options.site_dir, &config, config_source.as_ref(), diags);
    Ok(Site {
        config,
        texts,
        glossary,
        sections,
        theme,
        instructor: options.instructor,
    })
}

/// What [`reload_text`] did to the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reloaded {
    /// The text (this slug) was read again and is in the site, in its (perhaps new) place.
    Replaced(String),
    /// The text is unusable now, or a draft the build leaves out: it left the site.
    Removed(String),
    /// No such text in the site: only a full load can add one.
    NotInSite,
}

/// Reads one text and its sidecar again, for `serve` when an author saved them, and puts
/// it in `site` as [`site`] would have: in reading order, left out if unusable or a draft.
/// `path` is the `.md` file, inside `content/`.
pub(crate) fn reload_text(
    options: &BuildOptions,
    site: &mut Site,
    path: &Path,
    diags: &mut Diagnostics,
) -> Reloaded {
    let content = options.site_dir.join("content");
    let slug = text::slug_of(&content, path);
    let Some(at) = site.texts.iter().position(|t| t.slug == slug) else {
        return Reloaded::NotInSite;
    };
    match text::load(&options.site_dir, &content, path, options, diags) {
        Some(text) if options.drafts || !text.meta.draft => {
            site.texts[at] = text;
            sort_texts(&mut site.texts, &site.sections);
            Reloaded::Replaced(slug)
        }
        _ => {
            site.texts.remove(at);
            Reloaded::Removed(slug)
        }
    }
}

/// The name a diagnostic gives a file of the site (`content/a.md`), so that `serve` can
/// tell which diagnostics a reread file replaces.
pub(crate) fn source_name(site_dir: &Path, path: &Path) -> String {
    display_name(site_dir, path)
}

/// A file's path as authors see it in messages: relative to the site, `/`-separated.
fn display_name(site_dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(site_dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a content file as text: UTF-8 (BOM dropped), line endings normalised to `\n`,
/// no NUL bytes.
pub(crate) fn read_source(site_dir: &Path, path: &Path) -> Result<Arc<Source>, Diagnostic> {
    let (source, nul) = read_source_with_nul(site_dir, path)?;
    match nul {
        Some(d) => Err(d),
        None => Ok(source),
    }
}

/// [`read_source`], but a NUL byte is reported beside a source that keeps going (NULs
/// shown as U+FFFD), so a text stays in the site and links to it do not fail as well.
pub(crate) fn read_source_with_nul(
    site_dir: &Path,
    path: &Path,
) -> Result<(Arc<Source>, Option<Diagnostic>), Diagnostic> {
    let name = display_name(site_dir, path);
    let bytes = read_file(site_dir, path)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(check_nul(name, normalize_newlines(text))),
        Err(e) => {
            let at = e.valid_up_to();
            let src = Source::new(name.clone(), String::from_utf8_lossy(bytes).into_owned());
            Err(Diagnostic::error(
                format!("`{name}` is not valid UTF-8"),
                Span::new(&src, at..at + 1),
            )
            .label(format!("invalid byte 0x{:02X} here", bytes[at]))
            .help("save the file as UTF-8 (most editors offer this under \"Save with encoding\")"))
        }
    }
}

/// A NUL byte is never part of a text: HTML has no place for it, and it is the mark of a
/// file saved as UTF-16 or a binary file named `.md`. It is an error, at its place; the
/// source returned has U+FFFD instead, so neither the page nor the terminal gets a NUL.
fn check_nul(name: String, text: String) -> (Arc<Source>, Option<Diagnostic>) {
    let Some(at) = text.find('\0') else {
        return (Source::new(name, text), None);
    };
    let source = Source::new(name, text.replace('\0', "\u{FFFD}"));
    let error = Diagnostic::error(
        format!("`{}` contains a NUL byte", source.name),
        Span::new(&source, at..at + '\u{FFFD}'.len_utf8()),
    )
    .label("NUL byte (shown as \u{FFFD})")
    .help(
        "remove it; if the file has many, it was saved as UTF-16 or is not text: save it as UTF-8",
    );
    (source, Some(error))
}

/// Reads a file of the site: only a regular file, and only one inside the site folder.
/// A named pipe would hang the build and a device never end it; a link out of the site
/// would publish (or quote in an error) whatever it points at.
pub(crate) fn read_file(site_dir: &Path, path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let name = display_name(site_dir, path);
    let error =
        |message: String| Diagnostic::error(message, Span::file(&Source::new(name.clone(), "")));
    if let Some(real) = outside_site(site_dir, path) {
        return Err(outside_diagnostic(site_dir, path, &real));
    }
    let not_regular = || {
        error(format!("`{name}` is not a regular file"))
            .label("a named pipe, socket or device")
            .help("scholia reads only regular files: replace it with a file, or remove it")
    };
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(not_regular()),
        Ok(_) => {}
        Err(e) => return Err(error(format!("cannot read `{name}`: {e}"))),
    }
    let mut file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) => return Err(error(format!("cannot read `{name}`: {e}"))),
    };
    // The file may have been swapped for a pipe since it was looked at: check the handle.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(not_regular());
    }
    let mut bytes = Vec::new();
    match std::io::Read::read_to_end(&mut file, &mut bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => Err(error(format!("cannot read `{name}`: {e}"))),
    }
}

/// Opens without blocking: opening a named pipe for reading otherwise waits for a writer.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Where `path` really is, when that is outside the site folder (through a symbolic link
/// on the way). `None` for paths inside, and for paths that do not resolve (reading them
/// then fails with its own error).
fn outside_site(site_dir: &Path, path: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(site_dir).ok()?;
    let real = std::fs::canonicalize(path).ok()?;
    (!real.starts_with(&root)).then_some(real)
}

fn outside_diagnostic(site_dir: &Path, path: &Path, real: &Path) -> Diagnostic {
    let name = display_name(site_dir, path);
    Diagnostic::error(
        format!(
            "`{name}` leads outside the site folder, to `{}`",
            real.display()
        ),
        Span::file(&Source::new(name, "")),
    )
    .label("a symbolic link to a place outside the site")
    .help("scholia reads only what is inside the site folder: copy the file or folder into the site instead of linking to it")
}

/// The regular files under `dir` (which must exist), in name order, for which `keep`
/// holds. Links to folders are followed while they stay inside the site; one that leads
/// out is reported and not followed, so nothing outside is read or published. (Links to
/// files are listed: [`read_file`] refuses those that lead out when it is asked to read
/// them, so each is reported once.)
fn files_under(
    site_dir: &Path,
    dir: &Path,
    keep: impl FnMut(&walkdir::DirEntry) -> bool,
    diags: &mut Diagnostics,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(keep);
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(walk_error(site_dir, &e));
                continue;
            }
        };
        // A file linked out is refused by `read_file`, if anything reads it.
        let linked_folder =
            entry.file_type().is_dir() && (entry.depth() == 0 || entry.path_is_symlink());
        if linked_folder {
            if let Some(real) = outside_site(site_dir, entry.path()) {
                diags.push(outside_diagnostic(site_dir, entry.path(), &real));
                walker.skip_current_dir();
                continue;
            }
        }
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    files
}

fn normalize_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

/// `_site.yaml`, its source for later diagnostics about settings, and its packs (checked
/// once the texts are known).
fn site_config(
    site_dir: &Path,
    diags: &mut Diagnostics,
) -> (SiteConfig, Option<Arc<Source>>, Option<RawPacks>) {
    let path = site_dir.join("content").join("_site.yaml");
    if !path.exists() {
        return (SiteConfig::default(), None, None);
    }
    let source = match read_source(site_dir, &path) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return (SiteConfig::default(), None, None);
        }
    };
    let raw: RawSiteConfig = if source.text.trim().is_empty() {
        RawSiteConfig::default()
    } else {
        match yaml::parse(&source, 0..source.text.len(), RawSiteConfig::KEYS) {
            Ok(r) => r,
            Err(d) => {
                diags.push(d);
                return (SiteConfig::default(), Some(source), None);
            }
        }
    };
    let defaults = SiteConfig::default();
    let language_given = raw.language.is_some();
    let base_url = raw.base_url.and_then(|raw| match parse_base_url(&raw) {
        Ok(url) => Some(url),
        Err(e) => {
            let at = yaml::locate(&source.text, &[Seg::Key("base_url")]);
            diags.push(base_url_error(&raw, &e, Span::new(&source, at)));
            None
        }
    });
    let config = SiteConfig {
        title: raw.title.unwrap_or(defaults.title),
        description: raw.description,
        language: raw.language.unwrap_or(defaults.language),
        author: raw.author,
        base_url,
        theme: raw.theme.unwrap_or(defaults.theme),
        allow_raw_html: raw.allow_raw_html.unwrap_or(false),
        glossary_autolink: raw.glossary.and_then(|g| g.autolink).unwrap_or(false),
        favicon: raw.favicon.and_then(|path| {
            let at = Span::new(&source, yaml::locate(&source.text, &[Seg::Key("favicon")]));
            site_image(site_dir, &path, &FAVICON, &at, diags)
        }),
        image: raw.image.and_then(|path| {
            let at = Span::new(&source, yaml::locate(&source.text, &[Seg::Key("image")]));
            site_image(site_dir, &path, &IMAGE, &at, diags)
        }),
        handout: handout_settings(raw.handout, &source, diags),
        packs: Vec::new(),
        line_numbers: raw.line_numbers.unwrap_or(defaults.line_numbers),
    };
    if language_given {
        let at = yaml::locate(&source.text, &[Seg::Key("language")]);
        check_language(&config.language, &Span::new(&source, at), diags);
    }
    (config, Some(source), raw.packs)
}

/// `handout:`; serde already refused unknown keys and values.
fn handout_settings(
    raw: Option<RawHandoutConfig>,
    source: &Arc<Source>,
    diags: &mut Diagnostics,
) -> HandoutSettings {
    let defaults = HandoutSettings::default();
    let Some(raw) = raw else {
        return defaults;
    };
    let mut answer_lines = raw.answer_lines.unwrap_or(defaults.answer_lines);
    if answer_lines > HandoutSettings::MAX_ANSWER_LINES {
        let at = yaml::locate(
            &source.text,
            &[Seg::Key("handout"), Seg::Key("answer_lines")],
        );
        diags.push(
            Diagnostic::error(
                format!("`handout.answer_lines` is {answer_lines}: more lines than a page holds"),
                Span::new(source, at),
            )
            .help(format!(
                "write a number from 0 to {} (the default is {})",
                HandoutSettings::MAX_ANSWER_LINES,
                defaults.answer_lines
            )),
        );
        answer_lines = defaults.answer_lines;
    }
    HandoutSettings {
        paper: raw.paper.unwrap_or(defaults.paper),
        notes: raw.notes.unwrap_or(defaults.notes),
        answer_lines,
    }
}

/// `packs:`, each checked: a name fit for a file, a title, and texts that exist (`slugs`
/// are every text of the site). Packs with mistakes are reported and left out.
fn packs(
    raw: RawPacks,
    source: &Arc<Source>,
    slugs: &[&str],
    diags: &mut Diagnostics,
) -> Vec<Pack> {
    let mut out: Vec<Pack> = Vec::new();
    for (i, pack) in raw.packs.into_iter().enumerate() {
        let name = pack.name.unwrap_or_default();
        let place: Seg = if raw.by_name {
            Seg::Key(&name)
        } else {
            Seg::Index(i)
        };
        let at = |rest: &[Seg]| {
            let mut path = vec![Seg::Key("packs"), place];
            path.extend_from_slice(rest);
            Span::new(source, yaml::locate(&source.text, &path))
        };
        let mut ok = true;
        if !is_valid_id(&name) {
            ok = false;
            let message = if name.is_empty() {
                "this pack has no `name`".to_string()
            } else {
                format!("the pack name `{name}` cannot be a file name")
            };
            let where_ = if raw.by_name {
                at(&[])
            } else {
                at(&[Seg::Key("name")])
            };
            diags.push(Diagnostic::error(message, where_).help(
                "name packs with lowercase letters, digits and `-` (`week-3`): the name is its handout's file name",
            ));
        } else if out.iter().any(|p| p.name == name) {
            ok = false;
            diags.push(
                Diagnostic::error(format!("two packs are named `{name}`"), at(&[]))
                    .help("give each pack a name of its own"),
            );
        }
        let title = match pack.title.filter(|t| !t.trim().is_empty()) {
            Some(t) => t,
            None => {
                ok = false;
                diags.push(
                    Diagnostic::error(format!("the pack `{name}` has no `title`"), at(&[])).help(
                        "add `title: …`, the title printed on its cover (\"Week 3: Coalitions\")",
                    ),
                );
                String::new()
            }
        };
        let texts = pack.texts.unwrap_or_default();
        if texts.is_empty() {
            ok = false;
            diags.push(
                Diagnostic::error(format!("the pack `{name}` has no texts"), at(&[]))
                    .label("an empty pack")
                    .help("list the slugs of its texts under `texts:`, in the order to read them"),
            );
        }
        for (j, slug) in texts.iter().enumerate() {
            if slugs.contains(&slug.as_str()) {
                continue;
            }
            ok = false;
            let help = match did_you_mean(slug, slugs.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "a pack lists texts by slug: their path under `content/` without `.md`"
                    .to_string(),
            };
            diags.push(
                Diagnostic::error(
                    format!("the pack `{name}` names `{slug}`, which is no text of the site"),
                    at(&[Seg::Key("texts"), Seg::Index(j)]),
                )
                .label("no such text")
                .help(help),
            );
        }
        if ok {
            out.push(Pack { name, title, texts });
        }
    }
    out
}

/// What an image setting of `_site.yaml` may be.
struct ImageKind {
    key: &'static str,
    extensions: &'static [&'static str],
    /// Bytes: pages and link previews load it, so a huge file is a mistake.
    max_size: u64,
}

const FAVICON: ImageKind = ImageKind {
    key: "favicon",
    extensions: &["svg", "png", "ico"],
    max_size: 1 << 20,
};

const IMAGE: ImageKind = ImageKind {
    key: "image",
    extensions: &["png", "jpg", "jpeg", "gif", "webp"],
    max_size: 8 << 20,
};

/// Reads the image `_site.yaml` names at `at`: a file inside `content/`, of a kind
/// browsers (or link previews) show, not too big.
fn site_image(
    site_dir: &Path,
    raw: &str,
    kind: &ImageKind,
    at: &Span,
    diags: &mut Diagnostics,
) -> Option<SiteImage> {
    let key = kind.key;
    let rel = Path::new(raw);
    let inside = rel
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if raw.trim().is_empty() || !inside {
        diags.push(
            Diagnostic::error(
                format!("`{key}` must be a path inside `content/`"),
                at.clone(),
            )
            .help(format!(
                "write it relative to `content/`, like `{key}: images/{key}.{}`",
                kind.extensions[0]
            )),
        );
        return None;
    }
    let extension = rel
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !kind.extensions.contains(&extension.as_str()) {
        diags.push(
            Diagnostic::error(
                format!("`{key}` must be a {} file", one_of(kind.extensions)),
                at.clone(),
            )
            .help("convert the image, or name another file"),
        );
        return None;
    }
    let path = site_dir.join("content").join(rel);
    let name = display_name(site_dir, &path);
    match std::fs::metadata(&path) {
        Err(_) => {
            diags.push(
                Diagnostic::error(format!("`{key}`: there is no file `{name}`"), at.clone())
                    .label("no such file")
                    .help(format!(
                        "the path is relative to `content/`; put the file there, or remove `{key}`"
                    )),
            );
            return None;
        }
        Ok(meta) if meta.len() > kind.max_size => {
            diags.push(
                Diagnostic::error(
                    format!(
                        "`{key}`: `{name}` is {} KiB, more than the {} KiB allowed",
                        meta.len() / 1024,
                        kind.max_size / 1024
                    ),
                    at.clone(),
                )
                .help("make the image smaller"),
            );
            return None;
        }
        Ok(_) => {}
    }
    match read_file(site_dir, &path) {
        Ok(bytes) => Some(SiteImage { extension, bytes }),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// `["svg", "png", "ico"]` → "`.svg`, `.png` or `.ico`".
fn one_of(extensions: &[&str]) -> String {
    let names: Vec<String> = extensions.iter().map(|e| format!("`.{e}`")).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn base_url_error(raw: &str, e: &BaseUrlError, at: Span) -> Diagnostic {
    let example = "write it like `https://example.org/reader`, or leave it out";
    match e {
        BaseUrlError::NotAbsolute => {
            Diagnostic::error("`base_url` must be an absolute URL", at).help(example)
        }
        BaseUrlError::NotHttp(scheme) => Diagnostic::error(
            format!("`base_url` must be an `http` or `https` URL, not `{scheme}:`"),
            at,
        )
        .help(example),
        BaseUrlError::Malformed(why) => {
            let bad = raw
                .chars()
                .find(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(*c));
            let label = match bad {
                Some(' ') => "a space is not allowed in a URL".to_string(),
                Some(c) if c.is_whitespace() || c.is_control() => {
                    format!("U+{:04X} is not allowed in a URL", u32::from(c))
                }
                Some(c) => format!("`{c}` is not allowed in a URL"),
                None => why.description().to_string(),
            };
            Diagnostic::error("`base_url` is not a well-formed URL", at)
                .label(label)
                .help("percent-encode characters a URL cannot hold as they are (a space is `%20`), or leave `base_url` out")
        }
        BaseUrlError::Fragment => Diagnostic::error("`base_url` cannot have a `#fragment`", at)
            .help("remove the `#…` part: every page's address starts with `base_url`"),
    }
}

/// A `language` must be a language tag (`en`, `fr-CA`): it goes into `<html lang>`, and
/// picks the search index's stemmer. One search has no stemmer for is only a warning.
pub(crate) fn check_language(tag: &str, at: &Span, diags: &mut Diagnostics) {
    if !is_language_tag(tag) {
        let guess = LANGUAGE_NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(tag.trim()))
            .map(|(_, code)| *code);
        let help = match guess {
            Some(code) => format!(
                "did you mean `{code}`? `language` is a tag like `en` or `fr-CA`, not a name"
            ),
            None => "write a language tag such as `en`, `fr`, `de` or `pt-BR`".to_string(),
        };
        diags.push(
            Diagnostic::error(format!("`{tag}` is not a language tag"), at.clone()).help(help),
        );
    } else if !crate::language::has_pipeline(tag) {
        diags.push(
            Diagnostic::warning(
                format!("search has no stemmer or stop words for `{tag}`"),
                at.clone(),
            )
            .help("words in this language are found as written, without their other forms"),
        );
    }
}

/// BCP 47's shape: a 2–3 letter language, then subtags of 1–8 letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Names people write for a language instead of its tag.
const LANGUAGE_NAMES: &[(&str, &str)] = &[
    ("arabic", "ar"),
    ("chinese", "zh"),
    ("danish", "da"),
    ("dutch", "nl"),
    ("english", "en"),
    ("finnish", "fi"),
    ("french", "fr"),
    ("german", "de"),
    ("greek", "el"),
    ("hungarian", "hu"),
    ("italian", "it"),
    ("japanese", "ja"),
    ("korean", "ko"),
    ("norwegian", "nb"),
    ("polish", "pl"),
    ("portuguese", "pt"),
    ("romanian", "ro"),
    ("russian", "ru"),
    ("spanish", "es"),
    ("swedish", "sv"),
    ("turkish", "tr"),
];

/// What is in the content folder.
#[derive(Default)]
struct Files {
    texts: Vec<PathBuf>,
    sidecars: Vec<PathBuf>,
    sections: Vec<PathBuf>,
}

/// Reading order: texts at the top first, then folder by folder (in their sections'
/// `order`), and within a folder by `order`, then title.
fn sort_texts(texts: &mut [Text], sections: &BTreeMap<String, Section>) {
    texts.sort_by_cached_key(|t| {
        let folder = t.slug.rsplit_once('/').map_or("", |(f, _)| f).to_string();
        let section_order = if folder.is_empty() {
            i64::MIN
        } else {
            sections
                .get(&folder)
                .and_then(|s| s.order)
                .unwrap_or(i64::MAX)
        };
        (
            section_order,
            folder,
            t.meta.order.unwrap_or(i64::MAX),
            t.meta.title.clone(),
            t.slug.clone(),
        )
    });
}

/// Reads every folder's `_section.yaml`.
fn sections(
    site_dir: &Path,
    content: &Path,
    files: &Files,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Section> {
    let mut out = BTreeMap::new();
    for path in &files.sections {
        let folder = path
            .parent()
            .map(|p| display_name(content, p))
            .unwrap_or_default();
        let source = match read_source(site_dir, path) {
            Ok(s) => s,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        if source.text.trim().is_empty() {
            out.insert(folder, Section::default());
            continue;
        }
        match yaml::parse::<Section>(
            &source,
            0..source.text.len(),
            &["title", "summary", "order"],
        ) {
            Ok(section) => {
                out.insert(folder, section);
            }
            Err(d) => diags.push(d),
        }
    }
    out
}

fn discover(site_dir: &Path, content: &Path, diags: &mut Diagnostics) -> Files {
    let mut files = Files::default();
    let keep = |e: &walkdir::DirEntry| {
        e.depth() == 0 || !is_hidden(e.file_name()) || e.file_name() == "_section.yaml"
    };
    for path in files_under(site_dir, content, keep, diags) {
        if path.file_name().is_some_and(|n| n == "_section.yaml") {
            if path.parent() != Some(content) {
                files.sections.push(path);
            }
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("md") => files.texts.push(path),
            Some("yaml" | "yml") => files.sidecars.push(path),
            _ => {}
        }
    }
    files
}

/// `_site.yaml`, `.git` and the like are not texts.
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('_') || name.starts_with('.')
}

fn walk_error(site_dir: &Path, e: &walkdir::Error) -> Diagnostic {
    let path = e
        .path()
        .map(|p| display_name(site_dir, p))
        .unwrap_or_default();
    let src = Source::new(path.clone(), "");
    let what = if e.loop_ancestor().is_some() {
        "a symbolic link loops back to a folder that contains it".to_string()
    } else {
        e.to_string()
    };
    Diagnostic::error(format!("cannot read `{path}`: {what}"), Span::file(&src))
        .help("remove the link or the unreadable file, or make it readable")
}

fn orphan_sidecars(site_dir: &Path, files: &Files, diags: &mut Diagnostics) {
    let texts: BTreeSet<PathBuf> = files.texts.iter().map(|p| p.with_extension("")).collect();
    let names: Vec<String> = files
        .texts
        .iter()
        .map(|p| display_name(site_dir, &p.with_extension("yaml")))
        .collect();
    for sidecar in &files.sidecars {
        if texts.contains(&sidecar.with_extension("")) {
            continue;
        }
        let name = display_name(site_dir, sidecar);
        let src = Source::new(name.clone(), "");
        let help = did_you_mean(&name, names.iter().map(String::as_str))
            .map(|n| format!("did you mean to name it `{n}`?"))
            .unwrap_or_else(|| "a sidecar is named after its text: `x.md` ↔ `x.yaml`".into());
        diags.push(
            Diagnostic::error(
                format!("`{name}` is commentary on no text: there is no `.md` file of that name"),
                Span::file(&src),
            )
            .help(help),
        );
    }
}

/// `_glossary.yaml` as written; its JSON Schema is derived from it (`scholia schema glossary`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGlossary {
    terms: Option<Vec<RawTerm>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Term")]
struct RawTerm {
    id: Option<text::Scalar>,
    term: Option<text::Scalar>,
    definition: Option<text::Scalar>,
    aliases: Option<Vec<text::Scalar>>,
}

fn glossary(site_dir: &Path, content: &Path, diags: &mut Diagnostics) -> Glossary {
    let path = content.join("_glossary.yaml");
    if !path.exists() {
        return Glossary::default();
    }
    let source = match read_source(site_dir, &path) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return Glossary::default();
        }
    };
    let raw: RawGlossary = match yaml::parse(&source, 0..source.text.len(), &["terms"]) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return Glossary::default();
        }
    };
    let mut seen = BTreeMap::new();
    let mut terms = Vec::new();
    for (i, raw) in raw.terms.unwrap_or_default().into_iter().enumerate() {
        let at = |key| {
            let path = [Seg::Key("terms"), Seg::Index(i), Seg::Key(key)];
            Span::new(&source, yaml::locate(&source.text, &path))
        };
        let item = Span::new(
            &source,
            yaml::locate(&source.text, &[Seg::Key("terms"), Seg::Index(i)]),
        );
        let (Some(id), Some(term), Some(definition)) = (raw.id, raw.term, raw.definition) else {
            diags.push(
                Diagnostic::error("a glossary term needs `id`, `term` and `definition`", item)
                    .help("add the missing keys"),
            );
            continue;
        };
        let id = id.0;
        if !is_valid_id(&id) {
            diags.push(
                Diagnostic::error(format!("invalid term id `{id}`"), at("id")).help(
                    "ids use lowercase letters, digits and `-`, starting with a letter or digit",
                ),
            );
        }
        if let Some(first) = seen.insert(id.clone(), at("id")) {
            diags.push(
                Diagnostic::error(format!("duplicate term id `{id}`"), at("id"))
                    .note(format!("first used at {}", location(&first))),
            );
            continue;
        }
        terms.push(Term {
            id,
            term: term.0,
            aliases: raw
                .aliases
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.0)
                .collect(),
            definition: definition.0,
            at: item,
        });
    }
    Glossary { terms }
}

/// Templates, assets and interface words the site brings itself, from `themes/<theme>/`
/// and `templates/`.
fn theme_files(
    site_dir: &Path,
    config: &SiteConfig,
    config_source: Option<&Arc<Source>>,
    diags: &mut Diagnostics,
) -> ThemeFiles {
    let mut files = templates_and_assets(site_dir, config, config_source, diags);
    files.strings = interface_words(site_dir, config, config_source, diags);
    files
}

/// The interface's words for the site's language: the theme's, with the site's own
/// `themes/<theme>/strings/<language>.toml` (by primary subtag) laid over them.
fn interface_words(
    site_dir: &Path,
    config: &SiteConfig,
    config_source: Option<&Arc<Source>>,
    diags: &mut Diagnostics,
) -> crate::strings::Strings {
    let language = config.language.as_str();
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let theme_dir = site_dir.join("themes").join(&config.theme);
    let path = theme_dir.join("strings").join(format!("{primary}.toml"));
    let own = (is_theme_name(&config.theme)
        && outside_site(site_dir, &theme_dir).is_none()
        && !primary.is_empty()
        && primary.bytes().all(|b| b.is_ascii_alphanumeric())
        && path.is_file())
    .then(|| read_source(site_dir, &path))
    .and_then(|read| read.map_err(|d| diags.push(d)).ok());
    let at = || match config_source {
        Some(src) => Span::new(src, yaml::locate(&src.text, &[Seg::Key("language")])),
        None => Span::file(&Source::new("content/_site.yaml", "")),
    };
    crate::strings::Strings::select(language, own.as_ref(), at, diags)
}

/// Templates and assets the site brings itself, from `themes/<theme>/` and `templates/`.
fn templates_and_assets(
    site_dir: &Path,
    config: &SiteConfig,
    config_source: Option<&Arc<Source>>,
    diags: &mut Diagnostics,
) -> ThemeFiles {
    let mut files = ThemeFiles::default();
    let theme_span = || match config_source {
        Some(src) => Span::new(src, yaml::locate(&src.text, &[Seg::Key("theme")])),
        None => Span::file(&Source::new("content/_site.yaml", "")),
    };
    let theme = config.theme.as_str();
    if !is_theme_name(theme) {
        diags.push(
            Diagnostic::error(
                format!("`theme` must name a folder in `themes/`, not `{theme}`"),
                theme_span(),
            )
            .label("not a plain folder name")
            .help(theme_name_help(theme)),
        );
        read_templates(site_dir, &site_dir.join("templates"), &mut files, diags);
        return files;
    }
    let theme_dir = site_dir.join("themes").join(theme);
    if theme != "default" && !theme_dir.is_dir() {
        diags.push(
            Diagnostic::error(format!("no theme `{theme}` in `themes/`"), theme_span())
                .help("create the folder, or remove `theme:` to use the built-in theme"),
        );
    }
    if let Some(real) = outside_site(site_dir, &theme_dir) {
        diags.push(outside_diagnostic(site_dir, &theme_dir, &real));
        read_templates(site_dir, &site_dir.join("templates"), &mut files, diags);
        return files;
    }
    read_templates(site_dir, &theme_dir.join("templates"), &mut files, diags);
    read_templates(site_dir, &site_dir.join("templates"), &mut files, diags);
    let static_dir = theme_dir.join("static");
    if !static_dir.is_dir() {
        return files;
    }
    for path in files_under(site_dir, &static_dir, |_| true, diags) {
        match read_file(site_dir, &path) {
            Ok(bytes) => {
                files.assets.insert(display_name(&static_dir, &path), bytes);
            }
            Err(d) => diags.push(d),
        }
    }
    files
}

/// A theme is a folder of the site's `themes/`: its name must not lead anywhere else
/// (no separators, `..`, absolute paths or drive prefixes) nor be hidden.
fn is_theme_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.contains("..")
        && matches!(
            (parts.next(), parts.next()),
            (Some(std::path::Component::Normal(n)), None) if n == name
        )
}

/// What to write instead of a theme path: the folder name it ends in, if that is one.
fn theme_name_help(theme: &str) -> String {
    let last = theme
        .rsplit(['/', '\\'])
        .find(|part| !part.is_empty())
        .filter(|part| is_theme_name(part));
    let rule = "a theme lives in the site's `themes/<name>/` folder and `theme:` gives its name";
    match last {
        Some(name) => format!("did you mean `theme: {name}`? ({rule})"),
        None => format!("{rule}, e.g. `theme: fancy` for `themes/fancy/`"),
    }
}

fn read_templates(site_dir: &Path, dir: &Path, files: &mut ThemeFiles, diags: &mut Diagnostics) {
    if !dir.is_dir() {
        return;
    }
    for path in files_under(site_dir, dir, |_| true, diags) {
        match read_source(site_dir, &path) {
            Ok(src) => {
                files.templates.insert(display_name(dir, &path), src);
            }
            Err(d) => diags.push(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_is_a_plain_folder_name() {
        for ok in ["default", "fancy", "my-theme_2", "a.b", "Thème"] {
            assert!(is_theme_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "../x",
            "../../shared/fancy",
            "a/../../x",
            "x/..",
            "a..b",
            "/etc",
            "/",
            "themes/fancy",
            "fancy/",
            "a\\b",
            "C:\\themes\\x",
            "\\\\server\\share",
        ] {
            assert!(!is_theme_name(bad), "{bad:?} passed as a theme name");
        }
    }

    #[test]
    fn a_theme_path_suggests_the_folder_name_it_ends_in() {
        assert!(theme_name_help("../../shared/fancy").starts_with("did you mean `theme: fancy`?"));
        assert!(theme_name_help("/srv/themes/fancy/").starts_with("did you mean `theme: fancy`?"));
        assert!(theme_name_help("C:\\themes\\dark").starts_with("did you mean `theme: dark`?"));
        for nothing in ["..", "", "/", "../.hidden"] {
            let help = theme_name_help(nothing);
            assert!(!help.contains("did you mean"), "{nothing:?}: {help}");
            assert!(help.contains("`themes/<name>/`"), "{help}");
        }
    }

    #[test]
    fn a_theme_outside_the_site_is_not_read() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let site_dir = root.path().join("site");
        let outside = root.path().join("shared").join("fancy");
        for dir in [site_dir.join("content"), outside.join("templates")] {
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(outside.join("templates/base.html"), "outside")
            .unwrap_or_else(|e| panic!("{e}"));
        let src = Source::new("content/_site.yaml", "title: T\ntheme: ../shared/fancy\n");
        for theme in [
            "../shared/fancy".to_string(),
            outside.to_string_lossy().into_owned(),
        ] {
            let config = SiteConfig {
                theme,
                ..SiteConfig::default()
            };
            let mut diags = Diagnostics::new();
            let files = theme_files(&site_dir, &config, Some(&src), &mut diags);
            assert!(
                files.templates.is_empty(),
                "read {:?}",
                files.templates.keys()
            );
            let d: Vec<_> = diags.iter().collect();
            assert_eq!(d.len(), 1, "{d:?}");
            assert!(d[0]
                .message
                .starts_with("`theme` must name a folder in `themes/`"));
            assert_eq!(d[0].location().as_deref(), Some("content/_site.yaml:2:8"));
        }
    }
}
