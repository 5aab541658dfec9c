//! `mailtriage check`: one domain, several, or a bulk list streamed as JSON Lines.

use super::common::{self, query_record};
use super::{bulk, load_rules, runtime};
use crate::checks::{self, DomainReport};
use crate::cli::{CheckArgs, CheckFormat};
use crate::dns::Dns;
use crate::error::{Error, Result};
use crate::report::{self, CheckDomain, QueryRecord, ToolInfo};
use futures::StreamExt;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// One checked domain with the queries that answered it.
pub(crate) struct Checked {
    pub report: DomainReport,
    pub queries: Vec<QueryRecord>,
}

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
    let only = common::only(&args.only)?;
    // Validate everything before the first query so a typo on line 9,000 fails at once.
    // DKIM discovery follows rules/selectors.toml as overridden by --rules DIR.
    let catalogue = rules_dir.map(|_| std::sync::Arc::new(rules.dkim_catalogue()));
    let params = domains
        .iter()
        .map(|d| {
            let mut p = common::params(d, &args.target, only.clone())?;
            p.dkim_catalogue = catalogue.clone();
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
    let bulk_mode = args.format == CheckFormat::Jsonl
        || (args.domains_file.is_some() && args.format == CheckFormat::Human);
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

/// Checks one domain on its own scoped view of the shared resolver.
pub(crate) async fn check_one(
    dns: &Dns,
    params: &checks::CheckParams,
    deadline: Option<Duration>,
) -> Checked {
    let view = dns.scoped(deadline);
    let report = checks::check_domain(&view, params).await;
    let queries = view
        .log_entries(&view.scope_ids())
        .iter()
        .map(query_record)
        .collect();
    Checked { report, queries }
}

fn render(
    format: CheckFormat,
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
    match format {
        CheckFormat::Human => {
            report::check_human::render(out, &domains)?;
            offline_note(dns, out)?;
        }
        CheckFormat::Json => report::check_json::render(out, &tool, &domains)?,
        CheckFormat::Jsonl => {
            for c in checked {
                writeln!(out, "{}", report::check_jsonl_line(&c.report, &c.queries))?;
            }
        }
        CheckFormat::Markdown => report::check_markdown::render(out, &domains)?,
        CheckFormat::Sarif => {
            let reports: Vec<&DomainReport> = checked.iter().map(|c| &c.report).collect();
            let lookup = |id: &str| rules.finding(id).map(|f| (f.title.clone(), f.fix.clone()));
            let zones = report::zone_index::ZoneIndex::read(zone_paths);
            report::sarif::render(out, &tool, &reports, &lookup, &zones)?;
        }
    }
    Ok(())
}

/// Under `--offline`, say which names were not looked up (their checks are inconclusive).
pub(crate) fn offline_note(dns: &Dns, out: &mut dyn Write) -> std::io::Result<()> {
    let names = dns.offline_names();
    if names.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n--offline: {} name(s) outside the --zone files were not looked up:",
        names.len()
    )?;
    for n in names.iter().take(20) {
        writeln!(out, "  {n}")?;
    }
    if names.len() > 20 {
        writeln!(out, "  ... and {} more", names.len() - 20)?;
    }
    Ok(())
}
