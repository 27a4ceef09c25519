//! What a page says about itself to machines: link previews (Open Graph, Twitter cards),
//! search engines (schema.org JSON-LD) and citation managers (Highwire Press
//! `citation_*`, which Zotero and Google Scholar read). Data for `base.html`; the JSON-LD
//! is the one string made here, by `serde_json`.

use serde::Serialize;
use serde_json::{json, Value};

/// A text's `citation_*` tags.
#[derive(Debug, Serialize)]
pub(super) struct Citation<'a> {
    pub(super) title: &'a str,
    pub(super) authors: Vec<&'a str>,
    /// `YYYY/MM/DD` (or `YYYY/MM`, `YYYY`), when the text's `date` is an ISO date.
    pub(super) date: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) language: &'a str,
}

/// The people in a front matter `author`: `A and B`, `A; B` and `A & B` name several;
/// a comma does not, since `Woolf, Virginia` is one person.
pub(super) fn authors(author: &str) -> Vec<&str> {
    author
        .split(';')
        .flat_map(|part| part.split(" and "))
        .flat_map(|part| part.split(" & "))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect()
}

/// A front matter `date` as an ISO date (`1848`, `1848-02`, `1848-02-21`), if it is one.
pub(super) fn iso_date(date: &str) -> Option<&str> {
    let date = date.trim();
    let parts: Vec<&str> = date.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    };
    ok.then_some(date)
}

/// What the JSON-LD block of a page describes.
pub(super) enum Thing<'a> {
    /// The home page: the whole reader.
    WebSite,
    /// A text.
    Article {
        citation: &'a Citation<'a>,
        description: Option<&'a str>,
    },
    /// Any other page.
    WebPage,
}

/// The page's schema.org JSON-LD, ready to stand inside `<script type=…>`.
pub(super) fn json_ld(
    thing: &Thing,
    title: &str,
    site: &crate::config::SiteConfig,
    url: Option<&str>,
) -> String {
    let website = json!({"@type": "WebSite", "name": site.title});
    let mut value = match thing {
        Thing::WebSite => json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": site.title,
        }),
        Thing::WebPage => json!({
            "@context": "https://schema.org",
            "@type": "WebPage",
            "name": title,
            "isPartOf": website,
        }),
        Thing::Article {
            citation,
            description,
        } => {
            let mut article = json!({
                "@context": "https://schema.org",
                "@type": "Article",
                "headline": citation.title,
                "name": citation.title,
                "inLanguage": citation.language,
                "isPartOf": website,
            });
            if !citation.authors.is_empty() {
                article["author"] = citation
                    .authors
                    .iter()
                    .map(|a| json!({"@type": "Person", "name": a}))
                    .collect();
            }
            if let Some(date) = &citation.date {
                article["datePublished"] = Value::from(date.replace('/', "-"));
            }
            if let Some(d) = description {
                article["description"] = Value::from(*d);
            }
            if let Some(url) = url {
                article["mainEntityOfPage"] = Value::from(url);
            }
            article
        }
    };
    if let Some(url) = url {
        value["url"] = Value::from(url);
    }
    if let (Thing::WebSite, Some(d)) = (thing, &site.description) {
        value["description"] = Value::from(d.as_str());
    }
    script_safe(&value)
}

/// JSON that cannot end the `<script>` element holding it, nor open a comment there:
/// `<`, `>` and `&` only ever occur inside JSON strings, where `\u003c` means the same.
pub(super) fn script_safe(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let v = json!({"name": "\"><script>alert(1)</script><!-- &amp;"});
        let safe = script_safe(&v);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: Value = serde_json::from_str(&safe).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, v);
    }

    #[test]
    fn authors_and_dates() {
        assert_eq!(
            authors("Karl Marx and Friedrich Engels"),
            ["Karl Marx", "Friedrich Engels"]
        );
        assert_eq!(authors("Woolf, Virginia"), ["Woolf, Virginia"]);
        assert_eq!(authors("A; B & C"), ["A", "B", "C"]);
        assert_eq!(iso_date("1848-02-21"), Some("1848-02-21"));
        assert_eq!(iso_date("1848"), Some("1848"));
        assert_eq!(iso_date("February 1848"), None);
        assert_eq!(iso_date("1848-2-21"), None);
    }
}
