//! The committed default model is exactly what `lurescan train` makes from the data recorded in
//! it: retraining gives the same weights (within 1e-6), thresholds and calibration.

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Number(n) => vec![n.as_f64().unwrap()],
        serde_json::Value::Array(a) => a.iter().flat_map(numbers).collect(),
        serde_json::Value::Object(o) => o.values().flat_map(numbers).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn default_model_is_reproducible() {
    let root = repo();
    let committed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("models/lurescan-v1.json")).expect("the default model exists"),
    )
    .expect("the default model is JSON");
    let meta = &committed["training"]["metadata"];
    // The data in the order it was given (`specs`; older models: the keys of `data`).
    let specs: Vec<String> = match meta["specs"].as_array() {
        Some(a) => a.iter().map(|s| s.as_str().unwrap().to_string()).collect(),
        None => meta["data"]
            .as_object()
            .expect("training.metadata.data lists the data")
            .keys()
            .cloned()
            .collect(),
    };
    if specs.iter().any(|s| s.starts_with("shared:"))
        && !root.join("../shared/data").is_dir()
        && std::env::var_os("LURESCAN_SHARED_DATA").is_none()
    {
        eprintln!("skipped: the default model was trained with ../shared/data, which is missing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lurescan"));
    cmd.current_dir(&root).arg("train").args(&specs);
    if meta["all_splits"].as_bool() == Some(true) {
        cmd.arg("--all-splits");
    }
    if let Some(cap) = meta["cap_external"].as_u64() {
        cmd.args(["--cap-external", &cap.to_string()]);
    }
    // The training settings recorded in the model, as command-line options.
    let cfg = &committed["training"]["config"];
    let alphas: Vec<String> = cfg["alphas"]
        .as_array()
        .expect("training.config.alphas")
        .iter()
        .map(|a| a.to_string())
        .collect();
    cmd.args(["--alphas", &alphas.join(",")]);
    for (flag, key) in [
        ("--folds", "folds"),
        ("--max-iterations", "max_iterations"),
        ("--min-df", "min_df"),
        ("--max-ngram-features", "max_ngram_features"),
        ("--seed", "seed"),
    ] {
        let v = cfg[key]
            .as_u64()
            .unwrap_or_else(|| panic!("training.config.{key}"));
        cmd.args([flag, &v.to_string()]);
    }
    let ngram = &cfg["ngram"];
    for (flag, key) in [("--word-ngrams", "word"), ("--char-ngrams", "char")] {
        let range = ngram[key]
            .as_array()
            .unwrap_or_else(|| panic!("training.config.ngram.{key}"));
        cmd.args([flag, &format!("{},{}", range[0], range[1])]);
    }
    let buckets = ngram["buckets"]
        .as_u64()
        .expect("training.config.ngram.buckets");
    cmd.args(["--buckets", &buckets.to_string()]);
    let status = cmd.arg("--out").arg(&out).status().unwrap();
    assert!(status.success());
    let fresh: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        fresh["feature_fingerprint"],
        committed["feature_fingerprint"]
    );
    assert_eq!(
        fresh["training"]["metadata"]["data_sha256"],
        meta["data_sha256"]
    );
    assert_eq!(
        fresh["weights"]["ngram_index"], committed["weights"]["ngram_index"],
        "retraining selected other n-grams: regenerate models/ (see models/README.md)"
    );
    for key in ["weights", "calibration", "thresholds"] {
        let (a, b) = (numbers(&fresh[key]), numbers(&committed[key]));
        assert_eq!(a.len(), b.len(), "{key}");
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-6, "{key} differ by up to {worst}");
    }
}
