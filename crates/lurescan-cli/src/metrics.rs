//! The metrics of `lurescan eval`, on one group of scored posts.
//!
//! ROC-AUC, the precision–recall curve and its average precision, confusion matrices and the
//! Brier score (the mean squared error of the probability) come from the `eval-metrics` crate.
//! What no crate gives is written here: operating points read off the PR curve (recall at a
//! minimum precision, precision at a minimum recall), the reliability bins and the expected
//! calibration error.
//!
//! A metric that is undefined on a group (an AUC where one class is missing, a precision where
//! nothing is flagged) is `None`, which the JSON report writes as `null`: never NaN.

use eval_metrics::classification::{BinaryConfusionMatrix, PrCurve, PrPoint, RocCurve};
use serde::Serialize;

/// Equal-width bins of the reliability diagram and the expected calibration error.
pub const CALIBRATION_BINS: usize = 10;
/// The minimum precisions at which recall is reported.
pub const PRECISION_TARGETS: [f64; 3] = [0.9, 0.95, 0.99];
/// The minimum recalls at which precision is reported.
pub const RECALL_TARGETS: [f64; 2] = [0.9, 0.95];

/// Scores (probabilities in [0, 1], finite) and labels (`true` for a lure) of one group.
#[derive(Debug, Clone, Default)]
pub struct Scored {
    pub scores: Vec<f64>,
    pub labels: Vec<bool>,
}

impl Scored {
    pub fn push(&mut self, score: f64, label: bool) {
        self.scores.push(score);
        self.labels.push(label);
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|l| **l).count()
    }

    /// Whether both classes are present, so that ranking metrics are defined.
    pub fn has_both_classes(&self) -> bool {
        let p = self.positives();
        p > 0 && p < self.len()
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Area under the ROC curve; `None` unless both classes are present. Ties count one half, so
/// constant scores give 0.5.
pub fn roc_auc(s: &Scored) -> Option<f64> {
    if !s.has_both_classes() {
        return None;
    }
    match RocCurve::compute(&s.scores, &s.labels) {
        Ok(curve) => finite(curve.auc()),
        // With both classes and finite scores the only failure is a single distinct score.
        Err(_) => Some(0.5),
    }
}

/// The precision–recall curve, highest threshold first: one point per distinct score at which
/// recall rises (the highest-precision point for each recall). `None` unless both classes are
/// present.
pub fn pr_curve(s: &Scored) -> Option<PrCurve<f64>> {
    if !s.has_both_classes() {
        return None;
    }
    PrCurve::compute(&s.scores, &s.labels).ok()
}

/// Average precision, `Σ (R_k − R_{k−1}) P_k` over the PR curve (scikit-learn's
/// `average_precision_score`, without interpolation).
pub fn average_precision(curve: &PrCurve<f64>) -> Option<f64> {
    // With both classes the curve has at least the point of recall 1.
    if curve.points.is_empty() {
        return None;
    }
    finite(curve.ap())
}

/// An operating point on the PR curve: flag every post scoring at or above `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OperatingPoint {
    pub precision: Option<f64>,
    pub recall: f64,
    /// `None` when no threshold reaches the target: then nothing is flagged and recall is 0.
    pub threshold: Option<f64>,
}

/// The highest recall at which precision is at least `min_precision`.
///
/// When no threshold reaches that precision, recall is 0 (flag nothing) and the threshold and
/// precision are `None`.
pub fn recall_at_precision(points: &[PrPoint<f64>], min_precision: f64) -> OperatingPoint {
    points
        .iter()
        .filter(|p| p.precision >= min_precision)
        .max_by(|a, b| a.recall.total_cmp(&b.recall))
        .map_or(
            OperatingPoint {
                precision: None,
                recall: 0.0,
                threshold: None,
            },
            |p| OperatingPoint {
                precision: Some(p.precision),
                recall: p.recall,
                threshold: Some(p.threshold),
            },
        )
}

/// The highest precision at which recall is at least `min_recall` (the lowest-threshold point
/// always has recall 1, so this exists on any non-empty curve).
pub fn precision_at_recall(points: &[PrPoint<f64>], min_recall: f64) -> Option<OperatingPoint> {
    points
        .iter()
        .filter(|p| p.recall >= min_recall)
        // On equal precision prefer the higher recall (the later point).
        .max_by(|a, b| {
            a.precision
                .total_cmp(&b.precision)
                .then(a.recall.total_cmp(&b.recall))
        })
        .map(|p| OperatingPoint {
            precision: Some(p.precision),
            recall: p.recall,
            threshold: Some(p.threshold),
        })
}

/// Mean squared difference between probability and label; `None` on an empty group.
pub fn brier(s: &Scored) -> Option<f64> {
    let y: Vec<f64> = s.labels.iter().map(|&l| f64::from(u8::from(l))).collect();
    eval_metrics::regression::mse(&s.scores, &y).ok()
}

/// One bin of the reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Scores in `[lo, hi)` (the last bin includes 1).
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
    /// Mean score in the bin; `None` when the bin is empty.
    pub mean_score: Option<f64>,
    /// Share of lures in the bin; `None` when the bin is empty.
    pub positive_rate: Option<f64>,
}

/// [`CALIBRATION_BINS`] equal-width bins over [0, 1].
pub fn calibration_bins(s: &Scored) -> Vec<CalibrationBin> {
    let k = CALIBRATION_BINS;
    let mut n = vec![0usize; k];
    let mut sum = vec![0.0f64; k];
    let mut pos = vec![0usize; k];
    for (&p, &y) in s.scores.iter().zip(&s.labels) {
        // `as usize` saturates, so 1.0 falls in the last bin with the `min`.
        let b = ((p * k as f64) as usize).min(k - 1);
        n[b] += 1;
        sum[b] += p;
        pos[b] += usize::from(y);
    }
    (0..k)
        .map(|b| CalibrationBin {
            lo: b as f64 / k as f64,
            hi: (b + 1) as f64 / k as f64,
            n: n[b],
            mean_score: (n[b] > 0).then(|| sum[b] / n[b] as f64),
            positive_rate: (n[b] > 0).then(|| pos[b] as f64 / n[b] as f64),
        })
        .collect()
}

/// Expected calibration error: `Σ_b (n_b / N) |mean score_b − positive rate_b|` over the bins.
pub fn expected_calibration_error(bins: &[CalibrationBin]) -> Option<f64> {
    let total: usize = bins.iter().map(|b| b.n).sum();
    if total == 0 {
        return None;
    }
    let ece = bins
        .iter()
        .filter_map(|b| Some(b.n as f64 * (b.mean_score? - b.positive_rate?).abs()))
        .sum::<f64>()
        / total as f64;
    finite(ece)
}

/// Counts at one threshold (a post is flagged when its score is at or above it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

/// Precision, recall and F1 at one stored threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtThreshold {
    pub threshold: f64,
    /// `None` when nothing is flagged.
    pub precision: Option<f64>,
    /// `None` when the group has no lures.
    pub recall: Option<f64>,
    /// `None` when precision or recall is.
    pub f1: Option<f64>,
    /// Share of the group flagged.
    pub flag_rate: Option<f64>,
    pub confusion: Confusion,
}

pub fn at_threshold(s: &Scored, threshold: f64) -> AtThreshold {
    let m = BinaryConfusionMatrix::compute(&s.scores, &s.labels, threshold).ok();
    let confusion = m.map_or(
        Confusion {
            tp: 0,
            fp: 0,
            tn: 0,
            fn_: 0,
        },
        |m| Confusion {
            tp: m.tp_count,
            fp: m.fp_count,
            tn: m.tn_count,
            fn_: m.fn_count,
        },
    );
    let flagged = confusion.tp + confusion.fp;
    AtThreshold {
        threshold,
        precision: m.and_then(|m| m.precision().ok()),
        recall: m.and_then(|m| m.recall().ok()),
        f1: m.and_then(|m| m.f1().ok()),
        flag_rate: (s.len() > 0).then(|| flagged as f64 / s.len() as f64),
        confusion,
    }
}

/// The two stored thresholds of a model (or of the system whose scores are read).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    pub review: f64,
    pub lure: f64,
}

/// Metrics at the `review` and `lure` thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdMetrics {
    pub review: AtThreshold,
    pub lure: AtThreshold,
}

/// Operating points keyed by their target, e.g. `"0.95"`.
pub type Targets = std::collections::BTreeMap<String, OperatingPoint>;

/// Everything `lurescan eval` reports on one group of posts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMetrics {
    pub n: usize,
    pub positives: usize,
    pub negatives: usize,
    /// Share of lures; `None` on an empty group.
    pub base_rate: Option<f64>,
    /// `false` when the group holds one class only: then the ranking metrics (`roc_auc`,
    /// `pr_auc`, `recall_at_precision`, `precision_at_recall`) are `null` and `flag_rate` and
    /// `mean_score` are what to read.
    pub both_classes: bool,
    pub roc_auc: Option<f64>,
    /// Average precision.
    pub pr_auc: Option<f64>,
    pub mean_score: Option<f64>,
    /// Share of the group at or above each threshold.
    pub flag_rate: FlagRate,
    pub thresholds: ThresholdMetrics,
    pub recall_at_precision: Option<Targets>,
    pub precision_at_recall: Option<Targets>,
    pub brier: Option<f64>,
    pub ece: Option<f64>,
    pub reliability: Vec<CalibrationBin>,
}

/// Share of a group flagged at each threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FlagRate {
    pub review: Option<f64>,
    pub lure: Option<f64>,
}

/// `0.9` → `"0.9"`, `0.95` → `"0.95"`: the key of a target in the JSON.
pub fn target_key(t: f64) -> String {
    format!("{t}")
}

impl GroupMetrics {
    pub fn compute(s: &Scored, t: Thresholds) -> GroupMetrics {
        let n = s.len();
        let positives = s.positives();
        let curve = pr_curve(s);
        let review = at_threshold(s, t.review);
        let lure = at_threshold(s, t.lure);
        let reliability = calibration_bins(s);
        GroupMetrics {
            n,
            positives,
            negatives: n - positives,
            base_rate: (n > 0).then(|| positives as f64 / n as f64),
            both_classes: s.has_both_classes(),
            roc_auc: roc_auc(s),
            pr_auc: curve.as_ref().and_then(average_precision),
            mean_score: (n > 0).then(|| s.scores.iter().sum::<f64>() / n as f64),
            flag_rate: FlagRate {
                review: review.flag_rate,
                lure: lure.flag_rate,
            },
            thresholds: ThresholdMetrics { review, lure },
            recall_at_precision: curve.as_ref().map(|c| {
                let c = &c.points;
                PRECISION_TARGETS
                    .iter()
                    .map(|&p| (target_key(p), recall_at_precision(c, p)))
                    .collect()
            }),
            precision_at_recall: curve.as_ref().map(|c| {
                let c = &c.points;
                RECALL_TARGETS
                    .iter()
                    .filter_map(|&r| Some((target_key(r), precision_at_recall(c, r)?)))
                    .collect()
            }),
            brier: brier(s),
            ece: expected_calibration_error(&reliability),
            reliability,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(pairs: &[(f64, bool)]) -> Scored {
        let mut s = Scored::default();
        for &(p, y) in pairs {
            s.push(p, y);
        }
        s
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// 3 lures, 3 others; hand-computed below.
    fn small() -> Scored {
        scored(&[
            (0.9, true),
            (0.8, false),
            (0.7, true),
            (0.4, true),
            (0.3, false),
            (0.1, false),
        ])
    }

    #[test]
    fn roc_auc_counts_ordered_pairs() {
        // Pairs (lure, other) ranked right: 0.9 beats all 3, 0.7 beats 2, 0.4 beats 2 → 7/9.
        assert!(close(roc_auc(&small()).unwrap(), 7.0 / 9.0));
        // A tie counts one half: lures {0.5, 0.9}, others {0.5, 0.1} → (1 + 0.5 + 1 + 1) / 4.
        let tied = scored(&[(0.5, true), (0.9, true), (0.5, false), (0.1, false)]);
        assert!(close(roc_auc(&tied).unwrap(), 3.5 / 4.0));
        let constant = scored(&[(0.5, true), (0.5, false), (0.5, false)]);
        assert_eq!(roc_auc(&constant), Some(0.5));
        assert_eq!(roc_auc(&scored(&[(0.2, false), (0.9, false)])), None);
        assert_eq!(roc_auc(&Scored::default()), None);
    }

    #[test]
    fn roc_auc_agrees_with_linfa() {
        use linfa::metrics::BinaryClassification;
        let s = scored(&[
            (0.91, true),
            (0.85, false),
            (0.66, true),
            (0.4, true),
            (0.35, false),
            (0.12, false),
            (0.05, false),
            (0.72, true),
        ]);
        let pr: Vec<linfa::dataset::Pr> = s
            .scores
            .iter()
            .map(|&p| linfa::dataset::Pr::new(p as f32))
            .collect();
        let linfa_auc = pr.as_slice().roc(&s.labels).unwrap().area_under_curve();
        assert!((roc_auc(&s).unwrap() - f64::from(linfa_auc)).abs() < 1e-6);
    }

    #[test]
    fn average_precision_by_hand() {
        // Descending: 0.9 ✓ (P 1, R 1/3), 0.8 ✗, 0.7 ✓ (P 2/3, R 2/3), 0.4 ✓ (P 3/4, R 1).
        // AP = 1/3·1 + 1/3·2/3 + 1/3·3/4.
        let c = pr_curve(&small()).unwrap();
        let ap = average_precision(&c).unwrap();
        assert!(close(ap, (1.0 + 2.0 / 3.0 + 0.75) / 3.0));
        // Perfect and reversed rankings.
        let perfect = scored(&[(0.9, true), (0.8, true), (0.2, false), (0.1, false)]);
        assert!(close(
            average_precision(&pr_curve(&perfect).unwrap()).unwrap(),
            1.0
        ));
        assert!(close(roc_auc(&perfect).unwrap(), 1.0));
        let reversed = scored(&[(0.1, true), (0.2, true), (0.8, false), (0.9, false)]);
        assert!(close(roc_auc(&reversed).unwrap(), 0.0));
        // Reversed: lures at ranks 3 and 4 → AP = 1/2·1/3 + 1/2·2/4.
        let ap = average_precision(&pr_curve(&reversed).unwrap()).unwrap();
        assert!(close(ap, 0.5 / 3.0 + 0.25));
        assert!(pr_curve(&scored(&[(0.3, true), (0.4, true)])).is_none());
    }

    #[test]
    fn operating_points_by_hand() {
        let c = pr_curve(&small()).unwrap().points;
        // Precision ≥ 0.9 only at the top post: recall 1/3 at threshold 0.9.
        let op = recall_at_precision(&c, 0.9);
        assert!(close(op.recall, 1.0 / 3.0));
        assert_eq!(op.threshold, Some(0.9));
        // Precision ≥ 0.7: 0.4 gives P 3/4 and R 1.
        let op = recall_at_precision(&c, 0.7);
        assert!(close(op.recall, 1.0));
        assert_eq!(op.threshold, Some(0.4));
        // Unreachable precision: flag nothing.
        let none = recall_at_precision(&[], 0.99);
        assert_eq!((none.recall, none.threshold), (0.0, None));
        // Recall ≥ 0.9 needs threshold 0.4: precision 3/4. Recall ≥ 0.5: best is 3/4 too
        // (2/3 at 0.7 is lower).
        let op = precision_at_recall(&c, 0.9).unwrap();
        assert!(close(op.precision.unwrap(), 0.75));
        assert_eq!(op.threshold, Some(0.4));
        let op = precision_at_recall(&c, 0.3).unwrap();
        assert!(close(op.precision.unwrap(), 1.0));
        assert!(precision_at_recall(&[], 0.9).is_none());
    }

    #[test]
    fn brier_and_ece_by_hand() {
        let s = small();
        // (0.1² + 0.8² + 0.3² + 0.6² + 0.3² + 0.1²) / 6
        let b = (0.01 + 0.64 + 0.09 + 0.36 + 0.09 + 0.01) / 6.0;
        assert!(close(brier(&s).unwrap(), b));
        // Each post sits alone in its bin, so ECE = mean |p − y| = (0.1+0.8+0.3+0.6+0.3+0.1)/6.
        let bins = calibration_bins(&s);
        assert_eq!(bins.len(), CALIBRATION_BINS);
        assert_eq!(bins.iter().map(|b| b.n).sum::<usize>(), 6);
        assert!(close(expected_calibration_error(&bins).unwrap(), 2.2 / 6.0));
        // Two posts sharing a bin: mean score 0.25 against a positive rate of 0.5.
        let s = scored(&[(0.21, true), (0.29, false), (1.0, true)]);
        let bins = calibration_bins(&s);
        assert_eq!(bins[2].n, 2);
        assert_eq!(bins[9].n, 1, "a score of 1 falls in the last bin");
        assert!(close(
            expected_calibration_error(&bins).unwrap(),
            2.0 * 0.25 / 3.0
        ));
        assert_eq!(
            expected_calibration_error(&calibration_bins(&Scored::default())),
            None
        );
        assert_eq!(brier(&Scored::default()), None);
    }

    #[test]
    fn thresholds_and_undefined_values() {
        let s = small();
        let t = at_threshold(&s, 0.5);
        // Flagged: 0.9 ✓, 0.8 ✗, 0.7 ✓.
        assert_eq!(
            t.confusion,
            Confusion {
                tp: 2,
                fp: 1,
                tn: 2,
                fn_: 1
            }
        );
        assert!(close(t.precision.unwrap(), 2.0 / 3.0));
        assert!(close(t.recall.unwrap(), 2.0 / 3.0));
        assert!(close(t.f1.unwrap(), 2.0 / 3.0));
        assert!(close(t.flag_rate.unwrap(), 0.5));
        // The threshold itself is flagged.
        assert_eq!(at_threshold(&s, 0.7).confusion.tp, 2);
        // All non-lures, nothing flagged: precision and recall undefined.
        let neg = scored(&[(0.1, false), (0.2, false)]);
        let t = at_threshold(&neg, 0.5);
        assert_eq!((t.precision, t.recall, t.f1), (None, None, None));
        assert_eq!(t.flag_rate, Some(0.0));
        let g = GroupMetrics::compute(
            &neg,
            Thresholds {
                review: 0.15,
                lure: 0.5,
            },
        );
        assert!(!g.both_classes);
        assert_eq!((g.roc_auc, g.pr_auc), (None, None));
        assert!(g.recall_at_precision.is_none() && g.precision_at_recall.is_none());
        assert_eq!(g.flag_rate.review, Some(0.5));
        assert!(close(g.mean_score.unwrap(), 0.15));
        // No NaN anywhere in the JSON of an empty group.
        let empty = GroupMetrics::compute(
            &Scored::default(),
            Thresholds {
                review: 0.3,
                lure: 0.7,
            },
        );
        let json = serde_json::to_string(&empty).unwrap();
        assert!(!json.contains("NaN"), "{json}");
    }

    #[test]
    fn group_metrics_keys() {
        let g = GroupMetrics::compute(
            &small(),
            Thresholds {
                review: 0.35,
                lure: 0.75,
            },
        );
        let v = serde_json::to_value(&g).unwrap();
        assert!(v["recall_at_precision"]["0.95"]["recall"].is_number());
        assert!(v["precision_at_recall"]["0.9"]["precision"].is_number());
        assert!(v["thresholds"]["lure"]["confusion"]["fn"].is_number());
    }
}
