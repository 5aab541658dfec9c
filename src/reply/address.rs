//! Recipient addresses as bounces write them, cleaned to the address a sender's list holds.
//!
//! DSN fields carry a type (`rfc822;`, sometimes twice), Exchange writes `SMTP=` or `smtp:`
//! inside an X.400 address and encapsulates addresses as `IMCEASMTP-ann+40example+2Ecom@...`,
//! and prose wraps addresses in quotes and brackets. Only an Internet address (a local part, an
//! `@` and a domain with a dot) is a recipient; anything else (an X.400 originator/recipient
//! address, a local user name, `system;<>`) is not.

/// The Internet address in `raw`, cleaned; `None` when `raw` holds none.
pub fn clean(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    let mut utf8_type = false;
    // DSN address types, repeated by some MTAs (`rfc822; rfc822;ann@example.org`).
    for _ in 0..3 {
        match s.split_once(';') {
            Some((t, rest))
                if !t.is_empty()
                    && t.len() < 16
                    && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                utf8_type |= t.trim().eq_ignore_ascii_case("utf-8");
                s = rest.trim();
            }
            _ => break,
        }
    }
    // RFC 6533's `utf-8` type may spell a character as `\x{E9}`: the address is the decoded one,
    // and one whose escapes do not decode is no address (never `ren\x{E9}@...` on a list).
    let unescaped;
    if utf8_type && s.contains("\\x{") {
        unescaped = unicode_escapes(s)?;
        s = &unescaped;
    }
    // Exchange's X.400 form names the SMTP address after `SMTP=` (or `smtp:`), up to `;`.
    let lower = s.to_ascii_lowercase();
    if let Some(at) = lower.find("smtp=").or_else(|| lower.find("smtp:")) {
        s = s[at + 5..].split(';').next().unwrap_or("").trim();
    }
    if let Some(q) = quoted(s) {
        return Some(q);
    }
    let s = s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']' | ',' | ';' | '.'
            )
    });
    let s = s.strip_prefix("mailto:").unwrap_or(s);
    // An opening brace with no closing one in the local part is a wrapper, not the mailbox's
    // (`{ann@example.org}`, Python's `{'ann@example.org': (550, ...)}`): RFC 5322 allows
    // braces in a local part, but not one left open.
    let s = match s.strip_prefix('{') {
        Some(rest) if rest.split('@').next().is_some_and(|l| !l.contains('}')) => rest
            .trim_start_matches(['"', '\'', '<'])
            .trim_end_matches(['}', '"', '\'', '>']),
        _ => s,
    };
    // A quoted local part that needs no quotes (`"ann"@example.org`, the trim above took its
    // opening quote) is the same mailbox as the bare one.
    let unquoted;
    let s = match s.split_once("\"@") {
        Some((local, domain))
            if !local.is_empty()
                && local
                    .chars()
                    .all(|c| c.is_alphanumeric() || ".!#$%&*+-/=?^_`{|}~".contains(c)) =>
        {
            unquoted = format!("{local}@{domain}");
            unquoted.as_str()
        }
        _ => s,
    };
    let decoded = imcea(s);
    let s = decoded.as_deref().unwrap_or(s);
    is_internet(s).then(|| s.to_string())
}

/// An address whose local part is a quoted string that needs its quotes (RFC 5321 section
/// 4.1.2: it holds spaces, an `@` or other specials, `"fail here (now)"@example.org`), as
/// written; `None` for anything else. Trimming the quotes as wrappers would lose the mailbox
/// or, worse, take the `abc@example.org` inside `"abc@example.org"@example.net` for it.
fn quoted(raw: &str) -> Option<String> {
    let s = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches(['>', ',', ';', '.'])
        .trim_end();
    let rest = s.strip_prefix('"')?;
    let mut escaped = false;
    let mut end = None;
    for (i, c) in rest.char_indices() {
        match c {
            '\r' | '\n' => return None,
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => {
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = end?;
    let inner = &rest[..end];
    let domain = rest[end + 1..].strip_prefix('@')?;
    let plain = |c: char| c.is_alphanumeric() || ".!#$%&*+-/=?^_`{|}~".contains(c);
    // A quoted part that needs no quotes is the bare mailbox, which `clean` gives.
    if inner.trim().is_empty() || inner.len() > 62 || inner.chars().all(plain) {
        return None;
    }
    is_internet(&format!("x@{domain}")).then(|| format!("\"{inner}\"@{domain}"))
}

/// The first Internet address inside a longer value (`|/usr/bin/filter ann@example.org /home`).
pub fn within(raw: &str) -> Option<String> {
    raw.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | ',' | ';')
    })
    .filter(|w| w.contains('@'))
    .find_map(clean)
}

/// A `local@host` without a dot in the host (an address within one site), cleaned as
/// [`clean`] does; `None` for anything else.
pub fn unqualified(raw: &str) -> Option<String> {
    let dotted = clean(&format!(
        "{}.invalid",
        raw.trim().trim_end_matches(['>', ';', ' '])
    ))?;
    let bare = dotted.strip_suffix(".invalid")?;
    bare.rsplit_once('@')
        .filter(|(_, host)| !host.contains('.') && !host.is_empty())
        .map(|_| bare.to_string())
}

/// `s` with RFC 6533's embedded Unicode characters (`\x{` 2 to 6 hex digits `}`) decoded;
/// `None` when one is malformed or names no character.
fn unicode_escapes(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("\\x{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let end = after.find('}')?;
        let hex = &after[..end];
        if !(2..=6).contains(&hex.len()) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Exchange's encapsulation of an SMTP address in its own domain: `IMCEASMTP-` then the address
/// with `+XX` hexadecimal escapes (`+40` is `@`, `+2E` is `.`), then `@` the Exchange domain.
fn imcea(s: &str) -> Option<String> {
    let rest = s
        .get(..10)
        .filter(|p| p.eq_ignore_ascii_case("IMCEASMTP-"))
        .map(|_| &s[10..])?;
    let inner = &rest[..rest.rfind('@')?];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '+' {
            let hex: String = chars.by_ref().take(2).collect();
            out.push(u8::from_str_radix(&hex, 16).ok().map(char::from)?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// A local part, one `@` and a domain of at least two labels, without spaces or brackets.
pub fn is_internet(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    // A backslash belongs only inside a quoted local part, which this does not take.
    let bad =
        |c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"' | '\\');
    let domain_char =
        |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '#' | '[' | ']' | ':');
    // An Exchange address that is not SMTP (`IMCEAEX-_O=ORG_OU=...`) only looks like one.
    let exchange = local
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("IMCEA"));
    !local.is_empty()
        && !exchange
        && domain.chars().all(domain_char)
        && local.len() <= 64
        && domain.len() <= 255
        && !local.contains(bad)
        && !domain.contains(bad)
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()) || tld.ends_with(']'))
}

/// The organizational part of a host name, enough to name a mail domain (`mr2.its.yale.edu`
/// -> `yale.edu`): the Public Suffix List's registrable domain.
pub fn mail_domain(host: &str) -> String {
    crate::checks::org_domain(&host.trim_end_matches('.').to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_local_part_that_needs_its_quotes_is_kept() {
        let c = |s: &str| clean(s);
        assert_eq!(
            c("rfc822;\"FAIL cannot route this one (FAIL)\"@some.example").as_deref(),
            Some("\"FAIL cannot route this one (FAIL)\"@some.example")
        );
        // The address inside the quotes is not the mailbox.
        assert_eq!(
            c("rfc822;\"abc@x.example\"@test.example").as_deref(),
            Some("\"abc@x.example\"@test.example")
        );
        // Quotes that need not be there are dropped, and a quoted whole address is unwrapped.
        assert_eq!(c("\"ann\"@example.org").as_deref(), Some("ann@example.org"));
        assert_eq!(
            c("<\"ann@example.org\">").as_deref(),
            Some("ann@example.org")
        );
        assert_eq!(
            unqualified("\":fail: fail message\"@special").as_deref(),
            Some("\":fail: fail message\"@special")
        );
        assert_eq!(c("\"unclosed @example.org"), None);
    }

    #[test]
    fn types_prefixes_brackets_and_exchange_forms_are_cleaned() {
        let c = |s: &str| clean(s);
        assert_eq!(
            c("rfc822; ann@example.org").as_deref(),
            Some("ann@example.org")
        );
        assert_eq!(
            c("rfc822; rfc822;fred@example.net").as_deref(),
            Some("fred@example.net")
        );
        assert_eq!(c("rfc822;<f.b@a.b.c>").as_deref(), Some("f.b@a.b.c"));
        assert_eq!(
            c("c=US;a= ;p=IKON;o=Nexus2;dda:SMTP=userx@example.COM;").as_deref(),
            Some("userx@example.COM")
        );
        assert_eq!(c("smtp:kim@example.jp").as_deref(), Some("kim@example.jp"));
        assert_eq!(
            c("\"ann@example.org\".").as_deref(),
            Some("ann@example.org")
        );
        assert_eq!(
            c("IMCEASMTP-ann+2Ekim+40example+2Eorg@corp.example.com").as_deref(),
            Some("ann.kim@example.org")
        );
        assert_eq!(
            c("mailto:ann@example.org").as_deref(),
            Some("ann@example.org")
        );
        // A quoted local part that needs no quotes is the bare mailbox; one that does (a
        // space) is kept with its quotes, as the server wrote it.
        assert_eq!(
            c("RFC822; <\"ann.kim\"@example.org>").as_deref(),
            Some("ann.kim@example.org")
        );
        assert_eq!(
            c("rfc822; \"ann kim\"@example.org").as_deref(),
            Some("\"ann kim\"@example.org")
        );
        // Braces around an address, or around Python's dict of refused recipients, are no
        // part of it; a balanced pair inside a local part is.
        for raw in [
            "{ann@example.org}",
            "{'ann@example.org'",
            "{\"ann@example.org\"",
        ] {
            assert_eq!(c(raw).as_deref(), Some("ann@example.org"), "{raw}");
        }
        assert_eq!(c("{a}nn@example.org").as_deref(), Some("{a}nn@example.org"));
    }

    #[test]
    fn utf8_addresses_have_their_unicode_escapes_decoded() {
        assert_eq!(
            clean("utf-8; ren\\x{E9}@example.com").as_deref(),
            Some("ren\u{e9}@example.com")
        );
        assert_eq!(
            clean("UTF-8;\\x{5F20}\\x{4E09}@example.cn").as_deref(),
            Some("\u{5f20}\u{4e09}@example.cn")
        );
        // `+` and `=` are escaped in the xtext form.
        assert_eq!(
            clean("utf-8; ann\\x{2B}tag@example.org").as_deref(),
            Some("ann+tag@example.org")
        );
        // Raw UTF-8 needs no decoding.
        assert_eq!(
            clean("utf-8; ren\u{e9}@example.com").as_deref(),
            Some("ren\u{e9}@example.com")
        );
        for broken in [
            "utf-8; ren\\x{E9@example.com",
            "utf-8; ren\\x{}@example.com",
            "utf-8; ren\\x{D800}@example.com",
            "utf-8; ren\\x{1234567}@example.com",
            "utf-8; ren\\x{zz}@example.com",
            "ren\\x{E9}@example.com",
        ] {
            assert_eq!(clean(broken), None, "{broken}");
        }
    }

    #[test]
    fn non_internet_recipients_are_none() {
        for s in [
            "LOCAL;<f.b>",
            "system;<>",
            "rfc822;userx@sims-ms-daemon",
            "x400; c=US;a= ;p=Org;s=Smith",
            "IMCEAEX-_O=ORG_OU=SITE_CN=RECIPIENTS_CN=ANN@corp.example.com",
            "",
        ] {
            assert_eq!(clean(s), None, "{s}");
        }
        assert_eq!(mail_domain("mr2.its.yale.edu"), "yale.edu");
        assert_eq!(
            unqualified("rfc822;userx@domain1").as_deref(),
            Some("userx@domain1")
        );
        assert_eq!(unqualified("rfc822;<f.b>"), None);
    }
}
