//! The faults the test server (`server.rs`) can inject, and the hostile messages they build:
//! what a misbehaving server on the internet does, reproduced on loopback for the tests.

use super::resolve::wire_name;
use super::types::RType;
use hickory_server::proto::op::Query;
use hickory_server::proto::rr::rdata::{A, CNAME, NS, NULL, TXT};
use hickory_server::proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_server::proto::serialize::binary::{BinDecoder, BinEncodable};
use hickory_server::zone_handler::Queries;
use std::time::Duration;

fn to_name(s: &str) -> Option<Name> {
    wire_name(s).ok()
}

/// What a fault does to matching questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Never answer.
    Timeout,
    ServFail,
    Refused,
    /// TC=1 and no records over UDP; the full answer over TCP.
    Truncate,
    /// Answer with a record of another type than asked.
    WrongType,
    /// NXDOMAIN, whatever the zone holds: a server that says an empty non-terminal does not
    /// exist although names below it do (against RFC 8020).
    NxDomain,
    /// Answer as usual, this much later (on top of `ServerOptions::delay`): one slow name
    /// among fast ones.
    Slow(Duration),
    /// NOERROR with the zone's records of the asked type, but owned by another name
    /// (`other.invalid`): a spoofed or broken answer to a different question.
    OtherName,
    /// NXDOMAIN, and the zone's records of the asked type in the answer all the same: a
    /// self-contradictory answer.
    NxDomainWithRecords,
    /// The usual answer under opcode STATUS instead of QUERY (RFC 1035 section 4.1.1).
    Opcode,
    /// TC=1 over UDP, so the client asks again over TCP; there, the usual answer under a
    /// question section that is not the one asked (RFC 1035 section 7.3). Over UDP hickory
    /// itself drops such an answer, over TCP it matches by message id alone.
    WrongQuestion(QuestionFault),
    /// Only a DNAME at the parent of the asked name, pointing at `moved.<parent>`, without the
    /// CNAME a server must synthesise (RFC 6672 section 3.1): the client substitutes itself.
    DnameOnly,
    /// The usual answer with every record's TTL (SOA included) set to this value.
    Ttl(u32),
    /// TC=1 over UDP, and over TCP no answer at all: a server that can never deliver.
    TruncateForever,
    /// The usual answer with every record in class CH instead of IN.
    WrongClass,
    /// A CNAME to `target.<name>` and, at the target, an A record (a TXT record when A was
    /// asked): a chain that ends in a type other than the one asked.
    CnameToWrongType,
    /// The usual answer over UDP, under a question section that is not the one asked (no
    /// detour through TCP): a client must report it as such, not wait for another answer.
    WrongQuestionUdp(QuestionFault),
    /// The usual answer with the question and every owner name in upper case, as a server
    /// that echoes a 0x20-mixed question or stores names its own way (RFC 4343: names compare
    /// without regard to case, so it must be accepted).
    UpperCase,
    /// NOERROR with no records, no SOA, AA=0 and RA=0: a lame server, neither authoritative
    /// for the name nor willing to recurse. Not a NODATA (RFC 2308 section 2.2).
    Lame,
    /// FORMERR without OPT to any query that carries EDNS, the usual answer to one without
    /// (a server that predates RFC 6891).
    EdnsFormErr,
    /// SERVFAIL with an Extended DNS Error (RFC 8914): INFO-CODE and EXTRA-TEXT.
    ServFailEde(u16, &'static str),
    /// NOERROR, AA=0, no answer, and NS records for the parent of the name in the authority
    /// section: a referral, from a server that was asked to recurse (RD=1) and did not.
    Referral,
    /// The usual answer, but a negative one carries the zone's NS record instead of its SOA
    /// in the authority section.
    NsOnlyNegative,
    /// The usual answer plus this many A records in the additional section.
    HugeAdditional(u16),
    /// The usual answer plus a CNAME owned by the asked name, to `elsewhere.invalid`: a name
    /// that has a CNAME and other data at once (against RFC 1034 section 3.6.2).
    CnameBeside,
    /// The usual answer with each record sent twice: an RRset with duplicates (RFC 2181
    /// section 5 has servers suppress them).
    Duplicated,
}

/// How a [`FaultKind::WrongQuestion`] answer's question section differs from the query's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionFault {
    /// Another name (`other.invalid`), same type and class.
    Name,
    /// Same name, another type (A, or TXT for an A question).
    Type,
    /// Same name and type, class CH.
    Class,
    /// No question at all.
    Empty,
}

/// A fault injected for one exact name (lower-case, no trailing dot), optionally one type.
#[derive(Debug, Clone)]
pub struct Fault {
    pub name: String,
    pub rtype: Option<RType>,
    pub kind: FaultKind,
}

/// A DNAME owned by the parent of `name`, pointing at `moved.<parent>` ([`FaultKind::DnameOnly`]).
/// hickory has no DNAME type: the RDATA is the target's uncompressed wire form (RFC 6672 2.5).
pub(super) fn dname_for(name: &str) -> Option<Record> {
    let (_, parent) = name.split_once('.')?;
    let target = to_name(&format!("moved.{parent}"))?.to_bytes().ok()?;
    let data = RData::Unknown {
        code: RecordType::DNAME,
        rdata: NULL::with(target),
    };
    Some(Record::from_rdata(to_name(parent)?, 300, data))
}

/// The question section a [`FaultKind::WrongQuestion`] answer carries instead of `asked`.
pub(super) fn other_question(asked: Option<Query>, what: QuestionFault) -> Option<Queries> {
    let mut q = asked?;
    let bytes = match what {
        QuestionFault::Empty => Vec::new(),
        QuestionFault::Name => {
            q.name = to_name("other.invalid")?;
            q.to_bytes().ok()?
        }
        QuestionFault::Type => {
            q.query_type = if q.query_type == RecordType::A {
                RecordType::TXT
            } else {
                RecordType::A
            };
            q.to_bytes().ok()?
        }
        QuestionFault::Class => {
            q.query_class = DNSClass::CH;
            q.to_bytes().ok()?
        }
    };
    let count = usize::from(what != QuestionFault::Empty);
    Queries::read(&mut BinDecoder::new(&bytes), count).ok()
}

/// A CNAME from `name` to `target.<name>` and a record of another type than `rtype` at the
/// target ([`FaultKind::CnameToWrongType`]).
pub(super) fn cname_to_wrong_type(name: &str, rtype: RecordType) -> Vec<Record> {
    let (Some(owner), Some(target)) = (to_name(name), to_name(&format!("target.{name}"))) else {
        return Vec::new();
    };
    let data = if rtype == RecordType::A {
        RData::TXT(TXT::new(vec!["not an address".to_string()]))
    } else {
        RData::A(A::new(192, 0, 2, 1))
    };
    vec![
        Record::from_rdata(owner, 300, RData::CNAME(CNAME(target.clone()))),
        Record::from_rdata(target, 300, data),
    ]
}

/// A CNAME owned by `name` to `elsewhere.invalid` ([`FaultKind::CnameBeside`]).
pub(super) fn stray_cname(name: &str) -> Option<Record> {
    let target = to_name("elsewhere.invalid")?;
    Some(Record::from_rdata(
        to_name(name)?,
        300,
        RData::CNAME(CNAME(target)),
    ))
}

/// NS records for the parent of `name` pointing elsewhere ([`FaultKind::Referral`]).
pub(super) fn referral_to(name: &str) -> Vec<Record> {
    let parent = name.split_once('.').map_or(name, |(_, p)| p);
    let Some(owner) = to_name(parent) else {
        return Vec::new();
    };
    ["a.ns.elsewhere.invalid", "b.ns.elsewhere.invalid"]
        .iter()
        .filter_map(|h| to_name(h))
        .map(|h| Record::from_rdata(owner.clone(), 300, RData::NS(NS(h))))
        .collect()
}

/// `n` A records for `extra-<i>.invalid` ([`FaultKind::HugeAdditional`]).
pub(super) fn many_addresses(n: u16) -> Vec<Record> {
    (0..n)
        .filter_map(|i| {
            let owner = to_name(&format!("extra-{i}.invalid"))?;
            let [hi, lo] = i.to_be_bytes();
            Some(Record::from_rdata(
                owner,
                300,
                RData::A(A::new(198, 51, hi, lo)),
            ))
        })
        .collect()
}

/// `name` with every ASCII letter in upper case ([`FaultKind::UpperCase`]).
pub(super) fn upper(name: &Name) -> Name {
    let labels: Vec<Vec<u8>> = name.iter().map(|l| l.to_ascii_uppercase()).collect();
    Name::from_labels(labels).unwrap_or_else(|_| name.clone())
}

/// The asked question with its name in upper case ([`FaultKind::UpperCase`]).
pub(super) fn upper_question(asked: Option<Query>) -> Option<Queries> {
    let mut q = asked?;
    q.name = upper(&q.name);
    let bytes = q.to_bytes().ok()?;
    Queries::read(&mut BinDecoder::new(&bytes), 1).ok()
}

/// FNV-1a over (seed, name, type), mapped to [0, 1).
pub(super) fn unit_hash(seed: u64, name: &str, rtype: u16) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in name.bytes().chain(rtype.to_be_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Final mix so nearby names spread over the whole range.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}
