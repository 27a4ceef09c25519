//! Random series of saves on a small site: after each, the document `serve` makes by
//! linking again only what the save touches equals the document a full build makes of
//! the same content, and the page records it updates equal records hashed afresh.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::kept::{self, Kept};
use super::records;
use crate::config::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::document::Document;
use crate::load;
use crate::output::Renderer;

/// A small deterministic generator (xorshift), so that a failing series can be replayed
/// from its seed.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const TEXTS: usize = 6;
const WORDS: &[&str] = &[
    "power", "alliance", "states", "treaty", "calm", "war", "rises", "balance", "price",
];
/// Tags, two of them spelled differently for one tag page.
const TAGS: &[&str] = &["war", "peace", "Peace", "memory", "trade"];

/// A cross-link to a text, a note (that may not exist), a paragraph, or the glossary.
fn link(dice: &mut Dice) -> String {
    let to = dice.below(TEXTS);
    match dice.below(5) {
        0 => format!("[[t{to}]]"),
        1 | 2 => format!("[[t{to}#n{}]]", dice.below(4)),
        3 => format!("[[t{to}#p{}]]", 1 + dice.below(3)),
        _ => "[[glossary#balance]]".into(),
    }
}

fn sentence(dice: &mut Dice) -> String {
    let mut words: Vec<String> = (0..4 + dice.below(5))
        .map(|_| dice.pick(WORDS).to_string())
        .collect();
    if dice.below(3) == 0 {
        let at = dice.below(words.len());
        words.insert(at, link(dice));
    }
    format!("{}.", words.join(" "))
}

fn text_md(k: usize, dice: &mut Dice) -> String {
    let title = match dice.below(3) {
        0 => format!("Text {k} revised"),
        _ => format!("Text {k}"),
    };
    let summary = if dice.below(2) == 0 {
        "summary: In short.\n"
    } else {
        ""
    };
    let paragraphs: Vec<String> = (0..1 + dice.below(3)).map(|_| sentence(dice)).collect();
    format!(
        "---\ntitle: {title}\norder: {k}\n{summary}---\n\n{}\n",
        paragraphs.join("\n\n")
    )
}

fn sidecar(dice: &mut Dice) -> String {
    let notes = dice.below(4);
    if notes == 0 {
        return "annotations: []\n".into();
    }
    let mut out = String::from("annotations:\n");
    for n in 0..notes {
        let tags: Vec<&str> = (0..dice.below(3)).map(|_| dice.pick(TAGS)).collect();
        let title = if dice.below(2) == 0 {
            format!("    title: Note {n}\n")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  - id: n{n}\n    para: 1\n{title}    tags: [{}]\n    note: \"{}\"\n",
            tags.join(", "),
            sentence(dice)
        ));
    }
    out
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Everything a page shows of a document, comparable.
fn shown(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for t in &doc.texts {
        let json = serde_json::to_string(&(&t.notes, &t.backlinks, &t.previews, &t.prev, &t.next));
        out.push(format!(
            "{}: {json:?} {:?} {:?}",
            t.text.slug,
            doc.page_html(t),
            doc.handout_html(t)
        ));
    }
    out.push(format!("tags: {:?}", serde_json::to_string(&doc.tags)));
    out.push(format!(
        "glossary: {:?}",
        serde_json::to_string(&(&doc.glossary, &doc.glossary_previews))
    ));
    out
}

/// The annotations' renderer, as `serve` keeps it.
fn annotations() -> Box<dyn Renderer> {
    let all = crate::output::renderers().into_iter();
    all.into_iter()
        .find(|r| r.name() == "annotations")
        .unwrap_or_else(|| panic!("no annotations output"))
}

fn messages(diags: &Diagnostics) -> Vec<String> {
    diags.iter().map(|d| format!("{d:?}")).collect()
}

#[test]
fn random_saves_link_as_a_full_build_would() {
    for seed in 1..=16u64 {
        let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap_or_else(|e| panic!("{e}"));
        write(
            &content.join("_site.yaml"),
            "title: S\nglossary:\n  autolink: true\n",
        );
        write(
            &content.join("_glossary.yaml"),
            "terms:\n  - id: balance\n    term: balance\n    definition: See [[t1]].\n",
        );
        for k in 0..TEXTS {
            write(&content.join(format!("t{k}.md")), &text_md(k, &mut dice));
            write(&content.join(format!("t{k}.yaml")), &sidecar(&mut dice));
        }
        let options = BuildOptions {
            site_dir: dir.path().to_path_buf(),
            output: dir.path().join("public"),
            instructor: false,
            drafts: false,
            base_url: None,
        };
        let mut diags = Diagnostics::new();
        let mut site = load::site(&options, &mut diags).unwrap_or_else(|e| panic!("{e:?}"));
        let mut kept: HashMap<String, Kept> = HashMap::new();
        let mut linked = kept::Links::default();
        let (doc, _) = kept::document(
            &site,
            &mut kept,
            &mut linked,
            &BTreeSet::new(),
            &mut diags,
            &mut |_| {},
        );
        let mut last = records::of(&doc, &kept);
        let mut annotations = annotations();
        annotations.render_kept(&doc, &mut diags);
        kept::keep(doc, &mut kept, &mut linked);
        for step in 0..30 {
            let k = dice.below(TEXTS);
            let md = content.join(format!("t{k}.md"));
            match dice.below(3) {
                0 => write(&md, &text_md(k, &mut dice)),
                1 => write(&content.join(format!("t{k}.yaml")), &sidecar(&mut dice)),
                _ => {
                    write(&md, &text_md(k, &mut dice));
                    write(&content.join(format!("t{k}.yaml")), &sidecar(&mut dice));
                }
            }
            let mut reread = Diagnostics::new();
            let changed = match load::reload_text(&options, &mut site, &md, &mut reread) {
                load::Reloaded::Replaced(slug) | load::Reloaded::Removed(slug) => slug,
                load::Reloaded::NotInSite => panic!("t{k} is in the site"),
            };
            let redo = kept::to_redo(&[changed].into(), &kept);
            let mut incremental = Diagnostics::new();
            let (doc, changed) = kept::document(
                &site,
                &mut kept,
                &mut linked,
                &redo,
                &mut incremental,
                &mut |_| {},
            );
            let mut full = Diagnostics::new();
            let fresh = crate::pipeline::document(&site, &mut full, &mut |_| {});
            let at = format!("seed {seed}, step {step} (t{k})");
            assert_eq!(messages(&incremental), messages(&full), "{at}");
            let (a, b) = (shown(&doc), shown(&fresh));
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x, y, "{at}");
            }
            assert_eq!(a.len(), b.len(), "{at}");
            assert!(changed.is_some(), "{at}: the whole site was linked again");
            let updated = match &changed {
                Some(c) => records::update(&last, &doc, &kept, c),
                None => records::of(&doc, &kept),
            };
            assert_eq!(updated, records::of(&doc, &kept), "{at}: {changed:?}");
            // The annotations made again for the texts anchored again, from the other
            // texts' parts kept, are a full build's.
            let made = match &changed {
                Some(c) => annotations.render_texts(&doc, &c.texts, &mut full),
                None => None,
            };
            let made = made.unwrap_or_else(|| annotations.render_kept(&doc, &mut full));
            let fresh_files = annotations.render(&fresh, &mut full);
            for file in &made {
                let same = fresh_files.iter().find(|f| f.path == file.path);
                assert!(
                    same.is_some_and(|f| f.bytes == file.bytes),
                    "{at}: {}",
                    file.path
                );
            }
            assert!(made.iter().any(|f| f.path == "annotations.jsonld"), "{at}");
            last = updated;
            drop(fresh);
            kept::keep(doc, &mut kept, &mut linked);
        }
    }
}
