#![allow(clippy::unwrap_used)]
mod common;
mod dns_cache;
mod dns_outcomes;
mod dns_overlay;
mod dns_zone;
mod checks_clean;
mod checks_support;
mod checks_faults;
mod checks_spf;
