//! The generator's own record of what it wrote for each ordinary recipient and the decisions that
//! history calls for, as docs/scan.md states them (a delivery clears the failures up to its
//! second; then domain over hard over counted soft failures; soft failures suppress after N
//! separate sends over D days; sender-side failures never suppress). Each failure's meaning is
//! the generator's, fixed when it chose the reply (`Fate`), not what `scan` decodes.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

/// What a failure the generator wrote means for its recipient.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Class {
    /// The recipient's domain accepts no mail (null MX, 556).
    Domain,
    /// The address does not exist or is disabled (5.1.1, 5.2.1).
    Hard,
    /// A temporary failure about the recipient (mailbox full, its host unreachable).
    Soft,
    /// A temporary failure that says nothing about the address (greylisting).
    SoftNotCounted,
    /// A policy, authentication, blocklist or rate-limit failure (5.7.x, 4.7.28).
    SenderSide,
}

/// One failure: when, what it means, which message (retries of one message share it), and the
/// code and provider a suppression row would name.
#[derive(Clone, Debug)]
pub struct Fail {
    pub t: i64,
    pub class: Class,
    pub send: u64,
    pub code: &'static str,
    pub provider: &'static str,
}

#[derive(Default)]
struct Hist {
    last_ok: Option<i64>,
    fails: Vec<Fail>,
}

/// Every ordinary recipient's history: deliveries are kept as a last time only.
#[derive(Default)]
pub struct Model {
    hist: HashMap<String, Hist>,
}

/// The decisions the model reaches.
#[derive(Default)]
pub struct Decided {
    pub verdicts: BTreeMap<String, String>,
    /// Suppression rows of addresses, by address.
    pub rows: BTreeMap<String, String>,
    /// Per suppressed domain: (first, last, failures, code, provider of the earliest address).
    pub domains: BTreeMap<String, (i64, i64, u32, &'static str, &'static str)>,
    /// Addresses that were only delivered.
    pub delivered_only: u64,
}

/// The RFC 3339 form `scan` writes.
pub type Rfc3339 = fn(i64) -> String;

impl Model {
    pub fn delivered(&mut self, rcpt: &str, t: i64) {
        let h = self.hist.entry(rcpt.to_string()).or_default();
        h.last_ok = Some(h.last_ok.map_or(t, |l| l.max(t)));
    }

    pub fn failed(&mut self, rcpt: &str, f: Fail) {
        self.hist.entry(rcpt.to_string()).or_default().fails.push(f);
    }

    pub fn decide(&self, soft_failures: u32, soft_days: i64, rfc3339: Rfc3339) -> Decided {
        let mut out = Decided::default();
        let mut addrs: Vec<&String> = self.hist.keys().collect();
        addrs.sort();
        for a in addrs {
            let h = &self.hist[a];
            if h.fails.is_empty() {
                out.delivered_only += 1;
                continue;
            }
            // A failure at the second of the last delivery counts as before it.
            let pending: Vec<&Fail> = h
                .fails
                .iter()
                .filter(|f| h.last_ok.is_none_or(|ok| f.t > ok))
                .collect();
            let of = |c: Class| {
                let mut v: Vec<&Fail> = pending.iter().copied().filter(|f| f.class == c).collect();
                v.sort_by_key(|f| f.t);
                v
            };
            let sends = |v: &[&Fail]| {
                let mut s: Vec<u64> = v.iter().map(|f| f.send).collect();
                s.sort_unstable();
                s.dedup();
                s.len() as u32
            };
            let verdict = if pending.is_empty() {
                "delivered-after-failure"
            } else if let [first, .., last] | [first @ last] = of(Class::Domain).as_slice() {
                let n = sends(&of(Class::Domain));
                let d = a.split('@').nth(1).unwrap().to_string();
                let e = out.domains.entry(d).or_insert((
                    first.t,
                    last.t,
                    0,
                    first.code,
                    first.provider,
                ));
                if first.t < e.0 {
                    (e.0, e.3, e.4) = (first.t, first.code, first.provider);
                }
                e.1 = e.1.max(last.t);
                e.2 += n;
                "suppress-domain"
            } else if let [first, .., last] | [first @ last] = of(Class::Hard).as_slice() {
                let n = sends(&of(Class::Hard));
                out.rows.insert(
                    a.clone(),
                    format!(
                        "{a},address,hard-bounce,{},{},{},{},{n}",
                        first.code,
                        first.provider,
                        rfc3339(first.t),
                        rfc3339(last.t)
                    ),
                );
                "suppress"
            } else if let [first, .., last] | [first @ last] = of(Class::Soft).as_slice() {
                let n = sends(&of(Class::Soft));
                if n >= soft_failures && last.t - first.t >= soft_days * 86_400 {
                    out.rows.insert(
                        a.clone(),
                        format!(
                            "{a},address,repeated-soft-failures,{},{},{},{},{n}",
                            last.code,
                            last.provider,
                            rfc3339(first.t),
                            rfc3339(last.t)
                        ),
                    );
                    "suppress-soft"
                } else {
                    "keep-retrying"
                }
            } else if !of(Class::SoftNotCounted).is_empty() {
                "keep-retrying"
            } else {
                "do-not-suppress"
            };
            out.verdicts.insert(a.clone(), verdict.to_string());
        }
        out
    }
}

/// A domain row of the suppression list.
pub fn domain_row(
    domain: &str,
    (first, last, n, code, provider): (i64, i64, u32, &str, &str),
    rfc3339: Rfc3339,
) -> String {
    format!(
        "{domain},domain,domain-accepts-no-mail,{code},{provider},{},{},{n}",
        rfc3339(first),
        rfc3339(last)
    )
}

/// The shares of ordinary traffic that fail, and how. Recipients' fates are fixed per
/// recipient (a dead address bounces every message); policy blocks hit messages at random.
#[derive(Clone, Copy, Debug)]
pub struct Mix {
    /// Share of recipients whose address does not exist (5.1.1) or is disabled (5.2.1).
    pub dead: f64,
    /// Share of recipients at a domain that accepts no mail (null MX, 556).
    pub dead_domain: f64,
    /// Share of recipients whose mailbox is full on every attempt (deferred, never delivered).
    pub full: f64,
    /// Share of messages deferred once for a reason about the recipient, then delivered.
    pub flaky: f64,
    /// Share of messages rejected for a policy, authentication or blocklist reason (5.7.x).
    pub policy: f64,
}

impl Mix {
    pub const NONE: Mix = Mix {
        dead: 0.0,
        dead_domain: 0.0,
        full: 0.0,
        flaky: 0.0,
        policy: 0.0,
    };
    /// With greylisting at 10 % about 5 % of a Postfix log's lines (about a quarter of its
    /// delivery attempts) are deferrals or bounces.
    pub const REALISTIC: Mix = Mix {
        dead: 0.03,
        dead_domain: 0.006,
        full: 0.03,
        flaky: 0.06,
        policy: 0.025,
    };
}

/// A recipient's fixed fate, from its number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fate {
    Ordinary,
    Dead,
    Full,
}

/// splitmix64 of one value: a recipient's fate does not depend on the order of the traffic.
pub fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A recipient's fate is the address's, the same in every host's log (not the seed's).
impl Mix {
    pub fn fate(&self, n: u64) -> Fate {
        let u = unit(mix64(n ^ 0xfa7e));
        if u < self.dead {
            Fate::Dead
        } else if u < self.dead + self.full {
            Fate::Full
        } else {
            Fate::Ordinary
        }
    }

    /// Whether recipient `n` is at a domain that accepts no mail.
    pub fn at_dead_domain(&self, n: u64) -> bool {
        unit(mix64(n ^ 0xd0aa)) < self.dead_domain
    }
}
