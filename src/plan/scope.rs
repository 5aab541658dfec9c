//! Which checks a reply implicates, and which findings are gaps of an `--offline` run.

use crate::checks::{self, DomainReport, REGISTRY};
use crate::dns::LogEntry;
use crate::finding::Check;
use crate::rules::Decoded;

/// The DNS checks the primary reply implicates, in registry order; anything else a reply
/// implicates (tls, arc ...) is not a DNS check, and neither is a check whose result in this
/// report cannot stand for the reply (`DnsCheck::answers_for_reply`).
pub(crate) fn implicated_checks(decoded: Option<&Decoded>, report: &DomainReport) -> Vec<String> {
    let Some(d) = decoded else { return Vec::new() };
    // A reply about the recipient's address or domain (a null MX there, no such domain) says
    // nothing about the sender's DNS, which is all this run checks: the reply is the cause.
    // A TLS refusal is about the session between two servers: the sending MTA's STARTTLS, or
    // the destination's certificate, MTA-STS policy or DANE records (an MX a rule names there
    // is the recipient's). The sender's authentication DNS cannot explain it either way.
    if d.category.starts_with("recipient-") || d.category == "tls" {
        return Vec::new();
    }
    REGISTRY
        .iter()
        .filter(|e| {
            let c = e.check().as_str();
            d.checks.iter().any(|x| x.eq_ignore_ascii_case(c))
        })
        .filter(|e| e.answers_for_reply(report))
        .map(|e| e.check().as_str().to_string())
        .collect()
}

/// The plan step of a reply's handling action. A TLS refusal gets a step about TLS: the
/// generic texts of its action speak of reputation (fix-infrastructure) or of a full mailbox
/// (retry-then-suppress), neither of which a TLS refusal is about. The rules send the sender
/// to fix its own TLS with fix-infrastructure (Gmail 4.7.29, a recipient's "TLS required"),
/// and retry a refusal by the sender's own outbound service of a destination that fails the
/// TLS it requires (Exchange Online's MTA-STS and DANE failures): that one is the recipient's.
pub(crate) fn reply_action_step(d: &crate::rules::Decoded) -> Option<(&'static str, &'static str)> {
    use crate::rules::Action;
    match (d.category.as_str(), d.action) {
        ("tls", Action::FixInfrastructure) => Some(("action-fix-tls", "tls")),
        ("tls", Action::RetryThenSuppress) => Some(("action-destination-tls", "tls")),
        _ => crate::rules::knowledge::action_step(d.action),
    }
}

/// True for a check DNS can answer for: a registered check, or `dns` itself.
pub(crate) fn is_dns_check(name: &str) -> bool {
    Check::parse(name).is_some_and(|c| c == Check::Dns || checks::entry(c).is_some())
}

/// True when `check` ran far enough in this run that "it passes" is a verified statement.
pub(crate) fn verified(report: &DomainReport, check: &str) -> bool {
    Check::parse(check)
        .and_then(checks::entry)
        .is_some_and(|e| e.verified(report))
}

/// True for a finding about a lookup no receiver's verdict on the message depends on: the
/// authorisation of an external report destination (RFC 9990 section 3) decides where reports
/// go, not whether DMARC passes. Its failure stays a finding (and a step to get answers), never
/// the rejection's cause, and never a reason to hold back the DMARC steps.
pub(crate) fn verdict_free(f: &crate::finding::Finding) -> bool {
    f.check == crate::finding::Check::Dmarc
        && f.subject.to_ascii_lowercase().contains("._report._dmarc.")
}

/// True when a finding is inconclusive only because `--offline` did not look its names up:
/// every troubled query behind it is "offline", none timed out or failed.
pub(crate) fn not_looked_up(f: &crate::finding::Finding, queries: &[LogEntry]) -> bool {
    if !f.inconclusive {
        return false;
    }
    let troubled: Vec<&LogEntry> = queries
        .iter()
        .filter(|q| f.queries.contains(&q.id) && q.outcome.is_trouble())
        .collect();
    !troubled.is_empty()
        && troubled
            .iter()
            .all(|q| q.outcome == crate::dns::Outcome::Offline)
}

/// The reply the diagnosis is built around. Of several (a bounce naming several recipients),
/// the first that points at the sender's DNS: a refusal for authentication or reverse DNS
/// reaches every recipient at that provider, an unknown user only that address. Else the first.
pub(crate) fn primary(
    replies: &[(crate::reply::Reply, Decoded)],
) -> Option<&(crate::reply::Reply, Decoded)> {
    replies
        .iter()
        .find(|(_, d)| {
            !d.category.starts_with("recipient-") && d.checks.iter().any(|c| is_dns_check(c))
        })
        .or_else(|| replies.first())
}

/// The replies beside the primary one that a user must act on too: the first of each other
/// rule (two unknown users are one kind of failure, with one step naming both addresses).
pub(crate) fn other_replies(
    replies: &[(crate::reply::Reply, Decoded)],
) -> Vec<&(crate::reply::Reply, Decoded)> {
    let Some((_, p)) = primary(replies) else {
        return Vec::new();
    };
    let mut out: Vec<&(crate::reply::Reply, Decoded)> = Vec::new();
    for r in replies {
        if r.1.rule.id != p.rule.id && !out.iter().any(|o| o.1.rule.id == r.1.rule.id) {
            out.push(r);
        }
    }
    out
}

/// The replies beside the primary one whose refusal is about the sender (not about a
/// recipient's mailbox or domain): each may have its own provider to escalate to.
pub(crate) fn escalating_replies<'a>(
    replies: &'a [(crate::reply::Reply, Decoded)],
    primary: Option<&'a (crate::reply::Reply, Decoded)>,
) -> Vec<&'a (crate::reply::Reply, Decoded)> {
    use crate::rules::Action;
    replies
        .iter()
        .filter(|r| primary.is_none_or(|p| !std::ptr::eq(*r, p)))
        .filter(|(_, d)| {
            !d.category.starts_with("recipient-")
                && !matches!(
                    d.action,
                    Action::SuppressAddress | Action::SuppressDomain | Action::RetryThenSuppress
                )
        })
        .collect()
}

/// Every recipient the replies decoded by `rule` name, in input order, each once.
pub(crate) fn recipients_of(replies: &[(crate::reply::Reply, Decoded)], rule: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (r, d) in replies {
        if d.rule.id == rule
            && let Some(a) = r.recipient.as_deref()
            && !out.iter().any(|o| o.eq_ignore_ascii_case(a))
        {
            out.push(a.to_string());
        }
    }
    out
}
