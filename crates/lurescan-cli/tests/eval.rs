//! Integration tests of `lurescan eval`: the JSON report's fields and ranges, scores read from
//! a file (perfect and reversed rankings), the HTML report, errors, and an external set when
//! `../shared/data` is present.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lurescan"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

/// A deliberately mislabelled lure (label 0, so a sure false positive), with markup to escape.
const FAKE_NEGATIVE: &str = "Dicari CS, gaji 12jt/bln, tiket pesawat gratis, kerja di K4mboja, \
tanpa pengalaman. Minat WA 0812-3456-7890 <script>alert('x')</script> & <b>bold</b>";
/// A deliberately mislabelled honest post (label 1, so a sure false negative).
const FAKE_POSITIVE: &str = "PT Sinar Telekomunikasi membuka lowongan Customer Service di Jakarta \
Selatan. Kualifikasi: minimal D3, pengalaman 1 tahun. Kirim CV ke hrd@sinartel.co.id. Gaji UMR + BPJS.";

struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
    dir: PathBuf,
    /// (source, id, label, split) of every post.
    posts: Vec<(String, String, bool, String)>,
}

/// 40 posts of `corpus/sample.jsonl` plus made-up ones: two warnings (one kind, all label 0),
/// the two mislabelled posts above, and two posts on the train split.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let sample = std::fs::read_to_string(repo().join("corpus/sample.jsonl")).expect("sample");
    let mut lines: Vec<Value> = sample
        .lines()
        .take(40)
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).expect("sample is JSONL");
            v["split"] = json!("test");
            v
        })
        .collect();
    lines.extend([
        json!({"id": "made-1", "text": "AWAS PENIPUAN! Jangan percaya lowongan kerja di Kamboja gaji besar \
               tiket gratis. Banyak korban disekap dan dipaksa jadi scammer.", "label": 0,
               "lang": "id", "kind": "warning", "split": "test"}),
        json!({"id": "made-2", "text": "Reminder: our office is closed on Friday for the public holiday.",
               "label": 0, "lang": "en", "kind": "warning", "split": "test"}),
        json!({"id": "made-3", "text": FAKE_NEGATIVE, "label": 0, "lang": "id",
               "kind": "mislabelled", "split": "test"}),
        json!({"id": 4, "text": FAKE_POSITIVE, "label": 1, "lang": "id",
               "kind": "mislabelled", "split": "test"}),
        json!({"id": "made-5", "text": "Lowongan admin gudang di Bekasi, kirim CV ke email.",
               "label": 0, "lang": "id", "kind": "local_job", "split": "train"}),
        json!({"id": "made-6", "text": "Kerja di Myanmar gaji 20jt, tanpa pengalaman, tiket gratis, DM.",
               "label": 1, "lang": "id", "kind": "compound_lure", "split": "train"}),
    ]);
    let data = dir.path().join("posts.jsonl");
    let text: String = lines.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(&data, text).expect("write fixture");
    let posts = lines
        .iter()
        .map(|v| {
            let id = match &v["id"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (
                "corpus".to_string(),
                id,
                v["label"] == json!(1),
                v["split"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Fixture {
        data,
        dir: dir.path().to_path_buf(),
        posts,
        _dir: dir,
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("JSON report written");
    assert!(
        !text.contains("NaN") && !text.contains("Infinity"),
        "{text}"
    );
    serde_json::from_str(&text).expect("valid JSON")
}

const GROUP_FIELDS: &[&str] = &[
    "n",
    "positives",
    "negatives",
    "base_rate",
    "both_classes",
    "roc_auc",
    "pr_auc",
    "mean_score",
    "flag_rate",
    "thresholds",
    "recall_at_precision",
    "precision_at_recall",
    "brier",
    "ece",
    "reliability",
];

fn unit(v: &Value, what: &str) {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is a number: {v}"));
    assert!((0.0..=1.0).contains(&x), "{what} = {x}");
}

fn unit_or_null(v: &Value, what: &str) {
    if !v.is_null() {
        unit(v, what);
    }
}

/// Every field of a group is present, and every value is in range or null.
fn check_group(g: &Value, what: &str) {
    for f in GROUP_FIELDS {
        assert!(g.get(f).is_some(), "{what}: missing {f}");
    }
    let n = g["n"].as_u64().unwrap();
    let pos = g["positives"].as_u64().unwrap();
    assert_eq!(pos + g["negatives"].as_u64().unwrap(), n, "{what}");
    let both = g["both_classes"].as_bool().unwrap();
    assert_eq!(both, pos > 0 && pos < n, "{what}");
    for f in ["base_rate", "mean_score", "brier", "ece"] {
        unit(&g[f], &format!("{what}.{f}"));
    }
    for f in ["review", "lure"] {
        unit(&g["flag_rate"][f], &format!("{what}.flag_rate.{f}"));
        let t = &g["thresholds"][f];
        unit(&t["threshold"], &format!("{what}.{f}.threshold"));
        for m in ["precision", "recall", "f1"] {
            unit_or_null(&t[m], &format!("{what}.{f}.{m}"));
        }
        let c = &t["confusion"];
        let total: u64 = ["tp", "fp", "tn", "fn"]
            .iter()
            .map(|k| c[k].as_u64().unwrap())
            .sum();
        assert_eq!(total, n, "{what}.{f}.confusion");
        assert_eq!(c["tp"].as_u64().unwrap() + c["fn"].as_u64().unwrap(), pos);
    }
    if both {
        unit(&g["roc_auc"], &format!("{what}.roc_auc"));
        unit(&g["pr_auc"], &format!("{what}.pr_auc"));
        for p in ["0.9", "0.95", "0.99"] {
            let op = &g["recall_at_precision"][p];
            unit(&op["recall"], &format!("{what}.recall_at_precision.{p}"));
            unit_or_null(&op["threshold"], "threshold");
            unit_or_null(&op["precision"], "precision");
        }
        for r in ["0.9", "0.95"] {
            let op = &g["precision_at_recall"][r];
            unit(&op["precision"], &format!("{what}.precision_at_recall.{r}"));
            assert!(op["recall"].as_f64().unwrap() >= r.parse::<f64>().unwrap());
        }
    } else {
        for f in [
            "roc_auc",
            "pr_auc",
            "recall_at_precision",
            "precision_at_recall",
        ] {
            assert!(g[f].is_null(), "{what}.{f} is null for one class");
        }
    }
    let bins = g["reliability"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    assert_eq!(
        bins.iter().map(|b| b["n"].as_u64().unwrap()).sum::<u64>(),
        n
    );
    for b in bins {
        unit_or_null(&b["mean_score"], "bin mean");
        unit_or_null(&b["positive_rate"], "bin rate");
    }
}

fn check_block(b: &Value, what: &str) {
    check_group(b, what);
    let n = b["n"].as_u64().unwrap();
    for by in ["by_lang", "by_kind"] {
        let groups = b[by].as_object().expect(by);
        assert!(!groups.is_empty());
        let mut total = 0;
        for (k, g) in groups {
            check_group(g, &format!("{what}.{by}.{k}"));
            total += g["n"].as_u64().unwrap();
        }
        assert_eq!(total, n, "{what}.{by} covers the group");
    }
}

#[test]
fn json_report_has_every_field_in_range() {
    let f = fixture();
    let json = f.dir.join("eval.json");
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--split",
        "test",
        "--json",
        json.to_str().unwrap(),
        "--worst",
        "5",
    ]);
    let stdout = ok(&out);
    assert!(stdout.contains("Ranking and calibration"), "{stdout}");
    assert!(stdout.contains("ROC-AUC") && stdout.contains("kind warning"));
    let j = read_json(&json);
    for k in [
        "lurescan_version",
        "system",
        "thresholds",
        "data",
        "overall",
        "sources",
        "worst",
    ] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
    assert_eq!(j["system"]["kind"], "model");
    assert_eq!(j["system"]["model"], "bundled");
    assert_eq!(j["data"]["splits"], json!(["test"]));
    let n_test = f.posts.iter().filter(|p| p.3 == "test").count() as u64;
    assert_eq!(j["overall"]["n"].as_u64(), Some(n_test));
    check_block(&j["overall"], "overall");
    let sources = j["sources"].as_object().unwrap();
    assert_eq!(sources.keys().collect::<Vec<_>>(), ["corpus"]);
    check_block(&j["sources"]["corpus"], "corpus");

    // A kind with one class only reports flag rates and a mean score, no AUC.
    let warning = &j["overall"]["by_kind"]["warning"];
    assert_eq!(warning["positives"], 0);
    assert!(warning["roc_auc"].is_null() && warning["pr_auc"].is_null());
    assert!(warning["flag_rate"]["review"].is_number() && warning["mean_score"].is_number());

    // The mislabelled posts are the worst cases, with reasons.
    let fp = j["worst"]["false_positives"].as_array().unwrap();
    let fn_ = j["worst"]["false_negatives"].as_array().unwrap();
    assert!(fp.len() <= 5 && fn_.len() <= 5);
    let made3 = fp
        .iter()
        .find(|c| c["id"] == "made-3")
        .expect("made-3 is a false positive");
    assert_eq!(made3["label"], 0);
    assert!(!made3["reasons"].as_array().unwrap().is_empty());
    assert!(fn_.iter().any(|c| c["id"] == "4"), "{fn_:?}");
    let t = &j["thresholds"];
    for c in fp {
        assert!(c["score"].as_f64().unwrap() >= t["review"].as_f64().unwrap());
    }
    for c in fn_ {
        assert!(c["score"].as_f64().unwrap() < t["lure"].as_f64().unwrap());
    }
    let scores: Vec<f64> = fp.iter().map(|c| c["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "highest first");
}

#[test]
fn every_split_by_default_with_a_note() {
    let f = fixture();
    let json = f.dir.join("all.json");
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("train split"));
    let j = read_json(&json);
    assert_eq!(j["overall"]["n"].as_u64(), Some(f.posts.len() as u64));
    assert_eq!(j["data"]["n_train_split"], 2);
}

/// Writes a scores file giving each post `score(label)`.
fn scores_file(f: &Fixture, name: &str, score: impl Fn(bool, usize) -> f64) -> PathBuf {
    let path = f.dir.join(name);
    let text: String = f
        .posts
        .iter()
        .enumerate()
        .map(|(i, (source, id, label, _))| {
            format!(
                "{}\n",
                json!({"id": id, "source": source, "score": score(*label, i)})
            )
        })
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

fn eval_scores(f: &Fixture, scores: &Path, json: &str) -> Value {
    let out_path = f.dir.join(json);
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--split",
        "test",
        "--scores",
        scores.to_str().unwrap(),
        "--thresholds",
        "0.3,0.7",
        "--name",
        "baseline",
        "--json",
        out_path.to_str().unwrap(),
    ]);
    ok(&out);
    read_json(&out_path)
}

#[test]
fn perfect_scores_rank_perfectly() {
    let f = fixture();
    // Distinct scores per post, every lure above every other post.
    let s = scores_file(&f, "perfect.jsonl", |label, i| {
        if label {
            0.8 + i as f64 * 0.001
        } else {
            0.1 + i as f64 * 0.001
        }
    });
    let j = eval_scores(&f, &s, "perfect.json");
    assert_eq!(j["system"]["name"], "baseline");
    assert_eq!(j["system"]["kind"], "scores");
    assert_eq!(j["thresholds"], json!({"review": 0.3, "lure": 0.7}));
    let o = &j["overall"];
    assert_eq!(o["roc_auc"].as_f64(), Some(1.0));
    assert_eq!(o["pr_auc"].as_f64(), Some(1.0));
    assert_eq!(
        o["recall_at_precision"]["0.99"]["recall"].as_f64(),
        Some(1.0)
    );
    assert_eq!(
        o["precision_at_recall"]["0.95"]["precision"].as_f64(),
        Some(1.0)
    );
    for t in ["review", "lure"] {
        let at = &o["thresholds"][t];
        assert_eq!(at["precision"].as_f64(), Some(1.0));
        assert_eq!(at["recall"].as_f64(), Some(1.0));
        assert_eq!(at["confusion"]["fp"], 0);
        assert_eq!(at["confusion"]["fn"], 0);
    }
    assert!(j["worst"]["false_positives"].as_array().unwrap().is_empty());
    assert!(j["worst"]["false_negatives"].as_array().unwrap().is_empty());
    check_block(o, "perfect");
}

#[test]
fn reversed_scores_give_auc_zero() {
    let f = fixture();
    let s = scores_file(&f, "reversed.jsonl", |label, i| {
        if label {
            0.1 + i as f64 * 0.001
        } else {
            0.8 + i as f64 * 0.001
        }
    });
    let j = eval_scores(&f, &s, "reversed.json");
    let o = &j["overall"];
    assert_eq!(o["roc_auc"].as_f64(), Some(0.0));
    let base = o["base_rate"].as_f64().unwrap();
    assert!(o["pr_auc"].as_f64().unwrap() <= base + 1e-9);
    assert_eq!(
        o["recall_at_precision"]["0.9"]["recall"].as_f64(),
        Some(0.0)
    );
    assert!(o["recall_at_precision"]["0.9"]["threshold"].is_null());
    // Scores files carry no explanations.
    let fp = j["worst"]["false_positives"].as_array().unwrap();
    assert_eq!(fp.len(), 15);
    assert!(fp[0]["reasons"].is_null());
}

#[test]
fn missing_or_bad_scores_are_errors() {
    let f = fixture();
    let s = scores_file(&f, "partial.jsonl", |label, _| f64::from(u8::from(label)));
    let text = std::fs::read_to_string(&s).unwrap();
    let partial: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(&s, partial).unwrap();
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--scores",
        s.to_str().unwrap(),
        "--thresholds",
        "0.3,0.7",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no score") && err.contains("corpus/"), "{err}");

    std::fs::write(
        &s,
        "{\"id\": \"x\", \"source\": \"corpus\", \"score\": 1.5}\n",
    )
    .unwrap();
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--scores",
        s.to_str().unwrap(),
        "--thresholds",
        "0.3,0.7",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[0, 1]"));

    // --scores needs --thresholds, which must be ordered.
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--scores",
        s.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--scores",
        s.to_str().unwrap(),
        "--thresholds",
        "0.8,0.2",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn html_report_is_self_contained() {
    let f = fixture();
    let html_path = f.dir.join("eval.html");
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "--split",
        "test",
        "--html",
        html_path.to_str().unwrap(),
        "--worst",
        "4",
    ]);
    ok(&out);
    let html = std::fs::read_to_string(&html_path).expect("HTML written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Three charts drawn inline: PR curve, reliability diagram, score histogram.
    assert!(html.matches("<svg").count() >= 3, "charts");
    assert!(html.contains("Precision–recall") && html.contains("Reliability"));
    assert!(
        html.contains("<polyline") || html.contains("<path"),
        "curves drawn"
    );
    for section in [
        "id=\"metrics\"",
        "id=\"confusion\"",
        "id=\"false-positives\"",
        "id=\"false-negatives\"",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    assert!(html.contains("Worst false positives") && html.contains("Worst false negatives"));
    // The confusion matrices at both thresholds.
    assert!(html.contains("At the review threshold") && html.contains("At the lure threshold"));
    // Worst cases with their reasons and highlighted evidence.
    assert!(html.contains("class=\"case\""));
    assert!(html.contains("<mark class=\"pos\""));
    assert!(html.contains("made-3"));
    // Post text is escaped: the post's markup shows as text, never as markup.
    assert!(!html.contains("<script"), "no script at all");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
    // Nothing fetched from the network.
    for bad in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(bad), "external resource: {bad}");
    }
}

#[test]
fn external_set_when_present() {
    let shared = repo().join("../shared/data");
    if std::env::var_os("LURESCAN_SHARED_DATA").is_none() && !shared.is_dir() {
        eprintln!("skipped: ../shared/data is missing (the external data sets are not here)");
        return;
    }
    let f = fixture();
    let json = f.dir.join("ext.json");
    let out = run(&[
        "eval",
        f.data.to_str().unwrap(),
        "shared:kh-jobs",
        "--split",
        "test",
        "--json",
        json.to_str().unwrap(),
        "--worst",
        "2",
    ]);
    let stdout = ok(&out);
    assert!(stdout.contains("kh-jobs"));
    let j = read_json(&json);
    let kh = &j["sources"]["kh-jobs"];
    check_block(kh, "kh-jobs");
    // Honest Cambodian job posts only: one class, so flag rates instead of AUCs.
    assert_eq!(kh["positives"], 0);
    assert!(kh["roc_auc"].is_null());
    check_block(&j["overall"], "overall");
    let total: u64 = j["sources"]
        .as_object()
        .unwrap()
        .values()
        .map(|b| b["n"].as_u64().unwrap())
        .sum();
    assert_eq!(j["overall"]["n"].as_u64(), Some(total));
}
