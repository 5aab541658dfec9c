//! Systemic patterns: a provider answering a large share of its traffic with one code for hours
//! ("Gmail 4.7.28 deferrals from 10:14 UTC"), found from hourly counts so merged scans agree.

use super::lines::Status;
use super::outcome::Outcome;
use super::state::{Bucket, State};
use super::time::UNKNOWN;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// When an hour counts as part of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PatternSettings {
    /// Failures with one code from one provider in the hour.
    pub min_events: u64,
    /// Their share of everything that provider answered in the hour.
    pub min_share: f64,
}

impl Default for PatternSettings {
    fn default() -> Self {
        PatternSettings {
            min_events: 10,
            min_share: 0.5,
        }
    }
}

impl PatternSettings {
    pub fn active(&self, count: u64, provider_total: u64) -> bool {
        count >= self.min_events && self.share(count, provider_total)
    }

    /// An hour next to an active one that belongs to the pattern: fewer failures (the pattern
    /// began or ended inside it) but the same share of the provider's answers.
    pub fn lead(&self, count: u64, provider_total: u64) -> bool {
        count > 0 && self.share(count, provider_total)
    }

    fn share(&self, count: u64, provider_total: u64) -> bool {
        provider_total > 0 && count as f64 >= self.min_share * provider_total as f64
    }
}

/// (provider id, code, status): what a pattern is about.
pub type GroupKey = (String, String, Status);

/// One pattern: a run of active hours (one quiet hour inside does not end it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    pub provider: String,
    pub provider_name: String,
    pub code: String,
    pub status: Status,
    pub category: String,
    pub action: String,
    pub meaning: String,
    /// The first failure of the first active hour.
    pub start: i64,
    /// The last failure of the last active hour.
    pub last: i64,
    /// False when the log went on for more than an hour after it without it.
    pub ongoing: bool,
    /// Failures of the group from the start to the last.
    pub count: u64,
    pub hours: u64,
}

/// Failures per group and hour, with the outcome that is most frequent in each group.
pub struct Groups {
    pub hours: BTreeMap<GroupKey, BTreeMap<i64, Bucket>>,
    pub representative: BTreeMap<GroupKey, (u32, u64)>,
}

/// The group of an outcome: its provider ("" when unknown) and code.
pub fn group_of(o: &Outcome, status: Status) -> GroupKey {
    (o.provider.clone().unwrap_or_default(), o.code(), status)
}

pub fn groups(state: &State, outcomes: &[Outcome]) -> Groups {
    let mut hours: BTreeMap<GroupKey, BTreeMap<i64, Bucket>> = BTreeMap::new();
    let mut per_outcome: BTreeMap<(GroupKey, u32), u64> = BTreeMap::new();
    for (&(hour, outcome, status), b) in &state.hourly_outcome {
        if !super::decide::is_failure(status) {
            continue;
        }
        let key = group_of(&outcomes[outcome as usize], status);
        *per_outcome.entry((key.clone(), outcome)).or_default() += b.count;
        if hour != UNKNOWN {
            hours
                .entry(key)
                .or_default()
                .entry(hour)
                .or_default()
                .merge(b);
        }
    }
    let mut representative: BTreeMap<GroupKey, (u32, u64)> = BTreeMap::new();
    for ((key, outcome), n) in per_outcome {
        let slot = representative.entry(key).or_insert((outcome, 0));
        if n > slot.1 {
            *slot = (outcome, n);
        }
    }
    Groups {
        hours,
        representative,
    }
}

/// Everything one provider answered in each hour.
pub fn provider_totals(state: &State) -> BTreeMap<(String, i64), u64> {
    let mut t = BTreeMap::new();
    for (&(hour, provider, _), &n) in &state.hourly_provider {
        *t.entry((state.providers.name(provider).to_string(), hour))
            .or_default() += n;
    }
    t
}

/// The patterns of a scan, by start time.
pub fn find(state: &State, outcomes: &[Outcome], settings: &PatternSettings) -> Vec<Pattern> {
    let g = groups(state, outcomes);
    let totals = provider_totals(state);
    let last_hour = state
        .hourly_provider
        .keys()
        .map(|k| k.0)
        .filter(|&h| h != UNKNOWN)
        .max()
        .unwrap_or(UNKNOWN);
    let mut out = Vec::new();
    for (key, by_hour) in &g.hours {
        let active: Vec<i64> = by_hour
            .iter()
            .filter(|(h, b)| {
                let total = totals.get(&(key.0.clone(), **h)).copied().unwrap_or(0);
                settings.active(b.count, total)
            })
            .map(|(h, _)| *h)
            .collect();
        let total = |h: i64| totals.get(&(key.0.clone(), h)).copied().unwrap_or(0);
        let lead = |h: i64| {
            by_hour
                .get(&h)
                .is_some_and(|b| settings.lead(b.count, total(h)))
        };
        let mut runs: Vec<(i64, i64)> = Vec::new();
        for h in active {
            match runs.last_mut() {
                Some(r) if h <= r.1 + 2 => r.1 = h,
                _ => runs.push((h, h)),
            }
        }
        // Widen each run by the hours it began and ended in, then join runs that now touch.
        for r in &mut runs {
            while lead(r.0 - 1) {
                r.0 -= 1;
            }
            while lead(r.1 + 1) {
                r.1 += 1;
            }
        }
        let mut joined: Vec<(i64, i64)> = Vec::new();
        for r in runs {
            match joined.last_mut() {
                Some(j) if r.0 <= j.1 + 2 => j.1 = j.1.max(r.1),
                _ => joined.push(r),
            }
        }
        let runs = joined;
        let Some(&(rep, _)) = g.representative.get(key) else {
            continue;
        };
        let o = &outcomes[rep as usize];
        for (from, to) in runs {
            let within = by_hour.range(from..=to);
            let count = within.clone().map(|(_, b)| b.count).sum();
            out.push(Pattern {
                provider: key.0.clone(),
                provider_name: o
                    .provider_name
                    .clone()
                    .unwrap_or_else(|| "other receivers".into()),
                code: key.1.clone(),
                status: key.2,
                category: o.category.clone(),
                action: o.action.as_str().to_string(),
                meaning: o.meaning.clone(),
                start: by_hour.get(&from).map_or(UNKNOWN, |b| b.first),
                last: by_hour.get(&to).map_or(UNKNOWN, |b| b.last),
                ongoing: to + 1 >= last_hour,
                count,
                hours: (to - from + 1) as u64,
            });
        }
    }
    out.sort_by(|a, b| (a.start, &a.provider, &a.code).cmp(&(b.start, &b.provider, &b.code)));
    out
}

/// "deferrals" or "bounces".
pub fn noun(status: Status) -> &'static str {
    match status {
        Status::Deferred => "deferrals",
        Status::Bounced => "bounces",
        Status::Delivered => "deliveries",
        Status::Other => "other results",
    }
}
