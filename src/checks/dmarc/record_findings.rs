//! Findings about the DMARC record that applies (RFC 9989 section 4.7): values, unknown and
//! obsolete tags, a missing policy, `p=none`, testing mode, weaker subdomain policies, reports.

use super::discovery::Discovery;
use crate::checks::dmarc_record::{DmarcRecord, strength};
use crate::dns::Answer;
use crate::finding::{Check, Finding, Severity, finding};

/// Builds findings about one record, all with the same subject, queries and zone location.
pub struct At<'a> {
    pub subject: &'a str,
    pub answer: Option<&'a Answer>,
    pub queries: &'a [usize],
}

impl At<'_> {
    pub fn f(&self, id: &str, sev: Severity, msg: String) -> Finding {
        let mut fd = finding(id, Check::Dmarc, sev, self.subject, msg)
            .with_queries(self.queries.iter().copied());
        fd.location = self.answer.and_then(|a| a.location.clone());
        fd
    }
}

/// `domain` is the domain whose policy this is, `policy_domain` the one publishing the record.
pub fn for_record(
    at: &At<'_>,
    rec: &DmarcRecord,
    d: &Discovery,
    domain: &str,
    policy_domain: &str,
) -> Vec<Finding> {
    let subject = at.subject;
    let mut out = Vec::new();
    if !rec.errors.is_empty() {
        out.push(at.f(
            "dmarc-syntax-error",
            Severity::Error,
            format!(
                "The DMARC record at {subject} has errors: {}.{}",
                rec.errors.join("; "),
                fallback_note(d)
            ),
        ));
    }
    if !rec.unknown.is_empty() {
        let more = rec.unknown_count.saturating_sub(rec.unknown.len());
        out.push(at.f(
            "dmarc-unknown-tag",
            Severity::Warning,
            format!(
                "The DMARC record at {subject} has tags DMARC does not define, which receivers ignore (RFC 9989 section 4.7): {}{}.",
                rec.unknown.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
        ));
    }
    if !rec.obsolete.is_empty() {
        out.push(obsolete(at, rec));
    }
    // `psd=y` on a name the Public Suffix List has as registrable (a company's domain): every
    // name under it becomes an organization of its own for receivers that walk the tree.
    let registrable = psl::domain_str(policy_domain).is_some_and(|r| r == policy_domain);
    if rec.psd() == Some(true) && registrable {
        out.push(at.f(
            "dmarc-psd-on-registrable-domain",
            Severity::Warning,
            format!(
                "The DMARC record at {subject} has `psd=y`: {policy_domain} declares itself a public suffix domain, a registry under which others register their names (RFC 9989 section 4.7), but the Public Suffix List has it as a registrable domain. Receivers that walk the tree (RFC 9989 section 4.10.2) then take each name under it as an organization of its own, so mail whose MAIL FROM or DKIM d= is a subdomain of {policy_domain} does not align with {policy_domain}. Unless {policy_domain} really is a registry, remove `psd=y`."
            ),
        ));
    }
    // `psd=n` on a name under a registrable domain (a department's record): receivers that
    // walk the tree stop there, so the parent's return path and signatures no longer align.
    if rec.psd() == Some(false)
        && let Some(parent) = psl::domain_str(policy_domain).filter(|r| *r != policy_domain)
    {
        out.push(at.f(
            "dmarc-psd-n-below-registrable",
            Severity::Warning,
            format!(
                "The DMARC record at {subject} has `psd=n`: {policy_domain} declares itself an organizational domain (RFC 9989 section 4.7), although the Public Suffix List puts it under {parent}. Receivers that walk the tree (RFC 9989 section 4.10.2) stop there, so mail from {policy_domain} whose MAIL FROM or DKIM d= is {parent} (or any name outside {policy_domain}) does not align with it, while receivers still on RFC 7489 see one organization. Unless {policy_domain} is meant to stand apart from {parent}, remove `psd=n`."
            ),
        ));
    }
    let p = rec.tag("p");
    if p.is_none() {
        let (sev, effect) = if d.policy.is_some() {
            (
                Severity::Warning,
                "it has a valid `rua`, so receivers treat it as `p=none` (RFC 9989 section 4.10.1): monitoring only",
            )
        } else {
            (
                Severity::Error,
                "and no valid `rua` either, so receivers apply no DMARC at all (RFC 9989 section 4.10.1)",
            )
        };
        out.push(at.f(
            "dmarc-missing-policy",
            sev,
            format!("The DMARC record at {subject} has no `p=` tag; {effect}. Add `p=none` (then quarantine, then reject)."),
        ));
    }
    let named_none = d.policy.as_deref() == Some("none")
        && d.source.as_deref().is_some_and(|s| !s.starts_with("none"));
    if named_none {
        let which = match d.source.as_deref() {
            Some(t @ ("sp" | "np")) => format!("`{t}=none` (of {policy_domain})"),
            _ => "`p=none`".to_string(),
        };
        out.push(at.f(
            "dmarc-policy-none",
            Severity::Warning,
            format!(
                "The DMARC policy applied to {domain} is {which}: spoofed mail is still delivered. Once reports show your mail aligns, move to quarantine, then reject."
            ),
        ));
    }
    if rec.testing()
        && let (Some(policy), Some(applied)) = (d.policy.as_deref(), d.applied.as_deref())
        && policy != applied
    {
        out.push(at.f(
            "dmarc-testing",
            Severity::Info,
            format!(
                "The DMARC record at {subject} has `t=y` (testing): receivers that follow RFC 9989 apply `{applied}` instead of `{policy}` to failing mail. Remove `t=y` once the reports stay clean."
            ),
        ));
    }
    let strong = strength(rec.policy_tag("p").unwrap_or("none"));
    for t in ["sp", "np"] {
        if let Some(v) = rec.policy_tag(t)
            && strength(v) < strong
        {
            out.push(at.f(
                "dmarc-subdomain-policy-weaker",
                Severity::Warning,
                format!(
                    "The DMARC record at {subject} sets `{t}={v}`, weaker than `p`: spoofers can use {} subdomains of {policy_domain}.",
                    if t == "np" { "non-existent" } else { "existing" }
                ),
            ));
        }
    }
    if rec.rua.is_empty() {
        out.push(at.f(
            "dmarc-no-rua",
            Severity::Warning,
            format!(
                "The DMARC record at {subject} has no `rua=`: you receive no aggregate reports, so you are blind to who sends as {policy_domain} and whether it passes."
            ),
        ));
    }
    out
}

fn fallback_note(d: &Discovery) -> &'static str {
    if d.source.as_deref() == Some("none (rua fallback)") {
        " Because of them, receivers treat the record as `p=none` (it has a valid `rua`, RFC 9989 section 4.10.1)."
    } else if d.policy.is_none() {
        " Receivers that cannot read a valid policy from it and find no valid `rua` apply no DMARC at all."
    } else {
        ""
    }
}

fn obsolete(at: &At<'_>, rec: &DmarcRecord) -> Finding {
    let terms: Vec<String> = rec
        .obsolete
        .iter()
        .map(|(k, v)| format!("`{k}={v}`"))
        .collect();
    let pct = rec
        .obsolete
        .iter()
        .find(|(k, _)| k == "pct")
        .and_then(|(_, v)| v.parse::<u8>().ok())
        .filter(|p| *p < 100);
    let legacy = match (pct, rec.policy_tag("p")) {
        (Some(n), Some(p)) if p != "none" => format!(
            " Receivers following RFC 9989 apply `p={p}` to all failing mail; receivers still on RFC 7489 apply it to {n}% of it. Stage with `t=y` instead."
        ),
        _ => String::new(),
    };
    at.f(
        "dmarc-obsolete-tag",
        Severity::Info,
        format!(
            "The DMARC record at {} has {}: RFC 9989 removed `pct`, `rf` and `ri`, and receivers that follow it ignore them.{legacy}",
            at.subject,
            terms.join(", ")
        ),
    )
}
