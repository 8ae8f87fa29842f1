//! Stage 3: features. Named signals (one value each, 0 or 1) plus hashed word and character
//! n-grams of the normalised text, as a sparse vector.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::extract::{RawEvidence, SignalExtractor};
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
        let fingerprint = fingerprint(&signals, &ngram);
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
        self.analyze(text).features
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
        let cfg = &self.ngram;
        let mask = cfg.buckets - 1;
        let mut buckets: Vec<u32> = Vec::new();
        let hash =
            |bytes: &[u8], tag: u64| (xxh3_64_with_seed(bytes, cfg.seed ^ tag) as u32) & mask;

        if cfg.word.1 > 0 {
            let words: Vec<&str> = if text.is_ascii() {
                text.unicode_words().collect()
            } else {
                // What `unicode_words` does for non-ASCII text, with its per-character
                // "alphanumeric" test cached (a table search per character otherwise).
                text.split_word_bounds()
                    .filter(|w| has_alphanumeric(w))
                    .collect()
            };
            let mut buf = String::new();
            for n in cfg.word.0.max(1)..=cfg.word.1 {
                let n = n as usize;
                for w in words.windows(n) {
                    buf.clear();
                    for (i, part) in w.iter().enumerate() {
                        if i > 0 {
                            buf.push(' ');
                        }
                        buf.push_str(part);
                    }
                    buckets.push(hash(buf.as_bytes(), n as u64));
                }
            }
        }
        if cfg.char.1 > 0 {
            // Letters, digits, punctuation and emoji (lures' style: "!!!", "💰", "✈"), with
            // whitespace (already single spaces) kept, padded with spaces.
            let mut compact = String::with_capacity(text.len() + 2);
            compact.push(' ');
            for c in text.chars() {
                if !c.is_whitespace() {
                    compact.push(c);
                } else if !compact.ends_with(' ') {
                    compact.push(' ');
                }
            }
            if !compact.ends_with(' ') {
                compact.push(' ');
            }
            let bounds: Vec<usize> = compact
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(compact.len()))
                .collect();
            let nchars = bounds.len() - 1;
            for n in cfg.char.0.max(1)..=cfg.char.1 {
                let n = n as usize;
                if nchars < n {
                    continue;
                }
                for i in 0..=nchars - n {
                    let gram = &compact[bounds[i]..bounds[i + n]];
                    // `compact` holds no whitespace but single spaces, so only a one-character
                    // gram can be blank (this was `gram.trim().is_empty()`).
                    if n == 1 && gram == " " {
                        continue;
                    }
                    buckets.push(hash(gram.as_bytes(), 0x100 + n as u64));
                }
            }
        }
        sorted_distinct(buckets, cfg.buckets)
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

thread_local! {
    static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(Seen::default());
}

/// The distinct values of `buckets` (each below `nbuckets`), ascending, each with value 1.
///
/// Same result as sort + dedup, in linear time for the default 2^18 buckets: a per-thread
/// two-level bitset marks the values, then the set bits are read off in order (visiting only
/// the non-zero words) and cleared.
fn sorted_distinct(mut buckets: Vec<u32>, nbuckets: u32) -> Vec<(u32, f32)> {
    let words = (nbuckets as usize).div_ceil(64);
    let with_bitset = |seen: &mut Seen| {
        if seen.bits.len() < words {
            seen.bits.resize(words, 0);
            seen.summary.resize(words.div_ceil(64), 0);
        }
        let (bits, summary) = (
            &mut seen.bits[..words],
            &mut seen.summary[..words.div_ceil(64)],
        );
        let mut distinct = 0usize;
        for &b in &buckets {
            let (w, bit) = ((b >> 6) as usize, 1u64 << (b & 63));
            distinct += usize::from(bits[w] & bit == 0);
            bits[w] |= bit;
            summary[w >> 6] |= 1u64 << (w & 63);
        }
        let mut out: Vec<(u32, f32)> = Vec::with_capacity(distinct);
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
    };
    if nbuckets <= BITSET_MAX_BUCKETS && buckets.len() >= 32 {
        let done = SEEN.with(|seen| seen.try_borrow_mut().ok().map(|mut s| with_bitset(&mut s)));
        if let Some(out) = done {
            return out;
        }
    }
    buckets.sort_unstable();
    buckets.dedup();
    buckets.into_iter().map(|b| (b, 1.0)).collect()
}

fn fingerprint(signals: &SignalExtractor, ngram: &NgramConfig) -> String {
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
    h.update(signals.signals.len().to_le_bytes());
    let digest = h.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_distinct_is_sort_and_dedup() {
        // Pseudo-random values, few and many, small and large bucket counts, twice in a row
        // (the per-thread bitset must be left clean).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for (n, nbuckets) in [(0, 1 << 18), (5, 1 << 18), (40, 16), (3000, 1 << 18)]
            .into_iter()
            .chain([
                (200_000, 1 << 18),
                (100, 1 << 22),
                (700, 1 << 20),
                (50, 1 << 18),
            ])
        {
            let values: Vec<u32> = (0..n)
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
            let got: Vec<u32> = sorted_distinct(values, nbuckets)
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
}
