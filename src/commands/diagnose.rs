//! `mailtriage diagnose`: decode the rejection, check the DNS it points at, plan the fix.

use super::check::check_one;
use super::{common, explain, input, load_rules, runtime, validate};
use crate::checks::CheckParams;
use crate::cli::{DiagnoseArgs, DiagnoseFormat};
use crate::error::{Error, Result};
use crate::plan::{self, DiagnoseInput, Knowledge, Provenance};
use crate::reply::{Extracted, OriginalHeaders};
use crate::report::{self, DiagnoseReport, ToolInfo};
use std::io::Write;
use std::path::Path;

pub fn run(
    args: &DiagnoseArgs,
    rules_dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let input = input::read(Some(&args.input))?;
    let extracted = explain::extract(&input)?;
    let (params, provenance) = target(args, &extracted)?;
    let cfg = common::dns_config(&args.dns, None)?;
    let rt = runtime()?;
    // Loading the rules is CPU work of about 20 ms and the checks wait on the DNS: overlap
    // them. Broken rules still end the run at once (try_join stops at the first error).
    let dir = rules_dir.map(Path::to_path_buf);
    let (rules, (checked, offline_names, dns_label)) = rt.block_on(async {
        let loading = async {
            tokio::task::spawn_blocking(move || load_rules(dir.as_deref()))
                .await
                .map_err(|e| Error::Rules(format!("rules: loading stopped: {e}")))?
        };
        let checking = async {
            let dns = common::dns(cfg).await?;
            let checked = check_one(&dns, &params, None).await;
            Ok::<_, Error>((checked, dns.offline_names(), dns.resolver_label()))
        };
        tokio::try_join!(loading, checking)
    })?;
    let knowledge = knowledge(&rules)?;
    let replies: Vec<_> = extracted
        .replies
        .iter()
        .map(|r| (r.clone(), rules.decode(r)))
        .collect();
    let diagnose_input = DiagnoseInput {
        replies: &replies,
        report: &checked.report,
        params: &params,
        provenance: &provenance,
        queries: &checked.queries,
    };
    let mut diagnosis = plan::diagnose(&diagnose_input, &knowledge);
    add_dns_context(&mut diagnosis, &args.dns);
    let tool = ToolInfo::this();
    let view = DiagnoseReport {
        tool: &tool,
        form: extracted.form,
        input: &diagnose_input,
        diagnosis: &diagnosis,
    };
    match args.format {
        DiagnoseFormat::Human => {
            report::diagnose_human::render(out, &view)?;
            if !offline_names.is_empty() {
                let names = offline_names.join(", ");
                writeln!(
                    out,
                    "\n--offline: not looked up (checks that needed them are inconclusive): {names}"
                )?;
            }
        }
        DiagnoseFormat::Json => report::diagnose_json::render(out, &view)?,
        DiagnoseFormat::Markdown => report::markdown::render(out, &view)?,
        DiagnoseFormat::Sarif => {
            let lookup = |id: &str| rules.finding(id).map(|f| (f.title.clone(), f.fix.clone()));
            report::sarif::render(out, &tool, &[&checked.report], &lookup)?;
        }
    }
    if let Some(dir) = &args.evidence {
        let mut md = Vec::new();
        report::markdown::render(&mut md, &view)?;
        let mut json = Vec::new();
        report::diagnose_json::render(&mut json, &view)?;
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
            dir.display()
        )?;
    }
    Ok(common::exit_code(&[&checked.report], args.fail_on))
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

/// The plan and escalation texts, from the loaded rules (so `--rules DIR` can override them).
fn knowledge(rules: &crate::rules::RuleSet) -> Result<Knowledge> {
    let t = rules.plan_tables();
    Knowledge::from_tables(
        &t.plan_steps,
        &t.no_cause_reasons,
        &t.messages,
        &t.escalations,
    )
    .map_err(|e| Error::Rules(format!("rules: {e}")))
}

/// What to check, from the flags first and then from the bounce, remembering where each
/// value came from.
fn target(args: &DiagnoseArgs, extracted: &Extracted) -> Result<(CheckParams, Vec<Provenance>)> {
    let empty = OriginalHeaders::default();
    let orig = extracted.original.as_ref().unwrap_or(&empty);
    let mut prov = Vec::new();
    let mut note = |field: &str, value: &str, source: &str| {
        prov.push(Provenance {
            field: field.into(),
            value: value.into(),
            source: source.into(),
        })
    };
    let mut t = args.target.clone();
    let from_hdr = orig.from.as_deref().and_then(address_in);
    let rp_hdr = orig.return_path.as_deref().and_then(address_in);
    let domain = match &args.domain {
        Some(d) => {
            note("domain", d, "flag --domain");
            d.clone()
        }
        None => {
            let found = from_hdr
                .as_deref()
                .map(|a| {
                    (
                        validate::domain_of(a).to_string(),
                        "bounce: From header of the original message",
                    )
                })
                .or_else(|| {
                    rp_hdr.as_deref().map(|a| {
                        (
                            validate::domain_of(a).to_string(),
                            "bounce: Return-Path of the original message",
                        )
                    })
                });
            let Some((d, source)) = found else {
                return Err(Error::Input(
                    "which domain sent the message? pass --domain (the input carries no original From or Return-Path)".into(),
                ));
            };
            note("domain", &d, source);
            d
        }
    };
    fill(
        &mut t.from,
        from_hdr,
        "from",
        "bounce: From header",
        &mut note,
    );
    fill(
        &mut t.mail_from,
        rp_hdr,
        "mail_from",
        "bounce: Return-Path header",
        &mut note,
    );
    fill(
        &mut t.helo,
        orig.helo.clone(),
        "helo",
        "bounce: Received header",
        &mut note,
    );
    if t.ip.is_none() {
        if let Some(ip) = orig.sending_ip {
            note(
                "ip",
                &ip.to_string(),
                "bounce: Received header the receiver added",
            );
            t.ip = Some(ip);
        }
    } else if let Some(ip) = t.ip {
        note("ip", &ip.to_string(), "flag --ip");
    }
    if t.dkim_selector.is_empty() {
        for (d, s) in &orig.dkim {
            if !s.is_empty() {
                note("dkim_selector", s, "bounce: DKIM-Signature s=");
                t.dkim_selector.push(s.clone());
            }
            if t.dkim_domain.is_none() && !d.is_empty() {
                note("dkim_domain", d, "bounce: DKIM-Signature d=");
                t.dkim_domain = Some(d.clone());
            }
        }
    } else {
        for s in &t.dkim_selector {
            note("dkim_selector", s, "flag --dkim-selector");
        }
    }
    for ar in &orig.authentication_results {
        note(
            "authentication_results",
            ar,
            "bounce: Authentication-Results header of the original message",
        );
    }
    let only = common::only(&args.only)?;
    let params = common::params(&domain, &t, only)?;
    Ok((params, prov))
}

/// Keeps the flag's value when given (and says so), else takes the bounce's.
fn fill(
    slot: &mut Option<String>,
    found: Option<String>,
    field: &str,
    source: &str,
    note: &mut impl FnMut(&str, &str, &str),
) {
    match (slot.as_deref(), found) {
        (Some(v), _) => note(field, v, &format!("flag --{}", field.replace('_', "-"))),
        (None, Some(v)) => {
            note(field, &v, source);
            *slot = Some(v);
        }
        (None, None) => {}
    }
}

/// The address inside a header value such as `News <news@example.com>`.
fn address_in(value: &str) -> Option<String> {
    let v = value.trim();
    let inner = match (v.rfind('<'), v.rfind('>')) {
        (Some(a), Some(b)) if b > a => &v[a + 1..b],
        _ => v,
    };
    let inner = inner.trim();
    (inner.contains('@') && !inner.contains(char::is_whitespace)).then(|| inner.to_string())
}
