//! diagnose of blocklist replies: the listing on the list the reply names is the likely cause,
//! the plan's step names it with its meaning and removal page, the escalation carries it.
#![allow(clippy::unwrap_used)]

use crate::checks_blocklist::serve_lists;
use crate::cli_support::{Served, code, json, run, stderr};
use serde_json::Value;

const SPAMHAUS: &str = "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.25";
const BARRACUDA: &str = "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using b.barracudacentral.org; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.25";

fn diagnose(s: &Served, reply: &str, args: &[&str]) -> (i32, Value) {
    let ns = s.nameserver();
    let mut all = vec![
        "diagnose",
        reply,
        "--domain",
        "good.example",
        "--nameserver",
        &ns,
        "--timeout",
        "0.5",
        "--retries",
        "0",
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    (code(&o), json(&o))
}

fn causes(d: &Value) -> Vec<String> {
    d["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reason"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_spamhaus_reply_with_the_ip_listed_blames_the_spamhaus_listing() {
    let s = serve_lists(vec![]);
    let (rc, d) = diagnose(&s, SPAMHAUS, &["--ip", "192.0.2.25"]);
    assert_eq!(rc, 1);
    assert_eq!(
        d["replies"][0]["rule"]["id"], "generic-spamhaus-listed",
        "{}",
        d["replies"][0]
    );
    // Barracuda lists the IP too, but the reply names Spamhaus: that listing is the cause.
    let c = causes(&d);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(
        c[0].contains("Spamhaus ZEN") && c[0].contains("192.0.2.25"),
        "{}",
        c[0]
    );
    assert_eq!(d["likely_causes"][0]["finding_id"], "blocklist-listed");
    let step = d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "blocklist-delist")
        .unwrap_or_else(|| panic!("no blocklist step: {}", d["plan"]));
    let details = step["details"].to_string();
    for part in [
        "Spamhaus ZEN",
        "192.0.2.25",
        "127.0.0.2",
        "SBL",
        "https://check.spamhaus.org/",
    ] {
        assert!(details.contains(part), "{part} missing from {details}");
    }
    assert!(
        step["verify"]
            .as_str()
            .unwrap()
            .contains("--only blocklist"),
        "{}",
        step["verify"]
    );
    assert!(step["verify"].as_str().unwrap().contains("--ip 192.0.2.25"));
    let e = &d["escalation"];
    assert_eq!(e["provider"], "spamhaus");
    let gather = e["gather"].to_string();
    assert!(
        gather.contains("25.2.0.192.zen.spamhaus.org") && gather.contains("SBL123"),
        "{gather}"
    );
    assert!(!gather.contains("barracuda"), "{gather}");
}

#[test]
fn a_reply_naming_barracuda_blames_the_barracuda_listing() {
    let s = serve_lists(vec![]);
    let (_, d) = diagnose(&s, BARRACUDA, &["--ip", "192.0.2.25"]);
    let c = causes(&d);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(c[0].contains("Barracuda"), "{}", c[0]);
}

#[test]
fn a_spamhaus_reply_with_the_ip_clean_finds_no_listing_to_blame() {
    let s = serve_lists(vec![]);
    let (rc, d) = diagnose(&s, SPAMHAUS, &["--ip", "192.0.2.10"]);
    assert_eq!(rc, 0, "{}", d["likely_causes"]);
    assert!(causes(&d).is_empty());
    assert!(
        d["no_cause_found"]["message"]
            .as_str()
            .unwrap()
            .contains("DNSBL")
    );
    assert_eq!(
        d["domain"]["blocklist"]["lists"][0]["state"], "not-listed",
        "{}",
        d["domain"]["blocklist"]
    );
}

#[test]
fn a_spamhaus_reply_whose_lookup_is_refused_is_not_called_a_listing() {
    let s = serve_lists(vec![]);
    let (_, d) = diagnose(&s, SPAMHAUS, &["--ip", "192.0.2.26"]);
    let c = causes(&d);
    assert!(c.iter().all(|r| !r.contains("is listed")), "{c:?}");
    assert!(
        d["domain"]["findings"]
            .to_string()
            .contains("blocklist-query-refused")
    );
}

#[test]
fn the_client_address_a_reply_names_is_checked_without_ip() {
    let s = serve_lists(vec![]);
    let (rc, d) = diagnose(&s, SPAMHAUS, &[]);
    assert_eq!(rc, 1);
    assert_eq!(
        d["domain"]["blocklist"]["ip"], "192.0.2.25",
        "{}",
        d["domain"]
    );
    let c = causes(&d);
    assert!(
        c.len() == 1 && c[0].contains("Spamhaus ZEN") && c[0].contains("192.0.2.25"),
        "{c:?}"
    );
    let prov = d["input"]["provenance"].to_string();
    assert!(prov.contains("reply text"), "{prov}");
}

#[test]
fn a_blocklist_reply_without_an_ip_still_runs_the_check_on_the_domains() {
    let s = serve_lists(vec![]);
    let no_ip = "554 5.7.1 Service unavailable; blocked using zen.spamhaus.org";
    let (_, d) = diagnose(&s, no_ip, &[]);
    let b = &d["domain"]["blocklist"];
    assert!(b["ip"].is_null(), "{b}");
    assert!(
        b["lists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["list"] == "spamhaus-dbl" && l["item"] == "good.example")
    );
    // A reply that does not implicate it leaves it out.
    let gmail = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550 5.7.26 - gsmtp";
    let (_, d) = diagnose(&s, gmail, &[]);
    assert!(d["domain"].get("blocklist").is_none());
}

const MICROSOFT: &str = "550 5.7.606 Access denied, banned sending IP [192.0.2.25]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609) [BN8NAM12FT004.eop-nam12.prod.protection.outlook.com]";

#[test]
fn microsofts_own_list_stays_the_cause_unless_a_public_list_lists_the_ip() {
    let s = serve_lists(vec![]);
    // Clean on every public list: the public lists cannot see Microsoft's own, so the reply
    // itself is the cause and delisting at Microsoft comes first.
    let (_, d) = diagnose(
        &s,
        MICROSOFT.replace("192.0.2.25", "192.0.2.10").as_str(),
        &["--ip", "192.0.2.10"],
    );
    assert_eq!(
        d["likely_causes"][0]["reply_rule"], "microsoft-5-7-606-649-banned-sending-ip",
        "{}",
        d["likely_causes"]
    );
    assert!(d["no_cause_found"].is_null());
    assert_eq!(d["plan"][0]["id"], "action-request-delisting");
    assert_eq!(
        d["domain"]["blocklist"]["ip"], "192.0.2.10",
        "the check ran"
    );
    // Listed on Spamhaus and Barracuda: no list is named, so both listings are causes.
    let (_, d) = diagnose(&s, MICROSOFT, &["--ip", "192.0.2.25"]);
    let c = causes(&d);
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(
        c.iter().any(|r| r.contains("Spamhaus ZEN")) && c.iter().any(|r| r.contains("Barracuda"))
    );
}

/// The plan steps that carry a finding id.
fn steps_with(d: &Value, id: &str) -> Vec<String> {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["finding_ids"].to_string().contains(id))
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_list_refusing_the_resolver_holds_up_the_plan_only_for_a_blocklist_reply() {
    let s = serve_lists(vec![]);
    // Spamhaus refuses public resolvers: for a Gmail authentication reply that is a finding,
    // not the first thing to fix.
    let gmail = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550 5.7.26 - gsmtp";
    let (_, d) = diagnose(&s, gmail, &["--ip", "192.0.2.26"]);
    assert!(
        d["domain"]["findings"]
            .to_string()
            .contains("blocklist-query-refused")
    );
    assert!(
        steps_with(&d, "blocklist-query-refused").is_empty(),
        "{}",
        d["plan"]
    );
    // For a Spamhaus reply it is the question to answer first.
    let (_, d) = diagnose(&s, SPAMHAUS, &["--ip", "192.0.2.26"]);
    assert_eq!(
        steps_with(&d, "blocklist-query-refused"),
        ["dns-inconclusive"]
    );
    assert_eq!(d["plan"][0]["id"], "dns-inconclusive");
}
