//! `check` as versioned JSON (`mailtriage.check/v1`), and one compact domain per line for bulk mode.

use crate::checks::DomainReport;
use crate::dns::LogEntry;
use crate::report::view::{CheckDomain, ToolInfo};
use serde_json::{Value, json};
use std::io::{self, Write};

pub const SCHEMA: &str = "mailtriage.check/v1";

/// One domain object: the report's fields plus its queries.
pub fn domain_value(report: &DomainReport, queries: &[LogEntry]) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut v {
        map.insert(
            "queries".into(),
            serde_json::to_value(queries).unwrap_or_else(|_| json!([])),
        );
    }
    v
}

/// The whole document.
pub fn to_value(tool: &ToolInfo, domains: &[CheckDomain<'_>]) -> Value {
    json!({
        "schema": SCHEMA,
        "tool": tool,
        "domains": domains.iter().map(|d| domain_value(d.report, d.queries)).collect::<Vec<_>>(),
    })
}

/// Pretty JSON followed by a newline.
pub fn render(w: &mut dyn Write, tool: &ToolInfo, domains: &[CheckDomain<'_>]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(tool, domains))?;
    writeln!(w)
}

/// One compact line: the domain object with a `"schema"` key, no trailing newline.
pub fn check_jsonl_line(report: &DomainReport, queries: &[LogEntry]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("schema".into(), Value::String(SCHEMA.into()));
    if let Value::Object(m) = domain_value(report, queries) {
        map.extend(m);
    }
    Value::Object(map).to_string()
}
