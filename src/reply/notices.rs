//! Messages in a bounce mailbox that are not bounces: ARF feedback reports and auto-replies.
//!
//! An ARF report of `Feedback-Type: auth-failure` (RFC 6591) or `not-spam` (RFC 6430) is not a
//! complaint: its `Original-Rcpt-To` did nothing to be suppressed for.
//!
//! Neither carries an SMTP reply. Each becomes one `Reply` per recipient with no code and a text
//! that names what it is (`Feedback-Type: abuse ...`, `Auto-Submitted: auto-replied ...`), which
//! the phrase rules classify as a complaint or an auto-reply.

use super::address;
use super::code::{check_enhanced, parse_reply_start};
use super::dsn::{self, strip_type};
use super::types::{MessageKind, Reply};
use crate::match_only::MatchOnly;
use std::sync::LazyLock;

/// Words of a challenge-response filter: it holds the message until the sender confirms being a
/// person or gets on the recipient's list of accepted senders, and asks the sender to act.
static CHALLENGE: LazyLock<super::prefilter::Words> =
    LazyLock::new(|| super::prefilter::Words::new(super::word_patterns::CHALLENGE));

/// Whether a message's words are a challenge-response filter's request to the sender.
pub fn is_challenge(text: &str) -> bool {
    CHALLENGE.is_match(text)
}

/// What an ARF report that is no complaint reports, by its `Feedback-Type`: `auth-failure`
/// (RFC 6591 section 3.1, a message that failed authentication) or `not-spam` (RFC 6430, a
/// message wrongly taken for spam). `None` for a complaint (abuse, fraud, virus, other).
pub fn not_a_complaint(report: &str) -> Option<MessageKind> {
    let kind = report
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("feedback-type"))?
        .1
        .trim()
        .to_ascii_lowercase();
    match kind.as_str() {
        "auth-failure" => Some(MessageKind::AuthFailureReport),
        "not-spam" => Some(MessageKind::NotSpamReport),
        _ => None,
    }
}

/// One reply per reported recipient of an ARF report (RFC 5965 section 3.1), from the fields of
/// its `message/feedback-report` part. Without `Original-Rcpt-To`, the returned message's
/// recipient (`fallback`) stands in.
pub fn feedback(report: &str, fallback: Option<&str>) -> Vec<Reply> {
    let mut kind = None;
    let mut agent = None;
    let mut source_ip = None;
    let mut rcpts: Vec<String> = Vec::new();
    for line in report.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "feedback-type" => kind = kind.or(Some(value.to_string())),
            "user-agent" => agent = agent.or(Some(value.to_string())),
            "source-ip" => source_ip = source_ip.or(Some(value.to_string())),
            "original-rcpt-to" | "removal-recipient" => {
                // "Undisclosed Recipients", "undisclosed recipient <redacted@...": no address.
                if let Some(a) = address::clean(value).filter(|a| !rcpts.contains(a)) {
                    rcpts.push(a);
                }
            }
            _ => {}
        }
    }
    let mut text = format!("Feedback-Type: {}", kind.as_deref().unwrap_or("abuse"));
    if let Some(a) = agent {
        text.push_str(&format!("; User-Agent: {a}"));
    }
    if let Some(ip) = source_ip {
        text.push_str(&format!("; Source-IP: {ip}"));
    }
    if rcpts.is_empty() {
        rcpts.extend(fallback.map(str::to_string));
    }
    let one = |recipient: Option<String>| Reply {
        text: text.clone(),
        recipient,
        ..Reply::default()
    };
    if rcpts.is_empty() {
        return vec![one(None)];
    }
    rcpts.into_iter().map(|r| one(Some(r))).collect()
}

/// What an Amazon SES notification (its JSON, as SNS mails it; fields as AWS documents them at
/// https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html) reports: a bounce (one
/// reply per bounced recipient, from its diagnostic code, status and action), a complaint (one
/// per complained recipient, worded as an ARF report's fields so the phrase rules read it
/// alike) or a delivery (one per recipient, from the SMTP response). `None` when the text holds
/// no such notification.
pub fn ses(text: &str) -> Option<(MessageKind, Vec<Reply>)> {
    let start = text.find('{')?;
    // Sendmail breaks a line longer than it allows with `!`, a newline and a space.
    let text = text[start..].replace("!\n ", "");
    let v: serde_json::Value = serde_json::Deserializer::from_str(&text)
        .into_iter::<serde_json::Value>()
        .next()?
        .ok()?;
    // An SNS envelope carries the SES notification as a JSON string in its `Message`.
    let v = match v.get("Message").and_then(|m| m.as_str()) {
        Some(inner) => serde_json::from_str(inner).ok()?,
        None => v,
    };
    let kind = v
        .get("notificationType")
        .or_else(|| v.get("eventType"))?
        .as_str()?
        .to_ascii_lowercase();
    let str_of = |o: &serde_json::Value, k: &str| {
        o.get(k)
            .and_then(|x| x.as_str())
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    let list = |o: Option<&serde_json::Value>, k: &str| {
        o.and_then(|o| o.get(k))
            .and_then(|a| a.as_array())
            .cloned()
            .unwrap_or_default()
    };
    match kind.as_str() {
        "complaint" => {
            let c = v.get("complaint")?;
            let mut words = format!(
                "Feedback-Type: {}",
                str_of(c, "complaintFeedbackType").unwrap_or_else(|| "abuse".into())
            );
            if let Some(agent) = str_of(c, "userAgent") {
                words.push_str(&format!("; User-Agent: {agent}"));
            }
            let mut rcpts: Vec<Option<String>> = list(Some(c), "complainedRecipients")
                .iter()
                .map(|r| str_of(r, "emailAddress").and_then(|a| address::clean(&a)))
                .collect();
            if rcpts.is_empty() {
                rcpts.push(None);
            }
            let replies = rcpts
                .into_iter()
                .map(|recipient| Reply {
                    text: words.clone(),
                    recipient,
                    ..Reply::default()
                })
                .collect();
            Some((MessageKind::FeedbackReport, replies))
        }
        "bounce" => {
            let b = v.get("bounce")?;
            let reporting = str_of(b, "reportingMTA").map(|m| strip_type(&m).to_string());
            let replies: Vec<Reply> = list(Some(b), "bouncedRecipients")
                .iter()
                .map(|r| {
                    let mut reply = str_of(r, "diagnosticCode")
                        .map(|d| dsn::diagnostic(&d))
                        .unwrap_or_default();
                    if reply.enhanced.is_none() {
                        reply.enhanced = str_of(r, "status").and_then(|s| check_enhanced(&s).ok());
                    }
                    reply.recipient = str_of(r, "emailAddress").and_then(|a| address::clean(&a));
                    reply.dsn_action = str_of(r, "action").map(|a| a.to_ascii_lowercase());
                    reply.reporting_mta = reporting.clone();
                    reply
                })
                .collect();
            (!replies.is_empty()).then_some((MessageKind::Bounce, replies))
        }
        "delivery" => {
            let d = v.get("delivery")?;
            let response = str_of(d, "smtpResponse").unwrap_or_default();
            let reply = parse_reply_start(&response)
                .ok()
                .flatten()
                .unwrap_or_default();
            let replies: Vec<Reply> = list(Some(d), "recipients")
                .iter()
                .filter_map(|r| r.as_str().and_then(address::clean))
                .map(|a| Reply {
                    recipient: Some(a),
                    dsn_action: Some("delivered".into()),
                    ..reply.clone()
                })
                .collect();
            (!replies.is_empty()).then_some((MessageKind::DeliveryReport, replies))
        }
        _ => None,
    }
}

/// A complaint worded as an ARF report's fields (`Feedback-Type: abuse; User-Agent: ...`), so
/// the phrase rules read complaints of every format alike.
pub fn complaint(kind: &str, agent: Option<&str>, recipient: Option<String>) -> Reply {
    let mut text = format!("Feedback-Type: {kind}");
    if let Some(a) = agent {
        text.push_str(&format!("; User-Agent: {a}"));
    }
    Reply {
        text,
        recipient,
        ..Reply::default()
    }
}

/// Whether the message's own headers mark it as an automatic reply (RFC 3834 section 5, and the
/// headers common responders add instead).
pub fn is_auto_reply(auto_submitted: Option<&str>, other_marker: bool, subject: &str) -> bool {
    // Exim and Google mark their bounces `auto-replied` too; a failure subject is a bounce.
    let s = subject.to_ascii_lowercase();
    let failure = [
        "undeliver",
        "undelivered",
        "failure",
        "failed",
        "delivery status",
        "returned",
        "non-delivery",
        "not delivered",
        "delayed",
        "error",
        "could not be delivered",
    ];
    if failure.iter().any(|f| s.contains(f)) {
        return false;
    }
    marked_auto_replied(auto_submitted) || other_marker || subject_reads_as_auto_reply(subject)
}

/// Whether `Auto-Submitted` says `auto-replied` (RFC 3834 section 5).
pub fn marked_auto_replied(auto_submitted: Option<&str>) -> bool {
    auto_submitted.is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("auto-replied"))
}

/// Whether a subject is the one a responder or a mail client gives its automatic reply
/// ("Out of Office Re: ...", "Automatic reply: ...", localised forms anywhere in it).
pub fn subject_reads_as_auto_reply(subject: &str) -> bool {
    let s = subject.trim_start().to_lowercase();
    let opens = [
        "auto:",
        "automatic reply",
        "autoreply",
        "auto-reply",
        "auto reply",
        "out of office",
        "out of the office",
        "vacation",
        "away from",
    ];
    // Out-of-office subjects of the mail clients that localise them, wherever they stand
    // (`[Automatyczna odpowiedź] test`, `Abwesenheitsnotiz: ...`).
    let anywhere = [
        "abwesenheitsnotiz",
        "automatische antwort",
        "réponse automatique",
        "reponse automatique",
        "respuesta automática",
        "respuesta automatica",
        "risposta automatica",
        "automatisch antwoord",
        "automatyczna odpowied",
        "automatisk svar",
        "autosvar",
        "automatiska atbilde",
        "automatická odpověď",
        "resposta automática",
        "out of office",
        "автоответ",
        "автоматический ответ",
        "自动回复",
        "自動回覆",
        "自動返信",
        "自動応答",
        "afwezigheidsmelding",
        "frånvaro",
        "fraværende",
        "poissaolo",
        "fuori ufficio",
        "fuera de la oficina",
        "absence du bureau",
        "odpowiedź automatyczna",
    ];
    opens.iter().any(|p| s.starts_with(p)) || anywhere.iter().any(|p| s.contains(p))
}

/// Words of an out-of-office or vacation notice, for one that carries no marking header and a
/// subject of its own ("Re: ...").
static AWAY: LazyLock<MatchOnly> =
    LazyLock::new(|| MatchOnly::known(super::word_patterns::AWAY).expect("constant regex"));

/// The same notice in the languages whose mail clients send it most (German, French, Spanish,
/// Italian, Dutch, Portuguese, Russian): "not in the office", "absent from the office", "on
/// holiday until", each a phrase no mail system's failure notice uses.
static AWAY_ELSEWHERE: LazyLock<MatchOnly> = LazyLock::new(|| {
    MatchOnly::known(super::word_patterns::AWAY_ELSEWHERE).expect("constant regex")
});

/// Whether a message's words are an out-of-office or vacation notice.
pub fn reads_as_away(text: &str) -> bool {
    AWAY.is_match(text) || AWAY_ELSEWHERE.is_match(text)
}

/// The reply for an automatic response: the responder (the message's From) is the recipient
/// the original was delivered to.
pub fn auto_reply(responder: Option<&str>, subject: &str) -> Reply {
    let subject: String = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    Reply {
        text: format!("Auto-Submitted: auto-replied; Subject: {subject}"),
        recipient: responder.map(str::to_string),
        ..Reply::default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::prefilter::{boundaries_beside_letters, word_edge_texts};
    use super::*;

    /// The challenge words answer as their pattern as written does, beside any letter.
    #[test]
    fn challenge_words_read_as_their_pattern() {
        let phrases = [
            "challenge-response",
            "verify you are human",
            "safe senders list",
            "please confirm you",
            "click the following link below to verify",
            "sender not preapproved",
        ];
        assert!(boundaries_beside_letters(CHALLENGE.as_written().as_str()));
        for t in word_edge_texts(&phrases) {
            assert_eq!(
                CHALLENGE.is_match(&t),
                CHALLENGE.as_written().is_match(&t),
                "{t}"
            );
        }
    }

    #[test]
    fn one_complaint_per_reported_recipient() {
        let r = feedback(
            "Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nSource-IP: 192.0.2.1\n\
             Original-Rcpt-To: a@example.com\nOriginal-Rcpt-To: <b@example.com>\n",
            Some("c@example.com"),
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].recipient.as_deref(), Some("b@example.com"));
        assert!(
            r[0].text
                .starts_with("Feedback-Type: abuse; User-Agent: ExampleFBL/1.0")
        );
        let r = feedback("Feedback-Type: fraud\n", Some("c@example.com"));
        assert_eq!(r[0].recipient.as_deref(), Some("c@example.com"));
    }

    #[test]
    fn reports_that_are_no_complaint_are_told_by_their_feedback_type() {
        assert_eq!(
            not_a_complaint("Feedback-Type: auth-failure\nVersion: 1\nAuth-Failure: dmarc\n"),
            Some(MessageKind::AuthFailureReport)
        );
        assert_eq!(
            not_a_complaint("feedback-type:  Auth-Failure\r\n"),
            Some(MessageKind::AuthFailureReport)
        );
        assert_eq!(
            not_a_complaint("Feedback-Type: not-spam\n"),
            Some(MessageKind::NotSpamReport)
        );
        for complaint in ["abuse", "fraud", "virus", "other"] {
            assert_eq!(
                not_a_complaint(&format!(
                    "Feedback-Type: {complaint}\nAuth-Failure: dmarc\n"
                )),
                None
            );
        }
        assert_eq!(not_a_complaint("Version: 1\nAuth-Failure: spf\n"), None);
    }

    #[test]
    fn ses_notifications_are_read_by_their_fields() {
        let (kind, r) = ses(
            r#"{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"ann@example.org"}],"userAgent":"ExampleFBL","complaintFeedbackType":"abuse"}}
--
If you wish to stop receiving notifications from this topic, click below"#,
        )
        .unwrap();
        assert_eq!(kind, MessageKind::FeedbackReport);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].recipient.as_deref(), Some("ann@example.org"));
        assert_eq!(r[0].text, "Feedback-Type: abuse; User-Agent: ExampleFBL");
        let (kind, r) = ses(
            r#"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"bob@example.org","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"reportingMTA":"dsn; a1.example.com"},"mail":{"source":"ann@example.com","sourceArn":"arn:aws:ses:us-west-2:1:identity/ann@example.com"}}"#,
        )
        .unwrap();
        assert_eq!(kind, MessageKind::Bounce);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].recipient.as_deref(), Some("bob@example.org"));
        assert_eq!(
            (r[0].basic, r[0].enhanced.as_deref()),
            (Some(550), Some("5.1.1"))
        );
        assert_eq!(r[0].dsn_action.as_deref(), Some("failed"));
        assert!(ses(r#"{"notificationType":"Bounce"}"#).is_none());
    }

    #[test]
    fn challenge_response_requests_are_recognised_by_their_words() {
        assert!(is_challenge(
            "This account is protected by Example.  Please click on the following link to \
             have your address added to the recipient's allowed list"
        ));
        assert!(is_challenge(
            "Sender not pre-approved. Follow instructions in above notice"
        ));
        assert!(!is_challenge("550 5.1.1 User unknown"));
    }

    #[test]
    fn auto_replies_are_recognised_by_header_or_subject() {
        assert!(is_auto_reply(Some("auto-replied"), false, "Away"));
        assert!(!is_auto_reply(
            Some("auto-generated"),
            false,
            "Delivery failure"
        ));
        assert!(is_auto_reply(None, false, "Out of Office: back Monday"));
        // Localised subjects, wherever they stand.
        for subject in [
            "Автоответ: предложение",
            "自动回复: 报价",
            "Re: offerte (afwezigheidsmelding)",
            "Fuera de la oficina: presupuesto",
        ] {
            assert!(is_auto_reply(None, false, subject), "{subject}");
        }
        assert!(!is_auto_reply(
            None,
            false,
            "Undelivered Mail Returned to Sender"
        ));
    }

    #[test]
    fn out_of_office_notices_in_other_languages_read_as_away() {
        for body in [
            "Vielen Dank. Ich bin bis zum 15.12. nicht im Büro.",
            "Bonjour, je suis absente du bureau jusqu'au 15 décembre.",
            "Estoy fuera de la oficina hasta el lunes.",
            "Sono fuori ufficio fino al 15 dicembre.",
            "Ik ben afwezig tot en met 15 december.",
            "Estou ausente do escritório até 15 de dezembro.",
            "Я в отпуске до 15 декабря.",
        ] {
            assert!(reads_as_away(body), "{body}");
        }
        // A failure notice's words are none of these.
        assert!(!reads_as_away(
            "Die Nachricht konnte nicht zugestellt werden: Empfänger unbekannt"
        ));
        assert!(!reads_as_away(
            "Le message n'a pas pu être remis au destinataire"
        ));
    }
}
