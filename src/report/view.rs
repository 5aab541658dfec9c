//! The values every renderer reads: the tool, one checked domain, a whole diagnosis.

use crate::checks::DomainReport;
use crate::dns::LogEntry;
use crate::plan::{DiagnoseInput, Diagnosis};
use crate::reply::InputForm;
use serde::Serialize;

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
    pub queries: &'a [LogEntry],
}

/// Everything a diagnose renderer shows.
#[derive(Debug, Clone, Copy)]
pub struct DiagnoseReport<'a> {
    pub tool: &'a ToolInfo,
    pub form: InputForm,
    pub input: &'a DiagnoseInput<'a>,
    pub diagnosis: &'a Diagnosis,
}
