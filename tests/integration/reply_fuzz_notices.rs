//! No notice or long input makes extraction panic or misread its finality: a megabyte of
//! successes, localised delay notices, bounces in legacy charsets, bad input through the binary,
//! prose notices and retry promises in several languages.
#![allow(clippy::unwrap_used)]

use super::reply_fuzz::{
    CORPUS, REPLY_LINE, base64_lines, body_in, encoded_subject, multipart, multipart_under,
    quoted_printable, run_bounded,
};
use mailtriage::reply;
use proptest::prelude::*;

#[test]
fn a_megabyte_of_successes_before_nothing_stays_linear() {
    // Every `250` is a candidate reply; each reads only a window of what follows.
    let line = format!("Log: {}", "250 ok ".repeat(150_000));
    run_bounded(line.as_bytes()).ok();
    let addresses = "kim@example.jp ".repeat(60_000);
    let msg = format!(
        "From: MAILER-DAEMON@mx.example.jp\nTo: ann@example.com\nSubject: Undelivered\n\n\
         Delivery to the following recipients failed:\n{addresses}\n"
    );
    run_bounded(msg.as_bytes()).ok();
}

/// Delay notices written in Japanese (ISO-2022-JP subject and body) and Chinese (GB2312):
/// decoded, and read as delays whose failure is temporary (before: final failures).
#[test]
fn localised_delay_notices_in_iso_2022_jp_and_gb2312_are_delays() {
    let japanese: &[u8] = b"From: MAILER-DAEMON@mail.example.jp\nTo: sender@example.org\nSubject: =?iso-2022-jp?b?GyRCR1s/LkNZMWQkTiQqQ04kaSQ7GyhC?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n\x1b$B0J2<$N08@h$X$N%a!<%k$O$^$@G[?.$5$l$F$$$^$;$s!#\x1b(B\n\x1b$BG[?.$r:F;n9T$7$^$9!#\x1b(B\n\n\x1b$B08@h\x1b(B: taro@example.jp\n";
    let chinese: &[u8] = b"From: postmaster@mail.example.cn\nTo: sender@example.org\nSubject: =?gb2312?b?08q8/tHTs9nNtrXdzajWqg==?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: 8bit\n\n\xc4\xfa\xb7\xa2\xcb\xcd\xb5\xc4\xd3\xca\xbc\xfe\xc9\xd0\xce\xb4\xcb\xcd\xb4\xef\xd2\xd4\xcf\xc2\xca\xd5\xbc\xfe\xc8\xcb\xa3\xac\xcf\xb5\xcd\xb3\xbd\xab\xbc\xcc\xd0\xf8\xb3\xa2\xca\xd4\xcd\xb6\xb5\xdd\xa3\xba\nzhang@example.cn\n";
    for (msg, rcpt) in [(japanese, "taro@example.jp"), (chinese, "zhang@example.cn")] {
        let x = run_bounded(msg).unwrap();
        assert_eq!(x.kind, Some(reply::MessageKind::DelayWarning), "{rcpt}");
        assert_eq!(x.replies.len(), 1, "{:?}", x.replies);
        assert_eq!(x.replies[0].recipient.as_deref(), Some(rcpt));
        assert!(
            x.replies[0].finality.is_some_and(|f| !f.permanent),
            "{rcpt}"
        );
    }
}

#[test]
fn a_windows_1251_bounce_and_an_iso_2022_jp_bounce_are_decoded() {
    // "Сообщение не доставлено" (not delivered) in windows-1251, then the reply.
    let mut body = vec![
        0xd1, 0xee, 0xee, 0xe1, 0xf9, 0xe5, 0xed, 0xe8, 0xe5, b' ', 0xed, 0xe5, b' ', 0xe4, 0xee,
        0xf1, 0xf2, 0xe0, 0xe2, 0xeb, 0xe5, 0xed, 0xee, b'\n',
    ];
    body.extend_from_slice(REPLY_LINE);
    let x = run_bounded(&multipart(&[("windows-1251", false, body)])).unwrap();
    assert_eq!(x.replies[0].recipient.as_deref(), Some("kim@example.jp"));
    assert_eq!(x.replies[0].enhanced.as_deref(), Some("5.1.1"));
    // A Japanese carrier's notice: ISO-2022-JP words, the recipient on a line of its own.
    let mut body = b"\x1b$B%a!<%k$rAw?.$G$-$^$;$s$G$7$?\x1b(B\n\n".to_vec();
    body.extend_from_slice(b"kim@example.jp\n\nThe message could not be delivered: User unknown\n");
    let x = run_bounded(&multipart(&[(
        "iso-2022-jp",
        true,
        quoted_printable(&body, false),
    )]))
    .unwrap();
    assert_eq!(x.replies[0].recipient.as_deref(), Some("kim@example.jp"));
    assert_eq!(x.replies[0].finality.map(|f| f.permanent), Some(true));
}

/// The binary on one bad input: `explain FILE --format json` answers with JSON (exit 0) or
/// refuses in one line `mailtriage: <reason>` (exit 2); never a panic, never another code.
fn explain_binary(input: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.eml");
    std::fs::write(&path, input).unwrap();
    let out = super::cli_support::mailtriage()
        .args(["explain", path.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    match out.status.code() {
        Some(0) => {
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
        }
        Some(2) => {
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.starts_with("mailtriage: "), "{stderr}");
        }
        other => panic!("exit {other:?}: {stderr}"),
    }
}

proptest! {
    // Each case runs the binary: few cases, the library-level properties above cover breadth.
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Issue 14's bad inputs through the command a user runs: a bounce in mixed and unknown
    /// encodings, a bounce quoting a bounce, a reply of 100 KB on one line.
    #[test]
    fn explain_decodes_or_refuses_bad_input_in_one_line(
        kind in 0u8..3,
        charset in prop_oneof![Just("iso-2022-jp"), Just("windows-1251"), Just("x-unknown-42")],
        seed in proptest::collection::vec(any::<u8>(), 0..200),
        pick in any::<prop::sample::Index>(),
    ) {
        let input = match kind {
            0 => multipart_under(
                &encoded_subject(charset, &seed, seed.first().map_or(0, |b| b % 5)),
                &[
                    (charset, "base64", base64_lines(&body_in(charset, &seed), seed.len() % 2 == 0)),
                    ("iso-8859-1", "quoted-printable", quoted_printable(&seed, true)),
                ],
            ),
            1 => {
                let mut m = b"From: helpdesk@example.com\nSubject: Fwd: bounce\nContent-Type: text/plain\n\n".to_vec();
                for line in CORPUS[pick.index(CORPUS.len())].split(|b| *b == b'\n') {
                    m.extend_from_slice(b"> ");
                    m.extend_from_slice(line);
                    m.push(b'\n');
                }
                m
            }
            _ => {
                let word = String::from_utf8_lossy(&seed).replace(['\n', '\r'], " ");
                let mut line = String::from("550 5.1.1 ");
                while line.len() < 100 * 1024 {
                    line.push_str(&word);
                    line.push_str(" <kim@example.jp> said: 550 ");
                }
                line.into_bytes()
            }
        };
        explain_binary(&input);
    }
}

/// Lines of a notice the mail system writes in prose: receipts, refusals, failure and delay
/// words, addresses, a lost body; some in another script or broken across lines.
const NOTICE_LINES: &[&str] = &[
    "Your message has been delivered to the following recipients:",
    "Delivery to these recipients or groups is complete, but no delivery notification was sent",
    "was successfully delivered to",
    "That's not a valid user here.",
    "You sent mail to kim@example.org.",
    "Delivery has failed to these recipients or groups:",
    "Delivery is delayed to these recipients or groups:",
    "<<< No Message Collected >>>",
    "bob@example.net (bob@example.net)",
    "<lee@example.org>:",
    "Subject: Quarterly report",
    "unknown",
    "配信",
    "",
    "Die Zustellung an diese Empfänger oder Gruppen ist fehlgeschlagen:",
    "Votre message n'a pas pu être remis à ces destinataires :",
    "Your parcel could not be delivered today.",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever a notice from the mail system says in prose, it is decoded or refused in one
    /// line; one that only reports deliveries (receipt words, no failure or delay words) is
    /// never read as a failure.
    #[test]
    fn prose_notices_from_the_mail_system_are_read_by_their_words(
        picks in proptest::collection::vec(0..NOTICE_LINES.len(), 0..8),
        subject in prop::sample::select(vec![
            "", "Delivered: Quarterly report", "Relayed: x",
            "Delivery Status Notification (Failure)", "Returned mail: see transcript for details",
        ]),
        null_path in any::<bool>(),
    ) {
        let lines: Vec<&str> = picks.iter().map(|&i| NOTICE_LINES[i]).collect();
        let from = if null_path { "Return-Path: <>\nFrom: <>" } else { "From: postmaster@example.com" };
        let text = format!(
            "{from}\nTo: ann@example.com\nSubject: {subject}\n\n{}\n",
            lines.join("\n")
        );
        let got = run_bounded(text.as_bytes());
        let receipt_only = picks.iter().all(|&i| i <= 2 || i == 8 || i == 10 || i == 13)
            && picks.iter().any(|&i| i <= 2)
            && !subject.contains("(Failure)")
            && !subject.starts_with("Returned");
        if receipt_only {
            prop_assert!(
                got.as_ref().map_or(true, |x| !x.kind.is_some_and(reply::MessageKind::is_failure_report)),
                "a receipt read as a failure: {text:?}"
            );
        }
    }
}

/// The server's promise to try again, in the languages `explain` reads it in.
const RETRY_PROMISES: [&str; 6] = [
    "Nous réessaierons plus tard.",
    "Se volverá a intentar la entrega durante 2 días.",
    "Tentaremos novamente em 30 minutos.",
    "Il messaggio verrà ritentato più tardi.",
    "Die Zustellung wird später erneut versucht.",
    "Попытка доставки будет повторена.",
];

/// Giving up in those languages, some of them the promise negated.
const GIVING_UP: [&str; 5] = [
    "No se volverá a intentar la entrega.",
    "Erreur permanente : le message ne sera pas réessayé.",
    "Es werden keine weiteren Zustellversuche unternommen.",
    "Questo è un errore permanente.",
    "Попытка доставки не будет повторена.",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A localised notice of a 4.x.x refusal, in UTF-8 or quoted-printable (now and then a
    /// broken one): decoded or refused in one line, and when decoded, a delay warning whose
    /// failure is temporary exactly when it promises to retry and nowhere gives up.
    #[test]
    fn localised_retry_promises_are_delays_unless_the_notice_gives_up(
        promises in proptest::collection::vec(0..RETRY_PROMISES.len(), 0..3),
        gave_up in proptest::collection::vec(0..GIVING_UP.len(), 0..2),
        qp in any::<bool>(),
        broken in any::<bool>(),
    ) {
        let mut body = "Votre message n'a pas pu être remis à kim@example.jp.\n\
            Le serveur distant a répondu : 452 4.2.2 Mailbox full\n"
            .to_string();
        for &i in &promises {
            body.push_str(RETRY_PROMISES[i]);
            body.push('\n');
        }
        for &i in &gave_up {
            body.push_str(GIVING_UP[i]);
            body.push('\n');
        }
        let bytes = if qp {
            quoted_printable(body.as_bytes(), broken)
        } else {
            body.into_bytes()
        };
        let msg = multipart_under(
            "Subject: Notification",
            &[("utf-8", if qp { "quoted-printable" } else { "8bit" }, bytes)],
        );
        if let Ok(x) = run_bounded(&msg) {
            prop_assume!(!x.replies.is_empty());
            let delay = !promises.is_empty() && gave_up.is_empty();
            prop_assert_eq!(
                x.kind == Some(reply::MessageKind::DelayWarning),
                delay,
                "{:?}",
                x.replies
            );
            let first = x.replies[0].finality.map(|f| f.permanent);
            prop_assert_eq!(first, Some(!delay));
        }
    }
}
