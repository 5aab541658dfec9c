//! Address ranges in an SPF record wider than any one sender holds (`ip4:0.0.0.0/1`): Gmail
//! defers or refuses mail over them as "suspicious entries" (4.7.24/5.7.24).

/// The shortest IPv4 prefix a sender's record plausibly authorises: a /8 is the largest block
/// ever assigned to one organisation (Apple's 17.0.0.0/8 is in its own record), so a shorter
/// prefix spans several organisations' networks.
const SHORTEST_IP4: u8 = 8;
/// The same for IPv6: a /16 is wider than any regional registry's allocation to one holder.
const SHORTEST_IP6: u8 = 16;

/// True when `term` (as written in a record, qualifier included) passes an `ip4:`/`ip6:`
/// range wider than one sender holds. Other qualifiers (`-ip4:0.0.0.0/1`) authorise no one.
pub fn too_wide(term: &str) -> bool {
    let qualified = term.starts_with(['-', '~', '?']);
    let bare = term
        .trim_start_matches(['+', '-', '~', '?'])
        .to_ascii_lowercase();
    if qualified {
        return false;
    }
    let (shortest, rest) = if let Some(r) = bare.strip_prefix("ip4:") {
        (SHORTEST_IP4, r)
    } else if let Some(r) = bare.strip_prefix("ip6:") {
        (SHORTEST_IP6, r)
    } else {
        return false;
    };
    rest.split_once('/')
        .and_then(|(_, p)| p.parse::<u8>().ok())
        .is_some_and(|p| p < shortest)
}

/// How many addresses the range of `term` spans, as a power of two.
pub fn span(term: &str) -> String {
    let bare = term
        .trim_start_matches(['+', '-', '~', '?'])
        .to_ascii_lowercase();
    let bits = if bare.starts_with("ip6:") { 128 } else { 32 };
    let len = bare
        .split_once('/')
        .and_then(|(_, p)| p.parse::<u32>().ok())
        .unwrap_or(bits);
    format!("2^{} addresses", bits.saturating_sub(len))
}

/// The pass-qualified directives of a parsed record that are too wide, as written.
pub fn in_record(record: &str) -> Vec<String> {
    record
        .split_whitespace()
        .filter(|t| too_wide(t))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::too_wide;

    #[test]
    fn only_passing_ranges_wider_than_one_holder_are_too_wide() {
        assert!(too_wide("ip4:0.0.0.0/1"));
        assert!(too_wide("+ip4:64.0.0.0/2"));
        assert!(too_wide("ip6:2000::/3"));
        assert!(!too_wide("ip4:17.0.0.0/8"));
        assert!(!too_wide("ip4:203.0.113.0/24"));
        assert!(!too_wide("ip4:203.0.113.5"));
        assert!(!too_wide("-ip4:0.0.0.0/1"));
        assert!(!too_wide("~ip6:2000::/3"));
        assert!(!too_wide("ip6:2001:db8::/32"));
        assert!(!too_wide("a/4"));
    }
}
