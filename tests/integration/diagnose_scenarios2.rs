//! Held-out style `diagnose` scenarios written from RFC 9989 and the providers' 2025-2026 rules:
//! each names the cause a careful operator blames first, the first step and what it publishes,
//! the red herring the DNS also holds that must not be blamed, the exit code and the escalation.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{
    GMAIL_5726, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids, first_step,
    fixing, rec, records, step_ids,
};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios";

const GMAIL_5725: &str = "550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. 550 5.7.25 - gsmtp";

/// `diagnose` offline over the scenario zones: (exit code, JSON report).
fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

#[test]
fn strict_adkim_fails_a_subdomain_signature_that_relaxed_alignment_would_pass() {
    // SPF passes for the ESP's bounce domain, DKIM is signed with d=mail.shop.example: same
    // organizational domain, but shop.example publishes adkim=s.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@shop.example",
            "--mail-from",
            "b@bounces.sendco.example",
            "--dkim-domain",
            "mail.shop.example",
            "--dkim-selector",
            "k1",
            "--ip",
            "198.51.100.7",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(d["domain"]["spf"]["result"]["result"], "pass");
    assert_eq!(cause_ids(&d), ["dmarc-not-aligned"]);
    // The finding's advice follows each mode: no subdomain d= under adkim=s, while aspf=r
    // still accepts a MAIL FROM under the organizational domain.
    let advice = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "dmarc-not-aligned")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        advice.contains("adkim=s") && !advice.contains("or a name under"),
        "{advice}"
    );
    assert!(
        advice.contains("MAIL FROM domain under shop.example"),
        "{advice}"
    );
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-alignment");
    let details = s["details"].to_string();
    assert!(
        details.contains("adkim=s") && details.contains("d=mail.shop.example"),
        "the step must say strict alignment is what fails the ESP's subdomain signature: {details}"
    );
    assert!(
        records(s).contains(&rec(
            "k1._domainkey.shop.example",
            "CNAME",
            "k1._domainkey.mail.shop.example"
        )),
        "{:?}",
        records(s)
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn relaxed_alignment_by_tree_walk_passes_a_subdomain_from_signed_by_the_parent() {
    // From deals.outlet.example has no DMARC record of its own: the RFC 9989 walk finds
    // outlet.example, which is the DKIM d=, so DKIM aligns and DNS does not explain the 5.7.26.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@deals.outlet.example",
            "--mail-from",
            "b@bounces.sendco.example",
            "--dkim-domain",
            "outlet.example",
            "--dkim-selector",
            "k1",
            "--ip",
            "198.51.100.7",
        ],
    );
    assert_eq!(rc, 0);
    let a = &d["domain"]["dmarc"]["alignment"];
    assert_eq!(a["dkim_aligned"], true, "{a}");
    assert_eq!(a["from_organizational_domain"], "outlet.example", "{a}");
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    assert!(d["no_cause_found"]["message"].is_string());
    assert!(!finding_ids(&d).contains(&"dmarc-not-aligned".to_string()));
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert_eq!(escalation(&d), ("escalation-gmail", true));
}

#[test]
fn microsoft_5515_with_spf_and_dkim_but_no_dmarc_publishes_p_none_first() {
    let (rc, d) = diagnose(
        "550 5.7.515 Access denied, sending domain bulkco.example doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender.",
        &[
            "--from",
            "news@bulkco.example",
            "--ip",
            "192.0.2.63",
            "--dkim-selector",
            "s2025",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(d["domain"]["spf"]["result"]["result"], "pass");
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-publish");
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.bulkco.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@bulkco.example"
        )]
    );
    // SPF and DKIM are fine: no step touches them.
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
fn gmail_5725_with_a_ptr_to_a_host_that_resolves_elsewhere_adds_the_address_to_that_host() {
    // 198.51.100.25's PTR names mta25.sendco.example, which resolves to .26 only. The DMARC
    // p=none of relay.example is a warning, not what a PTR reply is about.
    let (rc, d) = diagnose(
        GMAIL_5725,
        &[
            "--from",
            "ops@relay.example",
            "--ip",
            "198.51.100.25",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-not-confirmed"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-fcrdns");
    assert_eq!(
        records(s),
        [rec("mta25.sendco.example", "A", "198.51.100.25")],
        "the PTR already names a real host: no new PTR, no invented mail.<domain>"
    );
    assert!(s["details"][0].as_str().unwrap().contains("198.51.100.26"));
    assert_eq!(fixing(&d), ["ptr-fcrdns"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

fn ipv6_without_ptr(reply: &str, escalation_id: &str) {
    let (rc, d) = diagnose(
        reply,
        &[
            "--from",
            "ops@relay.example",
            "--ip",
            "2001:db8:25::7",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1, "{reply}");
    assert_eq!(cause_ids(&d), ["ptr-missing"], "{reply}");
    let s = first_step(&d);
    assert_eq!(s["id"], "ptr-fcrdns");
    assert_eq!(
        records(s),
        [
            rec(
                "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
                "PTR",
                "mail.relay.example"
            ),
            rec("mail.relay.example", "AAAA", "2001:db8:25::7"),
        ]
    );
    assert_eq!(fixing(&d)[0], "ptr-fcrdns");
    assert!(!fixing(&d).iter().any(|s| s.starts_with("dmarc-")));
    assert_eq!(escalation(&d).0, escalation_id, "{reply}");
}

#[test]
fn gmail_ipv6_refusal_without_ptr_asks_for_an_ipv6_ptr_and_aaaa() {
    ipv6_without_ptr(
        "550-5.7.1 [2001:db8:25::7] This message does not meet IPv6 sending guidelines regarding PTR records and authentication. Review https://support.google.com/mail/?p=IPv6AuthError for more information. 550 5.7.1 - gsmtp",
        "escalation-gmail",
    );
}

#[test]
fn microsoft_ipv6_5725_without_reverse_dns_asks_for_an_ipv6_ptr_and_aaaa() {
    ipv6_without_ptr(
        "550 5.7.25 Access denied, the sending IPv6 address [2001:db8:25::7] must have a reverse DNS record [DM6PR02MB1234.namprd02.prod.outlook.com]",
        "escalation-microsoft",
    );
}

#[test]
fn gmail_5727_with_the_sending_ip_in_an_include_past_the_lookup_limit() {
    let (rc, d) = diagnose(
        "550-5.7.27 This mail has been blocked because the sender is unauthenticated. SPF check failed or the domain does not publish an SPF record. 550 5.7.27 - gsmtp",
        &[
            "--from",
            "news@deep.example",
            "--ip",
            "192.0.2.77",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(d["domain"]["spf"]["result"]["result"], "permerror");
    assert_eq!(cause_ids(&d)[0], "spf-too-many-lookups");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-lookups");
    assert_eq!(
        s["details"][0].as_str().unwrap(),
        "11 DNS lookups (limit 10), 0 void lookups (limit 2)"
    );
    let details = s["details"].to_string();
    assert!(
        details.contains("192.0.2.77 matched no term before evaluation reached the limit")
            && details.contains("include:_c.deep.example is DNS lookup 11"),
        "the step must say why a record that lists the IP fails it: {details}"
    );
    // _c.deep.example is the domain's own address-only include: flattening it saves the
    // eleventh lookup.
    assert_eq!(
        records(s),
        [rec(
            "deep.example",
            "TXT",
            "v=spf1 include:_a.deep.example include:_b.deep.example ip4:192.0.2.77 -all"
        )]
    );
    // DMARC p=none is hardening here, never fixing the 5.7.27.
    assert_eq!(fixing(&d), ["spf-lookups"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn gmail_5730_with_the_signing_key_revoked_blames_it_and_not_a_probed_broken_selector() {
    // The message was signed with s2024 (revoked). selector1 is malformed, but nothing signed
    // this message with it: a red herring that discovery finds.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@keys.example",
            "--ip",
            "192.0.2.81",
            "--dkim-selector",
            "s2024",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-key-revoked"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-fix-selector");
    assert_eq!(
        records(s)[0].0,
        "s2024._domainkey.keys.example",
        "{:?}",
        records(s)
    );
    assert_eq!(fixing(&d), ["dkim-fix-selector"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn gmail_5730_with_a_1024_bit_signing_key_is_not_explained_by_the_key_length() {
    // A 1024-bit RSA key still verifies (RFC 8301 section 3.2): rotating it is hardening.
    let (_, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@keys.example",
            "--ip",
            "192.0.2.81",
            "--dkim-selector",
            "s1024",
        ],
    );
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    assert!(
        d["no_cause_found"]["message"]
            .as_str()
            .unwrap()
            .contains("dkim-key-weak")
    );
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert!(step_ids(&d).contains(&"dkim-rotate-key".to_string()));
}

#[test]
fn recipient_null_mx_5110_is_about_the_recipient_domain_not_the_senders_dns() {
    let (rc, d) = diagnose(
        "556 5.1.10 Recipient address has null MX",
        &[
            "--from",
            "news@brand.example",
            "--ip",
            "192.0.2.83",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["enhanced-x-1-10"]);
    assert!(d["no_cause_found"].is_null(), "{}", d["no_cause_found"]);
    assert_eq!(first_step(&d)["id"], "action-suppress-domain");
    assert_eq!(fixing(&d), ["action-suppress-domain"]);
    // Nothing to escalate: the recipient's domain declared it takes no mail.
    assert!(!escalation(&d).1);
}

#[test]
fn spamhaus_reply_with_the_ip_listed_blames_the_zen_listing_not_the_spf_gap() {
    // The IP the reply names is on ZEN; it is also missing from tidy.example's SPF, which a
    // blocklist reply is not about.
    let (rc, d) = diagnose(
        "554 5.7.1 Service unavailable; Client host [192.0.2.90] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.90",
        &["--from", "news@tidy.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["blocklist-listed"]);
    assert!(
        d["likely_causes"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Spamhaus ZEN")
    );
    assert_eq!(first_step(&d)["id"], "blocklist-delist");
    assert!(!fixing(&d).iter().any(|s| s.starts_with("spf-")));
    assert_eq!(escalation(&d), ("escalation-spamhaus", true));
}

#[test]
fn subdomain_inheriting_sp_reject_blames_its_own_missing_spf_not_the_parents_p_none() {
    let (rc, d) = diagnose(
        "550-5.7.26 Unauthenticated email from app.corp.example is not accepted due to domain's DMARC policy. Please contact the administrator of app.corp.example domain if this was a legitimate mail. To learn about the DMARC initiative, go to https://support.google.com/mail/?p=DmarcRejection 550 5.7.26 - gsmtp",
        &["--from", "alerts@app.corp.example", "--ip", "192.0.2.85"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-missing"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-publish");
    assert_eq!(records(s)[0].0, "app.corp.example");
    // The organizational domain's p=none is not what rejected the mail (sp=reject applied):
    // no step rewrites corp.example's record.
    assert!(
        !d["plan"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["records"].as_array().unwrap())
            .any(|r| r["name"] == "_dmarc.corp.example"),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn nonexistent_subdomain_under_np_reject_sends_from_a_domain_that_exists() {
    let (rc, d) = diagnose(
        "550-5.7.26 Unauthenticated email from ghost.corp.example is not accepted due to domain's DMARC policy. Please contact the administrator of ghost.corp.example domain if this was a legitimate mail. To learn about the DMARC initiative, go to https://support.google.com/mail/?p=DmarcRejection 550 5.7.26 - gsmtp",
        &["--from", "alerts@ghost.corp.example", "--ip", "192.0.2.85"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["domain-nonexistent"]);
    assert_eq!(first_step(&d)["id"], "domain-create");
    // Nothing exists below an NXDOMAIN name (RFC 8020 section 2), but the name itself is
    // created by a record in its parent's zone, which here is the organisation's own (it
    // publishes the DMARC record whose np= applies): round 13 gives that record, SPF for the
    // sending IP, instead of no record at all.
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "ghost.corp.example",
            "TXT",
            "v=spf1 ip4:192.0.2.85 ~all"
        )]
    );
}

#[test]
fn gmail_content_block_with_clean_dns_blames_the_reply_not_the_dns() {
    let (rc, d) = diagnose(
        "550-5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to https://support.google.com/mail/?p=UnsolicitedMessageError 550 5.7.1 - gsmtp",
        &[
            "--from",
            "news@tidy.example",
            "--ip",
            "192.0.2.87",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["gmail-5-7-1-likely-unsolicited"]);
    assert_eq!(step_ids(&d), ["action-fix-infrastructure"]);
    assert!(records(first_step(&d)).is_empty());
}

#[test]
fn gmail_4728_quota_slows_down_and_escalates_on_the_quota_path() {
    let (rc, d) = diagnose(
        "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your DKIM domain [tidy.example]. To protect our users from spam, mail sent from your DKIM domain has been temporarily rate limited. 421 4.7.28 - gsmtp",
        &[
            "--from",
            "news@tidy.example",
            "--ip",
            "192.0.2.87",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["gmail-4-7-28-unusual-rate"]);
    assert_eq!(step_ids(&d), ["action-slow-down"]);
    assert_eq!(escalation(&d), ("escalation-gmail-quota", false));
}

#[test]
fn apple_hme1_blames_spf_and_the_revoked_signing_key_not_a_probed_selector() {
    let (rc, d) = diagnose(
        "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks. See https://support.apple.com/en-us/HT204137 for mailing best practices",
        &[
            "--from",
            "news@keys.example",
            "--ip",
            "192.0.2.99",
            "--dkim-selector",
            "s2024",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised", "dkim-key-revoked"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "keys.example",
            "TXT",
            "v=spf1 ip4:192.0.2.81 ip4:192.0.2.99 -all"
        )]
    );
    assert_eq!(fixing(&d), ["spf-authorise-ip", "dkim-fix-selector"]);
    assert_eq!(escalation(&d), ("escalation-apple", false));
}

#[test]
fn spamhaus_reply_when_zen_no_longer_lists_the_ip_blames_nothing_and_asks_no_delisting() {
    // ZEN answers "not listed" for 192.0.2.91; Barracuda lists it, but the reply is Spamhaus's.
    let (_, d) = diagnose(
        "554 5.7.1 Service unavailable; Client host [192.0.2.91] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.91",
        &["--from", "news@tidy.example", "--dkim-selector", "k1"],
    );
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    let reasons = d["no_cause_found"]["possible_reasons"].to_string();
    assert!(
        reasons.contains("does not list the sender now"),
        "{reasons}"
    );
    assert!(fixing(&d).is_empty(), "{:?}", fixing(&d));
    assert!(
        !step_ids(&d).contains(&"action-request-delisting".to_string()),
        "nothing to delist from the list the reply names: {:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d).0, "escalation-spamhaus");
}

#[test]
fn yahoo_579_policy_with_clean_dns_invents_no_dns_cause_and_names_one_click_unsubscribe() {
    // Yahoo's 2024-2026 bulk rules: one-click unsubscribe and the spam rate are not DNS.
    let (rc, d) = diagnose(
        "554 5.7.9 Message not accepted for policy reasons. See https://senders.yahooinc.com/error-codes",
        &[
            "--from",
            "news@tidy.example",
            "--ip",
            "192.0.2.87",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    let reasons = d["no_cause_found"]["possible_reasons"].to_string();
    assert!(
        reasons.contains("List-Unsubscribe-Post") && reasons.contains("RFC 8058"),
        "{reasons}"
    );
    assert!(
        d["plan"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["records"].as_array().unwrap().is_empty()),
        "no DNS record to publish for a policy refusal: {:?}",
        step_ids(&d)
    );
    assert_eq!(escalation(&d), ("escalation-yahoo", true));
}

fn return_path_null_mx(reply: &str, escalation_id: &str) {
    // brand.example's own MX is fine; its return-path domain rp.brand.example has `MX 0 .`.
    let (rc, d) = diagnose(
        reply,
        &[
            "--from",
            "news@brand.example",
            "--mail-from",
            "bounce@rp.brand.example",
            "--ip",
            "192.0.2.83",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1, "{reply}");
    assert_eq!(cause_ids(&d), ["mx-null"], "{reply}");
    assert!(
        d["likely_causes"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("rp.brand.example")
    );
    let s = first_step(&d);
    assert_eq!(s["id"], "mx-fix");
    assert_eq!(
        records(s),
        [rec("rp.brand.example", "MX", "10 mx.brand.example")]
    );
    assert!(
        s["verify"]
            .as_str()
            .unwrap()
            .starts_with("mailtriage check rp.brand.example --only mx"),
        "{}",
        s["verify"]
    );
    assert_eq!(escalation(&d), (escalation_id, false));
}

#[test]
fn yahoo_null_mx_refusal_blames_the_return_path_domain_and_gives_it_real_mx() {
    return_path_null_mx(
        "554 Message not allowed - null MX record (see RFC 7505) [mta6.am0.yahoodns.net]",
        "escalation-yahoo",
    );
}

#[test]
fn rfc7505_5727_sender_null_mx_blames_the_return_path_domain() {
    return_path_null_mx(
        "550 5.7.27 Sender address has null MX",
        "escalation-generic",
    );
}

#[test]
fn mimecast_dmarc_refusal_blames_alignment_and_escalates_to_the_recipients_admin() {
    let (rc, d) = diagnose(
        "550 DMARC Sender Invalid - envelope rejected - https://community.mimecast.com/docs/DOC-1369#550 [Z3JhdWx0aGVwbGF0ZQ.us77]",
        &[
            "--from",
            "news@shop.example",
            "--mail-from",
            "b@bounces.sendco.example",
            "--dkim-domain",
            "mail.shop.example",
            "--dkim-selector",
            "k1",
            "--ip",
            "198.51.100.7",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-not-aligned"]);
    assert_eq!(first_step(&d)["id"], "dmarc-alignment");
    assert_eq!(escalation(&d), ("escalation-mimecast", false));
    let gather = d["escalation"]["gather"].to_string();
    assert!(gather.contains("bracketed Mimecast reference"), "{gather}");
}

#[test]
fn proofpoint_pdr_block_with_clean_dns_requests_delisting_from_proofpoint() {
    // Proofpoint's own reputation list is in no public DNS zone: the reply is the cause.
    let (rc, d) = diagnose(
        "554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.87",
        &["--from", "news@tidy.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 0);
    assert_eq!(cause_ids(&d), ["proofpoint-pdr-blocked"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "action-request-delisting");
    assert_eq!(
        s["title"],
        "Request delisting of 192.0.2.87 from the provider's blocklist"
    );
    assert_eq!(escalation(&d), ("escalation-proofpoint", true));
    let places = d["escalation"]["where"].to_string();
    assert!(
        places.contains("https://ipcheck.proofpoint.com/"),
        "{places}"
    );
}

#[test]
fn gmail_5730_with_a_512_bit_signing_key_rotates_it_first() {
    // Under 1024 bits receivers do not verify the signature (RFC 8301 section 3.2).
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@keys.example",
            "--ip",
            "192.0.2.81",
            "--dkim-selector",
            "s512",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-key-too-short"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dkim-rotate-key");
    assert_eq!(records(s)[0].0, "s512-2048._domainkey.keys.example");
    assert_eq!(
        records(s).last().unwrap(),
        &rec("s512._domainkey.keys.example", "TXT", "v=DKIM1; p=")
    );
    assert_eq!(fixing(&d), ["dkim-rotate-key"]);
}

#[test]
fn gmail_4723_with_no_ptr_at_all_asks_for_ptr_and_forward_record() {
    // 198.51.100.9 has no PTR; it is also missing from relay.example's SPF, which a PTR
    // deferral is not about.
    let (rc, d) = diagnose(
        "421-4.7.23 The sending IP does not have a PTR record setup, or the corresponding forward DNS entry does not match the sending IP. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. 421 4.7.23 - gsmtp",
        &[
            "--from",
            "ops@relay.example",
            "--ip",
            "198.51.100.9",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-missing"]);
    assert_eq!(
        records(first_step(&d)),
        [
            rec("9.100.51.198.in-addr.arpa", "PTR", "mail.relay.example"),
            rec("mail.relay.example", "A", "198.51.100.9"),
        ]
    );
    assert_eq!(fixing(&d), ["ptr-fcrdns"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn psd_y_platform_signature_aligns_by_the_psl_but_not_by_the_rfc_9989_tree_walk() {
    // hosting.example publishes psd=y: alice.hosting.example is its own organizational domain,
    // so the platform's d=mail.hosting.example and bounce domain no longer align (they did by
    // the Public Suffix List, where hosting.example is no suffix).
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@alice.hosting.example",
            "--mail-from",
            "bounce@mail.hosting.example",
            "--dkim-domain",
            "mail.hosting.example",
            "--dkim-selector",
            "h1",
            "--ip",
            "192.0.2.89",
        ],
    );
    assert_eq!(rc, 1);
    let a = &d["domain"]["dmarc"]["alignment"];
    assert_eq!(a["from_organizational_domain"], "alice.hosting.example");
    assert_eq!(a["rfc7489"]["dkim_aligned"], true, "{a}");
    assert_eq!(cause_ids(&d), ["dmarc-not-aligned"]);
    assert!(finding_ids(&d).contains(&"dmarc-psl-disagreement".to_string()));
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-alignment");
    assert!(
        records(s).contains(&rec(
            "h1._domainkey.alice.hosting.example",
            "CNAME",
            "h1._domainkey.mail.hosting.example"
        )),
        "{:?}",
        records(s)
    );
    assert_eq!(fixing(&d), ["dmarc-alignment"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn yahoo_april_2026_temporary_authentication_error_points_at_dns_reachability_first() {
    // Yahoo's 2026 temporary reason: its lookups failed for a moment. DNS answers fine now, so
    // no record is blamed, and the first reason is reachability, not record content.
    let (rc, d) = diagnose(
        "451 4.7.0 Message temporarily deferred: authentication results for your domain could not be determined due to a temporary error [mx-aol.mail.gm0.yahoodns.net]",
        &[
            "--from",
            "news@tidy.example",
            "--ip",
            "192.0.2.87",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert!(cause_ids(&d).is_empty(), "{:?}", cause_ids(&d));
    let first = d["no_cause_found"]["possible_reasons"][0].as_str().unwrap();
    assert!(
        first.starts_with("The refusal is temporary") && first.contains("UDP and TCP"),
        "{first}"
    );
    assert!(step_ids(&d).is_empty(), "{:?}", step_ids(&d));
    assert_eq!(escalation(&d).0, "escalation-yahoo-dns");
}
