//! MX check: mail exchangers exist, resolve, are not CNAMEs or address literals; null MX; implicit MX.

use crate::checks::types::{CheckParams, MxFacts, MxHost, Status};
use crate::checks::{domain_of, normalise};
use crate::dns::{Answer, Dns, Outcome, RType, Rdata};
use crate::finding::{Check, Finding, Severity, finding};
use futures::future::join_all;
use std::net::IpAddr;
use std::sync::Arc;

/// Hosts resolved per domain; more than this is hostile.
const MAX_HOSTS: usize = 50;

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Mx, sev, subject, msg)
}

fn failed(subject: &str, what: &str, a: &Answer) -> Finding {
    f(
        "mx-lookup-failed",
        Severity::Warning,
        subject,
        format!(
            "The {what} lookup for {subject} failed ({}); MX could not be checked.",
            crate::checks::spf::tree::outcome_text(&a.outcome)
        ),
    )
    .with_queries([a.id])
    .inconclusive()
}

/// A and AAAA of `name`, concurrently.
pub async fn addresses(dns: &Dns, name: &str) -> (Arc<Answer>, Arc<Answer>) {
    futures::join!(dns.query(name, RType::A), dns.query(name, RType::AAAA))
}

/// The address an MX target written as an address literal stands for: `192.0.2.26`,
/// `[192.0.2.26]` or `[IPv6:2001:db8::25]` (RFC 5321 section 4.1.3 form). Such a target is not
/// a host name, so there is nothing to look up: senders treat it as a name that does not resolve.
pub fn ip_literal(host: &str) -> Option<IpAddr> {
    let h = host.trim().trim_end_matches('.');
    let inner = h
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(h);
    let inner = inner
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("ipv6:"))
        .map_or(inner, |_| &inner[5..]);
    inner.parse().ok()
}

/// A null MX as published: a root target under another preference than 0 is not RFC 7505's
/// form, but it names no host to deliver to all the same.
fn null_form(pref: u16) -> String {
    if pref == 0 {
        "`MX 0 .`, RFC 7505".to_string()
    } else {
        format!(
            "`MX {pref} .`: RFC 7505 writes it with preference 0, and a root target names no host under any preference"
        )
    }
}

/// Why `ip` is no address a sender can deliver to, or `None`: the unspecified address (and
/// the rest of 0.0.0.0/8, "this network") is never a destination, and a loopback address is
/// the sender itself (RFC 1122 section 3.2.1.3, RFC 6890 section 2.2.2, RFC 4291 sections
/// 2.5.2 and 2.5.3). Filtering resolvers answer the names they block with exactly these.
fn local_address(ip: IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) if v4.octets()[0] == 0 => Some("0.0.0.0/8, never a destination"),
        IpAddr::V4(v4) if v4.is_loopback() => Some("loopback"),
        IpAddr::V6(v6) if v6.is_unspecified() => Some("the unspecified address"),
        IpAddr::V6(v6) if v6.is_loopback() => Some("loopback"),
        _ => None,
    }
}

/// `mx-target-local-address` for an MX host that resolves to a loopback or unspecified
/// address (an error when it resolves to nothing else), or `None`.
fn local_addresses(host: &str, domain: &str, addrs: &[IpAddr]) -> Option<Finding> {
    let local: Vec<String> = addrs
        .iter()
        .filter_map(|ip| local_address(*ip).map(|why| format!("{ip} ({why})")))
        .collect();
    if local.is_empty() {
        return None;
    }
    let only = local.len() == addrs.len();
    let (sev, reach) = if only {
        (Severity::Error, "and to nothing else")
    } else {
        (Severity::Warning, "beside its other addresses")
    };
    Some(f(
        "mx-target-local-address",
        sev,
        host,
        format!(
            "The MX host {host} of {domain} resolves to {} {reach}: a sender connecting there reaches itself or no one, so mail to {domain} (bounces included) cannot be delivered through that address. If the zone publishes a real address for {host}, the resolver asked answered in its place (filtering resolvers answer the names they block with 0.0.0.0 or 127.0.0.1): check again through another resolver.",
            local.join(", ")
        ),
    ))
}

pub async fn check(dns: &Dns, params: &CheckParams) -> (MxFacts, Vec<Finding>) {
    let (facts, mut out) = check_domain(dns, params).await;
    // The MAIL FROM domain receives the bounces: a null MX there makes receivers refuse the
    // mail (RFC 7505 section 4.2, X.7.27) even when the From domain's MX is fine.
    let domain = normalise(&params.domain);
    if let Some(rp) = params.mail_from.as_deref().map(domain_of)
        && !rp.is_empty()
        && rp != domain
    {
        let mx = dns.query(&rp, RType::MX).await;
        let null = mx.records.iter().find_map(|r| match r {
            Rdata::MX {
                preference,
                exchange,
            } if exchange.is_empty() => Some(*preference),
            _ => None,
        });
        if mx.outcome.is_trouble() {
            // Trouble is said as such: an unanswered return-path MX is no pass.
            out.push(failed(&rp, "MX (MAIL FROM domain)", &mx));
        } else if let Some(pref) = null {
            let form = null_form(pref);
            let mut fd = f("mx-null", Severity::Error, &rp, format!("{rp}, the MAIL FROM (return-path) domain, publishes a null MX ({form}): it declares it accepts no mail, so bounces cannot reach it and receivers reject mail sent with it (X.7.27).")).with_queries([mx.id]);
            fd.location = mx.location.clone();
            out.push(fd);
        } else if params.reply_checks.iter().any(|c| c == "mx")
            && !mx.records.iter().any(|r| matches!(r, Rdata::MX { .. }))
        {
            // No MX and no address either: a receiver checking that the sender's domain can
            // take bounces (Postfix's reject_unknown_sender_domain, X.1.8) finds no domain.
            // Asked only when the reply is about the sender's address: a return path that
            // only sends (an ESP's, reached through a CNAME) needs no MX elsewhere.
            let (a, aaaa) = addresses(dns, &rp).await;
            let q = [mx.id, a.id, aaaa.id];
            if let Some(bad) = [&a, &aaaa].into_iter().find(|x| x.outcome.is_trouble()) {
                out.push(failed(&rp, bad.rtype.as_str(), bad));
            } else if a.ips().is_empty() && aaaa.ips().is_empty() {
                out.push(f("mx-missing", Severity::Warning, &rp, format!("{rp}, the MAIL FROM (return-path) domain, has no MX record and no address: bounces to it cannot be delivered, and receivers that check the sender's domain refuse mail sent with it (X.1.8).")).with_queries(q));
            }
        }
    }
    (facts, out)
}

async fn check_domain(dns: &Dns, params: &CheckParams) -> (MxFacts, Vec<Finding>) {
    let domain = normalise(&params.domain);
    let mut out = Vec::new();
    let mut facts = MxFacts {
        status: Status::Complete,
        hosts: Vec::new(),
        null_mx: false,
        implicit: false,
        ttl: None,
    };
    let mx = dns.query(&domain, RType::MX).await;
    facts.ttl = mx.ttl;
    if mx.outcome.is_trouble() {
        facts.status = Status::Inconclusive;
        out.push(failed(&domain, "MX", &mx));
        return (facts, out);
    }
    let mut records: Vec<(u16, String)> = mx
        .records
        .iter()
        .filter_map(|r| match r {
            Rdata::MX {
                preference,
                exchange,
            } => Some((*preference, exchange.clone())),
            _ => None,
        })
        .collect();
    records.sort();
    if records.is_empty() {
        let (a, aaaa) = addresses(dns, &domain).await;
        let q = [mx.id, a.id, aaaa.id];
        if let Some(bad) = [&a, &aaaa].into_iter().find(|x| x.outcome.is_trouble()) {
            facts.status = Status::Inconclusive;
            out.push(failed(&domain, bad.rtype.as_str(), bad));
        } else if !a.ips().is_empty() || !aaaa.ips().is_empty() {
            facts.implicit = true;
            out.push(f("mx-implicit", Severity::Info, &domain, format!("{domain} has no MX record; mail to it goes to its A/AAAA address (implicit MX, RFC 5321 section 5.1).")).with_queries(q));
        } else {
            out.push(f("mx-missing", Severity::Warning, &domain, format!("{domain} has no MX record and no address: bounces and replies to it cannot be delivered, and many receivers reject senders whose domain cannot receive mail.")).with_queries(q));
        }
        return (facts, out);
    }
    if records.iter().any(|(_, e)| e.is_empty()) {
        facts.null_mx = true;
        let sending = params
            .mail_from
            .as_deref()
            .map(domain_of)
            .is_none_or(|d| d == domain);
        let sev = if sending {
            Severity::Error
        } else {
            Severity::Info
        };
        let pref = records
            .iter()
            .find(|(_, e)| e.is_empty())
            .map_or(0, |(p, _)| *p);
        let form = null_form(pref);
        let mut fd = f("mx-null", sev, &domain, format!("{domain} publishes a null MX ({form}): it declares it accepts no mail, and receivers reject mail sent from it (X.7.27).")).with_queries([mx.id]);
        fd.location = mx.location.clone();
        out.push(fd);
        let others: Vec<&str> = records
            .iter()
            .filter(|(_, e)| !e.is_empty())
            .map(|(_, e)| e.as_str())
            .collect();
        if !others.is_empty() {
            // RFC 7505 section 3: a null MX must be the only MX; senders then ignore it or
            // the others, each in its own way.
            let mut fd = f("mx-null-with-other-records", Severity::Error, &domain, format!("{domain} publishes a null MX (`MX {pref} .`) alongside other MX records ({}); RFC 7505 section 3 forbids that, and senders disagree on whether the domain accepts mail. Keep either the null MX alone or only the real mail exchangers.", others.join(", "))).with_queries([mx.id]);
            fd.location = mx.location.clone();
            out.push(fd);
        }
        if others.is_empty() {
            return (facts, out);
        }
        // Senders that do not read the root target as a null MX deliver to the other hosts
        // (in preference order, the root last or first as published): they are checked as any
        // exchange is, so a dead one beside the root is not hidden behind the null MX finding.
        records.retain(|(_, e)| !e.is_empty());
    }
    if records.len() > MAX_HOSTS {
        // Receivers try a handful at most; checking a thousand would only slow the run. The
        // bound is stated so no one reads "all hosts fine" from the ones not looked at.
        let total = records.len();
        let last = &records[MAX_HOSTS - 1];
        out.push(f("mx-hosts-bounded", Severity::Info, &domain, format!("{domain} publishes {total} MX records; mailtriage checked the {MAX_HOSTS} most preferred (up to preference {}, {}) and not the other {}. Senders try only the first few, so a set this large usually holds stale or generated entries.", last.0, last.1, total - MAX_HOSTS)).with_queries([mx.id]));
        records.truncate(MAX_HOSTS);
    }
    let (literals, names): (Vec<_>, Vec<_>) = records
        .into_iter()
        .partition(|(_, e)| ip_literal(e).is_some());
    for (pref, host) in literals {
        let ip = ip_literal(&host).map(|a| a.to_string()).unwrap_or_default();
        let mut fd = f("mx-target-ip-literal", Severity::Error, &host, format!("The MX record of {domain} names `{host}`, the address literal {ip}, not a host name: senders look it up as a name, find nothing and cannot deliver mail (bounces included) to {domain} through it. Publish a host name with an A/AAAA record for {ip} and point the MX at that name (RFC 5321 section 5.1).")).with_queries([mx.id]);
        fd.location = mx.location.clone();
        out.push(fd);
        facts.hosts.push(MxHost {
            preference: pref,
            host,
            addresses: Vec::new(),
            problem: Some("IP literal".to_string()),
        });
    }
    let lookups = names.iter().map(|(_, e)| addresses(dns, e));
    let resolved = join_all(lookups).await;
    for ((pref, host), (a, aaaa)) in names.into_iter().zip(resolved) {
        let q = [mx.id, a.id, aaaa.id];
        let mut problem = None;
        let addrs: Vec<IpAddr> = a.ips().into_iter().chain(aaaa.ips()).collect();
        if let Some(bad) = [&a, &aaaa].into_iter().find(|x| x.outcome.is_trouble()) {
            facts.status = Status::Inconclusive;
            problem = Some(format!("lookup failed: {}", bad.outcome.label()));
            out.push(failed(&host, bad.rtype.as_str(), bad));
        } else if addrs.is_empty() {
            problem = Some("does not resolve".to_string());
            let why = if matches!(a.outcome, Outcome::NxDomain) {
                "does not exist"
            } else {
                "has no A or AAAA record"
            };
            out.push(f("mx-target-unresolvable", Severity::Error, &host, format!("The MX host {host} of {domain} {why}: mail to {domain} (including bounces) cannot be delivered to it.")).with_queries(q));
        } else if let Some(fd) = local_addresses(&host, &domain, &addrs) {
            problem = Some("loopback or unspecified address".to_string());
            out.push(fd.with_queries(q));
        }
        if let Some(target) = a.cname_chain.first().or(aaaa.cname_chain.first()) {
            problem.get_or_insert_with(|| format!("CNAME to {target}"));
            out.push(f("mx-target-cname", Severity::Warning, &host, format!("The MX host {host} of {domain} is a CNAME (to {target}); RFC 2181 section 10.3 forbids it and some senders refuse to follow it.")).with_queries(q));
        }
        facts.hosts.push(MxHost {
            preference: pref,
            host,
            addresses: addrs,
            problem,
        });
    }
    facts.hosts.sort_by_key(|h| h.preference);
    (facts, out)
}
