//! Helpers shared by the fuzz targets in `fuzz_targets/`.
//!
//! Inputs are plain bytes with parts separated by a NUL byte, so that seeds are files
//! people can read and write by hand (see `docs/testing.md`, "Fuzzing").

use std::ops::Range;
use std::path::{Path, PathBuf};

use scholia::config::BuildOptions;
use scholia::diagnostics::Span;

/// Splits an input into its NUL-separated parts (at most `n`; the last keeps any NULs).
pub fn parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    data.splitn(n, |&b| b == 0).collect()
}

/// A small deterministic generator, seeded from the input, for choices (which passage to
/// quote, which flags to set) that should change when the input changes.
pub struct Rng(u64);

impl Rng {
    pub fn new(data: &[u8]) -> Rng {
        // FNV-1a.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in data {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        // xorshift64*.
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn flip(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
}

/// Panics unless `range` is a valid range of `text`: in bounds, ordered, on char
/// boundaries (slicing with it would panic otherwise).
#[track_caller]
pub fn check_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: range {range:?} out of bounds of a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: range {range:?} not on char boundaries of {text:?}"
    );
}

/// The byte offsets of the char boundaries of `s`, end included.
pub fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

/// Panics unless `span` is a valid range of its source: diagnostics slice with it.
#[track_caller]
pub fn check_span(span: &Span, what: &str) {
    check_range(&span.source.text, &span.range, what);
}

/// A site folder in `$TMPDIR`, one per process (named by its id), whose text
/// `content/texts/a.md`, sidecar, `_site.yaml` and `_glossary.yaml` are rewritten for each
/// input. A fixed text `texts/b` (with a note `b1`, tagged `war`) is there for
/// cross-links to point at.
pub struct SiteFolder {
    pub dir: PathBuf,
}

impl SiteFolder {
    pub fn new(target: &str) -> SiteFolder {
        let dir =
            std::env::temp_dir().join(format!("scholia-fuzz-{target}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let texts = dir.join("content/texts");
        std::fs::create_dir_all(&texts).expect("create the site folder");
        std::fs::write(
            texts.join("b.md"),
            "---\ntitle: Text B\n---\n\nThe first paragraph of B.\n\nThe second, with a [[texts/a]] link.\n",
        )
        .expect("write b.md");
        std::fs::write(
            texts.join("b.yaml"),
            "annotations:\n  - id: b1\n    quote: first paragraph\n    note: On B.\n    tags: [war]\n",
        )
        .expect("write b.yaml");
        SiteFolder { dir }
    }

    /// Writes an input `a.md \0 a.yaml [\0 _site.yaml [\0 _glossary.yaml]]` into the
    /// folder; a missing part is a missing file.
    pub fn put(&self, data: &[u8]) {
        let parts = parts(data, 4);
        let content = self.dir.join("content");
        put(&content.join("texts/a.md"), parts.first().copied());
        put(&content.join("texts/a.yaml"), parts.get(1).copied());
        put(&content.join("_site.yaml"), parts.get(2).copied());
        put(&content.join("_glossary.yaml"), parts.get(3).copied());
    }

    /// Writes the input (as [`SiteFolder::put`]) and picks the build's flags from it.
    pub fn build_options(&self, data: &[u8]) -> BuildOptions {
        self.put(data);
        let mut rng = Rng::new(data);
        BuildOptions {
            site_dir: self.dir.clone(),
            output: self.dir.join("public"),
            instructor: rng.flip(),
            drafts: rng.flip(),
            base_url: None,
        }
    }
}

/// Writes `bytes` to `path`, or removes the file when there are none.
fn put(path: &Path, bytes: Option<&[u8]>) {
    match bytes {
        Some(b) => std::fs::write(path, b).expect("write an input file"),
        None => match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("remove {}: {e}", path.display()),
        },
    }
}
