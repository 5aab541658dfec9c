//! Building hickory resolvers and turning their results into `Answer`s with distinct outcomes.

use super::dname;
use super::error::DnsSetupError;
use super::transport::{self, Transport};
use super::types::{Answer, Outcome, RType, Rdata};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

/// Largest total TXT payload accepted in one answer; bigger answers become an `Error`.
pub const MAX_TXT_BYTES: usize = 64 * 1024;

/// A resolver over exactly these servers (UDP, falling back to TCP on truncation),
/// with hickory's own cache, hosts file and search list disabled.
pub fn build_resolver(
    servers: &[SocketAddr],
    timeout: Duration,
) -> Result<TokioResolver, DnsSetupError> {
    if servers.is_empty() {
        return Err(DnsSetupError::NoNameservers);
    }
    let config = ResolverConfig::from_name_servers(name_server_configs(servers));
    TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(transport::options(timeout))
        .build()
        .map_err(|e| DnsSetupError::Resolver(e.to_string()))
}

/// Nameservers from /etc/resolv.conf, or a clear error (never a public resolver).
pub fn system_nameservers() -> Result<Vec<SocketAddr>, DnsSetupError> {
    let (config, _opts) = hickory_resolver::system_conf::read_system_conf()
        .map_err(|e| DnsSetupError::SystemConfig(e.to_string()))?;
    let mut out = Vec::new();
    for ns in config.name_servers() {
        let port = ns
            .connections
            .iter()
            .map(|c| c.port)
            .find(|p| *p != 0)
            .unwrap_or(53);
        let addr = SocketAddr::new(ns.ip, port);
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    if out.is_empty() {
        return Err(DnsSetupError::SystemConfig(
            "/etc/resolv.conf lists no nameserver".into(),
        ));
    }
    Ok(out)
}

pub fn record_type(rtype: RType) -> RecordType {
    match rtype {
        RType::A => RecordType::A,
        RType::AAAA => RecordType::AAAA,
        RType::MX => RecordType::MX,
        RType::TXT => RecordType::TXT,
        RType::PTR => RecordType::PTR,
        RType::CNAME => RecordType::CNAME,
        RType::NS => RecordType::NS,
        RType::SOA => RecordType::SOA,
        RType::SPF => RecordType::Unknown(SPF_TYPE),
    }
}

/// The obsolete SPF record type (RFC 7208 section 14.1); hickory has no name for it.
const SPF_TYPE: u16 = 99;

pub use super::names::{canon, wire_name};

/// Longest CNAME chain followed before giving up.
pub const MAX_CNAME_HOPS: usize = 8;

impl Transport {
    /// Asks for (name, type), following CNAMEs the server left unresolved, and classifies.
    pub async fn lookup(&self, name: &str, rtype: RType, retries: usize) -> Answer {
        let mut answer = empty_answer(name, rtype);
        let mut current = name.to_string();
        let mut min_ttl: Option<u32> = None;
        for _hop in 0..=MAX_CNAME_HOPS {
            let fqdn = match wire_name(&current) {
                Ok(n) => n,
                Err(e) => {
                    answer.outcome =
                        Outcome::Error(format!("invalid domain name {current:?}: {e}"));
                    return answer;
                }
            };
            let response = match self.exchange(&fqdn, record_type(rtype), retries).await {
                Ok(r) => r,
                Err(e) => {
                    classify_error(&mut answer, e);
                    return answer;
                }
            };
            if let Some(why) = cname_conflict(&response.answers) {
                answer.outcome = Outcome::Error(why);
                answer.records.clear();
                return answer;
            }
            let advanced = match follow(
                &mut answer,
                &response.answers,
                &mut current,
                rtype,
                &mut min_ttl,
            ) {
                Ok(moved) => moved,
                Err(message) => {
                    answer.outcome = Outcome::Error(message);
                    return answer;
                }
            };
            let nx = response.metadata.response_code == ResponseCode::NXDomain;
            let has_soa = response
                .authorities
                .iter()
                .any(|r| r.record_type() == RecordType::SOA);
            classify_records(&mut answer, &response.answers, &current, rtype, nx, min_ttl);
            if answer.outcome == Outcome::NoData && advanced && !has_soa {
                // The server stopped at a CNAME whose target it does not serve: ask for it.
                continue;
            }
            if answer.outcome.is_absent() {
                answer.ttl = negative_ttl(&response.authorities);
            }
            return answer;
        }
        answer.outcome = Outcome::Error(format!("CNAME chain longer than {MAX_CNAME_HOPS} hops"));
        answer.records.clear();
        answer
    }
}

fn name_server_configs(servers: &[SocketAddr]) -> Vec<NameServerConfig> {
    servers
        .iter()
        .map(|addr| {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
        })
        .collect()
}

/// A TTL as received, read as RFC 2181 section 8 says: a value with the most significant bit
/// set (over 2^31 - 1, "negative" to servers that store it signed) counts as 0, so a hostile
/// or broken zone cannot make an answer look cacheable for 136 years.
pub fn wire_ttl(raw: u32) -> u32 {
    if raw > i32::MAX.unsigned_abs() {
        0
    } else {
        raw
    }
}

fn negative_ttl(authorities: &[Record]) -> Option<u32> {
    authorities.iter().find_map(|r| match &r.data {
        RData::SOA(soa) => Some(wire_ttl(soa.minimum).min(wire_ttl(r.ttl))),
        _ => None,
    })
}

/// Why an answer's CNAMEs contradict themselves, or `None`: a name with a CNAME has no other
/// data and one CNAME at most (RFC 1034 section 3.6.2, RFC 2181 section 10.1). Such an answer
/// says both "the records are here" and "they are at the target", so neither half is believed.
/// Only DNSSEC's own types may sit beside a CNAME (RFC 4035 section 2.5).
fn cname_conflict(records: &[Record]) -> Option<String> {
    // Grouped by owner first: one pass over the answer, however many CNAMEs a hostile server
    // puts beside it (comparing each CNAME with every record cost seconds for a thousand).
    let owners: Vec<String> = records.iter().map(|r| canon(&r.name)).collect();
    let mut by_owner: HashMap<&str, Vec<&Record>> = HashMap::new();
    for (owner, r) in owners.iter().zip(records) {
        by_owner.entry(owner).or_default().push(r);
    }
    // In answer order, each owner once: the first broken owner is the one reported.
    for owner in &owners {
        let Some(group) = by_owner.remove(owner.as_str()) else {
            continue;
        };
        let Some(c) = group.iter().find(|r| r.record_type() == RecordType::CNAME) else {
            continue;
        };
        let Some(beside) = group.iter().find(|r| {
            !matches!(
                r.record_type(),
                RecordType::RRSIG | RecordType::NSEC | RecordType::NSEC3
            ) && (r.record_type() != RecordType::CNAME || r.data != c.data)
        }) else {
            continue;
        };
        return Some(if beside.record_type() == RecordType::CNAME {
            format!(
                "server answered with two CNAMEs for {owner} (to different targets); a name has one CNAME at most (RFC 2181 section 10.1): a broken answer"
            )
        } else {
            format!(
                "server answered with a CNAME for {owner} together with a {} record for {owner}; a name with a CNAME has no other data (RFC 1034 section 3.6.2, RFC 2181 section 10.1): a broken answer",
                beside.record_type()
            )
        });
    }
    None
}

/// Walks the CNAMEs in `records` from `current`, appending targets to the chain.
/// Ok(true) when the walk moved; Err on a loop or an overlong chain.
fn follow(
    answer: &mut Answer,
    records: &[Record],
    current: &mut String,
    rtype: RType,
    min_ttl: &mut Option<u32>,
) -> Result<bool, String> {
    if rtype == RType::CNAME {
        return Ok(false);
    }
    let mut moved = false;
    for _ in 0..records.len() {
        let cname = records.iter().find_map(|r| match &r.data {
            RData::CNAME(c) if canon(&r.name) == *current => Some((canon(&c.0), wire_ttl(r.ttl))),
            _ => None,
        });
        let synthesised = dname::redirect(records, current).map(|(n, t)| (n, wire_ttl(t)));
        // A CNAME sent with a DNAME is the DNAME's substitution (RFC 6672 section 3.1); one
        // that names another target is dropped and the DNAME followed, as resolvers scrub it
        // (section 3.4), so the checks read what receivers read.
        let (next, by_dname) = match (cname, synthesised) {
            (Some(c), Some(d)) if c.0 != d.0 => (Some(d), true),
            (None, Some(d)) => (Some(d), true),
            (c, d) => (c.or(d), false),
        };
        let Some((target, ttl)) = next else { break };
        // RFC 6672 section 2.2: a substitution past 255 octets is YXDOMAIN, not a name to ask.
        if by_dname && wire_name(&target).is_err() {
            return Err(format!(
                "the DNAME above {current} rewrites it into a name longer than 255 octets ({} characters), which RFC 6672 section 2.2 answers with YXDOMAIN: no name to ask, and no answer",
                target.len()
            ));
        }
        // The root name is written "." in the chain: it is shown to the user and in the
        // evidence, where an empty name reads as a missing one (`a CNAME to , which`).
        let link = if target.is_empty() {
            ".".to_string()
        } else {
            target.clone()
        };
        if answer.cname_chain.contains(&link) || target == answer.name {
            answer.cname_chain.push(link);
            return Err(format!(
                "CNAME loop: {} -> {}",
                answer.name,
                answer.cname_chain.join(" -> ")
            ));
        }
        if answer.cname_chain.len() >= MAX_CNAME_HOPS {
            return Err(format!("CNAME chain longer than {MAX_CNAME_HOPS} hops"));
        }
        *min_ttl = Some(min_ttl.map_or(ttl, |m| m.min(ttl)));
        answer.cname_chain.push(link);
        *current = target;
        moved = true;
    }
    Ok(moved)
}

pub fn empty_answer(name: &str, rtype: RType) -> Answer {
    Answer {
        id: 0,
        name: name.to_string(),
        rtype,
        outcome: Outcome::Answer,
        records: Vec::new(),
        cname_chain: Vec::new(),
        ttl: None,
        location: None,
    }
}

fn classify_records(
    answer: &mut Answer,
    records: &[Record],
    current: &str,
    rtype: RType,
    nx: bool,
    mut min_ttl: Option<u32>,
) {
    answer.records.clear();
    let wanted = record_type(rtype);
    let mut txt_bytes = 0usize;
    for r in records
        .iter()
        .filter(|r| r.record_type() == wanted && canon(&r.name) == current)
    {
        if let Some(rd) = convert(&r.data) {
            // RFC 2181 section 5: an RRset holds no two equal records; a server that repeats
            // one has sent the record once (not two SPF or DMARC records).
            if answer.records.contains(&rd) {
                continue;
            }
            if let Rdata::TXT(parts) = &rd {
                txt_bytes += parts.iter().map(Vec::len).sum::<usize>();
            }
            let ttl = wire_ttl(r.ttl);
            min_ttl = Some(min_ttl.map_or(ttl, |m| m.min(ttl)));
            answer.records.push(rd);
        }
    }
    if txt_bytes > MAX_TXT_BYTES {
        answer.records.clear();
        answer.outcome = Outcome::Error(format!(
            "TXT answer of {txt_bytes} bytes exceeds the {MAX_TXT_BYTES}-byte limit; ignored"
        ));
        answer.ttl = None;
        return;
    }
    answer.ttl = min_ttl;
    // Records of another type at the name we ended on: the server answered a different
    // question. That is a broken answer, not proof that the type is absent.
    let stray = records.iter().find(|r| {
        r.record_type() != wanted
            && r.record_type() != RecordType::CNAME
            && canon(&r.name) == current
    });
    if answer.records.is_empty()
        && let Some(stray) = stray
    {
        answer.ttl = None;
        answer.outcome = Outcome::Error(stray_text(rtype, stray));
        return;
    }
    // NXDOMAIN says the name we ended on does not exist; records of the asked type at that very
    // name say it does. Such an answer is broken, and neither half can be believed.
    if nx && !answer.records.is_empty() {
        let n = answer.records.len();
        answer.records.clear();
        answer.ttl = None;
        answer.outcome = Outcome::Error(format!(
            "server answered NXDOMAIN together with {n} {} record(s) for {current}: a contradictory answer",
            rtype.as_str()
        ));
        return;
    }
    // Records only for names the question did not lead to (neither the name asked nor a CNAME
    // target): an answer to another question, spoofed or broken, not proof of absence.
    let names: Vec<&str> = std::iter::once(answer.name.as_str())
        .chain(answer.cname_chain.iter().map(String::as_str))
        .collect();
    let elsewhere = records.iter().find(|r| {
        !matches!(r.record_type(), RecordType::CNAME | RecordType::RRSIG)
            && !dname::applies(r, &names)
            && {
                let owner = canon(&r.name);
                owner != current && owner != answer.name && !answer.cname_chain.contains(&owner)
            }
    });
    if answer.records.is_empty()
        && let Some(other) = elsewhere
    {
        answer.ttl = None;
        answer.outcome = Outcome::Error(format!(
            "server answered with a {} record for {}, not for {current}",
            other.record_type(),
            canon(&other.name)
        ));
        return;
    }
    answer.outcome = if !answer.records.is_empty() {
        Outcome::Answer
    } else if nx {
        Outcome::NxDomain
    } else {
        // Only CNAMEs (or records of other types): the name exists without this type.
        Outcome::NoData
    };
}

/// What a record of another type than the one asked, at the name asked, tells the user. An
/// RFC 8482 minimal answer (HINFO "RFC8482") is named: a server sends it for ANY questions
/// only (section 4.2), so it is no answer to this question, and the name says why it came.
fn stray_text(rtype: RType, stray: &Record) -> String {
    let asked = rtype.as_str();
    match &stray.data {
        RData::HINFO(h) if h.cpu.eq_ignore_ascii_case(b"RFC8482") => format!(
            "server answered a {asked} question with the HINFO \"RFC8482\" record that RFC 8482 section 4.2 allows only as a minimal answer to ANY questions: no answer to this one"
        ),
        _ => format!(
            "server answered a {asked} question with a {} record",
            stray.record_type()
        ),
    }
}

fn classify_error(answer: &mut Answer, e: NetError) {
    answer.outcome = match e {
        NetError::Dns(DnsError::NoRecordsFound(nr)) => {
            answer.ttl = nr
                .soa
                .as_ref()
                .map(|s| wire_ttl(s.data.minimum).min(wire_ttl(s.ttl)))
                .or(nr.negative_ttl.map(wire_ttl));
            if nr.response_code == ResponseCode::NXDomain {
                Outcome::NxDomain
            } else {
                Outcome::NoData
            }
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => Outcome::ServFail(None),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => Outcome::Refused(None),
        NetError::Msg(m) if m.starts_with(super::wire::SERVFAIL_WHY) => {
            Outcome::ServFail(Some(m[super::wire::SERVFAIL_WHY.len()..].to_string()))
        }
        NetError::Msg(m) if m.starts_with(super::wire::REFUSED_WHY) => {
            Outcome::Refused(Some(m[super::wire::REFUSED_WHY.len()..].to_string()))
        }
        // RCODE 16 is BADSIG only in a TSIG record (RFC 8945), and we sign nothing: with OPT
        // it is BADVERS (RFC 6891 section 9), and hickory's "TSIG Failure" would mislead.
        NetError::Dns(DnsError::ResponseCode(code)) if u16::from(code) == 16 => Outcome::Error(
            "server answered BADVERS (RCODE 16): it refused our EDNS version 0, which every EDNS server implements (RFC 6891 sections 6.1.3, 9)".into(),
        ),
        // hickory's "Form Error" does not say whose form: it is our question the server could
        // not read, asked again without EDNS when it sent no OPT (wire.rs), so not the name's.
        NetError::Dns(DnsError::ResponseCode(ResponseCode::FormErr)) => Outcome::Error(
            "server answered FORMERR: it could not read our question (RFC 1035 section 4.1.1), with EDNS nor, when it showed no EDNS support, without it (RFC 6891 section 7); that says nothing about the name".into(),
        ),
        // hickory's words for code 4 ("Not Implemented") hide which question was not served.
        NetError::Dns(DnsError::ResponseCode(ResponseCode::NotImp)) => Outcome::Error(format!(
            "server answered NOTIMP: it does not implement {} questions (RFC 1035 section 4.1.1), which says nothing about the name",
            answer.rtype.as_str()
        )),
        NetError::Dns(DnsError::ResponseCode(code)) => {
            Outcome::Error(format!("server answered {code}"))
        }
        NetError::Timeout => Outcome::Timeout,
        other => Outcome::Error(other.to_string()),
    };
}

/// hickory record data -> our `Rdata`; `None` for types we never ask for.
pub fn convert(data: &RData) -> Option<Rdata> {
    Some(match data {
        RData::A(a) => Rdata::A(a.0),
        RData::AAAA(a) => Rdata::AAAA(a.0),
        RData::MX(mx) => Rdata::MX {
            preference: mx.preference,
            exchange: canon(&mx.exchange),
        },
        RData::TXT(txt) => Rdata::TXT(txt.txt_data.iter().map(|s| s.to_vec()).collect()),
        // Type 99 has TXT's RDATA format (RFC 4408 section 3.1.1): character-strings.
        RData::Unknown { code, rdata } if u16::from(*code) == SPF_TYPE => {
            Rdata::TXT(character_strings(&rdata.anything)?)
        }
        RData::PTR(p) => Rdata::PTR(canon(&p.0)),
        RData::CNAME(c) => Rdata::CNAME(canon(&c.0)),
        RData::NS(ns) => Rdata::Other(format!("{}.", canon(&ns.0))),
        RData::SOA(soa) => Rdata::Other(format!(
            "{}. {}. {} {} {} {} {}",
            canon(&soa.mname),
            canon(&soa.rname),
            soa.serial,
            soa.refresh,
            soa.retry,
            soa.expire,
            soa.minimum
        )),
        _ => return None,
    })
}

/// RDATA as a sequence of <character-string>s (RFC 1035 section 3.3), or `None` when a length
/// runs past the end.
pub(super) fn character_strings(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = bytes.split_first() {
        let len = usize::from(len);
        if rest.len() < len {
            return None;
        }
        out.push(rest[..len].to_vec());
        bytes = &rest[len..];
    }
    Some(out)
}
