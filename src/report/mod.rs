//! Renderers: one module per output format, all over the same report values.

pub mod check_human;
pub mod check_json;
pub mod check_markdown;
pub mod diagnose_human;
pub mod diagnose_json;
pub mod explain;
pub mod markdown;
pub mod sarif;
mod text;
mod view;
pub mod zone_index;

pub use check_json::check_jsonl_line;
pub use view::{CheckDomain, DiagnoseReport, ToolInfo};
