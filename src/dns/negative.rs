//! Whether a negative answer comes from a server that holds the name: its SOA must be the SOA
//! of a zone that can contain the name (RFC 2308 sections 2.1 and 2.2: the SOA of the zone
//! the name is in, or, after a CNAME chain, the zone of the chain's last name).
//!
//! An NXDOMAIN or a NODATA carrying the SOA of a stranger (`evil.example` for
//! `_dmarc.victim.example`) or of a zone below the name was written by a server that does not
//! serve the name: a lame or misconfigured server, or a forged answer. It proves nothing about
//! the name, and its negative-caching TTL is not the zone's.

use super::dname;
use super::names::canon;
use crate::domain_name::within;
use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};

/// Why `response`, a negative answer to (name, rtype), cannot be believed because of its SOA,
/// or `None` (a positive answer, no SOA, or an SOA of a zone that holds the name).
pub(super) fn foreign_soa(response: &Message, name: &Name, rtype: RecordType) -> Option<String> {
    let code = response.metadata.response_code;
    if !matches!(code, ResponseCode::NoError | ResponseCode::NXDomain) {
        return None;
    }
    let chain = chain(&response.answers, name);
    let answered = response
        .answers
        .iter()
        .any(|r| r.record_type() == rtype && chain.contains(&canon(&r.name)));
    if answered {
        return None;
    }
    // An SOA owned by the very name said not to exist shows that the name exists (a zone
    // apex holds its SOA): the NXDOMAIN contradicts its own proof (RFC 8020 section 2).
    let last = chain.last().cloned().unwrap_or_default();
    if code == ResponseCode::NXDomain
        && !last.is_empty()
        && response
            .authorities
            .iter()
            .any(|r| r.record_type() == RecordType::SOA && canon(&r.name) == last)
    {
        return Some(format!(
            "the server's NXDOMAIN for {last} carries {last}'s own SOA: a zone apex exists, so the answer contradicts itself and proves nothing (RFC 2308 section 2.1, RFC 8020 section 2)"
        ));
    }
    let stranger = response
        .authorities
        .iter()
        .filter(|r| r.record_type() == RecordType::SOA)
        .map(|r| canon(&r.name))
        .find(|owner| !chain.iter().any(|n| within(n, owner)))?;
    let shown = |n: &str| {
        if n.is_empty() {
            ".".to_string()
        } else {
            n.to_string()
        }
    };
    let last = chain.last().map_or(String::new(), |n| shown(n));
    Some(format!(
        "the server's {code} for {last} carries the SOA of {}, a zone that does not hold {last}: it comes from a server that does not serve the name, and proves nothing about it (RFC 2308 sections 2.1, 2.2)",
        shown(&stranger)
    ))
}

/// Links of a chain followed here at most: twice what the resolver follows
/// (`resolve::MAX_CNAME_HOPS`, 8), which reports a longer chain itself; written out, as
/// `resolve` depends on this file and not the other way round. The bound keeps a chain of a
/// thousand links in one answer from costing a thousand passes over it.
const MAX_LINKS: usize = 16;

/// The names the answer leads to from `name`: the name itself, then each CNAME or DNAME
/// target in turn (a loop or a repeat ends it, and so does `MAX_LINKS`).
pub(super) fn chain(answers: &[Record], name: &Name) -> Vec<String> {
    let mut names = vec![canon(name)];
    for _ in 0..answers.len().min(MAX_LINKS) {
        let Some(current) = names.last() else { break };
        let next = answers
            .iter()
            .find_map(|r| match &r.data {
                RData::CNAME(c) if canon(&r.name) == *current => Some(canon(&c.0)),
                _ => None,
            })
            .or_else(|| dname::redirect(answers, current).map(|(n, _)| n));
        match next {
            Some(n) if !names.contains(&n) => names.push(n),
            _ => break,
        }
    }
    names
}
