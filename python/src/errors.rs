//! The Python exceptions and the one mapping from [`lurescan::Error`] to them.
//!
//! ```text
//! LurescanError(Exception)
//! ├── ModelFormatError        a file that is not a valid model, or of another format version
//! ├── SchemaMismatchError     a model trained for other features than this build extracts
//! ├── ConfigError(ValueError) a training setting out of range
//! └── TrainingError           too little data, a single class, the optimiser failed
//! ```
//!
//! I/O errors become the built-in `FileNotFoundError`, `PermissionError`, … (by
//! `io::ErrorKind`, with `errno`, `strerror` and `filename` set), as polars does.

use std::any::Any;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lurescan::ErrorKind;
use pyo3::exceptions::{
    PyException, PyFileExistsError, PyFileNotFoundError, PyIsADirectoryError, PyNotADirectoryError,
    PyOSError, PyPermissionError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

pyo3::create_exception!(
    lurescan,
    LurescanError,
    PyException,
    "Base class of the errors lurescan raises (I/O errors are the built-in OSError subclasses)."
);
pyo3::create_exception!(
    lurescan,
    ModelFormatError,
    LurescanError,
    "A model file is not valid: not JSON, not a lurescan model, corrupt, edited by hand, or of \
     a format version this build cannot read."
);
pyo3::create_exception!(
    lurescan,
    SchemaMismatchError,
    LurescanError,
    "A model was trained for a different feature specification than this build extracts: \
     retrain it with this version. The fingerprints are in the `expected` and `found` attributes."
);
pyo3::create_exception!(
    lurescan,
    TrainingError,
    LurescanError,
    "Training failed: too little data, a single class, or the optimiser failed."
);

const CONFIG_ERROR_DOC: &str = "A setting is out of range. Also a ValueError. The setting is in the \
                                `field` attribute.";

/// `ConfigError(LurescanError, ValueError)`: two bases, which `create_exception!` cannot
/// declare, so the class is made once with `type(...)`.
pub(crate) fn config_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    TYPE.get_or_try_init(py, || {
        let bases = PyTuple::new(
            py,
            [
                py.get_type::<LurescanError>(),
                py.get_type::<PyValueError>(),
            ],
        )?;
        let ns = PyDict::new(py);
        ns.set_item("__module__", "lurescan")?;
        ns.set_item("__doc__", CONFIG_ERROR_DOC)?;
        let ty = py
            .get_type::<PyType>()
            .call1(("ConfigError", bases, ns))?
            .cast_into::<PyType>()?;
        Ok(ty.unbind())
    })
    .map(|t| t.bind(py))
}

/// A `lurescan.ConfigError` for `field`, with the message the core would give.
pub(crate) fn config_error(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    let msg = format!("invalid setting {field}: {reason}");
    match config_error_type(py) {
        Ok(ty) => with_attrs(ty.as_any(), &msg, &[("field", field)]),
        Err(e) => e,
    }
}

/// Instantiates exception class `ty` with `msg` and sets string attributes on it.
fn with_attrs(ty: &Bound<'_, PyAny>, msg: &str, attrs: &[(&str, &str)]) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let exc = ty.call1((msg,))?;
        for (k, v) in attrs {
            exc.setattr(*k, *v)?;
        }
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| e)
}

/// A core error on its way to Python. Rust's orphan rule forbids `impl From<lurescan::Error>
/// for PyErr` here (both types are foreign), so the mapping goes through this wrapper:
/// `result.map_err(Error)?`.
pub(crate) struct Error(pub(crate) lurescan::Error);

impl From<Error> for PyErr {
    fn from(Error(err): Error) -> PyErr {
        let msg = err.to_string();
        match err.kind() {
            ErrorKind::Io { path } => {
                let io =
                    std::error::Error::source(&err).and_then(|s| s.downcast_ref::<io::Error>());
                let filename = path.as_ref().map(|p| p.display().to_string());
                match io {
                    Some(io) => io_error(io, filename),
                    None => PyOSError::new_err(msg),
                }
            }
            ErrorKind::ModelFormat { .. } | ErrorKind::ModelVersion { .. } => {
                ModelFormatError::new_err(msg)
            }
            ErrorKind::SchemaMismatch { expected, found } => Python::attach(|py| {
                with_attrs(
                    py.get_type::<SchemaMismatchError>().as_any(),
                    &msg,
                    &[("expected", expected), ("found", found)],
                )
            }),
            ErrorKind::InvalidConfig { field, .. } => {
                Python::attach(|py| match config_error_type(py) {
                    Ok(ty) => with_attrs(ty.as_any(), &msg, &[("field", field)]),
                    Err(e) => e,
                })
            }
            ErrorKind::Training { .. } => TrainingError::new_err(msg),
            // `Data` (a bundled data file is invalid: a broken build) and kinds added later.
            _ => LurescanError::new_err(msg),
        }
    }
}

/// The built-in `OSError` subclass for an I/O error, constructed as Python does
/// (`errno`, `strerror`, `filename`).
fn io_error(io: &io::Error, filename: Option<String>) -> PyErr {
    let strerror = {
        let s = io.to_string();
        // Rust appends " (os error N)"; Python shows "[Errno N]" itself.
        match s.rfind(" (os error ") {
            Some(i) => s[..i].to_string(),
            None => s,
        }
    };
    let errno = io.raw_os_error().unwrap_or(0);
    macro_rules! err {
        ($t:ty) => {
            match filename {
                Some(f) => <$t>::new_err((errno, strerror, f)),
                None => <$t>::new_err((errno, strerror)),
            }
        };
    }
    match io.kind() {
        io::ErrorKind::NotFound => err!(PyFileNotFoundError),
        io::ErrorKind::PermissionDenied => err!(PyPermissionError),
        io::ErrorKind::AlreadyExists => err!(PyFileExistsError),
        io::ErrorKind::IsADirectory => err!(PyIsADirectoryError),
        io::ErrorKind::NotADirectory => err!(PyNotADirectoryError),
        _ => err!(PyOSError),
    }
}

/// Runs `f`, turning a panic into a `LurescanError` so that no Rust panic reaches Python
/// (PyO3 would raise `PanicException`, a `BaseException` that `except Exception` misses).
/// The core promises not to panic; this is the belt to that pair of braces.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        LurescanError::new_err(format!(
            "internal error in lurescan (please report it): {}",
            panic_message(payload.as_ref())
        ))
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a panic"
    }
}
