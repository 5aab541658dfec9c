//! The openspf RFC 7208 test suite (tests/fixtures/spf), served by the fixture DNS server and run
//! through our SPF evaluation path (mail-auth check_host + our tree walk for the limits).
#![allow(clippy::unwrap_used)]

use crate::common::{quick, serve_with};
use mailtriage::checks::spf::eval;
use mailtriage::checks::spf::tree::{LOOKUP_LIMIT, VOID_LIMIT};
use mailtriage::dns::{Fault, FaultKind, ServerOptions, Zone, ZoneData, ZoneRecord};
use mailtriage::finding::ZoneLocation;
use serde::Deserialize;
use serde_yaml::Value;
use std::net::IpAddr;

/// Cases whose check_host() result is the expected one; any change (up or down) fails the test
/// so the figure in docs/check.md stays true.
const AGREE: usize = 201;

/// Processing-limit cases: the tree walk itself must flag the over-limit ones and not the others.
const OVER_LIMIT: &[&str] = &[
    "mech-over-limit",
    "include-over-limit",
    "void-over-limit",
    "mx-limit",
    "include-loop",
    "redirect-loop",
];
/// Not `include-at-limit`: the walk counts every term (the worst case, an IP that matches nothing
/// earlier), 11 there, while check_host() for 1.2.3.4 stops at `ip4:` after 10.
const AT_LIMIT: &[&str] = &["mech-at-limit", "void-at-limit"];

fn walk_flags_limit(walk: &mailtriage::checks::spf::tree::Walk) -> bool {
    use mailtriage::checks::spf::tree::Problem;
    walk.lookups() > LOOKUP_LIMIT
        || walk.void_lookups() > VOID_LIMIT
        || walk
            .problems
            .iter()
            .any(|p| matches!(p.problem, Problem::Loop(_) | Problem::TooManyMxNames { .. }))
}

fn txt_bytes(s: &str) -> Vec<u8> {
    // The suite writes raw bytes as \xNN escapes, which YAML reads as code points < 256.
    if s.chars().all(|c| (c as u32) < 256) {
        s.chars().map(|c| c as u32 as u8).collect()
    } else {
        s.as_bytes().to_vec()
    }
}

fn strings(v: &Value) -> Vec<Vec<u8>> {
    match v {
        Value::Sequence(items) => items.iter().flat_map(strings).collect(),
        Value::String(s) => vec![txt_bytes(s)],
        other => vec![txt_bytes(&serde_yaml::to_string(other).unwrap_or_default())],
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// The scenario's zonedata as one root zone, plus TIMEOUT faults.
fn zone(data: &Value) -> (Zone, Vec<Fault>) {
    let mut records = Vec::new();
    let mut faults = Vec::new();
    let Some(map) = data.as_mapping() else {
        return (
            Zone {
                apex: String::new(),
                file: "rfc7208".into(),
                records,
                skipped: 0,
            },
            faults,
        );
    };
    for (name, entries) in map {
        let name = scalar(name).trim_end_matches('.').to_ascii_lowercase();
        // Any octet may appear in a label (RFC 2181 section 11): `macro%percent  space...` is
        // served as written; only names no query can carry stay unserved.
        let servable = name.len() <= 253 && name.split('.').all(|l| !l.is_empty() && l.len() <= 63);
        if !servable {
            continue;
        }
        let entries = entries.as_sequence().cloned().unwrap_or_default();
        let has_txt = entries.iter().any(|e| e.get("TXT").is_some());
        for e in &entries {
            if e.as_str() == Some("TIMEOUT") {
                faults.push(Fault {
                    name: name.clone(),
                    rtype: None,
                    kind: FaultKind::Timeout,
                });
                continue;
            }
            let Some(m) = e.as_mapping() else { continue };
            for (ty, val) in m {
                let data = match scalar(ty).as_str() {
                    "TXT" => ZoneData::TXT(strings(val)),
                    // RFC 7208 dropped the SPF type; serve it as TXT when the name has no TXT.
                    "SPF" if !has_txt => ZoneData::TXT(strings(val)),
                    "A" => match scalar(val).parse() {
                        Ok(a) => ZoneData::A(a),
                        Err(_) => continue,
                    },
                    "AAAA" => match scalar(val).parse() {
                        Ok(a) => ZoneData::AAAA(a),
                        Err(_) => continue,
                    },
                    "MX" => {
                        let pref = val.get(0).and_then(Value::as_u64).unwrap_or(0) as u16;
                        let host = val.get(1).map(scalar).unwrap_or_default();
                        ZoneData::MX(pref, host.trim_end_matches('.').to_ascii_lowercase())
                    }
                    "PTR" => ZoneData::PTR(scalar(val).trim_end_matches('.').to_ascii_lowercase()),
                    "CNAME" => {
                        ZoneData::CNAME(scalar(val).trim_end_matches('.').to_ascii_lowercase())
                    }
                    _ => continue,
                };
                let location = ZoneLocation {
                    file: "rfc7208".into(),
                    line: 0,
                    column: 0,
                };
                records.push(ZoneRecord {
                    name: name.clone(),
                    ttl: 300,
                    data,
                    location,
                });
            }
        }
    }
    (
        Zone {
            apex: String::new(),
            file: "rfc7208".into(),
            records,
            skipped: 0,
        },
        faults,
    )
}

#[derive(Deserialize)]
struct Case {
    host: String,
    #[serde(default)]
    mailfrom: String,
    #[serde(default)]
    helo: String,
    result: Value,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc7208_suite() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/spf/rfc7208-tests.yml"
    ))
    .unwrap();
    let mut total = 0;
    let mut agree = 0;
    let mut failing = Vec::new();
    let mut limit_cases = 0;
    let mut limit_agree = 0;
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let doc = Value::deserialize(doc).unwrap();
        let (zone, faults) = zone(doc.get("zonedata").unwrap_or(&Value::Null));
        let opts = ServerOptions {
            zones: vec![zone],
            root_catch_all: true,
            faults,
            ..ServerOptions::default()
        };
        let (_server, dns) = serve_with(opts, quick()).await;
        let tests = doc
            .get("tests")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        for (name, case) in tests {
            let name = scalar(&name);
            let case: Case = serde_yaml::from_value(case).unwrap();
            let expected: Vec<String> = match &case.result {
                Value::Sequence(v) => v.iter().map(scalar).collect(),
                v => vec![scalar(v)],
            };
            total += 1;
            let Ok(ip) = case.host.parse::<IpAddr>() else {
                failing.push(format!("{name}: bad host {}", case.host));
                continue;
            };
            let (result, walk) = eval::evaluate(&dns, ip, &case.helo, &case.mailfrom).await;
            // The walk's own verdict on the processing limits, apart from the result.
            let over = OVER_LIMIT.contains(&name.as_str());
            if over || AT_LIMIT.contains(&name.as_str()) {
                limit_cases += 1;
                if walk_flags_limit(&walk) == over {
                    limit_agree += 1;
                } else {
                    failing.push(format!("{name}: the walk's limit verdict is wrong"));
                }
            }
            if expected.iter().any(|e| e == result) {
                agree += 1;
            } else {
                failing.push(format!(
                    "{name}: expected {} got {result}",
                    expected.join("|")
                ));
            }
        }
    }
    assert_eq!(limit_cases, OVER_LIMIT.len() + AT_LIMIT.len());
    failing.sort();
    insta::assert_snapshot!("rfc7208_failing", failing.join("\n"));
    let figures = format!(
        "check_host result as expected: {agree} of {total}; limit verdicts of the walk: {limit_agree} of {limit_cases}"
    );
    // Shown with --no-capture: docs/check.md quotes these figures.
    #[allow(clippy::print_stderr)]
    {
        eprintln!("rfc7208: {figures}");
    }
    assert_eq!(
        (agree, limit_agree),
        (AGREE, limit_cases),
        "{figures}; update AGREE (and docs/check.md) when this changes"
    );
}
