//! DMARC findings: record, inheritance, values, report authorisation, alignment.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::finding::{Check, Severity};

const DMARC: &str = "_dmarc IN TXT";

fn dmarc() -> CheckParams {
    CheckParams {
        only: vec![Check::Dmarc],
        ..params()
    }
}

async fn with(record: &str) -> DomainReport {
    run(
        &variant(&[(DMARC, &format!("_dmarc IN TXT \"{record}\""))], ""),
        &dmarc(),
    )
    .await
}

#[tokio::test]
async fn clean_record_has_no_dmarc_findings() {
    let r = run(&good_zone(), &dmarc()).await;
    assert!(r.findings.is_empty(), "{:#?}", summary(&r));
}

#[tokio::test]
async fn missing_record_is_an_error() {
    let r = run(&variant(&[(DMARC, "; none")], ""), &dmarc()).await;
    assert_eq!(has(&r, "dmarc-missing").severity, Severity::Error);
    lacks(&r, "dmarc-lookup-failed");
}

#[tokio::test]
async fn subdomain_inherits_the_organizational_policy() {
    let p = CheckParams {
        from: Some("a@news.good.example".into()),
        mail_from: None,
        dkim_domain: None,
        ..dmarc()
    };
    let r = run(&good_zone(), &p).await;
    has(&r, "dmarc-inherited");
    // The From domain's policy is reported on its own, beside the checked domain's.
    let facts = r.dmarc_from.as_ref().unwrap();
    assert_eq!(facts.domain, "news.good.example");
    assert!(facts.inherited);
    assert!(!r.dmarc.as_ref().unwrap().inherited);
    assert_eq!(facts.record_domain.as_deref(), Some("_dmarc.good.example"));
    lacks(&r, "dmarc-missing");
}

#[tokio::test]
async fn two_records() {
    let r = run(
        &good_zone().replace("_dmarc ", "_dmarc IN TXT \"v=DMARC1; p=none\"\n_dmarc "),
        &dmarc(),
    )
    .await;
    has(&r, "dmarc-multiple-records");
}

#[tokio::test]
async fn syntax_unknown_tags_and_missing_policy() {
    let r = with("v=DMARC1; p=block; rua=mailto:d@good.example; foo=1").await;
    assert!(has(&r, "dmarc-syntax-error").message.contains("p=block"));
    has(&r, "dmarc-unknown-tag");
    let r = with("v=DMARC1; rua=mailto:d@good.example").await;
    has(&r, "dmarc-missing-policy");
    lacks(&r, "dmarc-syntax-error");
}

#[tokio::test]
async fn weak_policies() {
    let r = with("v=DMARC1; p=none; rua=mailto:d@good.example").await;
    assert_eq!(has(&r, "dmarc-policy-none").severity, Severity::Warning);
    // pct is obsolete since RFC 9989: an informational finding saying what RFC 7489 receivers
    // still do with it.
    let r = with("v=DMARC1; p=reject; pct=20; rua=mailto:d@good.example").await;
    let f = has(&r, "dmarc-obsolete-tag");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("20%"), "{}", f.message);
    lacks(&r, "dmarc-pct-below-100");
    lacks(&r, "dmarc-policy-none");
    let r = with("v=DMARC1; p=reject; sp=none; rua=mailto:d@good.example").await;
    assert!(
        has(&r, "dmarc-subdomain-policy-weaker")
            .message
            .contains("sp=none")
    );
    let r = with("v=DMARC1; p=reject; np=quarantine; rua=mailto:d@good.example").await;
    has(&r, "dmarc-subdomain-policy-weaker");
    let r = with("v=DMARC1; p=quarantine; sp=reject; rua=mailto:d@good.example").await;
    lacks(&r, "dmarc-subdomain-policy-weaker");
}

#[tokio::test]
async fn no_rua_means_blind() {
    let r = with("v=DMARC1; p=reject").await;
    has(&r, "dmarc-no-rua");
}

#[tokio::test]
async fn external_report_destinations_need_authorisation() {
    let rec = "v=DMARC1; p=reject; rua=mailto:a@reports.example.net,mailto:b@ok.example.org";
    let zones = [
        (
            "good.example",
            variant(&[(DMARC, &format!("_dmarc IN TXT \"{rec}\""))], ""),
        ),
        (
            "ok.example.org",
            "good.example._report._dmarc IN TXT \"v=DMARC1\"".to_string(),
        ),
        ("reports.example.net", "@ IN A 192.0.2.1".to_string()),
    ];
    let refs: Vec<(&str, &str)> = zones.iter().map(|(o, b)| (*o, b.as_str())).collect();
    let r = run_zones(&refs, &dmarc()).await;
    let bad: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.id == "dmarc-report-destination-unauthorised")
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(bad, vec!["good.example._report._dmarc.reports.example.net"]);
}

#[tokio::test]
async fn alignment() {
    let p = CheckParams {
        mail_from: Some("b@esp.example.net".into()),
        dkim_domain: Some("good.example".into()),
        ..dmarc()
    };
    let r = run(&good_zone(), &p).await;
    has(&r, "dmarc-spf-not-aligned");
    lacks(&r, "dmarc-dkim-not-aligned");
    lacks(&r, "dmarc-not-aligned");

    let p = CheckParams {
        mail_from: Some("b@esp.example.net".into()),
        dkim_domain: Some("esp.example.net".into()),
        ..dmarc()
    };
    let r = run(&good_zone(), &p).await;
    has(&r, "dmarc-dkim-not-aligned");
    assert_eq!(has(&r, "dmarc-not-aligned").severity, Severity::Error);
    let al = r.dmarc.as_ref().unwrap().alignment.clone().unwrap();
    assert_eq!(
        (al.spf_aligned, al.dkim_aligned),
        (Some(false), Some(false))
    );

    // Relaxed alignment accepts a subdomain; strict does not.
    let p = CheckParams {
        mail_from: Some("b@bounce.good.example".into()),
        dkim_domain: None,
        ..dmarc()
    };
    lacks(&run(&good_zone(), &p).await, "dmarc-spf-not-aligned");
    let strict = variant(
        &[(
            DMARC,
            "_dmarc IN TXT \"v=DMARC1; p=reject; aspf=s; rua=mailto:d@good.example\"",
        )],
        "",
    );
    has(&run(&strict, &p).await, "dmarc-spf-not-aligned");
}

#[tokio::test]
async fn a_null_reverse_path_takes_spf_from_the_helo_identity() {
    // RFC 9989 section 4.4.2: DMARC uses the SPF result of MAIL FROM only; for a null
    // reverse-path that identity is postmaster@<HELO> (RFC 7208 section 2.4).
    let zone = good_zone() + "mail IN TXT \"v=spf1 a -all\"\n";
    let p = CheckParams {
        mail_from: Some("<>".into()),
        dkim_domain: None,
        only: vec![Check::Spf, Check::Dmarc],
        ..params()
    };
    let r = run(&zone, &p).await;
    let eval = r.spf.as_ref().unwrap().result.as_ref().unwrap();
    assert_eq!(
        (eval.domain.as_str(), eval.result.as_str()),
        ("mail.good.example", "pass")
    );
    let al = r.dmarc.as_ref().unwrap().alignment.clone().unwrap();
    assert_eq!(al.spf_identity, "helo");
    assert_eq!(al.spf_domain.as_deref(), Some("mail.good.example"));
    assert_eq!(al.spf_aligned, Some(true));
    // With a MAIL FROM the HELO name plays no part in DMARC.
    let p = CheckParams {
        mail_from: Some("b@esp.example.net".into()),
        ..p
    };
    let al = run(&zone, &p).await.dmarc.unwrap().alignment.unwrap();
    assert_eq!(
        (al.spf_identity.as_str(), al.spf_domain.as_deref()),
        ("mail_from", Some("esp.example.net"))
    );
}

#[test]
fn the_cli_takes_a_null_reverse_path() {
    use crate::cli_support::{Served, code, run as cli, stdout};
    let z = crate::common::zone_text(
        "good.example",
        &(good_zone() + "mail IN TXT \"v=spf1 a -all\"\n"),
    );
    let served = Served::zones(&[("good.example", &z)]);
    let ns = served.nameserver();
    let o = cli(
        &[
            "check",
            "good.example",
            "--ip",
            "192.0.2.10",
            "--helo",
            "mail.good.example",
            "--mail-from",
            "<>",
            "--only",
            "spf",
            "--format",
            "json",
            "--nameserver",
            &ns,
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["domains"][0]["spf"]["result"]["domain"],
        "mail.good.example"
    );
}

#[test]
fn the_human_report_calls_a_misordered_record_invalid_not_missing() {
    use crate::cli_support::{Served, code, run as cli, stdout};
    for (record, says) in [
        (
            "_dmarc IN TXT \"p=reject; v=DMARC1; rua=mailto:d@good.example\"",
            "invalid DMARC record for good.example",
        ),
        (
            "_dmarc IN TXT \"v=DMARC1; p=reject\"\n_dmarc IN TXT \"v=DMARC1; p=none\"",
            "2 DMARC records for good.example",
        ),
    ] {
        let z = crate::common::zone_text("good.example", &variant(&[(DMARC, record)], ""));
        let served = Served::zones(&[("good.example", &z)]);
        let ns = served.nameserver();
        let o = cli(
            &[
                "check",
                "good.example",
                "--only",
                "dmarc",
                "--nameserver",
                &ns,
            ],
            None,
        );
        let out = stdout(&o);
        assert_eq!(code(&o), 1, "{out}");
        assert!(out.contains(says), "{out}");
        assert!(!out.contains("no DMARC record"), "{out}");
        assert!(!out.contains("dmarc-missing"), "{out}");
    }
}

#[tokio::test]
async fn tag_names_in_capitals_are_read_but_a_version_in_lower_case_is_no_record() {
    // RFC 5234 section 2.3: the ABNF literal "v" (and "p") matches either case; `DMARC1` is
    // spelt as octets in the grammar and must be exact.
    let r = with("V=DMARC1; P=REJECT").await;
    lacks(&r, "dmarc-record-invalid");
    lacks(&r, "dmarc-missing");
    assert_eq!(r.dmarc.unwrap().policy.as_deref(), Some("reject"));

    let r = with("v=dmarc1; p=reject").await;
    lacks(&r, "dmarc-missing");
    let f = has(&r, "dmarc-record-invalid");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("`dmarc1`"), "{}", f.message);
    assert!(f.message.contains("case-sensitive"), "{}", f.message);
}

#[tokio::test]
async fn a_repeated_tag_promises_no_reading_of_it() {
    let r = with("v=DMARC1; p=none; p=reject").await;
    let f = has(&r, "dmarc-syntax-error");
    assert!(f.message.contains("appears 2 times"), "{}", f.message);
    assert!(
        !f.message.contains("receivers use the first"),
        "{}",
        f.message
    );
}
