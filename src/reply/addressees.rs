//! Who a bounce's returned original was from and to: the addresses that are the sender's own,
//! and the recipient of a notice that names it only in its summary or by display name.

use super::types::OriginalHeaders;
use super::{headers, recipients};
use mail_parser::Message;

/// Addresses of the bounce itself (its From, its To) and of the original's sender: none of them
/// is a failed recipient. The bounce's From comes first: for an auto-reply, the responder.
pub(super) fn own_addresses(msg: &Message<'_>, original: Option<&OriginalHeaders>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let bounce = [msg.from(), msg.to()];
    for a in bounce.into_iter().flatten().flat_map(|a| a.iter()) {
        if let Some(x) = a.address() {
            out.push(x.to_string());
        }
    }
    if let Some(o) = original {
        for v in [&o.from, &o.return_path].into_iter().flatten() {
            out.extend(headers::addresses(v));
        }
    }
    recipients::own_variants(&out)
}

/// The one address a notice's summary `To:` line names (qmail's and Yahoo's "Subject: ... To:
/// ..." block) when the returned original was both written by it and addressed to it. The
/// bounce's own From and To and the original's return path still never count.
pub(super) fn written_to_self(
    human: &str,
    msg: &Message<'_>,
    original: Option<&OriginalHeaders>,
) -> Option<String> {
    let o = original?;
    let mut bounce_own: Vec<String> = [msg.from(), msg.to()]
        .into_iter()
        .flatten()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address().map(str::to_string))
        .collect();
    if let Some(rp) = &o.return_path {
        bounce_own.extend(headers::addresses(rp));
    }
    let lines: Vec<&str> = human.lines().take(400).collect();
    let named = recipients::summary_to(&lines, &recipients::own_variants(&bounce_own))?;
    let sender = o
        .from
        .as_deref()
        .map(headers::addresses)
        .unwrap_or_default();
    let is = |list: &[String]| list.iter().any(|x| x.eq_ignore_ascii_case(&named));
    (is(&o.to) && is(&sender)).then_some(named)
}

/// The addresses of the original's addressees whose display name the notice's prose names,
/// outside its summary's header lines (`To:`, `Cc:`, `From:`, `Subject:`), as a whole word.
/// Names shorter than three letters, and a name two addresses share, name nobody.
pub(super) fn named_in(human: &str, named: &[(String, String)]) -> Vec<String> {
    let prose: Vec<String> = human
        .lines()
        .take(400)
        .map(|l| l.trim_start().to_lowercase())
        .filter(|l| {
            !["to:", "cc:", "from:", "subject:", "sent:", "date:"]
                .iter()
                .any(|h| l.starts_with(h))
        })
        .collect();
    let whole_word = |line: &str, name: &str| {
        line.match_indices(name).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = line[at + name.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    let mut out: Vec<String> = Vec::new();
    for (name, address) in named {
        let name = name.to_lowercase();
        let unique = named
            .iter()
            .filter(|(n, _)| n.to_lowercase() == name)
            .all(|(_, a)| a.eq_ignore_ascii_case(address));
        if name.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && unique
            && prose.iter().any(|l| whole_word(l, &name))
            && !out.iter().any(|a| a.eq_ignore_ascii_case(address))
        {
            out.push(address.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::bounce::extract;
    use super::*;

    /// A qmail-style notice names the recipient only in its summary of the original. When the
    /// sender had written to their own address, that address is still who it failed to reach;
    /// when the original went to someone else, the sender's address is never the recipient.
    #[test]
    fn a_message_written_to_oneself_names_its_sender_as_the_failed_recipient() {
        let text = |to: &str| {
            format!(
                "From: MAILER-DAEMON@mail.example.net\nTo: bounces@example.org\n\
                 Subject: Failure Notice\nMIME-Version: 1.0\n\
                 Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
                 --B\nContent-Type: text/plain\n\n\
                 I'm afraid I wasn't able to deliver the following message.\n\
                 This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
                 Subject: news\nTo: ann@example.net\n\n--B\nContent-Type: message/rfc822\n\n\
                 Return-Path: <bounces@example.org>\nFrom: Ann <ann@example.net>\nTo: {to}\n\
                 Subject: news\n\nhello\n\n--B--\n"
            )
        };
        let x = extract(text("<ann@example.net>").as_bytes()).unwrap();
        let named: Vec<_> = x.replies.iter().map(|r| r.recipient.as_deref()).collect();
        assert_eq!(named, [Some("ann@example.net")]);
        assert!(x.replies[0].finality.is_some_and(|f| f.permanent));
        let x = extract(text("<bob@example.com>").as_bytes()).unwrap();
        assert!(
            x.replies
                .iter()
                .all(|r| r.recipient.as_deref() != Some("ann@example.net")),
            "{:?}",
            x.replies
        );
    }

    /// An Exchange notice that names its recipient by display name only: the returned
    /// original's To and Cc say which address the name stands for; a name the notice does not
    /// mention names no one.
    #[test]
    fn a_recipient_named_by_display_name_takes_its_address_from_the_original() {
        let text = "From: System Administrator <postmaster@example.net>\nTo: sender@example.org\n\
            Subject: Undeliverable: hello\nMIME-Version: 1.0\n\
            Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n\
            Your message did not reach some or all of the intended recipients.\n\n\
            \x20     Subject:  hello\n\n\
            The following recipient(s) cannot be reached:\n\n\
            \x20     'Bob Smith' on 1/12/2026 10:00 AM\n\
            \x20           The e-mail account does not exist at the organization.\n\n\
            --B\nContent-Type: message/rfc822\n\nFrom: Sender <sender@example.org>\n\
            To: \"Smith, Bob\" <bob@example.com>, Ann <ann@example.com>\n\
            Cc: 'Bob Smith' <bob@example.com>, Kim Lee <kim@example.com>\nSubject: hello\n\nhi\n--B--\n";
        let x = extract(text.as_bytes()).unwrap();
        let named: Vec<_> = x.replies.iter().map(|r| r.recipient.as_deref()).collect();
        assert_eq!(named, [Some("bob@example.com")]);
        assert_eq!(
            headers::named_addresses(
                "\"Kim, Ann\" <ann@example.org>, bob@example.org, Lee <lee@x.org>"
            ),
            [
                ("Kim, Ann".to_string(), "ann@example.org".to_string()),
                ("Lee".to_string(), "lee@x.org".to_string())
            ]
        );
    }
}
