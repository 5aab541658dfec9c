//! check_host() for a sending IP via mail-auth, plus a best-effort account of which term matched.

use super::parse::{Mechanism, Qualifier};
use super::tree::Walk;
use crate::dns::Dns;
use mail_auth::SpfResult;
use mail_auth::spf::verify::SpfParameters;
use std::net::IpAddr;

/// The RFC 7208 result name of a mail-auth result.
pub fn result_name(r: SpfResult) -> &'static str {
    match r {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

/// Runs check_host() for the MAIL FROM identity (`sender` may be empty: then the HELO identity).
pub async fn check_host(dns: &Dns, ip: IpAddr, helo: &str, sender: &str) -> &'static str {
    let params = SpfParameters::verify_mail_from(ip, helo, "mailtriage.invalid", sender);
    let out = dns.authenticator().verify_spf(params).await;
    result_name(out.result())
}

/// Outcome of replaying the walked tree against an IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Matched { qualifier: Qualifier, term: String },
    NoMatch,
    Unknown,
}

/// Which term of the walked tree matches `ip`, when it can be told from the walk alone.
pub fn matched_term(walk: &Walk, ip: IpAddr) -> Match {
    replay(walk, 0, ip, 0)
}

fn replay(walk: &Walk, i: usize, ip: IpAddr, depth: usize) -> Match {
    let Some(node) = walk.nodes.get(i) else {
        return Match::Unknown;
    };
    let Some(rec) = node.parsed.as_ref() else {
        return Match::Unknown;
    };
    if depth > super::tree::MAX_DEPTH || !rec.errors.is_empty() {
        return Match::Unknown;
    }
    for (d, dir) in rec.directives.iter().enumerate() {
        let hit = match &dir.mechanism {
            Mechanism::All => true,
            Mechanism::Ip4(net, len) => in_net(ip, IpAddr::V4(*net), *len),
            Mechanism::Ip6(net, len) => in_net(ip, IpAddr::V6(*net), *len),
            Mechanism::A { cidr4, cidr6, .. } | Mechanism::Mx { cidr4, cidr6, .. } => {
                match node.targets.get(&d) {
                    Some(r) if !r.trouble => r
                        .addresses
                        .iter()
                        .any(|a| in_net(ip, *a, if a.is_ipv4() { *cidr4 } else { *cidr6 })),
                    _ => return Match::Unknown,
                }
            }
            Mechanism::Include(target) => {
                let child = node.children.iter().copied().find(|&c| {
                    walk.nodes
                        .get(c)
                        .is_some_and(|n| n.via == "include" && &n.domain == target)
                });
                match child.map(|c| replay(walk, c, ip, depth + 1)) {
                    Some(Match::Matched {
                        qualifier: Qualifier::Pass,
                        term,
                    }) => {
                        return Match::Matched {
                            qualifier: dir.qualifier,
                            term: format!("{} > {term}", dir.text),
                        };
                    }
                    Some(Match::Matched { .. } | Match::NoMatch) => false,
                    _ => return Match::Unknown,
                }
            }
            Mechanism::Ptr(_) | Mechanism::Exists(_) => return Match::Unknown,
        };
        if hit {
            return Match::Matched {
                qualifier: dir.qualifier,
                term: dir.text.clone(),
            };
        }
    }
    if rec.effective_redirect().is_some() {
        let child = node
            .children
            .iter()
            .copied()
            .find(|&c| walk.nodes.get(c).is_some_and(|n| n.via == "redirect"));
        return match child {
            Some(c) => match replay(walk, c, ip, depth + 1) {
                Match::Matched { qualifier, term } => Match::Matched {
                    qualifier,
                    term: format!("redirect={} > {term}", walk.nodes[c].domain),
                },
                other => other,
            },
            None => Match::Unknown,
        };
    }
    Match::NoMatch
}

/// True when `ip` is inside `net/len`; IPv4-mapped IPv6 addresses compare as IPv4.
pub fn in_net(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(len.min(32)))
                .unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(len.min(128)))
                .unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn replay_result(walk: &Walk) -> Option<&'static str> {
    let ip = walk.ip?;
    match matched_term(walk, ip) {
        Match::Matched { qualifier, .. } => Some(qualifier.result()),
        Match::NoMatch => Some("neutral"),
        Match::Unknown => None,
    }
}

/// RFC 7208 section 4.6: a record with a syntax error, or two records, is a permerror before any
/// term is evaluated; mail-auth skips unknown terms and takes the first record, so the walk decides.
pub fn combine(mail_auth: &'static str, walk: &Walk) -> &'static str {
    let root_broken = walk.nodes.first().is_some_and(|n| {
        n.parsed.as_ref().is_some_and(|r| !r.errors.is_empty())
            || n.error
                .as_deref()
                .is_some_and(|e| e.contains("SPF records"))
    });
    if root_broken && mail_auth != "temperror" && mail_auth != "none" {
        return "permerror";
    }
    // mail-auth refuses some records RFC 7208 accepts (modifier names with `.`, `-`, `_`); when the
    // whole walked tree is sound and within limits, the replay of the tree is the better answer.
    let sound = !walk.truncated
        && walk.problems.is_empty()
        && walk.lookups() <= super::tree::LOOKUP_LIMIT
        && walk.nodes.iter().all(|n| n.parsed.is_some());
    if mail_auth == "permerror" && sound {
        return match replay_result(walk) {
            Some(r) => r,
            None => mail_auth,
        };
    }
    mail_auth
}

/// The domain check_host() runs for: the MAIL FROM domain, else the HELO name.
pub fn identity_domain(helo: &str, sender: &str) -> String {
    sender
        .rsplit_once('@')
        .map_or(helo, |(_, d)| d)
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// check_host() for one identity, with the walk of its tree: the path the RFC 7208 suite runs.
pub async fn evaluate(dns: &Dns, ip: IpAddr, helo: &str, sender: &str) -> (&'static str, Walk) {
    let domain = identity_domain(helo, sender);
    let (res, walk) = futures::join!(
        check_host(dns, ip, helo, sender),
        super::tree::walk(dns, &domain, Some(ip))
    );
    (combine(res, &walk), walk)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn networks_match_by_prefix() {
        let ip: IpAddr = "192.0.2.77".parse().unwrap();
        assert!(in_net(ip, "192.0.2.0".parse().unwrap(), 24));
        assert!(!in_net(ip, "192.0.3.0".parse().unwrap(), 24));
        assert!(in_net(ip, "0.0.0.0".parse().unwrap(), 0));
        let mapped: IpAddr = "::ffff:192.0.2.77".parse().unwrap();
        assert!(in_net(mapped, "192.0.2.77".parse().unwrap(), 32));
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(in_net(v6, "2001:db8::".parse().unwrap(), 32));
        assert!(!in_net(v6, "192.0.2.0".parse().unwrap(), 24));
    }
}
