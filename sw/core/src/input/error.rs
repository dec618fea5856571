//! Where and why an input file was refused.

use crate::spec::FieldError;

/// Bad input: the file, the line (the CSV header and the first TOML line are
/// line 1), the field and the reason. Displays as one line, e.g.
/// `positions.csv:17: qty: not a multiple of 0.001`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {field}: {reason}")]
pub struct InputError {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub reason: String,
}

impl InputError {
    pub fn new(file: &str, line: u64, field: impl Into<String>, reason: impl ToString) -> Self {
        // One line whatever the reason's source wrote.
        let reason = reason
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            file: file.to_owned(),
            line,
            field: field.into(),
            reason,
        }
    }

    /// A spec field error located at `line`, its field name prefixed by `prefix`.
    pub fn from_field(file: &str, line: u64, prefix: &str, error: FieldError) -> Self {
        Self::new(file, line, format!("{prefix}{}", error.field), error.reason)
    }
}

/// Reading an input failed: either the input is bad (exit code 2 in the CLI)
/// or the reader itself failed (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Invalid(#[from] InputError),
    #[error("{file}: read failed: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

impl ReadError {
    /// The bad-input error, if that is what this is.
    pub fn invalid(&self) -> Option<&InputError> {
        match self {
            Self::Invalid(e) => Some(e),
            Self::Io { .. } => None,
        }
    }
}
