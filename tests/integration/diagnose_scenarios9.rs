//! Round 9 of held-out style `diagnose` scenarios, records as published: a signing key only
//! some receivers verify (Ed25519 alone at Microsoft, RFC 8463), an Ed25519 key without its
//! `k=ed25519`, a key restricted to another service (`s=tlsrpt`) beside keys for mail (`s=email`,
//! `s=*`), a selector published under the relay's subdomain only or under a name written
//! without its trailing dot, a sending address that is a CNAME to a shop platform, a return
//! path of its own beside an unsigned From domain, an ESP's identities under Microsoft's
//! 5.7.509, an internationalised domain given in Unicode, and the wait a plan gives when the
//! SOA's own TTL is shorter or longer than its MINIMUM (RFC 2308 section 5). Each scenario says
//! what a careful operator expects first (the cause, the first step and its exact record, what
//! must not be blamed), then runs. Hostile DNS and replies that are not about DNS are in
//! `diagnose_scenarios9b.rs`.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids,
    first_step, fixing, rec, records, step_ids,
};
use serde_json::Value;

pub(super) const ZONES: &str = "tests/fixtures/scenarios9";

/// The 2048-bit key the fixtures publish (the same at every selector that has an RSA key).
const KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsta/+FfHrBKAAPr0DAeX70DABG+zEhhKF9osgYGqZ0uqSvdo0kJirIRW2F3YVbXd1zB2/iAmJecXj1yjzkaHWtPL2HxTAu/AP8K89FVNEKD1iTOfsOPu9FQqx0l6qeU12+9AXdfCrpEKjri8e8ChmZu2RY4BEXReo2TOKR6Rq3w0fi3iSg6thcXMiUY4gm2a0eSUu7+WMq0Gvaf0cnhTgO1ZY+eSXt5/uHlm4bGTepaC2Go9SExfiETRS4YJeQEGJN/US2nRJQYAEW+IeJ5MLYu0PbODRdjLt84oZyVOJwnsaEIMzow1bvWBhELyzQzUIhi7/NBXZsoL/ywNDIK1UwIDAQAB";

/// RFC 8463 section A.2's Ed25519 public key, as the fixtures publish it.
const ED_KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

pub(super) fn ms_5515(domain: &str) -> String {
    format!(
        "550 5.7.515 Access denied, sending domain {domain} doesn't meet the required authentication level."
    )
}

fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

pub(super) use super::diagnose_support::step_text as text;

// ------------------------------------------------------------------ DKIM keys as published

#[test]
fn an_ed25519_only_signing_key_at_microsoft_gets_an_rsa_key_to_sign_with_beside_it() {
    // ed9.example signs with ed1, whose key is Ed25519 only (RFC 8463). SPF passes. Microsoft
    // does not verify Ed25519 signatures, so DKIM fails there and 5.7.515 follows (it requires
    // DKIM to pass). RFC 8463 section 4 expects signers to sign with RSA too while verifiers
    // catch up. The operator expects: the Ed25519-only signing key is the cause; the first
    // step publishes an RSA key at a new selector (the Ed25519 key stays: receivers that
    // verify it keep using it) and says to sign with both; no SPF or DMARC step fixes it.
    let (rc, d) = diagnose(
        &ms_5515("ed9.example"),
        &[
            "--from",
            "news@ed9.example",
            "--ip",
            "192.0.2.111",
            "--dkim-selector",
            "ed1",
        ],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert_eq!(causes.len(), 1, "{causes:?}");
    assert!(causes[0].starts_with("dkim-"), "{causes:?}");
    let s = first_step(&d);
    assert!(s["id"].as_str().unwrap().starts_with("dkim-"), "{s}");
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].0.ends_with("._domainkey.ed9.example"), "{r:?}");
    assert_ne!(
        r[0].0, "ed1._domainkey.ed9.example",
        "the Ed25519 key stays"
    );
    assert!(r[0].2.contains("k=rsa"), "{r:?}");
    let t = text(s);
    assert!(t.contains("Ed25519"), "{t}");
    assert!(t.contains("both"), "{t}");
    assert!(
        !fixing(&d)
            .iter()
            .any(|f| f.starts_with("spf-") || f.starts_with("dmarc-"))
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn an_ed25519_key_without_k_ed25519_is_republished_with_its_key_type() {
    // edk9.example's e1 publishes a 32-byte Ed25519 key without `k=ed25519`, so receivers read
    // it as RSA (k= defaults to rsa, RFC 6376 section 3.6.1) and fail every signature. Gmail's
    // 5.7.30. The operator expects: the e1 key is the cause; the first step republishes the
    // same p= with `k=ed25519` (no new key pair: nothing else is wrong with it).
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@edk9.example",
            "--ip",
            "192.0.2.129",
            "--dkim-selector",
            "e1",
        ],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("dkim-")), "{causes:?}");
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(
        r,
        [rec(
            "e1._domainkey.edk9.example",
            "TXT",
            &format!("v=DKIM1; k=ed25519; p={ED_KEY}")
        )],
        "{}",
        text(s)
    );
}

#[test]
fn a_signing_key_restricted_to_tlsrpt_is_republished_for_email() {
    // svc9.example's k1 says `s=tlsrpt`: a key for SMTP TLS reports (RFC 8460 section 3),
    // which a DKIM verifier must not use for mail (RFC 6376 section 3.6.1: the service type
    // must be `email` or `*`). Gmail's 5.7.30. The operator expects: k1 is the cause; the
    // first step republishes the same key at k1 without the restriction (or with s=email),
    // never a placeholder for a new key pair.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@svc9.example",
            "--ip",
            "192.0.2.112",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert!(
        cause_ids(&d).iter().all(|c| c.starts_with("dkim-")),
        "{:?}",
        cause_ids(&d)
    );
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "k1._domainkey.svc9.example");
    assert!(r[0].2.ends_with(&format!("p={KEY}")), "{r:?}");
    assert!(!r[0].2.contains("tlsrpt"), "{r:?}");
    assert!(text(s).contains("s=tlsrpt"), "{}", text(s));
}

#[test]
fn keys_for_service_email_and_star_are_keys_for_mail_and_the_spf_gap_is_blamed() {
    // svcok9.example's k1 says `s=email` and k2 `s=*`: both are keys for mail. SPF lists
    // another relay than 192.0.2.113. Gmail's 5.7.26. The operator expects: the SPF gap is
    // the cause and its step adds the relay; neither key is named as a problem.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@svcok9.example",
            "--ip",
            "192.0.2.113",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "svcok9.example",
            "TXT",
            "v=spf1 ip4:192.0.2.200 ip4:192.0.2.113 -all"
        )]
    );
    assert!(
        !step_ids(&d).iter().any(|s| s.starts_with("dkim-")),
        "{:?}",
        step_ids(&d)
    );
    assert!(!finding_ids(&d).contains(&"dkim-syntax-error".to_string()));
}

#[test]
fn a_selector_published_under_the_relays_subdomain_is_published_at_the_signing_domain() {
    // subkey9.example signs with d=subkey9.example s=s1, but the s1 key was published under
    // mail.subkey9.example (the relay's name, which its PTR gives). Microsoft's 5.7.515. The
    // operator expects: the missing s1 key is the cause; the first step publishes at
    // s1._domainkey.subkey9.example the key found under the subdomain (same record) and says
    // where it was found, rather than asking for a new key pair.
    let (rc, d) = diagnose(
        &ms_5515("subkey9.example"),
        &[
            "--from",
            "news@subkey9.example",
            "--ip",
            "192.0.2.114",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "s1._domainkey.subkey9.example",
            "TXT",
            &format!("v=DKIM1; k=rsa; p={KEY}")
        )],
        "{}",
        text(s)
    );
    assert!(
        text(s).contains("s1._domainkey.mail.subkey9.example"),
        "{}",
        text(s)
    );
}

#[test]
fn a_key_whose_name_lost_its_trailing_dot_is_published_at_the_name_meant() {
    // dot9.example's zone file wrote `s1._domainkey.dot9.example IN TXT ...` without the
    // trailing dot, so the key sits at s1._domainkey.dot9.example.dot9.example and the
    // selector s1 has nothing. Gmail's 5.7.30. The operator expects: s1 missing is the cause;
    // the first step publishes that same key at s1._domainkey.dot9.example and names the
    // doubled name as the one to remove.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@dot9.example",
            "--ip",
            "192.0.2.115",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "s1._domainkey.dot9.example",
            "TXT",
            &format!("v=DKIM1; k=rsa; p={KEY}")
        )],
        "{}",
        text(s)
    );
    assert!(
        text(s).contains("s1._domainkey.dot9.example.dot9.example"),
        "{}",
        text(s)
    );
}

// ------------------------------------------------------------------- SPF and alignment

#[test]
fn a_sending_address_that_is_a_cname_to_a_shop_platform_is_named_with_its_target() {
    // news@shop.cn9.example: shop.cn9.example is a CNAME to shops.platform9.example, so its
    // SPF is the platform's (`ip4:203.0.113.0/24 -all`), which does not list cn9's relay
    // 192.0.2.121. No TXT can sit beside a CNAME (RFC 1034 section 3.6.2). Gmail's 5.7.27. The
    // operator expects: the SPF gap is the cause, and the first step says the name is a CNAME
    // to shops.platform9.example: the record that applies is the platform's, so either the
    // platform lists the relay or the CNAME goes (with the record to publish then). It never
    // offers a TXT at shop.cn9.example as if it could simply be added.
    let (rc, d) = diagnose(
        GMAIL_5727,
        &[
            "--from",
            "news@shop.cn9.example",
            "--ip",
            "192.0.2.121",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert!(s["id"].as_str().unwrap().starts_with("spf-"), "{s}");
    let t = text(s);
    assert!(t.contains("CNAME"), "{t}");
    assert!(t.contains("shops.platform9.example"), "{t}");
    for r in s["records"].as_array().unwrap() {
        if r["name"] == "shop.cn9.example" {
            let note = r["note"].to_string();
            assert!(note.contains("CNAME"), "{r}");
        }
    }
}

#[test]
fn a_return_path_with_its_own_spf_aligns_relaxed_and_the_missing_dkim_is_blamed() {
    // rel9.example sends with MAIL FROM bounce@bounce.rel9.example, whose own SPF passes for
    // 192.0.2.122; DMARC is relaxed (default), so SPF aligns through the organizational
    // domain (RFC 9989 section 4.10.2). No DKIM key is published. Microsoft's 5.7.515 requires
    // DKIM to pass as well. The operator expects: DKIM is the cause (no key), the first step
    // turns DKIM on; SPF alignment is not blamed and no return-path step is proposed.
    let (rc, d) = diagnose(
        &ms_5515("rel9.example"),
        &[
            "--from",
            "news@rel9.example",
            "--mail-from",
            "bounce@bounce.rel9.example",
            "--ip",
            "192.0.2.122",
        ],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(
        !causes.is_empty() && causes.iter().all(|c| c.starts_with("dkim-")),
        "{causes:?}"
    );
    assert!(first_step(&d)["id"].as_str().unwrap().starts_with("dkim-"));
    assert!(!finding_ids(&d).contains(&"dmarc-not-aligned".to_string()));
    assert!(
        !step_ids(&d).iter().any(|s| s.starts_with("spf-")),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn microsoft_5509_for_an_esps_identities_aligns_them_under_the_from_domain() {
    // esp9.example (p=reject) sends through mailer9.example: MAIL FROM
    // bounce@bounce.mailer9.example (SPF passes for 198.51.100.9) and d=mailer9.example s=m1
    // (a valid key). Neither identity is under esp9.example, so DMARC fails, and Microsoft
    // says so with 5.7.509. The operator expects: DMARC alignment is the cause; the first
    // step aligns the identities (sign with d=esp9.example and/or a return path under
    // esp9.example); the ESP's own SPF and key are not blamed.
    let (rc, d) = diagnose(
        "550 5.7.509 Access denied, sending domain esp9.example does not pass DMARC verification and has a DMARC policy of reject. [AM4PEPF00027A6C.eurprd04.prod.outlook.com]",
        &[
            "--from",
            "news@esp9.example",
            "--mail-from",
            "bounce@bounce.mailer9.example",
            "--ip",
            "198.51.100.9",
            "--dkim-domain",
            "mailer9.example",
            "--dkim-selector",
            "m1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-not-aligned"]);
    let s = first_step(&d);
    assert!(s["id"].as_str().unwrap().starts_with("dmarc-"), "{s}");
    assert!(text(s).contains("esp9.example"), "{}", text(s));
    assert!(!finding_ids(&d).contains(&"spf-ip-not-authorised".to_string()));
    assert_eq!(escalation(&d).0, "escalation-microsoft");
}

// ------------------------------------------------------------- names and waiting times

#[test]
fn an_internationalised_domain_given_in_unicode_is_checked_as_its_a_label() {
    // The user types the domain as they read it: news@bücher9.example. DNS holds it as
    // xn--bcher9-3ya.example (IDNA, RFC 5891). No DMARC record there. Gmail's 5.7.26. The
    // operator expects: no usage error; the missing DMARC record is the cause, and the record
    // to publish is at _dmarc.xn--bcher9-3ya.example, the name a zone file takes.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@bücher9.example",
            "--ip",
            "192.0.2.126",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let r = records(first_step(&d));
    assert_eq!(r[0].0, "_dmarc.xn--bcher9-3ya.example", "{r:?}");
    assert_eq!(r[0].1, "TXT");
}

#[test]
fn a_missing_record_waits_for_the_soas_own_ttl_when_it_is_below_the_minimum() {
    // neg9.example has no DMARC record; its SOA has a TTL of 300 s and a MINIMUM of 86400.
    // RFC 2308 section 5: a negative answer is cached for the lesser of the SOA's TTL and its
    // MINIMUM, so resolvers forget the absence after 300 s. Microsoft's 5.7.515. The operator
    // expects: DMARC missing is the cause, and the step's wait is 300 s, not three hours.
    let (rc, d) = diagnose(
        &ms_5515("neg9.example"),
        &[
            "--from",
            "news@neg9.example",
            "--ip",
            "192.0.2.123",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let s = first_step(&d);
    assert_eq!(records(s)[0].0, "_dmarc.neg9.example");
    assert_eq!(s["wait_seconds"], 300, "{s}");
}

#[test]
fn a_missing_record_under_a_one_day_negative_ttl_waits_three_hours() {
    // negl9.example: SOA TTL and MINIMUM both 86400. Resolvers cap how long they keep an
    // absence (RFC 2308 section 5 suggests one to three hours; BIND's max-ncache-ttl is 3 h),
    // so the plan's wait is 10800 s, and it says so rather than a day.
    let (rc, d) = diagnose(
        &ms_5515("negl9.example"),
        &[
            "--from",
            "news@negl9.example",
            "--ip",
            "192.0.2.124",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let s = first_step(&d);
    assert_eq!(s["wait_seconds"], 10800, "{s}");
}
