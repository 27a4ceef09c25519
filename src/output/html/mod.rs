//! The HTML site: the theme's templates filled from the document, its assets and the
//! sitemap.
//!
//! The default theme is compiled into the binary, so an installed `scholia` works
//! anywhere; a site's own `themes/<name>/` and `templates/` override it file by file,
//! partials (`note.html`, `backlink.html`, …) included. Rust hands the templates data:
//! the only HTML in it is rendered Markdown.

mod assets;
mod cite;
mod meta;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::strings::{is_right_to_left, Strings};
use include_dir::{include_dir, Dir};
use serde::Serialize;

use super::{Files, Origin, OutputFile, Renderer, TEXTS_PER_BATCH};
use crate::config::page_url;
use crate::diagnostics::{Diagnostic, Diagnostics, Source, Span};
use crate::document::{
    Document, Entry, Heading, NavLink, NoteDoc, Part, Preview, Tag, TagGroup, TextDoc,
};
use crate::link::Page;
use rayon::prelude::*;

pub(crate) mod handout;

static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const GENERATOR: &str = concat!("scholia ", env!("CARGO_PKG_VERSION"));

/// The search page; its index (`search/*.js`) is written by the search output.
const SEARCH_PAGE: &str = "search/index.html";

/// The page hosts show for an address with no file (GitHub Pages and Netlify look for it
/// at the site root).
const NOT_FOUND_PAGE: &str = "404.html";

/// Notes listed on one page of a tag: beyond, the tag's list goes on on further pages.
pub(crate) const NOTES_PER_TAG_PAGE: usize = 100;

/// Texts listed on one page of the home page: beyond, the list goes on on further pages
/// (`index-2.html`, …), so the home page stays small however many texts there are.
pub(crate) const TEXTS_PER_HOME_PAGE: usize = 100;

/// The HTML site.
pub(crate) struct Site;

impl Renderer for Site {
    fn name(&self) -> &'static str {
        "pages"
    }

    fn render_to(&self, doc: &Document, diags: &mut Diagnostics, out: &mut Files) {
        pages(doc, diags, out);
    }
}

type Made = (Page, Origin, Result<String, Diagnostic>);

/// A page, or the run of pages, that one record of the document makes: what `serve`
/// renders again when that record changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum PageKey {
    /// The home page and its further pages.
    Home,
    /// A text's page, by slug.
    Text(String),
    Glossary,
    /// The list of tags.
    Tags,
    /// A tag's pages, by slug.
    Tag(String),
}

/// Which pages to render.
pub(crate) enum PageSet<'a> {
    All,
    Only(&'a std::collections::BTreeSet<PageKey>),
}

impl PageSet<'_> {
    fn has(&self, key: &PageKey) -> bool {
        match self {
            PageSet::All => true,
            PageSet::Only(keys) => keys.contains(key),
        }
    }
}

/// Every file of the built site (pages, assets and the sitemap), a batch at a time.
fn pages(doc: &Document, diags: &mut Diagnostics, out: &mut Files) {
    let Some(tera) = templates(doc.site, diags) else {
        return;
    };
    let pages = Pages::new(doc, &tera);
    // Scholia's own files first (see `Pages::each`), their mistakes reported last.
    let mut later = Diagnostics::new();
    out(pages.others(&mut later));
    pages.each(&PageSet::All, diags, &mut |made| {
        out(made.into_iter().flat_map(|(_, f)| f).collect());
    });
    diags.extend(later);
}

/// The pages of `which`, each with the record it shows; `None` if the templates are
/// broken (reported in `diags`).
pub(crate) fn render_pages(
    doc: &Document,
    which: &PageSet,
    diags: &mut Diagnostics,
) -> Option<Vec<(PageKey, Vec<OutputFile>)>> {
    let tera = templates(doc.site, diags)?;
    Some(Pages::new(doc, &tera).of(which, diags))
}

/// The site's templates, parsed: `serve` keeps them between rebuilds (a change to a
/// template or to the theme's words is a full rebuild), since parsing them costs more
/// than rendering the page a save changed.
pub(crate) struct Templates(tera::Tera);

impl Templates {
    /// `None` if a template is broken (reported in `diags`).
    pub(crate) fn of(site: &crate::site::Site, diags: &mut Diagnostics) -> Option<Templates> {
        templates(site, diags).map(Templates)
    }
}

/// [`render_pages`] with templates parsed before.
pub(crate) fn render_pages_with(
    doc: &Document,
    templates: &Templates,
    which: &PageSet,
    diags: &mut Diagnostics,
) -> Vec<(PageKey, Vec<OutputFile>)> {
    Pages::new(doc, &templates.0).of(which, diags)
}

/// The files that are not pages of a record (the search page, the assets, the sitemap),
/// which depend on the site's configuration and theme alone; empty if the templates are
/// broken (reported in `diags`).
pub(crate) fn other_files(doc: &Document, diags: &mut Diagnostics) -> Vec<OutputFile> {
    match templates(doc.site, diags) {
        Some(tera) => Pages::new(doc, &tera).others(diags),
        None => Vec::new(),
    }
}

impl<'a> Pages<'a> {
    fn new(doc: &'a Document<'a>, tera: &'a tera::Tera) -> Pages<'a> {
        Pages {
            doc,
            tera,
            home: home_pages(doc),
            assets: assets::Assets::new(doc.site),
        }
    }

    /// The pages of `which`, each with the record it shows.
    fn of(&self, which: &PageSet, diags: &mut Diagnostics) -> Vec<(PageKey, Vec<OutputFile>)> {
        crate::output::gathered(|out| self.each(which, diags, out))
    }

    /// [`Pages::of`], handed to `out` a batch at a time: scholia's own pages first (as
    /// claims were made when the pages were handed over at once: a text that takes the
    /// path of one is told which), then the texts' pages [`TEXTS_PER_BATCH`] at a time,
    /// each text's HTML rendered for its page and dropped with it. Mistakes are reported
    /// in the order of [`Pages::of`].
    fn each(
        &self,
        which: &PageSet,
        diags: &mut Diagnostics,
        out: &mut dyn FnMut(Vec<(PageKey, Vec<OutputFile>)>),
    ) {
        let pages = self;
        let doc = self.doc;
        let mut own = Vec::new();
        if which.has(&PageKey::Home) {
            own = files(vec![(PageKey::Home, pages.index())], diags);
        }
        let mut results: Vec<(PageKey, Vec<Made>)> = Vec::new();
        if !doc.glossary.is_empty() && which.has(&PageKey::Glossary) {
            let origin = Origin::generated("the glossary");
            let made = vec![(Page::Glossary, origin, pages.glossary())];
            results.push((PageKey::Glossary, made));
        }
        if doc.has_tags() {
            if which.has(&PageKey::Tags) {
                let origin = Origin::generated("the list of tags");
                results.push((PageKey::Tags, vec![(Page::Tags, origin, pages.tags())]));
            }
            let tagged: Vec<(PageKey, Vec<Made>)> = doc
                .tags
                .par_iter()
                .filter_map(|tag| {
                    let key = PageKey::Tag(tag.slug.clone());
                    which.has(&key).then(|| (key, pages.tag_pages(tag)))
                })
                .collect();
            results.extend(tagged);
        }
        let mut later = Diagnostics::new();
        own.extend(files(results, &mut later));
        if !own.is_empty() {
            out(own);
        }
        for batch in doc.texts.chunks(TEXTS_PER_BATCH) {
            let texts: Vec<(PageKey, Vec<Made>)> = batch
                .par_iter()
                .filter_map(|t| {
                    let key = PageKey::Text(t.text.slug.clone());
                    if !which.has(&key) {
                        return None;
                    }
                    let html = pages.text(t);
                    let origin = Origin::Text(Arc::clone(&t.text.source));
                    Some((key, vec![(t.page.clone(), origin, html)]))
                })
                .collect();
            if !texts.is_empty() {
                out(files(texts, diags));
            }
        }
        diags.extend(later);
    }

    fn others(&self, diags: &mut Diagnostics) -> Vec<OutputFile> {
        let mut files = Vec::new();
        match self.search() {
            Ok(html) => files.push(OutputFile {
                path: SEARCH_PAGE.into(),
                bytes: html.into_bytes().into(),
                origin: Origin::generated("the search page"),
            }),
            Err(d) => diags.push(d),
        }
        match self.not_found() {
            Ok(html) => files.push(OutputFile {
                path: NOT_FOUND_PAGE.into(),
                bytes: html.into_bytes().into(),
                origin: Origin::generated("the page for addresses with no page (404)"),
            }),
            Err(d) => diags.push(d),
        }
        files.extend(self.assets.files.iter().cloned());
        // GitHub Pages would otherwise run Jekyll, which hides files starting with `_`.
        files.push(OutputFile {
            path: ".nojekyll".into(),
            bytes: Vec::new().into(),
            origin: Origin::generated("the `.nojekyll` file that GitHub Pages needs"),
        });
        if let Some(sitemap) = self.sitemap() {
            files.push(sitemap);
        }
        files.push(robots(self.doc.site));
        files
    }

    /// Every page of the site, for the sitemap: the home page and its further pages, the
    /// texts, the glossary, the tags and each tag's pages (the search and 404 pages are
    /// not worth a search engine's visit).
    fn sitemap(&self) -> Option<OutputFile> {
        let base = self.doc.site.config.base_url.as_ref()?;
        let doc = self.doc;
        let home = doc.texts.len().div_ceil(TEXTS_PER_HOME_PAGE).max(1);
        let mut pages: Vec<Page> = (1..=home).map(Page::index).collect();
        pages.extend(doc.texts.iter().map(|t| t.page.clone()));
        if !doc.glossary.is_empty() {
            pages.push(Page::Glossary);
        }
        if doc.has_tags() {
            pages.push(Page::Tags);
            for tag in &doc.tags {
                pages.extend((1..=paginate(tag).len()).map(|n| Page::tag(&tag.slug, n)));
            }
        }
        let urls: Vec<String> = pages
            .iter()
            .map(|p| page_url(base, &p.path()).into())
            .collect();
        Some(OutputFile {
            path: "sitemap.xml".into(),
            bytes: sitemap_xml(&urls).into(),
            origin: Origin::generated("the sitemap"),
        })
    }
}

/// Pages made into files; the mistakes of those that could not be made go to `diags`.
fn files(
    made: Vec<(PageKey, Vec<Made>)>,
    diags: &mut Diagnostics,
) -> Vec<(PageKey, Vec<OutputFile>)> {
    let mut out = Vec::with_capacity(made.len());
    for (key, made) in made {
        let mut files = Vec::with_capacity(made.len());
        for (page, origin, result) in made {
            match result {
                Ok(html) => files.push(OutputFile {
                    path: page.path(),
                    bytes: html.into_bytes().into(),
                    origin,
                }),
                Err(d) => diags.push(d),
            }
        }
        out.push((key, files));
    }
    out
}

/// A tag's notes cut into pages of at most [`NOTES_PER_TAG_PAGE`], each page's notes
/// grouped by text as on the first.
fn paginate(tag: &Tag) -> Vec<Vec<TagGroup>> {
    let mut pages: Vec<Vec<TagGroup>> = vec![Vec::new()];
    let mut on_page = 0;
    for group in &tag.groups {
        for note in &group.notes {
            if on_page == NOTES_PER_TAG_PAGE {
                pages.push(Vec::new());
                on_page = 0;
            }
            on_page += 1;
            let Some(page) = pages.last_mut() else {
                continue;
            };
            if page.last().is_none_or(|g| g.slug != group.slug) {
                page.push(TagGroup {
                    title: group.title.clone(),
                    slug: group.slug.clone(),
                    count: group.count,
                    notes: Vec::new(),
                });
            }
            if let Some(g) = page.last_mut() {
                g.notes.push(note.clone());
            }
        }
    }
    pages
}

/// The built-in templates, then the site's overrides, parsed once.
fn templates(site: &crate::site::Site, diags: &mut Diagnostics) -> Option<tera::Tera> {
    let mut sources: BTreeMap<String, Arc<Source>> = BTreeMap::new();
    if let Some(dir) = DEFAULT_THEME.get_dir("templates") {
        for f in dir.files() {
            let name = f.path().strip_prefix("templates").unwrap_or(f.path());
            let name = name.to_string_lossy().into_owned();
            let text = f.contents_utf8().unwrap_or_default();
            sources.insert(
                name.clone(),
                Source::new(format!("(built-in theme) templates/{name}"), text),
            );
        }
    }
    for (name, src) in &site.theme.templates {
        sources.insert(name.clone(), Arc::clone(src));
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape);
    register_words(&mut tera, &site.theme.strings);
    // Parse each template alone first, so every broken one is reported with its file.
    let mut ok = true;
    for (name, src) in &sources {
        if let Err(e) = tera::Template::new(name, None, &src.text) {
            diags.push(template_error(src, &e));
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let all: Vec<(String, String)> = sources
        .iter()
        .map(|(n, s)| (n.clone(), s.text.clone()))
        .collect();
    if let Err(e) = tera.add_raw_templates(all) {
        let src = sources
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| Source::new("templates", ""));
        diags.push(template_error(&src, &e));
        return None;
    }
    Some(tera)
}

/// The interface's words for templates: `tr(key="page_of", page=2, pages=5)` fills a
/// word's `{placeholders}`, and with `n=` picks its plural form; `| local_date` writes a
/// `YYYY-MM-DD` date in the site's language. (Plain words are in the context as `t`.)
fn register_words(tera: &mut tera::Tera, strings: &Strings) {
    let words = strings.clone();
    tera.register_function(
        "tr",
        move |args: &std::collections::HashMap<String, tera::Value>| {
            let key = args
                .get("key")
                .and_then(tera::Value::as_str)
                .ok_or_else(|| tera::Error::msg("`tr` needs `key=\"…\"`"))?;
            let n = args.get("n").and_then(tera::Value::as_u64);
            let vars: Vec<(&str, String)> = args
                .iter()
                .filter(|(name, _)| *name != "key")
                .map(|(name, v)| {
                    let text = match v {
                        tera::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (name.as_str(), text)
                })
                .collect();
            Ok(tera::Value::String(words.format(key, n, &vars)))
        },
    );
    let words = strings.clone();
    tera.register_filter(
        "local_date",
        move |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            Ok(tera::Value::String(match v.as_str() {
                Some(iso) => words.date(iso),
                None => String::new(),
            }))
        },
    );
}

/// HTML escaping that leaves `/` alone (Tera's default writes `&#x2F;`, which is valid but
/// makes every URL unreadable in the page source).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

fn template_error(src: &Arc<Source>, e: &tera::Error) -> Diagnostic {
    let chain = error_chain(e);
    let at = position(&chain).map_or(0, |(l, c)| src.offset_of(l, c));
    let end = src.text[at..].find('\n').map_or(src.text.len(), |i| at + i);
    Diagnostic::error(
        format!("template error in `{}`", src.name),
        Span::new(src, at..end),
    )
    .label("here")
    .note(chain)
    .help("see https://keats.github.io/tera/docs/ for the template syntax")
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// Tera reports syntax errors as ` --> line:column`.
fn position(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.find("--> ")? + 4..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(rest.len());
    let (l, c) = rest[..end].split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?))
}

struct Pages<'a> {
    doc: &'a Document<'a>,
    tera: &'a tera::Tera,
    /// Folder → the page of the home page where its section starts.
    home: BTreeMap<String, usize>,
    assets: assets::Assets,
}

/// Folder → the page of the home page where its section starts, for breadcrumbs. The
/// sections in the order [`Pages::sections`] gives them.
fn home_pages(doc: &Document) -> BTreeMap<String, usize> {
    let mut groups: Vec<(&str, i64, usize)> = Vec::new();
    for t in &doc.texts {
        let folder = t.text.slug.rsplit_once('/').map_or("", |(f, _)| f);
        match groups.iter_mut().find(|g| g.0 == folder) {
            Some(g) => g.2 += 1,
            None => {
                let order = doc.site.sections.get(folder).and_then(|s| s.order);
                groups.push((folder, order.unwrap_or(i64::MAX), 1));
            }
        }
    }
    groups.sort_by_key(|g| g.1);
    let mut before = 0;
    let mut out = BTreeMap::new();
    for (folder, _, count) in groups {
        out.insert(folder.to_string(), before / TEXTS_PER_HOME_PAGE + 1);
        before += count;
    }
    out
}

#[derive(Serialize)]
struct PageInfo<'a> {
    kind: &'a str,
    title: &'a str,
    /// The page's absolute address (with `base_url`): canonical link, `og:url`.
    canonical: Option<String>,
    /// The text's summary, or the site's description.
    description: Option<&'a str>,
    /// `article` for a text, `website` otherwise.
    og_type: &'a str,
    /// schema.org JSON-LD, safe inside `<script type="application/ld+json">`.
    json_ld: String,
}

#[derive(Serialize)]
struct TextSummary<'a> {
    title: &'a str,
    author: Option<&'a str>,
    date: Option<&'a str>,
    summary: Option<&'a str>,
    href: String,
    notes: usize,
    slug: &'a str,
}

#[derive(Serialize)]
struct TextContext<'a> {
    slug: &'a str,
    title: &'a str,
    author: Option<&'a str>,
    date: Option<&'a str>,
    source: Option<&'a str>,
    license: Option<&'a str>,
    summary: Option<&'a str>,
    /// The body's HTML, cut where each paragraph's notes go (`note.html`).
    body: &'a [Part],
    notes: Vec<NoteContext<'a>>,
    questions: &'a [String],
    notes_count: usize,
    headings: &'a [Heading],
}

/// A note and its HTML, for `note.html`.
#[derive(Serialize)]
struct NoteContext<'a> {
    #[serde(flatten)]
    note: &'a NoteDoc,
    html: &'a str,
}

/// A page of a tag's notes.
#[derive(Serialize)]
struct TagContext<'a> {
    name: &'a str,
    slug: &'a str,
    /// Notes and texts carrying the tag, on all its pages.
    count: usize,
    texts: usize,
    groups: Vec<GroupContext<'a>>,
    /// This page's number (from 1) and how many there are.
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
struct GroupContext<'a> {
    #[serde(flatten)]
    group: &'a TagGroup,
    href: String,
}

impl Pages<'_> {
    fn context(&self, page: &Page, kind: &str, title: &str) -> tera::Context {
        self.context_at(&page.root(), &page.path(), kind, title)
    }

    /// The context of the page at `path` (relative to the site root, `root` leading back).
    fn context_at(&self, root: &str, path: &str, kind: &str, title: &str) -> tera::Context {
        let site = self.doc.site;
        let mut ctx = tera::Context::new();
        ctx.insert("site", &site.config);
        ctx.insert("root", root);
        let canonical = site
            .config
            .base_url
            .as_ref()
            .map(|b| page_url(b, path).to_string());
        let thing = if kind == "index" {
            meta::Thing::WebSite
        } else {
            meta::Thing::WebPage
        };
        ctx.insert(
            "page",
            &PageInfo {
                kind,
                title,
                json_ld: meta::json_ld(&thing, title, &site.config, canonical.as_deref()),
                canonical,
                description: site.config.description.as_deref(),
                og_type: "website",
            },
        );
        ctx.insert("assets", &self.assets.names);
        ctx.insert("favicon", &self.assets.favicon);
        // Link previews need an absolute address for the image.
        let og_image = site.config.base_url.as_ref().and_then(|b| {
            let image = self.assets.image.as_ref()?;
            Some(page_url(b, image).to_string())
        });
        ctx.insert("og_image", &og_image);
        let feed = crate::output::feed::published(site)
            .then(|| format!("{root}{}", crate::output::feed::PATH));
        ctx.insert("feed_href", &feed);
        ctx.insert("generator", GENERATOR);
        let words = &site.theme.strings;
        ctx.insert("ui", words.table());
        ctx.insert("ui_language", words.language());
        ctx.insert(
            "dir",
            if is_right_to_left(&site.config.language) {
                "rtl"
            } else {
                "ltr"
            },
        );
        ctx.insert("instructor", &site.instructor);
        ctx.insert("has_glossary", &!site.glossary.terms.is_empty());
        ctx.insert("has_tags", &self.doc.has_tags());
        ctx.insert("glossary_href", &format!("{root}{}", Page::Glossary.path()));
        ctx.insert("tags_index_href", &format!("{root}{}", Page::Tags.path()));
        ctx
    }

    /// The page for addresses with no page. Hosts show it at any depth (`/a/b/c`), so
    /// its links cannot be relative: from `base_url` when there is one, else from the
    /// domain's root (`/`), which is right only for a site published there.
    fn not_found(&self) -> Result<String, Diagnostic> {
        let root = match &self.doc.site.config.base_url {
            Some(base) => page_url(base, "").to_string(),
            None => "/".to_string(),
        };
        let title = self.doc.site.theme.strings.format("not_found", None, &[]);
        let mut ctx = self.context_at(&root, NOT_FOUND_PAGE, "not-found", &title);
        // Its address is any address: no canonical link, no `og:url`.
        ctx.insert(
            "page",
            &PageInfo {
                kind: "not-found",
                title: &title,
                canonical: None,
                description: self.doc.site.config.description.as_deref(),
                og_type: "website",
                json_ld: meta::json_ld(&meta::Thing::WebPage, &title, &self.doc.site.config, None),
            },
        );
        self.render("404.html", &ctx)
    }

    /// The search page: `search.js` runs the query in `?q=`.
    fn search(&self) -> Result<String, Diagnostic> {
        let title = self.doc.site.theme.strings.format("search", None, &[]);
        let ctx = self.context_at("../", SEARCH_PAGE, "search", &title);
        self.render("search.html", &ctx)
    }

    fn render(&self, template: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        let theme = &self.doc.site.theme.templates;
        self.tera.render(template, ctx).map_err(|e| {
            let name = theme.get(template).map_or_else(
                || format!("(built-in theme) templates/{template}"),
                |s| s.name.clone(),
            );
            let src = theme
                .get(template)
                .cloned()
                .unwrap_or_else(|| Source::new(name, ""));
            Diagnostic::error(format!("cannot render `{template}`"), Span::file(&src))
                .note(error_chain(&e))
        })
    }

    fn summary<'t>(&self, t: &'t TextDoc, from: &Page) -> TextSummary<'t> {
        let text = t.text;
        TextSummary {
            title: &text.meta.title,
            author: text.meta.author.as_deref(),
            date: text.meta.date.as_deref(),
            summary: text.meta.summary.as_deref(),
            href: from.href_to(&t.page, None),
            notes: t.notes.len(),
            slug: &text.slug,
        }
    }

    /// The home page, and its further pages when there are many texts.
    fn index(&self) -> Vec<Made> {
        let summaries: Vec<TextSummary> = self
            .doc
            .texts
            .iter()
            .map(|t| self.summary(t, &Page::Index))
            .collect();
        let sections = self.sections(&summaries);
        let slices = paginate_sections(&sections, TEXTS_PER_HOME_PAGE);
        let count = slices.len();
        slices
            .iter()
            .enumerate()
            .map(|(i, sections)| {
                let n = i + 1;
                let page = Page::index(n);
                let origin = if n == 1 {
                    Origin::generated("the index page")
                } else {
                    Origin::generated(format!("page {n} of the index"))
                };
                (page, origin, self.index_page(sections, n, count))
            })
            .collect()
    }

    /// Page `n` of `count` of the home page, listing `sections`.
    fn index_page(
        &self,
        sections: &[SectionView],
        n: usize,
        count: usize,
    ) -> Result<String, Diagnostic> {
        let site = self.doc.site;
        let page = Page::index(n);
        let mut ctx = self.context(&page, "index", &site.config.title);
        let texts: Vec<&TextSummary> = sections.iter().flat_map(|s| s.texts.clone()).collect();
        ctx.insert("sections", sections);
        ctx.insert("texts", &texts);
        ctx.insert(
            "pager",
            &Pager {
                page: n,
                pages: count,
                prev: (n > 1).then(|| page.href_to(&Page::index(n - 1), None)),
                next: (n < count).then(|| page.href_to(&Page::index(n + 1), None)),
            },
        );
        self.render("index.html", &ctx)
    }

    /// Texts grouped by folder, folders ordered by their `_section.yaml`.
    fn sections<'s>(&self, summaries: &'s [TextSummary]) -> Vec<SectionView<'s>> {
        let mut groups: Vec<SectionView> = Vec::new();
        for s in summaries {
            let folder = s.slug.rsplit_once('/').map_or("", |(f, _)| f);
            if let Some(g) = groups.iter_mut().find(|g| g.folder == folder) {
                g.texts.push(s);
                continue;
            }
            let section = self
                .doc
                .site
                .sections
                .get(folder)
                .cloned()
                .unwrap_or_default();
            groups.push(SectionView {
                anchor: section_anchor(folder),
                folder: folder.to_string(),
                title: section.title.unwrap_or_else(|| folder_title(folder)),
                summary: section.summary,
                order: section.order.unwrap_or(i64::MAX),
                texts: vec![s],
            });
        }
        groups.sort_by_key(|g| g.order);
        groups
    }

    fn text(&self, t: &TextDoc) -> Result<String, Diagnostic> {
        let text = t.text;
        let page = &t.page;
        let mut ctx = self.context(page, "text", &text.meta.title);
        let m = &text.meta;
        let html = self.doc.page_html(t);
        let notes = t
            .notes
            .iter()
            .zip(&html.notes)
            .map(|(note, html)| NoteContext { note, html })
            .collect();
        ctx.insert(
            "text",
            &TextContext {
                slug: &text.slug,
                title: &m.title,
                author: m.author.as_deref(),
                date: m.date.as_deref(),
                source: m.source.as_deref(),
                license: m.license.as_deref(),
                summary: m.summary.as_deref(),
                body: &html.body,
                notes,
                questions: &html.questions,
                notes_count: t.notes.len(),
                headings: &html.headings,
            },
        );
        let lang = self.doc.site.language_of(text);
        ctx.insert("lang", lang);
        let url = self
            .doc
            .site
            .config
            .base_url
            .as_ref()
            .map(|b| page_url(b, &page.path()).to_string());
        let citation = meta::Citation {
            title: &m.title,
            authors: m.author.as_deref().map(meta::authors).unwrap_or_default(),
            date: m
                .date
                .as_deref()
                .and_then(meta::iso_date)
                .map(|d| d.replace('-', "/")),
            public_url: url.clone(),
            language: lang,
        };
        let description = m
            .summary
            .as_deref()
            .or(self.doc.site.config.description.as_deref());
        ctx.insert(
            "page",
            &PageInfo {
                kind: "text",
                title: &m.title,
                json_ld: meta::json_ld(
                    &meta::Thing::Article {
                        citation: &citation,
                        description,
                    },
                    &m.title,
                    &self.doc.site.config,
                    url.as_deref(),
                ),
                canonical: url,
                description,
                og_type: "article",
            },
        );
        ctx.insert("citation", &citation);
        let site = &self.doc.site.config;
        let words = cite::Words::of(&self.doc.site.theme.strings);
        let cite =
            cite::Citation::new(&words, m, &site.title, site.base_url.as_ref(), &page.path());
        ctx.insert("cite", &cite.context());
        ctx.insert("self_href", &page.href_to(page, None));
        ctx.insert("backlinks", &t.backlinks);
        ctx.insert("previews", &t.previews);
        ctx.insert("prev", &t.prev);
        ctx.insert("next", &t.next);
        ctx.insert("breadcrumbs", &self.breadcrumbs(&text.slug, page));
        self.render("text.html", &ctx)
    }

    /// Home › Section › … for a text in folders.
    fn breadcrumbs(&self, slug: &str, page: &Page) -> Vec<NavLink> {
        let mut crumbs = vec![NavLink {
            title: self.doc.site.theme.strings.format("home", None, &[]),
            href: page.href_to(&Page::Index, None),
        }];
        let parts: Vec<&str> = slug.split('/').collect();
        for k in 1..parts.len() {
            let folder = parts[..k].join("/");
            let title = self
                .doc
                .site
                .sections
                .get(&folder)
                .and_then(|s| s.title.clone())
                .unwrap_or_else(|| folder_title(&folder));
            let anchor = section_anchor(&folder);
            let home = Page::index(self.home.get(&folder).copied().unwrap_or(1));
            crumbs.push(NavLink {
                title,
                href: page.href_to(&home, Some(&anchor)),
            });
        }
        crumbs
    }

    fn glossary(&self) -> Result<String, Diagnostic> {
        let page = Page::Glossary;
        let title = self.doc.site.theme.strings.format("glossary", None, &[]);
        let mut ctx = self.context(&page, "glossary", &title);
        let terms: &[Entry] = &self.doc.glossary;
        ctx.insert("terms", terms);
        let previews: &[Preview] = &self.doc.glossary_previews;
        ctx.insert("previews", previews);
        self.render("glossary.html", &ctx)
    }

    fn tags(&self) -> Result<String, Diagnostic> {
        let page = Page::Tags;
        let title = self.doc.site.theme.strings.format("tags", None, &[]);
        let mut ctx = self.context(&page, "tags", &title);
        let list: Vec<NavLink> = self
            .doc
            .tags
            .iter()
            .map(|t| NavLink {
                title: t.name.clone(),
                href: page.href_to(&Page::Tag(t.slug.clone()), None),
            })
            .collect();
        let counts: Vec<usize> = self.doc.tags.iter().map(|t| t.count).collect();
        ctx.insert("tags", &list);
        ctx.insert("counts", &counts);
        self.render("tags.html", &ctx)
    }

    /// The pages of a tag.
    fn tag_pages(&self, tag: &Tag) -> Vec<Made> {
        let slices = paginate(tag);
        let count = slices.len();
        slices
            .iter()
            .enumerate()
            .map(|(i, groups)| {
                let page = Page::tag(&tag.slug, i + 1);
                let html = self.tag(tag, groups, i + 1, count, &page);
                let origin = if i == 0 {
                    Origin::generated(format!("the page of the tag `{}`", tag.name))
                } else {
                    Origin::generated(format!("page {} of the tag `{}`", i + 1, tag.name))
                };
                (page, origin, html)
            })
            .collect()
    }

    /// Page `n` (from 1) of `count` of a tag, listing `groups`.
    fn tag(
        &self,
        tag: &Tag,
        groups: &[TagGroup],
        n: usize,
        count: usize,
        page: &Page,
    ) -> Result<String, Diagnostic> {
        let mut ctx = self.context(page, "tag", &tag.name);
        let other = |k: usize| page.href_to(&Page::tag(&tag.slug, k), None);
        ctx.insert(
            "tag",
            &TagContext {
                name: &tag.name,
                slug: &tag.slug,
                count: tag.count,
                texts: tag.groups.len(),
                groups: groups
                    .iter()
                    .map(|group| GroupContext {
                        group,
                        href: page.href_to(&Page::Text(group.slug.clone()), None),
                    })
                    .collect(),
                page: n,
                pages: count,
                prev: (n > 1).then(|| other(n - 1)),
                next: (n < count).then(|| other(n + 1)),
            },
        );
        ctx.insert("tags_href", &page.href_to(&Page::Tags, None));
        self.render("tag.html", &ctx)
    }
}

/// Where a list cut into pages is, for `rel="prev"`/`rel="next"` links.
#[derive(Serialize)]
struct Pager {
    /// From 1.
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

/// Sections cut into pages of at most `per_page` texts; a section cut in two continues
/// under its title on the next page.
fn paginate_sections<'s>(
    sections: &[SectionView<'s>],
    per_page: usize,
) -> Vec<Vec<SectionView<'s>>> {
    let per_page = per_page.max(1);
    let mut pages: Vec<Vec<SectionView>> = vec![Vec::new()];
    let mut on_page = 0;
    for section in sections {
        let mut texts = section.texts.as_slice();
        loop {
            if on_page == per_page {
                pages.push(Vec::new());
                on_page = 0;
            }
            let take = texts.len().min(per_page - on_page);
            if let Some(page) = pages.last_mut() {
                page.push(SectionView {
                    texts: texts[..take].to_vec(),
                    ..section.clone()
                });
            }
            on_page += take;
            texts = &texts[take..];
            if texts.is_empty() {
                break;
            }
        }
    }
    pages
}

#[derive(Serialize, Clone)]
struct SectionView<'a> {
    folder: String,
    /// The section's id on the index page, for breadcrumbs to link to.
    anchor: String,
    title: String,
    summary: Option<String>,
    #[serde(skip)]
    order: i64,
    texts: Vec<&'a TextSummary<'a>>,
}

fn section_anchor(folder: &str) -> String {
    format!("section-{}", crate::slug::slug(folder, 60))
        .trim_end_matches('-')
        .to_string()
}

/// `unit-1/readings` → "Readings" when no `_section.yaml` names the folder.
fn folder_title(folder: &str) -> String {
    let last = folder
        .rsplit('/')
        .next()
        .unwrap_or(folder)
        .replace(['-', '_'], " ");
    let mut chars = last.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `robots.txt`: everything may be crawled; with a `base_url`, it names the sitemap
/// (crawlers read it only at a domain's root, so a site under a subpath gains nothing
/// from it, and loses nothing).
fn robots(site: &crate::site::Site) -> OutputFile {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = &site.config.base_url {
        // A checked URL (`parse_base_url`) holds no line break.
        text.push_str(&format!("\nSitemap: {}\n", page_url(base, "sitemap.xml")));
    }
    OutputFile {
        path: "robots.txt".into(),
        bytes: text.into_bytes().into(),
        origin: Origin::generated("`robots.txt`"),
    }
}

fn sitemap_xml(urls: &[String]) -> Vec<u8> {
    use quick_xml::events::{BytesDecl, BytesText, Event};
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a `Vec` cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = w
        .create_element("urlset")
        .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
        .write_inner_content(|w| {
            for url in urls {
                w.create_element("url").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(url))
                        .map(|_| ())
                })?;
            }
            Ok(())
        });
    let mut xml = w.into_inner();
    xml.push(b'\n');
    xml
}
