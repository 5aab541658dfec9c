//! The message's path: what the user named or the bounce carried (the signing selector and its
//! d=) is what the message used, so a key problem there fails DKIM for this very message.

use super::DiagnoseInput;
use crate::finding::{Check, Finding};

/// DKIM findings that make a signature with that selector fail (or count as absent): a key
/// that is revoked, missing, too short, malformed, SHA-1 only, or a CNAME to nothing; or an
/// Ed25519 key with no RSA one beside it, which a receiver that verifies only RSA cannot check. On a
/// probed selector they are facts about the domain; on the signing selector they are why DKIM
/// failed (RFC 6376 section 6.1.2, RFC 8301 section 3).
const FAILS_THE_SIGNATURE: [&str; 7] = [
    "dkim-key-revoked",
    "dkim-ed25519-only",
    "dkim-selector-missing",
    "dkim-key-too-short",
    "dkim-syntax-error",
    "dkim-sha1-only",
    "dkim-cname-dangling",
];

/// The domain the message was signed with: `--dkim-domain` (or the bounce's d=), else the
/// checked domain.
pub(super) fn signing_domain(input: &DiagnoseInput<'_>) -> String {
    input
        .report
        .dkim_signing
        .as_ref()
        .map(|s| s.domain.clone())
        .or_else(|| input.params.dkim_domain.clone())
        .unwrap_or_else(|| input.report.domain.clone())
        .to_ascii_lowercase()
}

/// The key names the message's signatures point at: `<s>._domainkey.<d>` for each selector
/// the user named or the bounce carried.
pub(super) fn signing_key_names(input: &DiagnoseInput<'_>) -> Vec<String> {
    let d = signing_domain(input);
    input
        .params
        .dkim_selectors
        .iter()
        .map(|s| format!("{}._domainkey.{d}", s.to_ascii_lowercase()))
        .collect()
}

/// True when `f` says the message's own signature fails, whatever its severity as a fact
/// about the domain (a revoked key is only a warning on a selector nobody signs with).
pub(super) fn fails_on_path(f: &Finding, input: &DiagnoseInput<'_>) -> bool {
    if f.inconclusive || f.check != Check::Dkim || !FAILS_THE_SIGNATURE.contains(&f.id.as_str()) {
        return false;
    }
    let subject = f.subject.trim_end_matches('.').to_ascii_lowercase();
    signing_key_names(input).contains(&subject) && !another_signature_verifies(&subject, input)
}

/// True when the message was signed with another selector (of the same d=) whose RSA key is
/// usable: one signature that verifies is enough (RFC 6376 section 6.1, RFC 9989 section
/// 4.4), so a broken key beside it (a 512-bit one kept from years ago) did not fail the
/// message. Rotating it is hardening.
fn another_signature_verifies(subject: &str, input: &DiagnoseInput<'_>) -> bool {
    let report = input.report;
    let Some(facts) = report.dkim_signing.as_ref().or(report.dkim.as_ref()) else {
        return false;
    };
    let d = signing_domain(input);
    input.params.dkim_selectors.iter().any(|n| {
        format!("{}._domainkey.{d}", n.to_ascii_lowercase()) != subject
            && facts.selectors.iter().any(|s| {
                // An Ed25519 key verifies only where RFC 8463 is implemented: most
                // receivers in 2026 check RSA alone, so it stands for no one else.
                s.selector.eq_ignore_ascii_case(n)
                    && s.status == "valid"
                    && s.key_type.as_deref() != Some("ed25519")
            })
    })
}

/// True when `f` says SPF did not pass for the address this message came from: softfail and
/// neutral are warnings as facts about a record (`~all` is a common choice), but for this
/// message they are not a pass, so neither SPF nor DMARC's SPF half authenticated it
/// (RFC 7208 sections 8.3-8.5, RFC 9989 section 4.4).
pub(super) fn spf_did_not_pass(f: &Finding) -> bool {
    !f.inconclusive && f.check == Check::Spf && f.id == "spf-ip-not-authorised"
}

/// True when `f` is about a DKIM key this message was not signed with: a key the message names
/// none of its signatures with (found by discovery) cannot have failed it, whether or not the
/// signing selectors have usable keys; and a domain-wide DKIM finding is off the path while
/// every selector it was signed with has a usable key. Either is hardening, not why the
/// message was rejected. (SPF has no such rule: a receiver that says SPF failed where the
/// evaluation here passes may count the record's lookups differently, so the record's errors
/// stay causes.)
pub(super) fn off_path(f: &Finding, input: &DiagnoseInput<'_>) -> bool {
    if f.inconclusive || f.check != Check::Dkim {
        return false;
    }
    let subject = f.subject.trim_end_matches('.').to_ascii_lowercase();
    let signing = signing_key_names(input);
    if !signing.is_empty() && subject.contains("._domainkey.") && !signing.contains(&subject) {
        return true;
    }
    if signing.contains(&subject) && another_signature_verifies(&subject, input) {
        return true;
    }
    let report = input.report;
    let Some(facts) = report.dkim_signing.as_ref().or(report.dkim.as_ref()) else {
        return false;
    };
    let named = &input.params.dkim_selectors;
    let all_usable = !named.is_empty()
        && named.iter().all(|n| {
            facts.selectors.iter().any(|s| {
                s.selector.eq_ignore_ascii_case(n) && (s.status == "valid" || s.status == "testing")
            })
        });
    all_usable && !signing.contains(&subject)
}

/// True when `f` is about the checked (From) domain's own SPF record while check_host ran for
/// another MAIL FROM domain and passed there: SPF checks the MAIL FROM (RFC 7208 section 2.4),
/// and DMARC takes that result (RFC 9989 section 4.4), so the From domain's record played no
/// part in this message. Publishing it is hardening, not why the message was refused.
pub(super) fn spf_off_path(f: &Finding, input: &DiagnoseInput<'_>) -> bool {
    if f.inconclusive || f.check != Check::Spf {
        return false;
    }
    let Some(eval) = input.report.spf.as_ref().and_then(|s| s.result.as_ref()) else {
        return false;
    };
    let subject = f.subject.trim_end_matches('.');
    eval.result == "pass"
        && !eval.domain.eq_ignore_ascii_case(subject)
        && subject.eq_ignore_ascii_case(&input.report.domain)
}
