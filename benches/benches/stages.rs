//! Criterion benches of each stage of the pipeline and of the whole, on the corpus posts and on
//! long posts of 5–20 KB, with `Throughput::Bytes`. Each bench checks its answer once before it
//! is timed, so it cannot get fast by going wrong.
//!
//! ```text
//! cargo bench -p lurescan-benches --bench stages
//! ```

// criterion_main! generates an undocumented `main`.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lurescan::{Classifier, Features, Normalizer};
use lurescan_benches::{corpus_posts, long_posts, total_bytes};
use std::hint::black_box;

struct Mix {
    name: &'static str,
    posts: Vec<String>,
    normalized: Vec<String>,
    features: Vec<Features>,
    /// Posts labelled `lure` by the bundled model: the answer every stage must agree with.
    lures: usize,
}

fn mixes(clf: &Classifier) -> Vec<Mix> {
    let corpus = corpus_posts();
    let long = long_posts(&corpus);
    let n = Normalizer::new();
    [("corpus", corpus), ("long", long)]
        .into_iter()
        .map(|(name, posts)| {
            let normalized = posts
                .iter()
                .map(|p| n.normalize(p).as_str().to_string())
                .collect();
            let features: Vec<Features> =
                posts.iter().map(|p| clf.extractor().extract(p)).collect();
            let lures = posts.iter().filter(|p| clf.score(p).is_lure()).count();
            assert!(lures > 0, "{name}: some posts are lures");
            Mix {
                name,
                posts,
                normalized,
                features,
                lures,
            }
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let clf = Classifier::bundled();
    let fx = clf.extractor();
    let normalizer = Normalizer::new();
    for mix in mixes(&clf) {
        let bytes = total_bytes(&mix.posts);
        let mut g = c.benchmark_group(format!("stage/{}", mix.name));
        g.throughput(Throughput::Bytes(bytes));
        g.sample_size(10);
        g.warm_up_time(std::time::Duration::from_secs(1));
        g.measurement_time(std::time::Duration::from_secs(3));

        // Answers, checked once before timing.
        let normalized_len: usize = mix.normalized.iter().map(String::len).sum();
        let fired: usize = mix
            .normalized
            .iter()
            .map(|t| lurescan::__bench::extract_signals(fx, t).0)
            .sum();
        let buckets: usize = mix.features.iter().map(|f| f.ngrams.len()).sum();
        let reasons: usize = mix.posts.iter().map(|p| clf.explain(p).reasons.len()).sum();
        assert_eq!(fired, reasons, "every fired signal is a reason");

        g.bench_function(BenchmarkId::new("normalize", mix.name), |b| {
            b.iter(|| {
                let n: usize = mix
                    .posts
                    .iter()
                    .map(|p| normalizer.normalize(black_box(p)).as_str().len())
                    .sum();
                assert_eq!(n, normalized_len);
            })
        });
        g.bench_function(BenchmarkId::new("extract", mix.name), |b| {
            b.iter(|| {
                let n: usize = mix
                    .normalized
                    .iter()
                    .map(|t| lurescan::__bench::extract_signals(fx, black_box(t)).0)
                    .sum();
                assert_eq!(n, fired);
            })
        });
        g.bench_function(BenchmarkId::new("featurize", mix.name), |b| {
            b.iter(|| {
                let n: usize = mix
                    .normalized
                    .iter()
                    .map(|t| lurescan::__bench::ngrams(fx, black_box(t)).len())
                    .sum();
                assert_eq!(n, buckets);
            })
        });
        g.bench_function(BenchmarkId::new("score", mix.name), |b| {
            b.iter(|| {
                let n = mix
                    .features
                    .iter()
                    .filter(|f| clf.score_features(black_box(f)).is_lure())
                    .count();
                assert_eq!(n, mix.lures);
            })
        });
        g.bench_function(BenchmarkId::new("explain", mix.name), |b| {
            b.iter(|| {
                let n: usize = mix
                    .posts
                    .iter()
                    .map(|p| clf.explain(black_box(p)).reasons.len())
                    .sum();
                assert_eq!(n, reasons);
            })
        });
        g.bench_function(BenchmarkId::new("end_to_end", mix.name), |b| {
            b.iter(|| {
                let n = mix
                    .posts
                    .iter()
                    .filter(|p| clf.score(black_box(p)).is_lure())
                    .count();
                assert_eq!(n, mix.lures);
            })
        });
        g.bench_function(BenchmarkId::new("score_batch", mix.name), |b| {
            b.iter(|| {
                let n = clf
                    .score_batch(black_box(&mix.posts))
                    .iter()
                    .filter(|s| s.is_lure())
                    .count();
                assert_eq!(n, mix.lures);
            })
        });
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
