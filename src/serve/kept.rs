//! The resolved document made again after a few texts were saved, reusing what the other
//! texts' anchoring, linking and rendering gave last time.
//!
//! A text's anchoring and rendering read the text itself and, for every cross-link in
//! it, what the target shows (a title, a note's label) and whether it exists (a note id,
//! a paragraph number). Saving text `a` changes only `a`'s targets, so the texts to redo
//! are `a` and the texts with a link into `a`. What a page shows about other pages
//! (backlinks, related notes, tags, previews, prev/next) is linked again only where it
//! depends on the texts redone ([`crate::link::relink`]); the rest of each text's record
//! is kept from the last document, moved out of it and back, never copied.
//!
//! A link that did not resolve may resolve now, and the hints of missing quotes share
//! one budget in reading order: texts with a broken link or any diagnostic are redone
//! too, so that a rebuild reports and shows what a full build would.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use crate::anchor::{self, Anchored};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::document::{Document, Part, TextHtml, TextParts};
use crate::link::{self, Changed, Linked, Page, Relinked, Targets, TextTarget};
use crate::site::Site;
use crate::{pipeline, render};

/// One text as the last rebuild anchored, linked and rendered it.
pub(crate) struct Kept {
    /// Its record in the last document; `None` while lent to the next one (or lost with
    /// a rebuild that failed half way: the text is then redone).
    parts: Option<TextParts>,
    /// A hash of its HTML, so that a page's record is compared without its HTML.
    pub(crate) html_hash: u64,
    /// What anchoring it reported.
    diags: Vec<Diagnostic>,
    /// The texts its cross-links lead into, by slug.
    links_into: BTreeSet<String>,
    /// Whether one of its cross-links led nowhere.
    broken: bool,
}

/// The words of each paragraph of a text, in order: what a rebuild compares to find the
/// paragraph an edit changed.
pub(crate) fn paragraphs(anchored: &Anchored) -> Vec<String> {
    let reading = &anchored.reading;
    reading
        .paragraphs
        .iter()
        .map(|r| reading.text.get(r.clone()).unwrap_or_default().to_owned())
        .collect()
}

impl Kept {
    /// [`paragraphs`] of the text as kept.
    pub(crate) fn paragraphs(&self) -> Option<Vec<String>> {
        self.parts.as_ref().map(|p| paragraphs(&p.anchored))
    }
}

/// The number (1-based) of the first paragraph of `new` that is not in `old` as it was,
/// or `None` if every paragraph is (only the sidecar changed, say).
pub(crate) fn first_edited(old: &[String], new: &[String]) -> Option<usize> {
    let same = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    (same < new.len()).then_some(same + 1)
}

/// `changed` (slugs) and the texts that had diagnostics or broken links. ([`document`]
/// adds the texts whose links lead into a changed text, when what links to it can name
/// or show changed.)
pub(crate) fn to_redo(
    changed: &BTreeSet<String>,
    kept: &HashMap<String, Kept>,
) -> BTreeSet<String> {
    let mut redo = changed.clone();
    for (slug, k) in kept {
        if k.broken || !k.diags.is_empty() {
            redo.insert(slug.clone());
        }
    }
    redo
}

/// [`crate::pipeline::document`], anchoring and rendering again only the texts in
/// `redo` and those not `kept` yet, taking the others from `kept`, which is brought up to
/// date (texts no longer in the site are forgotten). Links again only what the texts
/// redone touch when `links` (what the last linking left) fit the site; otherwise links
/// everything and leaves in `links` what that gave. Returns what changed, `None` for
/// anything. Give the document back with [`keep`] once written.
pub(crate) fn document<'s>(
    site: &'s Site,
    kept: &mut HashMap<String, Kept>,
    links: &mut Links,
    redo: &BTreeSet<String>,
    diags: &mut Diagnostics,
    lap: &mut dyn FnMut(&'static str),
) -> (Document<'s>, Option<Changed>) {
    let in_site: BTreeSet<&str> = site.texts.iter().map(|t| t.slug.as_str()).collect();
    kept.retain(|slug, k| {
        !redo.contains(slug) && in_site.contains(slug.as_str()) && k.parts.is_some()
    });
    let mut before: HashMap<&str, Option<TextTarget>> = HashMap::new();
    let targets = match &mut links.targets {
        Some(targets) => {
            for slug in redo {
                before.insert(slug, targets.text(slug).cloned());
            }
            targets.refresh(site, redo);
            targets
        }
        None => links.targets.insert(Targets::new(site)),
    };
    let linked = &mut links.linked;
    let terms = pipeline::autolinked_terms(site);
    let mut todo: Vec<usize> = (0..site.texts.len())
        .filter(|&i| !kept.contains_key(&site.texts[i].slug))
        .collect();
    let mut fresh: BTreeMap<usize, _> = todo
        .iter()
        .copied()
        .zip(pipeline::anchor_texts(site, &todo, targets, &terms))
        .collect();
    // The texts linking into a text redone whose title, notes' labels or paragraphs
    // changed (known once it is anchored): their labels and links may read otherwise.
    for (i, (a, ..)) in &fresh {
        let slug = &site.texts[*i].slug;
        targets.set_paragraphs(slug, a.reading.paragraphs.len());
        targets.set_lines(slug, a.reading.lines.len());
    }
    let moved: BTreeSet<&str> = before
        .iter()
        .filter(|(slug, was)| targets.text(slug) != was.as_ref())
        .map(|(slug, _)| *slug)
        .collect();
    let linking: Vec<usize> = (0..site.texts.len())
        .filter(|&i| {
            kept.get(&site.texts[i].slug)
                .is_some_and(|k| k.links_into.iter().any(|s| moved.contains(s.as_str())))
        })
        .collect();
    for &i in &linking {
        kept.remove(&site.texts[i].slug);
    }
    fresh.extend(
        linking
            .iter()
            .copied()
            .zip(pipeline::anchor_texts(site, &linking, targets, &terms)),
    );
    todo.extend(linking);
    // Only texts redone can spend the hints' budget (a kept text has no diagnostics),
    // in reading order.
    let mut budget = anchor::HintBudget::default();
    let mut fresh_by_index: HashMap<usize, (Anchored, Vec<Diagnostic>)> = HashMap::new();
    for (i, (a, mut d, missing)) in fresh {
        missing.report(&a.reading, &mut budget, &mut d);
        fresh_by_index.insert(i, (a, d.iter().cloned().collect()));
    }
    let mut texts: Vec<Relinked> = Vec::with_capacity(site.texts.len());
    let mut text_diags: Vec<Vec<Diagnostic>> = Vec::with_capacity(site.texts.len());
    for (i, text) in site.texts.iter().enumerate() {
        let (t, d) = match fresh_by_index.remove(&i) {
            Some((a, d)) => (Relinked::Anchored(a), d),
            None => match kept.get_mut(&text.slug).and_then(|k| k.parts.take()) {
                Some(parts) => (Relinked::Kept(Box::new(parts)), Vec::new()),
                None => (Relinked::Anchored(Anchored::default()), Vec::new()), // cannot be: every text is one or the other
            },
        };
        for diag in &d {
            diags.push(diag.clone());
        }
        texts.push(t);
        text_diags.push(d);
    }
    let definitions = pipeline::definitions(
        site,
        texts.iter().map(|t| match t {
            Relinked::Anchored(a) => a,
            Relinked::Kept(parts) => &parts.anchored,
        }),
        targets,
    );
    lap("anchor");
    let (mut doc, changed) = match linked.as_mut().filter(|l| l.fits(site)) {
        Some(l) => {
            let (doc, changed) = link::relink(site, texts, definitions, targets, l, diags);
            (doc, Some(changed))
        }
        None => {
            let mut html = HashMap::new();
            let anchored = texts
                .into_iter()
                .enumerate()
                .map(|(i, t)| match t {
                    Relinked::Anchored(a) => a,
                    Relinked::Kept(parts) => {
                        let parts = *parts;
                        html.insert(i, (parts.html, parts.handout_html));
                        parts.anchored
                    }
                })
                .collect();
            let (mut doc, l) = link::linked(site, anchored, definitions, targets, diags);
            for (i, (h, handout)) in html {
                doc.texts[i].html = h;
                doc.texts[i].handout_html = handout;
            }
            *linked = Some(l);
            (doc, None)
        }
    };
    lap("link");
    let done: BTreeSet<&str> = todo.iter().map(|&i| site.texts[i].slug.as_str()).collect();
    let rendered: Vec<Option<(TextHtml, Option<TextHtml>)>> = doc
        .texts
        .par_iter()
        .map(|t| {
            done.contains(t.text.slug.as_str()).then(|| {
                (
                    render::text(site, t, targets, &terms),
                    render::handout_text(site, t, targets, &terms),
                )
            })
        })
        .collect();
    for ((t, html), d) in doc.texts.iter_mut().zip(rendered).zip(text_diags) {
        if let Some((html, handout_html)) = html {
            let (links_into, broken) = links_of(&t.anchored, &t.page, targets);
            let k = Kept {
                parts: None,
                html_hash: hash_html(&html),
                diags: d,
                links_into,
                broken,
            };
            t.html = html;
            t.handout_html = handout_html;
            kept.insert(t.text.slug.clone(), k);
        }
    }
    let definitions = render::glossary(site, &doc.glossary, targets);
    for (e, html) in doc.glossary.iter_mut().zip(definitions) {
        e.html = html;
    }
    lap("render");
    (doc, changed)
}

/// What linking the last document left, for the next rebuild to link only what changed.
#[derive(Default)]
pub(crate) struct Links {
    linked: Option<Linked>,
    /// The site's targets, brought up to date text by text.
    targets: Option<Targets>,
}

impl Links {
    /// The site's targets as the last rebuild left them.
    pub(crate) fn targets(&self) -> Option<&Targets> {
        self.targets.as_ref()
    }
}

/// Takes each text's record back from `doc` into `kept`, and its tags into `links`, for
/// the next rebuild.
pub(crate) fn keep(doc: Document, kept: &mut HashMap<String, Kept>, links: &mut Links) {
    for t in doc.texts {
        if let Some(k) = kept.get_mut(&t.text.slug) {
            k.parts = Some(t.parts);
        }
    }
    if let Some(l) = &mut links.linked {
        l.keep_tags(doc.tags);
    }
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
