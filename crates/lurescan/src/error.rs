//! The one error type of the crate.

use std::fmt;
use std::path::PathBuf;

/// A specialised `Result` whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// An error from building a classifier, loading or saving a model, or training.
///
/// Scoring never fails: every error happens at construction time. Match on [`Error::kind`] to
/// tell the cases apart; the underlying cause (an I/O or JSON error) is available through
/// [`std::error::Error::source`].
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read or written.
    Io {
        /// The path involved, when there is one.
        path: Option<PathBuf>,
    },
    /// A model file is not valid: not JSON, not a lurescan model, corrupt or inconsistent.
    ModelFormat {
        /// What is wrong with it.
        reason: String,
    },
    /// A model file has a format version this build cannot read.
    ModelVersion {
        /// The version found in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// A model was trained for a different feature specification than this build extracts.
    SchemaMismatch {
        /// The fingerprint of this build's feature specification.
        expected: String,
        /// The fingerprint stored in the model.
        found: String,
    },
    /// A bundled or user-supplied data file (lexicon, rate table) is invalid.
    Data {
        /// Which file.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A configuration value is out of range.
    InvalidConfig {
        /// The setting.
        field: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// Training failed (too little data, a single class, the optimiser failed).
    Training {
        /// Why.
        reason: String,
    },
}

impl Error {
    /// What kind of error this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error { kind, source: None }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub(crate) fn io(path: Option<PathBuf>, err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io { path }).with_source(err)
    }

    pub(crate) fn model_format(reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::ModelFormat {
            reason: reason.into(),
        })
    }

    pub(crate) fn data(file: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::Data {
            file: file.into(),
            reason: reason.into(),
        })
    }

    #[cfg_attr(not(feature = "train"), allow(dead_code))]
    pub(crate) fn config(field: &'static str, reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidConfig {
            field,
            reason: reason.into(),
        })
    }

    #[cfg_attr(not(feature = "train"), allow(dead_code))]
    pub(crate) fn training(reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::Training {
            reason: reason.into(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io { path: Some(p) } => write!(f, "cannot access {}", p.display())?,
            ErrorKind::Io { path: None } => write!(f, "i/o error")?,
            ErrorKind::ModelFormat { reason } => write!(f, "invalid model file: {reason}")?,
            ErrorKind::ModelVersion { found, supported } => write!(
                f,
                "model format version {found} is not supported (this build reads version \
                 {supported}); retrain the model or upgrade lurescan"
            )?,
            ErrorKind::SchemaMismatch { expected, found } => write!(
                f,
                "model was trained for feature specification {found}, but this build extracts \
                 {expected}; retrain the model with this version (lurescan train)"
            )?,
            ErrorKind::Data { file, reason } => write!(f, "invalid data file {file}: {reason}")?,
            ErrorKind::InvalidConfig { field, reason } => {
                write!(f, "invalid setting {field}: {reason}")?
            }
            ErrorKind::Training { reason } => write!(f, "training failed: {reason}")?,
        }
        if let Some(src) = &self.source {
            write!(f, ": {src}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}
