//! Signal completeness per provider: a reply that carries only one kind of signal (the host
//! that answered, the name the server opens its words with, a link, a token, wording) names its
//! provider, for several providers per kind; and the near misses of each reading name no one.
//! Every reply is written for this test (none is from the validation set) and goes through the
//! real extractor.
#![allow(clippy::unwrap_used)]

use crate::rules_support::reply;
use mailtriage::rules::{RuleSet, SignalKind, SignalPlace};

fn builtin() -> &'static RuleSet {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

/// (provider id, signal kind, where it was read) of the first reply of `input`.
fn who(input: &str) -> Option<(String, SignalKind, SignalPlace)> {
    builtin()
        .decode(&reply(input))
        .provider
        .map(|p| (p.id, p.signal.kind, p.signal.place))
}

/// Words no provider owns, so that the one signal under test is the reply's only one.
const NEUTRAL: &str = "550 5.7.1 Message refused";

fn assert_names(cases: &[(String, &str)], kind: SignalKind, place: SignalPlace) {
    for (input, provider) in cases {
        assert_eq!(
            who(input),
            Some((provider.to_string(), kind, place)),
            "{input}"
        );
    }
}

/// The host that answered, as a Postfix bounce line names it: each provider's published MX.
#[test]
fn the_answering_host_alone_names_its_provider() {
    let cases: Vec<(String, &str)> = [
        ("mta6.am0.yahoodns.net", "yahoo"),
        ("example-org.mail.protection.outlook.com", "microsoft"),
        ("mx01.mail.icloud.com", "apple"),
        ("mx0a-00123401.pphosted.com", "proofpoint"),
        ("mx1.seznam.cz", "seznam"),
        ("mxs.mail.ru", "mailru"),
        ("in1-smtp.messagingengine.com", "fastmail"),
        ("mx.yandex.ru", "yandex"),
    ]
    .into_iter()
    .map(|(host, p)| {
        (
            format!("<ann@example.org>: host {host}[192.0.2.9] said: {NEUTRAL} (in reply to end of DATA command)"),
            p,
        )
    })
    .collect();
    assert_names(&cases, SignalKind::Host, SignalPlace::RemoteMta);
}

/// An Exchange report of another server's refusal names that server in its own forms: the
/// 2013-and-later `X gave this error:` over `Remote Server returned '...'`, and Exchange 2010's
/// `The following organization rejected your message: X.` with its `X #550 ... ##` line.
#[test]
fn an_exchange_report_names_the_server_that_refused() {
    let cases: Vec<(String, &str)> = [
        ("mx0a-00123401.pphosted.com", "proofpoint"),
        ("mx1.seznam.cz", "seznam"),
    ]
    .into_iter()
    .flat_map(|(host, p)| {
        [
            (
                format!(
                    "{host} rejected your message to the following email addresses:\nann@example.org (ann@example.org)\n{host} gave this error:\nMessage refused\nDiagnostic information for administrators:\nGenerating server: EX01.corp.example.net\nann@example.org\n{host}\nRemote Server returned '550 5.7.1 Message refused'"
                ),
                p,
            ),
            (
                format!(
                    "Delivery has failed to these recipients or groups:\nann@example.org\nThe following organization rejected your message: {host}.\nDiagnostic information for administrators:\nGenerating server: ex.corp.example.net\nann@example.org\n{host} #550 5.7.1 Message refused ##"
                ),
                p,
            ),
        ]
    })
    .collect();
    assert_names(&cases, SignalKind::Host, SignalPlace::RemoteMta);
}

/// The name a server opens its reply with (RFC 5321's `421 <domain> Service not available`,
/// which many servers write before any reply): three labels or more outside greetings and
/// closings.
#[test]
fn the_servers_own_name_opening_any_reply_names_its_provider() {
    let cases: Vec<(String, &str)> = [
        ("451 omp1048.mail.ir2.yahoo.com Try again later", "yahoo"),
        (
            "550 imta04.westchester.pa.mail.comcast.net Message refused",
            "comcast",
        ),
        ("452 mx00.t-online.de Try again later", "t-online"),
        ("550 smtp-in.orange.fr Message refused", "orange"),
        ("554 mx.zoho.eu Message refused", "zoho"),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_string(), p))
    .collect();
    assert_names(&cases, SignalKind::Host, SignalPlace::ServerName);
    // A bare domain opening a refusal is as often the recipient's; a customer's host that ends
    // like a provider's is no provider's; a name with a colon after it is a quoted one.
    for input in [
        "550 yahoo.com Message refused",
        "550 mx.yahoo.com.example.org Message refused",
        "550 mail.example.net Message refused",
        "550 mail.example.org: Recipient address rejected",
    ] {
        assert_eq!(who(input), None, "{input}");
    }
}

/// A provider's inbound server (its published MX) named in the words of a reply, with no field
/// or sentence around it saying it answered: every provider whose MX the catalogue lists.
#[test]
fn an_inbound_server_named_in_the_words_names_its_provider() {
    let cases: Vec<(String, &str)> = [
        ("gmail-smtp-in.l.google.com", "gmail"),
        ("alt1.aspmx.l.google.com", "gmail"),
        ("example-com.mail.protection.outlook.com", "microsoft"),
        ("hotmail-com.olc.protection.outlook.com", "microsoft"),
        ("mta5.am0.yahoodns.net", "yahoo"),
        ("mx01.mail.icloud.com", "apple"),
        ("mx00.emig.gmx.net", "gmx-webde"),
        ("mx-ha02.web.de", "gmx-webde"),
        ("mx00.mail.com", "gmx-webde"),
        ("mx00.t-online.de", "t-online"),
        ("mx.freenet.de", "freenet"),
        ("mxs.mail.ru", "mailru"),
        ("mx1.seznam.cz", "seznam"),
        ("163mx01.mxmail.netease.com", "netease"),
        ("in1-smtp.messagingengine.com", "fastmail"),
        ("mx1.emailsrvr.com", "rackspace"),
        ("mx2.improvmx.com", "improvmx"),
        ("mxext1.mailbox.org", "mailbox-org"),
        ("mx1.hanmail.net", "daum"),
        ("spool.mail.gandi.net", "gandi"),
        ("mail2.anonaddy.me", "anonaddy"),
        ("mail.smtp2go.com", "smtp2go"),
        ("smtp.elasticemail.com", "elastic-email"),
    ]
    .into_iter()
    .map(|(host, p)| {
        (
            format!("451 4.3.0 Temporary failure at {host}, please try again later"),
            p,
        )
    })
    .collect();
    assert_names(&cases, SignalKind::Token, SignalPlace::Text);
    // Outbound relays write bounces about other receivers' refusals: their names are no token.
    // Nor is an MX the sender could not reach: it said nothing, the sender's network failed.
    for input in [
        "550 5.1.1 Mailbox unavailable (relayed by mout.gmx.net)",
        "550 5.1.1 Mailbox unavailable (relayed by mout.web.de)",
        "Mar  2 09:00:00 app postfix/smtp[311]: 4B2C1D: to=<ann@example.org>, relay=none, delay=95, dsn=4.4.1, status=deferred (connect to alt3.gmail-smtp-in.l.google.com[192.0.2.27]:25: Connection timed out)",
        "4.4.1 deferred: connect to mta6.am0.yahoodns.net[192.0.2.28]:25: Network is unreachable",
    ] {
        assert_eq!(who(input), None, "{input}");
    }
}

/// A link to a provider's own help pages, in neutral words.
#[test]
fn a_link_alone_names_its_provider() {
    let cases: Vec<(String, &str)> = [
        ("https://senders.yahooinc.com/smtp-error-codes", "yahoo"),
        ("https://sender.office.com", "microsoft"),
        ("https://support.google.com/mail/answer/81126", "gmail"),
        ("https://postmaster.vadesecure.com/", "vade"),
    ]
    .into_iter()
    .map(|(link, p)| (format!("{NEUTRAL}, see {link} for details"), p))
    .collect();
    assert_names(&cases, SignalKind::Link, SignalPlace::Text);
}

/// Codes and names only one provider writes, among them Yahoo's reason numbers with a sub-code
/// and its VS codes of any kind, and Microsoft's API by its product name.
#[test]
fn a_token_alone_names_its_provider() {
    let cases: Vec<(String, &str)> = [
        (
            "451 Resources temporarily unavailable. Please try again later [#4.16.5:12].",
            "yahoo",
        ),
        ("553 VS3-RT Refused for abuse (#5.7.1)", "yahoo"),
        ("421 4.7.0 [TSS04] Messages deferred", "yahoo"),
        ("550 5.7.1 Message refused. AS(2301)", "microsoft"),
        (
            "403 Forbidden: Microsoft Graph refused to send: Access is denied.",
            "microsoft",
        ),
        ("550 5.7.1 Message refused - gsmtp", "gmail"),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_string(), p))
    .collect();
    assert_names(&cases, SignalKind::Token, SignalPlace::Text);
    // A bracketed number of another shape, and a code that only looks like Yahoo's, are no one's.
    for input in [
        "451 Try again later [#4.4.1]",
        "550 5.7.1 Refused by rule VS-10",
    ] {
        assert_eq!(who(input), None, "{input}");
    }
}

/// Sentences only one provider writes: Gmail's closing pointers at its guideline pages (kept
/// when a paste loses the trailer) and Amazon SES's refusals of a suppressed recipient.
#[test]
fn wording_alone_names_its_provider() {
    let cases: Vec<(String, &str)> = [
        (
            "552 5.7.0 Please visit the help page to review our message content and attachment content guidelines.",
            "gmail",
        ),
        ("552 5.7.0 review our attachment guidelines.", "gmail"),
        (
            "552 5.3.4 The number of recipients (120) exceeds Google's limit of 100 recipients",
            "gmail",
        ),
        ("554 Message rejected: Address blacklisted.", "amazon-ses"),
        (
            "550 5.1.1 Amazon SES has suppressed sending to this address because it bounced recently.",
            "amazon-ses",
        ),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_string(), p))
    .collect();
    assert_names(&cases, SignalKind::Wording, SignalPlace::Text);
    // Any receiver's words about guidelines or a blacklisted address name no one.
    for input in [
        "550 5.7.1 Please review our sending guidelines",
        "554 5.7.1 Your address is blacklisted here",
    ] {
        assert_eq!(who(input), None, "{input}");
    }
}

/// A suppressed recipient at Amazon SES is suppressed by the sender too: the service refused
/// before any receiver was asked.
#[test]
fn a_recipient_on_ses_suppression_list_is_suppressed() {
    for input in [
        "Expected response code 250 but got code \"554\", with message \"554 Message rejected: Address blacklisted.",
        "smtp; 550 5.1.1 Amazon SES has suppressed sending to this address because it bounced recently.",
    ] {
        let d = builtin().decode(&reply(input));
        assert_eq!(d.rule.id, "ses-recipient-suppressed", "{input}");
        assert_eq!(d.action.as_str(), "suppress-address", "{input}");
    }
}
