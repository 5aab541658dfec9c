//! `mailtriage diagnose`: decode the rejection, check the DNS it points at, plan the fix.

mod client_ip;
mod log_sender;
mod target;

use super::common::{self, Checked, check_one, load_rules, runtime};
use super::{explain, input};
use crate::checks::CheckParams;
use crate::cli::DiagnoseArgs;
use crate::dns::Dns;
use crate::error::{Error, Result};
use crate::finding::Check;
use crate::plan::{self, DiagnoseInput, Knowledge};
use crate::report::zone_index::ZoneIndex;
use crate::report::{self, DiagnoseReport, Format, Report, RunContext, ToolInfo};
use std::io::Write;
use std::path::Path;

pub fn run(
    args: &DiagnoseArgs,
    rules_dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    // A bundle that cannot be written is known before any DNS work or output: refuse now.
    if let Some(dir) = &args.evidence {
        crate::evidence::check_dir(dir).map_err(|e| Error::Input(format!("--evidence: {e}")))?;
    }
    let (input, extracted, unread) = read_inputs(&args.input, rules_dir, err)?;
    let target::Target {
        mut params,
        other_dkim,
        provenance,
        clues,
    } = target::target(args, &extracted, &input.bytes)?;
    let cfg = common::dns_config(&args.dns, None)?;
    let zone_paths = cfg.zones.clone();
    let rt = runtime()?;
    // Loading the rules is CPU work of about 20 ms and setting up the DNS (zone files, the
    // in-process server) can take as long: overlap them. Broken rules still end the run at
    // once (try_join stops at the first error). The reply is decoded before the checks run,
    // so a check the reply implicates runs even when it runs only on request (`applies`).
    let dir = rules_dir.map(Path::to_path_buf);
    let (rules, dns) = rt.block_on(async {
        let loading = async {
            tokio::task::spawn_blocking(move || load_rules(dir.as_deref()))
                .await
                .map_err(|e| Error::Rules(format!("rules: loading stopped: {e}")))?
        };
        tokio::try_join!(loading, common::dns(cfg))
    })?;
    let rules = std::sync::Arc::new(rules);
    let replies: Vec<_> = extracted
        .replies
        .iter()
        .map(|r| (r.clone(), rules.decode(r)))
        .collect();
    if let Some((_, d)) = plan::primary(&replies) {
        params.reply_checks = d.checks.clone();
        params.reply_rule = Some(d.rule.id.clone());
    }
    if rules_dir.is_some() {
        // DKIM discovery follows rules/selectors.toml as overridden by --rules DIR, as in check.
        params.dkim_catalogue = Some(std::sync::Arc::new(rules.dkim_catalogue()));
        params.rules = Some(rules.clone());
    }
    let (checked, offline_names, dns_label) = rt.block_on(async {
        let (mut checked, others) = tokio::join!(
            check_one(&dns, &params, None),
            futures::future::join_all(
                other_dkim
                    .iter()
                    .map(|(d, sels)| other_signature(&dns, d, sels))
            )
        );
        for other in others {
            merge_other_signature(&mut checked, other);
        }
        (checked, dns.offline_names(), dns.resolver_label())
    });
    let knowledge = Knowledge::new(&rules);
    let diagnose_input = DiagnoseInput {
        replies: &replies,
        report: &checked.report,
        params: &params,
        provenance: &provenance,
        queries: &checked.queries,
        clues: &clues,
    };
    let mut diagnosis = plan::diagnose(&diagnose_input, &knowledge);
    add_dns_context(&mut diagnosis, &args.dns);
    let tool = ToolInfo::this();
    // Only SARIF places findings in the zone files: the others need not read them again.
    let zones = if args.format == Format::Sarif {
        ZoneIndex::read(&zone_paths)
    } else {
        ZoneIndex::default()
    };
    let run = RunContext::new(&rules, zones, offline_names);
    let view = Report::Diagnose(DiagnoseReport {
        tool: &tool,
        form: extracted.form,
        input: &diagnose_input,
        diagnosis: &diagnosis,
        run: &run,
    });
    report::render(out, args.format, &view)?;
    if let Some(dir) = &args.evidence {
        let mut md = Vec::new();
        report::render(&mut md, Format::Markdown, &view)?;
        let mut json = Vec::new();
        report::render(&mut json, Format::Json, &view)?;
        let bundle = crate::evidence::BundleInput {
            report_md: String::from_utf8_lossy(&md).into_owned(),
            report_json: String::from_utf8_lossy(&json).into_owned(),
            queries: &checked.queries,
            input: &input.bytes,
            input_name: input.name.clone(),
            tool_version: tool.version.clone(),
            rules_version: crate::rules::version(),
        };
        let written = crate::evidence::write_bundle(dir, &bundle).map_err(|e| {
            Error::Input(format!(
                "cannot write the evidence bundle to {}: {e}",
                dir.display()
            ))
        })?;
        writeln!(
            err,
            "mailtriage: evidence bundle: {} file(s) in {} (resolver {dns_label})",
            written.len(),
            crate::report::escape::terminal(&dir.display().to_string())
        )?;
    }
    if unread > 0 {
        return Ok(crate::error::exit::USAGE);
    }
    let code = common::exit_code(&[&checked.report], args.fail_on);
    // A finding blamed for this very rejection fails the run even where the check rates it a
    // warning (a revoked key at the selector the message was signed with, a sender domain
    // without MX under "Domain not found"): the message failed because of it.
    let blamed = diagnosis
        .likely_causes
        .iter()
        .any(|c| c.finding_id.is_some());
    if code == crate::error::exit::OK && blamed && args.fail_on != crate::cli::FailOn::Never {
        return Ok(crate::error::exit::FINDINGS);
    }
    Ok(code)
}

/// Reads the inputs and their replies: one input as always (its problem ends the run); several
/// together (a file that cannot be read gets one stderr line, and the run goes on).
fn read_inputs(
    args: &[String],
    rules_dir: Option<&Path>,
    err: &mut dyn Write,
) -> Result<(input::Input, crate::reply::Extracted, usize)> {
    // The rules are loaded later, beside the DNS set-up: an input without any reply code (an
    // API's refusal) loads them here to read it, and is refused as before when they cannot.
    let api_refusal = |b: &[u8]| {
        common::load_rules_for(rules_dir, crate::rules::Tables::Reply)
            .ok()
            .and_then(|r| r.api_refusal(b))
    };
    let one = args.first().map(String::as_str);
    if args.len() <= 1 && one.is_none_or(|a| !Path::new(a).is_dir()) {
        let input = input::read(one)?;
        let extracted = explain::extract(&input, &api_refusal)?;
        return Ok((input, extracted, 0));
    }
    let (inputs, mut failed) = input::read_many(args);
    let mut combined: Option<crate::reply::Extracted> = None;
    let mut bytes = Vec::new();
    let mut names = Vec::new();
    for i in &inputs {
        match explain::extract(i, &api_refusal) {
            Ok(x) => {
                bytes.extend_from_slice(format!("==> {} <==\n", i.name).as_bytes());
                bytes.extend_from_slice(&i.bytes);
                bytes.push(b'\n');
                names.push(i.name.clone());
                match &mut combined {
                    None => combined = Some(x),
                    Some(c) => {
                        c.replies.extend(x.replies);
                        if c.original.is_none() {
                            c.original = x.original;
                        }
                    }
                }
            }
            Err(e) => failed.push((i.name.clone(), e.to_string())),
        }
    }
    input::report_unreadable(err, &failed)?;
    let extracted =
        combined.ok_or_else(|| Error::Input("none of the inputs could be read".into()))?;
    let input = input::Input {
        bytes,
        name: names.join(", "),
        truncated_from: None,
    };
    Ok((input, extracted, failed.len()))
}

/// Makes every verify command ask the same DNS this run asked: the same --zone files,
/// --offline and --nameserver, so it reproduces the answer the plan was built on.
fn add_dns_context(diagnosis: &mut plan::Diagnosis, dns: &crate::cli::DnsArgs) {
    let mut extra = String::new();
    for z in &dns.zone {
        extra.push_str(" --zone ");
        extra.push_str(&plan::shell_word(&z.to_string_lossy()));
    }
    if dns.offline {
        extra.push_str(" --offline");
    }
    for n in &dns.nameserver {
        extra.push_str(" --nameserver ");
        extra.push_str(&plan::shell_word(n));
    }
    if extra.is_empty() {
        return;
    }
    for step in &mut diagnosis.plan {
        if step.verify.starts_with("mailtriage ") {
            step.verify.push_str(&extra);
        }
    }
}

/// DKIM of a signature whose d= is not the checked domain's, looked up under that d=
/// (with only its own selectors kept, not the probes of common ones).
async fn other_signature(dns: &Dns, d: &str, selectors: &[String]) -> (Checked, Vec<String>) {
    let params = CheckParams {
        domain: d.to_string(),
        dkim_selectors: selectors.to_vec(),
        dkim_domain: Some(d.to_string()),
        only: vec![Check::Dkim],
        ..CheckParams::default()
    };
    let names = selectors
        .iter()
        .map(|s| format!("{s}._domainkey.{d}"))
        .collect();
    (check_one(dns, &params, None).await, names)
}

/// Adds the other signature's findings about its own selectors, and every query it asked.
fn merge_other_signature(main: &mut Checked, (other, names): (Checked, Vec<String>)) {
    main.report.findings.extend(
        other
            .report
            .findings
            .into_iter()
            .filter(|f| names.iter().any(|n| f.subject.eq_ignore_ascii_case(n))),
    );
    for q in other.queries {
        if !main.queries.iter().any(|m| m.id == q.id) {
            main.queries.push(q);
        }
    }
    main.queries.sort_by_key(|q| q.id);
}
