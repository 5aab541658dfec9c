//! The transport under `Dns`: sends one question at a time to the run's servers, under load:
//! a bounded number in flight (a full queue waits, it never fails), UDP first and TCP only for a
//! truncated or unreadable answer (`wire.rs`), and retries with backoff after a timeout.
//!
//! Why not hickory's name-server pool: its TCP connection multiplexes every question over one
//! stream whose send queue holds 32 messages, and a full queue is an error, not a wait; it keeps
//! using whichever connection is left after one UDP timeout; and its UDP stream drops an answer
//! to another question and waits (a timeout, not the wrong answer it was). Here each TCP
//! exchange has its own connection, and TCP never has more questions in flight than
//! `MAX_TCP_IN_FLIGHT`.

use super::error::DnsSetupError;
use super::wire;
use hickory_resolver::config::{ResolveHosts, ResolverOpts};
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::DnsResponse;
use hickory_resolver::proto::rr::{Name, RecordType};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Questions one resolver has in flight at most, by default. Bounded so a burst cannot
/// overflow a server's receive buffer (a loaded resolver drops what it cannot read, which the
/// client sees as timeouts), generous enough that a 20 ms server answers 5,000 a second.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 128;

/// Questions in flight over TCP at most (one connection each): TCP only carries truncated
/// answers, so this is plenty, and it keeps a burst from opening hundreds of connections.
const MAX_TCP_IN_FLIGHT: usize = 16;

/// First pause before a retry; doubled for each further retry, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// A resolver's transport: the servers, the in-flight bound and the retry policy.
#[derive(Clone)]
pub struct Transport {
    servers: Arc<[SocketAddr]>,
    timeout: Duration,
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
            servers: servers.into(),
            timeout,
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

    /// One attempt: each server in turn until one answers (UDP, then TCP when the UDP answer
    /// was truncated). Waits for a free slot first; the per-attempt timeout starts when the
    /// question is sent, so waiting in the queue never turns into a timeout (only the run's
    /// deadline can cut it short).
    ///
    /// A server that fails (SERVFAIL, REFUSED, NOTIMP, a broken answer) hands the question to
    /// the next one, as RFC 1034 section 5.3.3 step 4d has resolvers drop a server whose
    /// response "shows a server failure or other bizarre contents": one resolver that will not
    /// do TXT must not make a check inconclusive when the next would answer. When none
    /// answers, the first server's own word is reported rather than a later one's silence.
    async fn attempt(&self, name: &Name, rtype: RecordType) -> Result<DnsResponse, NetError> {
        let Ok(_slot) = self.slots.acquire().await else {
            return Err(NetError::Busy);
        };
        let mut failure = None;
        let mut last = Err(NetError::NoConnections);
        for server in self.servers.iter() {
            last = wire::exchange(*server, name, rtype, self.timeout, &self.tcp_slots).await;
            match &last {
                Ok(_) | Err(NetError::Dns(DnsError::NoRecordsFound(_))) => return last,
                Err(NetError::Timeout | NetError::NoConnections | NetError::Io(_)) => {}
                Err(_) => {
                    if failure.is_none() {
                        failure = Some(last);
                        last = Err(NetError::NoConnections);
                    }
                }
            }
        }
        failure.unwrap_or(last)
    }
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

/// Options for the resolvers built in `resolve.rs`.
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
