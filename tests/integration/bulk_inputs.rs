//! Bulk mode as a user drives it: a domains file with comments, the closing summary on stderr,
//! and a provider include that a whole fleet shares being asked of the server once.
#![allow(clippy::unwrap_used)]

use crate::cli_support::{Served, code, mailtriage, run, stderr, stdout};
use crate::common::{zone_text, zones};
use mailtriage::dns::{RType, ServerOptions};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn domains_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".txt").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f.flush().unwrap();
    f
}

/// Two domains without SPF, one with `?all`, two with a sound record.
fn mixed() -> Served {
    let texts: Vec<(String, String)> = [
        ("good1.example", "@ IN TXT \"v=spf1 ip4:192.0.2.1 -all\""),
        ("good2.example", "@ IN TXT \"v=spf1 ip4:192.0.2.2 -all\""),
        ("neutral.example", "@ IN TXT \"v=spf1 ip4:192.0.2.3 ?all\""),
        ("nospf1.example", "@ IN A 192.0.2.4"),
        ("nospf2.example", "@ IN A 192.0.2.5"),
    ]
    .iter()
    .map(|(o, body)| (o.to_string(), zone_text(o, body)))
    .collect();
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    Served::zones(&refs)
}

#[test]
fn a_domains_file_skips_blank_lines_and_comments() {
    let served = mixed();
    let file = domains_file(
        "# customers to check\n\ngood1.example\n   \nnospf1.example   # moved to us in May\n\
         # good2.example is commented out\nneutral.example\n",
    );
    let o = run(
        &[
            "check",
            "--domains-file",
            file.path().to_str().unwrap(),
            "--format",
            "jsonl",
            "--only",
            "spf",
            "--nameserver",
            &served.nameserver(),
        ],
        None,
    );
    assert_eq!(code(&o), 1, "nospf1 has an error: {}", stderr(&o));
    let seen: BTreeSet<String> = lines(&stdout(&o))
        .iter()
        .map(|l| l["domain"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        seen,
        ["good1.example", "neutral.example", "nospf1.example"]
            .map(String::from)
            .into(),
    );
    assert!(
        stderr(&o).contains("3 of 3 domain(s) checked"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_bad_line_in_a_domains_file_is_exit_2_naming_file_and_line() {
    let file = domains_file("# fleet\ngood1.example\n\nbad..name\ngood2.example\n");
    let path = file.path().to_str().unwrap().to_string();
    // Nothing is asked before the whole file is read: the server is never needed.
    let o = run(
        &[
            "check",
            "--domains-file",
            &path,
            "--format",
            "jsonl",
            "--nameserver",
            "127.0.0.1:9",
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!("{path}:4:")),
        "names the file and line 4: {}",
        stderr(&o)
    );
    let missing = run(
        &["check", "--domains-file", "/nonexistent/domains.txt"],
        None,
    );
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("/nonexistent/domains.txt"));
}

#[test]
fn the_summary_counts_domains_by_worst_severity_and_lists_frequent_findings() {
    let served = mixed();
    let o = run(
        &[
            "check",
            "--domains-file",
            "-",
            "--format",
            "jsonl",
            "--only",
            "spf",
            "--nameserver",
            &served.nameserver(),
        ],
        Some(b"good1.example\ngood2.example\nneutral.example\nnospf1.example\nnospf2.example\n"),
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("5 of 5 domain(s) checked"), "{err}");
    assert!(
        err.contains("worst severity per domain: error: 2, warning: 1, clean: 2, inconclusive: 0"),
        "{err}"
    );
    // Most frequent first, each with its count.
    let top: Vec<(usize, String)> = err
        .lines()
        .skip_while(|l| !l.contains("most frequent findings:"))
        .skip(1)
        .map_while(|l| {
            let (n, id) = l.trim().split_once(char::is_whitespace)?;
            Some((n.parse().ok()?, id.trim().to_string()))
        })
        .collect();
    assert_eq!(top.first(), Some(&(2, "spf-missing".to_string())), "{err}");
    assert_eq!(top.len(), 2, "{err}");
    assert_eq!(top[1].0, 1, "{err}");
    assert!(top[1].1.starts_with("spf-"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn a_provider_include_shared_by_a_fleet_is_asked_once() {
    const N: usize = 60;
    let mut texts = vec![(
        "provider.example".to_string(),
        zone_text(
            "provider.example",
            "_spf IN TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"",
        ),
    )];
    let names: Vec<String> = (0..N).map(|i| format!("d{i}.fleet.example")).collect();
    for (i, d) in names.iter().enumerate() {
        let body =
            format!("@ IN TXT \"v=spf1 ip4:203.0.113.{i} include:_spf.provider.example -all\"");
        texts.push((d.clone(), zone_text(d, &body)));
    }
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    let served = Served::start(ServerOptions {
        zones: zones(&refs),
        root_catch_all: true,
        // Keeps the include in flight while other domains come to ask for it.
        delay: Duration::from_millis(200),
        track_questions: true,
        ..ServerOptions::default()
    });
    let mut child = mailtriage()
        .args(["check", "--domains-file", "-", "--format", "jsonl"])
        .args(["--only", "spf", "--concurrency", "20", "--fail-on", "never"])
        .args(["--nameserver", &served.nameserver()])
        .args(["--timeout", "5", "--retries", "2", "--deadline", "600"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for n in &names {
            writeln!(stdin, "{n}").unwrap();
        }
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = lines(&stdout(&o));
    assert_eq!(lines.len(), N);
    let mut include_ids = BTreeSet::new();
    for l in &lines {
        let q = l["queries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["name"] == "_spf.provider.example")
            .unwrap_or_else(|| panic!("the include is in every domain's evidence: {l}"));
        assert_eq!(q["outcome"]["kind"], "answer", "{l}");
        include_ids.insert(q["id"].as_u64().unwrap());
    }
    assert_eq!(include_ids.len(), 1, "one query, cited by every domain");
    // At the server: one query for the include, and each domain's record plus the include
    // asked, nothing else.
    assert_eq!(
        served
            .server
            .times_asked("_spf.provider.example", RType::TXT),
        1
    );
    assert_eq!(served.server.questions_seen(), N + 1);
}
