//! Round 7 of held-out style `diagnose` scenarios: bounces naming several recipients with
//! different failures, several SPF records that only exceed the lookup limit once merged, a
//! DMARC tag written twice, report destinations with their own negative TTLs, a From domain
//! that declares itself a public suffix, DKIM keys broken in one specific way each (revoked,
//! cut off at a string boundary, an unknown algorithm), dual-stack and IPv6 HELO literals,
//! ESP return paths and DKIM delegated by CNAME (Amazon SES, SendGrid, Microsoft 365), a
//! forwarded message of an unsigned sender, and Yahoo's and Microsoft's refusals inside the
//! sender's own bounce. Each scenario says what a careful operator expects first (the cause,
//! the first step and its exact record, what must not be blamed), then runs.
//! The second half of the round is in `diagnose_scenarios7b`.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr, stdout};
use super::diagnose_support::{
    cause_ids, diagnose_with_code, escalation, finding_ids, first_step, fixing, rec, records, step,
    step_ids,
};
use serde_json::Value;

pub(crate) const ZONES: &str = "tests/fixtures/scenarios7";

pub(crate) const GMAIL_5726: &str = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 550 5.7.26 - gsmtp";

pub(crate) fn ms_5515(domain: &str) -> String {
    format!(
        "550 5.7.515 Access denied, sending domain {domain} doesn't meet the required authentication level."
    )
}

pub(crate) fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

pub(crate) fn bounce(name: &str, args: &[&str]) -> (i32, Value) {
    diagnose(&format!("{ZONES}/{name}"), args)
}

pub(crate) fn human(reply: &str, args: &[&str]) -> String {
    let mut all = vec!["diagnose", reply];
    all.extend_from_slice(args);
    all.extend(["--zone", ZONES, "--offline"]);
    let o = run(&all, None);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    stdout(&o)
}

pub(crate) fn details(s: &Value) -> String {
    s["details"].to_string()
}

pub(crate) fn reason(d: &Value, id: &str) -> String {
    d["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["finding_id"] == id || c["reply_rule"] == id)
        .unwrap_or_else(|| panic!("no cause {id}: {}", d["likely_causes"]))["reason"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) fn message_of(d: &Value, id: &str) -> String {
    d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}: {:?}", finding_ids(d)))["message"]
        .as_str()
        .unwrap()
        .to_string()
}

// ------------------------------------------------- several recipients in one bounce

#[test]
fn a_bounce_for_two_recipients_diagnoses_the_dmarc_refusal_and_the_unknown_user() {
    // Round 6's fixture: one Postfix DSN, dana@ unknown (5.1.1), sam@gmail.com refused by
    // DMARC (5.7.26); the relay .206 is missing from SPF. The operator expects both failures
    // handled: SPF first (every Gmail recipient is affected), the unknown address suppressed
    // too, and the Gmail path for escalation. Before round 7 only the first recipient's 5.1.1
    // was diagnosed and the SPF gap was never named.
    let (rc, d) = diagnose_with_code(
        "tests/fixtures/scenarios6",
        "tests/fixtures/scenarios6/two-recipients.eml",
        &["--ip", "192.0.2.206"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised", "enhanced-x-1-1"]);
    assert!(
        reason(&d, "enhanced-x-1-1").contains("dana@mailhost6.example"),
        "{}",
        reason(&d, "enhanced-x-1-1")
    );
    assert_eq!(
        step_ids(&d)[..2],
        ["spf-authorise-ip", "action-suppress-address"]
    );
    assert_eq!(fixing(&d), ["spf-authorise-ip", "action-suppress-address"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "multi6.example",
            "TXT",
            "v=spf1 ip4:192.0.2.205 ip4:192.0.2.206 -all"
        )]
    );
    let suppress = step(&d, "action-suppress-address");
    assert!(
        details(suppress).contains("dana@mailhost6.example"),
        "{}",
        details(suppress)
    );
    // One address listed: the singular wording stays.
    assert_eq!(suppress["title"], "Stop sending to the rejected address");
    // Its text is about the unknown user's reply, not Gmail's.
    assert!(
        suppress["why"].as_str().unwrap().starts_with("550 5.1.1"),
        "{}",
        suppress["why"]
    );
    assert!(
        !details(suppress).contains("sam.reader"),
        "{}",
        details(suppress)
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn without_the_ip_the_unknown_user_is_still_a_cause_beside_no_dns_cause() {
    // Same bounce without --ip: the DMARC refusal has no cause this run can show (the IP is
    // unknown), but the unknown user is one, and both sections are printed.
    let (rc, d) = diagnose_with_code(
        "tests/fixtures/scenarios6",
        "tests/fixtures/scenarios6/two-recipients.eml",
        &[],
    );
    assert_eq!(rc, 0, "an unknown user is no DNS error");
    assert!(d["no_cause_found"].is_object());
    assert_eq!(cause_ids(&d), ["enhanced-x-1-1"]);
    assert_eq!(fixing(&d), ["action-suppress-address"]);
    let out = {
        let o = run(
            &[
                "diagnose",
                "tests/fixtures/scenarios6/two-recipients.eml",
                "--zone",
                "tests/fixtures/scenarios6",
                "--offline",
            ],
            None,
        );
        stdout(&o)
    };
    let no_cause = out.find("No cause found in DNS").unwrap();
    let cause = out.find("Likely cause").expect(&out);
    assert!(no_cause < cause, "{out}");
    assert!(
        out.contains("dana@mailhost6.example is not about DNS"),
        "{out}"
    );
}

#[test]
fn two_unknown_users_beside_a_dmarc_refusal_are_one_suppression_step_naming_both() {
    // lee@ and kim@ unknown (one kind of failure), pat@gmail.com refused for DMARC. One
    // suppression step naming both addresses, never one per address or only the first.
    let (rc, d) = bounce("three-recipients.eml", &["--ip", "192.0.2.88"]);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised", "enhanced-x-1-1"]);
    assert!(
        reason(&d, "enhanced-x-1-1").contains("lee@mailhost7.example and kim@mailhost7.example"),
        "{}",
        reason(&d, "enhanced-x-1-1")
    );
    let ids = step_ids(&d);
    assert_eq!(
        ids.iter()
            .filter(|s| *s == "action-suppress-address")
            .count(),
        1
    );
    let det = details(step(&d, "action-suppress-address"));
    assert!(
        det.contains("lee@mailhost7.example") && det.contains("kim@mailhost7.example"),
        "{det}"
    );
    assert!(!det.contains("pat.reader"), "{det}");
    // A step listing two addresses speaks of addresses, not "the rejected address".
    let s = step(&d, "action-suppress-address");
    assert_eq!(s["title"], "Stop sending to the rejected addresses");
    assert!(
        s["why"]
            .as_str()
            .unwrap()
            .contains("these mailboxes do not exist"),
        "{}",
        s["why"]
    );
}

#[test]
fn gmail_and_outlook_refusing_for_one_spf_gap_is_one_cause_naming_both_replies() {
    // Outlook's 5.7.515 for jo@outlook.com and Gmail's 5.7.26 for pat@gmail.com, both because
    // the relay .88 is not in SPF: one cause, said once, naming both refusals; one SPF step.
    let (rc, d) = bounce("gmail-and-outlook.eml", &["--ip", "192.0.2.88"]);
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let why = reason(&d, "spf-ip-not-authorised");
    assert!(why.contains("5.7.515") && why.contains("5.7.26"), "{why}");
    assert!(why.contains("pat.reader@gmail.com"), "{why}");
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
    assert!(
        !step_ids(&d).iter().any(|s| s.starts_with("action-")),
        "{:?}",
        step_ids(&d)
    );
    // Both providers refused the sender: each one's escalation path is given, the second
    // under also_escalate (before, only the first provider's was).
    let mut paths = vec![d["escalation"]["provider"].as_str().unwrap().to_string()];
    for e in d["also_escalate"].as_array().unwrap() {
        paths.push(e["provider"].as_str().unwrap().to_string());
    }
    paths.sort();
    assert_eq!(paths, ["gmail", "microsoft"]);
}

#[test]
fn the_human_report_gives_each_refusing_providers_escalation_path() {
    let out = human(
        &format!("{ZONES}/gmail-and-outlook.eml"),
        &["--ip", "192.0.2.88"],
    );
    assert_eq!(out.matches("Escalation (").count(), 1, "{out}");
    assert_eq!(out.matches("Escalation, also (").count(), 1, "{out}");
}

#[test]
fn an_unknown_user_beside_a_refusal_adds_no_escalation_path() {
    // lee@ and kim@ unknown at mailhost7 beside Gmail's DMARC refusal: a recipient's mailbox
    // is not a provider to escalate to.
    let (_, d) = bounce("three-recipients.eml", &["--ip", "192.0.2.88"]);
    assert_eq!(d["also_escalate"], serde_json::json!([]));
}

// ------------------------------------------------- SPF: several records, merged

#[test]
fn two_spf_records_that_are_over_the_limit_only_merged_get_the_merge_and_then_the_lookup_step() {
    // Record 1: ip4 + 2 includes; record 2 (a marketing team's): 9 includes. As published
    // both are a permerror; merged they cost 11 lookups. The operator expects the merge first,
    // the merged count stated as 11 (not the first record's 2), and the step that brings it
    // under 10 right after, as the merge step promises.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@twospf7.example",
            "--ip",
            "192.0.2.71",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    // Merged, the lookup count is a cause of its own: the merge alone does not fix SPF.
    assert_eq!(
        cause_ids(&d),
        [
            "spf-multiple-records",
            "spf-too-many-lookups",
            "spf-permerror"
        ]
    );
    assert_eq!(step_ids(&d)[..2], ["spf-merge", "spf-lookups"]);
    assert_eq!(fixing(&d), ["spf-merge", "spf-lookups"]);
    let merge = details(first_step(&d));
    assert!(merge.contains("still costs 11 DNS lookups"), "{merge}");
    assert!(
        merge.contains("the next step brings it under the limit"),
        "{merge}"
    );
    assert!(details(step(&d, "spf-lookups")).contains("11 DNS lookups (limit 10)"));
    assert!(
        message_of(&d, "spf-too-many-lookups")
            .contains("SPF records of twospf7.example merged into one takes up to 11"),
        "{}",
        message_of(&d, "spf-too-many-lookups")
    );
}

#[test]
fn check_counts_two_spf_records_as_they_would_cost_merged() {
    // `check` said "2 records, 3/10 lookups": the first record's count, which tells the owner
    // nothing about the record they must publish.
    let o = run(
        &[
            "check",
            "twospf7.example",
            "--ip",
            "192.0.2.71",
            "--only",
            "spf",
            "--zone",
            ZONES,
            "--offline",
        ],
        None,
    );
    let out = stdout(&o);
    assert!(
        out.contains("2 records (counted merged), 11/10 lookups"),
        "{out}"
    );
    assert_eq!(code(&o), 1);
    // One record or none: nothing was merged, and the line does not say so.
    let o = run(
        &[
            "check",
            "bounce.ses7.example",
            "--only",
            "spf",
            "--zone",
            ZONES,
            "--offline",
        ],
        None,
    );
    let out = stdout(&o);
    assert!(out.contains("0 records, 0/10 lookups"), "{out}");
    assert!(!out.contains("counted merged"), "{out}");
}

// ------------------------------------------------- DMARC records

#[test]
fn a_dmarc_tag_written_twice_is_an_invalid_record_named_with_both_values() {
    // `p=none; ...; p=reject`: RFC 9989 writes records in DKIM's tag syntax, where a repeated
    // tag invalidates the record; receivers that follow it apply no policy, others the first
    // or the last. Microsoft's 5.7.515 wants a valid DMARC record: the record is the cause.
    // The repair keeps one p= and says which of the two it kept, and the stages lead on.
    let (rc, d) = diagnose(
        &ms_5515("duptag7.example"),
        &[
            "--from",
            "news@duptag7.example",
            "--ip",
            "192.0.2.72",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-syntax-error"]);
    let msg = message_of(&d, "dmarc-syntax-error");
    assert!(
        msg.contains("appears 2 times (`p=none`, `p=reject`)"),
        "{msg}"
    );
    assert!(msg.contains("apply different ones"), "{msg}");
    assert!(msg.contains("whole record invalid"), "{msg}");
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-fix");
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.duptag7.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:dmarc@duptag7.example"
        )]
    );
    assert!(
        details(s).contains("keeps `p=none`, the first"),
        "{}",
        details(s)
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn report_authorisation_waits_for_the_longest_negative_ttl_of_the_destinations() {
    // rua= at repa7.example (negative TTL 900) and repb7.example (1800); this zone's is 300.
    // Report senders cached "not authorised" under each destination's own SOA (RFC 2308):
    // once both publish, the last cache expires after 1800 s. Not 300 (our zone), not 900
    // (the first destination).
    let (rc, d) = diagnose(
        &ms_5515("ruattl7.example"),
        &[
            "--from",
            "news@ruattl7.example",
            "--ip",
            "192.0.2.74",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = step(&d, "dmarc-authorise-reports");
    assert_eq!(
        records(s),
        [
            rec(
                "ruattl7.example._report._dmarc.repa7.example",
                "TXT",
                "v=DMARC1"
            ),
            rec(
                "ruattl7.example._report._dmarc.repb7.example",
                "TXT",
                "v=DMARC1"
            ),
        ]
    );
    assert_eq!(s["wait_seconds"], 1800);
    assert_eq!(s["fixes_likely_cause"], false);
}

#[test]
fn a_report_address_inside_the_same_organization_needs_no_authorisation() {
    // rua=mailto:agg@reports.ruasame7.example: same organization, no _report._dmarc record is
    // needed (RFC 9990 section 3). The 5.7.515 is DKIM: the signing selector k1 is missing.
    let (rc, d) = diagnose(
        &ms_5515("ruasame7.example"),
        &[
            "--from",
            "news@ruasame7.example",
            "--ip",
            "192.0.2.75",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    assert_eq!(first_step(&d)["id"], "dkim-publish");
    assert!(!finding_ids(&d).contains(&"dmarc-report-destination-unauthorised".to_string()));
    assert!(!step_ids(&d).contains(&"dmarc-authorise-reports".to_string()));
}

#[test]
fn a_from_domain_declaring_itself_a_psd_is_named_once_and_told_to_use_its_exact_name() {
    // psdfrom7.example publishes psd=y; the MAIL FROM is bounce.psdfrom7.example. By the tree
    // walk that subdomain is an organization of its own, by the PSL it is not. The warning
    // named "bank.example by the tree walk, bank.example by the PSL": the From domain's
    // organization twice. The operator needs the identifier's own organizations, and advice
    // that works (a name "under" the From domain is exactly what fails here).
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@psdfrom7.example",
            "--mail-from",
            "b@bounce.psdfrom7.example",
            "--ip",
            "192.0.2.76",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-psd-on-registrable-domain"]);
    let msg = message_of(&d, "dmarc-psl-disagreement");
    assert!(
        msg.contains(
            "its organizational domain bounce.psdfrom7.example, the From domain's psdfrom7.example"
        ),
        "{msg}"
    );
    assert!(
        !msg.contains("psdfrom7.example by the tree walk, psdfrom7.example by"),
        "{msg}"
    );
    assert!(msg.contains("of exactly psdfrom7.example"), "{msg}");
    assert!(!msg.contains("at or under psdfrom7.example"), "{msg}");
    assert_eq!(first_step(&d)["id"], "dmarc-fix");
}

#[test]
fn a_subdomain_return_path_is_not_misaligned_while_no_dmarc_record_exists_yet() {
    // SendGrid with automated security: MAIL FROM em7.sg7.example (a CNAME into sendgrid.net,
    // SPF passes), DKIM s1 delegated by CNAME (valid). No DMARC record at all. The 5.7.26 is
    // the missing record. With no record anywhere the tree walk makes every name its own
    // organization, so em7.sg7.example looked unaligned and the plan proposed a custom
    // return path beside the one already in place: once _dmarc.sg7.example exists, the walk
    // from em7.sg7.example finds it and both align.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@sg7.example",
            "--mail-from",
            "bounces+7@em7.sg7.example",
            "--ip",
            "198.51.100.131",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "_dmarc.sg7.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@sg7.example"
        )]
    );
    let ids = step_ids(&d);
    assert!(!ids.contains(&"dmarc-alignment".to_string()), "{ids:?}");
    let f = finding_ids(&d);
    assert!(!f.contains(&"dmarc-spf-not-aligned".to_string()), "{f:?}");
    assert!(!f.contains(&"dmarc-psl-disagreement".to_string()), "{f:?}");
    // The DKIM key reached through the CNAME is valid: no DKIM step.
    assert!(!ids.iter().any(|s| s.starts_with("dkim-")), "{ids:?}");
}
