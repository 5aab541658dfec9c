//! Renderers by format, not by command: each format is one module over the report values
//! (explain, check, diagnose), and [`render`] is the one dispatch.

pub mod escape;
mod format;
pub mod human;
pub mod json;
mod jsonl;
pub mod markdown;
pub mod sarif;
pub mod suppressions;
mod text;
mod view;
pub mod zone_index;

pub use format::Format;
pub use view::{
    CheckDomain, CheckReport, DiagnoseReport, ExplainInput, ExplainReport, Report, RunContext,
    ScanReport, ToolInfo,
};

use format::unsupported;
use std::io::{self, Write};

/// Writes `report` in `format`. The library never prints: the caller hands the writer.
pub fn render(out: &mut dyn Write, format: Format, report: &Report<'_>) -> io::Result<()> {
    if !report.formats().contains(&format) {
        return Err(unsupported(format, report));
    }
    match format {
        Format::Human => human::render(out, report),
        Format::Json => json::render(out, report),
        Format::Jsonl => jsonl::render(out, report),
        Format::Markdown => markdown::render(out, report),
        Format::Sarif => sarif::render(out, report),
    }
}
