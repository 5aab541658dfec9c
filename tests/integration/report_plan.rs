//! Likely causes, plan order and escalation for hand-built diagnoses.
#![allow(clippy::unwrap_used)]

use crate::report_fixtures::*;
use mailtriage::dns::{Outcome, RType};
use mailtriage::finding::{Check, Severity};

fn ids(d: &mailtriage::plan::Diagnosis) -> Vec<&str> {
    d.plan.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn gmail_5726_without_dmarc_blames_the_missing_record_and_publishes_it_first() {
    let d = gmail_no_dmarc().diagnose();
    assert_eq!(
        d.likely_causes[0].finding_id.as_deref(),
        Some("dmarc-missing")
    );
    assert!(d.no_cause_found.is_none());
    let first = &d.plan[0];
    assert_eq!(first.order, 1);
    assert_eq!(first.id, "dmarc-publish");
    assert_eq!(first.records[0].name, "_dmarc.example.com");
    assert_eq!(
        first.records[0].value,
        "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"
    );
    assert_eq!(first.verify, "mailtriage check example.com --only dmarc");
    assert_eq!(first.wait_seconds, Some(1800));
    assert_eq!(
        ids(&d),
        ["dmarc-publish", "dmarc-quarantine", "dmarc-reject"]
    );
    // RFC 9989 stages: t=y first (receivers apply one level less), never pct; np=reject at the
    // organizational domain.
    assert_eq!(
        d.plan[1].records[0].value,
        "v=DMARC1; p=quarantine; np=reject; t=y; rua=mailto:dmarc-reports@example.com"
    );
    assert_eq!(
        d.plan[1].records[1].value,
        "v=DMARC1; p=quarantine; np=reject; rua=mailto:dmarc-reports@example.com"
    );
    assert_eq!(
        d.plan[2].records[1].value,
        "v=DMARC1; p=reject; np=reject; rua=mailto:dmarc-reports@example.com"
    );
    assert!(
        d.plan
            .iter()
            .all(|s| s.records.iter().all(|r| !r.value.contains("pct=")))
    );
    assert_eq!(d.escalation.id, "escalation-gmail");
    assert!(!d.escalation.escalate_now);
}

#[test]
fn user_unknown_suppresses_the_address_first_and_blames_the_reply() {
    let d = gmail_user_unknown().diagnose();
    assert_eq!(d.likely_causes.len(), 1);
    assert_eq!(d.likely_causes[0].finding_id, None);
    assert_eq!(
        d.likely_causes[0].reply_rule.as_deref(),
        Some("gmail-5-1-1")
    );
    assert!(
        d.likely_causes[0]
            .reason
            .contains("550 5.1.1 is not about DNS"),
        "{}",
        d.likely_causes[0].reason
    );
    assert_eq!(ids(&d), ["action-suppress-address"]);
}

#[test]
fn spf_over_ten_lookups_puts_the_spf_step_before_slowing_down() {
    let d = gmail_spf_over_limit().diagnose();
    assert_eq!(
        d.likely_causes[0].finding_id.as_deref(),
        Some("spf-too-many-lookups")
    );
    assert_eq!(ids(&d), ["spf-lookups", "action-slow-down"]);
    let s = &d.plan[0];
    assert_eq!(s.finding_ids, ["spf-too-many-lookups"]);
    assert_eq!(s.wait_seconds, Some(300));
    assert!(s.records.is_empty(), "never invent IPs: {:?}", s.records);
    assert_eq!(
        s.details[0],
        "11 DNS lookups (limit 10), 0 void lookups (limit 2)"
    );
    assert!(
        s.details[1].starts_with(
            "include:mail.zendesk.com costs 5 lookups (1 for the include itself + 4 inside)"
        ),
        "{:?}",
        s.details
    );
    assert!(
        s.details
            .iter()
            .any(|l| l.contains("1 lookup from a/mx/ptr/exists terms of example.com")),
        "{:?}",
        s.details
    );
}

#[test]
fn implicated_checks_that_pass_say_so_plainly_and_escalate() {
    let d = Case::new(gmail_5726(), clean_report()).diagnose();
    assert!(d.likely_causes.is_empty());
    let nc = d.no_cause_found.clone().unwrap();
    assert!(nc.message.contains("SPF, DKIM and DMARC"), "{}", nc.message);
    assert!(nc.possible_reasons.iter().any(|r| r.contains("forwarded")));
    assert!(
        nc.possible_reasons
            .iter()
            .any(|r| r.contains("fixed after the bounce"))
    );
    assert!(d.escalation.escalate_now);
    assert!(
        d.escalation
            .where_
            .iter()
            .any(|l| l.url == "https://postmaster.google.com/")
    );
    assert!(d.plan.is_empty(), "{:?}", ids(&d));
}

#[test]
fn a_ptr_that_does_not_confirm_is_the_cause_of_5725() {
    let mut report = clean_report();
    let ptr = report.ptr.as_mut().unwrap();
    ptr.fcrdns = Some(false);
    ptr.names[0].confirms = false;
    ptr.names[0].addresses = vec!["198.51.100.1".parse().unwrap()];
    report.findings.push(finding(
        "ptr-not-confirmed",
        Check::Ptr,
        Severity::Error,
        IP,
        "mail.example.com does not resolve back to 192.0.2.25.",
    ));
    let mut case = Case::new(ptr_reply(), report);
    case.params.helo = Some("smtp.example.com".into());
    let d = case.diagnose();
    assert_eq!(
        d.likely_causes[0].finding_id.as_deref(),
        Some("ptr-not-confirmed")
    );
    let s = &d.plan[0];
    assert_eq!(s.id, "ptr-fcrdns");
    assert_eq!(
        (
            s.records[0].name.as_str(),
            s.records[0].rtype.as_str(),
            s.records[0].value.as_str()
        ),
        ("25.2.0.192.in-addr.arpa", "PTR", "smtp.example.com")
    );
    assert_eq!(
        (
            s.records[1].name.as_str(),
            s.records[1].rtype.as_str(),
            s.records[1].value.as_str()
        ),
        ("smtp.example.com", "A", IP)
    );
    assert_eq!(
        s.verify,
        "mailtriage check example.com --ip 192.0.2.25 --helo smtp.example.com --only ptr"
    );
    assert_eq!(ids(&d).last(), Some(&"action-fix-infrastructure"));
}

#[test]
fn blocklist_codes_request_delisting_first_and_point_at_the_portal() {
    let d = Case::new(microsoft_blocklist(), clean_report()).diagnose();
    assert_eq!(d.plan[0].id, "action-request-delisting");
    assert!(d.plan[0].title.contains(IP));
    assert_eq!(
        d.likely_causes[0].reply_rule.as_deref(),
        Some("microsoft-5-7-606")
    );
    assert_eq!(d.escalation.id, "escalation-microsoft-blocklist");
    assert!(d.escalation.escalate_now);
    assert!(
        d.escalation
            .where_
            .iter()
            .any(|l| l.url == "https://sender.office.com/")
    );
    assert!(
        d.escalation
            .gather
            .iter()
            .any(|g| g.contains("dns-log.jsonl")),
        "generic gather list is appended"
    );
}

/// A rule's `escalation` names whose path the reply takes: a Spamhaus listing that Yahoo (or
/// any receiver) reports is escalated to Spamhaus, a plain Yahoo deferral to Yahoo.
#[test]
fn a_listing_is_escalated_to_the_list_the_rule_names() {
    let rules = mailtriage::rules::RuleSet::load(None).unwrap();
    let case = |text: &str| {
        let r = crate::rules_support::reply(text);
        let d = rules.decode(&r);
        Case::new((r, d), clean_report()).diagnose().escalation
    };
    let yahoo = case(
        "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.25, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html",
    );
    assert_eq!(yahoo.id, "escalation-spamhaus");
    assert_eq!(yahoo.provider, "spamhaus");
    assert_eq!(
        yahoo.provider_name.as_deref(),
        Some("Spamhaus"),
        "the heading names Spamhaus (the entry's name, not its bare id), not Yahoo"
    );
    assert!(yahoo.escalate_now);
    assert!(
        yahoo
            .where_
            .iter()
            .any(|l| l.url == "https://check.spamhaus.org/")
    );
    assert!(yahoo.gather.iter().any(|g| g.contains("dns-log.jsonl")));
    let phrase = case(
        "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.25",
    );
    assert_eq!(phrase.id, "escalation-spamcop");
    // A rule naming its own provider keeps the provider's path.
    let own = case(
        "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
    );
    assert_eq!(own.id, "escalation-yahoo");
    assert!(own.provider_name.is_some_and(|n| n.starts_with("Yahoo")));
}

#[test]
fn a_503_fixes_the_sender_and_uses_the_generic_escalation() {
    let d = Case::new(bad_command(), clean_report()).diagnose();
    assert_eq!(d.plan[0].id, "action-fix-sender-config");
    assert!(d.plan[0].title.contains("do not suppress"));
    assert_eq!(d.escalation.id, "escalation-generic");
}

#[test]
fn inconclusive_dns_comes_first_and_is_never_treated_as_missing() {
    let mut report = clean_report();
    report.dmarc = Some(dmarc_facts(None, None, &[]));
    report.findings.push(
        finding(
            "dmarc-lookup-failed",
            Check::Dmarc,
            Severity::Error,
            "_dmarc.example.com",
            "Could not look up _dmarc.example.com (timeout).",
        )
        .inconclusive(),
    );
    let d = Case::new(gmail_5726(), report).diagnose();
    assert_eq!(ids(&d), ["dns-inconclusive"]);
    assert_eq!(d.plan[0].finding_ids, ["dmarc-lookup-failed"]);
    assert_eq!(
        d.likely_causes[0].finding_id.as_deref(),
        Some("dmarc-lookup-failed")
    );
}

#[test]
fn two_spf_records_are_merged_from_the_query_log() {
    let mut report = clean_report();
    let spf = report.spf.as_mut().unwrap();
    spf.records_count = 2;
    report.findings.push(finding(
        "spf-multiple-records",
        Check::Spf,
        Severity::Error,
        DOMAIN,
        "example.com publishes 2 SPF records.",
    ));
    let mut case = Case::new(gmail_5726(), report);
    case.queries[0] = query(
        0,
        DOMAIN,
        RType::TXT,
        Outcome::Answer,
        &[
            "\"v=spf1 include:_spf.google.com ~all\"",
            "\"v=spf1 ip4:192.0.2.25 \" \"redirect=other.example\"",
            "\"google-site-verification=abc\"",
        ],
        Some(600),
    );
    let d = case.diagnose();
    let s = &d.plan[0];
    assert_eq!(s.id, "spf-merge");
    assert_eq!(s.finding_ids, ["spf-multiple-records"]);
    assert_eq!(
        s.records[0].value,
        "v=spf1 include:_spf.google.com ip4:192.0.2.25 ~all"
    );
    assert!(
        s.details
            .iter()
            .any(|l| l.contains("dropped redirect=other.example")),
        "{:?}",
        s.details
    );
}

#[test]
fn a_1024_bit_key_gets_the_rotation_records() {
    let mut report = clean_report();
    report.dkim = Some(dkim_ok(1024));
    report.findings.push(finding(
        "dkim-key-1024",
        Check::Dkim,
        Severity::Warning,
        "google._domainkey.example.com",
        "The DKIM key of selector google is 1024 bits.",
    ));
    let d = Case::new(gmail_5726(), report).diagnose();
    let s = &d.plan[0];
    assert_eq!(s.id, "dkim-rotate-key");
    assert_eq!(
        s.verify,
        "mailtriage check example.com --dkim-selector google-2048 --dkim-selector google --only dkim"
    );
    assert_eq!(s.records[0].name, "google-2048._domainkey.example.com");
    assert_eq!(s.records[1].value, "v=DKIM1; p=");
}

#[test]
fn the_plan_is_stable_for_the_same_input() {
    let mut report = spf_over_limit_report();
    report.dmarc = Some(dmarc_facts(Some("v=DMARC1; p=none"), Some("none"), &[]));
    report.findings.push(finding(
        "dmarc-no-rua",
        Check::Dmarc,
        Severity::Warning,
        "_dmarc.example.com",
        "No rua= tag.",
    ));
    report.findings.push(finding(
        "mx-host-unresolvable",
        Check::Mx,
        Severity::Warning,
        DOMAIN,
        "mx.example.com has no address.",
    ));
    let case = Case::new(gmail_5726(), report);
    let a = case.diagnose();
    for _ in 0..5 {
        assert_eq!(case.diagnose().plan, a.plan);
    }
    assert_eq!(
        ids(&a),
        [
            "spf-lookups",
            "dmarc-add-rua",
            "dmarc-quarantine",
            "dmarc-reject",
            "mx-fix"
        ]
    );
    assert_eq!(
        a.plan[1].records[0].value,
        "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"
    );
    let orders: Vec<u32> = a.plan.iter().map(|s| s.order).collect();
    assert_eq!(orders, [1, 2, 3, 4, 5]);
}

#[test]
fn two_keys_at_one_selector_are_shown_in_zone_syntax_even_with_quotes_in_them() {
    // A record's text from DNS may hold a quote; the "published now" line is written as a
    // zone-file line, so the quote is escaped there and cannot end the quoted string early.
    let mut report = clean_report();
    report.dkim = Some(dkim_ok(2048));
    let name = "s1._domainkey.example.com";
    report.findings.push(finding(
        "dkim-multiple-keys",
        Check::Dkim,
        Severity::Error,
        name,
        "s1 publishes 2 keys.",
    ));
    let mut case = Case::new(gmail_5726(), report);
    let id = case.queries.len();
    case.queries.push(query(
        id,
        name,
        RType::TXT,
        Outcome::Answer,
        &[
            "\"v=DKIM1; n=say \\\"hi\\\"; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAone\"",
            "\"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtwo\"",
        ],
        Some(300),
    ));
    let d = case.diagnose();
    let s = d.plan.iter().find(|s| s.id == "dkim-one-key").unwrap();
    let shown: Vec<&String> = s
        .details
        .iter()
        .filter(|l| l.starts_with("published now:"))
        .collect();
    assert_eq!(shown.len(), 2, "{:?}", s.details);
    assert!(
        shown[0].contains(r#"IN TXT "v=DKIM1; n=say \"hi\"; k=rsa; p="#),
        "{}",
        shown[0]
    );
}
