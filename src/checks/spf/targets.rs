//! Resolves the DNS-querying terms of SPF records (`a`, `mx`, `exists`, `ptr`) through our `Dns`,
//! so every answer check_host() needs is logged, cached and bounded by the run's deadline.

use super::problem::{Problem, outcome_text};
use crate::dns::{Answer, Dns, RType, Rdata};
use futures::future::join_all;
use std::net::IpAddr;

/// RFC 7208 section 4.6.4: an `mx` mechanism may not look up more than 10 names.
pub const MX_NAME_LIMIT: usize = 10;
/// RFC 7208 section 4.6.4: only the first 10 PTR names are looked up.
pub const PTR_NAME_LIMIT: usize = 10;

/// What a term queries, with its target already expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    A(String),
    Mx(String),
    Exists(String),
    /// The domain the PTR names must be (or be under).
    Ptr(String),
}

/// One host name and the addresses it resolved to.
#[derive(Debug, Clone, Default)]
pub struct Host {
    pub name: String,
    pub addresses: Vec<IpAddr>,
    /// The address lookup failed (timeout, SERVFAIL, not looked up).
    pub trouble: bool,
}

/// What one term's lookups found.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub kind: Option<TargetKind>,
    /// `a`: the target; `mx`: the MX hosts in preference order; `exists`: the target's A answer.
    pub hosts: Vec<Host>,
    /// `mx`: how many MX names the target has (over 10 is a permerror).
    pub mx_names: usize,
    /// `ptr`: the PTR names of the IP that resolve back to it.
    pub validated: Vec<String>,
    /// The term's own lookup failed: check_host() returns temperror when it reaches the term.
    pub trouble: bool,
    /// The term's own lookup was void (NXDOMAIN or no records): RFC 7208 section 4.6.4.
    pub void: bool,
    /// Every query made for the term, for evidence.
    pub queries: Vec<usize>,
}

impl Resolved {
    /// Every address found for the term (all hosts).
    pub fn addresses(&self) -> impl Iterator<Item = &IpAddr> {
        self.hosts.iter().flat_map(|h| h.addresses.iter())
    }
}

fn failed(target: &str, a: &Answer) -> Problem {
    Problem::TargetLookupFailed {
        target: target.to_string(),
        outcome: outcome_text(&a.outcome),
    }
}

/// Resolves one term. `ip` picks A or AAAA for addresses (both when it is unknown).
pub async fn resolve(dns: &Dns, kind: TargetKind, ip: Option<IpAddr>) -> (Resolved, Vec<Problem>) {
    let name = match &kind {
        TargetKind::A(n) | TargetKind::Mx(n) | TargetKind::Exists(n) => Some(n.as_str()),
        TargetKind::Ptr(_) => None,
    };
    if let Some(name) = name.filter(|n| !super::identity::queryable(n)) {
        // No query can be made for it: a name that does not exist (a void lookup).
        let r = Resolved {
            hosts: vec![Host {
                name: name.to_string(),
                ..Host::default()
            }],
            void: true,
            kind: Some(kind),
            ..Resolved::default()
        };
        return (r, Vec::new());
    }
    let (mut r, problems) = match &kind {
        TargetKind::A(name) => {
            let (host, queries, problem) = addresses(dns, name, ip).await;
            let r = Resolved {
                void: !host.trouble && host.addresses.is_empty(),
                trouble: host.trouble,
                hosts: vec![host],
                queries,
                ..Resolved::default()
            };
            (r, problem.into_iter().collect())
        }
        TargetKind::Mx(name) => mx(dns, name, ip).await,
        TargetKind::Exists(name) => {
            // RFC 7208 section 5.7: always an A query, whatever the connection's family.
            let a = dns.query(name, RType::A).await;
            let host = Host {
                name: name.clone(),
                addresses: a.ips(),
                trouble: a.outcome.is_trouble(),
            };
            let problem = host.trouble.then(|| failed(name, &a));
            let r = Resolved {
                void: !host.trouble && host.addresses.is_empty(),
                trouble: host.trouble,
                hosts: vec![host],
                queries: vec![a.id],
                ..Resolved::default()
            };
            (r, problem.into_iter().collect())
        }
        TargetKind::Ptr(_) => match ip {
            Some(ip) => (ptr(dns, ip).await, Vec::new()),
            None => (Resolved::default(), Vec::new()),
        },
    };
    r.kind = Some(kind);
    (r, problems)
}

async fn mx(dns: &Dns, name: &str, ip: Option<IpAddr>) -> (Resolved, Vec<Problem>) {
    let answer = dns.query(name, RType::MX).await;
    let mut r = Resolved {
        queries: vec![answer.id],
        ..Resolved::default()
    };
    if answer.outcome.is_trouble() {
        r.trouble = true;
        return (r, vec![failed(name, &answer)]);
    }
    let mut names: Vec<(u16, String)> = answer
        .records
        .iter()
        .filter_map(|rd| match rd {
            Rdata::MX {
                preference,
                exchange,
            } if !exchange.is_empty() => Some((*preference, exchange.clone())),
            _ => None,
        })
        .collect();
    // check_host() tries the hosts in preference order (a stable sort keeps ties as served).
    names.sort_by_key(|n| n.0);
    r.mx_names = names.len();
    r.void = names.is_empty();
    let mut problems = Vec::new();
    if names.len() > MX_NAME_LIMIT {
        problems.push(Problem::TooManyMxNames {
            target: name.to_string(),
            count: names.len(),
        });
    }
    let lookups = names
        .iter()
        .take(MX_NAME_LIMIT)
        .map(|(_, n)| addresses(dns, n, ip));
    for (host, queries, problem) in join_all(lookups).await {
        r.queries.extend(queries);
        problems.extend(problem);
        r.hosts.push(host);
    }
    (r, problems)
}

/// RFC 7208 section 5.5: the PTR names of the IP, and which of them resolve back to it.
/// DNS errors here make the mechanism not match; they are no temperror.
async fn ptr(dns: &Dns, ip: IpAddr) -> Resolved {
    let rev = dns.reverse(ip).await;
    let mut r = Resolved {
        queries: vec![rev.id],
        trouble: rev.outcome.is_trouble(),
        ..Resolved::default()
    };
    let names = ptr_names(&rev);
    r.void = !r.trouble && names.is_empty();
    let rtype = if ip.is_ipv4() { RType::A } else { RType::AAAA };
    let forward = join_all(
        names
            .iter()
            .take(PTR_NAME_LIMIT)
            .map(|n| dns.query(n, rtype)),
    )
    .await;
    for (name, a) in names.iter().zip(forward) {
        r.queries.push(a.id);
        let host = Host {
            name: name.clone(),
            addresses: a.ips(),
            trouble: a.outcome.is_trouble(),
        };
        if host.addresses.contains(&ip) {
            r.validated.push(name.clone());
        }
        r.hosts.push(host);
    }
    r
}

/// PTR names of an answer, in the order served.
pub fn ptr_names(a: &Answer) -> Vec<String> {
    a.records
        .iter()
        .filter_map(|r| match r {
            Rdata::PTR(n) if !n.is_empty() => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// A (or AAAA, or both when the IP is unknown) of `name`.
async fn addresses(
    dns: &Dns,
    name: &str,
    ip: Option<IpAddr>,
) -> (Host, Vec<usize>, Option<Problem>) {
    let (want_a, want_aaaa) = match ip {
        Some(IpAddr::V4(_)) => (true, false),
        Some(IpAddr::V6(_)) => (false, true),
        None => (true, true),
    };
    let ask = |wanted: bool, rtype: RType| async move {
        if wanted {
            Some(dns.query(name, rtype).await)
        } else {
            None
        }
    };
    let (a, aaaa) = futures::join!(ask(want_a, RType::A), ask(want_aaaa, RType::AAAA));
    let mut host = Host {
        name: name.to_string(),
        ..Host::default()
    };
    let mut queries = Vec::new();
    let mut problem = None;
    for ans in [a, aaaa].into_iter().flatten() {
        queries.push(ans.id);
        if ans.outcome.is_trouble() {
            host.trouble = true;
            problem = Some(failed(name, &ans));
        }
        host.addresses.extend(ans.ips());
    }
    (host, queries, problem)
}
