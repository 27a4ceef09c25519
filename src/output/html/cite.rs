//! "Cite this": a text's citations in Chicago (notes and bibliography), MLA 9 and APA 7,
//! computed here from the front matter and the site, so every reader gets the same,
//! tested wording. The page carries them as data (`data-cite-*` on the text's `<article>`,
//! escaped by tera); `scholia.js` fills in the pinpoint (", para. 12": `js.cite_para` of the
//! strings) and the link to the passage when a reader asks to cite a paragraph or a note.
//! No HTML is built here. The citations' own words (quotation marks, dates, "n.d.") are the
//! site language's: see [`Words`].
//!
//! A citation is a list of pieces: text as written, and slots the script fills. A slot
//! brings its own leading punctuation, which goes away when the slot is empty (citing the
//! whole text has no pinpoint), and no slot is ever found by searching the author's text,
//! so a title that contains `{locator}` stays as written.

use serde::Serialize;
use toml::{Table, Value};
use url::Url;

use crate::config::page_url;
use crate::site::FrontMatter;
use crate::strings::Strings;

/// A piece of a citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum Piece {
    Text(String),
    /// Filled by the script: `before` then the value, or nothing when the value is empty.
    Slot {
        slot: Slot,
        before: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Slot {
    /// The pinpoint: "para. 12".
    Locator,
    /// The permanent link to the passage (only when the site has a `base_url`).
    Link,
}

/// A text's citations, each with its slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Citation {
    /// The page's absolute URL, when the site has a `base_url`.
    pub url: Option<String>,
    pub chicago: Vec<Piece>,
    pub mla: Vec<Piece>,
    pub apa: Vec<Piece>,
    /// APA's parenthetical citation, which is where its pinpoint goes.
    pub apa_in_text: Vec<Piece>,
}

/// What `text.html` writes as `data-cite-*` attributes: the pieces as JSON (tera escapes
/// it into the attribute).
#[derive(Debug, Serialize)]
pub(crate) struct CiteContext {
    url: Option<String>,
    chicago: String,
    mla: String,
    apa: String,
    apa_in_text: String,
}

/// A date in the front matter: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` is read; anything else
/// ("c. 380 BC") is cited as written.
enum Date<'a> {
    Iso {
        year: &'a str,
        month: Option<usize>,
        day: Option<u32>,
    },
    Written(&'a str),
}

impl<'a> Date<'a> {
    fn parse(s: &'a str) -> Date<'a> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('-').collect();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let ok = match parts.as_slice() {
            [y] => digits(y, 4),
            [y, m] => digits(y, 4) && digits(m, 2),
            [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
            _ => false,
        };
        let month = parts
            .get(1)
            .and_then(|m| m.parse::<usize>().ok())
            .filter(|m| (1..=12).contains(m));
        let day = parts
            .get(2)
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|d| (1..=31).contains(d));
        if !ok || (parts.len() > 1 && month.is_none()) || (parts.len() > 2 && day.is_none()) {
            return Date::Written(s);
        }
        Date::Iso {
            year: parts[0],
            month,
            day,
        }
    }

    /// The date in `full` (year, month and day) or `month_only` (year and month), with the
    /// month named from `months` (January first): `{year}`, `{month}` and `{day}` are filled.
    fn written(&self, full: &str, month_only: &str, months: &[String]) -> String {
        match *self {
            Date::Iso { year, month, day } => {
                let name = |m: usize| months.get(m - 1).cloned().unwrap_or_else(|| m.to_string());
                match (month, day) {
                    (Some(m), Some(d)) => fill_in(
                        full,
                        &[("year", year), ("month", &name(m)), ("day", &d.to_string())],
                    ),
                    (Some(m), None) => fill_in(month_only, &[("year", year), ("month", &name(m))]),
                    _ => year.to_string(),
                }
            }
            Date::Written(s) => s.to_string(),
        }
    }

    /// "2021" (APA's in-text citation).
    fn year(&self) -> String {
        match *self {
            Date::Iso { year, .. } => year.to_string(),
            Date::Written(s) => s.to_string(),
        }
    }
}

/// An author's name, split into given names and family name when that is safe to guess:
/// "Virginia Woolf", or "Woolf, Virginia" as written. A single name ("Plato"), several
/// authors or an organisation are cited as written.
struct Name<'a> {
    written: &'a str,
    split: Option<(&'a str, &'a str)>,
}

impl<'a> Name<'a> {
    fn parse(s: &'a str) -> Name<'a> {
        let s = s.trim();
        // A name is a few capitalised words ("Marina E. Henke"); "Interview with …",
        // "Henke (interviewee)" or "A and B" are not, and are cited as written.
        let names = |part: &str| {
            let words: Vec<&str> = part.split_whitespace().collect();
            !words.is_empty()
                && words.len() <= 4
                && words.iter().all(|w| {
                    w.chars().next().is_some_and(char::is_uppercase)
                        && w.chars()
                            .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
                })
        };
        let split = if let Some((family, given)) = s.split_once(',') {
            let (family, given) = (family.trim(), given.trim());
            (names(family) && names(given)).then_some((given, family))
        } else {
            s.rsplit_once(' ')
                .map(|(given, family)| (given.trim(), family.trim()))
                .filter(|(g, f)| names(g) && names(f))
        };
        Name { written: s, split }
    }

    /// "Virginia Woolf" (Chicago's note).
    fn natural(&self) -> String {
        match self.split {
            Some((given, family)) => format!("{given} {family}"),
            None => self.written.to_string(),
        }
    }

    /// "Woolf, Virginia" (MLA).
    fn inverted(&self) -> String {
        match self.split {
            Some((given, family)) => format!("{family}, {given}"),
            None => self.written.to_string(),
        }
    }

    /// "Woolf, V." (APA's reference).
    fn initials(&self) -> String {
        match self.split {
            Some((given, family)) => {
                let initials: Vec<String> = given
                    .split_whitespace()
                    .map(|g| {
                        // "Jean-Paul" is "J.-P.".
                        let parts: Vec<String> = g
                            .split('-')
                            .filter_map(|p| p.chars().next())
                            .map(|c| format!("{c}."))
                            .collect();
                        parts.join("-")
                    })
                    .collect();
                format!("{family}, {}", initials.join(" "))
            }
            None => self.written.to_string(),
        }
    }

    /// "Woolf" (APA's in-text citation).
    fn family(&self) -> &str {
        self.split.map_or(self.written, |(_, family)| family)
    }
}

/// `s` followed by `mark`, unless it already ends with a mark of its own ("Why?" takes no
/// further period).
fn closed(s: &str, mark: &str) -> String {
    let s = s.trim();
    if s.ends_with(['?', '!']) || (mark == "." && s.ends_with('.')) {
        return s.to_string();
    }
    format!("{s}{mark}")
}

/// `pattern` with each `{name}` of `values` replaced, in one pass: a value (an author's
/// title, say) is never searched for placeholders itself.
fn fill_in(pattern: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let found = after.find('}').and_then(|close| {
            let value = values.iter().find(|(name, _)| *name == &after[..close])?.1;
            Some((close, value))
        });
        match found {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The words a citation is written with, in the site's language: its strings file's
/// `[citation]` table and month names (see `themes/default/strings/en.toml`). The styles are
/// American (Chicago, MLA, APA), but a French reader cites `« Titre »`, `s. d.` and
/// `24 octobre 1929`, as French guides to those styles do.
pub(crate) struct Words {
    /// `“{title}{mark}”`: how a title is quoted, and where the punctuation after it goes.
    title: String,
    /// APA's "n.d." (no date).
    no_date: String,
    /// "Originally published in {source}".
    originally: String,
    months: Vec<String>,
    /// A date (`{day}`, `{month}`, `{year}`) and a month (`{month}`, `{year}`) in prose,
    /// as Chicago writes them.
    date: String,
    date_month: String,
    /// MLA's date and its short month names.
    mla_date: String,
    mla_months: Vec<String>,
    /// APA's dates in a reference: "2021, May 4" and "2021, May".
    apa_date: String,
    apa_date_month: String,
}

impl Words {
    /// The words of `strings` (which has every key: a site's own language is laid over
    /// English).
    pub(crate) fn of(strings: &Strings) -> Words {
        let top = strings.table();
        let cite = top.get("citation").and_then(Value::as_table);
        let lookup = |in_cite: bool, key: &str| {
            let table: Option<&Table> = if in_cite { cite } else { Some(top) };
            table.and_then(|t| t.get(key))
        };
        let word = |in_cite: bool, key: &str| {
            lookup(in_cite, key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let list = |in_cite: bool, key: &str| -> Vec<String> {
            lookup(in_cite, key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string))
                .into_iter()
                .flatten()
                .collect()
        };
        Words {
            title: word(true, "title"),
            no_date: word(true, "no_date"),
            originally: word(true, "originally"),
            months: list(false, "months"),
            date: word(false, "date"),
            date_month: word(false, "date_month"),
            mla_date: word(true, "mla_date"),
            mla_months: list(true, "mla_months"),
            apa_date: word(true, "apa_date"),
            apa_date_month: word(true, "apa_date_month"),
        }
    }

    /// The quoted title with `mark` (`,` or `.`) where the language puts it, unless the
    /// title ends with a mark of its own ("Why?" takes no further period).
    fn quoted(&self, title: &str, mark: &str) -> String {
        let title = title.trim();
        let mark = if closed(title, mark) == title {
            ""
        } else {
            mark
        };
        fill_in(&self.title, &[("title", title), ("mark", mark)])
    }
}

struct Pieces(Vec<Piece>);

impl Pieces {
    fn text(&mut self, s: impl Into<String>) -> &mut Self {
        let s = s.into();
        if let Some(Piece::Text(last)) = self.0.last_mut() {
            last.push_str(&s);
        } else {
            self.0.push(Piece::Text(s));
        }
        self
    }

    fn slot(&mut self, slot: Slot, before: &'static str) -> &mut Self {
        self.0.push(Piece::Slot { slot, before });
        self
    }
}

impl Citation {
    /// The citations of the text with front matter `meta` on page `path` (relative to the
    /// site root) of the site titled `site_title`, in the words of the site's language.
    pub(crate) fn new(
        words: &Words,
        meta: &FrontMatter,
        site_title: &str,
        base_url: Option<&Url>,
        path: &str,
    ) -> Citation {
        let url = base_url.map(|b| page_url(b, path).to_string());
        let has_link = url.is_some();
        let title = meta.title.trim();
        let site = site_title.trim();
        let author = meta
            .author
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(Name::parse);
        let date = meta
            .date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(Date::parse);
        let source = meta
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let originally = |p: &mut Pieces| {
            if let Some(source) = source {
                let originally = fill_in(&words.originally, &[("source", source)]);
                p.text(format!(" {}", closed(&originally, ".")));
            }
        };

        // Chicago, note form: Virginia Woolf, “Title,” Site, May 4, 2021, para. 2, URL.
        let mut c = Pieces(Vec::new());
        if let Some(a) = &author {
            c.text(format!("{}, ", a.natural()));
        }
        c.text(words.quoted(title, ",")).text(format!(" {site}"));
        if let Some(d) = &date {
            c.text(format!(
                ", {}",
                d.written(&words.date, &words.date_month, &words.months)
            ));
        }
        c.slot(Slot::Locator, ", ");
        if has_link {
            c.slot(Slot::Link, ", ");
        }
        c.text(".");
        originally(&mut c);

        // MLA 9: Woolf, Virginia. “Title.” Site, 4 May 2021, para. 2, URL.
        let mut m = Pieces(Vec::new());
        if let Some(a) = &author {
            m.text(format!("{} ", closed(&a.inverted(), ".")));
        }
        m.text(words.quoted(title, ".")).text(format!(" {site}"));
        if let Some(d) = &date {
            m.text(format!(
                ", {}",
                d.written(&words.mla_date, &words.date_month, &words.mla_months)
            ));
        }
        m.slot(Slot::Locator, ", ");
        if has_link {
            m.slot(Slot::Link, ", ");
        }
        m.text(".");
        originally(&mut m);

        // APA 7: Woolf, V. (2021, May 4). Title. Site. URL
        let apa_date = date.as_ref().map_or_else(
            || words.no_date.clone(),
            |d| d.written(&words.apa_date, &words.apa_date_month, &words.months),
        );
        let mut a = Pieces(Vec::new());
        match &author {
            Some(name) => {
                a.text(format!(
                    "{} ({apa_date}). {}",
                    closed(&name.initials(), ""),
                    closed(title, ".")
                ));
            }
            None => {
                a.text(format!("{} ({apa_date}).", closed(title, ".")));
            }
        }
        a.text(format!(" {}", closed(site, ".")));
        if has_link {
            a.slot(Slot::Link, " ");
        }
        originally(&mut a);

        // APA in text: (Woolf, 2021, para. 2)
        let year = date
            .as_ref()
            .map_or_else(|| words.no_date.clone(), Date::year);
        let who = author
            .as_ref()
            .map_or_else(|| words.quoted(title, ""), |n| n.family().to_string());
        let mut i = Pieces(Vec::new());
        i.text(format!("({who}, {year}"))
            .slot(Slot::Locator, ", ")
            .text(")");

        Citation {
            url,
            chicago: c.0,
            mla: m.0,
            apa: a.0,
            apa_in_text: i.0,
        }
    }

    /// The data `text.html` writes into the page.
    pub(crate) fn context(&self) -> CiteContext {
        let json = |p: &[Piece]| serde_json::to_string(p).unwrap_or_default();
        CiteContext {
            url: self.url.clone(),
            chicago: json(&self.chicago),
            mla: json(&self.mla),
            apa: json(&self.apa),
            apa_in_text: json(&self.apa_in_text),
        }
    }
}

/// A citation as the script writes it (the same rule as `scholia.js`), for tests.
#[cfg(test)]
fn fill(pieces: &[Piece], locator: &str, link: &str) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(s) => s.clone(),
            Piece::Slot { slot, before } => {
                let v = match slot {
                    Slot::Locator => locator,
                    Slot::Link => link,
                };
                if v.is_empty() {
                    String::new()
                } else {
                    format!("{before}{v}")
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Words {
        Words::of(&Strings::default())
    }

    fn meta(author: Option<&str>, date: Option<&str>) -> FrontMatter {
        FrontMatter {
            title: "A Room of One's Own".into(),
            author: author.map(String::from),
            date: date.map(String::from),
            ..FrontMatter::default()
        }
    }

    fn base() -> Url {
        Url::parse("https://example.org/reader/").expect("URL")
    }

    const LINK: &str = "https://example.org/reader/texts/room/#p12";

    #[test]
    fn three_styles_with_author_date_and_base_url() {
        let b = base();
        let c = Citation::new(
            &english(),
            &meta(Some("Virginia Woolf"), Some("1929-10-24")),
            "Modern Essays",
            Some(&b),
            "texts/room/index.html",
        );
        assert_eq!(
            c.url.as_deref(),
            Some("https://example.org/reader/texts/room/")
        );
        assert_eq!(
            fill(&c.chicago, "para. 12", LINK),
            "Virginia Woolf, “A Room of One's Own,” Modern Essays, October 24, 1929, para. 12, \
             https://example.org/reader/texts/room/#p12."
        );
        assert_eq!(
            fill(&c.mla, "para. 12", LINK),
            "Woolf, Virginia. “A Room of One's Own.” Modern Essays, 24 Oct. 1929, para. 12, \
             https://example.org/reader/texts/room/#p12."
        );
        assert_eq!(
            fill(&c.apa, "para. 12", LINK),
            "Woolf, V. (1929, October 24). A Room of One's Own. Modern Essays. \
             https://example.org/reader/texts/room/#p12"
        );
        assert_eq!(
            fill(&c.apa_in_text, "para. 12", LINK),
            "(Woolf, 1929, para. 12)"
        );
    }

    #[test]
    fn without_author_date_or_base_url_the_parts_are_left_out() {
        let c = Citation::new(
            &english(),
            &meta(None, None),
            "Modern Essays",
            None,
            "texts/room/index.html",
        );
        assert_eq!(c.url, None);
        // No link slot at all: without a base URL there is no permanent address to cite.
        for pieces in [&c.chicago, &c.mla, &c.apa, &c.apa_in_text] {
            assert!(!pieces.iter().any(|p| matches!(
                p,
                Piece::Slot {
                    slot: Slot::Link,
                    ..
                }
            )));
        }
        assert_eq!(
            fill(&c.chicago, "para. 2", "ignored"),
            "“A Room of One's Own,” Modern Essays, para. 2."
        );
        assert_eq!(
            fill(&c.mla, "para. 2", "ignored"),
            "“A Room of One's Own.” Modern Essays, para. 2."
        );
        assert_eq!(
            fill(&c.apa, "para. 2", "ignored"),
            "A Room of One's Own. (n.d.). Modern Essays."
        );
        assert_eq!(
            fill(&c.apa_in_text, "para. 2", ""),
            "(“A Room of One's Own”, n.d., para. 2)"
        );
    }

    #[test]
    fn citing_the_whole_text_drops_the_pinpoint_and_its_comma() {
        let c = Citation::new(
            &english(),
            &meta(Some("Plato"), Some("c. 380 BC")),
            "Classics",
            None,
            "x/index.html",
        );
        assert_eq!(
            fill(&c.chicago, "", ""),
            "Plato, “A Room of One's Own,” Classics, c. 380 BC."
        );
        assert_eq!(
            fill(&c.mla, "", ""),
            "Plato. “A Room of One's Own.” Classics, c. 380 BC."
        );
        assert_eq!(fill(&c.apa_in_text, "", ""), "(Plato, c. 380 BC)");
    }

    #[test]
    fn source_is_cited_as_the_original_publication() {
        let mut m = meta(Some("Woolf, Virginia"), Some("1929"));
        m.source = Some("Hogarth Press".into());
        let c = Citation::new(&english(), &m, "Essays", None, "r/index.html");
        assert_eq!(
            fill(&c.mla, "para. 3", ""),
            "Woolf, Virginia. “A Room of One's Own.” Essays, 1929, para. 3. \
             Originally published in Hogarth Press."
        );
        assert_eq!(
            fill(&c.apa, "", ""),
            "Woolf, V. (1929). A Room of One's Own. Essays. Originally published in Hogarth Press."
        );
    }

    #[test]
    fn a_hostile_title_stays_text_and_its_braces_are_not_slots() {
        let m = FrontMatter {
            title: "\"Quotes\" & <script>alert(1)</script> {locator}".into(),
            author: Some("A \"B\" <i>C</i>".into()),
            ..FrontMatter::default()
        };
        let b = base();
        let c = Citation::new(&english(), &m, "<b>Site</b>", Some(&b), "t/index.html");
        let chicago = fill(&c.chicago, "para. 1", LINK);
        assert!(
            chicago.contains("<script>alert(1)</script> {locator},”"),
            "{chicago}"
        );
        assert_eq!(chicago.matches("para. 1").count(), 1, "{chicago}");
        // As data: JSON, which the template escapes into the attribute (tera); the script
        // only ever sets it as text.
        let ctx = c.context();
        let back: serde_json::Value = serde_json::from_str(&ctx.chicago).expect("JSON");
        assert_eq!(
            back[0],
            serde_json::Value::String(
                "A \"B\" <i>C</i>, “\"Quotes\" & <script>alert(1)</script> {locator},” <b>Site</b>"
                    .into()
            )
        );
        assert_eq!(
            back[1],
            serde_json::json!({"slot": "locator", "before": ", "})
        );
    }

    fn in_language(language: &str) -> Strings {
        use crate::diagnostics::{Diagnostics, Source, Span};
        let mut diags = Diagnostics::new();
        let at = || Span::file(&Source::new("_site.yaml", ""));
        let strings = Strings::select(language, None, at, &mut diags);
        assert_eq!(diags.iter().count(), 0, "{}", diags.render(false));
        strings
    }

    /// The pinpoint as the script writes it: `js.cite_para` with the paragraph's number.
    fn pinpoint(strings: &Strings, n: usize) -> String {
        strings.table()["js"]["cite_para"]
            .as_str()
            .unwrap_or_default()
            .replace("{n}", &n.to_string())
    }

    /// A French site cites in French: its quotation marks, dates, "s. d." and pinpoint
    /// (the French fixture's language; its pages are checked in tests/languages.rs and
    /// its dialog in tests/browser.rs).
    #[test]
    fn a_french_site_cites_in_french() {
        let fr = in_language("fr");
        let words = Words::of(&fr);
        let para = pinpoint(&fr, 12);
        assert_eq!(para, "§\u{a0}12");
        let mut m = meta(Some("Virginia Woolf"), Some("1929-10-24"));
        m.source = Some("Hogarth Press".into());
        let b = base();
        let c = Citation::new(&words, &m, "Essais", Some(&b), "texts/room/index.html");
        let chicago = fill(&c.chicago, &para, LINK);
        let mla = fill(&c.mla, &para, LINK);
        let apa = fill(&c.apa, &para, LINK);
        assert_eq!(
            chicago,
            format!(
                "Virginia Woolf, «\u{a0}A Room of One's Own\u{a0}», Essais, 24 octobre 1929, \
                 §\u{a0}12, {LINK}. Publié initialement dans Hogarth Press."
            )
        );
        assert_eq!(
            mla,
            format!(
                "Woolf, Virginia. «\u{a0}A Room of One's Own\u{a0}». Essais, 24 oct. 1929, \
                 §\u{a0}12, {LINK}. Publié initialement dans Hogarth Press."
            )
        );
        assert_eq!(
            apa,
            format!(
                "Woolf, V. (1929, 24 octobre). A Room of One's Own. Essais. {LINK} \
                 Publié initialement dans Hogarth Press."
            )
        );
        let undated = Citation::new(&words, &meta(None, None), "Essais", None, "r/index.html");
        assert_eq!(
            fill(&undated.apa_in_text, &para, ""),
            "(«\u{a0}A Room of One's Own\u{a0}», s.\u{a0}d., §\u{a0}12)"
        );
    }

    /// Every shipped language other than English has its own citation words: none is
    /// left in English.
    #[test]
    fn every_language_cites_in_its_own_words() {
        let en = Strings::default();
        let english = Words::of(&en);
        let m = meta(Some("Virginia Woolf"), Some("1929-10-24"));
        let cited = |w: &Words, s: &Strings| {
            let c = Citation::new(w, &m, "S", None, "t/index.html");
            let para = pinpoint(s, 3);
            [&c.chicago, &c.mla, &c.apa]
                .map(|p| fill(p, &para, ""))
                .join("\n")
        };
        let reference = cited(&english, &en);
        for (word, english_word) in [("para. 3", true), ("October", true), ("Oct.", true)] {
            assert_eq!(reference.contains(word), english_word, "{reference}");
        }
        for language in ["fr", "de", "es", "ar"] {
            let s = in_language(language);
            let w = Words::of(&s);
            let text = cited(&w, &s);
            for english_word in ["para.", "October", "Oct.", "“A Room"] {
                assert!(!text.contains(english_word), "{language}: {text}");
            }
            assert_ne!(w.no_date, english.no_date, "{language}");
            assert_ne!(w.originally, english.originally, "{language}");
        }
    }

    #[test]
    fn only_plain_names_are_inverted() {
        for (written, mla, apa) in [
            ("Marina E. Henke", "Henke, Marina E.", "Henke, M. E."),
            ("Henke, Marina E.", "Henke, Marina E.", "Henke, M. E."),
            ("Jean-Paul Sartre", "Sartre, Jean-Paul", "Sartre, J.-P."),
            ("Plato", "Plato", "Plato"),
            ("Interview with Marina E. Henke, by Yunkyo Kim", "", ""),
            ("Marina E. Henke (interviewee)", "", ""),
            ("Keohane and Nye", "", ""),
            ("Ludwig van Beethoven", "", ""),
        ] {
            let n = Name::parse(written);
            let (mla, apa) = if mla.is_empty() {
                (written, written)
            } else {
                (mla, apa)
            };
            assert_eq!(n.inverted(), mla, "{written}");
            assert_eq!(n.initials(), apa, "{written}");
        }
    }

    #[test]
    fn dates_that_are_not_iso_are_cited_as_written() {
        for (raw, chicago) in [
            ("2021-05", "May 2021"),
            ("2021-13-01", "2021-13-01"),
            ("2021-02-30x", "2021-02-30x"),
            ("1888", "1888"),
        ] {
            let w = english();
            assert_eq!(
                Date::parse(raw).written(&w.date, &w.date_month, &w.months),
                chicago,
                "{raw}"
            );
        }
    }
}
