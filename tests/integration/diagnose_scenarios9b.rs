//! Round 9 of held-out style `diagnose` scenarios, part two: hostile DNS inside a diagnosis (a
//! lame answer for `_dmarc`, answers for another name than asked at `_dmarc` and at the signing
//! selector, a vendor's SPF truncated over UDP with TCP refused, a referral for the reverse
//! name, a `_dmarc` CNAME chain that ends in another type, a `_dmarc` answer truncated with TCP
//! refused under Yahoo's April 2026 deferral), each reported as trouble, never as "missing" and
//! never as a pass; and replies about something DNS does not hold (Gmail's receiving-rate and
//! RFC 5322 refusals, Microsoft's unregistered-domain and throttling codes, Spamhaus DBL
//! listings of a link in the message rather than of the sender). Each scenario says what a
//! careful operator expects first, then runs.
#![allow(clippy::unwrap_used)]

use super::diagnose_scenarios9::{ZONES, ms_5515, text};
use super::diagnose_support::{
    GMAIL_5725, GMAIL_5726, GMAIL_5727, GMAIL_5730, assert_trouble_first, cause_ids,
    diagnose_with_code, diagnose_with_fault, escalation, finding_ids, first_step, fixing, step_ids,
};
use mailtriage::dns::{FaultKind, RType};
use serde_json::Value;

fn ids_with(d: &Value, prefix: &str) -> Vec<String> {
    step_ids(d)
        .into_iter()
        .filter(|s| s.starts_with(prefix))
        .collect()
}

/// No step that fixes the likely cause is a DNS change (hardening may follow).
fn no_dns_fix(d: &Value) -> bool {
    !fixing(d).iter().any(|s| {
        ["spf-", "dkim-", "dmarc-", "ptr-", "mx-"]
            .iter()
            .any(|p| s.starts_with(p))
    })
}

// ------------------------------------------------------------------ hostile DNS

#[test]
fn a_lame_answer_for_dmarc_is_trouble_never_a_missing_record() {
    // lame9.example publishes p=reject, but the server answering _dmarc.lame9.example is lame:
    // NOERROR, no records, no SOA, not authoritative (not a NODATA, RFC 2308 section 2.2).
    // Gmail's 5.7.26; SPF and DKIM pass. The operator expects: the DMARC lookup failing is
    // what to clear first (get answers from the DNS, naming _dmarc.lame9.example); no
    // "DMARC missing", no step publishing a DMARC record; exit 3 (inconclusive, nothing
    // conclusive at error).
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["lame9.example", "2.0.192.in-addr.arpa"],
        ("_dmarc.lame9.example", RType::TXT, FaultKind::Lame),
        GMAIL_5726,
        &[
            "--from",
            "news@lame9.example",
            "--ip",
            "192.0.2.116",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "_dmarc.lame9.example");
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    assert!(ids_with(&d, "dmarc-").is_empty(), "{:?}", step_ids(&d));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_answer_for_another_name_at_dmarc_is_trouble_never_a_pass() {
    // The server answers _dmarc.wrong9.example with a record owned by another name: the
    // answer does not answer the question (RFC 1034 section 6.2.x; a spoofed or broken reply)
    // and must not be taken as the domain's policy, nor as its absence. Microsoft's 5.7.515.
    // The operator expects: the failed DMARC lookup first; no DMARC step; Microsoft is not
    // told "everything passes" (no escalate-now).
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["wrong9.example", "2.0.192.in-addr.arpa"],
        ("_dmarc.wrong9.example", RType::TXT, FaultKind::OtherName),
        &ms_5515("wrong9.example"),
        &[
            "--from",
            "news@wrong9.example",
            "--ip",
            "192.0.2.117",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "_dmarc.wrong9.example");
    assert!(ids_with(&d, "dmarc-").is_empty(), "{:?}", step_ids(&d));
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn an_answer_for_another_name_at_the_signing_selector_publishes_no_key() {
    // k1._domainkey.wkey9.example is answered with records owned by another name. Gmail's
    // 5.7.30. The operator expects: the selector's lookup failed (trouble), not "no key":
    // the first step gets answers from the DNS, and no step publishes a DKIM key.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["wkey9.example", "2.0.192.in-addr.arpa"],
        (
            "k1._domainkey.wkey9.example",
            RType::TXT,
            FaultKind::OtherName,
        ),
        GMAIL_5730,
        &[
            "--from",
            "news@wkey9.example",
            "--ip",
            "192.0.2.118",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "k1._domainkey.wkey9.example");
    assert!(ids_with(&d, "dkim-").is_empty(), "{:?}", step_ids(&d));
    assert!(
        !finding_ids(&d)
            .iter()
            .any(|f| f == "dkim-selector-missing" || f == "dkim-no-key-found")
    );
}

#[test]
fn a_vendors_spf_truncated_with_tcp_refused_is_trouble_not_an_unauthorised_ip() {
    // trunc9.example's SPF includes _spf.bigvendor9.example, which lists the relay. That name
    // answers TC=1 over UDP and nothing over TCP: the receiver gets a temperror (RFC 7208
    // section 5.2), not a fail. Gmail's 5.7.27. The operator expects: the include's failed
    // lookup first (naming _spf.bigvendor9.example); no "IP not authorised", no SPF record
    // to publish, nothing flattened from the vendor.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &[
            "trunc9.example",
            "bigvendor9.example",
            "2.0.192.in-addr.arpa",
        ],
        (
            "_spf.bigvendor9.example",
            RType::TXT,
            FaultKind::TruncateForever,
        ),
        GMAIL_5727,
        &[
            "--from",
            "news@trunc9.example",
            "--ip",
            "192.0.2.119",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "_spf.bigvendor9.example");
    assert!(
        !finding_ids(&d)
            .iter()
            .any(|f| f == "spf-ip-not-authorised" || f == "spf-missing")
    );
    assert!(ids_with(&d, "spf-").is_empty(), "{:?}", step_ids(&d));
}

#[test]
fn a_referral_for_the_reverse_name_is_trouble_never_a_missing_ptr() {
    // 120.2.0.192.in-addr.arpa is answered with a referral (AA=0, no answer, NS for the
    // parent) from a server asked to recurse. Gmail's 5.7.25. The operator expects: the PTR
    // lookup failed, first step gets answers from the DNS, no PTR is asked of the IP's owner.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["ref9.example", "2.0.192.in-addr.arpa"],
        ("120.2.0.192.in-addr.arpa", RType::PTR, FaultKind::Referral),
        GMAIL_5725,
        &[
            "--from",
            "news@ref9.example",
            "--ip",
            "192.0.2.120",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "");
    assert!(ids_with(&d, "ptr-").is_empty(), "{:?}", step_ids(&d));
    assert!(!finding_ids(&d).contains(&"ptr-missing".to_string()));
}

#[test]
fn a_dmarc_cname_chain_ending_in_another_type_is_trouble_never_a_missing_record() {
    // _dmarc.cnfail9.example is answered with a CNAME whose target holds an A record, not
    // the TXT asked for: an answer of the wrong type (RFC 1034 section 4.3.2), neither the
    // policy nor its absence. Microsoft's 5.7.515. The operator expects: the failed DMARC
    // lookup first, naming _dmarc.cnfail9.example; no DMARC record to publish (a TXT beside
    // the CNAME could not load anyway); not "DMARC missing".
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["cnfail9.example", "2.0.192.in-addr.arpa"],
        (
            "_dmarc.cnfail9.example",
            RType::TXT,
            FaultKind::CnameToWrongType,
        ),
        &ms_5515("cnfail9.example"),
        &[
            "--from",
            "news@cnfail9.example",
            "--ip",
            "192.0.2.127",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "_dmarc.cnfail9.example");
    assert!(ids_with(&d, "dmarc-").is_empty(), "{:?}", step_ids(&d));
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
}

#[test]
fn a_dmarc_answer_truncated_with_tcp_refused_is_trouble_at_yahoo_too() {
    // _dmarc.lame9.example answers TC=1 over UDP and never over TCP. Yahoo's April 2026
    // temporary refusal: authentication results could not be determined. The operator
    // expects: the DMARC lookup failing first (naming the name), no DMARC step, no
    // "DMARC missing", and no invented record change; exit 3.
    let (rc, d) = diagnose_with_fault(
        ZONES,
        &["lame9.example", "2.0.192.in-addr.arpa"],
        (
            "_dmarc.lame9.example",
            RType::TXT,
            FaultKind::TruncateForever,
        ),
        "Dec 7 08:01:02 mx postfix/smtp[4410]: 7C8D9E0F1A: to=<lee@yahoo.com>, relay=mta5.am0.yahoodns.net[67.195.204.72]:25, delay=1.9, delays=0.1/0/1.2/0.6, dsn=4.7.0, status=deferred (host mta5.am0.yahoodns.net[67.195.204.72] said: 451 4.7.0 Message temporarily deferred: authentication results for your domain could not be determined due to a temporary error (in reply to end of DATA command))",
        &[
            "--from",
            "news@lame9.example",
            "--ip",
            "192.0.2.116",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_trouble_first(rc, &d, "_dmarc.lame9.example");
    assert!(ids_with(&d, "dmarc-").is_empty(), "{:?}", step_ids(&d));
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    // Yahoo's own path (its entry for these DNS deferrals).
    assert!(
        escalation(&d).0.starts_with("escalation-yahoo"),
        "{}",
        d["escalation"]
    );
}

// ------------------------------------------------------ replies DNS does not explain

fn clean(reply: &str) -> (i32, Value) {
    diagnose_with_code(
        ZONES,
        reply,
        &[
            "--from",
            "news@ok9.example",
            "--ip",
            "192.0.2.125",
            "--dkim-selector",
            "k1",
        ],
    )
}

#[test]
fn gmails_receiving_rate_deferral_retries_later_and_suppresses_nobody() {
    // Gmail's 4.2.1: this recipient receives mail too fast right now. The sender's DNS is
    // clean. The operator expects: the reply is the cause, the step retries later (no
    // suppression of the address, no DNS change), exit 0, Gmail's path without escalate-now.
    let (rc, d) = clean(
        "450-4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time. If the user is able to receive mail at that time, your message will be delivered. a1b2c3si99.45 - gsmtp",
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d).len(), 1, "{:?}", cause_ids(&d));
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    assert_suppresses_nobody(&d);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn gmails_missing_message_id_refusal_is_fixed_in_the_message_not_in_dns() {
    // Gmail's 5.7.1 for a message without a valid Message-ID (RFC 5322 section 3.6.4).
    // Clean DNS. The operator expects: the reply is the cause; its step is about the
    // software building the message (Message-ID), no DNS change, no suppression; exit 0.
    let (rc, d) = clean(
        "550-5.7.1 Messages missing a valid Message-ID header are not accepted. For more information, go to https://support.google.com/mail/?p=RfcMessageNonCompliant and review RFC 5322 specifications. z1si77.120 - gsmtp",
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["gmail-5-7-1-not-rfc5322-compliant"]);
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    let s = first_step(&d);
    assert!(text(s).contains("Message-ID"), "{}", text(s));
    assert_suppresses_nobody(&d);
}

#[test]
fn microsofts_unregistered_domain_block_is_the_tenants_setting_not_dns() {
    // Exchange Online's 5.7.750: the tenant sends from a domain it never added as an accepted
    // domain. Clean DNS (SPF, DKIM, DMARC all pass). The operator expects: the reply is the
    // cause; the step says to add and verify the domain in the Microsoft 365 tenant (or stop
    // sending it through that tenant); no SPF/DKIM/DMARC step; no "escalate now" on the
    // strength of passing DNS (the fix is the tenant's own); exit 0.
    let (rc, d) = clean(
        "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(2900) [DB9PR01MB9111.eurprd01.prod.outlook.com]",
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["microsoft-5-7-750-unregistered-domain"]);
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    let t = text(first_step(&d));
    assert!(t.contains("domain"), "{t}");
    assert!(t.contains("Microsoft 365") || t.contains("tenant"), "{t}");
    assert!(!escalation(&d).1, "{}", d["escalation"]);
}

#[test]
fn microsofts_throttling_with_clean_dns_slows_down_and_invents_no_dns_cause() {
    // Outlook.com's 4.7.500 "Server busy" (S77714): throttling while Microsoft evaluates the
    // traffic. Clean DNS. The operator expects: the reply is the cause, slow down, no DNS fix,
    // no suppression, exit 0.
    let (rc, d) = clean(
        "451 4.7.500 Server busy. Please try again later from [192.0.2.125]. (S77714) [AM2PEPF0001C711.eurprd05.prod.outlook.com]",
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d).len(), 1, "{:?}", cause_ids(&d));
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    assert_suppresses_nobody(&d);
    assert!(d["no_cause_found"].is_null() || !cause_ids(&d).is_empty());
}

#[test]
fn a_dbl_refusal_for_a_domain_in_the_message_asks_no_delisting_of_the_sender() {
    // iCloud's refusal, as Postfix logs it: a domain present in the message is on the Spamhaus
    // DBL. The sender's
    // domain and IP are on no list (the stand-in DBL lists only trk9.example). The operator
    // expects: the message's content (a link) is the cause, not a delisting of the sender's
    // domain or IP: no step asks to delist ok9.example or 192.0.2.125; no DNS fix; exit 0.
    let (rc, d) = clean(
        "Dec 7 09:14:02 mx postfix/smtp[2211]: 4F1A2B3C4D: to=<kim@icloud.com>, relay=mx01.mail.icloud.com[17.57.154.6]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.154.6] said: 550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/ (in reply to end of DATA command))",
    );
    assert_eq!(rc, 0);
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    assert!(
        !step_ids(&d).iter().any(|s| s == "blocklist-delist"),
        "{:?}",
        step_ids(&d)
    );
    let t = text(first_step(&d));
    assert!(t.contains("link"), "{t}");
}

#[test]
fn a_dbl_refusal_naming_a_link_domain_blames_that_domain_not_the_sender() {
    // A filter names the listed link domain: trk9.example, a link shortener the newsletter
    // uses, on the DBL. The sender's own domain and IP are clean. The operator expects: the
    // named link domain's listing (or the reply) is the cause; the first step names
    // trk9.example as a link in the message to remove or replace (delisting is for its
    // owner); no step about ok9.example's DNS; Spamhaus is not asked to delist ok9.example.
    let (rc, d) = clean(
        "554 5.7.1 Message rejected: it links to trk9.example, which is listed in dbl.spamhaus.org; see https://www.spamhaus.org/query/domain/trk9.example",
    );
    assert_ne!(rc, 2);
    assert!(no_dns_fix(&d), "{:?}", step_ids(&d));
    let s = first_step(&d);
    let t = text(s);
    assert!(t.contains("trk9.example"), "{t}");
    assert!(t.contains("link"), "{t}");
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
}

/// No step suppresses an address or a domain: the reply is about the sender, not the recipient.
fn assert_suppresses_nobody(d: &Value) {
    assert!(
        !step_ids(d).iter().any(|s| s.starts_with("action-suppress")),
        "{:?}",
        step_ids(d)
    );
}
