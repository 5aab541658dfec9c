//! One result (a delivery, a failure, a complaint) as readers of messages and exports build it,
//! owned, so it can be built on any thread and committed in input order.

use super::lines::Status;
use super::outcome::{Cache, Table};
use crate::reply::Reply;
use crate::rules::RuleSet;
use std::net::IpAddr;

/// Where and when a reply was given, and by whom the message was sent.
pub struct Meta<'a> {
    pub ts: i64,
    pub send: u64,
    pub sender: &'a str,
    pub ip: Option<IpAddr>,
}

/// A result ready to commit.
#[derive(Debug, Clone)]
pub struct Owned {
    pub ts: i64,
    pub send: u64,
    /// Lower-case, without angle brackets or a source route.
    pub addr: String,
    pub status: Status,
    /// The provider's id ("" when none).
    pub provider: String,
    pub outcome: Option<u32>,
    pub sender: String,
    pub ip: Option<IpAddr>,
}

/// The address as it is counted: lower-case, without `<>` and without an RFC 5321 source
/// route (`@relay.example:user@example.org` is user@example.org).
pub fn address(rcpt: &str) -> String {
    let a = rcpt.trim().trim_start_matches('<').trim_end_matches('>');
    let a = match a.strip_prefix('@').and_then(|r| r.split_once(':')) {
        Some((_, rest)) => rest,
        None => a,
    };
    let a = a.to_ascii_lowercase();
    if valid(&a) { a } else { String::new() }
}

/// `local@domain`: both parts present, no spaces or controls, one `@` in the domain part.
pub fn valid(a: &str) -> bool {
    match a.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && a.len() <= super::addresses::MAX_LEN
                && !a.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Delivered, deferred or bounced, from the DSN action or else the code's class.
pub fn status_of(reply: &Reply) -> Status {
    match reply.dsn_action.as_deref() {
        Some("failed") => return Status::Bounced,
        Some("delayed") => return Status::Deferred,
        Some("delivered" | "relayed" | "expanded") => return Status::Delivered,
        _ => {}
    }
    let class = reply.basic.map(|b| b / 100).or_else(|| {
        reply
            .enhanced
            .as_deref()
            .and_then(|e| e.get(..1)?.parse().ok())
    });
    match class {
        Some(2) => Status::Delivered,
        Some(4) => Status::Deferred,
        _ => Status::Bounced,
    }
}

/// The result of one reply about `rcpt`: decoded once per distinct reply (through `cache`), a
/// delivery when it says so, a complaint or auto-reply as `other`, else a failure.
pub fn from_reply(
    rules: &RuleSet,
    table: &Table,
    cache: &mut Cache,
    reply: &Reply,
    hint: Option<Status>,
    rcpt: &str,
    meta: &Meta<'_>,
) -> Owned {
    let (o, p) = cache.outcome(rules, table, reply);
    let category = table.category(o);
    let status = if matches!(category.as_str(), "complaint" | "auto-reply") {
        Status::Other
    } else if let Some(h) = hint {
        h
    } else {
        status_of(reply)
    };
    let provider = p
        .and_then(|i| rules.providers.get(usize::from(i)))
        .map_or("", |l| l.rule.id.as_str());
    Owned {
        ts: meta.ts,
        send: meta.send,
        addr: address(rcpt),
        status,
        provider: provider.to_string(),
        outcome: (status != Status::Delivered).then_some(o),
        sender: meta.sender.to_string(),
        ip: meta.ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_brackets_case_and_source_routes() {
        assert_eq!(address("<Ann@Example.ORG>"), "ann@example.org");
        assert_eq!(
            address("@mx.example.org:kijitora@example.jp"),
            "kijitora@example.jp"
        );
        assert_eq!(
            address("@a.example,@b.example:ann@example.org"),
            "ann@example.org"
        );
        assert_eq!(address("@mx.example.org"), "");
        assert_eq!(address("|/usr/bin/prog ann@example.org /home/ann"), "");
    }
}
