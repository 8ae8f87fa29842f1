//! Shared inputs of the lurescan benchmarks: the corpus posts, long posts built from them, and
//! a JSONL reader. Used by the criterion benches (`benches/benches/*.rs`) and by the helper
//! program `lurescan-bench` that `benches/compare.sh` runs.

use std::path::{Path, PathBuf};

/// The directory of the labelled corpus (`corpus/posts/*.jsonl`).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/posts")
}

/// The `text` field of every record of a JSONL file, in file order. Lines that are blank, not
/// JSON or without a string `text` are skipped.
pub fn read_jsonl_texts(path: &Path) -> std::io::Result<Vec<String>> {
    let data = std::fs::read_to_string(path)?;
    Ok(jsonl_texts(&data))
}

/// The `text` field of every record of JSONL data.
pub fn jsonl_texts(data: &str) -> Vec<String> {
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect()
}

/// Every post of the corpus, files in name order.
///
/// # Panics
/// If the corpus directory cannot be read.
pub fn corpus_posts() -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus/posts is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| read_jsonl_texts(f).expect("corpus file is readable"))
        .collect()
}

/// One post of at least `bytes` bytes: corpus posts, starting at post `first`, joined by blank
/// lines (a long post as a forum thread or a pasted job board looks).
pub fn long_post(posts: &[String], first: usize, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 4096);
    let mut i = first;
    while out.len() < bytes {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&posts[i % posts.len()]);
        i += 1;
    }
    out
}

/// Forty long posts of 5, 10, 15 and 20 KB (ten of each), from different parts of the corpus.
pub fn long_posts(posts: &[String]) -> Vec<String> {
    (0..40)
        .map(|k| long_post(posts, k * 97, (5 + 5 * (k % 4)) * 1024))
        .collect()
}

/// The total length in bytes of `posts`.
pub fn total_bytes<S: AsRef<str>>(posts: &[S]) -> u64 {
    posts.iter().map(|p| p.as_ref().len() as u64).sum()
}
