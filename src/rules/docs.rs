//! Rule documentation in fixed sections (summary, why it matters, what to do, references) for `rules show`.

use super::set::{Kind, Rule, RuleSet};
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
        for l in &self.plan_steps {
            push(&l.rule.id, Kind::PlanStep, l.rule.title.clone());
        }
        for l in &self.no_cause_reasons {
            push(&l.rule.id, Kind::NoCauseReason, String::new());
        }
        for l in &self.messages {
            push(&l.rule.id, Kind::Message, String::new());
        }
        for l in &self.escalations {
            push(&l.rule.id, Kind::Escalation, String::new());
        }
        for l in &self.senders {
            push(&l.rule.id, Kind::Sender, l.rule.name.clone());
        }
        for l in &self.dkim_selectors {
            push(&l.rule.id, Kind::DkimSelectors, l.rule.name.clone());
        }
        for l in &self.mechanisms {
            push(
                &l.rule.id,
                Kind::Mechanism,
                format!("words naming {}", l.rule.name),
            );
        }
        for l in &self.mechanism_cues {
            push(
                &l.rule.id,
                Kind::MechanismCue,
                format!("{:?} cue", l.rule.kind).to_ascii_lowercase(),
            );
        }
        for l in &self.suppression {
            push(&l.rule.id, Kind::Suppression, l.rule.title.clone());
        }
        for (check, r) in self.checks.rows() {
            push(r.row.row_id(), Kind::Check(check), r.row.doc().title);
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
                    "Recognised by hosts {:?}, links {:?}, tokens {:?}, wording {:?} and markers {:?}{}.",
                    l.rule.hosts,
                    l.rule.links,
                    l.rule.tokens,
                    l.rule.wording,
                    l.rule.markers,
                    if l.rule.gateway {
                        "; a gateway, which passes other providers' replies on"
                    } else if l.rule.software {
                        "; server software, whose signals name no provider"
                    } else {
                        ""
                    }
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
                    why_from(&r.category, &r.checks, None),
                    what,
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
            Rule::PlanStep(l) => (
                Kind::PlanStep,
                &l.file,
                l.line,
                l.rule.title.clone(),
                String::new(),
                l.rule.why.clone(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::NoCauseReason(l) => (
                Kind::NoCauseReason,
                &l.file,
                l.line,
                String::new(),
                l.rule.text.clone(),
                String::new(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::Message(l) => (
                Kind::Message,
                &l.file,
                l.line,
                String::new(),
                l.rule.text.clone(),
                String::new(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::Sender(l) => (
                Kind::Sender,
                &l.file,
                l.line,
                l.rule.name.clone(),
                format!(
                    "Recognised sending service; its SPF include is `include:{}`.",
                    l.rule.spf_include
                ),
                "When a bounce, the HELO name or the sending IP's reverse DNS shows this service, the plan authorises it with its include instead of the bare IP.".to_string(),
                l.rule.note.clone().unwrap_or_default(),
                vec![l.rule.source.clone()],
            ),
            Rule::Escalation(l) => {
                let r = &l.rule;
                let list = |items: &[String]| {
                    items
                        .iter()
                        .map(|s| format!("- {s}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                let places: Vec<String> = r
                    .where_
                    .iter()
                    .map(|w| format!("- {}: {}", w.name, w.url))
                    .collect();
                (
                    Kind::Escalation,
                    &l.file,
                    l.line,
                    format!("Escalation to {}", r.provider),
                    {
                        let only: Vec<String> = r
                            .when_reply
                            .iter()
                            .map(|c| format!("{} (only for a reply: {})", c.text, c.if_))
                            .collect();
                        format!("When:\n{}", list(&[r.when.clone(), only].concat()))
                    },
                    String::new(),
                    format!(
                        "Where:\n{}\n\nGather:\n{}",
                        places.join("\n"),
                        list(&r.gather)
                    ),
                    vec![r.source.clone()],
                )
            }
            Rule::DkimSelectors(l) => (
                Kind::DkimSelectors,
                &l.file,
                l.line,
                l.rule.name.clone(),
                format!(
                    "DKIM selectors probed ({} tier): {}.",
                    l.rule.tier.as_str(),
                    l.rule.selectors.join(", ")
                ),
                "DNS lists no selectors: DKIM discovery asks these names under `_domainkey`, \
                 as rules/selectors.toml describes."
                    .to_string(),
                selector_markers(&l.rule),
                vec![l.rule.source.clone()],
            ),
            Rule::Mechanism(l) => {
                let r = &l.rule;
                (
                    Kind::Mechanism,
                    &l.file,
                    l.line,
                    format!("words naming {}", r.name),
                    r.meaning.clone(),
                    format!(
                        "A reply whose words blame {} implicates {}; a registry meaning about \
                         another mechanism does not apply to it. Named by: {}.",
                        r.name,
                        if r.checks.is_empty() {
                            "no DNS check".to_string()
                        } else {
                            format!("the checks {}", r.checks.join(", "))
                        },
                        r.words.join(" | ")
                    ),
                    r.category.as_ref().map_or_else(String::new, |c| {
                        self.handling_text(None, None, c)
                    }),
                    vec![r.source.clone()],
                )
            }
            Rule::MechanismCue(l) => (
                Kind::MechanismCue,
                &l.file,
                l.line,
                format!("{:?} cue", l.rule.kind).to_ascii_lowercase(),
                format!("Words: {}.", l.rule.words.join(" | ")),
                "Decides whether a mention of a mechanism in a reply blames it.".to_string(),
                String::new(),
                vec![l.rule.source.clone()],
            ),
            Rule::Suppression(l) => (
                Kind::Suppression,
                &l.file,
                l.line,
                l.rule.title.clone(),
                l.rule.summary.clone(),
                l.rule.why.clone(),
                l.rule.fix.clone(),
                vec![l.rule.source.clone()],
            ),
            Rule::Check(check, r) => {
                let d = r.row.doc();
                (
                    Kind::Check(check),
                    r.file,
                    r.line,
                    d.title,
                    d.summary,
                    d.why,
                    d.what_to_do,
                    d.references,
                )
            }
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

/// When a service's selectors are probed: what in its DNS shows the service.
fn selector_markers(r: &super::knowledge::DkimSelectorRule) -> String {
    let mut seen: Vec<String> = r
        .spf_includes
        .iter()
        .map(|s| format!("an SPF include of {s}"))
        .collect();
    seen.extend(r.mx_hosts.iter().map(|s| format!("an MX host under {s}")));
    if seen.is_empty() {
        String::new()
    } else {
        format!("Probed first when the domain has {}.", seen.join(" or "))
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
