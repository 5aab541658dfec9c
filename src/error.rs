//! The error type of a run and the exit code each kind maps to.

use std::io;

/// Exit codes: the documented contract (docs/exit-codes.md).
pub mod exit {
    /// Nothing at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Usage or input error.
    pub const USAGE: u8 = 2;
    /// DNS could not be consulted at all, or (bulk mode) a domain went unchecked because of an
    /// internal error: either way a result is missing that a script must not take as clean.
    pub const DNS: u8 = 3;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments or unreadable input: exit 2.
    #[error("{0}")]
    Input(String),
    /// The rules files are broken: exit 2.
    #[error("{0}")]
    Rules(String),
    /// Writing output failed (a closed pipe is handled quietly by the binary).
    #[error("cannot write output: {0}")]
    Io(#[from] io::Error),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Rules(_) | Error::Io(_) => exit::USAGE,
        }
    }

    /// True when the reader of our output went away (`| head`): not an error worth a word.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Io(e) => is_broken_pipe(e),
            _ => false,
        }
    }
}

/// A closed pipe, also when a serializer wrapped the write error in its own.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<serde_json::Error>())
            .and_then(serde_json::Error::io_error_kind)
            == Some(io::ErrorKind::BrokenPipe)
}

pub type Result<T> = std::result::Result<T, Error>;
