//! Provider recognition on replies as they are pasted: the MX hosts of providers known by
//! their hosts only, replies that lost their trailer or link, gateways' and ISPs' own words and
//! tags, the recipient's mailbox domain for a reply about that mailbox, and each provider's
//! older and unlinked replies. Split from rules_providers.rs (signal kinds, precedence, output),
//! whose helpers it shares. Every reply goes through the real extractor, as `explain` reads it.
#![allow(clippy::unwrap_used)]

use crate::rules_providers::{builtin, id, postfix};
use crate::rules_support::reply;
use mailtriage::rules::Action;

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
/// reason, Tencent's its own sentence, AT&T its server naming. (A council's Exchange and its
/// resolver status: rules_providers_software.rs.)
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
