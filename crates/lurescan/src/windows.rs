//! Long posts are also scored in windows, so that innocent padding cannot wash a lure out.
//!
//! The model sees a post as a bag of named signals and an L2-normalised block of n-grams. In a
//! long post, a short lure is a small share of the n-grams and an honest marker anywhere (a
//! warning word, a qualification) weighs against lure signals anywhere else: a lure followed by
//! a kilobyte of chatter scored below `review`. So a post longer than [`LONG_POST`] bytes is
//! scored as a whole *and* in windows, and its score is the highest of these: a lure anywhere
//! in a post makes the post a lure, and the explanation is that of the window that scored.
//!
//! The windows are
//! - [`WINDOW`] bytes long, every [`STRIDE`] bytes (each byte in three windows), and
//!   [`SMALL_WINDOW`] bytes long, every [`SMALL_STRIDE`] bytes (three more), their edges moved
//!   to whitespace within [`SNAP`] bytes so that words are not cut. A stretch of up to
//!   `SMALL_WINDOW − SMALL_STRIDE` = 128 bytes lies whole in a small window with at most
//!   64 bytes of its neighbours, and one of up to `WINDOW − STRIDE` = 256 bytes (a typical
//!   lure) in a window with at most 128 bytes of them, less what the edges move, even when it
//!   is glued to padding with spaces. (With the large windows alone, a 150-byte lure glued to
//!   chatter shared its best window with over 200 bytes of it: with a model of 20,000 n-gram
//!   columns, 5.8% of the flagged lures of the test split glued to 5 KB of chatter fell below
//!   `review`; see models/README.md, Dilution.)
//! - every paragraph (text between blank lines) of 64 to 1,024 bytes, so that a lure written as
//!   its own paragraph is scored without its neighbours.
//!
//! Of the whitespace within reach, an edge takes the first (a start) or last (an end) where
//! the window can be read off the whole post's normalisation, which is cheaper than
//! normalising the window alone (see [`plain_edge`] and `Classifier::best_window`).
//!
//! A window is read in its [`context`], the window and up to [`CONTEXT`] bytes around it: when
//! that reads as a warning or a report and the window alone does not, the window is scored as
//! its context, so that a long news report that retells a lure is not scored by the retold lure
//! alone.
//!
//! Lengths are bytes of the normalised post (see [`Layout`]): obfuscation that normalisation
//! folds away neither makes a post long nor shortens what its windows hold.
//!
//! The work stays linear in the length of the post: about eight passes over a long post (and,
//! in a post that reads as a warning somewhere, one more pass per window over its context).

use std::ops::Range;

use crate::normalize::plain_edge;

/// Posts longer than this many bytes are also scored in windows.
pub(crate) const LONG_POST: usize = 1024;
/// The length of a sliding window, in bytes.
pub(crate) const WINDOW: usize = 384;
/// The distance between the starts of neighbouring sliding windows, in bytes.
pub(crate) const STRIDE: usize = 128;
/// The length of a small sliding window, in bytes.
pub(crate) const SMALL_WINDOW: usize = 192;
/// The distance between the starts of neighbouring small windows, in bytes.
pub(crate) const SMALL_STRIDE: usize = 64;
/// How far a window's edge may move to reach whitespace, in bytes.
pub(crate) const SNAP: usize = 48;
/// How far around a window its context reaches, in bytes (see [`context`]).
pub(crate) const CONTEXT: usize = 512;
/// Paragraphs shorter than this are not scored on their own.
const MIN_PARAGRAPH: usize = 64;
/// Nor are paragraphs longer than this (the sliding windows cover them).
const MAX_PARAGRAPH: usize = 1024;

/// The windows of a long post, their lengths in bytes of the post.
///
/// The lengths above ([`WINDOW`], [`STRIDE`], [`CONTEXT`] …) are bytes of *normalised* text.
/// Obfuscation that normalisation folds away makes a post longer in bytes without adding
/// anything a reader sees: zero-width characters between letters, full-width forms, spaced-out
/// letters, look-alike letters from other scripts. So whether a post is long is decided by its
/// normalised length, and in a post whose normalisation is shorter than it (by `scale`, the
/// bytes of the post per byte of its normalisation), every length is that many times longer:
/// a window holds about as much of what a reader sees as in the clean post, and hiding a lure
/// behind zero-width characters cannot make it be scored in windows without its frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    window: usize,
    stride: usize,
    small_window: usize,
    small_stride: usize,
    snap: usize,
    context: usize,
    min_paragraph: usize,
    max_paragraph: usize,
}

impl Layout {
    /// The layout of a post of `len` bytes whose normalisation is `normalized_len` bytes long,
    /// or `None` when either is at most [`LONG_POST`] bytes: such a post is scored whole.
    pub(crate) fn of_post(len: usize, normalized_len: usize) -> Option<Layout> {
        if len <= LONG_POST || normalized_len <= LONG_POST {
            return None;
        }
        // Normalisation rarely lengthens a post (emoji read as words): never shorter windows.
        let scale = (len as f64 / normalized_len as f64).max(1.0);
        let at = |n: usize| (n as f64 * scale).round() as usize;
        Some(Layout {
            window: at(WINDOW),
            stride: at(STRIDE),
            small_window: at(SMALL_WINDOW),
            small_stride: at(SMALL_STRIDE),
            snap: at(SNAP),
            context: at(CONTEXT),
            min_paragraph: at(MIN_PARAGRAPH),
            max_paragraph: at(MAX_PARAGRAPH),
        })
    }

    /// The windows of `text` to score besides the whole text. Every range is non-empty and on
    /// character boundaries.
    pub(crate) fn windows(&self, text: &str) -> Vec<Range<usize>> {
        let len = text.len();
        let mut out = Vec::new();
        for (window, stride) in [
            (self.window, self.stride),
            (self.small_window, self.small_stride),
        ] {
            let mut start = 0;
            loop {
                let s = snap_start(text, start, self.snap);
                let e = snap_end(text, (s + window).min(len), s, self.snap);
                if s < e {
                    out.push(s..e);
                }
                if s + window >= len {
                    break;
                }
                start += stride;
            }
        }
        let bytes = text.as_bytes();
        let mut para_start = 0;
        let mut i = 0;
        while i <= len {
            // A paragraph ends at a blank line (a newline, optional spaces, a newline) or the end.
            let end_here = if i == len {
                Some(len)
            } else if bytes[i] == b'\n' {
                let mut j = i + 1;
                while j < len && matches!(bytes[j], b' ' | b'\t' | b'\r') {
                    j += 1;
                }
                (j < len && bytes[j] == b'\n').then_some(i)
            } else {
                None
            };
            if let Some(end) = end_here {
                let para = trim(text, para_start..end);
                if para.len() >= self.min_paragraph
                    && para.len() <= self.max_paragraph
                    && para.len() < len
                {
                    out.push(para);
                }
                // Skip the blank line(s).
                let mut j = end;
                while j < len && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                para_start = j;
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
        out
    }

    /// The context of window `w` of `text`: the window and up to [`CONTEXT`] bytes (scaled) on each side,
    /// its edges moved to whitespace like a window's.
    ///
    /// A window is read in its context as a reader reads a quote: a lure quoted by a news report
    /// or a warning is framed within a few sentences ("the suspects promised victims …"), and a
    /// window that cuts the frame away would score the quote as an offer. So when a long post
    /// reads as a warning, a window whose context does (and which does not itself) is scored as
    /// its context, text and all, as a short warning quoting an offer is (see
    /// `Classifier::best_window`). The reach is local on purpose: a warning pasted far from a lure
    /// does not excuse it, as it would not in a short post either.
    pub(crate) fn context(&self, text: &str, w: &Range<usize>) -> Range<usize> {
        let start = snap_start(text, w.start.saturating_sub(self.context), self.snap).min(w.start);
        let end = snap_end(text, w.end.saturating_add(self.context), start, self.snap).max(w.end);
        start..end
    }
}

/// The windows of `text` as [`Layout::windows`] cuts them, for a post that normalisation does
/// not shorten (the tests' texts).
#[cfg(test)]
pub(crate) fn of(text: &str) -> Vec<Range<usize>> {
    Layout::of_post(text.len(), text.len()).map_or_else(Vec::new, |l| l.windows(text))
}

/// [`Layout::context`] for a post that normalisation does not shorten.
#[cfg(test)]
pub(crate) fn context(text: &str, w: &Range<usize>) -> Range<usize> {
    Layout::of_post(text.len(), text.len())
        .expect("a long post")
        .context(text, w)
}

/// `at`, moved forward to a character boundary, then past the next whitespace within `snap`
/// bytes (0 stays 0): the first such whitespace after which the window can be read off the
/// post's normalisation (see [`plain_edge`]), or else the first whitespace.
fn snap_start(text: &str, at: usize, snap: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let b = text.as_bytes();
    let mut i = at.min(b.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    let limit = (i + snap).min(b.len());
    let mut fallback = None;
    let mut k = i;
    while k < limit {
        if !b[k].is_ascii_whitespace() {
            k += 1;
            continue;
        }
        let mut first = k + 1;
        while first < limit && b[first].is_ascii_whitespace() {
            first += 1;
        }
        if first + 1 < b.len() && plain_edge(b, first, first + 1) {
            return k + 1;
        }
        fallback.get_or_insert(k + 1);
        k = first;
    }
    fallback.unwrap_or(i)
}

/// `at`, moved back to a character boundary, then back to whitespace within `snap` bytes
/// (the end of the text stays), never to or before `floor`: the last such whitespace before
/// which the window can be read off the post's normalisation (see [`plain_edge`]), or else
/// the last whitespace.
fn snap_end(text: &str, at: usize, floor: usize, snap: usize) -> usize {
    let b = text.as_bytes();
    if at >= b.len() {
        return b.len();
    }
    let mut i = at;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    let low = i.saturating_sub(snap).max(floor);
    let mut fallback = None;
    let mut p = i;
    while p > low {
        p -= 1;
        if p <= floor {
            break;
        }
        if !b[p].is_ascii_whitespace() {
            continue;
        }
        let mut run_start = p;
        while run_start > low && b[run_start - 1].is_ascii_whitespace() {
            run_start -= 1;
        }
        if run_start >= floor + 2 && plain_edge(b, run_start - 1, run_start - 2) {
            return p;
        }
        fallback.get_or_insert(p);
        p = run_start;
    }
    fallback.unwrap_or(i)
}

/// `r` without leading and trailing ASCII whitespace.
fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let b = text.as_bytes();
    let (mut s, mut e) = (r.start, r.end);
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    s..e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_posts_have_no_windows() {
        assert!(of("").is_empty());
        assert!(of(&"a ".repeat(LONG_POST / 2)).is_empty());
    }

    #[test]
    fn windows_cover_a_long_post_on_boundaries() {
        let text = "Kerja di Kamboja 💰 gaji besar, tanya saja. ".repeat(120);
        let ws = of(&text);
        assert!(!ws.is_empty());
        let mut covered = vec![false; text.len()];
        for w in &ws {
            assert!(w.start < w.end && w.end <= text.len());
            assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
            assert!(w.len() <= WINDOW + SNAP);
            covered[w.clone()].iter_mut().for_each(|c| *c = true);
        }
        assert!(covered.iter().all(|&c| c), "every byte is in some window");
    }

    #[test]
    fn a_short_lure_glued_to_chatter_lies_in_a_small_window() {
        let lure = "Dicari CS online, gaji 12jt/bln, tiket gratis, kerja di Kamboja. WA 0812345678";
        let chatter =
            "hari ini cuaca cerah dan kami makan siang bersama keluarga besar ".repeat(30);
        for cut in [0, 7, 20, 33, 50, 64] {
            let text = format!("{} {lure} {chatter}", &chatter[..chatter.len() - cut]);
            let at = text.find(lure).unwrap();
            let around = of(&text)
                .into_iter()
                .filter(|w| w.start <= at && at + lure.len() <= w.end)
                .map(|w| w.len())
                .min();
            assert!(
                around.is_some_and(|n| n <= SMALL_WINDOW),
                "cut {cut}: the smallest window around the lure is {around:?} bytes"
            );
        }
    }

    /// Edges prefer whitespace next to text that lets a window be read off the post's
    /// normalisation: (text, where to snap, the start it snaps to, the end it snaps to).
    #[test]
    fn edges_prefer_plain_whitespace() {
        let cases: &[(&str, usize, usize, usize)] = &[
            // Plain words: the first whitespace forward, the last one back.
            ("alpha beta gamma delta", 2, 6, 16),
            // Next to an emoji: the start passes it; the end stops before it.
            ("ab 💰 gaji besar 💰 cd", 1, 8, 18),
            // Next to a single letter (spaced-out letters): passed over, both ways.
            ("xy k a m b o j a kerja", 1, 17, 2),
            // No plain whitespace within reach: the nearest whitespace all the same.
            ("💰 💰 💰 💰", 1, 5, 14),
        ];
        for &(text, at, start, end) in cases {
            assert_eq!(
                snap_start(text, at, SNAP),
                start,
                "start of {text:?} at {at}"
            );
            assert_eq!(
                snap_end(text, text.len() - at, 0, SNAP),
                end,
                "end of {text:?}"
            );
        }
    }

    #[test]
    fn a_context_holds_its_window_and_reaches_a_little_further() {
        let text = "kata ".repeat(400);
        for w in of(&text) {
            let c = context(&text, &w);
            assert!(c.start <= w.start && w.end <= c.end, "{w:?} {c:?}");
            assert!(w.start - c.start <= CONTEXT && c.end - w.end <= CONTEXT);
            assert!(w.start < CONTEXT || w.start - c.start + SNAP >= CONTEXT);
            assert!(text.len() - w.end < CONTEXT || c.end - w.end + SNAP >= CONTEXT);
            assert!(c.start == 0 || text.as_bytes()[c.start - 1] == b' ');
            assert!(c.end == text.len() || text.as_bytes()[c.end] == b' ');
        }
    }

    /// Whether a post is long, and how long its windows are, go by its normalised length:
    /// (post bytes, normalised bytes, window bytes, or `None` for a post scored whole).
    #[test]
    fn layouts_scale_with_what_normalisation_folds_away() {
        let cases: &[(usize, usize, Option<usize>)] = &[
            (1000, 1000, None),
            (1025, 1025, Some(WINDOW)),
            // Zero-width characters between the letters of a 900-byte post.
            (3600, 900, None),
            // The same with a 2 KB post: windows four times as long.
            (8000, 2000, Some(4 * WINDOW)),
            // Full-width forms, three bytes a letter.
            (6000, 2000, Some(3 * WINDOW)),
            // Emoji read as longer words: never shorter windows.
            (2000, 2200, Some(WINDOW)),
        ];
        for &(len, normalized, window) in cases {
            let layout = Layout::of_post(len, normalized);
            assert_eq!(layout.map(|l| l.window), window, "{len} / {normalized}");
            if let Some(l) = layout {
                let scale = l.window as f64 / WINDOW as f64;
                assert_eq!(
                    l.small_stride,
                    (SMALL_STRIDE as f64 * scale).round() as usize
                );
                assert_eq!(l.context, (CONTEXT as f64 * scale).round() as usize);
            }
        }
    }

    /// A post written in full-width forms is cut where the same post in plain letters is.
    #[test]
    fn full_width_windows_are_the_plain_windows() {
        let plain = "Kerja di Kamboja gaji besar tanya saja ya kak ".repeat(60);
        let wide: String = plain
            .chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
                c => c,
            })
            .collect();
        let normalized = crate::normalize::Normalizer::new().normalize(&wide);
        assert_eq!(normalized.as_str(), plain.trim_end().to_lowercase());
        let layout = Layout::of_post(wide.len(), normalized.as_str().len()).unwrap();
        let chars = |s: &str, r: &Range<usize>| s[r.clone()].chars().count();
        let plain_windows = of(&plain);
        let wide_windows = layout.windows(&wide);
        assert_eq!(plain_windows.len(), wide_windows.len());
        for (p, w) in plain_windows.iter().zip(&wide_windows) {
            let (a, b) = (chars(&plain, p) as i64, chars(&wide, w) as i64);
            assert!((a - b).abs() <= 24, "{a} and {b} characters");
        }
    }

    #[test]
    fn paragraphs_are_windows_of_their_own() {
        let lure = "Dicari CS online, gaji 12jt/bln, tiket gratis, kerja di Kamboja. WA 0812345678";
        let padding = "Hari ini cuaca cerah dan kami makan siang bersama keluarga. ".repeat(40);
        let text = format!("{padding}\n\n{lure}\n\n{padding}");
        let start = text.find(lure).unwrap();
        assert!(of(&text).contains(&(start..start + lure.len())));
    }
}

/// The fast path of `Classifier::best_window` (a window read as a slice of the whole post's
/// normalisation) against the slow one (the window normalised alone), on long posts whose
/// window edges fall in spaced-out letters, split words, emoji, amounts, addresses, CJK and
/// Thai text, combining marks and zero-width characters.
#[cfg(test)]
pub(crate) mod fast_path_tests {
    use proptest::prelude::*;

    use super::of;
    use crate::extract::Record;
    use crate::features::FeatureExtractor;
    use crate::normalize::Normalizer;

    /// Pieces that normalisation joins, splits or reads across their neighbours.
    const PIECES: &[&str] = &[
        "k a m b o j a",
        "K A M B O J A",
        "c u s t o m e r s e r v i c e",
        "g a j i",
        "a",
        "I",
        "g a j i t i n g g i",
        "1 1 1 a b c",
        "x 1 1 y",
        "C u s t o m e r s-e-r-v-i-c-e",
        "K.A.M.B.O.J.A",
        "w.a 0812",
        "w . a",
        "cust.omer",
        "ga*ji",
        "lu_ar",
        "kam.boja",
        "vi.sa.",
        "ker'ja",
        "don't",
        "hati-hati",
        "in*fo:",
        "8jt/bu.lan",
        "kamboja.gaji",
        "wa.me/6281234",
        "bit.ly/abc",
        "hr.lisa@gmail.com",
        "tg@hr_lisa",
        "@hr_siam",
        "✈️ gratis",
        "✈️",
        "🛂diurus",
        "🇰🇭",
        "🇰🇭🇮🇩",
        "💰💰",
        "🔥",
        "👨‍💻",
        "Rp 12.000.000",
        "Rp12jt",
        "$1,200/month",
        "$ 1.500",
        "USD 2000",
        "gaji 5jt",
        "gaji5jt",
        "usd1k",
        "12jt/bln",
        "lương 20 triệu",
        "15,000 THB",
        "+855 12 345 678",
        "0812-3456-7890",
        "WA08123456789",
        "t.me/jobs_kh",
        "www.jobs.kh",
        "柬埔寨高薪招聘",
        "柬 埔 寨",
        "ทำงานที่กัมพูชา",
        "เงินเดือน 50,000 บาท",
        "캄보디아",
        "lu\u{31b}\u{300}o\u{31b}ng",
        "e\u{301}",
        "\u{301}x",
        "Kam\u{200b}boja",
        "\u{200b}",
        "\u{200d}",
        "ga\u{ad}ji",
        "ＫＡＭＢＯＪＡ",
        "𝐊𝐚𝐦𝐛𝐨𝐣𝐚",
        "Kаmbоjа",
        "K4mb0ja",
        "k4mboj4",
        "v1s4 t1k3t",
        "fr33",
        "tid4k",
        "covid19",
        "18-35 tahun",
        "umur max 30",
        "!!!",
        "...",
        "|",
        "$",
        "@",
        "ﬁ",
        "①",
        "½",
        "١٢٣",
        "penipuan",
        "kerja",
        "di",
        "gaji",
        "tinggi",
        "tiket",
        "gratis",
        "visa",
        "customer",
        "service",
        "lowongan",
        "(gaji)",
        "- M",
        "#kerja",
        "**gaji**",
        "\"vi.sa\"",
        ":)",
        "1.",
        "a.",
        "-",
        "•",
        "/",
        "*",
        "_x",
        "'",
        "k.",
        "!x",
        "x!",
        "$5",
        "(k a m b o j a)",
        ".k a m b o j a",
        "k a m b o j a.",
        "@hr",
        "hr@",
        "|x",
        "g.a.j.i",
        ".ga*ji",
        "ga*ji.",
        "-c u s t",
        ":k4mb0ja",
        "k4mb0j4!",
        "hr@gmail.com.",
        "(wa.me/855)",
        "【高薪】",
        "✈️.",
        ".✈️",
        "a -",
        "- a",
        ". k",
        "k .",
        "Phnom Penh",
        "no experience",
        "free air ticket",
    ];
    const SEPARATORS: &[&str] = &[
        " ",
        " ",
        " ",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        "\r\n",
        "\u{a0}",
        "\u{3000}",
        " \u{200b} ",
        "",
        ", ",
        ". ",
    ];

    fn post(picks: &[(usize, usize)]) -> String {
        let mut text = String::new();
        for &(p, s) in picks {
            text.push_str(PIECES[p % PIECES.len()]);
            text.push_str(SEPARATORS[s % SEPARATORS.len()]);
        }
        text
    }

    /// Every window of `text`: the fast path, when taken, gives the slow path's normalisation
    /// and features. Returns how many windows took it.
    fn check(fx: &FeatureExtractor, n: &Normalizer, text: &str) -> usize {
        let whole = n.normalize(text);
        let table = fx.gram_table(whole.as_str(), None);
        let all = 0..whole.as_str().len();
        assert_eq!(
            fx.features_of_part(whole.as_str(), Some(&table), all.clone(), None),
            fx.extract(text)
        );
        // What `Classifier::best_window` does: the whole post's features, recording what the
        // windows' signals are read off.
        let mut record = Record::default();
        assert_eq!(
            fx.features_recorded(whole.as_str(), Some(&table), &mut record, None),
            fx.extract(text)
        );
        assert!(all.is_empty() || fx.ngrams_in(&table, whole.as_str(), all, None).is_some());
        let mut fast = 0;
        for w in of(text) {
            let Some(r) = whole.window_slice(text, w.clone()) else {
                continue;
            };
            fast += 1;
            let slice = &whole.as_str()[r.clone()];
            let alone = n.normalize(&text[w.clone()]);
            assert_eq!(slice, alone.as_str(), "window {w:?} of {text:?}");
            assert_eq!(
                fx.ngrams_in(&table, whole.as_str(), r.clone(), None),
                Some(fx.ngrams(slice)),
                "window {w:?} of {text:?}"
            );
            assert_eq!(
                fx.features_of_part(whole.as_str(), Some(&table), r.clone(), None),
                fx.extract(&text[w.clone()]),
                "window {w:?} of {text:?}"
            );
            assert_eq!(
                fx.features_of_window(whole.as_str(), Some(&table), r, &record, None),
                fx.extract(&text[w.clone()]),
                "window {w:?} of {text:?}"
            );
        }
        fast
    }

    /// A xorshift generator of the picks `post` takes: the same posts on every run (also the
    /// texts of `extract::replay_tests`).
    pub(crate) fn xorshift(mut x: u64) -> impl FnMut() -> usize {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as usize
        }
    }

    #[test]
    fn fast_path_matches_slow_path_on_tricky_posts() {
        let (fx, n) = (FeatureExtractor::new(), Normalizer::new());
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut fast, mut windows) = (0, 0);
        for _ in 0..150 {
            let len = 150 + next() % 400;
            let picks: Vec<(usize, usize)> = (0..len).map(|_| (next(), next())).collect();
            let text = post(&picks);
            windows += of(&text).len();
            fast += check(&fx, &n, &text);
        }
        // Both paths are exercised.
        assert!(fast > windows / 10 && fast < windows, "{fast} of {windows}");
    }

    /// Every part of a post cut at whitespace (not only the windows `of` makes): the fast path,
    /// when taken, gives the part's own normalisation and n-grams.
    #[test]
    fn fast_path_matches_slow_path_at_every_cut() {
        let (fx, n) = (FeatureExtractor::new(), Normalizer::new());
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let mut fast = 0;
        let mut texts: Vec<String> = ["x @ g a j i", "a ! b c d", "q $ k a m", "z | g a j i"]
            .iter()
            .map(|t| format!("gaji tinggi {t} kerja"))
            .collect();
        for _ in 0..40 {
            let len = 20 + next() % 60;
            let picks: Vec<(usize, usize)> = (0..len).map(|_| (next(), next())).collect();
            texts.push(post(&picks));
        }
        for text in &texts {
            let whole = n.normalize(text);
            let table = fx.gram_table(whole.as_str(), None);
            let b = text.as_bytes();
            let cuts = (1..b.len()).filter(|&p| {
                text.is_char_boundary(p)
                    && (b[p - 1].is_ascii_whitespace() || b[p].is_ascii_whitespace())
            });
            for p in cuts {
                for w in [p..b.len(), 0..p] {
                    let Some(r) = whole.window_slice(text, w.clone()) else {
                        continue;
                    };
                    fast += 1;
                    let slice = &whole.as_str()[r.clone()];
                    assert_eq!(
                        slice,
                        n.normalize(&text[w.clone()]).as_str(),
                        "{w:?} of {text:?}"
                    );
                    assert_eq!(
                        fx.ngrams_in(&table, whole.as_str(), r, None),
                        Some(fx.ngrams(slice)),
                        "{w:?} of {text:?}"
                    );
                }
            }
        }
        assert!(fast > 1000, "{fast}");
    }

    #[test]
    fn edges_next_to_short_tokens_fall_back() {
        let n = Normalizer::new();
        // Spaced-out letters glued across the edge: `of` snaps edges to spaces between them.
        let text = "k a m b o j a ".repeat(120);
        let whole = n.normalize(&text);
        for w in of(&text) {
            if w.start > 0 && w.end < text.len() {
                assert_eq!(whole.window_slice(&text, w), None);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn fast_path_matches_slow_path(picks in proptest::collection::vec((0usize..1000, 0usize..1000), 150..400)) {
            let (fx, n) = (FeatureExtractor::new(), Normalizer::new());
            check(&fx, &n, &post(&picks));
        }
    }
}
