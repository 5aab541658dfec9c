//! Reading BIND zone files (via the `domain` crate) into records that remember file:line:column.

use super::{DnsSetupError, RType};
use crate::finding::ZoneLocation;
use domain::rdata::ZoneRecordData;
use domain::zonefile::inplace::{Entry, Zonefile};
use std::fmt::Display;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// Record data the overlay server can serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneData {
    A(Ipv4Addr),
    AAAA(Ipv6Addr),
    /// Preference and exchange ("" for the null MX ".").
    MX(u16, String),
    TXT(Vec<Vec<u8>>),
    PTR(String),
    CNAME(String),
    NS(String),
    SOA {
        mname: String,
        rname: String,
        serial: u32,
        refresh: u32,
        retry: u32,
        expire: u32,
        minimum: u32,
    },
}

impl ZoneData {
    pub fn rtype(&self) -> RType {
        match self {
            ZoneData::A(_) => RType::A,
            ZoneData::AAAA(_) => RType::AAAA,
            ZoneData::MX(..) => RType::MX,
            ZoneData::TXT(_) => RType::TXT,
            ZoneData::PTR(_) => RType::PTR,
            ZoneData::CNAME(_) => RType::CNAME,
            ZoneData::NS(_) => RType::NS,
            ZoneData::SOA { .. } => RType::SOA,
        }
    }
}

/// One record of a zone file and where it was written.
#[derive(Debug, Clone)]
pub struct ZoneRecord {
    /// Owner, lower-case, no trailing dot.
    pub name: String,
    pub ttl: u32,
    pub data: ZoneData,
    pub location: ZoneLocation,
}

/// A parsed zone file.
#[derive(Debug, Clone)]
pub struct Zone {
    /// The apex: the SOA owner when the file has one, else the origin.
    pub apex: String,
    pub file: String,
    pub records: Vec<ZoneRecord>,
    /// Records of types the overlay does not serve (SRV, CAA ...), skipped.
    pub skipped: usize,
}

/// Reads a zone file. Without `$ORIGIN`, the origin is taken from the file name
/// (`example.com.zone` or `example.com` -> `example.com`).
pub fn read_zone_file(path: &Path) -> Result<Zone, DnsSetupError> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| DnsSetupError::Zone {
        file: label.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read zone file: {e}"),
    })?;
    let origin = path.file_name().and_then(|n| n.to_str()).map(|n| {
        let n = n.trim_end_matches(".zone").trim_end_matches(".db");
        n.to_string()
    });
    parse_zone(&label, &text, origin.as_deref().filter(|o| o.contains('.')))
}

/// Parses zone text. `origin` (e.g. "example.com") is used until a `$ORIGIN` line.
pub fn parse_zone(file: &str, text: &str, origin: Option<&str>) -> Result<Zone, DnsSetupError> {
    let err = |line: usize, column: usize, message: String| DnsSetupError::Zone {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let mut zonefile = Zonefile::from(text);
    if let Some(o) = origin {
        let fq = format!("{}.", o.trim_end_matches('.'));
        // The octets type is inferred from `set_origin`.
        match fq.parse() {
            Ok(name) => zonefile.set_origin(name),
            Err(e) => return Err(err(0, 0, format!("bad origin {o:?}: {e}"))),
        }
    }
    let lines = LineIndex::new(text);
    let mut records = Vec::new();
    let mut skipped = 0;
    let mut apex: Option<String> = None;
    loop {
        let before = zonefile.current_offset();
        let entry = match zonefile.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(e) => {
                let (line, column, message) = split_domain_error(&e.to_string());
                return Err(err(line, column, message));
            }
        };
        let (line, column) = lines.record_start(text, before);
        let location = ZoneLocation {
            file: file.to_string(),
            line,
            column,
        };
        let record = match entry {
            Entry::Record(r) => r,
            Entry::Include { .. } => {
                return Err(err(line, column, "$INCLUDE is not supported".into()));
            }
        };
        let name = dname(record.owner());
        let ttl = record.ttl().as_secs();
        let data = match record.data() {
            ZoneRecordData::A(a) => ZoneData::A(a.addr()),
            ZoneRecordData::Aaaa(a) => ZoneData::AAAA(a.addr()),
            ZoneRecordData::Mx(mx) => ZoneData::MX(mx.preference(), dname(mx.exchange())),
            ZoneRecordData::Txt(txt) => ZoneData::TXT(txt.iter().map(|s| s.to_vec()).collect()),
            ZoneRecordData::Ptr(p) => ZoneData::PTR(dname(p.ptrdname())),
            ZoneRecordData::Cname(c) => ZoneData::CNAME(dname(c.cname())),
            ZoneRecordData::Ns(ns) => ZoneData::NS(dname(ns.nsdname())),
            ZoneRecordData::Soa(soa) => {
                if apex.is_none() {
                    apex = Some(name.clone());
                }
                ZoneData::SOA {
                    mname: dname(soa.mname()),
                    rname: dname(soa.rname()),
                    serial: soa.serial().into_int(),
                    refresh: soa.refresh().as_secs(),
                    retry: soa.retry().as_secs(),
                    expire: soa.expire().as_secs(),
                    minimum: soa.minimum().as_secs(),
                }
            }
            _ => {
                skipped += 1;
                continue;
            }
        };
        records.push(ZoneRecord {
            name,
            ttl,
            data,
            location,
        });
    }
    let apex = match apex {
        Some(a) => a,
        None => match zonefile.origin() {
            Ok(o) => dname(&o),
            Err(_) => match origin {
                Some(o) => o.trim_end_matches('.').to_ascii_lowercase(),
                None => {
                    return Err(err(
                        1,
                        1,
                        "no SOA record and no $ORIGIN: cannot tell which zone this is".into(),
                    ));
                }
            },
        },
    };
    Ok(Zone {
        apex,
        file: file.to_string(),
        records,
        skipped,
    })
}

/// A domain name in our canonical form: lower-case, no trailing dot, "" for the root.
pub(crate) fn dname(n: &impl Display) -> String {
    let s = n.to_string().to_ascii_lowercase();
    if s == "." {
        String::new()
    } else {
        s.trim_end_matches('.').to_string()
    }
}

/// `domain` formats its errors as "LINE:COL: message"; keep the parts apart.
fn split_domain_error(s: &str) -> (usize, usize, String) {
    let mut parts = s.splitn(3, ':');
    let line = parts.next().and_then(|p| p.trim().parse().ok());
    let col = parts.next().and_then(|p| p.trim().parse().ok());
    match (line, col, parts.next()) {
        (Some(l), Some(c), Some(msg)) => (l, c, msg.trim().to_string()),
        _ => (0, 0, s.to_string()),
    }
}

/// Byte offset -> (line, column), both 1-based.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The scanner hands out the offset where it stopped after the previous entry; the next
    /// record starts at the first line after it that is neither blank, a comment nor a
    /// `$` directive (those are consumed inside the same `next_entry` call).
    fn record_start(&self, text: &str, from: usize) -> (usize, usize) {
        let mut idx = self.line_of(from);
        // The previous entry may have stopped mid-line (before its newline): start there.
        let mut first = true;
        while idx < self.starts.len() {
            let start = if first {
                from.max(self.starts[idx])
            } else {
                self.starts[idx]
            };
            first = false;
            let end = self.starts.get(idx + 1).copied().unwrap_or(text.len());
            let line = text.get(start..end).unwrap_or("");
            let content = line.trim_start_matches([' ', '\t']);
            let body = content.trim_end_matches(['\r', '\n']);
            if body.is_empty() || body.starts_with(';') || body.starts_with('$') {
                idx += 1;
                continue;
            }
            let column = if start == self.starts[idx] {
                line.len() - content.len() + 1
            } else {
                start - self.starts[idx] + line.len() - content.len() + 1
            };
            return (idx + 1, column);
        }
        (self.starts.len(), 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_domain_errors() {
        assert_eq!(
            split_domain_error("3:7: bad name"),
            (3, 7, "bad name".to_string())
        );
        assert_eq!(split_domain_error("weird"), (0, 0, "weird".to_string()));
    }
}
