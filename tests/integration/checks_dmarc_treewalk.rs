//! RFC 9989 DMARC against the loopback DNS server: the examples of appendix B.4 and section
//! 4.10.2, the tree walk's limits (8 queries, the 7-label jump, several records at one name),
//! `np` for non-existent subdomains, inconclusive walks, and mail-auth 0.13.3's own tree walk
//! compared on the same zones. Each expected organizational domain is worked out from the RFC
//! text named in the test (section numbers of draft-ietf-dmarc-dmarcbis-41, published as RFC 9989).
#![allow(clippy::unwrap_used)]

use crate::checks_support::{fault, find, has, lacks, summary};
use crate::common::{quick, serve, serve_with, zone_text, zones};
use mail_auth::dkim::Signature;
use mail_auth::dmarc::Policy;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::{AuthenticatedMessage, DkimOutput, DmarcResult, SpfOutput, SpfResult};
use mailtriage::checks::{CheckParams, DmarcFacts, DomainReport, check_domain};
use mailtriage::dns::{Dns, FaultKind, RType, ServerOptions};
use mailtriage::finding::{Check, Severity};

/// Identities of one message: From domain, MAIL FROM domain, DKIM d=.
struct Msg<'a> {
    from: &'a str,
    mail_from: Option<&'a str>,
    dkim: Option<&'a str>,
}

fn params(m: &Msg<'_>) -> CheckParams {
    CheckParams {
        domain: m.from.into(),
        from: Some(format!("author@{}", m.from)),
        mail_from: m.mail_from.map(|d| format!("bounce@{d}")),
        dkim_domain: m.dkim.map(str::to_string),
        only: vec![Check::Dmarc],
        ..CheckParams::default()
    }
}

async fn served(origin: &str, body: &str) -> (mailtriage::dns::DnsServer, Dns) {
    let z = zone_text(origin, body);
    serve(&[(origin, z.as_str())]).await
}

fn dmarc(r: &DomainReport) -> &DmarcFacts {
    r.dmarc.as_ref().unwrap()
}

fn walked(r: &DomainReport) -> Vec<&str> {
    dmarc(r).tree_walk.iter().map(|s| s.name.as_str()).collect()
}

/// mail-auth 0.13.3's verdict for the same message: (policy, SPF aligned, DKIM aligned), SPF and
/// DKIM taken as passing.
async fn mail_auth(dns: &Dns, m: &Msg<'_>) -> (Policy, Option<bool>, Option<bool>) {
    let raw = format!("From: author@{}\r\nSubject: t\r\n\r\nbody\r\n", m.from);
    let msg = AuthenticatedMessage::parse(raw.as_bytes()).unwrap();
    let sig = Signature {
        d: m.dkim.unwrap_or_default().to_string(),
        ..Signature::default()
    };
    let dkim: Vec<DkimOutput<'_>> = m
        .dkim
        .map(|_| DkimOutput::pass().with_signature(&sig))
        .into_iter()
        .collect();
    let mf = m.mail_from.unwrap_or_default();
    let spf = SpfOutput::new(mf.to_string()).with_result(if m.mail_from.is_some() {
        SpfResult::Pass
    } else {
        SpfResult::None
    });
    let out = dns
        .authenticator()
        .verify_dmarc(DmarcParameters::new(&msg, &dkim, mf, &spf))
        .await;
    let aligned = |r: &DmarcResult| match r {
        DmarcResult::Pass => Some(true),
        DmarcResult::Fail(_) => Some(false),
        _ => None,
    };
    (
        out.policy(),
        aligned(out.spf_result()),
        aligned(out.dkim_result()),
    )
}

fn policy_of(p: Option<&str>) -> Policy {
    match p {
        Some("reject") => Policy::Reject,
        Some("quarantine") => Policy::Quarantine,
        Some("none") => Policy::None,
        _ => Policy::Unspecified,
    }
}

/// Runs the check and mail-auth, asserts they agree on policy and alignment, returns our report.
async fn agreed(dns: &Dns, m: &Msg<'_>) -> DomainReport {
    let r = check_domain(dns, &params(m)).await;
    let d = dmarc(&r);
    let al = d.alignment.as_ref();
    let ours = (
        policy_of(d.policy.as_deref()),
        al.and_then(|a| a.spf_aligned),
        al.and_then(|a| a.dkim_aligned),
    );
    assert_eq!(
        ours,
        mail_auth(dns, m).await,
        "mail-auth disagrees on {}",
        m.from
    );
    r
}

const B41: &str = r#"
_dmarc.example  IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.com"
_dmarc.signing.example  IN TXT "v=DMARC1; p=quarantine"
"#;

#[tokio::test]
async fn appendix_b41_simple_organizational_and_policy_example() {
    // B.4.1: _dmarc.example.com and _dmarc.signing.example.com have records, _dmarc.com none.
    // example.com is the last element with a record: its own organizational domain. For
    // signing.example.com both names have records; the fewest labels wins: example.com. SPF
    // (example.com) and DKIM (signing.example.com) both align; the policy domain is example.com.
    let (_s, dns) = served("com", B41).await;
    let m = Msg {
        from: "example.com",
        mail_from: Some("example.com"),
        dkim: Some("signing.example.com"),
    };
    let r = agreed(&dns, &m).await;
    let d = dmarc(&r);
    assert_eq!(d.organizational_domain, "example.com");
    assert_eq!(d.record_domain.as_deref(), Some("_dmarc.example.com"));
    assert!(!d.inherited);
    assert_eq!(d.standard, "RFC 9989");
    let al = d.alignment.as_ref().unwrap();
    assert_eq!((al.spf_aligned, al.dkim_aligned), (Some(true), Some(true)));
    assert_eq!(
        al.dkim_organizational_domain.as_deref(),
        Some("example.com")
    );
    assert_eq!(walked(&r), vec!["_dmarc.example.com", "_dmarc.com"]);
}

#[tokio::test]
async fn appendix_b42_deep_tree_walk_example() {
    // B.4.2: a 13-label Author Domain. The walk asks the name itself, jumps to
    // g.h.i.j.k.example.com (7 labels), then one label at a time: eight queries. Only
    // example.com has a record, so it is the organizational domain and the policy domain.
    let (_s, dns) = served("com", B41).await;
    let m = Msg {
        from: "a.b.c.d.e.f.g.h.i.j.k.example.com",
        mail_from: Some("example.com"),
        dkim: Some("signing.example.com"),
    };
    let r = agreed(&dns, &m).await;
    assert_eq!(
        walked(&r),
        vec![
            "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com",
            "_dmarc.g.h.i.j.k.example.com",
            "_dmarc.h.i.j.k.example.com",
            "_dmarc.i.j.k.example.com",
            "_dmarc.j.k.example.com",
            "_dmarc.k.example.com",
            "_dmarc.example.com",
            "_dmarc.com",
        ]
    );
    let d = dmarc(&r);
    assert_eq!(d.organizational_domain, "example.com");
    assert_eq!(d.record_domain.as_deref(), Some("_dmarc.example.com"));
    assert!(d.inherited);
    // The inherited record has no sp=: p applies to the (existing or not) subdomain.
    assert_eq!(
        (d.policy.as_deref(), d.policy_source.as_deref()),
        (Some("reject"), Some("p"))
    );
    let al = d.alignment.as_ref().unwrap();
    assert_eq!((al.spf_aligned, al.dkim_aligned), (Some(true), Some(true)));
}

const B43: &str = r#"
_dmarc.bank  IN TXT "v=DMARC1; p=reject; psd=y"
_dmarc.giant.bank  IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@giant.bank.example"
mail.giant.bank IN A 192.0.2.1
mail.mega.bank IN A 192.0.2.2
"#;

#[tokio::test]
async fn appendix_b43_example_with_a_psd_dmarc_policy_record() {
    // B.4.3: _dmarc.bank.example has psd=y, _dmarc.example nothing, _dmarc.giant.bank.example a
    // record without psd. Author giant.bank.example: the walk finds its record, then psd=y one
    // level up, and stops: the organizational domain is the name below the PSD,
    // giant.bank.example. MAIL FROM mail.giant.bank.example: same walk, same organizational
    // domain, aligned. DKIM mail.mega.bank.example: organizational domain mega.bank.example, not
    // aligned.
    let (_s, dns) = served("example", B43).await;
    let m = Msg {
        from: "giant.bank.example",
        mail_from: Some("mail.giant.bank.example"),
        dkim: Some("mail.mega.bank.example"),
    };
    let r = agreed(&dns, &m).await;
    let d = dmarc(&r);
    assert_eq!(d.organizational_domain, "giant.bank.example");
    assert_eq!(d.policy.as_deref(), Some("quarantine"));
    let al = d.alignment.as_ref().unwrap();
    assert_eq!((al.spf_aligned, al.dkim_aligned), (Some(true), Some(false)));
    assert_eq!(
        al.spf_organizational_domain.as_deref(),
        Some("giant.bank.example")
    );
    assert_eq!(
        al.dkim_organizational_domain.as_deref(),
        Some("mega.bank.example")
    );
    // The walk stopped at the PSD record: _dmarc.example was asked but not used.
    let last = d.tree_walk.last().unwrap();
    assert_eq!(
        (last.name.as_str(), last.after_stop),
        ("_dmarc.example", true)
    );
    // The Public Suffix List knows no `bank.example` suffix: for it all three names share
    // bank.example, so DKIM aligns there. Receivers of the two kinds credit different mechanisms.
    assert_eq!(al.rfc7489.dkim_aligned, Some(true));
    let msg = &has(&r, "dmarc-psl-disagreement").message;
    assert!(msg.contains("mail.mega.bank.example"), "{:#?}", summary(&r));
    // The advice works at both kinds of receiver: identifiers at or under the From domain.
    assert!(msg.contains("DKIM d= at or under"), "{msg}");
}

const SECTION_4_10_2: &str = r#"
_dmarc.mail.example  IN TXT "v=DMARC1; p=quarantine"
_dmarc.example  IN TXT "v=DMARC1; p=reject"
"#;

async fn org_of(body: &str, from: &str) -> DomainReport {
    let (_s, dns) = served("com", body).await;
    let m = Msg {
        from,
        mail_from: None,
        dkim: None,
    };
    agreed(&dns, &m).await
}

#[tokio::test]
async fn section_4_10_2_examples_of_organizational_domains() {
    // First example: records at mail.example.com and example.com, none at a.mail.example.com or
    // com: the fewest labels wins, example.com.
    let r = org_of(SECTION_4_10_2, "a.mail.example.com").await;
    assert_eq!(dmarc(&r).organizational_domain, "example.com");
    // Policy discovery prefers the organizational domain's record (section 4.10.1), not the
    // nearer mail.example.com.
    assert_eq!(
        dmarc(&r).record_domain.as_deref(),
        Some("_dmarc.example.com")
    );
    assert_eq!(dmarc(&r).policy.as_deref(), Some("reject"));
    // Second: psd=n at mail.example.com makes it the organizational domain and its record the
    // policy.
    let r = org_of(
        &SECTION_4_10_2.replace("p=quarantine", "p=quarantine; psd=n"),
        "a.mail.example.com",
    )
    .await;
    assert_eq!(dmarc(&r).organizational_domain, "mail.example.com");
    assert_eq!(dmarc(&r).policy.as_deref(), Some("quarantine"));
    // Last: only _dmarc.com, with psd=y: example.com, the name one label below it.
    let r = org_of(
        "_dmarc IN TXT \"v=DMARC1; p=reject; psd=y\"",
        "a.mail.example.com",
    )
    .await;
    assert_eq!(dmarc(&r).organizational_domain, "example.com");
    assert_eq!(dmarc(&r).record_domain.as_deref(), Some("_dmarc.com"));
}

#[tokio::test]
async fn several_records_at_one_name_are_discarded_and_the_walk_goes_on() {
    // Section 4.10 step 2: both records at _dmarc.mail.example.com are discarded; the walk
    // continues to example.com, whose sp= applies to the existing mail.example.com.
    let body = r#"
mail.example IN A 192.0.2.1
_dmarc.mail.example  IN TXT "v=DMARC1; p=none; rua=mailto:a@example.com"
_dmarc.mail.example  IN TXT "v=DMARC1; p=reject; rua=mailto:b@example.com"
_dmarc.example  IN TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com"
"#;
    let (_s, dns) = served("com", body).await;
    let m = Msg {
        from: "mail.example.com",
        mail_from: None,
        dkim: None,
    };
    let r = check_domain(&dns, &params(&m)).await;
    let d = dmarc(&r);
    assert_eq!(d.policy.as_deref(), Some("quarantine"));
    // mail-auth 0.13.3 departs from the RFC here: it keeps the first record that parses (p=none
    // or p=reject, as the server orders them) instead of discarding both.
    let (theirs, _, _) = mail_auth(&dns, &m).await;
    assert!(
        matches!(theirs, Policy::None | Policy::Reject),
        "{theirs:?}"
    );
    assert_eq!(d.policy_source.as_deref(), Some("sp"));
    assert!(d.inherited);
    assert_eq!(d.record_domain.as_deref(), Some("_dmarc.example.com"));
    assert_eq!(has(&r, "dmarc-multiple-records").severity, Severity::Error);
    // RFC 7489 receivers stop at the two records: no DMARC at all. The two kinds disagree.
    assert_eq!(d.rfc7489.policy, None);
    // The domain already publishes (two) records: the fix is leaving one, not publishing one.
    let msg = &has(&r, "dmarc-psl-disagreement").message;
    assert!(
        msg.contains("Leave exactly one valid record at _dmarc.mail.example.com"),
        "{msg}"
    );
    assert!(!msg.contains("Publish a record"), "{msg}");
    lacks(&r, "dmarc-missing");
}

#[tokio::test]
async fn np_applies_to_non_existent_subdomains_and_sp_to_existing_ones() {
    // Section 4.10.1 and 3.2.13: an inherited record gives `np` when the Author Domain does not
    // exist (NXDOMAIN), `sp` when it does.
    let body = r#"
www.example IN A 192.0.2.1
_dmarc.example IN TXT "v=DMARC1; p=quarantine; sp=none; np=reject; rua=mailto:d@example.com"
"#;
    let r = org_of(body, "nosuch.example.com").await;
    let d = dmarc(&r);
    assert_eq!(
        (d.policy.as_deref(), d.policy_source.as_deref()),
        (Some("reject"), Some("np"))
    );
    assert_eq!(d.domain_exists, Some(false));
    let r = org_of(body, "www.example.com").await;
    let d = dmarc(&r);
    assert_eq!(
        (d.policy.as_deref(), d.policy_source.as_deref()),
        (Some("none"), Some("sp"))
    );
    assert_eq!(d.domain_exists, Some(true));
    // Without np, a non-existent subdomain gets sp; existence is then not even asked.
    let r = org_of(&body.replace(" np=reject;", ""), "nosuch.example.com").await;
    let d = dmarc(&r);
    assert_eq!(d.policy_source.as_deref(), Some("sp"));
    assert_eq!(d.domain_exists, None);
}

#[tokio::test]
async fn a_from_domain_of_127_labels_costs_eight_queries_at_most() {
    // 125 one-letter labels under b.e: 253 characters, 127 labels. `_dmarc.` + the name is over
    // 253 characters, so no query can carry it; the walk goes on from the 7-label suffix.
    let from = format!("{}b.e", "x.".repeat(125));
    assert_eq!((from.len(), from.split('.').count()), (253, 127));
    let (_s, dns) = served(
        "e",
        "_dmarc.b IN TXT \"v=DMARC1; p=reject; rua=mailto:d@b.e\"",
    )
    .await;
    let started = std::time::Instant::now();
    let r = check_domain(
        &dns,
        &params(&Msg {
            from: &from,
            mail_from: None,
            dkim: None,
        }),
    )
    .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let d = dmarc(&r);
    assert_eq!(d.tree_walk.len(), 8);
    assert_eq!(d.tree_walk[0].outcome, "not asked");
    assert_eq!(d.tree_walk[1].name, "_dmarc.x.x.x.x.x.b.e");
    assert_eq!(d.policy.as_deref(), Some("reject"));
    assert_eq!(d.organizational_domain, "b.e");
    assert!(!d.status.is_inconclusive(), "{:#?}", summary(&r));
}

#[tokio::test]
async fn a_walk_where_every_level_fails_is_inconclusive_never_no_policy() {
    for kind in [FaultKind::ServFail, FaultKind::Timeout] {
        let names = [
            "_dmarc.news.example.com",
            "_dmarc.example.com",
            "_dmarc.com",
        ];
        let z = zone_text("com", B41);
        let opts = ServerOptions {
            zones: zones(&[("com", z.as_str())]),
            root_catch_all: true,
            faults: names
                .iter()
                .map(|n| fault(n, Some(RType::TXT), kind))
                .collect(),
            ..ServerOptions::default()
        };
        let (_s, dns) = serve_with(opts, quick()).await;
        let r = check_domain(
            &dns,
            &params(&Msg {
                from: "news.example.com",
                mail_from: Some("example.com"),
                dkim: None,
            }),
        )
        .await;
        let d = dmarc(&r);
        assert!(d.status.is_inconclusive(), "{kind:?}");
        assert_eq!(d.policy, None);
        lacks(&r, "dmarc-missing");
        lacks(&r, "dmarc-policy-none");
        let failed: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.id == "dmarc-lookup-failed" && f.inconclusive)
            .collect();
        assert!(failed.len() >= 3, "{kind:?}: {:#?}", summary(&r));
        assert!(r.all_inconclusive(), "{kind:?}: the run must not pass");
    }
}

#[tokio::test]
async fn an_ancestor_that_fails_leaves_the_own_policy_but_not_the_organizational_domain() {
    // The own record gives p; the organizational domain (for relaxed alignment) depends on the
    // failing ancestor, so alignment of another name under it is inconclusive, not "not aligned".
    let body = "_dmarc.news.example IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.com\"";
    let z = zone_text("com", body);
    let opts = ServerOptions {
        zones: zones(&[("com", z.as_str())]),
        root_catch_all: true,
        faults: vec![fault(
            "_dmarc.example.com",
            Some(RType::TXT),
            FaultKind::ServFail,
        )],
        ..ServerOptions::default()
    };
    let (_s, dns) = serve_with(opts, quick()).await;
    let r = check_domain(
        &dns,
        &params(&Msg {
            from: "news.example.com",
            mail_from: Some("bounce.example.com"),
            dkim: None,
        }),
    )
    .await;
    let d = dmarc(&r);
    assert_eq!(d.policy.as_deref(), Some("reject"));
    assert!(d.status.is_inconclusive());
    lacks(&r, "dmarc-spf-not-aligned");
    assert!(find(&r, "dmarc-lookup-failed").is_some_and(|f| f.inconclusive));
}
