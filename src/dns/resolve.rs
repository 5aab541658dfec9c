//! Building hickory resolvers and turning their results into `Answer`s with distinct outcomes.

use super::{Answer, DnsSetupError, Outcome, RType, Rdata};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
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
    let name_servers = servers
        .iter()
        .map(|addr| {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
        })
        .collect();
    let config = ResolverConfig::from_name_servers(name_servers);
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 1;
    // Our cache (cache.rs) is the only one: evidence must show what the server said.
    opts.cache_size = 0;
    opts.use_hosts_file = ResolveHosts::Never;
    opts.ndots = 0;
    opts.preserve_intermediates = true;
    opts.num_concurrent_reqs = 1;
    // Many concurrent questions to one server are normal here (SPF include trees).
    opts.max_active_requests = 1024;
    TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(opts)
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
    }
}

/// Canonical form of a name we hand out: lower-case, no trailing dot.
pub fn canon(name: &Name) -> String {
    let s = name.to_ascii().to_ascii_lowercase();
    s.trim_end_matches('.').to_string()
}

/// Asks once (plus `retries` on timeout) and classifies the result.
pub async fn lookup(resolver: &TokioResolver, name: &str, rtype: RType, retries: usize) -> Answer {
    let mut answer = empty_answer(name, rtype);
    let fqdn = match Name::from_ascii(format!("{name}.")) {
        Ok(n) => n,
        Err(e) => {
            answer.outcome = Outcome::Error(format!("invalid domain name {name:?}: {e}"));
            return answer;
        }
    };
    let mut attempt = 0;
    let result = loop {
        let result = resolver.lookup(fqdn.clone(), record_type(rtype)).await;
        let retryable = matches!(
            &result,
            Err(NetError::Timeout | NetError::NoConnections | NetError::Io(_))
        );
        if retryable && attempt < retries {
            attempt += 1;
            continue;
        }
        break result;
    };
    match result {
        Ok(lookup) => {
            let nx = lookup.message().metadata.response_code == ResponseCode::NXDomain;
            classify_records(&mut answer, lookup.answers(), rtype, nx);
        }
        Err(e) => classify_error(&mut answer, e),
    }
    answer
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

fn classify_records(answer: &mut Answer, records: &[Record], rtype: RType, nx: bool) {
    // Follow the CNAME chain from the asked name, in order, bounded by the record count so a
    // loop in the answer cannot spin.
    let mut current = answer.name.clone();
    let mut min_ttl: Option<u32> = None;
    for _ in 0..records.len() {
        let next = records.iter().find_map(|r| match &r.data {
            RData::CNAME(c) if rtype != RType::CNAME && canon(&r.name) == current => {
                Some((canon(&c.0), r.ttl))
            }
            _ => None,
        });
        let Some((target, ttl)) = next else { break };
        if answer.cname_chain.contains(&target) || target == answer.name {
            break;
        }
        min_ttl = Some(min_ttl.map_or(ttl, |m| m.min(ttl)));
        answer.cname_chain.push(target.clone());
        current = target;
    }
    let wanted = record_type(rtype);
    let mut txt_bytes = 0usize;
    for r in records.iter().filter(|r| r.record_type() == wanted) {
        if let Some(rd) = convert(&r.data) {
            if let Rdata::TXT(parts) = &rd {
                txt_bytes += parts.iter().map(Vec::len).sum::<usize>();
            }
            min_ttl = Some(min_ttl.map_or(r.ttl, |m| m.min(r.ttl)));
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
        answer.outcome = Outcome::Error(format!(
            "server answered a {} question with a {} record",
            rtype.as_str(),
            stray.record_type()
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

fn classify_error(answer: &mut Answer, e: NetError) {
    answer.outcome = match e {
        NetError::Dns(DnsError::NoRecordsFound(nr)) => {
            answer.ttl = nr
                .negative_ttl
                .or_else(|| nr.soa.as_ref().map(|s| s.data.minimum.min(s.ttl)));
            if nr.response_code == ResponseCode::NXDomain {
                Outcome::NxDomain
            } else {
                Outcome::NoData
            }
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => Outcome::ServFail,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => Outcome::Refused,
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
