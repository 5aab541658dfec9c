//! Round 10 of held-out style `diagnose` scenarios, SPF and DKIM records a receiver cannot use
//! as written: an `mx` term over more than ten MX hosts, a misspelt mechanism, an `ip4:` prefix
//! over 32, an include that loops back, a vendor's included record with such a term (its
//! publisher's to repair), a key whose `v=DKIM1` is not first, a DMARC record whose
//! `v=DMARC1` is not first, strict SPF alignment under a return path of its own, and the wait a
//! plan gives for a record cached for two days. Each scenario says what a careful operator
//! expects first (the cause, the first step and its exact record, what must not be blamed),
//! then runs. Records a receiver reads fine although they look odd, and hostile DNS, are in
//! `diagnose_scenarios10b.rs`.
#![allow(clippy::unwrap_used)]

use super::diagnose_scenarios9::{ms_5515, text};
use super::diagnose_support::{
    GMAIL_5726, GMAIL_5727, GMAIL_5730, cause_ids, diagnose_with_code, escalation, first_step,
    fixing, rec, records, step_ids,
};
use serde_json::Value;

pub(super) const ZONES: &str = "tests/fixtures/scenarios10";

/// The 2048-bit key the fixtures publish.
pub(super) const KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsta/+FfHrBKAAPr0DAeX70DABG+zEhhKF9osgYGqZ0uqSvdo0kJirIRW2F3YVbXd1zB2/iAmJecXj1yjzkaHWtPL2HxTAu/AP8K89FVNEKD1iTOfsOPu9FQqx0l6qeU12+9AXdfCrpEKjri8e8ChmZu2RY4BEXReo2TOKR6Rq3w0fi3iSg6thcXMiUY4gm2a0eSUu7+WMq0Gvaf0cnhTgO1ZY+eSXt5/uHlm4bGTepaC2Go9SExfiETRS4YJeQEGJN/US2nRJQYAEW+IeJ5MLYu0PbODRdjLt84oZyVOJwnsaEIMzow1bvWBhELyzQzUIhi7/NBXZsoL/ywNDIK1UwIDAQAB";

pub(super) fn diagnose(reply: &str, args: &[&str]) -> (i32, Value) {
    diagnose_with_code(ZONES, reply, args)
}

/// `--from news@DOMAIN --ip IP --dkim-selector k1`.
pub(super) fn sender<'a>(from: &'a str, ip: &'a str) -> [&'a str; 6] {
    ["--from", from, "--ip", ip, "--dkim-selector", "k1"]
}

/// The first step's one SPF record at `domain`: its value.
fn first_spf(d: &Value, domain: &str) -> String {
    let s = first_step(d);
    assert!(s["id"].as_str().unwrap().starts_with("spf-"), "{s}");
    let r = records(s);
    let spf: Vec<_> = r.iter().filter(|r| r.2.starts_with("v=spf1")).collect();
    assert_eq!(spf.len(), 1, "{r:?}");
    assert_eq!(spf[0].0, domain, "{r:?}");
    spf[0].2.clone()
}

// ------------------------------------------------------------------ SPF a receiver cannot use

#[test]
fn an_mx_term_over_eleven_mx_hosts_is_a_permerror_replaced_by_the_addresses() {
    // mxten10.example publishes `v=spf1 mx -all` and eleven MX hosts. RFC 7208 section 4.6.4:
    // an `mx` term that needs more than ten address lookups is a permerror, whichever host
    // sends; Gmail's 5.7.27. The operator expects: the `mx` term is the cause; the first step
    // replaces it with ip4 terms that include the sender (192.0.2.201) and drops `mx`; the
    // p=none DMARC policy is not blamed.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@mxten10.example", "192.0.2.201"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let v = first_spf(&d, "mxten10.example");
    assert!(v.contains("ip4:192.0.2.201"), "{v}");
    assert!(!v.split_whitespace().any(|t| t == "mx"), "{v}");
    assert!(v.ends_with("-all"), "{v}");
    assert!(!fixing(&d).iter().any(|f| f.starts_with("dmarc-")));
    assert_eq!(escalation(&d), ("escalation-gmail", false));
}

#[test]
fn a_misspelt_include_is_repaired_to_include_not_replaced_by_addresses() {
    // typo10.example writes `incude:_spf.vendor10.example`: an unknown mechanism, so every
    // evaluation is a permerror (RFC 7208 section 5/4.6.1). The sender 192.0.2.203 is the
    // vendor's, authorised by the vendor's record. The operator expects: the misspelt term is
    // the cause; the first step republishes the record with `include:` spelt right and
    // everything else kept (no copy of the vendor's addresses).
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@typo10.example", "192.0.2.203"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let v = first_spf(&d, "typo10.example");
    assert_eq!(
        v,
        "v=spf1 ip4:192.0.2.202 include:_spf.vendor10.example -all",
        "{}",
        text(first_step(&d))
    );
}

#[test]
fn an_ip4_prefix_over_32_is_a_permerror_and_the_sender_is_authorised_by_a_valid_term() {
    // cidr10.example: `ip4:192.0.2.0/33`. RFC 7208 section 5.6: a prefix length over 32 is a
    // syntax error, a permerror for every sender. Gmail's 5.7.27 for 192.0.2.204. The operator
    // expects: the malformed term is the cause; the first step's record has no `/33` and
    // authorises 192.0.2.204.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@cidr10.example", "192.0.2.204"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let v = first_spf(&d, "cidr10.example");
    assert!(!v.contains("/33"), "{v}");
    assert!(covers(&v, "192.0.2.204".parse().unwrap()), "{v}");
}

/// Whether one of `spf`'s ip4 terms covers `ip`.
fn covers(spf: &str, ip: std::net::Ipv4Addr) -> bool {
    spf.split_whitespace().any(|t| {
        let Some(net) = t.trim_start_matches('+').strip_prefix("ip4:") else {
            return false;
        };
        let (a, len) = net.split_once('/').unwrap_or((net, "32"));
        let (Ok(a), Ok(len)) = (a.parse::<std::net::Ipv4Addr>(), len.parse::<u32>()) else {
            return false;
        };
        let mask = if len == 0 {
            0
        } else {
            u32::MAX << (32 - len.min(32))
        };
        len <= 32 && u32::from(a) & mask == u32::from(ip) & mask
    })
}

#[test]
fn an_include_that_loops_back_is_broken_where_it_leads_back() {
    // loop10.example includes _spf.loop10.example, which includes loop10.example: evaluation
    // never ends before the ten-lookup limit (RFC 7208 section 4.6.4), a permerror, although
    // 192.0.2.215 is listed right after the include. Gmail's 5.7.27. The operator expects: the
    // loop is the cause; the first step breaks it at one of the two records, both the
    // domain's own (expectation written first: the apex without the include; the plan breaks
    // it at the record that leads back, which RFC 7208 does not rank below it), and the
    // result leaves no include of the apex and keeps `ip4:192.0.2.215 -all` reachable.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@loop10.example", "192.0.2.215"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(r.len(), 1, "{}", text(s));
    let ok = match r[0].0.as_str() {
        "loop10.example" => r[0].2 == "v=spf1 ip4:192.0.2.215 -all",
        "_spf.loop10.example" => !r[0].2.contains("include:loop10.example"),
        _ => false,
    };
    assert!(ok, "{r:?}");
}

#[test]
fn a_vendors_broken_term_is_the_vendors_to_fix_and_the_customer_keeps_the_include() {
    // cust10.example includes _spf.vbad10.example, whose record writes `ip4:192.0.2.0/33`: a
    // permerror for every customer (RFC 7208 section 5.6), whatever the customer publishes.
    // The sender 192.0.2.228 is the vendor's; Gmail's 5.7.27. The operator expects: SPF is the
    // cause; no step publishes a record at the vendor's name (it is not the sender's zone)
    // nor drops the include from the sender's record (the vendor's servers would then fail
    // once the vendor repairs it); the first step is the vendor's to take and its title says
    // so by naming the vendor's record, not "correct the record of cust10.example".
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@cust10.example", "192.0.2.228"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let mut named = false;
    for st in d["plan"].as_array().unwrap() {
        named |= text(st).contains("_spf.vbad10.example");
        for r in records(st) {
            assert_ne!(r.0, "_spf.vbad10.example", "{r:?}");
            if r.0 == "cust10.example" {
                assert!(r.2.contains("include:_spf.vbad10.example"), "{r:?}");
            }
        }
    }
    assert!(named, "{:?}", step_ids(&d));
    let title = first_step(&d)["title"].as_str().unwrap();
    assert!(title.contains("_spf.vbad10.example"), "{title}");
}

#[test]
fn a_misspelt_term_in_an_own_included_record_is_repaired_at_that_name() {
    // own10.example includes its own _spf.own10.example, which writes `exist:` for `exists:`
    // (an unknown mechanism: permerror, RFC 7208 section 4.6.1) before the macro that allows
    // 192.0.2.231. Gmail's 5.7.27. The operator expects: the first step republishes
    // _spf.own10.example with `exists:` spelt right and its macro kept; the apex record,
    // which is fine, is not republished.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@own10.example", "192.0.2.231"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("spf-")), "{causes:?}");
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "_spf.own10.example",
            "TXT",
            "v=spf1 ip4:192.0.2.230 exists:%{i}.allow.own10.example -all"
        )],
        "{}",
        text(s)
    );
}

#[test]
fn a_misspelt_redirect_is_spelt_right_rather_than_the_vendors_address_added() {
    // rdr10.example writes `redirct=_spf.vendor10.example`: a modifier RFC 7208 section 6 says
    // receivers ignore, so the record ends without a policy and the vendor's 192.0.2.203 gets
    // neutral (no `all`, no redirect). Gmail's 5.7.27. The operator expects: the first step
    // republishes the record with `redirect=` spelt right, and adds no address of the
    // vendor's (the redirect authorises it).
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@rdr10.example", "192.0.2.203"));
    assert_eq!(rc, 1);
    let v = first_spf(&d, "rdr10.example");
    assert_eq!(
        v,
        "v=spf1 ip4:192.0.2.232 redirect=_spf.vendor10.example",
        "{}",
        text(first_step(&d))
    );
    for st in d["plan"].as_array().unwrap() {
        for r in records(st) {
            assert!(!r.2.contains("192.0.2.203"), "{r:?}");
        }
    }
}

// ------------------------------------------------------------------ DKIM and DMARC as written

#[test]
fn a_key_whose_v_dkim1_is_not_first_is_republished_with_it_first() {
    // dkv10.example's k1 reads `k=rsa; v=DKIM1; p=...`. RFC 6376 section 3.6.1: v=, when
    // present, must be the first tag; a verifier discards the key. Gmail's 5.7.30; SPF passes.
    // The operator expects: k1 is the cause; the first step republishes the same key with
    // `v=DKIM1` first (no new key pair); no SPF step.
    let (rc, d) = diagnose(GMAIL_5730, &sender("news@dkv10.example", "192.0.2.205"));
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("dkim-")), "{causes:?}");
    let s = first_step(&d);
    assert_eq!(
        records(s),
        [rec(
            "k1._domainkey.dkv10.example",
            "TXT",
            &format!("v=DKIM1; k=rsa; p={KEY}")
        )],
        "{}",
        text(s)
    );
    assert!(!fixing(&d).iter().any(|f| f.starts_with("spf-")));
}

#[test]
fn a_dmarc_record_whose_v_is_not_first_is_republished_with_it_first_and_its_policy() {
    // dmv10.example publishes `p=reject; v=DMARC1; rua=...`: RFC 9989 section 4.7 requires
    // v=DMARC1 first, so receivers see no DMARC record. SPF and DKIM pass; Microsoft's 5.7.515
    // asks for DMARC. The operator expects: the unreadable record is the cause; the first step
    // republishes it at _dmarc.dmv10.example with v=DMARC1 first, the same policy (the owner
    // asked for reject) and report address; no SPF or DKIM step.
    let (rc, d) = diagnose(
        &ms_5515("dmv10.example"),
        &sender("news@dmv10.example", "192.0.2.210"),
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(causes.iter().all(|c| c.starts_with("dmarc-")), "{causes:?}");
    let s = first_step(&d);
    let r = records(s);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "_dmarc.dmv10.example");
    assert!(r[0].2.starts_with("v=DMARC1;"), "{r:?}");
    assert!(r[0].2.contains("p=reject"), "{r:?}");
    assert!(r[0].2.contains("rua=mailto:dmarc@dmv10.example"), "{r:?}");
    assert!(
        !fixing(&d)
            .iter()
            .any(|f| f.starts_with("spf-") || f.starts_with("dkim-"))
    );
    assert_eq!(escalation(&d), ("escalation-microsoft", false));
}

#[test]
fn strict_spf_alignment_with_a_return_path_of_its_own_signs_with_dkim_and_keeps_reject() {
    // aspf10.example: `p=reject; aspf=s`; mail leaves with MAIL FROM bounce.aspf10.example,
    // whose own SPF passes, and no DKIM signature (no key). Under aspf=s the SPF domain must
    // equal the From domain (RFC 9989 section 4.4.2), so DMARC fails; Gmail's 5.7.26. RFC
    // 9989 says a p=reject domain must not rely on SPF alone. The operator expects: the cause is
    // DKIM/alignment, not SPF authorisation (SPF passes); the first step publishes a DKIM key
    // under aspf10.example; no step lowers p=reject or publishes SPF.
    let (rc, d) = diagnose(
        GMAIL_5726,
        &[
            "--from",
            "news@aspf10.example",
            "--mail-from",
            "bounce@bounce.aspf10.example",
            "--ip",
            "192.0.2.218",
            "--dkim-selector",
            "k1",
        ],
    );
    assert_eq!(rc, 1);
    let causes = cause_ids(&d);
    assert!(!causes.is_empty(), "{causes:?}");
    assert!(
        !causes
            .iter()
            .any(|c| c == "spf-fail" || c.starts_with("spf-ip")),
        "{causes:?}"
    );
    let s = first_step(&d);
    let r = records(s);
    assert!(
        r.iter()
            .any(|r| r.0.ends_with("._domainkey.aspf10.example") && r.2.starts_with("v=DKIM1")),
        "{}",
        text(s)
    );
    for st in d["plan"].as_array().unwrap() {
        for r in records(st) {
            assert!(!r.2.starts_with("v=spf1"), "{r:?}");
            assert!(
                r.0 != "_dmarc.aspf10.example" || r.2.contains("p=reject"),
                "{r:?}"
            );
        }
    }
}

// ------------------------------------------------------------------ waits

#[test]
fn a_record_cached_for_two_days_waits_two_days_after_it_is_changed() {
    // ttl10.example's SPF record has a TTL of 172800 s and lacks 192.0.2.214. Resolvers may
    // keep the old record until its TTL runs out (RFC 1035 section 3.2.1; BIND's default
    // max-cache-ttl is a week), so the plan's wait for the new record is two days, not the
    // zone's default hour. Gmail's 5.7.27.
    let (rc, d) = diagnose(GMAIL_5727, &sender("news@ttl10.example", "192.0.2.214"));
    assert_eq!(rc, 1);
    let v = first_spf(&d, "ttl10.example");
    assert!(v.contains("ip4:192.0.2.214"), "{v}");
    assert_eq!(first_step(&d)["wait_seconds"], 172800, "{}", first_step(&d));
}
