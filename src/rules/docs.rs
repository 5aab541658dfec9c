//! Rule documentation in fixed sections (summary, why it matters, what to do, references) for `rules show`.

use super::{Kind, Rule, RuleSet};
use serde::Serialize;

/// One line of `rules list`.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub id: String,
    pub kind: Kind,
    pub title: String,
}

/// The sections `rules show ID` prints; the CLI renders them.
#[derive(Debug, Clone, Serialize)]
pub struct RuleDoc {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub why: String,
    pub what_to_do: String,
    pub references: Vec<String>,
    /// `file:line` the rule was read from.
    pub location: String,
}

fn why_from(category: &str, checks: &[String], why: Option<&String>) -> String {
    if let Some(w) = why {
        return w.clone();
    }
    let mut s = format!("The reply is classed as `{category}`.");
    if !checks.is_empty() {
        s.push_str(&format!(
            " It implicates these checks of the sending domain: {}.",
            checks.join(", ")
        ));
    }
    s
}

impl RuleSet {
    /// Every rule: id, kind and a one-line title, in load order.
    pub fn list(&self) -> Vec<RuleSummary> {
        let mut out = Vec::new();
        let mut push = |id: &str, kind: Kind, title: String| {
            out.push(RuleSummary {
                id: id.to_string(),
                kind,
                title,
            })
        };
        for l in &self.classes {
            push(
                &l.rule.id,
                Kind::Class,
                format!("{}xx {}", l.rule.digit, l.rule.name),
            );
        }
        for l in &self.subject_digits {
            push(
                &l.rule.id,
                Kind::SubjectDigit,
                format!("x{}x {}", l.rule.digit, l.rule.name),
            );
        }
        for l in &self.basics {
            push(
                &l.rule.id,
                Kind::Basic,
                format!("{} {}", l.rule.code, l.rule.title),
            );
        }
        for l in &self.enhanced_classes {
            push(
                &l.rule.id,
                Kind::EnhancedClass,
                format!("{}.X.X {}", l.rule.class, l.rule.name),
            );
        }
        for l in &self.enhanced_subjects {
            push(
                &l.rule.id,
                Kind::EnhancedSubject,
                format!("X.{}.X {}", l.rule.subject, l.rule.name),
            );
        }
        for l in &self.enhanced {
            push(
                &l.rule.id,
                Kind::Enhanced,
                format!("{} {}", l.rule.code, l.rule.title),
            );
        }
        for l in &self.handling {
            push(
                &l.rule.id,
                Kind::Handling,
                format!("{}: {}", l.rule.action.as_str(), l.rule.note),
            );
        }
        for l in &self.providers {
            push(&l.rule.id, Kind::Provider, l.rule.name.clone());
        }
        for l in &self.provider_rules {
            push(&l.rule.id, Kind::ProviderRule, l.rule.meaning.clone());
        }
        for l in &self.phrases {
            push(&l.rule.id, Kind::Phrase, l.rule.meaning.clone());
        }
        for l in &self.findings {
            push(&l.rule.id, Kind::Finding, l.rule.title.clone());
        }
        for (kind, list) in [
            (Kind::PlanStep, &self.plan_steps),
            (Kind::NoCauseReason, &self.no_cause_reasons),
            (Kind::Message, &self.messages),
        ] {
            for l in list {
                push(&l.rule.id, kind, l.rule.title.clone().unwrap_or_default());
            }
        }
        for l in &self.escalations {
            push(
                &l.rule.id,
                Kind::Escalation,
                l.rule.title.clone().unwrap_or_default(),
            );
        }
        for l in &self.senders {
            push(&l.rule.id, Kind::Sender, l.rule.name.clone());
        }
        for l in &self.suppression {
            push(
                &l.rule.id,
                Kind::Suppression,
                l.rule.title.clone().unwrap_or_default(),
            );
        }
        for s in &mut out {
            // One line: the CLI prints titles in a column.
            if let Some(first) = s.title.lines().next() {
                s.title = first.to_string();
            }
        }
        out
    }

    /// What the handling table decides for a code of each failure class.
    fn handling_text(
        &self,
        basic: Option<u16>,
        subject_detail: Option<&str>,
        category: &str,
    ) -> String {
        let classes: Vec<u16> = match basic {
            Some(b) => vec![b / 100],
            None => vec![5, 4],
        };
        let mut parts = Vec::new();
        for class in classes {
            let enhanced = subject_detail.map(|sd| format!("{class}.{sd}"));
            if let Some(h) = self.handling_for(Some(class), basic, enhanced.as_deref(), category) {
                let label = enhanced.unwrap_or_else(|| match basic {
                    Some(b) => b.to_string(),
                    None => format!("{class}xx"),
                });
                parts.push(format!(
                    "{label}: {} ({} bounce). {}",
                    h.action.as_str(),
                    bounce(h.bounce_type),
                    h.note
                ));
            }
        }
        parts.join("\n")
    }

    /// The documentation sections of one rule.
    pub fn show(&self, id: &str) -> Option<RuleDoc> {
        let rule = self.get(id)?;
        let (kind, file, line, title, summary, why, what, refs): (
            Kind,
            &str,
            usize,
            String,
            String,
            String,
            String,
            Vec<String>,
        ) = match rule {
            Rule::Class(l) => (
                Kind::Class,
                &l.file,
                l.line,
                format!("{}xx {}", l.rule.digit, l.rule.name),
                l.rule.meaning.clone(),
                String::new(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::SubjectDigit(l) => (
                Kind::SubjectDigit,
                &l.file,
                l.line,
                format!("x{}x {}", l.rule.digit, l.rule.name),
                l.rule.meaning.clone(),
                String::new(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::Basic(l) => {
                let r = &l.rule;
                (
                    Kind::Basic,
                    &l.file,
                    l.line,
                    format!("{} {}", r.code, r.title),
                    r.meaning.clone(),
                    why_from(&r.category, &r.checks, r.why.as_ref()),
                    self.handling_text(Some(r.code), None, &r.category),
                    vec![r.source.clone()],
                )
            }
            Rule::EnhancedClass(l) => (
                Kind::EnhancedClass,
                &l.file,
                l.line,
                format!("{}.X.X {}", l.rule.class, l.rule.name),
                l.rule.meaning.clone(),
                String::new(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::EnhancedSubject(l) => (
                Kind::EnhancedSubject,
                &l.file,
                l.line,
                format!("X.{}.X {}", l.rule.subject, l.rule.name),
                l.rule.meaning.clone(),
                String::new(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::Enhanced(l) => {
                let r = &l.rule;
                let sd = r.code.split_once('.').map(|(_, sd)| sd);
                (
                    Kind::Enhanced,
                    &l.file,
                    l.line,
                    format!("{} {}", r.code, r.title),
                    r.meaning.clone(),
                    why_from(&r.category, &r.checks, r.why.as_ref()),
                    self.handling_text(None, sd, &r.category),
                    vec![r.source.clone()],
                )
            }
            Rule::Handling(l) => {
                let r = &l.rule;
                (
                    Kind::Handling,
                    &l.file,
                    l.line,
                    format!("handling: {}", r.action.as_str()),
                    r.note.clone(),
                    format!("Bounce type: {}.", bounce(r.bounce_type)),
                    format!("{}: {}", r.action.as_str(), r.note),
                    vec![r.source.clone()],
                )
            }
            Rule::Provider(l) => (
                Kind::Provider,
                &l.file,
                l.line,
                l.rule.name.clone(),
                format!(
                    "Recognised by markers {:?} and hosts {:?}.",
                    l.rule.markers, l.rule.hosts
                ),
                String::new(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::ProviderRule(l) | Rule::Phrase(l) => {
                let kind = if matches!(rule, Rule::Phrase(_)) {
                    Kind::Phrase
                } else {
                    Kind::ProviderRule
                };
                let r = &l.rule;
                let extra = |k: &str| r.extra.get(k).and_then(|v| v.as_str()).map(str::to_string);
                let what = match (r.action, &r.note) {
                    (Some(a), Some(n)) => format!("{}: {n}", a.as_str()),
                    (Some(a), None) => a.as_str().to_string(),
                    (None, Some(n)) => n.clone(),
                    (None, None) => self.handling_text(
                        r.basic.first().copied(),
                        r.enhanced
                            .first()
                            .and_then(|e| e.split_once('.'))
                            .map(|(_, sd)| sd),
                        &r.category,
                    ),
                };
                (
                    kind,
                    &l.file,
                    l.line,
                    r.meaning.lines().next().unwrap_or("").to_string(),
                    r.meaning.clone(),
                    extra("why").unwrap_or_else(|| why_from(&r.category, &r.checks, None)),
                    extra("fix").unwrap_or(what),
                    vec![r.source.clone()],
                )
            }
            Rule::Finding(l) => {
                let r = &l.rule;
                (
                    Kind::Finding,
                    &l.file,
                    l.line,
                    r.title.clone(),
                    r.summary.clone(),
                    r.why.clone(),
                    r.fix.clone(),
                    vec![r.source.clone()],
                )
            }
            Rule::PlanStep(l) | Rule::NoCauseReason(l) | Rule::Message(l) => (
                match rule {
                    Rule::NoCauseReason(_) => Kind::NoCauseReason,
                    Rule::Message(_) => Kind::Message,
                    _ => Kind::PlanStep,
                },
                &l.file,
                l.line,
                l.rule.title.clone().unwrap_or_default(),
                table_text(&l.rule.extra, "summary"),
                table_text(&l.rule.extra, "why"),
                table_text(&l.rule.extra, "fix"),
                vec![l.rule.source.clone()],
            ),
            Rule::Sender(l) => (
                Kind::Sender,
                &l.file,
                l.line,
                l.rule.name.clone(),
                format!(
                    "Recognised sending service; its SPF include is `include:{}`.",
                    table_text(&l.rule.extra, "spf_include")
                ),
                "When a bounce, the HELO name or the sending IP's reverse DNS shows this service, the plan authorises it with its include instead of the bare IP.".to_string(),
                table_text(&l.rule.extra, "note"),
                vec![l.rule.source.clone()],
            ),
            Rule::Suppression(l) => (
                Kind::Suppression,
                &l.file,
                l.line,
                l.rule.title.clone().unwrap_or_default(),
                table_text(&l.rule.extra, "summary"),
                table_text(&l.rule.extra, "why"),
                table_text(&l.rule.extra, "fix"),
                vec![l.rule.source.clone()],
            ),
            Rule::Escalation(l) => (
                Kind::Escalation,
                &l.file,
                l.line,
                l.rule.title.clone().unwrap_or_default(),
                table_text(&l.rule.extra, "summary"),
                table_text(&l.rule.extra, "why"),
                table_text(&l.rule.extra, "steps"),
                vec![l.rule.source.clone()],
            ),
        };
        Some(RuleDoc {
            id: id.to_string(),
            kind,
            title,
            summary,
            why,
            what_to_do: what,
            references: refs,
            location: format!("{file}:{line}"),
        })
    }
}

/// A string, or an array of strings one per line, from a rule's free-form fields.
fn table_text(t: &toml::Table, key: &str) -> String {
    match t.get(key) {
        Some(toml::Value::String(s)) => s.clone(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str())
            .map(|s| format!("- {s}"))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn bounce(b: super::BounceType) -> &'static str {
    match b {
        super::BounceType::Hard => "hard",
        super::BounceType::Soft => "soft",
        super::BounceType::Technical => "technical",
        super::BounceType::None => "no",
    }
}
