//! `mailtriage rules list|show|lint`: read the knowledge base.

use super::common::load_rules;
use crate::cli::RulesCommand;
use crate::error::{Error, Result, exit};
use std::io::Write;
use std::path::Path;

pub fn run(cmd: &RulesCommand, rules_dir: Option<&Path>, out: &mut dyn Write) -> Result<u8> {
    match cmd {
        RulesCommand::List => {
            let rules = load_rules(rules_dir)?;
            for r in rules.list() {
                writeln!(out, "{:<48} {:<16} {}", r.id, r.kind.as_str(), r.title)?;
            }
            Ok(exit::OK)
        }
        RulesCommand::Show { id } => {
            let rules = load_rules(rules_dir)?;
            let doc = rules.show(id).ok_or_else(|| {
                Error::Input(format!(
                    "no rule with id {id:?} (`mailtriage rules list` shows every id)"
                ))
            })?;
            writeln!(out, "{} ({})  {}", doc.id, doc.kind.as_str(), doc.location)?;
            writeln!(out, "{}\n", doc.title)?;
            section(out, "Summary", &doc.summary)?;
            section(out, "Why it matters", &doc.why)?;
            section(out, "What to do", &doc.what_to_do)?;
            writeln!(out, "References")?;
            for r in &doc.references {
                writeln!(out, "  {r}")?;
            }
            Ok(exit::OK)
        }
        RulesCommand::Lint { dir, standalone } => {
            let errors = match (dir.as_deref().or(rules_dir), standalone) {
                (Some(d), true) => crate::rules::lint_standalone(d),
                (Some(d), false) => crate::rules::lint(d),
                (None, _) => crate::rules::lint_builtin(),
            };
            if errors.is_empty() {
                writeln!(out, "rules: no problems found")?;
                Ok(exit::OK)
            } else {
                let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                Err(Error::Rules(format!(
                    "{} problem(s) in the rules:\n{}",
                    errors.len(),
                    text.join("\n")
                )))
            }
        }
    }
}

fn section(out: &mut dyn Write, title: &str, body: &str) -> std::io::Result<()> {
    if body.trim().is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}\n  {}\n", body.trim().replace('\n', "\n  "))
}
