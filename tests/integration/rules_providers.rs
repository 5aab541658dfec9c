//! Provider recognition from every signal a reply carries (answering host, the server name in
//! the words, links, tokens, wording), the precedence when they disagree, and the signal shown
//! in the output. Every reply goes through the real extractor, as `explain` reads it.
#![allow(clippy::unwrap_used)]

use crate::rules_support::{RulesDir, explain_json, explain_output, reply};
use mailtriage::reply::InputForm;
use mailtriage::report::Format;
use mailtriage::rules::{ProviderSignal, RuleSet, SignalKind, SignalPlace};

pub(crate) fn builtin() -> &'static RuleSet {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

/// The first reply `explain` reads from `text`, decoded by the built-in rules; panics when
/// explain refuses it.
pub(crate) fn explain_first(text: &str) -> mailtriage::rules::Decoded {
    let set = builtin();
    let ex = set
        .extract(text.as_bytes())
        .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    set.decode(&ex.replies[0])
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

pub(crate) fn id(set: &RuleSet, input: &str) -> Option<String> {
    who(set, input).map(|w| w.0)
}

pub(crate) fn postfix(host: &str, said: &str) -> String {
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
    let value = explain_json(set, &text, InputForm::PostfixLog);
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
    let text = explain_output(set, &text, InputForm::PostfixLog, Format::Human);
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
