//! Which of elasticlunr's pipelines a language tag picks, and how the client follows it.
//!
//! A site's `language` (and a text's, in its front matter) is a BCP 47 tag such as `fr`
//! or `pt-BR`; its primary subtag picks elasticlunr-rs's pipeline for that language
//! (trimmer, stop words, Snowball stemmer). A language elasticlunr has no pipeline for
//! (Japanese, Greek, …) is indexed [`PLAIN`]: words as written, lowercased and trimmed.
//!
//! The client carries only the English pipeline (a port of elasticlunr-rs's). For the
//! others the index itself says how each word of the site is indexed: the build writes a
//! table from words (lowercased, [`key`]-trimmed) to their terms (the search index's `words` table),
//! so a query in French finds what the French stemmer made of the site's French words,
//! whatever the client knows of French.

use elasticlunr::pipeline::{FnWrapper, Pipeline};
use elasticlunr::Language;

/// The pipeline the client runs itself.
pub(crate) const CLIENT: &str = "en";

/// The code of the pipeline for languages elasticlunr does not know.
pub(crate) const PLAIN: &str = "plain";

/// Primary language subtags and elasticlunr's code for them (Dutch is `du` there).
const PIPELINES: &[(&str, &str)] = &[
    ("ar", "ar"),
    ("da", "da"),
    ("de", "de"),
    ("en", "en"),
    ("es", "es"),
    ("fi", "fi"),
    ("fr", "fr"),
    ("hu", "hu"),
    ("it", "it"),
    ("ko", "ko"),
    ("nb", "no"),
    ("nl", "du"),
    ("nn", "no"),
    ("no", "no"),
    ("pt", "pt"),
    ("ro", "ro"),
    ("ru", "ru"),
    ("sv", "sv"),
    ("tr", "tr"),
];

/// The pipeline code for a language tag: elasticlunr's, or [`PLAIN`].
pub(crate) fn code(tag: &str) -> &'static str {
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    PIPELINES
        .iter()
        .find(|(subtag, _)| subtag.eq_ignore_ascii_case(primary))
        .map_or(PLAIN, |(_, code)| code)
}

/// Whether search stems and filters stop words for this tag (rather than matching words
/// as written).
pub(crate) fn has_pipeline(tag: &str) -> bool {
    code(tag) != PLAIN
}

/// elasticlunr's language for a pipeline code from [`code`].
pub(crate) fn elasticlunr(code: &str) -> Box<dyn Language> {
    elasticlunr::lang::from_code(code).unwrap_or_else(|| Box::new(Plain))
}

/// A word as the words table and the client's lookups key it: without the characters
/// other than letters, digits and `_` at either end. (The client's regular expression is
/// `[\p{Alphabetic}\p{N}_]`, the same classes as `char::is_alphanumeric`.)
pub(crate) fn key(token: &str) -> &str {
    token.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_'))
}

/// Words as written: the pipeline of languages without their own.
struct Plain;

impl Language for Plain {
    fn name(&self) -> String {
        "Plain".into()
    }

    fn code(&self) -> String {
        PLAIN.into()
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        elasticlunr::lang::tokenize_whitespace(text)
    }

    fn make_pipeline(&self) -> Pipeline {
        fn trim(token: String) -> Option<String> {
            let trimmed = key(&token);
            (!trimmed.is_empty()).then(|| trimmed.to_string())
        }
        Pipeline {
            queue: vec![Box::new(FnWrapper("trimmer-plain".into(), trim))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_pick_pipelines_by_their_primary_subtag() {
        assert_eq!(code("en"), "en");
        assert_eq!(code("en-GB"), "en");
        assert_eq!(code("FR-ca"), "fr");
        assert_eq!(code("pt_BR"), "pt");
        assert_eq!(code("nl"), "du");
        assert_eq!(code("nb-NO"), "no");
        assert_eq!(code("ja"), PLAIN);
        assert_eq!(code("el"), PLAIN);
        assert!(!has_pipeline("zh-Hant"));
    }

    #[test]
    fn every_pipeline_code_is_one_elasticlunr_has() {
        for (_, code) in PIPELINES {
            assert_eq!(elasticlunr(code).code(), *code, "{code}");
        }
        assert_eq!(elasticlunr(PLAIN).code(), PLAIN);
    }

    #[test]
    fn keys_trim_everything_but_letters_and_digits() {
        assert_eq!(key("«état,»"), "état");
        assert_eq!(key("l'état"), "l'état");
        assert_eq!(key("(2024)"), "2024");
        assert_eq!(key("__init__"), "__init__");
        assert_eq!(key("—"), "");
    }

    #[test]
    fn plain_pipeline_keeps_words_as_written() {
        let p = elasticlunr(PLAIN).make_pipeline();
        assert_eq!(
            p.run(vec!["«λόγος»".into(), "—".into(), "the".into()]),
            ["λόγος", "the"]
        );
    }
}
