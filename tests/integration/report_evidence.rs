//! The evidence bundle: files written, original bodies removed, nothing overwritten.
#![allow(clippy::unwrap_used)]

use crate::report_fixtures::*;
use mailtriage::evidence::{BundleInput, redact_bodies, write_bundle};

const BOUNCE: &str = "From: MAILER-DAEMON@mx.example.net\r\n\
To: alice@example.com\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"BOUND\"\r\n\
\r\n\
This is a MIME-encapsulated message.\r\n\
\r\n\
--BOUND\r\n\
Content-Type: text/plain\r\n\
\r\n\
host gmail-smtp-in.l.google.com said: 550-5.7.26 unauthenticated\r\n\
\r\n\
--BOUND\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.example.net\r\n\
\r\n\
Final-Recipient: rfc822; bob@gmail.com\r\n\
Action: failed\r\n\
Status: 5.7.26\r\n\
\r\n\
--BOUND\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: alice@example.com\r\n\
To: bob@gmail.com\r\n\
DKIM-Signature: v=1; d=example.com; s=google; b=abc\r\n\
Subject: payroll\r\n\
\r\n\
SECRET salary figures for March\r\n\
more secret lines\r\n\
\r\n\
--BOUND--\r\n";

#[test]
fn bounce_bodies_are_replaced_but_headers_and_status_kept() {
    let out = String::from_utf8(redact_bodies(BOUNCE.as_bytes())).unwrap();
    assert!(!out.contains("SECRET"), "{out}");
    assert!(!out.contains("more secret lines"));
    for kept in [
        "Subject: payroll",
        "DKIM-Signature: v=1; d=example.com",
        "Status: 5.7.26",
        "550-5.7.26 unauthenticated",
        "--BOUND--",
        "boundary=\"BOUND\"",
    ] {
        assert!(out.contains(kept), "{kept} missing in {out}");
    }
    assert!(out.contains("[mailtriage: "), "{out}");
}

#[test]
fn plain_text_bounces_keep_only_the_quoted_headers() {
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n\
Subject: Mail delivery failed\n\
\n\
  bob@gmail.com\n    host said: 550 5.1.1 no such user\n\
\n\
------ This is a copy of the message, including all the headers. ------\n\
\n\
From: alice@example.com\n\
Subject: hello\n\
\n\
PRIVATE body text\n";
    let out = String::from_utf8(redact_bodies(raw.as_bytes())).unwrap();
    assert!(!out.contains("PRIVATE"), "{out}");
    assert!(out.contains("Subject: hello\n\n[mailtriage: "), "{out}");
    assert!(out.contains("550 5.1.1 no such user"));
}

#[test]
fn garbage_and_unclosed_parts_never_panic() {
    for raw in [&b""[..], b"\n\n\n", b"Content-Type: multipart/mixed; boundary=\n\n--\n",
        b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\nFrom: a\n\nbody", &[0xff, 0xfe, b'\n', b'\n', 0x00]] {
        let _ = redact_bodies(raw);
    }
    let out = redact_bodies(b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\nFrom: a\n\nbody");
    let out = String::from_utf8_lossy(&out);
    assert!(
        !out.contains("\nbody") && out.contains("[mailtriage: 4 bytes"),
        "{out}"
    );
}

fn bundle<'a>(input: &'a [u8], queries: &'a [mailtriage::dns::LogEntry]) -> BundleInput<'a> {
    BundleInput {
        report_md: "# report\n".into(),
        report_json: "{\"schema\":\"mailtriage.diagnose/v1\"}\n".into(),
        queries,
        input,
        input_name: "bounce.eml".into(),
        tool_version: "0.1.0".into(),
        rules_version: "rules-2025-01".into(),
    }
}

#[test]
fn a_bundle_holds_every_file_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case-42");
    let q = queries();
    let files = write_bundle(&dir, &bundle(BOUNCE.as_bytes(), &q)).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "report.md",
            "report.json",
            "dns-log.jsonl",
            "input.eml",
            "versions.json"
        ]
    );
    let log = std::fs::read_to_string(dir.join("dns-log.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["name"], "_dmarc.example.com");
    assert_eq!(lines[2]["outcome"]["kind"], "nxdomain");
    assert_eq!(lines[2]["started_at"], "2025-01-02T03:04:02Z");
    assert_eq!(lines[2]["resolver"], "127.0.0.1:5353 (zone overlay)");
    let eml = std::fs::read_to_string(dir.join("input.eml")).unwrap();
    assert!(!eml.contains("SECRET") && eml.contains("Status: 5.7.26"));
    let versions: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("versions.json")).unwrap()).unwrap();
    assert_eq!(versions["tool_version"], "0.1.0");
    assert_eq!(versions["rules_version"], "rules-2025-01");
    assert_eq!(versions["input_bodies_removed"], true);
    assert!(versions["created_at"].as_str().unwrap().ends_with('Z'));

    let err = write_bundle(&dir, &bundle(b"550 5.1.1 x", &q)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("report.md")).unwrap(),
        "# report\n"
    );
}

#[test]
fn a_bare_reply_is_kept_verbatim_in_an_existing_empty_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let files = write_bundle(tmp.path(), &bundle(b"550 5.1.1 user unknown\n", &[])).unwrap();
    assert!(files.iter().any(|p| p.ends_with("input.txt")));
    assert_eq!(
        std::fs::read(tmp.path().join("input.txt")).unwrap(),
        b"550 5.1.1 user unknown\n"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("dns-log.jsonl")).unwrap(),
        ""
    );
}
