//! Shared helpers for the end-to-end `diagnose` tests: run the binary on fixture zones, offline.
#![allow(dead_code, clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr};
use serde_json::Value;

pub const ZONES: &str = "tests/fixtures/diagnose";

pub const GMAIL_5726: &str = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 550 5.7.26 - gsmtp";

/// `mailtriage diagnose REPLY ARGS... --zone tests/fixtures/diagnose --offline --format json`.
pub fn diagnose(reply: &str, args: &[&str]) -> Value {
    diagnose_in(ZONES, reply, args)
}

/// `diagnose` offline over the zone files of `zones`, as JSON (never a usage error).
pub fn diagnose_in(zones: &str, reply: &str, args: &[&str]) -> Value {
    diagnose_with_code(zones, reply, args).1
}

/// `diagnose` offline over the zone files of `zones`: (exit code, JSON report).
pub fn diagnose_with_code(zones: &str, reply: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["diagnose", reply];
    all.extend_from_slice(args);
    all.extend(["--zone", zones, "--offline", "--format", "json"]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "usage error for {all:?}: {}", stderr(&o));
    (code(&o), json(&o))
}

/// A record as `records` lists it: (name, type, value).
pub fn rec(name: &str, rtype: &str, value: &str) -> (String, String, String) {
    (name.into(), rtype.into(), value.into())
}

/// The escalation entry's id and whether it says to escalate now.
pub fn escalation(d: &Value) -> (&str, bool) {
    (
        d["escalation"]["id"].as_str().unwrap(),
        d["escalation"]["escalate_now"].as_bool().unwrap(),
    )
}

/// Steps marked as fixing the likely cause.
pub fn fixing(d: &Value) -> Vec<String> {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["fixes_likely_cause"] == true)
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// The id of every finding of the report, in its order.
pub fn finding_ids(d: &Value) -> Vec<String> {
    d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

pub fn first_step(d: &Value) -> &Value {
    &d["plan"][0]
}

/// The plan step with this id (panics naming the steps there are).
pub fn step<'a>(d: &'a Value, id: &str) -> &'a Value {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no {id} step in {:?}", step_ids(d)))
}

pub fn step_ids(d: &Value) -> Vec<String> {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

pub fn cause_ids(d: &Value) -> Vec<String> {
    d["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["finding_id"]
                .as_str()
                .or(c["reply_rule"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The (name, type, value) of every record a step asks to publish.
pub fn records(step: &Value) -> Vec<(String, String, String)> {
    step["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["rtype"].as_str().unwrap().to_string(),
                r["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Splits a printed command line as a POSIX shell would for the quoting the plan uses
/// (plain words and single quotes).
pub fn shell_split(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}
