//! `Explanation`, `Reason` and `Evidence`: the core's explanation in Python shapes, with spans
//! converted from UTF-8 byte offsets to code-point indices into the Python string.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySlice, PyString, PyTuple};

/// Why a post got its score.
///
/// `logit == intercept + ngram_contribution + sum(r.contribution for r in reasons)` and
/// `score == 1 / (1 + exp(-logit))`. `reasons` lists every signal that fired, largest
/// contribution first.
#[pyclass(frozen, module = "lurescan", name = "Explanation")]
pub(crate) struct Explanation {
    /// Calibrated probability that the post is a lure, in [0, 1].
    #[pyo3(get)]
    score: f64,
    /// `"ok"`, `"review"` or `"lure"`.
    #[pyo3(get)]
    label: &'static str,
    /// The calibrated logit.
    #[pyo3(get)]
    logit: f64,
    /// The intercept (calibrated scale).
    #[pyo3(get)]
    intercept: f64,
    /// What the hashed word and character n-grams added together.
    #[pyo3(get)]
    ngram_contribution: f64,
    /// ``(start, end)``: the part of the post that was scored, as code-point indices — the
    /// whole post, or for a long post the window of it that scored highest.
    #[pyo3(get)]
    window: (usize, usize),
    reasons: Vec<Py<Reason>>,
}

/// One fired signal and what it contributed to the score.
#[pyclass(frozen, module = "lurescan", name = "Reason")]
pub(crate) struct Reason {
    /// The stable signal name, e.g. `"travel_perk"`.
    #[pyo3(get)]
    signal: String,
    /// A one-line description for moderators.
    #[pyo3(get)]
    description: String,
    /// The model weight of the signal (calibrated scale).
    #[pyo3(get)]
    weight: f64,
    /// What the signal added to the logit.
    #[pyo3(get)]
    contribution: f64,
    evidence: Vec<Py<Evidence>>,
}

/// Where a signal was found: `text[start:end]` of the post (code-point indices into the
/// Python string), and a structured value when the signal has one.
#[pyclass(frozen, module = "lurescan", name = "Evidence")]
pub(crate) struct Evidence {
    /// Index of the first code point.
    #[pyo3(get)]
    start: usize,
    /// Index one past the last code point.
    #[pyo3(get)]
    end: usize,
    /// The evidence: `text[start:end]`.
    #[pyo3(get)]
    text: Py<PyString>,
    value: Option<lurescan::Value>,
}

#[pymethods]
impl Explanation {
    /// Every fired signal, largest contribution first.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.reasons.iter().map(|r| r.clone_ref(py)))
    }

    /// Names of the signals that pushed the score up most, at most `n`.
    #[pyo3(signature = (n = 3))]
    fn top_reasons(&self, n: usize) -> Vec<String> {
        self.reasons
            .iter()
            .map(|r| r.get())
            .filter(|r| r.contribution > 0.0)
            .take(n)
            .map(|r| r.signal.clone())
            .collect()
    }

    /// The explanation as plain dicts and lists, ready for `json.dumps`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("score", self.score)?;
        d.set_item("label", self.label)?;
        d.set_item("logit", self.logit)?;
        d.set_item("intercept", self.intercept)?;
        d.set_item("ngram_contribution", self.ngram_contribution)?;
        d.set_item("window", [self.window.0, self.window.1])?;
        let reasons = PyList::empty(py);
        for r in &self.reasons {
            reasons.append(r.get().to_dict(py)?)?;
        }
        d.set_item("reasons", reasons)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self
            .reasons
            .iter()
            .map(|r| format!("'{}'", r.get().signal))
            .collect();
        format!(
            "Explanation(score={:.4}, label='{}', reasons=[{}])",
            self.score,
            self.label,
            names.join(", ")
        )
    }
}

#[pymethods]
impl Reason {
    /// The evidence, in text order.
    #[getter]
    fn evidence<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.evidence.iter().map(|e| e.clone_ref(py)))
    }

    /// The evidence as `(start, end, text)` tuples: `text == post[start:end]`.
    #[getter]
    fn spans<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let spans = self
            .evidence
            .iter()
            .map(|e| {
                let e = e.get();
                PyTuple::new(
                    py,
                    [
                        e.start.into_pyobject(py)?.into_any(),
                        e.end.into_pyobject(py)?.into_any(),
                        e.text.bind(py).clone().into_any(),
                    ],
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, spans)
    }

    /// The reason as plain dicts and lists, ready for `json.dumps`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("signal", &self.signal)?;
        d.set_item("description", &self.description)?;
        d.set_item("weight", self.weight)?;
        d.set_item("contribution", self.contribution)?;
        let ev = PyList::empty(py);
        for e in &self.evidence {
            ev.append(e.get().to_dict(py)?)?;
        }
        d.set_item("evidence", ev)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let texts = self
            .evidence
            .iter()
            .map(|e| Ok(e.get().text.bind(py).repr()?.to_string()))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(format!(
            "Reason(signal='{}', contribution={:+.4}, evidence=[{}])",
            self.signal,
            self.contribution,
            texts.join(", ")
        ))
    }
}

#[pymethods]
impl Evidence {
    /// The structured value as a dict, or None. Its `"type"` is `"salary"` or `"fee"` (with
    /// `min`, `max`, `currency`, `period`, `usd_per_month_min`, `usd_per_month_max`),
    /// `"contact"` (`channel`, `handle`, `country`), `"destination"` (`country`) or `"age"`
    /// (`min`, `max`).
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.value {
            Some(v) => to_py(py, v),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The evidence as a dict: `start`, `end`, `text` and, when there is one, `value`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        d.set_item("text", self.text.bind(py))?;
        if self.value.is_some() {
            d.set_item("value", self.value(py)?)?;
        }
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let value = match &self.value {
            Some(_) => format!(", value={}", self.value(py)?.repr()?),
            None => String::new(),
        };
        Ok(format!(
            "Evidence(start={}, end={}, text={}{value})",
            self.start,
            self.end,
            self.text.bind(py).repr()?
        ))
    }
}

/// Maps sorted, distinct UTF-8 byte offsets of `text` to code-point indices in one pass.
struct CodePoints {
    /// (byte offset, code-point index), ascending; empty for ASCII text (identity).
    map: Vec<(usize, usize)>,
}

impl CodePoints {
    fn new(text: &str, mut offsets: Vec<usize>) -> CodePoints {
        if text.is_ascii() {
            return CodePoints { map: Vec::new() };
        }
        offsets.sort_unstable();
        offsets.dedup();
        let mut map = Vec::with_capacity(offsets.len());
        let mut chars = text.char_indices().map(|(b, _)| b).enumerate().peekable();
        for off in offsets {
            // Count the characters that start before `off` (a floor for an offset inside a
            // character, which the core never gives).
            while chars.peek().is_some_and(|&(_, b)| b < off) {
                chars.next();
            }
            let cp = match chars.peek() {
                Some(&(i, _)) => i,
                None => text.chars().count(),
            };
            map.push((off, cp));
        }
        CodePoints { map }
    }

    fn get(&self, byte: usize) -> usize {
        if self.map.is_empty() {
            return byte;
        }
        match self.map.binary_search_by_key(&byte, |&(b, _)| b) {
            Ok(i) => self.map[i].1,
            Err(_) => byte, // not reached: every offset was mapped
        }
    }
}

/// Converts a core explanation of `text`. `original` is the Python string when `text` is a
/// lossy copy of it (lone surrogates): evidence text is then sliced from the original, so
/// that `original[start:end] == evidence.text` holds exactly.
pub(crate) fn convert(
    py: Python<'_>,
    e: &lurescan::Explanation,
    text: &str,
    original: Option<&Bound<'_, PyString>>,
) -> PyResult<Explanation> {
    let offsets = e
        .reasons
        .iter()
        .flat_map(|r| r.evidence.iter().flat_map(|ev| [ev.start, ev.end]))
        .chain([e.window.start, e.window.end])
        .collect();
    let cps = CodePoints::new(text, offsets);
    let mut reasons = Vec::with_capacity(e.reasons.len());
    for r in &e.reasons {
        let mut evidence = Vec::with_capacity(r.evidence.len());
        for ev in &r.evidence {
            let (start, end) = (cps.get(ev.start), cps.get(ev.end));
            let slice = match original {
                Some(o) => o
                    .as_any()
                    .get_item(PySlice::new(py, start as isize, end as isize, 1))?
                    .cast_into::<PyString>()?,
                None => PyString::new(py, &ev.text),
            };
            evidence.push(Py::new(
                py,
                Evidence {
                    start,
                    end,
                    text: slice.unbind(),
                    value: ev.value.clone(),
                },
            )?);
        }
        reasons.push(Py::new(
            py,
            Reason {
                signal: r.signal.clone(),
                description: r.description.clone(),
                weight: r.weight,
                contribution: r.contribution,
                evidence,
            },
        )?);
    }
    Ok(Explanation {
        score: e.score,
        label: e.label.as_str(),
        logit: e.logit,
        intercept: e.intercept,
        ngram_contribution: e.ngram_contribution,
        window: (cps.get(e.window.start), cps.get(e.window.end)),
        reasons,
    })
}

/// Any serialisable value as plain Python objects (dict, list, str, int, float, bool, None).
pub(crate) fn to_py<'py, T: serde::Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value).map_err(|e| {
        pyo3::exceptions::PyValueError::new_err(format!("cannot convert to Python: {e}"))
    })?;
    json_to_py(py, &json)
}

pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    v: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value as J;
    Ok(match v {
        J::Null => py.None().into_bound(py),
        J::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        J::String(s) => PyString::new(py, s).into_any(),
        J::Array(a) => {
            let items = a
                .iter()
                .map(|x| json_to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        J::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}
