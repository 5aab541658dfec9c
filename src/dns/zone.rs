//! Reading BIND zone files (via the `domain` crate) into records that remember file:line:column.

use super::error::DnsSetupError;
use super::types::RType;
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
    /// Type 99 (SPF), TXT's data format: what legacy zones still publish beside or instead of
    /// TXT (RFC 7208 section 14.1 made it obsolete; receivers ask TXT only).
    SPF(Vec<Vec<u8>>),
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
            ZoneData::SPF(_) => RType::SPF,
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
    let text = read_text(path).map_err(|(line, column, message)| DnsSetupError::Zone {
        file: label.clone(),
        line,
        column,
        message,
    })?;
    let origin = path.file_name().and_then(|n| n.to_str()).map(|n| {
        let n = n.trim_end_matches(".zone").trim_end_matches(".db");
        n.to_string()
    });
    parse_zone(&label, &text, origin.as_deref().filter(|o| o.contains('.')))
}

/// The largest zone file read: far above any sending domain's zone, far below what would
/// exhaust memory (a 1 GB sparse file given by mistake is refused without being read).
const MAX_ZONE_FILE: u64 = 64 * 1024 * 1024;

/// The text of a zone file, refused above [`MAX_ZONE_FILE`]. Errors are (line, column, message).
fn read_text(path: &Path) -> Result<String, (usize, usize, String)> {
    use std::io::Read;
    let cannot = |e: std::io::Error| (0, 0, format!("cannot read zone file: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let too_large = |size: u64| {
        (
            0,
            0,
            format!(
                "the file is {size} bytes; zone files over {MAX_ZONE_FILE} bytes (64 MiB) are refused: give the zones of the names checked"
            ),
        )
    };
    let size = file.metadata().map_err(cannot)?.len();
    if size > MAX_ZONE_FILE {
        return Err(too_large(size));
    }
    let mut text = String::new();
    // Bounded again: the file may grow between the look and the read.
    file.take(MAX_ZONE_FILE + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > MAX_ZONE_FILE {
        return Err(too_large(text.len() as u64));
    }
    Ok(text)
}

/// Parses zone text. `origin` (e.g. "example.com") is used until a `$ORIGIN` line.
pub fn parse_zone(file: &str, text: &str, origin: Option<&str>) -> Result<Zone, DnsSetupError> {
    // Last line of defence: the `domain` scanner has index panics on some malformed input
    // that our pre-checks may not catch; a zone file must never crash the run.
    let parsed =
        std::panic::catch_unwind(|| parse_zone_inner(file, text, origin)).unwrap_or_else(|_| {
            Err(DnsSetupError::Zone {
                file: file.to_string(),
                line: 0,
                column: 0,
                message: "the zone file parser failed on this input".into(),
            })
        });
    match parsed {
        Err(DnsSetupError::Zone { .. }) if !super::zone_shape::reads_as_zone(text) => {
            match super::zone_shape::first_content_line(text) {
                Some(line) => Err(DnsSetupError::Zone {
                    file: file.to_string(),
                    line,
                    column: 1,
                    message: "not a zone file: no line reads as a DNS record (owner, TTL, class, type, data) or a $ORIGIN/$TTL directive".into(),
                }),
                // Blank or comments only: the parser's own "no SOA and no $ORIGIN" says it.
                None => parsed,
            }
        }
        other => other,
    }
}

fn parse_zone_inner(file: &str, text: &str, origin: Option<&str>) -> Result<Zone, DnsSetupError> {
    let err = |line: usize, column: usize, message: String| DnsSetupError::Zone {
        file: file.to_string(),
        line,
        column,
        message,
    };
    // The `domain` scanner knows the SPF mnemonic but has no parser for its data: its records
    // are read as TXT, which has the same presentation format, and told apart by their line.
    let (text, spf_lines) = super::zone_spf::spf_as_txt(text);
    let text = text.as_str();
    let mut zonefile = Zonefile::from(text);
    if let Some(o) = origin {
        let fq = format!("{}.", o.trim_end_matches('.'));
        // The octets type is inferred from `set_origin`.
        match fq.parse() {
            Ok(name) => zonefile.set_origin(name),
            Err(e) => return Err(err(0, 0, format!("bad origin {o:?}: {e}"))),
        }
    }
    let (spans, unclosed) = entry_spans(text);
    if let (Some(message), Some(last)) = (unclosed, spans.last()) {
        // Checked up front: the scanner can index past its buffer on such input.
        return Err(err(last.line, last.column, message.to_string()));
    }
    let mut record_spans = spans.iter().filter(|s| !s.directive);
    let mut seen = 0usize;
    let mut records = Vec::new();
    let mut skipped = 0;
    let mut apex: Option<String> = None;
    loop {
        let entry = match zonefile.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(e) => {
                let (line, column, message) = split_domain_error(&e.to_string());
                return Err(match failing_entry(&spans, seen, line) {
                    Some(span) if span.line != line => err(
                        span.line,
                        span.column,
                        format!("{message} (scanner stopped at {line}:{column})"),
                    ),
                    _ => err(line, column, message),
                });
            }
        };
        seen += 1;
        let (line, column) = record_spans.next().map_or((0, 0), |s| (s.line, s.column));
        let location = ZoneLocation {
            file: file.to_string(),
            line,
            column,
        };
        let record = match entry {
            Entry::Record(r) => r,
            Entry::Include { .. } => {
                // Directives have no record span: without this the error pointed at 0:0 or at the
                // next record's line.
                let (line, column) = text
                    .lines()
                    .enumerate()
                    .find_map(|(i, l)| {
                        // A directive starts its line (an indented line is a record).
                        let word = l.get(..8)?;
                        word.eq_ignore_ascii_case("$INCLUDE").then_some((i + 1, 1))
                    })
                    .unwrap_or((line, column));
                return Err(err(line, column, "$INCLUDE is not supported".into()));
            }
        };
        let name = dname(record.owner());
        let ttl = record.ttl().as_secs();
        let data = match record.data() {
            ZoneRecordData::A(a) => ZoneData::A(a.addr()),
            ZoneRecordData::Aaaa(a) => ZoneData::AAAA(a.addr()),
            ZoneRecordData::Mx(mx) => ZoneData::MX(mx.preference(), dname(mx.exchange())),
            ZoneRecordData::Txt(txt) if spf_lines.contains(&line) => {
                ZoneData::SPF(txt.iter().map(|s| s.to_vec()).collect())
            }
            ZoneRecordData::Txt(txt) => ZoneData::TXT(txt.iter().map(|s| s.to_vec()).collect()),
            // `TYPE99 \# <len> <hex>` (RFC 3597): the same, written generically.
            ZoneRecordData::Unknown(u) if u16::from(u.rtype()) == 99 => {
                match super::resolve::character_strings(u.data()) {
                    Some(strings) => ZoneData::SPF(strings),
                    None => {
                        return Err(err(
                            line,
                            column,
                            "type 99 (SPF) data that is not character-strings".into(),
                        ));
                    }
                }
            }
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

/// Where one logical entry (a record or a `$` directive, parentheses joined) starts and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EntrySpan {
    line: usize,
    column: usize,
    end_line: usize,
    directive: bool,
}

/// Splits zone text into logical entries the way RFC 1035 section 5.1 does (comments, quoted
/// strings, parentheses spanning lines). The `domain` scanner does not expose its line
/// numbers per entry, so we find each entry's start ourselves and pair them up in order.
fn entry_spans(text: &str) -> (Vec<EntrySpan>, Option<&'static str>) {
    let mut spans = Vec::new();
    let (mut line, mut col) = (1usize, 0usize);
    let mut parens = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    let mut comment = false;
    let mut current: Option<EntrySpan> = None;
    for ch in text.chars() {
        col += 1;
        if ch == '\n' {
            if let Some(span) = current.as_mut() {
                span.end_line = line;
            }
            if parens == 0 && !quoted {
                spans.extend(current.take());
            }
            line += 1;
            col = 0;
            comment = false;
            escaped = false;
            continue;
        }
        if comment {
            continue;
        }
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                comment = true;
                continue;
            }
            '(' if !quoted => parens += 1,
            ')' if !quoted => parens = parens.saturating_sub(1),
            _ => {}
        }
        if current.is_none() && !ch.is_whitespace() {
            // Indented entries reuse the previous owner; point at their first token.
            current = Some(EntrySpan {
                line,
                column: col,
                end_line: line,
                directive: ch == '$' && col == 1,
            });
        }
    }
    if let Some(mut span) = current.take() {
        span.end_line = line;
        spans.push(span);
    }
    let unclosed = if quoted {
        Some("unterminated quoted string")
    } else if parens > 0 {
        Some("unbalanced parentheses: '(' is never closed")
    } else {
        None
    };
    (spans, unclosed)
}

/// Which entry a `domain` error belongs to: records are returned in order, so the failing
/// entry is the first record entry after the `records_seen` returned ones, unless a directive
/// before it is where the scanner stopped.
fn failing_entry(spans: &[EntrySpan], records_seen: usize, line: usize) -> Option<EntrySpan> {
    let mut seen = 0;
    let mut candidates = Vec::new();
    for span in spans {
        if span.directive {
            if seen == records_seen {
                candidates.push(*span);
            }
            continue;
        }
        if seen == records_seen {
            candidates.push(*span);
            break;
        }
        seen += 1;
    }
    candidates
        .iter()
        .rev()
        .find(|s| s.line <= line)
        .or(candidates.first())
        .copied()
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
