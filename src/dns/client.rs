//! The run's resolver: one cache and one query log shared by every clone, the `--zone` overlay,
//! `--offline`, deadlines, and scoped views for bulk mode.

use super::cache;
use super::error::DnsSetupError;
use super::locate;
use super::log::{self, LogEntry};
use super::resolve;
use super::server::{DnsServer, ServerOptions};
use super::transport::{self, DEFAULT_MAX_IN_FLIGHT, Transport};
use super::types::{Answer, Outcome, RType};
use super::zone::{Zone, read_zone_file};
use crate::domain_name::{normalise, reverse_name, within};
use crate::finding::ZoneLocation;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How to reach DNS for one run.
#[derive(Debug, Clone)]
pub struct DnsConfig {
    /// Servers to ask; empty = the system's /etc/resolv.conf.
    pub nameservers: Vec<SocketAddr>,
    /// Per query attempt.
    pub timeout: Duration,
    /// Further attempts after a timeout.
    pub retries: usize,
    /// Overall budget for the run; afterwards every new question is answered `Timeout` at once.
    /// (Bulk mode sets it far away and gives each domain its own, see [`Dns::scoped`].)
    pub deadline: Duration,
    /// `--zone` files served by the in-process overlay server.
    pub zones: Vec<PathBuf>,
    /// `--offline`: names outside every zone are not looked up.
    pub offline: bool,
    /// Questions in flight at most; more wait for a free slot (never a failure).
    pub max_in_flight: usize,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            nameservers: Vec::new(),
            timeout: Duration::from_secs(2),
            retries: 1,
            deadline: Duration::from_secs(30),
            zones: Vec::new(),
            offline: false,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

/// The run's DNS: cheap to clone, every clone shares one cache and one log.
#[derive(Clone)]
pub struct Dns {
    inner: Arc<Inner>,
    /// Set on a [`Dns::scoped`] view: which log entries this view used, and its own deadline.
    scope: Option<Arc<Scope>>,
}

/// One domain's view of the shared resolver (bulk mode checks many domains over one cache).
struct Scope {
    /// The log entries this view used (cache hits included), so they outlive the run-wide log.
    ids: Mutex<BTreeMap<usize, Arc<LogEntry>>>,
    deadline: Option<Instant>,
}

struct Inner {
    transport: Transport,
    authenticator: mail_auth::MessageAuthenticator,
    label: String,
    retries: usize,
    deadline: Instant,
    cache: cache::Cache,
    log: log::QueryLog,
    /// Zone apexes served by the overlay (empty without `--zone`).
    apexes: Vec<String>,
    locations: HashMap<(String, RType), ZoneLocation>,
    txt_locations: locate::TxtLocations,
    offline: bool,
    offline_names: Mutex<BTreeSet<String>>,
    /// Kept alive for as long as any clone of `Dns` exists.
    _server: Option<DnsServer>,
}

impl Dns {
    /// Sets up resolution. With zones, starts the overlay server and points every resolver
    /// (ours and mail-auth's) at it.
    pub async fn new(cfg: DnsConfig) -> Result<Dns, DnsSetupError> {
        let mut zones = Vec::new();
        for path in &cfg.zones {
            zones.push(read_zone_file(path)?);
        }
        if cfg.offline && zones.is_empty() {
            return Err(DnsSetupError::OfflineWithoutZones);
        }
        let upstream = if cfg.offline {
            Vec::new()
        } else if cfg.nameservers.is_empty() {
            resolve::system_nameservers()?
        } else {
            cfg.nameservers.clone()
        };
        if zones.is_empty() {
            let label = upstream
                .iter()
                .map(SocketAddr::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let label = if cfg.nameservers.is_empty() {
                format!("{label} (system resolv.conf)")
            } else {
                label
            };
            return Self::build(&cfg, &upstream, label, Vec::new(), None);
        }
        let server = DnsServer::start(ServerOptions {
            zones: zones.clone(),
            upstream: if cfg.offline {
                None
            } else {
                Some(upstream.clone())
            },
            upstream_timeout: cfg.timeout,
            upstream_retries: cfg.retries,
            upstream_max_in_flight: cfg.max_in_flight,
            ..ServerOptions::default()
        })
        .await
        .map_err(|e| DnsSetupError::Server(e.to_string()))?;
        let addr = server.addr();
        let label = if cfg.offline {
            format!("{addr} (zone overlay, offline)")
        } else {
            format!("{addr} (zone overlay)")
        };
        Self::build(&cfg, &[addr], label, zones, Some(server))
    }

    fn build(
        cfg: &DnsConfig,
        servers: &[SocketAddr],
        label: String,
        zones: Vec<Zone>,
        server: Option<DnsServer>,
    ) -> Result<Dns, DnsSetupError> {
        // The overlay forwards with its own timeout; give clients room to hear its answer.
        let timeout = if server.is_some() && !cfg.offline {
            cfg.timeout
                .saturating_mul(u32::try_from(cfg.retries + 1).unwrap_or(u32::MAX))
                + transport::backoff_budget(cfg.retries)
                + Duration::from_millis(500)
        } else {
            cfg.timeout
        };
        let transport = Transport::new(servers, timeout, cfg.max_in_flight)?;
        let authenticator =
            mail_auth::MessageAuthenticator(resolve::build_resolver(servers, timeout)?);
        let txt_locations = locate::TxtLocations::new(&zones);
        let mut locations = HashMap::new();
        let mut apexes = Vec::new();
        for zone in &zones {
            apexes.push(zone.apex.clone());
            for rec in &zone.records {
                locations
                    .entry((rec.name.clone(), rec.data.rtype()))
                    .or_insert_with(|| rec.location.clone());
            }
        }
        Ok(Dns {
            scope: None,
            inner: Arc::new(Inner {
                transport,
                authenticator,
                label,
                // The overlay server retries upstream itself; asking it again would double the wait.
                retries: if server.is_some() && !cfg.offline {
                    0
                } else {
                    cfg.retries
                },
                deadline: Instant::now() + cfg.deadline,
                cache: cache::Cache::default(),
                log: log::QueryLog::default(),
                apexes,
                locations,
                txt_locations,
                offline: cfg.offline,
                offline_names: Mutex::new(BTreeSet::new()),
                _server: server,
            }),
        })
    }

    /// A view that shares this run's cache and log but records which log entries it used
    /// (cache hits included) and stops waiting for answers after its own `deadline`.
    pub fn scoped(&self, deadline: Option<Duration>) -> Dns {
        Dns {
            inner: self.inner.clone(),
            scope: Some(Arc::new(Scope {
                ids: Mutex::new(BTreeMap::new()),
                deadline: deadline.map(|d| Instant::now() + d),
            })),
        }
    }

    /// Log ids of every answer this scoped view used, in order (empty for an unscoped `Dns`).
    pub fn scope_ids(&self) -> Vec<usize> {
        match &self.scope {
            Some(s) => match s.ids.lock() {
                Ok(ids) => ids.keys().copied().collect(),
                Err(p) => p.into_inner().keys().copied().collect(),
            },
            None => Vec::new(),
        }
    }

    /// The earlier of the run's deadline and this view's.
    fn deadline(&self) -> Instant {
        match self.scope.as_ref().and_then(|s| s.deadline) {
            Some(d) => d.min(self.inner.deadline),
            None => self.inner.deadline,
        }
    }

    /// Cached for the run (TTL respected, negative answers cached); concurrent identical
    /// questions share one query. Never panics; trouble is an Outcome.
    ///
    /// A scoped view's deadline bounds only its own wait: the shared query runs under the
    /// run's bounds, so a view that gives up never hands its timeout to another (bulk mode).
    pub async fn query(&self, name: &str, rtype: RType) -> Arc<Answer> {
        let name = normalise(name);
        let cached = self.lookup(&name, rtype).await;
        self.note(&cached);
        cached.answer
    }

    async fn lookup(&self, name: &str, rtype: RType) -> cache::Cached {
        let deadline = self.deadline();
        let started = SystemTime::now();
        let clock = Instant::now();
        if clock >= deadline {
            // Too late to ask, not too late to use what the cache already knows.
            return match self.inner.cache.peek(name, rtype) {
                Some(hit) => hit,
                None => self.own_timeout(name, rtype, started, clock, "deadline passed: not sent"),
            };
        }
        let run = Dns {
            inner: self.inner.clone(),
            scope: None,
        };
        let owned = name.to_string();
        let shared = self
            .inner
            .cache
            .get_or_fetch(name, rtype, async move { run.fetch(&owned, rtype).await });
        if deadline >= self.inner.deadline {
            // The fetch itself stops at the run's deadline and says so.
            return shared.await;
        }
        match tokio::time::timeout_at(deadline.into(), shared).await {
            Ok(cached) => cached,
            Err(_) => self.own_timeout(name, rtype, started, clock, &self.cut_label()),
        }
    }

    /// The resolver of a question a deadline cut short, so the evidence tells it apart from a
    /// server that did not answer within `--timeout`.
    fn cut_label(&self) -> String {
        format!("{} (deadline passed before it answered)", self.inner.label)
    }

    /// A timeout this view's deadline caused: logged for this view only, never cached.
    fn own_timeout(
        &self,
        name: &str,
        rtype: RType,
        started: SystemTime,
        clock: Instant,
        label: &str,
    ) -> cache::Cached {
        let mut answer = resolve::empty_answer(name, rtype);
        answer.outcome = Outcome::Timeout;
        let elapsed_ms = clock.elapsed().as_secs_f64() * 1000.0;
        let entry = self
            .inner
            .log
            .record(&mut answer, started, elapsed_ms, label);
        cache::Cached::own(answer, entry)
    }

    /// The answer to (name, type) when the cache holds a fresh one; never asks the DNS.
    /// For code that needs answers synchronously (mail-auth's cache) after a walk asked them.
    pub fn cached(&self, name: &str, rtype: RType) -> Option<Arc<Answer>> {
        let cached = self.inner.cache.peek(&normalise(name), rtype)?;
        self.note(&cached);
        Some(cached.answer)
    }

    /// Records in the scope (if any) that this answer was used.
    fn note(&self, cached: &cache::Cached) {
        if let Some(scope) = &self.scope {
            let mut ids = match scope.ids.lock() {
                Ok(ids) => ids,
                Err(p) => p.into_inner(),
            };
            ids.entry(cached.answer.id)
                .or_insert_with(|| cached.entry.clone());
        }
    }

    /// Bulk mode: keep no run-wide log; each scoped view keeps the entries it used, so memory
    /// is bounded by the domains in flight and the cache, not by the run's length.
    pub fn bounded_log(&self) {
        self.inner.log.stop_keeping();
    }

    /// Asks (name, type) under the run's bounds; called on an unscoped view by the cache.
    async fn fetch(&self, name: &str, rtype: RType) -> cache::Fetched {
        let inner = &self.inner;
        let started = SystemTime::now();
        let clock = Instant::now();
        let deadline = self.deadline();
        let mut reusable = true;
        let (mut answer, resolver_label) = if clock >= deadline {
            reusable = false;
            let mut a = resolve::empty_answer(name, rtype);
            a.outcome = Outcome::Timeout;
            (a, "deadline passed: not sent".to_string())
        } else if inner.offline && !self.in_zones(name) {
            if let Ok(mut names) = inner.offline_names.lock() {
                names.insert(name.to_string());
            }
            let mut a = resolve::empty_answer(name, rtype);
            a.outcome = Outcome::Offline;
            (a, "offline: not sent".to_string())
        } else {
            let lookup = inner.transport.lookup(name, rtype, inner.retries);
            match tokio::time::timeout_at(deadline.into(), lookup).await {
                Ok(a) => (a, inner.label.clone()),
                Err(_) => {
                    reusable = false;
                    let mut a = resolve::empty_answer(name, rtype);
                    a.outcome = Outcome::Timeout;
                    (a, self.cut_label())
                }
            }
        };
        if answer.outcome == Outcome::Answer && !inner.apexes.is_empty() {
            let owner = answer.cname_chain.last().map_or(name, String::as_str);
            answer.location = self.zone_location(owner, rtype);
        }
        let elapsed_ms = clock.elapsed().as_secs_f64() * 1000.0;
        let entry = inner
            .log
            .record(&mut answer, started, elapsed_ms, &resolver_label);
        cache::Fetched {
            answer,
            entry,
            reusable,
        }
    }

    /// PTR of the in-addr.arpa / ip6.arpa name of `ip`.
    pub async fn reverse(&self, ip: IpAddr) -> Arc<Answer> {
        self.query(&reverse_name(ip), RType::PTR).await
    }

    /// mail-auth's verifier over a resolver that sees the same servers (or the overlay).
    pub fn authenticator(&self) -> &mail_auth::MessageAuthenticator {
        &self.inner.authenticator
    }

    /// Every question answered so far, in id order.
    pub fn log(&self) -> Vec<LogEntry> {
        self.inner.log.snapshot()
    }

    /// The log entries with these ids, in the order given (a scoped view's own entries first:
    /// in bulk mode the run-wide log keeps none).
    pub fn log_entries(&self, ids: &[usize]) -> Vec<LogEntry> {
        let Some(scope) = &self.scope else {
            return self.inner.log.entries(ids);
        };
        let own = match scope.ids.lock() {
            Ok(ids) => ids,
            Err(p) => p.into_inner(),
        };
        ids.iter()
            .filter_map(|id| match own.get(id) {
                Some(e) => Some(LogEntry::clone(e)),
                None => self.inner.log.entries(&[*id]).pop(),
            })
            .collect()
    }

    /// Names not looked up because of `--offline`, sorted.
    pub fn offline_names(&self) -> Vec<String> {
        match self.inner.offline_names.lock() {
            Ok(n) => n.iter().cloned().collect(),
            Err(p) => p.into_inner().iter().cloned().collect(),
        }
    }

    /// The most questions this resolver has in flight at once (`DnsConfig::max_in_flight`).
    pub fn max_in_flight(&self) -> usize {
        self.inner.transport.max_in_flight()
    }

    /// Which server answers, e.g. "127.0.0.1:5353 (zone overlay)".
    pub fn resolver_label(&self) -> String {
        self.inner.label.clone()
    }

    /// Where `--zone` defines the first record of (name, type), if it does.
    pub fn zone_location(&self, name: &str, rtype: RType) -> Option<ZoneLocation> {
        self.inner.locations.get(&(normalise(name), rtype)).cloned()
    }

    /// True when `name` is at or below the apex of a `--zone`.
    pub fn in_zones(&self, name: &str) -> bool {
        let name = normalise(name);
        self.inner.apexes.iter().any(|apex| within(&name, apex))
    }
}

impl Dns {
    /// Where `--zone` defines the TXT record of `name` whose joined text is `text`, if it does.
    pub fn zone_location_of_txt(&self, name: &str, text: &[u8]) -> Option<ZoneLocation> {
        self.inner.txt_locations.get(&normalise(name), text)
    }
}
