//! Stage 5: the classifier: features + model → calibrated probability, label and explanation.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::extract::{Record, Value};
use crate::features::{Analysis, FeatureExtractor, Features};
use crate::model::{Model, ModelFile, Thresholds, sigmoid};
use crate::windows;

/// The bundled default model.
const BUNDLED_MODEL: &[u8] = include_bytes!("../../../models/lurescan-v1.json");

/// The bundled model split by `build.rs`: its JSON without the n-gram arrays, and the arrays.
const BUNDLED_PARTS: [&[u8]; 4] = [
    include_bytes!(concat!(env!("OUT_DIR"), "/bundled_model_skeleton.json")),
    include_bytes!(concat!(env!("OUT_DIR"), "/bundled_model_ngram_index.bin")),
    include_bytes!(concat!(env!("OUT_DIR"), "/bundled_model_ngram_value.bin")),
    include_bytes!(concat!(env!("OUT_DIR"), "/bundled_model_ngram_idf.bin")),
];

/// The bundled model from the parts `build.rs` split it into, or from the file itself if they
/// do not load.
fn bundled_model_file() -> Result<ModelFile> {
    let [skeleton, index, value, idf] = BUNDLED_PARTS;
    ModelFile::from_bundled_parts(skeleton, index, value, idf)
        .unwrap_or_else(|| ModelFile::from_bundled_slice(BUNDLED_MODEL))
}

/// The label of a post, from the thresholds stored in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// Below the review threshold.
    Ok,
    /// At or above the review threshold: worth a human look.
    Review,
    /// At or above the lure threshold: most likely a lure.
    Lure,
}

impl Label {
    /// The label as a lowercase word: `ok`, `review` or `lure`.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Ok => "ok",
            Label::Review => "review",
            Label::Lure => "lure",
        }
    }

    fn from_probability(p: f64, t: &Thresholds) -> Label {
        if p >= t.lure {
            Label::Lure
        } else if p >= t.review {
            Label::Review
        } else {
            Label::Ok
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The score of one post.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    probability: f64,
    logit: f64,
    label: Label,
}

impl Score {
    /// Calibrated probability that the post is a lure, in [0, 1].
    pub fn probability(&self) -> f64 {
        self.probability
    }

    /// The calibrated logit: `probability = sigmoid(logit)` (useful as a decision function).
    pub fn logit(&self) -> f64 {
        self.logit
    }

    /// The label from the model's thresholds.
    pub fn label(&self) -> Label {
        self.label
    }

    /// Whether the label is [`Label::Lure`].
    pub fn is_lure(&self) -> bool {
        self.label == Label::Lure
    }
}

/// Where a signal was found: a byte range of the original text, the text itself, and a
/// structured value when the signal has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Byte offset of the start in the original text (on a character boundary).
    pub start: usize,
    /// Byte offset of the end in the original text (on a character boundary).
    pub end: usize,
    /// `original[start..end]`.
    pub text: String,
    /// The structured value: a salary, a contact, a destination, an age range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// One fired signal and what it contributed to the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The stable signal name, e.g. `travel_perk`.
    pub signal: String,
    /// A one-line description for moderators.
    pub description: String,
    /// The model weight of the signal (calibrated scale).
    pub weight: f64,
    /// What the signal added to the logit: weight × value.
    pub contribution: f64,
    /// Where it was found.
    pub evidence: Vec<Evidence>,
}

/// Why a post got its score. The contributions of the reasons, the n-gram contribution and the
/// intercept add up to `logit`, and `score = sigmoid(logit)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Calibrated probability that the post is a lure.
    pub score: f64,
    /// The label.
    pub label: Label,
    /// The calibrated logit: `intercept + ngram_contribution + Σ reasons' contributions`.
    pub logit: f64,
    /// The intercept (calibrated scale).
    pub intercept: f64,
    /// What the hashed word and character n-grams added together.
    pub ngram_contribution: f64,
    /// Every fired signal, largest contribution first.
    pub reasons: Vec<Reason>,
    /// The byte range of the original text that was scored: the whole post, or, for a long
    /// post, the window of it that scored highest (see [`Classifier::score`]).
    pub window: Range<usize>,
}

impl Explanation {
    /// Names of the signals that pushed the score up most, at most `n`.
    pub fn top_reasons(&self, n: usize) -> Vec<&str> {
        self.reasons
            .iter()
            .filter(|r| r.contribution > 0.0)
            .take(n)
            .map(|r| r.signal.as_str())
            .collect()
    }
}

struct Inner {
    extractor: FeatureExtractor,
    model: Model,
}

/// Scores job posts: the feature extractor and a trained model.
///
/// Cheap to clone (the state is shared) and `Send + Sync`: build one and share it across
/// threads. Scoring never fails and never panics, whatever the text.
///
/// # Example
/// ```
/// let clf = lurescan::Classifier::bundled();
/// let lure = "Dicari CS, gaji 12jt/bln, tiket pesawat gratis, kerja di K4mboja, \
///             tanpa pengalaman. Minat WA 0812-3456-7890";
/// let honest = "PT Sinar Telekomunikasi membuka lowongan Customer Service di Jakarta \
///               Selatan. Kualifikasi: minimal D3, pengalaman 1 tahun. Kirim CV ke \
///               hrd@sinartel.co.id. Gaji UMR + BPJS.";
/// assert!(clf.score(lure).probability() > clf.score(honest).probability());
/// let why = clf.explain(lure);
/// assert!(why.reasons.iter().any(|r| r.signal == "dest_cambodia"));
/// ```
#[derive(Clone)]
pub struct Classifier {
    inner: Arc<Inner>,
}

impl fmt::Debug for Classifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Classifier")
            .field("fingerprint", &self.inner.model.file.feature_fingerprint)
            .field("thresholds", &self.inner.model.file.thresholds)
            .finish()
    }
}

impl Default for Classifier {
    /// The bundled model: same as [`Classifier::bundled`].
    fn default() -> Self {
        Classifier::bundled()
    }
}

impl Classifier {
    /// The classifier with the default model embedded in the library. Built once per process
    /// and shared.
    ///
    /// # Panics
    /// Only if the embedded model does not match this build's features, which the test suite
    /// rules out before release.
    pub fn bundled() -> Classifier {
        Classifier::try_bundled().expect("the bundled model matches the bundled features")
    }

    /// Like [`Classifier::bundled`], returning the error instead of panicking if the embedded
    /// model does not match this build's features (for bindings that must never panic).
    ///
    /// # Errors
    /// The errors of [`Classifier::from_slice`].
    pub fn try_bundled() -> Result<Classifier> {
        static BUNDLED: OnceLock<std::result::Result<Classifier, String>> = OnceLock::new();
        match BUNDLED.get_or_init(|| load_bundled().map_err(|e| e.to_string())) {
            Ok(c) => Ok(c.clone()),
            // Build it again to return a typed error (only ever on a broken build).
            Err(_) => Classifier::from_slice(BUNDLED_MODEL),
        }
    }

    /// Loads a model file.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if the file cannot be read, and the errors of
    /// [`Classifier::from_slice`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Classifier> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(Some(path.to_path_buf()), e))?;
        Classifier::from_slice(&bytes)
    }

    /// Loads a model from the bytes of a model file.
    ///
    /// # Errors
    /// [`ErrorKind::ModelFormat`](crate::ErrorKind::ModelFormat) for a file that is not a
    /// valid model (bad JSON, checksum mismatch, wrong lengths, NaN weights, bad thresholds),
    /// [`ErrorKind::ModelVersion`](crate::ErrorKind::ModelVersion) for another format version,
    /// [`ErrorKind::SchemaMismatch`](crate::ErrorKind::SchemaMismatch) for a model trained for
    /// other features.
    pub fn from_slice(bytes: &[u8]) -> Result<Classifier> {
        Classifier::from_model_file(ModelFile::from_slice(bytes)?)
    }

    /// Builds a classifier from a parsed model file.
    pub fn from_model_file(file: ModelFile) -> Result<Classifier> {
        let extractor = if file.ngram == crate::features::NgramConfig::default() {
            default_extractor().clone()
        } else {
            FeatureExtractor::with_ngrams(file.ngram.clone())?
        };
        let names = extractor.signal_names();
        let model = Model::new(file, extractor.fingerprint(), &names)?;
        Ok(Classifier {
            inner: Arc::new(Inner { extractor, model }),
        })
    }

    /// The model file (weights, thresholds, training metadata).
    pub fn model_file(&self) -> &ModelFile {
        &self.inner.model.file
    }

    /// The model as JSON, as [`Classifier::save`] writes it.
    pub fn to_json(&self) -> String {
        self.inner.model.file.to_json()
    }

    /// Writes the model file to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()).map_err(|e| Error::io(Some(path.to_path_buf()), e))
    }

    /// The label thresholds.
    pub fn thresholds(&self) -> Thresholds {
        self.inner.model.file.thresholds
    }

    /// The feature extractor.
    pub fn extractor(&self) -> &FeatureExtractor {
        &self.inner.extractor
    }

    /// Scores a post.
    ///
    /// A post longer than 1 KB is scored as a whole, in overlapping windows of about 384 and
    /// 192 bytes and by paragraph; its score is the highest of these, so that a lure padded
    /// with innocent text still scores as a lure (the explanation names the window). A window
    /// is read in its context: when the text within 512 bytes of it reads as a warning or a
    /// report, the window is scored as that text, so that a news report retelling an offer is
    /// not scored by the retold offer alone. Lengths are those of the normalised text, so that
    /// obfuscation normalisation folds away (zero-width characters, full-width forms) does not
    /// make a post long.
    ///
    /// # Example
    /// ```
    /// let clf = lurescan::Classifier::bundled();
    /// let s = clf.score("Lowongan kerja");
    /// assert!((0.0..=1.0).contains(&s.probability()));
    /// ```
    pub fn score(&self, text: &str) -> Score {
        self.best_window(text).1
    }

    /// The part of `text` whose score is the post's score, that score and its features: the
    /// whole post, or for a long post, the highest-scoring of the whole post and its windows
    /// (see [`windows`]), where a window that a warning surrounds is read as its context (see
    /// [`windows::context`]).
    fn best_window(&self, text: &str) -> (Range<usize>, Score, Features) {
        let extractor = &self.inner.extractor;
        // Only the n-grams the model weighs are needed to score.
        let keep = Some(self.inner.model.used_buckets());
        if text.len() <= windows::LONG_POST {
            let features = extractor.extract_kept(text, keep);
            return (0..text.len(), self.score_features(&features), features);
        }
        // The post is normalised once: whether it is long is decided by its normalised length
        // (see `windows::Layout`), and a window whose edges lie where normalisation looks
        // across nothing is the matching slice of it (see `Normalized::window_slice`).
        // Its n-grams are hashed once too (when a window can use them), and those of such a
        // window are read off.
        let normalized = extractor.normalizer.normalize(text);
        let whole = normalized.as_str();
        let Some(layout) = windows::Layout::of_post(text.len(), whole.len()) else {
            let features = extractor.features_of_part(whole, None, 0..whole.len(), keep);
            return (0..text.len(), self.score_features(&features), features);
        };
        let windows = layout.windows(text);
        let parts: Vec<_> = windows
            .into_iter()
            .map(|w| {
                let part = normalized.window_slice(text, w.clone());
                (w, part)
            })
            .collect();
        let table = parts
            .iter()
            .any(|(_, part)| part.is_some())
            .then(|| extractor.gram_table(whole, keep));
        let table = table.as_ref();
        // The signals of such a window are read off the whole post's extraction where that
        // is exact (see `extract::replay`).
        let mut record = Record::default();
        let features = extractor.features_recorded(whole, table, &mut record, keep);
        // The features of a window, from its slice of the normalised post where it has one.
        let read = |w: &Range<usize>, part: Option<Range<usize>>| match part {
            Some(r) => extractor.features_of_window(whole, table, r, &record, keep),
            None => extractor.extract_kept(&text[w.clone()], keep),
        };
        // A post that reads as a warning somewhere may read so around a window (see
        // `windows::context`); one that does not cannot.
        let warns = extractor.warns(&features);
        let mut best = (0..text.len(), self.score_features(&features), features);
        for (w, part) in parts {
            let features = read(&w, part);
            let s = self.score_features(&features);
            if s.logit <= best.1.logit {
                continue;
            }
            // The window would decide the score: a window that does not read as a warning,
            // but whose context does, is read as its context, as a short post quoting an
            // offer in its warning is.
            if warns && !extractor.warns(&features) {
                let context = layout.context(text, &w);
                let around = read(&context, normalized.window_slice(text, context.clone()));
                if extractor.warns(&around) {
                    let s = self.score_features(&around);
                    if s.logit > best.1.logit {
                        best = (context, s, around);
                    }
                    continue;
                }
            }
            best = (w, s, features);
        }
        best
    }

    /// Scores a feature vector made by [`Classifier::extractor`]. This is the score of the text
    /// the features came from taken whole: for a post over 1 KB, [`Classifier::score`] may be
    /// higher, as it also scores the post's windows.
    pub fn score_features(&self, features: &Features) -> Score {
        let logit = self.inner.model.logit(features);
        let logit = if logit.is_nan() { 0.0 } else { logit };
        let p = sigmoid(logit).clamp(0.0, 1.0);
        Score {
            probability: p,
            logit,
            label: Label::from_probability(p, &self.inner.model.file.thresholds),
        }
    }

    /// Scores a post and names the signals that pushed its score up most (at most `n`,
    /// largest contribution first): the short form of [`Classifier::explain`] for batch output.
    ///
    /// # Example
    /// ```
    /// let clf = lurescan::Classifier::bundled();
    /// let (score, reasons) = clf.score_with_reasons("Kerja di Kamboja, tiket gratis", 3);
    /// assert!(reasons.len() <= 3);
    /// # let _ = score;
    /// ```
    pub fn score_with_reasons(&self, text: &str, n: usize) -> (Score, Vec<&str>) {
        let (_, score, features) = self.best_window(text);
        let model = &self.inner.model;
        let mut fired: Vec<(f64, usize)> = features
            .signals
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(i, v)| (model.signal_weight(i) * f64::from(*v), i))
            .filter(|(c, _)| *c > 0.0)
            .collect();
        fired.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.cmp(&b.1))
        });
        let defs = &self.inner.extractor.signals.signals;
        let names = fired
            .iter()
            .take(n)
            .map(|&(_, i)| defs[i].name.as_str())
            .collect();
        (score, names)
    }

    /// The label of a post.
    pub fn classify(&self, text: &str) -> Label {
        self.score(text).label()
    }

    /// Scores many posts, on all cores when the `parallel` feature is on; the output is in
    /// input order and `score_batch(xs)[i] == score(xs[i])`.
    ///
    /// # Example
    /// ```
    /// let clf = lurescan::Classifier::bundled();
    /// let scores = clf.score_batch(&["a post", "another post"]);
    /// assert_eq!(scores.len(), 2);
    /// ```
    pub fn score_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Score> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            texts.par_iter().map(|t| self.score(t.as_ref())).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            texts.iter().map(|t| self.score(t.as_ref())).collect()
        }
    }

    /// Explains the score of a post: every fired signal with its weight, contribution and
    /// evidence in the original text.
    ///
    /// # Example
    /// ```
    /// let clf = lurescan::Classifier::bundled();
    /// let text = "Gaji $1,000 per bulan, kerja di Phnom Penh";
    /// let e = clf.explain(text);
    /// let sum: f64 = e.intercept + e.ngram_contribution
    ///     + e.reasons.iter().map(|r| r.contribution).sum::<f64>();
    /// assert!((sum - e.logit).abs() < 1e-9);
    /// for r in &e.reasons {
    ///     for ev in &r.evidence {
    ///         assert_eq!(&text[ev.start..ev.end], ev.text);
    ///     }
    /// }
    /// ```
    pub fn explain(&self, text: &str) -> Explanation {
        let window = if text.len() <= windows::LONG_POST {
            0..text.len()
        } else {
            self.best_window(text).0
        };
        let analysis = self.inner.extractor.analyze(&text[window.clone()]);
        self.explain_analysis(text, window, &analysis)
    }

    /// Explains many posts, in parallel when the `parallel` feature is on.
    pub fn explain_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Explanation> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            texts.par_iter().map(|t| self.explain(t.as_ref())).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            texts.iter().map(|t| self.explain(t.as_ref())).collect()
        }
    }

    /// The explanation of `a`, the analysis of `text[window]`; evidence spans point into `text`.
    fn explain_analysis(&self, text: &str, window: Range<usize>, a: &Analysis) -> Explanation {
        let offset = window.start;
        let model = &self.inner.model;
        let cal = model.file.calibration;
        let defs = &self.inner.extractor.signals.signals;
        let mut reasons = Vec::new();
        for (i, &fired) in a.fired.iter().enumerate() {
            if !fired {
                continue;
            }
            let weight = cal.a * model.signal_weight(i);
            let contribution = weight * f64::from(a.features.signals[i]);
            let mut evidence: Vec<Evidence> = a
                .evidence
                .iter()
                .filter(|e| e.signal as usize == i)
                .map(|e| {
                    let (s, t) = a.normalized.original_span(e.start, e.end);
                    let (s, t) = (s + offset, t + offset);
                    Evidence {
                        start: s,
                        end: t,
                        text: text.get(s..t).unwrap_or_default().to_string(),
                        value: e.value.clone(),
                    }
                })
                .collect();
            evidence.sort_by(|x, y| x.start.cmp(&y.start).then(y.end.cmp(&x.end)));
            // Drop spans inside an earlier, longer one unless they carry their own value.
            let mut kept: Vec<Evidence> = Vec::with_capacity(evidence.len());
            for ev in evidence {
                let inside = kept.iter().any(|k| {
                    k.start <= ev.start
                        && ev.end <= k.end
                        && (ev.value.is_none() || k.value == ev.value)
                });
                if !inside {
                    kept.push(ev);
                }
            }
            reasons.push(Reason {
                signal: defs[i].name.clone(),
                description: defs[i].description.clone(),
                weight,
                contribution,
                evidence: kept,
            });
        }
        reasons.sort_by(|x, y| {
            y.contribution
                .partial_cmp(&x.contribution)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| x.signal.cmp(&y.signal))
        });
        let intercept = cal.a * model.file.weights.intercept + cal.b;
        let ngram_contribution = cal.a * model.ngram_sum(&a.features);
        // Score and logit exactly as `score` computes them; the parts add up to the logit up
        // to rounding (1e-9).
        let s = self.score_features(&a.features);
        Explanation {
            score: s.probability(),
            label: s.label(),
            logit: s.logit(),
            intercept,
            ngram_contribution,
            reasons,
            window,
        }
    }
}

/// The bundled model, its JSON parsed (with the `parallel` feature) while a second thread
/// builds the default extractor it needs: the two are most of the cold start.
fn load_bundled() -> Result<Classifier> {
    #[cfg(feature = "parallel")]
    let file = std::thread::scope(|s| {
        let extractor = s.spawn(default_extractor);
        let file = bundled_model_file();
        if let Err(panic) = extractor.join() {
            std::panic::resume_unwind(panic);
        }
        file
    });
    #[cfg(not(feature = "parallel"))]
    let file = bundled_model_file();
    Classifier::from_model_file(file?)
}

/// One extractor with the default configuration per process, shared by every classifier.
fn default_extractor() -> &'static FeatureExtractor {
    static EXTRACTOR: OnceLock<FeatureExtractor> = OnceLock::new();
    EXTRACTOR.get_or_init(FeatureExtractor::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed n-gram lookup gives, for every bucket, what one pair per bucket held.
    #[test]
    fn ngram_lookup_is_the_dense_table() {
        let clf = Classifier::bundled();
        let (file, model) = (clf.model_file(), &clf.inner.model);
        let w = &file.weights;
        let mut dense = vec![[0.0f32; 2]; file.ngram.buckets as usize];
        for ((&i, &v), &idf) in w.ngram_index.iter().zip(&w.ngram_value).zip(&w.ngram_idf) {
            dense[i as usize] = [(v * idf) as f32, (idf * idf) as f32];
        }
        assert!(
            w.ngram_index.len() > 1000,
            "the bundled model weighs n-grams"
        );
        for (b, pair) in dense.iter().enumerate() {
            assert_eq!(model.ngram_pair(b as u32), *pair, "bucket {b}");
        }
        assert_eq!(model.ngram_pair(file.ngram.buckets + 64), [0.0; 2]);
        let used: u32 = model.used_buckets().iter().map(|w| w.count_ones()).sum();
        assert_eq!(used as usize, w.ngram_index.len());
    }

    /// Obfuscation that normalisation folds away, though it makes a post longer than
    /// `windows::LONG_POST` bytes, leaves its score and the part explained as they were.
    #[test]
    fn folded_obfuscation_does_not_make_a_post_long() {
        let clf = Classifier::bundled();
        let warning = "AWAS PENIPUAN! Polisi mengingatkan warga: iklan ini menjerat korban ke \
            Kamboja. \"Dicari CS online, gaji 12jt/bln, tiket pesawat gratis, tanpa pengalaman, \
            berangkat minggu ini. WA 0812-3456-7890\" Jangan tergiur, laporkan ke polisi. ";
        let clean = warning.repeat(3);
        assert!(clean.len() > 600 && clean.len() <= windows::LONG_POST);
        let zero_width: String = clean.chars().flat_map(|c| [c, '\u{200B}']).collect();
        let full_width: String = clean
            .chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
                c => c,
            })
            .collect();
        let want = clf.score(&clean);
        for text in [zero_width, full_width] {
            assert!(text.len() > windows::LONG_POST);
            assert_eq!(clf.score(&text).logit().to_bits(), want.logit().to_bits());
            let e = clf.explain(&text);
            assert_eq!((e.window.start, e.window.end), (0, text.len()));
        }
    }

    /// The features a classifier scores keep only its model's n-grams: the same logit, bit for
    /// bit, as all of them.
    fn check_kept_ngrams(clf: &Classifier, text: &str) {
        let all = clf.extractor().extract(text);
        let used = clf.inner.model.used_buckets();
        let kept = clf.extractor().extract_kept(text, Some(used));
        assert_eq!(kept.signals, all.signals, "{text:?}");
        let model_buckets: Vec<_> = all
            .ngrams
            .iter()
            .filter(|&&(b, _)| used[b as usize >> 6] & (1 << (b & 63)) != 0)
            .copied()
            .collect();
        assert_eq!(kept.ngrams, model_buckets, "{text:?}");
        // The n-grams of a part read off a table made with the same `keep` (as a window's are).
        let normalized = clf.extractor().normalizer.normalize_text(text);
        let table = clf.extractor().gram_table(&normalized, Some(used));
        if !normalized.is_empty() {
            let read =
                clf.extractor()
                    .ngrams_in(&table, &normalized, 0..normalized.len(), Some(used));
            assert_eq!(read.as_ref(), Some(&kept.ngrams), "{text:?}");
        }
        let (s, k) = (clf.score_features(&all), clf.score_features(&kept));
        assert_eq!(s.logit().to_bits(), k.logit().to_bits(), "{text:?}");
    }

    #[test]
    fn kept_ngrams_score_as_all_ngrams() {
        let clf = Classifier::bundled();
        for text in [
            "",
            "Dicari CS, gaji 12jt/bln, tiket pesawat gratis, kerja di K4mboja. WA 0812-3456-7890",
            "PT Sinar membuka lowongan Customer Service di Jakarta. Kirim CV ke hrd@sinar.co.id",
            "急招客服，月薪1500美元，包吃包住，机票报销，西港工作，联系飞机 @hr_kh",
            "ด่วน! รับสมัครแอดมิน เงินเดือน 35,000 บาท ทำงานที่ปอยเปต",
        ] {
            check_kept_ngrams(&clf, text);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        #[test]
        fn kept_ngrams_score_as_all_ngrams_on_any_text(text in "\\PC{0,300}") {
            check_kept_ngrams(&Classifier::bundled(), &text);
        }
    }

    /// The bundled model is loaded without recomputing its checksum; this is where it is
    /// verified, as a model file from disk would be.
    #[test]
    fn bundled_model_checksum_is_valid() {
        let checked = ModelFile::from_slice(BUNDLED_MODEL).expect("the bundled model verifies");
        let fast = ModelFile::from_bundled_slice(BUNDLED_MODEL).expect("the bundled model loads");
        assert_eq!(checked, fast);
        // The parts split by build.rs give the same model, bit for bit.
        let [skeleton, index, value, idf] = BUNDLED_PARTS;
        let split = ModelFile::from_bundled_parts(skeleton, index, value, idf)
            .expect("build.rs split the bundled model")
            .expect("the split model loads");
        assert_eq!(checked, split);
        assert_eq!(checked, bundled_model_file().unwrap());
        let bits = |w: &crate::Weights| {
            let floats = [w.intercept]
                .into_iter()
                .chain(w.signals.iter().copied())
                .chain(w.ngram_value.iter().copied())
                .chain(w.ngram_idf.iter().copied());
            floats.map(f64::to_bits).collect::<Vec<_>>()
        };
        assert_eq!(bits(&checked.weights), bits(&split.weights));
        assert_eq!(checked.to_json(), split.to_json());
    }
}
