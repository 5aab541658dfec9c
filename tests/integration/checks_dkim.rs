//! DKIM findings: discovery, named selectors, key sizes, flags and broken records.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::CheckParams;
use mailtriage::finding::{Check, Severity};

const KEY: &str = "google._domainkey IN TXT";

fn dkim(selectors: &[&str]) -> CheckParams {
    CheckParams {
        only: vec![Check::Dkim],
        dkim_selectors: selectors.iter().map(|s| s.to_string()).collect(),
        ..params()
    }
}

async fn with_key(record: &str, selectors: &[&str]) -> mailtriage::checks::DomainReport {
    run(
        &variant(
            &[(KEY, &format!("google._domainkey IN TXT {}", quoted(record)))],
            "",
        ),
        &dkim(selectors),
    )
    .await
}

#[tokio::test]
async fn discovered_key_is_reported_with_its_size() {
    let r = run(&good_zone(), &dkim(&[])).await;
    let f = has(&r, "dkim-key-found");
    assert!(f.message.contains("2048-bit"), "{}", f.message);
    let facts = r.dkim.as_ref().unwrap();
    assert_eq!(facts.selectors[0].status, "valid");
    assert!(facts.probed.contains(&"selector1".to_string()));
    lacks(&r, "dkim-no-key-found");
    for id in [
        "dkim-key-too-short",
        "dkim-key-weak",
        "dkim-testing",
        "dkim-sha1-only",
        "dkim-syntax-error",
        "dkim-selector-missing",
    ] {
        lacks(&r, id);
    }
}

#[tokio::test]
async fn no_key_anywhere_is_a_warning_asking_for_the_selector() {
    let r = run(&variant(&[(KEY, "; no key")], ""), &dkim(&[])).await;
    let f = has(&r, "dkim-no-key-found");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("s="));
    lacks(&r, "dkim-key-found");
}

#[tokio::test]
async fn named_selector_missing_is_an_error() {
    let r = run(&good_zone(), &dkim(&["mta2026"])).await;
    let f = has(&r, "dkim-selector-missing");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject, "mta2026._domainkey.good.example");
    lacks(&r, "dkim-no-key-found");
    lacks(
        &run(&good_zone(), &dkim(&["google"])).await,
        "dkim-selector-missing",
    );
}

#[tokio::test]
async fn key_sizes() {
    let r = with_key(&format!("v=DKIM1; k=rsa; p={KEY_512}"), &[]).await;
    assert_eq!(has(&r, "dkim-key-too-short").severity, Severity::Error);
    lacks(&r, "dkim-key-weak");
    let r = with_key(&format!("v=DKIM1; k=rsa; p={KEY_1024}"), &[]).await;
    assert_eq!(has(&r, "dkim-key-weak").severity, Severity::Warning);
    lacks(&r, "dkim-key-too-short");
}

#[tokio::test]
async fn revoked_key_is_a_warning_when_asked_for_and_info_when_discovered() {
    let r = with_key("v=DKIM1; p=", &["google"]).await;
    assert_eq!(has(&r, "dkim-key-revoked").severity, Severity::Warning);
    let r = with_key("v=DKIM1; p=", &[]).await;
    assert_eq!(has(&r, "dkim-key-revoked").severity, Severity::Info);
    assert_eq!(r.dkim.as_ref().unwrap().selectors[0].status, "revoked");
}

#[tokio::test]
async fn testing_flag_and_sha1() {
    let r = with_key(&format!("v=DKIM1; t=y; h=sha1; p={KEY_2048}"), &[]).await;
    has(&r, "dkim-testing");
    has(&r, "dkim-sha1-only");
}

#[tokio::test]
async fn broken_records() {
    for rec in [
        "v=DKIM1; k=rsa",
        "v=DKIM1; p=!!notbase64!!",
        "v=DKIM1; k=dsa; p=AAAA",
        "v=DKIM1; p=AAAAAAAA",
    ] {
        let r = with_key(rec, &[]).await;
        assert_eq!(
            has(&r, "dkim-syntax-error").severity,
            Severity::Error,
            "{rec}"
        );
        assert_eq!(r.dkim.as_ref().unwrap().selectors[0].status, "invalid");
    }
}

#[tokio::test]
async fn cname_delegation_is_shown() {
    let body = variant(
        &[(KEY, "google._domainkey IN CNAME google.keys.good.example.")],
        &format!(
            "google.keys IN TXT {}",
            quoted(&format!("v=DKIM1; p={KEY_2048}"))
        ),
    );
    let r = run(&body, &dkim(&[])).await;
    assert!(
        has(&r, "dkim-key-found")
            .message
            .contains("CNAME to google.keys.good.example")
    );
    assert_eq!(
        r.dkim.as_ref().unwrap().selectors[0].cname.as_deref(),
        Some("google.keys.good.example")
    );
}

#[tokio::test]
async fn a_cname_to_a_name_without_a_key_is_called_dangling() {
    let r = run(
        &variant(&[(KEY, "google._domainkey IN CNAME google.keys-gone")], ""),
        &dkim(&[]),
    )
    .await;
    let f = has(&r, "dkim-cname-dangling");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("keys-gone"), "{}", f.message);
    // A named selector that dangles is also missing, so the plan publishes it.
    let r = run(
        &variant(&[(KEY, "google._domainkey IN CNAME google.keys-gone")], ""),
        &dkim(&["google"]),
    )
    .await;
    has(&r, "dkim-cname-dangling");
    has(&r, "dkim-selector-missing");
}

#[tokio::test]
async fn a_cname_to_a_published_key_is_not_dangling() {
    let r = run(
        &variant(
            &[(KEY, "google._domainkey IN CNAME google.keys")],
            &format!("google.keys IN TXT \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT}"),
        ),
        &dkim(&[]),
    )
    .await;
    has(&r, "dkim-key-found");
    lacks(&r, "dkim-cname-dangling");
}
