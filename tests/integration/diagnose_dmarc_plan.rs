//! The DMARC and SPF-trap steps of the plan, end to end (`diagnose` on a zone file): one record
//! for two or a misordered one, t=y staging with np, no p=reject without aligned DKIM, no policy
//! lowered, strict SPF alignment, an open include closed, and nothing proposed under a domain
//! that does not exist.
#![allow(clippy::unwrap_used)]

use super::checks_support::KEY_2048_TXT;
use super::cli_support::{code, json, run, stderr};
use super::common::zone_text;
use super::diagnose_support::{GMAIL_5726, records, step, step_ids};
use serde_json::Value;

const D: &str = "plan.example";

/// `diagnose` for plan.example with `body` as its zone, offline, JSON.
fn diagnose_zone(body: &str, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.example.zone");
    std::fs::write(&path, zone_text(D, body)).unwrap();
    let zone = path.to_str().unwrap().to_string();
    let mut all = vec!["diagnose", GMAIL_5726, "--domain", D];
    all.extend_from_slice(args);
    all.extend(["--zone", &zone, "--offline", "--format", "json"]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "usage error: {}", stderr(&o));
    json(&o)
}

fn dmarc_values(d: &Value) -> Vec<String> {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(records)
        .filter(|(n, _, _)| n.starts_with("_dmarc."))
        .map(|(_, _, v)| v)
        .collect()
}

fn policy_of(record: &str) -> Option<String> {
    record
        .split(';')
        .filter_map(|t| t.trim().split_once('='))
        .find(|(k, _)| *k == "p")
        .map(|(_, v)| v.to_string())
}

const SENDS: &str = r#"
@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
@ IN MX 10 mx.plan.example.
mx IN A 192.0.2.25
"#;

fn with_dkim(body: &str) -> String {
    format!("{SENDS}{body}\ngoogle._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n")
}

#[test]
fn two_records_become_one_record_that_keeps_the_strongest_policy() {
    let d = diagnose_zone(
        &with_dkim(
            "_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:a@plan.example\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:b@plan.example; adkim=s\"",
        ),
        &[],
    );
    let merge = step(&d, "dmarc-merge");
    let r = records(merge);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, "_dmarc.plan.example");
    assert_eq!(policy_of(&r[0].2).as_deref(), Some("reject"));
    assert!(
        r[0].2.starts_with("v=DMARC1; ")
            && r[0].2.contains("mailto:a@plan.example")
            && r[0].2.contains("mailto:b@plan.example")
            && r[0].2.contains("adkim=s"),
        "{}",
        r[0].2
    );
    assert!(
        merge["finding_ids"]
            .as_array()
            .unwrap()
            .contains(&Value::from("dmarc-multiple-records"))
    );
    // Never lowered: no DMARC record of the plan is weaker than reject.
    for v in dmarc_values(&d) {
        assert_eq!(policy_of(&v).as_deref(), Some("reject"), "{v}");
    }
    assert!(!step_ids(&d).contains(&"dmarc-publish".to_string()));
}

#[test]
fn a_misordered_record_is_invalid_and_the_plan_fixes_it_rather_than_publishing_anew() {
    let d = diagnose_zone(
        &with_dkim("_dmarc IN TXT \"p=quarantine; v=DMARC1; rua=mailto:d@plan.example\""),
        &[],
    );
    let all = d.to_string();
    assert!(all.contains("\"dmarc-record-invalid\""), "{all}");
    assert!(!all.contains("\"dmarc-missing\""), "{all}");
    let fix = step(&d, "dmarc-fix-record");
    assert_eq!(
        records(fix)[0].2,
        "v=DMARC1; p=quarantine; rua=mailto:d@plan.example"
    );
    assert!(!step_ids(&d).contains(&"dmarc-publish".to_string()));
    // The stages build on the fixed record: the next one is reject (DKIM passes aligned).
    assert!(step_ids(&d).contains(&"dmarc-reject".to_string()));
    assert!(!step_ids(&d).contains(&"dmarc-quarantine".to_string()));
}

#[test]
fn staging_uses_t_y_and_np_never_pct() {
    let d = diagnose_zone(
        &with_dkim("_dmarc IN TXT \"v=DMARC1; p=none; pct=50; rua=mailto:d@plan.example\""),
        &[],
    );
    let q = records(step(&d, "dmarc-quarantine"));
    assert_eq!(
        q[0].2,
        "v=DMARC1; p=quarantine; np=reject; t=y; rua=mailto:d@plan.example"
    );
    assert_eq!(
        q[1].2,
        "v=DMARC1; p=quarantine; np=reject; rua=mailto:d@plan.example"
    );
    let r = records(step(&d, "dmarc-reject"));
    assert_eq!(
        r.last().unwrap().2,
        "v=DMARC1; p=reject; np=reject; rua=mailto:d@plan.example"
    );
    assert!(dmarc_values(&d).iter().all(|v| !v.contains("pct")));
}

#[test]
fn no_p_reject_while_dkim_does_not_pass_aligned_and_reject_is_never_lowered() {
    // No DKIM key at all: quarantine is staged, reject waits for DKIM.
    let d = diagnose_zone(
        &format!("{SENDS}_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@plan.example\""),
        &[],
    );
    assert!(step_ids(&d).contains(&"dmarc-dkim-first".to_string()));
    assert!(!step_ids(&d).contains(&"dmarc-reject".to_string()));
    assert!(
        dmarc_values(&d)
            .iter()
            .all(|v| policy_of(v).as_deref() != Some("reject")),
        "{:?}",
        dmarc_values(&d)
    );
    // Already at reject without DKIM: the finding says so, the plan signs first and keeps reject.
    let d = diagnose_zone(
        &format!("{SENDS}_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@plan.example\""),
        &[],
    );
    assert!(d.to_string().contains("dmarc-reject-without-dkim"));
    let first = step(&d, "dmarc-dkim-first");
    assert!(records(first).is_empty());
    assert!(
        dmarc_values(&d).is_empty(),
        "no DMARC record may replace p=reject: {:?}",
        dmarc_values(&d)
    );
}

#[test]
fn under_strict_spf_alignment_no_return_path_subdomain_is_proposed() {
    let d = diagnose_zone(
        &format!("{SENDS}_dmarc IN TXT \"v=DMARC1; p=none; aspf=s; rua=mailto:d@plan.example\""),
        &[
            "--from",
            "news@plan.example",
            "--mail-from",
            "b@esp.example",
            "--dkim-domain",
            "esp.example",
        ],
    );
    let align = step(&d, "dmarc-alignment");
    let names: Vec<String> = records(align).into_iter().map(|r| r.0).collect();
    assert!(
        !names.iter().any(|n| n.starts_with("bounces.")),
        "{names:?}"
    );
    assert!(
        align["details"].to_string().contains("aspf=s"),
        "{}",
        align["details"]
    );
    // Relaxed: the return-path subdomain is the usual fix.
    let d = diagnose_zone(
        &format!("{SENDS}_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@plan.example\""),
        &[
            "--from",
            "news@plan.example",
            "--mail-from",
            "b@esp.example",
            "--dkim-domain",
            "esp.example",
        ],
    );
    let names: Vec<String> = records(step(&d, "dmarc-alignment"))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert!(
        names.contains(&"bounces.plan.example".to_string()),
        "{names:?}"
    );
}

#[test]
fn an_open_include_is_closed_by_the_record_to_publish() {
    let d = diagnose_zone(
        &with_dkim(
            "@ IN TXT \"v=spf1 ip4:192.0.2.0/24 include:relay.plan.example -all\"\nrelay IN TXT \"v=spf1 +all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@plan.example\"",
        )
        .replace("@ IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n", ""),
        &[],
    );
    let s = step(&d, "spf-close-open-include");
    assert_eq!(
        records(s),
        vec![(
            D.to_string(),
            "TXT".to_string(),
            "v=spf1 ip4:192.0.2.0/24 -all".to_string()
        )]
    );
}

#[test]
fn nothing_is_proposed_under_a_domain_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.example.zone");
    std::fs::write(&path, zone_text(D, SENDS)).unwrap();
    let o = run(
        &[
            "diagnose",
            GMAIL_5726,
            "--domain",
            "ghost.plan.example",
            "--zone",
            path.to_str().unwrap(),
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(step_ids(&d), vec!["domain-create"]);
    assert_eq!(d["likely_causes"][0]["finding_id"], "domain-nonexistent");
    let all = d.to_string();
    for absent in [
        "\"spf-missing\"",
        "\"dmarc-missing\"",
        "\"mx-missing\"",
        "\"dkim-no-key-found\"",
    ] {
        assert!(!all.contains(absent), "{absent} in {all}");
    }
}

#[test]
fn a_half_parked_domain_is_parked_with_p_reject_at_once() {
    // Null MX and v=spf1 -all, no DMARC: nothing to monitor, p=reject completes the parking,
    // and no DKIM key is asked for a domain that sends no mail.
    let d = diagnose_zone("@ IN MX 0 .\n@ IN TXT \"v=spf1 -all\"", &[]);
    let publish = step(&d, "dmarc-publish");
    assert_eq!(records(publish)[0].2, "v=DMARC1; p=reject");
    let ids = step_ids(&d);
    for absent in [
        "dkim-publish",
        "dmarc-quarantine",
        "dmarc-reject",
        "dmarc-dkim-first",
    ] {
        assert!(!ids.contains(&absent.to_string()), "{absent} in {ids:?}");
    }
}
