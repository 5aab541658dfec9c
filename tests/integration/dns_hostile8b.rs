//! Hostile servers, round 8, second part: a DNAME over a domain's whole `_domainkey` subtree,
//! a response with two questions, an upstream's trouble seen through the `--zone` overlay,
//! an answer sent from another port, a `_dmarc` CNAME loop under a parent that publishes a
//! policy, a DKIM selector behind nine CNAMEs, a TTL-0 TXT answer that turns into NXDOMAIN
//! when asked again, a CNAME chain sent backwards, thousands of aliases beside the answer, an
//! NXDOMAIN carrying the name's own SOA, and a record for another name slipped beside the
//! answer. The helpers are the first part's (`dns_hostile8`) and round 6's.
#![allow(clippy::unwrap_used)]

use crate::checks_support::{has, lacks, summary};
use crate::dns_hostile_wire::raw_server;
use crate::dns_hostile6::{
    asked, asked_text, bare, dns_at, name, nodata, patient, qtype, reply, soa, txt,
};
use crate::dns_hostile8::key;
use hickory_proto::op::{Message, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{CNAME, NULL};
use hickory_proto::rr::{RData, Record, RecordType};
use mailtriage::checks::{CheckParams, check_domain};
use mailtriage::dns::{Dns, DnsConfig, Outcome, RType};
use mailtriage::finding::Check;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn wire(n: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for l in n.trim_end_matches('.').split('.') {
        out.push(u8::try_from(l.len()).unwrap());
        out.extend_from_slice(l.as_bytes());
    }
    out.push(0);
    out
}

fn dname(owner: &str, target: &str) -> Record {
    Record::from_rdata(
        name(owner),
        300,
        RData::Unknown {
            code: RecordType::DNAME,
            rdata: NULL::with(wire(target)),
        },
    )
}

fn cname(owner: &str, target: &str) -> Record {
    Record::from_rdata(name(owner), 300, RData::CNAME(CNAME(name(target))))
}

// ------------------------------------------------------------ DNAME over _domainkey

/// `_domainkey.dn.example DNAME _domainkey.keys.example`, sent without the CNAME it
/// synthesises; `s1._domainkey.keys.example` holds a key, no other selector exists there.
fn dname_keys(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    if text.ends_with("._domainkey.dn.example.") {
        return reply(
            q,
            ResponseCode::NoError,
            vec![dname("_domainkey.dn.example.", "_domainkey.keys.example.")],
            vec![],
        );
    }
    match text.as_str() {
        "s1._domainkey.keys.example." => {
            reply(q, ResponseCode::NoError, vec![key(asked(q))], vec![])
        }
        t if t.ends_with("._domainkey.keys.example.") => reply(
            q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa("keys.example.")],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn a_dname_over_the_domainkey_subtree_delivers_each_selector_and_no_wildcard() {
    // RFC 6672 section 2.3: a DNAME redirects every name below its owner, not the owner
    // itself. With `_domainkey.dn.example DNAME _domainkey.keys.example` a receiver asking
    // `s1._domainkey.dn.example` reads `s1._domainkey.keys.example`'s key, and a selector that
    // does not exist there does not exist here: the key is found, the owner's NODATA keeps
    // discovery going (RFC 8020 cuts only at NXDOMAIN), and the redirected wildcard probe's
    // NXDOMAIN says no wildcard answers for every selector.
    let dns = dns_at(raw_server(dname_keys, dname_keys).await).await;
    let r = check_domain(&dns, &bare("dn.example", &[Check::Dkim])).await;
    lacks(&r, "dkim-no-key-found");
    lacks(&r, "dkim-wildcard-key");
    lacks(&r, "dkim-lookup-failed");
    let dkim = r.dkim.as_ref().unwrap();
    assert_eq!(dkim.discovery.domainkey, "exists");
    let found: Vec<&str> = dkim.selectors.iter().map(|s| s.selector.as_str()).collect();
    assert_eq!(found, ["s1"], "{:#?}", summary(&r));
    assert_eq!(dkim.selectors[0].status, "valid");
}

// ------------------------------------------------------------ two questions

/// The right question, then a second one, and `v=spf1 +all` in the answer section.
fn two_questions(q: &Message) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.add_queries(q.queries.clone());
    r.add_query(Query::query(name("other.example."), RecordType::TXT));
    if qtype(q) == RecordType::TXT {
        r.add_answer(txt(asked(q), "v=spf1 +all"));
    }
    r.to_vec().ok()
}

#[tokio::test]
async fn a_response_with_two_questions_is_no_answer_to_the_one_asked() {
    // RFC 1035 section 4.1.2 allowed QDCOUNT over one in theory; RFC 9619 (updating it)
    // limits a QUERY message to one question, so a response with two answers a question we
    // did not send. Its records are not
    // believed (no `+all`), nor is it absence: trouble that says why.
    let dns = dns_at(raw_server(two_questions, two_questions).await).await;
    let answer = dns.query("twoq.example", RType::TXT).await;
    let Outcome::Error(why) = &answer.outcome else {
        panic!("{:?}", answer.outcome)
    };
    assert!(why.contains("2 questions"), "{why}");
    let r = check_domain(&dns, &bare("twoq.example", &[Check::Spf])).await;
    lacks(&r, "spf-plus-all");
    lacks(&r, "spf-missing");
    assert!(has(&r, "spf-lookup-failed").inconclusive);
}

// ------------------------------------------------------------ the overlay's upstream

/// NOERROR, AA=0, RA=0, nothing else: a lame server (for every question).
fn lame(q: &Message) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.add_queries(q.queries.clone());
    r.to_vec().ok()
}

#[tokio::test]
async fn an_upstreams_trouble_behind_the_zone_overlay_keeps_its_reason() {
    // With `--zone`, names outside the zone files are forwarded by the in-process overlay,
    // which then speaks to the checks as a recursive resolver does. A resolver that cannot
    // get an answer says SERVFAIL, and RFC 8914 gives it an Extended DNS Error to say why
    // (code 23, Network Error: an unrecoverable error talking to another server). The user
    // reads the upstream's own trouble (here a lame answer) either way, not a bare SERVFAIL.
    let upstream = raw_server(lame, lame).await;
    let dir = tempfile::tempdir().unwrap();
    let zone = dir.path().join("zoned.example.zone");
    std::fs::write(
        &zone,
        "$ORIGIN zoned.example.\n$TTL 300\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.53\n@ IN TXT \"v=spf1 -all\"\n",
    )
    .unwrap();
    let direct = dns_at(upstream).await;
    let overlay = Dns::new(DnsConfig {
        nameservers: vec![upstream],
        zones: vec![zone],
        ..patient()
    })
    .await
    .unwrap();
    let a = direct.query("lame.example", RType::TXT).await;
    assert!(
        matches!(&a.outcome, Outcome::Error(why) if why.contains("lame answer")),
        "{:?}",
        a.outcome
    );
    let a = overlay.query("lame.example", RType::TXT).await;
    let Outcome::ServFail(Some(why)) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("23 (Network Error)"), "{why}");
    assert!(why.contains("lame answer"), "{why}");
    let r = check_domain(&overlay, &bare("lame.example", &[Check::Spf])).await;
    lacks(&r, "spf-missing");
    let f = has(&r, "spf-lookup-failed");
    assert!(
        f.inconclusive && f.message.contains("lame answer"),
        "{}",
        f.message
    );
    // The zone's own names are answered by the overlay itself.
    let a = overlay.query("zoned.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer);
}

// ------------------------------------------------------------ another source port

/// Hears questions on one socket and answers each from another (a multi-homed server, or a
/// forger that cannot match the port).
async fn answers_from_another_port() -> std::net::SocketAddr {
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let other = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            if let Some(out) = reply(
                &q,
                ResponseCode::NoError,
                vec![txt(asked(&q), "v=spf1 +all")],
                vec![],
            ) {
                let _ = other.send_to(&out, from).await;
            }
        }
    });
    addr
}

#[tokio::test]
async fn an_answer_from_another_port_is_not_heard_and_the_question_times_out() {
    // RFC 5452 section 4.1: a resolver accepts a response only from the address and port the
    // question went to; anything else could come from anyone. The `+all` sent from another
    // port is never read; the question times out, which is what the user is told.
    let addr = answers_from_another_port().await;
    let dns = Dns::new(DnsConfig {
        nameservers: vec![addr],
        timeout: Duration::from_millis(400),
        retries: 0,
        ..DnsConfig::default()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let a = dns.query("port.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Timeout, "{:?}", a.outcome);
    assert!(started.elapsed() < Duration::from_secs(2));
    let r = check_domain(&dns, &bare("port.example", &[Check::Spf])).await;
    lacks(&r, "spf-plus-all");
    lacks(&r, "spf-missing");
    assert!(has(&r, "spf-lookup-failed").inconclusive);
}

// ------------------------------------------------------------ a _dmarc loop under a policy

/// `_dmarc.loop.example` and `back.loop.example` CNAME to each other; `_dmarc.example`
/// publishes `p=reject; sp=none`.
fn dmarc_loop(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    match text.as_str() {
        "_dmarc.loop.example." | "back.loop.example." => reply(
            q,
            ResponseCode::NoError,
            vec![
                cname("_dmarc.loop.example.", "back.loop.example."),
                cname("back.loop.example.", "_dmarc.loop.example."),
            ],
            vec![],
        ),
        "_dmarc.example." => reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=DMARC1; p=reject; sp=none")],
            vec![],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn a_dmarc_cname_loop_under_a_parent_policy_leaves_the_policy_inconclusive() {
    // RFC 9989 section 4.10.1: the author domain's own record decides; a parent's `sp`
    // applies only when the author domain has none. A CNAME loop at `_dmarc.loop.example` is
    // no answer (a resolver returns SERVFAIL), so whether loop.example has its own record is
    // unknown: the parent's record is shown as what applies only if it has none, the policy
    // is inconclusive, the loop is named, and nothing says the domain publishes no record.
    let dns = dns_at(raw_server(dmarc_loop, dmarc_loop).await).await;
    let r = check_domain(&dns, &bare("loop.example", &[Check::Dmarc])).await;
    lacks(&r, "dmarc-missing");
    let d = r.dmarc.as_ref().unwrap();
    assert!(d.status.is_inconclusive(), "{:#?}", summary(&r));
    let failed = has(&r, "dmarc-lookup-failed");
    assert!(
        failed.inconclusive && failed.message.contains("CNAME loop"),
        "{}",
        failed.message
    );
    assert!(
        failed.message.contains("_dmarc.loop.example"),
        "{}",
        failed.message
    );
    let inherited = has(&r, "dmarc-inherited");
    assert!(inherited.inconclusive, "{}", inherited.message);
    assert!(
        inherited.message.contains("could not be looked up"),
        "{}",
        inherited.message
    );
}

// ------------------------------------------------------------ a selector nine CNAMEs away

/// `deep._domainkey.chain.example` CNAMEs through `c1` .. `c9.chain.example`, which holds a
/// key; `near._domainkey.chain.example` reaches `c9` in one hop. One hop per answer.
fn nine_hops(q: &Message) -> Option<Vec<u8>> {
    let text = asked_text(q);
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    let next = match text.as_str() {
        "deep._domainkey.chain.example." => "c1.chain.example.".to_string(),
        "near._domainkey.chain.example." => "c9.chain.example.".to_string(),
        "c9.chain.example." => return reply(q, ResponseCode::NoError, vec![key(asked(q))], vec![]),
        t => match t
            .strip_prefix('c')
            .and_then(|r| r.strip_suffix(".chain.example."))
        {
            Some(n) => format!("c{}.chain.example.", n.parse::<u32>().ok()? + 1),
            None => {
                return reply(
                    q,
                    ResponseCode::NXDomain,
                    vec![],
                    vec![soa("chain.example.")],
                );
            }
        },
    };
    let c = Record::from_rdata(asked(q), 300, RData::CNAME(CNAME(name(&next))));
    reply(q, ResponseCode::NoError, vec![c], vec![])
}

#[tokio::test]
async fn a_selector_nine_cnames_from_its_key_is_inconclusive_not_missing() {
    // Resolvers bound CNAME chains (8 hops here, as BIND's and Unbound's limits are of that
    // order); past the bound the question fails as SERVFAIL would. For a DKIM selector that
    // is "could not look up", not "no key", and the selector one hop from the same key is
    // read as usual.
    let dns = dns_at(raw_server(nine_hops, nine_hops).await).await;
    let p = CheckParams {
        dkim_selectors: vec!["deep".into(), "near".into()],
        ..bare("chain.example", &[Check::Dkim])
    };
    let r = check_domain(&dns, &p).await;
    let failed = has(&r, "dkim-lookup-failed");
    assert!(failed.inconclusive);
    assert!(
        failed.message.contains("deep._domainkey.chain.example"),
        "{}",
        failed.message
    );
    assert!(
        failed.message.contains("CNAME chain longer than"),
        "{}",
        failed.message
    );
    assert!(
        r.findings
            .iter()
            .all(|f| f.id != "dkim-selector-missing" || !f.subject.contains("deep")),
        "{:#?}",
        summary(&r)
    );
    let dkim = r.dkim.as_ref().unwrap();
    assert!(
        dkim.selectors
            .iter()
            .any(|s| s.selector == "near" && s.status == "valid")
    );
    assert!(
        !dkim
            .selectors
            .iter()
            .any(|s| s.selector == "deep" && s.status == "valid")
    );
}

// ------------------------------------------------------------ TTL 0 that changes its mind

static FLIP_ASKED: AtomicUsize = AtomicUsize::new(0);

/// `flip.example` TXT: the SPF record with TTL 0 the first time, NXDOMAIN every later time.
/// Its MX question answers NODATA (the name exists).
fn flips(q: &Message) -> Option<Vec<u8>> {
    if asked_text(q) == "flip.example." && qtype(q) == RecordType::TXT {
        if FLIP_ASKED.fetch_add(1, Ordering::Relaxed) == 0 {
            let mut r = txt(asked(q), "v=spf1 ip4:192.0.2.10 -all");
            r.ttl = 0;
            return reply(q, ResponseCode::NoError, vec![r], vec![]);
        }
        return reply(q, ResponseCode::NXDomain, vec![], vec![soa("example.")]);
    }
    nodata(q)
}

#[tokio::test]
async fn a_ttl_0_record_that_turns_into_nxdomain_does_not_unmake_the_domain() {
    // RFC 1035 section 3.2.1: a TTL of 0 lets an answer serve only the transaction in
    // progress, so the next question is asked again, and a hostile server may then deny what
    // it just served. One report must not say both "its SPF record is ..." and "the domain
    // does not exist": the record the SPF check read proves the name exists, and the later
    // NXDOMAIN is named as the server contradicting itself.
    let dns = dns_at(raw_server(flips, flips).await).await;
    let r = check_domain(&dns, &bare("flip.example", &[Check::Spf, Check::Mx])).await;
    assert_eq!(
        r.spf.as_ref().unwrap().records_count,
        1,
        "{:#?}",
        summary(&r)
    );
    lacks(&r, "domain-nonexistent");
    lacks(&r, "spf-missing");
    has(&r, "dns-nxdomain-contradicted");
}

// ------------------------------------------------------------ a chain sent backwards

/// `rev.example` TXT: the answer section holds the record at the chain's end first, then the
/// CNAMEs from the last hop back to the name asked (`rev.example` -> `h1` -> `h2`).
fn backwards(q: &Message) -> Option<Vec<u8>> {
    if asked_text(q) != "rev.example." || qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    reply(
        q,
        ResponseCode::NoError,
        vec![
            txt(name("h2.rev.example."), "v=spf1 ip4:192.0.2.10 -all"),
            cname("h1.rev.example.", "h2.rev.example."),
            cname("rev.example.", "h1.rev.example."),
        ],
        vec![],
    )
}

#[tokio::test]
async fn a_cname_chain_sent_in_reverse_order_is_followed_from_the_name_asked() {
    // RFC 2181 section 5: an RRset has no order, and nothing orders the RRsets of a section;
    // RFC 1034 section 3.6.2 has the resolver follow the CNAME from the name asked. A server
    // that lists the chain backwards sends the same answer: the record is read, the chain is
    // the one from the name asked.
    let dns = dns_at(raw_server(backwards, backwards).await).await;
    let a = dns.query("rev.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::Answer, "{:?}", a.outcome);
    assert_eq!(a.cname_chain, ["h1.rev.example", "h2.rev.example"]);
    let r = check_domain(&dns, &bare("rev.example", &[Check::Spf])).await;
    lacks(&r, "spf-lookup-failed");
    assert_eq!(r.spf.as_ref().unwrap().records_count, 1);
}

// ------------------------------------------------------------ thousands of aliases

/// TC=1 over UDP; over TCP the TXT record of the name asked beside 1,200 CNAMEs (names under
/// `cn.`) or 1,200 DNAMEs (under `dn.`) owned by names the question does not lead to, or
/// (under `ch.`) a chain of 1,200 CNAMEs from the name asked.
fn alias_noise(q: &Message, tcp: bool) -> Option<Vec<u8>> {
    let mut r = Message::response(q.metadata.id, OpCode::Query);
    r.metadata.authoritative = true;
    r.add_queries(q.queries.clone());
    if !tcp {
        r.metadata.truncation = true;
        return r.to_vec().ok();
    }
    if qtype(q) != RecordType::TXT {
        return nodata(q);
    }
    let text = asked_text(q);
    if text.starts_with("ch.") {
        // One chain of 1,200 links from the name asked, its TXT record at the far end.
        let mut from = text.clone();
        for i in 0..1200 {
            let to = format!("l{i}.noise.example.");
            r.add_answer(cname(&from, &to));
            from = to;
        }
        r.add_answer(txt(name(&from), "v=spf1 ip4:192.0.2.10 -all"));
        return r.to_vec().ok();
    }
    let dnames = text.starts_with("dn.");
    for i in 0..1200 {
        let owner = format!("n{i}.noise.example.");
        let target = format!("t{i}.noise.example.");
        r.add_answer(if dnames {
            dname(&owner, &target)
        } else {
            cname(&owner, &target)
        });
    }
    r.add_answer(txt(asked(q), "v=spf1 ip4:192.0.2.10 -all"));
    r.to_vec().ok()
}

#[tokio::test]
async fn thousands_of_aliases_beside_the_answer_are_read_past_in_bounded_time() {
    // RFC 2181 section 5.4.1: data the question did not lead to is not the answer. An answer
    // of a few thousand CNAME or DNAME records owned by unrelated names, beside the record
    // asked for, fits in one TCP message; a careful resolver reads past them in time linear
    // in the answer, never once per record per record, and reads the record asked for; a
    // chain of as many links is cut at the resolver's bound just as fast.
    let dns = dns_at(raw_server(|q| alias_noise(q, false), |q| alias_noise(q, true)).await).await;
    for domain in ["cn.noise.example", "dn.noise.example"] {
        let started = Instant::now();
        let a = dns.query(domain, RType::TXT).await;
        let took = started.elapsed();
        assert_eq!(a.outcome, Outcome::Answer, "{domain}: {:?}", a.outcome);
        assert!(a.cname_chain.is_empty(), "{domain}: {:?}", a.cname_chain);
        assert!(took < Duration::from_millis(1500), "{domain}: {took:?}");
    }
    // A chain of 1,200 links is far longer than the resolver follows: trouble, said
    // as such, in the same bounded time.
    let started = Instant::now();
    let a = dns.query("ch.noise.example", RType::TXT).await;
    assert!(
        matches!(&a.outcome, Outcome::Error(why) if why.contains("CNAME chain longer than")),
        "{:?}",
        a.outcome
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

// ------------------------------------------------------------ NXDOMAIN with its own SOA

/// `_dmarc.apex.example` TXT: NXDOMAIN whose authority section holds the SOA owned by
/// `_dmarc.apex.example` itself; `_dmarc.example` publishes `p=none`.
fn nxdomain_own_soa(q: &Message) -> Option<Vec<u8>> {
    match (qtype(q), asked_text(q).as_str()) {
        (RecordType::TXT, "_dmarc.apex.example.") => reply(
            q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa("_dmarc.apex.example.")],
        ),
        (RecordType::TXT, "_dmarc.example.") => reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=DMARC1; p=none")],
            vec![],
        ),
        (RecordType::TXT, "_dmarc.other.example.") => {
            reply(q, ResponseCode::NXDomain, vec![], vec![soa("example.")])
        }
        _ => nodata(q),
    }
}

#[tokio::test]
async fn an_nxdomain_carrying_the_names_own_soa_is_a_contradiction_not_absence() {
    // RFC 2308 section 2.1: an NXDOMAIN's SOA is that of the zone the missing name would be
    // in, an ancestor. An SOA owned by the name itself says the name is a zone apex, which
    // exists (RFC 8020 section 2: NXDOMAIN denies every record at the name): the answer
    // contradicts itself. `_dmarc.apex.example` is then unknown, not absent, and the walk does
    // not read the parent's record as if apex.example had none of its own for sure.
    let dns = dns_at(raw_server(nxdomain_own_soa, nxdomain_own_soa).await).await;
    let a = dns.query("_dmarc.apex.example", RType::TXT).await;
    let Outcome::Error(why) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert!(why.contains("own SOA"), "{why}");
    let r = check_domain(&dns, &bare("apex.example", &[Check::Dmarc])).await;
    lacks(&r, "dmarc-missing");
    assert!(
        r.dmarc.as_ref().unwrap().status.is_inconclusive(),
        "{:#?}",
        summary(&r)
    );
    let failed = has(&r, "dmarc-lookup-failed");
    assert!(failed.message.contains("own SOA"), "{}", failed.message);
    // An NXDOMAIN with the parent zone's SOA is still plain absence.
    let a = dns.query("_dmarc.other.example", RType::TXT).await;
    assert_eq!(a.outcome, Outcome::NxDomain, "{:?}", a.outcome);
}

// ------------------------------------------------------------ records for other questions

/// `bait.example` TXT: its own SPF record, and beside it `_spf.shared.example TXT "v=spf1
/// +all"` (a record for a name the question did not lead to). Asked itself,
/// `_spf.shared.example` holds `v=spf1 -all`.
fn poison(q: &Message) -> Option<Vec<u8>> {
    match (qtype(q), asked_text(q).as_str()) {
        (RecordType::TXT, "bait.example.") => reply(
            q,
            ResponseCode::NoError,
            vec![
                txt(asked(q), "v=spf1 include:_spf.shared.example -all"),
                txt(name("_spf.shared.example."), "v=spf1 +all"),
            ],
            vec![],
        ),
        (RecordType::TXT, "_spf.shared.example.") => reply(
            q,
            ResponseCode::NoError,
            vec![txt(asked(q), "v=spf1 -all")],
            vec![],
        ),
        _ => nodata(q),
    }
}

#[tokio::test]
async fn a_record_for_another_name_beside_the_answer_never_answers_that_name() {
    // RFC 2181 section 5.4.1 and RFC 5452 section 6: a record the question did not lead to is
    // not an answer, and a resolver that cached it would let one server write answers for
    // names it does not serve (cache poisoning). The include is asked of the DNS itself and
    // its real record (`-all`) is read, never the `+all` slipped beside another answer.
    let dns = dns_at(raw_server(poison, poison).await).await;
    let r = check_domain(&dns, &bare("bait.example", &[Check::Spf])).await;
    lacks(&r, "spf-plus-all");
    lacks(&r, "spf-lookup-failed");
    let include = dns.query("_spf.shared.example", RType::TXT).await;
    assert_eq!(include.txt_strings(), ["v=spf1 -all"]);
    let tree = r.spf.as_ref().unwrap().tree.as_ref().unwrap();
    let shown = format!("{tree:?}");
    assert!(!shown.contains("+all"), "{shown}");
}
