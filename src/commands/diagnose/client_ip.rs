//! The client address a receiver names in its refusal (in brackets, after "from"/"IP"/"host",
//! in a provider's explanation link ...): the address the message left from, as it saw it.

use crate::reply::Extracted;

/// The client address a receiver names in its reply (`Client host [192.0.2.25] blocked using
/// ...`, `banned sending IP [192.0.2.25]`, `Messages from 192.0.2.25 temporarily deferred`):
/// the address the message was sent from, as the receiver saw it. Only an address in
/// brackets that stand alone, or one right after "from", "IP" or "host", counts: `mx.x[ip]` is
/// the receiving host of a pasted log line, and other numbers in a reply are not addresses.
pub(super) fn client_ip_in_replies(
    extracted: &Extracted,
) -> Option<(std::net::IpAddr, &'static str)> {
    extracted.replies.iter().find_map(|r| client_ip_in(&r.text))
}

fn client_ip_in(text: &str) -> Option<(std::net::IpAddr, &'static str)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let bare = w.trim_end_matches(['.', ',', ';', ':', ')']);
        let before = i
            .checked_sub(1)
            .map(|j| words[j].to_ascii_lowercase())
            .unwrap_or_default();
        let (candidate, how) = if let Some(inner) = bare.strip_prefix('[') {
            let Some(inner) = inner.strip_suffix(']') else {
                continue;
            };
            (inner, "the address in brackets")
        } else if let Some(v) = bare
            .get(..3)
            .filter(|p| p.eq_ignore_ascii_case("ip="))
            .and(bare.get(3..))
        {
            // T-Online: `554 IP=192.0.2.25 - A problem occurred ...`
            (v, "the address the receiver names")
        } else if let Some(v) = bare
            .strip_prefix('<')
            .and_then(|v| v.split_once('>'))
            .map(|(v, _)| v)
            .filter(|v| !v.is_empty())
        {
            // AT&T: `521 <192.0.2.25> is blocked`.
            (v, "the address in angle brackets")
        } else if before.ends_with('<') && words.get(i + 1).is_some_and(|n| n.starts_with('>')) {
            // AT&T: `DNSBL:RBL 521< 192.0.2.25 >_is_blocked`.
            (bare, "the address in angle brackets")
        } else if let Some(v) = case_url_ip(bare) {
            // GMX/WEB.DE: `.../en/case?c=r0201&i=ip&v=192.0.2.25&r=...`.
            (v, "the v= of the case link")
        } else if let Some(v) = why_url_ip(bare) {
            // policyd-spf links to `.../Why?s=mfrom;id=...;ip=192.0.2.25;r=...`.
            (v, "the ip= of the SPF explanation link")
        } else if let Some(v) = link_ip(bare) {
            // GMX/WEB.DE and IONOS: `.../senderguidelines?ip=192.0.2.25&c=rdns`.
            (v, "the ip= of the receiver's explanation link")
        } else if matches!(before.as_str(), "from" | "ip" | "ip:" | "host" | "address")
            || names_host(&before)
            // Gmail: `Authentication results: SPF with 192.0.2.25 = did not pass`.
            || (before == "with" && words.get(i + 1) == Some(&"="))
        {
            // Comcast writes its own host name (twice), then the client's address.
            (bare, "the address the receiver names")
        } else {
            continue;
        };
        if let Ok(ip) = candidate
            .trim_start_matches("IPv6:")
            .parse::<std::net::IpAddr>()
        {
            return Some((ip, how));
        }
    }
    None
}

/// The `v=` of a GMX/WEB.DE case link when its `i=` says the value is an IP
/// (`case?c=r0201&i=ip&v=192.0.2.25&r=...`).
fn case_url_ip(word: &str) -> Option<&str> {
    let (_, query) = word.split_once("/case?")?;
    let params: Vec<&str> = query.split('&').collect();
    params
        .iter()
        .any(|p| p.eq_ignore_ascii_case("i=ip"))
        .then(|| params.iter().find_map(|p| p.strip_prefix("v=")))
        .flatten()
}

/// The `ip=` parameter of an SPF "Why?" link (`?s=mfrom;id=a@b;ip=192.0.2.25;r=mx`).
fn why_url_ip(word: &str) -> Option<&str> {
    let (_, query) = word
        .split_once("Why?")
        .or_else(|| word.split_once("why?"))?;
    query
        .split([';', '&'])
        .find_map(|kv| kv.strip_prefix("ip="))
}

/// The address a receiver's explanation link carries for the client's own case: its query's
/// `ip=` (GMX's `senderguidelines?ip=192.0.2.25&c=rdns`, IONOS's
/// `help/index.php?id=2425&ip=192.0.2.25&c=rdns`, Barracuda's `reputation/?pr=1&ip=...`), a
/// query that is the address itself (SpamCop's `bl.shtml?192.0.2.25`), or the path segment
/// after `/ip/` (Spamhaus's `query/ip/192.0.2.25`). The caller keeps it only if it parses.
fn link_ip(word: &str) -> Option<&str> {
    let (scheme, rest) = word.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_query = query.split('&').find_map(|kv| {
        kv.get(..3)
            .filter(|k| k.eq_ignore_ascii_case("ip="))
            .and(kv.get(3..))
    });
    let whole = (!query.is_empty() && query.parse::<std::net::IpAddr>().is_ok()).then_some(query);
    let segments: Vec<&str> = path.split('/').collect();
    let in_path = segments
        .windows(2)
        .find(|w| w[0].eq_ignore_ascii_case("ip"))
        .map(|w| w[1]);
    in_query.or(whole).or(in_path)
}

/// True for a host name written as a word of its own (`resimta-ch2-18v.sys.comcast.net`): two
/// labels or more and a top-level label of letters, so no version number (`4.16.55.1`) counts.
fn names_host(word: &str) -> bool {
    let labels: Vec<&str> = word.trim_end_matches('.').split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod client_ip_tests {
    use super::client_ip_in;

    fn ip(text: &str) -> Option<String> {
        client_ip_in(text).map(|(ip, _)| ip.to_string())
    }

    #[test]
    fn the_client_address_a_reply_names_and_nothing_else() {
        assert_eq!(
            ip("554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org").as_deref(),
            Some("192.0.2.25")
        );
        assert_eq!(
            ip("421 4.7.0 [TSS04] Messages from 192.0.2.7 temporarily deferred").as_deref(),
            Some("192.0.2.7")
        );
        assert_eq!(
            ip("550-5.7.1 [2001:db8::1] The IP address sending this message does not have a PTR record").as_deref(),
            Some("2001:db8::1")
        );
        // The receiving host of a pasted log line, a bracketed token, other numbers: none.
        assert_eq!(
            ip("host mx.example.net[198.51.100.7] said: 550 5.1.1 user unknown"),
            None
        );
        assert_eq!(
            ip("550 5.7.1 [BN8NAM12FT004.eop-nam12.prod.protection.outlook.com] 10.0.0"),
            None
        );
        assert_eq!(ip("452 4.2.2 quota 1.2.3 exceeded [unclosed"), None);
        // A version-like number after a dash is no address either.
        assert_eq!(
            ip(
                "421 4.7.0 [TSS04] deferred due to user complaints - 4.16.55.1; see https://postmaster.yahooinc.com"
            ),
            None
        );
    }

    #[test]
    fn comcast_and_t_online_name_the_client_after_their_host_or_as_ip_equals() {
        assert_eq!(
            ip("554 resimta-ch2-18v.sys.comcast.net resimta-ch2-18v.sys.comcast.net 192.0.2.95 Comcast requires that all mail servers must have a PTR record").as_deref(),
            Some("192.0.2.95")
        );
        assert_eq!(
            ip("554 IP=192.0.2.25 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)").as_deref(),
            Some("192.0.2.25")
        );
    }

    #[test]
    fn gmail_names_the_client_in_its_authentication_results() {
        assert_eq!(
            ip("550-5.7.27 This message was blocked because it didn't pass SPF authentication. Gmail requires bulk email senders to authenticate their email with SPF. Authentication results: SPF with 198.51.100.75 = did not pass 5b1f17b1804b1-4si2.2 - gsmtp").as_deref(),
            Some("198.51.100.75")
        );
        // "with" before a number that no `=` follows is not the client.
        assert_eq!(ip("452 4.3.1 queue full with 10.0.0.1 waiting"), None);
    }

    #[test]
    fn gmx_names_the_client_in_its_case_link() {
        assert_eq!(
            ip("554 gmx.net (mxgmx104) Nemesis ESMTP Service not available No SMTP service IP address is block listed. For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=192.0.2.166&r=1MNcgj-1ue23t3pyV-00S2YR").as_deref(),
            Some("192.0.2.166")
        );
        // A case about something else than an IP names no client address.
        assert_eq!(
            ip("554 see https://postmaster.gmx.net/en/case?c=r0301&i=dom&v=192.0.2.1&r=x"),
            None
        );
    }

    #[test]
    fn gmx_and_ionos_name_the_client_in_their_explanation_links() {
        assert_eq!(
            ip("554-gmx.net (mxgmx117) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR resource record. 554 For explanation visit https://www.gmx.net/mail/senderguidelines?ip=192.0.2.51&c=rdns").as_deref(),
            Some("192.0.2.51")
        );
        assert_eq!(
            ip("554-Bad DNS PTR resource record. 554 For explanation visit https://www.ionos.com/help/index.php?id=2425&ip=2001:db8::25&c=rdns)").as_deref(),
            Some("2001:db8::25")
        );
        assert_eq!(
            ip("554 Service unavailable; Client host blocked using b.barracudacentral.org; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.52").as_deref(),
            Some("192.0.2.52")
        );
        assert_eq!(
            ip("550 5.7.1 blocked using bl.spamcop.net; https://www.spamcop.net/bl.shtml?192.0.2.53").as_deref(),
            Some("192.0.2.53")
        );
        assert_eq!(
            ip("554 5.7.1 blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.54").as_deref(),
            Some("192.0.2.54")
        );
        // A parameter that only ends in ip=, a path without an ip segment, a domain: none.
        assert_eq!(ip("see https://example.net/help?zip=192.0.2.1"), None);
        assert_eq!(ip("see https://example.net/ip=192.0.2.1"), None);
        assert_eq!(
            ip("see https://www.spamhaus.org/query/domain/example.com"),
            None
        );
    }

    #[test]
    fn att_names_the_client_in_angle_brackets_with_or_without_spaces() {
        assert_eq!(
            ip("553 5.3.0 flph829 DNSBL:RBL 521< 192.0.2.168 >_is_blocked.For assistance forward this email to abuse_rbl@abuse-att.net").as_deref(),
            Some("192.0.2.168")
        );
        assert_eq!(
            ip("521 <192.0.2.25> is blocked").as_deref(),
            Some("192.0.2.25")
        );
        // An address in angle brackets is a mailbox, and a HELO literal is no client address
        // of this form.
        assert_eq!(
            ip("550 5.1.1 <bob@example.org>: Recipient address rejected"),
            None
        );
        assert_eq!(
            ip("504 5.5.2 <[192.0.2.165]>: Helo command rejected: need fully-qualified hostname"),
            None
        );
    }
}
