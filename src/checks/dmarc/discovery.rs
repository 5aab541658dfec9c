//! Policy discovery: which record applies to a domain and which of its policies, by RFC 9989
//! section 4.10.1 (tree walk, `sp`/`np`, the `rua` fallback to none, `t=y`), and what a receiver
//! still on RFC 7489 (Public Suffix List) arrives at for the same domain.

use super::treewalk::{OrgDomain, TreeWalk};
use crate::checks::dmarc_record::{self, DmarcRecord};

/// What RFC 9989 policy discovery arrives at.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Index in the walk of the level whose record applies.
    pub level: Option<usize>,
    pub record: Option<DmarcRecord>,
    /// The record is an ancestor's, not the domain's own.
    pub inherited: bool,
    /// The policy for failing mail: None when DMARC does not apply (no record, or a record without
    /// a usable policy and no valid `rua`), or when it depends on an unknown existence.
    pub policy: Option<String>,
    /// Where `policy` comes from: "p", "sp", "np", or "none (rua fallback)".
    pub source: Option<String>,
    /// The policy receivers apply once `t=y` is honoured (one level less).
    pub applied: Option<String>,
    /// The policy depends on whether the domain exists (`np` differs from `sp`/`p`) and that is
    /// not known: the caller asks, then calls again.
    pub needs_existence: bool,
}

/// The tag chain an inherited record's policy comes from: `np` first for a name that does not
/// exist, then `sp`, then `p` (RFC 9989 section 4.7, tags `np` and `sp`).
fn chain(inherited: bool, exists: bool) -> &'static [&'static str] {
    match (inherited, exists) {
        (false, _) => &["p"],
        (true, true) => &["sp", "p"],
        (true, false) => &["np", "sp", "p"],
    }
}

/// The policy a record gives through `chain`, with the tag it came from.
fn pick(rec: &DmarcRecord, chain: &[&str]) -> Option<(String, String)> {
    // RFC 9989 section 4.10.1: a missing or invalid `p`, or an invalid `sp`/`np`, makes the whole
    // record count as `p=none` when it has a valid `rua`, else DMARC does not apply.
    let broken =
        rec.policy_tag("p").is_none() || rec.policy_invalid("sp") || rec.policy_invalid("np");
    if broken {
        return rec
            .has_valid_rua()
            .then(|| ("none".to_string(), "none (rua fallback)".to_string()));
    }
    chain
        .iter()
        .find_map(|t| rec.policy_tag(t).map(|v| (v.to_string(), t.to_string())))
}

/// RFC 9989 section 4.10.1 over a walk from the author domain; `exists` is whether the author
/// domain exists (None: not asked yet).
pub fn discover(walk: &TreeWalk, org: &OrgDomain, exists: Option<bool>) -> Discovery {
    let own = walk.levels.first().and_then(|l| l.record());
    let (level, record, inherited) = match own {
        Some(r) => (Some(0), Some(r), false),
        None => {
            let used = walk.used();
            let at_org = used
                .iter()
                .position(|l| l.domain == org.domain && l.record().is_some());
            let last = used.iter().rposition(|l| l.record().is_some());
            match at_org.or(last) {
                Some(i) if i > 0 => (Some(i), used[i].record(), true),
                _ => (None, None, false),
            }
        }
    };
    let Some(rec) = record else {
        return Discovery::default();
    };
    let when = |e: bool| pick(&rec, chain(inherited, e));
    let (picked, needs_existence) = match exists {
        Some(e) => (when(e), false),
        None if when(true) == when(false) => (when(true), false),
        None => (None, true),
    };
    let applied = picked.as_ref().map(|(p, _)| {
        if rec.testing() {
            dmarc_record::one_level_less(p).to_string()
        } else {
            p.clone()
        }
    });
    Discovery {
        level,
        inherited,
        policy: picked.as_ref().map(|(p, _)| p.clone()),
        source: picked.map(|(_, s)| s),
        applied,
        needs_existence,
        record: Some(rec),
    }
}

/// What a receiver still on RFC 7489 applies: the domain's own record, else the record of its
/// organizational domain by the Public Suffix List; several records at either name end the search
/// (RFC 7489 section 6.6.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legacy {
    pub organizational_domain: String,
    pub record_domain: Option<String>,
    pub inherited: bool,
    pub policy: Option<String>,
}

/// RFC 7489 policy discovery from the own level's records and the PSL organizational domain's.
pub fn legacy(domain: &str, psl_org: &str, own: &[String], org: &[String]) -> Legacy {
    let mut out = Legacy {
        organizational_domain: psl_org.to_string(),
        record_domain: None,
        inherited: false,
        policy: None,
    };
    let (records, inherited) = if !own.is_empty() || domain == psl_org {
        (own, false)
    } else {
        (org, true)
    };
    let [one] = records else {
        return out;
    };
    let rec = dmarc_record::parse(one);
    out.record_domain = Some(format!(
        "_dmarc.{}",
        if inherited { psl_org } else { domain }
    ));
    out.inherited = inherited;
    // RFC 7489 section 6.6.3 step 6 has the same `rua` fallback (a SHOULD there); `np` is not
    // RFC 7489's.
    let broken = rec.policy_tag("p").is_none() || rec.policy_invalid("sp");
    out.policy = if broken {
        rec.has_valid_rua().then(|| "none".to_string())
    } else {
        let chain: &[&str] = if inherited { &["sp", "p"] } else { &["p"] };
        chain
            .iter()
            .find_map(|t| rec.policy_tag(t).map(str::to_string))
    };
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_rua_fallback_and_the_tag_chain() {
        let rec = dmarc_record::parse("v=DMARC1; rua=mailto:d@example.com");
        assert_eq!(
            pick(&rec, &["p"]),
            Some(("none".into(), "none (rua fallback)".into()))
        );
        let rec = dmarc_record::parse("v=DMARC1; p=rejected");
        assert_eq!(pick(&rec, &["p"]), None);
        let rec = dmarc_record::parse("v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com");
        assert_eq!(pick(&rec, &["p"]).unwrap().0, "none");
        let rec = dmarc_record::parse("v=DMARC1; p=reject; np=quarantine");
        assert_eq!(pick(&rec, chain(true, false)).unwrap().1, "np");
        assert_eq!(pick(&rec, chain(true, true)).unwrap().1, "p");
        let rec = dmarc_record::parse("v=DMARC1; p=reject; sp=none");
        assert_eq!(
            pick(&rec, chain(true, false)).unwrap(),
            ("none".into(), "sp".into())
        );
    }

    #[test]
    fn legacy_discovery_uses_the_public_suffix_list_and_stops_at_two_records() {
        let org = vec!["v=DMARC1; p=reject; sp=quarantine".to_string()];
        let l = legacy("news.example.co.uk", "example.co.uk", &[], &org);
        assert_eq!(l.policy.as_deref(), Some("quarantine"));
        assert!(l.inherited);
        let two = vec![
            "v=DMARC1; p=none".to_string(),
            "v=DMARC1; p=reject".to_string(),
        ];
        assert_eq!(
            legacy("example.com", "example.com", &two, &two).policy,
            None
        );
    }
}
