//! Splits the bundled model (`models/lurescan-v1.json`) for a fast cold start: its JSON without
//! the three n-gram arrays, and those arrays as little-endian binary, written to `OUT_DIR`.
//! Loading the bundled model then parses a few kilobytes of JSON instead of 36,000 numbers.
//! The model file itself is unchanged and still the reference: `Classifier::bundled` falls back
//! to it if the split parts do not load, and a test checks that both give the same model.

use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let model = manifest.join("../../models/lurescan-v1.json");
    println!("cargo::rerun-if-changed={}", model.display());
    println!("cargo::rerun-if-changed=build.rs");
    let bytes = std::fs::read(&model).expect("models/lurescan-v1.json is readable");
    // A file that does not parse as expected is left to the runtime path (which reports the
    // error): the parts are then empty, and empty parts are not used.
    let (skeleton, index, value, idf) = split(&bytes).unwrap_or_default();
    std::fs::write(out.join("bundled_model_skeleton.json"), skeleton).expect("write");
    std::fs::write(out.join("bundled_model_ngram_index.bin"), index).expect("write");
    std::fs::write(out.join("bundled_model_ngram_value.bin"), value).expect("write");
    std::fs::write(out.join("bundled_model_ngram_idf.bin"), idf).expect("write");
}

type Parts = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

fn split(bytes: &[u8]) -> Option<Parts> {
    let mut file: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let weights = file.get_mut("weights")?.as_object_mut()?;
    let mut take = |key: &str| -> Option<Vec<serde_json::Value>> {
        match weights.get_mut(key)? {
            serde_json::Value::Array(items) => Some(std::mem::take(items)),
            _ => None,
        }
    };
    let (index, value, idf) = (
        take("ngram_index")?,
        take("ngram_value")?,
        take("ngram_idf")?,
    );
    let mut index_bytes = Vec::with_capacity(index.len() * 4);
    for v in &index {
        let i = u32::try_from(v.as_u64()?).ok()?;
        index_bytes.extend_from_slice(&i.to_le_bytes());
    }
    let floats = |items: &[serde_json::Value]| -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(items.len() * 8);
        for v in items {
            out.extend_from_slice(&v.as_f64()?.to_le_bytes());
        }
        Some(out)
    };
    let (value_bytes, idf_bytes) = (floats(&value)?, floats(&idf)?);
    let skeleton = serde_json::to_vec(&file).ok()?;
    Some((skeleton, index_bytes, value_bytes, idf_bytes))
}
