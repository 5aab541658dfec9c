//! Matching a Reply against the rules: provider rule > phrase naming its codes > specific
//! enhanced code > phrase > enhanced registry > basic code, then handling.

use super::types::{
    Action, BasicMeaning, BounceType, Decoded, EnhancedMeaning, ProviderRef, RuleRef,
};
use super::{EnhancedRule, HandlingRule, ProviderRule, RuleSet};
use crate::reply::Reply;

/// Parsed `class.subject.detail`; `None` class means the `X` wildcard of a pattern.
fn parse_enhanced(code: &str) -> Option<(Option<u16>, u16, u16)> {
    let mut it = code.trim().split('.');
    let class = it.next()?;
    let subject = it.next()?.parse().ok()?;
    let detail = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    let class = match class {
        "X" | "x" => None,
        c => Some(c.parse().ok()?),
    };
    Some((class, subject, detail))
}

/// Whether an enhanced pattern (`5.7.26` or `X.7.26`) matches a reply's enhanced code.
pub(crate) fn enhanced_matches(pattern: &str, code: &str) -> bool {
    parse_enhanced(code).is_some_and(|parts| pattern_matches(pattern, parts))
}

/// As [`enhanced_matches`], with the reply's code parsed once by the caller.
fn pattern_matches(pattern: &str, (class, s, d): (Option<u16>, u16, u16)) -> bool {
    match (parse_enhanced(pattern), class) {
        (Some((pc, ps, pd)), Some(c)) => pc.is_none_or(|pc| pc == c) && ps == s && pd == d,
        _ => false,
    }
}

/// Patterns tagged with their owner's index compiled as one set: the set and, per pattern, the
/// owner. `None` if the set does not compile (callers then match patterns one by one).
fn one_set<'a>(
    tagged: impl Iterator<Item = (&'a str, usize)>,
) -> Option<(regex::RegexSet, Vec<usize>)> {
    let (patterns, owners): (Vec<&str>, Vec<usize>) = tagged.unzip();
    regex::RegexSet::new(patterns).ok().map(|set| (set, owners))
}

/// Which rules [`RuleSet::best_rule`] considers: provider rules, every phrase rule, or only
/// the phrase rules that name the codes they read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phrases {
    None,
    All,
    Coded,
}

/// The rule that decided the meaning, in precedence order.
enum Decider<'a> {
    Provider(&'a ProviderRule),
    Enhanced(&'a EnhancedRule),
    Basic(&'a super::BasicRule),
    Class(&'a super::ClassRule),
    Nothing,
}

impl RuleSet {
    /// The provider that sent this reply: markers on the text, then hosts on the remote MTA.
    pub fn detect_provider(&self, reply: &Reply) -> Option<&super::Provider> {
        let host = reply
            .remote_mta
            .as_deref()
            .or(reply.reporting_mta.as_deref())
            .map(|h| h.trim_end_matches('.'));
        let host_matches = |i: usize| {
            host.is_some_and(|h| self.provider_regexes[i].1.iter().any(|re| re.is_match(h)))
        };
        // Markers, then host names, keeping file order: the first provider with a marker or a
        // host match wins. An ASCII text tries only the markers whose literal it holds (each
        // compiled on first use); any other text runs all markers in one pass.
        if reply.text.is_ascii() {
            let by_marker = self.marker_by_literal(&reply.text);
            let limit = by_marker.unwrap_or(self.providers.len());
            let found = (0..limit).find(|&i| host_matches(i)).or(by_marker);
            return found.map(|i| &self.providers[i].rule);
        }
        let found = match self.marker_set() {
            Some((set, owners)) => {
                let by_marker = set.matches(&reply.text).iter().map(|m| owners[m]).min();
                let limit = by_marker.unwrap_or(self.providers.len());
                (0..limit).find(|&i| host_matches(i)).or(by_marker)
            }
            None => (0..self.providers.len()).find(|&i| {
                self.provider_regexes[i]
                    .0
                    .iter()
                    .any(|m| m.is_match(&reply.text))
                    || host_matches(i)
            }),
        };
        found.map(|i| &self.providers[i].rule)
    }

    /// The first provider with a marker that matches `text` (ASCII).
    fn marker_by_literal(&self, text: &str) -> Option<usize> {
        let filter = self.marker_filter.get_or_init(|| {
            super::marker_filter::MarkerFilter::new(
                self.provider_regexes
                    .iter()
                    .flat_map(|(markers, _)| markers.iter().map(|m| m.pattern())),
            )
        });
        let lower = text.to_ascii_lowercase();
        let mut n = 0;
        for (i, (markers, _)) in self.provider_regexes.iter().enumerate() {
            for m in markers {
                let hit = filter.may_match(n, text, &lower) && m.is_match(text);
                n += 1;
                if hit {
                    return Some(i);
                }
            }
        }
        None
    }

    fn marker_set(&self) -> Option<&(regex::RegexSet, Vec<usize>)> {
        self.marker_set
            .get_or_init(|| {
                one_set(
                    self.provider_regexes
                        .iter()
                        .enumerate()
                        .flat_map(|(i, (markers, _))| {
                            markers.iter().map(move |m| (m.pattern(), i))
                        }),
                )
            })
            .as_ref()
    }

    /// The provider rule (or, per `phrases`, the phrase rule) that applies: all its given
    /// conditions hold; more conditions win, then file order.
    fn best_rule<'a>(
        &'a self,
        phrases: Phrases,
        reply: &Reply,
        class: Option<u16>,
        provider: Option<&str>,
    ) -> Option<&'a ProviderRule> {
        let (rules, regexes) = match phrases {
            Phrases::None => (&self.provider_rules, &self.rule_regexes),
            Phrases::All | Phrases::Coded => (&self.phrases, &self.phrase_regexes),
        };
        let code = reply.enhanced.as_deref().and_then(parse_enhanced);
        let mut best: Option<(usize, &ProviderRule)> = None;
        // Cheapest conditions first: the text pattern runs only for rules still in the race.
        for (l, re) in rules.iter().zip(regexes) {
            let r = &l.rule;
            if let Some(p) = &r.provider
                && Some(p.as_str()) != provider
            {
                continue;
            }
            if phrases == Phrases::Coded && r.basic.is_empty() && r.enhanced.is_empty() {
                continue;
            }
            // The class is implied by the codes, so it narrows a rule without outranking others.
            let score = usize::from(!r.enhanced.is_empty())
                + usize::from(!r.basic.is_empty())
                + usize::from(re.is_some())
                + usize::from(!r.dsn_action.is_empty())
                + usize::from(!r.command.is_empty());
            if score == 0 || best.is_some_and(|(s, _)| score <= s) {
                continue;
            }
            let basic_ok = r.basic.is_empty() || reply.basic.is_some_and(|b| r.basic.contains(&b));
            let enhanced_ok = r.enhanced.is_empty()
                || code.is_some_and(|c| r.enhanced.iter().any(|p| pattern_matches(p, c)));
            let class_ok = r.class.is_empty()
                || class.is_some_and(|c| r.class.iter().any(|&k| u16::from(k) == c));
            let action_ok = r.dsn_action.is_empty()
                || reply
                    .dsn_action
                    .as_deref()
                    .is_some_and(|a| r.dsn_action.iter().any(|k| k.eq_ignore_ascii_case(a)));
            let command_ok = r.command.is_empty()
                || reply
                    .smtp_command
                    .as_deref()
                    .is_some_and(|c| r.command.iter().any(|k| command_matches(k, c)));
            if basic_ok
                && enhanced_ok
                && class_ok
                && action_ok
                && command_ok
                && re.as_ref().is_none_or(|re| re.is_match(&reply.text))
            {
                best = Some((score, r));
            }
        }
        best.map(|(_, r)| r)
    }

    /// The registry entry for `X.subject.detail`, the first in file order.
    fn enhanced_rule(&self, subject: u16, detail: u16) -> Option<&EnhancedRule> {
        let index = self.enhanced_index.get_or_init(|| {
            let mut index = std::collections::HashMap::new();
            for (i, l) in self.enhanced.iter().enumerate() {
                if let Some((c, s, d)) = parse_enhanced(&l.rule.code)
                    && c.is_none_or(|c| c == 2)
                {
                    index.entry((s, d)).or_insert(i);
                }
            }
            index
        });
        index
            .get(&(subject, detail))
            .map(|&i| &self.enhanced[i].rule)
    }

    /// The first handling row whose conditions all hold.
    pub fn handling_for(
        &self,
        class: Option<u16>,
        basic: Option<u16>,
        enhanced: Option<&str>,
        category: &str,
    ) -> Option<&HandlingRule> {
        self.handling.iter().map(|l| &l.rule).find(|h| {
            h.class.is_none_or(|c| Some(u16::from(c)) == class)
                && (h.basic.is_empty() || basic.is_some_and(|b| h.basic.contains(&b)))
                && (h.enhanced.is_empty()
                    || enhanced.is_some_and(|e| h.enhanced.iter().any(|p| enhanced_matches(p, e))))
                && (h.category.is_empty() || h.category.iter().any(|c| c == category))
        })
    }

    /// Decodes one reply: its meaning, the provider's meaning, and what to do about it.
    pub fn decode(&self, reply: &Reply) -> Decoded {
        let enhanced_parts = reply.enhanced.as_deref().and_then(parse_enhanced);
        let class = reply
            .basic
            .map(|b| b / 100)
            .or(enhanced_parts.and_then(|(c, _, _)| c))
            .or_else(|| reply.dsn_action.as_deref().and_then(class_of_action));

        let basic = reply.basic.map(|code| {
            let digit = |d: u16| u8::try_from(d).unwrap_or(u8::MAX);
            BasicMeaning {
                code,
                class: self
                    .classes
                    .iter()
                    .find(|c| c.rule.digit == digit(code / 100))
                    .map_or("unknown class".into(), |c| c.rule.name.clone()),
                category: self
                    .subject_digits
                    .iter()
                    .find(|c| c.rule.digit == digit((code / 10) % 10))
                    .map_or("unknown".into(), |c| c.rule.name.clone()),
                meaning: self.basic_rule(code).map(|r| r.meaning.clone()),
            }
        });

        let mut enhanced_rule = None;
        let enhanced = match (reply.enhanced.as_deref(), enhanced_parts) {
            (Some(code), Some((c, s, d))) => {
                let exact = self.enhanced_rule(s, d);
                enhanced_rule = exact.or_else(|| self.enhanced_rule(s, 0));
                Some(EnhancedMeaning {
                    code: code.to_string(),
                    class: self
                        .enhanced_classes
                        .iter()
                        .find(|r| c.is_some_and(|c| u16::from(r.rule.class) == c))
                        .map_or("unknown class".into(), |r| r.rule.name.clone()),
                    subject: self
                        .enhanced_subjects
                        .iter()
                        .find(|r| u16::from(r.rule.subject) == s)
                        .map_or("unknown subject".into(), |r| r.rule.name.clone()),
                    detail: exact.map(|r| r.title.clone()),
                    rule: exact.map(|r| r.id.clone()),
                })
            }
            _ => None,
        };

        let detected = self.detect_provider(reply);
        let prule = self
            .best_rule(Phrases::None, reply, class, detected.map(|p| p.id.as_str()))
            .or_else(|| {
                // The words decide where the codes say little: the reply's most specific code
                // (enhanced, else basic) is missing, unregistered or marked `text_decides`.
                // A phrase that names the codes it reads is a reading of those codes, as a
                // provider rule is, so it applies even where the code is specific.
                let generic = match enhanced_parts {
                    Some((_, s, d)) => self.enhanced_rule(s, d).is_none_or(|r| r.text_decides),
                    None => reply
                        .basic
                        .is_none_or(|b| self.basic_rule(b).is_none_or(|r| r.text_decides)),
                };
                let phrases = if generic {
                    Phrases::All
                } else {
                    Phrases::Coded
                };
                self.best_rule(phrases, reply, class, None)
            });
        let provider = prule
            .and_then(|r| r.provider.as_deref())
            .and_then(|id| self.provider(id))
            .or(detected)
            .map(|p| ProviderRef {
                id: p.id.clone(),
                name: p.name.clone(),
            });

        let decider = if let Some(r) = prule {
            Decider::Provider(r)
        } else if let Some(r) = enhanced_rule {
            Decider::Enhanced(r)
        } else if let Some(r) = reply.basic.and_then(|b| self.basic_rule(b)) {
            Decider::Basic(r)
        } else if let Some(r) =
            class.and_then(|c| self.classes.iter().find(|r| u16::from(r.rule.digit) == c))
        {
            Decider::Class(&r.rule)
        } else {
            Decider::Nothing
        };

        let (category, checks, rule, recognised) = match decider {
            Decider::Provider(r) => (
                r.category.clone(),
                r.checks.clone(),
                rref(&r.id, &r.source),
                true,
            ),
            // The registry describes what a subject and detail mean when delivery fails; with
            // class 2 the same code reports a success.
            Decider::Enhanced(r) => (
                if class == Some(2) {
                    "delivered".into()
                } else {
                    r.category.clone()
                },
                r.checks.clone(),
                rref(&r.id, &r.source),
                true,
            ),
            Decider::Basic(r) => (
                r.category.clone(),
                r.checks.clone(),
                rref(&r.id, &r.source),
                true,
            ),
            Decider::Class(r) => ("unknown".into(), Vec::new(), rref(&r.id, &r.source), false),
            Decider::Nothing => (
                "unknown".into(),
                Vec::new(),
                rref("unrecognised", "RFC 5321 section 4.2"),
                false,
            ),
        };

        let handling = self.handling_for(class, reply.basic, reply.enhanced.as_deref(), &category);
        let (mut action, mut bounce_type, mut action_note) = handling.map_or(
            (
                Action::None,
                BounceType::None,
                "No handling rule applies to this reply; decide by hand.".to_string(),
            ),
            |h| (h.action, h.bounce_type, h.note.clone()),
        );
        if let Some(r) = prule {
            if let Some(a) = r.action
                && a != action
            {
                action = a;
                action_note = self
                    .handling
                    .iter()
                    .find(|h| h.rule.action == a)
                    .map_or_else(String::new, |h| h.rule.note.clone());
            }
            if let Some(b) = r.bounce_type {
                bounce_type = b;
            }
            if let Some(n) = &r.note {
                action_note = n.clone();
            }
        }

        Decoded {
            basic,
            enhanced,
            provider,
            provider_meaning: prule
                .filter(|r| r.provider.is_some())
                .map(|r| r.meaning.clone()),
            text_meaning: prule
                .filter(|r| r.provider.is_none())
                .map(|r| r.meaning.clone()),
            category,
            bounce_type,
            action,
            action_note,
            checks,
            rule,
            recognised,
        }
    }

    fn basic_rule(&self, code: u16) -> Option<&super::BasicRule> {
        self.basics.iter().map(|l| &l.rule).find(|r| r.code == code)
    }
}

/// The class a DSN Action implies when a bounce gives no code at all (RFC 3464 section 2.3.3):
/// `failed` is permanent, `delayed` transient, the others report success.
fn class_of_action(action: &str) -> Option<u16> {
    match action.to_ascii_lowercase().as_str() {
        "failed" => Some(5),
        "delayed" => Some(4),
        "delivered" | "relayed" | "expanded" => Some(2),
        _ => None,
    }
}

/// A rule's command against the reply's: `DATA` also covers `end of DATA`, the reply to the
/// message content rather than to the DATA verb itself.
fn command_matches(rule: &str, reply: &str) -> bool {
    let reply = reply.trim();
    reply.eq_ignore_ascii_case(rule)
        || rule.eq_ignore_ascii_case("DATA") && reply.eq_ignore_ascii_case("end of DATA")
}

fn rref(id: &str, source: &str) -> RuleRef {
    RuleRef {
        id: id.to_string(),
        source: source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhanced_patterns_match_by_class_wildcard() {
        assert!(enhanced_matches("X.7.26", "5.7.26"));
        assert!(enhanced_matches("X.7.26", "4.7.26"));
        assert!(enhanced_matches("5.7.26", "5.7.26"));
        assert!(!enhanced_matches("5.7.26", "4.7.26"));
        assert!(!enhanced_matches("X.7.26", "5.7.2"));
        assert!(
            !enhanced_matches("X.7.26", "X.7.26"),
            "a reply code needs a real class"
        );
        assert!(!enhanced_matches("X.7.26", "5.7.26.1"));
        assert!(!enhanced_matches("X.7.26", "garbage"));
    }
}
