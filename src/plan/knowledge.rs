//! The plan's view of the loaded rules: step texts, messages, no-cause reasons, escalation
//! paths and senders, looked up by id (read and validated once, by the rules loader).

use crate::rules::RuleSet;
use std::collections::{BTreeMap, HashMap};

pub use crate::rules::{
    EscalationRule, Link, Message, NoCauseReason, PlanStepText, SendingService,
};

/// Everything the plan needs from the rules.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub steps: BTreeMap<String, PlanStepText>,
    pub no_cause_reasons: Vec<NoCauseReason>,
    pub messages: BTreeMap<String, Message>,
    pub escalations: Vec<EscalationRule>,
    pub senders: Vec<SendingService>,
    /// Provider and phrase rule id -> whose escalation path its replies take (its `escalation`).
    pub rule_escalations: HashMap<String, String>,
    /// Provider id -> name, for the escalation heading.
    pub provider_names: HashMap<String, String>,
    /// Providers whose reverse-DNS refusals a generic PTR name that resolves back satisfies
    /// (their `generic_ptr_accepted`).
    pub generic_ptr_accepted: Vec<String>,
    /// Lookup-page paths the checks know (`DnsCheck::quoted_lookup_paths`), which a reply
    /// quotes with the listed domain after it.
    pub domain_lookup_links: Vec<String>,
}

impl Knowledge {
    /// The knowledge of a loaded (so already validated) rule set.
    pub fn new(rules: &RuleSet) -> Knowledge {
        Knowledge {
            steps: rules
                .plan_steps
                .iter()
                .map(|l| (l.rule.id.clone(), l.rule.clone()))
                .collect(),
            no_cause_reasons: rules
                .no_cause_reasons
                .iter()
                .map(|l| l.rule.clone())
                .collect(),
            messages: rules
                .messages
                .iter()
                .map(|l| (l.rule.id.clone(), l.rule.clone()))
                .collect(),
            escalations: rules.escalations.iter().map(|l| l.rule.clone()).collect(),
            senders: rules.senders.iter().map(|l| l.rule.clone()).collect(),
            rule_escalations: rules
                .provider_rules
                .iter()
                .chain(&rules.phrases)
                .filter_map(|l| Some((l.rule.id.clone(), l.rule.escalation.clone()?)))
                .collect(),
            provider_names: rules
                .providers
                .iter()
                .map(|l| (l.rule.id.clone(), l.rule.name.clone()))
                .collect(),
            generic_ptr_accepted: rules
                .providers
                .iter()
                .filter(|l| l.rule.generic_ptr_accepted)
                .map(|l| l.rule.id.clone())
                .collect(),
            domain_lookup_links: crate::checks::REGISTRY
                .iter()
                .flat_map(|c| c.quoted_lookup_paths(rules))
                .collect(),
        }
    }

    /// The knowledge of the built-in rules.
    pub fn builtin() -> Result<Knowledge, crate::rules::RulesError> {
        RuleSet::load(None).map(|r| Knowledge::new(&r))
    }

    /// Texts of a plan step; a missing id yields the id itself so a gap shows, never panics.
    pub fn step(&self, id: &str) -> PlanStepText {
        self.steps.get(id).cloned().unwrap_or_else(|| PlanStepText {
            id: id.to_string(),
            source: String::new(),
            title: id.to_string(),
            title_without_ip: None,
            title_several: None,
            why: String::new(),
            why_several: None,
            verify: "mailtriage check {domain}".to_string(),
        })
    }

    pub fn message(&self, id: &str) -> String {
        self.messages
            .get(id)
            .map(|m| m.text.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// A message with its `{name}` placeholders filled.
    pub fn message_with(&self, id: &str, vars: &[(&str, &str)]) -> String {
        fill(&self.message(id), vars)
    }
}

/// Fills `{name}` placeholders; unknown placeholders are left as written.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn builtin_knowledge_loads() {
        let k = Knowledge::builtin().unwrap();
        assert!(k.steps.len() >= 15);
        assert!(!k.escalations.is_empty());
        assert!(k.senders.len() >= 10);
        assert_eq!(
            k.rule_escalations
                .get("generic-spamhaus-listed")
                .map(String::as_str),
            Some("spamhaus")
        );
    }

    /// A rule that sends its replies to an operator's path (`escalation = "t-online"`) must
    /// find an entry there: without one the reply falls back to the generic postmaster
    /// mailbox, which is not where a T-Online, Orange or Barracuda block is lifted.
    #[test]
    fn every_escalation_a_rule_names_has_an_entry() {
        let k = Knowledge::builtin().unwrap();
        for (rule, target) in &k.rule_escalations {
            assert!(
                k.escalations.iter().any(|e| &e.provider == target),
                "rule {rule} escalates to {target}, which has no [[escalation]] entry"
            );
        }
    }

    /// Every plan step and message id the plan's code names is defined by the built-in rules,
    /// so no step is ever shown as its bare id.
    #[test]
    fn every_step_and_message_the_plan_names_is_defined() {
        let k = Knowledge::builtin().unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/plan");
        let step = regex::Regex::new(r#"Draft::new\(\s*"([a-z0-9-]+)""#).unwrap();
        let msg = regex::Regex::new(r#"message(?:_with)?\(\s*"([a-z0-9-]+)""#).unwrap();
        let (mut steps, mut messages) = (0, 0);
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let src = std::fs::read_to_string(entry.path()).unwrap();
            for c in step.captures_iter(&src) {
                steps += 1;
                assert!(k.steps.contains_key(&c[1]), "plan step {} undefined", &c[1]);
            }
            for c in msg.captures_iter(&src) {
                messages += 1;
                assert!(
                    k.messages.contains_key(&c[1]),
                    "message {} undefined",
                    &c[1]
                );
            }
        }
        for (step, _) in [
            crate::rules::Action::SlowDown,
            crate::rules::Action::Retry,
            crate::rules::Action::SuppressAddress,
            crate::rules::Action::SuppressDomain,
            crate::rules::Action::RetryThenSuppress,
            crate::rules::Action::FixSenderConfig,
            crate::rules::Action::RequestDelisting,
            crate::rules::Action::FixInfrastructure,
        ]
        .into_iter()
        .filter_map(crate::rules::knowledge::action_step)
        {
            assert!(k.steps.contains_key(step), "plan step {step} undefined");
        }
        assert!(
            steps >= 15 && messages >= 15,
            "{steps} steps, {messages} messages"
        );
    }
}
