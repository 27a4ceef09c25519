//! The theme's own words ("Referenced by", "Search", month names…) in the site's language.
//!
//! Each shipped language is a TOML file in `themes/default/strings/`, key for key like
//! `en.toml`; a value is a string, or a table of plural forms by CLDR category (`one`,
//! `other`, and for Arabic `zero`, `two`, `few`, `many`) picked with the language's plural
//! rules. A site may override any word, or bring a language we do not ship, in
//! `themes/<theme>/strings/<language>.toml`. Templates read the words as data (`t.glossary`,
//! `tr(key=…, n=…)`), the scripts as JSON in an attribute: no markup is ever built from
//! them here, so they are escaped like any other text.

use std::sync::Arc;

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use toml::{Table, Value};
use unic_langid::LanguageIdentifier;

use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Source, Span};

/// The languages the default theme speaks, and their files.
const SHIPPED: &[(&str, &str)] = &[
    ("en", include_str!("../themes/default/strings/en.toml")),
    ("fr", include_str!("../themes/default/strings/fr.toml")),
    ("de", include_str!("../themes/default/strings/de.toml")),
    ("es", include_str!("../themes/default/strings/es.toml")),
    ("ar", include_str!("../themes/default/strings/ar.toml")),
];

/// Primary subtags of languages written right to left.
const RIGHT_TO_LEFT: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi",
];

/// CLDR's plural categories, the only keys a table of plural forms may have.
const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// The words of one language, ready for templates and scripts.
#[derive(Debug, Clone)]
pub struct Strings {
    /// The language the words are in: the site's, or English when it has no words.
    language: String,
    words: Arc<Table>,
}

impl Default for Strings {
    /// English, which every language falls back to.
    fn default() -> Self {
        Strings {
            language: "en".into(),
            words: Arc::new(builtin("en").unwrap_or_default()),
        }
    }
}

/// The primary subtag of a BCP 47 tag, lower-cased (`pt-BR` → `pt`).
fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Whether `s` could be a primary language subtag (`fr`, `haw`: ISO 639's 2–3 letters).
fn is_language_subtag(s: &str) -> bool {
    matches!(s.len(), 2 | 3) && s.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Whether a language is written right to left, for `dir="rtl"`.
pub(crate) fn is_right_to_left(tag: &str) -> bool {
    RIGHT_TO_LEFT.contains(&primary(tag).as_str())
}

fn builtin(language: &str) -> Option<Table> {
    let (_, text) = SHIPPED.iter().find(|(l, _)| *l == language)?;
    text.parse::<Table>().ok()
}

impl Strings {
    /// The words for a site in `language`: the shipped file for its primary subtag (or
    /// English, with a warning at `at`, when there is none), with the site's own file
    /// `site_file` laid over it. A site file's unknown keys are errors (a misspelt key
    /// would silently change nothing); a language we do not ship must give every key,
    /// and the missing ones are warnings and stay English.
    pub(crate) fn select(
        language: &str,
        site_file: Option<&Arc<Source>>,
        at: impl Fn() -> Span,
        diags: &mut Diagnostics,
    ) -> Strings {
        let english = builtin("en").unwrap_or_default();
        let lang = primary(language);
        let shipped = builtin(&lang);
        let mut words = shipped.clone().unwrap_or_else(|| english.clone());
        let mut spoken = if shipped.is_some() {
            lang.clone()
        } else {
            "en".to_string()
        };
        match site_file {
            Some(src) => match src.text.parse::<Table>() {
                Ok(own) => {
                    let missing = overlay(&mut words, &own, &english, src, diags);
                    if shipped.is_none() {
                        spoken = lang.clone();
                        if !missing.is_empty() {
                            diags.push(
                                Diagnostic::warning(
                                    format!(
                                        "{} interface word{} missing: shown in English",
                                        missing.len(),
                                        if missing.len() == 1 { " is" } else { "s are" }
                                    ),
                                    Span::file(src),
                                )
                                .help(format!(
                                    "add {} (see the built-in `en.toml` for every key)",
                                    crate::diagnostics::list_some(&missing, 8)
                                )),
                            );
                        }
                    }
                }
                Err(e) => {
                    let range = e.span().unwrap_or(0..0);
                    diags.push(
                        Diagnostic::error(
                            format!("cannot read the interface words: {}", e.message()),
                            Span::new(src, range),
                        )
                        .help("a strings file is TOML: `key = \"words\"`, one per line"),
                    );
                }
            },
            // A tag that is not one is reported where `language` is checked.
            None if shipped.is_none() && is_language_subtag(&lang) => diags.push(
                Diagnostic::warning(
                    format!("the theme has no words for language `{language}`: its interface is in English"),
                    at(),
                )
                .help(format!(
                    "write them in `themes/<theme>/strings/{lang}.toml` (docs/languages.md); shipped: {}",
                    SHIPPED.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(", ")
                )),
            ),
            None => {}
        }
        Strings {
            language: spoken,
            words: Arc::new(words),
        }
    }

    /// The language the words are in (for the scripts' plural rules).
    pub(crate) fn language(&self) -> &str {
        &self.language
    }

    /// Every word, for templates (`t.referenced_by`, `t.kinds[note.kind]`).
    pub(crate) fn table(&self) -> &Table {
        &self.words
    }

    /// A note kind's name in these words (`Context`, `Contexte`…), as templates show it
    /// (`t.kinds[note.kind]`), for outputs that name kinds outside templates.
    pub(crate) fn kind(&self, kind: crate::site::NoteKind) -> String {
        self.words
            .get("kinds")
            .and_then(|k| k.get(kind.name()))
            .and_then(|w| w.as_str())
            .map_or_else(|| kind.label().to_string(), str::to_string)
    }

    /// The scripts' words (`[js]`) and the language of their plural rules, as JSON.
    pub(crate) fn for_scripts(&self) -> String {
        let js = self
            .words
            .get("js")
            .cloned()
            .unwrap_or(Value::Table(Table::new()));
        let data = serde_json::json!({ "lang": self.language, "words": js });
        data.to_string()
    }

    /// A word, with `{name}` placeholders filled from `vars`; a table of plural forms picks
    /// the form for `n`. An unknown key gives the key itself, so a theme's typo shows.
    pub(crate) fn format(&self, key: &str, n: Option<u64>, vars: &[(&str, String)]) -> String {
        let mut out = match (self.words.get(key), n) {
            (Some(Value::String(s)), _) => s.clone(),
            (Some(Value::Table(forms)), Some(n)) => {
                let category = category(&self.language, n);
                forms
                    .get(category)
                    .or_else(|| forms.get("other"))
                    .and_then(Value::as_str)
                    .unwrap_or(key)
                    .replace("{n}", &n.to_string())
            }
            _ => key.to_string(),
        };
        for (name, value) in vars {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// A date written `YYYY-MM-DD` or `YYYY-MM` in the language's words (`1 avril 2017`);
    /// anything else as it is.
    pub(crate) fn date(&self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        let number = |s: &str, len: usize| {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let month_name = |m: u32| {
            self.words
                .get("months")
                .and_then(Value::as_array)
                .and_then(|months| months.get(m.checked_sub(1)? as usize))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        match parts.as_slice() {
            [y, m, d] => match (
                number(y, 4),
                number(m, 2).and_then(month_name),
                number(d, 2),
            ) {
                (Some(year), Some(month), Some(day)) if (1..=31).contains(&day) => self.format(
                    "date",
                    None,
                    &[
                        ("day", day.to_string()),
                        ("month", month),
                        ("year", year.to_string()),
                    ],
                ),
                _ => iso.to_string(),
            },
            [y, m] => match (number(y, 4), number(m, 2).and_then(month_name)) {
                (Some(year), Some(month)) => self.format(
                    "date_month",
                    None,
                    &[("month", month), ("year", year.to_string())],
                ),
                _ => iso.to_string(),
            },
            _ => iso.to_string(),
        }
    }
}

/// The CLDR cardinal category of `n` in `language` (`other` for a language CLDR lacks).
fn category(language: &str, n: u64) -> &'static str {
    let rules = language
        .parse::<LanguageIdentifier>()
        .ok()
        .and_then(|id| PluralRules::create(id, PluralRuleType::CARDINAL).ok());
    match rules.and_then(|r| r.select(n).ok()) {
        Some(PluralCategory::ZERO) => "zero",
        Some(PluralCategory::ONE) => "one",
        Some(PluralCategory::TWO) => "two",
        Some(PluralCategory::FEW) => "few",
        Some(PluralCategory::MANY) => "many",
        _ => "other",
    }
}

/// The categories a table of plural forms must give for `language`: those its rules pick
/// for whole numbers (sampled where CLDR's rules change: 0–200, thousands, millions).
#[cfg(test)]
fn needed_categories(language: &str) -> Vec<&'static str> {
    let mut out = vec!["other"];
    for n in (0..=200).chain([1_000, 10_000, 100_000, 1_000_000, 2_000_000]) {
        let c = category(language, n);
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Lays a site's words over `words`, checking each against English's shape. Returns the
/// keys English has that `own` does not give (dotted for nested tables).
fn overlay(
    words: &mut Table,
    own: &Table,
    english: &Table,
    src: &Arc<Source>,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut missing = Vec::new();
    merge(words, own, english, "", src, diags, &mut missing);
    missing
}

fn merge(
    words: &mut Table,
    own: &Table,
    english: &Table,
    prefix: &str,
    src: &Arc<Source>,
    diags: &mut Diagnostics,
    missing: &mut Vec<String>,
) {
    for key in english.keys() {
        if !own.contains_key(key) {
            missing.push(format!("`{prefix}{key}`"));
        }
    }
    for (key, value) in own {
        let at = || Span::new(src, key_range(&src.text, key));
        let Some(reference) = english.get(key) else {
            diags.push(
                Diagnostic::error(format!("unknown interface word `{prefix}{key}`"), at())
                    .label("not a key of the theme's strings")
                    .maybe_help(
                        did_you_mean(key, english.keys().map(String::as_str))
                            .map(|k| format!("did you mean `{prefix}{k}`?")),
                    ),
            );
            continue;
        };
        match (reference, value) {
            (Value::Table(ref_forms), Value::Table(forms)) if is_plural(ref_forms) => {
                let bad: Vec<&String> = forms
                    .keys()
                    .filter(|k| !CATEGORIES.contains(&k.as_str()))
                    .collect();
                if !bad.is_empty() || !forms.contains_key("other") {
                    diags.push(
                        Diagnostic::error(
                            format!("`{prefix}{key}` needs plural forms"),
                            at(),
                        )
                        .help("give `other` and the categories your language uses: zero, one, two, few, many"),
                    );
                    continue;
                }
                words.insert(key.clone(), value.clone());
            }
            (Value::Table(reference), Value::Table(own_table)) => {
                let mut inner = match words.get(key) {
                    Some(Value::Table(t)) => t.clone(),
                    _ => reference.clone(),
                };
                merge(
                    &mut inner,
                    own_table,
                    reference,
                    &format!("{prefix}{key}."),
                    src,
                    diags,
                    missing,
                );
                words.insert(key.clone(), Value::Table(inner));
            }
            (Value::String(_), Value::String(_)) => {
                words.insert(key.clone(), value.clone());
            }
            (Value::Array(r), Value::Array(a))
                if a.len() == r.len() && a.iter().all(Value::is_str) =>
            {
                words.insert(key.clone(), value.clone());
            }
            _ => diags.push(
                Diagnostic::error(format!("`{prefix}{key}` has the wrong shape"), at()).help(
                    format!(
                        "write it like the built-in English: `{key} = {}`",
                        crate::diagnostics::clip(&reference.to_string(), 60)
                    ),
                ),
            ),
        }
    }
}

/// Whether an English table is a table of plural forms (rather than a group of words).
fn is_plural(table: &Table) -> bool {
    table.contains_key("other") && table.keys().all(|k| CATEGORIES.contains(&k.as_str()))
}

/// Where `key` is written in a TOML file, for diagnostics (the file start if not found).
fn key_range(text: &str, key: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.trim_start_matches('[').trim_start_matches('"');
        if let Some(rest) = bare.strip_prefix(key) {
            if rest.trim_start().starts_with(['=', ']', '"']) || rest.starts_with('.') {
                let start = offset + indent + (trimmed.len() - bare.len());
                return start..start + key.len();
            }
        }
        offset += line.len();
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(table: &Table, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in table {
            match v {
                Value::Table(t) if is_plural(t) => out.push(format!("{prefix}{k} (plural)")),
                Value::Table(t) => shape(t, &format!("{prefix}{k}."), out),
                Value::Array(a) => out.push(format!("{prefix}{k} [{}]", a.len())),
                _ => out.push(format!("{prefix}{k}")),
            }
        }
    }

    fn plural_tables<'t>(table: &'t Table, prefix: &str, out: &mut Vec<(String, &'t Table)>) {
        for (k, v) in table {
            if let Value::Table(t) = v {
                if is_plural(t) {
                    out.push((format!("{prefix}{k}"), t));
                } else {
                    plural_tables(t, &format!("{prefix}{k}."), out);
                }
            }
        }
    }

    #[test]
    fn every_shipped_language_has_exactly_the_english_keys_and_its_plural_forms() {
        let english = builtin("en").expect("en.toml parses");
        let mut reference = Vec::new();
        shape(&english, "", &mut reference);
        assert!(reference.len() > 60, "{reference:?}");
        for (lang, text) in SHIPPED {
            let table: Table = text
                .parse()
                .unwrap_or_else(|e| panic!("{lang}.toml does not parse: {e}"));
            let mut keys = Vec::new();
            shape(&table, "", &mut keys);
            let missing: Vec<_> = reference.iter().filter(|k| !keys.contains(k)).collect();
            let extra: Vec<_> = keys.iter().filter(|k| !reference.contains(k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}.toml: missing {missing:?}, extra {extra:?}"
            );
            let mut plurals = Vec::new();
            plural_tables(&table, "", &mut plurals);
            for (key, forms) in plurals {
                for needed in needed_categories(lang) {
                    assert!(
                        forms.contains_key(needed),
                        "{lang}.toml: `{key}` lacks the `{needed}` form"
                    );
                }
            }
        }
    }

    #[test]
    fn plural_forms_follow_each_languages_rules() {
        let mut diags = Diagnostics::new();
        let at = || Span::file(&Source::new("_site.yaml", ""));
        let en = Strings::select("en-GB", None, at, &mut diags);
        assert_eq!(en.format("notes_count", Some(1), &[]), "1 note");
        assert_eq!(en.format("notes_count", Some(0), &[]), "0 notes");
        let fr = Strings::select("fr", None, at, &mut diags);
        assert_eq!(fr.format("notes_count", Some(0), &[]), "0 note");
        assert_eq!(fr.format("notes_count", Some(2), &[]), "2 notes");
        let ar = Strings::select("ar", None, at, &mut diags);
        assert_eq!(ar.format("notes_count", Some(2), &[]), "ملاحظتان");
        assert_eq!(ar.format("notes_count", Some(3), &[]), "3 ملاحظات");
        assert_eq!(ar.format("notes_count", Some(11), &[]), "11 ملاحظة");
        assert_eq!(diags.iter().count(), 0, "{}", diags.render(false));
    }

    #[test]
    fn dates_are_written_in_the_language() {
        let mut diags = Diagnostics::new();
        let at = || Span::file(&Source::new("_site.yaml", ""));
        let fr = Strings::select("fr", None, at, &mut diags);
        assert_eq!(fr.date("2017-04-01"), "1 avril 2017");
        assert_eq!(fr.date("2017-04"), "avril 2017");
        let de = Strings::select("de", None, at, &mut diags);
        assert_eq!(de.date("2020-03-09"), "9. März 2020");
        let en = Strings::default();
        assert_eq!(en.date("2017-04-01"), "April 1, 2017");
        for odd in ["2017", "2017-13-01", "spring 2017", "2017-04-32", ""] {
            assert_eq!(en.date(odd), odd);
        }
    }

    #[test]
    fn another_language_falls_back_to_english_with_a_warning() {
        let mut diags = Diagnostics::new();
        let at = || Span::file(&Source::new("content/_site.yaml", "language: pt\n"));
        let pt = Strings::select("pt-BR", None, at, &mut diags);
        assert_eq!(pt.language(), "en");
        assert_eq!(pt.format("glossary", None, &[]), "Glossary");
        let out = diags.render(false);
        assert!(out.contains("no words for language `pt-BR`"), "{out}");
        assert!(out.contains("strings/pt.toml"), "{out}");
        assert!(!diags.has_errors());
    }

    #[test]
    fn a_site_file_overrides_words_and_its_mistakes_are_diagnostics() {
        let at = || Span::file(&Source::new("content/_site.yaml", ""));
        let mut diags = Diagnostics::new();
        let src = Source::new(
            "themes/mine/strings/en.toml",
            "glossary = \"Word list\"\nrefrenced_by = \"Cited by\"\nmonths = \"May\"\n\n[kinds]\nnote = \"Remark\"\n",
        );
        let en = Strings::select("en", Some(&src), at, &mut diags);
        assert_eq!(en.format("glossary", None, &[]), "Word list");
        assert_eq!(en.table()["kinds"]["note"].as_str(), Some("Remark"));
        assert_eq!(en.table()["kinds"]["source"].as_str(), Some("Source"));
        let out = diags.render(false);
        assert!(
            out.contains("unknown interface word `refrenced_by`"),
            "{out}"
        );
        assert!(out.contains("did you mean `referenced_by`?"), "{out}");
        assert!(out.contains("themes/mine/strings/en.toml:2:1"), "{out}");
        assert!(out.contains("`months` has the wrong shape"), "{out}");
        assert_eq!(diags.error_count(), 2);

        // A language we do not ship: every key, or a warning naming the missing ones.
        let mut diags = Diagnostics::new();
        let src = Source::new("themes/mine/strings/pt.toml", "glossary = \"Glossário\"\n");
        let pt = Strings::select("pt", Some(&src), at, &mut diags);
        assert_eq!(pt.format("glossary", None, &[]), "Glossário");
        assert_eq!(pt.format("tags", None, &[]), "Tags");
        let out = diags.render(false);
        assert!(out.contains("interface words are missing"), "{out}");
        assert!(!diags.has_errors());
    }

    #[test]
    fn scripts_get_json_and_right_to_left_is_known() {
        let json: serde_json::Value =
            serde_json::from_str(&Strings::default().for_scripts()).expect("valid JSON");
        assert_eq!(json["lang"], "en");
        assert_eq!(json["words"]["show_all"], "Show all of this note");
        assert!(is_right_to_left("ar"));
        assert!(is_right_to_left("he-IL"));
        assert!(is_right_to_left("FA"));
        assert!(!is_right_to_left("en"));
        assert!(!is_right_to_left("fr-CA"));
    }
}
