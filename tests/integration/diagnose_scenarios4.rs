//! Round 4 of held-out style `diagnose` scenarios, and the three known gaps: plan steps that
//! publish a record where one is knowable (a dead SPF redirect, a dangling DKIM CNAME, the From
//! domain's MX), escalation headings that name the list operator, and (through
//! `diagnose_support::assert_publishable`, run on every scenario of every round) records that
//! parse as published. Each scenario names the cause blamed first, the first step and what it
//! publishes, the red herring not blamed, the exit code and the escalation.
#![allow(clippy::unwrap_used)]

use super::cli_support::{Served, code, json, run, stderr, stdout};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids,
    first_step, fixing, rec, records, step, step_ids,
};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios4";

const YAHOO_579: &str = "554 5.7.9 Message not accepted for policy reasons.  See https://senders.yahooinc.com/error-codes";

fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

fn human(zones: &str, reply: &str, args: &[&str]) -> String {
    let mut all = vec!["diagnose", reply];
    all.extend_from_slice(args);
    all.extend(["--zone", zones, "--offline"]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    stdout(&o)
}

fn details(s: &Value) -> String {
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

// ---------------------------------------------------------------- new scenarios: DKIM, DMARC

#[test]
fn microsoft_5515_with_dkim_by_a_subdomain_under_adkim_s_aligns_the_signature() {
    // 5,000+/day sender: DMARC p=none (enough for Microsoft) with adkim=s; the mail is signed
    // d=mail.hv4.example (aligned only relaxed) and bounces to the ESP's domain.
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain hv4.example doesn't meet the required authentication level.",
        &[
            "--from",
            "news@hv4.example",
            "--mail-from",
            "b123@bounces.esp4.example",
            "--ip",
            "198.51.100.20",
            "--dkim-domain",
            "mail.hv4.example",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-not-aligned"]);
    // p=none is what Microsoft asks at least: never the cause.
    assert!(finding_ids(&d).contains(&"dmarc-policy-none".to_string()));
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-alignment");
    assert!(
        records(s).contains(&rec(
            "s1._domainkey.hv4.example",
            "CNAME",
            "s1._domainkey.mail.hv4.example"
        )),
        "{:?}",
        records(s)
    );
    assert_eq!(fixing(&d), ["dmarc-alignment"]);
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn a_dkim_key_with_a_transcription_typo_is_repaired_at_the_signing_selector() {
    // One character of the key's header changed: valid base64, no longer an RSA key.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@typo4.example",
            "--ip",
            "192.0.2.115",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-syntax-error"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-selector");
    assert_eq!(records(s)[0].0, "k1._domainkey.typo4.example");
    assert!(!cause_ids(&d).iter().any(|c| c.starts_with("spf-")));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn pct_0_is_no_escape_from_quarantine_and_no_stage_carries_pct() {
    // p=quarantine; pct=0: RFC 9989 receivers ignore pct. SPF does not list the IP and k1 has
    // no key: those are the causes; pct is only an obsolete tag.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@pct4.example",
            "--ip",
            "192.0.2.112",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(
        cause_ids(&d),
        ["spf-ip-not-authorised", "dkim-selector-missing"]
    );
    assert!(finding_ids(&d).contains(&"dmarc-obsolete-tag".to_string()));
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    for s in d["plan"].as_array().unwrap() {
        for (_, _, v) in records(s) {
            assert!(!v.contains("pct="), "{v}");
        }
    }
}

#[test]
fn a_dmarc_record_at_the_apex_is_moved_to_dmarc_with_its_policy() {
    // `v=DMARC1; p=quarantine; ...` sits in the apex TXT. Before: a fresh p=none record with a
    // new report address was proposed, lowering what the owner meant to publish.
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain apexdmarc4.example doesn't meet the required authentication level.",
        &[
            "--from",
            "news@apexdmarc4.example",
            "--ip",
            "192.0.2.113",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-publish");
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.apexdmarc4.example",
            "TXT",
            "v=DMARC1; p=quarantine; rua=mailto:dmarc@apexdmarc4.example"
        )]
    );
    assert!(details(s).contains("remove the TXT"), "{}", details(s));
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn servfail_on_dmarc_only_is_inconclusive_and_never_publishes_dmarc() {
    let dir = std::path::Path::new(ZONES);
    let text = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let (z, r) = (
        text("servfail4.example.zone"),
        text("2.0.192.in-addr.arpa.zone"),
    );
    let served = Served::start(mailtriage::dns::ServerOptions {
        zones: crate::common::zones(&[("servfail4.example", &z), ("2.0.192.in-addr.arpa", &r)]),
        root_catch_all: true,
        faults: vec![mailtriage::dns::Fault {
            name: "_dmarc.servfail4.example".into(),
            rtype: Some(mailtriage::dns::RType::TXT),
            kind: mailtriage::dns::FaultKind::ServFail,
        }],
        ..mailtriage::dns::ServerOptions::default()
    });
    let o = run(
        &[
            "diagnose",
            "550 5.7.515 Access denied, sending domain servfail4.example doesn't meet the required authentication level.",
            "--from",
            "news@servfail4.example",
            "--ip",
            "192.0.2.140",
            "--dkim-selector",
            "k1",
            "--nameserver",
            &served.nameserver(),
            "--timeout",
            "0.5",
            "--retries",
            "0",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(first_step(&d)["id"], "dns-inconclusive");
    assert!(details(first_step(&d)).contains("_dmarc.servfail4.example"));
    assert!(
        !step_ids(&d).iter().any(|s| s == "dmarc-publish"),
        "{:?}",
        step_ids(&d)
    );
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    assert_eq!(escalation(&d).0, "escalation-microsoft");
}

// ---------------------------------------------------------------- new scenarios: PTR, HELO, bounces

#[test]
fn a_pbl_listing_of_a_home_line_with_a_generic_ptr_asks_for_a_real_ptr_and_goes_to_spamhaus() {
    // 192.0.2.120's PTR is 192-0-2-120.dyn.isp4.example (it resolves back: FCrDNS holds).
    let (rc, d) = diagnose(
        "550 5.7.1 Service unavailable; Client host [192.0.2.120] blocked using pbl.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.120",
        &["--from", "news@home4.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert!(finding_ids(&d).contains(&"ptr-generic-name".to_string()));
    // SPF, DKIM and DMARC are clean: no step of theirs.
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dkim-"))
    );
    let s = step(&d, "ptr-fcrdns");
    assert_eq!(
        records(s),
        [
            rec("120.2.0.192.in-addr.arpa", "PTR", "mail.home4.example"),
            rec("mail.home4.example", "A", "192.0.2.120"),
        ]
    );
    assert_eq!(escalation(&d), ("escalation-spamhaus", true));
}

#[test]
fn a_helo_that_does_not_resolve_makes_the_helo_name_resolve() {
    // Postfix reject_unknown_helo_hostname: mta1.helo4.example does not exist; the PTR
    // (out.helo4.example) is confirmed and SPF/DKIM/DMARC pass.
    let (rc, d) = diagnose(
        "450 4.7.1 <mta1.helo4.example>: Helo command rejected: Host not found",
        &[
            "--from",
            "news@helo4.example",
            "--ip",
            "192.0.2.111",
            "--helo",
            "mta1.helo4.example",
            "--dkim-selector",
            "k1",
        ],
    );
    // The refusal of the HELO is explained by the HELO finding, and its step comes first
    // (before: the reply was the cause and a generic "fix the sending software" step led); a
    // finding blamed for the rejection fails the run.
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-helo-mismatch"]);
    assert_eq!(first_step(&d)["id"], "ptr-helo-name");
    // The PTR already confirms (out.helo4.example): no PTR to ask of the IP's owner, only the
    // HELO name to make resolve (or the PTR's name to announce), in a step that says so. Before:
    // a new PTR was asked.
    let s = step(&d, "ptr-helo-name");
    assert_eq!(records(s), [rec("mta1.helo4.example", "A", "192.0.2.111")]);
    // The record's note speaks of the HELO name, not of a PTR naming it (it does not).
    let note = s["records"][0]["note"].as_str().unwrap();
    assert!(
        note.contains("the name the server announces in HELO"),
        "{note}"
    );
    assert!(
        details(s).contains("announce HELO out.helo4.example"),
        "{}",
        details(s)
    );
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dmarc-"))
    );
    assert_eq!(escalation(&d), ("escalation-generic", false));
}

#[test]
fn an_outlook_bounce_with_dmarc_oreject_blames_spf_for_the_ip_outlook_saw() {
    // The NDR's returned headers: Authentication-Results `spf=fail (sender IP is 203.0.113.45)
    // ... dmarc=fail action=oreject`; the domain's SPF lists only 192.0.2.130.
    let (rc, d) = diagnose("tests/fixtures/scenarios4/outlook-oreject.eml", &[]);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "obnc4.example",
            "TXT",
            "v=spf1 ip4:192.0.2.130 ip4:203.0.113.45 -all"
        )]
    );
    // DMARC p=reject is the policy that was applied, not something to change.
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("dmarc-")));
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
    // The returned headers are Microsoft's own (its Received header on top): the HELO is the
    // host Microsoft received from, not Microsoft's front door.
    assert_eq!(d["input"]["params"]["helo"], "out2.obnc4.example");
}

#[test]
fn a_dmarc_record_with_rua_and_no_p_is_p_none_and_spf_is_blamed() {
    // `v=DMARC1; rua=...` reads as p=none (RFC 9989 4.10.1, RFC 7489 6.6.3): Microsoft's
    // "at least p=none" holds; the IP missing from SPF is why 5.7.515 was sent.
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain norp4.example doesn't meet the required authentication level.",
        &[
            "--from",
            "news@norp4.example",
            "--ip",
            "192.0.2.142",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    assert!(finding_ids(&d).contains(&"dmarc-missing-policy".to_string()));
    // Hardening: the same record with its p=none written out.
    assert_eq!(
        records(step(&d, "dmarc-fix")),
        [rec(
            "_dmarc.norp4.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:dmarc@norp4.example"
        )]
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn an_spf_record_pushed_past_255_octets_is_printed_as_several_strings() {
    // long4.example's record is 241 octets; with ip4:192.0.2.143 it is 257: one TXT record of
    // two strings, which receivers join without spaces (RFC 7208 section 3.3).
    let reply = GMAIL_5727;
    let args = [
        "--from",
        "news@long4.example",
        "--ip",
        "192.0.2.143",
        "--dkim-selector",
        "k1",
    ];
    let (rc, d) = diagnose(reply, &args);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let value = records(first_step(&d))[0].2.clone();
    assert_eq!(value.len(), 257);
    let out = human(ZONES, reply, &args);
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("long4.example. IN TXT"))
        .unwrap();
    let strings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
    assert!(strings.len() >= 2, "{line}");
    assert!(strings.iter().all(|s| s.len() <= 255), "{line}");
    assert_eq!(strings.concat(), value);
}

#[test]
fn a_neutral_spf_result_for_an_unsigned_sender_is_the_cause_not_hardening() {
    // `v=spf1 mx ?all`: the web host 192.0.2.145 gets neutral and does not sign. Before: "only
    // warnings, which do not make a message fail", no cause, escalate now. Neutral is not a
    // pass: the message had no authentication at all.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "web@neutral4.example",
            "--ip",
            "192.0.2.145",
            "--helo",
            "www.neutral4.example",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert!(d["no_cause_found"].is_null());
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "neutral4.example",
            "TXT",
            "v=spf1 mx ip4:192.0.2.145 ?all"
        )]
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn microsoft_4_7_650_over_ipv6_slows_down_first_and_gives_the_ipv6_ptr() {
    // Outlook throttles 2001:db8:40::25 for its reputation (S775); the address has no PTR.
    let (rc, d) = diagnose(
        "451 4.7.650 The mail server [2001:db8:40::25] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BA3BD2AE1AAF4F] [BN7NAM10FT041.eop-nam10.prod.protection.outlook.com]",
        &["--from", "news@six4.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1, "the missing PTR is an error of its own");
    assert_eq!(cause_ids(&d), ["microsoft-4-7-650-ip-reputation-throttle"]);
    assert_eq!(first_step(&d)["id"], "action-slow-down");
    assert_eq!(
        records(step(&d, "ptr-fcrdns")),
        [
            rec(
                "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
                "PTR",
                "mail.six4.example"
            ),
            rec("mail.six4.example", "AAAA", "2001:db8:40::25"),
        ]
    );
    // SPF (ip6 /64), DKIM and DMARC pass: nothing of theirs.
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dmarc-"))
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn a_subdomain_under_sp_none_raises_sp_and_never_lowers_the_parents_p_reject() {
    // orgp4.example: p=reject; sp=none. news.orgp4.example (no record of its own) has SPF but
    // no key at m1. Before: the quarantine stage published `p=reject; t=y; sp=none` at the
    // parent, which makes receivers apply quarantine to the parent's own mail and leaves the
    // subdomain at none.
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain news.orgp4.example doesn't meet the required authentication level.",
        &[
            "--from",
            "news@news.orgp4.example",
            "--ip",
            "192.0.2.146",
            "--dkim-selector",
            "m1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    assert_eq!(first_step(&d)["id"], "dkim-publish");
    assert_eq!(
        records(step(&d, "dmarc-sp-quarantine")),
        [rec(
            "_dmarc.orgp4.example",
            "TXT",
            "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@orgp4.example"
        )]
    );
    for s in d["plan"].as_array().unwrap() {
        for (name, _, v) in records(s) {
            assert!(
                !(name == "_dmarc.orgp4.example" && v.contains("t=y")),
                "{v}"
            );
        }
    }
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s == "dmarc-quarantine" || s == "dmarc-fix")
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn a_dbl_listing_of_the_domain_is_delisted_once_at_spamhaus_not_as_the_ip() {
    // The DBL lists dbl4.example (127.0.1.102, an abused legitimate domain); ZEN lists no IP.
    // Before: a second step "Request delisting of 192.0.2.147" named an IP no list lists.
    let (rc, d) = diagnose(
        "554 5.7.1 Service unavailable; Sender address [news@dbl4.example] blocked using dbl.spamhaus.org; https://www.spamhaus.org/query/domain/dbl4.example",
        &[
            "--from",
            "news@dbl4.example",
            "--ip",
            "192.0.2.147",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "blocklist-delist");
    assert!(details(s).contains("dbl4.example is listed on Spamhaus Domain Blocklist"));
    assert_eq!(step_ids(&d), ["blocklist-delist"]);
    assert_eq!(escalation(&d), ("escalation-spamhaus", true));
    assert!(human(ZONES, "554 5.7.1 Service unavailable; Sender address [news@dbl4.example] blocked using dbl.spamhaus.org; https://www.spamhaus.org/query/domain/dbl4.example", &["--from", "news@dbl4.example", "--ip", "192.0.2.147", "--dkim-selector", "k1"]).contains("Escalation (Spamhaus)"));
}

#[test]
fn a_dmarc_cname_to_a_retired_vendor_says_to_remove_the_cname_before_publishing() {
    // _dmarc.dang4.example is a CNAME to a vendor name that no longer exists. Before: "publish
    // _dmarc.dang4.example TXT ..." alone, which a zone refuses beside the CNAME.
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain dang4.example doesn't meet the required authentication level.",
        &[
            "--from",
            "news@dang4.example",
            "--ip",
            "192.0.2.148",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-publish");
    assert!(
        details(s).contains(
            "remove: _dmarc.dang4.example. IN CNAME dang4.example.rua.gonevendor4.example."
        ),
        "{}",
        details(s)
    );
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.dang4.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@dang4.example"
        )]
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}
