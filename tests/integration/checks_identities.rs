//! Each fact object is about the domain it names: the checked domain keeps its own SPF, DKIM and
//! DMARC; the MAIL FROM, HELO, From and DKIM signing domains get their own; and a lookup that
//! failed is reported as unknown, never as absent.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use crate::cli_support::{Served, mailtriage};
use crate::common::{zone_text, zones};
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::dns::{FaultKind, RType, ServerOptions};
use mailtriage::finding::Check;
use serde_json::Value;

const ESP: &str = r#"
@                 IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
_dmarc            IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@esp.example"
"#;

fn esp_zone() -> String {
    format!("{ESP}\nsel._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n")
}

async fn with_esp(p: &CheckParams) -> DomainReport {
    run_zones(
        &[("good.example", &good_zone()), ("esp.example", &esp_zone())],
        p,
    )
    .await
}

#[tokio::test]
async fn the_mail_from_domain_gets_its_own_spf_section() {
    let p = CheckParams {
        only: vec![Check::Spf],
        ip: Some("203.0.113.5".parse().unwrap()),
        mail_from: Some("bounce@esp.example".into()),
        helo: Some("mail.good.example".into()),
        ..params()
    };
    let r = with_esp(&p).await;
    let own = r.spf.as_ref().unwrap();
    assert_eq!(own.domain, "good.example");
    assert!(
        own.record
            .as_deref()
            .unwrap()
            .contains("include:_spf.good.example")
    );
    lacks(&r, "spf-missing");
    let mf = r
        .spf_identities
        .iter()
        .find(|i| i.role == "mail_from")
        .unwrap();
    assert_eq!(mf.identity, "bounce@esp.example");
    assert_eq!(mf.facts.domain, "esp.example");
    assert_eq!(
        mf.facts.record.as_deref(),
        Some("v=spf1 ip4:203.0.113.0/24 -all")
    );
    let e = mf.facts.result.as_ref().unwrap();
    assert_eq!(
        (e.domain.as_str(), e.result.as_str()),
        ("esp.example", "pass")
    );
    let helo = r.spf_identities.iter().find(|i| i.role == "helo").unwrap();
    assert_eq!(helo.facts.domain, "mail.good.example");
    assert!(
        helo.facts.result.is_none(),
        "only the MAIL FROM identity is evaluated"
    );
}

#[tokio::test]
async fn dmarc_and_dkim_of_other_domains_are_reported_beside_the_domain_own() {
    let p = CheckParams {
        only: vec![Check::Dmarc, Check::Dkim],
        from: Some("news@esp.example".into()),
        mail_from: Some("bounce@esp.example".into()),
        dkim_domain: Some("esp.example".into()),
        dkim_selectors: vec!["sel".into()],
        ..params()
    };
    let r = with_esp(&p).await;
    let own = r.dmarc.as_ref().unwrap();
    assert_eq!(
        (own.domain.as_str(), own.policy.as_deref()),
        ("good.example", Some("reject"))
    );
    assert!(
        own.alignment.is_none(),
        "alignment is about the From domain"
    );
    let from = r.dmarc_from.as_ref().unwrap();
    assert_eq!(
        (from.domain.as_str(), from.policy.as_deref()),
        ("esp.example", Some("quarantine"))
    );
    assert_eq!(from.alignment.as_ref().unwrap().from_domain, "esp.example");
    let dkim = r.dkim.as_ref().unwrap();
    assert_eq!(dkim.domain, "good.example");
    assert!(dkim.selectors.iter().any(|s| s.selector == "google"));
    let sig = r.dkim_signing.as_ref().unwrap();
    assert_eq!(sig.domain, "esp.example");
    assert_eq!(sig.selectors[0].selector, "sel");
    // The signature's selector is not missing at the checked domain: it was never there.
    lacks(&r, "dkim-selector-missing");
}

fn served(faults: Vec<mailtriage::dns::Fault>) -> Served {
    let texts = [
        ("good.example", zone_text("good.example", &good_zone())),
        (
            "other.example",
            zone_text("other.example", "@ IN TXT \"v=spf1 -all\""),
        ),
        ("esp.example", zone_text("esp.example", &esp_zone())),
        (
            "2.0.192.in-addr.arpa",
            zone_text("2.0.192.in-addr.arpa", REVERSE),
        ),
    ];
    let refs: Vec<(&str, &str)> = texts.iter().map(|(o, t)| (*o, t.as_str())).collect();
    Served::start(ServerOptions {
        zones: zones(&refs),
        root_catch_all: true,
        faults,
        ..ServerOptions::default()
    })
}

fn check(s: &Served, args: &[&str]) -> String {
    let out = mailtriage()
        .arg("check")
        .args(args)
        .args(["--retries", "0", "--nameserver"])
        .arg(s.nameserver())
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn several_domains_with_one_mail_from_each_report_their_own_spf() {
    let s = served(Vec::new());
    let args = [
        "good.example",
        "other.example",
        "--mail-from",
        "bounce@esp.example",
        "--only",
        "spf",
        "--format",
        "json",
    ];
    let d: Value = serde_json::from_str(&check(&s, &args)).unwrap();
    let doms = d["domains"].as_array().unwrap();
    assert_eq!(doms[0]["spf"]["domain"], "good.example");
    assert!(
        doms[0]["spf"]["record"]
            .as_str()
            .unwrap()
            .contains("_spf.good.example")
    );
    assert_eq!(doms[1]["spf"]["domain"], "other.example");
    assert_eq!(doms[1]["spf"]["record"], "v=spf1 -all");
    for dom in doms {
        assert_eq!(dom["spf_identities"][0]["domain"], "esp.example");
    }
    let human = check(&s, &args[..6]);
    assert!(
        human.contains("MAIL FROM bounce@esp.example (domain esp.example):"),
        "{human}"
    );
    assert!(!human.contains("no SPF record"), "{human}");
}

#[test]
fn failed_lookups_are_said_to_have_failed_not_to_be_absent() {
    let s = served(vec![
        fault("good.example", Some(RType::TXT), FaultKind::ServFail),
        fault("_dmarc.good.example", Some(RType::TXT), FaultKind::ServFail),
        fault(
            "10.2.0.192.in-addr.arpa",
            Some(RType::PTR),
            FaultKind::ServFail,
        ),
    ]);
    let base = [
        "good.example",
        "--ip",
        "192.0.2.10",
        "--only",
        "spf,dmarc,ptr",
    ];
    let human = check(&s, &base);
    for says in [
        "SPF record of good.example could not be looked up (SERVFAIL)",
        "DMARC record of good.example could not be looked up (SERVFAIL)",
        "192.0.2.10: PTR could not be looked up (SERVFAIL)",
    ] {
        assert!(human.contains(says), "{says}\n{human}");
    }
    for never in ["no SPF record", "no DMARC record", "no PTR", "policy"] {
        assert!(!human.contains(never), "{never}\n{human}");
    }
    let mut json = base.to_vec();
    json.extend(["--format", "json"]);
    let d: Value = serde_json::from_str(&check(&s, &json)).unwrap();
    for key in ["spf", "dmarc", "ptr"] {
        assert_eq!(d["domains"][0][key]["status"], "inconclusive", "{key}");
    }
}

#[test]
fn no_dmarc_record_prints_no_policy() {
    let s = served(Vec::new());
    let human = check(&s, &["other.example", "--only", "dmarc"]);
    assert!(
        human.contains("no DMARC record for other.example"),
        "{human}"
    );
    assert!(!human.contains("policy"), "{human}");
}

#[tokio::test]
async fn an_inheriting_subdomain_under_sp_reject_is_not_policy_none() {
    let dmarc = "_dmarc IN TXT \"v=DMARC1; p=none; sp=reject; rua=mailto:d@good.example\"";
    let zone = variant(&[("_dmarc IN TXT", dmarc)], "");
    let p = |domain: &str| CheckParams {
        domain: domain.into(),
        only: vec![Check::Dmarc],
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..params()
    };
    let r = run(&zone, &p("news.good.example")).await;
    assert_eq!(r.dmarc.as_ref().unwrap().policy.as_deref(), Some("reject"));
    lacks(&r, "dmarc-policy-none");
    // The organizational domain itself is at p=none.
    let r = run(&zone, &p("good.example")).await;
    has(&r, "dmarc-policy-none");
}

#[tokio::test]
async fn alignment_and_dkim_absence_findings_carry_their_queries() {
    let p = CheckParams {
        only: vec![Check::Dmarc, Check::Dkim],
        domain: "esp.example".into(),
        from: Some("news@esp.example".into()),
        mail_from: Some("bounce@good.example".into()),
        dkim_domain: Some("good.example".into()),
        ..params()
    };
    let r = with_esp(&p).await;
    for id in [
        "dmarc-spf-not-aligned",
        "dmarc-dkim-not-aligned",
        "dmarc-not-aligned",
    ] {
        assert!(!has(&r, id).queries.is_empty(), "{id}");
    }
    let p = CheckParams {
        only: vec![Check::Dkim],
        dkim_domain: None,
        ..params()
    };
    let r = run(
        &variant(&[("google._domainkey IN TXT", "; no key")], ""),
        &p,
    )
    .await;
    let f = has(&r, "dkim-no-key-found");
    // Every probe, and the `_domainkey` question that decides whether there are any.
    assert_eq!(f.queries.len(), r.dkim.as_ref().unwrap().probed.len() + 1);
}
