//! The wrappers of round 2 for the form-invariance test (issue 14): forms seen in real pastes
//! gathered from issue trackers and forums (MTA logs and queues, ESP events, client and library
//! errors, NDR text), each built around a rule example.

use super::{Form, HOST, Keeps, RCPT, dotnet_status, json_string};

/// The forms of round 2 (issue 14): wrappers seen in real pastes gathered from issue trackers
/// and forums (MTA logs and queues, ESP events, client and library errors, NDR text).
pub(super) fn more_forms() -> Vec<Form> {
    vec![
        // Haraka's outbound log: one `550 5.1.1` before the words of every line.
        ("haraka-log", Keeps::Whole, |e| {
            (!e.temporary()).then(|| {
                format!(
                    "Dec  7 05:12:01 mx1 haraka[4242]: [NOTICE] \
                     [7B6260E0-240F-4AAD-9E52-1188B0D14DC5.1.1] [outbound] recipient <{RCPT}> \
                     rejected: {}",
                    e.one_code_words()
                )
            })
        }),
        // Ruby's Net::SMTP error in a Rails log: the raw reply in parentheses, then frames.
        ("ruby-net-smtp", Keeps::Whole, |e| {
            Some(format!(
                "Completed 500 Internal Server Error in 817ms\n\n{} ({}\n):\n  \
                 app/mailers/notifier.rb:24:in `deliver'\n  \
                 /usr/lib/ruby/3.3.0/net/smtp.rb:969:in `check_response'",
                if e.temporary() {
                    "Net::SMTPServerBusy"
                } else {
                    "Net::SMTPFatalError"
                },
                e.multi()
            ))
        }),
        // Swift Mailer (Laravel before 9): the reply in quotes, then where it was thrown.
        ("swiftmailer", Keeps::Whole, |e| {
            Some(format!(
                "Swift_TransportException: Expected response code 250 but got code \"{}\", with \
                 message \"{}\r\n\" in /var/www/vendor/swiftmailer/swiftmailer/lib/classes/Swift/\
                 Transport/AbstractSmtpTransport.php:457",
                e.basic,
                e.lines.join("\r\n")
            ))
        }),
        // An Exchange NDR's text for administrators: `Remote Server returned '...'`.
        ("exchange-ndr-text", Keeps::Whole, |e| {
            Some(format!(
                "Diagnostic information for administrators:\n\nGenerating server: \
                 mail01.example.com\n\n{RCPT}\nRemote Server returned '{}'\n\nOriginal message \
                 headers:\n\nReceived: from mail02.example.com (192.0.2.7) by mail01.example.com \
                 (192.0.2.8) with Microsoft SMTP Server id 15.2.1748.10; Mon, 7 Dec 2026 \
                 05:12:01 +0000",
                e.flat()
            ))
        }),
        // Postfix's queue listing: the deferral reason in parentheses, the recipient below.
        ("postfix-mailq", Keeps::Whole, |e| {
            e.temporary().then(|| {
                format!(
                    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n\
                     4F1A2B3C9D     2816 Mon Dec  7 05:12:01  news@example.com\n(host {HOST} \
                     said: {} (in reply to RCPT TO command))\n                                  \
                     \x20      {RCPT}\n\n-- 3 Kbytes in 1 Request.",
                    e.flat()
                )
            })
        }),
        // Amazon SES's bounce notification: the receiver's reply in `diagnosticCode`.
        ("ses-notification", Keeps::Whole, |e| {
            (!e.temporary()).then(|| {
                format!(
                    "{{\"notificationType\":\"Bounce\",\"bounce\":{{\"bounceType\":\"Permanent\",\
                     \"bounceSubType\":\"General\",\"bouncedRecipients\":[{{\"emailAddress\":\
                     \"{RCPT}\",\"action\":\"failed\",\"status\":\"{}\",\"diagnosticCode\":{}}}],\
                     \"timestamp\":\"2026-12-07T05:12:01.000Z\",\"reportingMTA\":\"dsn; \
                     a8-70.smtp-out.amazonses.com\"}},\"mail\":{{\"source\":\"news@example.com\",\
                     \"destination\":[\"{RCPT}\"]}}}}",
                    e.dsn(),
                    json_string(&format!("smtp; {}", e.flat()))
                )
            })
        }),
        // Mailgun's `failed` event: the code apart, the lines without it in `message`.
        ("mailgun-event", Keeps::Whole, |e| {
            Some(format!(
                "{{\"event-data\":{{\"event\":\"failed\",\"severity\":\"{}\",\"recipient\":\
                 \"{RCPT}\",\"reason\":\"generic\",\"delivery-status\":{{\"attempt-no\":1,\
                 \"code\":{},\"enhanced-code\":\"{}\",\"message\":{},\"description\":\"\",\
                 \"mx-host\":\"mx.example.net\"}}}}}}",
                if e.temporary() {
                    "temporary"
                } else {
                    "permanent"
                },
                e.basic,
                e.enhanced.as_deref().unwrap_or(""),
                json_string(&e.lines_without_basic().join("\n"))
            ))
        }),
        // SparkPost's event: the reply in `raw_reason`.
        ("sparkpost-event", Keeps::Whole, |e| {
            Some(format!(
                "{{\"msys\":{{\"message_event\":{{\"type\":\"{}\",\"bounce_class\":\"1\",\
                 \"error_code\":\"{}\",\"raw_reason\":{},\"rcpt_to\":\"{RCPT}\"}}}}}}",
                if e.temporary() { "delay" } else { "bounce" },
                e.basic,
                json_string(&e.flat())
            ))
        }),
        // Postmark's bounce webhook: its own generic `Description`, the reply in `Details`.
        ("postmark-bounce", Keeps::Whole, |e| {
            Some(format!(
                "{{\"RecordType\":\"Bounce\",\"Type\":\"{}\",\"Email\":\"{RCPT}\",\
                 \"Description\":\"{}\",\"Details\":{},\"Inactive\":{}}}",
                if e.temporary() {
                    "SoftBounce"
                } else {
                    "HardBounce"
                },
                if e.temporary() {
                    "Unable to temporarily deliver this message."
                } else {
                    "The server was unable to deliver your message."
                },
                json_string(&format!("smtp;{}", e.flat())),
                !e.temporary()
            ))
        }),
        // Brevo's transactional webhook: the reply in `reason`.
        ("brevo-event", Keeps::Whole, |e| {
            Some(format!(
                "{{\"event\":\"{}\",\"email\":\"{RCPT}\",\"id\":4242,\"date\":\
                 \"2026-12-07 05:12:01\",\"message-id\":\"<x1@example.com>\",\"reason\":{}}}",
                if e.temporary() {
                    "soft_bounce"
                } else {
                    "hard_bounce"
                },
                json_string(&e.flat())
            ))
        }),
        // KumoMTA's log record: the codes parsed out, the rest in `content`.
        ("kumomta-log", Keeps::Whole, |e| {
            let enhanced = e.enhanced.as_deref().and_then(|x| {
                let p: Vec<&str> = x.split('.').collect();
                (p.len() == 3).then(|| {
                    format!(
                        "{{\"class\":{},\"subject\":{},\"detail\":{}}}",
                        p[0], p[1], p[2]
                    )
                })
            });
            Some(format!(
                "{{\"type\":\"{}\",\"id\":\"1d98076abbbc11ed940250ebf67f93bd\",\"sender\":\
                 \"news@example.com\",\"recipient\":\"{RCPT}\",\"queue\":\"example.org\",\
                 \"site\":\"mx.example.net\",\"size\":1047,\"response\":{{\"code\":{},\
                 \"enhanced_code\":{},\"content\":{},\"command\":\"RCPT TO\"}},\
                 \"peer_address\":{{\"name\":\"mx.example.net\",\"addr\":\"192.0.2.1\"}},\
                 \"timestamp\":1796620321}}",
                if e.temporary() {
                    "TransientFailure"
                } else {
                    "Bounce"
                },
                e.basic,
                enhanced.unwrap_or_else(|| "null".into()),
                json_string(&e.content())
            ))
        }),
        // Go's net/smtp error as `log` prints it: `550 ` once, each later line without its code.
        ("go-net-smtp", Keeps::Whole, |e| {
            Some(format!(
                "2026/12/07 05:12:01 smtp send: {} {}",
                e.basic,
                e.lines_without_basic().join("\n")
            ))
        }),
        // PowerShell's Send-MailMessage: .NET's exception, then PowerShell's error record.
        ("powershell", Keeps::Whole, |e| {
            let status = dotnet_status(e)?;
            Some(format!(
                "Send-MailMessage : {status} The server response was: {}\nAt line:1 char:1\n+ \
                 Send-MailMessage -To {RCPT} -From news@example.com -Subject Hi -SmtpServer \
                 smtp.example.com\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n    + \
                 CategoryInfo          : InvalidOperation: (System.Net.Mail.SmtpClient:SmtpClient) \
                 [Send-MailMessage], SmtpFailedRecipientException\n    + FullyQualifiedErrorId : \
                 SmtpException,Microsoft.PowerShell.Commands.SendMailMessage",
                e.lines_without_basic().join("\n")
            ))
        }),
        // Outlook's send error dialog, with its own advice before the server's reply.
        ("outlook-client", Keeps::Whole, |e| {
            Some(format!(
                "Task 'news@example.com - Sending' reported error (0x800CCC78) : 'Cannot send the \
                 message. Verify the e-mail address in your account properties. The server \
                 responded: {}'",
                e.flat()
            ))
        }),
        // Thunderbird's alert: the server's lines, then its own advice about the recipient.
        ("thunderbird", Keeps::Whole, |e| {
            Some(format!(
                "An error occurred while sending mail. The mail server responded:\n{}.\nPlease \
                 check the message recipient \"{RCPT}\" and try again.",
                e.multi()
            ))
        }),
    ]
}
