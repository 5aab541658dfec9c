//! `diagnose` on sending services' (ESPs') refusals: a shared ESP address on a blocklist
//! escalates to the ESP's support (only it can have its pool delisted), and an ESP's own
//! refusal (an unverified identity, a paused account, an API key, Graph's Send As) escalates
//! to that ESP's documented support path with what it asks for, not to a receiver's
//! postmaster. Each scenario says what a careful operator expects first, then runs.
#![allow(clippy::unwrap_used)]

use super::diagnose_support::{diagnose_with_code, escalation, fixing};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/scenarios8";

fn gather(d: &Value) -> String {
    d["escalation"]["gather"].to_string()
}

fn places(d: &Value) -> String {
    d["escalation"]["where"].to_string()
}

#[test]
fn a_shared_sendgrid_address_on_the_sbl_escalates_to_sendgrid_with_its_message_id() {
    // news@shared8.example sends through SendGrid's shared pool; Spamhaus lists the pool
    // address 198.51.100.40, whose PTR is SendGrid's. The operator expects the escalation to
    // be SendGrid's support (a ticket naming the X-Message-Id and the event), not Spamhaus's
    // removal form, which only SendGrid may use for its own address; and to escalate now.
    let (_, d) = diagnose_with_code(
        ZONES,
        "554 5.7.1 Service unavailable; Client host [198.51.100.40] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.40",
        &["--from", "news@shared8.example", "--dkim-selector", "s1"],
    );
    assert_eq!(escalation(&d), ("escalation-sendgrid-shared-ip", true));
    assert_eq!(d["escalation"]["provider"], "sendgrid");
    assert!(gather(&d).contains("X-Message-Id"), "{}", gather(&d));
    assert!(
        places(&d).contains("support.sendgrid.com"),
        "{}",
        places(&d)
    );
    assert!(!places(&d).contains("spamhaus"), "{}", places(&d));
    // The step still says the address is SendGrid's to have delisted.
    assert_eq!(fixing(&d), ["blocklist-delist"]);
}

#[test]
fn the_same_listing_from_the_senders_own_address_still_goes_to_the_list() {
    // Without an ESP's PTR the listed address is the sender's own: Spamhaus's path stays.
    let (_, d) = diagnose_with_code(
        ZONES,
        "554 5.7.1 Service unavailable; Client host [198.51.100.40] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.40",
        &["--domain", "shared8.example", "--ip", "192.0.2.99"],
    );
    assert_ne!(
        d["escalation"]["provider"], "sendgrid",
        "{}",
        d["escalation"]
    );
}

#[test]
fn an_ses_refusal_of_an_unverified_identity_escalates_to_aws_not_to_a_receiver() {
    // The application's SDK reports SES's MessageRejected, with no SMTP code. The operator
    // expects: the reply is SES's own (fix the sender's set-up: verify the identity in that
    // region), and the escalation, should it persist, is an AWS Support case with the
    // message id and region, not a receiver's postmaster.
    let (_, d) = diagnose_with_code(
        ZONES,
        "An error occurred (MessageRejected) when calling the SendEmail operation: Email address is not verified. The following identities failed the check in region US-WEST-2: news@shared8.example",
        &["--domain", "shared8.example"],
    );
    assert_eq!(
        d["replies"][0]["provider"]["id"], "amazon-ses",
        "{}",
        d["replies"][0]
    );
    assert_eq!(d["replies"][0]["action"], "fix-sender-config");
    assert_eq!(escalation(&d).0, "escalation-amazon-ses");
    assert!(
        places(&d).contains("console.aws.amazon.com/support"),
        "{}",
        places(&d)
    );
    assert!(gather(&d).contains("region"), "{}", gather(&d));
    assert!(!places(&d).contains("postmaster@"), "{}", places(&d));
}

#[test]
fn a_graph_send_as_refusal_goes_to_the_tenants_admin_not_to_outlook_sender_support() {
    let (_, d) = diagnose_with_code(
        ZONES,
        "403 Forbidden {\"error\":{\"code\":\"ErrorSendAsDenied\",\"message\":\"The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.\"}}",
        &["--domain", "shared8.example"],
    );
    assert_eq!(d["replies"][0]["provider"]["id"], "microsoft");
    assert_eq!(escalation(&d).0, "escalation-microsoft-graph");
    assert!(gather(&d).contains("request-id"), "{}", gather(&d));
    assert!(!places(&d).contains("sendersupport.olc"), "{}", places(&d));
}

#[test]
fn a_postmark_inactive_recipient_is_suppressed_and_escalates_to_postmark() {
    let (_, d) = diagnose_with_code(
        ZONES,
        "{\"ErrorCode\":406,\"Message\":\"You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: eve@example.org.\"}",
        &["--domain", "shared8.example"],
    );
    assert_eq!(d["replies"][0]["action"], "suppress-address");
    assert!(d["replies"][0]["basic"].is_null(), "{}", d["replies"][0]);
    assert_eq!(escalation(&d).0, "escalation-postmark");
}
