//! Runs the feature-extraction cases in the top-level `tests/data/features/*.toml`.

use std::path::PathBuf;

use lurescan::{Classifier, Explanation, Value};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    test: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    #[serde(default)]
    fires: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    evidence: Vec<ExpectedEvidence>,
    salary: Option<ExpectedSalary>,
    contact: Option<ExpectedContact>,
}

#[derive(Deserialize)]
struct ExpectedEvidence {
    signal: String,
    text: String,
}

#[derive(Deserialize)]
struct ExpectedSalary {
    currency: String,
    period: String,
    usd_month: f64,
}

#[derive(Deserialize)]
struct ExpectedContact {
    channel: String,
    country: Option<String>,
}

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/features")
}

fn check(case: &Case, e: &Explanation) -> Vec<String> {
    let mut problems = Vec::new();
    let fired: Vec<&str> = e.reasons.iter().map(|r| r.signal.as_str()).collect();
    for s in &case.fires {
        if !fired.contains(&s.as_str()) {
            problems.push(format!("{s} should fire (fired: {fired:?})"));
        }
    }
    for s in &case.absent {
        if fired.contains(&s.as_str()) {
            problems.push(format!("{s} should not fire"));
        }
    }
    for r in &e.reasons {
        for ev in &r.evidence {
            if case.text.get(ev.start..ev.end) != Some(ev.text.as_str()) {
                problems.push(format!(
                    "{}: span {}..{} is not its text",
                    r.signal, ev.start, ev.end
                ));
            }
        }
    }
    for want in &case.evidence {
        let found = e
            .reasons
            .iter()
            .filter(|r| r.signal == want.signal)
            .flat_map(|r| &r.evidence)
            .any(|ev| ev.text == want.text);
        if !found {
            let got: Vec<&str> = e
                .reasons
                .iter()
                .filter(|r| r.signal == want.signal)
                .flat_map(|r| r.evidence.iter().map(|ev| ev.text.as_str()))
                .collect();
            problems.push(format!(
                "{} should have evidence {:?}, has {got:?}",
                want.signal, want.text
            ));
        }
    }
    let values: Vec<&Value> = e
        .reasons
        .iter()
        .flat_map(|r| &r.evidence)
        .filter_map(|ev| ev.value.as_ref())
        .collect();
    if let Some(want) = &case.salary {
        let ok = values.iter().any(|v| match v {
            Value::Salary(m) => {
                m.currency == want.currency
                    && m.period.map(|p| format!("{p:?}").to_lowercase()).as_deref()
                        == Some(want.period.as_str())
                    && (m.usd_per_month_max - want.usd_month).abs() <= 0.02 * want.usd_month
            }
            _ => false,
        });
        if !ok {
            let got: Vec<&&Value> = values
                .iter()
                .filter(|v| matches!(v, Value::Salary(_)))
                .collect();
            problems.push(format!(
                "salary {} {} ≈{} USD/month expected, found {got:?}",
                want.currency, want.period, want.usd_month
            ));
        }
    }
    if let Some(want) = &case.contact {
        let ok = values.iter().any(|v| match v {
            Value::Contact(c) => {
                format!("{:?}", c.channel).to_lowercase() == want.channel
                    && (want.country.is_none() || c.country == want.country)
            }
            _ => false,
        });
        if !ok {
            problems.push(format!(
                "contact {} {:?} expected",
                want.channel, want.country
            ));
        }
    }
    problems
}

#[test]
fn feature_cases() {
    let clf = Classifier::bundled();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/data/features exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files found");
    for path in files {
        let src = std::fs::read_to_string(&path).expect("readable case file");
        let file: File = toml::from_str(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for case in &file.test {
            count += 1;
            let e = clf.explain(&case.text);
            for p in check(case, &e) {
                failures.push(format!(
                    "{}::{}: {p}",
                    path.file_name().unwrap().to_string_lossy(),
                    case.name
                ));
            }
        }
    }
    assert!(count > 30, "only {count} cases ran");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
