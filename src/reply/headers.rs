//! Headers of the original message returned inside a bounce (From, DKIM d=/s=, sending IP ...).

use super::code::Regex;
use super::code::re;
use super::types::OriginalHeaders;
use std::net::IpAddr;
use std::sync::LazyLock;

static FROM_HOST: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*from\s+([^\s(\[;]+)"));
static RDNS_HOST: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*from\s+\S+\s+\(([A-Za-z0-9.-]+\.[A-Za-z]{2,})\.?\s*\["));
static BY_HOST: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bby\s+([^\s;()\[\]]+)"));
/// The client IP an authentication header recorded, in the spellings receivers use.
static AUTH_IP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:client-ip=|smtp\.remote-ip=|policy\.iprev=|designates\s+|sender ip is\s+)\[?([0-9A-Fa-f:.]{7,})\]?",
    )
});
static AUTH_HELO: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:^|[\s;])(?:smtp\.)?helo=([^\s;()]+)"));
static RECEIVER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)receiver=([^\s;()]+)"));
static COMMENT_REPORTER: LazyLock<Regex> = LazyLock::new(|| re(r"\(\s*([A-Za-z0-9.-]+)\s*:"));
static TAG: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|;)\s*([a-z]+)\s*=\s*([^;]*)"));

/// An authentication header that recorded the connecting client.
struct ClientReport {
    header: &'static str,
    /// Who wrote it: the authserv-id of Authentication-Results, `receiver=` or the comment's
    /// host of Received-SPF.
    reporter: Option<String>,
    ip: Option<IpAddr>,
    helo: Option<String>,
}

/// Reads the original message's headers from raw header text (message/rfc822 part,
/// text/rfc822-headers part, or headers quoted in a bounce body). `None` if nothing useful.
pub fn from_raw(raw: &str) -> Option<OriginalHeaders> {
    let mut h = OriginalHeaders::default();
    let mut received: Vec<String> = Vec::new();
    let mut reports: Vec<ClientReport> = Vec::new();
    for (name, value) in unfold(raw) {
        match name.as_str() {
            "from" if h.from.is_none() => h.from = Some(value),
            "return-path" if h.return_path.is_none() => {
                h.return_path = Some(value.trim_matches(['<', '>', ' ']).to_string());
            }
            "to" if h.to.is_empty() => {
                h.to = addresses(&value);
                h.named.extend(named_addresses(&value));
            }
            "cc" => h.named.extend(named_addresses(&value)),
            "message-id" if h.message_id.is_none() => {
                h.message_id = Some(value.trim_matches(['<', '>', ' ']).to_string());
            }
            "dkim-signature" => {
                if let Some(ds) = dkim_tags(&value) {
                    h.dkim.push(ds);
                }
            }
            "authentication-results" => {
                reports.push(client_report("Authentication-Results", &value));
                h.authentication_results.push(value);
            }
            "received" => received.push(value),
            "received-spf" => reports.push(client_report("Received-SPF", &value)),
            _ => {}
        }
    }
    let by_hosts: Vec<String> = received.iter().filter_map(|r| by_host(r)).collect();
    for (i, r) in received.iter().enumerate() {
        let nth = if i == 0 {
            TOP.to_string()
        } else {
            format!("Received header {}", i + 1)
        };
        if let Some(f) = capture(&FROM_HOST, r) {
            h.received_hosts.push((f, format!("`from` of the {nth}")));
        }
        if let Some(f) = capture(&RDNS_HOST, r) {
            h.received_hosts
                .push((f, format!("reverse DNS name in the {nth}")));
        }
        if let Some(b) = by_host(r) {
            h.received_hosts.push((b, format!("`by` of the {nth}")));
        }
    }
    // A bounce usually carries no header from the receiver that rejected it (it refused during
    // SMTP), and every Received header in it was written on the sender's side: the bottom one
    // names the machine that submitted the message (a laptop, an app server), not the IP the
    // receiver saw. Only an authentication header written by someone other than the sender's
    // own relays says which client connected to the receiver.
    if let Some(r) = reports
        .iter()
        .find(|r| r.ip.is_some() && !written_by_sender(r.reporter.as_deref(), &by_hosts))
    {
        let by = r
            .reporter
            .as_deref()
            .map(|x| format!(" written by {x}"))
            .unwrap_or_default();
        h.sending_ip = r.ip;
        h.sending_ip_source = Some(format!("bounce: {} header{by}", r.header));
        if let Some(helo) = &r.helo {
            h.helo = Some(helo.clone());
            h.helo_source = Some(format!("bounce: {} header{by}", r.header));
        }
    }
    if h.helo.is_none()
        && let Some(top) = by_hosts.first()
    {
        // The top-most `by` host is the sender's last relay: the MTA that then connected to the
        // receiver. MTAs announce their own host name in HELO by default, so it is the best
        // guess there is, and the report says it is one.
        h.helo = Some(top.clone());
        h.helo_source = Some(BY_GUESS.to_string());
    }
    let useful = h.from.is_some()
        || h.return_path.is_some()
        || h.message_id.is_some()
        || !h.dkim.is_empty()
        || h.sending_ip.is_some()
        || h.helo.is_some();
    useful.then_some(h)
}

/// The bare addresses of an address-list header value (`Ann <a@x>, b@y`).
pub fn addresses(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter_map(|a| {
            let a = a.rsplit('<').next()?.trim().trim_end_matches('>').trim();
            (a.contains('@') && !a.contains(char::is_whitespace)).then(|| a.to_string())
        })
        .collect()
}

/// Each `Display Name <address>` of a header value, as (name, address): commas inside quotes
/// belong to the name (`"Kim, Ann" <ann@example.org>`). Addresses without a name are left out.
pub fn named_addresses(value: &str) -> Vec<(String, String)> {
    let mut items = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&value[start..]);
    items
        .into_iter()
        .filter_map(|item| {
            let (name, rest) = item.split_once('<')?;
            let address = rest.split('>').next()?.trim();
            let name = name.trim().trim_matches(['"', '\'', ' ']).trim();
            (address.contains('@') && !name.is_empty() && !name.contains('@'))
                .then(|| (name.to_string(), address.to_string()))
        })
        .collect()
}

fn capture(re: &Regex, text: &str) -> Option<String> {
    re.captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim_end_matches('.').to_ascii_lowercase())
        .filter(|s| !s.is_empty())
}

fn by_host(received: &str) -> Option<String> {
    capture(&BY_HOST, received)
}

fn client_report(header: &'static str, value: &str) -> ClientReport {
    let reporter = if header == "Authentication-Results" {
        value
            .split(';')
            .next()
            .and_then(|id| id.split_whitespace().next())
            .map(|id| id.trim_end_matches('.').to_ascii_lowercase())
            .filter(|id| id.contains('.'))
    } else {
        capture(&RECEIVER, value).or_else(|| capture(&COMMENT_REPORTER, value))
    };
    ClientReport {
        header,
        reporter,
        ip: AUTH_IP
            .captures(value)
            .and_then(|c| c.get(1)?.as_str().parse().ok()),
        helo: capture(&AUTH_HELO, value).filter(|h| !h.contains('@')),
    }
}

/// The first Received header, as provenance names it.
const TOP: &str = "top-most Received header";

/// Where a HELO guessed from the top-most `by` host was read.
const BY_GUESS: &str = "bounce: `by` host of the top-most Received header (the outbound MTA that connected to the receiver; MTAs usually announce this name in HELO)";

impl OriginalHeaders {
    /// The returned original as the receiver kept it, its own Received header on top
    /// (Microsoft's NDRs): when the report's author (`reporting_mta`) received the message from
    /// another organisation's host (`received_from`, the DSN's Received-From-MTA), a HELO
    /// guessed from a top-most `by` host of the author's organisation names the receiver, and
    /// the host it received from is the sender's edge: that host is the HELO to check.
    pub(crate) fn received_by(&mut self, reporting_mta: &str, received_from: &str) {
        use crate::domain_name::org_domain;
        let org = org_domain(reporting_mta);
        let guessed = self.helo_source.as_deref() == Some(BY_GUESS);
        if !guessed
            || self.helo.as_deref().map(org_domain) != Some(org.clone())
            || org_domain(received_from) == org
        {
            return;
        }
        self.helo = Some(received_from.to_string());
        self.helo_source = Some(format!(
            "bounce: Received-From-MTA of the report; {reporting_mta} wrote it and the top-most Received header, so the `by` host there is the receiver's"
        ));
    }
}

/// True when the header's author is one of the sender's own relays (a Received `by` host, or
/// a host of the same organizational domain): it describes an earlier hop, not the receiver's.
fn written_by_sender(reporter: Option<&str>, by_hosts: &[String]) -> bool {
    let Some(rep) = reporter else {
        return false;
    };
    let org = crate::domain_name::org_domain(rep);
    by_hosts
        .iter()
        .any(|b| b == rep || crate::domain_name::org_domain(b) == org)
}

/// Header fields in order, names lowercased, folded lines joined. Stops at the first blank line.
fn unfold(raw: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in raw.lines() {
        if line.trim().is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            if k.is_empty() || k.contains(char::is_whitespace) {
                continue;
            }
            out.push((k.to_ascii_lowercase(), v.trim().to_string()));
        }
        if out.len() > 500 {
            break;
        }
    }
    out
}

fn dkim_tags(v: &str) -> Option<(String, String)> {
    let mut d = None;
    let mut s = None;
    let compact: String = v.split_whitespace().collect::<Vec<_>>().join(" ");
    for c in TAG.captures_iter(&compact) {
        let (Some(k), Some(val)) = (c.get(1), c.get(2)) else {
            continue;
        };
        match k.as_str() {
            "d" => d = Some(val.as_str().trim().to_string()),
            "s" => s = Some(val.as_str().trim().to_string()),
            _ => {}
        }
    }
    Some((d?, s?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTIHOP: &str = "Return-Path: <bounces@news.example.com>\n\
        Received: from app1.example.com (app1.example.com [198.51.100.7])\n\
        \tby out.example.com (Postfix) with ESMTP id X1; Mon, 1 Jan 2024 00:00:01 +0000\n\
        Received: from laptop (home.isp.example [203.0.113.99])\n\
        \tby app1.example.com with ESMTPSA id Y1; Mon, 1 Jan 2024 00:00:00 +0000\n\
        DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\n\
        \ts=mail2024; h=from:to; bh=abc=; b=def=\n\
        DKIM-Signature: v=1; d=esp.example; s=esp1; h=from; bh=x; b=y\n\
        From: News <news@example.com>\n\
        Message-ID: <abc123@example.com>\n\n\
        body";

    #[test]
    fn a_receivers_own_top_header_gives_the_host_it_received_from_as_helo() {
        let mut h = from_raw(MULTIHOP).unwrap();
        // Another organisation's report leaves the guess (out.example.com) alone, and so does
        // the sender's own bounce server that received from its own app server.
        h.received_by("mx1.receiver.example", "out.example.com");
        h.received_by("bounce.example.com", "app1.example.com");
        assert_eq!(h.helo.as_deref(), Some("out.example.com"));
        // The receiver (of example.com here) wrote the report and the top header: the host
        // it received from is the HELO.
        h.received_by("MX9.example.com", "edge.sender.example");
        assert_eq!(h.helo.as_deref(), Some("edge.sender.example"));
        assert!(h.helo_source.unwrap().contains("Received-From-MTA"));
    }

    #[test]
    fn a_bounce_without_a_receiver_header_gives_no_ip_and_the_outbound_mta_as_helo() {
        let h = from_raw(MULTIHOP).unwrap();
        // The bottom hop is the submitting laptop: never the IP the receiver saw.
        assert_eq!(h.sending_ip, None);
        assert_eq!(h.helo.as_deref(), Some("out.example.com"));
        assert!(h.helo_source.unwrap().contains("top-most Received"));
        assert_eq!(
            h.dkim,
            vec![
                ("example.com".to_string(), "mail2024".to_string()),
                ("esp.example".to_string(), "esp1".to_string())
            ]
        );
        assert_eq!(h.return_path.as_deref(), Some("bounces@news.example.com"));
        assert_eq!(h.message_id.as_deref(), Some("abc123@example.com"));
        let hosts: Vec<&str> = h.received_hosts.iter().map(|(x, _)| x.as_str()).collect();
        assert_eq!(
            hosts,
            [
                "app1.example.com",
                "app1.example.com",
                "out.example.com",
                "laptop",
                "home.isp.example",
                "app1.example.com"
            ]
        );
    }

    #[test]
    fn the_receivers_received_spf_gives_ip_and_helo() {
        let raw = format!(
            "Received-SPF: softfail (google.com: domain of transitioning bounces@example.com does not designate 192.0.2.24 as permitted sender) client-ip=192.0.2.24; envelope-from=bounces@example.com; helo=out.example.com;\n{MULTIHOP}"
        );
        let h = from_raw(&raw).unwrap();
        assert_eq!(h.sending_ip, "192.0.2.24".parse().ok());
        assert_eq!(h.helo.as_deref(), Some("out.example.com"));
        assert_eq!(
            h.sending_ip_source.as_deref(),
            Some("bounce: Received-SPF header written by google.com")
        );
    }

    #[test]
    fn authentication_results_of_the_senders_own_relay_are_not_the_receivers() {
        let own = format!(
            "Authentication-Results: out.example.com; iprev=pass smtp.remote-ip=198.51.100.7\n{MULTIHOP}"
        );
        assert_eq!(from_raw(&own).unwrap().sending_ip, None);
        let theirs = format!(
            "Authentication-Results: mx.receiver.example; spf=fail smtp.mailfrom=example.com; iprev=pass policy.iprev=192.0.2.30 (out.example.com)\n{MULTIHOP}"
        );
        let h = from_raw(&theirs).unwrap();
        assert_eq!(h.sending_ip, "192.0.2.30".parse().ok());
        assert_eq!(h.authentication_results.len(), 1);
    }
}
