//! The one place that talks DNS: resolver, cache, query log, zone overlay.

pub mod types;
pub use types::*;
