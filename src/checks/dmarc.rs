//! DMARC check by RFC 9989: policy discovery and organizational domains by DNS tree walk, the
//! applied record's values, report authorisation, alignment; the RFC 7489 (Public Suffix List)
//! answer beside it, and a finding where the two make receivers disagree.

mod align;
pub mod discovery;
mod record_findings;
mod report_auth;
pub mod treewalk;

use crate::checks::dmarc_record::{self, strength};
use crate::checks::types::{CheckParams, DmarcFacts, LegacyDmarc, Status, TreeWalkStep};
use crate::checks::{normalise, org_domain as psl_org};
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
    // The domain's own name could not be read: an ancestor's policy applies only if it has no
    // record, which nobody can tell, so no policy is stated as the one that applies.
    if disc.inherited && walk.levels.first().is_some_and(|l| l.trouble()) {
        facts.policy = None;
        facts.policy_source = None;
        facts.policy_applied = None;
    }
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
        let tag = disc.source.as_deref().unwrap_or("p");
        if disc.inherited && walk.levels.first().is_some_and(|l| l.trouble()) {
            // The walk went on past a level it could not read: whether the domain has a record
            // of its own is unknown, so the ancestor's policy is what applies only if it has none.
            out.push(at.f("dmarc-inherited", Severity::Info, format!("{domain}'s own DMARC record could not be looked up (see the failed lookup of _dmarc.{domain}); if it has none, the RFC 9989 tree walk finds the record of {policy_domain}, whose `{tag}` would apply.")).inconclusive());
        } else if disc.inherited {
            out.push(at.f("dmarc-inherited", Severity::Info, format!("{domain} has no usable DMARC record of its own; the RFC 9989 tree walk finds the record of {policy_domain}, whose `{tag}` applies.")));
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
    let own_unusable = walk
        .levels
        .first()
        .is_some_and(|l| l.records.len() > 1 || !l.misordered.is_empty());
    out.extend(disagreement(&domain, &facts, &legacy, own_unusable, &q));
    if from {
        let (al, found) =
            align::alignment(dns, params, &domain, &org, disc.record.as_ref(), &q).await;
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
        // Destinations receivers send to: a URI that is not one is reported by the syntax
        // finding, not listed as where reports go.
        rua: rec.map(|r| valid_uris(&r.rua)).unwrap_or_default(),
        ruf: rec.map(|r| valid_uris(&r.ruf)).unwrap_or_default(),
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
            let what = match (
                dmarc_record::invisible_prefix(rec),
                dmarc_record::miscased_version(rec),
            ) {
                (None, None) if dmarc_record::separated(rec).is_some() => {
                    "its tags are separated by spaces, not semicolons, so receivers read one tag `v` whose value is everything after `v=`".to_string()
                }
                (Some(c), _) => format!(
                    "starts with the invisible character U+{:04X} before `v=DMARC1`",
                    u32::from(c)
                ),
                (None, Some(v)) => format!(
                    "its version is written `{}`; the version value is case-sensitive and must be exactly `DMARC1`",
                    crate::checks::spf::parse::clip(v)
                ),
                (None, None) => "`v=DMARC1` is not its first tag".to_string(),
            };
            let mut fd = f("dmarc-record-invalid", Severity::Error, &subject, format!("The TXT record at {subject} is meant as a DMARC record but {what}: `{}`. Receivers ignore it entirely (RFC 9989 section 4.7): the policy it states is not applied to {domain}. Make `v=DMARC1` the very first characters, with `; ` between tags.", crate::checks::spf::parse::clip(rec))).with_queries(q.clone());
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
/// different policies to the domain. `own_unusable`: the domain publishes records of its own that
/// receivers discard (several, or `v=DMARC1` not first), so the fix is mending them, not adding one.
fn disagreement(
    domain: &str,
    facts: &DmarcFacts,
    legacy: &Legacy,
    own_unusable: bool,
    q: &[usize],
) -> Option<Finding> {
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
    let fix = if own_unusable {
        format!("Leave exactly one valid record at _dmarc.{domain} (`v=DMARC1` first)")
    } else {
        format!("Publish a record at _dmarc.{domain} itself")
    };
    // The same organizational domain by both methods (the records differ, not the boundary):
    // named once, not twice as if it were two.
    let text = if facts.organizational_domain == legacy.organizational_domain {
        format!(
            "Receivers disagree on the DMARC policy of {domain}, although both methods find the organizational domain {}: by the RFC 9989 tree walk it is {tree}; by RFC 7489 it is {old}.",
            facts.organizational_domain
        )
    } else {
        format!(
            "Receivers disagree on the DMARC policy of {domain}: by the RFC 9989 tree walk (organizational domain {}) it is {tree}; by the Public Suffix List of RFC 7489 (organizational domain {}) it is {old}.",
            facts.organizational_domain, legacy.organizational_domain
        )
    };
    Some(
        f(
            "dmarc-psl-disagreement",
            Severity::Warning,
            &format!("_dmarc.{domain}"),
            format!("{text} So {who}. {fix} to make both agree (RFC 9989 appendix C.3)."),
        )
        .with_queries(q.iter().copied()),
    )
}

/// The report URIs of a tag that are URIs receivers can send to.
fn valid_uris(uris: &[String]) -> Vec<String> {
    uris.iter()
        .filter(|u| dmarc_record::uri_ok(u))
        .cloned()
        .collect()
}
