//! Validation of user-supplied names: domains, selectors and addresses (bad ones exit 2).

use crate::error::{Error, Result};

/// A domain name as DNS wants it: lower-case ASCII (IDNs converted), no trailing dot,
/// labels of letters, digits, `-` and `_`, at least two labels.
pub fn domain(raw: &str, what: &str) -> Result<String> {
    let trimmed = raw.trim().trim_end_matches('.');
    let bad = |why: &str| Error::Input(format!("invalid {what} {raw:?}: {why}"));
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    let ascii = if trimmed.is_ascii() {
        trimmed.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(trimmed).map_err(|_| bad("not a valid internationalised name"))?
    };
    if ascii.len() > 253 {
        return Err(bad("longer than 253 characters"));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return Err(bad("a domain needs at least two labels, like example.com"));
    }
    for label in &labels {
        if label.is_empty() {
            return Err(bad("it has an empty label"));
        }
        if label.len() > 63 {
            return Err(bad("a label is longer than 63 characters"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad("a label starts or ends with '-'"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("only letters, digits, '-' and '_' are allowed"));
        }
    }
    // An `xn--` label is an A-label only when it decodes to a valid U-label (RFC 5890 section
    // 2.3.2.1); one that does not is a name no registry delegates, which would be asked as if
    // it were real and come back "missing".
    if labels.iter().any(|l| l.starts_with("xn--")) && idna::domain_to_unicode(&ascii).1.is_err() {
        return Err(bad(
            "a label starting with 'xn--' is not valid punycode (an IDNA A-label)",
        ));
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad("it looks like an IP address, not a domain"));
    }
    if ascii.ends_with(".in-addr.arpa") || ascii.ends_with(".ip6.arpa") {
        return Err(bad(
            "it is a reverse-DNS (PTR) name, not a mail domain; give the sending IP with --ip",
        ));
    }
    // A record's own name pasted as the domain would be checked as a sender of its own: no SPF,
    // no MX, and a DMARC "ok" that is only the tree walk finding the record itself.
    if let Some(i) = labels
        .iter()
        .position(|l| *l == "_dmarc" || *l == "_domainkey")
    {
        let kind = if labels[i] == "_dmarc" {
            "DMARC"
        } else {
            "DKIM"
        };
        let owner = labels[i + 1..].join(".");
        return Err(bad(&format!(
            "it is the name of a {kind} record, not a mail domain; give the domain it belongs to ({owner})"
        )));
    }
    Ok(ascii)
}

/// A DKIM selector: one or more DNS labels (RFC 6376 section 3.1).
/// A HELO/EHLO argument written as an address literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`,
/// RFC 5321 section 4.1.3): `None` when it is not bracketed (a name, validated elsewhere), an
/// error when the brackets hold no address. The bare `[2001:db8::1]` form some servers send
/// is read too: the question is what the server announces, not whether it wrote it by the book.
pub fn helo_literal(raw: &str, what: &str) -> Option<Result<std::net::IpAddr>> {
    let bracketed = raw.trim();
    bracketed.strip_prefix('[')?.strip_suffix(']')?;
    // The same reading as an MX target written as a literal.
    Some(crate::checks::mx::ip_literal(bracketed).ok_or_else(|| {
        Error::Input(format!(
            "{what} {raw:?} is neither a host name nor an address literal such as [192.0.2.1] or [IPv6:2001:db8::1]"
        ))
    }))
}

pub fn selector(raw: &str) -> Result<String> {
    let s = raw.trim().to_ascii_lowercase();
    let ok = !s.is_empty()
        && s.len() <= 200
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(s)
    } else {
        Err(Error::Input(format!(
            "invalid DKIM selector {raw:?}: use the s= value of a DKIM-Signature, e.g. selector1"
        )))
    }
}

/// A `--dkim-selector` value: the s= value itself, or the key record's whole name
/// (`k1._domainkey.example.com`, as users copy it from a zone or a provider's page), which
/// gives the selector and the signing domain. A selector may hold dots (RFC 6376 section
/// 3.1), but never a `_domainkey` label: that is where the name of the record begins.
pub fn selector_name(raw: &str) -> Result<(String, Option<String>)> {
    let lower = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    match labels.iter().position(|l| *l == "_domainkey") {
        Some(0) | None => Ok((selector(raw)?, None)),
        Some(i) => {
            let sel = selector(&labels[..i].join("."))?;
            let rest = labels[i + 1..].join(".");
            let d = (!rest.is_empty())
                .then(|| domain(&rest, "--dkim-selector's domain"))
                .transpose()?;
            Ok((sel, d))
        }
    }
}

/// An address `local@domain` or a bare domain; returns it normalised (domain part lower-case).
pub fn address(raw: &str, what: &str) -> Result<String> {
    let s = raw.trim().trim_start_matches('<').trim_end_matches('>');
    match s.rsplit_once('@') {
        Some((local, dom)) => {
            if local.is_empty() {
                return Err(Error::Input(format!(
                    "invalid {what} {raw:?}: empty local part"
                )));
            }
            Ok(format!("{local}@{}", domain(dom, what)?))
        }
        None => domain(s, what),
    }
}

/// The domain part of an address or bare domain (already validated by [`address`]).
pub fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map_or(addr, |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised_or_refused() {
        assert_eq!(domain("Example.COM.", "domain").unwrap(), "example.com");
        assert_eq!(
            domain("xn--bcher-kva.example", "domain").unwrap(),
            "xn--bcher-kva.example"
        );
        let e = domain("xn--zz.example", "domain").unwrap_err().to_string();
        assert!(e.contains("not valid punycode"), "{e}");
        assert!(domain("_spf.xn--bcher-kva.example", "domain").is_ok());
        assert_eq!(domain("bücher.de", "domain").unwrap(), "xn--bcher-kva.de");
        for bad in [
            "",
            "com",
            "a..b",
            "-a.com",
            "a b.com",
            "1.2.3.4",
            &"a".repeat(64),
            "_dmarc.example.com",
            "sel._domainkey.example.com",
            "24.2.0.192.in-addr.arpa",
        ] {
            assert!(domain(bad, "domain").is_err(), "{bad}");
        }
    }

    #[test]
    fn selectors_and_addresses() {
        assert_eq!(selector("Selector1").unwrap(), "selector1");
        assert!(selector("bad selector").is_err());
        assert_eq!(
            address("<Bob@Example.com>", "from").unwrap(),
            "Bob@example.com"
        );
        assert_eq!(domain_of("bob@example.com"), "example.com");
        assert!(address("@example.com", "from").is_err());
    }
}
