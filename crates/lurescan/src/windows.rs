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
//! - [`WINDOW`] bytes long, every [`STRIDE`] bytes (each byte in three windows), their edges
//!   moved to the nearest whitespace within [`SNAP`] bytes so that words are not cut: any
//!   stretch of up to `WINDOW − STRIDE` = 256 bytes (a typical lure) lies whole in a window with
//!   at most 128 bytes of its neighbours, even when it is glued to padding with spaces;
//! - every paragraph (text between blank lines) of 64 to 1,024 bytes, so that a lure written as
//!   its own paragraph is scored without its neighbours.
//!
//! The work stays linear in the length of the post: about five passes over a long post.

use std::ops::Range;

/// Posts longer than this many bytes are also scored in windows.
pub(crate) const LONG_POST: usize = 1024;
/// The length of a sliding window, in bytes.
pub(crate) const WINDOW: usize = 384;
/// The distance between the starts of neighbouring sliding windows, in bytes.
pub(crate) const STRIDE: usize = 128;
/// How far a window's edge may move to reach whitespace, in bytes.
pub(crate) const SNAP: usize = 48;
/// Paragraphs shorter than this are not scored on their own.
const MIN_PARAGRAPH: usize = 64;
/// Nor are paragraphs longer than this (the sliding windows cover them).
const MAX_PARAGRAPH: usize = 1024;

/// The windows of `text` to score besides the whole text: none for a post of at most
/// [`LONG_POST`] bytes. Every range is non-empty and on character boundaries.
pub(crate) fn of(text: &str) -> Vec<Range<usize>> {
    let len = text.len();
    let mut out = Vec::new();
    if len <= LONG_POST {
        return out;
    }
    let mut start = 0;
    loop {
        let s = snap_start(text, start);
        let e = snap_end(text, (s + WINDOW).min(len), s);
        if s < e {
            out.push(s..e);
        }
        if s + WINDOW >= len {
            break;
        }
        start += STRIDE;
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
            if para.len() >= MIN_PARAGRAPH && para.len() <= MAX_PARAGRAPH && para.len() < len {
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

/// `at`, moved forward to a character boundary, then past the next whitespace if there is
/// some within [`SNAP`] bytes (0 stays 0).
fn snap_start(text: &str, at: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let mut i = at.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    let limit = (i + SNAP).min(text.len());
    match text.as_bytes()[i..limit]
        .iter()
        .position(|b| b.is_ascii_whitespace())
    {
        Some(k) => i + k + 1,
        None => i,
    }
}

/// `at`, moved back to a character boundary, then back to the last whitespace within
/// [`SNAP`] bytes (the end of the text stays), never before `floor`.
fn snap_end(text: &str, at: usize, floor: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut i = at;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    let low = i.saturating_sub(SNAP).max(floor);
    match text.as_bytes()[low..i]
        .iter()
        .rposition(|b| b.is_ascii_whitespace())
    {
        Some(k) if low + k > floor => low + k,
        _ => i,
    }
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
    fn paragraphs_are_windows_of_their_own() {
        let lure = "Dicari CS online, gaji 12jt/bln, tiket gratis, kerja di Kamboja. WA 0812345678";
        let padding = "Hari ini cuaca cerah dan kami makan siang bersama keluarga. ".repeat(40);
        let text = format!("{padding}\n\n{lure}\n\n{padding}");
        let start = text.find(lure).unwrap();
        assert!(of(&text).contains(&(start..start + lure.len())));
    }
}
