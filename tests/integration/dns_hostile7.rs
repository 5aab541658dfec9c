//! Hostile servers, round 7: a response with QR=0, the answer put in the authority section, an
//! SOA in the answer section, NOTIMP and REFUSED for TXT alone, an RFC 8482 HINFO where TXT
//! was asked, two contradicting datagrams for one question, a server list whose first server
//! refuses, and a PTR reached through an RFC 2317 CNAME the server does not follow (the rest of
//! the round, on zones and the command line, is in `dns_hostile7b`). Each test says first what
//! a careful resolver or receiver does, then checks it.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, summary};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile6::{
    a, asked, asked_text, bare, dns_at, name, nodata, patient, qtype, reply, soa, txt,
};
use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{CNAME, HINFO, PTR};
use hickory_proto::rr::{RData, Record, RecordType};
use mailtriage::checks::check_domain;
use mailtriage::dns::{Dns, DnsConfig, Outcome, RType};
use mailtriage::finding::Check;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// What the domains of these servers publish when they answer honestly.
fn honest(q: &Message) -> Vec<Record> {
    let owner = asked(q);
    let text = asked_text(q);
    match qtype(q) {
        RecordType::TXT if text.starts_with("_dmarc.") => {
            vec![txt(owner, "v=DMARC1; p=reject")]
        }
        RecordType::TXT => vec![txt(owner, "v=spf1 ip4:192.0.2.10 -all")],
        RecordType::A => vec![a(owner, [192, 0, 2, 10])],
        RecordType::MX => vec![Record::from_rdata(
            owner,
            300,
            RData::MX(hickory_proto::rr::rdata::MX::new(
                10,
                name("mx.good.example."),
            )),
        )],
        _ => vec![],
    }
}

pub(crate) fn honest_reply(q: &Message) -> Option<Vec<u8>> {
    let answers = honest(q);
    if answers.is_empty() && asked_text(q).ends_with(".in-addr.arpa.") {
        return reply(q, ResponseCode::NoError, vec![], vec![soa("in-addr.arpa.")]);
    }
    if answers.is_empty() {
        return nodata(q);
    }
    reply(q, ResponseCode::NoError, answers, vec![])
}

/// True when the check of `c` ended inconclusive in `r`, saying `words` somewhere.
fn inconclusive_saying(r: &mailtriage::checks::DomainReport, c: Check, words: &str) -> bool {
    r.findings.iter().any(|f| {
        f.check == c && f.inconclusive && f.message.to_lowercase().contains(&words.to_lowercase())
    })
}

// ------------------------------------------------------------ QR=0

/// The query sent back with QR=0 (a reflected query, or a server that copied the header),
/// carrying `v=spf1 +all` in its answer section.
fn reflected(q: &Message) -> Option<Vec<u8>> {
    let mut r = Message::new(q.metadata.id, MessageType::Query, OpCode::Query);
    r.add_queries(q.queries.clone());
    if qtype(q) == RecordType::TXT {
        r.add_answer(txt(asked(q), "v=spf1 +all"));
    }
    r.to_vec().ok()
}

#[tokio::test]
async fn a_message_with_qr_0_is_no_answer_whatever_it_carries() {
    // RFC 1035 section 4.1.1: QR=0 marks a query. A message with our id but QR=0 is our own
    // question reflected (or a forgery), not a response: its records are not believed, and it
    // is no proof of absence either. SPF is then inconclusive, never `+all`, never missing.
    let addr = raw_server(reflected, reflected).await;
    let dns = dns_at(addr).await;
    let answer = dns.query("qr.example", RType::TXT).await;
    let Outcome::Error(why) = &answer.outcome else {
        panic!("{:?}", answer.outcome)
    };
    assert!(why.contains("QR=0"), "{why}");
    assert!(answer.records.is_empty());
    let r = check_domain(&dns, &bare("qr.example", &[Check::Spf])).await;
    lacks(&r, "spf-plus-all");
    lacks(&r, "spf-missing");
    assert!(has(&r, "spf-lookup-failed").inconclusive);
}

// ------------------------------------------------------------ records in the wrong section

/// NOERROR, AA=1, an empty answer section and the record asked for in the authority section
/// (beside the zone's SOA for names under `soa.`), or, for names under `add.`, in the
/// additional section with the SOA in the authority section.
pub(crate) fn answer_in_authority(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if text.contains("add.") {
        let mut r = Message::response(q.metadata.id, OpCode::Query);
        r.metadata.authoritative = true;
        r.add_queries(q.queries.clone());
        r.add_authority(soa("example."));
        for record in honest(q) {
            r.add_additional(record);
        }
        return r.to_vec().ok();
    }
    let mut authorities = honest(q);
    if text.contains("soa.") {
        authorities.push(soa("example."));
    }
    reply(q, ResponseCode::NoError, vec![], authorities)
}

#[tokio::test]
async fn the_record_asked_for_in_the_authority_section_is_a_broken_answer_not_nodata() {
    // RFC 1035 section 4.1: the answer section holds the RRs answering the question; RFC 2308
    // section 2.2: a NODATA's authority section holds an SOA (or NS) and nothing of the asked
    // type. A response whose authority (or additional) section holds the very TXT record
    // asked for says "the record exists" in the wrong place: a broken server, whose answer is
    // neither the record (RFC 2181 section 6.1: that data is not the answer) nor its absence.
    let addr = raw_server(answer_in_authority, answer_in_authority).await;
    let dns = dns_at(addr).await;
    for (domain, section) in [
        ("auth.example", "authority section"),
        ("soa.auth.example", "authority section"),
        ("add.auth.example", "additional section"),
    ] {
        let answer = dns.query(domain, RType::TXT).await;
        let Outcome::Error(why) = &answer.outcome else {
            panic!("{domain}: {:?}", answer.outcome)
        };
        assert!(why.contains(section), "{why}");
        let r = check_domain(&dns, &bare(domain, &[Check::Spf, Check::Dmarc])).await;
        lacks(&r, "spf-missing");
        lacks(&r, "dmarc-missing");
        assert!(
            has(&r, "spf-lookup-failed").inconclusive,
            "{:#?}",
            summary(&r)
        );
        assert!(
            inconclusive_saying(&r, Check::Dmarc, section),
            "{:#?}",
            summary(&r)
        );
    }
}

/// A NODATA whose SOA is in the answer section instead of the authority section.
fn soa_as_answer(q: &Message) -> Option<Vec<u8>> {
    reply(q, ResponseCode::NoError, vec![soa("example.")], vec![])
}

#[tokio::test]
async fn an_soa_in_the_answer_section_of_a_txt_question_is_not_a_nodata() {
    // The SOA belongs in the authority section of a negative answer (RFC 2308 section 2.2).
    // In the answer section it answers a question that was not asked (SOA of `example`, not
    // TXT of the name): a careful resolver reports the broken answer and keeps no absence.
    let addr = raw_server(soa_as_answer, soa_as_answer).await;
    let dns = dns_at(addr).await;
    let answer = dns.query("soa-answer.example", RType::TXT).await;
    assert!(
        matches!(&answer.outcome, Outcome::Error(why) if why.contains("SOA")),
        "{:?}",
        answer.outcome
    );
    let r = check_domain(&dns, &bare("soa-answer.example", &[Check::Spf])).await;
    lacks(&r, "spf-missing");
    assert!(has(&r, "spf-lookup-failed").inconclusive);
}

// ------------------------------------------------------------ NOTIMP, REFUSED, RFC 8482

/// NOTIMP to TXT questions about `alpha.example` and below, REFUSED to those about
/// `beta.example` and below; every other question answered honestly (`_dmarc.example`
/// included, so the DMARC tree walk finds a record above them).
fn txt_not_served(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) == RecordType::TXT {
        let text = asked_text(q);
        if text.ends_with("alpha.example.") {
            return reply(q, ResponseCode::NotImp, vec![], vec![]);
        }
        if text.ends_with("beta.example.") {
            return reply(q, ResponseCode::Refused, vec![], vec![]);
        }
    }
    honest_reply(q)
}

#[tokio::test]
async fn notimp_or_refused_for_txt_alone_leaves_the_other_checks_their_answers() {
    // A server (often a middlebox's DNS proxy) that answers NOTIMP or REFUSED to TXT questions
    // and honestly to the others. RFC 1035 section 4.1.1: NOTIMP says the server does not
    // support the kind of query, REFUSED that it will not answer: neither says anything about
    // the name. SPF and DMARC are inconclusive in those words; MX, asked of the same server,
    // is checked as usual. The DMARC walk that finds a record above the domain does not say
    // the domain has none of its own: it could not be read.
    let addr = raw_server(txt_not_served, txt_not_served).await;
    let dns = dns_at(addr).await;
    for (domain, words) in [("alpha.example", "NOTIMP"), ("beta.example", "REFUSED")] {
        let r = check_domain(&dns, &bare(domain, &[Check::Spf, Check::Dmarc, Check::Mx])).await;
        lacks(&r, "spf-missing");
        lacks(&r, "dmarc-missing");
        for c in [Check::Spf, Check::Dmarc] {
            let said = r
                .findings
                .iter()
                .any(|f| f.check == c && f.inconclusive && f.message.contains(words));
            assert!(said, "{domain} {c:?}: {:#?}", summary(&r));
        }
        let inherited = has(&r, "dmarc-inherited");
        assert!(inherited.inconclusive, "{}", inherited.message);
        assert!(
            inherited.message.contains("could not be looked up")
                && !inherited.message.contains("no usable DMARC record"),
            "{}",
            inherited.message
        );
        lacks(&r, "mx-lookup-failed");
        let mx = r.mx.as_ref().unwrap();
        assert_eq!(mx.hosts.len(), 1, "{domain}: {mx:?}");
    }
}

/// An RFC 8482 minimal answer (HINFO "RFC8482" "") to every TXT question.
fn hinfo_for_txt(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) != RecordType::TXT {
        return honest_reply(q);
    }
    let hinfo = HINFO::new("RFC8482".to_string(), String::new());
    let record = Record::from_rdata(asked(q), 3600, RData::HINFO(hinfo));
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn an_rfc_8482_hinfo_where_txt_was_asked_is_a_broken_answer_said_as_such() {
    // RFC 8482 section 4.2 lets a server answer a QTYPE=ANY question with one HINFO record
    // ("RFC8482"): for ANY alone. Sent for a TXT question it is a wrong answer, neither the
    // SPF record nor its absence; the user is told what came back and why it is no answer.
    let addr = raw_server(hinfo_for_txt, hinfo_for_txt).await;
    let dns = dns_at(addr).await;
    let answer = dns.query("minimal.example", RType::TXT).await;
    let Outcome::Error(why) = &answer.outcome else {
        panic!("{:?}", answer.outcome)
    };
    assert!(why.contains("HINFO") && why.contains("RFC 8482"), "{why}");
    let r = check_domain(&dns, &bare("minimal.example", &[Check::Spf, Check::Dmarc])).await;
    lacks(&r, "spf-missing");
    lacks(&r, "dmarc-missing");
    assert!(
        inconclusive_saying(&r, Check::Spf, "RFC 8482"),
        "{:#?}",
        summary(&r)
    );
}

// ------------------------------------------------------------ two datagrams for one question

/// The datagrams a [`timed_server`] sends for a question: each after its pause in ms.
pub(crate) type Plan = fn(&Message) -> Vec<(u64, Vec<u8>)>;

/// A UDP server that sends, for each question, the datagrams `plan` returns, each after its
/// pause in milliseconds (from the question's arrival); TCP connections are accepted and held
/// without an answer.
pub(crate) async fn timed_server(plan: Plan) -> SocketAddr {
    let (sock, listener) = mailtriage::dns::server::bind_same_port(|_| Ok(()))
        .await
        .unwrap();
    let sock = Arc::new(sock);
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            for (ms, bytes) in plan(&q) {
                let sock = sock.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    let _ = sock.send_to(&bytes, from).await;
                });
            }
        }
    });
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    addr
}

/// For TXT: `v=spf1 -all` at once, then `v=spf1 +all` with the same id 30 ms later. For A
/// under `nx.`: NXDOMAIN at once, then 192.0.2.66 30 ms later. The rest answered once.
fn two_datagrams(q: &Message) -> Vec<(u64, Vec<u8>)> {
    let owner = asked(q);
    let (first, second) = match qtype(q) {
        RecordType::TXT if !asked_text(q).starts_with("_dmarc.") => (
            reply(
                q,
                ResponseCode::NoError,
                vec![txt(owner.clone(), "v=spf1 -all")],
                vec![],
            ),
            reply(
                q,
                ResponseCode::NoError,
                vec![txt(owner, "v=spf1 +all")],
                vec![],
            ),
        ),
        RecordType::A if asked_text(q).starts_with("nx.") => (
            reply(q, ResponseCode::NXDomain, vec![], vec![soa("example.")]),
            reply(
                q,
                ResponseCode::NoError,
                vec![a(owner, [192, 0, 2, 66])],
                vec![],
            ),
        ),
        _ => (honest_reply(q), None),
    };
    [(0, first), (30, second)]
        .into_iter()
        .filter_map(|(ms, b)| Some((ms, b?)))
        .collect()
}

#[tokio::test]
async fn the_first_of_two_contradicting_datagrams_decides_and_the_second_is_heard_by_no_one() {
    // RFC 5452 section 9.1: the first response that matches the question (id, source,
    // question) is the answer; a second one for the same id, contradicting it, is either a
    // forgery or a confused server, and nothing is taken from it. It must not be read as the
    // answer to a later question either (each question waits on its own socket).
    let addr = timed_server(two_datagrams).await;
    let dns = dns_at(addr).await;
    let spf = dns.query("twice.example", RType::TXT).await;
    assert_eq!(spf.outcome, Outcome::Answer);
    assert_eq!(spf.txt_strings(), ["v=spf1 -all"]);
    let gone = dns.query("nx.twice.example", RType::A).await;
    assert_eq!(gone.outcome, Outcome::NxDomain, "{:?}", gone.records);
    // Asked while the contradicting datagrams are still arriving.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let dmarc = dns.query("_dmarc.twice.example", RType::TXT).await;
    assert_eq!(dmarc.txt_strings(), ["v=DMARC1; p=reject"]);
    let r = check_domain(&dns, &bare("twice.example", &[Check::Spf])).await;
    lacks(&r, "spf-plus-all");
    assert_eq!(r.spf.as_ref().unwrap().all.as_deref(), Some("-all"));
}

// ------------------------------------------------------------ the next server on the list

/// REFUSED to every TXT question, SERVFAIL to every MX question, NOTIMP to PTR; A answered.
pub(crate) fn picky(q: &Message) -> Option<Vec<u8>> {
    let code = match qtype(q) {
        RecordType::TXT => ResponseCode::Refused,
        RecordType::MX => ResponseCode::ServFail,
        RecordType::PTR => ResponseCode::NotImp,
        _ => return honest_reply(q),
    };
    reply(q, code, vec![], vec![])
}

async fn dns_over(servers: Vec<SocketAddr>) -> Dns {
    Dns::new(DnsConfig {
        nameservers: servers,
        ..patient()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_server_that_refuses_or_fails_hands_the_question_to_the_next_one() {
    // RFC 1034 section 5.3.3 step 4d: a response that shows a server failure or other bizarre
    // contents removes that server from the list, and the question goes to the next. With two
    // --nameserver, the first refusing TXT (REFUSED), failing MX (SERVFAIL) and not doing PTR
    // (NOTIMP), the second server's answers are the run's: nothing is inconclusive.
    let bad = raw_server(picky, picky).await;
    let good = raw_server(honest_reply, honest_reply).await;
    let dns = dns_over(vec![bad, good]).await;
    let spf = dns.query("list.example", RType::TXT).await;
    assert_eq!(spf.outcome, Outcome::Answer, "{:?}", spf.outcome);
    let mx = dns.query("list.example", RType::MX).await;
    assert_eq!(mx.outcome, Outcome::Answer, "{:?}", mx.outcome);
    let ptr = dns.query("10.2.0.192.in-addr.arpa", RType::PTR).await;
    assert_eq!(ptr.outcome, Outcome::NoData, "{:?}", ptr.outcome);
    let r = check_domain(&dns, &bare("list.example", &[Check::Spf, Check::Mx])).await;
    assert!(
        r.findings.iter().all(|f| !f.inconclusive),
        "{:#?}",
        summary(&r)
    );

    // When every server fails, the failure the user sees is a server's own word, not the
    // silence of another: REFUSED from the first, then a server that never answers.
    let silent = raw_server(|_| None, |_| None).await;
    let dns = Dns::new(DnsConfig {
        nameservers: vec![bad, silent],
        timeout: Duration::from_millis(500),
        ..patient()
    })
    .await
    .unwrap();
    let spf = dns.query("list.example", RType::TXT).await;
    assert!(
        matches!(spf.outcome, Outcome::Refused(_)),
        "{:?}",
        spf.outcome
    );
}

// ------------------------------------------------------------ RFC 2317 classless reverse

/// `10.2.0.192.in-addr.arpa` CNAME `10.0-25.2.0.192.in-addr.arpa` alone (the server does not
/// serve the target); asked for the target itself, its PTR `mail.cls.example`; that name has
/// 192.0.2.10.
fn classless(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    match (qtype(q), text.as_str()) {
        (RecordType::PTR, "10.2.0.192.in-addr.arpa.") => {
            let alias = Record::from_rdata(
                asked(q),
                300,
                RData::CNAME(CNAME(name("10.0-25.2.0.192.in-addr.arpa."))),
            );
            reply(q, ResponseCode::NoError, vec![alias], vec![])
        }
        (RecordType::PTR, "10.0-25.2.0.192.in-addr.arpa.") => {
            let ptr = Record::from_rdata(asked(q), 300, RData::PTR(PTR(name("mail.cls.example."))));
            reply(q, ResponseCode::NoError, vec![ptr], vec![])
        }
        (RecordType::A, "mail.cls.example.") => reply(
            q,
            ResponseCode::NoError,
            vec![a(asked(q), [192, 0, 2, 10])],
            vec![],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn a_ptr_behind_an_rfc_2317_cname_the_server_did_not_follow_is_the_ptr() {
    // RFC 2317 section 4: classless in-addr.arpa delegation makes the reverse name a CNAME
    // into the customer's zone; the PTR there is the real answer. A server that sends the
    // CNAME alone (no SOA: it does not serve the target) leaves the client to ask the target,
    // and the name found confirms as any PTR does.
    let addr = raw_server(classless, classless).await;
    let dns = dns_at(addr).await;
    let answer = dns.reverse("192.0.2.10".parse().unwrap()).await;
    assert_eq!(answer.outcome, Outcome::Answer, "{:?}", answer.outcome);
    assert_eq!(answer.cname_chain, ["10.0-25.2.0.192.in-addr.arpa"]);
    let mut params = bare("cls.example", &[Check::Ptr]);
    params.ip = Some("192.0.2.10".parse().unwrap());
    params.helo = Some("mail.cls.example".into());
    let r = check_domain(&dns, &params).await;
    let ptr = r.ptr.as_ref().unwrap();
    assert_eq!(ptr.fcrdns, Some(true), "{:#?}", summary(&r));
    assert!(
        r.findings.iter().all(|f| !f.inconclusive),
        "{:#?}",
        summary(&r)
    );
    lacks(&r, "ptr-missing");
}
