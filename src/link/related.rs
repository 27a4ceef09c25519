//! "See also": for each note, up to five notes of other texts that share its tags (a point
//! a tag) or a cross-link with it (three points a link), best first, ties to the note
//! that comes first in the site.
//!
//! Scoring every note against its neighbours costs a few hundred milliseconds on a site
//! of 20,000 notes, so `serve` keeps the lists between rebuilds and, after a few texts
//! were anchored again, scores only what can have changed ([`Related::update`]).

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::{CrossRef, Page};
use crate::document::{NavLink, RelatedGroup};

/// How many related notes a note shows.
const SHOWN: usize = 5;
/// How many best notes are kept for each set of tags: enough for the notes of the
/// note's own text and those linked with it to be left out and [`SHOWN`] to remain.
const BY_TAGS: usize = 64;
/// Points for a shared tag and for a cross-link either way.
const TAG_POINTS: u32 = 1;
const LINK_POINTS: u32 = 3;

/// A note of a text as [`Related`] needs it.
pub(crate) struct NoteKey<'a> {
    pub id: &'a str,
    pub label: String,
    pub tags: &'a [String],
}

/// A text's notes (in the order of their passages) and the cross-links the text makes.
pub(crate) struct TextKey<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub notes: Vec<NoteKey<'a>>,
    pub refs: &'a [CrossRef],
}

/// A note: the number of its text in the site and its place among that text's passages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct NoteAt {
    text: u32,
    pos: u32,
}

/// A note with a score for another: the list's entries.
type Scored = (u32, NoteAt);

#[derive(Debug, Clone)]
struct TextNotes {
    page: Page,
    title: String,
    ids: Vec<String>,
    labels: Vec<String>,
    /// Each note's tags, as numbers.
    tags: Vec<Vec<u32>>,
    /// Note id → place (the last one for a repeated id, which is an error anyway).
    by_id: HashMap<String, u32>,
    /// The note-to-note links this text's cross-links make: from its note (place) to a
    /// text (number) and a note id there, resolved to places when scoring.
    links: Vec<(u32, u32, String)>,
}

impl TextNotes {
    fn of(slug: &str, title: &str) -> TextNotes {
        TextNotes {
            page: Page::Text(slug.to_string()),
            title: title.to_string(),
            ids: Vec::new(),
            labels: Vec::new(),
            tags: Vec::new(),
            by_id: HashMap::new(),
            links: Vec::new(),
        }
    }
}

/// Every note's related notes, and what it takes to score them again.
#[derive(Debug, Default, Clone)]
pub(crate) struct Related {
    texts: Vec<TextNotes>,
    /// Text slug → number.
    numbers: HashMap<String, u32>,
    /// Tag slug → number.
    tag_numbers: HashMap<String, u32>,
    /// Tag number → the notes carrying it, in site order.
    postings: Vec<Vec<NoteAt>>,
    /// Notes linked with each note, either way (once per link).
    links: HashMap<NoteAt, Vec<NoteAt>>,
    /// Each text's notes' best five, best first.
    best: Vec<Vec<Vec<Scored>>>,
}

impl Related {
    /// The related notes of every note of `texts` (all the site's, in order).
    pub(crate) fn new(texts: &[TextKey]) -> Related {
        let mut r = Related {
            numbers: texts
                .iter()
                .enumerate()
                .map(|(i, t)| (t.slug.to_string(), i as u32))
                .collect(),
            ..Related::default()
        };
        r.texts = texts
            .iter()
            .map(|t| TextNotes::of(t.slug, t.title))
            .collect();
        for (i, t) in texts.iter().enumerate() {
            r.set_text(i as u32, t);
        }
        for list in &mut r.postings {
            list.sort_unstable();
        }
        r.link_notes();
        let all: Vec<NoteAt> = r.notes().collect();
        let offsets = r.offsets();
        let by_tags = r.best_by_tags(&offsets);
        let best: Vec<(NoteAt, Vec<Scored>)> = all
            .par_iter()
            .map_init(
                || Scratch::new(offsets.total),
                |scratch, &a| (a, r.best_from(a, &by_tags, &offsets, scratch)),
            )
            .collect();
        r.best = r
            .texts
            .iter()
            .map(|t| vec![Vec::new(); t.ids.len()])
            .collect();
        for (a, list) in best {
            r.best[a.text as usize][a.pos as usize] = list;
        }
        r
    }

    /// Brings the lists up to date after the texts of `changed` (their numbers, the site's
    /// list of texts being the same) were anchored again. Returns the numbers of the texts
    /// with a note whose list changed or shows a note of a changed text whose label, id
    /// or text title changed.
    ///
    /// A changed text whose notes carry the same ids, tags and links as before scores as
    /// before (most saves: a word of a paragraph or of a note's body), so only the lists
    /// showing one of its relabelled notes change; the others are scored again.
    pub(crate) fn update(&mut self, changed: &[(usize, TextKey)]) -> BTreeSet<usize> {
        let mut rescored: Vec<(u32, TextNotes, Option<BTreeSet<u32>>)> = Vec::new();
        let mut relabelled: BTreeSet<NoteAt> = BTreeSet::new();
        for (i, t) in changed {
            let i = *i as u32;
            let new = self.text_notes(t);
            let Some(old) = self.texts.get_mut(i as usize) else {
                continue;
            };
            if old.ids != new.ids {
                rescored.push((i, new, None));
                continue;
            }
            // The same notes: those whose tags or links changed are scored again, those
            // whose label changed only shown again.
            let links_from = |t: &TextNotes, pos: usize| -> Vec<(u32, String)> {
                t.links
                    .iter()
                    .filter(|(from, ..)| *from as usize == pos)
                    .map(|(_, to, id)| (*to, id.clone()))
                    .collect()
            };
            let mut scored = BTreeSet::new();
            for pos in 0..new.ids.len() {
                let at = NoteAt {
                    text: i,
                    pos: pos as u32,
                };
                if old.tags[pos] != new.tags[pos] || links_from(old, pos) != links_from(&new, pos) {
                    scored.insert(pos as u32);
                } else if old.title != new.title || old.labels[pos] != new.labels[pos] {
                    relabelled.insert(at);
                }
            }
            if scored.is_empty() {
                *old = new;
            } else {
                rescored.push((i, new, Some(scored)));
            }
        }
        let mut affected: BTreeSet<usize> = changed.iter().map(|(i, _)| *i).collect();
        if !relabelled.is_empty() {
            for (text, lists) in self.best.iter().enumerate() {
                if lists.iter().flatten().any(|(_, b)| relabelled.contains(b)) {
                    affected.insert(text);
                }
            }
        }
        if !rescored.is_empty() {
            affected.extend(self.rescore(rescored));
        }
        affected
    }

    /// [`Related::update`] for the texts `changed`: all their notes scored again (`None`,
    /// when their ids changed) or those at the places given (their tags or links changed).
    fn rescore(
        &mut self,
        changed: Vec<(u32, TextNotes, Option<BTreeSet<u32>>)>,
    ) -> BTreeSet<usize> {
        let whole: BTreeSet<u32> = changed
            .iter()
            .filter(|(_, _, only)| only.is_none())
            .map(|(i, ..)| *i)
            .collect();
        let some: BTreeSet<NoteAt> = changed
            .iter()
            .flat_map(|(i, _, only)| {
                only.iter()
                    .flatten()
                    .map(move |&pos| NoteAt { text: *i, pos })
            })
            .collect();
        let is_redone = |n: NoteAt| whole.contains(&n.text) || some.contains(&n);
        // Their notes leave the postings; they come back as they are now.
        let mut touched: BTreeSet<u32> = BTreeSet::new();
        for (i, ..) in &changed {
            if let Some(t) = self.texts.get(*i as usize) {
                for (pos, tags) in t.tags.iter().enumerate() {
                    if is_redone(NoteAt {
                        text: *i,
                        pos: pos as u32,
                    }) {
                        touched.extend(tags);
                    }
                }
            }
        }
        for &tag in &touched {
            self.postings[tag as usize].retain(|n| !is_redone(*n));
        }
        let mut redone: Vec<NoteAt> = Vec::new();
        for (i, notes, _) in changed {
            for (pos, tags) in notes.tags.iter().enumerate() {
                let at = NoteAt {
                    text: i,
                    pos: pos as u32,
                };
                if is_redone(at) {
                    redone.push(at);
                    touched.extend(tags);
                    for &tag in tags {
                        self.postings[tag as usize].push(at);
                    }
                }
            }
            if let Some(best) = self.best.get_mut(i as usize) {
                best.resize(notes.ids.len(), Vec::new());
            }
            if let Some(slot) = self.texts.get_mut(i as usize) {
                *slot = notes;
            }
        }
        for &tag in &touched {
            self.postings[tag as usize].sort_unstable();
        }
        self.link_notes();
        let offsets = self.offsets();
        let mut scratch = Scratch::new(offsets.total);
        let mut affected = BTreeSet::new();
        // The changed notes, scored in full.
        for &b in &redone {
            let list = self.best_for(b, &offsets, &mut scratch);
            self.best[b.text as usize][b.pos as usize] = list;
            affected.insert(b.text as usize);
        }
        // Every other note: what the changed notes now score with it, from their side
        // (a score is the same both ways).
        let mut offered: Vec<(NoteAt, NoteAt, u32)> = Vec::new();
        for &b in &redone {
            let tags = &self.texts[b.text as usize].tags[b.pos as usize];
            for &tag in tags {
                for &a in &self.postings[tag as usize] {
                    if !is_redone(a) && a.text != b.text {
                        offered.push((a, b, TAG_POINTS));
                    }
                }
            }
            for &a in self.links.get(&b).into_iter().flatten() {
                if !is_redone(a) && a.text != b.text {
                    offered.push((a, b, LINK_POINTS));
                }
            }
        }
        offered.sort_unstable();
        let mut offers: HashMap<NoteAt, Vec<Scored>> = HashMap::new();
        for (a, b, points) in offered {
            let list = offers.entry(a).or_default();
            match list.last_mut() {
                Some(last) if last.1 == b => last.0 += points,
                _ => list.push((points, b)),
            }
        }
        for text in 0..self.texts.len() as u32 {
            if whole.contains(&text) {
                continue;
            }
            for pos in 0..self.texts[text as usize].ids.len() as u32 {
                let a = NoteAt { text, pos };
                if is_redone(a) {
                    continue;
                }
                let old = &self.best[text as usize][pos as usize];
                let new = if old.iter().any(|(_, b)| is_redone(*b)) {
                    // A note it showed changed: what comes after it is not known here.
                    self.best_for(a, &offsets, &mut scratch)
                } else if let Some(more) = offers.remove(&a) {
                    let mut all: Vec<Scored> = old.iter().copied().chain(more).collect();
                    top(&mut all);
                    all
                } else {
                    continue;
                };
                let shows_redone = new.iter().any(|(_, b)| is_redone(*b));
                if shows_redone || new != *old {
                    affected.insert(text as usize);
                }
                self.best[text as usize][pos as usize] = new;
            }
        }
        affected
    }

    /// The related notes of note `pos` (its passage's place) of text `text`, grouped by
    /// text in order of appearance.
    pub(crate) fn groups(&self, text: usize, pos: usize) -> Vec<RelatedGroup> {
        let Some(list) = self.best.get(text).and_then(|t| t.get(pos)) else {
            return Vec::new();
        };
        let from = &self.texts[text].page;
        let mut groups: Vec<RelatedGroup> = Vec::new();
        for &(_, b) in list {
            let t = &self.texts[b.text as usize];
            let link = NavLink {
                title: t.labels[b.pos as usize].clone(),
                href: from.href_to(&t.page, Some(&t.ids[b.pos as usize])),
            };
            match groups.iter_mut().find(|g| g.source == t.title) {
                Some(g) => g.notes.push(link),
                None => groups.push(RelatedGroup {
                    source: t.title.clone(),
                    notes: vec![link],
                }),
            }
        }
        // Every note's lists are kept to the end of the build: no room to spare.
        for g in &mut groups {
            g.notes.shrink_to_fit();
        }
        groups.shrink_to_fit();
        groups
    }

    fn set_text(&mut self, i: u32, t: &TextKey) {
        let notes = self.text_notes(t);
        self.set_notes(i, notes);
    }

    /// Puts `notes` in place as text `i`'s, its notes into the postings of their tags.
    fn set_notes(&mut self, i: u32, notes: TextNotes) {
        for (pos, tags) in notes.tags.iter().enumerate() {
            let at = NoteAt {
                text: i,
                pos: pos as u32,
            };
            for &tag in tags {
                self.postings[tag as usize].push(at);
            }
        }
        if let Some(slot) = self.texts.get_mut(i as usize) {
            *slot = notes;
        }
    }

    /// What scoring needs of text `t` (numbering tags it brings first).
    fn text_notes(&mut self, t: &TextKey) -> TextNotes {
        let mut notes = TextNotes::of(t.slug, t.title);
        for (pos, n) in t.notes.iter().enumerate() {
            let mut tags: Vec<u32> = n.tags.iter().map(|tag| self.tag_number(tag)).collect();
            tags.sort_unstable();
            tags.dedup();
            notes.tags.push(tags);
            notes.ids.push(n.id.to_string());
            notes.labels.push(n.label.clone());
            notes.by_id.insert(n.id.to_string(), pos as u32);
        }
        for r in t.refs {
            let (Some(anchor), Some(fragment), Page::Text(to)) =
                (&r.anchor, &r.to.fragment, &r.to.page)
            else {
                continue;
            };
            let (Some(&from), Some(&to)) = (notes.by_id.get(anchor), self.numbers.get(to)) else {
                continue;
            };
            notes.links.push((from, to, fragment.clone()));
        }
        notes
    }

    fn tag_number(&mut self, tag: &str) -> u32 {
        let slug = crate::slug::tag(tag);
        let next = self.postings.len() as u32;
        let n = *self.tag_numbers.entry(slug).or_insert(next);
        if n == next {
            self.postings.push(Vec::new());
        }
        n
    }

    /// Every note-to-note link, both ways, from the texts' links.
    fn link_notes(&mut self) {
        let mut links: HashMap<NoteAt, Vec<NoteAt>> = HashMap::new();
        for (i, t) in self.texts.iter().enumerate() {
            for (from, to, id) in &t.links {
                let Some(&pos) = self.texts.get(*to as usize).and_then(|t| t.by_id.get(id)) else {
                    continue;
                };
                let a = NoteAt {
                    text: i as u32,
                    pos: *from,
                };
                let b = NoteAt { text: *to, pos };
                links.entry(a).or_default().push(b);
                links.entry(b).or_default().push(a);
            }
        }
        self.links = links;
    }

    fn notes(&self) -> impl Iterator<Item = NoteAt> + '_ {
        self.texts.iter().enumerate().flat_map(|(i, t)| {
            (0..t.ids.len()).map(move |pos| NoteAt {
                text: i as u32,
                pos: pos as u32,
            })
        })
    }

    fn offsets(&self) -> Offsets {
        let mut starts = Vec::with_capacity(self.texts.len());
        let mut total = 0;
        for t in &self.texts {
            starts.push(total);
            total += t.ids.len();
        }
        Offsets { starts, total }
    }

    /// For each set of tags some note has, the notes that share the most of them (best
    /// first, ties to the first in the site), at most [`BY_TAGS`]; the flag says whether
    /// that is all the notes sharing one. Notes with the same tags (most of them, since
    /// a site has few tags) then share one scoring: scoring each note against every
    /// note of its tags made the link stage grow with the square of the site.
    fn best_by_tags(&self, offsets: &Offsets) -> HashMap<&[u32], (Vec<Scored>, bool)> {
        let sets: BTreeSet<&[u32]> = self
            .texts
            .iter()
            .flat_map(|t| t.tags.iter().map(Vec::as_slice))
            .collect();
        let sets: Vec<&[u32]> = sets.into_iter().collect();
        sets.par_iter()
            .map_init(
                || Scratch::new(offsets.total),
                |scratch, &tags| {
                    for &tag in tags {
                        for &b in &self.postings[tag as usize] {
                            scratch.add(offsets, b, TAG_POINTS);
                        }
                    }
                    let mut scored = scratch.take(offsets);
                    let complete = scored.len() <= BY_TAGS;
                    top_n(&mut scored, BY_TAGS);
                    (tags, (scored, complete))
                },
            )
            .collect()
    }

    /// [`Related::best_for`], from the best notes for `a`'s tags: those of other texts
    /// not linked with `a`, and the linked ones scored in full. Exact whenever at least
    /// [`SHOWN`] of the first remain (or the first are all there is); else scored afresh.
    fn best_from(
        &self,
        a: NoteAt,
        by_tags: &HashMap<&[u32], (Vec<Scored>, bool)>,
        offsets: &Offsets,
        scratch: &mut Scratch,
    ) -> Vec<Scored> {
        let tags = &self.texts[a.text as usize].tags[a.pos as usize];
        let Some((first, complete)) = by_tags.get(tags.as_slice()) else {
            return self.best_for(a, offsets, scratch);
        };
        let linked: &[NoteAt] = self.links.get(&a).map_or(&[], Vec::as_slice);
        let mut scored: Vec<Scored> = first
            .iter()
            .filter(|(_, b)| b.text != a.text && !linked.contains(b))
            .copied()
            .collect();
        if scored.len() < SHOWN && !complete {
            return self.best_for(a, offsets, scratch);
        }
        let mut links: Vec<NoteAt> = linked
            .iter()
            .filter(|b| b.text != a.text)
            .copied()
            .collect();
        links.sort_unstable();
        for run in links.chunk_by(|x, y| x == y) {
            let b = run[0];
            let theirs = &self.texts[b.text as usize].tags[b.pos as usize];
            let shared = tags
                .iter()
                .filter(|t| theirs.binary_search(t).is_ok())
                .count();
            let points = TAG_POINTS * shared as u32 + LINK_POINTS * run.len() as u32;
            scored.push((points, b));
        }
        top(&mut scored);
        scored
    }

    /// The best notes for note `a`, scored over the notes sharing a tag or a link with it.
    fn best_for(&self, a: NoteAt, offsets: &Offsets, scratch: &mut Scratch) -> Vec<Scored> {
        let t = &self.texts[a.text as usize];
        let tagged = t.tags[a.pos as usize]
            .iter()
            .flat_map(|&tag| self.postings[tag as usize].iter().map(|&b| (b, TAG_POINTS)));
        let linked = self
            .links
            .get(&a)
            .into_iter()
            .flatten()
            .map(|&b| (b, LINK_POINTS));
        for (b, points) in tagged.chain(linked) {
            if b.text != a.text {
                scratch.add(offsets, b, points);
            }
        }
        let mut scored = scratch.take(offsets);
        top(&mut scored);
        scored
    }
}

/// Keeps the best [`SHOWN`] of `scored`, best first: the highest score, then the note
/// that comes first. The list is kept for every note, so it gives back the room the
/// candidates took: a note sharing a tag with thousands of others kept that capacity, and
/// memory grew with the square of the site (380 MB of 1,000 texts, 38 GB of 10,000).
fn top(scored: &mut Vec<Scored>) {
    top_n(scored, SHOWN);
}

/// [`top`], keeping `n`.
fn top_n(scored: &mut Vec<Scored>, n: usize) {
    let best = |x: &Scored, y: &Scored| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
    if scored.len() > n {
        scored.select_nth_unstable_by(n, best);
        scored.truncate(n);
    }
    scored.sort_by(best);
    scored.shrink_to_fit();
}

/// Where each text's notes start in one numbering of all notes.
struct Offsets {
    starts: Vec<usize>,
    total: usize,
}

impl Offsets {
    fn of(&self, n: NoteAt) -> usize {
        self.starts[n.text as usize] + n.pos as usize
    }
}

/// Scores by note number (all zero between uses), and the notes with one.
struct Scratch {
    score: Vec<u32>,
    touched: Vec<NoteAt>,
}

impl Scratch {
    fn new(notes: usize) -> Scratch {
        Scratch {
            score: vec![0; notes],
            touched: Vec::new(),
        }
    }

    /// Adds `points` to note `b`'s score, remembering it the first time.
    fn add(&mut self, offsets: &Offsets, b: NoteAt, points: u32) {
        let n = offsets.of(b);
        if self.score[n] == 0 {
            self.touched.push(b);
        }
        self.score[n] += points;
    }

    /// The scores added since the last call, leaving the scratch zeroed for the next note.
    fn take(&mut self, offsets: &Offsets) -> Vec<Scored> {
        let score = &mut self.score;
        self.touched
            .drain(..)
            .map(|b| (std::mem::take(&mut score[offsets.of(b)]), b))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::Resolved;

    /// A random site: `texts` texts of up to `notes` notes, each with 0–3 of `tags` tags
    /// (spelled two ways now and then), and note-to-note cross-links, some repeated.
    fn site(rng: &mut fastrand::Rng, texts: usize, notes: usize, tags: usize) -> Site {
        let slugs: Vec<String> = (0..texts).map(|i| format!("t{i}")).collect();
        let counts: Vec<usize> = (0..texts).map(|_| rng.usize(0..=notes)).collect();
        let mut site = Site::default();
        for (i, slug) in slugs.iter().enumerate() {
            let mut text = SiteText {
                slug: slug.clone(),
                ..SiteText::default()
            };
            for n in 0..counts[i] {
                let id = format!("n{n}");
                let mine: Vec<String> = (0..rng.usize(0..=3))
                    .map(|_| match rng.usize(0..tags) {
                        0 => "Tag Zero".to_string(),
                        k => format!("tag-{k}"),
                    })
                    .collect();
                text.notes.push((id.clone(), mine));
                for _ in 0..rng.usize(0..3).saturating_sub(1) {
                    let to = rng.usize(0..texts);
                    if counts[to] == 0 {
                        continue;
                    }
                    text.refs.push(CrossRef {
                        from: Page::Text(slug.clone()),
                        anchor: Some(id.clone()),
                        label: String::new(),
                        excerpt: String::new(),
                        to: Resolved {
                            page: Page::Text(slugs[to].clone()),
                            fragment: Some(format!("n{}", rng.usize(0..counts[to]))),
                            label: String::new(),
                        },
                    });
                }
            }
            site.texts.push(text);
        }
        site
    }

    #[derive(Default)]
    struct Site {
        texts: Vec<SiteText>,
    }

    #[derive(Default)]
    struct SiteText {
        slug: String,
        notes: Vec<(String, Vec<String>)>,
        refs: Vec<CrossRef>,
    }

    fn keys(site: &Site) -> Vec<TextKey<'_>> {
        site.texts
            .iter()
            .map(|t| TextKey {
                slug: &t.slug,
                title: &t.slug,
                notes: t
                    .notes
                    .iter()
                    .map(|(id, tags)| NoteKey {
                        id,
                        label: id.clone(),
                        tags,
                    })
                    .collect(),
                refs: &t.refs,
            })
            .collect()
    }

    /// Scoring once per set of tags gives every note the list that scoring it against
    /// every note gives, on sites with few tags (long shared lists, where the first 64
    /// run short for notes of large texts) and many.
    #[test]
    fn the_lists_shared_by_tag_sets_are_the_lists_scored_one_by_one() {
        for seed in 0..16 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let (texts, notes, tags) = match seed % 4 {
                0 => (30, 40, 2),
                1 => (60, 8, 5),
                2 => (12, 200, 2),
                _ => (80, 12, 40),
            };
            let site = site(&mut rng, texts, notes, tags);
            let related = Related::new(&keys(&site));
            let offsets = related.offsets();
            let mut scratch = Scratch::new(offsets.total);
            for a in related.notes() {
                let one_by_one = related.best_for(a, &offsets, &mut scratch);
                assert_eq!(
                    related.best[a.text as usize][a.pos as usize], one_by_one,
                    "seed {seed}, note {a:?}"
                );
            }
        }
    }

    /// A note's list is kept for the whole build: what it keeps must not grow with the
    /// number of candidates it was chosen from.
    #[test]
    fn the_best_five_keep_no_room_for_the_candidates() {
        let mut scored: Vec<Scored> = (0..10_000u32)
            .map(|i| (i % 7, NoteAt { text: i, pos: 0 }))
            .collect();
        top(&mut scored);
        assert_eq!(scored.len(), SHOWN);
        assert!(scored.capacity() <= SHOWN, "{}", scored.capacity());
        assert!(scored.iter().all(|(points, _)| *points == 6));
        assert_eq!(scored[0].1, NoteAt { text: 6, pos: 0 });
    }
}
