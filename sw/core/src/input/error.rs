//! Where and why an input file was refused.

use crate::spec::FieldError;

/// How many characters of a value an error message echoes.
pub const SHOWN_CHARS: usize = 64;

/// Longest reason an [`InputError`] carries, in characters (a safety net:
/// every echoed value is already cut to [`SHOWN_CHARS`]).
const MAX_REASON_CHARS: usize = 1024;

/// Longest field name an [`InputError`] carries, in characters.
const MAX_FIELD_CHARS: usize = 128;

/// A value as an error message echoes it: quoted and escaped, and cut to
/// [`SHOWN_CHARS`] characters followed by its length when longer, e.g.
/// `"1111…"… (52428800 bytes)`, so a huge field never floods the log.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
    }
}

/// `text` cut to `max` characters, its length appended when cut.
fn clipped(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

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
        // One line whatever the reason's source wrote, and a bounded one.
        let reason = reason
            .to_string()
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        // A field name taken from the input (a TOML key) shows its control
        // characters escaped.
        let field: String = field
            .into()
            .chars()
            .flat_map(|c| {
                let escaped = c.is_control().then(|| c.escape_debug());
                escaped
                    .into_iter()
                    .flatten()
                    .chain((!c.is_control()).then_some(c))
            })
            .collect();
        Self {
            file: file.to_owned(),
            line,
            field: clipped(field, MAX_FIELD_CHARS),
            reason: clipped(reason, MAX_REASON_CHARS),
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
    /// Displays as `{file}: read failed`; the OS error is its
    /// [`source`](std::error::Error::source), not repeated in the message
    /// (print the chain, e.g. `anyhow`'s `{:#}`, to see both once).
    #[error("{file}: read failed")]
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
