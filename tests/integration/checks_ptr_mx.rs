//! PTR and MX findings.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::finding::{Check, Severity};

fn only(c: Check) -> CheckParams {
    CheckParams {
        only: vec![c],
        ..params()
    }
}

async fn ptr_with(reverse: &str, good_extra: &str, p: &CheckParams) -> DomainReport {
    let good = variant(&[], good_extra);
    run_zones(
        &[("good.example", &good), ("2.0.192.in-addr.arpa", reverse)],
        p,
    )
    .await
}

#[tokio::test]
async fn ptr_present_and_confirmed_is_clean() {
    let r = run(&good_zone(), &only(Check::Ptr)).await;
    assert!(r.findings.is_empty(), "{:#?}", summary(&r));
    assert_eq!(r.ptr.as_ref().unwrap().helo_matches, Some(true));
}

#[tokio::test]
async fn missing_ptr_is_an_error() {
    let r = ptr_with("25 IN PTR mx.good.example.", "", &only(Check::Ptr)).await;
    assert_eq!(has(&r, "ptr-missing").severity, Severity::Error);
    lacks(&r, "ptr-lookup-failed");
}

#[tokio::test]
async fn ptr_that_does_not_resolve_back() {
    let r = ptr_with(
        "10 IN PTR elsewhere.good.example.",
        "elsewhere IN A 192.0.2.99",
        &only(Check::Ptr),
    )
    .await;
    assert_eq!(has(&r, "ptr-not-confirmed").severity, Severity::Error);
    assert_eq!(r.ptr.as_ref().unwrap().fcrdns, Some(false));
    lacks(
        &run(&good_zone(), &only(Check::Ptr)).await,
        "ptr-not-confirmed",
    );
}

#[tokio::test]
async fn helo_mismatch() {
    let p = CheckParams {
        helo: Some("mx.good.example".into()),
        ..only(Check::Ptr)
    };
    let r = run(&good_zone(), &p).await;
    assert!(
        has(&r, "ptr-helo-mismatch")
            .message
            .contains("does not resolve")
    );
    lacks(&r, "ptr-not-confirmed");
}

#[tokio::test]
async fn too_many_names_and_generic_names() {
    let mut rev = String::new();
    for i in 0..11 {
        rev.push_str(&format!("10 IN PTR n{i}.good.example.\n"));
    }
    let r = ptr_with(&rev, "", &only(Check::Ptr)).await;
    has(&r, "ptr-too-many-names");
    let r = ptr_with(
        "10 IN PTR 192-0-2-10.dynamic.isp.example.",
        "",
        &only(Check::Ptr),
    )
    .await;
    has(&r, "ptr-generic-name");
    lacks(
        &run(&good_zone(), &only(Check::Ptr)).await,
        "ptr-generic-name",
    );
}

#[tokio::test]
async fn without_ip_the_mx_hosts_are_checked() {
    let p = CheckParams {
        ip: None,
        ..only(Check::Ptr)
    };
    let r = run(&good_zone(), &p).await;
    assert_eq!(has(&r, "ptr-no-ip").severity, Severity::Info);
    let hosts = &r.ptr.as_ref().unwrap().mx_hosts;
    assert_eq!(hosts.len(), 1);
    assert!(hosts[0].2, "mx.good.example has FCrDNS");
    lacks(&r, "ptr-mx-host-not-confirmed");
    let r = ptr_with("10 IN PTR mail.good.example.", "", &p).await;
    has(&r, "ptr-mx-host-not-confirmed");
}

const MX: &str = "@ IN MX";

async fn mx_with(line: &str, extra: &str) -> DomainReport {
    run(&variant(&[(MX, line)], extra), &only(Check::Mx)).await
}

#[tokio::test]
async fn mx_clean_implicit_and_missing() {
    let r = run(&good_zone(), &only(Check::Mx)).await;
    assert!(r.findings.is_empty(), "{:#?}", summary(&r));
    let r = mx_with("; no mx", "").await;
    assert_eq!(has(&r, "mx-implicit").severity, Severity::Info);
    assert!(r.mx.as_ref().unwrap().implicit);
    let r = run(
        &variant(&[(MX, "; no mx"), ("@ IN A", "; no a")], ""),
        &only(Check::Mx),
    )
    .await;
    assert_eq!(has(&r, "mx-missing").severity, Severity::Warning);
    lacks(&r, "mx-implicit");
}

#[tokio::test]
async fn null_mx() {
    let r = mx_with("@ IN MX 0 .", "").await;
    assert_eq!(has(&r, "mx-null").severity, Severity::Error);
    assert!(r.mx.as_ref().unwrap().null_mx);
    let p = CheckParams {
        mail_from: Some("b@other.example".into()),
        ..only(Check::Mx)
    };
    let r = run(&variant(&[(MX, "@ IN MX 0 .")], ""), &p).await;
    assert_eq!(has(&r, "mx-null").severity, Severity::Info);
}

#[tokio::test]
async fn bad_targets() {
    let r = mx_with("@ IN MX 10 nowhere.good.example.", "").await;
    assert_eq!(has(&r, "mx-target-unresolvable").severity, Severity::Error);
    let r = mx_with(
        "@ IN MX 10 alias.good.example.",
        "alias IN CNAME mx.good.example.",
    )
    .await;
    has(&r, "mx-target-cname");
    lacks(&r, "mx-target-unresolvable");
    let r = mx_with("@ IN MX 10 192.0.2.25.", "").await;
    has(&r, "mx-target-ip-literal");
    let clean = run(&good_zone(), &only(Check::Mx)).await;
    for id in [
        "mx-target-unresolvable",
        "mx-target-cname",
        "mx-target-ip-literal",
    ] {
        lacks(&clean, id);
    }
}
