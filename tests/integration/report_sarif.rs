//! SARIF from `--zone` runs through the binary: every result sits on a zone-file line and
//! column (what GitHub code scanning needs to annotate a pull request), also findings about
//! names without records and about records that do not exist.
#![allow(clippy::unwrap_used)]

use super::cli_support::{QUICKSTART_REPLY, code, json, run, stderr};
use serde_json::Value;

const ZONES: &str = "examples/zones";
const BROKEN: &str = "examples/zones/broken-sender.example.zone";
const REVERSE: &str = "examples/zones/2.0.192.in-addr.arpa.zone";

fn sarif(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--zone", ZONES, "--offline", "--format", "sarif"]);
    let o = run(&all, None);
    assert!(matches!(code(&o), 0 | 1), "{all:?}: {}", stderr(&o));
    json(&o)
}

fn results(v: &Value) -> &Vec<Value> {
    v["runs"][0]["results"].as_array().unwrap()
}

/// (uri, line, column) of a result, panicking with the result when any part is missing.
fn place(r: &Value) -> (String, u64, u64) {
    let phys = &r["locations"][0]["physicalLocation"];
    let uri = phys["artifactLocation"]["uri"].as_str();
    let line = phys["region"]["startLine"].as_u64();
    let col = phys["region"]["startColumn"].as_u64();
    match (uri, line, col) {
        (Some(u), Some(l), Some(c)) if l >= 1 && c >= 1 => (u.to_string(), l, c),
        _ => panic!("result without a zone-file location: {r:#}"),
    }
}

fn find<'a>(v: &'a Value, rule: &str, subject: &str) -> &'a Value {
    results(v)
        .iter()
        .find(|r| r["ruleId"] == rule && r["properties"]["subject"] == subject)
        .unwrap_or_else(|| panic!("no {rule} about {subject} in {v:#}"))
}

#[test]
fn every_result_of_a_zone_run_is_located_in_a_zone_file() {
    let runs = [
        sarif(&[
            "check",
            "broken-sender.example",
            "esp-mailer.example",
            "fixed-sender.example",
            "isp.example",
            "--ip",
            "192.0.2.24",
        ]),
        sarif(&QUICKSTART_REPLY),
        sarif(&["diagnose", "examples/replies/gmail-bounce.eml"]),
    ];
    for v in &runs {
        assert!(results(v).len() > 5, "{v:#}");
        for r in results(v) {
            let (uri, _, _) = place(r);
            assert!(uri.starts_with("examples/zones/"), "{uri}");
        }
    }
}

#[test]
fn findings_without_their_own_record_point_at_the_record_or_soa_that_matters() {
    let v = sarif(&QUICKSTART_REPLY);
    let broken = BROKEN.to_string();
    // About the domain's SPF: its (first) SPF record, line 11.
    for rule in ["spf-too-many-lookups", "spf-permerror"] {
        let r = find(&v, rule, "broken-sender.example");
        assert_eq!(place(r), (broken.clone(), 11, 1), "{rule}");
    }
    // The include target has no SPF anywhere: shown at the record that includes it, saying so.
    let r = find(
        &v,
        "spf-include-without-spf",
        "_newsletter.esp-mailer.example",
    );
    assert_eq!(place(r), (broken.clone(), 11, 1));
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("Shown at the SPF record of broken-sender.example"),
        "{r:#}"
    );
    // No DMARC record: the SOA of the zone that would hold it (line 6), and the message says so.
    let r = find(&v, "dmarc-missing", "_dmarc.broken-sender.example");
    assert_eq!(place(r), (broken, 6, 1));
    let text = r["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("No TXT record for _dmarc.broken-sender.example exists in"),
        "{text}"
    );
    // About the sending IP: the PTR record in the reverse zone (line 7), for both PTR findings.
    let r = find(&v, "ptr-not-confirmed", "192.0.2.24");
    assert_eq!(place(r), (REVERSE.to_string(), 7, 1));
    let generic = results(&v)
        .iter()
        .find(|r| r["ruleId"] == "ptr-generic-name")
        .unwrap();
    assert_eq!(place(generic), (REVERSE.to_string(), 7, 1));
}

#[test]
fn a_zone_without_the_record_is_annotated_at_its_soa() {
    let v = sarif(&["check", "isp.example", "esp-mailer.example"]);
    let isp = "examples/zones/isp.example.zone".to_string();
    let esp = "examples/zones/esp-mailer.example.zone".to_string();
    assert_eq!(
        place(find(&v, "spf-missing", "isp.example")),
        (isp.clone(), 5, 1)
    );
    assert_eq!(place(find(&v, "mx-missing", "isp.example")), (isp, 5, 1));
    assert_eq!(
        place(find(&v, "dmarc-missing", "_dmarc.esp-mailer.example")),
        (esp, 5, 1)
    );
}
