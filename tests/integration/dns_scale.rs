//! Scale: thousands of zones on one fixture server, thousands of concurrent questions.
#![allow(clippy::unwrap_used)]

use crate::common::{serve_with, zones};
use mailtriage::dns::{DnsConfig, Outcome, RType, ServerOptions};
use std::collections::HashSet;
use std::time::Duration;

/// A zone whose negative answers (the MX NODATA) stay fresh for a day, so none expires and is
/// asked again however long a loaded machine takes over the test.
fn long_lived_zone(origin: &str, body: &str) -> String {
    format!(
        "$ORIGIN {origin}.\n$TTL 86400\n@ IN SOA ns1.{origin}. hostmaster.{origin}. 1 3600 600 86400 86400\n@ IN NS ns1.{origin}.\n{body}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_zones_and_five_thousand_questions() {
    let texts: Vec<(String, String)> = (0..2000)
        .map(|i| {
            let origin = format!("d{i}.example");
            let body = format!(
                "@ IN TXT \"v=spf1 ip4:10.0.{}.{} -all\"\n@ IN A 10.1.{}.{}\n",
                i / 256,
                i % 256,
                i / 256,
                i % 256
            );
            let text = long_lived_zone(&origin, &body);
            (origin, text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    let (server, dns) = serve_with(
        ServerOptions {
            zones: zones(&refs),
            root_catch_all: true,
            track_questions: true,
            ..ServerOptions::default()
        },
        // Bounds no loaded machine reaches: the test is about answers and counts, not speed.
        DnsConfig {
            timeout: Duration::from_secs(5),
            retries: 2,
            deadline: Duration::from_secs(600),
            ..DnsConfig::default()
        },
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..2500 {
        for rtype in [RType::TXT, RType::MX] {
            let dns = dns.clone();
            tasks.push(tokio::spawn(async move {
                (
                    i,
                    rtype,
                    dns.query(&format!("d{}.example", i % 2000), rtype).await,
                )
            }));
        }
    }
    for t in tasks {
        let (i, rtype, a) = t.await.unwrap();
        match rtype {
            RType::TXT => assert_eq!(
                a.txt_strings(),
                vec![format!(
                    "v=spf1 ip4:10.0.{}.{} -all",
                    (i % 2000) / 256,
                    (i % 2000) % 256
                )],
                "{} TXT: {:?}",
                a.name,
                a.outcome
            ),
            _ => assert_eq!(a.outcome, Outcome::NoData, "{} MX", a.name),
        }
    }
    // 4000 distinct questions (the rest are cache hits), each asked once by us: one log entry
    // per question and no question twice. The server counts questions, not datagrams: with
    // thousands in flight on two busy cores, the transport resends a UDP query whose answer it
    // has not read in time, and that is not a second question.
    let log = dns.log();
    assert_eq!(log.len(), 4000);
    let asked: HashSet<(String, RType)> = log.iter().map(|e| (e.name.clone(), e.rtype)).collect();
    assert_eq!(asked.len(), 4000, "a question was asked twice");
    assert_eq!(server.questions_seen(), 4000);
}
