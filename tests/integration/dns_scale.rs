//! Scale: thousands of zones on one fixture server, thousands of concurrent questions.
#![allow(clippy::unwrap_used)]

use crate::common::{serve_with, zone_text, zones};
use mailtriage::dns::{DnsConfig, Outcome, RType, ServerOptions};
use std::time::Duration;

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
            let text = zone_text(&origin, &body);
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
            ..ServerOptions::default()
        },
        DnsConfig {
            timeout: Duration::from_secs(5),
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
                )]
            ),
            _ => assert_eq!(a.outcome, Outcome::NoData),
        }
    }
    // 4000 distinct questions (the rest are cache hits), each asked exactly once. The server
    // may count a few more datagrams: with thousands in flight on two busy cores, the
    // resolver's transport resends a UDP query whose answer it has not read in time.
    assert_eq!(dns.log().len(), 4000);
    let received = server.queries_received();
    assert!(
        (4000..4000 + 4000 / 20).contains(&received),
        "{received} queries reached the server for 4000 questions"
    );
}
