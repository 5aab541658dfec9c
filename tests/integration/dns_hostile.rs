//! Hostile servers the resolver had not met before: answers to another question, DNAME without
//! its CNAME, out-of-range and zero TTLs, long CNAME chains, endless truncation. Each is DNS
//! trouble (inconclusive, exit 3) or, where the RFCs say so, a real answer: never a silent
//! "missing" or a pass.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{good_served, good_zone, has, lacks, only, run_faults, variant};
use crate::cli_support::{Served, code, json, run};
use crate::common::{quick, serve_with, zone_text, zones};
use mailtriage::dns::{
    Dns, DnsServer, Fault, FaultKind, Outcome, QuestionFault, RType, ServerOptions,
};
use mailtriage::finding::Check;
use std::time::{Duration, Instant};

const WRONG_QUESTIONS: [QuestionFault; 4] = [
    QuestionFault::Name,
    QuestionFault::Type,
    QuestionFault::Class,
    QuestionFault::Empty,
];

fn fault(name: &str, rtype: Option<RType>, kind: FaultKind) -> Fault {
    Fault {
        name: name.into(),
        rtype,
        kind,
    }
}

async fn good_with(faults: Vec<Fault>, track: bool) -> (DnsServer, Dns) {
    good_served(faults, track, quick()).await
}

#[tokio::test]
async fn an_answer_to_another_question_is_an_error_with_no_records() {
    let mut kinds: Vec<FaultKind> = WRONG_QUESTIONS.map(FaultKind::WrongQuestion).to_vec();
    kinds.push(FaultKind::Opcode);
    for kind in kinds {
        let (_s, dns) = good_with(vec![fault("good.example", None, kind)], false).await;
        // A positive answer (TXT) and a negative one (there is no AAAA at the apex) are both
        // refused, the opcode included.
        for rtype in [RType::TXT, RType::AAAA] {
            let a = dns.query("good.example", rtype).await;
            let Outcome::Error(why) = &a.outcome else {
                panic!("{kind:?} {rtype:?}: {:?}", a.outcome)
            };
            assert!(a.records.is_empty(), "{kind:?}: {:?}", a.records);
            let expected = if kind == FaultKind::Opcode {
                "opcode"
            } else {
                "question"
            };
            assert!(why.contains(expected), "{kind:?} {rtype:?}: {why}");
        }
        // The same server's other names are untouched.
        let other = dns.query("_dmarc.good.example", RType::TXT).await;
        assert_eq!(other.outcome, Outcome::Answer, "{kind:?}");
    }
}

#[tokio::test]
async fn spf_and_dmarc_behind_a_wrong_question_are_inconclusive_not_missing() {
    let mut kinds: Vec<FaultKind> = WRONG_QUESTIONS.map(FaultKind::WrongQuestion).to_vec();
    // REFUSED (RFC 1035 section 4.1.1, RCODE 5) says nothing about the name either.
    kinds.extend([FaultKind::Opcode, FaultKind::Refused]);
    for kind in kinds {
        let faults = vec![
            fault("good.example", Some(RType::TXT), kind),
            fault("_dmarc.good.example", Some(RType::TXT), kind),
        ];
        let r = run_faults(
            &good_zone(),
            &[],
            faults,
            &only(&[Check::Spf, Check::Dmarc]),
        )
        .await;
        assert!(has(&r, "spf-lookup-failed").inconclusive, "{kind:?}");
        assert!(has(&r, "dmarc-lookup-failed").inconclusive, "{kind:?}");
        for id in ["spf-missing", "dmarc-missing", "spf-ip-authorised"] {
            lacks(&r, id);
        }
        assert!(r.spf.as_ref().unwrap().status.is_inconclusive(), "{kind:?}");
        assert_eq!(r.spf.as_ref().unwrap().record, None, "{kind:?}");
        assert!(
            r.dmarc.as_ref().unwrap().status.is_inconclusive(),
            "{kind:?}"
        );
        assert!(r.all_inconclusive(), "{kind:?}");
    }
}

#[test]
fn the_cli_exits_3_when_every_answer_is_for_another_question() {
    let served = Served::start(ServerOptions {
        zones: zones(&[("good.example", &zone_text("good.example", &good_zone()))]),
        root_catch_all: true,
        faults: vec![
            fault(
                "good.example",
                Some(RType::TXT),
                FaultKind::WrongQuestion(QuestionFault::Empty),
            ),
            fault("_dmarc.good.example", Some(RType::TXT), FaultKind::Opcode),
        ],
        ..ServerOptions::default()
    });
    let ns = served.nameserver();
    let out = run(
        &[
            "check",
            "good.example",
            "--only",
            "spf,dmarc",
            "--nameserver",
            &ns,
            "--timeout",
            "1",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let findings = v["domains"][0]["findings"].as_array().unwrap();
    let ids: Vec<&str> = findings.iter().filter_map(|f| f["id"].as_str()).collect();
    assert!(ids.contains(&"spf-lookup-failed"), "{ids:?}");
    assert!(ids.contains(&"dmarc-lookup-failed"), "{ids:?}");
    assert!(!ids.iter().any(|id| id.ends_with("-missing")), "{ids:?}");
    let text = v.to_string();
    assert!(text.contains("empty question section"), "{text}");
    assert!(text.contains("opcode"), "{text}");
}

#[tokio::test]
async fn a_dname_without_its_cname_is_followed_to_the_record() {
    // RFC 6672 section 3.4: the resolver substitutes the DNAME itself.
    let moved = variant(
        &[("_dmarc IN TXT", r#"moved IN A 192.0.2.10"#)],
        r#"_dmarc.moved IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@good.example""#,
    );
    let faults = vec![fault(
        "_dmarc.good.example",
        Some(RType::TXT),
        FaultKind::DnameOnly,
    )];
    let r = run_faults(&moved, &[], faults.clone(), &only(&[Check::Dmarc])).await;
    lacks(&r, "dmarc-missing");
    lacks(&r, "dmarc-lookup-failed");
    let facts = r.dmarc.as_ref().unwrap();
    assert!(!facts.status.is_inconclusive());
    assert_eq!(
        facts.record.as_deref(),
        Some("v=DMARC1; p=quarantine; rua=mailto:dmarc@good.example")
    );
    // And at the DNS layer: the substituted name is in the chain the evidence shows.
    let (_s, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("good.example", &zone_text("good.example", &moved))]),
            root_catch_all: true,
            faults,
            ..ServerOptions::default()
        },
        quick(),
    )
    .await;
    let a = dns.query("_dmarc.good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer);
    assert_eq!(a.cname_chain, vec!["_dmarc.moved.good.example".to_string()]);
}

#[tokio::test]
async fn a_dname_to_a_name_that_does_not_exist_is_absence() {
    // The redirect is followed; the target's NXDOMAIN is the answer (RFC 6604 section 2.1):
    // the record is missing, which is a finding, not trouble.
    let faults = vec![fault(
        "_dmarc.good.example",
        Some(RType::TXT),
        FaultKind::DnameOnly,
    )];
    let r = run_faults(&good_zone(), &[], faults, &only(&[Check::Dmarc])).await;
    let f = has(&r, "dmarc-missing");
    assert!(!f.inconclusive);
    lacks(&r, "dmarc-lookup-failed");
}

#[tokio::test]
async fn a_dmarc_cname_to_a_name_that_does_not_exist_is_absence_not_trouble() {
    // RFC 6604 section 2.1 / RFC 2308 section 2.1: the RCODE of a CNAME answer is about the
    // last name of the chain, so NXDOMAIN here says the record does not exist.
    let zone = variant(
        &[("_dmarc IN TXT", "_dmarc IN CNAME gone.good.example.")],
        "",
    );
    let r = run_faults(&zone, &[], vec![], &only(&[Check::Dmarc])).await;
    assert!(!has(&r, "dmarc-missing").inconclusive);
    lacks(&r, "dmarc-lookup-failed");
    let (_s, dns) = serve_with(
        ServerOptions {
            zones: zones(&[("good.example", &zone_text("good.example", &zone))]),
            root_catch_all: true,
            ..ServerOptions::default()
        },
        quick(),
    )
    .await;
    let a = dns.query("_dmarc.good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::NxDomain);
    assert_eq!(a.cname_chain, vec!["gone.good.example".to_string()]);
}

#[tokio::test]
async fn a_chain_of_twenty_cnames_is_trouble_not_absence() {
    let mut extra = String::from("_dmarc IN CNAME c1.good.example.\n");
    for i in 1..20 {
        extra.push_str(&format!("c{i} IN CNAME c{}.good.example.\n", i + 1));
    }
    extra.push_str("c20 IN TXT \"v=DMARC1; p=reject\"\n");
    let zone = variant(&[("_dmarc IN TXT", "")], &extra);
    let r = run_faults(&zone, &[], vec![], &only(&[Check::Dmarc])).await;
    let f = has(&r, "dmarc-lookup-failed");
    assert!(f.inconclusive);
    assert!(
        f.message.contains("CNAME chain longer than"),
        "{}",
        f.message
    );
    lacks(&r, "dmarc-missing");
    assert!(r.dmarc.as_ref().unwrap().status.is_inconclusive());
}

#[tokio::test]
async fn ttls_with_the_top_bit_set_count_as_zero() {
    // RFC 2181 section 8.
    for (ttl, seen) in [
        (u32::MAX, 0),
        (1 << 31, 0),
        ((1 << 31) - 1, (1 << 31) - 1),
        (0, 0),
    ] {
        let (server, dns) = good_with(
            vec![fault("good.example", Some(RType::TXT), FaultKind::Ttl(ttl))],
            true,
        )
        .await;
        let a = dns.query("good.example", RType::TXT).await;
        assert_eq!(a.outcome, Outcome::Answer, "{ttl}");
        assert_eq!(a.ttl, Some(seen), "{ttl}");
        // A TTL of 0 is for this transaction only (RFC 1035 section 3.2.1): not served from
        // the cache to the next question.
        dns.query("good.example", RType::TXT).await;
        let asked = server.times_asked("good.example", RType::TXT);
        assert_eq!(asked, if seen == 0 { 2 } else { 1 }, "{ttl}");
    }
}

#[tokio::test]
async fn a_negative_answer_with_soa_minimum_0_is_absence_that_is_not_cached() {
    // RFC 2308 section 5: the negative TTL is min(SOA TTL, MINIMUM); 0 means do not cache.
    for ttl in [0, u32::MAX] {
        let (server, dns) = good_with(
            vec![fault(
                "nothing.good.example",
                Some(RType::TXT),
                FaultKind::Ttl(ttl),
            )],
            true,
        )
        .await;
        let a = dns.query("nothing.good.example", RType::TXT).await;
        assert_eq!(a.outcome, Outcome::NxDomain, "{ttl}");
        assert_eq!(a.ttl, Some(0), "{ttl}");
        dns.query("nothing.good.example", RType::TXT).await;
        assert_eq!(server.times_asked("nothing.good.example", RType::TXT), 2);
    }
}

#[tokio::test]
async fn endless_truncation_with_a_silent_tcp_server_is_a_timeout() {
    let (_s, dns) = good_with(
        vec![fault(
            "good.example",
            Some(RType::TXT),
            FaultKind::TruncateForever,
        )],
        false,
    )
    .await;
    let started = Instant::now();
    let a = dns.query("good.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Timeout);
    assert!(a.records.is_empty());
    // One UDP and one TCP attempt of 300 ms each, no retries.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let r = run_faults(
        &good_zone(),
        &[],
        vec![fault(
            "good.example",
            Some(RType::TXT),
            FaultKind::TruncateForever,
        )],
        &only(&[Check::Spf]),
    )
    .await;
    assert!(has(&r, "spf-lookup-failed").inconclusive);
    lacks(&r, "spf-missing");
}

#[test]
fn a_server_slow_just_under_the_timeout_is_stopped_by_the_deadline() {
    // Every answer takes 900 ms with a 1 s timeout: each question succeeds, but DKIM discovery
    // needs rounds one after another; --deadline 2 must end the run near 2 s with the rest inconclusive.
    let served = Served::start(ServerOptions {
        zones: zones(&[("good.example", &zone_text("good.example", &good_zone()))]),
        root_catch_all: true,
        delay: Duration::from_millis(900),
        ..ServerOptions::default()
    });
    let ns = served.nameserver();
    let started = Instant::now();
    let out = run(
        &[
            "check",
            "good.example",
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
    let v = json(&out);
    let text = v.to_string();
    assert!(text.contains("deadline passed"), "{text}");
    assert!(matches!(code(&out), 1 | 3), "{}", code(&out));
    let findings = v["domains"][0]["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["inconclusive"] == true),
        "{findings:?}"
    );
}

#[tokio::test]
async fn txt_bytes_are_joined_before_decoding_and_bad_bytes_do_not_stop_the_parse() {
    // A UTF-8 sequence split across two character-strings is one character once the strings
    // are joined (RFC 7208 section 3.3, RFC 9989 keeps the same rule); an invalid byte and a
    // NUL are data, shown replaced or escaped, and the policy is still read.
    let zone = variant(
        &[(
            "_dmarc IN TXT",
            r#"_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.example; x=\226\130" "\172\255\000""#,
        )],
        "",
    );
    let r = run_faults(&zone, &[], vec![], &only(&[Check::Dmarc])).await;
    let facts = r.dmarc.as_ref().unwrap();
    assert!(!facts.status.is_inconclusive());
    let record = facts.record.as_deref().unwrap();
    assert!(record.ends_with("x=\u{20ac}\u{fffd}\0"), "{record:?}");
    assert_eq!(facts.policy.as_deref(), Some("reject"));
    lacks(&r, "dmarc-missing");
}

#[tokio::test]
async fn a_ptr_to_the_root_name_is_shown_as_the_root_and_is_not_confirmed() {
    let reverse = "10 IN PTR .\n25 IN PTR mx.good.example.\n";
    let zones_ = [
        ("good.example", zone_text("good.example", &good_zone())),
        (
            "2.0.192.in-addr.arpa",
            zone_text("2.0.192.in-addr.arpa", reverse),
        ),
    ];
    let refs: Vec<(&str, &str)> = zones_.iter().map(|(o, t)| (*o, t.as_str())).collect();
    let (_s, dns) = serve_with(
        ServerOptions {
            zones: zones(&refs),
            root_catch_all: true,
            ..ServerOptions::default()
        },
        quick(),
    )
    .await;
    let r = mailtriage::checks::check_domain(&dns, &only(&[Check::Ptr])).await;
    let f = has(&r, "ptr-not-confirmed");
    assert!(f.message.contains("192.0.2.10 (.)"), "{}", f.message);
    let facts = r.ptr.as_ref().unwrap();
    assert_eq!(facts.names[0].name, ".");
    assert_eq!(facts.fcrdns, Some(false));
}

#[tokio::test]
async fn records_of_class_ch_or_a_chain_ending_in_another_type_are_trouble() {
    // RFC 1035 section 7.3: data other than what was asked is not believed. A CNAME chain that
    // ends in an A record for a TXT question is not "no TXT record" either: the server broke.
    for kind in [FaultKind::WrongClass, FaultKind::CnameToWrongType] {
        let (_s, dns) = good_with(vec![fault("good.example", None, kind)], false).await;
        let a = dns.query("good.example", RType::TXT).await;
        assert!(
            matches!(a.outcome, Outcome::Error(_)),
            "{kind:?}: {:?}",
            a.outcome
        );
        assert!(a.records.is_empty(), "{kind:?}");
        let faults = vec![
            fault("good.example", Some(RType::TXT), kind),
            fault("_dmarc.good.example", Some(RType::TXT), kind),
        ];
        let r = run_faults(
            &good_zone(),
            &[],
            faults,
            &only(&[Check::Spf, Check::Dmarc]),
        )
        .await;
        assert!(has(&r, "spf-lookup-failed").inconclusive, "{kind:?}");
        assert!(has(&r, "dmarc-lookup-failed").inconclusive, "{kind:?}");
        lacks(&r, "spf-missing");
        lacks(&r, "dmarc-missing");
        assert!(r.all_inconclusive(), "{kind:?}");
    }
}
