//! Sending services' (ESPs') refusals as a user pastes them into `explain`: API JSON errors and
//! SDK exceptions without any SMTP code, relay replies, and event records, for Amazon SES,
//! SendGrid, Mailgun, SparkPost, Postmark, Resend, Mailchimp Transactional, Mailjet, Brevo,
//! MailerSend and Microsoft Graph. Each names its service, its category and the action the
//! service's documentation gives; an HTTP status or an API's own error number is never read as
//! an SMTP code, and a code-less text no service's rule reads stays refused.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, json, run, stderr};
use crate::rules_providers::builtin;
use mailtriage::rules::{Action, Decoded, RuleSet};

fn set() -> &'static RuleSet {
    builtin()
}

/// The first reply `explain` reads from `text`, decoded; panics when explain refuses it.
fn explain(text: &str) -> (mailtriage::reply::Reply, Decoded) {
    let ex = set()
        .extract(text.as_bytes())
        .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let r = ex.replies.into_iter().next().unwrap();
    let d = set().decode(&r);
    (r, d)
}

fn check(cases: &[(&str, &str, &str, Action)]) {
    for (text, provider, category, action) in cases {
        let (r, d) = explain(text);
        let got = d.provider.as_ref().map(|p| p.id.as_str());
        assert_eq!(got, Some(*provider), "{text}\n{d:#?}");
        assert_eq!(d.category, *category, "{text}: rule {}", d.rule.id);
        assert_eq!(d.action, *action, "{text}: rule {}", d.rule.id);
        // An HTTP status or an API's error number is no SMTP reply code.
        for n in [
            "400", "401", "403", "404", "406", "412", "420", "422", "429",
        ] {
            assert_ne!(r.basic.map(|b| b.to_string()).as_deref(), Some(n), "{text}");
        }
    }
}

#[test]
fn amazon_ses_api_and_smtp_refusals_name_ses_and_what_to_fix() {
    check(&[
        (
            "An error occurred (MessageRejected) when calling the SendRawEmail operation: Email address is not verified. The following identities failed the check in region AP-SOUTHEAST-2: orders@shop.example",
            "amazon-ses",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "smtplib.SMTPDataError: (554, b'Message rejected: Email address is not verified. The following identities failed the check in region EU-CENTRAL-1: noreply@app.example')",
            "amazon-ses",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "MailFromDomainNotVerifiedException: Mail-From domain mail.shop.example is not verified",
            "amazon-ses",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "software.amazon.awssdk.services.ses.model.AccountSendingPausedException: Sending paused for this account. (Service: Ses, Status Code: 400, Request ID: 1a2b)",
            "amazon-ses",
            "policy",
            Action::FixSenderConfig,
        ),
        (
            "454 Throttling failure: Daily message quota exceeded.",
            "amazon-ses",
            "rate-limit",
            Action::SlowDown,
        ),
        (
            "ThrottlingException: Maximum sending rate exceeded. (Service: AmazonSimpleEmailService; Status Code: 400; Error Code: Throttling)",
            "amazon-ses",
            "rate-limit",
            Action::SlowDown,
        ),
        (
            "Mar 3 10:00:01 app postfix/smtp[99]: 1A2B: to=<x@example.org>, relay=email-smtp.eu-west-1.amazonaws.com[192.0.2.8]:587, status=bounced (host email-smtp.eu-west-1.amazonaws.com[192.0.2.8] said: 535 Authentication Credentials Invalid (in reply to AUTH command))",
            "amazon-ses",
            "smtp-auth",
            Action::FixSenderConfig,
        ),
    ]);
}

#[test]
fn sendgrid_and_mailgun_api_errors_decode_without_an_smtp_code() {
    check(&[
        (
            "{\"errors\":[{\"message\":\"The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.\",\"field\":\"from\",\"help\":null}]}",
            "sendgrid",
            "sender-address",
            Action::FixSenderConfig,
        ),
        (
            "ResponseError: Forbidden\n    at /srv/app/node_modules/@sendgrid/client/src/classes/client.js:146:29\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
            "sendgrid",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "python_http_client.exceptions.UnauthorizedError: HTTP Error 401: Unauthorized b'{\"errors\":[{\"field\":null,\"message\":\"The provided authorization grant is invalid, expired, or revoked\"}]}'",
            "sendgrid",
            "smtp-auth",
            Action::FixSenderConfig,
        ),
        (
            "Error: Domain sandbox9a8b.mailgun.org is not allowed to send: Sandbox subdomains are for test purposes only. Please add your own domain or add the address to authorized recipients in Account Settings.",
            "mailgun",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "RestClient::NotFound: 404 Not Found {\"message\": \"Domain not found: mg.shop.example\"}",
            "mailgun",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "[Error: Unauthorized] { status: 401, details: 'Forbidden', type: 'MailgunAPIError' }",
            "mailgun",
            "smtp-auth",
            Action::FixSenderConfig,
        ),
    ]);
}

#[test]
fn sparkpost_postmark_and_resend_refusals_decode_with_their_documented_actions() {
    check(&[
        (
            "Net::SMTPFatalError: 550 5.7.1 Unconfigured Sending Domain <news.shop.example>",
            "sparkpost",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "{\"errors\":[{\"message\":\"Invalid domain\",\"code\":\"7001\",\"description\":\"Unconfigured Sending Domain <app.example> \"}]}",
            "sparkpost",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "bounce: 554 5.7.1 [internal] recipient address was suppressed due to customer policy",
            "sparkpost",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "{\"ErrorCode\":406,\"Message\":\"You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: bob@example.org. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.\"}",
            "postmark",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "Postmark::InvalidEmailRequestError: Invalid 'From' address: 'Shop, Inc <shop@example.com>'.",
            "postmark",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "{\"ErrorCode\":412,\"Message\":\"While your account is pending approval, all recipient addresses must share the same domain as the 'From' address.\"}",
            "postmark",
            "policy",
            Action::FixSenderConfig,
        ),
        (
            "Error sending email: The shop.example domain is not verified. Please, add and verify your domain on https://resend.com/domains",
            "resend",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "{\"statusCode\":429,\"message\":\"Too many requests. You can only make 2 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.\",\"name\":\"rate_limit_exceeded\"}",
            "resend",
            "rate-limit",
            Action::SlowDown,
        ),
    ]);
}

#[test]
fn mandrill_mailjet_brevo_mailersend_and_graph_refusals_name_their_service() {
    check(&[
        (
            "[{\"email\":\"carol@example.org\",\"status\":\"rejected\",\"reject_reason\":\"unsub\",\"_id\":\"abc123\"}]",
            "mandrill",
            "recipient-address",
            Action::SuppressAddress,
        ),
        (
            "[{\"email\":\"carol@example.org\",\"status\":\"rejected\",\"reject_reason\":\"invalid-sender\",\"_id\":\"abc124\"}]",
            "mandrill",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "{\"Messages\":[{\"Status\":\"error\",\"Errors\":[{\"ErrorIdentifier\":\"0f1e\",\"ErrorCode\":\"send-0008\",\"StatusCode\":403,\"ErrorMessage\":\"\\\"info@shop.example\\\" is not an authorized sender email address for your account.\",\"ErrorRelatedTo\":[\"From\"]}]}]}",
            "mailjet",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "brevo API response 401 (POST https://api.brevo.com/v3/smtp/email): {\"code\":\"unauthorized\",\"message\":\"Key not found\"}",
            "brevo",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "421 Your account reached its email quota limit. Contact support to increase it. #MS42204",
            "mailersend",
            "rate-limit",
            Action::SlowDown,
        ),
        (
            "{\"error\":{\"code\":\"ErrorSendAsDenied\",\"message\":\"The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.\"}}",
            "microsoft",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "Graph call failed: {\"error\":{\"code\":\"MailboxNotEnabledForRESTAPI\",\"message\":\"REST API is not yet supported for this mailbox.\"}}",
            "microsoft",
            "sender-configuration",
            Action::FixSenderConfig,
        ),
        (
            "HTTP 429 {\"error\":{\"code\":\"ApplicationThrottled\",\"message\":\"Application is over its MailboxConcurrency limit.\"}}",
            "microsoft",
            "rate-limit",
            Action::SlowDown,
        ),
    ]);
}

#[test]
fn a_code_less_text_that_no_services_rule_reads_is_still_refused() {
    for text in [
        // Words only a generic reading knows, with no service's signal.
        "Error: Forbidden",
        "The example.com domain is not verified.",
        // A service's signal but words none of its rules know.
        "{\"errors\":[{\"message\":\"The content value must be a string at least one character in length.\",\"field\":\"content.0.value\"}]} api.sendgrid.com",
    ] {
        assert!(set().extract(text.as_bytes()).is_err(), "{text}");
    }
}

#[test]
fn explain_prints_an_api_refusal_with_its_service_and_no_smtp_code_and_exits_0() {
    let input = "{\"ErrorCode\":406,\"Message\":\"You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: dan@example.net.\"}";
    let o = run(&["explain", "--format", "json"], Some(input.as_bytes()));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let r = &v["replies"][0];
    assert_eq!(r["provider"]["id"], "postmark", "{v}");
    assert_eq!(r["action"], "suppress-address", "{v}");
    assert!(r["basic"].is_null(), "406 is Postmark's error number: {v}");
    // The same words without Postmark's signals are no reply of anyone's.
    let o = run(&["explain"], Some(b"You tried to send to someone."));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no SMTP reply code found"),
        "{}",
        stderr(&o)
    );
}
