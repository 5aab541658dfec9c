//! The blocklist check: the sending IP against the IP lists and allow lists, the sender's
//! domains against the domain lists of rules/blocklists.toml. Every list asked appears in the
//! facts as listed, not listed or could not check; a refused question or an answer outside
//! 127.0.0.0/8 is never read as a listing, nor as a clean result.

mod ask;
pub(crate) mod entry;
mod facts;
pub mod names;

/// The check's table (knowledge.rs here): compiled into the rules loader by the check's
/// registry line, so that the build and `rules lint` read and check it with the other tables.
pub use crate::rules::check_tables::blocklist as knowledge;

use facts::{Ask, result};
pub use facts::{BlocklistFacts, ListResult, State};

use super::types::{CheckParams, Status};
use crate::dns::Dns;
use crate::finding::{Check, Finding, Severity, finding};
use knowledge::{BlocklistRule, ListKind};
use std::sync::{Arc, OnceLock};

/// The lists to consult: `--rules DIR`'s table when given, else the built-in one.
fn table(params: &CheckParams) -> Arc<Vec<BlocklistRule>> {
    match &params.rules {
        Some(r) => Arc::new(r.checks.blocklist.iter().map(|l| l.rule.clone()).collect()),
        None => builtin(),
    }
}

/// The built-in lists, read once from the embedded rules/blocklists.toml (the build proved
/// them valid).
pub fn builtin() -> Arc<Vec<BlocklistRule>> {
    static BUILTIN: OnceLock<Arc<Vec<BlocklistRule>>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            let raw = crate::rules::builtin_check_tables(knowledge::FILE.0);
            Arc::new(raw.blocklist.into_iter().map(|(_, r)| r).collect())
        })
        .clone()
}

pub async fn check(dns: &Dns, params: &CheckParams) -> (BlocklistFacts, Vec<Finding>) {
    let lists = table(params);
    let ip = params.ip.map(|i| i.to_canonical());
    let (domains, skipped) = names::domains(params);
    let named = |l: &BlocklistRule| {
        params
            .reply_rule
            .as_ref()
            .is_some_and(|r| l.replies.contains(r))
    };
    let mut results: Vec<ListResult> = Vec::new();
    let mut asks: Vec<Ask<'_>> = Vec::new();
    for list in lists.iter().filter(|l| l.enabled) {
        let items: Vec<(String, String)> = match list.kind {
            ListKind::Ip | ListKind::Allow => ip
                .map(|ip| (ip.to_string(), names::ip_labels(ip)))
                .into_iter()
                .collect(),
            ListKind::Domain => domains.iter().map(|d| (d.clone(), d.clone())).collect(),
        };
        for (item, labels) in items {
            if ip.is_some_and(|i| i.is_ipv6()) && list.kind != ListKind::Domain && !list.ipv6 {
                results.push(
                    result(list, &item, "", State::NotApplicable, named(list))
                        .with_reason("the list holds IPv4 addresses only".into()),
                );
                continue;
            }
            asks.push(Ask {
                list,
                item,
                labels,
                named: named(list),
            });
        }
    }
    let asked = futures::future::join_all(asks.iter().map(|a| ask::ask(dns, a))).await;
    let mut findings = Vec::new();
    let mut offline: Vec<(ListResult, Finding)> = Vec::new();
    for (r, f) in asked {
        match f {
            Some(f) if r.reason.as_deref() == Some(ask::OFFLINE) => offline.push((r.clone(), f)),
            Some(f) => findings.push(f),
            None => {}
        }
        results.push(r);
    }
    findings.extend(not_listed(&results));
    findings.extend(not_looked_up(offline));
    // The listing on the list the rejection names comes first: it is the likely cause.
    findings.sort_by_key(|f| {
        let named = results
            .iter()
            .any(|r| r.named_by_reply && !r.query.is_empty() && r.query == f.subject);
        (f.severity != Severity::Error, !named)
    });
    let status = if results.iter().any(|r| r.state == State::CouldNotCheck) {
        Status::Inconclusive
    } else {
        Status::Complete
    };
    let facts = BlocklistFacts {
        status,
        ip,
        domains,
        skipped,
        disabled: lists
            .iter()
            .filter(|l| !l.enabled)
            .map(|l| l.name.clone())
            .collect(),
        lists: results,
    };
    (facts, findings)
}

/// One line per item that no list lists: which lists it is not on.
fn not_listed(results: &[ListResult]) -> Vec<Finding> {
    let mut items: Vec<&str> = Vec::new();
    for r in results {
        if !items.contains(&r.item.as_str()) {
            items.push(&r.item);
        }
    }
    let mut out = Vec::new();
    for item in items {
        let clean: Vec<&str> = results
            .iter()
            .filter(|r| r.item == item && r.state == State::NotListed && r.kind != ListKind::Allow)
            .map(|r| r.name.as_str())
            .collect();
        if clean.is_empty() {
            continue;
        }
        out.push(finding(
            "blocklist-not-listed",
            Check::Blocklist,
            Severity::Info,
            item,
            format!("{item} is not listed on {}.", clean.join(", ")),
        ));
    }
    out
}

/// What `--offline` left unasked, one finding per item naming the lists (a run without list
/// zones would otherwise show one gap per list).
fn not_looked_up(gaps: Vec<(ListResult, Finding)>) -> Vec<Finding> {
    let mut items: Vec<String> = Vec::new();
    for (r, _) in &gaps {
        if !items.contains(&r.item) {
            items.push(r.item.clone());
        }
    }
    items
        .into_iter()
        .map(|item| {
            let mine: Vec<&(ListResult, Finding)> =
                gaps.iter().filter(|(r, _)| r.item == item).collect();
            let names: Vec<&str> = mine.iter().map(|(r, _)| r.name.as_str()).collect();
            finding(
                "blocklist-not-checked",
                Check::Blocklist,
                Severity::Warning,
                item.clone(),
                format!(
                    "{item} could not be checked on {} ({}): neither listed nor clean.",
                    names.join(", "),
                    ask::OFFLINE
                ),
            )
            .with_queries(mine.iter().flat_map(|(_, f)| f.queries.iter().copied()))
            .inconclusive()
        })
        .collect()
}
