//! The summary as Markdown (for a ticket or a wiki page): the same sections as the human
//! output, every value from a log escaped with `md`.

use crate::report::ScanReport;
use crate::report::escape::markdown as md;
use crate::scan::render::{pattern_line, thousands};
use crate::scan::summary::Row;
use crate::scan::time::{self, UNKNOWN};
use std::io::{self, Write};

const TOP: usize = 20;

fn table(out: &mut dyn Write, title: &str, label: &str, rows: &[Row]) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n## {title}\n")?;
    writeln!(out, "| {label} | delivered | deferred | bounced | other |")?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;
    for r in rows.iter().take(TOP) {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md(&r.name),
            thousands(r.counts.delivered),
            thousands(r.counts.deferred),
            thousands(r.counts.bounced),
            thousands(r.counts.other)
        )?;
    }
    if rows.len() > TOP {
        writeln!(out, "\n{} more rows in the JSON output.", rows.len() - TOP)?;
    }
    Ok(())
}

pub fn render(out: &mut dyn Write, r: &ScanReport<'_>) -> io::Result<()> {
    let (s, sum, policy) = (r.scanned, r.summary, r.policy);
    let st = &s.state;
    writeln!(out, "# mailtriage scan\n")?;
    let span = if sum.first == UNKNOWN {
        "no times".to_string()
    } else {
        format!(
            "{} to {} UTC",
            time::minute(sum.first),
            time::minute(sum.last)
        )
    };
    writeln!(out, "{} input(s), {span}.\n", st.inputs.len())?;
    let t = &sum.totals;
    writeln!(
        out,
        "| delivered | deferred | bounced | other | addresses |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|")?;
    writeln!(
        out,
        "| {} | {} | {} | {} | {} |",
        thousands(t.delivered),
        thousands(t.deferred),
        thousands(t.bounced),
        thousands(t.other),
        thousands(sum.addresses)
    )?;
    writeln!(out, "\n## Inputs\n")?;
    writeln!(
        out,
        "| input | form | lines | messages | results | skipped | problem |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---|")?;
    for i in &st.inputs {
        let skipped: Vec<String> = i
            .skipped
            .0
            .iter()
            .map(|c| format!("{} {}", c.count, c.reason.id()))
            .collect();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&i.name),
            md(&i.form),
            thousands(i.lines),
            thousands(i.messages),
            thousands(i.results),
            md(&skipped.join(", ")),
            md(i.error.as_deref().unwrap_or(""))
        )?;
    }
    writeln!(out, "\n## Decisions per address\n")?;
    writeln!(out, "| verdict | addresses |")?;
    writeln!(out, "|---|---:|")?;
    for (v, n) in &sum.verdicts {
        writeln!(out, "| {} | {} |", md(v), thousands(*n))?;
    }
    writeln!(
        out,
        "\nSoft failures suppress after {} separate sends over at least {} days ({}).",
        policy.threshold.failures,
        policy.threshold.days,
        md(&policy.threshold.from)
    )?;
    writeln!(out, "\n## Patterns\n")?;
    if sum.patterns.is_empty() {
        writeln!(out, "None.")?;
    }
    for p in &sum.patterns {
        writeln!(
            out,
            "- {} ({}, {}{})",
            md(&pattern_line(p)),
            md(&p.category),
            md(&p.action),
            if p.ongoing { "" } else { ", stopped" }
        )?;
    }
    if !sum.codes.is_empty() {
        writeln!(out, "\n## Top codes\n")?;
        writeln!(out, "| failures | code | provider | addresses | meaning |")?;
        writeln!(out, "|---:|---|---|---:|---|")?;
        for c in sum.codes.iter().take(TOP) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                thousands(c.counts.total()),
                md(&c.code),
                md(if c.provider_name.is_empty() {
                    "(other)"
                } else {
                    &c.provider_name
                }),
                thousands(c.addresses),
                md(&c.meaning)
            )?;
        }
    }
    if !sum.breakdown.is_empty() {
        writeln!(out, "\n## Failures by provider, category and action\n")?;
        writeln!(out, "| provider | category | action | deferred | bounced |")?;
        writeln!(out, "|---|---|---|---:|---:|")?;
        for b in sum.breakdown.iter().take(TOP) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(if b.provider.is_empty() {
                    "(other)"
                } else {
                    &b.provider
                }),
                md(&b.category),
                md(&b.action),
                thousands(b.counts.deferred),
                thousands(b.counts.bounced)
            )?;
        }
    }
    table(out, "By sending domain", "sending domain", &sum.by_sender)?;
    table(out, "By sending IP", "sending IP", &sum.by_ip)?;
    table(
        out,
        "By recipient domain",
        "recipient domain",
        &sum.by_recipient_domain,
    )?;
    if !sum.timeline.rows.is_empty() {
        writeln!(out, "\n## Timeline (per {})\n", sum.timeline.bucket)?;
        writeln!(
            out,
            "| start (UTC) | delivered | deferred | bounced | other |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|")?;
        for r in &sum.timeline.rows {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                time::minute(r.start),
                thousands(r.counts.delivered),
                thousands(r.counts.deferred),
                thousands(r.counts.bounced),
                thousands(r.counts.other)
            )?;
        }
    }
    writeln!(out, "\n## Diagnoses that matter\n")?;
    if sum.diagnoses.is_empty() {
        writeln!(
            out,
            "None: no authentication, reverse-DNS or blocklist failures."
        )?;
    }
    for d in &sum.diagnoses {
        writeln!(
            out,
            "- {} {} failures ({}):\n\n  ```sh\n  {}\n  ```",
            thousands(d.failures),
            md(&d.code),
            md(&d.category),
            crate::report::escape::terminal(&d.command)
        )?;
        for c in &d.causes {
            writeln!(out, "  - {}", md(c))?;
        }
    }
    Ok(())
}
