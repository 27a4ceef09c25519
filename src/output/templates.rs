//! Filling the theme's templates.
//!
//! The default theme is compiled into the binary, so an installed `scholia` works
//! anywhere; a site's own `themes/<name>/` and `templates/` override it file by file.

use std::collections::BTreeMap;
use std::sync::Arc;

use include_dir::{include_dir, Dir};
use serde::Serialize;

use super::Built;
use super::{Origin, OutputFile};
use crate::config::page_url;
use crate::diagnostics::{Diagnostic, Diagnostics, Source, Span};
use crate::link::graph::rebase;
use crate::link::Page;
use crate::render::{NoteView, TermView};
use crate::site::Site;
use rayon::prelude::*;

static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const GENERATOR: &str = concat!("scholia ", env!("CARGO_PKG_VERSION"));

/// The search page; its index (`search/*.js`) is written by the search stage.
const SEARCH_PAGE: &str = "search/index.html";

/// Every file of the built site: pages, assets and the sitemap.
pub fn pages(site: &Site, built: &Built, diags: &mut Diagnostics) -> Vec<OutputFile> {
    let Some(tera) = templates(site, diags) else {
        return Vec::new();
    };
    let renderer = Renderer {
        site,
        tera: &tera,
        built,
    };
    let mut results: Vec<(Page, Origin, Result<String, Diagnostic>)> = vec![(
        Page::Index,
        Origin::generated("the index page"),
        renderer.index(),
    )];
    let texts: Vec<(Page, Origin, Result<String, Diagnostic>)> = site
        .texts
        .par_iter()
        .enumerate()
        .map(|(i, text)| {
            let page = Page::Text(text.slug.clone());
            let html = renderer.text(i, &page);
            (page, Origin::Text(Arc::clone(&text.source)), html)
        })
        .collect();
    results.extend(texts);
    if !built.terms.is_empty() {
        let origin = Origin::generated("the glossary");
        results.push((Page::Glossary, origin, renderer.glossary()));
    }
    let tags = tag_index(site, built);
    if !tags.is_empty() {
        let origin = Origin::generated("the list of tags");
        results.push((Page::Tags, origin, renderer.tags(&tags)));
        for tag in &tags {
            let page = Page::Tag(tag.slug.clone());
            let html = renderer.tag(tag, &page);
            let origin = Origin::generated(format!("the page of the tag `{}`", tag.name));
            results.push((page, origin, html));
        }
    }
    let mut files = Vec::with_capacity(results.len() + 8);
    for (page, origin, result) in results {
        match result {
            Ok(html) => files.push(OutputFile {
                path: page.path(),
                bytes: html.into_bytes(),
                origin,
            }),
            Err(d) => diags.push(d),
        }
    }
    match renderer.search() {
        Ok(html) => files.push(OutputFile {
            path: SEARCH_PAGE.into(),
            bytes: html.into_bytes(),
            origin: Origin::generated("the search page"),
        }),
        Err(d) => diags.push(d),
    }
    files.extend(assets(site));
    if let Some(sitemap) = sitemap(site) {
        files.push(sitemap);
    }
    files
}

/// A tag, and the notes that carry it, grouped by text.
#[derive(Debug, Serialize)]
struct TagView {
    name: String,
    slug: String,
    count: usize,
    groups: Vec<TagGroup>,
}

#[derive(Debug, Serialize)]
struct TagGroup {
    title: String,
    slug: String,
    notes: Vec<TaggedNote>,
}

#[derive(Debug, Serialize)]
struct TaggedNote {
    label: String,
    kind: crate::site::NoteKind,
    passage: String,
    /// The note's HTML, its links rebased onto the tag's page.
    html: String,
    para: usize,
    id: String,
}

fn tag_index(site: &Site, built: &Built) -> Vec<TagView> {
    let mut tags: BTreeMap<String, TagView> = BTreeMap::new();
    for (text, rendered) in site.texts.iter().zip(built.texts) {
        let from = Page::Text(text.slug.clone());
        for note in &rendered.notes {
            for name in &note.tags {
                let slug = crate::slug::tag(name);
                let page = Page::Tag(slug.clone());
                let tag = tags.entry(slug.clone()).or_insert_with(|| TagView {
                    name: name.clone(),
                    slug,
                    count: 0,
                    groups: Vec::new(),
                });
                tag.count += 1;
                if tag.groups.last().is_none_or(|g| g.slug != text.slug) {
                    tag.groups.push(TagGroup {
                        title: text.meta.title.clone(),
                        slug: text.slug.clone(),
                        notes: Vec::new(),
                    });
                }
                if let Some(group) = tag.groups.last_mut() {
                    group.notes.push(TaggedNote {
                        label: note.label.clone(),
                        kind: note.kind,
                        passage: note.passage.clone(),
                        html: rebase(&note.html, &from, &page),
                        para: note.para,
                        id: note.id.clone(),
                    });
                }
            }
        }
    }
    let mut list: Vec<TagView> = tags.into_values().collect();
    list.sort_by_key(|t| t.name.to_lowercase());
    list
}

/// The built-in templates, then the site's overrides, parsed once.
fn templates(site: &Site, diags: &mut Diagnostics) -> Option<tera::Tera> {
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

struct Renderer<'a> {
    site: &'a Site,
    tera: &'a tera::Tera,
    built: &'a Built<'a>,
}

/// A link with its label, for navigation.
#[derive(Serialize)]
struct NavLink {
    title: String,
    href: String,
}

#[derive(Serialize)]
struct PageInfo<'a> {
    kind: &'a str,
    title: &'a str,
    canonical: Option<String>,
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
    body: &'a str,
    notes: &'a [NoteView],
    questions: &'a [String],
    notes_count: usize,
    headings: &'a [crate::render::Heading],
}

impl Renderer<'_> {
    fn context(&self, page: &Page, kind: &str, title: &str) -> tera::Context {
        self.context_at(&page.root(), &page.path(), kind, title)
    }

    /// The context of the page at `path` (relative to the site root, `root` leading back).
    fn context_at(&self, root: &str, path: &str, kind: &str, title: &str) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("site", &self.site.config);
        ctx.insert("root", root);
        ctx.insert(
            "page",
            &PageInfo {
                kind,
                title,
                canonical: self
                    .site
                    .config
                    .base_url
                    .as_ref()
                    .map(|b| page_url(b, path).to_string()),
            },
        );
        ctx.insert("generator", GENERATOR);
        ctx.insert("instructor", &self.site.instructor);
        ctx.insert("has_glossary", &!self.site.glossary.terms.is_empty());
        ctx.insert(
            "has_tags",
            &self
                .site
                .texts
                .iter()
                .any(|t| t.notes.iter().any(|n| !n.tags.is_empty())),
        );
        ctx.insert("glossary_href", &format!("{root}{}", Page::Glossary.path()));
        ctx.insert("tags_index_href", &format!("{root}{}", Page::Tags.path()));
        ctx
    }

    /// The search page: `search.js` runs the query in `?q=`.
    fn search(&self) -> Result<String, Diagnostic> {
        let ctx = self.context_at("../", SEARCH_PAGE, "search", "Search");
        self.render("search.html", &ctx)
    }

    fn render(&self, template: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        self.tera.render(template, ctx).map_err(|e| {
            let name = self.site.theme.templates.get(template).map_or_else(
                || format!("(built-in theme) templates/{template}"),
                |s| s.name.clone(),
            );
            let src = self
                .site
                .theme
                .templates
                .get(template)
                .cloned()
                .unwrap_or_else(|| Source::new(name, ""));
            Diagnostic::error(format!("cannot render `{template}`"), Span::file(&src))
                .note(error_chain(&e))
        })
    }

    fn summary(&self, i: usize, from: &Page) -> TextSummary<'_> {
        let t = &self.site.texts[i];
        TextSummary {
            title: &t.meta.title,
            author: t.meta.author.as_deref(),
            date: t.meta.date.as_deref(),
            summary: t.meta.summary.as_deref(),
            href: from.href_to(&Page::Text(t.slug.clone()), None),
            notes: self.built.texts.get(i).map_or(0, |r| r.notes.len()),
            slug: &t.slug,
        }
    }

    fn index(&self) -> Result<String, Diagnostic> {
        let mut ctx = self.context(&Page::Index, "index", &self.site.config.title);
        let summaries: Vec<TextSummary> = (0..self.site.texts.len())
            .map(|i| self.summary(i, &Page::Index))
            .collect();
        ctx.insert("sections", &self.sections(&summaries));
        ctx.insert("texts", &summaries);
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
            let section = self.site.sections.get(folder).cloned().unwrap_or_default();
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

    fn text(&self, i: usize, page: &Page) -> Result<String, Diagnostic> {
        let text = &self.site.texts[i];
        let rendered = &self.built.texts[i];
        let mut ctx = self.context(page, "text", &text.meta.title);
        let m = &text.meta;
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
                body: &rendered.body,
                notes: &rendered.notes,
                questions: &rendered.questions,
                notes_count: rendered.notes.len(),
                headings: &rendered.headings,
            },
        );
        let note_ids = rendered.notes.iter().map(|n| n.id.as_str()).collect();
        ctx.insert("lang", self.site.language_of(text));
        ctx.insert(
            "backlinks",
            &self.built.graph.text_backlinks(&text.slug, &note_ids),
        );
        ctx.insert(
            "previews",
            &self.built.graph.previews_for(page, self.built.previews),
        );
        let nav = |j: usize| {
            let t = &self.site.texts[j];
            NavLink {
                title: t.meta.title.clone(),
                href: page.href_to(&Page::Text(t.slug.clone()), None),
            }
        };
        ctx.insert("prev", &i.checked_sub(1).map(nav));
        ctx.insert("next", &(i + 1 < self.site.texts.len()).then(|| nav(i + 1)));
        ctx.insert("breadcrumbs", &self.breadcrumbs(&text.slug, page));
        self.render("text.html", &ctx)
    }

    /// Home › Section › … for a text in folders.
    fn breadcrumbs(&self, slug: &str, page: &Page) -> Vec<NavLink> {
        let mut crumbs = vec![NavLink {
            title: "Home".into(),
            href: page.href_to(&Page::Index, None),
        }];
        let parts: Vec<&str> = slug.split('/').collect();
        for k in 1..parts.len() {
            let folder = parts[..k].join("/");
            let title = self
                .site
                .sections
                .get(&folder)
                .and_then(|s| s.title.clone())
                .unwrap_or_else(|| folder_title(&folder));
            let anchor = section_anchor(&folder);
            crumbs.push(NavLink {
                title,
                href: page.href_to(&Page::Index, Some(&anchor)),
            });
        }
        crumbs
    }

    fn glossary(&self) -> Result<String, Diagnostic> {
        let page = Page::Glossary;
        let mut ctx = self.context(&page, "glossary", "Glossary");
        let terms: Vec<TermContext> = self
            .built
            .terms
            .iter()
            .map(|t| TermContext {
                term: t,
                cited_by: self
                    .built
                    .graph
                    .backlinks(&format!("glossary#{}", t.id), &page),
            })
            .collect();
        ctx.insert("terms", &terms);
        ctx.insert(
            "previews",
            &self.built.graph.previews_for(&page, self.built.previews),
        );
        self.render("glossary.html", &ctx)
    }

    fn tags(&self, tags: &[TagView]) -> Result<String, Diagnostic> {
        let page = Page::Tags;
        let mut ctx = self.context(&page, "tags", "Tags");
        let list: Vec<NavLink> = tags
            .iter()
            .map(|t| NavLink {
                title: t.name.clone(),
                href: page.href_to(&Page::Tag(t.slug.clone()), None),
            })
            .collect();
        let counts: Vec<usize> = tags.iter().map(|t| t.count).collect();
        ctx.insert("tags", &list);
        ctx.insert("counts", &counts);
        self.render("tags.html", &ctx)
    }

    fn tag(&self, tag: &TagView, page: &Page) -> Result<String, Diagnostic> {
        let mut ctx = self.context(page, "tag", &tag.name);
        ctx.insert("tag", tag);
        let hrefs: Vec<String> = tag
            .groups
            .iter()
            .map(|g| page.href_to(&Page::Text(g.slug.clone()), None))
            .collect();
        ctx.insert("text_hrefs", &hrefs);
        ctx.insert("tags_href", &page.href_to(&Page::Tags, None));
        self.render("tag.html", &ctx)
    }
}

#[derive(Serialize)]
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

#[derive(Serialize)]
struct TermContext<'a> {
    #[serde(flatten)]
    term: &'a TermView,
    cited_by: Vec<crate::link::graph::Backlink>,
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

/// The theme's static files (built-in, then the site's) and the code stylesheet.
fn assets(site: &Site) -> Vec<OutputFile> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    if let Some(dir) = DEFAULT_THEME.get_dir("static") {
        collect(dir, &mut files);
    }
    for (path, bytes) in &site.theme.assets {
        files.insert(path.clone(), bytes.clone());
    }
    files
        .entry("syntax.css".into())
        .or_insert_with(|| crate::render::code_stylesheet().into_bytes());
    let mut out: Vec<OutputFile> = files
        .into_iter()
        .map(|(path, bytes)| OutputFile {
            origin: Origin::generated(format!("the theme's file `static/{path}`")),
            path: format!("assets/{path}"),
            bytes,
        })
        .collect();
    // GitHub Pages would otherwise run Jekyll, which hides files starting with `_`.
    out.push(OutputFile {
        path: ".nojekyll".into(),
        bytes: Vec::new(),
        origin: Origin::generated("the `.nojekyll` file that GitHub Pages needs"),
    });
    out
}

fn collect(dir: &Dir, files: &mut BTreeMap<String, Vec<u8>>) {
    for f in dir.files() {
        let path = f.path().strip_prefix("static").unwrap_or(f.path());
        files.insert(
            path.to_string_lossy().replace('\\', "/"),
            f.contents().to_vec(),
        );
    }
    for d in dir.dirs() {
        collect(d, files);
    }
}

/// `sitemap.xml`, written by an XML writer so every address is escaped (a `base_url`
/// with `?a=1&b=2` becomes `&amp;`).
fn sitemap(site: &Site) -> Option<OutputFile> {
    let base = site.config.base_url.as_ref()?;
    let mut pages = vec![Page::Index];
    pages.extend(site.texts.iter().map(|t| Page::Text(t.slug.clone())));
    let urls: Vec<String> = pages
        .iter()
        .map(|p| page_url(base, &p.path()).into())
        .collect();
    Some(OutputFile {
        path: "sitemap.xml".into(),
        bytes: sitemap_xml(&urls),
        origin: Origin::generated("the sitemap"),
    })
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
