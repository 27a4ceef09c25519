//! The records of the files under `search/`, as types: what `search.js` decodes
//! (`decode*` functions in `search-engine.js`, one per record) and what the tests read
//! back. `docs/search-format.md` describes them for people.
//!
//! Lists that hold one item per term or per document are columns (parallel arrays), not
//! arrays of objects: a field name repeated 70,000 times would weigh more than the data.
//! Postings are strings of [`postings`] digits, about 4 bytes a posting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the file formats, checked by the client.
pub const FORMAT: u32 = 4;

/// `search/manifest.js`: what the client needs before its first lookup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`]: a client finding another version says so rather than misread it.
    pub format: u32,
    /// The site's language tag.
    pub language: String,
    /// Pipelines of the documents' languages: the client runs [`crate::language::CLIENT`]
    /// itself, and looks the words of the others up in the words table.
    pub languages: Vec<String>,
    /// The client language pipeline's name, for the site's language.
    pub client: String,
    /// The words table's shards: the shortest prefix that starts each.
    pub words: Vec<String>,
    /// Longer tokens are not indexed.
    pub max_token: usize,
    /// Weights are `round(score × scale)`.
    pub scale: f64,
    /// Number of documents.
    pub docs: u32,
    /// Document ranges `[start, end)` by kind (`para`, `note`, `term`, `question`).
    pub kinds: BTreeMap<String, [u32; 2]>,
    /// The term shards: the shortest prefix that starts each.
    pub shards: Vec<String>,
    /// Documents per excerpt chunk (`search/docs/N.js` holds `N × chunk …`).
    pub chunk: u32,
    /// Number of texts (the text filter loads `texts.js`).
    pub texts: u32,
    /// Path of the glossary page.
    pub glossary: String,
    /// Per field (`title`, `body`, `tags`), what a hit in it weighs.
    pub field_boosts: BTreeMap<String, f64>,
    /// Per kind of document, what a hit in it weighs.
    pub kind_boosts: BTreeMap<String, f64>,
}

/// `search/shards/N.js`: consecutive terms, in columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    /// Sorted (code point order).
    pub terms: Vec<String>,
    /// Per term, its head: its best postings (all of them without a tail), by document.
    pub postings: Vec<String>,
    /// Per term with a tail (by its index in `terms`): how the rest is stored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tails: BTreeMap<usize, Tail>,
    /// Per term that other languages' words were indexed as (by index in `terms`): those
    /// words, for marking them in excerpts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub words: BTreeMap<usize, Vec<String>>,
}

/// A common term's postings beyond its head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tail {
    /// Postings in all, head and tail.
    pub total: u32,
    /// The highest weight in the tail: a bound on what it can add to a document.
    pub theta: u32,
    /// Its files, in document order.
    pub pieces: Vec<Piece>,
}

/// One file of a tail: `search/tails/<id>.js`, documents `first..=last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Piece {
    /// The first document it holds postings of.
    pub first: u32,
    /// The last document it holds postings of.
    pub last: u32,
    /// Its file's number.
    pub id: u32,
}

/// `search/tails/N.js`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TailPiece {
    /// The postings, in the [`postings`] codec.
    pub postings: String,
}

/// `search/words/N.js`: rows of the words table, in columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordsShard {
    /// Sorted.
    pub words: Vec<String>,
    /// Per word, the terms it was indexed as (none for a stop word).
    pub terms: Vec<Vec<String>>,
}

/// `search/docs/N.js`, once [`packed::unpack`]ed: what results show of documents
/// `first..first + words.len()`.
/// Documents are numbered paragraphs first, so a chunk's paragraphs come before its
/// other documents: `paragraphs` places the first ones, `places` the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcerptChunk {
    /// The first document's number.
    pub first: u32,
    /// The texts these documents belong to, by text number.
    pub texts: BTreeMap<u32, TextRef>,
    /// The chunk's paragraphs, as runs of consecutive paragraphs of one text (a paragraph
    /// links to `#p<n>` and is named `¶ <n>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<ParagraphRun>,
    /// Per document after the paragraphs (notes, terms, questions): its text number (none
    /// for a glossary term), the fragment it links to and how it is named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<Place>,
    /// Per document, its words (what excerpts are cut from).
    pub words: Vec<String>,
}

/// Paragraphs `first..first + count` (numbered from 1) of text `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParagraphRun {
    /// The text's number.
    pub text: u32,
    /// The first paragraph's number.
    pub first: u32,
    /// How many paragraphs.
    pub count: u32,
}

/// Where a document is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// Its text's number; `None` for a glossary term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<u32>,
    /// The fragment the result links to.
    pub anchor: String,
    /// How the result names it.
    pub label: String,
}

/// A text as results name it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextRef {
    /// The text's title.
    pub title: String,
    /// Its page, relative to the site root.
    pub path: String,
}

/// `search/texts.js`: every text, for the "which text" filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextEntry {
    /// The text's title, as the filter lists it.
    pub title: String,
    /// Its page, relative to the site root.
    pub path: String,
    /// Its paragraphs', notes' and questions' document ranges `[start, end)`.
    pub paras: [u32; 2],
    /// Its notes' document range `[start, end)`.
    pub notes: [u32; 2],
    /// Its questions' document range `[start, end)`.
    pub questions: [u32; 2],
}

/// The postings codec: a list of `(document, weight)` pairs sorted by document, as a
/// string of base-32 digits. Each pair is two numbers: the document's difference from
/// the previous one (the first as is), then the weight. A number is written most
/// significant digit first; its last digit is one of the first 32 characters of
/// [`postings::ALPHABET`], the others one of the last 32. All characters are safe in a
/// JSON string, so no escapes are ever written.
pub mod postings {
    /// Digits: final digits 0–31, then continuing digits 0–31.
    pub const ALPHABET: &[u8; 64] =
        b"0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~!*";

    /// Appends `n` to `out`.
    pub fn push(out: &mut String, mut n: u32) {
        let mut digits = [0u8; 7];
        let mut len = 0;
        loop {
            digits[len] = (n & 31) as u8;
            len += 1;
            n >>= 5;
            if n == 0 {
                break;
            }
        }
        for i in (0..len).rev() {
            let d = digits[i] + if i == 0 { 0 } else { 32 };
            out.push(char::from(ALPHABET[d as usize]));
        }
    }

    /// Encodes postings (sorted by document).
    pub fn encode(list: &[(u32, u32)]) -> String {
        let mut s = String::with_capacity(list.len() * 4);
        let mut last = 0;
        for &(doc, weight) in list {
            push(&mut s, doc - last);
            push(&mut s, weight);
            last = doc;
        }
        s
    }

    /// Decodes [`encode`]'s output; `None` on a character outside the alphabet or an odd
    /// count of numbers.
    pub fn decode(s: &str) -> Option<Vec<(u32, u32)>> {
        let mut numbers = Vec::new();
        let mut acc: u32 = 0;
        for b in s.bytes() {
            let d = ALPHABET.iter().position(|&a| a == b)? as u32;
            acc = acc.checked_mul(32)?;
            if d >= 32 {
                acc += d - 32;
            } else {
                numbers.push(acc + d);
                acc = 0;
            }
        }
        if numbers.len() % 2 != 0 {
            return None;
        }
        let mut doc = 0;
        Some(
            numbers
                .chunks(2)
                .map(|p| {
                    doc += p[0];
                    (doc, p[1])
                })
                .collect(),
        )
    }
}

/// The codec of packed records (excerpt chunks, shards, tail pieces): the record's JSON,
/// deflated (raw deflate, RFC 1951), in [`base85`]. Excerpts are most of the index (the
/// words of every paragraph and note); deflate keeps about half their bytes and base85
/// gives back a quarter of that. A file must stay text (a `<script>` from `file://`, where
/// `fetch` is refused); the browser inflates with `DecompressionStream("deflate-raw")`.
pub mod packed {
    use std::io::{Read, Write};

    use flate2::{read::DeflateDecoder, write::DeflateEncoder, Compression};
    use serde::{de::DeserializeOwned, Serialize};

    use super::base85;

    /// `record` as a [`base85`] string of its deflated JSON.
    pub fn pack<T: Serialize>(record: &T) -> String {
        let json = serde_json::to_vec(record)
            .unwrap_or_else(|e| panic!("a search record did not serialize: {e}"));
        let mut z = DeflateEncoder::new(Vec::with_capacity(json.len() / 2), Compression::default());
        // Writing to a Vec cannot fail.
        let deflated = z
            .write_all(&json)
            .and_then(|()| z.finish())
            .unwrap_or_else(|e| panic!("deflate into memory failed: {e}"));
        base85::encode(&deflated)
    }

    /// [`pack`]'s inverse; `None` if `s` is not one of its outputs for a `T`.
    pub fn unpack<T: DeserializeOwned>(s: &str) -> Option<T> {
        serde_json::from_str(&json(s)?).ok()
    }

    /// The JSON `s` packs (for tests that look for words in every file of a site).
    pub fn json(s: &str) -> Option<String> {
        let deflated = base85::decode(s)?;
        let mut json = String::new();
        DeflateDecoder::new(deflated.as_slice())
            .read_to_string(&mut json)
            .ok()?;
        Some(json)
    }
}

/// Bytes as text, 4 bytes in 5 characters (base64 takes 6 for 4.5 bytes): each group of 4
/// bytes is a big-endian number written in 5 base-85 digits, most significant first; a last
/// group of k < 4 bytes is padded with zeros and written in its first k + 1 digits (as in
/// Ascii85). The digits avoid `"`, `\` and `<`, so a JSON string of them needs no escape
/// and never holds `</`.
pub mod base85 {
    /// The digits 0–84.
    pub const ALPHABET: &[u8; 85] =
        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&()*+-./:;=>?@[]^_{";

    /// `bytes` in base85.
    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(4) * 5);
        for group in bytes.chunks(4) {
            let mut padded = [0u8; 4];
            padded[..group.len()].copy_from_slice(group);
            let mut n = u32::from_be_bytes(padded);
            let mut digits = [0u8; 5];
            for d in digits.iter_mut().rev() {
                *d = ALPHABET[(n % 85) as usize];
                n /= 85;
            }
            out.extend(digits[..=group.len()].iter().map(|&d| char::from(d)));
        }
        out
    }

    /// [`encode`]'s inverse; `None` on a character outside the alphabet, a last group of
    /// one character, or a group over 2³² − 1.
    pub fn decode(s: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(s.len() / 5 * 4 + 4);
        for group in s.as_bytes().chunks(5) {
            if group.len() < 2 {
                return None;
            }
            let mut n: u64 = 0;
            for k in 0..5 {
                let d = match group.get(k) {
                    Some(c) => ALPHABET.iter().position(|a| a == c)? as u64,
                    None => 84,
                };
                n = n * 85 + d;
            }
            let n = u32::try_from(n).ok()?;
            out.extend_from_slice(&n.to_be_bytes()[..group.len() - 1]);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::postings::*;

    #[test]
    fn packed_records_round_trip() {
        use super::{packed, ExcerptChunk};
        let chunk = ExcerptChunk {
            first: 12,
            words: vec!["Words </script> \"quoted\" ¶ 3".into(); 20],
            ..ExcerptChunk::default()
        };
        let s = packed::pack(&chunk);
        assert!(s.bytes().all(|b| super::base85::ALPHABET.contains(&b)));
        assert!(s.len() < 200, "repeated words compress: {} bytes", s.len());
        assert_eq!(packed::unpack::<ExcerptChunk>(&s), Some(chunk));
        assert_eq!(packed::unpack::<ExcerptChunk>("not base85\\"), None);
        assert_eq!(packed::unpack::<ExcerptChunk>("00000"), None);
    }

    #[test]
    fn base85_round_trips_every_length_and_refuses_what_it_never_writes() {
        use super::base85::*;
        let bytes: Vec<u8> = (0..=255u8).chain([255, 255, 255, 255, 0]).collect();
        for len in 0..bytes.len() {
            let s = encode(&bytes[..len]);
            assert_eq!(
                s.len(),
                len / 4 * 5 + if len % 4 == 0 { 0 } else { len % 4 + 1 }
            );
            assert_eq!(decode(&s).as_deref(), Some(&bytes[..len]), "{len} bytes");
        }
        assert_eq!(encode(&[0, 0, 0, 1]), "00001");
        assert_eq!(encode(&[255; 4]), "^nSc0");
        assert_eq!(decode("{{{{{"), None, "over 2³² − 1");
        assert_eq!(decode("0"), None, "a group of one character");
        assert_eq!(decode("00\"00"), None);
        let mut all = std::collections::BTreeSet::new();
        assert!(ALPHABET
            .iter()
            .all(|b| all.insert(b) && !b"\"\\<".contains(b)));
    }

    /// The client's Node tests unpack this same string, packed by this module
    /// (tests/tools/search-engine.test.js); the exact bytes depend on the compressor.
    #[test]
    fn packed_records_are_the_ones_the_client_reads() {
        use super::{packed, ExcerptChunk};
        let chunk = ExcerptChunk {
            first: 1,
            words: vec!["Alliances".into()],
            ..ExcerptChunk::default()
        };
        let client_reads = "T5!/oegJnHVnf@bdOl#/dor$OUglx0&O4;:gny9OB8/2H?o94gM11If";
        assert_eq!(packed::unpack(client_reads), Some(chunk.clone()));
        assert_eq!(packed::unpack(&packed::pack(&chunk)), Some(chunk));
    }

    #[test]
    fn postings_round_trip_in_few_characters() {
        let list = [(0, 1), (1, 31), (33, 32), (1_100, 1_023), (40_000, 70_000)];
        let s = encode(&list);
        assert_eq!(decode(&s).unwrap(), list);
        assert_eq!(encode(&[(3, 5)]), "35");
        assert_eq!(encode(&[(0, 32)]), "0B0");
        assert!(s
            .bytes()
            .all(|b| ALPHABET.contains(&b) && b != b'"' && b != b'\\'));
        assert_eq!(decode("3"), None);
        assert_eq!(decode("3\"5"), None);
        let mut all = std::collections::BTreeSet::new();
        assert!(ALPHABET.iter().all(|b| all.insert(b)), "64 distinct digits");
    }
}
