//! Round 3 of held-out style `diagnose` scenarios: the forms users bring (a bounce with no
//! flags, provider refusals that name the IP their own way, blocklists, rate limits) and DNS
//! faults from RFC 7208, RFC 8301, RFC 7505 and RFC 9989. Each names the cause a careful operator
//! blames first, the first step and what it publishes, the red herring that must not be blamed,
//! the exit code and the escalation.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids,
    first_step, fixing, rec, records, step, step_ids,
};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios3";

/// `diagnose` offline over the round-3 zones: (exit code, JSON report).
fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

/// Every record value any step of the plan asks to publish.
fn all_records(d: &Value) -> Vec<(String, String, String)> {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(records)
        .collect()
}

// ---------------------------------------------------------------- SPF

#[test]
fn two_spf_records_merge_into_one_and_the_p_none_is_not_blamed() {
    let (rc, d) = diagnose(
        GMAIL_5727,
        &[
            "--from",
            "news@twospf.example",
            "--ip",
            "192.0.2.11",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-multiple-records");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-merge");
    assert_eq!(
        records(s),
        [rec(
            "twospf.example",
            "TXT",
            "v=spf1 ip4:192.0.2.11 include:_spf.sendco3.example -all"
        )]
    );
    // DMARC p=none is a warning on a 5.7.27: hardening, never the cause.
    assert!(finding_ids(&d).contains(&"dmarc-policy-none".to_string()));
    assert!(!cause_ids(&d).iter().any(|c| c.starts_with("dmarc-")));
    assert_eq!(fixing(&d), ["spf-merge"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn three_void_lookups_remove_the_dead_terms_instead_of_counting_lookups() {
    // 3 lookups in all, but a:old1, a:old2 and include:gone find nothing: the void limit (2)
    // is what fails, so the step is not about "10 lookups" and drops the three dead terms.
    let (rc, d) = diagnose(
        GMAIL_5727,
        &[
            "--from",
            "news@voids.example",
            "--ip",
            "192.0.2.21",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert!(cause_ids(&d).contains(&"spf-too-many-void-lookups".to_string()));
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-void-lookups");
    assert!(
        !s["title"].as_str().unwrap().contains("10 DNS lookups"),
        "{}",
        s["title"]
    );
    assert_eq!(
        records(s),
        [rec("voids.example", "TXT", "v=spf1 ip4:192.0.2.21 -all")]
    );
    // The dead include is one of the dropped terms: no second, record-less SPF step for it.
    assert_eq!(fixing(&d), ["spf-void-lookups"]);
    assert!(
        !step_ids(&d).contains(&"spf-fix".to_string()),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_include_of_a_name_without_spf_publishes_the_record_without_it() {
    // crm.incnone.example has a verification TXT and no SPF: reaching it is permerror.
    let (rc, d) = diagnose(
        GMAIL_5727,
        &[
            "--from",
            "news@incnone.example",
            "--ip",
            "192.0.2.43",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-include-without-spf");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-fix");
    assert_eq!(
        records(s),
        [rec(
            "incnone.example",
            "TXT",
            "v=spf1 ip4:192.0.2.41 ptr -all"
        )]
    );
    assert!(
        s["details"].to_string().contains("crm.incnone.example"),
        "{}",
        s["details"]
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_redirect_to_a_missing_name_blames_the_redirect_target() {
    let (rc, d) = diagnose(
        GMAIL_5727,
        &[
            "--from",
            "news@redir.example",
            "--ip",
            "192.0.2.31",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(d["domain"]["spf"]["result"]["result"], "permerror");
    assert_eq!(cause_ids(&d)[0], "spf-include-without-spf");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-fix");
    assert!(
        s["details"]
            .to_string()
            .contains("_spf.retired.redir.example"),
        "{}",
        s["details"]
    );
    // DKIM k1 and DMARC p=reject are fine: nothing of theirs fixes this.
    assert_eq!(fixing(&d), ["spf-fix"]);
}

#[test]
fn an_ipv6_sender_under_an_ipv4_only_spf_record_gets_an_ip6_term() {
    // The IPv6 address has a forward-confirmed PTR: Gmail's IPv6 refusal is about SPF here.
    let (rc, d) = diagnose(
        "550-5.7.1 [2001:db8:50::51] This message does not meet IPv6 sending guidelines regarding PTR records and authentication. Review https://support.google.com/mail/?p=IPv6AuthError for more information. 550 5.7.1 - gsmtp",
        &[
            "--from",
            "news@v6.example",
            "--ip",
            "2001:db8:50::51",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "v6.example",
            "TXT",
            "v=spf1 ip4:192.0.2.51 ip6:2001:db8:50::51 -all"
        )]
    );
    assert!(!step_ids(&d).contains(&"ptr-fcrdns".to_string()));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_spf_macro_that_authorises_the_ip_passes_and_nothing_is_blamed() {
    // exists:%{i}._spf.macro3.example: 192.0.2.64 has its A record there.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@macro3.example",
            "--ip",
            "192.0.2.64",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1, "the IP's missing PTR is an error, as hardening");
    assert_eq!(d["domain"]["spf"]["result"]["result"], "pass");
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert_eq!(escalation(&d), ("escalation-gmail", true));
}

#[test]
fn an_ip_outside_a_macro_record_is_added_without_dropping_the_macro() {
    let (rc, d) = diagnose(
        GMAIL_5727,
        &[
            "--from",
            "news@macro3.example",
            "--ip",
            "192.0.2.66",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].2.contains("exists:%{i}._spf.macro3.example") && r[0].2.contains("ip4:192.0.2.66"),
        "{}",
        r[0].2
    );
}

#[test]
fn a_null_reverse_path_is_judged_by_the_helo_domains_spf() {
    // A bounce's MAIL FROM is <>: SPF (and DMARC's SPF) then uses the HELO name, so the
    // record to change is mta.macro3.example's, not macro3.example's.
    let (rc, d) = diagnose(
        GMAIL_5727,
        &[
            "--from",
            "postmaster@macro3.example",
            "--mail-from",
            "<>",
            "--helo",
            "mta.macro3.example",
            "--ip",
            "192.0.2.66",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "mta.macro3.example",
            "TXT",
            "v=spf1 ip4:192.0.2.65 ip4:192.0.2.66 -all"
        )]
    );
}

#[test]
fn closing_plus_all_keeps_the_sender_that_only_passed_through_it() {
    // open.macro3.example publishes v=spf1 +all: 192.0.2.66 passes only through it. Before,
    // the step published "v=spf1 ~all", which fails this very sender.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &["--from", "news@open.macro3.example", "--ip", "192.0.2.66"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-plus-all");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-close-open-include");
    assert_eq!(
        records(s),
        [rec(
            "open.macro3.example",
            "TXT",
            "v=spf1 ip4:192.0.2.66 ~all"
        )]
    );
}

// ---------------------------------------------------------------- DMARC

#[test]
fn two_dmarc_records_merge_keeping_the_stronger_policy_and_both_report_addresses() {
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain twodmarc.example doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender.",
        &[
            "--from",
            "news@twodmarc.example",
            "--ip",
            "192.0.2.61",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-multiple-records"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-merge");
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.twodmarc.example",
            "TXT",
            "v=DMARC1; p=quarantine; rua=mailto:dmarc@twodmarc.example,mailto:reports@twodmarc.example"
        )]
    );
    // SPF and DKIM pass: no step touches them.
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dkim-")),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn an_unauthorised_external_report_address_is_not_why_gmail_refused() {
    // rua= points at vendor3.example, which publishes no _report._dmarc record: a warning.
    // The message failed SPF (IP not listed) and DKIM (no key at k1).
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@extrua.example",
            "--ip",
            "192.0.2.99",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(
        cause_ids(&d),
        ["spf-ip-not-authorised", "dkim-selector-missing"]
    );
    assert!(finding_ids(&d).contains(&"dmarc-report-destination-unauthorised".to_string()));
    assert_eq!(fixing(&d), ["spf-authorise-ip", "dkim-publish"]);
    assert_eq!(
        records(step(&d, "dkim-publish"))[0].0,
        "k1._domainkey.extrua.example"
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_nonexistent_subdomain_under_np_reject_is_told_to_send_from_a_domain_that_exists() {
    let (rc, d) = diagnose(
        "550-5.7.26 Unauthenticated email from ghost.corp3.example is not accepted due to domain's DMARC policy. Please contact the administrator of ghost.corp3.example domain if this was a legitimate mail. To learn about the DMARC initiative, go to https://support.google.com/mail/?p=DmarcRejection 550 5.7.26 - gsmtp",
        &["--from", "alerts@ghost.corp3.example", "--ip", "192.0.2.78"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["domain-nonexistent"]);
    assert_eq!(first_step(&d)["id"], "domain-create");
    // The parent's p=none is not what applies to a name that does not exist (np=reject is).
    assert!(!all_records(&d).iter().any(|r| r.0.starts_with("_dmarc.")));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

// ---------------------------------------------------------------- DKIM

#[test]
fn a_dmarc_cname_to_a_vendor_is_valid_and_the_dangling_dkim_cname_is_repaired_alone() {
    // _dmarc is a CNAME to the vendor's p=reject record; s1 is a CNAME to a name at the ESP
    // that has no key. One step repairs s1; no "publish a key at <selector>" beside it.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@cnamedmarc.example",
            "--mail-from",
            "b@bounces.sendco3.example",
            "--ip",
            "198.51.100.9",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "dkim-cname-dangling");
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-cname");
    assert!(
        s["details"][0]
            .as_str()
            .unwrap()
            .contains("s1.cnamedmarc.dkim.sendco3.example"),
        "{}",
        s["details"]
    );
    assert_eq!(fixing(&d), ["dkim-fix-cname"]);
    assert!(
        !all_records(&d).iter().any(|r| r.0.contains('<')),
        "a placeholder selector in {:?}",
        all_records(&d)
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_signing_key_restricted_to_sha1_is_republished_without_h() {
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@sha1.example",
            "--ip",
            "192.0.2.74",
            "--dkim-selector",
            "old",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-sha1-only"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-allow-sha256");
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "old._domainkey.sha1.example");
    assert!(
        r[0].2.starts_with("v=DKIM1; k=rsa; p=MIIBIjAN") && !r[0].2.contains("h="),
        "{}",
        r[0].2
    );
    assert_eq!(fixing(&d), ["dkim-allow-sha256"]);
}

#[test]
fn a_testing_mode_key_is_hardening_while_spf_fails_the_message() {
    // t=y still verifies; the IP is outside SPF.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@sha1.example",
            "--ip",
            "192.0.2.98",
            "--dkim-selector",
            "test",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(first_step(&d)["id"], "spf-authorise-ip");
    assert!(step_ids(&d).contains(&"dkim-remove-testing".to_string()));
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
}

#[test]
fn a_bounce_alone_finds_the_unpublished_signing_selector() {
    // No flag: domain, MAIL FROM, HELO and the selector come from the bounce. The message was
    // signed with s=mar2026, never published; the domain's k1 key is a red herring.
    let (rc, d) = diagnose(
        "tests/fixtures/scenarios3/bounce-unpublished-selector.eml",
        &[],
    );
    assert_eq!(rc, 1);
    assert_eq!(d["domain"]["domain"], "bouncy.example");
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-publish");
    assert_eq!(records(s)[0].0, "mar2026._domainkey.bouncy.example");
    let ip = d["input"]["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "ip")
        .unwrap();
    assert_eq!(ip["value"], "unknown", "{ip}");
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

// ---------------------------------------------------------------- MX of the sending domain

#[test]
fn a_null_mx_on_the_from_domain_itself_is_the_cause() {
    let (rc, d) = diagnose(
        "550 5.7.27 Sender address has null MX",
        &[
            "--from",
            "news@nullfrom.example",
            "--ip",
            "192.0.2.75",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["mx-null"]);
    assert_eq!(first_step(&d)["id"], "mx-fix");
    assert_eq!(fixing(&d), ["mx-fix"]);
}

#[test]
fn sender_domain_not_found_blames_the_missing_mx_and_address() {
    // Postfix's reject_unknown_sender_domain: nomx.example has SPF, DKIM and DMARC but neither
    // MX nor A/AAAA. Before: "DNS does not explain this rejection".
    let (rc, d) = diagnose(
        "450 4.1.8 <news@nomx.example>: Sender address rejected: Domain not found",
        &[
            "--from",
            "news@nomx.example",
            "--ip",
            "192.0.2.76",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["mx-missing"]);
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
    assert_eq!(first_step(&d)["id"], "mx-fix");
    assert_eq!(fixing(&d), ["mx-fix"]);
    // DMARC p=none is a warning here, not this refusal.
    assert!(!fixing(&d).iter().any(|s| s.starts_with("dmarc-")));
}

// ---------------------------------------------------------------- providers

#[test]
fn comcast_ptr_refusal_checks_the_ip_it_names_after_its_own_host() {
    // Comcast writes "<its host> <its host> <client IP> ...": 192.0.2.95 has no PTR. Before,
    // no IP was taken, the run said DNS does not explain it and escalated at once.
    let (rc, d) = diagnose(
        "554 resimta-ch2-18v.sys.comcast.net resimta-ch2-18v.sys.comcast.net 192.0.2.95 Comcast requires that all mail servers must have a PTR record with a valid Reverse DNS entry. Currently your mail server does not fit this criteria. For more information, refer to: http://postmaster.comcast.net/smtp-error-codes.php#554",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-fcrdns");
    assert_eq!(
        records(s),
        [
            rec("95.2.0.192.in-addr.arpa", "PTR", "mail.tidy3.example"),
            rec("mail.tidy3.example", "A", "192.0.2.95"),
        ]
    );
    // The IP is outside SPF too, which a PTR refusal is not about.
    assert_eq!(fixing(&d), ["ptr-fcrdns"]);
    assert_eq!(escalation(&d), ("escalation-comcast", false));
}

#[test]
fn a_ptr_refusal_without_the_sending_ip_is_not_verified_dns() {
    // Neither --ip nor an address in the reply: PTR looked at the MX hosts only, which says
    // nothing about the sending IP, so "escalate now, DNS verified" would be untrue.
    let (_, d) = diagnose(
        "550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. 550 5.7.25 - gsmtp",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert!(cause_ids(&d).is_empty());
    assert!(
        d["no_cause_found"]["possible_reasons"][0]
            .as_str()
            .unwrap()
            .contains("--ip"),
        "{}",
        d["no_cause_found"]
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn outlook_s3150_network_block_requests_delisting_not_an_spf_change() {
    let (rc, d) = diagnose(
        "550 5.7.1 Unfortunately, messages from [192.0.2.95] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [AM1PEPF000252DA.eurprd07.prod.outlook.com]",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["microsoft-s3150-network-on-block-list"]);
    assert_eq!(first_step(&d)["id"], "action-request-delisting");
    assert!(
        first_step(&d)["title"]
            .as_str()
            .unwrap()
            .contains("192.0.2.95"),
        "{}",
        first_step(&d)["title"]
    );
    assert!(!fixing(&d).iter().any(|s| s.starts_with("spf-")));
    assert_eq!(escalation(&d), ("escalation-microsoft-blocklist", true));
}

#[test]
fn t_online_bl_refusal_escalates_to_t_online_for_the_ip_it_names() {
    // "554 IP=<addr> ...": before, the IP was not taken and the escalation was the generic
    // postmaster@ mailbox; T-Online lifts its blocks on a request to the address it names.
    let (rc, d) = diagnose(
        "554 IP=192.0.2.96 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["t-online-bl-blocked"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "action-request-delisting");
    assert!(
        s["title"].as_str().unwrap().contains("192.0.2.96"),
        "{}",
        s["title"]
    );
    assert!(!fixing(&d).iter().any(|s| s.starts_with("spf-")));
    assert_eq!(escalation(&d), ("escalation-t-online", true));
    assert!(
        d["escalation"]["where"]
            .to_string()
            .contains("tosa@rx.t-online.de"),
        "{}",
        d["escalation"]["where"]
    );
}

#[test]
fn orange_too_many_connections_slows_down_with_no_dns_fix() {
    let (rc, d) = diagnose(
        "421 mwinf5c10 ME Trop de connexions, ralentissez. Too many connections, slow down. LPN105_104",
        &[
            "--from",
            "news@tidy3.example",
            "--ip",
            "192.0.2.96",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["orange-104-too-many-connections"]);
    assert_eq!(first_step(&d)["id"], "action-slow-down");
    assert_eq!(fixing(&d), ["action-slow-down"]);
    assert_eq!(escalation(&d), ("escalation-orange", false));
}

#[test]
fn yahoo_tss04_with_clean_dns_slows_down_and_invents_no_dns_cause() {
    // 192.0.2.85 is in bouncy.example's SPF and has a confirmed PTR; k1 and p=reject are fine.
    let (rc, d) = diagnose(
        "421 4.7.0 [TSS04] Messages from 192.0.2.85 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        &["--from", "billing@bouncy.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    assert_eq!(first_step(&d)["id"], "action-slow-down");
    assert!(fixing(&d).is_empty());
    assert!(
        d["no_cause_found"]["possible_reasons"][0]
            .as_str()
            .unwrap()
            .contains("temporary"),
        "{}",
        d["no_cause_found"]
    );
    assert_eq!(escalation(&d).0, "escalation-yahoo");
}

// ---------------------------------------------------------------- blocklists

#[test]
fn spamcop_listing_is_delisted_at_spamcop() {
    let (rc, d) = diagnose(
        "554 5.7.1 Service unavailable; Client host [192.0.2.92] blocked using bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.92",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    assert_eq!(first_step(&d)["id"], "blocklist-delist");
    assert!(
        !fixing(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("ptr-"))
    );
    assert_eq!(escalation(&d), ("escalation-spamcop", true));
}

#[test]
fn barracuda_listing_escalates_to_barracuda_central() {
    // Before: the rule names escalation "barracuda", which had no entry (generic postmaster).
    let (rc, d) = diagnose(
        "554 Service unavailable; Client host [192.0.2.94] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.94",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    assert_eq!(first_step(&d)["id"], "blocklist-delist");
    assert_eq!(escalation(&d), ("escalation-barracuda", true));
    assert!(
        d["escalation"]["where"]
            .to_string()
            .contains("barracudacentral.org/rbl/removal-request"),
        "{}",
        d["escalation"]["where"]
    );
}

#[test]
fn uceprotect_listing_is_the_cause() {
    let (rc, d) = diagnose(
        "550 5.7.1 rejected because 192.0.2.93 is in a black list at dnsbl-1.uceprotect.net: Your IP 192.0.2.93 is UCEPROTECT-Level 1 listed. See https://www.uceprotect.net/rblcheck.php?ipr=192.0.2.93",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    assert!(
        d["likely_causes"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("UCEPROTECT"),
        "{}",
        d["likely_causes"][0]
    );
    assert_eq!(first_step(&d)["id"], "blocklist-delist");
    assert!(escalation(&d).1);
    // UCEPROTECT's own entry, not the generic postmaster one: Level 1 expires by itself.
    assert_eq!(d["escalation"]["id"], "escalation-uceprotect");
    assert!(
        d["escalation"]["where"]
            .to_string()
            .contains("uceprotect.net")
    );
}

#[test]
fn a_spamhaus_reply_when_only_barracuda_lists_the_ip_says_so_instead_of_all_clear() {
    // ZEN no longer lists 192.0.2.97; Barracuda does. The Barracuda listing is not why this
    // receiver (which named Spamhaus) refused, and "those checks pass" would be untrue.
    let (rc, d) = diagnose(
        "554 5.7.1 Service unavailable; Client host [192.0.2.97] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.97",
        &["--from", "news@tidy3.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    let msg = d["no_cause_found"]["message"].as_str().unwrap();
    assert!(
        msg.contains("blocklist-listed") && !msg.contains("pass"),
        "{msg}"
    );
    // Getting off Barracuda is still in the plan, as hardening.
    let s = step(&d, "blocklist-delist");
    assert_eq!(s["fixes_likely_cause"], false);
    assert!(
        s["details"].to_string().contains("Barracuda"),
        "{}",
        s["details"]
    );
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert_eq!(escalation(&d).0, "escalation-spamhaus");
}
