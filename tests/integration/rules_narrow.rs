//! Words that narrow what a broad phrase or a code read alone would decide
//! (`rules/phrases-narrow.toml`), each beside the broad reading it must leave alone; and a
//! mailbox or domain verdict quoted without any code, read, while code-less text that states no
//! failure stays refused.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr};
use crate::rules_providers::{builtin, explain_first as explain};
use mailtriage::rules::Action;

fn check(cases: &[(&str, &str, Action)]) {
    for (text, category, action) in cases {
        let d = explain(text);
        assert_eq!(
            (d.category.as_str(), d.action),
            (*category, *action),
            "{text}: rule {}",
            d.rule.id
        );
    }
}

#[test]
fn a_blocked_recipient_account_is_suppressed_while_a_policy_refusal_of_the_sender_is_not() {
    check(&[
        (
            "550 5.7.1 Policy rejection on the target address <ann@example.ru>",
            "mailbox",
            Action::SuppressAddress,
        ),
        (
            "550 Recipient mailbox is frozen",
            "mailbox",
            Action::SuppressAddress,
        ),
        (
            "554 5.7.1 Rejected for policy reasons",
            "policy",
            Action::FixInfrastructure,
        ),
    ]);
}

#[test]
fn a_spam_filter_that_failed_is_retried_while_a_spam_verdict_is_content() {
    check(&[
        (
            "451 4.0.0 Spam filter error - please try again",
            "system",
            Action::Retry,
        ),
        (
            "451 4.5.0 Error in processing, id=04801-01, parts_decode_ext FAILED: file(1) utility failed",
            "system",
            Action::Retry,
        ),
        // Under a 5xx the same words are the filter's verdict on the message.
        (
            "550 5.7.1 Message failed spam filter check",
            "content",
            Action::FixInfrastructure,
        ),
        (
            "554 Refused by local policy: spam score too high",
            "content",
            Action::FixInfrastructure,
        ),
        (
            "553 Mail data refused by AISP, rule [4711].",
            "content",
            Action::FixInfrastructure,
        ),
    ]);
}

#[test]
fn a_refused_attachment_type_is_a_content_verdict_as_gmails_rule_reads_it() {
    // One action whichever rule reads it: Gmail's own 552 5.7.0 and any receiver's words.
    check(&[
        (
            "552 5.7.0 Illegal attachment type, message refused",
            "content",
            Action::FixInfrastructure,
        ),
        (
            "550 Attachment type not allowed. File \"a.exe\" has the unacceptable extension \"exe\"",
            "content",
            Action::FixInfrastructure,
        ),
        (
            "552-5.7.0 This message was blocked because its content presents a potential security \
             issue. To review our message content and attachment content guidelines, go to \
             https://support.google.com/mail/?p=BlockedMessage x1si2.3 - gsmtp",
            "content",
            Action::FixInfrastructure,
        ),
        (
            "554 5.7.1 Message rejected: infected attachment (Eicar-Test-Signature)",
            "content",
            Action::FixInfrastructure,
        ),
    ]);
}

#[test]
fn a_relay_refusal_that_asks_for_authentication_is_smtp_auth_while_a_plain_one_is_routing() {
    check(&[
        (
            "553 relay check local fail (ann@example.org)",
            "smtp-auth",
            Action::FixSenderConfig,
        ),
        (
            "530 Authentication required to relay",
            "smtp-auth",
            Action::FixSenderConfig,
        ),
        (
            "554 5.7.1 <ann@example.org>: Relay access denied",
            "routing",
            Action::FixSenderConfig,
        ),
    ]);
}

#[test]
fn words_decide_over_a_code_read_alone() {
    check(&[
        // A 500's words decide where a phrase reads them; bare, it stays the sending software's.
        (
            "500 no such user here",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "500 Syntax error, command unrecognized",
            "protocol",
            Action::FixSenderConfig,
        ),
        (
            "500 Line limit exceeded",
            "message-size",
            Action::FixSenderConfig,
        ),
        (
            "500 unrecognized command",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        // A sending service's suppression list is no DNSBL listing of the sender (SES's own
        // sentence is its provider rule's; other services' wording is the phrase's).
        (
            "554 Message rejected: Address blacklisted. <ann@example.net>",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "550 Recipient address is on the account's suppression list",
            "policy",
            Action::SuppressAddress,
        ),
        (
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            "blocklist",
            Action::RequestDelisting,
        ),
        // The MAIL FROM identity against the client IP is authentication; a bare domain
        // mismatch stays reverse DNS.
        (
            "554 MAIL FROM [ann@example.org] mismatches client IP [192.0.2.9]",
            "authentication",
            Action::FixAuthentication,
        ),
        (
            "550 domain [example.org] mismatches client ip 192.0.2.9.",
            "reverse-dns",
            Action::FixAuthentication,
        ),
    ]);
}

#[test]
fn a_mailbox_verdict_quoted_without_a_code_is_read() {
    check(&[
        (
            "Diagnostic-Code: X-Notes; User ann (ann@example.org) not listed in public Name & Address Book",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "ann \"(0), ErrMsg=Mailbox space not enough (space limit is 20480KB)",
            "mailbox-full",
            Action::RetryThenSuppress,
        ),
    ]);
    let o = run(
        &["explain", "--format", "json"],
        Some(b"ErrMsg=Mailbox space not enough (space limit is 20480KB)"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["replies"][0]["category"], "mailbox-full");
    assert!(v["replies"][0]["basic"].is_null());
}

/// A statement that the recipient's domain has no mail server, pasted without its code, is the
/// delivering system's verdict when it names the lookup for mail; a question about one is not.
#[test]
fn a_domain_verdict_quoted_without_a_code_is_read_when_it_names_the_mail_lookup() {
    check(&[(
        "No MX record found for domain=mistyped-example.org",
        "recipient-domain",
        Action::SuppressDomain,
    )]);
    let o = run(
        &["explain", "--format", "json"],
        Some(b"Delivery failed: no valid MX records for domain mistyped-example.org"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["replies"][0]["action"], "suppress-domain");
    let question = "Is there no MX record for example.org?";
    assert!(
        builtin().extract(question.as_bytes()).is_err(),
        "{question}"
    );
}

/// Exim's address parser names a malformed address, which the bare 501 would read as the
/// sender's set-up in general: the address as sent is the fault, whichever command carried it.
#[test]
fn an_address_exim_could_not_parse_is_a_syntax_fault_of_the_sending_software() {
    check(&[
        (
            "501 <bob@example.net]>: malformed address: ] may not follow <bob@example.net",
            "protocol",
            Action::FixSenderConfig,
        ),
        (
            "Net::SMTPSyntaxError: 501 <>: missing or malformed local part",
            "protocol",
            Action::FixSenderConfig,
        ),
        // The null path Exim quotes, in a quoted paste and a log line.
        (
            "> 501 <>: missing or malformed local part",
            "protocol",
            Action::FixSenderConfig,
        ),
        (
            "Mar  3 09:12:44 app[311]: 501 <>: missing or malformed local part",
            "protocol",
            Action::FixSenderConfig,
        ),
        // The bare 501 keeps its own reading.
        (
            "501 Bad parameters",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
    ]);
}

#[test]
fn united_internets_policy_restrictions_are_a_header_fault_while_the_bare_words_stay_policy() {
    // GMX, WEB.DE and IONOS refuse a message whose header breaks RFC 5322 so (their case page
    // says which headers); their link or server names them.
    check(&[
        (
            "<ann@gmx.example>: host mx01.emig.gmx.net[192.0.2.5] said: 554-Transaction \
             failed 554-Reject due to policy restrictions. 554 For explanation visit \
             https://postmaster.gmx.net/de/case?c=r0735&i=ip&v=192.0.2.85 (in reply to end of \
             DATA command)",
            "content",
            Action::FixSenderConfig,
        ),
        (
            "host smtp.ionos.de[192.0.2.113] said: 554-Transaction failed 554-Reject due to \
             policy restrictions. 554 For explanation visit \
             https://postmaster.1und1.de/de/case?c=hi (in reply to end of DATA command)",
            "content",
            Action::FixSenderConfig,
        ),
        // No provider named: any receiver's policy refusal.
        (
            "554 5.7.1 Reject due to policy restrictions",
            "policy",
            Action::FixInfrastructure,
        ),
    ]);
}

#[test]
fn a_code_less_notice_naming_no_readable_recipient_is_read_by_its_words() {
    // A carrier's notice whose recipient was redacted past reading, and a delay warning
    // that names no one.
    check(&[
        (
            "This Message was undeliverable due to the following reason:\n\nEach of the \
             following recipients was rejected by a remote mail server.\n\nRecipient: \
             <ann@[redacted]>\nReason: <ann@[redacted]> ...User unknown",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "Warning: message still undelivered after 4 hours\nWill keep trying until the \
             message is 5 days old",
            "delivery-delayed",
            Action::None,
        ),
    ]);
    let o = run(
        &["explain", "--format", "json"],
        Some(b"Delivery to the following recipient failed permanently:\n\n[email protected]\n\nUser unknown".as_slice()),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(json(&o)["replies"][0]["recipient"].is_null());
}

#[test]
fn code_less_notices_that_say_no_reason_or_no_failure_stay_refused() {
    for text in [
        // Only the notice's boilerplate: nothing says why.
        "This is the mail system.\n\nA message that you sent could not be delivered to one \
         or more of its recipients.\n\nThe following address(es) failed:\n\n[email protected]",
        // Delivered, not failed.
        "This is the mail system.\n\nYour message was delivered to the following \
         recipients:\n\n[email protected]\n\nOK",
        // A notice's words quoted in a question are no notice.
        "Hello,\n\nwe keep getting this:\n\nYour message was undeliverable: User unknown\n\n\
         What does it mean?",
    ] {
        assert!(builtin().extract(text.as_bytes()).is_err(), "{text}");
    }
}

#[test]
fn code_less_text_that_states_no_failure_stays_refused() {
    for text in [
        // A question about a verdict is not one.
        "Does ErrMsg=Mailbox space not enough mean the user is gone?",
        // Words no mailbox phrase reads.
        "The mailbox is almost at its limit, please tidy it up soon",
        "Thanks, ann@example.org is reachable again",
        // A suspended account may be the sender's own (a sending service's notice): no
        // recipient is to be suppressed for it.
        "Your account has been suspended",
        // Prose longer than a quoted verdict, although it names an unknown user.
        "We looked into the report.\nThe logs said user unknown once.\nIt was a typo.\nAll \
         fine now.\nRegards",
    ] {
        assert!(builtin().extract(text.as_bytes()).is_err(), "{text}");
    }
    let o = run(
        &["explain"],
        Some(b"Does ErrMsg=Mailbox space not enough mean the user is gone?".as_slice()),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}
