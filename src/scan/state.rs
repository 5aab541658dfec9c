//! What a scan accumulates: per-address state, failure events, and aggregates that add up
//! exactly when two scans are merged (counts, first and last times).

use super::addresses::Book;
use super::lines::Status;
use super::skip::SkipCounts;
use super::time::UNKNOWN;
use hashbrown::HashMap;
use std::net::IpAddr;

/// One failure (or other result) of one address, kept in full for its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailEvent {
    pub addr: u32,
    pub ts: i64,
    /// Which message it was about (a hash of host and queue id): retries share it.
    pub send: u64,
    pub outcome: u32,
    pub status: Status,
}

/// A count with the first and last time it grew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub count: u64,
    pub first: i64,
    pub last: i64,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            count: 0,
            first: i64::MAX,
            last: UNKNOWN,
        }
    }
}

impl Bucket {
    pub fn add(&mut self, ts: i64, n: u64) {
        self.count += n;
        self.first = self.first.min(ts);
        self.last = self.last.max(ts);
    }

    pub fn merge(&mut self, o: &Bucket) {
        self.count += o.count;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
    }
}

/// Strings numbered in order of first sight.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", String::as_str)
    }
}

/// One result as the readers hand it over.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub ts: i64,
    pub send: u64,
    /// Lower-case.
    pub addr: &'a str,
    pub status: Status,
    /// The provider, numbered by `State::providers` ("" when none was recognised).
    pub provider: u32,
    /// The decoded reply (None for a delivery).
    pub outcome: Option<u32>,
    /// The sending domain, numbered by `State::senders` ("" when unknown).
    pub sender: u32,
    pub ip: Option<IpAddr>,
}

/// What became of one input.
#[derive(Debug, Clone, Default)]
pub struct InputReport {
    pub name: String,
    /// postfix-log, exim-log, sendmail-log, esp-csv, esp-jsonl, exchange-csv, message, mbox, maildir, directory.
    pub form: String,
    pub lines: u64,
    pub messages: u64,
    pub results: u64,
    pub skipped: SkipCounts,
    /// Why the input could not be read (to the end).
    pub error: Option<String>,
    /// How the year of syslog times was chosen.
    pub year_from: Option<String>,
    /// Results whose time is earlier than the result before them in the same input.
    pub backwards: u64,
    pub max_back_seconds: i64,
}

impl InputReport {
    /// What skip positions count in this input: messages, export rows or lines.
    pub fn unit(&self) -> &'static str {
        let form = self.form.trim_end_matches("+gzip");
        match form {
            "maildir" | "message" | "mbox" => "message",
            "esp-csv" | "esp-json" | "exchange-tracking-csv" => "row",
            _ => "line",
        }
    }

    /// The stderr lines of its skips.
    pub fn skip_lines(&self) -> Vec<String> {
        self.skipped.lines(&self.name, self.unit())
    }
}

/// Key of the hour a time falls in (`UNKNOWN` stays unknown).
pub fn hour(ts: i64) -> i64 {
    if ts == UNKNOWN {
        UNKNOWN
    } else {
        ts.div_euclid(3600)
    }
}

/// The whole accumulation.
#[derive(Default)]
pub struct State {
    pub book: Book,
    pub events: Vec<FailEvent>,
    pub providers: Interner,
    pub senders: Interner,
    pub totals: [u64; 4],
    /// (sending domain, status) -> results.
    pub by_sender: HashMap<(u32, Status), u64>,
    /// (outcome, sending domain, sending IP) -> failures.
    pub origins: HashMap<(u32, u32, Option<IpAddr>), u64>,
    /// (hour, provider, status) -> results: the provider's traffic, for shares.
    pub hourly_provider: HashMap<(i64, u32, Status), u64>,
    /// (hour, outcome, status) -> failures with first and last time.
    pub hourly_outcome: HashMap<(i64, u32, Status), Bucket>,
    pub inputs: Vec<InputReport>,
    /// Results without a usable address, counted but not attributed.
    pub unattributed: u64,
    /// The first and last time of any result.
    pub span: Bucket,
}

impl State {
    /// Adds one result. Returns false when the address could not be stored.
    pub fn apply(&mut self, r: &Record<'_>) -> bool {
        let Some(id) = self.book.id(r.addr) else {
            self.unattributed += 1;
            return false;
        };
        self.totals[r.status.index()] += 1;
        if r.ts != UNKNOWN {
            self.span.add(r.ts, 0);
        }
        let (sender, provider) = (r.sender, r.provider);
        *self.by_sender.entry((sender, r.status)).or_default() += 1;
        *self
            .hourly_provider
            .entry((hour(r.ts), provider, r.status))
            .or_default() += 1;
        match r.outcome {
            None => {
                let e = self.book.entry_mut(id);
                e.delivered += 1;
                e.last_delivered = e.last_delivered.max(r.ts);
            }
            Some(outcome) => {
                self.events.push(FailEvent {
                    addr: id,
                    ts: r.ts,
                    send: r.send,
                    outcome,
                    status: r.status,
                });
                *self.origins.entry((outcome, sender, r.ip)).or_default() += 1;
                self.hourly_outcome
                    .entry((hour(r.ts), outcome, r.status))
                    .or_default()
                    .add(r.ts, 1);
            }
        }
        true
    }
}

/// A 64-bit FNV-1a hash: stable across runs and machines, so send keys merge.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The domain of an address, lower-case ("" when there is none).
pub fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map_or("", |(_, d)| d)
}
