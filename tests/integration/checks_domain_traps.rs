//! Traps about the domain as a whole and its MX: a domain that does not exist (one finding), a
//! parked domain (reported as parked, not as errors), an MX that is an address literal (a finding
//! about the literal, not a DNS failure), p=reject relying on SPF alone; and bad input (a DMARC
//! record of 10,000 tags, a selector with control characters) answered in bounded time.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use crate::cli_support::{Served, code, run as cli, stderr, stdout};
use crate::common::zone_text;
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::dns::{ServerOptions, Zone, ZoneData, ZoneRecord};
use mailtriage::finding::{Check, Severity, ZoneLocation};

fn bare(domain: &str) -> CheckParams {
    CheckParams {
        domain: domain.into(),
        ip: None,
        helo: None,
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..params()
    }
}

const PARKED: &str = r#"
@ IN MX 0 .
@ IN TXT "v=spf1 -all"
_dmarc IN TXT "v=DMARC1; p=reject"
"#;

#[tokio::test]
async fn a_nonexistent_domain_gets_one_finding_that_says_so() {
    let r = run(&good_zone(), &bare("ghost.good.example")).await;
    let f = has(&r, "domain-nonexistent");
    assert_eq!((f.severity, f.check), (Severity::Error, Check::Dns));
    assert!(f.message.contains("NXDOMAIN"), "{}", f.message);
    for absent in [
        "spf-missing",
        "dmarc-missing",
        "mx-missing",
        "dkim-no-key-found",
    ] {
        lacks(&r, absent);
    }
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{:#?}", summary(&r));
    // An existing domain without records is not called nonexistent.
    let r = run(
        &format!("{}\nempty IN A 192.0.2.3", good_zone()),
        &bare("empty.good.example"),
    )
    .await;
    lacks(&r, "domain-nonexistent");
    has(&r, "spf-missing");
}

#[tokio::test]
async fn a_nonexistent_subdomain_names_the_np_policy_that_applies_to_it() {
    let zone = variant(
        &[(
            "_dmarc IN TXT",
            "_dmarc IN TXT \"v=DMARC1; p=quarantine; np=reject; rua=mailto:d@good.example\"",
        )],
        "",
    );
    let r = run(&zone, &bare("nosuch.good.example")).await;
    let f = has(&r, "domain-nonexistent");
    assert!(f.message.contains("np=reject"), "{}", f.message);
    assert_eq!(r.dmarc.as_ref().unwrap().policy.as_deref(), Some("reject"));
}

#[tokio::test]
async fn a_parked_domain_is_reported_as_parked_not_as_errors() {
    let r = run_zones(&[("parked.example", PARKED)], &bare("parked.example")).await;
    has(&r, "domain-parked");
    assert!(
        r.findings.iter().all(|f| f.severity == Severity::Info),
        "{:#?}",
        summary(&r)
    );
    lacks(&r, "dkim-no-key-found");
    lacks(&r, "dmarc-reject-without-dkim");
    // Mail sent from it (--ip): the errors stay, and the finding says the domain is parked.
    let p = CheckParams {
        ip: Some("192.0.2.10".parse().unwrap()),
        ..bare("parked.example")
    };
    let r = run_zones(&[("parked.example", PARKED)], &p).await;
    assert!(
        has(&r, "domain-parked")
            .message
            .contains("yet mail was sent")
    );
    assert_eq!(has(&r, "mx-null").severity, Severity::Error);
    // Half parked (no DMARC yet): not called parked, DMARC is still missing, but the null MX of
    // a domain whose SPF lets nobody send is what its owner meant.
    let half = PARKED.replace("_dmarc IN TXT \"v=DMARC1; p=reject\"", "");
    let r = run_zones(&[("parked.example", &half)], &bare("parked.example")).await;
    lacks(&r, "domain-parked");
    has(&r, "dmarc-missing");
    assert_eq!(has(&r, "mx-null").severity, Severity::Info);
    // Not parked: a null MX on a domain whose SPF authorises senders stays an error.
    let open = PARKED.replace("v=spf1 -all", "v=spf1 ip4:192.0.2.0/24 -all");
    let r = run_zones(&[("parked.example", &open)], &bare("parked.example")).await;
    lacks(&r, "domain-parked");
    assert_eq!(has(&r, "mx-null").severity, Severity::Error);
}

#[test]
fn the_cli_exits_0_for_a_parked_domain() {
    let z = zone_text("parked.example", PARKED);
    let served = Served::zones(&[("parked.example", &z)]);
    let ns = served.nameserver();
    let o = cli(&["check", "parked.example", "--nameserver", &ns], None);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("domain-parked"));
}

#[tokio::test]
async fn p_reject_relying_on_spf_alone_is_flagged() {
    let no_dkim = variant(&[("google._domainkey IN TXT", "; no key")], "");
    let p = CheckParams {
        dkim_domain: None,
        ..params()
    };
    let r = run(&no_dkim, &p).await;
    let f = has(&r, "dmarc-reject-without-dkim");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("RFC 9989"), "{}", f.message);
    // With the key the same domain is fine.
    lacks(&run(&good_zone(), &p).await, "dmarc-reject-without-dkim");
    // DKIM not checked: unknown, not flagged.
    let only = CheckParams {
        only: vec![Check::Dmarc, Check::Spf],
        ..p
    };
    lacks(&run(&no_dkim, &only).await, "dmarc-reject-without-dkim");
}

fn record(name: &str, data: ZoneData) -> ZoneRecord {
    ZoneRecord {
        name: name.into(),
        ttl: 300,
        data,
        location: ZoneLocation {
            file: "literal".into(),
            line: 0,
            column: 0,
        },
    }
}

async fn mx_literal(exchange: &str) -> DomainReport {
    let zone = Zone {
        apex: "lit.example".into(),
        file: "literal".into(),
        records: vec![
            record("lit.example", ZoneData::MX(10, exchange.into())),
            record("lit.example", ZoneData::TXT(vec![b"v=spf1 -all".to_vec()])),
        ],
        skipped: 0,
    };
    let opts = ServerOptions {
        zones: vec![zone],
        root_catch_all: true,
        ..ServerOptions::default()
    };
    let (_s, dns) = crate::common::serve_with(opts, crate::common::quick()).await;
    let p = CheckParams {
        only: vec![Check::Mx, Check::Ptr],
        ..bare("lit.example")
    };
    mailtriage::checks::check_domain(&dns, &p).await
}

#[tokio::test]
async fn an_mx_address_literal_is_a_finding_about_the_literal_not_a_dns_failure() {
    for exchange in ["[192.0.2.26]", "192.0.2.26", "[ipv6:2001:db8::25]"] {
        let r = mx_literal(exchange).await;
        let f = has(&r, "mx-target-ip-literal");
        assert_eq!(f.subject, exchange);
        assert!(f.message.contains("address literal"), "{}", f.message);
        assert!(
            r.findings.iter().all(|f| !f.inconclusive),
            "{exchange}: {:#?}",
            summary(&r)
        );
        lacks(&r, "mx-lookup-failed");
        lacks(&r, "ptr-lookup-failed");
        let mx = r.mx.as_ref().unwrap();
        assert!(!mx.status.is_inconclusive());
        assert_eq!(mx.hosts[0].problem.as_deref(), Some("IP literal"));
    }
}

#[tokio::test]
async fn a_dmarc_record_of_ten_thousand_tags_is_answered_in_bounded_time_and_size() {
    let tags: Vec<String> = (0..10_000).map(|i| format!("a{}=1", i % 10)).collect();
    let rec = format!("v=DMARC1; p=reject; {}", tags.join(";"));
    let zone = variant(
        &[("_dmarc IN TXT", &format!("_dmarc IN TXT {}", quoted(&rec)))],
        "",
    );
    let started = std::time::Instant::now();
    let r = run(
        &zone,
        &CheckParams {
            only: vec![Check::Dmarc],
            ..params()
        },
    )
    .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let f = has(&r, "dmarc-syntax-error");
    assert!(f.message.len() < 2_000, "{} bytes", f.message.len());
    assert!(
        f.message.contains("a0") && f.message.contains("1000 times"),
        "{}",
        f.message
    );
    let u = has(&r, "dmarc-unknown-tag");
    assert!(u.message.len() < 1_000, "{}", u.message);
    assert_eq!(r.dmarc.as_ref().unwrap().policy.as_deref(), Some("reject"));
}

#[test]
fn a_selector_with_control_characters_is_a_one_line_error_with_exit_2() {
    let o = cli(
        &[
            "check",
            "good.example",
            "--dkim-selector",
            "s1\u{1b}[31m\u{7}",
            "--nameserver",
            "127.0.0.1:9",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}

fn spf_dmarc() -> CheckParams {
    CheckParams {
        only: vec![Check::Spf, Check::Dmarc],
        ..params()
    }
}

#[tokio::test]
async fn spf_strings_are_joined_without_spaces() {
    // RFC 7208 section 3.3: the character-strings of one TXT record are concatenated with no
    // space added, so a space belongs inside a string, not at the join.
    let spaced = variant(
        &[("@ IN TXT", r#"@ IN TXT "v=spf1 ip4:192.0.2.0/24" " -all""#)],
        "",
    );
    let r = run_zones(&[("good.example", &spaced)], &spf_dmarc()).await;
    let spf = r.spf.as_ref().unwrap();
    assert_eq!(spf.record.as_deref(), Some("v=spf1 ip4:192.0.2.0/24 -all"));
    lacks(&r, "spf-syntax-error");
    let glued = variant(
        &[("@ IN TXT", r#"@ IN TXT "v=spf1 ip4:192.0.2.0/24" "-all""#)],
        "",
    );
    let r = run_zones(&[("good.example", &glued)], &spf_dmarc()).await;
    assert_eq!(
        r.spf.as_ref().unwrap().record.as_deref(),
        Some("v=spf1 ip4:192.0.2.0/24-all")
    );
    assert!(has(&r, "spf-syntax-error").message.contains("/24-all"));
}

#[tokio::test]
async fn an_spf_version_in_upper_case_is_still_the_spf_record() {
    // RFC 7208 section 12: the record's grammar is ABNF, whose quoted strings are
    // case-insensitive (RFC 5234 section 2.3), so `V=SPF1` is a version section.
    let upper = variant(
        &[("@ IN TXT", r#"@ IN TXT "V=SPF1 ip4:192.0.2.0/24 -all""#)],
        "",
    );
    let r = run_zones(&[("good.example", &upper)], &spf_dmarc()).await;
    lacks(&r, "spf-missing");
    assert!(r.spf.as_ref().unwrap().record.is_some());
    // Evaluated as well as read: the sending IP is in its ip4 range.
    has(&r, "spf-ip-authorised");
}

#[tokio::test]
async fn a_dmarc_record_behind_a_byte_order_mark_is_invalid_not_missing_in_silence() {
    let bom = variant(
        &[(
            "_dmarc IN TXT",
            r#"_dmarc IN TXT "\239\187\191v=DMARC1; p=reject; rua=mailto:dmarc@good.example""#,
        )],
        "",
    );
    let r = run_zones(&[("good.example", &bom)], &spf_dmarc()).await;
    // Before: only "has no DMARC record", although one is published.
    let f = has(&r, "dmarc-record-invalid");
    assert!(f.message.contains("U+FEFF"), "{}", f.message);
    assert_eq!(r.dmarc.as_ref().unwrap().policy, None);
    // Leading spaces are not a different record: it is read as published.
    let spaced = variant(
        &[(
            "_dmarc IN TXT",
            r#"_dmarc IN TXT "  v=DMARC1; p=reject; rua=mailto:dmarc@good.example""#,
        )],
        "",
    );
    let r = run_zones(&[("good.example", &spaced)], &spf_dmarc()).await;
    lacks(&r, "dmarc-missing");
    lacks(&r, "dmarc-record-invalid");
    assert_eq!(r.dmarc.as_ref().unwrap().policy.as_deref(), Some("reject"));
}
