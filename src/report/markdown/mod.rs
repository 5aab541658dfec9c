//! Markdown output, for a ticket or a pull-request comment.

pub mod check;
pub mod diagnose;
