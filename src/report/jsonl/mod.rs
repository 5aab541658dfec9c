//! JSON Lines: one `mailtriage.check/v1` domain object per line, written as each domain is
//! done (bulk mode streams them).

mod scan;

use super::Report;
use super::json::check::check_jsonl_line;
use std::io::{self, Write};

pub fn render(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    if let Report::Scan(r) = report {
        return scan::render(out, r);
    }
    let Report::Check(r) = report else {
        return Err(super::format::unsupported(super::Format::Jsonl, report));
    };
    for d in r.domains {
        writeln!(out, "{}", check_jsonl_line(d.report, d.queries))?;
    }
    Ok(())
}
