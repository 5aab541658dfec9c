//! The README quick start, run exactly as written (through the binary), and a JSON snapshot of
//! a real `diagnose` run with the volatile fields redacted.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr, stdout};
use serde_json::Value;

/// `cargo run --release -- diagnose examples/replies/gmail-5.7.26.txt --domain broken-sender.example --ip 192.0.2.24 --zone examples/zones --offline`
const DIAGNOSE: [&str; 9] = [
    "diagnose",
    "examples/replies/gmail-5.7.26.txt",
    "--domain",
    "broken-sender.example",
    "--ip",
    "192.0.2.24",
    "--zone",
    "examples/zones",
    "--offline",
];

/// `cargo run --release -- check fixed-sender.example --ip 192.0.2.25 --zone examples/zones --offline`
const CHECK: [&str; 7] = [
    "check",
    "fixed-sender.example",
    "--ip",
    "192.0.2.25",
    "--zone",
    "examples/zones",
    "--offline",
];

fn with_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    json(&run(&all, None))
}

fn cause_ids(d: &Value) -> Vec<&str> {
    d["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["finding_id"].as_str().unwrap())
        .collect()
}

#[test]
fn the_readme_commands_appear_verbatim_in_the_readme() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for cmd in [&DIAGNOSE[..], &CHECK[..]] {
        let line = format!("cargo run --release -- {}", cmd.join(" "));
        assert!(readme.contains(&line), "README lost: {line}");
    }
}

#[test]
fn quick_start_diagnose_blames_the_duplicate_spf_records_and_exits_1() {
    let o = run(&DIAGNOSE, None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let human = stdout(&o);
    assert!(
        human.contains("1. Give the sending IP reverse DNS that resolves back to it"),
        "{human}"
    );
    assert!(
        human.contains("2. Merge the SPF records of broken-sender.example into one"),
        "{human}"
    );
    let d = with_json(&DIAGNOSE);
    // Errors of the checks 5.7.26 implicates (SPF, DKIM, DMARC), the real blocker first; the
    // 1024-bit key and t=y are warnings that still verify, so they are not causes.
    assert_eq!(
        cause_ids(&d),
        [
            "spf-multiple-records",
            "spf-include-without-spf",
            "spf-too-many-lookups",
            "spf-permerror",
            "dmarc-missing"
        ]
    );
    let plan: Vec<&str> = d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(plan[0], "ptr-fcrdns");
    assert_eq!(plan[1], "spf-merge");
    // The merged record drops the include that has no SPF and is then within the limit, so
    // no separate lookup step and no generic "correct SPF" step remain.
    let merge = &d["plan"][1];
    assert_eq!(
        merge["records"][0]["value"],
        "v=spf1 ip4:198.51.100.0/24 a mx include:_spf.esp-mailer.example -all"
    );
    let details = merge["details"].to_string();
    assert!(
        details.contains("dropped include:_newsletter.esp-mailer.example"),
        "{details}"
    );
    assert!(
        details.contains("costs 10 DNS lookups (limit 10)"),
        "{details}"
    );
    assert!(
        !plan.contains(&"spf-lookups") && !plan.contains(&"spf-fix"),
        "{plan:?}"
    );
}

#[test]
fn quick_start_check_of_the_fixed_domain_exits_0() {
    let o = run(&CHECK, None);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("0 errors"), "{}", stdout(&o));
}

#[test]
fn names_offline_did_not_look_up_are_not_checked_not_causes() {
    let mut args = DIAGNOSE.to_vec();
    args.extend(["--helo", "laptop.home.example"]);
    let d = with_json(&args);
    // laptop.home.example is outside the zone files: its SPF could not be looked up.
    assert!(
        !cause_ids(&d).contains(&"spf-lookup-failed"),
        "{:?}",
        cause_ids(&d)
    );
    assert_eq!(cause_ids(&d)[0], "spf-multiple-records");
    let nc: Vec<(&str, &str)> = d["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["finding_id"].as_str().unwrap(),
                n["subject"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        nc,
        [
            ("spf-lookup-failed", "laptop.home.example"),
            ("ptr-lookup-failed", "laptop.home.example"),
            // --ip runs the blocklist check; no list zone is given, so no list was asked.
            ("blocklist-not-checked", "192.0.2.24"),
            ("blocklist-not-checked", "broken-sender.example"),
        ]
    );
    assert_ne!(d["plan"][0]["id"], "dns-inconclusive");
}

/// Sorts the query log by question and drops what differs from run to run: timings, the
/// overlay's port, the order concurrent questions were numbered in.
fn stable(mut v: Value) -> Value {
    if let Some(q) = v["queries"].as_array_mut() {
        q.sort_by_key(|q| (q["name"].to_string(), q["rtype"].to_string()));
    }
    v
}

#[test]
fn json_snapshot_of_the_quick_start_diagnosis() {
    let d = stable(with_json(&DIAGNOSE));
    insta::assert_json_snapshot!("diagnose_quick_start", d, {
        ".tool.version" => "[version]",
        ".queries[].id" => "[id]",
        ".queries[].started_at" => "[time]",
        ".queries[].elapsed_ms" => "[elapsed]",
        ".queries[].resolver" => "[resolver]",
        ".findings[].queries" => "[ids]",
        ".domain.findings[].queries" => "[ids]",
    });
}
