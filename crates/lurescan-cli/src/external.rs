//! Loaders for the external data sets in `../shared/data/` (read by path, never copied).
//!
//! Each loader turns one file into labelled posts, following what the data's README says the
//! set is good for, and leaves out what would mislead a model: headline-only fact-check rows,
//! job-board layout lines, misleading domestic ads that are not compound lures, rows that repeat
//! another file's. Splits come from [`assign_splits`] over each set (templates stay together).

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::dataset::{LabelledPost, assign_splits};

/// The external sets, by the name used in `shared:NAME`.
pub const NAMES: &[(&str, &str)] = &[
    (
        "lokerid",
        "id-jobs-lokerid.csv: honest Indonesian job-board posts (label 0)",
    ),
    (
        "kh-jobs",
        "kh-jobs.csv: honest job posts from Cambodian boards (label 0)",
    ),
    (
        "sea-scam",
        "sea-job-scam-messages.csv: task scams and fake recruitment (1) vs other SMS (0)",
    ),
    (
        "factcheck",
        "id-factcheck-hoaxes.csv: fact-checked fake job ads (1) vs other hoaxes (0)",
    ),
    (
        "scam-talk",
        "id-scam-talk.csv: Indonesians talking about scams (label 0)",
    ),
    (
        "sms",
        "id-sms-spam.csv: informal Indonesian SMS, chat and non-job spam (label 0)",
    ),
    (
        "emscad",
        "emscad-*.csv: English recruitment fraud (1) and legitimate ads (0)",
    ),
    (
        "zh-jobs",
        "zh-jobs-orfd.csv: real Chinese job posts (label 0; fake-ad rows left out)",
    ),
];

type Row = std::collections::HashMap<String, String>;

fn read_csv(dir: &Path, file: &str) -> Result<Vec<Row>> {
    let path = dir.join(file);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let headers = rdr.headers()?.clone();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("cannot read {}", path.display()))?;
        rows.push(
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        );
    }
    Ok(rows)
}

fn get<'a>(row: &'a Row, key: &str) -> &'a str {
    row.get(key).map(String::as_str).unwrap_or("")
}

/// Cuts long board posts to about `max` bytes at a character boundary, so that length alone
/// does not separate job-board prose from short social posts.
fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Board layout lines that would teach "has an Address: line = honest".
fn strip_layout(text: &str) -> String {
    const LAYOUT: [&str; 14] = [
        "address:",
        "contact:",
        "closing date:",
        "location:",
        "schedule:",
        "environment:",
        "languages:",
        "career category:",
        "industry:",
        "education:",
        "workplace circumstances",
        "position circumstances",
        "phone:",
        "email:",
    ];
    text.lines()
        .filter(|l| {
            let l = l.trim().to_lowercase();
            !LAYOUT.iter().any(|p| l.starts_with(p))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Draft {
    id: String,
    text: String,
    label: bool,
    lang: String,
    kind: String,
}

/// Loads the external set `name` from `dir`.
pub fn load(dir: &Path, name: &str) -> Result<Vec<LabelledPost>> {
    let drafts: Vec<Draft> = match name {
        "lokerid" => read_csv(dir, "id-jobs-lokerid.csv")?
            .iter()
            .map(|r| Draft {
                id: format!("lokerid-{}", get(r, "Job ID")),
                text: clip(
                    &format!(
                        "{}\n{}\n{}",
                        get(r, "Title"),
                        get(r, "Company"),
                        get(r, "Description")
                    ),
                    1200,
                ),
                label: false,
                lang: "id".into(),
                kind: "local_job".into(),
            })
            .collect(),
        "kh-jobs" => read_csv(dir, "kh-jobs.csv")?
            .iter()
            // Two rows are marked as suspected lures by the data's author: neither label is
            // safe, so they are left out.
            .filter(|r| get(r, "kind") != "suspected_lure")
            .map(|r| Draft {
                id: format!("kh-{}", get(r, "id")),
                text: strip_layout(get(r, "text")),
                label: false,
                lang: get(r, "lang").into(),
                kind: if get(r, "kind") == "tender" {
                    "non_job"
                } else {
                    "abroad_job"
                }
                .into(),
            })
            .collect(),
        "sea-scam" => read_csv(dir, "sea-job-scam-messages.csv")?
            .iter()
            .map(|r| {
                let lang = match get(r, "lang") {
                    "taglish" => "tl",
                    l => l,
                };
                Draft {
                    id: format!("sea-{}", get(r, "id")),
                    text: get(r, "text").into(),
                    label: get(r, "label") == "1",
                    lang: lang.into(),
                    kind: get(r, "kind").into(),
                }
            })
            .collect(),
        "factcheck" => read_csv(dir, "id-factcheck-hoaxes.csv")?
            .iter()
            // Headline-only rows are the fact-checker's words, not the circulating post.
            .filter(|r| get(r, "text_source") == "narasi")
            .map(|r| Draft {
                id: format!("factcheck-{}", get(r, "id")),
                text: get(r, "claim_text").into(),
                label: get(r, "label") == "1",
                lang: "id".into(),
                kind: get(r, "kind").into(),
            })
            .collect(),
        "scam-talk" => read_csv(dir, "id-scam-talk.csv")?
            .iter()
            // Rows read as being ads themselves are neither warnings nor safe negatives.
            .filter(|r| get(r, "is_ad_guess") != "1")
            .map(|r| Draft {
                id: format!("scamtalk-{}", get(r, "id")),
                text: get(r, "text").into(),
                label: false,
                lang: "id".into(),
                kind: if get(r, "job_kw") == "1" {
                    "warning"
                } else {
                    "scam_talk"
                }
                .into(),
            })
            .collect(),
        "sms" => read_csv(dir, "id-sms-spam.csv")?
            .iter()
            .enumerate()
            .map(|(i, r)| Draft {
                id: format!("sms-{i}"),
                text: get(r, "Pesan").into(),
                label: false,
                lang: "id".into(),
                kind: if get(r, "Kategori") == "spam" {
                    "non_job_spam"
                } else {
                    "ham"
                }
                .into(),
            })
            .collect(),
        "emscad" => {
            let join = |r: &Row| {
                [
                    "title",
                    "company_profile",
                    "description",
                    "requirements",
                    "benefits",
                ]
                .iter()
                .map(|k| get(r, k))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
            };
            let mut d: Vec<Draft> = read_csv(dir, "emscad-fraud.csv")?
                .iter()
                .map(|r| Draft {
                    id: format!("emscad-f-{}", get(r, "job_id")),
                    text: clip(&join(r), 1500),
                    label: true,
                    lang: "en".into(),
                    kind: "emscad_fraud".into(),
                })
                .collect();
            // Legitimate ads from both other files; their fraud rows repeat emscad-fraud.csv.
            d.extend(
                read_csv(dir, "emscad-sample.csv")?
                    .iter()
                    .filter(|r| get(r, "fraudulent") == "0")
                    .map(|r| Draft {
                        id: format!("emscad-s-{}", get(r, "job_id")),
                        text: clip(&join(r), 1500),
                        label: false,
                        lang: "en".into(),
                        kind: "emscad_legit".into(),
                    }),
            );
            d.extend(
                read_csv(dir, "emscad-difraud.csv")?
                    .iter()
                    .filter(|r| get(r, "label") == "0")
                    .map(|r| Draft {
                        id: format!("emscad-d-{}", get(r, "id")),
                        text: clip(get(r, "text"), 1500),
                        label: false,
                        lang: "en".into(),
                        kind: "emscad_legit".into(),
                    }),
            );
            d
        }
        "zh-jobs" => read_csv(dir, "zh-jobs-orfd.csv")?
            .iter()
            // Label-1 rows are misleading domestic ads judged per company, not compound lures.
            .filter(|r| get(r, "label") == "0")
            .map(|r| Draft {
                id: format!("zh-{}", get(r, "id")),
                text: clip(get(r, "text"), 1200),
                label: false,
                lang: "zh-Hans".into(),
                kind: "local_job".into(),
            })
            .collect(),
        other => {
            let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
            bail!(
                "unknown external set {other:?}; known: {}",
                names.join(", ")
            )
        }
    };
    // Drop empty texts and exact repeats (by normalised text), keep the first.
    let normalizer = lurescan::Normalizer::new();
    let mut seen = std::collections::HashSet::new();
    let drafts: Vec<Draft> = drafts
        .into_iter()
        .filter(|d| !d.text.trim().is_empty())
        .filter(|d| seen.insert(normalizer.normalize(&d.text).as_str().to_string()))
        .collect();
    let texts: Vec<String> = drafts.iter().map(|d| d.text.clone()).collect();
    let splits = assign_splits(&texts);
    Ok(drafts
        .into_iter()
        .zip(splits)
        .map(|(d, split)| LabelledPost {
            id: d.id,
            text: d.text,
            label: d.label,
            lang: d.lang,
            kind: d.kind,
            source: name.to_string(),
            split,
        })
        .collect())
}

/// Keeps at most `cap` posts of each label from `posts` (chosen by a hash of the id, so the
/// choice is stable), for sets that would otherwise swamp the corpus in training.
pub fn cap_per_label(posts: Vec<LabelledPost>, cap: usize) -> Vec<LabelledPost> {
    let mut keyed: Vec<(u64, LabelledPost)> = posts
        .into_iter()
        .map(|p| (xxhash_rust::xxh3::xxh3_64_with_seed(p.id.as_bytes(), 11), p))
        .collect();
    keyed.sort_by_key(|(k, p)| (p.label, *k));
    let mut out = Vec::new();
    let (mut pos, mut neg) = (0, 0);
    for (_, p) in keyed {
        let n = if p.label { &mut pos } else { &mut neg };
        if *n < cap {
            *n += 1;
            out.push(p);
        }
    }
    out
}
