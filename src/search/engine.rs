//! The full-text index: elasticlunr's postings, counted by us.
//!
//! `elasticlunr-rs` (the crate Zola and mdBook use) is kept for its language pipelines
//! (tokenizer, trimmer, stop words, stemmers); its `Index` is not used to build ours, as
//! it keeps the postings in a private trie and gives them out only as JSON. [`index`]
//! counts terms straight from the documents, in parallel, exactly as elasticlunr does;
//! the tests hold it to elasticlunr's own index, read back from its JSON (`read`).

use std::borrow::Borrow;
// foldhash (hashbrown's default) rather than SipHash: every token of the site is looked up.
use hashbrown::HashMap;
#[cfg(test)]
use std::{collections::BTreeMap, fmt};

use elasticlunr::pipeline::Pipeline;
use elasticlunr::{Index, IndexBuilder};
use rayon::prelude::*;
#[cfg(test)]
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
#[cfg(test)]
use serde::Deserialize;

use super::docs::Doc;
use crate::language;

/// The indexed fields of a document, in the order of [`Doc::fields`].
pub const FIELDS: [&str; 3] = ["title", "body", "tags"];

/// How much a hit in each field weighs (elasticlunr's field boost).
pub const FIELD_BOOSTS: [f64; 3] = [2.0, 1.0, 2.0];

/// Longer tokens (URLs, runs of symbols) are not indexed, by the client either: nobody
/// searches for them, and each character is a level of elasticlunr's trie.
pub const MAX_TOKEN_CHARS: usize = 64;

impl Doc {
    /// Its fields in the order of [`FIELD_BOOSTS`]: title, body, tags.
    pub fn fields(&self) -> [&str; 3] {
        [&self.title, &self.body, &self.tags]
    }
}

/// elasticlunr's tokenizer (whitespace and hyphens, lowercased), without overlong tokens.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = elasticlunr::lang::tokenize_whitespace(text);
    tokens.retain(|t| t.chars().count() <= MAX_TOKEN_CHARS);
    tokens
}

/// The terms elasticlunr indexes for `text` (tokenizer, trimmer, stop words, stemmer) in
/// the language of pipeline `code` ([`language::code`]), in order: for English, what the
/// client's port of the pipeline must reproduce.
pub fn terms(text: &str, code: &str) -> Vec<String> {
    language::elasticlunr(code)
        .make_pipeline()
        .run(tokenize(text))
}

/// The elasticlunr index of `docs` in the language of pipeline `code`, references being
/// document numbers. `save_docs` keeps the documents' fields in it, as Zola's single-file
/// index does.
pub fn elasticlunr_index<D: Borrow<Doc>>(docs: &[D], code: &str, save_docs: bool) -> Index {
    let mut builder = IndexBuilder::with_language(language::elasticlunr(code)).save_docs(save_docs);
    for field in FIELDS {
        builder = builder.add_field_with_tokenizer(field, Box::new(tokenize));
    }
    let mut index = builder.build();
    for (i, doc) in docs.iter().enumerate() {
        index.add_doc(&i.to_string(), doc.borrow().fields());
    }
    index
}

/// Documents per part: parts are counted in parallel, each with its own cache of what the
/// pipeline made of each distinct token (a site of 3 million words has some 30,000
/// distinct ones, so the stemmer runs once per token and part, not once per word). Parts
/// of 2,048 held some 5 MiB more at LARGE's peak, for no measurable speed.
const PART: usize = 1_024;

/// The full index of `docs` (references are document numbers): per term and field, the
/// documents it occurs in with the number of times it occurs there, and each document's field
/// lengths, exactly as elasticlunr's `Index::add_doc` counts them. `codes[d]` is the
/// pipeline of document d's language.
///
/// elasticlunr-rs keeps its inverted index private (a trie, given out only as JSON), so
/// we count ourselves, with its tokenizer and language pipelines: a term's postings in a
/// document do not depend on the other documents, so parts of the documents are counted
/// in parallel and put together in document order.
pub fn index(docs: &[Doc], codes: &[&str]) -> Full {
    let mut merged = Merged::default();
    for (g, chunk) in docs.chunks(group()).enumerate() {
        merged.add(count_group(chunk, g * group(), codes));
    }
    merged.finish(docs.len())
}

/// [`index`], freeing each document's words ([`Doc::forget_words`]) once its group is
/// counted: the postings grow as the documents' words go, so a build never holds both
/// whole (the excerpts must be written before).
pub fn index_forgetting(docs: &mut [Doc], codes: &[&str]) -> Full {
    let mut merged = Merged::default();
    let mut first = 0;
    while first < docs.len() {
        let end = (first + group()).min(docs.len());
        merged.add(count_group(&docs[first..end], first, codes));
        for d in &mut docs[first..end] {
            d.forget_words();
        }
        // The words and the group's counts are freed amid the postings that stay: given
        // back now, the next group's counts do not come on top of them.
        crate::memory::release_freed_memory();
        first = end;
    }
    merged.finish(docs.len())
}

/// Documents counted at a time (one part per thread), each group merged in document
/// order as soon as it is counted: a part's vocabulary has room for most of the site's
/// terms, so every part held at once was most of the build's peak memory (two parts per
/// thread held some 10 MiB more at LARGE's peak, for no measurable speed).
fn group() -> usize {
    PART * rayon::current_num_threads().max(1)
}

/// The parts of a group of documents, the first numbered `first`, counted in parallel.
fn count_group(chunk: &[Doc], first: usize, codes: &[&str]) -> Vec<Counted> {
    chunk
        .par_chunks(PART)
        .enumerate()
        .map(|(k, part)| count(part, (first + k * PART) as u32, codes))
        .collect()
}

/// The parts counted so far, put together in document order.
/// Makes room in `to` for `more` postings, growing by a quarter at least: doubling would
/// leave a third of the site's postings' room unused at the stage's peak, and room made
/// to measure for each part copied a common term's postings once per part (quadratic in
/// the site's size).
fn grow_for<T>(to: &mut Vec<T>, more: usize) {
    if to.capacity() - to.len() < more {
        to.reserve_exact(more.max(to.len() / 4));
    }
}

#[derive(Default)]
struct Merged {
    by_term: HashMap<String, FieldPostings>,
    lengths: Vec<[u32; 3]>,
}

impl Merged {
    fn add(&mut self, parts: Vec<Counted>) {
        for part in parts {
            self.lengths.extend(part.lengths);
            for (term, fields) in part.terms {
                match self.by_term.get_mut(&term) {
                    Some(slot) => {
                        for (to, from) in slot.iter_mut().zip(fields) {
                            grow_for(to, from.len());
                            to.extend(from);
                        }
                    }
                    None => {
                        self.by_term.insert(term, fields);
                    }
                }
            }
        }
    }

    fn finish(self, docs: usize) -> Full {
        let mut terms: Vec<TermPostings> = self
            .by_term
            .into_iter()
            .map(|(term, fields)| TermPostings { term, fields })
            .collect();
        terms.par_sort_unstable_by(|a, b| a.term.cmp(&b.term));
        Full {
            docs,
            terms,
            lengths: self.lengths,
        }
    }
}

/// Per field, the documents a term occurs in with the number of times it occurs there
/// (elasticlunr's term frequency is its square root, taken when weighing: [`tf`]). A
/// count is half the memory of the frequency, and the site's postings are most of the
/// search stage's peak.
pub type FieldPostings = [Vec<(u32, u32)>; 3];

/// elasticlunr's term frequency of a term that occurs `count` times in a field.
pub fn tf(count: u32) -> f64 {
    f64::from(count).sqrt()
}

/// Document `d`'s terms, each with its one posting per field it occurs in, and its
/// field lengths, counted as [`index`] counts them (`codes` as there, by document
/// number): what `serve` takes out of the index and puts back when a document changes.
pub fn count_doc(doc: &Doc, d: u32, codes: &[&str]) -> (Vec<(String, FieldPostings)>, [u32; 3]) {
    let Counted { terms, lengths } = count(std::slice::from_ref(doc), d, codes);
    (
        terms.into_iter().collect(),
        lengths.first().copied().unwrap_or_default(),
    )
}

/// One part's counts: documents `first..` in order.
struct Counted {
    terms: HashMap<String, FieldPostings>,
    lengths: Vec<[u32; 3]>,
}

/// What a pipeline made of each distinct token: a term number into `terms`, or none.
/// (Tokens differ more than terms: "runs" and "running" are both "run".)
/// Keyed by the token as written, so that a token seen before costs one lookup and no
/// allocation; lowercasing, the length cap and the pipeline run once per distinct token.
#[derive(Default)]
struct Vocabulary<'a> {
    ids: HashMap<&'a str, Option<u32>>,
    by_term: HashMap<String, u32>,
    terms: Vec<String>,
}

impl<'a> Vocabulary<'a> {
    fn term(&mut self, raw: &'a str, pipeline: &Pipeline) -> Option<u32> {
        if let Some(id) = self.ids.get(raw) {
            return *id;
        }
        // As [`tokenize`]: lowercased, and not at all when overlong.
        let token = raw.to_lowercase();
        let term = if token.chars().count() > MAX_TOKEN_CHARS {
            None
        } else {
            pipeline.run(vec![token]).pop()
        };
        let id = term.map(|term| {
            *self.by_term.entry(term).or_insert_with_key(|term| {
                self.terms.push(term.clone());
                (self.terms.len() - 1) as u32
            })
        });
        self.ids.insert(raw, id);
        id
    }
}

fn count<'a>(part: &'a [Doc], first: u32, codes: &[&str]) -> Counted {
    let mut pipelines: HashMap<&str, (Pipeline, Vocabulary<'a>)> = HashMap::new();
    // Per language and term number, the postings of each field.
    let mut postings: HashMap<&str, Vec<FieldPostings>> = HashMap::new();
    let mut lengths = Vec::with_capacity(part.len());
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for (i, doc) in part.iter().enumerate() {
        let d = first + i as u32;
        let code = codes.get(d as usize).copied().unwrap_or(language::CLIENT);
        let (pipeline, vocabulary) = pipelines.entry(code).or_insert_with(|| {
            (
                language::elasticlunr(code).make_pipeline(),
                Vocabulary::default(),
            )
        });
        let lists = postings.entry(code).or_default();
        let mut length = [0u32; 3];
        for (f, field) in doc.fields().iter().enumerate() {
            counts.clear();
            for raw in field
                .split(|c: char| c.is_whitespace() || c == '-')
                .filter(|t| !t.is_empty())
            {
                if let Some(id) = vocabulary.term(raw, pipeline) {
                    counts.push((id, 1));
                    length[f] += 1;
                }
            }
            counts.sort_unstable();
            counts.dedup_by(|b, a| {
                let same = a.0 == b.0;
                if same {
                    a.1 += b.1;
                }
                same
            });
            if lists.len() < vocabulary.terms.len() {
                lists.resize_with(vocabulary.terms.len(), Default::default);
            }
            for &(id, n) in &counts {
                lists[id as usize][f].push((d, n));
            }
        }
        lengths.push(length);
    }
    let mut terms: HashMap<String, FieldPostings> = HashMap::new();
    for (code, (_, vocabulary)) in pipelines {
        let lists = postings.remove(code).unwrap_or_default();
        for (term, fields) in vocabulary.terms.into_iter().zip(lists) {
            match terms.get_mut(&term) {
                // The same term from two languages: merge, in document order.
                Some(slot) => {
                    for (to, from) in slot.iter_mut().zip(fields) {
                        to.extend(from);
                        to.sort_by_key(|p| p.0);
                    }
                }
                None => {
                    terms.insert(term, fields);
                }
            }
        }
    }
    Counted { terms, lengths }
}

/// A term and, per field, the documents it occurs in with the number of times it occurs
/// there (see [`FieldPostings`]), by document number.
#[derive(Debug, Clone, PartialEq)]
pub struct TermPostings {
    /// The term, as the language pipeline left it (stemmed).
    pub term: String,
    /// Per field (title, body, tags), `(document, count)` by document.
    pub fields: FieldPostings,
}

/// elasticlunr's index as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct Full {
    /// Number of documents.
    pub docs: usize,
    /// Sorted by term (byte order).
    pub terms: Vec<TermPostings>,
    /// Per document, the number of terms in each field.
    pub lengths: Vec<[u32; 3]>,
}

/// Reads an elasticlunr index back from its JSON: the oracle the tests hold [`index`] to.
#[cfg(test)]
pub fn read(index: &Index) -> Result<Full, String> {
    let json = index.to_json();
    let dump: Dump = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let docs = dump.document_store.length;
    let mut lengths = vec![[0u32; 3]; docs];
    for (doc, info) in &dump.document_store.doc_info {
        let n: usize = doc.parse().map_err(|_| format!("bad reference {doc}"))?;
        let slot = lengths
            .get_mut(n)
            .ok_or_else(|| format!("reference {doc} out of range"))?;
        for (f, name) in FIELDS.iter().enumerate() {
            slot[f] = info.get(*name).copied().unwrap_or(0);
        }
    }
    let mut by_term: BTreeMap<String, FieldPostings> = BTreeMap::new();
    for (f, name) in FIELDS.iter().enumerate() {
        let Some(field) = dump.index.get(*name) else {
            continue;
        };
        for (term, postings) in &field.root.0 {
            // elasticlunr stores the frequency, we the count it is the square root of:
            // the count read back must give elasticlunr's frequency to the last bit.
            let counts = postings
                .iter()
                .map(|&(d, freq)| {
                    let count = (freq * freq).round() as u32;
                    (tf(count) == freq)
                        .then_some((d, count))
                        .ok_or_else(|| format!("{term}: frequency {freq} is no count's root"))
                })
                .collect::<Result<_, _>>()?;
            by_term.entry(term.clone()).or_default()[f] = counts;
        }
    }
    let terms = by_term
        .into_iter()
        .map(|(term, fields)| TermPostings { term, fields })
        .collect();
    Ok(Full {
        docs,
        terms,
        lengths,
    })
}

#[cfg(test)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dump {
    index: BTreeMap<String, FieldIndex>,
    document_store: Store,
}

#[cfg(test)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Store {
    length: usize,
    doc_info: BTreeMap<String, BTreeMap<String, u32>>,
}

#[cfg(test)]
#[derive(Deserialize)]
struct FieldIndex {
    root: Trie,
}

#[cfg(test)]
/// A field's trie, flattened: every term that has documents, sorted.
struct Trie(Vec<(String, Vec<(u32, f64)>)>);

#[cfg(test)]
impl<'de> Deserialize<'de> for Trie {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Trie, D::Error> {
        let mut prefix = String::new();
        let mut out = Vec::new();
        d.deserialize_map(Node {
            prefix: &mut prefix,
            out: &mut out,
        })?;
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Trie(out))
    }
}

#[cfg(test)]
/// One trie node: `{"docs": {...}, "df": n, "<char>": child, ...}`.
struct Node<'a> {
    prefix: &'a mut String,
    out: &'a mut Vec<(String, Vec<(u32, f64)>)>,
}

#[cfg(test)]
impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[cfg(test)]
impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an elasticlunr index node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut docs = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "docs" => docs = map.next_value::<Docs>()?.0,
                "df" => {
                    map.next_value::<IgnoredAny>()?;
                }
                k => {
                    let mut chars = k.chars();
                    let (Some(c), None) = (chars.next(), chars.next()) else {
                        return Err(de::Error::custom(format!("unexpected key {k:?}")));
                    };
                    self.prefix.push(c);
                    map.next_value_seed(Node {
                        prefix: &mut *self.prefix,
                        out: &mut *self.out,
                    })?;
                    self.prefix.pop();
                }
            }
        }
        if !docs.is_empty() {
            docs.sort_by_key(|p| p.0);
            self.out.push((self.prefix.clone(), docs));
        }
        Ok(())
    }
}

#[cfg(test)]
/// `{"<ref>": {"tf": x}, ...}` as (document number, tf).
struct Docs(Vec<(u32, f64)>);

#[cfg(test)]
impl<'de> Deserialize<'de> for Docs {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Docs, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Docs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("postings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Docs, A::Error> {
                #[derive(Deserialize)]
                struct Tf {
                    tf: f64,
                }
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let doc: u32 = key
                        .parse()
                        .map_err(|_| de::Error::custom(format!("bad reference {key:?}")))?;
                    out.push((doc, map.next_value::<Tf>()?.tf));
                }
                Ok(Docs(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::docs::Kind;

    fn doc(title: &str, body: &str) -> Doc {
        Doc {
            kind: Kind::Para,
            text: Some(0),
            anchor: "p1".into(),
            label: "¶ 1".into(),
            title: title.into(),
            body: body.into(),
            tags: String::new(),
        }
    }

    #[test]
    fn english_pipeline_trims_drops_stop_words_and_stems() {
        assert_eq!(
            terms("The Coalitions, of “willing” states-building!", "en"),
            ["coalit", "will", "state", "build"]
        );
        assert_eq!(terms("running RUNS ran", "en"), ["run", "run", "ran"]);
    }

    #[test]
    fn each_document_is_indexed_in_its_own_language() {
        let docs = [
            doc("", "les nations mangeaient"),
            doc("", "the nations were eating"),
            doc("", "nationalités"),
        ];
        let full = index(&docs, &["fr", "en", "fr"]);
        let get = |t: &str| {
            let p = full.terms.iter().find(|p| p.term == t);
            p.map(|p| p.fields[1].iter().map(|x| x.0).collect::<Vec<_>>())
        };
        // French: "les" is a stop word, "mangeaient" → "mang"; English: "eating" → "eat".
        assert_eq!(get("mang"), Some(vec![0]));
        assert_eq!(get("eat"), Some(vec![1]));
        assert_eq!(get("les"), None);
        assert_eq!(get("nation"), Some(vec![0, 1]));
        assert_eq!(full.lengths, vec![[0, 2, 0], [0, 2, 0], [0, 1, 0]]);
        assert_eq!(terms("Les États-nations", "fr"), ["état", "nation"]);
    }

    #[test]
    fn overlong_tokens_are_not_indexed() {
        let long = "x".repeat(MAX_TOKEN_CHARS + 1);
        assert_eq!(
            terms(&format!("short {long} words"), "en"),
            ["short", "word"]
        );
    }

    #[test]
    fn an_index_built_in_parts_is_the_index_built_at_once() {
        // In parts, and with the pipeline run once per distinct token: the same postings
        // as elasticlunr's own index of all documents at once, in any language.
        let words = [
            "alliance",
            "the",
            "treaty,",
            "«burden»",
            "sharing",
            "coalitions",
            "états",
            "les",
            "Bündnisse",
            "2024",
            "state",
            "running",
            "runs",
            "Run",
        ];
        let docs: Vec<Doc> = (0..PART * 2 + 17)
            .map(|i| {
                let body: Vec<&str> = (0..(i % 7) + 1)
                    .map(|k| words[(i * k + k) % words.len()])
                    .collect();
                doc(if i % 5 == 0 { "Treaty" } else { "" }, &body.join(" "))
            })
            .collect();
        for code in ["en", "fr", "de", language::PLAIN] {
            let at_once = read(&elasticlunr_index(&docs, code, false)).unwrap();
            assert_eq!(index(&docs, &vec![code; docs.len()]), at_once, "{code}");
        }
    }

    #[test]
    fn reading_the_index_back_gives_every_posting() {
        let docs = [
            doc("Coalitions", "coalitions form for tasks"),
            doc("", "alliances form against threats; threats threats"),
        ];
        let full = read(&elasticlunr_index(&docs, "en", false)).unwrap();
        assert_eq!(full.docs, 2);
        assert_eq!(full.lengths, vec![[1, 3, 0], [0, 6, 0]]);
        let get = |t: &str| full.terms.iter().find(|p| p.term == t).unwrap();
        assert_eq!(get("coalit").fields[0], vec![(0, 1)]);
        assert_eq!(get("coalit").fields[1], vec![(0, 1)]);
        assert_eq!(get("form").fields[1], vec![(0, 1), (1, 1)]);
        assert_eq!(get("threat").fields[1], vec![(1, 3)]);
        assert_eq!(tf(3), 3f64.sqrt());
        let names: Vec<&str> = full.terms.iter().map(|t| t.term.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}
