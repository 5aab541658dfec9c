//! One consistent diagnosis (issue 15 item 2), end to end on zone files: what the message used
//! (the signing selector) decides the likely cause, the steps that fix it open the plan marked
//! as such, every broken selector gets its own step, and a loop gets the record that breaks it.
#![allow(clippy::unwrap_used)]

use super::checks_support::{KEY_1024, KEY_2048_TXT};
use super::cli_support::{code, json, run, stderr, stdout};
use super::common::zone_text;
use super::diagnose_support::{GMAIL_5726, cause_ids, records, step, step_ids};
use serde_json::Value;

const D: &str = "cons.example";

/// `diagnose` of a Gmail 5.7.26 for cons.example, `body` as its zone, offline; the JSON and
/// the human report.
fn diagnose_zone(body: &str, args: &[&str]) -> (Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cons.example.zone");
    std::fs::write(&path, zone_text(D, body)).unwrap();
    let zone = path.to_str().unwrap().to_string();
    let mut all = vec!["diagnose", GMAIL_5726, "--domain", D];
    all.extend_from_slice(args);
    all.extend(["--zone", &zone, "--offline"]);
    let human = run(&all, None);
    assert_ne!(code(&human), 2, "usage error: {}", stderr(&human));
    all.extend(["--format", "json"]);
    (json(&run(&all, None)), stdout(&human))
}

/// SPF passes for 192.0.2.10, DMARC at p=none with reports, an MX: only DKIM can be wrong.
const SENDS: &str = r#"
@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:d@cons.example"
@ IN MX 10 mx.cons.example.
mx IN A 192.0.2.25
"#;

/// The ids of the steps marked as fixing a likely cause, and that they all come first.
fn marked(d: &Value) -> Vec<String> {
    let plan = d["plan"].as_array().unwrap();
    let flags: Vec<bool> = plan
        .iter()
        .map(|s| s["fixes_likely_cause"].as_bool().unwrap())
        .collect();
    let n = flags.iter().take_while(|m| **m).count();
    assert!(
        flags[n..].iter().all(|m| !m),
        "a marked step after hardening: {:?}",
        step_ids(d)
    );
    step_ids(d)[..n].to_vec()
}

#[test]
fn a_revoked_key_at_the_signing_selector_is_the_cause_and_its_repair_opens_the_plan() {
    let body = format!(
        "{SENDS}s1._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"\nk2._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n"
    );
    // SPF fails for this IP, so the message depended on DKIM with s=s1.
    let (d, human) = diagnose_zone(&body, &["--ip", "203.0.113.9", "--dkim-selector", "s1"]);
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
    assert!(!human.contains("No cause found"), "{human}");
    let causes = cause_ids(&d);
    assert!(
        causes.contains(&"dkim-key-revoked".to_string()),
        "{causes:?}"
    );
    let marked = marked(&d);
    assert!(
        marked.contains(&"dkim-fix-selector".to_string()),
        "{marked:?}"
    );
    let fix = step(&d, "dkim-fix-selector");
    assert_eq!(fix["fixes_likely_cause"], true);
    assert!(fix["title"].as_str().unwrap().contains("s1"), "{fix}");
    assert_eq!(
        records(fix)[0].0,
        "s1._domainkey.cons.example",
        "the key to publish is at the selector that signed"
    );
    assert!(
        human.contains(
            "Repair the DKIM key of selector s1: it is revoked (empty p=) [fixes the likely cause]"
        ),
        "{human}"
    );
}

#[test]
fn the_same_revoked_key_on_a_selector_nobody_signs_with_is_no_cause_and_no_step() {
    // A retired selector (revoked on purpose) found by discovery, beside a valid key.
    let body = format!(
        "{SENDS}s1._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"\ngoogle._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n"
    );
    let (d, _) = diagnose_zone(&body, &["--ip", "192.0.2.10"]);
    assert!(!cause_ids(&d).contains(&"dkim-key-revoked".to_string()));
    assert!(!step_ids(&d).contains(&"dkim-fix-selector".to_string()));
}

#[test]
fn a_dangling_cname_gets_its_own_step_not_another_selectors_rotation() {
    // s1 signs with a 1024-bit key (rotation is hardening); selector2 is delegated by CNAME to
    // a service that no longer publishes the key.
    let body = format!(
        "{SENDS}s1._domainkey IN TXT \"v=DKIM1; k=rsa; p={KEY_1024}\"\nselector2._domainkey IN CNAME selector2-gone._domainkey.esp.cons.example.\n"
    );
    let (d, _) = diagnose_zone(&body, &["--ip", "192.0.2.10", "--dkim-selector", "s1"]);
    let ids = step_ids(&d);
    let rotate = step(&d, "dkim-rotate-key");
    assert!(
        !rotate["finding_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "dkim-cname-dangling"),
        "dangling CNAME folded into the rotation: {rotate}"
    );
    let fix = step(&d, "dkim-fix-cname");
    assert_eq!(
        fix["finding_ids"],
        serde_json::json!(["dkim-cname-dangling"])
    );
    assert!(
        fix["title"].as_str().unwrap().contains("selector2"),
        "{ids:?}"
    );
    assert!(
        fix["details"][0]
            .as_str()
            .unwrap()
            .contains("selector2-gone._domainkey.esp.cons.example"),
        "{fix}"
    );
}

#[test]
fn every_broken_signing_selector_gets_its_own_step() {
    // Two signatures (s1 and s2): one revoked, one CNAME to nothing; both fail, both causes.
    let body = format!(
        "{SENDS}s1._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"\ns2._domainkey IN CNAME s2.gone.cons.example.\n"
    );
    let (d, _) = diagnose_zone(
        &body,
        &[
            "--ip",
            "203.0.113.9",
            "--dkim-selector",
            "s1",
            "--dkim-selector",
            "s2",
        ],
    );
    let causes = cause_ids(&d);
    for id in ["dkim-key-revoked", "dkim-cname-dangling"] {
        assert!(
            causes.contains(&id.to_string()),
            "{id} not a cause: {causes:?}"
        );
    }
    let plan = d["plan"].as_array().unwrap();
    let s1: Vec<&Value> = plan
        .iter()
        .filter(|s| s["title"].as_str().unwrap().contains(" s1"))
        .collect();
    let s2: Vec<&Value> = plan
        .iter()
        .filter(|s| s["title"].as_str().unwrap().contains(" s2"))
        .collect();
    assert_eq!(s1.len(), 1, "{:?}", step_ids(&d));
    assert_eq!(s2.len(), 1, "{:?}", step_ids(&d));
    assert_eq!(s1[0]["id"], "dkim-fix-selector");
    assert_eq!(s2[0]["id"], "dkim-fix-cname");
    assert!(s1[0]["fixes_likely_cause"] == true && s2[0]["fixes_likely_cause"] == true);
}

#[test]
fn an_include_loop_step_gives_the_record_that_breaks_the_loop() {
    let body = format!(
        "@ IN TXT \"v=spf1 include:_a.cons.example -all\"\n_a IN TXT \"v=spf1 ip4:198.51.100.0/24 include:_b.cons.example ~all\"\n_b IN TXT \"v=spf1 ip4:203.0.113.0/24 include:_a.cons.example ~all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@cons.example\"\n@ IN MX 10 mx.cons.example.\nmx IN A 192.0.2.25\ngoogle._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n"
    );
    let (d, _) = diagnose_zone(&body, &["--ip", "192.0.2.10"]);
    assert!(cause_ids(&d).contains(&"spf-include-loop".to_string()));
    let s = step(&d, "spf-break-loop");
    assert_eq!(s["fixes_likely_cause"], true);
    assert_eq!(d["plan"][0]["id"], "spf-break-loop");
    assert_eq!(
        records(s),
        [(
            "_b.cons.example".to_string(),
            "TXT".to_string(),
            "v=spf1 ip4:203.0.113.0/24 ~all".to_string()
        )]
    );
    assert!(
        !step_ids(&d).contains(&"spf-fix".to_string()),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn no_cause_found_only_when_no_step_fixes_what_the_reply_points_at() {
    // Everything the reply points at passes; the plan may still harden (p=none -> stages), but
    // no step is marked as fixing a cause, and the report says plainly that DNS does not explain it.
    let body =
        format!("{SENDS}google._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n");
    let (d, human) = diagnose_zone(&body, &["--ip", "192.0.2.10", "--dkim-selector", "google"]);
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    assert!(!d["no_cause_found"].is_null());
    assert!(human.contains("No cause found in DNS"), "{human}");
    assert!(marked(&d).is_empty(), "{:?}", step_ids(&d));
    assert!(!human.contains("[fixes the likely cause]"), "{human}");
}

#[test]
fn a_broken_key_the_message_was_not_signed_with_is_hardening_not_a_cause() {
    // The message was signed with s1, whose key is fine; `default` (found by discovery) holds a
    // malformed record. SPF fails for the IP: that is the cause, the other key is hardening.
    let body = format!(
        "{SENDS}s1._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\ndefault._domainkey IN TXT \"v=DKIM1; k=rsa; p=not*base64\"\n"
    );
    let (d, _) = diagnose_zone(&body, &["--ip", "203.0.113.9", "--dkim-selector", "s1"]);
    let all = d["findings"].to_string();
    assert!(all.contains("dkim-syntax-error"), "{all}");
    let causes = cause_ids(&d);
    assert!(
        !causes.contains(&"dkim-syntax-error".to_string()),
        "{causes:?}"
    );
    assert_eq!(causes, ["spf-ip-not-authorised"], "{causes:?}");
    let fix = step(&d, "dkim-fix-selector");
    assert!(fix["title"].as_str().unwrap().contains("default"), "{fix}");
    assert_eq!(fix["fixes_likely_cause"], false);
    assert_eq!(marked(&d), ["spf-authorise-ip"]);
}

#[test]
fn an_invalid_dmarc_record_is_repaired_by_a_record_and_no_stage_carries_the_bad_tag() {
    let body = format!(
        "@ IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n_dmarc IN TXT \"v=DMARC1; rua=mailto:d@cons.example; adkim=q\"\n@ IN MX 10 mx.cons.example.\nmx IN A 192.0.2.25\ns1._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n"
    );
    let (d, _) = diagnose_zone(&body, &["--ip", "192.0.2.10", "--dkim-selector", "s1"]);
    let fix = step(&d, "dmarc-fix");
    assert_eq!(
        records(fix),
        [(
            "_dmarc.cons.example".to_string(),
            "TXT".to_string(),
            "v=DMARC1; p=none; rua=mailto:d@cons.example".to_string()
        )]
    );
    assert_eq!(d["plan"][0]["id"], "dmarc-fix");
    for s in d["plan"].as_array().unwrap() {
        for (_, _, v) in records(s) {
            assert!(
                !v.contains("adkim=q"),
                "{} carries the invalid tag: {v}",
                s["id"]
            );
        }
    }
}

#[test]
fn an_include_that_fails_for_the_ip_is_a_cause_and_its_step_opens_the_plan() {
    use super::cli_support::Served;
    use super::common::zones;
    use mailtriage::dns::{Fault, FaultKind, RType, ServerOptions};
    // The IP is only reachable through the include, whose server never answers: receivers get
    // temperror, so SPF fails for this message. PTR is fine and not what 5.7.26 points at.
    let body = format!(
        "@ IN TXT \"v=spf1 include:_spf.esp.example -all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@cons.example\"\n@ IN MX 10 mx.cons.example.\nmx IN A 192.0.2.25\nmail IN A 192.0.2.10\ns1._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n"
    );
    let zone = zone_text(D, &body);
    let esp = zone_text(
        "esp.example",
        "_spf IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
    );
    let rev = zone_text("2.0.192.in-addr.arpa", "10 IN PTR mail.cons.example.");
    let served = Served::start(ServerOptions {
        zones: zones(&[
            (D, &zone),
            ("esp.example", &esp),
            ("2.0.192.in-addr.arpa", &rev),
        ]),
        root_catch_all: true,
        faults: vec![Fault {
            name: "_spf.esp.example".into(),
            rtype: Some(RType::TXT),
            kind: FaultKind::Timeout,
        }],
        ..ServerOptions::default()
    });
    let o = run(
        &[
            "diagnose",
            GMAIL_5726,
            "--domain",
            D,
            "--ip",
            "192.0.2.10",
            "--dkim-selector",
            "s1",
            "--nameserver",
            &served.nameserver(),
            "--timeout",
            "0.3",
            "--retries",
            "0",
            "--format",
            "json",
        ],
        None,
    );
    // DNS trouble a receiver meets too: a cause, and the run cannot pass.
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let d = json(&o);
    let causes = cause_ids(&d);
    assert!(
        causes
            .iter()
            .any(|c| c == "spf-lookup-failed" || c == "spf-temperror"),
        "{causes:?}"
    );
    assert!(d["no_cause_found"].is_null());
    assert_eq!(d["plan"][0]["id"], "dns-inconclusive");
    assert_eq!(d["plan"][0]["fixes_likely_cause"], true);
    assert!(
        d["plan"][0]["details"]
            .to_string()
            .contains("_spf.esp.example"),
        "{}",
        d["plan"][0]
    );
}
