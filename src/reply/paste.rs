//! Undoing what the way a reply was pasted did to it, before it is read: HTML escapes (a web
//! page or a ticket system), an exception's stack frames, a DSN field's `smtp;` type, qmail's
//! log encoding of a delivery's report, DSN fields flattened onto one line.

use super::code::Regex;
use super::code::{re, starts_like_reply};
use std::borrow::Cow;
use std::sync::LazyLock;

/// One frame of a stack trace under an exception message: Java's `\tat com.x.Y.m(Y.java:12)`,
/// .NET's `   at System.Net.Mail.SmtpTransport.SendMail(MailAddress sender, ...)` (and its ` in
/// C:\src\x.cs:line 42`), Node's `    at SMTPConnection._formatError (/app/x.js:798:19)` or
/// `    at /app/x.js:12:5`, Python's `  File "/app/x.py", line 12, in send`, PHP's `#0
/// /var/www/x.php(198): X->assertResponseCode('550 ...', Array)` under Laravel's `[stacktrace]`,
/// Ruby's `net/smtp.rb:969:in 'check_response'` (also after `from `) and an error tracker's
/// `(50 additional frame(s) were not displayed)`, PowerShell's error record (`At line:1 char:1`,
/// the command echoed after `+ `, `+ CategoryInfo : ...`).
/// The frame is the application's, never the server's words (PHP's quotes the reply again).
static FRAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"^(?:#\d+\s+(?:\S.*\(\d+\):\s.*|\{main\})|\[stacktrace\])\s*$|^\s+(?:at\s+(?:[\w$.<>\[\]`'|~-]+\(.*\)(?:\s+in\s+.*)?|[\w$.<>\[\] ]+\s\(.*:\d+(?::\d+)?\)|\S+:\d+:\d+|\.\.\.\s*\d+\s+more)|File\s+".*",\s+line\s+\d+.*|\.\.\.\s*\d+\s+more)\s*$|^\s*(?:from\s+)?[^\s:]+\.rb:\d+:in\b.*$|^\s*\(\d+ additional frame\(s\) were not displayed\)\s*$|^\s*At (?:line:\d+|\S+:\d+) char:\d+\s*$|^\+ \S.*$|^\+\s+~+\s*$|^\s+\+ (?:CategoryInfo|FullyQualifiedErrorId)\s+:.*$"#,
    )
});

/// `text` with what the paste added or changed undone; `None` when nothing was.
pub fn clean(text: &str) -> Option<String> {
    let mut out = Cow::Borrowed(text);
    if let Some(t) = without_frames(&out) {
        out = Cow::Owned(t);
    }
    if let Some(t) = html_unescaped(&out) {
        out = Cow::Owned(t);
    }
    if let Some(t) = qmail_log_decoded(&out) {
        out = Cow::Owned(t);
    }
    if let Some(t) = labelled_reply(&out) {
        out = Cow::Owned(t);
    }
    if let Some(t) = fields_unflattened(&out) {
        out = Cow::Owned(t);
    }
    if let Some(t) = without_diagnostic_type(&out) {
        out = Cow::Owned(t.to_string());
    }
    match out {
        Cow::Borrowed(_) => None,
        Cow::Owned(t) => Some(t),
    }
}

/// The text without the lines of stack frames. Only a text that has a line of its own before
/// the frames counts (an exception's message), so that no input loses all its lines.
fn without_frames(text: &str) -> Option<String> {
    // The frames' marks, checked before any pattern runs.
    if ![
        "at ", "File \"", "more", "#0 ", ".rb:", "frame(s)", " char:",
    ]
    .iter()
    .any(|m| text.contains(m))
    {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let frames = lines.iter().filter(|l| FRAME.is_match(l)).count();
    if frames == 0 || frames == lines.len() {
        return None;
    }
    Some(
        lines
            .into_iter()
            .filter(|l| !FRAME.is_match(l))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Text a web page or a ticket system showed HTML-escaped (`550 5.1.1 &lt;ann@example.org&gt;:
/// ...`, `weren&#39;t`), read as the characters it stands for.
fn html_unescaped(text: &str) -> Option<String> {
    let escaped = ["&lt;", "&gt;", "&quot;", "&#", "&amp;", "&apos;", "&nbsp;"]
        .iter()
        .any(|e| text.contains(e));
    escaped.then(|| decode_entities(text))
}

/// A delivery status notification's fields as they are named in one (RFC 3464 section 2.3).
/// The per-message and per-recipient fields of RFC 3464 a flattened paste is split at.
const DSN_FIELDS: [&str; 8] = [
    "Reporting-MTA",
    "Final-Recipient",
    "Original-Recipient",
    "Action",
    "Status",
    "Remote-MTA",
    "Diagnostic-Code",
    "Last-Attempt-Date",
];

static NEXT_FIELD: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\s+((?:{}):\s)", DSN_FIELDS.join("|"))));

/// DSN fields that a web page or a ticket flattened onto one line (`Remote-MTA: dns; mx.x
/// Diagnostic-Code: smtp; 550 ...`): each field on a line of its own, as the DSN wrote them.
/// Only a one-line text that opens with a field, and only the fields' names as RFC 3464 writes
/// them, so that a reply's words (`status: disabled`) are never cut.
fn fields_unflattened(text: &str) -> Option<String> {
    let t = text.trim();
    // Checked by its words before the pattern is compiled: every one-line reply passes here.
    let opens_with_field = DSN_FIELDS
        .iter()
        .any(|f| t.strip_prefix(f).is_some_and(|rest| rest.starts_with(':')));
    if t.contains('\n') || !opens_with_field || !NEXT_FIELD.is_match(&format!(" {t}")) {
        return None;
    }
    let opens = NEXT_FIELD
        .find(&format!(" {t}"))
        .is_some_and(|m| m.start() == 0);
    let split = NEXT_FIELD.replace_all(t, "\n$1");
    (opens && split != t).then(|| split.into_owned())
}

/// A library that reports the server's reply in labelled fields rather than as the server wrote
/// it: node's sendmail `SMTP code:550 msg:550-5.7.1 The IP ...`, PEAR Net_SMTP's `Invalid
/// response code received from server (code: 535, response: Incorrect authentication data)`.
static LABELLED: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:SMTP )?code:\s?([245][0-9]{2}),?\s+(?:msg|response):\s?"));

/// The reply of a labelled report put back on a line of its own, its code before its words
/// (the words keep their own code where they repeat it), so that it is read as the server's.
fn labelled_reply(text: &str) -> Option<String> {
    // Checked by its words before the pattern runs: almost no paste has them.
    if !text.contains("code:") || !(text.contains("msg:") || text.contains("response:")) {
        return None;
    }
    let m = LABELLED.captures(text)?;
    let (all, code) = (m.get(0)?, m.get(1)?.as_str());
    let before = &text[..all.start()];
    let after = &text[all.end()..];
    let (mut words, mut tail) = (after, "");
    // PEAR closes its list of fields where the line ends (`...data)]`): the brackets are its.
    if before.ends_with('(') {
        let line_end = after.find('\n').unwrap_or(after.len());
        words = after[..line_end].trim_end().trim_end_matches([')', ']']);
        tail = &after[line_end..];
    }
    let reply = if starts_like_reply(words) {
        words.to_string()
    } else {
        format!("{code} {words}")
    };
    Some(format!("{}\n{reply}{tail}", before.trim_end()))
}

/// qmail-send's log of a delivery (`failure: 192.0.2.1_does_not_like_recipient./Remote_host_said:_
/// 550_No_such_user/Giving_up_on_192.0.2.1./`): qmail-remote's report with its spaces written as
/// `_` and its lines ended by `/`, read as the report it stands for. Only a text that holds one
/// of the report's own phrases in that encoding is decoded.
fn qmail_log_decoded(text: &str) -> Option<String> {
    const MARKS: &[&str] = &[
        "_does_not_like_recipient.",
        "Remote_host_said:",
        "Giving_up_on_",
        "Sorry,_I_couldn't_find_any_host",
        "I'm_not_going_to_try_again",
    ];
    if !MARKS.iter().any(|m| text.contains(m)) {
        return None;
    }
    let decoded: String = text
        .chars()
        .map(|c| match c {
            '_' => ' ',
            '/' => '\n',
            c => c,
        })
        .collect();
    Some(decoded)
}

/// Decodes the character references a reply's text can hold once escaped: the named ones of
/// XML and `&nbsp;`, and numeric ones (`&#39;`, `&#x27;`). Anything else stays as written.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(e, _)| e);
        let decoded = end.and_then(|e| entity(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "amp" => Some('&'),
        "nbsp" => Some(' '),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            // A control character is no part of a reply's words.
            char::from_u32(code).filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        }
    }
}

/// A DSN `Diagnostic-Code` value pasted without its field name (`smtp; 550 5.1.1 ...`): the
/// reply after its type. Only the SMTP type: another type's number is no reply code (`X-Unix;
/// 255` is an exit status).
fn without_diagnostic_type(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let (kind, rest) = t.split_once(';')?;
    let rest = rest.trim_start();
    (["smtp", "x-smtp", "esmtp"]
        .iter()
        .any(|k| kind.trim().eq_ignore_ascii_case(k))
        && starts_like_reply(rest))
    .then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_frames_under_an_exception_are_dropped() {
        let java = "javax.mail.SendFailedException: Invalid Addresses;\n  nested exception is:\n\t\
                    com.sun.mail.smtp.SMTPAddressFailedException: 550 Mail refused\n\n\tat \
                    com.sun.mail.smtp.SMTPTransport.rcptTo(SMTPTransport.java:2064)\n\t... 3 more";
        let t = clean(java).unwrap();
        assert!(!t.contains("rcptTo") && !t.contains("more"), "{t}");
        assert!(t.contains("550 Mail refused"), "{t}");
        let net = "SmtpException: Mailbox unavailable. The server response was: 5.7.1 Denied\r\n   \
                   at System.Net.Mail.SmtpTransport.SendMail(MailAddress sender) in C:\\src\\Mailer.cs:line 42";
        assert_eq!(
            clean(net).unwrap(),
            "SmtpException: Mailbox unavailable. The server response was: 5.7.1 Denied"
        );
        let node = "Error: Can't send mail - all recipients were rejected: 550 No\n    at \
                    SMTPConnection._formatError (/app/node_modules/x/index.js:798:19)\n    at \
                    /app/send.js:12:5";
        assert_eq!(
            clean(node).unwrap(),
            "Error: Can't send mail - all recipients were rejected: 550 No"
        );
        let php = "production.ERROR: Expected response code \"250\" but got code \"550\"\n\
                   [stacktrace]\n#0 /var/www/x/SmtpTransport.php(198): X->assertResponseCode('550 \
                   Other words', Array)\n#1 {main}";
        assert_eq!(
            clean(php).unwrap(),
            "production.ERROR: Expected response code \"250\" but got code \"550\""
        );
        // Words that merely start with "at" stay; a text of frames alone is left as it is.
        assert_eq!(clean("550-5.7.1 Rejected\n    at our discretion"), None);
        assert_eq!(clean("    at a.b.C(D.java:1)"), None);
    }

    #[test]
    fn html_escapes_are_read_as_their_characters() {
        assert_eq!(
            clean(
                "550 5.1.1 &lt;ann@example.org&gt;: weren&#39;t &quot;x&quot; &amp; &#x27;y&#X27;"
            )
            .unwrap(),
            "550 5.1.1 <ann@example.org>: weren't \"x\" & 'y'"
        );
        // An ampersand that starts no reference stays; a control character is not made.
        assert_eq!(decode_entities("a & b &c; &#0; &#"), "a & b &c; &#0; &#");
        assert_eq!(clean("550 Tom & Jerry"), None);
    }

    #[test]
    fn qmails_log_encoding_is_read_as_its_report() {
        let t = clean(
            "delivery 7: failure: 192.0.2.1_does_not_like_recipient./Remote_host_said:_550_5.1.1_\
             No_such_user/Giving_up_on_192.0.2.1./",
        )
        .unwrap();
        assert!(
            t.contains("\nRemote host said: 550 5.1.1 No such user\n"),
            "{t}"
        );
        // Underscores elsewhere are left alone.
        assert_eq!(clean("550 No such user: ann_b@example.org"), None);
    }

    #[test]
    fn dsn_fields_flattened_onto_one_line_get_their_lines_back() {
        assert_eq!(
            clean("Remote-MTA: dns; mx.example.net Diagnostic-Code: smtp; 550 5.1.1 Unknown")
                .as_deref(),
            Some("Remote-MTA: dns; mx.example.net\nDiagnostic-Code: smtp; 550 5.1.1 Unknown")
        );
        // A reply's words that look like a field, and a text that does not open with one.
        assert_eq!(clean("550 5.2.1 Mailbox Status: disabled"), None);
        assert_eq!(
            clean("Diagnostic-Code: smtp; 550 account status: disabled"),
            None
        );
    }

    #[test]
    fn a_diagnostic_code_value_is_read_after_its_type() {
        assert_eq!(
            clean("smtp; 550 5.1.1 No, not, here").as_deref(),
            Some("550 5.1.1 No, not, here")
        );
        assert_eq!(clean("SMTP;550 No").as_deref(), Some("550 No"));
        assert_eq!(clean("X-Unix; 255"), None);
        assert_eq!(clean("smtp; hello"), None);
    }

    #[test]
    fn a_reply_reported_in_labelled_fields_is_read_as_the_servers() {
        let node = "Error: SMTP code:550 msg:550-5.7.1 [192.0.2.1] The IP you're using to send mail is not authorized to\n550 5.7.1 send email directly to our servers. - gsmtp";
        let t = clean(node).unwrap();
        assert!(t.contains("\n550-5.7.1 [192.0.2.1] The IP"), "{t}");
        let pear = "[SMTP: Invalid response code received from server (code: 535, response: Incorrect authentication data)]";
        let t = clean(pear).unwrap();
        assert!(t.ends_with("\n535 Incorrect authentication data"), "{t}");
        // A reply's own words that merely contain `code:` are left alone.
        assert!(clean("550 5.1.1 User unknown (error code: 17)").is_none());
    }
}
