//! The rules knowledge base: loading, validating and matching rules/*.toml.

mod api_refusal;
mod assemble;
mod builtin_literals;
pub mod check_tables;
mod decode;
mod docs;
pub mod embedded;
mod fingerprints;
pub mod knowledge;
mod lazy_regex;
mod load;
mod located;
mod marker_filter;
mod mechanism;
mod precompiled;
mod provider_detect;
mod recase;
mod rule_match;
pub mod schema;
pub mod selectors;
mod set;
mod tables;
pub mod types;
mod validate;
mod validate_knowledge;
pub mod vocab;
mod vocabulary;
mod words;

pub use docs::{RuleDoc, RuleSummary};
pub use knowledge::{
    DkimSelectorRule, EscalationRule, FindingRule, Link, Message, NoCauseReason, PlanStepText,
    ReplyCondition, SendingService, SuppressionRule, SuppressionVerdict,
};
pub use load::{LintError, RulesError};
pub use schema::*;
pub use set::{Kind, Located, Rule, RuleSet};
pub use tables::Tables;
pub use types::*;
pub use validate::is_enhanced_pattern;
pub use vocab::{Category, REPLY_ONLY_CHECKS, Tier, known_checks};

use assemble::{Body, Source};
use std::path::Path;

impl RuleSet {
    /// The built-in rules, then every `*.toml` in `extra_dir`, which add rules or override them by id.
    pub fn load(extra_dir: Option<&Path>) -> Result<RuleSet, RulesError> {
        Self::load_for(extra_dir, Tables::All)
    }

    /// `load` of the tables a command reads. With `extra_dir` every table is loaded whatever
    /// `tables` says: its files are checked against the whole set (a plan step naming a
    /// built-in finding), and they need their examples.
    pub fn load_for(extra_dir: Option<&Path>, tables: Tables) -> Result<RuleSet, RulesError> {
        let (mut set, errors) = match extra_dir {
            Some(dir) => Self::from_sources(&load::read_dir(dir)?),
            None => Self::assemble(precompiled::sources(tables)),
        };
        if extra_dir.is_none() {
            set.tables = tables;
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(RulesError::Invalid(errors))
        }
    }

    /// Built-ins plus the given (file name, text) pairs; every problem is collected, none stops it.
    pub fn from_sources(extra: &[(String, String)]) -> (RuleSet, Vec<LintError>) {
        Self::assemble(
            precompiled::sources(Tables::All)
                .into_iter()
                .chain(toml_sources(extra)),
        )
    }
}

/// Extra rules files as sources: parsed from their text.
fn toml_sources(files: &[(String, String)]) -> impl Iterator<Item = Source<'_>> {
    files.iter().map(|(file, text)| Source {
        file,
        builtin: false,
        body: Body::Toml(text),
    })
}

/// The checks' tables of one built-in rules file (a check's `FILE`), for a check that runs
/// without a rule set: read once per call, so the check keeps what it reads.
pub fn builtin_check_tables(file: &str) -> check_tables::RawTables {
    let text = embedded::BUILTIN
        .iter()
        .find(|(f, _)| *f == file)
        .map_or("", |(_, t)| *t);
    load::parse_file(file, text, &mut Vec::new()).checks
}

/// Every problem in the built-in rules plus the `*.toml` files of `dir` (empty = all good).
pub fn lint(dir: &Path) -> Vec<LintError> {
    lint_files(load::read_dir(dir), true)
}

/// Every problem in the built-in rules (empty = all good).
pub fn lint_builtin() -> Vec<LintError> {
    lint_files(Ok(Vec::new()), true)
}

/// Every problem in the `*.toml` files of `dir` read as a complete rule set, as if they were
/// the built-in rules (to lint an edited copy of rules/ before building it in).
pub fn lint_standalone(dir: &Path) -> Vec<LintError> {
    lint_files(load::read_dir(dir), false)
}

fn lint_files(files: Result<Vec<(String, String)>, RulesError>, builtin: bool) -> Vec<LintError> {
    match files {
        Ok(files) => {
            // Linting reads the built-in files' TOML, as the build did, so each problem has
            // the same file:line either way.
            let builtin_files = embedded::BUILTIN
                .iter()
                .filter(|_| builtin)
                .map(|(file, text)| Source {
                    file,
                    builtin: true,
                    body: Body::Toml(text),
                });
            let (set, mut errors) = RuleSet::assemble(builtin_files.chain(toml_sources(&files)));
            errors.extend(set.pattern_compile_errors());
            errors
        }
        Err(e) => e.errors(),
    }
}

/// Version of the built-in rules: the crate version and a digest of the embedded files
/// (`embedded::digest`, taken by the build), so an evidence bundle says exactly which knowledge
/// produced it.
pub fn version() -> String {
    concat!(
        env!("CARGO_PKG_VERSION"),
        "+rules.",
        include_str!(concat!(env!("OUT_DIR"), "/rules-digest.txt"))
    )
    .to_string()
}
