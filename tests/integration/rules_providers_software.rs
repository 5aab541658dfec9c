//! Signals another server could also emit never name a provider: Exchange Server's own tokens
//! (every company's Exchange writes them, not only Microsoft 365), the client a receiver's own
//! log line names, and a sentence another server copied from Gmail. Exchange's rules still read
//! its tokens, and a Microsoft-only signal beside them names Microsoft. Every reply goes through
//! the real extractor, as `explain` reads it.
#![allow(clippy::unwrap_used)]

use crate::rules_providers::{builtin, id};
use crate::rules_support::reply;
use mailtriage::rules::Action;

#[test]
fn exchange_servers_own_tokens_name_no_provider_and_its_rules_still_read_them() {
    let set = builtin();
    // (text as pasted, the Exchange rule that reads it, category, action)
    let cases: &[(&str, &str, &str, Action)] = &[
        // mysociety/writetothem issue 364: a council's own Exchange.
        (
            "#550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized",
            "microsoft-5-7-1-delivery-not-authorized",
            "policy",
            Action::SuppressAddress,
        ),
        // An on-premises Exchange 2013's report (Pro/exchange-catchall issue 10, names changed).
        (
            "Diagnostic information for administrators:\nGenerating server: EXC-1.corp.example.local\n\
             bill@corp.example\nRemote Server returned '< #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found>'",
            "microsoft-5-1-1-bad-destination-mailbox",
            "recipient-address",
            Action::SuppressAddress,
        ),
        // An application submitting to a company's own Exchange (MimeKit issue 647): the
        // account's set-up, as Exchange's 5.7.1 form of the same words reads.
        (
            "5.7.60 SMTP; Client does not have permissions to send as this sender",
            "microsoft-5-7-60-send-as-denied",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
    ];
    for &(text, rule, category, action) in cases {
        let d = set.decode(&reply(text));
        assert_eq!(d.provider.map(|p| p.id), None, "{text}");
        assert_eq!(d.rule.id, rule, "{text}");
        assert_eq!(d.category, category, "{text}");
        assert_eq!(d.action, action, "{text}");
        // No provider said it: the rule's reading is shown as what the words mean.
        assert!(
            d.provider_meaning.is_none() && d.text_meaning.is_some(),
            "{text}"
        );
    }
}

#[test]
fn exchange_online_is_named_where_a_microsoft_only_signal_goes_with_exchanges_tokens() {
    let set = builtin();
    // Exchange Online's report names the server that generated it: one of Microsoft's.
    let ndr = "Delivery has failed to these recipients or groups:\n\nann@example.org\n\
               Your message couldn't be delivered to the recipient because you don't have permission to send to it.\n\n\
               Diagnostic information for administrators:\n\n\
               Generating server: AM0PR01MB1234.eurprd01.prod.outlook.com\n\nann@example.org\n\
               Remote server returned '550 5.7.129 RESOLVER.RST.RestrictedToRecipientsPermission; not authorized to send to recipient'";
    let d = set.decode(&reply(ndr));
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("microsoft"));
    assert_eq!(d.rule.id, "microsoft-5-7-129-restricted-to-recipients");
    assert!(d.provider_meaning.is_some());
    // The same refusal from a company's own Exchange names nobody.
    let own = ndr.replace(
        "AM0PR01MB1234.eurprd01.prod.outlook.com",
        "EXCH02.corp.example.local",
    );
    assert_eq!(id(set, &own), None);
    // Microsoft's server name in brackets, and its outbound spam filter, which Exchange
    // Server on premises does not have.
    for text in [
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup [DB8PR01MB0001.eurprd01.prod.outlook.com]",
        "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception",
    ] {
        assert_eq!(id(set, text).as_deref(), Some("microsoft"), "{text}");
    }
}

#[test]
fn a_receivers_own_log_names_its_client_not_the_server_that_refused() {
    let set = builtin();
    // The receiving Postfix refused a client that greeted as a Proofpoint host (Mailu issue
    // 656): the log is the receiver's, the refusal its own.
    for line in [
        "postfix/smtpd[56]: NOQUEUE: reject: RCPT from unknown[192.0.2.10]: 554 5.7.1 <ann@example.com>: \
         Sender address rejected: Access denied; from=<ann@example.com> to=<bob@example.org> proto=ESMTP helo=<mx0a-001b2d01.pphosted.com>",
        "postfix/smtpd[56]: NOQUEUE: reject: RCPT from mx0b-001b2d01.pphosted.com[192.0.2.11]: 450 4.7.1 <bob@example.org>: \
         Recipient address rejected: Greylisted; from=<ann@example.com> to=<bob@example.org> proto=ESMTP helo=<mx0b-001b2d01.pphosted.com>",
    ] {
        assert_eq!(id(set, line), None, "{line}");
    }
    // The refusing host a sending Postfix names still names its provider.
    let sent = "postfix/smtp[9]: 4F1A2B3C: to=<bob@example.org>, relay=mx0a-001b2d01.pphosted.com[192.0.2.12]:25, \
                status=bounced (host mx0a-001b2d01.pphosted.com[192.0.2.12] said: 550 5.7.1 Blocked (in reply to RCPT TO command))";
    assert_eq!(id(set, sent).as_deref(), Some("proofpoint"));
}

#[test]
fn a_sentence_copied_from_gmail_needs_gmails_own_ending() {
    let set = builtin();
    // A hosting company's filter reuses the opening of Gmail's sentence with its own ending.
    assert_eq!(
        id(
            set,
            "550 Our system has detected that this message is likely unsolicited mail (SPAM). This message has been blocked by our filter."
        ),
        None
    );
    // Gmail's own sentence, pasted without its trailer.
    assert_eq!(
        id(
            set,
            "550-5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked."
        )
        .as_deref(),
        Some("gmail")
    );
}

#[test]
fn forward_emails_words_and_cisco_appliances_by_name_are_recognised() {
    let set = builtin();
    assert_eq!(
        id(
            set,
            "550 Please ensure the email service you are sending from either has SPF or DKIM."
        )
        .as_deref(),
        Some("forwardemail")
    );
    // A company's own IronPort appliance, named for the product.
    let log = "postfix/smtp[7]: 1A2B: host ironport1.example.edu[192.0.2.30] refused to talk to me: 554 ironport1.example.edu";
    assert_eq!(id(set, log).as_deref(), Some("cisco"));
}

/// Forms and fingerprints found on replies gathered fresh for issue 14 (round ten): the host a
/// transcript's greeting or a Markdown-mangled Postfix line names, providers' own stamps and
/// sentences, and providers known by the MX hosts they publish.
#[test]
fn round_ten_forms_and_fingerprints_name_their_provider() {
    let set = builtin();
    for (text, provider) in [
        (
            "<a@example.org>: host\n   [mx1.improvmx.com](http://mx1.improvmx.com/)[192.0.2.5] refused to talk to\n   me: 550 5.7.25 Rejected",
            "improvmx",
        ),
        (
            "R: 220-mx10.rambler.ru ESMTP\nS: EHLO a.example\nR: 250 OK\nS: DATA\nR: 452 4.7.1 Try again later",
            "rambler",
        ),
        (
            "451 mta1001.mail.gq1.yahoo.com Resources temporarily unavailable",
            "yahoo",
        ),
        ("451 VS1-MF Too many bad senders (#4.1.8)", "yahoo"),
        ("554 IP=192.0.2.7 - A problem occurred.", "t-online"),
        (
            "421 mwinf0000 ME Service refuse. Veuillez essayer plus tard.",
            "orange",
        ),
        (
            "550 Reject by behaviour spamANTISPAM_BAT[01201311R100a, c01a10000]: too frequently sending",
            "aliyun",
        ),
        ("550 5.7.1 Rejected. - ImprovMX v2025.01.01", "improvmx"),
        (
            "554 5.7.1 DAS51 192.0.2.9: Your mail is blocked by the anti-spam system. (E06)",
            "daum",
        ),
    ] {
        assert_eq!(id(set, text).as_deref(), Some(provider), "{text}");
    }
    for (host, provider) in [
        ("mx02.posteo.de", "posteo"),
        ("mxext2.mailbox.org", "mailbox-org"),
        ("mail.tutanota.de", "tutanota"),
        ("mx2.simplelogin.co", "simplelogin"),
        ("smtpin.rzone.de", "strato"),
        ("mx2.hanmail.net", "daum"),
        ("extmail.bigpond.com", "telstra"),
    ] {
        let input = crate::rules_providers::postfix(host, "550 5.1.1 Recipient not found");
        assert_eq!(id(set, &input).as_deref(), Some(provider), "{host}");
    }
    // Near misses: a customer's host ending like a provider's, a stamp-like word alone.
    let near = crate::rules_providers::postfix("mx.posteo.de.example.org", "550 5.1.1 Unknown");
    assert_eq!(id(set, &near), None);
    assert_eq!(id(set, "554 5.7.1 DAS51 rejected"), None);
    // Sentences other servers write alike name no one: the `delivery error: Sorry, your message
    // to` of Yahoo's older servers, and a block-list refusal in the words Exchange Online uses
    // (an Exchange Server's connection filter can say the same).
    for text in [
        "554 delivery error: Sorry your message to ann@example.com cannot be delivered. This account has been disabled.",
        "550 5.7.1 Service unavailable, Client host [192.0.2.8] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.8",
    ] {
        assert_eq!(id(set, text), None, "{text}");
    }
}
