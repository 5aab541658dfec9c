//! Round 4 of held-out style `diagnose` scenarios, and the three known gaps: plan steps that
//! publish a record where one is knowable (a dead SPF redirect, a dangling DKIM CNAME, the From
//! domain's MX), escalation headings that name the list operator, and (through
//! `diagnose_support::assert_publishable`, run on every scenario of every round) records that
//! parse as published. Each scenario names the cause blamed first, the first step and what it
//! publishes, the red herring not blamed, the exit code and the escalation.
//! The second half of the round is in `diagnose_scenarios4b`.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr, stdout};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids,
    first_step, fixing, rec, records, step, step_ids,
};
use serde_json::Value;

pub(crate) const ZONES: &str = "tests/fixtures/scenarios4";

const YAHOO_579: &str = "554 5.7.9 Message not accepted for policy reasons.  See https://senders.yahooinc.com/error-codes";

pub(crate) fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

pub(crate) fn human(zones: &str, reply: &str, args: &[&str]) -> String {
    let mut all = vec!["diagnose", reply];
    all.extend_from_slice(args);
    all.extend(["--zone", zones, "--offline"]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    stdout(&o)
}

pub(crate) fn details(s: &Value) -> String {
    s["details"].to_string()
}

// ---------------------------------------------------------------- gap 1: records where knowable

#[test]
fn a_redirect_to_a_missing_name_is_replaced_by_a_record_that_authorises_the_sender() {
    // Round 3's redir.example: `v=spf1 redirect=_spf.retired.redir.example`, a name with no SPF.
    // Before: an `spf-fix` step that published nothing.
    let (rc, d) = diagnose_with_code(
        "tests/fixtures/scenarios3",
        GMAIL_5727,
        &[
            "--from",
            "news@redir.example",
            "--ip",
            "192.0.2.31",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-include-without-spf");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-fix");
    assert_eq!(
        records(s),
        [rec("redir.example", "TXT", "v=spf1 ip4:192.0.2.31 ~all")]
    );
    // The other fix, keeping the redirect, names the exact record for its target.
    assert!(
        details(s)
            .contains("_spf.retired.redir.example. IN TXT \\\"v=spf1 ip4:192.0.2.31 ~all\\\""),
        "{}",
        details(s)
    );
    assert_eq!(fixing(&d), ["spf-fix"]);
}

#[test]
fn a_dangling_dkim_cname_into_the_own_zone_publishes_the_key_at_its_target() {
    // k1._domainkey CNAME k1.keys.owncname4.example, which was never published.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@owncname4.example",
            "--ip",
            "192.0.2.121",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "dkim-cname-dangling");
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-cname");
    assert_eq!(
        records(s),
        [rec(
            "k1.keys.owncname4.example",
            "TXT",
            "v=DKIM1; k=rsa; p=<base64 public key from your signing service>"
        )]
    );
    // SPF passes and DMARC is at reject: neither is blamed.
    assert!(
        !cause_ids(&d)
            .iter()
            .any(|c| c.starts_with("spf-") || c.starts_with("dmarc-"))
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_dangling_dkim_cname_to_a_service_is_replaced_at_the_selector() {
    // Round 3's cnamedmarc.example: s1 is a CNAME to a name at sendco3.example with no key.
    let (_, d) = diagnose_with_code(
        "tests/fixtures/scenarios3",
        GMAIL_5730,
        &[
            "--from",
            "news@cnamedmarc.example",
            "--mail-from",
            "b@bounces.sendco3.example",
            "--ip",
            "198.51.100.9",
            "--dkim-selector",
            "s1",
        ],
    );
    let s = step(&d, "dkim-fix-cname");
    let recs = records(s);
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0].0, "s1._domainkey.cnamedmarc.example");
    assert!(
        s["records"][0]["note"]
            .as_str()
            .unwrap()
            .contains("delete the CNAME"),
        "{}",
        s["records"][0]["note"]
    );
}

#[test]
fn a_null_mx_on_the_from_domain_says_what_to_remove_and_what_to_publish() {
    // Round 3's nullfrom.example: `MX 0 .` on the sending domain. Before: mx-fix with no record.
    let (rc, d) = diagnose_with_code(
        "tests/fixtures/scenarios3",
        "550 5.7.27 Sender address has null MX",
        &[
            "--from",
            "news@nullfrom.example",
            "--ip",
            "192.0.2.75",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    let s = first_step(&d);
    assert_eq!(s["id"], "mx-fix");
    assert_eq!(
        records(s),
        [rec("nullfrom.example", "MX", "10 mail.nullfrom.example")]
    );
    assert!(
        details(s).contains("remove: nullfrom.example. IN MX 0 ."),
        "{}",
        details(s)
    );
}

#[test]
fn an_address_literal_mx_gets_a_host_name_and_the_mx_that_names_it() {
    // mxlit4.example's only MX is `10 192.0.2.119.` and it has no A: bounces have nowhere to go.
    let (rc, d) = diagnose(
        "450 4.1.8 <news@mxlit4.example>: Sender address rejected: Domain not found",
        &[
            "--from",
            "news@mxlit4.example",
            "--ip",
            "192.0.2.119",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["mx-target-ip-literal"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "mx-fix");
    assert_eq!(
        records(s),
        [
            rec("mx.mxlit4.example", "A", "192.0.2.119"),
            rec("mxlit4.example", "MX", "10 mx.mxlit4.example"),
        ]
    );
    assert!(details(s).contains("remove: mxlit4.example. IN MX 10 192.0.2.119."));
    // The missing PTR and the p=none are true, and not why a sender address was refused.
    assert!(finding_ids(&d).contains(&"ptr-missing".to_string()));
    assert_eq!(fixing(&d), ["mx-fix"]);
    assert_eq!(escalation(&d), ("escalation-generic", false));
}

#[test]
fn an_mx_that_names_an_alias_is_pointed_at_the_canonical_host() {
    // mxcname4.example: MX 10 mail (a CNAME to mx1) and MX 20 192.0.2.118 (a literal).
    let (rc, d) = diagnose(
        "451 4.1.8 <news@mxcname4.example>: Sender address rejected: unverified address: host mail.mxcname4.example[192.0.2.117] said: 450 try again",
        &[
            "--from",
            "news@mxcname4.example",
            "--ip",
            "192.0.2.117",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    let s = first_step(&d);
    assert_eq!(s["id"], "mx-fix");
    let recs = records(s);
    assert!(
        recs.contains(&rec("mxcname4.example", "MX", "10 mx1.mxcname4.example")),
        "{recs:?}"
    );
    assert!(
        recs.contains(&rec("mx.mxcname4.example", "A", "192.0.2.118")),
        "{recs:?}"
    );
    assert!(details(s).contains("remove: mxcname4.example. IN MX 10 mail.mxcname4.example."));
}

// ---------------------------------------------------------------- gap 2: escalation names

#[test]
fn blocklist_escalation_headings_name_the_list_operator_not_a_bare_id() {
    let cases = [
        (
            "554 5.7.1 Service unavailable; Client host [192.0.2.92] blocked using bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.92",
            "Escalation (SpamCop)",
        ),
        (
            "554 5.7.1 Service unavailable; Client host [192.0.2.94] blocked using b.barracudacentral.org; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.94",
            "Escalation (Barracuda Central (BRBL))",
        ),
        (
            "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.91, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html",
            "Escalation (Spamhaus)",
        ),
    ];
    for (reply, heading) in cases {
        let out = human(
            "tests/fixtures/scenarios3",
            reply,
            &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
        );
        assert!(out.contains(heading), "{heading} not in:\n{out}");
    }
}

#[test]
fn every_escalation_entry_has_a_name_for_its_heading() {
    let rules = mailtriage::rules::RuleSet::load(None).unwrap();
    for e in &rules.escalations {
        assert!(
            !e.rule.name.trim().is_empty() && e.rule.name != e.rule.provider,
            "{} has no name of its own",
            e.rule.id
        );
    }
}

// ---------------------------------------------------------------- new scenarios: SPF

#[test]
fn yahoo_579_with_spf_passing_only_through_ptr_replaces_ptr_with_the_address() {
    // SPF is `v=spf1 ptr -all`; DKIM k1 aligned passes, so DMARC passes even where ptr is
    // skipped: no DNS cause, and the ptr step publishes the record without ptr. Before: a
    // "Correct the SPF record" step with no record.
    let (rc, d) = diagnose(
        YAHOO_579,
        &[
            "--from",
            "news@ptronly4.example",
            "--ip",
            "192.0.2.102",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    assert!(!d["no_cause_found"].is_null());
    let s = step(&d, "spf-fix");
    assert_eq!(
        records(s),
        [rec(
            "ptronly4.example",
            "TXT",
            "v=spf1 ip4:192.0.2.102 -all"
        )]
    );
    assert_eq!(s["fixes_likely_cause"], false);
    assert_eq!(escalation(&d), ("escalation-yahoo", true));
}

const RANGE_REPLY: &str = "550 5.7.23 <news@range4.example>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=news@range4.example;ip=203.0.113.77;r=mx.example.org";

#[test]
fn an_spf_reply_whose_link_names_the_client_ip_checks_that_address() {
    // SPF covers 192.0.2.0/25; policyd-spf's link says the message came from 203.0.113.77.
    // Before: the ip= of the link was not read, so no IP was checked and SPF "passed".
    let (rc, d) = diagnose(
        RANGE_REPLY,
        &["--from", "news@range4.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "range4.example",
            "TXT",
            "v=spf1 ip4:192.0.2.0/25 ip4:203.0.113.77 -all"
        )]
    );
    assert_eq!(escalation(&d), ("escalation-generic", false));
}

#[test]
fn an_spf_reply_naming_another_ip_than_ip_says_so_first() {
    // --ip 192.0.2.110 is inside the /25 and passes; the receiver saw 203.0.113.77. The flag
    // still decides what is checked, but the first reason names the address the receiver saw.
    let (rc, d) = diagnose(
        RANGE_REPLY,
        &[
            "--from",
            "news@range4.example",
            "--ip",
            "192.0.2.110",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert!(cause_ids(&d).is_empty());
    let first = d["no_cause_found"]["possible_reasons"][0].as_str().unwrap();
    assert!(
        first.contains("203.0.113.77") && first.contains("--ip 203.0.113.77"),
        "{first}"
    );
    let seen = d["input"]["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "reply_ip")
        .unwrap();
    assert_eq!(seen["value"], "203.0.113.77");
}

#[test]
fn a_parked_spf_record_on_a_domain_that_now_sends_authorises_the_sender() {
    // `v=spf1 -all` from the day it was parked; it now sends from 192.0.2.116 with DKIM k1.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@parked4.example",
            "--ip",
            "192.0.2.116",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec("parked4.example", "TXT", "v=spf1 ip4:192.0.2.116 -all")]
    );
    // It sends: no "park it with p=reject" advice, and the missing MX gets a real one.
    assert!(!step_ids(&d).iter().any(|s| s == "dmarc-publish"));
    assert_eq!(
        records(step(&d, "mx-fix")),
        [rec("parked4.example", "MX", "10 mail.parked4.example")]
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_spf_record_reached_through_a_cname_is_valid_and_the_revoked_signing_key_is_blamed() {
    // news.cnspf4.example is a CNAME to spf.host4.example, whose SPF authorises the IP.
    // Before: the cause was found but the run exited 0 (a revoked key is a warning).
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@news.cnspf4.example",
            "--ip",
            "192.0.2.114",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1, "a cause in DNS fails the run");
    assert_eq!(cause_ids(&d), ["dkim-key-revoked"]);
    assert!(finding_ids(&d).contains(&"spf-ip-authorised".to_string()));
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-selector");
    assert_eq!(records(s)[0].0, "k1._domainkey.news.cnspf4.example");
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}
