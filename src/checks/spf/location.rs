//! Where a `--zone` file wrote the SPF record a finding is about.

use crate::dns::{Answer, Dns};
use crate::finding::ZoneLocation;

/// The location of the TXT record `text` in `answer` (its `v=spf1` record), falling back to the
/// answer's own location (the name's first TXT) when the record cannot be told apart.
pub fn of_record(dns: &Dns, answer: &Answer, text: &str) -> Option<ZoneLocation> {
    answer.location.as_ref()?;
    let owner = answer
        .cname_chain
        .last()
        .map_or(answer.name.as_str(), String::as_str);
    dns.zone_location_of_txt(owner, text.as_bytes())
        .or_else(|| answer.location.clone())
}
