//! [`Live::update`] checked against a full build: random saves to a small corpus (with
//! limits small enough for many shards, tails and chunks), after each the index on disk
//! as the updates left it must answer every query as the full index of the same corpus.

use std::collections::BTreeMap;

use super::*;
use crate::search::corpus::CorpusNote;
use crate::search::index_with;

const WORDS: &[&str] = &[
    "alliance",
    "treaty",
    "burden",
    "sharing",
    "coalitions",
    "state",
    "running",
    "runs",
    "power",
    "balance",
    "war",
    "peace",
    "order",
    "hegemony",
    "trade",
    "norms",
    "zeal",
    "abacus",
    "quorum",
    "yield",
    "ballast",
    "coast",
    "coalit",
    "border",
    "empire",
];

/// A small deterministic generator (no dependency, same series on every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }
    fn below(&mut self, n: usize) -> usize {
        self.next() % n.max(1)
    }
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn limits() -> Limits {
    Limits {
        shard_target: 120,
        shard_max: 200,
        head_max: 3,
        piece_max: 2,
        chunk_target: 150,
    }
}

fn corpus(rng: &mut Rng) -> Corpus {
    let texts = (0..5)
        .map(|i| CorpusText {
            slug: format!("t{i}"),
            path: format!("t{i}/index.html"),
            title: rng.words(2),
            language: "en".into(),
            paragraphs: (0..3 + i).map(|_| rng.words(6)).collect(),
            notes: (0..2)
                .map(|n| CorpusNote {
                    id: format!("n{n}"),
                    label: format!("Context · {}", rng.words(1)),
                    title: rng.words(1),
                    plain: rng.words(5),
                    tags: vec![rng.words(1)],
                    paragraph: 1,
                })
                .collect(),
            questions: vec![rng.words(4)],
            lines: Vec::new(),
        })
        .collect();
    Corpus {
        language: "en".into(),
        glossary_path: "glossary/index.html".into(),
        texts,
        glossary: vec![GlossaryTerm {
            id: "balance".into(),
            term: "Balance".into(),
            aliases: vec!["equilibrium".into()],
            definition: rng.words(5),
        }],
    }
}

/// One save: a random change to one text or the glossary. Most keep the number of
/// documents; some add a paragraph (which the shortcut refuses).
fn edit(rng: &mut Rng, corpus: &mut Corpus) -> Vec<usize> {
    let i = rng.below(corpus.texts.len());
    let n = 1 + rng.below(6);
    let words = rng.words(n);
    let text = &mut corpus.texts[i];
    match rng.below(9) {
        0 => {
            let p = rng.below(text.paragraphs.len());
            text.paragraphs[p] = words;
        }
        1 => {
            let p = rng.below(text.paragraphs.len());
            text.paragraphs[p].push(' ');
            text.paragraphs[p].push_str(&words);
        }
        2 => text.notes[rng.below(2)].plain = words,
        3 => text.notes[rng.below(2)].tags = vec![words],
        4 => text.notes[rng.below(2)].title = words,
        5 => text.title = words,
        6 => text.questions[0] = words,
        7 => corpus.glossary[0].definition = words,
        _ => text.paragraphs.push(words),
    }
    vec![i]
}

fn as_map(files: Vec<File>) -> BTreeMap<String, Vec<u8>> {
    files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

#[test]
fn after_random_saves_the_updated_index_answers_as_a_full_build() {
    let mut refused = 0;
    let mut updated = 0;
    for seed in 0..12u64 {
        let mut rng = Rng(seed);
        let mut now = corpus(&mut rng);
        let (files, mut live) = Live::build(now.clone(), &limits());
        let mut disk = as_map(files);
        assert_eq!(
            disk,
            as_map(index_with(&now, &limits())),
            "the first build is a full build"
        );
        for step in 0..25 {
            let texts = edit(&mut rng, &mut now);
            let texts = texts
                .into_iter()
                .map(|i| (i, now.texts[i].clone()))
                .collect();
            match live.update(texts, now.glossary.clone()) {
                Some(update) => {
                    updated += 1;
                    for gone in &update.gone {
                        assert!(disk.remove(gone).is_some(), "{gone} was not there");
                    }
                    disk.extend(as_map(update.files));
                }
                None => {
                    refused += 1;
                    let (files, l) = Live::build(now.clone(), &limits());
                    live = l;
                    disk = as_map(files);
                }
            }
            let got = answers(&disk);
            assert!(
                got.misplaced.is_empty(),
                "seed {seed} step {step}: {:?}",
                got.misplaced
            );
            assert!(
                got.unreadable.is_empty(),
                "seed {seed} step {step}: {:?}",
                got.unreadable
            );
            let want = answers(&as_map(index_with(&now, &limits())));
            assert!(!want.terms.is_empty() && !want.docs.is_empty());
            assert_eq!(got, want, "seed {seed} step {step}");
            assert_eq!(live.corpus(), &now);
        }
    }
    // Both ways were taken, the shortcut most often.
    assert!(refused > 0 && updated > 5 * refused, "{updated} {refused}");
}

#[test]
fn a_save_rewrites_only_the_files_it_changes() {
    let mut rng = Rng(7);
    let mut now = corpus(&mut rng);
    let (files, mut live) = Live::build(now.clone(), &limits());
    let shards = files
        .iter()
        .filter(|f| f.path.starts_with("search/shards/"))
        .count();
    // A word of a paragraph replaced by a word no document has.
    let words = &mut now.texts[2].paragraphs[1];
    let first = words.split(' ').next().unwrap_or_default().to_string();
    *words = words.replacen(&first, "xylophone", 1);
    let update = live
        .update(vec![(2, now.texts[2].clone())], now.glossary.clone())
        .expect("the same documents");
    let written: Vec<&str> = update
        .files
        .iter()
        .filter(|f| f.path.starts_with("search/shards/"))
        .map(|f| f.path.as_str())
        .collect();
    assert!(shards > 10, "{shards}");
    // The new term's shard, the old term's (its postings lost one), and the shards of
    // the paragraph's other terms only if their weight there changed (not: same length).
    assert!((1..=2).contains(&written.len()), "{written:?}");
    let docs = update
        .files
        .iter()
        .filter(|f| f.path.starts_with("search/docs/"))
        .count();
    assert_eq!(docs, 1);
}
