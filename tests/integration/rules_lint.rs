//! Broken rules files are reported as `file:line: message`, and nothing is loaded from them.
#![allow(clippy::unwrap_used)]

use crate::rules_support::RulesDir;
use mailtriage::rules::{RuleSet, RulesError, lint, lint_standalone};

/// Lints one extra file and returns its messages as `name:line: message` strings.
fn lint_one(text: &str) -> Vec<String> {
    let dir = RulesDir::new(&[("bad.toml", text)]);
    let prefix = dir.path().display().to_string();
    lint(&dir.path())
        .into_iter()
        .map(|e| e.to_string().replace(&prefix, "DIR"))
        .collect()
}

fn assert_one(text: &str, at: &str, needle: &str) {
    let errors = lint_one(text);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(at) && e.contains(needle)),
        "wanted {at} ... {needle}, got {errors:#?}"
    );
}

#[test]
fn builtin_rules_lint_clean() {
    let dir = RulesDir::new(&[]);
    assert_eq!(lint(&dir.path()), vec![]);
}

#[test]
fn toml_syntax_error_names_its_line() {
    assert_one(
        "# ok\n\n[[basic]]\nid = \"x\nsource = 1\n",
        "DIR/bad.toml:4:",
        "",
    );
}

#[test]
fn invalid_enum_value_names_its_line() {
    let text = "[[handling]]\nid = \"h-x\"\nclass = 5\naction = \"explode\"\nbounce_type = \"hard\"\nnote = \"n\"\nsource = \"s\"\n";
    assert_one(text, "DIR/bad.toml:4:", "explode");
}

#[test]
fn unknown_table_is_refused() {
    assert_one("\n[[basik]]\nid = \"a\"\n", "DIR/bad.toml:2:", "basik");
}

const PROVIDER_OK: &str =
    "[[provider]]\nid = \"p\"\nname = \"P\"\nmarkers = ['p-mx']\nsource = \"https://p.test\"\n";

#[test]
fn bad_regex_unknown_provider_and_missing_examples_are_located() {
    let text = format!(
        "{PROVIDER_OK}\n[[provider_rule]]\nid = \"p-one\"\nprovider = \"p\"\npattern = '(unclosed'\nmeaning = \"m\"\ncategory = \"policy\"\nsource = \"s\"\nexamples = [\"550 x p-mx\"]\n\n[[provider_rule]]\nid = \"p-two\"\nprovider = \"nobody\"\nbasic = [550]\nmeaning = \"m\"\ncategory = \"policy\"\nsource = \"s\"\n"
    );
    let errors = lint_one(&text);
    let want = [
        ("DIR/bad.toml:7:", "does not compile"),
        ("DIR/bad.toml:16:", "provider `nobody` is not defined"),
        ("DIR/bad.toml:16:", "has no `examples`"),
    ];
    for (at, needle) in want {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(at) && e.contains(needle)),
            "wanted {at} {needle}, got {errors:#?}"
        );
    }
}

#[test]
fn ids_must_be_kebab_case_sourced_and_unique() {
    let rule = |id: &str, source: &str| {
        format!(
            "[[enhanced_subject]]\nid = \"{id}\"\nsubject = 1\nname = \"n\"\nmeaning = \"m\"\nsource = \"{source}\"\n\n"
        )
    };
    let text = format!(
        "{}{}{}",
        rule("Bad_Id", "s"),
        rule("no-source", " "),
        rule("dup-a", "s")
    ) + &rule("dup-a", "s");
    let errors = lint_one(&text);
    for (at, needle) in [
        ("DIR/bad.toml:1:", "not kebab-case"),
        ("DIR/bad.toml:8:", "empty `source`"),
        (
            "DIR/bad.toml:22:",
            "duplicate id `dup-a` (already defined at DIR/bad.toml:15)",
        ),
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(at) && e.contains(needle)),
            "wanted {at} {needle}, got {errors:#?}"
        );
    }
}

#[test]
fn overriding_with_another_kind_is_an_error() {
    let text = "[[enhanced_subject]]\nid = \"basic-550\"\nsubject = 1\nname = \"n\"\nmeaning = \"m\"\nsource = \"s\"\n";
    assert_one(
        text,
        "DIR/bad.toml:1:",
        "is a enhanced_subject here but a basic at rules/basic.toml:",
    );
}

#[test]
fn load_refuses_broken_files_with_every_error() {
    let dir = RulesDir::new(&[(
        "a.toml",
        "[[class]]\nid = \"class-9\"\ndigit = 9\nname = \"n\"\nmeaning = \"m\"\nsource = \"s\"\n",
    )]);
    match RuleSet::load(Some(&dir.path())) {
        Err(RulesError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0]
                    .to_string()
                    .ends_with("a.toml:1: class `class-9`: digit 9 is not 2..5")
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let missing = std::path::Path::new("/nonexistent/rules-dir");
    assert!(matches!(
        RuleSet::load(Some(missing)),
        Err(RulesError::Dir { .. })
    ));
}

/// One valid table of every kind (ids that collide with no built-in rule), each followed by
/// the line a case may append.
const TABLES: &[(&str, &str)] = &[
    (
        "class",
        "id = \"class-x\"\ndigit = 5\nname = \"n\"\nmeaning = \"m\"\nsource = \"RFC 5321\"\n",
    ),
    (
        "subject_digit",
        "id = \"subject-digit-x\"\ndigit = 1\nname = \"n\"\nmeaning = \"m\"\nsource = \"RFC 5321\"\n",
    ),
    (
        "basic",
        "id = \"basic-x\"\ncode = 599\ntitle = \"t\"\nmeaning = \"m\"\ncategory = \"policy\"\nexamples = [\"599 x\"]\nsource = \"RFC 5321\"\n",
    ),
    (
        "enhanced_class",
        "id = \"enhanced-class-x\"\nclass = 5\nname = \"n\"\nmeaning = \"m\"\nsource = \"RFC 3463\"\n",
    ),
    (
        "enhanced_subject",
        "id = \"enhanced-subject-x\"\nsubject = 1\nname = \"n\"\nmeaning = \"m\"\nsource = \"RFC 3463\"\n",
    ),
    (
        "enhanced",
        "id = \"enhanced-x\"\ncode = \"X.7.99\"\ntitle = \"t\"\nmeaning = \"m\"\ncategory = \"policy\"\nexamples = [\"550 5.7.99 x\"]\nsource = \"RFC 3463\"\n",
    ),
    (
        "handling",
        "id = \"handling-x\"\nclass = 5\naction = \"retry\"\nbounce_type = \"soft\"\nnote = \"n\"\nsource = \"RFC 5321\"\n",
    ),
    (
        "provider",
        "id = \"provider-x\"\nname = \"X\"\nmarkers = ['x-mx']\nsource = \"https://x.test\"\n",
    ),
    (
        "provider_rule",
        "id = \"gmail-x\"\nprovider = \"gmail\"\nbasic = [550]\nmeaning = \"m\"\ncategory = \"policy\"\nsource = \"https://x.test\"\nexamples = [\"550 x gsmtp\"]\n",
    ),
    (
        "phrase",
        "id = \"phrase-x\"\npattern = 'zzx'\nmeaning = \"m\"\ncategory = \"policy\"\nsource = \"https://x.test\"\nexamples = [\"550 zzx\"]\n",
    ),
    (
        "finding",
        "id = \"spf-x\"\ncheck = \"spf\"\nseverity = \"error\"\ntitle = \"t\"\nsummary = \"s\"\nwhy = \"w\"\nfix = \"f\"\nsource = \"RFC 7208\"\n",
    ),
    (
        "plan_step",
        "id = \"step-x\"\nsource = \"RFC 7208\"\ntitle = \"t\"\nwhy = \"w\"\nverify = \"mailtriage check {domain}\"\n",
    ),
    (
        "no_cause_reason",
        "id = \"reason-x\"\nsource = \"RFC 7208\"\ntext = \"t\"\n",
    ),
    (
        "message",
        "id = \"message-x\"\nsource = \"RFC 7208\"\ntext = \"t\"\n",
    ),
    (
        "escalation",
        "id = \"escalation-x\"\nprovider = \"gmail\"\nname = \"X\"\nsource = \"https://x.test\"\nchecked = \"2026-12-06\"\nwhen = [\"w\"]\nwhere = [{ name = \"n\", url = \"https://x.test\" }]\ngather = [\"g\"]\n",
    ),
    (
        "sender",
        "id = \"sender-x\"\nname = \"X\"\nsource = \"https://x.test\"\nspf_include = \"_spf.x.test\"\nhosts = [\"x.test\"]\n",
    ),
    (
        "dkim_selectors",
        "id = \"dkim-x\"\nname = \"n\"\ntier = \"common\"\nselectors = [\"x1\"]\nsource = \"RFC 6376\"\n",
    ),
    (
        "mechanism",
        "id = \"mechanism-x\"\nname = \"X\"\nwords = ['(?i)\\bzzmech\\b']\ncategory = \"policy\"\nchecks = [\"spf\"]\nmeaning = \"m\"\nexamples = [\"550 zzmech failed\"]\nsource = \"RFC 7208\"\n",
    ),
    (
        "mechanism_cue",
        "id = \"cue-x\"\nkind = \"pass\"\nwords = ['(?i)\\bzzok\\b']\nsource = \"RFC 7208\"\n",
    ),
    (
        "suppression",
        "id = \"suppression-x\"\nsource = \"RFC 5321\"\ntitle = \"t\"\nverdict = \"suppress\"\nactions = [\"suppress-address\"]\nsummary = \"s\"\nwhy = \"w\"\nfix = \"f\"\n",
    ),
    (
        "spf",
        "id = \"spf-domain-x\"\nwriter = \"x\"\npattern = 'SPF \\[(?P<domain>[^\\]]+)\\]'\nexamples = [\"SPF [a.x.test] with ip\"]\nsource = \"RFC 7208\"\n",
    ),
    (
        "blocklist",
        "id = \"list-x\"\nname = \"X\"\nzone = \"bl.x.test\"\nkind = \"ip\"\nremoval = \"https://x.test\"\ncodes = [{ answer = \"127.0.0.2\", meaning = \"listed\" }]\nsource = \"RFC 5782\"\n",
    ),
];

/// A file holding one table of `kind` (its header on line 2, where the checks of stage two
/// report) with `extra` appended, and the line `extra` is on.
fn table(kind: &str, extra: &str) -> (String, usize) {
    let body = TABLES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, b)| *b)
        .unwrap_or_else(|| panic!("no table for {kind}"));
    let text = format!("# {kind}\n[[{kind}]]\n{body}{extra}\n");
    (text, 3 + body.lines().count())
}

#[test]
fn every_kind_of_table_above_lints_clean() {
    let kinds: Vec<&str> = mailtriage::rules::Kind::all()
        .iter()
        .map(|k| k.as_str())
        .collect();
    let listed: Vec<&str> = TABLES.iter().map(|(k, _)| *k).collect();
    assert_eq!(listed, kinds, "one table per kind the loader reads");
    for (kind, _) in TABLES {
        let (text, _) = table(kind, "");
        assert_eq!(lint_one(&text), Vec::<String>::new(), "{kind}");
    }
}

/// Rules files hold every kind of table between them; a misspelt field is refused in each.
#[test]
fn a_misspelt_field_is_refused_in_every_kind_of_table() {
    for (kind, _) in TABLES {
        let (text, line) = table(kind, "sourse = \"typo\"");
        assert_one(
            &text,
            &format!("DIR/bad.toml:{line}:"),
            "unknown field `sourse`",
        );
    }
}

#[test]
fn an_unknown_category_is_refused_wherever_one_is_written() {
    for (kind, field) in [
        ("basic", "category = \"polcy\""),
        ("enhanced", "category = \"polcy\""),
        ("handling", "category = [\"polcy\"]"),
        ("provider_rule", "category = \"polcy\""),
        ("phrase", "category = \"polcy\""),
        ("escalation", "categories = [\"polcy\"]"),
    ] {
        // The field is written twice in a table: TOML refuses that, so replace the valid one.
        let (text, _) = table(kind, "");
        let text = match field.split_once(" = ") {
            Some((key, _)) if text.contains(&format!("\n{key} = ")) => text
                .lines()
                .map(|l| {
                    if l.starts_with(&format!("{key} = ")) {
                        field
                    } else {
                        l
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            _ => format!("{}{field}\n", text),
        };
        let line = text.lines().position(|l| l == field).unwrap() + 1;
        assert_one(
            &text,
            &format!("DIR/bad.toml:{line}:"),
            "unknown category `polcy`",
        );
    }
}

#[test]
fn an_unknown_action_is_refused_wherever_one_is_written() {
    for kind in ["handling", "provider_rule", "phrase"] {
        let (text, _) = table(kind, "");
        let text = if text.contains("\naction = ") {
            text.replace("action = \"retry\"", "action = \"explode\"")
        } else {
            format!("{text}action = \"explode\"\n")
        };
        let line = text
            .lines()
            .position(|l| l == "action = \"explode\"")
            .unwrap()
            + 1;
        assert_one(
            &text,
            &format!("DIR/bad.toml:{line}:"),
            "unknown variant `explode`",
        );
    }
}

#[test]
fn an_unknown_check_is_refused_wherever_one_is_written() {
    for (kind, field, needle) in [
        ("basic", "checks = [\"smtp\"]", "unknown check `smtp`"),
        ("enhanced", "checks = [\"smtp\"]", "unknown check `smtp`"),
        (
            "provider_rule",
            "checks = [\"smtp\"]",
            "unknown check `smtp`",
        ),
        ("phrase", "checks = [\"smtp\"]", "unknown check `smtp`"),
        (
            "no_cause_reason",
            "checks = [\"smtp\"]",
            "unknown check `smtp`",
        ),
    ] {
        let (text, line) = table(kind, field);
        assert_one(&text, &format!("DIR/bad.toml:{line}:"), needle);
    }
    // A finding's check is a registered check (or dns), written once per finding.
    let (text, _) = table("finding", "");
    let text = text.replace("check = \"spf\"", "check = \"smtp\"");
    assert_one(&text, "DIR/bad.toml:4:", "unknown check `smtp`");
    let text = text
        .replace("check = \"smtp\"", "check = \"spf\"")
        .replace("severity = \"error\"", "severity = \"fatal\"");
    assert_one(
        &text,
        "DIR/bad.toml:5:",
        "severity `fatal` is not info, warning or error",
    );
}

#[test]
fn an_escalation_that_does_not_exist_is_refused() {
    let (rule, _) = table("provider_rule", "escalation = \"nobody\"");
    assert_one(
        &rule,
        "DIR/bad.toml:2:",
        "escalation `nobody` names no [[provider]]",
    );
    let (phrase, _) = table("phrase", "escalation = \"nobody\"");
    assert_one(
        &phrase,
        "DIR/bad.toml:2:",
        "escalation `nobody` names no [[provider]]",
    );
    let (entry, _) = table("escalation", "");
    let entry = entry.replace("provider = \"gmail\"", "provider = \"nobody\"");
    assert_one(
        &entry,
        "DIR/bad.toml:2:",
        "provider `nobody` is not defined by any [[provider]]",
    );
}

#[test]
fn an_escalation_without_a_name_is_refused() {
    // The heading shows the entry's name; without one it showed the bare id ("spamhaus").
    let (entry, _) = table("escalation", "");
    let entry = entry.replace("name = \"X\"\n", "");
    assert_one(&entry, "DIR/bad.toml:2:", "`name` is missing");
}

#[test]
fn an_escalation_condition_no_reply_can_meet_is_refused() {
    // A misspelt kind would hide the condition from every reply instead of failing.
    for bad in [
        "temporay",
        "check:dkmi",
        "category:blocklsit",
        "code:5.7.26",
    ] {
        let (entry, _) = table(
            "escalation",
            &format!("when_reply = [{{ if = \"{bad}\", text = \"t\" }}]"),
        );
        assert_one(
            &entry,
            "DIR/bad.toml:2:",
            &format!("when_reply `if = \"{bad}\"`"),
        );
    }
    for good in ["temporary", "permanent", "check:dkim", "category:blocklist"] {
        let (entry, _) = table(
            "escalation",
            &format!("when_reply = [{{ if = \"{good}\", text = \"t\" }}]"),
        );
        assert_eq!(lint_one(&entry), Vec::<String>::new(), "{good}");
    }
}

/// A handling row (or a provider rule, or a phrase) decides an action; the plan acts on it
/// with a step that must exist. Built-in steps cannot be removed by an extra file, so the case
/// is linted as a complete set of its own (`rules lint --standalone`).
#[test]
fn a_plan_step_that_does_not_exist_is_refused() {
    let (text, _) = table("handling", "");
    let dir = RulesDir::new(&[("bad.toml", &text)]);
    let prefix = dir.path().display().to_string();
    let errors: Vec<String> = lint_standalone(&dir.path())
        .into_iter()
        .map(|e| e.to_string().replace(&prefix, "DIR"))
        .collect();
    assert!(
        errors.iter().any(|e| e.starts_with("DIR/bad.toml:2:")
            && e.contains("action `retry` needs the plan step `action-retry`")),
        "{errors:#?}"
    );
    // With the built-in steps the same row is fine.
    assert_eq!(lint_one(&text), Vec::<String>::new());
}

#[test]
fn a_placeholder_nothing_fills_is_refused() {
    let (text, _) = table("plan_step", "");
    let text = text.replace("why = \"w\"", "why = \"Publish it at {domian}.\"");
    assert_one(
        &text,
        "DIR/bad.toml:2:",
        "uses `{domian}`, which nothing fills",
    );
}

#[test]
fn knowledge_tables_load_typed_and_rules_show_reads_them() {
    let text = format!(
        "[[finding]]\n{}\n[[plan_step]]\n{}\n[[escalation]]\n{}",
        TABLES[10].1, TABLES[11].1, TABLES[14].1
    );
    let dir = RulesDir::new(&[("more.toml", &text)]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    assert_eq!(set.finding("spf-x").unwrap().fix, "f");
    let step = set.show("step-x").unwrap();
    assert_eq!((step.title.as_str(), step.why.as_str()), ("t", "w"));
    assert_eq!(
        set.plan_steps.last().unwrap().rule.verify,
        "mailtriage check {domain}"
    );
    let esc = set.show("escalation-x").unwrap();
    assert_eq!(esc.summary, "When:\n- w");
    assert_eq!(
        esc.what_to_do,
        "Where:\n- n: https://x.test\n\nGather:\n- g"
    );
}

#[test]
fn a_blocklist_with_a_bad_kind_code_key_or_reply_is_located() {
    let (text, _) = table("blocklist", "");
    let line = text.lines().position(|l| l.starts_with("kind = ")).unwrap() + 1;
    assert_one(
        &text.replace("kind = \"ip\"", "kind = \"ipv4\""),
        &format!("DIR/bad.toml:{line}:"),
        "ipv4",
    );
    for (extra, needle) in [
        (
            "refused_codes = [{ answer = \"10.0.0.1\", meaning = \"m\" }]",
            "outside 127.0.0.0/8",
        ),
        (
            "refused_codes = [{ answer = \"127.0.0.9-3\", meaning = \"m\" }]",
            "runs backwards",
        ),
        (
            "refused_codes = [{ bit = 3, meaning = \"m\" }]",
            "not a single bit",
        ),
        ("key_env = \"X_KEY\"", "go together"),
        (
            "key_env = \"X_KEY\"\nkey_zone = \"bl.{key}.x.test\"",
            "must be `{key}.`",
        ),
        (
            "replies = [\"no-such-rule\"]",
            "`no-such-rule` does not exist",
        ),
        // The sample is an IP list: a domain lookup path has no place there.
        ("lookup_links = [\"/query/domain/\"]", "on a domain list"),
    ] {
        let (text, _) = table("blocklist", extra);
        assert_one(&text, "DIR/bad.toml:2:", needle);
    }
}

/// The built-in lists file itself, edited and linted as a complete set (`rules lint
/// --standalone DIR` over a copy of rules/): each problem at its line of blocklists.toml, and
/// the command exits 2.
#[test]
fn an_error_in_the_blocklists_file_is_reported_at_its_line() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    let lists = files
        .iter_mut()
        .find(|(n, _)| n == "blocklists.toml")
        .unwrap();
    let zone = "zone = \"zen.spamhaus.org\"";
    let line = lists.1.lines().position(|l| l.trim() == zone).unwrap() + 1;
    lists.1 = lists.1.replacen(zone, "zone = \"ZEN.spamhaus.org\"", 1);
    let kind_line = lists
        .1
        .lines()
        .position(|l| l.trim() == "kind = \"domain\"")
        .unwrap()
        + 1;
    lists.1 = lists
        .1
        .replacen("kind = \"domain\"", "kind = \"domains\"", 1);
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = RulesDir::new(&refs);
    let prefix = dir.path().display().to_string();
    let errors: Vec<String> = lint_standalone(&dir.path())
        .into_iter()
        .map(|e| e.to_string().replace(&prefix, "DIR"))
        .collect();
    assert!(
        errors.iter().any(
            |e| e.starts_with(&format!("DIR/blocklists.toml:{kind_line}:"))
                && e.contains("domains")
        ),
        "{errors:#?}"
    );
    // The zone is checked in stage two, at the line of its table's header.
    let header = lists_header_line(&refs, line);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(&format!("DIR/blocklists.toml:{header}:"))
                && e.contains("zone `ZEN.spamhaus.org` is not a DNS name")),
        "{errors:#?}"
    );
    let o = crate::cli_support::run(&["rules", "lint", "--standalone", &prefix], None);
    assert_eq!(
        crate::cli_support::code(&o),
        2,
        "{}",
        crate::cli_support::stderr(&o)
    );
}

/// The line of the `[[blocklist]]` header above `line` of blocklists.toml.
fn lists_header_line(files: &[(&str, &str)], line: usize) -> usize {
    let text = files
        .iter()
        .find(|(n, _)| *n == "blocklists.toml")
        .unwrap()
        .1;
    let lines: Vec<&str> = text.lines().collect();
    (0..line)
        .rev()
        .find(|i| lines[*i].trim() == "[[blocklist]]")
        .unwrap()
        + 1
}

/// A check's table merges like the loader's own kinds: its ids are unique across every kind,
/// an extra file overrides a row by id in place, and `rules list`/`show` name its kind and the
/// file:line the row was read from.
#[test]
fn a_checks_table_merges_and_documents_like_the_loaders_own_kinds() {
    // An id of another kind (a built-in finding) and a duplicate within the table.
    let (row, _) = table("blocklist", "");
    let clash = row.replace("id = \"list-x\"", "id = \"spf-missing\"");
    let twice = format!("{row}\n{row}");
    assert_one(
        &clash,
        "DIR/bad.toml:2:",
        "id `spf-missing` is a blocklist here but a finding at rules/findings.toml:",
    );
    assert_one(
        &twice,
        "DIR/bad.toml:",
        "duplicate id `list-x` (already defined at DIR/bad.toml:2)",
    );
    // An override keeps the built-in row's place and takes the extra file's values and line.
    let over = "# over\n[[blocklist]]\nid = \"spamcop\"\nname = \"SpamCop (local mirror)\"\nzone = \"bl.mirror.test\"\nkind = \"ip\"\nremoval = \"https://mirror.test\"\ncodes = [{ answer = \"127.0.0.2\", meaning = \"listed\" }]\nsource = \"local\"\n";
    let dir = RulesDir::new(&[("over.toml", over)]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    let builtin = RuleSet::load(None).unwrap();
    let ids = |s: &RuleSet| -> Vec<String> {
        s.checks
            .blocklist
            .iter()
            .map(|l| l.rule.id.clone())
            .collect()
    };
    assert_eq!(ids(&set), ids(&builtin), "same rows, same order");
    let row = set
        .checks
        .blocklist
        .iter()
        .find(|l| l.rule.id == "spamcop")
        .unwrap();
    assert_eq!(row.rule.zone, "bl.mirror.test");
    assert_eq!(row.line, 2);
    let doc = set.show("spamcop").unwrap();
    assert_eq!(doc.kind.as_str(), "blocklist");
    assert_eq!(doc.title, "SpamCop (local mirror)");
    assert!(doc.location.ends_with("over.toml:2"), "{}", doc.location);
    assert!(doc.summary.contains("bl.mirror.test"), "{}", doc.summary);
    let listed = set.list();
    let entry = listed.iter().find(|r| r.id == "spamcop").unwrap();
    assert_eq!(serde_json::to_value(entry.kind).unwrap(), "blocklist");
    let unknown = lint_one("[[blocklists]]\nid = \"x\"\n");
    assert!(
        unknown
            .iter()
            .any(|e| e.contains("unknown table `[[blocklists]]`")
                && e.contains("suppression, spf, blocklist")),
        "{unknown:#?}"
    );
}
