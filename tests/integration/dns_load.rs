//! Under load: a slow but healthy server never causes a failed lookup; a full in-flight queue
//! waits; a burst of truncated answers all arrive over TCP (once hickory's TCP send queue
//! overflowed into "mpsc::SendError ... channel is full" errors).
#![allow(clippy::unwrap_used)]

use crate::common::{serve_with, zone_text, zones};
use mailtriage::dns::{DnsConfig, Fault, FaultKind, Outcome, RType, ServerOptions};
use std::time::{Duration, Instant};

/// One zone with `n` names, each with a TXT record of its own.
fn many_names(n: usize) -> String {
    let body: String = (0..n)
        .map(|i| format!("n{i} IN TXT \"record {i}\"\n"))
        .collect();
    zone_text("load.example", &body)
}

fn patient(max_in_flight: usize) -> DnsConfig {
    DnsConfig {
        timeout: Duration::from_secs(5),
        retries: 1,
        deadline: Duration::from_secs(300),
        max_in_flight,
        ..DnsConfig::default()
    }
}

async fn ask_all(dns: &mailtriage::dns::Dns, n: usize) -> Vec<(usize, Outcome, Vec<String>)> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let dns = dns.clone();
            tokio::spawn(async move {
                let a = dns.query(&format!("n{i}.load.example"), RType::TXT).await;
                (i, a.outcome.clone(), a.txt_strings())
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn assert_all_answered(results: &[(usize, Outcome, Vec<String>)]) {
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, o, _)| *o != Outcome::Answer)
        .map(|(i, o, _)| format!("n{i}: {o:?}"))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} failed, e.g. {:?}",
        failed.len(),
        results.len(),
        &failed[..failed.len().min(5)]
    );
    for (i, _, txt) in results {
        assert_eq!(txt, &vec![format!("record {i}")]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_in_flight_queue_waits_and_every_question_is_answered() {
    let (server, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("load.example", &many_names(600))]),
            root_catch_all: true,
            delay: Duration::from_millis(40),
            ..ServerOptions::default()
        },
        patient(16),
    )
    .await;
    assert_eq!(dns.max_in_flight(), 16);
    let start = Instant::now();
    let results = ask_all(&dns, 600).await;
    let took = start.elapsed();
    assert_all_answered(&results);
    // The bound held at the server, and the questions beyond it waited their turn rather
    // than failing: 600 questions, 16 at a time, 40 ms each take at least 1.5 s.
    assert!(
        server.max_in_flight() <= 16,
        "{} in flight",
        server.max_in_flight()
    );
    assert!(server.max_in_flight() >= 8, "the queue was never full");
    assert!(took >= Duration::from_millis(1400), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_truncated_answers_all_arrive_over_tcp() {
    let n = 400;
    let faults = (0..n)
        .map(|i| Fault {
            name: format!("n{i}.load.example"),
            rtype: Some(RType::TXT),
            kind: FaultKind::Truncate,
        })
        .collect();
    let (server, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("load.example", &many_names(n))]),
            root_catch_all: true,
            delay: Duration::from_millis(20),
            faults,
            ..ServerOptions::default()
        },
        patient(mailtriage::dns::DEFAULT_MAX_IN_FLIGHT),
    )
    .await;
    let results = ask_all(&dns, n).await;
    assert_all_answered(&results);
    // Every question went over UDP first and over TCP after the truncated answer.
    assert_eq!(server.queries_received(), 2 * n);
}

/// A server whose UDP answers are all truncated and whose TCP side stops reading for `stall`
/// after accepting, through a small receive buffer: the client's TCP writes block, as they do
/// behind a busy resolver. Then it answers every question, in order, over TCP.
async fn stalling_tcp_server(stall: Duration) -> std::net::SocketAddr {
    use hickory_proto::op::{Message, OpCode};
    use hickory_proto::rr::rdata::TXT;
    use hickory_proto::rr::{RData, Record};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (udp, listener) =
        mailtriage::dns::server::bind_same_port(|tcp| tcp.set_recv_buffer_size(2048))
            .await
            .unwrap();
    let addr = udp.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = udp.recv_from(&mut buf).await {
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let mut reply = Message::response(query.metadata.id, OpCode::Query);
            reply.add_queries(query.queries.clone());
            reply.metadata.truncation = true;
            let _ = udp.send_to(&reply.to_vec().unwrap(), from).await;
        }
    });
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                tokio::time::sleep(stall).await;
                loop {
                    let mut len = [0u8; 2];
                    if stream.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
                    if stream.read_exact(&mut msg).await.is_err() {
                        return;
                    }
                    let query = Message::from_vec(&msg).unwrap();
                    let q = query.queries[0].clone();
                    let label = q.name().to_ascii();
                    let i = label
                        .trim_start_matches('n')
                        .split('.')
                        .next()
                        .unwrap()
                        .to_string();
                    let mut reply = Message::response(query.metadata.id, OpCode::Query);
                    reply.add_queries(query.queries.clone());
                    reply.add_answer(Record::from_rdata(
                        q.name().clone(),
                        300,
                        RData::TXT(TXT::new(vec![format!("record {i}")])),
                    ));
                    let bytes = reply.to_vec().unwrap();
                    let mut out = u16::try_from(bytes.len()).unwrap().to_be_bytes().to_vec();
                    out.extend(bytes);
                    if stream.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// The bulk-mode failure of issue 16: hundreds of questions down one TCP connection whose
/// writes block overflowed hickory's 32-message send queue ("channel is full"), and those
/// questions were reported as failed lookups although the server answered everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_writes_blocked_by_a_busy_server_wait_instead_of_failing() {
    let addr = stalling_tcp_server(Duration::from_millis(500)).await;
    let dns = mailtriage::dns::Dns::new(DnsConfig {
        nameservers: vec![addr],
        ..patient(mailtriage::dns::DEFAULT_MAX_IN_FLIGHT)
    })
    .await
    .unwrap();
    let results = ask_all(&dns, 600).await;
    assert_all_answered(&results);
}
