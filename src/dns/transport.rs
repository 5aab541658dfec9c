//! The transport under `Dns`: sends one question at a time to the run's servers, under load: a bounded number in flight
//! (a full queue waits, it never fails), UDP first and TCP only for a truncated answer, and
//! retries with backoff after a timeout.
//!
//! Why not hand hickory's pool UDP and TCP together: its TCP connection multiplexes every
//! question over one stream whose send queue holds 32 messages, and a full queue is an error
//! (`mpsc::SendError ... channel is full`), not a wait. The pool also keeps using whichever
//! connection is left: once a UDP exchange has failed (one timeout is enough), every later
//! question goes down the TCP stream opened for some earlier truncated answer. In bulk mode that
//! is hundreds of questions in one burst, and the overflow became "lookup failed" findings on a
//! healthy server. Here UDP and TCP are separate pools, and TCP never has more questions in
//! flight than its queue holds.

use super::error::DnsSetupError;
use super::verify;
use futures::StreamExt;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::xfer::DnsHandle;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::{DnsRequestOptions, DnsResponse, Query};
use hickory_resolver::proto::rr::{Name, RecordType};
use hickory_resolver::{NameServerPool, PoolContext, TlsConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Questions one resolver has in flight at most, by default. Bounded so a burst cannot
/// overflow a server's receive buffer (a loaded resolver drops what it cannot read, which the
/// client sees as timeouts), generous enough that a 20 ms server answers 5,000 a second.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 128;

/// Questions in flight over TCP at most. hickory queues TCP messages in a channel of 32 and
/// fails the 33rd; staying well below it makes overflow impossible, even with a stale message
/// of a cancelled question still queued. TCP only carries truncated answers, so this is plenty.
const MAX_TCP_IN_FLIGHT: usize = 16;

/// First pause before a retry; doubled for each further retry, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// A resolver's transport: the servers, the in-flight bound and the retry policy.
#[derive(Clone)]
pub struct Transport {
    udp: NameServerPool<TokioRuntimeProvider>,
    tcp: NameServerPool<TokioRuntimeProvider>,
    slots: Arc<Semaphore>,
    tcp_slots: Arc<Semaphore>,
    max_in_flight: usize,
}

impl Transport {
    /// A transport over exactly these servers with `timeout` per attempt and at most
    /// `max_in_flight` questions outstanding (0 counts as 1).
    pub fn new(
        servers: &[SocketAddr],
        timeout: Duration,
        max_in_flight: usize,
    ) -> Result<Transport, DnsSetupError> {
        if servers.is_empty() {
            return Err(DnsSetupError::NoNameservers);
        }
        let max_in_flight = max_in_flight.max(1);
        Ok(Transport {
            udp: pool(servers, timeout, ConnectionConfig::udp)?,
            tcp: pool(servers, timeout, ConnectionConfig::tcp)?,
            slots: Arc::new(Semaphore::new(max_in_flight)),
            tcp_slots: Arc::new(Semaphore::new(MAX_TCP_IN_FLIGHT.min(max_in_flight))),
            max_in_flight,
        })
    }

    /// The most questions this transport has outstanding at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    /// Asks (name, type) once, retrying up to `retries` times after a timeout or a failed
    /// connection, each retry after a longer pause.
    pub async fn exchange(
        &self,
        name: &Name,
        rtype: RecordType,
        retries: usize,
    ) -> Result<DnsResponse, NetError> {
        let mut attempt = 0;
        loop {
            let result = self.attempt(name, rtype).await;
            let retryable = matches!(
                &result,
                Err(NetError::Timeout | NetError::NoConnections | NetError::Io(_) | NetError::Busy)
            );
            if !retryable || attempt >= retries {
                return result;
            }
            // The slot is free while we wait: a pause is not a question in flight.
            tokio::time::sleep(backoff(attempt, name)).await;
            attempt += 1;
        }
    }

    /// One attempt: UDP, then TCP when the UDP answer was truncated. Waits for a free slot
    /// first; the per-attempt timeout starts when the question is sent, so waiting in the
    /// queue never turns into a timeout (only the run's deadline can cut it short).
    async fn attempt(&self, name: &Name, rtype: RecordType) -> Result<DnsResponse, NetError> {
        let Ok(_slot) = self.slots.acquire().await else {
            return Err(NetError::Busy);
        };
        let query = || Query::query(name.clone(), rtype);
        let first = ask(&self.udp, query()).await;
        if !matches!(first, Err(NetError::Truncated)) {
            return verified(first, name, rtype);
        }
        let Ok(_tcp_slot) = self.tcp_slots.acquire().await else {
            return Err(NetError::Busy);
        };
        verified(ask(&self.tcp, query()).await, name, rtype)
    }
}

/// `result`, or an error saying why the response does not answer (name, rtype): a response
/// to another question is neither an answer nor proof of absence.
fn verified(
    result: Result<DnsResponse, NetError>,
    name: &Name,
    rtype: RecordType,
) -> Result<DnsResponse, NetError> {
    let problem = match &result {
        Ok(response) => verify::mismatch(response, name, rtype),
        Err(NetError::Dns(DnsError::NoRecordsFound(nr))) => {
            // hickory stands a default question (the root) in for an empty question section.
            let queries = if nr.query.name().is_root() && !name.is_root() {
                &[][..]
            } else {
                std::slice::from_ref(&*nr.query)
            };
            verify::question_mismatch(queries, name, rtype)
        }
        Err(_) => None,
    };
    match problem {
        Some(why) => Err(NetError::Msg(why)),
        None => result,
    }
}

async fn ask(
    pool: &NameServerPool<TokioRuntimeProvider>,
    query: Query,
) -> Result<DnsResponse, NetError> {
    pool.lookup(query, DnsRequestOptions::default())
        .next()
        .await
        .unwrap_or(Err(NetError::Timeout))
}

/// Pause before retry `attempt` (0-based): 100 ms, 200 ms, 400 ms ... up to 1 s, each spread
/// by up to a quarter either way so questions that timed out together do not return together.
fn backoff(attempt: usize, name: &Name) -> Duration {
    let base = FIRST_BACKOFF
        .saturating_mul(1u32 << attempt.min(10))
        .min(MAX_BACKOFF);
    // Spread by the name and the moment, not by a random source: enough to break lockstep.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(nanos);
    for b in name.to_ascii().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let spread = (h % 501) as f64 / 1000.0 + 0.75; // 0.75 ..= 1.25
    base.mul_f64(spread)
}

/// The longest the pauses between `retries` retries can add up to.
pub fn backoff_budget(retries: usize) -> Duration {
    (0..retries)
        .map(|a| {
            FIRST_BACKOFF
                .saturating_mul(1u32 << a.min(10))
                .min(MAX_BACKOFF)
                .mul_f64(1.25)
        })
        .sum()
}

fn pool(
    servers: &[SocketAddr],
    timeout: Duration,
    transport: fn() -> ConnectionConfig,
) -> Result<NameServerPool<TokioRuntimeProvider>, DnsSetupError> {
    let tls = TlsConfig::new().map_err(|e| DnsSetupError::Resolver(e.to_string()))?;
    let cx = Arc::new(PoolContext::new(options(timeout), tls));
    let configs: Vec<NameServerConfig> = servers
        .iter()
        .map(|addr| {
            let mut c = transport();
            c.port = addr.port();
            NameServerConfig::new(addr.ip(), true, vec![c])
        })
        .collect();
    Ok(NameServerPool::from_config(
        configs,
        cx,
        TokioRuntimeProvider::default(),
    ))
}

/// Options for our own pools and for the resolvers built in `resolve.rs`.
pub(super) fn options(timeout: Duration) -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 1;
    // Our cache (cache.rs) is the only one: evidence must show what the server said.
    opts.cache_size = 0;
    opts.use_hosts_file = ResolveHosts::Never;
    opts.ndots = 0;
    opts.preserve_intermediates = true;
    opts.num_concurrent_reqs = 1;
    // The bound is ours (`Transport`); hickory's own would answer `Busy` instead of waiting.
    opts.max_active_requests = 1024;
    opts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_stops_growing_and_is_spread() {
        let name = Name::from_ascii("example.com.").unwrap_or_default();
        let first = backoff(0, &name);
        assert!(first >= Duration::from_millis(75) && first <= Duration::from_millis(125));
        let third = backoff(2, &name);
        assert!(third >= Duration::from_millis(300) && third <= Duration::from_millis(500));
        let late = backoff(30, &name);
        assert!(late <= Duration::from_millis(1250), "{late:?}");
    }
}
