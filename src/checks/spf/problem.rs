//! What can be wrong in an SPF tree, and how a DNS outcome is worded in its findings.

use crate::dns::Outcome;

/// Something wrong found in the tree; each becomes a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Include/redirect chain that comes back to one of its ancestors: the path.
    Loop(Vec<String>),
    /// An include/redirect target without an SPF record.
    NoRecord {
        via: String,
    },
    Multiple(usize),
    Syntax(Vec<String>),
    LookupFailed(String),
    TooManyMxNames {
        target: String,
        count: usize,
    },
    LongRecord(usize),
    TargetLookupFailed {
        target: String,
        outcome: String,
    },
}

/// A DNS outcome in the words of a finding ("timeout", "SERVFAIL", "error (...)").
pub fn outcome_text(o: &Outcome) -> String {
    match o.detail() {
        Some(d) => format!("{} ({d})", o.label()),
        None => o.label().to_string(),
    }
}
