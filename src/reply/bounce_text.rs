//! A bounce's human-readable text to replies: its DSN fields (from the delivery-status part or
//! pasted into the text) merged with the replies its prose quotes, else the recipients and the
//! explanation it gives in words; and the text of a bounce pasted without its headers.

use super::code::Regex;
use super::types::{Extracted, InputForm, Reply};
use super::{address, body, dsn, finality, listed, prose, recipients};
use std::sync::LazyLock;

/// One copy of `reply` for each recipient named; the reply alone when none is.
pub fn for_each_named(reply: &Reply, named: Vec<String>) -> Vec<Reply> {
    if named.is_empty() {
        return vec![reply.clone()];
    }
    named
        .into_iter()
        .map(|a| Reply {
            recipient: Some(a),
            ..reply.clone()
        })
        .collect()
}

/// The text of a bounce pasted without its headers (a "bounce-body" as people paste it into a
/// ticket): its replies, read as a bounce's human part is; `None` unless the text reads as a
/// failure report and yields a reply.
pub fn from_text(text: &str) -> Option<Extracted> {
    let human = body::human_part(text);
    if !prose::reads_as_failure(human) {
        return None;
    }
    let ctx = Context {
        failed: &[],
        own: &[],
        domain: None,
        failure: true,
    };
    let mut replies = replies_of(human, Vec::new(), &ctx);
    if let [only] = replies.as_slice()
        && only.recipient.is_none()
    {
        replies = for_each_named(only, prose::recipients_of(human, &[], &[], None));
    }
    if replies.is_empty() {
        return None;
    }
    finality::settle(&mut replies, Some(finality::reads_as_delay("", human)));
    Some(Extracted {
        form: InputForm::Bounce,
        kind: Some(finality::kind_of(&replies)),
        replies,
        original: None,
    })
}

/// What the replies of a bounce's text are read against.
pub struct Context<'a> {
    /// X-Failed-Recipients.
    pub failed: &'a [String],
    /// The bounce's own, the sender's and the list's addresses.
    pub own: &'a [String],
    /// The reporting system's mail domain.
    pub domain: Option<&'a str>,
    /// Whether anything says a delivery failed (else prose alone names no failed recipient).
    pub failure: bool,
}

/// The replies of a bounce's human-readable text: its DSN fields (from the delivery-status part,
/// else pasted into the text) merged with the replies in its prose; failing both, the
/// recipients and explanation it gives in words.
pub fn replies_of(human: &str, mut dsn: Vec<Reply>, ctx: &Context<'_>) -> Vec<Reply> {
    if dsn.is_empty() {
        dsn = inline_dsn(human);
    }
    let from_dsn = !dsn.is_empty();
    let mut replies = merge(dsn, body::replies(human));
    // The bounce's own, the sender's and the list's addresses are never recipients (a line
    // `To: list@...` of a quoted summary reads like a recipient heading). A DSN's recipient
    // field is the reporting server's own statement and stands, even when someone wrote to
    // themselves; so does a Postfix or qmail heading (`<ann@example.org>:` on its own line).
    for r in replies.iter_mut().filter(|_| !from_dsn) {
        if r.recipient.as_deref().is_some_and(|a| {
            ctx.own.iter().any(|o| o.eq_ignore_ascii_case(a)) && !heading(human, a)
        }) {
            r.recipient = None;
        }
    }
    // A DSN block without a Diagnostic-Code leaves the why to the prose: the recipient's own
    // block of it, else all of it.
    for r in replies.iter_mut().filter(|r| r.text.is_empty()) {
        r.text = r
            .recipient
            .clone()
            .and_then(|rcpt| {
                prose::codeless(human, std::slice::from_ref(&rcpt), ctx.own, ctx.domain).pop()
            })
            .map_or_else(|| prose::explanation(human), |p| p.text);
    }
    // A DSN block that names no Internet recipient (an X.400 or local one): the prose's. (A
    // lone reply is given every recipient the prose names, by the caller.) Only where the
    // prose lists the recipients the other blocks name: prose that names none of them speaks
    // of other addresses (a summary of one, a forwarding address), and pairing its address
    // with the unnamed block would be a guess.
    if replies.len() > 1 && replies.iter().any(|r| r.recipient.is_none()) && ctx.failure {
        let named = prose::recipients_of(human, ctx.failed, ctx.own, ctx.domain);
        let taken: Vec<String> = replies.iter().filter_map(|r| r.recipient.clone()).collect();
        let same_list = taken
            .iter()
            .all(|t| named.iter().any(|n| n.eq_ignore_ascii_case(t)));
        let mut spare = named
            .into_iter()
            .filter(|a| same_list && !taken.contains(a));
        for r in replies.iter_mut().filter(|r| r.recipient.is_none()) {
            r.recipient = spare.next();
        }
    }
    if replies.is_empty() && ctx.failure {
        replies = prose::codeless(human, ctx.failed, ctx.own, ctx.domain);
    } else if !from_dsn && ctx.failure {
        listed::share(human, &mut replies, ctx.failed, ctx.own, ctx.domain);
        replies.extend(unquoted(human, &replies, ctx));
    }
    aliases(human, &mut replies);
    replies
}

/// Exim and Postfix list each failed address with its reason: some with the remote server's
/// reply, some in words alone (`Unrouteable address`, `mail for example.org loops back to
/// myself`). The replies found carry codes; each address the prose lists as failed that none of
/// them names gets a reply of its own words. Where a failed-recipients header names the
/// failures, only its addresses count.
fn unquoted(human: &str, found: &[Reply], ctx: &Context<'_>) -> Vec<Reply> {
    if found.iter().any(|r| r.recipient.is_none()) {
        return Vec::new();
    }
    let lines: Vec<&str> = human.lines().take(400).collect();
    let covered = |a: &str| {
        found.iter().any(|r| {
            r.recipient
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(a))
        })
    };
    let listed: Vec<String> = recipients::named(&lines, ctx.own, ctx.domain)
        .into_iter()
        .map(|n| n.address)
        .filter(|a| ctx.failed.is_empty() || ctx.failed.iter().any(|f| f.eq_ignore_ascii_case(a)))
        .collect();
    if listed.iter().all(|a| covered(a)) {
        return Vec::new();
    }
    // Every listed address is passed so that each one's words end where the next one's begin.
    prose::codeless(human, &listed, ctx.own, ctx.domain)
        .into_iter()
        .filter(|r| r.recipient.as_deref().is_some_and(|a| !covered(a)))
        .collect()
}

/// Whether a line of the text opens with `<addr>:`, the heading Postfix and qmail give each
/// failed recipient.
fn heading(human: &str, addr: &str) -> bool {
    let head = format!("<{}>:", addr.to_ascii_lowercase());
    human
        .lines()
        .any(|l| l.trim_start().to_ascii_lowercase().starts_with(&head))
}

/// Sendmail and Postfix name the address an alias was expanded from (`(expanded from:
/// <ann@example.org>)`): the address the sender used, so the one on its list. Each gets the
/// reply of the address it was expanded to, after the replies already found.
fn aliases(human: &str, replies: &mut Vec<Reply>) {
    let mut extra: Vec<Reply> = Vec::new();
    let has = |a: &str, rs: &[Reply]| {
        rs.iter().any(|r| {
            r.recipient
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(a))
        })
    };
    for c in EXPANDED_FROM.captures_iter(human) {
        let (Some(to), Some(from)) = (
            c.get(1).and_then(|m| address::clean(m.as_str())),
            c.get(2).and_then(|m| address::clean(m.as_str())),
        ) else {
            continue;
        };
        if has(&from, replies) || has(&from, &extra) {
            continue;
        }
        if let Some(r) = replies.iter().find(|r| {
            r.recipient
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(&to))
        }) {
            extra.push(Reply {
                recipient: Some(from),
                ..r.clone()
            });
        }
    }
    replies.extend(extra);
}

/// `<to> (expanded from <from>)` on one line (Postfix) or a line below (Sendmail).
static EXPANDED_FROM: LazyLock<Regex> = LazyLock::new(|| {
    super::code::re(
        r"(?i)<?([^\s<>()]+@[^\s<>()]+?)>?[:.]?[ \t]*(?:\n[ \t]*(?:\(reason:[^\n]*\)[ \t]*\n[ \t]*)?)?\(expanded from:?\s*<?([^\s<>()]+@[^\s<>()]+?)>?\)",
    )
});

/// A DSN pasted into the text body (no MIME structure): start at its first field.
fn inline_dsn(text: &str) -> Vec<Reply> {
    let start = ["Final-Recipient:", "Original-Recipient:", "Reporting-MTA:"]
        .iter()
        .filter_map(|m| text.find(m))
        .min();
    start.map_or_else(Vec::new, |s| {
        dsn::parse(&text[s..])
            .into_iter()
            .filter(|r| r.recipient.is_some())
            .collect()
    })
}

/// Combines DSN replies with the replies found in the prose: the DSN decides who and what
/// status; the prose supplies a reply the DSN lacks (no Diagnostic-Code, or no codes at all).
fn merge(mut dsn: Vec<Reply>, prose: Vec<Reply>) -> Vec<Reply> {
    if dsn.is_empty() {
        return prose;
    }
    // An unnamed prose reply pairs with a block by position only where the prose quotes one
    // reply per block: one reply quoted for one of three recipients (chasquid's "Technical
    // details") belongs to whichever block its words are, not to the first.
    let by_position = prose.len() == dsn.len() || dsn.len() == 1;
    for (i, d) in dsn.iter_mut().enumerate() {
        let matched = d
            .recipient
            .as_deref()
            .and_then(|rc| {
                prose.iter().find(|p| {
                    p.recipient
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(rc))
                })
            })
            .or_else(|| {
                prose
                    .get(i)
                    .filter(|p| p.recipient.is_none() && (by_position || same_words(d, p)))
            });
        let Some(p) = matched else { continue };
        if d.basic.is_none() && p.basic.is_some() {
            d.basic = p.basic;
            if d.text.is_empty() {
                d.text = p.text.clone();
            }
        }
        // Exim writes `Status: 5.0.0` whatever happened: a specific code of the same class in
        // the reply the prose quotes says more.
        let generic = d.enhanced.as_deref().is_none_or(|e| e.ends_with(".0.0"));
        let same_class = |e: &str| {
            d.enhanced
                .as_deref()
                .is_none_or(|own| own.as_bytes().first() == e.as_bytes().first())
        };
        if generic && let Some(e) = p.enhanced.as_deref().filter(|e| same_class(e)) {
            d.enhanced = Some(e.to_string());
        }
        if d.remote_mta.is_none() {
            d.remote_mta = p.remote_mta.clone();
        }
        if d.smtp_command.is_none() {
            d.smtp_command = p.smtp_command.clone();
        }
    }
    dsn
}

/// Whether a prose reply quotes a DSN block's own diagnostic words (compared as lowercase
/// letters and digits, so that folding and punctuation do not matter).
fn same_words(d: &Reply, p: &Reply) -> bool {
    let norm = |t: &str| -> String {
        t.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (own, quoted) = (norm(&d.text), norm(&p.text));
    !own.is_empty() && !quoted.is_empty() && (quoted.contains(&own) || own.contains(&quoted))
}

#[cfg(test)]
mod tests {
    use crate::reply::extract;

    fn two_blocks(prose: &str) -> Vec<Option<String>> {
        let text = format!(
            "From: Mail Delivery System <MAILER-DAEMON@relay.example.org>\n\
             To: list@example.com\nSubject: Delivery Status Notification (Failure)\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
             --B\nContent-Type: text/plain\n\n{prose}\n\n\
             --B\nContent-Type: message/delivery-status\n\n\
             Reporting-MTA: dns; relay.example.org\n\n\
             Final-Recipient: rfc822; ann@example.net\nAction: failed\nStatus: 5.7.1\n\
             Diagnostic-Code: smtp; 550 5.7.1 Message refused\n\n\
             Final-Recipient: x400; G=Bob/S=Smith/O=Example/C=FR\nAction: failed\n\
             Status: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 Message refused\n\n--B--\n"
        );
        let x = extract(text.as_bytes()).unwrap();
        x.replies.into_iter().map(|r| r.recipient).collect()
    }

    #[test]
    fn an_unnamed_block_takes_the_proses_address_only_where_the_prose_lists_the_others() {
        // The prose lists both recipients: the one the DSN does not name is the X.400 block's.
        assert_eq!(
            two_blocks(
                "Delivery failed to these recipients:\n  ann@example.net\n  bob.smith@example.net"
            ),
            [
                Some("ann@example.net".to_string()),
                Some("bob.smith@example.net".to_string())
            ]
        );
        // The prose speaks of someone the DSN does not name at all: no guess.
        assert_eq!(
            two_blocks("The following message to <carl@example.net> was undeliverable."),
            [Some("ann@example.net".to_string()), None]
        );
    }

    /// An Exim bounce listing one address with the server's reply and others in words alone.
    fn exim(failures: &str, header: &str) -> Vec<(Option<String>, Option<u16>, String)> {
        let text = format!(
            "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n\
             To: ann@example.com\nSubject: Mail delivery failed: returning message to sender\n\
             {header}\n\n\
             This message was created automatically by mail delivery software.\n\n\
             A message that you sent could not be delivered to one or more of its\n\
             recipients. This is a permanent error. The following address(es) failed:\n\n\
             {failures}\n"
        );
        let x = extract(text.as_bytes()).unwrap();
        x.replies
            .into_iter()
            .map(|r| (r.recipient, r.basic, r.text))
            .collect()
    }

    #[test]
    fn an_address_failed_in_words_beside_one_failed_with_a_code_keeps_its_own_reply() {
        let coded = "  bob@example.net\n    SMTP error from remote mail server after RCPT TO:<bob@example.net>:\n    \
                     host mx.example.net [203.0.113.9]: 550 5.2.1 mailbox disabled";
        let worded = "  kim@example.net\n    Unrouteable address";
        let got = exim(&format!("{worded}\n{coded}"), "");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0.as_deref(), Some("bob@example.net"));
        assert_eq!(got[0].1, Some(550));
        assert_eq!(got[1].0.as_deref(), Some("kim@example.net"));
        assert_eq!((got[1].1, got[1].2.as_str()), (None, "Unrouteable address"));
        // The words end where the next address begins, whichever comes first.
        let got = exim(
            &format!("{coded}\n{worded}\n  lee@example.net\n    retry timeout exceeded"),
            "",
        );
        let texts: Vec<(&str, &str)> = got
            .iter()
            .map(|(r, _, t)| (r.as_deref().unwrap_or("-"), t.as_str()))
            .collect();
        assert_eq!(
            texts[1..],
            [
                ("kim@example.net", "Unrouteable address"),
                ("lee@example.net", "retry timeout exceeded")
            ]
        );
        // A failed-recipients header names the failures: an address it leaves out is not one.
        let got = exim(
            &format!("{coded}\n{worded}"),
            "X-Failed-Recipients: bob@example.net",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        // Mail.ru names the failures in its own header too: the same holds for it alone.
        let got = exim(
            &format!("{coded}\n{worded}"),
            "X-Mailer-Daemon-Recipients: bob@example.net",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0.as_deref(), Some("bob@example.net"));
    }

    #[test]
    fn a_reply_quoted_for_one_of_several_recipients_stays_with_its_own_block() {
        // chasquid's notice quotes the one SMTP reply it got, for the second of three
        // recipients, under names that are no addresses.
        let text = "From: Mail Delivery System <postmaster@relay.example.org>\n\
             To: ann@example.com\nSubject: Mail delivery failed: returning message to sender\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
             --B\nContent-Type: text/plain\n\n\
             Technical details:\n- \"first\" failed permanently with error:\n    mailbox gone\n\
             - \"second\" failed permanently with error:\n    550 5.7.1 Message refused as spam\n\
             - \"third\" failed repeatedly and timed out\n\n\
             --B\nContent-Type: message/delivery-status\n\n\
             Reporting-MTA: dns; relay.example.org\n\n\
             Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.0.0\n\
             Diagnostic-Code: smtp; mailbox gone\n\n\
             Final-Recipient: rfc822; kim@example.net\nAction: failed\nStatus: 5.0.0\n\
             Diagnostic-Code: smtp; 550 5.7.1 Message refused as spam\n\n\
             Final-Recipient: rfc822; lee@example.net\nAction: failed\nStatus: 4.0.0\n\
             Diagnostic-Code: smtp; connection timed out\n\n--B--\n";
        let x = extract(text.as_bytes()).unwrap();
        let got: Vec<(Option<&str>, Option<&str>, Option<u16>)> = x
            .replies
            .iter()
            .map(|r| (r.recipient.as_deref(), r.enhanced.as_deref(), r.basic))
            .collect();
        assert_eq!(
            got,
            [
                (Some("bob@example.net"), Some("5.0.0"), None),
                (Some("kim@example.net"), Some("5.7.1"), Some(550)),
                (Some("lee@example.net"), Some("4.0.0"), None),
            ]
        );
    }
}
