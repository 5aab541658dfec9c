//! check_host() for a sending IP via mail-auth, plus a best-effort account of which term matched.

use super::replay::{Match, matched_term, replay_result};
use super::tree::Walk;
use crate::dns::Dns;
use mail_auth::SpfResult;
use mail_auth::spf::verify::SpfParameters;
use std::net::IpAddr;

/// The RFC 7208 result name of a mail-auth result.
pub fn result_name(r: SpfResult) -> &'static str {
    match r {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

/// Runs check_host() for the MAIL FROM identity (`sender` may be empty: then the HELO identity).
///
/// mail-auth evaluates terms one after another, one round trip each, and checks the HELO
/// identity before the MAIL FROM one. So the trees of both identities are walked first, level
/// by level with every lookup of a level in flight (through the run's cache, so a walk running
/// alongside shares the same queries), and mail-auth is handed those answers: it then asks
/// the DNS only for what the walk cannot know in advance (macros, `ptr`, `exists`).
pub async fn check_host(dns: &Dns, ip: IpAddr, helo: &str, sender: &str) -> &'static str {
    let helo_domain = helo.trim_end_matches('.').to_ascii_lowercase();
    let mail_domain = identity_domain(helo, sender);
    let walks = futures::future::join_all(
        [helo_domain.as_str(), mail_domain.as_str()]
            .into_iter()
            .enumerate()
            .filter(|(i, d)| !d.is_empty() && (*i == 0 || *d != helo_domain))
            .map(|(_, d)| super::tree::walk(dns, d, Some(ip))),
    )
    .await;
    let caches = prefill::Caches::default();
    for w in &walks {
        caches.fill(dns, w);
    }
    let params = SpfParameters::verify_mail_from(ip, helo, "mailtriage.invalid", sender);
    let out = dns
        .authenticator()
        .verify_spf(caches.parameters(params))
        .await;
    result_name(out.result())
}

/// RFC 7208 section 4.6: a record with a syntax error, or two records, is a permerror before any
/// term is evaluated; mail-auth skips unknown terms and takes the first record, so the walk decides.
pub fn combine(mail_auth: &'static str, walk: &Walk) -> &'static str {
    let root_broken = walk.nodes.first().is_some_and(|n| {
        n.parsed.as_ref().is_some_and(|r| !r.errors.is_empty())
            || n.error
                .as_deref()
                .is_some_and(|e| e.contains("SPF records"))
    });
    if root_broken && mail_auth != "temperror" && mail_auth != "none" {
        return "permerror";
    }
    // Nor does mail-auth stop at a broken include or redirect target (two records, a syntax
    // error, no record) or at the void-lookup limit: the replay finds the permerror RFC 7208
    // requires when the evaluation reaches one before any term matches.
    if mail_auth != "temperror"
        && let Some(ip) = walk.ip
        && let Match::PermError(_) = matched_term(walk, ip)
    {
        return "permerror";
    }
    // mail-auth refuses some records RFC 7208 accepts (modifier names with `.`, `-`, `_`); when the
    // whole walked tree is sound and within limits, the replay of the tree is the better answer.
    let sound = !walk.truncated
        && walk.problems.is_empty()
        && walk.lookups() <= super::tree::LOOKUP_LIMIT
        && walk.nodes.iter().all(|n| n.parsed.is_some());
    if mail_auth == "permerror" && sound {
        return match replay_result(walk) {
            Some(r) => r,
            None => mail_auth,
        };
    }
    mail_auth
}

/// The domain check_host() runs for: the MAIL FROM domain, else the HELO name.
pub fn identity_domain(helo: &str, sender: &str) -> String {
    sender
        .rsplit_once('@')
        .map_or(helo, |(_, d)| d)
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// check_host() for one identity, with the walk of its tree: the path the RFC 7208 suite runs.
pub async fn evaluate(dns: &Dns, ip: IpAddr, helo: &str, sender: &str) -> (&'static str, Walk) {
    let domain = identity_domain(helo, sender);
    let (res, walk) = futures::join!(
        check_host(dns, ip, helo, sender),
        super::tree::walk(dns, &domain, Some(ip))
    );
    (combine(res, &walk), walk)
}

/// mail-auth's resolver caches, filled from answers our walk already has.
mod prefill {
    use super::super::parse::Mechanism;
    use super::super::tree::Walk;
    use crate::dns::{Answer, Dns, Outcome, RType, Rdata};
    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::hickory_resolver::proto::op::ResponseCode;
    use mail_auth::spf::Spf;
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

        /// Every TXT, MX, A and AAAA answer of the walked tree that the cache holds. DNS
        /// trouble is left out: mail-auth then asks itself and reports temperror as it would.
        pub fn fill(&self, dns: &Dns, walk: &Walk) {
            for node in &walk.nodes {
                if let Some(a) = &node.answer {
                    self.add_txt(&node.domain, a);
                }
                let Some(rec) = &node.parsed else { continue };
                for dir in &rec.directives {
                    match &dir.mechanism {
                        Mechanism::A { domain, .. } => {
                            let name = domain.as_deref().unwrap_or(&node.domain);
                            self.add_addresses(dns, name);
                        }
                        Mechanism::Mx { domain, .. } => {
                            let name = domain.as_deref().unwrap_or(&node.domain);
                            self.add_mx(dns, name);
                        }
                        _ => {}
                    }
                }
            }
        }

        fn add_txt(&self, name: &str, a: &Answer) {
            let value = if a.outcome.is_trouble() {
                return;
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
                result.into()
            };
            self.txt.insert(key(name), value, far());
        }

        fn add_mx(&self, dns: &Dns, name: &str) {
            let Some(a) = dns.cached(name, RType::MX) else {
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
                    self.add_addresses(dns, exchange);
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

        fn add_addresses(&self, dns: &Dns, name: &str) {
            if let Some(a) = dns
                .cached(name, RType::A)
                .filter(|a| !a.outcome.is_trouble())
            {
                let v4 = a
                    .records
                    .iter()
                    .filter_map(|r| match r {
                        Rdata::A(ip) => Some(*ip),
                        _ => None,
                    })
                    .collect();
                self.v4.insert(key(name), set(v4), far());
            }
            if let Some(a) = dns
                .cached(name, RType::AAAA)
                .filter(|a| !a.outcome.is_trouble())
            {
                let v6 = a
                    .records
                    .iter()
                    .filter_map(|r| match r {
                        Rdata::AAAA(ip) => Some(*ip),
                        _ => None,
                    })
                    .collect();
                self.v6.insert(key(name), set(v6), far());
            }
        }
    }
}
