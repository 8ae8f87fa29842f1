//! Training with linfa-logistic (feature `train`).
//!
//! [`TrainConfig::fit_with_validation`] turns labelled posts into a model file:
//! 1. features for every post (signals + hashed n-grams);
//! 2. cross-validation over the candidate `alphas`: folds by a hash of the normalised text;
//!    in each fold, n-gram buckets selected on the fitting rows (at least `min_df` posts, then
//!    the `max_ngram_features` with the largest class-balanced chi-squared statistic) so the
//!    dense matrix linfa needs stays small (rows × (signals + selected buckets) × 4 bytes: it
//!    is `f32`, which halves the memory traffic of every optimiser step), and the minority
//!    class duplicated to balance (linfa-logistic has no class weights). The folds run in
//!    parallel; within a fold one matrix serves every alpha, fitted from the strongest penalty
//!    down, each fit starting from the previous one's weights (a warm start: the weaker
//!    penalties converge in fewer steps). The out-of-fold logits are those of run time: a
//!    post over 1 KB scores as the highest of its whole text and its windows. The alpha with
//!    the best out-of-fold average precision wins;
//! 3. Platt calibration on the out-of-fold logits of that alpha (which also undoes the prior
//!    shift of the balancing);
//! 4. a final fit on all training posts;
//! 5. the `lure` and `review` thresholds chosen on the validation posts.
//!
//! The same data and settings give the same model file, bit for bit.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::classifier::Classifier;
use crate::error::{Error, Result};
use crate::features::{FeatureExtractor, Features, NgramConfig};
use crate::model::{Calibration, ModelFile, PlattMethod, Thresholds, Weights, sigmoid};
use crate::windows;

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
/// let clf = TrainConfig::default().alphas(vec![1.0, 4.0]).fit(&data)?;
/// clf.save("my-model.json")?;
/// # Ok::<(), lurescan::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Candidate L2 regularisation strengths (linfa's `alpha`: the penalty is `alpha/2 · |w|²`
    /// on the summed log-loss). One is chosen by cross-validation; give one value to skip the
    /// search.
    pub alphas: Vec<f64>,
    /// Folds of the cross-validation (also used for calibration).
    pub folds: usize,
    /// Optimiser iterations at most.
    pub max_iterations: u64,
    /// Gradient tolerance of the optimiser.
    pub gradient_tolerance: f64,
    /// An n-gram bucket is a feature only if it occurs in at least this many training posts.
    pub min_df: u32,
    /// At most this many n-gram buckets, the most telling first. The dense matrix linfa needs
    /// is rows × (signals + this) × 4 bytes.
    pub max_ngram_features: usize,
    /// Seed of the fold assignment.
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
            alphas: vec![0.01, 0.03, 0.1],
            folds: 3,
            max_iterations: 300,
            gradient_tolerance: 1e-5,
            min_df: 2,
            max_ngram_features: 12_000,
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
    setter!(/// Sets [`TrainConfig::alphas`].
        alphas: Vec<f64>);
    setter!(/// Sets [`TrainConfig::folds`].
        folds: usize);
    setter!(/// Sets [`TrainConfig::max_iterations`].
        max_iterations: u64);
    setter!(/// Sets [`TrainConfig::min_df`].
        min_df: u32);
    setter!(/// Sets [`TrainConfig::max_ngram_features`].
        max_ngram_features: usize);
    setter!(/// Sets [`TrainConfig::seed`].
        seed: u64);
    setter!(/// Sets [`TrainConfig::ngram`].
        ngram: NgramConfig);

    /// A single regularisation strength (no search).
    pub fn alpha(self, alpha: f64) -> Self {
        self.alphas(vec![alpha])
    }

    fn check(&self) -> Result<()> {
        if self.alphas.is_empty() || !self.alphas.iter().all(|a| a.is_finite() && *a >= 0.0) {
            return Err(Error::config(
                "alphas",
                "must be finite numbers >= 0, at least one",
            ));
        }
        if !(2..=20).contains(&self.folds) {
            return Err(Error::config("folds", "must be between 2 and 20"));
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
        let ngram = &self.ngram;
        if !ngram.buckets.is_power_of_two() || ngram.buckets < 16 {
            return Err(Error::config(
                "buckets",
                format!("must be a power of two >= 16, got {}", ngram.buckets),
            ));
        }
        if ngram.word.0 > ngram.word.1 || ngram.char.0 > ngram.char.1 {
            return Err(Error::config(
                "ngram",
                "a size range is (smallest, largest): the smallest comes first",
            ));
        }
        if ngram.char.1 > 8 {
            return Err(Error::config(
                "char_ngrams",
                "character n-grams are at most 8 characters long",
            ));
        }
        Ok(())
    }

    /// Trains a classifier on `examples`; thresholds are chosen on out-of-fold scores.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) for bad settings,
    /// [`ErrorKind::Training`](crate::ErrorKind::Training) for too little data, a single class,
    /// or an optimiser failure.
    pub fn fit(&self, examples: &[Example]) -> Result<Classifier> {
        self.fit_with_validation(examples, &[], serde_json::Value::Null)
    }

    /// Trains on `train`, choosing the thresholds on `validation` (or, when it is empty or
    /// one-class, on out-of-fold scores of `train`), and records `metadata` (e.g. the data's
    /// hash) in the model's `training` section.
    ///
    /// Steps: features for every post; `folds`-fold cross-validation over `alphas` (folds by a
    /// hash of the normalised text), choosing the alpha with the best out-of-fold average
    /// precision; Platt calibration on the out-of-fold logits of that alpha; a final fit on all
    /// of `train`; thresholds on `validation`.
    pub fn fit_with_validation(
        &self,
        train: &[Example],
        validation: &[Example],
        metadata: serde_json::Value,
    ) -> Result<Classifier> {
        self.check()?;
        let pos = train.iter().filter(|e| e.label).count();
        let neg = train.len() - pos;
        if pos < self.folds || neg < self.folds {
            return Err(Error::training(format!(
                "need at least {} examples of each class, got {pos} lures and {neg} others",
                self.folds
            )));
        }
        let fx = FeatureExtractor::with_ngrams(self.ngram.clone())?;
        let rows: Vec<Row> = map_ordered(train, |e| {
            let norm = fx.normalizer.normalize(&e.text);
            let h = xxh3_64_with_seed(norm.as_str().as_bytes(), self.seed);
            Row {
                features: fx.extract(&e.text),
                label: e.label,
                fold: (h % self.folds as u64) as usize,
                long: windows::Layout::of_post(e.text.len(), norm.as_str().len()).is_some(),
            }
        });
        for f in 0..self.folds {
            let (p, n) = rows
                .iter()
                .filter(|r| r.fold == f)
                .fold(
                    (0, 0),
                    |(p, n), r| {
                        if r.label { (p + 1, n) } else { (p, n + 1) }
                    },
                );
            if p == 0 || n == 0 {
                return Err(Error::training(format!(
                    "fold {f} has {p} lures and {n} others; add examples or use fewer folds"
                )));
            }
        }
        let n_sig = fx.signal_names().len();

        // Cross-validation: the folds in parallel; in each, one design matrix and the alphas
        // from the strongest penalty down, each fit starting from the previous one's weights.
        let mut order: Vec<usize> = (0..self.alphas.len()).collect();
        order.sort_by(|&a, &b| self.alphas[b].total_cmp(&self.alphas[a]));
        let folds: Vec<usize> = (0..self.folds).collect();
        let fitted: Vec<Result<Vec<Weights>>> = map_ordered(&folds, |&f| {
            let fit_rows: Vec<&Row> = rows.iter().filter(|r| r.fold != f).collect();
            let design = self.design(&fit_rows, n_sig)?;
            let mut by_alpha: Vec<Option<Weights>> = vec![None; self.alphas.len()];
            let mut start = None;
            for &a in &order {
                let (w, raw) = design.fit(self, self.alphas[a], start.take())?;
                by_alpha[a] = Some(w);
                start = Some(raw);
            }
            Ok(by_alpha.into_iter().flatten().collect())
        });
        // Out-of-fold logits as run time computes them: a long post scores as the highest of
        // its whole text and its windows (see `Classifier::score`), which the calibration and
        // the choice of alpha must see, or long honest posts come out overconfident.
        let mut oof = vec![vec![0.0f64; rows.len()]; self.alphas.len()];
        for (f, ws) in fitted.into_iter().enumerate() {
            let fold_long: Vec<usize> = (0..rows.len())
                .filter(|&i| rows[i].fold == f && rows[i].long)
                .collect();
            for (a, w) in ws?.iter().enumerate() {
                for (i, r) in rows.iter().enumerate() {
                    if r.fold == f && !r.long {
                        oof[a][i] = raw_logit(w, &r.features);
                    }
                }
                let texts: Vec<&str> = fold_long.iter().map(|&i| train[i].text.as_str()).collect();
                for (&i, z) in fold_long.iter().zip(self.windowed_logits(&fx, w, &texts)?) {
                    oof[a][i] = z;
                }
            }
        }
        let labels: Vec<bool> = rows.iter().map(|r| r.label).collect();
        let cv: Vec<f64> = oof.iter().map(|z| average_precision(z, &labels)).collect();
        // Best average precision; among near-ties (within 0.002) the stronger regularisation.
        let best_ap = cv.iter().cloned().fold(f64::MIN, f64::max);
        let best = (0..self.alphas.len())
            .filter(|&a| cv[a] >= best_ap - 0.002)
            .max_by(|&a, &b| self.alphas[a].total_cmp(&self.alphas[b]))
            .unwrap_or(0);
        let alpha = self.alphas[best];
        let calibration = fit_platt(&oof[best], &labels)?;

        // Final fit on all training rows.
        let all: Vec<&Row> = rows.iter().collect();
        let (weights, _) = self.design(&all, n_sig)?.fit(self, alpha, None)?;

        // The model without thresholds yet, as a file load gives it, to score the validation
        // posts exactly as at run time (long posts in windows: see `Classifier::score`).
        let calibrate = |z: f64| sigmoid(calibration.a * z + calibration.b);
        let mut file = ModelFile::new(
            fx.fingerprint().to_string(),
            fx.signal_names().iter().map(|s| s.to_string()).collect(),
            self.ngram.clone(),
            weights,
            calibration,
            Thresholds {
                review: 0.5,
                lure: 0.5,
            },
            serde_json::Value::Null,
        );
        let provisional = Classifier::from_slice(file.to_json().as_bytes())?;

        // Thresholds on the validation split (or out-of-fold scores).
        let val_pos = validation.iter().filter(|e| e.label).count();
        let use_validation = val_pos > 0 && val_pos < validation.len();
        let (p_thr, y_thr): (Vec<f64>, Vec<bool>) = if use_validation {
            let texts: Vec<&str> = validation.iter().map(|e| e.text.as_str()).collect();
            (
                provisional
                    .score_batch(&texts)
                    .iter()
                    .map(|s| s.probability())
                    .collect(),
                validation.iter().map(|e| e.label).collect(),
            )
        } else {
            (
                oof[best].iter().map(|&z| calibrate(z)).collect(),
                labels.clone(),
            )
        };
        let thresholds = choose_thresholds(&p_thr, &y_thr, self.lure_precision, self.review_recall);
        let p_oof: Vec<f64> = oof[best].iter().map(|&z| calibrate(z)).collect();

        let training = serde_json::json!({
            "trainer": format!("lurescan {} (linfa-logistic)", env!("CARGO_PKG_VERSION")),
            "config": self,
            "train_examples": train.len(),
            "train_lures": pos,
            "train_others": neg,
            "validation_examples": validation.len(),
            "thresholds_chosen_on": if use_validation { "validation" } else { "out-of-fold" },
            "cross_validation": {
                "folds": self.folds,
                "alphas": self.alphas,
                "average_precision": cv,
                "chosen_alpha": alpha,
            },
            "out_of_fold_log_loss": log_loss(&p_oof, &labels),
            "threshold_set_average_precision": average_precision(&p_thr, &y_thr),
            "ngram_weights": file.weights.ngram_index.len(),
            "metadata": metadata,
        });
        file.thresholds = thresholds;
        file.training = training;
        // Round-trip through JSON so the in-memory model equals what a file load gives.
        Classifier::from_slice(file.to_json().as_bytes())
    }

    /// The n-gram buckets to use as features: those in at least `min_df` rows, ranked by a
    /// class-balanced chi-squared statistic of presence against label (so rare but telling
    /// n-grams are kept, and frequent but uninformative ones dropped), at most
    /// `max_ngram_features` of them, ascending.
    fn select_ngrams(&self, rows: &[&Row]) -> Vec<u32> {
        let buckets = self.ngram.buckets as usize;
        let mut df_pos = vec![0u32; buckets];
        let mut df_neg = vec![0u32; buckets];
        for r in rows {
            let df = if r.label { &mut df_pos } else { &mut df_neg };
            for &(b, _) in &r.features.ngrams {
                df[b as usize] += 1;
            }
        }
        let n_pos = rows.iter().filter(|r| r.label).count().max(1) as f64;
        let n_neg = (rows.len() as f64 - n_pos).max(1.0);
        // Weigh each class to half the rows.
        let (w_pos, w_neg) = (0.5 / n_pos, 0.5 / n_neg);
        let chi2 = |b: usize| {
            let a = f64::from(df_pos[b]) * w_pos;
            let c = f64::from(df_neg[b]) * w_neg;
            let (not_a, not_c) = (0.5 - a, 0.5 - c);
            let present = a + c;
            let absent = not_a + not_c;
            if present <= 0.0 || absent <= 0.0 {
                return 0.0;
            }
            let d = a * not_c - c * not_a;
            d * d / (present * absent * 0.25)
        };
        let mut cols: Vec<(f64, u32, u32)> = (0..buckets)
            .filter(|&b| df_pos[b] + df_neg[b] >= self.min_df.max(1))
            .map(|b| (chi2(b), df_pos[b] + df_neg[b], b as u32))
            .collect();
        cols.sort_by(|x, y| y.0.total_cmp(&x.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2)));
        cols.truncate(self.max_ngram_features);
        let mut cols: Vec<u32> = cols.into_iter().map(|c| c.2).collect();
        cols.sort_unstable();
        cols
    }

    /// The design matrix of `rows`: the signals, then the selected n-gram columns (IDF-weighted,
    /// L2-normalised as at scoring time), the minority class duplicated to balance.
    fn design(&self, rows: &[&Row], n_sig: usize) -> Result<Design> {
        let buckets = self.ngram.buckets as usize;
        let cols = self.select_ngrams(rows);
        let mut col_of = vec![u32::MAX; buckets];
        for (j, &b) in cols.iter().enumerate() {
            col_of[b as usize] = j as u32;
        }
        // Smoothed inverse document frequency over the fitting rows (as scikit-learn's).
        let mut df = vec![0u32; cols.len()];
        for r in rows {
            for &(b, _) in &r.features.ngrams {
                let c = col_of[b as usize];
                if c != u32::MAX {
                    df[c as usize] += 1;
                }
            }
        }
        let n = rows.len() as f64;
        let idf: Vec<f64> = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0)
            .collect();
        let width = n_sig + cols.len();
        let pos = rows.iter().filter(|r| r.label).count();
        let neg = rows.len() - pos;
        if pos == 0 || neg == 0 {
            return Err(Error::training("a training fold has a single class"));
        }
        let (minority, factor) = if pos < neg {
            (true, ((neg as f64 / pos as f64).round() as usize).max(1))
        } else {
            (false, ((pos as f64 / neg as f64).round() as usize).max(1))
        };
        let n_rows: usize = rows
            .iter()
            .map(|r| if r.label == minority { factor } else { 1 })
            .sum();
        // Column-major: linfa-logistic's gradient multiplies the transpose by a vector, and
        // ndarray (without BLAS) does that as one dot product per row of the transpose, which
        // is contiguous only when the matrix is stored by columns. Stored by rows, each of
        // those dot products strides through the whole matrix (the cause of 87% of training
        // time in a profile). The product by the weights goes through `matrixmultiply`,
        // which takes either layout.
        let mut x = Array2::<Real>::zeros((n_rows, width).f());
        let mut y = Array1::<bool>::from_elem(n_rows, false);
        let mut i = 0;
        for r in rows {
            let copies = if r.label == minority { factor } else { 1 };
            for _ in 0..copies {
                let mut row = x.row_mut(i);
                for (j, &v) in r.features.signals.iter().enumerate() {
                    row[j] = Real::from(v);
                }
                let mut norm2 = 0.0;
                for &(b, v) in &r.features.ngrams {
                    let c = col_of[b as usize];
                    if c != u32::MAX {
                        let x = idf[c as usize] * f64::from(v);
                        row[n_sig + c as usize] = x as Real;
                        norm2 += x * x;
                    }
                }
                if norm2 > 0.0 {
                    let inv = (1.0 / norm2.sqrt()) as Real;
                    for x in row.iter_mut().skip(n_sig) {
                        *x *= inv;
                    }
                }
                y[i] = r.label;
                i += 1;
            }
        }
        Ok(Design {
            n_sig,
            cols,
            idf,
            x,
            y,
        })
    }
}

/// The floating-point type of the design matrix and the optimiser: `f32` halves the memory
/// traffic of the dense products that dominate training; the weights are stored as `f64`.
type Real = f32;

/// The matrix of one fit: see [`TrainConfig::design`].
struct Design {
    n_sig: usize,
    cols: Vec<u32>,
    idf: Vec<f64>,
    x: Array2<Real>,
    y: Array1<bool>,
}

impl Design {
    /// One L2-regularised logistic regression (linfa-logistic's L-BFGS), starting from `start`
    /// (linfa's own parameter vector of an earlier fit on this matrix) when given. Returns the
    /// weights and linfa's parameter vector.
    fn fit(
        &self,
        cfg: &TrainConfig,
        alpha: f64,
        start: Option<Array1<Real>>,
    ) -> Result<(Weights, Array1<Real>)> {
        let n_sig = self.n_sig;
        let mut lr = LogisticRegression::default()
            .alpha(alpha as Real)
            .max_iterations(cfg.max_iterations)
            .gradient_tolerance(cfg.gradient_tolerance as Real);
        if let Some(p) = start {
            lr = lr.initial_params(p);
        }
        let fitted = lr
            .fit(&DatasetView::new(self.x.view(), self.y.view()))
            .map_err(|e| Error::training("the optimiser failed").with_source(e))?;
        // linfa's "positive" class is the larger one; we want the weights of `true`.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let params = fitted.params();
        let raw: Array1<Real> = params
            .iter()
            .copied()
            .chain(std::iter::once(fitted.intercept()))
            .collect();
        let ngram_value: Vec<f64> = (0..self.cols.len())
            .map(|j| sign * f64::from(params[n_sig + j]))
            .collect();
        Ok((
            Weights {
                intercept: sign * f64::from(fitted.intercept()),
                signals: (0..n_sig).map(|j| sign * f64::from(params[j])).collect(),
                ngram_index: self.cols.clone(),
                ngram_value,
                ngram_idf: self.idf.clone(),
            },
            raw,
        ))
    }
}

/// A featurised training post.
struct Row {
    features: Features,
    label: bool,
    fold: usize,
    /// Scored in windows at run time (see `windows::Layout`).
    long: bool,
}

impl TrainConfig {
    /// The raw (uncalibrated) logits of long posts under weights `w`, as run time computes them:
    /// the highest of the whole post's and its windows' (see `Classifier::score`).
    fn windowed_logits(
        &self,
        fx: &FeatureExtractor,
        w: &Weights,
        texts: &[&str],
    ) -> Result<Vec<f64>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let uncalibrated = Classifier::from_model_file(ModelFile::new(
            fx.fingerprint().to_string(),
            fx.signal_names().iter().map(|s| s.to_string()).collect(),
            self.ngram.clone(),
            w.clone(),
            Calibration::default(),
            Thresholds {
                review: 0.5,
                lure: 0.5,
            },
            serde_json::Value::Null,
        ))?;
        Ok(map_ordered(texts, |t| uncalibrated.score(t).logit()))
    }
}

/// The raw (uncalibrated) logit of features under weights, as [`crate::model`] computes it.
fn raw_logit(w: &Weights, f: &Features) -> f64 {
    let mut z = w.intercept;
    for (wi, &v) in w.signals.iter().zip(&f.signals) {
        z += wi * f64::from(v);
    }
    let (mut dot, mut norm2) = (0.0, 0.0);
    for &(b, v) in &f.ngrams {
        if let Ok(k) = w.ngram_index.binary_search(&b) {
            let x = w.ngram_idf[k] * f64::from(v);
            dot += w.ngram_value[k] * x;
            norm2 += x * x;
        }
    }
    if norm2 > 0.0 {
        z += dot / norm2.sqrt();
    }
    z
}

/// Average precision (area under the precision-recall curve, step-wise): the mean of the
/// precision at each positive's rank. Ties are broken pessimistically (negatives first).
pub(crate) fn average_precision(score: &[f64], label: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(label[a].cmp(&label[b])));
    let total = label.iter().filter(|&&l| l).count();
    if total == 0 {
        return 0.0;
    }
    let (mut tp, mut sum) = (0usize, 0.0);
    for (k, &i) in idx.iter().enumerate() {
        if label[i] {
            tp += 1;
            sum += tp as f64 / (k + 1) as f64;
        }
    }
    sum / total as f64
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
    fn average_precision_cases() {
        assert!((average_precision(&[0.9, 0.8, 0.1], &[true, true, false]) - 1.0).abs() < 1e-12);
        // Positives at ranks 1 and 3: (1/1 + 2/3) / 2.
        let ap = average_precision(&[0.9, 0.8, 0.7], &[true, false, true]);
        assert!((ap - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }

    /// Calibration sees long posts as run time scores them: the bundled model's windowed score
    /// of a lure buried in a long post, not the lower score of the post's features taken whole.
    #[test]
    fn long_posts_get_their_windowed_logit() {
        let clf = Classifier::bundled();
        let file = clf.model_file();
        let lure = "Lowongan kerja luar negeri! Gaji 15jt/bulan, tiket pesawat gratis, visa \
                    ditanggung, tanpa pengalaman, berangkat minggu depan. Admin chat, WA 0812-3456-7890.";
        let news = [
            "Pertandingan semalam berakhir imbang setelah kedua tim gagal memanfaatkan peluang.",
            "Harga beras di pasar induk turun tipis minggu ini menurut pedagang setempat.",
            "Warga kampung bergotong royong membersihkan saluran air menjelang musim hujan.",
            "Sekolah dasar di kecamatan itu menggelar lomba menggambar untuk hari guru.",
            "Resep sayur asem: rebus asam jawa, labu siam, jagung manis dan kacang tanah.",
        ];
        let filler: String = (0..40).map(|i| format!("{} ", news[i % 5])).collect();
        let text = format!("{filler}{lure}");
        let fx = FeatureExtractor::with_ngrams(file.ngram.clone()).unwrap();
        let cfg = TrainConfig::default().ngram(file.ngram.clone());
        let z = cfg
            .windowed_logits(&fx, &file.weights, &[text.as_str()])
            .unwrap();
        let cal = file.calibration;
        let want = (clf.score(&text).logit() - cal.b) / cal.a;
        assert!((z[0] - want).abs() < 1e-9, "{} vs {want}", z[0]);
        let whole = raw_logit(&file.weights, &fx.extract(&text));
        assert!(z[0] > whole + 1.0, "windowed {} vs whole {whole}", z[0]);
    }

    #[test]
    fn refuses_one_class() {
        let data: Vec<Example> = (0..10)
            .map(|i| Example::new(format!("post {i}"), false))
            .collect();
        let err = TrainConfig::default().fit(&data).unwrap_err();
        assert!(matches!(err.kind(), crate::ErrorKind::Training { .. }));
    }

    #[test]
    fn refuses_bad_ngram_settings_before_training() {
        let data: Vec<Example> = (0..10)
            .map(|i| Example::new(format!("post {i}"), i % 2 == 0))
            .collect();
        let with = |f: fn(&mut NgramConfig)| {
            let mut ngram = NgramConfig::default();
            f(&mut ngram);
            TrainConfig::default().ngram(ngram)
        };
        for (cfg, field) in [
            (with(|n| n.buckets = 1000), "buckets"),
            (with(|n| n.buckets = 8), "buckets"),
            (with(|n| n.char = (5, 3)), "ngram"),
            (with(|n| n.word = (2, 1)), "ngram"),
            (with(|n| n.char = (3, 9)), "char_ngrams"),
        ] {
            let err = cfg.fit(&data).unwrap_err();
            match err.kind() {
                crate::ErrorKind::InvalidConfig { field: f, .. } => assert_eq!(*f, field),
                other => panic!("{cfg:?} gave {other:?}"),
            }
        }
    }
}
