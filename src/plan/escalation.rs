//! Choosing the provider's escalation path: when to escalate, where, and what to gather.

use super::knowledge::{EscalationRule, Knowledge};
use crate::reply::Reply;
use crate::rules::{Action, Decoded};
use serde::Serialize;

pub use super::knowledge::Link as EscalationLink;

/// The escalation checklist for the provider that sent the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// The `[[escalation]]` entry used.
    pub id: String,
    /// Provider id ("gmail", "microsoft" ...) or "generic".
    pub provider: String,
    pub provider_name: Option<String>,
    /// True when something seen in this run already calls for escalation.
    pub escalate_now: bool,
    /// What in this run calls for escalation now.
    pub triggers: Vec<String>,
    /// When to escalate: the provider's conditions, then the generic ones, then those of either
    /// that hold only for some replies (`when_reply`) where this reply is of that kind.
    pub when: Vec<String>,
    #[serde(rename = "where")]
    pub where_: Vec<EscalationLink>,
    /// What to bring: the provider's items, then the generic ones.
    pub gather: Vec<String>,
    pub source: String,
    /// When the entry's destinations were last checked (YYYY-MM-DD).
    pub last_checked: String,
}

/// "Web.de", "web-de" and "webde" name one provider.
fn norm(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Matches "5.7.26" exactly, "5.7.*" as a prefix, and "5.7.606-649" as a range of details.
pub fn code_matches(pattern: &str, code: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        return code.starts_with(prefix);
    }
    if let Some((lo, hi)) = pattern.split_once('-')
        && let Some((base, lo_detail)) = lo.rsplit_once('.')
        && let Some((cbase, cdetail)) = code.rsplit_once('.')
        && base == cbase
    {
        return match (
            lo_detail.parse::<u32>(),
            hi.parse::<u32>(),
            cdetail.parse::<u32>(),
        ) {
            (Ok(l), Ok(h), Ok(c)) => l <= c && c <= h,
            _ => false,
        };
    }
    pattern == code
}

fn is_specific_match(rule: &EscalationRule, reply: &Reply, decoded: &Decoded) -> bool {
    let code = reply.enhanced.as_deref().unwrap_or("");
    let text = reply.text.to_ascii_lowercase();
    rule.enhanced.iter().any(|p| code_matches(p, code))
        || rule
            .markers
            .iter()
            .any(|m| text.contains(&m.to_ascii_lowercase()))
        || rule
            .categories
            .iter()
            .any(|c| c.as_str().eq_ignore_ascii_case(&decoded.category))
}

fn is_specific(rule: &EscalationRule) -> bool {
    !(rule.enhanced.is_empty() && rule.markers.is_empty() && rule.categories.is_empty())
}

/// Whose escalation path the reply takes: the sending service whose shared address the reply
/// is about (a listing of an IP whose PTR names SendGrid goes to SendGrid, the only one who may
/// have its pool delisted), else the `escalation` its rule names when that has entries (a
/// Spamhaus listing reported by Yahoo goes to Spamhaus), else the reply's provider.
fn target<'k>(k: &'k Knowledge, decoded: &'k Decoded, service: Option<&str>) -> Option<&'k str> {
    let about_the_ip = decoded.action == Action::RequestDelisting
        || decoded.category.eq_ignore_ascii_case("blocklist");
    let services = service.filter(|_| about_the_ip).and_then(|s| {
        k.escalations
            .iter()
            .find(|e| e.sending_services.iter().any(|x| x == s))
            .map(|e| e.provider.as_str())
    });
    if services.is_some() {
        return services;
    }
    let named = k
        .rule_escalations
        .get(&decoded.rule.id)
        .map(String::as_str)
        .filter(|t| k.escalations.iter().any(|e| norm(&e.provider) == norm(t)));
    named.or_else(|| decoded.provider.as_ref().map(|p| p.id.as_str()))
}

/// Picks the entry: the target's specific entry that matches the reply, else its general
/// entry, else the generic one. Selection follows file order, so it is stable.
fn pick<'k>(
    k: &'k Knowledge,
    primary: Option<&'k (Reply, Decoded)>,
    service: Option<&str>,
) -> Option<&'k EscalationRule> {
    let generic = k
        .escalations
        .iter()
        .find(|e| norm(&e.provider) == "generic");
    let Some((reply, decoded)) = primary else {
        return generic;
    };
    let Some(target) = target(k, decoded, service) else {
        return generic;
    };
    let pid = norm(target);
    let mine: Vec<&EscalationRule> = k
        .escalations
        .iter()
        .filter(|e| norm(&e.provider) == pid)
        .collect();
    mine.iter()
        .find(|e| is_specific(e) && is_specific_match(e, reply, decoded))
        .or_else(|| mine.iter().find(|e| !is_specific(e)))
        .copied()
        .or(generic)
}

/// Whether a `when_reply` condition holds for the reply; without a reply every one may.
fn applies(condition: &str, primary: Option<&(Reply, Decoded)>) -> bool {
    let Some((reply, decoded)) = primary else {
        return true;
    };
    let class = reply
        .basic
        .map(|b| b / 100)
        .or_else(|| reply.enhanced.as_deref()?.get(..1)?.parse().ok());
    match condition.split_once(':') {
        None if condition == "temporary" => class == Some(4),
        None if condition == "permanent" => class == Some(5),
        Some(("check", name)) => decoded.checks.iter().any(|c| c == name),
        Some(("category", name)) => decoded.category.eq_ignore_ascii_case(name),
        _ => false,
    }
}

/// The provider entry's items followed by the generic entry's, without repeats.
fn merged(
    rule: Option<&EscalationRule>,
    generic: Option<&EscalationRule>,
    pick: fn(&EscalationRule) -> &Vec<String>,
) -> Vec<String> {
    let mut out: Vec<String> = rule.map(|r| pick(r).clone()).unwrap_or_default();
    if let Some(g) = generic
        && rule.is_none_or(|r| r.id != g.id)
    {
        for item in pick(g) {
            if !out.contains(item) {
                out.push(item.clone());
            }
        }
    }
    out
}

/// Builds the escalation checklist. `dns_verified` is true when every implicated check ran
/// and passes; `service` is the `[[sender]]` id of the sending service whose address sent the
/// mail (recognised by its PTR names), if any.
pub fn select<'k>(
    primary: Option<&'k (Reply, Decoded)>,
    dns_verified: bool,
    k: &'k Knowledge,
    service: Option<&str>,
) -> Escalation {
    let rule = pick(k, primary, service);
    let generic = k
        .escalations
        .iter()
        .find(|e| norm(&e.provider) == "generic");
    let mut triggers = Vec::new();
    if dns_verified {
        triggers.push(k.message("escalation-trigger-dns-verified"));
    }
    if let Some((_, d)) = primary
        && (d.action == Action::RequestDelisting || d.category.eq_ignore_ascii_case("blocklist"))
    {
        triggers.push(k.message("escalation-trigger-blocklist"));
    }
    let gather = merged(rule, generic, |r| &r.gather);
    let mut when = merged(rule, generic, |r| &r.when);
    for c in [rule, generic]
        .into_iter()
        .flatten()
        .flat_map(|r| &r.when_reply)
    {
        if applies(&c.if_, primary) && !when.contains(&c.text) {
            when.push(c.text.clone());
        }
    }
    // The heading names whom the entry is for: the reply's provider when the entry is its own
    // (or only the generic one), else the entry's own name (a list operator the rule names).
    let reply_provider = primary.and_then(|(_, d)| d.provider.as_ref());
    let provider_name = match (rule, reply_provider) {
        (Some(r), Some(p)) if norm(&r.provider) == norm(&p.id) || r.provider == "generic" => {
            Some(p.name.clone())
        }
        (Some(r), _) => Some(r.name.clone())
            .filter(|n| !n.trim().is_empty())
            .or_else(|| k.provider_names.get(&r.provider).cloned()),
        (None, p) => p.map(|p| p.name.clone()),
    };
    Escalation {
        id: rule
            .map(|r| r.id.clone())
            .unwrap_or_else(|| "generic".into()),
        provider: rule
            .map(|r| r.provider.clone())
            .unwrap_or_else(|| "generic".into()),
        provider_name,
        escalate_now: !triggers.is_empty(),
        triggers,
        when,
        where_: rule.map(|r| r.where_.clone()).unwrap_or_default(),
        gather,
        source: rule.map(|r| r.source.clone()).unwrap_or_default(),
        last_checked: rule.map(|r| r.checked.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::code_matches;

    #[test]
    fn codes_match_exactly_by_prefix_and_by_range() {
        assert!(code_matches("5.7.26", "5.7.26"));
        assert!(!code_matches("5.7.26", "5.7.260"));
        assert!(code_matches("5.7.*", "5.7.1"));
        assert!(code_matches("5.7.606-649", "5.7.606"));
        assert!(code_matches("5.7.606-649", "5.7.649"));
        assert!(!code_matches("5.7.606-649", "5.7.650"));
        assert!(!code_matches("5.7.606-649", "5.6.610"));
        assert!(!code_matches("5.7.606-649", "junk"));
    }
}
