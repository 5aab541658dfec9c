//! Reverse DNS over IPv6, FCrDNS judged for each PTR name, failed forward lookups as unknown, a
//! null MX beside other MX records, and lookup failures that stay with the check they hit.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::CheckParams;
use mailtriage::dns::{FaultKind, RType};
use mailtriage::finding::{Check, Severity};

fn only(c: Check) -> CheckParams {
    CheckParams {
        only: vec![c],
        ..params()
    }
}

const REV6: &str = "8.b.d.0.1.0.0.2.ip6.arpa";

#[tokio::test]
async fn ipv6_reverse_dns_is_forward_confirmed() {
    let good = variant(
        &[],
        "mail6 IN AAAA 2001:db8::25\nother6 IN AAAA 2001:db8::99",
    );
    let rev = "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR mail6.good.example.\n\
               6.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR other6.good.example.";
    let p = |ip: &str| CheckParams {
        ip: Some(ip.parse().unwrap()),
        helo: Some("mail6.good.example".into()),
        ..only(Check::Ptr)
    };
    let r = run_zones(&[("good.example", &good), (REV6, rev)], &p("2001:db8::25")).await;
    assert!(problems(&r).is_empty(), "{:#?}", summary(&r));
    let facts = r.ptr.as_ref().unwrap();
    assert_eq!(facts.fcrdns, Some(true));
    assert_eq!(facts.names[0].name, "mail6.good.example");
    assert_eq!(facts.helo_matches, Some(true));
    // other6 points at another address: not confirmed.
    let r = run_zones(&[("good.example", &good), (REV6, rev)], &p("2001:db8::26")).await;
    assert_eq!(has(&r, "ptr-not-confirmed").severity, Severity::Error);
    assert_eq!(r.ptr.as_ref().unwrap().fcrdns, Some(false));
}

#[tokio::test]
async fn each_ptr_name_must_resolve_back_and_the_failing_ones_are_named() {
    let rev = "10 IN PTR mail.good.example.\n10 IN PTR stale.good.example.";
    let good = variant(&[], "stale IN A 192.0.2.200");
    let r = run_zones(
        &[("good.example", &good), ("2.0.192.in-addr.arpa", rev)],
        &only(Check::Ptr),
    )
    .await;
    let f = has(&r, "ptr-not-confirmed");
    assert!(f.message.contains("stale.good.example"), "{}", f.message);
    assert!(!f.message.contains("mail.good.example do"), "{}", f.message);
    assert_eq!(r.ptr.as_ref().unwrap().fcrdns, Some(false));
}

#[tokio::test]
async fn a_failed_forward_lookup_is_inconclusive_not_unconfirmed() {
    // Without --ip the MX hosts are checked; the PTR name's A lookup fails.
    let p = CheckParams {
        ip: None,
        ..only(Check::Ptr)
    };
    let faults = vec![fault(
        "mx.good.example",
        Some(RType::A),
        FaultKind::ServFail,
    )];
    let good = variant(&[], "mx2 IN A 192.0.2.25\n@ IN MX 20 mx2.good.example.");
    let r = run_faults(&good, &[], faults, &p).await;
    lacks(&r, "ptr-mx-host-not-confirmed");
    assert!(has(&r, "ptr-lookup-failed").inconclusive);
    assert!(r.ptr.as_ref().unwrap().status.is_inconclusive());
    // With --ip: a PTR name whose forward lookup fails is unknown too.
    let faults = vec![fault(
        "mail.good.example",
        Some(RType::A),
        FaultKind::ServFail,
    )];
    let r = run_faults(&good_zone(), &[], faults, &only(Check::Ptr)).await;
    lacks(&r, "ptr-not-confirmed");
    assert!(has(&r, "ptr-lookup-failed").inconclusive);
    assert_eq!(r.ptr.as_ref().unwrap().fcrdns, None);
}

#[tokio::test]
async fn a_null_mx_beside_other_mx_records_is_flagged() {
    let good = variant(
        &[("@ IN MX", "@ IN MX 0 .\n@ IN MX 10 mx.good.example.")],
        "",
    );
    let r = run(&good, &only(Check::Mx)).await;
    let f = has(&r, "mx-null-with-other-records");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("mx.good.example"), "{}", f.message);
    let alone = run(
        &variant(&[("@ IN MX", "@ IN MX 0 .")], ""),
        &only(Check::Mx),
    )
    .await;
    has(&alone, "mx-null");
    lacks(&alone, "mx-null-with-other-records");
    assert!(has(&alone, "mx-null").message.contains("`MX 0 .`"));
    // A root target under another preference is reported as published, not as `MX 0 .`.
    let ten = run(
        &variant(&[("@ IN MX", "@ IN MX 10 .")], ""),
        &only(Check::Mx),
    )
    .await;
    let m = &has(&ten, "mx-null").message;
    assert!(m.contains("`MX 10 .`") && !m.contains("`MX 0 .`"), "{m}");
}

#[tokio::test]
async fn a_fault_limited_to_one_check_leaves_the_others_conclusive() {
    let dmarc_down = vec![fault(
        "_dmarc.good.example",
        Some(RType::TXT),
        FaultKind::ServFail,
    )];
    let r = run_faults(&good_zone(), &[], dmarc_down, &params()).await;
    assert!(has(&r, "dmarc-lookup-failed").inconclusive);
    lacks(&r, "dkim-lookup-failed");
    lacks(&r, "mx-lookup-failed");
    assert!(!r.dkim.as_ref().unwrap().status.is_inconclusive());
    let mx_down = vec![fault("good.example", Some(RType::MX), FaultKind::ServFail)];
    let r = run_faults(&good_zone(), &[], mx_down, &params()).await;
    assert!(has(&r, "mx-lookup-failed").inconclusive);
    lacks(&r, "dkim-lookup-failed");
    lacks(&r, "dmarc-lookup-failed");
    let dkim_down = vec![fault(
        "google._domainkey.good.example",
        None,
        FaultKind::ServFail,
    )];
    let p = CheckParams {
        dkim_selectors: vec!["google".into()],
        ..params()
    };
    let r = run_faults(&good_zone(), &[], dkim_down, &p).await;
    assert!(has(&r, "dkim-lookup-failed").inconclusive);
    lacks(&r, "mx-lookup-failed");
    lacks(&r, "spf-lookup-failed");
}

/// The MAIL FROM domain's MX is read for a null MX; when that lookup fails, the run says so
/// (inconclusive) instead of passing it over.
#[tokio::test]
async fn an_unanswered_mail_from_mx_is_inconclusive_not_a_pass() {
    let p = CheckParams {
        mail_from: Some("bounces@rp.good.example".into()),
        ..only(Check::Mx)
    };
    let down = vec![fault(
        "rp.good.example",
        Some(RType::MX),
        FaultKind::ServFail,
    )];
    let r = run_faults(&good_zone(), &[], down, &p).await;
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "mx-lookup-failed" && f.subject == "rp.good.example")
        .expect("the return-path MX lookup failure is reported");
    assert!(f.inconclusive);
    lacks(&r, "mx-null");
}

#[tokio::test]
async fn an_mx_set_over_the_bound_says_how_many_hosts_were_checked() {
    let mut extra = String::new();
    for i in 0..60 {
        extra.push_str(&format!(
            "@ IN MX {} mx{i}.good.example.\nmx{i} IN A 192.0.2.25\n",
            100 + i
        ));
    }
    let zone = variant(&[("@ IN MX", "")], &extra);
    let r = run_zones(&[("good.example", &zone)], &only(Check::Mx)).await;
    let facts = r.mx.as_ref().unwrap();
    assert_eq!(facts.hosts.len(), 50);
    assert_eq!(facts.hosts[49].host, "mx49.good.example");
    // Before, the other 10 were dropped without a word.
    let f = has(&r, "mx-hosts-bounded");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("60 MX records"), "{}", f.message);
    assert!(f.message.contains("not the other 10"), "{}", f.message);
    // At the bound, nothing is said.
    let mut fifty = String::new();
    for i in 0..50 {
        fifty.push_str(&format!(
            "@ IN MX {i} mx{i}.good.example.\nmx{i} IN A 192.0.2.25\n"
        ));
    }
    let zone = variant(&[("@ IN MX", "")], &fifty);
    let r = run_zones(&[("good.example", &zone)], &only(Check::Mx)).await;
    lacks(&r, "mx-hosts-bounded");
    assert_eq!(r.mx.as_ref().unwrap().hosts.len(), 50);
}

#[tokio::test]
async fn a_ptr_that_names_an_address_is_unconfirmed_without_a_lookup() {
    // RFC 1035 section 3.3.12: a PTR holds a domain name. `192.0.2.10.` is four labels that
    // name no host; looking it up would ask the DNS for a name under the root's `10` label.
    let rev = "10 IN PTR 192.0.2.10.";
    let r = run_zones(
        &[
            ("good.example", &good_zone()),
            ("2.0.192.in-addr.arpa", rev),
        ],
        &only(Check::Ptr),
    )
    .await;
    let f = has(&r, "ptr-not-confirmed");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("address literal"), "{}", f.message);
    lacks(&r, "ptr-lookup-failed");
    let facts = r.ptr.as_ref().unwrap();
    assert_eq!(facts.fcrdns, Some(false));
    assert!(!facts.status.is_inconclusive());
    assert_eq!(facts.names[0].name, "192.0.2.10");
}
