//! Whole bounce messages (.eml): DSN parts, NDR/Gmail/qmail/Exim prose, the returned original.

use super::types::{Extracted, InputError, InputForm, OriginalHeaders, Reply};
use super::{body, dsn, headers};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

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
    let msg = MessageParser::default()
        .parse(input)
        .ok_or(InputError::BounceWithoutStatus)?;
    let mut dsn_replies: Vec<Reply> = Vec::new();
    let mut text = String::new();
    let mut original: Option<OriginalHeaders> = None;
    let mut is_arf = false;
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
            }
            ("message", "delivery-status" | "global-delivery-status", _) => {
                dsn_replies.extend(dsn::parse(&String::from_utf8_lossy(part.contents())));
            }
            ("message", "feedback-report", _) => is_arf = true,
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
    if is_arf {
        return Ok(Extracted {
            form: InputForm::Bounce,
            replies: Vec::new(),
            original,
        });
    }
    if dsn_replies.is_empty() {
        dsn_replies = inline_dsn(human);
    }
    let prose = body::replies(human);
    let replies = merge(dsn_replies, prose);
    if replies.is_empty() {
        return Err(InputError::BounceWithoutStatus);
    }
    Ok(Extracted {
        form: InputForm::Bounce,
        replies,
        original,
    })
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

/// Crude tag stripping for HTML-only NDRs: enough for the reply codes in them to be found.
fn strip_tags(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let mut in_tag = false;
    for ch in h.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
