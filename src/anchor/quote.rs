//! Text anchoring: finding where a note's quote lies in the text a reader sees.
//!
//! A sidecar names the passage it comments on by quoting it (a W3C Web Annotation
//! `TextQuoteSelector`), not by line numbers or Markdown offsets, so that notes survive
//! edits elsewhere in the text and can be written by someone who only sees the page.
//! This stage turns such a selector into a byte range of the *reading text*: the
//! rendered text with top-level blocks separated by [`BLOCK_SEPARATOR`].
//!
//! Matching compares *normalized* forms: runs of white space count as one space,
//! straight and curly quotes are equal, and so are the hyphen and the dashes. Otherwise
//! it is exact and case-sensitive. `prefix` and `suffix` pick one of several
//! occurrences; the white space between them and the quote is optional.
//!
//! [`ReadingIndex::find_exact`] is exact in that sense; when a text was edited under
//! its notes, [`ReadingIndex::find_fuzzy`] (in [`fuzzy`]) finds the passage a stale
//! selector most likely means, or nothing if no passage is close enough.
//!
//! Limits, by design:
//! - A quote, its prefix and its suffix never cross a block separator.
//! - No Unicode normalization (a precomposed `é` does not equal `e` + combining
//!   accent), no case folding, and invisible characters such as soft hyphens count.
//! - A context that matches none of the occurrences is an error even when the quote
//!   occurs only once, so that stale prefixes and suffixes are noticed.
//!
//! The stage is pure: no I/O, and it never panics, whatever the input.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use crate::markdown::BLOCK_SEPARATOR;
use crate::site::TextQuoteSelector;

mod fuzzy;

pub use fuzzy::{FuzzyMatch, CONTEXT_CHARS, MARGIN, THRESHOLD};

/// Why a selector could not be anchored; each variant carries what an error message
/// needs to help the author fix the sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorError {
    /// The quote is empty or only white space.
    Empty,
    /// No occurrence.
    NotFound {
        /// The byte range in the reading text of the passage most similar to the quote
        /// (smallest edit distance on normalized text, within one block), if one is
        /// within half the quote's length. Not searched for when the search would be
        /// slow: a quote of thousands of chars in a text of megabytes.
        closest: Option<Range<usize>>,
    },
    /// The quote occurs, but prefix/suffix match none of the occurrences.
    ContextMismatch {
        /// Where the quote alone matched, in order.
        occurrences: Vec<Range<usize>>,
    },
    /// Several occurrences that prefix/suffix do not decide between.
    Ambiguous {
        /// The ranges of all remaining candidates, in order.
        candidates: Vec<Range<usize>>,
    },
}

impl fmt::Display for AnchorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the quote is empty"),
            Self::NotFound { .. } => f.write_str("the quote occurs nowhere in the text"),
            Self::ContextMismatch { occurrences } => write!(
                f,
                "the quote occurs {} time(s), but its prefix/suffix match none of them",
                occurrences.len()
            ),
            Self::Ambiguous { candidates } => write!(
                f,
                "the quote occurs {} times and its prefix/suffix do not decide between them",
                candidates.len()
            ),
        }
    }
}

impl std::error::Error for AnchorError {}

/// Finds the passage `selector` designates in `reading`.
///
/// The range is on char boundaries, lies within one block and starts and ends on a
/// non-white-space character. To anchor many selectors in one long text, build a
/// [`ReadingIndex`] once instead.
pub fn find(reading: &str, selector: &TextQuoteSelector) -> Result<Range<usize>, AnchorError> {
    ReadingIndex::new(reading).find(selector)
}

/// How much work the "closest passage" hints may take, counted in steps of the search
/// (one step: one char of text against up to 64 chars of a quote, or one word of a
/// quote looked up in one paragraph). Counting steps rather than seconds makes the
/// hints a build shows the same on every machine.
#[derive(Debug, Clone)]
pub struct HintBudget {
    left: usize,
}

impl HintBudget {
    /// A whole build's hints: a few hundred milliseconds of search. That is hundreds of
    /// hints in texts of ordinary paragraphs, or one for a 1,000-char quote in a 6 MB
    /// paragraph.
    pub const BUILD: usize = 100_000_000;

    /// A budget of `steps` comparisons (`BUILD` for a whole build).
    pub fn new(steps: usize) -> Self {
        Self { left: steps }
    }

    /// Takes `steps` if that many are left; if not, the budget is spent from now on, so
    /// that the hints shown are always the first ones (in the order they are asked for).
    fn take(&mut self, steps: usize) -> Result<(), OverBudget> {
        match self.left.checked_sub(steps) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.left = 0;
                Err(OverBudget)
            }
        }
    }

    /// Whether no more hints will be searched for.
    pub fn is_spent(&self) -> bool {
        self.left == 0
    }
}

/// The search for a closest passage was not made: the [`HintBudget`] is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget;

impl Default for HintBudget {
    fn default() -> Self {
        Self::new(Self::BUILD)
    }
}

/// A reading text prepared for anchoring: its normalized form, built once, so that
/// many selectors can be anchored in a long text without normalizing it each time.
///
/// Ranges it returns are byte ranges of the `reading` it was built from.
#[derive(Debug, Clone)]
pub struct ReadingIndex {
    norm: Normalized,
    /// Which blocks hold which words, built on the first hint asked for.
    words: OnceLock<WordIndex>,
}

impl ReadingIndex {
    /// Normalizes `reading` (linear time; memory about the size of the text).
    pub fn new(reading: &str) -> Self {
        Self {
            norm: Normalized::new(reading),
            words: OnceLock::new(),
        }
    }

    /// Like [`find`], on the prepared text; the hint of [`AnchorError::NotFound`] comes
    /// from a [`HintBudget`] of its own.
    pub fn find(&self, selector: &TextQuoteSelector) -> Result<Range<usize>, AnchorError> {
        self.find_exact(selector).map_err(|e| match e {
            AnchorError::NotFound { .. } => AnchorError::NotFound {
                closest: self
                    .closest(&selector.exact, &mut HintBudget::default())
                    .unwrap_or_default(),
            },
            e => e,
        })
    }

    /// Like [`ReadingIndex::find`], but never searches for the closest passage (which
    /// [`ReadingIndex::closest`] does under a budget shared with other quotes).
    pub fn find_exact(&self, selector: &TextQuoteSelector) -> Result<Range<usize>, AnchorError> {
        let quote = normalize_fragment(&selector.exact);
        if quote.is_empty() {
            return Err(AnchorError::Empty);
        }
        let starts = occurrences(&self.norm.text, &quote);
        if starts.is_empty() {
            return Err(AnchorError::NotFound { closest: None });
        }
        let prefix = normalize_option(selector.prefix.as_deref());
        let suffix = normalize_option(selector.suffix.as_deref());
        let fitting: Vec<usize> = starts
            .iter()
            .copied()
            .filter(|&start| self.context_fits(start, start + quote.len(), &prefix, &suffix))
            .collect();
        match fitting.as_slice() {
            [only] => Ok(self.norm.original(*only..*only + quote.len())),
            [] => Err(AnchorError::ContextMismatch {
                occurrences: self.originals(&starts, quote.len()),
            }),
            _ => Err(AnchorError::Ambiguous {
                candidates: self.originals(&fitting, quote.len()),
            }),
        }
    }

    /// Whether the normalized text around `start..end` fits the normalized context.
    fn context_fits(&self, start: usize, end: usize, prefix: &str, suffix: &str) -> bool {
        prefix_fits(&self.norm.text, start, prefix) && suffix_fits(&self.norm.text, end, suffix)
    }

    /// Original ranges of the normalized occurrences at `starts`, each `len` long.
    fn originals(&self, starts: &[usize], len: usize) -> Vec<Range<usize>> {
        starts
            .iter()
            .map(|&start| self.norm.original(start..start + len))
            .collect()
    }

    /// The range of the passage most similar to the quote `exact` (smallest edit
    /// distance on normalized text, within one block), if one is within half the
    /// quote's length; [`OverBudget`] if `budget` does not allow the search.
    ///
    /// In a long text, only the few blocks sharing the most words with the quote are
    /// searched (an n-gram filter, with words as the grams), so a hint costs about the
    /// size of those blocks, not of the text; all blocks only if none shares a word.
    pub fn closest(
        &self,
        exact: &str,
        budget: &mut HintBudget,
    ) -> Result<Option<Range<usize>>, OverBudget> {
        let quote = normalize_fragment(exact);
        if budget.is_spent() {
            return Err(OverBudget);
        }
        if quote.is_empty() {
            return Ok(None);
        }
        let pattern = Pattern::new(&quote);
        let candidates = self.search_blocks(&quote, &pattern, budget)?;
        Ok(self.best_passage(&quote, &pattern, candidates))
    }

    /// The blocks an approximate search of `quote` looks in (with their offsets), its
    /// cost already taken from `budget`: all of them in a short text, the few sharing
    /// the most words with the quote in a long one (all if none shares a word).
    fn search_blocks(
        &self,
        quote: &str,
        pattern: &Pattern,
        budget: &mut HintBudget,
    ) -> Result<Vec<(usize, &str)>, OverBudget> {
        let all = pattern.words.saturating_mul(self.norm.text.len());
        let candidates: Vec<(usize, &str)> = if all <= FULL_SEARCH {
            blocks(&self.norm.text).collect()
        } else {
            if self.words.get().is_none() {
                budget.take(self.norm.text.len())?;
            }
            let words = self.words.get_or_init(|| WordIndex::new(&self.norm.text));
            let (picked, steps) = words.candidates(&self.norm.text, quote);
            budget.take(steps)?;
            if picked.is_empty() {
                // Not one word in common (a long word misspelt, say): search it all,
                // if the budget allows.
                blocks(&self.norm.text).collect()
            } else {
                picked
            }
        };
        let steps = candidates.iter().map(|(_, b)| b.len()).sum::<usize>();
        budget.take(pattern.words.saturating_mul(steps))?;
        Ok(candidates)
    }

    /// The passage of `candidates` (blocks with their offsets) closest to `quote`.
    fn best_passage(
        &self,
        quote: &str,
        pattern: &Pattern,
        candidates: Vec<(usize, &str)>,
    ) -> Option<Range<usize>> {
        let mut best: Option<(usize, usize, &str, usize)> = None;
        for (base, block) in candidates {
            if let Some((score, end)) = pattern.best_end(block) {
                if best.is_none_or(|(best_score, ..)| score < best_score) {
                    best = Some((score, base, block, end));
                }
            }
        }
        let (score, base, block, end) = best?;
        if score > pattern.chars.len() / 2 {
            return None;
        }
        let reversed = Pattern::new(&quote.chars().rev().collect::<String>());
        let start = reversed.best_start(block, end, pattern.chars.len() + score);
        let local = trim_spaces(block, start..end)?;
        Some(self.norm.original(base + local.start..base + local.end))
    }
}

/// The byte range of the whole block number `n` (0-based) of the reading text, trimmed
/// of white space; `None` if the text has fewer blocks. Used for `para:` notes and for
/// telling authors which paragraph a passage is in.
///
/// A blank block gives an empty range.
pub fn block_range(reading: &str, n: usize) -> Option<Range<usize>> {
    let (base, block) = blocks(reading).nth(n)?;
    let lead = block.len() - block.trim_start().len();
    let start = base + lead;
    Some(start..start + block.trim().len())
}

/// Which block (0-based) a byte offset lies in, e.g. to tell an author in which
/// paragraphs an ambiguous quote occurs. An offset inside a separator counts for the
/// block before it; one past the end of the text, for the last block.
pub fn block_of(reading: &str, offset: usize) -> usize {
    reading
        .match_indices(BLOCK_SEPARATOR)
        .take_while(|(at, sep)| at + sep.len() <= offset)
        .count()
}

/// The blocks of `text` with their byte offsets.
fn blocks(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(BLOCK_SEPARATOR).scan(0, |offset, block| {
        let base = *offset;
        *offset += block.len() + BLOCK_SEPARATOR.len_utf8();
        Some((base, block))
    })
}

// ---------------------------------------------------------------------------------
// Normalization

/// What a character of the reading text becomes in the normalized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Space,
    Separator,
    Char(char),
}

fn classify(c: char) -> Unit {
    if c == BLOCK_SEPARATOR {
        Unit::Separator
    } else if c.is_whitespace() {
        Unit::Space
    } else {
        Unit::Char(fold(c))
    }
}

/// Maps the quote and dash variants that authors cannot tell apart to one character.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        _ => c,
    }
}

/// Normalizes a quote, prefix or suffix: trimmed, and with no separator (one in a
/// quote counts as white space, so a quote can never match across blocks).
fn normalize_fragment(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len());
    for c in fragment.chars() {
        match classify(c) {
            Unit::Char(c) => out.push(c),
            _ if out.is_empty() || out.ends_with(' ') => {}
            _ => out.push(' '),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn normalize_option(fragment: Option<&str>) -> String {
    fragment.map(normalize_fragment).unwrap_or_default()
}

/// The normalized reading text and the way back to original offsets.
///
/// Normalization never lengthens the text and changes it only here and there, so the
/// map is kept sparse: `checkpoints` holds `(normalized, original)` offset pairs at
/// each point after which the two advance in step again.
#[derive(Debug, Clone)]
struct Normalized {
    text: String,
    checkpoints: Vec<(usize, usize)>,
}

impl Normalized {
    fn new(reading: &str) -> Self {
        let mut text = String::with_capacity(reading.len());
        let mut checkpoints = vec![(0, 0)];
        let mut in_space = false;
        for (at, c) in reading.char_indices() {
            let unit = classify(c);
            match unit {
                Unit::Space if in_space => {}
                Unit::Space => text.push(' '),
                Unit::Separator => text.push(BLOCK_SEPARATOR),
                Unit::Char(c) => text.push(c),
            }
            in_space = unit == Unit::Space;
            note_shift(&mut checkpoints, text.len(), at + c.len_utf8());
        }
        Self { text, checkpoints }
    }

    /// The original offset of a normalized offset on a char boundary.
    fn to_original(&self, offset: usize) -> usize {
        let after = self
            .checkpoints
            .partition_point(|&(norm, _)| norm <= offset);
        let (norm, orig) = after
            .checked_sub(1)
            .and_then(|i| self.checkpoints.get(i))
            .copied()
            .unwrap_or((0, 0));
        orig + offset.saturating_sub(norm)
    }

    fn original(&self, range: Range<usize>) -> Range<usize> {
        self.to_original(range.start)..self.to_original(range.end)
    }
}

/// Records a checkpoint if the offsets `norm` and `orig` (just past the same char) no
/// longer differ by what they did at the last checkpoint.
fn note_shift(checkpoints: &mut Vec<(usize, usize)>, norm: usize, orig: usize) {
    let Some(last) = checkpoints.last_mut() else {
        checkpoints.push((norm, orig));
        return;
    };
    if orig.wrapping_sub(norm) == last.1.wrapping_sub(last.0) {
        return;
    }
    if last.0 == norm {
        *last = (norm, orig);
    } else {
        checkpoints.push((norm, orig));
    }
}

// ---------------------------------------------------------------------------------
// Exact search and context

/// Start offsets of all occurrences of `needle` in `hay`, overlapping ones included,
/// in linear time.
fn occurrences(hay: &str, needle: &str) -> Vec<usize> {
    let borders = border_table(needle.as_bytes());
    if borders.last().is_some_and(|&border| border > 0) {
        knuth_morris_pratt(hay.as_bytes(), needle.as_bytes(), &borders)
    } else {
        // Without a border, occurrences cannot overlap, so the (faster) standard
        // non-overlapping search finds them all.
        hay.match_indices(needle).map(|(at, _)| at).collect()
    }
}

/// `table[i]` = length of the longest proper border of `pattern[..=i]`.
fn border_table(pattern: &[u8]) -> Vec<usize> {
    let mut table = vec![0; pattern.len()];
    let mut k = 0;
    for i in 1..pattern.len() {
        while k > 0 && pattern[i] != pattern[k] {
            k = table[k - 1];
        }
        if pattern[i] == pattern[k] {
            k += 1;
        }
        table[i] = k;
    }
    table
}

/// All (possibly overlapping) occurrences of `pattern` in `hay`. Positions are char
/// boundaries when both are UTF-8, which is self-synchronizing.
fn knuth_morris_pratt(hay: &[u8], pattern: &[u8], borders: &[usize]) -> Vec<usize> {
    let mut found = Vec::new();
    if pattern.is_empty() || borders.len() != pattern.len() {
        return found;
    }
    let mut k = 0;
    for (i, &byte) in hay.iter().enumerate() {
        while k > 0 && byte != pattern[k] {
            k = borders[k - 1];
        }
        if byte == pattern[k] {
            k += 1;
        }
        if k == pattern.len() {
            found.push(i + 1 - k);
            k = borders[k - 1];
        }
    }
    found
}

/// Whether the normalized text before `start` ends with `prefix`, ignoring the white
/// space between. A prefix holds no separator, so it cannot match across blocks.
fn prefix_fits(text: &str, start: usize, prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let before = text.get(..start).unwrap_or_default();
    before.strip_suffix(' ').unwrap_or(before).ends_with(prefix)
}

/// Whether the normalized text after `end` starts with `suffix`, ignoring the white
/// space between.
fn suffix_fits(text: &str, end: usize, suffix: &str) -> bool {
    if suffix.is_empty() {
        return true;
    }
    let after = text.get(end..).unwrap_or_default();
    after.strip_prefix(' ').unwrap_or(after).starts_with(suffix)
}

/// `range` of `text` without its leading and trailing spaces; `None` if nothing is left.
fn trim_spaces(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let piece = text.get(range.clone())?;
    let lead = piece.len() - piece.trim_start_matches(' ').len();
    let kept = piece.trim_matches(' ').len();
    (kept > 0).then(|| range.start + lead..range.start + lead + kept)
}

// ---------------------------------------------------------------------------------
// Approximate search, for the "closest passage" hint

/// Up to this much work (64-row words × text bytes), a hint searches the whole text, so
/// it finds the closest passage even when the quote shares no word with it: a short
/// quote in a text of up to 250 KB.
const FULL_SEARCH: usize = 250_000;

/// How many blocks a hint searches in a longer text: those sharing the most words
/// with the quote.
const CANDIDATE_BLOCKS: usize = 8;

/// For each word of the normalized reading text, the blocks it occurs in.
#[derive(Debug, Clone)]
struct WordIndex {
    /// `(base, len)` of each block of the normalized text.
    blocks: Vec<(usize, usize)>,
    /// The blocks (indexes into `blocks`, ascending, each once) holding each word.
    postings: HashMap<String, Vec<u32>>,
}

impl WordIndex {
    fn new(text: &str) -> Self {
        let mut index = Self {
            blocks: Vec::new(),
            postings: HashMap::new(),
        };
        for (n, (base, block)) in blocks(text).enumerate() {
            index.blocks.push((base, block.len()));
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            for word in block.split(' ').filter(|w| !w.is_empty()) {
                let list = index.postings.entry(word.to_string()).or_default();
                if list.last() != Some(&n) {
                    list.push(n);
                }
            }
        }
        index
    }

    /// The blocks of `text` sharing the most distinct words with the normalized `quote`
    /// (at most [`CANDIDATE_BLOCKS`], in text order), and the steps it took to count.
    fn candidates<'t>(&self, text: &'t str, quote: &str) -> (Vec<(usize, &'t str)>, usize) {
        let mut shared: HashMap<u32, usize> = HashMap::new();
        let mut steps = 0;
        let distinct: HashSet<&str> = quote.split(' ').collect();
        for list in distinct.iter().filter_map(|w| self.postings.get(*w)) {
            steps += list.len();
            for &n in list {
                *shared.entry(n).or_default() += 1;
            }
        }
        let mut ranked: Vec<(u32, usize)> = shared.into_iter().collect();
        steps += ranked.len();
        ranked.sort_unstable_by_key(|&(n, count)| (std::cmp::Reverse(count), n));
        ranked.truncate(CANDIDATE_BLOCKS);
        ranked.sort_unstable();
        let picked = ranked
            .into_iter()
            .filter_map(|(n, _)| {
                let &(base, len) = self.blocks.get(n as usize)?;
                Some((base, text.get(base..base + len)?))
            })
            .collect();
        (picked, steps)
    }
}

/// A quote prepared for Myers' bit-parallel approximate matching (1999), which finds
/// the best-matching substring of a block in O(n·⌈m/64⌉) instead of O(n·m).
struct Pattern {
    chars: Vec<char>,
    /// 64-row words per text column.
    words: usize,
    /// The bit of the quote's last row in the last word.
    last_bit: u32,
    ascii: [usize; 128],
    other: HashMap<char, usize>,
    /// Per symbol, the rows where the quote has that symbol; symbol 0 matches nothing.
    peq: Vec<u64>,
}

impl Pattern {
    fn new(quote: &str) -> Self {
        let chars: Vec<char> = quote.chars().collect();
        let words = chars.len().div_ceil(64).max(1);
        let mut pattern = Self {
            words,
            last_bit: (chars.len().saturating_sub(1) % 64) as u32,
            ascii: [0; 128],
            other: HashMap::new(),
            peq: vec![0; words],
            chars: Vec::new(),
        };
        for (row, &c) in chars.iter().enumerate() {
            let symbol = pattern.intern(c);
            if let Some(word) = pattern.peq.get_mut(symbol * words + row / 64) {
                *word |= 1 << (row % 64);
            }
        }
        pattern.chars = chars;
        pattern
    }

    fn intern(&mut self, c: char) -> usize {
        let known = self.symbol(c);
        if known != 0 {
            return known;
        }
        let symbol = self.peq.len() / self.words;
        self.peq.extend(std::iter::repeat_n(0, self.words));
        match self.ascii.get_mut(c as usize) {
            Some(slot) => *slot = symbol,
            None => {
                self.other.insert(c, symbol);
            }
        }
        symbol
    }

    fn symbol(&self, c: char) -> usize {
        match self.ascii.get(c as usize) {
            Some(&symbol) => symbol,
            None => self.other.get(&c).copied().unwrap_or(0),
        }
    }

    /// The rows of the quote that equal `c`.
    fn rows_of(&self, c: char) -> &[u64] {
        let start = self.symbol(c) * self.words;
        self.peq.get(start..start + self.words).unwrap_or_default()
    }

    /// The smallest edit distance between the quote and a substring of `block`, and
    /// the byte offset where the first such substring ends.
    fn best_end(&self, block: &str) -> Option<(usize, usize)> {
        let ends = block.char_indices().map(|(at, c)| at + c.len_utf8());
        let mut best: Option<(usize, usize)> = None;
        for (score, end) in self.scores(block.chars(), false).zip(ends) {
            if best.is_none_or(|(best_score, _)| score < best_score) {
                best = Some((score, end));
            }
        }
        best
    }

    /// Where the best alignment of the quote ending at `end` starts in `block`, for a
    /// pattern built from the *reversed* quote: the alignment is searched backwards
    /// from `end` over at most `span` chars (the quote's length plus the distance),
    /// preferring the longest on ties (so "One" rather than "ne" for "one").
    fn best_start(&self, block: &str, end: usize, span: usize) -> usize {
        let head = block.get(..end).unwrap_or_default();
        let starts = head.char_indices().rev().map(|(at, _)| at);
        let mut best: Option<(usize, usize)> = None;
        for (score, start) in self.scores(head.chars().rev(), true).zip(starts).take(span) {
            if best.is_none_or(|(best_score, _)| score <= best_score) {
                best = Some((score, start));
            }
        }
        best.map_or(end, |(_, start)| start)
    }

    /// The edit distance of the whole quote to the best substring ending at each char
    /// of `text`; with `anchored`, substrings must start at the beginning of `text`.
    fn scores<'a>(
        &'a self,
        text: impl Iterator<Item = char> + 'a,
        anchored: bool,
    ) -> impl Iterator<Item = usize> + 'a {
        let mut pv = vec![u64::MAX; self.words];
        let mut mv = vec![0u64; self.words];
        let mut score = self.chars.len();
        // The top row is 0 everywhere when a match may start anywhere (no carry in),
        // and counts the skipped text chars when it may not (+1 per column).
        let top = isize::from(anchored);
        text.map(move |c| {
            let delta = self.advance_column(&mut pv, &mut mv, self.rows_of(c), top);
            score = score.saturating_add_signed(delta);
            score
        })
    }

    /// Advances the DP by one text column; returns the change of the last row's score.
    fn advance_column(&self, pv: &mut [u64], mv: &mut [u64], rows: &[u64], top: isize) -> isize {
        let mut carry = top;
        for (word, (pv, mv)) in pv.iter_mut().zip(mv.iter_mut()).enumerate() {
            let bit = if word + 1 == self.words {
                self.last_bit
            } else {
                63
            };
            let eq = rows.get(word).copied().unwrap_or(0);
            carry = advance_word(pv, mv, eq, carry, bit);
        }
        carry
    }
}

/// One 64-row word of Myers' algorithm, in the block form of Hyyrö and of edlib:
/// updates the vertical deltas (`pv` = +1, `mv` = −1 bits) for one text column, given
/// the horizontal delta `carry` coming in at the top, and returns the horizontal delta
/// at row `bit`.
fn advance_word(pv: &mut u64, mv: &mut u64, eq: u64, carry: isize, bit: u32) -> isize {
    let carry_neg = u64::from(carry < 0);
    let carry_pos = u64::from(carry > 0);
    let xv = eq | *mv;
    let eq = eq | carry_neg;
    let xh = ((eq & *pv).wrapping_add(*pv) ^ *pv) | eq;
    let ph = *mv | !(xh | *pv);
    let mh = *pv & xh;
    let out = isize::from((ph >> bit) & 1 == 1) - isize::from((mh >> bit) & 1 == 1);
    let ph = (ph << 1) | carry_pos;
    let mh = (mh << 1) | carry_neg;
    *pv = mh | !(xv | ph);
    *mv = ph & xv;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;

    const SEP: char = BLOCK_SEPARATOR;

    fn sel(exact: &str) -> TextQuoteSelector {
        TextQuoteSelector {
            exact: exact.to_string(),
            prefix: None,
            suffix: None,
        }
    }

    fn sel_ctx(exact: &str, prefix: Option<&str>, suffix: Option<&str>) -> TextQuoteSelector {
        TextQuoteSelector {
            exact: exact.to_string(),
            prefix: prefix.map(str::to_string),
            suffix: suffix.map(str::to_string),
        }
    }

    /// The byte range of the `nth` occurrence of `needle` in `text`.
    fn at(text: &str, needle: &str, nth: usize) -> Range<usize> {
        let start = text.match_indices(needle).nth(nth).expect("in text").0;
        start..start + needle.len()
    }

    // --- normalization

    #[test]
    fn white_space_runs_become_one_space() {
        let norm = Normalized::new("a \n\t b\u{a0}\u{2003}c  ");
        assert_eq!(norm.text, "a b c ");
        assert_eq!(normalize_fragment("  a \n\t b\u{a0}c \r\n"), "a b c");
    }

    #[test]
    fn separator_is_not_white_space() {
        assert_eq!(Normalized::new("a \u{2029} b").text, "a \u{2029} b");
        assert_eq!(normalize_fragment("a\u{2029}b"), "a b");
    }

    #[test]
    fn quotes_are_folded() {
        assert_eq!(normalize_fragment("'‘’‚‛′"), "''''''");
        assert_eq!(normalize_fragment("\"“”„‟″"), "\"\"\"\"\"\"");
        assert_eq!(normalize_fragment("«a» ‹b›"), "«a» ‹b›");
    }

    #[test]
    fn dashes_are_folded() {
        assert_eq!(normalize_fragment("-‐‑‒–—―−"), "--------");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let reading = "“a”  —\u{a0}b\n\nc";
        let norm = Normalized::new(reading);
        assert_eq!(norm.text, "\"a\" - b c");
        let starts: Vec<usize> = norm.text.char_indices().map(|(i, _)| i).collect();
        let originals: Vec<usize> = starts.iter().map(|&i| norm.to_original(i)).collect();
        assert_eq!(originals, [0, 3, 4, 7, 9, 12, 14, 15, 17]);
        assert_eq!(norm.to_original(norm.text.len()), reading.len());
    }

    // --- exact matching

    #[test]
    fn finds_an_exact_quote() {
        let reading = "The cat sat.\u{2029}The dog ran.";
        assert_eq!(
            find(reading, &sel("dog ran")),
            Ok(at(reading, "dog ran", 0))
        );
    }

    #[test]
    fn ignores_white_space_quote_and_dash_differences() {
        let reading = "He said “don’t\n  go” — twice.";
        let found = find(reading, &sel("said \"don't go\" - twice"));
        assert_eq!(found, Ok(at(reading, "said", 0).start..reading.len() - 1));
    }

    #[test]
    fn ignores_the_quotes_outer_white_space() {
        let reading = "one two three";
        assert_eq!(find(reading, &sel(" \n two\t")), Ok(4..7));
    }

    #[test]
    fn is_case_sensitive() {
        let found = find("The cat", &sel("the cat"));
        assert!(matches!(found, Err(AnchorError::NotFound { .. })));
    }

    #[test]
    fn empty_quote_is_an_error() {
        assert_eq!(find("text", &sel("")), Err(AnchorError::Empty));
        assert_eq!(find("text", &sel(" \n\u{a0}")), Err(AnchorError::Empty));
        assert_eq!(
            find("a\u{2029}b", &sel("\u{2029}")),
            Err(AnchorError::Empty)
        );
    }

    #[test]
    fn handles_multibyte_text() {
        let reading = "Café 中文 😀 naïve\u{2029}中文 again";
        let found = find(reading, &sel_ctx("中文", Some("Café"), None));
        assert_eq!(found, Ok(at(reading, "中文", 0)));
        assert_eq!(
            find(reading, &sel("😀 naïve")),
            Ok(at(reading, "😀 naïve", 0))
        );
        let found = find(reading, &sel_ctx("中文", None, Some("again")));
        assert_eq!(found, Ok(at(reading, "中文", 1)));
    }

    // --- not found

    #[test]
    fn not_found_offers_the_closest_passage() {
        let reading = "Intro.\u{2029}One or two states have a very intense interest here.";
        let found = find(
            reading,
            &sel("one or maybe two states have a very intense interest"),
        );
        let closest = at(reading, "One or two states have a very intense interest", 0);
        assert_eq!(
            found,
            Err(AnchorError::NotFound {
                closest: Some(closest)
            })
        );
    }

    #[test]
    fn not_found_without_a_similar_passage() {
        let found = find("abcdefgh", &sel("xyz uvw"));
        assert_eq!(found, Err(AnchorError::NotFound { closest: None }));
    }

    #[test]
    fn closest_passage_of_a_long_quote() {
        let sentence = "It is a truth universally acknowledged, that a single man in \
                        possession of a good fortune, must be in want of a wife.";
        let reading = format!("Chapter 1\u{2029}{sentence}\u{2029}Chapter 2");
        let quote = sentence.replace("good", "large").replace("wife", "spouse");
        let found = find(&reading, &sel(&quote));
        let closest = Some(at(&reading, sentence, 0));
        assert_eq!(found, Err(AnchorError::NotFound { closest }));
    }

    #[test]
    fn closest_passage_is_skipped_when_too_costly() {
        let quote = "ab".repeat(6400);
        let reading = format!("{}aa {}", "ab".repeat(6399), "x".repeat(2_100_000));
        let found = find(&reading, &sel(&quote));
        assert_eq!(found, Err(AnchorError::NotFound { closest: None }));
        let found = find(&reading[..20_000], &sel(&quote));
        let closest = Some(0..12_799);
        assert_eq!(found, Err(AnchorError::NotFound { closest }));
    }

    #[test]
    fn closest_passage_stays_within_a_block() {
        let reading = "alpha beta\u{2029}gamma delta";
        let found = find(reading, &sel("beta gam"));
        let closest = Some(at(reading, "beta", 0));
        assert_eq!(found, Err(AnchorError::NotFound { closest }));
    }

    #[test]
    fn no_match_across_a_block_separator() {
        let reading = "the end\u{2029}of it";
        assert!(matches!(
            find(reading, &sel("end of")),
            Err(AnchorError::NotFound { .. })
        ));
        assert!(matches!(
            find(reading, &sel("end\u{2029}of")),
            Err(AnchorError::NotFound { .. })
        ));
    }

    // --- several occurrences

    #[test]
    fn ambiguity_lists_the_candidates() {
        let reading = "a rose is\u{2029}a rose is a rose";
        let candidates = (0..3).map(|i| at(reading, "rose", i)).collect();
        let found = find(reading, &sel("rose"));
        assert_eq!(found, Err(AnchorError::Ambiguous { candidates }));
    }

    #[test]
    fn overlapping_occurrences_are_all_found() {
        let found = find("aaa", &sel("aa"));
        let candidates = vec![0..2, 1..3];
        assert_eq!(found, Err(AnchorError::Ambiguous { candidates }));
        assert_eq!(find("aaa", &sel_ctx("aa", Some("a"), None)), Ok(1..3));
    }

    #[test]
    fn prefix_decides() {
        let reading = "red apple, green apple";
        let found = find(reading, &sel_ctx("apple", Some("green"), None));
        assert_eq!(found, Ok(at(reading, "apple", 1)));
    }

    #[test]
    fn suffix_decides() {
        let reading = "apple pie, apple tart";
        let found = find(reading, &sel_ctx("apple", None, Some(" tart ")));
        assert_eq!(found, Ok(at(reading, "apple", 1)));
    }

    #[test]
    fn white_space_at_the_junctions_is_optional() {
        let reading = "ab cd, abcd";
        let found = find(reading, &sel_ctx("cd", Some("ab"), Some(",")));
        assert_eq!(found, Ok(at(reading, "cd", 0)));
        let found = find(reading, &sel_ctx("cd", Some(", ab "), None));
        assert_eq!(found, Ok(at(reading, "cd", 1)));
        let found = find(reading, &sel_ctx("ab", Some(","), Some(" cd")));
        assert_eq!(found, Ok(at(reading, "ab", 1)));
    }

    #[test]
    fn prefix_and_suffix_that_decide_nothing_leave_ambiguity() {
        let reading = "the cat, the cat";
        let found = find(reading, &sel_ctx("cat", Some("the"), Some("")));
        let candidates = vec![at(reading, "cat", 0), at(reading, "cat", 1)];
        assert_eq!(found, Err(AnchorError::Ambiguous { candidates }));
    }

    #[test]
    fn context_mismatch_lists_the_occurrences() {
        let reading = "the cat sat, the cat ran";
        let found = find(reading, &sel_ctx("cat", Some("a"), Some("sat")));
        let occurrences = vec![at(reading, "cat", 0), at(reading, "cat", 1)];
        assert_eq!(found, Err(AnchorError::ContextMismatch { occurrences }));
        let found = find("only cat", &sel_ctx("cat", Some("one"), None));
        let occurrences = vec![at("only cat", "cat", 0)];
        assert_eq!(found, Err(AnchorError::ContextMismatch { occurrences }));
    }

    #[test]
    fn context_does_not_cross_a_block_separator() {
        let reading = "red\u{2029}apple, red apple";
        let found = find(reading, &sel_ctx("apple", Some("red"), None));
        assert_eq!(found, Ok(at(reading, "apple", 1)));
    }

    #[test]
    fn an_index_anchors_many_selectors() {
        let reading = "one two\u{2029}three";
        let index = ReadingIndex::new(reading);
        assert_eq!(index.find(&sel("two")), Ok(4..7));
        assert_eq!(index.find(&sel("three")), find(reading, &sel("three")));
    }

    /// A text too long for a full search: 5,000 paragraphs of 60 chars.
    fn long_reading() -> String {
        (0..5000)
            .map(|i| format!("Paragraph number {i} says alliances form against threats."))
            .collect::<Vec<_>>()
            .join("\u{2029}")
    }

    #[test]
    fn in_a_long_text_the_hint_searches_the_paragraphs_sharing_words() {
        let reading = long_reading();
        let index = ReadingIndex::new(&reading);
        let mut budget = HintBudget::default();
        let closest = index.closest("number 4321 says aliances form", &mut budget);
        let expected = at(&reading, "number 4321 says alliances form", 0);
        assert_eq!(closest, Ok(Some(expected)));
        // Once the words are indexed, far less work than searching all 300 KB.
        let before = budget.left;
        let closest = index.closest("number 1234 says aliances form", &mut budget);
        assert_eq!(closest.map(|r| r.is_some()), Ok(true));
        assert!(before - budget.left < 50_000, "{}", before - budget.left);
    }

    #[test]
    fn hints_stop_for_good_when_the_budget_is_spent() {
        let reading = long_reading();
        let index = ReadingIndex::new(&reading);
        let quote = |i: usize| format!("number {i} sayz alliances");
        let mut budget = HintBudget::default();
        assert!(matches!(index.closest(&quote(1), &mut budget), Ok(Some(_))));
        let before = budget.left;
        assert!(matches!(index.closest(&quote(2), &mut budget), Ok(Some(_))));
        let one = before - budget.left;
        // Room for two and a half hints of the same cost.
        let mut budget = HintBudget::new(one * 5 / 2);
        let hints: Vec<bool> = (10..15)
            .map(|i| index.closest(&quote(i), &mut budget).is_ok())
            .collect();
        assert_eq!(hints, [true, true, false, false, false]);
        assert!(budget.is_spent());
        // A quote that would fit now is not searched either: the first hints are shown.
        assert_eq!(index.closest("x", &mut budget), Err(OverBudget));
    }

    #[test]
    fn errors_explain_themselves() {
        let error = AnchorError::Ambiguous {
            candidates: vec![0..1, 2..3],
        };
        assert!(error.to_string().contains("2 times"));
    }

    // --- blocks

    #[test]
    fn block_ranges_are_trimmed() {
        let reading = " one \u{2029}\u{2029}two\n\u{2029}   ";
        assert_eq!(block_range(reading, 0), Some(1..4));
        assert_eq!(block_range(reading, 1), Some(8..8));
        assert_eq!(block_range(reading, 2), Some(11..14));
        assert_eq!(block_range(reading, 3), Some(21..21));
        assert_eq!(block_range(reading, 4), None);
    }

    #[test]
    fn offsets_belong_to_blocks() {
        let reading = "ab\u{2029}cd";
        let blocks: Vec<usize> = (0..=8).map(|i| block_of(reading, i)).collect();
        assert_eq!(blocks, [0, 0, 0, 0, 0, 1, 1, 1, 1]);
        assert_eq!(block_of(reading, 100), 1);
        assert_eq!(block_of("", 0), 0);
    }

    // --- properties

    /// A small alphabet on which normalization, repetition and blocks all matter.
    fn reading_text(max: usize) -> impl Strategy<Value = String> {
        let alphabet = vec![
            'a', 'a', 'a', 'b', 'b', 'c', ' ', ' ', ' ', '\n', '\u{a0}', '\'', '’', '"', '“', '-',
            '—', '–', 'é', '中', '😀', SEP,
        ];
        prop::collection::vec(prop::sample::select(alphabet), 0..max)
            .prop_map(|chars| chars.into_iter().collect())
    }

    fn quotable(c: char) -> bool {
        !c.is_whitespace()
    }

    /// All ranges that start and end on a non-white-space char and hold no separator.
    fn quotable_ranges(text: &str) -> Vec<Range<usize>> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut ranges = Vec::new();
        for (i, &(start, first)) in chars.iter().enumerate() {
            if !quotable(first) {
                continue;
            }
            for &(at, c) in &chars[i..] {
                if c == SEP {
                    break;
                }
                if quotable(c) {
                    ranges.push(start..at + c.len_utf8());
                }
            }
        }
        ranges
    }

    fn block_around(text: &str, range: &Range<usize>) -> Range<usize> {
        let start = text[..range.start]
            .rfind(SEP)
            .map_or(0, |i| i + SEP.len_utf8());
        let end = text[range.end..]
            .find(SEP)
            .map_or(text.len(), |i| range.end + i);
        start..end
    }

    fn last_chars(text: &str, n: usize) -> String {
        let chars: Vec<char> = text.chars().collect();
        chars[chars.len().saturating_sub(n)..].iter().collect()
    }

    fn first_chars(text: &str, n: usize) -> String {
        text.chars().take(n).collect()
    }

    /// A range the API may return: on char boundaries, non-empty, within a block,
    /// starting and ending on non-white-space.
    fn check_well_formed(text: &str, range: &Range<usize>) -> Result<(), TestCaseError> {
        let piece = text.get(range.clone());
        prop_assert!(piece.is_some(), "{range:?} is not a slice of {text:?}");
        let piece = piece.unwrap_or_default();
        prop_assert!(!piece.is_empty() && !piece.contains(SEP));
        prop_assert!(piece.chars().next().is_some_and(quotable));
        prop_assert!(piece.chars().next_back().is_some_and(quotable));
        Ok(())
    }

    fn check_result(
        text: &str,
        result: &Result<Range<usize>, AnchorError>,
    ) -> Result<(), TestCaseError> {
        let ranges: Vec<&Range<usize>> = match result {
            Ok(range) => vec![range],
            Err(AnchorError::Empty) => vec![],
            Err(AnchorError::NotFound { closest }) => closest.iter().collect(),
            Err(AnchorError::ContextMismatch { occurrences: all })
            | Err(AnchorError::Ambiguous { candidates: all }) => all.iter().collect(),
        };
        for range in ranges {
            check_well_formed(text, range)?;
        }
        Ok(())
    }

    /// What `find` must answer, computed by brute force over all quotable ranges.
    fn oracle(text: &str, selector: &TextQuoteSelector) -> Result<Range<usize>, AnchorError> {
        let quote = normalize_fragment(&selector.exact);
        if quote.is_empty() {
            return Err(AnchorError::Empty);
        }
        let prefix = normalize_option(selector.prefix.as_deref());
        let suffix = normalize_option(selector.suffix.as_deref());
        let occurrences: Vec<Range<usize>> = quotable_ranges(text)
            .into_iter()
            .filter(|r| normalize_fragment(&text[r.clone()]) == quote)
            .collect();
        let fitting: Vec<Range<usize>> = occurrences
            .iter()
            .filter(|r| {
                let block = block_around(text, r);
                normalize_fragment(&text[block.start..r.start]).ends_with(&prefix)
                    && normalize_fragment(&text[r.end..block.end]).starts_with(&suffix)
            })
            .cloned()
            .collect();
        match fitting.len() {
            0 if occurrences.is_empty() => Err(AnchorError::NotFound { closest: None }),
            0 => Err(AnchorError::ContextMismatch { occurrences }),
            1 => Ok(fitting[0].clone()),
            _ => Err(AnchorError::Ambiguous {
                candidates: fitting,
            }),
        }
    }

    /// Plain O(n·m) DP: the distance of `quote` to the best substring of `text` ending
    /// at each char (starting anywhere, or with `anchored` at the start of `text`).
    fn naive_scores(quote: &[char], text: &str, anchored: bool) -> Vec<usize> {
        let mut column: Vec<usize> = (0..=quote.len()).collect();
        let mut scores = Vec::new();
        for (j, c) in text.chars().enumerate() {
            let top = if anchored { j + 1 } else { 0 };
            let mut next = vec![top; quote.len() + 1];
            for i in 1..=quote.len() {
                let substitute = column[i - 1] + usize::from(quote[i - 1] != c);
                next[i] = substitute.min(column[i] + 1).min(next[i - 1] + 1);
            }
            column = next;
            scores.push(column[quote.len()]);
        }
        scores
    }

    fn edit_distance(a: &[char], b: &[char]) -> usize {
        let mut column: Vec<usize> = (0..=a.len()).collect();
        for (j, &c) in b.iter().enumerate() {
            let mut next = vec![j + 1; a.len() + 1];
            for i in 1..=a.len() {
                let substitute = column[i - 1] + usize::from(a[i - 1] != c);
                next[i] = substitute.min(column[i] + 1).min(next[i - 1] + 1);
            }
            column = next;
        }
        column[a.len()]
    }

    /// A reading text and one of its quotable ranges.
    fn text_and_quote() -> impl Strategy<Value = (String, Range<usize>)> {
        (reading_text(48), any::<Index>()).prop_filter_map("nothing quotable", |(text, pick)| {
            let ranges = quotable_ranges(&text);
            (!ranges.is_empty()).then(|| {
                let range = ranges[pick.index(ranges.len())].clone();
                (text, range)
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// (a) A quote taken from the text, with up to 32 chars of context from its
        /// block, is found where it was taken from, or is truly ambiguous.
        #[test]
        fn finds_a_quote_taken_from_the_text(
            (text, range) in text_and_quote(),
            before in 0usize..=32,
            after in 0usize..=32,
        ) {
            let block = block_around(&text, &range);
            let selector = TextQuoteSelector {
                exact: text[range.clone()].to_string(),
                prefix: Some(last_chars(&text[block.start..range.start], before)),
                suffix: Some(first_chars(&text[range.end..block.end], after)),
            };
            let found = find(&text, &selector);
            match &found {
                Ok(r) => prop_assert_eq!(r, &range),
                Err(AnchorError::Ambiguous { candidates }) => {
                    prop_assert!(candidates.contains(&range), "{:?}", candidates);
                }
                Err(e) => prop_assert!(false, "unexpected {:?}", e),
            }
            prop_assert_eq!(found, oracle(&text, &selector));
        }

        /// (a) With all of its block as context, a quote is found exactly where it
        /// was taken from, unless another block holds the quote too (then it may be
        /// truly ambiguous, which the oracle confirms).
        #[test]
        fn full_block_context_decides(
            (text, range) in text_and_quote(),
        ) {
            let block = block_around(&text, &range);
            let selector = TextQuoteSelector {
                exact: text[range.clone()].to_string(),
                prefix: Some(text[block.start..range.start].to_string()),
                suffix: Some(text[range.end..block.end].to_string()),
            };
            let found = find(&text, &selector);
            let quote = normalize_fragment(&selector.exact);
            let elsewhere = blocks(&text)
                .filter(|&(base, _)| base != block.start)
                .any(|(_, other)| normalize_fragment(other).contains(&quote));
            if !elsewhere {
                prop_assert_eq!(&found, &Ok(range.clone()));
            }
            match &found {
                Ok(r) => prop_assert_eq!(r, &range),
                Err(AnchorError::Ambiguous { candidates }) => {
                    prop_assert!(candidates.contains(&range), "{:?}", candidates);
                }
                Err(e) => prop_assert!(false, "unexpected {:?}", e),
            }
            prop_assert_eq!(found, oracle(&text, &selector));
        }

        /// (b) Never panics, and every range it returns is well formed.
        #[test]
        fn never_panics_on_arbitrary_input(
            text in any::<String>(),
            exact in any::<String>(),
            prefix in any::<Option<String>>(),
            suffix in any::<Option<String>>(),
        ) {
            let result = find(&text, &TextQuoteSelector { exact, prefix, suffix });
            check_result(&text, &result)?;
            let _ = block_range(&text, text.len() % 5);
            let _ = block_of(&text, text.len() / 2 + 1);
        }

        /// (b) The same on the small alphabet, where matches actually happen.
        #[test]
        fn never_panics_on_small_alphabet(
            text in reading_text(40),
            exact in reading_text(8),
            prefix in proptest::option::of(reading_text(6)),
            suffix in proptest::option::of(reading_text(6)),
        ) {
            let result = find(&text, &TextQuoteSelector { exact, prefix, suffix });
            check_result(&text, &result)?;
        }

        /// (c) Varying the quote's white space does not change the answer.
        #[test]
        fn white_space_in_the_quote_does_not_matter(
            (text, range) in text_and_quote(),
            picks in prop::collection::vec(0usize..6, 50),
            context in 0usize..=8,
        ) {
            let spaces = [" ", "  ", "\n", " \t ", "\u{a0}", "\u{2003}\n"];
            let mut picks = picks.into_iter().map(|i| spaces[i]).cycle();
            let quote = &text[range.clone()];
            let mut varied: String = picks.next().unwrap_or_default().to_string();
            let mut in_space = false;
            for c in quote.chars() {
                if !c.is_whitespace() {
                    varied.push(c);
                } else if !in_space {
                    varied.push_str(picks.next().unwrap_or_default());
                }
                in_space = c.is_whitespace();
            }
            varied.push_str(picks.next().unwrap_or_default());
            let block = block_around(&text, &range);
            let prefix = Some(last_chars(&text[block.start..range.start], context));
            let plain = sel_ctx(quote, prefix.as_deref(), None);
            let spaced = sel_ctx(&varied, prefix.as_deref(), None);
            prop_assert_eq!(find(&text, &spaced), find(&text, &plain));
        }

        /// Random selectors agree with the brute-force oracle (except the hint).
        #[test]
        fn agrees_with_the_oracle(
            text in "[ab \n’'—\u{2029}]{0,24}",
            exact in "[ab'\\-][ab' \\-]{0,2}",
            prefix in proptest::option::of("[ab ]{0,3}"),
            suffix in proptest::option::of("[ab ]{0,3}"),
        ) {
            let selector = TextQuoteSelector { exact, prefix, suffix };
            let found = find(&text, &selector);
            check_result(&text, &found)?;
            let found = match found {
                Err(AnchorError::NotFound { .. }) => Err(AnchorError::NotFound { closest: None }),
                other => other,
            };
            prop_assert_eq!(found, oracle(&text, &selector));
        }

        /// The bit-parallel search agrees with the plain DP, also beyond 64 chars,
        /// and the alignment it reports has the distance it claims.
        #[test]
        fn bit_parallel_search_agrees_with_plain_dp(
            quote in "[abc]{1,150}",
            text in "[abcé]{0,200}",
        ) {
            let pattern = Pattern::new(&quote);
            for anchored in [false, true] {
                let scores: Vec<usize> = pattern.scores(text.chars(), anchored).collect();
                prop_assert_eq!(scores, naive_scores(&pattern.chars, &text, anchored));
            }
            let best = pattern.best_end(&text);
            let naive = naive_scores(&pattern.chars, &text, false);
            let least = naive.iter().min();
            prop_assert_eq!(best.map(|(score, _)| score), least.copied());
            if let Some((score, end)) = best {
                let first = naive.iter().position(|&s| s == score).unwrap_or_default();
                prop_assert_eq!(text[..end].chars().count(), first + 1);
                let reversed = Pattern::new(&quote.chars().rev().collect::<String>());
                let start = reversed.best_start(&text, end, pattern.chars.len() + score);
                let passage: Vec<char> = text[start..end].chars().collect();
                prop_assert_eq!(edit_distance(&pattern.chars, &passage), score);
            }
        }
    }
}
