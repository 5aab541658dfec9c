//! Identifier alignment (RFC 9989 sections 4.4 and 4.10.2): strict compares the names, relaxed compares the
//! organizational domains found by a tree walk from each identifier; beside it, the verdict of a
//! receiver still on RFC 7489 (organizational domains from the Public Suffix List).

use super::treewalk::{self, OrgDomain};
use crate::checks::dmarc_record::DmarcRecord;
use crate::checks::types::{Alignment, CheckParams, LegacyAlignment};
use crate::checks::{domain_of, normalise, org_domain as psl_org};
use crate::dns::Dns;
use crate::finding::{Check, Finding, Severity, finding};

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Dmarc, sev, subject, msg)
}

/// One identifier (the SPF domain or a DKIM d=) against the From domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub aligned: bool,
    /// The identifier's organizational domain by the tree walk, when a walk was needed.
    pub org: Option<String>,
    /// A walk this verdict rests on met DNS trouble.
    pub inconclusive: bool,
    /// The RFC 7489 verdict (Public Suffix List).
    pub legacy: bool,
}

/// True when `name` is `parent` or a name under it.
fn at_or_under(name: &str, parent: &str) -> bool {
    name == parent
        || name
            .strip_suffix(parent)
            .is_some_and(|head| head.ends_with('.'))
}

pub async fn verdict(
    dns: &Dns,
    author: &str,
    author_org: &OrgDomain,
    id: &str,
    strict: bool,
) -> Verdict {
    let legacy = if strict {
        id == author
    } else {
        psl_org(id) == psl_org(author)
    };
    if strict || id == author {
        return Verdict {
            aligned: id == author,
            org: None,
            inconclusive: false,
            legacy,
        };
    }
    // The walk is made even when the identifier is outside the From domain's organizational
    // domain (it cannot align then): its organizational domain is part of the answer.
    let walk = treewalk::walk(dns, id).await;
    let org = walk.org_domain();
    // Neither walk found a DMARC record: DMARC does not apply yet, and the walk then makes
    // every name its own organization, which says nothing about the alignment receivers will
    // judge once a record is published at the From domain's organization (the walk from the
    // identifier finds it there). Until then the Public Suffix List's answer stands for both.
    if author_org.decided_by.is_none()
        && org.decided_by.is_none()
        && !author_org.inconclusive
        && !org.inconclusive
    {
        return Verdict {
            aligned: legacy,
            org: Some(psl_org(id)),
            inconclusive: false,
            legacy,
        };
    }
    let under = at_or_under(id, &author_org.domain);
    Verdict {
        aligned: under && org.domain == author_org.domain,
        // Outside the From domain's organizational domain, trouble in the identifier's own
        // walk cannot make it align.
        inconclusive: author_org.inconclusive || (under && org.inconclusive),
        org: Some(org.domain),
        legacy,
    }
}

/// Alignment of the SPF and DKIM domains with the From domain, by the tree walk and by the PSL.
pub async fn alignment(
    dns: &Dns,
    params: &CheckParams,
    from: &str,
    org: &OrgDomain,
    rec: Option<&DmarcRecord>,
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
            Some(id) => Some(verdict(dns, from, org, &id, strict).await),
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
    let conclusive = |v: &Option<Verdict>| v.as_ref().is_some_and(|v| !v.inconclusive);
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
        // Each identifier under its own mode: adkim=s with aspf=r still accepts a MAIL FROM
        // under the organizational domain, but no DKIM d= other than the From domain.
        let sign = if adkim == "s" {
            format!("Sign with d={from} (strict DKIM alignment, adkim=s, needs exactly that name)")
        } else {
            format!("Sign with d={from} (or a name under {})", org.domain)
        };
        let send = if aspf == "s" {
            format!(
                "send with MAIL FROM at {from} itself: strict SPF alignment (aspf=s) accepts no subdomain"
            )
        } else {
            format!("use a MAIL FROM domain under {}", org.domain)
        };
        let fix = format!("{sign}, or {send}.");
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
            [(&spf_domain, &spf), (&dkim_domain, &dkim)],
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

/// `dmarc-psl-disagreement` for alignment: each identifier whose verdict differs, with its own
/// organizational domain by each method (the From domain's is the same by both when the From
/// domain is itself where the walk stops, so naming it twice would explain nothing).
fn alignment_disagreement(
    from: &str,
    ids: [(&Option<String>, &Option<Verdict>); 2],
    legacy: &LegacyAlignment,
    org: &OrgDomain,
    q: impl Iterator<Item = usize>,
) -> Finding {
    let word = |a: bool| if a { "aligns" } else { "does not align" };
    let mut parts = Vec::new();
    // An identifier at or under the From domain that still does not align by the walk: a
    // `psd=y` boundary sits at or below the From domain, so only its exact name aligns there.
    let mut under_but_split = false;
    for ((d, v), what) in ids.into_iter().zip(["MAIL FROM domain", "DKIM domain"]) {
        let (Some(d), Some(v)) = (d, v) else {
            continue;
        };
        if v.aligned == v.legacy {
            continue;
        }
        let tree_org = v.org.as_deref().unwrap_or(d);
        let psl = psl_org(d);
        under_but_split |= !v.aligned && at_or_under(d, from);
        parts.push(format!(
            "the {what} {d} {} by the tree walk (its organizational domain {tree_org}, the From domain's {}) but {} by the Public Suffix List (its organizational domain {psl}, the From domain's {})",
            word(v.aligned),
            org.domain,
            word(v.legacy),
            legacy.from_organizational_domain
        ));
    }
    let tree_pass = ids
        .iter()
        .any(|(_, v)| v.as_ref().is_some_and(|v| v.aligned));
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
    let fix = if under_but_split {
        format!(
            "Send with a MAIL FROM domain and a DKIM d= of exactly {from} (a name under it is an organization of its own to receivers that walk the tree), or, unless the domain whose DMARC record carries `psd=y` really is a registry, remove `psd=y` there"
        )
    } else {
        format!(
            "Send with a MAIL FROM domain and a DKIM d= at or under {from} itself (both kinds of receiver then agree), or use strict alignment, which compares the names exactly"
        )
    };
    f(
        "dmarc-psl-disagreement",
        Severity::Warning,
        from,
        format!(
            "Receivers disagree on alignment with {from}: {}. So {outcome}. {fix} (RFC 9989 appendix C.3).",
            parts.join("; ")
        ),
    )
    .with_queries(q)
}
