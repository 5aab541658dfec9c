//! Reply extraction: find the SMTP replies in a reply line, log line or bounce message.

mod body;
mod bounce;
mod code;
mod dsn;
mod esp;
mod fields;
mod headers;
mod hosts;
mod log;
mod notices;
mod prose;
pub mod types;

pub use code::{check_basic, check_enhanced};
pub use types::*;

/// Inputs above this size are refused before any parsing.
pub const MAX_INPUT: usize = 10 * 1024 * 1024;

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
    let text = match std::str::from_utf8(input) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        // Invalid UTF-8 is acceptable only in a MIME message (8-bit bodies in legacy charsets).
        Err(_) => {
            let lossy = String::from_utf8_lossy(input);
            if !bounce::looks_like_message(&lossy) {
                return Err(InputError::Binary);
            }
            lossy
        }
    };
    let text = text.trim_start_matches('\u{feff}');
    let mut extracted = if bounce::looks_like_message(text) {
        bounce::extract(input)?
    } else {
        from_lines(text)?
    };
    for r in &mut extracted.replies {
        r.server_name = hosts::server_name(r.basic, &r.text);
    }
    Ok(extracted)
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
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.starts_with(['{', '['])
        && let Some(ex) = json_input(text)?
    {
        return Ok(ex);
    }
    // A reply's prose has commas too: a line that opens with a code is a reply, not a CSV row
    // (a tab still marks a row: replies are not tab-separated).
    let row = first.contains('\t') || esp::is_delimited(first) && !code::starts_like_reply(first);
    if log::classify(first).is_none()
        && !row
        && let Some(r) = code::parse_reply_start(text)?
    {
        return Ok(Extracted {
            form: InputForm::Reply,
            replies: vec![r],
            original: None,
        });
    }
    let mut replies = Vec::new();
    let mut form = None;
    let mut first_err = None;
    let mut header: Option<Vec<String>> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (f, parsed) = if let Some(f) = log::classify(line) {
            (f, log::parse_line(f, line))
        } else if esp::is_delimited(line) {
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
            replies,
            original: None,
        });
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    if let Some(r) = dsn_fields(text) {
        return Ok(Extracted {
            form: InputForm::Reply,
            replies: vec![r],
            original: None,
        });
    }
    // Prose around a reply ("host mx.x[ip] said: 550 5.1.1 ..."): take the first one, and the
    // host the words before it say answered.
    match code::find_reply_at(text) {
        Some((at, mut r)) => {
            r.remote_mta = hosts::said_by(&text[..at]);
            Ok(Extracted {
                form: InputForm::Reply,
                replies: vec![r],
                original: None,
            })
        }
        None => Err(InputError::NoReply),
    }
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
    dsn::parse(&fields.join("\n"))
        .into_iter()
        .find(Reply::has_code)
}

/// A JSON document or JSON lines: each object is an export row.
fn json_input(text: &str) -> Result<Option<Extracted>, InputError> {
    let values: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(a)) => a,
        Ok(v) => vec![v],
        Err(_) => text
            .lines()
            .filter_map(|l| serde_json::from_str(l.trim()).ok())
            .collect(),
    };
    if values.is_empty() {
        return Ok(None);
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
        replies,
        original: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

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
