//! The run's answer cache: keyed by (name, type), TTL-bounded, one in-flight query per question.

use super::{Answer, RType};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

#[derive(Clone)]
struct Cached {
    answer: Arc<Answer>,
    /// `None`: kept for the whole run (trouble outcomes carry no TTL, and asking again within
    /// one diagnosis would only add load and contradict the evidence already logged).
    expires: Option<Instant>,
}

type Slot = Arc<OnceCell<Cached>>;

#[derive(Default)]
pub(crate) struct Cache {
    slots: Mutex<HashMap<(String, RType), Slot>>,
}

impl Cache {
    /// Returns the cached answer, or runs `fetch` once for every concurrent caller.
    pub(crate) async fn get_or_fetch<F>(&self, name: &str, rtype: RType, fetch: F) -> Arc<Answer>
    where
        F: Future<Output = Answer>,
    {
        let key = (name.to_string(), rtype);
        let slot = {
            let mut slots = match self.slots.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            let stale = slots.get(&key).is_some_and(|slot| {
                slot.get()
                    .is_some_and(|c| c.expires.is_some_and(|e| e <= Instant::now()))
            });
            if stale {
                slots.remove(&key);
            }
            slots.entry(key).or_default().clone()
        };
        let cached = slot
            .get_or_init(|| async {
                let answer = fetch.await;
                let expires = answer
                    .ttl
                    .map(|ttl| Instant::now() + Duration::from_secs(u64::from(ttl)));
                Cached {
                    answer: Arc::new(answer),
                    expires,
                }
            })
            .await;
        cached.answer.clone()
    }
}
