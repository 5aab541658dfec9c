//! The blocklist check end to end: the binary against fake list zones served on loopback
//! (listed, clean, refused, timeout, garbage answers, IPv6 notations, DQS keys).
#![allow(clippy::unwrap_used)]

use crate::checks_support::{REVERSE, good_zone};
use crate::cli_support::{Served, code, json, mailtriage, run, stderr, stdout};
use crate::common::{zone_text, zones};
use mailtriage::dns::{Fault, FaultKind, RType, ServerOptions};
use serde_json::Value;

/// 2001:db8::1 in the nibble form lists are asked in.
pub const V6_NIBBLES: &str = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";

/// A TXT of about 64 KB: 256 strings of 254 bytes, with control characters and bytes that are
/// not UTF-8 in each.
fn garbage_txt() -> String {
    let chunk = format!("\\000\\007\\255\\010{}", "x".repeat(250));
    let strings: Vec<String> = (0..256).map(|_| format!("\"{chunk}\"")).collect();
    format!("28.2.0.192 IN TXT ( {} )", strings.join(" "))
}

/// The fake lists: Spamhaus ZEN (listed, refused, outside 127/8, garbage TXT, IPv6),
/// Barracuda (listed), the DBL and SURBL (bad.example), DNSWL (192.0.2.10) and a DQS zone.
pub fn list_zones() -> Vec<(String, String)> {
    let zen = format!(
        "25.2.0.192 IN A 127.0.0.2\n\
         25.2.0.192 IN TXT \"Listed by SBL, see https://check.spamhaus.org/sbl/query/SBL123\"\n\
         26.2.0.192 IN A 127.255.255.254\n\
         27.2.0.192 IN A 203.0.113.5\n\
         28.2.0.192 IN A 127.0.0.4\n\
         {}\n\
         {V6_NIBBLES} IN A 127.0.0.3\n",
        garbage_txt()
    );
    let raw = [
        ("zen.spamhaus.org", zen),
        (
            "b.barracudacentral.org",
            "25.2.0.192 IN A 127.0.0.2\n".to_string(),
        ),
        (
            "dbl.spamhaus.org",
            "bad.example IN A 127.0.1.2\n".to_string(),
        ),
        (
            "multi.surbl.org",
            "bad.example IN A 127.0.0.24\n".to_string(),
        ),
        ("list.dnswl.org", "10.2.0.192 IN A 127.0.10.3\n".to_string()),
        (
            "zen.dq.spamhaus.net",
            "25.2.0.192.abc123 IN A 127.0.0.4\n".to_string(),
        ),
    ];
    let mut out: Vec<(String, String)> = raw
        .into_iter()
        .map(|(o, b)| (o.to_string(), zone_text(o, &b)))
        .collect();
    // The checked domains exist (a nonexistent one is an error of its own).
    out.push((
        "good.example".into(),
        zone_text("good.example", &good_zone()),
    ));
    out.push((
        "2.0.192.in-addr.arpa".into(),
        zone_text("2.0.192.in-addr.arpa", REVERSE),
    ));
    out.push((
        "bad.example".into(),
        zone_text("bad.example", "@ IN A 192.0.2.99\n"),
    ));
    out
}

pub fn serve_lists(faults: Vec<Fault>) -> Served {
    let texts = list_zones();
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    Served::start(ServerOptions {
        zones: zones(&refs),
        root_catch_all: true,
        faults,
        ..ServerOptions::default()
    })
}

/// `check DOMAIN --only blocklist --format json ARGS` against `served`.
fn check(served: &Served, domain: &str, args: &[&str]) -> (i32, Value) {
    let ns = served.nameserver();
    let mut all = vec![
        "check",
        domain,
        "--only",
        "blocklist",
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
    assert_ne!(code(&o), 2, "{all:?}: {}", stderr(&o));
    (code(&o), json(&o))
}

fn findings<'a>(d: &'a Value, id: &str) -> Vec<&'a Value> {
    d["domains"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

/// The result of one list for one item.
fn list<'a>(d: &'a Value, id: &str, item: &str) -> &'a Value {
    d["domains"][0]["blocklist"]["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["list"] == id && l["item"] == item)
        .unwrap_or_else(|| panic!("no {id} result for {item}"))
}

/// The enabled lists of rules/blocklists.toml, by kind.
fn enabled(
    kind: mailtriage::checks::blocklist::knowledge::ListKind,
) -> Vec<mailtriage::checks::blocklist::knowledge::BlocklistRule> {
    mailtriage::checks::blocklist::builtin()
        .iter()
        .filter(|l| l.enabled && l.kind == kind)
        .cloned()
        .collect()
}

#[test]
fn a_listed_ip_is_an_error_naming_the_list_the_meaning_and_the_removal_page() {
    let s = serve_lists(vec![]);
    let (rc, d) = check(&s, "good.example", &["--ip", "192.0.2.25"]);
    assert_eq!(rc, 1, "a listing fails the run");
    let listed = findings(&d, "blocklist-listed");
    assert_eq!(listed.len(), 2, "ZEN and Barracuda: {listed:?}");
    let zen = listed
        .iter()
        .find(|f| f["subject"] == "25.2.0.192.zen.spamhaus.org")
        .unwrap();
    let msg = zen["message"].as_str().unwrap();
    for part in [
        "192.0.2.25",
        "Spamhaus ZEN",
        "127.0.0.2",
        "SBL",
        "SBL123",
        "https://check.spamhaus.org/",
    ] {
        assert!(msg.contains(part), "{part} missing from {msg}");
    }
    // Every list consulted appears in the result, each with its state.
    use mailtriage::checks::blocklist::knowledge::ListKind;
    for l in enabled(ListKind::Ip)
        .iter()
        .chain(&enabled(ListKind::Allow))
    {
        let r = list(&d, &l.id, "192.0.2.25");
        let want = if ["spamhaus-zen", "barracuda-brbl"].contains(&l.id.as_str()) {
            "listed"
        } else {
            "not-listed"
        };
        assert_eq!(r["state"], want, "{}", l.id);
    }
    for l in enabled(ListKind::Domain) {
        assert_eq!(list(&d, &l.id, "good.example")["state"], "not-listed");
    }
    let clean = findings(&d, "blocklist-not-listed");
    assert!(
        clean.iter().any(|f| f["subject"] == "192.0.2.25"
            && f["message"].as_str().unwrap().contains("SpamCop")
            && !f["message"].as_str().unwrap().contains("Spamhaus ZEN")),
        "{clean:?}"
    );
    assert!(
        d["domains"][0]["blocklist"]["disabled"]
            .to_string()
            .contains("SORBS"),
        "a closed list is named as not consulted"
    );
}

#[test]
fn a_clean_ip_passes_with_every_list_named_and_an_allow_list_reported_as_such() {
    let s = serve_lists(vec![]);
    let (rc, d) = check(&s, "good.example", &["--ip", "192.0.2.10"]);
    assert_eq!(rc, 0);
    assert!(findings(&d, "blocklist-listed").is_empty());
    let allow = findings(&d, "blocklist-allowlisted");
    assert_eq!(allow.len(), 1);
    assert_eq!(allow[0]["severity"], "info");
    assert!(allow[0]["message"].as_str().unwrap().contains("trust high"));
    let clean = findings(&d, "blocklist-not-listed");
    let ip = clean.iter().find(|f| f["subject"] == "192.0.2.10").unwrap();
    let msg = ip["message"].as_str().unwrap();
    for name in [
        "Spamhaus ZEN",
        "Barracuda",
        "SpamCop",
        "UCEPROTECT",
        "Mailspike",
    ] {
        assert!(msg.contains(name), "{name} missing from {msg}");
    }
    assert!(
        !msg.contains("DNSWL"),
        "an allow list is not a clean blocklist"
    );
}

#[test]
fn a_refused_resolver_code_is_could_not_check_never_listed_nor_clean() {
    let s = serve_lists(vec![]);
    let (rc, d) = check(&s, "good.example", &["--ip", "192.0.2.26"]);
    // Could not check is inconclusive, and an inconclusive check never passes (exit 3).
    assert_eq!(rc, 3, "an inconclusive list does not pass");
    let f = findings(&d, "blocklist-query-refused");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["inconclusive"], true);
    let msg = f[0]["message"].as_str().unwrap();
    assert!(msg.contains("127.255.255.254") && msg.contains("public or open resolver"));
    assert!(msg.contains("MAILTRIAGE_SPAMHAUS_DQS_KEY"), "{msg}");
    assert!(findings(&d, "blocklist-listed").is_empty());
    assert_eq!(
        list(&d, "spamhaus-zen", "192.0.2.26")["state"],
        "could-not-check"
    );
    let clean = findings(&d, "blocklist-not-listed");
    assert!(
        !clean[0]["message"]
            .as_str()
            .unwrap()
            .contains("Spamhaus ZEN"),
        "a refused list is not clean"
    );
    let (rc, _) = check(
        &s,
        "good.example",
        &["--ip", "192.0.2.26", "--fail-on", "warning"],
    );
    // Its warning is inconclusive, not a finding DNS answered: still 3, not 1.
    assert_eq!(rc, 3);
}

#[test]
fn a_timeout_is_could_not_check_and_every_list_timing_out_exits_3() {
    let one = serve_lists(vec![Fault {
        name: "25.2.0.192.zen.spamhaus.org".into(),
        rtype: Some(RType::A),
        kind: FaultKind::Timeout,
    }]);
    let (rc, d) = check(&one, "good.example", &["--ip", "192.0.2.25"]);
    assert_eq!(rc, 1, "Barracuda still lists it");
    let f = findings(&d, "blocklist-not-checked");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0]["message"].as_str().unwrap().contains("timeout"));
    assert_eq!(f[0]["inconclusive"], true);
    assert!(
        findings(&d, "blocklist-listed")
            .iter()
            .all(|l| l["subject"] != "25.2.0.192.zen.spamhaus.org")
    );

    use mailtriage::checks::blocklist::knowledge::ListKind;
    let mut names: Vec<String> = enabled(ListKind::Ip)
        .iter()
        .chain(&enabled(ListKind::Allow))
        .map(|l| format!("10.2.0.192.{}", l.zone))
        .collect();
    names.extend(
        enabled(ListKind::Domain)
            .iter()
            .map(|l| format!("good.example.{}", l.zone)),
    );
    let all = serve_lists(
        names
            .into_iter()
            .map(|name| Fault {
                name,
                rtype: Some(RType::A),
                kind: FaultKind::Timeout,
            })
            .collect(),
    );
    let (rc, d) = check(&all, "good.example", &["--ip", "192.0.2.10"]);
    assert_eq!(rc, 3, "no list could be consulted: {d}");
    assert!(findings(&d, "blocklist-not-listed").is_empty());
}

#[test]
fn an_answer_outside_127_is_an_error_of_the_list_not_a_listing() {
    let s = serve_lists(vec![]);
    let (rc, d) = check(&s, "good.example", &["--ip", "192.0.2.27"]);
    // The list's answer cannot be read: inconclusive, so the run does not pass (exit 3).
    assert_eq!(rc, 3);
    let f = findings(&d, "blocklist-bad-answer");
    assert_eq!(f.len(), 1);
    assert!(f[0]["message"].as_str().unwrap().contains("203.0.113.5"));
    assert!(findings(&d, "blocklist-listed").is_empty());
}

#[test]
fn a_64_kb_garbage_txt_leaves_a_short_printable_reason() {
    let s = serve_lists(vec![]);
    let (rc, d) = check(&s, "good.example", &["--ip", "192.0.2.28"]);
    assert_eq!(rc, 1);
    let f = findings(&d, "blocklist-listed");
    let zen = f
        .iter()
        .find(|f| f["subject"] == "28.2.0.192.zen.spamhaus.org")
        .unwrap();
    let msg = zen["message"].as_str().unwrap();
    assert!(msg.contains("XBL"), "{msg}");
    assert!(msg.len() < 1200, "{} bytes", msg.len());
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
    let txt = list(&d, "spamhaus-zen", "192.0.2.28")["txt"]
        .as_str()
        .unwrap();
    assert!(txt.ends_with("...") && txt.contains("xxxx"), "{txt}");
    // The human report shows it too, on one line per list.
    let ns = s.nameserver();
    let o = run(
        &[
            "check",
            "good.example",
            "--only",
            "blocklist",
            "--ip",
            "192.0.2.28",
            "--nameserver",
            &ns,
        ],
        None,
    );
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("192.0.2.28 on Spamhaus ZEN: LISTED"));
}

#[test]
fn ipv6_in_every_notation_is_asked_in_nibble_form_and_ipv4_mapped_as_ipv4() {
    let s = serve_lists(vec![]);
    for ip in [
        "2001:db8::1",
        "2001:0DB8:0000:0000:0000:0000:0000:0001",
        "2001:db8:0:0::1",
        "2001:db8:0:0:0:0:0:1",
        "2001:db8::0.0.0.1",
    ] {
        let (rc, d) = check(&s, "good.example", &["--ip", ip]);
        assert_eq!(rc, 1, "{ip}");
        let r = list(&d, "spamhaus-zen", "2001:db8::1");
        assert_eq!(r["state"], "listed", "{ip}");
        assert_eq!(r["query"], format!("{V6_NIBBLES}.zen.spamhaus.org"));
        assert_eq!(
            list(&d, "spamcop", "2001:db8::1")["state"],
            "not-applicable",
            "an IPv4-only list is not asked about IPv6"
        );
    }
    for mapped in ["::ffff:192.0.2.25", "::FFFF:C000:0219"] {
        let (rc, d) = check(&s, "good.example", &["--ip", mapped]);
        assert_eq!(rc, 1, "{mapped}");
        assert_eq!(
            list(&d, "spamhaus-zen", "192.0.2.25")["state"],
            "listed",
            "{mapped}"
        );
    }
    for bad in [
        "[2001:db8::1]",
        "2001:db8::1%eth0",
        "2001:db8:::1",
        "192.0.2",
    ] {
        let o = run(
            &["check", "good.example", "--only", "blocklist", "--ip", bad],
            None,
        );
        assert_eq!(code(&o), 2, "{bad}");
        assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    }
}

#[test]
fn a_domain_that_is_an_ip_literal_is_a_one_line_error() {
    for args in [
        &["check", "192.0.2.1", "--only", "blocklist"][..],
        &[
            "check",
            "good.example",
            "--only",
            "blocklist",
            "--mail-from",
            "bounce@[192.0.2.1]",
        ],
        &[
            "check",
            "good.example",
            "--only",
            "blocklist",
            "--dkim-domain",
            "192.0.2.1",
        ],
        &[
            "check",
            "good.example",
            "--only",
            "blocklist",
            "--from",
            "192.0.2.1",
        ],
        &["check", "[192.0.2.1]", "--only", "blocklist"],
    ] {
        let o = run(args, None);
        assert_eq!(code(&o), 2, "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("192.0.2.1"), "{err}");
    }
    for v6 in ["2001:db8::1", "[IPv6:2001:db8::1]"] {
        let o = run(&["check", v6, "--only", "blocklist"], None);
        assert_eq!(code(&o), 2, "{v6}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(v6), "{err}");
    }
}

#[test]
fn domain_lists_read_codes_and_bitmasks() {
    let s = serve_lists(vec![]);
    let (rc, d) = check(&s, "bad.example", &[]);
    assert_eq!(rc, 1);
    assert!(d["domains"][0]["blocklist"]["ip"].is_null());
    let dbl = list(&d, "spamhaus-dbl", "bad.example");
    assert_eq!(dbl["state"], "listed");
    assert_eq!(dbl["meanings"][0], "a spam domain");
    let surbl = list(&d, "surbl-multi", "bad.example");
    let meanings = surbl["meanings"].to_string();
    assert!(
        meanings.contains("PH") && meanings.contains("MW") && !meanings.contains("ABUSE"),
        "{meanings}"
    );
    assert!(
        d["domains"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["subject"].as_str().unwrap().contains("zen.spamhaus.org")),
        "no IP, no IP list asked"
    );
}

#[test]
fn a_spamhaus_dqs_key_from_the_environment_picks_the_keyed_zone() {
    let s = serve_lists(vec![]);
    let ns = s.nameserver();
    let args = [
        "check",
        "good.example",
        "--only",
        "blocklist",
        "--ip",
        "192.0.2.25",
        "--nameserver",
        &ns,
        "--format",
        "json",
    ];
    let o = mailtriage()
        .args(args)
        .env("MAILTRIAGE_SPAMHAUS_DQS_KEY", "abc123")
        .output()
        .unwrap();
    let d = json(&o);
    let r = list(&d, "spamhaus-zen", "192.0.2.25");
    assert_eq!(r["query"], "25.2.0.192.abc123.zen.dq.spamhaus.net");
    assert_eq!(r["state"], "listed");
    assert!(r["meanings"][0].as_str().unwrap().starts_with("XBL"));
    let o = mailtriage()
        .args(args)
        .env("MAILTRIAGE_SPAMHAUS_DQS_KEY", "abc.evil.example")
        .output()
        .unwrap();
    let d = json(&o);
    let r = list(&d, "spamhaus-zen", "192.0.2.25");
    assert_eq!(r["state"], "could-not-check");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains("MAILTRIAGE_SPAMHAUS_DQS_KEY"),
        "{r}"
    );
}

#[test]
fn without_ip_or_only_the_check_does_not_run_and_offline_lists_are_not_checked() {
    let s = serve_lists(vec![]);
    let ns = s.nameserver();
    let o = run(
        &[
            "check",
            "good.example",
            "--nameserver",
            &ns,
            "--format",
            "json",
        ],
        None,
    );
    assert!(json(&o)["domains"][0].get("blocklist").is_none());
    let o = run(
        &[
            "check",
            "good.example",
            "--only",
            "blocklist",
            "--ip",
            "192.0.2.25",
            "--zone",
            "tests/fixtures/diagnose",
            "--offline",
            "--format",
            "json",
        ],
        None,
    );
    let d = json(&o);
    let r = list(&d, "spamcop", "192.0.2.25");
    assert_eq!(r["state"], "could-not-check");
    assert!(r["reason"].as_str().unwrap().contains("--offline"));
    // --offline asks no list: "not checked" (info), which never fails a CI run.
    assert_eq!(code(&o), 0, "offline lists are not checked, not trouble");
    let f = d["domains"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "blocklist" && f["not_checked"] == true)
        .expect("a not-checked blocklist finding");
    assert_eq!(f["severity"], "info");
}

#[test]
fn rules_dir_switches_a_list_off_by_id() {
    use crate::rules_support::RulesDir;
    let off = "[[blocklist]]\nid = \"spamhaus-zen\"\nname = \"Spamhaus ZEN\"\nzone = \"zen.spamhaus.org\"\nkind = \"ip\"\nenabled = false\nremoval = \"https://check.spamhaus.org/\"\ncodes = [{ answer = \"127.0.0.2\", meaning = \"SBL\" }]\nsource = \"test\"\n";
    let dir = RulesDir::new(&[("lists.toml", off)]);
    let path = dir.path().display().to_string();
    let s = serve_lists(vec![]);
    let (rc, d) = check(
        &s,
        "good.example",
        &["--ip", "192.0.2.25", "--rules", &path],
    );
    assert_eq!(rc, 1, "Barracuda still lists it");
    let b = &d["domains"][0]["blocklist"];
    assert!(b["disabled"].to_string().contains("Spamhaus ZEN"), "{b}");
    assert!(
        b["lists"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["list"] != "spamhaus-zen"),
        "a switched-off list is not asked"
    );
}

#[test]
fn human_report_of_a_listed_ip() {
    let s = serve_lists(vec![]);
    let ns = s.nameserver();
    let o = run(
        &[
            "check",
            "good.example",
            "--only",
            "blocklist",
            "--ip",
            "192.0.2.25",
            "--nameserver",
            &ns,
        ],
        None,
    );
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!("blocklist_human_listed", stdout(&o));
}

#[test]
fn check_and_diagnose_json_with_blocklist_facts_validate_against_the_schemas() {
    let schema = |name: &str| {
        let path = format!("{}/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&v).unwrap()
    };
    let s = serve_lists(vec![]);
    for ip in ["192.0.2.25", "192.0.2.26", "2001:db8::1"] {
        let (_, d) = check(&s, "good.example", &["--ip", ip]);
        assert!(d["domains"][0]["blocklist"].is_object());
        let v = schema("check-v1.schema.json");
        let errors: Vec<String> = v.iter_errors(&d).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{ip}: {errors:#?}");
    }
    let ns = s.nameserver();
    let o = run(
        &[
            "diagnose",
            "554 5.7.1 Client host [192.0.2.25] blocked using zen.spamhaus.org",
            "--domain",
            "good.example",
            "--ip",
            "192.0.2.25",
            "--nameserver",
            &ns,
            "--format",
            "json",
        ],
        None,
    );
    let d = json(&o);
    assert!(d["domain"]["blocklist"].is_object());
    let v = schema("diagnose-v1.schema.json");
    let errors: Vec<String> = v.iter_errors(&d).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// `diagnose --rules DIR` reads the directory's lists too: a list only DIR defines is asked,
/// and its listing is reported with DIR's meaning and removal page.
#[test]
fn diagnose_with_rules_dir_asks_a_list_only_the_directory_defines() {
    use crate::rules_support::RulesDir;
    let extra = "[[blocklist]]\nid = \"acme-bl\"\nname = \"Acme BL\"\nzone = \"b.barracudacentral.org\"\nkind = \"ip\"\nremoval = \"https://acme.test/removal\"\ncodes = [{ answer = \"127.0.0.2\", meaning = \"listed by Acme\" }]\nsource = \"test\"\n";
    let dir = RulesDir::new(&[("acme.toml", extra)]);
    let path = dir.path().display().to_string();
    let s = serve_lists(vec![]);
    let ns = s.nameserver();
    let o = run(
        &[
            "diagnose",
            "550 5.7.1 rejected",
            "--domain",
            "good.example",
            "--ip",
            "192.0.2.25",
            "--nameserver",
            &ns,
            "--timeout",
            "0.5",
            "--retries",
            "0",
            "--rules",
            &path,
            "--format",
            "json",
        ],
        None,
    );
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    let d = json(&o)["domain"]["blocklist"]["lists"].to_string();
    assert!(
        d.contains("acme-bl")
            && d.contains("listed by Acme")
            && d.contains("https://acme.test/removal"),
        "{d}"
    );
}

/// A broken list in a `--rules DIR` file stops `check` before any question: exit 2, one line
/// per problem at its file:line.
#[test]
fn a_broken_list_in_rules_dir_is_exit_2_with_file_and_line() {
    use crate::rules_support::RulesDir;
    let bad = "[[blocklist]]\nid = \"acme-bl\"\nname = \"Acme BL\"\nzone = \"bl.acme.test\"\nkind = \"ip\"\nremoval = \"https://acme.test/\"\ncodes = [{ answer = \"10.0.0.2\", meaning = \"m\" }]\nsource = \"test\"\n";
    let dir = RulesDir::new(&[("acme.toml", bad)]);
    let path = dir.path().display().to_string();
    let s = serve_lists(vec![]);
    let ns = s.nameserver();
    let o = run(
        &[
            "check",
            "good.example",
            "--only",
            "blocklist",
            "--ip",
            "192.0.2.25",
            "--nameserver",
            &ns,
            "--rules",
            &path,
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{path}/acme.toml:1:")) && err.contains("outside 127.0.0.0/8"),
        "{err}"
    );
}
