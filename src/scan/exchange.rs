//! Exchange message tracking: the raw MSGTRK logs (`#Fields:` header, kebab-case names) and
//! `Get-MessageTrackingLog | Export-Csv` (`#TYPE` line, PascalCase names). DELIVER and SEND are
//! deliveries, DEFER deferrals, FAIL and BADMAIL failures; the reply is the recipient status.

use super::Scanner;
use super::lines::Status;
use super::skip::Reason;
use super::state::{InputReport, stable_hash};
use super::time::{self, UNKNOWN};
use std::io::Read;

/// Column names without dashes, underscores or case: `recipient-status` = `RecipientStatus`.
fn norm(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

struct Columns {
    time: Option<usize>,
    event: Option<usize>,
    recipients: Option<usize>,
    status: Option<usize>,
    sender: Option<usize>,
    message_id: Option<usize>,
}

impl Columns {
    fn new(names: &[String]) -> Columns {
        let at = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        Columns {
            time: at(&["datetime", "timestamp"]),
            event: at(&["eventid"]),
            recipients: at(&["recipientaddress", "recipients"]),
            status: at(&["recipientstatus"]),
            sender: at(&["senderaddress", "sender"]),
            message_id: at(&["messageid", "internalmessageid"]),
        }
    }
}

/// `[{LED=550 5.1.1 ...};{MSG=...};{FQDN=mx.example};{IP=...}]`: the last error and the remote host.
fn led(status: &str) -> (String, Option<String>) {
    let part = |key: &str| {
        status.find(&format!("{{{key}=")).map(|i| {
            let v = &status[i + key.len() + 2..];
            v[..v.find('}').unwrap_or(v.len())].to_string()
        })
    };
    match part("LED") {
        Some(led) => (led, part("FQDN").filter(|f| !f.is_empty())),
        None => (status.to_string(), None),
    }
}

/// Statuses of several recipients are separated by `;` outside braces.
fn split_statuses(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ';' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

impl Scanner<'_> {
    pub(super) fn exchange(
        &mut self,
        reader: &mut dyn Read,
        report: &mut InputReport,
        head: &[u8],
    ) -> Option<String> {
        let text = String::from_utf8_lossy(head);
        // The raw logs name their columns in a `#Fields:` comment; exports in a header row.
        let fields = text
            .lines()
            .find_map(|l| l.strip_prefix("#Fields:"))
            .map(|f| f.split(',').map(norm).collect::<Vec<_>>());
        let mut csv = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .has_headers(fields.is_none())
            .from_reader(reader);
        let names = match fields {
            Some(f) => f,
            None => match csv.headers() {
                Ok(h) => h.iter().map(norm).collect(),
                Err(e) => return Some(format!("cannot read the header row: {e}")),
            },
        };
        let cols = Columns::new(&names);
        let (Some(event_col), Some(rcpt_col)) = (cols.event, cols.recipients) else {
            return Some("no event-id or recipient-address column".into());
        };
        let mut record = csv::StringRecord::new();
        let mut n = 0u64;
        loop {
            n += 1;
            match csv.read_record(&mut record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) if e.is_io_error() => return Some(format!("read error: {e}")),
                Err(_) => {
                    report.skipped.add(Reason::BadRow, n);
                    continue;
                }
            }
            report.lines += 1;
            let get = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or("").trim();
            let status = match get(Some(event_col)).to_ascii_uppercase().as_str() {
                "DELIVER" | "SEND" => Status::Delivered,
                "DEFER" => Status::Deferred,
                "FAIL" | "BADMAIL" => Status::Bounced,
                _ => continue,
            };
            report.messages += 1;
            let ts = time::any(get(cols.time)).unwrap_or(UNKNOWN);
            let id = get(cols.message_id);
            let send = if id.is_empty() {
                stable_hash(&[b"row", record.as_slice().as_bytes()])
            } else {
                stable_hash(&[b"message-id", id.trim_matches(['<', '>']).as_bytes()])
            };
            let sender = super::messages::address_domain(get(cols.sender));
            let rcpts: Vec<&str> = get(Some(rcpt_col))
                .split([';', ','])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .collect();
            let statuses = split_statuses(get(cols.status));
            for (i, rcpt) in rcpts.iter().enumerate() {
                let raw = if statuses.len() == rcpts.len() {
                    statuses[i]
                } else {
                    get(cols.status)
                };
                if status == Status::Delivered {
                    self.delivery(report, ts, send, rcpt, &sender, n);
                    continue;
                }
                let (reply_text, host) = led(raw);
                let mut reply = match crate::reply::extract(reply_text.as_bytes()) {
                    Ok(x) if !x.replies.is_empty() => x.replies[0].clone(),
                    _ => crate::reply::Reply {
                        text: reply_text.clone(),
                        ..Default::default()
                    },
                };
                if reply.remote_mta.is_none() {
                    reply.remote_mta = host;
                }
                reply.dsn_action = Some(
                    if status == Status::Deferred {
                        "delayed"
                    } else {
                        "failed"
                    }
                    .into(),
                );
                self.reply_result(
                    report,
                    &reply,
                    Some(status),
                    ts,
                    send,
                    rcpt,
                    &sender,
                    None,
                    n,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_error_and_host_of_a_structured_status() {
        let (r, h) = led(
            "[{LED=550 5.1.1 RESOLVER.ADR.RecipNotFound; not found};{MSG=};{FQDN=mx.example.net};{IP=192.0.2.5}]",
        );
        assert_eq!(r, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
        assert_eq!(h.as_deref(), Some("mx.example.net"));
        assert_eq!(split_statuses("250 2.1.5 ok;550 5.1.1 no").len(), 2);
        assert_eq!(split_statuses("[{LED=550 a; b}]").len(), 1);
    }
}
