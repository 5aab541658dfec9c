//! `scan --diagnose`: runs `mailtriage diagnose` on each diagnosis that matters (its reply,
//! sending domain and IP, the run's DNS flags) and joins the likely causes into the summary.

use super::diagnose;
use crate::cli::{DiagnoseArgs, DnsArgs, FailOn, TargetArgs};
use crate::error::{Result, exit};
use crate::report::Format;
use crate::scan::summary::Summary;
use serde_json::Value;
use std::path::Path;

/// Fills `causes` of every target; returns `exit::DNS` when DNS could be consulted for none.
pub fn run(sum: &mut Summary, dns: &DnsArgs, rules_dir: Option<&Path>) -> Result<u8> {
    let mut ran = 0;
    let mut dns_failed = 0;
    for d in &mut sum.diagnoses {
        let Some(domain) = d.domain.clone() else {
            d.causes
                .push("not run: the log does not say which domain sent these messages".into());
            continue;
        };
        // The log's sender is the envelope (MAIL FROM): an ESP's return path is another
        // organisation's than the From the receiver judged. Given as the MAIL FROM, it leaves
        // the checked domain to the reply when the reply names the sending domain, and is
        // the domain checked otherwise. The log has its domain only: postmaster stands in
        // for the local part, which only an SPF %{l} macro reads.
        let args = DiagnoseArgs {
            input: vec![d.reply.clone()],
            domain: None,
            only: Vec::new(),
            target: TargetArgs {
                ip: d.ip,
                mail_from: Some(format!("postmaster@{domain}")),
                ..TargetArgs::default()
            },
            dns: dns.clone(),
            fail_on: FailOn::Never,
            format: Format::Json,
            evidence: None,
        };
        let (mut json, mut err) = (Vec::new(), Vec::new());
        ran += 1;
        match diagnose::run(&args, rules_dir, &mut json, &mut err) {
            Ok(code) => {
                let doc = serde_json::from_slice::<Value>(&json).ok();
                if code == exit::DNS && doc.as_ref().is_none_or(|v| conclusive(v) == 0) {
                    dns_failed += 1;
                }
                d.causes = causes(doc.as_ref(), code);
            }
            Err(e) => d.causes.push(format!("diagnose failed: {e}")),
        }
    }
    Ok(if ran > 0 && dns_failed == ran {
        exit::DNS
    } else {
        exit::OK
    })
}

/// How many findings of a `mailtriage.diagnose/v1` document the DNS did answer (neither
/// inconclusive nor left unasked by `--offline`).
fn conclusive(v: &Value) -> usize {
    findings(v)
        .filter(|f| f["inconclusive"] != true && f["not_checked"] != true)
        .count()
}

fn findings(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("findings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The likely causes of a `mailtriage.diagnose/v1` document, or why none was found.
fn causes(doc: Option<&Value>, code: u8) -> Vec<String> {
    let Some(v) = doc else {
        return vec!["diagnose printed no JSON".into()];
    };
    let mut out: Vec<String> = v
        .get("likely_causes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("reason").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if out.is_empty()
        && let Some(m) = v
            .get("no_cause_found")
            .and_then(|n| n.get("message"))
            .and_then(Value::as_str)
    {
        out.push(m.to_string());
    }
    // Run under --fail-on never, diagnose exits 3 for one inconclusive check as for all of
    // them: only a run the DNS answered nothing for is "could not be consulted".
    if code == exit::DNS && conclusive(v) == 0 {
        out.push("DNS could not be consulted: every check was inconclusive (timeouts or server failures)".into());
    } else if code == exit::DNS {
        let mut ids: Vec<&str> = findings(v)
            .filter(|f| f["inconclusive"] == true)
            .filter_map(|f| f["id"].as_str())
            .collect();
        ids.dedup();
        out.push(format!(
            "part of the DNS could not be consulted (inconclusive: {}); the causes above rest on what it did answer",
            ids.join(", ")
        ));
    }
    out
}
