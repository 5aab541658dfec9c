//! `check` for people: one section per check, facts first, then each finding with its id.

use crate::checks;
use crate::finding::{Check, Finding, Severity};
use crate::report::text::{plural, severity_label};
use crate::report::{CheckDomain, CheckReport};
use colored::Colorize;
use std::io::{self, Write};

/// Every domain, then the names `--offline` did not look up.
pub fn render(w: &mut dyn Write, r: &CheckReport<'_>) -> io::Result<()> {
    for (i, d) in r.domains.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        render_domain(w, d)?;
    }
    offline_note(&r.run.offline_names, w)
}

/// Under `--offline`, says which names were not looked up (their checks are inconclusive).
fn offline_note(names: &[String], w: &mut dyn Write) -> io::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    writeln!(
        w,
        "\n--offline: {} name(s) outside the --zone files were not looked up:",
        names.len()
    )?;
    for n in names.iter().take(20) {
        writeln!(w, "  {n}")?;
    }
    if names.len() > 20 {
        writeln!(w, "  ... and {} more", names.len() - 20)?;
    }
    Ok(())
}

fn write_finding(w: &mut dyn Write, f: &Finding) -> io::Result<()> {
    writeln!(
        w,
        "    {} [{}] {}",
        severity_label(f),
        f.id.bold(),
        f.message
    )?;
    if let Some(loc) = &f.location {
        writeln!(w, "      at {}:{}:{}", loc.file, loc.line, loc.column)?;
    }
    Ok(())
}

fn render_domain(w: &mut dyn Write, d: &CheckDomain<'_>) -> io::Result<()> {
    let r = d.report;
    writeln!(w, "{}", r.domain.bold().underline())?;
    // Trouble of no check first, then every registered check in its order.
    let sections = std::iter::once((Check::Dns, None)).chain(
        checks::REGISTRY
            .iter()
            .map(|e| (e.check(), e.lines(r, d.queries))),
    );
    for (check, lines) in sections {
        let findings: Vec<&Finding> = r.findings.iter().filter(|f| f.check == check).collect();
        if lines.is_none() && findings.is_empty() {
            continue;
        }
        let status = if findings.iter().any(|f| f.inconclusive) {
            "inconclusive".magenta().bold()
        } else if findings.iter().any(|f| f.severity == Severity::Error) {
            "fail".red().bold()
        } else if findings.iter().any(|f| f.severity == Severity::Warning) {
            "warn".yellow().bold()
        } else {
            "ok".green().bold()
        };
        writeln!(
            w,
            "  {} {status}",
            check.as_str().to_ascii_uppercase().bold()
        )?;
        for l in lines.unwrap_or_default() {
            writeln!(w, "    {l}")?;
        }
        for f in findings {
            write_finding(w, f)?;
        }
    }
    let count = |s: Severity| {
        r.findings
            .iter()
            .filter(|f| !f.inconclusive && f.severity == s)
            .count() as u32
    };
    let inc = r.findings.iter().filter(|f| f.inconclusive).count() as u32;
    writeln!(
        w,
        "  {}, {}, {} inconclusive",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        inc
    )
}
