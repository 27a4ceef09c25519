//! The link graph: who links to what, turned into "Referenced by" lists, "See also"
//! notes and the content of link previews.
//!
//! Anchoring sees one text at a time; only here, with every page's cross-links in hand,
//! can a note learn what links to it.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::{CrossRef, Page};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::document::{Backlink, NavLink, Preview, RelatedGroup};
use crate::site::Site;

/// Backlinks by target key (`texts/a`, `texts/a#p3`, `texts/a#note`, `glossary#term`).
#[derive(Debug, Default)]
pub struct Graph {
    refs: Vec<CrossRef>,
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
}

/// A related note in another text.
#[derive(Debug, Clone)]
struct Related {
    href: String,
    source: String,
    label: String,
}

impl Graph {
    /// The graph of `refs`, every cross-link of the site.
    pub fn new(site: &Site, refs: Vec<CrossRef>) -> Graph {
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
            out.push(self.backlink(&self.refs[i], seen_from));
        }
        out.items
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
        out.items
    }

    fn refs_from(&self, page: &Page) -> impl Iterator<Item = &CrossRef> {
        self.by_from
            .get(page)
            .into_iter()
            .flatten()
            .map(|&i| &self.refs[i])
    }

    fn refs_to(&self, page: &Page) -> impl Iterator<Item = &CrossRef> {
        self.by_to
            .get(page)
            .into_iter()
            .flatten()
            .map(|&i| &self.refs[i])
    }

    /// Whether anything links to `key`: only those targets need preview content.
    pub fn is_target(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// For each note, up to five notes in other texts that share its tags or a link with it.
    /// Keyed `slug#id`; `notes` lists each text's notes (id, label, tags) in page order.
    pub(crate) fn related(&self, notes: &[Vec<NoteKey>]) -> BTreeMap<String, Vec<RelatedGroup>> {
        let notes = NoteTable::new(notes, &self.refs);
        let lists: Vec<(usize, Vec<Related>)> = (0..notes.len())
            .into_par_iter()
            .map_init(
                || (vec![0u32; notes.len()], Vec::new()),
                |(score, touched), a| (a, self.related_to(&notes, a, score, touched)),
            )
            .collect();
        lists
            .into_iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(a, list)| (notes.key[a].clone(), grouped(list)))
            .collect()
    }

    /// The best five notes for note `a`; `score` (all zero) and `touched` are scratch space.
    fn related_to(
        &self,
        notes: &NoteTable,
        a: usize,
        score: &mut [u32],
        touched: &mut Vec<usize>,
    ) -> Vec<Related> {
        // Accumulate scores over the notes sharing a tag (1 each) or a link (3).
        let tagged = notes.tags[a]
            .iter()
            .flat_map(|t| notes.postings[*t].iter().map(|&b| (b, 1)));
        let linked = notes.links[a].iter().map(|&b| (b, 3));
        for (b, points) in tagged.chain(linked) {
            if notes.text[b] != notes.text[a] {
                if score[b] == 0 {
                    touched.push(b);
                }
                score[b] += points;
            }
        }
        let mut scored: Vec<(u32, usize)> = touched
            .drain(..)
            .map(|b| (std::mem::take(&mut score[b]), b))
            .collect();
        let best = |x: &(u32, usize), y: &(u32, usize)| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
        if scored.len() > 5 {
            scored.select_nth_unstable_by(5, best);
            scored.truncate(5);
        }
        scored.sort_by(best);
        scored
            .iter()
            .map(|&(_, b)| Related {
                href: notes.page[a].href_to(&notes.page[b], Some(notes.id[b])),
                source: self.source_title(&notes.page[b]),
                label: notes.label[b].to_string(),
            })
            .collect()
    }

    /// Preview content for every cross-link target on `page`.
    pub fn previews_for(&self, page: &Page, previews: &BTreeMap<String, Preview>) -> Vec<Preview> {
        let keys: BTreeSet<String> = self.refs_from(page).map(|r| r.to.key()).collect();
        keys.iter()
            .filter_map(|k| previews.get(k).cloned())
            .collect()
    }
}

/// A note of a text as [`Graph::related`] needs it.
pub(crate) struct NoteKey<'a> {
    pub slug: &'a str,
    pub id: &'a str,
    pub label: String,
    pub tags: &'a [String],
}

/// Related notes grouped by text, in order of appearance.
fn grouped(list: Vec<Related>) -> Vec<RelatedGroup> {
    let mut groups: Vec<RelatedGroup> = Vec::new();
    for r in list {
        let link = NavLink {
            title: r.label,
            href: r.href,
        };
        match groups.iter_mut().find(|g| g.source == r.source) {
            Some(g) => g.notes.push(link),
            None => groups.push(RelatedGroup {
                source: r.source,
                notes: vec![link],
            }),
        }
    }
    groups
}

/// Every note of the site, numbered, with its tags and links as numbers: what
/// [`Graph::related`] needs to score all pairs without comparing strings.
struct NoteTable<'a> {
    key: Vec<String>,
    text: Vec<usize>,
    id: Vec<&'a str>,
    label: Vec<&'a str>,
    page: Vec<Page>,
    tags: Vec<Vec<usize>>,
    /// Tag number → notes carrying it.
    postings: Vec<Vec<usize>>,
    /// Notes linked to each note, either way.
    links: Vec<Vec<usize>>,
}

impl<'a> NoteTable<'a> {
    fn new(texts: &'a [Vec<NoteKey<'a>>], refs: &[CrossRef]) -> NoteTable<'a> {
        let mut t = NoteTable {
            key: Vec::new(),
            text: Vec::new(),
            id: Vec::new(),
            label: Vec::new(),
            page: Vec::new(),
            tags: Vec::new(),
            postings: Vec::new(),
            links: Vec::new(),
        };
        let mut tag_numbers: BTreeMap<String, usize> = BTreeMap::new();
        for (i, notes) in texts.iter().enumerate() {
            for n in notes {
                let number = t.key.len();
                t.key.push(format!("{}#{}", n.slug, n.id));
                t.text.push(i);
                t.id.push(n.id);
                t.label.push(&n.label);
                t.page.push(Page::Text(n.slug.to_string()));
                let mut tags: Vec<usize> = n
                    .tags
                    .iter()
                    .map(|tag| {
                        let next = tag_numbers.len();
                        let k = *tag_numbers.entry(crate::slug::tag(tag)).or_insert(next);
                        if k == t.postings.len() {
                            t.postings.push(Vec::new());
                        }
                        t.postings[k].push(number);
                        k
                    })
                    .collect();
                tags.sort_unstable();
                tags.dedup();
                t.tags.push(tags);
                t.links.push(Vec::new());
            }
        }
        let number: BTreeMap<&str, usize> = t
            .key
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let pairs: Vec<(usize, usize)> = refs
            .iter()
            .filter_map(|r| match (&r.from, &r.anchor) {
                (Page::Text(slug), Some(a)) => {
                    let from = *number.get(format!("{slug}#{a}").as_str())?;
                    let to = *number.get(r.to.key().as_str())?;
                    Some((from, to))
                }
                _ => None,
            })
            .collect();
        for (a, b) in pairs {
            t.links[a].push(b);
            t.links[b].push(a);
        }
        t
    }

    fn len(&self) -> usize {
        self.key.len()
    }
}

/// Warns about tags that differ from another only by case or spacing: they share a page,
/// but the author probably meant one spelling.
pub fn check_tags(site: &Site, diags: &mut Diagnostics) {
    let mut first: BTreeMap<String, (&str, &crate::diagnostics::Span)> = BTreeMap::new();
    for text in &site.texts {
        for note in &text.notes {
            for tag in &note.tags {
                match first.get(&crate::slug::tag(tag)) {
                    None => {
                        first.insert(crate::slug::tag(tag), (tag, &note.at.item));
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
