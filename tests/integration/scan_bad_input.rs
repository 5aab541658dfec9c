//! Bad input never stops a scan: lines of 1 MB, binary garbage in the middle of a log, a
//! truncated gzip file, a Maildir with files that are not mail, an mbox without a final newline,
//! times that go backwards or carry no year. Each gets a stderr line naming the input and what was
//! skipped, the run goes on, and the summary counts it.
#![allow(clippy::unwrap_used)]

use crate::scan_gen::{Config, Mta};
use crate::scan_support::*;
use serde_json::Value;
use std::io::Write;

fn skipped(doc: &Value, input: usize) -> Vec<(String, u64, u64)> {
    doc["inputs"][input]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["reason"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
                s["first"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn long_lines_and_binary_garbage_in_a_log_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (log, exp) = generated(
        dir.path(),
        "clean.log",
        &Config::small(Mta::Postfix, 6_000, 13),
    );
    let text = std::fs::read(&log).unwrap();
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let mut bad = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i == 1000 {
            // A line of 1 MB, and one of 5 MB (longer than a whole read block).
            bad.extend(std::iter::repeat_n(b'x', 1 << 20));
            bad.push(b'\n');
            bad.extend(std::iter::repeat_n(b'y', 5 << 20));
            bad.push(b'\n');
        }
        if i == 2000 {
            // 300 lines of binary garbage.
            for k in 0..300u32 {
                bad.push(0);
                bad.extend((0..200u32).map(|j| {
                    match (k.wrapping_mul(31).wrapping_add(j * 7) % 256) as u8 {
                        b'\n' => 0,
                        b => b,
                    }
                }));
                bad.push(b'\n');
            }
        }
        bad.extend_from_slice(l);
        if i + 1 < lines.len() {
            bad.push(b'\n');
        }
    }
    let path = dir.path().join("bad.log");
    std::fs::write(&path, &bad).unwrap();
    let o = scan(&[path_str(&path), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "skipped lines do not fail the run"
    );
    let err = stderr(&o);
    assert!(
        err.contains("bad.log: skipped 2 (lines longer than 65,536 bytes), first at line 1001"),
        "{err}"
    );
    assert!(
        err.contains("(lines of binary data (NUL or control bytes)), first at line 2003"),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = skipped(&doc, 0);
    assert_eq!(s[0], ("line-too-long".to_string(), 2, 1001));
    assert_eq!(s[1], ("binary-data".to_string(), 300, 2003));
    // Everything else is read as if the garbage were not there.
    let clean = scan_json(&[path_str(&log)]);
    assert_eq!(doc["totals"], {
        let mut t = clean["totals"].clone();
        t["skipped"] = doc["totals"]["skipped"].clone();
        t
    });
    assert_eq!(doc["totals"]["delivered"], exp.delivered);
    assert_eq!(doc["suppressions"], clean["suppressions"]);
    assert_eq!(doc["totals"]["skipped"], 302);
}

#[test]
fn a_truncated_gzip_is_read_up_to_where_it_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = generated(
        dir.path(),
        "mail.log",
        &Config::small(Mta::Postfix, 20_000, 17),
    );
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&std::fs::read(&log).unwrap()).unwrap();
    let gz = enc.finish().unwrap();
    let cut = dir.path().join("mail.log.2.gz");
    std::fs::write(&cut, &gz[..gz.len() * 6 / 10]).unwrap();
    let o = scan(&[path_str(&cut), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an input that could not be read to its end"
    );
    let err = stderr(&o);
    assert!(
        err.contains(
            "mail.log.2.gz: the compressed stream ends early (truncated); read up to there"
        ),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let lines = doc["inputs"][0]["lines"].as_u64().unwrap();
    assert!(lines > 5_000 && lines < 20_000, "{lines}");
    assert!(doc["totals"]["delivered"].as_u64().unwrap() > 500);
    assert_eq!(
        doc["inputs"][0]["error"],
        "the compressed stream ends early (truncated)"
    );
}

#[test]
fn a_maildir_with_files_that_are_not_mail() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sisimai/maildir"
    );
    std::fs::copy(
        format!("{corpus}/lhost-exim-39.eml"),
        md.join("cur/1.M1:2,S"),
    )
    .unwrap();
    std::fs::write(
        md.join("cur/2.M2:2,S"),
        [0u8, 1, 2, 3, 255, 254, 0, 0, 7, 8],
    )
    .unwrap();
    std::fs::write(md.join("cur/3.M3:2,S"), b"just some notes, not a message\n").unwrap();
    std::fs::write(md.join("new/4.M4"), b"").unwrap();
    std::fs::write(md.join("dovecot-uidlist"), b"3 V1 N5\n").unwrap();
    let ordinary = b"From: ann@example.org\nTo: bob@example.org\nSubject: lunch\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n\nSee you at noon.\n";
    std::fs::write(md.join("new/5.M5"), ordinary).unwrap();
    let o = scan(&[path_str(&md), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("Maildir: skipped 2 (files that are not mail messages), first at message 2"),
        "{err}"
    );
    assert!(err.contains("skipped 2 (messages with no SMTP reply, bounce or complaint in them), first at message 3"), "{err}");
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["inputs"][0]["messages"], 5);
    assert_eq!(verdicts(&doc).len(), 1);
}

#[test]
fn times_that_go_backwards_or_carry_no_year_are_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let line = |t: &str, q: &str, r: &str| {
        format!(
            "{t} mx1 postfix/smtp[1]: {q}: to=<{r}>, relay=mx.example.org[198.51.100.7]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
        )
    };
    let text = [
        line("Dec 31 23:59:58", "A1", "a@example.org"),
        line("Jan  1 00:00:03", "A2", "b@example.org"),
        line("Jan  1 00:00:01", "A3", "c@example.org"),
        line("Jan  1 00:02:00", "A4", "d@example.org"),
    ]
    .concat();
    let path = dir.path().join("rollover.log");
    std::fs::write(&path, text).unwrap();
    let o = crate::cli_support::run(
        &[
            "scan",
            path_str(&path),
            "--log-end",
            "2026-01-02",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["time"]["first"], "2025-12-31T23:59:58Z",
        "December is the year before"
    );
    assert_eq!(doc["time"]["last"], "2026-01-01T00:02:00Z");
    assert_eq!(doc["time"]["backwards"], 1);
    assert_eq!(doc["time"]["max_back_seconds"], 2);
    assert_eq!(doc["inputs"][0]["year_from"], "--log-end 2026-01-02");
    let human = stdout(&crate::cli_support::run(
        &["scan", path_str(&path), "--log-end", "2026-01-02"],
        None,
    ));
    assert!(
        human
            .contains("syslog times carry no year: each line is placed in the 12 months ending on"),
        "{human}"
    );
    assert!(
        human.contains(
            "times go backwards: 1 results are earlier than one before them (at most 2 s)"
        ),
        "{human}"
    );
}
