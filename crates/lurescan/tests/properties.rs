//! Property tests over arbitrary and adversarial text (issue 7): scoring never panics, the
//! probability is finite and in [0, 1], evidence spans are valid slices of the original, batch
//! scoring equals one-by-one scoring on any number of threads, and invisible characters change
//! nothing.
//!
//! Case counts are modest so that the suite stays fast in debug builds; the fuzz targets in
//! `fuzz/` run the same checks for as long as one likes.

use std::sync::OnceLock;

use lurescan::{Classifier, Normalizer};
use proptest::prelude::*;

/// A decimal digit (Unicode `\d`) that is not ASCII.
static NON_ASCII_DIGIT: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"[\d--0-9]").unwrap());

fn clf() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::bundled)
}

/// Pieces of the text evaders and messy platforms produce.
const PIECES: &[&str] = &[
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    ".",
    "-",
    "/",
    "@",
    "*",
    "_",
    "!",
    "$",
    "4",
    "0",
    "1",
    "3",
    "12",
    "8.000.000",
    "๓๕,๐๐๐",
    "១២០០",
    "\u{00A0}",
    "\u{3000}",
    "1,500",
    "Rp",
    "rp ",
    "jt",
    "juta",
    "USD",
    "$1000",
    "k",
    "rb",
    "/bln",
    "k a m b o j a",
    "K.A.M",
    "w.a",
    "WA 0812-3456-7890",
    "+855 12 345 678",
    "t.me/",
    "wa.me/",
    "Kamboja",
    "K4mb0ja",
    "gaji",
    "tiket pesawat gratis",
    "visa",
    "customer service",
    "lương",
    "triệu",
    "tháng",
    "柬埔寨",
    "月薪",
    "캄보디아",
    "월급",
    "กัมพูชา",
    "เงินเดือน",
    "sahod",
    "\u{200B}",
    "\u{200C}",
    "\u{200D}",
    "\u{2060}",
    "\u{FEFF}",
    "\u{00AD}",
    "\u{034F}",
    "\u{202E}",
    "\u{202A}",
    "\u{200F}",
    "\u{061C}",
    "\u{0301}",
    "\u{0308}\u{0323}",
    "\u{031B}",
    "\u{20DD}",
    "\u{FE0F}",
    "\u{E0041}",
    "🇰🇭",
    "✈️",
    "💰",
    "👩🏽‍💻",
    "ＫＡＭＢＯＪＡ",
    "𝐊𝐚𝐦𝐛𝐨𝐣𝐚",
    "ﬁ",
    "Ⅻ",
    "㍱",
    "ǅ",
    "İ",
    "ß",
    "ﷺ",
    "\u{0000}",
    "\u{0085}",
    "\u{2028}",
    "שלום",
    "مرحبا",
    "\u{1160}",
    "\u{3164}",
    "ㅤ",
    "\u{10FFFF}",
];

/// A text built from adversarial pieces and arbitrary characters.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-zA-Z0-9 ]{1,8}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), tricky_text()]
}

fn check_explanation(text: &str) -> std::result::Result<(), TestCaseError> {
    let s = clf().score(text);
    let p = s.probability();
    prop_assert!(p.is_finite() && (0.0..=1.0).contains(&p), "probability {p}");
    let e = clf().explain(text);
    prop_assert_eq!(e.score.to_bits(), p.to_bits());
    for r in &e.reasons {
        prop_assert!(r.contribution.is_finite());
        for ev in &r.evidence {
            prop_assert!(ev.start <= ev.end && ev.end <= text.len());
            prop_assert!(text.is_char_boundary(ev.start) && text.is_char_boundary(ev.end));
            prop_assert_eq!(ev.text.as_str(), &text[ev.start..ev.end]);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn score_and_explain_are_total_and_spans_are_slices(text in any_text()) {
        check_explanation(&text)?;
    }

    #[test]
    fn normalised_spans_map_to_character_boundaries(text in any_text()) {
        let n = Normalizer::new().normalize(&text);
        let out = n.as_str();
        let bounds: Vec<usize> = out.char_indices().map(|(i, _)| i).chain([out.len()]).collect();
        for w in bounds.windows(2).take(200) {
            let (s, e) = n.original_span(w[0], w[1]);
            prop_assert!(s <= e && e <= text.len());
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        }
        let (s, e) = n.original_span(0, out.len());
        prop_assert!(s <= e && e <= text.len());
    }

    /// What the extractors' ASCII classes rely on: normalised text holds no digit but an ASCII
    /// one and no whitespace but the ASCII space.
    #[test]
    fn normalised_digits_and_spaces_are_ascii(text in any_text()) {
        let n = Normalizer::new().normalize(&text);
        for c in n.as_str().chars() {
            prop_assert!(c == ' ' || !c.is_whitespace(), "{:?} in {:?}", c, n.as_str());
        }
        prop_assert!(!NON_ASCII_DIGIT.is_match(n.as_str()), "a digit beyond ASCII in {:?}", n.as_str());
    }

    #[test]
    fn invisible_characters_change_nothing(
        text in tricky_text(),
        at in prop::collection::vec((any::<prop::sample::Index>(), 0..7usize), 1..12),
    ) {
        const INVISIBLE: [char; 7] =
            ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{202A}'];
        let mut chars: Vec<char> = text.chars().collect();
        for (i, k) in at {
            let pos = i.index(chars.len() + 1);
            chars.insert(pos, INVISIBLE[k]);
        }
        let dirty: String = chars.into_iter().collect();
        let (a, b) = (Normalizer::new().normalize(&dirty), Normalizer::new().normalize(&text));
        prop_assert_eq!(a.as_str(), b.as_str());
        prop_assert_eq!(clf().score(&dirty).probability(), clf().score(&text).probability());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn batch_equals_one_by_one_on_any_number_of_threads(
        texts in prop::collection::vec(any_text(), 0..24),
    ) {
        let one_by_one: Vec<u64> =
            texts.iter().map(|t| clf().score(t).probability().to_bits()).collect();
        let batch: Vec<u64> =
            clf().score_batch(&texts).iter().map(|s| s.probability().to_bits()).collect();
        prop_assert_eq!(&batch, &one_by_one);
        #[cfg(feature = "parallel")]
        for threads in [1, 2, 7] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let on_pool: Vec<u64> = pool.install(|| {
                clf().score_batch(&texts).iter().map(|s| s.probability().to_bits()).collect()
            });
            prop_assert_eq!(&on_pool, &one_by_one, "{} threads", threads);
        }
    }
}

/// Regression inputs: cases found by proptest or the fuzz targets, kept forever.
#[test]
fn regressions() {
    let cases = [
        "",
        "\u{0301}",
        "\u{200B}\u{200B}",
        "k a m b o j a 1",
        "4 4 4 4 4",
        "a.a.a.a.a.a.a.a.a.a",
        "@@@@@@",
        "ꜱ\u{0301}ǅ",
        "Rp 99999999999999999999999999999999999999999999999999 jt",
        "$1e308 juta",
        "dua puluh puluh juta",
        "gaji sembilan puluh sembilan juta rupiah per bulan",
    ];
    for text in cases {
        check_explanation(text).unwrap();
    }
}
