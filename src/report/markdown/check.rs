//! `check --format markdown`: the findings of each domain as Markdown for a ticket or a PR comment.

use crate::report::CheckDomain;
use crate::report::text::{severity_word, spf_tree_lines};
use std::io::{self, Write};

/// Table cells may not hold a pipe or a line break.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn render(w: &mut dyn Write, domains: &[CheckDomain<'_>]) -> io::Result<()> {
    for d in domains {
        let r = d.report;
        writeln!(w, "## `{}`\n", r.domain)?;
        if r.findings.is_empty() {
            writeln!(w, "No findings.\n")?;
        } else {
            writeln!(w, "| severity | check | id | message |")?;
            writeln!(w, "|---|---|---|---|")?;
            for f in &r.findings {
                writeln!(
                    w,
                    "| {} | {} | `{}` | {} |",
                    severity_word(f),
                    f.check,
                    f.id,
                    cell(&f.message)
                )?;
            }
            writeln!(w)?;
        }
        if let Some(tree) = r.spf.as_ref().and_then(|s| s.tree.as_ref()) {
            writeln!(w, "SPF include tree:\n\n```")?;
            for line in spf_tree_lines(tree) {
                writeln!(w, "{line}")?;
            }
            writeln!(w, "```\n")?;
        }
        if !d.queries.is_empty() {
            writeln!(
                w,
                "<details><summary>{} DNS queries</summary>\n",
                d.queries.len()
            )?;
            writeln!(w, "| name | type | outcome | answers | TTL |")?;
            writeln!(w, "|---|---|---|---|---|")?;
            for q in d.queries {
                writeln!(
                    w,
                    "| `{}` | {} | {} | {} | {} |",
                    q.name,
                    q.rtype.as_str(),
                    q.outcome.label(),
                    cell(&q.answers.join("; ")),
                    q.ttl.map_or("-".to_string(), |t| t.to_string())
                )?;
            }
            writeln!(w, "\n</details>\n")?;
        }
    }
    Ok(())
}
