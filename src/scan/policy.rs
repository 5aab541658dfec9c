//! The suppression policy of `scan`, typed from the `suppression` rules (rules/suppression.toml).

use crate::rules::{Action, Category, RuleSet, SuppressionVerdict};
use serde::Serialize;

/// What a failure means for its recipient, as the policy classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A permanent failure about the address: suppress it now.
    Hard,
    /// The recipient's domain accepts no mail: suppress the domain.
    Domain,
    /// A temporary failure about the recipient: counts toward the soft threshold.
    Soft,
    /// A temporary failure about the sender (rate limit, greylisting ...): retry, never counts.
    SoftNotCounted,
    /// A policy, authentication or reputation block: the address is fine.
    SenderSide,
    /// Anything else (an auto-reply, an accepted reply in a failure line).
    Other,
}

/// The rule behind a verdict, for the output's provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    pub id: String,
    pub source: String,
}

/// The soft-failure threshold: `failures` separate sends over at least `days` days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threshold {
    pub failures: u32,
    pub days: u32,
    /// Where the numbers come from: the rule, or a flag that overrode it.
    pub from: String,
    /// The rule's source.
    pub source: String,
}

/// The whole policy.
#[derive(Debug, Clone)]
pub struct Policy {
    hard: Vec<Action>,
    domain: Vec<Action>,
    soft: Vec<Action>,
    sender_side: Vec<Action>,
    /// Categories each verdict takes whatever their action (hard, domain, soft, sender-side).
    categories: [Vec<Category>; 4],
    sender_side_categories: Vec<Category>,
    pub threshold: Threshold,
    /// The rule of each verdict (suppress, suppress-domain, suppress-soft, do-not-suppress).
    pub rules: Vec<(String, RuleRef)>,
}

impl Policy {
    /// The policy in the loaded rules (built-in or overridden by `--rules DIR`).
    pub fn from_rules(rules: &RuleSet) -> Result<Policy, String> {
        let mut p = Policy {
            hard: Vec::new(),
            domain: Vec::new(),
            soft: Vec::new(),
            sender_side: Vec::new(),
            categories: Default::default(),
            sender_side_categories: Vec::new(),
            threshold: Threshold {
                failures: 0,
                days: 0,
                from: String::new(),
                source: String::new(),
            },
            rules: Vec::new(),
        };
        for l in &rules.suppression {
            let r = &l.rule;
            if let Some(problem) = r.problems().into_iter().next() {
                return Err(format!("{}:{}: {problem}", l.file, l.line));
            }
            let verdict = r.verdict.as_str();
            if p.rules.iter().any(|(v, _)| v == verdict) {
                return Err(format!(
                    "{}:{}: a second rule for verdict `{verdict}`",
                    l.file, l.line
                ));
            }
            let actions = r.actions.clone();
            let slot = match r.verdict {
                SuppressionVerdict::Suppress => 0,
                SuppressionVerdict::SuppressDomain => 1,
                SuppressionVerdict::SuppressSoft => 2,
                SuppressionVerdict::DoNotSuppress => 3,
            };
            p.categories[slot] = r.categories.clone();
            match r.verdict {
                SuppressionVerdict::Suppress => p.hard = actions,
                SuppressionVerdict::SuppressDomain => p.domain = actions,
                SuppressionVerdict::SuppressSoft => {
                    p.soft = actions;
                    p.sender_side_categories = r.sender_side_categories.clone();
                    p.threshold = Threshold {
                        failures: r.failures.unwrap_or(1),
                        days: r.days.unwrap_or(1),
                        from: format!("rule {}", r.id),
                        source: r.source.clone(),
                    };
                }
                SuppressionVerdict::DoNotSuppress => p.sender_side = actions,
            }
            p.rules.push((
                verdict.to_string(),
                RuleRef {
                    id: r.id.clone(),
                    source: r.source.clone(),
                },
            ));
        }
        if p.threshold.failures == 0 {
            return Err("rules: no `suppression` rule with verdict `suppress-soft`".into());
        }
        Ok(p)
    }

    /// Overrides the soft threshold for this run (`--soft-failures`, `--soft-days`).
    pub fn override_threshold(&mut self, failures: Option<u32>, days: Option<u32>) {
        let mut flags = Vec::new();
        if let Some(n) = failures {
            self.threshold.failures = n.max(1);
            flags.push(format!("--soft-failures {n}"));
        }
        if let Some(d) = days {
            self.threshold.days = d;
            flags.push(format!("--soft-days {d}"));
        }
        if !flags.is_empty() {
            self.threshold.from = format!("{} (rule default overridden)", flags.join(" "));
        }
    }

    /// How one failure counts for its recipient.
    pub fn classify(&self, action: Action, category: &str) -> Class {
        let named = |i: usize| self.categories[i].iter().any(|c| c.as_str() == category);
        if named(0) {
            return Class::Hard;
        }
        if named(1) {
            return Class::Domain;
        }
        if named(2) {
            return Class::Soft;
        }
        if named(3) {
            return Class::SenderSide;
        }
        if self.hard.contains(&action) {
            Class::Hard
        } else if self.domain.contains(&action) {
            Class::Domain
        } else if self.sender_side.contains(&action) {
            Class::SenderSide
        } else if self.soft.contains(&action) {
            if self
                .sender_side_categories
                .iter()
                .any(|c| c.as_str() == category)
            {
                Class::SoftNotCounted
            } else {
                Class::Soft
            }
        } else {
            Class::Other
        }
    }

    /// The rule behind a verdict, when the rules have one.
    pub fn rule(&self, verdict: &str) -> Option<&RuleRef> {
        self.rules
            .iter()
            .find(|(v, _)| v == verdict)
            .map(|(_, r)| r)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::SuppressionRule;

    #[test]
    fn builtin_policy_classifies_the_issue_examples() {
        let rules = RuleSet::load(None).unwrap();
        let p = Policy::from_rules(&rules).unwrap();
        assert_eq!(p.threshold.failures, 3);
        assert_eq!(p.threshold.days, 14);
        assert_eq!(
            p.classify(Action::SuppressAddress, "recipient-address"),
            Class::Hard
        );
        assert_eq!(
            p.classify(Action::SuppressDomain, "recipient-domain"),
            Class::Domain
        );
        assert_eq!(
            p.classify(Action::RetryThenSuppress, "mailbox-full"),
            Class::Soft
        );
        assert_eq!(p.classify(Action::Retry, "policy"), Class::SoftNotCounted);
        assert_eq!(
            p.classify(Action::FixAuthentication, "authentication"),
            Class::SenderSide
        );
        assert_eq!(
            p.classify(Action::SlowDown, "rate-limit"),
            Class::SenderSide
        );
        assert_eq!(p.classify(Action::None, "auto-reply"), Class::Other);
        assert_eq!(p.classify(Action::None, "delivery-delayed"), Class::Soft);
    }

    #[test]
    fn a_malformed_table_says_what_is_wrong() {
        let t: SuppressionRule = toml::from_str(
            "id = \"x\"\nsource = \"s\"\ntitle = \"t\"\nverdict = \"suppress-soft\"\nactions = [\"retry\"]\nfailures = 0\nsummary = \"s\"\nwhy = \"w\"\nfix = \"f\"",
        )
        .unwrap();
        let problems = t.problems();
        assert!(
            problems.iter().any(|p| p.contains("`failures`")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("`days`")),
            "{problems:?}"
        );
        let bad = toml::from_str::<SuppressionRule>(
            "id = \"x\"\nsource = \"s\"\ntitle = \"t\"\nverdict = \"suppress\"\nactions = [\"nope\"]\nsummary = \"s\"\nwhy = \"w\"\nfix = \"f\"",
        );
        assert!(bad.unwrap_err().to_string().contains("nope"));
    }
}
