//! `--offline`: findings whose only trouble is names outside every `--zone` become "not
//! checked" (info, once per check and set of names), never warnings, and never exit 3.

use super::types::DomainReport;
use crate::dns::{Dns, Outcome};
use crate::finding::{Finding, Severity};

/// The names behind `f` that `--offline` did not look up, when they are its only trouble.
fn offline_only(f: &Finding, dns: &Dns) -> Option<Vec<String>> {
    if !f.inconclusive || f.queries.is_empty() {
        return None;
    }
    let entries = dns.log_entries(&f.queries);
    let troubled: Vec<_> = entries.iter().filter(|q| q.outcome.is_trouble()).collect();
    if troubled.is_empty() || troubled.iter().any(|q| q.outcome != Outcome::Offline) {
        return None;
    }
    let mut names: Vec<String> = troubled
        .iter()
        .map(|q| q.cname_chain.last().unwrap_or(&q.name).clone())
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// Rewrites the report's offline-only findings as "not checked" and merges those of one check
/// about the same names (the A and AAAA of one host are one gap, not two).
pub fn mark_not_checked(dns: &Dns, report: &mut DomainReport) {
    // (check, names) of each gap kept, with its index in `out`: one gap is said once per check
    // (SPF's walk and its evaluation for the IP both stop at the same include).
    let mut seen: Vec<((String, Vec<String>), usize)> = Vec::new();
    let mut out: Vec<Finding> = Vec::with_capacity(report.findings.len());
    for mut f in std::mem::take(&mut report.findings) {
        let Some(names) = offline_only(&f, dns) else {
            out.push(f);
            continue;
        };
        let key = (f.check.as_str().to_string(), names.clone());
        if let Some((_, i)) = seen.iter().find(|(k, _)| *k == key) {
            // The same gap again: its queries join the finding already kept.
            if let Some(kept) = out.get_mut(*i) {
                kept.queries.extend(f.queries.iter().copied());
                kept.queries.sort_unstable();
                kept.queries.dedup();
                continue;
            }
        }
        seen.push((key, out.len()));
        f.severity = Severity::Info;
        f.not_checked = true;
        // A check that already words the gap as --offline's keeps its own sentence.
        if f.message.contains("--offline") {
            out.push(f);
            continue;
        }
        f.message = format!(
            "Not checked: {} {} outside the --zone files, and --offline looks nothing else up, so {} could not follow {}. Add {} with --zone, or run without --offline.",
            names.join(", "),
            if names.len() == 1 { "is" } else { "are" },
            f.check.as_str().to_ascii_uppercase(),
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 {
                "its zone"
            } else {
                "their zones"
            },
        );
        out.push(f);
    }
    report.findings = out;
}
