//! The rules knowledge base: loading, validating and matching rules/*.toml.

pub mod blocklists;
mod decode;
mod docs;
pub mod embedded;
mod fingerprints;
pub mod knowledge;
mod lazy_regex;
mod load;
mod marker_filter;
mod mechanism;
mod provider_detect;
mod rule_match;
pub mod schema;
pub mod selectors;
mod set;
pub mod types;
mod validate;
mod validate_knowledge;
pub mod vocab;
mod vocabulary;
mod words;

pub use docs::{RuleDoc, RuleSummary};
pub use knowledge::{
    BlocklistRule, DkimSelectorRule, EscalationRule, FindingRule, Link, ListCode, ListKind,
    Message, NoCauseReason, PlanStepText, SendingService, SuppressionRule, SuppressionVerdict,
};
pub use load::{LintError, RulesError};
pub use schema::*;
pub use set::{Kind, Located, Rule, RuleSet};
pub use types::*;
pub use validate::is_enhanced_pattern;
pub use vocab::{Category, REPLY_ONLY_CHECKS, Tier, known_checks};

use std::path::Path;

impl RuleSet {
    /// The built-in rules, then every `*.toml` in `extra_dir`, which add rules or override them by id.
    pub fn load(extra_dir: Option<&Path>) -> Result<RuleSet, RulesError> {
        let extra = match extra_dir {
            Some(dir) => load::read_dir(dir)?,
            None => Vec::new(),
        };
        let (set, errors) = Self::from_sources(&extra);
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(RulesError::Invalid(errors))
        }
    }

    /// Built-ins plus the given (file name, text) pairs; every problem is collected, none stops it.
    pub fn from_sources(extra: &[(String, String)]) -> (RuleSet, Vec<LintError>) {
        let builtin = embedded::BUILTIN.iter().map(|(f, s)| (true, *f, *s));
        let extra = extra.iter().map(|(f, s)| (false, f.as_str(), s.as_str()));
        Self::assemble(builtin.chain(extra))
    }

    /// Stage one for each file (in order; later files override earlier ones by id), then
    /// stage two over the merged set. Problems are listed file by file, by line.
    fn assemble<'a>(
        sources: impl Iterator<Item = (bool, &'a str, &'a str)>,
    ) -> (RuleSet, Vec<LintError>) {
        let mut set = RuleSet::default();
        let mut merger = load::Merger::default();
        let mut errors = Vec::new();
        let mut order: Vec<String> = Vec::new();
        // Built-in files whose names no extra file shares: their patterns are not re-parsed.
        let mut builtin_files: Vec<&str> = Vec::new();
        let mut extra_files: Vec<&str> = Vec::new();
        for (is_builtin, file, src) in sources {
            order.push(file.to_string());
            if is_builtin {
                builtin_files.push(file);
            } else {
                extra_files.push(file);
            }
            let raw = load::parse_file(file, src, &mut errors);
            merger.merge(&mut set, raw, file, is_builtin);
        }
        errors.append(&mut merger.errors);
        let trusted: std::collections::HashSet<&str> = builtin_files
            .into_iter()
            .filter(|f| !extra_files.contains(f))
            .collect();
        validate::validate(&mut set, &mut errors, &trusted);
        validate_knowledge::validate(&set, &mut errors);
        let rank = |file: &str| order.iter().position(|f| f == file).unwrap_or(usize::MAX);
        errors.sort_by_key(|e| (rank(&e.file), e.line));
        (set, errors)
    }
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
            let extra = files.iter().map(|(f, s)| (false, f.as_str(), s.as_str()));
            let (set, mut errors) = if builtin {
                RuleSet::assemble(
                    embedded::BUILTIN
                        .iter()
                        .map(|(f, s)| (true, *f, *s))
                        .chain(extra),
                )
            } else {
                RuleSet::assemble(extra)
            };
            errors.extend(set.pattern_compile_errors());
            errors
        }
        Err(e) => e.errors(),
    }
}

impl RuleSet {
    /// Patterns that parse but do not compile (the size limit): loading defers compiling, linting
    /// does not.
    fn pattern_compile_errors(&self) -> Vec<LintError> {
        let providers = self
            .providers
            .iter()
            .zip(&self.provider_patterns)
            .flat_map(|(l, p)| {
                p.regexes()
                    .map(move |re| (l.file.as_str(), l.line, l.rule.id.as_str(), re))
            });
        let rules = self
            .provider_rules
            .iter()
            .zip(&self.rule_regexes)
            .chain(self.phrases.iter().zip(&self.phrase_regexes))
            .filter_map(|(l, re)| {
                re.as_ref()
                    .map(|re| (l.file.as_str(), l.line, l.rule.id.as_str(), re))
            });
        let vocabulary = self
            .mechanisms
            .iter()
            .map(|l| (l.file.as_str(), l.line, l.rule.id.as_str()))
            .zip(self.vocabulary.mechanism_regexes())
            .chain(
                self.mechanism_cues
                    .iter()
                    .map(|l| (l.file.as_str(), l.line, l.rule.id.as_str()))
                    .zip(self.vocabulary.cue_regexes()),
            )
            .map(|((file, line, id), re)| (file, line, id, re));
        providers
            .chain(rules)
            .chain(vocabulary)
            .filter_map(|(file, line, id, re)| {
                re.compile_error().map(|e| LintError {
                    file: file.to_string(),
                    line,
                    message: format!("rule `{id}`: pattern does not compile: {e}"),
                })
            })
            .collect()
    }
}

/// Version of the built-in rules: the crate version and a digest of the embedded files, so an
/// evidence bundle says exactly which knowledge produced it.
pub fn version() -> String {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in embedded::BUILTIN {
        for b in name.bytes().chain(text.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{}+rules.{h:016x}", env!("CARGO_PKG_VERSION"))
}
