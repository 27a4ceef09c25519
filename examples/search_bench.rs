//! The search benchmark's measurements (run by `bench/search.sh`; see
//! docs/benchmarks.md, section "Search"):
//!
//! 1. the size of the single-file elasticlunr index Zola would write for the same
//!    documents (elasticlunr-rs's JSON with the documents stored), written to a file;
//! 2. for one-word queries, the bytes the client downloads (manifest + shards + tails +
//!    excerpt chunks), from the files Chromium actually loaded;
//! 3. the time from a keystroke to rendered results once the index files are loaded.
//!
//! ```text
//! cargo run --release --example search_bench -- SITE_DIR BUILT_DIR OUT_DIR [WORD…]
//! ```
//!
//! Without words, it picks the most common indexed term, terms of middling and low
//! frequency, and a rare one. Chromium: `/usr/bin/chromium` or `$CHROMIUM`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use headless_chrome::{Browser, Tab};
use scholia::config::BuildOptions;
use scholia::diagnostics::Diagnostics;
use scholia::search::{self, docs, engine, Limits};
use serde_json::Value;

#[path = "../tests/support/chromium.rs"]
mod chromium;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: search_bench SITE_DIR BUILT_DIR OUT_DIR [WORD…]");
        std::process::exit(2);
    }
    let (site_dir, built, out) = (
        PathBuf::from(&args[0]),
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
    );
    std::fs::create_dir_all(&out).expect("output folder");

    // The stages before search, as the pipeline runs them.
    let options = BuildOptions {
        site_dir: site_dir.clone(),
        output: built.clone(),
        instructor: false,
        drafts: false,
        base_url: None,
    };
    let mut diags = Diagnostics::new();
    let site = scholia::load::site(&options, &mut diags).expect("the site loads");
    let corpus = scholia::pipeline::search_corpus(&site, &mut diags);
    assert!(!diags.has_errors(), "{}", diags.render(false));

    let started = std::time::Instant::now();
    let single = search::single_file_index(&corpus);
    let single_time = started.elapsed();
    let single_path = out.join("zola-style-index.json");
    std::fs::write(&single_path, &single).expect("write the single-file index");
    let documents = search::documents(&corpus);
    println!("documents: {}", documents.len());
    println!(
        "single-file elasticlunr index: {} bytes ({}), built and serialized in {:.2} s",
        single.len(),
        single_path.display(),
        single_time.as_secs_f64()
    );

    let words: Vec<String> = if args.len() > 3 {
        args[3..].to_vec()
    } else {
        pick_words(&documents)
    };

    let chrome = Chrome::launch();
    let tab = chrome.browser.new_tab().expect("tab");
    tab.set_default_timeout(Duration::from_secs(60));
    let index = built.join("index.html").canonicalize().expect("built site");
    let url = format!("file://{}", index.display());
    let size = |f: &str| std::fs::metadata(built.join(f)).map_or(0, |m| m.len());
    let (search_js, engine_js) = (size("assets/search.js"), size("assets/search-engine.js"));
    println!(
        "search.js + search-engine.js: {} bytes ({search_js} + {engine_js}; loaded once, on focus; not counted below)",
        search_js + engine_js
    );
    println!();
    println!("| word | term | postings | files | manifest | shards | tails | excerpt chunks | total | typed, 150 ms a key | keystroke → results (median of 7) |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let totals = totals(&documents);
    for word in &words {
        let term = engine::terms(word, "en").pop().unwrap_or_default();
        let m = measure(&tab, &url, word, &built, 150);
        let by_kind = |k: &str| {
            m.files
                .iter()
                .filter(|(p, _)| p.contains(k))
                .map(|(_, n)| n)
                .sum::<u64>()
        };
        let total: u64 = m.files.iter().map(|(_, n)| n).sum();
        println!(
            "| {word} | {term} | {} | {} | {} | {} | {} | {} | **{}** | {} | {:.1} ms (sync {:.1} ms) |",
            totals.get(&term).copied().unwrap_or(0),
            m.files.len(),
            by_kind("/manifest.js"),
            by_kind("/shards/"),
            by_kind("/tails/"),
            by_kind("/docs/"),
            total,
            m.typed,
            m.frame_ms,
            m.sync_ms,
        );
    }
}

/// Postings per term (across all fields).
fn totals(documents: &[docs::Doc]) -> BTreeMap<String, usize> {
    let codes = vec!["en"; documents.len()];
    search::entries(documents, &codes, &Default::default(), &Limits::default())
        .into_iter()
        .map(|e| (e.term, e.total))
        .collect()
}

/// A word for the most common term, and words at about the 100th, 1,000th and 10,000th
/// most common term: the surface word in the documents that stems to it.
fn pick_words(documents: &[docs::Doc]) -> Vec<String> {
    let totals = totals(documents);
    let mut ranked: Vec<(&String, &usize)> = totals.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let wanted: Vec<&String> = [0, 100, 1_000, 10_000]
        .iter()
        .filter_map(|&r| ranked.get(r).map(|p| p.0))
        .collect();
    let mut surface: HashMap<&String, String> = HashMap::new();
    'docs: for d in documents {
        for token in d.body.split_whitespace() {
            let word: String = token
                .trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_lowercase();
            if word.is_empty() {
                continue;
            }
            let Some(term) = engine::terms(&word, "en").pop() else {
                continue;
            };
            if let Some(t) = wanted.iter().find(|t| ***t == term) {
                surface.entry(t).or_insert(word);
                if surface.len() == wanted.len() {
                    break 'docs;
                }
            }
        }
    }
    wanted
        .iter()
        .filter_map(|t| surface.get(t).cloned())
        .collect()
}

struct Measured {
    /// Index files the page loaded for the query, with their sizes.
    files: Vec<(String, u64)>,
    /// Bytes of index files loaded when the word is typed a key at a time.
    typed: u64,
    sync_ms: f64,
    frame_ms: f64,
}

/// The index files the page loaded, with their sizes.
fn loaded_files(tab: &Tab, built: &Path) -> Vec<(String, u64)> {
    let loaded = js(
        tab,
        "return Array.from(document.querySelectorAll('script[src]')).map(s => s.src).filter(n => n.includes('/search/'));",
    );
    let mut files = Vec::new();
    for u in loaded.as_array().into_iter().flatten() {
        let u = u.as_str().unwrap_or_default();
        let rel = &u[u.find("/search/").unwrap_or(0) + 1..];
        let size = std::fs::metadata(built.join(rel)).map_or(0, |m| m.len());
        files.push((rel.to_string(), size));
    }
    files
}

/// Opens the home page fresh and focuses the search box (which loads search.js).
fn fresh(tab: &Tab, url: &str) {
    tab.navigate_to(url).expect("navigate");
    tab.wait_until_navigated().expect("loaded");
    js(tab, "document.getElementById('search').focus();");
    js(
        tab,
        "await new Promise(r => { const go = () => window.scholiaSearch ? r() : setTimeout(go, 20); go(); });",
    );
}

fn wait_done(tab: &Tab, word: &str) {
    let done = format!(
        "await new Promise(r => {{ const go = () => {{ const s = document.querySelector('.search-status'); \
           if (s && s.textContent.endsWith('for “{word}”.') && !document.getElementById('search_panel').classList.contains('is-loading')) r(); \
           else setTimeout(go, 20); }}; go(); }});"
    );
    js(tab, &done);
}

/// The query `word` pasted into the search box: the files it downloads. Then the same word
/// typed at `ms_per_key` (each pause longer than the debounce runs the prefix typed so far):
/// the files that costs. Then keystroke-to-results timing.
fn measure(tab: &Tab, url: &str, word: &str, built: &Path, ms_per_key: u64) -> Measured {
    fresh(tab, url);
    js(
        tab,
        &format!("const i = document.getElementById('search'); i.value = {word:?}; i.dispatchEvent(new Event('input'));"),
    );
    wait_done(tab, word);
    let files = loaded_files(tab, built);

    fresh(tab, url);
    for c in word.chars() {
        tab.type_str(&c.to_string()).expect("type");
        std::thread::sleep(Duration::from_millis(ms_per_key));
    }
    wait_done(tab, word);
    let typed: u64 = loaded_files(tab, built).iter().map(|f| f.1).sum();

    // Keystroke to results: the word but its last letter is in the box (its files are
    // loaded); the last letter is a real key press. Timed from the keydown event to the
    // end of the input handler (sync) and to the next animation frame after it.
    let (head, last) = word.split_at(word.len() - word.chars().last().map_or(0, char::len_utf8));
    let mut sync = Vec::new();
    let mut frame = Vec::new();
    for _ in 0..7 {
        js(
            tab,
            &format!(
                "const i = document.getElementById('search'); i.value = {head:?}; \
                 i.dispatchEvent(new Event('input')); \
                 await new Promise(r => setTimeout(r, 300)); \
                 window.__t = null; \
                 i.addEventListener('keydown', e => {{ window.__t = {{ down: e.timeStamp }}; }}, {{ once: true }}); \
                 i.addEventListener('input', () => {{ window.__t.sync = performance.now(); \
                   requestAnimationFrame(() => {{ window.__t.frame = performance.now(); }}); }}, {{ once: true }});"
            ),
        );
        tab.type_str(last).expect("key");
        let t = js(
            tab,
            "await new Promise(r => { const go = () => window.__t && window.__t.frame ? r() : setTimeout(go, 5); go(); }); \
             return { sync: window.__t.sync - window.__t.down, frame: window.__t.frame - window.__t.down, \
                      results: document.querySelectorAll('#search_panel a.search-result').length };",
        );
        assert!(
            t["results"].as_u64().unwrap_or(0) > 0,
            "no results for {word}"
        );
        sync.push(t["sync"].as_f64().unwrap_or(f64::NAN));
        frame.push(t["frame"].as_f64().unwrap_or(f64::NAN));
    }
    Measured {
        files,
        typed,
        sync_ms: median(sync),
        frame_ms: median(frame),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn js(tab: &Tab, body: &str) -> Value {
    let expr = format!(
        "(async () => {{ {body} }})().then(v => JSON.stringify({{ ok: v === undefined ? null : v }}), \
         e => JSON.stringify({{ error: String(e && e.stack || e) }}))"
    );
    let result = tab.evaluate(&expr, true).expect("evaluate");
    let text = result
        .value
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or("{}");
    let mut v: Value = serde_json::from_str(text).expect("JSON");
    if let Some(e) = v.get("error") {
        panic!("JavaScript failed: {e}\n{body}");
    }
    v["ok"].take()
}

struct Chrome {
    browser: Browser,
    _dirs: tempfile::TempDir,
}

impl Chrome {
    fn launch() -> Chrome {
        let binary = std::env::var_os("CHROMIUM")
            .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
        let (browser, dirs) = chromium::start(binary, (1280, 900), Duration::from_secs(300));
        Chrome {
            browser,
            _dirs: dirs,
        }
    }
}
