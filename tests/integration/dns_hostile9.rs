//! Hostile servers, round 9: absences a resolver served stale or without reaching the zone's
//! servers (RFC 8914 Extended DNS Errors 18-23 on NXDOMAIN and NODATA), through SPF, DKIM,
//! DMARC, blocklists and the command line; blocklists that refuse or answer wrongly at their
//! RFC 5782 test points while listing the item; an upward referral to the root; and records
//! owned by a wildcard's own name (the rest of the round, on SPF evaluation order and servers
//! that fall silent, is in `dns_hostile9b`). Each test says first what a careful resolver or
//! receiver does, then checks it.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, summary};
use crate::cli_support::{code, json, run as cli};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile6::{
    a, asked, asked_text, bare, dns_at, name, nodata, qtype, reply, soa, txt,
};
use crate::dns_hostile8::key;
use hickory_proto::op::{Edns, Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::NS;
use hickory_proto::rr::rdata::opt::EdnsOption;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use mailtriage::checks::{CheckParams, DomainReport, check_domain};
use mailtriage::dns::{Outcome, RType};
use mailtriage::finding::Check;
use serde_json::Value;

/// A response to `q` with `code`, `answers`, `authorities` and one Extended DNS Error per
/// entry of `edes` (INFO-CODE, EXTRA-TEXT) in its OPT record (RFC 8914 section 2), sent by a
/// recursive resolver (RA=1, AA=0).
pub(crate) fn with_edes(
    q: &Message,
    code: ResponseCode,
    answers: Vec<Record>,
    authorities: Vec<Record>,
    edes: &[(u16, &str)],
) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.recursion_available = true;
    r.metadata.response_code = code;
    r.add_queries(q.queries.clone());
    for x in answers {
        r.add_answer(x);
    }
    for x in authorities {
        r.add_authority(x);
    }
    let mut e = Edns::new();
    e.set_max_payload(1232);
    for (info, text) in edes {
        let mut data = info.to_be_bytes().to_vec();
        data.extend_from_slice(text.as_bytes());
        e.options_mut().insert(EdnsOption::Unknown(15, data));
    }
    r.set_edns(e);
    r.to_vec().ok()
}

/// The domain's SPF check and DMARC check say "could not look up", never "missing".
fn inconclusive_never_missing(r: &DomainReport) {
    for (failed, missing) in [
        ("spf-lookup-failed", "spf-missing"),
        ("dmarc-lookup-failed", "dmarc-missing"),
    ] {
        lacks(r, missing);
        assert!(has(r, failed).inconclusive, "{:#?}", summary(r));
    }
    lacks(r, "domain-nonexistent");
}

// ------------------------------------------------------------ stale and unreached absences

/// A resolver that serves expired negative answers when it cannot reach the zone's servers
/// (RFC 8767): NXDOMAIN for every TXT question with EDE 19 "Stale NXDOMAIN Answer" and EDE 22
/// "No Reachable Authority", the root's SOA as the only evidence. Everything else: NODATA.
fn stale_nxdomain(q: &Message) -> Option<Vec<u8>> {
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    with_edes(
        q,
        ResponseCode::NXDomain,
        vec![],
        vec![soa("example.")],
        &[(19, "served stale"), (22, "")],
    )
}

#[tokio::test]
async fn a_stale_nxdomain_is_the_resolvers_memory_not_the_domains_absence() {
    // RFC 8914 section 4.20: EDE 19 marks an NXDOMAIN the resolver "was unable to resolve ...
    // within its time limits" and answered from an expired cache entry (RFC 8767). It says
    // what the zone held once, not what it holds: the user who just published SPF and DMARC
    // would be told to publish them again. A careful checker reports the question as not
    // answered (inconclusive), naming the code, never "missing", never "the domain does not
    // exist".
    let dns = dns_at(raw_server(stale_nxdomain, stale_nxdomain).await).await;
    let answer = dns.query("stale.example", RType::TXT).await;
    assert!(
        answer.outcome.is_trouble() && !answer.outcome.is_absent(),
        "{:?}",
        answer.outcome
    );
    let why = answer.outcome.detail().unwrap_or_default();
    assert!(why.contains("Stale NXDOMAIN Answer"), "{why}");
    assert!(why.contains("No Reachable Authority"), "{why}");
    let r = check_domain(&dns, &bare("stale.example", &[Check::Spf, Check::Dmarc])).await;
    inconclusive_never_missing(&r);
}

/// NODATA (NOERROR, no answer, an SOA) for TXT under `<code>.unreached.example` with the EDE
/// of that INFO-CODE; an honest NODATA under `honest.example`; and under `served.example` the
/// record itself, marked stale (EDE 3) because no authority was reachable (EDE 22).
fn unreached(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    if text.ends_with("served.example.") {
        let record = if text.starts_with("_dmarc.") {
            txt(asked(q), "v=DMARC1; p=reject")
        } else {
            txt(asked(q), "v=spf1 -all")
        };
        return with_edes(
            q,
            ResponseCode::NoError,
            vec![record],
            vec![],
            &[(3, ""), (22, "")],
        );
    }
    let code = text
        .trim_end_matches(".unreached.example.")
        .rsplit('.')
        .next()
        .and_then(|l| l.parse::<u16>().ok());
    match code {
        Some(code) => with_edes(
            q,
            ResponseCode::NoError,
            vec![],
            vec![soa("unreached.example.")],
            &[(code, "upstream unreachable")],
        ),
        None => nodata(q),
    }
}

#[tokio::test]
async fn an_absence_from_a_resolver_that_reached_no_authority_is_trouble() {
    // RFC 8914: EDE 20 "Not Authoritative", 22 "No Reachable Authority", 23 "Network Error"
    // and 24 "Invalid Data" say the server did not get (or could not read) its answer from
    // the zone's servers; 13 "Cached Error" and 14 "Not Ready" that it answered from a failure
    // or before it could resolve; 18 "Prohibited" and 21 "Not Supported" that it would not
    // resolve this question. A NODATA under any of them is the resolver's, not the zone's:
    // trouble, never "no record". An honest NODATA stays
    // absence, and records served stale (EDE 3 with 22) are still the zone's data (RFC 8767),
    // as round 5 holds for EDE 3 alone.
    let dns = dns_at(raw_server(unreached, unreached).await).await;
    for (code, words) in [
        (13, "Cached Error"),
        (14, "Not Ready"),
        (18, "Prohibited"),
        (20, "Not Authoritative"),
        (21, "Not Supported"),
        (22, "No Reachable Authority"),
        (23, "Network Error"),
        (24, "Invalid Data"),
    ] {
        let domain = format!("{code}.unreached.example");
        let answer = dns.query(&domain, RType::TXT).await;
        assert!(
            answer.outcome.is_trouble() && !answer.outcome.is_absent(),
            "EDE {code}: {:?}",
            answer.outcome
        );
        let why = answer.outcome.detail().unwrap_or_default();
        assert!(why.contains(words), "EDE {code}: {why}");
        let r = check_domain(&dns, &bare(&domain, &[Check::Spf, Check::Dmarc])).await;
        inconclusive_never_missing(&r);
    }
    let honest = dns.query("honest.example", RType::TXT).await;
    assert_eq!(honest.outcome, Outcome::NoData);
    let served = dns.query("served.example", RType::TXT).await;
    assert_eq!(served.outcome, Outcome::Answer, "{:?}", served.outcome);
    let r = check_domain(&dns, &bare("served.example", &[Check::Spf, Check::Dmarc])).await;
    lacks(&r, "spf-lookup-failed");
    lacks(&r, "dmarc-lookup-failed");
    lacks(&r, "spf-missing");
}

/// Stale NXDOMAIN (EDE 19) for the DMARC policy of `x.example` and for DKIM selector `s2` of
/// `x.example`; selector `s1` holds a key; `_dmarc.mail.x.example` honestly does not exist.
fn stale_for_dkim_and_walk(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    match text.as_str() {
        "s1._domainkey.x.example." => reply(q, ResponseCode::NoError, vec![key(asked(q))], vec![]),
        "s2._domainkey.x.example." | "_dmarc.x.example." => with_edes(
            q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa("x.example.")],
            &[(19, "")],
        ),
        "x.example." | "mail.x.example." => reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=spf1 -all")],
            vec![],
        ),
        _ => reply(q, ResponseCode::NXDomain, vec![], vec![soa("example.")]),
    }
}

#[tokio::test]
async fn a_stale_nxdomain_for_a_selector_or_a_parents_policy_leaves_them_unknown() {
    // The same class at the DKIM selector the signature names and at the tree walk's parent
    // (RFC 9989 section 4.10): a stale NXDOMAIN is no proof the key was removed, nor that the
    // organizational domain publishes no policy. The key is inconclusive (not "missing") and
    // the policy of mail.x.example, which inherits from x.example, is unknown, not absent; the
    // selector that answered is read as usual.
    let dns = dns_at(raw_server(stale_for_dkim_and_walk, stale_for_dkim_and_walk).await).await;
    let p = CheckParams {
        dkim_selectors: vec!["s1".into(), "s2".into()],
        dkim_domain: Some("x.example".into()),
        ..bare("x.example", &[Check::Dkim])
    };
    let r = check_domain(&dns, &p).await;
    lacks(&r, "dkim-selector-missing");
    let failed = has(&r, "dkim-lookup-failed");
    assert!(
        failed.inconclusive && failed.subject.starts_with("s2."),
        "{failed:?}"
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.id == "dkim-key-found" && f.subject.starts_with("s1.")),
        "{:#?}",
        summary(&r)
    );
    let r = check_domain(&dns, &bare("mail.x.example", &[Check::Dmarc])).await;
    lacks(&r, "dmarc-missing");
    assert!(
        has(&r, "dmarc-lookup-failed").inconclusive,
        "{:#?}",
        summary(&r)
    );
}

/// The reverse name of 192.0.2.24 and the address of `mx.rev.example` (the MX host of
/// `rev.example`) answered NXDOMAIN with EDE 19 and 22; `rev.example`'s MX answered.
fn stale_reverse_and_host(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    match (qtype(q), text.as_str()) {
        (RecordType::MX, "rev.example.") => reply(
            q,
            ResponseCode::NoError,
            vec![Record::from_rdata(
                asked(q),
                300,
                RData::MX(hickory_proto::rr::rdata::MX::new(
                    10,
                    name("mx.rev.example."),
                )),
            )],
            vec![],
        ),
        (_, "24.2.0.192.in-addr.arpa." | "mx.rev.example.") => with_edes(
            q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa(".")],
            &[(19, ""), (22, "")],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn a_stale_absence_of_a_reverse_name_or_an_mx_host_is_not_a_missing_one() {
    // The same class in the PTR and MX checks: a stale NXDOMAIN for the sending IP's reverse
    // name is no proof that it has no PTR (receivers that reached the zone may see one), and
    // one for an MX host is no proof that the host does not exist. Both checks are
    // inconclusive; neither says "no PTR" nor "the MX host does not exist".
    let dns = dns_at(raw_server(stale_reverse_and_host, stale_reverse_and_host).await).await;
    let p = CheckParams {
        ip: Some("192.0.2.24".parse().unwrap()),
        ..bare("rev.example", &[Check::Ptr, Check::Mx])
    };
    let r = check_domain(&dns, &p).await;
    lacks(&r, "ptr-missing");
    lacks(&r, "mx-target-unresolvable");
    assert!(
        has(&r, "ptr-lookup-failed").inconclusive,
        "{:#?}",
        summary(&r)
    );
    assert!(
        has(&r, "mx-lookup-failed").inconclusive,
        "{:#?}",
        summary(&r)
    );
}

/// Answers whose resolver marks them with a DNSSEC Extended DNS Error: under `bogus.example`
/// `v=spf1 +all` with EDE 6 (DNSSEC Bogus), and for its `_dmarc` name NXDOMAIN with EDE 12
/// (NSEC Missing); under `insecure.example` the record with EDE 1 (Unsupported DNSKEY
/// Algorithm).
fn dnssec_marked(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    match text.as_str() {
        "bogus.example." => with_edes(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=spf1 +all")],
            vec![],
            &[(6, "signature mismatch")],
        ),
        "_dmarc.bogus.example." => with_edes(
            q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa("bogus.example.")],
            &[(12, "")],
        ),
        "insecure.example." => with_edes(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=spf1 -all")],
            vec![],
            &[(1, "")],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn an_answer_its_own_resolver_calls_bogus_is_not_believed() {
    // RFC 4035 section 5.5: data whose signatures do not validate is bogus, and a validating
    // resolver answers SERVFAIL. One that sends the data anyway with EDE 6 (DNSSEC Bogus) or
    // a negative answer with EDE 12 (NSEC Missing, RFC 8914 section 4.13) is handing over what
    // may be forged: neither `+all` nor "no DMARC record" is believed; both are trouble that
    // names the code. An unsupported algorithm (EDE 1) makes the zone insecure, not bogus
    // (RFC 4035 section 5.2): that record is read.
    let dns = dns_at(raw_server(dnssec_marked, dnssec_marked).await).await;
    let answer = dns.query("bogus.example", RType::TXT).await;
    assert!(
        answer.outcome.is_trouble() && answer.records.is_empty(),
        "{:?}",
        answer.outcome
    );
    let why = answer.outcome.detail().unwrap_or_default();
    assert!(
        why.contains("DNSSEC Bogus") && why.contains("signature mismatch"),
        "{why}"
    );
    let nx = dns.query("_dmarc.bogus.example", RType::TXT).await;
    assert!(
        nx.outcome.is_trouble() && !nx.outcome.is_absent(),
        "{:?}",
        nx.outcome
    );
    assert!(
        nx.outcome
            .detail()
            .unwrap_or_default()
            .contains("NSEC Missing")
    );
    let r = check_domain(&dns, &bare("bogus.example", &[Check::Spf, Check::Dmarc])).await;
    lacks(&r, "spf-plus-all");
    inconclusive_never_missing(&r);
    let ok = dns.query("insecure.example", RType::TXT).await;
    assert_eq!(ok.outcome, Outcome::Answer, "{:?}", ok.outcome);
}

#[test]
fn the_cli_exits_3_not_1_when_the_resolver_serves_stale_absence() {
    // The command line says the same: exit 3 (inconclusive), not 1 (errors found), and the
    // JSON holds no finding that calls a record missing.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = rt.block_on(raw_server(stale_nxdomain, stale_nxdomain));
    let ns = addr.to_string();
    let out = cli(
        &[
            "check",
            "stale.example",
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
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    let findings = v["domains"][0]["findings"].as_array().unwrap();
    for f in findings {
        let id = f["id"].as_str().unwrap_or_default();
        assert!(
            !id.ends_with("-missing") && id != "domain-nonexistent",
            "{f}"
        );
    }
    let text = v.to_string();
    assert!(text.contains("Stale NXDOMAIN Answer"), "{text}");
    drop(rt);
}

// ------------------------------------------------------------ blocklists

/// The blocklist facts of `r`.
fn lists(r: &DomainReport) -> Vec<Value> {
    r.more
        .get(&Check::Blocklist)
        .and_then(|v| v["lists"].as_array().cloned())
        .unwrap_or_default()
}

fn state_on(r: &DomainReport, list: &str, item: &str) -> String {
    lists(r)
        .iter()
        .find(|l| l["list"] == list && l["item"] == item)
        .and_then(|l| l["state"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("{list} / {item}: {:#?}", lists(r)))
}

fn ip_params(ip: &str) -> CheckParams {
    CheckParams {
        ip: Some(ip.parse().unwrap()),
        ..bare("clean.example", &[Check::Blocklist])
    }
}

/// Every list answers NXDOMAIN with EDE 19 for 192.0.2.25 (a stale "not listed") and the
/// usual NXDOMAIN for everything else.
fn stale_list(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if text.starts_with("25.2.0.192.") && qtype(q) == RecordType::A {
        return with_edes(
            q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa(".")],
            &[(19, ""), (22, "")],
        );
    }
    reply(q, ResponseCode::NXDomain, vec![], vec![soa(".")])
}

#[tokio::test]
async fn a_blocklists_stale_nxdomain_is_not_a_clean_result() {
    // RFC 5782 section 2.1: NXDOMAIN is "not listed". A resolver's stale NXDOMAIN (EDE 19,
    // with 22: no list server reachable) is what the list said before, and a listing since
    // then would be hidden: the lists are "could not check", the check inconclusive, and
    // no list is named among those the address is not on.
    let dns = dns_at(raw_server(stale_list, stale_list).await).await;
    let r = check_domain(&dns, &ip_params("192.0.2.25")).await;
    assert_eq!(
        state_on(&r, "spamhaus-zen", "192.0.2.25"),
        "could-not-check"
    );
    assert_eq!(state_on(&r, "spamcop", "192.0.2.25"), "could-not-check");
    let f = has(&r, "blocklist-not-checked");
    assert!(
        f.inconclusive && f.message.contains("Stale NXDOMAIN"),
        "{f:?}"
    );
    assert!(
        !r.findings
            .iter()
            .any(|f| f.id == "blocklist-not-listed" && f.subject == "192.0.2.25"),
        "{:#?}",
        summary(&r)
    );
    // The same lists answering an honest NXDOMAIN for another address: not listed.
    let r = check_domain(&dns, &ip_params("192.0.2.26")).await;
    assert_eq!(state_on(&r, "spamhaus-zen", "192.0.2.26"), "not-listed");
}

/// Spamhaus ZEN lists 192.0.2.25 (127.0.0.2) and answers its RFC 5782 test point 127.0.0.1
/// with 127.255.255.254 (this resolver's questions refused); SpamCop lists 192.0.2.25 and its
/// test point answers a public address (a resolver's wildcard for that one name). SURBL lists
/// good.example (127.0.0.64) and answers its test name `invalid` with 127.0.0.1, its own
/// refusal code. Everything else: NXDOMAIN.
fn refusing_test_points(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    let owner = asked(q);
    if qtype(q) != RecordType::A {
        return reply(q, ResponseCode::NXDomain, vec![], vec![soa(".")]);
    }
    let answer = match text.as_str() {
        "25.2.0.192.zen.spamhaus.org." | "25.2.0.192.bl.spamcop.net." => [127, 0, 0, 2],
        "1.0.0.127.zen.spamhaus.org." => [127, 255, 255, 254],
        "1.0.0.127.bl.spamcop.net." => [198, 51, 100, 80],
        "good.example.multi.surbl.org." => [127, 0, 0, 64],
        "invalid.multi.surbl.org." => [127, 0, 0, 1],
        _ => return reply(q, ResponseCode::NXDomain, vec![], vec![soa(".")]),
    };
    reply(q, ResponseCode::NoError, vec![a(owner, answer)], vec![])
}

#[tokio::test]
async fn a_refusal_at_the_lists_test_point_leaves_the_listing_standing() {
    // RFC 5782 section 5: a list may not list 127.0.0.1, so a list that lists it lists
    // everything, and its answer for the item is no listing (round 6). But a test question
    // the list refuses (Spamhaus 127.255.255.254: a public resolver, or over the free volume
    // by the time the second question came) or that a resolver answers outside 127.0.0.0/8
    // says nothing about the list: it is a failed test, and "a failed or negative test
    // question leaves the listing alone". The listing stands, named with its meaning.
    let dns = dns_at(raw_server(refusing_test_points, refusing_test_points).await).await;
    let r = check_domain(&dns, &ip_params("192.0.2.25")).await;
    assert_eq!(
        state_on(&r, "spamhaus-zen", "192.0.2.25"),
        "listed",
        "{:#?}",
        summary(&r)
    );
    let listed = has(&r, "blocklist-listed");
    assert!(listed.message.contains("Spamhaus ZEN"), "{listed:?}");
    assert_eq!(
        state_on(&r, "spamcop", "192.0.2.25"),
        "listed",
        "{:#?}",
        summary(&r)
    );
    lacks(&r, "blocklist-bad-answer");
}

#[tokio::test]
async fn a_domain_lists_refusal_of_its_test_name_leaves_the_listing_standing() {
    // SURBL answers 127.0.0.1 when it refuses a resolver (rules/blocklists.toml). Asked about
    // the name `invalid` (RFC 5782 section 5) after it listed good.example as ABUSE (bit 64),
    // that refusal is not "it lists every name": good.example stays listed on SURBL.
    let dns = dns_at(raw_server(refusing_test_points, refusing_test_points).await).await;
    let p = CheckParams {
        from: Some("news@good.example".into()),
        ..bare("good.example", &[Check::Blocklist])
    };
    let r = check_domain(&dns, &p).await;
    assert_eq!(
        state_on(&r, "surbl-multi", "good.example"),
        "listed",
        "{:#?}",
        summary(&r)
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.id == "blocklist-listed" && f.message.contains("SURBL")),
        "{:#?}",
        summary(&r)
    );
    lacks(&r, "blocklist-bad-answer");
}

// ------------------------------------------------------------ an upward referral

/// NOERROR, no answer, no SOA, and the root's NS records in the authority section: the
/// "upward referral" of an authoritative server asked about a zone it does not serve.
fn upward_referral(q: &Message) -> Option<Vec<u8>> {
    let root = Name::root();
    let ns = |host: &str| Record::from_rdata(root.clone(), 518400, RData::NS(NS(name(host))));
    reply(
        q,
        ResponseCode::NoError,
        vec![],
        vec![ns("a.root-servers.net."), ns("b.root-servers.net.")],
    )
}

#[tokio::test]
async fn an_upward_referral_to_the_root_is_named_as_such() {
    // RFC 1034 section 4.3.1, RFC 2308 section 2.2: NS records without an SOA make a
    // referral, not a NODATA; NS records for the root are an upward referral (a server
    // pointing back to the top of the tree for a zone it does not serve, a lame delegation).
    // The trouble says so and names the root as ".", not as an empty name.
    let dns = dns_at(raw_server(upward_referral, upward_referral).await).await;
    let answer = dns.query("lame.example", RType::TXT).await;
    let why = answer.outcome.detail().unwrap_or_default().to_string();
    assert!(answer.outcome.is_trouble(), "{:?}", answer.outcome);
    assert!(
        why.contains("NS records for . ") || why.contains("root (.)"),
        "{why}"
    );
    assert!(why.contains("upward referral"), "{why}");
    assert!(!why.contains("for  "), "{why}");
    let r = check_domain(&dns, &bare("lame.example", &[Check::Spf, Check::Dmarc])).await;
    inconclusive_never_missing(&r);
}

// ------------------------------------------------------------ a wildcard's own records

/// A server that returns the wildcard's own records unexpanded: every TXT question under
/// `wild.example` answered with records owned by `*.wild.example` (a DMARC policy, a DKIM key).
fn unexpanded_wildcard(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT || !text.ends_with("wild.example.") {
        return nodata(q);
    }
    let star = name("*.wild.example.");
    let record = if text.starts_with("_dmarc.") {
        txt(star, "v=DMARC1; p=none")
    } else if text.contains("._domainkey.") {
        key(star)
    } else {
        txt(star, "v=spf1 +all")
    };
    reply(q, ResponseCode::NoError, vec![record], vec![])
}

#[tokio::test]
async fn records_owned_by_a_wildcards_own_name_answer_no_name() {
    // RFC 4592 section 4.1: a wildcard's data is synthesised with the name asked as its owner;
    // a record whose owner is `*.wild.example` itself answers only the question for that name.
    // Sent for `_dmarc.mail.wild.example` or a DKIM selector, it is an answer to another
    // question: broken, neither the policy nor the key, and no proof of absence either.
    let dns = dns_at(raw_server(unexpanded_wildcard, unexpanded_wildcard).await).await;
    for n in [
        "_dmarc.mail.wild.example",
        "s1._domainkey.mail.wild.example",
        "mail.wild.example",
    ] {
        let answer = dns.query(n, RType::TXT).await;
        assert!(
            answer.outcome.is_trouble() && answer.records.is_empty(),
            "{n}: {:?}",
            answer.outcome
        );
    }
    let p = CheckParams {
        dkim_selectors: vec!["s1".into()],
        dkim_domain: Some("mail.wild.example".into()),
        ..bare(
            "mail.wild.example",
            &[Check::Spf, Check::Dmarc, Check::Dkim],
        )
    };
    let r = check_domain(&dns, &p).await;
    lacks(&r, "spf-plus-all");
    lacks(&r, "dkim-key-found");
    lacks(&r, "dmarc-policy-none");
    inconclusive_never_missing(&r);
    assert!(has(&r, "dkim-lookup-failed").inconclusive);
}
