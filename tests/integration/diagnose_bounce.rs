//! What `diagnose` takes from a bounce: never the submitter's IP for the receiver's, a HELO
//! that is a usable name or a note saying why not, and each DKIM selector under its own d=.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr};
use super::diagnose_support::{ZONES, diagnose_in, finding_ids};
use serde_json::Value;

fn bounce(file: &str, extra: &[&str]) -> Value {
    let path = format!("{ZONES}/{file}");
    let mut args = vec!["diagnose", path.as_str()];
    args.extend_from_slice(extra);
    args.extend(["--zone", ZONES, "--offline", "--format", "json"]);
    let o = run(&args, None);
    assert_ne!(code(&o), 2, "{args:?}: {}", stderr(&o));
    json(&o)
}

/// (value, source) of every provenance entry for `field`.
fn prov(d: &Value, field: &str) -> Vec<(String, String)> {
    d["input"]["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["field"] == field)
        .map(|p| {
            (
                p["value"].as_str().unwrap().to_string(),
                p["source"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_multi_hop_bounce_does_not_take_the_laptop_for_the_sending_ip() {
    let d = bounce("bounce-multihop.eml", &[]);
    let p = &d["input"]["params"];
    // 203.0.113.99 (the laptop) and 192.0.2.71 (the app server) are sender-side hops.
    assert_eq!(p["ip"], Value::Null, "{p:#}");
    assert_eq!(p["helo"], "mail.clean.example");
    let ip = prov(&d, "ip");
    assert_eq!(ip.len(), 1);
    assert_eq!(ip[0].0, "unknown");
    assert!(ip[0].1.contains("pass --ip"), "{ip:?}");
    let helo = prov(&d, "helo");
    assert!(helo[0].1.contains("top-most Received header"), "{helo:?}");
    // The report asks for the IP instead of checking PTR for a wrong one.
    assert!(finding_ids(&d).contains(&"ptr-no-ip".to_string()));
}

#[test]
fn a_one_label_relay_name_is_skipped_with_a_note_not_a_usage_error() {
    let o = run(
        &[
            "diagnose",
            "tests/fixtures/diagnose/bounce-one-label-relay.eml",
            "--zone",
            ZONES,
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    assert!(matches!(code(&o), 0 | 1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("invalid --helo"), "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(d["input"]["params"]["helo"], Value::Null);
    let helo = prov(&d, "helo");
    assert_eq!(helo[0].0, "mailhost");
    assert!(helo[0].1.contains("skipped"), "{helo:?}");
    assert!(helo[0].1.contains("at least two labels"), "{helo:?}");
}

#[test]
fn the_receivers_received_spf_gives_the_ip_and_helo_it_saw() {
    let d = bounce("bounce-received-spf.eml", &[]);
    assert_eq!(d["input"]["params"]["ip"], "192.0.2.60");
    assert_eq!(d["input"]["params"]["helo"], "mail.spffail.example");
    assert_eq!(
        prov(&d, "ip"),
        [(
            "192.0.2.60".to_string(),
            "bounce: Received-SPF header written by google.com".to_string()
        )]
    );
    // That IP is not in spffail.example's SPF: the evaluation ran for it.
    assert_eq!(d["domain"]["spf"]["result"]["ip"], "192.0.2.60");
    assert_eq!(d["domain"]["spf"]["result"]["result"], "fail");
}

#[test]
fn each_signature_is_looked_up_under_its_own_d() {
    let d = bounce("bounce-two-signatures.eml", &[]);
    let ids = finding_ids(&d);
    assert!(
        !ids.contains(&"dkim-selector-missing".to_string()),
        "a selector was looked up under the wrong d=: {ids:?}"
    );
    assert_eq!(d["input"]["params"]["dkim_domain"], "clean.example");
    assert_eq!(
        d["input"]["params"]["dkim_selectors"],
        serde_json::json!(["s1"])
    );
    let esp = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "esp1._domainkey.esp.example")
        .unwrap_or_else(|| panic!("esp1 not looked up under esp.example: {ids:?}"));
    assert_eq!(esp["id"], "dkim-key-found");
    let sels = prov(&d, "dkim_selector");
    assert!(
        sels.iter()
            .any(|(s, src)| s == "esp1" && src.contains("d=esp.example")),
        "{sels:?}"
    );
    assert!(
        d["queries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["name"] == "esp1._domainkey.esp.example"),
        "the other signature's query is in the evidence"
    );
}

#[test]
fn dkim_flags_keep_the_bounces_d_and_show_in_provenance() {
    let d = bounce("bounce-two-signatures.eml", &["--dkim-selector", "s1"]);
    // --dkim-selector replaces the selectors, not the signing domain the bounce shows.
    assert_eq!(d["input"]["params"]["dkim_domain"], "clean.example");
    assert_eq!(
        prov(&d, "dkim_domain"),
        [(
            "clean.example".to_string(),
            "bounce: DKIM-Signature d=".to_string()
        )]
    );
    assert_eq!(
        prov(&d, "dkim_selector"),
        [("s1".to_string(), "flag --dkim-selector".to_string())]
    );
    let d = bounce(
        "bounce-two-signatures.eml",
        &["--dkim-domain", "esp.example", "--dkim-selector", "esp1"],
    );
    assert_eq!(
        prov(&d, "dkim_domain"),
        [("esp.example".to_string(), "flag --dkim-domain".to_string())]
    );
    // The signing domain's keys are reported beside the checked domain's own.
    assert_eq!(d["domain"]["dkim_signing"]["domain"], "esp.example");
}

/// A bounce's DKIM selector, d= and From are written by someone else: values the checks cannot
/// use are skipped with a note saying why, and the run goes on (exit 2 is for the user's flags).
#[test]
fn unusable_values_in_a_bounce_are_skipped_with_a_note_not_a_usage_error() {
    let hostile = std::fs::read("tests/fixtures/hostile/bounce.eml").unwrap();
    let text = String::from_utf8_lossy(&hostile)
        .replace("s=s1;", "s=s1\x1b[2K\x07;")
        .replace(
            "<newsletter@hostile.example>",
            "<newsletter@hostile\x1b]0;x\x07.example>",
        )
        .replace("d=hostile.example;", "d=hostile.exa\x07mple;");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bounce.eml");
    std::fs::write(&path, text).unwrap();
    let d = diagnose_in(
        "tests/fixtures/hostile",
        path.to_str().unwrap(),
        &["--domain", "hostile.example"],
    );
    for field in ["dkim_selector", "dkim_domain", "from"] {
        let p = prov(&d, field);
        assert!(
            !p.is_empty() && p.iter().all(|(_, source)| source.contains("skipped")),
            "{field}: {p:?}"
        );
    }
    let asked: Vec<&str> = d["queries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["name"].as_str())
        .collect();
    assert!(!asked.is_empty());
    // The zone's own MX host `mx\027\013\007.hostile.example` holds such octets and is asked
    // as published (RFC 2181 section 11); the bounce's values are not.
    assert!(
        asked
            .iter()
            .all(|n| !n.contains("[2K") && !n.contains("]0;x") && !n.contains("exa\x07mple")),
        "no question asks for a name built from the unusable values: {asked:?}"
    );
}

/// A pasted reply with no headers: the domain to check comes from --from (or --mail-from),
/// else from the words naming the sender; with none of these the run asks for --domain.
#[test]
fn without_domain_the_from_flag_or_the_sender_the_reply_names_is_checked() {
    let gmail = "550 5.7.26 Unauthenticated email from nodmarc.example is not accepted due to domain's DMARC policy. - gsmtp";
    let d = diagnose_in(ZONES, gmail, &[]);
    assert_eq!(
        prov(&d, "domain"),
        vec![(
            "nodmarc.example".to_string(),
            "reply text: the domain the receiver names as the sender".to_string()
        )]
    );
    assert!(finding_ids(&d).contains(&"dmarc-missing".to_string()));

    // The user's statement wins over the reply's words.
    let d = diagnose_in(ZONES, gmail, &["--from", "news@clean.example"]);
    assert_eq!(
        prov(&d, "domain"),
        vec![(
            "clean.example".to_string(),
            "flag --from: its domain".to_string()
        )]
    );
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));

    let d = diagnose_in(
        ZONES,
        "550 5.7.1 rejected",
        &["--mail-from", "bounces@nodmarc.example"],
    );
    assert_eq!(prov(&d, "domain")[0].0, "nodmarc.example");

    let o = run(
        &[
            "diagnose",
            "550 5.7.26 Unauthenticated email is not accepted",
            "--zone",
            ZONES,
            "--offline",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("pass --domain"), "{}", stderr(&o));
}
