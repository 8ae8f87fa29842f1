//! Arbitrary bytes as a model file: refused with an error or loaded into a classifier whose
//! scores are finite and in [0, 1]; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lurescan::Classifier;

fuzz_target!(|data: &[u8]| {
    if let Ok(clf) = Classifier::from_slice(data) {
        for text in [
            "",
            "Kerja di Kamboja gaji 12jt WA 0812-3456-7890",
            "Lowongan CS Jakarta",
        ] {
            let p = clf.score(text).probability();
            assert!(p.is_finite() && (0.0..=1.0).contains(&p), "probability {p}");
        }
    }
});
