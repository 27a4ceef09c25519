//! What each page shows, hashed: a rebuild renders only the pages whose record changed.
//!
//! A page is made from one record of the document (a text, a tag, the glossary, the list
//! of texts or of tags) and from what every page shares (the site's configuration and
//! theme, which only a full rebuild changes, whether there are tags, the list of texts).
//! The records are hashed from the document's plain data, a text's HTML by the hash its
//! rendering left in [`Kept`], so hashing costs little more than walking the records.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use serde::Serialize;

use super::kept::Kept;
use crate::document::{Document, TextDoc};
use crate::link::Changed;
use crate::output::PageKey;

/// Each page's record, hashed, and what all pages share.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Records {
    pub(crate) pages: HashMap<PageKey, u64>,
    /// What every page shows: when it changes, every page is rendered again.
    pub(crate) shared: u64,
}

/// A hasher fed by a serializer, so no JSON is kept.
struct HashWriter(std::hash::DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hash_of(value: &impl Serialize) -> u64 {
    let mut w = HashWriter(std::hash::DefaultHasher::new());
    // Serializing plain data into a writer that cannot fail does not fail.
    let _ = serde_json::to_writer(&mut w, value);
    w.0.finish()
}

/// What a text's page shows: its HTML (by hash), its front matter (all of it: a field
/// no page shows costs at most a page rendered for nothing), its language and its record.
#[derive(Serialize)]
struct TextRecord<'a> {
    html: u64,
    meta: &'a crate::site::FrontMatter,
    lang: &'a str,
    notes: &'a [crate::document::NoteDoc],
    backlinks: &'a [crate::document::Backlink],
    previews: &'a [crate::document::Preview],
    prev: &'a Option<crate::document::NavLink>,
    next: &'a Option<crate::document::NavLink>,
}

fn text_record(doc: &Document, t: &TextDoc, kept: &HashMap<String, Kept>) -> u64 {
    hash_of(&TextRecord {
        // A text not kept was not rendered: `u64::MAX` is as good as any other value.
        html: kept.get(&t.text.slug).map_or(u64::MAX, |k| k.html_hash),
        meta: &t.text.meta,
        lang: doc.site.language_of(t.text),
        notes: &t.notes,
        backlinks: &t.backlinks,
        previews: &t.previews,
        prev: &t.prev,
        next: &t.next,
    })
}

/// The records of every page of `doc`.
pub(crate) fn of(doc: &Document, kept: &HashMap<String, Kept>) -> Records {
    let mut pages: HashMap<PageKey, u64> = doc
        .texts
        .par_iter()
        .map(|t| {
            (
                PageKey::Text(t.text.slug.clone()),
                text_record(doc, t, kept),
            )
        })
        .collect();
    let tags: Vec<(PageKey, u64)> = doc
        .tags
        .par_iter()
        .map(|tag| (PageKey::Tag(tag.slug.clone()), hash_of(tag)))
        .collect();
    pages.extend(tags);
    site_wide(doc, pages)
}

/// The records of `doc`'s pages, those of `last` (the records of the last document)
/// hashed again only where `changed` says the document changed.
pub(crate) fn update(
    last: &Records,
    doc: &Document,
    kept: &HashMap<String, Kept>,
    changed: &Changed,
) -> Records {
    let mut pages = last.pages.clone();
    let texts: Vec<(PageKey, u64)> = doc
        .texts
        .par_iter()
        .filter(|t| changed.texts.contains(&t.text.slug))
        .map(|t| {
            (
                PageKey::Text(t.text.slug.clone()),
                text_record(doc, t, kept),
            )
        })
        .collect();
    pages.extend(texts);
    let tags: BTreeSet<&str> = doc.tags.iter().map(|t| t.slug.as_str()).collect();
    pages.retain(|key, _| match key {
        PageKey::Tag(slug) => tags.contains(slug.as_str()),
        _ => true,
    });
    let hashed: Vec<(PageKey, u64)> = doc
        .tags
        .par_iter()
        .filter(|t| changed.tags.contains(&t.slug))
        .map(|tag| (PageKey::Tag(tag.slug.clone()), hash_of(tag)))
        .collect();
    pages.extend(hashed);
    site_wide(doc, pages)
}

/// `pages` with the records of the pages made from the whole site (the home page, the
/// list of tags, the glossary), and what every page shares.
fn site_wide(doc: &Document, mut pages: HashMap<PageKey, u64>) -> Records {
    pages.remove(&PageKey::Tags);
    pages.remove(&PageKey::Glossary);
    if doc.has_tags() {
        let list: Vec<(&str, &str, usize)> = doc
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.slug.as_str(), t.count))
            .collect();
        pages.insert(PageKey::Tags, hash_of(&list));
    }
    if !doc.glossary.is_empty() {
        pages.insert(
            PageKey::Glossary,
            hash_of(&(&doc.glossary, &doc.glossary_previews)),
        );
    }
    let home: Vec<_> = doc
        .texts
        .iter()
        .map(|t| {
            let m = &t.text.meta;
            (
                &t.text.slug,
                &m.title,
                &m.author,
                &m.date,
                &m.summary,
                t.notes.len(),
            )
        })
        .collect();
    pages.insert(PageKey::Home, hash_of(&home));
    let mut shared = std::hash::DefaultHasher::new();
    doc.has_tags().hash(&mut shared);
    for t in &doc.texts {
        t.text.slug.hash(&mut shared);
    }
    Records {
        pages,
        shared: shared.finish(),
    }
}
