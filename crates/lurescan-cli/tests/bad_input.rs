//! The bad-input suite of issue 7: for every kind of damaged input, `lurescan score` writes one
//! output record per input record (an error record with the line number and the reason for a
//! malformed one), exits with the documented code (0 all scored, 1 some malformed, 2 could not
//! run, 3 `--strict` stopped), and never drops or duplicates a record. Output files are complete
//! or left under their `.incomplete` name.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lurescan"))
}

/// Runs `lurescan score ARGS FILE` on `input` written to a file named `name`.
fn score_file(name: &str, input: &[u8], args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, input).unwrap();
    bin()
        .arg("score")
        .args(args)
        .arg(&path)
        .output()
        .expect("binary runs")
}

fn records(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

/// One case: the input, its format, and per input record its line number and whether it is
/// malformed (with a word the reason must contain).
struct Case {
    name: &'static str,
    file: &'static str,
    input: Vec<u8>,
    /// (line, None if scored or Some(reason word) if an error record)
    want: Vec<(u64, Option<&'static str>)>,
}

fn cases() -> Vec<Case> {
    let j = |s: &str| s.as_bytes().to_vec();
    vec![
        Case {
            name: "invalid UTF-8 inside a JSON string",
            file: "a.jsonl",
            input: [&b"{\"text\": \"ok\"}\n{\"text\": \"bad \xff\xfe here\"}\n"[..]].concat(),
            want: vec![(1, None), (2, Some("UTF-8"))],
        },
        Case {
            name: "malformed JSON",
            file: "a.jsonl",
            input: j("{\"text\": \"a\"\n{text: b}\n{\"text\": \"c\"}\n"),
            want: vec![
                (1, Some("malformed JSON")),
                (2, Some("malformed JSON")),
                (3, None),
            ],
        },
        Case {
            name: "text field of the wrong type or missing",
            file: "a.jsonl",
            input: j(concat!(
                "{\"text\": 5}\n{\"text\": null}\n{\"text\": [\"a\"]}\n{\"text\": {\"t\": 1}}\n",
                "{\"text\": true}\n{\"id\": 7}\n[1, 2]\n\"just a string\"\n42\n"
            )),
            want: vec![
                (1, Some("a number")),
                (2, Some("null")),
                (3, Some("an array")),
                (4, Some("an object")),
                (5, Some("a boolean")),
                (6, Some("missing")),
                (7, Some("not an object")),
                (8, Some("not an object")),
                (9, Some("not an object")),
            ],
        },
        Case {
            name: "empty and blank lines are not records",
            file: "a.jsonl",
            input: j("\n\n{\"text\": \"a\"}\n   \n\t\r\n{\"text\": \"b\"}\n\n"),
            want: vec![(3, None), (6, None)],
        },
        Case {
            name: "a byte-order mark",
            file: "a.jsonl",
            input: j("\u{FEFF}{\"text\": \"a\"}\n{\"text\": \"b\"}\n"),
            want: vec![(1, None), (2, None)],
        },
        Case {
            name: "a BOM on a later line is malformed JSON",
            file: "a.jsonl",
            input: j("{\"text\": \"a\"}\n\u{FEFF}{\"text\": \"b\"}\n"),
            want: vec![(1, None), (2, Some("malformed JSON"))],
        },
        Case {
            name: "CRLF line ends",
            file: "a.jsonl",
            input: j("{\"text\": \"a\"}\r\n{\"text\": \"b\\r\\nc\"}\r\n{\"text\": \"d\"}"),
            want: vec![(1, None), (2, None), (3, None)],
        },
        Case {
            name: "NUL bytes: escaped, raw inside a string, a line of NULs",
            file: "a.jsonl",
            input: [
                &b"{\"text\": \"a\\u0000b\"}\n"[..],
                b"{\"text\": \"a\0b\"}\n",
                b"\0\0\0\n",
                b"{\"text\": \"\0\"}\n",
            ]
            .concat(),
            want: vec![
                (1, None),
                (2, Some("malformed JSON")),
                (3, Some("malformed JSON")),
                (4, Some("malformed JSON")),
            ],
        },
        Case {
            name: "an empty file",
            file: "a.jsonl",
            input: Vec::new(),
            want: vec![],
        },
        Case {
            name: "a truncated last line",
            file: "a.jsonl",
            input: j("{\"text\": \"a\"}\n{\"id\": 2, \"text\": \"Kerja di Kamb"),
            want: vec![(1, None), (2, Some("malformed JSON"))],
        },
        Case {
            name: "a complete last line without a newline",
            file: "a.jsonl",
            input: j("{\"text\": \"a\"}\n{\"text\": \"b\"}"),
            want: vec![(1, None), (2, None)],
        },
        Case {
            name: "text lines: invalid UTF-8, NUL, CRLF, blank lines",
            file: "a.txt",
            input: [
                &b"first post\r\n\r\nsecond \xc3\x28 post\n"[..],
                b"third\0post\n  \nlast",
            ]
            .concat(),
            want: vec![(1, None), (3, Some("UTF-8")), (4, None), (6, None)],
        },
        Case {
            name: "CSV with ragged rows",
            file: "a.csv",
            input: j("id,text,extra\n1,first,x\n2\n3,third\n4,fourth,x,y,z\n,\n"),
            want: vec![
                (2, None),
                (3, Some("no text column")),
                (4, None),
                (5, None),
                (6, None),
            ],
        },
        Case {
            name: "CSV with quoted newlines, quotes and a BOM",
            file: "a.csv",
            input: j("\u{FEFF}id,text\n1,\"multi\nline\r\npost\"\n2,\"say \"\"hi\"\"\"\n3,plain\n"),
            want: vec![(2, None), (5, None), (6, None)],
        },
        Case {
            name: "CSV with invalid UTF-8 and an unterminated quote at the end",
            file: "a.csv",
            input: [&b"id,text\n1,ok\n2,bad \xff\n3,\"never closed\nstill"[..]].concat(),
            want: vec![(2, None), (3, Some("UTF-8")), (4, None)],
        },
        Case {
            name: "CSV header only",
            file: "a.csv",
            input: j("id,text\n"),
            want: vec![],
        },
    ]
}

fn expected_code(want: &[(u64, Option<&str>)]) -> i32 {
    if want.iter().any(|(_, e)| e.is_some()) {
        1
    } else {
        0
    }
}

#[test]
fn every_input_record_gives_exactly_one_output_record() {
    for case in cases() {
        let out = score_file(case.file, &case.input, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(expected_code(&case.want)),
            "{}: {stderr}",
            case.name
        );
        let recs = records(&out);
        assert_eq!(
            recs.len(),
            case.want.len(),
            "{}: records in != records out",
            case.name
        );
        for (r, (line, err)) in recs.iter().zip(&case.want) {
            assert_eq!(r["line"], *line, "{}: {r}", case.name);
            match err {
                None => {
                    let s = r["score"].as_f64().unwrap_or(-1.0);
                    assert!((0.0..=1.0).contains(&s), "{}: {r}", case.name);
                    assert!(r.get("error").is_none(), "{}: {r}", case.name);
                }
                Some(word) => {
                    assert!(
                        r["score"].is_null() && r["label"].is_null(),
                        "{}: {r}",
                        case.name
                    );
                    let e = r["error"].as_str().unwrap_or("");
                    assert!(
                        e.contains(word),
                        "{}: error {e:?} lacks {word:?}",
                        case.name
                    );
                }
            }
        }
        let scored = case.want.iter().filter(|(_, e)| e.is_none()).count();
        let malformed = case.want.len() - scored;
        assert!(
            stderr.contains(&format!("{scored} records scored, {malformed} malformed")),
            "{}: {stderr}",
            case.name
        );
    }
}

#[test]
fn strict_refuses_at_the_first_malformed_record() {
    for case in cases() {
        let Some(first_bad) = case.want.iter().position(|(_, e)| e.is_some()) else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let out_path = dir.path().join("out.jsonl");
        let out = score_file(
            case.file,
            &case.input,
            &["--strict", "-o", out_path.to_str().unwrap()],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{}: {stderr}", case.name);
        let line = case.want[first_bad].0;
        assert!(
            stderr.contains(&format!("line {line}:")),
            "{}: {stderr}",
            case.name
        );
        // The records before the bad one are kept, in a file marked incomplete.
        assert!(!out_path.exists(), "{}", case.name);
        let partial = std::fs::read_to_string(dir.path().join("out.jsonl.incomplete")).unwrap();
        assert_eq!(partial.lines().count(), first_bad, "{}", case.name);
    }
}

#[test]
fn a_50_mb_record_is_scored() {
    let mut text = String::with_capacity(50 << 20);
    let filler = "Kerja di Kamboja gaji 12jt, tiket gratis. Lowongan CS Jakarta, kirim CV. ";
    while text.len() < 50 << 20 {
        text.push_str(filler);
    }
    let mut input = Vec::with_capacity(text.len() + 64);
    input.extend_from_slice(b"{\"text\": \"a\"}\n{\"id\": \"big\", \"text\": \"");
    input.extend_from_slice(text.as_bytes());
    input.extend_from_slice(b"\"}\n{\"text\": \"c\"}\n");
    drop(text);
    let out = score_file("big.jsonl", &input, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[1]["id"], "big");
    assert!(
        recs[1]["score"]
            .as_f64()
            .is_some_and(|s| (0.0..=1.0).contains(&s))
    );
}

#[test]
fn a_full_disk_is_a_clear_error() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    let line = "{\"text\": \"Lowongan CS di Jakarta, gaji UMR\"}\n";
    std::fs::write(&path, line.repeat(20_000)).unwrap();
    let out = bin()
        .args(["score", path.to_str().unwrap()])
        .stdout(std::fs::File::create(full).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write output"), "{stderr}");
    assert!(stderr.contains("No space left"), "{stderr}");
}

#[test]
fn an_unwritable_output_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("no/such/dir/out.jsonl");
    let out = score_file(
        "a.jsonl",
        b"{\"text\": \"a\"}\n",
        &["-o", out_path.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot create"), "{stderr}");
}

#[test]
fn an_interrupted_run_leaves_only_a_file_marked_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.jsonl");
    let mut child = bin()
        .args(["score", "-o", out_path.to_str().unwrap(), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = b"{\"text\": \"Kerja di Kamboja gaji 12jt\"}\n";
    for _ in 0..10_000 {
        stdin.write_all(line).unwrap();
    }
    stdin.flush().unwrap();
    // Wait until the run has started writing, then interrupt it while input is still open.
    let tmp = dir.path().join("out.jsonl.incomplete");
    for _ in 0..200 {
        if tmp.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert!(!out.status.success());
    assert!(
        !out_path.exists(),
        "an interrupted run must not leave the final name"
    );
    assert!(
        tmp.exists(),
        "the partial output is kept under its .incomplete name"
    );
}
