//! The shared model of handouts: one [`Edition`] (a text, or a pack of texts) is the one
//! input of every handout renderer (HTML, PDF, EPUB), so they print the same notes under
//! the same numbers, the same glossary terms and the same questions.

use url::Url;

use crate::config::{page_url, HandoutSettings, Pack};
use crate::document::{Document, Entry, InstructorQuestionHtml, NoteDoc, TextDoc};
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
}

impl<'a> Edition<'a> {
    /// The handout of the text `slug`, if the document has it.
    pub(crate) fn text(
        doc: &'a Document<'a>,
        slug: &str,
        settings: &'a HandoutSettings,
    ) -> Option<Edition<'a>> {
        let text = doc.texts.iter().find(|t| t.text.slug == slug)?;
        Some(Edition {
            doc,
            name: slug.to_string(),
            title: text.text.meta.title.clone(),
            texts: vec![text],
            is_pack: false,
            settings,
        })
    }

    /// The handout of a pack: its texts the document has (a draft the build leaves out
    /// is left out), in the pack's order.
    pub(crate) fn pack(
        doc: &'a Document<'a>,
        pack: &Pack,
        settings: &'a HandoutSettings,
    ) -> Edition<'a> {
        let texts = pack
            .texts
            .iter()
            .filter_map(|slug| doc.texts.iter().find(|t| &t.text.slug == slug))
            .collect();
        Edition {
            doc,
            name: pack.name.clone(),
            title: pack.title.clone(),
            texts,
            is_pack: true,
            settings,
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
        let mut more = true;
        while more {
            more = false;
            for e in glossary {
                if cited.contains(e.id.as_str()) {
                    continue;
                }
                let by_cited = e.cited_by.iter().any(|b| {
                    b.source == "Glossary"
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

    /// The discussion questions of the `i`th text, as HTML.
    pub(crate) fn questions(&self, i: usize) -> &'a [String] {
        self.texts
            .get(i)
            .map_or(&[], |t| &t.handout_html().questions)
    }

    /// The instructor questions of the `i`th text: none but in an instructor edition.
    pub(crate) fn instructor_questions(&self, i: usize) -> &'a [InstructorQuestionHtml] {
        match self.texts.get(i) {
            Some(t) if self.instructor() => &t.handout_html().instructor_questions,
            _ => &[],
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

    /// Whether a note is for the instructor only (and so marked "Instructor").
    pub(crate) fn is_instructor_note(&self, text: &TextDoc, note: &NoteDoc) -> bool {
        text.text
            .notes
            .get(note.index)
            .is_some_and(|n| n.audience == Audience::Instructor)
    }
}
