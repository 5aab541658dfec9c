//! Replies as people paste them, beyond the rule examples' forms: lower-cased pastes (codes
//! still name their provider, capitals that carry the meaning do not), words that carry a
//! provider's meaning without its trailer, and the classes of dev-validation misses fixed in
//! round eleven, each with members from sources no rule or validation item was written from.
#![allow(clippy::unwrap_used)]

use mailtriage::reply::extract;
use mailtriage::rules::{Decoded, RuleSet};
use std::sync::LazyLock;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::load(None).unwrap());

fn decode(input: &str) -> Decoded {
    let r = extract(input.as_bytes())
        .unwrap_or_else(|e| panic!("{input}: {e}"))
        .replies
        .into_iter()
        .next()
        .unwrap();
    RULES.decode(&r)
}

/// (provider or "-", category, action) of a decoded paste.
fn reading(input: &str) -> (String, String, String) {
    let d = decode(input);
    (
        d.provider.map_or("-".into(), |p| p.id),
        d.category,
        d.action.as_str().to_string(),
    )
}

/// Asserts what a paste reads as; shared with the later rounds' form tests.
pub(crate) fn assert_reads(input: &str, provider: &str, category: &str, action: &str) {
    let got = reading(input);
    assert_eq!(
        (got.0.as_str(), got.1.as_str(), got.2.as_str()),
        (provider, category, action),
        "{input}"
    );
}

#[test]
fn a_lowercased_paste_keeps_the_provider_its_codes_name() {
    // Exchange's resolver code: the software's rules still read it (no provider is named by
    // software alone).
    let exchange =
        "550 5.1.10 resolver.adr.recipientnotfound; recipient not found by smtp address lookup";
    assert_eq!(reading(exchange).1, "recipient-address");
    // AOL's reason codes and Yahoo's bracketed ones.
    assert_reads(
        "421 dyn:t1 : (rtr:bb) the ip address you are sending from has been temporarily blocked",
        "yahoo",
        "reputation",
        "fix-infrastructure",
    );
    assert_eq!(
        reading(
            "421 4.7.0 [ts01] messages from 192.0.2.25 temporarily deferred due to user complaints"
        )
        .0,
        "yahoo"
    );
    // Microsoft's bracketed block-list codes.
    assert_eq!(
        reading("550 5.7.1 unfortunately, messages from [192.0.2.25] weren't sent. (s3150)").0,
        "microsoft"
    );
    // MailChannels' codes with a digit or an underscore.
    assert_reads(
        "450 [s09] try again later",
        "mailchannels",
        "policy",
        "retry",
    );
}

#[test]
fn capitals_that_carry_the_meaning_name_no_provider_in_lower_case() {
    // Yahoo's `MAILBOX NOT FOUND` in capitals is its own; in lower case anyone writes it.
    assert_eq!(reading("554 mailbox not found").0, "-");
    // MailChannels' letter-only tags: other receivers write short bracketed tags too.
    assert_eq!(reading("550 5.7.1 [esa] sender blocked.").0, "-");
    // A reply written in lower case to begin with gains no provider from prose.
    assert_eq!(reading("550 5.1.1 <ann@example.org>: recipient address rejected: user unknown in virtual mailbox table").0, "-");
}

#[test]
fn words_carry_the_providers_meaning_without_its_trailer() {
    assert_reads(
        "550 5.7.510 Access denied, example.net does not accept email over IPv6",
        "-",
        "network",
        "fix-infrastructure",
    );
    assert_reads(
        "451 4.4.8 MX hosts of example.net failed MTA-STS validation.",
        "-",
        "tls",
        "retry-then-suppress",
    );
    assert_reads(
        "450 4.7.322 certificate-expired: Destination mail server's certificate is expired.",
        "-",
        "tls",
        "retry-then-suppress",
    );
    assert_reads(
        "450 4.7.0 Organization queue quota exceeded.",
        "-",
        "rate-limit",
        "slow-down",
    );
    assert_reads(
        "504 5.7.4 Unrecognized authentication type",
        "-",
        "smtp-auth",
        "fix-sender-config",
    );
}

/// A loop for one address is that recipient's forwarding (or its domain's MX pointing back),
/// which only the recipient's side fixes: retried once, then the address is no longer mailed
/// (wordings from BillionMail issue 79, Haraka issue 1095 quoting Gmail, and Postal issue 1074).
#[test]
fn a_mail_loop_is_retried_once_then_the_address_suppressed() {
    for text in [
        "554 5.4.0 Error: too many hops",
        "554 5.6.0 Message exceeded 50 hops, this may indicate a mail loop.",
        "550 Loop detected",
    ] {
        let (_, category, action) = reading(text);
        assert_eq!(
            (category.as_str(), action.as_str()),
            ("routing", "retry-then-suppress"),
            "{text}"
        );
    }
}

/// A malformed recipient is a syntax error the sending software fixes, with or without the
/// X.1.3 code (mikel/mail issue 1126 and evercam-dashboard issue 1270, openaustralia/morph
/// issue 339).
#[test]
fn a_recipient_syntax_error_is_fixed_in_the_sending_software() {
    for text in [
        "Net::SMTPSyntaxError: 501 Recipient syntax error",
        "Net::SMTPSyntaxError - 501 5.1.3 Bad recipient address syntax",
    ] {
        let (_, category, action) = reading(text);
        assert!(
            ["protocol", "recipient-address"].contains(&category.as_str()),
            "{text}: {category}"
        );
        assert_eq!(action, "fix-sender-config", "{text}");
    }
}

/// The application's own mail function failing (PHPMailer issue 1124, and PHP's mail() on a
/// host without a mail server).
#[test]
fn a_local_mail_function_failure_is_the_senders_set_up() {
    for text in [
        "Message could not be sent. Mailer Error: Could not instantiate mail function.",
        "Warning: mail(): Failed to connect to mailserver at \"localhost\" port 25, verify your \"SMTP\" and \"smtp_port\" setting in php.ini",
    ] {
        let (_, category, action) = reading(text);
        assert_eq!(
            (category.as_str(), action.as_str()),
            ("sender-configuration", "fix-sender-config"),
            "{text}"
        );
    }
}

/// A verdict or routing failure pasted alone, without any code.
#[test]
fn code_less_verdicts_are_read_by_their_words() {
    let (_, category, action) = reading("MX records point to non-existent hosts");
    assert_eq!(
        (category.as_str(), action.as_str()),
        ("recipient-domain", "suppress-domain")
    );
    assert_eq!(
        reading("Rejected: virus detected in attachment").1,
        "content"
    );
}

/// A receiver calling the sender a spammer holds it on its own list.
#[test]
fn a_sender_called_a_spammer_asks_for_delisting() {
    let (_, category, action) = reading(
        "550 5.7.1 Rejected: you are a spammer, go away (see https://postmaster.example.net)",
    );
    assert_eq!(
        (category.as_str(), action.as_str()),
        ("reputation", "request-delisting")
    );
}

/// cPanel's per-domain limits on failures and on messages per hour (a hosting FAQ's wording,
/// faq.xperts.net.pk's common bounce messages), also as a notice's words above DSN fields that
/// carry no Diagnostic-Code.
#[test]
fn a_hosts_hourly_limits_slow_down() {
    for text in [
        "550 Domain example.org has exceeded the max emails per hour (100/100) allowed.",
        "550 Your domain has exceeded the max defers and failures per hour (5/5 (100%)) allowed. Message discarded.",
    ] {
        let (_, category, action) = reading(text);
        assert_eq!(
            (category.as_str(), action.as_str()),
            ("rate-limit", "slow-down"),
            "{text}"
        );
    }
    let fields = "ann@example.org\nDomain example.org has exceeded the max emails per hour \
                  (100/100) allowed.\nReporting-MTA: dns; host.example.net\nAction: failed\n\
                  Status: 5.0.0";
    assert_eq!(reading(fields).1, "rate-limit");
}
