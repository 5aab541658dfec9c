//! The DMARC steps: publish at p=none with reports, align, then stage quarantine and reject.

use super::RecordToPublish;
use super::draft::{Ctx, Draft, claim};
use super::records;
use crate::dns::RType;
use crate::finding::Check;

/// Quarantine first for a quarter of failing mail: mistakes hurt less while reports confirm.
const FIRST_QUARANTINE_PCT: u8 = 25;

fn record_name(record_domain: Option<&str>, domain: &str) -> String {
    match record_domain {
        Some(r) if r.starts_with("_dmarc.") => r.to_string(),
        Some(r) if !r.is_empty() => format!("_dmarc.{r}"),
        _ => format!("_dmarc.{domain}"),
    }
}

/// The DKIM findings about `domain`'s own keys when another domain signed the mail (the plan's
/// DKIM steps then follow the signing domain's keys).
pub(in crate::plan) fn own_dkim_findings(ctx: &Ctx<'_>, domain: &str) -> Vec<String> {
    let report = ctx.input.report;
    let signing = report
        .dkim_signing
        .as_ref()
        .filter(|s| !s.domain.eq_ignore_ascii_case(domain));
    if signing.is_none() {
        return Vec::new();
    }
    let own = format!("._domainkey.{}", domain.to_ascii_lowercase());
    ctx.actionable(Check::Dkim)
        .into_iter()
        .filter(|f| {
            let s = f.subject.to_ascii_lowercase();
            s == domain.to_ascii_lowercase() || s.ends_with(&own)
        })
        .map(|f| f.id.clone())
        .collect()
}

pub(in crate::plan) fn dmarc(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    // The policy that judged the message is the From domain's.
    let report = ctx.input.report;
    let Some(facts) = report.dmarc_from.as_ref().or(report.dmarc.as_ref()) else {
        return;
    };
    if ctx.inconclusive(Check::Dmarc) {
        return;
    }
    let mut pool = ctx.actionable(Check::Dmarc);
    let domain = facts.domain.clone();
    let name = record_name(facts.record_domain.as_deref(), &domain);
    let mut current: Option<String> = facts.record.clone();
    let wait = facts.ttl;
    match facts.record.as_deref() {
        None => {
            let mut d = Draft::new("dmarc-publish", "dmarc");
            claim(
                &mut pool,
                &mut d,
                &["missing", "no-record", "absent", "not-found"],
            );
            let value = records::dmarc_monitor(&domain, None);
            d.records.push(RecordToPublish {
                name: format!("_dmarc.{domain}"),
                rtype: "TXT".into(),
                value: value.clone(),
                note: ctx
                    .k
                    .message_with("note-dmarc-publish", &[("domain", &domain)]),
            });
            current = Some(value);
            // No record: resolvers cache the absence for the SOA minimum (RFC 2308).
            d.wait = wait.or_else(|| ctx.negative_ttl(&format!("_dmarc.{domain}"), RType::TXT));
            out.push(d);
        }
        Some(rec) if facts.rua.is_empty() => {
            let mut d = Draft::new("dmarc-add-rua", "dmarc");
            claim(&mut pool, &mut d, &["rua", "report"]);
            let value = records::dmarc_monitor(&domain, Some(rec));
            d.details.push(format!("published now at {name}: {rec}"));
            d.records.push(RecordToPublish {
                name: name.clone(),
                rtype: "TXT".into(),
                value: value.clone(),
                note: ctx.k.message("note-dmarc-add-rua"),
            });
            current = Some(value);
            d.wait = wait;
            out.push(d);
        }
        Some(_) => {}
    }

    let misaligned = facts.alignment.as_ref().is_some_and(|a| {
        a.spf_aligned != Some(true)
            && a.dkim_aligned != Some(true)
            && (a.spf_aligned == Some(false) || a.dkim_aligned == Some(false))
    });
    let mut align = Draft::new("dmarc-alignment", "dmarc");
    claim(&mut pool, &mut align, &["align"]);
    if misaligned {
        // Mail signed with another domain's key: the From domain's own missing DKIM key is
        // part of aligning, not a separate step.
        align.findings.extend(own_dkim_findings(ctx, &facts.domain));
    }
    if misaligned || !align.findings.is_empty() {
        if let Some(a) = facts.alignment.as_ref() {
            align.details.push(format!(
                "From: {}; SPF domain: {} ({}); DKIM domain: {} ({})",
                a.from_domain,
                a.spf_domain.as_deref().unwrap_or("unknown"),
                aligned_word(a.spf_aligned),
                a.dkim_domain.as_deref().unwrap_or("unknown"),
                aligned_word(a.dkim_aligned),
            ));
        }
        if let Some(a) = facts.alignment.as_ref() {
            let selector = ctx.input.params.dkim_selectors.first().map(String::as_str);
            align.records = records::alignment_records(
                ctx.k,
                &a.from_domain,
                a.spf_domain
                    .as_deref()
                    .filter(|_| a.spf_aligned == Some(false)),
                a.dkim_domain
                    .as_deref()
                    .filter(|_| a.dkim_aligned == Some(false)),
                selector,
            );
        }
        align.checks = vec!["dmarc".into(), "spf".into(), "dkim".into()];
        out.push(align);
    }

    let policy = if facts.record.is_none() {
        "none".to_string()
    } else {
        facts.policy.clone().unwrap_or_else(|| "none".into())
    };
    let pct = facts.pct.unwrap_or(100);
    let mut stage_q = Draft::new("dmarc-quarantine", "dmarc");
    claim(
        &mut pool,
        &mut stage_q,
        &["policy-none", "p-none", "monitor", "pct"],
    );
    // Anything else about the record is fixed before the policy is tightened.
    if !pool.is_empty() {
        let mut d = Draft::new("dmarc-fix", "dmarc");
        d.findings = pool.iter().map(|f| f.id.clone()).collect();
        d.details = pool.iter().map(|f| f.message.clone()).collect();
        d.wait = wait;
        out.push(d);
    }
    let base = current.as_deref();
    let quarantine_needed = policy.eq_ignore_ascii_case("none")
        || (policy.eq_ignore_ascii_case("quarantine") && pct < 100);
    if quarantine_needed {
        if policy.eq_ignore_ascii_case("none") {
            stage_q.records.push(RecordToPublish {
                name: name.clone(),
                rtype: "TXT".into(),
                value: records::dmarc_stage(
                    &domain,
                    base,
                    "quarantine",
                    Some(FIRST_QUARANTINE_PCT),
                ),
                note: ctx.k.message_with(
                    "note-dmarc-quarantine-first",
                    &[("pct", &FIRST_QUARANTINE_PCT.to_string())],
                ),
            });
        }
        stage_q.records.push(RecordToPublish {
            name: name.clone(),
            rtype: "TXT".into(),
            value: records::dmarc_stage(&domain, base, "quarantine", None),
            note: ctx.k.message("note-dmarc-quarantine-all"),
        });
        // The stage replaces the record published now, which caches may keep for its TTL (with
        // no record yet, the one to replace is the p=none record of the first step: its TTL
        // is not known yet).
        stage_q.wait = facts.record.as_ref().and(wait);
        out.push(stage_q);
    }
    if !policy.eq_ignore_ascii_case("reject") {
        let mut d = Draft::new("dmarc-reject", "dmarc");
        d.records.push(RecordToPublish {
            name,
            rtype: "TXT".into(),
            value: records::dmarc_stage(&domain, base, "reject", None),
            note: ctx.k.message("note-dmarc-reject"),
        });
        d.wait = facts.record.as_ref().and(wait);
        out.push(d);
    }
}

fn aligned_word(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "aligned",
        Some(false) => "not aligned",
        None => "not evaluated",
    }
}
