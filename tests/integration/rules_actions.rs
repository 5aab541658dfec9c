//! Every rule leads to the action and implicates the checks its kind of reply calls for (issue
//! 14, item 3): each rule's examples are decoded through the real extractor, and where that rule
//! decided, the decoded category, class, action and checks must satisfy the invariants below,
//! which docs/rules.md ("Actions, and what each category calls for") states for users.
#![allow(clippy::unwrap_used)]

use crate::rules_support::reply;
use mailtriage::rules::{Action, RuleSet};
use regex::Regex;
use std::sync::LazyLock;

fn builtin() -> &'static RuleSet {
    static SET: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap()
}

/// One example of one rule, decoded, where that rule decided.
struct Case {
    id: String,
    /// What the rule's own data says the reply means: its meaning (a registry entry's title
    /// and meaning). The invariants read these words, never the validation set's labels.
    words: String,
    /// The words the rule reads in a reply (its pattern), empty for a registry entry.
    pattern: String,
    class: Option<u16>,
    category: String,
    action: Action,
    checks: Vec<String>,
}

/// The words of a restriction the recipient (or its organisation) set: its own block or allow
/// list, a group that takes mail only from some senders, a filter rule of its own.
static RECIPIENT_SIDE: LazyLock<Regex> = LazyLock::new(|| {
    let side = r"(recipient|recipients|recipient's|recipients'|addressee|mailbox owner|the user|distribution group|the group|receiving organi[sz]ation)";
    let restriction = concat!(
        r"(blocked|blocks|block list|blocklist|blacklist|allow ?list|allowlist|whitelist|",
        r"allowed.senders|only accepts|accepts mail only|accept mail only|lets only|",
        r"does not accept mail from|refuses mail from|blocked.senders|filter rule|set to accept|",
        r"custom rule|transport rule|policy forbidding|unsubscribed)"
    );
    re(&format!(
        r"(?i)\b{side}\b[^.]{{0,80}}\b{restriction}|\b(custom|transport) rule\b[^.]{{0,40}}\b{side}\b"
    ))
});
/// A refusal that concerns IPv6 only: the same mail over IPv4 is another matter.
static IPV6: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bipv6\b"));
/// A sending limit counted over a period: slowing down is what lifts it.
static PERIOD_LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\b(per|an|a|each|every) (hour|day|24 hours)\b[^.]{0,40}\b(limit|quota|maximum|too many)|",
        r"\b(daily|hourly) (sending |message |recipient )?(limit|quota)\b|",
        r"\b(limit|quota) (of \S+ )?(messages |recipients |mails )?(per|an|a) (hour|day)\b|",
        r"\b(messages|recipients|mails|e-?mails|connections) (per|an|a|each) (hour|day)\b"
    ))
});

const AUTHENTICATION: [&str; 4] = [
    "authentication",
    "authentication-spf",
    "authentication-dkim",
    "authentication-dmarc",
];
const SENDER_SIDE: [&str; 6] = [
    "sender-configuration",
    "sender-address",
    "smtp-auth",
    "protocol",
    "message-size",
    "priority",
];

/// One invariant: its name (used by the exceptions), why it holds, and the test.
struct Invariant {
    name: &'static str,
    why: &'static str,
    holds: fn(&Case) -> bool,
}

fn suppresses(a: Action) -> bool {
    matches!(a, Action::SuppressAddress | Action::SuppressDomain)
}

const INVARIANTS: &[Invariant] = &[
    Invariant {
        name: "authentication-fixes-authentication",
        why: "an SPF, DKIM or DMARC failure (RFC 7372 section 3), deferred (4xx) or refused \
              (5xx), keeps failing until the sending domain's authentication is fixed: not \
              slow down, not retry, not suppress",
        holds: |c| {
            !AUTHENTICATION.contains(&c.category.as_str()) || c.action == Action::FixAuthentication
        },
    },
    Invariant {
        name: "reverse-dns-fixes-the-ip",
        why: "a missing or mismatched PTR is fixed on the sending IP (its reverse DNS, or \
              sending from an IP meant for mail): fix-authentication, or fix-infrastructure \
              where the source says the IP is end-user space or the route is IPv6",
        holds: |c| {
            c.category != "reverse-dns"
                || matches!(
                    c.action,
                    Action::FixAuthentication | Action::FixInfrastructure
                )
        },
    },
    Invariant {
        name: "blocklist-asks-for-delisting",
        why: "a listing (a DNSBL, or the provider's own block list) stays until the cause is \
              fixed and removal is asked for (RFC 5782 section 1); the address is fine",
        holds: |c| c.category != "blocklist" || c.action == Action::RequestDelisting,
    },
    Invariant {
        name: "rate-limit-slows-down",
        why: "a limit on messages, recipients or connections per period lifts when the sender \
              sends less (RFC 3463 X.4.5, X.7.28 at Gmail), deferred or refused",
        holds: |c| c.category != "rate-limit" || c.action == Action::SlowDown,
    },
    Invariant {
        name: "congestion-waits",
        why: "a congested receiver (RFC 3463 X.4.5, 'useful only as a persistent transient \
              error') takes the mail later or at a lower rate; the address is fine",
        holds: |c| {
            c.category != "congestion" || matches!(c.action, Action::SlowDown | Action::Retry)
        },
    },
    Invariant {
        name: "period-limit-slows-down",
        why: "words naming a per-hour or per-day sending limit describe a rate, whatever the \
              code: the sender slows down, it does not fix or suppress anything",
        holds: |c| !PERIOD_LIMIT.is_match(&c.words) || c.action == Action::SlowDown,
    },
    Invariant {
        name: "mailbox-full-retries-first",
        why: "a full mailbox (RFC 3463 X.2.2, 552) may be emptied: retry on later sends and \
              suppress only if it stays full; a deferral (4xx) is only retried",
        holds: |c| {
            c.category != "mailbox-full"
                || if c.class == Some(4) {
                    matches!(c.action, Action::Retry | Action::RetryThenSuppress)
                } else {
                    c.action == Action::RetryThenSuppress
                }
        },
    },
    Invariant {
        name: "unknown-recipient-suppresses-the-address",
        why: "a refused address that does not exist (RFC 3463 X.1.1) will never exist for this \
              sender: stop mailing that address, not its domain",
        holds: |c| {
            c.category != "recipient-address"
                || c.class != Some(5)
                || c.action == Action::SuppressAddress
        },
    },
    Invariant {
        name: "domain-wide-suppresses-the-domain",
        why: "a recipient domain that accepts no mail (RFC 7505 null MX, RFC 7504 556/X.1.10, \
              no such domain) refuses every address there",
        holds: |c| {
            c.category != "recipient-domain"
                || c.class != Some(5)
                || IPV6.is_match(&c.words)
                || c.action == Action::SuppressDomain
        },
    },
    Invariant {
        name: "ipv6-only-never-suppresses",
        why: "a refusal over IPv6 is about the route, not the recipient: the same address over \
              IPv4 is fine, so neither the address nor the domain is suppressed",
        holds: |c| !IPV6.is_match(&c.words) || !suppresses(c.action),
    },
    Invariant {
        name: "temporary-never-suppresses",
        why: "a 4xx reply is temporary (RFC 5321 section 4.2.1): the server will take the mail \
              later, so the address is not suppressed unless the provider says it is gone",
        holds: |c| c.class != Some(4) || !suppresses(c.action),
    },
    Invariant {
        name: "recipient-side-restriction-suppresses-the-address",
        why: "a restriction the recipient or its organisation set (its own block list, an \
              allow list, a group that takes mail only from members) is lifted only by them: \
              stop mailing that address; there is nothing to delist or fix at home",
        holds: |c| {
            c.category != "policy"
                || !RECIPIENT_SIDE.is_match(&c.words)
                || c.action == Action::SuppressAddress
        },
    },
    Invariant {
        name: "suppression-is-for-the-recipient",
        why: "the address is suppressed only when the recipient's side is at fault (unknown, \
              disabled, full for good, complained, or a restriction the recipient set) or when \
              a refusal says nothing more than its class (RFC 5321 section 4.2.1: a 5yz is not \
              to be repeated as it was); a verdict on the sender's message, IP, domain or \
              software never suppresses",
        holds: |c| {
            c.action != Action::SuppressAddress
                || matches!(
                    c.category.as_str(),
                    "recipient-address" | "mailbox" | "complaint" | "unspecified" | "unknown"
                )
                || (c.category == "policy" && RECIPIENT_SIDE.is_match(&c.words))
        },
    },
    Invariant {
        name: "sender-side-fixes-the-sender",
        why: "a refused command, sender address, AUTH, size or priority (RFC 3463 X.1.7, X.5.x, \
              X.3.4, X.7.8; RFC 5321 500-504) is the sending side's to fix: never suppress, and \
              a refusal (5xx) is fix-sender-config",
        holds: |c| {
            !SENDER_SIDE.contains(&c.category.as_str())
                || (!suppresses(c.action)
                    && (c.class != Some(5) || c.action == Action::FixSenderConfig))
        },
    },
    Invariant {
        name: "a-verdict-is-not-a-rate",
        why: "a deferral for the sender's software, address, content or a recipient's state \
              does not lift by sending more slowly: slow-down is for rates, congestion and \
              reputation throttles",
        holds: |c| {
            c.action != Action::SlowDown
                || matches!(
                    c.category.as_str(),
                    "rate-limit"
                        | "congestion"
                        | "reputation"
                        | "system"
                        | "network"
                        | "connection"
                        | "unspecified"
                        | "unknown"
                )
        },
    },
    Invariant {
        name: "content-is-not-the-client",
        why: "a refused attachment, link or spam verdict asks for other content \
              (fix-infrastructure, or delisting for a listed link); fix-sender-config is for \
              the software that built the message wrongly (its format, headers, MIME \
              structure or size)",
        holds: |c| {
            static FORMAT: LazyLock<Regex> = LazyLock::new(|| {
                re(
                    r"(?i)\brfc ?(5322|2822|822)|\bformat|\bheaders?\b|\bmime\b|\blines?\b|\bencod|\bsize\b|\btoo (big|large)\b|\bnested\b",
                )
            });
            c.category != "content"
                || c.action != Action::FixSenderConfig
                || FORMAT.is_match(&c.words)
        },
    },
    Invariant {
        name: "verdict-on-the-sender-never-suppresses",
        why: "content, reputation, security and TLS refusals judge the sender's mail or server, \
              not the address",
        holds: |c| {
            !matches!(
                c.category.as_str(),
                "content" | "reputation" | "security" | "tls"
            ) || !suppresses(c.action)
        },
    },
    Invariant {
        name: "category-implicates-its-check",
        why: "a reply about SPF, DKIM, DMARC or reverse DNS sends diagnose to that record",
        holds: |c| {
            let need = match c.category.as_str() {
                "authentication-spf" => "spf",
                "authentication-dkim" => "dkim",
                "authentication-dmarc" => "dmarc",
                "reverse-dns" => "ptr",
                _ => return true,
            };
            c.checks.iter().any(|k| k == need)
        },
    },
    Invariant {
        name: "named-mechanism-implicates-its-check",
        why: "a rule that reads a reply's words naming SPF, DKIM, DMARC or reverse DNS sends \
              diagnose to that record (issue 14, item 2)",
        holds: |c| {
            static NAMED: LazyLock<[(Regex, &str); 4]> = LazyLock::new(|| {
                [
                    (re(r"(?i)\bspf\b"), "spf"),
                    (re(r"(?i)\bdkim\b"), "dkim"),
                    (re(r"(?i)\bdmarc\b"), "dmarc"),
                    (re(r"(?i)\bptr\b|\breverse.dns\b|\brdns\b"), "ptr"),
                ]
            });
            NAMED
                .iter()
                .all(|(r, check)| !r.is_match(&c.pattern) || c.checks.iter().any(|k| k == check))
        },
    },
];

/// Rules allowed to break an invariant, each with the source's words that justify it.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "temporary-never-suppresses",
        "gmail-4-7-0-ip-not-allowlisted",
        "Google: '421, 4.7.0, IP not in whitelist for RCPT domain' - an allow list the \
         recipient's administrator keeps; retrying never passes it",
    ),
    (
        "temporary-never-suppresses",
        "phrase-sender-blocked-by-policy",
        "Mimecast (the phrase's source): '421 Sender Address Blocked' is the recipient \
         organisation's Blocked Senders policy, which only its administrator lifts",
    ),
    (
        "recipient-side-restriction-suppresses-the-address",
        "mimecast-anti-spoofing-policy",
        "Mimecast: the Anti-Spoofing policy refuses mail from outside claiming the recipient \
         organisation's own domain; a sender that legitimately uses that domain must pass its \
         SPF/DKIM (or be given a bypass), so the fix is authentication, not the address",
    ),
    (
        "unknown-recipient-suppresses-the-address",
        "enhanced-x-1-3",
        "RFC 5321 section 4.2.3 (501, syntax error in parameters) decides first in the \
         handling table: the address as sent was malformed, which may be the client's syntax \
         (RFC 3463 X.1.3 'can apply to any field in the address'): fix the sending software",
    ),
    (
        "temporary-never-suppresses",
        "phrase-recipient-restricts-senders",
        "RFC 3463 X.7.1 ('per-recipient filtering'): the recipient accepts mail only from \
         senders it allows; deferring the refusal does not change the list",
    ),
    (
        "temporary-never-suppresses",
        "phrase-recipient-personal-blocklist",
        "the recipient's own block list (Mimecast's 'User Entry', QQ's recipient rules): only \
         the recipient lifts it, deferred or not",
    ),
    (
        "temporary-never-suppresses",
        "mailchannels-recipient-suppressed",
        "MailChannels: '[UNS]' the recipient unsubscribed, '[RB]' it bounced before and is on \
         the account's suppression list: the provider says the address is gone for this sender",
    ),
    (
        "temporary-never-suppresses",
        "mimecast-sender-address-blocked",
        "Mimecast: '421 Sender Address Blocked ... blocked by a Blocked Senders Policy' of the \
         recipient organisation; only their administrator can remove it",
    ),
];

fn class_of(r: &mailtriage::reply::Reply) -> Option<u16> {
    r.basic.map(|b| b / 100).or_else(|| {
        r.enhanced
            .as_deref()
            .and_then(|e| e.split('.').next())
            .and_then(|c| c.parse().ok())
    })
}

/// Every example of every reply rule, decoded, kept where its own rule decided.
fn cases() -> Vec<Case> {
    let set = builtin();
    let mut out = Vec::new();
    let mut own = Vec::new();
    // Each example as written and, where it opens with a basic code RFC 5321 gives in both
    // classes with one meaning (450/550 mailbox unavailable, 452/552 storage), the same words
    // in the other class (`550 5.7.1 ...` as `450 4.7.1 ...`): a rule that reads both classes
    // must act right under both.
    static REFUSAL: LazyLock<Regex> =
        LazyLock::new(|| re(r"^([45])(5[02])([ -])(?:[45](\.\d{1,3}\.\d{1,3}\b))?"));
    let deferred = |e: &str| {
        REFUSAL.captures(e).map(|c| {
            let k = if &c[1] == "5" { "4" } else { "5" };
            let enhanced = c
                .get(4)
                .map_or(String::new(), |m| format!("{k}{}", m.as_str()));
            format!("{k}{}{}{enhanced}{}", &c[2], &c[3], &e[c[0].len()..])
        })
    };
    let mut add = |id: &str, words: String, pattern: &str, examples: &[String]| {
        let texts = examples
            .iter()
            .flat_map(|e| std::iter::once(e.clone()).chain(deferred(e)));
        for e in texts {
            let r = reply(&e);
            let d = set.decode(&r);
            if d.rule.id != id {
                continue;
            }
            out.push(Case {
                id: id.to_string(),
                words: words.clone(),
                pattern: pattern.to_string(),
                class: class_of(&r),
                category: d.category.clone(),
                action: d.action,
                checks: d.checks.clone(),
            });
        }
    };
    for l in set.provider_rules.iter().chain(&set.phrases) {
        let words = l.rule.meaning.clone();
        let pattern = l.rule.pattern.as_deref().unwrap_or("");
        add(&l.rule.id, words.clone(), pattern, &l.rule.examples);
        // A rule that sets its own action gives it for every class of reply it reads, also
        // those its examples do not show (`421 450 550` with an example at 550 only).
        let Some(action) = l.rule.action else {
            continue;
        };
        let mut classes: Vec<u16> = l.rule.basic.iter().map(|b| b / 100).collect();
        classes.extend(l.rule.class.iter().map(|&k| u16::from(k)));
        classes.extend(
            l.rule
                .enhanced
                .iter()
                .filter_map(|e| e.split('.').next()?.parse::<u16>().ok()),
        );
        classes.sort_unstable();
        classes.dedup();
        for class in classes {
            own.push(Case {
                id: l.rule.id.clone(),
                words: words.clone(),
                pattern: pattern.to_string(),
                class: Some(class),
                category: l.rule.category.clone(),
                action,
                checks: l.rule.checks.clone(),
            });
        }
    }
    for l in &set.enhanced {
        let words = format!("{} {}", l.rule.title, l.rule.meaning);
        add(&l.rule.id, words, "", &l.rule.examples);
    }
    for l in &set.basics {
        let words = format!("{} {}", l.rule.title, l.rule.meaning);
        add(&l.rule.id, words, "", &l.rule.examples);
    }
    out.extend(own);
    out
}

#[test]
fn every_rule_leads_to_the_action_its_kind_of_reply_calls_for() {
    let set = builtin();
    let cases = cases();
    let mut failures = Vec::new();
    for inv in INVARIANTS {
        for c in &cases {
            if (inv.holds)(c) {
                continue;
            }
            if EXCEPTIONS
                .iter()
                .any(|(n, id, _)| *n == inv.name && *id == c.id)
            {
                continue;
            }
            let at = set
                .provider_rules
                .iter()
                .chain(&set.phrases)
                .find(|l| l.rule.id == c.id)
                .map_or(String::new(), |l| format!("{}:{}: ", l.file, l.line));
            failures.push(format!(
                "{at}{} ({}, {}xx) acts {} with checks {:?}: {} ({})",
                c.id,
                c.category,
                c.class.map_or("-".into(), |k| k.to_string()),
                c.action.as_str(),
                c.checks,
                inv.name,
                inv.why
            ));
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The invariants must reach a fair share of the rules, or this test says nothing.
    assert!(
        cases.len() >= 500,
        "only {} examples were decoded by their own rule",
        cases.len()
    );
}

#[test]
fn every_exception_names_a_rule_that_needs_it() {
    let cases = cases();
    for (name, id, words) in EXCEPTIONS {
        let inv = INVARIANTS.iter().find(|i| i.name == *name).unwrap();
        assert!(
            cases.iter().any(|c| c.id == *id && !(inv.holds)(c)),
            "exception {id} for {name} is not needed any more ({words})"
        );
    }
}

fn case(category: &str, class: u16, action: Action, words: &str) -> Case {
    Case {
        id: "x".into(),
        words: words.into(),
        pattern: words.into(),
        class: Some(class),
        category: category.into(),
        action,
        checks: vec![],
    }
}

fn broken(c: &Case) -> Vec<&'static str> {
    INVARIANTS
        .iter()
        .filter(|i| !(i.holds)(c))
        .map(|i| i.name)
        .collect()
}

#[test]
fn the_invariants_tell_right_from_wrong() {
    use Action::*;
    // The kinds issue 14 names, each right and wrong.
    assert!(
        broken(&case("authentication-spf", 4, SlowDown, ""))
            .contains(&"authentication-fixes-authentication")
    );
    assert!(
        !broken(&case("blocklist", 5, RequestDelisting, ""))
            .contains(&"blocklist-asks-for-delisting")
    );
    assert!(
        broken(&case("blocklist", 5, FixInfrastructure, ""))
            .contains(&"blocklist-asks-for-delisting")
    );
    assert!(
        broken(&case(
            "reputation",
            5,
            FixInfrastructure,
            "at most 1000 messages per day"
        ))
        .contains(&"period-limit-slows-down")
    );
    assert!(
        broken(&case(
            "policy",
            5,
            FixInfrastructure,
            "The recipient has blocked the sender"
        ))
        .contains(&"recipient-side-restriction-suppresses-the-address")
    );
    assert!(
        broken(&case(
            "policy",
            5,
            SuppressAddress,
            "Our policy blocks this sender"
        ))
        .contains(&"suppression-is-for-the-recipient")
    );
    assert!(
        broken(&case(
            "recipient-domain",
            5,
            SuppressDomain,
            "refused over IPv6"
        ))
        .contains(&"ipv6-only-never-suppresses")
    );
    assert!(
        broken(&case("mailbox", 4, SuppressAddress, "")).contains(&"temporary-never-suppresses")
    );
    assert!(
        broken(&case("mailbox-full", 5, SuppressAddress, ""))
            .contains(&"mailbox-full-retries-first")
    );
    assert!(
        broken(&case("recipient-address", 5, SuppressDomain, ""))
            .contains(&"unknown-recipient-suppresses-the-address")
    );
    assert!(
        broken(&case("recipient-domain", 5, SuppressAddress, "null MX"))
            .contains(&"domain-wide-suppresses-the-domain")
    );
    assert!(
        broken(&case("authentication-dkim", 5, FixAuthentication, ""))
            .contains(&"category-implicates-its-check")
    );
    assert!(
        broken(&case("sender-address", 5, SuppressAddress, ""))
            .contains(&"sender-side-fixes-the-sender")
    );
    assert!(
        broken(&case("content", 5, SuppressAddress, ""))
            .contains(&"verdict-on-the-sender-never-suppresses")
    );
    assert!(
        broken(&case(
            "policy",
            5,
            FixInfrastructure,
            "Rejected: SPF hard fail"
        ))
        .contains(&"named-mechanism-implicates-its-check")
    );
    assert!(
        !broken(&case("unspecified", 5, SuppressAddress, ""))
            .contains(&"suppression-is-for-the-recipient")
    );
    assert!(broken(&case("congestion", 5, RetryThenSuppress, "")).contains(&"congestion-waits"));
    assert!(
        broken(&case(
            "content",
            5,
            FixSenderConfig,
            "a blocked attachment type"
        ))
        .contains(&"content-is-not-the-client")
    );
    assert!(
        !broken(&case(
            "content",
            5,
            FixSenderConfig,
            "duplicate headers break RFC 5322"
        ))
        .contains(&"content-is-not-the-client")
    );
    let mut ok = case("authentication-dkim", 4, FixAuthentication, "");
    ok.checks = vec!["dkim".into()];
    assert!(broken(&ok).is_empty());
}

/// 421 closes the session (RFC 5321 section 3.8), but where its words say what is wrong the
/// words decide the action, as under 450 or 451: slowing down empties no mailbox.
#[test]
fn a_421_slows_down_only_where_its_words_name_no_other_cause_and_congestion_never_suppresses() {
    let set = builtin();
    let cases = [
        ("421 4.2.2 Mailbox full", Action::Retry),
        ("421 User unknown", Action::Retry),
        ("421 Message too large", Action::Retry),
        (
            "421 Service not available, closing transmission channel",
            Action::SlowDown,
        ),
        (
            "421 4.7.0 Message refused for policy reasons",
            Action::SlowDown,
        ),
        (
            "421 4.7.0 Too many connections from your IP",
            Action::SlowDown,
        ),
        (
            "421 4.7.0 Client host blocked using zen.spamhaus.org",
            Action::RequestDelisting,
        ),
    ];
    for (text, want) in cases {
        let d = set.decode(&reply(text));
        assert_eq!(
            d.action,
            want,
            "{text}: {} ({})",
            d.action.as_str(),
            d.rule.id
        );
    }
}
