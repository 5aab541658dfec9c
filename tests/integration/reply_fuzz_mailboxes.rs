//! Mailboxes of bounces given whole, and the command line's answer to oversized one-line
//! replies: decoded or refused in one line, in bounded time, never a panic.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr};
use super::reply_fuzz::{CORPUS, body_in, multipart, run_bounded};
use mailtriage::reply;
use proptest::prelude::*;

/// An mbox `From_` line.
const FROM_LINE: &[u8] = b"From MAILER-DAEMON Thu Apr 29 23:34:45 2015\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Real bounces, bounces in ISO-2022-JP, windows-1251 or an unknown charset (quoted-printable
    /// or 8-bit), and lines of junk, one after another behind `From_` lines (some without the
    /// blank line before, some body lines starting with `From `): decoded or refused in one
    /// line, in bounded time; every recipient a lone corpus bounce reports is reported by the
    /// mailbox it opens.
    #[test]
    fn mailboxes_of_mixed_notices_are_decoded_or_refused(
        picks in proptest::collection::vec(
            (0u8..4, any::<prop::sample::Index>(), proptest::collection::vec(any::<u8>(), 0..200), any::<bool>()),
            2..6,
        ),
    ) {
        let mut mbox = Vec::new();
        for (i, (form, pick, seed, blank)) in picks.iter().enumerate() {
            if i > 0 && *blank {
                mbox.push(b'\n');
            }
            mbox.extend_from_slice(FROM_LINE);
            match form {
                0 => mbox.extend_from_slice(&CORPUS[pick.index(CORPUS.len())]),
                1 => mbox.extend_from_slice(&multipart(&[
                    ("iso-2022-jp", *blank, body_in("iso-2022-jp", seed)),
                    ("us-ascii", false, b"550 5.1.1 <ann@example.jp>: user unknown\n".to_vec()),
                ])),
                2 => mbox.extend_from_slice(&multipart(&[
                    ("windows-1251", *blank, body_in("windows-1251", seed)),
                    ("x-unknown-charset", !*blank, seed.clone()),
                ])),
                _ => {
                    mbox.extend_from_slice(b"Subject: s\n\n");
                    mbox.extend_from_slice(seed);
                    mbox.extend_from_slice(b"\nFrom here on nothing 12:00:00 2026\n");
                }
            }
            mbox.push(b'\n');
        }
        let got = run_bounded(&mbox);
        let (form, pick, _, _) = &picks[0];
        if *form == 0
            && let Ok(alone) = reply::extract(&CORPUS[pick.index(CORPUS.len())])
            && let Ok(all) = &got
        {
            for r in alone.replies.iter().filter_map(|r| r.recipient.as_deref()) {
                prop_assert!(
                    all.replies.iter().any(|a| a.recipient.as_deref() == Some(r)),
                    "{} lost in the mailbox", r
                );
            }
        }
    }
}

/// A mailbox of tiny bounces, `n` of them.
fn tiny_mailbox(n: usize) -> Vec<u8> {
    let mut mbox = Vec::new();
    for i in 0..n {
        mbox.extend_from_slice(FROM_LINE);
        mbox.extend_from_slice(
            format!(
                "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail\n\n\
                 <u{i}@example.com>: 550 5.1.1 user unknown\n\n"
            )
            .as_bytes(),
        );
    }
    mbox
}

/// A mailbox of up to 1,000 messages is read whole; a larger one is refused in one line that
/// names `scan`, never cut short without a word.
#[test]
fn a_mailbox_of_thousands_of_messages_is_read_whole_or_refused() {
    let got = run_bounded(&tiny_mailbox(1000)).unwrap();
    assert_eq!(got.replies.len(), 1000);
    let err = run_bounded(&tiny_mailbox(5000)).unwrap_err().to_string();
    assert!(err.contains("mailtriage scan"), "{err}");
}

/// From the command line, a 100 KB reply on one line is decoded (its code read, its text cut),
/// and 100 KB of one line with no reply in it is refused with a one-line reason and exit 2.
#[test]
fn a_100_kb_line_is_decoded_or_refused_in_one_line() {
    let mut reply = "550 5.1.1 <ann@example.org>: Recipient address rejected:".to_string();
    let mut junk = String::new();
    while junk.len() < 100 * 1024 {
        reply.push_str(" user unknown in virtual mailbox table");
        junk.push_str("no code in these words at all ");
    }
    let out = run(
        &["explain", "-", "--format", "json"],
        Some(reply.as_bytes()),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&["explain", "-"], Some(junk.as_bytes()));
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
