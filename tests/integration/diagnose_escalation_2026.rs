//! Escalation destinations current for 2026: SNDS's new portal, no ARC as the fix for forwarding,
//! Gmail's per-domain and per-IP quotas behind 4.7.28, Yahoo's April 2026 DNS-availability
//! deferrals, and a last-checked date on every entry.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{GMAIL_5726, diagnose};
use mailtriage::plan::Knowledge;

#[test]
fn every_escalation_entry_says_when_it_was_last_checked() {
    let k = Knowledge::builtin().unwrap();
    for e in &k.escalations {
        let parts: Vec<&str> = e.checked.split('-').collect();
        assert_eq!(parts.len(), 3, "{}: {:?}", e.id, e.checked);
        assert!(
            e.checked.as_str() >= "2026-06-22",
            "{}: checked {} predates the SNDS move",
            e.id,
            e.checked
        );
    }
    let d = diagnose(
        GMAIL_5726,
        &["--domain", "nodmarc.example", "--ip", "192.0.2.10"],
    );
    assert_eq!(d["escalation"]["id"], "escalation-gmail");
    assert!(
        d["escalation"]["last_checked"]
            .as_str()
            .unwrap()
            .starts_with("20")
    );
}

#[test]
fn microsoft_points_at_the_new_snds_portal_not_the_deprecated_urls() {
    let k = Knowledge::builtin().unwrap();
    for e in &k.escalations {
        for l in &e.where_ {
            assert!(
                !l.url
                    .contains("sendersupport.olc.protection.outlook.com/snds"),
                "{}: {} was deprecated on 2026-06-22",
                e.id,
                l.url
            );
        }
    }
    let ms = k
        .escalations
        .iter()
        .find(|e| e.id == "escalation-microsoft")
        .unwrap();
    assert!(
        ms.where_
            .iter()
            .any(|l| l.name.contains("SNDS") && l.url.contains("substrate.office.com")),
        "{:?}",
        ms.where_
    );
}

#[test]
fn no_rule_proposes_arc_as_the_fix_for_forwarding() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let word = regex::Regex::new(r"\bARC\b").unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Comments are never shown to users; they may record what a provider's page says.
            if !word.is_match(line) || line.trim_start().starts_with('#') {
                continue;
            }
            // The only ARC texts allowed: what the 5.7.29 code means, and that ARC is no fix.
            let code_meaning =
                line.contains("ARC validation") || line.contains("Authenticated Received Chain");
            let not_a_fix = line.contains("removed ARC") && line.contains("not a fix");
            assert!(
                code_meaning || not_a_fix,
                "{}:{}: {line}",
                path.display(),
                n + 1
            );
        }
    }
}

#[test]
fn gmail_4_7_28_escalation_explains_the_per_domain_and_per_ip_quotas() {
    let reply = "421-4.7.28 Gmail has detected an unusual rate of unsolicited email originating from your DKIM domain clean.example. To protect our users from spam, email sent from your domain has been temporarily rate limited. 2adb3069b0e04-5si8.4 - gsmtp";
    let d = diagnose(reply, &["--domain", "clean.example"]);
    let e = &d["escalation"];
    assert_eq!(e["id"], "escalation-gmail-quota");
    let when = e["when"].to_string();
    for says in [
        "per DKIM domain",
        "per SPF",
        "per IP",
        "10 minutes",
        "single connection",
    ] {
        assert!(when.contains(says), "{says}: {when}");
    }
}

#[test]
fn yahoo_dns_availability_deferrals_get_their_own_escalation() {
    let reply = "451 4.7.0 Messages from 192.0.2.25 temporarily deferred: the sender's name server was temporarily unavailable; see https://senders.yahooinc.com/smtp-error-codes";
    let d = diagnose(reply, &["--domain", "clean.example"]);
    let e = &d["escalation"];
    assert_eq!(e["provider"], "yahoo");
    assert_eq!(e["id"], "escalation-yahoo-dns");
    let when = e["when"].to_string();
    assert!(
        when.contains("April 2026") && when.contains("name server"),
        "{when}"
    );
    // Another Yahoo deferral keeps the general entry.
    let d = diagnose(
        "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        &["--domain", "clean.example"],
    );
    assert_eq!(d["escalation"]["id"], "escalation-yahoo");
}
