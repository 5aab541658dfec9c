//! The parts of a message that extraction reads: its text (HTML reduced to words), its
//! delivery-status fields, its feedback or disposition report, and the returned original.

use super::types::{OriginalHeaders, Reply};
use super::{dsn, headers};
use mail_parser::{HeaderName, Message, MessageParser, MimeHeaders, PartType};
use std::sync::LazyLock;

/// The parser for bounce messages: it reads the MIME headers (the parts and their decoding),
/// `From`, `To` and `Subject` as extraction reads them, and skips over every other field (raw
/// values stay readable: `header_raw`, `headers_raw`). Parsing every field as its kind (the
/// `Received` chain, dates, ids) was a fifth of the parser's instructions in a Maildir scan
/// (callgrind), for values extraction never asked for.
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .with_mime_headers()
        .header_address(HeaderName::From)
        .header_address(HeaderName::To)
        .header_text(HeaderName::Subject)
        .default_header_ignore()
});

/// Parses a message as extraction reads it (see [`PARSER`]).
pub fn parse(input: &[u8]) -> Option<Message<'_>> {
    PARSER.parse(input)
}

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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// What extraction can read of a message: every part's MIME type, offsets and decoded
    /// body (nested messages alike), From, To, Subject and the raw header fields.
    fn readable(m: &Message<'_>) -> String {
        let mut out = format!(
            "from {:?} to {:?} subject {:?} report {} raw {:?}\n",
            m.from(),
            m.to(),
            m.subject(),
            is_report(m),
            m.headers_raw().collect::<Vec<_>>()
        );
        for part in &m.parts {
            out.push_str(&format!(
                "part {:?} {:?} {} {} {}: ",
                part.content_type(),
                part.content_disposition(),
                part.raw_header_offset(),
                part.raw_body_offset(),
                part.raw_end_offset()
            ));
            match &part.body {
                PartType::Message(inner) => out.push_str(&readable(inner)),
                body => out.push_str(&format!("{body:?}\n")),
            }
        }
        out
    }

    /// Every field parsed as its kind, as `MessageParser::default()` does, but dates read raw
    /// (see `a_date_the_full_parser_misreads_does_not_hide_the_next_field`).
    fn full_but_dates() -> MessageParser {
        MessageParser::new()
            .with_mime_headers()
            .with_address_headers()
            .with_message_ids()
            .header_text(HeaderName::Subject)
            .header_text(HeaderName::Comments)
            .header_id(HeaderName::ReturnPath)
            .header_received(HeaderName::Received)
            .header_comma_separated(HeaderName::Keywords)
            .header_comma_separated(HeaderName::ContentLanguage)
            .default_header_raw()
    }

    /// Skipping the fields extraction does not read changes nothing it reads, on every
    /// sisimai message (multipart reports, returned originals, encoded words, HTML, other
    /// charsets).
    #[test]
    fn the_parser_reads_what_the_full_parser_reads() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sisimai/maildir"
        );
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let ours = parse(&bytes).map(|m| readable(&m)).unwrap_or_default();
            let full = full_but_dates()
                .parse(&bytes)
                .map(|m| readable(&m))
                .unwrap_or_default();
            for (a, b) in ours.lines().zip(full.lines()) {
                assert_eq!(a, b, "{}", path.display());
            }
            assert_eq!(
                ours.lines().count(),
                full.lines().count(),
                "{}",
                path.display()
            );
            n += 1;
        }
        assert!(n > 500, "{n}");
    }

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

    /// A date the full parser cannot read ("UT") made it take the next field (`From`) into the
    /// date: the sender of a returned original was lost. Dates are not parsed here.
    #[test]
    fn a_date_the_full_parser_misreads_does_not_hide_the_next_field() {
        let msg = b"Date: Thu, 20 Apr 2008 23:34:45 UT\nFrom: Sender <cat@example.jp>\n\
                    To: <dog@example.net>\n\nbody\n";
        let full = MessageParser::default().parse(&msg[..]).unwrap();
        assert!(full.from().is_none());
        let ours = parse(&msg[..]).unwrap();
        let from = ours
            .from()
            .and_then(|f| f.first())
            .and_then(|a| a.address());
        assert_eq!(from, Some("cat@example.jp"));
        assert_eq!(
            ours.header_raw("Date"),
            Some(" Thu, 20 Apr 2008 23:34:45 UT\n")
        );
    }
}
