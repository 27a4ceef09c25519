//! JSON Schemas of the YAML files authors write, for their editors (`scholia schema`).
//!
//! Each schema is derived (`schemars`) from the very `Raw*` type that `load` deserializes
//! the file into, so a key added to the loader is in the schema with no one remembering
//! to add it. The schemas describe shape (keys, types, allowed values); rules across keys
//! (`quote` or `para`, unique ids, quotes found in the text) stay the build's, with its
//! diagnostics. Only the explanations of keys, for editors' hovers, are written here.

use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::config::RawSiteConfig;
use crate::load::{RawGlossary, RawSidecar};
use crate::site::Section;

/// Which file a schema is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Kind {
    /// A text's sidecar, `content/…/NAME.yaml` beside `NAME.md`.
    Sidecar,
    /// `content/_site.yaml`.
    Site,
    /// A folder's `_section.yaml`.
    Section,
    /// `content/_glossary.yaml`.
    Glossary,
}

impl Kind {
    pub(crate) const ALL: [Kind; 4] = [Kind::Sidecar, Kind::Site, Kind::Section, Kind::Glossary];

    /// The schema's file name, in `scholia schema --out DIR` and in the built site's
    /// `schema/` folder (a stable address: editors may point at it).
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Kind::Sidecar => "sidecar.json",
            Kind::Site => "site.json",
            Kind::Section => "section.json",
            Kind::Glossary => "glossary.json",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Sidecar => "scholia sidecar: the notes and questions on one text",
            Kind::Site => "scholia _site.yaml: the site's settings",
            Kind::Section => "scholia _section.yaml: a folder of texts",
            Kind::Glossary => "scholia _glossary.yaml: the site's glossary",
        }
    }
}

/// The schema of `kind`'s files, as a JSON value (draft 2020-12).
pub(crate) fn schema(kind: Kind) -> Value {
    let mut schema = match kind {
        Kind::Sidecar => generate::<RawSidecar>(),
        Kind::Site => generate::<RawSiteConfig>(),
        Kind::Section => generate::<Section>(),
        Kind::Glossary => generate::<RawGlossary>(),
    };
    if let Value::Object(root) = &mut schema {
        root.insert("title".into(), kind.title().into());
        root.remove("description");
    }
    for (at, key, text) in DESCRIPTIONS {
        let def = match at {
            Root(k) if *k == kind => "",
            Root(_) => continue,
            Def(name) => name,
        };
        if let Some(property) = property(&mut schema, def, key) {
            property.insert("description".into(), (*text).into());
        }
    }
    schema
}

/// The schema as pretty-printed JSON, ending in a newline.
pub(crate) fn to_json(kind: Kind) -> String {
    let mut json = serde_json::to_string_pretty(&schema(kind)).unwrap_or_default();
    json.push('\n');
    json
}

fn generate<T: JsonSchema>() -> Value {
    schemars::schema_for!(T).to_value()
}

/// The object describing property `key` of the root (`def` empty) or of `$defs/def`.
fn property<'a>(schema: &'a mut Value, def: &str, key: &str) -> Option<&'a mut Map<String, Value>> {
    let owner = if def.is_empty() {
        schema
    } else {
        schema.get_mut("$defs")?.get_mut(def)?
    };
    owner.get_mut("properties")?.get_mut(key)?.as_object_mut()
}

/// Where a key is: at the top of a kind's file, or in a definition (`$defs`) its schema
/// shares, named by the type's `#[schemars(rename)]`.
#[derive(Debug, Clone, Copy)]
enum At {
    Root(Kind),
    Def(&'static str),
}
use At::{Def, Root};

/// What each key means, shown by editors on hover. Unit tests check that every entry
/// names a key of a generated schema and that every key has an entry.
const DESCRIPTIONS: &[(At, &str, &str)] = &[
    // Sidecar.
    (Root(Kind::Sidecar), "annotations", "The notes on this text, each anchored to a passage by `quote` (with `prefix`/`suffix` if it occurs more than once) or to a whole paragraph by `para`."),
    (Root(Kind::Sidecar), "questions", "Discussion questions (Markdown) closing the text's page."),
    (Root(Kind::Sidecar), "instructor_questions", "Questions for the instructor, each with an optional answer: only in builds and handouts made with `--instructor`."),
    (Def("InstructorQuestion"), "question", "The question, in Markdown."),
    (Def("InstructorQuestion"), "answer", "A model answer or notes for the instructor, in Markdown (optional)."),
    (Def("Note"), "id", "The note's id, unique in this sidecar: its address is `texts/SLUG#ID` and `[[texts/SLUG#ID]]` links to it. Lowercase letters, digits and `-`."),
    (Def("Note"), "quote", "The passage, copied exactly from the text as a reader sees it (without Markdown syntax), within one paragraph."),
    (Def("Note"), "para", "A whole paragraph instead of a quote, numbered from 1 as in the margin."),
    (Def("Note"), "lines", "Whole lines of a code block instead of a quote: `12` or `12-14`, counted from 1 in the block; with several code blocks, `para:` picks the block (1 = the first)."),
    (Def("Note"), "prefix", "Text just before the quote, when the quote occurs more than once."),
    (Def("Note"), "suffix", "Text just after the quote, when the quote occurs more than once."),
    (Def("Note"), "title", "A short heading for the note."),
    (Def("Note"), "note", "The note itself, in Markdown. `[[texts/SLUG]]`, `[[texts/SLUG#ID]]`, `[[texts/SLUG#p3]]` and `[[glossary#TERM]]` link within the site; `[[target|words]]` chooses the words."),
    (Def("Note"), "tags", "Tags: each gets a page listing its notes."),
    (Def("Note"), "kind", "What sort of note: note (the default), context, definition, question or source."),
    (Def("Note"), "audience", "`instructor` keeps the note out of every public build; it appears only with `--instructor`."),
    // _site.yaml.
    (Root(Kind::Site), "title", "The site's title, on every page."),
    (Root(Kind::Site), "description", "One or two sentences on the site, for the home page and search engines."),
    (Root(Kind::Site), "language", "The texts' language as a BCP 47 tag (`en`, `fr`, `pt-BR`); a text may set its own."),
    (Root(Kind::Site), "author", "Who made the site."),
    (Root(Kind::Site), "base_url", "The site's published address (`https://example.org/reader/`), for canonical links and the sitemap. Pages work without it."),
    (Root(Kind::Site), "theme", "A theme folder beside `content/` (`themes/NAME`), overriding the default theme's files."),
    (Root(Kind::Site), "allow_raw_html", "Keep (sanitized) HTML written in texts and notes; off by default."),
    (Root(Kind::Site), "glossary", "Glossary settings."),
    (Def("GlossarySettings"), "autolink", "Link each glossary term's first use in each text to its definition."),
    (Root(Kind::Site), "handout", "Settings of printed handouts (`scholia handout`)."),
    (Def("HandoutSettings"), "paper", "The paper size: a4 (the default) or letter."),
    (Def("HandoutSettings"), "notes", "Where notes print: page (beside or under their paragraph, the default) or end (after the text)."),
    (Def("HandoutSettings"), "answer_lines", "Ruled lines left under each discussion question for the answer."),
    (Root(Kind::Site), "packs", "Class packs: texts handed out together as one handout. A list of packs with `name`, or a mapping of names to packs."),
    (Def("Pack"), "name", "The pack's name, also its handout's file name (`week-3`)."),
    (Def("Pack"), "title", "The pack's title, on its handout."),
    (Def("Pack"), "texts", "The slugs of its texts (`texts/henke`), in the order they are handed out."),
    // _section.yaml.
    (Root(Kind::Section), "title", "The folder's heading on the home page (default: its name)."),
    (Root(Kind::Section), "summary", "A sentence or two introducing the folder's texts on the home page."),
    (Root(Kind::Section), "order", "Where the folder comes on the home page (smaller first)."),
    // _glossary.yaml.
    (Root(Kind::Glossary), "terms", "The glossary's terms; `[[glossary#ID]]` links to one."),
    (Def("Term"), "id", "The term's id: `[[glossary#ID]]` links to it. Lowercase letters, digits and `-`."),
    (Def("Term"), "term", "The term as it is shown."),
    (Def("Term"), "definition", "Its definition, in Markdown."),
    (Def("Term"), "aliases", "Other spellings that also count as uses of the term."),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A key renamed or removed in a `Raw*` type must take its explanation along.
    #[test]
    fn every_description_names_a_key_of_some_schema() {
        for (at, key, _) in DESCRIPTIONS {
            let found = match at {
                Root(k) => property(&mut generate_for(*k), "", key).is_some(),
                Def(def) => Kind::ALL
                    .iter()
                    .any(|k| property(&mut generate_for(*k), def, key).is_some()),
            };
            assert!(found, "no schema has `{key}` at {at:?}");
        }
    }

    fn generate_for(kind: Kind) -> Value {
        match kind {
            Kind::Sidecar => generate::<RawSidecar>(),
            Kind::Site => generate::<RawSiteConfig>(),
            Kind::Section => generate::<Section>(),
            Kind::Glossary => generate::<RawGlossary>(),
        }
    }

    /// Every key of every object in the schemas is explained.
    #[test]
    fn every_key_is_described() {
        for kind in Kind::ALL {
            let s = schema(kind);
            let mut objects = vec![("", &s)];
            if let Some(Value::Object(defs)) = s.get("$defs") {
                objects.extend(defs.iter().map(|(name, d)| (name.as_str(), d)));
            }
            for (name, object) in objects {
                let Some(Value::Object(props)) = object.get("properties") else {
                    continue;
                };
                for (key, p) in props {
                    assert!(
                        p.get("description").is_some(),
                        "{kind:?}: `{key}` in `{name}` has no description: editors show it \
                         on hover; add one to DESCRIPTIONS in src/schema.rs"
                    );
                }
            }
        }
    }

    #[test]
    fn the_schemas_refuse_unknown_keys_and_name_the_kinds() {
        let s = schema(Kind::Sidecar);
        assert_eq!(s["additionalProperties"], Value::Bool(false));
        assert_eq!(
            s["$defs"]["Note"]["additionalProperties"],
            Value::Bool(false)
        );
        let kinds = serde_json::to_string(&s["$defs"]["NoteKind"]).unwrap_or_default();
        for kind in ["note", "context", "definition", "question", "source"] {
            assert!(kinds.contains(kind), "{kinds}");
        }
    }
}
