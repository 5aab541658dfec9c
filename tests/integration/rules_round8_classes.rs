//! The classes of round eight's remaining dev-validation misses, each read through members
//! written from other sources (Exim's source, other bounce parsers' tables, providers' pages)
//! or in our own words: code-less sentences of mail servers, a delay warning pasted alone,
//! generic verdicts on the message, a recipient refused under a security code, a server's own
//! block list, Yahoo's bare "Message not allowed" and Telenor's mailboxes.
#![allow(clippy::unwrap_used)]

use super::reply_forms_cases::assert_reads;
use super::rules_support::reply;
use mailtriage::reply::{InputError, extract};
use mailtriage::rules::RuleSet;

fn refused(text: &str) -> bool {
    matches!(extract(text.as_bytes()), Err(InputError::NoReply))
}

#[test]
fn code_less_sentences_of_mail_servers_read_as_their_failures() {
    // Exim's ACL when a sender verification defers (its source's two messages).
    for text in [
        "Could not complete sender verify callout",
        "could not complete sender verification",
    ] {
        assert_reads(text, "-", "sender-configuration", "fix-sender-config");
    }
    // A server out of resources, with or without the code (EAGAIN's words, a busy receiver).
    assert_reads("Resource temporarily unavailable", "-", "system", "retry");
    assert_reads("Service temporarily not available", "-", "system", "retry");
    assert_reads(
        "451 mx.example.net Resources temporary unavailable. Please try again later",
        "-",
        "system",
        "retry",
    );
}

#[test]
fn sentences_that_state_no_failure_are_still_no_reply() {
    for text in [
        "Sender verify completed",
        "Verification completed for sender",
        "Could not complete the form",
        "We could not complete your order",
        "The page is temporarily unavailable",
        "Resources are available again",
        "Warning: message delayed?",
    ] {
        assert!(refused(text), "{text}");
    }
}

/// What `explain` reads from a paste: its extraction (with the code-less notices the rules
/// read), then the decoding of its first reply.
fn explained(text: &str) -> (String, String) {
    let set = RuleSet::load(None).unwrap();
    let x = set.extract(text.as_bytes()).unwrap();
    let d = set.decode(&x.replies[0]);
    (d.category.clone(), d.action.as_str().to_string())
}

#[test]
fn a_delay_warning_pasted_alone_is_a_delay_not_an_unknown_refusal() {
    // Exim's warning subject names its message id between the words, alone or after a word
    // that would read as a refusal.
    for text in [
        "Warning: message 1tAbCd-000XyZ-1Q delayed 24 hours",
        "[Rejected] Warning: message 2bCdEf-000AbC-7Z delayed 48 hours",
    ] {
        assert_eq!(
            explained(text),
            ("delivery-delayed".to_string(), "none".to_string()),
            "{text}"
        );
    }
    // A refusal that only mentions a retry keeps its own reading.
    assert_reads(
        "Rate limit exceeded, will retry later",
        "-",
        "rate-limit",
        "slow-down",
    );
}

#[test]
fn generic_verdicts_on_the_message_read_as_content_and_on_the_host_as_reputation() {
    for text in [
        "554 Mail server permanently rejected this message",
        "550 E-mail permanently refused",
        "<ann@example.net>: host mx.example.net[192.0.2.30] said: 550 Requested action not taken (in reply to end of DATA command)",
    ] {
        assert_reads(text, "-", "content", "fix-infrastructure");
    }
    for text in [
        "554 denied",
        "554 Denied (mode: strict filtering)",
        "550 Sending IP refused.",
    ] {
        assert_reads(text, "-", "reputation", "fix-infrastructure");
    }
    // Words that give the reason keep it; Postfix's plain reject keeps its own phrase.
    assert_reads(
        "550 Message rejected: user unknown",
        "-",
        "recipient-address",
        "suppress-address",
    );
    assert_reads("550 Denied by policy", "-", "policy", "fix-infrastructure");
    assert_reads(
        "554 5.7.1 <unknown[198.51.100.4]>: Client host rejected: Access denied",
        "-",
        "smtp-auth",
        "fix-sender-config",
    );
}

#[test]
fn yahoos_bare_message_not_allowed_is_a_content_refusal() {
    assert_reads(
        "<bob@yahoo.com>: host mta5.am0.yahoodns.net[67.195.204.77] said: 554 Message not allowed - [312] (in reply to end of DATA command)",
        "yahoo",
        "content",
        "fix-infrastructure",
    );
    // A reason after the words keeps its rule (headers the message built wrongly).
    assert_reads(
        "<bob@yahoo.com>: host mta5.am0.yahoodns.net[67.195.204.77] said: 554 Message not allowed - Headers are not RFC compliant [291] (in reply to end of DATA command)",
        "yahoo",
        "sender-configuration",
        "fix-sender-config",
    );
}

#[test]
fn a_recipient_the_server_cannot_accept_is_suppressed_whatever_its_code() {
    for text in [
        "550 5.7.1 Can't accept user <taro@example.jp>",
        "553 cannot accept that recipient (#5.7.1)",
    ] {
        assert_reads(text, "-", "recipient-address", "suppress-address");
    }
    // X.7.1 without such words keeps its security reading.
    assert_reads(
        "550 5.7.1 Message rejected as spam",
        "-",
        "content",
        "fix-infrastructure",
    );
}

#[test]
fn a_servers_own_block_list_asks_that_server_and_checks_no_public_list() {
    let set = RuleSet::load(None).unwrap();
    for text in [
        "550 Your address is blacklisted on this server",
        "554 Sender blocklisted by our mail server",
    ] {
        let d = set.decode(&reply(text));
        assert_eq!(
            (d.category.as_str(), d.action.as_str()),
            ("reputation", "request-delisting"),
            "{text}"
        );
        assert!(d.checks.is_empty(), "{text}: {:?}", d.checks);
    }
    // A DNS list named by the reply is still checked.
    let d = set.decode(&reply(
        "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org",
    ));
    assert!(d.checks.iter().any(|c| c == "blocklist"), "{:?}", d.checks);
}

#[test]
fn telenors_servers_and_mailboxes_name_telenor() {
    assert_reads(
        "<nina@online.no>: host mx.online.no[193.213.115.10] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)",
        "telenor",
        "mailbox-full",
        "retry-then-suppress",
    );
    // The recipient's own consumer domain names it for a verdict on that mailbox...
    assert_reads(
        "550 5.1.1 <ola@frisurf.no>: user unknown",
        "telenor",
        "recipient-address",
        "suppress-address",
    );
    // ...but not for what the sender's own server says about relaying.
    assert_reads(
        "554 5.7.1 <ola@online.no>: Relay access denied",
        "-",
        "routing",
        "fix-sender-config",
    );
}
