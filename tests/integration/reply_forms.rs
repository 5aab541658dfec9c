//! Form invariance: every rule example, pasted in the forms people paste replies in (log lines,
//! DSN fields, exceptions, quoted, wrapped, escaped ...), decodes as the bare reply does.
//!
//! The forms are generated from the rules' own examples (never from validation texts). A form
//! that drops the only signal that recognised the provider (the first line of a reply whose
//! trailer is on its last line, a reply without its trailer) may lose the provider, and the test
//! says which forms those are; category and action must hold in every form all the same.
#![allow(clippy::unwrap_used)]

use mailtriage::reply::{InputError, extract};
use mailtriage::rules::{Decoded, RuleSet};
use regex::Regex;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[path = "reply_forms_wrappers.rs"]
mod wrappers;

/// One example reply: its lines as the rule gives them.
struct Example {
    /// The rule whose example it is.
    at: String,
    lines: Vec<String>,
    basic: u16,
    enhanced: Option<String>,
}

impl Example {
    /// The reply on one line, as Postfix and most logs flatten it (continuation codes kept).
    fn flat(&self) -> String {
        self.lines.join(" ")
    }
    fn multi(&self) -> String {
        self.lines.join("\n")
    }
    fn temporary(&self) -> bool {
        self.basic / 100 == 4
    }
    /// Each line without its `550-5.7.1 ` / `550 ` prefix's basic code (as Python's smtplib and
    /// .NET keep a reply: the enhanced code stays on each line).
    fn lines_without_basic(&self) -> Vec<String> {
        let re = Regex::new(r"^[2-5][0-9]{2}[ -]?").unwrap();
        self.lines
            .iter()
            .map(|l| re.replace(l, "").trim().to_string())
            .collect()
    }
    /// Each line without its basic code, and the first without its enhanced code too: the
    /// "content" an MTA's log keeps beside the codes it parsed out (KumoMTA).
    fn content(&self) -> String {
        let mut lines = self.lines_without_basic();
        if let (Some(first), Some(e)) = (lines.first_mut(), &self.enhanced) {
            *first = first
                .strip_prefix(e.as_str())
                .unwrap_or(first)
                .trim()
                .to_string();
        }
        lines.join("\n")
    }
    /// The words of every line, without codes, joined by spaces after one `550 5.7.1` (as
    /// Haraka logs a multi-line reply).
    fn one_code_words(&self) -> String {
        let re = Regex::new(r"^[2-5][0-9]{2}[ -]?(?:[2-5]\.[0-9]{1,3}\.[0-9]{1,3}\s+)?").unwrap();
        let words: Vec<String> = self
            .lines
            .iter()
            .map(|l| re.replace(l, "").trim().to_string())
            .collect();
        match &self.enhanced {
            Some(x) => format!("{} {x} {}", self.basic, words.join(" ")),
            None => format!("{} {}", self.basic, words.join(" ")),
        }
    }
    fn dsn(&self) -> String {
        self.enhanced
            .clone()
            .unwrap_or_else(|| format!("{}.0.0", self.basic / 100))
    }
}

/// Whether a form can lose the provider: it keeps only part of the reply.
#[derive(Clone, Copy, PartialEq)]
enum Keeps {
    Whole,
    Part,
}

type Form = (&'static str, Keeps, fn(&Example) -> Option<String>);

const HOST: &str = "mx.example.net[192.0.2.1]";
const RCPT: &str = "ann@example.org";

fn postfix(e: &Example, status: &str) -> String {
    format!(
        "Dec  7 05:12:01 mail1 postfix/smtp[2231]: 4F1A2B3C9D: to=<{RCPT}>, relay={HOST}:25, \
         delay=1.2, delays=0.1/0/0.5/0.6, dsn={}, status={status} (host {HOST} said: {} (in \
         reply to RCPT TO command))",
        e.dsn(),
        e.flat()
    )
}

fn exim(e: &Example, head: &str) -> String {
    format!(
        "2026-12-07 05:12:01 1rs2Ab-000Abc-1x {head} {RCPT} R=dnslookup T=remote_smtp{} \
         H=mx.example.net [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<{RCPT}>: {}",
        if head == "==" { " defer (-44):" } else { "" },
        e.lines.join("\\n")
    )
}

/// Words wrapped at `width` columns, continuation lines starting with `indent`.
fn wrap(text: &str, width: usize, first: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    for w in text.split_whitespace() {
        if line.len() + 1 + w.len() > width && line.trim().len() > first.trim().len() {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
        }
        if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(w);
    }
    out.push_str(line.trim_end());
    out
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn forms() -> Vec<Form> {
    vec![
        ("first-line", Keeps::Part, |e| {
            (e.lines.len() > 1).then(|| e.lines[0].clone())
        }),
        // Without the trailer a provider adds (Gmail's `id - gsmtp`, Microsoft's bracketed
        // server name), as people often copy a reply.
        ("no-trailer", Keeps::Part, |e| {
            let trailer =
                Regex::new(r"(?:\s+\S+)?\s+-\s+gsmtp\s*$|\s+\[[A-Za-z0-9.-]+\.[A-Za-z]{2,}\]\s*$")
                    .unwrap();
            let multi = e.multi();
            let cut = trailer.replace(&multi, "").to_string();
            (cut != multi).then_some(cut)
        }),
        ("postfix-bounced", Keeps::Whole, |e| {
            (!e.temporary()).then(|| postfix(e, "bounced"))
        }),
        ("postfix-deferred", Keeps::Whole, |e| {
            e.temporary().then(|| postfix(e, "deferred"))
        }),
        ("exim-failed", Keeps::Whole, |e| {
            (!e.temporary()).then(|| exim(e, "**"))
        }),
        ("exim-defer", Keeps::Whole, |e| {
            e.temporary().then(|| exim(e, "=="))
        }),
        ("sendmail", Keeps::Whole, |e| {
            Some(format!(
                "Dec  7 05:12:01 mail1 sm-mta[812]: 4B7HC1x8012345: to=<{RCPT}>, delay=00:00:01, \
                 xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx.example.net. [192.0.2.1], \
                 dsn={}, stat={}{}",
                e.dsn(),
                if e.temporary() { "Deferred: " } else { "" },
                e.flat()
            ))
        }),
        ("smtp-semicolon", Keeps::Whole, |e| {
            Some(format!("smtp; {}", e.flat()))
        }),
        ("diagnostic-code-folded", Keeps::Whole, |e| {
            Some(wrap(
                &e.lines.join(" "),
                78,
                "Diagnostic-Code: smtp;",
                "    ",
            ))
        }),
        ("dsn-fields", Keeps::Whole, |e| {
            Some(format!(
                "Final-Recipient: rfc822; {RCPT}\nAction: {}\nStatus: {}\nRemote-MTA: dns; \
                 mx.example.net\n{}",
                if e.temporary() { "delayed" } else { "failed" },
                e.dsn(),
                wrap(&e.lines.join(" "), 78, "Diagnostic-Code: smtp;", " ")
            ))
        }),
        ("wrapped-76-indented", Keeps::Whole, |e| {
            Some(wrap(&e.flat(), 76, "    ", "    "))
        }),
        ("wrapped-78-flush", Keeps::Whole, |e| {
            Some(wrap(&e.flat(), 78, "", ""))
        }),
        ("quoted", Keeps::Whole, |e| {
            Some(
                e.lines
                    .iter()
                    .map(|l| format!("> {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }),
        ("html-escaped", Keeps::Whole, |e| {
            let s = e
                .multi()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;");
            (s != e.multi()).then_some(s)
        }),
        ("json-string", Keeps::Whole, |e| {
            Some(json_string(&e.multi()))
        }),
        ("json-object", Keeps::Whole, |e| {
            Some(format!(
                "{{\"event\":\"bounce\",\"email\":\"{RCPT}\",\"response\":{}}}",
                json_string(&e.multi())
            ))
        }),
        // PHPMailer's debug output: the dialogue, then its error with the reply's lines.
        ("phpmailer", Keeps::Whole, |e| {
            let t = "2026-12-07 05:12:01\t";
            Some(format!(
                "{t}CLIENT -> SERVER: MAIL FROM:<news@example.com>\n{t}SERVER -> CLIENT: 250 2.1.0 \
                 OK\n{t}CLIENT -> SERVER: RCPT TO:<{RCPT}>\n{}\n{t}SMTP ERROR: RCPT TO command \
                 failed: {}\n{t}CLIENT -> SERVER: QUIT",
                e.lines
                    .iter()
                    .map(|l| format!("{t}SERVER -> CLIENT: {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                e.multi()
            ))
        }),
        ("nodemailer", Keeps::Whole, |e| {
            Some(format!(
                "Error: Can't send mail - all recipients were rejected: {}\n    at \
                 SMTPConnection._formatError (/app/node_modules/nodemailer/lib/smtp-connection/\
                 index.js:798:19)\n    at SMTPConnection._actionRCPT (/app/node_modules/\
                 nodemailer/lib/smtp-connection/index.js:1684:28) {{\n  code: 'EENVELOPE',\n  \
                 response: {},\n  responseCode: {},\n  command: 'RCPT TO'\n}}",
                e.multi(),
                serde_json::to_string(&e.multi()).unwrap().replace('"', "'"),
                e.basic
            ))
        }),
        // Symfony Mailer's exception in a Laravel log: the reply with its CRLF line ends, then
        // the same again JSON-escaped in the exception's context, then PHP's stack frames.
        ("symfony-laravel-log", Keeps::Whole, |e| {
            let raw = format!("{}\r\n", e.lines.join("\r\n"));
            let message = format!(
                "Expected response code \"250\" but got code \"{}\", with message \"{raw}\".",
                e.basic
            );
            let escaped = serde_json::to_string(&message).unwrap();
            Some(format!(
                "[2026-12-07 05:12:01] production.ERROR: {message} {{\"exception\":\"[object] \
                 (Symfony\\\\Component\\\\Mailer\\\\Exception\\\\UnexpectedResponseException(code: {}): \
                 {} at /var/www/vendor/symfony/mailer/Transport/Smtp/SmtpTransport.php:342)\"}}\n\
                 [stacktrace]\n#0 /var/www/vendor/symfony/mailer/Transport/Smtp/SmtpTransport.php(198): \
                 Symfony\\Component\\Mailer\\Transport\\Smtp\\SmtpTransport->assertResponseCode('{}', \
                 Array)\n#1 {{main}}",
                e.basic,
                &escaped[1..escaped.len() - 1],
                e.lines.join("\\r\\n").replace('\'', "\\'")
            ))
        }),
        ("dotnet", Keeps::Whole, |e| {
            let status = dotnet_status(e)?;
            Some(format!(
                "System.Net.Mail.SmtpFailedRecipientException: {status} The server \
                 response was: {}\n   at System.Net.Mail.SmtpTransport.SendMail(MailAddress \
                 sender, MailAddressCollection recipients, String deliveryNotify, Boolean \
                 allowUnicode, SmtpFailedRecipientException& exception)",
                e.lines_without_basic().join("\n")
            ))
        }),
        ("python-smtplib", Keeps::Whole, |e| {
            Some(format!(
                "smtplib.SMTPRecipientsRefused: {{'{RCPT}': ({}, b{})}}",
                e.basic,
                py_bytes(&e.lines_without_basic().join("\n"))
            ))
        }),
        // Django's debug page pasted from the browser's source: the smtplib exception,
        // HTML-escaped.
        ("django-html", Keeps::Whole, |e| {
            let tuple = format!(
                "{{'{RCPT}': ({}, b{})}}",
                e.basic,
                py_bytes(&e.lines_without_basic().join("\n"))
            );
            Some(format!(
                "<pre class=\"exception_value\">{}</pre>",
                tuple
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('\'', "&#x27;")
            ))
        }),
        // The body of Exim's failure notice: the address, then the reply's lines indented.
        ("exim-notice-body", Keeps::Whole, |e| {
            Some(format!(
                "This message was created automatically by mail delivery software.\n\n\
                 A message that you sent could not be delivered to one or more of its\n\
                 recipients. This is a permanent error. The following address(es) failed:\n\n  \
                 {RCPT}\n    host mx.example.net [192.0.2.1]\n    SMTP error from remote mail \
                 server after RCPT TO:<{RCPT}>:\n    {}",
                e.lines.join("\n    ")
            ))
        }),
        ("javamail", Keeps::Whole, |e| {
            Some(format!(
                "javax.mail.SendFailedException: Invalid Addresses;\n  nested exception is:\n\t\
                 com.sun.mail.smtp.SMTPAddressFailedException: {}\n\n\tat \
                 com.sun.mail.smtp.SMTPTransport.rcptTo(SMTPTransport.java:2064)",
                e.multi()
            ))
        }),
        ("lowercased", Keeps::Whole, |e| {
            Some(e.multi().to_lowercase())
        }),
        ("crlf", Keeps::Whole, |e| {
            (e.lines.len() > 1).then(|| format!("{}\r\n", e.lines.join("\r\n")))
        }),
        ("timestamped", Keeps::Whole, |e| {
            Some(format!(
                "[2026-12-07 05:12:01] production.ERROR: {}",
                e.flat()
            ))
        }),
        ("syslog-prefixed", Keeps::Whole, |e| {
            Some(
                e.lines
                    .iter()
                    .map(|l| format!("Dec  7 05:12:01 web1 app[4242]: {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }),
    ]
}

/// .NET's `SmtpStatusCode` words for the code it read; other codes it words otherwise.
fn dotnet_status(e: &Example) -> Option<&'static str> {
    Some(match e.basic {
        421 => "Service not available, closing transmission channel.",
        // The same words stand for 450 and 550: only an enhanced code tells them apart, so a
        // 450 without one loses its class in this form.
        450 if e.enhanced.is_none() => return None,
        450 | 550 => "Mailbox unavailable.",
        451 => "Error in processing.",
        452 => "Insufficient system storage.",
        552 => "Exceeded storage allocation.",
        553 => "Mailbox name not allowed.",
        554 => "Transaction failed.",
        _ => return None,
    })
}

fn all_forms() -> Vec<Form> {
    let mut all = forms();
    all.extend(wrappers::more_forms());
    all
}

/// Python's `repr` of a bytes value (quotes and escapes as Python prints them).
fn py_bytes(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(q);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() => out.push(c),
            c => {
                let mut b = [0; 4];
                for byte in c.encode_utf8(&mut b).bytes() {
                    let _ = write!(out, "\\x{byte:02x}");
                }
            }
        }
    }
    out.push(q);
    out
}

/// The lines of a multi-line reply flattened onto one line: a new line starts at each
/// `550-` / `550 ` that follows a word (a `550-` line must come first).
fn split_flattened(line: &str, code: &str) -> Vec<String> {
    if !line.starts_with(&format!("{code}-")) {
        return vec![line.to_string()];
    }
    let at = Regex::new(&format!(r"\s({code}[ -])")).unwrap();
    let mut out = Vec::new();
    let mut start = 0;
    for m in at.captures_iter(line) {
        let i = m.get(1).unwrap().start();
        out.push(line[start..i].trim().to_string());
        start = i;
    }
    out.push(line[start..].trim().to_string());
    out
}

/// The rules' examples that are one failing reply with a code (4xx or 5xx).
fn examples(set: &RuleSet) -> Vec<Example> {
    let mut raw: Vec<(String, &String)> = Vec::new();
    for l in &set.basics {
        raw.extend(l.rule.examples.iter().map(|e| (l.rule.id.clone(), e)));
    }
    for l in &set.enhanced {
        raw.extend(l.rule.examples.iter().map(|e| (l.rule.id.clone(), e)));
    }
    for l in &set.provider_rules {
        raw.extend(l.rule.examples.iter().map(|e| (l.rule.id.clone(), e)));
    }
    for l in &set.phrases {
        raw.extend(l.rule.examples.iter().map(|e| (l.rule.id.clone(), e)));
    }
    let start = Regex::new(r"^([45][0-9]{2})(?:[ -]|$)").unwrap();
    raw.into_iter()
        .filter_map(|(at, e)| {
            let lines: Vec<String> = e
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            // Only a reply: every line opens with the same code (DSN fields and prose aside).
            let first = start.captures(lines.first()?)?;
            let code = first.get(1)?.as_str();
            if !lines.iter().all(|l| l.starts_with(code)) {
                return None;
            }
            // A multi-line reply given flattened (`550-5.7.1 a 550-5.7.1 b 550 5.7.1 c`): its lines.
            let lines = if lines.len() == 1 {
                split_flattened(&lines[0], code)
            } else {
                lines
            };
            let r = extract(e.as_bytes()).ok()?.replies.into_iter().next()?;
            Some(Example {
                at,
                basic: r.basic?,
                enhanced: r.enhanced,
                lines,
            })
        })
        .collect()
}

fn decode(set: &RuleSet, input: &str) -> Result<(Decoded, String, String), InputError> {
    let r = extract(input.as_bytes())?
        .replies
        .into_iter()
        .next()
        .unwrap();
    let seen = format!(
        "{} {} {}",
        r.text,
        r.server_name.as_deref().unwrap_or(""),
        r.remote_mta.as_deref().unwrap_or("")
    )
    .to_lowercase();
    let read = format!(
        "{:?} {:?} {:?} {:?}",
        r.basic, r.enhanced, r.dsn_action, r.text
    );
    Ok((set.decode(&r), seen, read))
}

fn summary(d: &Decoded) -> String {
    format!(
        "{} / {} / {}",
        d.provider.as_ref().map_or("-", |p| p.id.as_str()),
        d.category,
        d.action.as_str()
    )
}

/// Replies pasted without their provider's trailer whose words carry none of the provider's
/// own meaning of the code: without the trailer only the registry's reading of the code is
/// knowable, and it is taken (rule, a piece of the example, why). These are pinned apart from
/// the disagreements; a reply whose words do say what the provider means is no such pair.
const GENERIC_WITHOUT_TRAILER: &[(&str, &str, &str)] = &[
    (
        "gmail-4-x-temporary-system-problem",
        "Server busy",
        "4.4.5 is network congestion: slowing down is what the words allow",
    ),
    (
        "microsoft-5-4-1-relay-access-denied",
        "Relay Access Denied",
        "at any other server a relay refusing the sender: fix the sending configuration",
    ),
    (
        "microsoft-5-7-57-client-not-authenticated",
        "Client not authenticated",
        "the same action, under the category the words name (smtp-auth)",
    ),
    (
        "microsoft-5-0-350-recipient-org-generic",
        "Remote server returned an error",
        "the same action; the words say nothing more than the code",
    ),
    (
        "microsoft-5-1-0-sender-denied",
        "Sender denied",
        "the same action (suppress the address)",
    ),
    (
        "microsoft-4-4-316-connection-refused",
        "Connection refused",
        "the same category; a temporary network failure is retried",
    ),
];

/// Why a form's disagreement is the registry's reading taken without the provider's trailer.
fn generic_without_trailer(form: &str, at: &str, flat: &str) -> Option<&'static str> {
    (form == "no-trailer")
        .then(|| {
            GENERIC_WITHOUT_TRAILER
                .iter()
                .find(|(rule, piece, _)| *rule == at && flat.contains(piece))
                .map(|(_, _, why)| *why)
        })
        .flatten()
}

/// The disagreements of every (example x form) pair, by form, and how many pairs ran.
fn disagreements(set: &RuleSet) -> (BTreeMap<&'static str, Vec<String>>, usize, usize) {
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut pairs = 0;
    let mut lost = 0;
    let examples = examples(set);
    assert!(examples.len() >= 500, "only {} examples", examples.len());
    for e in &examples {
        let (bare, _, _) = decode(set, &e.multi()).unwrap();
        for (name, keeps, make) in all_forms() {
            let Some(input) = make(e) else { continue };
            pairs += 1;
            let got = decode(set, &input);
            let miss = match &got {
                Err(err) => Some(format!("error: {err}")),
                Ok((d, seen, read)) => {
                    // A form that keeps part of the reply may drop the one signal that named
                    // the provider; then no provider is right, and category and action still
                    // must not change.
                    let signal_gone = keeps == Keeps::Part
                        && bare
                            .provider
                            .as_ref()
                            .is_some_and(|p| !seen.contains(&p.signal.matched.to_lowercase()));
                    let provider_ok = d.provider.as_ref().map(|p| &p.id)
                        == bare.provider.as_ref().map(|p| &p.id)
                        || signal_gone && d.provider.is_none();
                    if signal_gone && d.provider.is_none() {
                        lost += 1;
                    }
                    let same =
                        provider_ok && d.category == bare.category && d.action == bare.action;
                    (!same).then(|| format!("{}\n    read: {read}", summary(d)))
                }
            };
            if let Some(miss) = miss {
                // Where only the provider's meaning differs from the registry's reading and the
                // words say neither, the pair is pinned apart, with its reason (and the provider
                // must then be unnamed: the form dropped its only signal).
                if let Some(why) = generic_without_trailer(name, &e.at, &e.flat())
                    && got.as_ref().is_ok_and(|(d, _, _)| d.provider.is_none())
                {
                    out.entry("accepted").or_default().push(format!(
                        "{}: {why}\n    bare: {}\n    {name}: {miss}",
                        e.at,
                        summary(&bare)
                    ));
                    continue;
                }
                out.entry(name).or_default().push(format!(
                    "{}: {:?}\n    bare: {}\n    {name}: {miss}\n    input: {:?}",
                    e.at,
                    e.flat(),
                    summary(&bare),
                    input
                ));
            }
        }
    }
    (out, pairs, lost)
}

#[test]
fn every_form_of_a_rule_example_decodes_as_the_bare_reply() {
    let set = RuleSet::load(None).unwrap();
    let (mut misses, pairs, lost) = disagreements(&set);
    let mut table = String::new();
    for (name, _, _) in all_forms() {
        let n = misses.get(name).map_or(0, Vec::len);
        let _ = writeln!(table, "{name:<24} {n}");
    }
    let accepted = misses.remove("accepted").unwrap_or_default();
    // Every pair listed as the registry's reading still is one (a fixed pair leaves the list).
    for (rule, piece, _) in GENERIC_WITHOUT_TRAILER {
        assert!(
            accepted.iter().any(|m| m.starts_with(&format!("{rule}: "))),
            "{rule} ({piece}) now decodes as its bare reply: drop it from GENERIC_WITHOUT_TRAILER"
        );
    }
    let total: usize = misses.values().map(Vec::len).sum();
    println!("{pairs} pairs, {total} disagree, {lost} lost the provider's only signal\n{table}");
    if std::env::var_os("FORMS_DETAIL").is_some() {
        for (name, list) in &misses {
            for m in list {
                println!("[{name}] {m}");
            }
        }
    }
    // Every disagreement left, pinned: a form that stops agreeing shows up as a diff, and so
    // does one that starts to. Those left are readings of the words, not of the form (see
    // docs/explain.md, "The forms a reply is read in").
    let mut pinned = format!(
        "{pairs} pairs, {total} disagree, {} read as the registry's without the trailer\n{table}\n",
        accepted.len()
    );
    for m in &accepted {
        let mut lines = m.lines();
        let head = lines.next().unwrap_or("");
        let bare = lines.next().unwrap_or("").trim();
        let got = lines.next().unwrap_or("").trim();
        let _ = writeln!(pinned, "[accepted] {head} | {bare} | {got}");
    }
    for (name, list) in &misses {
        for m in list {
            let mut lines = m.lines();
            let head = lines.next().unwrap_or("");
            let at = head.split(": ").next().unwrap_or(head);
            let bare = lines.next().unwrap_or("").trim();
            let got = lines.next().unwrap_or("").trim();
            let _ = writeln!(pinned, "[{name}] {at}: {bare} | {got}");
        }
    }
    insta::assert_snapshot!("reply_forms_disagreements", pinned);
}
