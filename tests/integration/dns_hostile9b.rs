//! Hostile servers, round 9, second part: SPF evaluation order around a failing lookup (an
//! include or a redirect target that times out before or after the matching term, RFC 7208
//! sections 4.6.2, 5.2 and 6.1), the `ptr` mechanism's own rule for DNS errors (section 5.5),
//! stale absences at `exists` and include terms (and behind the `--zone` overlay), a server
//! that falls silent after its first answers under `diagnose`, and a failing include shared
//! by a bulk run (RFC 9520). The helpers are the first part's (`dns_hostile9`) and round 6's.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, summary};
use crate::cli_support::{code, json, run as cli, stdout};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile6::{
    a, asked, asked_text, bare, dns_at, name, nodata, patient, qtype, reply, soa, txt,
};
use crate::dns_hostile8::key;
use crate::dns_hostile9::with_edes;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{MX, PTR};
use hickory_proto::rr::{RData, Record, RecordType};
use mailtriage::checks::{CheckParams, DomainReport, check_domain};
use mailtriage::dns::{Dns, DnsConfig, RType};
use mailtriage::finding::Check;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// SPF records by domain; `_spf.slow.example` is never answered (a timeout); the reverse
/// lookup of 192.0.2.25 fails (SERVFAIL) and that of 192.0.2.24 names two hosts, the first of
/// which cannot be looked up.
fn spf_order(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    let owner = asked(q);
    let spf = |t: &str| {
        reply(
            q,
            ResponseCode::NoError,
            vec![txt(owner.clone(), t)],
            vec![],
        )
    };
    match (qtype(q), text.as_str()) {
        (_, "_spf.slow.example.") => None,
        (RecordType::TXT, "before.example.") => {
            spf("v=spf1 ip4:192.0.2.24 include:_spf.slow.example -all")
        }
        (RecordType::TXT, "after.example.") => {
            spf("v=spf1 include:_spf.slow.example ip4:192.0.2.24 -all")
        }
        (RecordType::TXT, "redirect.example.") => {
            spf("v=spf1 ip4:192.0.2.24 redirect=_spf.slow.example")
        }
        (RecordType::TXT, "ptr.example.") => spf("v=spf1 ptr -all"),
        (RecordType::TXT, "ptr-then-ip.example.") => spf("v=spf1 ptr ip4:192.0.2.25 -all"),
        (RecordType::TXT, "ptr-names.example.") => spf("v=spf1 ptr:ptr-names.example -all"),
        (RecordType::PTR, "25.2.0.192.in-addr.arpa.") => {
            reply(q, ResponseCode::ServFail, vec![], vec![])
        }
        (RecordType::PTR, "24.2.0.192.in-addr.arpa.") => {
            let ptr =
                |host: &str| Record::from_rdata(owner.clone(), 300, RData::PTR(PTR(name(host))));
            reply(
                q,
                ResponseCode::NoError,
                vec![
                    ptr("broken.ptr-names.example."),
                    ptr("mail.ptr-names.example."),
                ],
                vec![],
            )
        }
        (RecordType::A, "broken.ptr-names.example.") => {
            reply(q, ResponseCode::ServFail, vec![], vec![])
        }
        (RecordType::A, "mail.ptr-names.example.") => reply(
            q,
            ResponseCode::NoError,
            vec![a(owner, [192, 0, 2, 24])],
            vec![],
        ),
        _ => nodata(q),
    }
}

fn spf_for(domain: &str, ip: &str) -> CheckParams {
    CheckParams {
        ip: Some(ip.parse().unwrap()),
        ..bare(domain, &[Check::Spf])
    }
}

/// check_host()'s result in `r`, and the term that matched.
fn result(r: &DomainReport) -> (String, Option<String>) {
    let eval = r.spf.as_ref().and_then(|s| s.result.as_ref());
    let eval = eval.unwrap_or_else(|| panic!("no SPF result: {:#?}", summary(r)));
    (eval.result.clone(), eval.mechanism.clone())
}

#[tokio::test]
async fn terms_before_a_failing_include_decide_and_terms_after_it_do_not() {
    // RFC 7208 section 4.6.2: mechanisms are evaluated in order and the first match decides;
    // section 5.2: an include whose lookup fails makes check_host() return temperror when it
    // is reached. So `ip4:` before an include that times out passes the IP it names (the
    // include is never reached), an IP it does not name reaches the include (temperror), and
    // `ip4:` after the include is never reached (temperror, not pass, not fail). The lookups
    // run side by side; the order of the record, not of the answers, decides.
    let dns = dns_at(raw_server(spf_order, spf_order).await).await;
    let r = check_domain(&dns, &spf_for("before.example", "192.0.2.24")).await;
    assert_eq!(result(&r), ("pass".into(), Some("ip4:192.0.2.24".into())));
    lacks(&r, "spf-temperror");
    let r = check_domain(&dns, &spf_for("before.example", "192.0.2.99")).await;
    assert_eq!(result(&r).0, "temperror", "{:#?}", summary(&r));
    assert!(has(&r, "spf-temperror").inconclusive);
    let r = check_domain(&dns, &spf_for("after.example", "192.0.2.24")).await;
    assert_eq!(result(&r).0, "temperror", "{:#?}", summary(&r));
    lacks(&r, "spf-ip-authorised");
    lacks(&r, "spf-ip-not-authorised");
}

#[tokio::test]
async fn a_redirect_whose_target_times_out_is_taken_only_when_nothing_matched() {
    // RFC 7208 section 6.1: redirect= is used only when no mechanism matched. Its target
    // timing out therefore does not touch an IP an earlier `ip4:` names (pass), and makes
    // any other IP a temperror, never a fail or a neutral.
    let dns = dns_at(raw_server(spf_order, spf_order).await).await;
    let r = check_domain(&dns, &spf_for("redirect.example", "192.0.2.24")).await;
    assert_eq!(result(&r).0, "pass", "{:#?}", summary(&r));
    let r = check_domain(&dns, &spf_for("redirect.example", "192.0.2.99")).await;
    assert_eq!(result(&r).0, "temperror", "{:#?}", summary(&r));
    lacks(&r, "spf-ip-not-authorised");
}

#[tokio::test]
async fn a_ptr_mechanism_whose_lookup_fails_does_not_match_and_is_no_temperror() {
    // RFC 7208 section 5.5, unlike every other mechanism: "If a DNS error occurs while doing
    // the PTR RR lookup, then this mechanism fails to match", and a DNS error on the address
    // lookup of one PTR name skips that name. `v=spf1 ptr -all` with the reverse lookup
    // failing is `fail`, not temperror; a later `ip4:` still matches.
    let dns = dns_at(raw_server(spf_order, spf_order).await).await;
    let r = check_domain(&dns, &spf_for("ptr.example", "192.0.2.25")).await;
    assert_eq!(result(&r).0, "fail", "{:#?}", summary(&r));
    lacks(&r, "spf-temperror");
    let r = check_domain(&dns, &spf_for("ptr-then-ip.example", "192.0.2.25")).await;
    assert_eq!(result(&r), ("pass".into(), Some("ip4:192.0.2.25".into())));
}

#[tokio::test]
async fn a_ptr_name_whose_address_lookup_fails_is_skipped_for_the_next() {
    // RFC 7208 section 5.5: "If a DNS error occurs while doing an A RR lookup, then that
    // domain name is skipped and the search continues." The reverse name lists
    // broken.ptr-names.example (SERVFAIL) before mail.ptr-names.example (192.0.2.24): the
    // second validates and `ptr:ptr-names.example` passes.
    let dns = dns_at(raw_server(spf_order, spf_order).await).await;
    let r = check_domain(&dns, &spf_for("ptr-names.example", "192.0.2.24")).await;
    assert_eq!(result(&r).0, "pass", "{:#?}", summary(&r));
    lacks(&r, "spf-temperror");
}

/// Stale NXDOMAIN (EDE 19) for every name under `gone.example` (TXT and A alike); SPF
/// records for `ex.example` (an `exists` term into it) and `voids.example` (three includes).
fn stale_targets(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if text.ends_with("gone.example.") {
        return with_edes(
            q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa("example.")],
            &[(19, "")],
        );
    }
    let owner = asked(q);
    let record = match (qtype(q), text.as_str()) {
        (RecordType::TXT, "ex.example.") => "v=spf1 exists:%{i}.allow.gone.example -all",
        (RecordType::TXT, "voids.example.") => {
            "v=spf1 include:a.gone.example include:b.gone.example include:c.gone.example -all"
        }
        _ => return nodata(q),
    };
    reply(q, ResponseCode::NoError, vec![txt(owner, record)], vec![])
}

#[tokio::test]
async fn stale_absences_at_exists_and_include_terms_are_temperror_not_fail() {
    // RFC 7208 section 5: a lookup that fails makes check_host() temperror; section 4.6.4
    // counts only real absences as void lookups. A stale NXDOMAIN (EDE 19) is the resolver
    // failing to reach the zone: `exists:` into it is not "no match" (which would make the
    // record `fail` and receivers reject), and three includes into it are not three void
    // lookups (a permerror): both are temperror, inconclusive.
    let dns = dns_at(raw_server(stale_targets, stale_targets).await).await;
    let r = check_domain(&dns, &spf_for("ex.example", "192.0.2.24")).await;
    assert_eq!(result(&r).0, "temperror", "{:#?}", summary(&r));
    lacks(&r, "spf-ip-not-authorised");
    let r = check_domain(&dns, &spf_for("voids.example", "192.0.2.24")).await;
    assert_eq!(result(&r).0, "temperror", "{:#?}", summary(&r));
    lacks(&r, "spf-too-many-void-lookups");
    lacks(&r, "spf-include-without-spf");
    assert!(has(&r, "spf-lookup-failed").inconclusive);
}

#[tokio::test]
async fn a_stale_upstream_absence_behind_the_zone_overlay_stays_trouble() {
    // With `--zone` and live DNS for the other names (a CI job checking a zone file whose SPF
    // includes a provider), the overlay forwards what its zones do not hold. An upstream's
    // stale NXDOMAIN for the include is the same trouble seen through the overlay: SERVFAIL
    // with the upstream's reason (EDE 23, as for any upstream trouble), naming the stale
    // answer; never the include's absence (a void lookup, `spf-include-without-spf`).
    let upstream = raw_server(stale_targets, stale_targets).await;
    let dir = tempfile::tempdir().unwrap();
    let zone = dir.path().join("zoned.example.zone");
    std::fs::write(
        &zone,
        "$ORIGIN zoned.example.\n$TTL 300\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.53\n@ IN TXT \"v=spf1 include:_spf.gone.example -all\"\n",
    )
    .unwrap();
    let overlay = Dns::new(DnsConfig {
        nameservers: vec![upstream],
        zones: vec![zone],
        ..patient()
    })
    .await
    .unwrap();
    let answer = overlay.query("_spf.gone.example", RType::TXT).await;
    assert!(answer.outcome.is_trouble(), "{:?}", answer.outcome);
    let why = answer.outcome.detail().unwrap_or_default();
    assert!(why.contains("Stale NXDOMAIN Answer"), "{why}");
    let r = check_domain(&overlay, &bare("zoned.example", &[Check::Spf])).await;
    lacks(&r, "spf-include-without-spf");
    let f = has(&r, "spf-lookup-failed");
    assert!(f.inconclusive && f.subject == "_spf.gone.example", "{f:?}");
}

// ------------------------------------------------------------ stateful servers

type Handler = Arc<dyn Fn(&Message) -> Option<Vec<u8>> + Send + Sync>;

/// A UDP server that answers with `handler` (None: silence) and counts each question by
/// (name, type). No TCP: these answers are small.
async fn counting_server(handler: Handler) -> (SocketAddr, Arc<Mutex<HashMap<String, usize>>>) {
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let counts: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let seen = counts.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let key = format!("{} {}", asked_text(&q), qtype(&q));
            *seen.lock().unwrap().entry(key).or_default() += 1;
            if let Some(out) = handler(&q) {
                let _ = sock.send_to(&out, from).await;
            }
        }
    });
    (addr, counts)
}

/// What `quiet.example` publishes when its server still answers.
fn quiet_zone(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    let owner = asked(q);
    let records = match (qtype(q), text.as_str()) {
        (RecordType::TXT, "quiet.example.") => vec![txt(owner, "v=spf1 ip4:192.0.2.24 -all")],
        (RecordType::TXT, "_dmarc.quiet.example.") => vec![txt(owner, "v=DMARC1; p=reject")],
        (RecordType::TXT, "google._domainkey.quiet.example.") => vec![key(owner)],
        // The selectors' parent exists (an empty non-terminal): discovery has to ask them.
        (_, "_domainkey.quiet.example.") => return nodata(q),
        (RecordType::MX, "quiet.example.") => vec![Record::from_rdata(
            owner,
            300,
            RData::MX(MX::new(10, name("mail.quiet.example."))),
        )],
        (RecordType::A, "mail.quiet.example.") => vec![a(owner, [192, 0, 2, 24])],
        (RecordType::PTR, "24.2.0.192.in-addr.arpa.") => vec![Record::from_rdata(
            owner,
            300,
            RData::PTR(PTR(name("mail.quiet.example."))),
        )],
        _ => return reply(q, ResponseCode::NXDomain, vec![], vec![soa(".")]),
    };
    reply(q, ResponseCode::NoError, records, vec![])
}

/// Every finding object (one with an `id` and a `severity`) anywhere in `v`.
fn all_findings(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("id") && m.contains_key("severity") && m.contains_key("message") {
                out.push(v.clone());
            }
            m.values().for_each(|x| all_findings(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| all_findings(x, out)),
        _ => {}
    }
}

#[test]
fn a_server_that_falls_silent_after_its_first_answers_leaves_the_rest_unknown() {
    // A rate-limiting resolver that answers its first eight questions and then drops every
    // datagram (the "first N then silence" of a per-client quota). What it answered is read;
    // what it dropped is a timeout: inconclusive, exit 3, never "missing", never "no key
    // found" from DKIM discovery that heard a handful of its ~50 selectors. The resolver is
    // not hammered: with --retries 0 each question is sent once, and the diagnosis ends
    // within a few timeouts, not one per question.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let handler: Handler = {
        let served = served.clone();
        Arc::new(move |q| {
            if served.fetch_add(1, Ordering::SeqCst) >= 8 {
                return None;
            }
            quiet_zone(q)
        })
    };
    let (addr, counts) = rt.block_on(counting_server(handler));
    let ns = addr.to_string();
    let started = Instant::now();
    let out = cli(
        &[
            "diagnose",
            crate::diagnose_support::GMAIL_5726,
            "--domain",
            "quiet.example",
            "--ip",
            "192.0.2.24",
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
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    let mut findings = Vec::new();
    all_findings(&json(&out), &mut findings);
    assert!(
        findings.iter().any(|f| f["inconclusive"] == true),
        "{findings:#?}"
    );
    for f in &findings {
        let id = f["id"].as_str().unwrap_or_default();
        assert!(
            !id.ends_with("-missing") && id != "dkim-no-key-found" && id != "domain-nonexistent",
            "{f}"
        );
    }
    let counts = counts.lock().unwrap();
    assert!(counts.len() > 8, "{counts:?}");
    let again: Vec<(&String, &usize)> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(again.is_empty(), "asked more than once: {again:?}");
    drop(rt);
}

#[test]
fn a_failing_include_shared_by_a_bulk_run_is_asked_once_not_once_per_domain() {
    // RFC 9520 section 3: a resolver caches a resolution failure (here SERVFAIL) for a while
    // instead of asking again for every client; section 3.2: at least 1 second, at most 5
    // minutes. Twelve domains of a bulk run include the same failing `_spf.shared.example`:
    // each is inconclusive naming it, and the server hears that question once, not twelve
    // times.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handler: Handler = Arc::new(|q| {
        let text = asked_text(q);
        if text == "_spf.shared.example." {
            return reply(q, ResponseCode::ServFail, vec![], vec![]);
        }
        if qtype(q) == RecordType::TXT && text.starts_with('d') {
            return reply(
                q,
                ResponseCode::NoError,
                vec![txt(asked(q), "v=spf1 include:_spf.shared.example -all")],
                vec![],
            );
        }
        nodata(q)
    });
    let (addr, counts) = rt.block_on(counting_server(handler));
    let ns = addr.to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("domains.txt");
    let list: Vec<String> = (1..=12).map(|i| format!("d{i}.example")).collect();
    std::fs::write(&file, list.join("\n")).unwrap();
    let out = cli(
        &[
            "check",
            "--domains-file",
            file.to_str().unwrap(),
            "--only",
            "spf",
            "--nameserver",
            &ns,
            "--timeout",
            "1",
            "--retries",
            "0",
            "--format",
            "jsonl",
        ],
        None,
    );
    let text = stdout(&out);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 12, "{text}");
    for l in &lines {
        let failed = l["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["inconclusive"] == true && f["subject"] == "_spf.shared.example");
        assert!(failed, "{l}");
    }
    // (Exit 0: docs/exit-codes.md reads a bulk run as inconclusive only when every domain
    // is, and each of these found its own record.)
    let counts = counts.lock().unwrap();
    assert_eq!(
        counts.get("_spf.shared.example. TXT"),
        Some(&1),
        "{counts:?}"
    );
    drop(rt);
}
