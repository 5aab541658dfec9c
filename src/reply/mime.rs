//! The parts of a message that extraction reads: its text (HTML reduced to words), its
//! delivery-status fields, its feedback or disposition report, and the returned original.

use super::types::{OriginalHeaders, Reply};
use super::{dsn, headers};
use mail_parser::{Message, MimeHeaders, PartType};

/// The parts of a message that extraction reads.
#[derive(Default)]
pub struct Parts {
    pub dsn: Vec<Reply>,
    pub text: String,
    pub original: Option<OriginalHeaders>,
    pub feedback: Option<String>,
    pub disposition: bool,
    pub original_to: Option<String>,
    pub attached: Option<Vec<u8>>,
    /// The recipient a Microsoft JMRP complaint names (`X-HmXmrOriginalRecipient` of the
    /// reported message, attached or forwarded as the report itself).
    pub jmrp: Option<String>,
}

pub fn parts(msg: &Message<'_>) -> Parts {
    let mut p = Parts::default();
    let mut received_from: Option<String> = None;
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
            (_, _, PartType::Message(inner)) if p.original.is_none() => {
                p.jmrp = jmrp_recipient(inner);
                p.original = message_headers(inner);
                p.attached = Some(inner.raw_message().to_vec());
                p.original_to = inner
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .and_then(super::address::clean);
            }
            ("message", "delivery-status" | "global-delivery-status", _) => {
                let body = crate::utf8::lossy(part.contents());
                p.dsn.extend(dsn::parse(&body));
                received_from = received_from.or_else(|| dsn::received_from_mta(&body));
            }
            ("message", "feedback-report", _) => {
                p.feedback = Some(crate::utf8::lossy(part.contents()).into_owned());
            }
            ("message", "disposition-notification" | "global-disposition-notification", _) => {
                p.disposition = true;
            }
            ("text", "rfc822-headers", _) | ("message", "rfc822-headers", _)
                if p.original.is_none() =>
            {
                p.original = headers::from_raw(&crate::utf8::lossy(part.contents()));
            }
            ("text", "plain", PartType::Text(t)) => push_text(&mut p.text, t),
            ("text", "html", PartType::Html(h)) => push_text(&mut p.text, &strip_tags(h)),
            ("text", _, PartType::Text(t)) => push_text(&mut p.text, t),
            // Some MTAs send the DSN or the original as an unlabelled attachment.
            ("message", "rfc822", _) if p.original.is_none() => {
                p.original = headers::from_raw(&crate::utf8::lossy(part.contents()));
            }
            _ => {}
        }
    }
    p.jmrp = p.jmrp.take().or_else(|| jmrp_recipient(msg));
    // A report naming no remote MTA, written by the host the message came to from
    // Received-From-MTA: the receiver, which may have returned its own headers on top.
    let reporting = p.dsn.iter().find_map(|r| r.reporting_mta.as_deref());
    let no_remote = p.dsn.iter().all(|r| r.remote_mta.is_none());
    if let (Some(o), Some(rep), Some(from), true) =
        (p.original.as_mut(), reporting, received_from, no_remote)
    {
        o.received_by(rep, &from);
    }
    p
}

/// Whether the message is a multipart/report (RFC 6522) of delivery status: a DSN, however
/// its words read.
pub fn is_report(msg: &Message<'_>) -> bool {
    msg.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("multipart")
            && c.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && c.attribute("report-type")
                .is_none_or(|t| t.to_ascii_lowercase().contains("delivery-status"))
    })
}

/// The recipient of a Microsoft Junk Mail Reporting Program complaint: the reported message
/// carries `X-HmXmrOriginalRecipient` (Microsoft's JMRP report format, not ARF).
pub fn jmrp_recipient(m: &Message<'_>) -> Option<String> {
    m.header_raw("X-HmXmrOriginalRecipient")
        .and_then(super::address::clean)
}

/// How many messages deep (`message/rfc822` inside `message/rfc822`) a message may nest. A
/// real bounce nests a few (a forwarded bounce holding the original); the parser opens every
/// level, and dropping a tree of 300,000 levels overflowed the stack.
pub const MAX_NESTED: usize = 32;

/// How deep the message's messages nest, counted up to one past [`MAX_NESTED`].
pub fn nesting(msg: &Message<'_>) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(msg, 0usize)];
    while let Some((m, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        if deepest > MAX_NESTED {
            break;
        }
        for part in &m.parts {
            if let PartType::Message(inner) = &part.body {
                stack.push((inner, depth + 1));
            }
        }
    }
    deepest
}

/// Drops a message one level at a time: its own drop recurses once per nested message.
pub fn drop_flat(msg: Message<'_>) {
    let mut stack = vec![msg];
    while let Some(mut m) = stack.pop() {
        for part in &mut m.parts {
            if let PartType::Message(inner) = std::mem::take(&mut part.body) {
                stack.push(inner);
            }
        }
    }
}

fn message_headers(m: &Message<'_>) -> Option<OriginalHeaders> {
    let raw = m.raw_message();
    let end = m.root_part().raw_body_offset() as usize;
    let head = raw.get(..end).unwrap_or(raw);
    headers::from_raw(&crate::utf8::lossy(head))
}

fn push_text(text: &mut String, t: &str) {
    if text.len() < 1 << 20 {
        text.push_str(t);
        text.push('\n');
    }
}

/// Crude tag stripping for HTML-only NDRs: enough for the reply codes and words in them to be
/// found. Style sheets, scripts and the title (the subject again) are dropped whole: their
/// text is not the bounce's.
fn strip_tags(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let lower = h.to_ascii_lowercase();
    let mut i = 0;
    while i < h.len() {
        let rest = &lower[i..];
        let skip_to = ["style", "script", "title"].iter().find_map(|t| {
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
    super::paste::decode_entities(&out)
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
}
