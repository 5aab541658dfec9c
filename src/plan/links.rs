//! A refusal for a listed domain that is a link in the message rather than the sender: iCloud's
//! "a domain present in the Spamhaus DBL", or a filter that names the listed domain after a
//! list's lookup link (`Knowledge::domain_lookup_links`). When the sender's own names are on no
//! list, the listed domain is a link to remove, and no delisting of the sender is asked.

use super::knowledge::Knowledge;
use crate::domain_name::{normalise, org_domain, within};
use crate::rules::{Action, Decoded};

/// The listed link domain the reply is about: `Some(name)` when the reply names a domain
/// that is not the sender's (`domain`, or its organization), `Some("")` when the rule says
/// the listing is of a link (its category is `content`) without naming it, `None` when the
/// reply is not about a link (a listing of the sender's own domain, any other reply).
pub(crate) fn listed_link(k: &Knowledge, d: &Decoded, text: &str, domain: &str) -> Option<String> {
    if d.action != Action::RequestDelisting {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let named = k.domain_lookup_links.iter().find_map(|path| {
        let (_, rest) = lower.split_once(path.as_str())?;
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        Some(normalise(&rest[..end]))
    });
    match named.filter(|n| n.contains('.')) {
        Some(n) => {
            let own = normalise(domain);
            let ours = within(&n, &own) || org_domain(&n) == org_domain(&own);
            (!ours).then_some(n)
        }
        None => (d.category == "content").then(String::new),
    }
}
