//! Plain-text bounce bodies (qmail, Exim, Postfix, Exchange, Gmail): dig the replies out of prose.

use super::code::Regex;
use super::code::{check_enhanced, find_enhanced, find_reply, parse_reply_start, re, unquote};
use super::log::exim_command;
use super::prefilter::{may_hold, may_hold_any};
use super::recipients::SUMMARY_FIELD;
use super::types::Reply;
use std::sync::LazyLock;

/// Where the human-readable part ends and the returned original message begins.
static ORIGINAL_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?im)^[\s>|-]*(?:-{2,}\s*)?(?:original message|this is a copy of|below this line is a copy|a copy of the original message|the original message|original message follows|possibly truncated original message|undelivered message|returned message|unsent message below|message header follows|header of the original|the header of the original|--- below|received: from)\b",
    )
});
/// A line that names a recipient on its own ("<a@b>:", "  a@b", "a@b: host said ...").
static RCPT_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"^\s*(?:>>>\s*)?(?:(?:Recipient|Failed Recipient|To|Address|Original-Recipient)(?: [Aa]ddress)?:\s*)?[<"]?([^\s<>"()\[\]:;,@]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})[>"]?(?:[:.,](?:\s|$)|\s*$|\s+(?:host|\(|said|on|SMTP|Unrouteable|failed|user|mailbox|<))"#,
    )
});
/// Whether a line is a recipient heading (the pattern needs an `@`, which most lines lack).
fn rcpt_head(line: &str) -> bool {
    line.contains('@') && RCPT_HEAD.is_match(line)
}

/// An address that opens a line, followed by words.
static LEAD_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"^\s*[<"]?([^\s<>"()\[\]:;,@]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})[>"]?[\s:]"#,
    )
});
static RCPT_TO: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)RCPT TO:\s*<([^>\s]+@[^>\s]+)>"));
static REMOTE_HOST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\bhost|remote server|server|\bmx)\s+([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\s*(?:\[[^\]]*\])?",
    )
});
static AFTER_CMD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:after|in reply to)\s+((?:pipelined\s+)?(?:RCPT TO|MAIL FROM|end of data|DATA|HELO|EHLO|connect)[^:]*?)(?:\s+command)?(?::|\)|$)",
    )
});

/// How much text must come before an original-message marker for it to end the human part:
/// a marker in the first line would leave nothing, while IMail's and GroupWise's one-line
/// notices ("Unknown user: ann@example.org", then "Original message follows.") are short.
const MIN_HUMAN_BEFORE_ORIGINAL: usize = 20;

/// The human-readable part of a bounce: everything before the returned original message.
pub fn human_part(text: &str) -> &str {
    // A marker in the first line would leave nothing; only cut after some content. Sendmail's
    // "The original message was received at ..." opens its report rather than the original.
    // Exchange Online's "Original Message Details" (date, sender, recipient, subject) sits
    // between its summary and its "Error Details": the original begins further down. Other
    // notices' details end the notice (their `To:` is the original's, perhaps a list).
    let cut = ORIGINAL_MARKER.find_iter(text).find(|m| {
        let next = text[m.end()..].trim_start().to_ascii_lowercase();
        text[..m.start()].trim().len() >= MIN_HUMAN_BEFORE_ORIGINAL
            && !next.starts_with("was received")
            && !(m
                .as_str()
                .to_ascii_lowercase()
                .ends_with("original message")
                && next.starts_with("details")
                && next.contains("\nerror details"))
    });
    match cut {
        Some(m) => &text[..m.start()],
        None => text,
    }
}

/// Sendmail's per-recipient summary: `550 <ann@example.org>... User unknown`.
static SENDMAIL_RCPT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*([2-5][0-5][0-9])(?:[ -]#?([245]\.[0-9]{1,3}\.[0-9]{1,3}))? <?([^\s<>@]+@[A-Za-z0-9.-]+)>?\.\.\.\s*(.*)$",
    )
});

/// A line that ends with the remote server's code, its words wrapped onto the next line
/// (Postfix: `... said: 550` then `    <ann@example.org>: User unknown`; a greeting refused
/// the same way: `... refused to talk to me: 421 4.7.0` then `[TS01] Messages from ...`).
static CODE_AT_END: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:said|refused to talk to me):\s*[245][0-9][0-9](?:[ -]#?[245]\.[0-9]{1,3}\.[0-9]{1,3})?\s*$",
    )
});

/// A recipient heading wrapped right after the word `host`.
static HOST_AT_END: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)>:\s+host\s*$"));

/// The text's lines, each line that ends in a bare reply code joined with the line its words
/// were wrapped onto, so that the reply reads as one.
pub(super) fn unwrapped(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut lines = text.lines().take(5000).peekable();
    while let Some(line) = lines.next() {
        let mut l = line.to_string();
        // Postfix wraps `<ann@x>: host` before the host's name (`    mx.x[ip] said: 550 ...`).
        if line.contains(">:")
            && HOST_AT_END.is_match(line)
            && let Some(next) =
                lines.next_if(|n| n.starts_with([' ', '\t']) && !n.trim().is_empty())
        {
            l.push(' ');
            l.push_str(next.trim());
        }
        if may_hold_any(&l, &["aid:", "to me:"])
            && CODE_AT_END.is_match(&l)
            // Indented as Postfix wraps it, or flush left as a paste re-flows it: any
            // next line that does not open another recipient's report.
            && let Some(next) = lines.next_if(|n| {
                !n.trim().is_empty() && (n.starts_with([' ', '\t']) || !rcpt_head(n))
            })
        {
            l.push(' ');
            l.push_str(next.trim());
        }
        out.push(l);
    }
    out
}

/// A Sendmail transcript line from a local delivery agent (`mail.local: unknown user: ann`).
static LOCAL_MAILER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(?:mail\.local|procmail|maildrop|deliver|dovecot-lda|cyrus|smrsh|lmtp):\s+\S")
});

/// Exchange Online's own summary of a refusal (`Status code: 550 5.7.1`, under "More Info for
/// Email Admins") and the receiving server's reply it summarises, under "Error Details"
/// (`Error: 554 5.7.1 [CS01] ...`, `Reported error: 550 5.1.10 RESOLVER...`).
static EXO_SUMMARY: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*status code:\s"));
static EXO_ERROR: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:reported )?error:\s+[245][0-9][0-9]\b"));

/// Finds the replies in a bounce's prose, one per recipient heading (or one if none is named).
pub fn replies(text: &str) -> Vec<Reply> {
    let owned = unwrapped(text);
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    // The server's own words carry its provider and meaning; the summary only their code.
    let summarised = lines
        .iter()
        .any(|l| may_hold(l, "error:") && EXO_ERROR.is_match(l));
    let summary = sendmail_summary(&lines);
    if !summary.is_empty() {
        return summary;
    }
    let mut out: Vec<Reply> = Vec::new();
    let mut first_success: Option<Reply> = None;
    let mut recipient: Option<String> = None;
    let mut recipient_used = false;
    let mut host: Option<String> = None;
    // An Exchange report's `Generating server:` (its reporting MTA; see hosts::generated_by).
    let mut generating: Option<String> = None;
    let mut command: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // A recipient heading, or a line that opens with the address and carries its reply
        // (`ann@example.jp Invalid Address, ERROR_CODE :550, ... User Unknown`).
        // Both patterns need an `@`; most lines of a bounce have none.
        let head = line.contains('@').then(|| {
            RCPT_HEAD.captures(line).or_else(|| {
                LEAD_ADDRESS
                    .captures(line)
                    .filter(|_| find_reply(line).is_some() || find_enhanced(line).is_some())
            })
        });
        let head = head.flatten();
        if let Some(c) = head {
            let addr = c.get(1).map(|m| m.as_str().to_string());
            if addr != recipient {
                recipient = addr;
                recipient_used = false;
                host = None;
                command = None;
            }
        }
        if recipient.is_none()
            && may_hold(line, "rcpt to:")
            && let Some(c) = RCPT_TO.captures(line)
        {
            recipient = c.get(1).map(|m| m.as_str().to_string());
        }
        if may_hold(line, "generating server:") {
            generating = super::hosts::generated_by(line).or(generating);
        }
        if line.contains('.')
            && may_hold_any(line, &["host", "server", "mx"])
            && let Some(c) = REMOTE_HOST.captures(line)
        {
            host = c
                .get(1)
                .map(|m| m.as_str().trim_end_matches('.').to_string());
        }
        // Exchange's report of another server's refusal names that server in its own forms.
        if line.contains('.')
            && may_hold_any(line, &["gave this error", "rejected your message", " #"])
            && let Some(h) = super::hosts::exchange_refuser(line)
        {
            host = Some(h);
        }
        if may_hold_any(line, &["after", "in reply to"])
            && let Some(c) = AFTER_CMD.captures(line)
        {
            command = c.get(1).map(|m| exim_command(m.as_str()));
        }
        // Quoted header fields name the message (a subject such as "RELEASED Mailman 2.0.12"
        // is no status code), and a success (`250 2.1.5 Ok` in a transcript, a 2.x.x
        // version number) is never the failure.
        let found = if line.contains(':') && SUMMARY_FIELD.is_match(line)
            || (summarised && EXO_SUMMARY.is_match(line))
        {
            None
        } else {
            find_reply(line).map(|r| (r, true)).or_else(|| {
                find_enhanced(line)
                    .filter(|_| !line.trim_start().starts_with("Reporting-MTA"))
                    .map(|e| {
                        (
                            Reply {
                                enhanced: Some(e),
                                ..Reply::default()
                            },
                            false,
                        )
                    })
            })
        };
        let found = match found {
            Some((r, true)) if success(&r) => {
                // A success is kept only for a report that holds nothing else (a delivery
                // notification); a 2.x.x without a reply code is likelier a version number.
                if first_success.is_none() {
                    let (mut r, _) = gather(&lines, i, r);
                    r.recipient = recipient.clone();
                    r.remote_mta = host.clone();
                    first_success = Some(r);
                }
                None
            }
            Some((r, _)) if success(&r) => None,
            other => other,
        };
        let Some((first, has_basic)) = found else {
            i += 1;
            continue;
        };
        if recipient_used && !out.is_empty() {
            // This recipient already has its reply: later codes are quotes or repeats,
            // except a basic reply that can enrich an enhanced-only one.
            if let Some(last) = out.last_mut()
                && last.basic.is_none()
                && has_basic
            {
                let enhanced = last.enhanced.take();
                let (r, used) = gather(&lines, i, first);
                let keep = std::mem::take(last);
                *last = Reply {
                    enhanced: r.enhanced.clone().or(enhanced),
                    ..r
                };
                last.recipient = keep.recipient;
                last.remote_mta = keep.remote_mta.or(host.clone());
                last.smtp_command = keep.smtp_command.or(command.clone());
                i += used;
                continue;
            }
            i += 1;
            continue;
        }
        let (mut r, used) = if has_basic {
            gather(&lines, i, first)
        } else {
            (first, 1)
        };
        if r.text.is_empty() {
            r.text = line.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        r.recipient = recipient.clone();
        r.remote_mta = host.clone();
        r.reporting_mta = r.reporting_mta.take().or_else(|| generating.clone());
        r.smtp_command = command.clone();
        if recipient.is_none() && !out.is_empty() {
            // No recipient headings: keep only the first reply of the text.
            if out.iter().all(|o| o.basic.is_some()) || !has_basic {
                i += used;
                continue;
            }
            out.pop();
        }
        out.push(r);
        recipient_used = true;
        i += used;
    }
    if out.is_empty() {
        out.extend(first_success);
    }
    // An enhanced code the prose mentions before any recipient ("see DSN 5.7.129 Errors in
    // Exchange Online") is commentary once recipients have replies of their own.
    if out.iter().any(|r| r.recipient.is_some()) {
        out.retain(|r| r.recipient.is_some() || r.basic.is_some());
    }
    out
}

/// A reply that reports success or asks for more (2xx, 3xx, 2.x.x): no failure.
fn success(r: &Reply) -> bool {
    match r.basic {
        Some(b) => b < 400,
        None => r.enhanced.as_deref().is_some_and(|e| e.starts_with('2')),
    }
}

/// The replies of Sendmail's per-recipient summary lines, one per address (its last line wins:
/// Sendmail repeats a recipient when a later attempt fails differently). Where the line quotes
/// the remote server's reply (`554 <a@x>... 550 Host unknown`), that reply is the one kept.
fn sendmail_summary(lines: &[&str]) -> Vec<Reply> {
    let mut out: Vec<Reply> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(c) = line
            .contains("...")
            .then(|| SENDMAIL_RCPT.captures(line))
            .flatten()
        else {
            continue;
        };
        let (Some(code), Some(addr), Some(rest)) = (c.get(1), c.get(3), c.get(4)) else {
            continue;
        };
        let rest = rest.as_str();
        let mut r = find_reply(rest).unwrap_or_else(|| Reply {
            basic: code.as_str().parse().ok(),
            enhanced: c.get(2).and_then(|e| check_enhanced(e.as_str()).ok()),
            text: rest.split_whitespace().collect::<Vec<_>>().join(" "),
            ..Reply::default()
        });
        // The local delivery agent's own complaint, just above a summary that only says
        // "Service unavailable", is the actual reason.
        if let Some(prev) = i.checked_sub(1).and_then(|p| lines.get(p))
            && LOCAL_MAILER.is_match(prev)
        {
            r.text = format!("{}; {}", prev.trim(), r.text);
        }
        r.recipient = Some(addr.as_str().to_string());
        out.retain(|o| o.recipient != r.recipient);
        out.push(r);
    }
    out
}

/// Joins the continuation lines of a reply that starts on line `i` (its wrapped text or its
/// `550-` / `550 ` lines), then parses the whole reply once.
/// qmail's own status code, wrapped onto a line of its own after the remote server's words
/// (`... said: 550 Unknown user ann@x` then `. (#5.5.0)`).
static QMAIL_TRAILER: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\.?\s*\(#[245]\.[0-9]{1,3}\.[0-9]{1,3}\)$"));

/// qmail-remote wraps a long reply onto lines of their own without indenting them (`Remote host
/// said: 550 5.7.1 Service unavailable, Client host [x]` then `blocked using Spamhaus. To request
/// ...`): under its "Remote host said:" every following line is the reply's until qmail's own
/// next words (`Giving up on`, `I'm not going to try again`) or the copy of the message.
fn qmail_wrapped(first: &str, next: &str) -> bool {
    first.contains("Remote host said:")
        && ![
            "Giving up on ",
            "I'm not going to try again",
            "---",
            "Remote host said:",
        ]
        .iter()
        .any(|own| next.starts_with(own))
}

fn gather(lines: &[&str], i: usize, first: Reply) -> (Reply, usize) {
    let line = lines[i];
    let Some(basic) = first.basic else {
        return (first, 1);
    };
    let code = basic.to_string();
    let start = line.find(&code).unwrap_or(0);
    let mut joined = line[start..].to_string();
    let mut used = 1;
    // A multi-line reply is open while its last coded line is a `421-` continuation: it ends
    // only at a `421 ` line, so a line between them that lost its code prefix (a URL a page
    // or a client wrapped onto its own line) is still the reply's.
    let opens = |l: &str| {
        l.trim_start()
            .strip_prefix(code.as_str())
            .map(|rest| rest.starts_with('-'))
    };
    let mut open = opens(line).unwrap_or(false);
    while let Some(next) = lines.get(i + used) {
        let t = next.trim();
        if t.contains("(#") && QMAIL_TRAILER.is_match(t) {
            joined.push(' ');
            joined.push_str(t);
            used += 1;
            break;
        }
        // Continuation: the same code repeated, or wrapped (indented) text. A line that
        // repeats the code is the reply's own even when it reads `550-Reason: ...`.
        let same_code = t
            .strip_prefix(code.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', ' ']));
        if t.is_empty()
            || used > 12
            || rcpt_head(next)
            || human_part(next).len() < next.len()
            || !same_code
                && t.contains(": ")
                && t.split(':')
                    .next()
                    .is_some_and(|k| !k.contains(' ') && k.len() > 2)
        {
            break;
        }
        let closed_later = || {
            lines[i + used + 1..]
                .iter()
                .take(3)
                .any(|l| opens(l).is_some())
        };
        // A line that ends in a semicolon left its sentence open: a page or a client wrapped
        // Postfix's `Service unavailable; Client host [...] blocked using ...` after it.
        let left_open = joined.trim_end().ends_with(';');
        let belongs = same_code
            || next.starts_with([' ', '\t'])
            || line.starts_with([' ', '\t'])
            || left_open
            || open && closed_later()
            || qmail_wrapped(line, t);
        if !belongs {
            break;
        }
        if let Some(more) = opens(next) {
            open = more;
        }
        joined.push('\n');
        joined.push_str(t);
        used += 1;
    }
    match parse_reply_start(&joined) {
        Ok(Some(mut r)) => {
            unquote(&line[..start], &mut r);
            (r, used)
        }
        _ => (first, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_line_notice_ends_where_the_original_follows() {
        // IMail: one line, then the original; its subject must not read as the reason.
        let t =
            "Unknown user: mia@example.net\n\nOriginal message follows.\n\nSubject: Mailbox full\n";
        assert_eq!(human_part(t).trim(), "Unknown user: mia@example.net");
        // GroupWise's "Possibly truncated original message follows:".
        let t = "The message that you sent was undeliverable to the following:\n\t\
                 nina@example.net (user not found)\n\n\
                 Possibly truncated original message follows:\n\nSubject: quota exceeded\n";
        assert!(!human_part(t).contains("quota"), "{}", human_part(t));
        // A marker with nothing before it ends nothing.
        let t = "Original message follows.\nUnknown user: mia@example.net\n";
        assert_eq!(human_part(t), t);
    }

    #[test]
    fn a_line_that_lost_its_code_inside_an_open_multiline_reply_stays_in_it() {
        let found = replies(
            "Delivery failed: ann@example.org\nBody of message generated response:\n421-: (DYN:T1)\nhttp://postmaster.example/errors/421dynt1.html\n421 SERVICE NOT AVAILABLE\n",
        );
        assert!(
            found.iter().any(|r| r.text.contains("(DYN:T1)")
                && r.text.contains("421dynt1.html")
                && r.text.ends_with("SERVICE NOT AVAILABLE")),
            "{found:?}"
        );
        // A closed reply does not take the next unindented line.
        let found = replies("550 5.1.1 User unknown\nThanks for your patience\n");
        assert!(
            found.iter().all(|r| !r.text.contains("patience")),
            "{found:?}"
        );
    }

    #[test]
    fn a_reply_whose_line_ends_in_a_semicolon_takes_the_next_line() {
        let found = replies(
            "Error transferring to mx.example.net;\nSMTP Protocol Returned a Permanent Error 554 Service unavailable;\nClient host [192.0.2.1] blocked using bl.example.org\nFor more information see the list's page\n",
        );
        assert!(
            found
                .iter()
                .any(|r| r.text.contains("blocked using bl.example.org")
                    && !r.text.contains("more information")),
            "{found:?}"
        );
        // A line that ends otherwise stays closed.
        let found = replies("554 Service unavailable\nClient host [192.0.2.1] is fine\n");
        assert!(
            found.iter().all(|r| !r.text.contains("is fine")),
            "{found:?}"
        );
    }

    #[test]
    fn a_refused_greeting_wrapped_after_its_codes_keeps_its_words() {
        let lines = unwrapped(
            "<a@yahoo.com>: host\nmta5.am0.yahoodns.net[] refused to talk to me: 421 4.7.0\n[TS01] Messages from 192.0.2.1 temporarily deferred\n",
        );
        assert!(
            lines
                .iter()
                .any(|l| l
                    .ends_with("421 4.7.0 [TS01] Messages from 192.0.2.1 temporarily deferred")),
            "{lines:?}"
        );
    }

    #[test]
    fn qmails_status_on_a_line_of_its_own_belongs_to_the_reply_above() {
        let r = replies(
            "<ann@example.net>:\n\
             Sorry, no SMTP connection got far enough; remote host 192.0.2.3 said: 550 Unknown user\n\
             . (#5.5.0)\n\
             (Other MXes tried: 192.0.2.4 said 550 for RCPT TO response.)\n",
        );
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(
            (r[0].basic, r[0].enhanced.as_deref()),
            (Some(550), Some("5.5.0"))
        );
    }

    #[test]
    fn an_exchange_online_notice_gives_the_receivers_reply_not_its_summary() {
        let text = "Your message to ann@example.net couldn't be delivered.\n\n\
                    More Info for Email Admins\nStatus code: 550 5.7.1\n\n\
                    The receiving server refused the message.\n\n\
                    Original Message Details\nCreated Date: 1/2/2026 9:15:36 AM\n\
                    Sender Address: sender@example.com\n\
                    Recipient Address: ann@example.net\nSubject: news\n\n\
                    Error Details\n\
                    Error: 554 5.7.1 [XY01] Refused by local policy, see https://mail.example.net/help\n\
                    Message rejected by: mx1.example.net\n\n\
                    Original Message Headers\nReceived: from a by b\n";
        let human = human_part(text);
        assert!(human.contains("Error Details"), "{human}");
        let r = replies(human);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].basic, Some(554));
        assert!(r[0].text.contains("[XY01]"), "{}", r[0].text);
        assert_eq!(r[0].recipient.as_deref(), Some("ann@example.net"));
        // Without the server's words, the summary is all there is.
        let r = replies("Your message couldn't be delivered.\nStatus code: 550 5.1.1\n");
        assert_eq!(r[0].basic, Some(550));
    }

    #[test]
    fn exim_plain_bounce_with_two_recipients() {
        let text = "This message was created automatically by mail delivery software.\n\n\
            A message that you sent could not be delivered to one or more of its\n\
            recipients. This is a permanent error. The following address(es) failed:\n\n\
            \x20 ann@example.org\n\
            \x20   host mx.example.org [192.0.2.9]\n\
            \x20   SMTP error from remote mail server after RCPT TO:<ann@example.org>:\n\
            \x20   550 5.1.1 <ann@example.org>: Recipient address rejected: User unknown\n\
            \x20 bob@example.org\n\
            \x20   host mx.example.org [192.0.2.9]\n\
            \x20   SMTP error from remote mail server after end of data:\n\
            \x20   552-5.2.2 The email account that you tried to reach is over quota.\n\
            \x20   552 5.2.2 Please direct the recipient to the help center\n\n\
            ------ This is a copy of the message, including all the headers. ------\n";
        let r = replies(human_part(text));
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].recipient.as_deref(), Some("ann@example.org"));
        assert_eq!(r[0].enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(r[0].smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(r[0].remote_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(r[1].basic, Some(552));
        assert_eq!(r[1].smtp_command.as_deref(), Some("end of DATA"));
        assert_eq!(
            r[1].text,
            "The email account that you tried to reach is over quota. Please direct the recipient to the help center"
        );
    }

    #[test]
    fn a_code_wrapped_away_from_its_words_reads_as_one_reply() {
        let text = "--------------------------------------------------------\n\n\
            <kim@user.example.jp>: host\n    \
            mx.user.example.jp[192.0.2.22] said: 550\n    \
            <kim@user.example.jp>: User unknown\n";
        let r = replies(text);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].recipient.as_deref(), Some("kim@user.example.jp"));
        assert_eq!(r[0].basic, Some(550));
        assert!(r[0].text.ends_with("User unknown"), "{}", r[0].text);
    }

    #[test]
    fn a_local_mailer_line_explains_the_sendmail_summary_below_it() {
        let text = "   ----- Transcript of session follows -----\n\
            mail.local: unknown user: kim\n\
            554 <kim@example.net>... Service unavailable\n";
        let r = replies(text);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].basic, Some(554));
        assert_eq!(
            r[0].text,
            "mail.local: unknown user: kim; Service unavailable"
        );
    }

    #[test]
    fn continuation_lines_that_read_like_fields_stay_in_the_reply() {
        let text = "<ann@example.com>:\n\
                    550-5.7.1 Message rejected by policy\n\
                    550-Reason: sender listed at a blocklist\n\
                    550 5.7.1 see https://help.example.com/550\n\n\
                    <bob@example.com>:\n\
                    550 5.1.1 Mailbox unavailable\n\
                    550: mailbox bob does not exist here\n";
        let r = replies(text);
        let ann = r
            .iter()
            .find(|r| r.recipient.as_deref() == Some("ann@example.com"));
        let ann = ann.unwrap_or_else(|| panic!("{r:?}"));
        assert!(ann.text.contains("Reason: sender listed"), "{}", ann.text);
        assert!(ann.text.contains("help.example.com"), "{}", ann.text);
        let bob = r
            .iter()
            .find(|r| r.recipient.as_deref() == Some("bob@example.com"));
        let bob = bob.unwrap_or_else(|| panic!("{r:?}"));
        assert!(!bob.text.contains("550:"), "{}", bob.text);
    }

    #[test]
    fn qmail_remote_host_said() {
        let text = "Hi. This is the qmail-send program at mail.example.com.\n\
            I'm afraid I wasn't able to deliver your message to the following addresses.\n\
            This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
            <cat@example.net>:\n\
            198.51.100.3 does not like recipient.\n\
            Remote host said: 550 #5.1.1 No such user\n\
            Giving up on 198.51.100.3.\n";
        let r = replies(text);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].recipient.as_deref(), Some("cat@example.net"));
        assert_eq!(r[0].enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(r[0].text, "No such user");
    }

    #[test]
    fn qmail_wraps_a_long_reply_onto_unindented_lines_that_stay_the_replys() {
        let text = "Hi. This is the qmail-send program at mail.example.com.\n\
            <ann@example.net>:\n\
            192.0.2.7 does not like recipient.\n\
            Remote host said: 550 5.7.1 Service unavailable, Client host [198.51.100.9]\n\
            blocked using Spamhaus. To request removal from this list see\n\
            https://www.spamhaus.org/query/ip/198.51.100.9 AS(1440)\n\
            Giving up on 192.0.2.7.\n";
        let r = replies(text);
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(
            r[0].text.contains("blocked using Spamhaus"),
            "{}",
            r[0].text
        );
        assert!(r[0].text.ends_with("AS(1440)"), "{}", r[0].text);
    }
}
