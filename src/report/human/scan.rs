//! The summary for people at a terminal: totals, decisions, patterns, the tables (top rows),
//! the timeline and the diagnoses to run. Text from logs goes through `term`.

use crate::report::ScanReport;
use crate::report::escape::terminal as term;
use crate::scan::decide::Verdict;
use crate::scan::render::{pattern_line, thousands};
use crate::scan::summary::{Counts, Row};
use crate::scan::time::{self, UNKNOWN};
use colored::Colorize;
use std::io::{self, Write};

/// Rows shown per table; the JSON has all of them.
const TOP: usize = 10;

fn counts(c: &Counts) -> String {
    format!(
        "{:>11} {:>10} {:>9} {:>7}",
        thousands(c.delivered),
        thousands(c.deferred),
        thousands(c.bounced),
        thousands(c.other)
    )
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", thousands(n))
    }
}

fn heading(out: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", title.bold())
}

fn more(out: &mut dyn Write, shown: usize, total: usize) -> io::Result<()> {
    if total > shown {
        writeln!(
            out,
            "  ... and {} more (all in --format json)",
            thousands((total - shown) as u64)
        )?;
    }
    Ok(())
}

fn table(out: &mut dyn Write, title: &str, label: &str, rows: &[Row]) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    heading(out, title)?;
    writeln!(
        out,
        "  {:<40} {:>11} {:>10} {:>9} {:>7}",
        label.dimmed(),
        "delivered".dimmed(),
        "deferred".dimmed(),
        "bounced".dimmed(),
        "other".dimmed()
    )?;
    for r in rows.iter().take(TOP) {
        writeln!(out, "  {:<40} {}", term(&r.name), counts(&r.counts))?;
    }
    more(out, TOP, rows.len())
}

fn verdict_colored(v: &str) -> colored::ColoredString {
    match Verdict::parse(v) {
        Some(Verdict::Suppress | Verdict::SuppressDomain | Verdict::SuppressSoft) => v.red().bold(),
        Some(Verdict::KeepRetrying) => v.yellow().bold(),
        Some(Verdict::DoNotSuppress) => v.magenta().bold(),
        _ => v.green(),
    }
}

pub fn render(out: &mut dyn Write, r: &ScanReport<'_>) -> io::Result<()> {
    let (s, sum, policy) = (r.scanned, r.summary, r.policy);
    let st = &s.state;
    let lines: u64 = st.inputs.iter().map(|i| i.lines).sum();
    let messages: u64 = st.inputs.iter().map(|i| i.messages).sum();
    let span = if sum.first == UNKNOWN {
        "no times".to_string()
    } else {
        format!(
            "{} to {} UTC",
            time::minute(sum.first),
            time::minute(sum.last)
        )
    };
    writeln!(
        out,
        "{} {} input(s), {} lines, {} messages or rows; {span}",
        "mailtriage scan:".bold(),
        st.inputs.len(),
        thousands(lines),
        thousands(messages)
    )?;
    let t = &sum.totals;
    writeln!(
        out,
        "  {} delivered, {} deferred, {} bounced, {} other, to {} addresses",
        thousands(t.delivered).green(),
        thousands(t.deferred).yellow(),
        thousands(t.bounced).red(),
        thousands(t.other),
        thousands(sum.addresses)
    )?;
    for i in &st.inputs {
        if let Some(e) = &i.error {
            writeln!(out, "  {} {}: {}", "unread:".red(), term(&i.name), term(e))?;
        }
        for line in i.skip_lines() {
            writeln!(out, "  {} {}", "skipped:".yellow(), term(&line))?;
        }
    }
    if st.unattributed > 0 {
        writeln!(
            out,
            "  {} results had no usable address",
            thousands(st.unattributed)
        )?;
    }
    let years: Vec<String> = st
        .inputs
        .iter()
        .filter_map(|i| {
            i.year_from
                .as_ref()
                .map(|y| format!("{}: {}", term(&i.name), term(y)))
        })
        .collect();
    if !years.is_empty() {
        writeln!(
            out,
            "  syslog times carry no year: each line is placed in the 12 months ending on {}",
            years.join("; ")
        )?;
    }
    let back: u64 = st.inputs.iter().map(|i| i.backwards).sum();
    if back > 0 {
        let max = st
            .inputs
            .iter()
            .map(|i| i.max_back_seconds)
            .max()
            .unwrap_or(0);
        writeln!(
            out,
            "  times go backwards: {} results are earlier than one before them (at most {} s); history is ordered by time",
            thousands(back),
            thousands(max as u64)
        )?;
    }
    writeln!(
        out,
        "  times are UTC; syslog and Exim times without a zone are read as UTC"
    )?;

    heading(out, "Decisions per address")?;
    for (v, n) in &sum.verdicts {
        writeln!(out, "  {:<26} {:>10}", verdict_colored(v), thousands(*n))?;
    }
    writeln!(
        out,
        "  soft failures suppress after {} separate sends over at least {} days ({})",
        policy.threshold.failures,
        policy.threshold.days,
        term(&policy.threshold.from)
    )?;
    let rows = sum.suppressions().count();
    if rows > 0 {
        writeln!(
            out,
            "  suppression list: {} ({}); write it with --suppressions FILE",
            plural(rows as u64, "row"),
            plural(sum.domains.len() as u64, "domain")
        )?;
    }

    heading(out, "Patterns")?;
    if sum.patterns.is_empty() {
        writeln!(
            out,
            "  none (a pattern is an hour with {} or more failures of one code from one provider, at least {:.0} % of what it answered)",
            sum.settings.min_events,
            sum.settings.min_share * 100.0
        )?;
    }
    for p in &sum.patterns {
        let line = term(&pattern_line(p)).into_owned();
        writeln!(
            out,
            "  {} ({}, {}){}",
            if p.ongoing {
                line.red().bold()
            } else {
                line.yellow()
            },
            term(&p.category),
            term(&p.action),
            if p.ongoing { "" } else { " stopped" }
        )?;
    }

    if !sum.breakdown.is_empty() {
        heading(out, "Failures by provider, category and action")?;
        for b in sum.breakdown.iter().take(TOP) {
            let provider = if b.provider_id.is_empty() {
                "(other)"
            } else {
                &b.provider_id
            };
            writeln!(
                out,
                "  {:<16} {:<22} {:<20} {:>9} deferred {:>9} bounced",
                term(provider),
                term(&b.category),
                term(&b.action),
                thousands(b.counts.deferred),
                thousands(b.counts.bounced)
            )?;
        }
        more(out, TOP, sum.breakdown.len())?;
    }
    if !sum.codes.is_empty() {
        heading(out, "Top codes")?;
        for c in sum.codes.iter().take(TOP) {
            let provider = if c.provider.is_empty() {
                "(other)"
            } else {
                &c.provider
            };
            writeln!(
                out,
                "  {:>9}  {:<9} {:<12} {} addresses; {}",
                thousands(c.counts.total()),
                term(&c.code),
                term(provider),
                thousands(c.addresses),
                term(&c.meaning)
            )?;
        }
        more(out, TOP, sum.codes.len())?;
    }
    table(out, "By sending domain", "sending domain", &sum.by_sender)?;
    table(
        out,
        "By sending IP (as replies name it)",
        "sending IP",
        &sum.by_ip,
    )?;
    table(
        out,
        "By recipient domain",
        "recipient domain",
        &sum.by_recipient_domain,
    )?;

    if !sum.timeline.rows.is_empty() {
        heading(out, &format!("Timeline (per {})", sum.timeline.bucket))?;
        let width: i64 = if sum.timeline.bucket == "day" {
            86_400
        } else {
            3600
        };
        for r in &sum.timeline.rows {
            let mut marks = Vec::new();
            for p in &sum.patterns {
                if p.start >= r.start && p.start < r.start + width {
                    marks.push(format!("<- {} starts", p.code));
                }
                if !p.ongoing && p.last >= r.start && p.last < r.start + width {
                    marks.push(format!("<- {} stops", p.code));
                }
            }
            writeln!(
                out,
                "  {}  {} {}",
                time::minute(r.start),
                counts(&r.counts),
                term(&marks.join(", ")).red()
            )?;
        }
    }

    heading(out, "Diagnoses that matter")?;
    if sum.diagnoses.is_empty() {
        writeln!(
            out,
            "  none: no authentication, reverse-DNS or blocklist failures"
        )?;
    }
    for (i, d) in sum.diagnoses.iter().enumerate() {
        writeln!(
            out,
            "  {}. {} {} failures ({}) from {} {}",
            i + 1,
            thousands(d.failures),
            term(&d.code),
            term(&d.category),
            term(d.domain.as_deref().unwrap_or("an unknown sending domain")),
            d.ip.map(|ip| format!("at {ip}")).unwrap_or_default()
        )?;
        writeln!(out, "     {}", term(&d.command).cyan())?;
        for c in &d.causes {
            writeln!(out, "     - {}", term(c))?;
        }
    }
    Ok(())
}
