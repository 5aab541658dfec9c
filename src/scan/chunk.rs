//! One worker's share of a log: a block of whole lines in, compact results out (addresses in
//! one string, replies as outcome numbers), so committing them is cheap and in file order.

use super::lines::{self, Line, LogKind, Status};
use super::mask;
use super::outcome::{Cache, Table};
use super::skip::Reason;
use super::state::stable_hash;
use super::time::{UNKNOWN, YearRef};
use crate::rules::RuleSet;
use hashbrown::HashMap;
use std::net::IpAddr;

/// Lines longer than this are skipped: no MTA writes one.
pub const MAX_LINE: usize = 64 * 1024;
/// No provider / no outcome / sender to be found by the committer.
pub const NONE: u32 = u32::MAX;

/// What every worker of one file shares.
pub struct Ctx<'a> {
    pub rules: &'a RuleSet,
    pub table: &'a Table,
    pub kind: LogKind,
    pub year: YearRef,
}

/// A range of the chunk's arena.
pub type Span = (u32, u32);

/// One result, its strings in the chunk's arena.
#[derive(Debug, Clone, Copy)]
pub struct RawRecord {
    pub ts: i64,
    pub send: u64,
    pub addr: Span,
    pub status: Status,
    /// Index into the rules' providers, or NONE.
    pub provider: u32,
    pub outcome: u32,
    /// The sending domain, when a `from=` line earlier in the chunk gave it.
    pub sender: Option<Span>,
    pub ip: Option<IpAddr>,
}

/// A worker's results for one block.
#[derive(Default)]
pub struct ChunkOut {
    pub seq: u64,
    pub lines: u64,
    /// (reason, count, first line within the block, 1-based).
    pub skips: Vec<(Reason, u64, u64)>,
    pub arena: String,
    pub records: Vec<RawRecord>,
    /// (message key, sending domain) of every sender line, in order.
    pub senders: Vec<(u64, Span)>,
    /// Messages that left the queue.
    pub removals: Vec<u64>,
    pub first_ts: i64,
    pub last_ts: i64,
    pub backwards: u64,
    pub max_back: i64,
    /// Some delivery line's year was inferred (RFC 3164 syslog time).
    pub year_inferred: bool,
    /// The block, handed back for reuse.
    pub buf: Vec<u8>,
}

impl ChunkOut {
    pub fn text(&self, s: Span) -> &str {
        &self.arena[s.0 as usize..s.1 as usize]
    }

    fn skip(&mut self, reason: Reason, line: u64) {
        match self.skips.iter_mut().find(|s| s.0 == reason) {
            Some(s) => s.1 += 1,
            None => self.skips.push((reason, 1, line)),
        }
    }

    fn push_lower(&mut self, s: &str) -> Span {
        let start = self.arena.len();
        self.arena.push_str(s);
        self.arena[start..].make_ascii_lowercase();
        (start as u32, self.arena.len() as u32)
    }

    fn time(&mut self, ts: i64) {
        if self.first_ts == UNKNOWN {
            self.first_ts = ts;
        } else if ts < self.last_ts {
            self.backwards += 1;
            self.max_back = self.max_back.max(self.last_ts - ts);
        }
        self.last_ts = self.last_ts.max(ts);
    }
}

/// A worker's memory across blocks: decoded outcomes and providers by host.
#[derive(Default)]
pub struct Worker {
    cache: Cache,
    senders_here: HashMap<u64, Span>,
    /// Outcome and provider by failure-line key (`lines::failure_key`).
    by_line: HashMap<String, (u32, Option<u16>)>,
}

/// True for bytes a text log line never holds. A fold over each piece vectorises where an
/// early exit per byte does not.
fn binary(line: &[u8]) -> bool {
    line.chunks(64).any(|piece| {
        piece
            .iter()
            .fold(0u8, |acc, &c| acc | u8::from((c < 0x20) & (c != b'\t')))
            != 0
    })
}

impl Worker {
    /// Reads `buf[..len]` (whole lines) as block `seq`.
    pub fn run(&mut self, ctx: &Ctx<'_>, seq: u64, buf: Vec<u8>, len: usize) -> ChunkOut {
        let mut out = ChunkOut {
            seq,
            first_ts: UNKNOWN,
            last_ts: UNKNOWN,
            ..ChunkOut::default()
        };
        self.senders_here.clear();
        let data = &buf[..len];
        // One pass over the block finds whether any line can hold binary data; most blocks have
        // none, and their lines skip the check.
        let clean = !data.chunks(4096).any(|piece| {
            piece.iter().fold(0u8, |acc, &c| {
                acc | u8::from((c < 0x20) & (c != b'\t') & (c != b'\n') & (c != b'\r'))
            }) != 0
        });
        let mut start = 0;
        let mut n = 0u64;
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
            let mut line = &data[start..end];
            start = end + 1;
            n += 1;
            if let Some(l) = line.strip_suffix(b"\r") {
                line = l;
            }
            if line.len() > MAX_LINE {
                out.skip(Reason::LineTooLong, n);
            } else if !clean && binary(line) {
                out.skip(Reason::BinaryData, n);
            } else if ctx.kind == LogKind::Syslog && !lines::interesting_syslog(line) {
                // Most lines: not a delivery, a sender or a removal.
            } else {
                match std::str::from_utf8(line) {
                    Ok(text) => self.line(ctx, text, n, &mut out),
                    Err(_) => out.skip(Reason::NotUtf8, n),
                }
            }
        }
        out.lines = n;
        out.buf = buf;
        out
    }

    fn line(&mut self, ctx: &Ctx<'_>, text: &str, n: u64, out: &mut ChunkOut) {
        match lines::parse(text, ctx.kind, &ctx.year) {
            Line::Other => {}
            Line::NoTime => out.skip(Reason::NoTime, n),
            Line::Sender { host, qid, sender } => {
                let key = stable_hash(&[host.as_bytes(), qid.as_bytes()]);
                let domain = super::state::domain_of(sender);
                let span = out.push_lower(domain);
                out.senders.push((key, span));
                self.senders_here.insert(key, span);
            }
            Line::Removed { host, qid } => {
                out.removals
                    .push(stable_hash(&[host.as_bytes(), qid.as_bytes()]));
            }
            Line::Delivery(d) => {
                let send = stable_hash(&[d.host.as_bytes(), d.qid.as_bytes()]);
                out.time(d.ts);
                out.year_inferred |= d.year_inferred;
                let (provider, outcome, ip) = if d.status == Status::Delivered {
                    let host = relay_host(text, ctx.kind);
                    let p = host.and_then(|h| self.cache.provider(ctx.rules, h));
                    let ip = d.local_ip.and_then(|i| i.parse().ok());
                    (p.map_or(NONE, u32::from), NONE, ip)
                } else {
                    let (o, p) = self.failure(ctx, text, d.status);
                    let ip = d
                        .local_ip
                        .and_then(|i| i.parse().ok())
                        .or_else(|| mask::sending_ip(said(text), d.relay_ip));
                    (p.map_or(NONE, u32::from), o, ip)
                };
                let sender = self.senders_here.get(&send).copied();
                for rcpt in lines::split_recipients(d.rcpts) {
                    let addr = out.push_lower(rcpt);
                    out.records.push(RawRecord {
                        ts: d.ts,
                        send,
                        addr,
                        status: d.status,
                        provider,
                        outcome,
                        sender,
                        ip,
                    });
                }
            }
        }
    }
}

impl Worker {
    /// The outcome of a failure line: from the line cache, else extracted and decoded.
    fn failure(&mut self, ctx: &Ctx<'_>, text: &str, status: Status) -> (u32, Option<u16>) {
        let key = lines::failure_key(text, ctx.kind);
        if let Some(&found) = self.by_line.get(&key) {
            return found;
        }
        let reply = match crate::reply::extract(text.as_bytes()) {
            Ok(x) if !x.replies.is_empty() => x.replies.into_iter().next().unwrap_or_default(),
            // A failure line without a reply (`status=deferred` with no words): still a
            // failure, decoded from its status alone.
            _ => crate::reply::Reply {
                dsn_action: Some(
                    if status == Status::Deferred {
                        "delayed"
                    } else {
                        "failed"
                    }
                    .into(),
                ),
                ..Default::default()
            },
        };
        let found = self.cache.outcome(ctx.rules, ctx.table, &reply);
        self.by_line.insert(key, found);
        found
    }
}

/// The words of the remote reply in a failure line (after `said:`, `SMTP error` or Sendmail's
/// `stat=`), where a receiver names the IP it saw; nothing when the line holds only our own
/// words (`connect to mx[ip]:25: Connection timed out` names the receiver's IP).
fn said(line: &str) -> &str {
    line.find(" said: ")
        .or_else(|| line.find("SMTP error"))
        .or_else(|| line.find("stat="))
        .map_or("", |i| &line[i..])
}

/// The host that accepted a delivery: Postfix and Sendmail `relay=host[`, Exim `H=host [`.
fn relay_host(line: &str, kind: LogKind) -> Option<&str> {
    let key: &[u8] = match kind {
        LogKind::Syslog => b"relay=",
        LogKind::Exim => b" H=",
    };
    let at = memchr::memmem::find(line.as_bytes(), key)? + key.len();
    let v = &line[at..];
    let end = v.find(['[', ' ', ',']).unwrap_or(v.len());
    let host = v[..end].trim_end_matches('.');
    (!host.is_empty() && host != "none").then_some(host)
}
