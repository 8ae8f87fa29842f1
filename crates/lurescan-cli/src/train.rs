//! `lurescan train`: fit a model on labelled data.

use std::path::PathBuf;

use anyhow::{Context, Result};
use lurescan::train::{Example, TrainConfig};
use sha2::{Digest, Sha256};

use crate::dataset::{LabelledPost, Split};

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// Labelled data: corpus JSONL files ({"text", "label": 0/1, "split"}) or shared:NAME
    /// external sets (see `lurescan data list`).
    #[arg(required = true)]
    data: Vec<String>,
    /// Where to write the model file.
    #[arg(short, long)]
    out: PathBuf,
    /// Fit on every split, not only `train` (thresholds then come from out-of-fold scores).
    #[arg(long)]
    all_splits: bool,
    /// Keep at most this many posts of each label from each shared:NAME set (the team's
    /// corpus must carry the target, not the neighbouring sets).
    #[arg(long, default_value_t = 150)]
    cap_external: usize,
    /// Candidate L2 regularisation strengths, comma-separated (one is chosen by
    /// cross-validation).
    #[arg(long, value_delimiter = ',')]
    alphas: Option<Vec<f64>>,
    /// Cross-validation folds.
    #[arg(long)]
    folds: Option<usize>,
    /// Optimiser iterations at most.
    #[arg(long)]
    max_iterations: Option<u64>,
    /// Minimum number of posts an n-gram bucket must occur in to become a feature.
    #[arg(long)]
    min_df: Option<u32>,
    /// Maximum number of n-gram features.
    #[arg(long)]
    max_ngram_features: Option<usize>,
    /// Seed of the fold assignment.
    #[arg(long)]
    seed: Option<u64>,
    /// Word n-gram sizes, smallest and largest (`0,0` for none).
    #[arg(long, value_name = "MIN,MAX", value_parser = parse_range)]
    word_ngrams: Option<(u8, u8)>,
    /// Character n-gram sizes, smallest and largest (`0,0` for none).
    #[arg(long, value_name = "MIN,MAX", value_parser = parse_range)]
    char_ngrams: Option<(u8, u8)>,
    /// Number of n-gram hash buckets (a power of two).
    #[arg(long)]
    buckets: Option<u32>,
}

fn parse_range(s: &str) -> std::result::Result<(u8, u8), String> {
    let (lo, hi) = s
        .split_once(',')
        .ok_or_else(|| format!("expected MIN,MAX (e.g. 3,4), got {s:?}"))?;
    let num = |t: &str| {
        t.trim()
            .parse::<u8>()
            .map_err(|e| format!("{t:?} is not a size from 0 to 255: {e}"))
    };
    Ok((num(lo)?, num(hi)?))
}

fn examples(posts: &[LabelledPost]) -> Vec<Example> {
    posts
        .iter()
        .map(|p| Example::new(p.text.clone(), p.label))
        .collect()
}

pub fn run(args: TrainArgs) -> Result<()> {
    let mut train = Vec::new();
    let mut validation = Vec::new();
    let mut digest = Sha256::new();
    let mut sources = serde_json::Map::new();
    for spec in &args.data {
        let mut posts = crate::dataset::load_spec(spec)?;
        if spec.starts_with("shared:") {
            posts = crate::external::cap_per_label(posts, args.cap_external);
        }
        let (mut t, mut v) = (0usize, 0usize);
        for p in posts {
            digest.update(p.id.as_bytes());
            digest.update([0, u8::from(p.label)]);
            digest.update(p.text.as_bytes());
            digest.update([0]);
            match (args.all_splits, p.split) {
                (true, _) | (false, Split::Train) => {
                    t += 1;
                    train.push(p)
                }
                (false, Split::Validation) => {
                    v += 1;
                    validation.push(p)
                }
                (false, Split::Test) => {}
            }
        }
        sources.insert(
            spec.clone(),
            serde_json::json!({"train": t, "validation": v}),
        );
    }
    let mut cfg = TrainConfig::default();
    if let Some(a) = args.alphas {
        cfg = cfg.alphas(a);
    }
    if let Some(n) = args.folds {
        cfg = cfg.folds(n);
    }
    if let Some(n) = args.max_iterations {
        cfg = cfg.max_iterations(n);
    }
    if let Some(n) = args.min_df {
        cfg = cfg.min_df(n);
    }
    if let Some(n) = args.max_ngram_features {
        cfg = cfg.max_ngram_features(n);
    }
    if let Some(s) = args.seed {
        cfg = cfg.seed(s);
    }
    let mut ngram = cfg.ngram.clone();
    if let Some(w) = args.word_ngrams {
        ngram.word = w;
    }
    if let Some(c) = args.char_ngrams {
        ngram.char = c;
    }
    if let Some(b) = args.buckets {
        ngram.buckets = b;
    }
    cfg = cfg.ngram(ngram);
    let hash: String = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let meta = serde_json::json!({
        "specs": args.data,
        "data": sources,
        "all_splits": args.all_splits,
        "cap_external": args.cap_external,
        "data_sha256": hash,
    });
    eprintln!(
        "lurescan: training on {} posts, thresholds on {} validation posts",
        train.len(),
        validation.len()
    );
    let clf = cfg.fit_with_validation(&examples(&train), &examples(&validation), meta)?;
    clf.save(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let t = clf.thresholds();
    let cv = &clf.model_file().training["cross_validation"];
    eprintln!(
        "lurescan: wrote {} (alpha {}, review at {:.3}, lure at {:.3})",
        args.out.display(),
        cv["chosen_alpha"],
        t.review,
        t.lure
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_parse_or_say_what_is_wrong() {
        assert_eq!(parse_range("3,5"), Ok((3, 5)));
        assert_eq!(parse_range(" 0 , 0 "), Ok((0, 0)));
        for (bad, says) in [
            ("3", "expected MIN,MAX"),
            ("3-5", "expected MIN,MAX"),
            ("a,4", "\"a\" is not a size"),
            ("3,300", "\"300\" is not a size"),
        ] {
            let err = parse_range(bad).unwrap_err();
            assert!(err.contains(says), "{bad:?} gave {err:?}");
        }
    }
}
