//! Shared harness: a real DNS server on 127.0.0.1 serving fixture zones, and a `Dns` pointed at it.
#![allow(dead_code)]

use mailtriage::dns::{Dns, DnsConfig, DnsServer, ServerOptions, Zone, parse_zone};
use std::time::Duration;

/// Parses `(origin, zone text)` pairs; panics with the parse error (tests only).
pub fn zones(zone_texts: &[(&str, &str)]) -> Vec<Zone> {
    zone_texts
        .iter()
        .map(|(origin, text)| {
            parse_zone(&format!("{origin}.zone"), text, Some(origin))
                .unwrap_or_else(|e| panic!("fixture zone {origin}: {e}"))
        })
        .collect()
}

/// A server for these zones with a root catch-all (NXDOMAIN outside them), and a `Dns` that
/// asks it (timeout 2 s, 1 retry, deadline 30 s).
pub async fn serve(zone_texts: &[(&str, &str)]) -> (DnsServer, Dns) {
    serve_with(
        ServerOptions {
            zones: zones(zone_texts),
            root_catch_all: true,
            ..ServerOptions::default()
        },
        DnsConfig::default(),
    )
    .await
}

/// Full control: any server options, and a config whose `nameservers` is replaced by the server.
pub async fn serve_with(opts: ServerOptions, cfg: DnsConfig) -> (DnsServer, Dns) {
    let server = DnsServer::start(opts)
        .await
        .expect("start fixture DNS server");
    let dns = Dns::new(DnsConfig {
        nameservers: vec![server.addr()],
        ..cfg
    })
    .await
    .expect("Dns::new against the fixture server");
    (server, dns)
}

/// A config with a short per-attempt timeout and no retries, for fault tests.
pub fn quick() -> DnsConfig {
    DnsConfig {
        timeout: Duration::from_millis(300),
        retries: 0,
        ..DnsConfig::default()
    }
}

/// A minimal zone with SOA and NS at the apex, followed by `body`.
pub fn zone_text(origin: &str, body: &str) -> String {
    format!(
        "$ORIGIN {origin}.\n$TTL 300\n@ IN SOA ns1.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n@ IN NS ns1.{origin}.\n{body}\n"
    )
}
