//! Findings that need several checks' facts at once: a domain that does not exist (one finding,
//! not one "missing" per record), a parked domain (reported as parked, not as errors), and a
//! DMARC `p=reject` that relies on SPF alone.

use super::types::{CheckParams, DkimFacts, DmarcFacts, DomainReport};
use crate::dns::{Dns, Outcome, RType};
use crate::finding::{Check, Finding, Severity, finding};

/// "Nothing is published here" findings: about a name that does not exist they only repeat that.
const ABSENT: [&str; 5] = [
    "spf-missing",
    "dkim-no-key-found",
    "dkim-selector-missing",
    "dmarc-missing",
    "mx-missing",
];

fn at_or_under(name: &str, domain: &str) -> bool {
    name == domain
        || name
            .strip_suffix(domain)
            .is_some_and(|head| head.ends_with('.'))
}

/// Adds the profile findings to `report` and removes the ones they replace.
pub async fn apply(dns: &Dns, params: &CheckParams, report: &mut DomainReport) {
    let domain = report.domain.clone();
    // The SPF check asked this already (cached); another check alone asks it once more.
    let txt = dns.query(&domain, RType::TXT).await;
    if txt.outcome == Outcome::NxDomain {
        let (seen, mut queries) = existence_seen(dns, report).await;
        if seen.is_empty() {
            nonexistent(report, txt.id);
            return;
        }
        queries.insert(0, txt.id);
        report.findings.push(contradicted(&domain, &seen, queries));
    }
    parked(params, report);
    if let Some(fd) = reject_without_dkim(report) {
        report.findings.push(fd);
    }
}

/// What this run saw that proves `report.domain` exists although its TXT question was
/// answered NXDOMAIN (RFC 8020 section 2: NXDOMAIN denies every type at the name and below
/// it): an answer to its MX question, an SPF record an
/// earlier TXT answer held (a TTL-0 answer the server later denied), a DKIM key below it.
/// With the query ids that show it.
async fn existence_seen(dns: &Dns, report: &DomainReport) -> (Vec<String>, Vec<usize>) {
    let domain = report.domain.as_str();
    let mut seen = Vec::new();
    let mut queries = Vec::new();
    let mx = dns.query(domain, RType::MX).await;
    // A CNAME to a name that does not exist is not a witness: the MX and TXT NXDOMAINs are
    // then both the target's, and receivers find nothing there either.
    if matches!(mx.outcome, Outcome::Answer | Outcome::NoData) {
        seen.push(match (&mx.outcome, mx.records.len()) {
            (Outcome::Answer, n) => format!("its MX question was answered with {n} MX record(s)"),
            _ => "its MX question was answered NOERROR".to_string(),
        });
        queries.push(mx.id);
    }
    if let Some(spf) = report
        .spf
        .as_ref()
        .filter(|s| s.domain == domain && s.records_count > 0)
    {
        seen.push(format!(
            "an earlier answer to the same TXT question held {} SPF record(s)",
            spf.records_count
        ));
    }
    if let Some(dkim) = report
        .dkim
        .as_ref()
        .filter(|d| at_or_under(&d.domain, domain))
    {
        seen.extend(
            dkim.selectors
                .iter()
                .map(|s| format!("{}._domainkey.{} holds a DKIM key", s.selector, dkim.domain)),
        );
    }
    (seen, queries)
}

/// The finding for a domain whose server answers NXDOMAIN and yet shows it exists.
fn contradicted(domain: &str, seen: &[String], queries: Vec<usize>) -> Finding {
    finding(
        "dns-nxdomain-contradicted",
        Check::Dns,
        Severity::Warning,
        domain,
        format!(
            "{domain}'s TXT question was answered NXDOMAIN (no such name), yet {}: its DNS server contradicts itself, so the domain is not reported as nonexistent. NXDOMAIN says the name holds no record of any type and has no names below it (RFC 8020 section 2): receivers asking TXT read no SPF record, and resolvers that trust RFC 8020 may cache the NXDOMAIN and lose the rest. Have the DNS provider answer NOERROR with no records (NODATA, RFC 2308 section 2.2) for the types the name does not hold.",
            seen.join("; ")
        ),
    )
    .with_queries(queries)
}

fn nonexistent(report: &mut DomainReport, query: usize) {
    let domain = report.domain.clone();
    report
        .findings
        .retain(|f| !(ABSENT.contains(&f.id.as_str()) && at_or_under(&f.subject, &domain)));
    let np = report
        .dmarc
        .as_ref()
        .filter(|d| d.policy_source.as_deref() == Some("np"))
        .and_then(|d| {
            Some(format!(
                " Its organizational domain {} asks receivers to apply `np={}` to mail from names that do not exist.",
                d.organizational_domain,
                d.policy.as_deref()?
            ))
        })
        .unwrap_or_default();
    let fd = finding(
        "domain-nonexistent",
        Check::Dns,
        Severity::Error,
        &domain,
        format!(
            "{domain} does not exist: the DNS answers NXDOMAIN for it, so nothing under it exists either (RFC 8020). No SPF, DKIM, DMARC or MX record can be published under a name that does not exist, and receivers reject mail from a sending domain they cannot resolve.{np} If it is your sending domain, create it (register it, or add it to its parent zone); if the address has a typo, correct the address."
        ),
    )
    .with_queries([query]);
    report.findings.insert(0, fd);
}

/// Null MX and `v=spf1 -all`: the domain declares it neither receives nor sends mail.
pub(crate) fn declares_no_mail(report: &DomainReport) -> bool {
    let null_mx = report.mx.as_ref().is_some_and(|m| m.null_mx);
    let spf_none = report.spf.as_ref().is_some_and(|s| {
        s.records_count == 1
            && s.record.as_deref().is_some_and(|r| {
                let terms: Vec<String> =
                    r.split_whitespace().map(str::to_ascii_lowercase).collect();
                terms == ["v=spf1", "-all"]
            })
    });
    null_mx && spf_none
}

/// Null MX, `v=spf1 -all` and DMARC `p=reject`: the M3AAWG parked-domain profile.
fn is_parked(report: &DomainReport) -> bool {
    let reject = report
        .dmarc
        .as_ref()
        .is_some_and(|d| d.policy.as_deref() == Some("reject") && !d.testing);
    declares_no_mail(report) && reject
}

fn parked(params: &CheckParams, report: &mut DomainReport) {
    let sending = params.ip.is_some();
    if !is_parked(report) {
        // Half parked (DMARC missing or weaker): the null MX is what the owner meant, the DMARC
        // findings say what is left to do.
        if declares_no_mail(report) && !sending {
            for f in report.findings.iter_mut().filter(|f| f.id == "mx-null") {
                f.severity = Severity::Info;
            }
        }
        return;
    }
    let domain = report.domain.clone();
    if !sending {
        // A parked domain sends no mail: its null MX is the point, a missing DKIM key is
        // expected, and reports are welcome but optional.
        report.findings.retain(|f| f.id != "dkim-no-key-found");
        for f in report.findings.iter_mut() {
            if matches!(f.id.as_str(), "mx-null" | "dmarc-no-rua") {
                f.severity = Severity::Info;
            }
        }
    }
    let msg = if sending {
        format!(
            "{domain} is set up as a parked domain: null MX (RFC 7505), SPF `v=spf1 -all` (no host may send) and DMARC `p=reject`. It declares it sends no mail, yet mail was sent from it: receivers reject that mail by design. Send from a domain that is meant to send, or un-park this one."
        )
    } else {
        format!(
            "{domain} is parked: null MX (RFC 7505), SPF `v=spf1 -all` (no host may send) and DMARC `p=reject`. It declares it sends and receives no mail, and receivers reject mail that claims it. Nothing to fix."
        )
    };
    report.findings.insert(
        0,
        finding("domain-parked", Check::Dns, Severity::Info, &domain, msg),
    );
}

/// The DMARC facts of the From domain (the checked domain unless --from names another).
fn from_dmarc(report: &DomainReport) -> Option<&DmarcFacts> {
    report.dmarc_from.as_ref().or(report.dmarc.as_ref())
}

fn usable(d: &DkimFacts) -> bool {
    d.selectors
        .iter()
        .any(|s| s.status == "valid" || s.status == "testing")
}

/// RFC 9989 sections 7.4 and 8: a domain at p=reject must not rely on SPF alone.
fn reject_without_dkim(report: &DomainReport) -> Option<Finding> {
    let d = from_dmarc(report)?;
    if d.policy.as_deref() != Some("reject") || is_parked(report) {
        return None;
    }
    report.spf.as_ref().and_then(|s| s.record.as_ref())?;
    let org = d.organizational_domain.as_str();
    let aligned_sets: Vec<&DkimFacts> = [report.dkim.as_ref(), report.dkim_signing.as_ref()]
        .into_iter()
        .flatten()
        .filter(|k| at_or_under(&k.domain, org) || at_or_under(&k.domain, &d.domain))
        .collect();
    // Unknown when DKIM was not checked for any aligned domain, or could not conclude.
    if aligned_sets.is_empty()
        || aligned_sets
            .iter()
            .any(|k| k.status.is_inconclusive() || !k.looked())
        || aligned_sets.iter().any(|k| usable(k))
    {
        return None;
    }
    let probed: Vec<&str> = aligned_sets.iter().map(|k| k.domain.as_str()).collect();
    Some(finding(
        "dmarc-reject-without-dkim",
        Check::Dmarc,
        Severity::Warning,
        &d.domain,
        format!(
            "{} publishes DMARC `p=reject`, but no DKIM key was found for {} at the selectors looked up: DMARC then rests on SPF alone, and forwarded mail (which keeps a DKIM signature but loses SPF) is rejected. RFC 9989 (sections 7.4 and 8) says a domain at p=reject must sign with DKIM. If you already sign, pass the selector with --dkim-selector.",
            d.domain,
            probed.join(" and ")
        ),
    ))
}
