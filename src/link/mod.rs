//! Cross-links: `[[slug]]`, `[[slug#note]]`, `[[slug#p12]]`, `[[glossary#term]]`.
//!
//! [`Targets`] knows everything a link may point at. It gives an unlabeled link its
//! label, checks that the target exists (with a did-you-mean when not), and writes the
//! href *relative to the page the link is on*, so the built site works at a domain root,
//! under a subpath and from `file://` alike. [`document`] resolves the links anchoring
//! met and, through the [`graph`], turns them into "Referenced by" lists, related notes,
//! link previews and tag lists: the resolved [`crate::document::Document`].

pub mod graph;
mod related;
mod resolve;

pub(crate) use resolve::{document, linked, relink, Changed, Linked, Relinked};

use std::collections::BTreeMap;

use crate::diagnostics::did_you_mean;
pub use crate::document::Page;
use crate::site::Site;

/// What links to one text can name and show: `serve` compares it before and after a save
/// to tell whether the texts linking to it must be anchored again.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct TextTarget {
    title: String,
    /// Note id → label.
    notes: BTreeMap<String, String>,
    paragraphs: usize,
    /// Its verse lines (`#l12`), `None` in prose: any number until counted.
    lines: Option<usize>,
}

/// Everything on the site a cross-link can name.
#[derive(Debug, Default)]
pub struct Targets {
    texts: BTreeMap<String, TextTarget>,
    terms: BTreeMap<String, String>,
    /// The interface's words, for the labels of places that are not texts.
    words: crate::strings::Strings,
}

/// A cross-link that resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The page it goes to.
    pub page: Page,
    /// Where on that page (`p3`, a note's id, a term's id); `None` for the top.
    pub fragment: Option<String>,
    /// How the link names its target when the author gave no words.
    pub label: String,
}

impl Resolved {
    /// The link's target as written without a label: `texts/a#p3`, `glossary#realism`.
    pub fn key(&self) -> String {
        let base = match &self.page {
            Page::Text(slug) => slug.clone(),
            Page::Glossary => "glossary".into(),
            other => other.path(),
        };
        match &self.fragment {
            Some(f) => format!("{base}#{f}"),
            None => base,
        }
    }
}

/// One cross-link as met on a page: where it is, and where it goes.
#[derive(Debug, Clone)]
pub struct CrossRef {
    /// The page the link is on.
    pub from: Page,
    /// The paragraph (`p3`), note id, `questions` or term id the link is in.
    pub anchor: Option<String>,
    /// How to name the place it is in: "¶3", a note's title, a term.
    pub label: String,
    /// Some words of that place.
    pub excerpt: String,
    /// Where it goes.
    pub to: Resolved,
}

/// Why a cross-link did not resolve, and what the author may have meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// What is wrong, for the diagnostic's message.
    pub message: String,
    /// The did-you-mean, for the diagnostic's `help:`.
    pub help: Option<String>,
}

impl TextTarget {
    fn of(t: &crate::site::Text, words: &crate::strings::Strings) -> TextTarget {
        TextTarget {
            title: t.meta.title.clone(),
            notes: t
                .notes
                .iter()
                .map(|n| (n.id.clone(), n.label(words)))
                .collect(),
            paragraphs: usize::MAX,
            lines: t.is_verse().then_some(usize::MAX),
        }
    }
}

impl Targets {
    /// Every text, note, paragraph and term a link may name; paragraph counts are filled
    /// in as texts are anchored.
    pub fn new(site: &Site) -> Targets {
        let texts = site
            .texts
            .iter()
            .map(|t| (t.slug.clone(), TextTarget::of(t, &site.theme.strings)))
            .collect();
        let terms = site
            .glossary
            .terms
            .iter()
            .map(|t| (t.id.clone(), t.term.clone()))
            .collect();
        Targets {
            texts,
            terms,
            words: site.theme.strings.clone(),
        }
    }

    /// Brings the targets of the texts `slugs` up to date with `site`, which differs from
    /// the site they were made from only in those texts (a text no longer in it is
    /// forgotten): what `serve` does instead of [`Targets::new`] after a save.
    /// What links to text `slug` can name and show, if it is a text of the site.
    pub(crate) fn text(&self, slug: &str) -> Option<&TextTarget> {
        self.texts.get(slug)
    }

    pub(crate) fn refresh(&mut self, site: &Site, slugs: &std::collections::BTreeSet<String>) {
        for slug in slugs {
            match site.texts.iter().find(|t| t.slug == *slug) {
                Some(t) => {
                    self.texts
                        .insert(slug.clone(), TextTarget::of(t, &site.theme.strings));
                }
                None => {
                    self.texts.remove(slug);
                }
            }
        }
    }

    /// Paragraph counts are known only once texts are parsed; until then [`resolve`]
    /// lets any paragraph number pass.
    ///
    /// [`resolve`]: Targets::resolve
    pub fn set_paragraphs(&mut self, slug: &str, count: usize) {
        if let Some(t) = self.texts.get_mut(slug) {
            t.paragraphs = count;
        }
    }

    /// Line counts of verse texts, like [`Targets::set_paragraphs`]: until set, any
    /// line number of a verse text passes.
    pub fn set_lines(&mut self, slug: &str, count: usize) {
        if let Some(t) = self.texts.get_mut(slug) {
            if t.lines.is_some() {
                t.lines = Some(count);
            }
        }
    }

    /// The words an unlabeled link shows, seen from `from`: the target's title, a note's
    /// label, "¶3"; `None` if there is no such target (the link then shows its address).
    ///
    /// Anchoring reads every link's words before paragraph counts are known and rendering
    /// after, and both must read the same words, or passages land on other characters.
    /// So the label never depends on the counts: a link to a paragraph that turns out not
    /// to exist keeps its "¶n" (the build fails on it anyway, in [`resolve`]).
    ///
    /// [`resolve`]: Targets::resolve
    pub fn label(&self, dest: &str, from: &Page) -> Option<String> {
        self.find(dest, from, false).ok().map(|r| r.label)
    }

    /// Where a cross-link goes, or why it goes nowhere.
    pub fn resolve(&self, dest: &str, from: &Page) -> Result<Resolved, Unresolved> {
        self.find(dest, from, true)
    }

    /// `resolve`, checking paragraph numbers against the counts only if `counted`.
    fn find(&self, dest: &str, from: &Page, counted: bool) -> Result<Resolved, Unresolved> {
        let (slug, fragment) = match dest.split_once('#') {
            Some((s, f)) => (s.trim(), Some(f.trim())),
            None => (dest.trim(), None),
        };
        if slug == "glossary" {
            return self.resolve_term(fragment);
        }
        let Some(text) = self.texts.get(slug) else {
            return Err(self.no_text(slug));
        };
        let page = Page::Text(slug.to_string());
        let title = if *from == page {
            None
        } else {
            Some(text.title.as_str())
        };
        match fragment {
            None | Some("") => Ok(Resolved {
                page,
                fragment: None,
                label: text.title.clone(),
            }),
            Some(f) => match line_in_text(text, slug, f, title, counted, &self.words) {
                Some(found) => found,
                None => resolve_in_text(text, slug, f, title, counted),
            }
            .map(|label| Resolved {
                page,
                fragment: Some(f.to_string()),
                label,
            }),
        }
    }

    /// A word of the interface (see [`crate::strings`]).
    pub(crate) fn word(&self, key: &str) -> String {
        self.words.format(key, None, &[])
    }

    fn resolve_term(&self, fragment: Option<&str>) -> Result<Resolved, Unresolved> {
        let Some(id) = fragment.filter(|f| !f.is_empty()) else {
            return Ok(Resolved {
                page: Page::Glossary,
                fragment: None,
                label: self.words.format("glossary", None, &[]),
            });
        };
        match self.terms.get(id) {
            Some(term) => Ok(Resolved {
                page: Page::Glossary,
                fragment: Some(id.to_string()),
                label: term.clone(),
            }),
            None => Err(Unresolved {
                message: format!("there is no glossary term `{id}`"),
                help: suggest(id, self.terms.keys(), "glossary#"),
            }),
        }
    }

    fn no_text(&self, slug: &str) -> Unresolved {
        Unresolved {
            message: format!("there is no text `{slug}`"),
            help: suggest(slug, self.texts.keys(), "").or_else(|| {
                Some("a text's address is its path under `content/` without `.md`".into())
            }),
        }
    }
}

fn resolve_in_text(
    text: &TextTarget,
    slug: &str,
    fragment: &str,
    title: Option<&str>,
    counted: bool,
) -> Result<String, Unresolved> {
    let last = if counted { text.paragraphs } else { usize::MAX };
    match paragraph_ref(fragment) {
        Some(ParagraphRef::Anchor(n)) => {
            return match n.filter(|n| (1..=last).contains(n)) {
                Some(n) => Ok(match title {
                    Some(t) => format!("{t}, ¶{n}"),
                    None => format!("¶{n}"),
                }),
                None => Err(Unresolved {
                    message: format!("`{slug}` has no paragraph {}", &fragment[1..]),
                    help: Some(numbered(text)),
                }),
            };
        }
        Some(ParagraphRef::Miswritten(n)) => {
            let help = match n.filter(|n| (1..=text.paragraphs).contains(n)) {
                Some(n) => format!("did you mean `[[{slug}#p{n}]]`?"),
                None => numbered(text),
            };
            return Err(Unresolved {
                message: format!(
                    "`{slug}` has no anchor `{fragment}`: paragraph anchors are written \
                     without a sign or leading zeros"
                ),
                help: Some(help),
            });
        }
        None => {}
    }
    match text.notes.get(fragment) {
        Some(label) => Ok(label.clone()),
        None => Err(Unresolved {
            message: format!("`{slug}` has no note `{fragment}`"),
            help: suggest(fragment, text.notes.keys(), &format!("{slug}#")),
        }),
    }
}

/// A link to a verse line (`#l12`) of a verse text: its label, or why it goes nowhere;
/// `None` when the text is prose or the fragment names no line (it may name a note).
fn line_in_text(
    text: &TextTarget,
    slug: &str,
    fragment: &str,
    title: Option<&str>,
    counted: bool,
    words: &crate::strings::Strings,
) -> Option<Result<String, Unresolved>> {
    let lines = text.lines?;
    let last = if counted { lines } else { usize::MAX };
    let numbered = || format!("its lines are numbered 1 to {lines}");
    Some(match number_ref(fragment, 'l')? {
        ParagraphRef::Anchor(Some(n)) if (1..=last).contains(&n) => {
            let line = words.format("line_ref", None, &[("line", n.to_string())]);
            Ok(match title {
                Some(t) => format!("{t}, {line}"),
                None => line,
            })
        }
        ParagraphRef::Anchor(_) => Err(Unresolved {
            message: format!("`{slug}` has no line {}", &fragment[1..]),
            help: Some(numbered()),
        }),
        ParagraphRef::Miswritten(n) => Err(Unresolved {
            message: format!(
                "`{slug}` has no anchor `{fragment}`: line anchors are written without a sign or leading zeros"
            ),
            help: Some(match n.filter(|n| (1..=lines).contains(n)) {
                Some(n) => format!("did you mean `[[{slug}#l{n}]]`?"),
                None => numbered(),
            }),
        }),
    })
}

fn numbered(text: &TextTarget) -> String {
    format!("its paragraphs are numbered 1 to {}", text.paragraphs)
}

/// A fragment that names a paragraph by number.
#[derive(Debug, PartialEq, Eq)]
enum ParagraphRef {
    /// `p12`: `p` and a decimal number without sign or leading zero, exactly how the
    /// page writes the paragraph's id. `None` if the number is too large to be one.
    Anchor(Option<usize>),
    /// `p012`, `p+12`: a number (here 12) that no id on the page is written as.
    Miswritten(Option<usize>),
}

/// Reads `p<number>` fragments. The fragment goes into the link's href as written, so
/// only the form the page uses for its paragraph ids is an [`ParagraphRef::Anchor`].
fn paragraph_ref(fragment: &str) -> Option<ParagraphRef> {
    number_ref(fragment, 'p')
}

/// Reads `<prefix><number>` fragments, as [`paragraph_ref`] does `p<number>`.
fn number_ref(fragment: &str, prefix: char) -> Option<ParagraphRef> {
    let rest = fragment.strip_prefix(prefix)?;
    let digits = rest.strip_prefix('+').unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let canonical = match digits.trim_start_matches('0') {
        "" => "0",
        d => d,
    };
    let n = canonical.parse().ok();
    Some(if canonical == rest {
        ParagraphRef::Anchor(n)
    } else {
        ParagraphRef::Miswritten(n)
    })
}

fn suggest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a String>,
    prefix: &str,
) -> Option<String> {
    did_you_mean(word, candidates.map(String::as_str))
        .map(|c| format!("did you mean `[[{prefix}{c}]]`?"))
}

/// The first `words` words of `text`, with an ellipsis if cut. Reads only the start
/// of `text`: a paragraph of a megabyte with a link every few words makes an excerpt
/// per link.
pub fn excerpt(text: &str, words: usize) -> String {
    // Enough for `words` words of up to 100 chars; text beyond it is cut.
    let limit = words.saturating_add(1).saturating_mul(101);
    let head = match text.char_indices().nth(limit) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let mut all: Vec<&str> = head.split_whitespace().take(words + 1).collect();
    if all.len() <= words && head.len() < text.len() {
        // A long word was cut: say there is more.
        all.push("");
    }
    if all.len() > words {
        let kept = all[..words].join(" ");
        // "…all. …" rather than "…all.…": the cut falls after a sentence or clause.
        let gap = if kept.ends_with(['.', '!', '?', ':', ';', ',']) {
            " "
        } else {
            ""
        };
        // Made to measure: excerpts are kept for every backlink and tagged note.
        let mut cut = String::with_capacity(kept.len() + gap.len() + '…'.len_utf8());
        cut.push_str(&kept);
        cut.push_str(gap);
        cut.push('…');
        cut
    } else {
        all.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        let mut t = Targets::default();
        let mut notes = BTreeMap::new();
        notes.insert("pivotal".to_string(), "Pivotal states".to_string());
        t.texts.insert(
            "texts/henke".into(),
            TextTarget {
                title: "Henke".into(),
                notes,
                paragraphs: 10,
                lines: None,
            },
        );
        t.texts.insert(
            "texts/poem".into(),
            TextTarget {
                title: "Poem".into(),
                notes: BTreeMap::new(),
                paragraphs: 4,
                lines: Some(24),
            },
        );
        t.terms.insert("realism".into(), "realism".into());
        t
    }

    #[test]
    fn hrefs_are_relative_to_the_page() {
        let t = targets();
        let from = Page::Text("texts/other".into());
        let r = t
            .resolve("texts/henke#p3", &from)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            from.href_to(&r.page, r.fragment.as_deref()),
            "../../texts/henke/index.html#p3"
        );
        assert_eq!(r.label, "Henke, ¶3");
        let same = Page::Text("texts/henke".into());
        let r = t
            .resolve("texts/henke#pivotal", &same)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(same.href_to(&r.page, r.fragment.as_deref()), "#pivotal");
        let r = t
            .resolve("glossary#realism", &Page::Index)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            Page::Index.href_to(&r.page, r.fragment.as_deref()),
            "glossary/index.html#realism"
        );
    }

    #[test]
    fn missing_targets_suggest_the_closest() {
        let t = targets();
        let e = t.resolve("texts/henk", &Page::Index).unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `[[texts/henke]]`?"));
        let e = t.resolve("texts/henke#pivotl", &Page::Index).unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `[[texts/henke#pivotal]]`?")
        );
        let e = t.resolve("texts/henke#p11", &Page::Index).unwrap_err();
        assert_eq!(e.message, "`texts/henke` has no paragraph 11");
        assert!(t.resolve("glossary#realsm", &Page::Index).is_err());
    }

    #[test]
    fn paragraphs_are_linked_only_as_the_page_writes_their_ids() {
        let t = targets();
        let from = Page::Text("texts/other".into());
        for miswritten in ["p02", "p+2", "p+02", "p002"] {
            let dest = format!("texts/henke#{miswritten}");
            let e = t.resolve(&dest, &from).unwrap_err();
            assert_eq!(
                e.message,
                format!(
                    "`texts/henke` has no anchor `{miswritten}`: paragraph anchors are \
                     written without a sign or leading zeros"
                )
            );
            assert_eq!(
                e.help.as_deref(),
                Some("did you mean `[[texts/henke#p2]]`?")
            );
            assert_eq!(t.label(&dest, &from), None);
        }
        // A miswritten number that is no paragraph either: no suggestion of a link.
        for dest in ["texts/henke#p011", "texts/henke#p00", "texts/henke#p+0"] {
            let e = t.resolve(dest, &from).unwrap_err();
            assert_eq!(
                e.help.as_deref(),
                Some("its paragraphs are numbered 1 to 10"),
                "{dest}"
            );
        }
        // What resolves points at an id the page has.
        let r = t
            .resolve("texts/henke#p10", &from)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            from.href_to(&r.page, r.fragment.as_deref()),
            "../../texts/henke/index.html#p10"
        );
        let e = t.resolve("texts/henke#p0", &from).unwrap_err();
        assert_eq!(e.message, "`texts/henke` has no paragraph 0");
        let huge = "texts/henke#p99999999999999999999999";
        let e = t.resolve(huge, &from).unwrap_err();
        assert_eq!(
            e.message,
            "`texts/henke` has no paragraph 99999999999999999999999"
        );
        // Not a number: a note id, looked up as such.
        let e = t.resolve("texts/henke#p-2", &from).unwrap_err();
        assert_eq!(e.message, "`texts/henke` has no note `p-2`");
    }

    /// Anchoring labels links before paragraph counts are known, rendering after: the
    /// labels must be the same (fuzz/regressions/markdown/unresolved-self-link-drops-words.md).
    #[test]
    fn labels_do_not_depend_on_paragraph_counts() {
        let mut t = targets();
        t.set_paragraphs("texts/henke", usize::MAX);
        let from = Page::Text("texts/henke".into());
        let dests = [
            "texts/henke",
            "texts/henke#p3",
            "texts/henke#p11",
            "texts/henke#p0",
            "texts/henke#p03",
            "texts/henke#pivotal",
            "glossary#realism",
        ];
        let before: Vec<_> = dests.iter().map(|d| t.label(d, &from)).collect();
        t.set_paragraphs("texts/henke", 2);
        let after: Vec<_> = dests.iter().map(|d| t.label(d, &from)).collect();
        assert_eq!(before, after);
        assert_eq!(after[2].as_deref(), Some("¶11"));
        assert_eq!(after[3], None);
        assert_eq!(after[4], None);
        // The label stays; the link is still an error.
        let e = t.resolve("texts/henke#p11", &from).unwrap_err();
        assert_eq!(e.message, "`texts/henke` has no paragraph 11");
        assert!(t.resolve("texts/henke#p2", &from).is_ok());
    }

    #[test]
    fn paragraph_fragments_read_strictly() {
        use ParagraphRef::{Anchor, Miswritten};
        assert_eq!(paragraph_ref("p1"), Some(Anchor(Some(1))));
        assert_eq!(paragraph_ref("p120"), Some(Anchor(Some(120))));
        assert_eq!(paragraph_ref("p0"), Some(Anchor(Some(0))));
        assert_eq!(paragraph_ref("p02"), Some(Miswritten(Some(2))));
        assert_eq!(paragraph_ref("p+2"), Some(Miswritten(Some(2))));
        assert_eq!(paragraph_ref("p00"), Some(Miswritten(Some(0))));
        assert_eq!(
            paragraph_ref("p99999999999999999999999"),
            Some(Anchor(None))
        );
        for not_a_number in ["p", "p+", "p-2", "p 2", "p2a", "p٢", "pivotal", "q2", ""] {
            assert_eq!(paragraph_ref(not_a_number), None, "{not_a_number}");
        }
    }

    /// `#l12` names a line of a verse text, checked against its count like `#p12`; in
    /// prose it is no anchor (a note may not be called `l12` either).
    #[test]
    fn lines_of_verse_texts_are_linked_and_checked() {
        let t = targets();
        let from = Page::Text("texts/essay".into());
        let r = t.resolve("texts/poem#l12", &from);
        assert_eq!(
            r.map(|r| (r.label, r.fragment)),
            Ok(("Poem, l. 12".into(), Some("l12".into())))
        );
        let e = t.resolve("texts/poem#l25", &from).err();
        assert_eq!(
            e.map(|e| (e.message, e.help)),
            Some((
                "`texts/poem` has no line 25".into(),
                Some("its lines are numbered 1 to 24".into())
            ))
        );
        let e = t.resolve("texts/poem#l012", &from).err();
        assert_eq!(
            e.and_then(|e| e.help),
            Some("did you mean `[[texts/poem#l12]]`?".into())
        );
        let e = t.resolve("texts/henke#l3", &from).err();
        assert_eq!(
            e.map(|e| e.message),
            Some("`texts/henke` has no note `l3`".into())
        );
    }
}
