//! Round 11 of held-out style `diagnose` scenarios, part two: hostile DNS inside a diagnosis
//! not covered before (the vendor's SPF include answered by a lame server, NOERROR with no
//! data and no SOA; the signing selector truncated over UDP and never answered over TCP; the
//! PTR alone timing out under a reply about SPF; an SPF answer carrying its record twice; a
//! missing `_dmarc` record whose negative answer carries NS instead of the SOA). Trouble is
//! reported as trouble, never as "missing" and never as a pass; an answer that is odd but
//! whole (a duplicated record, a negative answer without SOA) is read as what it says.
#![allow(clippy::unwrap_used)]

use super::diagnose_scenarios11::{ZONES, sender};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, GMAIL_5730, assert_trouble_first, cause_ids, diagnose_with_fault,
    finding_ids, first_step, fixing, records, step_ids,
};
use mailtriage::dns::{FaultKind, RType};
use serde_json::Value;

const REV: &str = "113.0.203.in-addr.arpa";

fn steps_with(d: &Value, prefix: &str) -> Vec<String> {
    step_ids(d)
        .into_iter()
        .filter(|s| s.starts_with(prefix))
        .collect()
}

#[test]
fn a_lame_answer_for_the_vendors_spf_include_is_trouble_never_a_dropped_include() {
    // lamei11.example includes _spf.lamev11.example, whose server answers NOERROR with no
    // records, no SOA, AA=0 and RA=0: a lame server, not a NODATA (RFC 2308 section 2.2). The
    // sender 203.0.113.71 is the vendor's; Gmail's 5.7.27. The operator expects: the include's
    // lookup is the trouble to clear first, naming _spf.lamev11.example, exit 3; no SPF step
    // (neither dropping the include as a name "without SPF" nor listing the vendor's address
    // beside it).
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["lamei11.example", "lamev11.example", REV],
        ("_spf.lamev11.example", RType::TXT, FaultKind::Lame),
        GMAIL_5727,
        &sender("news@lamei11.example", "203.0.113.71"),
    );
    assert_trouble_first(rc, &d, "_spf.lamev11.example");
    assert!(steps_with(&d, "spf-").is_empty(), "{:?}", step_ids(&d));
    assert!(
        !finding_ids(&d)
            .iter()
            .any(|f| f == "spf-include-without-spf" || f == "spf-ip-not-authorised"),
        "{:?}",
        finding_ids(&d)
    );
}

#[test]
fn a_signing_selector_truncated_over_udp_and_silent_over_tcp_is_trouble_never_missing() {
    // tcf11.example's k1 key is fine, but its answer comes back truncated (TC=1) over UDP and
    // the server never answers over TCP, so no resolver can read it. Gmail's 5.7.30. The
    // operator expects: the selector's lookup is the trouble to clear first, naming
    // k1._domainkey.tcf11.example, exit 3; no step publishes a DKIM key; SPF is not blamed.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["tcf11.example", REV],
        (
            "k1._domainkey.tcf11.example",
            RType::TXT,
            FaultKind::TruncateForever,
        ),
        GMAIL_5730,
        &sender("news@tcf11.example", "203.0.113.80"),
    );
    assert_trouble_first(rc, &d, "k1._domainkey.tcf11.example");
    assert!(steps_with(&d, "dkim-").is_empty(), "{:?}", step_ids(&d));
    assert!(!fixing(&d).iter().any(|f| f.starts_with("spf-")));
}

#[test]
fn the_ptr_alone_timing_out_under_an_spf_refusal_leaves_the_spf_gap_the_cause() {
    // pto11.example's SPF lacks 203.0.113.91, and the reverse lookup of 203.0.113.91 times
    // out. Gmail's 5.7.26 names SPF, DKIM and DMARC, not reverse DNS. The operator expects:
    // the SPF gap is the cause and its step comes first (exit 1, not 3: the checks the reply
    // implicates concluded); the PTR is reported as a lookup that failed, never as missing,
    // and no step asks for a PTR record.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["pto11.example", REV],
        ("91.113.0.203.in-addr.arpa", RType::PTR, FaultKind::Timeout),
        GMAIL_5726,
        &sender("news@pto11.example", "203.0.113.91"),
    );
    assert_eq!(rc, 1, "{:?}", cause_ids(&d));
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    let f = finding_ids(&d);
    assert!(f.contains(&"ptr-lookup-failed".to_string()), "{f:?}");
    assert!(!f.contains(&"ptr-missing".to_string()), "{f:?}");
    for s in d["plan"].as_array().unwrap() {
        assert!(records(s).iter().all(|r| r.1 != "PTR"), "{s}");
    }
}

#[test]
fn an_spf_answer_carrying_its_record_twice_is_one_record_and_dmarc_is_blamed() {
    // dupr11.example's server sends its one SPF record twice in the answer (an RRset with a
    // duplicate, which RFC 2181 section 5 has servers suppress and resolvers treat as one).
    // SPF passes for 203.0.113.100, k1 signs; no DMARC record. Gmail's 5.7.26. The operator
    // expects: no "several SPF records" (that would be a permerror receivers do not see), the
    // missing DMARC record is the cause, and the first step publishes it.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["dupr11.example", REV],
        ("dupr11.example", RType::TXT, FaultKind::Duplicated),
        GMAIL_5726,
        &sender("news@dupr11.example", "203.0.113.100"),
    );
    assert_eq!(rc, 1);
    assert!(
        !finding_ids(&d).contains(&"spf-multiple-records".to_string()),
        "{:?}",
        finding_ids(&d)
    );
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "_dmarc.dupr11.example");
}

#[test]
fn a_negative_dmarc_answer_with_ns_instead_of_soa_is_missing_with_no_invented_wait() {
    // nsneg11.example has no DMARC record; its server's negative answers carry the zone's NS
    // record instead of the SOA. That is still an NXDOMAIN (RFC 2308 section 2.1, the answer
    // of type 4), not trouble, but without an SOA it carries no negative TTL: resolvers do
    // not cache it (section 5). SPF and DKIM pass; Gmail's 5.7.26. The operator expects: the
    // missing record is the cause and the first step publishes it at _dmarc.nsneg11.example,
    // exit 1; the step's wait is not the SOA's 300 s that was never sent.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["nsneg11.example", REV],
        (
            "_dmarc.nsneg11.example",
            RType::TXT,
            FaultKind::NsOnlyNegative,
        ),
        GMAIL_5726,
        &sender("news@nsneg11.example", "203.0.113.110"),
    );
    assert_eq!(rc, 1, "{:?}", finding_ids(&d));
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let s = first_step(&d);
    assert_eq!(records(s)[0].0, "_dmarc.nsneg11.example");
    assert!(
        s["wait_seconds"].is_null() || s["wait_seconds"] == 0,
        "{}",
        s["wait_seconds"]
    );
}
