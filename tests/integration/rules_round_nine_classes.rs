//! The classes the ninth validation round's dev misses showed, each read as a class (texts
//! written for this test, none from the validation set): a mailbox's state pasted alone as the
//! whole verdict, Sendmail's local mailer that could not write a mailbox, an addressee unknown
//! however it is spelt, a 501 whose enhanced code judges the recipient's mailbox, and a deferral
//! of a recipient who receives mail too fast; each beside the reading it must leave alone.
#![allow(clippy::unwrap_used)]

use crate::rules_providers::explain_first as explain;
use mailtriage::rules::{Action, RuleSet};

fn reads(text: &str) -> (String, Action) {
    let d = explain(text);
    (d.category, d.action)
}

fn refused(text: &str) -> bool {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    SET.extract(text.as_bytes()).is_err()
}

#[test]
fn a_mailbox_state_pasted_alone_suppresses_the_address() {
    for text in [
        "Account Inactive",
        "Mailbox disabled.",
        "The account is deactivated",
        "User closed",
    ] {
        assert_eq!(
            reads(text),
            ("mailbox".to_string(), Action::SuppressAddress),
            "{text}"
        );
    }
    // The sender's own account, and a state that is not the verdict, are not refusals.
    for text in [
        "Your account has been suspended",
        "Please note the account is inactive until you confirm it by clicking the link",
    ] {
        assert!(refused(text), "{text}");
    }
}

#[test]
fn sendmails_local_mailer_that_cannot_write_the_mailbox_is_a_full_mailbox() {
    for text in [
        "550 5.0.0 <ann@example.org>... Can't create output",
        "Returned mail: ann@example.org... Cannot create output",
        "Disk quota exceeded for ann\n554 ann@example.org... Can't create output",
    ] {
        assert_eq!(
            reads(text),
            ("mailbox-full".to_string(), Action::RetryThenSuppress),
            "{text}"
        );
    }
    // An application that cannot write its own files is no mail refusal.
    assert!(refused("Error: can't create output directory /var/reports"));
}

#[test]
fn an_addressee_unknown_however_spelt_is_an_unknown_recipient() {
    for text in [
        "Addressee unknown",
        "Adressee unknown",
        "550 5.1.1 <ann@example.org>: addresee unknown",
    ] {
        assert_eq!(
            reads(text),
            ("recipient-address".to_string(), Action::SuppressAddress),
            "{text}"
        );
    }
}

#[test]
fn a_501_judging_the_recipients_mailbox_suppresses_it_while_a_syntax_error_fixes_the_sender() {
    assert_eq!(
        reads("501 5.1.1 <ann@example.org>: Recipient address rejected: bad address"),
        ("recipient-address".to_string(), Action::SuppressAddress)
    );
    assert_eq!(reads("501 #5.1.1 bad address").1, Action::SuppressAddress);
    // Our command's own syntax, and a malformed sender, stay the sender's to fix.
    assert_eq!(
        reads("501 5.5.4 Syntax error in parameters or arguments").1,
        Action::FixSenderConfig
    );
    assert_eq!(
        reads("501 5.1.7 Bad sender address syntax").1,
        Action::FixSenderConfig
    );
}

#[test]
fn a_recipient_receiving_mail_too_fast_slows_the_sender_down() {
    for text in [
        "452 4.2.1 ann@example.org is receiving mail at too high a rate; try again later",
        "the user is receiving mail too quickly, please try again later",
    ] {
        assert_eq!(
            reads(text),
            ("rate-limit".to_string(), Action::SlowDown),
            "{text}"
        );
    }
    // A deferral that names no rate is retried, not slowed down.
    assert_eq!(reads("451 4.3.0 Please try again later").1, Action::Retry);
}
