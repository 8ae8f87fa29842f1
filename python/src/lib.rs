//! Python bindings for lurescan, built by maturin into the `lurescan` wheel as the extension
//! module `lurescan._lurescan`.
//!
//! The binding only converts: arguments from Python objects to Rust values, results back to
//! Python objects, core errors to Python exceptions. Scoring, explaining and training are the
//! core crate's, so Python and Rust give the same numbers. Batch work releases the GIL
//! (`py.detach`) and runs on all cores in the core's rayon pool.
//!
//! The module is declared free-threading safe (`gil_used = false`): `Classifier` wraps the
//! immutable, `Send + Sync` core classifier and every Python class here is `frozen`.

mod errors;
mod explain;
mod texts;

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArray1, PyArrayDescr, PyArrayDescrMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple, PyType};
use rayon::prelude::*;

use crate::errors::{Error, guard};
use crate::explain::{Explanation, convert, json_to_py, to_py};
use crate::texts::{Texts, expect_str, text_of, type_name};

/// Scores social-media job posts for scam-compound and trafficking recruitment lures, and
/// explains why.
///
/// ``Classifier()`` is the model bundled with lurescan; ``Classifier.load(path)`` loads a model
/// file written by ``save`` or by ``lurescan train``. A classifier is immutable and safe to
/// share between threads; it pickles as its model file, so it ships to worker processes.
///
/// Scoring never fails: any ``str`` gets a probability in [0, 1].
#[pyclass(frozen, module = "lurescan", name = "Classifier")]
struct Classifier {
    inner: lurescan::Classifier,
}

#[pymethods]
impl Classifier {
    /// The model bundled with lurescan (same as ``Classifier.bundled()``).
    #[new]
    fn new() -> PyResult<Self> {
        Ok(Classifier {
            inner: guard(lurescan::Classifier::try_bundled)?.map_err(Error)?,
        })
    }

    /// The model bundled with lurescan.
    #[classmethod]
    fn bundled(_cls: &Bound<'_, PyType>) -> PyResult<Self> {
        Classifier::new()
    }

    /// Loads a model file (``str`` or ``os.PathLike``).
    ///
    /// Raises ``FileNotFoundError``/``PermissionError``/``OSError`` if it cannot be read,
    /// ``ModelFormatError`` if it is not a valid model of this format version,
    /// ``SchemaMismatchError`` if it was trained for other features.
    #[classmethod]
    fn load(_cls: &Bound<'_, PyType>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = path.py();
        let path = path_arg(path, "path")?;
        let inner = py
            .detach(|| guard(|| lurescan::Classifier::from_path(&path)))?
            .map_err(Error)?;
        Ok(Classifier { inner })
    }

    /// Builds a classifier from the contents of a model file (``str`` or ``bytes``), as
    /// returned by ``to_json``.
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = data.py();
        let inner = if let Ok(s) = data.cast::<PyString>() {
            let s = text_of(s)?;
            py.detach(|| guard(|| lurescan::Classifier::from_slice(s.as_bytes())))?
        } else if let Ok(b) = data.cast::<PyBytes>() {
            let b = b.as_bytes();
            py.detach(|| guard(|| lurescan::Classifier::from_slice(b)))?
        } else {
            return Err(PyTypeError::new_err(format!(
                "argument 'data': expected str or bytes, got {}",
                type_name(data)
            )));
        };
        Ok(Classifier {
            inner: inner.map_err(Error)?,
        })
    }

    /// The model file as JSON text, as ``save`` writes it.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Writes the model file to ``path`` (``str`` or ``os.PathLike``).
    fn save(&self, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = path.py();
        let path = path_arg(path, "path")?;
        py.detach(|| guard(|| self.inner.save(&path)))?
            .map_err(Error)?;
        Ok(())
    }

    /// What the model is: a dict with ``format``, ``format_version``, ``feature_fingerprint``,
    /// ``checksum``, ``signals`` (feature names), ``ngram`` (hashing settings),
    /// ``calibration``, ``thresholds`` and ``training`` (training settings, data and metrics).
    #[getter]
    fn model_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut info = serde_json::to_value(self.inner.model_file())
            .map_err(|e| PyValueError::new_err(format!("cannot describe the model: {e}")))?;
        if let Some(obj) = info.as_object_mut() {
            // The weights are the model itself, not information about it.
            obj.remove("weights");
        }
        json_to_py(py, &info)
    }

    /// The label thresholds: ``{"review": p, "lure": p}``. A post scoring at least ``lure``
    /// is labelled ``"lure"``, at least ``review`` ``"review"``, else ``"ok"``.
    #[getter]
    fn thresholds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.thresholds())
    }

    /// The probability, in [0, 1], that ``text`` is a recruitment lure.
    fn score(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<f64> {
        let text = text_of(expect_str(text, "text")?)?;
        let score = py.detach(|| guard(|| self.inner.score(&text)))?;
        Ok(score.probability())
    }

    /// The label of ``text``: ``"ok"``, ``"review"`` or ``"lure"``.
    fn classify(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let text = text_of(expect_str(text, "text")?)?;
        let score = py.detach(|| guard(|| self.inner.score(&text)))?;
        Ok(score.label().as_str())
    }

    /// Explains the score of ``text``: every fired signal with its weight, contribution and
    /// evidence spans (code-point indices into ``text``).
    fn explain(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Explanation> {
        let text = expect_str(text, "text")?;
        let rust_text = text_of(text)?;
        let e = py.detach(|| guard(|| self.inner.explain(&rust_text)))?;
        let original = matches!(rust_text, std::borrow::Cow::Owned(_)).then_some(text);
        convert(py, &e, &rust_text, original)
    }

    /// Scores many texts on all cores, with the GIL released; the result is in input order
    /// and ``score_batch(texts)[i] == score(texts[i])`` (as ``dtype``).
    ///
    /// ``texts`` may be a list or tuple of ``str``, any iterable of ``str``, a 1-d numpy array
    /// of ``str`` or ``object``, a pandas Series, or a pyarrow ``StringArray``,
    /// ``LargeStringArray`` or ``ChunkedArray`` (read from Arrow memory, no Python object per
    /// element). Missing entries (``None``, NaN, ``pandas.NA``, Arrow nulls) score NaN.
    ///
    /// ``dtype`` is ``numpy.float32`` (the default) or ``numpy.float64``.
    #[pyo3(signature = (texts, *, dtype = None))]
    fn score_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        dtype: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let wide = match dtype {
            None => false,
            Some(d) => {
                let d = PyArrayDescr::new(py, d).map_err(|e| {
                    PyTypeError::new_err(format!("argument 'dtype': not a numpy dtype: {e}"))
                })?;
                if d.is_equiv_to(&numpy::dtype::<f64>(py)) {
                    true
                } else if d.is_equiv_to(&numpy::dtype::<f32>(py)) {
                    false
                } else {
                    return Err(PyValueError::new_err(format!(
                        "argument 'dtype': expected numpy.float32 or numpy.float64, got {}",
                        d.str()?
                    )));
                }
            }
        };
        let batch = Texts::read(texts, "texts")?;
        let probs = self.probabilities(py, &batch)?;
        Ok(if wide {
            probs.into_pyarray(py).into_any()
        } else {
            let narrow: Vec<f32> = probs.iter().map(|&p| p as f32).collect();
            narrow.into_pyarray(py).into_any()
        })
    }

    /// The labels of many texts (``"ok"``, ``"review"``, ``"lure"``; ``None`` for a missing
    /// entry), scored like ``score_batch``.
    fn classify_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let batch = Texts::read(texts, "texts")?;
        let items = batch.items()?;
        let strs: Vec<&str> = items.iter().map(|i| i.text.as_ref()).collect();
        let scores = in_chunks(py, &strs, |c| self.inner.score_batch(c))?;
        let mut labels: Vec<Option<&'static str>> = vec![None; batch.len()];
        for (item, s) in items.iter().zip(&scores) {
            labels[item.index] = Some(s.label().as_str());
        }
        PyList::new(py, labels)
    }

    /// Explains many texts on all cores, with the GIL released: a list of ``Explanation``
    /// in input order, ``None`` for a missing entry. Accepts what ``score_batch`` accepts.
    fn explain_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let batch = Texts::read(texts, "texts")?;
        let items = batch.items()?;
        let strs: Vec<&str> = items.iter().map(|i| i.text.as_ref()).collect();
        let explained = in_chunks(py, &strs, |c| self.inner.explain_batch(c))?;
        let mut out: Vec<Option<Py<Explanation>>> = (0..batch.len()).map(|_| None).collect();
        for (item, e) in items.iter().zip(&explained) {
            let original = item.original.map(|o| o.bind(py));
            out[item.index] = Some(Py::new(py, convert(py, e, &item.text, original)?)?);
        }
        PyList::new(py, out)
    }

    /// Columns for ``lurescan.to_frame``: scores (float32, NaN when missing), labels and the
    /// names of the ``top`` signals that pushed each score up most (``None`` when missing).
    #[pyo3(signature = (texts, top = 3))]
    fn _frame_columns<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        top: usize,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let batch = Texts::read(texts, "texts")?;
        let items = batch.items()?;
        let strs: Vec<&str> = items.iter().map(|i| i.text.as_ref()).collect();
        let clf = &self.inner;
        // The CLI's batch output does the same: the core's short form of `explain`, per text.
        let scored = in_chunks(py, &strs, |c| {
            c.par_iter()
                .map(|t| clf.score_with_reasons(t, top))
                .collect::<Vec<_>>()
        })?;
        let mut scores = vec![f32::NAN; batch.len()];
        let mut labels: Vec<Option<&'static str>> = vec![None; batch.len()];
        let mut reasons: Vec<Option<Vec<&str>>> = vec![None; batch.len()];
        for (item, (s, r)) in items.iter().zip(scored) {
            scores[item.index] = s.probability() as f32;
            labels[item.index] = Some(s.label().as_str());
            reasons[item.index] = Some(r);
        }
        let scores: Bound<'py, PyArray1<f32>> = scores.into_pyarray(py);
        PyTuple::new(
            py,
            [
                scores.into_any(),
                PyList::new(py, labels)?.into_any(),
                PyList::new(py, reasons)?.into_any(),
            ],
        )
    }

    /// Pickles as ``Classifier.from_json(model_json)``.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let ctor = py.get_type::<Classifier>().getattr("from_json")?;
        let json = slf.get().inner.to_json();
        PyTuple::new(py, [ctor, PyTuple::new(py, [json])?.into_any()])
    }

    fn __repr__(&self) -> String {
        let f = self.inner.model_file();
        let t = self.inner.thresholds();
        format!(
            "Classifier(feature_fingerprint='{}', thresholds={{'review': {}, 'lure': {}}})",
            f.feature_fingerprint, t.review, t.lure
        )
    }
}

/// At most this many texts, or about this many bytes, are scored between two checks for
/// Ctrl-C: a chunk takes well under a second, so a `KeyboardInterrupt` during a long batch is
/// honoured promptly.
const CHUNK_TEXTS: usize = 2048;
const CHUNK_BYTES: usize = 2 << 20;

/// Runs `f` over `strs` chunk by chunk with the GIL released, checking for signals (Ctrl-C)
/// between chunks; the results are concatenated in input order.
fn in_chunks<'a, T: Send>(
    py: Python<'_>,
    strs: &[&'a str],
    f: impl Fn(&[&'a str]) -> Vec<T> + Sync,
) -> PyResult<Vec<T>> {
    let mut out = Vec::with_capacity(strs.len());
    let mut start = 0;
    while start < strs.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < strs.len() && end - start < CHUNK_TEXTS && (end == start || bytes < CHUNK_BYTES)
        {
            bytes += strs[end].len();
            end += 1;
        }
        let chunk = &strs[start..end];
        out.extend(py.detach(|| guard(|| f(chunk)))?);
        py.check_signals()?;
        start = end;
    }
    Ok(out)
}

impl Classifier {
    /// Probabilities of a batch in input order, NaN for missing entries.
    fn probabilities(&self, py: Python<'_>, batch: &Texts<'_>) -> PyResult<Vec<f64>> {
        let items = batch.items()?;
        let strs: Vec<&str> = items.iter().map(|i| i.text.as_ref()).collect();
        let scores = in_chunks(py, &strs, |c| self.inner.score_batch(c))?;
        let mut out = vec![f64::NAN; batch.len()];
        for (item, s) in items.iter().zip(&scores) {
            out[item.index] = s.probability();
        }
        debug_assert!(batch.missing().all(|i| out[i].is_nan()));
        Ok(out)
    }
}

/// Trains a classifier on labelled posts with the trainer of ``lurescan train``, under the
/// names of its settings (``lurescan::train::TrainConfig``): the same data and settings give
/// the same model file, bit for bit.
///
/// ``texts`` accepts what ``Classifier.score_batch`` accepts (no missing entries); ``labels``
/// is a sequence of ``bool`` or 0/1 (1 = lure) of the same length. Settings left as ``None``
/// keep the trainer's defaults:
///
/// - ``alphas``: candidate L2 regularisation strengths, one chosen by cross-validation;
///   ``alpha`` gives a single one (no search);
/// - ``folds``: cross-validation folds (also used for calibration);
/// - ``max_iterations``, ``gradient_tolerance``: the optimiser's limits;
/// - ``min_df``, ``max_ngram_features``: which n-gram buckets become features;
/// - ``word_ngrams``, ``char_ngrams``: ``(smallest, largest)`` n-gram sizes (``(0, 0)`` for
///   none), ``buckets``: the number of hash buckets (a power of two);
/// - ``seed``: of the fold assignment;
/// - ``lure_precision``, ``review_recall``: targets of the two thresholds.
///
/// ``validation`` is an optional ``(texts, labels)`` pair on which the thresholds are chosen
/// (by default out-of-fold scores of the training posts). ``metadata`` (any JSON-serialisable
/// value) is recorded in ``model_info["training"]["metadata"]``.
///
/// Raises ``ConfigError`` for a setting out of range and ``TrainingError`` when the data
/// cannot be fitted (too few posts of a class, a fold with a single class).
#[pyfunction]
#[pyo3(signature = (
    texts, labels, *, alpha = None, alphas = None, folds = None, max_iterations = None,
    min_df = None, max_ngram_features = None, seed = None, gradient_tolerance = None,
    lure_precision = None, review_recall = None, word_ngrams = None, char_ngrams = None,
    buckets = None, validation = None, metadata = None
))]
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    alphas: Option<&Bound<'_, PyAny>>,
    folds: Option<&Bound<'_, PyAny>>,
    max_iterations: Option<&Bound<'_, PyAny>>,
    min_df: Option<&Bound<'_, PyAny>>,
    max_ngram_features: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
    gradient_tolerance: Option<&Bound<'_, PyAny>>,
    lure_precision: Option<&Bound<'_, PyAny>>,
    review_recall: Option<&Bound<'_, PyAny>>,
    word_ngrams: Option<&Bound<'_, PyAny>>,
    char_ngrams: Option<&Bound<'_, PyAny>>,
    buckets: Option<&Bound<'_, PyAny>>,
    validation: Option<&Bound<'_, PyAny>>,
    metadata: Option<&Bound<'_, PyAny>>,
) -> PyResult<Classifier> {
    let examples = read_examples(texts, labels, "texts", "labels")?;
    let validation = match validation.filter(|v| !v.is_none()) {
        None => Vec::new(),
        Some(v) => {
            let pair: (Bound<'_, PyAny>, Bound<'_, PyAny>) = v.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "argument 'validation': expected a (texts, labels) pair, got {}",
                    type_name(v)
                ))
            })?;
            read_examples(&pair.0, &pair.1, "validation texts", "validation labels")?
        }
    };

    let mut cfg = lurescan::train::TrainConfig::default();
    match (float_arg(alpha, "alpha")?, alphas.filter(|a| !a.is_none())) {
        (Some(_), Some(_)) => {
            return Err(errors::config_error(
                py,
                "alpha",
                "give alpha or alphas, not both",
            ));
        }
        (Some(a), None) => cfg = cfg.alpha(a),
        (None, Some(list)) => {
            cfg = cfg.alphas(sequence_arg(list, "alphas", "a sequence of numbers")?);
        }
        (None, None) => {}
    }
    if let Some(v) = int_arg(py, folds, "folds")? {
        cfg = cfg.folds(v);
    }
    if let Some(v) = int_arg(py, max_iterations, "max_iterations")? {
        cfg = cfg.max_iterations(v);
    }
    if let Some(v) = int_arg(py, min_df, "min_df")? {
        cfg = cfg.min_df(v);
    }
    if let Some(v) = int_arg(py, max_ngram_features, "max_ngram_features")? {
        cfg = cfg.max_ngram_features(v);
    }
    if let Some(v) = int_arg(py, seed, "seed")? {
        cfg = cfg.seed(v);
    }
    let mut ngram = cfg.ngram.clone();
    if let Some(v) = range_arg(py, word_ngrams, "word_ngrams")? {
        ngram.word = v;
    }
    if let Some(v) = range_arg(py, char_ngrams, "char_ngrams")? {
        ngram.char = v;
    }
    if let Some(v) = int_arg(py, buckets, "buckets")? {
        ngram.buckets = v;
    }
    cfg = cfg.ngram(ngram);
    if let Some(v) = float_arg(gradient_tolerance, "gradient_tolerance")? {
        cfg.gradient_tolerance = v;
    }
    if let Some(v) = float_arg(lure_precision, "lure_precision")? {
        cfg.lure_precision = v;
    }
    if let Some(v) = float_arg(review_recall, "review_recall")? {
        cfg.review_recall = v;
    }
    let metadata = match metadata {
        None => serde_json::Value::Null,
        Some(m) => {
            let json: String = py
                .import("json")?
                .call_method1("dumps", (m,))
                .and_then(|j| j.extract())
                .map_err(|e| {
                    PyTypeError::new_err(format!(
                        "argument 'metadata': not representable as JSON: {e}"
                    ))
                })?;
            serde_json::from_str(&json).map_err(|e| {
                PyValueError::new_err(format!(
                    "argument 'metadata': not representable as JSON: {e}"
                ))
            })?
        }
    };
    let inner = py
        .detach(|| guard(|| cfg.fit_with_validation(&examples, &validation, metadata)))?
        .map_err(Error)?;
    Ok(Classifier { inner })
}

/// Labelled posts from a batch of texts and a sequence of labels of the same length.
fn read_examples(
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    texts_arg: &str,
    labels_arg: &str,
) -> PyResult<Vec<lurescan::train::Example>> {
    let batch = Texts::read(texts, texts_arg)?;
    if let Some(i) = batch.missing().next() {
        return Err(PyValueError::new_err(format!(
            "argument '{texts_arg}': item {i} is missing (None or NaN); training needs a text \
             for every label"
        )));
    }
    let labels = read_labels(labels, labels_arg)?;
    if labels.len() != batch.len() {
        return Err(PyValueError::new_err(format!(
            "{texts_arg} and {labels_arg} have different lengths: {} and {}",
            batch.len(),
            labels.len()
        )));
    }
    Ok(batch
        .items()?
        .iter()
        .zip(&labels)
        .map(|(item, &label)| lurescan::train::Example::new(item.text.as_ref(), label))
        .collect())
}

/// An optional number argument (`None` = the default).
fn float_arg(obj: Option<&Bound<'_, PyAny>>, arg: &str) -> PyResult<Option<f64>> {
    match obj {
        Some(o) if !o.is_none() => o.extract::<f64>().map(Some).map_err(|_| {
            PyTypeError::new_err(format!(
                "argument '{arg}': expected a number, got {}",
                type_name(o)
            ))
        }),
        _ => Ok(None),
    }
}

/// An optional count argument (`None` = the default): an `int` that fits `T`.
fn int_arg<T: TryFrom<i128>>(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    arg: &str,
) -> PyResult<Option<T>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if o.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "argument '{arg}': expected an int, got float"
        )));
    }
    let v: i128 = o.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "argument '{arg}': expected an int, got {}",
            type_name(o)
        ))
    })?;
    if v < 0 {
        return Err(errors::config_error(py, arg, "must not be negative"));
    }
    T::try_from(v)
        .map(Some)
        .map_err(|_| errors::config_error(py, arg, "is too large"))
}

/// An n-gram size range: a pair of non-negative ints, smallest then largest.
fn range_arg(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    arg: &str,
) -> PyResult<Option<(u8, u8)>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let pair: (Bound<'_, PyAny>, Bound<'_, PyAny>) =
        sequence_arg(o, arg, "a pair of ints (smallest, largest)")?;
    let lo: Option<u8> = int_arg(py, Some(&pair.0), arg)?;
    let hi: Option<u8> = int_arg(py, Some(&pair.1), arg)?;
    Ok(lo.zip(hi))
}

/// A sequence argument extracted as `T`; a `str` is refused although Python would iterate it.
/// The error names the argument and what it expects (`expected`).
fn sequence_arg<'py, T: FromPyObjectOwned<'py>>(
    obj: &Bound<'py, PyAny>,
    arg: &str,
    expected: &str,
) -> PyResult<T> {
    let value = if obj.is_instance_of::<PyString>() {
        None
    } else {
        obj.extract::<T>().ok()
    };
    value.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "argument '{arg}': expected {expected}, got {}",
            type_name(obj)
        ))
    })
}

/// A path argument: `str` or `os.PathLike`.
fn path_arg(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<PathBuf> {
    obj.extract::<PathBuf>().map_err(|_| {
        PyTypeError::new_err(format!(
            "argument '{arg}': expected str or os.PathLike, got {}",
            type_name(obj)
        ))
    })
}

/// Labels as booleans: `bool`, or integers/floats equal to 0 or 1 (numpy scalars included).
fn read_labels(labels: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<bool>> {
    if labels.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "argument '{arg}': expected a sequence of 0/1 or bool, got str"
        )));
    }
    let iter = labels.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "argument '{arg}': expected a sequence of 0/1 or bool, got {}",
            type_name(labels)
        ))
    })?;
    let mut out = Vec::new();
    for (i, item) in iter.enumerate() {
        let item = item?;
        let bad = || {
            PyValueError::new_err(format!(
                "argument '{arg}': item {i} is {}, expected 0, 1, True or False",
                item.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        };
        if item.is_instance_of::<PyString>() || item.is_none() {
            return Err(bad());
        }
        let v: f64 = item.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "argument '{arg}': item {i} is {}, expected 0, 1, True or False",
                type_name(&item)
            ))
        })?;
        out.push(if v == 1.0 {
            true
        } else if v == 0.0 {
            false
        } else {
            return Err(bad());
        });
    }
    Ok(out)
}

/// lurescan's compiled core. Import ``lurescan``, not this module.
#[pymodule(gil_used = false)]
fn _lurescan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Classifier>()?;
    m.add_class::<Explanation>()?;
    m.add_class::<explain::Reason>()?;
    m.add_class::<explain::Evidence>()?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add("LurescanError", py.get_type::<errors::LurescanError>())?;
    m.add(
        "ModelFormatError",
        py.get_type::<errors::ModelFormatError>(),
    )?;
    m.add(
        "SchemaMismatchError",
        py.get_type::<errors::SchemaMismatchError>(),
    )?;
    m.add("ConfigError", errors::config_error_type(py)?)?;
    m.add("TrainingError", py.get_type::<errors::TrainingError>())?;
    Ok(())
}
