//! Arbitrary bytes through the CLI's record reader (JSONL, CSV and text lines), then scoring:
//! no panic, line numbers that never go backwards, and for line formats exactly one record per
//! non-blank line.
#![no_main]

#[path = "../../crates/lurescan-cli/src/input.rs"]
#[allow(dead_code)]
mod input;

use std::sync::OnceLock;

use input::{Fields, InputFormat, Records};
use libfuzzer_sys::fuzz_target;
use lurescan::Classifier;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::bundled)
}

fn non_blank_lines(data: &[u8]) -> usize {
    data.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(i, l)| {
            let l = if *i == 0 {
                l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l)
            } else {
                l
            };
            !l.iter().all(u8::is_ascii_whitespace)
        })
        .count()
}

fuzz_target!(|data: &[u8]| {
    for format in [InputFormat::Jsonl, InputFormat::Text, InputFormat::Csv] {
        let fields = Fields {
            text: "text".into(),
            id: "id".into(),
        };
        let Ok(mut records) = Records::new(data, format, fields) else {
            continue;
        };
        let mut count = 0;
        let mut last_line = 0;
        while let Ok(Some(r)) = records.next_record() {
            assert!(
                r.line >= 1 && r.line >= last_line,
                "line {} after {last_line}",
                r.line
            );
            last_line = r.line;
            count += 1;
            if let Ok(text) = &r.text {
                let p = classifier().score(text).probability();
                assert!(p.is_finite() && (0.0..=1.0).contains(&p));
            }
            assert!(count <= data.len() + 1, "more records than bytes");
        }
        if format != InputFormat::Csv {
            assert_eq!(
                count,
                non_blank_lines(data),
                "{format:?}: records != non-blank lines"
            );
        }
    }
});
