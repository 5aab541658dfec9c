//! How a name read off the wire is written in answers, logs and comparisons, and read back.

use hickory_resolver::proto::ProtoError;
use hickory_resolver::proto::rr::Name;

/// Canonical form of a name we hand out: lower-case, no trailing dot, each label's octets as
/// they are (not presentation-escaped), so `a+b.example` reads back as it was asked, except
/// for the three kinds of octet that would make two names share one text (RFC 1035 section
/// 5.1 escapes): a dot inside a label is `\.` (a hostile PTR or CNAME target `mail\.example.com`,
/// two labels, must not read as `mail.example.com`, three, the name whose addresses would then
/// "confirm" it), a backslash is `\\`, and an octet that is not part of valid UTF-8 is `\DDD`
/// (written as U+FFFD, two different names would read as one, and asking for that text would
/// ask for a third). [`wire_name`] reads every such form back to the same octets.
pub fn canon(name: &Name) -> String {
    let labels: Vec<String> = name.iter().map(label_text).collect();
    labels.join(".")
}

/// A name as written in [`canon`] form, in zone-file syntax (RFC 1035 section 5.1): the
/// octets a zone file or a terminal would act on (space, control octets, `"`, `(`, `)`,
/// `;`, `@`, `$`) as `\DDD`. canon's own escapes (`\.`, `\\`, `\DDD`) already are zone
/// syntax and pass through, so a line a plan asks to add or remove is the record the DNS
/// holds, and inert on screen.
pub fn zone_text(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut escaped = false;
    for c in name.chars() {
        if escaped {
            out.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                out.push(c);
                escaped = true;
            }
            ' ' | '"' | '(' | ')' | ';' | '@' | '$' => {
                out.push_str(&format!("\\{:03}", u32::from(c)))
            }
            c if c.is_control() => {
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

fn label_text(label: &[u8]) -> String {
    let mut out = String::with_capacity(label.len());
    for chunk in label.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '.' => out.push_str("\\."),
                '\\' => out.push_str("\\\\"),
                c => out.push(c.to_ascii_lowercase()),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\{b:03}"));
        }
    }
    out
}

/// The DNS name for `text`, each label taken as raw octets: RFC 2181 section 11 allows any octet
/// in a label, and names made by SPF macros (`%{l}` of `a+b@example.com`) hold such labels. The
/// escapes [`canon`] writes (`\.`, `\\`, `\DDD`) are read back, so a name handed out is asked
/// again as exactly the name received; any other backslash is an octet like the rest.
pub fn wire_name(text: &str) -> Result<Name, ProtoError> {
    if text.is_empty() || text == "." {
        return Ok(Name::root());
    }
    let mut labels: Vec<Vec<u8>> = Vec::new();
    let mut label = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'.' => labels.push(std::mem::take(&mut label)),
            b'\\' => match (bytes.get(i + 1), decimal(bytes.get(i + 1..i + 4))) {
                (Some(&c @ (b'.' | b'\\')), _) => {
                    label.push(c);
                    i += 1;
                }
                (_, Some(octet)) => {
                    label.push(octet);
                    i += 3;
                }
                _ => label.push(b'\\'),
            },
            c => label.push(c),
        }
        i += 1;
    }
    // A trailing (unescaped) dot ends the name: it adds no empty last label.
    if !label.is_empty() {
        labels.push(label);
    }
    Name::from_labels(labels)
}

/// The octet written as three decimal digits (`\DDD`, RFC 1035 section 5.1), if these are.
fn decimal(digits: Option<&[u8]>) -> Option<u8> {
    let digits = digits?;
    if digits.len() != 3 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_reads_back_as_the_octets_it_holds() {
        for labels in [
            vec![b"mail.good".to_vec(), b"example".to_vec()],
            vec![b"mail\\".to_vec(), b"good".to_vec(), b"example".to_vec()],
            vec![vec![0xff, 0xfe], b"example".to_vec()],
            vec![b"a+b".to_vec(), "\u{e9}t\u{e9}".as_bytes().to_vec()],
            vec![b"x\\.".to_vec(), b"\\255".to_vec()],
        ] {
            let name = Name::from_labels(labels.clone()).unwrap_or_default();
            let text = canon(&name);
            let back = wire_name(&text).unwrap_or_default();
            let got: Vec<Vec<u8>> = back.iter().map(<[u8]>::to_vec).collect();
            assert_eq!(got, labels, "{text}");
        }
        assert_eq!(
            canon(&Name::from_labels(vec![vec![0xff, 0xfe]]).unwrap_or_default()),
            "\\255\\254"
        );
    }

    #[test]
    fn plain_names_and_the_root_are_as_before() {
        let n = wire_name("Mail.Example.COM.").unwrap_or_default();
        assert_eq!(canon(&n), "mail.example.com");
        assert!(wire_name("").unwrap_or_default().is_root());
        assert!(wire_name(".").unwrap_or_default().is_root());
        // A backslash that escapes nothing is an octet (SPF text may hold one).
        let n = wire_name("a\\b.example").unwrap_or_default();
        assert_eq!(n.iter().next(), Some(&b"a\\b"[..]));
    }
}
