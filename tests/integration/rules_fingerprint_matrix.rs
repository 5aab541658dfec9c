//! The fingerprint matrix (issue 14, item 1): for every provider and gateway of
//! docs/provider-catalogue.md, each signal it is recognised by, in each form a user pastes it
//! (the reply alone, inside a Postfix `host X[ip] said:` line or bounce body, an Exim log line
//! or bounce, a DSN's Remote-MTA and `smtp;` Diagnostic-Code, Microsoft's bracketed server name,
//! a server name opening the reply), names that provider by the kind of signal it is; and the
//! same host named as the sender's (a receiving server's log of its client), as an MX the
//! sender could not reach, as the Reporting-MTA of a bounce about someone else's recipient, or
//! as the tail of a customer's own host name, names no one. Every reply is written for this
//! test (none is from the validation set) and goes through the real extractor.
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

/// Words no provider owns, so that the signal under test is the reply's only one.
const SAID: &str = "550 5.7.1 Message refused";

/// Each provider's answering hosts as it publishes them (its MX, or the server name its
/// replies carry), and whether the host is one of its inbound servers that names it even when
/// only the words mention it (a token), not only where a field says it answered.
const HOSTS: &[(&str, &str, bool)] = &[
    ("gmail", "gmail-smtp-in.l.google.com", true),
    ("gmail", "alt2.aspmx.l.google.com", true),
    ("microsoft", "contoso-com.mail.protection.outlook.com", true),
    ("microsoft", "hotmail-com.olc.protection.outlook.com", true),
    ("microsoft", "contoso-us.mail.protection.office365.us", true),
    (
        "microsoft",
        "DM6NAM12FT012.eop-nam12.prod.protection.outlook.com",
        true,
    ),
    ("microsoft", "mx4.hotmail.com", true),
    ("yahoo", "mta5.am0.yahoodns.net", true),
    ("yahoo", "mx-aol.mail.gm0.yahoodns.net", true),
    ("yahoo", "mta7.mail.gq1.yahoo.com", true),
    ("apple", "mx01.mail.icloud.com", true),
    ("comcast", "mx1h1.comcast.net", true),
    ("comcast", "imta04.westchester.pa.mail.comcast.net", true),
    ("att", "ff-ip4-mx-vip1.prodigy.net", true),
    ("cox", "cxr.mx.a.cloudfilter.net", true),
    ("spectrum", "mx.charter.net", false),
    ("spectrum", "dnvrco-cmedge01.email.rr.com", false),
    ("verizon", "relay.verizon.net", false),
    ("earthlink", "mx1.earthlink-vadesecure.net", true),
    ("gmx-webde", "mx00.emig.gmx.net", true),
    ("gmx-webde", "mx-ha02.web.de", true),
    ("gmx-webde", "mx00.mail.com", true),
    ("t-online", "mx00.t-online.de", true),
    ("t-online", "mailin43.mx.t-online.de", true),
    ("freenet", "mx.freenet.de", true),
    ("orange", "smtp-in.orange.fr", true),
    ("orange", "smtpz4.laposte.net", true),
    ("free", "mx1.free.fr", true),
    ("sfr", "smtp-in.sfr.fr", true),
    ("libero", "smtp-in.libero.it", true),
    ("libero", "mx.virgilio.it", true),
    ("mailru", "mxs.mail.ru", true),
    ("yandex", "mx.yandex.ru", true),
    ("yandex", "mx.yandex.net", true),
    ("seznam", "mx1.seznam.cz", true),
    ("wp-pl", "mx.wp.pl", true),
    ("wp-pl", "mx.o2.pl", true),
    ("onet", "mx.poczta.onet.pl", true),
    ("interia", "mx.poczta.interia.pl", true),
    ("naver", "mx1.mail.naver.com", true),
    ("qq", "mx3.qq.com", true),
    ("qq", "mxbiz1.qq.com", true),
    ("netease", "163mx01.mxmail.netease.com", true),
    ("zoho", "mx.zoho.com", true),
    ("zoho", "mx2.zoho.eu", true),
    ("fastmail", "in1-smtp.messagingengine.com", true),
    ("telenor", "mx.online.no", true),
    ("proofpoint", "mx0a-00123401.pphosted.com", true),
    ("proofpoint", "mx1-us1.ppe-hosted.com", true),
    ("mimecast", "eu-smtp-inbound-1.mimecast.com", true),
    ("mimecast", "za-smtp-inbound-1.mimecast.co.za", true),
    ("barracuda", "d123456a.ess.barracudanetworks.com", true),
    ("cisco", "mx1.hc1234-56.iphmx.com", true),
    ("trend-micro", "example-com.in.tmes.trendmicro.com", true),
    ("trend-micro", "example-com.in.tmes.trendmicro.eu", true),
    ("symantec", "cluster1.eu.messagelabs.com", true),
    ("forcepoint", "cluster1.eu.mailcontrol.com", true),
    ("hornetsecurity", "mx01.hornetsecurity.com", true),
    ("spamexperts", "mx.spamexperts.com", true),
    ("spamexperts", "mx.antispamcloud.com", true),
    ("sophos", "mx-01-eu-west-1.prod.hydra.sophos.com", true),
];

/// The forms a paste keeps the answering host in, each with where the decoder reads it.
fn host_forms(host: &str) -> Vec<(&'static str, String, SignalPlace)> {
    use SignalPlace::*;
    vec![
        (
            "postfix log",
            format!(
                "May  1 10:00:00 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<ann@example.org>, \
                 relay={host}[192.0.2.9]:25, delay=1.2, dsn=5.7.1, status=bounced (host \
                 {host}[192.0.2.9] said: {SAID} (in reply to RCPT TO command))"
            ),
            RemoteMta,
        ),
        (
            "postfix bounce",
            format!(
                "<ann@example.org>: host {host}[192.0.2.9] said: {SAID} (in reply to RCPT TO command)"
            ),
            RemoteMta,
        ),
        (
            "exim log",
            format!(
                "2024-05-01 10:00:00 1rABCD-000123-AB ** ann@example.org R=dnslookup \
                 T=remote_smtp H={host} [192.0.2.9] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes: \
                 SMTP error from remote mail server after RCPT TO:<ann@example.org>: {SAID}"
            ),
            RemoteMta,
        ),
        (
            "exim bounce",
            format!(
                "  ann@example.org\n    host {host} [192.0.2.9]\n    SMTP error from remote \
                 mail server after RCPT TO:<ann@example.org>:\n    {SAID}"
            ),
            RemoteMta,
        ),
        (
            "dsn",
            format!(
                "Reporting-MTA: dns; out.example.com\n\nFinal-Recipient: rfc822; ann@example.org\n\
                 Action: failed\nStatus: 5.7.1\nRemote-MTA: dns; {host}\nDiagnostic-Code: smtp; {SAID}"
            ),
            RemoteMta,
        ),
        (
            "dsn fields pasted, smtp; without a space",
            format!("Remote-MTA: dns; {host}\nDiagnostic-Code: smtp;{SAID}"),
            RemoteMta,
        ),
        (
            "bracketed server name",
            format!("{SAID} [{host}]"),
            ServerName,
        ),
        (
            "server name opening the reply",
            format!("550 {host} Message refused"),
            ServerName,
        ),
    ]
}

#[test]
fn every_providers_answering_host_names_it_in_every_form() {
    let mut wrong = Vec::new();
    for &(provider, host, in_words) in HOSTS {
        let mut forms = host_forms(host);
        if in_words {
            forms.push((
                "named in the words",
                format!("451 4.3.0 Temporary failure at {host}, please try again later"),
                SignalPlace::Text,
            ));
        }
        for (form, input, place) in forms {
            let kind = if place == SignalPlace::Text {
                SignalKind::Token
            } else {
                SignalKind::Host
            };
            let got = who(&input);
            if got != Some((provider.to_string(), kind, place)) {
                wrong.push(format!("{provider} {host} ({form}): {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The same host where it is not the one that answered: the client a receiving server's own
/// log names (Postfix's `RCPT from X[ip]`, Exim's `H=X [ip] ... rejected RCPT`), an MX the
/// sender's log says it could not reach, a bounce's Reporting-MTA about a recipient elsewhere,
/// and a customer's host that merely ends like the provider's.
#[test]
fn a_providers_host_that_did_not_answer_names_no_one() {
    let mut wrong = Vec::new();
    for &(provider, host, _) in HOSTS {
        let mut cases = vec![
            (
                "postfix receiving log",
                format!(
                    "May  1 10:00:00 mx postfix/smtpd[99]: NOQUEUE: reject: RCPT from \
                     {host}[192.0.2.9]: 550 5.7.1 <ann@example.org>: Recipient address rejected: \
                     Access denied; from=<bob@example.com> to=<ann@example.org> proto=ESMTP \
                     helo=<{host}>"
                ),
            ),
            (
                "exim receiving log",
                format!(
                    "2024-05-01 10:00:00 H={host} [192.0.2.9] F=<bob@example.com> rejected RCPT \
                     <ann@example.org>: relay not permitted"
                ),
            ),
            (
                "exim receiving log with the greeting name and TLS",
                format!(
                    "2024-05-01 10:00:00 H={host} (helo.example.com) [192.0.2.9] \
                     X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no F=<bob@example.com> temporarily \
                     rejected RCPT <ann@example.org>: 451 Could not complete sender verify"
                ),
            ),
            (
                "exim receiving log after DATA",
                format!(
                    "2024-05-01 10:00:00 1rABCD-000123-AB H={host} [192.0.2.9] \
                     F=<bob@example.com> rejected after DATA: 550 This message was classified as spam"
                ),
            ),
            (
                "an MX the sender could not reach",
                format!(
                    "May  1 10:00:00 out postfix/smtp[2231]: 4F1A2B3C: to=<ann@example.org>, \
                     relay=none, delay=95, dsn=4.4.1, status=deferred (connect to \
                     {host}[192.0.2.9]:25: Connection timed out)"
                ),
            ),
            (
                "reporting MTA of a bounce about someone else's recipient",
                format!(
                    "Reporting-MTA: dns; {host}\n\nFinal-Recipient: rfc822; ann@example.org\n\
                     Action: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; {SAID}"
                ),
            ),
        ];
        // AT&T's site-named servers (`ff-ip4-mx-vip1.`) name it whatever domain a paste writes
        // after them (rules/provider-us-isp.toml): the one host pattern not anchored at its end.
        if provider != "att" {
            cases.push((
                "a customer's host ending like the provider's",
                format!(
                    "<ann@example.org>: host {host}.example.org[192.0.2.9] said: {SAID} (in reply \
                     to RCPT TO command)"
                ),
            ));
        }
        for (form, input) in cases {
            if let Some(got) = who(&input) {
                wrong.push(format!("{provider} {host} ({form}): {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A bounce that names no answering host, written by a mailbox provider's own server about
/// one of its own mailboxes: its Reporting-MTA names it (and only then: see the near misses
/// above).
#[test]
fn a_providers_reporting_mta_names_it_for_its_own_mailbox() {
    let mut wrong = Vec::new();
    for (provider, host, domain) in [
        ("gmail", "mail-sor-f41.google.com", "gmail.com"),
        (
            "microsoft",
            "NAM12-DM6-obe.outbound.protection.outlook.com",
            "outlook.com",
        ),
        (
            "yahoo",
            "sonic301-20.consmr.mail.ne1.yahoo.com",
            "yahoo.com",
        ),
        ("apple", "st43p00im-ztfb10061701.me.com", "icloud.com"),
        ("gmx-webde", "mout.gmx.net", "gmx.net"),
        ("t-online", "mailout01.t-online.de", "t-online.de"),
        ("orange", "smtp.orange.fr", "orange.fr"),
        ("qq", "smtpbg.qq.com", "qq.com"),
        ("yandex", "forward100a.mail.yandex.net", "yandex.ru"),
        ("mailru", "f123.i.mail.ru", "mail.ru"),
    ] {
        let input = format!(
            "Reporting-MTA: dns; {host}\n\nFinal-Recipient: rfc822; ann@{domain}\nAction: \
             failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 Message refused"
        );
        let got = who(&input);
        if got
            != Some((
                provider.to_string(),
                SignalKind::Host,
                SignalPlace::ReportingMta,
            ))
        {
            wrong.push(format!("{provider} {host}: {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The text signals (links, tokens, wording) of each provider that has them, with the kind
/// the decoder reports. A provider's page that is also one of its tokens is reported as the
/// token (docs/providers.md).
const TEXT_SIGNALS: &[(&str, SignalKind, &str)] = &[
    (
        "gmail",
        SignalKind::Link,
        "see https://support.google.com/mail/?p=NoSuchUser for details",
    ),
    ("gmail", SignalKind::Token, "- gsmtp"),
    (
        "gmail",
        SignalKind::Wording,
        "Gmail requires all senders to authenticate with either SPF or DKIM.",
    ),
    (
        "gmail",
        SignalKind::Wording,
        "Messages missing a valid address in From: header, or having no From: header, are not accepted.",
    ),
    // Google's reference as rewritten in 2025-2026 (`email` for `mail`, `the From: header`).
    (
        "gmail",
        SignalKind::Wording,
        "The IP you're using to send email is not authorized to send email directly to our servers.",
    ),
    (
        "gmail",
        SignalKind::Wording,
        "Messages with multiple addresses in the From: header are not accepted.",
    ),
    (
        "gmail",
        SignalKind::Wording,
        "Email server has temporarily rejected this message.",
    ),
    (
        "gmail",
        SignalKind::Wording,
        "The email account that you tried to reach is inactive.",
    ),
    (
        "microsoft",
        SignalKind::Link,
        "see https://sender.office.com for details",
    ),
    ("microsoft", SignalKind::Token, "(S3150)"),
    ("microsoft", SignalKind::Token, "AS(201806281)"),
    (
        "microsoft",
        SignalKind::Token,
        "To request removal from this list please forward this message to delist@messaging.microsoft.com",
    ),
    (
        "microsoft",
        SignalKind::Wording,
        "Access denied, banned sending IP [192.0.2.1]",
    ),
    (
        "microsoft",
        SignalKind::Wording,
        "Your message can't be sent because you've reached your daily limit for message recipients.",
    ),
    (
        "yahoo",
        SignalKind::Wording,
        "All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed.",
    ),
    (
        "yahoo",
        SignalKind::Link,
        "see https://senders.yahooinc.com/smtp-error-codes",
    ),
    ("yahoo", SignalKind::Token, "[TSS04]"),
    (
        "yahoo",
        SignalKind::Wording,
        "Message not accepted for policy reasons",
    ),
    ("apple", SignalKind::Token, "[CS01]"),
    ("comcast", SignalKind::Token, "BL000000"),
    ("comcast", SignalKind::Wording, "Comcast block for spam"),
    ("att", SignalKind::Token, "DNSBL:RBL"),
    (
        "att",
        SignalKind::Wording,
        "Connections not accepted from servers without a valid sender domain",
    ),
    ("cox", SignalKind::Token, "AUP#CXBL"),
    ("spectrum", SignalKind::Token, "AUP#I-1000"),
    (
        "verizon",
        SignalKind::Wording,
        "Verizon Online's anti-spam system",
    ),
    ("earthlink", SignalKind::Token, "ELNK_101"),
    (
        "earthlink",
        SignalKind::Wording,
        "Dynamic/zombied/spam IPs blocked",
    ),
    ("gmx-webde", SignalKind::Token, "gmx.net (mxgmx117)"),
    (
        "gmx-webde",
        SignalKind::Wording,
        "Nemesis ESMTP Service not available",
    ),
    ("t-online", SignalKind::Token, "see postmaster.t-online.de"),
    (
        "t-online",
        SignalKind::Wording,
        "Dialup/transient IP not allowed",
    ),
    ("orange", SignalKind::Token, "OFR_999"),
    (
        "orange",
        SignalKind::Wording,
        "ME Service refuse. Veuillez essayer plus tard",
    ),
    ("free", SignalKind::Token, "see http://postmaster.free.fr/"),
    ("sfr", SignalKind::Token, "SFR_IN_101"),
    (
        "mailru",
        SignalKind::Token,
        "see https://help.mail.ru/notspam-support/id",
    ),
    (
        "mailru",
        SignalKind::Wording,
        "Message was not accepted -- invalid mailbox",
    ),
    ("yandex", SignalKind::Token, "https://ya.cc/1IrBc"),
    (
        "yandex",
        SignalKind::Wording,
        "Message rejected under suspicion of SPAM",
    ),
    (
        "seznam",
        SignalKind::Token,
        "see https://napoveda.seznam.cz/uzivatel-neexistuje",
    ),
    ("wp-pl", SignalKind::Link, "see https://pomoc.wp.pl/"),
    (
        "interia",
        SignalKind::Link,
        "see https://pomoc.poczta.interia.pl/antispam",
    ),
    ("naver", SignalKind::Link, "see https://realip.naver.com/"),
    (
        "qq",
        SignalKind::Token,
        "see https://service.mail.qq.com/detail/0/9",
    ),
    ("qq", SignalKind::Wording, "Mail content denied"),
    ("netease", SignalKind::Token, "DT:SPM"),
    ("zoho", SignalKind::Wording, "detected by Zoho Mail"),
    (
        "fastmail",
        SignalKind::Link,
        "see https://www.fastmail.help/hc/en-us",
    ),
    (
        "proofpoint",
        SignalKind::Token,
        "see https://ipcheck.proofpoint.com/?ip=192.0.2.1",
    ),
    ("mimecast", SignalKind::Token, "[AbCdEfGh123.uk25]"),
    ("mimecast", SignalKind::Wording, "Local CT IP Reputation"),
    (
        "barracuda",
        SignalKind::Wording,
        "blocked using Barracuda Reputation",
    ),
    (
        "cisco",
        SignalKind::Wording,
        "rejected due to the sending MTA's poor reputation",
    ),
    (
        "cisco",
        SignalKind::Token,
        "see https://talosintelligence.com/reputation_center",
    ),
    ("trend-micro", SignalKind::Token, "ERS-QIL"),
    (
        "trend-micro",
        SignalKind::Wording,
        "deferred using Trend Micro Email Reputation database",
    ),
    (
        "symantec",
        SignalKind::Wording,
        "please turn on SMTP Authentication in your mail client",
    ),
    (
        "symantec",
        SignalKind::Token,
        "see symanteccloud.com/troubleshooting",
    ),
    (
        "hornetsecurity",
        SignalKind::Link,
        "see https://cloud-security.net/unblock",
    ),
    ("sophos", SignalKind::Token, "XGEMAIL_0011"),
    ("vade", SignalKind::Token, "OXSUS002_110"),
    ("vade", SignalKind::Wording, "Vade Threat List"),
];

/// A text signal in the words of a reply from an answering host that names no one, in each
/// form: the reply alone, with `smtp;` before it, in a Postfix log line, an Exim log line and a
/// DSN.
#[test]
fn every_providers_text_signals_name_it_in_every_form() {
    let neutral = "mx.example.net";
    let mut wrong = Vec::new();
    for &(provider, kind, signal) in TEXT_SIGNALS {
        let said = format!("{SAID}: {signal}");
        let forms = [
            ("alone", said.clone()),
            ("smtp; prefix", format!("smtp;{said}")),
            (
                "postfix log",
                format!(
                    "May  1 10:00:00 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<ann@example.org>, \
                     relay={neutral}[192.0.2.9]:25, delay=1.2, dsn=5.7.1, status=bounced (host \
                     {neutral}[192.0.2.9] said: {said} (in reply to RCPT TO command))"
                ),
            ),
            (
                "exim log",
                format!(
                    "2024-05-01 10:00:00 1rABCD-000123-AB ** ann@example.org R=dnslookup \
                     T=remote_smtp H={neutral} [192.0.2.9]: SMTP error from remote mail server \
                     after RCPT TO:<ann@example.org>: {said}"
                ),
            ),
            (
                "dsn",
                format!(
                    "Reporting-MTA: dns; out.example.com\n\nFinal-Recipient: rfc822; \
                     ann@example.org\nAction: failed\nStatus: 5.7.1\nRemote-MTA: dns; {neutral}\n\
                     Diagnostic-Code: smtp; {said}"
                ),
            ),
        ];
        for (form, input) in forms {
            let got = who(&input);
            if got != Some((provider.to_string(), kind, SignalPlace::Text)) {
                wrong.push(format!("{provider} {signal:?} ({form}): {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every provider and gateway the catalogue audits has a row above: a provider added to the
/// catalogue without one fails here.
#[test]
fn the_matrix_covers_every_provider_of_the_catalogue() {
    let catalogue = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/provider-catalogue.md"),
    )
    .unwrap();
    let ids: Vec<&str> = catalogue
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("(`"))
        .flat_map(|l| {
            let first = l.split('|').nth(1).unwrap_or("");
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|s| !s.contains(' '))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(ids.len() > 30, "{ids:?}");
    let covered =
        |id: &str| HOSTS.iter().any(|h| h.0 == id) || TEXT_SIGNALS.iter().any(|s| s.0 == id);
    let missing: Vec<&&str> = ids.iter().filter(|id| !covered(id)).collect();
    assert!(missing.is_empty(), "{missing:?}");
    // And each id names a provider the rules know.
    for id in ids {
        assert!(
            builtin().providers.iter().any(|p| p.rule.id == id),
            "{id} is in the catalogue but not in rules/"
        );
    }
}
