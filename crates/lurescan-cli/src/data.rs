//! `lurescan data`: corpus and external-set tooling (assign splits, export, list).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::dataset::{self, LabelledPost, Split};

#[derive(clap::Args, Debug)]
pub struct DataArgs {
    #[command(subcommand)]
    command: DataCommand,
}

#[derive(clap::Subcommand, Debug)]
enum DataCommand {
    /// Assign the train/validation/test split of corpus files, in place: a hash of each
    /// near-duplicate group, computed over all the files together. Posts that have a split keep
    /// it; a new post joins the split of its near-duplicate group, or the group's hash.
    Split {
        /// Corpus JSONL files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Recompute every post's split from the hashes, moving posts that already have one
        /// (changes every reported figure: for a deliberate re-split only).
        #[arg(long)]
        reassign: bool,
    },
    /// Print labelled posts as JSONL (id, text, label, lang, kind, source, split).
    Export {
        /// JSONL files or shared:NAME external sets.
        #[arg(required = true)]
        specs: Vec<String>,
        /// Only this split (repeatable).
        #[arg(long)]
        split: Vec<String>,
        /// Keep at most this many posts of each label from each shared:NAME set, chosen as
        /// `lurescan train --cap-external` chooses them (so that another system can be trained
        /// on exactly the posts lurescan was). Default: every post.
        #[arg(long)]
        cap_external: Option<usize>,
    },
    /// List the external sets and whether ../shared/data is present.
    List,
}

pub fn run(args: DataArgs) -> Result<()> {
    match args.command {
        DataCommand::Split { files, reassign } => split_files(&files, reassign),
        DataCommand::Export {
            specs,
            split,
            cap_external,
        } => {
            let splits = parse_splits(&split)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for spec in &specs {
                let mut posts = dataset::load_spec(spec)?;
                if let (Some(cap), true) = (cap_external, spec.starts_with("shared:")) {
                    posts = crate::external::cap_per_label(posts, cap);
                }
                for p in posts {
                    if splits.is_empty() || splits.contains(&p.split) {
                        serde_json::to_writer(&mut out, &p)?;
                        out.write_all(b"\n")?;
                    }
                }
            }
            Ok(())
        }
        DataCommand::List => {
            // Written, not printed: a reader that goes away (`lurescan data list | head -n 1`)
            // ends the listing quietly instead of a panic.
            let mut out = std::io::stdout().lock();
            match dataset::shared_data_dir() {
                Some(d) => writeln!(out, "external data: {}", d.display())?,
                None => writeln!(out, "external data: not found (../shared/data)")?,
            }
            for (name, what) in crate::external::NAMES {
                writeln!(out, "shared:{name:<10} {what}")?;
            }
            Ok(())
        }
    }
}

pub fn parse_splits(names: &[String]) -> Result<Vec<Split>> {
    names
        .iter()
        .map(|s| Split::parse(s).with_context(|| format!("unknown split {s:?}")))
        .collect()
}

/// Rewrites each file with a `split` field from one grouping over all files.
fn split_files(files: &[PathBuf], reassign: bool) -> Result<()> {
    let mut all: Vec<(usize, serde_json::Map<String, serde_json::Value>)> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: malformed JSON", f.display(), i + 1))?;
            let serde_json::Value::Object(obj) = v else {
                anyhow::bail!("{}:{}: not an object", f.display(), i + 1);
            };
            all.push((fi, obj));
        }
    }
    let texts: Vec<String> = all
        .iter()
        .map(|(_, o)| {
            o.get("text")
                .and_then(|t| t.as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let splits = if reassign {
        dataset::assign_splits(&texts)
    } else {
        let existing: Vec<Option<dataset::Split>> = all
            .iter()
            .map(|(_, o)| {
                o.get("split")
                    .and_then(|s| s.as_str())
                    .and_then(dataset::Split::parse)
            })
            .collect();
        dataset::assign_splits_keeping(&texts, &existing)
    };
    let mut outs: Vec<String> = vec![String::new(); files.len()];
    let mut counts = std::collections::BTreeMap::new();
    for ((fi, mut obj), split) in all.into_iter().zip(splits) {
        obj.insert("split".into(), split.as_str().into());
        *counts.entry(split.as_str()).or_insert(0) += 1;
        outs[fi].push_str(&serde_json::to_string(&obj)?);
        outs[fi].push('\n');
    }
    for (f, out) in files.iter().zip(outs) {
        std::fs::write(f, out).with_context(|| format!("cannot write {}", f.display()))?;
    }
    eprintln!("lurescan: splits {counts:?}");
    Ok(())
}

/// Loads specs and keeps the given splits (all when empty).
pub fn load_specs(specs: &[String], splits: &[Split]) -> Result<Vec<LabelledPost>> {
    let mut out = Vec::new();
    for spec in specs {
        out.extend(
            dataset::load_spec(spec)?
                .into_iter()
                .filter(|p| splits.is_empty() || splits.contains(&p.split)),
        );
    }
    Ok(out)
}
