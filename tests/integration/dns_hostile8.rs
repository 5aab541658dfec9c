//! Hostile servers, round 8: a `_domainkey` name that is a CNAME to a name that does not
//! exist, NXDOMAIN for TXT alone while the name's MX answers, a server that rejects EDNS and
//! truncates, FORMERR to every form of the question, TCP messages shorter than a DNS header,
//! a server address where nothing listens, addresses in the additional section offered as
//! proof, DNSSEC signatures without their records, and a DNAME whose substitution outgrows
//! 255 octets (the rest of the round is in `dns_hostile8b`). Each test says first what a
//! careful resolver or receiver does, then checks it.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, summary};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile6::{
    a, asked, asked_text, bare, dns_at, name, nodata, qtype, reply, soa, txt,
};
use crate::dns_hostile6b::rsa_key_b64;
use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{CNAME, MX, NULL, PTR, TXT};
use hickory_proto::rr::{RData, Record, RecordType};
use mailtriage::checks::{CheckParams, check_domain};
use mailtriage::dns::{Outcome, RType};
use mailtriage::finding::Check;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A 2048-bit DKIM key record owned by `owner`, in 255-octet strings.
pub(crate) fn key(owner: hickory_proto::rr::Name) -> Record {
    let text = format!("v=DKIM1; k=rsa; p={}", rsa_key_b64(256));
    let strings: Vec<String> = text
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    Record::from_rdata(owner, 300, RData::TXT(TXT::new(strings)))
}

fn nx_in(q: &Message, zone: &str) -> Option<Vec<u8>> {
    reply(q, ResponseCode::NXDomain, vec![], vec![soa(zone)])
}

// ------------------------------------------------------------ an RFC 8020 cut at a CNAME

/// `_domainkey.gate.example` is a CNAME to `gone.elsewhere.example`, which does not exist;
/// `s1._domainkey.gate.example` holds a key; other selectors do not exist.
fn gate_is_a_cname(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    match text.as_str() {
        "_domainkey.gate.example." => {
            let c = Record::from_rdata(
                asked(q),
                300,
                RData::CNAME(CNAME(name("gone.elsewhere.example."))),
            );
            reply(
                q,
                ResponseCode::NXDomain,
                vec![c],
                vec![soa("elsewhere.example.")],
            )
        }
        // The same class one level down: the gate says NXDOMAIN (it mishandles the empty
        // non-terminal) while a named selector below it is a CNAME to nothing.
        "_domainkey.ent.example." => nx_in(q, "ent.example."),
        "old._domainkey.ent.example." => {
            let c = Record::from_rdata(
                asked(q),
                300,
                RData::CNAME(CNAME(name("old.gone.example."))),
            );
            reply(
                q,
                ResponseCode::NXDomain,
                vec![c],
                vec![soa("gone.example.")],
            )
        }
        "s1._domainkey.gate.example." | "s1._domainkey.ent.example." => {
            reply(q, ResponseCode::NoError, vec![key(asked(q))], vec![])
        }
        t if t.ends_with("._domainkey.ent.example.") => nx_in(q, "ent.example."),
        t if t.ends_with("._domainkey.gate.example.") => nx_in(q, "gate.example."),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn a_domainkey_name_that_is_a_cname_to_nothing_does_not_end_dkim_discovery() {
    // RFC 6604 section 2.1: after a CNAME, the RCODE speaks of the chain's last name. An
    // NXDOMAIN at the end of `_domainkey.gate.example CNAME gone.elsewhere.example` says that
    // `gone.elsewhere.example` does not exist; `_domainkey.gate.example` does (it owns the
    // CNAME), so RFC 8020's "nothing below" says nothing of the selectors under it. Receivers
    // ask `s1._domainkey.gate.example` directly and find the key: so must discovery.
    let dns = dns_at(raw_server(gate_is_a_cname, gate_is_a_cname).await).await;
    let r = check_domain(&dns, &bare("gate.example", &[Check::Dkim])).await;
    lacks(&r, "dkim-no-key-found");
    let dkim = r.dkim.as_ref().unwrap();
    assert_eq!(dkim.discovery.domainkey, "exists", "{:#?}", summary(&r));
    assert!(
        dkim.selectors
            .iter()
            .any(|s| s.selector == "s1" && s.status == "valid"),
        "{:#?}",
        dkim.selectors
    );
    // A named selector that is a CNAME exists, whatever its target: an NXDOMAIN at
    // `_domainkey.ent.example` above it is the server mishandling an empty non-terminal, named
    // as such, and discovery goes on to the key at `s1`.
    let p = CheckParams {
        dkim_selectors: vec!["old".into()],
        ..bare("ent.example", &[Check::Dkim])
    };
    let r = check_domain(&dns, &p).await;
    lacks(&r, "dkim-no-key-found");
    let f = has(&r, "dkim-domainkey-nxdomain");
    assert!(
        f.message.contains("old._domainkey.ent.example"),
        "{}",
        f.message
    );
    let dkim = r.dkim.as_ref().unwrap();
    assert!(
        dkim.selectors
            .iter()
            .any(|s| s.selector == "s1" && s.status == "valid"),
        "{:#?}",
        summary(&r)
    );
}

// ------------------------------------------------------------ NXDOMAIN for one type only

/// `split.example` has an MX (and its exchange an address), but every TXT question at or below
/// it is answered NXDOMAIN: a server (a load balancer's DNS, a CDN) that says "no such name"
/// for the types it does not serve.
fn nxdomain_for_txt(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if text != "split.example." && text != "mx.split.example." {
        return nx_in(q, "example.");
    }
    match qtype(q) {
        RecordType::TXT => nx_in(q, "example."),
        RecordType::MX if text == "split.example." => {
            let mx = Record::from_rdata(
                asked(q),
                300,
                RData::MX(MX::new(10, name("mx.split.example."))),
            );
            reply(q, ResponseCode::NoError, vec![mx], vec![])
        }
        RecordType::A if text == "mx.split.example." => reply(
            q,
            ResponseCode::NoError,
            vec![a(asked(q), [192, 0, 2, 25])],
            vec![],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn nxdomain_for_txt_while_the_mx_answers_is_no_proof_the_domain_does_not_exist() {
    // RFC 8020 section 2 and RFC 2308 section 2.1: NXDOMAIN means the name has no data of any
    // type. A server that answers NXDOMAIN to TXT and an MX record to MX contradicts itself:
    // the name exists. Receivers reading TXT see no SPF (RFC 7208 section 4.3: NXDOMAIN is
    // "none"), so the missing SPF stays; but "the domain does not exist" would be false, and
    // the MX the server did show stays in the report. The contradiction is named: resolvers
    // that trust RFC 8020 may cache the NXDOMAIN and then lose the MX as well.
    let dns = dns_at(raw_server(nxdomain_for_txt, nxdomain_for_txt).await).await;
    let r = check_domain(&dns, &bare("split.example", &[Check::Spf, Check::Mx])).await;
    lacks(&r, "domain-nonexistent");
    has(&r, "spf-missing");
    let f = has(&r, "dns-nxdomain-contradicted");
    assert!(f.message.contains("split.example"), "{}", f.message);
    assert!(f.message.contains("MX"), "{}", f.message);
    let mx = r.mx.as_ref().unwrap();
    assert_eq!(mx.hosts.len(), 1, "{:#?}", summary(&r));
    // A name that does not exist for every type is still reported as such.
    let r = check_domain(&dns, &bare("gone.split.example", &[Check::Spf])).await;
    lacks(&r, "dns-nxdomain-contradicted");
}

// ------------------------------------------------------------ EDNS rejected, answer truncated

static EDNS_ASKED: AtomicUsize = AtomicUsize::new(0);

/// FORMERR without OPT to any query with OPT (a server from before RFC 6891); without OPT,
/// an answer of ten 100-octet TXT records, truncated over UDP (it exceeds 512 octets).
fn old_server(q: &Message, tcp: bool) -> Option<Vec<u8>> {
    if q.edns.is_some() {
        EDNS_ASKED.fetch_add(1, Ordering::Relaxed);
        return reply(q, ResponseCode::FormErr, vec![], vec![]);
    }
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    if !tcp {
        let mut r = Message::response(q.metadata.id, OpCode::Query);
        r.metadata.authoritative = true;
        r.metadata.truncation = true;
        r.add_queries(q.queries.clone());
        return r.to_vec().ok();
    }
    let records = (0..10)
        .map(|i| {
            let text = format!("filler-{i} {}", "x".repeat(90));
            txt(asked(q), &text)
        })
        .chain([txt(asked(q), "v=spf1 ip4:192.0.2.10 -all")])
        .collect();
    reply(q, ResponseCode::NoError, records, vec![])
}

#[tokio::test]
async fn a_server_that_rejects_edns_and_truncates_is_read_whole_over_tcp_without_edns() {
    // RFC 6891 section 7: a server that does not implement EDNS answers FORMERR without OPT,
    // and the question is asked again without OPT. Without EDNS a UDP answer holds 512 octets
    // (RFC 1035 section 4.2.1), so this one comes with TC=1, and TCP must be asked without OPT
    // too: the same server would answer FORMERR there. The whole RRset is then read.
    let dns = dns_at(raw_server(|q| old_server(q, false), |q| old_server(q, true)).await).await;
    let answer = dns.query("old.example", RType::TXT).await;
    assert_eq!(answer.outcome, Outcome::Answer, "{:?}", answer.outcome);
    assert_eq!(answer.records.len(), 11);
    let r = check_domain(&dns, &bare("old.example", &[Check::Spf])).await;
    lacks(&r, "spf-missing");
    lacks(&r, "spf-lookup-failed");
    assert_eq!(r.spf.as_ref().unwrap().records_count, 1);
    // EDNS was offered once per question, over UDP only.
    assert!(EDNS_ASKED.load(Ordering::Relaxed) <= 4);
}

// ------------------------------------------------------------ FORMERR whatever is sent

static FORMERR_ASKED: AtomicUsize = AtomicUsize::new(0);

/// FORMERR to everything about `formerr.example`; with OPT when `opt.` leads the name.
fn formerr_always(q: &Message) -> Option<Vec<u8>> {
    FORMERR_ASKED.fetch_add(1, Ordering::Relaxed);
    let mut r = Message::from_vec(&reply(q, ResponseCode::FormErr, vec![], vec![])?).ok()?;
    if asked_text(q).starts_with("opt.") && q.edns.is_some() {
        r.set_edns(hickory_proto::op::Edns::new());
    }
    r.to_vec().ok()
}

#[tokio::test]
async fn formerr_to_every_form_of_the_question_is_trouble_that_says_formerr() {
    // RFC 1035 section 4.1.1: FORMERR says the server could not read the query, nothing about
    // the name. Without OPT it may be a server that predates EDNS, asked once more without it
    // (RFC 6891 section 7); FORMERR again, or FORMERR with OPT (a server that reads EDNS and
    // still rejects the query), ends there: trouble in the user's words, never absence, and
    // asked a bounded number of times.
    let dns = dns_at(raw_server(formerr_always, formerr_always).await).await;
    for domain in ["formerr.example", "opt.formerr.example"] {
        let answer = dns.query(domain, RType::TXT).await;
        let Outcome::Error(why) = &answer.outcome else {
            panic!("{domain}: {:?}", answer.outcome)
        };
        assert!(why.contains("FORMERR"), "{why}");
        assert!(why.contains("could not read"), "{why}");
        let r = check_domain(&dns, &bare(domain, &[Check::Spf])).await;
        lacks(&r, "spf-missing");
        assert!(has(&r, "spf-lookup-failed").inconclusive);
        assert!(has(&r, "spf-lookup-failed").message.contains("FORMERR"));
    }
    // Two questions (the two names' TXT), each asked at most twice.
    assert!(FORMERR_ASKED.load(Ordering::Relaxed) <= 4);
}

// ------------------------------------------------------------ TCP messages too short

/// TC=1 over UDP; over TCP a message of 0 octets (names under `empty.`) or of 5 octets (the
/// message id and three more, names under `five.`).
fn short_tcp(q: &Message, tcp: bool) -> Option<Vec<u8>> {
    if !tcp {
        let mut r = Message::response(q.metadata.id, OpCode::Query);
        r.metadata.truncation = true;
        r.add_queries(q.queries.clone());
        return r.to_vec().ok();
    }
    if asked_text(q).starts_with("empty.") {
        return Some(Vec::new());
    }
    let mut b = q.metadata.id.to_be_bytes().to_vec();
    b.extend([0x84, 0x00, 0x00]);
    Some(b)
}

#[tokio::test]
async fn a_tcp_message_shorter_than_a_dns_header_is_named_as_such() {
    // RFC 1035 section 4.1.1: every message opens with a 12-octet header; RFC 7766 section 8
    // frames it with its length. A message of 0 or 5 octets is no response at all: trouble
    // that says so, not "another message id" (there is no id to compare in 0 octets).
    let dns = dns_at(raw_server(|q| short_tcp(q, false), |q| short_tcp(q, true)).await).await;
    for (domain, size) in [
        ("empty.short.example", "0 bytes"),
        ("five.short.example", "5 bytes"),
    ] {
        let answer = dns.query(domain, RType::TXT).await;
        let Outcome::Error(why) = &answer.outcome else {
            panic!("{domain}: {:?}", answer.outcome)
        };
        assert!(why.contains(size), "{why}");
        assert!(why.contains("12-byte"), "{why}");
        assert!(!why.contains("another message id"), "{why}");
        let r = check_domain(&dns, &bare(domain, &[Check::Dmarc])).await;
        lacks(&r, "dmarc-missing");
        assert!(has(&r, "dmarc-lookup-failed").inconclusive);
    }
}

// ------------------------------------------------------------ nothing listens

#[tokio::test]
async fn a_server_address_where_nothing_listens_is_named_at_once_not_waited_for() {
    // A UDP datagram to a port where nothing listens comes back as ICMP port unreachable
    // (RFC 1122 section 4.1.3.1), which a connected socket reports as "connection refused".
    // That is an answer of the network, at once: the question fails without waiting out the
    // timeout, says that no DNS server listens there, and is trouble, never absence.
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    drop(sock);
    let dns = dns_at(addr).await;
    let started = Instant::now();
    let answer = dns.query("nobody.example", RType::TXT).await;
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let Outcome::Error(why) = &answer.outcome else {
        panic!("{:?}", answer.outcome)
    };
    assert!(why.contains(&addr.to_string()), "{why}");
    assert!(why.contains("port unreachable"), "{why}");
    let r = check_domain(&dns, &bare("nobody.example", &[Check::Spf, Check::Dmarc])).await;
    lacks(&r, "spf-missing");
    lacks(&r, "dmarc-missing");
    assert!(has(&r, "spf-lookup-failed").inconclusive);
    // Listed first before a server that answers, it hands every question to that one at once.
    let good = raw_server(spf_everywhere, spf_everywhere).await;
    let dns = mailtriage::dns::Dns::new(mailtriage::dns::DnsConfig {
        nameservers: vec![addr, good],
        ..crate::dns_hostile6::patient()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let answer = dns.query("somebody.example", RType::TXT).await;
    assert_eq!(answer.outcome, Outcome::Answer, "{:?}", answer.outcome);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

/// `v=spf1 -all` for every TXT question, NODATA for the rest.
fn spf_everywhere(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    reply(
        q,
        ResponseCode::NoError,
        vec![txt(asked(q), "v=spf1 -all")],
        vec![],
    )
}

// ------------------------------------------------------------ additional-section "proof"

/// The PTR of 192.0.2.77 names `mail.fake.example` and adds, in the additional section, an A
/// record making that name 192.0.2.77; asked itself, `mail.fake.example` is 203.0.113.9.
/// `add.example`'s MX names `mx.add.example` with an additional A of 203.0.113.66; asked,
/// `mx.add.example` is 192.0.2.10.
fn additional_proof(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.add_queries(q.queries.clone());
    match (qtype(q), text.as_str()) {
        (RecordType::PTR, "77.2.0.192.in-addr.arpa.") => {
            r.add_answer(Record::from_rdata(
                asked(q),
                300,
                RData::PTR(PTR(name("mail.fake.example."))),
            ));
            r.add_additional(a(name("mail.fake.example."), [192, 0, 2, 77]));
        }
        (RecordType::A, "mail.fake.example.") => {
            r.add_answer(a(asked(q), [203, 0, 113, 9]));
        }
        (RecordType::MX, "add.example.") => {
            r.add_answer(Record::from_rdata(
                asked(q),
                300,
                RData::MX(MX::new(10, name("mx.add.example."))),
            ));
            r.add_additional(a(name("mx.add.example."), [203, 0, 113, 66]));
        }
        (RecordType::A, "mx.add.example.") => {
            r.add_answer(a(asked(q), [192, 0, 2, 10]));
        }
        _ => return nodata(q),
    }
    r.to_vec().ok()
}

#[tokio::test]
async fn addresses_in_the_additional_section_confirm_no_ptr_and_move_no_mx() {
    // RFC 2181 section 5.4.1 ranks additional-section data below everything: it is a hint a
    // resolver may cache, never the answer to a question it asks. Forward-confirmed reverse
    // DNS asks the PTR name's address itself (RFC 8601 section 3: iprev); an A record slipped
    // beside the PTR answer confirms nothing, and an MX host's addresses are those its own A
    // question returns, not the glue beside the MX.
    let dns = dns_at(raw_server(additional_proof, additional_proof).await).await;
    let p = CheckParams {
        ip: Some("192.0.2.77".parse().unwrap()),
        ..bare("add.example", &[Check::Ptr, Check::Mx])
    };
    let r = check_domain(&dns, &p).await;
    let ptr = r.ptr.as_ref().unwrap();
    assert_eq!(ptr.fcrdns, Some(false), "{:#?}", summary(&r));
    has(&r, "ptr-not-confirmed");
    let mx = r.mx.as_ref().unwrap();
    assert_eq!(mx.hosts.len(), 1);
    assert_eq!(
        mx.hosts[0].addresses,
        vec!["192.0.2.10".parse::<std::net::IpAddr>().unwrap()]
    );
}

// ------------------------------------------------------------ signatures without records

/// RRSIG RDATA (RFC 4034 section 3.1) covering TXT, signed by `example.`, with a short
/// signature: well-formed, never verified (we do not validate).
fn rrsig(owner: hickory_proto::rr::Name) -> Record {
    let mut rd = Vec::new();
    rd.extend(16u16.to_be_bytes()); // type covered: TXT
    rd.extend([13, 2]); // algorithm, labels
    rd.extend(300u32.to_be_bytes());
    rd.extend(2_000_000_000u32.to_be_bytes());
    rd.extend(1_900_000_000u32.to_be_bytes());
    rd.extend(4242u16.to_be_bytes());
    rd.extend([7]);
    rd.extend(b"example");
    rd.push(0);
    rd.extend([0x5a; 64]);
    Record::from_rdata(
        owner,
        300,
        RData::Unknown {
            code: RecordType::RRSIG,
            rdata: NULL::with(rd),
        },
    )
}

/// TXT questions under `bare.` get the RRSIG alone; under `signed.` the SPF record and its
/// RRSIG.
fn signatures(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    let text = asked_text(q);
    if text.starts_with("_dmarc.") {
        return reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=DMARC1; p=none"), rrsig(asked(q))],
            vec![],
        );
    }
    if text.ends_with("bare.example.") {
        return reply(q, ResponseCode::NoError, vec![rrsig(asked(q))], vec![]);
    }
    reply(
        q,
        ResponseCode::NoError,
        vec![rrsig(asked(q)), txt(asked(q), "v=spf1 ip4:192.0.2.10 -all")],
        vec![],
    )
}

#[tokio::test]
async fn a_signature_without_its_records_is_a_broken_answer_and_beside_them_is_ignored() {
    // RFC 4035 section 3.1.1: an RRSIG travels with the RRset it signs. A NOERROR whose
    // answer section holds the RRSIG covering TXT and no TXT record says "signed TXT data
    // exists" without the data: neither the record nor a NODATA (whose proof would be NSEC
    // records in the authority section, RFC 4035 section 3.1.3.1). Beside its RRset, an RRSIG
    // changes nothing for a checker that does not validate: the record is read.
    let dns = dns_at(raw_server(signatures, signatures).await).await;
    let answer = dns.query("bare.example", RType::TXT).await;
    assert!(answer.outcome.is_trouble(), "{:?}", answer.outcome);
    let r = check_domain(&dns, &bare("bare.example", &[Check::Spf])).await;
    lacks(&r, "spf-missing");
    assert!(has(&r, "spf-lookup-failed").inconclusive);

    let answer = dns.query("signed.example", RType::TXT).await;
    assert_eq!(answer.outcome, Outcome::Answer, "{:?}", answer.outcome);
    assert_eq!(answer.records.len(), 1);
    let r = check_domain(&dns, &bare("signed.example", &[Check::Spf, Check::Dmarc])).await;
    lacks(&r, "spf-lookup-failed");
    lacks(&r, "dmarc-lookup-failed");
    assert_eq!(r.spf.as_ref().unwrap().records_count, 1);
    assert_eq!(
        r.dmarc.as_ref().unwrap().policy.as_deref(),
        Some("none"),
        "{:#?}",
        summary(&r)
    );
}

// ------------------------------------------------------------ DNAME past 255 octets

/// Every question under `long.example` gets only `long.example DNAME <a 247-octet name>`
/// (no synthesised CNAME): substituting it into any name below `long.example` makes a name
/// longer than 255 octets.
fn dname_too_long(q: &Message) -> Option<Vec<u8>> {
    if !asked_text(q).ends_with(".long.example.") {
        return nodata(q);
    }
    let mut rdata = Vec::new();
    for _ in 0..4 {
        rdata.push(60);
        rdata.extend([b'a'; 60]);
    }
    rdata.push(1);
    rdata.push(b'z');
    rdata.push(0);
    let dname = Record::from_rdata(
        name("long.example."),
        300,
        RData::Unknown {
            code: RecordType::DNAME,
            rdata: NULL::with(rdata),
        },
    );
    reply(q, ResponseCode::NoError, vec![dname], vec![])
}

#[tokio::test]
async fn a_dname_whose_substitution_outgrows_255_octets_is_trouble_named_yxdomain() {
    // RFC 6672 section 2.2: when the substitution would make a name longer than 255 octets,
    // the server answers YXDOMAIN; a resolver synthesising it itself (section 3.4) stops
    // there. The question ends as trouble that says why, never as absence, never a panic.
    let dns = dns_at(raw_server(dname_too_long, dname_too_long).await).await;
    let answer = dns.query("_dmarc.mail.long.example", RType::TXT).await;
    let Outcome::Error(why) = &answer.outcome else {
        panic!("{:?}", answer.outcome)
    };
    assert!(why.contains("255"), "{why}");
    assert!(why.contains("YXDOMAIN"), "{why}");
    assert!(why.len() < 600, "{why}");
    let r = check_domain(&dns, &bare("mail.long.example", &[Check::Dmarc])).await;
    lacks(&r, "dmarc-missing");
    assert!(r.dmarc.as_ref().unwrap().status.is_inconclusive());
}
