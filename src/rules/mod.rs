//! The rules knowledge base: loading, validating and matching rules/*.toml.

mod decode;
mod docs;
pub mod embedded;
mod lazy_regex;
mod load;
pub mod schema;
mod set;
pub mod types;
mod validate;

pub use docs::{RuleDoc, RuleSummary};
pub use load::{LintError, RulesError};
pub use schema::*;
pub use set::{Kind, Located, Rule, RuleSet};
pub use types::*;
pub use validate::{REPLY_ONLY_CHECKS, is_enhanced_pattern, known_checks};

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
        let mut set = RuleSet::default();
        let mut merger = load::Merger::default();
        let mut errors = Vec::new();
        let builtin = embedded::BUILTIN
            .iter()
            .map(|(f, s)| (true, *f, *s))
            .chain(extra.iter().map(|(f, s)| (false, f.as_str(), s.as_str())));
        for (is_builtin, file, src) in builtin {
            match load::parse_file(file, src) {
                Ok(raw) => merger.merge(&mut set, raw, file, src, is_builtin),
                Err(e) => errors.push(e),
            }
        }
        errors.append(&mut merger.errors);
        validate::validate(&mut set, &mut errors);
        (set, errors)
    }
}

/// Every problem in the built-in rules plus the `*.toml` files of `dir` (empty = all good).
pub fn lint(dir: &Path) -> Vec<LintError> {
    match load::read_dir(dir) {
        Ok(extra) => {
            let (set, mut errors) = RuleSet::from_sources(&extra);
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
        let providers =
            self.providers
                .iter()
                .zip(&self.provider_regexes)
                .flat_map(|(l, (m, h))| {
                    m.iter()
                        .chain(h)
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
        providers
            .chain(rules)
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

/// The plan and escalation tables as raw TOML, for the plan's own typed reading.
pub struct PlanTables {
    pub plan_steps: Vec<toml::Table>,
    pub no_cause_reasons: Vec<toml::Table>,
    pub messages: Vec<toml::Table>,
    pub escalations: Vec<toml::Table>,
    pub senders: Vec<toml::Table>,
}

fn text_table(id: &str, title: Option<&str>, source: &str, extra: &toml::Table) -> toml::Table {
    let mut t = extra.clone();
    t.insert("id".into(), id.into());
    t.insert("source".into(), source.into());
    if let Some(title) = title {
        t.insert("title".into(), title.into());
    }
    t
}

impl RuleSet {
    /// Plan step, no-cause reason, message and escalation rules as tables (overrides applied).
    pub fn plan_tables(&self) -> PlanTables {
        let steps = |list: &[Located<PlanStep>]| {
            list.iter()
                .map(|l| {
                    let r = &l.rule;
                    text_table(&r.id, r.title.as_deref(), &r.source, &r.extra)
                })
                .collect()
        };
        PlanTables {
            plan_steps: steps(&self.plan_steps),
            no_cause_reasons: steps(&self.no_cause_reasons),
            messages: steps(&self.messages),
            escalations: self
                .escalations
                .iter()
                .map(|l| {
                    let r = &l.rule;
                    let mut t = text_table(&r.id, r.title.as_deref(), &r.source, &r.extra);
                    if let Some(p) = &r.provider {
                        t.insert("provider".into(), p.as_str().into());
                    }
                    t
                })
                .collect(),
            senders: self
                .senders
                .iter()
                .map(|l| {
                    let r = &l.rule;
                    let mut t = text_table(&r.id, None, &r.source, &r.extra);
                    t.insert("name".into(), r.name.as_str().into());
                    t
                })
                .collect(),
        }
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
