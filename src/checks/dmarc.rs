//! DMARC check: the policy record (own or inherited), its values, report authorisation, alignment.

use crate::checks::dmarc_record::{self, DmarcRecord, mailto_domain, strength};
use crate::checks::types::{Alignment, CheckParams, DmarcFacts, Status};
use crate::checks::{domain_of, normalise, org_domain};
use crate::dns::{Answer, Dns, RType};
use crate::finding::{Check, Finding, Severity, finding};
use futures::future::join_all;
use std::sync::Arc;

/// Report destinations whose authorisation is checked; a hostile record may list many.
const MAX_DESTINATIONS: usize = 20;

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Dmarc, sev, subject, msg)
}

fn failed(subject: &str, a: &Answer) -> Finding {
    f(
        "dmarc-lookup-failed",
        Severity::Warning,
        subject,
        format!(
            "The DMARC (TXT) lookup for {subject} failed ({}); DMARC could not be checked.",
            crate::checks::spf::tree::outcome_text(&a.outcome)
        ),
    )
    .with_queries([a.id])
    .inconclusive()
}

fn dmarc_records(a: &Answer) -> Vec<String> {
    a.txt_strings()
        .into_iter()
        .filter(|t| dmarc_record::is_dmarc(t))
        .collect()
}

/// Checks the DMARC policy of `domain`; with `from`, `domain` is the From domain and SPF and
/// DKIM alignment with it are judged too.
pub async fn check(
    dns: &Dns,
    params: &CheckParams,
    domain: &str,
    from: bool,
) -> (DmarcFacts, Vec<Finding>) {
    let domain = normalise(domain);
    let org = org_domain(&domain);
    let mut facts = DmarcFacts {
        domain: domain.clone(),
        status: Status::Complete,
        record: None,
        record_domain: None,
        organizational_domain: org.clone(),
        inherited: false,
        policy: None,
        sp: None,
        np: None,
        pct: None,
        adkim: None,
        aspf: None,
        rua: Vec::new(),
        ruf: Vec::new(),
        alignment: None,
        ttl: None,
    };
    let mut out = Vec::new();
    let own_name = format!("_dmarc.{domain}");
    let own = dns.query(&own_name, RType::TXT).await;
    let mut answer: Arc<Answer> = own.clone();
    let mut q = vec![own.id];
    if own.outcome.is_trouble() {
        facts.status = Status::Inconclusive;
        out.push(failed(&own_name, &own));
        return (facts, out);
    }
    if dmarc_records(&own).is_empty() && org != domain {
        let org_a = dns.query(&format!("_dmarc.{org}"), RType::TXT).await;
        q.push(org_a.id);
        if org_a.outcome.is_trouble() {
            facts.status = Status::Inconclusive;
            out.push(failed(&org_a.name, &org_a));
            return (facts, out);
        }
        if !dmarc_records(&org_a).is_empty() {
            facts.inherited = true;
            answer = org_a;
        }
    }
    let records = dmarc_records(&answer);
    let policy_domain = if facts.inherited {
        org.clone()
    } else {
        domain.clone()
    };
    if from {
        alignment(
            params,
            &domain,
            &mut facts,
            &mut out,
            records.first().map(|r| dmarc_record::parse(r)),
            &q,
        );
    }
    let Some(text) = records.first() else {
        out.push(f("dmarc-missing", Severity::Error, &own_name, format!("{domain} has no DMARC record (at {own_name}{}): receivers such as Gmail and Yahoo require one from bulk senders.", if org != domain { format!(" or _dmarc.{org}") } else { String::new() })).with_queries(q));
        return (facts, out);
    };
    let subject = answer.name.clone();
    let mut push = |id: &str, sev, msg: String| {
        let mut fd = f(id, sev, &subject, msg).with_queries(q.clone());
        fd.location = answer.location.clone();
        out.push(fd);
    };
    facts.record = Some(text.clone());
    facts.record_domain = Some(answer.name.clone());
    facts.ttl = answer.ttl;
    if facts.inherited {
        push(
            "dmarc-inherited",
            Severity::Info,
            format!(
                "{domain} has no DMARC record of its own; the policy of its organizational domain {org} applies (`sp=` if set, else `p=`)."
            ),
        );
    }
    if records.len() > 1 {
        push(
            "dmarc-multiple-records",
            Severity::Error,
            format!(
                "{subject} has {} DMARC records; receivers then apply no DMARC policy at all (RFC 7489 section 6.6.3). Keep one.",
                records.len()
            ),
        );
    }
    let rec = dmarc_record::parse(text);
    let tag = |k: &str| rec.tags.get(k).cloned();
    let p_tag = tag("p");
    facts.sp = tag("sp");
    facts.policy = effective_policy(
        records.len(),
        p_tag.as_deref(),
        facts.sp.as_deref(),
        facts.inherited,
    );
    facts.np = tag("np");
    facts.pct = tag("pct").and_then(|p| p.parse().ok());
    facts.adkim = tag("adkim");
    facts.aspf = tag("aspf");
    facts.rua = rec.rua.clone();
    facts.ruf = rec.ruf.clone();
    if !rec.errors.is_empty() {
        push(
            "dmarc-syntax-error",
            Severity::Error,
            format!(
                "The DMARC record at {subject} has errors: {}.",
                rec.errors.join("; ")
            ),
        );
    }
    if !rec.unknown.is_empty() {
        push(
            "dmarc-unknown-tag",
            Severity::Warning,
            format!(
                "The DMARC record at {subject} has tags DMARC does not define, which receivers ignore: {}.",
                rec.unknown.join(", ")
            ),
        );
    }
    // An inherited record applies its `sp=` to the subdomain (RFC 7489 section 6.3): `p=none`
    // there says nothing about this domain when `sp=` is stronger.
    let applied_none = if facts.inherited {
        facts
            .policy
            .as_deref()
            .or(p_tag.as_deref())
            .is_some_and(|v| v.eq_ignore_ascii_case("none"))
    } else {
        p_tag
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case("none"))
    };
    if p_tag.is_none() {
        push(
            "dmarc-missing-policy",
            Severity::Error,
            format!(
                "The DMARC record at {subject} has no `p=` tag; it must follow `v=DMARC1` directly."
            ),
        );
    } else if applied_none {
        let which = if facts.inherited && facts.sp.is_some() {
            format!("`sp=none` (the subdomain policy of {org})")
        } else {
            "`p=none`".to_string()
        };
        push(
            "dmarc-policy-none",
            Severity::Warning,
            format!(
                "The DMARC policy applied to {domain} is {which}: spoofed mail is still delivered. Once reports show your mail aligns, move to quarantine, then reject."
            ),
        );
    }
    if let Some(pct) = facts.pct.filter(|p| *p < 100) {
        push(
            "dmarc-pct-below-100",
            Severity::Warning,
            format!(
                "The DMARC record at {subject} has `pct={pct}`: the policy applies to only {pct}% of failing mail."
            ),
        );
    }
    let p = strength(p_tag.as_deref().unwrap_or("none"));
    for (t, v) in [("sp", &facts.sp), ("np", &facts.np)] {
        if let Some(v) = v
            && strength(v) < p
        {
            push(
                "dmarc-subdomain-policy-weaker",
                Severity::Warning,
                format!(
                    "The DMARC record at {subject} sets `{t}={v}`, weaker than `p`: spoofers can use subdomains of {policy_domain}."
                ),
            );
        }
    }
    if rec.rua.is_empty() {
        push(
            "dmarc-no-rua",
            Severity::Warning,
            format!(
                "The DMARC record at {subject} has no `rua=`: you receive no aggregate reports, so you are blind to who sends as {policy_domain} and whether it passes."
            ),
        );
    }
    out.extend(report_authorisation(dns, &policy_domain, &rec, &answer).await);
    (facts, out)
}

/// The policy receivers apply to mail from the checked domain (RFC 7489 section 6.6.3): none when
/// there are several records or `p`/`sp` is not a valid value; `sp` when inherited and set.
fn effective_policy(
    records: usize,
    p: Option<&str>,
    sp: Option<&str>,
    inherited: bool,
) -> Option<String> {
    let valid = |v: &str| matches!(v, "none" | "quarantine" | "reject");
    let p = p.map(str::to_ascii_lowercase)?;
    let sp = sp.map(str::to_ascii_lowercase);
    if records != 1 || !valid(&p) || sp.as_deref().is_some_and(|v| !valid(v)) {
        return None;
    }
    match sp {
        Some(sp) if inherited => Some(sp),
        _ => Some(p),
    }
}

/// RFC 7489 section 7.1: a destination outside the policy's organizational domain must publish
/// `<policy domain>._report._dmarc.<destination>` with `v=DMARC1`, else reports are not sent.
async fn report_authorisation(
    dns: &Dns,
    policy_domain: &str,
    rec: &DmarcRecord,
    answer: &Answer,
) -> Vec<Finding> {
    let org = org_domain(policy_domain);
    let mut dests: Vec<(String, &str)> = Vec::new();
    for (kind, uris) in [("rua", &rec.rua), ("ruf", &rec.ruf)] {
        for u in uris {
            if let Some(d) = mailto_domain(u)
                && org_domain(&d) != org
                && !dests.iter().any(|(x, k)| *x == d && *k == kind)
            {
                dests.push((d, kind));
            }
        }
    }
    dests.truncate(MAX_DESTINATIONS);
    let answers = join_all(dests.iter().map(|(d, _)| {
        let name = format!("{policy_domain}._report._dmarc.{d}");
        async move { dns.query(&name, RType::TXT).await }
    }))
    .await;
    let mut out = Vec::new();
    for ((d, kind), a) in dests.iter().zip(answers) {
        if a.outcome.is_trouble() {
            out.push(failed(&a.name, &a));
        } else if dmarc_records(&a).is_empty()
            && !a.txt_strings().iter().any(|t| t.starts_with("v=DMARC1"))
        {
            let sev = if *kind == "rua" {
                Severity::Warning
            } else {
                Severity::Info
            };
            out.push(f("dmarc-report-destination-unauthorised", sev, &a.name, format!("The {kind} destination {d} is outside {org} and does not publish `{}` TXT \"v=DMARC1\": receivers drop those reports (RFC 7489 section 7.1).", a.name)).with_queries([answer.id, a.id]));
        }
    }
    out
}

fn aligned(a: &str, b: &str, strict: bool) -> bool {
    if strict {
        a == b
    } else {
        org_domain(a) == org_domain(b)
    }
}

fn alignment(
    params: &CheckParams,
    from: &str,
    facts: &mut DmarcFacts,
    out: &mut Vec<Finding>,
    rec: Option<DmarcRecord>,
    queries: &[usize],
) {
    let spf_domain = params
        .mail_from
        .as_deref()
        .map(domain_of)
        .filter(|d| !d.is_empty());
    let dkim_domain = params
        .dkim_domain
        .as_deref()
        .map(normalise)
        .filter(|d| !d.is_empty());
    if params.from.is_none() || (spf_domain.is_none() && dkim_domain.is_none()) {
        return;
    }
    let tag = |k: &str| {
        rec.as_ref()
            .and_then(|r| r.tags.get(k).cloned())
            .unwrap_or_else(|| "r".to_string())
    };
    let (aspf, adkim) = (tag("aspf"), tag("adkim"));
    let mode = |m: &str| if m == "s" { "strict" } else { "relaxed" };
    let spf_aligned = spf_domain.as_deref().map(|d| aligned(d, from, aspf == "s"));
    let dkim_aligned = dkim_domain
        .as_deref()
        .map(|d| aligned(d, from, adkim == "s"));
    if let (Some(d), Some(false)) = (&spf_domain, spf_aligned) {
        out.push(f("dmarc-spf-not-aligned", Severity::Warning, from, format!("The MAIL FROM domain {d} does not align with the From domain {from} ({} SPF alignment): an SPF pass does not count for DMARC.", mode(&aspf))).with_queries(queries.iter().copied()));
    }
    if let (Some(d), Some(false)) = (&dkim_domain, dkim_aligned) {
        out.push(f("dmarc-dkim-not-aligned", Severity::Warning, from, format!("The DKIM signing domain d={d} does not align with the From domain {from} ({} DKIM alignment): a DKIM pass does not count for DMARC.", mode(&adkim))).with_queries(queries.iter().copied()));
    }
    if spf_aligned == Some(false) && dkim_aligned == Some(false) {
        out.push(f("dmarc-not-aligned", Severity::Error, from, format!("Neither SPF nor DKIM aligns with the From domain {from}: DMARC fails even when both pass. Sign with d={from} (or a subdomain) or use a MAIL FROM domain under {}.", org_domain(from))).with_queries(queries.iter().copied()));
    }
    facts.alignment = Some(Alignment {
        from_domain: from.to_string(),
        spf_domain,
        spf_aligned,
        dkim_domain,
        dkim_aligned,
        aspf: mode(&aspf).to_string(),
        adkim: mode(&adkim).to_string(),
    });
}
