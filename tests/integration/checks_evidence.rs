//! Every DNS question behind an SPF evaluation is ours: logged in the JSON `queries`, bounded by
//! `--deadline`; mail-auth's check_host() asks the server nothing itself. And the real binary's
//! JSON validates against schemas/check-v1.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{KEY_2048_TXT, REVERSE};
use crate::cli_support::{Served, mailtriage};
use crate::common::{zone_text, zones};
use mailtriage::dns::{Fault, FaultKind, ServerOptions};
use serde_json::Value;

/// exists with macros (void), include with a macro, mx with a macro, ptr with a macro: the
/// evaluation for 192.0.2.10 reaches every term and passes on the last (`ptr:%{o}`).
const MACROS: &str = r#"
@        IN MX  10 mx.good.example.
mx       IN A   192.0.2.25
mail     IN A   192.0.2.10
@        IN TXT "v=spf1 exists:%{ir}.%{l}.x.good.example include:_i.%{d2} mx:%{d} ptr:%{o} -all"
_i       IN TXT "v=spf1 ip4:198.51.100.0/24 -all"
"#;

fn served(body: &str, faults: Vec<Fault>) -> Served {
    let good = zone_text("good.example", body);
    let rev = zone_text("2.0.192.in-addr.arpa", REVERSE);
    Served::start(ServerOptions {
        zones: zones(&[("good.example", &good), ("2.0.192.in-addr.arpa", &rev)]),
        root_catch_all: true,
        faults,
        ..ServerOptions::default()
    })
}

fn check_json(s: &Served, extra: &[&str]) -> Value {
    let out = mailtriage()
        .args(["check", "good.example", "--format", "json", "--nameserver"])
        .arg(s.nameserver())
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c != 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn asked(d: &Value) -> Vec<(String, String)> {
    d["domains"][0]["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["name"].as_str().unwrap().to_string(),
                q["rtype"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const SENDER: &[&str] = &[
    "--ip",
    "192.0.2.10",
    "--mail-from",
    "bounce@good.example",
    "--helo",
    "mail.good.example",
    "--only",
    "spf",
];

#[test]
fn every_query_check_host_needs_is_in_the_json_queries() {
    let s = served(MACROS, Vec::new());
    let d = check_json(&s, SENDER);
    let spf = &d["domains"][0]["spf"];
    assert_eq!(spf["result"]["result"], "pass", "{spf}");
    assert_eq!(spf["result"]["mechanism"], "ptr:%{o}");
    assert_eq!(spf["void_lookups"], 1, "the exists target does not exist");
    let q = asked(&d);
    for (name, rtype) in [
        ("good.example", "TXT"),
        ("10.2.0.192.bounce.x.good.example", "A"),
        ("_i.good.example", "TXT"),
        ("good.example", "MX"),
        ("mx.good.example", "A"),
        ("10.2.0.192.in-addr.arpa", "PTR"),
        ("mail.good.example", "A"),
    ] {
        assert!(
            q.contains(&(name.to_string(), rtype.to_string())),
            "{name} {rtype} missing from {q:?}"
        );
    }
    // Nothing reached the server that is not in the log: mail-auth asked nothing itself.
    assert_eq!(s.server.queries_received(), q.len(), "{q:?}");
}

#[test]
fn a_failed_lookup_in_the_evaluation_is_temperror_without_asking_again() {
    let body = r#"
@    IN TXT "v=spf1 a:slow.good.example ip4:192.0.2.0/24 -all"
"#;
    let s = served(
        body,
        vec![Fault {
            name: "slow.good.example".into(),
            rtype: None,
            kind: FaultKind::ServFail,
        }],
    );
    let mut args = SENDER.to_vec();
    args.extend(["--retries", "0"]);
    let d = check_json(&s, &args);
    let spf = &d["domains"][0]["spf"];
    assert_eq!(spf["result"]["result"], "temperror", "{spf}");
    assert_eq!(spf["status"], "inconclusive");
    let q = asked(&d);
    assert!(
        q.contains(&("slow.good.example".into(), "A".into())),
        "{q:?}"
    );
    assert_eq!(s.server.queries_received(), q.len(), "{q:?}");
}

#[test]
fn the_deadline_holds_for_check_host_too() {
    let s = served(MACROS, Vec::new());
    let mut args = SENDER.to_vec();
    // A deadline already past when the checks start: nothing may be sent.
    args.extend(["--deadline", "0.000001"]);
    let d = check_json(&s, &args);
    let spf = &d["domains"][0]["spf"];
    assert_eq!(spf["result"]["result"], "temperror", "{spf}");
    assert_eq!(spf["status"], "inconclusive");
    assert!(spf["record"].is_null());
    // After the deadline nothing is sent, by us or by mail-auth.
    assert_eq!(s.server.queries_received(), 0);
}

#[test]
fn real_check_json_validates_against_the_schema() {
    let path = format!(
        "{}/schemas/check-v1.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let good = crate::checks_support::good_zone();
    let body = format!(
        "{good}\nesp IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\nesp IN MX 10 mx.good.example.\nsel._domainkey.esp IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )\n"
    );
    let s = served(&body, Vec::new());
    let every = [
        "--ip",
        "192.0.2.10",
        "--helo",
        "mail.good.example",
        "--mail-from",
        "bounce@esp.good.example",
        "--from",
        "news@esp.good.example",
        "--dkim-domain",
        "esp.good.example",
        "--dkim-selector",
        "sel",
    ];
    for extra in [&[][..], &every[..], &["--only", "ptr"][..]] {
        let d = check_json(&s, extra);
        let errors: Vec<String> = v
            .iter_errors(&d)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{extra:?}: {errors:#?}");
    }
    let d = check_json(&s, &every);
    let dom = &d["domains"][0];
    assert_eq!(dom["spf_identities"][0]["role"], "mail_from");
    assert_eq!(dom["dmarc_from"]["domain"], "esp.good.example");
    assert_eq!(dom["dkim_signing"]["domain"], "esp.good.example");
    // The schema refuses what the contract forbids.
    let mut bad = d.clone();
    bad["domains"][0]["spf"]["status"] = "maybe".into();
    assert!(!v.is_valid(&bad));
}
