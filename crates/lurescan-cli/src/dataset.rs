//! Labelled data: the team's corpus (JSONL) and the external sets in `../shared/data/`, with
//! one deterministic train / validation / test split for all of them.
//!
//! The split of a post is decided by a hash of its *group*: posts whose normalised word
//! 3-grams overlap by Jaccard ≥ [`NEAR_DUP_JACCARD`] (after digits are masked, so templates
//! that differ only in phone numbers or amounts meet) are one group, and a group falls on one
//! side. So no near-duplicate of a test post sits in train.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Posts at least this similar (Jaccard of word 3-gram sets) are near-duplicates.
pub const NEAR_DUP_JACCARD: f64 = 0.5;
/// Seed of the split hash: changing it reshuffles every split.
const SPLIT_SEED: u64 = 0x5eed_1a2e;

/// Which part of the data a post belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// For fitting (and cross-validation).
    Train,
    /// For choosing thresholds.
    Validation,
    /// For reporting only.
    Test,
}

impl Split {
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<Split> {
        match s {
            "train" => Some(Split::Train),
            "validation" | "valid" | "val" => Some(Split::Validation),
            "test" => Some(Split::Test),
            _ => None,
        }
    }

    /// 70% train, 15% validation, 15% test, by a hash of the group key.
    fn from_key(key: &str) -> Split {
        match xxh3_64_with_seed(key.as_bytes(), SPLIT_SEED) % 100 {
            0..70 => Split::Train,
            70..85 => Split::Validation,
            _ => Split::Test,
        }
    }
}

/// One labelled post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledPost {
    pub id: String,
    pub text: String,
    /// `true` for a lure (or another job scam).
    pub label: bool,
    pub lang: String,
    pub kind: String,
    /// `corpus` or the external set's name.
    pub source: String,
    pub split: Split,
}

/// Normalised text with digits masked: what the split and near-duplicate checks compare.
pub fn split_text(normalizer: &lurescan::Normalizer, text: &str) -> String {
    normalizer
        .normalize(text)
        .as_str()
        .chars()
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .collect()
}

/// Hashed word 3-grams (word unigrams for posts of fewer than three words).
pub fn shingles(masked: &str) -> Vec<u64> {
    let words: Vec<&str> = masked.unicode_words().collect();
    let n = if words.len() >= 3 { 3 } else { 1 };
    let mut out: Vec<u64> = words
        .windows(n)
        .map(|w| xxh3_64_with_seed(w.join(" ").as_bytes(), 3))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Jaccard similarity of two sorted, distinct shingle lists.
#[cfg(test)]
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f64 / (a.len() + b.len() - inter) as f64
}

/// Groups near-duplicates and returns, for each text, the split of its group.
///
/// Candidate pairs come from an inverted index over shingles (shingles shared by more than
/// 200 posts are too common to say anything and are skipped), so this is far from quadratic on
/// real data.
pub fn assign_splits(texts: &[String]) -> Vec<Split> {
    let (groups, keys) = near_duplicate_groups(texts);
    groups.iter().map(|&g| Split::from_key(&keys[g])).collect()
}

/// Like [`assign_splits`], keeping the splits posts already have (`existing[i]`): a post
/// without one joins the split its near-duplicate group already holds (the first, in text
/// order, of the group's posts that have one), or the hash of its group when none of the group
/// has a split yet. A committed split thus stays fixed when posts are added or the normaliser
/// changes.
pub fn assign_splits_keeping(texts: &[String], existing: &[Option<Split>]) -> Vec<Split> {
    let (groups, keys) = near_duplicate_groups(texts);
    let mut held: HashMap<usize, Split> = HashMap::new();
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by(|&a, &b| texts[a].cmp(&texts[b]));
    for i in order {
        if let Some(s) = existing.get(i).copied().flatten() {
            held.entry(groups[i]).or_insert(s);
        }
    }
    (0..texts.len())
        .map(|i| {
            existing
                .get(i)
                .copied()
                .flatten()
                .or_else(|| held.get(&groups[i]).copied())
                .unwrap_or_else(|| Split::from_key(&keys[groups[i]]))
        })
        .collect()
}

/// The near-duplicate group of each text (an index into the returned keys) and each group's
/// key: its smallest masked text, so that neither depends on the order of the texts.
fn near_duplicate_groups(texts: &[String]) -> (Vec<usize>, Vec<String>) {
    let normalizer = lurescan::Normalizer::new();
    let masked: Vec<String> = texts.iter().map(|t| split_text(&normalizer, t)).collect();
    let sh: Vec<Vec<u64>> = masked.iter().map(|m| shingles(m)).collect();
    let mut parent: Vec<usize> = (0..texts.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    // Identical masked texts first.
    let mut by_text: HashMap<&str, usize> = HashMap::new();
    for (i, m) in masked.iter().enumerate() {
        if let Some(&j) = by_text.get(m.as_str()) {
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        } else {
            by_text.insert(m, i);
        }
    }
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, s) in sh.iter().enumerate() {
        for &h in s {
            index.entry(h).or_default().push(i);
        }
    }
    let mut shared: HashMap<(usize, usize), u32> = HashMap::new();
    let mut lists: Vec<&Vec<usize>> = index.values().filter(|l| l.len() <= 200).collect();
    lists.sort();
    for list in lists {
        for (k, &i) in list.iter().enumerate() {
            for &j in &list[k + 1..] {
                *shared.entry((i, j)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<((usize, usize), u32)> = shared.into_iter().collect();
    pairs.sort_unstable();
    for ((i, j), inter) in pairs {
        let union = sh[i].len() + sh[j].len() - inter as usize;
        if union > 0 && inter as f64 / union as f64 >= NEAR_DUP_JACCARD {
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    // The group's key is its smallest masked text, so the split does not depend on order.
    let mut group_of_root: HashMap<usize, usize> = HashMap::new();
    let mut keys: Vec<String> = Vec::new();
    let mut groups = Vec::with_capacity(texts.len());
    for (i, m) in masked.iter().enumerate() {
        let r = find(&mut parent, i);
        let g = *group_of_root.entry(r).or_insert_with(|| {
            keys.push(m.clone());
            keys.len() - 1
        });
        if m.as_str() < keys[g].as_str() {
            keys[g] = m.clone();
        }
        groups.push(g);
    }
    (groups, keys)
}

/// The corpus record format.
#[derive(Debug, Deserialize)]
struct CorpusRecord {
    id: serde_json::Value,
    text: String,
    label: serde_json::Value,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    split: Option<String>,
}

fn parse_label(v: &serde_json::Value) -> Option<bool> {
    match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// Reads labelled JSONL (`id`, `text`, `label`, optional `lang`, `kind`, `split`). Posts
/// without a `split` field get one from [`assign_splits`] over the file.
pub fn load_jsonl(path: &Path) -> Result<Vec<LabelledPost>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut posts = Vec::new();
    let mut missing_split = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: CorpusRecord = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a labelled record", path.display(), i + 1))?;
        let Some(label) = parse_label(&r.label) else {
            bail!(
                "{}:{}: label must be 0, 1, true or false",
                path.display(),
                i + 1
            );
        };
        let split = match r.split.as_deref() {
            Some(s) => Split::parse(s)
                .with_context(|| format!("{}:{}: unknown split {s:?}", path.display(), i + 1))?,
            None => {
                missing_split.push(posts.len());
                Split::Train
            }
        };
        posts.push(LabelledPost {
            id: match r.id {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            },
            text: r.text,
            label,
            lang: r.lang.unwrap_or_else(|| "unknown".into()),
            kind: r
                .kind
                .unwrap_or_else(|| if label { "lure" } else { "other" }.into()),
            source: "corpus".into(),
            split,
        });
    }
    if !missing_split.is_empty() {
        let texts: Vec<String> = posts.iter().map(|p| p.text.clone()).collect();
        let splits = assign_splits(&texts);
        for i in missing_split {
            posts[i].split = splits[i];
        }
    }
    Ok(posts)
}

/// Where the external data lives: `$LURESCAN_SHARED_DATA`, else `../shared/data` from the
/// current directory or from the repository root.
pub fn shared_data_dir() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("LURESCAN_SHARED_DATA") {
        let p = PathBuf::from(p);
        return p.is_dir().then_some(p);
    }
    let here = PathBuf::from("../shared/data");
    if here.is_dir() {
        return Some(here);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    root.is_dir().then_some(root)
}

/// Loads a data spec: a JSONL path, or `shared:NAME` for an external set (see
/// [`crate::external`]).
pub fn load_spec(spec: &str) -> Result<Vec<LabelledPost>> {
    match spec.strip_prefix("shared:") {
        Some(name) => {
            let dir = shared_data_dir().context(
                "the external data folder ../shared/data was not found (set LURESCAN_SHARED_DATA)",
            )?;
            crate::external::load(&dir, name)
        }
        None => load_jsonl(Path::new(spec)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_share_a_split() {
        let base = "Dicari CS untuk kerja di Kamboja gaji 12 juta tiket gratis hubungi WA";
        let mut texts: Vec<String> = (0..40)
            .map(|i| format!("{base} 0812{i:04} segera daftar kuota terbatas"))
            .collect();
        let words = [
            "gaji", "kerja", "admin", "pabrik", "toko", "jakarta", "surabaya", "sopir",
        ];
        texts.extend((0..200).map(|i| {
            let w = |k: usize| words[(i / 8usize.pow(k as u32)) % 8];
            format!(
                "{} {} {} {} lowongan baru",
                w(0),
                w(1),
                w(2),
                words[(i * 5) % 8]
            )
        }));
        let splits = assign_splits(&texts);
        assert!(splits[..40].iter().all(|s| *s == splits[0]));
        // The others spread over the three splits.
        let tests = splits[40..].iter().filter(|s| **s == Split::Test).count();
        assert!(tests > 10 && tests < 60, "{tests}");
    }

    /// The committed corpus: no test post has a near-duplicate in the training split.
    #[test]
    fn corpus_test_posts_have_no_near_duplicate_in_train() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus/posts");
        let mut posts = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                posts.extend(load_jsonl(&path).unwrap());
            }
        }
        assert!(posts.len() > 1500, "{} posts", posts.len());
        let normalizer = lurescan::Normalizer::new();
        let sh = |p: &LabelledPost| shingles(&split_text(&normalizer, &p.text));
        let train: Vec<Vec<u64>> = posts
            .iter()
            .filter(|p| p.split == Split::Train)
            .map(sh)
            .collect();
        let mut worst = 0.0f64;
        for p in posts.iter().filter(|p| p.split == Split::Test) {
            let s = sh(p);
            for t in &train {
                let j = jaccard(&s, t);
                assert!(
                    j < NEAR_DUP_JACCARD,
                    "test post {} has a near-duplicate in train ({j:.2})",
                    p.id
                );
                worst = worst.max(j);
            }
        }
        eprintln!("closest train post to any test post: Jaccard {worst:.2}");
    }

    /// The fresh checks (`corpus/fresh`, posts written after the default model): they carry no
    /// split, share no id with the corpus, hold both labels, and none is a near-duplicate of a
    /// corpus post, or it would not measure anything the test split does not.
    #[test]
    fn fresh_posts_are_new_and_unsplit() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        let read = |dir: &str| {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect();
            paths.sort();
            paths
        };
        let mut corpus = Vec::new();
        for path in read("posts") {
            corpus.extend(load_jsonl(&path).unwrap());
        }
        let mut fresh = Vec::new();
        for path in read("fresh") {
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                assert!(v.get("split").is_none(), "{}: {line:.60}", path.display());
            }
            fresh.extend(load_jsonl(&path).unwrap());
        }
        assert!(fresh.len() >= 100, "{} fresh posts", fresh.len());
        assert!(fresh.iter().any(|p| p.label) && fresh.iter().any(|p| !p.label));
        let ids: std::collections::HashSet<&str> = corpus.iter().map(|p| p.id.as_str()).collect();
        let normalizer = lurescan::Normalizer::new();
        let sh = |p: &LabelledPost| shingles(&split_text(&normalizer, &p.text));
        let corpus_sh: Vec<Vec<u64>> = corpus.iter().map(sh).collect();
        for p in &fresh {
            assert!(
                !ids.contains(p.id.as_str()),
                "{} is also in the corpus",
                p.id
            );
            let s = sh(p);
            for (t, q) in corpus_sh.iter().zip(&corpus) {
                let j = jaccard(&s, t);
                assert!(
                    j < NEAR_DUP_JACCARD,
                    "fresh post {} is a near-duplicate of {} ({j:.2})",
                    p.id,
                    q.id
                );
            }
        }
    }

    #[test]
    fn kept_splits_stay_and_new_posts_join_their_group() {
        let base = "Dicari admin online kerja di Kamboja gaji 12 juta tiket gratis hubungi WA";
        let texts = vec![
            base.to_string(),
            format!("{base} sekarang"),
            "Lowongan guru TK di Bandung, S1 PAUD, gaji UMR, kirim lamaran ke sekolah".to_string(),
        ];
        let fresh = assign_splits(&texts);
        // Give the first post a split other than its hash: it keeps it, and its near-duplicate
        // (without a split) joins it; the unrelated post gets its own hash.
        let other = if fresh[0] == Split::Test {
            Split::Train
        } else {
            Split::Test
        };
        let kept = assign_splits_keeping(&texts, &[Some(other), None, None]);
        assert_eq!(kept, vec![other, other, fresh[2]]);
        // Nothing to keep: the same as assign_splits.
        assert_eq!(assign_splits_keeping(&texts, &[None, None, None]), fresh);
    }

    #[test]
    fn split_does_not_depend_on_order() {
        let texts: Vec<String> = (0..50)
            .map(|i| format!("post {i} of many words here"))
            .collect();
        let mut rev = texts.clone();
        rev.reverse();
        let a = assign_splits(&texts);
        let mut b = assign_splits(&rev);
        b.reverse();
        assert_eq!(a, b);
    }
}
