//! The classes of round seven's dev-validation misses, each read through members written in the
//! forms other sources show (issues and pages no rule or validation item was written from):
//! qmail's unindented wrapping, libraries that label the code and the words apart, Haraka's
//! default refusal and its log, and verdicts in wordings the phrases did not read.
#![allow(clippy::unwrap_used)]

use super::reply_forms_cases::assert_reads;
use mailtriage::reply::extract;

/// The first reply's text of a paste, as extracted.
fn first_text(input: &str) -> String {
    extract(input.as_bytes())
        .unwrap_or_else(|e| panic!("{input}: {e}"))
        .replies
        .into_iter()
        .next()
        .unwrap()
        .text
}

#[test]
fn qmails_wrapped_reply_keeps_its_words_and_its_list() {
    // qmail-remote wraps the receiver's reply without indenting it; the listing and the
    // trailer that names the answering service are on the wrapped lines.
    let bounce = "Hi. This is the qmail-send program at mail.example.com.\n\
        I'm afraid I wasn't able to deliver your message to the following addresses.\n\
        This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
        <ann@example.org>:\n\
        192.0.2.7 does not like recipient.\n\
        Remote host said: 550 5.7.1 Service unavailable, Client host [198.51.100.9]\n\
        blocked using Spamhaus. To request removal from this list see\n\
        https://www.spamhaus.org/query/ip/198.51.100.9 AS(1440)\n\
        Giving up on 192.0.2.7.\n";
    assert_reads(bounce, "microsoft", "blocklist", "request-delisting");
    assert!(!first_text(bounce).contains("Giving up"));
}

#[test]
fn a_reply_a_library_reports_in_labelled_fields_is_the_servers() {
    // node's sendmail package: `SMTP code:550 msg:` before the server's multi-line reply.
    assert_reads(
        "Error: SMTP code:550 msg:550-5.7.25 [192.0.2.9] The IP address sending this message does not have a\n\
         550-5.7.25 PTR record setup, or the corresponding forward DNS entry does not\n\
         550 5.7.25 point to the sending IP. - gsmtp",
        "gmail",
        "reverse-dns",
        "fix-authentication",
    );
    // PEAR Net_SMTP (Roundcube, MediaWiki, osTicket): `(code: 550, response: ...)`.
    assert_reads(
        "Mailer returned: Failed to add recipient: ann@example.org [SMTP: Invalid response code received from server (code: 550, response: relay not permitted)]",
        "-",
        "routing",
        "fix-sender-config",
    );
    assert_reads(
        "authentication failure [SMTP: Invalid response code received from server (code: 535, response: 5.7.3 Authentication unsuccessful [AB1PR01CA0001.eurprd01.prod.outlook.com])]",
        "microsoft",
        "smtp-auth",
        "fix-sender-config",
    );
}

#[test]
fn harakas_default_refusal_and_its_log_are_a_relay_refusal() {
    assert_reads(
        "[core] S: 550 I cannot deliver mail for <ann@example.org>",
        "-",
        "routing",
        "fix-sender-config",
    );
    // Its log of a plugin's verdict carries no reply code.
    assert_reads(
        r#"[rcpt_to.in_host_list] retval=DENY msg="I cannot deliver mail for <ann@example.org>""#,
        "-",
        "routing",
        "fix-sender-config",
    );
}

#[test]
fn verdicts_in_other_wordings_are_read_by_their_words() {
    // The sender's domain named as missing, also under the destination's X.1.2.
    for r in [
        "550 5.1.0 MailProtect : Domain of sender address news@example.net does not exist",
        "550 5.1.2 <news@example.net>: Sender domain not found",
    ] {
        assert_reads(r, "-", "sender-address", "fix-sender-config");
    }
    // A header field named before its verdict.
    assert_reads(
        r#"550 The "Date" header is missing or invalid. Please follow RFC5322 standard protocol."#,
        "-",
        "content",
        "fix-sender-config",
    );
    // Over-long lines under 500 (hMailServer's and NTT docomo's answer).
    assert_reads("500 Line too long", "-", "protocol", "fix-sender-config");
    assert_reads(
        "554 5.7.1 spam source rejected - see your provider",
        "-",
        "reputation",
        "request-delisting",
    );
    assert_reads(
        "550 5.7.0 Message rejected by the virus scanner",
        "-",
        "content",
        "fix-infrastructure",
    );
    assert_reads(
        "550 5.7.1 Unusual number of spam messages from your account; sending suspended",
        "-",
        "reputation",
        "fix-infrastructure",
    );
    // Exim's log of a DNS lookup that did not finish: the path, retried.
    assert_reads(
        "== ann@example.org R=dnslookup defer (-1): host lookup did not complete",
        "-",
        "network",
        "retry",
    );
}
