//! DNAME redirection (RFC 6672): a server that sends the DNAME record without the CNAME it
//! should synthesise (section 3.1) leaves the substitution to the resolver (section 3.4), so
//! the answer is followed, never read as "the name has no such record".
//!
//! hickory decodes DNAME as an unknown type; its RDATA is an uncompressed domain name
//! (RFC 6672 section 2.5), read here as such.

use super::names::canon;
use crate::domain_name::within;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::proto::serialize::binary::{BinDecodable, BinDecoder};

/// (owner, target) of a DNAME record, lower-case without trailing dot; `None` for other records.
fn parts(r: &Record) -> Option<(String, String)> {
    if r.record_type() != RecordType::DNAME {
        return None;
    }
    let RData::Unknown { rdata, .. } = &r.data else {
        return None;
    };
    let mut decoder = BinDecoder::new(&rdata.anything);
    let target = Name::read(&mut decoder).ok()?;
    Some((canon(&r.name), canon(&target)))
}

/// `current` rewritten by a DNAME owned by `owner`: the owner suffix replaced by `target`
/// (RFC 6672 section 2.2). `None` when the DNAME does not apply: it redirects the names below
/// its owner, never the owner itself.
fn substitute(current: &str, owner: &str, target: &str) -> Option<String> {
    if current == owner || !within(current, owner) {
        return None;
    }
    let prefix = if owner.is_empty() {
        current
    } else {
        &current[..current.len() - owner.len() - 1]
    };
    Some(if target.is_empty() {
        prefix.to_string()
    } else {
        format!("{prefix}.{target}")
    })
}

/// The name a DNAME in `records` redirects `current` to, with the DNAME's TTL.
pub(super) fn redirect(records: &[Record], current: &str) -> Option<(String, u32)> {
    records.iter().find_map(|r| {
        let (owner, target) = parts(r)?;
        Some((substitute(current, &owner, &target)?, r.ttl))
    })
}

/// True when `r` is a DNAME that redirects one of `names` (so it belongs to the answer).
pub(super) fn applies(r: &Record, names: &[&str]) -> bool {
    parts(r).is_some_and(|(owner, target)| {
        names
            .iter()
            .any(|n| substitute(n, &owner, &target).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::substitute;

    #[test]
    fn substitution_replaces_the_owner_suffix_only_below_the_owner() {
        assert_eq!(
            substitute("_dmarc.old.example", "old.example", "new.example").as_deref(),
            Some("_dmarc.new.example")
        );
        assert_eq!(
            substitute("old.example", "old.example", "new.example"),
            None
        );
        assert_eq!(
            substitute("x.other.example", "old.example", "new.example"),
            None
        );
        assert_eq!(substitute("a.b", "b", "").as_deref(), Some("a"));
    }
}
