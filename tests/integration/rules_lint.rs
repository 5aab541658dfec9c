//! Broken rules files are reported as `file:line: message`, and nothing is loaded from them.
#![allow(clippy::unwrap_used)]

use crate::rules_support::RulesDir;
use mailtriage::rules::{RuleSet, RulesError, lint};

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

#[test]
fn findings_plan_steps_and_escalations_load_with_their_extra_fields() {
    let text = "[[finding]]\nid = \"spf-x\"\ncheck = \"spf\"\nseverity = \"error\"\ntitle = \"T\"\nsummary = \"S\"\nwhy = \"W\"\nfix = \"F\"\nsource = \"RFC 7208\"\n\n[[plan_step]]\nid = \"step-x\"\ntitle = \"Publish SPF\"\nsummary = \"Publish one record.\"\nsource = \"RFC 7208\"\nverify = \"dig TXT example.com\"\n\n[[escalation]]\nid = \"esc-x\"\nprovider = \"gmail\"\nsteps = [\"one\", \"two\"]\nsource = \"https://example.test\"\n";
    let dir = RulesDir::new(&[("more.toml", text)]);
    let set = RuleSet::load(Some(&dir.path())).unwrap();
    assert_eq!(set.finding("spf-x").unwrap().fix, "F");
    let step = set.show("step-x").unwrap();
    assert_eq!(
        (step.title.as_str(), step.summary.as_str()),
        ("Publish SPF", "Publish one record.")
    );
    assert_eq!(
        set.plan_steps.last().unwrap().rule.extra["verify"].as_str(),
        Some("dig TXT example.com")
    );
    assert_eq!(set.show("esc-x").unwrap().what_to_do, "- one\n- two");
}

#[test]
fn finding_check_and_severity_are_validated() {
    let text = "[[finding]]\nid = \"spf-y\"\ncheck = \"smtp\"\nseverity = \"fatal\"\ntitle = \"T\"\nsummary = \"S\"\nwhy = \"W\"\nfix = \"F\"\nsource = \"s\"\n";
    let errors = lint_one(text);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("DIR/bad.toml:1:") && e.contains("unknown check `smtp`")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("DIR/bad.toml:1:") && e.contains("severity `fatal`")),
        "{errors:#?}"
    );
}
