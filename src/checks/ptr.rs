//! PTR check: reverse DNS of the sending IP, forward confirmation (FCrDNS), HELO match, generic names.

use crate::checks::types::{CheckParams, PtrFacts, PtrName, Status};
use crate::checks::{normalise, org_domain};
use crate::dns::{Answer, Dns, RType, Rdata};
use crate::finding::{Check, Finding, Severity, finding};
use futures::future::join_all;
use std::net::IpAddr;
use std::sync::Arc;

/// RFC 7208 section 4.6.4 and RFC 8601 iprev practice: only the first 10 PTR names are checked.
const PTR_NAME_LIMIT: usize = 10;
const MX_HOST_LIMIT: usize = 10;

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Ptr, sev, subject, msg)
}

fn failed(subject: &str, what: &str, a: &Answer) -> Finding {
    f(
        "ptr-lookup-failed",
        Severity::Warning,
        subject,
        format!(
            "The {what} lookup for {subject} failed ({}); reverse DNS could not be checked.",
            crate::checks::spf::tree::outcome_text(&a.outcome)
        ),
    )
    .with_queries([a.id])
    .inconclusive()
}

/// Why a PTR name is no host name, or `None`. A host name's labels hold letters, digits and
/// hyphens (RFC 1123 section 2.1; underscores are let through, as MTAs do): a receiver that
/// finds anything else in the PTR name (Postfix's `valid_hostname`) treats the client as
/// "unknown" without asking its addresses, so such a name confirms nothing, whatever a
/// wildcard (`*.pool.example`) would answer for it.
fn not_host_name(name: &str) -> Option<String> {
    if name.contains("\\.") {
        return Some("a label holds a dot, RFC 1035 section 5.1".into());
    }
    if name.contains('\\') {
        return Some("a label holds octets written as escapes, RFC 1035 section 5.1".into());
    }
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))?;
    Some(format!(
        "a label holds `{bad}`, which RFC 1123 section 2.1 does not allow in a host name"
    ))
}

async fn forward(dns: &Dns, name: &str, ip: IpAddr) -> Arc<Answer> {
    let rtype = if ip.is_ipv4() { RType::A } else { RType::AAAA };
    dns.query(name, rtype).await
}

fn ptr_names(a: &Answer) -> Vec<String> {
    a.records
        .iter()
        .filter_map(|r| match r {
            // The root name ("." on the wire) normalises to "": show it as "." so a PTR that
            // points at the root reads as such, not as an empty name.
            Rdata::PTR(n) => Some(
                Some(normalise(n))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| ".".into()),
            ),
            _ => None,
        })
        .collect()
}

pub async fn check(dns: &Dns, params: &CheckParams) -> (PtrFacts, Vec<Finding>) {
    let mut facts = PtrFacts {
        status: Status::Complete,
        ip: params.ip,
        names: Vec::new(),
        fcrdns: None,
        helo: params.helo.clone(),
        helo_matches: None,
        ttl: None,
        mx_hosts: Vec::new(),
    };
    let mut out = Vec::new();
    if let Some(literal) = params.helo_literal {
        out.push(helo_literal(literal, params.ip));
    }
    let Some(ip) = params.ip else {
        let domain = normalise(&params.domain);
        out.push(f("ptr-no-ip", Severity::Info, &domain, "The sending IP is needed to check its reverse DNS: run again with `--ip <sending IP>`. Meanwhile the domain's MX hosts were checked.".to_string()));
        mx_hosts(dns, &domain, &mut facts, &mut out).await;
        return (facts, out);
    };
    // An IPv4-mapped address (`::ffff:192.0.2.1`, RFC 4291 section 2.5.5.2) is an IPv4
    // client: its PTR lives under in-addr.arpa and its names confirm through A records.
    let ip = ip.to_canonical();
    let subject = ip.to_string();
    let helo = params.helo.as_deref().map(normalise);
    let rev = dns.reverse(ip);
    let helo_fwd = async {
        match &helo {
            Some(h) => Some(forward(dns, h, ip).await),
            None => None,
        }
    };
    let (rev, helo_fwd) = futures::join!(rev, helo_fwd);
    facts.ttl = rev.ttl;
    if rev.outcome.is_trouble() {
        facts.status = Status::Inconclusive;
        out.push(failed(&subject, "PTR", &rev));
        return (facts, out);
    }
    let names = ptr_names(&rev);
    if names.is_empty() {
        out.push(f("ptr-missing", Severity::Error, &subject, format!("{ip} has no reverse DNS (PTR) record ({}); most large receivers reject or junk mail from such IPs. Ask whoever owns the IP block to publish one.", rev.outcome.label())).with_queries([rev.id]));
        facts.fcrdns = Some(false);
        return (facts, out);
    }
    if names.len() > PTR_NAME_LIMIT {
        out.push(f("ptr-too-many-names", Severity::Warning, &subject, format!("{ip} has {} PTR names; receivers check at most {PTR_NAME_LIMIT}, so keep exactly one.", names.len())).with_queries([rev.id]));
    }
    let checked: Vec<String> = names.iter().take(PTR_NAME_LIMIT).cloned().collect();
    // A PTR target that is an address literal names no host (RFC 1035 section 3.3.12: PTR
    // holds a domain name): nothing is looked up for it, and it confirms nothing.
    let fwd = join_all(checked.iter().map(|n| async move {
        match crate::checks::mx::ip_literal(n) {
            Some(_) => None,
            // A dot inside a label (`mail\.example.com`, two labels), or an octet that is not
            // text (`\255`), names no host either (RFC 1123 section 2.1).
            None if not_host_name(n).is_some() => None,
            None => Some(forward(dns, n, ip).await),
        }
    }))
    .await;
    let mut q = vec![rev.id];
    let mut unknown = Vec::new();
    for (name, a) in checked.iter().zip(&fwd) {
        let Some(a) = a else {
            facts.names.push(PtrName {
                name: name.clone(),
                addresses: Vec::new(),
                confirms: false,
            });
            continue;
        };
        q.push(a.id);
        if a.outcome.is_trouble() {
            unknown.push(a.clone());
        }
        let addresses = a.ips();
        let confirms = addresses.contains(&ip);
        facts.names.push(PtrName {
            name: name.clone(),
            addresses,
            confirms,
        });
    }
    // FCrDNS holds when each PTR name resolves back to the IP; a name whose forward lookup
    // failed is unknown, not unconfirmed.
    let failing: Vec<String> = facts
        .names
        .iter()
        .zip(&fwd)
        .filter(|(n, a)| !n.confirms && a.as_ref().is_none_or(|a| !a.outcome.is_trouble()))
        .map(|(n, a)| match a {
            Some(_) if in_reverse_tree(&n.name) => format!(
                "{} (inside the reverse tree: a zone-file PTR without its trailing dot gets the zone's name appended)",
                n.name
            ),
            Some(_) => n.name.clone(),
            None if crate::checks::mx::ip_literal(&n.name).is_some() => {
                format!("{} (an address literal, not a host name)", n.name)
            }
            None => format!(
                "{} ({}: not a host name)",
                n.name,
                not_host_name(&n.name).unwrap_or_default()
            ),
        })
        .collect();
    let confirmed = facts.names.iter().filter(|n| n.confirms).count();
    for a in &unknown {
        out.push(failed(&a.name, a.rtype.as_str(), a));
    }
    if !failing.is_empty() {
        facts.fcrdns = Some(false);
        let (sev, msg) = if confirmed == 0 {
            (
                Severity::Error,
                format!(
                    "No PTR name of {ip} ({}) resolves back to {ip}: forward-confirmed reverse DNS fails. Publish an A/AAAA record for the PTR name pointing to {ip}.",
                    failing.join(", ")
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "Not every PTR name of {ip} resolves back to it; these do not: {}. Receivers that check each name fail forward-confirmed reverse DNS; publish A/AAAA records for them pointing to {ip}, or remove those PTR records.",
                    failing.join(", ")
                ),
            )
        };
        out.push(f("ptr-not-confirmed", sev, &subject, msg).with_queries(q.clone()));
    } else if unknown.is_empty() {
        facts.fcrdns = Some(true);
    } else {
        facts.status = Status::Inconclusive;
    }
    for n in &checked {
        if is_generic(n, ip) {
            out.push(f("ptr-generic-name", Severity::Warning, n, format!("The PTR name {n} of {ip} looks generic (dynamic/residential pattern); receivers score such names as spam sources. Ask for a PTR that names your mail server, e.g. mail.<your domain>.")).with_queries([rev.id]));
            break;
        }
    }
    if let (Some(h), Some(hf)) = (helo, helo_fwd) {
        q.push(hf.id);
        let resolves = hf.ips().contains(&ip);
        let named = checked
            .iter()
            .any(|n| *n == h || org_domain(n) == org_domain(&h));
        facts.helo_matches = Some(resolves && named);
        if hf.outcome.is_trouble() {
            facts.status = Status::Inconclusive;
            out.push(failed(&h, hf.rtype.as_str(), &hf));
        } else if !(resolves && named) {
            let why = match (resolves, named) {
                (false, false) => format!("does not resolve to {ip} and matches no PTR name"),
                (false, true) => format!("does not resolve to {ip}"),
                _ => format!("matches no PTR name of {ip} ({})", checked.join(", ")),
            };
            out.push(f("ptr-helo-mismatch", Severity::Warning, &h, format!("The HELO name {h} {why}; use a HELO name that is the IP's PTR name and resolves to it.")).with_queries(q));
        }
    }
    (facts, out)
}

/// A server that announces an address literal instead of its name: nothing to look up, but
/// receivers can then match neither the PTR nor SPF's HELO identity (RFC 7208 section 2.3).
fn helo_literal(literal: IpAddr, ip: Option<IpAddr>) -> Finding {
    let shown = crate::checks::types::address_literal(literal);
    let other = match ip.map(|i| i.to_canonical()) {
        Some(ip) if ip != literal => {
            format!(" It is not even the connecting address {ip}.")
        }
        _ => String::new(),
    };
    f(
        "ptr-helo-address-literal",
        Severity::Warning,
        &shown,
        format!(
            "The server announces itself in HELO/EHLO as the address literal {shown}, not a host name.{other} RFC 5321 (section 4.1.4) allows a literal only to a client that has no name; receivers cannot compare it with the IP's PTR name or check SPF for the HELO identity, and many spam filters score it or refuse the connection. Make the server announce the IP's PTR name, one that resolves back to the IP."
        ),
    )
}

/// Without a sending IP: forward-confirmed reverse DNS of the domain's MX hosts.
async fn mx_hosts(dns: &Dns, domain: &str, facts: &mut PtrFacts, out: &mut Vec<Finding>) {
    let mx = dns.query(domain, RType::MX).await;
    if mx.outcome.is_trouble() {
        facts.status = Status::Inconclusive;
        out.push(failed(domain, "MX", &mx));
        return;
    }
    let hosts: Vec<String> = mx
        .records
        .iter()
        .filter_map(|r| match r {
            Rdata::MX { exchange, .. } if !exchange.is_empty() => Some(exchange.clone()),
            _ => None,
        })
        // An address literal is no host to look up; the MX check reports it.
        .filter(|h| crate::checks::mx::ip_literal(h).is_none())
        .take(MX_HOST_LIMIT)
        .collect();
    let addrs = join_all(hosts.iter().map(|h| crate::checks::mx::addresses(dns, h))).await;
    let mut pairs: Vec<(String, IpAddr)> = Vec::new();
    for (h, (a, aaaa)) in hosts.iter().zip(addrs) {
        for bad in [&a, &aaaa].into_iter().filter(|x| x.outcome.is_trouble()) {
            facts.status = Status::Inconclusive;
            out.push(failed(h, bad.rtype.as_str(), bad));
        }
        pairs.extend(
            a.ips()
                .into_iter()
                .chain(aaaa.ips())
                .take(2)
                .map(|ip| (h.clone(), ip)),
        );
    }
    let checks = join_all(pairs.iter().map(|(_, ip)| async move {
        let rev = dns.reverse(*ip).await;
        let names = ptr_names(&rev);
        let fwd = join_all(
            names
                .iter()
                .take(PTR_NAME_LIMIT)
                .map(|n| forward(dns, n, *ip)),
        )
        .await;
        (rev, fwd)
    }))
    .await;
    for ((host, ip), (rev, fwd)) in pairs.into_iter().zip(checks) {
        let ok = !fwd.is_empty() && fwd.iter().all(|a| a.ips().contains(&ip));
        facts.mx_hosts.push((host.clone(), ip, ok));
        if ok {
            continue;
        }
        let trouble: Vec<&Arc<Answer>> = std::iter::once(&rev)
            .chain(&fwd)
            .filter(|a| a.outcome.is_trouble())
            .collect();
        if !trouble.is_empty() {
            facts.status = Status::Inconclusive;
            for a in trouble {
                let subject = if a.rtype == RType::PTR {
                    ip.to_string()
                } else {
                    a.name.clone()
                };
                out.push(failed(&subject, a.rtype.as_str(), a));
            }
            continue;
        }
        let failing: Vec<&str> = fwd
            .iter()
            .filter(|a| !a.ips().contains(&ip))
            .map(|a| a.name.as_str())
            .collect();
        let why = if fwd.is_empty() {
            "no PTR record".to_string()
        } else {
            format!("PTR names that do not resolve back: {}", failing.join(", "))
        };
        let q = std::iter::once(rev.id).chain(fwd.iter().map(|a| a.id));
        out.push(f("ptr-mx-host-not-confirmed", Severity::Warning, &host, format!("The MX host {host} ({ip}) has no forward-confirmed reverse DNS ({why}); if it also sends mail, receivers will distrust it.")).with_queries(q));
    }
}

/// True for a name under `in-addr.arpa` or `ip6.arpa`: no mail host lives there, so a PTR
/// target there is a relative name that took the reverse zone's origin (RFC 1035 section 5.1).
fn in_reverse_tree(name: &str) -> bool {
    name.ends_with(".in-addr.arpa") || name.ends_with(".ip6.arpa")
}

/// True when a PTR name looks like an ISP's generic per-address name.
pub fn is_generic(name: &str, ip: IpAddr) -> bool {
    let lower = name.to_ascii_lowercase();
    const WORDS: [&str; 14] = [
        "dynamic",
        "dyn-",
        "dhcp",
        "pool",
        "dsl",
        "cable",
        "dialup",
        "dial-up",
        "ppp",
        "client",
        "customer",
        "static-ip",
        "broadband",
        "unassigned",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let first = lower.split('.').next().unwrap_or_default();
    let generic_prefix = ["host", "ip", "h", "ec2"].iter().any(|p| {
        first.strip_prefix(p).is_some_and(|r| {
            r.trim_start_matches('-')
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
    });
    if generic_prefix {
        return true;
    }
    let IpAddr::V4(v4) = ip else { return false };
    let octets = v4.octets();
    let tokens: Vec<u32> = lower
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect();
    let all_octets = octets.iter().all(|o| tokens.contains(&u32::from(*o)));
    let padded: String = octets.iter().map(|o| format!("{o:03}")).collect();
    let plain: String = octets.iter().map(u8::to_string).collect();
    all_octets || lower.contains(&padded) || (plain.len() >= 8 && lower.contains(&plain))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn generic_names_are_recognised_and_mail_server_names_are_not() {
        let ip: IpAddr = "203.0.113.45".parse().unwrap();
        for g in [
            "203-0-113-45.static.example.net",
            "45.113.0.203.in-addr.example.net",
            "dynamic-77.isp.example",
            "host-203-0.example.com",
            "ip203000113045.example.com",
            "adsl-1.example.net",
            "cpe-client.example.org",
        ] {
            assert!(is_generic(g, ip), "{g}");
        }
        for ok in [
            "mail.example.com",
            "mx1.example.net",
            "smtp-out.example.org",
            "o1.email.example.com",
        ] {
            assert!(!is_generic(ok, ip), "{ok}");
        }
    }
}
