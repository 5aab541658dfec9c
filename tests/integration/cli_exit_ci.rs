//! CI semantics (issue 15 item 5), through the binary: under `--offline` names outside the zone
//! files are "not checked" (info, never a warning); any check DNS trouble left inconclusive
//! exits 3 unless a conclusive finding reaches `--fail-on` (exit 1). Faults come from the
//! in-process DNS server (a name that never answers, SERVFAIL).
#![allow(clippy::unwrap_used)]

use super::cli_support::{Served, code, json, run, stderr, stdout};
use super::common::{zone_text, zones};
use mailtriage::dns::{Fault, FaultKind, RType, ServerOptions};
use serde_json::Value;

/// A clean sending domain whose SPF include, DKIM delegation and MX host live outside it.
const CLEAN_OUTSIDE: &str = r#"
@ IN TXT "v=spf1 include:_spf.google.com ip4:192.0.2.25 -all"
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:d@ci.example"
@ IN MX 10 aspmx.l.google.com.
google._domainkey IN CNAME google._domainkey.dkim.provider.example.
"#;

fn findings(v: &Value) -> Vec<&Value> {
    v["domains"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .collect()
}

#[test]
fn a_clean_zone_passes_fail_on_warning_offline_and_names_outside_it_are_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ci.example.zone"),
        zone_text("ci.example", CLEAN_OUTSIDE),
    )
    .unwrap();
    let zone = dir.path().to_str().unwrap();
    // The IP needs the include to be evaluated: SPF's walk and its evaluation stop at the same
    // name, one gap.
    let base = [
        "check",
        "ci.example",
        "--ip",
        "192.0.2.99",
        "--zone",
        zone,
        "--offline",
        "--fail-on",
        "warning",
    ];
    let o = run(&base, None);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let human = stdout(&o);
    // The SPF count is a lower bound: the include was not looked up.
    assert!(human.contains("at least 1/10 lookups"), "{human}");
    assert!(!human.contains("warning ["), "{human}");
    // Each name outside the zones is listed once at the end.
    let list = human.split("--offline:").nth(1).unwrap();
    for name in [
        "_spf.google.com",
        "aspmx.l.google.com",
        "google._domainkey.dkim.provider.example",
        "99.2.0.192.in-addr.arpa",
    ] {
        assert_eq!(list.matches(name).count(), 1, "{name} in {list}");
    }
    let mut json_args = base.to_vec();
    json_args.extend(["--format", "json"]);
    let o = run(&json_args, None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let gaps: Vec<&Value> = findings(&v)
        .into_iter()
        .filter(|f| f["not_checked"] == true)
        .collect();
    // SPF's include, DKIM's delegated key (not a REFUSED lookup), MX's host and PTR's view of
    // it (its A and AAAA are one gap, not two).
    let checks: Vec<&str> = gaps.iter().map(|f| f["check"].as_str().unwrap()).collect();
    // (and the blocklists, for the IP and for the domain: none can be asked offline).
    assert_eq!(
        checks,
        ["spf", "dkim", "ptr", "mx", "blocklist", "blocklist"],
        "{gaps:#?}"
    );
    assert!(gaps.iter().all(|f| f["severity"] == "info"), "{gaps:#?}");
    assert!(
        findings(&v).iter().all(|f| f["severity"] != "warning"),
        "{:#?}",
        findings(&v)
    );
    // The documented shape holds the new field.
    let path = format!(
        "{}/schemas/check-v1.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A domain whose SPF, DKIM, DMARC and MX questions are never answered; its PTR answers.
fn half_dark(ptr_target_ip: &str) -> Served {
    let body = format!(
        "@ IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@dark.example\"\ns1._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"\n@ IN MX 10 mx.dark.example.\nmail IN A {ptr_target_ip}\n"
    );
    let zone = zone_text("dark.example", &body);
    let rev = zone_text("2.0.192.in-addr.arpa", "9 IN PTR mail.dark.example.");
    let timeout = |name: &str, rtype| Fault {
        name: name.into(),
        rtype: Some(rtype),
        kind: FaultKind::Timeout,
    };
    Served::start(ServerOptions {
        zones: zones(&[("dark.example", &zone), ("2.0.192.in-addr.arpa", &rev)]),
        root_catch_all: true,
        faults: vec![
            timeout("dark.example", RType::TXT),
            timeout("_dmarc.dark.example", RType::TXT),
            timeout("s1._domainkey.dark.example", RType::TXT),
            timeout("dark.example", RType::MX),
        ],
        ..ServerOptions::default()
    })
}

fn check_dark(served: &Served, fail_on: &str) -> std::process::Output {
    run(
        &[
            "check",
            "dark.example",
            "--ip",
            "192.0.2.9",
            "--dkim-selector",
            "s1",
            "--only",
            "spf,dkim,dmarc,ptr,mx",
            "--nameserver",
            &served.nameserver(),
            "--timeout",
            "0.3",
            "--retries",
            "0",
            "--fail-on",
            fail_on,
            "--format",
            "json",
        ],
        None,
    )
}

#[test]
fn spf_dkim_dmarc_and_mx_timing_out_exit_3_although_ptr_answered() {
    let served = half_dark("192.0.2.9");
    for fail_on in ["error", "warning", "never"] {
        let o = check_dark(&served, fail_on);
        assert_eq!(
            code(&o),
            3,
            "--fail-on {fail_on}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let v = json(&o);
        // PTR concluded (forward-confirmed), the others did not; nothing reads "missing".
        assert!(
            v["domains"][0]["ptr"]["fcrdns"] == true,
            "{}",
            v["domains"][0]["ptr"]
        );
        let ids: Vec<&str> = findings(&v)
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        for id in [
            "spf-lookup-failed",
            "dkim-lookup-failed",
            "dmarc-lookup-failed",
            "mx-lookup-failed",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        assert!(ids.iter().all(|i| !i.ends_with("-missing")), "{ids:?}");
    }
}

#[test]
fn a_conclusive_error_beside_inconclusive_checks_exits_1() {
    // The PTR name now resolves to another address: ptr-not-confirmed, an error DNS did answer.
    let served = half_dark("192.0.2.77");
    let o = check_dark(&served, "error");
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    assert!(
        findings(&v)
            .iter()
            .any(|f| f["id"] == "ptr-not-confirmed" && f["inconclusive"].is_null()),
        "{:#?}",
        findings(&v)
    );
    // Below the bar it is inconclusive DNS that decides: 3, never 0.
    let o = check_dark(&served, "never");
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_dmarc_tree_walk_where_every_level_fails_exits_3_never_no_policy() {
    for kind in [FaultKind::ServFail, FaultKind::Timeout] {
        let z = zone_text(
            "com",
            "news.example IN A 192.0.2.1\nexample IN A 192.0.2.2\n_dmarc.example IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.com\"",
        );
        let fault = |name: &str| Fault {
            name: name.into(),
            rtype: Some(RType::TXT),
            kind,
        };
        let served = Served::start(ServerOptions {
            zones: zones(&[("com", &z)]),
            root_catch_all: true,
            faults: vec![
                fault("_dmarc.news.example.com"),
                fault("_dmarc.example.com"),
                fault("_dmarc.com"),
            ],
            ..ServerOptions::default()
        });
        let o = run(
            &[
                "check",
                "news.example.com",
                "--only",
                "dmarc",
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
        assert_eq!(code(&o), 3, "{kind:?}: {}{}", stdout(&o), stderr(&o));
        let v = json(&o);
        let ids: Vec<&str> = findings(&v)
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert!(!ids.contains(&"dmarc-missing"), "{kind:?}: {ids:?}");
        assert!(!ids.contains(&"dmarc-policy-none"), "{kind:?}: {ids:?}");
        assert!(v["domains"][0]["dmarc"]["policy"].is_null(), "{kind:?}");
    }
}

#[test]
fn an_spf_count_that_depends_on_names_not_checked_reads_at_least_n() {
    // Eight lookups in the zone and an include outside it: at least 9 of the 10 allowed.
    let body = r#"
@ IN TXT "v=spf1 a mx a:h1.count.example a:h2.count.example a:h3.count.example mx:h1.count.example mx:h2.count.example mx:h3.count.example include:_spf.google.com -all"
@ IN A 192.0.2.25
h1 IN A 192.0.2.26
h2 IN A 192.0.2.27
h3 IN A 192.0.2.28
@ IN MX 10 h1.count.example.
h1 IN MX 10 h1.count.example.
h2 IN MX 10 h2.count.example.
h3 IN MX 10 h3.count.example.
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:d@count.example"
"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("count.example.zone"),
        zone_text("count.example", body),
    )
    .unwrap();
    let zone = dir.path().to_str().unwrap();
    let args = [
        "check",
        "count.example",
        "--only",
        "spf",
        "--zone",
        zone,
        "--offline",
        "--fail-on",
        "warning",
    ];
    let o = run(&args, None);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let human = stdout(&o);
    assert!(human.contains("at least 9/10 lookups"), "{human}");
    assert!(
        human.contains("takes at least 9 of the 10 DNS lookups allowed"),
        "{human}"
    );
}
