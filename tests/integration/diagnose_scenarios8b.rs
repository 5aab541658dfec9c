//! Round 8 of held-out style `diagnose` scenarios, continued (`diagnose_scenarios8` has the first
//! half and the helpers): DMARC policy shapes (`t=y` on quarantine, a subdomain's own record
//! beneath `sp=reject`), an IPv6 sender whose PTR exists only for IPv4, one provider's refusal
//! inside another provider's bounce, and the exit codes CI sees (`--fail-on`).
#![allow(clippy::unwrap_used)]

use super::diagnose_scenarios8::{GMAIL_5725, bounce, ci, diagnose, ms_5515, no_dns_fix, text};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5730, cause_ids, escalation, first_step, fixing, rec, records, step, step_ids,
};

// ------------------------------------------------------------ DMARC policy shapes

#[test]
fn a_parked_domain_that_now_sends_gets_spf_a_real_key_over_the_wildcard_and_keeps_reject() {
    // parked8.example kept its parking recipe (SPF -all, null MX, DMARC reject, a revoked
    // wildcard DKIM key) and now sends from 192.0.2.95, signing with s=mail2026. Gmail
    // 5.7.26. The operator expects: SPF and the revoked key at mail2026 (the wildcard
    // answers for it) are the causes; the key is published at mail2026._domainkey (a record
    // of its own overrides the wildcard, and the step says the revoked key is the wildcard's);
    // the null MX is replaced by the relay's confirmed name; p=reject is never lowered.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@parked8.example",
            "--ip",
            "192.0.2.95",
            "--dkim-selector",
            "mail2026",
        ],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(
        causes.contains(&"spf-ip-not-authorised".to_string()),
        "{causes:?}"
    );
    assert!(
        causes.contains(&"dkim-key-revoked".to_string()),
        "{causes:?}"
    );
    let all: Vec<_> = d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(records)
        .collect();
    assert!(
        all.contains(&rec("parked8.example", "TXT", "v=spf1 ip4:192.0.2.95 -all")),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|(n, t, _)| n == "mail2026._domainkey.parked8.example" && t == "TXT"),
        "{all:?}"
    );
    for (n, _, v) in &all {
        if n == "_dmarc.parked8.example" {
            assert!(v.contains("p=reject"), "lowered: {v}");
        }
    }
    // The revoked key is the wildcard's: the step says so, not "replace the record there".
    let k = step(&d, "dkim-fix-selector");
    assert!(text(k).contains("comes from a wildcard"), "{}", text(k));
    // The null MX gives way to an exchanger that exists: the name the relay's PTR confirms,
    // not a mail.parked8.example that nothing resolves.
    assert_eq!(
        records(step(&d, "mx-fix")),
        [rec("parked8.example", "MX", "10 out.parked8.example")]
    );
}

#[test]
fn a_subdomains_own_record_governs_it_and_the_parents_sp_is_left_alone() {
    // news.sp8.example has its own DMARC record (p=none) beneath sp8.example's
    // p=reject; sp=reject. Its SPF lacks the relay 192.0.2.97. Microsoft's 5.7.515. The
    // operator expects: SPF of news.sp8.example is the cause; the DMARC stages name the
    // subdomain's own _dmarc record, and nothing is proposed at _dmarc.sp8.example.
    let (rc, d) = diagnose(
        &ms_5515("news.sp8.example"),
        &[
            "--from",
            "info@news.sp8.example",
            "--ip",
            "192.0.2.97",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "news.sp8.example",
            "TXT",
            "v=spf1 ip4:192.0.2.96 ip4:192.0.2.97 -all"
        )]
    );
    for s in d["plan"].as_array().unwrap() {
        for (n, _, _) in records(s) {
            assert_ne!(n, "_dmarc.sp8.example", "{}", s["id"]);
        }
    }
    let q = step(&d, "dmarc-quarantine");
    assert_eq!(records(q)[0].0, "_dmarc.news.sp8.example");
}

#[test]
fn quarantine_in_testing_mode_is_staged_to_full_quarantine_not_to_reject() {
    // tq8.example publishes p=quarantine; t=y. SPF misses the relay .99 (the cause for
    // Gmail's 5.7.26; DKIM passes, so DMARC passed anyway... and Gmail wants SPF too). The
    // operator expects the SPF step first, and the DMARC hardening's next stage to be
    // p=quarantine without t=y, never p=none.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@tq8.example",
            "--ip",
            "192.0.2.99",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    for s in d["plan"].as_array().unwrap() {
        for (n, _, v) in records(s) {
            if n == "_dmarc.tq8.example" {
                assert!(!v.contains("p=none"), "{}: {v}", s["id"]);
            }
        }
    }
    let q = step(&d, "dmarc-quarantine");
    let (_, _, v) = &records(q)[0];
    assert!(v.contains("p=quarantine"), "{v}");
    assert!(!v.contains("t=y"), "{v}");
}

// ----------------------------------------------------------------------- reverse DNS

#[test]
fn an_ipv6_sender_whose_host_has_its_aaaa_only_needs_the_ipv6_ptr() {
    // mx6.v6ptr8.example has A and AAAA; only the IPv4 address has a PTR. Sending over IPv6
    // (2001:db8:8::25), Gmail 5.7.25. The operator expects: the IPv6 PTR to ask the address's
    // owner for, naming mx6.v6ptr8.example; no AAAA to publish (it exists); the wait is the
    // reverse zone's negative TTL (600 s).
    let (rc, d) = diagnose(
        GMAIL_5725,
        &[
            "--from",
            "news@v6ptr8.example",
            "--ip",
            "2001:db8:8::25",
            "--helo",
            "mx6.v6ptr8.example",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "ptr-missing");
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].1, "PTR");
    assert_eq!(r[0].2, "mx6.v6ptr8.example");
    assert!(
        r[0].0.ends_with("8.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"),
        "{r:?}"
    );
    assert_eq!(s["wait_seconds"], 600, "{s}");
    assert!(
        text(s).contains("mx6.v6ptr8.example already resolves to 2001:db8:8::25"),
        "{}",
        text(s)
    );
}

// ----------------------------------------------- one provider's reply, another's bounce

#[test]
fn gmails_refusal_inside_an_exchange_online_ndr_goes_to_gmail_and_enables_m365_dkim() {
    // The sender's Microsoft 365 tenant relayed to Gmail; Gmail refused (5.7.26) and Exchange
    // Online wrote the NDR. SPF passes through Microsoft's include, DKIM was never enabled and
    // there is no DMARC record. The operator expects: Gmail's escalation (the refusal is
    // Gmail's), DMARC missing as the cause, a step that publishes p=none, and a DKIM step
    // that says Microsoft 365 makes the keys.
    let (rc, d) = bounce("exo-ndr-gmail.eml", &["--ip", "203.0.113.70"]);
    assert_eq!(rc, 1);
    assert_eq!(escalation(&d).0, "escalation-gmail");
    assert!(
        cause_ids(&d).contains(&"dmarc-missing".to_string()),
        "{:?}",
        cause_ids(&d)
    );
    assert!(
        step_ids(&d).contains(&"dmarc-publish".to_string()),
        "{:?}",
        step_ids(&d)
    );
    assert!(
        !cause_ids(&d).iter().any(|c| c.starts_with("spf-")),
        "{:?}",
        cause_ids(&d)
    );
    // Microsoft 365 makes the keys: the DKIM step says to turn DKIM on there, not only to
    // generate a key pair by hand.
    let k = step(&d, "dkim-publish");
    assert!(
        text(k).contains("sending service recognised: Microsoft 365"),
        "{}",
        text(k)
    );
}

#[test]
fn yahoos_refusal_inside_a_google_workspace_bounce_goes_to_yahoo() {
    // Google Workspace relayed to Yahoo; Yahoo refused (5.7.9) and Google wrote the bounce.
    // No DMARC record: Yahoo requires one. The operator expects: Yahoo's escalation path, not
    // Gmail's; DMARC missing as the cause; the DKIM selector `google` read from the bounce.
    let (rc, d) = bounce("gmail-bounce-yahoo.eml", &["--ip", "203.0.113.141"]);
    assert_eq!(rc, 1);
    assert_eq!(escalation(&d).0, "escalation-yahoo");
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    assert_eq!(first_step(&d)["id"], "dmarc-publish");
    assert_eq!(
        records(first_step(&d))[0].0,
        "_dmarc.gw8.example",
        "{:?}",
        records(first_step(&d))
    );
}

// ------------------------------------------------------------------- CI exit codes

#[test]
fn ci_fail_on_never_keeps_exit_0_while_printing_the_cause() {
    // A real SPF gap (tmp8.example, relay .106) fails the run by default (exit 1); with
    // `--fail-on never` the gate stays green but the plan is still printed.
    let args = ["--from", "news@tmp8.example", "--ip", "192.0.2.106"];
    let (rc, _) = ci(GMAIL_5726, &args);
    assert_eq!(rc, 1);
    let mut never = args.to_vec();
    never.extend(["--fail-on", "never"]);
    let (rc, out) = ci(GMAIL_5726, &never);
    assert_eq!(rc, 0);
    assert!(
        out.contains("v=spf1 ip4:192.0.2.107 ip4:192.0.2.106 -all"),
        "{out}"
    );
}

#[test]
fn ci_fail_on_warning_fails_on_a_1024_bit_key_that_default_ci_lets_pass() {
    // ci8.example passes everything for 192.0.2.101 but signs with a 1024-bit key (a warning).
    // A Gmail 5.7.26 it cannot explain: exit 0 by default (no error), exit 1 under
    // `--fail-on warning`.
    let args = [
        "--from",
        "news@ci8.example",
        "--ip",
        "192.0.2.101",
        "--dkim-selector",
        "k1024",
    ];
    let (rc, d) = diagnose(GMAIL_5726, &args);
    assert_eq!(rc, 0);
    assert!(d["no_cause_found"].is_object(), "{}", d["likely_causes"]);
    let mut warn = args.to_vec();
    warn.extend(["--fail-on", "warning"]);
    let (rc, _) = ci(GMAIL_5726, &warn);
    assert_eq!(rc, 1);
}

#[test]
fn a_temporary_4726_with_a_real_spf_gap_blames_the_gap_not_dns_reachability() {
    // Gmail's temporary 4.7.26 form. tmp8.example's SPF lacks .106 and nothing is signed.
    // The operator expects the SPF gap as the cause (the 4xx only means Gmail defers), the
    // SPF step first, and no "your name servers failed" reason while a real gap exists.
    let (rc, d) = diagnose(
        "421-4.7.26 This mail has been rate limited because it is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. - gsmtp",
        &["--from", "news@tmp8.example", "--ip", "192.0.2.106"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-ip-not-authorised");
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
}

#[test]
fn reject_in_testing_mode_with_aligned_dkim_is_taken_out_of_testing_never_lowered() {
    // rt8.example publishes p=reject; t=y (applied as quarantine) and signs aligned with k1.
    // SPF misses the relay .109: Microsoft's 5.7.515 wants SPF to pass. The operator expects
    // the SPF step first, then the last DMARC stage (p=reject without t=y), and no record
    // with a weaker policy.
    let (rc, d) = diagnose(
        &ms_5515("rt8.example"),
        &[
            "--from",
            "news@rt8.example",
            "--ip",
            "192.0.2.109",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    let r = step(&d, "dmarc-reject");
    assert_eq!(r["fixes_likely_cause"], false);
    assert_eq!(
        records(r),
        [rec(
            "_dmarc.rt8.example",
            "TXT",
            "v=DMARC1; p=reject; np=reject; rua=mailto:dmarc@rt8.example"
        )]
    );
    for s in d["plan"].as_array().unwrap() {
        for (n, _, v) in records(s) {
            if n == "_dmarc.rt8.example" {
                assert!(v.contains("p=reject"), "{}: {v}", s["id"]);
            }
        }
    }
}

#[test]
fn yahoos_name_server_deferral_with_dns_answering_retries_and_names_reachability_first() {
    // Yahoo's April 2026 deferral, as the sender's Postfix logs it: "your name server was
    // temporarily unavailable". tls8.example
    // answers everything now. The operator expects: no DNS cause invented, the first reason
    // the name servers' reachability at that moment, a retry (no suppression), exit 0.
    let (rc, d) = diagnose(
        "Dec  8 09:12:01 mx1 postfix/smtp[2211]: 7B2C1D: to=<robin@yahoo.com>, relay=mta5.am0.yahoodns.net[198.51.100.251]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=4.7.0, status=deferred (host mta5.am0.yahoodns.net[198.51.100.251] said: 451 4.7.0 Message temporarily deferred: your name server was temporarily unavailable (in reply to MAIL FROM command))",
        &[
            "--from",
            "news@tls8.example",
            "--ip",
            "192.0.2.91",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("action-suppress")),
        "{:?}",
        step_ids(&d)
    );
    assert!(no_dns_fix(&d), "{:?}", fixing(&d));
    let reasons = d["no_cause_found"]["possible_reasons"].to_string();
    assert!(reasons.contains("name server"), "{reasons}");
    assert!(
        escalation(&d).0.starts_with("escalation-yahoo"),
        "{:?}",
        escalation(&d)
    );
}

#[test]
fn microsoft_5515_with_every_check_passing_escalates_now_and_invents_no_record() {
    // tls8.example passes SPF, DKIM (k1) and DMARC (quarantine) for 192.0.2.91, yet Outlook
    // answers 5.7.515. The operator expects "No cause found in DNS", no step fixing a cause
    // by a DNS change, the bulk-sender rules among the reasons, and "escalate now" to
    // Microsoft (every check the reply points at verified).
    let (rc, d) = diagnose(
        &ms_5515("tls8.example"),
        &[
            "--from",
            "news@tls8.example",
            "--ip",
            "192.0.2.91",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert!(d["no_cause_found"].is_object(), "{}", d["likely_causes"]);
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    let reasons = d["no_cause_found"]["possible_reasons"].to_string();
    assert!(reasons.contains("one-click unsubscribe"), "{reasons}");
    assert_eq!(escalation(&d), ("escalation-microsoft", true));
}

#[test]
fn microsoft_365_signing_with_selector2_gets_the_selector2_cname_after_selector1s_pattern() {
    // Another member of the half-way delegation class, from a service this round's first
    // scenario did not use: m365s8.example published only selector1's CNAME; Microsoft 365
    // rotates between selector1 and selector2 and now signs with selector2. Gmail's 5.7.30.
    // The operator expects the selector2 CNAME into Microsoft's zone, named as selector1's is.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@m365s8.example",
            "--ip",
            "203.0.113.71",
            "--dkim-selector",
            "selector2",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-delegate-selector");
    assert_eq!(
        records(s),
        [rec(
            "selector2._domainkey.m365s8.example",
            "CNAME",
            "selector2-m365s8-example._domainkey.m365s8.n-v1.dkim.mail.microsoft"
        )]
    );
}

#[test]
fn exchange_onlines_dane_refusal_of_an_expired_certificate_is_the_recipients_to_fix() {
    // The DANE/TLS sibling of the MTA-STS refusal: Exchange Online would not deliver because
    // the destination's certificate expired. Same expectation: the reply is the cause, the
    // step sends the user to the recipient's administrator, no "No cause found in DNS".
    let (rc, d) = diagnose(
        "550 5.7.322 certificate-expired: Destination mail server's certificate is expired. [AM8PR08MB0808.eurprd08.prod.outlook.com]",
        &["--from", "news@tls8.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
    assert_eq!(fixing(&d), ["action-destination-tls"]);
    assert_eq!(escalation(&d).0, "escalation-destination-admin");
}

#[test]
fn a_recipients_tls_requirement_is_the_senders_starttls_to_turn_on() {
    // A recipient organisation's gateway requiring TLS (Gmail for a Workspace domain that
    // enforces TLS): the sender's MTA did not use it. The operator expects the STARTTLS step,
    // not the recipient's administrator and not reputation advice.
    let (rc, d) = diagnose(
        "421-4.7.0 TLS required for RCPT domain, closing connection. - gsmtp",
        &[
            "--from",
            "news@tls8.example",
            "--ip",
            "192.0.2.91",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_ne!(rc, 1);
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
    assert_eq!(fixing(&d), ["action-fix-tls"]);
}
