//! Helper program of `benches/compare.sh`: runs one contender on the posts of a JSONL file and
//! prints one JSON line with what it measured. Reading the file is not timed.
//!
//! ```text
//! lurescan-bench batch FILE [THREADS]   Classifier::score_batch (THREADS rayon threads, default all)
//! lurescan-bench loop FILE              Classifier::score, one post after the other, one thread
//! lurescan-bench ac FILE                one pass of an aho-corasick automaton of the lexicon phrases
//! lurescan-bench memchr FILE            memchr counting newlines over the same texts
//! lurescan-bench cold                   first Classifier::bundled() in this process (load + build)
//! lurescan-bench latency [N]            Classifier::score of one 2 KB post, N times: percentiles
//! lurescan-bench dump FILE              explanation and features of every post (output diffs)
//! ```
//!
//! Every timed run also prints its answer (labels counted, matches counted) so a contender
//! cannot get fast by going wrong.

use std::path::Path;
use std::time::Instant;

use aho_corasick::{AhoCorasickBuilder, MatchKind};
use lurescan::{Classifier, Label};
use lurescan_benches::{corpus_posts, long_post, read_jsonl_texts, total_bytes};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("batch") => batch(path(arg(1)), arg(2).map(|t| t.parse().expect("THREADS"))),
        Some("loop") => score_loop(path(arg(1))),
        Some("ac") => ac(path(arg(1))),
        Some("memchr") => newlines(path(arg(1))),
        Some("cold") => cold(),
        Some("latency") => latency(arg(1).map_or(20_000, |n| n.parse().expect("N"))),
        Some("dump") => dump(path(arg(1))),
        _ => {
            eprintln!("usage: lurescan-bench batch|loop|ac|memchr|dump FILE, cold, latency [N]");
            std::process::exit(2);
        }
    }
}

fn path(p: Option<&str>) -> &Path {
    Path::new(p.unwrap_or_else(|| {
        eprintln!("a JSONL file is needed");
        std::process::exit(2)
    }))
}

fn texts(p: &Path) -> Vec<String> {
    read_jsonl_texts(p).unwrap_or_else(|e| {
        eprintln!("{}: {e}", p.display());
        std::process::exit(1)
    })
}

fn report(what: &str, posts: usize, bytes: u64, secs: f64, answer: &str) {
    println!(
        "{{\"what\":\"{what}\",\"posts\":{posts},\"bytes\":{bytes},\"secs\":{secs:.6},\"answer\":\"{answer}\"}}"
    );
}

fn lures(scores: impl Iterator<Item = Label>) -> usize {
    scores.filter(|&l| l == Label::Lure).count()
}

fn batch(p: &Path, threads: Option<usize>) {
    let posts = texts(p);
    let clf = Classifier::bundled();
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().expect("thread pool");
    let t = Instant::now();
    let scores = pool.install(|| clf.score_batch(&posts));
    let secs = t.elapsed().as_secs_f64();
    let n = lures(scores.iter().map(|s| s.label()));
    let what = format!("score_batch/{}", pool.current_num_threads());
    report(
        &what,
        posts.len(),
        total_bytes(&posts),
        secs,
        &format!("lure={n}"),
    );
}

fn score_loop(p: &Path) {
    let posts = texts(p);
    let clf = Classifier::bundled();
    let t = Instant::now();
    let n = lures(posts.iter().map(|s| clf.score(s).label()));
    let secs = t.elapsed().as_secs_f64();
    report(
        "score_loop",
        posts.len(),
        total_bytes(&posts),
        secs,
        &format!("lure={n}"),
    );
}

fn ac(p: &Path) {
    let posts = texts(p);
    let clf = Classifier::bundled();
    let phrases = lurescan::__bench::lexicon_phrases(clf.extractor());
    // The lexicon's own automaton settings: standard semantics, every overlapping match.
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(&phrases)
        .expect("automaton");
    let t = Instant::now();
    let mut matches = 0usize;
    for post in &posts {
        matches += automaton.find_overlapping_iter(post.as_str()).count();
    }
    let secs = t.elapsed().as_secs_f64();
    let answer = format!("matches={matches} patterns={}", phrases.len());
    report(
        "aho-corasick",
        posts.len(),
        total_bytes(&posts),
        secs,
        &answer,
    );
}

fn newlines(p: &Path) {
    let posts = texts(p);
    let t = Instant::now();
    let n: usize = posts
        .iter()
        .map(|s| memchr::memchr_iter(b'\n', s.as_bytes()).count())
        .sum();
    let secs = t.elapsed().as_secs_f64();
    report(
        "memchr",
        posts.len(),
        total_bytes(&posts),
        secs,
        &format!("newlines={n}"),
    );
}

fn cold() {
    let t = Instant::now();
    let clf = Classifier::bundled();
    let built = t.elapsed().as_secs_f64();
    let s = clf.score("warm up");
    let first = t.elapsed().as_secs_f64();
    println!(
        "{{\"what\":\"cold\",\"load_build_secs\":{built:.6},\"first_score_secs\":{first:.6},\"p\":{:.4}}}",
        s.probability()
    );
}

fn latency(n: usize) {
    let posts = corpus_posts();
    let post = long_post(&posts, 0, 2048);
    let post = &post[..floor_boundary(&post, 2048)];
    let clf = Classifier::bundled();
    for _ in 0..200 {
        std::hint::black_box(clf.score(post));
    }
    let mut ns: Vec<u64> = Vec::with_capacity(n);
    let mut label = Label::Ok;
    for _ in 0..n {
        let t = Instant::now();
        label = std::hint::black_box(clf.score(std::hint::black_box(post))).label();
        ns.push(t.elapsed().as_nanos() as u64);
    }
    ns.sort_unstable();
    let pct = |q: f64| ns[((ns.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    println!(
        "{{\"what\":\"latency\",\"bytes\":{},\"n\":{n},\"p50_us\":{:.1},\"p90_us\":{:.1},\"p99_us\":{:.1},\"p999_us\":{:.1},\"label\":\"{label}\"}}",
        post.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(0.999)
    );
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn dump(p: &Path) {
    let mut posts = texts(p);
    let corpus = corpus_posts();
    posts.extend(lurescan_benches::long_posts(&corpus));
    let clf = Classifier::bundled();
    let fx = clf.extractor();
    let normalizer = lurescan::Normalizer::new();
    for post in &posts {
        let e = clf.explain(post);
        let f = fx.extract(post);
        let s = clf.score(post);
        let line = serde_json::json!({
            "score": s.probability(),
            "logit": s.logit(),
            "label": s.label(),
            "explain": e,
            "signals": f.signals,
            "ngrams": f.ngrams,
            "normalized": normalizer.normalize(post).as_str(),
        });
        println!("{line}");
    }
}
