//! Hostile servers, round 3: a TCP answer dripped byte by byte or cut by a closed connection,
//! Extended DNS Errors, rate limiting, referrals from a server asked to recurse, negative
//! answers with NS and no SOA, thousands of additional records, and a server that invents an
//! address for every name. Each is DNS trouble in the user's words, or the answer the RFCs say.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{fault, good_served, good_zone, has, lacks, only, run_faults, variant};
use crate::cli_support::{Served, code, run};
use crate::common::{serve_with, zone_text, zones};
use crate::dns_hostile_wire::raw_server;
use hickory_proto::op::{Message, OpCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record};
use mailtriage::checks::check_domain;
use mailtriage::dns::{Dns, DnsConfig, FaultKind, Outcome, RType, ServerOptions};
use mailtriage::finding::Check;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn one_second() -> DnsConfig {
    DnsConfig {
        timeout: Duration::from_secs(1),
        retries: 0,
        ..DnsConfig::default()
    }
}

/// What the raw TCP side does with its (whole, framed) answer.
#[derive(Clone, Copy)]
enum Tcp {
    /// One byte every 100 ms.
    Drip,
    /// The length prefix and half the message, then the connection is closed.
    CloseMidMessage,
}

/// A server whose UDP answers are truncated (TC=1), so the client must use TCP, where it
/// misbehaves as `how` says: byte-level behaviour hickory-server cannot be made to show.
async fn tcp_server(how: Tcp) -> SocketAddr {
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
            let mut r = Message::response(q.metadata.id, OpCode::Query);
            r.metadata.truncation = true;
            r.add_queries(q.queries.clone());
            let _ = sock.send_to(&r.to_vec().unwrap(), from).await;
        }
    });
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut len = [0u8; 2];
                s.read_exact(&mut len).await.ok()?;
                let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
                s.read_exact(&mut msg).await.ok()?;
                let q = Message::from_vec(&msg).ok()?;
                let mut r = Message::response(q.metadata.id, OpCode::Query);
                r.metadata.authoritative = true;
                r.add_queries(q.queries.clone());
                let name = q.queries[0].name().clone();
                let text = "v=spf1 ip4:192.0.2.0/24 -all".to_string();
                r.add_answer(Record::from_rdata(
                    name,
                    300,
                    RData::TXT(TXT::new(vec![text])),
                ));
                let out = r.to_vec().ok()?;
                let mut framed = u16::try_from(out.len()).ok()?.to_be_bytes().to_vec();
                framed.extend(out);
                match how {
                    Tcp::Drip => {
                        for b in framed {
                            s.write_all(&[b]).await.ok()?;
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    Tcp::CloseMidMessage => {
                        let half = 2 + (framed.len() - 2) / 2;
                        s.write_all(&framed[..half]).await.ok()?;
                        s.shutdown().await.ok()?;
                    }
                }
                Some(())
            });
        }
    });
    addr
}

async fn dns_at(addr: SocketAddr) -> Dns {
    Dns::new(DnsConfig {
        nameservers: vec![addr],
        ..one_second()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_tcp_answer_dripped_a_byte_per_100_ms_is_a_timeout_within_the_per_query_bound() {
    // RFC 7766 section 6.2.3 lets a client bound how long it waits on a TCP connection; an
    // answer of ~80 bytes at 10 bytes a second would take 8 s. It is cut at the 1 s timeout.
    let dns = dns_at(tcp_server(Tcp::Drip).await).await;
    let started = Instant::now();
    let a = dns.query("drip.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Timeout, "{:?}", a.outcome);
    assert!(a.records.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_tcp_connection_closed_mid_message_is_trouble_that_says_so() {
    let dns = dns_at(tcp_server(Tcp::CloseMidMessage).await).await;
    let started = Instant::now();
    let a = dns.query("cut.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    // Before: "early eof", with nothing to say which side or how much.
    assert!(why.contains("closed the TCP connection after"), "{why}");
    assert!(why.contains("bytes of its answer"), "{why}");
    assert!(a.records.is_empty());
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[test]
fn the_cli_exits_3_when_every_tcp_answer_is_cut() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = rt.block_on(tcp_server(Tcp::CloseMidMessage));
    let ns = addr.to_string();
    let out = run(
        &[
            "check",
            "cut.example",
            "--only",
            "spf,dmarc",
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
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("spf-lookup-failed"), "{text}");
    assert!(text.contains("closed the TCP connection"), "{text}");
    assert!(!text.contains("-missing"), "{text}");
    drop(rt);
}

const EDE_TEXT: &str = "no DNSKEY for good.example\u{1b}[2J\u{202e}";

#[tokio::test]
async fn a_servfail_with_an_extended_dns_error_shows_its_code_and_text_escaped() {
    // RFC 8914 section 2: INFO-CODE 9 is "DNSKEY Missing"; EXTRA-TEXT is the server's own.
    let kind = FaultKind::ServFailEde(9, EDE_TEXT);
    let (_s, dns) = good_served(
        vec![fault("_dmarc.good.example", None, kind)],
        false,
        one_second(),
    )
    .await;
    let a = dns.query("_dmarc.good.example", RType::TXT).await;
    // Still a SERVFAIL (JSON kind `servfail`), with the server's reason beside it.
    let Outcome::ServFail(Some(why)) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(
        why.starts_with("extended DNS error 9 (DNSKEY Missing): \"no DNSKEY for good.example"),
        "{why}"
    );
    assert!(why.contains("\\u{1b}[2J\\u{202e}"), "{why}");
    assert!(
        !why.contains('\u{1b}') && !why.contains('\u{202e}'),
        "{why}"
    );
    // A SERVFAIL without one stays a plain SERVFAIL.
    let (_s, dns) = good_served(
        vec![fault("_dmarc.good.example", None, FaultKind::ServFail)],
        false,
        one_second(),
    )
    .await;
    assert_eq!(
        dns.query("_dmarc.good.example", RType::TXT).await.outcome,
        Outcome::ServFail(None)
    );
}

#[test]
fn the_extended_error_text_is_inert_in_every_output_format() {
    let served = Served::start(ServerOptions {
        zones: zones(&[("good.example", &zone_text("good.example", &good_zone()))]),
        root_catch_all: true,
        faults: vec![fault(
            "_dmarc.good.example",
            None,
            FaultKind::ServFailEde(9, EDE_TEXT),
        )],
        ..ServerOptions::default()
    });
    let ns = served.nameserver();
    for format in ["human", "json", "markdown", "sarif", "jsonl"] {
        let out = run(
            &[
                "check",
                "good.example",
                "--only",
                "dmarc",
                "--nameserver",
                &ns,
                "--timeout",
                "1",
                "--retries",
                "0",
                "--format",
                format,
            ],
            None,
        );
        assert_eq!(
            code(&out),
            3,
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(text.contains("DNSKEY Missing"), "{format}: {text}");
        assert!(!text.contains('\u{1b}'), "{format}: raw ESC in {text}");
        assert!(
            !text.contains('\u{202e}'),
            "{format}: raw bidi override in {text}"
        );
        assert!(!text.contains("dmarc-missing"), "{format}: {text}");
        if format == "json" {
            // The reason rides beside the kind, which stays the one a script filters on.
            assert!(text.contains("\"servfail\""), "{text}");
        }
    }
}

#[tokio::test]
async fn a_server_that_starts_refusing_is_trouble_from_then_on_never_absence() {
    // A rate-limiting server answers a few questions, then REFUSED (RFC 1035 section 4.1.1:
    // "refuses to perform the specified operation for policy reasons"): nothing after that is
    // known, and nothing may read as missing.
    let opts = ServerOptions {
        zones: zones(&[("good.example", &zone_text("good.example", &good_zone()))]),
        root_catch_all: true,
        refuse_after: Some(2),
        ..ServerOptions::default()
    };
    let (_s, dns) = serve_with(opts, one_second()).await;
    let r = check_domain(&dns, &only(&[Check::Spf, Check::Dmarc, Check::Mx])).await;
    let failed: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.id.ends_with("-lookup-failed"))
        .collect();
    assert!(
        !failed.is_empty(),
        "{:#?}",
        crate::checks_support::summary(&r)
    );
    for f in &failed {
        assert!(f.inconclusive, "{}", f.id);
        assert!(f.message.contains("REFUSED"), "{}: {}", f.id, f.message);
    }
    for id in ["spf-missing", "dmarc-missing", "mx-missing"] {
        lacks(&r, id);
    }
}

#[tokio::test]
async fn a_referral_from_a_server_asked_to_recurse_is_trouble_not_absence() {
    // RD=1 asks for recursion; NS records in the authority section, no answer and no SOA is a
    // referral (RFC 1034 section 4.3.1, RFC 2308 section 2.2), not a NODATA.
    let (_s, dns) = good_served(
        vec![fault("_dmarc.good.example", None, FaultKind::Referral)],
        false,
        one_second(),
    )
    .await;
    let a = dns.query("_dmarc.good.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("the server did not recurse"), "{why}");
    assert!(why.contains("referral"), "{why}");
    let faults = vec![fault("_dmarc.good.example", None, FaultKind::Referral)];
    let r = run_faults(&good_zone(), &[], faults, &only(&[Check::Dmarc])).await;
    let f = has(&r, "dmarc-lookup-failed");
    assert!(
        f.inconclusive && f.message.contains("did not recurse"),
        "{}",
        f.message
    );
    lacks(&r, "dmarc-missing");
    assert!(r.all_inconclusive());
}

#[tokio::test]
async fn a_negative_answer_with_ns_and_no_soa() {
    let faults = vec![
        fault("good.example", Some(RType::AAAA), FaultKind::NsOnlyNegative),
        fault("nothere.good.example", None, FaultKind::NsOnlyNegative),
    ];
    let (_s, dns) = good_served(faults, false, one_second()).await;
    // NOERROR, no answer, NS without SOA: the shape of a referral, which RFC 2308 section 2.2
    // says a NODATA must not have. It is not proof that the name has no AAAA.
    let a = dns.query("good.example", RType::AAAA).await;
    assert!(
        matches!(&a.outcome, Outcome::Error(w) if w.contains("referral")),
        "{:?}",
        a.outcome
    );
    // NXDOMAIN is a name error whatever the authority section holds (RFC 2308 section 2.1,
    // type 4); without an SOA there is no negative-caching TTL to report.
    let a = dns.query("nothere.good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::NxDomain);
    assert_eq!(a.ttl, None);
}

#[tokio::test]
async fn thousands_of_additional_records_do_not_hide_the_answer() {
    // 1,500 A records in the additional section (~45 KB): over UDP it is truncated, over TCP
    // it fits in one message; the additional section is never believed (RFC 2181 section 5.4.1).
    let faults = vec![fault(
        "good.example",
        Some(RType::TXT),
        FaultKind::HugeAdditional(1500),
    )];
    let (_s, dns) = good_served(faults, false, one_second()).await;
    let started = Instant::now();
    let a = dns.query("good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert_eq!(
        a.txt_strings(),
        vec!["v=spf1 ip4:192.0.2.0/24 include:_spf.good.example -all".to_string()]
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_server_that_invents_an_address_for_every_name() {
    // Every A question gets 192.0.2.99. Its answers are what the DNS says (RFC 4592 allows a
    // wildcard at any level), so `a:` of a made-up name is not void, but `mx:` of it still is:
    // the void count follows each term's own answer (RFC 7208 section 4.6.4).
    let body = variant(
        &[(
            "@ IN TXT",
            r#"@ IN TXT "v=spf1 a:made-up.good.example mx:made-up.good.example mx:gone.good.example -all""#,
        )],
        "",
    );
    let reverse = format!(
        "{}\n99 IN PTR ghost.nowhere.example.\n",
        crate::checks_support::REVERSE
    );
    let opts = ServerOptions {
        zones: zones(&[
            ("good.example", &zone_text("good.example", &body)),
            (
                "2.0.192.in-addr.arpa",
                &zone_text("2.0.192.in-addr.arpa", &reverse),
            ),
        ]),
        root_catch_all: true,
        a_for_every_name: Some("192.0.2.99".parse().unwrap()),
        ..ServerOptions::default()
    };
    let (_s, dns) = serve_with(opts, one_second()).await;
    let params = mailtriage::checks::CheckParams {
        ip: Some("192.0.2.99".parse().unwrap()),
        ..only(&[Check::Spf, Check::Ptr])
    };
    let r = check_domain(&dns, &params).await;
    let spf = r.spf.as_ref().unwrap();
    assert_eq!(spf.lookups, 3);
    assert_eq!(spf.void_lookups, 2, "two mx: of names without MX");
    lacks(&r, "spf-too-many-void-lookups");
    // FCrDNS asks the addresses of the PTR name ghost.nowhere.example, which exists nowhere:
    // the invented address matches, as it would for a real wildcard. The check reports what the DNS says; it cannot tell a lie from a wildcard.
    let ptr = r.ptr.as_ref().unwrap();
    assert_eq!(ptr.fcrdns, Some(true));
}

/// Answers like an authoritative server for `legacy.example`, whose SPF is published only as
/// a type 99 record (two character-strings), and `none.example`, which has neither.
fn type99_answer(q: &Message) -> Option<Vec<u8>> {
    use hickory_proto::rr::rdata::{NULL, SOA};
    use hickory_proto::rr::{Name, RecordType};
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.add_queries(q.queries.clone());
    let name = q.queries.first()?.name().clone();
    let apex = Name::from_ascii("example.").unwrap();
    let asked = name.to_ascii().to_ascii_lowercase();
    if asked == "legacy.example." && q.queries[0].query_type() == RecordType::Unknown(99) {
        let mut rdata = Vec::new();
        for part in ["v=spf1 ip4:192.0.2.0/24", " -all"] {
            rdata.push(u8::try_from(part.len()).unwrap());
            rdata.extend_from_slice(part.as_bytes());
        }
        let data = RData::Unknown {
            code: RecordType::Unknown(99),
            rdata: NULL::with(rdata),
        };
        r.add_answer(Record::from_rdata(name, 300, data));
    } else {
        let exists = matches!(asked.as_str(), "legacy.example." | "none.example.");
        if !exists {
            r.metadata.response_code = hickory_proto::op::ResponseCode::NXDomain;
        }
        let soa = SOA::new(apex.clone(), apex.clone(), 1, 3600, 600, 86400, 60);
        r.add_authority(Record::from_rdata(apex, 60, RData::SOA(soa)));
    }
    r.to_vec().ok()
}

#[tokio::test]
async fn spf_published_only_as_type_99_is_a_hint_beside_spf_missing() {
    // RFC 7208 section 14.1 retired type 99 and section 3.1 has receivers ask TXT only: the
    // domain has no SPF for them, and the hint says where its record went.
    let dns = dns_at(raw_server(type99_answer, type99_answer).await).await;
    let params = |d: &str| mailtriage::checks::CheckParams {
        domain: d.into(),
        ip: None,
        helo: None,
        from: None,
        mail_from: None,
        ..only(&[Check::Spf])
    };
    let r = check_domain(&dns, &params("legacy.example")).await;
    has(&r, "spf-missing");
    let f = has(&r, "spf-type99-only");
    assert_eq!(f.severity, mailtriage::finding::Severity::Warning);
    assert!(
        f.message.contains("`v=spf1 ip4:192.0.2.0/24 -all`"),
        "{}",
        f.message
    );
    assert!(f.message.contains("TXT"), "{}", f.message);
    // Neither TXT nor type 99: spf-missing alone.
    let r = check_domain(&dns, &params("none.example")).await;
    has(&r, "spf-missing");
    lacks(&r, "spf-type99-only");
}
