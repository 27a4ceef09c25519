//! What a reader can find: one search document per numbered paragraph (per line in a
//! verse text), note, glossary term and discussion question, taken from what the build includes and nothing else.
//!
//! Documents are numbered kind by kind (every paragraph of every text, then every note,
//! then the glossary, then the questions), texts in reading order within each kind, so a
//! filter by kind is one range of document numbers and a filter by text a few.
//! Documents are not stored: the index's files keep each text's words once
//! ([`super::files`]).

use super::corpus::{Corpus, CorpusText, GlossaryTerm};

/// What a document is, in the order documents are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A numbered paragraph (or, in verse, a line) of a text.
    Para,
    /// A margin note.
    Note,
    /// A glossary entry.
    Term,
    /// A text's discussion questions, as one document.
    Question,
}

impl Kind {
    /// In numbering order.
    pub const ALL: [Kind; 4] = [Kind::Para, Kind::Note, Kind::Term, Kind::Question];

    /// The kind's name in the manifest and the client's filters.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Para => "para",
            Kind::Note => "note",
            Kind::Term => "term",
            Kind::Question => "question",
        }
    }

    /// How much a hit in this kind of document weighs against a hit in a paragraph: notes
    /// and glossary entries are the commentary a reader is most likely looking for.
    pub fn boost(self) -> f64 {
        match self {
            Kind::Para | Kind::Question => 1.0,
            Kind::Note | Kind::Term => 1.5,
        }
    }
}

/// One search document.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// What it is; documents are numbered by kind first.
    pub kind: Kind,
    /// Index into `site.texts`; `None` for glossary terms.
    pub text: Option<usize>,
    /// The fragment the result links to: `p12`, a note id, a term id, `questions`.
    pub anchor: String,
    /// How the result names the place: "¶ 12", "Context · Who leads", a term, "Question 2".
    pub label: String,
    /// Indexed with the title boost: a note's title, a term and its aliases, and the
    /// text's title on its first paragraph.
    pub title: String,
    /// The words, as plain text (also what excerpts are cut from).
    pub body: String,
    /// A note's tags, space-separated.
    pub tags: String,
}

impl Doc {
    /// The page the result links to, relative to the site root.
    pub fn path<'a>(&self, corpus: &'a Corpus) -> &'a str {
        match self.text.and_then(|t| corpus.texts.get(t)) {
            Some(t) => &t.path,
            None => &corpus.glossary_path,
        }
    }
}

impl Doc {
    /// Frees what is searched and shown (title, words, tags), keeping what places the
    /// document (kind, text, anchor, label): once its terms are counted and its excerpt
    /// written, the index's last files read no more of it.
    pub fn forget_words(&mut self) {
        self.title = String::new();
        self.body = String::new();
        self.tags = String::new();
    }
}

/// Every search document of the corpus, numbered as described in the module docs.
pub fn extract(corpus: &Corpus) -> Vec<Doc> {
    let mut docs = Vec::with_capacity(count(corpus));
    for part in order(corpus) {
        docs.extend(match part {
            Some((kind, i)) => of_text(i, &corpus.texts[i], kind),
            None => of_glossary(&corpus.glossary),
        });
    }
    docs
}

/// [`extract`], and the corpus without the words its documents copied, each part's words
/// freed as soon as they are copied ([`Corpus::without_words`]): the search stage of a
/// build never holds every word of the site twice.
pub fn take(mut corpus: Corpus) -> (Corpus, Vec<Doc>) {
    let mut docs = Vec::with_capacity(count(&corpus));
    for part in order(&corpus) {
        match part {
            Some((kind, i)) => {
                let text = &mut corpus.texts[i];
                docs.extend(of_text(i, text, kind));
                text.forget_words(kind);
            }
            None => {
                docs.extend(of_glossary(&corpus.glossary));
                for term in &mut corpus.glossary {
                    term.definition = String::new();
                }
            }
        }
    }
    (corpus, docs)
}

/// How many documents [`extract`] makes: the list is made to measure (tens of thousands
/// of documents, held through the search stage).
fn count(corpus: &Corpus) -> usize {
    let texts: usize = corpus
        .texts
        .iter()
        .map(|t| {
            let paras = if t.lines.is_empty() {
                t.paragraphs.len()
            } else {
                t.lines.len()
            };
            paras + t.notes.len() + t.questions.len()
        })
        .sum();
    texts + corpus.glossary.len()
}

/// The order documents are numbered in: per kind, each text's (by number), the glossary
/// (`None`) between the notes and the questions.
fn order(corpus: &Corpus) -> Vec<Option<(Kind, usize)>> {
    let texts = |kind| (0..corpus.texts.len()).map(move |i| Some((kind, i)));
    texts(Kind::Para)
        .chain(texts(Kind::Note))
        .chain(std::iter::once(None))
        .chain(texts(Kind::Question))
        .collect()
}

/// The documents of kind `kind` of text number `i` (none for [`Kind::Term`]), in order:
/// what [`extract`] puts in that kind's range for it (`serve` redoes one text's alone).
pub fn of_text(i: usize, text: &CorpusText, kind: Kind) -> Vec<Doc> {
    let mut docs = Vec::new();
    match kind {
        Kind::Para => {
            for (n, line) in text.lines.iter().enumerate() {
                docs.push(Doc {
                    kind: Kind::Para,
                    text: Some(i),
                    anchor: format!("l{}", n + 1),
                    label: line.label.clone(),
                    title: if n == 0 {
                        text.title.clone()
                    } else {
                        String::new()
                    },
                    body: line.words.clone(),
                    tags: String::new(),
                });
            }
            if !text.lines.is_empty() {
                return docs;
            }
            for (n, words) in text.paragraphs.iter().enumerate() {
                docs.push(Doc {
                    kind: Kind::Para,
                    text: Some(i),
                    anchor: format!("p{}", n + 1),
                    label: format!("¶ {}", n + 1),
                    title: if n == 0 {
                        text.title.clone()
                    } else {
                        String::new()
                    },
                    body: words.clone(),
                    tags: String::new(),
                });
            }
        }
        Kind::Note => {
            for note in &text.notes {
                docs.push(Doc {
                    kind: Kind::Note,
                    text: Some(i),
                    anchor: note.id.clone(),
                    label: note.label.clone(),
                    title: note.title.clone(),
                    body: note.plain.clone(),
                    tags: note.tags.join(" "),
                });
            }
        }
        Kind::Term => {}
        Kind::Question => {
            for (n, q) in text.questions.iter().enumerate() {
                docs.push(Doc {
                    kind: Kind::Question,
                    text: Some(i),
                    anchor: "questions".into(),
                    label: format!("Question {}", n + 1),
                    title: String::new(),
                    body: q.clone(),
                    tags: String::new(),
                });
            }
        }
    }
    docs
}

/// The glossary's documents, in order.
pub fn of_glossary(glossary: &[GlossaryTerm]) -> Vec<Doc> {
    glossary
        .iter()
        .map(|t| {
            let mut title = t.term.clone();
            for alias in &t.aliases {
                title.push(' ');
                title.push_str(alias);
            }
            Doc {
                kind: Kind::Term,
                text: None,
                anchor: t.id.clone(),
                label: t.term.clone(),
                title,
                body: t.definition.clone(),
                tags: String::new(),
            }
        })
        .collect()
}

/// Where each kind's documents start and end (`[start, end)`), in [`Kind::ALL`] order.
pub fn kind_ranges(docs: &[Doc]) -> [(usize, usize); 4] {
    let mut out = [(0, 0); 4];
    for (slot, kind) in out.iter_mut().zip(Kind::ALL) {
        let start = docs.partition_point(|d| d.kind < kind);
        let end = docs.partition_point(|d| d.kind <= kind);
        *slot = (start, end);
    }
    out
}
