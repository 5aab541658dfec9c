//! ESP export rows (JSON lines, CSV, TSV): find the field that carries the raw SMTP reply.

use super::code::{check_basic, check_enhanced, parse_reply_start, trim_wrapping};
use super::types::{InputError, Reply};
use serde_json::Value;

/// Field names that usually hold the raw reply, in the order we trust them.
const REPLY_KEYS: &[&str] = &[
    "diagnostic",
    "diagnostic_code",
    "diagnosticcode",
    "smtp_response",
    "smtpresponse",
    "bounce_reason",
    "reason",
    "response",
    "error",
    "message",
    "description",
    "status",
];
const RECIPIENT_KEYS: &[&str] = &[
    "recipient",
    "email",
    "rcpt",
    "to",
    "address",
    "email_address",
];
const MTA_KEYS: &[&str] = &[
    "remote_mta",
    "mx",
    "mta",
    "remotemta",
    "reporting_mta",
    "host",
];

/// Parses one JSON object; `Ok(None)` when no field holds a reply.
pub fn json_row(v: &Value) -> Result<Option<Reply>, InputError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    collect(v, "", &mut fields, 0);
    let borrowed: Vec<(String, &str)> = fields
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str()))
        .collect();
    from_fields(&borrowed)
}

/// Every string and number of a JSON value with its key; a string that is itself a JSON
/// document (a transcript stored as text) is read as one.
fn collect(v: &Value, key: &str, out: &mut Vec<(String, String)>, depth: usize) {
    if depth > 8 || out.len() > 512 {
        return;
    }
    match v {
        Value::String(s) => {
            let t = s.trim_start();
            if t.starts_with(['{', '['])
                && let Ok(inner) = serde_json::from_str::<Value>(s)
            {
                collect(&inner, key, out, depth + 1);
            } else {
                out.push((key.to_ascii_lowercase(), s.clone()));
            }
        }
        Value::Number(n) => out.push((key.to_ascii_lowercase(), n.to_string())),
        Value::Object(m) => {
            for (k, v) in m {
                collect(v, k, out, depth + 1);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect(v, key, out, depth + 1)),
        _ => {}
    }
}

/// Picks the reply field (known names first, then any field starting with a code: the first
/// failing one, as a transcript's `220` greeting and `250 Ok` come before the refusal), else
/// composes the reply from separate code and message fields (`"code": 550, "message": "..."`);
/// and the recipient and remote MTA fields.
fn from_fields(fields: &[(String, &str)]) -> Result<Option<Reply>, InputError> {
    let mut best: Option<Reply> = None;
    let mut success: Option<Reply> = None;
    let mut first_err = None;
    let known = |k: &str| {
        REPLY_KEYS
            .iter()
            .position(|r| k.ends_with(r))
            .unwrap_or(usize::MAX)
    };
    let mut order: Vec<(usize, &(String, &str))> = fields.iter().enumerate().collect();
    order.sort_by_key(|(_, (k, _))| known(k));
    let mut at = None;
    for (i, (key, val)) in order {
        let is_known = known(key) != usize::MAX;
        let val = strip_smtp_type(val);
        // An unnamed numeric column (an id, a size) is not a reply: demand reply text there.
        match parse_reply_start(val) {
            Ok(Some(r)) if !r.text.is_empty() || (is_known && r.basic.is_some()) => {
                if is_known || r.basic.is_some_and(|b| b >= 400) {
                    best = Some(r);
                    at = Some(i);
                    break;
                }
                success.get_or_insert(r);
            }
            Ok(_) => {}
            Err(e) if is_known || val.len() > 4 => {
                first_err.get_or_insert(e);
            }
            Err(_) => {}
        }
    }
    // A reply field without its basic code (Mailgun's `message: "5.1.1 ..."` beside its
    // `code: 550`): the code field gives it, on each of the field's lines.
    if let (Some(r), Some(i)) = (&best, at)
        && r.basic.is_none()
        && let Some(code) = basic_field(fields)
        && r.enhanced
            .as_deref()
            .is_none_or(|e| e.starts_with(&code[..1]))
    {
        let joined = fields[i]
            .1
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("{code} {}", l.trim()))
            .collect::<Vec<_>>()
            .join("\n");
        if let Ok(Some(with_code)) = parse_reply_start(&joined) {
            best = Some(with_code);
        }
    }
    let Some(mut reply) = best.or(success).or_else(|| composed(fields)) else {
        return first_err.map_or(Ok(None), Err);
    };
    let pick = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| fields.iter().find(|(fk, v)| fk == k && !v.is_empty()))
    };
    reply.recipient = pick(RECIPIENT_KEYS)
        .map(|(_, v)| v.to_string())
        .or_else(|| {
            fields
                .iter()
                .find(|(_, v)| looks_like_address(v))
                .map(|(_, v)| v.to_string())
        });
    reply.remote_mta = pick(MTA_KEYS)
        .map(|(_, v)| v.trim_start_matches("dns;").trim().to_string())
        .or_else(|| at.and_then(|i| unnamed_host_after(fields, i)));
    Ok(Some(reply))
}

/// Whether the field `key` (lowercased) is the field `name`: itself, or a name ending in it after
/// a separator (`smtp_code`, `delivery-status.code`), or a camel-case SMTP name (`responseCode`
/// of Nodemailer, `smtpCode`). An API's own `ErrorCode` or `statusCode` (Postmark's error
/// number, an HTTP client's status) is not a `code` field: reading 406 or 403 there as an SMTP
/// reply is what this keeps out.
fn is_field(key: &str, name: &str) -> bool {
    key == name
        || key
            .strip_suffix(name)
            .is_some_and(|head| head.ends_with(['_', '-', '.']))
        || name == "code" && matches!(key, "responsecode" | "smtpcode" | "replycode")
}

/// The basic code a field of its own gives (`smtp_code`, `code`, `error_code` ...).
fn basic_field<'a>(fields: &[(String, &'a str)]) -> Option<&'a str> {
    [
        "smtp_code",
        "response_code",
        "status_code",
        "error_code",
        "code",
    ]
    .iter()
    .find_map(|k| {
        fields
            .iter()
            .find(|(fk, v)| is_field(fk, k) && v.trim().len() == 3 && check_basic(v.trim()).is_ok())
            .map(|(_, v)| v.trim())
    })
}

/// A reply whose parts sit in fields of their own: a basic code (`smtp_code`, `code`,
/// `status_code`), an enhanced code (`enhanced_code`, `smtp_enchcode`, `status` as `5.1.1`)
/// and the words (`smtp_msg`, `message`, `reason`, `description`).
fn composed(fields: &[(String, &str)]) -> Option<Reply> {
    let find = |keys: &[&str], ok: &dyn Fn(&str) -> bool| {
        keys.iter().find_map(|k| {
            fields
                .iter()
                .find(|(fk, v)| fk.ends_with(k) && ok(v.trim()))
                .map(|(_, v)| v.trim())
        })
    };
    let basic = basic_field(fields)?;
    // KumoMTA parses the enhanced code into `class`, `subject` and `detail` fields.
    let exact = |k: &str| {
        fields
            .iter()
            .find(|(fk, v)| fk == k && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, v)| *v)
    };
    let parsed = match (exact("class"), exact("subject"), exact("detail")) {
        (Some(c), Some(s), Some(d)) => Some(format!("{c}.{s}.{d}")),
        _ => None,
    }
    .filter(|e| check_enhanced(e).is_ok());
    let enhanced = find(
        &[
            "enchcode",
            "enhanced_code",
            "enhancedcode",
            "enhanced",
            "status",
        ],
        &|v| check_enhanced(v).is_ok(),
    )
    .map(str::to_string)
    .or(parsed);
    let words = find(
        &[
            "smtp_msg",
            "msg",
            "message",
            "content",
            "response",
            "reason",
            "description",
            "error",
        ],
        &|v| !v.is_empty(),
    )
    .unwrap_or("");
    let line = match enhanced {
        Some(e) => format!("{basic} {e} {words}"),
        None => format!("{basic} {words}"),
    };
    parse_reply_start(&line).ok().flatten()
}

/// In a row without a header, the cell right after the reply when it is a host name (`mx.zoho.com`,
/// `mx.example.com (192.0.2.1)`): accounting files (PowerMTA's `dsnDiag,dsnMta`) write the
/// answering host there.
fn unnamed_host_after(fields: &[(String, &str)], i: usize) -> Option<String> {
    let (name, cell) = fields.get(i + 1)?;
    if !name.is_empty() || !fields[i].0.is_empty() {
        return None;
    }
    let host = cell.split(" (").next()?.trim().trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let is_host = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|t| t.bytes().all(|b| b.is_ascii_alphabetic()));
    is_host.then(|| host.to_ascii_lowercase())
}

/// "smtp; 550 5.1.1 ..." as in a copied Diagnostic-Code.
fn strip_smtp_type(v: &str) -> &str {
    let t = v.trim();
    t.get(..5)
        .filter(|p| p.eq_ignore_ascii_case("smtp;"))
        .map_or(t, |_| t[5..].trim_start())
}

fn looks_like_address(v: &str) -> bool {
    let v = v.trim();
    v.len() < 320 && v.contains('@') && !v.contains(char::is_whitespace)
}

/// Parses one CSV or TSV row. `header` holds the column names when the file had a header row.
pub fn delimited_row(line: &str, header: Option<&[String]>) -> Result<Option<Reply>, InputError> {
    let delim = if line.contains('\t') { '\t' } else { ',' };
    let cells = split_row(line, delim);
    let fields: Vec<(String, &str)> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = header.and_then(|h| h.get(i)).cloned().unwrap_or_default();
            (name, trim_wrapping(c))
        })
        .collect();
    from_fields(&fields)
}

/// Column names of a header row ("email,event,diagnostic").
pub fn header_names(line: &str) -> Vec<String> {
    let delim = if line.contains('\t') { '\t' } else { ',' };
    split_row(line, delim)
        .iter()
        .map(|c| {
            trim_wrapping(c)
                .to_ascii_lowercase()
                .replace([' ', '-'], "_")
        })
        .collect()
}

/// Splits a row on `delim`, honouring double quotes (with `""` escapes).
fn split_row(line: &str, delim: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, ch) in line.char_indices() {
        if ch == '"' {
            quoted = !quoted;
        } else if ch == delim && !quoted {
            out.push(&line[start..i]);
            start = i + ch.len_utf8();
        }
    }
    out.push(&line[start..]);
    out
}

/// True when a line looks like a delimited row rather than prose.
pub fn is_delimited(line: &str) -> bool {
    line.contains('\t') || line.matches(',').count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_row_with_diagnostic_field() {
        let v: Value = serde_json::from_str(
            r#"{"event":"bounce","email":"eve@example.com","mx":"mx.example.com",
                "diagnostic":"smtp; 550 5.1.1 The email account that you tried to reach does not exist"}"#,
        )
        .unwrap();
        let r = json_row(&v).unwrap().unwrap();
        assert_eq!(r.basic, Some(550));
        assert_eq!(r.enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(r.recipient.as_deref(), Some("eve@example.com"));
        assert_eq!(r.remote_mta.as_deref(), Some("mx.example.com"));
    }

    #[test]
    fn json_with_code_fields_or_a_stored_transcript_gives_the_failing_reply() {
        let v: Value = serde_json::from_str(
            r#"{"check":"dmarc","smtp_code":550,"smtp_enchcode":"5.7.1","smtp_msg":"DMARC check failed"}"#,
        )
        .unwrap();
        let r = json_row(&v).unwrap().unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(550), Some("5.7.1")));
        assert_eq!(r.text, "DMARC check failed");
        let v = Value::String(
            r#"{"mx.example.com":["220 mx.example.com ESMTP ready","HELO a.example","250 Hello","MAIL FROM:<>","550 5.7.1 Blocked (S3140)","QUIT"]}"#.into(),
        );
        let r = json_row(&v).unwrap().unwrap();
        assert_eq!(r.basic, Some(550));
        assert_eq!(r.text, "Blocked (S3140)");
    }

    #[test]
    fn a_headerless_rows_host_cell_after_the_reply_is_the_remote_mta() {
        let r = delimited_row(
            "b,2024-05-04 18:07:21,sender@example.org,ann@example.net,,failed,5.1.1 (bad destination mailbox address),smtp;550 5.1.1 <ann@example.net>: Recipient address rejected,mx.example.net (192.0.2.133),policy-related,smtp",
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.remote_mta.as_deref(), Some("mx.example.net"));
        let r = delimited_row("failed,smtp;550 5.1.1 Unknown user,2024-05-04,bounce", None)
            .unwrap()
            .unwrap();
        assert_eq!(r.remote_mta, None, "a date or a word is no host");
    }

    #[test]
    fn csv_row_with_header_and_quotes() {
        let h = header_names("Email,Event,Bounce Reason,Timestamp");
        let r = delimited_row(
            r#"zed@example.com,bounce,"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred, see postmaster",2024-05-01"#,
            Some(&h),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.basic, Some(421));
        assert_eq!(r.enhanced.as_deref(), Some("4.7.0"));
        assert!(r.text.starts_with("[TSS04] Messages"));
        assert_eq!(r.recipient.as_deref(), Some("zed@example.com"));
    }
}
