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
//! The second half of the round is in `diagnose_scenarios8b`.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr, stdout};
pub(crate) use super::diagnose_support::GMAIL_5725;
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids, first_step,
    fixing, rec, records, step_ids,
};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios8";

pub(crate) fn ms_5515(domain: &str) -> String {
    format!(
        "550 5.7.515 Access denied, sending domain {domain} doesn't meet the required authentication level."
    )
}

pub(crate) fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

pub(crate) fn bounce(name: &str, args: &[&str]) -> (i32, Value) {
    diagnose(&format!("{ZONES}/{name}"), args)
}

/// The run as CI runs it: human output, with the given extra flags; (exit code, stdout).
pub(crate) fn ci(reply: &str, args: &[&str]) -> (i32, String) {
    let mut all = vec!["diagnose", reply];
    all.extend_from_slice(args);
    all.extend(["--zone", ZONES, "--offline"]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    (code(&o), stdout(&o))
}

pub(crate) fn text(s: &Value) -> String {
    format!("{} {} {}", s["title"], s["why"], s["details"])
}

/// No step that fixes the likely cause is a DNS change (hardening may follow).
pub(crate) fn no_dns_fix(d: &Value) -> bool {
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
