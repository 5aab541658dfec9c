//! Issue 14 round 6: reply classes found in new sources (hosting and blog pages' lists of
//! Chinese servers' replies, qmail and Exim bounces pasted to pastebin, issue trackers): words
//! under bare or unregistered codes, qmail's closing line, code-less network failures, the
//! sending account's own refusals, and the providers recognised by their tokens and hosts.
#![allow(clippy::unwrap_used)]

use crate::rules_support::reply;
use mailtriage::rules::{Action, RuleSet};

fn builtin() -> &'static RuleSet {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

/// Servers outside the RFCs (Coremail, Alibaba DirectMail, Haraka) give a bare basic code that
/// servers use for many reasons, or none at all, and say the cause in a few words: the words
/// decide, and a bare 556 about a recipient count is no domain that accepts no mail (issue 14
/// round 6; wordings as hosting and blog pages list them).
#[test]
fn words_under_a_bare_or_unregistered_code_name_their_cause() {
    let set = builtin();
    for (text, category, action) in [
        (
            "552 message is too long.",
            "message-size",
            Action::FixSenderConfig,
        ),
        (
            "554 attachment is too long.",
            "message-size",
            Action::FixSenderConfig,
        ),
        ("553 host denies relay.", "routing", Action::FixSenderConfig),
        (
            "550 I cannot deliver mail for ann@example.org",
            "routing",
            Action::FixSenderConfig,
        ),
        (
            "553 Invalid sender",
            "sender-address",
            Action::FixSenderConfig,
        ),
        (
            "552 mail from invalid.",
            "sender-address",
            Action::FixSenderConfig,
        ),
        ("450 queue unavailable.", "system", Action::Retry),
        ("452 plugin timeout", "system", Action::Retry),
        (
            "451 out of allow RCPT numbers.",
            "rate-limit",
            Action::SlowDown,
        ),
        (
            "556 The number of RCPTs is over size",
            "rate-limit",
            Action::SlowDown,
        ),
        (
            "559 Invalid rcptto",
            "recipient-address",
            Action::SuppressAddress,
        ),
        ("423 Dns resolve error", "recipient-domain", Action::Retry),
        (
            "427 Socks Connect to UNREACHABLE host",
            "network",
            Action::Retry,
        ),
        ("550 Message rejected", "content", Action::FixInfrastructure),
    ] {
        let d = set.decode(&reply(text));
        assert_eq!(
            (d.category.as_str(), d.action),
            (category, action),
            "{text}"
        );
    }
    // RFC 7504's own 556 still suppresses the domain.
    let d = set.decode(&reply("556 5.1.10 Recipient address has null MX"));
    assert_eq!(d.action, Action::SuppressDomain);
}

/// qmail closes each remote refusal with "Giving up on <ip>.", its own words for that host: the
/// remote server's words still decide. "Giving up" after a retry period is an expiry.
#[test]
fn qmails_giving_up_on_a_host_is_not_an_expiry() {
    let set = builtin();
    for (text, category) in [
        (
            "<ann@example.org>:\n192.0.2.3 does not like recipient.\nRemote host said: 550 Requested action not taken: mailbox unavailable\nGiving up on 192.0.2.3.",
            "mailbox",
        ),
        (
            "<ann@example.org>:\n192.0.2.3 does not like recipient.\nRemote host said: 550 ann@example.org...User account is overquota\nGiving up on 192.0.2.3.",
            "mailbox-full",
        ),
        (
            "<ann@example.org>:\n192.0.2.3 does not like recipient.\nRemote host said: 553 5.3.0 <ann@example.org>... Addressee unknown\nGiving up on 192.0.2.3.",
            "recipient-address",
        ),
    ] {
        assert_eq!(set.decode(&reply(text)).category, category, "{text}");
    }
    let d = set.decode(&reply("554 5.4.7 retry timeout exceeded; giving up."));
    assert_eq!(d.category, "delivery-expired");
}

/// A refusal pasted without a code that reports a connection that failed or the MTA's own
/// deferral is retried, not suppressed; qmail's own final words still read as refusals.
#[test]
fn a_codeless_network_failure_is_retried_and_qmails_words_are_read() {
    let set = builtin();
    for text in [
        "<ann@example.org>: connect to mx.example.org[]: Connection refused.",
        "2023-03-24 10:02:24 1pfdJV-004eVE-9X == ann@example.org R=dnslookup T=remote_smtp defer (113): No route to host H=mx.example.org [192.0.2.9]: ",
    ] {
        let d = set.decode(&reply(text));
        assert_eq!(
            (d.category.as_str(), d.action),
            ("network", Action::Retry),
            "{text}"
        );
    }
    let d = set.decode(&reply(
        "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)",
    ));
    assert_eq!(d.category, "recipient-domain");
    let d = set.decode(&reply(
        "I'm not going to try again; this message has been in the queue too long.",
    ));
    assert_eq!(d.category, "delivery-expired");
}

/// The sender's own provider refusing what the sending account may do: an address it does not
/// own (Fastmail), or a block after unusual sending (Zoho, under the routing-loop code 5.4.6).
/// A success detail under a failure class (`501 5.1.5`) is never read as "delivered".
#[test]
fn the_sending_accounts_own_refusals_and_success_details_under_failures() {
    let set = builtin();
    let d = set.decode(&reply(
        "551 5.7.1 Not authorised to send from this header address",
    ));
    assert_eq!(
        (d.category.as_str(), d.action),
        ("sender-address", Action::FixSenderConfig)
    );
    let d = set.decode(&reply("550 5.4.6 Unusual sending activity detected."));
    assert_eq!(
        (d.category.as_str(), d.action),
        ("security", Action::FixSenderConfig)
    );
    assert!(!d.checks.iter().any(|c| c == "mx"), "{:?}", d.checks);
    let d = set.decode(&reply("501 5.1.5 Recipient address reserved by RFC 2606"));
    assert_ne!(d.category, "delivered");
    assert_ne!(d.action, Action::None);
}

/// Providers recognised by a token or a host the earlier rounds did not know: MailChannels'
/// `[CS]` content block, NetEase's session trace, IONOS's 1and1 country hosts, OVH's MX hosts.
#[test]
fn providers_are_recognised_by_their_round_six_tokens_and_hosts() {
    let set = builtin();
    let d = set.decode(&reply("550 5.7.1 [CS] Message blocked. If this is a false positive, please report this to your hosting service provider."));
    assert_eq!(
        d.provider.as_ref().map(|p| p.id.as_str()),
        Some("mailchannels")
    );
    assert_eq!(
        (d.category.as_str(), d.action),
        ("content", Action::FixInfrastructure)
    );
    let d = set.decode(&reply("Error: Mail command failed: 553 Local user only,163 smtp5,HdxpCgA3f+63sTNhtiNZDA--.2001S2 1630777785"));
    assert_eq!(d.provider.as_ref().map(|p| p.id.as_str()), Some("netease"));
    assert_eq!(d.action, Action::FixSenderConfig);
    for (text, id) in [
        (
            "<ann@example.es>: host mx00.1and1.es[192.0.2.41] said: 550-Requested action not taken: mailbox unavailable 550-Reject due to policy restrictions. (in reply to MAIL FROM command)",
            "ionos",
        ),
        (
            "<ann@example.fr>: host mx2.ovh.net[192.0.2.139] said: 450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.172] (in reply to RCPT TO command)",
            "ovh",
        ),
    ] {
        let d = set.decode(&reply(text));
        assert_eq!(
            d.provider.as_ref().map(|p| p.id.as_str()),
            Some(id),
            "{text}"
        );
    }
}
