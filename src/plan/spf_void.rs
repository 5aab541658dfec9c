//! SPF terms of the domain's own record whose names have no records (void lookups, RFC 7208
//! section 4.6.4): the record without them, for a record over the limit of 2 void lookups.

use crate::dns::{LogEntry, RType};

/// The name a DNS-querying term of the domain's own record asks about, and the record type
/// whose absence makes it void: `a:x` (A), `mx:x` (MX), `include:x` (TXT), `exists:x` (A).
/// Terms with macros or without a name of their own are never judged.
fn target(term: &str, domain: &str) -> Option<(String, RType)> {
    let t = super::records::unqualified(term).to_ascii_lowercase();
    let (mech, rest) = t.split_once(':').unwrap_or((t.as_str(), ""));
    let name = rest.split('/').next().unwrap_or("");
    if name.contains('%') {
        return None;
    }
    let name = if name.is_empty() { domain } else { name };
    let rtype = match mech {
        "a" | "exists" => RType::A,
        "mx" => RType::MX,
        "include" if !rest.is_empty() => RType::TXT,
        _ => return None,
    };
    Some((name.trim_end_matches('.').to_string(), rtype))
}

/// True when every answer the run got for (`name`, `rtype`) says the name holds nothing
/// (NXDOMAIN or NODATA), and there was at least one.
fn void(name: &str, rtype: RType, queries: &[LogEntry]) -> bool {
    let asked: Vec<&LogEntry> = queries
        .iter()
        .filter(|q| q.rtype == rtype && q.name.trim_end_matches('.').eq_ignore_ascii_case(name))
        .collect();
    !asked.is_empty() && asked.iter().all(|q| q.outcome.is_absent())
}

/// The own record without its void terms, and those terms; None when none is void.
pub(super) fn without_void_terms(
    record: &str,
    domain: &str,
    queries: &[LogEntry],
) -> Option<(String, Vec<String>)> {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for term in record.split_whitespace() {
        match target(term, domain) {
            Some((name, rtype)) if void(&name, rtype, queries) => dropped.push(term.to_string()),
            _ => kept.push(term),
        }
    }
    (!dropped.is_empty()).then(|| (kept.join(" "), dropped))
}

#[cfg(test)]
mod tests {
    use super::target;
    use crate::dns::RType;

    #[test]
    fn terms_name_what_they_ask() {
        assert_eq!(
            target("a:old.example.com", "example.com"),
            Some(("old.example.com".into(), RType::A))
        );
        assert_eq!(
            target("mx", "example.com"),
            Some(("example.com".into(), RType::MX))
        );
        assert_eq!(
            target("~include:gone.example", "example.com"),
            Some(("gone.example".into(), RType::TXT))
        );
        assert_eq!(target("exists:%{i}.x.example", "example.com"), None);
        assert_eq!(target("ip4:192.0.2.1", "example.com"), None);
        assert_eq!(target("-all", "example.com"), None);
    }
}
