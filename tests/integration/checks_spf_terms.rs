//! SPF terms that query the DNS (`exists`, `ptr`, `mx`): their void lookups, failed lookups, the
//! walk's caps, and where a `--zone` file wrote the `v=spf1` record.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::dns::{FaultKind, RType};
use mailtriage::finding::Check;

const SPF: &str = "@ IN TXT \"v=spf1";

fn spf(ip: Option<&str>) -> CheckParams {
    CheckParams {
        only: vec![Check::Spf],
        ip: ip.map(|i| i.parse().unwrap()),
        ..params()
    }
}

async fn with_record(record: &str, extra: &str, p: &CheckParams) -> DomainReport {
    let line = format!("@ IN TXT {}", quoted(record));
    run(&variant(&[(SPF, &line)], extra), p).await
}

fn result(r: &DomainReport) -> String {
    r.spf
        .as_ref()
        .unwrap()
        .result
        .as_ref()
        .unwrap()
        .result
        .clone()
}

#[tokio::test]
async fn void_exists_targets_count_and_make_the_result_permerror() {
    let rec = "v=spf1 exists:g1.good.example exists:g2.good.example exists:g3.good.example -all";
    for ip in [None, Some("192.0.2.77")] {
        let r = with_record(rec, "", &spf(ip)).await;
        assert_eq!(r.spf.as_ref().unwrap().void_lookups, 3, "{ip:?}");
        has(&r, "spf-too-many-void-lookups");
        let exists = has(&r, "spf-exists");
        assert!(!exists.message.contains("depends on"), "{}", exists.message);
    }
    let r = with_record(rec, "", &spf(Some("192.0.2.77"))).await;
    assert_eq!(result(&r), "permerror");
    has(&r, "spf-permerror");
    lacks(&r, "spf-ip-not-authorised");
}

#[tokio::test]
async fn an_exists_with_macros_depends_on_the_sender_only_without_ip() {
    let rec = "v=spf1 exists:%{i}.x.good.example -all";
    let r = with_record(rec, "", &spf(None)).await;
    assert!(has(&r, "spf-exists").message.contains("--ip"));
    // With the sender known the name is expanded and looked up: 192.0.2.10 is listed.
    let r = with_record(rec, "192.0.2.10.x IN A 127.0.0.2", &spf(Some("192.0.2.10"))).await;
    assert_eq!(result(&r), "pass");
    assert_eq!(r.spf.as_ref().unwrap().void_lookups, 0);
}

#[tokio::test]
async fn a_ptr_without_names_is_a_void_lookup() {
    // 192.0.2.99 has no PTR: the ptr term is the third void lookup of the evaluation.
    let rec = "v=spf1 a:nx1.good.example a:nx2.good.example ptr -all";
    let r = with_record(rec, "", &spf(Some("192.0.2.99"))).await;
    assert_eq!(r.spf.as_ref().unwrap().void_lookups, 3);
    assert_eq!(result(&r), "permerror");
    // With a PTR that resolves back, the same record passes on `ptr`.
    let r = with_record(rec, "", &spf(Some("192.0.2.10"))).await;
    assert_eq!(result(&r), "pass");
}

#[tokio::test]
async fn a_failed_address_lookup_of_an_mx_host_is_inconclusive() {
    let body = variant(&[(SPF, "@ IN TXT \"v=spf1 mx -all\"")], "");
    let faults = || {
        vec![fault(
            "mx.good.example",
            Some(RType::A),
            FaultKind::ServFail,
        )]
    };
    let r = run_faults(&body, &[], faults(), &spf(None)).await;
    let f = has(&r, "spf-lookup-failed");
    assert!(
        f.inconclusive && f.message.contains("mx.good.example"),
        "{f:?}"
    );
    assert!(r.spf.as_ref().unwrap().status.is_inconclusive());
    let r = run_faults(&body, &[], faults(), &spf(Some("192.0.2.10"))).await;
    assert_eq!(result(&r), "temperror");
    assert!(has(&r, "spf-temperror").inconclusive);
    lacks(&r, "spf-ip-not-authorised");
}

#[tokio::test]
async fn the_truncation_message_names_the_cap_reached() {
    // 22 levels of include: the depth cap.
    let mut extra = String::new();
    for i in 0..22 {
        extra.push_str(&format!(
            "_d{i} IN TXT \"v=spf1 include:_d{}.good.example -all\"\n",
            i + 1
        ));
    }
    let r = with_record("v=spf1 include:_d0.good.example -all", &extra, &spf(None)).await;
    let m = has(&r, "spf-tree-truncated").message.clone();
    assert!(m.contains("20 include/redirect levels"), "{m}");
    assert!(!m.contains("records walked"), "{m}");
    // 201 address terms: the term cap.
    let terms: Vec<String> = (0..201).map(|i| format!("a:h{i}.good.example")).collect();
    let r = with_record(&format!("v=spf1 {} -all", terms.join(" ")), "", &spf(None)).await;
    let m = has(&r, "spf-tree-truncated").message.clone();
    assert!(m.contains("200 a/mx/exists/ptr terms"), "{m}");
    assert!(!m.contains("levels"), "{m}");
}

#[tokio::test]
async fn spf_findings_point_at_the_spf_record_line_not_the_first_txt() {
    let body = variant(
        &[(
            SPF,
            "@ IN TXT \"google-site-verification=abc\"\n@ IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n@ IN TXT \"v=spf1 mx -all\"",
        )],
        "",
    );
    let text = crate::common::zone_text("good.example", &body);
    let line = 1 + text
        .lines()
        .position(|l| l.contains("v=spf1 ip4:192.0.2.0/24 -all"))
        .unwrap();
    let r = run_zone_file(&body, &spf(None)).await;
    let loc = has(&r, "spf-multiple-records").location.clone().unwrap();
    assert_eq!(loc.line, line, "{loc:?}");
    let r = run_zone_file(
        &variant(
            &[(
                SPF,
                "@ IN TXT \"google-site-verification=abc\"\n@ IN TXT \"v=spf1 ip4:192.0.2.0/24 +all\"",
            )],
            "",
        ),
        &spf(None),
    )
    .await;
    let loc = has(&r, "spf-plus-all").location.clone().unwrap();
    assert_eq!(loc.line, line, "{loc:?}");
}
