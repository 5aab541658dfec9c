//! Hostile servers, round 2: a UDP answer to another question, negative answers under another
//! opcode, names in another letter case, lame servers, servers that reject EDNS, and byte-level
//! damage (an answer cut mid-record without TC, a compression-pointer loop, an over-long name).
//! Each is DNS trouble reported at once, or, where the RFCs say so, the answer.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{fault, good_served, good_zone, has, lacks, only, run_faults, variant};
use crate::cli_support::{code, json, run};
use hickory_proto::op::{Message, OpCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record};
use mailtriage::dns::{Dns, DnsConfig, DnsServer, FaultKind, Outcome, QuestionFault, RType};
use mailtriage::finding::Check;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Two seconds per question, no retry: an answer reported "at once" arrives well inside it.
fn patient() -> DnsConfig {
    DnsConfig {
        timeout: Duration::from_secs(2),
        retries: 0,
        ..DnsConfig::default()
    }
}

async fn good_with(faults: Vec<mailtriage::dns::Fault>, track: bool) -> (DnsServer, Dns) {
    good_served(faults, track, patient()).await
}

#[tokio::test]
async fn a_udp_answer_to_another_question_is_reported_at_once_not_as_a_timeout() {
    for what in [
        QuestionFault::Name,
        QuestionFault::Type,
        QuestionFault::Class,
        QuestionFault::Empty,
    ] {
        let kind = FaultKind::WrongQuestionUdp(what);
        let (_s, dns) = good_with(vec![fault("good.example", None, kind)], false).await;
        for rtype in [RType::TXT, RType::AAAA] {
            let started = Instant::now();
            let a = dns.query("good.example", rtype).await;
            let Outcome::Error(why) = &a.outcome else {
                panic!("{what:?} {rtype:?}: {:?}", a.outcome)
            };
            assert!(why.contains("question"), "{what:?}: {why}");
            assert!(a.records.is_empty());
            // Before, hickory dropped the answer and waited out the 2 s timeout.
            assert!(started.elapsed() < Duration::from_secs(1), "{what:?}");
        }
    }
}

#[tokio::test]
async fn nxdomain_and_nodata_under_opcode_status_are_trouble_not_absence() {
    let faults = vec![
        fault("nothere.good.example", None, FaultKind::Opcode),
        fault("good.example", Some(RType::AAAA), FaultKind::Opcode),
    ];
    let (_s, dns) = good_with(faults, false).await;
    for (name, rtype) in [
        ("nothere.good.example", RType::TXT),
        ("good.example", RType::AAAA),
    ] {
        let a = dns.query(name, rtype).await;
        let Outcome::Error(why) = &a.outcome else {
            panic!("{name} {rtype:?}: {:?}", a.outcome)
        };
        assert!(why.contains("opcode"), "{why}");
    }
    // Without the fault the same names are absence, as the zone says.
    let (_s, clean) = good_with(vec![], false).await;
    let nx = clean.query("nothere.good.example", RType::TXT).await;
    assert_eq!(nx.outcome, Outcome::NxDomain);
}

#[tokio::test]
async fn a_missing_dmarc_record_under_opcode_status_is_inconclusive_not_missing() {
    let zone = variant(&[("_dmarc IN TXT", "")], "");
    let faults = vec![fault("_dmarc.good.example", None, FaultKind::Opcode)];
    let r = run_faults(&zone, &[], faults, &only(&[Check::Dmarc])).await;
    assert!(has(&r, "dmarc-lookup-failed").inconclusive);
    lacks(&r, "dmarc-missing");
    assert!(r.all_inconclusive());
    // The same zone without the fault: the record really is missing.
    let r = run_faults(&zone, &[], vec![], &only(&[Check::Dmarc])).await;
    has(&r, "dmarc-missing");
}

#[tokio::test]
async fn names_in_upper_case_are_the_same_names() {
    // RFC 4343 section 3: comparisons ignore case; a 0x20-mixing path or an old server may
    // echo the question and the owner names in another case.
    let faults = vec![
        fault("good.example", Some(RType::TXT), FaultKind::UpperCase),
        fault(
            "_dmarc.good.example",
            Some(RType::TXT),
            FaultKind::UpperCase,
        ),
    ];
    let (_s, dns) = good_with(faults.clone(), false).await;
    let a = dns.query("good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert!(a.txt_strings()[0].starts_with("v=spf1"));
    let r = run_faults(
        &good_zone(),
        &[],
        faults,
        &only(&[Check::Spf, Check::Dmarc]),
    )
    .await;
    for id in [
        "spf-lookup-failed",
        "dmarc-lookup-failed",
        "spf-missing",
        "dmarc-missing",
    ] {
        lacks(&r, id);
    }
    assert!(r.spf.as_ref().unwrap().record.is_some());
    assert!(!r.all_inconclusive());
}

#[tokio::test]
async fn a_lame_server_is_trouble_not_absence() {
    // NOERROR, no records, no SOA, AA=0, RA=0: RFC 2308 section 2.2 tells NODATA from a
    // referral by the SOA; a server that neither owns the zone nor recurses proves nothing.
    let faults = vec![fault("_dmarc.good.example", None, FaultKind::Lame)];
    let (_s, dns) = good_with(faults.clone(), false).await;
    let a = dns.query("_dmarc.good.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("lame"), "{why}");
    let r = run_faults(&good_zone(), &[], faults, &only(&[Check::Dmarc])).await;
    assert!(has(&r, "dmarc-lookup-failed").inconclusive);
    lacks(&r, "dmarc-missing");
}

#[tokio::test]
async fn a_server_that_rejects_edns_is_asked_again_without_it() {
    // RFC 6891 section 7: FORMERR without OPT to a query with OPT means the server does not
    // know EDNS; the query is sent again without it.
    let faults = vec![fault(
        "good.example",
        Some(RType::TXT),
        FaultKind::EdnsFormErr,
    )];
    let (server, dns) = good_with(faults, true).await;
    let a = dns.query("good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert!(a.txt_strings()[0].starts_with("v=spf1"));
    assert_eq!(server.times_asked("good.example", RType::TXT), 2);
    // Other names are asked once, with EDNS.
    let d = dns.query("_dmarc.good.example", RType::TXT).await;
    assert_eq!(d.outcome, Outcome::Answer);
    assert_eq!(server.times_asked("_dmarc.good.example", RType::TXT), 1);
}

/// A server that answers every question with `udp(query)` over UDP and `tcp(query)` over TCP
/// (raw bytes; `None` = silence): damage hickory-server cannot be made to send.
pub(crate) async fn raw_server(
    udp: fn(&Message) -> Option<Vec<u8>>,
    tcp: fn(&Message) -> Option<Vec<u8>>,
) -> SocketAddr {
    let (sock, listener) = mailtriage::dns::server::bind_same_port(|_| Ok(()))
        .await
        .unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            if let Some(out) = udp(&q) {
                let _ = sock.send_to(&out, from).await;
            }
        }
    });
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut len = [0u8; 2];
            if s.read_exact(&mut len).await.is_err() {
                continue;
            }
            let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
            if s.read_exact(&mut msg).await.is_err() {
                continue;
            }
            let Some(out) = Message::from_vec(&msg).ok().and_then(|q| tcp(&q)) else {
                continue;
            };
            let mut framed = u16::try_from(out.len()).unwrap().to_be_bytes().to_vec();
            framed.extend(out);
            let _ = s.write_all(&framed).await;
        }
    });
    addr
}

/// An answer of ten 100-byte TXT records (about 1,200 bytes) to `q`.
fn big_txt(q: &Message) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.add_queries(q.queries.clone());
    let name = q.queries[0].name().clone();
    for i in 0..10 {
        let text = format!("v=spf1 ip4:192.0.2.{i} {}", "x".repeat(80));
        r.add_answer(Record::from_rdata(
            name.clone(),
            300,
            RData::TXT(TXT::new(vec![text])),
        ));
    }
    r.to_vec().ok()
}

/// The same answer cut at 512 bytes, mid-record, with TC left clear.
fn cut_txt(q: &Message) -> Option<Vec<u8>> {
    let mut bytes = big_txt(q)?;
    bytes.truncate(512);
    Some(bytes)
}

/// The header and question of an answer to `q` with one answer record, then `rest` (the
/// answer record's bytes, written by hand).
fn handmade(q: &Message, rest: &[u8]) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.add_queries(q.queries.clone());
    let mut bytes = r.to_vec().ok()?;
    bytes[7] = 1; // ANCOUNT = 1
    bytes.extend_from_slice(rest);
    Some(bytes)
}

/// An answer whose owner name is a compression pointer to itself (RFC 1035 section 4.1.4
/// allows pointers to earlier data only).
fn pointer_loop(q: &Message) -> Option<Vec<u8>> {
    let header_and_question = handmade(q, &[])?;
    let at = u16::try_from(header_and_question.len()).ok()?;
    let mut rest = (0xC000 | at).to_be_bytes().to_vec();
    rest.extend_from_slice(&[0, 16, 0, 1, 0, 0, 1, 44, 0, 5, 4, b't', b'e', b'x', b't']);
    handmade(q, &rest)
}

/// An MX answer whose exchange is 5 labels of 63 octets: 320 octets, over the 255 that
/// RFC 1035 section 2.3.4 allows a name.
fn long_mx(q: &Message) -> Option<Vec<u8>> {
    let mut exchange = Vec::new();
    for _ in 0..5 {
        exchange.push(63u8);
        exchange.extend(std::iter::repeat_n(b'a', 63));
    }
    exchange.push(0);
    let mut rest = vec![0xC0, 12, 0, 15, 0, 1, 0, 0, 1, 44];
    let rdlen = u16::try_from(exchange.len() + 2).ok()?;
    rest.extend_from_slice(&rdlen.to_be_bytes());
    rest.extend_from_slice(&[0, 10]);
    rest.extend(exchange);
    handmade(q, &rest)
}

fn silent(_: &Message) -> Option<Vec<u8>> {
    None
}

async fn dns_at(addr: SocketAddr) -> Dns {
    Dns::new(DnsConfig {
        nameservers: vec![addr],
        ..patient()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_udp_answer_cut_mid_record_without_tc_is_read_again_over_tcp() {
    // RFC 1035 section 4.2.1: what does not fit is cut and TC set. A path that cuts without
    // TC leaves an unreadable message; the full answer is still there over TCP.
    let dns = dns_at(raw_server(cut_txt, big_txt).await).await;
    let a = dns.query("cut.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert_eq!(a.records.len(), 10);
    // When TCP cannot deliver either, it is a malformed answer, not a timeout or absence.
    let dns = dns_at(raw_server(cut_txt, silent).await).await;
    let a = dns.query("cut.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("malformed answer over UDP"), "{why}");
}

#[tokio::test]
async fn a_compression_loop_or_a_name_over_255_octets_is_an_error() {
    for (what, reply, rtype) in [
        (
            "pointer loop",
            pointer_loop as fn(&Message) -> Option<Vec<u8>>,
            RType::TXT,
        ),
        ("320-octet MX target", long_mx, RType::MX),
    ] {
        let dns = dns_at(raw_server(reply, reply).await).await;
        let started = Instant::now();
        let a = dns.query("hostile.example", rtype).await;
        assert!(
            matches!(a.outcome, Outcome::Error(_)),
            "{what}: {:?}",
            a.outcome
        );
        assert!(a.records.is_empty(), "{what}");
        assert!(started.elapsed() < Duration::from_secs(3), "{what}");
    }
}

#[test]
fn the_cli_exits_3_for_a_domain_behind_a_compression_loop() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = rt.block_on(raw_server(pointer_loop, pointer_loop));
    let ns = addr.to_string();
    let out = run(
        &[
            "check",
            "loop.example",
            "--only",
            "spf,dmarc,mx",
            "--nameserver",
            &ns,
            "--timeout",
            "1",
            "--retries",
            "0",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let ids: Vec<String> = v["domains"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_string))
        .collect();
    assert!(ids.iter().any(|i| i == "spf-lookup-failed"), "{ids:?}");
    assert!(!ids.iter().any(|i| i.ends_with("-missing")), "{ids:?}");
    drop(rt);
}
