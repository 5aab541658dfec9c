//! The identity check_host() runs for (IP, sender, HELO) and the expansion of macros in
//! domain-specs (RFC 7208 section 7), done by mail-auth's own expander so that our walk asks
//! exactly the names mail-auth would look up.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::spf::{Macro, Variables};
use std::net::IpAddr;

/// The receiving host's name given to mail-auth (`%{r}`, allowed only in `exp=` text).
pub const HOST_DOMAIN: &str = "mailtriage.invalid";

/// Who is sending: what check_host() is evaluated for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub ip: IpAddr,
    /// The HELO/EHLO name.
    pub helo: String,
    /// The MAIL FROM address; empty for a bounce (then the HELO identity is checked).
    pub sender: String,
}

impl Identity {
    pub fn new(ip: IpAddr, helo: &str, sender: &str) -> Identity {
        Identity {
            // An IPv4-mapped IPv6 client is an IPv4 connection: A records are fetched for it
            // and `%{i}` is dotted-quad (RFC 7208 section 5, RFC 4291 section 2.5.5.2).
            ip: ip.to_canonical(),
            helo: helo.trim().trim_end_matches('.').to_string(),
            sender: sender.trim().to_string(),
        }
    }

    /// The domain check_host() starts at: the MAIL FROM domain, else the HELO name.
    pub fn domain(&self) -> String {
        self.sender
            .rsplit_once('@')
            .map_or(self.helo.as_str(), |(_, d)| d)
            .trim_end_matches('.')
            .to_ascii_lowercase()
    }

    /// `<sender>` as mail-auth sets it: postmaster@<domain> when MAIL FROM is empty.
    fn sender_var(&self) -> String {
        if self.sender.is_empty() {
            format!("postmaster@{}", self.domain())
        } else {
            self.sender.clone()
        }
    }

    /// The macro variables for a record of `domain`; `validated` is mail-auth's `%{p}` (the
    /// first PTR name of the IP, with its trailing dot), when a term needs it.
    pub fn variables(&self, domain: &str, validated: Option<&str>) -> Variables<'static> {
        let mut vars = Variables::new();
        vars.set_ip(&self.ip);
        vars.set_sender(self.sender_var().into_bytes());
        vars.set_domain(domain.as_bytes().to_vec());
        vars.set_host_domain(HOST_DOMAIN.as_bytes().to_vec());
        vars.set_helo_domain(self.helo.as_bytes().to_vec());
        if let Some(p) = validated {
            vars.set_validated_domain(p.as_bytes().to_vec());
        }
        vars
    }

    /// The name a domain-spec of a record at `domain` expands to, lower case, no trailing dot;
    /// None when the spec does not parse as a macro-string.
    pub fn expand(&self, spec: &str, domain: &str, validated: Option<&str>) -> Option<String> {
        let m = Macro::parse(spec.as_bytes()).ok()?;
        Some(expand_macro(&m, &self.variables(domain, validated), domain))
    }
}

/// A parsed macro-string expanded as mail-auth expands a domain-spec, normalised, and cut to
/// a name a query can carry (see [`truncate_left`]).
pub fn expand_macro(m: &Macro, vars: &Variables<'_>, domain: &str) -> String {
    let out = m.eval(vars, domain, true);
    let name = out.trim_end_matches('.').to_ascii_lowercase();
    if matches!(m, Macro::Variable { .. } | Macro::List(_)) {
        truncate_left(&name).to_string()
    } else {
        name
    }
}

/// RFC 7208 section 7.3: an expansion longer than 253 characters loses whole labels from the
/// left until it fits; the rest is queried like any name (it is not a malformed name, so it is
/// neither assumed non-existent nor counted as a void lookup without an answer).
pub fn truncate_left(name: &str) -> &str {
    let mut rest = name;
    while rest.len() > MAX_NAME {
        match rest.split_once('.') {
            Some((_, tail)) => rest = tail,
            None => break,
        }
    }
    rest
}

/// The longest domain name in dotted form (RFC 1035 section 2.3.4, without the final dot).
pub const MAX_NAME: usize = 253;

/// True when a DNS query can be composed for `name` (RFC 1035 section 2.3.4: no empty label,
/// labels of at most 63 octets, at most 253 in all). Any octet may appear in a label (RFC 2181
/// section 11), so `a+b` (the `%{l}` of a plus-addressed sender) is asked like any name. Other
/// names are treated as non-existent, as the RFC 7208 suite expects, not as a DNS failure.
pub fn queryable(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name.split('.').all(|l| !l.is_empty() && l.len() <= 63)
}

/// RFC 7208 section 4.3: check_host() answers `none` for a malformed or single-label domain
/// (domain literals such as `[192.0.2.1]` included).
pub fn valid_domain(name: &str) -> bool {
    let bare = name.strip_suffix('.').unwrap_or(name);
    queryable(bare)
        && bare.contains('.')
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// True when a record's text uses `%{p}`: the PTR of the IP must then be known to expand it.
pub fn needs_ptr(text: &str) -> bool {
    text.contains("%{p") || text.contains("%{P")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn expands_rfc7208_examples() {
        // RFC 7208 section 7.4, for strong-bad@email.example.com from 192.0.2.3.
        let id = Identity::new(
            "192.0.2.3".parse().unwrap(),
            "mx.example.org",
            "strong-bad@email.example.com",
        );
        let d = "email.example.com";
        assert_eq!(
            id.expand("%{ir}.%{v}._spf.%{d2}", d, None).unwrap(),
            "3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            id.expand("%{lr-}.lp._spf.%{d2}", d, None).unwrap(),
            "bad.strong.lp._spf.example.com"
        );
        assert_eq!(id.expand("%{d2}", d, None).unwrap(), "example.com");
        assert_eq!(
            id.expand("Plain.Example.", d, None).unwrap(),
            "plain.example"
        );
        let v6 = Identity::new("2001:db8::cb01".parse().unwrap(), "h.example", "");
        assert_eq!(
            v6.expand("%{ir}.%{v}._spf.%{d2}", "email.example.com", None)
                .unwrap(),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
        assert_eq!(v6.domain(), "h.example");
        assert_eq!(
            v6.expand("%{l}.x.example", "h.example", None).unwrap(),
            "postmaster.x.example"
        );
    }

    #[test]
    fn malformed_names() {
        assert!(valid_domain("mail.example.com."));
        for bad in [
            "A...example.com",
            "[1.2.3.5]",
            "OEMCOMPUTER",
            "",
            &format!("{}.example", "a".repeat(64)),
        ] {
            assert!(!valid_domain(bad), "{bad}");
        }
        assert!(!queryable("a..b.example"));
        assert!(queryable("mail.example.com"));
        assert!(queryable("a+b.u.example.com"));
        assert!(!queryable(&format!("{}.example", "a".repeat(64))));
    }

    #[test]
    fn long_expansions_lose_labels_from_the_left() {
        let l = "b".repeat(63);
        let long = format!("{l}.{l}.{l}.{l}.x.example");
        let cut = truncate_left(&long);
        assert_eq!(cut, format!("{l}.{l}.{l}.x.example"));
        assert!(cut.len() <= MAX_NAME);
        assert_eq!(truncate_left("a.example"), "a.example");
        let id = Identity::new(
            "192.0.2.3".parse().unwrap(),
            "h.example",
            &format!("{l}@d.example"),
        );
        assert_eq!(
            id.expand("%{l}.%{l}.%{l}.%{l}.x.example", "d.example", None)
                .unwrap(),
            format!("{l}.{l}.{l}.x.example")
        );
        let mapped = Identity::new("::ffff:192.0.2.3".parse().unwrap(), "h.example", "");
        assert!(mapped.ip.is_ipv4());
    }
}
