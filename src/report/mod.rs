//! Renderers: one module per output format, all over the same report values.

pub mod check_human;
pub mod check_json;
pub mod check_markdown;
pub mod diagnose_human;
pub mod diagnose_json;
pub mod explain;
pub mod markdown;
pub mod sarif;
mod text;
pub mod zone_index;

use crate::checks::DomainReport;
use crate::dns::{Outcome, RType};
use crate::plan::{DiagnoseInput, Diagnosis};
use crate::reply::InputForm;
use serde::Serialize;

pub use check_json::check_jsonl_line;

/// One entry of the query log, mirrored from the dns layer's `LogEntry` (the glue code fills it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryRecord {
    pub id: usize,
    pub name: String,
    pub rtype: RType,
    pub outcome: Outcome,
    pub answers: Vec<String>,
    pub ttl: Option<u32>,
    pub cname_chain: Vec<String>,
    /// RFC 3339 UTC.
    pub started_at: String,
    pub elapsed_ms: f64,
    pub resolver: String,
}

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

/// One checked domain with the queries asked for it.
#[derive(Debug, Clone, Copy)]
pub struct CheckDomain<'a> {
    pub report: &'a DomainReport,
    pub queries: &'a [QueryRecord],
}

/// Everything a diagnose renderer shows.
#[derive(Debug, Clone, Copy)]
pub struct DiagnoseReport<'a> {
    pub tool: &'a ToolInfo,
    pub form: InputForm,
    pub input: &'a DiagnoseInput<'a>,
    pub diagnosis: &'a Diagnosis,
}
