//! Bulk mode: many domains over one shared cache, streamed as JSON Lines, with a summary.

use super::common::{Checked, check_one};
use crate::checks::{CheckParams, DomainReport};
use crate::cli::CheckArgs;
use crate::dns::Dns;
use crate::error::{Error, Result, exit};
use crate::finding::{Check, Finding, Severity};
use crate::report::{CheckDomain, CheckReport, Format, Report, RunContext, ToolInfo};
use std::collections::HashMap;
use std::future::Future;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::time::{Duration, Instant};

/// The finding on the line of a domain whose check failed internally (rules/findings.toml).
pub const INTERNAL_ERROR: &str = "internal-error";

/// The longest line of a `--domains-file`: a domain name and a comment beside it.
const MAX_DOMAINS_LINE: usize = 4096;

/// Domains from the arguments plus `--domains-file` (`-` = stdin): one per line, blank lines
/// and `#` comments ignored.
pub fn domains(args: &[String], file: Option<&str>) -> Result<Vec<String>> {
    let mut all: Vec<String> = args.to_vec();
    let Some(file) = file else { return Ok(all) };
    let mut reader: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| Error::Input(format!("cannot read --domains-file {file}: {e}")))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut buf = Vec::new();
    for n in 1.. {
        // Each line read with a bound: a file that is one endless line (a 1 GB sparse file,
        // a binary given by mistake) is refused at its first line, not held in memory.
        buf.clear();
        let got = (&mut reader)
            .take(MAX_DOMAINS_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::Input(format!("{file}:{n}: {e}")))?;
        if got == 0 {
            break;
        }
        if buf.len() > MAX_DOMAINS_LINE {
            return Err(Error::Input(format!(
                "{file}:{n}: a line longer than {MAX_DOMAINS_LINE} bytes holds no domain name (one domain per line)"
            )));
        }
        let line = std::str::from_utf8(&buf).map_err(|_| {
            Error::Input(format!("{file}:{n}: not UTF-8 text (one domain per line)"))
        })?;
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        // Say where a bad name is: with 100,000 lines "invalid domain" alone is useless.
        super::validate::domain(entry, "domain")
            .map_err(|e| Error::Input(format!("{file}:{n}: {e}")))?;
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
    fn add(&mut self, report: &DomainReport, failed: bool) {
        self.done += 1;
        if failed {
            self.failed.push(report.domain.clone());
        }
        let worst = if failed || report.all_inconclusive() {
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
                "  internal error (a bug, please report it), not checked: {}",
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
    let check = |dns: Dns, p: CheckParams, deadline: Duration| async move {
        check_one(&dns, &p, Some(deadline)).await
    };
    run_with(dns, params, args, per_domain, out, err, check).await
}

/// [`run`] with the per-domain check passed in, so a test can make one domain's check fail.
async fn run_with<F, Fut>(
    dns: &Dns,
    params: Vec<CheckParams>,
    args: &CheckArgs,
    per_domain: Duration,
    out: &mut dyn Write,
    err: &mut dyn Write,
    check: F,
) -> Result<u8>
where
    F: Fn(Dns, CheckParams, Duration) -> Fut,
    Fut: Future<Output = Checked> + Send + 'static,
{
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
            let domain = p.domain.clone();
            let task = running.spawn(check(dns.clone(), p, per_domain));
            names.insert(task.id(), domain);
        }
        let next = tokio::select! {
            biased;
            _ = &mut ctrl_c => { interrupted = true; None }
            next = running.join_next_with_id() => next,
        };
        let (checked, failed) = match next {
            None => break,
            Some(Ok((id, checked))) => {
                names.remove(&id);
                (checked, false)
            }
            Some(Err(e)) => {
                // A check must never panic; if one does, the domain still gets its line, marked
                // as not checked, so a script reading the output cannot mistake it for clean.
                let domain = names.remove(&e.id()).unwrap_or_default();
                (failed_check(&domain), true)
            }
        };
        summary.add(&checked.report, failed);
        all_inconclusive &= failed || checked.report.all_inconclusive();
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
    // A domain left unchecked by an internal error is a result nobody can rely on: 3, like a
    // domain whose DNS could not be consulted, whatever the other domains found.
    Ok(
        if total > 0 && (all_inconclusive || !summary.failed.is_empty()) {
            exit::DNS
        } else if reports_fail {
            exit::FINDINGS
        } else {
            exit::OK
        },
    )
}

/// The line of a domain whose check failed internally: the usual shape, every check absent,
/// one inconclusive finding that says so.
fn failed_check(domain: &str) -> Checked {
    let finding = Finding::new(
        INTERNAL_ERROR,
        Check::Dns,
        Severity::Warning,
        domain,
        format!(
            "mailtriage failed internally while checking {domain} (a bug: please report it); \
             nothing is known about its DNS."
        ),
    )
    .map(Finding::inconclusive);
    Checked {
        report: DomainReport {
            findings: finding.into_iter().collect(),
            ..DomainReport::empty(crate::checks::normalise(domain))
        },
        queries: Vec::new(),
    }
}

/// One domain's result in the streaming format (JSON Lines, or human text per domain).
fn write_one(format: Format, checked: &Checked, out: &mut dyn Write) -> Result<()> {
    let one = [CheckDomain {
        report: &checked.report,
        queries: &checked.queries,
    }];
    let tool = ToolInfo::this();
    let run = RunContext::default();
    let view = Report::Check(CheckReport {
        tool: &tool,
        domains: &one,
        run: &run,
    });
    crate::report::render(out, format, &view)?;
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn check_args(extra: &[&str]) -> CheckArgs {
        let argv = ["mailtriage", "check", "--format", "jsonl"]
            .iter()
            .chain(extra)
            .copied();
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Check(args) => args,
            _ => unreachable!("parsed a check command"),
        }
    }

    /// Without a test-only hook in the product, the check itself is swapped for one that
    /// panics on one domain: what a user sees of such a bug is the line, summary and exit code.
    #[tokio::test]
    async fn a_domain_whose_check_panics_gets_a_failed_line_and_exit_3() {
        let dns = Dns::new(crate::dns::DnsConfig {
            // Never asked: the stand-in check below does not query.
            nameservers: vec!["127.0.0.1:9".parse().unwrap()],
            ..crate::dns::DnsConfig::default()
        })
        .await
        .unwrap();
        let args = check_args(&["--fail-on", "never"]);
        let params: Vec<CheckParams> = ["a.example", "boom.example", "c.example"]
            .iter()
            .map(|d| super::super::common::params(d, &args.target, Vec::new()).unwrap())
            .collect();
        let check = |_dns: Dns, p: CheckParams, _deadline: Duration| async move {
            assert_ne!(p.domain, "boom.example", "a bug in a check");
            Checked {
                report: DomainReport::empty(p.domain.clone()),
                queries: Vec::new(),
            }
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with(
            &dns,
            params,
            &args,
            Duration::from_secs(5),
            &mut out,
            &mut err,
            check,
        )
        .await
        .unwrap();
        assert_eq!(code, exit::DNS, "an internal error never exits 0");
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "every domain gets its line");
        let boom = lines
            .iter()
            .find(|l| l["domain"] == "boom.example")
            .unwrap();
        assert_eq!(boom["schema"], "mailtriage.check/v1");
        assert_eq!(boom["findings"][0]["id"], INTERNAL_ERROR);
        assert_eq!(boom["findings"][0]["inconclusive"], true);
        assert!(boom["spf"].is_null() && boom["queries"] == serde_json::json!([]));
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/check-v1.schema.json")).unwrap();
        assert!(jsonschema::validator_for(&schema).unwrap().is_valid(boom));
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("3 of 3 domain(s) checked"), "{err}");
        assert!(err.contains("inconclusive: 1"), "{err}");
        assert!(err.contains("not checked: boom.example"), "{err}");
    }
}
