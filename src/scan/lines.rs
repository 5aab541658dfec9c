//! One MTA log line (Postfix, Sendmail, Exim) read just far enough to know what it is: a
//! delivery result, the sender of a message, the end of a message, or nothing `scan` needs.
//!
//! Most lines of a mail log are none of these, so the checks are byte comparisons at fixed
//! places; the reply of a failure is left to `reply::extract`, which reads it as `explain` does.

use super::time::{self, YearRef};
use memchr::memmem;
use std::sync::LazyLock;

/// What a log file holds, decided once per file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// syslog lines: Postfix and Sendmail.
    Syslog,
    /// Exim's main log.
    Exim,
}

/// The result a delivery line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Delivered,
    Deferred,
    Bounced,
    /// A complaint (ARF report) or an auto-reply: not a delivery result but worth counting.
    Other,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Delivered => "delivered",
            Status::Deferred => "deferred",
            Status::Bounced => "bounced",
            Status::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Delivered,
            Status::Deferred,
            Status::Bounced,
            Status::Other,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A delivery result for one or more recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery<'a> {
    pub ts: i64,
    pub host: &'a str,
    pub qid: &'a str,
    /// `to=` holds one address (Postfix, Exim) or several separated by commas (Sendmail).
    pub rcpts: &'a str,
    pub status: Status,
    /// The IP of the host that answered (`relay=host[ip]`, `H=host [ip]`).
    pub relay_ip: Option<&'a str>,
    /// The local interface the mail left from (Exim's `I=[ip]:port`).
    pub local_ip: Option<&'a str>,
    /// The time had no year (RFC 3164 syslog): it was inferred.
    pub year_inferred: bool,
}

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    Delivery(Delivery<'a>),
    /// The envelope sender of a message (Postfix qmgr and Sendmail `from=`, Exim `<=`).
    Sender {
        host: &'a str,
        qid: &'a str,
        sender: &'a str,
    },
    /// The message left the queue (Postfix `removed`, Exim `Completed`).
    Removed {
        host: &'a str,
        qid: &'a str,
    },
    /// A delivery line whose time could not be read.
    NoTime,
    Other,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

static COLON_SPACE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b": "));
static STATUS: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"status="));

/// Whether a syslog line can be one `scan` reads (`QID: to=`, `QID: from=`, `QID: removed`),
/// decided on its bytes: most lines of a mail log are not, and skip UTF-8 checks and parsing.
pub fn interesting_syslog(b: &[u8]) -> bool {
    let time_end = if b.get(3) == Some(&b' ') && b.get(15) == Some(&b' ') {
        15
    } else {
        match memchr::memchr(b' ', b) {
            Some(i) => i,
            None => return false,
        }
    };
    let Some(rest) = b.get(time_end + 1..) else {
        return false;
    };
    let Some(host_end) = memchr::memchr(b' ', rest) else {
        return false;
    };
    let after_host = &rest[host_end + 1..];
    let Some(tag_end) = COLON_SPACE.find(after_host) else {
        return false;
    };
    let payload = &after_host[tag_end + 2..];
    let qid_len = payload
        .iter()
        .position(|c| !c.is_ascii_alphanumeric())
        .unwrap_or(payload.len());
    if qid_len == 0 || !payload[qid_len..].starts_with(b": ") {
        return false;
    }
    let body = &payload[qid_len + 2..];
    body.starts_with(b"to=") || body.starts_with(b"from=") || body.starts_with(b"removed")
}

/// What decides the decoded reply of a failure line, with per-message parts masked: lines with
/// the same key decode the same, so one decode serves them all. The time, host, queue id,
/// recipient and delays are left out.
pub fn failure_key(line: &str, kind: LogKind) -> String {
    let b = line.as_bytes();
    match kind {
        LogKind::Syslog => {
            if let Some(st) = STATUS.find(b) {
                let relay = field_value(line, "relay=");
                let dsn = field_value(line, "dsn=");
                format!("P|{relay}|{dsn}|{}", super::mask::mask(&line[st..]))
            } else {
                let from = find(b, b"relay=").unwrap_or(0);
                format!("S|{}", super::mask::mask(&line[from..]))
            }
        }
        LogKind::Exim => {
            // After `<msgid> <flag> <address> [<orig>]`.
            let rest = match find(b, b" R=").or_else(|| find(b, b": ")) {
                Some(i) => &line[i..],
                None => line,
            };
            let flag = [" ** ", " == ", " => ", " -> "]
                .iter()
                .find(|f| line.contains(*f))
                .copied()
                .unwrap_or("");
            format!("E|{flag}|{}", super::mask::mask(rest))
        }
    }
}

/// The value of `key` up to the next `, ` (or the end).
fn field_value<'a>(line: &'a str, key: &str) -> &'a str {
    match find(line.as_bytes(), key.as_bytes()) {
        Some(i) => {
            let v = &line[i + key.len()..];
            &v[..v.find(", ").unwrap_or(v.len())]
        }
        None => "",
    }
}

fn token(s: &str) -> &str {
    &s[..s.find(' ').unwrap_or(s.len())]
}

/// Reads one line of a log of `kind`.
pub fn parse<'a>(line: &'a str, kind: LogKind, year: &YearRef) -> Line<'a> {
    match kind {
        LogKind::Syslog => syslog(line, year),
        LogKind::Exim => exim(line),
    }
}

/// `<time> <host> <tag>: <QID>: <payload>`.
fn syslog<'a>(line: &'a str, year: &YearRef) -> Line<'a> {
    let b = line.as_bytes();
    // The time: RFC 3164 (15 bytes) or RFC 3339 (up to the first space).
    let time_end = if b.get(3) == Some(&b' ') && b.get(15) == Some(&b' ') {
        15
    } else {
        match memchr::memchr(b' ', b) {
            Some(i) => i,
            None => return Line::Other,
        }
    };
    let rest = &line[time_end + 1..];
    let Some(host_end) = rest.find(' ') else {
        return Line::Other;
    };
    let host = &rest[..host_end];
    let after_host = &rest[host_end + 1..];
    let Some(tag_end) = COLON_SPACE.find(after_host.as_bytes()) else {
        return Line::Other;
    };
    let payload = &after_host[tag_end + 2..];
    let qid_len = payload
        .bytes()
        .position(|c| !c.is_ascii_alphanumeric())
        .unwrap_or(payload.len());
    if qid_len == 0 || !payload[qid_len..].starts_with(": ") {
        return Line::Other;
    }
    let qid = &payload[..qid_len];
    let body = &payload[qid_len + 2..];
    if let Some(to) = body.strip_prefix("to=") {
        // The replying host's IP matters only for failures (it is not the sending IP).
        let (status, relay_ip) = if let Some(i) = STATUS.find(body.as_bytes()) {
            let st = postfix_status(&body[i + 7..]);
            let ip = (st != Some(Status::Delivered))
                .then(|| bracketed(body, "relay="))
                .flatten();
            (st, ip)
        } else if let Some(i) = find(body.as_bytes(), b"stat=") {
            let st = sendmail_status(&body[i + 5..]);
            let ip = (st != Some(Status::Delivered))
                .then(|| sendmail_relay_ip(body))
                .flatten();
            (st, ip)
        } else {
            return Line::Other;
        };
        let Some(status) = status else {
            return Line::Other;
        };
        let Some((ts, year_inferred)) = syslog_time(line, year) else {
            return Line::NoTime;
        };
        return Line::Delivery(Delivery {
            ts,
            host,
            qid,
            rcpts: recipients(to),
            status,
            relay_ip,
            local_ip: None,
            year_inferred,
        });
    }
    if let Some(from) = body.strip_prefix("from=") {
        // `from=<>, status=expired, returned to sender` reports an expiry, not a sender.
        if find(body.as_bytes(), b"status=").is_some() {
            return Line::Other;
        }
        let sender = from.trim_start_matches('<');
        let end = sender.find(['>', ',', ' ']).unwrap_or(sender.len());
        return Line::Sender {
            host,
            qid,
            sender: &sender[..end],
        };
    }
    if body.starts_with("removed") {
        return Line::Removed { host, qid };
    }
    Line::Other
}

/// The time of a syslog line and whether its year was inferred.
fn syslog_time(line: &str, year: &YearRef) -> Option<(i64, bool)> {
    let b = line.as_bytes();
    match time::syslog(b, year) {
        Some((ts, _)) => Some((ts, true)),
        None => time::iso(b).map(|(ts, _)| (ts, false)),
    }
}

/// The value of `to=`: `<a@x>` or `a@x,b@y` (up to `, ` or the end of the field). A comma
/// inside a quoted local part (`<"a, b"@x>`) is part of the address.
fn recipients(to: &str) -> &str {
    let end = to.find(", ").unwrap_or(to.len());
    if !to[..end].contains('"') {
        return &to[..end];
    }
    match outside_quotes(to, |rest| rest.starts_with(", ")) {
        Some(Some(i)) => &to[..i],
        Some(None) => to,
        // An unbalanced quote: the plain reading.
        None => &to[..end],
    }
}

/// The first comma outside double quotes for which `at` (given the text from it) holds:
/// `Some(None)` when there is none, `None` when a quote is left open.
fn outside_quotes(s: &str, at: impl Fn(&str) -> bool) -> Option<Option<usize>> {
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted && at(&s[i..]) => return Some(Some(i)),
            _ => {}
        }
    }
    (!quoted).then_some(None)
}

/// Each address of a `to=` value, without angle brackets, lower-cased elsewhere. Commas
/// separate addresses except inside a quoted local part: `"a,b"@x` is one address, not `"a`
/// and `b"@x` (the second was counted, and suppressed, as an address of its own).
pub fn split_recipients(rcpts: &str) -> impl Iterator<Item = &str> {
    let mut rest = rcpts;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let end = if rest.contains('"') {
                outside_quotes(rest, |_| true)
                    .unwrap_or_else(|| rest.find(','))
                    .unwrap_or(rest.len())
            } else {
                rest.find(',').unwrap_or(rest.len())
            };
            let a = rest[..end]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            rest = rest.get(end + 1..).unwrap_or("");
            if !a.is_empty() {
                return Some(a);
            }
        }
    })
}

fn postfix_status(s: &str) -> Option<Status> {
    let word = &s[..s.find([' ', ',', '(']).unwrap_or(s.len())];
    match word {
        "sent" => Some(Status::Delivered),
        "deferred" => Some(Status::Deferred),
        "bounced" | "expired" => Some(Status::Bounced),
        // Address verification probes (`deliverable`, `undeliverable`) are not deliveries.
        _ => None,
    }
}

fn sendmail_status(s: &str) -> Option<Status> {
    if s.starts_with("Sent") {
        Some(Status::Delivered)
    } else if s.starts_with("Deferred") {
        Some(Status::Deferred)
    } else if s.starts_with("queued") || s.is_empty() {
        None
    } else {
        Some(Status::Bounced)
    }
}

/// The IP in `key=host[ip]` (Postfix `relay=`).
fn bracketed<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let at = find(s.as_bytes(), key.as_bytes())?;
    let v = &s[at + key.len()..];
    let v = &v[..v.find([',', ' ']).unwrap_or(v.len())];
    let open = v.find('[')?;
    let close = v[open..].find(']')? + open;
    Some(&v[open + 1..close])
}

/// Sendmail's `relay=host. [ip]`.
fn sendmail_relay_ip(s: &str) -> Option<&str> {
    let at = find(s.as_bytes(), b"relay=")?;
    let v = &s[at..];
    let open = v.find('[')?;
    let close = v[open..].find(']')? + open;
    (!v[..open].contains(", ")).then(|| &v[open + 1..close])
}

/// `<time> [<pid>] <msgid> <flag> <address> ...`.
fn exim(line: &str) -> Line<'_> {
    let b = line.as_bytes();
    let Some((ts, used)) = time::iso(b) else {
        return Line::Other;
    };
    let mut rest = line[used..].trim_start();
    if rest.starts_with('[') {
        match rest.find("] ") {
            Some(i) => rest = &rest[i + 2..],
            None => return Line::Other,
        }
    }
    let msgid = token(rest);
    if msgid.len() < 12 || !msgid.contains('-') {
        return Line::Other;
    }
    let rest = rest[msgid.len()..].trim_start();
    let flag = token(rest);
    let after = rest[flag.len()..].trim_start();
    let status = match flag {
        "=>" | "->" => Status::Delivered,
        "==" => Status::Deferred,
        "**" => Status::Bounced,
        "<=" => {
            return Line::Sender {
                host: "",
                qid: msgid,
                sender: token(after).trim_start_matches('<').trim_end_matches('>'),
            };
        }
        "Completed" => {
            return Line::Removed {
                host: "",
                qid: msgid,
            };
        }
        _ => return Line::Other,
    };
    let addr = token(after);
    let after_addr = after[addr.len()..].trim_start();
    // `bob@x <Bob@X>`: the address in angle brackets is the one the sender gave.
    let rcpt = match after_addr.strip_prefix('<') {
        Some(a) if a.find('>').is_some_and(|e| !a[..e].contains(' ')) => {
            &a[..a.find('>').unwrap_or(0)]
        }
        _ => addr.trim_end_matches(':'),
    };
    Line::Delivery(Delivery {
        ts,
        host: "",
        qid: msgid,
        rcpts: rcpt,
        status,
        relay_ip: (status != Status::Delivered)
            .then(|| exim_host_ip(after))
            .flatten(),
        local_ip: exim_interface(after),
        year_inferred: false,
    })
}

/// The IP of `H=host [ip]`.
fn exim_host_ip(s: &str) -> Option<&str> {
    let at = find(s.as_bytes(), b" H=")?;
    let v = &s[at..];
    let open = v.find(" [")? + 2;
    let close = v[open..].find(']')? + open;
    Some(&v[open..close])
}

/// The IP of `I=[ip]:port`.
fn exim_interface(s: &str) -> Option<&str> {
    let at = find(s.as_bytes(), b" I=[")? + 4;
    let close = s[at..].find(']')? + at;
    Some(&s[at..close])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn year() -> YearRef {
        YearRef::parse("2026-03-10").unwrap()
    }

    #[test]
    fn postfix_lines() {
        let l = "Mar  3 10:12:01 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1.2, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[142.250.1.27] said: 550 5.7.26 no)";
        let Line::Delivery(d) = parse(l, LogKind::Syslog, &year()) else {
            panic!("not a delivery")
        };
        assert_eq!(
            (d.host, d.qid, d.rcpts),
            ("mx1", "4F1A2B3C", "<ann@gmail.com>")
        );
        assert_eq!(d.status, Status::Bounced);
        assert_eq!(d.relay_ip, Some("142.250.1.27"));
        assert_eq!(time::rfc3339(d.ts), "2026-03-03T10:12:01Z");
        let from = "Mar  3 10:12:00 mx1 postfix/qmgr[9]: 4F1A2B3C: from=<news@shop.example>, size=1, nrcpt=1 (queue active)";
        assert_eq!(
            parse(from, LogKind::Syslog, &year()),
            Line::Sender {
                host: "mx1",
                qid: "4F1A2B3C",
                sender: "news@shop.example"
            }
        );
        let gone = "Mar  3 10:12:02 mx1 postfix/qmgr[9]: 4F1A2B3C: removed";
        assert!(matches!(
            parse(gone, LogKind::Syslog, &year()),
            Line::Removed { .. }
        ));
        let connect = "Mar  3 10:12:02 mx1 postfix/smtpd[9]: connect from unknown[192.0.2.1]";
        assert_eq!(parse(connect, LogKind::Syslog, &year()), Line::Other);
        let probe = "Mar  3 10:12:02 mx1 postfix/smtp[9]: AB: to=<a@b>, relay=none, dsn=5.1.1, status=undeliverable (x)";
        assert_eq!(parse(probe, LogKind::Syslog, &year()), Line::Other);
    }

    #[test]
    fn sendmail_lists_several_recipients() {
        let l = "Mar  3 10:00:00 mail sm-mta[812]: 441A0x: to=<a@x.example>,<b@x.example>, delay=00:00:01, mailer=esmtp, relay=mx.x.example. [198.51.100.7], dsn=2.0.0, stat=Sent (ok)";
        let Line::Delivery(d) = parse(l, LogKind::Syslog, &year()) else {
            panic!("not a delivery")
        };
        assert_eq!(
            split_recipients(d.rcpts).collect::<Vec<_>>(),
            ["a@x.example", "b@x.example"]
        );
        assert_eq!(d.status, Status::Delivered);
        assert_eq!(d.relay_ip, None, "a delivery's relay is not needed");
    }

    #[test]
    fn a_comma_in_a_quoted_local_part_is_part_of_the_address() {
        let l = r#"Mar  3 10:00:00 mx1 postfix/smtp[9]: AB: to=<"a, b"@x.example>, relay=mx.x.example[198.51.100.7]:25, dsn=5.1.1, status=bounced (550 5.1.1 no)"#;
        let Line::Delivery(d) = parse(l, LogKind::Syslog, &year()) else {
            panic!("not a delivery")
        };
        assert_eq!(
            split_recipients(d.rcpts).collect::<Vec<_>>(),
            [r#""a, b"@x.example"#]
        );
        assert_eq!(
            split_recipients(r#"<"c,\"d"@x.example>,<e@x.example>"#).collect::<Vec<_>>(),
            [r#""c,\"d"@x.example"#, "e@x.example"]
        );
        // A quote left open is read as before, comma by comma.
        assert_eq!(
            split_recipients(r#"<"f@x.example>,<g@x.example>"#).collect::<Vec<_>>(),
            [r#""f@x.example"#, "g@x.example"]
        );
    }

    #[test]
    fn exim_lines() {
        let l = "2024-05-01 10:00:00 1rs2Ab-000Abc-1x ** bob@example.org <Bob@Example.org> R=dnslookup T=remote_smtp H=mx.example.org [203.0.113.5] I=[192.0.2.20]:41234: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 unknown";
        let Line::Delivery(d) = parse(l, LogKind::Exim, &year()) else {
            panic!("not a delivery")
        };
        assert_eq!(d.rcpts, "Bob@Example.org");
        assert_eq!(d.status, Status::Bounced);
        assert_eq!(d.relay_ip, Some("203.0.113.5"));
        assert_eq!(d.local_ip, Some("192.0.2.20"));
        let arr = "2024-05-01 09:59:59 [123] 1rs2Ab-000Abc-1x <= news@shop.example H=localhost [127.0.0.1] P=esmtp S=1234";
        assert!(matches!(
            parse(arr, LogKind::Exim, &year()),
            Line::Sender {
                sender: "news@shop.example",
                ..
            }
        ));
        let done = "2024-05-01 10:00:01 1rs2Ab-000Abc-1x Completed";
        assert!(matches!(
            parse(done, LogKind::Exim, &year()),
            Line::Removed { .. }
        ));
    }
}
