//! Reading one log with every core: this thread reads blocks of whole lines and commits the
//! workers' results in file order; the workers parse and decode.
//!
//! Committing in order keeps what needs order exact: a message's sender (its `from=` line may be
//! in an earlier block than its deliveries), the queue leaving it, and times going backwards.

use super::chunk::{ChunkOut, Ctx, NONE, Worker};
use super::skip::Reason;
use super::state::{InputReport, Record, State};
use super::time::UNKNOWN;
use hashbrown::HashMap;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::{Mutex, mpsc};

/// Bytes per block handed to a worker.
pub const BLOCK: usize = 4 * 1024 * 1024;

/// What the committer carries from one block to the next within a file.
struct Commit<'s> {
    state: &'s mut State,
    report: &'s mut InputReport,
    /// Message key -> sending domain (numbered by `state.senders`), while the message is queued.
    senders: HashMap<u64, u32>,
    /// Rules provider index -> `state.providers` number.
    providers: Vec<Option<u32>>,
    last_ts: i64,
    /// Some line's year was inferred.
    pub year_inferred: bool,
}

impl Commit<'_> {
    fn provider(&mut self, ctx: &Ctx<'_>, i: u32) -> u32 {
        // NONE takes the last slot of the cache, so every lookup is an index.
        let i = if i == NONE {
            ctx.rules.providers.len()
        } else {
            i as usize
        };
        if self.providers.len() <= i {
            self.providers.resize(i + 1, None);
        }
        if let Some(p) = self.providers[i] {
            return p;
        }
        let id = ctx
            .rules
            .providers
            .get(i)
            .map_or("", |l| l.rule.id.as_str());
        let p = self.state.providers.id(id);
        self.providers[i] = Some(p);
        p
    }

    fn block(&mut self, ctx: &Ctx<'_>, out: &ChunkOut) {
        let base = self.report.lines;
        for &(reason, count, first) in &out.skips {
            self.report.skipped.add_n(reason, count, base + first);
        }
        self.report.lines += out.lines;
        self.year_inferred |= out.year_inferred;
        for &(key, span) in &out.senders {
            let id = self.state.senders.id(out.text(span));
            self.senders.insert(key, id);
        }
        if out.first_ts != UNKNOWN {
            if self.last_ts != UNKNOWN && out.first_ts < self.last_ts {
                self.report.backwards += 1;
                self.report.max_back_seconds = self
                    .report
                    .max_back_seconds
                    .max(self.last_ts - out.first_ts);
            }
            self.last_ts = self.last_ts.max(out.last_ts);
        }
        self.report.backwards += out.backwards;
        self.report.max_back_seconds = self.report.max_back_seconds.max(out.max_back);
        let unknown_sender = self.state.senders.id("");
        for r in &out.records {
            let addr = out.text(r.addr);
            if !super::result::valid(addr) {
                self.report.skipped.add(Reason::NoAddress, base + 1);
                continue;
            }
            let sender = match r.sender {
                Some(span) => self.state.senders.id(out.text(span)),
                None => self.senders.get(&r.send).copied().unwrap_or(unknown_sender),
            };
            let provider = self.provider(ctx, r.provider);
            let record = Record {
                ts: r.ts,
                send: r.send,
                addr,
                status: r.status,
                provider,
                outcome: (r.outcome != NONE).then_some(r.outcome),
                sender,
                ip: r.ip,
            };
            if self.state.apply(&record) {
                self.report.results += 1;
            } else {
                self.report.skipped.add(Reason::NoAddress, base + 1);
            }
        }
        for key in &out.removals {
            self.senders.remove(key);
        }
    }
}

/// Fills `buf[*filled..]` (the buffer is kept `BLOCK` long, so recycled buffers are not zeroed
/// again); true at the end of the input.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, filled: &mut usize) -> io::Result<bool> {
    if buf.len() < BLOCK {
        buf.resize(BLOCK, 0);
    }
    loop {
        if *filled == buf.len() {
            return Ok(false);
        }
        match reader.read(&mut buf[*filled..]) {
            Ok(0) => return Ok(true),
            Ok(n) => *filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Reads a whole log into `state`; `tick` is called after every committed block (progress).
/// Returns why the input ended early, if it did, and whether some line's year was inferred.
pub fn scan(
    reader: &mut dyn Read,
    ctx: &Ctx<'_>,
    threads: usize,
    state: &mut State,
    report: &mut InputReport,
    tick: &mut dyn FnMut(),
) -> (Option<String>, bool) {
    let threads = threads.max(1);
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<u8>, usize)>(threads * 2);
    let (done_tx, done_rx) = mpsc::channel::<ChunkOut>();
    let work_rx = Mutex::new(work_rx);
    let mut commit = Commit {
        state,
        report,
        senders: HashMap::new(),
        providers: Vec::new(),
        last_ts: UNKNOWN,
        year_inferred: false,
    };
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (work_rx, done_tx) = (&work_rx, done_tx.clone());
            s.spawn(move || {
                let mut w = Worker::default();
                loop {
                    let job = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, buf, len))) = job else { break };
                    if done_tx.send(w.run(ctx, seq, buf, len)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut pending: BTreeMap<u64, ChunkOut> = BTreeMap::new();
        let mut next = 0u64;
        let mut free: Vec<Vec<u8>> = Vec::new();
        let mut commit_ready = |pending: &mut BTreeMap<u64, ChunkOut>,
                                next: &mut u64,
                                free: &mut Vec<Vec<u8>>,
                                commit: &mut Commit<'_>| {
            while let Some(out) = pending.remove(next) {
                commit.block(ctx, &out);
                *next += 1;
                if free.len() < threads * 2 {
                    free.push(out.buf);
                }
                tick();
            }
        };
        let mut seq = 0u64;
        let mut tail: Vec<u8> = Vec::new();
        let mut ended = None;
        let mut discarding = false;
        loop {
            let mut buf = free.pop().unwrap_or_default();
            let mut filled = tail.len();
            if buf.len() < BLOCK.max(filled) {
                buf.resize(BLOCK.max(filled), 0);
            }
            buf[..filled].copy_from_slice(&tail);
            tail.clear();
            let eof = match fill(reader, &mut buf, &mut filled) {
                Ok(eof) => eof,
                Err(e) => {
                    ended = Some(e);
                    true
                }
            };
            if discarding {
                // The rest of a line too long to keep, up to its newline.
                match memchr::memchr(b'\n', &buf[..filled]) {
                    Some(i) => {
                        buf.copy_within(i + 1..filled, 0);
                        filled -= i + 1;
                        discarding = false;
                    }
                    None => filled = 0,
                }
            }
            let last_newline = memchr::memrchr(b'\n', &buf[..filled]);
            let len = if eof {
                match (&ended, last_newline) {
                    // A stream that broke off mid-line: its last line is incomplete.
                    (Some(_), last) if filled > 0 && buf[filled - 1] != b'\n' => {
                        pending.insert(u64::MAX, cut_off());
                        last.map_or(0, |i| i + 1)
                    }
                    _ => filled,
                }
            } else if let Some(i) = last_newline {
                tail.extend_from_slice(&buf[i + 1..filled]);
                i + 1
            } else if discarding || filled < BLOCK {
                // Still inside a skipped line, or a partial line to complete with more input.
                if !discarding {
                    tail.extend_from_slice(&buf[..filled]);
                }
                free.push(buf);
                continue;
            } else {
                // One line fills a whole block: skip it (it is far over MAX_LINE).
                discarding = true;
                let mut out = ChunkOut {
                    seq,
                    lines: 1,
                    first_ts: UNKNOWN,
                    last_ts: UNKNOWN,
                    ..ChunkOut::default()
                };
                out.skips.push((Reason::LineTooLong, 1, 1));
                pending.insert(seq, out);
                seq += 1;
                free.push(buf);
                continue;
            };
            if len > 0 {
                if work_tx.send((seq, buf, len)).is_ok() {
                    seq += 1;
                }
            } else {
                free.push(buf);
            }
            while let Ok(out) = done_rx.try_recv() {
                pending.insert(out.seq, out);
            }
            commit_ready(&mut pending, &mut next, &mut free, &mut commit);
            if eof {
                break;
            }
        }
        drop(work_tx);
        let cut = pending.remove(&u64::MAX);
        commit_ready(&mut pending, &mut next, &mut free, &mut commit);
        while next < seq {
            let Ok(out) = done_rx.recv() else { break };
            pending.insert(out.seq, out);
            commit_ready(&mut pending, &mut next, &mut free, &mut commit);
        }
        if let Some(c) = cut {
            commit.block(ctx, &c);
        }
        (ended.map(|e| describe(&e)), commit.year_inferred)
    })
}

fn cut_off() -> ChunkOut {
    let mut out = ChunkOut {
        lines: 1,
        first_ts: UNKNOWN,
        last_ts: UNKNOWN,
        ..ChunkOut::default()
    };
    out.skips.push((Reason::CutOff, 1, 1));
    out
}

fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "the compressed stream ends early (truncated)".into(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            format!("the compressed stream is corrupt ({e})")
        }
        _ => format!("read error: {e}"),
    }
}
