//! The run's cache: one query per question, shared by clones, TTL respected, negatives cached.
#![allow(clippy::unwrap_used)]

use crate::common::{serve, serve_with, zone_text, zones};
use mailtriage::dns::{DnsConfig, Outcome, RType, ServerOptions};
use std::time::Duration;

fn zone() -> String {
    zone_text(
        "example.com",
        "@ IN TXT \"v=spf1 -all\"\nshort 1 IN TXT \"one second\"\n",
    )
}

#[tokio::test]
async fn fifty_concurrent_identical_questions_send_one_query() {
    // A delay keeps the first query in flight while the others arrive.
    let (server, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("example.com", &zone())]),
            root_catch_all: true,
            delay: Duration::from_millis(200),
            ..ServerOptions::default()
        },
        DnsConfig::default(),
    )
    .await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let dns = dns.clone();
            let name = if i % 2 == 0 {
                "example.com"
            } else {
                "EXAMPLE.com."
            };
            tokio::spawn(async move { dns.query(name, RType::TXT).await })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        let a = t.await.unwrap();
        assert_eq!(a.outcome, Outcome::Answer);
        ids.push(a.id);
    }
    assert!(ids.iter().all(|&id| id == 0));
    assert_eq!(dns.log().len(), 1);
    assert_eq!(server.queries_received(), 1);
}

#[tokio::test]
async fn negative_answers_are_cached() {
    let (server, dns) = serve(&[("example.com", &zone())]).await;
    let a = dns.query("missing.example.com", RType::TXT).await;
    let b = dns.query("missing.example.com", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::NxDomain);
    assert_eq!(a.id, b.id);
    assert_eq!(server.queries_received(), 1);
    // A different type is a different question.
    dns.query("missing.example.com", RType::A).await;
    assert_eq!(dns.log().len(), 2);
}

#[tokio::test]
async fn expired_answers_are_asked_again() {
    let (server, dns) = serve(&[("example.com", &zone())]).await;
    let a = dns.query("short.example.com", RType::TXT).await;
    assert_eq!(a.ttl, Some(1));
    let again = dns.query("short.example.com", RType::TXT).await;
    assert_eq!(again.id, a.id, "still fresh");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let later = dns.query("short.example.com", RType::TXT).await;
    assert_ne!(later.id, a.id);
    assert_eq!(server.queries_received(), 2);
    let log = dns.log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].id, 1);
}

#[tokio::test]
async fn server_delay_is_per_request_not_serialised() {
    let (_server, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("example.com", &zone())]),
            root_catch_all: true,
            delay: Duration::from_millis(300),
            ..ServerOptions::default()
        },
        DnsConfig::default(),
    )
    .await;
    let start = std::time::Instant::now();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let dns = dns.clone();
            tokio::spawn(async move { dns.query(&format!("n{i}.example.com"), RType::A).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().outcome, Outcome::NxDomain);
    }
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
}
