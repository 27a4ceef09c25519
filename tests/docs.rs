//! The examples of `docs/format.md` are built by the real binary, so the reference cannot
//! drift from what `scholia build` accepts.
//!
//! An example is a fenced block whose info string names the file it shows, after the
//! language (GitHub highlights by the first word and ignores the rest):
//!
//! ````text
//! ```yaml file=content/texts/henke.yaml example=commentary
//! ````
//!
//! Blocks with the same `example` (default `main`) form one site, in the order they appear.
//! Files an example needs but does not show (the text a sidecar quotes) are in
//! `tests/docs-examples/<example>/`. Each site must build with exit status 0 and no warning;
//! an example marked `error="…"` shows a mistake instead, and must fail with exit status 1
//! and that text in its diagnostics; one marked `warning="…"` must build (exit status 0)
//! with that text in its warnings. Every YAML and Markdown block of the reference must be
//! such an example, and there must be at least `EXAMPLE_BLOCKS` of them, so neither dropping
//! a marker nor turning a block into plain text goes unnoticed.

use std::collections::BTreeMap;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::support::{copy_dir, fixture, read, repo, scholia};

/// How many marked blocks `docs/format.md` has today: the text, the sidecar, the glossary.
const EXAMPLE_BLOCKS: usize = 3;

/// Languages of blocks that show content, and so must be examples.
const CONTENT_LANGUAGES: [&str; 4] = ["yaml", "yml", "markdown", "md"];

/// One marked block: the file it shows and its contents.
#[derive(Debug)]
struct Block {
    file: String,
    text: String,
}

/// The blocks of one example site, and the diagnostic it documents if it shows a mistake.
#[derive(Debug, Default)]
struct Example {
    blocks: Vec<Block>,
    error: Option<String>,
    warning: Option<String>,
}

/// Splits an info string into words, keeping `key="a quoted value"` together.
fn words(info: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted) = (Vec::new(), String::new(), false);
    for c in info.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The examples of a Markdown document, by name, and the number of marked blocks.
/// Fails on a content block without a marker and on a marker it does not understand.
fn examples(doc: &str) -> Result<(BTreeMap<String, Example>, usize), String> {
    let mut examples: BTreeMap<String, Example> = BTreeMap::new();
    let mut marked = 0;
    let mut open: Option<(String, String)> = None; // (info string, text so far)
    for event in Parser::new(doc) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                open = Some((info.to_string(), String::new()));
            }
            Event::Text(text) => {
                if let Some((_, body)) = open.as_mut() {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info, text)) = open.take() else {
                    continue;
                };
                let words = words(&info);
                let language = words.first().map(String::as_str).unwrap_or("");
                let (mut file, mut name, mut error) = (None, "main".to_string(), None);
                let mut warning = None;
                for word in words.iter().skip(1) {
                    match word.split_once('=') {
                        Some(("file", v)) => file = Some(v.to_string()),
                        Some(("example", v)) => name = v.to_string(),
                        Some(("error", v)) => error = Some(v.to_string()),
                        Some(("warning", v)) => warning = Some(v.to_string()),
                        _ => return Err(format!("unknown marker `{word}` in ```{info}")),
                    }
                }
                let Some(file) = file else {
                    if CONTENT_LANGUAGES.contains(&language) {
                        return Err(format!(
                            "a ```{language} block shows content but names no file \
                             (```{language} file=content/…):\n{text}"
                        ));
                    }
                    continue;
                };
                let example = examples.entry(name.clone()).or_default();
                if let Some(error) = error {
                    if example.error.replace(error).is_some() {
                        return Err(format!("example {name}: two `error=` markers"));
                    }
                }
                if let Some(warning) = warning {
                    if example.warning.replace(warning).is_some() {
                        return Err(format!("example {name}: two `warning=` markers"));
                    }
                }
                example.blocks.push(Block { file, text });
                marked += 1;
            }
            _ => {}
        }
    }
    Ok((examples, marked))
}

/// Builds one example: the files of `tests/docs-examples/<name>/` it needs, its blocks
/// written over them, then `scholia build`. `Err` says what is wrong with it.
fn build(name: &str, example: &Example) -> Result<(), String> {
    let site = tempfile::tempdir().map_err(|e| e.to_string())?;
    let extra = fixture("docs-examples").join(name);
    if extra.is_dir() {
        copy_dir(&extra, site.path());
    }
    for block in &example.blocks {
        let rel = Path::new(&block.file);
        if rel.is_absolute() || rel.components().any(|c| c.as_os_str() == "..") {
            return Err(format!(
                "example {name}: `{}` is outside the site",
                block.file
            ));
        }
        let path = site.path().join(rel);
        if path.exists() {
            return Err(format!(
                "example {name}: `{}` is shown twice (by two blocks, or by a block and \
                 tests/docs-examples/{name}/)",
                block.file
            ));
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, &block.text).map_err(|e| e.to_string())?;
    }
    let run = scholia(site.path(), &["build", "."]);
    let shown: Vec<&str> = example.blocks.iter().map(|b| b.file.as_str()).collect();
    let what = format!("example {name} ({})", shown.join(", "));
    match (&example.error, &example.warning) {
        (None, Some(warning)) if run.status != 0 || !run.stderr.contains(warning.as_str()) => {
            Err(format!(
                "{what} should build with the warning `{warning}`; exit status {}:\n{}",
                run.status, run.stderr
            ))
        }
        (None, Some(_)) => Ok(()),
        (None, None) if run.status != 0 => Err(format!(
            "{what} does not build (exit status {}):\n{}",
            run.status, run.stderr
        )),
        (None, None) if run.stderr.contains("warning") => {
            Err(format!("{what} builds with warnings:\n{}", run.stderr))
        }
        (None, None) => Ok(()),
        (Some(error), _) if run.status != 1 || !run.stderr.contains(error.as_str()) => {
            Err(format!(
                "{what} should fail with exit status 1 and `{error}`; exit status {}:\n{}",
                run.status, run.stderr
            ))
        }
        (Some(_), _) => Ok(()),
    }
}

#[test]
fn every_example_of_the_format_reference_builds() {
    let doc = read(&repo().join("docs/format.md"));
    let (examples, marked) = examples(&doc).unwrap_or_else(|e| panic!("docs/format.md: {e}"));
    assert!(
        marked >= EXAMPLE_BLOCKS,
        "docs/format.md has {marked} marked examples, fewer than the {EXAMPLE_BLOCKS} it had: \
         a marker (```yaml file=…) was dropped"
    );
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|(name, example)| build(name, example).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The checker itself: a block that names no file is refused, a quote that matches nothing
/// fails the build unless the example says it shows that error, and an example that says
/// it shows an error must fail with it.
#[test]
fn the_example_checker_fails_what_it_should() {
    let text = "```markdown file=content/a.md\n---\ntitle: A\n---\n\nOne paragraph.\n```\n";
    let sidecar = |quote: &str, marker: &str| {
        format!(
            "{text}\n```yaml file=content/a.yaml{marker}\nannotations:\n  - quote: \"{quote}\"\n    note: N.\n```\n"
        )
    };
    let run = |doc: &str| -> Result<(), String> {
        let (examples, marked) = examples(doc)?;
        assert_eq!(marked, 2, "{doc}");
        examples.iter().try_for_each(|(n, e)| build(n, e))
    };
    let missing = " error=\"this quote is not in the text\"";
    assert_eq!(run(&sidecar("One paragraph", "")), Ok(()));
    assert!(run(&sidecar("Two paragraphs", "")).is_err());
    assert_eq!(run(&sidecar("Two paragraphs", missing)), Ok(()));
    let fine_but_marked = run(&sidecar("One paragraph", missing));
    assert!(
        fine_but_marked
            .as_ref()
            .is_err_and(|e| e.contains("should fail")),
        "{fine_but_marked:?}"
    );
    // A quote one typo away is anchored fuzzily: it builds, with a warning to mark.
    let near = " warning=\"does not match the text exactly\"";
    assert_eq!(run(&sidecar("One paragraf", near)), Ok(()));
    assert!(run(&sidecar("One paragraf", "")).is_err_and(|e| e.contains("with warnings")));
    assert!(run(&sidecar("One paragraph", near)).is_err_and(|e| e.contains("should build")));
    let unmarked = examples("Text.\n\n```yaml\nannotations: []\n```\n");
    assert!(
        unmarked
            .as_ref()
            .is_err_and(|e| e.contains("names no file")),
        "{unmarked:?}"
    );
    // Plain blocks (a folder tree, shell commands) are not content.
    assert_eq!(
        examples("```\nmy-site/\n```\n\n```sh\nscholia build\n```\n").map(|(_, n)| n),
        Ok(0)
    );
}
