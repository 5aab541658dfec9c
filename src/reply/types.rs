//! What reply extraction produces: the replies found in an input and the original message's headers.

use serde::Serialize;
use std::net::IpAddr;

/// Which kind of input a reply was dug out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputForm {
    /// A bare SMTP reply, one or many lines (`550-5.7.26 ...`).
    Reply,
    PostfixLog,
    EximLog,
    SendmailLog,
    /// A CSV/TSV/JSON row exported by an email service provider that carries the raw reply.
    EspRow,
    /// A whole bounce message (DSN, NDR, plain-text bounce).
    Bounce,
}

/// One SMTP reply found in the input.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reply {
    /// Basic reply code, e.g. 550 (None when the input only carried an enhanced code).
    pub basic: Option<u16>,
    /// Enhanced status code, e.g. "5.7.26" (None when absent).
    pub enhanced: Option<String>,
    /// The reply text with continuation prefixes (`550-5.7.26 `) removed, lines joined by one space.
    pub text: String,
    /// The recipient this reply is about, when the input says.
    pub recipient: Option<String>,
    /// The host that sent the reply (Remote-MTA, `host mx.example.com[1.2.3.4] said:`).
    pub remote_mta: Option<String>,
    /// The host that wrote the bounce (a DSN's Reporting-MTA). Without a remote MTA, the
    /// reply is its own, so its host tells whose codes these are.
    pub reporting_mta: Option<String>,
    /// The name the answering server gives itself in its words (Microsoft's trailing
    /// `[BN8NAM12FT059.eop-nam12.prod.protection.outlook.com]`, `421 mx.example.com ...`):
    /// who wrote the reply, even when a gateway passed it on.
    pub server_name: Option<String>,
    /// The SMTP command the reply answered (`RCPT TO`, `end of DATA`), when known.
    pub smtp_command: Option<String>,
    /// RFC 3464 Action (failed, delayed, delivered, relayed, expanded).
    pub dsn_action: Option<String>,
    /// Whether the failure is final for the sender's list, and what says so; `None` when the
    /// reply reports no failure (a success, an auto-reply, a complaint). Set by [`extract`].
    ///
    /// [`extract`]: super::extract
    pub finality: Option<Finality>,
}

/// Whether a failure is final: the reporting server gave up (a permanent failure, also when the
/// last error it met was a temporary 4.x.x one) or is still retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Finality {
    pub permanent: bool,
    pub basis: FinalityBasis,
}

/// What a [`Finality`] was read from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FinalityBasis {
    /// The delivery-status Action (RFC 3464 section 2.3.3) or the log's delivery status
    /// (Postfix `status=bounced|deferred`, Exim `**`/`==`, Sendmail `stat=Deferred`).
    DeliveryStatus,
    /// The bounce's own words: a failure notice ("could not be delivered", "I've given up",
    /// "permanent error") or a delay warning ("will continue to try", "warning only").
    BounceWords,
    /// The reply's class: 5 permanent, 4 temporary (RFC 5321 section 4.2.1, RFC 3463 section 3.1).
    ReplyClass,
}

impl FinalityBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            FinalityBasis::DeliveryStatus => "delivery-status",
            FinalityBasis::BounceWords => "bounce-words",
            FinalityBasis::ReplyClass => "reply-class",
        }
    }
}

impl Reply {
    /// Whether the reply carries a code at all (basic or enhanced), as opposed to words a
    /// bounce gave without one.
    pub fn has_code(&self) -> bool {
        self.basic.is_some() || self.enhanced.is_some()
    }
}

/// Headers of the original message carried inside a bounce (for `diagnose`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OriginalHeaders {
    pub from: Option<String>,
    pub return_path: Option<String>,
    /// (d=, s=) of each DKIM-Signature.
    pub dkim: Vec<(String, String)>,
    /// The sending IP as the receiver recorded it (Received-SPF or Authentication-Results it
    /// added); None when the receiver added no such header, as when it rejected during SMTP.
    pub sending_ip: Option<IpAddr>,
    /// Where `sending_ip` was read, for the report's provenance.
    pub sending_ip_source: Option<String>,
    pub helo: Option<String>,
    /// Where `helo` was read.
    pub helo_source: Option<String>,
    /// Host names in the Received headers (from, its reverse-DNS name, by), top-most header
    /// first, each with where it was seen: clues to the sending service.
    pub received_hosts: Vec<(String, String)>,
    pub authentication_results: Vec<String>,
    pub message_id: Option<String>,
    /// The addresses of the original's To header: who a bounce that names no recipient failed
    /// to reach. Not part of the report (the recipients are, each with its reply).
    #[serde(skip)]
    pub to: Vec<String>,
    /// The display names of the original's To and Cc addresses, each with its address: whom a
    /// notice that names recipients by name only (Exchange's "'Ann Kim' on 1/12/2026") means.
    #[serde(skip)]
    pub named: Vec<(String, String)>,
}

/// What a message is, for a whole message given as input: a bounce mailbox also receives
/// auto-replies, complaints, read receipts and list notices, which report no failed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    /// A non-delivery report: delivery failed for good (or the message says it failed).
    Bounce,
    /// A delay warning: delivery has not succeeded yet and is still being retried.
    DelayWarning,
    /// An automatic reply (RFC 3834: vacation, out-of-office, "I have a new address").
    AutoReply,
    /// A challenge-response filter asking the sender to confirm before it delivers.
    ChallengeResponse,
    /// An abuse or feedback report (RFC 5965 ARF).
    FeedbackReport,
    /// An ARF authentication failure report (RFC 6591, `Feedback-Type: auth-failure`): a
    /// receiver reports a message that failed SPF, DKIM or DMARC; nobody complained.
    AuthFailureReport,
    /// An ARF report of `Feedback-Type: not-spam` (RFC 6430): a message wrongly taken for spam.
    NotSpamReport,
    /// A read receipt or other message disposition notification (RFC 8098).
    ReadReceipt,
    /// A delivery-status notification that reports success only (delivered, relayed, expanded).
    DeliveryReport,
}

impl MessageKind {
    /// Whether the message reports a failed (or not yet successful) delivery.
    pub fn is_failure_report(self) -> bool {
        matches!(self, MessageKind::Bounce | MessageKind::DelayWarning)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Bounce => "bounce",
            MessageKind::DelayWarning => "delay-warning",
            MessageKind::AutoReply => "auto-reply",
            MessageKind::ChallengeResponse => "challenge-response",
            MessageKind::FeedbackReport => "feedback-report",
            MessageKind::AuthFailureReport => "auth-failure-report",
            MessageKind::NotSpamReport => "not-spam-report",
            MessageKind::ReadReceipt => "read-receipt",
            MessageKind::DeliveryReport => "delivery-report",
        }
    }

    /// One sentence for a reader: what the message is (after "Bounce:", "Delay warning:" or
    /// "Not a bounce:").
    pub fn describe(self) -> &'static str {
        match self {
            MessageKind::Bounce => "a non-delivery report: delivery failed.",
            MessageKind::DelayWarning => {
                "delivery has not succeeded yet and is still being retried."
            }
            MessageKind::AutoReply => {
                "an automatic reply (vacation or out-of-office notice); the message was delivered."
            }
            MessageKind::ChallengeResponse => {
                "a challenge-response filter asks the sender to confirm before it delivers; no server refused the message."
            }
            MessageKind::FeedbackReport => {
                "a feedback (abuse) report about a delivered message; its recipients complained."
            }
            MessageKind::AuthFailureReport => {
                "an authentication failure report (RFC 6591): a receiver reports a message using the domain that failed SPF, DKIM or DMARC; nobody complained, so no address is to be suppressed. Check the domain's authentication (`mailtriage check`) and whether the reported source is one of its senders."
            }
            MessageKind::NotSpamReport => {
                "a not-spam report (RFC 6430): a recipient or filter says a message was wrongly taken for spam; nobody complained, so no address is to be suppressed."
            }
            MessageKind::ReadReceipt => {
                "a read receipt (message disposition notification) for a delivered message."
            }
            MessageKind::DeliveryReport => {
                "a delivery-status notification that reports successful delivery."
            }
        }
    }

    /// The label a reader sees before [`describe`](Self::describe).
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Bounce => "Bounce",
            MessageKind::DelayWarning => "Delay warning",
            _ => "Not a bounce",
        }
    }
}

/// Everything found in one input.
#[derive(Debug, Clone, Serialize)]
pub struct Extracted {
    pub form: InputForm,
    /// What the message is, when the input was a whole message; `None` for replies, log lines
    /// and export rows.
    pub kind: Option<MessageKind>,
    pub replies: Vec<Reply>,
    pub original: Option<OriginalHeaders>,
}

/// Why an input could not be read as a reply. Maps to exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the input is empty")]
    Empty,
    #[error("the input is {0} bytes; the limit is {1} bytes")]
    TooLarge(usize, usize),
    #[error("the input looks like binary data, not a reply, log line or message")]
    Binary,
    #[error("no SMTP reply code found in the input")]
    NoReply,
    #[error("reply code {0} is out of range: {1}")]
    OutOfRange(String, String),
    #[error("the bounce message has no delivery-status part and no reply in its text")]
    BounceWithoutStatus,
    #[error(
        "not a bounce: the message reports no failed delivery (no delivery-status part, no reply code, no failure wording)"
    )]
    NotABounce,
    #[error(
        "the message nests messages (message/rfc822 inside message/rfc822) more than {0} levels deep; mailtriage reads at most {0}"
    )]
    NestedTooDeep(usize),
    #[error(
        "the input is a mailbox of more than {0} messages; read it with `mailtriage scan`, which takes mailboxes of any size"
    )]
    TooManyMessages(usize),
}
