//! The rule set: every rule by kind, each with the file:line it was read from.

use super::check_tables::{CheckTables, RowRef, WITH_TABLES};
use super::fingerprints::{Patterns, TextSet};
use super::knowledge::*;
use super::lazy_regex;
use super::schema::*;
use super::vocabulary::Vocabulary;
use crate::finding::Check;

/// The kind of a rule table (its `[[name]]` in the TOML files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    DkimSelectors,
    Mechanism,
    MechanismCue,
    Suppression,
    /// A check's own table (`check_tables`), `[[<check name>]]`.
    Check(Check),
}

impl Kind {
    /// The loader's own kinds; `all()` adds the checks' tables.
    pub const ALL: [Kind; 20] = [
        Kind::Class,
        Kind::SubjectDigit,
        Kind::Basic,
        Kind::EnhancedClass,
        Kind::EnhancedSubject,
        Kind::Enhanced,
        Kind::Handling,
        Kind::Provider,
        Kind::ProviderRule,
        Kind::Phrase,
        Kind::Finding,
        Kind::PlanStep,
        Kind::NoCauseReason,
        Kind::Message,
        Kind::Escalation,
        Kind::Sender,
        Kind::DkimSelectors,
        Kind::Mechanism,
        Kind::MechanismCue,
        Kind::Suppression,
    ];

    /// Every kind of table the loader reads: its own, then the checks' (registry order).
    pub fn all() -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .chain(WITH_TABLES.iter().map(|c| Kind::Check(*c)))
            .collect()
    }

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
            Kind::DkimSelectors => "dkim_selectors",
            Kind::Mechanism => "mechanism",
            Kind::MechanismCue => "mechanism_cue",
            Kind::Suppression => "suppression",
            Kind::Check(c) => c.as_str(),
        }
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

pub use super::located::Located;

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
    PlanStep(&'a Located<PlanStepText>),
    NoCauseReason(&'a Located<NoCauseReason>),
    Message(&'a Located<Message>),
    Escalation(&'a Located<EscalationRule>),
    Sender(&'a Located<SendingService>),
    DkimSelectors(&'a Located<DkimSelectorRule>),
    Mechanism(&'a Located<Mechanism>),
    MechanismCue(&'a Located<MechanismCue>),
    Suppression(&'a Located<SuppressionRule>),
    /// A row of a check's own table.
    Check(Check, RowRef<'a>),
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
    pub plan_steps: Vec<Located<PlanStepText>>,
    pub no_cause_reasons: Vec<Located<NoCauseReason>>,
    pub messages: Vec<Located<Message>>,
    pub escalations: Vec<Located<EscalationRule>>,
    pub senders: Vec<Located<SendingService>>,
    /// DKIM selectors to probe (rules/selectors.toml), read by DKIM discovery.
    pub dkim_selectors: Vec<Located<DkimSelectorRule>>,
    /// The mechanism vocabulary (rules/mechanisms.toml), in precedence order.
    pub mechanisms: Vec<Located<Mechanism>>,
    pub mechanism_cues: Vec<Located<MechanismCue>>,
    /// Each provider's fingerprints, compiled, aligned with `providers`.
    pub(super) provider_patterns: Vec<Patterns>,
    /// The mechanism vocabulary and its cues, compiled.
    pub(super) vocabulary: Vocabulary,
    /// `mailtriage scan`'s per-address decisions (rules/suppression.toml; see `scan::policy`).
    pub suppression: Vec<Located<SuppressionRule>>,
    /// The checks' own tables, each read only by its check.
    pub checks: CheckTables,
    /// `pattern` of each provider rule, aligned with `provider_rules`.
    pub(super) rule_regexes: Vec<Option<lazy_regex::LazyRegex>>,
    /// `pattern` of each phrase rule, aligned with `phrases`.
    pub(super) phrase_regexes: Vec<Option<lazy_regex::LazyRegex>>,
    /// (subject, detail) to its registry entry in `enhanced`, built on the first decode.
    pub(super) enhanced_index: std::sync::OnceLock<std::collections::HashMap<(u16, u16), usize>>,
    /// Every provider's text fingerprints in one automaton, built on the first decode.
    pub(super) text_set: std::sync::OnceLock<TextSet>,
    /// The tables loaded: with `Tables::Reply` only decoding's are filled.
    pub tables: super::tables::Tables,
}

impl RuleSet {
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
            .or_else(|| find(&self.dkim_selectors, id, |r| &r.id).map(Rule::DkimSelectors))
            .or_else(|| find(&self.mechanisms, id, |r| &r.id).map(Rule::Mechanism))
            .or_else(|| find(&self.mechanism_cues, id, |r| &r.id).map(Rule::MechanismCue))
            .or_else(|| find(&self.suppression, id, |r| &r.id).map(Rule::Suppression))
            .or_else(|| {
                let (check, row) = self
                    .checks
                    .rows()
                    .into_iter()
                    .find(|(_, r)| r.row.row_id() == id)?;
                Some(Rule::Check(check, row))
            })
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
