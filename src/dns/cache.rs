//! The run's answer cache: keyed by (name, type), TTL-bounded, size-bounded, one in-flight
//! query per question.
//!
//! Size bound: two generations. New answers go to `young`; when it holds half the capacity it
//! becomes `old` and the previous `old` is dropped. A hit in `old` moves the slot back to
//! `young`, so answers many domains share (a provider's SPF tree) stay while one-off answers
//! (a customer's DKIM probes) age out. At most `capacity` slots are kept, whatever the run's size.

use super::log::LogEntry;
use super::{Answer, RType};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Answers kept at most (both generations together): enough for every question of a few
/// thousand domains in flight, small enough to stay far below 100 MB.
pub(crate) const DEFAULT_CAPACITY: usize = 16 * 1024;

/// How long an answer without a TTL (timeout, SERVFAIL, error) is reused. Within one diagnosis
/// that is the whole run (asking again would add load and contradict the evidence logged); in
/// a long bulk run a transient failure of a shared include must not spoil every later domain.
const TROUBLE_LIFETIME: Duration = Duration::from_secs(30);

/// A cached answer and the log entry it was recorded as.
#[derive(Clone)]
pub(crate) struct Cached {
    pub(crate) answer: Arc<Answer>,
    pub(crate) entry: Arc<LogEntry>,
    expires: Instant,
}

type Slot = Arc<OnceCell<Cached>>;
type Key = (String, RType);

struct Generations {
    young: HashMap<Key, Slot>,
    old: HashMap<Key, Slot>,
}

pub(crate) struct Cache {
    slots: Mutex<Generations>,
    capacity: usize,
}

impl Default for Cache {
    fn default() -> Self {
        Cache::with_capacity(DEFAULT_CAPACITY)
    }
}

fn fresh(slot: &Slot, now: Instant) -> bool {
    slot.get().is_none_or(|c| c.expires > now)
}

impl Cache {
    pub(crate) fn with_capacity(capacity: usize) -> Cache {
        Cache {
            slots: Mutex::new(Generations {
                young: HashMap::new(),
                old: HashMap::new(),
            }),
            capacity: capacity.max(2),
        }
    }

    /// The slot for `key`: a fresh one from either generation, else a new empty one.
    fn slot(&self, key: Key) -> Slot {
        let mut g = match self.slots.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let now = Instant::now();
        if let Some(slot) = g.young.get(&key) {
            if fresh(slot, now) {
                return slot.clone();
            }
            g.young.remove(&key);
        }
        let promoted = g.old.remove(&key).filter(|s| fresh(s, now));
        if g.young.len() >= self.capacity / 2 {
            let young = std::mem::take(&mut g.young);
            g.old = young;
        }
        let slot = promoted.unwrap_or_default();
        g.young.insert(key, slot.clone());
        slot
    }

    /// Returns the cached answer, or runs `fetch` once for every concurrent caller.
    pub(crate) async fn get_or_fetch<F>(&self, name: &str, rtype: RType, fetch: F) -> Cached
    where
        F: Future<Output = (Answer, Arc<LogEntry>)>,
    {
        let slot = self.slot((name.to_string(), rtype));
        slot.get_or_init(|| async {
            let (answer, entry) = fetch.await;
            let life = answer
                .ttl
                .map_or(TROUBLE_LIFETIME, |ttl| Duration::from_secs(u64::from(ttl)));
            Cached {
                answer: Arc::new(answer),
                entry,
                expires: Instant::now() + life,
            }
        })
        .await
        .clone()
    }

    /// The answer to (name, type) if it is cached and fresh; never asks.
    pub(crate) fn peek(&self, name: &str, rtype: RType) -> Option<Cached> {
        let g = match self.slots.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let key = (name.to_string(), rtype);
        let now = Instant::now();
        [&g.young, &g.old]
            .iter()
            .filter_map(|m| m.get(&key))
            .filter_map(|s| s.get())
            .find(|c| c.expires > now)
            .cloned()
    }

    /// Slots held now (both generations).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        match self.slots.lock() {
            Ok(g) => g.young.len() + g.old.len(),
            Err(p) => {
                let g = p.into_inner();
                g.young.len() + g.old.len()
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dns::Outcome;

    fn answer(name: &str, ttl: Option<u32>) -> (Answer, Arc<LogEntry>) {
        let a = crate::dns::resolve::empty_answer(name, RType::TXT);
        let a = Answer { ttl, ..a };
        let e = Arc::new(LogEntry {
            id: 0,
            name: name.into(),
            rtype: RType::TXT,
            outcome: Outcome::Answer,
            answers: Vec::new(),
            ttl,
            cname_chain: Vec::new(),
            started_at: String::new(),
            elapsed_ms: 0.0,
            resolver: String::new(),
        });
        (a, e)
    }

    #[tokio::test]
    async fn stays_within_capacity_and_keeps_what_is_reused() {
        let cache = Cache::with_capacity(100);
        let asked = std::sync::atomic::AtomicUsize::new(0);
        // Counted when the cache runs the fetch, not when the future is built.
        let fetch = |n: &str| {
            let a = answer(n, Some(3600));
            let asked = &asked;
            async move {
                asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                a
            }
        };
        for i in 0..10_000 {
            cache
                .get_or_fetch("shared", RType::TXT, fetch("shared"))
                .await;
            let n = format!("one-off-{i}");
            cache.get_or_fetch(&n, RType::TXT, fetch(&n)).await;
            assert!(cache.len() <= 100, "{} slots", cache.len());
        }
        // 10,000 one-off names and one shared name asked once.
        assert_eq!(asked.load(std::sync::atomic::Ordering::Relaxed), 10_001);
        assert!(cache.peek("shared", RType::TXT).is_some());
        assert!(cache.peek("one-off-0", RType::TXT).is_none());
    }

    #[tokio::test]
    async fn expired_answers_are_asked_again() {
        let cache = Cache::default();
        cache
            .get_or_fetch("zero", RType::TXT, async { answer("zero", Some(0)) })
            .await;
        assert!(cache.peek("zero", RType::TXT).is_none());
        cache
            .get_or_fetch("trouble", RType::TXT, async { answer("trouble", None) })
            .await;
        assert!(cache.peek("trouble", RType::TXT).is_some());
    }
}
