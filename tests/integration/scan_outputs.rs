//! The formats of `scan` on the shipped sample log (snapshots), what each format escapes, and
//! the usage errors (one line, exit 2).
#![allow(clippy::unwrap_used)]

use crate::cli_support::run;
use crate::scan_gen::{self, example_config};
use crate::scan_support::*;
use serde_json::Value;

const SAMPLE: &str = "examples/logs/mail.log";

#[test]
fn the_shipped_sample_log_is_the_generators() {
    let mut buf = Vec::new();
    scan_gen::write(&example_config(), &mut buf).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
    if std::env::var_os("SCAN_WRITE_EXAMPLE").is_some() {
        std::fs::write(&path, &buf).unwrap();
    }
    assert!(
        std::fs::read(&path).unwrap() == buf,
        "{SAMPLE} differs from the generator's example; regenerate it with SCAN_WRITE_EXAMPLE=1"
    );
}

#[test]
fn sample_log_human_summary() {
    let o = run(&["scan", SAMPLE], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn sample_log_markdown_summary() {
    let o = run(&["scan", SAMPLE, "--format", "markdown"], None);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn sample_log_json_validates_and_jsonl_has_one_line_per_failing_address() {
    let doc: Value =
        serde_json::from_slice(&run(&["scan", SAMPLE, "--format", "json"], None).stdout).unwrap();
    assert_valid(&doc);
    let jsonl = run(&["scan", SAMPLE, "--format", "jsonl"], None);
    let lines: Vec<Value> = stdout(&jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), doc["addresses"].as_array().unwrap().len());
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l["address"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for (l, a) in lines.iter().zip(doc["addresses"].as_array().unwrap()) {
        assert_eq!(l["verdict"], a["verdict"]);
        assert_eq!(
            l["history"].as_array().unwrap().len(),
            a["history"].as_array().unwrap().len()
        );
    }
    // The Gmail deferrals of the second day are one pattern that starts with the first of them.
    let log = std::fs::read_to_string(SAMPLE).unwrap();
    let first = log.lines().find(|l| l.contains("dsn=4.7.28")).unwrap();
    let p = &doc["patterns"][0];
    assert_eq!(
        doc["patterns"].as_array().unwrap().len(),
        1,
        "{}",
        doc["patterns"]
    );
    assert_eq!(
        (&p["provider"], &p["code"], &p["ongoing"]),
        (&"gmail".into(), &"4.7.28".into(), &false.into())
    );
    assert_eq!(p["start"], format!("{}Z", &first[..19]));
}

/// A Postfix line with a sender and a recipient chosen by the test.
fn lines(sender: &str, rcpt: &str, reply: &str) -> String {
    format!(
        "2026-03-02T10:00:00+00:00 mx1 postfix/qmgr[1]: ABC123: from=<{sender}>, size=1, nrcpt=1 (queue active)\n\
         2026-03-02T10:00:01+00:00 mx1 postfix/smtp[2]: ABC123: to=<{rcpt}>, relay=mx.example.net[198.51.100.7]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[198.51.100.7] said: {reply} (in reply to RCPT TO command))\n"
    )
}

#[test]
fn text_from_logs_is_escaped_for_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("evil.log");
    let text = lines(
        "news@evil\u{202e}|*x*.example",
        "=1+1@victim.example",
        "550 5.1.1 <=1+1@victim.example> user unknown | *bold* [link](x)",
    );
    std::fs::write(&log, text).unwrap();
    let csv = dir.path().join("s.csv");
    let human = run(
        &["scan", path_str(&log), "--suppressions", path_str(&csv)],
        None,
    );
    assert_eq!(human.status.code(), Some(0), "{}", stderr(&human));
    let h = stdout(&human);
    assert!(!h.contains('\u{202e}'), "{h}");
    assert!(h.contains("evil\\u{202e}|*x*.example"), "{h}");
    let md = stdout(&run(
        &["scan", path_str(&log), "--format", "markdown"],
        None,
    ));
    assert!(md.contains("evil\\\\u{202e}\\|\\*x\\*.example"), "{md}");
    assert!(!md.contains("|*x*"), "{md}");
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        rows.lines().nth(1).unwrap(),
        "'=1+1@victim.example,address,hard-bounce,5.1.1,,2026-03-02T10:00:01Z,2026-03-02T10:00:01Z,1"
    );
}

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    for args in [
        vec!["scan", "--follow", "a.log", "b.log"],
        vec!["scan", SAMPLE, "--log-end", "2026-13-01"],
        vec!["scan", SAMPLE, "--pattern-min-share", "2"],
        vec!["scan", SAMPLE, "--threads", "0"],
        vec!["scan", "--merge"],
    ] {
        let o = run(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn diagnose_runs_the_diagnoses_that_matter_and_joins_their_likely_causes() {
    let dir = tempfile::tempdir().unwrap();
    let reply = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = did not pass SPF [broken-sender.example] with ip: [192.0.2.24] = did not pass For instructions on setting up authentication, go to https://support.google.com/mail/answer/81126#authentication a1-20020a05600c000000b00000000000si.123 - gsmtp";
    let mut text = String::new();
    for i in 0..3 {
        text.push_str(&format!(
            "2026-03-02T10:0{i}:00+00:00 mx1 postfix/qmgr[1]: Q{i}: from=<news@broken-sender.example>, size=1, nrcpt=1 (queue active)\n\
             2026-03-02T10:0{i}:01+00:00 mx1 postfix/smtp[2]: Q{i}: to=<r{i}@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.27.26]:25, delay=1, delays=0/0/0/1, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[142.250.27.26] said: {reply} (in reply to end of DATA command))\n"
        ));
    }
    let log = dir.path().join("auth.log");
    std::fs::write(&log, text).unwrap();
    let plain = stdout(&run(&["scan", path_str(&log)], None));
    assert!(
        plain.contains("mailtriage diagnose '550 5.7.26 This mail has been blocked because the sender is unauthenticated."),
        "{plain}"
    );
    assert!(
        plain.contains("--domain broken-sender.example --ip 192.0.2.24"),
        "{plain}"
    );
    let o = run(
        &[
            "scan",
            path_str(&log),
            "--diagnose",
            "--zone",
            "examples/zones",
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &doc["diagnoses"][0];
    assert_eq!(d["domain"], "broken-sender.example");
    assert_eq!(d["ip"], "192.0.2.24");
    assert_eq!(d["failures"], 3);
    let causes: Vec<&str> = d["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(causes.iter().any(|c| c.contains("SPF")), "{causes:#?}");
}
