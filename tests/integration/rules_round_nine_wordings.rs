//! Wordings the ninth validation round showed (`tests/fixtures/validation/README.md`): throttles
//! worded by connection count or as a deferral of the sender's IP, POP-before-SMTP submission
//! refusals, qmail's rcpthosts refusal reworded, and Yahoo's unknown-mailbox sentence for the
//! partners' domains it hosts; each beside the reading it must leave alone.
#![allow(clippy::unwrap_used)]

use crate::rules_providers::explain_first as explain;
use mailtriage::rules::Action;

fn reads(text: &str) -> (String, Action, Option<String>) {
    let d = explain(text);
    (d.category, d.action, d.provider.map(|p| p.id))
}

#[test]
fn a_throttle_worded_by_connections_or_as_a_deferred_ip_slows_down_while_a_local_problem_retries() {
    for text in [
        "450 4.7.1 Too frequent connects from 203.0.113.9, please try again later",
        "421 4.7.0 Connections too often from this host, come back later",
        "421 Message from (203.0.113.9) temporarily deferred",
    ] {
        let (category, action, _) = reads(text);
        assert_eq!(
            (category.as_str(), action),
            ("rate-limit", Action::SlowDown),
            "{text}"
        );
    }
    let (category, action, _) = reads("451 4.3.0 Temporary local problem - please try later");
    assert_eq!((category.as_str(), action), ("system", Action::Retry));
    // Yahoo's own deferral of an IP keeps Yahoo's reading (its rule outranks the phrase).
    let (_, _, provider) = reads(
        "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to unexpected \
         volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
    );
    assert_eq!(provider.as_deref(), Some("yahoo"));
}

#[test]
fn a_pop_before_smtp_refusal_asks_for_a_login_not_a_new_mailbox_name() {
    let (category, action, _) =
        reads("553 5.3.0 <ann@example.org>... Please receive your mail before sending");
    assert_eq!(
        (category.as_str(), action),
        ("smtp-auth", Action::FixSenderConfig)
    );
    let (category, _, _) = reads("553 5.3.0 Mail system error, try another time");
    assert_ne!(category, "smtp-auth");
    // Inside a mail client's error the server's own "Please check ..." stays the reply's words:
    // only the client's advice about the recipient or the message is cut off.
    let (category, action, _) = reads(
        "Task 'ann@example.org - Sending' reported error (0x800CCC78) : 'Cannot send the \
         message. The server responded: 553 5.3.0 <ann@example.org>... Please check your mail \
         before sending'",
    );
    assert_eq!(
        (category.as_str(), action),
        ("smtp-auth", Action::FixSenderConfig)
    );
    let (category, _, _) = reads(
        "An error occurred while sending mail. The mail server responded:\n550 5.1.1 User \
         unknown.\nPlease check the message recipient \"bo@example.org\" and try again.",
    );
    assert_eq!(category, "recipient-address");
}

#[test]
fn qmails_rcpthosts_refusal_reworded_is_a_relay_refusal() {
    let (category, action, _) = reads("553 sorry, recipient not in my list of rcpt host");
    assert_eq!(
        (category.as_str(), action),
        ("routing", Action::FixSenderConfig)
    );
}

#[test]
fn yahoos_unknown_mailbox_sentence_names_yahoo_for_the_domains_it_hosts() {
    let (category, action, provider) = reads(
        "554 delivery error: dd This user doesn't have a bellsouth.net account \
         (bo@bellsouth.net) [0] - mta7.example.net",
    );
    assert_eq!(
        (category.as_str(), action),
        ("recipient-address", Action::SuppressAddress)
    );
    assert!(
        matches!(provider.as_deref(), Some("yahoo" | "att")),
        "{provider:?}"
    );
    // The words alone, without "This user", name no one.
    let (_, _, provider) = reads("550 5.1.1 The account doesn't have a mailbox here");
    assert_eq!(provider, None);
}
