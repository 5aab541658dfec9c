//! Versioned JSON output (`mailtriage.*/v1`).

pub mod check;
pub mod diagnose;
