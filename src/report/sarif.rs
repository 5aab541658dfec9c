//! Findings as SARIF 2.1.0 for code-scanning UIs: rules from the finding ids, zone-file locations.

use super::zone_index::ZoneIndex;
use super::{Format, Report, RunContext, ToolInfo};
use crate::checks::{self, DomainReport};
use crate::dns::{RType, reverse_name};
use crate::finding::{Finding, Severity, ZoneLocation};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::IpAddr;

fn level(f: &Finding) -> &'static str {
    match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF wants a URI (SARIF 2.1.0 section 3.10.2, RFC 3986): relative paths stay relative
/// (with forward slashes), absolute ones become file://; every octet but an unreserved
/// character and `/` is percent-encoded, so a zone file named `a b#1?.zone` (a name a pull
/// request chooses) is one path, not a path, a query and a fragment.
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut out = String::with_capacity(p.len() + 8);
    if p.starts_with('/') {
        out.push_str("file://");
    }
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a result goes in the zone files, and a sentence to add when that place is a stand-in.
///
/// Code scanning only annotates results with a file and line, so with `--zone` every finding
/// gets one: its own record, else the first record of its name (or of the IP's reverse name),
/// else (for SPF names outside the zones) the SPF record that leads there, else the SOA of the
/// zone that would hold the absent record, else the checked domain's own record or SOA.
fn place(
    report: &DomainReport,
    f: &Finding,
    zones: &ZoneIndex,
) -> Option<(ZoneLocation, Option<String>)> {
    if let Some(loc) = &f.location {
        return Some((loc.clone(), None));
    }
    if zones.is_empty() {
        return None;
    }
    let entry = checks::entry(f.check);
    let ip = f.subject.parse::<IpAddr>().ok();
    let name = ip.map_or_else(|| f.subject.clone(), reverse_name);
    let rtype = if ip.is_some() {
        Some(RType::PTR)
    } else {
        entry.map(|e| e.record_type())
    };
    let absent = entry.is_some_and(|e| e.absent().contains(&f.id.as_str()));
    if !absent {
        if let Some(l) = zones.record(&name, rtype) {
            return Some((l, None));
        }
        if let Some(l) = entry
            .and_then(|e| e.anchor(report))
            .and_then(|anchor| zones.record(&anchor, rtype))
        {
            return Some((l, None));
        }
        if let Some(l) = zones.record(&name, None) {
            return Some((l, None));
        }
    }
    let domain = report.domain.as_str();
    if entry.is_some_and(|e| e.reached_from_domain())
        && !name.eq_ignore_ascii_case(domain)
        && let Some(l) = zones.record(domain, entry.map(|e| e.record_type()))
    {
        let note = format!(
            "(Shown at the SPF record of {domain}, which leads to {name}: {name} has no SPF record in the --zone files.)"
        );
        return Some((l, Some(note)));
    }
    if let Some((head, file)) = zones.zone_head(&name) {
        let what = rtype.map_or("such", RType::as_str);
        let note = format!(
            "(No {what} record for {name} exists in {file}: this result is shown at the zone's SOA.)"
        );
        return Some((head, Some(note)));
    }
    let own = zones
        .record(domain, rtype)
        .or_else(|| zones.zone_head(domain).map(|(l, _)| l))?;
    let note = format!(
        "({name} is in none of the --zone files: this result is shown at the zone of {domain}.)"
    );
    Some((own, Some(note)))
}

fn location(domain: &str, f: &Finding, at: Option<&ZoneLocation>) -> Value {
    let logical = json!([{ "name": f.subject, "fullyQualifiedName": format!("{domain}/{}", f.subject), "kind": "resource" }]);
    match at {
        Some(loc) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&loc.file) },
                "region": {
                    "startLine": loc.line.max(1),
                    "startColumn": loc.column.max(1),
                },
            },
            "logicalLocations": logical,
        }),
        None => json!({ "logicalLocations": logical }),
    }
}

/// The SARIF log for the findings of every report, one run.
pub fn to_value(tool: &ToolInfo, reports: &[&DomainReport], run: &RunContext) -> Value {
    let zones = &run.zones;
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
            let (title, fix) = run
                .finding_texts
                .get(*id)
                .cloned()
                .unwrap_or_else(|| (id.to_string(), String::new()));
            let mut rule = json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": super::escape::sarif_text(&title) },
                "defaultConfiguration": { "level": level(f) },
                "properties": { "check": f.check },
            });
            if !fix.is_empty() {
                rule["help"] = json!({ "text": super::escape::sarif_text(&fix) });
            }
            rule
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (*r, f)))
        .map(|(report, f)| {
            let domain = report.domain.as_str();
            let placed = place(report, f, zones);
            let text = match placed.as_ref().and_then(|(_, note)| note.as_deref()) {
                Some(note) => format!("{} {note}", f.message),
                None => f.message.clone(),
            };
            // The message quotes DNS data: no embedded link of its own (escape.rs).
            let text = super::escape::sarif_text(&text);
            json!({
                "ruleId": f.id,
                "ruleIndex": index.get(f.id.as_str()).copied().unwrap_or(0),
                "level": level(f),
                "message": { "text": text },
                "locations": [location(domain, f, placed.as_ref().map(|(l, _)| l))],
                "properties": {
                    "domain": domain,
                    "check": f.check,
                    "subject": f.subject,
                    "inconclusive": f.inconclusive,
                    "not_checked": f.not_checked,
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

/// `check` results or a diagnosis's findings as one SARIF log.
pub fn render(w: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    let doc = match report {
        Report::Check(r) => {
            let reports: Vec<&DomainReport> = r.domains.iter().map(|d| d.report).collect();
            to_value(r.tool, &reports, r.run)
        }
        Report::Diagnose(r) => to_value(r.tool, &[r.input.report], r.run),
        Report::Explain(_) | Report::ExplainMany(_) | Report::Scan(_) => {
            return Err(super::format::unsupported(Format::Sarif, report));
        }
    };
    super::escape::json_pretty(&mut *w, &doc)?;
    writeln!(w)
}
