//! (c) Reply decoding throughput: synthetic Postfix log lines through `reply::extract` + `decode`.

use crate::synth::Rng;
use mailtriage::rules::RuleSet;
use std::fmt::Write;
use std::time::Instant;

/// (dsn, status, reply) shapes seen in real Postfix logs: Gmail, Microsoft, Yahoo and generic MTAs.
const REPLIES: &[(&str, &str, &str)] = &[
    (
        "5.7.26",
        "bounced",
        "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. 550 5.7.26 Authentication results: dkim=none spf=fail - gsmtp",
    ),
    (
        "4.7.27",
        "deferred",
        "421-4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. 421 4.7.27 https://support.google.com/mail/answer/81126#authentication a1si123 - gsmtp",
    ),
    (
        "5.7.515",
        "bounced",
        "550 5.7.515 Access denied, sending domain example.com doesn't meet the required authentication level.",
    ),
    (
        "5.1.1",
        "bounced",
        "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
    ),
    (
        "4.7.0",
        "deferred",
        "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints",
    ),
    (
        "5.7.1",
        "bounced",
        "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org",
    ),
    (
        "5.7.9",
        "bounced",
        "550 5.7.9 Message not accepted for policy reasons. DMARC policy of example.com is reject",
    ),
];

/// `n` Postfix `smtp` delivery lines, varied by host, queue id and reply.
pub fn postfix_lines(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let (dsn, status, reply) = REPLIES[rng.below(REPLIES.len() as u64) as usize];
            let mut l = String::with_capacity(400);
            let _ = write!(
                l,
                "Nov 22 10:{:02}:{:02} mx{} postfix/smtp[{}]: {:012X}: to=<user{i}@example.net>, relay=mx.example.net[198.51.100.{}]:25, delay=1.2, delays=0.01/0/0.4/0.8, dsn={dsn}, status={status} (host mx.example.net[198.51.100.{}] said: {reply} (in reply to end of DATA command))",
                (i / 60) % 60,
                i % 60,
                rng.below(4),
                1000 + rng.below(60000),
                rng.next_u64() & 0xFFFF_FFFF_FFFF,
                rng.below(255),
                rng.below(255),
            );
            l
        })
        .collect()
}

/// Lines per second over `lines`, fed to `extract` in chunks (its input is capped at 10 MB),
/// every extracted reply decoded. Returns (lines/s, replies decoded).
pub fn measure(rules: &RuleSet, lines: &[String], chunk: usize) -> (f64, usize) {
    let chunks: Vec<String> = lines.chunks(chunk.max(1)).map(|c| c.join("\n")).collect();
    let start = Instant::now();
    let mut decoded = 0usize;
    for text in &chunks {
        if let Ok(extracted) = mailtriage::reply::extract(text.as_bytes()) {
            for reply in &extracted.replies {
                let d = rules.decode(reply);
                std::hint::black_box(&d);
                decoded += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    (lines.len() as f64 / secs, decoded)
}
