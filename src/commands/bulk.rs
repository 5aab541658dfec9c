//! Bulk mode: many domains over one shared cache, streamed as JSON Lines, with a summary.

use super::check::{Checked, check_one};
use crate::checks::CheckParams;
use crate::cli::{CheckArgs, CheckFormat};
use crate::dns::Dns;
use crate::error::{Error, Result, exit};
use crate::finding::Severity;
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::time::{Duration, Instant};

/// Domains from the arguments plus `--domains-file` (`-` = stdin): one per line, blank lines
/// and `#` comments ignored.
pub fn domains(args: &[String], file: Option<&str>) -> Result<Vec<String>> {
    let mut all: Vec<String> = args.to_vec();
    let Some(file) = file else { return Ok(all) };
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| Error::Input(format!("cannot read --domains-file {file}: {e}")))?;
        Box::new(std::io::BufReader::new(f))
    };
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::Input(format!("{file}:{}: {e}", n + 1)))?;
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        // Say where a bad name is: with 100,000 lines "invalid domain" alone is useless.
        super::validate::domain(entry, "domain")
            .map_err(|e| Error::Input(format!("{file}:{}: {e}", n + 1)))?;
        all.push(entry.to_string());
    }
    Ok(all)
}

/// Worst severity per domain, and how often each finding id was seen.
#[derive(Default)]
struct Summary {
    by_worst: HashMap<&'static str, usize>,
    by_finding: HashMap<String, usize>,
    done: usize,
    /// Domains whose check failed internally (never expected): named in the summary.
    failed: Vec<String>,
}

impl Summary {
    fn add(&mut self, report: &crate::checks::DomainReport) {
        self.done += 1;
        let worst = if report.all_inconclusive() {
            "inconclusive"
        } else {
            match report.findings.iter().map(|f| f.severity).max() {
                Some(Severity::Error) => "error",
                Some(Severity::Warning) => "warning",
                Some(Severity::Info) | None => "clean",
            }
        };
        *self.by_worst.entry(worst).or_default() += 1;
        for f in &report.findings {
            if f.severity > Severity::Info {
                *self.by_finding.entry(f.id.clone()).or_default() += 1;
            }
        }
    }

    fn write(
        &self,
        err: &mut dyn Write,
        total: usize,
        elapsed: Duration,
        interrupted: bool,
    ) -> std::io::Result<()> {
        let secs = elapsed.as_secs_f64().max(1e-9);
        writeln!(
            err,
            "\nmailtriage: {} of {} domain(s) checked in {:.2} s ({:.1} domains/s){}",
            self.done,
            total,
            secs,
            self.done as f64 / secs,
            if interrupted { ", interrupted" } else { "" }
        )?;
        let line: Vec<String> = ["error", "warning", "clean", "inconclusive"]
            .iter()
            .map(|k| format!("{k}: {}", self.by_worst.get(k).copied().unwrap_or(0)))
            .collect();
        writeln!(err, "  worst severity per domain: {}", line.join(", "))?;
        let mut top: Vec<(&String, &usize)> = self.by_finding.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        if !top.is_empty() {
            writeln!(err, "  most frequent findings:")?;
            for (id, n) in top.iter().take(10) {
                writeln!(err, "    {n:>8}  {id}")?;
            }
        }
        if !self.failed.is_empty() {
            writeln!(
                err,
                "  internal error, no result for: {}",
                self.failed.join(", ")
            )?;
        }
        if let Some(kb) = peak_rss_kb() {
            writeln!(err, "  peak memory (RSS): {:.1} MB", kb as f64 / 1024.0)?;
        }
        Ok(())
    }
}

/// Peak resident set size of this process (Linux `VmHWM`), in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub async fn run(
    dns: &Dns,
    params: Vec<CheckParams>,
    args: &CheckArgs,
    per_domain: Duration,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let total = params.len();
    let started = Instant::now();
    let progress = progress_bar(total);
    let mut summary = Summary::default();
    let mut reports_fail = false;
    let mut all_inconclusive = true;
    let threshold = match args.fail_on {
        crate::cli::FailOn::Error => Some(Severity::Error),
        crate::cli::FailOn::Warning => Some(Severity::Warning),
        crate::cli::FailOn::Never => None,
    };
    // Bulk mode keeps no run-wide query log: each domain's view keeps the entries it used,
    // and they go when its line is written. With the size-bounded cache, memory depends on
    // the domains in flight, not on how many the run checks.
    dns.bounded_log();
    // One task per domain (so both cores work), at most `concurrency` at once; results are
    // written as they complete and then dropped.
    let concurrency = args.concurrency.max(1);
    let mut pending = params.into_iter();
    let mut running: tokio::task::JoinSet<Checked> = tokio::task::JoinSet::new();
    let mut names: HashMap<tokio::task::Id, String> = HashMap::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = false;
    loop {
        while running.len() < concurrency {
            let Some(p) = pending.next() else { break };
            let dns = dns.clone();
            let domain = p.domain.clone();
            let task = running.spawn(async move { check_one(&dns, &p, Some(per_domain)).await });
            names.insert(task.id(), domain);
        }
        let next = tokio::select! {
            biased;
            _ = &mut ctrl_c => { interrupted = true; None }
            next = running.join_next_with_id() => next,
        };
        let checked = match next {
            None => break,
            Some(Ok((id, checked))) => {
                names.remove(&id);
                checked
            }
            Some(Err(e)) => {
                // A check must never panic; if one does, say which domain has no result.
                let domain = names.remove(&e.id()).unwrap_or_default();
                summary.failed.push(domain);
                continue;
            }
        };
        summary.add(&checked.report);
        all_inconclusive &= checked.report.all_inconclusive();
        if let Some(t) = threshold {
            reports_fail |= checked.report.findings.iter().any(|f| f.severity >= t);
        }
        write_one(args.format, &checked, out)?;
        drop(checked);
        if let Some(p) = &progress {
            p.inc(1);
        }
    }
    // On Ctrl-C the domains still running are abandoned; every line written is complete.
    running.abort_all();
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    out.flush()?;
    summary.write(err, total, started.elapsed(), interrupted)?;
    if interrupted {
        return Ok(130);
    }
    Ok(if total > 0 && all_inconclusive {
        exit::DNS
    } else if reports_fail {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// One domain's result in the streaming format.
fn write_one(format: CheckFormat, checked: &Checked, out: &mut dyn Write) -> Result<()> {
    match format {
        CheckFormat::Jsonl => {
            let line = crate::report::check_jsonl_line(&checked.report, &checked.queries);
            writeln!(out, "{line}")?;
        }
        _ => {
            let one = [crate::report::CheckDomain {
                report: &checked.report,
                queries: &checked.queries,
            }];
            crate::report::check_human::render(out, &one)?;
        }
    }
    Ok(())
}

/// A progress bar on stderr, only when stderr is a terminal.
fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} domains  {per_sec}  eta {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}
