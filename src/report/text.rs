//! Small text helpers shared by the human and Markdown renderers.

use crate::checks::SpfNode;
use crate::finding::{Finding, Severity};
use crate::plan::RecordToPublish;
use crate::reply::Reply;
use colored::{ColoredString, Colorize};

pub(crate) fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The label of one tree node: `include:_spf.google.com (4 lookups)`.
fn node_label(n: &SpfNode, root: bool) -> String {
    let name = if root {
        n.domain.clone()
    } else {
        format!("{}:{}", n.via, n.domain)
    };
    // A child costs its include/redirect term plus everything below it.
    let cost = if root {
        n.total_lookups
    } else {
        n.total_lookups.saturating_add(1)
    };
    let mut s = format!("{name} ({})", plural(cost, "lookup"));
    if n.void_lookups > 0 {
        s.push_str(&format!(", {}", plural(n.void_lookups, "void lookup")));
    }
    if let Some(e) = n.error.as_deref() {
        s.push_str(&format!(" [{e}]"));
    }
    s
}

/// The SPF include tree as lines drawn with box characters.
pub(crate) fn spf_tree_lines(root: &SpfNode) -> Vec<String> {
    let mut out = vec![node_label(root, true)];
    walk(root, "", &mut out, 0);
    out
}

/// Depth is capped so a pathological tree cannot blow the stack.
fn walk(n: &SpfNode, prefix: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    let count = n.children.len();
    for (i, c) in n.children.iter().enumerate() {
        let last = i + 1 == count;
        out.push(format!(
            "{prefix}{}{}",
            if last { "└─ " } else { "├─ " },
            node_label(c, false)
        ));
        let next = format!("{prefix}{}", if last { "   " } else { "│  " });
        walk(c, &next, out, depth + 1);
    }
}

pub(crate) fn severity_label(f: &Finding) -> ColoredString {
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
    if f.inconclusive {
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
    let name = if r.name.ends_with('.') {
        r.name.clone()
    } else {
        format!("{}.", r.name)
    };
    let value = if r.rtype.eq_ignore_ascii_case("TXT") {
        txt_quoted(&r.value)
    } else if matches!(r.rtype.as_str(), "PTR" | "CNAME" | "MX") && !r.value.ends_with('.') {
        format!("{}.", r.value)
    } else {
        r.value.clone()
    };
    format!("{name} IN {} {value}", r.rtype)
}

fn txt_quoted(v: &str) -> String {
    let escaped: Vec<String> = chunks(v, 255)
        .into_iter()
        .map(|c| format!("\"{}\"", c.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    escaped.join(" ")
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
        let r = RecordToPublish {
            name: "x.example".into(),
            rtype: "TXT".into(),
            value: "a".repeat(300),
            note: String::new(),
        };
        let line = zone_line(&r);
        assert!(line.starts_with("x.example. IN TXT \""));
        assert_eq!(line.matches('"').count(), 4);
    }
}
