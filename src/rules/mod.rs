//! The rules knowledge base: loading, validating and matching rules/*.toml.

pub mod types;
pub use types::*;
