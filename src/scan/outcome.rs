//! The distinct decoded failures of a scan: each (codes, masked text, replying host) is decoded
//! once against the rules and then referred to by number.

use super::mask;
use crate::reply::Reply;
use crate::rules::{Action, BounceType, RuleSet};
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// One distinct decoded reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// What identifies it across runs and merges: codes, hosts and the masked text.
    pub key: String,
    pub basic: Option<u16>,
    pub enhanced: Option<String>,
    /// The reply text with addresses, ids and IP literals masked.
    pub text: String,
    pub remote_mta: Option<String>,
    pub provider: Option<String>,
    pub provider_name: Option<String>,
    pub category: String,
    pub bounce_type: BounceType,
    pub action: Action,
    /// What the provider, the words or the registry say the reply means (the first known).
    pub meaning: String,
    pub checks: Vec<String>,
    pub rule: String,
}

impl Outcome {
    /// `5.7.26` or `550` or `no code`: how the summary names a reply's code.
    pub fn code(&self) -> String {
        match (&self.enhanced, self.basic) {
            (Some(e), _) => e.clone(),
            (None, Some(b)) => b.to_string(),
            (None, None) => "no code".into(),
        }
    }

    /// `550 5.7.26`, as a reply starts, for the `diagnose` command line.
    pub fn reply_line(&self) -> String {
        let mut parts: Vec<String> = self.basic.iter().map(u16::to_string).collect();
        parts.extend(self.enhanced.clone());
        parts.push(self.text.clone());
        parts.retain(|p| !p.is_empty());
        parts.join(" ")
    }
}

/// The reply with its text masked: what is decoded and cached.
pub fn masked(reply: &Reply) -> Reply {
    let mut r = reply.clone();
    r.text = mask::mask(&reply.text).into_owned();
    r.recipient = None;
    r
}

/// The cache key of a masked reply.
pub fn key(r: &Reply) -> String {
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    format!(
        "{}|{}|{}|{}|{}|{}|{}",
        r.basic.map(|b| b.to_string()).unwrap_or_default(),
        o(&r.enhanced),
        o(&r.remote_mta).to_ascii_lowercase(),
        o(&r.reporting_mta).to_ascii_lowercase(),
        o(&r.smtp_command),
        o(&r.dsn_action),
        r.text
    )
}

/// Decodes a masked reply.
pub fn decode(rules: &RuleSet, r: &Reply, key: String) -> Outcome {
    let d = rules.decode(r);
    let meaning = d
        .provider_meaning
        .clone()
        .or(d.text_meaning.clone())
        .or_else(|| d.enhanced.as_ref().and_then(|e| e.detail.clone()))
        .or_else(|| d.basic.as_ref().and_then(|b| b.meaning.clone()))
        .unwrap_or_default();
    Outcome {
        key,
        basic: r.basic,
        enhanced: r.enhanced.clone(),
        text: r.text.clone(),
        remote_mta: r.remote_mta.clone(),
        provider: d.provider.as_ref().map(|p| p.id.clone()),
        provider_name: d.provider.as_ref().map(|p| p.name.clone()),
        category: d.category,
        bounce_type: d.bounce_type,
        action: d.action,
        meaning,
        checks: d.checks,
        rule: d.rule.id,
    }
}

/// Every outcome seen so far, shared by the threads of a scan (they cache its numbers).
#[derive(Debug, Default)]
pub struct Table {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    list: Vec<Outcome>,
    index: HashMap<String, u32>,
}

impl Table {
    /// The number of the outcome with `key`, decoding with `make` the first time.
    pub fn intern(&self, key: &str, make: impl FnOnce() -> Outcome) -> u32 {
        if let Some(&i) = self.lock().index.get(key) {
            return i;
        }
        // Decoding runs outside the lock; a race decodes twice and keeps the first.
        let o = make();
        let mut inner = self.lock();
        if let Some(&i) = inner.index.get(key) {
            return i;
        }
        let i = inner.list.len() as u32;
        inner.index.insert(key.to_string(), i);
        inner.list.push(o);
        i
    }

    /// Adds an outcome read from a summary (merging), keyed by its own key.
    pub fn insert(&self, o: Outcome) -> u32 {
        let key = o.key.clone();
        self.intern(&key, || o)
    }

    /// The provider id of outcome `i`.
    pub fn provider(&self, i: u32) -> Option<String> {
        self.lock()
            .list
            .get(i as usize)
            .and_then(|o| o.provider.clone())
    }

    /// The category of outcome `i`.
    pub fn category(&self, i: u32) -> String {
        self.lock()
            .list
            .get(i as usize)
            .map(|o| o.category.clone())
            .unwrap_or_default()
    }

    /// A copy of outcome `i`.
    pub fn snapshot_one(&self, i: u32) -> Option<Outcome> {
        self.lock().list.get(i as usize).cloned()
    }

    pub fn snapshot(&self) -> Vec<Outcome> {
        self.lock().list.clone()
    }

    pub fn into_vec(self) -> Vec<Outcome> {
        self.inner
            .into_inner()
            .map(|i| i.list)
            .unwrap_or_else(|p| p.into_inner().list)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panicking decoder thread cannot leave the table half-written: each insert is one push.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A thread's view of the table: outcome numbers by key, and provider ids by replying host.
#[derive(Default)]
pub struct Cache {
    outcomes: HashMap<String, (u32, Option<u16>)>,
    providers: HashMap<String, Option<u16>>,
}

impl Cache {
    /// The outcome number of a reply (masked and decoded on first sight) and its provider
    /// (index into the rules' providers).
    pub fn outcome(&mut self, rules: &RuleSet, table: &Table, reply: &Reply) -> (u32, Option<u16>) {
        let m = masked(reply);
        let k = key(&m);
        if let Some(&found) = self.outcomes.get(&k) {
            return found;
        }
        let i = table.intern(&k, || decode(rules, &m, k.clone()));
        let provider = table.provider(i).and_then(|id| provider_index(rules, &id));
        self.outcomes.insert(k, (i, provider));
        (i, provider)
    }

    /// The provider (index into the rules' providers) of a host that accepted a message.
    pub fn provider(&mut self, rules: &RuleSet, host: &str) -> Option<u16> {
        if let Some(p) = self.providers.get(host) {
            return *p;
        }
        let reply = Reply {
            basic: Some(250),
            remote_mta: Some(host.to_string()),
            ..Reply::default()
        };
        let p = rules
            .detect_provider(&reply)
            .and_then(|p| provider_index(rules, &p.provider.id));
        self.providers.insert(host.to_string(), p);
        p
    }
}

/// The position of provider `id` among the rules' providers.
pub fn provider_index(rules: &RuleSet, id: &str) -> Option<u16> {
    rules
        .providers
        .iter()
        .position(|l| l.rule.id == id)
        .and_then(|i| u16::try_from(i).ok())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Masking must never change a decode: every example of every rule (the texts the rules
    /// were written for) decodes the same with its per-message parts masked.
    #[test]
    fn masking_keeps_every_rule_example_decoding_the_same() {
        let rules = RuleSet::load(None).unwrap();
        let mut examples: Vec<String> = Vec::new();
        for (_, text) in crate::rules::embedded::BUILTIN {
            let t: toml::Table = toml::from_str(text).unwrap();
            for list in t.values().filter_map(|v| v.as_array()) {
                for rule in list.iter().filter_map(|v| v.as_table()) {
                    if let Some(ex) = rule.get("examples").and_then(|e| e.as_array()) {
                        examples.extend(ex.iter().filter_map(|e| e.as_str().map(String::from)));
                    }
                }
            }
        }
        assert!(examples.len() > 300, "{}", examples.len());
        let mut masked_some = 0;
        for ex in &examples {
            let Ok(x) = crate::reply::extract(ex.as_bytes()) else {
                continue;
            };
            for r in &x.replies {
                let m = masked(r);
                masked_some += usize::from(m.text != r.text);
                let (a, b) = (rules.decode(r), rules.decode(&m));
                let view = |d: &crate::rules::Decoded| {
                    (
                        d.provider.as_ref().map(|p| p.id.clone()),
                        d.category.clone(),
                        d.action,
                        d.rule.id.clone(),
                        d.provider_meaning.clone(),
                        d.text_meaning.clone(),
                    )
                };
                assert_eq!(view(&a), view(&b), "{ex}\nmasked: {}", m.text);
            }
        }
        assert!(
            masked_some > 50,
            "only {masked_some} examples had anything masked"
        );
    }
}
