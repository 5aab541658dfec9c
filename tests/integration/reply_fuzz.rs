//! No input makes reply extraction or decoding panic: arbitrary bytes, and real bounces damaged.
#![allow(clippy::unwrap_used)]

use mailtriage::reply;
use mailtriage::rules::RuleSet;
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::load(None).unwrap());

/// Every bounce of the sisimai corpus, to damage.
pub(super) static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
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

/// The CPU time no input may take to extract and decode (debug build): generous, yet far below
/// what a quadratic pass over a long input would take. The thread's CPU time, not the wall
/// clock: on a machine busy with other builds the wall clock measured the load, not the pass.
const BOUNDED: std::time::Duration = std::time::Duration::from_secs(10);

/// Extracts and decodes within [`BOUNDED`]; a refusal is one line.
pub(super) fn run_bounded(input: &[u8]) -> Result<reply::Extracted, reply::InputError> {
    let started = cpu_time::ThreadTime::now();
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
pub(super) fn body_in(charset: &str, seed: &[u8]) -> Vec<u8> {
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
pub(super) fn quoted_printable(body: &[u8], broken: bool) -> Vec<u8> {
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
pub(super) fn multipart(parts: &[(&str, bool, Vec<u8>)]) -> Vec<u8> {
    let parts: Vec<(&str, &str, Vec<u8>)> = parts
        .iter()
        .map(|(c, qp, b)| (*c, if *qp { "quoted-printable" } else { "8bit" }, b.clone()))
        .collect();
    multipart_under("Subject: Undelivered Mail Returned to Sender", &parts)
}

/// A multipart bounce under the given Subject line, each part `(charset, transfer encoding,
/// body already in that encoding)`.
pub(super) fn multipart_under(subject: &str, parts: &[(&str, &str, Vec<u8>)]) -> Vec<u8> {
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
pub(super) fn base64_lines(body: &[u8], broken: bool) -> Vec<u8> {
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
pub(super) fn encoded_subject(charset: &str, seed: &[u8], form: u8) -> String {
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

pub(super) const REPLY_LINE: &[u8] = b"<kim@example.jp>: host mx.example.jp[192.0.2.9] said: 550 5.1.1 <kim@example.jp>: User unknown\n";

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
