//! `lurescan eval`: measure a model (or another system's scores) on labelled data.
//!
//! Every post is scored once with [`lurescan::Classifier::score_batch`] (or its score is read
//! from `--scores`), then grouped: overall, per data source (`corpus` or the external set's
//! name), and within each of those per language and per kind. Each group gets the metrics of
//! [`crate::metrics::GroupMetrics`]. Only the worst `--worst N` false positives and false
//! negatives are explained.
//!
//! - false positives: non-lures at or above the `review` threshold, highest score first;
//! - false negatives: lures below the `lure` threshold, lowest score first.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::dataset::{LabelledPost, Split};
use crate::metrics::{GroupMetrics, Scored, Thresholds};

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Labelled data: corpus JSONL files or shared:NAME external sets.
    #[arg(required = true, value_name = "SPEC")]
    specs: Vec<String>,
    /// Only posts of this split (repeatable: train, validation, test). Default: every split.
    #[arg(long, value_name = "SPLIT")]
    split: Vec<String>,
    /// A model file instead of the embedded default model.
    #[arg(long, conflicts_with = "scores")]
    model: Option<PathBuf>,
    /// Read the scores of another system from JSONL ({"id", "source", "score"} per line,
    /// matched to the posts on source and id) instead of scoring with a model.
    #[arg(long, requires = "thresholds", value_name = "FILE")]
    scores: Option<PathBuf>,
    /// The review and lure thresholds of the system that made --scores.
    #[arg(long, requires = "scores", value_name = "REVIEW,LURE", value_parser = parse_thresholds)]
    thresholds: Option<Thresholds>,
    /// The name of the evaluated system in the reports (default: "lurescan", or the stem of
    /// the --scores file).
    #[arg(long)]
    name: Option<String>,
    /// Write the metrics as JSON to this file.
    #[arg(long, value_name = "OUT.json")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report (charts, confusion matrices, worst cases) to this file.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// How many of the worst false positives and false negatives to explain.
    #[arg(long, default_value_t = 15, value_name = "N")]
    worst: usize,
}

fn parse_thresholds(s: &str) -> std::result::Result<Thresholds, String> {
    let (a, b) = s
        .split_once(',')
        .ok_or_else(|| format!("expected REVIEW,LURE, got {s:?}"))?;
    let parse = |x: &str| {
        x.trim()
            .parse::<f64>()
            .map_err(|_| format!("{x:?} is not a number"))
    };
    let (review, lure) = (parse(a)?, parse(b)?);
    if !(0.0..=1.0).contains(&review) || !(0.0..=1.0).contains(&lure) || review > lure {
        return Err(format!(
            "thresholds must satisfy 0 ≤ REVIEW ≤ LURE ≤ 1, got {review},{lure}"
        ));
    }
    Ok(Thresholds { review, lure })
}

/// The whole JSON report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub lurescan_version: &'static str,
    pub system: System,
    pub thresholds: Thresholds,
    pub data: DataInfo,
    /// Every post together, with `by_lang` and `by_kind` across sources.
    pub overall: Block,
    /// Per data source: `corpus` or the external set's name.
    pub sources: BTreeMap<String, Block>,
    pub worst: Worst,
}

/// What was evaluated.
#[derive(Debug, Serialize)]
pub struct System {
    /// The name shown in the reports.
    pub name: String,
    /// `model` (scored here) or `scores` (read from a file).
    pub kind: &'static str,
    /// The model file, or `bundled`; `null` for scores.
    pub model: Option<String>,
    /// The model file's checksum; `null` for scores.
    pub model_checksum: Option<String>,
    /// The scores file; `null` for a model.
    pub scores_file: Option<String>,
}

/// Which data.
#[derive(Debug, Serialize)]
pub struct DataInfo {
    pub specs: Vec<String>,
    /// The splits kept; empty means every split.
    pub splits: Vec<&'static str>,
    pub n: usize,
    /// How many of the posts are from the train split (a warning sign for held-out figures).
    pub n_train_split: usize,
}

/// The metrics of a group, and the same per language and per kind within it.
#[derive(Debug, Serialize)]
pub struct Block {
    #[serde(flatten)]
    pub metrics: GroupMetrics,
    pub by_lang: BTreeMap<String, GroupMetrics>,
    pub by_kind: BTreeMap<String, GroupMetrics>,
}

/// The worst errors.
#[derive(Debug, Serialize)]
pub struct Worst {
    /// Non-lures at or above the review threshold, highest score first.
    pub false_positives: Vec<Case>,
    /// Lures below the lure threshold, lowest score first.
    pub false_negatives: Vec<Case>,
}

/// One badly scored post (its text is left out of the JSON; the HTML report shows it).
#[derive(Debug, Serialize)]
pub struct Case {
    pub id: String,
    pub source: String,
    pub lang: String,
    pub kind: String,
    pub label: u8,
    pub score: f64,
    /// `ok`, `review` or `lure` at the stored thresholds.
    pub predicted: &'static str,
    /// The model's reasons, largest contribution first; `null` for --scores.
    pub reasons: Option<Vec<CaseReason>>,
}

#[derive(Debug, Serialize)]
pub struct CaseReason {
    pub signal: String,
    pub contribution: f64,
    pub evidence: Vec<String>,
}

/// A badly scored post with what the HTML report needs.
pub struct WorstCase<'a> {
    pub post: &'a LabelledPost,
    pub score: f64,
    pub explanation: Option<lurescan::Explanation>,
}

/// Everything a report is made from.
pub struct Evaluation<'a> {
    pub report: Report,
    pub posts: &'a [LabelledPost],
    pub scores: &'a [f64],
    pub false_positives: Vec<WorstCase<'a>>,
    pub false_negatives: Vec<WorstCase<'a>>,
}

pub fn predicted(score: f64, t: Thresholds) -> &'static str {
    if score >= t.lure {
        "lure"
    } else if score >= t.review {
        "review"
    } else {
        "ok"
    }
}

pub fn run(args: EvalArgs) -> Result<()> {
    let splits = crate::data::parse_splits(&args.split)?;
    let posts = crate::data::load_specs(&args.specs, &splits)?;
    if posts.is_empty() {
        bail!(
            "no labelled posts in {}{}",
            args.specs.join(" "),
            if splits.is_empty() {
                String::new()
            } else {
                format!(" (splits {})", split_names(&splits).join(", "))
            }
        );
    }
    let n_train_split = posts.iter().filter(|p| p.split == Split::Train).count();
    if n_train_split > 0 {
        eprintln!(
            "lurescan: note: {n_train_split} of {} posts are from the train split; pass \
             --split test for held-out figures",
            posts.len()
        );
    }

    let (clf, scores, thresholds, system) = match (&args.scores, args.thresholds) {
        (Some(path), Some(t)) => {
            let scores = read_scores(path, &posts)?;
            let name = args.name.clone().unwrap_or_else(|| {
                path.file_stem()
                    .map_or_else(|| "scores".into(), |s| s.to_string_lossy().into_owned())
            });
            let system = System {
                name,
                kind: "scores",
                model: None,
                model_checksum: None,
                scores_file: Some(path.display().to_string()),
            };
            (None, scores, t, system)
        }
        _ => {
            let clf = crate::load_model(args.model.as_deref())?;
            let texts: Vec<&str> = posts.iter().map(|p| p.text.as_str()).collect();
            let scores: Vec<f64> = clf
                .score_batch(&texts)
                .iter()
                .map(lurescan::Score::probability)
                .collect();
            let t = clf.thresholds();
            let system = System {
                name: args.name.clone().unwrap_or_else(|| "lurescan".into()),
                kind: "model",
                model: Some(
                    args.model
                        .as_ref()
                        .map_or_else(|| "bundled".into(), |p| p.display().to_string()),
                ),
                model_checksum: Some(clf.model_file().checksum.clone()),
                scores_file: None,
            };
            let t = Thresholds {
                review: t.review,
                lure: t.lure,
            };
            (Some(clf), scores, t, system)
        }
    };

    let evaluation = evaluate(
        &posts,
        &scores,
        thresholds,
        system,
        DataInfo {
            specs: args.specs.clone(),
            splits: split_names(&splits),
            n: posts.len(),
            n_train_split,
        },
        clf.as_ref(),
        args.worst,
    );

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    crate::report::write_text(&mut out, &evaluation.report)?;
    out.flush()?;
    if let Some(path) = &args.json {
        let mut json = serde_json::to_string_pretty(&evaluation.report)?;
        json.push('\n');
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        let html = crate::report::render_html(&evaluation)?;
        std::fs::write(path, html).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn split_names(splits: &[Split]) -> Vec<&'static str> {
    splits.iter().map(|s| s.as_str()).collect()
}

/// Groups, measures and picks the worst cases (explaining them when a model is given).
pub fn evaluate<'a>(
    posts: &'a [LabelledPost],
    scores: &'a [f64],
    t: Thresholds,
    system: System,
    data: DataInfo,
    clf: Option<&lurescan::Classifier>,
    worst: usize,
) -> Evaluation<'a> {
    let all: Vec<usize> = (0..posts.len()).collect();
    let overall = block(posts, scores, &all, t);
    let mut by_source: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in posts.iter().enumerate() {
        by_source.entry(p.source.as_str()).or_default().push(i);
    }
    let sources = by_source
        .into_iter()
        .map(|(s, idx)| (s.to_string(), block(posts, scores, &idx, t)))
        .collect();

    let mut fp: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| !posts[i].label && scores[i] >= t.review)
        .collect();
    fp.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    fp.truncate(worst);
    let mut fn_: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| posts[i].label && scores[i] < t.lure)
        .collect();
    fn_.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    fn_.truncate(worst);
    let cases = |idx: &[usize]| -> Vec<WorstCase<'a>> {
        let explanations = clf.map(|c| {
            let texts: Vec<&str> = idx.iter().map(|&i| posts[i].text.as_str()).collect();
            c.explain_batch(&texts)
        });
        idx.iter()
            .enumerate()
            .map(|(k, &i)| WorstCase {
                post: &posts[i],
                score: scores[i],
                explanation: explanations.as_ref().map(|e| e[k].clone()),
            })
            .collect()
    };
    let false_positives = cases(&fp);
    let false_negatives = cases(&fn_);
    let to_json = |cases: &[WorstCase<'_>]| -> Vec<Case> {
        cases
            .iter()
            .map(|c| Case {
                id: c.post.id.clone(),
                source: c.post.source.clone(),
                lang: c.post.lang.clone(),
                kind: c.post.kind.clone(),
                label: u8::from(c.post.label),
                score: c.score,
                predicted: predicted(c.score, t),
                reasons: c.explanation.as_ref().map(|e| {
                    e.reasons
                        .iter()
                        .map(|r| CaseReason {
                            signal: r.signal.clone(),
                            contribution: r.contribution,
                            evidence: r.evidence.iter().map(|ev| ev.text.clone()).collect(),
                        })
                        .collect()
                }),
            })
            .collect()
    };
    let report = Report {
        lurescan_version: env!("CARGO_PKG_VERSION"),
        system,
        thresholds: t,
        data,
        overall,
        sources,
        worst: Worst {
            false_positives: to_json(&false_positives),
            false_negatives: to_json(&false_negatives),
        },
    };
    Evaluation {
        report,
        posts,
        scores,
        false_positives,
        false_negatives,
    }
}

/// The scores and labels of the posts `idx`.
pub fn scored(posts: &[LabelledPost], scores: &[f64], idx: &[usize]) -> Scored {
    let mut s = Scored::default();
    for &i in idx {
        s.push(scores[i], posts[i].label);
    }
    s
}

/// The group of `idx`, per language and per kind.
fn block(posts: &[LabelledPost], scores: &[f64], idx: &[usize], t: Thresholds) -> Block {
    let by = |key: fn(&LabelledPost) -> &str| -> BTreeMap<String, GroupMetrics> {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in idx {
            groups.entry(key(&posts[i])).or_default().push(i);
        }
        groups
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    GroupMetrics::compute(&scored(posts, scores, &v), t),
                )
            })
            .collect()
    };
    Block {
        metrics: GroupMetrics::compute(&scored(posts, scores, idx), t),
        by_lang: by(|p| &p.lang),
        by_kind: by(|p| &p.kind),
    }
}

#[derive(Deserialize)]
struct ScoreLine {
    id: serde_json::Value,
    source: String,
    score: f64,
}

fn id_string(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Reads `{"id", "source", "score"}` lines and returns the score of each post, in order.
/// Every post must have a score; lines for other posts are ignored.
fn read_scores(path: &Path, posts: &[LabelledPost]) -> Result<Vec<f64>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut by_key: HashMap<(String, String), f64> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: ScoreLine = serde_json::from_str(line).with_context(|| {
            format!(
                "{}:{}: expected {{\"id\", \"source\", \"score\"}}",
                path.display(),
                i + 1
            )
        })?;
        if !(0.0..=1.0).contains(&r.score) {
            bail!(
                "{}:{}: score {} is not a probability in [0, 1]",
                path.display(),
                i + 1,
                r.score
            );
        }
        let key = (r.source, id_string(r.id));
        if by_key.insert(key.clone(), r.score).is_some() {
            bail!(
                "{}:{}: a second score for source {:?}, id {:?}",
                path.display(),
                i + 1,
                key.0,
                key.1
            );
        }
    }
    let mut missing = Vec::new();
    let scores = posts
        .iter()
        .map(|p| {
            by_key
                .get(&(p.source.clone(), p.id.clone()))
                .copied()
                .unwrap_or_else(|| {
                    missing.push(format!("{}/{}", p.source, p.id));
                    f64::NAN
                })
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} of {} posts have no score in {} (first: {})",
            missing.len(),
            posts.len(),
            path.display(),
            missing[..missing.len().min(5)].join(", ")
        );
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_thresholds() {
        assert_eq!(
            parse_thresholds("0.3,0.8"),
            Ok(Thresholds {
                review: 0.3,
                lure: 0.8
            })
        );
        assert!(parse_thresholds("0.8,0.3").is_err());
        assert!(parse_thresholds("0.3").is_err());
        assert!(parse_thresholds("x,0.3").is_err());
        assert!(parse_thresholds("0.3,1.5").is_err());
    }

    #[test]
    fn predicted_labels_include_the_threshold() {
        let t = Thresholds {
            review: 0.3,
            lure: 0.8,
        };
        assert_eq!(predicted(0.29, t), "ok");
        assert_eq!(predicted(0.3, t), "review");
        assert_eq!(predicted(0.8, t), "lure");
    }
}
