//! The misbehaving replies the test server's (`server.rs`) faults (`fault.rs`) stand for, built
//! from the zones' own answer (`store.rs`) where a fault bends a true one.

use super::fault::{FaultKind, cname_to_wrong_type, dname_for, referral_to, stray_cname};
use super::store::{Reply, Store, to_name};
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::rdata::{A, TXT};
use hickory_server::proto::rr::{DNSClass, RData, Record, RecordType};

/// The reply `fault` stands for, or `None` when the question is answered as usual (no fault,
/// or one that bends the message rather than the records; `Slow` waits here first).
pub(super) async fn fault_reply(
    store: &Store,
    name: &str,
    rtype: RecordType,
    udp: bool,
    fault: Option<FaultKind>,
) -> Option<Reply> {
    match fault {
        Some(FaultKind::Timeout) => return Some(Reply::Drop),
        Some(FaultKind::ServFail | FaultKind::ServFailEde(..)) => {
            return Some(Reply::Code(ResponseCode::ServFail));
        }
        Some(FaultKind::Referral) => {
            return Some(Reply::Records {
                code: ResponseCode::NoError,
                authoritative: false,
                answers: Vec::new(),
                authorities: referral_to(name),
                truncate: false,
            });
        }
        Some(FaultKind::NsOnlyNegative) => {
            let mut reply = store.authoritative(name, rtype);
            if let Reply::Records { authorities, .. } = &mut reply
                && !authorities.is_empty()
            {
                *authorities = store.apex_ns(name);
            }
            return Some(reply);
        }
        Some(FaultKind::Refused) => return Some(Reply::Code(ResponseCode::Refused)),
        Some(FaultKind::NxDomain) => {
            return Some(Reply::Records {
                code: ResponseCode::NXDomain,
                authoritative: true,
                answers: Vec::new(),
                authorities: store
                    .zone_of(name)
                    .and_then(|(_, soa)| soa.clone())
                    .into_iter()
                    .collect(),
                truncate: false,
            });
        }
        Some(FaultKind::Truncate | FaultKind::WrongQuestion(_)) if udp => {
            return Some(Reply::Records {
                code: ResponseCode::NoError,
                authoritative: true,
                answers: Vec::new(),
                authorities: Vec::new(),
                truncate: true,
            });
        }
        Some(FaultKind::Slow(by)) => tokio::time::sleep(by).await,
        Some(FaultKind::Lame) => {
            return Some(Reply::Records {
                code: ResponseCode::NoError,
                authoritative: false,
                answers: Vec::new(),
                authorities: Vec::new(),
                truncate: false,
            });
        }
        Some(FaultKind::WrongClass) => {
            let mut reply = store.authoritative(name, rtype);
            if let Reply::Records { answers, .. } = &mut reply {
                for r in answers.iter_mut() {
                    r.dns_class = DNSClass::CH;
                }
            }
            return Some(reply);
        }
        Some(FaultKind::CnameToWrongType) => {
            return Some(Reply::Records {
                code: ResponseCode::NoError,
                authoritative: true,
                answers: cname_to_wrong_type(name, rtype),
                authorities: Vec::new(),
                truncate: false,
            });
        }
        Some(FaultKind::TruncateForever) => {
            return Some(if udp {
                Reply::Records {
                    code: ResponseCode::NoError,
                    authoritative: true,
                    answers: Vec::new(),
                    authorities: Vec::new(),
                    truncate: true,
                }
            } else {
                Reply::Drop
            });
        }
        Some(FaultKind::DnameOnly) => {
            return Some(Reply::Records {
                code: ResponseCode::NoError,
                authoritative: true,
                answers: dname_for(name).into_iter().collect(),
                authorities: Vec::new(),
                truncate: false,
            });
        }
        Some(FaultKind::Ttl(ttl)) => {
            let mut reply = store.authoritative(name, rtype);
            if let Reply::Records {
                answers,
                authorities,
                ..
            } = &mut reply
            {
                for r in answers.iter_mut().chain(authorities.iter_mut()) {
                    r.ttl = ttl;
                    if let RData::SOA(soa) = &mut r.data {
                        soa.minimum = ttl;
                    }
                }
            }
            return Some(reply);
        }
        Some(kind @ (FaultKind::OtherName | FaultKind::NxDomainWithRecords)) => {
            let mut reply = store.authoritative(name, rtype);
            if let Reply::Records { code, answers, .. } = &mut reply {
                if kind == FaultKind::OtherName {
                    if let Ok(other) = to_name("other.invalid") {
                        for r in answers.iter_mut() {
                            r.name = other.clone();
                        }
                    }
                } else {
                    *code = ResponseCode::NXDomain;
                }
            }
            return Some(reply);
        }
        Some(FaultKind::WrongType) => {
            let data = if rtype == RecordType::A {
                RData::TXT(TXT::new(vec!["wrong type".to_string()]))
            } else {
                RData::A(A::new(192, 0, 2, 1))
            };
            let answers = match to_name(name) {
                Ok(n) => vec![Record::from_rdata(n, 300, data)],
                Err(_) => Vec::new(),
            };
            return Some(Reply::Records {
                code: ResponseCode::NoError,
                authoritative: true,
                answers,
                authorities: Vec::new(),
                truncate: false,
            });
        }
        Some(kind @ (FaultKind::CnameBeside | FaultKind::Duplicated)) => {
            let mut reply = store.authoritative(name, rtype);
            if let Reply::Records { answers, .. } = &mut reply {
                if kind == FaultKind::CnameBeside {
                    answers.extend(stray_cname(name));
                } else {
                    let again = answers.clone();
                    answers.extend(again);
                }
            }
            return Some(reply);
        }
        _ => {}
    }
    None
}
