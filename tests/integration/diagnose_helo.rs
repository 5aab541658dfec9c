//! A sending server that announces an address literal (`EHLO [192.0.2.111]`) instead of a
//! name: accepted from `--helo` and from a bounce's headers, reported by the PTR check, and
//! fixed in the plan by the name to announce (nothing asked of the IP's owner when its PTR
//! already confirms).
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr};
use super::diagnose_support::{diagnose_with_code, finding_ids, rec, records, step, step_ids};
use serde_json::Value;

/// helo4.example: clean SPF/DKIM/DMARC for 192.0.2.111, whose PTR out.helo4.example confirms.
const ZONES: &str = "tests/fixtures/scenarios4";
const HELO_REJECTED: &str =
    "504 5.5.2 <[192.0.2.111]>: Helo command rejected: need fully-qualified hostname";

fn literal_finding(report: &Value) -> Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "ptr-helo-address-literal")
        .cloned()
        .unwrap_or_else(|| panic!("no ptr-helo-address-literal in {report:#}"))
}

#[test]
fn a_literal_helo_with_a_confirmed_ptr_is_fixed_by_announcing_the_ptr_name() {
    let (_, d) = diagnose_with_code(
        ZONES,
        HELO_REJECTED,
        &[
            "--from",
            "news@helo4.example",
            "--ip",
            "192.0.2.111",
            "--helo",
            "[192.0.2.111]",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(d["input"]["params"]["helo"], "[192.0.2.111]");
    assert_eq!(literal_finding(&d)["severity"], "warning");
    // The PTR already leads back: no PTR to ask for, no record to publish, only the name the
    // server should announce. Before: --helo [ip] was refused with exit 2.
    assert!(!step_ids(&d).contains(&"ptr-fcrdns".to_string()));
    let s = step(&d, "ptr-helo-name");
    assert!(records(s).is_empty(), "{s:#}");
    let details = s["details"].to_string();
    assert!(
        details.contains("announce HELO out.helo4.example instead"),
        "{details}"
    );
    assert!(!finding_ids(&d).contains(&"ptr-helo-mismatch".to_string()));
}

#[test]
fn a_literal_that_is_not_the_connecting_address_says_so() {
    let o = run(
        &[
            "check",
            "helo4.example",
            "--ip",
            "192.0.2.111",
            "--helo",
            "[IPv6:2001:db8::7]",
            "--only",
            "ptr",
            "--zone",
            ZONES,
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    // A warning: the run does not fail on it (the default --fail-on is error).
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report = &json(&o)["domains"][0];
    let f = literal_finding(report);
    assert_eq!(f["subject"], "[IPv6:2001:db8::7]");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("not even the connecting address 192.0.2.111"),
        "{msg}"
    );
}

#[test]
fn brackets_around_something_else_are_a_usage_error() {
    let o = run(
        &[
            "check",
            "helo4.example",
            "--helo",
            "[mail.helo4.example]",
            "--zone",
            ZONES,
            "--offline",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("neither a host name nor an address literal"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn a_literal_helo_from_the_bounces_headers_is_checked() {
    // The receiver's Received-SPF in the returned headers says helo=[192.0.2.111]. Before: the
    // HELO was skipped ("an address, not a host name") and nothing said the literal was the
    // problem.
    let (_, d) = diagnose_with_code(ZONES, "tests/fixtures/helo/literal-bounce.eml", &[]);
    assert_eq!(d["input"]["params"]["helo"], "[192.0.2.111]");
    assert_eq!(d["input"]["params"]["ip"], "192.0.2.111");
    literal_finding(&d);
    let s = step(&d, "ptr-helo-name");
    assert!(
        s["details"]
            .to_string()
            .contains("announce HELO out.helo4.example instead")
    );
}

#[test]
fn a_literal_helo_with_a_broken_ptr_asks_for_the_ptr_and_then_the_name() {
    // broken-sender.example's 192.0.2.24 has a generic PTR that leads nowhere.
    let (_, d) = diagnose_with_code(
        "examples/zones",
        HELO_REJECTED,
        &[
            "--domain",
            "broken-sender.example",
            "--ip",
            "192.0.2.24",
            "--helo",
            "[192.0.2.24]",
        ],
    );
    let s = step(&d, "ptr-fcrdns");
    assert_eq!(
        records(s),
        [
            rec(
                "24.2.0.192.in-addr.arpa",
                "PTR",
                "mail.broken-sender.example"
            ),
            rec("mail.broken-sender.example", "A", "192.0.2.24"),
        ]
    );
    assert!(s["details"].to_string().contains(
        "once the records below are in place, make it announce HELO mail.broken-sender.example"
    ));
}

#[test]
fn the_helo_a_refusal_quotes_is_checked_without_the_flag() {
    // Postfix quotes the name it refused: `<[192.0.2.111]>: Helo command rejected`. Before,
    // without --helo nothing about the HELO was checked.
    let (_, d) = diagnose_with_code(
        ZONES,
        HELO_REJECTED,
        &["--from", "news@helo4.example", "--ip", "192.0.2.111"],
    );
    assert_eq!(d["input"]["params"]["helo"], "[192.0.2.111]");
    literal_finding(&d);
    step(&d, "ptr-helo-name");
    // A name that does not resolve: the forward record that makes it lead back.
    let (_, d) = diagnose_with_code(
        ZONES,
        "450 4.7.1 <mta1.helo4.example>: Helo command rejected: Host not found",
        &["--from", "news@helo4.example", "--ip", "192.0.2.111"],
    );
    assert_eq!(d["input"]["params"]["helo"], "mta1.helo4.example");
    assert_eq!(
        records(step(&d, "ptr-helo-name")),
        [rec("mta1.helo4.example", "A", "192.0.2.111")]
    );
}
