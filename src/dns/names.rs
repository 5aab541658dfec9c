//! How a name read off the wire is written in answers, logs and comparisons.

use hickory_resolver::proto::rr::Name;

/// Canonical form of a name we hand out: lower-case, no trailing dot, each label's octets as
/// they are (not presentation-escaped), so `a+b.example` reads back as it was asked.
pub fn canon(name: &Name) -> String {
    let labels: Vec<String> = name
        .iter()
        .map(|l| String::from_utf8_lossy(l).to_ascii_lowercase())
        .collect();
    labels.join(".")
}
