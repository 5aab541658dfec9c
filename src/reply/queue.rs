//! An MTA's queue listing (Postfix's `mailq` / `postqueue -p`): each queued message with the
//! reason its last delivery attempt was deferred, in parentheses, and its recipients.

use super::code::Regex;
use super::code::{find_reply, parse_reply_start, re};
use super::fields::{in_reply_to, postfix_said};
use super::types::Reply;
use std::sync::LazyLock;

/// A queue entry's first line: queue ID (with `*` when active, `!` when held), size, arrival
/// time and sender (`4F1A2B3C9D*    2816 Mon Dec  7 05:12:01  news@example.com`).
static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*[0-9A-Za-z]{6,}[*!]?\s+[0-9]+\s+[A-Z][a-z]{2}\s+[A-Z][a-z]{2}\s+[0-9]{1,2}\s+[0-9]{2}:[0-9]{2}:[0-9]{2}\s+\S*\s*$",
    )
});

/// The first deferred entry of a queue listing: the reason's reply (or its words, for a
/// failure that got no reply: `connect to ...: Connection timed out`), the recipient below
/// it, still queued (`delayed`); `None` when the text is no queue listing.
pub fn deferred(text: &str) -> Option<Reply> {
    let lines: Vec<&str> = text.lines().take(10_000).collect();
    let at = lines.iter().position(|l| ENTRY.is_match(l))?;
    let reason_line = lines.get(at + 1)?.trim();
    let reason = reason_line.strip_prefix('(')?;
    // The reason may be wrapped onto the lines below, up to its closing parenthesis.
    let mut reason = reason.to_string();
    let mut next = at + 2;
    while !reason.trim_end().ends_with(')') && next < lines.len() {
        reason.push(' ');
        reason.push_str(lines[next].trim());
        next += 1;
    }
    // The reason is the detail a Postfix log line gives in its parentheses.
    let reason = reason
        .trim_end()
        .strip_suffix(')')
        .unwrap_or(reason.trim_end());
    let (detail, command) = in_reply_to(reason).map_or((reason, None), |(d, c)| (d, Some(c)));
    let text_only = |s: &str| Reply {
        text: s.split_whitespace().collect::<Vec<_>>().join(" "),
        ..Reply::default()
    };
    let mut r = match postfix_said(detail) {
        Some((host, said)) => {
            let mut r = parse_reply_start(said)
                .ok()
                .flatten()
                .unwrap_or_else(|| text_only(said));
            r.remote_mta = Some(host.to_string());
            r
        }
        None => find_reply(detail).unwrap_or_else(|| text_only(detail)),
    };
    r.smtp_command = command.map(String::from);
    r.recipient = lines
        .get(next)
        .map(|l| l.trim())
        .filter(|l| l.contains('@') && !l.contains(' '))
        .map(String::from);
    r.dsn_action = Some("delayed".into());
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_entry_gives_its_deferral_reason_and_recipient() {
        let q = "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n\
                 4F1A2B3C9D*    2816 Mon Dec  7 05:12:01  news@example.com\n\
                 (host mx.example.net[192.0.2.1] said: 450 4.2.1 The user you are trying to \
                 contact is receiving mail too quickly (in reply to RCPT TO command))\n\
                 \x20                                        ann@example.org\n";
        let r = deferred(q).unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(450), Some("4.2.1")));
        assert_eq!(r.recipient.as_deref(), Some("ann@example.org"));
        assert_eq!(r.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(r.dsn_action.as_deref(), Some("delayed"));
        let q = "ABC123DEF0 4521 Mon Apr 7 10:15:23 sender@example.com\n\
                 (connect to mx.example.net[192.0.2.1]:25: Connection timed out)\n\
                 ann@example.org";
        let r = deferred(q).unwrap();
        assert_eq!(r.basic, None);
        assert!(r.text.contains("Connection timed out"), "{}", r.text);
        assert!(deferred("550 5.1.1 user unknown").is_none());
    }
}
