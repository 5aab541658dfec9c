//! Reply extraction: find the SMTP replies in a reply line, log line or bounce message.

mod address;
mod addressees;
mod body;
mod bounce;
mod bounce_text;
mod code;
mod code_scan;
pub(crate) mod constant_regex;
mod dsn;
mod esp;
mod fields;
mod finality;
mod found;
mod headers;
mod hosts;
mod http_api;
mod listed;
mod log;
mod mailbox;
pub use mailbox::from_line as mbox_from_line;
mod mime;
mod notices;
mod paste;
mod pasted;
#[cfg(test)]
mod pattern_source;
mod prefilter;
mod prose;
mod queue;
mod recipients;
mod span_search;
pub mod types;
pub(crate) mod word_patterns;
#[cfg(test)]
mod word_source;

pub use code::{check_basic, check_enhanced};
pub use types::*;

/// Inputs above this size are refused before any parsing.
pub const MAX_INPUT: usize = 10 * 1024 * 1024;

/// A reply's text is cut at this many bytes (on a character boundary). RFC 5321 section
/// 4.5.3.1.5 limits a reply line to 512 octets and real multi-line replies stay within a few
/// kilobytes; a longer "reply" is a paste gone wrong, and its words would only slow decoding.
pub const MAX_REPLY_TEXT: usize = 8 * 1024;

/// The words of an input in which [`extract`] found no reply code, as one reply without a
/// code, when the input is short text: what the rules may still read as a sending service's API
/// refusal (`RuleSet::api_refusal`). `None` for anything else.
pub fn codeless(input: &[u8]) -> Option<Reply> {
    let text = std::str::from_utf8(input).ok()?;
    let cleaned = paste::decode_entities(text);
    http_api::codeless(&cleaned)
}

/// A failure or delay notice's text pasted on its own that names no recipient one can read
/// (`[email protected]`, a redacted `m▲.point.ne.jp`) and quotes no reply code: its words, as
/// one reply without a code or recipient, with the action its prose states (`delayed` for a
/// delay warning, else `failed`), for the rules to read (`RuleSet::api_refusal`). `None` for
/// long text and for text whose words report no failure or delay.
pub fn codeless_notice(input: &[u8]) -> Option<Extracted> {
    let text = std::str::from_utf8(input).ok()?;
    let cleaned = paste::decode_entities(text);
    let lines = cleaned.lines().filter(|l| !l.trim().is_empty()).count();
    if lines == 0 || lines > NOTICE_LINES || cleaned.len() > NOTICE_BYTES {
        return None;
    }
    if !prose::reads_as_failure(&cleaned) || cleaned.trim_end().ends_with('?') {
        return None;
    }
    let delay = finality::reads_as_delay("", &cleaned);
    let mut replies = vec![Reply {
        text: prose::explanation(&cleaned),
        dsn_action: Some(if delay { "delayed" } else { "failed" }.to_string()),
        ..Reply::default()
    }];
    finality::settle(&mut replies, Some(delay));
    Some(Extracted {
        form: InputForm::Bounce,
        kind: Some(finality::kind_of(&replies)),
        replies,
        original: None,
    })
}

/// The most non-blank lines and bytes a pasted notice without any code may have: the few
/// paragraphs of a notice's text, not a page or a whole message.
const NOTICE_LINES: usize = 20;
const NOTICE_BYTES: usize = 2048;

/// Finds the SMTP replies in `input`, auto-detecting its form: a bare reply (one or many
/// lines, possibly flattened), MTA log lines (Postfix, Exim, Sendmail) or ESP export rows
/// (one reply per line that carries one), or a whole bounce message.
pub fn extract(input: &[u8]) -> Result<Extracted, InputError> {
    if input.len() > MAX_INPUT {
        return Err(InputError::TooLarge(input.len(), MAX_INPUT));
    }
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty);
    }
    if looks_binary(input) {
        return Err(InputError::Binary);
    }
    // A message saved with a byte-order mark or blank lines before its headers still starts
    // at its headers.
    let message = &input[message_start(input)..];
    if let Some(starts) = mailbox::starts(message) {
        return each_message(message, &starts);
    }
    let text = match std::str::from_utf8(input) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        // Invalid UTF-8 is acceptable only in a MIME message (8-bit bodies in legacy charsets).
        Err(_) => {
            if !bounce::looks_like_message(&crate::utf8::lossy(message)) {
                return Err(InputError::Binary);
            }
            String::from_utf8_lossy(input)
        }
    };
    let mut ex = if bounce::looks_like_message(&crate::utf8::lossy(
        &message[..message.len().min(64 * 1024)],
    )) {
        let mut ex = bounce::extract(message)?;
        for r in &mut ex.replies {
            cap_text(&mut r.text);
        }
        ex
    } else {
        from_lines(text.trim_start_matches('\u{feff}'))?
    };
    // The server name a reply gives itself is a provider signal, whatever form carried it.
    for r in &mut ex.replies {
        r.server_name = hosts::server_name(r.basic, &r.text);
    }
    Ok(ex)
}

/// A mailbox of several messages: each is read on its own and their replies are one list, in
/// the mailbox's order. A message that reports nothing (a delivery receipt between two bounces)
/// adds nothing; the mailbox is refused only when none of its messages is read. Its kind is
/// the first failure report's, else the first message's.
fn each_message(input: &[u8], starts: &[usize]) -> Result<Extracted, InputError> {
    // More starts than messages read: the rest would be dropped without a word.
    if starts.len() > mailbox::MAX_MESSAGES {
        return Err(InputError::TooManyMessages(mailbox::MAX_MESSAGES));
    }
    let mut merged: Option<Extracted> = None;
    let mut first_error = None;
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(input.len());
        match extract(&input[start..end]) {
            Ok(ex) => match merged.as_mut() {
                None => merged = Some(ex),
                Some(m) => {
                    let reports =
                        |k: Option<MessageKind>| k.is_some_and(MessageKind::is_failure_report);
                    if !reports(m.kind) && reports(ex.kind) {
                        m.kind = ex.kind;
                    }
                    if m.original.is_none() {
                        m.original = ex.original;
                    }
                    m.replies.extend(ex.replies);
                }
            },
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    merged.ok_or_else(|| first_error.unwrap_or(InputError::NotABounce))
}

/// Where a message's headers start: after a UTF-8 byte-order mark and any blank lines.
fn message_start(input: &[u8]) -> usize {
    let bom = if input.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let rest = &input[bom..];
    let lead = rest
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    bom + rest[..lead]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// Many NUL or control bytes mean binary data rather than text.
fn looks_binary(input: &[u8]) -> bool {
    let head = &input[..input.len().min(64 * 1024)];
    let ctrl = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)))
        .count();
    ctrl > 0 && (ctrl * 100 >= head.len() || head.contains(&0) && ctrl >= 4)
}

/// Reply text, log lines or export rows.
fn from_lines(text: &str) -> Result<Extracted, InputError> {
    let mut ex = lines_or_text(text)?;
    if ex.kind.is_none() {
        finality::settle(&mut ex.replies, None);
    }
    for r in &mut ex.replies {
        cap_text(&mut r.text);
    }
    Ok(ex)
}

fn cap_text(text: &mut String) {
    if text.len() > MAX_REPLY_TEXT {
        let mut end = MAX_REPLY_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(" [...]");
    }
}

/// One reply found in text that is not a message or a log.
fn one(form: InputForm, r: Reply) -> Extracted {
    Extracted {
        form,
        kind: None,
        replies: vec![r],
        original: None,
    }
}

fn lines_or_text(text: &str) -> Result<Extracted, InputError> {
    // What the paste did to the reply (HTML escapes, an exception's stack frames, a DSN
    // field's `smtp;` type) is undone before anything reads it.
    let cleaned = paste::clean(text);
    let text = cleaned.as_deref().unwrap_or(text);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.starts_with(['{', '[', '"'])
        && let Some(ex) = json_input(text)?
    {
        return Ok(ex);
    }
    // An exception message or a JSON string shows its newlines escaped: read it unescaped.
    let unescaped = pasted::unescape(text);
    let text = unescaped.as_deref().unwrap_or(text);
    // A reply's prose has commas too: a line that opens with a code is a reply, not a CSV row
    // (a tab still marks a row: replies are not tab-separated).
    // A transcript's line (PHPMailer's `2026-12-07 05:12:01<TAB>SERVER -> CLIENT: ...`) is no
    // row either.
    let row = (first.contains('\t') || esp::is_delimited(first) && !code::starts_like_reply(first))
        && !pasted::is_dialogue_line(first);
    // An HTTP API's refusal (`Status Code: 400`, `statusCode: 403`): its status is no SMTP
    // code, its words are what it says. A few lines only: a line of prose with commas reads
    // like a row, an export of many rows is no one refusal.
    if log::classify(first).is_none()
        && (!row || text.lines().nth(8).is_none())
        && let Some(r) = http_api::refusal(text)
    {
        return Ok(one(InputForm::Reply, r));
    }
    if log::classify(first).is_none() && !row {
        // A queue listing (`mailq`): the first deferred message's reason and recipient.
        if let Some(r) = queue::deferred(text) {
            return Ok(one(InputForm::Reply, r));
        }
        // A transcript (`220` greeting, `250 Ok`, then the refusal): the reply that failed.
        if let Some(mut r) = pasted::transcript(text) {
            // The host it talked to, where the transcript names it (`while talking to X.:`).
            if r.remote_mta.is_none() {
                r.remote_mta = hosts::said_by(text);
            }
            return Ok(one(InputForm::Reply, r));
        }
        if let Some(r) = code::parse_reply_start(text)? {
            return Ok(one(InputForm::Reply, r));
        }
    }
    // A Python smtplib tuple (`(553, 'Relaying disallowed')`) holds the reply whole: the log
    // line around it has numbers that are no codes (`20:41:44,404 2407 DEBUG ...`).
    if (row || log::classify(first).is_some())
        && let Some(r) = pasted::py_tuple(text)
    {
        return Ok(one(InputForm::Reply, r));
    }
    let mut replies = Vec::new();
    let mut form = None;
    let mut first_err = None;
    let mut header: Option<Vec<String>> = None;
    for (n, line) in log_lines(text).iter().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (f, parsed) = if let Some(f) = log::classify(line) {
            (f, log::parse_line(f, line))
        } else if esp::is_delimited(line) && (row || !code::starts_like_reply(line.trim())) {
            // A reply line with commas in its words (an indented line of a pasted bounce's
            // text) is a row only in an export, whose first line is a row too.
            let parsed = esp::delimited_row(line, header.as_deref());
            if n == 0 || header.is_none() && matches!(parsed, Ok(None)) {
                header = Some(esp::header_names(line));
            }
            (InputForm::EspRow, parsed)
        } else {
            continue;
        };
        match parsed {
            Ok(Some(r)) => {
                form.get_or_insert(f);
                replies.push(r);
            }
            Ok(None) => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if let Some(form) = form {
        return Ok(Extracted {
            form,
            kind: None,
            replies,
            original: None,
        });
    }
    // A line read as a row or a log line that failed (`Mail command failed: 553 Local user
    // only,163 smtp5`: a comma made prose a row, its `163` cell no code) may still be prose
    // around a reply: its error is the answer only when no reader of a code finds one.
    // An application's error message that holds the code apart from its words.
    if let Some(mut r) = pasted::app_error(text) {
        // An Exchange report read for its `Remote Server returned '...'` line names the server
        // that refused in its own lines (`X gave this error:`).
        if r.remote_mta.is_none() && text.contains("Remote Server returned") {
            r.remote_mta = text.lines().rev().find_map(hosts::exchange_refuser);
        }
        return Ok(one(InputForm::Reply, r));
    }
    // DSN fields pasted without their message: the reply and the hosts its fields name.
    if let Some(r) = dsn_fields(text) {
        return Ok(one(InputForm::Reply, r));
    }
    // The text of a bounce pasted without its headers: its recipients and their replies.
    if text.lines().filter(|l| !l.trim().is_empty()).count() > 1
        && let Some(ex) = bounce_text::from_text(text)
    {
        return Ok(ex);
    }
    // Prose around a reply ("Remote server said: 550 5.1.1 ..."): the reply that failed.
    // and the host the words before it say answered (`host mx.x[ip] said:`). A paste that
    // re-flowed a Postfix report can break the line right after the code (`said: 550` then
    // `5.7.1 Service unavailable ...`): joined, the code keeps its words and its host.
    // (`unwrapped` reads at most 5,000 lines: longer prose is searched as it is.)
    let joined = (text.lines().nth(5000).is_none()).then(|| body::unwrapped(text).join("\n"));
    let text = joined.as_deref().unwrap_or(text);
    if let Some((at, mut r)) = code::find_reply_at(text) {
        r.remote_mta = hosts::said_by(&text[..at]);
        r.reporting_mta = hosts::generated_by(&text[..at]);
        if let Some(lead) =
            cut_reply_start(text, at, r.basic).or_else(|| quoted_reply_start(text, at, &r.text))
        {
            r.text = format!("{lead} {}", r.text);
        }
        return Ok(one(InputForm::Reply, r));
    }
    // An embedded JSON object (a log line's structured part): its reply fields.
    if let Some(r) = embedded_json(text) {
        return Ok(one(InputForm::Reply, r));
    }
    // Only an enhanced code of a failure (`permanent: 5.7.1 Message rejected ...`).
    if let Some(r) = pasted::enhanced_only(text) {
        return Ok(one(InputForm::Reply, r));
    }
    // A refusal pasted without any code (`Spam message rejected`, a gateway's `Envelope
    // blocked - User Entry`): its words, for the phrase rules to read.
    if let Some(e) = first_err {
        return Err(e);
    }
    match prose::refusal(text) {
        Some(mut r) => {
            r.remote_mta = hosts::said_by(text);
            Ok(one(InputForm::Reply, r))
        }
        None => Err(InputError::NoReply),
    }
}

/// The words before the first code of a flattened multi-line reply pasted from its middle
/// (`... has detected that this message is 550-5.7.1 likely suspicious ... 550-5.7.1 domain`):
/// the code opens a continuation line (`550-`) and comes back later, so the words before it on
/// its line are the end of the reply's previous line, not prose about it. Prose that hands
/// over to the reply (`said:`, `error:`, a quote) is not taken.
fn cut_reply_start(text: &str, at: usize, basic: Option<u16>) -> Option<String> {
    let dashed = format!("{}-", basic?);
    let rest = &text[at..];
    if !rest.starts_with(&dashed) || !rest[dashed.len()..].contains(&dashed) {
        return None;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let lead = text[line_start..at].trim();
    let hands_over = lead.ends_with([':', '\'', '"', '(', '[', '='])
        || lead.split_whitespace().count() < 2
        || lead.contains('@');
    (!hands_over).then(|| lead.to_string())
}

/// The first line of a multi-line reply quoted whole by an application (`'Unauthenticated
/// email from x is not accepted due to domain\'s\n550-5.7.1 DMARC policy'`): the quote opens
/// the text, the code of its first line was lost, the next line opens with a continuation
/// code (`550-`) and the reply closes the quote. The words before that code are the reply's.
fn quoted_reply_start(text: &str, at: usize, reply: &str) -> Option<String> {
    let lead = text[..at].trim();
    let q = lead.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    // The continuation code opens a line of the quote, or stands in the middle of its one line:
    // a first line quoted from a wrapped reply (`"Our system has detected an unusual rate of
    // 421-4.7.0 unsolicited mail ..."`), whose words before the code do not hand over to it.
    let opens_line = text[..at].trim_end_matches([' ', '\t']).ends_with('\n');
    let mid_line = !lead.contains('\n')
        && !lead.ends_with([':', '(', '[', '=', '\'', '"'])
        && lead[1..].split_whitespace().count() >= 2;
    let continuation = text[at..].get(3..4).is_some_and(|d| d == "-")
        && text[..at].ends_with(['\n', ' ', '\t'])
        && (opens_line || mid_line);
    (continuation && reply.trim_end().ends_with(q))
        .then(|| lead[1..].split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The text's lines, each line of a multi-line reply that a log line's reply goes on with
/// (`550-5.7.1 ...` under the log line that opened it, as a pasted log wraps) joined to it.
fn log_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().take(100_000) {
        // A log line wrapped by a terminal or a forum (`status=bounced (host` then the rest
        // of its parenthesised detail on the next line) goes on until its parenthesis closes.
        let unclosed = |prev: &str| prev.matches('(').count() > prev.matches(')').count();
        let continues = out.last().is_some_and(|prev| log::classify(prev).is_some())
            && log::classify(line).is_none()
            && !line.trim().is_empty()
            && (code::starts_like_reply(line.trim())
                || out.last().is_some_and(|prev| unclosed(prev)));
        match out.last_mut() {
            Some(prev) if continues => {
                prev.push(' ');
                prev.push_str(line.trim());
            }
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// The first `{...}` of a line that parses as a JSON object holding a reply.
fn embedded_json(text: &str) -> Option<Reply> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let v: serde_json::Value = serde_json::from_str(text.get(start..=end)?).ok()?;
    esp::json_row(&v).ok().flatten()
}

/// DSN fields pasted without their message (`Remote-MTA: dns; mx.x` then `Diagnostic-Code:
/// smtp; 550 ...`): the first recipient block with a code, with the hosts its fields name.
fn dsn_fields(text: &str) -> Option<Reply> {
    const FIELDS: &[&str] = &[
        "reporting-mta:",
        "final-recipient:",
        "original-recipient:",
        "action:",
        "status:",
        "remote-mta:",
        "diagnostic-code:",
    ];
    let is_field = |l: &str, names: &[&str]| {
        let l = l.to_ascii_lowercase();
        names.iter().any(|f| l.starts_with(f))
    };
    if !text
        .lines()
        .any(|l| is_field(l, &["diagnostic-code:", "remote-mta:"]))
    {
        return None;
    }
    let start = text.lines().position(|l| is_field(l, FIELDS)).unwrap_or(0);
    let fields: Vec<&str> = text.lines().skip(start).collect();
    let mut r = dsn::parse(&fields.join("\n"))
        .into_iter()
        .find(Reply::has_code)?;
    // Lotus Notes and some gateways give the reply in `X-Supplementary-Info: <mx.x #5.0.0
    // smtp; 550 ...>` (folded like any field) rather than in a Diagnostic-Code.
    if r.basic.is_none()
        && r.text.is_empty()
        && let Some(at) = fields
            .iter()
            .position(|l| l.to_ascii_lowercase().starts_with("x-supplementary-info:"))
    {
        let folded: Vec<&str> = std::iter::once(fields[at])
            .chain(
                fields[at + 1..]
                    .iter()
                    .take_while(|l| l.starts_with([' ', '\t']))
                    .copied(),
            )
            .collect();
        let info = folded.join(" ");
        let value = info.split_once(':').map_or("", |(_, v)| v);
        if let Some(found) = code::status_bracketed(value).and_then(code::find_reply) {
            r.basic = found.basic;
            r.enhanced = found.enhanced.or(r.enhanced);
            r.text = found.text;
        }
    }
    // Fields pasted under the bounce line they repeat (`<a@x>: host mx.x[ip] said: 550 ...`,
    // then `Diagnostic-Code: smtp; 550 ...`) without a Remote-MTA: the line names the host.
    if r.remote_mta.is_none() && start > 0 {
        let before: Vec<&str> = text.lines().take(start).collect();
        r.remote_mta = hosts::said_by(&before.join("\n"));
    }
    // A `Status: 5.0.0` beside a Diagnostic-Code whose reply gave no enhanced code is the
    // reporting MTA's own reading of the reply's class, as a log's `dsn=` is.
    let diagnostic: Vec<&str> = text
        .lines()
        .filter(|l| is_field(l, &["diagnostic-code:"]) || l.starts_with([' ', '\t']))
        .collect();
    r.enhanced = code::relay_status(r.basic, r.enhanced.take(), |e| {
        diagnostic.iter().any(|l| l.contains(e))
    });
    Some(r)
}

/// A JSON document or JSON lines: each object is an export row.
fn json_input(text: &str) -> Result<Option<Extracted>, InputError> {
    let values: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(a)) => a,
        // A JSON document quoted as a JSON string (a log that stored the transcript as text).
        Ok(serde_json::Value::String(inner)) if inner.trim_start().starts_with(['{', '[']) => {
            return json_input(&inner);
        }
        Ok(v) => vec![v],
        Err(_) => text
            .lines()
            .filter_map(|l| serde_json::from_str(l.trim()).ok())
            .collect(),
    };
    if values.is_empty() {
        return Ok(None);
    }
    // A list of strings that are the lines of one multi-line reply (`["554-Transaction failed",
    // "554-Reject due to ...", "554 For explanation visit ..."]`, as libraries keep them).
    let lines: Option<Vec<&str>> = values
        .iter()
        .map(serde_json::Value::as_str)
        .collect::<Option<Vec<_>>>()
        .map(|l| l.into_iter().filter(|l| !l.trim().is_empty()).collect());
    if let Some(lines) = lines.filter(|l| l.len() > 1)
        && lines.iter().all(|l| code::starts_like_reply(l))
        && lines.iter().all(|l| l.get(..3) == lines[0].get(..3))
        && let Some(r) = code::parse_reply_start(&lines.join("\n"))?
    {
        return Ok(Some(one(InputForm::Reply, r)));
    }
    let mut replies = Vec::new();
    let mut first_err = None;
    for v in &values {
        match esp::json_row(v) {
            Ok(Some(r)) => replies.push(r),
            Ok(None) => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if replies.is_empty() {
        return first_err.map_or(Ok(None), Err);
    }
    Ok(Some(Extracted {
        form: InputForm::EspRow,
        kind: None,
        replies,
        original: None,
    }))
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_exim_log_line_whose_only_number_is_its_tls_key_size_has_no_reply_code() {
        // Exim's `X=` field ends in the cipher's key size; the line's words still refuse.
        let x = extract(
            b"2025-03-02 09:14:05 H=mx.example.net [192.0.2.7] X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 \
              CV=no F=<ann@example.net> temporarily rejected RCPT <bob@example.org>",
        )
        .unwrap();
        let r = &x.replies[0];
        assert_eq!(r.basic, None);
        assert!(r.text.contains("temporarily rejected RCPT"), "{}", r.text);
    }

    #[test]
    fn a_quoted_first_line_cut_before_its_continuation_code_keeps_its_opening_words() {
        let x = extract(
            b"\"Our filters noticed an unusual volume from 421-4.7.0 your address; slow down.\"",
        )
        .unwrap();
        let r = &x.replies[0];
        assert_eq!(r.basic, Some(421));
        assert!(r.text.starts_with("Our filters noticed"), "{}", r.text);
    }

    #[test]
    fn a_paste_that_breaks_the_line_after_the_code_keeps_code_words_and_host() {
        // A forum paste of a Postfix report with the recipient masked, re-flowed flush left.
        let x = extract(
            b"<kim at example dot net>: host mx1.example.net[192.0.2.9] said: 554\n\
              5.7.1 Service unavailable; Client host [198.51.100.4] blocked using\n\
              bl.example.org (in reply to RCPT TO command)",
        )
        .unwrap();
        let r = &x.replies[0];
        assert_eq!(r.basic, Some(554));
        assert_eq!(r.enhanced.as_deref(), Some("5.7.1"));
        assert_eq!(r.remote_mta.as_deref(), Some("mx1.example.net"));
        assert!(r.text.starts_with("Service unavailable"), "{}", r.text);
    }

    use super::*;

    #[test]
    fn a_json_list_of_one_replys_lines_is_that_reply() {
        let x = extract(
            br#"["451-Temporarily refused.", "451-Too much mail from you.", "451 See https://help.example.net/limits", ""]"#,
        )
        .unwrap();
        assert_eq!(x.replies.len(), 1);
        assert_eq!(x.replies[0].basic, Some(451));
        assert_eq!(
            x.replies[0].text,
            "Temporarily refused. Too much mail from you. See https://help.example.net/limits"
        );
    }

    #[test]
    fn a_log_line_wrapped_inside_its_detail_is_read_whole() {
        let x = extract(
            b"Jan  2 03:04:05 mx postfix/smtp[42]: 1A2B3C: to=<ann@example.org>, \
              relay=mx.example.org[192.0.2.7]:25, delay=1, dsn=5.7.1, status=bounced (host\n\
              mx.example.org[192.0.2.7] said: 550 5.7.1 Message refused: DKIM signature \
              missing (in reply to end of DATA command))\n",
        )
        .unwrap();
        assert_eq!(x.replies.len(), 1);
        assert_eq!(x.replies[0].basic, Some(550));
        assert!(
            x.replies[0].text.contains("DKIM signature missing"),
            "{}",
            x.replies[0].text
        );
    }

    #[test]
    fn a_reply_pasted_from_its_middle_keeps_the_words_before_its_first_code() {
        // A flattened multi-line reply cut before its first code: the words are its own.
        let x = extract(
            b"has detected that this message is 421-4.7.0 suspicious because of the very low \
              reputation of the sending 421-4.7.0 IP address",
        )
        .unwrap();
        assert!(
            x.replies[0]
                .text
                .starts_with("has detected that this message is suspicious"),
            "{}",
            x.replies[0].text
        );
        // A library's quoted message whose first line lost its code.
        let x = extract(
            b"'Mail from this domain is refused because of the sender\\'s\\n550-5.7.1 policy'",
        )
        .unwrap();
        assert!(
            x.replies[0]
                .text
                .starts_with("Mail from this domain is refused"),
            "{}",
            x.replies[0].text
        );
        // Prose that hands over to the reply is not part of it.
        let x = extract(b"The server said: 550-5.7.1 Go away 550-5.7.1 now").unwrap();
        assert!(
            x.replies[0].text.starts_with("Go away"),
            "{}",
            x.replies[0].text
        );
    }

    #[test]
    fn a_reply_line_with_commas_in_pasted_bounce_text_is_no_export_row() {
        let x = extract(
            b"The following address(es) failed:\n\n  ann@example.org\n    SMTP error from \
              remote mail server after RCPT TO:<ann@example.org>:\n    553-5.1.2 We weren't \
              able to find the domain. Please check for errors, and make sure, as well\n    \
              553 5.1.2 gsmtp\n",
        )
        .unwrap();
        assert_ne!(x.form, InputForm::EspRow);
        assert!(
            x.replies[0].text.contains("make sure, as well"),
            "{:?}",
            x.replies[0].text
        );
    }

    #[test]
    fn a_reply_with_commas_in_its_words_is_a_reply_not_an_export_row() {
        let x = extract(
            b"550 5.7.515 Access denied, sending domain example.com does not meet the required \
              authentication level. Spf=Pass, Dkim=Fail, DMARC=Fail [AM4PEPF00027A6C.eurprd04.\
              prod.outlook.com]",
        )
        .unwrap();
        assert_eq!(x.form, InputForm::Reply);
        assert!(
            x.replies[0].text.ends_with("outlook.com]"),
            "{}",
            x.replies[0].text
        );
        let row = extract(
            b"Email,Event,Bounce Reason\nzed@example.com,bounce,550 5.1.1 User unknown, sorry\n",
        )
        .unwrap();
        assert_eq!(row.form, InputForm::EspRow);
        assert_eq!(row.replies[0].recipient.as_deref(), Some("zed@example.com"));
    }
}
