//! The words table: how each word of the site's documents in languages other than English
//! was indexed, so that the client, which carries only the English pipeline, can search
//! in French or Russian exactly as elasticlunr indexed them.
//!
//! A row is a word as the client keys a typed word ([`language::key`], lowercased) and the
//! terms elasticlunr made of it: `états` → `[état]`, a stop word → `[]`. Words indexed as
//! themselves (`nation` → `[nation]`) have no row: the client tries a word as a term when
//! the table has no row for it, which keeps the table to the words that differ.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::docs::Doc;
use super::engine::tokenize;
use crate::language;

/// Word → the terms it was indexed as (empty for a stop word), sorted by word.
pub type Words = BTreeMap<String, Vec<String>>;

/// The rows for `docs` whose pipeline (`codes[d]`) the client lacks.
pub fn table(docs: &[Doc], codes: &[&str]) -> Words {
    // Per language, what its pipeline made of each distinct token.
    let mut seen: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut rows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pipelines = HashMap::new();
    for (doc, &code) in docs.iter().zip(codes) {
        if code == language::CLIENT {
            continue;
        }
        let pipeline = pipelines
            .entry(code)
            .or_insert_with(|| language::elasticlunr(code).make_pipeline());
        let done = seen.entry(code).or_default();
        for field in doc.fields() {
            for token in tokenize(field) {
                if done.contains(&token) {
                    continue;
                }
                let word = language::key(&token).to_string();
                if !word.is_empty() {
                    let terms = rows.entry(word).or_default();
                    terms.extend(pipeline.run(vec![token.clone()]));
                }
                done.insert(token);
            }
        }
    }
    rows.into_iter()
        .filter(|(word, terms)| !(terms.len() == 1 && terms.contains(word)))
        .map(|(word, terms)| (word, terms.into_iter().collect()))
        .collect()
}

/// For each term, the words of the table indexed as it: what the client marks in excerpts
/// (besides the term itself).
pub fn by_term(words: &Words) -> HashMap<&str, Vec<&str>> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    for (word, terms) in words {
        for term in terms {
            out.entry(term.as_str()).or_default().push(word.as_str());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::docs::Kind;

    fn doc(body: &str) -> Doc {
        Doc {
            kind: Kind::Para,
            text: Some(0),
            anchor: "p1".into(),
            label: "¶ 1".into(),
            title: String::new(),
            body: body.into(),
            tags: String::new(),
        }
    }

    #[test]
    fn rows_hold_the_words_that_are_not_indexed_as_themselves() {
        let docs = [
            doc("Les nations, «mangeaient» 2024"),
            doc("The nations were eating"),
        ];
        let words = table(&docs, &["fr", "en"]);
        assert_eq!(words.get("mangeaient"), Some(&vec!["mang".to_string()]));
        assert_eq!(words.get("les"), Some(&vec![]), "a French stop word");
        // French trims digits away: "2024" is not indexed in French.
        assert_eq!(words.get("2024"), Some(&vec![]));
        // Indexed as themselves, or English (the client's own pipeline): no row.
        assert_eq!(words.get("nation"), None);
        assert_eq!(words.get("eating"), None);
        assert_eq!(words.get("were"), None);
        assert_eq!(words.get("nations"), Some(&vec!["nation".to_string()]));
        let back = by_term(&words);
        assert_eq!(back.get("nation"), Some(&vec!["nations"]));
    }

    #[test]
    fn a_word_indexed_differently_in_two_languages_keeps_both_terms() {
        let docs = [doc("nationales"), doc("nationales")];
        let words = table(&docs, &["fr", language::PLAIN]);
        assert_eq!(words["nationales"], ["national", "nationales"]);
        assert_eq!(table(&docs, &["en", "en"]), Words::new());
    }
}
