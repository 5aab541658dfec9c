//! The rules knowledge base: loading, validating and matching rules/*.toml.

mod decode;
mod docs;
pub mod embedded;
mod lazy_regex;
mod load;
pub mod schema;
pub mod types;
mod validate;

pub use docs::{RuleDoc, RuleSummary};
pub use load::{LintError, RulesError};
pub use schema::*;
pub use types::*;
pub use validate::{KNOWN_CHECKS, is_enhanced_pattern};

use std::path::Path;

/// The kind of a rule table (its `[[name]]` in the TOML files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Class,
    SubjectDigit,
    Basic,
    EnhancedClass,
    EnhancedSubject,
    Enhanced,
    Handling,
    Provider,
    ProviderRule,
    Phrase,
    Finding,
    PlanStep,
    NoCauseReason,
    Message,
    Escalation,
    Sender,
    Suppression,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Class => "class",
            Kind::SubjectDigit => "subject_digit",
            Kind::Basic => "basic",
            Kind::EnhancedClass => "enhanced_class",
            Kind::EnhancedSubject => "enhanced_subject",
            Kind::Enhanced => "enhanced",
            Kind::Handling => "handling",
            Kind::Provider => "provider",
            Kind::ProviderRule => "provider_rule",
            Kind::Phrase => "phrase",
            Kind::Finding => "finding",
            Kind::PlanStep => "plan_step",
            Kind::NoCauseReason => "no_cause_reason",
            Kind::Message => "message",
            Kind::Escalation => "escalation",
            Kind::Sender => "sender",
            Kind::Suppression => "suppression",
        }
    }
}

/// A rule and the file:line it was read from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub file: String,
    pub line: usize,
    pub rule: T,
}

/// Any one rule, borrowed from the set (what [`RuleSet::get`] returns).
#[derive(Debug, Clone, Copy)]
pub enum Rule<'a> {
    Class(&'a Located<ClassRule>),
    SubjectDigit(&'a Located<SubjectDigitRule>),
    Basic(&'a Located<BasicRule>),
    EnhancedClass(&'a Located<EnhancedClassRule>),
    EnhancedSubject(&'a Located<EnhancedSubjectRule>),
    Enhanced(&'a Located<EnhancedRule>),
    Handling(&'a Located<HandlingRule>),
    Provider(&'a Located<Provider>),
    ProviderRule(&'a Located<ProviderRule>),
    Phrase(&'a Located<ProviderRule>),
    Finding(&'a Located<FindingRule>),
    PlanStep(&'a Located<PlanStep>),
    NoCauseReason(&'a Located<PlanStep>),
    Message(&'a Located<PlanStep>),
    Escalation(&'a Located<Escalation>),
    Sender(&'a Located<Sender>),
    Suppression(&'a Located<PlanStep>),
}

/// Every rule, validated, in file order (built-ins first, then `--rules DIR` overrides).
#[derive(Debug, Default)]
pub struct RuleSet {
    pub classes: Vec<Located<ClassRule>>,
    pub subject_digits: Vec<Located<SubjectDigitRule>>,
    pub basics: Vec<Located<BasicRule>>,
    pub enhanced_classes: Vec<Located<EnhancedClassRule>>,
    pub enhanced_subjects: Vec<Located<EnhancedSubjectRule>>,
    pub enhanced: Vec<Located<EnhancedRule>>,
    pub handling: Vec<Located<HandlingRule>>,
    pub providers: Vec<Located<Provider>>,
    pub provider_rules: Vec<Located<ProviderRule>>,
    /// Provider-less text rules: they decide only where the codes say nothing specific.
    pub phrases: Vec<Located<ProviderRule>>,
    pub findings: Vec<Located<FindingRule>>,
    pub plan_steps: Vec<Located<PlanStep>>,
    pub no_cause_reasons: Vec<Located<PlanStep>>,
    pub messages: Vec<Located<PlanStep>>,
    pub escalations: Vec<Located<Escalation>>,
    pub senders: Vec<Located<Sender>>,
    /// `mailtriage scan`'s per-address decisions (typed by `scan::policy`).
    pub suppression: Vec<Located<PlanStep>>,
    /// (markers, hosts) of each provider, aligned with `providers`.
    provider_regexes: Vec<(Vec<lazy_regex::LazyRegex>, Vec<lazy_regex::LazyRegex>)>,
    /// `pattern` of each provider rule, aligned with `provider_rules`.
    rule_regexes: Vec<Option<lazy_regex::LazyRegex>>,
    /// `pattern` of each phrase rule, aligned with `phrases`.
    phrase_regexes: Vec<Option<lazy_regex::LazyRegex>>,
    /// (subject, detail) to its registry entry in `enhanced`, built on the first decode.
    enhanced_index: std::sync::OnceLock<std::collections::HashMap<(u16, u16), usize>>,
    /// Every provider marker in one automaton (and the provider each belongs to), built on the
    /// first decode; `None` when the set does not compile and markers are tried one by one.
    marker_set: std::sync::OnceLock<Option<(regex::RegexSet, Vec<usize>)>>,
}

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

    /// The rule with this id, of whatever kind.
    pub fn get(&self, id: &str) -> Option<Rule<'_>> {
        fn find<'a, T, F: Fn(&T) -> &str>(
            v: &'a [Located<T>],
            id: &str,
            f: F,
        ) -> Option<&'a Located<T>> {
            v.iter().find(|l| f(&l.rule) == id)
        }
        find(&self.classes, id, |r| &r.id)
            .map(Rule::Class)
            .or_else(|| find(&self.subject_digits, id, |r| &r.id).map(Rule::SubjectDigit))
            .or_else(|| find(&self.basics, id, |r| &r.id).map(Rule::Basic))
            .or_else(|| find(&self.enhanced_classes, id, |r| &r.id).map(Rule::EnhancedClass))
            .or_else(|| find(&self.enhanced_subjects, id, |r| &r.id).map(Rule::EnhancedSubject))
            .or_else(|| find(&self.enhanced, id, |r| &r.id).map(Rule::Enhanced))
            .or_else(|| find(&self.handling, id, |r| &r.id).map(Rule::Handling))
            .or_else(|| find(&self.providers, id, |r| &r.id).map(Rule::Provider))
            .or_else(|| find(&self.provider_rules, id, |r| &r.id).map(Rule::ProviderRule))
            .or_else(|| find(&self.phrases, id, |r| &r.id).map(Rule::Phrase))
            .or_else(|| find(&self.findings, id, |r| &r.id).map(Rule::Finding))
            .or_else(|| find(&self.plan_steps, id, |r| &r.id).map(Rule::PlanStep))
            .or_else(|| find(&self.no_cause_reasons, id, |r| &r.id).map(Rule::NoCauseReason))
            .or_else(|| find(&self.messages, id, |r| &r.id).map(Rule::Message))
            .or_else(|| find(&self.escalations, id, |r| &r.id).map(Rule::Escalation))
            .or_else(|| find(&self.senders, id, |r| &r.id).map(Rule::Sender))
            .or_else(|| find(&self.suppression, id, |r| &r.id).map(Rule::Suppression))
    }

    /// The finding text for a finding id.
    pub fn finding(&self, id: &str) -> Option<&FindingRule> {
        self.findings.iter().map(|l| &l.rule).find(|r| r.id == id)
    }

    /// A provider by id.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().map(|l| &l.rule).find(|r| r.id == id)
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
