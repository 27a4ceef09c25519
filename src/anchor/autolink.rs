//! `glossary: {autolink: true}`: the first time a text uses a glossary term (or one of its
//! aliases), the word links to the glossary.
//!
//! Works on the event stream before the body is walked: a text event is split around the
//! term and link markup is put between the pieces, so the words (and therefore every
//! passage's position) stay exactly as they were. Never inside headings, links, code or
//! image descriptions.

use std::cmp::Reverse;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::markdown::Spanned;

/// A term to link: its glossary id and the spellings to look for.
pub(crate) struct Term<'a> {
    pub id: &'a str,
    pub spellings: Vec<&'a str>,
}

/// Links the first occurrence of each term; `open(id)` gives the `<a …>` markup.
pub(crate) fn link_terms<'e>(
    events: Vec<Spanned<'e>>,
    terms: &[Term],
    open: &dyn Fn(&str) -> String,
) -> Vec<Spanned<'e>> {
    let mut pending: Vec<&Term> = terms.iter().collect();
    let mut out = Vec::with_capacity(events.len());
    let mut blocked = 0usize;
    for (event, range) in events {
        match &event {
            Event::Start(
                Tag::Heading { .. } | Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_),
            ) => {
                blocked += 1;
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                blocked = blocked.saturating_sub(1);
            }
            _ => {}
        }
        let text = match &event {
            Event::Text(t) if blocked == 0 && !pending.is_empty() => t.to_string(),
            _ => {
                out.push((event, range));
                continue;
            }
        };
        split(&text, &mut pending, open, &range, &mut out);
    }
    out
}

/// Emits `text` as pieces, wrapping the first match of any pending term in a link.
fn split<'e>(
    text: &str,
    pending: &mut Vec<&Term>,
    open: &dyn Fn(&str) -> String,
    range: &std::ops::Range<usize>,
    out: &mut Vec<Spanned<'e>>,
) {
    let mut rest = text;
    loop {
        // The earliest match; at one place, the longest spelling.
        let best = pending
            .iter()
            .enumerate()
            .flat_map(|(i, t)| {
                t.spellings
                    .iter()
                    .filter_map(move |s| find_word(rest, s).map(|at| (at, Reverse(s.len()), i)))
            })
            .min();
        let Some((at, Reverse(len), i)) = best else {
            break;
        };
        let term = pending.remove(i);
        push_text(&rest[..at], range, out);
        out.push((Event::InlineHtml(open(term.id).into()), range.clone()));
        push_text(&rest[at..at + len], range, out);
        out.push((Event::InlineHtml("</a>".into()), range.clone()));
        rest = &rest[at + len..];
    }
    push_text(rest, range, out);
}

fn push_text<'e>(s: &str, range: &std::ops::Range<usize>, out: &mut Vec<Spanned<'e>>) {
    if !s.is_empty() {
        out.push((Event::Text(CowStr::from(s.to_string())), range.clone()));
    }
}

/// The first whole-word, case-insensitive (for ASCII) occurrence of `word` in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() || word.len() > text.len() {
        return None;
    }
    let bytes = text.as_bytes();
    let w = word.as_bytes();
    (0..=bytes.len() - w.len()).find(|&i| {
        text.is_char_boundary(i)
            && text.is_char_boundary(i + w.len())
            && bytes[i..i + w.len()].eq_ignore_ascii_case(w)
            && !text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            && !text[i + w.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked(md: &str) -> String {
        let events = crate::markdown::events(md, &|_| None, false);
        let terms = [
            Term {
                id: "realism",
                spellings: vec!["realism", "political realism"],
            },
            Term {
                id: "nato",
                spellings: vec!["NATO"],
            },
        ];
        let events = link_terms(events, &terms, &|id| format!("<a href=\"g#{id}\">"));
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter().map(|(e, _)| e));
        html
    }

    #[test]
    fn links_the_first_occurrence_only() {
        assert_eq!(
            linked("Realism and realism; nato."),
            "<p><a href=\"g#realism\">Realism</a> and realism; <a href=\"g#nato\">nato</a>.</p>\n"
        );
    }

    #[test]
    fn prefers_the_earliest_and_longest_match_and_whole_words() {
        assert_eq!(
            linked("surrealism, then political realism"),
            "<p>surrealism, then <a href=\"g#realism\">political realism</a></p>\n"
        );
    }

    #[test]
    fn never_in_headings_links_or_code() {
        let html = linked("## Realism\n\n[realism](x) `realism` and realism");
        assert_eq!(html.matches("g#realism").count(), 1, "{html}");
        assert!(
            html.ends_with("and <a href=\"g#realism\">realism</a></p>\n"),
            "{html}"
        );
    }
}
