//! From anchored texts to the resolved [`Document`]: every cross-link checked against the
//! site's targets (a broken one is an error pointing at it), then everything a page
//! shows about other pages worked out as plain data.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rayon::prelude::*;

use super::graph::{self, Graph, NoteKey};
use super::{excerpt, CrossRef, Page, Resolved, Targets, Unresolved};
use crate::anchor::{Anchored, Fragment, LinkSite};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::document::{
    Document, Entry, NavLink, NoteDoc, Preview, Tag, TagGroup, TagLink, TaggedNote, TextDoc,
    TextHtml,
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
    let resolved: Vec<(Vec<CrossRef>, Diagnostics)> = site
        .texts
        .par_iter()
        .zip(&anchored)
        .map(|(text, a)| {
            let mut d = Diagnostics::new();
            (text_links(text, a, targets, &mut d), d)
        })
        .collect();
    let mut refs: Vec<CrossRef> = Vec::new();
    for (r, d) in resolved {
        diags.extend(d);
        refs.extend(r);
    }
    refs.extend(glossary_links(site, &definitions, targets, diags));
    let graph = Graph::new(site, refs);
    let related = {
        let keys: Vec<Vec<NoteKey>> = note_keys(site, &anchored);
        graph.related(&keys)
    };
    let mut texts: Vec<TextDoc> = site
        .texts
        .par_iter()
        .zip(anchored)
        .map(|(text, a)| text_doc(text, a, &graph, &related, &site.theme.strings))
        .collect();
    let glossary = entries(site, definitions, &graph);
    let previews = previews(&graph, &texts, &glossary);
    let count = texts.len();
    for (i, t) in texts.iter_mut().enumerate() {
        t.previews = graph.previews_for(&t.page, &previews);
        t.prev = i.checked_sub(1).map(|j| nav(site, j, &t.page));
        t.next = (i + 1 < count).then(|| nav(site, i + 1, &t.page));
    }
    graph::check_tags(site, diags);
    let tags = tags(&texts);
    Document {
        site,
        texts,
        glossary,
        tags,
        glossary_previews: graph.previews_for(&Page::Glossary, &previews),
    }
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

fn note_keys<'a>(site: &'a Site, anchored: &'a [Anchored]) -> Vec<Vec<NoteKey<'a>>> {
    site.texts
        .iter()
        .zip(anchored)
        .map(|(text, a)| {
            a.passages
                .iter()
                .map(|p| {
                    let n = &text.notes[p.note];
                    NoteKey {
                        slug: &text.slug,
                        id: &n.id,
                        label: n.label(&site.theme.strings),
                        tags: &n.tags,
                    }
                })
                .collect()
        })
        .collect()
}

fn text_doc<'s>(
    text: &'s Text,
    a: Anchored,
    graph: &Graph,
    related: &BTreeMap<String, Vec<crate::document::RelatedGroup>>,
    words: &crate::strings::Strings,
) -> TextDoc<'s> {
    let page = Page::Text(text.slug.clone());
    let notes: Vec<NoteDoc> = a
        .passages
        .iter()
        .zip(&a.links.notes)
        .map(|(p, f)| {
            let n = &text.notes[p.note];
            let key = format!("{}#{}", text.slug, n.id);
            let mut backlinks = graph.backlinks(&key, &page);
            for b in &mut backlinks {
                b.excerpt = excerpt(&b.excerpt, NOTE_EXCERPT_WORDS);
            }
            NoteDoc {
                id: n.id.clone(),
                title: n.title.clone(),
                label: n.label(words),
                kind: n.kind,
                para: p.paragraph,
                block: p.block,
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
                related: related.get(&key).cloned().unwrap_or_default(),
                index: p.note,
            }
        })
        .collect();
    let ids: BTreeSet<&str> = notes.iter().map(|n| n.id.as_str()).collect();
    let backlinks = graph.text_backlinks(&text.slug, &ids);
    TextDoc {
        text,
        page,
        anchored: a,
        notes,
        backlinks,
        previews: Vec::new(),
        prev: None,
        next: None,
        html: TextHtml::default(),
        handout_html: None,
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

/// Everything a cross-link points at, with what its preview shows.
fn previews(graph: &Graph, texts: &[TextDoc], glossary: &[Entry]) -> BTreeMap<String, Preview> {
    let mut out = BTreeMap::new();
    let mut add = |key: String, title: String, text: String| {
        if graph.is_target(&key) {
            out.insert(key.clone(), Preview { key, title, text });
        }
    };
    for t in texts {
        let (slug, meta, reading) = (&t.text.slug, &t.text.meta, &t.anchored.reading);
        add(
            slug.clone(),
            meta.title.clone(),
            meta.summary.clone().unwrap_or_default(),
        );
        for (i, p) in reading.paragraphs.iter().enumerate() {
            let n = i + 1;
            if !graph.is_target(&format!("{slug}#p{n}")) {
                continue;
            }
            add(
                format!("{slug}#p{n}"),
                format!("{}, ¶{n}", meta.title),
                excerpt(&reading.text[p.clone()], PREVIEW_WORDS),
            );
        }
        for n in &t.notes {
            add(
                format!("{slug}#{}", n.id),
                n.label.clone(),
                excerpt(&n.plain, PREVIEW_WORDS),
            );
        }
    }
    for term in glossary {
        add(
            format!("glossary#{}", term.id),
            term.term.clone(),
            excerpt(&term.plain, PREVIEW_WORDS),
        );
    }
    out
}

/// Every tag with the notes that carry it, grouped by text in reading order.
fn tags(texts: &[TextDoc]) -> Vec<Tag> {
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    for t in texts {
        let text = t.text;
        for note in &t.notes {
            for link in &note.tags {
                let slug = crate::slug::tag(&link.name);
                let tag = tags.entry(slug.clone()).or_insert_with(|| Tag {
                    name: link.name.clone(),
                    slug,
                    count: 0,
                    groups: Vec::new(),
                });
                tag.count += 1;
                if tag.groups.last().is_none_or(|g| g.slug != text.slug) {
                    tag.groups.push(TagGroup {
                        title: text.meta.title.clone(),
                        slug: text.slug.clone(),
                        count: 0,
                        notes: Vec::new(),
                    });
                }
                if let Some(group) = tag.groups.last_mut() {
                    group.count += 1;
                    group.notes.push(TaggedNote {
                        id: note.id.clone(),
                        label: note.label.clone(),
                        kind: note.kind,
                        para: note.para,
                        excerpt: excerpt(&note.plain, TAGGED_WORDS),
                    });
                }
            }
        }
    }
    let mut list: Vec<Tag> = tags.into_values().collect();
    list.sort_by_key(|t| t.name.to_lowercase());
    list
}
