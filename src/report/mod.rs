//! Renderers: one module per output format, all over the same report values.

pub mod explain;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
mod text;
mod view;
pub mod zone_index;

pub use json::check::check_jsonl_line;
pub use view::{CheckDomain, DiagnoseReport, ToolInfo};
