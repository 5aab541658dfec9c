//! `check --format markdown`: the findings of each domain as Markdown for a ticket or a PR comment.

use crate::report::CheckDomain;
use crate::report::escape::{markdown, markdown_block, markdown_cell_code, markdown_code};
use crate::report::text::{severity_word, spf_tree_lines};
use std::io::{self, Write};

pub fn render(w: &mut dyn Write, domains: &[CheckDomain<'_>]) -> io::Result<()> {
    for d in domains {
        let r = d.report;
        writeln!(w, "## {}\n", markdown_code(&r.domain))?;
        if r.findings.is_empty() {
            writeln!(w, "No findings.\n")?;
        } else {
            writeln!(w, "| severity | check | id | message |")?;
            writeln!(w, "|---|---|---|---|")?;
            for f in &r.findings {
                writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    severity_word(f),
                    f.check,
                    markdown_cell_code(&f.id),
                    markdown(&f.message)
                )?;
            }
            writeln!(w)?;
        }
        if let Some(tree) = r.spf.as_ref().and_then(|s| s.tree.as_ref()) {
            writeln!(w, "SPF include tree:\n")?;
            writeln!(w, "{}", markdown_block("", &spf_tree_lines(tree)))?;
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
                    "| {} | {} | {} | {} | {} |",
                    markdown_cell_code(&q.name),
                    q.rtype.as_str(),
                    q.outcome.label(),
                    markdown(&q.answers.join("; ")),
                    q.ttl.map_or("-".to_string(), |t| t.to_string())
                )?;
            }
            writeln!(w, "\n</details>\n")?;
        }
    }
    Ok(())
}
