//! MTA log lines (Postfix, Exim, Sendmail): one reply per delivery line that carries one.

use super::code::Regex;
use super::code::{check_enhanced, find_reply, parse_reply_start, re, relay_status};
use super::fields::{dsn_value, field, in_reply_to, postfix_said, postfix_status, prefix_while};
use super::types::{InputError, InputForm, Reply};
use std::sync::LazyLock;

static EXIM_HEAD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|\s)(\*\*|==|->|=>)\s+(\S+)(?:\s+<([^>\s]+)>)?"));
static EXIM_HOST: LazyLock<Regex> = LazyLock::new(|| re(r"\bH=(\S+)"));
static EXIM_ERR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"SMTP error from remote (?:mail server|mailer|server|host) after (.+?)(?::\s+|\s+)(?:host \S+ \[[^\]]*\]:\s+)?([2-5][0-9]{2}[ -].*)$",
    )
});
static SM_STAT: LazyLock<Regex> = LazyLock::new(|| re(r"\bstat=(.*)$"));
static SM_REPLY: LazyLock<Regex> = LazyLock::new(|| re(r"\breply=(.*?)(?:, [a-z]+=|$)"));

/// Which MTA wrote a line, decided by cheap substring checks before any regex runs.
pub fn classify(line: &str) -> Option<InputForm> {
    if line.contains("status=") && line.contains("to=")
        || ["status=bounced", "status=deferred", "status=expired"]
            .iter()
            .any(|s| line.contains(s))
    {
        Some(InputForm::PostfixLog)
    } else if line.contains("stat=") && line.contains("to=") {
        Some(InputForm::SendmailLog)
    } else if (line.contains("** ") || line.contains("== "))
        && (line.contains("R=") || line.contains("T=") || line.contains("SMTP error"))
    {
        Some(InputForm::EximLog)
    } else {
        None
    }
}

/// Parses one log line of a known form. `Ok(None)` means the line carries no reply.
pub fn parse_line(form: InputForm, line: &str) -> Result<Option<Reply>, InputError> {
    match form {
        InputForm::PostfixLog => postfix(line),
        InputForm::SendmailLog => sendmail(line),
        InputForm::EximLog => exim(line),
        _ => Ok(None),
    }
}

fn cap<'a>(re: &Regex, s: &'a str, i: usize) -> Option<&'a str> {
    re.captures(s).and_then(|c| c.get(i)).map(|m| m.as_str())
}

fn dsn_code(line: &str) -> Result<Option<String>, InputError> {
    field(line, "dsn=", dsn_value)
        .map(check_enhanced)
        .transpose()
}

/// The recipient of `to=<addr>` (Postfix and Sendmail), if not empty.
fn recipient(line: &str) -> Option<String> {
    field(line, "to=", |r| {
        let r = r.strip_prefix('<').unwrap_or(r);
        Some(prefix_while(r, |c| {
            c != '>' && c != ',' && !c.is_whitespace()
        }))
    })
    .filter(|s| !s.is_empty())
    .map(String::from)
}

/// The host of `relay=host[ip]:port` (Postfix and Sendmail).
fn relay(line: &str) -> Option<&str> {
    field(line, "relay=", |r| {
        let host = prefix_while(r, |c| !c.is_whitespace() && c != ',' && c != '[');
        (!host.is_empty()).then_some(host)
    })
}

fn postfix(line: &str) -> Result<Option<Reply>, InputError> {
    let dsn = dsn_code(line)?;
    let (status, detail) = postfix_status(line).map_or((None, ""), |(s, d)| (Some(s), d));
    // "sent" lines carry the 250 of a successful delivery; they are replies too.
    let (detail, command) = in_reply_to(detail).map_or((detail, None), |(d, c)| (d, Some(c)));
    let mut reply = match postfix_said(detail) {
        Some((host, said)) => {
            let mut r = parse_reply_start(said)?.unwrap_or_else(|| text_only(said));
            r.remote_mta = Some(host.to_string());
            r
        }
        None => match find_reply(detail) {
            Some(r) => r,
            // A delivery that failed or waits without a remote reply (`connect to ...:
            // Connection refused`, `TLS is required, but was not offered`): its words.
            None if dsn.is_some() || status.is_some_and(|s| s != "sent") && !detail.is_empty() => {
                text_only(detail)
            }
            None => return Ok(None),
        },
    };
    if reply.enhanced.is_none() {
        reply.enhanced = relay_status(reply.basic, dsn, |_| false);
    }
    if reply.remote_mta.is_none() {
        reply.remote_mta = relay(line).filter(|r| *r != "none").map(String::from);
    }
    reply.recipient = recipient(line);
    reply.smtp_command = command.map(String::from);
    reply.dsn_action = status.map(postfix_action);
    Ok(Some(reply))
}

fn postfix_action(status: &str) -> String {
    match status {
        "bounced" => "failed",
        "deferred" => "delayed",
        "expired" => "failed",
        "sent" => "delivered",
        other => other,
    }
    .to_string()
}

fn text_only(s: &str) -> Reply {
    Reply {
        text: s.split_whitespace().collect::<Vec<_>>().join(" "),
        ..Reply::default()
    }
}

fn sendmail(line: &str) -> Result<Option<Reply>, InputError> {
    let dsn = dsn_code(line)?;
    let stat = cap(&SM_STAT, line, 1).unwrap_or("");
    let mut reply = if let Some(r) = cap(&SM_REPLY, line, 1) {
        parse_reply_start(r)?.unwrap_or_else(|| text_only(r))
    } else if let Some(r) = find_reply(stat) {
        r
    } else if dsn.is_some() || !stat.is_empty() {
        text_only(stat)
    } else {
        return Ok(None);
    };
    if reply.text.is_empty() {
        reply.text = stat.trim().to_string();
    }
    if reply.enhanced.is_none() {
        reply.enhanced = relay_status(reply.basic, dsn, |_| false);
    }
    reply.recipient = recipient(line);
    reply.remote_mta = relay(line).map(|r| r.trim_end_matches('.').to_string());
    reply.dsn_action = Some(sendmail_action(stat).to_string());
    Ok(Some(reply))
}

fn sendmail_action(stat: &str) -> &'static str {
    if stat.starts_with("Sent") {
        "delivered"
    } else if stat.starts_with("Deferred") {
        "delayed"
    } else {
        "failed"
    }
}

fn exim(line: &str) -> Result<Option<Reply>, InputError> {
    let Some(err) = EXIM_ERR.captures(line) else {
        // "** user@x: Unrouteable address" has no SMTP reply but is still a failure line.
        return Ok(exim_without_reply(line));
    };
    let after = err.get(1).map_or("", |m| m.as_str());
    let said = err.get(2).map_or("", |m| m.as_str());
    let mut reply = parse_reply_start(said)?.unwrap_or_else(|| text_only(said));
    let head = EXIM_HEAD.captures(line);
    reply.recipient = head
        .as_ref()
        .and_then(|c| c.get(3).or(c.get(2)))
        .map(|m| m.as_str().trim_end_matches(':').to_string());
    reply.remote_mta = cap(&EXIM_HOST, line, 1).map(String::from);
    reply.smtp_command = Some(exim_command(after));
    reply.dsn_action = head.and_then(|c| c.get(1)).map(|m| {
        if m.as_str() == "==" {
            "delayed"
        } else {
            "failed"
        }
        .to_string()
    });
    Ok(Some(reply))
}

fn exim_without_reply(line: &str) -> Option<Reply> {
    let head = EXIM_HEAD.captures(line)?;
    let rest = line
        .get(head.get(0)?.end()..)?
        .trim_start_matches(':')
        .trim();
    let mut r = find_reply(rest)?;
    r.recipient = head.get(3).or(head.get(2)).map(|m| m.as_str().to_string());
    Some(r)
}

/// "RCPT TO:<a@b>" -> "RCPT TO", "end of data" -> "end of DATA", "MAIL FROM:<> SIZE=1" -> "MAIL FROM".
pub fn exim_command(after: &str) -> String {
    let a = after.trim().trim_start_matches("pipelined ");
    let a = a.split(':').next().unwrap_or(a).trim();
    if a.eq_ignore_ascii_case("end of data") {
        return "end of DATA".into();
    }
    a.split_whitespace()
        .take_while(|w| !w.contains('='))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postfix_bounced_data_reply() {
        let l = "Mar  3 10:12:01 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<ann@gmail.com>, \
                 relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1.2, \
                 delays=0.1/0/0.5/0.6, dsn=5.7.26, status=bounced (host \
                 gmail-smtp-in.l.google.com[142.250.1.27] said: 550-5.7.26 This mail is \
                 unauthenticated. 550 5.7.26 Learn more - gsmtp (in reply to end of DATA command))";
        assert_eq!(classify(l), Some(InputForm::PostfixLog));
        let r = parse_line(InputForm::PostfixLog, l).unwrap().unwrap();
        assert_eq!(r.basic, Some(550));
        assert_eq!(r.enhanced.as_deref(), Some("5.7.26"));
        assert_eq!(r.text, "This mail is unauthenticated. Learn more - gsmtp");
        assert_eq!(r.recipient.as_deref(), Some("ann@gmail.com"));
        assert_eq!(r.remote_mta.as_deref(), Some("gmail-smtp-in.l.google.com"));
        assert_eq!(r.smtp_command.as_deref(), Some("end of DATA"));
        assert_eq!(r.dsn_action.as_deref(), Some("failed"));
    }

    #[test]
    fn postfix_without_remote_reply_keeps_dsn() {
        let l = "postfix/smtp[9]: AB12: to=<x@nowhere.example>, relay=none, delay=0, \
                 dsn=4.4.1, status=deferred (connect to mx.nowhere.example[192.0.2.1]:25: \
                 Connection refused)";
        let r = parse_line(InputForm::PostfixLog, l).unwrap().unwrap();
        assert_eq!(r.basic, None);
        assert_eq!(r.enhanced.as_deref(), Some("4.4.1"));
        assert_eq!(r.remote_mta, None);
        assert_eq!(r.dsn_action.as_deref(), Some("delayed"));
    }

    #[test]
    fn exim_rcpt_rejection() {
        let l = "2024-05-01 10:00:00 1rs2Ab-000Abc-1x ** bob@example.org R=dnslookup \
                 T=remote_smtp H=mx.example.org [203.0.113.5]: SMTP error from remote mail \
                 server after RCPT TO:<bob@example.org>: 550 5.1.1 <bob@example.org>: \
                 Recipient address rejected: User unknown";
        assert_eq!(classify(l), Some(InputForm::EximLog));
        let r = parse_line(InputForm::EximLog, l).unwrap().unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(r.recipient.as_deref(), Some("bob@example.org"));
        assert_eq!(r.remote_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(r.smtp_command.as_deref(), Some("RCPT TO"));
    }

    #[test]
    fn a_relay_status_derived_from_the_class_is_not_the_replys_enhanced_code() {
        let l = "postfix/smtp[9]: AB12: to=<x@example.org>, relay=mx.example.org[192.0.2.1]:25, \
                 dsn=5.0.0, status=bounced (host mx.example.org[192.0.2.1] said: 554 Transaction \
                 failed (in reply to end of DATA command))";
        let r = parse_line(InputForm::PostfixLog, l).unwrap().unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(554), None));
        // Without a basic code of its own, the status is all there is.
        let l = "postfix/smtp[9]: AB12: to=<x@example.org>, relay=none, dsn=4.4.1, \
                 status=deferred (connect to mx.example.org[192.0.2.1]:25: Connection refused)";
        let r = parse_line(InputForm::PostfixLog, l).unwrap().unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("4.4.1"));
        let l = "sm-mta[8]: x: to=<d@example.net>, relay=mx.example.net. [198.51.100.7], \
                 dsn=4.0.0, stat=Deferred: 452 Insufficient system storage";
        let r = parse_line(InputForm::SendmailLog, l).unwrap().unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(452), None));
    }

    #[test]
    fn sendmail_with_and_without_reply() {
        let l = "May  1 10:00:00 mail sm-mta[812]: 441A0x: to=<carl@example.net>, delay=00:00:01, \
                 xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx.example.net. [198.51.100.7], \
                 dsn=5.1.1, stat=User unknown";
        assert_eq!(classify(l), Some(InputForm::SendmailLog));
        let r = parse_line(InputForm::SendmailLog, l).unwrap().unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(r.basic, None);
        assert_eq!(r.text, "User unknown");
        assert_eq!(r.remote_mta.as_deref(), Some("mx.example.net"));
        let l2 = "sm-mta[812]: 441A0y: to=<d@example.net>, relay=mx.example.net. [198.51.100.7], \
                  dsn=4.7.1, stat=Deferred: 421 4.7.1 Try again later";
        let r2 = parse_line(InputForm::SendmailLog, l2).unwrap().unwrap();
        assert_eq!(r2.basic, Some(421));
        assert_eq!(r2.dsn_action.as_deref(), Some("delayed"));
    }
}
