//! Reading texts from Python: one `str`, or a batch in any of the shapes data scientists have
//! (list, tuple, iterable, numpy array, pandas Series, pyarrow array).
//!
//! Everything here runs with the GIL held and produces plain `&str`s that the scoring code then
//! uses with the GIL released. Python strings are borrowed, not copied ([`PyBackedStr`]); Arrow
//! strings are read straight from the array's buffers, without a Python object per element.
//!
//! Python `str` may hold lone surrogates, which are not Unicode scalar values and so cannot be
//! a Rust `&str`. Such a string is read with each lone surrogate replaced by `?`: one code point
//! for one, so code-point indices still match the Python string.

use std::borrow::Cow;

use numpy::{
    PyArray1, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyFloat, PyString};

/// `obj` as a `str`, or a `TypeError` naming the argument `arg`.
pub(crate) fn expect_str<'a, 'py>(
    obj: &'a Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<&'a Bound<'py, PyString>> {
    obj.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!(
            "argument '{arg}': expected str, got {}",
            type_name(obj)
        ))
    })
}

/// A text borrowed from a Python `str`, or a lossy copy when it holds lone surrogates.
pub(crate) fn text_of<'a>(s: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
    match s.to_str() {
        Ok(t) => Ok(Cow::Borrowed(t)),
        Err(_) => Ok(Cow::Owned(replace_surrogates(s)?)),
    }
}

fn replace_surrogates(s: &Bound<'_, PyString>) -> PyResult<String> {
    let bytes = s.call_method1("encode", ("utf-8", "replace"))?;
    let bytes = bytes.cast::<PyBytes>()?;
    Ok(String::from_utf8_lossy(bytes.as_bytes()).into_owned())
}

/// One entry of a batch.
enum Slot {
    /// `None`, NaN, `pandas.NA` or `NaT`, an Arrow null.
    Missing,
    /// A Python `str`, borrowed.
    Py(PyBackedStr),
    /// A decoded copy: a `str` with lone surrogates (kept for slicing evidence), or an element
    /// of a numpy unicode array.
    Owned(String, Option<Py<PyString>>),
    /// Bytes `start..end` of the data buffer of Arrow chunk `chunk`.
    Arrow {
        chunk: usize,
        start: usize,
        end: usize,
    },
}

/// A batch of texts read from Python.
pub(crate) struct Texts<'py> {
    slots: Vec<Slot>,
    /// Data buffers of the Arrow chunks, viewed as numpy byte arrays (no copy).
    arrow: Vec<PyReadonlyArray1<'py, u8>>,
}

/// A text of a batch, ready to score.
pub(crate) struct Item<'a> {
    /// Position in the batch.
    pub index: usize,
    /// The text.
    pub text: Cow<'a, str>,
    /// The original Python string when `text` is a lossy copy of it.
    pub original: Option<&'a Py<PyString>>,
}

impl<'py> Texts<'py> {
    /// Reads the batch `obj`, naming it `arg` in error messages.
    pub(crate) fn read(obj: &Bound<'py, PyAny>, arg: &str) -> PyResult<Texts<'py>> {
        let mut texts = Texts {
            slots: Vec::new(),
            arrow: Vec::new(),
        };
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(format!(
                "argument '{arg}': expected a sequence of str, got a single {}; wrap it in a list, or use \
                 score()/explain() for one text",
                type_name(obj)
            )));
        }
        let module = type_module(obj);
        if let Ok(array) = obj.cast::<PyUntypedArray>() {
            texts.read_numpy(array, arg)?;
        } else if module.starts_with("pyarrow") {
            texts.read_pyarrow(obj, arg)?;
        } else if module.starts_with("pandas") && obj.hasattr("columns")? {
            return Err(PyTypeError::new_err(format!(
                "argument '{arg}': got a DataFrame; pass one column, e.g. df[\"text\"]"
            )));
        } else if module.starts_with("pandas") && is_arrow_backed(obj)? {
            let chunked = obj.getattr("array")?.call_method0("__arrow_array__")?;
            texts.read_pyarrow(&chunked, arg)?;
        } else {
            texts.read_iterable(obj, arg)?;
        }
        Ok(texts)
    }

    /// Number of entries, missing ones included.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The entries that are present, in order, with their positions.
    pub(crate) fn items(&self) -> PyResult<Vec<Item<'_>>> {
        let data: Vec<&[u8]> = self
            .arrow
            .iter()
            .map(|a| a.as_slice())
            .collect::<Result<_, _>>()
            .map_err(|e| PyValueError::new_err(format!("Arrow buffer is not contiguous: {e}")))?;
        let mut out = Vec::with_capacity(self.slots.len());
        for (index, slot) in self.slots.iter().enumerate() {
            let (text, original) = match slot {
                Slot::Missing => continue,
                Slot::Py(s) => (Cow::Borrowed(&**s), None),
                Slot::Owned(s, original) => (Cow::Borrowed(s.as_str()), original.as_ref()),
                Slot::Arrow { chunk, start, end } => {
                    // Bounds were checked when reading; `get` keeps this panic-free anyway.
                    let bytes = data
                        .get(*chunk)
                        .and_then(|d| d.get(*start..*end))
                        .unwrap_or_default();
                    (String::from_utf8_lossy(bytes), None)
                }
            };
            out.push(Item {
                index,
                text,
                original,
            });
        }
        Ok(out)
    }

    /// Positions of missing entries.
    pub(crate) fn missing(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, Slot::Missing))
            .map(|(i, _)| i)
    }

    fn read_iterable(&mut self, obj: &Bound<'py, PyAny>, arg: &str) -> PyResult<()> {
        let iter = obj.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "argument '{arg}': expected a sequence of str (list, tuple, numpy array, pandas Series, \
                 pyarrow array), got {}",
                type_name(obj)
            ))
        })?;
        if let Ok(n) = obj.len() {
            self.slots.reserve(n);
        }
        for (i, item) in iter.enumerate() {
            let item = item?;
            self.slots.push(slot_of(&item, arg, i)?);
        }
        Ok(())
    }

    fn read_numpy(&mut self, array: &Bound<'py, PyUntypedArray>, arg: &str) -> PyResult<()> {
        if array.ndim() != 1 {
            return Err(PyValueError::new_err(format!(
                "argument '{arg}': expected a 1-dimensional array, got shape {:?}",
                array.shape()
            )));
        }
        let dtype = array.dtype();
        match dtype.kind() {
            b'U' => self.read_numpy_unicode(array),
            b'S' => Err(PyTypeError::new_err(format!(
                "argument '{arg}': expected text, got a numpy bytes array (dtype {}); decode it first, \
                 e.g. {arg}.astype(str)",
                dtype.str()?
            ))),
            // object, StringDType, and anything else element by element (floats may be NaN).
            _ => self.read_iterable(array.as_any(), arg),
        }
    }

    /// A numpy `<U{n}` array: fixed-width UCS-4, read as `uint32` without Python objects.
    fn read_numpy_unicode(&mut self, array: &Bound<'py, PyUntypedArray>) -> PyResult<()> {
        let py = array.py();
        let np = py.import("numpy")?;
        let width = array.dtype().itemsize() / 4;
        let n = array.len();
        if width == 0 {
            self.slots
                .extend((0..n).map(|_| Slot::Owned(String::new(), None)));
            return Ok(());
        }
        // Native byte order, C-contiguous, then viewed as code points.
        let native = np.call_method1("dtype", (format!("=U{width}"),))?;
        let contiguous = np.call_method1("ascontiguousarray", (array, native))?;
        let units = contiguous.call_method1("view", (np.getattr("uint32")?,))?;
        let units = units.cast_into::<PyArray1<u32>>()?;
        let units = units.readonly();
        let units = units
            .as_slice()
            .map_err(|e| PyValueError::new_err(format!("cannot read the array: {e}")))?;
        self.slots.reserve(n);
        for row in units.chunks(width) {
            let len = row.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
            let text: String = row[..len]
                .iter()
                .map(|&c| char::from_u32(c).unwrap_or('?'))
                .collect();
            self.slots.push(Slot::Owned(text, None));
        }
        Ok(())
    }

    /// A pyarrow `Array` or `ChunkedArray` of strings.
    fn read_pyarrow(&mut self, obj: &Bound<'py, PyAny>, arg: &str) -> PyResult<()> {
        if obj.hasattr("num_chunks")? {
            for chunk in obj.getattr("chunks")?.try_iter()? {
                self.read_arrow_array(&chunk?, arg)?;
            }
            Ok(())
        } else if obj.hasattr("buffers")? && obj.hasattr("offset")? {
            self.read_arrow_array(obj, arg)
        } else {
            Err(PyTypeError::new_err(format!(
                "argument '{arg}': expected a pyarrow string Array or ChunkedArray, got {}{}",
                type_name(obj),
                if obj.hasattr("column_names")? {
                    "; pass one column, e.g. table[\"text\"]"
                } else {
                    ""
                }
            )))
        }
    }

    fn read_arrow_array(&mut self, arr: &Bound<'py, PyAny>, arg: &str) -> PyResult<()> {
        let py = arr.py();
        let pa = py.import("pyarrow")?;
        let types = pa.getattr("types")?;
        let is = |f: &str, t: &Bound<'py, PyAny>| -> PyResult<bool> {
            types.call_method1(f, (t,))?.is_truthy()
        };
        let ty = arr.getattr("type")?;
        let (arr, wide) = if is("is_string", &ty)? {
            (arr.clone(), false)
        } else if is("is_large_string", &ty)? {
            (arr.clone(), true)
        } else if is("is_string_view", &ty)? || is("is_dictionary", &ty)? || is("is_null", &ty)? {
            // Other layouts of text (and all-null arrays): one cast in Arrow's C++ code.
            let large = pa.call_method0("large_string")?;
            let cast = arr.call_method1("cast", (large,)).map_err(|e| {
                PyTypeError::new_err(format!(
                    "argument '{arg}': expected an Arrow array of strings, got {}: {e}",
                    ty.str().map(|s| s.to_string()).unwrap_or_default()
                ))
            })?;
            (cast, true)
        } else {
            return Err(PyTypeError::new_err(format!(
                "argument '{arg}': expected an Arrow array of strings, got type {}",
                ty.str()?
            )));
        };
        let n: usize = arr.len()?;
        if n == 0 {
            return Ok(());
        }
        let offset: usize = arr.getattr("offset")?.extract()?;
        let buffers = arr.call_method0("buffers")?;
        let bytes_of = |i: usize| -> PyResult<Option<PyReadonlyArray1<'py, u8>>> {
            let buf = buffers.get_item(i)?;
            if buf.is_none() {
                return Ok(None);
            }
            let np = py.import("numpy")?;
            let view = np.call_method1("frombuffer", (buf, np.getattr("uint8")?))?;
            Ok(Some(view.cast_into::<PyArray1<u8>>()?.readonly()))
        };
        let malformed = |what: &str| {
            PyValueError::new_err(format!(
                "argument '{arg}': malformed Arrow string array ({what})"
            ))
        };
        let validity = bytes_of(0)?;
        let offsets = bytes_of(1)?.ok_or_else(|| malformed("no offsets buffer"))?;
        let data = bytes_of(2)?;
        let validity = match &validity {
            Some(v) => Some(
                v.as_slice()
                    .map_err(|_| malformed("validity not contiguous"))?,
            ),
            None => None,
        };
        let offsets = offsets
            .as_slice()
            .map_err(|_| malformed("offsets not contiguous"))?;
        let data_len = match &data {
            Some(d) => d.len(),
            None => 0,
        };
        let width = if wide { 8 } else { 4 };
        let offset_at = |i: usize| -> Option<usize> {
            let b = offsets.get(i * width..(i + 1) * width)?;
            let v = if wide {
                i64::from_le_bytes(b.try_into().ok()?)
            } else {
                i64::from(i32::from_le_bytes(b.try_into().ok()?))
            };
            usize::try_from(v).ok()
        };
        let chunk = self.arrow.len();
        self.slots.reserve(n);
        for i in offset..offset + n {
            let valid = match validity {
                Some(bits) => {
                    let byte = bits.get(i / 8).ok_or_else(|| malformed("short validity"))?;
                    byte >> (i % 8) & 1 == 1
                }
                None => true,
            };
            if !valid {
                self.slots.push(Slot::Missing);
                continue;
            }
            let (start, end) = offset_at(i)
                .zip(offset_at(i + 1))
                .ok_or_else(|| malformed("offsets out of range"))?;
            if start > end || end > data_len {
                return Err(malformed("offsets out of range"));
            }
            self.slots.push(Slot::Arrow { chunk, start, end });
        }
        match data {
            Some(d) => self.arrow.push(d),
            None => {
                // Every valid string is empty: an empty buffer stands in.
                let np = py.import("numpy")?;
                let empty = np.call_method1("zeros", (0, np.getattr("uint8")?))?;
                self.arrow
                    .push(empty.cast_into::<PyArray1<u8>>()?.readonly());
            }
        }
        Ok(())
    }
}

/// One element of an iterable batch.
fn slot_of(item: &Bound<'_, PyAny>, arg: &str, i: usize) -> PyResult<Slot> {
    if let Ok(s) = item.cast::<PyString>() {
        return Ok(match PyBackedStr::try_from(s.clone()) {
            Ok(b) => Slot::Py(b),
            Err(_) => Slot::Owned(replace_surrogates(s)?, Some(s.clone().unbind())),
        });
    }
    if item.is_none() {
        return Ok(Slot::Missing);
    }
    if (item.is_instance_of::<PyFloat>() || type_module(item) == "numpy")
        && item.extract::<f64>().is_ok_and(f64::is_nan)
    {
        return Ok(Slot::Missing);
    }
    let ty = item.get_type();
    if matches!(ty.name()?.to_str()?, "NAType" | "NaTType")
        && type_module(item).starts_with("pandas")
    {
        return Ok(Slot::Missing);
    }
    Err(PyTypeError::new_err(format!(
        "argument '{arg}': item {i} is {}, expected str or None",
        type_name(item)
    )))
}

/// Whether a pandas Series/Index/array holds its strings in Arrow memory.
fn is_arrow_backed(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !obj.hasattr("array")? || !obj.hasattr("dtype")? {
        return Ok(false);
    }
    let dtype = obj.getattr("dtype")?;
    if dtype.hasattr("pyarrow_dtype")? {
        return Ok(true); // pandas.ArrowDtype
    }
    match dtype.getattr("storage") {
        Ok(s) => Ok(s
            .extract::<String>()
            .is_ok_and(|s| s.starts_with("pyarrow"))),
        Err(_) => Ok(false),
    }
}

fn type_module(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .module()
        .map(|m| m.to_string())
        .unwrap_or_default()
}

/// The qualified type name of `obj` for messages, e.g. `int` or `pandas.DataFrame`.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    let ty = obj.get_type();
    let name = ty
        .qualname()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    match type_module(obj).as_str() {
        "builtins" | "" => name,
        m => format!("{}.{name}", m.split('.').next().unwrap_or(m)),
    }
}
