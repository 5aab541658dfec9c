//! Replays check_host() over the walked tree for one IP: which term matches, and whether the
//! evaluation reaches a permerror (a broken record or a limit) before any term matches.

use super::parse::{Mechanism, Qualifier};
use super::targets::{MX_NAME_LIMIT, Resolved, TargetKind};
use super::tree::{LOOKUP_LIMIT, MAX_DEPTH, Node, VOID_LIMIT, Walk};
use std::net::IpAddr;

/// Outcome of replaying the walked tree against an IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Matched {
        qualifier: Qualifier,
        term: String,
    },
    /// No term matched and there is no redirect: neutral.
    NoTerm,
    /// RFC 7208 says permerror before any term matched: why, naming the record.
    PermError(String),
    /// A lookup the evaluation reaches failed (timeout, SERVFAIL): why, naming the name.
    TempError(String),
    /// The walk alone cannot tell (macros without the sending identity, a capped walk).
    Unknown,
}

/// Which term of the walked tree matches `ip`, when it can be told from the walk alone.
pub fn matched_term(walk: &Walk, ip: IpAddr) -> Match {
    Replay {
        walk,
        ip,
        lookups: 0,
        void: 0,
    }
    .node(0, 0)
}

/// The check_host() result the replay arrives at, when it arrives at one.
pub fn replay_result(walk: &Walk) -> Option<&'static str> {
    let ip = walk.ip?;
    match matched_term(walk, ip) {
        Match::Matched { qualifier, .. } => Some(qualifier.result()),
        Match::NoTerm => Some("neutral"),
        Match::PermError(_) => Some("permerror"),
        Match::TempError(_) => Some("temperror"),
        Match::Unknown => None,
    }
}

/// One evaluation: the DNS-querying terms and the void answers counted so far, over the whole
/// evaluation as RFC 7208 section 4.6.4 counts them (not per record).
struct Replay<'a> {
    walk: &'a Walk,
    ip: IpAddr,
    lookups: u32,
    void: u32,
}

impl Replay<'_> {
    /// A term that queries the DNS: over the limit is a permerror before the query is sent.
    fn lookup(&mut self, term: &str) -> Result<(), Match> {
        self.lookups += 1;
        if self.lookups > LOOKUP_LIMIT {
            return Err(Match::PermError(format!(
                "{term} is DNS lookup {} (limit {LOOKUP_LIMIT})",
                self.lookups
            )));
        }
        Ok(())
    }

    /// A query that found nothing: over the limit is a permerror.
    fn void_answer(&mut self, term: &str) -> Result<(), Match> {
        self.void += 1;
        if self.void > VOID_LIMIT {
            return Err(Match::PermError(format!(
                "{term} is void lookup {} (limit {VOID_LIMIT})",
                self.void
            )));
        }
        Ok(())
    }

    /// Entering an include or redirect target: its record must exist, be single and parse.
    fn enter(&mut self, i: usize, term: &str) -> Result<&Node, Match> {
        let node = self.walk.nodes.get(i).ok_or(Match::Unknown)?;
        if node.malformed {
            self.void_answer(term)?;
            return Err(Match::PermError(format!(
                "{term}: {} is not a valid domain name",
                node.domain
            )));
        }
        let answer = node.answer.as_deref().ok_or(Match::Unknown)?;
        if answer.outcome.is_trouble() {
            return Err(Match::TempError(format!(
                "{term}: the TXT lookup for {} failed",
                node.domain
            )));
        }
        if answer.outcome.is_absent() {
            self.void_answer(term)?;
        }
        if let Some(e) = node.error.as_deref()
            && (node.parsed.is_none() || e.contains("SPF records"))
        {
            return Err(Match::PermError(format!("{term}: {}: {e}", node.domain)));
        }
        match &node.parsed {
            Some(rec) if !rec.errors.is_empty() => Err(Match::PermError(format!(
                "{term}: {}: syntax error",
                node.domain
            ))),
            Some(_) => Ok(node),
            None => Err(Match::Unknown),
        }
    }

    /// The include (by directive index) or, with `directive` None, the redirect of node `i`.
    fn child(&mut self, i: usize, via: &str, directive: Option<usize>, term: &str) -> Match {
        let walk = self.walk;
        let child = walk.nodes[i].children.iter().copied().find(|&c| {
            walk.nodes
                .get(c)
                .is_some_and(|n| n.via == via && n.term == directive)
        });
        let Some(c) = child else {
            return Match::Unknown;
        };
        if let Err(m) = self.enter(c, term) {
            return m;
        }
        self.node(c, walk.nodes[i].depth + 1)
    }

    fn node(&mut self, i: usize, depth: usize) -> Match {
        let walk = self.walk;
        let Some(node) = walk.nodes.get(i) else {
            return Match::Unknown;
        };
        // The root's own problems are the caller's (combine()); a record mail-auth could not
        // evaluate either leaves the result to mail-auth.
        let Some(rec) = node.parsed.as_ref() else {
            return Match::Unknown;
        };
        if depth > MAX_DEPTH || !rec.errors.is_empty() {
            return Match::Unknown;
        }
        for (d, dir) in rec.directives.iter().enumerate() {
            let hit = match &dir.mechanism {
                Mechanism::All => true,
                Mechanism::Ip4(net, len) => in_net(self.ip, IpAddr::V4(*net), *len),
                Mechanism::Ip6(net, len) => in_net(self.ip, IpAddr::V6(*net), *len),
                Mechanism::A { cidr4, cidr6, .. } | Mechanism::Mx { cidr4, cidr6, .. } => {
                    if let Err(m) = self.lookup(&dir.text) {
                        return m;
                    }
                    let Some(r) = node.targets.get(&d) else {
                        return Match::Unknown;
                    };
                    match self.addresses(r, &dir.text, *cidr4, *cidr6) {
                        Ok(hit) => hit,
                        Err(m) => return m,
                    }
                }
                Mechanism::Exists(_) => {
                    if let Err(m) = self.lookup(&dir.text) {
                        return m;
                    }
                    let Some(r) = node.targets.get(&d) else {
                        return Match::Unknown;
                    };
                    if r.trouble {
                        return Match::TempError(format!("{}: the A lookup failed", dir.text));
                    }
                    if r.void
                        && let Err(m) = self.void_answer(&dir.text)
                    {
                        return m;
                    }
                    r.addresses().next().is_some()
                }
                Mechanism::Ptr(_) => {
                    if let Err(m) = self.lookup(&dir.text) {
                        return m;
                    }
                    let Some(r) = node.targets.get(&d) else {
                        return Match::Unknown;
                    };
                    if r.void
                        && let Err(m) = self.void_answer(&dir.text)
                    {
                        return m;
                    }
                    // RFC 7208 section 5.5: a validated name equal to, or under, the target.
                    let target = match &r.kind {
                        Some(TargetKind::Ptr(t)) => t.as_str(),
                        _ => return Match::Unknown,
                    };
                    r.validated.iter().any(|n| {
                        n == target
                            || n.strip_suffix(target)
                                .is_some_and(|head| head.ends_with('.'))
                    })
                }
                Mechanism::Include(_) => {
                    if let Err(m) = self.lookup(&dir.text) {
                        return m;
                    }
                    match self.child(i, "include", Some(d), &dir.text) {
                        Match::Matched {
                            qualifier: Qualifier::Pass,
                            term,
                        } => {
                            return Match::Matched {
                                qualifier: dir.qualifier,
                                term: format!("{} > {term}", dir.text),
                            };
                        }
                        Match::Matched { .. } | Match::NoTerm => false,
                        other => return other,
                    }
                }
            };
            if hit {
                return Match::Matched {
                    qualifier: dir.qualifier,
                    term: dir.text.clone(),
                };
            }
        }
        if let Some(target) = rec.effective_redirect() {
            let term = format!("redirect={target}");
            if let Err(m) = self.lookup(&term) {
                return m;
            }
            return match self.child(i, "redirect", None, &term) {
                Match::Matched { qualifier, term } => {
                    let c = node
                        .children
                        .iter()
                        .find(|&&c| walk.nodes[c].via == "redirect")
                        .map_or("", |&c| walk.nodes[c].domain.as_str());
                    Match::Matched {
                        qualifier,
                        term: format!("redirect={c} > {term}"),
                    }
                }
                other => other,
            };
        }
        Match::NoTerm
    }

    /// Whether an `a`/`mx` term's hosts hold the IP, host by host as check_host() tries them: a
    /// failed lookup reached before a match is a temperror; an 11th MX name a permerror.
    fn addresses(&mut self, r: &Resolved, term: &str, cidr4: u8, cidr6: u8) -> Result<bool, Match> {
        if r.trouble {
            return Err(Match::TempError(format!("{term}: the lookup failed")));
        }
        if r.void {
            self.void_answer(term)?;
        }
        for h in &r.hosts {
            let hit = h
                .addresses
                .iter()
                .any(|a| in_net(self.ip, *a, if a.is_ipv4() { cidr4 } else { cidr6 }));
            if hit {
                return Ok(true);
            }
            if h.trouble {
                return Err(Match::TempError(format!(
                    "{term}: the address lookup for {} failed",
                    h.name
                )));
            }
        }
        if r.mx_names > MX_NAME_LIMIT {
            return Err(Match::PermError(format!(
                "{term} meets {} MX names (limit {MX_NAME_LIMIT})",
                r.mx_names
            )));
        }
        Ok(false)
    }
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
