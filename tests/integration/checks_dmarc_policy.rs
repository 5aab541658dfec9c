//! The effective DMARC policy reported for a domain (RFC 7489 section 6.6.3), as receivers apply it.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::finding::Check;

const DMARC: &str = "_dmarc IN TXT";

fn for_domain(from: &str) -> CheckParams {
    CheckParams {
        only: vec![Check::Dmarc],
        from: Some(format!("a@{from}")),
        mail_from: None,
        dkim_domain: None,
        ..params()
    }
}

/// The From domain's DMARC facts: `dmarc_from` when it is not the checked domain.
fn from_facts(r: &DomainReport) -> &mailtriage::checks::DmarcFacts {
    r.dmarc_from.as_ref().or(r.dmarc.as_ref()).unwrap()
}

async fn policy(records: &str, from: &str) -> (Option<String>, DomainReport) {
    let r = run(&variant(&[(DMARC, records)], ""), &for_domain(from)).await;
    (from_facts(&r).policy.clone(), r)
}

#[tokio::test]
async fn an_inheriting_subdomain_gets_sp_not_p() {
    let rec = r#"_dmarc IN TXT "v=DMARC1;p=none;sp=quarantine;rua=mailto:d@good.example""#;
    let (p, r) = policy(rec, "news.good.example").await;
    assert!(from_facts(&r).inherited);
    assert_eq!(p.as_deref(), Some("quarantine"));
    // the organizational domain itself still gets p=
    let (p, _) = policy(rec, "good.example").await;
    assert_eq!(p.as_deref(), Some("none"));
    // without sp= the subdomain gets p=
    let rec = r#"_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:d@good.example""#;
    let (p, _) = policy(rec, "news.good.example").await;
    assert_eq!(p.as_deref(), Some("reject"));
}

#[tokio::test]
async fn an_invalid_p_value_with_a_valid_rua_counts_as_none() {
    // RFC 9989 section 4.10.1: act as if `p=none` was retrieved.
    let rec = r#"_dmarc IN TXT "v=DMARC1; p=rejected; rua=mailto:d@good.example""#;
    let (p, r) = policy(rec, "good.example").await;
    assert_eq!(p.as_deref(), Some("none"));
    assert_eq!(
        from_facts(&r).policy_source.as_deref(),
        Some("none (rua fallback)")
    );
    let f = has(&r, "dmarc-syntax-error");
    assert!(
        f.message.contains("p=rejected") && f.message.contains("p=none"),
        "{}",
        f.message
    );
    lacks(&r, "dmarc-missing-policy");
    // Without a valid rua DMARC does not apply at all.
    let rec = r#"_dmarc IN TXT "v=DMARC1; p=rejected""#;
    let (p, _) = policy(rec, "good.example").await;
    assert_eq!(p, None);
    // An invalid sp= spoils the whole record the same way, p=reject included.
    let rec = r#"_dmarc IN TXT "v=DMARC1; p=reject; sp=always; rua=mailto:d@good.example""#;
    let (p, _) = policy(rec, "good.example").await;
    assert_eq!(p.as_deref(), Some("none"));
}

#[tokio::test]
async fn a_missing_p_with_a_valid_rua_is_monitoring() {
    let rec = r#"_dmarc IN TXT "v=DMARC1; rua=mailto:d@good.example""#;
    let (p, r) = policy(rec, "good.example").await;
    assert_eq!(p.as_deref(), Some("none"));
    assert_eq!(
        has(&r, "dmarc-missing-policy").severity,
        mailtriage::finding::Severity::Warning
    );
    let rec = r#"_dmarc IN TXT "v=DMARC1; sp=reject""#;
    let (p, r) = policy(rec, "good.example").await;
    assert_eq!(p, None);
    assert_eq!(
        has(&r, "dmarc-missing-policy").severity,
        mailtriage::finding::Severity::Error
    );
}

#[tokio::test]
async fn two_records_mean_no_policy_applies() {
    let recs = "_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@good.example\"\n\
                _dmarc IN TXT \"v=DMARC1; p=none\"";
    let (p, r) = policy(recs, "good.example").await;
    assert_eq!(p, None);
    has(&r, "dmarc-multiple-records");
    lacks(&r, "dmarc-missing-policy");
}
