//! The output formats, and which command offers which.

use super::view::Report;
use clap::ValueEnum;
use std::io;

/// An output format; each command accepts the ones [`Report::formats`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// JSON Lines: one object per line (check: a mailtriage.check/v1 domain, in bulk mode; scan:
    /// a mailtriage.scan-address/v1 address).
    Jsonl,
    Markdown,
    Sarif,
}

impl Format {
    /// `explain`: text for people, or mailtriage.explain/v1.
    pub const EXPLAIN: &[Format] = &[Format::Human, Format::Json];
    /// `check`: every format; JSON Lines streams in bulk mode.
    pub const CHECK: &[Format] = &[
        Format::Human,
        Format::Json,
        Format::Jsonl,
        Format::Markdown,
        Format::Sarif,
    ];
    /// `diagnose`: one document in every format but JSON Lines.
    pub const DIAGNOSE: &[Format] = &[Format::Human, Format::Json, Format::Markdown, Format::Sarif];
    /// `scan`: a summary (human, mailtriage.scan/v1, Markdown) or one address per line.
    pub const SCAN: &[Format] = &[Format::Human, Format::Json, Format::Markdown, Format::Jsonl];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Markdown => "markdown",
            Format::Sarif => "sarif",
        }
    }
}

impl Report<'_> {
    /// The formats this report can be written in.
    pub fn formats(&self) -> &'static [Format] {
        match self {
            Report::Explain(_) | Report::ExplainMany(_) => Format::EXPLAIN,
            Report::Check(_) => Format::CHECK,
            Report::Diagnose(_) => Format::DIAGNOSE,
            Report::Scan(_) => Format::SCAN,
        }
    }

    fn command(&self) -> &'static str {
        match self {
            Report::Explain(_) | Report::ExplainMany(_) => "explain",
            Report::Check(_) => "check",
            Report::Diagnose(_) => "diagnose",
            Report::Scan(_) => "scan",
        }
    }
}

/// A format a command does not offer (the command line refuses it first).
pub(super) fn unsupported(format: Format, report: &Report<'_>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} has no {} output", report.command(), format.as_str()),
    )
}
