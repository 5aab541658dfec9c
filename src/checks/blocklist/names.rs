//! What the blocklist check asks about, and under which names: the sending IP in reversed
//! form (RFC 5782 section 2.1 and 2.4), the sender's domains, and the zone an access key picks.

use super::super::types::CheckParams;
use super::knowledge::BlocklistRule;
use crate::domain_name::{domain_of, normalise, org_domain};
use std::net::IpAddr;

/// The label part of a list question for `ip`: `25.2.0.192` for 192.0.2.25, 32 nibbles for
/// IPv6. An IPv4-mapped IPv6 address is asked as the IPv4 address it carries.
pub fn ip_labels(ip: IpAddr) -> String {
    let name = crate::domain_name::reverse_name(ip.to_canonical());
    name.trim_end_matches(".in-addr.arpa")
        .trim_end_matches(".ip6.arpa")
        .to_string()
}

/// True when `s` is an IP address, bracketed or not, rather than a domain.
pub fn is_ip_literal(s: &str) -> bool {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    let t = t
        .strip_prefix("IPv6:")
        .or(t.strip_prefix("ipv6:"))
        .unwrap_or(t);
    t.parse::<IpAddr>().is_ok() || s.contains('[')
}

/// The domains domain lists are asked about: the checked domain, the From, MAIL FROM and
/// DKIM d= domains, each followed by its organizational domain (lists such as SURBL list the
/// registered domain only). Returns them and the identities skipped as IP literals.
pub fn domains(params: &CheckParams) -> (Vec<String>, Vec<String>) {
    let given = [
        Some(params.domain.clone()),
        params.from.as_deref().map(domain_of),
        params
            .mail_from
            .as_deref()
            .filter(|m| m.trim() != "<>")
            .map(domain_of),
        params.dkim_domain.as_deref().map(normalise),
    ];
    let mut out: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    for d in given.into_iter().flatten() {
        if d.is_empty() {
            continue;
        }
        if is_ip_literal(&d) || !d.contains('.') {
            if !skipped.contains(&d) {
                skipped.push(d);
            }
            continue;
        }
        for name in [d.clone(), org_domain(&d)] {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    (out, skipped)
}

/// The zone to ask: the keyed zone when the list's key variable is set, else the public zone.
/// A key that is not one DNS label is refused rather than pasted into a name.
pub fn zone(list: &BlocklistRule) -> Result<String, String> {
    let (Some(var), Some(keyed)) = (&list.key_env, &list.key_zone) else {
        return Ok(list.zone.clone());
    };
    match std::env::var(var) {
        Ok(key) if key.trim().is_empty() => Ok(list.zone.clone()),
        Ok(key) => {
            let key = key.trim();
            if key.len() <= 63 && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
                Ok(keyed.replacen("{key}", &key.to_ascii_lowercase(), 1))
            } else {
                Err(format!(
                    "${var} is set but is not an access key (letters and digits, at most 63)"
                ))
            }
        }
        Err(_) => Ok(list.zone.clone()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_reversed_and_ipv6_is_nibbles_in_every_notation() {
        assert_eq!(ip_labels("192.0.2.25".parse().unwrap()), "25.2.0.192");
        let nibbles = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";
        for v6 in [
            "2001:db8::1",
            "2001:0db8:0000:0000:0000:0000:0000:0001",
            "2001:DB8:0:0::1",
            "2001:db8:0:0:0:0:0:1",
        ] {
            assert_eq!(ip_labels(v6.parse().unwrap()), nibbles, "{v6}");
        }
        assert_eq!(
            ip_labels("::ffff:192.0.2.25".parse().unwrap()),
            "25.2.0.192",
            "an IPv4-mapped address is asked as IPv4"
        );
    }

    #[test]
    fn sender_domains_and_their_organizational_domains_are_asked_once() {
        let p = CheckParams {
            domain: "mail.example.com".into(),
            from: Some("a@example.com".into()),
            mail_from: Some("b@[192.0.2.1]".into()),
            dkim_domain: Some("esp.example.net".into()),
            ..CheckParams::default()
        };
        let (d, skipped) = domains(&p);
        assert_eq!(
            d,
            [
                "mail.example.com",
                "example.com",
                "esp.example.net",
                "example.net"
            ]
        );
        assert_eq!(skipped, ["[192.0.2.1]"]);
    }
}
