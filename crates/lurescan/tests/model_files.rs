//! Model files are untrusted input: every kind of damage is refused with an error that says
//! which.

use lurescan::{Classifier, ErrorKind, ModelFile};

/// Checks that an error is of the expected kind.
type Expect = fn(&ErrorKind) -> bool;

fn bundled_file() -> ModelFile {
    Classifier::bundled().model_file().clone()
}

fn load(file: &ModelFile) -> Result<Classifier, lurescan::Error> {
    // to_json recomputes the checksum, so these test the checks behind it.
    Classifier::from_slice(file.to_json().as_bytes())
}

#[test]
fn damaged_model_files_are_refused() {
    type Edit = fn(&mut ModelFile);
    let cases: &[(&str, Edit, Expect)] = &[
        (
            "other fingerprint",
            |f| f.feature_fingerprint = "0000".into(),
            |k| matches!(k, ErrorKind::SchemaMismatch { .. }),
        ),
        (
            "signal weights of the wrong length",
            |f| {
                f.weights.signals.pop();
            },
            |k| matches!(k, ErrorKind::ModelFormat { reason } if reason.contains("signal weights")),
        ),
        (
            "n-gram index beyond the buckets",
            |f| {
                f.weights.ngram_index.push(u32::MAX);
                f.weights.ngram_value.push(1.0);
                f.weights.ngram_idf.push(1.0);
            },
            |k| matches!(k, ErrorKind::ModelFormat { reason } if reason.contains("beyond")),
        ),
        (
            "thresholds out of order",
            |f| {
                f.thresholds.review = 0.9;
                f.thresholds.lure = 0.1;
            },
            |k| matches!(k, ErrorKind::ModelFormat { reason } if reason.contains("thresholds")),
        ),
        (
            "idf of zero",
            |f| f.weights.ngram_idf[0] = 0.0,
            |k| matches!(k, ErrorKind::ModelFormat { reason } if reason.contains("idf")),
        ),
        (
            "infinite weight",
            |f| f.weights.intercept = f64::INFINITY,
            |k| matches!(k, ErrorKind::ModelFormat { .. }),
        ),
        (
            "renamed signal",
            |f| f.signals[0] = "something_else".into(),
            |k| matches!(k, ErrorKind::SchemaMismatch { .. }),
        ),
    ];
    for (name, edit, expected) in cases {
        let mut f = bundled_file();
        edit(&mut f);
        match load(&f) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => assert!(expected(e.kind()), "{name}: wrong error {e}"),
        }
    }
}

#[test]
fn raw_damage_is_refused() {
    let good = Classifier::bundled().to_json();
    let cases: Vec<(&str, String, Expect)> = vec![
        ("not JSON", "not json".into(), |k| {
            matches!(k, ErrorKind::ModelFormat { .. })
        }),
        ("truncated", good[..good.len() / 2].to_string(), |k| {
            matches!(k, ErrorKind::ModelFormat { .. })
        }),
        (
            "not a model",
            "{\"hello\": 1}".into(),
            |k| matches!(k, ErrorKind::ModelFormat { reason } if reason.contains("not a lurescan model")),
        ),
        (
            "future version",
            good.replacen("\"format_version\": 1", "\"format_version\": 7", 1),
            |k| {
                matches!(
                    k,
                    ErrorKind::ModelVersion {
                        found: 7,
                        supported: 1
                    }
                )
            },
        ),
        (
            "hand-edited weight",
            {
                let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
                let w = &mut v["weights"]["intercept"];
                *w = serde_json::json!(w.as_f64().unwrap() + 0.5);
                v.to_string()
            },
            |k| matches!(k, ErrorKind::ModelFormat { reason } if reason.contains("checksum")),
        ),
        (
            "missing thresholds",
            {
                let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
                v.as_object_mut().unwrap().remove("thresholds");
                v.to_string()
            },
            |k| matches!(k, ErrorKind::ModelFormat { .. }),
        ),
        (
            "NaN written as null",
            good.replacen("\"intercept\": ", "\"intercept\": null, \"x\": ", 1),
            |k| matches!(k, ErrorKind::ModelFormat { .. }),
        ),
    ];
    for (name, bytes, expected) in cases {
        match Classifier::from_slice(bytes.as_bytes()) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => assert!(expected(e.kind()), "{name}: wrong error {e}"),
        }
    }
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let err = Classifier::from_path("/nonexistent/model.json").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Io { path: Some(_) }));
    assert!(err.to_string().contains("/nonexistent/model.json"));
}
