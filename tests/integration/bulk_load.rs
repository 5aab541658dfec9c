//! Bulk mode against a slow but healthy server: with hundreds of domains in flight, no domain
//! gets a failed lookup (what 20 ms per answer used to cause, issue 16).
#![allow(clippy::unwrap_used)]

use crate::checks_support::KEY_2048_TXT;
use crate::cli_support::{Served, mailtriage};
use crate::common::{zone_text, zones};
use mailtriage::dns::{Fault, FaultKind, RType, ServerOptions};
use serde_json::Value;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

/// `n` domains, each with SPF (one shared include), MX, DMARC and a DKIM key, and a few whose
/// SPF answer is truncated over UDP, so TCP carries part of the load too.
fn fleet(n: usize) -> (Vec<String>, Vec<(String, String)>, Vec<Fault>) {
    let mut names = Vec::new();
    let mut faults = Vec::new();
    let mut texts = vec![(
        "provider.example".to_string(),
        zone_text(
            "provider.example",
            "_spf IN TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"",
        ),
    )];
    for i in 0..n {
        let d = format!("d{i}.fleet.example");
        let body = format!(
            "@ IN TXT \"v=spf1 include:_spf.provider.example -all\"\n@ IN MX 10 mx.{d}.\nmx IN A 198.51.100.{}\n_dmarc IN TXT \"v=DMARC1; p=reject\"\ns1._domainkey IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )",
            i % 250
        );
        texts.push((d.clone(), zone_text(&d, &body)));
        if i % 10 == 0 {
            faults.push(Fault {
                name: d.clone(),
                rtype: Some(RType::TXT),
                kind: FaultKind::Truncate,
            });
        }
        names.push(d);
    }
    (names, texts, faults)
}

#[test]
fn a_slow_healthy_server_with_many_domains_in_flight_gives_no_failed_lookup() {
    let (names, texts, faults) = fleet(300);
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    let served = Served::start(ServerOptions {
        zones: zones(&refs),
        root_catch_all: true,
        delay: Duration::from_millis(25),
        faults,
        ..ServerOptions::default()
    });
    let mut child = mailtriage()
        .args(["check", "--domains-file", "-", "--format", "jsonl"])
        .args(["--fail-on", "never", "--concurrency", "300"])
        .args(["--nameserver", &served.nameserver()])
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
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), names.len(), "{stderr}");
    for l in &lines {
        let troubled: Vec<&Value> = l["queries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| {
                !matches!(
                    q["outcome"]["kind"].as_str(),
                    Some("answer" | "nxdomain" | "nodata")
                )
            })
            .collect();
        assert!(troubled.is_empty(), "{}: {troubled:?}", l["domain"]);
        let inconclusive: Vec<&Value> = l["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["inconclusive"] == true)
            .collect();
        assert!(inconclusive.is_empty(), "{}: {inconclusive:?}", l["domain"]);
        // Each domain's real facts, not a lookup failure in their place.
        assert_eq!(
            l["spf"]["record"],
            "v=spf1 include:_spf.provider.example -all"
        );
        assert_eq!(l["dkim"]["selectors"][0]["selector"], "s1");
    }
    assert!(stderr.contains("inconclusive: 0"), "{stderr}");
    // The run overlapped the domains: 300 of them one after another would take far longer.
    assert!(
        served.server.max_in_flight() > 50,
        "{}",
        served.server.max_in_flight()
    );
}
