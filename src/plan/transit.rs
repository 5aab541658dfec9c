//! A message changed or re-sent in transit: the receiver saw the DKIM body hash fail on mail a
//! mailing list or forwarder re-sent, while the sender's own DNS is right; or the bounce comes
//! from the recipient's own domain, which forwarded the message to another provider.
//!
//! The evidence is the receiver's Authentication-Results in the bounce (RFC 8601): DKIM failed
//! with "body hash did not verify" for a `d=` aligned with the From domain, SPF passed for
//! another organisation's MAIL FROM (the list's own bounce address), and the key at the
//! signing selector is usable. No record of the sender changes that.

use super::DiagnoseInput;
use crate::finding::{Check, Severity};

/// What the bounce shows about the re-sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodyChanged {
    /// The DKIM `d=` whose body hash failed.
    pub dkim_domain: String,
    /// The MAIL FROM domain SPF passed for: the forwarder's.
    pub forwarder: String,
    /// The address the receiver saw, when known.
    pub ip: Option<String>,
    /// How the receiver's words show the change, for the reason's text.
    pub how: &'static str,
}

/// The receiver says the body changed.
const BODY_HASH: &str = "with 'body hash did not verify'";
/// The receiver gives no reason, but verified an ARC seal an intermediary added (RFC 8617).
const ARC_SEALED: &str = "while the re-sender's ARC seal verified (arc=pass)";

/// The value of `key=` in one resinfo of an Authentication-Results header.
fn prop<'a>(resinfo: &'a str, key: &str) -> Option<&'a str> {
    resinfo
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key))
        .map(|v| v.trim_end_matches([';', ',']))
        .filter(|v| !v.is_empty())
}

fn domain_of(v: &str) -> String {
    v.rsplit_once('@')
        .map_or(v, |(_, d)| d)
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

fn same_organization(name: &str, org: &str) -> bool {
    !org.is_empty() && (name == org || name.ends_with(&format!(".{org}")))
}

/// (DKIM d= whose signature broke in transit, MAIL FROM domain SPF passed for, how) in one
/// header. A bare `dkim=fail` (Gmail gives no reason) counts only beside `arc=pass`: an
/// intermediary sealed what it received, so the message passed through one and was re-sent.
fn read(header: &str) -> Option<(String, String, &'static str)> {
    let lower = header.to_ascii_lowercase();
    let resinfos: Vec<&str> = lower.split(';').map(str::trim).collect();
    let sealed = resinfos.iter().any(|r| r.starts_with("arc=pass"));
    let mut dkim = None;
    let mut spf = None;
    for resinfo in resinfos {
        let body = (resinfo.starts_with("dkim=fail") || resinfo.starts_with("dkim=neutral"))
            && resinfo.contains("body hash");
        let how = if body {
            Some(BODY_HASH)
        } else if sealed && resinfo.starts_with("dkim=fail") {
            Some(ARC_SEALED)
        } else {
            None
        };
        if let Some(how) = how {
            dkim = prop(resinfo, "header.d=")
                .or_else(|| prop(resinfo, "header.i="))
                .map(|d| (domain_of(d), how));
        } else if resinfo.starts_with("spf=pass") {
            spf = prop(resinfo, "smtp.mailfrom=").map(domain_of);
        }
    }
    let (d, how) = dkim?;
    Some((d, spf?, how))
}

/// The re-sending the bounce shows, when the sender's DNS had nothing to do with the failure.
pub(crate) fn body_changed(input: &DiagnoseInput<'_>) -> Option<BodyChanged> {
    let report = input.report;
    let org = report
        .dmarc
        .as_ref()
        .and_then(|d| d.alignment.as_ref())
        .map(|a| a.from_organizational_domain.to_ascii_lowercase())
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| report.domain.to_ascii_lowercase());
    // A broken or missing key at the signing selector is a DNS cause, not a transit one.
    let key_usable = !report
        .findings
        .iter()
        .any(|f| f.check == Check::Dkim && f.severity == Severity::Error);
    let found = report
        .findings
        .iter()
        .any(|f| f.check == Check::Dkim && f.id == "dkim-key-found");
    if !key_usable || !found {
        return None;
    }
    let (dkim_domain, forwarder, how) = input
        .provenance
        .iter()
        .filter(|p| p.field == "authentication_results")
        .find_map(|p| read(&p.value))
        .filter(|(d, f, _)| same_organization(d, &org) && !same_organization(f, &org))?;
    let ip = input.params.ip.map(|ip| ip.to_string());
    Some(BodyChanged {
        dkim_domain,
        forwarder,
        ip,
        how,
    })
}

/// A bounce written by the recipient's own domain about delivery to another provider: the
/// recipient's address forwards (an alias, an alumni address, a mailbox rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Forwarded {
    /// The host that forwarded and wrote the bounce (Reporting-MTA).
    pub forwarder: String,
    /// The address the sender wrote to (Original-Recipient).
    pub recipient: String,
    /// The host that refused the forwarded copy (Remote-MTA).
    pub onward: String,
}

/// The forwarding the primary reply's bounce shows: its Reporting-MTA shares the organization
/// of the original recipient's domain, not the sender's, and the refusal came from a host of
/// yet another organization. At that host SPF is checked against the forwarder's address, so
/// only an aligned DKIM signature can authenticate the message there.
pub(crate) fn forwarded(input: &DiagnoseInput<'_>) -> Option<Forwarded> {
    use crate::domain_name::org_domain;
    let (r, _) = super::primary(input.replies)?;
    let forwarder = r
        .reporting_mta
        .as_deref()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let onward = r
        .remote_mta
        .as_deref()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let recipient = r
        .recipient
        .as_deref()?
        .trim_matches(['<', '>'])
        .to_ascii_lowercase();
    let (_, rcpt_domain) = recipient.rsplit_once('@')?;
    let org = org_domain(&forwarder);
    let forwarded = org == org_domain(rcpt_domain)
        && org != org_domain(&onward)
        && org != org_domain(&input.report.domain);
    forwarded.then_some(Forwarded {
        forwarder,
        recipient,
        onward,
    })
}

/// A finding that says the From domain has no DKIM key at all: on a forwarded message nothing
/// else could have authenticated it, so it is why the message failed, not hardening.
pub(crate) fn unsigned_when_forwarded(
    f: &crate::finding::Finding,
    input: &DiagnoseInput<'_>,
) -> bool {
    f.check == Check::Dkim
        && matches!(
            f.id.as_str(),
            "dkim-no-key-found" | "dkim-domainkey-nxdomain"
        )
        && forwarded(input).is_some()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::read;

    #[test]
    fn a_body_hash_failure_and_the_forwarders_spf_pass_are_read_from_one_header() {
        let ar = "spf=pass (sender IP is 198.51.100.60) smtp.mailfrom=lists.example; dkim=fail (body hash did not verify) header.d=sender.example;dmarc=fail action=oreject header.from=sender.example";
        assert_eq!(
            read(ar),
            Some((
                "sender.example".into(),
                "lists.example".into(),
                super::BODY_HASH
            ))
        );
        let gmail = "mx.google.com; dkim=neutral (body hash did not verify) header.i=@Sender.Example header.s=k1; spf=pass (google.com: domain of bounce@lists.example designates 198.51.100.60 as permitted sender) smtp.mailfrom=bounce@lists.example";
        assert_eq!(
            read(gmail),
            Some((
                "sender.example".into(),
                "lists.example".into(),
                super::BODY_HASH
            ))
        );
    }

    #[test]
    fn a_bare_dkim_fail_beside_a_verified_arc_seal_is_a_re_sending() {
        let gmail = "mx.google.com; dkim=fail header.i=@sender.example header.s=k1; arc=pass (i=1 spf=pass spfdomain=sender.example); spf=pass (google.com: domain of b@lists.example designates 198.51.100.60 as permitted sender) smtp.mailfrom=b@lists.example";
        assert_eq!(
            read(gmail),
            Some((
                "sender.example".into(),
                "lists.example".into(),
                super::ARC_SEALED
            ))
        );
        let unsealed = gmail.replace("arc=pass", "arc=none");
        assert_eq!(read(&unsealed), None);
    }

    #[test]
    fn a_signature_that_failed_for_another_reason_is_not_a_body_change() {
        assert_eq!(
            read(
                "spf=pass smtp.mailfrom=lists.example; dkim=fail (signature did not verify) header.d=sender.example"
            ),
            None
        );
        assert_eq!(
            read(
                "spf=fail smtp.mailfrom=lists.example; dkim=fail (body hash did not verify) header.d=sender.example"
            ),
            None
        );
    }
}
