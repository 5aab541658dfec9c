//! DMARC check by RFC 9989: policy discovery and organizational domains by DNS tree walk, the
//! applied record's values, report authorisation, alignment; the RFC 7489 (Public Suffix List)
//! answer beside it, and a finding where the two make receivers disagree.

mod align;
pub mod discovery;
mod record_findings;
mod report_auth;
pub mod treewalk;

use crate::checks::dmarc_record::{self, strength};
use crate::checks::types::{
    Alignment, CheckParams, DmarcFacts, LegacyAlignment, LegacyDmarc, Status, TreeWalkStep,
};
use crate::checks::{domain_of, normalise, org_domain as psl_org};
use crate::dns::{Answer, Dns, Outcome, RType};
use crate::finding::{Check, Finding, Severity, finding};
use discovery::{Discovery, Legacy};
use record_findings::At;
use std::sync::Arc;
use treewalk::{OrgDomain, TreeWalk};

/// The standard the facts' verdicts follow.
pub const STANDARD: &str = "RFC 9989";

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Dmarc, sev, subject, msg)
}

fn failed(a: &Answer, what: &str) -> Finding {
    f(
        "dmarc-lookup-failed",
        Severity::Warning,
        &a.name,
        format!(
            "The DMARC (TXT) lookup for {} failed ({}); {what}",
            a.name,
            crate::checks::spf::tree::outcome_text(&a.outcome)
        ),
    )
    .with_queries([a.id])
    .inconclusive()
}

/// Whether `domain` exists (RFC 8020: NXDOMAIN for any type means no): None when DNS trouble
/// kept it from being known.
async fn exists(dns: &Dns, domain: &str) -> (Option<bool>, Arc<Answer>) {
    let a = dns.query(domain, RType::MX).await;
    let e = match a.outcome {
        Outcome::NxDomain => Some(false),
        Outcome::Answer | Outcome::NoData => Some(true),
        _ => None,
    };
    (e, a)
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
    let walk = treewalk::walk(dns, &domain).await;
    let org = walk.org_domain();
    let mut out = Vec::new();
    let mut disc = discovery::discover(&walk, &org, None);
    let mut domain_exists = None;
    let mut extra_q = Vec::new();
    if disc.needs_existence {
        let (e, a) = exists(dns, &domain).await;
        extra_q.push(a.id);
        domain_exists = e;
        if e.is_none() {
            out.push(failed(&a, "whether the domain exists decides between `sp` and `np`, so the policy applied to it is unknown."));
        }
        disc = discovery::discover(&walk, &org, e);
    }
    let legacy = legacy_view(dns, &domain, &walk).await;
    let mut facts = facts(&domain, &walk, &org, &disc, &legacy, domain_exists);
    out.extend(walk_findings(&walk, &disc, &domain));
    if walk.inconclusive() || disc.needs_existence {
        facts.status = Status::Inconclusive;
    }
    let policy_answer = disc
        .level
        .and_then(|i| walk.levels.get(i))
        .and_then(|l| l.answer.clone());
    let mut q: Vec<usize> = walk
        .used()
        .iter()
        .filter_map(|l| l.answer.as_ref().map(|a| a.id))
        .collect();
    q.extend(extra_q);
    if let Some(rec) = disc.record.as_ref() {
        let subject = policy_answer
            .as_ref()
            .map_or_else(|| format!("_dmarc.{domain}"), |a| a.name.clone());
        let policy_domain = subject.trim_start_matches("_dmarc.").to_string();
        let at = At {
            subject: &subject,
            answer: policy_answer.as_deref(),
            queries: &q,
        };
        if disc.inherited {
            out.push(at.f("dmarc-inherited", Severity::Info, format!("{domain} has no DMARC record of its own; the RFC 9989 tree walk finds the record of {policy_domain}, whose `{}` applies.", disc.source.as_deref().unwrap_or("p"))));
        }
        out.extend(record_findings::for_record(
            &at,
            rec,
            &disc,
            &domain,
            &policy_domain,
        ));
        out.extend(
            report_auth::check(
                dns,
                &policy_domain,
                &org.domain,
                rec,
                policy_answer.as_deref(),
            )
            .await,
        );
    }
    out.extend(disagreement(&domain, &facts, &legacy, &q));
    if from {
        let (al, found) = alignment(dns, params, &domain, &org, disc.record.as_ref(), &q).await;
        if found.iter().any(|f| f.inconclusive) {
            facts.status = Status::Inconclusive;
        }
        out.extend(found);
        facts.alignment = al;
    }
    (facts, out)
}

fn facts(
    domain: &str,
    walk: &TreeWalk,
    org: &OrgDomain,
    d: &Discovery,
    legacy: &Legacy,
    domain_exists: Option<bool>,
) -> DmarcFacts {
    let level = d.level.and_then(|i| walk.levels.get(i));
    let rec = d.record.as_ref();
    let tag = |k: &str| rec.and_then(|r| r.tag(k)).map(str::to_string);
    let stop = walk.stop();
    DmarcFacts {
        domain: domain.to_string(),
        status: Status::Complete,
        standard: STANDARD.to_string(),
        record: level.and_then(|l| l.records.first().cloned()),
        record_domain: level.map(|l| l.name()),
        organizational_domain: org.domain.clone(),
        inherited: d.inherited,
        policy: d.policy.clone(),
        policy_source: d.source.clone(),
        policy_applied: d.applied.clone(),
        testing: rec.is_some_and(|r| r.testing()),
        psd: tag("psd"),
        domain_exists,
        sp: tag("sp"),
        np: tag("np"),
        pct: tag("pct").and_then(|p| p.parse().ok()),
        adkim: tag("adkim"),
        aspf: tag("aspf"),
        rua: rec.map(|r| r.rua.clone()).unwrap_or_default(),
        ruf: rec.map(|r| r.ruf.clone()).unwrap_or_default(),
        alignment: None,
        ttl: level.and_then(|l| l.answer.as_ref()).and_then(|a| a.ttl),
        tree_walk: walk
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| TreeWalkStep {
                name: l.name(),
                outcome: l
                    .answer
                    .as_ref()
                    .map_or("not asked".to_string(), |a| a.outcome.label().to_string()),
                records: l.records.len(),
                psd: l.record().and_then(|r| r.tag("psd").map(str::to_string)),
                after_stop: stop.is_some_and(|s| i > s),
            })
            .collect(),
        invalid_records: walk
            .levels
            .first()
            .map(|l| l.misordered.clone())
            .unwrap_or_default(),
        rfc7489: LegacyDmarc {
            organizational_domain: legacy.organizational_domain.clone(),
            record_domain: legacy.record_domain.clone(),
            inherited: legacy.inherited,
            policy: legacy.policy.clone(),
        },
    }
}

/// What a receiver on RFC 7489 finds: the walk already asked the PSL organizational domain's
/// `_dmarc` name in all but freak cases; otherwise it is asked here.
async fn legacy_view(dns: &Dns, domain: &str, walk: &TreeWalk) -> Legacy {
    let psl = psl_org(domain);
    let own = walk
        .levels
        .first()
        .map(|l| l.records.clone())
        .unwrap_or_default();
    let org = match walk.level_of(&psl) {
        Some(l) => l.records.clone(),
        None => dns
            .query(&format!("_dmarc.{psl}"), RType::TXT)
            .await
            .txt_strings()
            .into_iter()
            .filter(|t| dmarc_record::is_dmarc(t))
            .collect(),
    };
    discovery::legacy(domain, &psl, &own, &org)
}

/// Findings about the walk itself: names that could not be asked, invalid and duplicate records,
/// and no record anywhere.
fn walk_findings(walk: &TreeWalk, d: &Discovery, domain: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for l in walk.troubled() {
        if let Some(a) = l.answer.as_ref() {
            out.push(failed(
                a,
                "the RFC 9989 tree walk cannot tell whether a record there applies to this domain, so DMARC is inconclusive (not missing).",
            ));
        }
    }
    if let Some(own) = walk.levels.first() {
        let subject = own.name();
        let q: Vec<usize> = own.answer.iter().map(|a| a.id).collect();
        let loc = own.answer.as_ref().and_then(|a| a.location.clone());
        for rec in &own.misordered {
            let mut fd = f("dmarc-record-invalid", Severity::Error, &subject, format!("The TXT record at {subject} is meant as a DMARC record but `v=DMARC1` is not its first tag: `{}`. Receivers ignore it entirely (RFC 9989 section 4.7): the policy it states is not applied to {domain}. Put `v=DMARC1` first.", crate::checks::spf::parse::clip(rec))).with_queries(q.clone());
            fd.location = loc.clone();
            out.push(fd);
        }
        if own.records.len() > 1 {
            let then = match (&d.policy, d.inherited) {
                (Some(p), true) => {
                    format!("continue the tree walk and apply {p} from an ancestor's record")
                }
                _ => "continue the tree walk and find no other record: no DMARC policy applies"
                    .to_string(),
            };
            let mut fd = f("dmarc-multiple-records", Severity::Error, &subject, format!("{subject} has {} DMARC records; receivers discard them all (RFC 9989 section 4.10) and {then}; receivers on RFC 7489 apply no DMARC at all. Merge them into one.", own.records.len())).with_queries(q.clone());
            fd.location = loc.clone();
            out.push(fd);
        }
    }
    for l in walk.used().iter().skip(1).filter(|l| l.records.len() > 1) {
        let q: Vec<usize> = l.answer.iter().map(|a| a.id).collect();
        out.push(f("dmarc-multiple-records", Severity::Warning, &l.name(), format!("{} has {} DMARC records; the RFC 9989 tree walk from {domain} discards them all and goes on past it.", l.name(), l.records.len())).with_queries(q));
    }
    // A domain that publishes records receivers cannot use (misordered, or several) is told so
    // by those findings; "missing" would send its owner to publish yet another record.
    let unusable_own = walk
        .levels
        .first()
        .is_some_and(|l| !l.misordered.is_empty() || l.records.len() > 1);
    if d.record.is_none() && !walk.inconclusive() && !unusable_own {
        let asked: Vec<String> = walk
            .used()
            .iter()
            .filter(|l| !l.offline())
            .map(|l| l.name())
            .collect();
        let q: Vec<usize> = walk
            .used()
            .iter()
            .filter_map(|l| l.answer.as_ref().map(|a| a.id))
            .collect();
        let unasked = walk.unasked();
        let note = if unasked.is_empty() {
            String::new()
        } else {
            format!(
                "; not looked up, outside the --zone files: {}",
                unasked.join(", ")
            )
        };
        out.push(f("dmarc-missing", Severity::Error, &format!("_dmarc.{domain}"), format!("{domain} has no DMARC record: the RFC 9989 tree walk asked {} and found none{note}. Receivers such as Gmail and Yahoo require one from bulk senders.", asked.join(", "))).with_queries(q));
    }
    out
}

/// A finding when receivers on RFC 9989 (tree walk) and on RFC 7489 (Public Suffix List) apply
/// different policies to the domain.
fn disagreement(domain: &str, facts: &DmarcFacts, legacy: &Legacy, q: &[usize]) -> Option<Finding> {
    if facts.status.is_inconclusive() || facts.policy == legacy.policy {
        return None;
    }
    let say = |p: &Option<String>, at: &Option<String>| match (p, at) {
        (Some(p), Some(at)) => format!("`{p}` (record at {at})"),
        (Some(p), None) => format!("`{p}`"),
        (None, _) => "no DMARC policy".to_string(),
    };
    let tree = say(&facts.policy, &facts.record_domain);
    let old = say(&legacy.policy, &legacy.record_domain);
    let stronger = strength(facts.policy.as_deref().unwrap_or(""))
        + u8::from(facts.policy.is_some())
        > strength(legacy.policy.as_deref().unwrap_or("")) + u8::from(legacy.policy.is_some());
    let who = if stronger {
        "mail that fails DMARC is treated more strictly by receivers that walk the tree than by those on the Public Suffix List"
    } else {
        "mail that fails DMARC is treated more strictly by receivers on the Public Suffix List than by those that walk the tree"
    };
    Some(f("dmarc-psl-disagreement", Severity::Warning, &format!("_dmarc.{domain}"), format!("Receivers disagree on the DMARC policy of {domain}: by the RFC 9989 tree walk (organizational domain {}) it is {tree}; by the Public Suffix List of RFC 7489 (organizational domain {}) it is {old}. So {who}. Publish a record at _dmarc.{domain} itself to make both agree (RFC 9989 appendix C.3).", facts.organizational_domain, legacy.organizational_domain)).with_queries(q.iter().copied()))
}

/// Alignment of the SPF and DKIM domains with the From domain, by the tree walk and by the PSL.
async fn alignment(
    dns: &Dns,
    params: &CheckParams,
    from: &str,
    org: &OrgDomain,
    rec: Option<&dmarc_record::DmarcRecord>,
    queries: &[usize],
) -> (Option<Alignment>, Vec<Finding>) {
    let mut out = Vec::new();
    // RFC 9989 section 4.4.2: DMARC takes SPF's result for MAIL FROM only; with a null
    // reverse-path the MAIL FROM identity is postmaster@<HELO> (RFC 7208 section 2.4).
    let (spf_domain, spf_identity) = match params.mail_from.as_deref() {
        Some(mf) if !domain_of(mf).is_empty() => (Some(domain_of(mf)), "mail_from"),
        Some(_) => (
            params
                .helo
                .as_deref()
                .map(normalise)
                .filter(|h| !h.is_empty()),
            "helo",
        ),
        None => (None, "mail_from"),
    };
    let dkim_domain = params
        .dkim_domain
        .as_deref()
        .map(normalise)
        .filter(|d| !d.is_empty());
    if params.from.is_none() || (spf_domain.is_none() && dkim_domain.is_none()) {
        return (None, out);
    }
    let tag = |k: &str| rec.and_then(|r| r.tag(k)).unwrap_or("r").to_string();
    let (aspf, adkim) = (tag("aspf"), tag("adkim"));
    let mode = |m: &str| if m == "s" { "strict" } else { "relaxed" };
    let judge = |id: Option<String>, strict: bool| async move {
        match id {
            Some(id) => Some(align::verdict(dns, from, org, &id, strict).await),
            None => None,
        }
    };
    let (spf, dkim) = futures::join!(
        judge(spf_domain.clone(), aspf == "s"),
        judge(dkim_domain.clone(), adkim == "s")
    );
    let qs = || queries.iter().copied();
    for (v, what, id, m) in [
        (&spf, "MAIL FROM", &spf_domain, &aspf),
        (&dkim, "DKIM signing", &dkim_domain, &adkim),
    ] {
        if let (Some(v), Some(id)) = (v, id)
            && v.inconclusive
        {
            out.push(f("dmarc-lookup-failed", Severity::Warning, from, format!("The tree walk for the {what} domain {id} or for {from} met DNS trouble: whether it aligns ({} mode) is unknown.", mode(m))).with_queries(qs()).inconclusive());
        }
    }
    let spf_aligned = spf.as_ref().map(|v| v.aligned);
    let dkim_aligned = dkim.as_ref().map(|v| v.aligned);
    let conclusive = |v: &Option<align::Verdict>| v.as_ref().is_some_and(|v| !v.inconclusive);
    if let (Some(d), Some(false)) = (&spf_domain, spf_aligned)
        && conclusive(&spf)
    {
        let via = if spf_identity == "helo" {
            " (the HELO name: the reverse-path is null)"
        } else {
            ""
        };
        out.push(f("dmarc-spf-not-aligned", Severity::Warning, from, format!("The MAIL FROM domain {d}{via} does not align with the From domain {from} ({} SPF alignment): an SPF pass does not count for DMARC.", mode(&aspf))).with_queries(qs()));
    }
    if let (Some(d), Some(false)) = (&dkim_domain, dkim_aligned)
        && conclusive(&dkim)
    {
        out.push(f("dmarc-dkim-not-aligned", Severity::Warning, from, format!("The DKIM signing domain d={d} does not align with the From domain {from} ({} DKIM alignment): a DKIM pass does not count for DMARC.", mode(&adkim))).with_queries(qs()));
    }
    if spf_aligned == Some(false)
        && dkim_aligned == Some(false)
        && conclusive(&spf)
        && conclusive(&dkim)
    {
        let fix = if aspf == "s" {
            format!(
                "Sign with d={from} (strict DKIM alignment needs exactly that name), or send with MAIL FROM at {from} itself: strict SPF alignment (aspf=s) accepts no subdomain."
            )
        } else {
            format!(
                "Sign with d={from} (or a name under {}), or use a MAIL FROM domain under {}.",
                org.domain, org.domain
            )
        };
        out.push(f("dmarc-not-aligned", Severity::Error, from, format!("Neither SPF nor DKIM aligns with the From domain {from}: DMARC fails even when both pass. {fix}")).with_queries(qs()));
    }
    let legacy = LegacyAlignment {
        from_organizational_domain: psl_org(from),
        spf_aligned: spf.as_ref().map(|v| v.legacy),
        dkim_aligned: dkim.as_ref().map(|v| v.legacy),
    };
    if (legacy.spf_aligned != spf_aligned || legacy.dkim_aligned != dkim_aligned)
        && (conclusive(&spf) || conclusive(&dkim))
    {
        out.push(alignment_disagreement(
            from,
            &spf_domain,
            spf_aligned,
            &dkim_domain,
            dkim_aligned,
            &legacy,
            org,
            qs(),
        ));
    }
    let al = Alignment {
        from_domain: from.to_string(),
        spf_domain,
        spf_aligned,
        dkim_domain,
        dkim_aligned,
        aspf: mode(&aspf).to_string(),
        adkim: mode(&adkim).to_string(),
        spf_identity: spf_identity.to_string(),
        from_organizational_domain: org.domain.clone(),
        spf_organizational_domain: spf.and_then(|v| v.org),
        dkim_organizational_domain: dkim.and_then(|v| v.org),
        rfc7489: legacy,
    };
    (Some(al), out)
}

#[allow(clippy::too_many_arguments)]
fn alignment_disagreement(
    from: &str,
    spf_domain: &Option<String>,
    spf_aligned: Option<bool>,
    dkim_domain: &Option<String>,
    dkim_aligned: Option<bool>,
    legacy: &LegacyAlignment,
    org: &OrgDomain,
    q: impl Iterator<Item = usize>,
) -> Finding {
    let word = |a: Option<bool>| {
        if a == Some(true) {
            "aligns"
        } else {
            "does not align"
        }
    };
    let mut parts = Vec::new();
    if let Some(d) = spf_domain
        && legacy.spf_aligned != spf_aligned
    {
        parts.push(format!(
            "the MAIL FROM domain {d} {} by the tree walk but {} by the Public Suffix List",
            word(spf_aligned),
            word(legacy.spf_aligned)
        ));
    }
    if let Some(d) = dkim_domain
        && legacy.dkim_aligned != dkim_aligned
    {
        parts.push(format!(
            "the DKIM domain {d} {} by the tree walk but {} by the Public Suffix List",
            word(dkim_aligned),
            word(legacy.dkim_aligned)
        ));
    }
    let tree_pass = spf_aligned == Some(true) || dkim_aligned == Some(true);
    let psl_pass = legacy.spf_aligned == Some(true) || legacy.dkim_aligned == Some(true);
    let outcome = match (tree_pass, psl_pass) {
        (true, false) => {
            "mail can pass DMARC at receivers that walk the tree (RFC 9989) and fail it at receivers still on RFC 7489"
        }
        (false, true) => {
            "mail can pass DMARC at receivers still on RFC 7489 and fail it at receivers that walk the tree (RFC 9989)"
        }
        _ => "receivers of the two kinds credit different mechanisms for the same message",
    };
    f("dmarc-psl-disagreement", Severity::Warning, from, format!("Receivers disagree on alignment with {from}: {} (organizational domain {} by the tree walk, {} by the Public Suffix List). So {outcome}. Publish a DMARC record at _dmarc.{from} and use identifiers under it, or strict alignment, to make both agree (RFC 9989 appendix C.3).", parts.join("; "), org.domain, legacy.from_organizational_domain)).with_queries(q)
}
