//! How a name read off the wire is written in answers, logs and comparisons.

use hickory_resolver::proto::rr::Name;

/// Canonical form of a name we hand out: lower-case, no trailing dot, each label's octets as
/// they are (not presentation-escaped), so `a+b.example` reads back as it was asked. A dot
/// inside a label is the one octet written `\.` (RFC 1035 section 5.1): a hostile PTR or CNAME
/// target `mail\.example.com` (two labels) must not read as `mail.example.com` (three), the
/// name whose addresses would then "confirm" it.
pub fn canon(name: &Name) -> String {
    let labels: Vec<String> = name
        .iter()
        .map(|l| {
            String::from_utf8_lossy(l)
                .to_ascii_lowercase()
                .replace('.', "\\.")
        })
        .collect();
    labels.join(".")
}
