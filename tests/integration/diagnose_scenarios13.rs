//! Round 13 of held-out style `diagnose` scenarios: an SPF term that matched first while the
//! sending service is recognised (the service's include takes its place, with the service's
//! note), the SPF domain a receiver names in RFC 7208's own wording ("domain of ... does not
//! designate"), a `_dmarc` CNAME loop under an organisation's `p=reject`, `scan --diagnose`
//! over a log whose envelope is an ESP's while the receiver names the brand's From domain,
//! Gmail's 4.7.24/5.7.24 "suspicious entries" (a range as wide as half the internet, `+all`),
//! a 512-bit key (RFC 8301) signing beside a good one, two signatures of which only the
//! unaligned one verifies, a mailing list that ARC-sealed and re-sent a post, an include of a
//! vendor whose record alone is over ten lookups or holds two records, an MX naming a CNAME
//! under sender verification (RFC 2181 section 10.3), an IPv6 relay whose PTR host has another
//! AAAA, `sp=none` beneath `p=reject`, a return path without MX or address, and a reply whose
//! SPF domain is no domain name. Each scenario says what a careful operator expects
//! first (the cause, the first step and its exact record, what must not be blamed), then runs.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, cause_ids, diagnose_with_code, finding_ids, first_step, rec, records,
    step_ids, step_text,
};
use serde_json::Value;

pub(super) const ZONES: &str = "tests/fixtures/scenarios13";

pub(super) fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

/// `--from news@DOMAIN --ip IP --dkim-selector k1`.
pub(super) fn sender<'a>(from: &'a str, ip: &'a str) -> [&'a str; 6] {
    ["--from", from, "--ip", ip, "--dkim-selector", "k1"]
}

fn ms_5515(domain: &str) -> String {
    format!(
        "550 5.7.515 Access denied, sending domain [{domain}] doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender."
    )
}

fn reasons(d: &Value) -> Vec<String> {
    d["no_cause_found"]["possible_reasons"]
        .as_array()
        .map(|a| a.iter().map(|r| r.to_string()).collect())
        .unwrap_or_default()
}

/// Every record of every step: (name, type, value).
fn all_records(d: &Value) -> Vec<(String, String, String)> {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(records)
        .collect()
}

// ------------------------------------------------------------------ SPF as written

#[test]
fn a_softfailed_range_before_a_recognised_service_gets_its_include_with_the_services_note() {
    // svc13.example parked its whole /24 at softfail during a move: `v=spf1
    // ~ip4:203.0.113.0/24 -all`. It now sends through SendGrid, whose shared relay
    // 203.0.113.51 (PTR o1.ptr5555.sendgrid.net, confirmed) is inside that /24, so `~ip4:`
    // matches first and SPF softfails (RFC 7208 section 4.6.2); Gmail's 5.7.27. The operator
    // expects: SPF for the relay is the cause; the first step authorises SendGrid by its
    // documented include, put before the `~ip4:` range (which still applies to the old
    // hosts), and the record's note is the service's ("authorises SendGrid by the include"),
    // not the note for a bare address ("if a provider sends for you ...").
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@svc13.example", "203.0.113.51"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-service", "{:?}", step_ids(&d));
    assert_eq!(
        records(s),
        [rec(
            "svc13.example",
            "TXT",
            "v=spf1 include:sendgrid.net ~ip4:203.0.113.0/24 -all"
        )]
    );
    let note = s["records"][0]["note"].as_str().unwrap();
    assert!(note.contains("SendGrid"), "{note}");
    assert!(!note.contains("if a provider sends for you"), "{note}");
    assert!(
        step_text(s).contains("~ip4:203.0.113.0/24"),
        "{}",
        step_text(s)
    );
}

#[test]
fn the_spf_domain_a_reply_names_in_rfc_7208_wording_is_checked_as_the_mail_from() {
    // A receiver echoes RFC 7208's Received-SPF wording in its refusal (section 9.1: "domain
    // of X does not designate Y as permitted sender"), naming the return-path domain
    // bounce.rfcspf13.example, with or without the address's local part. That name has no SPF
    // record; the From domain's own SPF lists the relay. The operator expects, without
    // --mail-from: the named domain is checked as the MAIL FROM (said so in "Checked with"),
    // SPF there is the cause, and the first step publishes an SPF record at
    // bounce.rfcspf13.example that lists the relay, never a change to rfcspf13.example's.
    for reply in [
        "550 5.7.1 Domain of bounce.rfcspf13.example does not designate 203.0.113.52 as permitted sender",
        "550 5.7.23 SPF fail: domain of bounces@bounce.rfcspf13.example does not designate 203.0.113.52 as permitted sender",
    ] {
        let (rc, d) = diagnose(reply, &sender("news@rfcspf13.example", "203.0.113.52"));
        assert_eq!(rc, 1, "{reply}");
        let mail_from: Vec<&Value> = d["input"]["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["field"] == "mail_from")
            .collect();
        assert_eq!(mail_from.len(), 1, "{reply}: {mail_from:?}");
        assert!(
            mail_from[0]["value"]
                .as_str()
                .unwrap()
                .ends_with("@bounce.rfcspf13.example"),
            "{mail_from:?}"
        );
        assert!(
            mail_from[0]["source"].as_str().unwrap().contains("reply"),
            "{mail_from:?}"
        );
        let s = first_step(&d);
        let r = records(s);
        assert_eq!(r.len(), 1, "{reply}: {r:?}");
        assert_eq!(r[0].0, "bounce.rfcspf13.example", "{reply}");
        assert!(r[0].2.contains("ip4:203.0.113.52"), "{r:?}");
        assert!(
            !all_records(&d).iter().any(|r| r.0 == "rfcspf13.example"),
            "{:?}",
            all_records(&d)
        );
    }
}

#[test]
fn gmail_5724_about_suspicious_entries_blames_a_range_of_half_the_internet() {
    // wide13.example publishes `v=spf1 ip4:203.0.113.55 ip4:0.0.0.0/1 -all`: the relay is
    // listed, and so is every address from 0.0.0.0 to 127.255.255.255. Google documents
    // 4.7.24/5.7.24 for an SPF record with "suspicious entries" (support.google.com/a/answer/
    // 3726730); a range of 2^31 addresses is one (it authorises hosts the domain does not
    // run). SPF passes for the relay, so nothing else explains the refusal. The operator
    // expects: the over-wide range is the cause (a finding that names it, not "no cause
    // found"); the first step publishes the record without it, keeping the relay.
    let reply = "550-5.7.24 The SPF record of the sending domain has one or more suspicious entries. For more information, go to Email sender guidelines. 98e67ed59e1d1-30d1si2.9 - gsmtp";
    let (rc, d) = diagnose(reply, &sender("news@wide13.example", "203.0.113.55"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-range-too-wide"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec("wide13.example", "TXT", "v=spf1 ip4:203.0.113.55 -all")]
    );
    assert!(step_text(s).contains("ip4:0.0.0.0/1"), "{}", step_text(s));
}

#[test]
fn gmail_4724_about_suspicious_entries_blames_plus_all() {
    // plusall13.example ends its record with `+all`: every address on the internet passes
    // (RFC 7208 section 5.1). Gmail's 4.7.24 deferral about suspicious entries. The operator
    // expects: `spf-plus-all` is the cause; the first step publishes the record with the relay
    // kept and `all` no longer passing everyone.
    let reply = "451-4.7.24 The SPF record of the sending domain has one or more suspicious entries. To protect our users from spam, email sent from your IP address has been temporarily rate limited. For more information, go to Email sender guidelines. 2a6f1d8c5e3si1.4 - gsmtp";
    let (rc, d) = diagnose(reply, &sender("news@plusall13.example", "203.0.113.56"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-plus-all"]);
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "plusall13.example");
    assert!(
        r[0].2.starts_with("v=spf1 ip4:203.0.113.56 ")
            && (r[0].2.ends_with(" -all") || r[0].2.ends_with(" ~all")),
        "{r:?}"
    );
}

#[test]
fn a_vendor_include_over_ten_lookups_on_its_own_is_the_vendors_to_fix_never_flattened() {
    // deepinc13.example publishes `v=spf1 ip4:203.0.113.60 include:_spf.vendor13.example
    // -all`; the vendor's record alone spends eleven lookups (eleven `a:` terms) before the
    // `ip4:` of its relay 203.0.113.61, which sends this mail. check_host stops at the limit
    // with a permerror (RFC 7208 section 4.6.4); Gmail's 5.7.27. The operator expects: the
    // lookup count is the cause; the first step names the vendor's record as the one over the
    // limit, and no step copies the vendor's addresses into deepinc13.example's record (its
    // record is the vendor's to change: another party's include is never flattened).
    let (rc, d) = diagnose(
        GMAIL_5727,
        &sender("news@deepinc13.example", "203.0.113.61"),
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-too-many-lookups");
    let t = step_text(first_step(&d));
    assert!(
        t.contains("include:_spf.vendor13.example costs 12 lookups on its own"),
        "{t}"
    );
    for r in all_records(&d) {
        assert!(
            !(r.0 == "deepinc13.example" && r.2.contains("198.51.100.")),
            "flattened the vendor's record: {r:?}"
        );
    }
}

#[test]
fn a_vendor_include_with_two_records_is_named_as_the_vendors_to_merge() {
    // dblinc13.example publishes `v=spf1 include:_spf.dblvendor13.example -all`, and the
    // vendor publishes two SPF records at `_spf` (a permerror for whoever includes it, RFC
    // 7208 section 4.5). Gmail's 5.7.27. The operator expects: an SPF error is the cause,
    // and the first step names `_spf.dblvendor13.example` as the record to be merged by its
    // publisher; nothing is published at the vendor's name as if it were the sender's zone.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@dblinc13.example", "203.0.113.64"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(
        !causes.is_empty() && causes[0].starts_with("spf-"),
        "{causes:?}"
    );
    let t = step_text(first_step(&d));
    assert!(t.contains("_spf.dblvendor13.example"), "{t}");
}

// ------------------------------------------------------------------ DKIM

#[test]
fn a_512_bit_key_signing_beside_a_good_signature_is_not_the_cause() {
    // weak13.example signs each message twice: with s=old, a 512-bit RSA key that RFC 8301
    // section 3.2 forbids verifiers to use, and with s=k1, a 2048-bit key that verifies. One
    // passing aligned signature is enough for DMARC; the domain has no DMARC record, and
    // Gmail's 5.7.26 wants one. The operator expects: the missing DMARC record is the cause
    // and its step comes first; the short key is hardening (rotate it), never the cause.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@weak13.example",
            "--ip",
            "203.0.113.57",
            "--dkim-selector",
            "old",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    assert!(finding_ids(&d).iter().any(|f| f == "dkim-key-too-short"));
    assert_eq!(records(first_step(&d))[0].0, "_dmarc.weak13.example");
}

#[test]
fn the_aligned_signature_without_a_key_is_blamed_not_the_esps_signature_that_verifies() {
    // An ESP's bounce of Gmail's 5.7.26: the message carried two DKIM-Signatures, d=twosig13.
    // example s=k1 (aligned with the From, but nothing is published at k1) and d=espsig13.
    // example s=s1 (the ESP's own, whose key exists: it verifies, unaligned). SPF passes for
    // the ESP's return path, unaligned too. The operator expects: the aligned signature's
    // missing key is the cause; the first step publishes it at k1._domainkey.twosig13.example
    // (the signer has the key pair already); nothing about espsig13.example is blamed.
    let (rc, d) = diagnose(
        "tests/fixtures/scenarios13/two-signatures.eml",
        &["--ip", "203.0.113.58"],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert_eq!(
        causes.first().map(String::as_str),
        Some("dkim-selector-missing")
    );
    let r = records(first_step(&d));
    assert!(
        !r.is_empty() && r[0].0 == "k1._domainkey.twosig13.example",
        "{r:?}"
    );
    let blamed = d["likely_causes"].to_string();
    assert!(!blamed.contains("espsig13.example"), "{blamed}");
}

// ------------------------------------------------------------------ DMARC

#[test]
fn a_dmarc_cname_loop_is_trouble_and_no_inherited_policy_is_shown_as_applying() {
    // `_dmarc.news.cnloop13.example` is a CNAME to `_dmarc.loop.cnloop13.example`, which is a
    // CNAME back: no answer can ever come (RFC 1034 section 3.6.2 leaves loops to the
    // resolver, which gives up). The organisation publishes p=reject. SPF and DKIM pass for
    // news.cnloop13.example; Gmail's 5.7.26. The operator expects: the loop is reported as a
    // lookup that failed, first step "get answers from the DNS" naming the name, exit 3; the
    // organisation's policy is never stated as the one that applies (it would only if the
    // name had no record, which nobody can tell).
    let (rc, d) = diagnose(
        GMAIL_5726,
        &sender("news@news.cnloop13.example", "203.0.113.53"),
    );
    assert_eq!(rc, 3, "{:?} {:?}", cause_ids(&d), finding_ids(&d));
    let s = first_step(&d);
    assert_eq!(s["id"], "dns-inconclusive", "{:?}", step_ids(&d));
    assert!(
        step_text(s).contains("_dmarc.news.cnloop13.example"),
        "{}",
        step_text(s)
    );
    for f in d["findings"].as_array().unwrap() {
        if f["id"] == "dmarc-inherited" {
            assert_eq!(f["inconclusive"], true, "{f}");
        }
    }
    assert_ne!(
        d["domain"]["dmarc"]["policy"], "reject",
        "{}",
        d["domain"]["dmarc"]
    );
}

#[test]
fn sp_none_beneath_p_reject_meets_the_bulk_rules_and_is_not_lowered() {
    // spsub13.example publishes `p=reject; sp=none`; news.spsub13.example has no record of
    // its own, so `sp=none` applies to it (RFC 9989 section 4.10.1), which meets Microsoft's
    // and Gmail's "at least p=none". Its SPF passes; no DKIM key is published anywhere, and
    // Microsoft's 5.7.515 wants DKIM to pass. The operator expects: the missing DKIM key is
    // the cause (never the DMARC policy); no step proposes a record at
    // _dmarc.spsub13.example that drops its p=reject.
    let (rc, d) = diagnose(
        &ms_5515("news.spsub13.example"),
        &[
            "--from",
            "news@news.spsub13.example",
            "--ip",
            "203.0.113.63",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-no-key-found"]);
    for r in all_records(&d) {
        if r.0 == "_dmarc.spsub13.example" {
            assert!(r.2.contains("p=reject"), "lowers the policy: {r:?}");
        }
    }
}

#[test]
fn an_spf_domain_in_a_reply_that_is_no_domain_name_is_not_checked_and_the_run_goes_on() {
    // Gmail's 5.7.27 as a user pasted it, with the bracket holding something that is no domain
    // name (`bounce.esc13.example";rm`, a quote and a semicolon from a broken template). The
    // From domain esc13.example's SPF does not list the relay. The operator expects: the name
    // is not taken as the MAIL FROM (it is no host name, and nothing is published at it); the
    // run goes on (never exit 2) and blames the From domain's SPF for the relay, its step
    // adding the relay to esc13.example's record.
    let reply = "550-5.7.27 This mail has been blocked because the sender is unauthenticated. 550-5.7.27 Authentication results: 550-5.7.27 SPF [bounce.esc13.example\";rm] with ip: [203.0.113.68] = did not pass 550 5.7.27 - gsmtp";
    let (rc, d) = diagnose(reply, &sender("news@esc13.example", "203.0.113.68"));
    assert_eq!(rc, 1);
    assert!(
        !d["input"]["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["field"] == "mail_from"),
        "{}",
        d["input"]["provenance"]
    );
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "esc13.example",
            "TXT",
            "v=spf1 ip4:203.0.113.69 ip4:203.0.113.68 -all"
        )]
    );
}

// ------------------------------------------------------------------ forwarding and lists

#[test]
fn a_list_that_arc_sealed_and_tagged_the_post_is_no_dns_fault() {
    // A mailing list (lists13.example) tagged the Subject of kim@arc13.example's post, ARC-
    // sealed it and re-sent it to Gmail, whose Authentication-Results say `dkim=fail
    // header.i=@arc13.example`, `arc=pass`, `spf=pass smtp.mailfrom=...@lists13.example`,
    // `dmarc=fail (p=REJECT)`; the list bounced Gmail's 5.7.26. arc13.example's SPF, DKIM k1
    // and p=reject are right. The operator expects: no cause in the sender's DNS; the first
    // reason names the list; no step publishes anything (not the list's address in SPF, not
    // a return path at the list, not ARC, not a lower policy); exit 0.
    let (rc, d) = diagnose("tests/fixtures/scenarios13/list-arc.eml", &[]);
    assert_eq!(rc, 0, "{:?}", cause_ids(&d));
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    let r = reasons(&d);
    assert!(!r.is_empty() && r[0].contains("lists13.example"), "{r:?}");
    assert!(
        d["plan"].as_array().unwrap().is_empty(),
        "{:?}",
        step_ids(&d)
    );
}

// ------------------------------------------------------------------ PTR and MX

#[test]
fn an_ipv6_relay_whose_ptr_host_has_another_aaaa_gets_that_hosts_aaaa() {
    // 2001:db8:13::25's PTR names mx6.v6ptr13.example, whose AAAA is 2001:db8:13::99 (and
    // which has an A): the PTR does not resolve back. Gmail's IPv6 refusal about PTR
    // records. The operator expects: `ptr-not-confirmed` is the cause; the first step adds
    // the relay's address to that host (its AAAA), nothing asked of the IP's owner.
    let reply = "550-5.7.1 This message does not meet IPv6 sending guidelines regarding PTR records and authentication. For more information, go to https://support.google.com/mail/?p=IPv6AuthError 2adb3069b0e04-5si9.7 - gsmtp";
    let (rc, d) = diagnose(reply, &sender("news@v6ptr13.example", "2001:db8:13::25"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-not-confirmed"]);
    assert_eq!(
        records(first_step(&d)),
        [rec("mx6.v6ptr13.example", "AAAA", "2001:db8:13::25")]
    );
}

#[test]
fn sender_verification_failing_on_an_mx_that_names_a_cname_gets_the_canonical_mx() {
    // mxcname13.example's MX names mail.mxcname13.example, a CNAME (RFC 2181 section 10.3:
    // an MX must name a host with its own address records). An Exim receiver verifying the
    // sender cannot route back to news@mxcname13.example: "Sender verify failed". The
    // operator expects: `mx-target-cname` is the cause; the first step publishes the MX for
    // the canonical name host.mxcname13.example.
    let reply = "550-Verification failed for <news@mxcname13.example>\n550-Unrouteable address\n550 Sender verify failed";
    let (rc, d) = diagnose(reply, &sender("news@mxcname13.example", "203.0.113.62"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["mx-target-cname"]);
    let r = records(first_step(&d));
    assert!(
        r.contains(&rec("mxcname13.example", "MX", "10 host.mxcname13.example")),
        "{r:?}"
    );
}

#[test]
fn a_return_path_without_mx_or_address_under_domain_not_found_gets_an_mx() {
    // The From domain rpmx13.example is fine; the return path rp.rpmx13.example has an SPF
    // record and nothing else (no MX, no A): Postfix's reject_unknown_sender_domain answers
    // "Sender address rejected: Domain not found" for it. The operator expects: the missing
    // MX at rp.rpmx13.example is the cause; the first step publishes the From domain's mail
    // exchanger there.
    let mut args = sender("news@rpmx13.example", "203.0.113.65").to_vec();
    args.extend(["--mail-from", "bounce@rp.rpmx13.example"]);
    let (rc, d) = diagnose(
        "553 5.1.8 <bounce@rp.rpmx13.example>: Sender address rejected: Domain not found",
        &args,
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["mx-missing"]);
    assert_eq!(
        records(first_step(&d)),
        [rec("rp.rpmx13.example", "MX", "10 mx.rpmx13.example")]
    );
}

// ------------------------------------------------------------------ scan --diagnose

#[test]
fn scan_diagnose_of_an_esp_envelope_checks_the_from_domain_the_receiver_names() {
    // A Postfix log: the ESP's envelope sender is bounces+u77-brand13.example@espmail13.
    // example, and Microsoft's 5.7.515 names the From domain it judged, [brand13.example],
    // which publishes no DMARC record. The operator expects from `scan --diagnose`: the
    // diagnosis is of brand13.example (the receiver's words, the 5322.From), its cause the
    // missing DMARC record there; the envelope's domain is checked as the MAIL FROM, not as
    // the From, and brand13.example is never left unchecked.
    let o = run(
        &[
            "scan",
            &format!("{ZONES}/esp-envelope.log"),
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
    assert_eq!(diagnoses.len(), 1, "{diagnoses:#?}");
    let causes = diagnoses[0]["causes"].to_string();
    assert!(
        causes.contains("_dmarc.brand13.example")
            || causes.contains("brand13.example has no DMARC"),
        "{causes}"
    );
    assert!(!causes.contains("another From"), "{causes}");
}
