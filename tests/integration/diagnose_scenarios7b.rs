//! Round 7 of held-out style `diagnose` scenarios, continued (`diagnose_scenarios7` has the first
//! half and the helpers): DKIM keys broken in one specific way each (revoked, cut off at a string
//! boundary, an unknown algorithm), dual-stack and IPv6 HELO literals, ESP return paths and DKIM
//! delegated by CNAME, Yahoo's and Microsoft's refusals inside the sender's own bounce, and a
//! forwarded message of an unsigned sender.
#![allow(clippy::unwrap_used)]

use super::diagnose_scenarios7::{
    GMAIL_5726, ZONES, bounce, details, diagnose, human, message_of, ms_5515, reason,
};
use super::diagnose_support::{
    GMAIL_5730, cause_ids, escalation, first_step, fixing, rec, records, step_ids,
};

// ------------------------------------------------- DKIM keys, each broken its own way

#[test]
fn a_revoked_signing_key_step_says_it_is_revoked_not_revoked_or_malformed() {
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@revk7.example",
            "--ip",
            "192.0.2.77",
            "--dkim-selector",
            "s2026",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-key-revoked"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-selector");
    let title = s["title"].as_str().unwrap();
    assert!(
        title.contains("s2026") && title.contains("revoked"),
        "{title}"
    );
    let why = s["why"].as_str().unwrap();
    assert!(!why.contains(" or malformed"), "{why}");
    assert!(why.contains("s2026._domainkey.revk7.example"), "{why}");
    assert_eq!(
        records(s)[0].0,
        "s2026._domainkey.revk7.example",
        "the new key goes where the signer looks"
    );
}

#[test]
fn a_key_cut_off_at_its_first_string_is_named_as_unreadable_with_the_reason() {
    // The DNS host's form took only the first 255-character string of the key: the p= value
    // ends mid-key. The step says what the verifier found, for this selector.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@trunc7.example",
            "--ip",
            "192.0.2.78",
            "--dkim-selector",
            "sel7",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-syntax-error"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-selector");
    assert!(
        s["title"].as_str().unwrap().contains("unreadable"),
        "{}",
        s["title"]
    );
    let why = s["why"].as_str().unwrap();
    assert!(
        why.starts_with(&message_of(&d, "dkim-syntax-error")),
        "{why}"
    );
    assert!(!why.contains("revoked (empty p=) or malformed"), "{why}");
    // Not "not an RSA key": the key is cut off where the first string ended.
    assert!(why.contains("the key is cut off"), "{why}");
    assert!(why.contains("several strings"), "{why}");
}

#[test]
fn an_unknown_key_algorithm_is_named_in_the_repair_step() {
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@algo7.example",
            "--ip",
            "192.0.2.79",
            "--dkim-selector",
            "sel7",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-syntax-error"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-selector");
    let why = s["why"].as_str().unwrap();
    assert!(why.contains("dsa"), "{why}");
    assert_eq!(
        records(s)[0].2,
        "v=DKIM1; k=rsa; p=<base64 public key from your signing service>"
    );
}

#[test]
fn a_bounce_signed_twice_blames_the_own_revoked_key_not_the_services_valid_one() {
    // DKIM-Signature d=two7.example s=own7 (revoked) and d=esp7.example s=k7 (valid). DMARC
    // needs the aligned one: the own key is the cause; the service's signature is no fix.
    let (rc, d) = bounce("two-signatures.eml", &["--ip", "192.0.2.89"]);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-key-revoked"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-selector");
    assert_eq!(records(s)[0].0, "own7._domainkey.two7.example");
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

// ------------------------------------------------- reverse DNS and HELO

#[test]
fn a_dual_stack_relay_whose_name_has_no_aaaa_gets_the_aaaa_not_a_second_ptr() {
    // 2001:db8:7::80 has PTR mail.dual7.example, which has only an A record: the IPv6 PTR
    // does not resolve back. The PTR is right; the host's AAAA is what is missing, in the
    // sender's own zone. Nothing to ask of the IP's owner.
    let g525 = "550-5.7.25 [2001:db8:7::80] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. - gsmtp";
    let (rc, d) = diagnose(
        g525,
        &[
            "--from",
            "news@dual7.example",
            "--ip",
            "2001:db8:7::80",
            "--helo",
            "mail.dual7.example",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-not-confirmed"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-fcrdns");
    assert_eq!(
        records(s),
        [rec("mail.dual7.example", "AAAA", "2001:db8:7::80")]
    );
    // The wait is the new AAAA's absence as cached (the zone's negative TTL), not the PTR's.
    assert_eq!(s["wait_seconds"], 300);
}

#[test]
fn an_ipv6_address_literal_helo_is_fixed_by_announcing_the_ptr_name() {
    let (rc, d) = diagnose(
        "504 5.5.2 <[IPv6:2001:db8:7::81]>: Helo command rejected: need fully-qualified hostname",
        &[
            "--from",
            "news@helo7.example",
            "--ip",
            "2001:db8:7::81",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-helo-address-literal"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-helo-name");
    assert!(s.to_string().contains("out.helo7.example"), "{s}");
    assert!(records(s).iter().all(|r| r.1 != "PTR"), "{:?}", records(s));
}

// ------------------------------------------------- ESP return paths and delegated DKIM

#[test]
fn an_ses_custom_mail_from_without_spf_gets_its_record_at_the_return_path() {
    // SES with MAIL FROM bounce.ses7.example: the MX is there, the TXT never was. SPF for the
    // message is `none` at bounce.ses7.example whatever ses7.example publishes. The operator
    // expects the record at bounce.ses7.example with SES's include (the PTR names SES), not
    // "correct the SPF record of ses7.example" with nothing to publish.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@ses7.example",
            "--mail-from",
            "0100018f@bounce.ses7.example",
            "--ip",
            "198.51.100.7",
            "--dkim-selector",
            "tok7a",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-publish");
    assert_eq!(
        records(s),
        [rec(
            "bounce.ses7.example",
            "TXT",
            "v=spf1 include:amazonses.com ~all"
        )]
    );
    assert!(
        s["title"].as_str().unwrap().contains("bounce.ses7.example"),
        "{}",
        s["title"]
    );
    assert!(
        s["verify"]
            .as_str()
            .unwrap()
            .contains("check bounce.ses7.example"),
        "{}",
        s["verify"]
    );
    assert_eq!(s["wait_seconds"], 300);
    assert!(details(s).contains("Amazon SES"), "{}", details(s));
    assert!(
        !step_ids(&d).contains(&"spf-fix".to_string()),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn microsoft_365_dkim_never_enabled_repairs_the_signing_selector_cname() {
    // selector1/selector2 CNAMEs point into Microsoft's DKIM zone, where no key exists yet
    // (signing was never enabled), yet the message names s=selector1: the 5.7.515 is DKIM, and
    // the CNAME to nothing at the signing selector is the cause.
    let (rc, d) = diagnose(
        &ms_5515("m365dk7.example"),
        &[
            "--from",
            "news@m365dk7.example",
            "--ip",
            "198.51.100.200",
            "--dkim-selector",
            "selector1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "dkim-cname-dangling");
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-cname");
    assert!(
        s.to_string()
            .contains("selector1._domainkey.m365dk7.example"),
        "{s}"
    );
    // selector2 dangles too, but nothing was signed with it: its repair is hardening, not
    // marked as fixing this rejection because it shares the finding id.
    let second = &d["plan"][1];
    assert!(
        second.to_string().contains("selector2._domainkey"),
        "{second}"
    );
    assert_eq!(second["fixes_likely_cause"], false, "{second}");
    assert_eq!(fixing(&d), ["dkim-fix-cname"]);
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

// ------------------------------------------------- replies inside the sender's own bounce

#[test]
fn yahoos_policy_refusal_inside_a_postfix_bounce_blames_the_missing_dmarc_record() {
    let (rc, d) = bounce("yahoo-in-bounce.eml", &["--ip", "192.0.2.85"]);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    assert_eq!(first_step(&d)["id"], "dmarc-publish");
    assert_eq!(escalation(&d), ("escalation-yahoo", false));
}

#[test]
fn outlooks_5515_inside_a_postfix_bounce_publishes_the_selector_the_message_was_signed_with() {
    // The returned headers carry DKIM-Signature s=m2026; only k1 is published.
    let (rc, d) = bounce("outlook-in-bounce.eml", &["--ip", "192.0.2.86"]);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-publish");
    assert_eq!(records(s)[0].0, "m2026._domainkey.msb7.example");
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

// ------------------------------------------------- forwarding

#[test]
fn a_forwarded_message_of_an_unsigned_sender_asks_for_dkim_not_the_forwarders_ip() {
    // news@arc7.example -> sam.alumni@uni7.example, which forwards to Gmail from
    // relay.uni7.example. Gmail refused the forwarded copy; the bounce comes from the
    // university's relay (Reporting-MTA of the recipient's own domain, Remote-MTA Gmail's).
    // The sender signs nothing. A careful operator knows SPF cannot pass at Gmail for a
    // forwarded copy (the forwarder connects), that the forwarder's address never belongs in
    // their SPF record, that ARC is not the fix (Google dropped it from its guidelines in March
    // 2026), and that aligned DKIM is what survives forwarding: signing is the fix. Nor is the
    // forwarder's name the sender's HELO.
    let (rc, d) = bounce("arc-forwarded.eml", &[]);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-no-key-found"]);
    let why = reason(&d, "dkim-no-key-found");
    assert!(
        why.contains("relay.uni7.example") && why.contains("sam.alumni@uni7.example"),
        "{why}"
    );
    assert_eq!(first_step(&d)["id"], "dkim-publish");
    assert_eq!(fixing(&d), ["dkim-publish"]);
    let plan = d["plan"].to_string();
    assert!(
        !plan.contains("198.51.100.77") && !plan.contains("relay.uni7"),
        "{plan}"
    );
    assert!(!plan.contains("ARC"), "{plan}");
    assert!(
        !step_ids(&d).iter().any(|s| s.starts_with("spf-")),
        "{:?}",
        step_ids(&d)
    );
    let helo = d["input"]["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "helo")
        .unwrap()
        .to_string();
    assert!(helo.contains("skipped: the forwarder"), "{helo}");
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_bounce_from_the_senders_own_relay_is_no_forwarding() {
    // The guard of the class above: Yahoo's refusal in the sender's own Postfix bounce
    // (Reporting-MTA the sender's) is not forwarding, and its HELO guess stands.
    let (_, d) = bounce("yahoo-in-bounce.eml", &["--ip", "192.0.2.85"]);
    let helo = d["input"]["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "helo")
        .unwrap()
        .to_string();
    assert!(!helo.contains("skipped"), "{helo}");
    assert!(!reason(&d, "dmarc-missing").contains("forwarded"));
}

#[test]
fn the_human_report_of_a_two_recipient_bounce_names_each_address_once_per_step() {
    let out = human(
        &format!("{ZONES}/three-recipients.eml"),
        &["--ip", "192.0.2.88"],
    );
    assert!(
        out.contains(
            "also: [enhanced-x-1-1] 550 5.1.1 for lee@mailhost7.example and kim@mailhost7.example"
        ),
        "{out}"
    );
    assert_eq!(
        out.matches("- lee@mailhost7.example: 550 5.1.1").count(),
        1,
        "{out}"
    );
}
