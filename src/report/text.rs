//! Small text helpers shared by the renderers.

pub(crate) use crate::checks::spf_tree_lines;
use crate::finding::{Finding, Severity};
use crate::plan::RecordToPublish;
use crate::reply::{InputForm, Reply};
use crate::rules::BounceType;
use colored::{ColoredString, Colorize};

/// The word of a bounce type, as JSON writes it.
pub(crate) fn bounce_str(b: BounceType) -> &'static str {
    match b {
        BounceType::Hard => "hard",
        BounceType::Soft => "soft",
        BounceType::Technical => "technical",
        BounceType::None => "none",
    }
}

/// The word of an input form, as JSON writes it ("reply", "bounce", "postfix-log" ...).
pub(crate) fn form_str(form: InputForm) -> String {
    serde_json::to_value(form)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(crate) fn severity_label(f: &Finding) -> ColoredString {
    if f.not_checked {
        return "not checked".blue();
    }
    if f.inconclusive {
        return "inconclusive".magenta().bold();
    }
    match f.severity {
        Severity::Error => "error".red().bold(),
        Severity::Warning => "warning".yellow().bold(),
        Severity::Info => "info".blue(),
    }
}

pub(crate) fn severity_word(f: &Finding) -> &'static str {
    if f.not_checked {
        "not checked"
    } else if f.inconclusive {
        "inconclusive"
    } else {
        match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// "550 5.7.26" or "(no code)".
pub(crate) fn reply_code(r: &Reply) -> String {
    let parts: Vec<String> = r
        .basic
        .map(|b| b.to_string())
        .into_iter()
        .chain(r.enhanced.clone())
        .collect();
    if parts.is_empty() {
        "(no code)".into()
    } else {
        parts.join(" ")
    }
}

/// A record in zone-file syntax; TXT values quoted and cut into 255-byte strings.
pub(crate) fn zone_line(r: &RecordToPublish) -> String {
    let name = crate::dns::zone_text(&r.name);
    let name = if name.ends_with('.') {
        name
    } else {
        format!("{name}.")
    };
    let value = if r.rtype.eq_ignore_ascii_case("TXT") {
        txt_quoted(&r.value)
    } else if matches!(r.rtype.as_str(), "PTR" | "CNAME" | "MX") {
        // The target (after an MX's preference) is a name: zone syntax, trailing dot.
        let (pref, host) = match r.value.split_once(' ') {
            Some((p, h)) if r.rtype == "MX" => (format!("{p} "), h),
            _ => (String::new(), r.value.as_str()),
        };
        let host = crate::dns::zone_text(host);
        let dot = if host.ends_with('.') { "" } else { "." };
        format!("{pref}{host}{dot}")
    } else {
        r.value.clone()
    };
    format!("{name} IN {} {value}", r.rtype)
}

fn txt_quoted(v: &str) -> String {
    let escaped: Vec<String> = chunks(v, 255)
        .into_iter()
        .map(|c| format!("\"{}\"", zone_escaped(c)))
        .collect();
    escaped.join(" ")
}

/// A character-string's contents in zone-file syntax (RFC 1035 section 5.1): quotes and
/// backslashes escaped, and every character a terminal or a bidi-aware viewer would act on
/// written as `\DDD` per byte, so the line is exact for the zone file and inert on screen.
fn zone_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if crate::report::escape::is_active(c) => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:03}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Splits at char boundaries into pieces of at most `max` bytes.
fn chunks(s: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (a, b) = rest.split_at(cut);
        out.push(a);
        rest = b;
    }
    out.push(rest);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn long_txt_values_are_cut_into_255_byte_strings() {
        let r = RecordToPublish::txt("x.example", "a".repeat(300), String::new());
        let line = zone_line(&r);
        assert!(line.starts_with("x.example. IN TXT \""));
        assert_eq!(line.matches('"').count(), 4);
    }
}
