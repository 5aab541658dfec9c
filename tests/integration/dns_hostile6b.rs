//! Hostile servers, round 6, second part: a PTR name of 255 octets and one that is its own
//! reverse name, a bulk run with one hanging domain, a tree walk slowed at every level under
//! `diagnose`, a CNAME that contradicts the DNAME beside it, DNS data in the evidence bundle and
//! in `scan`'s likely causes, names with odd octets in the plan's zone lines (a stale PTR among
//! them), RSA keys over 4096 bits, and an SPF record of thousands of ranges. The servers'
//! helpers are the first part's (`dns_hostile6`).
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, summary};
use crate::cli_support::{code, json, run as cli};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile6::*;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{CNAME, MX, PTR, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use mailtriage::checks::{CheckParams, check_domain};
use mailtriage::dns::{Outcome, RType};
use mailtriage::finding::Check;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ PTR names at the limits

/// A PTR name of 255 octets on the wire (253 characters written): three 63-octet labels and
/// one of 61.
fn longest_name() -> Name {
    let mut labels = vec![
        vec![b'a'; 63],
        vec![b'b'; 63],
        vec![b'c'; 63],
        vec![b'd'; 61],
    ];
    labels[3][0] = b'x';
    Name::from_labels(labels).unwrap()
}

fn longest_ptr(q: &Message) -> Option<Vec<u8>> {
    match qtype(q) {
        RecordType::PTR => reply(
            q,
            ResponseCode::NoError,
            vec![Record::from_rdata(
                asked(q),
                300,
                RData::PTR(PTR(longest_name())),
            )],
            vec![],
        ),
        RecordType::A if asked(q) == longest_name() => reply(
            q,
            ResponseCode::NoError,
            vec![a(asked(q), [192, 0, 2, 10])],
            vec![],
        ),
        _ => reply(q, ResponseCode::NXDomain, vec![], vec![soa(".")]),
    }
}

#[tokio::test]
async fn a_ptr_name_of_255_octets_is_asked_whole_and_confirms() {
    // RFC 1035 section 2.3.4: 255 octets is the longest legal name, so it is a host name
    // like any other; its address matches, so reverse DNS is forward-confirmed.
    let dns = dns_at(raw_server(longest_ptr, longest_ptr).await).await;
    let p = CheckParams {
        ip: Some("192.0.2.10".parse().unwrap()),
        ..bare("long.example", &[Check::Ptr])
    };
    let r = check_domain(&dns, &p).await;
    assert_eq!(
        r.ptr.as_ref().unwrap().fcrdns,
        Some(true),
        "{:#?}",
        summary(&r)
    );
    lacks(&r, "ptr-not-confirmed");
    lacks(&r, "ptr-lookup-failed");
}

static SELF_PTR_A: AtomicUsize = AtomicUsize::new(0);

/// The reverse name of 192.0.2.10 points at itself; an A question for it gets NODATA.
fn self_ptr(q: &Message) -> Option<Vec<u8>> {
    match qtype(q) {
        RecordType::PTR => reply(
            q,
            ResponseCode::NoError,
            vec![Record::from_rdata(asked(q), 300, RData::PTR(PTR(asked(q))))],
            vec![],
        ),
        RecordType::A | RecordType::AAAA => {
            SELF_PTR_A.fetch_add(1, Ordering::SeqCst);
            reply(q, ResponseCode::NoError, vec![], vec![soa("in-addr.arpa.")])
        }
        _ => reply(q, ResponseCode::NoError, vec![], vec![soa("in-addr.arpa.")]),
    }
}

#[tokio::test]
async fn a_ptr_that_names_its_own_reverse_name_confirms_nothing_and_does_not_loop() {
    let dns = dns_at(raw_server(self_ptr, self_ptr).await).await;
    let p = CheckParams {
        ip: Some("192.0.2.10".parse().unwrap()),
        ..bare("self.example", &[Check::Ptr])
    };
    let started = Instant::now();
    let r = check_domain(&dns, &p).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    has(&r, "ptr-not-confirmed");
    assert_eq!(r.ptr.as_ref().unwrap().fcrdns, Some(false));
    assert!(SELF_PTR_A.load(Ordering::SeqCst) <= 4);
}

// ------------------------------------------------------------ time bounds across domains

/// Names under `hang.example` get no answer at all; other names NODATA.
fn one_hangs(q: &Message) -> Option<Vec<u8>> {
    if asked_text(q).ends_with("hang.example.") {
        return None;
    }
    nodata(q)
}

#[test]
fn one_hanging_domain_in_a_domains_file_does_not_hold_the_others() {
    // --deadline is per domain: with a per-question timeout of 30 s, the domain whose server
    // never answers ends at its deadline (inconclusive, saying so), the others complete at
    // once, every domain gets its line, and the run ends soon after one deadline.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt.block_on(raw_server(one_hangs, one_hangs)).to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("domains.txt");
    std::fs::write(&file, "first.example\nhang.example\nlast.example\n").unwrap();
    let started = Instant::now();
    let out = cli(
        &[
            "check",
            "--domains-file",
            file.to_str().unwrap(),
            "--only",
            "spf,dmarc",
            "--nameserver",
            &ns,
            "--timeout",
            "30",
            "--retries",
            "0",
            "--deadline",
            "3",
            "--format",
            "jsonl",
        ],
        None,
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    for l in &lines {
        let findings = l["findings"].as_array().unwrap();
        let ids: Vec<&str> = findings.iter().filter_map(|f| f["id"].as_str()).collect();
        if l["domain"] == "hang.example" {
            assert!(
                findings.iter().all(|f| f["inconclusive"] == true),
                "{findings:?}"
            );
            assert!(l.to_string().contains("deadline"), "{l}");
            assert!(!ids.contains(&"spf-missing"), "{ids:?}");
        } else {
            assert!(ids.contains(&"spf-missing"), "{l}");
            assert!(
                findings.iter().all(|f| f["inconclusive"] != true),
                "{findings:?}"
            );
        }
    }
    assert_eq!(code(&out), 1, "{text}");
    drop(rt);
}

#[test]
fn a_tree_walk_slow_at_every_level_keeps_diagnose_within_its_deadline() {
    // Every answer takes 800 ms, under the 1 s timeout, and the From domain has ten labels,
    // so the DMARC walk alone needs 8 questions one after another (RFC 9989 section 4.10).
    // --deadline 2 must end diagnose near 2 s, and the walk it cut short is inconclusive,
    // never "no DMARC record".
    let served = crate::cli_support::Served::start(mailtriage::dns::ServerOptions {
        zones: crate::common::zones(&[(
            "good.example",
            &crate::common::zone_text("good.example", &crate::checks_support::good_zone()),
        )]),
        root_catch_all: true,
        delay: Duration::from_millis(800),
        ..mailtriage::dns::ServerOptions::default()
    });
    let ns = served.nameserver();
    let started = Instant::now();
    let out = cli(
        &[
            "diagnose",
            crate::diagnose_support::GMAIL_5726,
            "--domain",
            "good.example",
            "--from",
            "news@a.b.c.d.e.f.g.h.good.example",
            "--nameserver",
            &ns,
            "--timeout",
            "1",
            "--retries",
            "0",
            "--deadline",
            "2",
            "--format",
            "json",
        ],
        None,
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(matches!(code(&out), 1 | 3), "{}", code(&out));
    let v = json(&out);
    let findings = v["findings"]
        .as_array()
        .or_else(|| v["domains"][0]["findings"].as_array())
        .unwrap_or_else(|| panic!("{v:#}"));
    assert!(
        !findings
            .iter()
            .any(|f| f["id"] == "dmarc-missing" && f["inconclusive"] != true),
        "{findings:#?}"
    );
    assert!(v.to_string().contains("deadline"), "{v:#}");
}

// ------------------------------------------------------------ a CNAME that contradicts its DNAME

fn dname(owner: &str, target: &str) -> Record {
    let mut rdata = Vec::new();
    for l in target.trim_end_matches('.').split('.') {
        rdata.push(u8::try_from(l.len()).unwrap());
        rdata.extend_from_slice(l.as_bytes());
    }
    rdata.push(0);
    Record::from_rdata(
        name(owner),
        300,
        RData::Unknown {
            code: RecordType::DNAME,
            rdata: hickory_proto::rr::rdata::NULL::with(rdata),
        },
    )
}

/// `victim.example DNAME moved.example`, sent with a CNAME for `_dmarc.victim.example` that
/// is not the one the DNAME makes (`_dmarc.evil.example` instead of `_dmarc.moved.example`).
fn contradicting_cname(q: &Message) -> Option<Vec<u8>> {
    let n = asked_text(q);
    let record = |text: &str| reply(q, ResponseCode::NoError, vec![txt(asked(q), text)], vec![]);
    match n.as_str() {
        "_dmarc.victim.example." => reply(
            q,
            ResponseCode::NoError,
            vec![
                dname("victim.example.", "moved.example."),
                Record::from_rdata(
                    asked(q),
                    300,
                    RData::CNAME(CNAME(name("_dmarc.evil.example."))),
                ),
            ],
            vec![],
        ),
        "_dmarc.moved.example." => record("v=DMARC1; p=reject; rua=mailto:d@moved.example"),
        "_dmarc.evil.example." => record("v=DMARC1; p=none"),
        "victim.example." | "moved.example." | "evil.example." => nodata(q),
        _ => nxdomain(q),
    }
}

#[tokio::test]
async fn a_cname_that_contradicts_the_dname_beside_it_is_not_followed() {
    // RFC 6672 sections 3.1 and 3.4: the CNAME sent with a DNAME is the DNAME's substitution;
    // a resolver synthesises it from the DNAME itself and drops one that says otherwise
    // (Unbound's and BIND's scrubbing do), so receivers read `_dmarc.moved.example`. A
    // checker that follows the contradicting CNAME reads the wrong policy.
    let dns = dns_at(raw_server(contradicting_cname, contradicting_cname).await).await;
    let ans = dns.query("_dmarc.victim.example", RType::TXT).await;
    assert_eq!(ans.outcome, Outcome::Answer, "{:?}", ans.outcome);
    assert_eq!(
        ans.txt_strings().concat(),
        "v=DMARC1; p=reject; rua=mailto:d@moved.example",
        "{:?}",
        ans.cname_chain
    );
    assert_eq!(ans.cname_chain, ["_dmarc.moved.example"]);
}

// ------------------------------------------------------------ the evidence bundle

/// `ctl.example` of [`control_mx`], and the hostile list reason of [`hostile_reason`] for
/// 192.0.2.10, from one server.
fn control_and_reason(q: &Message) -> Option<Vec<u8>> {
    if asked_text(q).starts_with("10.2.0.192.") {
        hostile_reason(q)
    } else {
        control_mx(q)
    }
}

#[test]
fn dns_data_in_the_evidence_bundle_is_inert_in_every_file() {
    // The bundle is pasted into tickets and opened in terminals: report.md is Markdown,
    // report.json and dns-log.jsonl are JSON. DNS data in them is escaped as in the reports.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt
        .block_on(raw_server(control_and_reason, control_and_reason))
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("case");
    let out = cli(
        &[
            "diagnose",
            "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org",
            "--domain",
            "ctl.example",
            "--ip",
            "192.0.2.10",
            "--nameserver",
            &ns,
            "--timeout",
            "2",
            "--retries",
            "0",
            "--evidence",
            bundle.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stdout));
    for file in ["report.md", "report.json", "dns-log.jsonl"] {
        let text = std::fs::read_to_string(bundle.join(file)).unwrap();
        crate::report_escape::assert_inert(file, &text, false);
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("X-Injected") || l.starts_with("spf.ctl.example")),
            "{file}: a forged line"
        );
        if file == "report.md" {
            assert!(
                text.contains("click"),
                "{file}: the list's reason is missing"
            );
            for live in ["[click](http://evil)", "<script>"] {
                assert!(!text.contains(live), "{file}: {live}");
            }
        }
    }
    let log = std::fs::read_to_string(bundle.join("dns-log.jsonl")).unwrap();
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    drop(rt);
}

// ------------------------------------------------------------ names in the plan's zone lines

/// `zl.example`: MX 10 `m x<LF>spf.zl.example` (no address), MX 20 `mx.zl.example`
/// (192.0.2.25), SPF `v=spf1 mx -all`.
fn zone_line_names(q: &Message) -> Option<Vec<u8>> {
    let l = labels(q);
    let owner = asked(q);
    let odd =
        || Name::from_labels(vec![space_label(), b"zl".to_vec(), b"example".to_vec()]).unwrap();
    let apex = l == [b"zl".to_vec(), b"example".to_vec()];
    let good = l == [b"mx".to_vec(), b"zl".to_vec(), b"example".to_vec()];
    match qtype(q) {
        RecordType::MX if apex => reply(
            q,
            ResponseCode::NoError,
            vec![
                Record::from_rdata(owner.clone(), 300, RData::MX(MX::new(10, odd()))),
                Record::from_rdata(owner, 300, RData::MX(MX::new(20, name("mx.zl.example.")))),
            ],
            vec![],
        ),
        RecordType::TXT if apex => reply(
            q,
            ResponseCode::NoError,
            vec![txt(owner, "v=spf1 mx -all")],
            vec![],
        ),
        RecordType::A if good => reply(
            q,
            ResponseCode::NoError,
            vec![a(owner, [192, 0, 2, 25])],
            vec![],
        ),
        _ if apex || good => nodata(q),
        _ => nxdomain(q),
    }
}

fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[test]
fn a_zone_line_the_plan_prints_writes_odd_octets_of_a_name_as_zone_escapes() {
    // RFC 1035 section 5.1: in a zone file a space ends a name and a line feed ends the
    // record, so `m x<LF>spf.zl.example` is written `m\032x\010spf.zl.example.`; printed raw,
    // the "remove" line the user pastes names another record, or two.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt
        .block_on(raw_server(zone_line_names, zone_line_names))
        .to_string();
    let out = cli(
        &[
            "diagnose",
            crate::diagnose_support::GMAIL_5726,
            "--domain",
            "zl.example",
            "--ip",
            "192.0.2.25",
            "--nameserver",
            &ns,
            "--timeout",
            "2",
            "--retries",
            "0",
            "--format",
            "json",
        ],
        None,
    );
    let d = json(&out);
    let mut all = Vec::new();
    strings(&d["plan"], &mut all);
    let lines: Vec<&String> = all.iter().filter(|s| s.contains("IN MX 10")).collect();
    assert!(!lines.is_empty(), "{:#}", d["plan"]);
    for l in lines {
        assert!(l.contains(r"m\032x\010spf.zl.example."), "{l}");
    }
    drop(rt);
}

// ------------------------------------------------------------ RSA keys over 4096 bits

/// DER: tag, definite length, contents.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 128 {
        out.push(u8::try_from(n).unwrap());
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | u8::try_from(bytes.len()).unwrap());
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

/// A SubjectPublicKeyInfo for an RSA key whose modulus is `bytes` octets long (top bit set,
/// so `8 * bytes` bits), exponent 65537, base64.
pub(crate) fn rsa_key_b64(bytes: usize) -> String {
    use base64::Engine;
    let mut n = vec![0u8; 1];
    n.push(0xc3);
    n.extend(std::iter::repeat_n(0x5a, bytes - 2));
    n.push(0x01);
    let pkcs1 = tlv(0x30, &[tlv(0x02, &n), tlv(0x02, &[1, 0, 1])].concat());
    let alg = tlv(
        0x30,
        &[
            tlv(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
            ),
            vec![0x05, 0x00],
        ]
        .concat(),
    );
    let bits = tlv(0x03, &[vec![0], pkcs1].concat());
    base64::engine::general_purpose::STANDARD.encode(tlv(0x30, &[alg, bits].concat()))
}

/// `s8192._domainkey.big.example` holds an 8192-bit key, `huge._domainkey.big.example` one
/// of 320,000 bits (a 54 KB record, over TCP).
fn big_keys(q: &Message) -> Option<Vec<u8>> {
    let bytes = match asked_text(q).as_str() {
        "s8192._domainkey.big.example." => 1024,
        "huge._domainkey.big.example." => 40_000,
        "big.example." | "_domainkey.big.example." => return nodata(q),
        _ => return nxdomain(q),
    };
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    let text = format!("v=DKIM1; k=rsa; p={}", rsa_key_b64(bytes));
    let strings: Vec<String> = text
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let record = Record::from_rdata(asked(q), 300, RData::TXT(TXT::new(strings)));
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn rsa_keys_over_4096_bits_are_measured_and_flagged_not_called_malformed() {
    // RFC 8301 section 3.2: verifiers must handle 1024 to 4096 bits and MAY handle more. An
    // 8192-bit key is an RSA key whose signatures some receivers reject: its size is shown
    // and flagged, never "not an RSA public key". A 320,000-bit one is measured as fast.
    let dns = dns_at(raw_server(big_keys, big_keys).await).await;
    let p = CheckParams {
        dkim_selectors: vec!["s8192".into(), "huge".into()],
        ..bare("big.example", &[Check::Dkim])
    };
    let started = Instant::now();
    let r = check_domain(&dns, &p).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    lacks(&r, "dkim-syntax-error");
    let long: Vec<&String> = r
        .findings
        .iter()
        .filter(|f| f.id == "dkim-key-too-long")
        .map(|f| &f.message)
        .collect();
    assert!(
        long.iter().any(|m| m.contains("8192 bits")),
        "{:#?}",
        summary(&r)
    );
    assert!(
        long.iter().any(|m| m.contains("320000 bits")),
        "{:#?}",
        summary(&r)
    );
}

/// 192.0.2.10 has two PTR names: `mail.ptrz.example` (192.0.2.10: confirms) and
/// `old host<TAB>.ptrz.example` (no address).
fn stale_odd_ptr(q: &Message) -> Option<Vec<u8>> {
    let odd = Name::from_labels(vec![
        b"old host\t".to_vec(),
        b"ptrz".to_vec(),
        b"example".to_vec(),
    ])
    .unwrap();
    match qtype(q) {
        RecordType::PTR => reply(
            q,
            ResponseCode::NoError,
            vec![
                Record::from_rdata(asked(q), 300, RData::PTR(PTR(name("mail.ptrz.example.")))),
                Record::from_rdata(asked(q), 300, RData::PTR(PTR(odd))),
            ],
            vec![],
        ),
        RecordType::A if asked_text(q) == "mail.ptrz.example." => reply(
            q,
            ResponseCode::NoError,
            vec![a(asked(q), [192, 0, 2, 10])],
            vec![],
        ),
        _ => reply(q, ResponseCode::NXDomain, vec![], vec![soa(".")]),
    }
}

#[test]
fn a_stale_ptr_the_plan_removes_is_written_in_zone_syntax() {
    // Same class as the MX line: the PTR step's "remove" line names the stale PTR as the
    // zone holds it, `old\032host\009.ptrz.example.`, not a line a zone file reads as two
    // names or a terminal shows as whitespace.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt
        .block_on(raw_server(stale_odd_ptr, stale_odd_ptr))
        .to_string();
    let out = cli(
        &[
            "diagnose",
            "550 5.7.25 The IP address sending this message does not have a PTR record setup - gsmtp",
            "--domain",
            "ptrz.example",
            "--ip",
            "192.0.2.10",
            "--helo",
            "mail.ptrz.example",
            "--nameserver",
            &ns,
            "--timeout",
            "2",
            "--retries",
            "0",
            "--format",
            "json",
        ],
        None,
    );
    let d = json(&out);
    let mut all = Vec::new();
    strings(&d["plan"], &mut all);
    let lines: Vec<&String> = all.iter().filter(|s| s.contains("IN PTR")).collect();
    assert!(!lines.is_empty(), "{:#}", d["plan"]);
    for l in lines.iter().filter(|l| l.contains("old")) {
        assert!(l.contains(r"old\032host\009.ptrz.example."), "{l}");
    }
    assert!(lines.iter().any(|l| l.contains("old")), "{lines:?}");
    drop(rt);
}

// ------------------------------------------------------------ scan --diagnose

#[test]
fn dns_data_in_scans_likely_causes_is_inert_in_every_format() {
    // `scan --diagnose` joins the diagnoses' likely causes into its summary: a list's TXT
    // reason travels from the DNS into the scan report, and is escaped there as in `check`.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt
        .block_on(raw_server(control_and_reason, control_and_reason))
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..3 {
        text.push_str(&format!(
            "2026-03-02T10:0{i}:00+00:00 mx1 postfix/qmgr[1]: Q{i}: from=<news@ctl.example>, size=1, nrcpt=1 (queue active)\n\
             2026-03-02T10:0{i}:01+00:00 mx1 postfix/smtp[2]: Q{i}: to=<r{i}@example.net>, relay=mx.example.net[203.0.113.5]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.example.net[203.0.113.5] said: 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org (in reply to RCPT TO command))\n"
        ));
    }
    let log = dir.path().join("mail.log");
    std::fs::write(&log, text).unwrap();
    for format in ["human", "markdown", "json"] {
        let out = cli(
            &[
                "scan",
                log.to_str().unwrap(),
                "--diagnose",
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
        // The listing was read (one other list's answer was not): DNS was consulted, so
        // neither exit 3 nor "every check was inconclusive".
        assert_eq!(code(&out), 0, "{format}: {text}");
        assert!(
            !text.contains("every check was inconclusive"),
            "{format}: {text}"
        );
        assert!(
            text.contains("part of the DNS could not be consulted"),
            "{format}: {text}"
        );
        assert!(text.contains("192.0.2.10"), "{format}: {text}");
        crate::report_escape::assert_inert(format, &text, false);
        assert!(
            !text.lines().any(|l| l.starts_with("X-Injected")),
            "{format}: {text}"
        );
        if format == "markdown" {
            for live in ["[click](http://evil)", "<script>"] {
                assert!(!text.contains(live), "{format}: {live} in {text}");
            }
        }
    }
    drop(rt);
}

// ------------------------------------------------------------ thousands of address ranges

/// `ranges.example`: one SPF record of 3,000 `ip4:` ranges and 500 `ip6:` ranges (about
/// 60 KB, over TCP), the client's address last.
fn thousands_of_ranges(q: &Message) -> Option<Vec<u8>> {
    if asked_text(q) != "ranges.example." {
        return nxdomain(q);
    }
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    let mut text = String::from("v=spf1");
    for i in 0..3000u32 {
        text.push_str(&format!(" ip4:10.{}.{}.0/24", i / 256, i % 256));
    }
    for i in 0..500u32 {
        text.push_str(&format!(" ip6:2001:db8:{i:x}::/48"));
    }
    text.push_str(" ip4:192.0.2.10 -all");
    let strings: Vec<String> = text
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let record = Record::from_rdata(asked(q), 300, RData::TXT(TXT::new(strings)));
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn an_spf_record_of_thousands_of_ranges_is_evaluated_quickly_to_the_last_one() {
    // Address ranges cost no lookup (RFC 7208 section 4.6.4), so 3,500 of them are legal;
    // the record is over 450 bytes (section 3.4), and the client matched by the last range
    // passes. Evaluating it is linear: well under the run's deadline even unoptimised.
    let dns = dns_at(raw_server(thousands_of_ranges, thousands_of_ranges).await).await;
    let p = CheckParams {
        ip: Some("192.0.2.10".parse().unwrap()),
        mail_from: Some("b@ranges.example".into()),
        ..bare("ranges.example", &[Check::Spf])
    };
    let started = Instant::now();
    let r = check_domain(&dns, &p).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    has(&r, "spf-ip-authorised");
    has(&r, "spf-record-too-long");
    lacks(&r, "spf-too-many-lookups");
    lacks(&r, "spf-ip-not-authorised");
}
