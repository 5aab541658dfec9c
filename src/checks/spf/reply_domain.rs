//! The domain a receiver's refusal names as the one its SPF check was for, read with the
//! patterns of rules/spf-reply-domains.toml (`[[spf]]`, the check's own table).

/// The check's table (knowledge.rs here): compiled into the rules loader by the check's
/// registry line, so that the build and `rules lint` read and check it with the other tables.
pub use crate::rules::check_tables::spf as knowledge;

use std::sync::OnceLock;

/// The built-in patterns, compiled once (the build proved each compiles and has `domain`).
fn patterns() -> &'static [regex::Regex] {
    static BUILTIN: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        crate::rules::builtin_check_tables(knowledge::FILE.0)
            .spf
            .into_iter()
            .filter_map(|(_, r)| regex::Regex::new(&r.pattern).ok())
            .collect()
    })
}

/// The first domain a pattern finds in `text`, lower-case, without a trailing dot; an
/// address's domain when the receiver named the address. Only a name with a dot that is not
/// an IP address counts; the caller still validates it as a domain name.
pub fn named_in(text: &str) -> Option<String> {
    patterns().iter().find_map(|re| {
        let raw = re.captures(text)?.name("domain")?.as_str();
        let name = raw
            .rsplit('@')
            .next()
            .unwrap_or(raw)
            .trim()
            .trim_end_matches(['.', ',', ';', ':'])
            .to_ascii_lowercase();
        (name.contains('.') && name.parse::<std::net::IpAddr>().is_err()).then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::named_in;

    #[test]
    fn gmails_brackets_and_rfc_7208_wording_name_the_domain() {
        assert_eq!(
            named_in("SPF [Bounce.Example.com] with ip: [192.0.2.1] = did not pass").as_deref(),
            Some("bounce.example.com")
        );
        assert_eq!(
            named_in("550 5.7.1 domain of news@rp.example.org does not designate 192.0.2.1 as permitted sender").as_deref(),
            Some("rp.example.org")
        );
        assert_eq!(named_in("SPF [192.0.2.1] with ip: [192.0.2.1]"), None);
        assert_eq!(named_in("550 5.7.26 unauthenticated"), None);
    }
}
