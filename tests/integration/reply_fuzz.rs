//! No input makes reply extraction or decoding panic: arbitrary bytes, and real bounces damaged.
#![allow(clippy::unwrap_used)]

use mailtriage::reply;
use mailtriage::rules::RuleSet;
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::load(None).unwrap());

/// Every bounce of the sisimai corpus, to damage.
static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sisimai/maildir");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
});

/// Extracts and decodes; an error is a fine answer, a panic is not.
fn run(input: &[u8]) {
    if let Ok(x) = reply::extract(input) {
        for r in &x.replies {
            let d = RULES.decode(r);
            assert!(!d.rule.id.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run(&bytes);
    }

    #[test]
    fn arbitrary_text_with_codes_and_headers_never_panics(
        text in "((From|To|Subject|Content-Type|Final-Recipient|Status|Action|Diagnostic-Code): [ -~]{0,40}\n|[245][0-9]{2}[- ]([245]\\.[0-9]{1,3}\\.[0-9]{1,3} )?[ -~]{0,40}\n|--[a-z]{0,6}\n|<[a-z]{1,5}@[a-z]{1,5}\\.[a-z]{2}>[:.]{0,3}\n|\n){0,30}"
    ) {
        run(text.as_bytes());
    }
}

/// Pieces the provider and mechanism readers look at: names and cues, clause ends, links,
/// addresses, bracketed server names, tokens, multi-byte text.
const PIECES: &[&str] = &[
    "SPF",
    "DKIM",
    "DMARC",
    "PTR",
    "null MX",
    "TLS",
    "blocklist",
    "rate limited",
    "aligned",
    " did not pass",
    " passed",
    " not listed",
    " see ",
    " guide",
    " domain",
    ". ",
    ", ",
    "; ",
    " but ",
    " - ",
    "=Pass",
    "=Fail",
    "https://support.google.com/mail/?p=x#spf",
    "www.",
    "aka.ms/",
    "ann@gmail.com",
    "@",
    "<",
    ">",
    "[",
    "]",
    "(S3150)",
    "[TSS04]",
    " gsmtp",
    "[BN8NAM12FT059.eop-nam12.prod.protection.outlook.com",
    ".prod.outlook.com]",
    "://",
    "host mx.example.org[192.0.2.1] said: ",
    "Remote-MTA: dns; ",
    "\n",
    "é",
    "日本",
    "\u{1b}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Replies built from the pieces the provider and mechanism readers slice up.
    #[test]
    fn replies_of_mechanism_words_links_and_hosts_never_panic(
        code in "(421|450|550|554)[ -](4|5)\\.7\\.(1|23|27|29|30|9) ",
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..40),
    ) {
        let mut text = code;
        for p in picks {
            text.push_str(PIECES[p.index(PIECES.len())]);
        }
        run(text.as_bytes());
        let r = reply::Reply { text: text.clone(), server_name: Some(text), ..Default::default() };
        let d = RULES.decode(&r);
        prop_assert!(!d.rule.id.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Real bounces cut short and overwritten at random places reach the deep parsing paths
    /// (MIME boundaries, DSN fields, forwarded bounces) that random bytes never do.
    #[test]
    fn damaged_real_bounces_never_panic(
        pick in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut msg = CORPUS[pick.index(CORPUS.len())].clone();
        let keep = cut.index(msg.len() + 1);
        msg.truncate(keep.max(msg.len() / 2));
        for (at, b) in edits {
            if !msg.is_empty() {
                let i = at.index(msg.len());
                msg[i] = b;
            }
        }
        run(&msg);
    }
}

/// A time no input may take to extract and decode (debug build, shared machine): generous, yet
/// far below what a quadratic pass over a long input would take.
const BOUNDED: std::time::Duration = std::time::Duration::from_secs(10);

/// Extracts and decodes within [`BOUNDED`]; a refusal is one line.
fn run_bounded(input: &[u8]) -> Result<reply::Extracted, reply::InputError> {
    let started = std::time::Instant::now();
    let got = reply::extract(input);
    if let Ok(x) = &got {
        for r in &x.replies {
            let d = RULES.decode(r);
            assert!(!d.rule.id.is_empty());
            assert!(
                r.text.len() <= reply::MAX_REPLY_TEXT + 8,
                "{} bytes",
                r.text.len()
            );
        }
    }
    if let Err(e) = &got {
        assert!(!e.to_string().contains('\n'), "a refusal is one line: {e}");
    }
    assert!(
        started.elapsed() < BOUNDED,
        "{:?} for {} bytes",
        started.elapsed(),
        input.len()
    );
    got
}

/// A part's body in a charset, bytes that mean something in it (or nothing, for a name no
/// decoder knows): ISO-2022-JP with its escape sequences, windows-1251 and KOI8-R high bytes.
fn body_in(charset: &str, seed: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match charset {
        "iso-2022-jp" => {
            out.extend_from_slice(b"\x1b$B");
            for b in seed {
                out.push(0x21 + b % 0x5e);
                out.push(0x21 + b.rotate_left(3) % 0x5e);
            }
            out.extend_from_slice(b"\x1b(B\n");
        }
        "windows-1251" | "koi8-r" => {
            for b in seed {
                out.push(0xc0 | (b & 0x3f));
                if b % 7 == 0 {
                    out.push(b' ');
                }
            }
            out.push(b'\n');
        }
        _ => {
            out.extend(
                seed.iter()
                    .map(|b| if *b == b'\n' { b'\n' } else { b | 0x80 }),
            );
            out.push(b'\n');
        }
    }
    out
}

/// Quoted-printable with soft line breaks, `=XX` escapes and, now and then, a broken escape.
fn quoted_printable(body: &[u8], broken: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut col = 0;
    for &b in body {
        if b == b'\n' {
            out.push(b'\n');
            col = 0;
            continue;
        }
        if col > 70 {
            out.extend_from_slice(b"=\n");
            col = 0;
        }
        if (33..=126).contains(&b) && b != b'=' {
            out.push(b);
            col += 1;
        } else {
            out.extend_from_slice(format!("={b:02X}").as_bytes());
            col += 3;
        }
    }
    if broken {
        out.extend_from_slice(b"=Z9=\n=");
    }
    out
}

/// A multipart bounce of the given parts, each `(charset, quoted-printable?, body)`.
fn multipart(parts: &[(&str, bool, Vec<u8>)]) -> Vec<u8> {
    let parts: Vec<(&str, &str, Vec<u8>)> = parts
        .iter()
        .map(|(c, qp, b)| (*c, if *qp { "quoted-printable" } else { "8bit" }, b.clone()))
        .collect();
    multipart_under("Subject: Undelivered Mail Returned to Sender", &parts)
}

/// A multipart bounce under the given Subject line, each part `(charset, transfer encoding,
/// body already in that encoding)`.
fn multipart_under(subject: &str, parts: &[(&str, &str, Vec<u8>)]) -> Vec<u8> {
    let mut m = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.jp>\n\
         To: ann@example.com\n{subject}\n\
         MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BB\"\n\n"
    )
    .into_bytes();
    for (charset, encoding, body) in parts {
        m.extend_from_slice(
            format!(
                "--BB\nContent-Type: text/plain; charset=\"{charset}\"\nContent-Transfer-Encoding: {encoding}\n\n"
            )
            .as_bytes(),
        );
        m.extend_from_slice(body);
        m.push(b'\n');
    }
    m.extend_from_slice(b"--BB--\n");
    m
}

/// Base64 in lines of 76, or, `broken`, with a character outside the alphabet, a line cut
/// mid-quantum and padding in the middle.
fn base64_lines(body: &[u8], broken: bool) -> Vec<u8> {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(body);
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.push(b'\n');
    }
    if broken {
        out.splice(out.len() / 2..out.len() / 2, b"!=\nQk".iter().copied());
        out.extend_from_slice(b"QUJD=RA\n");
    }
    out
}

/// A Subject line as RFC 2047 encoded words in `charset` (B or Q), some of them malformed
/// (unclosed, an unknown encoding letter, bad base64).
fn encoded_subject(charset: &str, seed: &[u8], form: u8) -> String {
    use base64::Engine;
    let raw = body_in(charset, seed);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
    let q: String = raw.iter().map(|b| format!("={b:02X}")).collect();
    match form {
        0 => format!("Subject: =?{charset}?B?{b64}?= Undelivered"),
        1 => format!("Subject: =?{charset}?Q?{q}?=\n =?{charset}?B?{b64}?="),
        2 => format!("Subject: =?{charset}?B?{b64}"),
        3 => format!("Subject: =?{charset}?X?{q}?="),
        _ => format!("Subject: =?{charset}?B?{}!!?=", &b64[..b64.len() / 2]),
    }
}

const REPLY_LINE: &[u8] = b"<kim@example.jp>: host mx.example.jp[192.0.2.9] said: 550 5.1.1 <kim@example.jp>: User unknown\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Parts in ISO-2022-JP, windows-1251, KOI8-R, Latin-1 or a charset no decoder knows,
    /// quoted-printable or 8-bit, with broken escapes: the reply an ASCII line of them carries is
    /// decoded whatever surrounds it, and without one the message is decoded or refused in one
    /// line; never a panic, always in bounded time.
    #[test]
    fn bounces_in_mixed_and_unknown_encodings_are_decoded_or_refused(
        parts in proptest::collection::vec(
            (
                prop_oneof![
                    Just("iso-2022-jp"),
                    Just("windows-1251"),
                    Just("koi8-r"),
                    Just("iso-8859-1"),
                    Just("utf-8"),
                    Just("x-unknown-42"),
                ],
                any::<bool>(),
                any::<bool>(),
                proptest::collection::vec(any::<u8>(), 0..300),
            ),
            1..4,
        ),
        reply_in in any::<prop::sample::Index>(),
        with_reply in any::<bool>(),
    ) {
        let at = reply_in.index(parts.len());
        let built: Vec<(&str, bool, Vec<u8>)> = parts
            .iter()
            .enumerate()
            .map(|(i, (charset, qp, broken, seed))| {
                let mut body = body_in(charset, seed);
                if with_reply && i == at {
                    body.extend_from_slice(REPLY_LINE);
                }
                let body = if *qp { quoted_printable(&body, *broken) } else { body };
                (*charset, *qp, body)
            })
            .collect();
        let got = run_bounded(&multipart(&built));
        if with_reply {
            let x = got.unwrap();
            prop_assert!(
                x.replies.iter().any(|r| r.basic == Some(550)
                    && r.enhanced.as_deref() == Some("5.1.1")
                    && r.recipient.as_deref() == Some("kim@example.jp")),
                "{:?}",
                x.replies
            );
        }
    }

    /// The same with base64 parts (some broken) and an RFC 2047 encoded Subject in the part's
    /// charset (some encoded words malformed): the ASCII reply line in a valid part is decoded
    /// wherever it sits; a message without one is decoded or refused in one line.
    #[test]
    fn base64_parts_and_encoded_headers_are_decoded_or_refused(
        parts in proptest::collection::vec(
            (
                prop_oneof![
                    Just("iso-2022-jp"),
                    Just("windows-1251"),
                    Just("koi8-r"),
                    Just("utf-8"),
                    Just("x-unknown-42"),
                ],
                0u8..3,
                any::<bool>(),
                proptest::collection::vec(any::<u8>(), 0..200),
            ),
            1..4,
        ),
        subject_form in 0u8..5,
        reply_in in any::<prop::sample::Index>(),
        with_reply in any::<bool>(),
    ) {
        let at = reply_in.index(parts.len());
        let built: Vec<(&str, &str, Vec<u8>)> = parts
            .iter()
            .enumerate()
            .map(|(i, (charset, encoding, broken, seed))| {
                let mut body = body_in(charset, seed);
                // The reply goes into a part whose encoding is intact.
                let carries = with_reply && i == at;
                if carries {
                    body.extend_from_slice(REPLY_LINE);
                }
                match encoding {
                    0 => (*charset, "base64", base64_lines(&body, *broken && !carries)),
                    1 => (*charset, "quoted-printable", quoted_printable(&body, *broken && !carries)),
                    _ => (*charset, "8bit", body),
                }
            })
            .collect();
        let (charset, _, _, seed) = &parts[0];
        let subject = encoded_subject(charset, seed, subject_form);
        let got = run_bounded(&multipart_under(&subject, &built));
        if with_reply {
            let x = got.unwrap();
            prop_assert!(
                x.replies.iter().any(|r| r.basic == Some(550)
                    && r.enhanced.as_deref() == Some("5.1.1")
                    && r.recipient.as_deref() == Some("kim@example.jp")),
                "{:?}",
                x.replies
            );
        }
    }

    /// A bounce quoting a bounce, attached as a message, pasted inline after an mbox separator,
    /// quoted with `> ` or forwarded inline below a mail client's forward line, up to three
    /// deep: decoded or refused in one line, in bounded time; a bounce forwarded as an
    /// attachment under words of no failure, or inline from the mail system under a code of the
    /// forwarder's own, gives its own first status.
    #[test]
    fn a_bounce_quoting_another_bounce_is_decoded_or_refused(
        pick in any::<prop::sample::Index>(),
        wraps in proptest::collection::vec(0u8..4, 1..4),
    ) {
        let inner = CORPUS[pick.index(CORPUS.len())].clone();
        let mut msg = inner.clone();
        for w in &wraps {
            let mut outer = b"From: helpdesk@example.com\nTo: admin@example.com\nSubject: Fwd: see below\n".to_vec();
            match w {
                0 => {
                    outer.extend_from_slice(b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"OUTER\"\n\n--OUTER\nContent-Type: text/plain\n\nHave a look at the attached message.\n\n--OUTER\nContent-Type: message/rfc822\n\n");
                    outer.extend_from_slice(&msg);
                    outer.extend_from_slice(b"\n--OUTER--\n");
                }
                1 => {
                    outer.extend_from_slice(b"Content-Type: text/plain\n\nHave a look at this.\n\nFrom MAILER-DAEMON Thu Apr 29 23:34:45 2015\n");
                    outer.extend_from_slice(&msg);
                }
                3 => {
                    outer.extend_from_slice(b"Content-Type: text/plain\n\nIt said 452 4.2.2 mailbox full last week.\n\n---------- Forwarded message ---------\n");
                    outer.extend_from_slice(&msg);
                }
                _ => {
                    outer.extend_from_slice(b"Content-Type: text/plain\n\nHave a look at this:\n\n");
                    for line in msg.split(|b| *b == b'\n') {
                        outer.extend_from_slice(b"> ");
                        outer.extend_from_slice(line);
                        outer.push(b'\n');
                    }
                }
            }
            msg = outer;
        }
        let got = run_bounded(&msg);
        // Forwarded inline, the bounce is read as such when it is text a client would show
        // (ASCII) and its header block names the mail system as its sender.
        let from_system = || {
            inner.is_ascii()
                && String::from_utf8_lossy(&inner)
                    .lines()
                    .take_while(|l| !l.trim().is_empty())
                    .take(100)
                    .any(|l| {
                        let l = l.to_ascii_lowercase();
                        l.starts_with("from:")
                            && ["mailer-daemon", "postmaster", "mail delivery"]
                                .iter()
                                .any(|w| l.contains(w))
                    })
        };
        if (wraps == [0] || wraps == [3] && from_system())
            && let Ok(plain) = reply::extract(&inner)
            && plain.kind.is_some_and(|k| k.is_failure_report())
        {
            let status = |x: &reply::Extracted| x.replies.first().and_then(|r| r.enhanced.clone());
            prop_assert_eq!(got.as_ref().ok().and_then(status), status(&plain));
        }
    }

    /// A DSN naming its recipient in RFC 6533's `utf-8` type, with `\x{HEX}` escapes that are
    /// right, cut short, empty, out of range or surrogates: the reported recipient is the decoded
    /// address or none, never one carrying an undecoded escape.
    #[test]
    fn utf8_recipients_are_decoded_or_left_out(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("ren"), Just("\\x{E9}"), Just("\\x{5F20}"), Just("\\x{2B}"), Just("\\x{"),
                Just("\\x{}"), Just("\\x{D800}"), Just("\\x{110000}"), Just("\\x{zz}"), Just("}"),
                Just("\u{e9}"), Just("."), Just("x"),
            ],
            1..8,
        ),
        field in prop_oneof![Just("Final-Recipient"), Just("Original-Recipient")],
    ) {
        let local: String = parts.concat();
        let msg = format!(
            "From: MAILER-DAEMON@mx.example.org\nTo: ann@example.com\nSubject: Undelivered Mail\n\
             MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
             --B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n\
             --B\nContent-Type: message/global-delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n\
             {field}: utf-8; {local}@example.org\nAction: failed\nStatus: 5.1.1\n\n--B--\n"
        );
        if let Ok(x) = run_bounded(msg.as_bytes()) {
            for r in &x.replies {
                if let Some(a) = &r.recipient {
                    prop_assert!(!a.contains("\\x{"), "{a}");
                }
            }
        }
    }

    /// A reply of 100 KB and more on one line (a log that lost its line breaks, a paste gone
    /// wrong): decoded, its text cut, or refused in one line, in bounded time.
    #[test]
    fn replies_of_100_kb_on_one_line_are_bounded(
        words in proptest::collection::vec(
            prop_oneof![
                Just("550"), Just("250"), Just("5.1.1"), Just("4.7.0"), Just("said:"),
                Just("<kim@example.jp>:"), Just("User"), Just("unknown"), Just("blocked"),
                Just("http://example.org/?a=b@c.example"), Just("(#5.1.1)"), Just("'"),
                Just("Final-Recipient:"), Just("rfc822;"), Just("{\"code\":550,"),
            ],
            1..40,
        ),
        lead in prop_oneof![Just(""), Just("550 5.1.1 "), Just("Remote server said: ")],
    ) {
        let mut line = lead.to_string();
        while line.len() < 100 * 1024 {
            for w in &words {
                line.push_str(w);
                line.push(' ');
            }
        }
        run_bounded(line.as_bytes()).ok();
    }
}

/// What the readers of pasted forms look for (HTML escapes, stack frames, a DSN type, PHPMailer's
/// dialogue, nodemailer's and .NET's fields, Python's bytes, Symfony's quote, HTTP statuses,
/// Ruby's, lettre's and mail clients' errors, queue listings, ESP fields), with control
/// characters and line ends between them.
const PASTE_PIECES: &[&str] = &[
    "550",
    "421-4.7.0",
    "5.1.1",
    "&lt;",
    "&gt;",
    "&#39;",
    "&#x",
    "&#",
    "&amp;",
    "&",
    ";",
    "smtp;",
    "SMTP; ",
    "   at x.Y(Z.java:1)",
    "    at f (/a.js:1:2)",
    "#0 /x.php(1): ",
    "[stacktrace]",
    "#1 {main}",
    "\t",
    "SERVER -> CLIENT: ",
    "CLIENT -> SERVER: ",
    "2026-12-07 05:12:01\t",
    "responseCode: 550",
    "response: '",
    "Mailbox unavailable. The server response was: ",
    "Service not available, closing transmission channel. The server response was: ",
    "\\xe2",
    "\\x",
    "(550, b'",
    "')",
    "with message \"",
    "\". {",
    "Status Code: 400; ",
    "statusCode: 403, message: '",
    "HTTP/1.1 429 ",
    "400 Bad Request",
    "Completed 500 Internal Server Error",
    "Net::SMTPFatalError (",
    "):\n  x.rb:1:in `y'",
    "Remote Server returned '",
    "The server responded: ",
    ". Please check the recipient",
    " At line:1 char:1",
    "+ CategoryInfo : x",
    "4F1A2B3C9D  2816 Mon Dec  7 05:12:01  a@b.c\n(",
    "Remote-MTA: dns; h\nX-Supplementary-Info: <h #5.0.0 smtp; ",
    "severity: PermanentNegativeCompletion, category: MailSystem, detail: Four })",
    "{\"code\":550,\"message\":\"5.1.1 x\"",
    "\"class\":5,\"subject\":1,\"detail\":1",
    "\u{1}",
    "\u{7f}",
    "\u{202e}",
    "\n",
    "\r\n",
    " ",
    "'",
    "\"",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Pasted forms, broken up and repeated to 100 KB on one line or many: decoded, cut, or
    /// refused in one line, in bounded time.
    #[test]
    fn pasted_forms_of_any_shape_are_decoded_or_refused_in_bounded_time(
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..30),
        long in any::<bool>(),
    ) {
        let piece: String = picks
            .iter()
            .map(|i| PASTE_PIECES[i.index(PASTE_PIECES.len())])
            .collect();
        let mut text = piece.clone();
        while long && text.len() < 100 * 1024 {
            text.push_str(&piece);
        }
        run_bounded(text.as_bytes()).ok();
    }
}

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
