//! ESP event exports (CSV with a header row, JSON lines, a JSON array): each row's reply is
//! found as `explain` finds it; its time, event, message id and sender by column name.

use super::Scanner;
use super::lines::Status;
use super::skip::Reason;
use super::state::{InputReport, stable_hash};
use super::time::{self, UNKNOWN};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read};

const TIME_KEYS: &[&str] = &[
    "timestamp",
    "time",
    "date",
    "datetime",
    "created_at",
    "event_time",
    "eventtime",
    "processed_at",
    "@timestamp",
];
const EVENT_KEYS: &[&str] = &[
    "event",
    "event_type",
    "eventtype",
    "type",
    "status",
    "record_type",
];
const ID_KEYS: &[&str] = &[
    "sg_message_id",
    "message_id",
    "messageid",
    "message-id",
    "smtp-id",
    "smtp_id",
    "x-message-id",
];
const SENDER_KEYS: &[&str] = &["from", "sender", "from_email", "mail_from", "source"];

/// The first string-ish value under one of `keys` (searched through nested objects).
fn find(v: &Value, keys: &[&str], depth: usize) -> Option<String> {
    let Value::Object(m) = v else { return None };
    for k in keys {
        if let Some((_, val)) = m.iter().find(|(mk, _)| mk.eq_ignore_ascii_case(k)) {
            match val {
                Value::String(s) if !s.is_empty() => return Some(s.clone()),
                Value::Number(n) => return Some(n.to_string()),
                _ => {}
            }
        }
    }
    if depth >= 4 {
        return None;
    }
    m.values().find_map(|child| find(child, keys, depth + 1))
}

/// What the event column says happened.
fn event_status(event: &str) -> Option<Status> {
    let e = event.to_ascii_lowercase();
    if e.contains("deliver") && !e.contains("undeliver") {
        Some(Status::Delivered)
    } else if e.contains("defer") || e.contains("delay") || e.contains("soft") {
        Some(Status::Deferred)
    } else if ["bounce", "fail", "drop", "reject", "block", "undeliver"]
        .iter()
        .any(|w| e.contains(w))
    {
        Some(Status::Bounced)
    } else {
        None
    }
}

impl Scanner<'_> {
    /// One export row as a JSON object.
    fn esp_row(&mut self, row: &Value, report: &mut InputReport, position: u64) {
        report.messages += 1;
        let event = find(row, EVENT_KEYS, 0);
        let hint = event.as_deref().and_then(event_status);
        let ts = find(row, TIME_KEYS, 0)
            .and_then(|t| time::any(&t))
            .unwrap_or(UNKNOWN);
        let text = row.to_string();
        let send = match find(row, ID_KEYS, 0) {
            Some(id) => {
                stable_hash(&[b"message-id", id.trim().trim_matches(['<', '>']).as_bytes()])
            }
            None => stable_hash(&[b"row", text.as_bytes()]),
        };
        let sender = find(row, SENDER_KEYS, 0)
            .map(|s| super::messages::address_domain(&s))
            .unwrap_or_default();
        let replies = crate::reply::extract(text.as_bytes())
            .map(|x| x.replies)
            .unwrap_or_default();
        match replies.first() {
            Some(r) => {
                let Some(rcpt) = r.recipient.clone() else {
                    report.skipped.add(Reason::NoAddress, position);
                    return;
                };
                self.reply_result(report, r, hint, ts, send, &rcpt, &sender, None, position);
            }
            None if hint == Some(Status::Delivered) => {
                let rcpt = find(row, &["recipient", "email", "rcpt", "to", "address"], 0);
                match rcpt {
                    Some(rcpt) => self.delivery(report, ts, send, &rcpt, &sender, position),
                    None => report.skipped.add(Reason::NoAddress, position),
                }
            }
            // Opens, clicks, "processed" and other events carry no delivery result.
            None => {}
        }
    }

    /// A CSV or TSV export with a header row.
    pub(super) fn esp_csv(
        &mut self,
        reader: &mut dyn Read,
        report: &mut InputReport,
        head: &[u8],
    ) -> Option<String> {
        let first = head.split(|&b| b == b'\n').next().unwrap_or(b"");
        let delimiter = if first.contains(&b'\t') { b'\t' } else { b',' };
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(reader);
        let headers: Vec<String> = match csv.headers() {
            Ok(h) => h
                .iter()
                .map(|c| c.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
                .collect(),
            Err(e) => return Some(format!("cannot read the header row: {e}")),
        };
        let mut record = csv::StringRecord::new();
        let mut n = 0u64;
        loop {
            n += 1;
            match csv.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    report.lines += 1;
                    let row: Map<String, Value> = headers
                        .iter()
                        .zip(record.iter())
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                        .collect();
                    self.esp_row(&Value::Object(row), report, n);
                }
                Err(e) if e.is_io_error() => return Some(format!("read error: {e}")),
                Err(_) => report.skipped.add(Reason::BadRow, n),
            }
        }
        None
    }

    /// JSON lines, or one JSON array of events.
    pub(super) fn esp_json(
        &mut self,
        reader: &mut dyn Read,
        report: &mut InputReport,
        head: &[u8],
    ) -> Option<String> {
        let array = head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        if array {
            let mut text = Vec::new();
            if let Err(e) = reader
                .take(crate::reply::MAX_INPUT as u64 + 1)
                .read_to_end(&mut text)
            {
                return Some(super::source::reason(&e));
            }
            if text.len() > crate::reply::MAX_INPUT {
                return Some("a JSON array export over 10 MiB: export JSON lines instead".into());
            }
            return match serde_json::from_slice::<Value>(&text) {
                Ok(Value::Array(rows)) => {
                    for (i, row) in rows.iter().enumerate() {
                        report.lines += 1;
                        self.esp_row(row, report, i as u64 + 1);
                    }
                    None
                }
                _ => Some("not a JSON array of events".into()),
            };
        }
        let mut r = BufReader::with_capacity(256 * 1024, reader);
        let mut line = Vec::new();
        let mut n = 0u64;
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(super::source::reason(&e)),
            }
            n += 1;
            report.lines += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if line.len() > super::chunk::MAX_LINE {
                report.skipped.add(Reason::LineTooLong, n);
                continue;
            }
            match serde_json::from_slice::<Value>(&line) {
                Ok(v @ Value::Object(_)) => self.esp_row(&v, report, n),
                _ => report.skipped.add(Reason::BadRow, n),
            }
        }
    }
}
