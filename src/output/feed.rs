//! `feed.xml`: an Atom feed of the texts, newest first, written by `atom_syndication`
//! (so every title and summary is escaped by the XML writer).
//!
//! Atom wants absolute, permanent ids and links, so the feed is made only when the site
//! has a `base_url` (or `--base-url`): a feed with addresses relative to nowhere would
//! be no use to a feed reader. Only texts whose `date` is an ISO date (`1848`,
//! `1848-02`, `1848-02-21`) are entries, since Atom needs a date for each.

use atom_syndication::{Entry, Feed, FixedDateTime, Generator, Link, Person, Text};

use super::{Files, Origin, OutputFile, Renderer};
use crate::config::page_url;
use crate::diagnostics::Diagnostics;
use crate::document::Document;
use crate::site::Site;

/// Where the feed goes, relative to the site root.
pub(crate) const PATH: &str = "feed.xml";

/// Whether the site has a feed (pages link to it only then).
pub(crate) fn published(site: &Site) -> bool {
    site.config.base_url.is_some()
}

/// The Atom feed.
pub(crate) struct AtomFeed;

impl Renderer for AtomFeed {
    fn name(&self) -> &'static str {
        "feed"
    }

    fn render_to(&self, doc: &Document, _diags: &mut Diagnostics, out: &mut Files) {
        if let Some(bytes) = feed(doc) {
            out(vec![OutputFile {
                path: PATH.into(),
                bytes: bytes.into(),
                origin: Origin::generated("the Atom feed"),
            }]);
        }
    }
}

/// A front matter `date` as the midnight (UTC) that starts it, if it is an ISO date.
fn date_time(date: &str) -> Option<FixedDateTime> {
    let date = date.trim();
    let full = match date.len() {
        4 => format!("{date}-01-01"),
        7 => format!("{date}-01"),
        10 => date.to_string(),
        _ => return None,
    };
    FixedDateTime::parse_from_rfc3339(&format!("{full}T00:00:00Z")).ok()
}

fn feed(doc: &Document) -> Option<Vec<u8>> {
    let site = doc.site;
    let base = site.config.base_url.as_ref()?;
    let mut dated: Vec<_> = doc
        .texts
        .iter()
        .filter_map(|t| Some((date_time(t.text.meta.date.as_deref()?)?, t)))
        .collect();
    // Newest first; texts of one date in reading order.
    dated.sort_by_key(|(date, _)| std::cmp::Reverse(*date));
    let entries: Vec<Entry> = dated
        .iter()
        .map(|(date, t)| {
            let m = &t.text.meta;
            let url = page_url(base, &t.page.path()).to_string();
            let mut entry = Entry::default();
            entry.set_id(url.clone());
            entry.set_title(Text::plain(m.title.clone()));
            entry.set_updated(*date);
            entry.set_published(Some(*date));
            entry.set_links(vec![alternate(url)]);
            if let Some(author) = &m.author {
                entry.set_authors(vec![person(author)]);
            }
            if let Some(summary) = &m.summary {
                entry.set_summary(Some(Text::plain(summary.clone())));
            }
            entry
        })
        .collect();

    let home = page_url(base, "").to_string();
    let mut feed = Feed::default();
    feed.set_id(home.clone());
    feed.set_title(Text::plain(site.config.title.clone()));
    if let Some(d) = &site.config.description {
        feed.set_subtitle(Some(Text::plain(d.clone())));
    }
    // Not the time of the build: the same site gives the same feed.
    if let Some((newest, _)) = dated.first() {
        feed.set_updated(*newest);
    }
    // Atom wants an author for every entry; the feed's stands in for entries without.
    let author = site.config.author.as_deref().unwrap_or(&site.config.title);
    feed.set_authors(vec![person(author)]);
    let mut myself = Link::default();
    myself.set_rel("self");
    myself.set_href(page_url(base, PATH).to_string());
    myself.set_mime_type(Some("application/atom+xml".to_string()));
    feed.set_links(vec![alternate(home), myself]);
    feed.set_lang(Some(site.config.language.clone()));
    feed.set_generator(Some(Generator {
        value: "scholia".into(),
        uri: None,
        version: Some(env!("CARGO_PKG_VERSION").into()),
    }));
    feed.set_entries(entries);
    let mut bytes = feed.write_to(Vec::new()).ok()?;
    bytes.push(b'\n');
    Some(bytes)
}

fn alternate(href: String) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_mime_type(Some("text/html".to_string()));
    link
}

fn person(name: &str) -> Person {
    let mut p = Person::default();
    p.set_name(name);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_become_midnights_and_others_are_left_out() {
        let t = |d: &str| date_time(d).map(|d| d.to_rfc3339());
        assert_eq!(
            t("1848-02-21").as_deref(),
            Some("1848-02-21T00:00:00+00:00")
        );
        assert_eq!(t("1848").as_deref(), Some("1848-01-01T00:00:00+00:00"));
        assert_eq!(t("1848-02").as_deref(), Some("1848-02-01T00:00:00+00:00"));
        assert_eq!(t("February 1848"), None);
        assert_eq!(t("1848-13-01"), None);
    }
}
