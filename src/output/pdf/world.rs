//! The world a handout is typeset in: its own source and the embedded fonts, nothing else.
//!
//! Typst asks its `World` for every file and package a document names (`#read`,
//! `#image`, `#import "@preview/…"`). Here every such request fails, and is counted, so a
//! handout can neither read the machine's files nor reach the network, whatever its
//! source says.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The fonts handouts use, in the binary (see `fonts/README.md`): the text face in four
/// styles and a monospace face for code. Nothing is read from the system.
static FONT_FILES: &[&[u8]] = &[
    include_bytes!("../../../fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../../../fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../../../fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../../../fonts/LibertinusSerif-BoldItalic.otf"),
    include_bytes!("../../../fonts/DejaVuSansMono.ttf"),
];

/// The parsed fonts and their book, made once per process.
static FONTS: LazyLock<(Vec<Font>, LazyHash<FontBook>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    let book = FontBook::from_fonts(&fonts);
    (fonts, LazyHash::new(book))
});

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().with_inputs(Dict::new()).build()));

pub(crate) struct HandoutWorld {
    main: Source,
    /// Requests for any file or package other than the handout's source.
    denied: AtomicUsize,
}

impl HandoutWorld {
    pub(crate) fn new(source: String) -> HandoutWorld {
        // One interned id for every handout: ids are never freed, so no fresh one per PDF.
        let path = VirtualPath::new("/handout.typ").unwrap_or_else(|_| {
            unreachable!("a constant, valid path");
        });
        let id = FileId::new(RootedPath::new(VirtualRoot::Project, path));
        HandoutWorld {
            main: Source::new(id, source),
            denied: AtomicUsize::new(0),
        }
    }

    /// How many times the document asked for a file or package (each one refused).
    #[cfg(test)]
    pub(crate) fn denied(&self) -> usize {
        self.denied.load(Ordering::Relaxed)
    }

    /// Whether any font was found (an empty font book typesets nothing legible).
    pub(crate) fn has_fonts(&self) -> bool {
        !FONTS.0.is_empty()
    }

    /// The characters of the source (so of the handout's text) that no embedded font
    /// has, each once, in order; spaces and control characters need no glyph.
    pub(crate) fn uncovered(&self) -> Vec<char> {
        let mut seen = std::collections::BTreeSet::new();
        for c in self.main.text().chars() {
            // Invisible format characters (soft hyphen, zero-width and direction marks)
            // print as nothing in any case.
            let invisible = matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}');
            if c.is_whitespace() || c.is_control() || c.is_ascii() || invisible || seen.contains(&c)
            {
                continue;
            }
            let covered = FONTS
                .0
                .iter()
                .any(|f| f.info().coverage.contains(u32::from(c)));
            if !covered {
                seen.insert(c);
            }
        }
        seen.into_iter().collect()
    }

    fn deny<T>(&self) -> FileResult<T> {
        self.denied.fetch_add(1, Ordering::Relaxed);
        Err(FileError::AccessDenied)
    }
}

impl World for HandoutWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.1
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            self.deny()
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            self.deny()
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.0.get(index).cloned()
    }

    /// No clock: a handout's source has no business with today's date (and the same
    /// input makes the same PDF).
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
