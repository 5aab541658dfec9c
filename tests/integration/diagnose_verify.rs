//! Every verify command a plan prints must run as printed: the binary parses it (exit != 2)
//! and it carries the context of the run (--ip, selectors, --zone, --offline).
#![allow(clippy::unwrap_used)]

use super::cli_support::{QUICKSTART_REPLY, args, code, run, stderr, stdout};
use super::diagnose_support::*;

/// (reply, extra args, zones) for several diagnoses that between them produce every kind of step.
fn cases() -> Vec<(&'static str, Vec<&'static str>, &'static str)> {
    vec![
        (
            "examples/replies/gmail-5.7.26.txt",
            vec!["--domain", "broken-sender.example", "--ip", "192.0.2.24"],
            "examples/zones",
        ),
        (
            "examples/replies/gmail-bounce.eml",
            vec![],
            "examples/zones",
        ),
        (
            GMAIL_5726,
            vec![
                "--domain",
                "customer.example",
                "--from",
                "news@customer.example",
                "--mail-from",
                "bounce@bounces.esp.example",
                "--dkim-domain",
                "esp.example",
                "--dkim-selector",
                "esp1",
                "--ip",
                "203.0.113.5",
            ],
            ZONES,
        ),
        (
            "421-4.7.27 SPF authentication didn't pass for this message. - gsmtp",
            vec!["--domain", "over10.example", "--ip", "192.0.2.30"],
            ZONES,
        ),
        (
            "550 5.7.515 Access denied, sending domain nodkim.example doesn't meet the required authentication level.",
            vec![
                "--domain",
                "nodkim.example",
                "--ip",
                "192.0.2.50",
                "--dkim-selector",
                "sel1",
            ],
            ZONES,
        ),
        (
            "550 5.7.606 Access denied, banned sending IP [192.0.2.70].",
            vec!["--domain", "clean.example", "--ip", "192.0.2.70"],
            ZONES,
        ),
        (
            "550-5.1.1 <bob@gmail.com> The email account that you tried to reach does not exist. - gsmtp",
            vec!["--domain", "ptrbad.example", "--ip", "192.0.2.40"],
            ZONES,
        ),
        (
            "503 5.5.1 Bad sequence of commands",
            vec!["--domain", "clean.example"],
            ZONES,
        ),
        (
            "421 4.7.0 Try again later, closing connection.",
            vec!["--domain", "nodmarc.example"],
            ZONES,
        ),
    ]
}

#[test]
fn every_verify_command_parses_runs_and_reproduces_the_run() {
    let mut seen_steps = std::collections::BTreeSet::new();
    let mut ran = 0;
    for (reply, extra, zones) in cases() {
        let mut args = vec!["diagnose", reply];
        args.extend(extra.iter().copied());
        args.extend(["--zone", zones, "--offline", "--format", "json"]);
        let o = run(&args, None);
        assert_ne!(code(&o), 2, "{args:?}: {}", stderr(&o));
        let d = super::cli_support::json(&o);
        let reply_text = std::fs::read(reply).unwrap_or_else(|_| reply.as_bytes().to_vec());
        for step in d["plan"].as_array().unwrap() {
            let verify = step["verify"].as_str().unwrap();
            seen_steps.insert(step["id"].as_str().unwrap().to_string());
            assert!(!verify.contains('<'), "placeholder in {verify}");
            assert!(!verify.contains("--selector "), "{verify}");
            let words = shell_split(verify);
            assert_eq!(words[0], "mailtriage", "{verify}");
            assert!(
                verify.contains(&format!("--zone {zones}")) && verify.contains("--offline"),
                "the run's DNS context is missing: {verify}"
            );
            if let Some(ip) = d["input"]["params"]["ip"].as_str()
                && words[1] == "check"
                && step["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == "ptr" || c == "spf")
            {
                assert!(verify.contains(&format!("--ip {ip}")), "{verify}");
            }
            let rest: Vec<&str> = words[1..].iter().map(String::as_str).collect();
            let stdin = (rest.get(1) == Some(&"-")).then_some(reply_text.as_slice());
            let v = run(&rest, stdin);
            assert_ne!(
                code(&v),
                2,
                "verify command does not parse or run: {verify}\n{}{}",
                stdout(&v),
                stderr(&v)
            );
            ran += 1;
        }
    }
    assert!(ran >= 20, "only {ran} verify commands");
    for id in [
        "ptr-fcrdns",
        "spf-merge",
        "spf-lookups",
        "dkim-publish",
        "dkim-remove-testing",
        "dkim-rotate-key",
        "dmarc-publish",
        "dmarc-alignment",
        "action-request-delisting",
        "action-suppress-address",
        "action-fix-sender-config",
    ] {
        assert!(
            seen_steps.contains(id),
            "no case produced {id}: {seen_steps:?}"
        );
    }
}

#[test]
fn dkim_steps_match_their_findings_and_verify_the_selector_found() {
    let o = run(
        &args(&[
            &QUICKSTART_REPLY,
            &["--zone", "examples/zones", "--offline", "--format", "json"],
        ]),
        None,
    );
    let d = super::cli_support::json(&o);
    let plan = d["plan"].as_array().unwrap();
    let dkim: Vec<&serde_json::Value> = plan
        .iter()
        .filter(|s| s["checks"].as_array().unwrap().iter().any(|c| c == "dkim"))
        .collect();
    let ids: Vec<&str> = dkim.iter().map(|s| s["id"].as_str().unwrap()).collect();
    // A 1024-bit key with t=y exists at s1: no "publish a key" step.
    assert_eq!(ids, ["dkim-remove-testing", "dkim-rotate-key"]);
    let testing = dkim[0];
    assert_eq!(testing["finding_ids"], serde_json::json!(["dkim-testing"]));
    let rec = &records(testing)[0];
    assert_eq!(rec.0, "s1._domainkey.broken-sender.example");
    assert!(rec.2.starts_with("v=DKIM1; k=rsa; p=MIGf"), "{}", rec.2);
    assert!(!rec.2.contains("t=y"));
    let rotate = dkim[1];
    assert_eq!(rotate["finding_ids"], serde_json::json!(["dkim-key-weak"]));
    let recs = records(rotate);
    assert_eq!(recs[0].0, "s1-2048._domainkey.broken-sender.example");
    assert_eq!(
        recs[1],
        (
            "s1._domainkey.broken-sender.example".to_string(),
            "TXT".to_string(),
            "v=DKIM1; p=".to_string()
        )
    );
    assert!(rotate["title"].as_str().unwrap().contains("2048"));
    for s in dkim {
        let v = s["verify"].as_str().unwrap();
        assert!(v.contains("--dkim-selector s1 "), "{v}");
        assert!(!v.contains("google"), "{v}");
    }
    // Missing DMARC: the wait is the negative-caching TTL (SOA minimum 300 in the example zone).
    let dmarc = plan.iter().find(|s| s["id"] == "dmarc-publish").unwrap();
    assert_eq!(dmarc["wait_seconds"], 300);
    let human = stdout(&run(
        &args(&[
            &QUICKSTART_REPLY,
            &["--zone", "examples/zones", "--offline"],
        ]),
        None,
    ));
    assert!(!human.contains("No valid DKIM key was found"), "{human}");
    assert!(
        human.contains("Caches may hold the old answer for up to 300s"),
        "{human}"
    );
    assert!(
        human.contains("How long caches may hold the old answer is unknown"),
        "steps without an observed TTL say so: {human}"
    );
}
