//! Which texts a saved text forces to be anchored and rendered again.
//!
//! A text's anchoring and rendering read the text itself and, for every cross-link in
//! it, the words the target shows (a title, a note's label) and whether it exists (a note
//! id, a paragraph number): the site's `Targets`. Saving text `a` changes only `a`'s
//! targets, so the texts to redo are `a` and the texts with a link into `a`. Everything
//! else a page shows about other pages (backlinks, related notes, tags, previews,
//! prev/next) is made afterwards by the link stage, from every text's links.
//!
//! A link that did not resolve is in no list of links, yet may resolve now (the note it
//! names is back): texts that had diagnostics are redone too, so that what a rebuild
//! reports is what a full build would.

use std::collections::BTreeSet;

use crate::link::{CrossRef, Page};

/// One text as the last rebuild left it.
pub(crate) struct Done<'a> {
    pub(crate) slug: &'a str,
    /// The cross-links found in it.
    pub(crate) links: &'a [CrossRef],
    /// Whether anchoring or rendering it reported anything.
    pub(crate) reported: bool,
}

/// `changed` (slugs), the texts whose links lead into one of them, and the texts that
/// had diagnostics.
pub(crate) fn to_redo<'a>(
    changed: &BTreeSet<String>,
    texts: impl Iterator<Item = Done<'a>>,
) -> BTreeSet<String> {
    let mut redo = changed.clone();
    for Done {
        slug,
        links,
        reported,
    } in texts
    {
        let into_changed = links
            .iter()
            .any(|r| matches!(&r.to.page, Page::Text(to) if changed.contains(to)));
        if into_changed || reported {
            redo.insert(slug.to_string());
        }
    }
    redo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::Resolved;

    fn link(from: &str, to: Page) -> CrossRef {
        CrossRef {
            from: Page::Text(from.into()),
            anchor: None,
            label: String::new(),
            excerpt: String::new(),
            to: Resolved {
                page: to,
                fragment: None,
                label: String::new(),
            },
        }
    }

    #[test]
    fn a_text_and_the_texts_linking_into_it_are_redone() {
        let texts = [
            ("a", vec![link("a", Page::Text("b".into()))], false),
            ("b", vec![link("b", Page::Text("c".into()))], false),
            ("c", vec![link("c", Page::Glossary)], false),
            ("d", vec![], false),
            ("e", vec![], false),
        ];
        let links = || {
            texts.iter().map(|(slug, links, reported)| Done {
                slug,
                links,
                reported: *reported,
            })
        };
        let set = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<BTreeSet<_>>();
        // `a` links to `b`: saving `b` redoes `a` (it shows `b`'s words), not `c`, which
        // only gains a backlink from `b` (the link stage's business).
        assert_eq!(to_redo(&set(&["b"]), links()), set(&["a", "b"]));
        assert_eq!(to_redo(&set(&["d"]), links()), set(&["d"]));
        assert_eq!(to_redo(&set(&["c", "d"]), links()), set(&["b", "c", "d"]));
    }

    /// The regression the serve test found: `peace` linked to a note of `war` that a
    /// broken sidecar had taken away; `war` fixed, `peace` still said the link was broken.
    #[test]
    fn texts_with_diagnostics_are_redone() {
        let none: &[CrossRef] = &[];
        let texts = [("peace", true), ("solo", false)].map(|(slug, reported)| Done {
            slug,
            links: none,
            reported,
        });
        let changed = BTreeSet::from(["war".to_string()]);
        let redo = to_redo(&changed, texts.into_iter());
        assert_eq!(redo, BTreeSet::from(["peace".into(), "war".into()]));
    }
}
