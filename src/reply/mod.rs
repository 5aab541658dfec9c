//! Reply extraction: find the SMTP replies in a reply line, log line or bounce message.

pub mod types;
pub use types::*;
