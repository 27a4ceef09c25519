//! From anchored texts to the resolved [`Document`]: every cross-link checked against the
//! site's targets (a broken one is an error pointing at it), then everything a page
//! shows about other pages worked out as plain data.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use rayon::prelude::*;

use super::graph::{self, Graph};
use super::related::{NoteKey, Related, TextKey};
use super::{excerpt, CrossRef, Page, Resolved, Targets, Unresolved};
use crate::anchor::{Anchored, Fragment, LinkSite};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::document::{
    Document, Entry, NavLink, NoteDoc, NoteLines, Preview, Tag, TagGroup, TagLink, TaggedNote,
    TextDoc, TextParts,
};
use crate::site::{Site, Text};

/// Words of the citing place a backlink shows.
const EXCERPT_WORDS: usize = 30;
/// Words of a citing place a note's "Referenced by" shows: a margin has little room.
const NOTE_EXCERPT_WORDS: usize = 16;
/// Words of a preview, and of a note on a tag page.
const PREVIEW_WORDS: usize = 60;
const TAGGED_WORDS: usize = 30;

/// Resolves every text's links (`anchored` is parallel to `site.texts`) and the
/// glossary's (`definitions`, parallel to its terms) into the site's [`Document`].
/// Broken links are reported in reading order: per text its notes, body and questions,
/// then the glossary.
pub(crate) fn document<'s>(
    site: &'s Site,
    anchored: Vec<Anchored>,
    definitions: Vec<Fragment>,
    targets: &Targets,
    diags: &mut Diagnostics,
) -> Document<'s> {
    linked(site, anchored, definitions, targets, diags).0
}

/// [`document`], and what the link stage keeps to link again after a few texts changed
/// ([`relink`]).
pub(crate) fn linked<'s>(
    site: &'s Site,
    anchored: Vec<Anchored>,
    definitions: Vec<Fragment>,
    targets: &Targets,
    diags: &mut Diagnostics,
) -> (Document<'s>, Linked) {
    let resolved: Vec<(Vec<CrossRef>, Diagnostics)> = site
        .texts
        .par_iter()
        .zip(&anchored)
        .map(|(text, a)| {
            let mut d = Diagnostics::new();
            (text_links(text, a, targets, &mut d), d)
        })
        .collect();
    let mut refs: Vec<Vec<CrossRef>> = Vec::with_capacity(resolved.len());
    for (r, d) in resolved {
        diags.extend(d);
        refs.push(r);
    }
    let glossary_refs = glossary_links(site, &definitions, targets, diags);
    let graph = Graph::new(site, all_refs(&refs, &glossary_refs));
    let related = {
        let keys: Vec<TextKey> = site
            .texts
            .iter()
            .zip(&anchored)
            .zip(&refs)
            .map(|((text, a), refs)| text_key(site, text, a, refs))
            .collect();
        Related::new(&keys)
    };
    let mut texts: Vec<TextDoc> = site
        .texts
        .par_iter()
        .zip(anchored)
        .enumerate()
        .map(|(i, (text, a))| text_doc(text, a, &graph, &related, i, &site.theme.strings))
        .collect();
    let glossary = entries(site, definitions, &graph);
    let everything: Vec<usize> = (0..texts.len()).collect();
    set_previews(&mut texts, &everything, &graph, &glossary);
    let count = texts.len();
    for (i, t) in texts.iter_mut().enumerate() {
        t.prev = i.checked_sub(1).map(|j| nav(site, j, &t.page));
        t.next = (i + 1 < count).then(|| nav(site, i + 1, &t.page));
    }
    graph::check_tags(site, diags);
    let tags = tags(&texts);
    let glossary_previews = previews_of(&Page::Glossary, &graph, &texts, &glossary);
    drop(graph);
    let linked = Linked {
        slugs: site.texts.iter().map(|t| t.slug.clone()).collect(),
        refs,
        related,
        tags: None,
        terms: shown_terms(&glossary),
        spellings: None,
    };
    let doc = Document {
        site,
        texts,
        glossary,
        tags,
        glossary_previews,
        render: None,
    };
    (doc, linked)
}

/// What the link stage keeps between `serve`'s rebuilds: each text's cross-links and
/// every note's related notes, and (between rebuilds) the tags.
pub(crate) struct Linked {
    /// The slugs of the texts linked, in order.
    slugs: Vec<String>,
    /// Each text's cross-links, parallel to `slugs`.
    refs: Vec<Vec<CrossRef>>,
    related: Related,
    /// The tags of the last document, given back by [`Linked::keep_tags`]; `None` while
    /// lent to a document.
    tags: Option<Vec<Tag>>,
    /// What previews of the glossary's terms show: their definitions' words depend on
    /// the texts they link to.
    terms: Vec<(String, String)>,
    /// How the site's notes spell their tags, made at the first [`relink`].
    spellings: Option<Spellings>,
}

/// How many notes carry each spelling of a tag, per text and in all: [`relink`] scans
/// every note for tags spelled two ways (a warning) only when two spellings share a slug.
struct Spellings {
    texts: Vec<BTreeMap<String, usize>>,
    all: BTreeMap<String, usize>,
}

impl Spellings {
    fn new(site: &Site) -> Spellings {
        let mut s = Spellings {
            texts: site.texts.iter().map(|_| BTreeMap::new()).collect(),
            all: BTreeMap::new(),
        };
        for i in 0..site.texts.len() {
            s.set(site, i);
        }
        s
    }

    /// Counts text `i`'s notes' tags as they are now.
    fn set(&mut self, site: &Site, i: usize) {
        let mut now: BTreeMap<String, usize> = BTreeMap::new();
        for tag in site.texts[i].notes.iter().flat_map(|n| &n.tags) {
            *now.entry(tag.clone()).or_default() += 1;
        }
        if let Some(before) = self.texts.get_mut(i) {
            for (tag, n) in std::mem::replace(before, now) {
                if let Some(count) = self.all.get_mut(&tag) {
                    *count -= n.min(*count);
                    if *count == 0 {
                        self.all.remove(&tag);
                    }
                }
            }
            for (tag, n) in before.iter() {
                *self.all.entry(tag.clone()).or_default() += n;
            }
        }
    }

    /// Whether two spellings in use share a slug.
    fn clash(&self) -> bool {
        let mut slugs = BTreeSet::new();
        self.all
            .keys()
            .any(|tag| !slugs.insert(crate::slug::tag(tag)))
    }
}

/// Each term and its definition's words, what a link preview of it shows.
fn shown_terms(glossary: &[Entry]) -> Vec<(String, String)> {
    glossary
        .iter()
        .map(|e| (e.term.clone(), e.plain.clone()))
        .collect()
}

impl Linked {
    /// Whether the site has the texts this was linked for, in the same order: only then
    /// can [`relink`] link it again.
    pub(crate) fn fits(&self, site: &Site) -> bool {
        self.tags.is_some()
            && self.slugs.len() == site.texts.len()
            && self
                .slugs
                .iter()
                .zip(&site.texts)
                .all(|(s, t)| *s == t.slug)
    }

    /// Keeps the tags of the document linked last, for [`relink`] to update.
    pub(crate) fn keep_tags(&mut self, tags: Vec<Tag>) {
        self.tags = Some(tags);
    }
}

/// A text as [`relink`] gets it: anchored again, or as the last document had it.
pub(crate) enum Relinked {
    Anchored(Anchored),
    Kept(Box<TextParts>),
}

/// What [`relink`] changed: the texts (by slug) and the tags (by slug) whose records may
/// differ from the last document's.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    pub(crate) texts: BTreeSet<String>,
    pub(crate) tags: BTreeSet<String>,
}

/// [`document`] again after the texts given as [`Relinked::Anchored`] were anchored again,
/// the others kept from the last document (`linked`, updated here, is what linking it
/// left). Works out again only what depends on the texts redone: their cross-links, the
/// backlinks and previews of the texts they link to (before or now) or that link to
/// them, the related notes that can have changed, the tags their notes carry (or
/// carried). The result equals what [`document`] makes of the same site.
pub(crate) fn relink<'s>(
    site: &'s Site,
    texts: Vec<Relinked>,
    definitions: Vec<Fragment>,
    targets: &Targets,
    linked: &mut Linked,
    diags: &mut Diagnostics,
) -> (Document<'s>, Changed) {
    let index: HashMap<&str, usize> = site
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.slug.as_str(), i))
        .collect();
    let redone: BTreeSet<usize> = texts
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, Relinked::Anchored(_)))
        .map(|(i, _)| i)
        .collect();
    // Pages whose backlinks or previews change: those the redone texts linked to before.
    let mut affected: BTreeSet<usize> = redone.clone();
    let text_of = |page: &Page| match page {
        Page::Text(slug) => index.get(slug.as_str()).copied(),
        _ => None,
    };
    for &i in &redone {
        affected.extend(linked.refs[i].iter().filter_map(|r| text_of(&r.to.page)));
    }
    let fresh: Vec<(usize, Vec<CrossRef>, Diagnostics)> = redone
        .par_iter()
        .filter_map(|&i| match &texts[i] {
            Relinked::Anchored(a) => {
                let mut d = Diagnostics::new();
                Some((i, text_links(&site.texts[i], a, targets, &mut d), d))
            }
            Relinked::Kept(_) => None,
        })
        .collect();
    for (i, refs, d) in fresh {
        diags.extend(d);
        linked.refs[i] = refs;
    }
    let glossary_refs = glossary_links(site, &definitions, targets, diags);
    let graph = Graph::new(site, all_refs(&linked.refs, &glossary_refs));
    for &i in &redone {
        affected.extend(linked.refs[i].iter().filter_map(|r| text_of(&r.to.page)));
        let page = &site.texts[i].slug;
        affected.extend(
            graph
                .pages_linking_to(&Page::Text(page.clone()))
                .filter_map(text_of),
        );
    }
    let keys: Vec<(usize, TextKey)> = redone
        .iter()
        .filter_map(|&i| match &texts[i] {
            Relinked::Anchored(a) => Some((i, text_key(site, &site.texts[i], a, &linked.refs[i]))),
            Relinked::Kept(_) => None,
        })
        .collect();
    affected.extend(linked.related.update(&keys));
    drop(keys);

    let related = &linked.related;
    let words = &site.theme.strings;
    let mut docs: Vec<TextDoc> = site
        .texts
        .par_iter()
        .zip(texts)
        .enumerate()
        .map(|(i, (text, t))| match t {
            Relinked::Anchored(a) => text_doc(text, a, &graph, related, i, words),
            Relinked::Kept(parts) if affected.contains(&i) => {
                let TextParts {
                    anchored,
                    html,
                    handout_html,
                    ..
                } = *parts;
                let mut doc = text_doc(text, anchored, &graph, related, i, words);
                doc.html = html;
                doc.handout_html = handout_html;
                doc
            }
            Relinked::Kept(parts) => TextDoc::new(text, *parts),
        })
        .collect();
    let glossary = entries(site, definitions, &graph);
    let terms = shown_terms(&glossary);
    if terms != linked.terms {
        // The glossary's previews changed on every page that links to it.
        affected.extend(graph.pages_linking_to(&Page::Glossary).filter_map(text_of));
        linked.terms = terms;
    }
    let affected: Vec<usize> = affected.into_iter().collect();
    set_previews(&mut docs, &affected, &graph, &glossary);
    let mut changed = Changed::default();
    let count = docs.len();
    for (i, t) in docs.iter_mut().enumerate() {
        let prev = i.checked_sub(1).map(|j| nav(site, j, &t.page));
        let next = (i + 1 < count).then(|| nav(site, i + 1, &t.page));
        if prev != t.prev || next != t.next {
            t.prev = prev;
            t.next = next;
            changed.texts.insert(t.text.slug.clone());
        }
    }
    changed
        .texts
        .extend(affected.iter().map(|&i| site.texts[i].slug.clone()));
    match &mut linked.spellings {
        Some(spellings) => {
            for &i in &redone {
                spellings.set(site, i);
            }
        }
        None => linked.spellings = Some(Spellings::new(site)),
    }
    if linked.spellings.as_ref().is_none_or(Spellings::clash) {
        graph::check_tags(site, diags);
    }
    let mut tags = linked.tags.take().unwrap_or_default();
    changed.tags = update_tags(&mut tags, &docs, &redone, &index);
    let glossary_previews = previews_of(&Page::Glossary, &graph, &docs, &glossary);
    let doc = Document {
        site,
        texts: docs,
        glossary,
        tags,
        glossary_previews,
        render: None,
    };
    (doc, changed)
}

/// Every cross-link of the site: the texts', in order, then the glossary's.
fn all_refs<'r>(texts: &'r [Vec<CrossRef>], glossary: &'r [CrossRef]) -> Vec<&'r CrossRef> {
    texts.iter().flatten().chain(glossary).collect()
}

fn nav(site: &Site, j: usize, from: &Page) -> NavLink {
    let t = &site.texts[j];
    NavLink {
        title: t.meta.title.clone(),
        href: from.href_to(&Page::Text(t.slug.clone()), None),
    }
}

/// A text's cross-links resolved, broken ones reported: notes, body, then questions.
fn text_links(
    text: &Text,
    a: &Anchored,
    targets: &Targets,
    diags: &mut Diagnostics,
) -> Vec<CrossRef> {
    let page = Page::Text(text.slug.clone());
    let mut out = Vec::new();
    for (p, note) in a.passages.iter().zip(&a.links.notes) {
        let n = &text.notes[p.note];
        let label = n.label(&targets.words);
        let at = &n.at.body;
        for link in &note.links {
            match targets.resolve(&link.dest, &page) {
                Ok(to) => out.push(cross_ref(&page, &n.id, &label, &note.plain, to)),
                Err(e) => diags.push(broken_in_yaml(at, &link.dest, e)),
            }
        }
    }
    for link in &a.links.body {
        match targets.resolve(&link.dest, &page) {
            Ok(to) => out.push(body_ref(text, a, link.paragraph, to)),
            Err(e) => diags.push(broken_in_body(text, link, e)),
        }
    }
    for (q, f) in text.questions.iter().zip(&a.links.questions) {
        for link in &f.links {
            match targets.resolve(&link.dest, &page) {
                Ok(to) => out.push(cross_ref(
                    &page,
                    "questions",
                    &targets.word("discussion_questions"),
                    &f.plain,
                    to,
                )),
                Err(e) => diags.push(broken_in_yaml(&q.at, &link.dest, e)),
            }
        }
    }
    out
}

fn glossary_links(
    site: &Site,
    definitions: &[Fragment],
    targets: &Targets,
    diags: &mut Diagnostics,
) -> Vec<CrossRef> {
    let page = Page::Glossary;
    let mut out = Vec::new();
    for (t, f) in site.glossary.terms.iter().zip(definitions) {
        for link in &f.links {
            match targets.resolve(&link.dest, &page) {
                Ok(to) => out.push(cross_ref(&page, &t.id, &t.term, &f.plain, to)),
                Err(e) => diags.push(broken_in_yaml(&t.at, &link.dest, e)),
            }
        }
    }
    out
}

fn cross_ref(page: &Page, anchor: &str, label: &str, context: &str, to: Resolved) -> CrossRef {
    CrossRef {
        from: page.clone(),
        anchor: Some(anchor.to_string()),
        label: label.to_string(),
        excerpt: excerpt(context, EXCERPT_WORDS),
        to,
    }
}

/// A cross-link in paragraph `block` of a text's body (or outside any, in a heading).
fn body_ref(text: &Text, a: &Anchored, block: Option<usize>, to: Resolved) -> CrossRef {
    let page = Page::Text(text.slug.clone());
    let reading = &a.reading;
    match block {
        Some(n) => {
            let words = reading
                .paragraphs
                .get(n - 1)
                .map_or("", |r| &reading.text[r.clone()]);
            cross_ref(&page, &format!("p{n}"), &format!("¶{n}"), words, to)
        }
        None => CrossRef {
            from: page,
            anchor: None,
            label: text.meta.title.clone(),
            excerpt: String::new(),
            to,
        },
    }
}

fn broken_in_body(text: &Text, link: &LinkSite, e: Unresolved) -> Diagnostic {
    let base = text.body.start;
    let range: &Range<usize> = &link.range;
    let span = Span::new(&text.source, base + range.start..base + range.end);
    Diagnostic::error(format!("broken cross-link: {}", e.message), span)
        .label(format!("`[[{}]]` links to nothing", link.dest))
        .maybe_help(e.help)
}

/// A broken link inside YAML-held Markdown (a note, a question, a definition): the link
/// is found by its text near `at`, since YAML hides exact offsets.
fn broken_in_yaml(at: &Span, dest: &str, e: Unresolved) -> Diagnostic {
    let text = &at.source.text;
    let from = at.range.start.min(text.len());
    let needle = format!("[[{dest}");
    let span = match text[from..].find(&needle) {
        Some(i) => Span::new(&at.source, from + i..from + i + needle.len() + 2),
        None => at.clone(),
    };
    Diagnostic::error(format!("broken cross-link: {}", e.message), span)
        .label("links to nothing")
        .maybe_help(e.help)
}

/// A text's notes and cross-links as [`Related`] scores them.
fn text_key<'a>(site: &Site, text: &'a Text, a: &Anchored, refs: &'a [CrossRef]) -> TextKey<'a> {
    TextKey {
        slug: &text.slug,
        title: &text.meta.title,
        notes: a
            .passages
            .iter()
            .map(|p| {
                let n = &text.notes[p.note];
                NoteKey {
                    id: &n.id,
                    label: n.label(&site.theme.strings),
                    tags: &n.tags,
                }
            })
            .collect(),
        refs,
    }
}

fn text_doc<'s>(
    text: &'s Text,
    a: Anchored,
    graph: &Graph,
    related: &Related,
    number: usize,
    words: &crate::strings::Strings,
) -> TextDoc<'s> {
    let page = Page::Text(text.slug.clone());
    let notes: Vec<NoteDoc> = a
        .passages
        .iter()
        .zip(&a.links.notes)
        .enumerate()
        .map(|(pos, (p, f))| {
            let n = &text.notes[p.note];
            let key = format!("{}#{}", text.slug, n.id);
            let mut backlinks = graph.backlinks(&key, &page);
            for b in &mut backlinks {
                b.excerpt = excerpt(&b.excerpt, NOTE_EXCERPT_WORDS);
            }
            let lines = NoteLines::of(&a.reading, &p.range);
            NoteDoc {
                id: n.id.clone(),
                title: n.title.clone(),
                label: n.label(words),
                kind: n.kind,
                para: p.paragraph,
                block: p.block,
                lines,
                line_ref: lines.map(|l| l.reference(words)),
                passage: a
                    .reading
                    .text
                    .get(p.range.clone())
                    .unwrap_or_default()
                    .to_string(),
                plain: f.plain.clone(),
                tags: n
                    .tags
                    .iter()
                    .map(|t| TagLink {
                        name: t.clone(),
                        href: page.href_to(&Page::Tag(crate::slug::tag(t)), None),
                    })
                    .collect(),
                backlinks,
                related: related.groups(number, pos),
                index: p.note,
            }
        })
        .collect();
    let ids: BTreeSet<&str> = notes.iter().map(|n| n.id.as_str()).collect();
    let backlinks = graph.text_backlinks(&text.slug, &ids);
    TextDoc {
        text,
        page,
        parts: TextParts {
            anchored: a,
            notes,
            backlinks,
            ..TextParts::default()
        },
    }
}

/// The glossary's terms, sorted as the glossary page lists them, with their citations.
fn entries(site: &Site, definitions: Vec<Fragment>, graph: &Graph) -> Vec<Entry> {
    let mut entries: Vec<Entry> = site
        .glossary
        .terms
        .iter()
        .zip(definitions)
        .enumerate()
        .map(|(index, (t, f))| Entry {
            id: t.id.clone(),
            term: t.term.clone(),
            aliases: t.aliases.clone(),
            plain: f.plain,
            cited_by: graph.backlinks(&format!("glossary#{}", t.id), &Page::Glossary),
            html: String::new(),
            index,
        })
        .collect();
    entries.sort_by_key(|t| t.term.to_lowercase());
    entries
}

/// Sets the link previews of the texts numbered `which`.
fn set_previews(texts: &mut [TextDoc], which: &[usize], graph: &Graph, glossary: &[Entry]) {
    let keys: Vec<BTreeSet<String>> = which
        .iter()
        .map(|&i| graph.link_keys(&texts[i].page))
        .collect();
    let previews: Vec<Vec<Preview>> = {
        let places = Places::new(&*texts, glossary, keys.iter().flatten());
        keys.into_par_iter()
            .map(|keys| places.previews(keys))
            .collect()
    };
    for (&i, p) in which.iter().zip(previews) {
        texts[i].previews = p;
    }
}

/// What the link previews of `page` show: one for each target of its cross-links.
fn previews_of(page: &Page, graph: &Graph, texts: &[TextDoc], glossary: &[Entry]) -> Vec<Preview> {
    let keys = graph.link_keys(page);
    let places = Places::new(texts, glossary, keys.iter());
    places.previews(keys)
}

/// The places links lead to, found by key in constant time.
struct Places<'a, 's> {
    texts: &'a [TextDoc<'s>],
    by_slug: HashMap<&'a str, usize>,
    /// The notes of the texts linked to, by text number and id.
    notes: HashMap<(usize, &'a str), &'a NoteDoc>,
    terms: HashMap<&'a str, &'a Entry>,
}

impl<'a, 's> Places<'a, 's> {
    /// The places of `texts` and `glossary`, for previews of `keys`.
    fn new<'k>(
        texts: &'a [TextDoc<'s>],
        glossary: &'a [Entry],
        keys: impl Iterator<Item = &'k String>,
    ) -> Places<'a, 's> {
        let by_slug: HashMap<&str, usize> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.text.slug.as_str(), i))
            .collect();
        let linked: BTreeSet<usize> = keys
            .filter_map(|k| by_slug.get(k.split('#').next().unwrap_or_default()))
            .copied()
            .collect();
        let notes = linked
            .iter()
            .flat_map(|&i| texts[i].notes.iter().map(move |n| ((i, n.id.as_str()), n)))
            .collect();
        Places {
            texts,
            by_slug,
            notes,
            terms: glossary.iter().map(|t| (t.id.as_str(), t)).collect(),
        }
    }

    fn previews(&self, keys: BTreeSet<String>) -> Vec<Preview> {
        keys.into_iter().filter_map(|k| self.preview(k)).collect()
    }

    /// What the preview of a link to `key` shows: a text's title and summary, a
    /// paragraph's first words, a note's or a term's.
    fn preview(&self, key: String) -> Option<Preview> {
        let (base, fragment) = match key.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (key.as_str(), None),
        };
        let (title, text) = if base == "glossary" {
            let term = self.terms.get(fragment?)?;
            (term.term.clone(), excerpt(&term.plain, PREVIEW_WORDS))
        } else {
            let i = *self.by_slug.get(base)?;
            let t = &self.texts[i];
            let meta = &t.text.meta;
            match fragment {
                None => (meta.title.clone(), meta.summary.clone().unwrap_or_default()),
                Some(f) => match self.notes.get(&(i, f)) {
                    Some(n) => (n.label.clone(), excerpt(&n.plain, PREVIEW_WORDS)),
                    None => {
                        let n: usize = f.strip_prefix('p')?.parse().ok()?;
                        let reading = &t.anchored.reading;
                        let range = reading.paragraphs.get(n.checked_sub(1)?)?;
                        if f != format!("p{n}") {
                            return None;
                        }
                        (
                            format!("{}, ¶{n}", meta.title),
                            excerpt(reading.text.get(range.clone())?, PREVIEW_WORDS),
                        )
                    }
                },
            }
        };
        Some(Preview { key, title, text })
    }
}

/// Every tag with the notes that carry it, grouped by text in reading order.
fn tags(texts: &[TextDoc]) -> Vec<Tag> {
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    for t in texts {
        for (slug, name, group) in tag_groups(t) {
            let tag = tags.entry(slug.clone()).or_insert_with(|| Tag {
                name,
                slug,
                count: 0,
                groups: Vec::new(),
            });
            tag.count += group.count;
            tag.groups.push(group);
        }
    }
    let mut list: Vec<Tag> = tags.into_values().collect();
    sort_tags(&mut list);
    list
}

/// By name, case aside; tags of one name (case aside) by slug.
fn sort_tags(tags: &mut [Tag]) {
    tags.sort_by_cached_key(|t| (t.name.to_lowercase(), t.slug.clone()));
}

/// The tags of a text's notes: each tag's slug, its spelling on the first note carrying
/// it, and the text's group of notes on the tag's page.
fn tag_groups(t: &TextDoc) -> Vec<(String, String, TagGroup)> {
    let mut groups: Vec<(String, String, TagGroup)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for note in &t.notes {
        for link in &note.tags {
            let slug = crate::slug::tag(&link.name);
            let i = *at.entry(slug.clone()).or_insert_with(|| {
                groups.push((
                    slug,
                    link.name.clone(),
                    TagGroup {
                        title: t.text.meta.title.clone(),
                        slug: t.text.slug.clone(),
                        count: 0,
                        notes: Vec::new(),
                    },
                ));
                groups.len() - 1
            });
            let group = &mut groups[i].2;
            group.count += 1;
            group.notes.push(TaggedNote {
                id: note.id.clone(),
                label: note.label.clone(),
                kind: note.kind,
                para: note.para,
                line_ref: note.line_ref.clone(),
                excerpt: excerpt(&note.plain, TAGGED_WORDS),
            });
        }
    }
    // Kept to the end of the build, most holding a note or two: no room to spare.
    for (_, _, group) in &mut groups {
        group.notes.shrink_to_fit();
    }
    groups
}

/// Brings `tags` (those of the last document) up to date with the texts numbered
/// `redone`, whose notes changed; returns the slugs of the tags whose pages change.
fn update_tags(
    tags: &mut Vec<Tag>,
    texts: &[TextDoc],
    redone: &BTreeSet<usize>,
    index: &HashMap<&str, usize>,
) -> BTreeSet<String> {
    // A tag's groups are in reading order, one per text: a redone text's group is found
    // by bisection, not by comparing every group's slug (tens of thousands on a large
    // site, most of a save's linking).
    let number = |g: &TagGroup| index.get(g.slug.as_str()).copied().unwrap_or(usize::MAX);
    let mut before: BTreeMap<String, (String, Vec<TagGroup>)> = BTreeMap::new();
    for tag in tags.iter_mut() {
        let mut gone = Vec::new();
        for &i in redone {
            let at = tag.groups.partition_point(|g| number(g) < i);
            if tag.groups.get(at).is_some_and(|g| number(g) == i) {
                gone.push(tag.groups.remove(at));
            }
        }
        if !gone.is_empty() {
            before.insert(tag.slug.clone(), (tag.name.clone(), gone));
        }
    }
    let mut after: BTreeMap<String, Vec<TagGroup>> = BTreeMap::new();
    let mut known: BTreeSet<String> = tags.iter().map(|t| t.slug.clone()).collect();
    for &i in redone {
        for (slug, name, group) in tag_groups(&texts[i]) {
            after.entry(slug.clone()).or_default().push(group);
            if known.insert(slug.clone()) {
                tags.push(Tag {
                    name,
                    slug,
                    count: 0,
                    groups: Vec::new(),
                });
            }
        }
    }
    let mut changed = BTreeSet::new();
    for tag in tags.iter_mut() {
        let old = before.remove(&tag.slug);
        let new = after.remove(&tag.slug);
        if old.is_none() && new.is_none() {
            continue;
        }
        for g in new.iter().flatten() {
            let at = tag.groups.partition_point(|x| number(x) < number(g));
            tag.groups.insert(at, g.clone());
        }
        tag.count = tag.groups.iter().map(|g| g.count).sum();
        if let Some(t) = tag.groups.first().and_then(|g| texts.get(number(g))) {
            tag.name = first_spelling(t, &tag.slug).unwrap_or_default();
        }
        let (old_name, old_groups) = old.unwrap_or_default();
        if old_name != tag.name || old_groups != new.unwrap_or_default() {
            changed.insert(tag.slug.clone());
        }
    }
    tags.retain(|t| !t.groups.is_empty());
    sort_tags(tags);
    changed
}

/// How the first note of `t` carrying the tag `slug` spells it.
fn first_spelling(t: &TextDoc, slug: &str) -> Option<String> {
    t.notes
        .iter()
        .flat_map(|n| &n.tags)
        .find(|link| crate::slug::tag(&link.name) == slug)
        .map(|link| link.name.clone())
}
