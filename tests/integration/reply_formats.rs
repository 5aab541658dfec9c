//! Bounce formats of many mail systems, each read for its recipients, status and finality.
//!
//! The messages are written here in each system's layout (Exim, qmail, Sendmail, Courier,
//! MDaemon, Lotus Domino, GroupWise, IMail, Exchange and Outlook.com, DSNs with quirks, delay
//! warnings) so that a change to the extractor that breaks one layout fails by name, not only as a
//! lower figure of the validation set.
#![allow(clippy::unwrap_used)]

use mailtriage::reply::{self, MessageKind};

/// What one message must give: its kind and, per reply in order, the recipient, the enhanced
/// status (`None` where the message carries none) and whether the failure is final.
struct Case {
    name: &'static str,
    message: &'static str,
    kind: MessageKind,
    replies: &'static [(&'static str, Option<&'static str>, bool)],
}

const CASES: &[Case] = &[
    Case {
        name: "Exim, two addresses with their own replies",
        message: "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: s@example.org\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: a1@example.com, a2@example.com\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  a1@example.com\n    SMTP error from remote mail server after RCPT TO:<a1@example.com>:\n    host mx.example.com [192.0.2.1]: 550 5.1.1 No such user\n  a2@example.com\n    SMTP error from remote mail server after RCPT TO:<a2@example.com>:\n    host mx.example.com [192.0.2.1]: 552 5.2.2 Over quota\n",
        kind: MessageKind::Bounce,
        replies: &[
            ("a1@example.com", Some("5.1.1"), true),
            ("a2@example.com", Some("5.2.2"), true),
        ],
    },
    Case {
        name: "qmail gives up on a 4.x.x it met last",
        message: "From: MAILER-DAEMON@mail.example.net\nTo: s@example.org\nSubject: failure notice\n\nHi. This is the qmail-send program at mail.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<c@example.com>:\n192.0.2.5 does not like recipient.\nRemote host said: 452 4.2.2 Mailbox full\nGiving up on 192.0.2.5.\n\n--- Below this line is a copy of the message.\n",
        kind: MessageKind::Bounce,
        replies: &[("c@example.com", Some("4.2.2"), true)],
    },
    Case {
        name: "qmail, two addresses; the copied original's Cc is no recipient",
        message: "From: MAILER-DAEMON@mail.example.net\nTo: s@example.org\nSubject: failure notice\n\nHi. This is the qmail-send program at mail.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<c1@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n<c2@example.com>:\n192.0.2.3 failed after I sent the message.\nRemote host said: 554 5.7.1 Message refused\n\n--- Below this line is a copy of the message.\n\nFrom: s@example.org\nTo: c1@example.com, c2@example.com\nCc: c3@example.com\n",
        kind: MessageKind::Bounce,
        replies: &[
            ("c1@example.com", Some("5.1.1"), true),
            ("c2@example.com", Some("5.7.1"), true),
        ],
    },
    Case {
        name: "Sendmail, permanent fatal errors with a transcript",
        message: "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\nTo: s@example.org\nSubject: Returned mail: see transcript for details\n\n   ----- The following addresses had permanent fatal errors -----\n<d1@example.com>\n    (reason: 550 5.1.1 <d1@example.com>... User unknown)\n<d2@example.com>\n    (reason: 550 5.1.1 <d2@example.com>... User unknown)\n\n   ----- Transcript of session follows -----\n... while talking to mx.example.com.:\n>>> RCPT To:<d1@example.com>\n<<< 550 5.1.1 <d1@example.com>... User unknown\n>>> RCPT To:<d2@example.com>\n<<< 550 5.1.1 <d2@example.com>... User unknown\n",
        kind: MessageKind::Bounce,
        replies: &[
            ("d1@example.com", Some("5.1.1"), true),
            ("d2@example.com", Some("5.1.1"), true),
        ],
    },
    Case {
        name: "Courier's >>> / <<< dialogue",
        message: "From: Courier mail server at mx.example.net <@>\nTo: s@example.org\nSubject: NOTICE: mail delivery status.\n\nThis is a delivery status notification from mx.example.net,\nrunning the Courier mail server, version 1.0.\n\n                           UNDELIVERABLE MAIL\n\nYour message to the following recipients cannot be delivered:\n\n<q@example.com>:\n    mx.example.com [192.0.2.4]:\n>>> RCPT TO:<q@example.com>\n<<< 550 5.1.1 <q@example.com>... User unknown\n",
        kind: MessageKind::Bounce,
        replies: &[("q@example.com", Some("5.1.1"), true)],
    },
    Case {
        name: "MDaemon's session transcript: the failing reply, not the greeting",
        message: "From: MDaemon@mail.example.com\nTo: s@example.org\nSubject: Permanent Delivery Failure\n\nThe attached message had PERMANENT fatal delivery errors!\n\n--- Session Transcript ---\n Mon 2026-01-01 10:00:01: Attempting SMTP connection to [mx.example.com : 25]\n Mon 2026-01-01 10:00:01: <-- 220 mx.example.com ESMTP\n Mon 2026-01-01 10:00:01: --> RCPT To:<i@example.com>\n Mon 2026-01-01 10:00:01: <-- 550 5.1.1 <i@example.com>: Recipient address rejected: User unknown\n--- End Transcript ---\n",
        kind: MessageKind::Bounce,
        replies: &[("i@example.com", Some("5.1.1"), true)],
    },
    Case {
        name: "Lotus Domino names the recipient in prose, without a code",
        message: "From: Postmaster@notes.example.com\nTo: s@example.org\nSubject: DELIVERY FAILURE: User erin (erin@example.com) not listed in Domino Directory\n\nYour message\n\n  Subject: hello\n\nwas not delivered to:\n\n  erin@example.com\n\nbecause:\n\n  User erin (erin@example.com) not listed in Domino Directory\n",
        kind: MessageKind::Bounce,
        replies: &[("erin@example.com", None, true)],
    },
    Case {
        name: "GroupWise's undeliverable list",
        message: "From: postmaster@gw.example.com\nTo: s@example.org\nSubject: Message status - undeliverable\n\nThe message that you sent was undeliverable to the following:\n\tfrank@example.com (user not found)\n\nPossibly truncated original message follows:\n",
        kind: MessageKind::Bounce,
        replies: &[("frank@example.com", None, true)],
    },
    Case {
        name: "IMail's one line",
        message: "From: IMail Server <postmaster@imail.example.com>\nTo: s@example.org\nSubject: Undeliverable Mail\n\nUnknown user: rosa@example.com\n\nOriginal message follows.\n",
        kind: MessageKind::Bounce,
        replies: &[("rosa@example.com", None, true)],
    },
    Case {
        name: "Outlook.com's NDR: the administrators' reply, 5.1.10 kept whole",
        message: "From: Microsoft Outlook <MicrosoftExchange329e71ec@example.onmicrosoft.com>\nTo: s@example.org\nSubject: Undeliverable: hello\n\nDelivery has failed to these recipients or groups:\n\nb1@example.com\nThe email address you entered couldn't be found.\n\nDiagnostic information for administrators:\n\nGenerating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com\n\nb1@example.com\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n\nOriginal message headers:\n\nFrom: s@example.org\nTo: b1@example.com\n",
        kind: MessageKind::Bounce,
        replies: &[("b1@example.com", Some("5.1.10"), true)],
    },
    Case {
        name: "a generic Status: 5.0.0 gives way to the Diagnostic-Code's 5.1.1",
        message: "From: MAILER-DAEMON@mx.example.net\nTo: s@example.org\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nDelivery failed.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; alice@example.com\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown\n\n--B--\n",
        kind: MessageKind::Bounce,
        replies: &[("alice@example.com", Some("5.1.1"), true)],
    },
    Case {
        name: "an X.400 Final-Recipient falls back to the Original-Recipient",
        message: "From: MAILER-DAEMON@mx.example.net\nTo: s@example.org\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nDelivery failed.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nOriginal-Recipient: rfc822; vic@example.com\nFinal-Recipient: X400; /C=US/ADMD= /PRMD=example/O=corp/S=vic/\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n--B--\n",
        kind: MessageKind::Bounce,
        replies: &[("vic@example.com", Some("5.1.1"), true)],
    },
    Case {
        name: "Exchange's SMTP= prefix is no part of the address",
        message: "From: MAILER-DAEMON@mx.example.net\nTo: s@example.org\nSubject: Undeliverable\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nDelivery failed.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; SMTP=wes@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n--B--\n",
        kind: MessageKind::Bounce,
        replies: &[("wes@example.com", Some("5.1.1"), true)],
    },
    Case {
        name: "Action: failed over a 4.4.7 is final",
        message: "From: MAILER-DAEMON@mx.example.net\nTo: s@example.org\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nDelivery failed.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; xena@example.com\nAction: failed\nStatus: 4.4.7\nDiagnostic-Code: X-Postfix; delivery temporarily suspended: connect to mx.example.com[192.0.2.1]:25: Connection timed out\n\n--B--\n",
        kind: MessageKind::Bounce,
        replies: &[("xena@example.com", Some("4.4.7"), true)],
    },
    Case {
        name: "Exim's delay warning is still being retried",
        message: "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: s@example.org\nSubject: Warning: message 1abc-000 delayed 24 hours\n\nThis message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx.example.net.\n\nThe address to which the message has not yet been delivered is:\n\n  judy@example.com\n    host mx.example.com [192.0.2.9]\n    Delay reason: SMTP error from remote mail server after RCPT TO:<judy@example.com>:\n    451 4.7.1 Greylisted, please try again later\n\nNo action is required on your part. Delivery attempts will continue for\nsome time, and this warning may be repeated at intervals if the message\nremains undelivered.\n",
        kind: MessageKind::DelayWarning,
        replies: &[("judy@example.com", Some("4.7.1"), false)],
    },
    Case {
        name: "Sendmail's four-hour warning is still being retried",
        message: "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\nTo: s@example.org\nSubject: Warning: could not send message for past 4 hours\n\n    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n    **********************************************\n\n   ----- Transcript of session follows -----\n<leo@example.com>... Deferred: Connection timed out with mx.example.com.\nWarning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n",
        kind: MessageKind::DelayWarning,
        replies: &[("leo@example.com", None, false)],
    },
    Case {
        name: "Gmail's delay notice is still being retried",
        message: "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: s@gmail.com\nSubject: Delivery Status Notification (Delay)\n\nMessage delayed\n\nThere was a temporary problem delivering your message to tom@example.com. Gmail will retry for 47 more hours. You'll be notified if the delivery fails permanently.\n",
        kind: MessageKind::DelayWarning,
        replies: &[("tom@example.com", None, false)],
    },
    Case {
        name: "Exchange's German notice in prose, the original returned",
        message: "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.de>\nTo: s@example.de\nSubject: Unzustellbar: Angebot\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain; charset=utf-8\n\nDie Zustellung an diese Empfänger oder Gruppen ist fehlgeschlagen:\n\nbernd@example.net (bernd@example.net)\nDie eingegebene E-Mail-Adresse wurde nicht gefunden.\n\n--B\nContent-Type: message/rfc822\n\nFrom: s@example.de\nTo: bernd@example.net\nSubject: Angebot\n\nHallo\n--B--\n",
        kind: MessageKind::Bounce,
        replies: &[("bernd@example.net", None, true)],
    },
    Case {
        name: "a French notice from the mail system",
        message: "From: MAILER-DAEMON@mx.example.fr\nTo: s@example.fr\nSubject: Non remis : Devis\nContent-Type: text/plain; charset=utf-8\n\nVotre message n'a pas pu être remis à ces destinataires ou groupes :\n\nbruno@example.net (bruno@example.net)\nL'adresse de messagerie que vous avez entrée est introuvable.\n",
        kind: MessageKind::Bounce,
        replies: &[("bruno@example.net", None, true)],
    },
    Case {
        name: "Exim, a frozen message's notice to the postmaster (held, not failed; the sender named is no recipient)",
        message: "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: postmaster@example.org\nSubject: Message frozen\nAuto-Submitted: auto-replied\n\nMessage 1tAbCd-000123-4x has been frozen.\nThe sender is <sender@example.org>.\n\nThe following address(es) have yet to be delivered:\n  ann@example.com: forced freeze\n",
        kind: MessageKind::DelayWarning,
        replies: &[("ann@example.com", None, false)],
    },
];

#[test]
fn bounce_formats_give_their_recipients_status_and_finality() {
    let mut wrong = Vec::new();
    for case in CASES {
        let x = match reply::extract(case.message.as_bytes()) {
            Ok(x) => x,
            Err(e) => {
                wrong.push(format!("{}: refused ({e})", case.name));
                continue;
            }
        };
        if x.kind != Some(case.kind) {
            wrong.push(format!("{}: kind {:?}", case.name, x.kind));
        }
        let got: Vec<(Option<&str>, Option<&str>, Option<bool>)> = x
            .replies
            .iter()
            .map(|r| {
                (
                    r.recipient.as_deref(),
                    r.enhanced.as_deref(),
                    r.finality.map(|f| f.permanent),
                )
            })
            .collect();
        let want: Vec<(Option<&str>, Option<&str>, Option<bool>)> = case
            .replies
            .iter()
            .map(|(rcpt, status, permanent)| (Some(*rcpt), *status, Some(*permanent)))
            .collect();
        if got != want {
            wrong.push(format!("{}: got {got:?}, want {want:?}", case.name));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Messages in a bounce mailbox that report no failure: none of them may come out as a bounce.
#[test]
fn notices_that_are_not_bounces_report_no_failure() {
    let notices = [
        // A read receipt (RFC 8098).
        "From: heidi@example.com\nTo: s@example.org\nSubject: Read: hello\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=disposition-notification; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nYour message was read.\n\n--B\nContent-Type: message/disposition-notification\n\nReporting-UA: mail.example.com; Outlook\nFinal-Recipient: rfc822; heidi@example.com\nDisposition: manual-action/MDN-sent-manually; displayed\n\n--B--\n",
        // A list's moderation notice.
        "From: list-owner@lists.example.com\nTo: s@example.org\nSubject: Your message to devs awaits moderator approval\nPrecedence: bulk\n\nYour mail to 'devs' with the subject\n\n    hello\n\nIs being held until the list moderator can review it for approval.\n",
        // An out-of-office reply in French, with no marking header.
        "From: Nina <nina@example.com>\nTo: s@example.org\nSubject: Re: hello\n\nBonjour,\nJe suis absent du bureau jusqu'au 15 janvier avec un accès limité à mes courriels.\n",
        // An out-of-office reply whose German subject says what it is.
        "From: Otto <otto@example.de>\nTo: s@example.org\nSubject: Abwesenheitsnotiz: hello\n\nVielen Dank für Ihre Nachricht. Ich bin bis zum 10.01. nicht im Büro.\n",
        // Exchange's delivery receipt written out in prose.
        "From: postmaster@example.com\nTo: s@example.org\nSubject: Delivered: hello\n\nYour message has been delivered to the following recipients:\n\nbob@example.net (bob@example.net)\n\nSubject: hello\n",
        // A parcel service's notice, in English and in German: its "could not be delivered"
        // is about a parcel.
        "From: Parcel Service <noreply@parcel.example>\nTo: s@example.org\nSubject: Your parcel could not be delivered\n\nYour parcel 00340434161234567890 could not be delivered today.\nWe will try again on the next working day.\n\nQuestions? Write to service@parcel.example.\n",
        "From: Paketdienst <noreply@paket.example>\nTo: s@example.de\nSubject: Ihre Sendung konnte nicht zugestellt werden\n\nIhre Sendung 00340434161234567890 konnte heute leider nicht zugestellt werden.\n\nBei Fragen erreichen Sie uns unter kundenservice@paket.example.\n",
        // A challenge-response filter's request.
        "From: spam-filter@example.com\nTo: s@example.org\nSubject: Please confirm your message\n\nYour message to pat@example.com has been held. To have it delivered, please\nreply to this message or visit the link below so we know you are a real person:\nhttps://example.com/confirm?id=123\n",
    ];
    for n in notices {
        if let Ok(x) = reply::extract(n.as_bytes()) {
            assert!(
                !matches!(
                    x.kind,
                    Some(MessageKind::Bounce | MessageKind::DelayWarning)
                ),
                "reported as {:?}: {}",
                x.kind,
                n.lines().nth(2).unwrap_or_default()
            );
            assert!(
                x.replies.iter().all(|r| r.finality.is_none()),
                "a failure reported: {}",
                n.lines().nth(2).unwrap_or_default()
            );
        }
    }
}

#[test]
fn the_sender_a_notice_names_is_no_recipient() {
    // Exim's notice of a message frozen on arrival names only its sender.
    let notice = "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: postmaster@example.org\nSubject: Message frozen on arrival\nAuto-Submitted: auto-replied\n\nMessage 1tAbCd-000123-4x was frozen on arrival by ACL.\nThe sender is <sender@example.org>.\n";
    if let Ok(x) = reply::extract(notice.as_bytes()) {
        assert!(
            x.replies.iter().all(|r| r.recipient.is_none()),
            "{:?}",
            x.replies
        );
        assert!(
            x.replies
                .iter()
                .all(|r| r.finality.is_none_or(|f| !f.permanent))
        );
    }
}
