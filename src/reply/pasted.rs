//! Replies as applications and people paste them: SMTP transcripts, library exceptions that
//! hold the code apart from the words, and text with its newlines escaped.

use super::code::Regex;
use super::code::{check_enhanced, parse_reply_start, re};
use super::types::Reply;
use std::sync::LazyLock;

/// A server line of a transcript: `<<< 550 ...`, `S: 550 ...`, `SMTP<< 550 ...`, `RECV: 550`,
/// `<- 550`, PHPMailer's debug `SERVER -> CLIENT: 550 ...`, optionally after a line number or
/// a timestamp column (`2026-12-07 05:12:01\t`).
static SERVER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:[0-9]+\s+)?(?:[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]+\s+)?(?:SMTP\s*<<|<<<?|<-|S:|RECV:?|server:|SERVER\s*->\s*CLIENT:)\s*([0-9]{3}[ \t-].*|[0-9]{3})$",
    )
});
/// A client line of a transcript (`>>> RCPT TO:<...>`, `C: MAIL FROM:<>`, `SMTP>> DATA`).
static CLIENT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:[0-9]+\s+)?(?:[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]+\s+)?(?:SMTP\s*>>|>>>?|->|C:|SEND:?|client:|CLIENT\s*->\s*SERVER:)\s*\S",
    )
});
/// A line that opens with a reply code.
static CODE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*([2-5][0-9]{2})(?:[ \t-]|$)"));

/// Python's smtplib exceptions: `(550, b'5.7.1 ...')`, the message with escaped newlines; a
/// tool that logs the tuple with its code quoted and its lines in a list (`('451', ['...'])`).
static PY_TUPLE: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?s)\(\s*['"]?([2-5][0-9]{2})['"]?\s*,\s*\[?\s*b?(?:'(.*?)'|"(.*?)")\s*\]?\s*\)"#)
});
/// A code in parentheses after an error label: `SMTP Error (451): Failed to add recipient`.
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:error|response|reply|code|status)\s*\(\s*([2-5][0-9]{2})\s*\)\s*:?\s*(.*)")
});
/// A code given as a field: `SMTP Last Response Code: 504` (its words on another line).
static CODE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?i)\b(?:response|reply|error|status|smtp)[ _-]?code\s*[:=]\s*"?([2-5][0-9]{2})\b"#)
});
/// The words of a code given as a field: `SMTP Last Response: 5.5.2 ...`.
static WORDS_FIELD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?im)\b(?:response|reply|message|error message)\s*[:=]\s*(.+)$"));
/// .NET's `SmtpException`: the status it read, in its own words, then the server's reply
/// without its basic code (`Mailbox unavailable. The server response was: 5.7.1 ...`, or only
/// words: `... The server response was: If MAIL FROM is local then you must authenticate`).
static DOTNET: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?is)\b(Mailbox unavailable|Transaction failed|Service not available, closing transmission channel|Error in processing|Insufficient system storage|Exceeded storage allocation|Mailbox name not allowed|User not local; please try a different path|Syntax error, command unrecognized)\. The server response was:\s*(.*)",
    )
});
/// .NET's words for the status it read (`SmtpStatusCode`), and the codes they stand for: the
/// temporary and the permanent one where the same words serve both (`MailboxBusy` 450 and
/// `MailboxUnavailable` 550 both read "Mailbox unavailable").
const DOTNET_CODES: &[(&str, u16, u16)] = &[
    ("mailbox unavailable", 450, 550),
    ("transaction failed", 554, 554),
    (
        "service not available, closing transmission channel",
        421,
        421,
    ),
    ("error in processing", 451, 451),
    ("insufficient system storage", 452, 452),
    ("exceeded storage allocation", 552, 552),
    ("mailbox name not allowed", 553, 553),
    ("user not local; please try a different path", 551, 551),
    ("syntax error, command unrecognized", 500, 500),
];
/// lettre's `Response { code: Code { severity: .., category: .., detail: .. }, message: [..] }`,
/// or its error's `kind: Permanent(Code { .. })` alone (lettre before 0.10 kept no words).
static LETTRE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"severity:\s*([A-Za-z]+)\s*,\s*category:\s*([A-Za-z0-9]+)\s*,\s*detail:\s*([A-Za-z]+)\s*\}\s*(?:,\s*message:\s*\[\s*\\?"(.*?)\\?"\s*[,\]]|\))"#,
    )
});

/// Ruby's Net::SMTP exceptions, which carry the raw reply: `Net::SMTPFatalError (550 ...\n):`
/// in a Rails log, `Net::SMTPFatalError: 550 ...` elsewhere (a Rails log's own `Completed 500
/// Internal Server Error` above it is HTTP's).
static RUBY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?s)\bNet::SMTP(?:FatalError|ServerBusy|SyntaxError|AuthenticationError|UnknownError|UnsupportedCommand)\s*(?:\(\s*(.*?)\s*\)\s*:|[:-]\s*(.*))",
    )
});
/// An Exchange NDR's line for administrators: `Remote Server returned '550 5.1.10 ...'`, the
/// reply between the quotes of its own line (Exchange 2007-2013's in a `< #5.1.1 smtp;...>`
/// wrapper, [`super::code::status_bracketed`]).
static REMOTE_RETURNED: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^\s*Remote Server returned '(.+)'\s*$"));
/// A mail client's send error with the server's reply inside its own words: Outlook's `...
/// The server responded: 550 ...'`, Thunderbird's `The mail server responded: 550 .... Please
/// check the message recipient "x" and try again.` Only the client's own advice is cut off (the
/// recipient, the message, the account's address): a server's reply may ask something of the
/// user in the same words ("Please check your mail before sending", POP-before-SMTP).
static CLIENT_SAID: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?is)\bThe (?:mail )?server responded:\s*(.*?)\s*['.]?\s*(?:Please (?:check|verify) (?:the message\b|the recipient\b|that your\b|your e-?mail address\b)[^\n]*)?\s*$",
    )
});
/// Where PowerShell's error record starts after an exception's message (`" At
/// C:\x.ps1:783 char:3`, `At line:1 char:1`).
static PS_AT: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?s)["']?\s*\bAt (?:line:[0-9]+|\S+:[0-9]+) char:[0-9]+.*$"#));

/// Text whose line breaks and quotes were escaped on the way (`\n`, `\r\n`, `\"`, `\'`, `\/`),
/// as exception messages and JSON strings show them; `None` when it has no escaped newline.
pub fn unescape(text: &str) -> Option<String> {
    if !text.contains("\\n") {
        return None;
    }
    Some(
        text.replace("\\r\\n", "\n")
            .replace("\\n", "\n")
            .replace("\\t", " ")
            .replace("\\\"", "\"")
            .replace("\\'", "'")
            .replace("\\/", "/"),
    )
}

/// The reply a transcript failed with. A transcript is text with server lines marked as such
/// (`<<< 550 ...`) or lines opening with at least two different codes (`220` greeting, `250
/// Ok`, `550 ...`); the replies are read in order, each with its continuation lines, and the
/// first 4xx/5xx wins (later ones such as `554 no valid recipients` follow from it). Without a
/// failing reply, the last one.
pub fn transcript(text: &str) -> Option<Reply> {
    if !may_be_transcript(text) {
        return None;
    }
    // (code, the reply's lines joined, whether its last line was a `550-` continuation)
    let mut groups: Vec<(String, String, bool)> = Vec::new();
    let mut marked = false;
    for line in text.lines().take(2000) {
        let reply_part = if let Some(c) = SERVER_LINE.captures(line) {
            marked = true;
            c.get(1).map(|m| m.as_str().trim().to_string())
        } else if CLIENT_LINE.is_match(line) {
            None
        } else if CODE_LINE.is_match(line) && replies_with(line.trim()) {
            Some(line.trim().to_string())
        } else {
            None
        };
        let Some(part) = reply_part else {
            continue;
        };
        let code = part[..3].to_string();
        let open = part[3..].starts_with('-');
        match groups.last_mut() {
            // `250-` lines continue until the `250 ` line ends the reply.
            Some((c, joined, was_open)) if *c == code && *was_open => {
                joined.push(' ');
                joined.push_str(&part);
                *was_open = open;
            }
            _ => groups.push((code, part, open)),
        }
    }
    let distinct = groups
        .iter()
        .map(|(c, _, _)| c.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if !(marked || distinct >= 2) {
        return None;
    }
    let replies: Vec<Reply> = groups
        .iter()
        .filter_map(|(_, joined, _)| parse_reply_start(joined).ok().flatten())
        .collect();
    let failing = replies
        .iter()
        .position(|r| r.basic.is_some_and(|b| b >= 400));
    let pick = failing.unwrap_or(replies.len().checked_sub(1)?);
    replies.into_iter().nth(pick)
}

/// Whether an unmarked line opens with a code servers reply with (RFC 5321 section 4.2.3, RFC
/// 4954): a wrapped line of a reply that starts with a number (`365 not supported ...`, after
/// "Microsoft") is no reply of a transcript.
fn replies_with(line: &str) -> bool {
    const CODES: &[&str] = &[
        "211", "214", "220", "221", "235", "250", "251", "252", "334", "354", "421", "432", "450",
        "451", "452", "454", "455", "500", "501", "502", "503", "504", "521", "530", "534", "535",
        "538", "550", "551", "552", "553", "554", "555", "556",
    ];
    line.get(..3).is_some_and(|c| CODES.contains(&c))
}

/// A line of a client's dialogue with the server, as a transcript marks it (`<<< 550 ...`,
/// `CLIENT -> SERVER: RCPT TO:<...>`): never an export row, whatever separates its columns.
pub fn is_dialogue_line(line: &str) -> bool {
    SERVER_LINE.is_match(line) || CLIENT_LINE.is_match(line)
}

/// Whether `text` may pass [`transcript`]'s test (a server line, or two lines opening with
/// a code), read without its patterns: a bare reply then never compiles them (a sixth of a
/// one-reply run). True for every text whose lines could match `SERVER_LINE` or, twice,
/// `CODE_LINE`.
fn may_be_transcript(text: &str) -> bool {
    let opens_with_code = |t: &str| {
        let b = t.as_bytes();
        b.len() >= 3 && matches!(b[0], b'2'..=b'5') && b[1..3].iter().all(u8::is_ascii_digit)
    };
    // Case-insensitive as the pattern is: in Unicode, LONG S is an `s` too.
    let marker = |t: &str| {
        ["smtp", "<<", "<-", "s:", "recv", "server:", "server ->"]
            .iter()
            .any(|m| {
                let mut chars = t.chars().map(|c| match c {
                    '\u{17f}' => 's',
                    c => c.to_ascii_lowercase(),
                });
                m.chars().all(|want| chars.next() == Some(want))
            })
    };
    let mut code_lines = 0;
    for line in text.lines().take(2000) {
        let t = line.trim_start();
        // `SERVER_LINE` may have a line number before its marker.
        let numbered = t.trim_start_matches(|c: char| c.is_ascii_digit());
        // ... or a date and time of day before it (PHPMailer's debug output).
        let stamped = t
            .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | 'T'))
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, ':' | '.'));
        if marker(t)
            || numbered.len() < t.len() && marker(numbered.trim_start())
            || stamped.len() < t.len() && marker(stamped.trim_start())
        {
            return true;
        }
        code_lines += usize::from(opens_with_code(t));
        if code_lines >= 2 {
            return true;
        }
    }
    false
}

/// The reply a Python smtplib tuple holds (see [`PY_TUPLE`]), wherever it stands in the text.
pub fn py_tuple(text: &str) -> Option<Reply> {
    let c = PY_TUPLE.captures(text)?;
    let code = c.get(1)?.as_str();
    let words = c.get(2).or(c.get(3))?.as_str();
    let words = unescape(words).unwrap_or_else(|| words.to_string());
    let words = py_bytes_escapes(&words);
    // Each line of a multi-line reply carries its own enhanced code: join them as the
    // lines of one reply, so each repeated code is dropped once.
    let joined = words
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{code} {}", l.trim()))
        .collect::<Vec<_>>()
        .join(" ");
    parse_reply_start(&joined).ok().flatten()
}

/// A Python bytes value's `\xNN` escapes (`\xe2\x80\x93`, an en dash) read as the UTF-8 they
/// stand for; escapes that make no UTF-8 stay as written.
fn py_bytes_escapes(s: &str) -> String {
    if !s.contains("\\x") {
        return s.to_string();
    }
    let mut bytes = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Only bytes above ASCII: `\x41` in a reply is as likely to be meant literally.
        let byte = (b[i] == b'\\' && b.get(i + 1) == Some(&b'x'))
            .then(|| b.get(i + 2..i + 4))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .filter(|v| *v >= 0x80);
        match byte {
            Some(v) => {
                bytes.push(v);
                i += 4;
            }
            None => {
                bytes.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| s.to_string())
}

/// A reply held by an application's error message in a shape of its own (Python's smtplib
/// tuple, a code in parentheses after an error label, a code field with its words on another
/// line, lettre's debug format).
pub fn app_error(text: &str) -> Option<Reply> {
    if let Some(r) = py_tuple(text) {
        return Some(r);
    }
    if let Some(c) = LETTRE.captures(text) {
        let digit = |word: &str, table: &[(&str, u16)]| {
            table
                .iter()
                .find(|(w, _)| word.eq_ignore_ascii_case(w))
                .map(|(_, d)| *d)
        };
        let severity = digit(
            c.get(1)?.as_str(),
            &[
                ("PositiveCompletion", 2),
                ("PositiveIntermediate", 3),
                ("TransientNegativeCompletion", 4),
                ("PermanentNegativeCompletion", 5),
            ],
        )?;
        let category = digit(
            c.get(2)?.as_str(),
            &[
                ("Syntax", 0),
                ("Information", 1),
                ("Connections", 2),
                ("Unspecified3", 3),
                ("Unspecified4", 4),
                ("MailSystem", 5),
            ],
        )?;
        let detail = digit(
            c.get(3)?.as_str(),
            &[
                ("Zero", 0),
                ("One", 1),
                ("Two", 2),
                ("Three", 3),
                ("Four", 4),
                ("Five", 5),
                ("Six", 6),
                ("Seven", 7),
                ("Eight", 8),
                ("Nine", 9),
            ],
        )?;
        let code = severity * 100 + category * 10 + detail;
        let words = c.get(4).map_or("", |m| m.as_str());
        return parse_reply_start(&format!("{code} {words}")).ok().flatten();
    }
    if let Some(c) = DOTNET.captures(text) {
        let status = c.get(1)?.as_str().to_ascii_lowercase();
        let (_, temporary, permanent) = DOTNET_CODES.iter().find(|(w, _, _)| *w == status)?;
        let words = c.get(2)?.as_str();
        let words = PS_AT.find(words).map_or(words, |m| &words[..m.start()]);
        let words = words.trim().trim_end_matches(['"', '\'']);
        // The server's own basic code, when the message kept it, wins.
        let kept = parse_reply_start(words).ok().flatten();
        if let Some(r) = &kept
            && r.basic.is_some()
        {
            return kept;
        }
        // The enhanced code the words kept tells a temporary failure from a permanent one.
        let code = if kept.is_some_and(|r| r.enhanced.is_some_and(|e| e.starts_with('4'))) {
            temporary
        } else {
            permanent
        };
        // Each line of a multi-line reply kept its enhanced code: read them as one reply's.
        let joined = words
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("{code} {}", l.trim()))
            .collect::<Vec<_>>()
            .join("\n");
        return parse_reply_start(&joined).ok().flatten();
    }
    if let Some(c) = RUBY.captures(text) {
        let words = c.get(1).or(c.get(2))?.as_str().trim();
        // The raw reply, its lines as the server sent them.
        if let Ok(Some(r)) = parse_reply_start(words) {
            return Some(r);
        }
    }
    if let Some(c) = REMOTE_RETURNED.captures(text)
        && let said = c.get(1)?.as_str()
        && let Ok(Some(r)) = parse_reply_start(super::code::status_bracketed(said).unwrap_or(said))
    {
        return Some(r);
    }
    if let Some(c) = CLIENT_SAID.captures(text)
        && let Ok(Some(r)) = parse_reply_start(c.get(1)?.as_str())
    {
        return Some(r);
    }
    if let Some(c) = LABELLED.captures(text) {
        return parse_reply_start(&format!("{} {}", c.get(1)?.as_str(), c.get(2)?.as_str()))
            .ok()
            .flatten();
    }
    if let Some(c) = CODE_FIELD.captures(text) {
        let code = c.get(1)?.as_str();
        let fields: Vec<&str> = WORDS_FIELD
            .captures_iter(text)
            .filter_map(|w| w.get(1))
            .map(|m| m.as_str().trim())
            .collect();
        // A field that holds the reply whole, its code first, over words that merely look like
        // a field (`[Message=Socket error ...]` inside Microsoft's reply).
        let words = fields
            .iter()
            .find(|w| w.trim_start_matches(['"', '\'']).starts_with(code))
            .or_else(|| {
                fields
                    .iter()
                    .find(|w| !w.is_empty() && !w.starts_with(code) || w.len() > 3)
            })
            .copied()
            .unwrap_or("");
        let words = words
            .trim_end_matches([',', ';'])
            .trim_matches(['"', '\''])
            .trim();
        // The words field may hold the reply whole, its code included (nodemailer's `response:
        // '550 5.1.1 ...'` beside `responseCode: 550`).
        if words.starts_with(code)
            && let Some(r) = parse_reply_start(words).ok().flatten()
            && r.basic.is_some()
        {
            return Some(r);
        }
        return parse_reply_start(&format!("{code} {words}")).ok().flatten();
    }
    None
}

/// An enhanced code of a failure (4.x.x or 5.x.x) after a separator, with the words after it,
/// when the text carries no basic code (`Permanent SMTP error: permanent: 5.7.1 Message
/// rejected ...`).
pub fn enhanced_only(text: &str) -> Option<Reply> {
    // A library may print the code glued to its words in brackets (go-simple-mail's
    // `5.6.7(destination does not support SMTPUTF8 ...).`): the bracket opens the words.
    static AT: LazyLock<Regex> =
        LazyLock::new(|| re(r#"(?:^|[\s:;\[("'])#?([45]\.[0-9]{1,3}\.[0-9]{1,3})(?:\s+|$|(\())"#));
    let c = AT
        .captures_iter(text)
        .find(|c| c.get(1).is_some_and(|m| check_enhanced(m.as_str()).is_ok()))?;
    let code = c.get(1)?;
    let rest = &text[c.get(0)?.end()..];
    let mut words: String = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    if c.get(2).is_some() {
        words = words.trim_end_matches('.').to_string();
    }
    let words = words
        .trim_end_matches(['"', '\'', ']', ')', '}'])
        .to_string();
    // A `Status:` field with nothing after it (DSN fields pasted under the notice's own words,
    // with no Diagnostic-Code): the words are the prose beside the fields.
    let words = if words.is_empty() {
        prose_beside_fields(text).unwrap_or(words)
    } else {
        words
    };
    Some(Reply {
        enhanced: check_enhanced(code.as_str()).ok(),
        text: words,
        ..Reply::default()
    })
}

/// The lines of a paste that are neither a field (`Action: failed`) nor a single word (an
/// address on its own line), joined: a notice's explanation pasted beside its DSN fields.
fn prose_beside_fields(text: &str) -> Option<String> {
    static FIELD: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z][A-Za-z0-9-]*:(?:\s|$)"));
    let prose: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(' ') && !FIELD.is_match(l))
        .collect();
    (!prose.is_empty()).then(|| prose.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_clients_advice_is_cut_off_but_the_servers_own_request_is_not() {
        let thunderbird = app_error(
            "An error occurred while sending mail. The mail server responded:\n550 5.1.1 User \
             unknown.\nPlease check the message recipient \"bo@example.org\" and try again.",
        )
        .unwrap();
        assert!(
            !thunderbird.text.contains("Please check"),
            "{}",
            thunderbird.text
        );
        let outlook = app_error(
            "Task 'a@example.org - Sending' reported error (0x800CCC78) : 'Cannot send the \
             message. The server responded: 553 5.3.0 <a@example.org>... Please check your mail \
             before sending'",
        )
        .unwrap();
        assert!(
            outlook
                .text
                .contains("Please check your mail before sending"),
            "{}",
            outlook.text
        );
    }

    #[test]
    fn a_status_field_alone_takes_the_words_beside_the_fields() {
        let r = enhanced_only(
            "ann@example.org\nDomain example.org has exceeded the max emails per hour.\nAction: \
             failed\nStatus: 5.0.0",
        )
        .unwrap();
        assert_eq!(
            r.text,
            "Domain example.org has exceeded the max emails per hour."
        );
        assert_eq!(enhanced_only("Status: 5.0.0").unwrap().text, "");
    }

    #[test]
    fn a_code_glued_to_its_bracketed_words_keeps_the_words() {
        let r = enhanced_only(
            "Getting the error message 5.6.7(destination does not support SMTPUTF8 required for \
             message delivery).",
        )
        .unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("5.6.7"));
        assert_eq!(
            r.text,
            "destination does not support SMTPUTF8 required for message delivery"
        );
        // A version number before a bracket is no code: the first digit is no class of failure.
        assert!(enhanced_only("libfoo 1.2.3(beta) crashed").is_none());
    }

    #[test]
    fn only_a_reply_alone_skips_the_transcript_patterns() {
        for text in [
            "<<< 550 5.1.1 nope",
            "  12  S: 550 nope",
            "\u{17f}: 550 nope",
            "220 mx ready\n250 ok",
            "RECV: 421 busy",
        ] {
            assert!(may_be_transcript(text), "{text:?}");
        }
        assert!(!may_be_transcript(
            "550 5.1.1 <a@example.org>: User unknown"
        ));
        assert!(!may_be_transcript("550-5.7.26 first\nline two"));
        // On generated text: whenever the patterns could make a transcript, so does the check.
        const PIECES: &[&str] = &[
            "550", "250", "12", " ", "\t", "\n", "<<", "<", "-", "S", "s", ":", "SMTP", "recv",
            "server", "\u{17f}", "x", "5", "\u{a0}",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut transcripts = 0;
        for _ in 0..100_000 {
            let text: String = (0..next() % 9)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let server = text.lines().any(|l| SERVER_LINE.is_match(l));
            let codes = text.lines().filter(|l| CODE_LINE.is_match(l)).count();
            if server || codes >= 2 {
                assert!(may_be_transcript(&text), "{text:?}");
                transcripts += 1;
            }
        }
        assert!(transcripts > 400, "{transcripts}");
    }

    #[test]
    fn a_transcript_fails_with_its_first_failing_reply() {
        let t = "  759   SMTP<< 250 2.1.0 Ok\n\
                 \x20 759   SMTP<< 504 5.5.2 <host>: Helo command rejected: need fully-qualified hostname\n\
                 \x20 759   SMTP<< 554 5.5.1 Error: no valid recipients\n";
        let r = transcript(t).unwrap();
        assert_eq!(r.basic, Some(504));
        assert_eq!(r.enhanced.as_deref(), Some("5.5.2"));
        let t = "220 mx.example.com ESMTP ready\nEHLO client.example\n250-mx.example.com\n\
                 250 SIZE 1000000\nMAIL FROM:<>\n550 5.7.1 Client blocked (S3140)\nQUIT\n";
        let r = transcript(t).unwrap();
        assert_eq!(r.basic, Some(550));
        assert_eq!(r.text, "Client blocked (S3140)");
        // One multi-line reply is not a transcript.
        assert!(transcript("550-5.7.26 Unauthenticated\n550 5.7.26 mail").is_none());
    }

    #[test]
    fn application_errors_keep_the_code_the_application_read() {
        // nodemailer: the response field holds the reply whole, beside its code.
        let r = app_error(
            "Error: Can't send mail - all recipients were rejected: 550 5.1.1 No such user\n  \
             code: 'EENVELOPE',\n  response: '550 5.1.1 No such user',\n  responseCode: 550,",
        )
        .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(550), Some("5.1.1")));
        assert_eq!(r.text, "No such user");
        // .NET's words for 421, and for 450 where the enhanced code says temporary.
        let r = app_error(
            "SmtpException: Service not available, closing transmission channel. The server \
             response was: 4.7.0 Try again later",
        )
        .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(421), Some("4.7.0")));
        let r = app_error(
            "SmtpFailedRecipientException: Mailbox unavailable. The server response was: 4.2.1 \
             Slow down\n4.2.1 please",
        )
        .unwrap();
        assert_eq!(r.basic, Some(450));
        assert_eq!(r.text, "Slow down please");
        // Python's bytes escapes are the UTF-8 they stand for.
        let r = py_tuple(r"(421, b'Message temporarily deferred \xe2\x80\x93 4.16.50')").unwrap();
        assert_eq!(r.text, "Message temporarily deferred \u{2013} 4.16.50");
        // PHPMailer's debug dialogue is a transcript.
        let t = "2026-12-07 05:12:01\tCLIENT -> SERVER: RCPT TO:<a@example.org>\n\
                 2026-12-07 05:12:01\tSERVER -> CLIENT: 550 5.1.1 Unknown\n";
        assert!(is_dialogue_line(t.lines().next().unwrap()));
        assert_eq!(transcript(t).unwrap().basic, Some(550));
        // A wrapped line that starts with a number is no reply of a transcript.
        let t = "550 5.3.190 Journaling to Microsoft\n    365 not supported";
        assert!(transcript(t).is_none());
    }

    #[test]
    fn application_errors_give_the_reply_they_hold() {
        let r = app_error(
            r"data: (550, b'5.7.1 [ip 7] Gmail has detected that this message is\n5.7.1 likely unsolicited mail.')",
        )
        .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(550), Some("5.7.1")));
        assert_eq!(
            r.text,
            "[ip 7] Gmail has detected that this message is likely unsolicited mail."
        );
        let r = app_error(
            "SMTP Error (451): Failed to add recipient \"a@example.com\" (Temporary local problem - please try later).",
        )
        .unwrap();
        assert_eq!(r.basic, Some(451));
        assert!(r.text.starts_with("Failed to add recipient"), "{}", r.text);
        let r = app_error(
            "SMTP Last Response Code: 504\nSMTP Last Response: 5.5.2 <Styx>: Helo command rejected: need fully-qualified hostname",
        )
        .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(504), Some("5.5.2")));
        let r = app_error(
            r#"Permanent(Response { code: Code { severity: PermanentNegativeCompletion, category: MailSystem, detail: Four }, message: [\"5.7.1 Message rejected under suspicion of SPAM\"] })"#,
        )
        .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(554), Some("5.7.1")));
        let r = enhanced_only(
            "Msg#41 failed: Permanent SMTP error: permanent: 5.7.1 [2] Message rejected",
        )
        .unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("5.7.1"));
        assert_eq!(r.text, "[2] Message rejected");
        // An IronPort bounce log's tuple: the code quoted, the lines in a list.
        let r = app_error(
            r#"Response: "('451', ['<a@example.org> Automated block triggered by suspicious activity'])""#,
        )
        .unwrap();
        assert_eq!(r.basic, Some(451));
        assert!(r.text.ends_with("suspicious activity"), "{}", r.text);
        // .NET: the status words stand for the basic code the server's words lost.
        let r = app_error(
            "SmtpException: Mailbox unavailable. The server response was: 5.7.1 Client does not have permissions to send as this sender",
        )
        .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(550), Some("5.7.1")));
        let r = app_error(
            "SmtpException: Mailbox unavailable. The server response was: If MAIL FROM is local then you must authenticate",
        )
        .unwrap();
        assert_eq!(r.basic, Some(550));
        assert_eq!(r.text, "If MAIL FROM is local then you must authenticate");
        assert_eq!(
            unescape(r"a\nb \'c\' http:\/\/x").as_deref(),
            Some("a\nb 'c' http://x")
        );
    }
}
