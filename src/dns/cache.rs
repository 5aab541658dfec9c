//! The run's answer cache: keyed by (name, type), TTL-bounded, size-bounded, one in-flight
//! query per question.
//!
//! A query, once started, runs on its own task to the end of its own bounds (the resolver's
//! timeout and retries, the run's deadline), whoever stops waiting for it: in bulk mode each
//! domain waits only until its own deadline, and a domain with time left must get the real
//! answer, not the timeout of the domain that happened to ask first.
//!
//! Size bound: two generations. New answers go to `young`; when it holds half the capacity it
//! becomes `old` and the previous `old` is dropped. A hit in `old` moves the slot back to
//! `young`, so answers many domains share (a provider's SPF tree) stay while one-off answers
//! (a customer's DKIM probes) age out. At most `capacity` slots are kept, whatever the run's size.

use super::log::LogEntry;
use super::types::{Answer, RType};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

impl Cached {
    /// An answer that belongs to one caller only (its own deadline cut it short): never stored.
    pub(crate) fn own(answer: Answer, entry: Arc<LogEntry>) -> Cached {
        Cached {
            answer: Arc::new(answer),
            entry,
            expires: Instant::now(),
        }
    }
}

/// What a fetch produced. `reusable` is false when the run's deadline, not the DNS, decided
/// the outcome: later questions get their own "deadline passed" answer instead.
pub(crate) struct Fetched {
    pub(crate) answer: Answer,
    pub(crate) entry: Arc<LogEntry>,
    pub(crate) reusable: bool,
}

/// One question's answer, in flight or done; every clone sees the same result.
pub(crate) type Slot = Shared<BoxFuture<'static, Cached>>;
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
    slot.peek().is_none_or(|c| c.expires > now)
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

    /// The slot for `key`: a fresh one from either generation, else `new()`'s, stored (true
    /// when it is `new()`'s).
    fn slot(&self, key: Key, new: impl FnOnce() -> Slot) -> (Slot, bool) {
        let mut g = match self.slots.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let now = Instant::now();
        if let Some(slot) = g.young.get(&key) {
            if fresh(slot, now) {
                return (slot.clone(), false);
            }
            g.young.remove(&key);
        }
        let promoted = g.old.remove(&key).filter(|s| fresh(s, now));
        if g.young.len() >= self.capacity / 2 {
            let young = std::mem::take(&mut g.young);
            g.old = young;
        }
        let (slot, created) = match promoted {
            Some(slot) => (slot, false),
            None => (new(), true),
        };
        g.young.insert(key, slot.clone());
        (slot, created)
    }

    /// The cached or in-flight answer to (name, type); else starts `fetch` on a task of its
    /// own. Every concurrent caller shares that one fetch; each may stop waiting on its own.
    /// Must be called inside a tokio runtime.
    pub(crate) fn get_or_fetch<F>(&self, name: &str, rtype: RType, fetch: F) -> Slot
    where
        F: Future<Output = Fetched> + Send + 'static,
    {
        let (slot, created) = self.slot((name.to_string(), rtype), || {
            async move {
                let f = fetch.await;
                let life = if f.reusable {
                    f.answer
                        .ttl
                        .map_or(TROUBLE_LIFETIME, |ttl| Duration::from_secs(u64::from(ttl)))
                } else {
                    Duration::ZERO
                };
                Cached {
                    answer: Arc::new(f.answer),
                    entry: f.entry,
                    expires: Instant::now() + life,
                }
            }
            .boxed()
            .shared()
        });
        if created {
            // Detached: the answer lands in the slot even if every caller has stopped waiting.
            tokio::spawn(slot.clone());
        }
        slot
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
            .filter_map(|s| s.peek())
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

    fn answer(name: &str, ttl: Option<u32>) -> Fetched {
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
        Fetched {
            answer: a,
            entry: e,
            reusable: true,
        }
    }

    #[tokio::test]
    async fn stays_within_capacity_and_keeps_what_is_reused() {
        let cache = Cache::with_capacity(100);
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // Counted when the cache runs the fetch, not when the future is built.
        let fetch = |n: &str| {
            let a = answer(n, Some(3600));
            let asked = asked.clone();
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

    #[tokio::test]
    async fn a_fetch_its_first_caller_gave_up_on_still_answers_the_next() {
        let cache = Cache::default();
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (release, held) = tokio::sync::oneshot::channel::<()>();
        let counted = asked.clone();
        let first = cache.get_or_fetch("slow", RType::TXT, async move {
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let _ = held.await;
            answer("slow", Some(60))
        });
        // The first caller's deadline: the answer cannot have come, it is held back.
        assert!(
            tokio::time::timeout(Duration::from_millis(1), first)
                .await
                .is_err()
        );
        release.send(()).unwrap();
        let counted = asked.clone();
        let second = cache
            .get_or_fetch("slow", RType::TXT, async move {
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                answer("slow", Some(60))
            })
            .await;
        assert_eq!(second.answer.ttl, Some(60));
        assert_eq!(asked.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn outcomes_the_deadline_decided_are_not_kept() {
        let cache = Cache::default();
        let cut = Fetched {
            reusable: false,
            ..answer("cut", None)
        };
        cache.get_or_fetch("cut", RType::TXT, async { cut }).await;
        assert!(cache.peek("cut", RType::TXT).is_none());
    }
}
