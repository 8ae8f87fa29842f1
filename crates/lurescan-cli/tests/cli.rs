//! Integration tests of the `lurescan` binary: normal, malformed and empty input, output
//! files, explain, train determinism.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lurescan"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // The process may exit before reading everything (a bad model): a broken pipe is fine.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("binary finishes")
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

#[test]
fn scores_jsonl_keeping_order_and_ids() {
    let input =
        b"{\"id\": \"a\", \"text\": \"Lowongan CS di Jakarta, kirim CV ke hrd@pt.co.id\"}\n\
{\"id\": 7, \"text\": \"Kerja di Kamboja gaji 15jt tiket gratis WA 08123456789\"}\n\
{\"text\": \"no id here\"}\n";
    let out = run_stdin(&["score"], input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = lines(&out);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["id"], "a");
    assert_eq!(recs[1]["id"], 7);
    assert!(recs[2]["id"].is_null());
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["line"], i as u64 + 1);
        let s = r["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&s));
        assert!(["ok", "review", "lure"].contains(&r["label"].as_str().unwrap()));
        assert!(r["reasons"].is_array());
        assert!(r.get("error").is_none());
    }
    assert!(recs[1]["score"].as_f64() > recs[0]["score"].as_f64());
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 records scored, 0 malformed"));
}

#[test]
fn malformed_records_become_error_records() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\": 1, \"text\": \"fine\"}\n");
    input.extend_from_slice(b"{not json\n");
    input.extend_from_slice(b"{\"id\": 3}\n");
    input.extend_from_slice(b"{\"id\": 4, \"text\": 42}\n");
    input.extend_from_slice(b"{\"id\": 5, \"text\": \"bad \xff\xfe utf8\"}\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"[1, 2]\r\n");
    input.extend_from_slice(b"{\"id\": 8, \"text\": \"last, no newline\"}");
    let out = run_stdin(&["score"], &input);
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out);
    // Seven records (the blank line is not a record), one output each, in order.
    let got: Vec<(u64, bool)> = recs
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r.get("error").is_some()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, false),
            (2, true),
            (3, true),
            (4, true),
            (5, true),
            (7, true),
            (8, false)
        ]
    );
    assert!(
        recs[1]["error"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert!(recs[2]["error"].as_str().unwrap().contains("missing"));
    assert!(recs[3]["error"].as_str().unwrap().contains("not a string"));
    assert!(recs[4]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(recs[2]["id"], 3);
    assert!(recs[1]["score"].is_null());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 records scored, 5 malformed"));
}

#[test]
fn strict_stops_at_first_malformed_record() {
    let input = b"{\"text\": \"ok\"}\n{broken\n{\"text\": \"never read\"}\n";
    let out = run_stdin(&["score", "--strict"], input);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(lines(&out).len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
}

/// The first malformed record past the first chunk of records (4,096) stops the run too,
/// after every record before it, in order, and none after it: records are parsed on the
/// worker threads, a chunk at a time, while the next chunk is read.
#[test]
fn strict_stops_at_a_malformed_record_in_a_later_chunk() {
    let mut input = Vec::new();
    for i in 1..=9000 {
        if i == 6000 {
            input.extend_from_slice(b"{\"id\": 6000, \"text\": 5}\n");
        } else {
            input
                .extend_from_slice(format!("{{\"id\": {i}, \"text\": \"post {i}\"}}\n").as_bytes());
        }
    }
    for threads in ["1", "2"] {
        let out = run_stdin(&["score", "--strict", "--threads", threads], &input);
        assert_eq!(out.status.code(), Some(3), "{threads} threads");
        let recs = lines(&out);
        assert_eq!(recs.len(), 5999, "{threads} threads");
        for (i, r) in recs.iter().enumerate() {
            assert_eq!(r["id"], i + 1, "{threads} threads");
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("line 6000"), "{stderr}");
        assert!(stderr.contains("after 5999 records"), "{stderr}");
    }
}

#[test]
fn empty_input_gives_no_records() {
    let out = run_stdin(&["score"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn bom_and_crlf_are_accepted() {
    let out = run_stdin(
        &["score"],
        b"\xEF\xBB\xBF{\"text\": \"a\"}\r\n{\"text\": \"b\"}\r\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn csv_with_quoted_newlines_and_ragged_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posts.csv");
    std::fs::write(
        &path,
        "id,text,extra\n1,\"multi\nline post, gaji 10jt\",x\n2\n3,plain post,y\n",
    )
    .unwrap();
    let out = bin()
        .args(["score", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = lines(&out);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["id"], "1");
    assert!(recs[0]["score"].is_number());
    assert!(recs[1]["error"].is_string());
    assert_eq!(recs[2]["id"], "3");
}

#[test]
fn csv_without_text_column_is_refused() {
    let out = run_stdin(&["score", "--format", "csv"], b"id,body\n1,hello\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column named \"text\""));
}

#[test]
fn text_lines_and_csv_output() {
    let out = run_stdin(
        &["score", "--format", "text", "--output-format", "csv"],
        b"first post\nsecond post\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap(),
        vec!["id", "line", "score", "label", "reasons", "error"]
    );
    assert_eq!(rdr.records().count(), 2);
}

#[test]
fn output_file_is_renamed_when_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("scores.jsonl");
    let sample = repo().join("corpus/sample.jsonl");
    let status = bin()
        .args([
            "score",
            sample.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(out_path.exists());
    assert!(!dir.path().join("scores.jsonl.incomplete").exists());
    let n_in = std::fs::read_to_string(&sample)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let n_out = std::fs::read_to_string(&out_path).unwrap().lines().count();
    assert_eq!(n_in, n_out);
}

#[test]
fn threads_do_not_change_results() {
    let sample = repo().join("corpus/sample.jsonl");
    let one = bin()
        .args(["score", "--threads", "1", sample.to_str().unwrap()])
        .output()
        .unwrap();
    let two = bin()
        .args(["score", "--threads", "2", sample.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(one.status.success());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn explain_json_spans_point_at_original_text() {
    let text =
        "Dicari CS, gaji 12jt/bln, tiket pesawat gratis, kerja di K4mboja. WA 0812-3456-7890";
    let out = bin()
        .args(["explain", "--format", "json", text])
        .output()
        .unwrap();
    assert!(out.status.success());
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons = e["reasons"].as_array().unwrap();
    let mut sum = e["intercept"].as_f64().unwrap() + e["ngram_contribution"].as_f64().unwrap();
    for r in reasons {
        sum += r["contribution"].as_f64().unwrap();
        for ev in r["evidence"].as_array().unwrap() {
            let (s, t) = (
                ev["start"].as_u64().unwrap() as usize,
                ev["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[s..t], ev["text"].as_str().unwrap());
        }
    }
    assert!((sum - e["logit"].as_f64().unwrap()).abs() < 1e-9);
    let names: Vec<&str> = reasons
        .iter()
        .map(|r| r["signal"].as_str().unwrap())
        .collect();
    for want in [
        "salary_high",
        "travel_perk",
        "vague_role",
        "dest_cambodia",
        "contact_whatsapp",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
}

#[test]
fn explain_text_report() {
    let out = bin()
        .args([
            "explain",
            "--color",
            "never",
            "Kerja di Kamboja, gaji $1,000",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("score"));
    assert!(s.contains("dest_cambodia"));
    assert!(s.contains("USD 1000 a month"));
    assert!(s.contains("[Kamboja]") || s.contains("«Kamboja»"));
}

#[test]
fn bad_model_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"format\": \"lurescan-model\", \"format_version\": 99}",
    )
    .unwrap();
    let out = run_stdin(
        &["score", "--model", bad.to_str().unwrap()],
        b"{\"text\":\"x\"}\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("format version 99"));
    let missing = dir.path().join("missing.json");
    let out = run_stdin(&["score", "--model", missing.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
}

fn train(data: &Path, out: &Path) {
    let status = bin()
        .args([
            "train",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn training_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    // A small, mixed training set from the corpus: every fourth post.
    let mut data = String::new();
    let mut posts = std::fs::read_dir(repo().join("corpus/posts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>();
    posts.sort();
    for p in posts {
        for (i, line) in std::fs::read_to_string(p).unwrap().lines().enumerate() {
            if i % 4 == 0 {
                data.push_str(line);
                data.push('\n');
            }
        }
    }
    let data_path = dir.path().join("train.jsonl");
    std::fs::write(&data_path, data).unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    train(&data_path, &a);
    train(&data_path, &b);
    let a = std::fs::read(a).unwrap();
    assert_eq!(a, std::fs::read(b).unwrap());
    // And the trained model scores.
    let model = dir.path().join("a.json");
    let out = run_stdin(
        &["score", "--model", model.to_str().unwrap()],
        b"{\"text\": \"kerja di kamboja\"}\n",
    );
    assert_eq!(out.status.code(), Some(0));
}

/// A reader that has gone away (`lurescan data list | head -n 1`) ends the listing quietly:
/// the write fails with a broken pipe, and that is no error (before, `println!` panicked).
#[test]
fn data_list_into_a_closed_pipe_is_no_error() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = bin()
        .args(["data", "list"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
