//! The gateways' and mailbox providers' own published codes, each read with the action its
//! meaning calls for (issue 14, item 3): Sophos Email's XGEMAIL codes, Trend Micro's Email
//! Reputation lists and sender filtering, Barracuda's appliances and rate control, Cisco's
//! domain reputation, AOL's CON:B1 block; and the provider signals a paste keeps when it loses
//! the usual ones (a session id without its trailer, a Remote-MTA with its address, an
//! appliance's host inside the front server's refusal, a provider's own submission wording).
//! Every reply is written for this test and goes through the real extractor.
#![allow(clippy::unwrap_used)]

use crate::rules_providers::{builtin, id, postfix};
use crate::rules_support::reply;
use mailtriage::rules::Action;

/// (provider id, category, action, rule id) of the first reply of `input`.
fn read(input: &str) -> (Option<String>, String, Action, String) {
    let d = builtin().decode(&reply(input));
    (
        d.provider.map(|p| p.id),
        d.category.as_str().to_string(),
        d.action,
        d.rule.id,
    )
}

#[test]
fn sophos_codes_name_sophos_and_take_the_action_of_their_meaning() {
    for (input, category, action) in [
        (
            "550 5.7.1 XGEMAIL_0011 refused",
            "recipient-address",
            Action::SuppressAddress,
        ),
        // The recipient's or their administrator's own block list: theirs to lift.
        (
            "550 5.7.1 XGEMAIL_0009 refused",
            "policy",
            Action::SuppressAddress,
        ),
        (
            "550 5.7.1 XGEMAIL_0004 refused",
            "blocklist",
            Action::RequestDelisting,
        ),
        (
            "550 5.7.1 XGEMAIL_0002 refused",
            "authentication-spf",
            Action::FixAuthentication,
        ),
        (
            "550 5.7.1 XGEMAIL_0003 refused",
            "authentication-dmarc",
            Action::FixAuthentication,
        ),
        (
            "550 5.7.4 XGEMAIL_0006 refused",
            "tls",
            Action::FixInfrastructure,
        ),
        // Rate limits slow down, whether for this sender or the recipient as a whole.
        (
            "450 4.7.1 XGEMAIL_0014 try later",
            "rate-limit",
            Action::SlowDown,
        ),
        (
            "450 4.7.1 XGEMAIL_0015 try later",
            "rate-limit",
            Action::SlowDown,
        ),
        (
            "552 5.3.4 XGEMAIL_0012 refused",
            "message-size",
            Action::FixSenderConfig,
        ),
    ] {
        let (provider, c, a, _) = read(input);
        assert_eq!(provider.as_deref(), Some("sophos"), "{input}");
        assert_eq!((c.as_str(), a), (category, action), "{input}");
    }
    // Its outbound relay's flood limit, named by its host: slow down, not suppress.
    let (provider, c, a, _) = read(&postfix(
        "mx-01-eu-west-1.prod.hydra.sophos.com",
        "554 5.7.28 Mail flood detected",
    ));
    assert_eq!(provider.as_deref(), Some("sophos"));
    assert_eq!((c.as_str(), a), ("rate-limit", Action::SlowDown));
    // The RFC's words for 5.7.28 from any other server name nobody.
    assert_eq!(id(builtin(), "554 5.7.28 Mail flood detected"), None);
}

#[test]
fn trend_micros_own_lists_ask_for_delisting_at_trend_and_its_filters_say_what_to_fix() {
    for (input, action) in [
        // The Quick IP List: Trend's own, short-lived, removal at its portal.
        (
            "450 4.7.1 Connection from 192.0.2.7 deferred: sender IP found in ERS-QIL",
            Action::RequestDelisting,
        ),
        (
            "550 5.7.1 Connection from 192.0.2.7 refused: sender IP found in ERS-RBL",
            Action::RequestDelisting,
        ),
        // Dynamic address space: send through a proper server, not a delisting.
        (
            "550 5.7.1 Connection from 192.0.2.7 refused: sender IP found in ERS-DUL",
            Action::FixInfrastructure,
        ),
        (
            "421 Block temporarily (Sender Filtering/Authentication)",
            Action::SlowDown,
        ),
        (
            "521 Block permanently (Sender Filtering/Authentication)",
            Action::FixAuthentication,
        ),
    ] {
        let (provider, _, a, _) = read(input);
        assert_eq!(provider.as_deref(), Some("trend-micro"), "{input}");
        assert_eq!(a, action, "{input}");
    }
}

/// A company's own Barracuda appliance, named for the product, answers behind its front
/// server, which quotes it in its own refusal: the appliance's host names Barracuda, and its
/// recipient check is about that address.
#[test]
fn a_barracuda_appliance_quoted_inside_the_front_servers_refusal_names_barracuda() {
    let input = "<** 550 5.1.1 <bob@example.com>: Recipient address rejected: undeliverable address: host barracuda-1.mail.example.com[10.0.0.5] said: 550 No such user (bob@example.com) (in reply to RCPT TO command)";
    let (provider, c, a, _) = read(input);
    assert_eq!(provider.as_deref(), Some("barracuda"));
    assert_eq!(
        (c.as_str(), a),
        ("recipient-address", Action::SuppressAddress)
    );
    let (provider, _, a, _) = read(&postfix(
        "d123456a.ess.barracudanetworks.com",
        "421 4.7.0 Rate control: try again later",
    ));
    assert_eq!(provider.as_deref(), Some("barracuda"));
    assert_eq!(a, Action::SlowDown);
    // A host that only contains the word, or opens with another, is nobody's.
    for host in ["mx.barracuda.example.org", "notbarracuda.example.org"] {
        assert_eq!(
            id(builtin(), &postfix(host, "550 No such user")),
            None,
            "{host}"
        );
    }
}

/// A DSN's Remote-MTA often carries the address after the host (`dns; mx.example [ip]`): the
/// host still names its provider.
#[test]
fn a_remote_mta_with_its_address_after_the_host_names_the_provider() {
    for (host, provider) in [
        ("mx-ha03.web.de", "gmx-webde"),
        ("gmail-smtp-in.l.google.com", "gmail"),
    ] {
        for remote in [format!("{host} [192.0.2.9]"), format!("{host} (192.0.2.9)")] {
            let input = format!(
                "Action: failed\nStatus: 5.0.0\nRemote-MTA: dns; {remote}\nDiagnostic-Code: smtp; 550 Message refused"
            );
            assert_eq!(id(builtin(), &input).as_deref(), Some(provider), "{input}");
        }
    }
}

/// Google's session id survives where an application's error cut the `- gsmtp` trailer off;
/// an id of another shape is nobody's.
#[test]
fn gmails_session_id_names_gmail_without_its_trailer() {
    for input in [
        "Net::SMTPFatalError: 555 5.5.2 Syntax error. ab12sm1234567pfb.34",
        "SMTPDataError(550, b'5.7.1 Message rejected. q7si9876543wrx.33')",
    ] {
        assert_eq!(id(builtin(), input).as_deref(), Some("gmail"), "{input}");
    }
    for input in [
        "555 5.5.2 Syntax error. queue id 4F1A2B3C",
        "550 5.7.1 Message rejected (id AB12SM1234567PFB.34)",
    ] {
        assert_eq!(id(builtin(), input), None, "{input}");
    }
}

/// Sentences only one provider's server writes, pasted from an application's error without
/// host, link or trace; a longer sentence that merely contains the words is anyone's.
#[test]
fn a_providers_own_submission_and_greylisting_words_name_it() {
    for (input, provider) in [
        (
            "Mail command failed: 501 Mail from address must be same as authorization user.",
            "qq",
        ),
        (
            "smtplib.SMTPAuthenticationError: (550, b'User has no permission')",
            "netease",
        ),
        (
            "450 4.2.1 Message was greylisted, try again in 2 minutes",
            "forwardemail",
        ),
        (
            "554 Access refused: rejected due to poor reputation of a domain used in message transfer",
            "cisco",
        ),
    ] {
        assert_eq!(id(builtin(), input).as_deref(), Some(provider), "{input}");
    }
    for input in [
        "550 User has no permission to post to this list",
        "450 4.2.0 Greylisted, try again in 300 seconds",
    ] {
        assert_eq!(id(builtin(), input), None, "{input}");
    }
    let (_, c, a, _) =
        read("Mail command failed: 501 Mail from address must be same as authorization user.");
    assert_eq!((c.as_str(), a), ("sender-address", Action::FixSenderConfig));
}

/// AOL's CON:B1 defers as a 4xx (back off) but blocks as a 5xx: its own list, lifted on
/// request once the spam stops, not a rate to slow down to.
#[test]
fn aols_con_b1_block_asks_for_delisting_and_its_deferral_slows_down() {
    let (provider, _, a, rule) =
        read("521 5.2.1 : (CON:B1) http://postmaster.info.aol.com/errors/554conb1.html");
    assert_eq!(provider.as_deref(), Some("yahoo"));
    assert_eq!(
        (a, rule.as_str()),
        (Action::RequestDelisting, "aol-con-block")
    );
    let (_, _, a, _) = read("421 4.7.1 : (CON:B1) try again later");
    assert_eq!(a, Action::SlowDown);
}
