//! The values the dns layer hands to checks: one `Answer` per question, with a distinct outcome.

use serde::Serialize;
use std::net::IpAddr;

/// Record types mailtriage asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RType {
    A,
    AAAA,
    MX,
    TXT,
    PTR,
    CNAME,
    NS,
    SOA,
    /// Type 99, the SPF record type RFC 7208 section 14.1 made obsolete: asked only to tell a
    /// domain that publishes SPF there and not in TXT.
    SPF,
}

impl RType {
    pub fn as_str(self) -> &'static str {
        match self {
            RType::A => "A",
            RType::AAAA => "AAAA",
            RType::MX => "MX",
            RType::TXT => "TXT",
            RType::PTR => "PTR",
            RType::CNAME => "CNAME",
            RType::NS => "NS",
            RType::SOA => "SOA",
            RType::SPF => "SPF",
        }
    }
}

/// What became of one question. DNS trouble is never folded into absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "detail")]
pub enum Outcome {
    /// At least one record of the asked type.
    Answer,
    /// The name does not exist (RCODE 3).
    NxDomain,
    /// The name exists but has no record of this type.
    NoData,
    /// The server answered SERVFAIL.
    ServFail,
    /// The server answered REFUSED.
    Refused,
    /// No answer within the per-query timeout (after retries), or the overall deadline passed.
    Timeout,
    /// `--offline` and the name is outside every `--zone`: not looked up.
    Offline,
    /// Anything else (malformed answer, I/O error), with the reason.
    Error(String),
}

impl Outcome {
    /// True for NXDOMAIN and NODATA: the DNS said there is nothing.
    pub fn is_absent(&self) -> bool {
        matches!(self, Outcome::NxDomain | Outcome::NoData)
    }
    /// True when the DNS could not be consulted: SERVFAIL, REFUSED, timeout, offline, error.
    pub fn is_trouble(&self) -> bool {
        !matches!(self, Outcome::Answer | Outcome::NxDomain | Outcome::NoData)
    }
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Answer => "answer",
            Outcome::NxDomain => "NXDOMAIN",
            Outcome::NoData => "NODATA",
            Outcome::ServFail => "SERVFAIL",
            Outcome::Refused => "REFUSED",
            Outcome::Timeout => "timeout",
            Outcome::Offline => "offline",
            Outcome::Error(_) => "error",
        }
    }
}

/// One record of an answer, already decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "data")]
pub enum Rdata {
    A(std::net::Ipv4Addr),
    AAAA(std::net::Ipv6Addr),
    /// MX: preference and exchange (lower-case, no trailing dot; "" for the null MX ".").
    MX {
        preference: u16,
        exchange: String,
    },
    /// TXT: the character-strings as published (each at most 255 bytes), not yet joined.
    TXT(Vec<Vec<u8>>),
    /// PTR target, lower-case, no trailing dot.
    PTR(String),
    CNAME(String),
    Other(String),
}

impl Rdata {
    /// For TXT: the strings joined as RFC 7208 section 3.3 says (no separator), lossily as UTF-8.
    pub fn txt_joined(&self) -> Option<String> {
        match self {
            Rdata::TXT(parts) => {
                let bytes: Vec<u8> = parts.iter().flatten().copied().collect();
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            _ => None,
        }
    }
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Rdata::A(a) => Some(IpAddr::V4(*a)),
            Rdata::AAAA(a) => Some(IpAddr::V6(*a)),
            _ => None,
        }
    }
}

/// The answer to one question, as logged. `id` indexes the run's query log.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub id: usize,
    /// The name asked, lower-case, no trailing dot.
    pub name: String,
    pub rtype: RType,
    pub outcome: Outcome,
    /// Records of the asked type (after following CNAMEs).
    pub records: Vec<Rdata>,
    /// CNAMEs followed from `name`, in order (empty when none).
    pub cname_chain: Vec<String>,
    /// Smallest TTL among the answer records (or the negative-caching TTL from the SOA), seconds.
    pub ttl: Option<u32>,
    /// Zone-file location of the first answer record when it came from `--zone`.
    pub location: Option<crate::finding::ZoneLocation>,
}

impl Answer {
    /// TXT records joined into strings (one per record).
    pub fn txt_strings(&self) -> Vec<String> {
        self.records.iter().filter_map(Rdata::txt_joined).collect()
    }
    pub fn ips(&self) -> Vec<IpAddr> {
        self.records.iter().filter_map(Rdata::ip).collect()
    }
}
