//! Round 12 of held-out style `diagnose` scenarios, records as published: an SPF term that
//! fails the sender before the term that would pass it (the relay's own address softfailed,
//! a retired host whose address the relay took), the dual CIDR of `a/24//64` for an IPv6
//! relay (and `a/24` without it), an `exp=` beside exactly ten lookups, an include and an
//! `exists` written with macros (`%{d}`, `%{ir}.%{v}`), a wildcard SPF record answering the
//! signing selector, a department's `psd=n` that makes the parent's signature and return
//! path unaligned (RFC 9989), a DMARC record holding `pct=` only, report destinations
//! authorised by a wildcard, and a reply that names another sending domain than `--domain`.
//! Each scenario says what a careful operator expects first (the cause, the first step and its
//! exact record, what must not be blamed), then runs. Hostile DNS, a log of two senders and
//! replies DNS cannot answer are in `diagnose_scenarios12b.rs`.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, cause_ids, diagnose_with_code, finding_ids, first_step, fixing, rec,
    records, step_ids, step_text,
};
use serde_json::Value;

pub(super) const ZONES: &str = "tests/fixtures/scenarios12";

pub(super) fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

/// `--from news@DOMAIN --ip IP --dkim-selector k1`.
pub(super) fn sender<'a>(from: &'a str, ip: &'a str) -> [&'a str; 6] {
    ["--from", from, "--ip", ip, "--dkim-selector", "k1"]
}

/// Microsoft's 5.7.515 naming `domain` as the sending domain.
pub(super) fn ms_5515(domain: &str) -> String {
    format!(
        "550 5.7.515 Access denied, sending domain [{domain}] doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender."
    )
}

/// The provenance entries for `field`: (value, source).
pub(super) fn provenance(d: &Value, field: &str) -> Vec<(String, String)> {
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

fn has_finding(d: &Value, id: &str) -> bool {
    finding_ids(d).iter().any(|f| f == id)
}

// ------------------------------------------------------------------ SPF as written

#[test]
fn a_softfail_term_for_the_sender_before_its_range_is_replaced_not_followed_by_another() {
    // xfail12.example publishes `v=spf1 ~ip4:203.0.113.12 ip4:203.0.113.0/24 -all`: the relay
    // was parked at softfail while it was being set up, and the /24 that would pass it comes
    // later. check_host stops at the first match (RFC 7208 section 4.6.2), so 203.0.113.12
    // softfails; Gmail's 5.7.27. The operator expects: SPF for the relay is the cause; the
    // first step's record passes it, so the pass term must come before the `~ip4:` that
    // matches it (an `ip4:203.0.113.12` added before `-all` is never reached): the softfail
    // term for that very address is replaced; the text names the term that matched.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@xfail12.example", "203.0.113.12"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(s["id"], "spf-authorise-ip");
    assert_eq!(
        records(s),
        [rec(
            "xfail12.example",
            "TXT",
            "v=spf1 ip4:203.0.113.12 ip4:203.0.113.0/24 -all"
        )]
    );
    assert!(
        step_text(s).contains("~ip4:203.0.113.12"),
        "{}",
        step_text(s)
    );
}

#[test]
fn a_fail_term_for_a_retired_host_whose_address_the_relay_took_gets_the_pass_term_before_it() {
    // The same class, a wider term: reuse12.example publishes `v=spf1
    // -a:legacy.reuse12.example ip4:203.0.113.0/24 -all` to keep the retired host out, and the
    // new relay took over one of its addresses, 203.0.113.160. `-a:` matches first: fail;
    // Gmail's 5.7.27. The operator expects: SPF for the relay is the cause; the first step's
    // record passes the relay before the `-a:` (which still keeps the retired host's other
    // address, 203.0.113.161, out), and its text names the term that matched.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@reuse12.example", "203.0.113.160"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "reuse12.example",
            "TXT",
            "v=spf1 ip4:203.0.113.160 -a:legacy.reuse12.example ip4:203.0.113.0/24 -all"
        )]
    );
    assert!(
        step_text(s).contains("-a:legacy.reuse12.example"),
        "{}",
        step_text(s)
    );
}

#[test]
fn an_ipv6_relay_inside_the_dual_cidr_of_a_24_64_passes_and_the_missing_key_is_blamed() {
    // dual12.example publishes `v=spf1 a/24//64 -all`: its AAAA is 2001:db8:12::1 and the
    // relay 2001:db8:12::25 is in that /64 (RFC 7208 section 5.6, dual-cidr-length). No DKIM
    // key is published anywhere; Microsoft's 5.7.515 wants SPF, DKIM and DMARC to pass. The
    // operator expects: SPF passes (never blamed, no step rewrites the record); the missing
    // DKIM key is the cause and the first step publishes a key under dual12.example.
    let (rc, d) = diagnose(
        &ms_5515("dual12.example"),
        &["--from", "news@dual12.example", "--ip", "2001:db8:12::25"],
    );
    assert_eq!(rc, 1);
    assert_eq!(
        d["domain"]["spf"]["result"]["result"], "pass",
        "{}",
        d["domain"]["spf"]
    );
    assert_eq!(cause_ids(&d), ["dkim-no-key-found"]);
    assert!(!has_finding(&d, "spf-ip-not-authorised"));
    assert!(
        !step_ids(&d).iter().any(|s| s.starts_with("spf-")),
        "{:?}",
        step_ids(&d)
    );
    let r = records(first_step(&d));
    assert!(
        !r.is_empty()
            && r.iter()
                .all(|r| r.0.ends_with("._domainkey.dual12.example")),
        "{r:?}"
    );
}

#[test]
fn a_24_without_an_ipv6_prefix_matches_only_the_hosts_own_ipv6_address() {
    // v6cidr12.example publishes `v=spf1 a/24 -all`: /24 is the IPv4 prefix only, and for an
    // IPv6 client the prefix is /128 (RFC 7208 section 5.6), so the relay 2001:db8:12::26 is
    // not covered although it sits in the same /64 as the domain's AAAA 2001:db8:12::2.
    // Gmail's 5.7.27. The operator expects: SPF for the relay is the cause; the first step
    // adds `ip6:2001:db8:12::26` before `-all`, and its text says why `a/24` did not cover it.
    let (rc, d) = diagnose(
        GMAIL_5727,
        &sender("news@v6cidr12.example", "2001:db8:12::26"),
    );
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "v6cidr12.example",
            "TXT",
            "v=spf1 a/24 ip6:2001:db8:12::26 -all"
        )]
    );
    let t = step_text(s);
    assert!(t.contains("a/24") && t.contains("/128"), "{t}");
}

#[test]
fn exp_beside_exactly_ten_lookups_is_not_over_the_limit() {
    // exp12.example's record spends ten lookups (ten `a:` terms) and ends with
    // `exp=why.exp12.example`. The explanation is fetched only after a fail, and does not
    // count towards the limit (RFC 7208 section 4.6.4): the record is at 10, not 11. The relay
    // 203.0.113.30 is not listed; Gmail's 5.7.27. The operator expects: the sender not
    // authorised is the cause, never "too many lookups"; the first step adds the address
    // before `-all` and keeps `exp=` where it was.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@exp12.example", "203.0.113.30"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert!(
        !has_finding(&d, "spf-too-many-lookups"),
        "{:?}",
        finding_ids(&d)
    );
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].2
            .ends_with("a:h10.exp12.example ip4:203.0.113.30 -all exp=why.exp12.example"),
        "{r:?}"
    );
}

#[test]
fn an_include_written_with_a_macro_is_followed_for_the_domain_and_passes() {
    // mac12.example publishes `v=spf1 include:%{d}._spf.hosted12.example -all`, the per-domain
    // include some hosting providers hand out; %{d} expands to mac12.example (RFC 7208
    // section 7), whose record there lists the relay 203.0.113.40. DKIM k1 signs; no DMARC
    // record. Gmail's 5.7.26. The operator expects: SPF passes (no "include without SPF" for
    // a name with a `%` in it, no SPF step); the missing DMARC record is the cause and the
    // first step publishes it at _dmarc.mac12.example.
    let (rc, d) = diagnose(GMAIL_5726, &sender("news@mac12.example", "203.0.113.40"));
    assert_eq!(rc, 1);
    assert_eq!(
        d["domain"]["spf"]["result"]["result"], "pass",
        "{}",
        d["domain"]["spf"]
    );
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    for id in [
        "spf-include-without-spf",
        "spf-ip-not-authorised",
        "spf-lookup-failed",
    ] {
        assert!(!has_finding(&d, id), "{id}: {:?}", finding_ids(&d));
    }
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "_dmarc.mac12.example");
    assert!(r[0].2.starts_with("v=DMARC1; p=none"), "{r:?}");
}

#[test]
fn an_exists_term_with_the_reversed_address_macro_passes_the_listed_relay() {
    // macir12.example publishes `v=spf1 exists:%{ir}.%{v}._spf.%{d} -all`: for 203.0.113.170
    // that is 170.113.0.203.in-addr._spf.macir12.example (%{ir} the address's labels reversed,
    // %{v} "in-addr" for IPv4, RFC 7208 section 7.3), which has an A record. DKIM k1 signs; no
    // DMARC record. Gmail's 5.7.26. The operator expects: SPF passes (never blamed); the
    // missing DMARC record is the cause and its step comes first.
    let (rc, d) = diagnose(GMAIL_5726, &sender("news@macir12.example", "203.0.113.170"));
    assert_eq!(rc, 1);
    assert_eq!(
        d["domain"]["spf"]["result"]["result"], "pass",
        "{}",
        d["domain"]["spf"]
    );
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    assert_eq!(records(first_step(&d))[0].0, "_dmarc.macir12.example");
}

// ------------------------------------------------------------------ DKIM

#[test]
fn a_wildcard_spf_record_answering_the_signing_selector_is_named_and_the_key_published() {
    // wc12.example publishes `* TXT "v=spf1 -all"` so that no subdomain can be spoofed; that
    // wildcard also answers k1._domainkey.wc12.example, where the signer's key was never
    // published (RFC 4592: a wildcard answers names holding nothing of their own). The
    // message was signed with k1; Gmail's 5.7.30. The operator expects: the signing selector
    // is the cause; the first step publishes the key at k1._domainkey.wc12.example (which
    // outranks the wildcard there) and says a wildcard answers that name, not that a key of
    // the owner's is "unreadable"; the probed selectors the wildcard also answers are not
    // reported as broken keys.
    let (rc, d) = diagnose(
        super::diagnose_support::GMAIL_5730,
        &sender("news@wc12.example", "203.0.113.200"),
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(
        causes.len() == 1 && causes[0].starts_with("dkim-"),
        "{causes:?}"
    );
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "k1._domainkey.wc12.example");
    let t = step_text(s);
    assert!(t.contains("wildcard") && !t.contains("unreadable"), "{t}");
    let dkim_subjects: Vec<&str> = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "dkim" && f["severity"] != "info")
        .map(|f| f["subject"].as_str().unwrap())
        .collect();
    assert!(
        dkim_subjects
            .iter()
            .all(|s| *s == "k1._domainkey.wc12.example"),
        "{dkim_subjects:?}"
    );
}

#[test]
fn the_same_wildcard_answering_dmarc_is_no_record_and_dmarc_is_published() {
    // Another member of the class: wcd12.example has the same `* TXT "v=spf1 -all"` guard and
    // no DMARC record of its own, so the wildcard answers _dmarc.wcd12.example with text that
    // does not start with v=DMARC1, which receivers ignore (RFC 9989 section 4.10.1). SPF
    // and DKIM pass; Gmail's 5.7.26. The operator expects: no DMARC record is the cause
    // (never "an invalid record"), and the first step publishes one at _dmarc.wcd12.example.
    let (rc, d) = diagnose(GMAIL_5726, &sender("news@wcd12.example", "203.0.113.210"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["dmarc-missing"]);
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "_dmarc.wcd12.example");
}

// ------------------------------------------------------------------ DMARC (RFC 9989)

#[test]
fn a_departments_psd_n_unaligns_the_parents_signature_and_is_what_to_drop() {
    // dept.psdn12.example publishes `v=DMARC1; p=reject; psd=n; ...`. Under RFC 9989's tree
    // walk (section 4.10) a record with psd=n ends the walk: dept.psdn12.example is its own
    // organisational domain. The mail is signed d=psdn12.example (k1, valid) and bounces to
    // bounce@psdn12.example (SPF passes), whose organisational domain is psdn12.example: in
    // relaxed mode neither aligns with dept.psdn12.example, so DMARC fails at p=reject, and
    // Gmail refuses it. The operator expects: the alignment failure is the cause (not a
    // missing key or an SPF gap), and the first step is the one-line DNS fix: the department's
    // record republished without psd=n (the walk then reaches psdn12.example and both
    // identifiers align), its text naming psd=n.
    let (rc, d) = diagnose(
        "550-5.7.26 Unauthenticated email from dept.psdn12.example is not accepted due to domain's 550-5.7.26 DMARC policy. Please contact the administrator of dept.psdn12.example domain if 550-5.7.26 this was a legitimate mail. To learn about the DMARC initiative, go to 550 5.7.26 https://support.google.com/mail/?p=DmarcRejection - gsmtp",
        &[
            "--from",
            "news@dept.psdn12.example",
            "--mail-from",
            "bounce@psdn12.example",
            "--ip",
            "203.0.113.50",
            "--dkim-domain",
            "psdn12.example",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1, "{:?}", finding_ids(&d));
    // Blamed: the failed alignment and the psd=n that splits it (the From domain's missing
    // SPF record is not: SPF ran for the MAIL FROM, psdn12.example, and passed).
    let causes = cause_ids(&d);
    assert!(
        causes.iter().any(|c| c == "dmarc-psd-n-below-registrable")
            && causes
                .iter()
                .all(|c| c == "dmarc-psd-n-below-registrable" || c == "dmarc-not-aligned"),
        "{causes:?}"
    );
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "_dmarc.dept.psdn12.example",
            "TXT",
            "v=DMARC1; p=reject; rua=mailto:dmarc@psdn12.example"
        )]
    );
    assert!(step_text(s).contains("psd=n"), "{}", step_text(s));
    assert_eq!(fixing(&d)[0], s["id"].as_str().unwrap());
}

#[test]
fn a_dmarc_record_with_pct_only_is_no_policy_and_gets_one_without_pct() {
    // pcto12.example publishes `v=DMARC1; pct=100`: no p= and no rua=, so receivers apply no
    // DMARC at all (RFC 9989 section 4.10.1: a missing p counts as p=none only beside a valid
    // rua), and pct= is a tag RFC 9989 removed. SPF and DKIM pass. Gmail's 5.7.26 (bulk
    // senders must publish DMARC). The operator expects: the unusable record is the cause (a
    // DMARC finding), and the first step publishes `v=DMARC1; p=none; rua=...` at
    // _dmarc.pcto12.example without pct.
    let (rc, d) = diagnose(GMAIL_5726, &sender("news@pcto12.example", "203.0.113.60"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(
        causes.len() == 1 && causes[0].starts_with("dmarc-"),
        "{causes:?}"
    );
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "_dmarc.pcto12.example");
    assert!(
        r[0].2.starts_with("v=DMARC1; p=none; rua=mailto:") && !r[0].2.contains("pct="),
        "{r:?}"
    );
}

#[test]
fn reports_authorised_by_a_wildcard_at_the_destination_need_nothing() {
    // wrep12.example sends its aggregate reports to agg@reports12.example, another
    // organisation, which authorises every domain with `*._report._dmarc.reports12.example TXT
    // "v=DMARC1"` (RFC 9990 allows the wildcard). The relay 203.0.113.70 is not in SPF;
    // Gmail's 5.7.27. The operator expects: SPF is the cause; the report destination is not
    // reported as unauthorised and no step asks reports12.example to publish anything.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@wrep12.example", "203.0.113.70"));
    assert_eq!(rc, 1);
    assert_eq!(cause_ids(&d), ["spf-ip-not-authorised"]);
    assert!(!has_finding(&d, "dmarc-report-destination-unauthorised"));
    assert!(
        !step_ids(&d).iter().any(|s| s == "dmarc-authorise-reports"),
        "{:?}",
        step_ids(&d)
    );
}

// ------------------------------------------------------------------ the domain the reply names

#[test]
fn a_reply_naming_a_subdomain_of_the_given_domain_checks_the_subdomain() {
    // The operator passes --domain sub12.example (the organisation), but Microsoft's 5.7.515
    // names news.sub12.example as the sending domain: the From domain it judged. SPF is
    // evaluated for that name (or its MAIL FROM), and news.sub12.example publishes no SPF of
    // its own while sub12.example's lists the relay. Checking sub12.example would find
    // nothing wrong. The operator expects: news.sub12.example is checked (the provenance says
    // --domain was given and the receiver named this one), its missing SPF is the cause, and
    // the first step publishes SPF at news.sub12.example authorising 203.0.113.80.
    let (rc, d) = diagnose(
        &ms_5515("news.sub12.example"),
        &[
            "--domain",
            "sub12.example",
            "--ip",
            "203.0.113.80",
            "--dkim-selector",
            "k1",
        ],
    );
    let p = provenance(&d, "domain");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, "news.sub12.example");
    assert!(p[0].1.contains("--domain sub12.example"), "{p:?}");
    assert_eq!(rc, 1, "{:?}", finding_ids(&d));
    assert_eq!(cause_ids(&d), ["spf-missing"]);
    let r = records(first_step(&d));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "news.sub12.example");
    assert!(r[0].2.contains("ip4:203.0.113.80"), "{r:?}");
}

#[test]
fn a_reply_naming_another_organisation_keeps_the_given_domain_and_says_so() {
    // The guard of the class above: --domain mine12.example, but the reply names
    // other12.example, another organisation (a pasted reply of someone else's mail, or a
    // From the user did not expect). Checking other12.example would plan changes to a zone
    // the user may not run. The operator expects: mine12.example is checked (clean: exit 0,
    // no cause found in DNS), the named domain is reported beside it as not checked, and no
    // step publishes anything at other12.example.
    let (rc, d) = diagnose(
        &ms_5515("other12.example"),
        &[
            "--domain",
            "mine12.example",
            "--ip",
            "203.0.113.81",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(provenance(&d, "domain")[0].0, "mine12.example");
    let named = provenance(&d, "reply_domain");
    assert_eq!(named.len(), 1, "{:?}", d["input"]["provenance"]);
    assert_eq!(named[0].0, "other12.example");
    assert!(named[0].1.contains("not checked"), "{named:?}");
    assert_eq!(rc, 0, "{:?}", cause_ids(&d));
    for s in d["plan"].as_array().unwrap() {
        assert!(
            records(s).iter().all(|r| !r.0.ends_with("other12.example")),
            "{s}"
        );
    }
}

#[test]
fn the_spf_domain_gmail_names_is_checked_as_the_mail_from() {
    // Gmail's 5.7.26 says which domain its SPF check was for: `SPF [bounce.mfr12.example] with
    // ip: [203.0.113.220] = did not pass`, the return path (RFC 7208 section 2.4), which
    // publishes no SPF; mfr12.example's own record lists the relay, and no key is published
    // at k1. The operator passes only --from news@mfr12.example. The operator expects: the
    // named domain checked as the MAIL FROM (the provenance says it came from the reply), its
    // missing SPF among the causes, and the SPF step publishing at bounce.mfr12.example
    // authorising 203.0.113.220, before the DKIM step.
    let (rc, d) = diagnose(
        "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 550-5.7.26  Authentication results: 550-5.7.26  DKIM = did not pass 550-5.7.26  SPF [bounce.mfr12.example] with ip: [203.0.113.220] = did not pass 550 5.7.26 - gsmtp",
        &sender("news@mfr12.example", "203.0.113.220"),
    );
    assert_eq!(rc, 1);
    let p = provenance(&d, "mail_from");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].0.ends_with("@bounce.mfr12.example") && p[0].1.starts_with("reply text"),
        "{p:?}"
    );
    assert!(
        cause_ids(&d).iter().any(|c| c == "spf-missing"),
        "{:?}",
        cause_ids(&d)
    );
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "bounce.mfr12.example");
    assert!(r[0].2.contains("ip4:203.0.113.220"), "{r:?}");
}
