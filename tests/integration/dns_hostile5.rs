//! Hostile servers, round 5: negative answers whose SOA belongs to another zone, a filtering
//! resolver's NXDOMAIN and forged answers (RFC 8914), spoofed datagrams and foreign TCP ids,
//! A/AAAA records of the wrong length, BADVERS, TC over TCP, a UDP-only server and a DNAME that
//! redirects into itself (the rest of round 5 is in `dns_hostile5b`). Each test says first what
//! a careful resolver does, then checks it.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, only};
use crate::cli_support::{code, run as cli};
use crate::dns_hostile_wire::raw_server;
use hickory_proto::op::{Edns, Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::opt::EdnsOption;
use hickory_proto::rr::rdata::{A, CNAME, NULL, SOA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use mailtriage::checks::{CheckParams, check_domain};
use mailtriage::dns::{Dns, DnsConfig, Outcome, RType};
use mailtriage::finding::Check;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

fn patient() -> DnsConfig {
    DnsConfig {
        timeout: Duration::from_secs(2),
        retries: 0,
        ..DnsConfig::default()
    }
}

pub(crate) async fn dns_at(addr: SocketAddr) -> Dns {
    Dns::new(DnsConfig {
        nameservers: vec![addr],
        ..patient()
    })
    .await
    .unwrap()
}

pub(crate) fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

pub(crate) fn asked(q: &Message) -> Name {
    q.queries[0].name().clone()
}

pub(crate) fn qtype(q: &Message) -> RecordType {
    q.queries[0].query_type()
}

/// The asked name's labels, as raw octets.
pub(crate) fn labels(q: &Message) -> Vec<Vec<u8>> {
    asked(q).iter().map(|l| l.to_ascii_lowercase()).collect()
}

pub(crate) fn txt(owner: Name, text: &str) -> Record {
    Record::from_rdata(owner, 300, RData::TXT(TXT::new(vec![text.to_string()])))
}

pub(crate) fn soa(zone: &str) -> Record {
    let apex = name(zone);
    let data = SOA::new(apex.clone(), apex.clone(), 1, 3600, 600, 86400, 60);
    Record::from_rdata(apex, 60, RData::SOA(data))
}

/// A response to `q` with the question echoed.
fn response(q: &Message, code: ResponseCode, aa: bool) -> Message {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = aa;
    r.metadata.response_code = code;
    r.add_queries(q.queries.clone());
    r
}

fn bytes(r: &Message) -> Option<Vec<u8>> {
    r.to_vec().ok()
}

/// An authoritative answer with `answers` and `authorities`.
pub(crate) fn reply(
    q: &Message,
    code: ResponseCode,
    answers: Vec<Record>,
    authorities: Vec<Record>,
) -> Option<Vec<u8>> {
    let mut r = response(q, code, true);
    for a in answers {
        r.add_answer(a);
    }
    for a in authorities {
        r.add_authority(a);
    }
    bytes(&r)
}

fn silent(_: &Message) -> Option<Vec<u8>> {
    None
}

fn inconclusive_not_missing(r: &mailtriage::checks::DomainReport, failed: &str, missing: &str) {
    assert!(
        has(r, failed).inconclusive,
        "{:#?}",
        crate::checks_support::summary(r)
    );
    lacks(r, missing);
    lacks(r, "domain-nonexistent");
}

// ------------------------------------------------------------ negative answers, foreign SOA

/// NODATA for every question, its SOA owned by `evil.example`, which does not contain the
/// names asked (`victim.example`, `_dmarc.victim.example` ...).
fn nodata_foreign_soa(q: &Message) -> Option<Vec<u8>> {
    reply(q, ResponseCode::NoError, vec![], vec![soa("evil.example.")])
}

/// NXDOMAIN for every question, its SOA owned by `evil.example`.
fn nxdomain_foreign_soa(q: &Message) -> Option<Vec<u8>> {
    reply(
        q,
        ResponseCode::NXDomain,
        vec![],
        vec![soa("evil.example.")],
    )
}

/// NODATA whose SOA is owned by a name below the one asked (a child zone's apex).
fn nodata_child_soa(q: &Message) -> Option<Vec<u8>> {
    let child = format!("deeper.{}", asked(q).to_ascii());
    reply(q, ResponseCode::NoError, vec![], vec![soa(&child)])
}

/// NODATA, neither authoritative nor recursive, with a foreign SOA to look less lame.
fn lame_foreign_soa(q: &Message) -> Option<Vec<u8>> {
    let mut r = response(q, ResponseCode::NoError, false);
    r.add_authority(soa("evil.example."));
    bytes(&r)
}

/// The honest shapes: NODATA with the SOA of an enclosing zone (`example`, or the root), and a
/// CNAME into `other.example` whose negative answer carries `other.example`'s SOA.
fn honest_negative(q: &Message) -> Option<Vec<u8>> {
    let n = asked(q).to_ascii().to_ascii_lowercase();
    match n.as_str() {
        "alias.victim.example." => reply(
            q,
            ResponseCode::NoError,
            vec![Record::from_rdata(
                asked(q),
                300,
                RData::CNAME(CNAME(name("t.other.example."))),
            )],
            vec![soa("other.example.")],
        ),
        "root.victim.example." => reply(q, ResponseCode::NoError, vec![], vec![soa(".")]),
        _ => reply(q, ResponseCode::NoError, vec![], vec![soa("example.")]),
    }
}

#[tokio::test]
async fn a_negative_answer_whose_soa_is_for_another_zone_is_trouble_not_absence() {
    // RFC 2308 sections 2.1 and 2.2: the SOA of a negative answer is the SOA of the zone that
    // holds the name (the last name of a CNAME chain). An SOA of a zone that cannot hold the
    // name (a stranger, or a zone below it) comes from a server that does not serve that name:
    // what it says about the name proves nothing, and its TTL is not the zone's.
    for (what, udp) in [
        (
            "NODATA, SOA of a stranger",
            nodata_foreign_soa as fn(&Message) -> Option<Vec<u8>>,
        ),
        ("NXDOMAIN, SOA of a stranger", nxdomain_foreign_soa),
        ("NODATA, SOA of a child zone", nodata_child_soa),
        ("lame NODATA with a stranger's SOA", lame_foreign_soa),
    ] {
        let dns = dns_at(raw_server(udp, udp).await).await;
        let a = dns.query("_dmarc.victim.example", RType::TXT).await;
        let Outcome::Error(why) = &a.outcome else {
            panic!("{what}: {:?}", a.outcome)
        };
        assert!(why.contains("SOA"), "{what}: {why}");
        assert_eq!(a.ttl, None, "{what}");
    }
    // The checks: inconclusive, never "missing", never "the domain does not exist".
    for udp in [
        nodata_foreign_soa as fn(&Message) -> Option<Vec<u8>>,
        nxdomain_foreign_soa,
    ] {
        let dns = dns_at(raw_server(udp, udp).await).await;
        let p = CheckParams {
            domain: "victim.example".into(),
            ip: None,
            helo: None,
            from: None,
            mail_from: None,
            dkim_domain: None,
            ..only(&[Check::Spf, Check::Dmarc])
        };
        let r = check_domain(&dns, &p).await;
        inconclusive_not_missing(&r, "spf-lookup-failed", "spf-missing");
        inconclusive_not_missing(&r, "dmarc-lookup-failed", "dmarc-missing");
        assert!(r.all_inconclusive());
    }
    // The honest shapes stay absence.
    let dns = dns_at(raw_server(honest_negative, honest_negative).await).await;
    for n in [
        "_dmarc.victim.example",
        "root.victim.example",
        "alias.victim.example",
    ] {
        let a = dns.query(n, RType::TXT).await;
        assert_eq!(a.outcome, Outcome::NoData, "{n}: {:?}", a.outcome);
        assert_eq!(a.ttl, Some(60), "{n}");
    }
}

// ------------------------------------------------------------ Extended DNS Errors on answers

/// `r` with an Extended DNS Error (RFC 8914 section 2) of `code` and `text` in its OPT.
fn with_ede(mut r: Message, code: u16, text: &str) -> Option<Vec<u8>> {
    let mut e = Edns::new();
    e.set_max_payload(1232);
    let mut data = code.to_be_bytes().to_vec();
    data.extend_from_slice(text.as_bytes());
    e.options_mut().insert(EdnsOption::Unknown(15, data));
    r.set_edns(e);
    bytes(&r)
}

/// A filtering resolver: NXDOMAIN with the root's SOA and EDE `code`.
fn filtered(q: &Message, code: u16) -> Option<Vec<u8>> {
    let mut r = response(q, ResponseCode::NXDomain, false);
    r.metadata.recursion_available = true;
    r.add_authority(soa("."));
    with_ede(r, code, "policy \u{1b}[31mblock list")
}

fn blocked(q: &Message) -> Option<Vec<u8>> {
    filtered(q, 15)
}

fn censored(q: &Message) -> Option<Vec<u8>> {
    filtered(q, 16)
}

fn filtered_17(q: &Message) -> Option<Vec<u8>> {
    filtered(q, 17)
}

/// A resolver that forged the answer (EDE 4): an address and a permissive SPF record.
fn forged(q: &Message) -> Option<Vec<u8>> {
    let mut r = response(q, ResponseCode::NoError, false);
    r.metadata.recursion_available = true;
    let record = match qtype(q) {
        RecordType::A => Record::from_rdata(asked(q), 300, RData::A(A::new(0, 0, 0, 0))),
        _ => txt(asked(q), "v=spf1 +all"),
    };
    r.add_answer(record);
    with_ede(r, 4, "rewritten by policy")
}

/// A stale answer (EDE 3, RFC 8767): the records the zone held, served past their TTL.
fn stale(q: &Message) -> Option<Vec<u8>> {
    let mut r = response(q, ResponseCode::NoError, false);
    r.metadata.recursion_available = true;
    r.add_answer(txt(asked(q), "v=spf1 -all"));
    with_ede(r, 3, "")
}

#[tokio::test]
async fn a_filtering_resolvers_nxdomain_and_forged_answers_are_not_the_domains_word() {
    // RFC 8914 sections 4.5, 4.16-4.18: "Forged Answer", "Blocked", "Censored" and "Filtered"
    // say the resolver's policy, not the domain's zone, wrote the answer. An NXDOMAIN from a
    // resolver that blocks the name is not proof that the name does not exist, and a forged
    // record is not the domain's record.
    for (what, udp) in [
        ("Blocked", blocked as fn(&Message) -> Option<Vec<u8>>),
        ("Censored", censored),
        ("Filtered", filtered_17),
    ] {
        let dns = dns_at(raw_server(udp, udp).await).await;
        let a = dns.query("victim.example", RType::TXT).await;
        let Outcome::Error(why) = &a.outcome else {
            panic!("{what}: {:?}", a.outcome)
        };
        assert!(why.contains(what), "{what}: {why}");
        assert!(!why.contains('\u{1b}'), "{what}: {why}");
        let p = CheckParams {
            domain: "victim.example".into(),
            ip: None,
            helo: None,
            from: None,
            mail_from: None,
            dkim_domain: None,
            ..only(&[Check::Spf, Check::Dmarc])
        };
        let r = check_domain(&dns, &p).await;
        inconclusive_not_missing(&r, "spf-lookup-failed", "spf-missing");
    }
    let dns = dns_at(raw_server(forged, forged).await).await;
    for rtype in [RType::TXT, RType::A] {
        let a = dns.query("victim.example", rtype).await;
        let Outcome::Error(why) = &a.outcome else {
            panic!("{rtype:?}: {:?}", a.outcome)
        };
        assert!(why.contains("Forged Answer"), "{why}");
        assert!(a.records.is_empty());
    }
    // A stale answer is still the zone's data (RFC 8767): it is the answer.
    let dns = dns_at(raw_server(stale, stale).await).await;
    let a = dns.query("victim.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
}

#[test]
fn the_cli_exits_3_not_1_when_a_filtering_resolver_blocks_the_domain() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = rt.block_on(raw_server(blocked, blocked));
    let ns = addr.to_string();
    let out = cli(
        &[
            "check",
            "victim.example",
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
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(code(&out), 3, "{text}");
    assert!(!text.contains("domain-nonexistent"), "{text}");
    assert!(text.contains("Blocked"), "{text}");
    drop(rt);
}

// ------------------------------------------------------------ message ids

/// A UDP server that, for each question, first sends a datagram with another message id
/// holding `v=spf1 +all`, then (when `real`) the true answer `v=spf1 -all`.
async fn spoofing_server(real: bool) -> SocketAddr {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let mut fake = Message::from_vec(&reply(
                &q,
                ResponseCode::NoError,
                vec![txt(asked(&q), "v=spf1 +all")],
                vec![],
            )?)
            .ok()?;
            fake.metadata.id = q.metadata.id.wrapping_add(1);
            let _ = sock.send_to(&bytes(&fake)?, from).await;
            if real {
                let good = reply(
                    &q,
                    ResponseCode::NoError,
                    vec![txt(asked(&q), "v=spf1 -all")],
                    vec![],
                )?;
                let _ = sock.send_to(&good, from).await;
            }
        }
        Some(())
    });
    addr
}

/// Over UDP: TC=1. Over TCP: the answer, under another message id.
pub(crate) fn truncated(q: &Message) -> Option<Vec<u8>> {
    let mut r = response(q, ResponseCode::NoError, true);
    r.metadata.truncation = true;
    bytes(&r)
}

fn tcp_other_id(q: &Message) -> Option<Vec<u8>> {
    let mut r = Message::from_vec(&reply(
        q,
        ResponseCode::NoError,
        vec![txt(asked(q), "v=spf1 +all")],
        vec![],
    )?)
    .ok()?;
    r.metadata.id = q.metadata.id ^ 0x5a5a;
    bytes(&r)
}

#[tokio::test]
async fn a_datagram_with_another_id_is_ignored_and_a_foreign_tcp_id_is_trouble() {
    // RFC 5452 section 9.1: a response whose id differs from the query's is not an answer to
    // it; the resolver keeps waiting for the real one. A server that only ever sends foreign
    // ids has not answered: a timeout (inconclusive), never its records.
    let dns = dns_at(spoofing_server(true).await).await;
    let a = dns.query("spoofed.example", RType::TXT).await;
    assert_eq!(a.txt_strings(), vec!["v=spf1 -all".to_string()]);
    let dns = dns_at(spoofing_server(false).await).await;
    let started = Instant::now();
    let a = dns.query("spoofed.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Timeout, "{:?}", a.outcome);
    assert!(a.records.is_empty());
    assert!(started.elapsed() < Duration::from_secs(4));
    // Over TCP (one connection per question) another id is wrong at once (RFC 1035 section 7.3).
    let dns = dns_at(raw_server(truncated, tcp_other_id).await).await;
    let started = Instant::now();
    let a = dns.query("spoofed.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("another message id"), "{why}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

// ------------------------------------------------------------ wrong lengths, BADVERS, TC over TCP

/// The header and question of an answer to `q` with one answer record, then `rest` (the
/// answer record's bytes, written by hand).
fn handmade(q: &Message, rest: &[u8]) -> Option<Vec<u8>> {
    let mut b = bytes(&response(q, ResponseCode::NoError, true))?;
    b[7] = 1; // ANCOUNT = 1
    b.extend_from_slice(rest);
    Some(b)
}

/// An answer record owned by the question's name (pointer to offset 12), of the asked type,
/// with RDATA `rdata` of its own length.
fn wrong_length(q: &Message) -> Option<Vec<u8>> {
    let rtype = u16::from(qtype(q));
    let rdata: &[u8] = if qtype(q) == RecordType::A {
        &[192, 0, 2, 10, 7] // 5 octets: RFC 1035 section 3.4.1 says 4
    } else {
        &[0x20, 0x01, 0x0d, 0xb8] // 4 octets: RFC 3596 section 2.2 says 16
    };
    let mut rest = vec![0xC0, 12];
    rest.extend_from_slice(&rtype.to_be_bytes());
    rest.extend_from_slice(&[0, 1, 0, 0, 1, 44]);
    rest.extend_from_slice(&u16::try_from(rdata.len()).ok()?.to_be_bytes());
    rest.extend_from_slice(rdata);
    handmade(q, &rest)
}

/// BADVERS (RCODE 16, RFC 6891 section 9) to every question.
fn badvers(q: &Message) -> Option<Vec<u8>> {
    let mut r = response(q, ResponseCode::NoError, true);
    r.metadata.response_code = ResponseCode::BADVERS;
    let mut e = Edns::new();
    e.set_max_payload(1232);
    r.set_edns(e);
    bytes(&r)
}

/// TC=1 over TCP too.
fn truncated_with_spf(q: &Message) -> Option<Vec<u8>> {
    let mut r = response(q, ResponseCode::NoError, true);
    r.metadata.truncation = true;
    r.add_answer(txt(asked(q), "v=spf1 +all"));
    bytes(&r)
}

#[tokio::test]
async fn wrong_lengths_badvers_and_tc_over_tcp_are_trouble_at_once() {
    // An A record is 4 octets and an AAAA 16 (RFC 1035 section 3.4.1, RFC 3596 section 2.2):
    // any other RDLENGTH is a malformed record, never an address made of what is there.
    let dns = dns_at(raw_server(wrong_length, wrong_length).await).await;
    for rtype in [RType::A, RType::AAAA] {
        let a = dns.query("short.example", rtype).await;
        assert!(
            matches!(&a.outcome, Outcome::Error(_)),
            "{rtype:?}: {:?}",
            a.outcome
        );
        assert!(a.ips().is_empty(), "{rtype:?}");
    }
    // BADVERS answers a version we did not send (we send EDNS version 0): the server could not
    // answer, which is trouble, not absence. RCODE 16 is BADSIG only inside TSIG (RFC 8945),
    // which we never send, so it is named BADVERS (RFC 6891 section 9), not "TSIG Failure".
    let dns = dns_at(raw_server(badvers, badvers).await).await;
    let started = Instant::now();
    let a = dns.query("badvers.example", RType::TXT).await;
    assert!(
        matches!(&a.outcome, Outcome::Error(w) if w.contains("BADVERS") && !w.contains("TSIG")),
        "{:?}",
        a.outcome
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    // RFC 7766 section 8: over TCP the whole answer fits in one message; TC=1 there means
    // the server could not give it, and the partial records are not the answer.
    let dns = dns_at(raw_server(truncated_with_spf, truncated_with_spf).await).await;
    let a = dns.query("tc.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("truncated even over TCP"), "{why}");
    assert!(a.records.is_empty());
}

/// A server with a UDP socket and nothing on TCP: every UDP answer says TC=1.
async fn udp_only_truncating() -> SocketAddr {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let Some(out) = Message::from_vec(&buf[..n])
                .ok()
                .and_then(|q| truncated(&q))
            else {
                continue;
            };
            let _ = sock.send_to(&out, from).await;
        }
    });
    addr
}

fn tcp_answer(q: &Message) -> Option<Vec<u8>> {
    reply(
        q,
        ResponseCode::NoError,
        vec![txt(asked(q), "v=spf1 -all")],
        vec![],
    )
}

#[tokio::test]
async fn a_server_on_one_transport_only_is_trouble_never_absence() {
    // TC=1 over UDP and no TCP listener: the answer exists and could not be read.
    let dns = dns_at(udp_only_truncating().await).await;
    let started = Instant::now();
    let a = dns.query("udp-only.example", RType::TXT).await;
    assert!(a.outcome.is_trouble(), "{:?}", a.outcome);
    assert!(a.records.is_empty());
    assert!(started.elapsed() < Duration::from_secs(3));
    // Silent over UDP, answering over TCP only: a stub asks TCP after TC=1 (RFC 7766 section
    // 5), not after silence; the question timed out, which is what the user is told.
    let dns = dns_at(raw_server(silent, tcp_answer).await).await;
    let a = dns.query("tcp-only.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Timeout, "{:?}", a.outcome);
}

// ------------------------------------------------------------ DNAME into itself

/// Every question under `x.example` gets only `x.example DNAME y.x.example`: each substitution
/// lands under `x.example` again (RFC 6672 section 2.2), one label longer.
fn dname_into_itself(q: &Message) -> Option<Vec<u8>> {
    let mut rdata = Vec::new();
    for l in ["y", "x", "example"] {
        rdata.push(u8::try_from(l.len()).ok()?);
        rdata.extend_from_slice(l.as_bytes());
    }
    rdata.push(0);
    let dname = Record::from_rdata(
        name("x.example."),
        300,
        RData::Unknown {
            code: RecordType::DNAME,
            rdata: NULL::with(rdata),
        },
    );
    reply(q, ResponseCode::NoError, vec![dname], vec![])
}

#[tokio::test]
async fn a_dname_that_redirects_into_itself_is_bounded_trouble() {
    let dns = dns_at(raw_server(dname_into_itself, dname_into_itself).await).await;
    let started = Instant::now();
    let a = dns.query("a.x.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("CNAME chain longer than"), "{why}");
    assert!(a.records.is_empty());
    assert!(started.elapsed() < Duration::from_secs(2));
}
