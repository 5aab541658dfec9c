//! Round 10 of held-out style `diagnose` scenarios, part two: records a receiver reads as
//! meant although they look odd (a key with spaces inside `p=`, a report address with a size
//! limit, a domain with no MX whose address is its implicit MX, a policy in capitals, an include
//! with its trailing dot, an `exp=` to a name with no TXT, a HELO name whose own SPF fails),
//! each beside the real fault that must be blamed instead; and hostile DNS inside a diagnosis
//! (the sender domain's MX lookup failing under Postfix's 4.1.8, the forward lookup of the PTR
//! name failing under Gmail's 5.7.25, a self-contradictory NXDOMAIN carrying the `_dmarc`
//! record, the signing selector answered under another opcode), each reported as trouble,
//! never as "missing" and never as a pass.
#![allow(clippy::unwrap_used)]

use super::diagnose_scenarios9::text;
use super::diagnose_scenarios10::{ZONES, diagnose, sender};
use super::diagnose_support::{
    GMAIL_5725, GMAIL_5726, GMAIL_5727, assert_trouble_first, cause_ids, diagnose_with_fault,
    escalation, finding_ids, first_step, fixing, records, step_ids,
};
use mailtriage::dns::{FaultKind, RType};
use serde_json::Value;

fn steps_with(d: &Value, prefix: &str) -> Vec<String> {
    step_ids(d)
        .into_iter()
        .filter(|s| s.starts_with(prefix))
        .collect()
}

// ------------------------------------------------------------------ odd but valid records

#[test]
fn a_key_with_spaces_inside_p_is_valid_and_the_spf_gap_is_blamed() {
    // dksp10.example's k1 key has spaces inside p=, which RFC 6376 section 3.6.1 allows
    // (base64string takes folding white space; verifiers remove it). The sender 192.0.2.207 is
    // missing from SPF; Gmail's 5.7.27. The operator expects: SPF is the cause and its first
    // step adds 192.0.2.207; the key is neither blamed nor republished.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@dksp10.example", "192.0.2.207"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let s = first_step(&d);
    assert!(
        records(s)
            .iter()
            .any(|r| r.0 == "dksp10.example" && r.2.contains("ip4:192.0.2.207")),
        "{}",
        text(s)
    );
    assert!(steps_with(&d, "dkim-").is_empty(), "{:?}", step_ids(&d));
    assert!(
        finding_ids(&d).contains(&"dkim-key-found".to_string()),
        "{:?}",
        finding_ids(&d)
    );
}

#[test]
fn a_report_address_with_a_size_limit_is_valid_and_the_spf_gap_is_blamed() {
    // rsz10.example's rua is `mailto:dmarc@rsz10.example!10m`: a size limit, which RFC 9990
    // (as RFC 7489 before it) allows after the address. The sender 192.0.2.209 is missing
    // from SPF and no DKIM signature passes for it; Gmail's 5.7.26. The operator expects: SPF
    // is the cause and its record gains 192.0.2.209; no DMARC step rewrites the report address.
    let (rc, d) = diagnose(GMAIL_5726, &sender("news@rsz10.example", "192.0.2.209"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().any(|c| c.starts_with("spf-")), "{causes:?}");
    assert!(
        !causes.iter().any(|c| c.starts_with("dmarc-")),
        "{causes:?}"
    );
    for st in d["plan"].as_array().unwrap() {
        for r in records(st) {
            if r.0 == "_dmarc.rsz10.example" {
                assert!(r.2.contains("rua=mailto:dmarc@rsz10.example!10m"), "{r:?}");
            }
        }
    }
    assert!(
        !finding_ids(&d).iter().any(|f| f.contains("rua")),
        "{:?}",
        finding_ids(&d)
    );
}

#[test]
fn a_domain_without_mx_has_its_address_as_implicit_mx_and_the_spf_gap_is_blamed() {
    // imx10.example publishes no MX but an address at its apex: mail to it goes to that
    // address (the implicit MX, RFC 5321 section 5.1), and its replies come back. SPF is
    // `v=spf1 a -all` and the sender 192.0.2.212 is not the apex's address; Gmail's 5.7.27.
    // The operator expects: SPF is the cause; the first step keeps `a` and adds 192.0.2.212;
    // no MX step (nothing about MX is wrong).
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@imx10.example", "192.0.2.212"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let s = first_step(&d);
    let r = records(s);
    assert!(
        r.iter().any(|r| r.0 == "imx10.example"
            && r.2.contains("ip4:192.0.2.212")
            && r.2.split_whitespace().any(|t| t == "a")),
        "{r:?}"
    );
    assert!(steps_with(&d, "mx-").is_empty(), "{:?}", step_ids(&d));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_policy_written_in_capitals_is_valid_and_the_spf_gap_is_blamed() {
    // case10.example's DMARC record says `p=Reject`. The policy values are ABNF strings, which
    // match without regard to case (RFC 5234 section 2.3), so receivers apply reject. The
    // sender 192.0.2.221 is missing from SPF; Gmail's 5.7.27. The operator expects: SPF is the
    // cause and its record gains 192.0.2.221; the DMARC record is not called invalid, no step
    // rewrites or lowers it.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@case10.example", "192.0.2.221"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    assert!(
        records(first_step(&d))
            .iter()
            .any(|r| r.0 == "case10.example" && r.2.contains("ip4:192.0.2.221")),
        "{}",
        text(first_step(&d))
    );
    assert!(steps_with(&d, "dmarc-").is_empty(), "{:?}", step_ids(&d));
    assert!(
        !finding_ids(&d)
            .iter()
            .any(|f| f.starts_with("dmarc-") && (f.contains("invalid") || f.contains("none"))),
        "{:?}",
        finding_ids(&d)
    );
}

#[test]
fn an_include_written_with_a_trailing_dot_passes_and_the_revoked_key_is_blamed() {
    // tdot10.example includes `_spf.vendor10.example.` with its trailing dot, which RFC 7208
    // section 7.1 allows (domain-end may end in "."); the vendor authorises 192.0.2.222, so
    // SPF passes. The signing key k1 is revoked (empty p=); Gmail's 5.7.30. The operator
    // expects: the revoked key is the cause and the first step is a DKIM step at k1's domain;
    // no SPF step, no SPF finding at error.
    let (rc, d) = diagnose(
        super::diagnose_support::GMAIL_5730,
        &sender("news@tdot10.example", "192.0.2.222"),
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("dkim-")), "{causes:?}");
    assert!(
        first_step(&d)["id"].as_str().unwrap().starts_with("dkim-"),
        "{}",
        first_step(&d)
    );
    assert!(steps_with(&d, "spf-").is_empty(), "{:?}", step_ids(&d));
}

#[test]
fn an_explanation_that_does_not_exist_is_no_fault_and_the_spf_gap_is_blamed() {
    // exp10.example's SPF record ends in `exp=why.exp10.example`, a name with no TXT: RFC
    // 7208 section 6.2 says only the explanation is lost (the result stays fail), and `exp=`
    // costs no lookup toward the limit. The sender 192.0.2.224 is missing; Gmail's 5.7.27.
    // The operator expects: the first step adds 192.0.2.224 and keeps the rest of the record
    // as written (the `exp=` too); nothing is said to be wrong with `exp=`.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@exp10.example", "192.0.2.224"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert_eq!(causes, ["spf-ip-not-authorised"], "{causes:?}");
    let r = records(first_step(&d));
    assert_eq!(
        r.iter()
            .filter(|r| r.0 == "exp10.example")
            .map(|r| r.2.as_str())
            .collect::<Vec<_>>(),
        ["v=spf1 ip4:192.0.2.223 ip4:192.0.2.224 -all exp=why.exp10.example"],
        "{r:?}"
    );
}

#[test]
fn a_helo_names_spf_fail_is_not_what_dmarc_reads_and_the_revoked_key_is_blamed() {
    // The relay announces relay.hspf10.example, whose own SPF is `v=spf1 -all`; MAIL FROM is
    // news@hspf10.example, whose SPF passes for 192.0.2.229. DMARC reads the MAIL FROM
    // result only, the HELO's only for a null reverse path (RFC 9989), and Gmail's 5.7.30
    // names DKIM: k1 is revoked. The operator expects: the revoked key is the cause and the
    // first step a DKIM step; no step publishes SPF for the HELO name first.
    let (rc, d) = diagnose(
        super::diagnose_support::GMAIL_5730,
        &[
            "--from",
            "news@hspf10.example",
            "--mail-from",
            "news@hspf10.example",
            "--helo",
            "relay.hspf10.example",
            "--ip",
            "192.0.2.229",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("dkim-")), "{causes:?}");
    assert!(
        first_step(&d)["id"].as_str().unwrap().starts_with("dkim-"),
        "{}",
        first_step(&d)
    );
    assert!(
        !fixing(&d).iter().any(|f| f.starts_with("spf-")),
        "{:?}",
        fixing(&d)
    );
}

// ------------------------------------------------------------------ hostile DNS

#[test]
fn the_sender_domains_mx_lookup_failing_is_trouble_never_a_missing_mx() {
    // Postfix answers 450 4.1.8 "Domain not found" when its lookup of the sender's domain
    // fails temporarily. Here mxs10.example's MX lookup answers SERVFAIL; everything else is
    // clean. The operator expects: the failing MX lookup is what to clear first (naming
    // mxs10.example); no step publishes an MX record; no "no MX" finding; exit 3.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["mxs10.example", "2.0.192.in-addr.arpa"],
        ("mxs10.example", RType::MX, FaultKind::ServFail),
        "450 4.1.8 <news@mxs10.example>: Sender address rejected: Domain not found",
        &sender("news@mxs10.example", "192.0.2.216"),
    );
    assert_trouble_first(rc, &d, "mxs10.example");
    assert!(steps_with(&d, "mx-").is_empty(), "{:?}", step_ids(&d));
    assert!(
        !finding_ids(&d)
            .iter()
            .any(|f| f.starts_with("mx-") && f.contains("missing")),
        "{:?}",
        finding_ids(&d)
    );
}

#[test]
fn the_forward_lookup_of_the_ptr_name_failing_is_trouble_never_a_mismatch() {
    // fwd10.example: 192.0.2.217's PTR is mx.fwd10.example, whose A record does hold the
    // address, but the A lookup answers SERVFAIL. Gmail's 5.7.25 (PTR not forward-confirmed).
    // The operator expects: the forward lookup failing is trouble to clear first, naming
    // mx.fwd10.example; no step publishes a PTR or an A record; exit 3.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["fwd10.example", "2.0.192.in-addr.arpa"],
        ("mx.fwd10.example", RType::A, FaultKind::ServFail),
        GMAIL_5725,
        &sender("news@fwd10.example", "192.0.2.217"),
    );
    assert_trouble_first(rc, &d, "mx.fwd10.example");
    assert!(steps_with(&d, "ptr-").is_empty(), "{:?}", step_ids(&d));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_nxdomain_carrying_the_dmarc_record_is_trouble_never_a_pass_nor_missing() {
    // fwd10.example publishes p=reject, but the answer for _dmarc.fwd10.example is NXDOMAIN
    // with the record in its answer section: self-contradictory (RFC 1035 section 4.3.1,
    // RFC 8020). Gmail's 5.7.26; SPF and DKIM pass. The operator expects: the DMARC lookup is
    // trouble to clear first; no "DMARC missing", no step publishing a DMARC record; exit 3.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["fwd10.example", "2.0.192.in-addr.arpa"],
        (
            "_dmarc.fwd10.example",
            RType::TXT,
            FaultKind::NxDomainWithRecords,
        ),
        GMAIL_5726,
        &sender("news@fwd10.example", "192.0.2.217"),
    );
    assert_trouble_first(rc, &d, "_dmarc.fwd10.example");
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    assert!(steps_with(&d, "dmarc-").is_empty(), "{:?}", step_ids(&d));
    assert!(!fixing(&d).iter().any(|f| f.starts_with("spf-")));
}

#[test]
fn the_signing_selector_answered_under_another_opcode_is_trouble_never_a_missing_key() {
    // opc10.example's k1 key is fine, but its answer comes back under opcode STATUS instead of
    // QUERY (RFC 1035 section 4.1.1): no answer to the question asked. Gmail's 5.7.30. The
    // operator expects: the selector lookup is trouble to clear first, naming
    // k1._domainkey.opc10.example; no step publishes a DKIM key; exit 3.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["opc10.example", "2.0.192.in-addr.arpa"],
        ("k1._domainkey.opc10.example", RType::TXT, FaultKind::Opcode),
        super::diagnose_support::GMAIL_5730,
        &sender("news@opc10.example", "192.0.2.225"),
    );
    assert_trouble_first(rc, &d, "k1._domainkey.opc10.example");
    assert!(steps_with(&d, "dkim-").is_empty(), "{:?}", step_ids(&d));
    assert!(!fixing(&d).iter().any(|f| f.starts_with("spf-")));
}
