//! Bounce messages: one `.eml`, each message of a Maildir (read by every core), each message of
//! an mbox. Every reply a message yields (one per recipient) becomes a result at its Date.

use super::Scanner;
use super::outcome::{Cache, Table};
use super::result::{self, Meta, Owned};
use super::skip::Reason;
use super::state::{InputReport, State, stable_hash};
use super::time::UNKNOWN;
use crate::reply::{self, InputError, MAX_INPUT};
use crate::rules::RuleSet;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// The value of the first `Date:` header of a message's header block, unfolded.
fn date_header(bytes: &[u8]) -> Option<String> {
    let head_end = memchr::memmem::find(bytes, b"\n\n")
        .or_else(|| memchr::memmem::find(bytes, b"\r\n\r\n"))
        .unwrap_or(bytes.len().min(64 * 1024));
    let head = crate::utf8::lossy(&bytes[..head_end]);
    let mut lines = head.lines().peekable();
    while let Some(line) = lines.next() {
        if line.len() > 5 && line[..5].eq_ignore_ascii_case("date:") {
            let mut v = line[5..].trim().to_string();
            while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
                v.push(' ');
                v.push_str(next.trim());
                lines.next();
            }
            return Some(v);
        }
    }
    None
}

/// The time a message was written (its Date header), if it has a valid one.
fn date(bytes: &[u8]) -> i64 {
    date_header(bytes)
        .and_then(|v| mail_parser::DateTime::parse_rfc822(&v))
        .filter(|d| d.is_valid())
        .map_or(UNKNOWN, |d| d.to_timestamp())
}

/// What one message yields: results, or why it was skipped.
pub struct Analyzed {
    pub results: Vec<Owned>,
    pub skips: Vec<Reason>,
}

/// Reads one message (any thread).
pub fn analyze(bytes: &[u8], rules: &RuleSet, table: &Table, cache: &mut Cache) -> Analyzed {
    let mut out = Analyzed {
        results: Vec::new(),
        skips: Vec::new(),
    };
    if bytes.len() > MAX_INPUT {
        out.skips.push(Reason::MessageTooLarge);
        return out;
    }
    let extracted = match reply::extract(bytes) {
        Ok(x) if !x.replies.is_empty() => x,
        Err(InputError::Binary | InputError::Empty) => {
            out.skips.push(Reason::NotAMessage);
            return out;
        }
        Err(InputError::NestedTooDeep(_)) => {
            out.skips.push(Reason::NestedTooDeep);
            return out;
        }
        _ => {
            out.skips.push(Reason::NoReply);
            return out;
        }
    };
    let orig = extracted.original.as_ref();
    let send = match orig.and_then(|o| o.message_id.as_deref()) {
        Some(id) => stable_hash(&[b"message-id", id.trim().as_bytes()]),
        None => stable_hash(&[b"message", bytes]),
    };
    let sender = orig
        .and_then(|o| o.from.as_deref().or(o.return_path.as_deref()))
        .map(address_domain)
        .unwrap_or_default();
    let meta = Meta {
        ts: date(bytes),
        send,
        sender: &sender,
        ip: orig.and_then(|o| o.sending_ip),
    };
    for r in &extracted.replies {
        match r.recipient.as_deref() {
            Some(rcpt) => out.results.push(result::from_reply(
                rules, table, cache, r, None, rcpt, &meta,
            )),
            None => out.skips.push(Reason::NoAddress),
        }
    }
    out
}

fn commit_message(state: &mut State, a: &Analyzed, report: &mut InputReport, position: u64) {
    report.messages += 1;
    for &reason in &a.skips {
        report.skipped.add(reason, position);
    }
    for r in &a.results {
        super::commit_into(state, report, r, position);
    }
}

impl Scanner<'_> {
    fn commit_message(&mut self, a: &Analyzed, report: &mut InputReport, position: u64) {
        commit_message(&mut self.state, a, report, position);
    }

    /// Reads one message; `position` is its number within the input (1-based).
    pub(super) fn message(&mut self, bytes: &[u8], report: &mut InputReport, position: u64) {
        let a = analyze(bytes, self.rules, &self.table, &mut self.cache);
        self.commit_message(&a, report, position);
    }

    /// Reads the messages of a Maildir with every core, committing them in name order.
    pub(super) fn maildir(
        &mut self,
        paths: &[PathBuf],
        report: &mut InputReport,
        progress: &mut dyn FnMut(u64),
    ) {
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<(usize, Analyzed)>();
        let (rules, table, state) = (self.rules, &self.table, &mut self.state);
        let threads = self.opts.threads.clamp(1, paths.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (tx, next) = (tx.clone(), &next);
                s.spawn(move || {
                    let mut cache = Cache::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        let a = match std::fs::read(path) {
                            Ok(bytes) => analyze(&bytes, rules, table, &mut cache),
                            Err(_) => Analyzed {
                                results: Vec::new(),
                                skips: vec![Reason::NotAMessage],
                            },
                        };
                        if tx.send((i, a)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut pending: BTreeMap<usize, Analyzed> = BTreeMap::new();
            let mut done = 0usize;
            for (i, a) in rx {
                pending.insert(i, a);
                while let Some(a) = pending.remove(&done) {
                    done += 1;
                    commit_message(state, &a, report, done as u64);
                    progress(done as u64);
                }
            }
        });
    }

    /// Reads an mbox: messages start at `From ` lines that follow a blank line (or open the file).
    pub(super) fn mbox(
        &mut self,
        reader: &mut dyn Read,
        report: &mut InputReport,
    ) -> Option<String> {
        let mut r = BufReader::with_capacity(256 * 1024, reader);
        let mut msg: Vec<u8> = Vec::new();
        let mut line = Vec::new();
        let mut n = 0u64;
        let mut prev_blank = true;
        let mut too_large = false;
        let mut error = None;
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    error = Some(super::source::reason(&e));
                    break;
                }
            }
            report.lines += 1;
            if prev_blank && super::source::from_line(line.trim_ascii_end()) {
                if !msg.is_empty() || too_large {
                    n += 1;
                    self.finish_mbox_message(&msg, too_large, report, n);
                }
                msg.clear();
                too_large = false;
                prev_blank = false;
                continue;
            }
            prev_blank = line.iter().all(u8::is_ascii_whitespace);
            if msg.len() + line.len() > MAX_INPUT {
                too_large = true;
                msg.clear();
            } else if !too_large {
                // `>From ` quoting (mboxrd) is undone for the one level that matters.
                let unquoted = line
                    .strip_prefix(b">")
                    .filter(|l| l.starts_with(b"From "))
                    .unwrap_or(&line);
                msg.extend_from_slice(unquoted);
            }
        }
        // The last message, also when the file does not end with a newline.
        if !msg.is_empty() || too_large {
            n += 1;
            self.finish_mbox_message(&msg, too_large, report, n);
        }
        error
    }

    fn finish_mbox_message(
        &mut self,
        msg: &[u8],
        too_large: bool,
        report: &mut InputReport,
        n: u64,
    ) {
        if too_large {
            let a = Analyzed {
                results: Vec::new(),
                skips: vec![Reason::MessageTooLarge],
            };
            self.commit_message(&a, report, n);
        } else {
            self.message(msg, report, n);
        }
    }
}

/// The domain of `Name <user@domain>` or `user@domain`, lower-case.
pub fn address_domain(s: &str) -> String {
    let s = s.trim();
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    super::state::domain_of(inner.trim()).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_header_is_found_and_unfolded() {
        let m = b"From: x@y\r\nDate: Tue, 3 Mar 2026\r\n 10:12:01 +0100\r\nSubject: s\r\n\r\nDate: not this";
        assert_eq!(super::super::time::rfc3339(date(m)), "2026-03-03T09:12:01Z");
        assert_eq!(date(b"From: x@y\n\nbody"), UNKNOWN);
    }
}
