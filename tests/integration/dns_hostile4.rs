//! Hostile servers and traps, round 4: RRsets with duplicates, a CNAME beside other data, a UDP
//! answer the TCP answer contradicts, a chain whose owners change case, UDP answers bigger than
//! the advertised size, SPF records whose version runs into the next term, zero-length TXT
//! strings, PTR names with a dot inside a label or without their trailing dot, and IPv4-mapped
//! AAAA records. Each is read as the RFC that decides says, never as absence or a pass.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{
    fault, good_served, good_zone, has, lacks, only, params, run, run_faults, run_zones, variant,
};
use crate::dns_hostile_wire::raw_server;
use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, PTR, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use mailtriage::checks::CheckParams;
use mailtriage::dns::{Dns, DnsConfig, FaultKind, Outcome, RType};
use mailtriage::finding::Check;
use std::net::SocketAddr;
use std::time::Duration;

fn patient() -> DnsConfig {
    DnsConfig {
        timeout: Duration::from_secs(2),
        retries: 0,
        ..DnsConfig::default()
    }
}

async fn dns_at(addr: SocketAddr) -> Dns {
    Dns::new(DnsConfig {
        nameservers: vec![addr],
        ..patient()
    })
    .await
    .unwrap()
}

/// A response to `q` (AA=1, the question echoed) with `answers`.
fn reply(q: &Message, code: ResponseCode, answers: Vec<Record>) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.metadata.response_code = code;
    r.add_queries(q.queries.clone());
    for a in answers {
        r.add_answer(a);
    }
    r.to_vec().ok()
}

fn asked(q: &Message) -> Name {
    q.queries[0].name().clone()
}

fn txt(owner: Name, text: &str) -> Record {
    Record::from_rdata(owner, 300, RData::TXT(TXT::new(vec![text.to_string()])))
}

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

// ------------------------------------------------------------ RRsets with duplicates

#[tokio::test]
async fn an_rrset_with_a_duplicate_record_is_one_record_not_two_spf_records() {
    // RFC 2181 section 5: two records with equal name, class, type and data are one record; a
    // server that repeats it has not published two SPF records (RFC 7208 section 4.5 makes
    // two a permerror: the old reading failed every sender).
    let faults = vec![
        fault("good.example", Some(RType::TXT), FaultKind::Duplicated),
        fault(
            "_dmarc.good.example",
            Some(RType::TXT),
            FaultKind::Duplicated,
        ),
    ];
    let (_s, dns) = good_served(faults.clone(), false, patient()).await;
    let a = dns.query("good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer);
    assert_eq!(a.records.len(), 1, "{:?}", a.records);
    let r = run_faults(
        &good_zone(),
        &[],
        faults,
        &only(&[Check::Spf, Check::Dmarc]),
    )
    .await;
    lacks(&r, "spf-multiple-records");
    lacks(&r, "spf-permerror");
    lacks(&r, "dmarc-multiple-records");
    has(&r, "spf-ip-authorised");
    let spf = r.spf.as_ref().unwrap();
    assert_eq!(spf.records_count, 1);
    assert_eq!(spf.result.as_ref().unwrap().result, "pass");
    assert_eq!(r.dmarc.as_ref().unwrap().policy.as_deref(), Some("reject"));
}

#[tokio::test]
async fn two_different_spf_records_are_still_two() {
    // Only equal data is one record: a second, different `v=spf1` is the RFC 7208 error.
    let zone = variant(
        &[],
        r#"@ IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.good.example ~all""#,
    );
    let r = run(&zone, &only(&[Check::Spf])).await;
    has(&r, "spf-multiple-records");
}

// ------------------------------------------------------------ CNAME beside other data

#[tokio::test]
async fn a_cname_beside_the_records_asked_is_a_broken_answer_not_missing() {
    // RFC 1034 section 3.6.2, RFC 2181 section 10.1: a name with a CNAME has no other data.
    // The answer says both "here" and "at elsewhere.invalid"; following the CNAME alone read
    // as "no DMARC record" before.
    let faults = vec![fault(
        "_dmarc.good.example",
        Some(RType::TXT),
        FaultKind::CnameBeside,
    )];
    let (_s, dns) = good_served(faults.clone(), false, patient()).await;
    let a = dns.query("_dmarc.good.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("CNAME") && why.contains("RFC 1034"), "{why}");
    assert!(a.records.is_empty());
    let r = run_faults(&good_zone(), &[], faults, &only(&[Check::Dmarc])).await;
    assert!(has(&r, "dmarc-lookup-failed").inconclusive);
    lacks(&r, "dmarc-missing");
}

/// An answer with two CNAMEs for the asked name, to different targets, and a TXT at each.
fn two_cnames(q: &Message) -> Option<Vec<u8>> {
    let owner = asked(q);
    let (a, b) = (name("a.target.example."), name("b.target.example."));
    reply(
        q,
        ResponseCode::NoError,
        vec![
            Record::from_rdata(owner.clone(), 300, RData::CNAME(CNAME(a.clone()))),
            Record::from_rdata(owner, 300, RData::CNAME(CNAME(b.clone()))),
            txt(a, "v=spf1 -all"),
            txt(b, "v=spf1 +all"),
        ],
    )
}

#[tokio::test]
async fn two_cnames_for_one_name_are_a_broken_answer() {
    let dns = dns_at(raw_server(two_cnames, two_cnames).await).await;
    let a = dns.query("two.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("two CNAMEs"), "{why}");
}

// ------------------------------------------------------------ UDP and TCP disagree

/// TC=1 over UDP with a permissive SPF record in the (partial) answer.
fn truncated_plus_all(q: &Message) -> Option<Vec<u8>> {
    let mut r = Message::from_vec(&reply(
        q,
        ResponseCode::NoError,
        vec![txt(asked(q), "v=spf1 +all")],
    )?)
    .ok()?;
    r.metadata.truncation = true;
    r.to_vec().ok()
}

fn tcp_minus_all(q: &Message) -> Option<Vec<u8>> {
    reply(q, ResponseCode::NoError, vec![txt(asked(q), "v=spf1 -all")])
}

fn tcp_servfail(q: &Message) -> Option<Vec<u8>> {
    reply(q, ResponseCode::ServFail, vec![])
}

fn tcp_nxdomain(q: &Message) -> Option<Vec<u8>> {
    reply(q, ResponseCode::NXDomain, vec![])
}

#[tokio::test]
async fn after_tc_the_tcp_answer_decides_whatever_the_udp_one_held() {
    // RFC 2181 section 9: a response with TC set is ignored and the question asked again
    // over TCP; what the partial UDP answer held counts for nothing.
    let dns = dns_at(raw_server(truncated_plus_all, tcp_minus_all).await).await;
    let a = dns.query("split.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer);
    assert_eq!(a.txt_strings(), vec!["v=spf1 -all".to_string()]);
    // TCP says SERVFAIL: trouble, not the UDP records.
    let dns = dns_at(raw_server(truncated_plus_all, tcp_servfail).await).await;
    let a = dns.query("split.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::ServFail(None));
    assert!(a.records.is_empty());
    // TCP says NXDOMAIN: the name does not exist (TCP's word, not UDP's).
    let dns = dns_at(raw_server(truncated_plus_all, tcp_nxdomain).await).await;
    let a = dns.query("split.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::NxDomain, "{:?}", a.outcome);
}

// ------------------------------------------------------------ chains with odd owners

/// chain.example CNAME b.chain.example; `B.CHAIN.EXAMPLE` CNAME c.chain.example; c TXT.
fn chain_in_other_case(q: &Message) -> Option<Vec<u8>> {
    reply(
        q,
        ResponseCode::NoError,
        vec![
            Record::from_rdata(asked(q), 300, RData::CNAME(CNAME(name("b.chain.example.")))),
            Record::from_rdata(
                name("B.CHAIN.EXAMPLE."),
                300,
                RData::CNAME(CNAME(name("c.chain.example."))),
            ),
            txt(name("c.Chain.Example."), "v=spf1 -all"),
        ],
    )
}

/// chain.example CNAME b.chain.example, and a TXT owned by another name; for b itself, NODATA.
fn chain_with_stranger(q: &Message) -> Option<Vec<u8>> {
    if asked(q) != name("chain.example.") {
        return reply(
            q,
            ResponseCode::NoError,
            vec![txt(name("x.other.example."), "v=spf1 +all")],
        );
    }
    reply(
        q,
        ResponseCode::NoError,
        vec![
            Record::from_rdata(asked(q), 300, RData::CNAME(CNAME(name("b.chain.example.")))),
            txt(name("x.other.example."), "v=spf1 +all"),
        ],
    )
}

#[tokio::test]
async fn owners_in_another_case_are_the_chain_and_a_stranger_is_not() {
    // RFC 4343: owners compare without regard to case, so the chain holds.
    let dns = dns_at(raw_server(chain_in_other_case, chain_in_other_case).await).await;
    let a = dns.query("chain.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert_eq!(a.cname_chain, vec!["b.chain.example", "c.chain.example"]);
    assert_eq!(a.txt_strings(), vec!["v=spf1 -all".to_string()]);
    // A record of the asked type for a name the chain never reaches is not the answer
    // (RFC 2181 section 5.4.1), and not proof of absence either.
    let dns = dns_at(raw_server(chain_with_stranger, chain_with_stranger).await).await;
    let a = dns.query("chain.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("x.other.example"), "{why}");
    assert!(a.records.is_empty());
}

// ------------------------------------------------------------ UDP over the advertised size

/// `n` TXT records of 100 bytes, over UDP without TC whatever the advertised size.
fn many_txt(q: &Message, n: usize) -> Option<Vec<u8>> {
    let records = (0..n)
        .map(|i| txt(asked(q), &format!("r{i:03} {}", "x".repeat(95))))
        .collect();
    reply(q, ResponseCode::NoError, records)
}

fn txt_30(q: &Message) -> Option<Vec<u8>> {
    many_txt(q, 30)
}

fn txt_60(q: &Message) -> Option<Vec<u8>> {
    many_txt(q, 60)
}

fn silent(_: &Message) -> Option<Vec<u8>> {
    None
}

#[tokio::test]
async fn a_udp_answer_over_the_advertised_size_is_read_whole_or_asked_over_tcp() {
    // We advertise 1,232 bytes (RFC 6891 section 6.2.5). A server that sends 3 KB without TC
    // broke that rule, but a datagram that arrived whole is the answer: all 30 records.
    let dns = dns_at(raw_server(txt_30, silent).await).await;
    let a = dns.query("big.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert_eq!(a.records.len(), 30);
    // 6 KB does not fit our receive buffer: cut, unreadable, asked again over TCP.
    let dns = dns_at(raw_server(txt_60, txt_60).await).await;
    let a = dns.query("big.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert_eq!(a.records.len(), 60);
    // And when TCP is silent, a malformed answer, not absence and not 30-odd records.
    let dns = dns_at(raw_server(txt_60, silent).await).await;
    let a = dns.query("big.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("malformed answer over UDP"), "{why}");
    assert!(a.records.is_empty());
}

// ------------------------------------------------------------ SPF version traps

#[tokio::test]
async fn spf_strings_joined_without_a_space_are_a_discarded_record_not_a_missing_one() {
    // RFC 7208 section 3.3 joins strings with nothing between; section 4.5 keeps only
    // `v=spf1` followed by a space. `"v=spf1" "ip4:..."` is `v=spf1ip4:...`: receivers see no
    // SPF (so `spf-missing` stays), and the record they discard is named and explained.
    let zone = variant(
        &[("@ IN TXT", r#"@ IN TXT "v=spf1" "ip4:192.0.2.0/24" "-all""#)],
        "",
    );
    let r = run(&zone, &only(&[Check::Spf])).await;
    has(&r, "spf-missing");
    let f = has(&r, "spf-version-not-terminated");
    assert!(
        f.message.contains("v=spf1ip4:192.0.2.0/24-all"),
        "{}",
        f.message
    );
    assert!(f.message.contains("3 strings"), "{}", f.message);
    lacks(&r, "spf-ip-authorised");
}

#[tokio::test]
async fn a_tab_after_the_spf_version_is_named_and_upper_case_is_accepted() {
    let zone = variant(
        // `\009` is a tab in zone-file syntax (RFC 1035 section 5.1).
        &[("@ IN TXT", "@ IN TXT \"v=spf1\\009ip4:192.0.2.0/24 -all\"")],
        "",
    );
    let r = run(&zone, &only(&[Check::Spf])).await;
    has(&r, "spf-missing");
    assert!(
        has(&r, "spf-version-not-terminated")
            .message
            .contains("a tab")
    );
    // RFC 7208 section 12's ABNF literal `"v=spf1"` is case-insensitive (RFC 5234 section
    // 2.3): `V=SPF1` is an SPF record, and evaluates.
    let zone = variant(
        &[("@ IN TXT", r#"@ IN TXT "V=SPF1 IP4:192.0.2.0/24 -ALL""#)],
        "",
    );
    let r = run(&zone, &only(&[Check::Spf])).await;
    lacks(&r, "spf-missing");
    lacks(&r, "spf-version-not-terminated");
    assert_eq!(
        r.spf.as_ref().unwrap().result.as_ref().unwrap().result,
        "pass"
    );
}

#[tokio::test]
async fn txt_records_of_empty_strings_are_no_record_and_no_error() {
    // A TXT of zero-length strings is data (RFC 1035 section 3.3.14), just not SPF or DMARC.
    let zone = variant(
        &[
            ("@ IN TXT", r#"@ IN TXT """#),
            ("_dmarc IN TXT", r#"_dmarc IN TXT "" """#),
        ],
        "",
    );
    let r = run(&zone, &only(&[Check::Spf, Check::Dmarc])).await;
    has(&r, "spf-missing");
    has(&r, "dmarc-missing");
    lacks(&r, "spf-version-not-terminated");
    lacks(&r, "spf-lookup-failed");
    lacks(&r, "dmarc-lookup-failed");
}

// ------------------------------------------------------------ PTR names

/// PTR questions get `mail\.good.example.` (two labels: `mail.good` and `example`); every
/// A question gets 192.0.2.10, so a client that reads the name as three labels "confirms" it.
fn dotted_ptr(q: &Message) -> Option<Vec<u8>> {
    let answer = match q.queries[0].query_type() {
        RecordType::PTR => {
            let target =
                Name::from_labels(vec![b"mail.good".to_vec(), b"example".to_vec()]).ok()?;
            Record::from_rdata(asked(q), 300, RData::PTR(PTR(target)))
        }
        RecordType::A => Record::from_rdata(asked(q), 300, RData::A(A::new(192, 0, 2, 10))),
        _ => return reply(q, ResponseCode::NoError, vec![]),
    };
    reply(q, ResponseCode::NoError, vec![answer])
}

#[tokio::test]
async fn a_ptr_name_with_a_dot_inside_a_label_confirms_nothing() {
    let dns = dns_at(raw_server(dotted_ptr, dotted_ptr).await).await;
    let p = CheckParams {
        helo: None,
        ..only(&[Check::Ptr])
    };
    let r = mailtriage::checks::check_domain(&dns, &p).await;
    let f = has(&r, "ptr-not-confirmed");
    assert!(f.message.contains("label holds a dot"), "{}", f.message);
    let facts = r.ptr.as_ref().unwrap();
    assert_eq!(facts.fcrdns, Some(false));
    assert_eq!(facts.names[0].name, "mail\\.good.example");
}

#[tokio::test]
async fn a_ptr_name_without_its_trailing_dot_is_explained() {
    // In a zone file a name without the final dot is relative (RFC 1035 section 5.1): the
    // PTR target becomes mail.good.example.2.0.192.in-addr.arpa.
    let reverse = "10 IN PTR mail.good.example\n";
    let r = run_zones(
        &[
            ("good.example", &good_zone()),
            ("2.0.192.in-addr.arpa", reverse),
        ],
        &CheckParams {
            helo: None,
            ..only(&[Check::Ptr])
        },
    )
    .await;
    let f = has(&r, "ptr-not-confirmed");
    assert!(
        f.message.contains("mail.good.example.2.0.192.in-addr.arpa"),
        "{}",
        f.message
    );
    assert!(f.message.contains("trailing dot"), "{}", f.message);
}

// ------------------------------------------------------------ IPv4-mapped AAAA

#[tokio::test]
async fn an_ipv4_mapped_aaaa_does_not_authorise_an_ipv4_client() {
    // RFC 7208 section 5.3: for an IPv4 client the `a` mechanism asks A records only; an AAAA
    // ::ffff:192.0.2.10 is never compared with 192.0.2.10.
    let zone = variant(
        &[("@ IN TXT", r#"@ IN TXT "v=spf1 a:only6.good.example -all""#)],
        "only6 IN AAAA ::ffff:192.0.2.10",
    );
    let r = run(&zone, &only(&[Check::Spf])).await;
    let spf = r.spf.as_ref().unwrap();
    assert_eq!(spf.result.as_ref().unwrap().result, "fail");
    has(&r, "spf-ip-not-authorised");
    lacks(&r, "spf-ip-authorised");
    // The same record with an A record authorises it: the mechanism itself works.
    let zone = variant(
        &[("@ IN TXT", r#"@ IN TXT "v=spf1 a:only6.good.example -all""#)],
        "only6 IN A 192.0.2.10",
    );
    let r = run(&zone, &params()).await;
    has(&r, "spf-ip-authorised");
}

// ------------------------------------------------------------ the bench's trap classes

#[tokio::test]
async fn an_spf_include_behind_a_cname_is_followed_and_counted_once() {
    // dnsbench's `own:spf_cname`: `include:spf.<domain>`, a CNAME to `_spf-target.<domain>`
    // holding the record. The include costs one lookup (RFC 7208 section 4.6.4), the CNAME
    // none, and the record behind it authorises its addresses.
    let zone = variant(
        &[(
            "@ IN TXT",
            r#"@ IN TXT "v=spf1 include:spf.good.example -all""#,
        )],
        "spf IN CNAME _spf-target.good.example.\n_spf-target IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
    );
    let r = run(&zone, &only(&[Check::Spf])).await;
    let spf = r.spf.as_ref().unwrap();
    assert_eq!(spf.lookups, 1);
    assert_eq!(spf.result.as_ref().unwrap().result, "pass");
    lacks(&r, "spf-include-without-spf");
    lacks(&r, "spf-lookup-failed");
}

#[tokio::test]
async fn a_dkim_key_for_another_service_is_reported_not_found_valid() {
    // RFC 6376 section 3.6.1: a mail verifier ignores a key whose `s=` lists neither `email`
    // nor `*`. The key split mid-base64 over two strings is read whole (section 3.6.2.2).
    let key = crate::checks_support::KEY_2048_TXT;
    let zone = variant(
        &[(
            "google._domainkey IN TXT",
            &format!(r#"google._domainkey IN TXT ( "v=DKIM1; k=rsa; s=tlsrpt; p=" {key} )"#),
        )],
        "",
    );
    let r = run(&zone, &only(&[Check::Dkim])).await;
    let f = has(&r, "dkim-syntax-error");
    assert!(f.message.contains("s=tlsrpt"), "{}", f.message);
    let dkim = r.dkim.as_ref().unwrap();
    let google = dkim
        .selectors
        .iter()
        .find(|s| s.selector == "google")
        .unwrap();
    assert_eq!(google.status, "invalid");
    // `s=email` is the same key, valid.
    let zone = variant(
        &[(
            "google._domainkey IN TXT",
            &format!(r#"google._domainkey IN TXT ( "v=DKIM1; k=rsa; s=email; p=" {key} )"#),
        )],
        "",
    );
    let r = run(&zone, &only(&[Check::Dkim])).await;
    lacks(&r, "dkim-syntax-error");
    let dkim = r.dkim.as_ref().unwrap();
    let google = dkim
        .selectors
        .iter()
        .find(|s| s.selector == "google")
        .unwrap();
    assert_eq!(google.status, "valid");
    assert_eq!(google.bits, Some(2048));
}

#[tokio::test]
async fn an_ipv4_mapped_client_address_is_checked_as_the_ipv4_client_it_is() {
    // RFC 4291 section 2.5.5.2: ::ffff:192.0.2.10 is the IPv4 node 192.0.2.10. Its PTR is
    // under in-addr.arpa (not ip6.arpa, where nothing is published) and confirms through A.
    let p = CheckParams {
        ip: Some("::ffff:192.0.2.10".parse().unwrap()),
        helo: None,
        ..only(&[Check::Ptr, Check::Spf])
    };
    let r = run(&good_zone(), &p).await;
    lacks(&r, "ptr-missing");
    lacks(&r, "ptr-not-confirmed");
    let ptr = r.ptr.as_ref().unwrap();
    assert_eq!(ptr.fcrdns, Some(true));
    assert_eq!(ptr.names[0].name, "mail.good.example");
    assert_eq!(
        r.spf.as_ref().unwrap().result.as_ref().unwrap().result,
        "pass"
    );
}
