//! Hostile servers, round 6: response codes other than the six a resolver acts on (and an
//! EDNS extended code hiding behind NXDOMAIN's low bits), OPT records where none may be,
//! blocklists that answer for every name (their RFC 5782 test points included) and whose TXT
//! reasons carry escapes and Markdown, MX exchanges with control octets and spaces, an SOA
//! whose MINIMUM asks caches to keep an absence for 68 years, an RRset mixing classes, TXT
//! records of one-octet strings, CNAMEs to the root and a TXT wildcard over every name (the
//! rest of the round is in `dns_hostile6b`, which shares these servers' helpers). Each test
//! says first what a careful resolver or receiver does, then checks it.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, only, summary};
use crate::cli_support::{code, run as cli};
use crate::dns_hostile_wire::raw_server;
use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, MX, SOA, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use mailtriage::checks::{CheckParams, check_domain};
use mailtriage::dns::{Dns, DnsConfig, Outcome, RType};
use mailtriage::finding::Check;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub(crate) fn patient() -> DnsConfig {
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

pub(crate) fn asked_text(q: &Message) -> String {
    asked(q).to_ascii().to_ascii_lowercase()
}

pub(crate) fn qtype(q: &Message) -> RecordType {
    q.queries[0].query_type()
}

pub(crate) fn labels(q: &Message) -> Vec<Vec<u8>> {
    asked(q).iter().map(|l| l.to_ascii_lowercase()).collect()
}

pub(crate) fn txt(owner: Name, text: &str) -> Record {
    Record::from_rdata(owner, 300, RData::TXT(TXT::new(vec![text.to_string()])))
}

pub(crate) fn a(owner: Name, ip: [u8; 4]) -> Record {
    Record::from_rdata(owner, 300, RData::A(A::new(ip[0], ip[1], ip[2], ip[3])))
}

pub(crate) fn soa(zone: &str) -> Record {
    let apex = name(zone);
    let data = SOA::new(apex.clone(), apex.clone(), 1, 3600, 600, 86400, 60);
    Record::from_rdata(apex, 60, RData::SOA(data))
}

pub(crate) fn reply(
    q: &Message,
    code: ResponseCode,
    answers: Vec<Record>,
    authorities: Vec<Record>,
) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.metadata.response_code = code;
    r.add_queries(q.queries.clone());
    for a in answers {
        r.add_answer(a);
    }
    for a in authorities {
        r.add_authority(a);
    }
    r.to_vec().ok()
}

pub(crate) fn nodata(q: &Message) -> Option<Vec<u8>> {
    reply(q, ResponseCode::NoError, vec![], vec![soa("example.")])
}

pub(crate) fn nxdomain(q: &Message) -> Option<Vec<u8>> {
    reply(q, ResponseCode::NXDomain, vec![], vec![soa("example.")])
}

/// `p` with only `checks`, for `domain`, no other identity and no IP.
pub(crate) fn bare(domain: &str, checks: &[Check]) -> CheckParams {
    CheckParams {
        domain: domain.into(),
        ip: None,
        helo: None,
        from: None,
        mail_from: None,
        dkim_domain: None,
        ..only(checks)
    }
}

pub(crate) fn any_inconclusive(r: &mailtriage::checks::DomainReport) -> bool {
    r.findings.iter().any(|f| f.inconclusive)
}

// ------------------------------------------------------------ response codes

/// What a raw server answers to a question.
pub(crate) type Server = fn(&Message) -> Option<Vec<u8>>;

/// `v=spf1 +all` under header RCODE `code` (written into the header's low four bits).
fn with_rcode(q: &Message, code: u8) -> Option<Vec<u8>> {
    let mut b = reply(
        q,
        ResponseCode::NoError,
        vec![txt(asked(q), "v=spf1 +all")],
        vec![],
    )?;
    b[3] = (b[3] & 0xf0) | code;
    Some(b)
}

#[tokio::test]
async fn response_codes_other_than_noerror_and_nxdomain_are_trouble_never_an_answer() {
    // RFC 1035 section 4.1.1, RFC 2136 section 2.2, RFC 6895 section 2.3: NOTIMP (4),
    // YXDOMAIN (6), YXRRSET (7), NXRRSET (8), NOTAUTH (9), NOTZONE (10) and the unassigned
    // 11-15 say the server did not answer the question; records beside such a code are not
    // the zone's, and NXRRSET is no NODATA. Each is trouble, named, never absence nor a pass.
    let servers: [(u8, Server); 8] = [
        (4, |q| with_rcode(q, 4)),
        (6, |q| with_rcode(q, 6)),
        (7, |q| with_rcode(q, 7)),
        (8, |q| with_rcode(q, 8)),
        (9, |q| with_rcode(q, 9)),
        (10, |q| with_rcode(q, 10)),
        (12, |q| with_rcode(q, 12)),
        (15, |q| with_rcode(q, 15)),
    ];
    for (rcode, server) in servers {
        let dns = dns_at(raw_server(server, server).await).await;
        let ans = dns.query("codes.example", RType::TXT).await;
        assert!(
            ans.outcome.is_trouble() && !ans.outcome.is_absent(),
            "rcode {rcode}: {:?}",
            ans.outcome
        );
        assert!(ans.records.is_empty(), "rcode {rcode}: {:?}", ans.records);
        let r = check_domain(&dns, &bare("codes.example", &[Check::Spf])).await;
        lacks(&r, "spf-plus-all");
        lacks(&r, "spf-missing");
        assert!(has(&r, "spf-lookup-failed").inconclusive, "rcode {rcode}");
    }
}

/// NXDOMAIN in the header, but an OPT record whose EXTENDED-RCODE is 1: the full code is
/// (1 << 4) | 3 = 19, not NXDOMAIN (RFC 6891 section 6.1.3).
fn nxdomain_low_bits(q: &Message) -> Option<Vec<u8>> {
    let mut b = reply(q, ResponseCode::NXDomain, vec![], vec![soa("example.")])?;
    // OPT: root owner, type 41, class = payload 1232, TTL = EXTENDED-RCODE 1, version 0.
    b.extend_from_slice(&[0, 0, 41, 0x04, 0xd0, 1, 0, 0, 0, 0, 0]);
    let ar = u16::from_be_bytes([b[10], b[11]]) + 1;
    b[10..12].copy_from_slice(&ar.to_be_bytes());
    Some(b)
}

#[tokio::test]
async fn an_nxdomain_whose_edns_extended_code_makes_it_another_code_is_not_absence() {
    let dns = dns_at(raw_server(nxdomain_low_bits, nxdomain_low_bits).await).await;
    let ans = dns.query("ext.example", RType::TXT).await;
    assert!(
        ans.outcome.is_trouble() && ans.outcome != Outcome::NxDomain,
        "{:?}",
        ans.outcome
    );
    let r = check_domain(&dns, &bare("ext.example", &[Check::Spf, Check::Dmarc])).await;
    lacks(&r, "domain-nonexistent");
    lacks(&r, "spf-missing");
    lacks(&r, "dmarc-missing");
}

// ------------------------------------------------------------ OPT where it may not be

/// The usual `v=spf1 -all` answer with an OPT record appended to `section` (1 = answer,
/// 3 = additional), after an OPT already there when `twice`.
fn with_opt(q: &Message, section: usize, twice: bool) -> Option<Vec<u8>> {
    let mut b = reply(
        q,
        ResponseCode::NoError,
        vec![txt(asked(q), "v=spf1 -all")],
        vec![],
    )?;
    let opt = [0u8, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0];
    for _ in 0..(if twice { 2 } else { 1 }) {
        // No authority or additional records: appending lands in the last counted section.
        b.extend_from_slice(&opt);
        let at = 4 + 2 * section;
        let n = u16::from_be_bytes([b[at], b[at + 1]]) + 1;
        b[at..at + 2].copy_from_slice(&n.to_be_bytes());
    }
    Some(b)
}

fn opt_in_answer(q: &Message) -> Option<Vec<u8>> {
    with_opt(q, 1, false)
}

fn two_opts(q: &Message) -> Option<Vec<u8>> {
    // Appending to the additional section needs the answer to end the message: it does,
    // authority and additional are empty.
    with_opt(q, 3, true)
}

#[tokio::test]
async fn an_opt_record_in_the_answer_section_or_twice_is_a_malformed_answer() {
    // RFC 6891 section 6.1.1: OPT appears only in the additional section, at most once; a
    // message that breaks either is malformed (FORMERR for a server, trouble for a client),
    // so the TXT beside it is not believed.
    for (what, server) in [
        (
            "OPT in the answer section",
            opt_in_answer as fn(&Message) -> Option<Vec<u8>>,
        ),
        ("two OPT records", two_opts),
    ] {
        let dns = dns_at(raw_server(server, server).await).await;
        let ans = dns.query("opt.example", RType::TXT).await;
        assert!(
            matches!(ans.outcome, Outcome::Error(_)),
            "{what}: {:?} {:?}",
            ans.outcome,
            ans.records
        );
    }
}

// ------------------------------------------------------------ blocklists answering everything

/// A list server that lists every name: 127.0.0.2 for every A question, a TXT reason for
/// every TXT question.
fn lists_everything(q: &Message) -> Option<Vec<u8>> {
    match qtype(q) {
        RecordType::A => reply(
            q,
            ResponseCode::NoError,
            vec![a(asked(q), [127, 0, 0, 2])],
            vec![],
        ),
        RecordType::TXT => reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "listed, see the list's site")],
            vec![],
        ),
        _ => nodata(q),
    }
}

/// An honest list: only 192.0.2.10 (`10.2.0.192.<zone>`) and `good.example` are listed;
/// the test points 127.0.0.1 and `invalid` are not (RFC 5782 section 5).
fn lists_one(q: &Message) -> Option<Vec<u8>> {
    let n = asked_text(q);
    let listed = n.starts_with("10.2.0.192.") || n.starts_with("good.example.");
    if !listed {
        return nxdomain(q);
    }
    lists_everything(q)
}

#[tokio::test]
async fn a_list_that_lists_its_own_test_points_lists_nothing() {
    // RFC 5782 section 5: an IPv4 list must not list 127.0.0.1, a domain list must not list
    // the name `invalid`. A list that answers for them answers for everything: a wildcard, an
    // expired zone parked under a wildcard, or a resolver that makes up answers. Its "listing"
    // is the list's error (could not check), never a listing the user must have removed.
    let dns = dns_at(raw_server(lists_everything, lists_everything).await).await;
    let p = CheckParams {
        ip: Some("192.0.2.10".parse().unwrap()),
        ..bare("good.example", &[Check::Blocklist])
    };
    let r = check_domain(&dns, &p).await;
    lacks(&r, "blocklist-listed");
    let bad: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.id == "blocklist-bad-answer")
        .collect();
    assert!(!bad.is_empty(), "{:#?}", summary(&r));
    assert!(bad.iter().all(|f| f.inconclusive));
    assert!(
        bad.iter().any(|f| f.message.contains("127.0.0.1")),
        "{:#?}",
        summary(&r)
    );
    assert!(
        bad.iter().any(|f| f.message.contains("invalid")),
        "{:#?}",
        summary(&r)
    );
    // An IPv6 address is asked in nibble form of the lists that hold IPv6; their test entry
    // is ::1.
    let p6 = CheckParams {
        ip: Some("2001:db8::1".parse().unwrap()),
        ..bare("good.example", &[Check::Blocklist])
    };
    let r = check_domain(&dns, &p6).await;
    lacks(&r, "blocklist-listed");
    lacks(&r, "blocklist-allowlisted");
    assert!(
        r.findings
            .iter()
            .any(|f| f.id == "blocklist-bad-answer" && f.message.contains("::1")),
        "{:#?}",
        summary(&r)
    );
    // The honest list's listings stand.
    let dns = dns_at(raw_server(lists_one, lists_one).await).await;
    let r = check_domain(&dns, &p).await;
    lacks(&r, "blocklist-bad-answer");
    let listed = r
        .findings
        .iter()
        .filter(|f| f.id == "blocklist-listed")
        .count();
    assert!(listed >= 3, "{:#?}", summary(&r));
}

/// Lists 192.0.2.10 only, with a TXT reason made to break terminals, Markdown and CSV.
pub(crate) fn hostile_reason(q: &Message) -> Option<Vec<u8>> {
    let n = asked_text(q);
    if !n.starts_with("10.2.0.192.") {
        return nxdomain(q);
    }
    match qtype(q) {
        RecordType::A => reply(
            q,
            ResponseCode::NoError,
            vec![a(asked(q), [127, 0, 0, 2])],
            vec![],
        ),
        RecordType::TXT => {
            let data: &[u8] = b"\x1b[2J\x1b]8;;http://evil\x07see\x1b]8;;\x07 [click](http://evil) <script>x</script> | col | `code` *bold* \xe2\x80\xae=HYPERLINK(\"http://evil\")\r\nX-Injected: yes";
            let record = Record::from_rdata(asked(q), 300, RData::TXT(TXT::from_bytes(vec![data])));
            reply(q, ResponseCode::NoError, vec![record], vec![])
        }
        _ => nodata(q),
    }
}

#[test]
fn a_blocklists_txt_reason_is_inert_in_every_format() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt
        .block_on(raw_server(hostile_reason, hostile_reason))
        .to_string();
    for format in ["human", "json", "markdown", "sarif", "jsonl"] {
        let out = cli(
            &[
                "check",
                "good.example",
                "--only",
                "blocklist",
                "--ip",
                "192.0.2.10",
                "--nameserver",
                &ns,
                "--timeout",
                "2",
                "--retries",
                "0",
                "--format",
                format,
            ],
            None,
        );
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        assert_eq!(code(&out), 1, "{format}: {text}");
        crate::report_escape::assert_inert(format, &text, false);
        // The reason is shown (not dropped) ...
        assert!(text.contains("click"), "{format}: {text}");
        // ... and nothing in it starts a line of its own.
        assert!(
            !text.lines().any(|l| l.starts_with("X-Injected")),
            "{format}: {text}"
        );
        if format == "markdown" {
            for live in ["[click](http://evil)", "<script>", "`code`", "| col |"] {
                assert!(!text.contains(live), "{format}: {live} in {text}");
            }
        }
    }
    drop(rt);
}

// ------------------------------------------------------------ MX exchanges with control octets

static CONTROL_MX_ASKED: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn esc_label() -> Vec<u8> {
    b"mx\x1b[31mred".to_vec()
}

pub(crate) fn space_label() -> Vec<u8> {
    b"m x\nspf".to_vec()
}

/// `ctl.example` has two MX: `mx<ESC>[31mred.ctl.example` and `m x<LF>spf.ctl.example`, each
/// with an address; SPF `v=spf1 mx -all`.
pub(crate) fn control_mx(q: &Message) -> Option<Vec<u8>> {
    let l = labels(q);
    let owner = asked(q);
    let host = |first: Vec<u8>| {
        Name::from_labels(vec![first, b"ctl".to_vec(), b"example".to_vec()]).unwrap()
    };
    let is_ctl = l == [b"ctl".to_vec(), b"example".to_vec()];
    let is_host = l.len() == 3
        && (l[0] == esc_label().to_ascii_lowercase() || l[0] == space_label())
        && l[1] == b"ctl";
    match qtype(q) {
        RecordType::MX if is_ctl => reply(
            q,
            ResponseCode::NoError,
            vec![
                Record::from_rdata(
                    owner.clone(),
                    300,
                    RData::MX(MX::new(10, host(esc_label()))),
                ),
                Record::from_rdata(owner, 300, RData::MX(MX::new(20, host(space_label())))),
            ],
            vec![],
        ),
        RecordType::TXT if is_ctl => reply(
            q,
            ResponseCode::NoError,
            vec![txt(owner, "v=spf1 mx -all")],
            vec![],
        ),
        RecordType::A if is_host => {
            CONTROL_MX_ASKED.fetch_add(1, Ordering::SeqCst);
            reply(
                q,
                ResponseCode::NoError,
                vec![a(owner, [192, 0, 2, 25])],
                vec![],
            )
        }
        _ if is_ctl || is_host => nodata(q),
        _ => nxdomain(q),
    }
}

#[test]
fn mx_exchanges_with_control_octets_are_asked_as_their_octets_and_shown_inert() {
    // RFC 2181 section 11: a label may hold any octet, so the exchange is asked for exactly
    // as sent (and does resolve here); shown, its ESC and line feed are escaped in every
    // format, so a terminal is not recoloured and no line of the report is forged.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt.block_on(raw_server(control_mx, control_mx)).to_string();
    for format in ["human", "json", "markdown", "sarif", "jsonl"] {
        let before = CONTROL_MX_ASKED.load(Ordering::SeqCst);
        let out = cli(
            &[
                "check",
                "ctl.example",
                "--only",
                "mx,spf",
                "--nameserver",
                &ns,
                "--timeout",
                "2",
                "--retries",
                "0",
                "--format",
                format,
            ],
            None,
        );
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        assert!(matches!(code(&out), 0 | 1), "{format}: {text}");
        assert!(!text.contains('\u{1b}'), "{format}: raw ESC in {text}");
        assert!(
            !text.lines().any(|l| l.starts_with("spf.ctl.example")),
            "{format}: a line forged by the LF: {text}"
        );
        // SARIF carries problems only, and these exchanges resolve: nothing to show there.
        if format != "sarif" {
            assert!(text.contains("red"), "{format}: {text}");
        }
        assert!(
            CONTROL_MX_ASKED.load(Ordering::SeqCst) > before,
            "{format}: the exchanges were not asked as sent"
        );
        assert!(!text.contains("mx-target-unresolvable"), "{format}: {text}");
    }
    drop(rt);
}

// ------------------------------------------------------------ absurd negative caching

#[test]
fn an_absence_the_soa_says_to_cache_for_decades_waits_hours_in_the_plan() {
    // RFC 2308 section 5: a negative answer is cached for min(SOA MINIMUM, SOA TTL), and
    // resolvers cap it far lower than positive answers (values over a day "have been found
    // to be problematic"; BIND's max-ncache-ttl is 3 hours, Unbound's cache-max-negative-ttl
    // 1 hour). A DMARC record published where the zone's SOA asks 2^31-1 seconds is seen
    // within hours, so the plan's wait for a new record is at most 3 hours.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("negttl.example.zone"),
        "$ORIGIN negttl.example.\n$TTL 2147483647\n@ IN SOA ns hostmaster 1 7200 900 1209600 2147483647\n@ IN NS ns\nns IN A 192.0.2.53\n@ IN MX 10 ns\n@ IN TXT \"v=spf1 ip4:192.0.2.99 -all\"\n",
    )
    .unwrap();
    let d = crate::diagnose_support::diagnose_in(
        dir.path().to_str().unwrap(),
        crate::diagnose_support::GMAIL_5726,
        &["--domain", "negttl.example", "--ip", "192.0.2.99"],
    );
    let plan = d["plan"].as_array().unwrap();
    let new_dmarc = plan
        .iter()
        .find(|s| s["finding_ids"].to_string().contains("dmarc-missing"))
        .unwrap_or_else(|| panic!("{:#}", d["plan"]));
    let wait = new_dmarc["wait_seconds"].as_u64().unwrap();
    assert!(wait <= 10_800, "{new_dmarc:#}");
    assert!(wait > 0, "{new_dmarc:#}");
}

// ------------------------------------------------------------ an RRset mixing classes

/// An IN `v=spf1 -all` and, beside it in the same answer, a CH `v=spf1 +all`.
fn mixed_classes(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    let mut ch = txt(asked(q), "v=spf1 +all");
    ch.dns_class = DNSClass::CH;
    reply(
        q,
        ResponseCode::NoError,
        vec![txt(asked(q), "v=spf1 -all"), ch],
        vec![],
    )
}

#[tokio::test]
async fn an_rrset_mixing_classes_is_trouble_not_two_spf_records_nor_plus_all() {
    // We asked class IN. A record of class CH is not part of the answer (RFC 1035 section
    // 3.2.4); a server that mixes them is broken, so neither record settles the question:
    // not two SPF records, not +all, not a clean -all.
    let dns = dns_at(raw_server(mixed_classes, mixed_classes).await).await;
    let r = check_domain(&dns, &bare("mixed.example", &[Check::Spf])).await;
    for id in ["spf-multiple-records", "spf-plus-all", "spf-missing"] {
        lacks(&r, id);
    }
    assert!(any_inconclusive(&r), "{:#?}", summary(&r));
}

// ------------------------------------------------------------ one-octet strings

/// SPF and a DKIM key as TXT records of one-octet character-strings.
fn one_octet_strings(q: &Message) -> Option<Vec<u8>> {
    let n = asked_text(q);
    let text = if n == "split.example." {
        "v=spf1 ip4:192.0.2.0/24 -all".to_string()
    } else if n == "sel._domainkey.split.example." {
        format!("v=DKIM1; k=rsa; p={}", crate::checks_support::KEY_2048)
    } else if n == "_dmarc.split.example." {
        "v=DMARC1; p=reject; rua=mailto:d@split.example".to_string()
    } else {
        return nodata(q);
    };
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    let strings: Vec<String> = text.chars().map(String::from).collect();
    let record = Record::from_rdata(asked(q), 300, RData::TXT(TXT::new(strings)));
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn records_split_into_one_octet_strings_are_read_whole() {
    // RFC 7208 section 3.3 and RFC 6376 section 3.6.2.2: the strings of one TXT record are
    // joined without anything between them, however short they are; 400 strings of one
    // octet are one record, its key 2048 bits.
    let dns = dns_at(raw_server(one_octet_strings, one_octet_strings).await).await;
    let p = CheckParams {
        ip: Some("192.0.2.10".parse().unwrap()),
        mail_from: Some("b@split.example".into()),
        dkim_selectors: vec!["sel".into()],
        ..bare("split.example", &[Check::Spf, Check::Dkim, Check::Dmarc])
    };
    let r = check_domain(&dns, &p).await;
    for id in [
        "spf-missing",
        "spf-syntax-error",
        "dkim-syntax-error",
        "dkim-key-weak",
        "dkim-key-too-short",
        "dmarc-missing",
        "dmarc-record-invalid",
    ] {
        lacks(&r, id);
    }
    has(&r, "spf-ip-authorised");
    let key = has(&r, "dkim-key-found");
    assert!(key.message.contains("2048"), "{}", key.message);
}

// ------------------------------------------------------------ CNAMEs to the root

/// `root.example`: SPF includes `inc.root.example`; that name, `_dmarc.root.example` and
/// `sel._domainkey.root.example` are CNAMEs to the root name, which holds no TXT.
fn cname_to_root(q: &Message) -> Option<Vec<u8>> {
    let n = asked_text(q);
    let cname = || {
        reply(
            q,
            ResponseCode::NoError,
            vec![Record::from_rdata(
                asked(q),
                300,
                RData::CNAME(CNAME(Name::root())),
            )],
            vec![],
        )
    };
    match n.as_str() {
        "inc.root.example." | "_dmarc.root.example." | "sel._domainkey.root.example." => cname(),
        "root.example." if qtype(q) == RecordType::TXT => reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=spf1 include:inc.root.example -all")],
            vec![],
        ),
        "." | "root.example." | "_domainkey.root.example." => {
            reply(q, ResponseCode::NoError, vec![], vec![soa(".")])
        }
        _ => reply(q, ResponseCode::NXDomain, vec![], vec![soa(".")]),
    }
}

#[tokio::test]
async fn cnames_to_the_root_lead_to_a_name_without_records() {
    // A CNAME to `.` is legal and leads to the root, which holds no TXT: the include has no
    // SPF record (a permerror, RFC 7208 section 5.2), the selector's CNAME dangles, the
    // DMARC level holds nothing. Nothing loops, nothing is trouble, and `.` is shown as `.`.
    let dns = dns_at(raw_server(cname_to_root, cname_to_root).await).await;
    let p = CheckParams {
        dkim_selectors: vec!["sel".into()],
        ..bare("root.example", &[Check::Spf, Check::Dkim, Check::Dmarc])
    };
    let started = Instant::now();
    let r = check_domain(&dns, &p).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    has(&r, "spf-include-without-spf");
    let dangling = has(&r, "dkim-cname-dangling");
    assert!(
        dangling.message.contains("`.`") || dangling.message.contains(" ."),
        "{}",
        dangling.message
    );
    has(&r, "dmarc-missing");
    assert!(!any_inconclusive(&r), "{:#?}", summary(&r));
    lacks(&r, "dkim-key-found");
}

// ------------------------------------------------------------ a TXT wildcard over everything

static WILD_TXT_ASKED: AtomicUsize = AtomicUsize::new(0);

/// `*.wild.example TXT "v=spf1 +all"` and `*.wild.example A 192.0.2.10`, and the same at the
/// apex: every name below `wild.example` exists and answers.
fn wildcard_everything(q: &Message) -> Option<Vec<u8>> {
    if !asked_text(q).ends_with("wild.example.") {
        return nxdomain(q);
    }
    match qtype(q) {
        RecordType::TXT => {
            WILD_TXT_ASKED.fetch_add(1, Ordering::SeqCst);
            reply(
                q,
                ResponseCode::NoError,
                vec![txt(asked(q), "v=spf1 +all")],
                vec![],
            )
        }
        RecordType::A => reply(
            q,
            ResponseCode::NoError,
            vec![a(asked(q), [192, 0, 2, 10])],
            vec![],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn a_txt_wildcard_over_every_name_is_not_a_dmarc_record_nor_a_key_at_every_selector() {
    // RFC 4592: the wildcard answers `_dmarc.wild.example` and every `<selector>._domainkey`
    // with `v=spf1 +all`. That is no DMARC record (RFC 9989 section 4.7: ignored, the walk goes
    // on) and no DKIM key (RFC 6376 section 3.6.1); SPF's +all is real. Discovery must stay
    // bounded and not report a key or one finding per guessed selector.
    let dns = dns_at(raw_server(wildcard_everything, wildcard_everything).await).await;
    let started = Instant::now();
    let r = check_domain(
        &dns,
        &bare("wild.example", &[Check::Spf, Check::Dkim, Check::Dmarc]),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(10));
    has(&r, "spf-plus-all");
    has(&r, "dmarc-missing");
    lacks(&r, "dmarc-record-invalid");
    lacks(&r, "dkim-key-found");
    let dkim: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.check == Check::Dkim)
        .collect();
    assert!(dkim.len() <= 2, "{:#?}", summary(&r));
    assert!(
        WILD_TXT_ASKED.load(Ordering::SeqCst) <= 100,
        "{} TXT questions",
        WILD_TXT_ASKED.load(Ordering::SeqCst)
    );
}
