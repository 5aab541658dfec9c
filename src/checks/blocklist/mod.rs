//! The blocklist check: the sending IP against the IP lists and allow lists, the sender's
//! domains against the domain lists of rules/blocklists.toml. Every list asked appears in the
//! facts as listed, not listed or could not check; a refused question or an answer outside
//! 127.0.0.0/8 is never read as a listing, nor as a clean result.

pub mod names;

use super::types::{CheckParams, Status};
use crate::dns::{Answer, Dns, Outcome, RType};
use crate::finding::{Check, Finding, Severity, finding};
use crate::rules::{BlocklistRule, ListKind};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// Longest TXT reason kept from a list (some answer with kilobytes of garbage).
const MAX_REASON: usize = 300;

/// What one list said about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Listed,
    NotListed,
    CouldNotCheck,
    /// An IPv6 address and a list without IPv6 data: nothing to ask.
    NotApplicable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListResult {
    /// The rules/blocklists.toml id.
    pub list: String,
    pub name: String,
    pub kind: ListKind,
    /// The IP or domain asked about.
    pub item: String,
    /// The name asked (empty when nothing was asked).
    pub query: String,
    pub state: State,
    /// The A records the list answered.
    #[serde(default)]
    pub answers: Vec<String>,
    /// What the answers mean (rules/blocklists.toml).
    #[serde(default)]
    pub meanings: Vec<String>,
    /// Why it could not be checked or was not asked.
    #[serde(default)]
    pub reason: Option<String>,
    /// The list's own explanation (its TXT record), control characters removed and cut short.
    #[serde(default)]
    pub txt: Option<String>,
    pub removal: String,
    /// The rejection being diagnosed names this list.
    #[serde(default)]
    pub named_by_reply: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlocklistFacts {
    pub status: Status,
    pub ip: Option<IpAddr>,
    pub domains: Vec<String>,
    /// Identities not asked about: IP literals where a domain belongs.
    #[serde(default)]
    pub skipped: Vec<String>,
    /// Lists switched off in the rules (`enabled = false`), by name.
    #[serde(default)]
    pub disabled: Vec<String>,
    pub lists: Vec<ListResult>,
}

/// One question: a list and an item.
struct Ask<'a> {
    list: &'a BlocklistRule,
    item: String,
    labels: String,
    named: bool,
}

/// The lists to consult: `--rules DIR`'s table when given, else the built-in one.
fn table(params: &CheckParams) -> Arc<Vec<BlocklistRule>> {
    match &params.rules {
        Some(r) => Arc::new(r.blocklist_table()),
        None => crate::rules::blocklists::builtin(),
    }
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
    let asked = futures::future::join_all(asks.iter().map(|a| ask(dns, a))).await;
    let mut findings = Vec::new();
    let mut offline: Vec<(ListResult, Finding)> = Vec::new();
    for (r, f) in asked {
        match f {
            Some(f) if r.reason.as_deref() == Some(OFFLINE) => offline.push((r.clone(), f)),
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

fn result(list: &BlocklistRule, item: &str, query: &str, state: State, named: bool) -> ListResult {
    ListResult {
        list: list.id.clone(),
        name: list.name.clone(),
        kind: list.kind,
        item: item.to_string(),
        query: query.to_string(),
        state,
        answers: Vec::new(),
        meanings: Vec::new(),
        reason: None,
        txt: None,
        removal: list.removal.clone(),
        named_by_reply: named,
    }
}

impl ListResult {
    fn with_reason(mut self, reason: String) -> ListResult {
        self.reason = Some(reason);
        self
    }
}

/// Asks one list about one item and reads the answer.
async fn ask(dns: &Dns, a: &Ask<'_>) -> (ListResult, Option<Finding>) {
    let l = a.list;
    let zone = match names::zone(l) {
        Ok(z) => z,
        Err(why) => {
            let r = result(l, &a.item, "", State::CouldNotCheck, a.named).with_reason(why.clone());
            let f = finding(
                "blocklist-not-checked",
                Check::Blocklist,
                Severity::Warning,
                format!("{}.{}", a.labels, l.zone),
                format!("{} could not be checked for {}: {why}.", l.name, a.item),
            )
            .inconclusive();
            return (r, Some(f));
        }
    };
    let query = format!("{}.{zone}", a.labels);
    let answer = dns.query(&query, RType::A).await;
    let mut r = result(l, &a.item, &answer.name, State::NotListed, a.named);
    let subject = answer.name.clone();
    match &answer.outcome {
        Outcome::NxDomain | Outcome::NoData => return (r, None),
        Outcome::Answer => {}
        other => {
            let why = trouble(other);
            r.state = State::CouldNotCheck;
            r.reason = Some(why.clone());
            let f = finding(
                "blocklist-not-checked",
                Check::Blocklist,
                Severity::Warning,
                subject,
                format!(
                    "{} could not be checked for {} ({why}): neither listed nor clean.",
                    l.name, a.item
                ),
            )
            .with_queries([answer.id])
            .inconclusive();
            return (r, Some(f));
        }
    }
    let v4: Vec<Ipv4Addr> = answer
        .ips()
        .into_iter()
        .filter_map(|i| match i {
            IpAddr::V4(v) => Some(v),
            IpAddr::V6(_) => None,
        })
        .collect();
    r.answers = v4.iter().map(|a| a.to_string()).collect();
    let outside: Vec<&Ipv4Addr> = v4.iter().filter(|a| a.octets()[0] != 127).collect();
    if v4.is_empty() || !outside.is_empty() {
        let shown: Vec<String> = outside.iter().map(|a| a.to_string()).collect();
        let why = format!(
            "it answered {}, outside 127.0.0.0/8: an error of the list (a wildcard or an expired zone), not a listing",
            if shown.is_empty() {
                "no IPv4 address".to_string()
            } else {
                shown.join(", ")
            }
        );
        r.state = State::CouldNotCheck;
        r.reason = Some(why.clone());
        let f = finding(
            "blocklist-bad-answer",
            Check::Blocklist,
            Severity::Warning,
            subject,
            format!("{} could not be checked for {}: {why}.", l.name, a.item),
        )
        .with_queries([answer.id])
        .inconclusive();
        return (r, Some(f));
    }
    if let Some((code, why)) = v4.iter().find_map(|c| l.refused(*c).map(|m| (c, m))) {
        r.state = State::CouldNotCheck;
        r.meanings = vec![why.clone()];
        let hint = match &l.key_env {
            Some(var) => format!("; ask through your own resolver, or set ${var} to an access key"),
            None => "; ask through your own resolver".to_string(),
        };
        r.reason = Some(format!("refused: {code} means {why}"));
        let f = finding(
            "blocklist-query-refused",
            Check::Blocklist,
            Severity::Warning,
            subject,
            format!(
                "{} refused the question about {} ({code}: {why}); this is neither a listing nor a clean result{hint}.",
                l.name, a.item
            ),
        )
        .with_queries([answer.id])
        .inconclusive();
        return (r, Some(f));
    }
    r.state = State::Listed;
    let mut meanings: Vec<String> = Vec::new();
    for c in &v4 {
        let m = l.meanings(*c);
        if m.is_empty() {
            meanings.push(format!(
                "{c}: a code rules/blocklists.toml does not document"
            ));
        }
        for m in m {
            if !meanings.contains(&m) {
                meanings.push(m);
            }
        }
    }
    r.meanings = meanings;
    let txt = dns.query(&query, RType::TXT).await;
    r.txt = reason_text(&txt);
    let said = r
        .txt
        .as_deref()
        .map(|t| format!(" The list says: \"{t}\"."))
        .unwrap_or_default();
    let f = if l.kind == ListKind::Allow {
        finding(
            "blocklist-allowlisted",
            Check::Blocklist,
            Severity::Info,
            subject,
            format!(
                "{} is on the allow list {} ({}: {}).",
                a.item,
                l.name,
                r.answers.join(", "),
                r.meanings.join("; ")
            ),
        )
    } else {
        finding(
            "blocklist-listed",
            Check::Blocklist,
            Severity::Error,
            subject,
            format!(
                "{} is listed on {} ({}): {}.{said} Removal: {}",
                a.item,
                l.name,
                r.answers.join(", "),
                r.meanings.join("; "),
                l.removal
            ),
        )
    };
    (r, Some(f.with_queries([answer.id, txt.id])))
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

/// The reason of a list `--offline` did not ask.
const OFFLINE: &str = "not looked up: outside the --zone files, --offline";

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
                    "{item} could not be checked on {} ({OFFLINE}): neither listed nor clean.",
                    names.join(", ")
                ),
            )
            .with_queries(mine.iter().flat_map(|(_, f)| f.queries.iter().copied()))
            .inconclusive()
        })
        .collect()
}

/// Why a question got no usable answer, in words.
fn trouble(o: &Outcome) -> String {
    match o {
        Outcome::Offline => OFFLINE.into(),
        Outcome::Error(e) => format!("error: {e}"),
        other => other.label().to_string(),
    }
}

/// The TXT a list publishes beside a listing, made safe to show: printable characters only,
/// cut at [`MAX_REASON`]. A failed or oversized TXT leaves no reason, not a failed check.
fn reason_text(txt: &Answer) -> Option<String> {
    let joined = txt.txt_strings().join(" ");
    let clean: String = joined
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() {
        return None;
    }
    if clean.chars().count() > MAX_REASON {
        let cut: String = clean.chars().take(MAX_REASON).collect();
        return Some(format!("{cut}..."));
    }
    Some(clean)
}
