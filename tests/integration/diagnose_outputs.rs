//! `diagnose` on a bounce with no flags (values and their provenance), SARIF locations for
//! `--zone` checks, and the evidence bundle, all through the binary.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr, stdout};

fn provenance(d: &serde_json::Value) -> Vec<(String, String, String)> {
    d["input"]["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
                p["source"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn source_of<'a>(prov: &'a [(String, String, String)], field: &str) -> (&'a str, &'a str) {
    let p = prov
        .iter()
        .find(|p| p.0 == field)
        .unwrap_or_else(|| panic!("{field} missing from {prov:?}"));
    (p.1.as_str(), p.2.as_str())
}

#[test]
fn a_bounce_needs_no_flags_and_the_report_says_where_each_value_came_from() {
    let base = [
        "diagnose",
        "examples/replies/gmail-bounce.eml",
        "--zone",
        "examples/zones",
        "--offline",
    ];
    let mut j = base.to_vec();
    j.extend(["--format", "json"]);
    let o = run(&j, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    let d = json(&o);
    let p = &d["input"]["params"];
    assert_eq!(p["domain"], "broken-sender.example");
    // Gmail refused during SMTP and wrote no header: the bounce does not say which IP it saw,
    // and the only Received header names the app server that handed the message over.
    assert_eq!(p["ip"], serde_json::Value::Null);
    assert_eq!(p["helo"], "mx.broken-sender.example");
    assert_eq!(p["mail_from"], "bounces@broken-sender.example");
    assert_eq!(p["dkim_selectors"], serde_json::json!(["s1"]));
    assert_eq!(p["dkim_domain"], "broken-sender.example");
    let prov = provenance(&d);
    assert_eq!(
        source_of(&prov, "domain"),
        (
            "broken-sender.example",
            "bounce: From header of the original message"
        )
    );
    let (ip, why) = source_of(&prov, "ip");
    assert_eq!(ip, "unknown");
    assert!(why.contains("pass --ip"), "{why}");
    assert!(
        source_of(&prov, "helo")
            .1
            .starts_with("bounce: `by` host of the top-most Received header"),
        "{prov:?}"
    );
    assert_eq!(
        source_of(&prov, "mail_from").1,
        "bounce: Return-Path header"
    );
    assert_eq!(
        source_of(&prov, "dkim_selector"),
        ("s1", "bounce: DKIM-Signature s=")
    );
    assert_eq!(
        source_of(&prov, "dkim_domain").1,
        "bounce: DKIM-Signature d="
    );
    // The checks ran on what the bounce said: the selector found there was looked up.
    assert_eq!(d["domain"]["dkim"]["selectors"][0]["selector"], "s1");
    assert_eq!(d["likely_causes"][0]["finding_id"], "spf-multiple-records");

    let human = stdout(&run(&base, None));
    assert!(human.contains("Checked with"), "{human}");
    assert!(human.contains("ip: unknown (not in the bounce"), "{human}");
}

#[test]
fn flags_override_the_bounce_and_authentication_results_are_kept() {
    let o = run(
        &[
            "diagnose",
            "tests/fixtures/diagnose/bounce-with-auth-results.eml",
            "--ip",
            "192.0.2.25",
            "--dkim-selector",
            "s2",
            "--zone",
            "examples/zones",
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    let d = json(&o);
    assert_eq!(d["input"]["params"]["ip"], "192.0.2.25");
    assert_eq!(
        d["input"]["params"]["dkim_selectors"],
        serde_json::json!(["s2"])
    );
    let prov = provenance(&d);
    assert_eq!(source_of(&prov, "ip"), ("192.0.2.25", "flag --ip"));
    assert_eq!(
        source_of(&prov, "dkim_selector"),
        ("s2", "flag --dkim-selector")
    );
    assert_eq!(
        source_of(&prov, "domain").1,
        "bounce: From header of the original message"
    );
    let (ar, src) = source_of(&prov, "authentication_results");
    assert!(
        ar.contains("spf=pass smtp.mailfrom=bounces@broken-sender.example"),
        "{ar}"
    );
    assert!(src.contains("Authentication-Results"), "{src}");
}

#[test]
fn sarif_locates_zone_findings_at_their_line_and_column() {
    for cmd in [
        vec!["check", "broken-sender.example"],
        vec![
            "diagnose",
            "examples/replies/gmail-5.7.26.txt",
            "--domain",
            "broken-sender.example",
        ],
    ] {
        let mut args = cmd.clone();
        args.extend(["--zone", "examples/zones", "--offline", "--format", "sarif"]);
        let d = json(&run(&args, None));
        assert_eq!(d["version"], "2.1.0");
        let results = d["runs"][0]["results"].as_array().unwrap();
        let at = |rule: &str| {
            let r = results
                .iter()
                .find(|r| r["ruleId"] == rule)
                .unwrap_or_else(|| panic!("{rule} missing in {cmd:?}"));
            let phys = &r["locations"][0]["physicalLocation"];
            (
                phys["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                phys["region"]["startLine"].as_u64().unwrap(),
                phys["region"]["startColumn"].as_u64().unwrap(),
            )
        };
        let zone = "examples/zones/broken-sender.example.zone".to_string();
        // Line 11: the first of the two SPF records; line 14: the s1 DKIM key (t=y, 1024 bits).
        assert_eq!(at("spf-multiple-records"), (zone.clone(), 11, 1), "{cmd:?}");
        assert_eq!(at("dkim-testing"), (zone.clone(), 14, 1), "{cmd:?}");
        assert_eq!(at("dkim-key-weak"), (zone, 14, 1), "{cmd:?}");
    }
}

#[test]
fn evidence_bundle_holds_the_report_the_dns_log_the_input_and_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case-42");
    let dir_s = dir.to_string_lossy().into_owned();
    let o = run(
        &[
            "diagnose",
            "examples/replies/gmail-bounce.eml",
            "--zone",
            "examples/zones",
            "--offline",
            "--evidence",
            &dir_s,
        ],
        None,
    );
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("evidence bundle: 5 file(s)"),
        "{}",
        stderr(&o)
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "dns-log.jsonl",
            "input.eml",
            "report.json",
            "report.md",
            "versions.json"
        ]
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["schema"], "mailtriage.diagnose/v1");
    assert_eq!(report["plan"][0]["order"], 1);
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("## Plan"), "{md}");
    assert!(md.contains("## Likely cause"), "{md}");
    assert!(
        md.contains("bounce: \\`by\\` host of the top-most Received header"),
        "{md}"
    );
    let log = std::fs::read_to_string(dir.join("dns-log.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), report["queries"].as_array().unwrap().len());
    assert!(lines.len() > 10);
    let dmarc = lines
        .iter()
        .find(|l| l["name"] == "_dmarc.broken-sender.example")
        .unwrap();
    assert_eq!(dmarc["outcome"]["kind"], "nxdomain");
    assert_eq!(dmarc["ttl"], 300);
    for l in &lines {
        assert!(l["started_at"].as_str().unwrap().ends_with('Z'), "{l}");
        assert!(!l["resolver"].as_str().unwrap().is_empty(), "{l}");
    }
    let input = std::fs::read_to_string(dir.join("input.eml")).unwrap();
    assert!(
        input.contains("Diagnostic-Code: smtp; 550-5.7.26"),
        "{input}"
    );
    assert!(input.contains("DKIM-Signature: v=1"), "{input}");
    let versions: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("versions.json")).unwrap()).unwrap();
    assert_eq!(versions["tool_version"], env!("CARGO_PKG_VERSION"));
    assert!(!versions["rules_version"].as_str().unwrap().is_empty());
}
