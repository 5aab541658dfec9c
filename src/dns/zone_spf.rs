//! Records of type 99 (SPF) in zone files: read as TXT, whose presentation and wire formats
//! they share (RFC 4408 section 3.1.1), and served under their own type.

use std::collections::HashSet;

/// `text` with the SPF type of each record written `SPF` replaced by `TXT` (same length, so
/// every line:column stays), and the lines where those records start.
pub(super) fn spf_as_txt(text: &str) -> (String, HashSet<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut lines = HashSet::new();
    let (mut parens, mut quoted) = (0usize, false);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let starts_entry = parens == 0 && !quoted;
        let mut line = line.to_string();
        if starts_entry && let Some(at) = spf_type_at(&line) {
            line.replace_range(at..at + 3, "TXT");
            lines.insert(i + 1);
        }
        track(&line, &mut parens, &mut quoted);
        out.push_str(&line);
    }
    (out, lines)
}

/// Where the type field of an entry's first line says `SPF`: after the owner (unless the
/// line is indented), an optional TTL and an optional class, before the data.
fn spf_type_at(line: &str) -> Option<usize> {
    if line.starts_with('$') {
        return None;
    }
    let head_end = line.find(['"', '(', ';']).unwrap_or(line.len());
    let head = &line[..head_end];
    let mut fields = Vec::new();
    let mut start = None;
    for (i, c) in head.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                fields.push((s, &head[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        fields.push((s, &head[s..]));
    }
    let skip_owner = usize::from(!line.starts_with([' ', '\t']));
    let mut rest = fields.iter().skip(skip_owner);
    for &(at, field) in rest.by_ref() {
        if field.eq_ignore_ascii_case("SPF") {
            return Some(at);
        }
        let ttl = field.bytes().next().is_some_and(|b| b.is_ascii_digit());
        let class = ["IN", "CH", "HS", "CS"]
            .iter()
            .any(|c| field.eq_ignore_ascii_case(c));
        if !ttl && !class {
            return None;
        }
    }
    None
}

/// Carries the parenthesis depth and the open quote over one line, as RFC 1035 section 5.1
/// reads them (a `;` outside quotes starts a comment).
fn track(line: &str, parens: &mut usize, quoted: &mut bool) {
    let mut escaped = false;
    for c in line.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => *quoted = !*quoted,
            ';' if !*quoted => return,
            '(' if !*quoted => *parens += 1,
            ')' if !*quoted => *parens = parens.saturating_sub(1),
            _ => {}
        }
    }
}

/// The wire form of character-strings (each at most 255 octets, as the zone reader gives them).
pub(super) fn wire_strings(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        let p = &p[..p.len().min(255)];
        out.push(u8::try_from(p.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(p);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_spf_type_is_read_as_txt_on_the_lines_that_use_it() {
        let zone = "$ORIGIN a.example.\n@ 300 IN SPF \"v=spf1 -all\"\nspf IN TXT \"SPF v=spf1\"\n  IN spf ( \"v=spf1\"\n \" -all\" )\nwww IN A 192.0.2.1\n";
        let (text, lines) = spf_as_txt(zone);
        assert_eq!(lines, HashSet::from([2, 4]));
        assert!(text.contains("@ 300 IN TXT \"v=spf1 -all\""), "{text}");
        assert!(text.contains("spf IN TXT \"SPF v=spf1\""), "{text}");
        assert!(text.contains("  IN TXT ( \"v=spf1\""), "{text}");
        assert_eq!(text.len(), zone.len());
    }

    #[test]
    fn wire_strings_read_back_as_the_resolver_reads_them() {
        use crate::dns::resolve::character_strings;
        let parts = vec![b"v=spf1".to_vec(), b" -all".to_vec()];
        assert_eq!(character_strings(&wire_strings(&parts)), Some(parts));
        assert_eq!(character_strings(&[5, b'a']), None);
    }
}
