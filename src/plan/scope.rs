//! Which checks a reply implicates, and which findings are gaps of an `--offline` run.

use crate::dns::LogEntry;
use crate::rules::Decoded;

/// Checks that DNS can answer for; anything else a reply implicates (tls, blocklist) is not ours.
pub(crate) const DNS_CHECKS: [&str; 6] = ["dns", "spf", "dkim", "dmarc", "ptr", "mx"];

/// The DNS checks the primary reply implicates, in a stable order.
pub(crate) fn implicated_checks(decoded: Option<&Decoded>) -> Vec<String> {
    let Some(d) = decoded else { return Vec::new() };
    let mut out: Vec<String> = DNS_CHECKS
        .iter()
        .filter(|c| d.checks.iter().any(|x| x.eq_ignore_ascii_case(c)))
        .map(|c| c.to_string())
        .collect();
    out.dedup();
    out
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
