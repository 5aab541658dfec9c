//! Decoding replies: precedence (provider > registry > basic), handling decisions, overrides.
#![allow(clippy::unwrap_used)]

use crate::rules_support::{RulesDir, reply, unknown_reply};
use mailtriage::rules::{Action, BounceType, RuleSet};

fn builtin() -> &'static RuleSet {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

#[test]
fn handling_decisions_follow_the_policy() {
    let set = builtin();
    let cases: &[(&str, Action, BounceType)] = &[
        ("250 Ok: queued as 12345", Action::None, BounceType::None),
        ("252 Cannot VRFY user", Action::None, BounceType::None),
        (
            "450 4.2.1 Mailbox busy, try later",
            Action::Retry,
            BounceType::Soft,
        ),
        (
            "421 Too many connections from your host",
            Action::SlowDown,
            BounceType::Soft,
        ),
        (
            "451 4.7.28 Mail flood detected",
            Action::SlowDown,
            BounceType::Soft,
        ),
        (
            "550 5.1.1 User unknown",
            Action::SuppressAddress,
            BounceType::Hard,
        ),
        (
            "550 No such user here",
            Action::SuppressAddress,
            BounceType::Hard,
        ),
        (
            "503 5.5.1 Error: need MAIL command",
            Action::FixSenderConfig,
            BounceType::Technical,
        ),
        (
            "501 Syntax error in parameters",
            Action::FixSenderConfig,
            BounceType::Technical,
        ),
        (
            "555 5.5.4 Unsupported option: SMTPUTF8",
            Action::FixSenderConfig,
            BounceType::Technical,
        ),
        (
            "550 5.7.23 SPF validation failed",
            Action::FixAuthentication,
            BounceType::Technical,
        ),
        (
            "550 5.7.25 No PTR record for 192.0.2.1",
            Action::FixAuthentication,
            BounceType::Technical,
        ),
        (
            "550 5.7.1 Message rejected as spam",
            Action::FixInfrastructure,
            BounceType::Technical,
        ),
        (
            "552 5.2.2 Mailbox full",
            Action::RetryThenSuppress,
            BounceType::Soft,
        ),
        (
            "552 Requested mail action aborted",
            Action::RetryThenSuppress,
            BounceType::Soft,
        ),
        (
            "556 5.1.10 Recipient address has null MX",
            Action::SuppressDomain,
            BounceType::Hard,
        ),
        (
            "550 5.1.10 Recipient address has null MX",
            Action::SuppressDomain,
            BounceType::Hard,
        ),
        (
            "556 Domain does not accept mail",
            Action::SuppressDomain,
            BounceType::Hard,
        ),
        (
            "535 5.7.8 Authentication credentials invalid",
            Action::FixSenderConfig,
            BounceType::Technical,
        ),
    ];
    for (line, action, bounce) in cases {
        let d = set.decode(&reply(line));
        assert_eq!(
            (d.action, d.bounce_type),
            (*action, *bounce),
            "{line}: {d:?}"
        );
        assert!(!d.action_note.is_empty(), "{line}");
    }
}

#[test]
fn enhanced_code_beats_basic_code_and_fills_both_meanings() {
    let d = builtin().decode(&reply("550 5.7.26 Multiple authentication checks failed"));
    assert_eq!(d.rule.id, "enhanced-x-7-26");
    assert_eq!(d.rule.source, "RFC 7372 section 3.4");
    let basic = d.basic.unwrap();
    assert_eq!(basic.class, "permanent negative completion");
    assert_eq!(basic.category, "mail system");
    assert!(basic.meaning.unwrap().contains("mailbox unavailable"));
    let enhanced = d.enhanced.unwrap();
    assert_eq!(enhanced.class, "permanent failure");
    assert_eq!(enhanced.subject, "security or policy status");
    assert_eq!(
        enhanced.detail.as_deref(),
        Some("multiple authentication checks failed")
    );
    assert_eq!(d.checks, ["spf", "dkim", "dmarc"]);
    assert!(d.recognised);
}

#[test]
fn unregistered_detail_falls_back_to_the_subject() {
    let d = builtin().decode(&reply("550 5.7.99 Rejected by local rule"));
    assert_eq!(d.rule.id, "enhanced-x-7-0");
    let e = d.enhanced.unwrap();
    assert_eq!(e.detail, None);
    assert_eq!(e.rule, None);
    assert_eq!(d.action, Action::FixInfrastructure);
}

#[test]
fn unknown_codes_are_not_recognised_but_keep_their_class() {
    let d = builtin().decode(&unknown_reply());
    assert!(!d.recognised);
    assert_eq!(d.rule.id, "class-5");
    assert_eq!(d.basic.unwrap().meaning, None);
    assert_eq!(d.action, Action::SuppressAddress);
    let d = builtin().decode(&mailtriage::reply::Reply::default());
    assert!(!d.recognised);
    assert_eq!(d.action, Action::None);
}

const ACME: &str = r#"
[[provider]]
id = "acme"
name = "Acme Mail"
markers = ['(?i)\bacme-mx\b']
hosts = ['(?i)(^|\.)acme\.test$']
source = "https://acme.test/postmaster"

[[provider_rule]]
id = "acme-policy"
provider = "acme"
enhanced = ["X.7.1"]
meaning = "Acme blocks this sender for policy."
category = "policy"
source = "https://acme.test/postmaster/codes"
examples = ["550 5.7.1 Blocked - acme-mx"]

[[provider_rule]]
id = "acme-policy-listed"
provider = "acme"
enhanced = ["5.7.1"]
pattern = '(?i)listed'
meaning = "Acme lists the sending IP on its own blocklist."
category = "blocklist"
checks = ["blocklist"]
bounce_type = "technical"
source = "https://acme.test/postmaster/codes"
examples = ["550 5.7.1 Your IP is listed - acme-mx"]

[[phrase]]
id = "anywhere-dnsbl"
pattern = '(?i)zorkblock\.invalid'
meaning = "Refused by the zorkblock service."
category = "blocklist"
action = "request-delisting"
source = "https://zorkblock.invalid/"
examples = ["554 Rejected: see zorkblock.invalid"]
"#;

#[test]
fn provider_rules_win_and_more_conditions_win_among_them() {
    let dir = RulesDir::new(&[("acme.toml", ACME)]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();

    let d = set.decode(&reply("550 5.7.1 Blocked - acme-mx"));
    assert_eq!(d.rule.id, "acme-policy");
    assert_eq!(d.provider.as_ref().unwrap().id, "acme");
    assert_eq!(
        d.provider_meaning.as_deref(),
        Some("Acme blocks this sender for policy.")
    );
    assert!(
        d.enhanced.unwrap().detail.is_some(),
        "registry meaning is still given"
    );

    let d = set.decode(&reply("550 5.7.1 Your IP is listed - acme-mx"));
    assert_eq!(d.rule.id, "acme-policy-listed");
    assert_eq!(
        d.action,
        Action::RequestDelisting,
        "handling by the provider rule's category"
    );

    let d = set.decode(&reply("554 Rejected: see zorkblock.invalid"));
    assert_eq!(d.rule.id, "anywhere-dnsbl");
    assert!(d.provider.is_none());

    // A phrase speaks only where the codes say nothing specific: a generic X.7.1 gives way to
    // it, a specific 5.1.1 does not.
    let d = set.decode(&reply("550 5.7.1 Rejected: see zorkblock.invalid"));
    assert_eq!(d.rule.id, "anywhere-dnsbl");
    let d = set.decode(&reply("550 5.1.1 Unknown user; see zorkblock.invalid"));
    assert_eq!(d.rule.id, "enhanced-x-1-1");

    // Without the marker, the provider's rules do not apply.
    let d = set.decode(&reply("550 5.7.1 Blocked"));
    assert_eq!(d.rule.id, "enhanced-x-7-1");
    assert!(d.provider.is_none());
}

#[test]
fn provider_is_detected_from_the_remote_host() {
    let dir = RulesDir::new(&[("acme.toml", ACME)]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    let mut r = reply("550 5.7.1 Blocked");
    r.remote_mta = Some("mx1.acme.test.".into());
    let d = set.decode(&r);
    assert_eq!(d.provider.unwrap().name, "Acme Mail");
    assert_eq!(d.rule.id, "acme-policy");
}

#[test]
fn without_a_remote_mta_the_reporting_mta_names_the_provider_of_its_own_recipients() {
    let set = builtin();
    let mut r = reply("550 5.5.0 Requested action not taken: mailbox unavailable");
    // RFC 5321's bare words for 550 under X.5.0: about the mailbox, whoever said it.
    assert_eq!(set.decode(&r).rule.id, "phrase-mailbox-unavailable-bare");
    r.reporting_mta = Some("BAY004-MC1F22.hotmail.com".into());
    // Reporting for a recipient elsewhere, it relayed the sender's mail: not its refusal.
    r.recipient = Some("ann@example.org".into());
    assert_eq!(set.decode(&r).rule.id, "phrase-mailbox-unavailable-bare");
    assert!(set.decode(&r).provider.is_none());
    r.recipient = Some("ann@hotmail.com".into());
    let d = set.decode(&r);
    assert_eq!(d.provider.unwrap().id, "microsoft");
    assert_eq!(d.rule.id, "microsoft-5-5-0-consumer-mailbox-unavailable");
    assert_eq!(d.action, Action::SuppressAddress);
    // A remote MTA, when named, is the one whose reply it is.
    r.remote_mta = Some("mx.example.org".into());
    assert_eq!(set.decode(&r).rule.id, "phrase-mailbox-unavailable-bare");
}

#[test]
fn a_phrase_that_names_its_code_reads_a_specific_code() {
    let set = builtin();
    // X.7.13 is the AUTH code for a disabled account: alone it points at our credentials...
    let d = set.decode(&reply("535 5.7.13 User account disabled"));
    assert_eq!(d.rule.id, "enhanced-x-7-13");
    assert_eq!(d.action, Action::FixSenderConfig);
    // ...but given at RCPT about the recipient, the recipient's mailbox is disabled.
    let d = set.decode(&reply(
        "550 5.7.13 <ann@example.org>: Recipient address rejected: User account disabled",
    ));
    assert_eq!(d.rule.id, "phrase-recipient-account-disabled");
    assert_eq!(d.category, "mailbox");
    assert_eq!(d.action, Action::SuppressAddress);
    // A Spamhaus reference outweighs a specific address-syntax code.
    let d = set.decode(&reply(
        "553 5.1.3 http://www.spamhaus.org/query/bl?ip=192.0.2.25",
    ));
    assert_eq!(d.rule.id, "generic-spamhaus-listed");
    // A phrase without codes still gives way to a specific code.
    let d = set.decode(&reply("550 5.1.1 Unknown user; mailbox full"));
    assert_eq!(d.rule.id, "enhanced-x-1-1");
}

#[test]
fn a_rules_dir_overrides_a_builtin_rule_by_id() {
    let dir = RulesDir::new(&[(
        "local.toml",
        r#"
[[basic]]
id = "basic-550"
code = 550
title = "rejected"
meaning = "Our relay uses 550 only for policy rejections."
category = "policy"
examples = ["550 Rejected"]
source = "https://wiki.example.internal/relay"
"#,
    )]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    let d = set.decode(&reply("550 Rejected"));
    assert_eq!(d.rule.id, "basic-550");
    assert_eq!(d.category, "policy");
    assert_eq!(d.action, Action::FixInfrastructure);
    assert_eq!(set.basics.iter().filter(|l| l.rule.code == 550).count(), 1);
}

#[test]
fn show_gives_every_section_for_a_code() {
    let set = builtin();
    let doc = set.show("enhanced-x-7-26").unwrap();
    assert_eq!(doc.title, "X.7.26 multiple authentication checks failed");
    assert!(doc.why.contains("spf, dkim, dmarc"), "{}", doc.why);
    assert!(
        doc.what_to_do.contains("5.7.26: fix-authentication"),
        "{}",
        doc.what_to_do
    );
    assert!(
        doc.what_to_do.contains("4.7.26: fix-authentication"),
        "{}",
        doc.what_to_do
    );
    assert_eq!(doc.references, ["RFC 7372 section 3.4"]);
    assert!(doc.location.starts_with("rules/enhanced-security.toml:"));
    let doc = set.show("basic-503").unwrap();
    assert!(
        doc.what_to_do.starts_with("503: fix-sender-config"),
        "{}",
        doc.what_to_do
    );
    assert!(set.show("no-such-rule").is_none());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

    #[test]
    fn decode_never_panics(basic in proptest::option::of(0u16..1000), enhanced in proptest::option::of("[0-9X]{1,3}\\.[0-9]{1,5}\\.[0-9]{1,5}|.{0,12}"), text in ".{0,200}", host in proptest::option::of("[a-z.]{0,30}")) {
        let set = builtin();
        let r = mailtriage::reply::Reply { basic, enhanced, text, remote_mta: host, ..Default::default() };
        let d = set.decode(&r);
        proptest::prop_assert!(!d.rule.id.is_empty());
    }

}

proptest::proptest! {
    // Each loading case parses every built-in file again (~80 ms in a debug build).
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    #[test]
    fn loading_arbitrary_text_never_panics(text in "(\\[\\[[a-z_]{1,14}\\]\\]\n|[a-z_]{1,8} = (\"[^\"\n]{0,10}\"|[0-9]{1,6}|\\[[0-9, ]{0,8}\\])\n|.{0,20}\n){0,12}") {
        let (_, errors) = RuleSet::from_sources(&[("fuzz.toml".to_string(), text)]);
        for e in errors {
            proptest::prop_assert!(e.line >= 1);
        }
    }
}

/// An application that quotes only the enhanced code (.NET's SmtpException: "Mailbox
/// unavailable. The server response was: 5.7.606 ...") keeps the class that code gives, so a
/// provider rule written with the basic code of that class still reads it; a code of another
/// class does not.
#[test]
fn a_reply_quoted_without_its_basic_code_still_reaches_rules_of_its_class() {
    let set = builtin();
    let d = set.decode(&reply(
        "Mailbox unavailable. The server response was: 5.7.606 Access denied, banned sending IP [198.51.100.7]. To request removal from this list please visit https://sender.office.com/ and follow the directions.",
    ));
    assert_eq!(d.rule.id, "microsoft-5-7-606-649-banned-sending-ip");
    assert_eq!(d.action.as_str(), "request-delisting");
    let d = set.decode(&reply(
        "Mailbox unavailable. The server response was: 5.7.1 Client does not have permissions to send as bob@example.com",
    ));
    assert_eq!(d.category, "sender-configuration");
    assert_eq!(d.action.as_str(), "fix-sender-config");
    // A 4.x.x code is not a 550's rule.
    let d = set.decode(&reply(
        "The server response was: 4.7.606 Access denied, banned sending IP [198.51.100.7] (sender.office.com)",
    ));
    assert_ne!(d.rule.id, "microsoft-5-7-606-649-banned-sending-ip");
}

/// A refusal pasted without any reply code (a list server's summary line, a gateway's refusal
/// copied from a log, a filter's log line): the words decide, the codes a rule names do not
/// keep it from reading them, and the action follows the words' own class.
#[test]
fn a_refusal_pasted_without_any_code_is_read_from_its_words() {
    let set = builtin();
    // (text as pasted, provider, category, action); each from a page none of the rules or the
    // validation set was written from.
    let cases: &[(&str, Option<&str>, &str, Action)] = &[
        // sympa-community/sympa issue 447: Postfix's summary line of a rspamd rejection.
        (
            "<camille.ct@gmail.com>: Spam message rejected",
            None,
            "content",
            Action::FixInfrastructure,
        ),
        // wordtothewise.com/2018/07/who-are-mimecast: Mimecast refusals as bounce logs show them.
        (
            "Envelope blocked – User Entry – https://community.mimecast.com/docs/DOC-1369#550",
            Some("mimecast"),
            "policy",
            Action::SuppressAddress,
        ),
        (
            "Rejected by header based Blocked Senders: address@example.com – https://community.mimecast.com/docs/DOC-1369#",
            Some("mimecast"),
            "policy",
            Action::SuppressAddress,
        ),
        (
            "Email rejected due to security policies – https://community.mimecast.com/docs/DOC-1369#",
            Some("mimecast"),
            "content",
            Action::FixInfrastructure,
        ),
        // pinzweb.at: a hosting provider's over-quota bounce text.
        (
            "User's Disk Quota Exceeded.\nSorry, your message cannot be delivered as the recipient has exceeded their disk space limit for email.",
            None,
            "mailbox-full",
            Action::RetryThenSuppress,
        ),
        // rspamd/rspamd issue 101: a soft reject is a deferral, read as one.
        (
            "2014-09-22 13:31:15 #21452(normal) ratelimit.lua:73: [test@test.org:test@test.org:1.1.1.1]:soft reject - Ratelimit exceeded",
            None,
            "rate-limit",
            Action::SlowDown,
        ),
    ];
    for &(text, provider, category, action) in cases {
        let r = reply(text);
        assert_eq!((r.basic, r.enhanced.as_deref()), (None, None), "{text}");
        let d = set.decode(&r);
        assert_eq!(d.provider.map(|p| p.id).as_deref(), provider, "{text}");
        assert_eq!(d.category, category, "{text}");
        assert_eq!(d.action, action, "{text}");
        // Nothing says whether the receiver gave up for good.
        assert_eq!(r.finality, None, "{text}");
    }
}

#[test]
fn prose_without_a_code_or_a_refusal_is_still_no_reply() {
    for text in [
        "hello there",
        "Please find the report attached.",
        // Refusal words, but a long text without a code is not one pasted reply.
        "We were rejected.\nline two\nline three\nline four",
    ] {
        assert!(
            matches!(
                mailtriage::reply::extract(text.as_bytes()),
                Err(mailtriage::reply::InputError::NoReply)
            ),
            "{text}"
        );
    }
}

/// Replies pasted without their code keep the classes a phrase's codes name: a list's name in
/// a code-less refusal is that list's refusal (issue 14 round 5, class b). Texts from
/// wordtothewise.com (Mimecast's rejections) and thunderbird/mailstrom issue 197.
#[test]
fn a_codeless_refusal_naming_a_list_is_read_by_that_lists_phrase() {
    let set = builtin();
    for text in [
        "spamcop.mimecast.org Blocked – see http://www.spamcop.net/bl.shtml?192.0.2.10. – https://community.mimecast.com/docs/DOC-1369#550",
        "Recipient address rejected: Mail from <192.0.2.11> was refused due to the sender IP found in ERS-RBL. For details, query the IP reputation on https://servicecentral.trendmicro.com/en-US/ers/.",
    ] {
        let r = reply(text);
        assert_eq!((r.basic, r.enhanced.as_deref()), (None, None), "{text}");
        let d = set.decode(&r);
        assert_eq!(d.category, "blocklist", "{text}");
        assert_eq!(d.action, Action::RequestDelisting, "{text}");
        assert!(d.checks.iter().any(|c| c == "blocklist"), "{text}");
    }
    // Trend's Dynamic User List is dynamic address space, not a spam listing: Trend's own
    // product names it, and its rule sends the mail through a proper server.
    let d = set.decode(&reply("Recipient address rejected: Mail from <192.0.2.11> was refused due to the sender IP found in ERS-DUL. For details, query the IP reputation on https://servicecentral.trendmicro.com/en-US/ers/."));
    assert_eq!(
        (d.category.as_str(), d.action),
        ("reputation", Action::FixInfrastructure)
    );
    assert_eq!(d.provider.map(|p| p.id).as_deref(), Some("trend-micro"));
    // A delivery report (class 2) naming a list is no refusal by that list's phrase.
    let relayed = mailtriage::reply::Reply {
        text: "relayed to spamcop-filter.example.net".into(),
        dsn_action: Some("relayed".into()),
        ..Default::default()
    };
    assert_ne!(set.decode(&relayed).rule.id, "generic-spamcop-listed");
}

/// A bare 550 (no enhanced code) is decided by its words: content refusals, unknown users in
/// the wordings Chinese and hosting servers use, relaying, SPF and SMTP-client refusals
/// (dbmailserver.com, writetothem issue 364, aiuto.libero.it, 3essentials, open-falcon issue 6).
#[test]
fn a_bare_550_is_decided_by_its_words() {
    let set = builtin();
    let cases: &[(&str, &str, Action)] = &[
        (
            "Error: 550 Mail Content denied.",
            "content",
            Action::FixInfrastructure,
        ),
        (
            "> host mx.example.gov [192.0.2.85]:\n> 550 Header value not allowed",
            "content",
            Action::FixSenderConfig,
        ),
        (
            "550 abcd:user not exist",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "550 Local User [ann@example.com] not found.",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "551 5.1.1 recipient is not exist",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "RELAYING NOT ALLOWED (550 Relay Disabled)",
            "routing",
            Action::FixSenderConfig,
        ),
        (
            "Delivery Failure : 550: Remote host said Sender Authorization check failed",
            "authentication-spf",
            Action::FixAuthentication,
        ),
        (
            "SMTPAuthenticationError(550, 'User has no permission'))",
            "smtp-auth",
            Action::FixSenderConfig,
        ),
    ];
    for &(text, category, action) in cases {
        let d = set.decode(&reply(text));
        assert_eq!(d.category, category, "{text}");
        assert_eq!(d.action, action, "{text}");
    }
    let d = set.decode(&reply(
        "Delivery Failure : 550: Remote host said Sender Authorization check failed",
    ));
    assert_eq!(d.checks, ["spf"]);
}

/// The sender's own allowance and account are not the recipient's mailbox: a used-up sending
/// quota slows down, a sending account barred by its provider is fixed by its owner
/// (emailhost.com.cn's bounce list, mailout.ru quoting Mail.ru).
#[test]
fn the_senders_own_quota_and_account_are_not_the_recipients_mailbox() {
    let set = builtin();
    let d = set.decode(&reply("[退信] 发信数超限制:sending quota exceeded"));
    assert_eq!(
        (d.category.as_str(), d.action),
        ("rate-limit", Action::SlowDown)
    );
    let d = set.decode(&reply(
        "550 5.7.1 Daily sending quota exceeded for this account",
    ));
    assert_eq!(
        (d.category.as_str(), d.action),
        ("rate-limit", Action::SlowDown)
    );
    let d = set.decode(&reply("550 message sending for this account is disabled"));
    assert_eq!(d.category, "sender-address");
    assert_eq!(
        d.action,
        Action::FixSenderConfig,
        "never suppress the recipient"
    );
    // The recipient's full mailbox keeps its reading.
    let d = set.decode(&reply("552 5.2.2 Mailbox quota exceeded"));
    assert_eq!(d.category, "mailbox-full");
}

/// Generic security codes carrying a recipient's or an auth refusal: X.4.1 "Recipient address
/// rejected: Access denied" is Exchange Online's unknown recipient (edge blocking), a recipient
/// that "doesn't want your mail" blocked the sender, and X.7.0 "User not authenticated" is the
/// client's login (emailacademy.fr, poczta.interia.pl, elkarbackup issue 702).
#[test]
fn generic_codes_follow_words_about_the_recipient_or_the_login() {
    let set = builtin();
    let cases: &[(&str, &str, Action)] = &[
        (
            "<ann@example.org>: host mx.example.org[192.0.2.9] said: 550 5.4.1 <ann@example.org>: Recipient address rejected: Access denied (in reply to RCPT TO command)",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "550 5.7.1 Recipient doesn't want your mail",
            "policy",
            Action::SuppressAddress,
        ),
        (
            "Expected response code 250 but got code \"530\", with message \"530 5.7.0 User not authenticated\n\"",
            "smtp-auth",
            Action::FixSenderConfig,
        ),
        (
            "550 5.7.0 ann@example.org... address invalid",
            "recipient-address",
            Action::SuppressAddress,
        ),
    ];
    for &(text, category, action) in cases {
        let d = set.decode(&reply(text));
        assert_eq!(d.category, category, "{text}");
        assert_eq!(d.action, action, "{text}");
    }
    // 5.4.1 that says nothing of the recipient stays a network failure.
    let d = set.decode(&reply("451 4.4.1 No answer from host"));
    assert_eq!(d.category, "network");
}

/// A full mailbox and an unknown recipient in the languages receivers write them, under a bare
/// 550 that says nothing by itself (Exchange's German notice, Interia's Polish help, the
/// Chinese hosting servers' `[退信]` reasons of emailhost.com.cn).
#[test]
fn mailbox_full_and_unknown_recipient_in_other_languages() {
    let set = builtin();
    for text in [
        "550 Das Postfach des Empfängers ist voll und kann zurzeit keine Nachrichten annehmen.",
        "550 Skrzynka odbiorcy jest pełna",
        "550 [退信] 收件容量满",
    ] {
        let d = set.decode(&reply(text));
        assert_eq!(d.category, "mailbox-full", "{text}");
        assert_eq!(d.action, Action::RetryThenSuppress, "{text}");
    }
    let d = set.decode(&reply("550 [退信] 收件人不存在"));
    assert_eq!(
        (d.category.as_str(), d.action),
        ("recipient-address", Action::SuppressAddress)
    );
}

/// Code-less refusals in the other forms and languages users paste them (issue 14, the class
/// "refused with exit 2 before decoding"): an over-quota line, Exchange's German mailbox-full
/// text, a Chinese host's bounce line, an Italian daily-limit error, Exim's routing defer. Texts
/// from aiuto pages of aruba.it and netfabric.freshdesk.com, corona-warn-app issue 47 of
/// cwa-quicktest-onboarding, emailhost.com.cn and hestiacp issue 3381.
#[test]
fn codeless_refusals_in_other_languages_and_forms_are_decoded() {
    let set = builtin();
    let cases: &[(&str, &str)] = &[
        ("user is over quota", "mailbox-full"),
        (
            "Das Postfach des Empfängers ist voll und kann zurzeit keine Nachrichten annehmen.",
            "mailbox-full",
        ),
        ("[退信] 收件人不存在:user not exist", "recipient-address"),
        ("Errore: MAX RCPT TO DAILY LIMIT", "rate-limit"),
        (
            "2023-03-24 10:02:24 1pfdJV-004eVE-9X == a@example.dev R=dnslookup T=remote_smtp defer (113): No route to host H=mail.example.dev [192.0.2.93]: ",
            "network",
        ),
    ];
    for &(text, category) in cases {
        let r = reply(text);
        assert_eq!((r.basic, r.enhanced.as_deref()), (None, None), "{text}");
        assert_eq!(set.decode(&r).category, category, "{text}");
    }
}

/// A reply inside prose that other readers mistook: words opened by a bracket after the code
/// (Bluehost's help page writes `SMTP 550 ("fromemail" max messages per session)`), and a
/// line whose commas made it look like a CSV row whose cells hold no code (ruanyf/weather-action
/// issue 5: the `163` of the provider's name is no reply code).
#[test]
fn replies_inside_prose_that_looked_like_rows_or_brackets_keep_their_code() {
    let r = reply("SMTP 550 (\"fromemail\" max messages per session)");
    assert_eq!(r.basic, Some(550));
    assert_eq!(builtin().decode(&r).category, "rate-limit");
    let r = reply(
        "Error: Mail command failed: 553 Local user only,163 smtp5,HdxpCgA3f+63sTNhtiNZDA--.2001S2 1630777785",
    );
    assert_eq!(r.basic, Some(553));
    assert!(r.text.starts_with("Local user only"), "{}", r.text);
    // A row that is a row still reports its bad code when nothing else holds one.
    assert!(matches!(
        mailtriage::reply::extract(b"ann@example.org,bounce,650 nope,2024-01-01"),
        Err(mailtriage::reply::InputError::OutOfRange(..))
    ));
}

/// A rule that sets its own action gets the note of a handling entry for that action and its
/// own category: Postfix's HELO refusal (a 450 rule saying fix-sender-config) read "Our
/// client's SMTP AUTH needs attention", the note of the 4xx SMTP AUTH entry listed first.
#[test]
fn an_action_set_by_a_rule_gets_the_note_of_its_own_category() {
    let d = builtin().decode(&reply(
        "450 4.7.1 <mta1.example.org>: Helo command rejected: Host not found",
    ));
    assert_eq!(d.action, Action::FixSenderConfig);
    assert_eq!(d.category, "sender-configuration");
    assert!(
        !d.action_note.starts_with("Our client's SMTP AUTH"),
        "{}",
        d.action_note
    );
    assert!(d.action_note.contains("sending side"), "{}", d.action_note);
}
