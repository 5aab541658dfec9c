//! One verdict per recipient from its whole history in time order: a delivery clears the
//! failures before it; what failed after the last delivery decides.

use super::lines::Status;
use super::outcome::Outcome;
use super::policy::{Class, Policy};
use super::state::{FailEvent, State, domain_of};
use super::time::UNKNOWN;
use serde::Serialize;

/// What to do about one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A permanent failure about the address (5.1.x, 5.2.1, a complaint): suppress it now.
    Suppress,
    /// The address's domain accepts no mail (null MX, 556, X.1.10): suppress the domain.
    SuppressDomain,
    /// Soft failures on enough separate sends over enough days: suppress.
    SuppressSoft,
    /// Soft failures below the threshold: keep retrying with backoff.
    KeepRetrying,
    /// Policy, authentication, reputation or rate-limit failures: the address is fine.
    DoNotSuppress,
    /// A delivery came after the failures: they are cleared.
    DeliveredAfterFailure,
    /// Only results that are neither deliveries nor failures (auto-replies).
    NoAction,
}

impl Verdict {
    pub const ALL: [Verdict; 7] = [
        Verdict::Suppress,
        Verdict::SuppressDomain,
        Verdict::SuppressSoft,
        Verdict::KeepRetrying,
        Verdict::DoNotSuppress,
        Verdict::DeliveredAfterFailure,
        Verdict::NoAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Suppress => "suppress",
            Verdict::SuppressDomain => "suppress-domain",
            Verdict::SuppressSoft => "suppress-soft",
            Verdict::KeepRetrying => "keep-retrying",
            Verdict::DoNotSuppress => "do-not-suppress",
            Verdict::DeliveredAfterFailure => "delivered-after-failure",
            Verdict::NoAction => "no-action",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the verdict puts a row in the suppression list.
    pub fn suppresses(self) -> bool {
        matches!(
            self,
            Verdict::Suppress | Verdict::SuppressDomain | Verdict::SuppressSoft
        )
    }
}

/// The verdict for one address, with what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub address: String,
    pub verdict: Verdict,
    /// hard-bounce, complaint, domain-accepts-no-mail or repeated-soft-failures (suppressions).
    pub reason: Option<&'static str>,
    /// The outcome of the failure that decided.
    pub deciding: Option<u32>,
    /// The failures that decided: first and last time, and how many separate sends.
    pub first_seen: i64,
    pub last_seen: i64,
    pub failures: u32,
    pub delivered: u32,
    pub last_delivered: i64,
    /// Every failure, in time order.
    pub history: Vec<FailEvent>,
}

/// A domain whose addresses' failures say it accepts no mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainDecision {
    pub domain: String,
    pub deciding: u32,
    pub first_seen: i64,
    pub last_seen: i64,
    pub failures: u32,
    pub addresses: u32,
}

fn distinct_sends(events: &[&FailEvent]) -> u32 {
    let mut sends: Vec<u64> = events.iter().map(|e| e.send).collect();
    sends.sort_unstable();
    sends.dedup();
    sends.len() as u32
}

/// Decides one address from its failures (in time order) and its deliveries.
pub fn decide_one(
    policy: &Policy,
    outcomes: &[Outcome],
    events: &[FailEvent],
    delivered: u32,
    last_delivered: i64,
) -> (Verdict, Option<&'static str>, Option<u32>, i64, i64, u32) {
    // A delivery with no time cannot be placed in the history: it clears nothing.
    let cleared_by = (delivered > 0 && last_delivered != UNKNOWN).then_some(last_delivered);
    let pending: Vec<&FailEvent> = events
        .iter()
        .filter(|e| cleared_by.is_none_or(|t| e.ts != UNKNOWN && e.ts > t))
        .collect();
    if pending.is_empty() {
        return (
            Verdict::DeliveredAfterFailure,
            None,
            None,
            UNKNOWN,
            UNKNOWN,
            0,
        );
    }
    let class = |e: &FailEvent| {
        let o = &outcomes[e.outcome as usize];
        policy.classify(o.action, &o.category)
    };
    let of = |c: Class| -> Vec<&FailEvent> {
        pending.iter().copied().filter(|e| class(e) == c).collect()
    };
    let span = |v: &[&FailEvent]| {
        let known: Vec<i64> = v.iter().map(|e| e.ts).filter(|&t| t != UNKNOWN).collect();
        (
            known.iter().copied().min().unwrap_or(UNKNOWN),
            known.iter().copied().max().unwrap_or(UNKNOWN),
        )
    };
    let first_outcome = |v: &[&FailEvent]| v.first().map(|e| e.outcome);
    let last_outcome = |v: &[&FailEvent]| v.last().map(|e| e.outcome);
    for (c, verdict) in [
        (Class::Domain, Verdict::SuppressDomain),
        (Class::Hard, Verdict::Suppress),
    ] {
        let v = of(c);
        if !v.is_empty() {
            let (first, last) = span(&v);
            let o = first_outcome(&v);
            let reason = match c {
                Class::Domain => "domain-accepts-no-mail",
                _ if o.is_some_and(|o| outcomes[o as usize].category == "complaint") => "complaint",
                _ => "hard-bounce",
            };
            return (verdict, Some(reason), o, first, last, distinct_sends(&v));
        }
    }
    let soft = of(Class::Soft);
    if !soft.is_empty() {
        let (first, last) = span(&soft);
        let sends = distinct_sends(&soft);
        let days = if first == UNKNOWN { 0 } else { last - first };
        if sends >= policy.threshold.failures && days >= i64::from(policy.threshold.days) * 86_400 {
            return (
                Verdict::SuppressSoft,
                Some("repeated-soft-failures"),
                last_outcome(&soft),
                first,
                last,
                sends,
            );
        }
        return (
            Verdict::KeepRetrying,
            None,
            last_outcome(&soft),
            first,
            last,
            sends,
        );
    }
    for (c, verdict) in [
        (Class::SoftNotCounted, Verdict::KeepRetrying),
        (Class::SenderSide, Verdict::DoNotSuppress),
    ] {
        let v = of(c);
        if !v.is_empty() {
            let (first, last) = span(&v);
            return (
                verdict,
                None,
                last_outcome(&v),
                first,
                last,
                distinct_sends(&v),
            );
        }
    }
    let (first, last) = span(&pending);
    (
        Verdict::NoAction,
        None,
        last_outcome(&pending),
        first,
        last,
        0,
    )
}

/// Every address with at least one failure, decided, sorted by address. `events` must be
/// sorted by (address, time, ...) as `summary::canonical` leaves them.
pub fn decide_all(policy: &Policy, state: &State, outcomes: &[Outcome]) -> Vec<Decision> {
    let mut out = Vec::new();
    let mut i = 0;
    let ev = &state.events;
    while i < ev.len() {
        let addr = ev[i].addr;
        let mut j = i;
        while j < ev.len() && ev[j].addr == addr {
            j += 1;
        }
        let entry = state.book.entry(addr);
        let (verdict, reason, deciding, first_seen, last_seen, failures) = decide_one(
            policy,
            outcomes,
            &ev[i..j],
            entry.delivered,
            entry.last_delivered,
        );
        out.push(Decision {
            address: state.book.name(addr).to_string(),
            verdict,
            reason,
            deciding,
            first_seen,
            last_seen,
            failures,
            delivered: entry.delivered,
            last_delivered: entry.last_delivered,
            history: ev[i..j].to_vec(),
        });
        i = j;
    }
    out.sort_by(|a, b| a.address.cmp(&b.address));
    out
}

/// The domains to suppress: those of addresses decided `suppress-domain`.
pub fn domains(decisions: &[Decision]) -> Vec<DomainDecision> {
    let mut out: Vec<DomainDecision> = Vec::new();
    for d in decisions
        .iter()
        .filter(|d| d.verdict == Verdict::SuppressDomain)
    {
        let domain = domain_of(&d.address);
        let Some(deciding) = d.deciding else { continue };
        match out.iter_mut().find(|x| x.domain == domain) {
            Some(x) => {
                if d.first_seen < x.first_seen {
                    x.deciding = deciding;
                }
                x.first_seen = x.first_seen.min(d.first_seen);
                x.last_seen = x.last_seen.max(d.last_seen);
                x.failures += d.failures;
                x.addresses += 1;
            }
            None => out.push(DomainDecision {
                domain: domain.to_string(),
                deciding,
                first_seen: d.first_seen,
                last_seen: d.last_seen,
                failures: d.failures,
                addresses: 1,
            }),
        }
    }
    out.sort_by(|a, b| a.domain.cmp(&b.domain));
    out
}

/// The statuses that count as failures in totals and patterns.
pub fn is_failure(s: Status) -> bool {
    matches!(s, Status::Deferred | Status::Bounced)
}
