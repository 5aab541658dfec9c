//! Markdown output, for a ticket or a pull-request comment: `check` and `diagnose`.

pub mod check;
pub mod diagnose;
pub mod scan;

use super::{Format, Report};
use std::io::{self, Write};

pub fn render(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    match report {
        Report::Check(r) => check::render(out, r.domains),
        Report::Diagnose(r) => diagnose::render(out, r),
        Report::Scan(r) => scan::render(out, r),
        Report::Explain(_) | Report::ExplainMany(_) => {
            Err(crate::report::format::unsupported(Format::Markdown, report))
        }
    }
}
