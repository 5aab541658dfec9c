//! Every DNS outcome, end to end over UDP/TCP against the fixture server.
#![allow(clippy::unwrap_used)]

use crate::common::{self, quick, serve, serve_with, zone_text, zones};
use mailtriage::dns::{
    Dns, DnsConfig, DnsServer, Fault, FaultKind, Outcome, RType, Rdata, ServerOptions,
};
use std::time::{Duration, Instant};

fn example() -> String {
    zone_text(
        "example.com",
        r#"
@        IN A     192.0.2.1
@        IN MX    10 mx1.example.com.
@        IN TXT   "v=spf1 ip4:192.0.2.0/24 -all"
mx1      IN A     192.0.2.25
www      IN CNAME alias.example.com.
alias    IN CNAME host.example.com.
host     IN A     192.0.2.80
loop1    IN CNAME loop2.example.com.
loop2    IN CNAME loop1.example.com.
sel._domainkey IN TXT "v=DKIM1; p=abc"
nullmx   IN MX    0 .
v6       IN AAAA  2001:db8::25
"#,
    )
}

async fn example_server() -> (DnsServer, Dns) {
    serve(&[("example.com", &example())]).await
}

async fn faulty(name: &str, rtype: Option<RType>, kind: FaultKind) -> (DnsServer, Dns) {
    serve_with(
        ServerOptions {
            zones: zones(&[("example.com", &example())]),
            root_catch_all: true,
            faults: vec![Fault {
                name: name.into(),
                rtype,
                kind,
            }],
            ..ServerOptions::default()
        },
        quick(),
    )
    .await
}

#[tokio::test]
async fn answer_carries_records_ttl_and_log_entry() {
    let (server, dns) = example_server().await;
    let a = dns.query("Example.COM.", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer);
    assert_eq!(a.name, "example.com");
    assert_eq!(a.txt_strings(), vec!["v=spf1 ip4:192.0.2.0/24 -all"]);
    assert_eq!(a.ttl, Some(300));
    let log = dns.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[a.id].answers, vec![r#""v=spf1 ip4:192.0.2.0/24 -all""#]);
    assert_eq!(log[a.id].resolver, server.addr().to_string());
    let ts = &log[a.id].started_at;
    assert!(
        ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
        "{ts}"
    );

    let mx = dns.query("example.com", RType::MX).await;
    assert_eq!(
        mx.records,
        vec![Rdata::MX {
            preference: 10,
            exchange: "mx1.example.com".into()
        }]
    );
    assert_eq!(mx.id, 1);
}

#[tokio::test]
async fn null_mx_has_empty_exchange() {
    let (_s, dns) = example_server().await;
    let a = dns.query("nullmx.example.com", RType::MX).await;
    assert_eq!(
        a.records,
        vec![Rdata::MX {
            preference: 0,
            exchange: String::new()
        }]
    );
}

#[tokio::test]
async fn nxdomain_inside_and_outside_the_zone() {
    let (_s, dns) = example_server().await;
    let inside = dns.query("nope.example.com", RType::TXT).await;
    assert_eq!(inside.outcome, Outcome::NxDomain);
    // Negative TTL from the SOA: min(SOA TTL 300, minimum 60).
    assert_eq!(inside.ttl, Some(60));
    let outside = dns.query("elsewhere.test", RType::A).await;
    assert_eq!(outside.outcome, Outcome::NxDomain);
}

#[tokio::test]
async fn nodata_for_missing_type_and_empty_non_terminal() {
    let (_s, dns) = example_server().await;
    assert_eq!(
        dns.query("mx1.example.com", RType::TXT).await.outcome,
        Outcome::NoData
    );
    // _domainkey exists only because sel._domainkey does.
    assert_eq!(
        dns.query("_domainkey.example.com", RType::TXT)
            .await
            .outcome,
        Outcome::NoData
    );
    // An ancestor of a served zone exists too (root catch-all).
    assert_eq!(dns.query("com", RType::TXT).await.outcome, Outcome::NoData);
}

#[tokio::test]
async fn servfail_and_refused_are_distinct() {
    let (_s, dns) = faulty("example.com", Some(RType::TXT), FaultKind::ServFail).await;
    let a = dns.query("example.com", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::ServFail(None));
    assert!(a.outcome.is_trouble());
    // The fault is per type: MX still answers.
    assert_eq!(
        dns.query("example.com", RType::MX).await.outcome,
        Outcome::Answer
    );

    let (_s, dns) = faulty("example.com", None, FaultKind::Refused).await;
    assert_eq!(
        dns.query("example.com", RType::TXT).await.outcome,
        Outcome::Refused(None)
    );
}

#[tokio::test]
async fn refused_outside_zones_without_catch_all() {
    let (_s, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("example.com", &example())]),
            ..ServerOptions::default()
        },
        DnsConfig::default(),
    )
    .await;
    assert_eq!(
        dns.query("other.test", RType::A).await.outcome,
        Outcome::Refused(None)
    );
}

#[tokio::test]
async fn timeout_after_per_attempt_timeout_and_retries() {
    let (server, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("example.com", &example())]),
            root_catch_all: true,
            faults: vec![Fault {
                name: "example.com".into(),
                rtype: Some(RType::TXT),
                kind: FaultKind::Timeout,
            }],
            track_questions: true,
            ..ServerOptions::default()
        },
        DnsConfig {
            timeout: Duration::from_millis(300),
            retries: 1,
            ..DnsConfig::default()
        },
    )
    .await;
    let start = Instant::now();
    let a = dns.query("example.com", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Timeout);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(550), "{took:?}");
    // One attempt plus one retry, then it gave up (a transport resend within an attempt is the
    // same query and counts once).
    assert_eq!(server.times_asked("example.com", RType::TXT), 2);
    // The resolver's own timeout, not the deadline: the evidence says which.
    assert!(!dns.log()[a.id].resolver.contains("deadline"));
}

#[tokio::test]
async fn overall_deadline_turns_every_question_into_a_timeout() {
    let (server, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("example.com", &example())]),
            root_catch_all: true,
            faults: vec![Fault {
                name: "slow.example.com".into(),
                rtype: None,
                kind: FaultKind::Timeout,
            }],
            track_questions: true,
            ..ServerOptions::default()
        },
        DnsConfig {
            timeout: Duration::from_secs(60),
            retries: 0,
            deadline: Duration::from_millis(400),
            ..DnsConfig::default()
        },
    )
    .await;
    let a = dns.query("slow.example.com", RType::A).await;
    assert_eq!(a.outcome, Outcome::Timeout);
    // Ended by the deadline, not by the minute-long per-query timeout.
    assert!(
        dns.log()[a.id].resolver.contains("deadline passed"),
        "{}",
        dns.log()[a.id].resolver
    );
    let b = dns.query("example.com", RType::A).await;
    assert_eq!(b.outcome, Outcome::Timeout);
    // After the deadline nothing is sent at all.
    assert_eq!(dns.log()[b.id].resolver, "deadline passed: not sent");
    assert_eq!(server.times_asked("example.com", RType::A), 0);
}

#[tokio::test]
async fn truncated_udp_answer_is_retried_over_tcp() {
    let (server, dns) = faulty("example.com", Some(RType::TXT), FaultKind::Truncate).await;
    let a = dns.query("example.com", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer);
    assert_eq!(a.txt_strings(), vec!["v=spf1 ip4:192.0.2.0/24 -all"]);
    assert_eq!(server.queries_received(), 2, "one UDP, one TCP");
}

#[tokio::test]
async fn wrong_type_answer_is_an_error_not_absence() {
    let (_s, dns) = faulty("example.com", Some(RType::TXT), FaultKind::WrongType).await;
    let a = dns.query("example.com", RType::TXT).await;
    assert!(matches!(a.outcome, Outcome::Error(_)), "{:?}", a.outcome);
    assert!(a.records.is_empty());
}

#[tokio::test]
async fn records_for_another_name_are_an_error_not_absence() {
    let (_s, dns) = faulty("example.com", Some(RType::TXT), FaultKind::OtherName).await;
    let a = dns.query("example.com", RType::TXT).await;
    assert!(a.outcome.is_trouble(), "{:?}", a.outcome);
    assert!(a.records.is_empty());
    match &a.outcome {
        Outcome::Error(m) => assert!(m.contains("other.invalid"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Through a CNAME chain the records at the chain's end are the answer.
    let (_s, dns) = example_server().await;
    let www = dns.query("www.example.com", RType::A).await;
    assert_eq!(www.outcome, Outcome::Answer);
}

#[tokio::test]
async fn nxdomain_with_records_is_a_contradiction_not_an_answer() {
    let (_s, dns) = faulty(
        "example.com",
        Some(RType::TXT),
        FaultKind::NxDomainWithRecords,
    )
    .await;
    let a = dns.query("example.com", RType::TXT).await;
    assert!(a.outcome.is_trouble(), "{:?}", a.outcome);
    assert!(a.records.is_empty(), "{:?}", a.records);
    assert!(!a.outcome.is_absent());
}

#[tokio::test]
async fn cname_chain_is_followed_and_recorded() {
    let (_s, dns) = example_server().await;
    let a = dns.query("www.example.com", RType::A).await;
    assert_eq!(a.outcome, Outcome::Answer);
    assert_eq!(
        a.ips(),
        vec!["192.0.2.80".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(a.cname_chain, vec!["alias.example.com", "host.example.com"]);
    assert_eq!(dns.log()[a.id].cname_chain, a.cname_chain);

    // A CNAME to a name without the asked type is NODATA, chain still shown.
    let t = dns.query("www.example.com", RType::TXT).await;
    assert_eq!(t.outcome, Outcome::NoData);
    assert_eq!(t.cname_chain, vec!["alias.example.com", "host.example.com"]);
}

#[tokio::test]
async fn cname_loop_terminates() {
    let (_s, dns) = example_server().await;
    let start = Instant::now();
    let a = dns.query("loop1.example.com", RType::A).await;
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(&a.outcome, Outcome::Error(m) if m.contains("CNAME loop")),
        "{:?}",
        a.outcome
    );
    assert!(a.records.is_empty());
    assert!(a.cname_chain.len() <= 16);
}

#[tokio::test]
async fn large_txt_answers_arrive_whole_and_oversized_ones_are_trouble() {
    // ~60 KB in one record: truncated over UDP, complete over TCP.
    let chunk = "k".repeat(250);
    let strings: Vec<String> = (0..240).map(|_| format!("\"{chunk}\"")).collect();
    let big = format!("big IN TXT ( {} )", strings.join("\n    "));
    // ~75 KB across records: cannot fit in one DNS message at all.
    let huge: String = (0..300)
        .map(|i| format!("huge IN TXT \"{i:03}{}\"\n", &chunk[..247]))
        .collect();
    let text = zone_text("example.com", &format!("{big}\n{huge}"));
    let (_s, dns) = serve(&[("example.com", &text)]).await;
    let a = dns.query("big.example.com", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer);
    assert_eq!(a.txt_strings()[0].len(), 240 * 250);
    let b = dns.query("huge.example.com", RType::TXT).await;
    assert!(b.outcome.is_trouble(), "{:?}", b.outcome);
    assert!(b.records.is_empty());
}

#[tokio::test]
async fn reverse_lookups_for_ipv4_and_ipv6() {
    let v4 = "$ORIGIN 2.0.192.in-addr.arpa.\n@ IN SOA ns.example.com. h.example.com. 1 2 3 4 5\n25 IN PTR mx1.example.com.\n";
    let v6 = "$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n@ IN SOA ns.example.com. h.example.com. 1 2 3 4 5\n5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR V6.Example.com.\n";
    let (_s, dns) = serve(&[
        ("2.0.192.in-addr.arpa", v4),
        ("8.b.d.0.1.0.0.2.ip6.arpa", v6),
    ])
    .await;
    let a = dns.reverse("192.0.2.25".parse().unwrap()).await;
    assert_eq!(a.name, "25.2.0.192.in-addr.arpa");
    assert_eq!(a.records, vec![Rdata::PTR("mx1.example.com".into())]);
    let b = dns.reverse("2001:db8::25".parse().unwrap()).await;
    assert_eq!(b.records, vec![Rdata::PTR("v6.example.com".into())]);
    let c = dns.reverse("192.0.2.99".parse().unwrap()).await;
    assert_eq!(c.outcome, Outcome::NxDomain);
}

#[tokio::test]
async fn invalid_names_are_errors_not_panics() {
    let (_s, dns) = example_server().await;
    let long = format!("{}.example.com", "a".repeat(70));
    for name in [long.as_str(), "a..b", "bad name with spaces.example.com"] {
        let a = dns.query(name, RType::TXT).await;
        assert!(
            a.outcome.is_trouble() || a.outcome.is_absent(),
            "{name}: {:?}",
            a.outcome
        );
    }
    let _ = common::quick();
}

#[tokio::test]
async fn random_faults_are_deterministic_per_question() {
    let names: Vec<String> = (0..60).map(|i| format!("h{i}.example.com")).collect();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let (_s, dns) = serve_with(
            ServerOptions {
                zones: zones(&[("example.com", &example())]),
                root_catch_all: true,
                random_faults: Some((0.2, 0.3, 42)),
                ..ServerOptions::default()
            },
            DnsConfig {
                timeout: Duration::from_millis(200),
                retries: 0,
                ..DnsConfig::default()
            },
        )
        .await;
        let tasks: Vec<_> = names
            .iter()
            .map(|n| {
                let dns = dns.clone();
                let n = n.clone();
                tokio::spawn(async move { dns.query(&n, RType::A).await.outcome.clone() })
            })
            .collect();
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        runs.push(outcomes);
    }
    assert_eq!(runs[0], runs[1]);
    let count = |o: &Outcome| runs[0].iter().filter(|x| *x == o).count();
    assert!(count(&Outcome::Timeout) > 0 && count(&Outcome::ServFail(None)) > 0);
    assert!(count(&Outcome::NxDomain) > 10);
}
