//! DNS trouble (timeout, SERVFAIL, CNAME loops, answers to another question) makes findings inconclusive, never "missing" or "pass".
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use crate::common::{quick, serve_with, zone_text, zones};
use mailtriage::checks::{CheckParams, DomainReport, check_domain};
use mailtriage::dns::{Fault, FaultKind, RType, ServerOptions};
use mailtriage::finding::Check;

async fn faulty(
    body: &str,
    faults: Vec<Fault>,
    random: Option<(f64, f64, u64)>,
    p: &CheckParams,
) -> DomainReport {
    let good = zone_text("good.example", body);
    let rev = zone_text("2.0.192.in-addr.arpa", REVERSE);
    let opts = ServerOptions {
        zones: zones(&[("good.example", &good), ("2.0.192.in-addr.arpa", &rev)]),
        root_catch_all: true,
        faults,
        random_faults: random,
        ..ServerOptions::default()
    };
    let (_server, dns) = serve_with(opts, quick()).await;
    check_domain(&dns, p).await
}

fn fault(name: &str, rtype: Option<RType>, kind: FaultKind) -> Fault {
    Fault {
        name: name.into(),
        rtype,
        kind,
    }
}

#[tokio::test]
async fn spf_servfail_and_timeout_are_inconclusive() {
    // A server that answers for another name, or says NXDOMAIN and hands over records anyway,
    // has not answered the question: no record is "missing", and none is evaluated.
    for kind in [
        FaultKind::ServFail,
        FaultKind::Timeout,
        FaultKind::OtherName,
        FaultKind::NxDomainWithRecords,
    ] {
        let p = CheckParams {
            only: vec![Check::Spf],
            ..params()
        };
        let r = faulty(
            &good_zone(),
            vec![fault("good.example", Some(RType::TXT), kind)],
            None,
            &p,
        )
        .await;
        let f = has(&r, "spf-lookup-failed");
        assert!(f.inconclusive, "{kind:?}");
        lacks(&r, "spf-missing");
        lacks(&r, "spf-ip-authorised");
        has(&r, "spf-temperror");
        assert!(r.all_inconclusive());
    }
}

#[tokio::test]
async fn include_timeout_is_a_temperror_not_a_pass() {
    let p = CheckParams {
        only: vec![Check::Spf],
        ip: Some("198.51.100.7".parse().unwrap()),
        ..params()
    };
    let r = faulty(
        &good_zone(),
        vec![fault("_spf.good.example", None, FaultKind::Timeout)],
        None,
        &p,
    )
    .await;
    let f = has(&r, "spf-lookup-failed");
    assert_eq!(f.subject, "_spf.good.example");
    assert!(f.inconclusive);
    assert!(has(&r, "spf-temperror").inconclusive);
    lacks(&r, "spf-ip-authorised");
    lacks(&r, "spf-include-without-spf");
    assert!(!r.all_inconclusive());
}

#[tokio::test]
async fn cname_loops_do_not_hang_and_are_not_absence() {
    let body = variant(
        &[(
            "@ IN TXT \"v=spf1",
            "@ IN TXT \"v=spf1 include:_l1.good.example -all\"",
        )],
        "_l1 IN CNAME _l2.good.example.\n_l2 IN CNAME _l1.good.example.\n_dmarc2 IN CNAME _dmarc2.good.example.",
    );
    let p = CheckParams {
        only: vec![Check::Spf],
        ip: None,
        ..params()
    };
    let r = faulty(&body, vec![], None, &p).await;
    let f = r
        .findings
        .iter()
        .find(|f| f.subject == "_l1.good.example")
        .expect("a finding about the loop");
    assert!(f.inconclusive && f.id == "spf-lookup-failed", "{f:?}");
    lacks(&r, "spf-include-without-spf");
}

#[tokio::test]
async fn every_check_timing_out_is_all_inconclusive() {
    let r = faulty(&good_zone(), vec![], Some((1.0, 0.0, 7)), &params()).await;
    assert!(r.all_inconclusive(), "{:#?}", summary(&r));
    for id in [
        "spf-missing",
        "dmarc-missing",
        "dkim-no-key-found",
        "ptr-missing",
        "mx-missing",
    ] {
        lacks(&r, id);
    }
    for id in [
        "spf-lookup-failed",
        "dmarc-lookup-failed",
        "dkim-lookup-failed",
        "ptr-lookup-failed",
        "mx-lookup-failed",
    ] {
        assert!(has(&r, id).inconclusive);
    }
}

#[tokio::test]
async fn dkim_discovery_with_a_failed_selector_is_not_called_absent() {
    // No key, but `_domainkey` exists (a legacy policy record), so discovery probes.
    let body = variant(
        &[("google._domainkey IN TXT", "_domainkey IN TXT \"o=~\"")],
        "",
    );
    let p = CheckParams {
        only: vec![Check::Dkim],
        ..params()
    };
    let faults = vec![fault(
        "selector1._domainkey.good.example",
        None,
        FaultKind::ServFail,
    )];
    let r = faulty(&body, faults, None, &p).await;
    assert!(has(&r, "dkim-lookup-failed").inconclusive);
    lacks(&r, "dkim-no-key-found");
}
