//! Matching the rules' conditions against a reply: enhanced code patterns, the best provider
//! or phrase rule, registry entries and the handling table.

use super::{EnhancedRule, HandlingRule, ProviderRule, RuleSet};
use crate::reply::Reply;

/// Parsed `class.subject.detail`; `None` class means the `X` wildcard of a pattern.
pub(crate) fn parse_enhanced(code: &str) -> Option<(Option<u16>, u16, u16)> {
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

/// Which rules [`RuleSet::best_rule`] considers: provider rules, every phrase rule, or only
/// the phrase rules that name the codes they read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phrases {
    None,
    All,
    Coded,
}

impl RuleSet {
    /// The provider rule (or, per `phrases`, the phrase rule) that applies: all its given
    /// conditions hold and `keep` accepts it; more conditions win, then file order.
    pub(crate) fn best_rule<'a>(
        &'a self,
        phrases: Phrases,
        reply: &Reply,
        class: Option<u16>,
        providers: &[&str],
        keep: &dyn Fn(&ProviderRule) -> bool,
    ) -> Option<&'a ProviderRule> {
        let strict = self.best_rule_pass(phrases, reply, class, providers, keep, false);
        // A rule names the basic code its source shows with the enhanced code, but relays and
        // other front ends carry the same enhanced code under another basic code of its class
        // (`554 5.2.122` for `550 5.2.122`): where no rule matches as written, the enhanced
        // code decides.
        strict.or_else(|| self.best_rule_pass(phrases, reply, class, providers, keep, true))
    }

    fn best_rule_pass<'a>(
        &'a self,
        phrases: Phrases,
        reply: &Reply,
        class: Option<u16>,
        providers: &[&str],
        keep: &dyn Fn(&ProviderRule) -> bool,
        any_basic_of_class: bool,
    ) -> Option<&'a ProviderRule> {
        let (rules, regexes, which) = match phrases {
            Phrases::None => (&self.provider_rules, &self.rule_regexes, 0),
            Phrases::All | Phrases::Coded => (&self.phrases, &self.phrase_regexes, 1),
        };
        // Many replies (`scan`): one pass for every pattern's literals rules out most
        // patterns before they are compiled or run; read when a rule first needs its pattern.
        let index = self.text_set().rule_index(which, regexes);
        let mut present = None;
        let mut may_match = |i: usize| {
            index.is_none_or(|ix| {
                ix.may_match(i, present.get_or_insert_with(|| ix.present(&reply.text)))
            })
        };
        let code = reply.enhanced.as_deref().and_then(parse_enhanced);
        // A reply pasted in lower case: codes also by their folded readings (`recase`), which
        // the index's case-sensitive literals would rule out.
        let lowered = super::recase::lowered(&reply.text);
        // Only a provider's own codes (outside the registry: 5.2.122, 5.7.129) mean one thing
        // whatever basic code carries them; a registry code's basic code says which use it is
        // (`421 4.3.2` system not accepting mail, `452 4.3.2` a busy mailbox).
        let own_codes = |r: &ProviderRule| {
            !r.enhanced.is_empty()
                && r.enhanced.iter().all(|p| {
                    parse_enhanced(p).is_some_and(|(_, s, d)| self.enhanced_rule(s, d).is_none())
                })
        };
        // The class a code-less reply's refusal implies: its DSN action's, else its words'.
        let implied = (reply.basic.is_none() && reply.enhanced.is_none())
            .then(|| class.unwrap_or_else(|| words_class(reply)));
        let mut best: Option<(usize, &ProviderRule)> = None;
        let mut wrapper_only: Option<&ProviderRule> = None;
        let status_ok = |r: &ProviderRule| {
            reply
                .dsn_action
                .as_deref()
                .is_some_and(|a| r.dsn_action.iter().any(|k| k.eq_ignore_ascii_case(a)))
                && keep(r)
        };
        // Cheapest conditions first: the text pattern runs only for rules still in the race.
        for (i, (l, re)) in rules.iter().zip(regexes).enumerate() {
            let r = &l.rule;
            if let Some(p) = &r.provider
                && !providers.contains(&p.as_str())
            {
                continue;
            }
            if phrases == Phrases::Coded && r.basic.is_empty() && r.enhanced.is_empty() {
                continue;
            }
            // A rule that reads only the wrapper's delivery status (a DSN's `Action: delayed`,
            // Postfix's `status=deferred`, Exim's `==`) says the delivery is still being
            // retried, not why: a wrapped reply with its own basic code says why, and its
            // reading decides (the status still tells temporariness, as the reply's finality);
            // without one, a rule that reads the reply's own words or codes goes first.
            if reads_only_the_wrapper(r) {
                if reply.basic.is_none() && wrapper_only.is_none() && status_ok(r) {
                    wrapper_only = Some(r);
                }
                continue;
            }
            // A reply pasted without any code (`Envelope blocked - User Entry - ...`) has only
            // its words: a provider's rule that reads them applies whatever basic codes it
            // names, and ranks as if it named none. An enhanced code a rule names still has to
            // be there (it says which use of the words the rule reads). A phrase's basic codes
            // say which class of reply its words are read in: it reads a code-less refusal
            // whose words imply one of those classes (`... found in ERS-DUL` refuses, 5), so a
            // list's name in prose that refuses nothing still decides nothing.
            let words_only = re.is_some()
                && implied
                    .is_some_and(|c| r.provider.is_some() || r.basic.iter().any(|&k| k / 100 == c));
            // The class is implied by the codes, so it narrows a rule without outranking others.
            let score = usize::from(!r.enhanced.is_empty())
                + usize::from(!r.basic.is_empty() && !words_only)
                + usize::from(re.is_some())
                + usize::from(!r.dsn_action.is_empty())
                + usize::from(!r.command.is_empty());
            if score == 0 || best.is_some_and(|(s, _)| score <= s) {
                continue;
            }
            let enhanced_ok = r.enhanced.is_empty()
                || code.is_some_and(|c| r.enhanced.iter().any(|p| pattern_matches(p, c)));
            // A reply quoted without its basic code (.NET's "The server response was: 5.7.606
            // ...") keeps its class in its enhanced code: a rule's basic code of that class
            // stands for the missing one.
            // Only words or a provider's own code say which rule it is: a registry code
            // (5.7.0) that several of a provider's rules share with different basic codes
            // (503 a second login, 552 a blocked attachment) does not pick one of them.
            let basic_ok = r.basic.is_empty()
                || words_only
                || reply.basic.map_or_else(
                    || {
                        (re.is_some() || own_codes(r))
                            && code
                                .and_then(|(c, _, _)| c)
                                .is_some_and(|c| r.basic.iter().any(|&k| k / 100 == c))
                    },
                    |b| {
                        r.basic.contains(&b)
                            || any_basic_of_class
                                && enhanced_ok
                                && own_codes(r)
                                && r.basic.iter().any(|&k| k / 100 == b / 100)
                    },
                );
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
                && re.as_ref().is_none_or(|re| {
                    if lowered {
                        re.is_match_as_pasted(&reply.text, true)
                    } else {
                        may_match(i) && re.is_match(&reply.text)
                    }
                })
                && keep(r)
            {
                best = Some((score, r));
            }
        }
        best.map(|(_, r)| r).or(wrapper_only)
    }

    /// The registry entry for `X.subject.detail`, the first in file order.
    pub(crate) fn enhanced_rule(&self, subject: u16, detail: u16) -> Option<&EnhancedRule> {
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
            handling_codes_hold(h, class, basic, enhanced)
                && (h.category.is_empty() || h.category.iter().any(|c| c == category))
        })
    }

    pub(crate) fn basic_rule(&self, code: u16) -> Option<&super::BasicRule> {
        self.basics.iter().map(|l| &l.rule).find(|r| r.code == code)
    }
}

/// Whether a handling row's code conditions (class, basic and enhanced codes) hold for a reply;
/// its category is not looked at.
pub(crate) fn handling_codes_hold(
    h: &HandlingRule,
    class: Option<u16>,
    basic: Option<u16>,
    enhanced: Option<&str>,
) -> bool {
    h.class.is_none_or(|c| Some(u16::from(c)) == class) && handling_codes_fit(h, basic, enhanced)
}

/// Whether a handling row's basic and enhanced codes, if it names any, are the reply's.
pub(crate) fn handling_codes_fit(
    h: &HandlingRule,
    basic: Option<u16>,
    enhanced: Option<&str>,
) -> bool {
    (h.basic.is_empty() || basic.is_some_and(|b| h.basic.contains(&b)))
        && (h.enhanced.is_empty()
            || enhanced.is_some_and(|e| h.enhanced.iter().any(|p| enhanced_matches(p, e))))
}

/// Whether a rule's only condition is the delivery status a wrapper gives (a DSN's Action, a
/// log's status): no codes, class, words or command of the reply itself.
fn reads_only_the_wrapper(r: &ProviderRule) -> bool {
    !r.dsn_action.is_empty()
        && r.pattern.is_none()
        && r.basic.is_empty()
        && r.enhanced.is_empty()
        && r.class.is_empty()
        && r.command.is_empty()
}

/// The class a DSN Action implies when a bounce gives no code at all (RFC 3464 section 2.3.3):
/// `failed` is permanent, `delayed` transient, the others report success.
pub(crate) fn class_of_action(action: &str) -> Option<u16> {
    match action.to_ascii_lowercase().as_str() {
        "failed" => Some(5),
        "delayed" => Some(4),
        "delivered" | "relayed" | "expanded" => Some(2),
        _ => None,
    }
}

/// The class a code-less refusal's words imply: 4 when they ask for a later try or call the
/// refusal temporary ("soft reject", "greylisted", "try again later") or report a deferral or a
/// connection that failed (the sending MTA retries those), else 5.
pub(crate) fn words_class(reply: &Reply) -> u16 {
    const LATER: &[&str] = &[
        "temporar",
        "try again",
        "try later",
        "soft reject",
        "greylist",
        "graylist",
        // An MTA's own deferral (Exim's `defer (113): No route to host`) and the network
        // failures it retries by nature: the connection never reached a refusal.
        "defer",
        "connection refused",
        "connection timed out",
        "no route to host",
        "network is unreachable",
        "网络异常",
    ];
    let text = reply.text.to_ascii_lowercase();
    if LATER.iter().any(|w| text.contains(w)) {
        4
    } else {
        5
    }
}

/// A rule's command against the reply's: `DATA` also covers `end of DATA`, the reply to the
/// message content rather than to the DATA verb itself.
fn command_matches(rule: &str, reply: &str) -> bool {
    let reply = reply.trim();
    reply.eq_ignore_ascii_case(rule)
        || rule.eq_ignore_ascii_case("DATA") && reply.eq_ignore_ascii_case("end of DATA")
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
