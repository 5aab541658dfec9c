//! Round 12 of held-out style `diagnose` scenarios, part two: hostile DNS inside a diagnosis
//! not covered before (the report destination's authorisation record and the SPF `exp=`
//! answered SERVFAIL, lookups no verdict depends on; a REFUSED in the middle of RFC 9989's
//! tree walk, an SPF `a:` host answered with another type, a CNAME sent beside the signing
//! selector's key; and, odd but whole, a PTR answered in upper case, a server answering
//! FORMERR to EDNS and a selector behind a DNAME sent without its CNAME); `scan --diagnose`
//! over a log whose failures come from two sending domains; and Yahoo's complaint deferral
//! and Gmail's 5.7.26 with DNS that is fine. Trouble is reported as trouble, never as
//! "missing" and never as a pass.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr};
use super::diagnose_scenarios12::{ZONES, diagnose, sender};
use super::diagnose_support::{
    GMAIL_5725, GMAIL_5726, GMAIL_5727, GMAIL_5730, assert_trouble_first, cause_ids,
    diagnose_with_fault, escalation, finding_ids, first_step, fixing, records, step_ids, step_text,
};
use mailtriage::dns::{FaultKind, RType};
use serde_json::Value;

const REV: &str = "113.0.203.in-addr.arpa";

fn has_finding(d: &Value, id: &str) -> bool {
    finding_ids(d).iter().any(|f| f == id)
}

fn steps_with(d: &Value, prefix: &str) -> Vec<String> {
    step_ids(d)
        .into_iter()
        .filter(|s| s.starts_with(prefix))
        .collect()
}

// ------------------------------------------------------------------ hostile DNS

#[test]
fn a_servfail_for_the_report_authorisation_is_trouble_never_unauthorised() {
    // rpt12.example sends reports to dmarc@rcv12.example, which publishes
    // rpt12.example._report._dmarc.rcv12.example, but rcv12.example's server answers that
    // question SERVFAIL. The relay 203.0.113.110 is not in SPF; Gmail's 5.7.27. The operator
    // expects: SPF is the cause (exit 1: a conclusive error wins over the failed lookup); the
    // destination is not called unauthorised and no step asks rcv12.example to publish the
    // record it already has; the failed lookup is reported as inconclusive, naming it.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["rpt12.example", "rcv12.example", REV],
        (
            "rpt12.example._report._dmarc.rcv12.example",
            RType::TXT,
            FaultKind::ServFail,
        ),
        GMAIL_5727,
        &sender("news@rpt12.example", "203.0.113.110"),
    );
    assert_eq!(rc, 1, "{:?}", finding_ids(&d));
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert!(!has_finding(&d, "dmarc-report-destination-unauthorised"));
    assert!(
        !step_ids(&d).iter().any(|s| s == "dmarc-authorise-reports"),
        "{:?}",
        step_ids(&d)
    );
    let inconclusive: Vec<&Value> = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["inconclusive"] == true)
        .collect();
    assert!(
        inconclusive
            .iter()
            .any(|f| f.to_string().contains("_report._dmarc.rcv12.example")),
        "{inconclusive:?}"
    );
}

#[test]
fn a_refused_question_in_the_middle_of_the_tree_walk_is_trouble_never_missing() {
    // From news@a.b.walk12.example: no record at _dmarc.a.b.walk12.example, and the question
    // for _dmarc.b.walk12.example is REFUSED; walk12.example publishes p=reject. A receiver
    // whose walk (RFC 9989 section 4.10) meets the failure cannot tell which record applies
    // (one at b.walk12.example would decide). SPF and DKIM pass. Gmail's 5.7.26. The operator
    // expects: the failed lookup is what to clear first (exit 3, naming
    // _dmarc.b.walk12.example); no "DMARC missing", and no step publishes a DMARC record.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["walk12.example", REV],
        ("_dmarc.b.walk12.example", RType::TXT, FaultKind::Refused),
        GMAIL_5726,
        &[
            "--from",
            "news@a.b.walk12.example",
            "--ip",
            "203.0.113.120",
            "--dkim-domain",
            "walk12.example",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "_dmarc.b.walk12.example");
    assert!(!has_finding(&d, "dmarc-missing"), "{:?}", finding_ids(&d));
    for s in d["plan"].as_array().unwrap() {
        assert!(
            records(s).iter().all(|r| !r.0.starts_with("_dmarc.")),
            "{s}"
        );
    }
}

#[test]
fn an_spf_a_host_answered_with_another_type_is_trouble_never_not_authorised() {
    // aw12.example publishes `v=spf1 a:relay.aw12.example -all`, and relay.aw12.example's A
    // is the relay 203.0.113.130; but the server answers the A question with a record of
    // another type. check_host cannot evaluate the term: a temperror (RFC 7208 section 5),
    // not a fail. Gmail's 5.7.27. The operator expects: the lookup is the trouble to clear
    // first (exit 3, naming relay.aw12.example); the relay is not called unauthorised and no
    // SPF step adds it beside the `a:` that already lists it.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["aw12.example", REV],
        ("relay.aw12.example", RType::A, FaultKind::WrongType),
        GMAIL_5727,
        &sender("news@aw12.example", "203.0.113.130"),
    );
    assert_trouble_first(rc, &d, "relay.aw12.example");
    assert!(
        !has_finding(&d, "spf-ip-not-authorised"),
        "{:?}",
        finding_ids(&d)
    );
    assert!(steps_with(&d, "spf-").is_empty(), "{:?}", step_ids(&d));
}

#[test]
fn a_cname_beside_the_signing_selectors_key_is_trouble_never_missing() {
    // cb12.example's k1 key is fine, but its server answers with a CNAME beside the TXT at
    // k1._domainkey.cb12.example: "here" and "elsewhere" at once (RFC 1034 section 3.6.2, RFC
    // 2181 section 10.1). Gmail's 5.7.30 (DKIM did not pass). The operator expects: the
    // selector's lookup is the trouble to clear first (exit 3, naming the selector); no step
    // publishes or repairs a DKIM key; SPF is not blamed.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["cb12.example", REV],
        (
            "k1._domainkey.cb12.example",
            RType::TXT,
            FaultKind::CnameBeside,
        ),
        GMAIL_5730,
        &sender("news@cb12.example", "203.0.113.150"),
    );
    assert_trouble_first(rc, &d, "k1._domainkey.cb12.example");
    assert!(steps_with(&d, "dkim-").is_empty(), "{:?}", step_ids(&d));
    assert!(!fixing(&d).iter().any(|f| f.starts_with("spf-")));
}

#[test]
fn a_ptr_answered_in_upper_case_confirms_and_gmails_5725_finds_no_cause() {
    // uc12.example is clean for 203.0.113.140, whose PTR mx.uc12.example resolves back; the
    // reverse server writes its answer in upper case (MX.UC12.EXAMPLE.), which is the same
    // name (RFC 4343). Gmail's 5.7.25. The operator expects: the PTR confirms (no
    // ptr-not-confirmed, no lookup failure), no cause found in DNS (exit 0), no PTR step
    // fixing anything, Gmail's path.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["uc12.example", REV],
        (
            "140.113.0.203.in-addr.arpa",
            RType::PTR,
            FaultKind::UpperCase,
        ),
        GMAIL_5725,
        &sender("news@uc12.example", "203.0.113.140"),
    );
    assert_eq!(rc, 0, "{:?} {:?}", cause_ids(&d), finding_ids(&d));
    for id in ["ptr-not-confirmed", "ptr-lookup-failed", "ptr-missing"] {
        assert!(!has_finding(&d, id), "{id}: {:?}", finding_ids(&d));
    }
    assert!(cause_ids(&d).is_empty());
    assert!(d["no_cause_found"].is_object(), "{}", d["no_cause_found"]);
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert_eq!(escalation(&d).0, "escalation-gmail");
}

#[test]
fn a_failing_lookup_of_the_spf_explanation_changes_nothing() {
    // The same class as the report authorisation: exp12.example's `exp=why.exp12.example` is
    // fetched only to word the refusal, and a failure there leaves the explanation empty (RFC
    // 7208 section 6.2), never the result. The server answers that TXT question SERVFAIL;
    // the relay 203.0.113.30 is not in SPF; Gmail's 5.7.27. The operator expects: the relay
    // not authorised is the cause and its step first, exit 1; nothing is inconclusive about
    // SPF and no step asks to get answers for why.exp12.example.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["exp12.example", REV],
        ("why.exp12.example", RType::TXT, FaultKind::ServFail),
        GMAIL_5727,
        &sender("news@exp12.example", "203.0.113.30"),
    );
    assert_eq!(rc, 1, "{:?}", finding_ids(&d));
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    assert!(
        !d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["inconclusive"] == true && f["check"] == "spf"),
        "{}",
        d["findings"]
    );
    assert!(
        !step_ids(&d).iter().any(|s| s == "dns-inconclusive"),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn a_server_answering_formerr_to_edns_is_asked_again_without_it_and_read() {
    // ednsf12.example's server answers FORMERR without OPT to any question carrying EDNS (an
    // old server or a middlebox), including its SPF. Resolvers ask again without EDNS (RFC
    // 6891 section 7) and read the record, which lists the relay 203.0.113.180. Everything
    // else is clean; Gmail's 5.7.26. The operator expects: SPF passes (no lookup failure, no
    // "SPF missing"), no cause found in DNS, exit 0.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["ednsf12.example", REV],
        ("ednsf12.example", RType::TXT, FaultKind::EdnsFormErr),
        GMAIL_5726,
        &sender("news@ednsf12.example", "203.0.113.180"),
    );
    assert_eq!(rc, 0, "{:?} {:?}", cause_ids(&d), finding_ids(&d));
    assert_eq!(
        d["domain"]["spf"]["result"]["result"], "pass",
        "{}",
        d["domain"]["spf"]
    );
    for id in ["spf-missing", "spf-lookup-failed", "spf-temperror"] {
        assert!(!has_finding(&d, id), "{id}: {:?}", finding_ids(&d));
    }
    assert!(cause_ids(&d).is_empty());
}

#[test]
fn a_selector_reached_through_a_dname_without_its_cname_is_read_and_verifies() {
    // dn12.example's server answers the question for k1._domainkey.dn12.example with only a
    // DNAME, _domainkey.dn12.example -> moved._domainkey.dn12.example, and not the CNAME it
    // should synthesise (RFC 6672 section 3.1); the key is at k1.moved._domainkey. A resolver
    // substitutes the DNAME itself and reads the key (section 2.2). Everything is clean;
    // Gmail's 5.7.30. The operator expects: the key found (no "selector missing", no failed
    // lookup), no cause found in DNS, exit 0, no DKIM step fixing anything.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["dn12.example", REV],
        (
            "k1._domainkey.dn12.example",
            RType::TXT,
            FaultKind::DnameOnly,
        ),
        GMAIL_5730,
        &sender("news@dn12.example", "203.0.113.190"),
    );
    assert_eq!(rc, 0, "{:?} {:?}", cause_ids(&d), finding_ids(&d));
    for id in [
        "dkim-selector-missing",
        "dkim-lookup-failed",
        "dkim-no-key-found",
    ] {
        assert!(!has_finding(&d, id), "{id}: {:?}", finding_ids(&d));
    }
    assert!(has_finding(&d, "dkim-key-found"), "{:?}", finding_ids(&d));
    assert!(cause_ids(&d).is_empty());
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
}

// ------------------------------------------------------------------ a log of two senders

#[test]
fn scan_diagnose_over_a_log_of_two_senders_diagnoses_each_with_its_own_cause() {
    // A Postfix log holds Gmail's 5.7.26 for news@alpha12.example (its words name the relay
    // 203.0.113.90, which alpha12.example's SPF does not list) and Microsoft's 5.7.515 for
    // info@beta12.example (SPF fine, no DMARC record). The operator expects from
    // `scan --diagnose`: two diagnoses, one per sending domain, alpha12.example with the
    // address Gmail named and an SPF cause, beta12.example with a DMARC cause; neither cause
    // borrowed from the other; exit 0 (scan's exit does not carry the diagnoses' findings).
    let o = run(
        &[
            "scan",
            &format!("{ZONES}/two-senders.log"),
            "--diagnose",
            "--zone",
            ZONES,
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let diagnoses = doc["diagnoses"].as_array().unwrap();
    let of = |domain: &str| {
        diagnoses
            .iter()
            .find(|x| x["domain"] == domain)
            .unwrap_or_else(|| panic!("no diagnosis of {domain}: {diagnoses:#?}"))
    };
    let (a, b) = (of("alpha12.example"), of("beta12.example"));
    assert_eq!(diagnoses.len(), 2, "{diagnoses:#?}");
    assert_eq!(a["ip"], "203.0.113.90");
    let causes = |x: &Value| x["causes"].to_string();
    assert!(
        causes(a).contains("SPF") && !causes(a).contains("DMARC record"),
        "{a:#}"
    );
    assert!(
        causes(b).contains("DMARC") && !causes(b).contains("203.0.113.90"),
        "{b:#}"
    );
}

// ------------------------------------------------------------------ replies DNS cannot answer

#[test]
fn gmails_5726_with_every_check_passing_finds_no_cause_and_escalates_now() {
    // tss12.example is clean for 203.0.113.100: SPF passes, k1 verifies, DMARC p=reject
    // aligned, PTR confirmed. Gmail's 5.7.26 all the same. The operator expects: no cause
    // found in DNS (nothing invented), no step marked as fixing, exit 0, and Gmail's path
    // with "escalate now" (every check the reply points at verified and passing), the same
    // as Microsoft's 5.7.515 in round 8.
    let (rc, d) = diagnose(GMAIL_5726, &sender("news@tss12.example", "203.0.113.100"));
    assert_eq!(rc, 0, "{:?} {:?}", cause_ids(&d), finding_ids(&d));
    assert!(cause_ids(&d).is_empty());
    assert!(d["no_cause_found"].is_object(), "{}", d["no_cause_found"]);
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert_eq!(escalation(&d), ("escalation-gmail", true));
}

#[test]
fn yahoos_complaint_deferral_with_clean_dns_slows_down_and_invents_no_record() {
    // Yahoo's 421 4.7.0 [TSS04]: mail from 203.0.113.100 is deferred for unexpected volume or
    // user complaints. tss12.example is clean (SPF, DKIM k1, DMARC p=reject, PTR confirmed).
    // The operator expects: no cause found in DNS and reasons that name the complaints
    // (Yahoo's bulk-sender rules: complaint rate, one-click unsubscribe), the first step slows
    // down (no DNS change fixes it, no suppression of the address), exit 0, Yahoo's path.
    let (rc, d) = diagnose(
        "421 4.7.0 [TSS04] Messages from 203.0.113.100 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        &sender("news@tss12.example", "203.0.113.100"),
    );
    assert_eq!(rc, 0, "{:?} {:?}", cause_ids(&d), finding_ids(&d));
    assert!(
        !fixing(&d)
            .iter()
            .any(|s| ["spf-", "dkim-", "dmarc-", "ptr-", "mx-"]
                .iter()
                .any(|p| s.starts_with(p))),
        "{:?}",
        fixing(&d)
    );
    assert!(
        d["no_cause_found"].to_string().contains("complaint"),
        "{}",
        d["no_cause_found"]
    );
    let s = first_step(&d);
    assert!(s["id"].as_str().unwrap().starts_with("action-"), "{s}");
    assert!(
        step_text(s).to_lowercase().contains("slow"),
        "{}",
        step_text(s)
    );
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("action-suppress")),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d).0, "escalation-yahoo");
}
