//! Round 4 of held-out style `diagnose` scenarios, continued (`diagnose_scenarios4` has the
//! known gaps, the SPF scenarios and the helpers): DKIM and DMARC (alignment by a subdomain's
//! signature, a key with a typo, `pct=0`, a record at the apex, SERVFAIL on `_dmarc` only), then
//! PTR, HELO and bounces.
#![allow(clippy::unwrap_used)]

use super::cli_support::{Served, code, json, run, stderr};
use super::diagnose_scenarios4::{ZONES, details, diagnose, human};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, GMAIL_5730, cause_ids, escalation, finding_ids, first_step, fixing,
    rec, records, step, step_ids,
};

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
