//! The summary of a scan, derived from its state alone (so a merged state gives the same
//! summary as one scan of everything): totals, breakdowns, timeline, patterns, diagnoses, verdicts.

use super::Scanned;
use super::decide::{self, Decision, DomainDecision, Verdict};
use super::lines::Status;
use super::outcome::Outcome;
use super::patterns::{self, Pattern, PatternSettings};
use super::policy::Policy;
use super::state::{Bucket, State, domain_of};
use super::time::UNKNOWN;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Results by status: delivered, deferred, bounced, other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub delivered: u64,
    pub deferred: u64,
    pub bounced: u64,
    pub other: u64,
}

impl Counts {
    pub fn add(&mut self, s: Status, n: u64) {
        match s {
            Status::Delivered => self.delivered += n,
            Status::Deferred => self.deferred += n,
            Status::Bounced => self.bounced += n,
            Status::Other => self.other += n,
        }
    }

    pub fn total(&self) -> u64 {
        self.delivered + self.deferred + self.bounced + self.other
    }

    pub fn failures(&self) -> u64 {
        self.deferred + self.bounced
    }
}

/// A row of a table keyed by a name (a sending domain, an IP, a recipient domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
    /// Distinct addresses (recipient domains only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<u64>,
}

/// Failures by provider x category x action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    /// The provider's name ("" when none was recognised).
    pub provider: String,
    #[serde(skip)]
    pub provider_id: String,
    pub category: String,
    pub action: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// One code from one provider, with what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeRow {
    pub provider: String,
    pub provider_name: String,
    pub code: String,
    pub meaning: String,
    pub category: String,
    pub action: String,
    #[serde(flatten)]
    pub counts: Counts,
    pub addresses: u64,
    /// The outcome most of these failures decoded to (index into `outcomes`).
    pub outcome: u32,
}

/// A `mailtriage diagnose` worth running: a sending domain and IP behind an authentication,
/// reverse-DNS or blocklist failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnoseTarget {
    pub domain: Option<String>,
    pub ip: Option<IpAddr>,
    pub provider: String,
    pub code: String,
    pub category: String,
    pub failures: u64,
    pub outcome: u32,
    pub command: String,
    /// The reply the command diagnoses.
    #[serde(skip)]
    pub reply: String,
    /// Filled by `--diagnose`: the likely causes it found, or why it could not run.
    pub causes: Vec<String>,
}

/// The timeline: per hour, or per day when the log spans more than three days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub bucket: &'static str,
    pub rows: Vec<TimelineRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineRow {
    pub start: i64,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Everything the renderers show.
pub struct Summary {
    pub totals: Counts,
    pub addresses: u64,
    pub first: i64,
    pub last: i64,
    pub breakdown: Vec<Breakdown>,
    pub codes: Vec<CodeRow>,
    pub by_sender: Vec<Row>,
    pub by_ip: Vec<Row>,
    pub by_recipient_domain: Vec<Row>,
    pub timeline: Timeline,
    pub patterns: Vec<Pattern>,
    pub diagnoses: Vec<DiagnoseTarget>,
    pub decisions: Vec<Decision>,
    pub domains: Vec<DomainDecision>,
    pub verdicts: BTreeMap<&'static str, u64>,
    pub settings: PatternSettings,
}

/// Outcomes in key order and events in (address, time, status, outcome, send) order, so every
/// output is the same whatever order threads or merged files delivered them in.
pub fn canonical(s: Scanned) -> Scanned {
    let Scanned {
        mut state,
        outcomes,
    } = s;
    let mut order: Vec<u32> = (0..outcomes.len() as u32).collect();
    order.sort_by(|&a, &b| outcomes[a as usize].key.cmp(&outcomes[b as usize].key));
    let mut rank = vec![0u32; outcomes.len()];
    for (new, &old) in order.iter().enumerate() {
        rank[old as usize] = new as u32;
    }
    let outcomes: Vec<Outcome> = order
        .iter()
        .map(|&i| outcomes[i as usize].clone())
        .collect();
    for e in &mut state.events {
        e.outcome = rank[e.outcome as usize];
    }
    state.origins = std::mem::take(&mut state.origins)
        .into_iter()
        .map(|((o, s, ip), n)| ((rank[o as usize], s, ip), n))
        .collect();
    state.hourly_outcome = std::mem::take(&mut state.hourly_outcome)
        .into_iter()
        .map(|((h, o, st), b)| ((h, rank[o as usize], st), b))
        .collect();
    // Addresses are numbered in order of first sight; their names order them.
    let book = &state.book;
    state.events.sort_by(|a, b| {
        (book.name(a.addr), a.ts, a.status, a.outcome, a.send).cmp(&(
            book.name(b.addr),
            b.ts,
            b.status,
            b.outcome,
            b.send,
        ))
    });
    Scanned { state, outcomes }
}

fn rows<K: Ord + Clone>(m: BTreeMap<K, Counts>, name: impl Fn(&K) -> String) -> Vec<Row> {
    let mut v: Vec<Row> = m
        .into_iter()
        .map(|(k, counts)| Row {
            name: name(&k),
            counts,
            addresses: None,
        })
        .collect();
    v.sort_by(|a, b| {
        (b.counts.failures(), b.counts.total(), &a.name).cmp(&(
            a.counts.failures(),
            a.counts.total(),
            &b.name,
        ))
    });
    v
}

/// Categories whose failures a DNS diagnosis can explain.
fn diagnosable(category: &str) -> bool {
    category.starts_with("authentication") || category == "reverse-dns" || category == "blocklist"
}

/// Builds the summary of a canonical scan.
pub fn build(s: &Scanned, policy: &Policy, settings: PatternSettings) -> Summary {
    let (state, outcomes) = (&s.state, &s.outcomes);
    let mut totals = Counts::default();
    let (mut first, mut last) = (i64::MAX, UNKNOWN);
    let mut timeline: BTreeMap<i64, Counts> = BTreeMap::new();
    for (&(hour, _, status), &n) in &state.hourly_provider {
        totals.add(status, n);
        if hour != UNKNOWN {
            timeline.entry(hour).or_default().add(status, n);
        }
    }
    for b in state.hourly_outcome.values() {
        if b.first != UNKNOWN {
            first = first.min(b.first);
        }
        last = last.max(b.last);
    }
    first = first.min(state.span.first);
    last = last.max(state.span.last);
    if first == i64::MAX {
        first = UNKNOWN;
    }
    let per_outcome = outcome_counts(state);
    let mut breakdown: BTreeMap<(String, String, String, String), Counts> = BTreeMap::new();
    let mut codes: BTreeMap<(String, String), (Counts, BTreeMap<u32, u64>)> = BTreeMap::new();
    for (&(o, status), &n) in &per_outcome {
        let out = &outcomes[o as usize];
        let provider = out.provider_name.clone().unwrap_or_default();
        breakdown
            .entry((
                provider,
                out.provider.clone().unwrap_or_default(),
                out.category.clone(),
                out.action.as_str().to_string(),
            ))
            .or_default()
            .add(status, n);
        let slot = codes
            .entry((out.provider.clone().unwrap_or_default(), out.code()))
            .or_default();
        slot.0.add(status, n);
        *slot.1.entry(o).or_default() += n;
    }
    let addresses_by_code = addresses_by_code(state, outcomes);
    let mut code_rows: Vec<CodeRow> = codes
        .into_iter()
        .map(|((provider, code), (counts, by_o))| {
            let (&rep, _) = by_o
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .unwrap_or((&0, &0));
            let o = &outcomes[rep as usize];
            let addresses = addresses_by_code
                .get(&(provider.clone(), code.clone()))
                .copied()
                .unwrap_or(0);
            CodeRow {
                provider_name: o.provider_name.clone().unwrap_or_default(),
                provider,
                code,
                meaning: o.meaning.clone(),
                category: o.category.clone(),
                action: o.action.as_str().to_string(),
                counts,
                addresses,
                outcome: rep,
            }
        })
        .collect();
    code_rows.sort_by(|a, b| {
        (b.counts.total(), &a.provider, &a.code).cmp(&(a.counts.total(), &b.provider, &b.code))
    });
    let mut breakdown: Vec<Breakdown> = breakdown
        .into_iter()
        .map(
            |((provider, provider_id, category, action), counts)| Breakdown {
                provider,
                provider_id,
                category,
                action,
                counts,
            },
        )
        .collect();
    breakdown.sort_by_key(|b| std::cmp::Reverse(b.counts.total()));
    let mut by_sender: BTreeMap<String, Counts> = BTreeMap::new();
    for (&(sender, status), &n) in &state.by_sender {
        by_sender
            .entry(state.senders.name(sender).to_string())
            .or_default()
            .add(status, n);
    }
    let mut by_ip: BTreeMap<IpAddr, Counts> = BTreeMap::new();
    for (&(o, _, ip), &n) in &state.origins {
        if let Some(ip) = ip {
            let status = dominant_status(&per_outcome, o);
            by_ip.entry(ip).or_default().add(status, n);
        }
    }
    let decisions = decide::decide_all(policy, state, outcomes);
    let domains = decide::domains(&decisions);
    let mut verdicts: BTreeMap<&'static str, u64> = BTreeMap::new();
    for d in &decisions {
        *verdicts.entry(d.verdict.as_str()).or_default() += 1;
    }
    let delivered_only = state.book.len() as u64 - decisions.len() as u64;
    verdicts.insert("delivered", delivered_only);
    let unknown = |n: &String| {
        if n.is_empty() {
            "(unknown)".to_string()
        } else {
            n.clone()
        }
    };
    let span_hours = match (timeline.keys().next(), timeline.keys().next_back()) {
        (Some(a), Some(b)) => b - a,
        _ => 0,
    };
    let timeline = if span_hours > 72 {
        let mut days: BTreeMap<i64, Counts> = BTreeMap::new();
        for (h, c) in timeline {
            let d = days.entry(h.div_euclid(24) * 86_400).or_default();
            for s in [
                Status::Delivered,
                Status::Deferred,
                Status::Bounced,
                Status::Other,
            ] {
                d.add(s, count_of(&c, s));
            }
        }
        Timeline {
            bucket: "day",
            rows: days
                .into_iter()
                .map(|(start, counts)| TimelineRow { start, counts })
                .collect(),
        }
    } else {
        Timeline {
            bucket: "hour",
            rows: timeline
                .into_iter()
                .map(|(h, counts)| TimelineRow {
                    start: h * 3600,
                    counts,
                })
                .collect(),
        }
    };
    Summary {
        totals,
        addresses: state.book.len() as u64,
        first,
        last,
        breakdown,
        codes: code_rows,
        by_sender: rows(by_sender, unknown),
        by_ip: rows(by_ip, |ip| ip.to_string()),
        by_recipient_domain: recipient_domains(state),
        timeline,
        patterns: patterns::find(state, outcomes, &settings),
        diagnoses: diagnoses(state, outcomes),
        decisions,
        domains,
        verdicts,
        settings,
    }
}

fn count_of(c: &Counts, s: Status) -> u64 {
    match s {
        Status::Delivered => c.delivered,
        Status::Deferred => c.deferred,
        Status::Bounced => c.bounced,
        Status::Other => c.other,
    }
}

/// (outcome, status) -> results.
fn outcome_counts(state: &State) -> BTreeMap<(u32, Status), u64> {
    let mut m = BTreeMap::new();
    for (&(_, o, status), b) in &state.hourly_outcome {
        *m.entry((o, status)).or_default() += b.count;
    }
    m
}

/// The status an outcome's results mostly had (origins do not keep the status).
fn dominant_status(per: &BTreeMap<(u32, Status), u64>, o: u32) -> Status {
    [Status::Bounced, Status::Deferred, Status::Other]
        .into_iter()
        .max_by_key(|s| per.get(&(o, *s)).copied().unwrap_or(0))
        .unwrap_or(Status::Bounced)
}

/// Distinct addresses per (provider, code).
fn addresses_by_code(state: &State, outcomes: &[Outcome]) -> BTreeMap<(String, String), u64> {
    // Number the (provider, code) groups once; then pairs of numbers sort fast.
    let mut groups: BTreeMap<(String, String), u32> = BTreeMap::new();
    let group_of: Vec<u32> = outcomes
        .iter()
        .map(|o| {
            let key = (o.provider.clone().unwrap_or_default(), o.code());
            let next = groups.len() as u32;
            *groups.entry(key).or_insert(next)
        })
        .collect();
    let mut pairs: Vec<u64> = state
        .events
        .iter()
        .map(|e| (u64::from(group_of[e.outcome as usize]) << 32) | u64::from(e.addr))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut counts = vec![0u64; groups.len()];
    for p in pairs {
        counts[(p >> 32) as usize] += 1;
    }
    groups
        .into_iter()
        .map(|(k, g)| (k, counts[g as usize]))
        .collect()
}

fn recipient_domains(state: &State) -> Vec<Row> {
    let mut m: BTreeMap<String, (Counts, u64)> = BTreeMap::new();
    for id in 0..state.book.len() as u32 {
        let e = state.book.entry(id);
        let slot = m
            .entry(domain_of(state.book.name(id)).to_string())
            .or_default();
        slot.0.add(Status::Delivered, u64::from(e.delivered));
        slot.1 += 1;
    }
    for e in &state.events {
        if let Some(slot) = m.get_mut(domain_of(state.book.name(e.addr))) {
            slot.0.add(e.status, 1);
        }
    }
    let mut v: Vec<Row> = m
        .into_iter()
        .map(|(name, (counts, n))| Row {
            name,
            counts,
            addresses: Some(n),
        })
        .collect();
    v.sort_by(|a, b| {
        (b.counts.failures(), b.counts.total(), &a.name).cmp(&(
            a.counts.failures(),
            a.counts.total(),
            &b.name,
        ))
    });
    v
}

/// At most this many diagnoses: the ones behind the most failures.
const MAX_DIAGNOSES: usize = 5;

fn diagnoses(state: &State, outcomes: &[Outcome]) -> Vec<DiagnoseTarget> {
    // (sending domain, IP, provider, code) -> (failures, failures per outcome)
    type Key = (String, Option<IpAddr>, String, String);
    let mut m: BTreeMap<Key, (u64, BTreeMap<u32, u64>)> = BTreeMap::new();
    for (&(o, sender, ip), &n) in &state.origins {
        let out = &outcomes[o as usize];
        if !diagnosable(&out.category) {
            continue;
        }
        let slot = m
            .entry((
                state.senders.name(sender).to_string(),
                ip,
                out.provider.clone().unwrap_or_default(),
                out.code(),
            ))
            .or_default();
        slot.0 += n;
        *slot.1.entry(o).or_default() += n;
    }
    let mut v: Vec<DiagnoseTarget> = m
        .into_iter()
        .map(|((domain, ip, provider, code), (n, by_o))| {
            let (&rep, _) = by_o
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .unwrap_or((&0, &0));
            let o = &outcomes[rep as usize];
            let domain = (!domain.is_empty()).then_some(domain);
            let (reply, command) = command(o, domain.as_deref(), ip);
            DiagnoseTarget {
                command,
                reply,
                domain,
                ip,
                provider,
                code,
                category: o.category.clone(),
                failures: n,
                outcome: rep,
                causes: Vec::new(),
            }
        })
        .collect();
    v.sort_by(|a, b| (b.failures, &a.command).cmp(&(a.failures, &b.command)));
    v.truncate(MAX_DIAGNOSES);
    v
}

/// The reply to diagnose and the exact command line (shell-quoted); `DOMAIN` stands where the
/// log did not say.
fn command(o: &Outcome, domain: Option<&str>, ip: Option<IpAddr>) -> (String, String) {
    // The reply as decoded, with the IP literal it named (masked) given back as the sending IP.
    let mut reply = o.reply_line();
    if let Some(ip) = ip {
        reply = reply.replace(super::mask::IP, &ip.to_string());
    }
    let mut c = format!(
        "mailtriage diagnose {} --domain {}",
        crate::plan::shell_word(&reply),
        domain.map_or("DOMAIN".to_string(), crate::plan::shell_word)
    );
    if let Some(ip) = ip {
        c.push_str(&format!(" --ip {ip}"));
    }
    (reply, c)
}

impl Summary {
    /// The suppression rows: addresses, then domains.
    pub fn suppressions(&self) -> impl Iterator<Item = SuppressionRow<'_>> {
        let addresses = self
            .decisions
            .iter()
            .filter(|d| matches!(d.verdict, Verdict::Suppress | Verdict::SuppressSoft))
            .map(|d| SuppressionRow {
                address: &d.address,
                scope: "address",
                reason: d.reason.unwrap_or(""),
                outcome: d.deciding,
                first_seen: d.first_seen,
                last_seen: d.last_seen,
                failures: d.failures,
            });
        let domains = self.domains.iter().map(|d| SuppressionRow {
            address: &d.domain,
            scope: "domain",
            reason: "domain-accepts-no-mail",
            outcome: Some(d.deciding),
            first_seen: d.first_seen,
            last_seen: d.last_seen,
            failures: d.failures,
        });
        addresses.chain(domains)
    }
}

/// One row of the suppression list.
#[derive(Debug, Clone, Copy)]
pub struct SuppressionRow<'a> {
    pub address: &'a str,
    pub scope: &'static str,
    pub reason: &'a str,
    pub outcome: Option<u32>,
    pub first_seen: i64,
    pub last_seen: i64,
    pub failures: u32,
}

/// Adds a bucket into a map entry (used when merging summaries).
pub fn add_bucket<K: std::hash::Hash + Eq>(
    m: &mut hashbrown::HashMap<K, Bucket>,
    k: K,
    b: &Bucket,
) {
    m.entry(k).or_default().merge(b);
}
