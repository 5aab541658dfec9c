//! Round 11 of held-out style `diagnose` scenarios, inputs as users bring them and records as
//! published: a receiver's NDR that returns the message with ARC headers of its own beside the
//! sender's DKIM-Signature (the selector the message was signed with, never ARC's), a Postfix
//! log of an auto-reply sent with the null reverse-path (SPF is the HELO name's), a
//! reverse-DNS refusal whose explanation link carries the client address (GMX, IONOS; and a
//! listing refusal with Spamhaus's lookup link) and a PTR that forward-confirms but is generic, an address given in its IPv4-mapped IPv6 form, a
//! selector given as the key record's full name, SPF published only as type 99, an SPF gap
//! beside a blocklist listing under a reply that names SPF, Microsoft's 5.7.515 with SPF
//! softfailing while DMARC passes through DKIM, a From domain of more than eight labels (the
//! RFC 9989 tree walk's jump), `p=reject` with the removed `pct=25`, and a stray SPF record
//! at `_dmarc`. Each scenario says what a
//! careful operator expects first (the cause, the first step and its exact record, what must
//! not be blamed), then runs. Hostile DNS is in `diagnose_scenarios11b.rs`.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, cause_ids, diagnose_with_code, escalation, finding_ids, first_step,
    fixing, rec, records, step, step_ids, step_text,
};
use serde_json::Value;

pub(super) const ZONES: &str = "tests/fixtures/scenarios11";

pub(super) fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

/// `--from news@DOMAIN --ip IP --dkim-selector k1`.
pub(super) fn sender<'a>(from: &'a str, ip: &'a str) -> [&'a str; 6] {
    ["--from", from, "--ip", ip, "--dkim-selector", "k1"]
}

/// The value of the provenance entry for `field`, with its source.
fn provenance(d: &Value, field: &str) -> (String, String) {
    let p = d["input"]["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == field)
        .unwrap_or_else(|| panic!("no {field} in {}", d["input"]["provenance"]));
    (
        p["value"].as_str().unwrap().to_string(),
        p["source"].as_str().unwrap().to_string(),
    )
}

// ------------------------------------------------------------------ a bounce as the input

#[test]
fn an_ndr_with_the_receivers_arc_headers_checks_the_selector_the_message_was_signed_with() {
    // Exchange Online returns the message's headers: its own ARC-Seal and
    // ARC-Message-Signature (d=microsoft.com, s=arcselector10001), its Authentication-Results
    // (SPF pass for the ESP's bounce domain mail.espx11.example, "dkim=fail (no key for
    // signature)" for arcm11.example), and the sender's DKIM-Signature d=arcm11.example;
    // s=s2026. arcm11.example publishes s2025 but signs with s2026 already (a rotation done in
    // the wrong order). 550 5.7.509: DMARC p=reject failed. The operator expects, with no
    // flag at all: the IP the receiver recorded (203.0.113.21), the Return-Path as MAIL FROM,
    // the missing s2026 key as the cause (SPF passes but for another organisation, so only
    // aligned DKIM can pass); the first step publishes the key at
    // s2026._domainkey.arcm11.example and says the message is signed already (the signer holds
    // the key pair for s2026: no new pair, no "pass --dkim-selector", no "turn on signing");
    // ARC's selector and domain are nowhere in the findings or the plan; Microsoft's path.
    let (rc, d) = diagnose(&format!("{ZONES}/outlook-arc-ndr.eml"), &[]);
    assert_eq!(rc, 1);
    assert_eq!(provenance(&d, "ip").0, "203.0.113.21");
    assert_eq!(
        provenance(&d, "mail_from").0,
        "bounces+7731@mail.espx11.example"
    );
    assert_eq!(
        provenance(&d, "dkim_selector"),
        ("s2026".into(), "bounce: DKIM-Signature s=".into())
    );
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    let s = first_step(&d);
    assert_eq!(
        records(s)
            .iter()
            .map(|r| (r.0.as_str(), r.1.as_str()))
            .collect::<Vec<_>>(),
        [("s2026._domainkey.arcm11.example", "TXT")]
    );
    let t = step_text(s);
    assert!(
        t.contains("s=s2026") && t.contains("d=arcm11.example"),
        "{t}"
    );
    assert!(
        !t.contains("--dkim-selector") && !t.contains("Turn on DKIM signing"),
        "{t}"
    );
    let all = format!("{} {}", d["findings"], d["plan"]);
    assert!(
        !all.contains("arcselector") && !all.contains("microsoft.com"),
        "{all}"
    );
    assert_eq!(escalation(&d).0, "escalation-microsoft");
}

#[test]
fn a_postfix_log_of_an_auto_reply_with_a_null_sender_is_judged_by_the_helo_names_spf() {
    // The operator pastes Postfix's log of an auto-reply Gmail refused (5.7.26; its words
    // name "SPF [out.nrp11.example] with ip: [203.0.113.161]"). qmgr logged `from=<>`: auto-
    // replies and bounces go out with the null reverse-path, so SPF, and DMARC's SPF, check
    // the HELO name out.nrp11.example (RFC 7208 section 2.4, RFC 9989), which publishes no
    // SPF; nrp11.example's own record (for 203.0.113.160) is not what was evaluated. The
    // operator expects: the log's null sender used as MAIL FROM and the address Gmail names;
    // SPF as the cause; the first step publishes SPF at out.nrp11.example authorising
    // 203.0.113.161, and no step changes nrp11.example's record.
    let (rc, d) = diagnose(
        &format!("{ZONES}/autoreply-postfix.log"),
        &["--domain", "nrp11.example", "--helo", "out.nrp11.example"],
    );
    assert_eq!(rc, 1);
    assert_eq!(provenance(&d, "mail_from").0, "<>");
    assert_eq!(provenance(&d, "ip").0, "203.0.113.161");
    let causes = cause_ids(&d);
    assert!(
        !causes.is_empty() && causes.iter().all(|c| c.starts_with("spf-")),
        "{causes:?}"
    );
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        (r[0].0.as_str(), r[0].1.as_str()),
        ("out.nrp11.example", "TXT")
    );
    assert!(
        r[0].2.starts_with("v=spf1 ") && r[0].2.contains("203.0.113.161"),
        "{r:?}"
    );
    for st in d["plan"].as_array().unwrap() {
        assert!(records(st).iter().all(|r| r.0 != "nrp11.example"), "{st}");
    }
}

// ------------------------------------------------------------------ reverse DNS refusals

const GMX_BAD_PTR: &str = "554-gmx.net (mxgmx117) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR resource record. 554 For explanation visit https://www.gmx.net/mail/senderguidelines?ip=203.0.113.51&c=rdns";

#[test]
fn gmx_bad_ptr_for_a_generic_name_that_resolves_back_asks_for_a_name_of_the_senders_own() {
    // GMX refuses 203.0.113.51 with "Bad DNS PTR resource record"; its explanation link
    // carries the client address (`?ip=203.0.113.51`). The PTR is
    // host-203-0-113-51.isp11.example, which resolves back (FCrDNS holds) but is the access
    // provider's per-address name; GMX's policy wants the PTR to be the host's own name, the
    // one it announces as HELO. SPF, DKIM and DMARC pass. The operator expects, without
    // --ip: the address read from the link; the generic name is the cause (nothing else in
    // reverse DNS can explain the refusal), not "no cause found"; the first step asks the IP's
    // owner for a PTR naming a host of gen11.example and publishes its A record; GMX's path.
    let (rc, d) = diagnose(
        GMX_BAD_PTR,
        &["--from", "news@gen11.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1, "{}", d["no_cause_found"]);
    assert_eq!(provenance(&d, "ip").0, "203.0.113.51");
    assert_eq!(cause_ids(&d), ["ptr-generic-name"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-fcrdns");
    assert_eq!(
        records(s),
        [
            rec("51.113.0.203.in-addr.arpa", "PTR", "mail.gen11.example"),
            rec("mail.gen11.example", "A", "203.0.113.51"),
        ]
    );
    assert_eq!(fixing(&d), ["ptr-fcrdns"]);
    assert_eq!(escalation(&d).0, "escalation-gmx");
}

#[test]
fn gmails_5725_for_a_generic_name_that_resolves_back_is_no_dns_cause() {
    // The guard of the class above: Gmail's 5.7.25 says what it checks, a PTR that exists
    // and whose name resolves back to the IP (its error list, answer 3726730), and
    // host-203-0-113-51.isp11.example does both. The operator expects: no cause found in DNS
    // (exit 0: the PTR may have been fixed since, or the mail left through another IP), the
    // PTR step kept as hardening (not marked as fixing), and Gmail's path.
    let (rc, d) = diagnose(
        super::diagnose_support::GMAIL_5725,
        &sender("news@gen11.example", "203.0.113.51"),
    );
    assert_eq!(rc, 0, "{:?}", cause_ids(&d));
    assert!(cause_ids(&d).is_empty());
    assert!(d["no_cause_found"].is_object(), "{}", d["no_cause_found"]);
    step(&d, "ptr-fcrdns");
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert_eq!(escalation(&d).0, "escalation-gmail");
}

#[test]
fn ionos_bad_ptr_reads_the_address_from_its_help_link_and_asks_for_the_missing_ptr() {
    // The same class at IONOS: its help link carries the client address
    // (`index.php?id=2425&ip=203.0.113.52&c=rdns`), and 203.0.113.52 has no PTR at all. The
    // operator expects, without --ip: the address read from the link, `ptr-missing` as the
    // cause, and the PTR plus its A record as the first step.
    let (rc, d) = diagnose(
        "554-kundenserver.de (mxeue001) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR resource record. 554 For explanation visit https://www.ionos.com/help/index.php?id=2425&ip=203.0.113.52&c=rdns",
        &["--from", "news@gen11.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(provenance(&d, "ip").0, "203.0.113.52");
    assert_eq!(cause_ids(&d), ["ptr-missing"]);
    assert_eq!(
        records(first_step(&d)),
        [
            rec("52.113.0.203.in-addr.arpa", "PTR", "mail.gen11.example"),
            rec("mail.gen11.example", "A", "203.0.113.52"),
        ]
    );
}

#[test]
fn a_listing_refusal_that_names_the_client_only_in_its_lookup_link_checks_that_address() {
    // An Exim ACL's refusal names the client only in Spamhaus's lookup link
    // (`query/ip/203.0.113.31`), and ZEN lists 203.0.113.31 (CSS). The operator expects,
    // without --ip: the address read from the link, the ZEN listing as the cause, its
    // delisting step first, and Spamhaus's path (removal is asked of the list).
    let (rc, d) = diagnose(
        "550 5.7.1 Listed by zen.spamhaus.org, see https://www.spamhaus.org/query/ip/203.0.113.31",
        &["--from", "news@spfbl11.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(provenance(&d, "ip").0, "203.0.113.31");
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    assert_eq!(first_step(&d)["id"], "blocklist-delist");
    assert_eq!(escalation(&d).0, "escalation-spamhaus");
}

// ------------------------------------------------------------------ values in another form

#[test]
fn an_ipv4_mapped_address_is_the_ipv4_sender_and_gets_an_ip4_term() {
    // The sender pastes the address as its log shows it, ::ffff:203.0.113.61 (a dual-stack
    // socket's IPv4-mapped form, RFC 4291 section 2.5.5.2). Receivers see the IPv4 client
    // 203.0.113.61, which map11.example's SPF does not list; Gmail's 5.7.27. The operator
    // expects: SPF is the cause, and the first step's record adds `ip4:203.0.113.61` (an
    // `ip6:::ffff:...` term never matches an IPv4 client, RFC 7208 section 5.6); the title
    // names 203.0.113.61.
    let (rc, d) = diagnose(
        GMAIL_5727,
        &sender("news@map11.example", "::ffff:203.0.113.61"),
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "map11.example",
            "TXT",
            "v=spf1 ip4:203.0.113.60 ip4:203.0.113.61 -all"
        )]
    );
    let title = s["title"].as_str().unwrap();
    assert!(
        title.contains("203.0.113.61") && !title.contains("::ffff"),
        "{title}"
    );
}

#[test]
fn a_selector_given_as_the_key_records_full_name_is_that_selector() {
    // The operator pastes `--dkim-selector k2._domainkey.fsel11.example`, the name of the key
    // record, instead of the s= value. k2 is revoked (p= empty); k1 is live. Gmail's 5.7.30
    // (DKIM did not pass). The operator expects: the selector read as k2 under
    // fsel11.example, the revoked key as the cause, and the first step's record at
    // k2._domainkey.fsel11.example (never `..._domainkey.fsel11.example._domainkey...`).
    let (rc, d) = diagnose(
        super::diagnose_support::GMAIL_5730,
        &[
            "--from",
            "news@fsel11.example",
            "--ip",
            "203.0.113.140",
            "--dkim-selector",
            "k2._domainkey.fsel11.example",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-key-revoked"]);
    let r = records(first_step(&d));
    assert!(!r.is_empty(), "{}", first_step(&d));
    assert!(
        r.iter().all(|r| r.0 == "k2._domainkey.fsel11.example"),
        "{r:?}"
    );
}

#[test]
fn spf_published_only_as_type_99_is_republished_as_the_same_txt() {
    // t99b11.example publishes `v=spf1 ip4:203.0.113.41 -all` as an SPF (type 99) record
    // and no TXT: RFC 7208 sections 3.1 and 14.1 have receivers read TXT only, so Gmail sees
    // no SPF (5.7.27). The operator expects: the cause is the missing TXT record, the finding
    // names the type-99 record, and the first step publishes that same text as TXT (its own
    // `-all`, not a new `~all` record).
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@t99b11.example", "203.0.113.41"));
    assert_eq!(rc, 1);
    assert!(
        finding_ids(&d).contains(&"spf-type99-only".to_string()),
        "{:?}",
        finding_ids(&d)
    );
    assert!(
        cause_ids(&d).iter().all(|c| c.starts_with("spf-")),
        "{:?}",
        cause_ids(&d)
    );
    assert_eq!(
        records(first_step(&d)),
        [rec("t99b11.example", "TXT", "v=spf1 ip4:203.0.113.41 -all")]
    );
}

// ------------------------------------------------------------------ several faults at once

#[test]
fn gmails_spf_refusal_of_a_listed_ip_fixes_spf_first_and_the_listing_after() {
    // 203.0.113.31 is missing from spfbl11.example's SPF and is on Spamhaus ZEN (CSS). The
    // reply is Gmail's 5.7.27: its words name SPF, not a blocklist. The operator expects: the
    // SPF gap is the cause and the first step adds the address; the listing is reported and
    // has its delisting step, but after, and not as what fixes this refusal; Gmail's path,
    // not Spamhaus's.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@spfbl11.example", "203.0.113.31"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "spfbl11.example",
            "TXT",
            "v=spf1 ip4:203.0.113.30 ip4:203.0.113.31 -all"
        )]
    );
    step(&d, "blocklist-delist");
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn microsoft_5515_with_spf_softfailing_blames_spf_although_dmarc_passes_by_dkim() {
    // ms11.example signs aligned with k1 and publishes p=none, so DMARC passes through DKIM;
    // but its SPF ends in ~all without 203.0.113.151. Microsoft's 2025 rules for
    // high-volume senders (5.7.515) want SPF to pass as well as DKIM and DMARC. The operator
    // expects: the SPF softfail is the cause (a softfail is no pass), the first step adds the
    // address, and no step about DKIM comes first; Microsoft's path, not "escalate now".
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain ms11.example doesn't meet the required authentication level.",
        &sender("news@ms11.example", "203.0.113.151"),
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "ms11.example",
            "TXT",
            "v=spf1 ip4:203.0.113.150 ip4:203.0.113.151 ~all"
        )]
    );
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("dkim-")));
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

// ------------------------------------------------------------------ DMARC discovery

#[test]
fn a_from_domain_of_nine_labels_finds_the_organisations_policy_by_the_tree_walk() {
    // news.x2.x3.x4.x5.x6.x7.deep11.example has nine labels: RFC 9989 section 4.10 asks
    // `_dmarc` of the name itself, then jumps to its seven right-most labels and walks up to
    // deep11.example, whose record (p=reject; sp=quarantine) applies. The name publishes no
    // SPF and nothing signs; Gmail's 5.7.26. The operator expects: no "DMARC missing" (the
    // policy is inherited), no DMARC record proposed at the deep name, and SPF published at
    // that name for 203.0.113.120 as the first step.
    let from = "news@news.x2.x3.x4.x5.x6.x7.deep11.example";
    let (rc, d) = diagnose(GMAIL_5726, &["--from", from, "--ip", "203.0.113.120"]);
    assert_eq!(rc, 1);
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    let deep = "news.x2.x3.x4.x5.x6.x7.deep11.example";
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-publish", "{:?}", step_ids(&d));
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0].0.as_str(), r[0].1.as_str()), (deep, "TXT"));
    assert!(r[0].2.contains("ip4:203.0.113.120"), "{r:?}");
    let dmarc_here = format!("_dmarc.{deep}");
    for st in d["plan"].as_array().unwrap() {
        assert!(records(st).iter().all(|r| r.0 != dmarc_here), "{st}");
    }
}

#[test]
fn reject_with_pct_25_is_reject_for_everyone_and_no_proposed_record_carries_pct() {
    // pct11.example publishes `p=reject; pct=25`: RFC 9989 removed `pct`, so receivers that
    // follow it reject all failing mail (older ones a quarter of it). Mail leaves through an
    // ESP whose return path (esp.other.example) does not align, and nothing signs; Microsoft's
    // 5.7.509. The operator expects: the missing DKIM is the cause (aligned DKIM is what
    // passes DMARC for mail through another organisation's return path), the first step signs
    // and publishes a key, `pct` is named as removed, no record the plan proposes carries
    // `pct=`, and no step lowers the published reject.
    let (rc, d) = diagnose(
        "550 5.7.509 Access denied, sending domain pct11.example does not pass DMARC verification and has a DMARC policy of reject.",
        &[
            "--from",
            "news@pct11.example",
            "--mail-from",
            "bounces@esp.other.example",
            "--ip",
            "203.0.113.170",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-no-key-found"]);
    assert_eq!(first_step(&d)["id"], "dkim-publish");
    assert!(finding_ids(&d).contains(&"dmarc-obsolete-tag".to_string()));
    for st in d["plan"].as_array().unwrap() {
        for r in records(st) {
            assert!(!r.2.contains("pct="), "{r:?}");
            assert!(
                r.0 != "_dmarc.pct11.example" || r.2.contains("p=reject"),
                "{r:?}"
            );
        }
    }
}

#[test]
fn a_stray_spf_record_at_dmarc_is_ignored_and_the_spf_gap_is_blamed() {
    // _dmarc.dmspf11.example holds `v=spf1 -all` beside `v=DMARC1; p=reject; ...`. RFC 9989
    // section 4.10: answers that do not start with v=DMARC1 are ignored, so there is one
    // valid record, not two. The sender 203.0.113.131 is missing from SPF; Gmail's 5.7.27
    // (DKIM k1 passes, so DMARC did not refuse it: Gmail's bulk rules want SPF too). The
    // operator expects: the SPF gap is the cause; no "several DMARC records" nor invalid
    // record; no step proposes a DMARC record (the published reject stands).
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@dmspf11.example", "203.0.113.131"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let f = finding_ids(&d);
    assert!(
        !f.iter()
            .any(|f| f == "dmarc-multiple-records" || f == "dmarc-record-invalid"),
        "{f:?}"
    );
    assert!(
        !step_ids(&d).iter().any(|s| s.starts_with("dmarc-")),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn which_providers_accept_a_generic_ptr_name_is_read_from_the_rules() {
    // The Gmail exception above used to be the word "gmail" in the plan's code. It is the
    // provider's `generic_ptr_accepted` in its rules: a --rules directory that says the same
    // of GMX turns GMX's refusal for the generic name into "no cause found", as Gmail's is.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("rules/provider-europe-de.toml").unwrap();
    let start = text.find("[[provider]]\nid = \"gmx-webde\"").unwrap();
    let end = text[start + 1..]
        .find("\n[[")
        .map_or(text.len(), |i| start + 1 + i);
    let block =
        text[start..end].replacen("\nsource =", "\ngeneric_ptr_accepted = true\nsource =", 1);
    assert!(block.contains("generic_ptr_accepted"), "{block}");
    std::fs::write(dir.path().join("gmx.toml"), block).unwrap();
    let rules = dir.path().display().to_string();
    let (rc, d) = diagnose(
        GMX_BAD_PTR,
        &[
            "--from",
            "news@gen11.example",
            "--dkim-selector",
            "k1",
            "--rules",
            &rules,
        ],
    );
    assert_eq!(rc, 0, "{:?}", cause_ids(&d));
    assert!(d["no_cause_found"].is_object(), "{}", d["no_cause_found"]);
}
