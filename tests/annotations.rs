//! The W3C Web Annotation export (`annotations.jsonld`) and `scholia import hypothesis`:
//! the export validated against the W3C test schemas, the round trip W3C → Hypothesis →
//! sidecars, comments and hostile strings kept, and bad exports refused.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::{build_ok, copy_site, fixture, read, repo, scholia};

// ---------------------------------------------------------------------------------
// Validation against the W3C test suite's schemas

/// The W3C Web Annotation test suite's schemas (JSON Schema draft-04), copied into
/// `tests/data/` with their licence: `definitions/` and the "Musts" manifests with the
/// assertions they list.
fn schemas() -> PathBuf {
    repo().join("tests/data/w3c-web-annotation-tests")
}

fn load_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The assertions of one "Musts" manifest, each as a validator (formats checked).
struct Musts {
    validators: Vec<(String, jsonschema::Validator)>,
}

impl Musts {
    fn new(registry: &jsonschema::Registry, manifest: &str) -> Musts {
        let manifest = load_json(&schemas().join(manifest));
        let mut validators = Vec::new();
        for a in manifest["assertions"].as_array().into_iter().flatten() {
            let name = a.as_str().unwrap_or_default().to_string();
            let schema = load_json(&schemas().join(&name));
            assert_eq!(schema["expectedResult"], "valid", "{name}");
            let v = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .should_validate_formats(true)
                .with_registry(registry)
                .build(&schema)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            validators.push((name, v));
        }
        assert!(validators.len() >= 10, "{} assertions", validators.len());
        Musts { validators }
    }

    /// The assertions `value` fails.
    fn failures(&self, value: &Value) -> Vec<String> {
        self.validators
            .iter()
            .filter(|(_, v)| !v.is_valid(value))
            .map(|(name, v)| {
                let why: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
                format!("{name}: {}", why.join("; "))
            })
            .collect()
    }
}

fn registry() -> jsonschema::Registry<'static> {
    let mut builder = jsonschema::Registry::new();
    for entry in std::fs::read_dir(schemas().join("definitions")).unwrap_or_else(|e| panic!("{e}"))
    {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let resource = jsonschema::Resource::from_contents(load_json(&path));
        builder = builder
            .add(format!("json-schema:///{name}"), resource)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    builder.prepare().unwrap_or_else(|e| panic!("{e}"))
}

/// Validates a built site's annotation files: each collection, its page and every
/// annotation against the Musts of the W3C suite. Embedded pages and annotations take
/// the collection's `@context`, as JSON-LD gives it to them.
fn validate_site(public: &Path) -> usize {
    let registry = registry();
    let collections = Musts::new(&registry, "collections/collectionMusts.test");
    let pages = Musts::new(&registry, "collections/pages/pageMusts.test");
    let annotations = Musts::new(&registry, "annotations/annotationMusts.test");
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in annotation_files(public) {
        let c = load_json(&file);
        failures.extend(
            collections
                .failures(&c)
                .into_iter()
                .map(|f| format!("{}: {f}", file.display())),
        );
        if let Some(page) = c.get("first") {
            let mut page = page.clone();
            page["@context"] = c["@context"].clone();
            failures.extend(pages.failures(&page));
            for a in page["items"].as_array().into_iter().flatten() {
                let mut a = a.clone();
                a["@context"] = c["@context"].clone();
                failures.extend(
                    annotations
                        .failures(&a)
                        .into_iter()
                        .map(|f| format!("{}: {f}", a["id"])),
                );
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}

fn annotation_files(public: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "annotations.jsonld")
        .map(|e| e.into_path())
        .collect()
}

/// The validators do reject what the model forbids, so the tests below can fail.
#[test]
fn the_schemas_refuse_a_broken_annotation() {
    let registry = registry();
    let musts = Musts::new(&registry, "annotations/annotationMusts.test");
    let good = json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/a/1", "type": "Annotation",
        "target": {"type": "SpecificResource", "source": "https://example.org/t/",
                   "selector": {"type": "TextQuoteSelector", "exact": "x"}}
    });
    assert_eq!(musts.failures(&good), Vec::<String>::new());
    for broken in [
        json!({"@context": "http://www.w3.org/ns/anno.jsonld", "id": "https://e.org/1", "type": "Annotation"}),
        json!({"@context": "http://www.w3.org/ns/anno.jsonld", "id": "not a uri", "type": "Annotation", "target": "https://e.org/"}),
        json!({"@context": "http://www.w3.org/ns/anno.jsonld", "id": "https://e.org/1", "type": "Annotation", "target": "https://e.org/", "created": "yesterday"}),
    ] {
        assert!(!musts.failures(&broken).is_empty(), "{broken}");
    }
}

#[test]
fn the_fixture_exports_valid_web_annotations() {
    let site = copy_site(&fixture("sites/annotations"));
    let public = build_ok(site.path(), &["--instructor"]);
    // Six notes, each in the site's file and in its text's.
    assert_eq!(validate_site(&public), 12);
    let all = load_json(&public.join("annotations.jsonld"));
    let items = all["first"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let motivations: BTreeSet<&str> = items
        .iter()
        .filter_map(|a| a["motivation"].as_str())
        .collect();
    assert_eq!(
        motivations,
        BTreeSet::from([
            "commenting",
            "describing",
            "identifying",
            "linking",
            "questioning"
        ])
    );
    let first = &items[0];
    assert_eq!(
        first["id"],
        "https://example.org/reader/texts/one/annotations.jsonld#first-cat"
    );
    assert_eq!(
        first["target"]["source"],
        "https://example.org/reader/texts/one/"
    );
    assert_eq!(
        first["target"]["selector"],
        json!([
            {"type": "TextQuoteSelector", "exact": "The cat", "suffix": " sat on the mat while the dog sl"},
            {"type": "TextPositionSelector", "start": 0, "end": 7},
            {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3986", "value": "p1",
             "refinedBy": {"type": "TextQuoteSelector", "exact": "The cat", "suffix": " sat on the mat while the dog sl"}}
        ])
    );
    let tags: Vec<&Value> = first["body"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["purpose"] == "tagging")
        .collect();
    assert_eq!(tags.len(), 2);
    assert_eq!(tags[1]["value"], "animals & pets");
    // A whole-paragraph note: the paragraph, and its words as the quote.
    let para = items
        .iter()
        .find(|a| a["motivation"] == "identifying")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        para["target"]["selector"][2],
        json!({"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3986", "value": "p2"})
    );
    assert!(para["target"]["selector"][0]["exact"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Nobody knew why the cat went out"));
    // The text without notes has an empty collection beside its page.
    let two = load_json(&public.join("texts/two/annotations.jsonld"));
    assert_eq!((two["total"].clone(), two.get("first")), (json!(0), None));
}

#[test]
fn the_bundled_site_exports_valid_web_annotations() {
    let site = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    crate::support::copy_dir(&repo().join("content"), &site.path().join("content"));
    let config = site.path().join("content/_site.yaml");
    let mut yaml = read(&config);
    yaml.push_str("base_url: \"https://example.org/reader/\"\n");
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let public = build_ok(site.path(), &[]);
    assert!(validate_site(&public) > 40);
}

/// Positions count code points of the reading text, and the quote is what they select.
#[test]
fn positions_select_the_quote_in_the_reading_text() {
    let site = copy_site(&fixture("sites/annotations"));
    let public = build_ok(site.path(), &[]);
    let all = load_json(&public.join("annotations.jsonld"));
    // The reading text of texts/one: its paragraphs' words, joined by U+2029.
    let reading = [
        "The cat sat on the mat while the dog slept by the door. Later the cat went out; the dog stayed in.",
        "Nobody knew why the cat went out, nor why the dog stayed: a riddle with “quotes”, an ampersand & and a hash # in it.",
        "Ünïcödé prose with an emoji 😀 and a second sentence about the cat.",
        "A list item about the mat.",
        "Another about the door.",
    ]
    .join("\u{2029}");
    let chars: Vec<char> = reading.chars().collect();
    for a in all["first"]["items"].as_array().into_iter().flatten() {
        let s = &a["target"]["selector"];
        let (start, end) = (
            s[1]["start"].as_u64().unwrap_or(0) as usize,
            s[1]["end"].as_u64().unwrap_or(0) as usize,
        );
        let selected: String = chars[start..end].iter().collect();
        assert_eq!(
            selected,
            s[0]["exact"].as_str().unwrap_or_default(),
            "{}",
            a["id"]
        );
    }
}

#[test]
fn instructor_notes_are_exported_only_by_instructor_builds() {
    let site = copy_site(&fixture("sites/annotations"));
    let public = build_ok(site.path(), &[]);
    for file in walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(Result::ok)
    {
        if file.file_type().is_file() {
            let bytes = std::fs::read(file.path()).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("zanzibarquokka"),
                "{} leaks the instructor note",
                file.path().display()
            );
        }
    }
    let instructor = build_ok(site.path(), &["--instructor"]);
    assert!(read(&instructor.join("annotations.jsonld")).contains("zanzibarquokka"));
    assert!(read(&instructor.join("texts/one/annotations.jsonld")).contains("zanzibarquokka"));
}

/// Without `base_url`, every IRI is relative to the file it is in.
#[test]
fn without_base_url_iris_are_relative_to_the_file() {
    let site = copy_site(&fixture("sites/annotations"));
    let config = site.path().join("content/_site.yaml");
    let yaml: String = read(&config)
        .lines()
        .filter(|l| !l.starts_with("base_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&config, yaml).unwrap_or_else(|e| panic!("{e}"));
    let public = build_ok(site.path(), &[]);
    let all = load_json(&public.join("annotations.jsonld"));
    assert_eq!(all["id"], "annotations.jsonld");
    assert_eq!(all["first"]["items"][0]["target"]["source"], "texts/one/");
    let one = load_json(&public.join("texts/one/annotations.jsonld"));
    assert_eq!(
        one["first"]["items"][0]["target"]["source"],
        "../../texts/one/"
    );
    assert_eq!(
        one["first"]["items"][0]["id"],
        "../../texts/one/annotations.jsonld#first-cat"
    );
}

// ---------------------------------------------------------------------------------
// Hypothesis import

/// The site's notes as Hypothesis would export them: the W3C export, reshaped.
fn as_hypothesis(collection: &Value) -> Value {
    let items: Vec<Value> = collection["first"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, a)| {
            let markdown = a["body"][0]["items"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|b| b["format"] == "text/markdown")
                .map(|b| b["value"].clone())
                .unwrap_or_default();
            let tags: Vec<Value> = a["body"].as_array().into_iter().flatten().filter(|b| b["purpose"] == "tagging").map(|b| b["value"].clone()).collect();
            let s = &a["target"]["selector"];
            json!({
                "id": format!("Hyp{i}_X"),
                "created": "2024-03-01T12:00:00.000000+00:00",
                "updated": "2024-03-01T12:00:00.000000+00:00",
                "user": "acct:reader@hypothes.is",
                "uri": a["target"]["source"],
                "text": markdown,
                "tags": tags,
                "group": "__world__",
                "permissions": {},
                "references": [],
                "target": [{"source": a["target"]["source"], "selector": [
                    {"type": "RangeSelector", "startContainer": "/main[1]/p[1]", "startOffset": 0, "endContainer": "/main[1]/p[1]", "endOffset": 1},
                    {"type": "TextPositionSelector", "start": s[1]["start"], "end": s[1]["end"]},
                    s[0],
                ]}],
                "document": {"title": ["A page"]},
                "links": {}, "hidden": false, "flagged": false
            })
        })
        .collect();
    json!({
        "export_date": "2024-05-01T00:00:00.000Z",
        "export_userid": "acct:reader@hypothes.is",
        "client_version": "1.1510.0",
        "annotations": items
    })
}

/// What a reader sees of each note: its passage, its words and its tags.
fn marks(public: &Path) -> BTreeSet<String> {
    let all = load_json(&public.join("annotations.jsonld"));
    all["first"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let s = &a["target"]["selector"];
            let html = &a["body"][0]["items"][0]["value"];
            let mut tags: Vec<String> = a["body"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|b| b["purpose"] == "tagging")
                .map(|b| b["value"].to_string())
                .collect();
            tags.sort();
            format!(
                "{} {}-{} {} {html} {tags:?}",
                a["target"]["source"], s[1]["start"], s[1]["end"], s[0]["exact"]
            )
        })
        .collect()
}

const KEPT: &str = "# Our own commentary, kept as written.\nquestions:   # asked at the end\n  - \"Why did the cat go out?\"\n";

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

fn write_export(dir: &Path, export: &Value) -> PathBuf {
    let path = dir.join("export.json");
    write(
        &path,
        &serde_json::to_string_pretty(export).unwrap_or_default(),
    );
    path
}

#[test]
fn round_trip_through_hypothesis_gives_the_same_marks() {
    let original = copy_site(&fixture("sites/annotations"));
    let public = build_ok(original.path(), &[]);
    let export = as_hypothesis(&load_json(&public.join("annotations.jsonld")));
    assert_eq!(export["annotations"].as_array().map(Vec::len), Some(5));

    let site = copy_site(&fixture("sites/annotations"));
    let sidecar = site.path().join("content/texts/one.yaml");
    write(&sidecar, KEPT);
    let file = write_export(original.path(), &export);
    let run = scholia(
        site.path(),
        &["import", "hypothesis", &file.to_string_lossy(), "."],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("imported 5 notes"), "{}", run.stderr);
    let imported = read(&sidecar);
    assert!(imported.starts_with(KEPT), "{imported}");

    let rebuilt = build_ok(site.path(), &[]);
    assert_eq!(marks(&rebuilt), marks(&public));

    // Again: nothing new, nothing changed.
    let again = scholia(
        site.path(),
        &["import", "hypothesis", &file.to_string_lossy(), "."],
    );
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("skipped 5 annotations already imported"),
        "{}",
        again.stderr
    );
    assert_eq!(read(&sidecar), imported);
}

/// An export whose one annotation says, quotes and tags hostile things, with a reply.
fn hostile_export(text: &str, tags: &[&str]) -> Value {
    json!({"export_date": "2024-05-01", "export_userid": "acct:x@hypothes.is", "client_version": "1",
    "annotations": [
      {"id": "Hostile_1", "created": "2024-01-01T00:00:00Z", "updated": "2024-01-01T00:00:00Z",
       "user": "acct:x@hypothes.is", "uri": "https://example.org/reader/texts/two/",
       "text": text, "tags": tags, "references": [],
       "target": [{"source": "https://example.org/reader/texts/two/", "selector": [
          {"type": "TextQuoteSelector", "exact": "The cat is here", "prefix": "", "suffix": " too"}]}]},
      {"id": "Reply_1", "created": "2024-01-02T00:00:00Z", "user": "acct:y@hypothes.is",
       "uri": "https://example.org/reader/texts/two/", "text": "- a reply: with *marks* & #hash",
       "tags": [], "references": ["Hostile_1"], "target": [{"source": "https://example.org/reader/texts/two/"}]}
    ]})
}

#[test]
fn hostile_strings_survive_the_import() {
    let text = "\"Quoted\" 'single' # not a comment\nkey: value\n- leading dash\n* star &anchor !tag %pct @at `tick` |pipe >gt\n\n  indented ünïcödé 😀 \\ backslash\t tab";
    let tags = [
        "a: b",
        "#hash",
        "\"quoted\"",
        "- dash",
        "ünïcödé",
        "&amp",
        "!bang x",
        "* star",
    ];
    let site = copy_site(&fixture("sites/annotations"));
    let file = write_export(site.path(), &hostile_export(text, &tags));
    let run = scholia(
        site.path(),
        &["import", "hypothesis", &file.to_string_lossy()],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("created content/texts/two.yaml: 1 note"),
        "{}",
        run.stderr
    );
    let public = build_ok(site.path(), &[]);
    let two = load_json(&public.join("texts/two/annotations.jsonld"));
    let a = &two["first"]["items"][0];
    let markdown = a["body"][0]["items"][2]["value"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        markdown,
        format!("{text}\n\n> **y**, 2024\\-01\\-02 replied:\n>\n> - a reply: with *marks* & #hash")
    );
    let got: Vec<&str> = a["body"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["purpose"] == "tagging")
        .filter_map(|b| b["value"].as_str())
        .collect();
    assert_eq!(got, tags);
    assert_eq!(a["target"]["selector"][0]["exact"], "The cat is here");
}

/// Nothing of the site changes: every file under `content/`, byte for byte.
fn snapshot_content(site: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(site.join("content"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn bad_exports_are_refused_and_nothing_is_written() {
    let site = copy_site(&fixture("sites/annotations"));
    let before = snapshot_content(site.path());
    let other_site = json!({"annotations": [
        {"id": "A1", "uri": "https://elsewhere.example/blog/post", "text": "x", "tags": [], "references": [],
         "target": [{"source": "https://elsewhere.example/blog/post", "selector": [{"type": "TextQuoteSelector", "exact": "The cat"}]}]},
        {"id": "A2", "uri": "https://example.org/reader/texts/one/", "text": "x", "references": [],
         "target": [{"source": "https://example.org/reader/texts/one/", "selector": [{"type": "TextQuoteSelector", "exact": "words nowhere in the text"}]}]},
        {"id": "A3", "uri": "https://example.org/reader/texts/one/", "text": "x", "references": [],
         "target": [{"source": "https://example.org/reader/texts/one/", "selector": [{"type": "TextQuoteSelector", "exact": "the dog"}]}]}
    ]});
    let cases: Vec<(&str, String, Vec<&str>, i32)> = vec![
        ("missing", "does-not-exist.json".into(), vec![], 1),
        ("not-json", "{\"annotations\": [".into(), vec![], 1),
        ("wrong-shape", json!({"annotations": [{"id": "a", "uri": "u", "target": [{"selector": [{"type": "TextQuoteSelector", "exact": 3}]}]}]}).to_string(), vec![], 1),
        ("other-site", other_site.to_string(), vec![], 1),
        ("bad-map", json!({"annotations": []}).to_string(), vec!["--map", "no-equals-sign"], 2),
    ];
    for (name, content, extra, status) in cases {
        let path = if name == "missing" {
            site.path().join(&content)
        } else {
            let p = site.path().join(format!("{name}.json"));
            write(&p, &content);
            p
        };
        let mut args = vec![
            "import",
            "hypothesis",
            path.to_str().unwrap_or_default(),
            ".",
        ];
        args.extend(extra);
        let run = scholia(site.path(), &args);
        let stderr = run
            .stderr
            .replace(&site.path().to_string_lossy().into_owned(), "[SITE]");
        assert_eq!(run.status, status, "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        insta::assert_snapshot!(format!("import_{name}"), stderr);
        assert_eq!(
            snapshot_content(site.path()),
            before,
            "{name} wrote something"
        );
    }
}

/// Into a sidecar with notes, comments and questions: the new note goes at the end of
/// the list, everything else stays byte for byte, and a quote that occurs twice gets
/// the context that picks its passage.
#[test]
fn an_existing_sidecar_keeps_every_byte() {
    let site = copy_site(&fixture("sites/annotations"));
    let sidecar = site.path().join("content/texts/one.yaml");
    let old = read(&sidecar);
    let export = json!({"annotations": [
        {"id": "Twice_1", "uri": "http://localhost:1111/texts/one/index.html#p1", "text": "The second time.",
         "tags": ["cats"], "references": [],
         "target": [{"source": "http://localhost:1111/texts/one/", "selector": [
            {"type": "TextQuoteSelector", "exact": "the cat went out", "prefix": "1\nThe first cat.\nby the door. Later ", "suffix": "; the dog"}]}]}
    ]});
    let file = write_export(site.path(), &export);
    let run = scholia(
        site.path(),
        &["import", "hypothesis", &file.to_string_lossy()],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("added to content/texts/one.yaml: 1 note"),
        "{}",
        run.stderr
    );
    let new = read(&sidecar);
    let cut = old.find("questions:").unwrap_or(0);
    assert!(new.starts_with(&old[..cut]), "{new}");
    assert!(new.ends_with(&old[cut..]), "{new}");
    assert!(new[cut..].starts_with("  - id: \"h-twice-1-"), "{new}");
    let public = build_ok(site.path(), &[]);
    let one = load_json(&public.join("texts/one/annotations.jsonld"));
    let items = one["first"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let imported = items
        .iter()
        .find(|a| a["id"].as_str().unwrap_or_default().contains("#h-twice-1-"));
    let s = imported
        .map(|a| a["target"]["selector"][1].clone())
        .unwrap_or_default();
    let start = "The cat sat on the mat while the dog slept by the door. Later "
        .chars()
        .count();
    assert_eq!(
        (s["start"].as_u64(), s["end"].as_u64()),
        (Some(start as u64), Some(start as u64 + 16))
    );
}
