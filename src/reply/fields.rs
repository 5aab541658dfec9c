//! `key=value` fields of MTA log lines, scanned by hand: regex captures over whole log lines
//! were most of the cost of decoding logs (see BENCHMARKS.md, reply decoding).

/// Whether `c` counts as a word character for `\b` (as the regex crate's Unicode `\w` does,
/// closely enough for log keys).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first value of `key` (e.g. `"to="`) that starts at a word boundary and that `value`
/// accepts, as a regex `\bkey(value)` would find it: the leftmost occurrence that matches.
pub fn field<'a, T>(line: &'a str, key: &str, value: impl Fn(&'a str) -> Option<T>) -> Option<T> {
    let mut from = 0;
    while let Some(at) = line[from..].find(key).map(|i| i + from) {
        from = at + key.len();
        let bounded = line[..at].chars().next_back().is_none_or(|c| !is_word(c));
        if bounded && let Some(v) = value(&line[from..]) {
            return Some(v);
        }
    }
    None
}

/// The longest prefix of `s` whose characters `keep` accepts.
pub fn prefix_while(s: &str, keep: impl Fn(char) -> bool) -> &str {
    &s[..s.find(|c: char| !keep(c)).unwrap_or(s.len())]
}

/// `N.N{1,3}.N{1,4}` at the start of `s` (a Postfix or Sendmail `dsn=` value).
pub fn dsn_value(s: &str) -> Option<&str> {
    let digits = |s: &str, max: usize| {
        let n = prefix_while(s, |c| c.is_ascii_digit()).len().min(max);
        (n > 0).then_some(n)
    };
    let class = digits(s, 1)?;
    let rest = s[class..].strip_prefix('.')?;
    let subject = digits(rest, 3)?;
    let rest = rest[subject..].strip_prefix('.')?;
    let detail = digits(rest, 4)?;
    Some(&s[..class + 1 + subject + 1 + detail])
}

/// Postfix's `status=WORD (detail)`: the word and what the outer parentheses hold (up to the
/// `)` that ends the line), or an empty detail. A line cut before its closing `)` (a pasted
/// log line, a terminal's width) keeps all it has: the last `)` inside it may close a bracket
/// of the reply's own words, and cutting there would lose the reply.
pub fn postfix_status(line: &str) -> Option<(&str, &str)> {
    field(line, "status=", |rest| {
        let word = prefix_while(rest, |c| c.is_ascii_lowercase() || c == '-');
        if word.is_empty() {
            return None;
        }
        let after = &rest[word.len()..];
        let detail = after.strip_prefix(" (").map_or("", |d| {
            let d = d.trim_end();
            d.strip_suffix(')')
                .unwrap_or_else(|| unclosed_in_reply_to(d))
        });
        Some((word, detail))
    })
}

/// A cut detail without the unclosed `(in reply to ...` it may end with: what is left of that
/// phrase names no command surely, and is no part of the reply's words.
fn unclosed_in_reply_to(detail: &str) -> &str {
    match detail.rfind(" (in reply to") {
        Some(open) if !detail[open..].contains(')') => detail[..open].trim_end(),
        _ => detail,
    }
}

/// Postfix's `host NAME[IP]:PORT said: REPLY` (or `refused to talk to me: REPLY`, a refused
/// greeting): the host name and the reply.
pub fn postfix_said(detail: &str) -> Option<(&str, &str)> {
    let rest = detail.strip_prefix("host ")?;
    let host = prefix_while(rest, |c| !c.is_whitespace() && c != '[');
    if host.is_empty() {
        return None;
    }
    let mut rest = &rest[host.len()..];
    if let Some(r) = rest.strip_prefix('[') {
        rest = &r[r.find(']')? + 1..];
    }
    if let Some(r) = rest.strip_prefix(':') {
        let port = prefix_while(r, |c| c.is_ascii_digit());
        if !port.is_empty() {
            rest = &r[port.len()..];
        }
    }
    let said = rest
        .strip_prefix(" said: ")
        .or_else(|| rest.strip_prefix(" refused to talk to me: "))?;
    Some((host, said))
}

/// Splits Postfix's trailing "(in reply to RCPT TO command)" off: the text before it (trailing
/// space removed) and the command.
pub fn in_reply_to(detail: &str) -> Option<(&str, &str)> {
    let body = detail.trim_end().strip_suffix(" command)")?;
    let open = body.find("(in reply to ")?;
    let command = &body[open + "(in reply to ".len()..];
    (!command.is_empty()).then(|| (detail[..open].trim_end(), command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_need_a_word_boundary_and_a_value() {
        let l = "orig_to=<a@x>, to=<b@y>, relay=none";
        let to = field(l, "to=", |r| {
            let r = r.strip_prefix('<').unwrap_or(r);
            Some(prefix_while(r, |c| {
                c != '>' && c != ',' && !c.is_whitespace()
            }))
        });
        assert_eq!(to, Some("b@y"));
        assert_eq!(field("dsn=x dsn=5.7.26", "dsn=", dsn_value), Some("5.7.26"));
        assert_eq!(dsn_value("5.7.26123"), Some("5.7.2612"));
        assert_eq!(dsn_value("5..1"), None);
    }

    #[test]
    fn postfix_detail_parts() {
        let l = "dsn=5.1.1, status=bounced (host mx.example[192.0.2.1]:25 said: 550 5.1.1 no (in reply to RCPT TO command))";
        let (status, detail) = postfix_status(l).unwrap();
        assert_eq!(status, "bounced");
        let (said, command) = in_reply_to(detail).unwrap();
        assert_eq!(command, "RCPT TO");
        assert_eq!(postfix_said(said), Some(("mx.example", "550 5.1.1 no")));
        assert_eq!(postfix_status("status=sent"), Some(("sent", "")));
        assert_eq!(postfix_said("host mx[1.2.3.4 said: x"), None);
        assert_eq!(
            postfix_said("host mx.example[192.0.2.1] refused to talk to me: 554 5.7.1 no"),
            Some(("mx.example", "554 5.7.1 no"))
        );
        assert_eq!(in_reply_to("x (in reply to  command)"), None);
    }

    #[test]
    fn a_line_cut_before_its_closing_parenthesis_keeps_its_reply() {
        let cut =
            "status=bounced (host mx.example[192.0.2.1] said: 550 5.7.1 (spam) refused by policy";
        let (_, detail) = postfix_status(cut).unwrap();
        assert_eq!(
            postfix_said(detail),
            Some(("mx.example", "550 5.7.1 (spam) refused by policy"))
        );
        let in_reply = "status=bounced (host mx.example[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT";
        let (_, detail) = postfix_status(in_reply).unwrap();
        assert_eq!(
            postfix_said(detail),
            Some(("mx.example", "550 5.1.1 no such user"))
        );
        let whole = "status=bounced (host mx.example[192.0.2.1] said: 550 5.1.1 no (in reply to RCPT TO command)) \r";
        let (_, detail) = postfix_status(whole).unwrap();
        assert!(detail.ends_with("command)"), "{detail}");
    }
}
