//! Filling the theme's templates.
//!
//! The default theme is compiled into the binary, so an installed `scholia` works
//! anywhere; a site's own `themes/<name>/` and `templates/` override it file by file.

use std::collections::BTreeMap;
use std::sync::Arc;

use include_dir::{include_dir, Dir};
use serde::Serialize;

use super::OutputFile;
use crate::diagnostics::{Diagnostic, Diagnostics, Source, Span};
use crate::link::Page;
use crate::render::{NoteView, RenderedText, TermView};
use crate::site::{Site, Text};

static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const GENERATOR: &str = concat!("scholia ", env!("CARGO_PKG_VERSION"));

/// Every file of the built site: pages, assets and the sitemap.
pub fn pages(
    site: &Site,
    texts: &[RenderedText],
    terms: &[TermView],
    diags: &mut Diagnostics,
) -> Vec<OutputFile> {
    let Some(tera) = templates(site, diags) else {
        return Vec::new();
    };
    let renderer = Renderer { site, tera: &tera };
    let mut files = Vec::new();
    let mut push = |page: &Page, result: Result<String, Diagnostic>| match result {
        Ok(html) => files.push(OutputFile {
            path: page.path(),
            bytes: html.into_bytes(),
        }),
        Err(d) => diags.push(d),
    };
    push(&Page::Index, renderer.index(texts));
    for (text, rendered) in site.texts.iter().zip(texts) {
        let page = Page::Text(text.slug.clone());
        push(&page, renderer.text(text, rendered, &page));
    }
    if !terms.is_empty() {
        push(&Page::Glossary, renderer.glossary(terms));
    }
    files.extend(assets(site));
    if let Some(sitemap) = sitemap(site) {
        files.push(sitemap);
    }
    files
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
        let mut ctx = tera::Context::new();
        ctx.insert("site", &self.site.config);
        ctx.insert("root", &page.root());
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
                    .map(|b| canonical(b, page)),
            },
        );
        ctx.insert("generator", GENERATOR);
        ctx.insert("instructor", &self.site.instructor);
        ctx.insert("has_glossary", &!self.site.glossary.terms.is_empty());
        ctx
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

    fn index(&self, texts: &[RenderedText]) -> Result<String, Diagnostic> {
        let mut ctx = self.context(&Page::Index, "index", &self.site.config.title);
        let summaries: Vec<TextSummary> = self
            .site
            .texts
            .iter()
            .zip(texts)
            .map(|(t, r)| TextSummary {
                title: &t.meta.title,
                author: t.meta.author.as_deref(),
                date: t.meta.date.as_deref(),
                summary: t.meta.summary.as_deref(),
                href: Page::Index.href_to(&Page::Text(t.slug.clone()), None),
                notes: r.notes.len(),
                slug: &t.slug,
            })
            .collect();
        ctx.insert("texts", &summaries);
        self.render("index.html", &ctx)
    }

    fn text(
        &self,
        text: &Text,
        rendered: &RenderedText,
        page: &Page,
    ) -> Result<String, Diagnostic> {
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
        self.render("text.html", &ctx)
    }

    fn glossary(&self, terms: &[TermView]) -> Result<String, Diagnostic> {
        let mut ctx = self.context(&Page::Glossary, "glossary", "Glossary");
        ctx.insert("terms", terms);
        self.render("glossary.html", &ctx)
    }
}

fn canonical(base: &str, page: &Page) -> String {
    let path = page.path();
    let path = path.strip_suffix("index.html").unwrap_or(&path);
    format!("{base}/{path}")
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
            path: format!("assets/{path}"),
            bytes,
        })
        .collect();
    // GitHub Pages would otherwise run Jekyll, which hides files starting with `_`.
    out.push(OutputFile {
        path: ".nojekyll".into(),
        bytes: Vec::new(),
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

fn sitemap(site: &Site) -> Option<OutputFile> {
    let base = site.config.base_url.as_ref()?;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut pages = vec![Page::Index];
    pages.extend(site.texts.iter().map(|t| Page::Text(t.slug.clone())));
    for page in pages {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            canonical(base, &page)
        ));
    }
    xml.push_str("</urlset>\n");
    Some(OutputFile {
        path: "sitemap.xml".into(),
        bytes: xml.into_bytes(),
    })
}
