//! The one place that talks DNS: resolver, cache, query log, zone overlay.

mod cache;
mod client;
mod dname;
mod ede;
mod error;
mod fault;
mod locate;
pub mod log;
mod names;
mod negative;
mod reply;
mod resolve;
pub mod server;
mod store;
mod transport;
pub mod types;
mod verify;
mod wire;
pub mod zone;
mod zone_shape;
mod zone_spf;

pub use crate::domain_name::reverse_name;
pub use client::{Dns, DnsConfig};
pub use error::DnsSetupError;
pub use log::LogEntry;
pub use names::zone_text;
pub use server::{DnsServer, Fault, FaultKind, QuestionFault, ServerOptions};
pub use transport::DEFAULT_MAX_IN_FLIGHT;
pub use types::*;
pub use zone::{Zone, ZoneData, ZoneRecord, parse_zone, read_zone_file};
