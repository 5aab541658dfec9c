//! Bulk mode against a misbehaving server: every domain gets exactly one JSON line, DNS trouble
//! is inconclusive (never "missing"), the run ends in time, and Ctrl-C keeps what was written.
#![allow(clippy::unwrap_used)]

use crate::cli_support::{Served, mailtriage, run};
use crate::common::{zone_text, zones};
use mailtriage::dns::{Fault, FaultKind, RType, ServerOptions};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

const SHARED_SPF: &str = "v=spf1 ip4:192.0.2.0/24 ~all";

/// `n` small sending domains that all include one shared provider record.
fn fleet(n: usize) -> (Vec<String>, Vec<(String, String)>) {
    let mut names = Vec::new();
    let mut texts = vec![(
        "provider.example".to_string(),
        zone_text("provider.example", &format!("_spf IN TXT \"{SHARED_SPF}\"")),
    )];
    for i in 0..n {
        let d = format!("d{i}.fleet.example");
        let body = format!(
            "@ IN TXT \"{}\"\n@ IN MX 10 mx.{d}.\nmx IN A 198.51.100.{}\n_dmarc IN TXT \"v=DMARC1; p=none\"\ns1._domainkey IN TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzKX141xwhJroRq\"",
            spf(i),
            i % 250
        );
        texts.push((d.clone(), zone_text(&d, &body)));
        names.push(d);
    }
    (names, texts)
}

fn spf(i: usize) -> String {
    format!(
        "v=spf1 ip4:203.0.113.{} include:_spf.provider.example -all",
        i % 250
    )
}

fn serve(texts: &[(String, String)], opts: ServerOptions) -> Served {
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    Served::start(ServerOptions {
        zones: zones(&refs),
        root_catch_all: true,
        ..opts
    })
}

fn outcome_kind(q: &Value) -> &str {
    q["outcome"]["kind"].as_str().unwrap_or("")
}

#[test]
fn every_domain_gets_one_line_under_timeouts_and_servfails() {
    let (names, texts) = fleet(200);
    let served = serve(
        &texts,
        ServerOptions {
            // 10% of questions never answered, 5% SERVFAIL; decided per (name, type).
            random_faults: Some((0.10, 0.05, 7)),
            ..ServerOptions::default()
        },
    );
    let ns = served.nameserver();
    let mut child = mailtriage()
        .args([
            "check",
            "--domains-file",
            "-",
            "--format",
            "jsonl",
            "--fail-on",
            "never",
        ])
        .args(["--nameserver", &ns, "--timeout", "0.2", "--retries", "0"])
        .args(["--deadline", "3", "--concurrency", "100"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    {
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "# the fleet, one per line").unwrap();
        for n in &names {
            writeln!(stdin, "{n}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        elapsed < Duration::from_secs(10),
        "took {elapsed:?}; stderr: {stderr}"
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{:?}: {stderr}",
        out.status
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), names.len(), "one line per domain");
    let seen: BTreeSet<&str> = lines
        .iter()
        .map(|l| l["domain"].as_str().unwrap())
        .collect();
    assert_eq!(
        seen,
        names.iter().map(String::as_str).collect(),
        "none lost or duplicated"
    );

    let mut troubled_roots = 0;
    let mut troubled_any = 0;
    for l in &lines {
        assert_eq!(l["schema"], "mailtriage.check/v1");
        let d = l["domain"].as_str().unwrap();
        let queries = l["queries"].as_array().unwrap();
        if queries
            .iter()
            .any(|q| matches!(outcome_kind(q), "timeout" | "servfail"))
        {
            troubled_any += 1;
        }
        let root = queries
            .iter()
            .find(|q| q["name"] == d && q["rtype"] == "TXT")
            .unwrap_or_else(|| panic!("{d}: its TXT question is not in the log: {l}"));
        let findings = l["findings"].as_array().unwrap();
        let spf_inconclusive = findings
            .iter()
            .any(|f| f["check"] == "spf" && f["inconclusive"] == true);
        let missing = findings.iter().any(|f| f["id"] == "spf-missing");
        match outcome_kind(root) {
            "timeout" | "servfail" => {
                troubled_roots += 1;
                assert!(
                    spf_inconclusive,
                    "{d}: SPF lookup failed but not inconclusive: {l}"
                );
                assert!(
                    !missing,
                    "{d}: a failed lookup reported as a missing record: {l}"
                );
                assert!(l["spf"]["record"].is_null(), "{d}: {l}");
            }
            "answer" => {
                let i: usize = d[1..d.find('.').unwrap()].parse().unwrap();
                assert_eq!(l["spf"]["record"], spf(i), "{d}");
            }
            other => panic!("{d}: unexpected outcome {other} for its TXT question: {l}"),
        }
    }
    // The faults really happened, so the assertions above were exercised.
    assert!(
        troubled_roots >= 5,
        "only {troubled_roots} root TXT lookups failed"
    );
    assert!(
        troubled_any >= 100,
        "only {troubled_any} domains saw a fault"
    );
    assert!(stderr.contains("200 of 200 domain(s) checked"), "{stderr}");
}

#[test]
fn ctrl_c_stops_and_keeps_complete_lines() {
    let (names, texts) = fleet(400);
    let served = serve(
        &texts,
        ServerOptions {
            delay: Duration::from_millis(40),
            ..ServerOptions::default()
        },
    );
    let ns = served.nameserver();
    let mut child = mailtriage()
        .args([
            "check",
            "--domains-file",
            "-",
            "--format",
            "jsonl",
            "--fail-on",
            "never",
        ])
        .args(["--nameserver", &ns, "--concurrency", "4"])
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
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut line = String::new();
    while lines.len() < 5 {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "output ended early"
        );
        lines.push(line.clone());
    }
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopped = Instant::now();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "did not stop promptly"
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    lines.extend(rest.lines().map(|l| format!("{l}\n")));
    assert!(lines.len() < names.len(), "the run was not stopped early");
    let mut seen = BTreeSet::new();
    for l in &lines {
        assert!(l.ends_with('\n'), "a partial line was written: {l}");
        let v: Value = serde_json::from_str(l.trim_end()).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(seen.insert(v["domain"].as_str().unwrap().to_string()));
    }
    assert!(
        stderr.contains(&format!(
            "{} of {} domain(s) checked",
            lines.len(),
            names.len()
        )),
        "{stderr}"
    );
}

/// One domain's `--deadline` cuts a question short; the next domain, which has time left,
/// must get the real answer, not that timeout from the shared cache.
#[test]
fn a_timeout_one_domains_deadline_caused_is_not_served_to_the_next() {
    let mut texts = vec![(
        "provider.example".to_string(),
        zone_text(
            "provider.example",
            "_spf IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
        ),
    )];
    for d in ["first.example", "second.example"] {
        let body = "@ IN TXT \"v=spf1 include:_spf.provider.example -all\"";
        texts.push((d.to_string(), zone_text(d, body)));
    }
    // The include answers after 5 s; each domain may take 3.5 s. The first domain gives up on
    // it at 3.5 s; the second starts then (one domain at a time) and, still within its own
    // 3.5 s, gets the answer of the query already in flight at 5 s.
    let served = serve(
        &texts,
        ServerOptions {
            faults: vec![Fault {
                name: "_spf.provider.example".into(),
                rtype: Some(RType::TXT),
                kind: FaultKind::Slow(Duration::from_secs(5)),
            }],
            track_questions: true,
            ..ServerOptions::default()
        },
    );
    let ns = served.nameserver();
    let o = run(
        &[
            "check",
            "--domains-file",
            "-",
            "--format",
            "jsonl",
            "--only",
            "spf",
            "--fail-on",
            "never",
            "--concurrency",
            "1",
            "--deadline",
            "3.5",
            "--timeout",
            "10",
            "--retries",
            "0",
            "--nameserver",
            &ns,
        ],
        Some(b"first.example\nsecond.example\n"),
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    let stdout = String::from_utf8(o.stdout.clone()).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    let include = |l: &Value| {
        l["queries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["name"] == "_spf.provider.example")
            .cloned()
            .unwrap_or_else(|| panic!("the include was asked: {l}"))
    };
    let first = &lines[0];
    assert_eq!(first["domain"], "first.example");
    let cut = include(first);
    assert_eq!(outcome_kind(&cut), "timeout", "{first}");
    assert!(
        cut["resolver"]
            .as_str()
            .unwrap()
            .contains("deadline passed"),
        "{cut}"
    );

    let second = &lines[1];
    assert_eq!(second["domain"], "second.example");
    assert_eq!(outcome_kind(&include(second)), "answer", "{second}");
    assert!(
        second["queries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| outcome_kind(q) == "answer"),
        "a timeout it never experienced is in its evidence: {second}"
    );
    let findings = second["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["inconclusive"] != true),
        "{second}"
    );
    // The second domain waited on the first one's query rather than asking again.
    assert_eq!(
        served
            .server
            .times_asked("_spf.provider.example", RType::TXT),
        1
    );
}
