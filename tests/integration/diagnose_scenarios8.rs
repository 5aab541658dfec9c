//! Round 8 of held-out style `diagnose` scenarios: a shared ESP address on a blocklist (only the
//! ESP can have it delisted), TLS refusals where DNS is not the question (Gmail 4.7.29/5.7.29,
//! Exchange Online's MTA-STS refusal of the recipient's MX), ESP delegations broken half-way
//! (a DKIM selector the ESP rotated to, a return-path CNAME to a closed account, a key the ESP
//! revoked behind the CNAME), a domain moved between ESPs with the old include left, SPF
//! flattened from an ESP that has since moved, a parked domain that now sends, a subdomain's
//! own DMARC record beneath `sp=reject`, `t=y` on quarantine, an IPv6 sender whose PTR exists
//! only for IPv4, one provider's refusal inside another provider's bounce, a duplicated SPF
//! include, and the exit codes CI sees (`--fail-on`). Each scenario says what a careful
//! operator expects first, then runs.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr, stdout};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids, first_step,
    fixing, rec, records, step, step_ids,
};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios8";

const GMAIL_5725: &str = "550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. - gsmtp";

fn ms_5515(domain: &str) -> String {
    format!(
        "550 5.7.515 Access denied, sending domain {domain} doesn't meet the required authentication level."
    )
}

fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

fn bounce(name: &str, args: &[&str]) -> (i32, Value) {
    diagnose(&format!("{ZONES}/{name}"), args)
}

/// The run as CI runs it: human output, with the given extra flags; (exit code, stdout).
fn ci(reply: &str, args: &[&str]) -> (i32, String) {
    let mut all = vec!["diagnose", reply];
    all.extend_from_slice(args);
    all.extend(["--zone", ZONES, "--offline"]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    (code(&o), stdout(&o))
}

fn text(s: &Value) -> String {
    format!("{} {} {}", s["title"], s["why"], s["details"])
}

/// No step that fixes the likely cause is a DNS change (hardening may follow).
fn no_dns_fix(d: &Value) -> bool {
    !fixing(d).iter().any(|s| {
        ["spf-", "dkim-", "dmarc-", "ptr-", "mx-"]
            .iter()
            .any(|p| s.starts_with(p))
    })
}

// ------------------------------------------------------------ shared ESP address listed

#[test]
fn a_shared_esp_address_on_the_sbl_is_delisted_through_the_esp_not_by_the_sender() {
    // news@shared8.example sends through SendGrid's shared pool; Spamhaus lists the pool
    // address 198.51.100.40 (SBL). SPF, DKIM and DMARC are fine. The operator expects: the
    // listing is the cause, and the step says plainly that the address is SendGrid's (its PTR
    // o40.ptr8001.sendgrid.net): only SendGrid can have it removed, so the ticket goes to
    // SendGrid, not a removal form filled in by the sender. No SPF/DKIM/DMARC step fixes it.
    let (rc, d) = diagnose(
        "554 5.7.1 Service unavailable; Client host [198.51.100.40] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.40",
        &["--from", "news@shared8.example", "--dkim-selector", "s1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "blocklist-delist");
    let t = text(s);
    assert!(
        t.contains("Only SendGrid (Twilio) can have it delisted"),
        "{t}"
    );
    assert!(t.contains("o40.ptr8001.sendgrid.net"), "{t}");
    // After the delisting, resolvers keep the listing for the TTL of its answer (300 s).
    assert_eq!(s["wait_seconds"], 300, "{s}");
    assert!(finding_ids(&d).contains(&"spf-ip-authorised".to_string()));
    assert_eq!(fixing(&d), ["blocklist-delist"]);
}

// ------------------------------------------------------------------- TLS, not DNS

#[test]
fn gmail_4729_tls_rate_limit_is_the_sending_servers_tls_not_a_dns_record() {
    // Gmail's 4.7.29: the connection did not use TLS. Everything in DNS passes. The operator
    // expects the reply as the cause, a step about the MTA's STARTTLS (not "suppress", not a
    // DNS record), and exit 0 by default: no DNS error, so a CI gate on DNS stays green.
    let (rc, d) = diagnose(
        "421-4.7.29 Your email has been rate limited because you're not using a TLS connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections. - gsmtp",
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
    assert_eq!(cause_ids(&d), ["gmail-4-7-29-tls-required"]);
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    assert_eq!(fixing(&d), ["action-fix-tls"]);
    let s = first_step(&d);
    let t = text(s);
    assert!(t.contains("STARTTLS"), "{t}");
    // Not the reputation text of a generic infrastructure refusal.
    assert!(!t.contains("unsubscribe"), "{t}");
    assert!(!t.contains("complaint"), "{t}");
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("action-suppress")),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d).0, "escalation-gmail");
}

#[test]
fn gmail_5729_tls_block_is_the_sending_servers_tls_and_fails_ci_only_on_warning() {
    // The permanent form, 5.7.29. Same expectation; `--fail-on never` keeps the exit 0 and
    // the human report still prints the TLS step.
    let reply = "550-5.7.29 This message was blocked because it wasn't sent over a TLS connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections. - gsmtp";
    let (rc, d) = diagnose(
        reply,
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
    assert_eq!(cause_ids(&d), ["gmail-5-7-29-tls-required"]);
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    assert_eq!(fixing(&d), ["action-fix-tls"]);
    let (rc, out) = ci(
        reply,
        &[
            "--from",
            "news@tls8.example",
            "--ip",
            "192.0.2.91",
            "--dkim-selector",
            "k1",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(rc, 0);
    assert!(out.contains("TLS"), "{out}");
}

#[test]
fn exchange_onlines_mta_sts_refusal_is_the_recipients_mx_not_the_senders_dns() {
    // The sender's own Exchange Online would not deliver: the recipient's MX failed its
    // MTA-STS policy. Nothing in the sender's DNS is involved and the recipient's mailbox is
    // not over quota. The operator expects: the reply as the cause, no DNS step, a step that
    // talks about TLS / the recipient's MTA-STS policy, and never "the mailbox is over quota".
    let (rc, d) = diagnose(
        "451 4.4.8 MX hosts of contoso.example failed MTA-STS validation. [BN8NAM12FT004.eop-nam12.prod.protection.outlook.com]",
        &["--from", "news@tls8.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0, "no DNS error of the sender's");
    assert_eq!(cause_ids(&d), ["microsoft-mta-sts-destination-failure"]);
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    assert_eq!(fixing(&d), ["action-destination-tls"]);
    let s = first_step(&d);
    let t = text(s);
    assert!(t.contains("MTA-STS"), "{t}");
    assert!(!t.contains("over quota"), "{t}");
    assert!(!t.contains("too large"), "{t}");
    let cause = d["likely_causes"][0]["reason"].as_str().unwrap();
    assert!(!cause.contains("is full"), "{cause}");
    // The sender's DNS passing is no reason to escalate now, and the one to contact is the
    // recipient domain's administrator, not Microsoft, which only reported the refusal.
    assert_eq!(escalation(&d), ("escalation-destination-admin", false));
    assert_eq!(
        d["escalation"]["provider_name"].as_str(),
        Some("The recipient domain's mail administrator")
    );
}

// ------------------------------------------------------ ESP delegation broken half-way

#[test]
fn a_selector_the_esp_rotated_to_is_published_like_its_sibling_cname() {
    // half8.example delegated s1 to SendGrid by CNAME; SendGrid now signs with s2, which was
    // never published. SPF passes through the em8001 return path. Gmail's 5.7.30 (DKIM did
    // not pass). The operator expects: s2 missing is the cause, and the record to publish is
    // the CNAME SendGrid uses for s2 (its s1 sibling shows the pattern), not a TXT key the
    // sender does not hold.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@half8.example",
            "--mail-from",
            "bounces@em8001.half8.example",
            "--ip",
            "198.51.100.42",
            "--dkim-selector",
            "s2",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "s2._domainkey.half8.example",
            "CNAME",
            "s2.domainkey.u8001.wl.sendgrid.net"
        )]
    );
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("spf-")));
}

#[test]
fn a_key_the_esp_revoked_behind_the_cname_is_the_esps_to_restore_not_the_senders_to_publish() {
    // revcn8.example's s1 is a CNAME to SendGrid's key for account u8002, which SendGrid
    // revoked. Microsoft's 5.7.515. The operator expects: the revoked signing key is the
    // cause, and the step says the key lives in SendGrid's zone: re-authenticate the domain
    // at SendGrid (or point the CNAME at the new target); it never asks the sender to publish
    // a TXT key at a name inside sendgrid.net.
    let (rc, d) = diagnose(
        &ms_5515("revcn8.example"),
        &[
            "--from",
            "news@revcn8.example",
            "--ip",
            "198.51.100.41",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "dkim-key-revoked");
    let s = first_step(&d);
    for (name, _, _) in records(s) {
        assert!(!name.ends_with("sendgrid.net"), "{name}");
    }
    let t = text(s);
    assert!(
        t.contains("s1._domainkey.revcn8.example is a CNAME to s1.domainkey.u8002.wl.sendgrid.net"),
        "{t}"
    );
    for r in s["records"].as_array().unwrap() {
        let note = r["note"].as_str().unwrap();
        assert!(note.contains("only after deleting the CNAME"), "{note}");
    }
}

#[test]
fn a_return_path_cname_to_a_closed_esp_account_is_named_and_no_txt_is_proposed_beside_it() {
    // rpcn8.example's return path em8009 is a CNAME to u8009.wl.sendgrid.net, which no longer
    // exists: SPF for the MAIL FROM finds nothing. DKIM (s1) aligns, so DMARC passes, but
    // Microsoft's 5.7.515 wants SPF to pass too. The operator expects: SPF at the return path
    // is the cause, and the step says the CNAME points at nothing: repoint it at the host the
    // service gives now, and a TXT at em8009 only after the CNAME is deleted (a zone refuses
    // both at one name, RFC 1034 section 3.6.2).
    let (rc, d) = diagnose(
        &ms_5515("rpcn8.example"),
        &[
            "--from",
            "news@rpcn8.example",
            "--mail-from",
            "bounces@em8009.rpcn8.example",
            "--ip",
            "198.51.100.41",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(
        causes[0].starts_with("spf-"),
        "{causes:?} {:?}",
        finding_ids(&d)
    );
    let s = first_step(&d);
    let t = text(s);
    assert!(
        t.contains("em8009.rpcn8.example is a CNAME to u8009.wl.sendgrid.net"),
        "{t}"
    );
    for r in s["records"].as_array().unwrap() {
        if r["name"] == "em8009.rpcn8.example" {
            let note = r["note"].as_str().unwrap();
            assert!(note.contains("only after deleting the CNAME"), "{note}");
        }
    }
}

// ------------------------------------------------------ ESP moves and stale SPF copies

#[test]
fn a_domain_moved_to_a_new_esp_gets_the_new_include_beside_the_old() {
    // moved8.example moved from Mailgun to SendGrid; SPF still reads include:mailgun.org.
    // SendGrid's 198.51.100.41 sends (PTR o41.ptr8001.sendgrid.net). Gmail 5.7.26. The
    // operator expects SendGrid's include added (recognised from the PTR), not the bare IP,
    // and the old include kept (removing it is the sender's call, after the move is done).
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@moved8.example",
            "--ip",
            "198.51.100.41",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-service");
    assert_eq!(
        records(s),
        [rec(
            "moved8.example",
            "TXT",
            "v=spf1 include:mailgun.org include:sendgrid.net -all"
        )]
    );
    assert!(text(s).contains("SendGrid"), "{}", text(s));
}

#[test]
fn spf_flattened_from_an_esp_that_moved_gets_the_esps_include_not_another_copy() {
    // flat8.example copied SendGrid's ranges into ip4: terms a year ago; SendGrid now sends
    // from 198.51.100.32/27. The operator expects the include that stays current
    // (include:sendgrid.net), not a third hand-copied address, and DMARC p=none not blamed.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@flat8.example",
            "--ip",
            "198.51.100.42",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].2.contains("include:sendgrid.net"), "{r:?}");
    assert!(!r[0].2.contains("198.51.100.42"), "{r:?}");
}

#[test]
fn a_duplicated_include_over_the_limit_is_removed_before_anything_is_flattened() {
    // dup8.example names include:_spf.dup8.example twice (two teams added it): 13 lookups,
    // and evaluation stops at the limit before the vendor's include that authorises
    // 192.0.2.103. The operator expects the duplicate dropped (9 lookups, the IP then
    // passes), and the vendor's include left as it is.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@dup8.example",
            "--ip",
            "192.0.2.103",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert!(cause_ids(&d)[0].starts_with("spf-"), "{:?}", cause_ids(&d));
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "dup8.example",
            "TXT",
            "v=spf1 ip4:192.0.2.102 include:_spf.dup8.example include:spf.vend8.example -all"
        )]
    );
}

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
