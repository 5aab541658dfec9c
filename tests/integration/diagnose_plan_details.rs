//! Plan details a user acts on: a merged SPF record that says what it dropped and whether it is
//! still over the limit, the DMARC stages' cache time, delisting titles without placeholders,
//! and escalation conditions (provider's and generic) read from the rules.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr};
use super::diagnose_support::*;

#[test]
fn a_merge_still_over_ten_lookups_says_so_and_keeps_the_lookup_step() {
    let d = diagnose(
        GMAIL_5726,
        &["--domain", "twospf.example", "--ip", "192.0.2.90"],
    );
    let merge = step(&d, "spf-merge");
    assert_eq!(
        merge["records"][0]["value"],
        "v=spf1 a mx include:_spf.big.example include:_b.big.example ip4:192.0.2.90 -all"
    );
    let details = merge["details"].to_string();
    assert!(
        details.contains("still costs 11 DNS lookups, over the limit of 10"),
        "{details}"
    );
    let ids = step_ids(&d);
    let at = |id: &str| ids.iter().position(|s| s == id).unwrap();
    assert!(at("spf-merge") < at("spf-lookups"), "{ids:?}");
    // The permerror is explained by the two steps: no vague "correct the record" step.
    assert!(!ids.contains(&"spf-fix".to_string()), "{ids:?}");
    assert_eq!(
        step(&d, "spf-lookups")["finding_ids"],
        serde_json::json!(["spf-too-many-lookups", "spf-permerror"])
    );
}

#[test]
fn dmarc_stages_carry_the_ttl_of_the_record_they_replace() {
    let d = diagnose(
        GMAIL_5726,
        &["--domain", "twospf.example", "--ip", "192.0.2.90"],
    );
    assert_eq!(step(&d, "dmarc-quarantine")["wait_seconds"], 1800);
    // twospf.example has no DKIM key: p=reject is not proposed (RFC 9989 sections 7.4 and 8),
    // DKIM comes first.
    assert!(!step_ids(&d).contains(&"dmarc-reject".to_string()));
    let dkim_first = step(&d, "dmarc-dkim-first");
    assert!(dkim_first["records"].as_array().unwrap().is_empty());
    let all = d["plan"].to_string();
    assert!(!all.contains("; p=reject"), "{all}");
}

/// A TTL of decades is legal, but resolvers cap what they keep (RFC 8767 section 4: 7 days):
/// the plan's wait never tells the user to wait longer than that.
#[test]
fn a_ttl_of_decades_waits_at_most_a_week() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("longttl.example.zone"),
        "$ORIGIN longttl.example.\n$TTL 2147483647\n@ IN SOA ns hostmaster 1 7200 900 1209600 2147483647\n@ IN NS ns\nns IN A 192.0.2.53\n@ IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n_dmarc IN TXT \"v=DMARC1; p=none\"\n",
    )
    .unwrap();
    let d = diagnose_in(
        dir.path().to_str().unwrap(),
        GMAIL_5726,
        &["--domain", "longttl.example", "--ip", "192.0.2.99"],
    );
    let spf = step(&d, "spf-authorise-ip");
    assert_eq!(spf["wait_seconds"], 604_800, "{spf:#}");
    for s in d["plan"].as_array().unwrap() {
        assert!(
            s["wait_seconds"].as_u64().is_none_or(|w| w <= 604_800),
            "{s:#}"
        );
    }
}

#[test]
fn a_delisting_title_names_the_listed_ip_or_none_never_a_placeholder() {
    let reply = "550 5.7.606 Access denied, banned sending IP [192.0.2.5]. To request removal from this list please visit https://sender.office.com/";
    // The reply's IP is the one on the list, even when --ip names another.
    let d = diagnose(reply, &["--domain", "clean.example", "--ip", "192.0.2.70"]);
    let title = first_step(&d)["title"].as_str().unwrap().to_string();
    assert_eq!(
        title,
        "Request delisting of 192.0.2.5 from the provider's blocklist"
    );
    let d = diagnose(
        "550 5.7.606 Access denied, banned sending IP. To request removal from this list please visit https://sender.office.com/",
        &["--domain", "clean.example"],
    );
    let title = first_step(&d)["title"].as_str().unwrap().to_string();
    assert_eq!(
        title,
        "Request delisting of the sending IP from the provider's blocklist"
    );
}

#[test]
fn a_providers_escalation_conditions_include_the_generic_ones_that_fit_the_reply() {
    let when = |reply: &str| -> Vec<String> {
        let d = diagnose(
            reply,
            &["--domain", "nodmarc.example", "--ip", "192.0.2.10"],
        );
        assert_eq!(d["escalation"]["id"], "escalation-gmail");
        d["escalation"]["when"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect()
    };
    const DEFERRAL: &str =
        "421 4.7.27 This mail has been rate limited because SPF does not pass. - gsmtp";
    const FOUR_XX: &str = "A temporary (4xx) rejection has lasted more than 72 hours.";
    const DKIM: &str = "DKIM fails at the receiver although the key in DNS is correct.";
    const BLOCKLIST: &str = "The reply is a blocklist code.";
    const VERIFIED: &str = "The DNS checks the reply points at pass (verified by this run) and the mail is still rejected.";

    // 5.7.26 implicates DKIM, is permanent and names no blocklist.
    let refusal = when(GMAIL_5726);
    assert!(refusal[0].contains("Gmail still rejects"), "{refusal:?}");
    assert!(refusal.iter().any(|w| w == VERIFIED), "{refusal:?}");
    assert!(refusal.iter().any(|w| w == DKIM), "{refusal:?}");
    for absent in [FOUR_XX, BLOCKLIST] {
        assert!(
            !refusal.iter().any(|w| w == absent),
            "{absent} in {refusal:?}"
        );
    }
    // A 4xx SPF deferral gets the 72-hour condition, and names no blocklist either.
    let deferral = when(DEFERRAL);
    assert!(deferral.iter().any(|w| w == FOUR_XX), "{deferral:?}");
    assert!(!deferral.iter().any(|w| w == BLOCKLIST), "{deferral:?}");
}

#[test]
fn escalation_triggers_are_rules_a_rules_dir_can_reword() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("local.toml"),
        "[[message]]\nid = \"escalation-trigger-blocklist\"\nsource = \"local policy\"\ntext = \"Blocklisted: open a ticket with the postmaster team.\"\n",
    )
    .unwrap();
    let o = run(
        &[
            "--rules",
            dir.path().to_str().unwrap(),
            "diagnose",
            "550 5.7.606 Access denied, banned sending IP [192.0.2.5].",
            "--domain",
            "clean.example",
            "--zone",
            ZONES,
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(
        d["escalation"]["triggers"],
        serde_json::json!(["Blocklisted: open a ticket with the postmaster team."])
    );
}
