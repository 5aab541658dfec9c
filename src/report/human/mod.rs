//! Human output: terminal text for every command, coloured when `colored` says so (the caller
//! decides: `--color`, NO_COLOR).

pub mod check;
pub mod diagnose;
pub mod explain;
pub mod scan;

use super::Report;
use std::io::{self, Write};

pub fn render(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    match report {
        Report::Explain(r) => explain::render(out, r),
        Report::ExplainMany(inputs) => explain::render_many(out, inputs),
        Report::Check(r) => check::render(out, r),
        Report::Diagnose(r) => diagnose::render(out, r),
        Report::Scan(r) => scan::render(out, r),
    }
}
