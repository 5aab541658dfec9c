//! A TXT record meant as SPF that receivers discard: `v=spf1` not followed by a space or the
//! end of the record (RFC 7208 section 4.5), most often because the record's strings were
//! joined without the space the publisher meant (section 3.3), or a tab follows the version.
//! A hint beside `spf-missing`, which alone would say "no record" to someone who has one.

use super::parse::clip;
use super::tree::Walk;
use crate::dns::Rdata;
use crate::finding::{Check, Finding, Severity, finding};

/// When the walk found no SPF record at the domain (and the DNS did answer), the first TXT
/// record that opens with `v=spf1` (any case, RFC 7208 section 12) glued to another character.
pub fn hint(domain: &str, w: &Walk) -> Option<Finding> {
    let root = w.nodes.first()?;
    let answer = root.answer.as_ref()?;
    if root.parsed.is_some() || answer.outcome.is_trouble() {
        return None;
    }
    let (parts, joined) = answer.records.iter().find_map(|r| {
        let Rdata::TXT(parts) = r else { return None };
        let joined = r.txt_joined()?;
        let b = joined.as_bytes();
        (b.len() > 6 && b[..6].eq_ignore_ascii_case(b"v=spf1") && b[6] != b' ')
            .then_some((parts, joined))
    })?;
    let next = joined[6..].chars().next().unwrap_or(' ');
    let why = if parts.first().is_some_and(|p| p.len() == 6) && parts.len() > 1 {
        format!(
            "its {} strings are joined with nothing between them (RFC 7208 section 3.3), so `v=spf1` runs into the next term",
            parts.len()
        )
    } else if next.is_ascii_whitespace() {
        format!(
            "`v=spf1` is followed by {}, and only a space ends the version (RFC 7208 section 4.5)",
            if next == '\t' {
                "a tab".to_string()
            } else {
                format!("the control character U+{:04X}", u32::from(next))
            }
        )
    } else {
        "`v=spf1` is followed by another character, not a space (RFC 7208 section 4.5)".to_string()
    };
    Some(
        finding(
            "spf-version-not-terminated",
            Check::Spf,
            Severity::Error,
            domain,
            format!(
                "{domain} has a TXT record meant as SPF that receivers discard: `{}`: {why}. For them {domain} publishes no SPF record. Put a space after `v=spf1` and at the end of each string that continues a term list.",
                clip(&joined)
            ),
        )
        .with_queries(root.answer.iter().map(|a| a.id)),
    )
}
