//! The search stage on real sites: which documents exist, and that the shards hold the
//! whole elasticlunr index, each term once, with the same postings, within size bounds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::corpus::{CorpusNote, CorpusText};
use super::docs::{extract, Doc, Kind};
use super::engine::{self, Full};
use super::format::{
    self, postings, ExcerptChunk, Manifest, Shard, TailPiece, TextEntry, WordsShard,
};
use super::shard::{self, Limits};
use super::*;
use crate::config::BuildOptions;
use crate::diagnostics::Diagnostics;

/// What search reads of a site, as the pipeline makes it.
struct Built {
    corpus: Corpus,
}

fn build(dir: &Path, instructor: bool, drafts: bool) -> Built {
    let options = BuildOptions {
        site_dir: dir.to_path_buf(),
        output: dir.join("public"),
        instructor,
        drafts,
        base_url: None,
    };
    let mut diags = Diagnostics::new();
    let site = crate::load::site(&options, &mut diags).expect("site loads");
    let corpus = crate::pipeline::search_corpus(&site, &mut diags);
    assert!(!diags.has_errors(), "{}", diags.render(false));
    Built { corpus }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn basic() -> PathBuf {
    repo().join("tests/sites/basic")
}

impl Built {
    fn corpus(&self) -> Corpus {
        self.corpus.clone()
    }

    fn docs(&self) -> Vec<Doc> {
        extract(&self.corpus())
    }

    fn files(&self, limits: &Limits) -> BTreeMap<String, String> {
        index_with(&self.corpus(), limits)
            .into_iter()
            .map(|f| (f.path, String::from_utf8(f.bytes).expect("UTF-8")))
            .collect()
    }
}

/// The files' text, a packed record's as its JSON (what words it holds).
impl Built {
    fn readable(&self, limits: &Limits) -> BTreeMap<String, String> {
        let mut files = self.files(limits);
        for text in files.values_mut() {
            if let Value::String(packed) = payload(text) {
                *text = format::packed::json(&packed).expect("a packed record");
            }
        }
        files
    }
}

/// The record a script file hands to `scholiaSearch.<call>(id, …)`, as type `T`.
fn record<T: serde::de::DeserializeOwned>(script: &str) -> T {
    serde_json::from_value(payload(script)).unwrap_or_else(|e| panic!("{e}: {script:.200}"))
}

/// The packed record a script file hands to `scholiaSearch.<call>(id, …)`, unpacked.
fn unpacked<T: serde::de::DeserializeOwned>(path: &str, script: &str) -> T {
    let packed: String = record(script);
    format::packed::unpack(&packed).unwrap_or_else(|| panic!("{path}: not a packed record"))
}

/// The JSON a script file hands to `scholiaSearch.<call>(id, …)` (or `(…)` without an id).
fn payload(script: &str) -> Value {
    let open = script.find('(').expect("a call");
    let body = script[open + 1..].trim_end().trim_end_matches(");");
    let body = match body.split_once(',') {
        Some((id, rest)) if id.parse::<usize>().is_ok() => rest,
        _ => body,
    };
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {script:.200}"))
}

#[test]
fn documents_are_paragraphs_notes_terms_and_questions_in_kind_order() {
    let built = build(&basic(), false, false);
    let docs = built.docs();
    let count = |k: Kind| docs.iter().filter(|d| d.kind == k).count();
    let paragraphs: usize = built.corpus.texts.iter().map(|t| t.paragraphs.len()).sum();
    assert_eq!(count(Kind::Para), paragraphs);
    assert_eq!(count(Kind::Note), 5, "{docs:#?}");
    assert_eq!(count(Kind::Term), 2);
    assert_eq!(count(Kind::Question), 2);
    assert!(docs.windows(2).all(|w| w[0].kind <= w[1].kind));

    let first = &docs[0];
    assert_eq!((first.anchor.as_str(), first.label.as_str()), ("p1", "¶ 1"));
    assert_eq!(first.title, "The First Text");
    assert!(first
        .body
        .starts_with("States cooperate when one or two of them"));
    assert!(docs[1].title.is_empty());
    let note = docs.iter().find(|d| d.anchor == "intense").expect("note");
    assert_eq!(note.title, "Who leads");
    assert_eq!(note.label, "Context · Who leads");
    assert_eq!(note.tags, "coalitions theory");
    // Cross-links read as their labels, as on the page.
    assert_eq!(
        note.body,
        "The core claim. Compare “answers the first text” and realism."
    );
    let term = docs.iter().find(|d| d.kind == Kind::Term).expect("term");
    assert_eq!(term.text, None);
    let realism = docs
        .iter()
        .find(|d| d.anchor == "realism")
        .expect("realism");
    assert_eq!(realism.title, "realism political realism");
    let q = docs.iter().find(|d| d.kind == Kind::Question).expect("q");
    assert_eq!(
        (q.anchor.as_str(), q.label.as_str()),
        ("questions", "Question 1")
    );
    assert_eq!(q.path(&built.corpus()), "unit-1/first/index.html");
}

#[test]
fn instructor_notes_and_drafts_stay_out_of_a_public_index() {
    let public = build(&basic(), false, false);
    let leaks = |docs: &[Doc]| {
        docs.iter()
            .filter(|d| {
                let all = format!("{} {} {} {}", d.title, d.body, d.label, d.tags);
                all.contains("SECRETWORD") || all.contains("DRAFTWORD")
            })
            .count()
    };
    assert_eq!(leaks(&public.docs()), 0);
    assert!(public.docs().iter().all(|d| d.anchor != "teacher-only"));
    for (path, text) in public.readable(&Limits::default()) {
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("secretword") && !lower.contains("draftword"),
            "{path} leaks"
        );
    }

    let full = build(&basic(), true, true);
    let docs = full.docs();
    assert_eq!(leaks(&docs), 2);
    let files = full.readable(&Limits::default());
    assert!(files.values().any(|t| t.contains("\"secretword\"")));
}

/// Every term of elasticlunr's index is in exactly one shard, with its postings and
/// weights intact, and every file is within its bounds: on the bundled site with small
/// limits, so that there are many shards, heads and tails.
#[test]
fn shards_hold_every_term_once_with_the_same_postings() {
    let built = build(&repo(), false, false);
    let limits = Limits {
        shard_target: 1_500,
        shard_max: 2_250,
        head_max: 25,
        piece_max: 20,
        chunk_target: 2_000,
    };
    let files = built.files(&limits);
    let docs = built.docs();
    let full: Full = engine::read(&engine::elasticlunr_index(&docs, "en", false)).unwrap();
    let kinds: Vec<Kind> = docs.iter().map(|d| d.kind).collect();
    let weighted = shard::weigh(&full, &kinds);

    let manifest: Manifest = record(&files["search/manifest.js"]);
    assert_eq!(manifest.format, format::FORMAT);
    assert_eq!(manifest.docs as usize, docs.len());
    let boundaries = manifest.shards.clone();
    assert!(boundaries.len() > 10, "{}", boundaries.len());
    assert_eq!(boundaries[0], "");
    assert!(boundaries.windows(2).all(|w| w[0] < w[1]));

    let mut found: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    let mut tails_used = BTreeSet::new();
    for (i, lower) in boundaries.iter().enumerate() {
        let path = format!("search/shards/{i}.js");
        let shard: Shard = unpacked(&path, &files[&path]);
        assert!(!shard.terms.is_empty());
        assert_eq!(shard.terms.len(), shard.postings.len());
        // The split targets the record's JSON; packing only makes the file smaller.
        let json = serde_json::to_string(&shard).unwrap().len();
        assert!(
            json <= limits.shard_max + 64 || shard.terms.len() == 1,
            "shard {i} has {json} bytes"
        );
        for (k, term) in shard.terms.iter().enumerate() {
            let term = term.clone();
            assert!(term.as_str() >= lower.as_str(), "{term} before shard {i}");
            if let Some(upper) = boundaries.get(i + 1) {
                assert!(term.as_str() < upper.as_str(), "{term} after shard {i}");
            }
            let mut postings = postings::decode(&shard.postings[k]).expect("postings decode");
            assert!(postings.len() <= limits.head_max);
            let head_min = postings.iter().map(|p| p.1).min().unwrap_or(0);
            let mut tail_max = 0;
            let total = shard.tails.get(&k).map(|t| t.total as usize);
            for piece in shard
                .tails
                .get(&k)
                .map(|t| t.pieces.clone())
                .unwrap_or_default()
            {
                assert!(tails_used.insert(piece.id), "tail {} used twice", piece.id);
                let path = format!("search/tails/{}.js", piece.id);
                let tail: TailPiece = unpacked(&path, &files[&path]);
                let tail = postings::decode(&tail.postings).expect("tail decodes");
                assert!(!tail.is_empty() && tail.len() <= limits.piece_max);
                assert_eq!(tail[0].0, piece.first);
                assert_eq!(tail.last().map(|p| p.0), Some(piece.last));
                tail_max = tail_max.max(tail.iter().map(|p| p.1).max().unwrap());
                postings.extend(tail);
            }
            let theta = shard.tails.get(&k).map_or(0, |t| t.theta);
            assert_eq!(theta, tail_max, "theta of {term}");
            assert!(
                tail_max <= head_min,
                "{term}: a tail posting outweighs the head"
            );
            postings.sort();
            assert_eq!(total.unwrap_or(postings.len()), postings.len());
            assert!(
                found.insert(term.clone(), postings).is_none(),
                "{term} is in two shards"
            );
        }
    }
    assert!(!tails_used.is_empty(), "no tails at these limits");

    assert_eq!(found.len(), full.terms.len());
    for (t, w) in full.terms.iter().zip(&weighted) {
        let postings = found
            .get(&t.term)
            .unwrap_or_else(|| panic!("{} lost", t.term));
        let docs_in_index: BTreeSet<u32> = t.fields.iter().flatten().map(|p| p.0).collect();
        let docs_in_shards: BTreeSet<u32> = postings.iter().map(|p| p.0).collect();
        assert_eq!(docs_in_shards, docs_in_index, "postings of {}", t.term);
        assert_eq!(postings, &w.postings, "weights of {}", t.term);
    }
}

/// Weights are elasticlunr's scores: a title hit beats a body hit, a rare term a common
/// one, a short paragraph a long one, and notes are boosted.
#[test]
fn weights_follow_elasticlunr_scoring() {
    let d = |kind: Kind, title: &str, body: &str| Doc {
        kind,
        text: Some(0),
        anchor: String::new(),
        label: String::new(),
        title: title.into(),
        body: body.into(),
        tags: String::new(),
    };
    let docs = [
        d(Kind::Para, "", "alliance treaty alliance"),
        d(Kind::Para, "Alliance", "treaty"),
        d(
            Kind::Para,
            "",
            "alliance words words words words words words words",
        ),
        d(Kind::Note, "", "alliance treaty alliance"),
        d(Kind::Para, "", "unrelated"),
    ];
    let full = engine::read(&engine::elasticlunr_index(&docs, "en", false)).unwrap();
    let kinds: Vec<Kind> = docs.iter().map(|d| d.kind).collect();
    let w = shard::weigh(&full, &kinds);
    let get = |t: &str| {
        w.iter()
            .find(|x| x.term == t)
            .unwrap()
            .postings
            .iter()
            .map(|p| p.1)
            .collect::<Vec<_>>()
    };
    let alliance = get("allianc");
    assert_eq!(alliance.len(), 4);
    assert!(alliance[1] > alliance[0], "title hit {alliance:?}");
    assert!(alliance[0] > alliance[2], "shorter paragraph {alliance:?}");
    assert!(alliance[3] > alliance[0], "note boost {alliance:?}");
    // N = 5 documents, df = 3 in the body: √2 × (1 + ln(5/4)) / √3 for the first paragraph.
    let expected = (2f64.sqrt() * (1.0 + (5.0f64 / 4.0).ln()) / 3f64.sqrt() * 100.0).round();
    assert_eq!(f64::from(alliance[0]), expected);
    assert!(get("unrel")[0] > get("treati")[0], "rare term");
}

#[test]
fn default_limits_keep_the_bundled_sites_files_small() {
    let built = build(&repo(), false, false);
    let files = built.files(&Limits::default());
    let manifest = &files["search/manifest.js"];
    assert!(manifest.len() < 2_000, "manifest: {} bytes", manifest.len());
    for (path, text) in &files {
        if path.starts_with("search/shards/") {
            assert!(text.len() <= 30_064, "{path}: {} bytes", text.len());
        }
        if path.starts_with("search/docs/") {
            assert!(text.len() <= 30_000, "{path}: {} bytes", text.len());
        }
    }
    let m: Manifest = record(manifest);
    let per = m.chunk as usize;
    let chunks = files
        .keys()
        .filter(|p| p.starts_with("search/docs/"))
        .count();
    assert_eq!(chunks, built.docs().len().div_ceil(per));
}

/// Every file of the index is one record of its type in `format` (no unknown fields), and
/// the records agree with each other: the format is what the types say.
#[test]
fn every_file_is_a_record_of_its_type() {
    let built = build(&repo(), false, false);
    let files = built.files(&Limits {
        head_max: 25,
        piece_max: 20,
        ..Limits::default()
    });
    let manifest: Manifest = record(&files["search/manifest.js"]);
    let docs = built.docs();
    let mut seen = 0;
    for (path, text) in &files {
        let dir = path
            .trim_start_matches("search/")
            .split('/')
            .next()
            .unwrap();
        match dir {
            "manifest.js" => {}
            "texts.js" => {
                let texts: Vec<TextEntry> = record(text);
                assert_eq!(texts.len(), manifest.texts as usize);
            }
            "shards" => drop(unpacked::<Shard>(path, text)),
            "tails" => drop(unpacked::<TailPiece>(path, text)),
            "words" => drop(record::<WordsShard>(text)),
            "docs" => {
                let chunk: ExcerptChunk = unpacked(path, text);
                assert_eq!(chunk.first % manifest.chunk, 0);
                // The places, paragraphs as the client expands their runs.
                let mut places: Vec<(Option<u32>, String, String)> = Vec::new();
                for run in &chunk.paragraphs {
                    for n in run.first..run.first + run.count {
                        places.push((Some(run.text), format!("p{n}"), format!("¶ {n}")));
                    }
                }
                for p in &chunk.places {
                    places.push((p.text, p.anchor.clone(), p.label.clone()));
                }
                assert_eq!(places.len(), chunk.words.len());
                for (k, (t, anchor, label)) in places.into_iter().enumerate() {
                    let d = &docs[chunk.first as usize + k];
                    assert_eq!((&anchor, &label), (&d.anchor, &d.label));
                    assert_eq!(t, d.text.map(|t| t as u32));
                    assert_eq!(chunk.words[k], d.body);
                    if let Some(t) = t {
                        assert!(chunk.texts.contains_key(&t), "{path}: text {t}");
                    }
                }
            }
            other => panic!("unexpected file {path} ({other})"),
        }
        seen += 1;
        assert!(
            text.starts_with("scholiaSearch.") && text.ends_with(");\n"),
            "{path}"
        );
    }
    assert_eq!(seen, files.len());
    assert_eq!(
        files
            .keys()
            .filter(|p| p.starts_with("search/shards/"))
            .count(),
        manifest.shards.len()
    );
}

/// Looks `term` up as the client does: the shard its boundary names, then the term.
fn lookup(files: &BTreeMap<String, String>, term: &str) -> Option<Vec<(u32, u32)>> {
    let manifest: Manifest = record(&files["search/manifest.js"]);
    let i = manifest.shards.partition_point(|b| b.as_str() <= term) - 1;
    let path = format!("search/shards/{i}.js");
    let shard: Shard = unpacked(&path, &files[&path]);
    let k = shard.terms.iter().position(|t| t == term)?;
    postings::decode(&shard.postings[k])
}

/// The bundled site's index finds known words where they are.
#[test]
fn the_bundled_sites_index_finds_known_words() {
    let built = build(&repo(), false, false);
    let files = built.files(&Limits::default());
    let docs = built.docs();
    for word in ["coalitions", "realism", "alliance"] {
        let term = engine::terms(word, "en").pop().unwrap();
        let hits = lookup(&files, &term).unwrap_or_else(|| panic!("{word} ({term}) not found"));
        assert!(!hits.is_empty());
        for (d, weight) in hits {
            let doc = &docs[d as usize];
            let all = format!("{} {} {}", doc.title, doc.body, doc.tags).to_lowercase();
            assert!(
                engine::terms(&all, "en").contains(&term),
                "{word}: document {d} ({}) lacks it",
                doc.anchor
            );
            assert!(weight > 0);
        }
    }
    assert_eq!(lookup(&files, "zzzzunknown"), None);
}

/// A corpus big enough to be counted in several parts and packed in many shards, in
/// three languages (a term shared by two of them is merged across parts and languages).
fn many_parts() -> Corpus {
    let vocabulary = [
        "nation",
        "nations",
        "états",
        "mangeaient",
        "running",
        "runs",
        "the",
        "les",
        "über",
        "häuser",
        "coalition",
        "coast",
        "dark-eyed",
        "2024",
        "quiet",
        "quietly",
    ];
    let texts = ["en", "fr", "de", "en"]
        .iter()
        .enumerate()
        .map(|(t, language)| CorpusText {
            slug: format!("t{t}"),
            path: format!("t{t}/"),
            title: format!("Text {t} {}", vocabulary[t]),
            language: language.to_string(),
            paragraphs: (0..1_100usize)
                .map(|p| {
                    (0..12usize)
                        .map(|w| {
                            let word = vocabulary[(p * 7 + w * w + t) % vocabulary.len()];
                            format!("{word}{}", (p * w) % 53)
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
            notes: vec![CorpusNote {
                id: format!("n{t}"),
                label: "Context · n".into(),
                title: "A note".into(),
                plain: "nations quietly".into(),
                tags: vec!["coast".into()],
                paragraph: 1,
            }],
            questions: vec!["Who runs the coast?".into()],
            lines: Vec::new(),
        })
        .collect();
    Corpus {
        language: "en".into(),
        glossary_path: "glossary/".into(),
        texts,
        glossary: Vec::new(),
    }
}

#[test]
fn the_index_is_the_same_whatever_the_number_of_threads() {
    let corpus = many_parts();
    let limits = Limits {
        shard_target: 2_000,
        shard_max: 3_000,
        head_max: 50,
        piece_max: 40,
        chunk_target: 1_000,
    };
    let with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let files: BTreeMap<String, Vec<u8>> = pool
            .install(|| index_with(&corpus, &limits))
            .into_iter()
            .map(|f| (f.path, f.bytes))
            .collect();
        files
    };
    let one = with(1);
    assert!(extract(&corpus).len() > 2 * 2_048, "several parts");
    assert!(
        one.keys()
            .filter(|p| p.starts_with("search/tails/"))
            .count()
            > 1
    );
    assert!(
        one.keys()
            .filter(|p| p.starts_with("search/shards/"))
            .count()
            > 10
    );
    for threads in [2, 5] {
        let many = with(threads);
        assert_eq!(
            one.keys().collect::<Vec<_>>(),
            many.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &one {
            assert!(
                many[path] == *bytes,
                "{path} differs with {threads} threads"
            );
        }
    }
}

/// The build's index, made from a corpus whose words are freed once copied into the
/// documents, and handed over in pieces (excerpts first, then the rest once the terms are
/// counted and the documents' words freed), is byte for byte the index of the whole
/// corpus.
#[test]
fn the_index_a_build_hands_over_in_pieces_is_the_index_of_the_corpus() {
    let built = build(&basic(), false, false);
    let kept: BTreeMap<String, Vec<u8>> = index_with(&built.corpus(), &Limits::default())
        .into_iter()
        .map(|f| (f.path, f.bytes))
        .collect();
    let mut pieces = 0;
    let mut taken = BTreeMap::new();
    index_to(built.corpus(), &mut |files| {
        pieces += 1;
        taken.extend(files.into_iter().map(|f| (f.path, f.bytes)));
    });
    assert!(pieces >= 3, "{pieces}");
    assert!(kept.keys().any(|p| p.starts_with("search/docs/")));
    assert!(kept == taken);
    // The documents are those of the whole corpus, and what is left of the corpus holds
    // none of their words.
    let (bare, docs) = super::docs::take(built.corpus());
    assert_eq!(docs, built.docs());
    assert_eq!(docs.capacity(), docs.len());
    assert_eq!(bare, built.corpus().without_words());
    assert!(bare.texts.iter().all(|t| t.paragraphs.is_empty()
        && t.questions.is_empty()
        && t.notes.iter().all(|n| n.plain.is_empty())));
    assert!(bare.texts.len() == built.corpus.texts.len());
}

/// Counting that frees each group's words once counted counts what counting all does, and
/// leaves no document's words behind.
#[test]
fn counting_while_freeing_the_words_counts_the_same() {
    let corpus = many_parts();
    let docs = extract(&corpus);
    let codes = codes(&corpus, &docs);
    // One thread: groups of two parts, so these documents make more than one group.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    assert!(docs.len() > 2 * 2_048);
    let mut freed = docs.clone();
    let (all, freeing) = pool.install(|| {
        (
            engine::index(&docs, &codes),
            engine::index_forgetting(&mut freed, &codes),
        )
    });
    assert!(all == freeing);
    assert!(freed
        .iter()
        .all(|d| d.body.is_empty() && d.title.is_empty() && d.tags.is_empty()));
    assert!(docs.iter().any(|d| !d.body.is_empty()));
}
