//! The registry entries of the built-in checks: each wires its check's `check` function, facts
//! and text into the [`DnsCheck`](super::registry::DnsCheck) contract.

pub mod dkim;
pub mod dmarc;
pub mod mx;
pub mod ptr;
pub mod spf;
