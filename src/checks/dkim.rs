//! DKIM check: probes named and common selectors at once and judges each key found.

use crate::checks::dkim_key::{self, KeyRecord};
use crate::checks::normalise;
use crate::checks::types::{CheckParams, DkimFacts, DkimSelector, Status};
use crate::dns::{Answer, Dns, RType};
use crate::finding::{Check, Finding, Severity, finding};
use futures::future::join_all;
use std::sync::Arc;

/// Selectors providers tell their customers to publish, from their public setup guides:
/// Google Workspace (`google`), Microsoft 365 (`selector1`, `selector2`), SendGrid (`s1`, `s2`),
/// Mailchimp/Mandrill (`k1`-`k3`, `mandrill`), Mailgun (`krs`, `mailo`, `pic`, `smtp`), Zoho (`zoho`,
/// `zmail`), Proton (`protonmail`-`protonmail3`), Fastmail (`fm1`-`fm3`), Postmark (`pm`), Campaign
/// Monitor (`cm`), Mailjet (`mailjet`), Everlytic (`everlytickey1`, `everlytickey2`), SparkPost
/// (`scph0220`...), Yahoo (`s1024`, `s2048`), MXroute (`x`, `mxvault`), Amazon SES legacy (`amazonses`),
/// and generic defaults of OpenDKIM, cPanel, Plesk and others (`default`, `dkim`, `mail`, `dkim1`, `sig1`).
pub const COMMON_SELECTORS: &[&str] = &[
    "google",
    "selector1",
    "selector2",
    "s1",
    "s2",
    "k1",
    "k2",
    "k3",
    "default",
    "dkim",
    "mail",
    "smtp",
    "mx",
    "mandrill",
    "everlytickey1",
    "everlytickey2",
    "dkim1",
    "dkim2",
    "sig1",
    "krs",
    "mailo",
    "pic",
    "mxvault",
    "x",
    "zoho",
    "zmail",
    "protonmail",
    "protonmail2",
    "protonmail3",
    "fm1",
    "fm2",
    "fm3",
    "scph0220",
    "scph0920",
    "scph1220",
    "cm",
    "pm",
    "mailjet",
    "200608",
    "s1024",
    "s2048",
    "amazonses",
    "key1",
    "key2",
    "dk",
    "email",
    "mta",
    "turbo-smtp",
];

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Dkim, sev, subject, msg)
}

/// Probes the keys of `domain`. The `--dkim-selector` selectors are the signature's (`s=` with
/// `d=`): a missing one is an error only where `signing` says they belong, elsewhere a probe.
pub async fn check(
    dns: &Dns,
    params: &CheckParams,
    domain: &str,
    signing: bool,
) -> (DkimFacts, Vec<Finding>) {
    let domain = normalise(domain);
    let mut probes: Vec<(String, bool)> = Vec::new();
    for s in &params.dkim_selectors {
        let s = normalise(s);
        if !s.is_empty() && !probes.iter().any(|(p, _)| *p == s) {
            probes.push((s, signing));
        }
    }
    for s in COMMON_SELECTORS {
        if !probes.iter().any(|(p, _)| p == s) {
            probes.push(((*s).to_string(), false));
        }
    }
    let answers = join_all(probes.iter().map(|(s, _)| {
        let name = format!("{s}._domainkey.{domain}");
        async move { dns.query(&name, RType::TXT).await }
    }))
    .await;

    let all_queries: Vec<usize> = answers.iter().map(|a| a.id).collect();
    let mut facts = DkimFacts {
        domain: domain.clone(),
        status: Status::Complete,
        selectors: Vec::new(),
        probed: probes.iter().map(|(s, _)| s.clone()).collect(),
    };
    let mut out = Vec::new();
    let mut failed_discovery: Vec<Arc<Answer>> = Vec::new();
    for ((sel, asked), a) in probes.iter().zip(answers) {
        let name = a.name.clone();
        if a.outcome.is_trouble() {
            facts.status = Status::Inconclusive;
            if *asked {
                out.push(lookup_failed(&name, std::slice::from_ref(&a)));
            } else {
                failed_discovery.push(a);
            }
            continue;
        }
        let txt = a.txt_strings();
        let key = txt
            .iter()
            .find(|t| dkim_key::looks_like_key(t))
            .or(if *asked { txt.first() } else { None });
        let Some(key) = key else {
            if a.outcome.is_absent()
                && let Some(target) = a.cname_chain.last()
            {
                // A delegation the provider no longer serves: worth saying even for a probe.
                out.push(f("dkim-cname-dangling", Severity::Warning, &name, format!("{name} is a CNAME to {target}, which has no key ({}): the DKIM key was delegated to a signing service that does not publish it (any more); signatures with selector `{sel}` fail. Point the CNAME at the target your provider gives now, or remove it if the service is no longer used.", a.outcome.label())).with_queries([a.id]));
            }
            if *asked {
                out.push(f("dkim-selector-missing", Severity::Error, &name, format!("The DKIM selector `{sel}` has no key at {name} ({}): signatures made with it fail verification. Publish the key your signing service gives you there.", if a.outcome.is_absent() { a.outcome.label() } else { "no key record" })).with_queries([a.id]));
            }
            continue;
        };
        let rec = dkim_key::parse(key);
        facts.selectors.push(selector_facts(sel, &a, key, &rec));
        out.extend(key_findings(sel, *asked, &a, &rec));
    }
    if facts.selectors.is_empty() {
        if !failed_discovery.is_empty() {
            out.push(lookup_failed(
                &format!("_domainkey.{domain}"),
                &failed_discovery,
            ));
        } else if !probes.iter().any(|(_, asked)| *asked) {
            out.push(f("dkim-no-key-found", Severity::Warning, &domain, format!("No DKIM key was found at any of {} common selectors of {domain}. DKIM keys live at <selector>._domainkey.{domain}; give the selector from the `s=` tag of a DKIM-Signature header with --dkim-selector.", probes.len())).with_queries(all_queries));
        }
    }
    (facts, out)
}

fn lookup_failed(subject: &str, answers: &[Arc<Answer>]) -> Finding {
    let outcome = answers
        .first()
        .map(|a| crate::checks::spf::tree::outcome_text(&a.outcome))
        .unwrap_or_default();
    f("dkim-lookup-failed", Severity::Warning, subject, format!("DKIM key lookups for {subject} failed ({outcome}, {} queries); DKIM could not be checked.", answers.len()))
        .with_queries(answers.iter().map(|a| a.id))
        .inconclusive()
}

fn selector_facts(sel: &str, a: &Answer, key: &str, rec: &KeyRecord) -> DkimSelector {
    let status = if !rec.errors.is_empty() {
        "invalid"
    } else if rec.revoked {
        "revoked"
    } else if rec.testing {
        "testing"
    } else {
        "valid"
    };
    DkimSelector {
        selector: sel.to_string(),
        status: status.to_string(),
        key_type: rec.key_type.clone(),
        bits: rec.bits,
        cname: a.cname_chain.last().cloned(),
        record: Some(key.to_string()),
        tags: rec.tags.clone(),
        ttl: a.ttl,
    }
}

fn key_findings(sel: &str, asked: bool, a: &Answer, rec: &KeyRecord) -> Vec<Finding> {
    let name = a.name.as_str();
    let mut out = Vec::new();
    let mut push = |id: &str, sev, msg: String| {
        let mut fd = f(id, sev, name, msg).with_queries([a.id]);
        fd.location = a.location.clone();
        out.push(fd);
    };
    if !rec.errors.is_empty() {
        push(
            "dkim-syntax-error",
            Severity::Error,
            format!(
                "The DKIM key record at {name} is invalid: {}; signatures with selector `{sel}` cannot be verified.",
                rec.errors.join("; ")
            ),
        );
        return out;
    }
    if rec.revoked {
        let sev = if asked {
            Severity::Warning
        } else {
            Severity::Info
        };
        push(
            "dkim-key-revoked",
            sev,
            format!(
                "The DKIM key at {name} is revoked (empty `p=`): signatures with selector `{sel}` fail."
            ),
        );
        return out;
    }
    match rec.bits {
        Some(b) if rec.key_type.as_deref() == Some("rsa") && b < 1024 => push(
            "dkim-key-too-short",
            Severity::Error,
            format!(
                "The DKIM key at {name} is RSA {b} bits; receivers ignore RSA keys under 1024 bits (RFC 8301), so these signatures count as absent."
            ),
        ),
        Some(b) if rec.key_type.as_deref() == Some("rsa") && b < 2048 => push(
            "dkim-key-weak",
            Severity::Warning,
            format!("The DKIM key at {name} is RSA {b} bits; 2048 bits is the recommended size."),
        ),
        _ => {}
    }
    if rec.testing {
        push(
            "dkim-testing",
            Severity::Warning,
            format!(
                "The DKIM key at {name} has `t=y` (testing): receivers may treat its signatures as unsigned mail."
            ),
        );
    }
    if rec.sha1_only {
        push(
            "dkim-sha1-only",
            Severity::Warning,
            format!(
                "The DKIM key at {name} allows only SHA-1 (`h=sha1`); RFC 8301 makes SHA-1 signatures fail verification."
            ),
        );
    }
    let via = a
        .cname_chain
        .last()
        .map(|c| format!(", delegated by CNAME to {c}"))
        .unwrap_or_default();
    let bits = rec.bits.map(|b| format!(" {b}-bit")).unwrap_or_default();
    push(
        "dkim-key-found",
        Severity::Info,
        format!(
            "DKIM selector `{sel}` has a{bits} {} key at {name}{via}.",
            rec.key_type.as_deref().unwrap_or("rsa")
        ),
    );
    out
}
