//! Arbitrary text through `score` and `explain`: no panic, a finite probability in [0, 1],
//! evidence spans on character boundaries whose text is the slice of the original.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lurescan::Classifier;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::bundled)
}

fuzz_target!(|text: &str| {
    let clf = classifier();
    let s = clf.score(text);
    let p = s.probability();
    assert!(p.is_finite() && (0.0..=1.0).contains(&p), "probability {p}");
    let e = clf.explain(text);
    assert_eq!(e.score.to_bits(), p.to_bits(), "explain and score disagree");
    for r in &e.reasons {
        for ev in &r.evidence {
            assert!(
                ev.start <= ev.end && ev.end <= text.len(),
                "span out of bounds"
            );
            assert!(text.is_char_boundary(ev.start) && text.is_char_boundary(ev.end));
            assert_eq!(ev.text, text[ev.start..ev.end]);
        }
    }
});
