//! Versioned JSON (`mailtriage.explain/v1`, `check/v1`, `diagnose/v1`): the frozen shapes of
//! [`v1`], pretty-printed with one trailing newline.

pub mod check;
pub mod diagnose;
pub mod explain;
pub mod v1;

use super::Report;
use serde_json::Value;
use std::io::{self, Write};

pub fn render(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    let doc = match report {
        // One line, streamed: the summary is also the state `scan --merge` reads back.
        Report::Scan(r) => return crate::scan::json::write(out, r.scanned, r.summary, r.policy),
        Report::Explain(r) => explain::to_value(r),
        Report::ExplainMany(inputs) => explain::many_to_value(inputs),
        Report::Check(r) => check::to_value(r.tool, r.domains),
        Report::Diagnose(r) => diagnose::to_value(r),
    };
    write_pretty(out, &doc)
}

fn write_pretty(out: &mut dyn Write, doc: &Value) -> io::Result<()> {
    crate::report::escape::json_pretty(&mut *out, doc)?;
    writeln!(out)
}
