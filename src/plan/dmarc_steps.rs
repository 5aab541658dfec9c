//! The DMARC steps (RFC 9989): one valid record first (merged, or with `v=DMARC1` first), then
//! p=none with reports, alignment, and staging with `t=y` up to reject, which waits for DKIM.

use super::RecordToPublish;
use super::draft::{Ctx, Draft, claim};
use super::records;
use crate::checks::{DkimFacts, DmarcFacts};
use crate::dns::RType;
use crate::finding::Check;

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

/// True when the checked domain does not exist or is parked (and no mail was sent from it): no
/// record is proposed under it (see `checks::profile`).
pub(in crate::plan) fn nothing_to_publish(ctx: &Ctx<'_>) -> bool {
    let r = ctx.input.report;
    r.findings.iter().any(|f| {
        f.subject.eq_ignore_ascii_case(&r.domain)
            && (f.id == "domain-nonexistent"
                || (f.id == "domain-parked" && ctx.input.params.ip.is_none()))
    })
}

/// True when, besides [`nothing_to_publish`], the domain declares it sends no mail (null MX and
/// `v=spf1 -all`) and no mail was sent from it: no DKIM key is proposed for it.
pub(in crate::plan) fn sends_no_mail(ctx: &Ctx<'_>) -> bool {
    nothing_to_publish(ctx)
        || (ctx.input.params.ip.is_none()
            && crate::checks::profile::declares_no_mail(ctx.input.report))
}

fn under(name: &str, parent: &str) -> bool {
    crate::domain_name::within(
        &crate::domain_name::normalise(name),
        &crate::domain_name::normalise(parent),
    )
}

/// Whether DKIM passes aligned for the From domain, as far as DNS can tell: a usable key for an
/// aligned signing domain. None when DKIM was not checked for an aligned domain.
fn dkim_aligned_key(ctx: &Ctx<'_>, facts: &DmarcFacts) -> Option<bool> {
    let report = ctx.input.report;
    if facts.alignment.as_ref().and_then(|a| a.dkim_aligned) == Some(false) {
        return Some(false);
    }
    let aligned = |k: &&DkimFacts| {
        under(&k.domain, &facts.organizational_domain) || under(&k.domain, &facts.domain)
    };
    let sets: Vec<&DkimFacts> = [report.dkim_signing.as_ref(), report.dkim.as_ref()]
        .into_iter()
        .flatten()
        .filter(aligned)
        .collect();
    if sets.is_empty() || sets.iter().all(|k| !k.looked()) {
        return None;
    }
    Some(sets.iter().any(|k| {
        k.selectors
            .iter()
            .any(|s| s.status == "valid" || s.status == "testing")
    }))
}

/// A `psd=` that splits an organization: `psd=y` at a domain the Public Suffix List has as
/// registrable, `psd=n` at a name under one. Either way the record without `psd` is the fix.
const PSD_SPLITS: [&str; 2] = [
    "dmarc-psd-on-registrable-domain",
    "dmarc-psd-n-below-registrable",
];

pub(in crate::plan) fn dmarc(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    // The policy that judged the message is the From domain's.
    let report = ctx.input.report;
    let Some(facts) = report.dmarc_from.as_ref().or(report.dmarc.as_ref()) else {
        return;
    };
    if ctx.inconclusive(Check::Dmarc) || nothing_to_publish(ctx) {
        return;
    }
    let mut pool = ctx.actionable(Check::Dmarc);
    let domain = facts.domain.clone();
    let mut name = record_name(facts.record_domain.as_deref(), &domain);
    let own_name = format!("_dmarc.{domain}");
    let mut current: Option<String> = facts.record.clone();
    let mut policy = facts.policy.clone().unwrap_or_else(|| "none".into());
    let wait = facts.ttl;
    if let Some(d) = one_record(ctx, facts, &own_name, &mut pool) {
        // The stages then build on the one record published at the domain itself.
        current = d.records.first().map(|r| r.value.clone());
        policy = current
            .as_deref()
            .map(crate::checks::dmarc_record::parse)
            .and_then(|r| r.policy_tag("p").map(str::to_string))
            .unwrap_or_else(|| "none".into());
        name = own_name.clone();
        out.push(d);
    } else {
        match facts.record.as_deref() {
            None => {
                let mut d = Draft::new("dmarc-publish", "dmarc");
                claim(
                    &mut pool,
                    &mut d,
                    &["missing", "no-record", "absent", "not-found"],
                );
                // A domain that declares it sends no mail (null MX, `v=spf1 -all`) has nothing to
                // monitor: it is parked with p=reject at once.
                let parked = report.domain.eq_ignore_ascii_case(&domain)
                    && ctx.input.params.ip.is_none()
                    && crate::checks::profile::declares_no_mail(report);
                // A DMARC record published at the domain itself instead of under _dmarc is
                // what the owner meant to publish: moved, with its policy and reports.
                // A CNAME at _dmarc to a name that holds nothing: it has to go before a TXT
                // can be published there (a name with a CNAME holds no other record).
                if let Some(target) = dangling_cname(ctx, &own_name) {
                    d.details.push(ctx.k.message_with(
                        "dmarc-dangling-cname",
                        &[
                            ("subject", &own_name),
                            ("target", &crate::dns::zone_text(&target)),
                        ],
                    ));
                }
                let misplaced = apex_dmarc(ctx, &domain);
                let (value, note) = if let Some(rec) = misplaced.as_deref() {
                    d.details.push(
                        ctx.k
                            .message_with("dmarc-at-apex", &[("domain", &domain), ("record", rec)]),
                    );
                    (
                        records::dmarc_monitor(&domain, Some(rec)),
                        ctx.k
                            .message_with("note-dmarc-moved", &[("domain", &domain)]),
                    )
                } else if parked {
                    policy = "reject".into();
                    (
                        "v=DMARC1; p=reject".to_string(),
                        ctx.k.message("note-dmarc-publish-parked"),
                    )
                } else {
                    (
                        records::dmarc_monitor(&domain, None),
                        ctx.k
                            .message_with("note-dmarc-publish", &[("domain", &domain)]),
                    )
                };
                d.records
                    .push(RecordToPublish::txt(own_name.clone(), value.clone(), note));
                current = Some(value);
                // No record: resolvers cache the absence for the SOA minimum (RFC 2308).
                d.wait = wait.or_else(|| ctx.negative_ttl(&own_name, RType::TXT));
                out.push(d);
            }
            // No `rua=` at all: one whose URIs are invalid is the syntax step's to repair.
            Some(rec) if crate::checks::dmarc_record::parse(rec).rua.is_empty() => {
                let mut d = Draft::new("dmarc-add-rua", "dmarc");
                claim(&mut pool, &mut d, &["rua", "report"]);
                let value = records::dmarc_monitor(&domain, Some(rec));
                d.details.push(format!("published now at {name}: {rec}"));
                d.records.push(RecordToPublish::txt(
                    name.clone(),
                    value.clone(),
                    ctx.k.message("note-dmarc-add-rua"),
                ));
                current = Some(value);
                d.wait = wait;
                out.push(d);
            }
            Some(_) => {}
        }
    }
    alignment(ctx, facts, &mut pool, out);
    let mut stage_q = Draft::new("dmarc-quarantine", "dmarc");
    claim(
        &mut pool,
        &mut stage_q,
        &["policy-none", "p-none", "monitor"],
    );
    if facts.inherited && facts.policy_source.as_deref() == Some("sp") {
        // The weak sp is what the sp stages raise.
        claim(&mut pool, &mut stage_q, &["subdomain-policy-weaker"]);
    }
    let mut dkim_first = Draft::new("dmarc-dkim-first", "dmarc");
    claim(&mut pool, &mut dkim_first, &["reject-without-dkim"]);
    // A report address at another organisation that has not authorised this domain (RFC 9990
    // section 3): the record is the destination's to publish, so it is a step of its own,
    // never "correct the DMARC record", which is right as it is.
    let unauthorised: Vec<&crate::finding::Finding> = pool
        .iter()
        .copied()
        .filter(|f| f.id == "dmarc-report-destination-unauthorised")
        .collect();
    if !unauthorised.is_empty() {
        pool.retain(|f| f.id != "dmarc-report-destination-unauthorised");
        let mut d = Draft::new("dmarc-authorise-reports", "dmarc");
        d.findings
            .push("dmarc-report-destination-unauthorised".into());
        for f in unauthorised {
            let owner = f.subject.trim_end_matches('.').to_ascii_lowercase();
            d.details.push(f.message.clone());
            // Report senders cached the "no authorisation" answer under the destination's own
            // negative TTL (RFC 2308), not this domain's: that is the wait once it publishes.
            // With several destinations the last cache to expire is the one waited for.
            let ttl = ctx.negative_ttl(&owner, RType::TXT);
            d.wait = d.wait.max(ttl);
            d.records.push(RecordToPublish::txt(
                owner,
                "v=DMARC1",
                ctx.k.message("note-dmarc-report-authorisation"),
            ));
        }
        out.push(d);
    }
    // Anything else about the record is fixed before the policy is tightened.
    if !pool.is_empty() {
        let mut d = Draft::new("dmarc-fix", "dmarc");
        d.findings = pool.iter().map(|f| f.id.clone()).collect();
        d.details = pool.iter().map(|f| f.message.clone()).collect();
        // `p=rejet`: say which policy was meant, so the stages are read as the way there.
        for (tag, written, meant) in current
            .as_deref()
            .map(super::dmarc_records::misspelt_policies)
            .unwrap_or_default()
        {
            d.details.push(ctx.k.message_with(
                "dmarc-policy-misspelt",
                &[
                    ("subject", &format!("{tag}={written}")),
                    ("host", &format!("{tag}={meant}")),
                ],
            ));
        }
        // `p=none; p=reject`: the record below can state only one; say which, and that the
        // stages lead to the other when it is the stronger one.
        for (tag, kept, written) in current
            .as_deref()
            .map(super::dmarc_records::repeated_tags)
            .unwrap_or_default()
        {
            let written: Vec<String> = written.iter().map(|v| format!("`{tag}={v}`")).collect();
            d.details.push(ctx.k.message_with(
                "dmarc-tag-repeated",
                &[
                    ("subject", &written.join(", ")),
                    ("host", &format!("{tag}={kept}")),
                ],
            ));
        }
        for addr in current
            .as_deref()
            .map(super::dmarc_records::schemeless_report_addresses)
            .unwrap_or_default()
        {
            d.details.push(
                ctx.k
                    .message_with("dmarc-rua-without-mailto", &[("subject", &addr)]),
            );
        }
        // The record without its invalid tags and with a policy: the step's record, and the
        // base the stages build on (they must not carry an invalid tag forward).
        if let Some(rec) = current.clone() {
            let psd = d.findings.iter().find(|f| PSD_SPLITS.contains(&f.as_str()));
            let (repaired, note) = if let Some(psd) = psd {
                (
                    records::dmarc_without(&rec, "psd"),
                    if psd == PSD_SPLITS[0] {
                        "note-dmarc-without-psd"
                    } else {
                        "note-dmarc-without-psd-n"
                    },
                )
            } else {
                (records::dmarc_repair(&rec), "note-dmarc-repair")
            };
            if repaired != rec {
                d.records.push(RecordToPublish::txt(
                    name.clone(),
                    repaired.clone(),
                    ctx.k.message(note),
                ));
                current = Some(repaired);
            }
        }
        d.wait = wait;
        // A record receivers apply no policy from (no `p`, no valid `rua`) whose repair is
        // the record the report step already publishes (`p=none` with `rua` added): one step
        // publishes it, the one that fixes the record, instead of a fix with nothing to publish
        // followed by the record that fixes it.
        if d.records.is_empty()
            && d.findings.iter().any(|f| f == "dmarc-missing-policy")
            && let Some(i) = out.iter().position(|s| s.id == "dmarc-add-rua")
        {
            let add = out.remove(i);
            d.findings.extend(add.findings);
            d.details.extend(add.details);
            d.records = add.records;
            d.wait = d.wait.or(add.wait);
        }
        out.push(d);
    }
    let base = current.as_deref();
    // np only where subdomains take the record's policy: at the organizational domain.
    let np = facts
        .organizational_domain
        .eq_ignore_ascii_case(name.trim_start_matches("_dmarc."))
        .then_some("reject");
    // A subdomain that inherits `sp` is tightened by `sp` at the organizational record: staging
    // `p` there would change nothing for it, and `t=y` would lower a stronger `p`.
    let by_sp = facts.inherited && facts.policy_source.as_deref() == Some("sp");
    let stage = |p: &str, testing: bool, note: &str| {
        RecordToPublish::txt(
            name.clone(),
            if by_sp {
                records::dmarc_stage_sp(&domain, base, p)
            } else {
                records::dmarc_stage(&domain, base, p, testing, np)
            },
            ctx.k.message(note),
        )
    };
    // The stages replace the record published now, which caches may keep for its TTL (with no
    // record yet, the one to replace is the p=none record of the first step: its TTL is not
    // known yet).
    let stage_wait = facts.record.as_ref().and(wait);
    if by_sp {
        stage_q.id = "dmarc-sp-quarantine";
    }
    // A policy published with t=y is applied one level lower (RFC 9989 section 4.7): its own
    // next stage is the same policy without t=y, before anything stronger.
    let leave_testing = facts.testing && !by_sp;
    if policy == "none" {
        if !by_sp {
            stage_q
                .records
                .push(stage("quarantine", true, "note-dmarc-quarantine-testing"));
        }
        stage_q
            .records
            .push(stage("quarantine", false, "note-dmarc-quarantine"));
        stage_q.wait = stage_wait;
        out.push(stage_q);
    } else if policy == "quarantine" && leave_testing {
        // Quarantine in testing mode is applied as none: full quarantine comes before reject.
        stage_q
            .records
            .push(stage("quarantine", false, "note-dmarc-quarantine"));
        stage_q.wait = stage_wait;
        out.push(stage_q);
    }
    if policy == "reject" && leave_testing && dkim_aligned_key(ctx, facts) != Some(false) {
        // Reject in testing mode is applied as quarantine: its last stage is t=y removed.
        let mut d = Draft::new("dmarc-reject", "dmarc");
        d.records.push(stage("reject", false, "note-dmarc-reject"));
        d.wait = stage_wait;
        out.push(d);
    }
    if policy != "reject" {
        match dkim_aligned_key(ctx, facts) {
            // Never p=reject while DKIM does not pass aligned (RFC 9989 sections 7.4 and 8).
            Some(false) => {
                dkim_first
                    .details
                    .push(ctx.k.message("dmarc-reject-waits-for-dkim"));
                out.push(dkim_first);
            }
            known => {
                let mut d = Draft::new(
                    if by_sp {
                        "dmarc-sp-reject"
                    } else {
                        "dmarc-reject"
                    },
                    "dmarc",
                );
                if known.is_none() {
                    d.details.push(ctx.k.message("dmarc-reject-dkim-unchecked"));
                }
                if !by_sp {
                    d.records
                        .push(stage("reject", true, "note-dmarc-reject-testing"));
                }
                d.records.push(stage("reject", false, "note-dmarc-reject"));
                d.wait = stage_wait;
                out.push(d);
            }
        }
    } else if !dkim_first.findings.is_empty() {
        // Already at reject without DKIM: the policy stays (a plan never lowers it); DKIM
        // signing is what is missing.
        out.push(dkim_first);
    }
}

/// One valid record where there are several, or one whose `v=DMARC1` is not first: the exact
/// record to publish instead of them all (RFC 9989 sections 4.7 and 4.10).
fn one_record(
    ctx: &Ctx<'_>,
    facts: &DmarcFacts,
    own_name: &str,
    pool: &mut Vec<&crate::finding::Finding>,
) -> Option<Draft> {
    let own = ctx
        .input
        .queries
        .iter()
        .filter(|q| q.rtype == RType::TXT && q.name.eq_ignore_ascii_case(own_name))
        .flat_map(|q| q.answers.iter())
        .map(|a| records::unquote_txt(a))
        .filter(|t| {
            crate::checks::dmarc_record::is_dmarc(t)
                || crate::checks::dmarc_record::is_misordered(t)
        })
        .fold(Vec::<String>::new(), |mut acc, t| {
            if !acc.contains(&t) {
                acc.push(t);
            }
            acc
        });
    let misordered = !facts.invalid_records.is_empty();
    if own.len() < 2 && !misordered {
        return None;
    }
    let (id, note) = if own.len() > 1 {
        ("dmarc-merge", "note-dmarc-merge")
    } else {
        ("dmarc-fix-record", "note-dmarc-reorder")
    };
    let mut d = Draft::new(id, "dmarc");
    claim(pool, &mut d, &["multiple", "record-invalid"]);
    d.details = own.iter().map(|r| format!("published now: {r}")).collect();
    if own
        .iter()
        .any(|r| crate::checks::dmarc_record::separated(r).is_some())
    {
        d.details.push(ctx.k.message("dmarc-tags-unseparated"));
    }
    let mut value = records::dmarc_merge(&own);
    if !value.contains("rua=") {
        value = records::dmarc_monitor(&facts.domain, Some(&value));
        claim(pool, &mut d, &["rua"]);
    }
    d.records.push(RecordToPublish::txt(
        own_name.to_string(),
        value,
        ctx.k
            .message_with(note, &[("count", &own.len().to_string())]),
    ));
    d.wait = ctx.cache_ttl(own_name, RType::TXT);
    Some(d)
}

fn alignment(
    ctx: &Ctx<'_>,
    facts: &DmarcFacts,
    pool: &mut Vec<&crate::finding::Finding>,
    out: &mut Vec<Draft>,
) {
    let misaligned = facts.alignment.as_ref().is_some_and(|a| {
        a.spf_aligned != Some(true)
            && a.dkim_aligned != Some(true)
            && (a.spf_aligned == Some(false) || a.dkim_aligned == Some(false))
    });
    // `psd=y` on the From's registrable domain (or `psd=n` on the From's own name below it) is
    // all that keeps the identifiers from aligning: removing it (the record step) is the fix, and the alignment findings go with it there,
    // never a return path or a signing domain to set up.
    let psd_explains = pool.iter().any(|f| PSD_SPLITS.contains(&f.id.as_str()))
        && facts.alignment.as_ref().is_some_and(|a| {
            let org = crate::domain_name::org_domain(&a.from_domain);
            let fixed = |d: Option<&str>, aligned: Option<bool>| {
                aligned == Some(false) && d.is_some_and(|d| same_organization(d, &org))
            };
            fixed(a.spf_domain.as_deref(), a.spf_aligned)
                || fixed(a.dkim_domain.as_deref(), a.dkim_aligned)
        });
    if psd_explains {
        return;
    }
    let mut align = Draft::new("dmarc-alignment", "dmarc");
    claim(pool, &mut align, &["align"]);
    if misaligned {
        // Mail signed with another domain's key: the From domain's own missing DKIM key is
        // part of aligning, not a separate step.
        align.findings.extend(own_dkim_findings(ctx, &facts.domain));
    }
    if !misaligned && align.findings.is_empty() {
        return;
    }
    // DKIM aligns, and SPF names a list that re-sent the mail with its own bounce address: a
    // return path of yours cannot apply to mail the list sends (the reasons say what can).
    if !misaligned && super::transit::body_changed(ctx.input).is_some() {
        return;
    }
    if let Some(a) = facts.alignment.as_ref() {
        align.details.push(format!(
            "From: {}; SPF domain: {} ({}); DKIM domain: {} ({})",
            a.from_domain,
            a.spf_domain.as_deref().unwrap_or("unknown"),
            aligned_word(a.spf_aligned),
            a.dkim_domain.as_deref().unwrap_or("unknown"),
            aligned_word(a.dkim_aligned),
        ));
        // Under aspf=s only the From domain itself aligns: a return-path subdomain would not.
        let strict_spf = a.aspf == "strict";
        if strict_spf && a.spf_aligned == Some(false) {
            align.details.push(
                ctx.k
                    .message_with("note-alignment-strict-spf", &[("domain", &a.from_domain)]),
            );
        }
        // Under adkim=s a d= under the From domain's organizational domain would pass relaxed
        // alignment: say that the strict tag, not the signing service, is what fails it.
        if a.adkim == "strict"
            && a.dkim_aligned == Some(false)
            && let Some(d) = a.dkim_domain.as_deref()
            && same_organization(d, &a.from_organizational_domain)
        {
            align.details.push(ctx.k.message_with(
                "note-alignment-strict-dkim",
                &[
                    ("domain", &a.from_domain),
                    ("subject", d),
                    ("host", &a.from_organizational_domain),
                ],
            ));
        }
        let selector = ctx.input.params.dkim_selectors.first().map(String::as_str);
        align.records = records::alignment_records(
            ctx.k,
            &a.from_domain,
            a.spf_domain
                .as_deref()
                .filter(|_| a.spf_aligned == Some(false) && !strict_spf),
            a.dkim_domain
                .as_deref()
                .filter(|_| a.dkim_aligned == Some(false)),
            selector,
        );
    }
    align.checks = vec!["dmarc".into(), "spf".into(), "dkim".into()];
    out.push(align);
}

/// True when `name` is `org` or a name under it.
fn same_organization(name: &str, org: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let org = org.trim_end_matches('.').to_ascii_lowercase();
    !org.is_empty() && (name == org || name.ends_with(&format!(".{org}")))
}

fn aligned_word(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "aligned",
        Some(false) => "not aligned",
        None => "not evaluated",
    }
}

/// A `v=DMARC1` TXT record at the domain itself (where no receiver looks), from the query log.
fn apex_dmarc(ctx: &Ctx<'_>, domain: &str) -> Option<String> {
    ctx.input
        .queries
        .iter()
        .filter(|q| {
            q.rtype == RType::TXT && q.name.trim_end_matches('.').eq_ignore_ascii_case(domain)
        })
        .flat_map(|q| q.answers.iter())
        .map(|a| records::unquote_txt(a))
        .find(|t| crate::checks::dmarc_record::is_dmarc(t))
}

/// The last name of a CNAME chain at `name` that ended in no record, from the query log.
fn dangling_cname(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    ctx.input
        .queries
        .iter()
        .filter(|q| {
            q.rtype == RType::TXT && q.name.trim_end_matches('.').eq_ignore_ascii_case(name)
        })
        .find(|q| !q.cname_chain.is_empty() && q.answers.is_empty())
        .and_then(|q| q.cname_chain.last())
        .map(|t| t.trim_end_matches('.').to_string())
}
