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
mod result;
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
            Item::Maildir(_, files) => {
                report.form = "maildir".into();
                self.maildir(files, &mut report, progress);
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
                    LogKind::Syslog
                };
                let ctx = chunk::Ctx {
                    rules: self.rules,
                    table: &self.table,
                    kind,
                    year,
                };
                let mut tick = || progress(consumed.load(Ordering::Relaxed));
                let (error, inferred) = parallel::scan(
                    reader,
                    &ctx,
                    self.opts.threads,
                    &mut self.state,
                    report,
                    &mut tick,
                );
                if inferred {
                    report.year_from = Some(from);
                }
                error
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
        let meta = result::Meta {
            ts,
            send,
            sender,
            ip,
        };
        let r = result::from_reply(
            self.rules,
            &self.table,
            &mut self.cache,
            reply,
            hint,
            rcpt,
            &meta,
        );
        self.commit(report, &r, position);
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
        let r = result::Owned {
            ts,
            send,
            addr: result::address(rcpt),
            status: Status::Delivered,
            provider: String::new(),
            outcome: None,
            sender: sender.to_string(),
            ip: None,
        };
        self.commit(report, &r, position);
    }

    /// Adds one result to the state (or counts why it could not be).
    fn commit(&mut self, report: &mut InputReport, r: &result::Owned, position: u64) {
        commit_into(&mut self.state, report, r, position);
    }

    pub fn finish(self) -> Scanned {
        Scanned {
            state: self.state,
            outcomes: self.table.into_vec(),
        }
    }
}

/// Adds one result to `state` (or counts why it could not be).
fn commit_into(state: &mut State, report: &mut InputReport, r: &result::Owned, position: u64) {
    if r.addr.is_empty() || !r.addr.contains('@') {
        report.skipped.add(Reason::NoAddress, position);
        return;
    }
    let record = Record {
        ts: r.ts,
        send: r.send,
        addr: &r.addr,
        status: r.status,
        provider: state.providers.id(&r.provider),
        outcome: r.outcome,
        sender: state.senders.id(&r.sender),
        ip: r.ip,
    };
    if state.apply(&record) {
        report.results += 1;
    } else {
        report.skipped.add(Reason::NoAddress, position);
    }
}
