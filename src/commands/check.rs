//! `mailtriage check`: one domain, several, or a bulk list streamed as JSON Lines.

use super::bulk;
use super::common::{self, Checked, check_one, load_rules, runtime};
use crate::checks::DomainReport;
use crate::cli::CheckArgs;
use crate::dns::Dns;
use crate::error::{Error, Result};
use crate::report::zone_index::ZoneIndex;
use crate::report::{self, CheckDomain, CheckReport, Format, Report, RunContext, ToolInfo};
use futures::StreamExt;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

pub fn run(
    args: &CheckArgs,
    rules_dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let rules = load_rules(rules_dir)?;
    let domains = bulk::domains(&args.domains, args.domains_file.as_deref())?;
    if domains.is_empty() {
        return Err(Error::Input(
            "no domain to check: name one or more, or pass --domains-file FILE".into(),
        ));
    }
    let only = common::only(&args.only);
    // Validate everything before the first query so a typo on line 9,000 fails at once.
    // DKIM discovery follows rules/selectors.toml as overridden by --rules DIR.
    let catalogue = rules_dir.map(|_| std::sync::Arc::new(rules.dkim_catalogue()));
    let rules = std::sync::Arc::new(rules);
    let shared = rules_dir.map(|_| rules.clone());
    let params = domains
        .iter()
        .map(|d| {
            let mut p = common::params(d, &args.target, only.clone())?;
            p.dkim_catalogue = catalogue.clone();
            p.rules = shared.clone();
            Ok(p)
        })
        .collect::<Result<Vec<_>>>()?;
    if args.concurrency == 0 || args.concurrency > 10_000 {
        return Err(Error::Input(
            "--concurrency must be between 1 and 10000".into(),
        ));
    }
    // Streaming formats: JSON Lines always, human text for a domains file. The others are
    // one document, so they are collected first.
    let bulk_mode = args.format == Format::Jsonl
        || (args.domains_file.is_some() && args.format == Format::Human);
    // In bulk mode --deadline bounds each domain; the run as a whole has no deadline.
    let per_domain = Duration::from_secs_f64(args.dns.deadline.clamp(0.001, 3600.0));
    let cfg = common::dns_config(
        &args.dns,
        bulk_mode.then_some(Duration::from_secs(60 * 60 * 24 * 365)),
    )?;
    let zone_paths = cfg.zones.clone();
    let rt = runtime()?;
    rt.block_on(async {
        let dns = common::dns(cfg).await?;
        if bulk_mode {
            return bulk::run(&dns, params, args, per_domain, out, err).await;
        }
        let concurrency = args.concurrency;
        let mut checked: Vec<(usize, Checked)> =
            futures::stream::iter(params.into_iter().enumerate())
                .map(|(i, p)| {
                    let dns = dns.clone();
                    async move { (i, check_one(&dns, &p, None).await) }
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
        checked.sort_by_key(|(i, _)| *i);
        let checked: Vec<Checked> = checked.into_iter().map(|(_, c)| c).collect();
        render(args.format, &checked, &rules, &dns, &zone_paths, out)?;
        let reports: Vec<&DomainReport> = checked.iter().map(|c| &c.report).collect();
        Ok(common::exit_code(&reports, args.fail_on))
    })
}

fn render(
    format: Format,
    checked: &[Checked],
    rules: &crate::rules::RuleSet,
    dns: &Dns,
    zone_paths: &[std::path::PathBuf],
    out: &mut dyn Write,
) -> Result<()> {
    let domains: Vec<CheckDomain<'_>> = checked
        .iter()
        .map(|c| CheckDomain {
            report: &c.report,
            queries: &c.queries,
        })
        .collect();
    let tool = ToolInfo::this();
    // Only SARIF places findings in the zone files: the others need not read them again.
    let zones = if format == Format::Sarif {
        ZoneIndex::read(zone_paths)
    } else {
        ZoneIndex::default()
    };
    let run = RunContext::new(rules, zones, dns.offline_names());
    let view = Report::Check(CheckReport {
        tool: &tool,
        domains: &domains,
        run: &run,
    });
    report::render(out, format, &view)?;
    Ok(())
}
