//! lurescan reads a social-media job post and says how likely it is to be a recruitment lure
//! for a scam compound or for human trafficking, and why, pointing at the words that gave it
//! away.
//!
//! # Overview
//!
//! Since 2021 tens of thousands of people from Indonesia and its neighbours answered posts
//! promising easy, well-paid work abroad (customer service, "operator komputer", data entry;
//! USD 1,000 a month; free tickets and visa; contact by WhatsApp) and ended up in compounds in
//! Cambodia, Myanmar or Laos, forced to run online scams. Honest posts share the words: real
//! call-centre jobs, NGO jobs in Phnom Penh, licensed placement programmes, and warnings about
//! the scams. lurescan tells them apart with a transparent pipeline:
//!
//! 1. **normalise** ([`Normalizer`]): Unicode NFKC, case folding, zero-width characters,
//!    homoglyphs, leetspeak and spaced-out letters, with a map back to the original bytes;
//! 2. **extract signals**: salaries with currency and period (converted to USD a month),
//!    travel perks, vague roles, destinations, contacts, pressure and requirement cues — from
//!    multilingual lexicons compiled into one aho-corasick automaton, and regexes where
//!    structure matters;
//! 3. **featurise** ([`FeatureExtractor`]): the named signals plus hashed word and character
//!    n-grams;
//! 4. **score** ([`Classifier::score`]): a logistic model, calibrated, with `ok` / `review` /
//!    `lure` thresholds stored in the model;
//! 5. **explain** ([`Classifier::explain`]): every fired signal with its weight, contribution
//!    and evidence spans in the original text; contributions plus intercept equal the logit.
//!
//! # Examples
//!
//! ```
//! use lurescan::{Classifier, Label};
//!
//! let clf = Classifier::bundled();
//! let post = "🔥LOKER LUAR NEGERI🔥 Dicari CS/admin, gaji 12jt/bln, tiket pesawat gratis, \
//!             kerja di K4mboja. Tanpa pengalaman! Minat WA 0812-3456-7890";
//! let score = clf.score(post);
//! println!("{:.2} {}", score.probability(), score.label());
//!
//! let why = clf.explain(post);
//! for reason in why.reasons.iter().take(3) {
//!     let words: Vec<&str> = reason.evidence.iter().map(|e| e.text.as_str()).collect();
//!     println!("{:+.2} {} {:?}", reason.contribution, reason.signal, words);
//! }
//! # assert!(score.label() != Label::Ok);
//! ```
//!
//! Batches are scored on all cores, in input order:
//!
//! ```
//! let clf = lurescan::Classifier::bundled();
//! let posts = vec!["Lowongan CS di Jakarta".to_string(), "Kerja di Kamboja gaji $1000".into()];
//! let scores = clf.score_batch(&posts);
//! assert_eq!(scores.len(), 2);
//! ```
//!
//! # Model files
//!
//! A model file is JSON (see [`ModelFile`]): format version, the fingerprint of the feature
//! specification it was trained for, weights, Platt calibration, thresholds, training
//! metadata and a checksum. The default model is embedded ([`Classifier::bundled`]);
//! [`Classifier::from_path`] loads another and refuses, with an error saying which, a file
//! that is corrupt, of another format version, or trained for other features.
//! [`train::TrainConfig`] trains new ones (feature `train`).
//!
//! # Untrusted input
//!
//! Posts are written by people who want to evade detection, and lurescan runs unattended over
//! millions of them, so scoring is built to take any text:
//!
//! - [`Classifier::score`], [`Classifier::explain`] and the batch methods never fail and never
//!   panic, whatever the `&str`: empty, huge, control characters, lone combining marks,
//!   bidi controls, private-use or unassigned code points;
//! - the probability is always finite and in `[0, 1]`;
//! - every evidence span lies within the original text, on character boundaries, and its `text`
//!   equals that slice;
//! - `score_batch(xs)[i] == score(xs[i])`, bit for bit, on any number of threads;
//! - invisible characters change nothing: zero-width spaces and joiners, soft hyphens, bidi
//!   controls, variation selectors and tag characters are dropped before anything else, so
//!   inserting them anywhere gives the same score;
//! - the work is linear in the length of the text (aho-corasick and the `regex` crate guarantee
//!   linear-time matching; the normaliser makes a bounded number of passes).
//!
//! These promises are checked by property tests (`tests/properties.rs`) and by the cargo-fuzz
//! targets in `fuzz/` (see `fuzz/README.md`). Obfuscation is folded (leetspeak, look-alike
//! letters, full-width forms, spaced, dotted or split letters, salaries in words); how much each
//! kind costs is measured by `tests/obfuscation.rs` and reported in `models/README.md`.
//!
//! One limit is by design of the current model, not a bug: the score reads the post as a whole,
//! so a lure buried in a long innocent text (a few kilobytes of ordinary posts around it) scores
//! far lower than the lure alone; see "Dilution" in `models/README.md`.
//!
//! Model files are untrusted input too: loading validates structure, lengths, finiteness,
//! thresholds and a checksum before anything is used, and refuses a bad file with an error that
//! says what is wrong ([`ErrorKind`]); it never panics on any bytes.
//!
//! # Crate features
//!
//! - `parallel` (default): batch scoring on all cores with rayon.
//! - `train` (default): training with linfa-logistic; scoring does not need it.

#![deny(missing_docs)]

mod classifier;
mod error;
mod extract;
mod features;
mod lexicon;
mod model;
mod normalize;
#[cfg(feature = "train")]
pub mod train;
mod windows;

pub use classifier::{Classifier, Evidence, Explanation, Label, Reason, Score};
pub use error::{Error, ErrorKind, Result};
pub use extract::{Channel, Contact, Money, Period, Value};
pub use features::{FeatureExtractor, Features, NgramConfig};
pub use model::{Calibration, FORMAT_VERSION, ModelFile, PlattMethod, Thresholds, Weights};
pub use normalize::{Normalized, Normalizer};

/// Stage-by-stage entry points for the benchmarks in `benches/`. Not part of the API: no
/// stability promise, may change in any release.
#[doc(hidden)]
pub mod __bench {
    use crate::FeatureExtractor;

    /// The phrases of the lexicon automaton, normalised, in pattern order.
    pub fn lexicon_phrases(fx: &FeatureExtractor) -> Vec<String> {
        fx.signals.lexicon_phrases().to_vec()
    }

    /// Stage 2 alone: extracts the signals of already normalised text; returns how many
    /// signals fired and how many pieces of evidence were found.
    pub fn extract_signals(fx: &FeatureExtractor, normalized: &str) -> (usize, usize) {
        let a = fx.analyze_normalized(normalized);
        (a.0.iter().filter(|&&f| f).count(), a.1)
    }

    /// Stage 3 alone: the hashed n-gram buckets of already normalised text.
    pub fn ngrams(fx: &FeatureExtractor, normalized: &str) -> Vec<(u32, f32)> {
        fx.ngrams(normalized)
    }
}

#[cfg(test)]
mod autotraits {
    use super::*;

    fn assert_all<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}

    #[test]
    fn public_types_are_send_sync_unwind_safe() {
        assert_all::<Classifier>();
        assert_all::<FeatureExtractor>();
        assert_all::<Normalizer>();
        assert_all::<Explanation>();
        assert_all::<Score>();
        assert_all::<ModelFile>();
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Error>();
    }
}
