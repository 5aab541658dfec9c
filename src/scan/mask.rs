//! The parts of a reply's text that differ from message to message (addresses, session ids,
//! time stamps, IP literals) masked, so replies that mean the same decode once and group together.
//!
//! A mask must never change what a reply decodes to: a test runs every example of the rules
//! through it. Host names (which name providers) and URLs (which rules quote) are kept.

use std::borrow::Cow;
use std::net::IpAddr;

/// What a masked token becomes.
const MASK: &str = "#";
/// What an IPv4 literal becomes (TEST-NET-1: still an IP to any pattern that expects one).
pub const IP: &str = "192.0.2.1";

/// Google's session id (`nb15sm15097998qcb.26`), the shape of the Gmail token in
/// rules/providers.toml: kept where no `gsmtp` trailer names Gmail, since it then does.
static GOOGLE_SESSION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"^[a-z0-9-]*[a-z][0-9]{1,4}(-v6)?(si|sm|sor)[0-9]{5,}[a-z0-9]{0,4}[a-z]{2,3}\.[0-9]{1,4}$",
    )
    .expect("a valid pattern")
});

/// The reply text with its per-message parts masked (one pass; no copy when nothing is masked).
pub fn mask(text: &str) -> Cow<'_, str> {
    let gsmtp = text.contains("gsmtp");
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    let bytes = text.as_bytes();
    while at < bytes.len() {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if start == at {
            break;
        }
        if let Some(m) = masked_token(&text[start..at], gsmtp) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..start]);
            o.push_str(&m);
            copied = at;
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

/// Punctuation that wraps a token without being part of it: `<a@b>:`, `[1.2.3.4]`, `(id)`.
fn is_wrap(c: char) -> bool {
    matches!(
        c,
        '<' | '>' | '[' | ']' | '(' | ')' | '{' | '}' | '"' | '\'' | ',' | ';' | ':' | '.'
    )
}

fn masked_token(tok: &str, gsmtp: bool) -> Option<String> {
    // Words without a digit or an `@` are never masked: most of a reply's words.
    if !tok.bytes().any(|b| b.is_ascii_digit() || b == b'@') {
        return None;
    }
    let core = tok.trim_matches(is_wrap);
    if core.is_empty() || core.contains("://") || core.contains('/') {
        return None;
    }
    let start = tok.find(core).unwrap_or(0);
    let (pre, post) = (&tok[..start], &tok[start + core.len()..]);
    let replaced = if let Some((local, domain)) = core.rsplit_once('@') {
        if local.is_empty() || domain.is_empty() || local == MASK {
            return None;
        }
        // The local part is the recipient's; the domain may name the provider.
        let local_start = local.rfind(is_wrap).map_or(0, |i| i + 1);
        format!("{}{MASK}@{domain}", &local[..local_start])
    } else if let Some(ip) = ipv4_in(core) {
        if core == IP {
            return None;
        }
        core.replacen(ip, IP, 1)
    } else if opaque(core) && (gsmtp || !GOOGLE_SESSION.is_match(core)) {
        MASK.to_string()
    } else {
        return None;
    };
    Some(format!("{pre}{replaced}{post}"))
}

/// The IPv4 literal a token is (or ends in, as `[1.2.3.4]:25` or `IP:1.2.3.4`).
fn ipv4_in(core: &str) -> Option<&str> {
    let cand = core.rsplit([':', '=', '[']).next().unwrap_or(core);
    let cand = cand.split(':').next().unwrap_or(cand);
    (cand.parse::<std::net::Ipv4Addr>().is_ok()).then_some(cand)
}

/// A session id, queue id or time stamp: long, with digits and letters mixed, and not a host
/// name (whose last label is letters only).
fn opaque(core: &str) -> bool {
    let digits = core.bytes().filter(u8::is_ascii_digit).count();
    if core.len() >= 6 && digits == core.len() {
        return true; // Unix times, message numbers
    }
    // Provider codes such as OFR006_102 or TSS04 are short; session ids and stamps are long.
    if core.len() < 14 || digits < 4 {
        return false;
    }
    let letters = core.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters == 0 {
        return digits * 2 > core.len(); // dates like 2024-05-01T10:00:00 without letters
    }
    let last = core.rsplit('.').next().unwrap_or(core);
    let hostlike =
        core.contains('.') && last.len() >= 2 && last.bytes().all(|c| c.is_ascii_alphabetic());
    !hostlike
}

/// An IP literal in the reply text that is not the replying host's own: the address the
/// receiver saw the mail come from ("Client host [192.0.2.10] blocked", "from 192.0.2.10").
pub fn sending_ip(text: &str, relay_ip: Option<&str>) -> Option<IpAddr> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '(' | ')' | ',' | ';'))
        .filter_map(|t| {
            let t = t.trim_matches(|c: char| is_wrap(c) || c == '=');
            let t = t.rsplit(['=', ':']).next().unwrap_or(t);
            t.parse::<std::net::Ipv4Addr>().ok()
        })
        .filter(|ip| !ip.is_unspecified() && !ip.is_loopback() && ip.octets()[0] != 0)
        .find(|ip| relay_ip.is_none_or(|r| r != ip.to_string()))
        .map(IpAddr::V4)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn per_message_parts_are_masked_and_hosts_kept() {
        assert_eq!(
            mask("<bob@example.net>: Recipient address rejected: User unknown"),
            "<#@example.net>: Recipient address rejected: User unknown"
        );
        assert_eq!(
            mask("OK 1700000000 d2e1a72fcca58-7a1b2c3d4si1234567pfb.123 - gsmtp"),
            "OK # # - gsmtp"
        );
        assert_eq!(
            mask("Client host [203.0.113.9] blocked using zen.spamhaus.org"),
            "Client host [192.0.2.1] blocked using zen.spamhaus.org"
        );
        let ms = "[BN8NAM12FT057.eop-nam12.prod.protection.outlook.com 2024-05-01T10:00:00.000Z 08DC5E9B7D3A1234]";
        assert_eq!(
            mask(ms),
            "[BN8NAM12FT057.eop-nam12.prod.protection.outlook.com # #]"
        );
        // Google's session id is the only sign of Gmail once the trailer is cut off.
        let cut = "530 5.7.0 Must issue a STARTTLS command first. g4sm20621052ybh.7";
        assert_eq!(mask(cut), cut);
        let kept = "[TSS04] see https://support.google.com/mail/answer/81126#authentication S3150";
        assert_eq!(mask(kept), kept);
    }

    #[test]
    fn the_sending_ip_is_not_the_relay() {
        let t =
            "host mx.example.net[198.51.100.7] said: 554 5.7.1 Client host [192.0.2.10] blocked";
        assert_eq!(
            sending_ip(t, Some("198.51.100.7")),
            Some("192.0.2.10".parse().unwrap())
        );
        assert_eq!(sending_ip("550 5.1.1 User unknown", None), None);
    }
}
