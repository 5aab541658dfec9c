//! Shared helpers for the end-to-end `diagnose` tests: run the binary on fixture zones, offline.
#![allow(dead_code, clippy::unwrap_used)]

use super::cli_support::{Served, code, json, run, stderr};
use mailtriage::dns::{Fault, FaultKind, RType, ServerOptions};
use serde_json::Value;

pub const ZONES: &str = "tests/fixtures/diagnose";

pub const GMAIL_5726: &str = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 550 5.7.26 - gsmtp";
pub const GMAIL_5727: &str = "550-5.7.27 This mail has been blocked because the sender is unauthenticated. SPF check failed or the domain does not publish an SPF record. 550 5.7.27 - gsmtp";
pub const GMAIL_5725: &str = "550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. - gsmtp";
pub const GMAIL_5730: &str = "550-5.7.30 This message does not pass authentication checks (DKIM didn't pass). 550 5.7.30 - gsmtp";

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
    let report = json(&o);
    // Every scenario's plan is held to records a zone would take as they are printed.
    assert_publishable(&report);
    (code(&o), report)
}

/// A 2048-bit RSA public key (SubjectPublicKeyInfo). The one part of a record the plan cannot
/// know is a new DKIM key's public key, made where mail is signed (`p=<base64 public key ...>`,
/// last in the record): the rest must parse with this key in its place. Anything else in angle
/// brackets is a placeholder left in.
const SAMPLE_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsta/+FfHrBKAAPr0DAeX70DABG+zEhhKF9osgYGqZ0uqSvdo0kJirIRW2F3YVbXd1zB2/iAmJecXj1yjzkaHWtPL2HxTAu/AP8K89FVNEKD1iTOfsOPu9FQqx0l6qeU12+9AXdfCrpEKjri8e8ChmZu2RY4BEXReo2TOKR6Rq3w0fi3iSg6thcXMiUY4gm2a0eSUu7+WMq0Gvaf0cnhTgO1ZY+eSXt5/uHlm4bGTepaC2Go9SExfiETRS4YJeQEGJN/US2nRJQYAEW+IeJ5MLYu0PbODRdjLt84oZyVOJwnsaEIMzow1bvWBhELyzQzUIhi7/NBXZsoL/ywNDIK1UwIDAQAB";

/// Panics naming the step and record when a record the plan asks to publish would not be
/// taken as printed: an owner that is not a host name, a placeholder, an SPF record
/// mail-auth refuses, a DMARC record a strict parser refuses (`v=DMARC1` not first, a bad `p`,
/// the tags RFC 9989 removed), a DKIM key that is not an RSA key, an MX/PTR/A that is not one.
pub fn assert_publishable(report: &Value) {
    let Some(plan) = report["plan"].as_array() else {
        return;
    };
    for step in plan {
        for r in step["records"].as_array().into_iter().flatten() {
            let (name, rtype, value) = (
                r["name"].as_str().unwrap(),
                r["rtype"].as_str().unwrap(),
                r["value"].as_str().unwrap(),
            );
            if let Err(why) = publishable(name, rtype, value) {
                panic!(
                    "step {} asks to publish `{name} IN {rtype} {value}`, which {why}",
                    step["id"]
                );
            }
        }
    }
}

fn host_name_ok(name: &str) -> bool {
    let n = name.strip_suffix('.').unwrap_or(name);
    !n.is_empty()
        && n.len() <= 253
        && n.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn publishable(name: &str, rtype: &str, value: &str) -> Result<(), String> {
    use mail_auth::common::parse::TxtRecordParser;
    if !host_name_ok(name) {
        return Err(format!("has the owner name {name:?}, not a domain name"));
    }
    match rtype {
        "TXT" if value.starts_with("v=spf1") => {
            if value.contains('<') {
                return Err("keeps a placeholder".into());
            }
            mail_auth::spf::Spf::parse(value.as_bytes())
                .map_err(|e| format!("mail-auth refuses as SPF: {e}"))?;
            let alls = value
                .split_whitespace()
                .filter(|t| {
                    t.trim_start_matches(['+', '-', '~', '?'])
                        .eq_ignore_ascii_case("all")
                })
                .count();
            if alls > 1 {
                return Err("has more than one `all`".into());
            }
        }
        "TXT" if name.starts_with("_dmarc.") || value.to_ascii_lowercase().contains("dmarc1") => {
            dmarc_strict(value)?;
            mail_auth::dmarc::Dmarc::parse(value.as_bytes())
                .map_err(|e| format!("mail-auth refuses as DMARC: {e}"))?;
        }
        "TXT" if name.contains("._domainkey.") || value.starts_with("v=DKIM1") => {
            let value = match value.split_once("p=<base64 public key") {
                Some((head, tail))
                    if tail.ends_with('>') && !tail[..tail.len() - 1].contains(['<', '>', ';']) =>
                {
                    format!("{head}p={SAMPLE_KEY}")
                }
                _ if value.contains('<') => {
                    return Err("keeps a placeholder other than the new key's".into());
                }
                _ => value.to_string(),
            };
            if !value.contains("p=") || value.matches("p=").count() > 1 {
                return Err("does not have exactly one p= tag".into());
            }
            // An empty p= is a revocation (RFC 6376 section 3.6.1), which mail-auth reports
            // as an error on purpose; anything else must parse.
            let revocation = value.trim_end_matches([' ', ';']).ends_with("p=");
            if !revocation {
                mail_auth::common::verify::DomainKey::parse(value.as_bytes())
                    .map_err(|e| format!("mail-auth refuses as a DKIM key: {e}"))?;
            }
            dkim_key_ok(&value)?;
        }
        "TXT" => {
            if value.contains('<') {
                return Err("keeps a placeholder".into());
            }
        }
        "MX" => {
            let (pref, host) = value
                .split_once(' ')
                .ok_or("is not `<preference> <host>`")?;
            pref.parse::<u16>()
                .map_err(|_| "has a preference that is not 0-65535")?;
            if host != "." && !host_name_ok(host) {
                return Err("names no host".into());
            }
        }
        "PTR" | "CNAME" => {
            if !host_name_ok(value) {
                return Err("names no host".into());
            }
        }
        "A" => {
            value
                .parse::<std::net::Ipv4Addr>()
                .map_err(|_| "is not an IPv4 address")?;
        }
        "AAAA" => {
            value
                .parse::<std::net::Ipv6Addr>()
                .map_err(|_| "is not an IPv6 address")?;
        }
        other => return Err(format!("has the record type {other}, which no check reads")),
    }
    Ok(())
}

/// RFC 9989 section 4.7: `v=DMARC1` first, well-formed `tag=value` pairs, a policy a receiver
/// applies, and none of the tags the RFC removed (`pct`, `rf`, `ri`).
fn dmarc_strict(value: &str) -> Result<(), String> {
    let tags: Vec<(&str, &str)> = value
        .split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| format!("has `{t}`, not a tag=value pair"))
        })
        .collect::<Result<_, _>>()?;
    if tags.first() != Some(&("v", "DMARC1")) {
        return Err("does not start with v=DMARC1".into());
    }
    for (k, v) in &tags[1..] {
        match *k {
            "p" | "sp" | "np" if !["none", "quarantine", "reject"].contains(v) => {
                return Err(format!("has {k}={v}"));
            }
            "adkim" | "aspf" if !["r", "s"].contains(v) => return Err(format!("has {k}={v}")),
            "t" if !["y", "n"].contains(v) => return Err(format!("has t={v}")),
            "psd" if !["y", "n", "u"].contains(v) => return Err(format!("has psd={v}")),
            "pct" | "rf" | "ri" => return Err(format!("has {k}=, which RFC 9989 removed")),
            "rua" | "ruf" => {
                for uri in v.split(',') {
                    let addr = uri
                        .trim()
                        .strip_prefix("mailto:")
                        .ok_or("has a report URI that is not mailto:")?;
                    let addr = addr.split('!').next().unwrap_or(addr);
                    if !addr
                        .split_once('@')
                        .is_some_and(|(l, d)| !l.is_empty() && host_name_ok(d))
                    {
                        return Err(format!("has the report address {uri:?}"));
                    }
                }
            }
            "p" | "sp" | "np" | "adkim" | "aspf" | "t" | "psd" | "fo" => {}
            other => return Err(format!("has the unknown tag {other}")),
        }
    }
    if tags.iter().filter(|(k, _)| *k == "p").count() > 1 {
        return Err("has two p= tags".into());
    }
    Ok(())
}

/// The p= of a DKIM key record is an RSA public key (SubjectPublicKeyInfo or PKCS#1), or empty
/// (a revocation).
fn dkim_key_ok(value: &str) -> Result<(), String> {
    use base64::Engine;
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    let p = value
        .split(';')
        .filter_map(|t| t.trim().split_once('='))
        .find(|(k, _)| k.trim() == "p")
        .map(|(_, v)| v.split_whitespace().collect::<String>())
        .ok_or("has no p= tag")?;
    if p.is_empty() {
        return Ok(());
    }
    if value.replace(' ', "").contains("k=ed25519") {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&p)
            .map_err(|e| format!("has a p= that is not base64 ({e})"))?;
        return (raw.len() == 32)
            .then_some(())
            .ok_or_else(|| "has an Ed25519 p= that is not 32 octets".into());
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(&p)
        .map_err(|e| format!("has a p= that is not base64 ({e})"))?;
    if rsa::RsaPublicKey::from_public_key_der(&der).is_err()
        && rsa::RsaPublicKey::from_pkcs1_der(&der).is_err()
    {
        return Err("has a p= that is not an RSA public key".into());
    }
    Ok(())
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

/// `diagnose` against a server for `zones` (file stems under `dir`) that answers `name`/`rtype`
/// as `kind`: (exit code, JSON report).
pub fn diagnose_with_fault(
    dir: &str,
    zones: &[&str],
    (name, rtype, kind): (&str, RType, FaultKind),
    reply: &str,
    args: &[&str],
) -> (i32, Value) {
    let texts: Vec<(String, String)> = zones
        .iter()
        .map(|z| {
            let path = std::path::Path::new(dir).join(format!("{z}.zone"));
            (z.to_string(), std::fs::read_to_string(path).unwrap())
        })
        .collect();
    let pairs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let served = Served::start(ServerOptions {
        zones: crate::common::zones(&pairs),
        root_catch_all: true,
        faults: vec![Fault {
            name: name.into(),
            rtype: Some(rtype),
            kind,
        }],
        ..ServerOptions::default()
    });
    let ns = served.nameserver();
    let mut all = vec!["diagnose", reply];
    all.extend_from_slice(args);
    all.extend([
        "--nameserver",
        &ns,
        "--timeout",
        "0.5",
        "--retries",
        "0",
        "--format",
        "json",
    ]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    let d = json(&o);
    assert_publishable(&d);
    (code(&o), d)
}

/// A step's title, reasons, details and the notes on its records, as one text.
pub fn step_text(s: &Value) -> String {
    format!(
        "{} {} {} {}",
        s["title"], s["why"], s["details"], s["records"]
    )
}

/// DNS trouble stopped the diagnosis (exit 3) and clearing it is the first step, which names
/// `name` (the question that failed) unless `name` is empty.
pub fn assert_trouble_first(rc: i32, d: &Value, name: &str) {
    assert_eq!(rc, 3, "{:?} {:?}", cause_ids(d), finding_ids(d));
    let s = first_step(d);
    assert_eq!(s["id"], "dns-inconclusive", "{s}");
    assert!(step_text(s).contains(name), "{}", step_text(s));
}
