//! The run's cache: one query per question, shared by clones, TTL respected, negatives cached.
#![allow(clippy::unwrap_used)]

use crate::common::{serve_with, zone_text, zones};
use mailtriage::dns::{Dns, DnsConfig, DnsServer, Outcome, RType, ServerOptions};
use std::time::Duration;

fn zone() -> String {
    zone_text(
        "example.com",
        "@ IN TXT \"v=spf1 -all\"\nshort 3 IN TXT \"three seconds\"\n",
    )
}

/// The example zone, with the server counting the queries each question arrives in.
fn counted(delay: Duration) -> ServerOptions {
    ServerOptions {
        zones: zones(&[("example.com", &zone())]),
        root_catch_all: true,
        delay,
        track_questions: true,
        ..ServerOptions::default()
    }
}

/// Generous client bounds: under load a slow answer must not turn into a timeout.
fn patient() -> DnsConfig {
    DnsConfig {
        timeout: Duration::from_secs(5),
        retries: 2,
        deadline: Duration::from_secs(600),
        ..DnsConfig::default()
    }
}

async fn serve_counted(delay: Duration) -> (DnsServer, Dns) {
    serve_with(counted(delay), patient()).await
}

#[tokio::test]
async fn fifty_concurrent_identical_questions_send_one_query() {
    // A delay keeps the first query in flight while the others arrive.
    let (server, dns) = serve_counted(Duration::from_millis(200)).await;
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
    // Counted in queries, not datagrams: the transport may resend a query it has waited on.
    assert_eq!(server.times_asked("example.com", RType::TXT), 1);
    assert_eq!(server.questions_seen(), 1);
}

#[tokio::test]
async fn negative_answers_are_cached() {
    let (server, dns) = serve_counted(Duration::ZERO).await;
    let a = dns.query("missing.example.com", RType::TXT).await;
    let b = dns.query("missing.example.com", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::NxDomain);
    assert_eq!(a.id, b.id);
    assert_eq!(server.times_asked("missing.example.com", RType::TXT), 1);
    // A different type is a different question.
    dns.query("missing.example.com", RType::A).await;
    assert_eq!(dns.log().len(), 2);
}

#[tokio::test]
async fn expired_answers_are_asked_again() {
    let (server, dns) = serve_counted(Duration::ZERO).await;
    let a = dns.query("short.example.com", RType::TXT).await;
    assert_eq!(a.ttl, Some(3));
    let again = dns.query("short.example.com", RType::TXT).await;
    assert_eq!(again.id, a.id, "still fresh");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let later = dns.query("short.example.com", RType::TXT).await;
    assert_ne!(later.id, a.id);
    assert_eq!(server.times_asked("short.example.com", RType::TXT), 2);
    let log = dns.log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].id, 1);
}

#[tokio::test]
async fn server_delay_is_per_request_not_serialised() {
    let (server, dns) = serve_counted(Duration::from_millis(500)).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let dns = dns.clone();
            tokio::spawn(async move { dns.query(&format!("n{i}.example.com"), RType::A).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().outcome, Outcome::NxDomain);
    }
    assert_eq!(server.questions_seen(), 20);
    // Measured at the server, not on the clock: a server that waited out one request's delay
    // before taking the next would never hold two at once, however fast or slow the machine.
    assert!(
        server.max_in_flight() >= 2,
        "the server handled the 20 questions one at a time"
    );
}

/// Bulk mode: each domain has its own deadline over one shared cache. The domain whose
/// deadline cut a question short must not hand that timeout to a domain with time left.
#[tokio::test]
async fn a_domain_with_time_left_gets_the_answer_another_domains_deadline_cut_off() {
    // Every answer takes a second: far longer than the hurried domain's deadline.
    let (server, dns) = serve_counted(Duration::from_secs(1)).await;
    let hurried = dns.scoped(Some(Duration::from_millis(200)));
    let patient = dns.scoped(Some(Duration::from_secs(600)));
    let (cut, answered) = tokio::join!(
        hurried.query("example.com", RType::TXT),
        patient.query("example.com", RType::TXT)
    );
    assert_eq!(cut.outcome, Outcome::Timeout);
    assert_eq!(answered.outcome, Outcome::Answer);
    assert_eq!(answered.txt_strings(), vec!["v=spf1 -all"]);

    // Each domain's evidence shows what it experienced, and only that.
    let hurried_log = hurried.log_entries(&hurried.scope_ids());
    assert_eq!(hurried_log.len(), 1);
    assert_eq!(hurried_log[0].outcome, Outcome::Timeout);
    assert!(
        hurried_log[0].resolver.contains("deadline passed"),
        "{}",
        hurried_log[0].resolver
    );
    let patient_log = patient.log_entries(&patient.scope_ids());
    assert_eq!(patient_log.len(), 1);
    assert_eq!(patient_log[0].outcome, Outcome::Answer);

    // The cut was not cached: the next domain, however hurried, gets the answer now held.
    let next = dns.scoped(Some(Duration::from_millis(200)));
    assert_eq!(
        next.query("example.com", RType::TXT).await.outcome,
        Outcome::Answer
    );
    // And nobody asked the server twice: the patient domain waited on the query already sent.
    assert_eq!(server.times_asked("example.com", RType::TXT), 1);
}

/// A domain that finds its deadline already passed does not send the question, and its
/// "not sent" timeout is not served to the domains after it.
#[tokio::test]
async fn a_question_not_sent_after_a_deadline_is_not_shared() {
    let (server, dns) = serve_counted(Duration::ZERO).await;
    let expired = dns.scoped(Some(Duration::ZERO));
    let a = expired.query("example.com", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Timeout);
    let log = expired.log_entries(&[a.id]);
    assert_eq!(log[0].resolver, "deadline passed: not sent");
    assert_eq!(server.times_asked("example.com", RType::TXT), 0);
    let b = dns
        .scoped(Some(Duration::from_secs(600)))
        .query("example.com", RType::TXT)
        .await;
    assert_eq!(b.outcome, Outcome::Answer);
}
