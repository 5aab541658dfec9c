//! Headers of the original message returned inside a bounce (From, DKIM d=/s=, sending IP ...).

use super::code::re;
use super::types::OriginalHeaders;
use regex::Regex;
use std::net::IpAddr;
use std::sync::LazyLock;

static BRACKET_IP: LazyLock<Regex> =
    LazyLock::new(|| re(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]|\(([0-9A-Fa-f:.]{7,})\)"));
static HELO: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*from\s+([^\s(\[;]+)"));
static HELO_PAREN: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\((?:EHLO|HELO)\s+([^\s)]+)\)"));
static CLIENT_IP: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)client-ip=([0-9A-Fa-f:.]+)"));
static TAG: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|;)\s*([a-z]+)\s*=\s*([^;]*)"));

/// Reads the original message's headers from raw header text (message/rfc822 part,
/// text/rfc822-headers part, or headers quoted in a bounce body). `None` if nothing useful.
pub fn from_raw(raw: &str) -> Option<OriginalHeaders> {
    let mut h = OriginalHeaders::default();
    let mut received: Vec<String> = Vec::new();
    let mut spf_ip = None;
    let mut x_orig = None;
    for (name, value) in unfold(raw) {
        match name.as_str() {
            "from" if h.from.is_none() => h.from = Some(value),
            "return-path" if h.return_path.is_none() => {
                h.return_path = Some(value.trim_matches(['<', '>', ' ']).to_string());
            }
            "message-id" if h.message_id.is_none() => {
                h.message_id = Some(value.trim_matches(['<', '>', ' ']).to_string());
            }
            "dkim-signature" => {
                if let Some(ds) = dkim_tags(&value) {
                    h.dkim.push(ds);
                }
            }
            "authentication-results" => h.authentication_results.push(value),
            "received" => received.push(value),
            "received-spf" => {
                spf_ip = CLIENT_IP
                    .captures(&value)
                    .and_then(|c| c.get(1)?.as_str().parse().ok());
            }
            "x-originating-ip" => x_orig = first_ip(&value),
            _ => {}
        }
    }
    // The last Received header is the first hop: the one our sender's MTA handed the message to.
    // Earlier hops are inside the receiver; their IPs are private or the receiver's own.
    if let Some(first_hop) = received
        .iter()
        .rev()
        .find(|r| first_ip(r).is_some_and(public))
    {
        h.sending_ip = first_ip(first_hop);
        h.helo = helo(first_hop);
    } else if let Some(last) = received.last() {
        h.sending_ip = first_ip(last);
        h.helo = helo(last);
    }
    h.sending_ip = h.sending_ip.or(spf_ip).or(x_orig);
    let useful = h.from.is_some()
        || h.return_path.is_some()
        || h.message_id.is_some()
        || !h.dkim.is_empty()
        || h.sending_ip.is_some();
    useful.then_some(h)
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

fn first_ip(v: &str) -> Option<IpAddr> {
    BRACKET_IP
        .captures_iter(v)
        .find_map(|c| c.get(1).or(c.get(2))?.as_str().parse().ok())
}

fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified())
        }
        IpAddr::V6(v6) => !(v6.is_loopback() || v6.is_unspecified()),
    }
}

fn helo(received: &str) -> Option<String> {
    HELO_PAREN
        .captures(received)
        .or_else(|| HELO.captures(received))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_first_hop_dkim_and_ids() {
        let raw = "Return-Path: <bounces@news.example.com>\n\
            Received: from mx.receiver.example (mx.receiver.example [10.0.0.5])\n\
            \tby inbox.receiver.example; Mon, 1 Jan 2024 00:00:01 +0000\n\
            Received: from out1.example.com (out1.example.com [198.51.100.20])\n\
            \tby mx.receiver.example with ESMTPS; Mon, 1 Jan 2024 00:00:00 +0000\n\
            DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\n\
            \ts=mail2024; h=from:to; bh=abc=; b=def=\n\
            Authentication-Results: mx.receiver.example; spf=fail smtp.mailfrom=example.com\n\
            From: News <news@example.com>\n\
            Message-ID: <abc123@example.com>\n\n\
            body";
        let h = from_raw(raw).unwrap();
        assert_eq!(h.return_path.as_deref(), Some("bounces@news.example.com"));
        assert_eq!(h.sending_ip, "198.51.100.20".parse().ok());
        assert_eq!(h.helo.as_deref(), Some("out1.example.com"));
        assert_eq!(
            h.dkim,
            vec![("example.com".to_string(), "mail2024".to_string())]
        );
        assert_eq!(h.message_id.as_deref(), Some("abc123@example.com"));
        assert_eq!(h.authentication_results.len(), 1);
        assert_eq!(h.from.as_deref(), Some("News <news@example.com>"));
    }
}
