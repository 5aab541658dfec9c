//! Escaping of text written by others (DNS data, messages, replies, rules files) for each
//! output context: a terminal, Markdown, a CSV cell, JSON. Applied where a value is rendered,
//! never where it is parsed, so the JSON keeps the original data.

use std::borrow::Cow;
use std::fmt::Write as _;

pub use crate::safe_json::{is_active, json_compact, json_line, json_pretty};

/// How an active character is shown: `\n`, `\r`, `\t`, `\0`, `\x1b` for C0 and DEL, `\u{9b}`
/// for C1 and the Unicode format characters.
fn visible(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// A single-line field for a terminal: every active character (line breaks included) shown as
/// an escape, ordinary text (accents, CJK, emoji) kept.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_active) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_active(c) {
            visible(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text for a terminal (a reply's text, a rules file's prose): line breaks and tabs
/// kept (a CR before LF is a line break too), everything else as [`terminal`].
pub fn terminal_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .split('\n')
        .map(|l| l.split('\t').map(terminal).collect::<Vec<_>>().join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Inline Markdown text (a list item, a heading, a table cell): the terminal escapes (Markdown
/// is printed as well as pasted), then a backslash before every character that could start
/// markup: emphasis, code, links and images, HTML and autolinks, entities (`&#x202e;` would
/// come back as the character), headings, tables and strikethrough.
pub fn markdown(s: &str) -> String {
    let t = terminal(s);
    let mut out = String::with_capacity(t.len() + 8);
    for c in t.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Inline Markdown code: the value shown exactly (terminal escapes aside), in a fence of more
/// backticks than it contains. Not for table cells: use [`markdown_cell_code`].
pub fn markdown_code(s: &str) -> String {
    let t = terminal(s);
    let fence = "`".repeat(longest_backtick_run(&t) + 1);
    // A space on each side keeps a leading or trailing backtick out of the fence; CommonMark
    // strips one space from each side when both are present.
    if t.starts_with('`') || t.ends_with('`') || (t.starts_with(' ') && t.ends_with(' ')) {
        format!("{fence} {t} {fence}")
    } else {
        format!("{fence}{t}{fence}")
    }
}

/// Inline code inside a GFM table cell: a pipe would end the cell even inside code, and `\|`
/// is how GFM takes one there.
pub fn markdown_cell_code(s: &str) -> String {
    markdown_code(s).replace('|', "\\|")
}

/// A fenced Markdown code block of `lines` (each shown as [`terminal`] shows it), its fence
/// longer than any backtick run inside so no line can close it early.
pub fn markdown_block(info: &str, lines: &[String]) -> String {
    let body: Vec<Cow<'_, str>> = lines.iter().map(|l| terminal(l)).collect();
    let run = body
        .iter()
        .map(|l| longest_backtick_run(l))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(run.max(2) + 1);
    let mut out = format!("{fence}{info}\n");
    for l in body {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// A CSV cell (RFC 4180): a cell a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, tab or CR) gets a leading `'`; the terminal escapes apply; a cell holding a comma,
/// quote or space at either end is quoted with its quotes doubled.
pub fn csv(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let mut cell = String::with_capacity(s.len() + 2);
    if formula {
        cell.push('\'');
    }
    cell.push_str(&terminal(s));
    if cell.contains([',', '"', ';']) || cell.starts_with(' ') || cell.ends_with(' ') {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// A SARIF plain-text message (SARIF 2.1.0 section 3.11.6): a viewer turns `[text](target)`
/// into a link, so literal brackets (and a backslash before one) are escaped with a backslash.
/// JSON's own escaping is [`json_pretty`]'s job.
pub fn sarif_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let escape = match c {
            '[' | ']' => true,
            '\\' => matches!(chars.peek(), Some('[' | ']')),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HOSTILE: &str = "+all\r\x1b[2K-all \x1b]0;t\x07 \0\x7f\u{9b}\u{202e}x\u{2066}";

    #[test]
    fn terminal_shows_every_active_character_and_keeps_ordinary_text() {
        assert_eq!(
            terminal(HOSTILE),
            "+all\\r\\x1b[2K-all \\x1b]0;t\\x07 \\0\\x7f\\u{9b}\\u{202e}x\\u{2066}"
        );
        assert_eq!(terminal("a\nb\tc"), "a\\nb\\tc");
        assert!(matches!(terminal("Grüße, 東京 ✉"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_text_keeps_lines_and_tabs_only() {
        assert_eq!(terminal_text("a\r\nb\tc\rd\x1b"), "a\nb\tc\\rd\\x1b");
    }

    #[test]
    fn markdown_text_has_no_markup_left() {
        assert_eq!(
            markdown("[click](http://evil) <script>x</script> `t` a|b *_#!&~\\"),
            "\\[click\\](http://evil) \\<script\\>x\\</script\\> \\`t\\` a\\|b \\*\\_\\#\\!\\&\\~\\\\"
        );
        // The terminal escape's backslash is itself escaped, so it renders as typed.
        assert_eq!(markdown("\x1b"), "\\\\x1b");
    }

    #[test]
    fn markdown_code_fences_outgrow_the_backticks_inside() {
        assert_eq!(markdown_code("a"), "`a`");
        assert_eq!(markdown_code("a``b"), "```a``b```");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_cell_code("a|b"), "`a\\|b`");
        let block = markdown_block("dns", &["```".to_string(), "\x1b[2K".to_string()]);
        assert_eq!(block, "````dns\n```\n\\x1b[2K\n````\n");
    }

    #[test]
    fn csv_cells_cannot_start_a_formula_or_break_the_row() {
        assert_eq!(
            csv("=HYPERLINK(\"http://evil\")"),
            "\"'=HYPERLINK(\"\"http://evil\"\")\""
        );
        assert_eq!(csv("-all"), "'-all");
        assert_eq!(csv("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv("\tx"), "'\\tx");
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("line\nbreak"), "line\\nbreak");
        assert_eq!(csv("plain"), "plain");
    }

    #[test]
    fn sarif_text_has_no_embedded_link_left() {
        assert_eq!(
            sarif_text("[click](http://evil) a\\[b \\027"),
            "\\[click\\](http://evil) a\\\\\\[b \\027"
        );
    }

    #[test]
    fn json_escapes_active_characters_and_round_trips() {
        let v = serde_json::json!({ "k\u{202e}": HOSTILE });
        let line = json_line(&v);
        assert!(line.chars().all(|c| !is_active(c)), "{line:?}");
        assert!(line.contains("\\u202e") && line.contains("\\u009b") && line.contains("\\u007f"));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&line).unwrap(), v);
        let mut pretty = Vec::new();
        json_pretty(&mut pretty, &v).unwrap();
        let pretty = String::from_utf8(pretty).unwrap();
        assert!(pretty.contains("\n  \"k\\u202e\": "), "{pretty}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&pretty).unwrap(),
            v
        );
    }
}
