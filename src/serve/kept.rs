//! The resolved document made again after a few texts were saved, reusing what the other
//! texts' anchoring and rendering gave last time.
//!
//! A text's anchoring and rendering read the text itself and, for every cross-link in
//! it, what the target shows (a title, a note's label) and whether it exists (a note id,
//! a paragraph number). Saving text `a` changes only `a`'s targets, so the texts to redo
//! are `a` and the texts with a link into `a`. Everything else a page shows about other
//! pages (backlinks, related notes, tags, previews, prev/next) is made by the link stage,
//! which runs over every text each time: it is plain data and fast.
//!
//! A link that did not resolve may resolve now, and the hints of missing quotes share
//! one budget in reading order: texts with a broken link or any diagnostic are redone
//! too, so that a rebuild reports and shows what a full build would.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use crate::anchor::{self, Anchored};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::document::{Document, Part, TextHtml};
use crate::link::{Page, Targets};
use crate::site::Site;
use crate::{pipeline, render};

/// One text as the last rebuild anchored and rendered it.
pub(crate) struct Kept {
    anchored: Anchored,
    html: TextHtml,
    /// Its handout page's HTML, when that differs.
    handout_html: Option<TextHtml>,
    /// A hash of `html`, so that a page's record is compared without its HTML.
    pub(crate) html_hash: u64,
    /// What anchoring it reported.
    diags: Vec<Diagnostic>,
    /// The texts its cross-links lead into, by slug.
    links_into: BTreeSet<String>,
    /// Whether one of its cross-links led nowhere.
    broken: bool,
}

impl Kept {
    /// The words of each paragraph, in order: what a rebuild compares to find the
    /// paragraph an edit changed.
    pub(crate) fn paragraphs(&self) -> Vec<String> {
        let reading = &self.anchored.reading;
        reading
            .paragraphs
            .iter()
            .map(|r| reading.text.get(r.clone()).unwrap_or_default().to_owned())
            .collect()
    }
}

/// The number (1-based) of the first paragraph of `new` that is not in `old` as it was,
/// or `None` if every paragraph is (only the sidecar changed, say).
pub(crate) fn first_edited(old: &[String], new: &[String]) -> Option<usize> {
    let same = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    (same < new.len()).then_some(same + 1)
}

/// `changed` (slugs), the texts whose links lead into one of them, and the texts that
/// had diagnostics or broken links.
pub(crate) fn to_redo(
    changed: &BTreeSet<String>,
    kept: &HashMap<String, Kept>,
) -> BTreeSet<String> {
    let mut redo = changed.clone();
    for (slug, k) in kept {
        if k.broken || !k.diags.is_empty() || k.links_into.iter().any(|s| changed.contains(s)) {
            redo.insert(slug.clone());
        }
    }
    redo
}

/// [`crate::pipeline::document`], anchoring and rendering again only the texts in
/// `redo` and those not `kept` yet, taking the others from `kept`, which is brought up to
/// date (texts no longer in the site are forgotten). Returns the texts redone too.
pub(crate) fn document<'s>(
    site: &'s Site,
    kept: &mut HashMap<String, Kept>,
    redo: &BTreeSet<String>,
    diags: &mut Diagnostics,
    lap: &mut dyn FnMut(&'static str),
) -> (Document<'s>, BTreeSet<String>) {
    let in_site: BTreeSet<&str> = site.texts.iter().map(|t| t.slug.as_str()).collect();
    kept.retain(|slug, _| !redo.contains(slug) && in_site.contains(slug.as_str()));
    let mut targets = Targets::new(site);
    let terms = pipeline::autolinked_terms(site);
    let todo: Vec<usize> = (0..site.texts.len())
        .filter(|&i| !kept.contains_key(&site.texts[i].slug))
        .collect();
    let raw_html = site.config.allow_raw_html;
    let fresh: Vec<(usize, Anchored, Diagnostics, anchor::Missing)> = todo
        .par_iter()
        .map(|&i| {
            let text = &site.texts[i];
            let mut d = Diagnostics::new();
            let page = Page::Text(text.slug.clone());
            let label = |dest: &str| targets.label(dest, &page);
            let reader = anchor::Reader {
                label: &label,
                raw_html,
                autolink: &terms,
            };
            let (a, missing) = anchor::text_deferring_hints(text, &reader, &mut d);
            (i, a, d, missing)
        })
        .collect();
    // Only texts redone can spend the hints' budget: a kept text has no diagnostics.
    let mut budget = anchor::HintBudget::default();
    let mut fresh_by_index: HashMap<usize, (Anchored, Vec<Diagnostic>)> = HashMap::new();
    for (i, a, mut d, missing) in fresh {
        missing.report(&a.reading, &mut budget, &mut d);
        fresh_by_index.insert(i, (a, d.iter().cloned().collect()));
    }
    let mut anchored = Vec::with_capacity(site.texts.len());
    let mut text_diags: Vec<Vec<Diagnostic>> = Vec::with_capacity(site.texts.len());
    for (i, text) in site.texts.iter().enumerate() {
        let (a, d) = match fresh_by_index.remove(&i) {
            Some(fresh) => fresh,
            None => match kept.get(&text.slug) {
                Some(k) => (k.anchored.clone(), k.diags.clone()),
                None => (Anchored::default(), Vec::new()), // cannot be: every text is one or the other
            },
        };
        for diag in &d {
            diags.push(diag.clone());
        }
        anchored.push(a);
        text_diags.push(d);
    }
    let mut doc = pipeline::link_anchored(site, anchored, &mut targets, diags, lap);
    let done: BTreeSet<String> = todo.iter().map(|&i| site.texts[i].slug.clone()).collect();
    let rendered: Vec<Option<(TextHtml, Option<TextHtml>)>> = doc
        .texts
        .par_iter()
        .map(|t| {
            done.contains(&t.text.slug).then(|| {
                (
                    render::text(site, t, &targets, &terms),
                    render::handout_text(site, t, &targets, &terms),
                )
            })
        })
        .collect();
    for ((t, html), d) in doc.texts.iter_mut().zip(rendered).zip(text_diags) {
        let slug = &t.text.slug;
        match html {
            Some((html, handout_html)) => {
                let (links_into, broken) = links_of(&t.anchored, &t.page, &targets);
                let k = Kept {
                    anchored: t.anchored.clone(),
                    html_hash: hash_html(&html),
                    html: html.clone(),
                    handout_html: handout_html.clone(),
                    diags: d,
                    links_into,
                    broken,
                };
                t.html = html;
                t.handout_html = handout_html;
                kept.insert(slug.clone(), k);
            }
            None => {
                if let Some(k) = kept.get(slug) {
                    t.html = k.html.clone();
                    t.handout_html = k.handout_html.clone();
                }
            }
        }
    }
    let definitions = render::glossary(site, &doc.glossary, &targets);
    for (e, html) in doc.glossary.iter_mut().zip(definitions) {
        e.html = html;
    }
    lap("render");
    (doc, done)
}

/// The texts a text's cross-links lead into, and whether one leads nowhere.
fn links_of(anchored: &Anchored, from: &Page, targets: &Targets) -> (BTreeSet<String>, bool) {
    let links = &anchored.links;
    let all = links
        .body
        .iter()
        .chain(links.notes.iter().flat_map(|f| &f.links))
        .chain(links.questions.iter().flat_map(|f| &f.links));
    let mut into = BTreeSet::new();
    let mut broken = false;
    for site in all {
        match targets.resolve(&site.dest, from) {
            Ok(r) => {
                if let Page::Text(slug) = r.page {
                    into.insert(slug);
                }
            }
            Err(_) => broken = true,
        }
    }
    (into, broken)
}

fn hash_html(html: &TextHtml) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for part in &html.body {
        match part {
            Part::Html(s) => (0u8, s).hash(&mut h),
            Part::Notes(n) => (1u8, n).hash(&mut h),
        }
    }
    for heading in &html.headings {
        (heading.level, &heading.id, &heading.text).hash(&mut h);
    }
    html.notes.hash(&mut h);
    html.questions.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::first_edited;

    #[test]
    fn the_first_paragraph_that_changed_is_found() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            first_edited(&v(&["a", "b", "c"]), &v(&["a", "B", "c"])),
            Some(2)
        );
        assert_eq!(first_edited(&v(&["a", "b"]), &v(&["a", "b", "c"])), Some(3));
        assert_eq!(first_edited(&v(&["a", "b", "c"]), &v(&["a", "c"])), Some(2));
        assert_eq!(first_edited(&v(&["a", "b"]), &v(&["a", "b"])), None);
        assert_eq!(first_edited(&v(&["a", "b"]), &v(&["a"])), None);
    }
}
