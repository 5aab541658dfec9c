//! A provider named by the recipient's own mail domain where nothing else in the reply names
//! one (docomo.ne.jp, Mail.ru's bk.ru), only for a reply about that mailbox or in that
//! provider's own words; never for the sender's own server refusing to relay to such an
//! address. And the providers a reply names without its trailer (Gmail's 5.7.0 sentence cut
//! off by an exception, Yahoo's own failure notice).
#![allow(clippy::unwrap_used)]

use crate::rules_providers::explain_first as explain;
use mailtriage::rules::{Action, Decoded};

fn provider(d: &Decoded) -> Option<&str> {
    d.provider.as_ref().map(|p| p.id.as_str())
}

#[test]
fn a_mailbox_verdict_names_the_provider_by_the_recipients_domain() {
    for (text, provider_id, category, action) in [
        (
            "550 Unknown user hanako.example@docomo.ne.jp",
            "docomo",
            "recipient-address",
            Action::SuppressAddress,
        ),
        // docomo's words for a full mailbox, which the generic reading took for a rate.
        (
            "552 Too much mail data jiro.example@docomo.ne.jp",
            "docomo",
            "mailbox-full",
            Action::RetryThenSuppress,
        ),
        (
            "550 5.1.1 <ann@bk.ru>: Recipient address rejected: User unknown",
            "mailru",
            "recipient-address",
            Action::SuppressAddress,
        ),
        // Not a mailbox category, but the provider's own words for what its mailbox's owner
        // set (QQ: the recipient's own block list refuses the sender).
        (
            "550 Mail is rejected by recipients (to <ann@qq.com>)",
            "qq",
            "policy",
            Action::SuppressAddress,
        ),
    ] {
        let d = explain(text);
        assert_eq!(
            (provider(&d), d.category.as_str(), d.action),
            (Some(provider_id), category, action),
            "{text}: rule {}",
            d.rule.id
        );
    }
    // With docomo's server answering, its reply after the data is its owner's reception
    // settings refusing the sender (the address exists): still suppressed.
    let d = explain(
        "Dec  7 10:00:00 mx postfix/smtp[77]: 1A2B3C: to=<hanako.example@docomo.ne.jp>, \
         relay=mfsmax.docomo.ne.jp[192.0.2.240]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.0.0, \
         status=bounced (host mfsmax.docomo.ne.jp[192.0.2.240] said: 550 Unknown user \
         hanako.example@docomo.ne.jp (in reply to end of DATA command))",
    );
    assert_eq!(
        (provider(&d), d.category.as_str(), d.action),
        (Some("docomo"), "policy", Action::SuppressAddress),
        "rule {}",
        d.rule.id
    );
}

#[test]
fn the_senders_own_server_refusing_a_carrier_address_is_not_the_carrier() {
    for text in [
        // The sender's own server will not relay: it says nothing of the mailbox.
        "554 5.7.1 <hanako.example@docomo.ne.jp>: Relay access denied",
        "550 5.7.1 <ann@list.ru>: Relay access denied",
        // A greeting that defers everything says nothing about the address it names.
        "421 4.7.0 <taro.example@docomo.ne.jp> Try again later",
        // An unknown user at a domain no catalogue lists.
        "550 Unknown user ann@example.ne.jp",
        // A provider's own words that are no verdict on the mailbox (a rate) do not name it
        // by the address alone.
        "552 Too many recipients for hanako.example@docomo.ne.jp",
    ] {
        let d = explain(text);
        assert_eq!(provider(&d), None, "{text}: rule {}", d.rule.id);
    }
    // The answering host decides over the recipient's domain: another server answered.
    let d = explain(
        "<hanako.example@docomo.ne.jp>: host mx.relay.example[192.0.2.7] said: 550 Unknown user",
    );
    assert_eq!(provider(&d), None, "rule {}", d.rule.id);
}

#[test]
fn a_provider_is_named_by_its_own_sentence_without_its_trailer() {
    // Gmail's submission refusal as an application's exception keeps the first line only.
    let d = explain(
        "System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the \
         client was not authenticated. The server response was: 5.7.0 Authentication Required. \
         Learn more at",
    );
    assert_eq!(
        (provider(&d), d.category.as_str(), d.action),
        (Some("gmail"), "smtp-auth", Action::FixSenderConfig),
        "rule {}",
        d.rule.id
    );
    // Another server's bare "Authentication required" is no one's in particular.
    let d = explain("530 5.7.0 Authentication required");
    assert_eq!(provider(&d), None, "rule {}", d.rule.id);
    // A number the prose calls an HTTP status is no SMTP code: Microsoft Graph's refusal of an
    // app without Mail.Send is read by its words.
    let d = explain(
        "Our app calls the Graph API to send mail and gets a 403 HTTP status code; the error \
         message is 'Access is denied. Check credentials and try again.'",
    );
    assert_eq!(
        (provider(&d), d.basic.as_ref().map(|b| b.code), d.action),
        (Some("microsoft"), None, Action::FixSenderConfig),
        "rule {}",
        d.rule.id
    );
    // Yahoo's own notice that it gave up on the message.
    let d = explain(
        "Sorry, we were unable to deliver your message to the following address.\n\n\
         <ann@example.org>:\nUnable to deliver message after multiple retries, giving up.",
    );
    assert_eq!(provider(&d), Some("yahoo"), "rule {}", d.rule.id);
}

#[test]
fn a_deferred_netease_suspension_slows_down_while_a_refused_one_is_fixed() {
    let d = explain(
        "451 HL:MEP 163 mx3,AbCoDeFg--.1S2 1701000000, please see http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.25",
    );
    assert_eq!(
        (provider(&d), d.action),
        (Some("netease"), Action::SlowDown),
        "rule {}",
        d.rule.id
    );
    let d = explain(
        "554 HL:MEP 163 mx3,AbCoDeFg--.1S2 1701000000, please see http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.25",
    );
    assert_eq!(d.action, Action::FixInfrastructure, "rule {}", d.rule.id);
}

#[test]
fn a_hosting_servers_hourly_block_linked_to_its_page_slows_down() {
    let d = explain(
        "550 5.1.0 Zr4Kx1Qm7Wn2Pb9Tc5Lv8H policy violation, see https://support.forpsi.com/kb/a4081",
    );
    assert_eq!(
        (d.category.as_str(), d.action),
        ("rate-limit", Action::SlowDown),
        "rule {}",
        d.rule.id
    );
    // The same words without the page are any receiver's policy refusal.
    let d = explain("550 5.7.1 policy violation");
    assert_eq!(d.category, "policy", "rule {}", d.rule.id);
}
