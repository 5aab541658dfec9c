//! The test server's zones, indexed for lookup: records by owner, the names that exist
//! (empty non-terminals included), each zone's SOA, wildcard synthesis (RFC 4592), and the
//! authoritative answer they give a question.

use super::resolve::{self, wire_name};
use super::types::RType;
use super::zone::{Zone, ZoneData};
use crate::domain_name::within as in_zone;
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, MX, NS, NULL, PTR, SOA, TXT};
use hickory_server::proto::rr::{Name, RData, Record, RecordType};
use std::collections::{HashMap, HashSet};
use std::io;

/// The zones' records, indexed for lookup.
pub(super) struct Store {
    pub(super) records: HashMap<String, Vec<Record>>,
    /// Every owner name and each of its ancestors inside its zone (empty non-terminals exist).
    pub(super) existing: HashSet<String>,
    /// Apex -> SOA record (for negative answers).
    pub(super) apexes: HashMap<String, Option<Record>>,
    /// Strict ancestors of every apex ("com" for "example.com"): they exist outside the zones.
    pub(super) apex_ancestors: HashSet<String>,
}

/// What to send back.
pub(super) enum Reply {
    Drop,
    Code(ResponseCode),
    /// SERVFAIL saying why in an Extended DNS Error (RFC 8914): a forwarded question the
    /// upstream did not answer usably, with its trouble in words.
    Failed(u16, String),
    Records {
        code: ResponseCode,
        authoritative: bool,
        answers: Vec<Record>,
        authorities: Vec<Record>,
        truncate: bool,
    },
}

pub(super) fn to_name(s: &str) -> io::Result<Name> {
    wire_name(s)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("bad name {s:?}: {e}")))
}

fn to_rdata(data: &ZoneData) -> io::Result<RData> {
    Ok(match data {
        ZoneData::A(a) => RData::A(A(*a)),
        ZoneData::AAAA(a) => RData::AAAA(AAAA(*a)),
        ZoneData::MX(pref, exchange) => RData::MX(MX::new(*pref, to_name(exchange)?)),
        ZoneData::TXT(parts) => {
            RData::TXT(TXT::from_bytes(parts.iter().map(Vec::as_slice).collect()))
        }
        ZoneData::SPF(parts) => RData::Unknown {
            code: RecordType::Unknown(99),
            rdata: NULL::with(super::zone_spf::wire_strings(parts)),
        },
        ZoneData::PTR(n) => RData::PTR(PTR(to_name(n)?)),
        ZoneData::CNAME(n) => RData::CNAME(CNAME(to_name(n)?)),
        ZoneData::NS(n) => RData::NS(NS(to_name(n)?)),
        ZoneData::SOA {
            mname,
            rname,
            serial,
            refresh,
            retry,
            expire,
            minimum,
        } => RData::SOA(SOA::new(
            to_name(mname)?,
            to_name(rname)?,
            *serial,
            i32::try_from(*refresh).unwrap_or(i32::MAX),
            i32::try_from(*retry).unwrap_or(i32::MAX),
            i32::try_from(*expire).unwrap_or(i32::MAX),
            *minimum,
        )),
    })
}

impl Store {
    pub(super) fn new(zones: &[Zone]) -> io::Result<Store> {
        let mut records: HashMap<String, Vec<Record>> = HashMap::new();
        let mut existing = HashSet::new();
        let mut apexes: HashMap<String, Option<Record>> = HashMap::new();
        let mut apex_ancestors = HashSet::new();
        for zone in zones {
            apexes.entry(zone.apex.clone()).or_insert(None);
            let mut parent = zone.apex.as_str();
            while let Some((_, p)) = parent.split_once('.') {
                apex_ancestors.insert(p.to_string());
                parent = p;
            }
            if !zone.apex.is_empty() {
                apex_ancestors.insert(String::new());
            }
            existing.insert(zone.apex.clone());
            for rec in &zone.records {
                let record = Record::from_rdata(to_name(&rec.name)?, rec.ttl, to_rdata(&rec.data)?);
                if rec.data.rtype() == RType::SOA
                    && let Some(slot) = apexes.get_mut(&rec.name)
                {
                    slot.get_or_insert_with(|| record.clone());
                }
                let mut name = rec.name.as_str();
                while in_zone(name, &zone.apex) && existing.insert(name.to_string()) {
                    match name.split_once('.') {
                        Some((_, parent)) => name = parent,
                        None => break,
                    }
                }
                records.entry(rec.name.clone()).or_default().push(record);
            }
        }
        Ok(Store {
            records,
            existing,
            apexes,
            apex_ancestors,
        })
    }

    /// The records a wildcard gives `name`, which has none of its own (RFC 4592 section 4.1:
    /// `*.<closest encloser>`), owned by `name`.
    pub(super) fn wildcard(&self, name: &str) -> Option<Vec<Record>> {
        let mut encloser = name;
        while !self.existing.contains(encloser) {
            encloser = encloser.split_once('.')?.1;
        }
        let owner = to_name(name).ok()?;
        let found = self.records.get(&format!("*.{encloser}"))?;
        let synthesise = |r: &Record| {
            let mut r = r.clone();
            r.name = owner.clone();
            r
        };
        Some(found.iter().map(synthesise).collect())
    }

    /// The closest enclosing zone: (apex, its SOA). O(labels), however many zones are served.
    pub(super) fn zone_of(&self, name: &str) -> Option<(&String, &Option<Record>)> {
        let mut suffix = name;
        loop {
            if let Some(found) = self.apexes.get_key_value(suffix) {
                return Some(found);
            }
            match suffix.split_once('.') {
                Some((_, parent)) => suffix = parent,
                None if !suffix.is_empty() => suffix = "",
                None => return None,
            }
        }
    }

    /// The NS record of the zone holding `name`, owned by its apex ([`FaultKind::NsOnlyNegative`]).
    pub(super) fn apex_ns(&self, name: &str) -> Vec<Record> {
        let Some((apex, _)) = self.zone_of(name) else {
            return Vec::new();
        };
        let (Ok(owner), Ok(host)) = (to_name(apex), to_name(&format!("ns1.{apex}"))) else {
            return Vec::new();
        };
        vec![Record::from_rdata(owner, 300, RData::NS(NS(host)))]
    }

    /// Answers from the zones, chasing CNAMEs that stay inside them (as NSD does).
    pub(super) fn authoritative(&self, name: &str, rtype: RecordType) -> Reply {
        let mut answers = Vec::new();
        let mut current = name.to_string();
        let mut seen = HashSet::new();
        let mut code = ResponseCode::NoError;
        let mut soa = None;
        // Bounded: a CNAME loop or a long chain ends the walk.
        for _ in 0..16 {
            if !seen.insert(current.clone()) {
                break;
            }
            let Some((_, zone_soa)) = self.zone_of(&current) else {
                break; // The chain left our zones: the client asks again for the target.
            };
            soa = zone_soa.clone();
            let synthesised;
            let here = match self.records.get(&current) {
                Some(rs) => Some(rs),
                None => {
                    synthesised = self.wildcard(&current);
                    synthesised.as_ref()
                }
            };
            let matching: Vec<Record> = here
                .map(|rs| {
                    rs.iter()
                        .filter(|r| r.record_type() == rtype)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            if !matching.is_empty() {
                answers.extend(matching);
                soa = None;
                break;
            }
            let cname = here.and_then(|rs| {
                rs.iter()
                    .find(|r| r.record_type() == RecordType::CNAME)
                    .cloned()
            });
            match cname {
                Some(record) if rtype != RecordType::CNAME => {
                    let RData::CNAME(target) = &record.data else {
                        break;
                    };
                    current = resolve::canon(&target.0);
                    answers.push(record);
                    soa = None;
                }
                _ => {
                    if here.is_none() && !self.existing.contains(&current) {
                        code = ResponseCode::NXDomain;
                    }
                    break;
                }
            }
        }
        Reply::Records {
            code,
            authoritative: true,
            answers,
            authorities: soa.into_iter().collect(),
            truncate: false,
        }
    }
}
