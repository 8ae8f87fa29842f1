//! Stage 1: normalisation, with a map back to the original text.
//!
//! Lures are written to slip past keyword filters: `K4mb0ja`, `K a m b o j a`, `Kаmbоjа` with
//! Cyrillic letters, full-width `ＫＡＭＢＯＪＡ`, zero-width spaces between letters. The
//! normaliser folds all of these to `kamboja` so that one lexicon entry catches them, and keeps,
//! for every byte of the normalised text, the byte range of the original character it came
//! from, so that evidence found in the normalised text points at the original words.
//!
//! Steps, in order:
//! 1. drop format characters (zero-width spaces and joiners, soft hyphens, bidi controls,
//!    variation selectors, tag characters);
//! 2. compatibility-decompose each character (NFKD: full-width forms, mathematical letters,
//!    circled letters, ligatures), drop combining marks that follow a Latin letter (so
//!    Vietnamese `lương` and unaccented `luong` meet), keep those of other scripts;
//! 3. lowercase, fold look-alike letters from other scripts (data/homoglyphs.toml), and read
//!    the digits of other scripts as ASCII digits (Thai `๓๕` as `35`);
//! 4. turn every run of whitespace and control characters into one space, and read the emoji
//!    that stand for words as those words (`✈️` → `tiket`, data/emoji.toml);
//! 5. join spaced-out or dotted single letters (`k a m b o j a`, `w.a`), and split a joined run
//!    that is no known word into known words (`c u s t o m e r s e r v i c e` →
//!    `customer service`); join words split by one punctuation mark (`ga*ji`, `cust.omer`);
//! 6. fold leetspeak inside words (`k4mb0ja`), leaving numbers with units alone (`gaji5jt`).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::error::{Error, Result};
use rustc_hash::{FxHashMap, FxHashSet};

/// Bumped whenever normalisation changes what it outputs; part of the feature fingerprint.
pub(crate) const NORMALIZER_VERSION: u32 = 5;

/// The bundled homoglyph table (`data/homoglyphs.toml`).
pub(crate) const HOMOGLYPHS_TOML: &str = include_str!("../data/homoglyphs.toml");

/// Separators that may stand between spaced-out letters: space . - _ * · • | /
#[inline]
fn is_spaced_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '*' | '·' | '•' | '|' | '/')
}

/// Letter runs after a digit that make it a number with a unit, not leetspeak (`gaji5jt`).
const UNIT_WORDS: [&str; 24] = [
    "k", "rb", "ribu", "jt", "juta", "jtan", "m", "mio", "tr", "trieu", "usd", "rm", "bln", "hari",
    "x", "th", "thn", "tahun", "jam", "st", "nd", "rd", "an", "s",
];

/// Units that also end ordinary words (`tid4k`, `kir1m`, `tug4s`, `w1th`): after a digit glued
/// to letters they are a unit only when the letters before are an amount word (`usd1k`).
const SHORT_UNITS: [&str; 10] = ["k", "m", "x", "s", "th", "st", "nd", "rd", "an", "rm"];

/// Letters that may stand glued before an amount with a short unit (`usd1k`, `rm4k`, `gaji5k`).
const AMOUNT_PREFIXES: [&str; 14] = [
    "usd", "us", "rp", "rm", "idr", "myr", "php", "thb", "sgd", "vnd", "gaji", "salary", "luong",
    "upto",
];

/// Short words after which `@` begins a handle (`tg@hr_lisa`) rather than standing for `a`.
const HANDLE_PREFIXES: [&str; 5] = ["tg", "wa", "ig", "fb", "id"];

/// The text of a post after normalisation, with the map back to the original.
///
/// Produced by [`Normalizer::normalize`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// For each byte of `text`, the start of the original character it came from.
    starts: Vec<u32>,
    /// For each byte of `text`, the end of the original character it came from.
    ends: Vec<u32>,
}

impl Normalized {
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text to the byte range of the original text that
    /// produced it. The result always lies on character boundaries of the original.
    ///
    /// # Example
    /// ```
    /// let n = lurescan::Normalizer::new().normalize("Kerja di K4mb0ja!");
    /// let at = n.as_str().find("kamboja").unwrap();
    /// assert_eq!(n.original_span(at, at + "kamboja".len()), (9, 16));
    /// ```
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if start >= end || end > self.text.len() {
            return (0, 0);
        }
        (self.starts[start] as usize, self.ends[end - 1] as usize)
    }

    /// When `self` is the normalisation of `original`, the byte range of `self` that is the
    /// normalisation of `original[window]` on its own, if it is sure to be one; `None` means
    /// that the window must be normalised alone.
    ///
    /// A window edge inside the post must fall in a run of ASCII whitespace, and the character
    /// on the window's side of that run must be ASCII punctuation that is no leetspeak letter
    /// (`@ ! $ |`), or an ASCII letter, digit or leetspeak letter followed (inward) by another
    /// ASCII letter or digit. No step of normalisation then looks across the edge: whitespace
    /// ends every per-character state (Latin combining marks), an emoji reads its neighbours
    /// only to see if they are letters or a flag's second half, split words and leetspeak look
    /// no further than the next space (and treat a space as they treat the end of the text),
    /// and a run of spaced-out letters needs single letters on both sides of a space, which
    /// that character is not. So the normalisation of the post is that of the text before the
    /// edge, one space, and that of the text after it; the window's part starts at the unit of
    /// its first character and ends at the space made of its trailing whitespace.
    pub(crate) fn window_slice(
        &self,
        original: &str,
        window: Range<usize>,
    ) -> Option<Range<usize>> {
        let b = original.as_bytes();
        let (s, e) = (window.start, window.end);
        if s >= e || e > b.len() || self.starts.len() != self.text.len() {
            return None;
        }
        let ws = |i: usize| b[i].is_ascii_whitespace();
        let plain = |at: usize, then: usize| plain_edge(b, at, then);
        let unit_at = |at: usize| self.starts.partition_point(|&st| (st as usize) < at);
        let from = if s == 0 {
            0
        } else {
            // The whitespace run around the start edge, then two letters or digits.
            let mut run_start = s;
            while run_start > 0 && ws(run_start - 1) {
                run_start -= 1;
            }
            let mut first = s;
            while first < e && ws(first) {
                first += 1;
            }
            if run_start == first || first + 2 > e || !plain(first, first + 1) {
                return None;
            }
            let x = unit_at(first);
            if self.starts.get(x).map(|&st| st as usize) != Some(first) {
                return None;
            }
            x
        };
        let to = if e == b.len() {
            self.text.len()
        } else {
            // Two letters or digits, then the whitespace run around the end edge.
            let mut run_start = e;
            while run_start > s && ws(run_start - 1) {
                run_start -= 1;
            }
            let mut run_end = e;
            while run_end < b.len() && ws(run_end) {
                run_end += 1;
            }
            if run_start == run_end || run_start < s + 2 || !plain(run_start - 1, run_start - 2) {
                return None;
            }
            let y = unit_at(run_start);
            let space = self.text.as_bytes().get(y) == Some(&b' ');
            if !space || self.starts[y] as usize != run_start {
                return None;
            }
            y
        };
        (from <= to && self.text.is_char_boundary(from) && self.text.is_char_boundary(to))
            .then_some(from..to)
    }
}

/// Whether the byte `b[at]` next to a window edge (at whitespace) lets the window be read off
/// the whole post's normalisation (see [`Normalized::window_slice`]): it is no single letter,
/// but ASCII punctuation that is no leetspeak letter, or a letter or digit followed (`then`,
/// one step into the window) by another letter or digit.
pub(crate) fn plain_edge(b: &[u8], at: usize, then: usize) -> bool {
    let c = b[at];
    let letter_like = c.is_ascii_alphanumeric() || matches!(c, b'@' | b'!' | b'$' | b'|');
    c.is_ascii_graphic() && (!letter_like || b.get(then).is_some_and(u8::is_ascii_alphanumeric))
}

/// One character of the folded text with the original byte range it stands for.
#[derive(Debug, Clone, Copy)]
struct Unit {
    c: char,
    start: u32,
    end: u32,
}

/// Normalises posts: zero-width characters, NFKC forms, Latin diacritics, case, look-alike
/// letters from other scripts, spaced-out letters and leetspeak are folded.
///
/// Build it once and reuse it: it holds the homoglyph table.
#[derive(Debug, Clone)]
pub struct Normalizer {
    homoglyphs: FxHashMap<char, char>,
    /// Emoji read as words (`data/emoji.toml`): first character -> (second character of a
    /// flag, the word).
    emoji: FxHashMap<char, Vec<EmojiWord>>,
}

/// An emoji read as a word: the second character of a flag (if any), and the word.
type EmojiWord = (Option<char>, Box<str>);

/// No emoji of `data/emoji.toml` lies below this character (checked when the table is read).
const EMOJI_FLOOR: char = '\u{2700}';

/// One entry of `data/emoji.toml`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct EmojiEntry {
    /// The word the emoji is read as.
    pub word: String,
    /// Words of lexicon phrases the emoji stands in for.
    pub stands_for: Vec<String>,
}

/// `data/emoji.toml`, parsed.
pub(crate) fn emoji_table() -> Result<std::collections::BTreeMap<String, EmojiEntry>> {
    #[derive(serde::Deserialize)]
    struct File {
        read_as: std::collections::BTreeMap<String, EmojiEntry>,
    }
    let file: File = toml::from_str(crate::lexicon::EMOJI_TOML)
        .map_err(|e| Error::data("emoji.toml", "not valid TOML").with_source(e))?;
    for (emoji, entry) in &file.read_as {
        let chars: Vec<char> = emoji.chars().filter(|&c| !is_ignorable(c)).collect();
        let word_ok = !entry.word.is_empty()
            && entry
                .word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == ' ');
        if chars.is_empty()
            || chars.len() > 2
            || chars
                .iter()
                .any(|c| c.is_alphanumeric() || *c < EMOJI_FLOOR)
        {
            return Err(Error::data(
                "emoji.toml",
                format!("{emoji:?} must be one emoji (or a flag of two characters)"),
            ));
        }
        if !word_ok {
            return Err(Error::data(
                "emoji.toml",
                format!(
                    "{emoji:?}: word {:?} must be lowercase ASCII words",
                    entry.word
                ),
            ));
        }
    }
    Ok(file.read_as)
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new()
    }
}

impl Normalizer {
    /// A normaliser with the bundled homoglyph table.
    ///
    /// # Example
    /// ```
    /// let n = lurescan::Normalizer::new();
    /// assert_eq!(n.normalize("ＫＡＭＢＯＪＡ k a m b o j a Kаmbоjа").as_str(),
    ///            "kamboja kamboja kamboja");
    /// ```
    pub fn new() -> Self {
        // The bundled table is checked by the tests; it cannot fail at run time.
        Self::from_toml(HOMOGLYPHS_TOML).unwrap_or_else(|_| Normalizer {
            homoglyphs: FxHashMap::default(),
            emoji: FxHashMap::default(),
        })
    }

    pub(crate) fn from_toml(src: &str) -> Result<Self> {
        #[derive(serde::Deserialize)]
        struct File {
            fold: HashMap<String, String>,
        }
        let file: File = toml::from_str(src)
            .map_err(|e| Error::data("homoglyphs.toml", "not valid TOML").with_source(e))?;
        let mut homoglyphs = FxHashMap::default();
        for (k, v) in file.fold {
            let mut kc = k.chars();
            let mut vc = v.chars();
            match (kc.next(), kc.next(), vc.next(), vc.next()) {
                (Some(from), None, Some(to), None) => {
                    homoglyphs.insert(from, to);
                }
                _ => {
                    return Err(Error::data(
                        "homoglyphs.toml",
                        format!("entry {k:?} = {v:?} must map one character to one character"),
                    ));
                }
            }
        }
        let mut emoji: FxHashMap<char, Vec<EmojiWord>> = FxHashMap::default();
        for (e, entry) in emoji_table()? {
            let mut chars = e.chars().filter(|&c| !is_ignorable(c));
            if let Some(first) = chars.next() {
                emoji
                    .entry(first)
                    .or_default()
                    .push((chars.next(), entry.word.into()));
            }
        }
        Ok(Normalizer { homoglyphs, emoji })
    }

    /// Normalises `text`.
    pub fn normalize(&self, text: &str) -> Normalized {
        let units = self.units(text);
        let text = text_of(&units);
        if text.len() == units.len() {
            // One byte per unit (ASCII): the maps are the units' ranges as they are.
            return Normalized {
                starts: units.iter().map(|u| u.start).collect(),
                ends: units.iter().map(|u| u.end).collect(),
                text,
            };
        }
        let mut starts = Vec::with_capacity(text.len());
        let mut ends = Vec::with_capacity(text.len());
        for u in &units {
            let len = u.c.len_utf8();
            starts.extend(std::iter::repeat_n(u.start, len));
            ends.extend(std::iter::repeat_n(u.end, len));
        }
        Normalized { text, starts, ends }
    }

    /// The normalised text alone, without the map back to the original: what
    /// [`Normalizer::normalize`] returns as [`Normalized::as_str`], for scoring, which needs
    /// no spans.
    pub(crate) fn normalize_text(&self, text: &str) -> String {
        text_of(&self.units(text))
    }

    /// All steps: the characters of the normalised text with the original ranges they stand
    /// for.
    fn units(&self, text: &str) -> Vec<Unit> {
        let units = self.read_emoji(self.fold_chars(text));
        let vocab = vocabulary();
        let units = join_spaced_letters(units, vocab);
        let units = join_split_words(units, vocab);
        fold_leetspeak(units)
    }

    /// Steps 1-4: per-character folding.
    fn fold_chars(&self, text: &str) -> Vec<Unit> {
        let mut units: Vec<Unit> = Vec::with_capacity(text.len());
        let mut last_latin = false;
        for (i, c) in text.char_indices() {
            let start = i as u32;
            let end = (i + c.len_utf8()) as u32;
            if c.is_ascii() {
                // Fast path: ASCII needs no decomposition.
                if c.is_ascii_whitespace() || c.is_ascii_control() {
                    push_space(&mut units, start, end);
                    last_latin = false;
                } else {
                    units.push(Unit {
                        c: c.to_ascii_lowercase(),
                        start,
                        end,
                    });
                    last_latin = c.is_ascii_alphabetic();
                }
                continue;
            }
            if is_ignorable(c) {
                continue;
            }
            self.fold_char_cached(c, start, end, &mut last_latin, &mut units);
        }
        if units.last().is_some_and(|u| u.c == ' ') {
            units.pop();
        }
        units
    }

    /// Steps 2-4 for one character beyond ASCII that is not ignorable: [`Normalizer::fold_char`]
    /// with the folding of most characters looked up in a cache. It is the same every time
    /// for a character but for the homoglyph table, which belongs to this normaliser and is
    /// applied after.
    fn fold_char_cached(
        &self,
        c: char,
        start: u32,
        end: u32,
        last_latin: &mut bool,
        units: &mut Vec<Unit>,
    ) {
        match cached_fold(c) {
            Fold::Space => {
                push_space(units, start, end);
                *last_latin = false;
            }
            Fold::Keep => {
                units.push(Unit { c, start, end });
                *last_latin = false;
            }
            Fold::Lower(l) => {
                let l = self.homoglyphs.get(&l).copied().unwrap_or(l);
                units.push(Unit { c: l, start, end });
                *last_latin = is_spaced_script_letter(l);
            }
            Fold::Mark(d) => {
                if !*last_latin {
                    units.push(Unit { c: d, start, end });
                }
            }
            Fold::Other => self.fold_char(c, start, end, last_latin, units),
        }
    }

    /// Steps 2-4 for one character beyond ASCII that is not ignorable.
    fn fold_char(
        &self,
        c: char,
        start: u32,
        end: u32,
        last_latin: &mut bool,
        units: &mut Vec<Unit>,
    ) {
        if c.is_whitespace() || c.is_control() {
            push_space(units, start, end);
            *last_latin = false;
            return;
        }
        if is_hangul_syllable(c) {
            // NFKD would split syllables into jamo; they need no folding.
            units.push(Unit { c, start, end });
            *last_latin = false;
            return;
        }
        decompose_compatible(c, |d| {
            if is_combining_mark(d) {
                if !*last_latin {
                    units.push(Unit { c: d, start, end });
                }
                return;
            }
            if d.is_whitespace() {
                push_space(units, start, end);
                *last_latin = false;
                return;
            }
            if is_ignorable(d) {
                return;
            }
            if let Some(a) = ascii_digit(d) {
                units.push(Unit { c: a, start, end });
                *last_latin = is_spaced_script_letter(a);
                return;
            }
            for l in d.to_lowercase() {
                let l = self.homoglyphs.get(&l).copied().unwrap_or(l);
                units.push(Unit { c: l, start, end });
                *last_latin = is_spaced_script_letter(l);
            }
        });
    }
}

/// How a character beyond ASCII that is not ignorable folds ([`Normalizer::fold_char`]), when
/// that does not depend on the homoglyph table but through one lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// Whitespace or a control character: a space (one for a run), and not after a letter.
    Space,
    /// Kept as it is, and not a Latin letter (a Hangul syllable).
    Keep,
    /// One character, lowercased: then folded by the homoglyph table, and after a Latin letter
    /// when it is one.
    Lower(char),
    /// One combining mark: kept unless it follows a Latin letter.
    Mark(char),
    /// Anything else (several characters, whitespace or ignorable ones after decomposition).
    Other,
}

/// [`Fold`] of `c`, computed.
fn fold_of(c: char) -> Fold {
    if c.is_whitespace() || c.is_control() {
        return Fold::Space;
    }
    if is_hangul_syllable(c) {
        return Fold::Keep;
    }
    let (mut first, mut n) = (None, 0);
    decompose_compatible(c, |d| {
        first.get_or_insert(d);
        n += 1;
    });
    let Some(d) = first.filter(|_| n == 1) else {
        return Fold::Other;
    };
    if is_combining_mark(d) {
        return Fold::Mark(d);
    }
    if d.is_whitespace() || is_ignorable(d) {
        return Fold::Other;
    }
    if let Some(a) = ascii_digit(d) {
        return Fold::Lower(a);
    }
    let mut lower = d.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Fold::Lower(l),
        _ => Fold::Other,
    }
}

/// The ASCII digit of a decimal digit of another script (`๓` → `3`, `៥` → `5`, `၁` → `1`,
/// `٧` → `7`), so that `เงินเดือน ๓๕,๐๐๐ บาท` reads as an amount like `35,000`.
///
/// The digits are the Unicode class `\d` (general category Nd) of `regex-syntax`. Unicode
/// assigns them only in runs of ten, zero to nine in order, so each range of the class starts at
/// a zero and a digit's value is its distance from that zero, modulo ten.
fn ascii_digit(c: char) -> Option<char> {
    static RANGES: OnceLock<Vec<(u32, u32)>> = OnceLock::new();
    let ranges = RANGES.get_or_init(decimal_digit_ranges);
    let c = c as u32;
    let i = ranges.partition_point(|&(_, end)| end < c);
    let &(start, end) = ranges.get(i)?;
    (start <= c && c <= end).then(|| char::from(b'0' + ((c - start) % 10) as u8))
}

/// The ranges of `\d` beyond ASCII, in order.
fn decimal_digit_ranges() -> Vec<(u32, u32)> {
    use regex_syntax::hir::{Class, HirKind};
    match regex_syntax::parse(r"\d").map(|h| h.into_kind()) {
        Ok(HirKind::Class(Class::Unicode(class))) => class
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .filter(|&(start, _)| start > 0x7F)
            .collect(),
        // `\d` always parses to a Unicode class; without one, digits are left as they are.
        _ => Vec::new(),
    }
}

thread_local! {
    /// Direct-mapped cache of [`fold_of`] for characters beyond ASCII: `c << 24 | kind << 21 |
    /// char` (0: empty).
    static FOLDS: [std::cell::Cell<u64>; 1024] =
        const { [const { std::cell::Cell::new(0) }; 1024] };
}

/// [`fold_of`] of a character beyond ASCII, cached per thread (decomposition and case lookups
/// cost hundreds of instructions per character of Thai, Vietnamese or CJK text).
fn cached_fold(c: char) -> Fold {
    let key = u64::from(c as u32) << 24;
    let slot = c as usize & 1023;
    let entry = FOLDS.with(|cache| cache[slot].get());
    if entry != 0 && entry & !0xFF_FFFF == key {
        let ch = || char::from_u32(entry as u32 & 0x1F_FFFF).unwrap_or(c);
        return match (entry >> 21) & 7 {
            1 => Fold::Space,
            2 => Fold::Keep,
            3 => Fold::Lower(ch()),
            4 => Fold::Mark(ch()),
            _ => Fold::Other,
        };
    }
    let fold = fold_of(c);
    let (kind, ch) = match fold {
        Fold::Space => (1, 0),
        Fold::Keep => (2, 0),
        Fold::Lower(l) => (3, l as u32),
        Fold::Mark(d) => (4, d as u32),
        Fold::Other => (5, 0),
    };
    FOLDS.with(|cache| cache[slot].set(key | kind << 21 | u64::from(ch)));
    fold
}

impl Normalizer {
    /// Step 4b: an emoji written for a word (`✈️ gratis`, `kerja di 🇰🇭`) is read as that word
    /// (`tiket gratis`, `kerja di kamboja`); every unit of the word maps back to the emoji.
    fn read_emoji(&self, units: Vec<Unit>) -> Vec<Unit> {
        // Every listed emoji lies at or above U+2700 (✈, flags, pictographs): most posts are
        // passed over without a hash lookup per character.
        let maybe = |c: char| c >= EMOJI_FLOOR && self.emoji.contains_key(&c);
        if !units.iter().any(|u| maybe(u.c)) {
            return units;
        }
        let mut out = Vec::with_capacity(units.len() + 16);
        let mut i = 0;
        while i < units.len() {
            let u = units[i];
            let next = units.get(i + 1).map(|n| n.c);
            let listed = if u.c >= EMOJI_FLOOR {
                self.emoji.get(&u.c)
            } else {
                None
            };
            let found = listed.and_then(|list| {
                list.iter()
                    .filter(|(second, _)| second.is_none() || *second == next)
                    .max_by_key(|(second, _)| second.is_some())
            });
            let Some((second, word)) = found else {
                out.push(u);
                i += 1;
                continue;
            };
            let len = 1 + usize::from(second.is_some());
            let (start, end) = (u.start, units[i + len - 1].end);
            let letter_before = out
                .last()
                .is_some_and(|p: &Unit| is_spaced_script_alnum(p.c));
            if letter_before {
                out.push(Unit { c: ' ', start, end });
            }
            out.extend(word.chars().map(|c| Unit { c, start, end }));
            if units
                .get(i + len)
                .is_some_and(|n| is_spaced_script_alnum(n.c))
            {
                out.push(Unit { c: ' ', start, end });
            }
            i += len;
        }
        out
    }
}

/// The text of `units`: their characters in order. Text of ASCII only is copied byte by byte
/// instead of being encoded character by character.
fn text_of(units: &[Unit]) -> String {
    if units.iter().all(|u| u.c.is_ascii()) {
        let bytes: Vec<u8> = units.iter().map(|u| u.c as u8).collect();
        if let Ok(text) = String::from_utf8(bytes) {
            return text;
        }
    }
    units.iter().map(|u| u.c).collect()
}

fn push_space(units: &mut Vec<Unit>, start: u32, end: u32) {
    if units.last().is_some_and(|u| u.c != ' ') {
        units.push(Unit { c: ' ', start, end });
    }
}

/// Characters that carry no visible text: zero-width characters, joiners, soft hyphens, bidi
/// controls, variation selectors, tags and the Hangul fillers.
fn is_ignorable(c: char) -> bool {
    // Nothing below the soft hyphen is ignorable: most characters leave at the first test.
    (c as u32) >= 0x00AD
        && matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5
        | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F
        | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Letters and digits of scripts that separate words with spaces (Latin, Greek, Cyrillic and
/// Vietnamese): lexicon matches in them must sit on word boundaries.
pub(crate) fn is_spaced_script_alnum(c: char) -> bool {
    // The range test first: the Unicode property lookup is slow for other scripts.
    is_spaced_script(c) && alphanumeric(c)
}

fn is_spaced_script_letter(c: char) -> bool {
    // Alphabetic implies alphanumeric.
    is_spaced_script(c) && alphabetic(c)
}

/// `c.is_alphabetic()`, with the answers for characters beyond ASCII cached per thread (the
/// Unicode property lookup costs hundreds of instructions for Thai, CJK or Hangul).
#[inline]
fn alphabetic(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        unicode_props(c) & PROP_ALPHABETIC != 0
    }
}

/// `c.is_alphanumeric()`, cached like [`alphabetic`].
#[inline]
fn alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        unicode_props(c) & PROP_ALPHANUMERIC != 0
    }
}

const PROP_ALPHABETIC: u32 = 1;
const PROP_ALPHANUMERIC: u32 = 2;

thread_local! {
    /// Direct-mapped cache of `(c << 2) | properties` for non-ASCII characters (0: empty).
    static PROPS: [std::cell::Cell<u32>; 1024] =
        const { [const { std::cell::Cell::new(0) }; 1024] };
}

/// [`PROP_ALPHABETIC`] and [`PROP_ALPHANUMERIC`] of a non-ASCII character.
fn unicode_props(c: char) -> u32 {
    let key = (c as u32) << 2;
    let slot = c as usize & 1023;
    let cached = PROPS.with(|cache| cache[slot].get());
    if cached & !3 == key {
        return cached & 3;
    }
    let mut props = 0;
    if c.is_alphabetic() {
        props |= PROP_ALPHABETIC;
    }
    if c.is_alphanumeric() {
        props |= PROP_ALPHANUMERIC;
    }
    PROPS.with(|cache| cache[slot].set(key | props));
    props
}

fn is_spaced_script(c: char) -> bool {
    (c as u32) < 0x0590 || ('\u{1E00}'..='\u{1FFF}').contains(&c)
}

fn leet_value(c: char) -> Option<char> {
    Some(match c {
        '4' | '@' => 'a',
        '3' => 'e',
        '1' | '!' => 'i',
        '0' => 'o',
        '5' | '$' => 's',
        '7' => 't',
        '|' => 'l',
        _ => return None,
    })
}

/// The words the normaliser knows: every word of the bundled lexicons and of the salary and fee
/// context lists (`data/lexicon/*.toml`, `data/money.toml`), lowercased, ASCII letters only.
/// Used to split a run of spaced letters that joins several words and to join a word split by a
/// dot or a hyphen: what an evader disguises is what a filter looks for.
fn vocabulary() -> &'static FxHashSet<Box<str>> {
    VOCABULARY.get_or_init(|| {
        // The bundled files are checked by the tests (and by the lexicon build, which reports
        // errors); a file that does not parse adds no words here.
        let tables: Vec<toml::Table> = crate::lexicon::LEXICON_FILES
            .iter()
            .filter_map(|(_, src)| toml::from_str(src).ok())
            .collect();
        vocabulary_of(&tables)
    })
}

static VOCABULARY: OnceLock<FxHashSet<Box<str>>> = OnceLock::new();

/// Builds the vocabulary (if no one has yet) from the lexicon files already parsed, all of them
/// in [`LEXICON_FILES`](crate::lexicon::LEXICON_FILES) order: the lexicon build parses them
/// anyway, so they are not parsed twice at start-up.
pub(crate) fn init_vocabulary(lexicon_tables: &[&toml::Table]) {
    VOCABULARY.get_or_init(|| vocabulary_of(lexicon_tables));
}

/// Sets the vocabulary (if no one has yet) to `words`: the words [`vocabulary_of`] gives for the
/// bundled files, generated from them (see `lexicon.rs`).
pub(crate) fn init_vocabulary_words(words: &[&str]) {
    VOCABULARY.get_or_init(|| words.iter().map(|&w| Box::from(w)).collect());
}

pub(crate) fn vocabulary_of<T: Borrow<toml::Table>>(lexicon_tables: &[T]) -> FxHashSet<Box<str>> {
    let mut words = FxHashSet::default();
    let money = toml::from_str::<toml::Table>(crate::extract::money::MONEY_TOML).ok();
    for table in lexicon_tables
        .iter()
        .map(Borrow::borrow)
        .chain(money.as_ref())
    {
        table.values().for_each(|v| collect_words(v, &mut words));
    }
    words
}

/// Adds the words of every string in `value`: lowercased, without apostrophes, split at every
/// character that is not an ASCII letter; one-letter words but `a` and `i` are left out.
fn collect_words(value: &toml::Value, words: &mut FxHashSet<Box<str>>) {
    match value {
        toml::Value::String(s) => {
            let mut word = String::new();
            let mut add = |word: &mut String| {
                if (word.len() > 1 || word == "a" || word == "i") && !words.contains(word.as_str())
                {
                    words.insert(word.as_str().into());
                }
                word.clear();
            };
            for c in s.chars() {
                if c.is_ascii_alphabetic() {
                    word.push(c.to_ascii_lowercase());
                } else if !matches!(c, '\'' | '’') {
                    add(&mut word);
                }
            }
            add(&mut word);
        }
        toml::Value::Array(items) => items.iter().for_each(|v| collect_words(v, words)),
        toml::Value::Table(t) => t.values().for_each(|v| collect_words(v, words)),
        _ => {}
    }
}

/// The longest word a joined run is split into, and the longest run that is split at all (the
/// split is quadratic in neither, but a bound keeps adversarial runs cheap).
const MAX_WORD: usize = 24;
const MAX_SPLIT_RUN: usize = 64;

/// Splits `letters` into the fewest known words; `None` when it is a word itself, too long,
/// or cannot be covered by known words. Returns the positions where a new word starts.
fn split_into_words(letters: &[char], vocab: &FxHashSet<Box<str>>) -> Option<Vec<usize>> {
    let n = letters.len();
    if !(2..=MAX_SPLIT_RUN).contains(&n) || !letters.iter().all(char::is_ascii_alphabetic) {
        return None;
    }
    let s: String = letters.iter().collect();
    if vocab.contains(s.as_str()) {
        return None;
    }
    // best[i]: fewest words covering s[..i], and where the last of them starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(MAX_WORD)..end {
            let Some((count, _)) = best[start] else {
                continue;
            };
            if vocab.contains(&s[start..end]) && best[end].is_none_or(|(c, _)| count + 1 < c) {
                best[end] = Some((count + 1, start));
            }
        }
    }
    let (count, _) = best[n]?;
    if count < 2 {
        return None;
    }
    let mut starts = Vec::with_capacity(count);
    let mut at = n;
    while at > 0 {
        let (_, start) = best[at]?;
        starts.push(start);
        at = start;
    }
    starts.reverse();
    Some(starts)
}

/// Step 5: `k a m b o j a`, `K.A.M.B.O.J.A`, `w.a` → `kamboja`, `wa`. A run is made of single
/// letters (or leetspeak digits) each standing alone between the same separator; runs joined by
/// spaces need three letters, runs joined by punctuation two. A run that is no known word but
/// splits into known words is split there (`c u s t o m e r s e r v i c e`): evaders space out
/// neighbouring words alike.
fn join_spaced_letters(units: Vec<Unit>, vocab: &FxHashSet<Box<str>>) -> Vec<Unit> {
    let n = units.len();
    let alnum = |i: usize| alphanumeric(units[i].c) || leet_value(units[i].c).is_some();
    // An `@` right before a letter begins a handle (`@d-u-b-a-i_hr`), not a leetspeak `a`
    // of the same word.
    let single = |i: usize| {
        (alphabetic(units[i].c) || leet_value(units[i].c).is_some())
            && (i == 0 || !alnum(i - 1) || units[i - 1].c == '@')
            && (i + 1 == n || !alnum(i + 1))
    };
    let starts_run = |i: usize| i + 2 < n && is_spaced_separator(units[i + 1].c) && single(i);
    // Every unit before the first run is copied as it is: most posts have no run at all and
    // are returned without a copy.
    let Some(first) = (0..n).find(|&i| starts_run(i)) else {
        return units;
    };
    let mut out = Vec::with_capacity(n);
    out.extend_from_slice(&units[..first]);
    let mut i = first;
    while i < n {
        if starts_run(i) {
            let sep = units[i + 1].c;
            let mut toks = vec![i];
            let mut k = i + 2;
            while k < n && single(k) {
                // In a run spaced by spaces, a letter followed by another separator begins the
                // next spaced word (`C u s t o m e r s-e-r-v-i-c-e`).
                let next_sep = units.get(k + 1).map(|u| u.c);
                if sep == ' '
                    && next_sep.is_some_and(|c| c != ' ' && is_spaced_separator(c))
                    && k + 2 < n
                    && single(k + 2)
                {
                    break;
                }
                toks.push(k);
                if k + 2 < n && units[k + 1].c == sep {
                    k += 2;
                } else {
                    break;
                }
            }
            // A digit ending the run is a number (`g a j i 1.000`), not a leetspeak letter. No
            // run starts at such a digit either: all of them are passed over at once below.
            let run_last = toks[toks.len() - 1];
            while toks.len() > 1 && !alphabetic(units[toks[toks.len() - 1]].c) {
                toks.pop();
            }
            // The run may start at any of its tokens (`1 1 1 a b c` joins `abc`): take the first
            // start that leaves enough letters. Deciding here for every start at once keeps the
            // step linear on long runs of digits (`1 1 1 1 …`).
            let min = if sep == ' ' { 3 } else { 2 };
            let mut letters = toks.iter().filter(|&&t| alphabetic(units[t].c)).count();
            let mut start = None;
            for j in 0..toks.len() {
                if letters >= min && letters * 2 > toks.len() - j {
                    start = Some(j);
                    break;
                }
                letters -= usize::from(alphabetic(units[toks[j]].c));
            }
            let last = toks[toks.len() - 1];
            let Some(j) = start else {
                out.extend_from_slice(&units[i..=run_last]);
                i = run_last + 1;
                continue;
            };
            out.extend_from_slice(&units[i..toks[j]]);
            let joined: Vec<Unit> = toks[j..]
                .iter()
                .map(|&t| {
                    let mut u = units[t];
                    if !alphabetic(u.c) {
                        u.c = leet_value(u.c).unwrap_or(u.c);
                    }
                    u
                })
                .collect();
            let letters: Vec<char> = joined.iter().map(|u| u.c).collect();
            let starts = split_into_words(&letters, vocab).unwrap_or_default();
            for (m, u) in joined.into_iter().enumerate() {
                if m > 0 && starts.contains(&m) {
                    // The separator before this letter stands for the space between words.
                    let sep = units[toks[j + m] - 1];
                    out.push(Unit { c: ' ', ..sep });
                }
                out.push(u);
            }
            out.extend_from_slice(&units[last + 1..=run_last]);
            i = run_last + 1;
            continue;
        }
        out.push(units[i]);
        i += 1;
    }
    out
}

/// Web suffixes after a dot: `wa.me`, `bit.ly`, `gmail.com` are addresses, not split words.
const WEB_SUFFIXES: [&str; 24] = [
    "com", "net", "org", "id", "me", "ly", "co", "io", "gov", "go", "ac", "info", "biz", "my",
    "vn", "th", "ph", "kh", "cn", "gl", "app", "sg", "to", "www",
];

/// Step 5b: a word split by one punctuation mark (`ga*ji`, `lu_ar`, `ker'ja`, `kam.boja`,
/// `ga-ji`) is joined. `*`, `_` and apostrophes always join (`don't` becomes `dont`, in the
/// lexicons too, which go through the same normaliser); a dot or a hyphen only when one side has
/// at most three letters, the two sides differ (`hati-hati`, `araw-araw` stay) and, for a dot,
/// neither is a web suffix (`kamboja.gaji` is a missing space, `wa.me` an address). Handles and
/// addresses are left alone (`@hr_lisa`, `x.com/ab_cd`). Whatever the mark and the lengths, a
/// split whose two sides make a known word is joined (`cust.omer`, `wi.th`, `8jt/bu.lan`,
/// `in*fo:`).
fn join_split_words(mut units: Vec<Unit>, vocab: &FxHashSet<Box<str>>) -> Vec<Unit> {
    let n = units.len();
    let letter = |u: &Unit| is_spaced_script_letter(u.c);
    let mut drop: Vec<usize> = Vec::new();
    let mut i = 1;
    while i + 1 < n {
        let p = units[i].c;
        if !matches!(p, '*' | '_' | '.' | '-' | '\'' | '’')
            || !letter(&units[i - 1])
            || !letter(&units[i + 1])
        {
            i += 1;
            continue;
        }
        let left_start = (0..i)
            .rev()
            .find(|&j| !letter(&units[j]))
            .map_or(0, |j| j + 1);
        let right_end = (i + 1..n).find(|&j| !letter(&units[j])).unwrap_or(n);
        let before = left_start.checked_sub(1).map(|j| units[j].c);
        let after = units.get(right_end).map(|u| u.c);
        let address = |c: Option<char>| {
            c.is_some_and(|c| alphanumeric(c) || matches!(c, '@' | '/' | ':' | '_' | '.' | '*'))
        };
        // `.`, `_` or `*` again, a digit, `@` or `/` around: an address or a handle.
        // A mark ending a sentence or a label (`vi.sa.`, `in*fo:`) is no part of an address.
        let closes =
            matches!(after, Some('.' | ':')) && units.get(right_end + 1).is_none_or(|u| u.c == ' ');
        let at_end = after.is_none_or(|c| !address(Some(c))) || closes;
        let known = || {
            let word: String = units[left_start..right_end]
                .iter()
                .enumerate()
                .filter(|&(k, _)| left_start + k != i)
                .map(|(_, u)| u.c)
                .collect();
            vocab.contains(word.as_str())
        };
        let mut join = !address(before) && at_end;
        if at_end && p != '_' && before.is_none_or(|c| c == '/') && !join {
            // After a slash (`8jt/bu.lan`): only a known word.
            join = known();
        } else if join && matches!(p, '.' | '-') && known() {
            // A known word: joined whatever its sides.
        } else if join && matches!(p, '.' | '-') {
            let left: String = units[left_start..i].iter().map(|u| u.c).collect();
            let right: String = units[i + 1..right_end].iter().map(|u| u.c).collect();
            let short = left.chars().count().min(right.chars().count()) <= 3;
            join = short && left != right;
            if p == '.' {
                join = join
                    && !WEB_SUFFIXES.contains(&right.as_str())
                    && !WEB_SUFFIXES.contains(&left.as_str());
            }
        }
        if join {
            drop.push(i);
        }
        i = right_end.max(i + 1);
    }
    if drop.is_empty() {
        return units;
    }
    // `drop` is ascending: remove those units, keeping the order of the others.
    let mut next_drop = drop.iter().copied().peekable();
    let mut k = 0;
    units.retain(|_| {
        let d = next_drop.peek() == Some(&k);
        if d {
            next_drop.next();
        }
        k += 1;
        !d
    });
    units
}

/// Step 6: a leetspeak character between two letters becomes the letter it imitates, unless the
/// letters after it are a unit ending the word (`gaji5jt`, `usd1k`; not `tid4k`); so do two
/// leetspeak digits in a row (`perusah44n`). A run of leetspeak digits ending a word becomes
/// letters when the word had another one folded already (`k4mboj4`), when two letters precede it
/// (`ad4`) or when it is two digits long (`v14`, `fr33`); not `S1`, `D3`, `covid19`.
fn fold_leetspeak(mut units: Vec<Unit>) -> Vec<Unit> {
    let n = units.len();
    let letter = |u: &Unit| is_spaced_script_letter(u.c);
    let leet_digit = |u: &Unit| u.c.is_ascii_digit() && leet_value(u.c).is_some();
    let mut folded_in_word = false;
    let mut i = 0;
    while i < n {
        let c = units[i].c;
        let Some(to) = leet_value(c) else {
            if folded_in_word && !alphanumeric(c) {
                folded_in_word = false;
            }
            i += 1;
            continue;
        };
        let prev_letter = i > 0 && letter(&units[i - 1]);
        if !prev_letter {
            folded_in_word = false;
            i += 1;
            continue;
        }
        // Two leetspeak digits in a row (`44`, `33`) fold together.
        let run = if leet_digit(&units[i]) && i + 1 < n && leet_digit(&units[i + 1]) {
            2
        } else {
            1
        };
        if i + run < n && units[i + run].c.is_ascii_digit() {
            // More digits follow: a number (`rp4000`, `wa0812`, `covid19`), not leetspeak.
            i += run;
            continue;
        }
        let next_letter = i + run < n && letter(&units[i + run]);
        let fold = if next_letter {
            let run_end = (i + run..n).find(|&j| !letter(&units[j])).unwrap_or(n);
            let after: String = units[i + run..run_end].iter().map(|u| u.c).collect();
            // Only the last few letters before matter (a handle prefix, an amount word): the
            // look-back is bounded so that a long word of leetspeak stays linear.
            let mut before: Vec<char> = units[..i]
                .iter()
                .rev()
                .take(8)
                .take_while(|u| letter(u))
                .map(|u| u.c)
                .collect();
            before.reverse();
            let before: String = before.into_iter().collect();
            // A unit only when it ends the word: `v1s4` is "visa", not 1 s.
            let word_goes_on = run_end < n && leet_digit(&units[run_end]);
            let short_unit = SHORT_UNITS.contains(&after.as_str());
            let unit_after = c.is_ascii_digit()
                && !word_goes_on
                && UNIT_WORDS.contains(&after.as_str())
                && (!short_unit || AMOUNT_PREFIXES.contains(&before.as_str()));
            let handle = c == '@'
                && (HANDLE_PREFIXES.contains(&before.as_str())
                    || before.chars().count() > 3
                    || is_email_domain(&units[run_end..]));
            let symbol_between_words = matches!(c, '!' | '|' | '$') && after.len() < 2;
            !unit_after && !handle && !symbol_between_words
        } else {
            let next_alnum = i + run < n && alphanumeric(units[i + run].c);
            let letters_before = (0..i)
                .rev()
                .take(2)
                .take_while(|&j| letter(&units[j]))
                .count();
            !next_alnum
                && (0..run).all(|k| leet_digit(&units[i + k]))
                && (folded_in_word || letters_before >= 2 || run == 2)
        };
        if fold {
            for k in 0..run {
                let u = &mut units[i + k];
                u.c = leet_value(u.c).unwrap_or(to);
            }
            folded_in_word = true;
        }
        i += run;
    }
    units
}

/// Whether the units after a letter run look like the rest of an e-mail domain (`.com`).
fn is_email_domain(rest: &[Unit]) -> bool {
    rest.len() >= 2 && rest[0].c == '.' && rest[1].c.is_ascii_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text_of` (a byte copy for ASCII) is the characters of the units collected.
    #[test]
    fn text_of_is_the_characters_collected() {
        let n = Normalizer::new();
        for text in [
            "",
            " ",
            "Kerja di Kamboja, gaji 12jt/bln! WA 0812",
            "k a m b o j a ✈️ gratis 🇰🇭",
            "lu\u{31b}\u{300}o\u{31b}ng 20 triệu ทำงานที่กัมพูชา 柬埔寨",
        ] {
            let units = n.units(text);
            let collected: String = units.iter().map(|u| u.c).collect();
            assert_eq!(text_of(&units), collected, "{text:?}");
            assert_eq!(n.normalize(text).as_str(), collected, "{text:?}");
        }
    }

    /// The cached folding of each character beyond ASCII (computed, then read from the cache)
    /// is that of `fold_char`: for every character, after a Latin letter, after another letter
    /// and after a space.
    #[test]
    fn cached_fold_is_fold_char() {
        let n = Normalizer::new();
        let plain = |units: &[Unit]| -> Vec<(char, u32, u32)> {
            units.iter().map(|u| (u.c, u.start, u.end)).collect()
        };
        let mut cached = 0;
        for c in ('\u{80}'..=char::MAX).filter(|&c| !is_ignorable(c)) {
            cached += usize::from(fold_of(c) != Fold::Other);
            for (before, latin) in [('x', true), ('\u{0e01}', false), (' ', false)] {
                let before = Unit {
                    c: before,
                    start: 0,
                    end: 1,
                };
                let (mut slow, mut slow_latin) = (vec![before], latin);
                n.fold_char(c, 1, 5, &mut slow_latin, &mut slow);
                for _ in 0..2 {
                    let (mut fast, mut fast_latin) = (vec![before], latin);
                    n.fold_char_cached(c, 1, 5, &mut fast_latin, &mut fast);
                    assert_eq!(plain(&fast), plain(&slow), "{c:?} U+{:04X}", c as u32);
                    assert_eq!(fast_latin, slow_latin, "{c:?} U+{:04X}", c as u32);
                }
            }
        }
        // Most characters take the cached path.
        assert!(cached > 500_000, "{cached}");
    }

    fn norm(s: &str) -> String {
        Normalizer::new().normalize(s).as_str().to_string()
    }

    /// The vocabulary is the set of words the first implementation collected: every string of
    /// the lexicon files and of `money.toml`, lowercased, apostrophes dropped, split at every
    /// character that is not an ASCII letter.
    #[test]
    fn vocabulary_is_the_words_of_the_data_files() {
        fn collect(value: &toml::Value, words: &mut std::collections::HashSet<String>) {
            match value {
                toml::Value::String(s) => {
                    let s = s.to_ascii_lowercase().replace(['\'', '’'], "");
                    for w in s.split(|c: char| !c.is_ascii_alphabetic()) {
                        if !w.is_empty() && (w.len() > 1 || w == "a" || w == "i") && w.is_ascii() {
                            words.insert(w.to_string());
                        }
                    }
                }
                toml::Value::Array(items) => items.iter().for_each(|v| collect(v, words)),
                toml::Value::Table(t) => t.values().for_each(|v| collect(v, words)),
                _ => {}
            }
        }
        let mut expected = std::collections::HashSet::new();
        let sources = crate::lexicon::LEXICON_FILES
            .iter()
            .map(|(_, src)| *src)
            .chain([crate::extract::money::MONEY_TOML]);
        for src in sources {
            let table = toml::from_str::<toml::Table>(src).unwrap();
            collect(&toml::Value::Table(table), &mut expected);
        }
        // Built lazily or handed the lexicon build's tables: the same words.
        let lexicon_tables: Vec<toml::Table> = crate::lexicon::LEXICON_FILES
            .iter()
            .map(|(_, src)| toml::from_str(src).unwrap())
            .collect();
        for built in [vocabulary(), &vocabulary_of(&lexicon_tables)] {
            let built: std::collections::HashSet<String> =
                built.iter().map(|w| w.to_string()).collect();
            assert!(built.len() > 1000);
            assert_eq!(built, expected);
        }
        // Words with apostrophes, digits and non-ASCII letters, the same way.
        let tricky: toml::Table = toml::from_str(
            r#"x = ["Don't stop", "l’offre", "gaji5jt/bulan", "Kamboja-Thailand", "a I b", "đi làm"]"#,
        )
        .unwrap();
        let mut expected = std::collections::HashSet::new();
        collect(&toml::Value::Table(tricky.clone()), &mut expected);
        let mut built = FxHashSet::default();
        tricky.values().for_each(|v| collect_words(v, &mut built));
        let built: std::collections::HashSet<String> =
            built.iter().map(|w| w.to_string()).collect();
        assert_eq!(built, expected);
    }

    #[test]
    fn folds_obfuscations() {
        let cases = [
            ("K4mb0ja", "kamboja"),
            ("k4mboj4", "kamboja"),
            ("K a m b o j a", "kamboja"),
            ("K.A.M.B.O.J.A", "kamboja"),
            ("K-a-m-b-o-j-a", "kamboja"),
            ("w.a 0812", "wa 0812"),
            ("C@mbodia.", "cambodia."),
            ("Ｋａｍｂｏｊａ", "kamboja"),
            ("Kаmbоjа", "kamboja"),
            ("Kam\u{200B}boja", "kamboja"),
            ("𝐊𝐚𝐦𝐛𝐨𝐣𝐚", "kamboja"),
            ("lương 20 triệu", "luong 20 trieu"),
            // Digits of other scripts read as ASCII digits, inside words as leetspeak too.
            ("เงินเดือน ๓๕,๐๐๐ บาท", "เงินเดือน 35,000 บาท"),
            ("ប្រាក់ខែ ១២០០ ដុល្លារ", "ប្រាក់ខែ 1200 ដុល្លារ"),
            ("လစာ ၁၅၀၀ ဒေါ်လာ", "လစာ 1500 ဒေါ်လာ"),
            ("gaji ٨ juta, USD १२००", "gaji 8 juta, usd 1200"),
            ("K๔mb๐ja", "kamboja"),
            ("lu\u{031B}\u{0300}o\u{031B}ng", "luong"),
            ("gaji5jt", "gaji5jt"),
            ("usd1k", "usd1k"),
            ("WA08123456789", "wa08123456789"),
            ("hr@gmail.com", "hr@gmail.com"),
            ("tg@hr_lisa", "tg@hr_lisa"),
            ("covid19", "covid19"),
            ("  many\n\n spaces\t", "many spaces"),
            ("캄보디아", "캄보디아"),
            ("柬 埔 寨", "柬埔寨"),
            ("Đà Nẵng", "da nang"),
            ("gratis!", "gratis!"),
            (
                "v1s4 t1k3t perusah44n fr33 ad4",
                "visa tiket perusahaan free ada",
            ),
            ("S1 D3 covid19 rp4000 top10", "s1 d3 covid19 rp4000 topio"),
            ("C u s t o m e r s-e-r-v-i-c-e", "customer service"),
            ("g a j i 1.000", "gaji 1.000"),
            ("1 1 1 1 a b c", "1 1 iiabc"),
            ("x 1 1 y", "x 1 1 y"),
            ("g a j i 1 2 3 4", "gaji 1 2 3 4"),
            ("tiket g r a t i s. G-R-A-T-I-S.", "tiket gratis. gratis."),
            // A spaced-out handle is joined behind its `@`.
            (
                "tele @d-u-b-a-i_hr 飞机 @d u b a i_kf",
                "tele @dubai_hr 飞机 @dubai_kf",
            ),
            (
                "tid4k kir1m tug4s w1th v14 l40s usd1k rm4k",
                "tidak kirim tugas with via laos usd1k rm4k",
            ),
            (
                "ga-ji ker'ja don't e-mail hati-hati senin-jumat rp8jt-rp15jt",
                "gaji kerja dont email hati-hati senin-jumat rp8jt-rp15jt",
            ),
            ("ga*ji lu_ar kam.boja vi.sa.", "gaji luar kamboja visa."),
            (
                "kamboja.gaji wa.me/62 bit.ly @hr_lisa hati-hati",
                "kamboja.gaji wa.me/62 bit.ly @hr_lisa hati-hati",
            ),
            (
                "hr.lisa@gmail.com x.com/ab_cd",
                "hr.lisa@gmail.com x.com/ab_cd",
            ),
            // Neighbouring spaced words are split where known words meet.
            ("c u s t o m e r s e r v i c e", "customer service"),
            ("k e r j a p a r u h w a k t u", "kerja paruh waktu"),
            ("g a j i t i n g g i", "gaji tinggi"),
            ("k a m b o j a", "kamboja"),
            ("x q z v", "xqzv"),
            // Split words whose halves make a known word, whatever the mark or lengths.
            (
                "cust.omer penga.laman camb.odia wi.th app.ly",
                "customer pengalaman cambodia with apply",
            ),
            (
                "in*fo: ga.ji: 8jt/bu.lan 2jt/ha'ri",
                "info: gaji: 8jt/bulan 2jt/hari",
            ),
            ("kerja.gaji wa.me bit.ly", "kerja.gaji wa.me bit.ly"),
            // Emoji written for words are read as the words.
            (
                "✈️ gratis, 🛂diurus, kerja di 🇰🇭🇮🇩 🙏 💰 💵",
                "tiket gratis, visa diurus, kerja di kamboja🇮🇩 🙏 gaji 💵",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(norm(input), want, "input {input:?}");
        }
    }

    /// Each range of `\d` beyond ASCII is whole runs of ten digits, zero first: what
    /// [`ascii_digit`] relies on (checked on the digits `char::to_digit` cannot read, against
    /// the zeros of the scripts of the region).
    #[test]
    fn decimal_digits_come_in_runs_of_ten() {
        let ranges = decimal_digit_ranges();
        assert!(ranges.len() > 50, "{} ranges", ranges.len());
        for &(start, end) in &ranges {
            assert_eq!((end - start + 1) % 10, 0, "{start:X}-{end:X}");
        }
        // Thai, Lao, Khmer, Myanmar, Devanagari, Bengali, Arabic-Indic, Extended Arabic-Indic,
        // Sinhala Lith, Balinese, Javanese and full-width zeros.
        for zero in [
            0x0E50, 0x0ED0, 0x17E0, 0x1040, 0x0966, 0x09E6, 0x0660, 0x06F0, 0x0DE6, 0x1B50, 0xA9D0,
            0xFF10,
        ] {
            for v in 0..10u32 {
                let c = char::from_u32(zero + v).unwrap();
                assert_eq!(ascii_digit(c), char::from_digit(v, 10), "{c:?}");
            }
        }
        for c in ['a', '5', 'ก', '十', '五', 'Ⅴ', '½', '²'] {
            assert_eq!(ascii_digit(c), None, "{c:?}");
        }
    }

    #[test]
    fn spans_map_back_to_original() {
        let n = Normalizer::new();
        let text = "Lowongan di Ｋ４ｍｂｏｊａ 🇰🇭 gaji";
        let out = n.normalize(text);
        let at = out.as_str().find("kamboja").unwrap();
        let (s, e) = out.original_span(at, at + "kamboja".len());
        assert_eq!(&text[s..e], "Ｋ４ｍｂｏｊａ");
        let text = "K a m b o j a";
        let out = n.normalize(text);
        assert_eq!(out.original_span(0, out.as_str().len()), (0, text.len()));
    }

    #[test]
    fn cached_properties_are_std() {
        // Twice, so that the second round reads the cache (and slots shared by characters
        // 1024 apart are overwritten in between).
        for _ in 0..2 {
            for c in (0x80u32..0x3_0000).step_by(7).filter_map(char::from_u32) {
                assert_eq!(alphabetic(c), c.is_alphabetic(), "{c:?}");
                assert_eq!(alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            }
        }
        for c in (0u32..0x80).filter_map(char::from_u32) {
            assert_eq!(alphabetic(c), c.is_alphabetic());
            assert_eq!(alphanumeric(c), c.is_alphanumeric());
            assert!(!is_ignorable(c));
        }
    }

    #[test]
    fn empty_and_blank() {
        assert_eq!(norm(""), "");
        assert_eq!(norm(" \n\u{200B} "), "");
        let out = Normalizer::new().normalize("");
        assert_eq!(out.original_span(0, 0), (0, 0));
    }

    #[test]
    fn bundled_homoglyph_table_is_valid() {
        Normalizer::from_toml(include_str!("../data/homoglyphs.toml")).unwrap();
        assert!(Normalizer::from_toml("[fold]\n\"ab\" = \"c\"").is_err());
    }
}
