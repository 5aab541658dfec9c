//! Reply extraction: find the SMTP replies in a reply line, log line or bounce message.

pub mod types;
pub use types::*;

/// Placeholder until the extractor lands (replaced at merge).
pub fn extract(_input: &[u8]) -> Result<Extracted, InputError> {
    Err(InputError::NoReply)
}
