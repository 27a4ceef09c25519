//! What each page shows, hashed: a rebuild renders only the pages whose record changed.
//!
//! A page is made from one record of the document (a text, a tag, the glossary, the list
//! of texts or of tags) and from what every page shares (the site's configuration and
//! theme, which only a full rebuild changes, whether there are tags, the list of texts).
//! The records are hashed from the document's plain data, a text's HTML by the hash its
//! rendering left in [`Kept`], so hashing costs little more than walking the records.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use serde::Serialize;

use super::kept::Kept;
use crate::document::{Document, TextDoc};
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

#[derive(Serialize)]
struct TextRecord<'a> {
    html: u64,
    title: &'a str,
    author: Option<&'a str>,
    date: Option<&'a str>,
    source: Option<&'a str>,
    license: Option<&'a str>,
    summary: Option<&'a str>,
    lang: &'a str,
    notes: &'a [crate::document::NoteDoc],
    backlinks: &'a [crate::document::Backlink],
    previews: &'a [crate::document::Preview],
    prev: &'a Option<crate::document::NavLink>,
    next: &'a Option<crate::document::NavLink>,
}

fn text_record(doc: &Document, t: &TextDoc, kept: &HashMap<String, Kept>) -> u64 {
    let m = &t.text.meta;
    hash_of(&TextRecord {
        // A text not kept was not rendered: `u64::MAX` is as good as any other value.
        html: kept.get(&t.text.slug).map_or(u64::MAX, |k| k.html_hash),
        title: &m.title,
        author: m.author.as_deref(),
        date: m.date.as_deref(),
        source: m.source.as_deref(),
        license: m.license.as_deref(),
        summary: m.summary.as_deref(),
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
