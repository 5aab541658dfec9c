//! `scan --follow`: a growing log is read as it grows, through logrotate's rename and new file and
//! through copytruncate, and a line is printed when a pattern starts and when it stops.
#![allow(clippy::unwrap_used)]

use crate::cli_support::mailtriage;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const GMAIL: &str = "gmail-smtp-in.l.google.com[142.250.27.26]";

fn delivered(time: &str, n: u32) -> String {
    format!(
        "{time}+00:00 mx1 postfix/smtp[1]: D{n:05}: to=<v{n}@gmail.com>, relay={GMAIL}:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK 1772445600 x{n}si1 - gsmtp)\n"
    )
}

fn deferred(time: &str, n: u32) -> String {
    format!(
        "{time}+00:00 mx1 postfix/smtp[1]: F{n:05}: to=<u{n}@gmail.com>, relay={GMAIL}:25, delay=1, delays=0/0/0/1, dsn=4.7.28, status=deferred (host {GMAIL} said: 421-4.7.28 Gmail has detected an unusual rate of unsolicited email originating from your IP address 203.0.113.25. To protect our users from spam, email sent from your IP address has been temporarily rate limited. 41be03b00d2f7-b{n}si6.6 - gsmtp (in reply to end of DATA command))\n"
    )
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f.flush().unwrap();
}

/// The next line the follower prints that contains `want`, or a failure after 20 s.
fn expect(rx: &mpsc::Receiver<String>, want: &str, seen: &mut Vec<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if line.contains(want) {
                    return line;
                }
            }
            Err(_) => break,
        }
    }
    panic!("no line with {want:?}; printed: {seen:#?}");
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_pattern_start_and_stop_are_printed_across_rotation_and_copytruncate() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("mail.log");
    let mut text = String::new();
    for i in 0..3 {
        text.push_str(&delivered(&format!("2026-03-02T10:0{i}:00"), i));
    }
    append(&log, &text);
    let child = mailtriage()
        .args(["scan", "--follow"])
        .arg(&log)
        .args([
            "--from-start",
            "--poll",
            "0.05",
            "--pattern-min-events",
            "3",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    // Gmail starts deferring everything at 10:20.
    let burst: String = (0..6)
        .map(|i| deferred(&format!("2026-03-02T10:2{i}:00"), i))
        .collect();
    append(&log, &burst);
    let started = expect(&rx, "started", &mut seen);
    assert!(
        started.ends_with("started: Gmail / Google Workspace 4.7.28 deferrals (rate-limit, slow-down) from 2026-03-02 10:20 UTC"),
        "{started}"
    );
    // logrotate renames the log and a new one is written: the follower moves to it.
    std::fs::rename(&log, dir.path().join("mail.log.1")).unwrap();
    let more: String = (10..15)
        .map(|i| deferred(&format!("2026-03-02T11:{i}:00"), i))
        .collect();
    append(&log, &more);
    std::thread::sleep(Duration::from_millis(600));
    // copytruncate: the same file emptied and written again, three hours later with deliveries.
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&log)
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let later: String = (20..24)
        .map(|i| delivered(&format!("2026-03-02T14:{i}:00"), i))
        .collect();
    append(&log, &later);
    let stopped = expect(&rx, "stopped", &mut seen);
    assert!(
        stopped.starts_with("2026-03-02T14:20:00Z stopped: Gmail / Google Workspace 4.7.28 deferrals (rate-limit, slow-down) from 2026-03-02 10:20 to 2026-03-02 11:14 UTC: 11"),
        "{stopped}"
    );
    assert_eq!(seen.len(), 2, "{seen:#?}");
}

#[test]
fn follow_refuses_what_is_not_a_mail_log() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("events.jsonl");
    std::fs::write(&p, "{\"event\":\"bounce\"}\n").unwrap();
    let o = crate::cli_support::run(&["scan", "--follow", p.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--follow reads mail logs (Postfix, Sendmail, Exim), not esp-json"),
        "{err}"
    );
}
