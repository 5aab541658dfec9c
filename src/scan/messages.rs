//! Bounce messages: one `.eml`, each message of a Maildir, each message of an mbox. Every reply
//! a message yields (one per recipient) becomes a result at the message's Date.

use super::Scanner;
use super::skip::Reason;
use super::state::{InputReport, stable_hash};
use super::time::UNKNOWN;
use crate::reply::{self, InputError, MAX_INPUT};
use std::io::{BufRead, BufReader, Read};

/// The time a message was written (its Date header), if it has a valid one.
fn date(bytes: &[u8]) -> i64 {
    mail_parser::MessageParser::new()
        .parse_headers(bytes)
        .and_then(|m| m.date().filter(|d| d.is_valid()).map(|d| d.to_timestamp()))
        .unwrap_or(UNKNOWN)
}

impl Scanner<'_> {
    /// Reads one message; `position` is its number within the input (1-based).
    pub(super) fn message(&mut self, bytes: &[u8], report: &mut InputReport, position: u64) {
        report.messages += 1;
        if bytes.len() > MAX_INPUT {
            report.skipped.add(Reason::MessageTooLarge, position);
            return;
        }
        let extracted = match reply::extract(bytes) {
            Ok(x) => x,
            Err(InputError::Binary | InputError::Empty) => {
                report.skipped.add(Reason::NotAMessage, position);
                return;
            }
            Err(_) => {
                report.skipped.add(Reason::NoReply, position);
                return;
            }
        };
        if extracted.replies.is_empty() {
            report.skipped.add(Reason::NoReply, position);
            return;
        }
        let ts = date(bytes);
        let orig = extracted.original.as_ref();
        let send = match orig.and_then(|o| o.message_id.as_deref()) {
            Some(id) => stable_hash(&[b"message-id", id.trim().as_bytes()]),
            None => stable_hash(&[b"message", bytes]),
        };
        let sender = orig
            .and_then(|o| o.from.as_deref().or(o.return_path.as_deref()))
            .map(address_domain)
            .unwrap_or_default();
        let ip = orig.and_then(|o| o.sending_ip);
        for r in &extracted.replies {
            let Some(rcpt) = r.recipient.as_deref() else {
                report.skipped.add(Reason::NoAddress, position);
                continue;
            };
            self.reply_result(report, r, None, ts, send, rcpt, &sender, ip, position);
        }
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
            if prev_blank && line.starts_with(b"From ") {
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
            report.messages += 1;
            report.skipped.add(Reason::MessageTooLarge, n);
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
