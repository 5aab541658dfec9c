//! A mailbox file (mbox) of several messages given whole: where each message starts.
//!
//! A bounce mailbox saved from a mail client or an MTA's test run holds one notice after
//! another, each behind its `From_` line. Read as one message, only the first would count and
//! every later notice's failed recipients would be lost, so each message is read on its own.

/// How many messages of one mailbox `explain` reads; a larger mailbox is refused and is
/// `scan`'s work.
pub const MAX_MESSAGES: usize = 1000;

/// The start of every message of `input` when it is a mailbox of two or more: it opens with a
/// `From_` line, and each further `From_` line follows a blank line and precedes a header
/// field. `None` for a single message (with or without its `From_` line) and anything else.
/// At most [`MAX_MESSAGES`] + 1 starts: one more than that many says the mailbox is larger.
pub fn starts(input: &[u8]) -> Option<Vec<usize>> {
    let first = input.split(|&b| b == b'\n').next()?;
    if !from_line(first.trim_ascii_end()) {
        return None;
    }
    let mut out = vec![0];
    let mut at = 0;
    let mut prev_blank = false;
    for line in input.split_inclusive(|&b| b == b'\n') {
        let start = at;
        at += line.len();
        if start == 0 {
            continue;
        }
        let trimmed = line.trim_ascii_end();
        // A message saved with its own From_ line kept (two in a row) opens at the first one,
        // whatever date format its own line has (`From () 2019-10-02 05:04:34 +0000`).
        let next = input[at..]
            .split(|&b| b == b'\n')
            .next()
            .unwrap_or_default();
        if prev_blank
            && from_line(trimmed)
            && (opens_headers(&input[at..]) || kept_from_line(next.trim_ascii_end()))
        {
            out.push(start);
            // One start past the last message read marks where that message ends.
            if out.len() > MAX_MESSAGES {
                break;
            }
        }
        prev_blank = trimmed.is_empty();
    }
    (out.len() > 1).then_some(out)
}

/// An mbox `From_` line: `From sender Thu Apr 29 23:34:45 2015` (a time and a year follow the
/// sender), not a `From ` that starts a line of a message body.
pub fn from_line(l: &[u8]) -> bool {
    let Some(rest) = l.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(&rest[..rest.len().min(200)]);
    let mut time = false;
    let mut year = false;
    for t in text.split_whitespace().skip(1) {
        let b = t.as_bytes();
        time |= is_time(b);
        year |= b.len() == 4 && b.iter().all(u8::is_ascii_digit);
    }
    time && year
}

/// A message's own `From_` line kept behind the mailbox's: `From ` and a time, in any date
/// format its writer chose.
fn kept_from_line(l: &[u8]) -> bool {
    l.strip_prefix(b"From ").is_some_and(|rest| {
        String::from_utf8_lossy(&rest[..rest.len().min(200)])
            .split_whitespace()
            .any(|t| is_time(t.as_bytes()))
    })
}

/// A time of day as mbox lines write it (`09:44:33`).
fn is_time(b: &[u8]) -> bool {
    b.len() >= 5 && b[2] == b':' && b.iter().all(|c| c.is_ascii_digit() || *c == b':')
}

/// The next line is a header field (`Name: value`): a message follows, not body text that
/// happens to start with `From `.
fn opens_headers(rest: &[u8]) -> bool {
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    line.iter().position(|&b| b == b':').is_some_and(|colon| {
        colon > 0
            && line[..colon]
                .iter()
                .all(|b| b.is_ascii_graphic() && *b != b':')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_from_line_after_a_blank_line_opens_a_message() {
        let mbox = b"From MAILER-DAEMON Tue Mar 02 09:44:33 1999\nFrom: a@x.example\n\nbody\n\n\
                     From MAILER-DAEMON Tue Mar 02 09:44:34 1999\nSubject: s\n\nbody\n";
        let s = starts(mbox).unwrap();
        assert_eq!(s.len(), 2);
        assert!(mbox[s[1]..].starts_with(b"From MAILER-DAEMON Tue Mar 02 09:44:34"));
    }

    #[test]
    fn a_message_that_kept_its_own_from_line_in_another_date_format_opens_there() {
        let mbox = b"From MAILER-DAEMON Tue Mar 02 09:44:33 1999\nFrom: a@x.example\n\nbody\n\n\
                     From MAILER-DAEMON Tue Mar 02 09:44:34 1999\n\
                     From () 2019-10-02 05:04:34 +0000\nSubject: s\n\nbody\n";
        let s = starts(mbox).unwrap();
        assert_eq!(s.len(), 2);
        assert!(mbox[s[1]..].starts_with(b"From MAILER-DAEMON Tue Mar 02 09:44:34"));
        // Without a time it is a body line, as before.
        let body = b"From MAILER-DAEMON Tue Mar 02 09:44:33 1999\nFrom: a@x\n\nbody\n\n\
                     From MAILER-DAEMON Tue Mar 02 09:44:34 1999\nFrom here we went on\n";
        assert!(starts(body).is_none());
    }

    #[test]
    fn one_message_or_a_from_in_a_body_is_no_mailbox() {
        // One message behind its From_ line.
        assert!(starts(b"From a@x Tue Mar 02 09:44:33 1999\nFrom: a@x\n\nbody\n").is_none());
        // A body line that starts with "From " and a date, but no header after it.
        let body = b"From a@x Tue Mar 02 09:44:33 1999\nFrom: a@x\n\n\
                     From there Tue Mar 02 09:44:33 1999 we went on\nno header here\n";
        assert!(starts(body).is_none());
        // A message without a From_ line is a message, whatever it quotes.
        let eml = b"From: a@x\n\nFrom b@y Tue Mar 02 09:44:33 1999\nSubject: s\n";
        assert!(starts(eml).is_none());
    }
}
