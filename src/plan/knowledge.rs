//! The plan's knowledge as typed data: step texts, no-cause reasons, messages, escalation paths, senders.

use serde::Deserialize;
use std::collections::BTreeMap;

const PLAN_TOML: &str = include_str!("../../rules/plan.toml");
const ESCALATION_TOML: &str = include_str!("../../rules/escalation.toml");
const SENDERS_TOML: &str = include_str!("../../rules/senders.toml");

/// `[[plan_step]]`: the texts of one kind of plan step. Templates may use {domain}, {ip},
/// {helo}, {selector}, {provider}, {code}.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStepText {
    pub id: String,
    pub source: String,
    pub title: String,
    /// The title to use when the step's IP is unknown, so no placeholder is ever shown.
    #[serde(default)]
    pub title_without_ip: Option<String>,
    pub why: String,
    pub verify: String,
}

/// `[[no_cause_reason]]`: a reason a reply can blame DNS that checks clean now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoCauseReason {
    pub id: String,
    pub source: String,
    pub text: String,
    /// The implicated checks this reason fits; empty means any.
    #[serde(default)]
    pub checks: Vec<String>,
}

/// `[[message]]`: a fixed sentence the plan uses (templates as for plan steps).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub id: String,
    pub source: String,
    pub text: String,
}

/// A place to go when escalating.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// `[[escalation]]`: when and where to escalate to one provider, and what to bring.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationRule {
    pub id: String,
    /// Provider id as the rules engine names it ("gmail", "microsoft" ...), or "generic".
    pub provider: String,
    pub source: String,
    /// When the destinations and conditions were last checked (YYYY-MM-DD).
    pub checked: String,
    pub when: Vec<String>,
    #[serde(rename = "where")]
    pub where_: Vec<Link>,
    pub gather: Vec<String>,
    /// Enhanced codes (exact, or a prefix ending in '*') that select this entry over the
    /// provider's general one.
    #[serde(default)]
    pub enhanced: Vec<String>,
    /// Case-insensitive substrings of the reply text that select this entry (e.g. "S3150").
    #[serde(default)]
    pub markers: Vec<String>,
    /// Decoded categories that select this entry (e.g. "blocklist").
    #[serde(default)]
    pub categories: Vec<String>,
}

/// `[[sender]]`: a sending service, the SPF include it documents and how to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendingService {
    pub id: String,
    pub name: String,
    pub source: String,
    /// The name after `include:` in the customer's SPF record.
    pub spf_include: String,
    /// Host-name suffixes: PTR name of the sending IP, HELO name, Received hosts.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// DKIM-Signature d= suffixes the service signs with by default.
    #[serde(default)]
    pub dkim_domains: Vec<String>,
    /// Return-Path domain suffixes of the service's bounce handling.
    #[serde(default)]
    pub return_path_domains: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Why the knowledge could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("{kind} table #{index} ({id}): {message}")]
    Table {
        kind: &'static str,
        index: usize,
        id: String,
        message: String,
    },
    #[error("{file}: {message}")]
    File { file: &'static str, message: String },
    #[error("duplicate {kind} id {id:?}")]
    Duplicate { kind: &'static str, id: String },
}

/// Everything the plan needs from rules/plan.toml and rules/escalation.toml.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub steps: BTreeMap<String, PlanStepText>,
    pub no_cause_reasons: Vec<NoCauseReason>,
    pub messages: BTreeMap<String, Message>,
    pub escalations: Vec<EscalationRule>,
    pub senders: Vec<SendingService>,
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize, max: u32| {
        p.len() == len
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n >= 1 && n <= max)
    };
    matches!(parts.as_slice(), [y, m, d] if num(y, 4, 9999) && num(m, 2, 12) && num(d, 2, 31))
}

fn parse_kind<T: for<'de> Deserialize<'de>>(
    kind: &'static str,
    tables: &[toml::Table],
) -> Result<Vec<T>, KnowledgeError> {
    tables
        .iter()
        .enumerate()
        .map(|(index, t)| {
            toml::Value::Table(t.clone())
                .try_into::<T>()
                .map_err(|e| KnowledgeError::Table {
                    kind,
                    index,
                    id: t
                        .get("id")
                        .and_then(|v| v.as_str())
                        .unwrap_or("?")
                        .to_string(),
                    message: e.to_string().trim().to_string(),
                })
        })
        .collect()
}

fn unique<'a>(
    kind: &'static str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), KnowledgeError> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(KnowledgeError::Duplicate {
                kind,
                id: id.to_string(),
            });
        }
    }
    Ok(())
}

fn array_of_tables(root: &toml::Table, key: &str) -> Vec<toml::Table> {
    root.get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_table().cloned()).collect())
        .unwrap_or_default()
}

impl Knowledge {
    /// Builds the knowledge from raw tables, one slice per kind, as the rules engine hands them.
    pub fn from_tables(
        plan_steps: &[toml::Table],
        no_cause_reasons: &[toml::Table],
        messages: &[toml::Table],
        escalations: &[toml::Table],
        senders: &[toml::Table],
    ) -> Result<Knowledge, KnowledgeError> {
        let steps: Vec<PlanStepText> = parse_kind("plan_step", plan_steps)?;
        let reasons: Vec<NoCauseReason> = parse_kind("no_cause_reason", no_cause_reasons)?;
        let msgs: Vec<Message> = parse_kind("message", messages)?;
        let esc: Vec<EscalationRule> = parse_kind("escalation", escalations)?;
        let senders: Vec<SendingService> = parse_kind("sender", senders)?;
        unique("plan_step", steps.iter().map(|s| s.id.as_str()))?;
        unique("no_cause_reason", reasons.iter().map(|s| s.id.as_str()))?;
        unique("message", msgs.iter().map(|s| s.id.as_str()))?;
        unique("escalation", esc.iter().map(|s| s.id.as_str()))?;
        for (index, e) in esc.iter().enumerate() {
            if !is_date(&e.checked) {
                return Err(KnowledgeError::Table {
                    kind: "escalation",
                    index,
                    id: e.id.clone(),
                    message: format!(
                        "`checked` must be the date the entry was last checked, as YYYY-MM-DD, not {:?}",
                        e.checked
                    ),
                });
            }
        }
        unique("sender", senders.iter().map(|s| s.id.as_str()))?;
        Ok(Knowledge {
            steps: steps.into_iter().map(|s| (s.id.clone(), s)).collect(),
            no_cause_reasons: reasons,
            messages: msgs.into_iter().map(|m| (m.id.clone(), m)).collect(),
            escalations: esc,
            senders,
        })
    }

    /// The knowledge embedded in the binary (rules/plan.toml and rules/escalation.toml).
    pub fn builtin() -> Result<Knowledge, KnowledgeError> {
        let plan: toml::Table = toml::from_str(PLAN_TOML).map_err(|e| KnowledgeError::File {
            file: "rules/plan.toml",
            message: e.to_string(),
        })?;
        let esc: toml::Table =
            toml::from_str(ESCALATION_TOML).map_err(|e| KnowledgeError::File {
                file: "rules/escalation.toml",
                message: e.to_string(),
            })?;
        let senders: toml::Table =
            toml::from_str(SENDERS_TOML).map_err(|e| KnowledgeError::File {
                file: "rules/senders.toml",
                message: e.to_string(),
            })?;
        Knowledge::from_tables(
            &array_of_tables(&plan, "plan_step"),
            &array_of_tables(&plan, "no_cause_reason"),
            &array_of_tables(&plan, "message"),
            &array_of_tables(&esc, "escalation"),
            &array_of_tables(&senders, "sender"),
        )
    }

    /// Texts of a plan step; a missing id yields the id itself so a gap shows, never panics.
    pub fn step(&self, id: &str) -> PlanStepText {
        self.steps.get(id).cloned().unwrap_or_else(|| PlanStepText {
            id: id.to_string(),
            source: String::new(),
            title: id.to_string(),
            title_without_ip: None,
            why: String::new(),
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

    #[test]
    fn builtin_knowledge_parses_and_ids_are_kebab_case_with_sources() {
        let k = Knowledge::builtin().unwrap();
        assert!(k.steps.len() >= 15);
        assert!(!k.escalations.is_empty());
        for id in k
            .steps
            .keys()
            .chain(k.messages.keys())
            .chain(k.no_cause_reasons.iter().map(|r| &r.id))
            .chain(k.escalations.iter().map(|e| &e.id))
        {
            assert!(crate::finding::is_kebab_case(id), "{id}");
        }
        for s in k.steps.values() {
            assert!(!s.source.is_empty(), "{}", s.id);
        }
        for e in &k.escalations {
            assert!(e.source.starts_with("https://"), "{}", e.id);
        }
        assert!(k.senders.len() >= 10);
        for s in &k.senders {
            assert!(crate::finding::is_kebab_case(&s.id), "{}", s.id);
            assert!(s.source.starts_with("https://"), "{}", s.id);
            assert!(!s.spf_include.is_empty() && !s.hosts.is_empty(), "{}", s.id);
        }
    }

    #[test]
    fn a_bad_table_is_reported_with_its_id() {
        let t: toml::Table = toml::from_str("id = \"x\"\ntitle = 3").unwrap();
        let err = Knowledge::from_tables(&[t], &[], &[], &[], &[]).unwrap_err();
        assert!(err.to_string().contains("plan_step table #0 (x)"), "{err}");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let t: toml::Table = toml::from_str("id = \"x\"\nsource = \"s\"\ntext = \"t\"").unwrap();
        let err = Knowledge::from_tables(&[], &[], &[t.clone(), t], &[], &[]).unwrap_err();
        assert!(matches!(err, KnowledgeError::Duplicate { .. }));
    }
}
