//! Stage 3: features. Named signals (one value each, 0 or 1) plus hashed word and character
//! n-grams of the normalised text, as a sparse vector.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::extract::{RawEvidence, Record, SignalExtractor};
use crate::lexicon::{self, LexMatch};
use crate::normalize::{NORMALIZER_VERSION, Normalized, Normalizer};

/// Bumped whenever feature extraction changes meaning; part of the fingerprint.
pub(crate) const FEATURE_SCHEMA_VERSION: u32 = 2;

/// How n-grams are hashed into buckets.
///
/// Part of the feature specification: a model records the configuration it was trained with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NgramConfig {
    /// Number of hash buckets (a power of two).
    pub buckets: u32,
    /// Word n-gram sizes, smallest and largest (0, 0 to disable).
    pub word: (u8, u8),
    /// Character n-gram sizes over the normalised text, smallest and largest (0, 0 to disable).
    pub char: (u8, u8),
    /// Seed of the hash function.
    pub seed: u64,
}

impl Default for NgramConfig {
    fn default() -> Self {
        NgramConfig {
            buckets: 1 << 18,
            word: (1, 2),
            char: (3, 4),
            seed: 0x6c75_7265,
        }
    }
}

impl NgramConfig {
    fn validate(&self) -> Result<()> {
        if !self.buckets.is_power_of_two() || self.buckets < 16 {
            return Err(Error::model_format(format!(
                "n-gram buckets must be a power of two >= 16, got {}",
                self.buckets
            )));
        }
        if self.word.0 > self.word.1 || self.char.0 > self.char.1 || self.char.1 > 8 {
            return Err(Error::model_format("n-gram size ranges are out of order"));
        }
        Ok(())
    }
}

/// The feature vector of one post: named signal values and hashed n-gram buckets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// One value per named signal, in [`FeatureExtractor::signal_names`] order.
    pub signals: Vec<f32>,
    /// Sorted, distinct n-gram buckets present in the post, each with value 1 (the model
    /// weighs them by inverse document frequency and normalises the block).
    pub ngrams: Vec<(u32, f32)>,
}

/// Which n-gram buckets a caller needs: `None` for all of them, or a bitmap of those it needs
/// (one bit per bucket, as [`Model`](crate::model::Model) keeps the buckets it weighs). A
/// classifier needs only its model's buckets, whose weights are not zero: the others add
/// nothing to a logit, and skipping them as they are hashed saves marking, sorting and looking
/// them up.
pub(crate) type Keep<'a> = Option<&'a [u64]>;

/// Whether `keep` wants `bucket`.
#[inline(always)]
pub(crate) fn keeps(keep: Keep<'_>, bucket: u32) -> bool {
    keep.is_none_or(|k| {
        k.get((bucket >> 6) as usize)
            .is_some_and(|w| w & (1u64 << (bucket & 63)) != 0)
    })
}

/// Turns text into features: normalisation, signal extraction and n-gram hashing.
///
/// Built once (it compiles the lexicon automaton and the regexes), then used from any number of
/// threads. Most users never touch it: [`Classifier`](crate::Classifier) owns one.
///
/// # Example
/// ```
/// let fx = lurescan::FeatureExtractor::new();
/// let f = fx.extract("Gaji 12jt/bln, tiket pesawat gratis, kerja CS di K4mboja");
/// let names = fx.signal_names();
/// let fired: Vec<&str> = names.iter().zip(&f.signals)
///     .filter(|(_, v)| **v > 0.0).map(|(n, _)| *n).collect();
/// assert!(fired.contains(&"dest_cambodia"));
/// assert!(fired.contains(&"salary_high"));
/// ```
#[derive(Debug, Clone)]
pub struct FeatureExtractor {
    pub(crate) normalizer: Normalizer,
    pub(crate) signals: SignalExtractor,
    ngram: NgramConfig,
    fingerprint: String,
}

/// How [`FeatureExtractor::features_with`] finds the signals of a text.
enum Signals<'a> {
    /// By extraction, recording what its windows can reuse if asked to.
    Extract(Option<&'a mut Record>),
    /// From the record of the whole text the part is cut from.
    Replay(&'a Record),
}

/// Everything the pipeline learns about one post, kept for explanations.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    pub normalized: Normalized,
    pub fired: Vec<bool>,
    pub evidence: Vec<RawEvidence>,
    pub features: Features,
}

impl Default for FeatureExtractor {
    fn default() -> Self {
        FeatureExtractor::new()
    }
}

impl FeatureExtractor {
    /// The extractor with the bundled lexicons and the default n-gram configuration.
    ///
    /// # Panics
    /// Never with the data bundled in a release (the test suite builds it); a panic here means
    /// a data file was broken at build time.
    pub fn new() -> Self {
        Self::with_ngrams(NgramConfig::default()).expect("bundled lexicon data is valid")
    }

    /// The extractor with the bundled lexicons and another n-gram configuration.
    pub fn with_ngrams(ngram: NgramConfig) -> Result<Self> {
        ngram.validate()?;
        let normalizer = Normalizer::new();
        let signals = SignalExtractor::build(lexicon::load_signals()?, &normalizer)?;
        // The default configuration's fingerprint is generated with the lexicon table (from the
        // same data files; a test checks it is the one computed here).
        let fingerprint = match lexicon::generated_default_fingerprint() {
            Some(f) if ngram == NgramConfig::default() => f.to_string(),
            _ => fingerprint(signals.signals.len(), &ngram),
        };
        Ok(FeatureExtractor {
            normalizer,
            signals,
            ngram,
            fingerprint,
        })
    }

    /// The names of the signal features, in feature order.
    pub fn signal_names(&self) -> Vec<&str> {
        self.signals
            .signals
            .iter()
            .map(|s| s.name.as_str())
            .collect()
    }

    /// The one-line description of each signal, in feature order.
    pub fn signal_descriptions(&self) -> Vec<&str> {
        self.signals
            .signals
            .iter()
            .map(|s| s.description.as_str())
            .collect()
    }

    /// The n-gram configuration.
    pub fn ngram_config(&self) -> &NgramConfig {
        &self.ngram
    }

    /// A fingerprint of the whole feature specification: signal list, lexicons, money and
    /// contact tables, normaliser and n-gram configuration. A model records the fingerprint it
    /// was trained with and is refused by an extractor with another.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Extracts the features of `text`.
    pub fn extract(&self, text: &str) -> Features {
        self.extract_kept(text, None)
    }

    /// [`Self::extract`], with only the n-gram buckets in `keep`.
    pub(crate) fn extract_kept(&self, text: &str, keep: Keep<'_>) -> Features {
        // The features need the normalised text only, not its map back to the original.
        let normalized = self.normalizer.normalize_text(text);
        self.features_of_part(&normalized, None, 0..normalized.len(), keep)
    }

    /// The features of `normalized[part]` as a text of its own, its n-grams read from the
    /// [`GramTable`] of `normalized` (if given) when they can be: what [`Self::extract`]
    /// returns for a text whose normalisation is `&normalized[part]`.
    pub(crate) fn features_of_part(
        &self,
        normalized: &str,
        table: Option<&GramTable>,
        part: Range<usize>,
        keep: Keep<'_>,
    ) -> Features {
        self.features_with(normalized, table, part, Signals::Extract(None), keep)
    }

    /// [`Self::features_of_part`] of the whole of `normalized`, also recording in `record` what
    /// the signal extraction of its windows can reuse.
    pub(crate) fn features_recorded(
        &self,
        normalized: &str,
        table: Option<&GramTable>,
        record: &mut Record,
        keep: Keep<'_>,
    ) -> Features {
        let all = 0..normalized.len();
        self.features_with(normalized, table, all, Signals::Extract(Some(record)), keep)
    }

    /// [`Self::features_of_part`], the signals read off the `record` of `normalized` made by
    /// [`Self::features_recorded`] where [`Record::can_replay`] allows it.
    pub(crate) fn features_of_window(
        &self,
        normalized: &str,
        table: Option<&GramTable>,
        part: Range<usize>,
        record: &Record,
        keep: Keep<'_>,
    ) -> Features {
        let signals = if record.can_replay(normalized, &part) {
            Signals::Replay(record)
        } else {
            Signals::Extract(None)
        };
        self.features_with(normalized, table, part, signals, keep)
    }

    fn features_with(
        &self,
        normalized: &str,
        table: Option<&GramTable>,
        part: Range<usize>,
        signals: Signals<'_>,
        keep: Keep<'_>,
    ) -> Features {
        let text = &normalized[part.clone()];
        let mut fired = vec![false; self.signals.signals.len()];
        let mut scratch: Vec<LexMatch> = Vec::new();
        match signals {
            Signals::Extract(record) => {
                // The features need which signals fired, not their evidence.
                self.signals
                    .extract_recorded(text, &mut fired, None, &mut scratch, record);
            }
            Signals::Replay(record) => {
                self.signals.fired_in_part(
                    normalized,
                    part.clone(),
                    record,
                    &mut fired,
                    &mut scratch,
                );
            }
        }
        let signals = fired.iter().map(|&f| if f { 1.0 } else { 0.0 }).collect();
        let ngrams = table
            .and_then(|table| self.ngrams_in(table, normalized, part, keep))
            .unwrap_or_else(|| self.ngrams_kept(text, keep));
        Features { signals, ngrams }
    }

    /// Whether `features` fire `warning_context`.
    pub(crate) fn warns(&self, features: &Features) -> bool {
        features.signals[self.signals.warning_context()] > 0.0
    }

    pub(crate) fn analyze(&self, text: &str) -> Analysis {
        let normalized = self.normalizer.normalize(text);
        let mut fired = vec![false; self.signals.signals.len()];
        let mut evidence = Vec::new();
        let mut scratch: Vec<LexMatch> = Vec::new();
        self.signals
            .extract(normalized.as_str(), &mut fired, &mut evidence, &mut scratch);
        let signals = fired.iter().map(|&f| if f { 1.0 } else { 0.0 }).collect();
        let ngrams = self.ngrams(normalized.as_str());
        Analysis {
            normalized,
            fired,
            evidence,
            features: Features { signals, ngrams },
        }
    }

    /// Signal extraction alone on already normalised text (for the stage benchmarks): which
    /// signals fired and how many pieces of evidence were found.
    pub(crate) fn analyze_normalized(&self, normalized: &str) -> (Vec<bool>, usize) {
        let mut fired = vec![false; self.signals.signals.len()];
        let mut evidence = Vec::new();
        let mut scratch: Vec<LexMatch> = Vec::new();
        self.signals
            .extract(normalized, &mut fired, &mut evidence, &mut scratch);
        (fired, evidence.len())
    }

    /// Hashed n-grams of normalised text: distinct buckets, each with value 1.
    pub(crate) fn ngrams(&self, text: &str) -> Vec<(u32, f32)> {
        self.ngrams_kept(text, None)
    }

    /// [`Self::ngrams`], only the buckets in `keep`.
    fn ngrams_kept(&self, text: &str, keep: Keep<'_>) -> Vec<(u32, f32)> {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.ngrams_with(text, &mut scratch, keep),
            Err(_) => self.ngrams_with(text, &mut Scratch::default(), keep),
        })
    }

    /// [`FeatureExtractor::ngrams`] with buffers reused from call to call.
    ///
    /// The buckets are those of xxh3 (seeded by `seed ^ tag`) over the bytes of each gram: a
    /// word n-gram is its words joined by single spaces, a character n-gram is `n` characters
    /// of the text with whitespace runs made single spaces and a space added at both ends.
    fn ngrams_with(&self, text: &str, scratch: &mut Scratch, keep: Keep<'_>) -> Vec<(u32, f32)> {
        let cfg = &self.ngram;
        let mask = cfg.buckets - 1;
        let Scratch {
            words,
            buf,
            compact,
            bounds,
            buckets,
            seen,
        } = scratch;
        buckets.clear();
        // Default bucket counts: every gram's bucket is marked in the bitset straight away.
        let bitset = cfg.buckets <= BITSET_MAX_BUCKETS;
        let nwords = if bitset { seen.fit(cfg.buckets) } else { 0 };
        let mut sink = Sink {
            mask,
            keep,
            bitset,
            distinct: 0,
            bits: &mut seen.bits[..nwords],
            summary: &mut seen.summary[..nwords.div_ceil(64)],
            buckets,
        };

        if cfg.word.1 > 0 {
            words.clear();
            word_ranges(text, words);
            let bytes = text.as_bytes();
            for n in cfg.word.0.max(1)..=cfg.word.1 {
                let hasher = Xxh3Short::new(cfg.seed ^ n as u64);
                let n = n as usize;
                for w in words.windows(n) {
                    sink.add(hasher.hash(word_gram(bytes, w, buf)));
                }
            }
        }
        if cfg.char.1 > 0 {
            // Letters, digits, punctuation and emoji (lures' style: "!!!", "💰", "✈"), with
            // whitespace (already single spaces) kept, padded with spaces.
            let ascii = compact_text(text, compact);
            let (lo, hi) = (cfg.char.0.max(1) as usize, cfg.char.1 as usize);
            let cb = &compact[..];
            if ascii {
                // One byte per character.
                for n in lo..=hi {
                    let hasher = Xxh3Short::new(cfg.seed ^ (0x100 + n as u64));
                    byte_grams(cb, n, &hasher, &mut sink);
                }
            } else {
                // The start of every character, and the end of the text.
                bounds.clear();
                bounds.extend(
                    cb.iter()
                        .enumerate()
                        .filter(|&(_, &b)| (b as i8) >= -0x40)
                        .map(|(i, _)| i as u32),
                );
                bounds.push(cb.len() as u32);
                for n in lo..=hi {
                    let hasher = Xxh3Short::new(cfg.seed ^ (0x100 + n as u64));
                    for w in bounds.windows(n + 1) {
                        let (s, e) = (w[0] as usize, w[n] as usize);
                        // `compact` holds no whitespace but single spaces, so only a
                        // one-character gram can be blank (this was `gram.trim().is_empty()`).
                        if n == 1 && cb[s] == b' ' {
                            continue;
                        }
                        sink.add(hasher.hash(&cb[s..e]));
                    }
                }
            }
        }
        if bitset {
            drain_bits(sink.bits, sink.summary, sink.distinct)
        } else {
            sorted_distinct(buckets, cfg.buckets, seen)
        }
    }
}

/// The n-gram buckets of one normalised text gram by gram, so that the n-grams of any part of
/// it cut at spaces (a window of a long post) are read off instead of hashed again.
///
/// A part that starts after a space (or at the start) with a printable ASCII character and
/// ends before a space (or at the end) after one has, as its own text, exactly the grams of
/// the whole text that lie in it: UAX #29 breaks between a space and such a character and
/// looks across neither, the words of the part are the whole text's words inside it, and its
/// character-gram text (a space, the part, a space) is a piece of the whole text's.
pub(crate) struct GramTable {
    /// The length of the text.
    len: usize,
    /// The byte ranges of the words of the text.
    words: Vec<(usize, usize)>,
    /// For each word n-gram size, smallest first, the bucket of the gram starting at each word
    /// ([`BLANK`] for a gram outside the table's `keep`).
    word_buckets: Vec<Vec<u32>>,
    /// For each byte of the text, the character of the character-gram text it went to (a
    /// whitespace byte: the space its run became).
    char_of: Vec<u32>,
    /// The number of characters of the character-gram text.
    nchars: usize,
    /// For each character n-gram size, smallest first, the bucket of the gram starting at each
    /// character ([`BLANK`] for a blank one-character gram, which is not counted, and for a
    /// gram outside the table's `keep`).
    char_buckets: Vec<Vec<u32>>,
}

/// The text of the word n-gram `w` (byte ranges of consecutive words in `bytes`): the words
/// joined by single spaces. Words separated by exactly one space are already joined in the
/// text, so most grams are a slice of it; the others are built in `buf`.
fn word_gram<'a>(bytes: &'a [u8], w: &[(usize, usize)], buf: &'a mut Vec<u8>) -> &'a [u8] {
    let (first, last) = (w[0], w[w.len() - 1]);
    if w.windows(2).all(|p| &bytes[p[0].1..p[1].0] == b" ") {
        return &bytes[first.0..last.1];
    }
    buf.clear();
    for (i, &(s, e)) in w.iter().enumerate() {
        if i > 0 {
            buf.push(b' ');
        }
        buf.extend_from_slice(&bytes[s..e]);
    }
    buf
}

/// The bucket of no gram (buckets are below 2³¹).
const BLANK: u32 = u32::MAX;

impl FeatureExtractor {
    /// The [`GramTable`] of normalised text, its grams outside `keep` recorded as [`BLANK`]
    /// (so that the parts read off it skip them without looking them up again). Parts read off
    /// it must be read with the same `keep`.
    pub(crate) fn gram_table(&self, text: &str, keep: Keep<'_>) -> GramTable {
        let cfg = &self.ngram;
        let mask = cfg.buckets - 1;
        let kept = |b: u32| if keeps(keep, b) { b } else { BLANK };
        let bytes = text.as_bytes();
        let mut table = GramTable {
            len: text.len(),
            words: Vec::new(),
            word_buckets: Vec::new(),
            char_of: Vec::with_capacity(text.len()),
            nchars: 0,
            char_buckets: Vec::new(),
        };
        if cfg.word.1 > 0 {
            word_ranges(text, &mut table.words);
            let words = &table.words;
            let mut buf = Vec::new();
            for n in cfg.word.0.max(1)..=cfg.word.1 {
                let hasher = Xxh3Short::new(cfg.seed ^ n as u64);
                let n = n as usize;
                let grams = words
                    .windows(n)
                    .map(|w| kept(hasher.hash(word_gram(bytes, w, &mut buf)) as u32 & mask));
                table.word_buckets.push(grams.collect());
            }
        }
        if cfg.char.1 > 0 {
            let mut compact = Vec::new();
            compact_text(text, &mut compact);
            // Which character of `compact` each byte went to, by the rules of `compact_text`:
            // character 0 is the leading space, a whitespace run is one space.
            let mut next = 1u32;
            let mut last_space = true;
            for c in text.chars() {
                let at = if c.is_whitespace() {
                    if !last_space {
                        next += 1;
                        last_space = true;
                    }
                    next - 1
                } else {
                    next += 1;
                    last_space = false;
                    next - 1
                };
                table.char_of.extend(std::iter::repeat_n(at, c.len_utf8()));
            }
            let mut bounds: Vec<u32> = compact
                .iter()
                .enumerate()
                .filter(|&(_, &b)| (b as i8) >= -0x40)
                .map(|(i, _)| i as u32)
                .collect();
            table.nchars = bounds.len();
            bounds.push(compact.len() as u32);
            let (lo, hi) = (cfg.char.0.max(1) as usize, cfg.char.1 as usize);
            for n in lo..=hi {
                let hasher = Xxh3Short::new(cfg.seed ^ (0x100 + n as u64));
                let grams = bounds.windows(n + 1).map(|w| {
                    let (s, e) = (w[0] as usize, w[n] as usize);
                    if n == 1 && compact[s] == b' ' {
                        BLANK
                    } else {
                        kept(hasher.hash(&compact[s..e]) as u32 & mask)
                    }
                });
                table.char_buckets.push(grams.collect());
            }
        }
        table
    }

    /// The n-grams of `text[part]`, read from the [`GramTable`] of `text`: what
    /// [`FeatureExtractor::ngrams`] gives for `&text[part]`. `None` unless the part is not
    /// empty, starts at the start or after a space with a printable ASCII character, and ends
    /// at the end or before a space after one.
    pub(crate) fn ngrams_in(
        &self,
        table: &GramTable,
        text: &str,
        part: Range<usize>,
        keep: Keep<'_>,
    ) -> Option<Vec<(u32, f32)>> {
        let b = text.as_bytes();
        let (x, y) = (part.start, part.end);
        if table.len != b.len() || x >= y || y > b.len() {
            return None;
        }
        let starts_ok = x == 0 || (b[x - 1] == b' ' && b[x].is_ascii_graphic());
        let ends_ok = y == b.len() || (b[y] == b' ' && b[y - 1].is_ascii_graphic());
        if !starts_ok || !ends_ok {
            return None;
        }
        let cfg = &self.ngram;
        let run = |scratch: &mut Scratch| {
            let Scratch { buckets, seen, .. } = scratch;
            buckets.clear();
            let bitset = cfg.buckets <= BITSET_MAX_BUCKETS;
            let nwords = if bitset { seen.fit(cfg.buckets) } else { 0 };
            let mut sink = Sink {
                mask: cfg.buckets - 1,
                keep,
                bitset,
                distinct: 0,
                bits: &mut seen.bits[..nwords],
                summary: &mut seen.summary[..nwords.div_ceil(64)],
                buckets,
            };
            if cfg.word.1 > 0 {
                let first = table.words.partition_point(|w| w.0 < x);
                let end = table.words.partition_point(|w| w.1 <= y);
                for (n, grams) in (cfg.word.0.max(1) as usize..).zip(&table.word_buckets) {
                    if end >= first + n {
                        for &g in &grams[first..=end - n] {
                            if g != BLANK {
                                sink.add(u64::from(g));
                            }
                        }
                    }
                }
            }
            if cfg.char.1 > 0 {
                let from = if x == 0 {
                    0
                } else {
                    table.char_of[x - 1] as usize
                };
                let to = if y == b.len() {
                    table.nchars
                } else {
                    table.char_of[y] as usize + 1
                };
                for (n, grams) in (cfg.char.0.max(1) as usize..).zip(&table.char_buckets) {
                    if to >= from + n {
                        for &g in &grams[from..=to - n] {
                            if g != BLANK {
                                sink.add(u64::from(g));
                            }
                        }
                    }
                }
            }
            if bitset {
                drain_bits(sink.bits, sink.summary, sink.distinct)
            } else {
                sorted_distinct(buckets, cfg.buckets, seen)
            }
        };
        Some(SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => run(&mut scratch),
            Err(_) => run(&mut Scratch::default()),
        }))
    }
}

/// Writes the text of the character n-grams of `text` to `out`: a space, then `text` with every
/// run of whitespace (`char::is_whitespace`) made one space, then a space unless the text ends
/// with one already. Returns whether what it wrote is all ASCII.
fn compact_text(text: &str, out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve(text.len() + 2);
    out.push(b' ');
    let mut last_space = true;
    let mut ascii = true;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            // ASCII whitespace by `char::is_whitespace`: tab, LF, VT, FF, CR, space.
            if matches!(x, b'\t'..=b'\r' | b' ') {
                if !last_space {
                    out.push(b' ');
                    last_space = true;
                }
            } else {
                out.push(x);
                last_space = false;
            }
            i += 1;
            continue;
        }
        let len = if x >= 0xF0 {
            4
        } else if x >= 0xE0 {
            3
        } else {
            2
        };
        // Only U+0085, U+00A0 (lead byte C2), U+1680 (E1), U+2000–U+205F (E2) and U+3000 (E3)
        // are whitespace beyond ASCII.
        let space = matches!(x, 0xC2 | 0xE1 | 0xE2 | 0xE3)
            && text[i..].chars().next().is_some_and(char::is_whitespace);
        if space {
            if !last_space {
                out.push(b' ');
                last_space = true;
            }
        } else {
            out.extend_from_slice(&b[i..i + len]);
            last_space = false;
            ascii = false;
        }
        i += len;
    }
    if !last_space {
        out.push(b' ');
    }
    ascii
}

/// Pushes the bucket of every `n`-byte window of `b` (but blank one-byte grams), with the
/// common lengths hashed by code specialised for them.
fn byte_grams(b: &[u8], n: usize, hasher: &Xxh3Short, sink: &mut Sink<'_>) {
    fn fixed<const N: usize>(b: &[u8], hasher: &Xxh3Short, sink: &mut Sink<'_>) {
        for gram in b.windows(N) {
            // Only a one-character gram can be blank.
            if N == 1 && gram[0] == b' ' {
                continue;
            }
            sink.add(hasher.hash(&gram[..N]));
        }
    }
    match n {
        1 => fixed::<1>(b, hasher, sink),
        2 => fixed::<2>(b, hasher, sink),
        3 => fixed::<3>(b, hasher, sink),
        4 => fixed::<4>(b, hasher, sink),
        5 => fixed::<5>(b, hasher, sink),
        6 => fixed::<6>(b, hasher, sink),
        _ => {
            for gram in b.windows(n) {
                sink.add(hasher.hash(gram));
            }
        }
    }
}

/// Where the bucket of every gram goes: marked in the two-level bitset of [`Seen`] (bucket
/// counts up to [`BITSET_MAX_BUCKETS`]), or pushed to a vector sorted and deduplicated after.
struct Sink<'a> {
    mask: u32,
    /// Only these buckets are wanted.
    keep: Keep<'a>,
    bitset: bool,
    /// The number of distinct buckets marked in the bitset.
    distinct: usize,
    bits: &'a mut [u64],
    summary: &'a mut [u64],
    buckets: &'a mut Vec<u32>,
}

impl Sink<'_> {
    #[inline(always)]
    fn add(&mut self, hash: u64) {
        let b = hash as u32 & self.mask;
        if !keeps(self.keep, b) {
            return;
        }
        if self.bitset {
            let (w, bit) = ((b >> 6) as usize, 1u64 << (b & 63));
            self.distinct += usize::from(self.bits[w] & bit == 0);
            self.bits[w] |= bit;
            self.summary[w >> 6] |= 1u64 << (w & 63);
        } else {
            self.buckets.push(b);
        }
    }
}

/// Buffers of [`FeatureExtractor::ngrams`], kept per thread between posts.
#[derive(Default)]
struct Scratch {
    /// Byte ranges of the words of the text.
    words: Vec<(usize, usize)>,
    /// A word n-gram whose words are not separated by exactly one space in the text.
    buf: Vec<u8>,
    /// The text for character n-grams.
    compact: Vec<u8>,
    /// The byte offset of every character of `compact`, and its length.
    bounds: Vec<u32>,
    /// The bucket of every gram, repeats included.
    buckets: Vec<u32>,
    seen: Seen,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// `xxh3_64_with_seed` for one seed, with the seed's mixing constants computed once: inputs of
/// 1 to 16 bytes (character n-grams, most words) are hashed inline, others by the library.
#[derive(Debug, Clone, Copy)]
struct Xxh3Short {
    seed: u64,
    /// 1–3 bytes.
    flip_1to3: u64,
    /// 4–8 bytes.
    flip_4to8: u64,
    /// 9–16 bytes.
    flip_9to16: (u64, u64),
}

/// The first 56 bytes of xxh3's default secret (`kSecret`), the part inputs of up to 16
/// bytes use.
const XXH3_SECRET: [u8; 56] = [
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e,
];

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

impl Xxh3Short {
    fn new(seed: u64) -> Self {
        let s = &XXH3_SECRET;
        let seed48 = seed ^ (u64::from((seed as u32).swap_bytes()) << 32);
        Xxh3Short {
            seed,
            flip_1to3: u64::from(le32(s, 0) ^ le32(s, 4)).wrapping_add(seed),
            flip_4to8: (le64(s, 8) ^ le64(s, 16)).wrapping_sub(seed48),
            flip_9to16: (
                (le64(s, 24) ^ le64(s, 32)).wrapping_add(seed),
                (le64(s, 40) ^ le64(s, 48)).wrapping_sub(seed),
            ),
        }
    }

    /// The same value as `xxh3_64_with_seed(input, seed)`.
    #[inline(always)]
    fn hash(&self, input: &[u8]) -> u64 {
        let len = input.len();
        match len {
            1..=3 => {
                let combo = u32::from(input[0]) << 16
                    | u32::from(input[len >> 1]) << 24
                    | u32::from(input[len - 1])
                    | (len as u32) << 8;
                xxh64_avalanche(u64::from(combo) ^ self.flip_1to3)
            }
            4..=8 => {
                let lo = u64::from(le32(input, 0));
                let hi = u64::from(le32(input, len - 4));
                let keyed = hi.wrapping_add(lo << 32) ^ self.flip_4to8;
                xxh3_rrmxmx(keyed, len as u64)
            }
            9..=16 => {
                let lo = le64(input, 0) ^ self.flip_9to16.0;
                let hi = le64(input, len - 8) ^ self.flip_9to16.1;
                let product = u128::from(lo) * u128::from(hi);
                let acc = (len as u64)
                    .wrapping_add(lo.swap_bytes())
                    .wrapping_add(hi)
                    .wrapping_add(product as u64 ^ (product >> 64) as u64);
                xxh3_avalanche(acc)
            }
            _ => xxh3_64_with_seed(input, self.seed),
        }
    }
}

fn xxh64_avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h ^= h >> 29;
    h = h.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^ (h >> 32)
}

fn xxh3_avalanche(mut h: u64) -> u64 {
    h ^= h >> 37;
    h = h.wrapping_mul(0x1656_6791_9E37_79F9);
    h ^ (h >> 32)
}

fn xxh3_rrmxmx(mut h: u64, len: u64) -> u64 {
    h ^= h.rotate_left(49) ^ h.rotate_left(24);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^= (h >> 35).wrapping_add(len);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^ (h >> 28)
}

/// Whitespace for the word segmentation shortcut: the ASCII characters after which UAX #29
/// always breaks before an ASCII character that is not one of them (space, tab, LF, VT, FF,
/// CR), and before which it always breaks.
fn is_ascii_break_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The byte ranges of `text.unicode_words()`, in order.
///
/// UAX #29 always breaks between ASCII whitespace and a following ASCII character that is not
/// whitespace, and none of its rules looks across whitespace: the text is cut there into
/// chunks, each segmented alone. Chunks of ASCII only are segmented here (the rules of
/// UAX #29 restricted to ASCII); the others by unicode-segmentation.
fn word_ranges(text: &str, out: &mut Vec<(usize, usize)>) {
    let b = text.as_bytes();
    let mut start = 0;
    let mut ascii = true;
    for i in 0..b.len() {
        let c = b[i];
        if c >= 0x80 {
            ascii = false;
        } else if is_ascii_break_space(c)
            && b.get(i + 1)
                .is_some_and(|&d| d < 0x80 && !is_ascii_break_space(d))
        {
            chunk_words(text, start, i + 1, ascii, out);
            start = i + 1;
            ascii = true;
        }
    }
    chunk_words(text, start, b.len(), ascii, out);
}

fn chunk_words(text: &str, start: usize, end: usize, ascii: bool, out: &mut Vec<(usize, usize)>) {
    if ascii {
        ascii_words(&text.as_bytes()[start..end], start, out);
    } else {
        let chunk = &text[start..end];
        let base = chunk.as_ptr() as usize;
        out.extend(
            chunk
                .split_word_bounds()
                .filter(|w| has_alphanumeric(w))
                .map(|w| {
                    let s = start + (w.as_ptr() as usize - base);
                    (s, s + w.len())
                }),
        );
    }
}

/// Word classes of UAX #29 for ASCII that matter for words (the others break on both sides).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wb {
    Letter,
    Number,
    /// `_` (ExtendNumLet).
    Underscore,
    Other,
}

fn wb(c: u8) -> Wb {
    match c {
        b'a'..=b'z' | b'A'..=b'Z' => Wb::Letter,
        b'0'..=b'9' => Wb::Number,
        b'_' => Wb::Underscore,
        _ => Wb::Other,
    }
}

/// The words (UAX #29 segments with a letter or digit) of ASCII text `b`, offset by `base`.
///
/// Letters, digits and `_` always join (WB5, WB8–WB10, WB13a/b); `:` `.` `'` join two letters
/// (WB6/7); `,` `;` `.` `'` join two digits (WB11/12); everything else breaks.
fn ascii_words(b: &[u8], base: usize, out: &mut Vec<(usize, usize)>) {
    let n = b.len();
    let mut i = 0;
    while i < n {
        let first = wb(b[i]);
        if first == Wb::Other {
            i += 1;
            continue;
        }
        let start = i;
        let mut last = first;
        let mut alnum = first != Wb::Underscore;
        i += 1;
        while i < n {
            let next = wb(b[i]);
            if next != Wb::Other {
                last = next;
                alnum |= next != Wb::Underscore;
                i += 1;
                continue;
            }
            let after = b.get(i + 1).map_or(Wb::Other, |&c| wb(c));
            let mid_letter =
                last == Wb::Letter && after == Wb::Letter && matches!(b[i], b':' | b'.' | b'\'');
            let mid_number = last == Wb::Number
                && after == Wb::Number
                && matches!(b[i], b',' | b';' | b'.' | b'\'');
            if mid_letter || mid_number {
                i += 2;
                continue;
            }
            break;
        }
        if alnum {
            out.push((base + start, base + i));
        }
    }
}

/// Whether a word has an alphanumeric character, by the definition of `unicode_words` (the
/// tables of unicode-segmentation, which may be of another Unicode version than std's).
fn has_alphanumeric(word: &str) -> bool {
    word.chars().any(|c| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            is_alphanumeric_cached(c)
        }
    })
}

thread_local! {
    /// Direct-mapped cache of `(c << 1) | alphanumeric` for non-ASCII characters (0: empty).
    static ALNUM: [std::cell::Cell<u32>; 1024] =
        const { [const { std::cell::Cell::new(0) }; 1024] };
}

fn is_alphanumeric_cached(c: char) -> bool {
    let key = (c as u32) << 1;
    let slot = c as usize & 1023;
    let hit = ALNUM.with(|cache| {
        let v = cache[slot].get();
        (v & !1 == key).then_some(v & 1 == 1)
    });
    hit.unwrap_or_else(|| {
        // For one character, `unicode_words` yields it exactly when it is alphanumeric.
        let mut buf = [0u8; 4];
        let yes = c.encode_utf8(&mut buf).unicode_words().next().is_some();
        ALNUM.with(|cache| cache[slot].set(key | u32::from(yes)));
        yes
    })
}

/// Largest bucket count for which [`sorted_distinct`] uses a bitset (128 KB of bits).
const BITSET_MAX_BUCKETS: u32 = 1 << 20;

/// One bit per bucket, and one summary bit per 64-bit word of it; all zero between calls of
/// [`sorted_distinct`].
#[derive(Default)]
struct Seen {
    bits: Vec<u64>,
    summary: Vec<u64>,
}

impl Seen {
    /// Makes room for `nbuckets` bits; returns the number of 64-bit words they take.
    fn fit(&mut self, nbuckets: u32) -> usize {
        let words = (nbuckets as usize).div_ceil(64);
        if self.bits.len() < words {
            self.bits.resize(words, 0);
            self.summary.resize(words.div_ceil(64), 0);
        }
        words
    }
}

/// The set bits of a two-level bitset, ascending, each with value 1; clears them (visiting
/// only the non-zero words).
fn drain_bits(bits: &mut [u64], summary: &mut [u64], capacity: usize) -> Vec<(u32, f32)> {
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(capacity);
    for (s, sword) in summary.iter_mut().enumerate() {
        let mut sbits = std::mem::take(sword);
        while sbits != 0 {
            let w = s << 6 | sbits.trailing_zeros() as usize;
            sbits &= sbits - 1;
            let mut wbits = std::mem::take(&mut bits[w]);
            while wbits != 0 {
                out.push(((w as u32) << 6 | wbits.trailing_zeros(), 1.0));
                wbits &= wbits - 1;
            }
        }
    }
    out
}

/// The distinct values of `buckets` (each below `nbuckets`), ascending, each with value 1.
///
/// Same result as sort + dedup, in linear time for the default 2^18 buckets: a two-level
/// bitset marks the values, then the set bits are read off in order (visiting only the
/// non-zero words) and cleared.
fn sorted_distinct(buckets: &mut Vec<u32>, nbuckets: u32, seen: &mut Seen) -> Vec<(u32, f32)> {
    if nbuckets <= BITSET_MAX_BUCKETS && buckets.len() >= 32 {
        let words = seen.fit(nbuckets);
        let (bits, summary) = (
            &mut seen.bits[..words],
            &mut seen.summary[..words.div_ceil(64)],
        );
        let mut distinct = 0usize;
        for &b in buckets.iter() {
            let (w, bit) = ((b >> 6) as usize, 1u64 << (b & 63));
            distinct += usize::from(bits[w] & bit == 0);
            bits[w] |= bit;
            summary[w >> 6] |= 1u64 << (w & 63);
        }
        return drain_bits(bits, summary, distinct);
    }
    buckets.sort_unstable();
    buckets.dedup();
    buckets.iter().map(|&b| (b, 1.0)).collect()
}

pub(crate) fn fingerprint(signal_count: usize, ngram: &NgramConfig) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "lurescan-features/{FEATURE_SCHEMA_VERSION}/{NORMALIZER_VERSION}\n"
    ));
    h.update(lexicon::SIGNALS_TOML);
    for (name, src) in lexicon::LEXICON_FILES {
        h.update(name);
        h.update(src);
    }
    h.update(lexicon::EMOJI_TOML);
    h.update(crate::extract::money::MONEY_TOML);
    h.update(crate::extract::contact::CONTACTS_TOML);
    h.update(crate::extract::AGE_TOML);
    h.update(include_str!("../data/homoglyphs.toml"));
    h.update(serde_json::to_string(ngram).unwrap_or_default());
    h.update(signal_count.to_le_bytes());
    let digest = h.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `extract` (which normalises to the text alone, without the span map) gives the features
    /// of `analyze` (which keeps the span map for explanations).
    fn check_extract(fx: &FeatureExtractor, text: &str) {
        let analysis = fx.analyze(text);
        assert_eq!(
            fx.normalizer.normalize_text(text),
            analysis.normalized.as_str(),
            "{text:?}"
        );
        assert_eq!(fx.extract(text), analysis.features, "{text:?}");
    }

    #[test]
    fn extract_is_the_features_of_analyze() {
        let fx = FeatureExtractor::new();
        for text in [
            "",
            " ",
            "Kerja di Kamboja, gaji $1,200/month, tiket ✈️ gratis! WA 0812-3456-7890",
            "k a m b o j a  c u s t o m e r s e r v i c e  K.A.M.B.O.J.A w . a",
            "ga*ji 8jt/bu.lan kam.boja perusah44n k4mboj4 hr.lisa@gmail.com t.me/jobs_kh",
            "柬埔寨高薪招聘 ทำงานที่กัมพูชา เงินเดือน 50,000 บาท 캄보디아 🇰🇭🇮🇩 👨\u{200d}💻",
            "lu\u{31b}\u{300}o\u{31b}ng 20 triệu, ｆｕｌｌｗｉｄｔｈ, ﬁ, Ⅻ, \u{feff}x\u{200b}y",
        ] {
            check_extract(&fx, text);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn extract_is_the_features_of_analyze_on_any_text(text in "\\PC{0,200}") {
            check_extract(&FeatureExtractor::new(), &text);
        }

        #[test]
        fn extract_is_the_features_of_analyze_on_lure_like_text(
            text in "([a-z0-9 .*@$!|_\\-]|gaji|kamboja|rp|jt|wa|\\u{1F1F0}\\u{1F1ED}|✈️|💰){0,120}"
        ) {
            check_extract(&FeatureExtractor::new(), &text);
        }
    }

    #[test]
    fn compact_text_is_the_char_definition() {
        fn reference(text: &str) -> String {
            let mut out = String::from(" ");
            let mut last_space = true;
            for c in text.chars() {
                if !c.is_whitespace() {
                    out.push(c);
                    last_space = false;
                } else if !last_space {
                    out.push(' ');
                    last_space = true;
                }
            }
            if !last_space {
                out.push(' ');
            }
            out
        }
        let pieces = [
            "a", " ", "\t", "\u{b}", "\u{c}", "\r\n", "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}",
            "\u{200a}", "\u{200b}", "\u{2028}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{3001}",
            "é", "–", "✈", "💰", "คน", "柬", "1", "\u{1f}",
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut out = Vec::new();
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(x % 12) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                text.push_str(pieces[(x % pieces.len() as u64) as usize]);
            }
            let ascii = compact_text(&text, &mut out);
            let want = reference(&text);
            assert_eq!(out, want.as_bytes(), "{text:?}");
            assert_eq!(ascii, want.is_ascii(), "{text:?}");
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        }
    }

    #[test]
    fn sorted_distinct_is_sort_and_dedup() {
        // Pseudo-random values, few and many, small and large bucket counts, twice in a row
        // (the per-thread bitset must be left clean).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut seen = Seen::default();
        for (n, nbuckets) in [(0, 1 << 18), (5, 1 << 18), (40, 16), (3000, 1 << 18)]
            .into_iter()
            .chain([
                (200_000, 1 << 18),
                (100, 1 << 22),
                (700, 1 << 20),
                (50, 1 << 18),
            ])
        {
            let mut values: Vec<u32> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x as u32) & (nbuckets - 1)
                })
                .collect();
            let mut want = values.clone();
            want.sort_unstable();
            want.dedup();
            let got: Vec<u32> = sorted_distinct(&mut values, nbuckets, &mut seen)
                .into_iter()
                .map(|(b, v)| {
                    assert_eq!(v, 1.0);
                    b
                })
                .collect();
            assert_eq!(got, want, "{n} values in {nbuckets} buckets");
        }
    }

    #[test]
    fn cached_alphanumeric_agrees_with_unicode_words() {
        let text = "Lowongan kerja 🔥 ที่กัมพูชา 柬埔寨 캄보디아 — ¡¿ «» ½ ² Ⅻ ٣ ๕ 💰✈ a_b 1,000";
        for _ in 0..2 {
            let want: Vec<&str> = text.unicode_words().collect();
            let got: Vec<&str> = text
                .split_word_bounds()
                .filter(|w| has_alphanumeric(w))
                .collect();
            assert_eq!(got, want);
        }
    }

    /// A pseudo-random generator for the tests below (xorshift).
    fn next(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    #[test]
    fn short_xxh3_is_the_library_xxh3() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let seeds = [
            0,
            1,
            0x6c75_7265,
            0x6c75_7265 ^ 0x104,
            u64::MAX,
            0xdead_beef_0000_0001,
        ];
        for len in 0..=40 {
            for _ in 0..200 {
                let input: Vec<u8> = (0..len).map(|_| next(&mut x) as u8).collect();
                let seed = seeds[(next(&mut x) % seeds.len() as u64) as usize];
                assert_eq!(
                    Xxh3Short::new(seed).hash(&input),
                    xxh3_64_with_seed(&input, seed),
                    "{len} bytes, seed {seed:#x}"
                );
            }
        }
    }

    fn words_of(text: &str) -> Vec<&str> {
        let mut ranges = Vec::new();
        word_ranges(text, &mut ranges);
        ranges.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn word_ranges_are_unicode_words() {
        for text in [
            "",
            " ",
            "gaji 12jt/bln, tiket pesawat gratis!! kerja CS di K4mboja",
            "e.g. a.b a:b a'b 1,000 1.5 3;4 1'2 a_b _x x_ __ 1.a a.1 a..b 1,,2 \"q\" don't.",
            "a \u{301}b ab\u{301} \t\r\n\x0b\x0c x\r\ny 🔥 💰ok ที่กัมพูชา 柬埔寨 1,000\u{0e3f}",
            "lowongan kerja 🔥 ที่กัมพูชา 柬埔寨 캄보디아 — ¡¿ «» ½ ² Ⅻ ٣ ๕ 💰✈ a_b 1,000",
            "🇰🇭🇹🇭 a 🇰🇭x \u{200d}a a\u{200d}b ﾟa a· b ١٢ a\u{ad}b",
        ] {
            assert_eq!(
                words_of(text),
                text.unicode_words().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
        // Random strings over characters that the ASCII rules treat differently, with some
        // non-ASCII ones (combining mark, ZWJ, soft hyphen, letters, digits, emoji) between.
        let alphabet: Vec<char> = "aZk09_.,;:'\" \t\n\r\x0b\x0c-!$/@\u{301}\u{200d}\u{ad}é١ก柬🔥🇰"
            .chars()
            .collect();
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..20_000 {
            let len = (next(&mut x) % 24) as usize;
            let ascii_only = next(&mut x).is_multiple_of(2);
            let pool = if ascii_only { 23 } else { alphabet.len() };
            let text: String = (0..len)
                .map(|_| alphabet[(next(&mut x) % pool as u64) as usize])
                .collect();
            assert_eq!(
                words_of(&text),
                text.unicode_words().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }
}
