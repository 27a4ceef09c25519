//! Printable HTML handouts: an [`Edition`] filled into the theme's `handout.html`, with
//! its print stylesheet (`static/handout.css`). The build publishes one per text at
//! `<slug>/handout/` (what the reader page's "Print / PDF" link opens); `scholia handout`
//! writes them, and packs, on their own.

use rayon::prelude::*;
use serde::Serialize;

use super::{templates, Pages, GENERATOR};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::document::{Document, Entry, InstructorQuestionHtml, NoteDoc, Part};
use crate::link::Page;
use crate::output::edition::Edition;
use crate::output::{Files, Origin, OutputFile, Renderer, TEXTS_PER_BATCH};

/// The public build's handouts, one per text. For `serve` it keeps the parsed templates
/// ([`Renderer::render_kept`]): a change to them is a full rebuild, a new session.
#[derive(Default)]
pub(crate) struct Handouts {
    templates: Option<tera::Tera>,
}

impl Renderer for Handouts {
    fn name(&self) -> &'static str {
        "handouts"
    }

    fn render_to(&self, doc: &Document, diags: &mut Diagnostics, out: &mut Files) {
        site_handouts(doc, None, None, diags, out);
    }

    fn render_kept(&mut self, doc: &Document, diags: &mut Diagnostics) -> Vec<OutputFile> {
        self.templates = templates(doc.site, diags);
        match self.templates.as_ref() {
            Some(tera) => {
                crate::output::gathered(|out| site_handouts(doc, None, Some(tera), diags, out))
            }
            None => Vec::new(), // the broken template is reported
        }
    }

    /// A handout shows its own text's record alone: only those of `texts` can change.
    fn render_texts(
        &mut self,
        doc: &Document,
        texts: &std::collections::BTreeSet<String>,
        diags: &mut Diagnostics,
    ) -> Option<Vec<OutputFile>> {
        let tera = self.templates.as_ref();
        Some(crate::output::gathered(|out| {
            site_handouts(doc, Some(texts), tera, diags, out)
        }))
    }
}

/// The handouts of the site's texts (of those in `only`, if given; the warnings of all),
/// a batch at a time: each edition's HTML is rendered for it and dropped with its files.
/// `kept`: the templates, if parsed already.
fn site_handouts(
    doc: &Document,
    only: Option<&std::collections::BTreeSet<String>>,
    kept: Option<&tera::Tera>,
    diags: &mut Diagnostics,
    out: &mut Files,
) {
    let settings = &doc.site.config.handout;
    let pages: std::collections::BTreeSet<String> =
        doc.texts.iter().map(|t| t.page.path()).collect();
    let mut texts = Vec::with_capacity(doc.texts.len());
    for t in &doc.texts {
        // A text `a/handout.md` has its page where `a.md`'s handout would be: the
        // text wins, and the handout is left out (it used to build, and still does).
        let slug = &t.text.slug;
        if pages.contains(&Page::Handout(slug.clone()).path()) {
            diags.push(
                Diagnostic::warning(
                    format!("the text `{slug}` gets no handout page: `{slug}/handout` is a text"),
                    crate::diagnostics::Span::file(&t.text.source),
                )
                .help(format!(
                    "rename `{slug}/handout.md` to publish this text's handout"
                )),
            );
            continue;
        }
        if only.is_none_or(|o| o.contains(slug)) {
            texts.push(t);
        }
    }
    let parsed;
    let tera = match kept {
        Some(tera) => tera,
        None => match templates(doc.site, diags) {
            Some(tera) => {
                parsed = tera;
                &parsed
            }
            None => return,
        },
    };
    let pages = Pages::new(doc, tera);
    for batch in texts.chunks(TEXTS_PER_BATCH) {
        let made: Vec<_> = batch
            .par_iter()
            .map(|t| edition_files(&pages, &Edition::of(doc, t, settings), Layout::Site))
            .collect();
        out(collect(made, diags));
    }
}

/// Where handouts are written, which decides their file names and links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Inside the site: `<slug>/handout/index.html`, the stylesheet in `assets/`.
    Site,
    /// A folder of their own (`scholia handout`): `<name>.html` and
    /// `assets/handout.css`.
    Folder,
}

/// The HTML of each edition (files as [`Layout`] says); for [`Layout::Folder`], the
/// stylesheet too. Template mistakes go to `diags`.
pub(crate) fn render(
    doc: &Document,
    editions: &[Edition],
    layout: Layout,
    diags: &mut Diagnostics,
) -> Vec<OutputFile> {
    let Some(tera) = templates(doc.site, diags) else {
        return Vec::new();
    };
    let pages = Pages::new(doc, &tera);
    // Each edition on its own (in parallel: a site has one per text), then in order.
    let made: Vec<Result<[OutputFile; 2], Diagnostic>> = editions
        .par_iter()
        .map(|edition| edition_files(&pages, edition, layout))
        .collect();
    let mut files = collect(made, diags);
    if layout == Layout::Folder {
        files.push(OutputFile {
            path: "assets/handout.css".into(),
            bytes: stylesheet(doc.site),
            origin: Origin::generated("the handouts' stylesheet"),
        });
    }
    files
}

/// The files of editions made, in order; the mistakes of those not made go to `diags`.
fn collect(
    made: Vec<Result<[OutputFile; 2], Diagnostic>>,
    diags: &mut Diagnostics,
) -> Vec<OutputFile> {
    let mut files = Vec::with_capacity(2 * made.len() + 1);
    for result in made {
        match result {
            Ok(pair) => files.extend(pair),
            Err(d) => diags.push(d),
        }
    }
    files
}

/// One edition's page and its running-title stylesheet.
fn edition_files(
    pages: &Pages,
    edition: &Edition,
    layout: Layout,
) -> Result<[OutputFile; 2], Diagnostic> {
    let (path, root, css) = match layout {
        Layout::Site => {
            let page = Page::Handout(edition.name.clone());
            let css = page.path().replace("index.html", "running-title.css");
            (page.path(), page.root(), css)
        }
        Layout::Folder => (
            format!("{}.html", edition.name),
            "../".repeat(edition.name.matches('/').count()),
            format!("{}.running-title.css", edition.name),
        ),
    };
    let css_href = css.rsplit('/').next().unwrap_or(&css).to_string();
    // In the site, the theme's stylesheet under its fingerprinted name; in a folder of
    // handouts, the one written beside them.
    let stylesheet = match layout {
        Layout::Site => pages
            .assets
            .names
            .get("handout.css")
            .cloned()
            .unwrap_or_else(|| "assets/handout.css".into()),
        Layout::Folder => "assets/handout.css".into(),
    };
    let html = html(pages, edition, &path, &root, &css_href, &stylesheet)?;
    Ok([
        OutputFile {
            path,
            bytes: html.into_bytes(),
            origin: origin(edition),
        },
        OutputFile {
            path: css,
            bytes: running_title(edition).into_bytes(),
            origin: origin(edition),
        },
    ])
}

/// The handout stylesheet: the site's theme's, or the built-in one.
fn stylesheet(site: &crate::site::Site) -> Vec<u8> {
    site.theme
        .assets
        .get("handout.css")
        .cloned()
        .or_else(|| {
            super::DEFAULT_THEME
                .get_file("static/handout.css")
                .map(|f| f.contents().to_vec())
        })
        .unwrap_or_default()
}

/// The handout's own stylesheet: its title at the top of every printed page. CSS has no
/// way to take it from the page, so it is written here, as a CSS string escaped by
/// construction.
fn running_title(edition: &Edition) -> String {
    let mut title = edition.title.clone();
    if edition.instructor() {
        title.push_str(" · ");
        title.push_str(
            &edition
                .doc
                .site
                .theme
                .strings
                .format("instructor_edition", None, &[]),
        );
    }
    let title = css_string(&title);
    format!(
        "/* The running title of this handout (see handout.css). */\n\
         @page {{ @top-center {{ content: {title}; }} }}\n\
         @page letter-paper {{ @top-center {{ content: {title}; }} }}\n"
    )
}

/// `s` as a quoted CSS string: letters, digits and spaces as they are, every other
/// character as a hexadecimal escape, so nothing in it can end the string or the rule.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else {
            let c = if c == '\0' { '\u{FFFD}' } else { c };
            out.push_str(&format!("\\{:x} ", u32::from(c)));
        }
    }
    out.push('"');
    out
}

fn origin(edition: &Edition) -> Origin {
    match (edition.is_pack, edition.texts.first()) {
        (false, Some(t)) => Origin::Text(std::sync::Arc::clone(&t.text.source)),
        _ => Origin::generated(format!("the handout of the pack `{}`", edition.name)),
    }
}

#[derive(Serialize)]
struct HandoutContext<'a> {
    name: &'a str,
    title: &'a str,
    is_pack: bool,
    paper: &'static str,
    /// `page` or `end`.
    notes: &'static str,
    /// One item per ruled answer line.
    answer_lines: Vec<u32>,
    texts: Vec<HandoutText<'a>>,
    glossary: Vec<&'a Entry>,
    notes_count: usize,
}

#[derive(Serialize)]
struct HandoutText<'a> {
    slug: &'a str,
    /// The id of its section in a pack, for the table of contents.
    anchor: String,
    /// Put before the ids of its notes (in a pack, where texts may share note ids).
    ids: String,
    title: &'a str,
    author: Option<&'a str>,
    date: Option<&'a str>,
    source: Option<&'a str>,
    license: Option<&'a str>,
    /// Its page online, when the site has a `base_url`.
    url: Option<String>,
    body: &'a [Part],
    notes: Vec<HandoutNote<'a>>,
    questions: &'a [String],
    instructor_questions: &'a [InstructorQuestionHtml],
}

#[derive(Serialize)]
struct HandoutNote<'a> {
    #[serde(flatten)]
    note: &'a NoteDoc,
    html: &'a str,
    /// Its number in the edition.
    number: usize,
    /// For instructors only: marked "Instructor".
    instructor: bool,
}

fn html(
    pages: &Pages,
    edition: &Edition,
    path: &str,
    root: &str,
    css_href: &str,
    stylesheet: &str,
) -> Result<String, Diagnostic> {
    let mut ctx = pages.context_at(root, path, "handout", &edition.title);
    ctx.insert("running_title_css", css_href);
    ctx.insert("handout_css", stylesheet);
    // The address printed is the reader page's, not the handout's.
    if !edition.is_pack {
        ctx.insert("online", &edition.url(0).map(String::from));
    }
    let texts: Vec<HandoutText> = edition
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let html = edition.html(i).unwrap_or_else(|| t.handout_html());
            let m = &t.text.meta;
            HandoutText {
                slug: &t.text.slug,
                anchor: format!("text-{}", i + 1),
                ids: edition.id_prefix(i),
                title: &m.title,
                author: m.author.as_deref(),
                date: m.date.as_deref(),
                source: m.source.as_deref(),
                license: m.license.as_deref(),
                url: edition.url(i).map(String::from),
                body: &html.body,
                notes: t
                    .notes
                    .iter()
                    .zip(&html.notes)
                    .enumerate()
                    .map(|(k, (note, html))| HandoutNote {
                        note,
                        html,
                        number: edition.note_number(i, k),
                        instructor: edition.is_instructor_note(t, note),
                    })
                    .collect(),
                questions: edition.questions(i),
                instructor_questions: edition.instructor_questions(i),
            }
        })
        .collect();
    ctx.insert(
        "handout",
        &HandoutContext {
            name: &edition.name,
            title: &edition.title,
            is_pack: edition.is_pack,
            paper: edition.settings.paper.name(),
            notes: match edition.settings.notes {
                crate::config::NotePlacement::Page => "page",
                crate::config::NotePlacement::End => "end",
            },
            answer_lines: (0..edition.settings.answer_lines).collect(),
            notes_count: texts.iter().map(|t| t.notes.len()).sum(),
            texts,
            glossary: edition.glossary(),
        },
    );
    ctx.insert("generator", GENERATOR);
    pages.render("handout.html", &ctx)
}

#[cfg(test)]
mod tests {
    use super::css_string;

    #[test]
    fn css_strings_cannot_end_their_string_or_rule() {
        assert_eq!(css_string("Week 3"), "\"Week 3\"");
        let hostile = css_string("a\"; } body { display: none } /* \\ \n");
        assert!(
            !hostile[1..hostile.len() - 1].contains(['"', ';', '{', '}', '/', '\n']),
            "{hostile}"
        );
        assert_eq!(css_string("é"), "\"\\e9 \"");
    }
}
