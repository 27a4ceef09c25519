//! The shared model of handouts: one [`Edition`] (a text, or a pack of texts) is the one
//! input of every handout renderer (HTML, PDF, EPUB), so they print the same notes under
//! the same numbers, the same glossary terms and the same questions.

use url::Url;

use crate::config::{page_url, HandoutSettings, Pack};
use crate::document::{Document, Entry, InstructorQuestionHtml, NoteDoc, TextDoc, TextHtml};
use crate::link::Targets;
use crate::render::Sections;
use crate::site::Audience;

/// What one handout holds.
pub(crate) struct Edition<'a> {
    pub doc: &'a Document<'a>,
    /// The handout's file stem: the text's slug, or the pack's name.
    pub name: String,
    /// The text's title, or the pack's.
    pub title: String,
    /// In reading order (a pack's order).
    pub texts: Vec<&'a TextDoc<'a>>,
    pub is_pack: bool,
    pub settings: &'a HandoutSettings,
    /// The texts as this handout shows them, parallel to `texts`, when rendered for it: a
    /// pack's (ids prefixed, links between them kept in its one page), or a text's when
    /// the document renders texts on demand (a build); empty when the records keep their
    /// HTML (`serve`).
    pub html: Vec<TextHtml>,
}

impl<'a> Edition<'a> {
    /// The handout of the text `slug`, if the document has it.
    pub(crate) fn text(
        doc: &'a Document<'a>,
        slug: &str,
        settings: &'a HandoutSettings,
    ) -> Option<Edition<'a>> {
        let text = doc.texts.iter().find(|t| t.text.slug == slug)?;
        Some(Edition::of(doc, text, settings))
    }

    /// The handout of the text `text` of `doc`.
    pub(crate) fn of(
        doc: &'a Document<'a>,
        text: &'a TextDoc<'a>,
        settings: &'a HandoutSettings,
    ) -> Edition<'a> {
        let html = match doc.handout_html(text) {
            std::borrow::Cow::Owned(html) => vec![html],
            std::borrow::Cow::Borrowed(_) => Vec::new(),
        };
        Edition {
            doc,
            name: text.text.slug.clone(),
            title: text.text.meta.title.clone(),
            texts: vec![text],
            is_pack: false,
            settings,
            html,
        }
    }

    /// The handout of a pack: its texts the document has (a draft the build leaves out
    /// is left out), in the pack's order.
    pub(crate) fn pack(
        doc: &'a Document<'a>,
        pack: &Pack,
        settings: &'a HandoutSettings,
    ) -> Edition<'a> {
        let texts: Vec<&TextDoc> = pack
            .texts
            .iter()
            .filter_map(|slug| doc.texts.iter().find(|t| &t.text.slug == slug))
            .collect();
        let sections = Sections {
            texts: texts.iter().map(|t| t.text.slug.clone()).collect(),
        };
        let targets = Targets::new(doc.site);
        let html = texts
            .iter()
            .map(|t| crate::render::pack_text(doc.site, t, &targets, &sections))
            .collect();
        Edition {
            doc,
            name: pack.name.clone(),
            title: pack.title.clone(),
            texts,
            is_pack: true,
            settings,
            html,
        }
    }

    /// Whether this is an instructor edition (instructor notes and questions included).
    pub(crate) fn instructor(&self) -> bool {
        self.doc.site.instructor
    }

    /// The glossary entries the texts cite (in their bodies, notes or questions), and
    /// those their definitions cite, each once, in the glossary's order.
    pub(crate) fn glossary(&self) -> Vec<&'a Entry> {
        let mut cited = std::collections::BTreeSet::new();
        for t in &self.texts {
            let links = &t.anchored.links;
            let sites = links
                .body
                .iter()
                .chain(links.notes.iter().flat_map(|f| &f.links))
                .chain(links.questions.iter().flat_map(|f| &f.links));
            for site in sites {
                if let Some(id) = site.dest.strip_prefix("glossary#") {
                    cited.insert(id);
                }
            }
        }
        // And the terms their definitions cite, so every link in the handout's glossary
        // has its term there too.
        let glossary = &self.doc.glossary;
        // A backlink's source is the glossary's name in the site's language.
        let from_glossary = self.doc.site.theme.strings.format("glossary", None, &[]);
        let mut more = true;
        while more {
            more = false;
            for e in glossary {
                if cited.contains(e.id.as_str()) {
                    continue;
                }
                let by_cited = e.cited_by.iter().any(|b| {
                    b.source == from_glossary
                        && b.href
                            .strip_prefix('#')
                            .is_some_and(|id| cited.contains(id))
                });
                if by_cited {
                    cited.insert(e.id.as_str());
                    more = true;
                }
            }
        }
        glossary
            .iter()
            .filter(|e| cited.contains(e.id.as_str()))
            .collect()
    }

    /// The HTML of the `i`th text as this handout shows it.
    pub(crate) fn html(&self, i: usize) -> Option<&TextHtml> {
        match self.html.get(i) {
            Some(html) => Some(html),
            None => self.texts.get(i).map(|t| t.handout_html()),
        }
    }

    /// The discussion questions of the `i`th text, as HTML.
    pub(crate) fn questions(&self, i: usize) -> &[String] {
        self.html(i).map_or(&[], |h| &h.questions)
    }

    /// The instructor questions of the `i`th text: none but in an instructor edition.
    pub(crate) fn instructor_questions(&self, i: usize) -> &[InstructorQuestionHtml] {
        match self.html(i) {
            Some(h) if self.instructor() => &h.instructor_questions,
            _ => &[],
        }
    }

    /// The prefix of the ids of the `i`th text's HTML (see [`Sections`]): none but in a
    /// pack.
    pub(crate) fn id_prefix(&self, i: usize) -> String {
        match self.texts.get(i) {
            Some(t) if self.is_pack => Sections::prefix(&t.text.slug),
            _ => String::new(),
        }
    }

    /// The online address of the `i`th text's page, when the site has a `base_url`.
    pub(crate) fn url(&self, i: usize) -> Option<Url> {
        let base = self.doc.site.config.base_url.as_ref()?;
        let t = self.texts.get(i)?;
        Some(page_url(base, &t.page.path()))
    }

    /// The number a note prints under: 1, 2, 3… through the edition in reading order
    /// (`note` indexes the `i`th text's [`TextDoc::notes`]).
    pub(crate) fn note_number(&self, i: usize, note: usize) -> usize {
        self.texts[..i.min(self.texts.len())]
            .iter()
            .map(|t| t.notes.len())
            .sum::<usize>()
            + note
            + 1
    }

    #[cfg(feature = "documents")]
    /// An interface word in the site's language (`themes/*/strings/`), placeholders
    /// filled from `vars`: what the PDF and EPUB print themselves.
    pub(crate) fn word(&self, key: &str, vars: &[(&str, String)]) -> String {
        self.doc.site.theme.strings.format(key, None, vars)
    }

    #[cfg(feature = "documents")]
    /// A note kind's name in the site's language.
    pub(crate) fn kind_word(&self, kind: crate::site::NoteKind) -> String {
        self.doc.site.theme.strings.kind(kind)
    }

    #[cfg(feature = "documents")]
    /// A front-matter date in the site's language (`1 avril 2017`).
    pub(crate) fn date_words(&self, iso: &str) -> String {
        self.doc.site.theme.strings.date(iso)
    }

    #[cfg(feature = "documents")]
    /// The edition's date, for the metadata of its PDF and EPUB: `SOURCE_DATE_EPOCH` when
    /// set (reproducible-builds.org), else the latest front-matter date of its texts, else
    /// 1980-01-01 (the earliest a zip file can hold). Never the clock: the same site makes
    /// the same bytes, so a course site's repository does not change on every run.
    pub(crate) fn stamp(&self) -> Stamp {
        let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
        if let Some(stamp) = epoch.as_deref().and_then(Stamp::from_epoch) {
            return stamp;
        }
        self.texts
            .iter()
            .filter_map(|t| t.text.meta.date.as_deref().and_then(Stamp::from_date))
            .max()
            .unwrap_or(Stamp::EARLIEST)
    }

    /// Whether a note is for the instructor only (and so marked "Instructor").
    pub(crate) fn is_instructor_note(&self, text: &TextDoc, note: &NoteDoc) -> bool {
        text.text
            .notes
            .get(note.index)
            .is_some_and(|n| n.audience == Audience::Instructor)
    }
}

#[cfg(feature = "documents")]
/// A moment in UTC, from 1980 on (what zip files, PDFs and EPUB metadata all can hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

#[cfg(feature = "documents")]
impl Stamp {
    pub(crate) const EARLIEST: Stamp = Stamp {
        year: 1980,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
    };

    /// Seconds since 1970 (`SOURCE_DATE_EPOCH`), if they are a number up to 2107 (zip's last
    /// year); earlier moments are 1980-01-01.
    pub(crate) fn from_epoch(s: &str) -> Option<Stamp> {
        let secs: u64 = s.trim().parse().ok()?;
        let days = secs / 86_400;
        let rest = secs % 86_400;
        // Howard Hinnant's `civil_from_days`, for days since 1970-01-01.
        let z = days.checked_add(719_468)?;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        if year > 2107 {
            return None;
        }
        let stamp = Stamp {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
            hour: u8::try_from(rest / 3600).ok()?,
            minute: u8::try_from(rest % 3600 / 60).ok()?,
            second: u8::try_from(rest % 60).ok()?,
        };
        Some(stamp.max(Stamp::EARLIEST))
    }

    /// A front-matter date, `YYYY-MM-DD` or `YYYY-MM` (midnight, the first of the month),
    /// if it is one from 1980 to 2107.
    pub(crate) fn from_date(date: &str) -> Option<Stamp> {
        let mut parts = date.trim().splitn(3, '-');
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        ((1980..=2107).contains(&year) && (1..=12).contains(&month) && (1..=days).contains(&day))
            .then_some(Stamp {
                year,
                month,
                day,
                ..Stamp::EARLIEST
            })
    }

    /// As `2017-04-01T00:00:00Z`.
    #[cfg(test)]
    pub(crate) fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(all(test, feature = "documents"))]
mod tests {
    use super::Stamp;

    #[test]
    fn stamps_from_epochs_and_dates() {
        let s = Stamp::from_epoch("1700000000").expect("a stamp");
        assert_eq!(s.rfc3339(), "2023-11-14T22:13:20Z");
        assert_eq!(Stamp::from_epoch("0"), Some(Stamp::EARLIEST));
        assert_eq!(Stamp::from_epoch("soon"), None);
        assert_eq!(Stamp::from_epoch("99999999999"), None);
        let d = Stamp::from_date("2017-04-01").expect("a date");
        assert_eq!(d.rfc3339(), "2017-04-01T00:00:00Z");
        assert_eq!(
            Stamp::from_date("2020-03").map(|s| s.rfc3339()),
            Some("2020-03-01T00:00:00Z".into())
        );
        for bad in [
            "1066-10-14",
            "2020-13-01",
            "2021-02-29",
            "spring",
            "2020-02-01x",
        ] {
            assert_eq!(Stamp::from_date(bad), None, "{bad}");
        }
    }
}
