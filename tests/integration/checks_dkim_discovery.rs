//! DKIM discovery: `_domainkey` first (RFC 8020), then the common list and the selectors the
//! domain's SPF tree and MX hosts suggest, the fallback list only when nothing holds a key;
//! each probe is reported with its reason.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use crate::common::{serve_with, zone_text, zones};
use mailtriage::checks::{CheckParams, DkimFacts, DomainReport, check_domain};
use mailtriage::dns::{DnsConfig, DnsServer, Fault, FaultKind, RType, ServerOptions};
use mailtriage::finding::{Check, Severity};
use mailtriage::rules::selectors::SelectorCatalogue;
use std::time::Duration;

fn dkim(selectors: &[&str]) -> CheckParams {
    CheckParams {
        only: vec![Check::Dkim],
        dkim_selectors: selectors.iter().map(|s| s.to_string()).collect(),
        dkim_domain: None,
        ..params()
    }
}

/// Checks good.example (zone `body`) beside the `extra` zones; returns the server to count
/// the questions it received.
async fn check(
    body: &str,
    extra: &[(&str, &str)],
    faults: Vec<Fault>,
    p: &CheckParams,
) -> (DomainReport, DnsServer) {
    let mut texts = vec![("good.example".to_string(), zone_text("good.example", body))];
    texts.extend(extra.iter().map(|(o, b)| (o.to_string(), zone_text(o, b))));
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    let (server, dns) = serve_with(
        ServerOptions {
            zones: zones(&refs),
            root_catch_all: true,
            faults,
            track_questions: true,
            ..ServerOptions::default()
        },
        DnsConfig {
            timeout: Duration::from_secs(5),
            ..DnsConfig::default()
        },
    )
    .await;
    (check_domain(&dns, p).await, server)
}

fn facts(r: &DomainReport) -> &DkimFacts {
    r.dkim.as_ref().unwrap()
}

fn key(owner: &str) -> String {
    format!("{owner} IN TXT ( \"v=DKIM1; k=rsa; p=\" {KEY_2048_TXT} )")
}

/// Selector names below good.example the server was asked about.
fn asked(server: &DnsServer, selectors: &[&str]) -> Vec<String> {
    selectors
        .iter()
        .filter(|s| server.times_asked(&format!("{s}._domainkey.good.example"), RType::TXT) > 0)
        .map(|s| s.to_string())
        .collect()
}

fn every_catalogue_selector() -> Vec<String> {
    let mut all: Vec<String> = SelectorCatalogue::builtin()
        .entries
        .iter()
        .flat_map(|e| e.selectors.clone())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// A domain with no DKIM keys at all, SPF and MX pointing at Google.
const NO_DKIM: &str = r#"
@    IN TXT "v=spf1 include:_spf.google.com -all"
@    IN MX  1 aspmx.l.google.com.
"#;

#[tokio::test]
async fn an_nxdomain_at_domainkey_stops_the_probes() {
    let (r, server) = check(NO_DKIM, &[], vec![], &dkim(&[])).await;
    let d = &facts(&r).discovery;
    assert_eq!(d.domainkey, "nxdomain");
    assert!(facts(&r).probed.is_empty() && d.probes.is_empty());
    let all = every_catalogue_selector();
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    assert!(
        asked(&server, &refs).is_empty(),
        "{:?}",
        asked(&server, &refs)
    );
    assert_eq!(server.times_asked("_domainkey.good.example", RType::TXT), 1);
    let f = has(&r, "dkim-no-key-found");
    assert!(
        f.message.contains("NXDOMAIN") && f.message.contains("RFC 8020"),
        "{}",
        f.message
    );
    assert!(!f.inconclusive);
    assert_eq!(
        f.queries.len(),
        1,
        "the `_domainkey` question is the evidence"
    );
    // A selector the user names is still asked, and is missing.
    let (r, server) = check(NO_DKIM, &[], vec![], &dkim(&["s2026"])).await;
    assert_eq!(asked(&server, &["s2026"]), ["s2026"]);
    assert_eq!(has(&r, "dkim-selector-missing").severity, Severity::Error);
    assert_eq!(facts(&r).discovery.probes[0].reason, "named");
    assert_eq!(facts(&r).probed, ["s2026"]);
}

/// A server that answers NXDOMAIN for `_domainkey` although keys exist below it (an empty
/// non-terminal), as some do against RFC 8020.
fn lying_domainkey() -> Vec<Fault> {
    vec![Fault {
        name: "_domainkey.good.example".into(),
        rtype: None,
        kind: FaultKind::NxDomain,
    }]
}

#[tokio::test]
async fn a_named_selector_below_an_nxdomain_domainkey_disproves_it() {
    let body = format!(
        "{NO_DKIM}\n{}\n{}",
        key("google._domainkey"),
        key("s1._domainkey")
    );
    let (r, server) = check(&body, &[], lying_domainkey(), &dkim(&["google"])).await;
    let d = &facts(&r).discovery;
    assert_eq!(d.domainkey, "nxdomain");
    assert!(d.nxdomain_contradicted);
    // Discovery went on and found the key the NXDOMAIN would have hidden.
    let found: Vec<&str> = facts(&r)
        .selectors
        .iter()
        .map(|s| s.selector.as_str())
        .collect();
    assert_eq!(found, ["google", "s1"]);
    assert_eq!(asked(&server, &["s1", "selector1"]), ["s1", "selector1"]);
    let f = has(&r, "dkim-domainkey-nxdomain");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subject, "_domainkey.good.example");
    assert!(
        f.message.contains("google._domainkey.good.example"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn without_a_named_selector_such_a_server_looks_like_a_domain_without_keys() {
    // What RFC 8020 allows: the NXDOMAIN is believed, and the finding says what was relied on
    // so the user can name the selector.
    let body = format!("{NO_DKIM}\n{}", key("s1._domainkey"));
    let (r, server) = check(&body, &[], lying_domainkey(), &dkim(&[])).await;
    assert_eq!(facts(&r).discovery.domainkey, "nxdomain");
    assert!(asked(&server, &["s1"]).is_empty());
    let f = has(&r, "dkim-no-key-found");
    assert!(f.message.contains("--dkim-selector"), "{}", f.message);
    lacks(&r, "dkim-domainkey-nxdomain");
}

/// good.example sends through Mailchimp (two includes deep) and receives at Google.
const ESP: &str = r#"
@     IN TXT "v=spf1 include:_spf.good.example -all"
_spf  IN TXT "v=spf1 include:servers.mcsv.net ~all"
@     IN MX  1 aspmx.l.google.com.
k2._domainkey IN CNAME dkim2.mcsv.net.
"#;

#[tokio::test]
async fn selectors_suggested_by_the_spf_tree_and_mx_are_probed_and_say_why() {
    let mcsv = format!(
        "servers IN TXT \"v=spf1 ip4:205.201.128.0/20 -all\"\n{}",
        key("dkim2")
    );
    let body = format!("{ESP}\n{}", key("google._domainkey"));
    let (r, server) = check(&body, &[("mcsv.net", &mcsv)], vec![], &dkim(&[])).await;
    let d = &facts(&r).discovery;
    assert_eq!(d.domainkey, "exists");
    let services: Vec<(&str, &str)> = d
        .services
        .iter()
        .map(|s| (s.rule.as_str(), s.seen.as_str()))
        .collect();
    assert_eq!(
        services,
        [
            ("dkim-google-workspace", "MX aspmx.l.google.com"),
            ("dkim-mailchimp", "SPF include:servers.mcsv.net"),
        ]
    );
    let probe = |sel: &str| d.probes.iter().find(|p| p.selector == sel).unwrap();
    // k2 and k3 are Mailchimp's: asked because the SPF tree shows it.
    assert_eq!(probe("k3").reason, "evidence");
    assert_eq!(probe("k3").rule.as_deref(), Some("dkim-mailchimp"));
    assert_eq!(probe("k3").result, "absent");
    assert_eq!(
        probe("k2").seen.as_deref(),
        Some("SPF include:servers.mcsv.net")
    );
    assert_eq!(probe("k2").result, "key");
    // `google` is also on the common list; the evidence is the more telling reason.
    assert_eq!(probe("google").reason, "evidence");
    assert_eq!(probe("google").service.as_deref(), Some("Google Workspace"));
    assert_eq!(probe("default").reason, "common");
    let found: Vec<&str> = facts(&r)
        .selectors
        .iter()
        .map(|s| s.selector.as_str())
        .collect();
    assert_eq!(found, ["google", "k2"]);
    assert_eq!(
        facts(&r).selectors[1].cname.as_deref(),
        Some("dkim2.mcsv.net")
    );
    // Keys were found, so the fallback list (other services' selectors) was not asked.
    assert!(!d.fallback);
    assert!(asked(&server, &["protonmail", "zoho", "fm1", "mandrill"]).is_empty());
    assert_eq!(asked(&server, &["k3"]), ["k3"]);
}

#[tokio::test]
async fn the_fallback_list_is_asked_only_when_nothing_else_holds_a_key() {
    // A Zoho key on a domain whose DNS does not show Zoho.
    let body = format!(
        "@ IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n{}",
        key("zoho._domainkey")
    );
    let (r, _server) = check(&body, &[], vec![], &dkim(&[])).await;
    let d = &facts(&r).discovery;
    assert!(d.fallback);
    let zoho = d.probes.iter().find(|p| p.selector == "zoho").unwrap();
    assert_eq!(
        (zoho.reason.as_str(), zoho.result.as_str()),
        ("fallback", "key")
    );
    assert_eq!(zoho.rule.as_deref(), Some("dkim-zoho"));
    assert_eq!(facts(&r).selectors[0].selector, "zoho");
    lacks(&r, "dkim-no-key-found");
    // Every selector of the catalogue was asked exactly once.
    assert_eq!(facts(&r).probed.len(), every_catalogue_selector().len());

    // No key anywhere below an existing `_domainkey`: the finding names what was probed.
    let body = "@ IN TXT \"v=spf1 include:sendgrid.net -all\"\n_domainkey IN TXT \"o=~\"";
    let (r, _server) = check(body, &[], vec![], &dkim(&[])).await;
    let f = has(&r, "dkim-no-key-found");
    assert!(
        f.message
            .contains("SPF include:sendgrid.net (SendGrid (Twilio))")
            && f.message.contains("the fallback list"),
        "{}",
        f.message
    );
    assert_eq!(f.queries.len(), facts(&r).probed.len() + 1);
}

#[tokio::test]
async fn a_failed_probe_skips_the_fallback_and_leaves_dkim_inconclusive() {
    let body = "@ IN TXT \"v=spf1 -all\"\n_domainkey IN TXT \"o=~\"";
    let faults = vec![Fault {
        name: "default._domainkey.good.example".into(),
        rtype: None,
        kind: FaultKind::ServFail,
    }];
    let (r, server) = check(body, &[], faults, &dkim(&[])).await;
    assert!(has(&r, "dkim-lookup-failed").inconclusive);
    lacks(&r, "dkim-no-key-found");
    assert!(!facts(&r).discovery.fallback);
    assert!(asked(&server, &["zoho"]).is_empty());
    let probe = facts(&r)
        .discovery
        .probes
        .iter()
        .find(|p| p.selector == "default")
        .unwrap();
    assert_eq!(probe.result, "trouble");
}

/// `check --rules DIR` and `diagnose --rules DIR` replace a built-in selector list by id, and
/// discovery follows it.
#[test]
fn a_rules_directory_changes_the_selectors_check_probes() {
    use crate::cli_support::{Served, run};
    let body = format!("@ IN TXT \"v=spf1 -all\"\n{}", key("mta2026._domainkey"));
    let served = Served::zones(&[("good.example", &zone_text("good.example", &body))]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ours.toml"),
        "[[dkim_selectors]]\nid = \"dkim-common-defaults\"\nname = \"Our signers\"\ntier = \"common\"\nselectors = [\"mta2026\"]\nsource = \"our mail platform's runbook\"\n",
    )
    .unwrap();
    let ns = served.nameserver();
    let args = [
        "check",
        "good.example",
        "--only",
        "dkim",
        "--format",
        "json",
    ];
    let out = run(&[&args[..], &["--nameserver", &ns]].concat(), None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["domains"][0]["dkim"]["selectors"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{v}"
    );
    let rules = dir.path().to_str().unwrap();
    let out = run(
        &[&args[..], &["--nameserver", &ns, "--rules", rules]].concat(),
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dkim = &v["domains"][0]["dkim"];
    assert_eq!(dkim["selectors"][0]["selector"], "mta2026", "{v}");
    assert_eq!(dkim["discovery"]["probes"][0]["reason"], "common");
    assert_eq!(
        dkim["discovery"]["probes"][0]["rule"],
        "dkim-common-defaults"
    );

    let diagnose = |extra: &[&str]| -> serde_json::Value {
        let base = [
            "diagnose",
            "550 5.7.26 This mail has been blocked because the sender is unauthenticated. - gsmtp",
            "--domain",
            "good.example",
            "--nameserver",
            &ns,
            "--format",
            "json",
        ];
        let out = run(&[&base[..], extra].concat(), None);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let found = |v: &serde_json::Value| {
        v["queries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["name"] == "mta2026._domainkey.good.example")
    };
    assert!(!found(&diagnose(&[])), "the built-in list has no mta2026");
    assert!(
        found(&diagnose(&["--rules", rules])),
        "diagnose probes the selectors of --rules DIR as check does"
    );
}

/// `*._domainkey` with the 2048-bit key: every selector anyone asks has "a key".
fn wildcard_zone(extra: &str) -> String {
    format!("{NO_DKIM}\n{}\n{extra}", key("*._domainkey"))
}

#[tokio::test]
async fn a_wildcard_key_is_not_reported_as_keys_at_the_guessed_selectors() {
    let (r, server) = check(&wildcard_zone(""), &[], vec![], &dkim(&[])).await;
    // Before: google, selector1, default ... each "had a key". A made-up selector gets the
    // same key, so none of them is evidence of what the domain signs with (RFC 4592).
    assert!(facts(&r).selectors.is_empty(), "{:#?}", facts(&r).selectors);
    let w = has(&r, "dkim-wildcard-key");
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.message
            .contains("mailtriage-wildcard-probe._domainkey.good.example")
    );
    assert!(w.message.contains("google"), "{}", w.message);
    lacks(&r, "dkim-no-key-found");
    assert_eq!(
        asked(&server, &["mailtriage-wildcard-probe"]),
        ["mailtriage-wildcard-probe"]
    );
    // A selector given by name (the signature's `s=`) is still read: its key is the key.
    let (r, _) = check(&wildcard_zone(""), &[], vec![], &dkim(&["s2026"])).await;
    let found: Vec<&str> = facts(&r)
        .selectors
        .iter()
        .map(|s| s.selector.as_str())
        .collect();
    assert_eq!(found, ["s2026"]);
    assert_eq!(facts(&r).selectors[0].bits, Some(2048));
}

#[tokio::test]
async fn a_selector_with_its_own_key_beside_a_wildcard_is_found() {
    // RFC 4592 section 2.1: a name's own records win over the wildcard.
    let own = format!("google._domainkey IN TXT \"v=DKIM1; k=rsa; p={KEY_1024}\"");
    let (r, _) = check(&wildcard_zone(&own), &[], vec![], &dkim(&[])).await;
    let found: Vec<&str> = facts(&r)
        .selectors
        .iter()
        .map(|s| s.selector.as_str())
        .collect();
    assert_eq!(found, ["google"]);
    assert_eq!(facts(&r).selectors[0].bits, Some(1024));
    let w = has(&r, "dkim-wildcard-key");
    assert!(!w.message.contains("(google"), "{}", w.message);
}

#[tokio::test]
async fn without_a_wildcard_no_extra_question_is_asked() {
    let body = format!("{NO_DKIM}\n{}", key("google._domainkey"));
    let (r, server) = check(&body, &[], vec![], &dkim(&[])).await;
    lacks(&r, "dkim-wildcard-key");
    let found: Vec<&str> = facts(&r)
        .selectors
        .iter()
        .map(|s| s.selector.as_str())
        .collect();
    assert_eq!(found, ["google"]);
    // The probe is asked once a guessed key is seen, and finds nothing there.
    assert_eq!(
        asked(&server, &["mailtriage-wildcard-probe"]),
        ["mailtriage-wildcard-probe"]
    );
}
