//! The explain renderers: human text with labelled lines, and JSON that matches its schema.
#![allow(clippy::unwrap_used)]

use crate::rules_support::{reply, unknown_reply};
use mailtriage::reply::InputForm;
use mailtriage::report::{ExplainReport, Format, Report, render};
use mailtriage::rules::RuleSet;

/// Renders decoded replies as `explain` does.
fn explain(
    format: Format,
    form: InputForm,
    items: &[(mailtriage::reply::Reply, mailtriage::rules::Decoded)],
) -> Vec<u8> {
    let mut out = Vec::new();
    let view = Report::Explain(ExplainReport {
        form,
        kind: None,
        replies: items,
    });
    render(&mut out, format, &view).unwrap();
    out
}

fn items(
    replies: Vec<mailtriage::reply::Reply>,
) -> Vec<(mailtriage::reply::Reply, mailtriage::rules::Decoded)> {
    let set = RuleSet::load(None).unwrap();
    replies
        .into_iter()
        .map(|mut r| {
            r.recipient = Some("someone@example.org".into());
            r.remote_mta = Some("mx.example.org".into());
            let d = set.decode(&r);
            (r, d)
        })
        .collect()
}

#[test]
fn human_output_has_a_header_and_labelled_lines() {
    colored::control::set_override(false);
    let items = items(vec![
        reply("550 5.7.23 The sending IP is not among the permitted senders"),
        unknown_reply(),
    ]);
    let out = explain(Format::Human, InputForm::Reply, &items);
    let text = String::from_utf8(out).unwrap();
    for needle in [
        "Reply 1 of 2: 550 5.7.23\n",
        "  meaning      550: permanent negative completion, mail system: Requested action not taken",
        "               5.7.23: permanent failure; security or policy status: SPF validation failed",
        "  category     authentication-spf\n",
        "  bounce type  technical\n",
        "  action       fix-authentication\n",
        "  checks       spf\n",
        "  rule         enhanced-x-7-23 (RFC 7372 section 3.2)\n",
        "  recipient    someone@example.org\n",
        "  remote MTA   mx.example.org\n",
        "Reply 2 of 2: 599\n",
        "  recognised   no:",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when colour is off"
    );
}

#[test]
fn json_output_matches_the_schema() {
    let items = items(vec![
        reply("550 5.7.26 Unauthenticated"),
        reply("250 Ok"),
        unknown_reply(),
    ]);
    let out = explain(Format::Json, InputForm::PostfixLog, &items);
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
    assert_eq!(value["schema"], "mailtriage.explain/v1");
    assert_eq!(value["form"], "postfix-log");
    let first = &value["replies"][0];
    assert_eq!(first["enhanced"], "5.7.26");
    assert_eq!(first["action"], "fix-authentication");
    assert_eq!(first["rule"]["id"], "enhanced-x-7-26");
    assert_eq!(
        first["meaning"]["enhanced"]["subject"],
        "security or policy status"
    );
    assert_eq!(value["replies"][2]["recognised"], false);
}

/// Runs `mailtriage explain` on a message given on standard input.
fn explain_stdin(msg: &str, format: &str) -> std::process::Output {
    crate::cli_support::run(&["explain", "-", "--format", format], Some(msg.as_bytes()))
}

fn validate(value: &serde_json::Value) {
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
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

const GAVE_UP: &str = "From: MAILER-DAEMON@mx.example.jp\nTo: ann@example.com\n\
    Subject: failure notice\n\n\
    Hi. This is the qmail-send program at mx.example.jp.\n\
    I'm afraid I wasn't able to deliver your message to the following addresses.\n\
    This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
    <kim@example.org>:\n\
    Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)\n\
    I'm not going to try again; this message has been in the queue too long.\n";

const WARNING: &str = "From: MAILER-DAEMON@mx.example.jp\nTo: ann@example.com\n\
    Subject: Warning: message 1abc-000 delayed 24 hours\n\n\
    This message was created automatically by mail delivery software.\n\
    A message that you sent has not yet been delivered to one or more of its\n\
    recipients after more than 24 hours on the queue on mx.example.jp.\n\n\
    The address to which the message has not yet been delivered is:\n\n\
    \x20 kim@example.org\n\
    \x20   Delay reason: SMTP error from remote mail server after RCPT TO:<kim@example.org>:\n\
    \x20   host mx.example.org [192.0.2.9]: 451 4.3.0 Temporary local problem\n\n\
    No action is required on your part. Delivery attempts will continue for\n\
    some time, and this warning may be repeated at intervals.\n";

#[test]
fn a_4xx_the_server_gave_up_on_is_permanent_and_a_delay_warning_is_not() {
    use crate::cli_support::{code, json, stdout};
    let o = explain_stdin(GAVE_UP, "human");
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(text.starts_with("Bounce: "), "{text}");
    assert!(
        text.contains("permanent    yes: the bounce is a failure notice: the server gave up after this temporary error"),
        "{text}"
    );
    let o = explain_stdin(GAVE_UP, "json");
    let v = json(&o);
    validate(&v);
    assert_eq!(v["kind"], "bounce");
    assert_eq!(v["replies"][0]["enhanced"], "4.4.1");
    assert_eq!(v["replies"][0]["recipient"], "kim@example.org");
    assert_eq!(v["replies"][0]["permanent"], true);
    assert_eq!(v["replies"][0]["permanent_basis"], "bounce-words");

    let v = json(&explain_stdin(WARNING, "json"));
    validate(&v);
    assert_eq!(v["kind"], "delay-warning");
    assert_eq!(v["replies"][0]["basic"], 451);
    assert_eq!(v["replies"][0]["permanent"], false);
    let text = stdout(&explain_stdin(WARNING, "human"));
    assert!(text.starts_with("Delay warning: "), "{text}");
    assert!(text.contains("permanent    no: a delay warning"), "{text}");

    // Exchange's delay notice, in its own words.
    let exchange = "From: postmaster@example.org\nTo: ann@example.com\n\
        Subject: Delivery delayed: Hello\n\n\
        Delivery is delayed to these recipients or groups:\n\n\
        kim@example.org\n\n\
        This message hasn't been delivered yet. Delivery will continue to be attempted.\n\n\
        Diagnostic information for administrators:\n\
        Remote Server returned '400 4.4.7 Message delayed'\n";
    let v = json(&explain_stdin(exchange, "json"));
    validate(&v);
    assert_eq!(v["kind"], "delay-warning");
    assert_eq!(v["replies"][0]["recipient"], "kim@example.org");
    assert_eq!(v["replies"][0]["permanent"], false);

    // A bare reply: the class decides, and says so.
    let v = json(&crate::cli_support::run(
        &["explain", "421 4.7.0 Try again later", "--format", "json"],
        None,
    ));
    assert_eq!(v["kind"], serde_json::Value::Null);
    assert_eq!(v["replies"][0]["permanent"], false);
    assert_eq!(v["replies"][0]["permanent_basis"], "reply-class");
}

/// Internationalised addresses (RFC 6531): named in a quoted-printable body, or given as an
/// RFC 2047 encoded word in X-Failed-Recipients, they are the recipient, decoded.
#[test]
fn an_internationalised_recipient_is_found_decoded() {
    use crate::cli_support::json;
    let body = "From: MAILER-DAEMON@mx.example.com\nTo: ann@example.com\n\
        Subject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\n\
        Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n\
        Delivery to the following recipient failed permanently:\n\n\
        \x20    j=C3=B6rg@example.de\n\n\
        Technical details of permanent failure:\n\
        The remote server did not offer SMTPUTF8.\n";
    let v = json(&explain_stdin(body, "json"));
    validate(&v);
    assert_eq!(v["replies"][0]["recipient"], "jörg@example.de");
    let header = "From: MAILER-DAEMON@mx.example.com\nTo: ann@example.com\n\
        X-Failed-Recipients: =?UTF-8?B?asO2cmdAZXhhbXBsZS5kZQ==?=\n\
        Subject: Mail delivery failed\n\n\
        A message that you sent could not be delivered to one or more of its recipients.\n\
        SMTP error from remote mail server after RCPT TO: 550 5.1.1 No such user\n";
    let v = json(&explain_stdin(header, "json"));
    validate(&v);
    assert_eq!(v["replies"][0]["recipient"], "jörg@example.de");
    assert_eq!(v["replies"][0]["enhanced"], "5.1.1");
}

/// The mail system marks its own notices `auto-replied` too: a notice from postmaster (or
/// MAILER-DAEMON, or an empty From) that says a message was rejected is a bounce, not an
/// out-of-office reply.
#[test]
fn an_auto_submitted_notice_from_the_mail_system_is_a_bounce() {
    use crate::cli_support::json;
    let notice = "From: postmaster@example.de\nTo: ann@example.com\nAuto-Submitted: auto-replied\n\
        Subject: email notification\n\n\
        Your message was rejected and discarded: it could not be delivered to the mailbox.\n\n\
        reject reason: Mailbox full\n\
        target mail address: kim@example.de\n";
    let v = json(&explain_stdin(notice, "json"));
    validate(&v);
    assert_eq!(v["kind"], "bounce");
    assert_eq!(v["replies"][0]["recipient"], "kim@example.de");
    assert_eq!(v["replies"][0]["category"], "mailbox-full");
    // The same words from a person's address under the same marking stay an auto-reply.
    let away = notice.replace("From: postmaster@example.de", "From: kim@example.de");
    let v = json(&explain_stdin(&away, "json"));
    assert_eq!(v["kind"], "auto-reply");
}

/// A failure notice that names nobody and gives no code (a gateway's, or one whose addresses no
/// mail system would use) is still a failure: reported without a recipient, not refused.
#[test]
fn a_failure_notice_that_names_nobody_is_a_bounce_without_a_recipient() {
    use crate::cli_support::{code, json, stdout};
    let notice = "From: postmaster@gateway.example\nTo: ann@example.com\n\
        Subject: Undeliverable Mail\n\n\
        ****** Message from the mail gateway ******\n\
        The following mail could not be delivered.\n\
        Reason: Exceeded Maximum Delivery Attempts.\n";
    let o = explain_stdin(notice, "human");
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("Bounce: "), "{}", stdout(&o));
    let v = json(&explain_stdin(notice, "json"));
    validate(&v);
    assert_eq!(v["kind"], "bounce");
    assert_eq!(v["replies"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["replies"][0]["recipient"], serde_json::Value::Null);
    assert_eq!(v["replies"][0]["permanent"], true);
    assert_eq!(v["replies"][0]["permanent_basis"], "bounce-words");
    assert!(
        v["replies"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("could not be delivered")),
        "{v}"
    );
    // A message from a mail system that says nothing of a failure is still refused.
    let o = explain_stdin(
        "From: MAILER-DAEMON@gateway.example\nTo: ann@example.com\nSubject: hello\n\n<<< No Message Collected >>>\n",
        "human",
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn messages_that_are_not_bounces_say_so() {
    use crate::cli_support::{code, json, stderr, stdout};
    let auto = "From: kim@example.org\nTo: ann@example.com\nSubject: Out of Office: back on Monday\n\
                Auto-Submitted: auto-replied\n\nI am away until Monday.\n";
    let o = explain_stdin(auto, "human");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Not a bounce: an automatic reply"),
        "{}",
        stdout(&o)
    );
    let v = json(&explain_stdin(auto, "json"));
    validate(&v);
    assert_eq!(v["kind"], "auto-reply");
    assert_eq!(v["replies"][0]["bounce_type"], "none");
    assert_eq!(v["replies"][0]["permanent"], serde_json::Value::Null);

    // Out-of-office notices that carry no marking header: a localised subject, or only words.
    for away in [
        "From: kim@example.org\nTo: ann@example.com\nSubject: Abwesenheitsnotiz: Hallo\n\n\
         Ich bin bis Montag nicht im Haus.\n",
        "From: kim@example.org\nTo: ann@example.com\nSubject: Re: Hello\n\n\
         Thank you for your message. I am currently out of the office and will return on \
         Monday. For urgent matters write to desk@example.org.\n",
    ] {
        let v = json(&explain_stdin(away, "json"));
        validate(&v);
        assert_eq!(v["kind"], "auto-reply", "{away}");
        assert_eq!(v["replies"][0]["bounce_type"], "none", "{away}");
    }

    // A challenge-response filter, even dressed as a DSN, refused nothing.
    let challenge = "From: noreply@filter.example\nTo: ann@example.com\nSubject: Re: Hello\n\
        MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
        --B\nContent-Type: text/plain\n\nThis account is protected by a filter. Please click on the \
        following link to have your address added to the recipient's allowed list.\n\n\
        --B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; filter.example\n\n\
        Final-Recipient: rfc822; kim@example.org\nAction: failed\nStatus: 4.7.0\n\
        Diagnostic-Code: X-Filter; Sender not pre-approved\n\n--B--\n";
    let o = explain_stdin(challenge, "human");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Not a bounce: a challenge-response filter"),
        "{}",
        stdout(&o)
    );
    let v = json(&explain_stdin(challenge, "json"));
    validate(&v);
    assert_eq!(v["kind"], "challenge-response");
    assert_eq!(v["replies"].as_array().map(Vec::len), Some(0));

    // An ordinary message is refused in one line.
    let plain = "From: kim@example.org\nTo: ann@example.com\nSubject: lunch\n\n\
                 Shall we meet at noon? Write to kim.lee@example.org if not.\n";
    let o = explain_stdin(plain, "human");
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("not a bounce"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
