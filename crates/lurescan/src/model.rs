//! Stage 4: the logistic model and its file format.
//!
//! A model file is JSON, self-describing and versioned:
//!
//! ```json
//! {
//!   "format": "lurescan-model",
//!   "format_version": 1,
//!   "feature_fingerprint": "…",          // the FeatureExtractor it was trained for
//!   "signals": ["dest_cambodia", …],      // feature names, in order
//!   "ngram": { "buckets": 262144, … },    // n-gram hashing configuration
//!   "weights": { "intercept": …, "signals": […],
//!                "ngram_index": […], "ngram_value": […], "ngram_idf": […] },
//!   "calibration": { "method": "platt", "a": …, "b": … },
//!   "thresholds": { "review": …, "lure": … },
//!   "training": { … },                    // free-form metadata: data, settings, metrics
//!   "checksum": "sha256:…"                // of the file's content with this field empty
//! }
//! ```
//!
//! The raw logit is `z = intercept + Σ w_s·x_s + (Σ_b w_b·idf_b) / sqrt(Σ_b idf_b²)`: the
//! signals' part, plus the n-gram part over the model's buckets `b` present in the post, each
//! weighted by its inverse document frequency and the block normalised to unit length (so a
//! long post does not wash out the signals). It is calibrated to `sigmoid(a·z + b)`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::features::{Features, NgramConfig};

/// The model file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
const FORMAT_NAME: &str = "lurescan-model";

/// Learned weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// The intercept of the raw logit.
    pub intercept: f64,
    /// One weight per named signal.
    pub signals: Vec<f64>,
    /// The n-gram buckets the model uses, ascending.
    pub ngram_index: Vec<u32>,
    /// The weights of those buckets.
    pub ngram_value: Vec<f64>,
    /// The inverse document frequency of those buckets in the training data.
    pub ngram_idf: Vec<f64>,
}

/// Platt calibration of the raw logit: `p = sigmoid(a * z + b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Always `"platt"` in format version 1.
    pub method: PlattMethod,
    /// Slope.
    pub a: f64,
    /// Offset.
    pub b: f64,
}

/// The calibration method tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlattMethod {
    /// Platt scaling.
    Platt,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            method: PlattMethod::Platt,
            a: 1.0,
            b: 0.0,
        }
    }
}

/// Probability thresholds for the labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// At or above this probability a post is labelled `review`.
    pub review: f64,
    /// At or above this probability a post is labelled `lure`.
    pub lure: f64,
}

/// A model file's contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always `"lurescan-model"`.
    pub format: String,
    /// [`FORMAT_VERSION`] when written by this build.
    pub format_version: u32,
    /// The fingerprint of the feature specification the model was trained for.
    pub feature_fingerprint: String,
    /// The signal feature names, in order.
    pub signals: Vec<String>,
    /// The n-gram configuration.
    pub ngram: NgramConfig,
    /// The weights.
    pub weights: Weights,
    /// The calibration.
    pub calibration: Calibration,
    /// The label thresholds.
    pub thresholds: Thresholds,
    /// Training metadata: data, settings, metrics (free-form JSON).
    #[serde(default)]
    pub training: serde_json::Value,
    /// `sha256:` and the hex digest of the file's JSON with this field empty.
    #[serde(default)]
    pub checksum: String,
}

impl ModelFile {
    /// A new model file (checksum filled in by [`ModelFile::to_json`]).
    #[cfg(feature = "train")]
    pub(crate) fn new(
        feature_fingerprint: String,
        signals: Vec<String>,
        ngram: NgramConfig,
        weights: Weights,
        calibration: Calibration,
        thresholds: Thresholds,
        training: serde_json::Value,
    ) -> Self {
        ModelFile {
            format: FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            feature_fingerprint,
            signals,
            ngram,
            weights,
            calibration,
            thresholds,
            training,
            checksum: String::new(),
        }
    }

    fn digest(&self) -> String {
        let mut copy = self.clone();
        copy.checksum = String::new();
        let bytes = serde_json::to_vec(&copy).unwrap_or_default();
        let d = Sha256::digest(&bytes);
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// Serialises to pretty JSON with the checksum filled in.
    pub fn to_json(&self) -> String {
        let mut copy = self.clone();
        copy.checksum = self.digest();
        serde_json::to_string_pretty(&copy).unwrap_or_default()
    }

    /// Parses and validates a model file (structure only: the fingerprint is checked against
    /// an extractor when a [`Classifier`](crate::Classifier) is built).
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        // Fast path (half the load time): straight into the struct. A file it does not take
        // goes the careful way below, which says precisely what is wrong.
        if let Ok(file) = serde_json::from_slice::<ModelFile>(bytes)
            && file.format == FORMAT_NAME
            && file.format_version == FORMAT_VERSION
        {
            return file.check();
        }
        let head: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::model_format("not valid JSON").with_source(e))?;
        if head.get("format").and_then(|v| v.as_str()) != Some(FORMAT_NAME) {
            return Err(Error::model_format(
                "not a lurescan model (the \"format\" field is missing or different)",
            ));
        }
        let version = head.get("format_version").and_then(|v| v.as_u64());
        match version {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(Error::new(ErrorKind::ModelVersion {
                    found: u32::try_from(v).unwrap_or(u32::MAX),
                    supported: FORMAT_VERSION,
                }));
            }
            None => return Err(Error::model_format("the format_version field is missing")),
        }
        let file: ModelFile = serde_json::from_value(head).map_err(|e| {
            Error::model_format("fields are missing or of the wrong type").with_source(e)
        })?;
        file.check()
    }

    /// The model embedded in the library from the parts `build.rs` splits it into: its JSON
    /// without the n-gram arrays, and those arrays as little-endian `u32` / `f64`. `None` if
    /// the parts do not make a model of this format with a checksum (the caller then loads the
    /// model file itself); the test `bundled_model_checksum_is_valid` checks both give the same.
    pub(crate) fn from_bundled_parts(
        skeleton: &[u8],
        ngram_index: &[u8],
        ngram_value: &[u8],
        ngram_idf: &[u8],
    ) -> Option<Result<Self>> {
        let mut file = serde_json::from_slice::<ModelFile>(skeleton).ok()?;
        let w = &mut file.weights;
        if file.format != FORMAT_NAME
            || file.format_version != FORMAT_VERSION
            || file.checksum.is_empty()
            || !(w.ngram_index.is_empty() && w.ngram_value.is_empty() && w.ngram_idf.is_empty())
            || ngram_index.is_empty()
        {
            return None;
        }
        w.ngram_index = ngram_index
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let floats = |bytes: &[u8]| -> Vec<f64> {
            bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                .collect()
        };
        w.ngram_value = floats(ngram_value);
        w.ngram_idf = floats(ngram_idf);
        Some(file.validate().map(|()| file))
    }

    /// Parses the model embedded in the library, whose checksum the test suite verifies
    /// (`bundled_model_checksum_is_valid`): the same as [`ModelFile::from_slice`] but for the
    /// checksum, which is checked to be present, not recomputed (re-serialising the model to hash
    /// it was a third of the load). Any other problem goes the careful way, with its error.
    pub(crate) fn from_bundled_slice(bytes: &[u8]) -> Result<Self> {
        if let Ok(file) = serde_json::from_slice::<ModelFile>(bytes)
            && file.format == FORMAT_NAME
            && file.format_version == FORMAT_VERSION
            && !file.checksum.is_empty()
        {
            file.validate()?;
            return Ok(file);
        }
        ModelFile::from_slice(bytes)
    }

    /// Checks the checksum and the contents of a parsed file.
    fn check(self) -> Result<Self> {
        let file = self;
        if file.checksum.is_empty() {
            return Err(Error::model_format("the checksum field is missing"));
        }
        if file.checksum != file.digest() {
            return Err(Error::model_format(
                "checksum mismatch: the file was corrupted or edited by hand",
            ));
        }
        file.validate()?;
        Ok(file)
    }

    fn validate(&self) -> Result<()> {
        let w = &self.weights;
        if w.signals.len() != self.signals.len() {
            return Err(Error::model_format(format!(
                "{} signal weights for {} signals",
                w.signals.len(),
                self.signals.len()
            )));
        }
        if w.ngram_index.len() != w.ngram_value.len() || w.ngram_index.len() != w.ngram_idf.len() {
            return Err(Error::model_format(
                "ngram_index, ngram_value and ngram_idf have different lengths",
            ));
        }
        if w.ngram_idf.iter().any(|&x| x.is_nan() || x <= 0.0) {
            return Err(Error::model_format("an n-gram idf is not positive"));
        }
        if w.ngram_index.windows(2).any(|p| p[0] >= p[1]) {
            return Err(Error::model_format("ngram_index is not strictly ascending"));
        }
        if w.ngram_index
            .last()
            .is_some_and(|&i| i >= self.ngram.buckets)
        {
            return Err(Error::model_format(
                "an n-gram index is beyond the bucket count",
            ));
        }
        let finite = std::iter::once(&w.intercept)
            .chain(&w.signals)
            .chain(&w.ngram_value)
            .chain(&w.ngram_idf)
            .chain([&self.calibration.a, &self.calibration.b])
            .all(|x| x.is_finite());
        if !finite {
            return Err(Error::model_format("a weight is NaN or infinite"));
        }
        let t = &self.thresholds;
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        if !(unit(t.review) && unit(t.lure) && t.review <= t.lure) {
            return Err(Error::model_format(format!(
                "thresholds must satisfy 0 <= review <= lure <= 1 (review {}, lure {})",
                t.review, t.lure
            )));
        }
        if self.calibration.a <= 0.0 {
            return Err(Error::model_format("calibration slope must be positive"));
        }
        Ok(())
    }
}

/// A model ready to score: the file plus dense weights for fast lookup.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub file: ModelFile,
    signal_w: Vec<f32>,
    /// The n-gram weights, looked up by bucket (see [`NgramWeights`]).
    ngram_w: NgramWeights,
}

/// The (weight × idf, idf²) of each bucket the model uses, zero for the others, in a form that
/// stays in cache: a bitmap of the used buckets (32 KB for the default 2¹⁸), the count of used
/// buckets before each word of it, and the used buckets' pairs packed in bucket order (160 KB
/// for 20,000 columns), instead of one pair per bucket (2 MB, a cache miss per n-gram).
#[derive(Debug, Clone)]
struct NgramWeights {
    used: Vec<u64>,
    rank: Vec<u32>,
    pairs: Vec<[f32; 2]>,
}

impl NgramWeights {
    /// From the model's ascending bucket indices and their pairs.
    fn new(buckets: u32, index: &[u32], pairs: impl Iterator<Item = [f32; 2]>) -> Self {
        let words = (buckets as usize).div_ceil(64);
        let mut used = vec![0u64; words];
        for &i in index {
            used[i as usize >> 6] |= 1 << (i & 63);
        }
        let mut rank = Vec::with_capacity(words);
        let mut before = 0u32;
        for w in &used {
            rank.push(before);
            before += w.count_ones();
        }
        NgramWeights {
            used,
            rank,
            pairs: pairs.collect(),
        }
    }

    /// The pair of `bucket`; zero for a bucket the model does not use.
    #[inline]
    fn get(&self, bucket: u32) -> [f32; 2] {
        let w = bucket as usize >> 6;
        let Some(&word) = self.used.get(w) else {
            return [0.0; 2];
        };
        let bit = 1u64 << (bucket & 63);
        if word & bit == 0 {
            return [0.0; 2];
        }
        let at = self.rank[w] + (word & (bit - 1)).count_ones();
        self.pairs[at as usize]
    }
}

impl Model {
    /// Builds a model for an extractor with the given fingerprint and signal names.
    pub(crate) fn new(file: ModelFile, fingerprint: &str, signal_names: &[&str]) -> Result<Self> {
        // A file built in code rather than parsed has not been checked yet (the n-gram lookup
        // needs its indices ascending and below the bucket count).
        file.validate()?;
        if file.feature_fingerprint != fingerprint {
            return Err(Error::new(ErrorKind::SchemaMismatch {
                expected: fingerprint.to_string(),
                found: file.feature_fingerprint.clone(),
            }));
        }
        if file
            .signals
            .iter()
            .map(String::as_str)
            .ne(signal_names.iter().copied())
        {
            return Err(Error::new(ErrorKind::SchemaMismatch {
                expected: fingerprint.to_string(),
                found: format!("{} (signal list differs)", file.feature_fingerprint),
            }));
        }
        let signal_w = file.weights.signals.iter().map(|&w| w as f32).collect();
        let w = &file.weights;
        let pairs = w
            .ngram_value
            .iter()
            .zip(&w.ngram_idf)
            .map(|(&v, &idf)| [(v * idf) as f32, (idf * idf) as f32]);
        let ngram_w = NgramWeights::new(file.ngram.buckets, &w.ngram_index, pairs);
        Ok(Model {
            file,
            signal_w,
            ngram_w,
        })
    }

    /// A bitmap of the n-gram buckets the model weighs (one bit per bucket): the others add
    /// nothing to a logit (see [`crate::features::Keep`]).
    pub(crate) fn used_buckets(&self) -> &[u64] {
        &self.ngram_w.used
    }

    /// The (weight × idf, idf²) the n-gram lookup gives for `bucket`.
    #[cfg(test)]
    pub(crate) fn ngram_pair(&self, bucket: u32) -> [f32; 2] {
        self.ngram_w.get(bucket)
    }

    /// The raw logit split into its parts: intercept, per-signal contributions, n-gram sum.
    pub(crate) fn raw_parts(&self, f: &Features) -> (f64, f64) {
        let mut sig = 0.0f64;
        for (w, x) in self.signal_w.iter().zip(&f.signals) {
            sig += f64::from(*w) * f64::from(*x);
        }
        (sig, self.ngram_sum(f))
    }

    pub(crate) fn ngram_sum(&self, f: &Features) -> f64 {
        let (mut dot, mut norm2) = (0.0f64, 0.0f64);
        for &(b, v) in &f.ngrams {
            let [wi, i2] = self.ngram_w.get(b);
            dot += f64::from(wi) * f64::from(v);
            norm2 += f64::from(i2) * f64::from(v) * f64::from(v);
        }
        if norm2 > 0.0 { dot / norm2.sqrt() } else { 0.0 }
    }

    pub(crate) fn signal_weight(&self, i: usize) -> f64 {
        f64::from(self.signal_w[i])
    }

    /// The calibrated logit of features.
    pub(crate) fn logit(&self, f: &Features) -> f64 {
        let (sig, ng) = self.raw_parts(f);
        let z = self.file.weights.intercept + sig + ng;
        self.file.calibration.a * z + self.file.calibration.b
    }
}

/// The logistic function.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}
