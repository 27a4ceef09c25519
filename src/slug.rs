//! Addresses made from words: heading ids, note ids taken from their passages, tag
//! pages, section anchors and the names suggested for badly named texts.
//!
//! One policy for all of them, so that a reader can guess an address from its words and
//! every address is plain ASCII in any browser bar: the words are transliterated to ASCII
//! (`Bündnis` → `bundnis`, `Ελλάδα` → `ellada`), lowercased, and every run of other
//! characters becomes one `-`, never at either end.

/// `words` as an address of at most about `max` bytes (cut between characters).
pub(crate) fn slug(words: &str, max: usize) -> String {
    ascii_words(words, max, |c| c.is_ascii_alphanumeric())
}

/// A tag's page name: `Coalitions` and `coalitions ` share a page. Never empty.
pub(crate) fn tag(name: &str) -> String {
    let slug = slug(name, usize::MAX);
    if slug.is_empty() {
        "tag".into()
    } else {
        slug
    }
}

/// One folder or file name of a text's path, as [`slug`] but keeping `_`, which text
/// names may use.
pub(crate) fn path_part(name: &str) -> String {
    ascii_words(name, usize::MAX, |c| c.is_ascii_alphanumeric() || c == '_')
}

fn ascii_words(words: &str, max: usize, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(words)
        .chars()
        .flat_map(char::to_lowercase)
    {
        if keep(c) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_lowercase_ascii_joined_by_dashes() {
        assert_eq!(slug("Burden sharing, again!", 60), "burden-sharing-again");
        assert_eq!(slug("Bündnisse der Welt", 60), "bundnisse-der-welt");
        assert_eq!(slug("  ¿Qué?  ", 60), "que");
        assert_eq!(slug("a very long heading", 6), "a-very");
    }

    #[test]
    fn tags_differing_by_case_spacing_or_accents_share_a_page() {
        assert_eq!(tag("Coalitions"), tag("coalitions "));
        assert_eq!(tag("Bündnis"), tag("bundnis"));
        assert_eq!(tag("Ελλάδα"), "ellada");
        assert_eq!(tag("!!!"), "tag");
    }

    #[test]
    fn path_parts_keep_underscores() {
        assert_eq!(path_part("Über_uns"), "uber_uns");
        assert_eq!(path_part("Ελλάδα"), "ellada");
    }
}
