//! mailtriage: decode an SMTP rejection, check the sender's authentication DNS, plan the fix.

mod ascii_dfa;
mod ascii_fold;
mod ascii_standin;
mod builtin_dfas;
pub mod checks;
pub mod cli;
mod commands;
pub mod dns;
pub mod domain_name;
pub mod error;
pub mod evidence;
pub mod finding;
mod match_only;
pub mod plan;
pub mod reply;
pub mod report;
pub mod rules;
mod safe_json;
pub mod scan;
mod shared_search;
mod standin_text;
mod utf8;

pub use commands::run;
