//! Hostile servers, round 7, second part: SPF includes behind CNAME chains that end in
//! NXDOMAIN, a root MX target at preference 65535 beside real exchanges, a DKIM key split over
//! 255-octet strings with whitespace between them, an RRset whose TTLs differ, an SPF
//! redirect to a name whose server answers NOTIMP, a UDP server that answers only after six
//! seconds, a domains file of many slow domains, and MX hosts at a sinkhole's loopback or
//! unspecified address. The servers' helpers are the first part's (`dns_hostile7`) and round
//! 6's.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, only, run, summary, variant};
use crate::cli_support::{code, json, run as cli, stdout};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile6::{asked, asked_text, bare, dns_at, qtype, reply, txt};
use crate::dns_hostile6b::rsa_key_b64;
use crate::dns_hostile7::{honest_reply, timed_server};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record, RecordType};
use mailtriage::checks::{CheckParams, check_domain};
use mailtriage::finding::Check;
use std::time::{Duration, Instant};

// ------------------------------------------------------------ void lookups behind CNAMEs

/// The good zone whose SPF record includes `n` names, each a CNAME chain (two hops for the
/// odd ones, one for the even) to a name that does not exist.
fn includes_behind_chains(n: usize) -> String {
    let includes: String = (1..=n)
        .map(|i| format!(" include:i{i}.good.example"))
        .collect();
    let chains: String = (1..=n)
        .map(|i| {
            if i % 2 == 1 {
                format!("i{i} IN CNAME c{i}.good.example.\nc{i} IN CNAME gone{i}.good.example.\n")
            } else {
                format!("i{i} IN CNAME gone{i}.good.example.\n")
            }
        })
        .collect();
    variant(
        &[(
            "@ IN TXT",
            &format!("@ IN TXT \"v=spf1 ip4:192.0.2.0/24{includes} -all\""),
        )],
        &chains,
    )
}

#[tokio::test]
async fn includes_behind_cname_chains_to_nxdomain_are_one_void_lookup_each() {
    // RFC 7208 section 4.6.4: a void lookup is a DNS query answered NXDOMAIN or with no
    // records; following a CNAME is part of that one query (RFC 1034 section 3.6.2), so an
    // include whose chain ends in NXDOMAIN is one DNS lookup and one void lookup, however
    // many hops. Three such includes pass the limit of two; two do not. Each include names a
    // record that is not there (RFC 7208 section 5.2: permerror).
    let three = run(&includes_behind_chains(3), &only(&[Check::Spf])).await;
    let spf = three.spf.as_ref().unwrap();
    assert_eq!(spf.void_lookups, 3, "{:#?}", summary(&three));
    assert_eq!(spf.lookups, 3, "{:#?}", summary(&three));
    has(&three, "spf-too-many-void-lookups");
    has(&three, "spf-include-without-spf");
    assert!(three.findings.iter().all(|f| !f.inconclusive));
    let two = run(&includes_behind_chains(2), &only(&[Check::Spf])).await;
    let spf = two.spf.as_ref().unwrap();
    assert_eq!(
        (spf.lookups, spf.void_lookups),
        (2, 2),
        "{:#?}",
        summary(&two)
    );
    lacks(&two, "spf-too-many-void-lookups");
}

// ------------------------------------------------------------ a root MX beside real ones

#[tokio::test]
async fn a_root_mx_at_65535_beside_real_exchanges_leaves_them_checked() {
    // RFC 7505 section 3: a null MX is the only MX of its domain. `MX 65535 .` beside real
    // exchanges is that mistake, and it is reported; but senders that do not read it as a
    // null MX deliver to the real exchanges first (RFC 5321 section 5.1), so those are
    // checked as any exchange is: one that does not resolve is said, one that does is shown
    // with its addresses.
    let dead = variant(
        &[(
            "@ IN MX",
            "@ IN MX 10 gone-mx.good.example.\n@ IN MX 65535 .",
        )],
        "",
    );
    let r = run(&dead, &only(&[Check::Mx])).await;
    has(&r, "mx-null-with-other-records");
    let f = has(&r, "mx-target-unresolvable");
    assert_eq!(f.subject, "gone-mx.good.example", "{:#?}", summary(&r));
    let live = variant(
        &[("@ IN MX", "@ IN MX 10 mx.good.example.\n@ IN MX 65535 .")],
        "",
    );
    let r = run(&live, &only(&[Check::Mx])).await;
    has(&r, "mx-null-with-other-records");
    lacks(&r, "mx-target-unresolvable");
    let hosts = &r.mx.as_ref().unwrap().hosts;
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert_eq!(hosts[0].host, "mx.good.example");
    assert_eq!(
        hosts[0].addresses,
        ["192.0.2.25".parse::<std::net::IpAddr>().unwrap()]
    );
}

// ------------------------------------------------------------ a DKIM key in 255-octet strings

/// `s1._domainkey.split.example`: a 4096-bit key whose record is cut after the tag name `p`
/// and then every 255 octets, each string after the first opening with a space or a tab (so
/// one sits between `p` and its `=`); `s2` the same with a string of whitespace alone between
/// two parts of the key.
fn split_key(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) != RecordType::TXT || !asked_text(q).contains("._domainkey.split.example.") {
        return honest_reply(q);
    }
    let rest = format!("={}", rsa_key_b64(512));
    let mut strings = vec!["v=DKIM1; k=rsa; p".to_string()];
    let mut pad = [" ", "\t"].into_iter().cycle();
    for chunk in rest.as_bytes().chunks(254) {
        let chunk = std::str::from_utf8(chunk).unwrap();
        strings.push(format!("{}{chunk}", pad.next().unwrap()));
    }
    assert!(strings.iter().all(|s| s.len() <= 255) && strings[1].len() == 255);
    if asked_text(q).starts_with("s2.") {
        strings.insert(2, " \t ".to_string());
    }
    let record = Record::from_rdata(asked(q), 300, RData::TXT(TXT::new(strings)));
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn a_dkim_key_over_255_octet_strings_with_whitespace_between_is_read_whole() {
    // RFC 6376 section 3.6.2.2: the strings of a TXT key record are concatenated without
    // anything between them before the tags are read; section 3.6.1: `p=` is base64 in which
    // folding white space may appear anywhere (section 2.4's base64string). So a key cut at
    // 255 octets, even inside the tag name, with spaces or tabs opening the next string, is
    // the one 4096-bit key it was before the cut.
    let dns = dns_at(raw_server(split_key, split_key).await).await;
    let p = CheckParams {
        dkim_selectors: vec!["s1".into(), "s2".into()],
        ..bare("split.example", &[Check::Dkim])
    };
    let r = check_domain(&dns, &p).await;
    lacks(&r, "dkim-syntax-error");
    let dkim = r.dkim.as_ref().unwrap();
    for s in ["s1", "s2"] {
        let sel = dkim.selectors.iter().find(|x| x.selector == s).unwrap();
        assert_eq!(sel.bits, Some(4096), "{s}: {sel:?} {:#?}", summary(&r));
        assert_eq!(sel.key_type.as_deref(), Some("rsa"), "{s}: {sel:?}");
    }
}

// ------------------------------------------------------------ TTLs that differ in one RRset

/// `ttl.example` MX: two exchanges, TTLs 3600 and 120; each has an address.
fn uneven_ttls(q: &Message) -> Option<Vec<u8>> {
    use hickory_proto::rr::rdata::MX;
    let owner = asked(q);
    let text = asked_text(q);
    match qtype(q) {
        RecordType::MX if text == "ttl.example." => {
            let mx = |pref, host: &str, ttl| {
                let host = crate::dns_hostile6::name(host);
                Record::from_rdata(owner.clone(), ttl, RData::MX(MX::new(pref, host)))
            };
            reply(
                q,
                ResponseCode::NoError,
                vec![
                    mx(10, "a.ttl.example.", 3600),
                    mx(20, "b.ttl.example.", 120),
                ],
                vec![],
            )
        }
        RecordType::TXT if text == "ttl.example." => {
            let mut long = txt(owner.clone(), "v=spf1 -all");
            long.ttl = 86400;
            let mut short = txt(owner, "google-site-verification=abc");
            short.ttl = 60;
            reply(q, ResponseCode::NoError, vec![long, short], vec![])
        }
        _ => honest_reply(q),
    }
}

#[tokio::test]
async fn an_rrset_whose_ttls_differ_is_cached_for_the_shortest() {
    // RFC 2181 section 5.2: the records of one RRset share one TTL; when a server sends
    // different ones, the client treats the RRset as having the lowest. The TTL the report
    // shows (how long caches may keep the old answer) is that one, never the longest.
    let dns = dns_at(raw_server(uneven_ttls, uneven_ttls).await).await;
    let r = check_domain(&dns, &bare("ttl.example", &[Check::Mx, Check::Spf])).await;
    assert_eq!(r.mx.as_ref().unwrap().ttl, Some(120), "{:#?}", summary(&r));
    assert_eq!(r.spf.as_ref().unwrap().ttl, Some(60), "{:#?}", summary(&r));
    assert_eq!(r.mx.as_ref().unwrap().hosts.len(), 2);
}

// ------------------------------------------------------------ a redirect to a NOTIMP

/// `redir.example` redirects to `_spf.other.example`, whose TXT questions get NOTIMP.
fn redirect_to_notimp(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    match qtype(q) {
        RecordType::TXT if text == "redir.example." => reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=spf1 redirect=_spf.other.example")],
            vec![],
        ),
        RecordType::TXT if text == "_spf.other.example." => {
            reply(q, ResponseCode::NotImp, vec![], vec![])
        }
        _ => honest_reply(q),
    }
}

#[tokio::test]
async fn a_redirect_whose_target_the_server_will_not_serve_is_a_temperror_not_a_permerror() {
    // RFC 7208 section 6.1: a redirect= target without an SPF record is a permerror, but
    // section 4.4 and 5.2: a DNS error on the way is a temperror. A NOTIMP for the target's
    // TXT question is such an error: check_host() ends in temperror, the check is
    // inconclusive and names the target, and no "record missing" is reported for it.
    let dns = dns_at(raw_server(redirect_to_notimp, redirect_to_notimp).await).await;
    let mut p = bare("redir.example", &[Check::Spf]);
    p.ip = Some("192.0.2.10".parse().unwrap());
    p.mail_from = Some("bounce@redir.example".into());
    let r = check_domain(&dns, &p).await;
    let spf = r.spf.as_ref().unwrap();
    let result = spf.result.as_ref().map(|e| e.result.clone());
    assert_eq!(result.as_deref(), Some("temperror"), "{:#?}", summary(&r));
    let trouble = r
        .findings
        .iter()
        .find(|f| f.inconclusive && f.message.contains("_spf.other.example"))
        .unwrap_or_else(|| panic!("{:#?}", summary(&r)));
    assert!(trouble.message.contains("NOTIMP"), "{}", trouble.message);
    lacks(&r, "spf-include-without-spf");
    lacks(&r, "spf-redirect-without-spf");
}

// ------------------------------------------------------------ slow servers on the command line

/// `_dmarc.slow.example` TXT answered after six seconds; everything else at once.
fn dmarc_after_six_seconds(q: &Message) -> Vec<(u64, Vec<u8>)> {
    let pause = if asked_text(q) == "_dmarc.slow.example." {
        6000
    } else {
        0
    };
    honest_reply(q)
        .map(|b| vec![(pause, b)])
        .unwrap_or_default()
}

#[test]
fn a_server_that_answers_after_six_seconds_ends_the_run_in_time_naming_the_question() {
    // RFC 1035 section 4.2.1 and RFC 1536 section 1: a stub retransmits after its timeout and
    // gives up after its retries. With --timeout 1 --retries 1, a question answered after six
    // seconds costs about two seconds (two attempts and the pause between), the run does not
    // wait for the late answer, says which question timed out, and exits 3: DMARC could not
    // be read, SPF was.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt
        .block_on(timed_server(dmarc_after_six_seconds))
        .to_string();
    let args = |format: &'static str| {
        vec![
            "check".to_string(),
            "slow.example".into(),
            "--only".into(),
            "spf,dmarc".into(),
            "--nameserver".into(),
            ns.clone(),
            "--timeout".into(),
            "1".into(),
            "--retries".into(),
            "1".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let started = Instant::now();
    let out = cli(
        &args("json").iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    );
    let took = started.elapsed();
    assert!(took < Duration::from_millis(5500), "{took:?}");
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    let v = json(&out);
    let findings = v["domains"][0]["findings"]
        .as_array()
        .or_else(|| v["findings"].as_array())
        .unwrap_or_else(|| panic!("{v:#}"));
    let failed = findings
        .iter()
        .find(|f| f["id"] == "dmarc-lookup-failed")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(failed["inconclusive"], true);
    let said = failed["message"].as_str().unwrap();
    assert!(
        said.contains("_dmarc.slow.example") && said.contains("timeout"),
        "{said}"
    );
    assert!(
        !findings.iter().any(|f| f["id"] == "dmarc-missing"),
        "{findings:#?}"
    );
    assert!(
        !findings.iter().any(|f| f["id"] == "spf-lookup-failed"),
        "{findings:#?}"
    );
    let human = cli(
        &args("human").iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    );
    let text = stdout(&human);
    assert!(
        text.contains("_dmarc.slow.example") && text.contains("timeout"),
        "{text}"
    );
    drop(rt);
}

/// Every question about `slowN.example` answered after three seconds; `fastN.example` and
/// the rest at once.
fn slow_domains(q: &Message) -> Vec<(u64, Vec<u8>)> {
    let text = asked_text(q);
    let pause = if text.starts_with("slow") || text.contains(".slow") {
        3000
    } else {
        0
    };
    honest_reply(q)
        .map(|b| vec![(pause, b)])
        .unwrap_or_default()
}

#[test]
fn many_slow_domains_in_a_domains_file_are_each_named_and_the_run_stays_bounded() {
    // Twelve domains whose server answers every question after three seconds, two that
    // answer at once. With --timeout 1 --retries 0 each slow question costs one second, the
    // domains are checked side by side, and the run ends in a few seconds, not 12 x 3. Each
    // slow domain's line names its own question that timed out; the fast ones are complete,
    // and the run is not "every domain inconclusive" (exit 0, not 3).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns = rt.block_on(timed_server(slow_domains)).to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("domains.txt");
    let mut list: Vec<String> = (1..=12).map(|i| format!("slow{i}.example")).collect();
    list.insert(6, "fast1.example".into());
    list.push("fast2.example".into());
    std::fs::write(&file, list.join("\n")).unwrap();
    let started = Instant::now();
    let out = cli(
        &[
            "check",
            "--domains-file",
            file.to_str().unwrap(),
            "--only",
            "spf,mx",
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
    let took = started.elapsed();
    assert!(took < Duration::from_secs(12), "{took:?}");
    let text = stdout(&out);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 14, "{text}");
    for l in &lines {
        let domain = l["domain"].as_str().unwrap();
        let findings = l["findings"].as_array().unwrap();
        let failed: Vec<&str> = findings
            .iter()
            .filter(|f| f["inconclusive"] == true)
            .filter_map(|f| f["message"].as_str())
            .collect();
        if domain.starts_with("slow") {
            assert!(
                failed
                    .iter()
                    .any(|m| m.contains(domain) && m.contains("timeout")),
                "{domain}: {findings:#?}"
            );
            assert!(!l.to_string().contains("spf-missing"), "{l}");
        } else {
            assert!(failed.is_empty(), "{domain}: {failed:?}");
        }
    }
    // docs/exit-codes.md: in bulk mode 3 means every domain inconclusive; two completed.
    assert_eq!(code(&out), 0, "{text}");
    drop(rt);
}

// ------------------------------------------------------------ sinkhole addresses

/// A filtering resolver's null answers: `sink.example`'s MX host gets 0.0.0.0 and `::`,
/// `lo.example`'s 127.0.0.1, `mixed.example`'s 192.0.2.25 and 127.0.0.1.
fn sinkhole(q: &Message) -> Option<Vec<u8>> {
    use hickory_proto::rr::rdata::{AAAA, MX};
    let owner = asked(q);
    let text = asked_text(q);
    let zone = text.trim_start_matches("mx.");
    match qtype(q) {
        RecordType::MX if !text.starts_with("mx.") => {
            let host = crate::dns_hostile6::name(&format!("mx.{text}"));
            let mx = Record::from_rdata(owner, 300, RData::MX(MX::new(10, host)));
            reply(q, ResponseCode::NoError, vec![mx], vec![])
        }
        RecordType::A => {
            let ips: &[[u8; 4]] = match zone {
                "sink.example." => &[[0, 0, 0, 0]],
                "lo.example." => &[[127, 0, 0, 1]],
                _ => &[[192, 0, 2, 25], [127, 0, 0, 1]],
            };
            let answers = ips
                .iter()
                .map(|ip| crate::dns_hostile6::a(owner.clone(), *ip))
                .collect();
            reply(q, ResponseCode::NoError, answers, vec![])
        }
        RecordType::AAAA if zone == "sink.example." => {
            let any = RData::AAAA(AAAA(std::net::Ipv6Addr::UNSPECIFIED));
            let record = Record::from_rdata(owner, 300, any);
            reply(q, ResponseCode::NoError, vec![record], vec![])
        }
        _ => crate::dns_hostile6::nodata(q),
    }
}

#[tokio::test]
async fn an_mx_host_at_a_loopback_or_unspecified_address_is_no_exchange() {
    // RFC 1122 section 3.2.1.3 and RFC 6890 section 2.2.2: 0.0.0.0/8 is never a destination
    // and 127.0.0.0/8 is the host itself (`::` and `::1` the same, RFC 4291 sections 2.5.2
    // and 2.5.3). An MX host that resolves to them only cannot receive mail from anyone
    // else: an error, not a host that "resolves". Filtering resolvers answer blocked names
    // exactly so, which the finding says; beside a real address it is a warning.
    use mailtriage::finding::Severity;
    let dns = dns_at(raw_server(sinkhole, sinkhole).await).await;
    for (domain, shown) in [("sink.example", "0.0.0.0"), ("lo.example", "127.0.0.1")] {
        let r = check_domain(&dns, &bare(domain, &[Check::Mx])).await;
        let f = has(&r, "mx-target-local-address");
        assert_eq!(f.severity, Severity::Error, "{}", f.message);
        assert!(f.message.contains(shown), "{}", f.message);
        assert!(f.message.contains("another resolver"), "{}", f.message);
        lacks(&r, "mx-target-unresolvable");
        let host = &r.mx.as_ref().unwrap().hosts[0];
        assert!(host.problem.is_some(), "{host:?}");
    }
    let r = check_domain(&dns, &bare("sink.example", &[Check::Mx])).await;
    assert!(has(&r, "mx-target-local-address").message.contains("::"));
    let r = check_domain(&dns, &bare("mixed.example", &[Check::Mx])).await;
    let f = has(&r, "mx-target-local-address");
    assert_eq!(f.severity, Severity::Warning, "{}", f.message);
    assert!(f.message.contains("127.0.0.1") && !f.message.contains("192.0.2.25"));
}

// ------------------------------------------------------------ the same on the command line

#[test]
fn the_command_line_exits_3_on_misplaced_records_and_0_when_the_next_server_answers() {
    // What the user runs: `check` against a server that puts the records in the authority
    // section is inconclusive (exit 3) and says where the record was, in the human report;
    // the same domain with a server that refuses TXT first and an honest one second exits 0
    // with nothing inconclusive (RFC 1034 section 5.3.3: the next server answers).
    use crate::dns_hostile7::{answer_in_authority, picky};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let broken = rt.block_on(raw_server(answer_in_authority, answer_in_authority));
    let refusing = rt.block_on(raw_server(picky, picky));
    let honest = rt.block_on(raw_server(honest_reply, honest_reply));
    let check = |servers: &[std::net::SocketAddr], format: &str| {
        let mut args: Vec<String> = ["check", "auth.example", "--only", "spf,dmarc"]
            .map(String::from)
            .to_vec();
        for s in servers {
            args.extend(["--nameserver".to_string(), s.to_string()]);
        }
        args.extend(["--timeout", "2", "--retries", "0", "--format", format].map(String::from));
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
    };
    let out = check(&[broken], "human");
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("authority section"), "{text}");
    assert!(!text.contains("no SPF record"), "{text}");
    let out = check(&[refusing, honest], "json");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let v = json(&out);
    let findings = v["domains"][0]["findings"]
        .as_array()
        .or_else(|| v["findings"].as_array())
        .unwrap_or_else(|| panic!("{v:#}"));
    assert!(
        findings.iter().all(|f| f["inconclusive"] != true),
        "{findings:#?}"
    );
    drop(rt);
}
