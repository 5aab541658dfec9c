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

/// A usage error as clap renders it (`error: ...`, the arguments it lists, tips, the usage
/// and "For more information") as one line: the error with what it lists, then its tips.
pub fn usage_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim_end);
    let first = lines.next().unwrap_or("invalid usage");
    let mut line = first.trim_start_matches("error: ").to_string();
    let mut listed = Vec::new();
    let mut tips = Vec::new();
    for l in lines {
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            break;
        }
        let t = l.trim();
        if let Some(tip) = t.strip_prefix("tip: ") {
            tips.push(tip);
        } else if !t.is_empty() && l.starts_with(' ') && tips.is_empty() {
            listed.push(t);
        }
    }
    if !listed.is_empty() {
        line = format!("{line} {}", listed.join(", "));
    }
    for tip in tips {
        line.push_str("; ");
        line.push_str(tip);
    }
    line.push_str(" (see --help)");
    line
}
