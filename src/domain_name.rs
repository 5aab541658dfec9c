//! Domain-name helpers shared by every layer: one spelling of a name, the domain of an address,
//! the organizational domain, containment, and the reverse-lookup name of an IP.
//!
//! Offline and dependency-free apart from the Public Suffix List, so decoding (reply/) and the
//! checks can both use it without either depending on the other.

use std::net::IpAddr;

/// Lower-case, no trailing dot, no surrounding space: the one form names are compared in.
pub fn normalise(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The domain of an address (`user@d` -> `d`), normalised; a bare domain is returned as is.
pub fn domain_of(addr: &str) -> String {
    let a = addr.trim().trim_start_matches('<').trim_end_matches('>');
    normalise(a.rsplit_once('@').map_or(a, |(_, d)| d))
}

/// The organizational domain (RFC 7489 section 3.2) from the Public Suffix List.
pub fn org_domain(domain: &str) -> String {
    let d = normalise(domain);
    psl::domain_str(&d).map_or(d.clone(), str::to_string)
}

/// True when `name` is `apex` or below it, label by label (`a.example.com` is within
/// `example.com`, `badexample.com` is not). Both must be normalised; the root (`""`) holds
/// every name.
pub fn within(name: &str, apex: &str) -> bool {
    apex.is_empty()
        || name == apex
        || (name.len() > apex.len()
            && name.ends_with(apex)
            && name.as_bytes()[name.len() - apex.len() - 1] == b'.')
}

/// The reverse-lookup name of an address (RFC 1035 section 3.5, RFC 3596 section 2.5).
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", byte & 0xf, byte >> 4));
            }
            s.push_str("ip6.arpa");
            s
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn domains_of_addresses_and_organizational_domains() {
        assert_eq!(normalise(" Mail.Example.COM. "), "mail.example.com");
        assert_eq!(domain_of("Bob@Mail.Example.COM."), "mail.example.com");
        assert_eq!(domain_of("<a@b.example>"), "b.example");
        assert_eq!(domain_of("example.org"), "example.org");
        assert_eq!(org_domain("mail.example.co.uk"), "example.co.uk");
        assert_eq!(org_domain("a.b.example.com"), "example.com");
    }

    #[test]
    fn names_are_within_their_apex_by_whole_labels() {
        assert!(within("example.com", "example.com"));
        assert!(within("a.example.com", "example.com"));
        assert!(!within("badexample.com", "example.com"));
        assert!(!within("example.com", "a.example.com"));
        assert!(within("anything", ""));
    }

    #[test]
    fn reverse_names_for_v4_and_v6() {
        assert_eq!(
            reverse_name("192.0.2.7".parse().unwrap()),
            "7.2.0.192.in-addr.arpa"
        );
        let v6 = reverse_name("2001:db8::1".parse().unwrap());
        assert!(v6.starts_with("1.0.0.0.") && v6.ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"));
        assert_eq!(v6.split('.').count(), 34);
    }
}
