//! The single integration-test binary: one module per area, all against real loopback DNS.
mod common;
mod dns_cache;
mod dns_outcomes;
mod dns_overlay;
mod dns_scale;
mod dns_zone;
mod rules_decode;
mod rules_examples;
mod rules_explain;
mod rules_lint;
mod rules_support;
