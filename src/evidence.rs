//! The evidence bundle: report, DNS log, input (original message bodies removed) and versions, in one directory.

use crate::dns::LogEntry;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What goes into a bundle. Reports arrive rendered so the bundle holds what the user saw.
#[derive(Debug, Clone)]
pub struct BundleInput<'a> {
    pub report_md: String,
    pub report_json: String,
    pub queries: &'a [LogEntry],
    /// The input exactly as received.
    pub input: &'a [u8],
    /// Where the input came from: a file name, "stdin" or "argument".
    pub input_name: String,
    pub tool_version: String,
    pub rules_version: String,
}

/// Lines after which a plain-text bounce quotes the original message (Exim, qmail, Sendmail ...).
const COPY_MARKERS: [&str; 6] = [
    "copy of the message",
    "below this line is a copy",
    "original message follows",
    "unsent message follows",
    "original message -----",
    "returned message follows",
];

/// The depth of nested MIME parts we walk; deeper parts are kept as they are.
const MAX_DEPTH: usize = 16;

/// Refuses a bundle directory that exists and is not an empty directory, so a run can
/// find out before doing any work that its bundle could not be written.
pub fn check_dir(dir: &Path) -> io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a directory", dir.display()),
        ));
    }
    if fs::read_dir(dir)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "evidence directory {} is not empty; refusing to mix this run's evidence with earlier files: choose a new directory",
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// Writes the bundle into `dir` and returns the files written.
///
/// `dir` may exist if it is empty; an existing non-empty directory is refused, because an
/// evidence bundle that mixes two runs would misstate what was seen. Files are created with
/// `create_new`, so nothing is ever overwritten.
pub fn write_bundle(dir: &Path, b: &BundleInput<'_>) -> io::Result<Vec<PathBuf>> {
    check_dir(dir)?;
    if !dir.exists() {
        fs::create_dir_all(dir)?;
    }
    let message = looks_like_message(b.input);
    let (input_file, input_bytes) = if message {
        ("input.eml", redact_bodies(b.input))
    } else {
        ("input.txt", b.input.to_vec())
    };
    let mut log = String::new();
    for q in b.queries {
        log.push_str(&serde_json::to_string(q).map_err(io::Error::other)?);
        log.push('\n');
    }
    let versions = serde_json::json!({
        "tool": "mailtriage",
        "tool_version": b.tool_version,
        "rules_version": b.rules_version,
        "created_at": rfc3339_now(),
        "input_name": b.input_name,
        "input_file": input_file,
        "input_bodies_removed": message && input_bytes != b.input,
    });
    let versions = serde_json::to_string_pretty(&versions).map_err(io::Error::other)? + "\n";
    let files: [(&str, &[u8]); 5] = [
        ("report.md", b.report_md.as_bytes()),
        ("report.json", b.report_json.as_bytes()),
        ("dns-log.jsonl", log.as_bytes()),
        (input_file, &input_bytes),
        ("versions.json", versions.as_bytes()),
    ];
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        f.write_all(bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// True when the input starts with a header block (so it is a message, not a reply line).
pub fn looks_like_message(raw: &[u8]) -> bool {
    let (headers, sep, _) = split_head(raw);
    if sep.is_empty() {
        return false;
    }
    let text = String::from_utf8_lossy(headers);
    let mut lines = text.lines();
    let first_ok = lines.next().is_some_and(is_header_start);
    first_ok
        && text
            .lines()
            .all(|l| l.starts_with([' ', '\t']) || is_header_start(l) || l.starts_with("From "))
}

fn is_header_start(line: &str) -> bool {
    match line.split_once(':') {
        Some((name, _)) => {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
        }
        None => line.starts_with("From "),
    }
}

/// Splits at the first empty line: (headers, the empty-line separator, body).
fn split_head(raw: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\r\n\r\n") {
            return (&raw[..i + 2], &raw[i + 2..i + 4], &raw[i + 4..]);
        }
        if raw[i..].starts_with(b"\n\n") {
            return (&raw[..i + 1], &raw[i + 1..i + 2], &raw[i + 2..]);
        }
        if i == 0 && (raw.starts_with(b"\r\n") || raw.starts_with(b"\n")) {
            let n = if raw.starts_with(b"\r\n") { 2 } else { 1 };
            return (&raw[..0], &raw[..n], &raw[n..]);
        }
        i += 1;
    }
    (raw, &raw[..0], &raw[raw.len()..])
}

/// (media type lower-case, boundary) of a header block.
fn content_type(headers: &[u8]) -> (String, Option<String>) {
    let text = String::from_utf8_lossy(headers);
    let mut value: Option<String> = None;
    for line in text.lines() {
        if let Some(v) = value.as_mut()
            && line.starts_with([' ', '\t'])
        {
            v.push(' ');
            v.push_str(line.trim());
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((name, v)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-type")
        {
            value = Some(v.trim().to_string());
        }
    }
    let Some(v) = value else {
        return ("text/plain".into(), None);
    };
    let mut parts = v.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let boundary = parts.find_map(|p| {
        let (k, val) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let val = val.trim();
        let val = val
            .strip_prefix('"')
            .map(|s| s.split('"').next().unwrap_or(s))
            .unwrap_or(val);
        (!val.is_empty()).then(|| val.to_string())
    });
    (media, boundary)
}

fn marker(n: usize) -> Vec<u8> {
    format!("[mailtriage: {n} bytes of the original message's body removed]\n").into_bytes()
}

/// Keeps every header block and the delivery-status parts of a bounce, and replaces the body
/// of the returned original message with one marker line: the evidence shows what was sent
/// (headers, authentication results) without the message's content.
pub fn redact_bodies(raw: &[u8]) -> Vec<u8> {
    part(raw, 0)
}

fn part(raw: &[u8], depth: usize) -> Vec<u8> {
    if depth > MAX_DEPTH {
        return raw.to_vec();
    }
    let (head, sep, body) = split_head(raw);
    let (media, boundary) = content_type(head);
    let mut out = Vec::with_capacity(raw.len());
    out.extend_from_slice(head);
    out.extend_from_slice(sep);
    match (media.as_str(), boundary) {
        (m, Some(b)) if m.starts_with("multipart/") => out.extend(multipart(body, &b, depth)),
        ("message/rfc822" | "message/global", _) => out.extend(original(body)),
        ("text/plain", _) => out.extend(inline_copy(body)),
        _ => out.extend_from_slice(body),
    }
    out
}

/// The returned original: its headers, then the marker instead of its body.
fn original(body: &[u8]) -> Vec<u8> {
    let (head, sep, rest) = split_head(body);
    let mut out = head.to_vec();
    out.extend_from_slice(sep);
    if !rest.iter().all(|b| b.is_ascii_whitespace()) {
        out.extend(marker(rest.len()));
    }
    out
}

/// Plain-text bounces that quote the original after a marker line: keep its headers only.
fn inline_copy(body: &[u8]) -> Vec<u8> {
    let mut pos = 0;
    for line in body.split_inclusive(|b| *b == b'\n') {
        pos += line.len();
        let l = String::from_utf8_lossy(line).to_ascii_lowercase();
        if COPY_MARKERS.iter().any(|m| l.contains(m)) {
            let mut out = body[..pos].to_vec();
            let rest = &body[pos..];
            let skip = rest
                .iter()
                .take_while(|b| **b == b'\n' || **b == b'\r')
                .count();
            out.extend_from_slice(&rest[..skip]);
            out.extend(original(&rest[skip..]));
            return out;
        }
    }
    body.to_vec()
}

fn multipart(body: &[u8], boundary: &str, depth: usize) -> Vec<u8> {
    let delim = format!("--{boundary}");
    let mut out = Vec::with_capacity(body.len());
    let mut current: Vec<u8> = Vec::new();
    let mut in_part = false;
    let mut closed = false;
    for line in body.split_inclusive(|b| *b == b'\n') {
        let trimmed = line.trim_ascii_end();
        if !closed && trimmed.starts_with(delim.as_bytes()) {
            let tail = &trimmed[delim.len()..];
            if tail.is_empty() || tail == b"--" {
                if in_part {
                    out.extend(part(&current, depth + 1));
                } else {
                    out.extend_from_slice(&current);
                }
                current.clear();
                out.extend_from_slice(line);
                in_part = tail.is_empty();
                closed = tail == b"--";
                continue;
            }
        }
        current.extend_from_slice(line);
    }
    if in_part {
        out.extend(part(&current, depth + 1));
    } else {
        out.extend_from_slice(&current);
    }
    out
}

/// Now as RFC 3339 UTC with seconds, without a date crate.
pub fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, proleptic Gregorian).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn bare_replies_are_not_messages() {
        assert!(!looks_like_message(b"550 5.1.1 user unknown"));
        assert!(!looks_like_message(b"550-5.7.26 a\n550 5.7.26 b\n\nmore"));
        assert!(looks_like_message(b"From: a@b\nSubject: x\n\nbody"));
    }
}
