//! Human output: terminal text, coloured when `colored` says so.

pub mod check;
pub mod diagnose;
