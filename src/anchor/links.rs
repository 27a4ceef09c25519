//! The cross-links a text makes, found while anchoring walks it: where each link is and
//! where it says it goes, as plain data. The link stage resolves them; nothing here knows
//! whether a target exists.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::autolink;
use crate::markdown::{self, Spanned, Walker};
use crate::site::{Glossary, Site, Text};

/// A cross-link as written: `[[dest]]`, or a glossary term linked on first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkSite {
    /// As written: `texts/a#p3`, `glossary#realism`.
    pub dest: String,
    /// Byte range of the link in its Markdown (for a text's body, of the body).
    pub range: Range<usize>,
    /// The 1-based paragraph a body link is in (`None` outside any, or in YAML).
    pub paragraph: Option<usize>,
}

/// Markdown held in YAML (a note, a question, a definition): its words and its links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fragment {
    /// The words alone, cross-links read as their labels.
    pub plain: String,
    pub links: Vec<LinkSite>,
}

/// Every cross-link of a text, by where it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextLinks {
    /// In the body, in reading order; glossary autolinks included.
    pub body: Vec<LinkSite>,
    /// Parallel to the anchored passages: the notes' words and links.
    pub notes: Vec<Fragment>,
    /// Parallel to `Text::questions`.
    pub questions: Vec<Fragment>,
}

/// The glossary terms a text links on first use (`glossary.autolink`), in the order
/// [`autolink::link_terms`] wants them.
fn autolink_terms(glossary: &Glossary) -> Vec<autolink::Term<'_>> {
    glossary
        .terms
        .iter()
        .map(|t| autolink::Term {
            id: &t.id,
            spellings: std::iter::once(t.term.as_str())
                .chain(t.aliases.iter().map(String::as_str))
                .collect(),
        })
        .collect()
}

/// The glossary terms a site's texts link on first use: none unless it asks for it
/// (`glossary.autolink`). The build and a pack's handout both call this, so both link
/// the same terms.
pub(crate) fn autolinked_terms(site: &Site) -> Vec<autolink::Term<'_>> {
    if site.config.glossary_autolink {
        autolink_terms(&site.glossary)
    } else {
        Vec::new()
    }
}

/// The body's cross-links, autolinked terms included: the events are the body's as
/// anchoring read them (autolinking keeps every word where it was).
pub(crate) fn body(events: Vec<Spanned>, glossary: &[autolink::Term]) -> Vec<LinkSite> {
    const AUTOLINK: &str = "\u{0}autolink:";
    let events = if glossary.is_empty() {
        events
    } else {
        // The opening markup carries the term's id, read back just below: it never
        // leaves this function (NUL cannot occur in parsed Markdown).
        autolink::link_terms(events, glossary, &|id| format!("{AUTOLINK}{id}"))
    };
    let mut walker = Walker::new();
    let mut out = Vec::new();
    for (event, range) in &events {
        walker.step(event);
        let dest = match event {
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                ..
            }) => dest_url.to_string(),
            Event::InlineHtml(html) => match html.strip_prefix(AUTOLINK) {
                Some(id) => format!("glossary#{id}"),
                None => continue,
            },
            _ => continue,
        };
        out.push(LinkSite {
            dest,
            range: range.clone(),
            paragraph: walker.block(),
        });
    }
    out
}

/// The words and links of Markdown held in YAML.
pub(crate) fn fragment(markdown: &str, label: &dyn Fn(&str) -> Option<String>) -> Fragment {
    let events = markdown::events(markdown, label, false);
    let mut plain = String::new();
    let mut links = Vec::new();
    for (e, range) in &events {
        match e {
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                ..
            }) => links.push(LinkSite {
                dest: dest_url.to_string(),
                range: range.clone(),
                paragraph: None,
            }),
            Event::Text(t) | Event::Code(t) => plain.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                plain.push(' ')
            }
            _ => {}
        }
    }
    Fragment {
        plain: plain.split_whitespace().collect::<Vec<_>>().join(" "),
        links,
    }
}

/// The links of a text's questions.
pub(crate) fn questions(text: &Text, label: &dyn Fn(&str) -> Option<String>) -> Vec<Fragment> {
    text.questions
        .iter()
        .map(|q| fragment(&q.body, label))
        .collect()
}
