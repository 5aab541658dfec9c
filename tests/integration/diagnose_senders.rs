//! The plan authorises a recognised sending service by its SPF include (rules/senders.toml),
//! and the bare address only when no service is recognised.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::*;
use serde_json::Value;

fn details(s: &Value) -> String {
    s["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_ptr_name_of_the_ip_identifies_google_workspace() {
    let d = diagnose(
        GMAIL_5726,
        &["--domain", "spffail.example", "--ip", "192.0.2.80"],
    );
    assert!(!step_ids(&d).contains(&"spf-authorise-ip".to_string()));
    let s = step(&d, "spf-authorise-service");
    assert_eq!(
        records(s),
        [(
            "spffail.example".to_string(),
            "TXT".to_string(),
            "v=spf1 ip4:198.51.100.1 include:_spf.google.com -all".to_string()
        )]
    );
    assert!(s["title"].as_str().unwrap().contains("Google Workspace"));
    let why = details(s);
    assert!(
        why.contains("the PTR name of 192.0.2.80 (mail-sor-f80.google.com)"),
        "{why}"
    );
    assert!(
        why.contains("https://support.google.com/a/answer/10685031"),
        "{why}"
    );
    assert_eq!(
        s["finding_ids"],
        serde_json::json!(["spf-ip-not-authorised"])
    );
}

#[test]
fn the_outbound_relay_in_a_bounce_identifies_amazon_ses() {
    let d = diagnose(
        "tests/fixtures/diagnose/bounce-amazon-ses.eml",
        &["--ip", "192.0.2.60"],
    );
    let s = step(&d, "spf-authorise-service");
    assert_eq!(
        records(s)[0].2,
        "v=spf1 ip4:198.51.100.1 include:amazonses.com -all"
    );
    assert!(
        details(s).contains("a8-17.smtp-out.amazonses.com"),
        "{}",
        details(s)
    );
}

#[test]
fn without_a_recognised_service_the_address_itself_is_authorised() {
    let d = diagnose(
        GMAIL_5726,
        &["--domain", "spffail.example", "--ip", "192.0.2.60"],
    );
    let s = step(&d, "spf-authorise-ip");
    assert_eq!(
        records(s)[0].2,
        "v=spf1 ip4:198.51.100.1 ip4:192.0.2.60 -all"
    );
    assert!(
        details(s).contains("no known sending service was recognised"),
        "{}",
        details(s)
    );
}
