//! Whole bounce messages (.eml): what the message is (a bounce, a delay warning, or a message
//! that is no bounce), its failed recipients and their replies, and the returned original.

use super::addressees::{named_in, own_addresses, written_to_self};
use super::bounce_text::{Context, for_each_named, replies_of};
use super::code::Regex;
use super::mime::{self, Parts};
use super::types::{Extracted, InputError, InputForm, MessageKind, Reply};
use super::{address, body, finality, headers, notices, prose};
use mail_parser::{Message, MessageParser};
use std::sync::LazyLock;

/// The mbox separator of a bounce pasted into another message's text (an operator's relay
/// forwarding it inline): the embedded bounce starts on the next line.
static EMBEDDED_BOUNCE: LazyLock<Regex> =
    LazyLock::new(|| super::code::re(r"(?m)^From (?:MAILER-DAEMON|postmaster)\b[^\n]*\n"));

/// The line a mail client writes above a message forwarded inline (in the languages clients
/// write it in); the forwarded message's header block follows.
static INLINE_FORWARD: LazyLock<Regex> = LazyLock::new(|| {
    super::code::re(
        r"(?mi)^[ \t]*(?:-{2,}[ \t]*(?:forwarded message|original message|weitergeleitete nachricht|ursprüngliche nachricht|message transféré|message d'origine|mensaje reenviado|mensaje original|mensagem encaminhada|messaggio inoltrato)[ \t]*-{2,}|begin forwarded message:|anfang der weitergeleiteten nachricht:|début du message réexpédié ?:)[ \t]*\r?$",
    )
});

/// True when the input starts like an RFC 5322 message (or an mbox "From " line). A header
/// folded without indentation (a continuation line that lost its leading space on the way)
/// is tolerated a few times, among at least twice as many known header fields.
pub fn looks_like_message(text: &str) -> bool {
    let mut known = 0;
    let mut junk = 0;
    for (n, line) in text.lines().take(60).enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if n == 0 && line.starts_with("From ") {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let field = line
            .split_once(':')
            .map(|(name, _)| name)
            .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace));
        let Some(name) = field else {
            junk += 1;
            if junk > 5 || n == 0 {
                return false;
            }
            continue;
        };
        let name = name.to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "received"
                | "from"
                | "to"
                | "subject"
                | "date"
                | "message-id"
                | "return-path"
                | "content-type"
                | "mime-version"
                | "delivered-to"
                | "x-failed-recipients"
        ) {
            known += 1;
        }
    }
    known >= 2 && known >= 2 * junk
}

/// Extracts every reply of a bounce message. ARF feedback reports are not bounces: they carry
/// no SMTP reply; each reported recipient yields a complaint, except in an authentication
/// failure or not-spam report, which yields none. Auto-replies yield one reply of
/// the responder; challenge-response requests, read receipts and success-only DSNs yield none.
/// A message with no sign of a failed delivery is refused as not a bounce.
pub fn extract(input: &[u8]) -> Result<Extracted, InputError> {
    extract_at(input, 0)
}

/// How many forwarded or embedded bounces one extraction opens, one inside the other: enough
/// for a forwarded bounce whose own notice embeds the receiver's bounce.
const MAX_DEPTH: u8 = 2;

/// As [`extract`]; `depth` counts the forwarded or embedded bounces already opened.
fn extract_at(input: &[u8], depth: u8) -> Result<Extracted, InputError> {
    let msg = mime::parse(input).ok_or(InputError::BounceWithoutStatus)?;
    if mime::nesting(&msg) > mime::MAX_NESTED {
        mime::drop_flat(msg);
        return Err(InputError::NestedTooDeep(mime::MAX_NESTED));
    }
    let Parts {
        dsn: dsn_replies,
        text,
        mut original,
        feedback,
        disposition,
        original_to,
        attached,
        jmrp,
    } = mime::parts(&msg);
    let human = body::human_part(&text);
    if original.is_none() && human.len() < text.len() {
        original = headers::from_raw(strip_quote(&text[human.len()..]));
    }
    let own = own_addresses(&msg, original.as_ref());
    let done = |kind, replies| {
        Ok(Extracted {
            form: InputForm::Bounce,
            kind: Some(kind),
            replies,
            original: original.clone(),
        })
    };
    if let Some(report) = feedback {
        if let Some(kind) = notices::not_a_complaint(&report) {
            // No SMTP reply and no complaint: the report's recipient is not to be suppressed.
            return done(kind, Vec::new());
        }
        let rcpt = original_to.as_deref();
        return done(
            MessageKind::FeedbackReport,
            notices::feedback(&report, rcpt),
        );
    }
    if let Some(rcpt) = jmrp.filter(|_| dsn_replies.is_empty()) {
        return done(
            MessageKind::FeedbackReport,
            vec![notices::complaint(
                "abuse",
                Some("Microsoft JMRP"),
                Some(rcpt),
            )],
        );
    }
    if disposition && dsn_replies.is_empty() {
        return done(MessageKind::ReadReceipt, Vec::new());
    }
    if dsn_replies.is_empty()
        && let Some((kind, mut replies)) = notices::ses(human)
    {
        // An Amazon SES notification: its JSON fields say everything.
        if kind == MessageKind::Bounce {
            finality::settle(&mut replies, Some(false));
        }
        return done(kind, replies);
    }
    if depth < MAX_DEPTH
        && dsn_replies.is_empty()
        && !from_mail_system(&msg)
        && let Some(inner) = inline_forwarded_bounce(&text)
        && let Ok(forwarded) = extract_at(inner.as_bytes(), depth + 1)
        && forwarded.kind.is_some_and(MessageKind::is_failure_report)
    {
        // A bounce a person forwarded inline: the replies are the bounce's, and the words
        // above it ("it said 452 4.2.2 mailbox full last time") are no receiver's reply.
        return Ok(forwarded);
    }
    // Decoded: an address with non-ASCII characters comes as an RFC 2047 encoded word.
    let failed: Vec<String> = msg
        .headers_raw()
        .filter(|(n, _)| names_failed(n))
        .map(|(_, v)| decode_words(v))
        .flat_map(|v| v.split(',').filter_map(address::clean).collect::<Vec<_>>())
        .collect();
    // Exim names a failed delivery to a program, a file or a filter by a pseudo-address
    // (`|/usr/bin/procmail`, `system-filter`): the notice has said who failed, and the addresses
    // its text quotes (the program's command line and output) are no recipients.
    // A header that holds something else (a MIME line that slipped in) says nothing of the kind.
    let pseudo = |v: &str| {
        let v = v.trim();
        v.starts_with(['|', '/'])
            || !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c))
    };
    let named_no_address = failed.is_empty()
        && msg
            .headers_raw()
            .any(|(n, v)| names_failed(n) && !v.trim().is_empty() && v.split(',').all(pseudo));
    let subject = msg.subject().unwrap_or("");
    let domain = reporting_domain(&msg);
    let marked = [
        "X-Autoreply",
        "X-Autorespond",
        "X-Autoresponder",
        "X-Vacation",
    ]
    .iter()
    .any(|h| msg.header_raw(*h).is_some());
    // A sending service passes the recipient's automatic reply on from its own MAILER-DAEMON
    // (Amazon SES's `Out of Office Re: ...`): the responder's marking and an out-of-office
    // subject, with no report part, say what it is, whoever relayed it.
    let relayed_reply = dsn_replies.is_empty()
        && !mime::is_report(&msg)
        && (marked || notices::marked_auto_replied(msg.header_raw("Auto-Submitted")))
        && notices::subject_reads_as_auto_reply(subject);
    // A responder writes from the person's address; the mail system (MAILER-DAEMON, postmaster,
    // an empty From) marks its own bounces `auto-replied` too (Exim's `:fail:` texts).
    let auto_reply = failed.is_empty()
        && (relayed_reply
            || !from_mail_system(&msg)
                && (notices::is_auto_reply(msg.header_raw("Auto-Submitted"), marked, subject)
                    || dsn_replies.is_empty() && notices::reads_as_away(human)));
    // What only a notice has: the mail system as its sender, a report part, a failed-recipients
    // header, the returned original. A company's "your parcel could not be delivered" has none.
    let notice = !failed.is_empty()
        || from_mailer_daemon(&msg)
        || from_mail_system(&msg)
        || mime::is_report(&msg)
        || original.is_some();
    // English failure words count from any sender, as they always have; another language's
    // only in a notice.
    let local = |t: &str| notice && prose::reads_as_failure_in_any_language(t);
    // Words, headers or a sender that say a delivery failed: only then may the prose's
    // addresses be taken for failed recipients.
    let failure = !failed.is_empty()
        || prose::reads_as_failure(human)
        || prose::reads_as_failure(subject)
        || local(human)
        || local(subject)
        || from_mailer_daemon(&msg)
        || mime::is_report(&msg);
    let ctx = Context {
        failed: &failed,
        own: &own,
        domain: domain.as_deref(),
        // An auto-reply's prose names people, not failed recipients: only its codes count.
        failure: failure && !auto_reply,
    };
    let mut replies = replies_of(human, dsn_replies, &ctx);
    // MIME so broken that the parser found no text (an unfolded `boundary=` line, say): the
    // raw body is the text it mostly is, and the rest reads that.
    let raw_body;
    let mut human = human;
    if replies.is_empty() {
        let raw = crate::utf8::lossy(input);
        let at = [
            raw.find("\n\n").map(|i| i + 2),
            raw.find("\r\n\r\n").map(|i| i + 4),
        ]
        .into_iter()
        .flatten()
        .min();
        raw_body = at.map_or("", |i| &raw[i..]).to_string();
        let raw_human = body::human_part(&raw_body);
        replies = replies_of(raw_human, Vec::new(), &ctx);
        if !replies.is_empty() {
            human = raw_human;
        }
    }
    if replies.is_empty()
        && depth < MAX_DEPTH
        && let Some(inner) = attached
        && let Ok(forwarded) = extract_at(&inner, depth + 1)
        && forwarded.kind.is_some_and(MessageKind::is_failure_report)
    {
        // A bounce forwarded as an attachment: the replies are in the attached message.
        return Ok(forwarded);
    }
    if replies.is_empty()
        && failed.is_empty()
        && let Some([to]) = original.as_ref().map(|o| o.to.as_slice())
        && !own.iter().any(|o| o.eq_ignore_ascii_case(to))
        && prose::reads_as_failure_in_any_language(human)
    {
        // A failure notice that names nobody ("Message could not be delivered to mobile."):
        // the returned original had one addressee, and that is who it failed to reach.
        replies = prose::codeless(human, std::slice::from_ref(to), &own, None);
    }
    if let [only] = replies.as_slice()
        && only.recipient.is_none()
        && !named_no_address
    {
        // One reply and no recipient heading: every recipient the prose names failed with it.
        replies = for_each_named(only, prose::recipients_of(human, &failed, &own, ctx.domain));
    }
    if !replies.iter().any(Reply::has_code)
        && depth < MAX_DEPTH
        && let Some(m) = EMBEDDED_BOUNCE.find(&text)
        && let Ok(inner) = extract_at(&text.as_bytes()[m.end()..], depth + 1)
        && inner.replies.iter().any(Reply::has_code)
    {
        // The outer notice only relays; the embedded bounce holds the receiver's reply.
        return Ok(inner);
    }
    if replies.is_empty() && auto_reply && notices::is_challenge(human) {
        // Challenge-response filters mark their requests `auto-replied` too: the request, not
        // the marking, says what the sender is asked to do.
        return done(MessageKind::ChallengeResponse, Vec::new());
    }
    if replies.is_empty() && auto_reply {
        // Marked as an automatic reply and reporting no failure (Exchange and Yandex mark
        // their bounces `auto-replied` too: their DSN decides).
        // A relaying mail system's address is not the responder's.
        let responder = own
            .first()
            .map(String::as_str)
            .filter(|_| !from_mail_system(&msg));
        return done(
            MessageKind::AutoReply,
            vec![notices::auto_reply(responder, subject)],
        );
    }
    if !replies.iter().any(|r| r.basic.is_some())
        && (notices::is_challenge(human) || replies.iter().any(|r| notices::is_challenge(&r.text)))
    {
        // A challenge-response filter holds the message until the sender confirms; its notice
        // may come dressed as a DSN, but no server refused anything.
        return done(MessageKind::ChallengeResponse, Vec::new());
    }
    // With no recipient and no code, only a notice reports a failure; a failure subject alone
    // counts only from the mail system.
    if replies.is_empty()
        && failure
        && notice
        && let Some(r) = prose::unnamed(human, subject, from_mailer_daemon(&msg))
    {
        // "You sent mail to ann@example.org. That's not a valid user here.": the one address
        // its words name as the recipient is who it failed to reach.
        replies = for_each_named(&r, prose::recipients_of(human, &failed, &own, ctx.domain));
    }
    if let [only] = replies.as_mut_slice()
        && only.recipient.is_none()
        && ctx.failure
        && let Some(to) = written_to_self(human, &msg, original.as_ref())
    {
        // The sender wrote to their own address (a test sent to oneself, a list owner on their
        // own list): the notice's summary names it, and the returned original was addressed to
        // it. Being the sender's too kept it out above; it is still who the message missed.
        only.recipient = Some(to);
    }
    if let [only] = replies.as_slice()
        && only.recipient.is_none()
        && ctx.failure
        && let Some(o) = original.as_ref()
    {
        // Exchange names recipients by display name only ("'Ann Kim' on 1/12/2026"): the
        // returned original's To and Cc say which address each name stands for.
        let by_name = named_in(human, &o.named);
        if !by_name.is_empty() {
            replies = for_each_named(only, by_name);
        }
    }
    // A partial delivery report (RFC 3464 allows a DSN of several recipients whose outcomes
    // differ): the recipients it delivered are no failures of the sender's list.
    if replies.iter().any(|r| !reports_delivery(r)) {
        replies.retain(|r| !reports_delivery(r));
    }
    if replies.is_empty() {
        // A receipt from the mail system ("Your message has been delivered to ...") that names
        // no one, and failure words outside any notice (a parcel "could not be delivered"),
        // are no bounce.
        return Err(if failure && notice && !prose::reads_as_success(human) {
            InputError::BounceWithoutStatus
        } else {
            InputError::NotABounce
        });
    }
    let warning = finality::reads_as_delay(subject, human);
    finality::settle(&mut replies, Some(warning));
    let kind = finality::kind_of(&replies);
    done(kind, replies)
}

/// The headers in which a mail system names the addresses that failed: Exim's
/// `X-Failed-Recipients`, and Mail.ru's `X-Mailer-Daemon-Recipients`, which it writes beside it
/// (a copy that kept only Mail.ru's own header still says who failed).
const FAILED_RECIPIENTS_HEADERS: [&str; 2] = ["X-Failed-Recipients", "X-Mailer-Daemon-Recipients"];

fn names_failed(header: &str) -> bool {
    FAILED_RECIPIENTS_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(header))
}

/// Whether a reply reports a delivery: a DSN block whose Action is delivered, relayed or
/// expanded, or whose only code is a 2.x.x status.
fn reports_delivery(r: &Reply) -> bool {
    r.dsn_action.as_deref().is_some_and(|a| {
        ["delivered", "relayed", "expanded"]
            .iter()
            .any(|k| a.eq_ignore_ascii_case(k))
    }) || r.basic.is_none() && r.enhanced.as_deref().is_some_and(|e| e.starts_with('2'))
}

/// The mail domain of the system that wrote the bounce (its From, `MAILER-DAEMON@aol.com` ->
/// `aol.com`): the domain of recipients it names by user name only.
fn reporting_domain(msg: &Message<'_>) -> Option<String> {
    let from = msg.from()?.first()?.address()?;
    let (_, host) = from.rsplit_once('@')?;
    Some(address::mail_domain(host))
}

/// Whether the bounce comes from a mailer daemon or postmaster, or with the null reverse-path
/// that RFC 5321 section 4.5.5 gives notifications.
/// A header value with its RFC 2047 encoded words decoded. The parser decodes them only in the
/// fields it knows as text, so the value is read as one of those.
fn decode_words(raw: &str) -> String {
    if !raw.contains("=?") {
        return raw.to_string();
    }
    let one_field = format!("Subject: {}\n\n", raw.trim());
    MessageParser::default()
        .parse(one_field.as_bytes())
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_else(|| raw.to_string())
}

/// The bounce a person forwarded inline: the text from the forwarded header block on, when a
/// client's forward line stands above it and its From is the mail system (MAILER-DAEMON,
/// postmaster, "Mail Delivery ...").
fn inline_forwarded_bounce(text: &str) -> Option<&str> {
    let m = INLINE_FORWARD.find(text)?;
    let rest = text[m.end()..].trim_start_matches(['\r', '\n', ' ', '\t']);
    let from_system = rest
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .take(100)
        .filter_map(|l| l.split_once(':'))
        .any(|(name, value)| {
            let v = value.to_ascii_lowercase();
            name.trim().eq_ignore_ascii_case("from")
                && (v.contains("mailer-daemon")
                    || v.contains("postmaster")
                    || v.contains("mail delivery"))
        });
    (from_system && looks_like_message(rest)).then_some(rest)
}

/// Whether the message's From is the mail system's own: MAILER-DAEMON, postmaster, or no
/// address at all (`From: <>`).
fn from_mail_system(msg: &Message<'_>) -> bool {
    let Some(from) = msg.from().and_then(|f| f.first()) else {
        return msg.header_raw("From").is_some();
    };
    from.address()
        .map(str::trim)
        .is_none_or(|a| a.is_empty() || is_daemon(a.split('@').next().unwrap_or(a)))
}

fn is_daemon(local: &str) -> bool {
    let l = local.to_ascii_lowercase();
    l.contains("mailer-daemon") || l == "postmaster" || l.contains("mail-daemon")
}

fn from_mailer_daemon(msg: &Message<'_>) -> bool {
    let null_path = msg
        .header_raw("Return-Path")
        .is_some_and(|v| v.trim().trim_matches(['<', '>']).trim().is_empty());
    let daemon = msg
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .and_then(|a| a.split('@').next())
        .is_some_and(is_daemon);
    null_path || daemon
}

/// Drops `>` quoting and leading "---- Original message ----" lines before header parsing.
fn strip_quote(s: &str) -> &str {
    let mut rest = s;
    while let Some((first, tail)) = rest.split_once('\n') {
        let f = first.trim();
        if f.is_empty()
            || !f.contains(':')
            || f.starts_with('-')
            || f.contains(' ') && f.split(':').next().is_none_or(|k| k.contains(' '))
        {
            rest = tail;
        } else {
            break;
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_marked_auto_replied_is_a_challenge_not_an_auto_reply() {
        let text = "From: Filter <confirm@example.net>\nTo: ann@example.org\n\
            Subject: Please confirm your message\nAuto-Submitted: auto-replied\n\n\
            I use a challenge-response filter. Your message to paul@example.net is held: please \
            verify that you are a human sender at https://verify.example.net/c/1 .\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::ChallengeResponse));
        assert!(x.replies.is_empty(), "{:?}", x.replies);
        // Without the request it stays an auto-reply.
        let away = text.replace(
            "I use a challenge-response filter. Your message to paul@example.net is held: please \
             verify that you are a human sender at https://verify.example.net/c/1 .",
            "I am out of the office until Monday.",
        );
        let x = extract(away.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::AutoReply));
    }

    #[test]
    fn a_partial_delivery_report_names_only_the_addresses_that_failed_or_wait() {
        let text = "From: MAILER-DAEMON@mx.example.org\nTo: ann@example.com\n\
            Subject: Partially delivered message\nMIME-Version: 1.0\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
            --B\nContent-Type: text/plain\n\nYour message has been partially delivered.\n\n\
            --B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mx.example.org\n\n\
            Final-Recipient: rfc822;kim@example.org\nAction: failed\nStatus: 5.1.1\n\
            Diagnostic-Code: smtp;550 5.1.1 User unknown\n\n\
            Final-Recipient: rfc822;lee@example.org\nAction: delivered\nStatus: 2.1.5\n\n\
            Final-Recipient: rfc822;max@example.org\nAction: delayed\nStatus: 4.4.1\n\n--B--\n";
        let x = extract(text.as_bytes()).unwrap();
        let named: Vec<_> = x
            .replies
            .iter()
            .filter_map(|r| r.recipient.as_deref())
            .collect();
        assert_eq!(named, ["kim@example.org", "max@example.org"]);
    }

    #[test]
    fn a_bounce_pasted_into_a_relays_notice_is_read_for_its_reply() {
        let text = "From: MAILER-DAEMON@relay.example.jp\nTo: ann@example.com\n\
            Subject: Undelivered Mail Returned to Sender\nContent-Type: text/plain\n\n\
            I'm sorry to have to inform you that the message returned\n\
            below could not be delivered to one or more destinations.\n\n\
            For further assistance, please contact <support@relay.example.jp>\n\n\
            ---------------------------------\n\
            From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\n\
            Return-Path: <>\n\
            Received: from mx.example.jp (mx.example.jp [203.0.113.22])\n\tby relay.example.jp\n\
            From: MAILER-DAEMON@mx.example.jp\nTo: ann@example.com\n\
            Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
            --B\nContent-Type: text/plain\n\nThis is the mail system.\n\n\
            --B\nContent-Type: message/delivery-status\n\n\
            Reporting-MTA: dns; mx.example.jp\n\n\
            Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 4.0.0\n\
            Diagnostic-Code: X-Postfix; connect to mx.example.net[192.0.2.2]: server refused\n    \
            to talk to me: 421 Service not available, closing transmission channel\n\n--B--\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.replies.len(), 1, "{:?}", x.replies);
        assert_eq!(x.replies[0].recipient.as_deref(), Some("bob@example.net"));
        assert_eq!(x.replies[0].basic, Some(421));
        assert_eq!(x.replies[0].enhanced.as_deref(), Some("4.0.0"));
    }

    #[test]
    fn a_bounce_forwarded_as_an_attachment_is_read_before_the_forwarders_words() {
        let text = "From: helpdesk@example.com\nTo: admin@example.com\nSubject: Fwd: bounce\n\
            MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"O\"\n\n\
            --O\nContent-Type: text/plain\n\nAnn's mail could not be delivered, see attached.\n\n\
            --O\nContent-Type: message/rfc822\n\n\
            From: MAILER-DAEMON@mx.example.jp\nTo: ann@example.com\nSubject: failure\n\
            MIME-Version: 1.0\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
            --B\nContent-Type: text/plain\n\nThis is the mail system.\n\n\
            --B\nContent-Type: message/delivery-status\n\n\
            Reporting-MTA: dns; mx.example.jp\n\n\
            Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.1.1\n\
            Diagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: User unknown\n\n--B--\n\n--O--\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.replies.len(), 1, "{:?}", x.replies);
        assert_eq!(x.replies[0].recipient.as_deref(), Some("bob@example.net"));
        assert_eq!(x.replies[0].enhanced.as_deref(), Some("5.1.1"));
    }

    /// A person forwarding a bounce inline, with a code of their own above it: the bounce's
    /// reply is the failure (before: the forwarder's 452 4.2.2 came first, without recipient).
    #[test]
    fn a_bounce_forwarded_inline_is_read_without_the_forwarders_words() {
        let text = "From: alice@example.org\nTo: helpdesk@example.org\n\
            Subject: Fwd: Undelivered Mail Returned to Sender\n\n\
            Why did this bounce? Last week it said 452 4.2.2 mailbox full.\n\n\
            ---------- Forwarded message ---------\n\
            From: Mail Delivery System <MAILER-DAEMON@relay.example.org>\n\
            Date: Sun, 6 Dec 2026 10:00:00 +0100\n\
            Subject: Undelivered Mail Returned to Sender\nTo: alice@example.org\n\n\
            This is the mail system at host relay.example.org.\n\n\
            <bob@example.net>: host mx.example.net[192.0.2.9] said: 550 5.1.1\n    \
            <bob@example.net>: Recipient address rejected: User unknown (in reply\n    \
            to RCPT TO command)\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.replies.len(), 1, "{:?}", x.replies);
        assert_eq!(x.replies[0].recipient.as_deref(), Some("bob@example.net"));
        assert_eq!(x.replies[0].enhanced.as_deref(), Some("5.1.1"));
        // A forward of a person's message is no bounce of the forwarded part.
        let text = "From: alice@example.org\nTo: bob@example.org\nSubject: Fwd: lunch\n\n\
            See below.\n\n---------- Forwarded message ---------\n\
            From: Carol <carol@example.net>\nSubject: lunch\nTo: alice@example.org\n\n\
            Lunch at noon?\n";
        assert!(extract(text.as_bytes()).is_err());
    }

    /// A delay notice in German, its subject an encoded word and its body quoted-printable
    /// Latin-1, with Exchange's hashed diagnostic: a delay, the failure temporary, the reply
    /// code read (before: a final failure with no reply code).
    #[test]
    fn a_localised_delay_notice_is_a_delay_warning() {
        let text = "From: postmaster@mail.example.de\nTo: sender@example.org\n\
            Subject: =?iso-8859-1?q?Zustellung_verz=F6gert=3A_Angebot?=\nMIME-Version: 1.0\n\
            Content-Type: text/plain; charset=iso-8859-1\n\
            Content-Transfer-Encoding: quoted-printable\n\n\
            Die Zustellung an diese Empf=E4nger ist verz=F6gert:\n\nkunde@example.de\n\n\
            Diese Nachricht wurde noch nicht zugestellt.\n\n\
            kunde@example.de\n#451 4.4.0 DNS query failed ##\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::DelayWarning));
        assert_eq!(x.replies.len(), 1, "{:?}", x.replies);
        let r = &x.replies[0];
        assert_eq!(r.recipient.as_deref(), Some("kunde@example.de"));
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(451), Some("4.4.0")));
        assert_eq!(r.text, "DNS query failed");
        assert!(r.finality.is_some_and(|f| !f.permanent));
    }

    fn arf(feedback_type: &str) -> String {
        format!(
            "From: reports@receiver.example\nTo: dmarc@example.com\nSubject: report\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/report; report-type=feedback-report; boundary=\"R\"\n\n\
             --R\nContent-Type: text/plain\n\nA report about a message from your domain.\n\n\
             --R\nContent-Type: message/feedback-report\n\n\
             Feedback-Type: {feedback_type}\nVersion: 1\nUser-Agent: ExampleReporter/1.0\n\
             Auth-Failure: dmarc\nReported-Domain: example.com\n\
             Original-Rcpt-To: <carol@receiver.example>\n\n\
             --R\nContent-Type: text/rfc822-headers\n\n\
             From: news@example.com\nTo: carol@receiver.example\nSubject: news\n\n--R--\n"
        )
    }

    #[test]
    fn an_authentication_failure_report_is_no_complaint_about_its_recipient() {
        let x = extract(arf("auth-failure").as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::AuthFailureReport));
        assert!(x.replies.is_empty(), "{:?}", x.replies);
        let x = extract(arf("not-spam").as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::NotSpamReport));
        assert!(x.replies.is_empty(), "{:?}", x.replies);
        // The same report of another type is a complaint by the recipient it names.
        let x = extract(arf("abuse").as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::FeedbackReport));
        assert_eq!(
            x.replies[0].recipient.as_deref(),
            Some("carol@receiver.example")
        );
    }

    fn notice(body: &str) -> String {
        format!(
            "From: MMSC NDR <sysadmin@mms.example.net>\nTo: ann@example.jp\n\
             Subject: Undeliverable Message\nContent-Type: text/plain\n\n{body}\n\n\
             Original Message:\nFrom: Ann <ann@example.jp>\nTo: 5550100@mms.example.net\n\
             Subject: test\n"
        )
    }

    #[test]
    fn a_notice_naming_nobody_failed_to_reach_the_originals_one_addressee() {
        let x = extract(
            notice("Message could not be delivered to mobile.\nError: No valid recipients")
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(x.replies.len(), 1);
        assert_eq!(
            x.replies[0].recipient.as_deref(),
            Some("5550100@mms.example.net")
        );
        assert!(x.replies[0].text.contains("No valid recipients"));
        // Words that do not say delivery failed are not a bounce.
        assert!(matches!(
            extract(notice("Thanks for your message, we will reply soon.").as_bytes()),
            Err(InputError::BounceWithoutStatus)
        ));
    }

    #[test]
    fn a_receipt_in_prose_from_the_mail_system_is_no_bounce() {
        let receipt = |subject: &str, words: &str| {
            format!(
                "From: postmaster@example.com\nTo: ann@example.com\nSubject: {subject}\n\
                 Content-Type: text/plain\n\n{words}\n\nbob@example.net (bob@example.net)\n\n\
                 Subject: Quarterly report\n"
            )
        };
        for (subject, words) in [
            (
                "Delivered: Quarterly report",
                "Your message has been delivered to the following recipients:",
            ),
            (
                "Relayed: Quarterly report",
                "Delivery to these recipients or groups is complete, but no delivery \
                 notification was sent by the destination server:",
            ),
        ] {
            let x = extract(receipt(subject, words).as_bytes()).unwrap();
            assert_eq!(x.kind, Some(MessageKind::DeliveryReport), "{subject}");
        }
        // The same notice saying the delivery failed stays a bounce.
        let failed = receipt(
            "Undeliverable: Quarterly report",
            "Delivery has failed to these recipients or groups:",
        );
        let x = extract(failed.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::Bounce));
        assert_eq!(x.replies[0].recipient.as_deref(), Some("bob@example.net"));
    }

    #[test]
    fn a_failure_subject_ending_in_a_parenthesis_reads_as_a_failure() {
        let text = "From: Mail Delivery Subsystem <mailer-daemon@mail.example.com>\n\
            To: ann@example.org\nSubject: Delivery Status Notification (Failure)\n\n\
            We're writing to let you know that the group you tried to contact (team) may not \
            exist, or you may not have permission to post messages to the group.\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::Bounce));
        assert!(x.replies[0].text.contains("permission to post"));
    }

    #[test]
    fn a_mail_systems_few_words_of_refusal_are_a_bounce_even_without_failure_words() {
        let text = "Return-Path: <>\nFrom: <>\nTo: ann@example.com\n\
            Auto-Submitted: auto-replied\n\n\
            You sent mail to kim@example.org. That's not a valid user here.\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::Bounce));
        assert_eq!(x.replies[0].recipient.as_deref(), Some("kim@example.org"));
        // The same words from a person are no bounce.
        let person = text.replace("Return-Path: <>\nFrom: <>", "From: lee@example.org");
        assert!(extract(person.as_bytes()).map_or(true, |x| {
            !x.kind.is_some_and(MessageKind::is_failure_report)
        }));
        // Naming nobody, the refusal is still reported.
        let nobody = text.replace("You sent mail to kim@example.org. ", "");
        let x = extract(nobody.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::Bounce));
        assert!(x.replies[0].text.contains("not a valid user"));
        // A notice whose body was lost speaks by its subject.
        let lost = "Return-Path: <>\nFrom: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n\
            To: ann@example.com\nSubject: Returned mail: see transcript for details\n\
            MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n\
            \tboundary=\"B\"\n\n<<< No Message Collected >>>\n";
        let x = extract(lost.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::Bounce));
        assert!(
            x.replies[0].text.contains("Returned mail"),
            "{:?}",
            x.replies
        );
    }

    #[test]
    fn a_responders_reply_relayed_by_a_mail_system_is_an_auto_reply() {
        // Amazon SES passes the recipient's out-of-office reply on from its MAILER-DAEMON.
        let text = "Return-Path: <>\nFrom: MAILER-DAEMON@amazonses.com\nTo: ann@example.com\n\
            Subject: Out of Office Re: Weekly report\nAuto-Submitted: auto-replied\n\
            X-Autoreply: yes\n\nI am away; please write to kim@example.org instead.\n";
        let x = extract(text.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::AutoReply));
        assert!(x.replies.iter().all(|r| r.recipient.is_none()));
        // The mail system's own notice, marked the same way, is still a bounce.
        let notice = text.replace("Out of Office Re: Weekly report", "Mail delivery failed");
        let x = extract(notice.as_bytes()).unwrap();
        assert_eq!(x.kind, Some(MessageKind::Bounce));
    }
}
