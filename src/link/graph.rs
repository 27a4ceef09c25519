//! The link graph: who links to what, turned into "Referenced by" lists, "See also"
//! notes and the content of link previews.
//!
//! Rendering sees one page at a time; only here, with every page's cross-links in
//! hand, can a note learn what links to it. The renderer leaves a marker in each note
//! ([`crate::render::note_extras_marker`]) that [`Graph::fill_notes`] replaces.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::{CrossRef, Page};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::{excerpt, RenderedText, TermView};
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

/// A backlink as a page shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct Backlink {
    pub href: String,
    /// The text (or "Glossary") the link is in.
    pub source: String,
    /// Where in it: "¶3", a note's title, a term.
    pub place: String,
    pub excerpt: String,
}

/// A related note in another text.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub href: String,
    pub source: String,
    pub label: String,
}

/// What a link preview shows.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub key: String,
    pub title: String,
    pub text: String,
}

impl Graph {
    pub fn new(site: &Site, texts: &[RenderedText], glossary_links: &[CrossRef]) -> Graph {
        let refs: Vec<CrossRef> = texts
            .iter()
            .flat_map(|t| t.links.iter().cloned())
            .chain(glossary_links.iter().cloned())
            .collect();
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
            Page::Glossary => "Glossary".into(),
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

    /// Replaces each note's marker with its backlinks and related notes.
    pub fn fill_notes(&self, site: &Site, texts: &mut [RenderedText]) {
        let related = self.related(site, texts);
        for (text, rendered) in site.texts.iter().zip(texts.iter_mut()) {
            let page = Page::Text(text.slug.clone());
            let mut extras: BTreeMap<String, String> = BTreeMap::new();
            for note in &rendered.notes {
                let key = format!("{}#{}", text.slug, note.id);
                let back = self.backlinks(&key, &page);
                let see_also = related.get(&key).map(Vec::as_slice).unwrap_or_default();
                extras.insert(note.id.clone(), note_extras_html(&back, see_also));
            }
            rendered.body = replace_markers(&rendered.body, &extras);
        }
    }

    /// For each note, up to five notes in other texts that share its tags or a link with it.
    fn related(&self, site: &Site, texts: &[RenderedText]) -> BTreeMap<String, Vec<Related>> {
        let notes = NoteTable::new(site, texts, &self.refs);
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
            .map(|(a, list)| (notes.key[a].clone(), list))
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
    fn new(site: &Site, texts: &'a [RenderedText], refs: &[CrossRef]) -> NoteTable<'a> {
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
        for (i, (text, rendered)) in site.texts.iter().zip(texts).enumerate() {
            for n in &rendered.notes {
                let number = t.key.len();
                t.key.push(format!("{}#{}", text.slug, n.id));
                t.text.push(i);
                t.id.push(&n.id);
                t.label.push(&n.label);
                t.page.push(Page::Text(text.slug.clone()));
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

/// Everything a cross-link can point at, with what its preview shows.
pub fn previews(
    graph: &Graph,
    site: &Site,
    anchored: &[crate::anchor::Anchored],
    texts: &[RenderedText],
    terms: &[TermView],
) -> BTreeMap<String, Preview> {
    let mut out = BTreeMap::new();
    let mut add = |key: String, title: String, text: String| {
        if graph.is_target(&key) {
            out.insert(key.clone(), Preview { key, title, text });
        }
    };
    for ((t, a), r) in site.texts.iter().zip(anchored).zip(texts) {
        add(
            t.slug.clone(),
            t.meta.title.clone(),
            t.meta.summary.clone().unwrap_or_default(),
        );
        for (i, p) in a.reading.paragraphs.iter().enumerate() {
            let n = i + 1;
            if !graph.is_target(&format!("{}#p{n}", t.slug)) {
                continue;
            }
            add(
                format!("{}#p{n}", t.slug),
                format!("{}, ¶{n}", t.meta.title),
                excerpt(&a.reading.text[p.clone()], 60),
            );
        }
        for n in &r.notes {
            add(
                format!("{}#{}", t.slug, n.id),
                n.label.clone(),
                excerpt(&n.plain, 60),
            );
        }
    }
    for term in terms {
        add(
            format!("glossary#{}", term.id),
            term.term.clone(),
            excerpt(&term.plain, 60),
        );
    }
    out
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

/// Rewrites the relative links of HTML made for page `from` so they work on page `to`.
pub fn rebase(html: &str, from: &Page, to: &Page) -> String {
    const HREF: &str = "href=\"";
    let from_root = from.root();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(HREF) {
        out.push_str(&rest[..i + HREF.len()]);
        rest = &rest[i + HREF.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        let url = &rest[..end];
        let rebased = if let Some(fragment) = url.strip_prefix('#') {
            to.href_to(from, Some(fragment))
        } else if url.contains(':') || url.starts_with('/') {
            url.to_string()
        } else {
            format!(
                "{}{}",
                to.root(),
                url.strip_prefix(from_root.as_str()).unwrap_or(url)
            )
        };
        out.push_str(&rebased);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Words of a citing place a note's "Referenced by" shows: a margin has little room.
const NOTE_EXCERPT_WORDS: usize = 16;

/// A note's backlinks and related notes. In the margin, long lists would push the notes
/// below away from their passages, so the backlinks (each with an excerpt of the citing
/// place) fold into a `<details>` that says how many there are, and related notes are a
/// short run of links grouped by text.
fn note_extras_html(back: &[Backlink], related: &[Related]) -> String {
    let mut html = String::new();
    if !back.is_empty() {
        let count = match back.len() {
            1 => "1 place".to_string(),
            n => format!("{n} places"),
        };
        html.push_str(&format!(
            "<details class=\"note-backlinks\"><summary><span class=\"note-extra-title\">Referenced by</span> {count}</summary><ul>"
        ));
        for b in back {
            html.push_str(&format!(
                "<li><a href=\"{}\">{} · {}</a>",
                esc(&b.href),
                esc(&b.source),
                esc(&b.place)
            ));
            let short = excerpt(&b.excerpt, NOTE_EXCERPT_WORDS);
            if !short.is_empty() {
                html.push_str(&format!(
                    " <span class=\"backlink-excerpt\">{}</span>",
                    esc(&short)
                ));
            }
            html.push_str("</li>");
        }
        html.push_str("</ul></details>");
    }
    let related = grouped(
        related
            .iter()
            .map(|r| (r.source.as_str(), r.href.as_str(), r.label.as_str())),
    );
    if !related.is_empty() {
        html.push_str(&format!(
            "<p class=\"note-related\"><span class=\"note-extra-title\">See also</span> {}</p>",
            related.join(" ")
        ));
    }
    html
}

/// `in <cite>Text</cite>: <a>one</a>; <a>two</a>.` for each source, in order of appearance.
fn grouped<'a>(links: impl Iterator<Item = (&'a str, &'a str, &'a str)>) -> Vec<String> {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (source, href, label) in links {
        let link = format!("<a href=\"{}\">{}</a>", esc(href), esc(label));
        match groups.iter_mut().find(|(s, _)| *s == source) {
            Some((_, items)) => items.push(link),
            None => groups.push((source, vec![link])),
        }
    }
    groups
        .into_iter()
        .map(|(source, items)| format!("in <cite>{}</cite>: {}.", esc(source), items.join("; ")))
        .collect()
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// One pass over the body, replacing every note marker with its extras.
fn replace_markers(body: &str, extras: &BTreeMap<String, String>) -> String {
    const OPEN: &str = "<!--scholia:note-extras:";
    let mut out =
        String::with_capacity(body.len() + extras.values().map(String::len).sum::<usize>());
    let mut rest = body;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let Some(end) = after.find("-->") else {
            out.push_str(&rest[i..]);
            return out;
        };
        out.push_str(extras.get(&after[..end]).map_or("", String::as_str));
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebasing_keeps_links_working_from_another_page() {
        let from = Page::Text("texts/a".into());
        let html = "<a href=\"#n1\">x</a><a href=\"../../glossary/index.html#t\">t</a><a href=\"https://e.org/\">e</a>";
        let to = Page::Tag("coalitions".into());
        assert_eq!(
            rebase(html, &from, &to),
            "<a href=\"../../texts/a/index.html#n1\">x</a><a href=\"../../glossary/index.html#t\">t</a><a href=\"https://e.org/\">e</a>"
        );
        let deep = Page::Text("a/b/c".into());
        assert!(rebase(html, &from, &deep).contains("href=\"../../../glossary/index.html#t\""));
    }

    #[test]
    fn markers_are_replaced_once_each() {
        let mut extras = BTreeMap::new();
        extras.insert("a".to_string(), "[A]".to_string());
        let body = "x<!--scholia:note-extras:a-->y<!--scholia:note-extras:b-->z";
        assert_eq!(replace_markers(body, &extras), "x[A]yz");
    }
}
