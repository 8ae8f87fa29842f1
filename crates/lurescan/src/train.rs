//! Training with linfa-logistic (feature `train`).
//!
//! [`TrainConfig::fit`] turns labelled posts into a model file:
//! 1. features for every post (signals + hashed n-grams);
//! 2. a deterministic split into a fitting part and a calibration part (by a hash of the
//!    normalised text, so that the same text always falls on the same side);
//! 3. n-gram buckets selected by document frequency in the fitting part (at least `min_df`
//!    posts, at most `max_ngram_features` buckets) so the dense matrix linfa needs stays small:
//!    rows × (signals + selected buckets) × 8 bytes;
//! 4. classes balanced by duplicating the minority class (linfa-logistic has no class
//!    weights), then an L2-regularised logistic regression;
//! 5. Platt calibration on the calibration part (which also undoes the prior shift of the
//!    balancing), and the `lure` / `review` thresholds chosen there.
//!
//! The same data and settings give the same model file, bit for bit.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::classifier::Classifier;
use crate::error::{Error, Result};
use crate::features::{FeatureExtractor, Features, NgramConfig};
use crate::model::{Calibration, ModelFile, PlattMethod, Thresholds, Weights, sigmoid};

/// A labelled post for training.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The post.
    pub text: String,
    /// `true` for a lure.
    pub label: bool,
}

impl Example {
    /// A labelled post.
    pub fn new(text: impl Into<String>, label: bool) -> Self {
        Example {
            text: text.into(),
            label,
        }
    }
}

/// Training settings. By-value setters, as in linfa.
///
/// # Example
/// ```no_run
/// use lurescan::train::{Example, TrainConfig};
/// let data = vec![
///     Example::new("Kerja CS di Kamboja gaji 15jt tiket gratis WA 0812345678", true),
///     Example::new("Lowongan admin di Jakarta, minimal S1, kirim CV ke hrd@pt.co.id", false),
///     // … hundreds more
/// ];
/// let clf = TrainConfig::default().alpha(2.0).fit(&data)?;
/// clf.save("my-model.json")?;
/// # Ok::<(), lurescan::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// L2 regularisation strength (linfa's `alpha`: the penalty is `alpha/2 · |w|²` on the
    /// summed log-loss).
    pub alpha: f64,
    /// Optimiser iterations at most.
    pub max_iterations: u64,
    /// Gradient tolerance of the optimiser.
    pub gradient_tolerance: f64,
    /// An n-gram bucket is a feature only if it occurs in at least this many fitting posts.
    pub min_df: u32,
    /// At most this many n-gram buckets, the most frequent first.
    pub max_ngram_features: usize,
    /// Share of posts held out for calibration and thresholds.
    pub calibration_fraction: f64,
    /// Seed of the split.
    pub seed: u64,
    /// Target precision of the `lure` threshold.
    pub lure_precision: f64,
    /// Target recall of the `review` threshold.
    pub review_recall: f64,
    /// The n-gram hashing configuration.
    pub ngram: NgramConfig,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            alpha: 1.0,
            max_iterations: 300,
            gradient_tolerance: 1e-5,
            min_df: 2,
            max_ngram_features: 20_000,
            calibration_fraction: 0.25,
            seed: 42,
            lure_precision: 0.95,
            review_recall: 0.95,
            ngram: NgramConfig::default(),
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $t:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $t) -> Self {
            self.$name = value;
            self
        }
    };
}

impl TrainConfig {
    setter!(/// Sets [`TrainConfig::alpha`].
        alpha: f64);
    setter!(/// Sets [`TrainConfig::max_iterations`].
        max_iterations: u64);
    setter!(/// Sets [`TrainConfig::min_df`].
        min_df: u32);
    setter!(/// Sets [`TrainConfig::max_ngram_features`].
        max_ngram_features: usize);
    setter!(/// Sets [`TrainConfig::calibration_fraction`].
        calibration_fraction: f64);
    setter!(/// Sets [`TrainConfig::seed`].
        seed: u64);
    setter!(/// Sets [`TrainConfig::ngram`].
        ngram: NgramConfig);

    fn check(&self) -> Result<()> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::config("alpha", "must be a finite number >= 0"));
        }
        if !(self.calibration_fraction > 0.0 && self.calibration_fraction < 0.9) {
            return Err(Error::config("calibration_fraction", "must be in (0, 0.9)"));
        }
        if self.max_iterations == 0 {
            return Err(Error::config("max_iterations", "must be at least 1"));
        }
        if !(0.5..1.0).contains(&self.lure_precision) || !(0.5..1.0).contains(&self.review_recall) {
            return Err(Error::config(
                "lure_precision",
                "threshold targets must be in [0.5, 1)",
            ));
        }
        Ok(())
    }

    /// Trains a classifier on `examples`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) for bad settings,
    /// [`ErrorKind::Training`](crate::ErrorKind::Training) for too little data, a single class,
    /// or an optimiser failure.
    pub fn fit(&self, examples: &[Example]) -> Result<Classifier> {
        self.fit_with_metadata(examples, serde_json::Value::Null)
    }

    /// Like [`TrainConfig::fit`], recording `metadata` (e.g. the corpus hash) in the model's
    /// `training` section.
    pub fn fit_with_metadata(
        &self,
        examples: &[Example],
        metadata: serde_json::Value,
    ) -> Result<Classifier> {
        self.check()?;
        let pos = examples.iter().filter(|e| e.label).count();
        let neg = examples.len() - pos;
        if pos < 4 || neg < 4 {
            return Err(Error::training(format!(
                "need at least 4 examples of each class, got {pos} lures and {neg} others"
            )));
        }
        let fx = FeatureExtractor::with_ngrams(self.ngram.clone())?;
        let feats: Vec<(Features, bool, bool)> = map_ordered(examples, |e| {
            let norm = fx.normalizer.normalize(&e.text);
            let h = xxh3_64_with_seed(norm.as_str().as_bytes(), self.seed);
            let calib = (h % 10_000) as f64 / 10_000.0 < self.calibration_fraction;
            (fx.extract(&e.text), e.label, calib)
        });
        let fit_rows: Vec<&(Features, bool, bool)> = feats.iter().filter(|f| !f.2).collect();
        let cal_rows: Vec<&(Features, bool, bool)> = feats.iter().filter(|f| f.2).collect();
        let fit_pos = fit_rows.iter().filter(|f| f.1).count();
        let cal_pos = cal_rows.iter().filter(|f| f.1).count();
        if fit_pos == 0 || fit_pos == fit_rows.len() || cal_pos == 0 || cal_pos == cal_rows.len() {
            return Err(Error::training(
                "both the fitting and the calibration part need both classes; add more examples",
            ));
        }

        // Select n-gram buckets by document frequency.
        let mut df = vec![0u32; self.ngram.buckets as usize];
        for (f, _, _) in &fit_rows {
            for &(b, _) in &f.ngrams {
                df[b as usize] += 1;
            }
        }
        let mut cols: Vec<u32> = (0..self.ngram.buckets)
            .filter(|&b| df[b as usize] >= self.min_df.max(1))
            .collect();
        cols.sort_by(|&a, &b| df[b as usize].cmp(&df[a as usize]).then(a.cmp(&b)));
        cols.truncate(self.max_ngram_features);
        cols.sort_unstable();
        let mut col_of = vec![u32::MAX; self.ngram.buckets as usize];
        for (j, &b) in cols.iter().enumerate() {
            col_of[b as usize] = j as u32;
        }
        let n_sig = fx.signal_names().len();
        let width = n_sig + cols.len();

        // Balance by duplication: the minority class repeated round(majority/minority) times.
        let fit_neg = fit_rows.len() - fit_pos;
        let (minority, factor) = if fit_pos < fit_neg {
            (
                true,
                ((fit_neg as f64 / fit_pos as f64).round() as usize).max(1),
            )
        } else {
            (
                false,
                ((fit_pos as f64 / fit_neg as f64).round() as usize).max(1),
            )
        };
        let n_rows: usize = fit_rows
            .iter()
            .map(|f| if f.1 == minority { factor } else { 1 })
            .sum();
        let mut x = Array2::<f64>::zeros((n_rows, width));
        let mut y = Array1::<bool>::from_elem(n_rows, false);
        let mut r = 0;
        for (f, label, _) in &fit_rows {
            let copies = if *label == minority { factor } else { 1 };
            for _ in 0..copies {
                let mut row = x.row_mut(r);
                for (j, &v) in f.signals.iter().enumerate() {
                    row[j] = f64::from(v);
                }
                for &(b, v) in &f.ngrams {
                    let c = col_of[b as usize];
                    if c != u32::MAX {
                        row[n_sig + c as usize] = f64::from(v);
                    }
                }
                y[r] = *label;
                r += 1;
            }
        }
        let fitted = LogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(self.gradient_tolerance)
            .fit(&Dataset::new(x, y))
            .map_err(|e| Error::training("the optimiser failed").with_source(e))?;
        // linfa's "positive" class is the larger one; we want the weights of `true`.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let params = fitted.params();
        let intercept = sign * fitted.intercept();
        let signal_w: Vec<f64> = (0..n_sig).map(|j| sign * params[j]).collect();
        let mut ngram_index = Vec::new();
        let mut ngram_value = Vec::new();
        for (j, &b) in cols.iter().enumerate() {
            let w = sign * params[n_sig + j];
            if w != 0.0 {
                ngram_index.push(b);
                ngram_value.push(w);
            }
        }
        let weights = Weights {
            intercept,
            signals: signal_w,
            ngram_index,
            ngram_value,
        };
        let raw = |f: &Features| -> f64 {
            let mut z = weights.intercept;
            for (w, &v) in weights.signals.iter().zip(&f.signals) {
                z += w * f64::from(v);
            }
            for &(b, v) in &f.ngrams {
                if let Ok(k) = weights.ngram_index.binary_search(&b) {
                    z += weights.ngram_value[k] * f64::from(v);
                }
            }
            z
        };

        // Platt scaling on the calibration part.
        let z_cal: Vec<f64> = cal_rows.iter().map(|f| raw(&f.0)).collect();
        let y_cal: Vec<bool> = cal_rows.iter().map(|f| f.1).collect();
        let calibration = fit_platt(&z_cal, &y_cal)?;
        let p_cal: Vec<f64> = z_cal
            .iter()
            .map(|z| sigmoid(calibration.a * z + calibration.b))
            .collect();
        let thresholds = choose_thresholds(&p_cal, &y_cal, self.lure_precision, self.review_recall);

        let training = serde_json::json!({
            "trainer": format!("lurescan {} (linfa-logistic)", env!("CARGO_PKG_VERSION")),
            "config": self,
            "examples": examples.len(),
            "lures": pos,
            "others": neg,
            "fitting_rows": fit_rows.len(),
            "calibration_rows": cal_rows.len(),
            "balanced_minority_factor": factor,
            "ngram_features_selected": cols.len(),
            "calibration_log_loss": log_loss(&p_cal, &y_cal),
            "metadata": metadata,
        });
        let file = ModelFile::new(
            fx.fingerprint().to_string(),
            fx.signal_names().iter().map(|s| s.to_string()).collect(),
            self.ngram.clone(),
            weights,
            calibration,
            thresholds,
            training,
        );
        // Round-trip through JSON so the in-memory model equals what a file load gives.
        Classifier::from_slice(file.to_json().as_bytes())
    }
}

/// Maps in parallel (when available) keeping order.
fn map_ordered<T: Sync, U: Send>(xs: &[T], f: impl Fn(&T) -> U + Sync + Send) -> Vec<U> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        xs.par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        xs.iter().map(f).collect()
    }
}

/// One-feature logistic regression of the labels on the raw logits (Platt scaling), fitted
/// with linfa-logistic and a light penalty.
fn fit_platt(z: &[f64], y: &[bool]) -> Result<Calibration> {
    let x = Array2::from_shape_vec((z.len(), 1), z.to_vec())
        .map_err(|e| Error::training("calibration data has a bad shape").with_source(e))?;
    let fitted = LogisticRegression::default()
        .alpha(1e-3)
        .max_iterations(200)
        .fit(&Dataset::new(x, Array1::from(y.to_vec())))
        .map_err(|e| Error::training("calibration failed").with_source(e))?;
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let a = sign * fitted.params()[0];
    let b = sign * fitted.intercept();
    if !(a.is_finite() && b.is_finite()) || a <= 0.0 {
        return Err(Error::training(format!(
            "calibration gave a non-increasing map (slope {a}); the model does not separate \
             the calibration posts: more data or another alpha"
        )));
    }
    Ok(Calibration {
        method: PlattMethod::Platt,
        a,
        b,
    })
}

/// `lure`: the lowest threshold whose precision reaches `precision` (highest recall at that
/// precision); `review`: the highest threshold whose recall reaches `recall`. Both are placed
/// halfway between neighbouring scores, and `review <= lure`.
pub(crate) fn choose_thresholds(p: &[f64], y: &[bool], precision: f64, recall: f64) -> Thresholds {
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| p[b].partial_cmp(&p[a]).unwrap_or(std::cmp::Ordering::Equal));
    let total_pos = y.iter().filter(|&&v| v).count().max(1) as f64;
    let mut tp = 0.0;
    let mut fp = 0.0;
    let mut lure = None;
    let mut review = None;
    for (k, &i) in idx.iter().enumerate() {
        if y[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        // Only cut between distinct scores.
        let next = idx.get(k + 1).map(|&j| p[j]);
        if next == Some(p[i]) {
            continue;
        }
        let cut = match next {
            Some(n) => (p[i] + n) / 2.0,
            None => p[i] / 2.0,
        };
        if tp / (tp + fp) >= precision {
            lure = Some(cut);
        }
        if review.is_none() && tp / total_pos >= recall {
            review = Some(cut);
        }
    }
    let lure = lure.unwrap_or(0.9).clamp(0.0, 1.0);
    let review = review.unwrap_or(0.5).clamp(0.0, 1.0).min(lure);
    Thresholds { review, lure }
}

fn log_loss(p: &[f64], y: &[bool]) -> f64 {
    let n = p.len().max(1) as f64;
    -p.iter()
        .zip(y)
        .map(|(&p, &y)| {
            let p = p.clamp(1e-12, 1.0 - 1e-12);
            if y { p.ln() } else { (1.0 - p).ln() }
        })
        .sum::<f64>()
        / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_from_scores() {
        let p = [0.95, 0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1];
        let y = [true, true, true, false, true, false, false, false];
        let t = choose_thresholds(&p, &y, 0.95, 0.95);
        // Precision 1.0 down to 0.8: lure between 0.8 and 0.7.
        assert!((t.lure - 0.75).abs() < 1e-12, "{t:?}");
        // All four lures are above 0.4: review between 0.4 and 0.3.
        assert!((t.review - 0.35).abs() < 1e-12, "{t:?}");
    }

    #[test]
    fn refuses_one_class() {
        let data: Vec<Example> = (0..10)
            .map(|i| Example::new(format!("post {i}"), false))
            .collect();
        let err = TrainConfig::default().fit(&data).unwrap_err();
        assert!(matches!(err.kind(), crate::ErrorKind::Training { .. }));
    }
}
