//! The provider catalogue (docs/providers.md): each provider recognised by the kind of signal
//! its fingerprint is (a token, a link, wording, an answering host), the kind shown in the
//! JSON, and the near misses that must name no provider or another one. Every reply is written
//! for this test (none is from the validation set) and goes through the real extractor.
#![allow(clippy::unwrap_used)]

use crate::rules_support::{explain_json, reply};
use mailtriage::reply::InputForm;
use mailtriage::rules::{RuleSet, SignalKind};

fn builtin() -> &'static RuleSet {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

/// (provider id, signal kind, matched) of the first reply of `input`.
fn who(input: &str) -> Option<(String, SignalKind, String)> {
    builtin()
        .decode(&reply(input))
        .provider
        .map(|p| (p.id, p.signal.kind, p.signal.matched))
}

fn postfix(host: &str, said: &str) -> String {
    format!(
        "May  1 10:00:00 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<ann@example.org>, \
         relay={host}[192.0.2.9]:25, delay=1.2, dsn=5.0.0, status=bounced (host \
         {host}[192.0.2.9] said: {said} (in reply to RCPT TO command))"
    )
}

/// Providers once known only by legacy markers are now recognised by a declared kind, which
/// the decoding reports. A provider's page that is also one of its tokens (its name is written
/// bare as often as linked) is reported as the token, the stronger kind.
#[test]
fn regional_providers_and_gateways_are_recognised_by_a_declared_signal_kind() {
    use SignalKind::*;
    for (input, provider, kind, matched) in [
        (
            "550 5.7.1 Service refuse. Veuillez essayer plus tard. OFR004_104",
            "orange",
            Token,
            "OFR004_104",
        ),
        (
            "550 Ip frequency limited. https://service.mail.qq.com/detail/0/9",
            "qq",
            Token,
            "service.mail.qq.com",
        ),
        (
            "421 4.7.0 Mail content denied",
            "qq",
            Wording,
            "Mail content denied",
        ),
        (
            "550 5.7.1 Unusual traffic from your IP; see https://help.mail.ru/notspam-support/id",
            "mailru",
            Token,
            "help.mail.ru/",
        ),
        (
            "554 5.7.1 Rejected by header based Blocked Senders - block policy for Header From",
            "mimecast",
            Wording,
            "Rejected by header based Blocked Senders",
        ),
        (
            "550 5.7.1 Refused: 198.51.100.7 is on a block list, see https://ipcheck.proofpoint.com/?ip=198.51.100.7",
            "proofpoint",
            Token,
            "ipcheck.proofpoint.com",
        ),
        (
            "554 5.7.1 Rejected AUP#CXBL https://www.cox.com/residential/support/email-error-codes.html",
            "cox",
            Token,
            "AUP#CXBL",
        ),
        (
            "554 5.7.1 ELNK_101 Connection refused",
            "earthlink",
            Token,
            "ELNK_101",
        ),
        // The bracketed codes of iCloud, including [HM08].
        (
            "554 5.7.1 [HM08] Message rejected due to local policy.",
            "apple",
            Token,
            "[HM08]",
        ),
        // AOL's reason codes from before Yahoo's.
        ("554 RLY:B1 Service refused", "yahoo", Token, "RLY:B1"),
        // More of Google's own sentences, pasted without the gsmtp trailer.
        (
            "534 5.7.9 Application-specific password required.",
            "gmail",
            Wording,
            "Application-specific password required",
        ),
        (
            "550 5.7.1 This message does not meet IPv6 sending guidelines regarding PTR records and authentication.",
            "gmail",
            Wording,
            "does not meet IPv6 sending guidelines",
        ),
        // Trend Micro's products naming their own reputation database and lists.
        (
            "450 4.7.1 Mail from 198.51.100.7 deferred using Trend Micro Email Reputation database.",
            "trend-micro",
            Wording,
            "deferred using Trend Micro Email Reputation database",
        ),
        (
            "550 5.7.1 Mail from 198.51.100.7 was refused: sender IP found in ERS-QIL",
            "trend-micro",
            Token,
            "ERS-QIL",
        ),
        // Vade's own list and its reference.
        (
            "550 5.7.1 198.51.100.7 blocked by Vade Threat List (OXSUS002_110)",
            "vade",
            Token,
            "OXSUS002_110",
        ),
        (
            "554 Denied: see https://postmaster.vadesecure.com/en/",
            "vade",
            Link,
            "postmaster.vadesecure.com",
        ),
        // Sentences only one provider writes, pasted without its host or link.
        (
            "554 5.7.9 Message not accepted for policy reasons.",
            "yahoo",
            Wording,
            "Message not accepted for policy reasons",
        ),
        (
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            "microsoft",
            Wording,
            "SmtpClientAuthentication is disabled for the Tenant",
        ),
        (
            "550 5.7.1 (COL004-MC2F12) Unfortunately, messages from 192.0.2.7 weren't sent.",
            "microsoft",
            Token,
            "COL004-MC2F12",
        ),
        (
            "535-5.7.8 Username and Password not accepted.",
            "gmail",
            Wording,
            "Username and Password not accepted",
        ),
        (
            "535 5.7.0 (#AUTH005) Too many bad auth attempts.",
            "yahoo",
            Token,
            "(#AUTH005)",
        ),
        (
            "454 Throttling failure: Daily message quota exceeded.",
            "amazon-ses",
            Wording,
            "Throttling failure: Daily message quota exceeded",
        ),
        (
            "553 Relaying disallowed as news@example.com",
            "zoho",
            Wording,
            "Relaying disallowed as",
        ),
        (
            "550 Benutzer hat das Speichervolumen ueberschritten. / User has exhausted allowed storage space.",
            "gmx-webde",
            Wording,
            "Benutzer hat das Speichervolumen ueberschritten",
        ),
        (
            "554 This user doesn't have a yahoo.co.uk account",
            "yahoo",
            Wording,
            "doesn't have a yahoo.co.uk account",
        ),
        // The United Internet refusal GMX, WEB.DE and IONOS share: GMX's wording, unless
        // IONOS's own pages are named.
        (
            "554-Transaction failed 554-Reject due to policy restrictions.",
            "gmx-webde",
            Wording,
            "Transaction failed Reject due to policy restrictions",
        ),
        (
            "554-Transaction failed 554-Reject due to policy restrictions. 554 For explanation visit https://www.ionos.de/hilfe/e-mail",
            "ionos",
            Token,
            "ionos.de/hilfe",
        ),
        // The Nemesis banner the three brands share names GMX; IONOS's own brand and server
        // name outrank it, as the domain a 554 greeting opens with or written in the words.
        (
            "554-perfora.net (mxeueus003) Nemesis ESMTP Service not available",
            "ionos",
            Host,
            "perfora.net",
        ),
        (
            "421 Service not available: perfora.net (mxeueus003) Nemesis ESMTP",
            "ionos",
            Token,
            "perfora.net (mxeueus003)",
        ),
        // Gmail's authentication sentences without the gsmtp trailer.
        (
            "550-5.7.26 Your email has been blocked because the sender is unauthenticated.",
            "gmail",
            Wording,
            "Your email has been blocked because the sender is unauthenticated",
        ),
        // Tencent's session stamp, without its host or help link.
        (
            "550 Domain may not exist or DNS check failed [MGaqBtNQeRDAdUzCFRiSMavn3t+dzyF/MVAYPWn6OCN5vNwSrFDoaybQje6D/MIY0g== IP: 192.0.2.25].",
            "qq",
            Token,
            // Fingerprints read the words with addresses masked.
            "[MGaqBtNQeRDAdUzCFRiSMavn3t+dzyF/MVAYPWn6OCN5vNwSrFDoaybQje6D/MIY0g== IP: 192.0....",
        ),
        // Legacy pages the older refusals of Road Runner and MessageLabs link.
        (
            "554 5.7.1 - ERROR: Mail refused - <192.0.2.25> - See http://security.rr.com/cgi-bin/block-lookup?192.0.2.25",
            "spectrum",
            Link,
            "security.rr.com",
        ),
        (
            "553 Message filtered. See the spam FAQ at http://www.messagelabs.com/support/ (#5.7.1)",
            "symantec",
            Link,
            "www.messagelabs.com",
        ),
        // Yahoo's 5.7.9 opens with the same sentence, then names Yahoo: its token.
        (
            "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
            "yahoo",
            Token,
            "Yahoo requires",
        ),
        (
            "451 4.7.24 The SPF record of the sending domain has one or more suspicious entries.",
            "gmail",
            Wording,
            "The SPF record of the sending domain has one or more suspicious entries",
        ),
        (
            "553 5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors.",
            "gmail",
            Wording,
            "We weren't able to find the recipient domain",
        ),
        // Exchange Online's own NDR sentences, and Outlook.com's older IP refusal.
        (
            "550 5.7.350 Remote server returned message detected as spam",
            "microsoft",
            Wording,
            "Remote server returned message detected as spam",
        ),
        (
            "421 Unfortunately, some messages from 192.0.2.25 weren't sent. Please try again.",
            "microsoft",
            Wording,
            "Unfortunately, some messages from 192.0.2.25 weren't sent",
        ),
        // Tencent Cloud's email service quotes its API's error after its own marker.
        (
            "554 5.0.0 Error: transaction failed: ##SES-response-json:{\"Response\":{\"QcloudError\":{\"Error\":{\"Code\":\"FailedOperation.NotAuthenticatedSender\"}}}}",
            "tencent-ses",
            Token,
            "##SES-response-json:",
        ),
    ] {
        assert_eq!(
            who(input),
            Some((provider.to_string(), kind, matched.to_string())),
            "{input}"
        );
    }
}

/// MX hosts of every region and sovereign cloud the catalogue now lists, as the host that
/// answered.
#[test]
fn regional_and_sovereign_mx_hosts_name_their_provider() {
    for (host, provider) in [
        ("example-us.mail.protection.office365.us", "microsoft"),
        ("example-cn.mail.protection.partner.outlook.cn", "microsoft"),
        ("mx.zoho.jp", "zoho"),
        ("mx2.zohocloud.ca", "zoho"),
        ("za-smtp-inbound-1.mimecast.co.za", "mimecast"),
        ("example-com.in.tmes-anz.trendmicro.com", "trend-micro"),
        ("example-com.in.tmems-jp.trendmicro.com", "trend-micro"),
        ("mx01.earthlink-vadesecure.net", "earthlink"),
        ("mta05-relay.cloud.vadesecure.com", "vade"),
        ("mx.yandex.com.tr", "yandex"),
        // Hornetsecurity's MX under its former name.
        ("mx-gate33-haj2.antispameurope.com", "hornetsecurity"),
    ] {
        let input = postfix(host, "550 5.7.1 Message refused");
        assert_eq!(
            who(&input).map(|w| (w.0, w.1)),
            Some((provider.to_string(), SignalKind::Host)),
            "{host}"
        );
    }
}

/// Postfix's refusal of its greeting names the host that answered, in a bounce body's line as
/// in a log line.
#[test]
fn a_host_that_refused_to_talk_is_the_host_that_answered() {
    for input in [
        "<ann@example.org>: host mx01.mail.icloud.com[17.57.155.25] refused to talk to me: 554 5.7.1 Service unavailable",
        "Mar  1 10:00:00 mx postfix/smtp[7]: 1A2B3C: to=<ann@example.org>, relay=none, delay=1, dsn=4.7.0, status=deferred (host mx01.mail.icloud.com[17.57.155.25] refused to talk to me: 421 4.7.0 Service unavailable - try again later)",
    ] {
        assert_eq!(
            who(input),
            Some((
                "apple".to_string(),
                SignalKind::Host,
                "mx01.mail.icloud.com".to_string()
            )),
            "{input}"
        );
    }
}

/// Every form a paste keeps the answering host in names its provider, the reply's words being
/// no provider's own: Exim's bounce with the host on a line of its own and its log line's
/// `H=`, the `host: X (ip)` of cPanel's and Plesk's notices, DSN fields pasted under the
/// bounce line they repeat (with no Remote-MTA of their own), Sendmail's transcript, Exchange
/// Server's `Remote Server at X (ip) returned` and Gmail's older report of another server's
/// refusal.
#[test]
fn every_form_that_keeps_the_answering_host_names_its_provider() {
    for (host, provider) in [
        ("mx1.free.fr", "free"),
        ("gmail-smtp-in.l.google.com", "gmail"),
        ("mx0.charter.net", "spectrum"),
        ("eu-smtp-inbound-1.mimecast.com", "mimecast"),
        ("mx00.emig.gmx.net", "gmx-webde"),
    ] {
        for input in [
            format!(
                "  ann@example.org\n    host {host} [192.0.2.9]\n    SMTP error from remote mail server after end of data:\n    550 5.7.1 Message refused"
            ),
            format!(
                "H={host} [192.0.2.9]: SMTP error from remote mail server after RCPT TO:<ann@example.org>: 550 5.7.1 Message refused"
            ),
            format!(
                "SMTP error from remote server for RCPT TO command, host: {host} (192.0.2.9) reason: 550 5.7.1 Message refused"
            ),
            format!(
                "<ann@example.org>: host {host}[192.0.2.9] said: 550 Message\n    refused (in reply to end of DATA command)\nDiagnostic-Code: smtp; 550 Message refused"
            ),
            format!(
                "   ----- Transcript of session follows -----\n... while talking to {host}.:\n>>> DATA\n<<< 550 5.7.1 Message refused\n554 5.0.0 Service unavailable"
            ),
            format!("Remote Server at {host} (192.0.2.9) returned '550 5.7.1 Message refused'"),
            format!(
                "Google tried to deliver your message, but it was rejected by the server for the recipient domain example.org by {host}. [192.0.2.9].\n\nThe error that the other server returned was:\n550 5.7.1 Message refused"
            ),
        ] {
            assert_eq!(
                who(&input).map(|w| (w.0, w.1, w.2)),
                Some((provider.to_string(), SignalKind::Host, host.to_string())),
                "{input}"
            );
        }
    }
    // A host named in a sentence, or a client's `H=` with no address, is no answering host.
    for input in [
        "The host gmail-smtp-in.l.google.com [192.0.2.9] is slow today: 550 5.7.1 Message refused",
        "H=gmail-smtp-in.l.google.com refused: 550 5.7.1 Message refused",
    ] {
        assert_eq!(who(input), None, "{input}");
    }
}

/// Fingerprints that could over-match: a customer's own domain that ends like a provider's, a
/// provider's outbound relay writing a bounce about someone else, a list any receiver may
/// query, a product name in an unrelated sentence, and a provider's page owned by another.
#[test]
fn near_misses_name_no_provider_or_the_right_one() {
    for input in [
        // A customer's host whose name only contains a provider's.
        postfix("mx.office365.us.example.org", "550 5.7.1 Message refused"),
        postfix("outlook.cn.example.com", "550 5.7.1 Message refused"),
        postfix("vadesecure.com.example.net", "550 5.7.1 Message refused"),
        // Outbound relays of GMX and freenet are no signal: they write bounces about others.
        "550 5.1.1 Mailbox unavailable (relayed by mout.freenet.de)".into(),
        "550 5.1.1 Mailbox unavailable (mrgmx104)".into(),
        // Trend's DNS lists and lookup pages, queried by any receiver.
        "554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using rbl-plus.mail-abuse.org; see https://servicecentral.trendmicro.com/en-US/ers/".into(),
        // The BRBL's removal page, which other servers' refusals carry too.
        "554 5.7.1 Rejected, see https://www.barracudacentral.org/lookups".into(),
        // Products named in an unrelated sentence; on-premises products.
        "550 5.7.1 Message blocked by Sophos UTM content filter".into(),
        "550 5.7.1 Our Proofpoint licence expired; message refused".into(),
        // A word that only looks like an AOL code.
        "451 4.4.3 DNS:SERVFAIL for example.org".into(),
        // Any server's words about a blocked or unauthenticated message, not Gmail's sentence.
        "550 5.7.1 Your email has been blocked by the recipient's administrator".into(),
        "550 5.7.1 Message rejected because the sender is unauthenticated".into(),
        // A host named after `antispameurope` in a customer's own domain.
        postfix("antispameurope.com.example.net", "550 5.7.1 Message refused"),
    ] {
        assert_eq!(who(&input).map(|w| w.0), None, "{input}");
    }
    // EarthLink's postmaster site lives under vadesecure.com; it is EarthLink's.
    assert_eq!(
        who(
            "550 5.7.1 Blocked, see https://postmaster-earthlink.vadesecure.com/inbound_error_codes"
        )
        .map(|w| w.0)
        .as_deref(),
        Some("earthlink")
    );
    // A receiver filtering with Vade answered: its host is no provider's, so Vade's list, named
    // in its words, names Vade.
    assert_eq!(
        who(&postfix(
            "mx.example.net",
            "550 5.7.1 IP 198.51.100.7 blocked by Vade Threat List"
        ))
        .map(|w| w.0)
        .as_deref(),
        Some("vade")
    );
    // Gmail's answering host outranks a Vade link quoted in its words.
    assert_eq!(
        who(&postfix(
            "gmail-smtp-in.l.google.com",
            "550 5.7.1 Refused; compare https://postmaster.vadesecure.com - gsmtp"
        ))
        .map(|w| w.0)
        .as_deref(),
        Some("gmail")
    );
}

/// The JSON names the kind of signal for the converted fingerprints too.
#[test]
fn the_json_names_a_token_link_and_wording_signal() {
    for (input, kind) in [
        ("550 5.7.1 Refused SFR_IN_101 spam", "token"),
        (
            "550 5.7.1 Rejected, see https://postmaster.vadesecure.com/en/",
            "link",
        ),
        (
            "550 5.7.1 Message rejected under suspicion of SPAM",
            "wording",
        ),
    ] {
        let value = explain_json(builtin(), input, InputForm::Reply);
        let signal = &value["replies"][0]["provider"]["signal"];
        assert_eq!(signal["kind"], kind, "{input}: {value}");
        assert_eq!(signal["where"], "text", "{input}: {value}");
    }
}
