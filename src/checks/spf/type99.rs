//! SPF published only as the obsolete type 99 record: a hint beside `spf-missing`, since
//! receivers ask TXT alone (RFC 7208 sections 3.1 and 14.1).

use super::parse;
use super::tree::Walk;
use crate::dns::{Dns, RType};
use crate::finding::{Check, Finding, Severity, finding};

/// When the walk found no SPF record in TXT at the domain (and the DNS did answer), asks its
/// type 99 record: one more question, only for a domain that has no SPF in TXT.
pub async fn hint(dns: &Dns, domain: &str, w: &Walk) -> Option<Finding> {
    let root = w.nodes.first()?;
    let answered = root.answer.as_ref()?;
    if root.parsed.is_some() || answered.outcome.is_trouble() || root.malformed {
        return None;
    }
    let a = dns.query(domain, RType::SPF).await;
    let record = a.txt_strings().into_iter().find(|t| parse::is_spf(t))?;
    Some(
        finding(
            "spf-type99-only",
            Check::Spf,
            Severity::Warning,
            domain,
            format!(
                "{domain} publishes its SPF record only as the obsolete SPF record type (99): `{}`. RFC 7208 (sections 3.1 and 14.1) has receivers look at TXT records alone, so for them {domain} has no SPF. Publish the same text as a TXT record: `{domain}. TXT \"{}\"`.",
                parse::clip(&record),
                parse::clip(&record)
            ),
        )
        .with_queries([a.id]),
    )
}
