//! Findings as SARIF 2.1.0 for code-scanning UIs: rules from the finding ids, zone-file locations.

use super::ToolInfo;
use crate::checks::DomainReport;
use crate::finding::{Finding, Severity};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Title and fix text of a finding id (from rules/findings.toml), supplied by the caller.
pub type RuleLookup<'a> = &'a dyn Fn(&str) -> Option<(String, String)>;

fn level(f: &Finding) -> &'static str {
    match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF wants a URI: keep relative paths as given (with forward slashes); make absolute ones file://.
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    if p.starts_with('/') {
        format!("file://{p}")
    } else {
        p
    }
}

fn location(domain: &str, f: &Finding) -> Value {
    match &f.location {
        Some(loc) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&loc.file) },
                "region": {
                    "startLine": loc.line.max(1),
                    "startColumn": loc.column.max(1),
                },
            },
            "logicalLocations": [{ "name": f.subject, "fullyQualifiedName": format!("{domain}/{}", f.subject), "kind": "resource" }],
        }),
        None => json!({
            "logicalLocations": [{ "name": f.subject, "fullyQualifiedName": format!("{domain}/{}", f.subject), "kind": "resource" }],
        }),
    }
}

/// The SARIF log for the findings of every report, one run.
pub fn to_value(tool: &ToolInfo, reports: &[&DomainReport], lookup: RuleLookup<'_>) -> Value {
    // Rules are the finding ids used, in id order so the output is stable.
    let mut ids: BTreeMap<&str, &Finding> = BTreeMap::new();
    for r in reports {
        for f in &r.findings {
            ids.entry(f.id.as_str()).or_insert(f);
        }
    }
    let index: BTreeMap<&str, usize> = ids.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let rules: Vec<Value> = ids
        .iter()
        .map(|(id, f)| {
            let (title, fix) = lookup(id).unwrap_or_else(|| (id.to_string(), String::new()));
            let mut rule = json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": title },
                "defaultConfiguration": { "level": level(f) },
                "properties": { "check": f.check },
            });
            if !fix.is_empty() {
                rule["help"] = json!({ "text": fix });
            }
            rule
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r.domain.as_str(), f)))
        .map(|(domain, f)| {
            json!({
                "ruleId": f.id,
                "ruleIndex": index.get(f.id.as_str()).copied().unwrap_or(0),
                "level": level(f),
                "message": { "text": f.message },
                "locations": [location(domain, f)],
                "properties": {
                    "domain": domain,
                    "check": f.check,
                    "subject": f.subject,
                    "inconclusive": f.inconclusive,
                    "queries": f.queries,
                },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": tool.name,
                "version": tool.version,
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

pub fn render(
    w: &mut dyn Write,
    tool: &ToolInfo,
    reports: &[&DomainReport],
    lookup: RuleLookup<'_>,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(tool, reports, lookup))?;
    writeln!(w)
}
