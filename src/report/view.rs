//! The values every renderer reads: a decoded input (explain), checked domains (check) or a
//! whole diagnosis (diagnose), with what the run saw beyond them.

use super::zone_index::ZoneIndex;
use crate::checks::DomainReport;
use crate::dns::LogEntry;
use crate::plan::{DiagnoseInput, Diagnosis};
use crate::reply::{InputForm, MessageKind, Reply};
use crate::rules::{Decoded, RuleSet};
use serde::Serialize;
use std::collections::BTreeMap;

/// Name and version of the tool, for machine formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl ToolInfo {
    /// This build of mailtriage.
    pub fn this() -> ToolInfo {
        ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// What the run saw beyond its results: the names `--offline` left unresolved, the title and
/// fix of every finding id, and where the records of the `--zone` files were written.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    pub offline_names: Vec<String>,
    /// Finding id -> (title, fix), from rules/findings.toml.
    pub finding_texts: BTreeMap<String, (String, String)>,
    pub zones: ZoneIndex,
}

impl RunContext {
    pub fn new(rules: &RuleSet, zones: ZoneIndex, offline_names: Vec<String>) -> RunContext {
        RunContext {
            offline_names,
            finding_texts: rules
                .findings
                .iter()
                .map(|l| {
                    (
                        l.rule.id.clone(),
                        (l.rule.title.clone(), l.rule.fix.clone()),
                    )
                })
                .collect(),
            zones,
        }
    }
}

/// The replies found in an input, each with its decoding.
#[derive(Debug, Clone, Copy)]
pub struct ExplainReport<'a> {
    pub form: InputForm,
    /// What a whole message is (a bounce, a delay warning, or which kind of non-bounce); `None`
    /// for replies, log lines and export rows.
    pub kind: Option<MessageKind>,
    pub replies: &'a [(Reply, Decoded)],
}

/// One checked domain with the queries asked for it.
#[derive(Debug, Clone, Copy)]
pub struct CheckDomain<'a> {
    pub report: &'a DomainReport,
    pub queries: &'a [LogEntry],
}

/// Every domain a `check` run checked.
#[derive(Debug, Clone, Copy)]
pub struct CheckReport<'a> {
    pub tool: &'a ToolInfo,
    pub domains: &'a [CheckDomain<'a>],
    pub run: &'a RunContext,
}

/// Everything a diagnosis shows.
#[derive(Debug, Clone, Copy)]
pub struct DiagnoseReport<'a> {
    pub tool: &'a ToolInfo,
    pub form: InputForm,
    pub input: &'a DiagnoseInput<'a>,
    pub diagnosis: &'a Diagnosis,
    pub run: &'a RunContext,
}

/// What a command hands its renderer.
#[derive(Debug, Clone, Copy)]
pub enum Report<'a> {
    Explain(ExplainReport<'a>),
    Check(CheckReport<'a>),
    Diagnose(DiagnoseReport<'a>),
    /// `explain` of several inputs, each with its own replies.
    ExplainMany(&'a [ExplainInput<'a>]),
    Scan(ScanReport<'a>),
}

/// One of several inputs of `explain`: its name, its form and the replies found in it.
#[derive(Debug, Clone, Copy)]
pub struct ExplainInput<'a> {
    pub name: &'a str,
    pub form: InputForm,
    pub kind: Option<MessageKind>,
    pub replies: &'a [(Reply, Decoded)],
}

/// What a `scan` read, its summary and the policy that decided each address.
#[derive(Clone, Copy)]
pub struct ScanReport<'a> {
    pub scanned: &'a crate::scan::Scanned,
    pub summary: &'a crate::scan::summary::Summary,
    pub policy: &'a crate::scan::policy::Policy,
}

impl std::fmt::Debug for ScanReport<'_> {
    // The scan state is large; its addresses are not worth printing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanReport")
            .field("addresses", &self.summary.decisions.len())
            .finish_non_exhaustive()
    }
}
