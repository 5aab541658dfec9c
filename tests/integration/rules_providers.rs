//! Provider recognition from every signal a reply carries (answering host, the server name in
//! the words, links, tokens, wording), the precedence when they disagree, and the signal shown
//! in the output. Every reply goes through the real extractor, as `explain` reads it.
#![allow(clippy::unwrap_used)]

use crate::rules_support::{RulesDir, reply};
use mailtriage::reply::{InputForm, extract};
use mailtriage::report::{ExplainReport, Format, Report, render};
use mailtriage::rules::{Action, ProviderSignal, RuleSet, SignalKind, SignalPlace};

fn builtin() -> &'static RuleSet {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

/// (provider id, signal kind, where, matched) of the first reply of `input`.
fn who(set: &RuleSet, input: &str) -> Option<(String, SignalKind, SignalPlace, String)> {
    set.decode(&reply(input)).provider.map(|p| {
        let ProviderSignal {
            kind,
            matched,
            place,
        } = p.signal;
        (p.id, kind, place, matched)
    })
}

fn id(set: &RuleSet, input: &str) -> Option<String> {
    who(set, input).map(|w| w.0)
}

fn postfix(host: &str, said: &str) -> String {
    format!(
        "May  1 10:00:00 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<ann@example.org>, \
         relay={host}[192.0.2.9]:25, delay=1.2, dsn=5.0.0, status=bounced (host \
         {host}[192.0.2.9] said: {said} (in reply to RCPT TO command))"
    )
}

/// A DSN bounce written by `reporting`, naming `remote` as the answering host if given.
fn dsn(reporting: &str, remote: Option<&str>, diagnostic: &str) -> String {
    dsn_to(reporting, "bob@example.net", remote, diagnostic)
}

/// As [`dsn`], for the given recipient.
fn dsn_to(reporting: &str, recipient: &str, remote: Option<&str>, diagnostic: &str) -> String {
    let remote = remote.map_or(String::new(), |r| format!("Remote-MTA: dns; {r}\n"));
    format!(
        "From: MAILER-DAEMON@{reporting}\nTo: ann@example.com\nSubject: Undeliverable\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
         --B\nContent-Type: text/plain\n\nDelivery failed.\n\n\
         --B\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; {reporting}\n\n\
         Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.7.1\n\
         {remote}Diagnostic-Code: smtp; {diagnostic}\n\n--B--\n"
    )
}

#[test]
fn each_signal_kind_recognises_its_provider() {
    let set = builtin();
    let plain = "550 5.7.1 Message refused";
    // The host that answered, in each form that names it.
    let cases: Vec<(String, &str, SignalKind, SignalPlace, &str)> = vec![
        (
            postfix("gmail-smtp-in.l.google.com", plain),
            "gmail",
            SignalKind::Host,
            SignalPlace::RemoteMta,
            "gmail-smtp-in.l.google.com",
        ),
        (
            format!("host mta7.am0.yahoodns.net[192.0.2.9] said: {plain}"),
            "yahoo",
            SignalKind::Host,
            SignalPlace::RemoteMta,
            "mta7.am0.yahoodns.net",
        ),
        (
            format!(
                "2024-05-01 10:00:00 1rs2Ab-000Abc-1x ** bob@example.org R=dnslookup \
                 T=remote_smtp H=example-org.mail.protection.outlook.com [192.0.2.9]: SMTP \
                 error from remote mail server after RCPT TO:<bob@example.org>: {plain}"
            ),
            "microsoft",
            SignalKind::Host,
            SignalPlace::RemoteMta,
            "example-org.mail.protection.outlook.com",
        ),
        (
            dsn("relay.example.com", Some("mx.icloud.com"), plain),
            "apple",
            SignalKind::Host,
            SignalPlace::RemoteMta,
            "mx.icloud.com",
        ),
        (
            "550 5.4.1 Recipient address rejected: Access denied. \
             [DB5EUR03FT028.eop-EUR03.prod.protection.outlook.com]"
                .into(),
            "microsoft",
            SignalKind::Host,
            SignalPlace::ServerName,
            "db5eur03ft028.eop-eur03.prod.protection.outlook.com",
        ),
        (
            "421 4.7.0 Messages from 192.0.2.1 deferred; see https://postmaster.yahooinc.com/error-codes"
                .into(),
            "yahoo",
            SignalKind::Link,
            SignalPlace::Text,
            "postmaster.yahooinc.com",
        ),
        (
            "550 5.7.1 Refused, see sendersupport.olc.protection.outlook.com/snds/ for help".into(),
            "microsoft",
            SignalKind::Link,
            SignalPlace::Text,
            "sendersupport.olc.protection.outlook.com",
        ),
        (
            "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred".into(),
            "yahoo",
            SignalKind::Token,
            SignalPlace::Text,
            "[TSS04]",
        ),
        (
            "550 5.7.1 Part of their network is on our block list (S3150).".into(),
            "microsoft",
            SignalKind::Token,
            SignalPlace::Text,
            "(S3150)",
        ),
        (
            "550 5.7.26 This mail is unauthenticated. Gmail requires all senders to \
             authenticate with either SPF or DKIM."
                .into(),
            "gmail",
            SignalKind::Wording,
            SignalPlace::Text,
            "Gmail requires all senders",
        ),
        (
            dsn_to("BAY004-MC1F22.hotmail.com", "bob@hotmail.com", None, plain),
            "microsoft",
            SignalKind::Host,
            SignalPlace::ReportingMta,
            "bay004-mc1f22.hotmail.com",
        ),
    ];
    for (input, provider, kind, place, matched) in cases {
        assert_eq!(
            who(set, &input),
            Some((provider.to_string(), kind, place, matched.to_string())),
            "{input}"
        );
    }
}

#[test]
fn a_legacy_marker_still_recognises_its_provider() {
    let dir = RulesDir::new(&[(
        "acme.toml",
        r#"
[[provider]]
id = "acme"
name = "Acme Mail"
markers = ['(?i)\bacme-mx\b']
source = "https://acme.test/postmaster"
"#,
    )]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    assert_eq!(
        who(&set, "550 5.7.1 Blocked - acme-mx"),
        Some((
            "acme".into(),
            SignalKind::Marker,
            SignalPlace::Text,
            "acme-mx".into()
        ))
    );
}

#[test]
fn an_address_at_a_providers_domain_is_not_that_provider_speaking() {
    let set = builtin();
    for input in [
        "550 5.1.1 <ann@gmail.com>: Recipient address rejected: User unknown in virtual mailbox table",
        "550 5.7.1 Sender <news@yahoo.com> rejected: not permitted",
        "553 5.1.3 <bob@outlook.com>... unknown user; contact postmaster@hotmail.com",
        &postfix("mx.example.org", "550 5.1.1 <ann@gmail.com>: User unknown"),
    ] {
        assert_eq!(id(set, input), None, "{input}");
    }
    // A fingerprint that names an address on purpose still sees it.
    let dir = RulesDir::new(&[(
        "acme.toml",
        r#"
[[provider]]
id = "acme"
name = "Acme Mail"
wording = ['(?i)\bwrite to abuse@acme\.test\b']
tokens = ['(?i)\bacme\.test\b']
source = "https://acme.test/postmaster"
"#,
    )]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    assert_eq!(
        id(&set, "550 5.7.1 Blocked; write to abuse@acme.test"),
        Some("acme".into())
    );
    assert_eq!(id(&set, "550 5.1.1 <ann@acme.test>: no such user"), None);
}

#[test]
fn the_recipients_mailbox_domain_names_a_provider_only_for_a_reply_about_that_mailbox() {
    let set = builtin();
    // No other signal, and a reply only the mailbox's own server gives: its provider.
    for (input, want) in [
        (
            "smtp;550 5.1.1 <ann@icloud.com>: user does not exist",
            "apple",
        ),
        ("452 4.1.1 <ann@comcast.net> mailbox over quota", "comcast"),
    ] {
        let (p, kind, place, matched) = who(set, input).expect(input);
        assert_eq!(
            (p.as_str(), kind, place),
            (want, SignalKind::Host, SignalPlace::Recipient),
            "{input}"
        );
        assert!(input.contains(&format!("@{matched}>")), "{matched}");
    }
    // A reply about something else (relaying, the sender) says nothing about who holds it.
    assert_eq!(
        id(set, "554 5.7.1 <ann@icloud.com>: Relay access denied"),
        None
    );
    // A provider that marks every reply (gsmtp, a bracketed server name) did not send an
    // unmarked one, and a known answering host is the one that replied.
    assert_eq!(id(set, "550 5.1.1 <ann@outlook.com>: User unknown"), None);
    assert_eq!(
        id(
            set,
            &postfix("mx.example.org", "550 5.1.1 <ann@icloud.com>: user unknown")
        ),
        None
    );
}

#[test]
fn precedence_when_signals_disagree() {
    let set = builtin();
    // The host that answered beats a link to another provider's pages and another's token.
    assert_eq!(
        id(
            set,
            &postfix(
                "mta7.am0.yahoodns.net",
                "554 5.7.9 Refused. See https://support.google.com/mail/answer/81126 - gsmtp"
            )
        )
        .as_deref(),
        Some("yahoo")
    );
    // A host nobody owns yields to the words.
    assert_eq!(
        id(
            set,
            &postfix("mx.example.org", "550 5.7.1 [TSS04] deferred")
        )
        .as_deref(),
        Some("yahoo")
    );
    // The server that names itself in the words beats a token and a link of others.
    assert_eq!(
        who(
            set,
            "550 5.7.1 Refused [TSS04], see https://support.google.com/mail/ \
             [BN8NAM12FT059.eop-nam12.prod.protection.outlook.com]"
        )
        .map(|w| (w.0, w.1)),
        Some(("microsoft".into(), SignalKind::Host))
    );
    // A token beats wording, wording beats a link.
    assert_eq!(
        id(
            set,
            "550 5.7.26 Gmail requires all senders to authenticate [TSS04]"
        )
        .as_deref(),
        Some("yahoo")
    );
    assert_eq!(
        id(
            set,
            "550 5.7.26 Gmail requires all senders to authenticate; see https://help.yahoo.com/kb"
        )
        .as_deref(),
        Some("gmail")
    );
    // Within one kind the provider listed first wins (gmail before yahoo in providers.toml).
    assert_eq!(
        id(set, "421 4.7.0 [TSS04] deferred - gsmtp").as_deref(),
        Some("gmail")
    );
    // The Reporting-MTA wrote the bounce, not necessarily the reply: the reply's own token
    // wins, and without one the reporting host names the provider.
    let bounce = dsn(
        "BAY004-MC1F22.hotmail.com",
        None,
        "421 4.7.0 [TSS04] Messages temporarily deferred",
    );
    assert_eq!(id(set, &bounce).as_deref(), Some("yahoo"));
    // Named in the DSN, the answering host is the one whose reply it is.
    let bounce = dsn(
        "BAY004-MC1F22.hotmail.com",
        Some("mx.example.org"),
        "550 5.5.0 Requested action not taken: mailbox unavailable",
    );
    assert_eq!(id(set, &bounce), None);
    // A provider that relays its customer's mail and reports another server's refusal is not
    // the one that refused it: the Reporting-MTA speaks only for its own recipients.
    for reporting in ["mx.zoho.com", "forward.yandex.ru", "mout.gmx.net"] {
        let bounce = dsn(reporting, None, "550 5.7.1 Message refused");
        assert_eq!(id(set, &bounce), None, "{reporting}");
    }
    let bounce = dsn_to(
        "mx.zoho.com",
        "bob@zoho.com",
        None,
        "550 5.1.1 Mailbox not found",
    );
    assert_eq!(id(set, &bounce).as_deref(), Some("zoho"));
}

const GATEWAY: &str = r#"
[[provider]]
id = "gw"
name = "Gate Filter"
hosts = ['(?i)(^|\.)gw-filter\.test$']
gateway = true
source = "https://gw-filter.test/codes"
"#;

#[test]
fn a_gateway_that_relays_a_providers_reply_yields_to_the_provider_that_wrote_it() {
    let dir = RulesDir::new(&[("gw.toml", GATEWAY)]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    let host = "mx1.gw-filter.test";
    // The gateway's own reply.
    assert_eq!(
        id(&set, &postfix(host, "550 5.7.1 Message refused by policy")).as_deref(),
        Some("gw")
    );
    // Microsoft's reply passed on: its server name in the words wins; Gmail's token wins.
    assert_eq!(
        id(
            &set,
            &postfix(
                host,
                "550 5.4.1 Recipient address rejected: Access denied. \
                 [DB5EUR03FT028.eop-EUR03.prod.protection.outlook.com]"
            )
        )
        .as_deref(),
        Some("microsoft")
    );
    assert_eq!(
        id(&set, &postfix(host, "550 5.1.1 No such user - gsmtp")).as_deref(),
        Some("gmail")
    );
    // A link alone does not take the reply from the gateway that answered.
    assert_eq!(
        id(
            &set,
            &postfix(
                host,
                "550 5.7.1 Refused, see https://support.google.com/mail/"
            )
        )
        .as_deref(),
        Some("gw")
    );
    // Without the gateway flag the answering host wins over every word.
    let plain = GATEWAY.replace("gateway = true\n", "");
    let dir = RulesDir::new(&[("gw.toml", &plain)]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    assert_eq!(
        id(&set, &postfix(host, "550 5.1.1 No such user - gsmtp")).as_deref(),
        Some("gw")
    );
}

#[test]
fn the_signal_is_in_the_json_and_in_the_human_output() {
    let set = builtin();
    let text = postfix(
        "gmail-smtp-in.l.google.com",
        "550-5.1.1 The email account that you tried to reach does not exist.",
    );
    let x = extract(text.as_bytes()).unwrap();
    let items: Vec<_> = x
        .replies
        .into_iter()
        .map(|r| {
            let d = set.decode(&r);
            (r, d)
        })
        .collect();
    let view = Report::Explain(ExplainReport {
        form: InputForm::PostfixLog,
        kind: None,
        replies: &items,
    });
    let mut out = Vec::new();
    render(&mut out, Format::Json, &view).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/explain-v1.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        value["replies"][0]["provider"],
        serde_json::json!({
            "id": "gmail",
            "name": "Gmail / Google Workspace",
            "signal": {"kind": "host", "matched": "gmail-smtp-in.l.google.com", "where": "remote-mta"}
        })
    );
    colored::control::set_override(false);
    let mut out = Vec::new();
    render(&mut out, Format::Human, &view).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(
            "provider     Gmail / Google Workspace (by answering host gmail-smtp-in.l.google.com)"
        ),
        "{text}"
    );
}

#[test]
fn fingerprint_kinds_are_checked_when_loading() {
    let bad = RulesDir::new(&[(
        "p.toml",
        r#"
[[provider]]
id = "bad-links"
name = "Bad"
links = ["https://example.test/help", "Example.test", "ok.example.test/path"]
source = "https://example.test"

[[provider]]
id = "no-fingerprint"
name = "None"
gateway = true
source = "https://example.test"

[[provider]]
id = "bad-token"
name = "Bad token"
tokens = ['(unclosed']
source = "https://example.test"
"#,
    )]);
    let errors = mailtriage::rules::lint(&bad.path());
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let joined = text.join("\n");
    assert!(
        joined.contains("link `https://example.test/help`"),
        "{joined}"
    );
    assert!(joined.contains("link `Example.test`"), "{joined}");
    assert!(!joined.contains("ok.example.test"), "{joined}");
    assert!(
        joined.contains("provider `no-fingerprint` has no"),
        "{joined}"
    );
    assert!(joined.contains("token regex `(unclosed`"), "{joined}");
    assert!(
        text.iter().all(|l| l.contains("p.toml:")),
        "every error names its file and line: {joined}"
    );
}

#[test]
fn providers_known_by_their_mx_hosts_are_recognised_where_those_hosts_answer() {
    let set = builtin();
    for (host, provider) in [
        ("mx2.emailsrvr.com", "rackspace"),
        ("smtp.secureserver.net", "godaddy"),
        ("mail.protonmail.ch", "protonmail"),
        ("mxb.mailgun.org", "mailgun"),
        ("mxw.mxhichina.com", "aliyun"),
        ("mx.lb.btinternet.com", "bt"),
        ("mx01.ionos.de", "ionos"),
        ("eagle.mxlogin.com", "mxroute"),
        ("kr1-aspmx1.worksmobile.com", "naver"),
        ("smtp1.privaterelay.appleid.com", "apple"),
        ("inbound-smtp.us-east-1.amazonaws.com", "amazon-ses"),
    ] {
        let input = postfix(host, "550 5.1.1 Recipient not found");
        assert_eq!(id(set, &input).as_deref(), Some(provider), "{host}");
    }
    // A look-alike under another domain is nobody's.
    assert_eq!(
        id(set, &postfix("emailsrvr.com.example.org", "550 5.1.1 no")),
        None
    );
}

#[test]
fn replies_pasted_without_trailer_or_link_keep_their_providers_own_marks() {
    let set = builtin();
    for (input, provider) in [
        // Outlook.com's bare bracketed service name.
        (
            "452 4.3.1 Insufficient system resources (TSTE) [outlook.com]",
            "microsoft",
        ),
        // Yahoo's trailing server name and its `delivery error: dd` opening, no link.
        (
            "554 delivery error: dd Not a valid recipient - atlas315.free.mail.ne1.yahoo.com",
            "yahoo",
        ),
        ("421 4.7.0 [TS01] Messages deferred - 4.16.55.1", "yahoo"),
        // Gmail's sentences cut short by a first-line paste.
        (
            "550-5.7.1 [192.0.2.1       1] Our system has detected an unusual rate of",
            "gmail",
        ),
        (
            "421-4.7.0 This message does not pass authentication checks (SPF and DKIM both do",
            "gmail",
        ),
        (
            "552-5.2.3 Your message exceeded Google's message size limits",
            "gmail",
        ),
    ] {
        assert_eq!(id(set, input).as_deref(), Some(provider), "{input}");
    }
    // Another receiver quoting a bare domain in brackets is not Microsoft.
    assert_eq!(id(set, "550 5.7.1 Blocked [example.com]"), None);
}

/// Gateways and ISPs recognised by what only they write, in replies written for this test
/// (none is from the validation set): Trend Micro's products' own refusal and its hosted MX
/// named in the words, Symantec's spelled-out SPF refusal, AT&T's reverse-DNS sentence and
/// server tag, MailChannels' policy codes and Domain Lockdown wording.
#[test]
fn gateways_and_isps_are_recognised_by_their_own_words_tags_and_hosts() {
    let set = builtin();
    for (input, provider, rule) in [
        (
            "550 5.7.1 Your e-mail messages have been blocked by Trend Micro Email Reputation Service",
            "trend-micro",
            "dnsbl-trendmicro-rbl-plus",
        ),
        (
            "553 5.7.1 SPF (Sender Policy Framework) domain authentication failed for example.com",
            "symantec",
            "symantec-spf-domain-authentication-fail",
        ),
        (
            "550 5.7.1 Connections not accepted from servers without a valid sender domain.alph837 Fix reverse DNS for 198.51.100.7",
            "att",
            "att-reverse-dns-required",
        ),
        (
            "550 5.7.1 This sender is not authorized to send from example.net",
            "mailchannels",
            "mailchannels-domain-lockdown",
        ),
        (
            "450 [S09] Try Again Later",
            "mailchannels",
            "mailchannels-inbound-greylisted",
        ),
        (
            "550 5.7.1 [BFD] Sender prohibited by SPF",
            "mailchannels",
            "mailchannels-spf-prohibited",
        ),
    ] {
        let d = set.decode(&reply(input));
        assert_eq!(
            d.provider.map(|p| p.id).as_deref(),
            Some(provider),
            "{input}"
        );
        assert_eq!(d.rule.id, rule, "{input}");
    }
    // Trend Micro's hosted MX named in the words of a reply (a paste that lost the log line).
    assert_eq!(
        id(set, "550 5.7.1 Message rejected (in.fra.mx.trendmicro.eu)").as_deref(),
        Some("trend-micro")
    );
    // Other providers' own servers named in the words of a paste that lost the log line.
    for (input, provider) in [
        (
            "550 5.7.1 Message rejected, see cluster1.eu.mailcontrol.com",
            "forcepoint",
        ),
        (
            "550 5.7.1 Message rejected (mail.protonmail.ch)",
            "protonmail",
        ),
        (
            "550 Requested action not taken: mailbox unavailable | mx00.ionos.de",
            "ionos",
        ),
        (
            "554 5.7.1 rejected by mx1.earthlink-vadesecure.net",
            "earthlink",
        ),
    ] {
        assert_eq!(id(set, input).as_deref(), Some(provider), "{input}");
    }
    // The list's own words stay provider-less: any server subscribed to Trend's lists writes them.
    assert_eq!(
        id(
            set,
            "554 5.7.1 Client host [198.51.100.7] blocked using Trend Micro RBL+"
        ),
        None
    );
    // A short bracketed tag another receiver may use is no MailChannels signal on its own.
    assert_eq!(id(set, "550 5.7.1 [SS] Rejected"), None);
    // MailChannels relaying Gmail's refusal: Gmail wrote it.
    assert_eq!(
        id(
            set,
            &postfix(
                "relay.mailchannels.net",
                "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy - gsmtp"
            )
        )
        .as_deref(),
        Some("gmail")
    );
}

/// The recipient's own mailbox domain names its provider for a reply whose enhanced code is
/// about that mailbox (X.1.1, X.2.x), not only for the mailbox categories; never for a code
/// about something else, nor when the host that answered is known.
#[test]
fn a_code_about_the_mailbox_lets_the_recipients_domain_name_the_provider() {
    let set = builtin();
    let d = set.decode(&reply(
        "452 4.2.1 <bob@comcast.net> mailbox receiving mail too fast, try again later",
    ));
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("comcast"));
    assert_eq!(d.action.as_str(), "slow-down");
    assert_eq!(
        id(set, "550 5.7.1 <bob@comcast.net>: Relay access denied"),
        None,
        "a relay refusal is not about the mailbox"
    );
    let relayed = "May  1 10:00:00 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<bob@comcast.net>, \
         relay=filter.example.org[192.0.2.9]:25, delay=1.2, dsn=4.2.1, status=deferred (host \
         filter.example.org[192.0.2.9] said: 452 4.2.1 mailbox receiving mail too fast (in \
         reply to RCPT TO command))";
    assert_eq!(id(set, relayed), None, "another host answered");
}

/// Gmail's sentences as a first-line paste cuts them, without the `gsmtp` trailer: its own
/// wording still names it, and its rule for the code still decides.
#[test]
fn gmails_first_lines_name_gmail_and_its_rule() {
    let set = builtin();
    for (input, rule) in [
        (
            "550-5.7.26 This mail is unauthenticated, which poses a security risk to the",
            "gmail-5-7-26-unauthenticated",
        ),
        (
            "421-4.7.23 The sending IP does not match the IP address of the hostname specified",
            "gmail-4-7-23-ptr-rate-limited",
        ),
        (
            "550-5.7.1 [198.51.100.7] The IP you're using to send mail is not authorized to",
            "gmail-5-7-1-ip-not-authorized-direct",
        ),
        (
            "550-5.7.1 [198.51.100.7 12] Messages missing a valid messageId header are not",
            "gmail-5-7-1-not-rfc5322-compliant",
        ),
        (
            "552-5.7.0 This message was blocked because its content presents a potential",
            "gmail-5-7-0-blocked-attachment",
        ),
    ] {
        let d = set.decode(&reply(input));
        assert_eq!(
            d.provider.map(|p| p.id).as_deref(),
            Some("gmail"),
            "{input}"
        );
        assert_eq!(d.rule.id, rule, "{input}");
    }
    // The same DMARC sentence without "from <domain>" is MailChannels' and others' copy.
    assert_eq!(
        id(
            set,
            "550 5.7.1 Unauthenticated email is not accepted due to domain's DMARC policy"
        ),
        None
    );
}

/// Providers recognised by signals the catalogue lacked, each with the meaning its own pages
/// give: Yahoo's older deferrals carry only a reason number, T-Online's refusals its bracketed
/// reason, Tencent's its own sentence, Exchange its resolver status, AT&T its server naming.
#[test]
fn providers_are_recognised_by_their_older_and_unlinked_replies() {
    let set = builtin();
    // (text as pasted, provider, category, action)
    let cases: &[(&str, &str, &str, Action)] = &[
        // blog.itpub.net (Yahoo's postmaster page as quoted) and blog.arrentan.com.
        (
            "421 Message temporarily deferred - 4.16.51",
            "yahoo",
            "reputation",
            Action::SlowDown,
        ),
        (
            "421 Message from (x.x.x.x) temporarily deferred – 4.16.50",
            "yahoo",
            "reputation",
            Action::SlowDown,
        ),
        // spamresource.com: a paste that lost the contact address.
        (
            "554 IP=[YOUR IP ADDRESS] - A problem occurred. (Ask your postmaster for help or to contact to clarify.) (BL)",
            "t-online",
            "blocklist",
            Action::RequestDelisting,
        ),
        // help.creoline.com.
        (
            "554: Dialup/transient IP not allowed.\nUse a mailgateway or contact toda@rx.t-online.de if obsolete. (DIAL)",
            "t-online",
            "reputation",
            Action::FixInfrastructure,
        ),
        // sansan0/TrendRadar issue 373: Python's smtplib quoting smtp.qq.com.
        (
            "邮件发送失败：邮件数据错误 (550, b'The mail may contain inappropriate words or content.')",
            "qq",
            "content",
            Action::FixInfrastructure,
        ),
        // mysociety/writetothem issue 364: a council's Exchange.
        (
            "#550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized",
            "microsoft",
            "policy",
            Action::SuppressAddress,
        ),
        // dwlistore.dwli.org: Mimecast's greylisting as a list server's log shows it.
        (
            "<-- 451 Internal resource is temporarily unavailable -\nhttps://community.mimecast.com/docs/DOC-1369#451\n[Aj3QXapeMpqZYaeFwWhjzw.us32]",
            "mimecast",
            "reputation",
            Action::Retry,
        ),
    ];
    for &(text, provider, category, action) in cases {
        let d = set.decode(&reply(text));
        assert_eq!(
            d.provider.map(|p| p.id).as_deref(),
            Some(provider),
            "{text}"
        );
        assert_eq!(d.category, category, "{text}");
        assert_eq!(d.action, action, "{text}");
    }
    // AT&T's inbound servers are named <site>-ip4-mx-vip<n>: the name says whose server
    // answered, even where a paste misspells the domain after it.
    let log = "<ann@example.net>: host ff-ip4-mx-vip2.prodigy.example[192.0.2.22] said: 550 5.2.1 <ann@example.net>... Addressee unknown (in reply to RCPT TO command)";
    assert_eq!(id(set, log).as_deref(), Some("att"));
}

/// Round 5 of issue 14: provider readings that words override or that only words give.
/// Mimecast's expired relay refusal is a relay refusal (wordtothewise.com), Exchange Online's
/// 5.7.520 is forwarding only when it says so (zulip issue 26721), Zoho's 5.2.3 "MailPolicy
/// violation" is a policy refusal (PrestaShop issue 18090), and FOPE's list and Exchange
/// Online's reputation deferral name Microsoft (Haraka issue 848, sendgrid/docs issue 6275).
#[test]
fn round_five_provider_readings_follow_their_words() {
    let set = builtin();
    let d = set.decode(&reply(
        "Message expired -> Open relay not allowed – https://community.mimecast.com/docs/DOC-1369#451",
    ));
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("mimecast"));
    assert_eq!(d.category, "routing", "not an expiry");

    let d = set.decode(&reply(
        "Remote server returned '550 5.7.520 Message blocked because it contains content identified as spam. AS(4810)'",
    ));
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("microsoft"));
    assert_eq!(
        (d.category.as_str(), d.action),
        ("content", Action::FixInfrastructure)
    );
    let d = set.decode(&reply(
        "550 5.7.520 Access denied, Your organization does not allow external forwarding. AS(7555)",
    ));
    assert_eq!(d.rule.id, "microsoft-5-7-520-external-forwarding-blocked");

    let d = set.decode(&reply(&postfix(
        "mx.zoho.com",
        "554 5.2.3 MailPolicy violation Error delivering to mailboxes",
    )));
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("zoho"));
    assert_eq!(d.category, "policy", "not a size limit");

    // IONOS's Nemesis front end refuses a missing PTR as GMX's does, also in a deferred log line.
    let d = set.decode(&reply(
        "Apr 22 15:04:49 mail postfix/smtp[2228153]: DB8CABDC1DB3: to=<ann@example.org>, relay=mx01.kundenserver.de[192.0.2.67]:25, delay=34, delays=34/0.02/0.19/0, dsn=4.0.0, status=deferred (host mx01.kundenserver.de[192.0.2.67] refused to talk to me: 554-kundenserver.de (mxeue110) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR resource record. 554 For explanation visit https://www.ionos.com/help/index.php?id=2425&ip=192.0.2.25&c=rdns)",
    ));
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("ionos"));
    assert_eq!(
        (d.category.as_str(), d.checks.as_slice()),
        ("reverse-dns", &["ptr".to_string()][..])
    );

    for text in [
        "recipient <ann@example.org> rejected: 550 5.7.1 Service unavailable; Client host [192.0.2.128] blocked using FBLW15; To request removal from this list please forward this message to delist@messaging.microsoft.com",
        "451 4.7.650 The mail server [192.0.2.138] has been temporarily rate limited due to IP reputation",
    ] {
        assert_eq!(id(set, text).as_deref(), Some("microsoft"), "{text}");
    }
}

/// A headerless accounting row names the answering host in the cell after the reply
/// (PowerMTA's dsnDiag,dsnMta: magicdude4eva/port25-bouncehandler issue 8): that host names
/// the provider.
#[test]
fn an_accounting_rows_host_cell_names_the_provider() {
    let row = "b,2024-01-02 10:00:00-0300,2024-01-02 10:00:00-0300,news@example.org,ann@example.net,,failed,5.7.1 (delivery not authorized),smtp;554 5.2.3 MailPolicy violation Error delivering to mailboxes,mx.zoho.com (204.141.32.121),policy-related,smtp";
    let r = reply(row);
    assert_eq!(r.remote_mta.as_deref(), Some("mx.zoho.com"));
    let d = builtin().decode(&r);
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("zoho"));
    assert_eq!(d.category, "policy");
}
