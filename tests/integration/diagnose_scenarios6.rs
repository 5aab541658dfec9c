//! Round 6 of held-out style `diagnose` scenarios: SPF terms receivers never read (after `all`,
//! a `redirect=` beside `all`), addresses and host names swapped between `ip4:` and `a:`,
//! redirect chains, DKIM keys as they get pasted (PEM armour, two keys at a selector, Ed25519
//! beside RSA), DMARC records a receiver cannot read, RFC 2317 reverse aliases, names written
//! without their trailing dot, shared hosting, IPv6-only senders, a vendor's broken SPF, and
//! replies that are not about DNS at all. Each scenario says what a careful operator expects
//! first (the cause, the first step and its exact record, what must not be blamed), then runs.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{
    GMAIL_5725, GMAIL_5730, cause_ids, diagnose_with_code, escalation, finding_ids, first_step,
    fixing, rec, records, step, step_ids,
};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios6";

/// Gmail's 5.7.27 as it reads since 2025: the client address after "SPF with".
fn gmail_5727(ip: &str) -> String {
    format!(
        "550-5.7.27 This message was blocked because it didn't pass SPF authentication. Gmail requires bulk email senders to authenticate their email with SPF. Authentication results: SPF with {ip} = did not pass 5b1f17b1804b1-6si2.2 - gsmtp"
    )
}

const GMAIL_5740: &str = "550-5.7.40 Your message was blocked because the sending domain doesn't have a DMARC record or the DMARC record doesn't specify a DMARC policy. Gmail requires all bulk email senders to add a DMARC record to their sending domain. - gsmtp";

fn ms_5515(domain: &str) -> String {
    format!(
        "550 5.7.515 Access denied, sending domain {domain} doesn't meet the required authentication level."
    )
}

fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

fn details(s: &Value) -> String {
    s["details"].to_string()
}

/// Every record every step of the plan asks to publish.
fn all_records(d: &Value) -> Vec<(String, String, String)> {
    d["plan"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(records)
        .collect()
}

// ---------------------------------------------------------------- SPF terms nobody evaluates

#[test]
fn a_relay_listed_after_all_is_moved_before_it() {
    // `v=spf1 ip4:192.0.2.181 -all ip4:192.0.2.182`: evaluation stops at `-all` (RFC 7208
    // section 4.6.2), so the new relay .182 fails though the record names it. The operator
    // expects the term moved before `-all`, and to be told why the record that names the relay
    // still fails it.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.182"),
        &["--from", "news@after6.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "after6.example",
            "TXT",
            "v=spf1 ip4:192.0.2.181 ip4:192.0.2.182 -all"
        )]
    );
    let det = details(s);
    assert!(det.contains("after `-all`"), "{det}");
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_redirect_beside_all_is_named_as_ignored_and_the_relay_authorised() {
    // `v=spf1 ip4:192.0.2.183 redirect=_spf.redir6.example -all`: with an `all` in the record
    // the redirect is ignored (RFC 7208 section 6.1), so .184, listed only at the target,
    // fails. The run never reads the ignored target, so the operator expects: the relay
    // authorised in a record as receivers read it (the dead redirect left out, not kept as if
    // it worked), and the step saying the redirect was ignored and how to make it apply.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.184"),
        &["--from", "news@redir6.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "redir6.example",
            "TXT",
            "v=spf1 ip4:192.0.2.183 ip4:192.0.2.184 -all"
        )]
    );
    let det = details(s);
    assert!(det.contains("redirect=_spf.redir6.example"), "{det}");
    assert!(det.contains("is ignored"), "{det}");
    assert!(det.contains("without `-all`"), "{det}");
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_new_relay_under_a_redirect_chain_is_added_before_the_redirect_with_no_all() {
    // `v=spf1 redirect=_spf` -> `ip4:.187 redirect=_spf2` -> `ip4:.188 -all`; mail now leaves
    // .189. The address goes into the domain's own record before its redirect; adding an `all`
    // there would switch the whole chain off.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.189"),
        &["--from", "news@chain6.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "chain6.example",
            "TXT",
            "v=spf1 ip4:192.0.2.189 redirect=_spf.chain6.example"
        )]
    );
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
}

#[test]
fn a_host_name_after_ip4_is_republished_as_an_a_term() {
    // `v=spf1 ip4:mail.ip4host6.example -all`: ip4: takes an address; the record is a
    // permerror for everyone. The owner meant "this host's address": `a:mail...`.
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.185"),
        &["--from", "news@ip4host6.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-syntax-error");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-fix");
    assert_eq!(
        records(s),
        [rec(
            "ip4host6.example",
            "TXT",
            "v=spf1 a:mail.ip4host6.example -all"
        )]
    );
    assert!(
        details(s).contains("ip4:mail.ip4host6.example"),
        "{}",
        details(s)
    );
    assert_eq!(fixing(&d), ["spf-fix"]);
    assert!(!step_ids(&d).iter().any(|s| s == "spf-publish"));
}

#[test]
fn an_address_after_a_is_republished_as_an_ip4_term() {
    // The same mistake the other way round: `a:192.0.2.207` is no domain name (RFC 7208
    // section 7.1: the last label is not all digits).
    let (rc, d) = diagnose(
        &gmail_5727("192.0.2.207"),
        &["--from", "news@aip6.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d)[0], "spf-syntax-error");
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-fix");
    assert_eq!(
        records(s),
        [rec("aip6.example", "TXT", "v=spf1 ip4:192.0.2.207 -all")]
    );
    assert_eq!(fixing(&d), ["spf-fix"]);
}

#[test]
fn a_vendors_two_spf_records_are_the_vendors_to_merge_not_published_by_the_sender() {
    // `include:_spf.broke6.example`, where the vendor publishes two SPF records: permerror for
    // every message of vend6.example. The cause is at the vendor's name, and the plan never
    // asks the sender to publish at a name in someone else's zone.
    let (rc, d) = diagnose(
        &gmail_5727("198.51.100.81"),
        &["--from", "news@vend6.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    let causes = d["likely_causes"].as_array().unwrap();
    assert!(
        causes
            .iter()
            .any(|c| c["subject"].as_str() == Some("_spf.broke6.example")
                || c.to_string().contains("_spf.broke6.example")),
        "{causes:?}"
    );
    for (name, _, value) in all_records(&d) {
        assert!(!name.ends_with("broke6.example"), "{name} {value}");
    }
    assert_eq!(escalation(&d).0, "escalation-gmail");
}

#[test]
fn a_shared_hosting_server_missing_from_the_hosts_list_is_added_to_the_customers_record() {
    // cust6.example sends through the hoster's server web12.host6.example (198.51.100.90, PTR
    // confirmed, the hoster's name). The hoster's SPF list misses it. The customer adds the
    // address beside the include; the PTR naming the hoster is fine and is not "fixed".
    let (rc, d) = diagnose(
        &gmail_5727("198.51.100.90"),
        &["--from", "news@cust6.example", "--dkim-selector", "k1"],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(
        records(first_step(&d)),
        [rec(
            "cust6.example",
            "TXT",
            "v=spf1 include:spf.host6.example ip4:198.51.100.90 -all"
        )]
    );
    assert!(!step_ids(&d).iter().any(|s| s.starts_with("ptr-")));
    assert!(!cause_ids(&d).iter().any(|c| c.starts_with("ptr-")));
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
}

// ---------------------------------------------------------------- DKIM keys as they get pasted

#[test]
fn a_dkim_key_pasted_with_its_pem_armour_is_republished_without_it() {
    // `p=-----BEGIN PUBLIC KEY-----MIIB...-----END PUBLIC KEY-----`: no verifier reads it. The
    // key itself is intact, so the step gives the record with the armour taken out.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@pem6.example",
            "--ip",
            "192.0.2.191",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-syntax-error"]);
    let s = first_step(&d);
    // Its own step: not "generate a new key pair", which the generic repair says.
    assert_eq!(s["id"], "dkim-unarmour-key");
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "k1._domainkey.pem6.example");
    assert!(
        r[0].2
            .starts_with("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsta"),
        "{r:?}"
    );
    assert!(r[0].2.ends_with("IDAQAB"), "{r:?}");
    assert!(details(s).contains("BEGIN PUBLIC KEY"), "{}", details(s));
    assert!(!cause_ids(&d).iter().any(|c| c.starts_with("spf-")));
}

#[test]
fn two_keys_at_the_signing_selector_are_named_and_one_is_to_be_removed() {
    // k1._domainkey holds two key records (the old key left beside the new). A verifier uses
    // one of them (RFC 6376 section 3.6.2.2): signatures fail at random. The operator expects
    // to be told that, at this selector, and to keep only the key that matches the signer's.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@twokey6.example",
            "--ip",
            "192.0.2.192",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-multiple-keys"]);
    let s = first_step(&d);
    assert_eq!(s["fixes_likely_cause"], true);
    let det = details(s);
    assert!(det.contains("k1._domainkey.twokey6.example"), "{det}");
    // Nothing new to publish: one of the two records goes.
    assert!(records(s).is_empty(), "{:?}", records(s));
    assert!(det.contains("remove"), "{det}");
    // The two records are told apart by the ends of their keys (their starts are the same).
    assert!(det.contains("key ending .../ywNDIK1UwIDAQAB"), "{det}");
    assert!(det.contains("key ending ...7HkcqkGysQIDAQAB"), "{det}");
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn an_ed25519_key_beside_a_revoked_rsa_key_blames_the_rsa_key_only() {
    // Signed twice (RFC 8463): s=ed with a valid Ed25519 key, s=rsa revoked. Receivers that
    // verify only RSA (most, in 2026) see DKIM fail. The Ed25519 key is not "too short" and not
    // malformed; the RSA selector is the one to repair.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@ed6.example",
            "--ip",
            "192.0.2.190",
            "--dkim-selector",
            "ed",
            "--dkim-selector",
            "rsa",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-key-revoked"]);
    let f: Vec<&Value> = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.to_string().contains("ed._domainkey"))
        .collect();
    for f in &f {
        let id = f["id"].as_str().unwrap();
        assert!(
            !["dkim-key-too-short", "dkim-key-weak", "dkim-syntax-error"].contains(&id),
            "{f}"
        );
    }
    let s = first_step(&d);
    assert_eq!(records(s)[0].0, "rsa._domainkey.ed6.example");
    assert!(records(s)[0].2.contains("k=rsa"), "{:?}", records(s));
    assert!(
        !all_records(&d)
            .iter()
            .any(|r| r.0 == "ed._domainkey.ed6.example")
    );
}

// ---------------------------------------------------------------- DMARC records receivers cannot read

#[test]
fn a_report_address_without_mailto_and_no_policy_is_repaired_keeping_the_address() {
    // `v=DMARC1; rua=dmarc@nomailto6.example`: no p=, and the only rua is not a URI, so the
    // record is invalid (RFC 9989 section 4.7): receivers see no DMARC. The repair keeps the
    // address the owner wrote, as a mailto: URI.
    let (rc, d) = diagnose(
        GMAIL_5740,
        &[
            "--from",
            "news@nomailto6.example",
            "--ip",
            "192.0.2.195",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert!(
        cause_ids(&d)[0].starts_with("dmarc-"),
        "{:?}",
        cause_ids(&d)
    );
    let s = first_step(&d);
    assert!(s["id"].as_str().unwrap().starts_with("dmarc-"), "{s}");
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.nomailto6.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:dmarc@nomailto6.example"
        )]
    );
    assert!(details(s).contains("mailto:"), "{}", details(s));
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dkim-"))
    );
}

#[test]
fn dmarc_tags_without_semicolons_are_an_unreadable_record_repaired_with_its_separators() {
    // `v=DMARC1 p=reject rua=mailto:...`: one tag whose value is `DMARC1 p=reject ...`: no
    // receiver reads a policy. The operator expects to be told the record is there but
    // unreadable (not "missing"), and the record with its separators.
    let (rc, d) = diagnose(
        GMAIL_5740,
        &[
            "--from",
            "news@semi6.example",
            "--ip",
            "192.0.2.202",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-record-invalid"]);
    // Before: `dmarc-missing` ("found none"), while the zone holds the record, and a fresh
    // p=none record that dropped the owner's report address.
    assert!(!finding_ids(&d).contains(&"dmarc-missing".to_string()));
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-fix-record");
    // The owner's tags as written, separated: the policy and report address they chose (as for
    // a record whose v=DMARC1 is not first).
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.semi6.example",
            "TXT",
            "v=DMARC1; p=reject; rua=mailto:dmarc@semi6.example"
        )]
    );
    assert!(details(s).contains("semicolons"), "{}", details(s));
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dkim-")),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn an_unauthorised_report_destination_gets_the_exact_authorisation_record() {
    // SPF misses the relay .194 (the cause of Microsoft's 5.7.515); rua= goes to
    // reports6.example, which publishes no `ruaauth6.example._report._dmarc` record (RFC 9990
    // section 3): hardening, with the record the destination must publish.
    let (rc, d) = diagnose(
        &ms_5515("ruaauth6.example"),
        &[
            "--from",
            "news@ruaauth6.example",
            "--ip",
            "192.0.2.194",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert_eq!(fixing(&d), ["spf-authorise-ip"]);
    assert!(
        finding_ids(&d).contains(&"dmarc-report-destination-unauthorised".to_string()),
        "{:?}",
        finding_ids(&d)
    );
    assert!(
        all_records(&d).contains(&rec(
            "ruaauth6.example._report._dmarc.reports6.example",
            "TXT",
            "v=DMARC1"
        )),
        "{:?}",
        all_records(&d)
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn a_wildcard_report_authorisation_is_accepted() {
    // rua= at agg6.example, which publishes `*._report._dmarc.agg6.example TXT "v=DMARC1"`:
    // authorised (RFC 9990 section 3). The 5.7.515 is DKIM (k1 not published).
    let (rc, d) = diagnose(
        &ms_5515("wild6.example"),
        &[
            "--from",
            "news@wild6.example",
            "--ip",
            "192.0.2.208",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    assert!(!finding_ids(&d).contains(&"dmarc-report-destination-unauthorised".to_string()));
    assert!(
        !all_records(&d)
            .iter()
            .any(|r| r.0.contains("_report._dmarc"))
    );
}

#[test]
fn reject_in_testing_mode_is_never_lowered_while_dkim_is_fixed() {
    // `p=reject; t=y` (applied as quarantine, RFC 9989 section 4.7); k1 not published. The
    // cause is DKIM; no step proposes a weaker policy than the p=reject already written.
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@tflag6.example",
            "--ip",
            "192.0.2.196",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    assert_eq!(fixing(&d), ["dkim-publish"]);
    assert!(finding_ids(&d).contains(&"dmarc-testing".to_string()));
    for (name, _, value) in all_records(&d) {
        if name.starts_with("_dmarc.") {
            assert!(value.contains("p=reject"), "{name} {value}");
        }
    }
}

#[test]
fn a_missing_ptr_behind_an_rfc_2317_alias_is_published_at_the_alias_target() {
    // 197.2.0.192.in-addr.arpa is a CNAME to 197.192-26.2.0.192.in-addr.arpa (classless
    // delegation to the customer, RFC 2317), where no PTR was added. The PTR goes at the target:
    // a record at the alias name would not load beside the CNAME.
    let (rc, d) = diagnose(
        GMAIL_5725,
        &[
            "--from",
            "news@cls6.example",
            "--ip",
            "192.0.2.197",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-missing"]);
    let s = first_step(&d);
    assert!(s["id"].as_str().unwrap().starts_with("ptr-"), "{s}");
    let r = records(s);
    let ptr: Vec<_> = r.iter().filter(|x| x.1 == "PTR").collect();
    assert_eq!(ptr.len(), 1, "{r:?}");
    assert_eq!(ptr[0].0, "197.192-26.2.0.192.in-addr.arpa", "{r:?}");
    // The name the PTR gives resolves to the IP (the step publishes its A when it is new).
    let host = ptr[0].2.clone();
    assert!(
        host == "mx.cls6.example" || r.contains(&rec(&host, "A", "192.0.2.197")),
        "{r:?}"
    );
    assert!(details(s).contains("RFC 2317"), "{}", details(s));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_ptr_written_without_its_trailing_dot_is_given_as_meant() {
    // `201 IN PTR mx.dot6.example` in the reverse zone: the name gains the zone's origin
    // (mx.dot6.example.2.0.192.in-addr.arpa). The operator expects the PTR step to give the
    // name as it was meant and to say the trailing dot is what is missing (before: a new name,
    // mail.dot6.example, and its A record). The MX of dot6.example has the same slip
    // (mx.dot6.example.dot6.example), and its step says so too (before: no record, only
    // "does not exist").
    let (rc, d) = diagnose(
        GMAIL_5725,
        &[
            "--from",
            "news@dot6.example",
            "--ip",
            "192.0.2.201",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["ptr-not-confirmed"]);
    let s = first_step(&d);
    assert!(
        records(s).contains(&rec("201.2.0.192.in-addr.arpa", "PTR", "mx.dot6.example")),
        "{:?}",
        records(s)
    );
    assert!(details(s).contains("trailing dot"), "{}", details(s));
    // The name that was meant already resolves? Not asked in this run: its A is given too.
    assert!(
        records(s).contains(&rec("mx.dot6.example", "A", "192.0.2.201")),
        "{:?}",
        records(s)
    );
    let mx = step(&d, "mx-fix");
    assert_eq!(
        records(mx),
        [rec("dot6.example", "MX", "10 mx.dot6.example")]
    );
    assert!(
        details(mx).contains("remove: dot6.example. IN MX 10 mx.dot6.example.dot6.example."),
        "{}",
        details(mx)
    );
    assert!(details(mx).contains("trailing dot"), "{}", details(mx));
}

#[test]
fn an_ipv6_only_sender_passing_spf_through_an_aaaa_is_blamed_on_dkim_only() {
    // `v=spf1 a:out.v6only6.example -all`, out has only an AAAA, and mail leaves from it over
    // IPv6 with a confirming ip6.arpa PTR. Gmail's 5.7.30 is DKIM (k1 not published).
    let (rc, d) = diagnose(
        GMAIL_5730,
        &[
            "--from",
            "news@v6only6.example",
            "--ip",
            "2001:db8:6::25",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dkim-selector-missing"]);
    assert!(finding_ids(&d).contains(&"spf-ip-authorised".to_string()));
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("ptr-")),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(fixing(&d), ["dkim-publish"]);
}

// ---------------------------------------------------------------- replies that are not (only) DNS

#[test]
fn microsoft_external_forwarding_block_is_the_forwarders_setting_not_dns() {
    let (rc, d) = diagnose(
        "550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555) [DB9PR06MB7322.eurprd06.prod.outlook.com]",
        &[
            "--from",
            "news@fwd6.example",
            "--ip",
            "192.0.2.198",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert_eq!(
        cause_ids(&d),
        ["microsoft-5-7-520-external-forwarding-blocked"]
    );
    // The forwarding side's setting is the only fix; the p=quarantine -> reject stage is
    // hardening (the domain has it at quarantine), never marked as this refusal's fix.
    assert_eq!(first_step(&d)["id"], "action-fix-sender-config");
    assert_eq!(fixing(&d), ["action-fix-sender-config"]);
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dkim-") || s.starts_with("ptr-")),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn gmail_starttls_required_is_the_sending_software_not_dns_nor_the_address() {
    let (rc, d) = diagnose(
        "530 5.7.0 Must issue a STARTTLS command first. c5sm1234567qkf.123 - gsmtp",
        &[
            "--from",
            "news@tls6.example",
            "--ip",
            "192.0.2.199",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 0);
    assert_eq!(first_step(&d)["id"], "action-fix-sender-config");
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("action-suppress")),
        "{:?}",
        step_ids(&d)
    );
    assert_eq!(fixing(&d), ["action-fix-sender-config"]);
    assert!(
        !step_ids(&d)
            .iter()
            .any(|s| s.starts_with("spf-") || s.starts_with("dkim-") || s.starts_with("ptr-")),
        "{:?}",
        step_ids(&d)
    );
}

#[test]
fn psd_y_on_a_company_domain_is_removed_not_worked_around() {
    // `_dmarc.psdmis6.example: v=DMARC1; p=reject; psd=y`: the company's domain declares itself
    // a public suffix, so by the RFC 9989 tree walk news.psdmis6.example is an organization of
    // its own and the MAIL FROM under it no longer aligns. The operator expects "remove psd=y"
    // (before: no cause, and a plan step publishing a return-path CNAME to the subdomain).
    let (rc, d) = diagnose(
        "550 5.7.26 Unauthenticated email from psdmis6.example is not accepted due to domain's DMARC policy. Please contact the administrator of psdmis6.example domain if this was a legitimate mail. - gsmtp",
        &[
            "--from",
            "info@psdmis6.example",
            "--mail-from",
            "bounce@news.psdmis6.example",
            "--ip",
            "192.0.2.204",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-psd-on-registrable-domain"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "dmarc-fix");
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.psdmis6.example",
            "TXT",
            "v=DMARC1; p=reject; rua=mailto:dmarc@psdmis6.example"
        )]
    );
    assert!(!step_ids(&d).contains(&"dmarc-alignment".to_string()));
}
