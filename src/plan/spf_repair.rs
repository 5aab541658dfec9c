//! Repairing the terms of the domain's own SPF record that make every evaluation a permerror:
//! a misspelt mechanism name, a term that cannot parse (an `ip4:` prefix over 32), an `mx`
//! term over more MX hosts than a receiver looks up, in the domain's record or one of its own
//! organisation it includes; the same faults in an included record of another organisation
//! are its publisher's to repair.

use super::RecordToPublish;
use super::draft::{Ctx, Draft};
use super::records;
use super::spf_loop::record_of;
use crate::checks::spf::parse::{Mechanism, parse};
use crate::checks::{SpfFacts, org_domain};
use crate::dns::RType;
use crate::finding::Finding;
use std::net::IpAddr;

/// The names RFC 7208 section 5 defines: a misspelt one is read as the nearest of these.
const MECHANISMS: [&str; 8] = ["include", "exists", "ip4", "ip6", "all", "ptr", "mx", "a"];

/// The term with a misspelt mechanism name spelt right, when one defined name is nearer than
/// any other (at most two edits away, and the name long enough that two edits do not turn it
/// into just any name) and the corrected term parses.
fn respelt(term: &str) -> Option<String> {
    let (qual, rest) = match term.as_bytes().first() {
        Some(b'+' | b'-' | b'~' | b'?') => term.split_at(1),
        _ => ("", term),
    };
    let end = rest.find([':', '/', '=']).unwrap_or(rest.len());
    let (name, arg) = rest.split_at(end);
    let name = name.to_ascii_lowercase();
    // A modifier written like a mechanism (`redirect:_spf.example.com`, which receivers read as
    // an unknown mechanism): the same modifier with its `=`.
    if qual.is_empty()
        && matches!(name.as_str(), "redirect" | "exp")
        && let Some(value) = arg.strip_prefix(':')
    {
        let fixed = format!("{name}={value}");
        return parse(&format!("v=spf1 {fixed}"))
            .errors
            .is_empty()
            .then_some(fixed);
    }
    if name.len() < 4 || arg.starts_with('=') {
        return None;
    }
    let best = MECHANISMS
        .iter()
        .filter(|m| m.len() >= 3)
        .map(|m| strsim::levenshtein(&name, m))
        .min()
        .filter(|d| *d <= 2)?;
    let near: Vec<&str> = MECHANISMS
        .iter()
        .copied()
        .filter(|m| m.len() >= 3 && strsim::levenshtein(&name, m) == best)
        .collect();
    let [m] = near[..] else { return None };
    let fixed = format!("{qual}{m}{arg}");
    parse(&format!("v=spf1 {fixed}"))
        .errors
        .is_empty()
        .then_some(fixed)
}

/// The addresses this run saw for every host of `domain`'s MX answer, or None when any is
/// unknown (a host not looked up, a lookup that failed).
fn mx_addresses(ctx: &Ctx<'_>, domain: &str) -> Option<Vec<IpAddr>> {
    let asked = |n: &str, rt: RType| {
        ctx.input
            .queries
            .iter()
            .find(|q| q.rtype == rt && q.name.trim_end_matches('.').eq_ignore_ascii_case(n))
    };
    let hosts: Vec<String> = asked(domain, RType::MX)?
        .answers
        .iter()
        .filter_map(|a| a.split_whitespace().nth(1))
        .map(|h| h.trim_end_matches('.').to_string())
        .collect();
    let mut out = Vec::new();
    for h in &hosts {
        let q = asked(h, RType::A)?;
        for a in &q.answers {
            let ip: IpAddr = a.parse().ok()?;
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
    }
    (!hosts.is_empty()).then_some(out)
}

/// Whether this run saw `target` publish exactly one SPF record (a redirect's target must,
/// RFC 7208 section 6.1), or None when it did not ask, or the answer was DNS trouble.
fn redirect_target(ctx: &Ctx<'_>, target: &str) -> Option<bool> {
    let q = ctx.input.queries.iter().find(|q| {
        q.rtype == RType::TXT
            && q.name
                .trim_end_matches('.')
                .eq_ignore_ascii_case(target.trim_end_matches('.'))
    })?;
    if q.outcome.is_trouble() {
        return None;
    }
    let spf = q
        .answers
        .iter()
        .map(|a| records::unquote_txt(a))
        .filter(|t| {
            let t = t.to_ascii_lowercase();
            t == "v=spf1" || t.starts_with("v=spf1 ")
        })
        .count();
    Some(spf == 1)
}

fn is_broken_term(f: &Finding) -> bool {
    matches!(
        f.id.as_str(),
        "spf-syntax-error" | "spf-mx-too-many-names" | "spf-unknown-modifier"
    )
}

/// A modifier receivers ignore because its name is `redirect` misspelt (`redirct=`), as the
/// `redirect=` it was meant to be, in a record with no `all` (where it would apply, RFC 7208
/// section 6.1) and no other `redirect=`.
fn respelt_redirect(term: &str, record: &crate::checks::spf::parse::Record) -> Option<String> {
    let (name, value) = term.split_once('=')?;
    let name = name.to_ascii_lowercase();
    if name == "redirect"
        || name.len() < 5
        || strsim::levenshtein(&name, "redirect") > 2
        || record.all().is_some()
        || record.redirect.is_some()
    {
        return None;
    }
    let fixed = format!("redirect={value}");
    parse(&format!("v=spf1 {fixed}"))
        .errors
        .is_empty()
        .then_some(fixed)
}

/// One step per record of the domain's own organisation whose broken terms the check named
/// (the domain's record, then the ones it includes), each publishing that record repaired;
/// returns the domain's own record repaired, which later steps build on.
pub(super) fn repair_terms(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    current: Option<&str>,
    pool: &mut Vec<&Finding>,
    out: &mut Vec<Draft>,
) -> Option<String> {
    let apex = repair_one(ctx, facts, &facts.domain, current, pool, out);
    let own_org = org_domain(&facts.domain);
    let mut names: Vec<String> = pool
        .iter()
        .filter(|f| {
            is_broken_term(f)
                && !f.subject.eq_ignore_ascii_case(&facts.domain)
                && org_domain(&f.subject) == own_org
        })
        .map(|f| f.subject.clone())
        .collect();
    names.dedup();
    for name in names {
        let record = facts.tree.as_ref().and_then(|t| record_of(t, &name));
        repair_one(ctx, facts, &name, record, pool, out);
    }
    apex
}

/// The step that republishes `name`'s record with its broken terms repaired.
fn repair_one(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    name: &str,
    current: Option<&str>,
    pool: &mut Vec<&Finding>,
    out: &mut Vec<Draft>,
) -> Option<String> {
    let own = |f: &&Finding| is_broken_term(f) && f.subject.eq_ignore_ascii_case(name);
    let record = current.filter(|_| pool.iter().any(own))?;
    // Two glued terms or swapped arguments: `spf_split` puts the slip right term by term.
    if super::spf_split::repair(record).is_some() {
        return None;
    }
    // The sending address is added to the domain's own record only (an included record's
    // servers are its own business).
    let apex = name.eq_ignore_ascii_case(&facts.domain);
    let ip = ctx.input.params.ip.filter(|_| apex);
    let mut terms: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut dropped_sender_terms = false;
    let mut redirect_respelt = false;
    let whole = parse(record);
    // Terms split as the parser splits them (on spaces only), so a control character inside a
    // term stays part of the term it broke.
    for (i, term) in record.split(' ').filter(|t| !t.is_empty()).enumerate() {
        if i == 0 {
            terms.push(term.to_string());
            continue;
        }
        if terms.iter().any(|t| t.eq_ignore_ascii_case(term)) {
            continue;
        }
        let parsed = parse(&format!("v=spf1 {term}"));
        if !parsed.unknown_modifiers.is_empty()
            && let Some(fixed) = respelt_redirect(term, &whole)
        {
            let target = fixed.trim_start_matches("redirect=");
            match redirect_target(ctx, target) {
                // A redirect to a name without one SPF record is a permerror for every
                // sender (RFC 7208 section 6.1): left as it is, and said why.
                Some(false) => {
                    notes.push(ctx.k.message_with(
                        "spf-redirect-target-unusable",
                        &[("subject", term), ("target", target)],
                    ));
                    terms.push(term.to_string());
                    continue;
                }
                Some(true) => notes.push(ctx.k.message_with(
                    "spf-redirect-respelt",
                    &[("subject", term), ("record", &fixed)],
                )),
                // Receivers ignored the misspelt modifier, so the run never asked its target:
                // the step says to check it before publishing.
                None => {
                    notes.push(ctx.k.message_with(
                        "spf-redirect-respelt",
                        &[("subject", term), ("record", &fixed)],
                    ));
                    notes.push(
                        ctx.k
                            .message_with("spf-redirect-target-unchecked", &[("target", target)]),
                    );
                }
            }
            terms.push(fixed);
            redirect_respelt = true;
            continue;
        }
        if !parsed.errors.is_empty() {
            if let Some(fixed) = respelt(term) {
                notes.push(
                    ctx.k
                        .message_with("spf-term-respelt", &[("subject", term), ("record", &fixed)]),
                );
                terms.push(fixed);
            } else {
                notes.push(ctx.k.message_with(
                    "spf-term-dropped",
                    &[("subject", &crate::checks::spf::parse::clip(term))],
                ));
                dropped_sender_terms = true;
            }
            continue;
        }
        let too_many_mx = parsed
            .directives
            .first()
            .is_some_and(|d| match &d.mechanism {
                Mechanism::Mx { domain, .. } => pool.iter().any(|f| {
                    f.id == "spf-mx-too-many-names"
                        && f.message
                            .contains(&format!("for {} ", domain.as_deref().unwrap_or(name)))
                }),
                _ => false,
            });
        if too_many_mx {
            let target = match &parsed.directives[0].mechanism {
                Mechanism::Mx {
                    domain: Some(d), ..
                } => d.clone(),
                _ => name.to_string(),
            };
            let addrs = mx_addresses(ctx, &target).unwrap_or_default();
            for a in &addrs {
                let t = records::ip_term(*a);
                if !terms.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                    terms.push(t);
                }
            }
            notes.push(ctx.k.message_with("spf-mx-replaced", &[("subject", term)]));
            dropped_sender_terms |= addrs.is_empty();
            continue;
        }
        terms.push(term.to_string());
    }
    let mut fixed = terms.join(" ");
    // A term dropped without a replacement may have been what authorised the sender: the
    // sender's address takes its place unless a remaining address term already covers it.
    if let Some(ip) = ip.filter(|_| dropped_sender_terms)
        && !parse(&fixed)
            .directives
            .iter()
            .any(|d| covers(&d.mechanism, ip))
    {
        fixed = records::spf_with_ip(&fixed, ip);
        notes.push(
            ctx.k
                .message_with("spf-sender-added", &[("ip", &ip.to_string())]),
        );
    }
    if fixed == record {
        return None;
    }
    let mut d = Draft::new("spf-fix", "spf");
    // The redirect the owner meant is what was to authorise the senders the record does not
    // list: the sender is left to it rather than listed beside it (the step says to check).
    let unlisted = |f: &&Finding| {
        redirect_respelt && f.id == "spf-ip-not-authorised" && f.subject.eq_ignore_ascii_case(name)
    };
    if let Some(ip) = ctx.input.params.ip.filter(|_| pool.iter().any(unlisted)) {
        notes.push(
            ctx.k
                .message_with("spf-redirect-sender", &[("ip", &ip.to_string())]),
        );
    }
    pool.retain(|f| {
        let hit = own(f) || f.id == "spf-permerror" || unlisted(f);
        if hit {
            d.findings.push(f.id.clone());
            d.details.push(f.message.clone());
        }
        !hit
    });
    d.details.extend(notes);
    d.records.push(RecordToPublish::txt(
        name.to_string(),
        fixed.clone(),
        records::spf_publish_note(ctx.k, &fixed),
    ));
    d.wait = facts.ttl;
    out.push(d);
    Some(fixed)
}

/// One step per included record of another organisation that cannot be read: its publisher
/// repairs it (the sender cannot publish in that zone, and dropping the include would fail
/// the publisher's servers once it is repaired).
pub(super) fn vendor_terms(facts: &SpfFacts, pool: &mut Vec<&Finding>, out: &mut Vec<Draft>) {
    let own_org = org_domain(&facts.domain);
    let broken = |f: &Finding| {
        matches!(f.id.as_str(), "spf-syntax-error" | "spf-mx-too-many-names")
            && !f.subject.eq_ignore_ascii_case(&facts.domain)
            && org_domain(&f.subject) != own_org
    };
    let mut hosts: Vec<String> = pool
        .iter()
        .filter(|f| broken(f))
        .map(|f| f.subject.clone())
        .collect();
    hosts.dedup();
    for host in hosts {
        let mut d = Draft::new("spf-vendor-fix", "spf");
        pool.retain(|f| {
            let hit =
                (broken(f) && f.subject.eq_ignore_ascii_case(&host)) || f.id == "spf-permerror";
            if hit {
                d.findings.push(f.id.clone());
                d.details.push(f.message.clone());
            }
            !hit
        });
        d.vars.push(("host", host));
        d.wait = facts.ttl;
        out.push(d);
    }
}

/// Whether an address term covers `ip`.
fn covers(m: &Mechanism, ip: IpAddr) -> bool {
    match (m, ip) {
        (Mechanism::Ip4(net, len), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
            u32::from(*net) & mask == u32::from(a) & mask
        }
        (Mechanism::Ip6(net, len), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(*len)).unwrap_or(0);
            u128::from(*net) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_include_is_respelt_and_a_short_unknown_name_is_not() {
        assert_eq!(
            respelt("incude:_spf.example.com").as_deref(),
            Some("include:_spf.example.com")
        );
        assert_eq!(
            respelt("-inclde:x.example").as_deref(),
            Some("-include:x.example")
        );
        assert_eq!(respelt("ipv4:192.0.2.1").as_deref(), Some("ip4:192.0.2.1"));
        assert_eq!(
            respelt("exits:%{i}.x.example").as_deref(),
            Some("exists:%{i}.x.example")
        );
        assert_eq!(respelt("foo:bar.example"), None);
        // The openspf suite's `redirect:t2.example.com` (its test "redirect-is-modifier", a permerror).
        assert_eq!(
            respelt("redirect:t2.example.com").as_deref(),
            Some("redirect=t2.example.com")
        );
        let open = parse("v=spf1 ip4:192.0.2.1 redirct=_spf.example.com");
        assert_eq!(
            respelt_redirect("redirct=_spf.example.com", &open).as_deref(),
            Some("redirect=_spf.example.com")
        );
        let closed = parse("v=spf1 ip4:192.0.2.1 redirct=_spf.example.com -all");
        assert_eq!(respelt_redirect("redirct=_spf.example.com", &closed), None);
        assert_eq!(respelt_redirect("foo=bar", &open), None);
    }

    #[test]
    fn address_terms_cover_their_prefix_only() {
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        assert!(covers(
            &Mechanism::Ip4("192.0.2.0".parse().unwrap(), 24),
            ip
        ));
        assert!(!covers(
            &Mechanism::Ip4("192.0.3.0".parse().unwrap(), 24),
            ip
        ));
        assert!(covers(&Mechanism::Ip4("0.0.0.0".parse().unwrap(), 0), ip));
    }
}
