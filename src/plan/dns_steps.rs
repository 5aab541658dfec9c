//! The DNS steps of the plan, one function per check, each computing exact records from the facts.

use super::RecordToPublish;
use super::draft::{Ctx, Draft, claim, leftover};
use super::records;
use crate::dns::RType;
use crate::finding::Check;

/// Every inconclusive finding, whatever its check: nothing else can be decided until DNS answers.
pub(super) fn inconclusive(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    // Names --offline skipped are listed as not checked, not as trouble to fix first.
    let implicated =
        super::implicated_checks(ctx.input.replies.first().map(|(_, d)| d), ctx.input.report);
    let holds_up = |f: &crate::finding::Finding| {
        crate::checks::entry(f.check).is_none_or(|e| e.trouble_holds_up_plan())
            || implicated.iter().any(|c| c == f.check.as_str())
    };
    let ids: Vec<&crate::finding::Finding> = ctx
        .input
        .report
        .findings
        .iter()
        .filter(|f| f.inconclusive && !super::not_looked_up(f, ctx.input.queries))
        .filter(|f| holds_up(f))
        .collect();
    if ids.is_empty() {
        return;
    }
    let mut d = Draft::new("dns-inconclusive", "dns");
    for f in ids {
        let c = f.check.as_str().to_string();
        if !d.checks.contains(&c) {
            d.checks.push(c);
        }
        d.findings.push(f.id.clone());
        d.details.push(format!("{}: {}", f.subject, f.message));
    }
    out.push(d);
}

pub(super) fn ptr(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    let findings = ctx.actionable(Check::Ptr);
    let facts = ctx.input.report.ptr.as_ref();
    let broken = facts.is_some_and(|p| p.ip.is_some() && p.fcrdns == Some(false));
    if findings.is_empty() && !broken {
        return;
    }
    let mut d = Draft::new("ptr-fcrdns", "ptr");
    d.findings = findings.iter().map(|f| f.id.clone()).collect();
    let ip = facts.and_then(|p| p.ip).or(ctx.input.params.ip);
    if let Some(ip) = ip {
        let helo = ctx
            .input
            .params
            .helo
            .as_deref()
            .or_else(|| facts.and_then(|p| p.helo.as_deref()));
        // No host name is proposed under a domain that does not exist.
        if helo.is_some() || !super::dmarc_steps::nothing_to_publish(ctx) {
            d.records = records::ptr_records(ctx.k, ip, &ctx.domain, helo);
        }
    }
    if let Some(p) = facts {
        for n in &p.names {
            let addrs: Vec<String> = n.addresses.iter().map(|a| a.to_string()).collect();
            d.details.push(format!(
                "PTR now: {} -> {} ({})",
                n.name,
                if addrs.is_empty() {
                    "no address".into()
                } else {
                    addrs.join(", ")
                },
                if n.confirms {
                    "confirms"
                } else {
                    "does not lead back to the IP"
                }
            ));
        }
        d.wait = p.ttl;
    }
    if d.wait.is_none()
        && let Some(ip) = ip
    {
        d.wait = ctx.negative_ttl(&records::reverse_name(ip), RType::PTR);
    }
    out.push(d);
}

pub(super) fn dkim(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    // The keys that matter for this mail are the signing domain's; the checked domain's own
    // missing key is an alignment matter when another domain signs.
    let report = ctx.input.report;
    let Some(facts) = report.dkim_signing.as_ref().or(report.dkim.as_ref()) else {
        return;
    };
    if ctx.inconclusive(Check::Dkim) || super::dmarc_steps::sends_no_mail(ctx) {
        return;
    }
    let mut pool = ctx.actionable(Check::Dkim);
    if report.dkim_signing.is_some()
        && let Some(own) = report.dkim.as_ref()
    {
        let own_ids = super::dmarc_steps::own_dkim_findings(ctx, &own.domain);
        pool.retain(|f| !own_ids.contains(&f.id));
    }
    // A key in testing mode is still a key: it needs t=y removed, not a first publication.
    let usable: Vec<_> = facts
        .selectors
        .iter()
        .filter(|s| s.status == "valid" || s.status == "testing")
        .collect();
    let missing_sel = ctx
        .input
        .params
        .dkim_selectors
        .iter()
        .find(|s| !facts.selectors.iter().any(|f| &f.selector == *s))
        .cloned();
    if usable.is_empty() || missing_sel.is_some() {
        let mut d = Draft::new("dkim-publish", "dkim");
        claim(
            &mut pool,
            &mut d,
            &["no-key", "selector-missing", "not-found"],
        );
        if usable.is_empty() || !d.findings.is_empty() {
            // Only a selector the user named (or found in the bounce) is worth verifying by
            // name; otherwise the check probes the common ones.
            d.selector = missing_sel.clone();
            let name = format!(
                "{}._domainkey.{}",
                missing_sel.as_deref().unwrap_or("<selector>"),
                facts.domain
            );
            if missing_sel.is_some() {
                d.wait = ctx.negative_ttl(&name, RType::TXT);
            }
            d.records.push(RecordToPublish {
                name,
                rtype: "TXT".into(),
                value: "v=DKIM1; k=rsa; p=<base64 public key from your signing service>".into(),
                note: ctx.k.message("note-dkim-publish"),
            });
            if !facts.probed.is_empty() {
                d.details
                    .push(format!("selectors probed: {}", facts.probed.join(", ")));
            }
            out.push(d);
        }
    }
    for s in usable.iter().filter(|s| s.status == "testing") {
        let mut d = Draft::new("dkim-remove-testing", "dkim");
        claim(&mut pool, &mut d, &["testing"]);
        d.selector = Some(s.selector.clone());
        if let Some(rec) = s.record.as_deref() {
            d.details
                .push(format!("published now: {}", abbreviate_key(rec)));
            d.records.push(RecordToPublish {
                name: format!("{}._domainkey.{}", s.selector, facts.domain),
                rtype: "TXT".into(),
                value: records::dkim_without_testing(rec),
                note: ctx.k.message("note-dkim-without-testing"),
            });
        }
        d.wait = s.ttl;
        out.push(d);
    }
    let weak: Vec<_> = usable
        .iter()
        .filter(|s| {
            s.key_type
                .as_deref()
                .unwrap_or("rsa")
                .eq_ignore_ascii_case("rsa")
                && s.bits.is_some_and(|b| b < 2048)
        })
        .collect();
    if let Some(first) = weak.first() {
        let mut d = Draft::new("dkim-rotate-key", "dkim");
        claim(
            &mut pool,
            &mut d,
            &["key-weak", "too-short", "1024", "short", "bits", "key-size"],
        );
        d.selector = Some(first.selector.clone());
        d.new_selector = Some(records::rotated_selector(&first.selector));
        for s in &weak {
            d.records.extend(records::dkim_rotation(
                ctx.k,
                &facts.domain,
                &s.selector,
                s.bits,
            ));
            d.details.push(format!(
                "selector {} has a {}-bit RSA key",
                s.selector,
                s.bits.unwrap_or_default()
            ));
        }
        d.details.push(format!(
            "order: 1. publish {new} with a 2048-bit key; 2. switch signing to {new}; 3. wait a few days; 4. revoke {old}",
            new = records::rotated_selector(&first.selector),
            old = first.selector
        ));
        d.wait = first.ttl;
        out.push(d);
    }
    let troubled: Vec<_> = facts
        .selectors
        .iter()
        .filter(|s| s.status != "valid" && s.status != "testing")
        .collect();
    if !troubled.is_empty() && !usable.is_empty() {
        let mut d = Draft::new("dkim-fix", "dkim");
        d.selector = troubled.first().map(|s| s.selector.clone());
        d.details = troubled
            .iter()
            .map(|s| format!("selector {}: {}", s.selector, s.status))
            .collect();
        claim(&mut pool, &mut d, &["revoked", "syntax", "invalid"]);
        d.wait = troubled.first().and_then(|s| s.ttl);
        out.push(d);
    }
    leftover(out, pool, "dkim-fix", "dkim", None);
}

/// A DKIM record with its long `p=` cut, for a detail line.
fn abbreviate_key(record: &str) -> String {
    record
        .split(';')
        .map(|t| {
            let t = t.trim();
            match t.split_once('=') {
                Some((k, v)) if k.trim() == "p" && v.len() > 24 => {
                    format!(
                        "p={}...",
                        &v[..v.char_indices().nth(20).map_or(v.len(), |(i, _)| i)]
                    )
                }
                _ => t.to_string(),
            }
        })
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn mx(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    if ctx.inconclusive(Check::Mx) || super::dmarc_steps::nothing_to_publish(ctx) {
        return;
    }
    let pool = ctx.actionable(Check::Mx);
    leftover(
        out,
        pool,
        "mx-fix",
        "mx",
        ctx.input.report.mx.as_ref().and_then(|m| m.ttl),
    );
}

/// Checks with no step builder of their own (any registered after the five above): their
/// actionable findings go to the step their registry entry names.
pub(super) fn other_checks(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    const BUILT: [Check; 5] = [Check::Spf, Check::Dkim, Check::Dmarc, Check::Ptr, Check::Mx];
    for entry in crate::checks::REGISTRY.iter() {
        let check = entry.check();
        // Their findings are independent answers (one list timing out does not make another's
        // listing doubtful): the conclusive ones are acted on whatever else failed.
        if BUILT.contains(&check) {
            continue;
        }
        let pool = ctx.actionable(check);
        leftover(out, pool, entry.fix_step(), check.as_str(), None);
    }
}
