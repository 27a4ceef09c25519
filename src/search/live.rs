//! The index as `serve` keeps it between saves, to rewrite only the files a save changes.
//!
//! A posting's weight is elasticlunr's score, which reads the whole site: the number of
//! documents N, the term's document frequency per field, the document's field lengths.
//! A save that keeps every text's number of paragraphs, notes and questions (most saves:
//! a word, a tag, a link) keeps N and every document's number, and changes the lengths
//! and frequencies only of the terms the changed documents hold (before or after). So
//! [`Live`] keeps the term counts of the whole index and, per changed document, takes its
//! old postings out and puts the new ones in, weighs again only those terms (their idf
//! exactly as a full build computes it), and rewrites the shards whose entries differ,
//! their terms' tail pieces, and the excerpt chunks whose documents changed.
//!
//! The layout of the last full build is kept (shard boundaries, documents per excerpt
//! chunk, tail piece numbers): a new term goes into the shard its boundaries name, so a
//! shard may grow or shrink, and the files' bytes may differ from a full build's while
//! every query finds the same documents with the same weights and excerpts ([`answers`]
//! reads an index's files as what queries can find, and the tests compare that). Any
//! other save (a paragraph or note added or removed, a text's language changed, a
//! document in a language the client looks up in the words table) gets `None`: the
//! caller builds the index again in full.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::corpus::{Corpus, CorpusText, GlossaryTerm};
use super::docs::{self, kind_ranges, Doc, Kind};
use super::engine::{self, FieldPostings};
use super::files::{self, Layout, Placed};
use super::format::{postings, ExcerptChunk, Manifest, Shard, TailPiece, TextRef};
use super::shard::{self, Entry, Limits};
use super::{codes, words, File};
use crate::language;

/// The index of the last build, as counts and the layout of its files.
pub struct Live {
    limits: Limits,
    corpus: Corpus,
    docs: Vec<Doc>,
    codes: Vec<&'static str>,
    kinds: Vec<Kind>,
    /// Per document, its field lengths; per term, its postings per field.
    lengths: Vec<[u32; 3]>,
    postings: HashMap<String, FieldPostings>,
    /// Per term, the words of the words table indexed as it.
    forms: HashMap<String, Vec<String>>,
    layout: Layout,
    /// The next free tail piece number.
    next_tail: u32,
}

/// What a save changes in the index's files.
#[derive(Debug, Default)]
pub struct Update {
    /// Files made again (some may have the same bytes as before).
    pub files: Vec<File>,
    /// Files no longer part of the index.
    pub gone: BTreeSet<String>,
}

impl Live {
    /// The index of `corpus`, exactly as [`super::index_with`] writes it, and what is kept
    /// to update it.
    pub fn build(corpus: Corpus, limits: &Limits) -> (Vec<File>, Live) {
        let docs = docs::extract(&corpus);
        let codes = codes(&corpus, &docs);
        let words = words::table(&docs, &codes);
        let full = engine::index(&docs, &codes);
        let kinds: Vec<Kind> = docs.iter().map(|d| d.kind).collect();
        let forms: HashMap<String, Vec<String>> = words::by_term(&words)
            .into_iter()
            .map(|(t, w)| (t.to_string(), w.into_iter().map(str::to_string).collect()))
            .collect();
        let entries: Vec<Entry> = full
            .terms
            .par_iter()
            .map(|t| {
                let w = shard::weigh_term(t, full.docs, &full.lengths, &kinds);
                let mut e = shard::entry(w, limits);
                e.words = forms.get(&t.term).cloned().unwrap_or_default();
                e
            })
            .collect();
        let (files, layout) =
            files::write_kept(&corpus, &docs, entries, &words, &codes, limits, true);
        let next_tail = layout
            .shards
            .iter()
            .flatten()
            .flat_map(|p| &p.tails)
            .max()
            .map_or(0, |m| m + 1);
        let live = Live {
            limits: *limits,
            corpus,
            docs,
            codes,
            kinds,
            lengths: full.lengths,
            postings: full.terms.into_iter().map(|t| (t.term, t.fields)).collect(),
            forms,
            layout,
            next_tail,
        };
        (files, live)
    }

    /// The corpus indexed.
    pub fn corpus(&self) -> &Corpus {
        &self.corpus
    }

    /// Brings the index up to date with `texts` (text number, what search now reads of
    /// it; the others are as they were) and the glossary `glossary`. `None` when the
    /// save changes what the shortcut keeps (see the module docs): nothing was changed,
    /// and the index is to be built again in full.
    pub fn update(
        &mut self,
        texts: Vec<(usize, CorpusText)>,
        glossary: Vec<GlossaryTerm>,
    ) -> Option<Update> {
        if self.layout.shards.is_empty() {
            return None; // nothing kept to update (an index without terms)
        }
        let ranges = kind_ranges(&self.docs);
        let mut changed: BTreeMap<u32, Doc> = BTreeMap::new();
        // Texts whose title or page changed: every chunk naming them is made again.
        let mut renamed = Vec::new();
        let mut new_texts = Vec::new();
        for (i, text) in texts {
            let old = self.corpus.texts.get(i)?;
            if *old == text {
                continue;
            }
            if old.language != text.language || old.slug != text.slug {
                return None;
            }
            for kind in [Kind::Para, Kind::Note, Kind::Question] {
                let (s, e) = ranges[kind as usize];
                let of_kind = &self.docs[s..e];
                let a = s + of_kind.partition_point(|d| d.text < Some(i));
                let b = s + of_kind.partition_point(|d| d.text <= Some(i));
                let now = docs::of_text(i, &text, kind);
                if now.len() != b - a {
                    return None;
                }
                for (d, doc) in (a..b).zip(now) {
                    if self.docs[d] != doc {
                        changed.insert(d as u32, doc);
                    }
                }
            }
            if old.title != text.title || old.path != text.path {
                renamed.push(i);
            }
            new_texts.push((i, text));
        }
        if glossary != self.corpus.glossary {
            let (s, e) = ranges[Kind::Term as usize];
            let now = docs::of_glossary(&glossary);
            if now.len() != e - s {
                return None;
            }
            for (d, doc) in (s..e).zip(now) {
                if self.docs[d] != doc {
                    changed.insert(d as u32, doc);
                }
            }
        }
        let client = |d: &u32| self.codes.get(*d as usize) == Some(&language::CLIENT);
        if !changed.keys().all(client) {
            return None; // the words table may change
        }
        for (i, text) in new_texts {
            self.corpus.texts[i] = text;
        }
        self.corpus.glossary = glossary;

        let mut update = Update::default();
        let chunk = self.layout.chunk.max(1);
        let mut chunks: BTreeSet<usize> = changed.keys().map(|&d| d as usize / chunk).collect();
        for i in renamed {
            for (d, doc) in self.docs.iter().enumerate() {
                if doc.text == Some(i) {
                    chunks.insert(d / chunk);
                }
            }
        }
        let mut affected = BTreeSet::new();
        for (d, doc) in changed {
            let (old, _) = engine::count_doc(&self.docs[d as usize], d, &self.codes);
            for (term, fields) in old {
                if let Some(slot) = self.postings.get_mut(&term) {
                    for (list, gone) in slot.iter_mut().zip(&fields) {
                        if !gone.is_empty() {
                            list.retain(|p| p.0 != d);
                        }
                    }
                    if slot.iter().all(Vec::is_empty) {
                        self.postings.remove(&term);
                    }
                }
                affected.insert(term);
            }
            let (new, length) = engine::count_doc(&doc, d, &self.codes);
            for (term, fields) in new {
                let slot = self.postings.entry(term.clone()).or_default();
                for (list, added) in slot.iter_mut().zip(fields) {
                    for p in added {
                        let at = list.partition_point(|q| q.0 < p.0);
                        list.insert(at, p);
                    }
                }
                affected.insert(term);
            }
            self.lengths[d as usize] = length;
            self.docs[d as usize] = doc;
        }

        let mut dirty = BTreeSet::new();
        let mut fresh = BTreeSet::new();
        for term in affected {
            let now = self.postings.get(&term).map(|fields| {
                let w =
                    shard::weigh_fields(&term, fields, self.docs.len(), &self.lengths, &self.kinds);
                let mut e = shard::entry(w, &self.limits);
                e.words = self.forms.get(&term).cloned().unwrap_or_default();
                e
            });
            let s = self
                .layout
                .boundaries
                .partition_point(|b| b.as_str() <= term.as_str())
                .saturating_sub(1);
            let Some(group) = self.layout.shards.get(s) else {
                continue; // cannot be: the layout has a shard from ""
            };
            let at = group.binary_search_by(|p| p.entry.term.as_str().cmp(term.as_str()));
            match (at, now) {
                (Ok(k), Some(e)) if group[k].entry == e => {}
                (Ok(k), Some(e)) => {
                    let old = std::mem::take(&mut self.layout.shards[s][k].tails);
                    let tails = self.tail_ids(old, &e, &mut update.gone);
                    self.layout.shards[s][k] = Placed { entry: e, tails };
                    dirty.insert(s);
                    fresh.insert(term);
                }
                (Err(k), Some(e)) => {
                    let tails = self.tail_ids(Vec::new(), &e, &mut update.gone);
                    self.layout.shards[s].insert(k, Placed { entry: e, tails });
                    dirty.insert(s);
                    fresh.insert(term);
                }
                (Ok(k), None) => {
                    let placed = self.layout.shards[s].remove(k);
                    update
                        .gone
                        .extend(placed.tails.iter().map(|id| tail_path(*id)));
                    dirty.insert(s);
                }
                (Err(_), None) => {}
            }
        }
        for s in dirty {
            let (file, tails) = files::term_shard(s as u32, &self.layout.shards[s], None, &|p| {
                fresh.contains(&p.entry.term)
            });
            update.files.push(file);
            update.files.extend(tails);
        }
        for k in chunks {
            let start = k * chunk;
            let end = (start + chunk).min(self.docs.len());
            if let Some(docs) = self.docs.get(start..end) {
                update
                    .files
                    .push(files::excerpt_file(&self.corpus, k, chunk, docs));
            }
        }
        update
            .files
            .push(files::texts_file(&self.corpus, &self.docs));
        // The files written again are not gone.
        for f in &update.files {
            update.gone.remove(&f.path);
        }
        Some(update)
    }

    /// The tail piece numbers for entry `e`, reusing `old` (a term's numbers before):
    /// those left over are gone.
    fn tail_ids(&mut self, old: Vec<u32>, e: &Entry, gone: &mut BTreeSet<String>) -> Vec<u32> {
        let pieces = e.tail.iter().filter(|p| !p.is_empty()).count();
        let mut ids: Vec<u32> = old.iter().copied().take(pieces).collect();
        gone.extend(old.iter().skip(pieces).map(|id| tail_path(*id)));
        while ids.len() < pieces {
            ids.push(self.next_tail);
            self.next_tail += 1;
        }
        ids
    }
}

fn tail_path(id: u32) -> String {
    format!("search/tails/{id}.js")
}

/// What queries can find in an index's files (path → bytes): the manifest without its
/// layout, each term's postings (head and tail together), tail bound and words, each
/// document's place and words, and the texts and words tables as written. Two indexes
/// with the same answers give every query the same results. Terms found outside the shard
/// the manifest's boundaries name are listed in `misplaced` (a query would miss them).
#[derive(Debug, PartialEq)]
pub struct Answers {
    /// The manifest, without the layout fields that differ between equal indexes.
    pub manifest: Option<Manifest>,
    /// Every term, as queries find it.
    pub terms: BTreeMap<String, TermAnswer>,
    /// Every document, as results show it.
    pub docs: Vec<DocAnswer>,
    /// The texts and words tables, as written.
    pub tables: BTreeMap<String, Vec<u8>>,
    /// Terms found in a shard their boundaries do not lead to.
    pub misplaced: Vec<String>,
    /// Files that could not be read as their record.
    pub unreadable: Vec<String>,
    /// Scripts under `search/` that no query reaches (left behind).
    pub unused: Vec<String>,
}

/// A term as queries find it.
#[derive(Debug, PartialEq)]
pub struct TermAnswer {
    /// Head and tail together, by document.
    pub postings: Vec<(u32, u32)>,
    /// Its number of postings in all, head and tail.
    pub total: u32,
    /// The tail's bound on what it can add to a document (0 without a tail).
    pub theta: u32,
    /// Other languages' words indexed as the term.
    pub words: Vec<String>,
}

/// A document as results show it.
#[derive(Debug, PartialEq)]
pub struct DocAnswer {
    /// The text it is in; `None` for a glossary term.
    pub text: Option<TextRef>,
    /// The fragment the result links to.
    pub anchor: String,
    /// How the result names it; `None` for a paragraph (named by its number).
    pub label: Option<String>,
    /// Its words, what excerpts are cut from.
    pub words: String,
}

/// [`Answers`] of the files under `search/` among `files`.
pub fn answers(files: &BTreeMap<String, Vec<u8>>) -> Answers {
    let mut out = Answers {
        manifest: None,
        terms: BTreeMap::new(),
        docs: Vec::new(),
        tables: BTreeMap::new(),
        misplaced: Vec::new(),
        unreadable: Vec::new(),
        unused: Vec::new(),
    };
    let mut reached: BTreeSet<String> = BTreeSet::new();
    reached.insert("search/manifest.js".into());
    reached.insert("search/texts.js".into());
    let text = |path: &str| {
        files
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let Some(manifest) = text("search/manifest.js").and_then(|s| record::<Manifest>(&s)) else {
        out.unreadable.push("search/manifest.js".into());
        return out;
    };
    for (path, bytes) in files {
        if path == "search/texts.js" || path.starts_with("search/words/") {
            out.tables.insert(path.clone(), bytes.clone());
        }
    }
    for (i, _) in manifest.words.iter().enumerate() {
        reached.insert(format!("search/words/{i}.js"));
    }
    for (i, _) in manifest.shards.iter().enumerate() {
        let path = format!("search/shards/{i}.js");
        reached.insert(path.clone());
        let Some(shard) = text(&path).and_then(|s| unpacked::<Shard>(&s)) else {
            out.unreadable.push(path);
            continue;
        };
        for (k, term) in shard.terms.iter().enumerate() {
            let named = manifest
                .shards
                .partition_point(|b| b.as_str() <= term.as_str())
                .saturating_sub(1);
            if named != i {
                out.misplaced.push(term.clone());
            }
            let mut all = shard
                .postings
                .get(k)
                .and_then(|p| postings::decode(p))
                .unwrap_or_default();
            let (total, theta) = match shard.tails.get(&k) {
                Some(tail) => {
                    for piece in &tail.pieces {
                        let path = tail_path(piece.id);
                        reached.insert(path.clone());
                        match text(&path)
                            .and_then(|s| unpacked::<TailPiece>(&s))
                            .and_then(|t| postings::decode(&t.postings))
                        {
                            Some(p) => all.extend(p),
                            None => out.unreadable.push(path),
                        }
                    }
                    (tail.total, tail.theta)
                }
                None => (all.len() as u32, 0),
            };
            all.sort_unstable();
            out.terms.insert(
                term.clone(),
                TermAnswer {
                    postings: all,
                    total,
                    theta,
                    words: shard.words.get(&k).cloned().unwrap_or_default(),
                },
            );
        }
    }
    let chunk = manifest.chunk.max(1) as usize;
    for k in 0..(manifest.docs as usize).div_ceil(chunk) {
        let path = format!("search/docs/{k}.js");
        reached.insert(path.clone());
        let Some(c) = text(&path).and_then(|s| unpacked::<ExcerptChunk>(&s)) else {
            out.unreadable.push(path);
            continue;
        };
        let mut places = Vec::new();
        for run in &c.paragraphs {
            for n in run.first..run.first + run.count {
                places.push((Some(run.text), format!("p{n}"), None));
            }
        }
        for p in &c.places {
            places.push((p.text, p.anchor.clone(), Some(p.label.clone())));
        }
        for ((t, anchor, label), words) in places.into_iter().zip(c.words) {
            out.docs.push(DocAnswer {
                text: t.and_then(|t| c.texts.get(&t).cloned()),
                anchor,
                label,
                words,
            });
        }
    }
    out.unused = files
        .keys()
        .filter(|p| p.starts_with("search/") && p.ends_with(".js") && !reached.contains(*p))
        .cloned()
        .collect();
    out.manifest = Some(Manifest {
        shards: Vec::new(),
        chunk: 0,
        ..manifest
    });
    out
}

/// The JSON a script file hands to `scholiaSearch.<call>(id, …)` (or `(…)`), as `T`.
fn record<T: serde::de::DeserializeOwned>(script: &str) -> Option<T> {
    let open = script.find('(')?;
    let body = script[open + 1..].trim_end().trim_end_matches(");");
    let body = match body.split_once(',') {
        Some((id, rest)) if id.parse::<usize>().is_ok() => rest,
        _ => body,
    };
    serde_json::from_str(body).ok()
}

fn unpacked<T: serde::de::DeserializeOwned>(script: &str) -> Option<T> {
    let packed: String = record(script)?;
    super::format::packed::unpack(&packed)
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
