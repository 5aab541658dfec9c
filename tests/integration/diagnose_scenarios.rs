//! End-to-end `diagnose` scenarios through the binary, on fixture zones served offline: each
//! asserts the likely cause and the first plan step, not just that output exists.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stdout};
use super::diagnose_support::*;

#[test]
fn gmail_5726_without_dmarc_blames_the_missing_record_and_publishes_it_first() {
    let d = diagnose(
        GMAIL_5726,
        &[
            "--domain",
            "nodmarc.example",
            "--ip",
            "192.0.2.10",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-publish");
    assert_eq!(s["finding_ids"], serde_json::json!(["dmarc-missing"]));
    assert_eq!(
        records(s),
        [(
            "_dmarc.nodmarc.example".to_string(),
            "TXT".to_string(),
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc.example".to_string()
        )]
    );
    // No record: resolvers cache the NXDOMAIN for the zone's SOA minimum (RFC 2308).
    assert_eq!(s["wait_seconds"], 300);
    assert_eq!(
        step_ids(&d),
        ["dmarc-publish", "dmarc-quarantine", "dmarc-reject"]
    );
}

#[test]
fn gmail_5726_through_an_esp_blames_alignment_and_fixes_the_return_path_and_dkim_domain() {
    let d = diagnose(
        GMAIL_5726,
        &[
            "--domain",
            "customer.example",
            "--from",
            "news@customer.example",
            "--mail-from",
            "bounce@bounces.esp.example",
            "--dkim-domain",
            "esp.example",
            "--dkim-selector",
            "esp1",
            "--ip",
            "203.0.113.5",
        ],
    );
    // SPF passes (for the ESP's bounce domain) and the ESP's key is fine: only alignment fails.
    let spf = &d["domain"]["spf"]["result"];
    assert_eq!(spf["result"], "pass", "{spf}");
    assert_eq!(spf["domain"], "bounces.esp.example");
    assert_eq!(cause_ids(&d)[0], "dmarc-not-aligned");
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-alignment");
    assert!(
        s["finding_ids"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("dmarc-not-aligned"))
    );
    assert_eq!(
        records(s),
        [
            (
                "bounces.customer.example".to_string(),
                "CNAME".to_string(),
                "bounces.esp.example".to_string()
            ),
            (
                "esp1._domainkey.customer.example".to_string(),
                "CNAME".to_string(),
                "esp1._domainkey.esp.example".to_string()
            )
        ]
    );
    let verify = s["verify"].as_str().unwrap();
    for part in [
        "--mail-from bounce@bounces.esp.example",
        "--dkim-domain esp.example",
        "--from news@customer.example",
    ] {
        assert!(verify.contains(part), "{verify}");
    }
}

#[test]
fn gmail_4727_with_spf_over_ten_lookups_fixes_the_lookup_count_first() {
    let d = diagnose(
        "421-4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. - gsmtp",
        &["--domain", "over10.example", "--ip", "192.0.2.30"],
    );
    assert_eq!(cause_ids(&d)[0], "spf-too-many-lookups");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-lookups");
    assert_eq!(
        s["finding_ids"],
        serde_json::json!(["spf-too-many-lookups"])
    );
    // `a` at the apex finds no address: one void lookup, under the limit of 2.
    assert_eq!(
        s["details"][0],
        "11 DNS lookups (limit 10), 1 void lookups (limit 2)"
    );
    assert!(
        s["details"][1]
            .as_str()
            .unwrap()
            .starts_with("include:_spf.big.example costs 8 lookups"),
        "{}",
        s["details"]
    );
    // The provider's include stays an include (never its addresses); only the domain's own
    // address-only include is flattened, which brings the record to 10 lookups.
    assert_eq!(
        records(s),
        [(
            "over10.example".to_string(),
            "TXT".to_string(),
            "v=spf1 a mx include:_spf.big.example ip4:192.0.2.30 -all".to_string()
        )],
        "never invent a provider's addresses"
    );
    assert!(!records(s)[0].2.contains("203.0.113."));
    assert_eq!(s["wait_seconds"], 3600);
}

fn ptr_case(reply: &str) {
    let d = diagnose(reply, &["--domain", "ptrbad.example", "--ip", "192.0.2.40"]);
    assert_eq!(cause_ids(&d)[0], "ptr-not-confirmed", "{reply}");
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-fcrdns");
    assert_eq!(
        records(s),
        [
            (
                "40.2.0.192.in-addr.arpa".to_string(),
                "PTR".to_string(),
                "mail.ptrbad.example".to_string()
            ),
            (
                "mail.ptrbad.example".to_string(),
                "A".to_string(),
                "192.0.2.40".to_string()
            )
        ]
    );
    assert!(
        s["details"][0]
            .as_str()
            .unwrap()
            .contains("dyn-40.pool.example -> no address"),
        "{}",
        s["details"]
    );
    assert!(
        s["verify"]
            .as_str()
            .unwrap()
            .contains("--ip 192.0.2.40 --only ptr")
    );
}

#[test]
fn gmail_5725_with_a_ptr_that_does_not_resolve_back_asks_for_the_ptr_first() {
    ptr_case(
        "550-5.7.25 The IP address sending this message does not have a PTR record setup - gsmtp",
    );
}

#[test]
fn gmail_4723_with_a_ptr_that_does_not_resolve_back_asks_for_the_ptr_first() {
    ptr_case(
        "421-4.7.23 The sending IP does not match the IP address of the hostname specified in the pointer (PTR) record. - gsmtp",
    );
}

#[test]
fn microsoft_5515_with_dkim_missing_publishes_the_selector_the_mail_names() {
    let d = diagnose(
        "550 5.7.515 Access denied, sending domain nodkim.example doesn't meet the required authentication level.",
        &[
            "--domain",
            "nodkim.example",
            "--ip",
            "192.0.2.50",
            "--dkim-selector",
            "sel1",
        ],
    );
    assert_eq!(cause_ids(&d)[0], "dkim-selector-missing");
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-publish");
    assert_eq!(
        s["finding_ids"],
        serde_json::json!(["dkim-selector-missing"])
    );
    assert_eq!(records(s)[0].0, "sel1._domainkey.nodkim.example");
    assert!(
        s["verify"]
            .as_str()
            .unwrap()
            .starts_with("mailtriage check nodkim.example --dkim-selector sel1 --only dkim"),
        "{}",
        s["verify"]
    );
    assert_eq!(s["wait_seconds"], 300);
    assert_eq!(d["escalation"]["id"], "escalation-microsoft");
}

#[test]
fn microsoft_5606_has_no_dns_fix_requests_delisting_and_escalates_to_the_portal() {
    let d = diagnose(
        "550 5.7.606 Access denied, banned sending IP [192.0.2.70]. To request removal from this list please visit https://sender.office.com/",
        &[
            "--domain",
            "clean.example",
            "--ip",
            "192.0.2.70",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(d["likely_causes"][0]["finding_id"], serde_json::Value::Null);
    assert_eq!(cause_ids(&d), ["microsoft-5-7-606-649-banned-sending-ip"]);
    assert_eq!(step_ids(&d), ["action-request-delisting"]);
    assert!(
        first_step(&d)["title"]
            .as_str()
            .unwrap()
            .contains("192.0.2.70")
    );
    let e = &d["escalation"];
    assert_eq!(e["id"], "escalation-microsoft-blocklist");
    assert_eq!(e["escalate_now"], true);
    assert!(
        e["where"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["url"] == "https://sender.office.com/"),
        "{e}"
    );
}

#[test]
fn yahoo_579_with_the_ip_missing_from_spf_authorises_it_first() {
    let d = diagnose(
        "554 5.7.9 Message not accepted for policy reasons. See https://senders.yahooinc.com/error-codes",
        &[
            "--domain",
            "spffail.example",
            "--ip",
            "192.0.2.60",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(d["reply"]["provider"]["id"], "yahoo");
    assert_eq!(cause_ids(&d)[0], "spf-ip-not-authorised");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [(
            "spffail.example".to_string(),
            "TXT".to_string(),
            "v=spf1 ip4:198.51.100.1 ip4:192.0.2.60 -all".to_string()
        )]
    );
    assert_eq!(d["escalation"]["id"], "escalation-yahoo");
}

#[test]
fn user_unknown_is_a_list_problem_suppress_first_and_no_dns_step_before_it() {
    let d = diagnose(
        "550-5.1.1 The email account that you tried to reach does not exist. - gsmtp",
        &[
            "--domain",
            "nodmarc.example",
            "--ip",
            "192.0.2.10",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(cause_ids(&d), ["gmail-5-1-1-account-does-not-exist"]);
    assert_eq!(d["likely_causes"][0]["finding_id"], serde_json::Value::Null);
    let ids = step_ids(&d);
    assert_eq!(ids[0], "action-suppress-address");
    // The domain's own DNS trouble is still listed, but after the list action.
    assert_eq!(ids[1], "dmarc-publish");
}

#[test]
fn a_503_is_sender_configuration_and_never_suppresses() {
    let d = diagnose(
        "503 5.5.1 Bad sequence of commands",
        &[
            "--domain",
            "clean.example",
            "--ip",
            "192.0.2.70",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(d["reply"]["action"], "fix-sender-config");
    assert_eq!(d["likely_causes"][0]["finding_id"], serde_json::Value::Null);
    let ids = step_ids(&d);
    assert_eq!(ids, ["action-fix-sender-config"]);
    assert!(
        first_step(&d)["title"]
            .as_str()
            .unwrap()
            .contains("do not suppress")
    );
    assert!(!ids.iter().any(|i| i.contains("suppress")));
}

#[test]
fn when_every_implicated_check_passes_the_report_says_so_and_lists_the_reasons_that_fit() {
    let args = [
        "diagnose",
        GMAIL_5726,
        "--domain",
        "clean.example",
        "--ip",
        "192.0.2.70",
        "--dkim-selector",
        "s1",
        "--zone",
        ZONES,
        "--offline",
    ];
    let mut as_json = args.to_vec();
    as_json.extend(["--format", "json"]);
    let d = super::cli_support::json(&run(&as_json, None));
    assert!(
        d["likely_causes"].as_array().unwrap().is_empty(),
        "no invented cause"
    );
    let nc = &d["no_cause_found"];
    assert_eq!(
        nc["message"],
        "The reply blames SPF, DKIM and DMARC, but those checks pass for clean.example now. DNS does not explain this rejection."
    );
    let reasons: Vec<&str> = nc["possible_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for fits in [
        "another IP",
        "forwarded",
        "fixed after the bounce",
        "reputation",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(fits)),
            "{fits} missing from {reasons:?}"
        );
    }
    assert!(step_ids(&d).is_empty(), "{:?}", step_ids(&d));
    assert_eq!(d["escalation"]["escalate_now"], true);
    let o = run(&args, None);
    assert_eq!(code(&o), 0);
    let human = stdout(&o);
    assert!(human.contains("No cause found in DNS"), "{human}");
    assert!(
        human.contains("those checks pass for clean.example now"),
        "{human}"
    );
    assert!(
        human.contains("Nothing to change in DNS for clean.example."),
        "{human}"
    );
}
