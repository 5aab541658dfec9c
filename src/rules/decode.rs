//! Decoding one reply: provider rule > phrase naming its codes > specific registry code >
//! phrase > mechanism the words blame > generic registry > basic code, then handling. A
//! reading of the code that the words contradict (a registry meaning, a phrase, or a provider
//! rule that reads the code alone, about another mechanism than the one the words blame, or of
//! a category the blamed mechanism overrides) never decides.

use super::mechanism::Blame;
use super::provider_detect::ProviderMatch;
use super::rule_match::{
    Phrases, class_of_action, handling_codes_fit, handling_codes_hold, parse_enhanced, words_class,
};
use super::schema::Mechanism;
use super::types::{
    Action, BasicMeaning, BounceType, Decoded, EnhancedMeaning, ProviderRef, RuleRef, SetAside,
};
use super::{EnhancedRule, HandlingRule, ProviderRule, RuleSet, words};

/// The checks of records the sender's own domain publishes (issue 14: words naming them always
/// implicate them).
const DOMAIN_RECORD_CHECKS: &[&str] = &["spf", "dkim", "dmarc", "ptr", "mx"];

/// The categories of a reply about one mailbox, which only the server holding it gives.
const MAILBOX_CATEGORIES: &[&str] = &["recipient-address", "mailbox", "mailbox-full"];
use crate::reply::Reply;

/// The rule that decided the meaning, in precedence order.
enum Decider<'a> {
    Provider(&'a ProviderRule),
    Enhanced(&'a EnhancedRule),
    Mechanism(&'a Mechanism),
    Basic(&'a super::BasicRule),
    Class(&'a super::ClassRule),
    Nothing,
}

impl RuleSet {
    /// Decodes one reply: its meaning, the provider's meaning, and what to do about it.
    pub fn decode(&self, reply: &Reply) -> Decoded {
        let view = words::View::new(&reply.text);
        let super::provider_detect::Detected {
            provider: detected,
            software,
        } = self.detect_in(reply, &view);
        // Nothing in the reply names its provider: the recipient's own mail domain does, for a
        // reply about that mailbox (only the server holding it says it is unknown or full).
        // Not when the host that answered is known: that host, a provider's or not, replied.
        // So does that provider's own rule for the words about one of its mailboxes (docomo's
        // `550 Unknown user` after the data: its owner's reception settings refuse the sender),
        // which a rule reading the code alone is not.
        if detected.is_none()
            && reply.remote_mta.is_none()
            && let Some(m) = self.mailbox_provider(reply)
        {
            let id = m.provider.id.clone();
            let d = self.decode_as(reply, &view, Some(m), software);
            if MAILBOX_CATEGORIES.contains(&d.category.as_str())
                || about_the_mailbox(reply)
                || self.own_worded_rule(&id, &d.rule.id)
            {
                return d;
            }
        }
        self.decode_as(reply, &view, detected, software)
    }

    /// Decodes one reply as sent by the provider `detected` names, by the rules of that
    /// provider, of the software it runs and of the `software` whose signals the reply carries.
    fn decode_as(
        &self,
        reply: &Reply,
        view: &words::View<'_>,
        detected: Option<ProviderMatch<'_>>,
        software: Option<&super::Provider>,
    ) -> Decoded {
        let enhanced_parts = reply.enhanced.as_deref().and_then(parse_enhanced);
        let class = reply
            .basic
            .map(|b| b / 100)
            .or(enhanced_parts.and_then(|(c, _, _)| c))
            .or_else(|| reply.dsn_action.as_deref().and_then(class_of_action));
        let blame = self.blame(view);
        let contradicted = |category: &str, checks: &[String]| {
            !blame.is_empty()
                && (blame.contradicts(self.about(category, checks))
                    || self.overrides(&blame, category))
        };

        let exact = enhanced_parts.and_then(|(_, s, d)| self.enhanced_rule(s, d));
        let exact_contradicted = exact.is_some_and(|r| contradicted(&r.category, &r.checks));
        let basic_rule = reply.basic.and_then(|b| self.basic_rule(b));
        // The words decide where the codes say little: the reply's most specific code (enhanced,
        // else basic) is missing, unregistered, marked `text_decides`, or read as another
        // mechanism than the words blame.
        let basic_contradicted = basic_rule.is_some_and(|r| contradicted(&r.category, &r.checks));
        // A success detail (X.1.5 "destination address valid") given under a failure class
        // (`501 5.1.5 Recipient address reserved by RFC 2606`) says nothing about the failure:
        // the words decide, as for an unregistered code.
        let success_detail =
            exact.is_some_and(|r| r.category == "delivered") && class.is_some_and(|c| c != 2);
        let generic = match (enhanced_parts, exact) {
            (Some(_), Some(r)) => r.text_decides || exact_contradicted || success_detail,
            (Some(_), None) => true,
            (None, _) => basic_rule.is_none_or(|r| r.text_decides || basic_contradicted),
        };
        // A specific reading set aside by the words is replaced by what the words blame: a
        // phrase about it, else the blamed mechanism itself, not any phrase the words match.
        let set_aside_by_words = match (enhanced_parts, exact) {
            (Some(_), Some(r)) => exact_contradicted && !r.text_decides,
            (Some(_), None) => false,
            (None, _) => basic_rule.is_some_and(|r| !r.text_decides) && basic_contradicted,
        };

        let mut pids: Vec<&str> = Vec::new();
        if let Some(d) = &detected {
            pids.push(&d.provider.id);
            pids.extend(d.provider.runs.iter().map(String::as_str));
        }
        pids.extend(software.map(|s| s.id.as_str()));
        // A provider rule that reads the words was written for them; one that reads the code
        // alone is the registry's kind of reading and yields to words about something else.
        let by_code_ok =
            |r: &ProviderRule| r.pattern.is_some() || !contradicted(&r.category, &r.checks);
        let phrase_ok = |r: &ProviderRule| {
            if blame.is_empty() {
                return !set_aside_by_words;
            }
            let about = self.about(&r.category, &r.checks);
            if set_aside_by_words {
                blame.agrees(about)
            } else {
                // A phrase about no blamed mechanism whose reading the words override yields
                // to the mechanism, when the words state its failure ("spam ... spf check
                // failed"); advice that only names it ("set up SPF records") leaves the phrase.
                !blame.contradicts(about)
                    && (blame.agrees(about)
                        || !blame.states_a_failure()
                        || !self.overrides(&blame, &r.category))
            }
        };
        let prule = self
            .best_rule(Phrases::None, reply, class, &pids, &by_code_ok)
            .or_else(|| {
                // A phrase that names the codes it reads is a reading of those codes, as a
                // provider rule is, so it applies even where the code is specific.
                let phrases = if generic {
                    Phrases::All
                } else {
                    Phrases::Coded
                };
                self.best_rule(phrases, reply, class, &[], &phrase_ok)
            });

        // Without a rule for its detail, the code's subject; a contradicted detail says nothing.
        let registry = match (enhanced_parts, exact) {
            (Some((_, s, _)), Some(_)) if exact_contradicted => self.enhanced_rule(s, 0),
            (Some(_), Some(r)) => Some(r),
            (Some((_, s, _)), None) => self.enhanced_rule(s, 0),
            (None, _) => None,
        }
        .filter(|r| !contradicted(&r.category, &r.checks))
        // A success detail (X.1.5 "destination address valid") given under a failure class
        // (`501 5.1.5 Recipient address reserved by RFC 2606`) says nothing about the failure.
        .filter(|r| r.category != "delivered" || class.is_none_or(|c| c == 2));
        let mechanism = self.primary(&blame).map(|m| &self.mechanisms[m].rule);
        let decider = if let Some(r) = prule {
            Decider::Provider(r)
        } else if let (false, Some(r)) = (generic, registry) {
            Decider::Enhanced(r)
        } else if let (true, Some(m)) = (generic, mechanism) {
            Decider::Mechanism(m)
        } else if let Some(r) = registry {
            Decider::Enhanced(r)
        } else if let Some(r) = basic_rule.filter(|r| !contradicted(&r.category, &r.checks)) {
            Decider::Basic(r)
        } else if let Some(r) =
            class.and_then(|c| self.classes.iter().find(|r| u16::from(r.rule.digit) == c))
        {
            Decider::Class(&r.rule)
        } else {
            Decider::Nothing
        };

        let (category, mut checks, rule, recognised) = match decider {
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
            Decider::Mechanism(m) => (
                m.category.clone().unwrap_or_else(|| "unknown".into()),
                m.checks.clone(),
                rref(&m.id, &m.source),
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
        let decided_about = self.about(&category, &checks);
        // Words that blame SPF, DKIM, DMARC, PTR or MX implicate that check, whoever decided:
        // they name a record of the sender's own domain. Words naming a list or TLS implicate
        // their check only where no rule read the reply otherwise: a recipient's personal
        // block list ("Sender is on domain's blacklist") is no public list to look up.
        let read_otherwise = matches!(decider, Decider::Provider(_));
        for &m in &blame.blamed {
            let agrees = decided_about & super::vocabulary::bit(m) != 0;
            for c in &self.mechanisms[m].rule.checks {
                let record = DOMAIN_RECORD_CHECKS.contains(&c.as_str());
                if !checks.contains(c) && (record || agrees || !read_otherwise) {
                    checks.push(c.clone());
                }
            }
        }

        // Only a specific meaning is set aside: a generic one (`text_decides`) claims nothing.
        let set_aside = exact.filter(|r| !r.text_decides).and_then(|r| {
            let about = self.about(&r.category, &r.checks);
            let because = if blame.contradicts(about) || self.overrides(&blame, &r.category) {
                format!("the reply's words name {}", self.named(&blame))
            } else if decided_about != 0 && about != 0 && decided_about & about == 0 {
                match detected
                    .as_ref()
                    .filter(|_| matches!(decider, Decider::Provider(_)))
                {
                    Some(d) => format!("{} gives this code its own meaning", d.provider.name),
                    None => "the reply's words say what it is about".to_string(),
                }
            } else {
                return None;
            };
            Some(SetAside {
                rule: r.id.clone(),
                detail: r.title.clone(),
                because,
            })
        });
        let basic = reply.basic.map(|code| self.basic_meaning(code));
        let enhanced = match (reply.enhanced.as_deref(), enhanced_parts) {
            (Some(code), Some((c, s, _))) => Some(EnhancedMeaning {
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
                detail: exact
                    .filter(|_| set_aside.is_none())
                    .map(|r| r.title.clone()),
                rule: exact.filter(|_| set_aside.is_none()).map(|r| r.id.clone()),
                set_aside,
            }),
            _ => None,
        };

        // Software's rule read the reply but no provider sent it: its meaning is the words'.
        let named = detected.is_some();
        let provider = detected.map(|d| ProviderRef {
            id: d.provider.id.clone(),
            name: d.provider.name.clone(),
            signal: d.signal,
        });
        // A refusal pasted without any code or DSN action still refuses: its words say whether
        // the receiver asks for a later try, else it is handled as a refusal (class 5).
        let handling_class = class.or_else(|| (category != "unknown").then(|| words_class(reply)));
        let (action, bounce_type, action_note) =
            self.handling(handling_class, reply, &category, prule);
        Decoded {
            basic,
            enhanced,
            provider,
            provider_meaning: prule
                .filter(|r| r.provider.is_some() && named)
                .map(|r| r.meaning.clone()),
            text_meaning: prule
                .filter(|r| r.provider.is_none() || !named)
                .map(|r| r.meaning.clone())
                .or_else(|| match decider {
                    Decider::Mechanism(m) => Some(m.meaning.clone()),
                    _ => None,
                }),
            category,
            bounce_type,
            action,
            action_note,
            checks,
            rule,
            recognised,
        }
    }

    /// Whether `rule` is a rule of the provider `provider` that reads the reply's words and
    /// decides about the address (suppress it, or retry then suppress): the provider's own
    /// wording for the state of one of its mailboxes.
    fn own_worded_rule(&self, provider: &str, rule: &str) -> bool {
        self.provider_rules.iter().any(|r| {
            r.rule.id == rule
                && r.rule.provider.as_deref() == Some(provider)
                && r.rule.pattern.is_some()
                && matches!(
                    r.rule.action,
                    Some(Action::SuppressAddress | Action::RetryThenSuppress)
                )
        })
    }

    /// What the blamed mechanisms are called, for output: "SPF", "SPF and DKIM".
    fn named(&self, blame: &Blame) -> String {
        let names: Vec<&str> = blame
            .blamed
            .iter()
            .map(|&m| self.mechanisms[m].rule.name.as_str())
            .collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }

    fn basic_meaning(&self, code: u16) -> BasicMeaning {
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
    }

    /// The handling table's decision for the category, then what the provider or phrase rule
    /// that decided says instead.
    fn handling(
        &self,
        class: Option<u16>,
        reply: &Reply,
        category: &str,
        prule: Option<&ProviderRule>,
    ) -> (Action, BounceType, String) {
        let handling = self.handling_for(class, reply.basic, reply.enhanced.as_deref(), category);
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
                action_note = self.note_for(a, class, reply, category);
            }
            if let Some(b) = r.bounce_type {
                bounce_type = b;
            }
            if let Some(n) = &r.note {
                action_note = n.clone();
            }
        }
        (action, bounce_type, action_note)
    }
}

impl RuleSet {
    /// The note of a handling row with `action` for a rule that chose that action: one for the
    /// rule's category before one for any category (a HELO refusal must not read "SMTP AUTH
    /// needs attention"), and one whose class is the reply's before one of the other failure
    /// class. A row written for other codes never lends its note: a row for 252 or for 2xx and
    /// 3xx replies says "accepted", which a 4xx delay warning is not.
    fn note_for(
        &self,
        action: Action,
        class: Option<u16>,
        reply: &Reply,
        category: &str,
    ) -> String {
        let enhanced = reply.enhanced.as_deref();
        let rows = || {
            self.handling
                .iter()
                .map(|l| &l.rule)
                .filter(move |h| h.action == action)
        };
        let fits = |h: &HandlingRule| {
            handling_codes_fit(h, reply.basic, enhanced)
                && !(h.class.is_some_and(|c| c < 4) && class.is_some_and(|c| c >= 4))
        };
        let exact =
            |h: &HandlingRule| fits(h) && handling_codes_hold(h, class, reply.basic, enhanced);
        let own = |h: &HandlingRule| h.category.iter().any(|c| c == category);
        rows()
            .find(|h| exact(h) && own(h))
            .or_else(|| rows().find(|h| fits(h) && own(h)))
            .or_else(|| rows().find(|h| exact(h) && h.category.is_empty()))
            .or_else(|| rows().find(|h| fits(h) && h.category.is_empty()))
            .or_else(|| rows().find(|h| fits(h)))
            .map_or_else(String::new, |h| h.note.clone())
    }
}

/// Whether the reply's enhanced code says the failure concerns the recipient's mailbox itself
/// (X.1.1 bad mailbox, X.2.x mailbox status), whatever its words add: Comcast's `452 4.1.1
/// <ann@comcast.net> too many recent messages` limits one mailbox, which only the server that
/// holds it does.
fn about_the_mailbox(reply: &Reply) -> bool {
    matches!(
        reply.enhanced.as_deref().and_then(parse_enhanced),
        Some((Some(4 | 5), 1, 1) | (Some(4 | 5), 2, _))
    )
}

fn rref(id: &str, source: &str) -> RuleRef {
    RuleRef {
        id: id.to_string(),
        source: source.to_string(),
    }
}
