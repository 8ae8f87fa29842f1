//! Linear time: one post of 100 KB, 1 MB and 10 MB built from corpus text, scored end to end,
//! with `Throughput::Bytes` so that MB/s can be compared across sizes (it should stay flat).
//! Group `repetitive`: 100 KB and 400 KB of runs that once made a regex search quadratic
//! (`1-1-1-…`, `1.1.1.…`, `a.a.a.…`); their MB/s too should stay flat across the two sizes.
//!
//! ```text
//! cargo bench -p lurescan-benches --bench linear
//! ```

// criterion_main! generates an undocumented `main`.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lurescan::Classifier;
use lurescan_benches::{corpus_posts, long_post};
use std::hint::black_box;

fn linear(c: &mut Criterion) {
    let clf = Classifier::bundled();
    let corpus = corpus_posts();
    let mut g = c.benchmark_group("linear");
    g.sample_size(10);
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.measurement_time(std::time::Duration::from_secs(5));
    for (name, bytes) in [("100KB", 100_000), ("1MB", 1_000_000), ("10MB", 10_000_000)] {
        let post = long_post(&corpus, 0, bytes);
        // The answer: a long thread full of lures and honest posts gets a finite score, and
        // the same one every time.
        let want = clf.score(&post);
        assert!((0.0..=1.0).contains(&want.probability()));
        g.throughput(Throughput::Bytes(post.len() as u64));
        g.bench_function(BenchmarkId::new("score", name), |b| {
            b.iter(|| assert_eq!(clf.score(black_box(&post)), want))
        });
    }
    g.finish();
}

fn repetitive(c: &mut Criterion) {
    let clf = Classifier::bundled();
    let mut g = c.benchmark_group("repetitive");
    g.sample_size(10);
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.measurement_time(std::time::Duration::from_secs(5));
    for unit in ["1-", "1.", "a."] {
        for (size, bytes) in [("100KB", 100_000), ("400KB", 400_000)] {
            let post = unit.repeat(bytes / unit.len());
            let want = clf.score(&post);
            assert!((0.0..=1.0).contains(&want.probability()));
            g.throughput(Throughput::Bytes(post.len() as u64));
            g.bench_function(BenchmarkId::new(format!("score {unit:?}"), size), |b| {
                b.iter(|| assert_eq!(clf.score(black_box(&post)), want))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, linear, repetitive);
criterion_main!(benches);
