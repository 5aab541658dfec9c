//! Hostile servers, round 5 (continued): CNAME targets and MX exchanges whose labels hold a dot
//! or octets that are not UTF-8, a 64 KB TXT record, thousands of TXT records in one RRset,
//! thousands of PTR names, CNAME loops behind an SPF include and a DKIM selector, TXT data with
//! NUL, control and non-UTF-8 octets through every output format, and a wildcard PTR name.
//! The servers and record helpers are round 5's (`dns_hostile5`).
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, only, run};
use crate::cli_support::{code, run as cli};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile5::{asked, dns_at, labels, name, qtype, reply, soa, truncated, txt};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, MX, PTR, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use mailtriage::checks::{CheckParams, check_domain};
use mailtriage::dns::{Outcome, RType};
use mailtriage::finding::Check;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ names that are not plain text

/// The two-label name `mail.good` + `example` (a dot inside the first label).
fn dotted() -> Name {
    Name::from_labels(vec![b"mail.good".to_vec(), b"example".to_vec()]).unwrap()
}

/// A name whose first label is two octets that are not UTF-8.
fn not_utf8() -> Name {
    Name::from_labels(vec![vec![0xff, 0xfe], b"example".to_vec()]).unwrap()
}

/// `alias.example` and `raw.example` are CNAMEs (sent alone, no SOA: the resolver asks for
/// the target itself) to the two names above, which hold `v=spf1 -all`. Every name that a
/// careless reading of those targets gives (`mail`.`good`.`example`; the replacement
/// character's octets) holds `v=spf1 +all` and every address.
fn odd_targets(q: &Message) -> Option<Vec<u8>> {
    let l = labels(q);
    let owner = asked(q);
    let cname = |target: Name| {
        reply(
            q,
            ResponseCode::NoError,
            vec![Record::from_rdata(
                owner.clone(),
                300,
                RData::CNAME(CNAME(target)),
            )],
            vec![],
        )
    };
    let records = |spf: &str, ip: [u8; 4]| {
        let r = match qtype(q) {
            RecordType::A => Record::from_rdata(
                owner.clone(),
                300,
                RData::A(A::new(ip[0], ip[1], ip[2], ip[3])),
            ),
            RecordType::MX => {
                Record::from_rdata(owner.clone(), 300, RData::MX(MX::new(10, dotted())))
            }
            RecordType::TXT => txt(owner.clone(), spf),
            _ => return reply(q, ResponseCode::NoError, vec![], vec![soa("example.")]),
        };
        reply(q, ResponseCode::NoError, vec![r], vec![soa("example.")])
    };
    let is = |want: &[&[u8]]| l.len() == want.len() && l.iter().zip(want).all(|(a, b)| a == b);
    if is(&[b"alias", b"example"]) {
        cname(dotted())
    } else if is(&[b"raw", b"example"]) {
        cname(not_utf8())
    } else if is(&[b"mail.good", b"example"]) || is(&[&[0xff, 0xfe], b"example"]) {
        records("v=spf1 -all", [192, 0, 2, 10])
    } else if is(&[b"mx", b"example"]) {
        records("", [0, 0, 0, 0])
    } else if is(&[b"mail", b"good", b"example"])
        || l.first()
            .is_some_and(|f| f.windows(3).any(|w| w == [0xef, 0xbf, 0xbd]))
        || l.first().is_some_and(|f| f.contains(&b'\\'))
    {
        records("v=spf1 +all", [203, 0, 113, 66])
    } else {
        reply(q, ResponseCode::NXDomain, vec![], vec![soa("example.")])
    }
}

#[tokio::test]
async fn a_cname_target_is_asked_as_the_octets_it_holds() {
    // RFC 1035 section 3.1, RFC 2181 section 11: a label is any octets; a dot inside one does
    // not split it, and octets that are not UTF-8 are still exactly those octets. Following a
    // CNAME asks for the target as received, never for the name its text form reads as.
    let dns = dns_at(raw_server(odd_targets, odd_targets).await).await;
    for asked in ["alias.example", "raw.example"] {
        let a = dns.query(asked, RType::TXT).await;
        assert_eq!(a.outcome, Outcome::Answer, "{asked}: {:?}", a.outcome);
        assert_eq!(a.txt_strings(), vec!["v=spf1 -all".to_string()], "{asked}");
        assert_eq!(a.cname_chain.len(), 1, "{asked}");
    }
    // Two different names never share a text form: the chain shows each as it is.
    let a = dns.query("alias.example", RType::TXT).await;
    let b = dns.query("raw.example", RType::TXT).await;
    assert_eq!(a.cname_chain, vec!["mail\\.good.example".to_string()]);
    assert_ne!(b.cname_chain, vec!["\u{fffd}\u{fffd}.example".to_string()]);
}

#[tokio::test]
async fn an_mx_exchange_with_a_dot_inside_a_label_is_not_asked_as_another_name() {
    // mx.example MX 10 `mail\.good.example`: its addresses are those of that two-label name
    // (192.0.2.10), never those of `mail.good.example` (203.0.113.66).
    let dns = dns_at(raw_server(odd_targets, odd_targets).await).await;
    let p = CheckParams {
        domain: "mx.example".into(),
        ip: None,
        helo: None,
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..only(&[Check::Mx])
    };
    let r = check_domain(&dns, &p).await;
    let text = format!("{:?}", r.mx);
    assert!(!text.contains("203.0.113.66"), "{text}");
}

// ------------------------------------------------------------ size and count

/// One TXT record of 250 strings of about 250 octets (62,700 octets of SPF text) over TCP;
/// TC=1 over UDP.
fn huge_spf(q: &Message) -> Option<Vec<u8>> {
    let mut parts = vec![format!("v=spf1{}", " ip4:192.0.2.1".repeat(17))];
    parts.extend((1..249).map(|_| " ip4:192.0.2.1".repeat(18)));
    parts.push(" -all".to_string());
    let record = Record::from_rdata(asked(q), 300, RData::TXT(TXT::new(parts)));
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn a_64_kb_txt_record_over_tcp_is_read_whole_and_checked_in_bounded_time() {
    let dns = dns_at(raw_server(truncated, huge_spf).await).await;
    let a = dns.query("huge.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    let text = a.txt_strings().concat();
    assert!(text.len() > 62_000, "{}", text.len());
    let started = Instant::now();
    let p = CheckParams {
        domain: "huge.example".into(),
        ip: None,
        helo: None,
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..only(&[Check::Spf])
    };
    let r = check_domain(&dns, &p).await;
    has(&r, "spf-record-too-long");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// 2,000 TXT records in one RRset (about 60 KB: hickory writes each owner name in full), over
/// TCP, one of them SPF.
fn thousands_of_txt(q: &Message) -> Option<Vec<u8>> {
    let mut records: Vec<Record> = (0..2000)
        .map(|i| txt(asked(q), &format!("r{i:04}")))
        .collect();
    records.push(txt(asked(q), "v=spf1 ip4:192.0.2.0/24 -all"));
    reply(q, ResponseCode::NoError, records, vec![])
}

#[tokio::test]
async fn thousands_of_txt_records_in_one_rrset_are_read_and_checked_quickly() {
    let dns = dns_at(raw_server(truncated, thousands_of_txt).await).await;
    let started = Instant::now();
    let a = dns.query("many.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert_eq!(a.records.len(), 2001);
    let p = CheckParams {
        domain: "many.example".into(),
        ip: Some("192.0.2.10".parse().unwrap()),
        helo: None,
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..only(&[Check::Spf])
    };
    let r = check_domain(&dns, &p).await;
    lacks(&r, "spf-multiple-records");
    assert_eq!(r.spf.as_ref().unwrap().records_count, 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

static A_QUESTIONS: AtomicUsize = AtomicUsize::new(0);

/// 1,200 PTR names for every address (about 60 KB, over TCP), each name with an A record of
/// 192.0.2.10.
fn thousands_of_ptr(q: &Message) -> Option<Vec<u8>> {
    match qtype(q) {
        RecordType::PTR => {
            let records = (0..1200)
                .map(|i| {
                    let target = name(&format!("h{i}.example."));
                    Record::from_rdata(asked(q), 300, RData::PTR(PTR(target)))
                })
                .collect();
            reply(q, ResponseCode::NoError, records, vec![])
        }
        RecordType::A => {
            A_QUESTIONS.fetch_add(1, Ordering::SeqCst);
            reply(
                q,
                ResponseCode::NoError,
                vec![Record::from_rdata(
                    asked(q),
                    300,
                    RData::A(A::new(192, 0, 2, 10)),
                )],
                vec![],
            )
        }
        _ => reply(q, ResponseCode::NoError, vec![], vec![soa("example.")]),
    }
}

fn truncated_ptr(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) == RecordType::PTR {
        truncated(q)
    } else {
        thousands_of_ptr(q)
    }
}

#[tokio::test]
async fn thousands_of_ptr_names_are_not_thousands_of_lookups() {
    // Receivers look at a few PTR names (RFC 7208 section 5.5 stops at 10); a reverse zone
    // with 1,200 must not make the check ask 1,200 forward questions.
    let dns = dns_at(raw_server(truncated_ptr, thousands_of_ptr).await).await;
    let p = CheckParams {
        domain: "ptr.example".into(),
        ip: Some("192.0.2.10".parse().unwrap()),
        helo: None,
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..only(&[Check::Ptr])
    };
    let started = Instant::now();
    let r = check_domain(&dns, &p).await;
    has(&r, "ptr-too-many-names");
    let asked = A_QUESTIONS.load(Ordering::SeqCst);
    assert!(asked <= 20, "{asked} forward questions");
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ------------------------------------------------------------ CNAME loops behind checks

#[tokio::test]
async fn cname_loops_behind_an_spf_include_and_a_dkim_selector_are_inconclusive() {
    // RFC 1034 section 3.6.2: a CNAME loop is an error of the zone; what lies behind it is
    // unknown, so the include is neither "without SPF" nor void, and the selector's key is
    // neither missing nor valid.
    let zone = crate::checks_support::variant(
        &[(
            "@ IN TXT",
            r#"@ IN TXT "v=spf1 include:loop1.good.example -all""#,
        )],
        "loop1 IN CNAME loop2.good.example.\nloop2 IN CNAME loop1.good.example.\nsel._domainkey IN CNAME sel2._domainkey.good.example.\nsel2._domainkey IN CNAME sel._domainkey.good.example.",
    );
    let r = run(&zone, &only(&[Check::Spf])).await;
    lacks(&r, "spf-include-without-spf");
    lacks(&r, "spf-too-many-void-lookups");
    assert!(
        r.findings.iter().any(|f| f.inconclusive),
        "{:#?}",
        crate::checks_support::summary(&r)
    );
    assert_ne!(
        r.spf
            .as_ref()
            .unwrap()
            .result
            .as_ref()
            .map(|x| x.result.as_str()),
        Some("fail")
    );
    let p = CheckParams {
        dkim_selectors: vec!["sel".into()],
        ..only(&[Check::Dkim])
    };
    let r = run(&zone, &p).await;
    for id in ["dkim-selector-missing", "dkim-cname-dangling"] {
        lacks(&r, id);
    }
    assert!(has(&r, "dkim-lookup-failed").inconclusive);
}

// ------------------------------------------------------------ hostile octets in TXT

/// SPF and DMARC records with NUL, ESC, a bidi override, octets that are not UTF-8, Markdown
/// and a CSV formula, straight from the wire.
fn hostile_txt(q: &Message) -> Option<Vec<u8>> {
    let n = asked(q).to_ascii().to_ascii_lowercase();
    let data: Vec<u8> = if n.starts_with("_dmarc.") {
        b"v=DMARC1; p=none; rua=mailto:a@x.example\x00\x1b]8;;http://evil\x07|`x`\xff\xfe=cmd|' /C calc'!A0".to_vec()
    } else if qtype(q) == RecordType::TXT && n == "octets.example." {
        b"v=spf1 ip4:192.0.2.0/24 \x1b[2K\x00\xc2\x9b\xff =HYPERLINK(\"http://evil\") [x](http://evil) \xe2\x80\xae -all".to_vec()
    } else {
        return reply(q, ResponseCode::NoError, vec![], vec![soa("example.")]);
    };
    let record = Record::from_rdata(asked(q), 300, RData::TXT(TXT::from_bytes(vec![&data])));
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[test]
fn nul_control_and_non_utf8_octets_from_the_wire_are_inert_in_every_format() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = rt.block_on(raw_server(hostile_txt, hostile_txt));
    let ns = addr.to_string();
    for format in ["human", "json", "markdown", "sarif", "jsonl"] {
        let out = cli(
            &[
                "check",
                "octets.example",
                "--only",
                "spf,dmarc",
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
        let text = String::from_utf8(out.stdout.clone()).unwrap_or_else(|e| {
            panic!("{format}: output is not UTF-8: {e}");
        });
        assert_eq!(code(&out), 1, "{format}: {text}");
        crate::report_escape::assert_inert(format, &text, false);
        // The record is shown, not dropped: the syntax error names what it found.
        assert!(text.contains("spf"), "{format}: {text}");
        if format == "markdown" {
            assert!(!text.contains("[x](http://evil)"), "{text}");
        }
    }
    drop(rt);
}

// ------------------------------------------------------------ a PTR name that is a wildcard

/// PTR questions get `*.pool.example`; an A question for that very name gets 192.0.2.10, as a
/// zone with `*.pool.example A 192.0.2.10` answers it (RFC 4592 section 2.2.1).
fn wildcard_ptr(q: &Message) -> Option<Vec<u8>> {
    let record = match qtype(q) {
        RecordType::PTR => {
            Record::from_rdata(asked(q), 300, RData::PTR(PTR(name("*.pool.example."))))
        }
        RecordType::A => Record::from_rdata(asked(q), 300, RData::A(A::new(192, 0, 2, 10))),
        _ => return reply(q, ResponseCode::NoError, vec![], vec![soa(".")]),
    };
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn a_ptr_name_that_is_a_wildcard_confirms_nothing() {
    // RFC 1123 section 2.1: a host name's labels hold letters, digits and hyphens. A receiver
    // (Postfix's valid_hostname) takes a client whose PTR name holds `*` as "unknown" and asks
    // nothing more, so the wildcard's address, which would match, confirms nothing.
    let dns = dns_at(raw_server(wildcard_ptr, wildcard_ptr).await).await;
    let p = CheckParams {
        domain: "pool.example".into(),
        ip: Some("192.0.2.10".parse().unwrap()),
        helo: None,
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..only(&[Check::Ptr])
    };
    let r = check_domain(&dns, &p).await;
    let f = has(&r, "ptr-not-confirmed");
    assert!(f.message.contains("`*`"), "{}", f.message);
    assert_eq!(r.ptr.as_ref().unwrap().fcrdns, Some(false));
}
