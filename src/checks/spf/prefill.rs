//! mail-auth's resolver caches, filled from the answers our walk got through our `Dns`, so its
//! check_host() asks the DNS nothing itself.

use super::identity::expand_macro;
use super::targets::{Resolved, TargetKind};
use super::tree::{Node, Walk};
use crate::dns::{Answer, Dns, Outcome, RType, Rdata, reverse_name};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::spf::{Macro, Mechanism, Spf};
use mail_auth::{DnsError, DnssecStatus, Error, MX, Parameters, RecordSet, ResolverCache, Txt};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A map mail-auth reads (and adds its own lookups to) during one evaluation.
pub struct Map<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map(Mutex::new(HashMap::new()))
    }
}

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for Map<K, V> {
    fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.0.lock() {
            Ok(m) => m.get(key).cloned(),
            Err(p) => p.into_inner().get(key).cloned(),
        }
    }
    fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.0.lock() {
            Ok(mut m) => m.remove(key),
            Err(p) => p.into_inner().remove(key),
        }
    }
    fn insert(&self, key: K, value: V, _valid_until: Instant) {
        match self.0.lock() {
            Ok(mut m) => m.insert(key, value),
            Err(p) => p.into_inner().insert(key, value),
        };
    }
}

#[derive(Default)]
pub struct Caches {
    txt: Map<Box<str>, Txt>,
    mx: Map<Box<str>, RecordSet<MX>>,
    v4: Map<Box<str>, RecordSet<Ipv4Addr>>,
    v6: Map<Box<str>, RecordSet<Ipv6Addr>>,
    ptr: Map<IpAddr, RecordSet<Box<str>>>,
}

/// mail-auth's key form: lower case with the trailing dot.
fn key(name: &str) -> Box<str> {
    format!("{}.", name.trim_end_matches('.').to_ascii_lowercase()).into_boxed_str()
}

fn far() -> Instant {
    Instant::now() + Duration::from_secs(3600)
}

fn not_found(a: &Answer) -> Error {
    let code = if a.outcome == Outcome::NxDomain {
        ResponseCode::NXDomain
    } else {
        ResponseCode::NoError
    };
    Error::Dns(DnsError::RecordNotFound(code))
}

fn set<T>(items: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(items.into_boxed_slice()),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

/// mail-auth's parameters with every cache of [`Caches`] attached.
pub type Filled<'a, P> = Parameters<
    'a,
    P,
    Map<Box<str>, Txt>,
    Map<Box<str>, RecordSet<MX>>,
    Map<Box<str>, RecordSet<Ipv4Addr>>,
    Map<Box<str>, RecordSet<Ipv6Addr>>,
    Map<IpAddr, RecordSet<Box<str>>>,
>;

impl Caches {
    pub fn parameters<P>(&self, params: P) -> Filled<'_, P> {
        Parameters::new(params)
            .with_txt_cache(&self.txt)
            .with_mx_cache(&self.mx)
            .with_ipv4_cache(&self.v4)
            .with_ipv6_cache(&self.v6)
            .with_ptr_cache(&self.ptr)
    }

    /// Every answer of the walked tree: TXT of each record (a failed lookup as an error, which
    /// mail-auth turns into temperror), and each term's lookups.
    pub fn fill(&self, dns: &Dns, walk: &Walk) {
        let Some(ip) = walk.ip else { return };
        for node in &walk.nodes {
            for r in node.targets.values() {
                self.add_target(dns, ip, r);
            }
            if let Some(a) = &node.answer {
                self.add_txt(walk, node, a);
            } else if node.malformed {
                let nx = Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain));
                self.txt.insert(key(&node.domain), Txt::Error(nx), far());
            }
        }
    }

    fn add_txt(&self, walk: &Walk, node: &Node, a: &Answer) {
        let value = if a.outcome.is_trouble() {
            Txt::Error(Error::Dns(DnsError::Resolver(
                a.outcome.label().to_string(),
            )))
        } else if a.outcome.is_absent() || a.records.is_empty() {
            Txt::Error(not_found(a))
        } else {
            // As mail-auth does: the first record that parses, else the last error.
            let mut result = Err(Error::Dns(DnsError::InvalidRecordType));
            for rd in &a.records {
                if let Rdata::TXT(parts) = rd {
                    result = Spf::parse(&parts.concat());
                    if result.is_ok() {
                        break;
                    }
                }
            }
            if let Ok(spf) = &mut result {
                self.adapt(walk, node, spf);
            }
            result.into()
        };
        self.txt.insert(key(&node.domain), value, far());
    }

    /// Changes that keep mail-auth off the DNS without changing the result:
    /// - every domain-spec with macros is handed over already expanded, as our walk expanded
    ///   it (mail-auth's `%{p}` is the first PTR name, unvalidated and with its trailing dot,
    ///   where RFC 7208 section 7.3 asks for a validated name), so it asks for the names we
    ///   asked for;
    /// - mail-auth's `exists` takes any cache entry as "the name exists" and otherwise asks the
    ///   DNS (A, then AAAA); a target whose A lookup was void becomes an address term on a name
    ///   with no addresses, which costs the same lookup and matches nothing (RFC 7208 section
    ///   5.7 asks A only);
    /// - `exp=` only words the explanation of a fail, which we never show (section 6.2).
    fn adapt(&self, walk: &Walk, node: &Node, spf: &mut Spf) {
        spf.exp = None;
        let Some(id) = walk.identity.as_ref() else {
            return;
        };
        let p = walk.validated_for(&node.domain);
        let vars = id.variables(&node.domain, p.as_deref());
        let expand = |m: &mut Macro| {
            if matches!(m, Macro::Variable { .. } | Macro::List(_)) {
                let name = expand_macro(m, &vars, &node.domain);
                *m = Macro::Literal(name.into_bytes().into_boxed_slice());
            }
        };
        if let Some(r) = spf.redirect.as_mut() {
            expand(r);
        }
        let void: Vec<&str> = node
            .targets
            .values()
            .filter(|r| r.void)
            .filter_map(|r| match &r.kind {
                Some(TargetKind::Exists(n)) => Some(n.as_str()),
                _ => None,
            })
            .collect();
        for dir in spf.directives.iter_mut() {
            match &mut dir.mechanism {
                Mechanism::Include { macro_string }
                | Mechanism::A { macro_string, .. }
                | Mechanism::Mx { macro_string, .. }
                | Mechanism::Ptr { macro_string }
                | Mechanism::Exists { macro_string } => expand(macro_string),
                _ => {}
            }
            let Mechanism::Exists { macro_string } = &dir.mechanism else {
                continue;
            };
            let name = expand_macro(macro_string, &vars, &node.domain);
            if void.contains(&name.as_str()) {
                self.v4.insert(key(&name), set(Vec::new()), far());
                self.v6.insert(key(&name), set(Vec::new()), far());
                dir.mechanism = Mechanism::A {
                    macro_string: Macro::Literal(name.into_bytes().into_boxed_slice()),
                    ip4_mask: u32::MAX,
                    ip6_mask: u128::MAX,
                };
            }
        }
    }

    fn add_target(&self, dns: &Dns, ip: IpAddr, r: &Resolved) {
        match &r.kind {
            Some(TargetKind::A(_)) if !r.trouble => {
                for h in &r.hosts {
                    self.add_addresses(ip, &h.name, &h.addresses);
                }
            }
            Some(TargetKind::Mx(name)) if !r.trouble => {
                self.add_mx(dns, name);
                for h in r.hosts.iter().filter(|h| !h.trouble) {
                    self.add_addresses(ip, &h.name, &h.addresses);
                }
            }
            Some(TargetKind::Exists(name)) if !r.trouble && !r.void => {
                let v4 = r
                    .addresses()
                    .filter_map(|a| match a {
                        IpAddr::V4(v4) => Some(*v4),
                        IpAddr::V6(_) => None,
                    })
                    .collect();
                self.v4.insert(key(name), set(v4), far());
            }
            Some(TargetKind::Ptr(_)) => {
                if let Some(rev) = dns.cached(&reverse_name(ip), RType::PTR) {
                    self.add_ptr(ip, &rev);
                }
                // mail-auth skips a PTR name whose lookup fails, as RFC 7208 section 5.5 says:
                // no addresses gives the same.
                for h in &r.hosts {
                    self.add_addresses(ip, &h.name, &h.addresses);
                }
            }
            _ => {}
        }
    }

    /// The PTR names as mail-auth keeps them (lower case, trailing dot); a failed or empty
    /// lookup is an empty set, which mail-auth treats as it treats the error: no names.
    fn add_ptr(&self, ip: IpAddr, rev: &Answer) {
        let names: Vec<Box<str>> = super::targets::ptr_names(rev)
            .into_iter()
            .map(|n| format!("{n}.").into_boxed_str())
            .collect();
        self.ptr.insert(ip, set(names), far());
    }

    fn add_mx(&self, dns: &Dns, name: &str) {
        let Some(a) = dns.cached(name, RType::MX) else {
            // Not asked: a name no query can be made for, which does not exist.
            self.mx.insert(key(name), set(Vec::new()), far());
            return;
        };
        if a.outcome.is_trouble() {
            return;
        }
        let mut groups: Vec<(u16, Vec<Box<str>>)> = Vec::new();
        for rd in &a.records {
            if let Rdata::MX {
                preference,
                exchange,
            } = rd
            {
                let exchange = key(exchange);
                match groups.iter_mut().find(|g| g.0 == *preference) {
                    Some(g) => g.1.push(exchange),
                    None => groups.push((*preference, vec![exchange])),
                }
            }
        }
        groups.sort_by_key(|g| g.0);
        let mx = groups
            .into_iter()
            .map(|(preference, exchanges)| MX {
                preference,
                exchanges: exchanges.into_boxed_slice(),
            })
            .collect();
        self.mx.insert(key(name), set(mx), far());
    }

    /// The addresses of `name` in the family check_host() asks for `ip`.
    fn add_addresses(&self, ip: IpAddr, name: &str, addresses: &[IpAddr]) {
        match ip {
            IpAddr::V4(_) => {
                let v4 = addresses
                    .iter()
                    .filter_map(|a| match a {
                        IpAddr::V4(v4) => Some(*v4),
                        IpAddr::V6(_) => None,
                    })
                    .collect();
                self.v4.insert(key(name), set(v4), far());
            }
            IpAddr::V6(_) => {
                let v6 = addresses
                    .iter()
                    .filter_map(|a| match a {
                        IpAddr::V6(v6) => Some(*v6),
                        IpAddr::V4(_) => None,
                    })
                    .collect();
                self.v6.insert(key(name), set(v6), far());
            }
        }
    }
}
