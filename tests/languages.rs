//! The interface in the site's language: French and Arabic fixture sites (`tests/sites/french`,
//! `tests/sites/arabic`) built by the real binary, a site's own words, and the fallback to
//! English; in Chromium, the scripts' words and the mirrored layout of a right-to-left site.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::browser::{js, launch, open, wait_for, Fixture, Server, WIDE};
use crate::support::html::{self, Node};
use crate::support::{self, between, build_ok, copy_site, fixture, read, scholia, Tool};

/// The theme's English words that must not appear on a page in another language.
const ENGLISH: [&str; 13] = [
    "Skip to main content",
    "Referenced by",
    "Notes in this text",
    "Discussion questions",
    "Back to the passage",
    "Read in context",
    "Search this reader",
    "All texts",
    ">Glossary<",
    "Made with",
    // The citations' words (`data-cite-*`).
    "Originally published",
    "April",
    "n.d.",
];

fn pages(public: &Path) -> Vec<(String, String)> {
    [
        "index.html",
        "glossary/index.html",
        "tags/index.html",
        "search/index.html",
    ]
    .iter()
    .map(|p| p.to_string())
    .chain(
        walkdir(public)
            .into_iter()
            .filter(|p| p.ends_with("/index.html") && p.starts_with("textes/")),
    )
    .map(|rel| {
        let html = read(&public.join(&rel));
        (rel, html)
    })
    .collect()
}

fn walkdir(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_french_site_speaks_french_everywhere() {
    let site = copy_site(&fixture("sites/french"));
    let public = build_ok(site.path(), &[]);
    let pages = pages(&public);
    assert!(pages.len() >= 6, "{pages:?}");
    for (rel, html) in &pages {
        assert!(html.contains("<html lang=\"fr\">"), "{rel}: not lang=fr");
        for english in ENGLISH {
            assert!(!html.contains(english), "{rel}: English `{english}` left");
        }
        // Handouts (pages for printing) have no navigation to skip.
        if !rel.contains("/handout/") {
            assert!(html.contains("Aller au contenu principal"), "{rel}");
        }
    }
    let text = read(&public.join("textes/alliances/index.html"));
    for french in [
        "Notes de ce texte",
        "Questions pour la discussion",
        "<time datetime=\"2017-04-01\">1 avril 2017</time>",
        "3 notes",
        "2 questions",
        "Cité par",
        "Contexte",
        "Définition",
        "Source : <a",
    ] {
        assert!(text.contains(french), "no `{french}` on the text page");
    }
    let index = read(&public.join("index.html"));
    assert!(index.contains("mars 2020"), "a year-month date in French");
    assert!(index.contains("1 note<"), "French singular");
    let tag = read(&public.join("tags/alliances/index.html"));
    assert!(
        tag.contains("3 notes dans 2 textes."),
        "French plurals in a tag's lede"
    );
    insta::assert_snapshot!(
        "french_text_notes_index",
        between(&text, "<section class=\"notes-index\"", "</section>")
    );
    let words = read(&support::asset(&public, "words.js"));
    assert!(words.starts_with("window.scholiaWords = {"), "{words}");
    assert!(words.contains("\"lang\":\"fr\""), "{words}");
    assert!(words.contains("Afficher toute la note"), "{words}");
}

#[test]
fn an_arabic_site_is_right_to_left_in_arabic() {
    let site = copy_site(&fixture("sites/arabic"));
    let public = build_ok(site.path(), &[]);
    let text = read(&public.join("texts/alliances/index.html"));
    assert!(text.contains("<html lang=\"ar\" dir=\"rtl\">"));
    for arabic in ["ملاحظات هذا النص", "أسئلة للنقاش", "ملاحظتان", "سؤال واحد"]
    {
        assert!(text.contains(arabic), "no `{arabic}`");
    }
    // Left-to-right sites say nothing of direction.
    let fr = copy_site(&fixture("sites/french"));
    let french = build_ok(fr.path(), &[]);
    assert!(!read(&french.join("index.html")).contains(" dir="));
}

#[test]
fn a_language_without_words_falls_back_to_english_with_a_warning() {
    let site = copy_site(&fixture("sites/french"));
    let config = site.path().join("content/_site.yaml");
    let yaml = read(&config).replace("language: fr", "language: pt-BR");
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the theme has no words for language `pt-BR`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/_site.yaml:3:11"),
        "{}",
        run.stderr
    );
    let index = read(&site.path().join("public/index.html"));
    assert!(index.contains("Skip to main content"));
    assert!(index.contains("<html lang=\"pt-BR\">"));
}

#[test]
fn a_site_overrides_words_and_a_misspelt_key_is_an_error() {
    let site = copy_site(&fixture("sites/french"));
    let dir = site.path().join("themes/default/strings");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("fr.toml"), "glossary = \"Lexique\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let public = build_ok(site.path(), &[]);
    let glossary = read(&public.join("glossary/index.html"));
    assert!(glossary.contains("<h1>Lexique</h1>"));
    assert!(
        glossary.contains("Aller au contenu principal"),
        "the rest stays French"
    );

    std::fs::write(
        dir.join("fr.toml"),
        "glossary = \"Lexique\"\nrefrenced_by = \"Cité\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    for said in [
        "error: unknown interface word `refrenced_by`",
        "themes/default/strings/fr.toml:2:1",
        "help: did you mean `referenced_by`?",
    ] {
        assert!(run.stderr.contains(said), "no `{said}` in:\n{}", run.stderr);
    }
}

/// A site's strings file for a language the theme does not ship gives some words: the
/// build warns at the file, names the missing keys in its help, and shows them in English.
#[test]
fn a_strings_file_missing_keys_is_a_warning_at_the_file_with_the_keys_to_add() {
    let site = copy_site(&fixture("sites/french"));
    let config = site.path().join("content/_site.yaml");
    let yaml = read(&config).replace("language: fr", "language: pt");
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let dir = site.path().join("themes/default/strings");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("pt.toml"), "glossary = \"Glossário\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let run = scholia(site.path(), &["build", "."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for said in [
        "warning: ",
        "interface words are missing: shown in English",
        "themes/default/strings/pt.toml:1:1",
        "help: add `",
        "(see the built-in `en.toml` for every key)",
    ] {
        assert!(run.stderr.contains(said), "no `{said}` in:\n{}", run.stderr);
    }
    let glossary = read(&site.path().join("public/glossary/index.html"));
    assert!(glossary.contains("<h1>Glossário</h1>"), "its own word");
    assert!(
        glossary.contains("Skip to main content"),
        "English for the rest"
    );
}

/// In Chromium: the scripts speak French, and an Arabic page puts its notes on the left.
#[test]
fn scripts_speak_the_site_language_and_rtl_notes_sit_on_the_other_side() {
    if support::missing(&[Tool::Chromium]) {
        return;
    }
    let (fr, ar) = (Fixture::build("french"), Fixture::build("arabic"));
    let chrome = launch();
    let tab = chrome.plain_tab(WIDE);

    let server = Server::start(&fr.public);
    open(&tab, &server.url("search/index.html?q=alliance"));
    wait_for(
        &tab,
        "/résultat/.test(document.querySelector('.search-status')?.textContent || '')",
        "the French search status",
    );
    let status = js(
        &tab,
        "return document.querySelector('.search-status').textContent;",
    );
    assert!(
        status.as_str().unwrap_or("").contains("pour “alliance”"),
        "{status}"
    );
    drop(server);

    let server = Server::start(&ar.public);
    open(&tab, &server.url("texts/alliances/index.html"));
    wait_for(
        &tab,
        "document.querySelector('.text-body').classList.contains('notes-placed')",
        "notes placed",
    );
    let m = js(
        &tab,
        "const mark = document.querySelector('mark.passage[data-note]');
         const note = document.getElementById(mark.dataset.note).getBoundingClientRect();
         const para = mark.closest('.para').querySelector(':scope > p').getBoundingClientRect();
         const num = mark.closest('.para').querySelector('.pnum').getBoundingClientRect();
         return { note: [note.left, note.right], para: [para.left, para.right],
                  num: [num.left, num.right], dir: getComputedStyle(document.body).direction };",
    );
    let x = |v: &serde_json::Value, i: usize| v[i].as_f64().unwrap_or(f64::NAN);
    assert_eq!(m["dir"], "rtl", "{m}");
    assert!(
        x(&m["note"], 1) <= x(&m["para"], 0) + 2.0,
        "the note is not left of its paragraph: {m}"
    );
    assert!(
        x(&m["num"], 0) >= x(&m["para"], 1) - 2.0,
        "the paragraph number is not right of its paragraph: {m}"
    );
}

/// Every English word of the theme (`en.toml`) that `lang`'s file words otherwise: the
/// literal pieces between `{placeholders}`, trimmed of spaces and punctuation, of three
/// letters or more, but a lone lowercase word ("text", "para") and any piece `lang`'s file
/// uses itself ("Page", "Source" in French). Taken from the files, so a new key is checked
/// without touching this.
fn english_unlike(lang: &str) -> Vec<String> {
    fn file(lang: &str) -> toml::Value {
        let path = support::repo().join(format!("themes/default/strings/{lang}.toml"));
        toml::from_str(&read(&path)).unwrap_or_else(|e| panic!("{lang}.toml: {e}"))
    }
    fn strings(v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::String(s) => out.push(s.clone()),
            toml::Value::Table(t) => t.values().for_each(|v| strings(v, out)),
            toml::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    fn walk(en: &toml::Value, other: Option<&toml::Value>, out: &mut BTreeSet<String>) {
        match en {
            toml::Value::String(s) if other.and_then(|o| o.as_str()) != Some(s.as_str()) => {
                for piece in s.split(['{', '}']).step_by(2) {
                    let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
                    if piece.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
                        out.insert(piece.to_string());
                    }
                }
            }
            toml::Value::Table(t) => {
                for (k, v) in t {
                    walk(v, other.and_then(|o| o.get(k)), out);
                }
            }
            toml::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, other.and_then(|o| o.get(i)), out);
                }
            }
            _ => {}
        }
    }
    let foreign = file(lang);
    let mut out = BTreeSet::new();
    walk(&file("en"), Some(&foreign), &mut out);
    let mut theirs = Vec::new();
    strings(&foreign, &mut theirs);
    out.into_iter()
        .filter(|w| w.contains(' ') || w.starts_with(char::is_uppercase))
        .filter(|w| !theirs.iter().any(|t| has_word(t, w)))
        .collect()
}

/// What a reader meets on a page: its text nodes (not scripts' or styles') and the values
/// of its attributes but those that are addresses, names or machine words.
fn shown_words(html: &str) -> Vec<String> {
    const MACHINE: [&str; 23] = [
        "class",
        "id",
        "href",
        "src",
        "rel",
        "type",
        "lang",
        "dir",
        "for",
        "name",
        "property",
        "http-equiv",
        "charset",
        "datetime",
        "role",
        "tabindex",
        "hidden",
        "aria-labelledby",
        "aria-describedby",
        "aria-controls",
        "aria-current",
        "aria-hidden",
        "action",
    ];
    let mut out = Vec::new();
    html::walk(html, |node| match node {
        Node::Text(text) => {
            out.push(text.to_string());
            true
        }
        Node::Element { name, attrs } => {
            for (key, value) in attrs {
                if !MACHINE.contains(&key.as_str()) && !key.starts_with("data-n") {
                    out.push(value.clone());
                }
            }
            !matches!(name, "script" | "style")
        }
    });
    out
}

/// `word` in `text` as a whole word ("Text" is not in "Texte").
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// No page of a French or Arabic site shows any of the theme's English words: every
/// string of `en.toml` worded otherwise in the site's language is looked for in the text
/// and attributes of every HTML page built (texts, handouts, tags, glossary, search, 404),
/// so a literal left in a template or handed by Rust is found whatever it says.
#[test]
fn no_page_of_a_site_in_another_language_shows_an_english_interface_word() {
    for (fixture_site, lang) in [
        ("sites/french", "fr"),
        ("sites/arabic", "ar"),
        ("sites/arabic-verse", "ar"),
    ] {
        let english = english_unlike(lang);
        assert!(
            english.iter().any(|w| w == "Skip to main content"),
            "{english:?}"
        );
        let site = copy_site(&fixture(fixture_site));
        let public = build_ok(site.path(), &[]);
        let pages: Vec<String> = walkdir(&public)
            .into_iter()
            .filter(|p| p.ends_with(".html"))
            .collect();
        assert!(
            pages.iter().any(|p| p.contains("/handout/")) && pages.len() >= 6,
            "{fixture_site}: {pages:?}"
        );
        let mut left = Vec::new();
        for rel in &pages {
            for shown in shown_words(&read(&public.join(rel))) {
                for word in english.iter().filter(|w| has_word(&shown, w)) {
                    left.push(format!("{rel}: `{word}` in {shown:?}"));
                }
            }
        }
        assert!(
            left.is_empty(),
            "{fixture_site}: English left:\n{}",
            left.join("\n")
        );
    }
}

/// A tag page sends a verse text's note to its lines, as readers count them, not to its
/// stanza.
#[test]
fn a_tag_page_places_a_verse_note_by_its_lines() {
    let site = copy_site(&fixture("sites/arabic-verse"));
    let public = build_ok(site.path(), &[]);
    let tags = walkdir(&public.join("tags"));
    let page = tags
        .iter()
        .find(|p| p.ends_with("/index.html"))
        .unwrap_or_else(|| panic!("no tag page: {tags:?}"));
    let html = read(&public.join("tags").join(page));
    assert!(html.contains("اقرأ في السياق (الأسطر 3–4)"), "{html}");
    assert!(html.contains("اقرأ في السياق (السطر 7)"), "{html}");
    assert!(!html.contains("(¶"), "{html}");
}

/// The templates hold no words of their own: outside `{{ … }}`, `{% … %}` and comments, no
/// text between tags and no shown attribute (`aria-label`, `title`, `alt`, `placeholder`,
/// `value`) has a letter, so a word added in English anywhere in the theme
/// fails here even before any strings file names it.
#[test]
fn the_templates_take_every_word_from_the_strings_files() {
    fn cut(s: &str, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find(open) {
            out.push_str(&rest[..at]);
            rest = rest[at..]
                .find(close)
                .map_or("", |end| &rest[at + end + close.len()..]);
        }
        out.push_str(rest);
        out
    }
    let dir = support::repo().join("themes/default/templates");
    let mut left = Vec::new();
    for name in walkdir(&dir) {
        let source = read(&dir.join(&name));
        let bare = cut(&cut(&cut(&source, "{#", "#}"), "{{", "}}"), "{%", "%}");
        let bare = cut(&bare, "&", ";");
        let mut in_tag = false;
        let mut run = String::new();
        let mut check = |run: &mut String, what: &str| {
            if run.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                left.push(format!("{name}: {what} {:?}", run.trim()));
            }
            run.clear();
        };
        for c in bare.chars() {
            match (in_tag, c) {
                (false, '<') => {
                    check(&mut run, "text");
                    in_tag = true;
                }
                (true, '>') => {
                    // Shown attributes' values: `name="value"` pairs of the tag.
                    let tag = std::mem::take(&mut run);
                    for (i, piece) in tag.split('"').enumerate().skip(1).step_by(2) {
                        let attribute = tag.split('"').nth(i - 1).unwrap_or_default();
                        let attribute = attribute.trim_end_matches('=').rsplit(' ').next();
                        if let Some(
                            a @ ("aria-label" | "title" | "alt" | "placeholder" | "value"),
                        ) = attribute
                        {
                            let mut value = piece.to_string();
                            check(&mut value, a);
                        }
                    }
                    in_tag = false;
                }
                _ => run.push(c),
            }
        }
        check(&mut run, "text");
    }
    assert!(
        left.is_empty(),
        "words not from the strings files:\n{}",
        left.join("\n")
    );
}

/// A handout's glossary holds the terms its terms' definitions cite, whatever the
/// glossary is called in the site's language ("Glossaire").
#[test]
fn a_french_handout_has_the_terms_its_terms_cite() {
    let site = copy_site(&fixture("sites/french"));
    let glossary = site.path().join("content/_glossary.yaml");
    let yaml = read(&glossary).replace(
        "centrée sur la puissance.",
        "centrée sur la [[glossary#puissance]].\n  - id: puissance\n    term: puissance\n    definition: La capacité d’imposer sa volonté.",
    );
    std::fs::write(&glossary, yaml).unwrap_or_else(|e| panic!("{e}"));
    let public = build_ok(site.path(), &[]);
    let handout = read(&public.join("textes/alliances/handout/index.html"));
    assert!(handout.contains("<dt>réalisme</dt>"), "{handout}");
    assert!(handout.contains("<dt>puissance</dt>"), "{handout}");
}
