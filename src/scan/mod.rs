//! `mailtriage scan`: many mail logs, exports and bounce mailboxes read in one process into
//! per-address decisions, a suppression list and a summary that merges exactly.
//!
//! Reading: `source` opens and recognises each input; logs go through `parallel` (every core),
//! messages, exports and tracking logs through their own readers. Everything lands in `State`
//! as results; `decide`, `patterns` and `summary` turn that into what the renderers show.

pub mod addresses;
pub mod chunk;
pub mod decide;
mod esp;
mod exchange;
pub mod follow;
pub mod json;
pub mod lines;
pub mod mask;
mod messages;
pub mod outcome;
pub mod parallel;
pub mod patterns;
pub mod policy;
pub mod render;
pub mod skip;
pub mod source;
pub mod state;
pub mod summary;
pub mod time;

use crate::reply::Reply;
use crate::rules::RuleSet;
use lines::{LogKind, Status};
use outcome::{Cache, Outcome, Table};
use skip::Reason;
use source::{Form, Item};
use state::{InputReport, Record, State};
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use time::YearRef;

/// How to read.
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker threads for logs (default: every core).
    pub threads: usize,
    /// The date syslog logs end on or before (`--log-end`); default each file's modification
    /// time, or today for standard input.
    pub log_end: Option<YearRef>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            log_end: None,
        }
    }
}

/// Everything read, ready for decisions and summaries.
pub struct Scanned {
    pub state: State,
    pub outcomes: Vec<Outcome>,
}

/// Reads inputs one after another into one state.
pub struct Scanner<'r> {
    rules: &'r RuleSet,
    table: Table,
    state: State,
    cache: Cache,
    opts: Options,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl<'r> Scanner<'r> {
    pub fn new(rules: &'r RuleSet, opts: Options) -> Scanner<'r> {
        Scanner {
            rules,
            table: Table::default(),
            state: State::default(),
            cache: Cache::default(),
            opts,
        }
    }

    /// Reads one input. `progress` is told how many bytes of it have been read so far. The
    /// report is also kept in the state; one is returned for the caller's stderr lines.
    pub fn scan(&mut self, item: &Item, progress: &mut dyn FnMut(u64)) -> InputReport {
        let mut report = InputReport {
            name: item.name(),
            ..InputReport::default()
        };
        match item {
            Item::Unusable(_, why) => report.error = Some(why.clone()),
            Item::Maildir(_, messages) => {
                report.form = "maildir".into();
                for (i, path) in messages.iter().enumerate() {
                    match std::fs::read(path) {
                        Ok(bytes) => self.message(&bytes, &mut report, i as u64 + 1),
                        Err(_) => {
                            report.messages += 1;
                            report.skipped.add(Reason::NotAMessage, i as u64 + 1);
                        }
                    }
                    progress(i as u64 + 1);
                }
            }
            Item::Stdin | Item::File(_) => self.file(item, &mut report, progress),
        }
        self.state.inputs.push(report.clone());
        report
    }

    fn file(&mut self, item: &Item, report: &mut InputReport, progress: &mut dyn FnMut(u64)) {
        let mut opened = match source::open(item) {
            Ok(o) => o,
            Err(e) => {
                report.error = Some(source::reason(&e));
                return;
            }
        };
        report.form = opened.form.label().into();
        let consumed = opened.consumed.clone();
        let head = std::mem::take(&mut opened.head);
        let reader = &mut opened.reader;
        let error = match opened.form {
            Form::Empty => None,
            Form::Binary => Some("binary data, not a mail log, export or message".into()),
            Form::Syslog | Form::Exim => {
                let (year, from) = match (&self.opts.log_end, opened.modified) {
                    (Some(y), _) => (*y, format!("--log-end {}", y.label())),
                    (None, Some(m)) => {
                        let y = YearRef::from_ts(m);
                        (y, format!("the file's modification time ({})", y.label()))
                    }
                    (None, None) => {
                        let y = YearRef::from_ts(now());
                        (y, format!("today ({})", y.label()))
                    }
                };
                let kind = if opened.form == Form::Exim {
                    LogKind::Exim
                } else {
                    report.year_from = Some(from);
                    LogKind::Syslog
                };
                let ctx = chunk::Ctx {
                    rules: self.rules,
                    table: &self.table,
                    kind,
                    year,
                };
                let mut tick = || progress(consumed.load(Ordering::Relaxed));
                parallel::scan(
                    reader,
                    &ctx,
                    self.opts.threads,
                    &mut self.state,
                    report,
                    &mut tick,
                )
            }
            Form::Message => {
                let mut bytes = Vec::new();
                match std::io::Read::read_to_end(
                    &mut std::io::Read::take(reader, crate::reply::MAX_INPUT as u64 + 1),
                    &mut bytes,
                ) {
                    Ok(_) => {
                        self.message(&bytes, report, 1);
                        None
                    }
                    Err(e) => Some(source::reason(&e)),
                }
            }
            Form::Mbox => self.mbox(reader, report),
            Form::EspCsv => self.esp_csv(reader, report, &head),
            Form::EspJson => self.esp_json(reader, report, &head),
            Form::ExchangeCsv => self.exchange(reader, report, &head),
        };
        if opened.gzip {
            report.form.push_str("+gzip");
        }
        report.error = error;
        progress(consumed.load(Ordering::Relaxed));
    }

    /// Records one reply about `rcpt`: a delivery when it says so, else a failure event.
    #[allow(clippy::too_many_arguments)]
    fn reply_result(
        &mut self,
        report: &mut InputReport,
        reply: &Reply,
        hint: Option<Status>,
        ts: i64,
        send: u64,
        rcpt: &str,
        sender: &str,
        ip: Option<IpAddr>,
        position: u64,
    ) {
        let (o, p) = self.cache.outcome(self.rules, &self.table, reply);
        let category = self.table.category(o);
        let status = if matches!(category.as_str(), "complaint" | "auto-reply") {
            Status::Other
        } else if let Some(h) = hint {
            h
        } else {
            status_of(reply)
        };
        let provider = p
            .and_then(|i| self.rules.providers.get(usize::from(i)))
            .map_or("", |l| l.rule.id.as_str());
        let outcome = (status != Status::Delivered).then_some(o);
        self.record(
            report, ts, send, rcpt, status, provider, outcome, sender, ip, position,
        );
    }

    /// Records a delivery with no reply to decode.
    fn delivery(
        &mut self,
        report: &mut InputReport,
        ts: i64,
        send: u64,
        rcpt: &str,
        sender: &str,
        position: u64,
    ) {
        self.record(
            report,
            ts,
            send,
            rcpt,
            Status::Delivered,
            "",
            None,
            sender,
            None,
            position,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        report: &mut InputReport,
        ts: i64,
        send: u64,
        rcpt: &str,
        status: Status,
        provider: &str,
        outcome: Option<u32>,
        sender: &str,
        ip: Option<IpAddr>,
        position: u64,
    ) {
        let addr = rcpt
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_ascii_lowercase();
        if addr.is_empty() || !addr.contains('@') {
            report.skipped.add(Reason::NoAddress, position);
            return;
        }
        let record = Record {
            ts,
            send,
            addr: &addr,
            status,
            provider: self.state.providers.id(provider),
            outcome,
            sender: self.state.senders.id(sender),
            ip,
        };
        if self.state.apply(&record) {
            report.results += 1;
        } else {
            report.skipped.add(Reason::NoAddress, position);
        }
    }

    pub fn finish(self) -> Scanned {
        Scanned {
            state: self.state,
            outcomes: self.table.into_vec(),
        }
    }
}

/// Delivered, deferred or bounced, from the DSN action or else the code's class.
fn status_of(reply: &Reply) -> Status {
    match reply.dsn_action.as_deref() {
        Some("failed") => return Status::Bounced,
        Some("delayed") => return Status::Deferred,
        Some("delivered" | "relayed" | "expanded") => return Status::Delivered,
        _ => {}
    }
    let class = reply.basic.map(|b| b / 100).or_else(|| {
        reply
            .enhanced
            .as_deref()
            .and_then(|e| e.get(..1)?.parse().ok())
    });
    match class {
        Some(2) => Status::Delivered,
        Some(4) => Status::Deferred,
        _ => Status::Bounced,
    }
}
