//! `check` as `mailtriage.check/v1`: one document for every domain, or one compact line per
//! domain (JSON Lines, the bulk mode's stream).

use super::v1::{CHECK, CheckDoc, CheckLine, Domain};
use crate::checks::DomainReport;
use crate::dns::LogEntry;
use crate::report::{CheckDomain, ToolInfo};
use serde_json::Value;

pub const SCHEMA: &str = CHECK;

/// The whole document.
pub fn to_value(tool: &ToolInfo, domains: &[CheckDomain<'_>]) -> Value {
    super::v1::value(&CheckDoc {
        schema: CHECK,
        tool,
        domains: domains
            .iter()
            .map(|d| Domain {
                report: d.report,
                queries: d.queries,
            })
            .collect(),
    })
}

/// One compact line: the domain object with a `"schema"` key, no trailing newline.
pub fn check_jsonl_line(report: &DomainReport, queries: &[LogEntry]) -> String {
    super::v1::value(&CheckLine {
        schema: CHECK,
        domain: Domain { report, queries },
    })
    .to_string()
}
