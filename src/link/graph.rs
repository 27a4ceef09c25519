//! The link graph: who links to what, turned into "Referenced by" lists, "See also"
//! notes and the content of link previews.
//!
//! Anchoring sees one text at a time; only here, with every page's cross-links in hand,
//! can a note learn what links to it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{CrossRef, Page};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::document::Backlink;
use crate::site::Site;

/// Backlinks by target key (`texts/a`, `texts/a#p3`, `texts/a#note`, `glossary#term`).
/// It borrows the cross-links, which `serve` keeps per text between rebuilds.
#[derive(Debug, Default)]
pub struct Graph<'r> {
    refs: Vec<&'r CrossRef>,
    by_key: BTreeMap<String, Vec<usize>>,
    /// Refs by the page they are on, and by the page they point at.
    by_from: BTreeMap<Page, Vec<usize>>,
    by_to: BTreeMap<Page, Vec<usize>>,
    titles: BTreeMap<String, String>,
    /// The glossary's name in the interface's language.
    glossary: String,
}

/// Backlinks in first-seen order, each once; a set, not a scan of the list, so that a
/// target linked from 100,000 places costs linear time.
#[derive(Default)]
struct Unique {
    items: Vec<Backlink>,
    seen: std::collections::HashSet<Backlink>,
}

impl Unique {
    fn push(&mut self, b: Backlink) {
        if !self.seen.contains(&b) {
            self.seen.insert(b.clone());
            self.items.push(b);
        }
    }

    /// The backlinks, in a list of their own size (the document keeps them to the end).
    fn into_items(self) -> Vec<Backlink> {
        let mut items = self.items;
        items.shrink_to_fit();
        items
    }
}

impl<'r> Graph<'r> {
    /// The graph of `refs`, every cross-link of the site.
    pub fn new(site: &Site, refs: Vec<&'r CrossRef>) -> Graph<'r> {
        let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_from: BTreeMap<Page, Vec<usize>> = BTreeMap::new();
        let mut by_to: BTreeMap<Page, Vec<usize>> = BTreeMap::new();
        for (i, r) in refs.iter().enumerate() {
            by_key.entry(r.to.key()).or_default().push(i);
            by_from.entry(r.from.clone()).or_default().push(i);
            by_to.entry(r.to.page.clone()).or_default().push(i);
        }
        let titles = site
            .texts
            .iter()
            .map(|t| (t.slug.clone(), t.meta.title.clone()))
            .collect();
        Graph {
            glossary: site.theme.strings.format("glossary", None, &[]),
            refs,
            by_key,
            by_from,
            by_to,
            titles,
        }
    }

    fn source_title(&self, page: &Page) -> String {
        match page {
            Page::Text(slug) => self.titles.get(slug).cloned().unwrap_or_default(),
            Page::Glossary => self.glossary.clone(),
            _ => String::new(),
        }
    }

    fn backlink(&self, r: &CrossRef, seen_from: &Page) -> Backlink {
        Backlink {
            href: seen_from.href_to(&r.from, r.anchor.as_deref()),
            source: self.source_title(&r.from),
            place: r.label.clone(),
            excerpt: r.excerpt.clone(),
        }
    }

    /// What links to exactly `key`, as seen from the page `seen_from`; one entry per place.
    pub fn backlinks(&self, key: &str, seen_from: &Page) -> Vec<Backlink> {
        let mut out = Unique::default();
        for &i in self.by_key.get(key).map(Vec::as_slice).unwrap_or_default() {
            out.push(self.backlink(self.refs[i], seen_from));
        }
        out.into_items()
    }

    /// What links to a text or any of its paragraphs from elsewhere (notes have their own).
    pub fn text_backlinks(&self, slug: &str, notes: &BTreeSet<&str>) -> Vec<Backlink> {
        let page = Page::Text(slug.to_string());
        let mut out = Unique::default();
        for r in self.refs_to(&page) {
            let to_this = r.to.fragment.as_deref().is_none_or(|f| !notes.contains(f));
            if to_this && r.from != page {
                out.push(self.backlink(r, &page));
            }
        }
        out.into_items()
    }

    fn refs_from(&self, page: &Page) -> impl Iterator<Item = &CrossRef> {
        self.by_from
            .get(page)
            .into_iter()
            .flatten()
            .map(|&i| self.refs[i])
    }

    fn refs_to(&self, page: &Page) -> impl Iterator<Item = &CrossRef> {
        self.by_to
            .get(page)
            .into_iter()
            .flatten()
            .map(|&i| self.refs[i])
    }

    /// The targets of the cross-links on `page`, each once, in order: what its link
    /// previews show.
    pub fn link_keys(&self, page: &Page) -> BTreeSet<String> {
        self.refs_from(page).map(|r| r.to.key()).collect()
    }

    /// The pages with a cross-link to `page` (or a place on it), itself included.
    pub(crate) fn pages_linking_to(&self, page: &Page) -> impl Iterator<Item = &Page> {
        self.refs_to(page).map(|r| &r.from)
    }
}

/// Warns about tags that differ from another only by case or spacing: they share a page,
/// but the author probably meant one spelling.
pub fn check_tags(site: &Site, diags: &mut Diagnostics) {
    let mut first: HashMap<String, (&str, &crate::diagnostics::Span)> = HashMap::new();
    // A site has few spellings and many notes carrying them: each is slugged once.
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for text in &site.texts {
        for note in &text.notes {
            for tag in &note.tags {
                let slug = slugs
                    .entry(tag.as_str())
                    .or_insert_with(|| crate::slug::tag(tag));
                match first.get(slug.as_str()) {
                    None => {
                        first.insert(slug.clone(), (tag, &note.at.item));
                    }
                    Some((spelling, at)) if spelling != tag => diags.push(
                        Diagnostic::warning(
                            format!(
                                "tag `{tag}` differs from tag `{spelling}` only by case or spacing"
                            ),
                            note.at.item.clone(),
                        )
                        .note(format!(
                            "`{spelling}` is used at {}",
                            crate::diagnostics::location(at)
                        ))
                        .help(format!(
                            "write `{spelling}` everywhere (both are shown on one tag page)"
                        )),
                    ),
                    Some(_) => {}
                }
            }
        }
    }
}
