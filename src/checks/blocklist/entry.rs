//! Blocklist in the registry: the sending IP and the sender's domains on DNS lists. It runs
//! with `--ip`, when `--only blocklist` asks for it, or when the reply implicates it.

use crate::checks::blocklist::knowledge::ListKind;
use crate::checks::blocklist::{self, BlocklistFacts, State};
use crate::checks::registry::{DnsCheck, Input, Ran};
use crate::checks::types::{CheckParams, DomainReport};
use crate::dns::{Dns, LogEntry, RType};
use crate::finding::{Check, Finding};
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Blocklist;

/// The facts of a report, read back from `report.more`.
fn facts(report: &DomainReport) -> Option<BlocklistFacts> {
    let v = report.more.get(&Check::Blocklist)?;
    serde_json::from_value(v.clone()).ok()
}

impl DnsCheck for Blocklist {
    fn check(&self) -> Check {
        Check::Blocklist
    }

    fn label(&self) -> &'static str {
        "DNSBL"
    }

    fn needs(&self) -> &'static [Input] {
        &[Input::Ip, Input::From, Input::MailFrom, Input::DkimDomain]
    }

    fn applies(&self, params: &CheckParams) -> bool {
        params.ip.is_some() || params.reply_checks.iter().any(|c| c == "blocklist")
    }

    fn run<'a>(&'a self, dns: &'a Dns, params: &'a CheckParams) -> BoxFuture<'a, Ran> {
        async move {
            let (facts, findings) = blocklist::check(dns, params).await;
            let value = serde_json::to_value(&facts).unwrap_or_default();
            Ran::new(findings, move |r| {
                r.more.insert(Check::Blocklist, value);
            })
        }
        .boxed()
    }

    fn ran(&self, report: &DomainReport) -> bool {
        report.more.contains_key(&Check::Blocklist)
    }

    /// "Not listed" speaks for the sending IP only when it was asked about.
    fn verified(&self, report: &DomainReport) -> bool {
        facts(report).is_some_and(|f| f.ip.is_some())
    }

    fn found_something(&self, report: &DomainReport) -> bool {
        facts(report).is_some_and(|f| {
            f.lists
                .iter()
                .any(|l| matches!(l.state, State::Listed | State::NotListed))
        })
    }

    /// A listing speaks for any blocklist reply; a clean result only for a reply that names a
    /// list that was asked (a provider's own list, such as Microsoft's, is not in the DNS).
    fn answers_for_reply(&self, report: &DomainReport) -> bool {
        facts(report).is_some_and(|f| {
            f.lists.iter().any(|l| {
                (l.named_by_reply && l.state != State::NotApplicable)
                    || (l.state == State::Listed && l.kind != ListKind::Allow)
            })
        })
    }

    /// When the reply names a list and that list lists the item (or could not be asked), the
    /// listings elsewhere are not why this receiver refused: only the named list's are.
    fn blames(&self, report: &DomainReport, finding: &Finding) -> bool {
        let Some(f) = facts(report) else { return true };
        let named: Vec<&str> = f
            .lists
            .iter()
            .filter(|l| l.named_by_reply && matches!(l.state, State::Listed | State::CouldNotCheck))
            .map(|l| l.query.as_str())
            .collect();
        named.is_empty() || named.contains(&finding.subject.as_str())
    }

    fn trouble_holds_up_plan(&self) -> bool {
        false
    }

    fn quoted_lookup_paths(&self, rules: &crate::rules::RuleSet) -> Vec<String> {
        rules
            .checks
            .blocklist
            .iter()
            .flat_map(|l| l.rule.lookup_links.iter().cloned())
            .collect()
    }

    fn evidence(&self, report: &DomainReport) -> Vec<String> {
        let Some(f) = facts(report) else {
            return Vec::new();
        };
        let listed =
            |l: &&blocklist::ListResult| l.state == State::Listed && l.kind != ListKind::Allow;
        // Escalating to the list the reply names, its own listings are the evidence.
        let named = f.lists.iter().filter(listed).any(|l| l.named_by_reply);
        f.lists
            .iter()
            .filter(listed)
            .filter(|l| !named || l.named_by_reply)
            .map(|l| {
                let said = l
                    .txt
                    .as_deref()
                    .map(|t| format!("; the list's TXT: \"{t}\""))
                    .unwrap_or_default();
                format!(
                    "Listing found by mailtriage: {} on {} ({} answered {}: {}){said}; removal: {}",
                    l.item,
                    l.name,
                    l.query,
                    l.answers.join(", "),
                    l.meanings.join("; "),
                    l.removal
                )
            })
            .collect()
    }

    fn lines(&self, report: &DomainReport, _queries: &[LogEntry]) -> Option<Vec<String>> {
        let f = facts(report)?;
        let mut out = Vec::new();
        if f.ip.is_none() {
            out.push("no sending IP (--ip): IP lists not asked".to_string());
        }
        for l in &f.lists {
            let state = match l.state {
                State::Listed if l.kind == ListKind::Allow => {
                    format!("on the allow list ({})", l.meanings.join("; "))
                }
                State::Listed => format!(
                    "LISTED ({}: {}); removal: {}",
                    l.answers.join(", "),
                    l.meanings.join("; "),
                    l.removal
                ),
                State::NotListed => "not listed".to_string(),
                State::CouldNotCheck => format!(
                    "could not check ({})",
                    l.reason.as_deref().unwrap_or("unknown")
                ),
                State::NotApplicable => format!(
                    "not asked ({})",
                    l.reason.as_deref().unwrap_or("not applicable")
                ),
            };
            let named = if l.named_by_reply {
                " [named by the reply]"
            } else {
                ""
            };
            out.push(format!("{} on {}: {state}{named}", l.item, l.name));
        }
        for s in &f.skipped {
            out.push(format!("{s}: an IP literal, not asked of domain lists"));
        }
        if !f.disabled.is_empty() {
            out.push(format!(
                "not consulted (enabled = false in the rules): {}",
                f.disabled.join(", ")
            ));
        }
        Some(out)
    }

    fn record_type(&self) -> RType {
        RType::A
    }

    fn absent(&self) -> &'static [&'static str] {
        &[]
    }

    fn fix_step(&self) -> &'static str {
        "blocklist-delist"
    }

    fn names_sending_ip(&self, report: &DomainReport) -> bool {
        facts(report).is_some_and(|f| {
            f.ip.is_some_and(|ip| {
                let ip = ip.to_string();
                f.lists
                    .iter()
                    .any(|l| l.state == State::Listed && l.item == ip)
            })
        })
    }

    /// After a delisting, resolvers keep answering "listed" for the TTL of the listing's
    /// answer: the longest of them.
    fn fix_wait(&self, report: &DomainReport, queries: &[LogEntry]) -> Option<u32> {
        let f = facts(report)?;
        queries
            .iter()
            .filter(|q| q.rtype == RType::A)
            .filter(|q| {
                f.lists.iter().any(|l| {
                    l.state == State::Listed
                        && q.name.trim_end_matches('.').eq_ignore_ascii_case(&l.query)
                })
            })
            .filter_map(|q| q.ttl)
            .max()
    }
}
