//! DNS checks of a sending domain: SPF, DKIM, DMARC, PTR, MX.

pub mod types;
pub use types::*;
