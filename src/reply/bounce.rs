//! Whole bounce messages (.eml): DSN parts, NDR/Gmail/qmail/Exim prose, the returned original.

use super::types::{Extracted, InputError, InputForm, OriginalHeaders, Reply};
use super::{body, dsn, headers, notices, prose};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use regex::Regex;
use std::sync::LazyLock;

/// The mbox separator of a bounce pasted into another message's text (an operator's relay
/// forwarding it inline): the embedded bounce starts on the next line.
static EMBEDDED_BOUNCE: LazyLock<Regex> =
    LazyLock::new(|| super::code::re(r"(?m)^From (?:MAILER-DAEMON|postmaster)\b[^\n]*\n"));

/// True when the input starts like an RFC 5322 message (or an mbox "From " line).
pub fn looks_like_message(text: &str) -> bool {
    let mut known = 0;
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
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return false;
        }
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
    known >= 2
}

/// Extracts every reply of a bounce message. ARF feedback reports are not bounces: they carry
/// no SMTP reply, so they yield an empty reply list (with the reported message's headers).
pub fn extract(input: &[u8]) -> Result<Extracted, InputError> {
    extract_at(input, 0)
}

/// As [`extract`]; `depth` counts the forwarded bounces already opened (at most one).
fn extract_at(input: &[u8], depth: u8) -> Result<Extracted, InputError> {
    let msg = MessageParser::default()
        .parse(input)
        .ok_or(InputError::BounceWithoutStatus)?;
    let mut dsn_replies: Vec<Reply> = Vec::new();
    let mut text = String::new();
    let mut original: Option<OriginalHeaders> = None;
    let mut feedback: Option<String> = None;
    let mut original_to: Option<String> = None;
    let mut attached: Option<Vec<u8>> = None;
    for part in msg.parts.iter() {
        let (ctype, sub) = part
            .content_type()
            .map(|c| {
                (
                    c.ctype().to_ascii_lowercase(),
                    c.subtype().unwrap_or("").to_ascii_lowercase(),
                )
            })
            .unwrap_or_else(|| ("text".into(), "plain".into()));
        match (ctype.as_str(), sub.as_str(), &part.body) {
            (_, _, PartType::Message(inner)) if original.is_none() => {
                original = message_headers(inner);
                attached = Some(inner.raw_message().to_vec());
                original_to = inner
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .map(str::to_string);
            }
            ("message", "delivery-status" | "global-delivery-status", _) => {
                dsn_replies.extend(dsn::parse(&String::from_utf8_lossy(part.contents())));
            }
            ("message", "feedback-report", _) => {
                feedback = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("text", "rfc822-headers", _) | ("message", "rfc822-headers", _)
                if original.is_none() =>
            {
                original = headers::from_raw(&String::from_utf8_lossy(part.contents()));
            }
            ("text", "plain", PartType::Text(t)) => push_text(&mut text, t),
            ("text", "html", PartType::Html(h)) => push_text(&mut text, &strip_tags(h)),
            ("text", _, PartType::Text(t)) => push_text(&mut text, t),
            // Some MTAs send the DSN or the original as an unlabelled attachment.
            ("message", "rfc822", _) if original.is_none() => {
                original = headers::from_raw(&String::from_utf8_lossy(part.contents()));
            }
            _ => {}
        }
    }
    let human = body::human_part(&text);
    if original.is_none() && human.len() < text.len() {
        original = headers::from_raw(strip_quote(&text[human.len()..]));
    }
    let own = own_addresses(&msg, original.as_ref());
    if let Some(report) = feedback {
        let rcpt = original_to.as_deref();
        return Ok(Extracted {
            form: InputForm::Bounce,
            replies: notices::feedback(&report, rcpt),
            original,
        });
    }
    let failed: Vec<String> = msg
        .headers_raw()
        .filter(|(n, _)| n.eq_ignore_ascii_case("X-Failed-Recipients"))
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|a| a.trim().trim_matches(['<', '>']).to_string())
        })
        .filter(|a| a.contains('@'))
        .collect();
    let subject = msg.subject().unwrap_or("");
    let auto_reply = failed.is_empty()
        && notices::is_auto_reply(
            msg.header_raw("Auto-Submitted"),
            msg.header_raw("X-Autoreply").is_some() || msg.header_raw("X-Autorespond").is_some(),
            subject,
        );
    let auto = auto_reply.then(|| notices::auto_reply(own.first().map(String::as_str), subject));
    let mut replies = replies_of(human, dsn_replies, &failed, &own, auto);
    if replies.is_empty() {
        // MIME so broken that the parser found no text (an unfolded `boundary=` line, say):
        // read the raw body as the text it mostly is.
        let raw = String::from_utf8_lossy(input);
        let body = raw.split_once("\n\n").map_or("", |(_, b)| b);
        replies = replies_of(body::human_part(body), Vec::new(), &failed, &own, None);
    }
    if replies.is_empty()
        && depth == 0
        && let Some(inner) = attached
        && let Ok(forwarded) = extract_at(&inner, depth + 1)
    {
        // A bounce forwarded as an attachment: the replies are in the attached message.
        return Ok(forwarded);
    }
    if replies.is_empty()
        && failed.is_empty()
        && let Some([to]) = original.as_ref().map(|o| o.to.as_slice())
        && !own.iter().any(|o| o.eq_ignore_ascii_case(to))
        && prose::reads_as_failure(human)
    {
        // A failure notice that names nobody ("Message could not be delivered to mobile."):
        // the returned original had one addressee, and that is who it failed to reach.
        replies = prose::codeless(human, std::slice::from_ref(to), &own);
    }
    if let [only] = replies.as_mut_slice()
        && only.recipient.is_none()
    {
        only.recipient = prose::sole_recipient(human, &failed, &own);
    }
    if !replies.iter().any(Reply::has_code)
        && depth == 0
        && let Some(m) = EMBEDDED_BOUNCE.find(&text)
        && let Ok(inner) = extract_at(&text.as_bytes()[m.end()..], depth + 1)
        && inner.replies.iter().any(Reply::has_code)
    {
        // The outer notice only relays; the embedded bounce holds the receiver's reply.
        return Ok(inner);
    }
    if replies.is_empty() {
        return Err(InputError::BounceWithoutStatus);
    }
    Ok(Extracted {
        form: InputForm::Bounce,
        replies,
        original,
    })
}

/// The replies of a bounce's human-readable text: its DSN fields (from the delivery-status part,
/// else pasted into the text) merged with the replies in its prose; failing both, the
/// auto-reply it is, else the recipients and explanation it gives in words.
fn replies_of(
    human: &str,
    mut dsn: Vec<Reply>,
    failed: &[String],
    own: &[String],
    auto_reply: Option<Reply>,
) -> Vec<Reply> {
    if dsn.is_empty() {
        dsn = inline_dsn(human);
    }
    let mut replies = merge(dsn, body::replies(human));
    // A DSN block without a Diagnostic-Code leaves the why to the prose.
    for r in replies.iter_mut().filter(|r| r.text.is_empty()) {
        if let Some(rcpt) = r.recipient.clone()
            && let Some(p) = prose::codeless(human, std::slice::from_ref(&rcpt), own).pop()
        {
            r.text = p.text;
        }
    }
    if replies.is_empty() {
        replies = match auto_reply {
            Some(a) => vec![a],
            None => prose::codeless(human, failed, own),
        };
    }
    replies
}

/// Addresses of the bounce itself (its From, its To) and of the original's sender: none of them
/// is a failed recipient. The bounce's From comes first: for an auto-reply, the responder.
fn own_addresses(msg: &Message<'_>, original: Option<&OriginalHeaders>) -> Vec<String> {
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
    out
}

fn message_headers(m: &Message<'_>) -> Option<OriginalHeaders> {
    let raw = m.raw_message();
    let end = m.root_part().raw_body_offset() as usize;
    let head = raw.get(..end).unwrap_or(raw);
    headers::from_raw(&String::from_utf8_lossy(head))
}

fn push_text(text: &mut String, t: &str) {
    if text.len() < 1 << 20 {
        text.push_str(t);
        text.push('\n');
    }
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
            .or_else(|| prose.get(i).filter(|p| p.recipient.is_none()));
        let Some(p) = matched else { continue };
        if d.basic.is_none() && p.basic.is_some() {
            d.basic = p.basic;
            if d.text.is_empty() {
                d.text = p.text.clone();
            }
        }
        if d.enhanced.is_none() {
            d.enhanced = p.enhanced.clone();
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

/// Crude tag stripping for HTML-only NDRs: enough for the reply codes and words in them to be
/// found. Style sheets and scripts are dropped whole: their text is not the bounce's.
fn strip_tags(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let lower = h.to_ascii_lowercase();
    let mut i = 0;
    while i < h.len() {
        let rest = &lower[i..];
        let skip_to = ["style", "script"].iter().find_map(|t| {
            rest.strip_prefix('<')
                .filter(|r| r.starts_with(t))
                .map(|_| rest.find(&format!("</{t}")).map_or(h.len(), |e| i + e))
        });
        if let Some(end) = skip_to {
            i = end.max(i + 1);
            continue;
        }
        let Some(ch) = h[i..].chars().next() else {
            break;
        };
        if ch == '<' {
            match h[i..].find('>') {
                Some(e) => {
                    out.push(' ');
                    i += e + 1;
                }
                None => break,
            }
            continue;
        }
        out.push(ch);
        i += ch.len_utf8();
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bounces_lose_tags_styles_and_scripts_but_keep_their_words() {
        let html = "<html><head><style>body { color: #222; }</style></head>\
                    <body><script>var x = '550 5.1.1';</script><p>550 5.2.2 \
                    <b>kijitora@example.jp</b>: mailbox &quot;full&quot;</p></body></html>";
        let text = strip_tags(html);
        assert!(!text.contains("color"), "{text}");
        assert!(!text.contains("var x"), "{text}");
        assert!(text.contains("550 5.2.2"), "{text}");
        assert!(text.contains("mailbox \"full\""), "{text}");
        // An unclosed style runs to the end; an unclosed tag ends the text.
        assert_eq!(strip_tags("ok <style>a{}").trim(), "ok");
        assert_eq!(strip_tags("ok <b").trim(), "ok");
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
}
