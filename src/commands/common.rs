//! What `check` and `diagnose` share: DNS settings, target parameters, exit-code policy.

use super::validate;
use crate::checks::{self, CheckParams, DomainReport};
use crate::cli::{DnsArgs, FailOn, TargetArgs};
use crate::dns::{Dns, DnsConfig, LogEntry};
use crate::error::{Error, Result, exit};
use crate::finding::{Check, Severity};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// `--nameserver` values: `IP`, `IP:PORT`, `[IPv6]:PORT`.
pub fn nameservers(raw: &[String]) -> Result<Vec<SocketAddr>> {
    raw.iter()
        .map(|s| {
            let s = s.trim();
            if let Ok(ip) = s.parse::<IpAddr>() {
                return Ok(SocketAddr::new(ip, 53));
            }
            s.parse::<SocketAddr>().map_err(|_| {
                Error::Input(format!(
                    "invalid --nameserver {s:?}: use IP or IP:PORT, e.g. 127.0.0.1:5353 or [::1]:53"
                ))
            })
        })
        .collect()
}

fn seconds(value: f64, flag: &str) -> Result<Duration> {
    if value.is_finite() && value > 0.0 && value <= 3600.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Error::Input(format!(
            "invalid {flag} {value}: give seconds between 0 and 3600"
        )))
    }
}

/// The DNS configuration; `run_deadline` overrides `--deadline` for the whole run (bulk mode
/// applies `--deadline` per domain instead).
pub fn dns_config(args: &DnsArgs, run_deadline: Option<Duration>) -> Result<DnsConfig> {
    let mut zones = Vec::new();
    for zone in &args.zone {
        if zone.is_dir() {
            // A directory stands for every *.zone file in it, in name order.
            let mut found: Vec<_> = std::fs::read_dir(zone)
                .map_err(|e| Error::Input(format!("--zone {}: {e}", zone.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "zone"))
                .collect();
            if found.is_empty() {
                return Err(Error::Input(format!(
                    "--zone {}: the directory holds no *.zone file",
                    zone.display()
                )));
            }
            found.sort();
            zones.extend(found);
        } else if zone.is_file() {
            zones.push(zone.clone());
        } else if zone.exists() {
            // A pipe (`--zone <(...)`) or a device: the zone files are read more than once
            // (the overlay, then SARIF's places), which a pipe cannot be.
            return Err(Error::Input(format!(
                "--zone {}: not a regular file (a pipe or a device): give a zone file or a directory of them",
                zone.display()
            )));
        } else {
            return Err(Error::Input(format!(
                "--zone {}: no such file or directory",
                zone.display()
            )));
        }
    }
    if args.retries > 10 {
        return Err(Error::Input("--retries above 10 makes no sense".into()));
    }
    Ok(DnsConfig {
        nameservers: nameservers(&args.nameserver)?,
        timeout: seconds(args.timeout, "--timeout")?,
        retries: args.retries,
        deadline: match run_deadline {
            Some(d) => d,
            None => seconds(args.deadline, "--deadline")?,
        },
        zones,
        offline: args.offline,
        ..DnsConfig::default()
    })
}

pub async fn dns(cfg: DnsConfig) -> Result<Dns> {
    Dns::new(cfg).await.map_err(|e| Error::Input(e.to_string()))
}

/// The checks `--only` selected (clap refused unknown names); empty means all.
pub fn only(raw: &[Option<Check>]) -> Vec<Check> {
    raw.iter().flatten().copied().collect()
}

/// Validated check parameters for `domain` from the target flags.
pub fn params(domain: &str, target: &TargetArgs, only: Vec<Check>) -> Result<CheckParams> {
    // `[192.0.2.1]` is a legal EHLO argument (RFC 5321 section 4.1.3) that names no host: it is
    // kept apart from the name, and the PTR check reports it.
    let literal = match target
        .helo
        .as_deref()
        .and_then(|h| validate::helo_literal(h, "--helo"))
    {
        Some(ip) => Some(ip?.to_canonical()),
        None => None,
    };
    let helo = match &target.helo {
        Some(h) if literal.is_none() => Some(validate::domain(h, "--helo name")?),
        _ => None,
    };
    let from = match &target.from {
        Some(a) => Some(validate::address(a, "--from address")?),
        None => None,
    };
    let mail_from = match &target.mail_from {
        // `<>`: a null reverse-path (a bounce); SPF then checks the HELO identity.
        Some(a) if a.trim() == "<>" => Some("<>".to_string()),
        Some(a) => Some(validate::address(a, "--mail-from address")?),
        None => None,
    };
    let mut dkim_domain = match &target.dkim_domain {
        Some(d) => Some(validate::domain(d, "--dkim-domain")?),
        None => None,
    };
    let mut dkim_selectors = Vec::new();
    for raw in &target.dkim_selector {
        let (selector, named) = validate::selector_name(raw)?;
        if let Some(d) = named {
            // The key record's name pasted whole: its domain is the signing domain.
            match &dkim_domain {
                Some(given) if !given.eq_ignore_ascii_case(&d) => {
                    return Err(Error::Input(format!(
                        "--dkim-selector {raw:?} names the domain {d}, but the DKIM domain is {given}: give the s= value alone (e.g. {selector}) or a matching --dkim-domain"
                    )));
                }
                Some(_) => {}
                None => dkim_domain = Some(d),
            }
        }
        dkim_selectors.push(selector);
    }
    Ok(CheckParams {
        domain: validate::domain(domain, "domain")?,
        // An IPv4-mapped address (`::ffff:192.0.2.1`, as a dual-stack socket logs it) is the
        // IPv4 client receivers see (RFC 4291 section 2.5.5.2): SPF's ip4 terms and the
        // in-addr.arpa PTR apply to it, so every check and step takes the IPv4 form.
        ip: target.ip.map(|ip| ip.to_canonical()),
        helo,
        helo_literal: literal,
        from,
        mail_from,
        dkim_selectors,
        dkim_domain,
        only,
        ..CheckParams::default()
    })
}

/// Exit code for a set of reports: 1 when a conclusive finding reaches `--fail-on`; else 3 when
/// DNS trouble kept any check from concluding (a CI job must not pass on DNS it could not
/// read; names `--offline` skipped are "not checked", not trouble); else 0.
pub fn exit_code(reports: &[&DomainReport], fail_on: FailOn) -> u8 {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| {
        reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| !f.inconclusive && f.severity >= t)
    });
    if failing {
        exit::FINDINGS
    } else if reports.iter().any(|r| r.any_inconclusive()) {
        exit::DNS
    } else {
        exit::OK
    }
}

/// One checked domain with the queries that answered it.
pub struct Checked {
    pub report: DomainReport,
    pub queries: Vec<LogEntry>,
}

/// Checks one domain on its own scoped view of the shared resolver.
pub async fn check_one(
    dns: &Dns,
    params: &checks::CheckParams,
    deadline: Option<Duration>,
) -> Checked {
    let view = dns.scoped(deadline);
    let report = checks::check_domain(&view, params).await;
    let queries = view.log_entries(&view.scope_ids());
    Checked { report, queries }
}

/// Loads the rules (built-in plus `--rules DIR`); broken rules are an input error (exit 2).
pub fn load_rules(dir: Option<&std::path::Path>) -> Result<crate::rules::RuleSet> {
    load_rules_for(dir, crate::rules::Tables::All)
}

/// `load_rules` of the tables a command reads (`explain`: `Tables::Reply`).
pub fn load_rules_for(
    dir: Option<&std::path::Path>,
    tables: crate::rules::Tables,
) -> Result<crate::rules::RuleSet> {
    crate::rules::RuleSet::load_for(dir, tables).map_err(|e| Error::Rules(format!("rules: {e}")))
}

/// A multi-thread runtime sized for the machine; DNS work is I/O-bound.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Input(format!("cannot start the async runtime: {e}")))
}
