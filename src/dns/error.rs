//! Why DNS could not be set up: every kind is a usage or input error (exit 2 upstream).

/// Why DNS could not be set up (all are input/usage errors: exit 2 upstream).
#[derive(Debug, thiserror::Error)]
pub enum DnsSetupError {
    /// A zone file could not be read or parsed; `line`/`column` are 1-based (0 = unknown).
    #[error("{file}:{line}:{column}: {message}")]
    Zone {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "cannot use the system resolver configuration: {0}; pass --nameserver IP[:PORT] to choose a server"
    )]
    SystemConfig(String),
    #[error("no nameserver to ask: pass --nameserver IP[:PORT]")]
    NoNameservers,
    #[error("--offline needs at least one --zone file")]
    OfflineWithoutZones,
    #[error("cannot start the zone overlay DNS server on 127.0.0.1: {0}")]
    Server(String),
    #[error("cannot build the DNS resolver: {0}")]
    Resolver(String),
}
