//! Round 5 of held-out style `diagnose` scenarios: inputs as users bring them (a list-forward
//! NDR, replies that name the client address in their own way, a TXT record split without a
//! space, a stale second PTR, a misspelt DMARC policy, lookups that fail for one name only).
//! Each scenario names the cause blamed first, the first step and what it publishes, the red
//! herring not blamed, the exit code and the escalation; `diagnose_with_code` holds every
//! record of every plan to `assert_publishable`.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{
    GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids, first_step, fixing, rec,
    records, step, step_ids,
};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios5";

/// Gmail's 5.7.27 as it reads since 2025: the client address after "SPF with".
fn gmail_5727(ip: &str) -> String {
    format!(
        "550-5.7.27 This message was blocked because it didn't pass SPF authentication. Gmail requires bulk email senders to authenticate their email with SPF. Authentication results: SPF with {ip} = did not pass 5b1f17b1804b1-4si2.2 - gsmtp"
    )
}

fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

fn details(s: &Value) -> String {
    s["details"].to_string()
}

fn reasons(d: &Value) -> Vec<String> {
    d["no_cause_found"]["possible_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------- bounces and replies as brought

#[test]
fn a_list_that_changed_the_body_is_no_dns_fault_and_gets_no_return_path_step() {
    // An Outlook NDR of a post that lists5.example re-sent: Microsoft's Authentication-Results
    // say `spf=pass smtp.mailfrom=lists5.example; dkim=fail (body hash did not verify)
    // header.d=listfwd5.example`. The sender's SPF, DKIM k1 and DMARC p=reject are right.
    // Before: a `dmarc-alignment` step published `bounces.listfwd5.example CNAME lists5.example`
    // (the list's domain as the sender's return path), the reasons opened with "another IP",
    // and "escalate now" sent the user to Microsoft, which applied the policy as published.
    let (rc, d) = diagnose("tests/fixtures/scenarios5/list-forward.eml", &[]);
    assert_eq!(rc, 0);
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    let first = &reasons(&d)[0];
    assert!(first.contains("body hash did not verify"), "{first}");
    assert!(first.contains("lists5.example"), "{first}");
    assert!(
        first.contains("No DNS change of listfwd5.example"),
        "{first}"
    );
    // ARC is named as the list's business, never proposed as the sender's fix.
    assert!(first.contains("ARC is not a fix you publish"));
    // No step publishes anything: not a return path at the list, not a lower policy.
    assert!(
        d["plan"].as_array().unwrap().is_empty(),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn an_att_block_checks_the_ip_in_angle_brackets_and_goes_to_att() {
    // `521< 192.0.2.168 >_is_blocked`: AT&T's own list. Before: no IP was read from the reply
    // (the blocklist and SPF checks ran without it) and the escalation was the generic
    // "write to the recipient's postmaster".
    let (rc, d) = diagnose(
        "553 5.3.0 flph829 DNSBL:RBL 521< 192.0.2.168 >_is_blocked.For assistance forward this email to abuse_rbl@abuse-att.net",
        &["--from", "news@att5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert_eq!(d["input"]["params"]["ip"], "192.0.2.168");
    assert_eq!(cause_ids(&d), ["att-blocked-sending-ip"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "action-request-delisting");
    assert_eq!(
        s["title"],
        "Request delisting of 192.0.2.168 from the provider's blocklist"
    );
    // Clean SPF for the IP the reply names: no SPF step.
    assert!(finding_ids(&d).contains(&"spf-ip-authorised".to_string()));
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("spf-")));
    assert_eq!(escalation(&d), ("escalation-att", true));
    assert!(
        d["escalation"]["where"]
            .to_string()
            .contains("abuse_rbl@abuse-att.net")
    );
}

#[test]
fn a_gmx_block_reads_the_ip_from_its_case_link_and_goes_to_gmx() {
    // GMX names the client only in its case link (`&i=ip&v=192.0.2.166`). Before: the run
    // checked no IP (`ptr-no-ip`, no blocklist lookup of the address).
    let (rc, d) = diagnose(
        "554 gmx.net (mxgmx104) Nemesis ESMTP Service not available No SMTP service IP address is block listed. For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=192.0.2.166&r=1MNcgj-1ue23t3pyV-00S2YR",
        &["--from", "news@yahoo5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert_eq!(d["input"]["params"]["ip"], "192.0.2.166");
    assert_eq!(cause_ids(&d), ["gmx-ip-block-listed"]);
    assert_eq!(first_step(&d)["id"], "action-request-delisting");
    assert!(finding_ids(&d).contains(&"spf-ip-authorised".to_string()));
    assert!(!finding_ids(&d).contains(&"ptr-no-ip".to_string()));
    assert_eq!(escalation(&d), ("escalation-gmx", true));
}

#[test]
fn a_vendor_that_closed_leaves_the_new_relay_unauthorised_and_gmails_ip_is_read() {
    // SPF: `ip4:192.0.2.175 include:_spf.oldvendor5.example ~all`, the vendor now `-all` only;
    // mail leaves 198.51.100.75, named only in Gmail's "SPF with 198.51.100.75 =". Before: no
    // IP was read, no SPF result, no cause, and "escalate now"; with --ip, a record that kept
    // the dead include.
    let (rc, d) = diagnose(
        &gmail_5727("198.51.100.75"),
        &["--from", "news@closedv5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(d["input"]["params"]["ip"], "198.51.100.75");
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    // The closed vendor's include authorises nobody: it goes, one lookup fewer. Before the
    // fix the record kept it.
    assert_eq!(
        records(s),
        [rec(
            "closedv5.example",
            "TXT",
            "v=spf1 ip4:192.0.2.175 ip4:198.51.100.75 ~all"
        )]
    );
    assert!(
        details(s).contains("dropped include:_spf.oldvendor5.example"),
        "{}",
        details(s)
    );
    // DMARC p=none is hardening, not why Gmail refused SPF.
    assert!(!cause_ids(&d).iter().any(|c| c.starts_with("dmarc-")));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_spf_record_split_without_a_space_is_republished_with_the_space() {
    // `"v=spf1 ip4:192.0.2.178 include:_spf.split5.example" "~all"` joins to
    // `include:_spf.split5.example~all`: permerror for everyone. Mail from 192.0.2.179 (in the
    // include). Before: an `spf-fix` step with no record at all.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.179"),
        &["--from", "news@split5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-syntax-error");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-fix");
    assert_eq!(
        records(s),
        [rec(
            "split5.example",
            "TXT",
            "v=spf1 ip4:192.0.2.178 include:_spf.split5.example ~all"
        )]
    );
    assert!(
        details(s).contains("two terms glued together"),
        "{}",
        details(s)
    );
    assert_eq!(fixing(&d), ["spf-fix"]);
    assert!(!step_ids(&d).iter().any(|s| s == "dmarc-alignment"));
}

#[test]
fn an_spf_record_split_right_after_its_version_is_repaired_not_published_anew() {
    // `"v=spf1" "ip4:192.0.2.178" "include:_spf.vsplit5.example ~all"` joins to
    // `v=spf1ip4:...`: receivers see no SPF record at all. Before: `spf-publish` offered a new
    // starter record beside the broken one (`v=spf1 ip4:192.0.2.179 ~all`), dropping the
    // include, and a second step repeated the finding with no record.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.179"),
        &["--from", "news@vsplit5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert!(
        cause_ids(&d)
            .iter()
            .any(|c| c == "spf-version-not-terminated"),
        "{:?}",
        cause_ids(&d)
    );
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-fix");
    assert_eq!(
        records(s),
        [rec(
            "vsplit5.example",
            "TXT",
            "v=spf1 ip4:192.0.2.178 include:_spf.vsplit5.example ~all"
        )]
    );
    assert!(!step_ids(&d).iter().any(|s| s == "spf-publish"));
    assert_eq!(fixing(&d), ["spf-fix"]);
}

#[test]
fn a_stale_second_ptr_is_removed_not_published_again() {
    // 192.0.2.164 has two PTRs: mx.twoptr5.example (confirms) and old.gonehost5.example
    // (NXDOMAIN). Before: no cause ("only warnings"), "escalate now", and a step that asked to
    // publish `mx.twoptr5.example A 192.0.2.164`, a record that already exists.
    let (rc, d) = diagnose(
        "550-5.7.25 [192.0.2.164] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. - gsmtp",
        &["--from", "news@twoptr5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-not-confirmed"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-remove-stale");
    assert!(records(s).is_empty(), "{:?}", records(s));
    assert!(
        details(s).contains("remove: 164.2.0.192.in-addr.arpa. IN PTR old.gonehost5.example."),
        "{}",
        details(s)
    );
    // DMARC at quarantine is a later stage, not the cause.
    assert_eq!(fixing(&d), ["ptr-remove-stale"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_misspelt_dmarc_policy_is_named_and_repaired_to_a_valid_policy() {
    // `v=DMARC1; p=rejet; rua=...`: receivers apply none; Gmail 5.7.40 says the record
    // specifies no policy. SPF and DKIM pass aligned.
    let (rc, d) = diagnose(
        "550-5.7.40 Your message was blocked because the sending domain doesn't have a DMARC record or the DMARC record doesn't specify a DMARC policy. Gmail requires all bulk email senders to add a DMARC record to their sending domain. - gsmtp",
        &[
            "--from",
            "news@rejet5.example",
            "--ip",
            "192.0.2.173",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-syntax-error"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-fix");
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.rejet5.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:dmarc@rejet5.example"
        )]
    );
    assert!(
        details(s).contains("it reads like p=reject"),
        "{}",
        details(s)
    );
    // The stages lead to the policy that was meant; nothing about SPF or DKIM.
    let last = records(step(&d, "dmarc-reject")).pop().unwrap();
    assert_eq!(
        last.2,
        "v=DMARC1; p=reject; np=reject; rua=mailto:dmarc@rejet5.example"
    );
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dkim-"))
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

// ---------------------------------------------------------------- guards (passed at once)

#[test]
fn an_a_term_whose_host_moved_gets_the_old_relays_address_and_the_short_key_is_advice() {
    // `v=spf1 a:out.amoved5.example -all`; out now resolves to 192.0.2.162, mail still leaves
    // 192.0.2.161. DKIM k1 is 1024 bits: advice, not why SPF failed.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.161"),
        &[
            "--from",
            "news@amoved5.example",
            "--ip",
            "192.0.2.161",
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
            "amoved5.example",
            "TXT",
            "v=spf1 a:out.amoved5.example ip4:192.0.2.161 -all"
        )]
    );
    // Why the record that names the relay no longer covers it (added in this round).
    assert!(
        details(s).contains("`a:out.amoved5.example` resolves to 192.0.2.162, not to 192.0.2.161"),
        "{}",
        details(s)
    );
    let rotate = step(&d, "dkim-rotate-key");
    assert_eq!(rotate["fixes_likely_cause"], false);
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_mx_term_whose_hosts_have_only_aaaa_does_not_cover_an_ipv4_sender() {
    // `v=spf1 mx -all` and the MX host has only an AAAA: 192.0.2.163 fails.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.163"),
        &["--from", "news@mx6only5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "mx6only5.example",
            "TXT",
            "v=spf1 mx ip4:192.0.2.163 -all"
        )]
    );
    // Why `mx` does not cover it (added in this round).
    assert!(
        details(first_step(&d)).contains("`mx` resolves to no A address, not to 192.0.2.163"),
        "{}",
        details(first_step(&d))
    );
    assert!(!cause_ids(&d).iter().any(|c| c.starts_with("dmarc-")));
}

#[test]
fn nested_esp_includes_over_the_limit_give_each_includes_cost_and_where_evaluation_stopped() {
    // Three ESP includes costing 3, 5 and 3 lookups (11); the sending IP is in the last one's
    // second nested include, lookup 11.
    let (rc, d) = diagnose(
        &gmail_5727("203.0.113.130"),
        &["--from", "news@nest5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-too-many-lookups");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-lookups");
    let det = details(s);
    assert!(det.contains("11 DNS lookups (limit 10)"), "{det}");
    assert!(
        det.contains("include:_spf.espb5.example costs 5 lookups"),
        "{det}"
    );
    assert!(det.contains("is DNS lookup 11"), "{det}");
    // Another party's include is never flattened into addresses.
    assert!(records(s).is_empty(), "{:?}", records(s));
}

#[test]
fn gmail_5732_through_an_esp_blames_alignment_and_aligns_both_identities() {
    // SPF passes for bounce.espco5.example and DKIM for d=espco5.example: neither aligns.
    let (rc, d) = diagnose(
        "550-5.7.32 Your email was blocked because the From: header (RFC5322) in this message isn't aligned with either the authenticated SPF or DKIM organizational domain. 98e67ed59e1d1-3si2.7 - gsmtp",
        &[
            "--from",
            "news@align5.example",
            "--mail-from",
            "b123@bounce.espco5.example",
            "--ip",
            "198.51.100.74",
            "--dkim-domain",
            "espco5.example",
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-not-aligned"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-alignment");
    assert_eq!(
        records(s),
        [
            rec("bounces.align5.example", "CNAME", "bounce.espco5.example"),
            rec(
                "s1._domainkey.align5.example",
                "CNAME",
                "s1._domainkey.espco5.example"
            ),
        ]
    );
    // SPF itself passes: nothing to add to it.
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("spf-")));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_spamhaus_css_listing_of_an_ip_that_passes_spf_is_the_cause_and_p_none_is_not() {
    let (rc, d) = diagnose(
        "554 5.7.1 Service unavailable; Client host [192.0.2.170] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.170",
        &["--from", "news@css5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "blocklist-delist");
    assert!(details(s).contains("CSS"), "{}", details(s));
    assert!(finding_ids(&d).contains(&"spf-ip-authorised".to_string()));
    assert_eq!(step(&d, "dmarc-quarantine")["fixes_likely_cause"], false);
    assert_eq!(escalation(&d), ("escalation-spamhaus", true));
}

#[test]
fn a_deep_subdomain_under_a_psd_n_record_publishes_its_own_spf_not_a_dmarc_record() {
    // From news@a.b.tw5.example: no record at _dmarc.a.b or _dmarc.b; the tree walk finds
    // `p=reject; psd=n` at tw5.example, which applies (the name exists). DKIM d=tw5.example
    // aligns (relaxed). The subdomain has no SPF of its own: Microsoft's 5.7.515 wants SPF pass.
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain a.b.tw5.example doesn't meet the required authentication level.",
        &[
            "--from",
            "news@a.b.tw5.example",
            "--ip",
            "192.0.2.180",
            "--dkim-domain",
            "tw5.example",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-publish");
    assert_eq!(
        records(s),
        [rec("a.b.tw5.example", "TXT", "v=spf1 ip4:192.0.2.180 ~all")]
    );
    // The inherited p=reject is found and left alone: no DMARC record for the subdomain.
    assert!(finding_ids(&d).contains(&"dmarc-inherited".to_string()));
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("dmarc-")));
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn comcast_dnsbl_block_requests_delisting_and_goes_to_comcast() {
    let (rc, d) = diagnose(
        "554 5.7.1 resimta-po-28v.sys.comcast.net resimta-po-28v.sys.comcast.net 192.0.2.169 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
        &["--from", "news@cc5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert_eq!(d["input"]["params"]["ip"], "192.0.2.169");
    assert_eq!(first_step(&d)["id"], "action-request-delisting");
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("spf-")));
    assert_eq!(escalation(&d), ("escalation-comcast", true));
}

#[test]
fn yahoo_tss09_permanent_deferral_has_no_dns_cause_and_goes_to_yahoo() {
    let (rc, d) = diagnose(
        "553 5.7.2 [TSS09] All messages from 192.0.2.166 will be permanently deferred; Retrying will NOT succeed. See https://senders.yahooinc.com/smtp-error-codes",
        &["--from", "news@yahoo5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["yahoo-tss09-tss11-permanently-deferred"]);
    assert_eq!(first_step(&d)["id"], "action-fix-infrastructure");
    assert_eq!(step_ids(&d).len(), 1, "{:?}", step_ids(&d));
    assert_eq!(escalation(&d).0, "escalation-yahoo");
}

#[test]
fn outlook_rp_001_hourly_limit_slows_down_with_no_dns_step() {
    let (rc, d) = diagnose(
        "421 RP-001 (BAY004-MC1F13) Unfortunately, some messages from 192.0.2.167 weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day from a single IP address.",
        &["--from", "news@rp5.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["microsoft-hotmail-rp-rate-limits"]);
    assert_eq!(first_step(&d)["id"], "action-slow-down");
    assert_eq!(step_ids(&d), ["action-slow-down"]);
    assert_eq!(escalation(&d).0, "escalation-microsoft");
}

#[test]
fn a_helo_address_literal_refusal_is_fixed_by_announcing_the_ptr_name() {
    // Postfix reject_non_fqdn_helo_hostname on `EHLO [192.0.2.165]`; the PTR confirms.
    let (rc, d) = diagnose(
        "504 5.5.2 <[192.0.2.165]>: Helo command rejected: need fully-qualified hostname",
        &[
            "--from",
            "news@helolit5.example",
            "--ip",
            "192.0.2.165",
            "--dkim-selector",
            "k1",
        ],
    );
    // The literal the reply quotes is what the server announces (before: not read, and as
    // --helo a usage error); the words read X.5.2 as a refusal of the HELO, which implicates
    // reverse DNS, and the literal is the cause. No SPF cause: SPF passes.
    assert_eq!(d["input"]["params"]["helo"], "[192.0.2.165]");
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-helo-address-literal"]);
    assert_eq!(step_ids(&d), ["ptr-helo-name", "action-fix-sender-config"]);
    let s = first_step(&d);
    // The fix is the PTR's name to announce: nothing to publish, nothing to ask of the IP's
    // owner.
    assert!(records(s).is_empty());
    assert!(
        s["details"]
            .to_string()
            .contains("make it announce HELO mx.helolit5.example instead")
    );
}

// ---------------------------------------------------------------- one name that does not answer

/// `diagnose` against a server for `zones` (file stems) that fails `name`/`rtype` as `kind`.
fn with_fault(
    zones: &[&str],
    name: &str,
    rtype: mailtriage::dns::RType,
    kind: mailtriage::dns::FaultKind,
    reply: &str,
    args: &[&str],
) -> (i32, Value) {
    super::diagnose_support::diagnose_with_fault(ZONES, zones, (name, rtype, kind), reply, args)
}

#[test]
fn servfail_on_the_signing_selector_is_inconclusive_and_publishes_no_key() {
    let (rc, d) = with_fault(
        &["dkfail5.example", "2.0.192.in-addr.arpa"],
        "k1._domainkey.dkfail5.example",
        mailtriage::dns::RType::TXT,
        mailtriage::dns::FaultKind::ServFail,
        GMAIL_5730,
        &[
            "--from",
            "news@dkfail5.example",
            "--ip",
            "192.0.2.171",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_ne!(rc, 0);
    let s = first_step(&d);
    assert_eq!(s["id"], "dns-inconclusive");
    assert!(
        details(s).contains("k1._domainkey.dkfail5.example"),
        "{}",
        details(s)
    );
    assert!(
        !step_ids(&d).iter().any(|s| s.starts_with("dkim-")),
        "{:?}",
        step_ids(&d)
    );
    assert!(
        !finding_ids(&d)
            .iter()
            .any(|f| f == "dkim-selector-missing" || f == "dkim-no-key-found")
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_timeout_on_the_reverse_zone_is_inconclusive_and_asks_for_no_ptr() {
    let (rc, d) = with_fault(
        &["revto5.example", "2.0.192.in-addr.arpa"],
        "172.2.0.192.in-addr.arpa",
        mailtriage::dns::RType::PTR,
        mailtriage::dns::FaultKind::Timeout,
        "451-4.7.23 192.0.2.172 The sending IP address for this message doesn't have a PTR record, or the PTR record's forward DNS entry doesn't match the sending IP address. To protect users from spam, your email has been temporarily rate limited. - gsmtp",
        &[
            "--from",
            "news@revto5.example",
            "--ip",
            "192.0.2.172",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_ne!(rc, 0);
    let s = first_step(&d);
    assert_eq!(s["id"], "dns-inconclusive");
    assert!(
        details(s).contains("PTR lookup for 192.0.2.172 failed (timeout)"),
        "{}",
        details(s)
    );
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("ptr-")));
    assert!(!finding_ids(&d).iter().any(|f| f == "ptr-missing"));
}

#[test]
fn a_vendors_spf_name_timing_out_is_the_temporary_dns_failure_gmail_names() {
    // Gmail 4.7.26 "temporary DNS failures prevent authentication"; the include's name server
    // does not answer. Not "SPF missing", not "IP not authorised".
    let (rc, d) = with_fault(
        &["tmpv5.example", "slowv5.example", "100.51.198.in-addr.arpa"],
        "spf.slowv5.example",
        mailtriage::dns::RType::TXT,
        mailtriage::dns::FaultKind::Timeout,
        "451-4.7.26 Unauthenticated email from tmpv5.example is not accepted due to domain's DMARC policy, but temporary DNS failures prevent authentication. Please contact the administrator of tmpv5.example domain if this was a legitimate mail. - gsmtp",
        &[
            "--from",
            "news@tmpv5.example",
            "--ip",
            "198.51.100.77",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_ne!(rc, 0);
    let s = first_step(&d);
    assert_eq!(s["id"], "dns-inconclusive");
    assert!(details(s).contains("spf.slowv5.example"), "{}", details(s));
    assert!(
        !finding_ids(&d)
            .iter()
            .any(|f| f == "spf-missing" || f == "spf-ip-not-authorised")
    );
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("dmarc-")));
    assert_eq!(escalation(&d).0, "escalation-gmail");
}
