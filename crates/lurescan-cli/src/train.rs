//! `lurescan train`: fit a model on labelled JSONL.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use lurescan::train::{Example, TrainConfig};
use sha2_shim::Sha256Hex;

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// Labelled JSONL files: one object per line with "text" and "label" (1 or true for a lure).
    #[arg(required = true)]
    data: Vec<PathBuf>,
    /// Where to write the model file.
    #[arg(short, long)]
    out: PathBuf,
    /// Use only records whose "split" field is one of these (e.g. --split train
    /// --split validation); records without the field are used unless a split is given.
    #[arg(long)]
    split: Vec<String>,
    /// L2 regularisation strength.
    #[arg(long)]
    alpha: Option<f64>,
    /// Optimiser iterations at most.
    #[arg(long)]
    max_iterations: Option<u64>,
    /// Minimum number of posts an n-gram bucket must occur in to become a feature.
    #[arg(long)]
    min_df: Option<u32>,
    /// Maximum number of n-gram features.
    #[arg(long)]
    max_ngram_features: Option<usize>,
    /// Seed of the calibration split.
    #[arg(long)]
    seed: Option<u64>,
}

pub fn run(args: TrainArgs) -> Result<()> {
    let mut examples = Vec::new();
    let mut digest = Sha256Hex::new();
    for path in &args.data {
        let f =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
            let line =
                line.with_context(|| format!("{}:{}: cannot read", path.display(), i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&line)
                .with_context(|| format!("{}:{}: malformed JSON", path.display(), i + 1))?;
            if !args.split.is_empty() {
                let split = v.get("split").and_then(|s| s.as_str()).unwrap_or("");
                if !args.split.iter().any(|s| s == split) {
                    continue;
                }
            }
            let text = v
                .get("text")
                .and_then(|t| t.as_str())
                .with_context(|| format!("{}:{}: no string \"text\"", path.display(), i + 1))?;
            let label = match v.get("label") {
                Some(serde_json::Value::Bool(b)) => *b,
                Some(serde_json::Value::Number(n)) if n.as_u64() == Some(1) => true,
                Some(serde_json::Value::Number(n)) if n.as_u64() == Some(0) => false,
                _ => bail!(
                    "{}:{}: \"label\" must be 0, 1, true or false",
                    path.display(),
                    i + 1
                ),
            };
            digest.update(line.as_bytes());
            digest.update(b"\n");
            examples.push(Example::new(text, label));
        }
    }
    let mut cfg = TrainConfig::default();
    if let Some(a) = args.alpha {
        cfg = cfg.alpha(a);
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
    let files: Vec<String> = args.data.iter().map(|p| p.display().to_string()).collect();
    let meta = serde_json::json!({
        "data": files,
        "splits": args.split,
        "data_sha256": digest.finish(),
    });
    eprintln!("lurescan: training on {} posts", examples.len());
    let clf = cfg.fit_with_metadata(&examples, meta)?;
    clf.save(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let t = clf.thresholds();
    eprintln!(
        "lurescan: wrote {} (review at {:.3}, lure at {:.3})",
        args.out.display(),
        t.review,
        t.lure
    );
    Ok(())
}

/// A tiny SHA-256 wrapper producing hex, over the `sha2` crate.
mod sha2_shim {
    use sha2::{Digest, Sha256};

    pub struct Sha256Hex(Sha256);

    impl Sha256Hex {
        pub fn new() -> Self {
            Sha256Hex(Sha256::new())
        }
        pub fn update(&mut self, b: &[u8]) {
            self.0.update(b);
        }
        pub fn finish(self) -> String {
            self.0
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        }
    }
}
