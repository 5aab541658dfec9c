//! Markdown output, for a ticket or a pull-request comment: `check` and `diagnose`.

pub mod check;
pub mod diagnose;

use super::{Format, Report};
use std::io::{self, Write};

pub fn render(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    match report {
        Report::Check(r) => check::render(out, r.domains),
        Report::Diagnose(r) => diagnose::render(out, r),
        Report::Explain(_) => Err(crate::report::format::unsupported(Format::Markdown, report)),
    }
}
