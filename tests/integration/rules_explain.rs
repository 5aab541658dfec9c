//! The explain renderers: human text with labelled lines, and JSON that matches its schema.
#![allow(clippy::unwrap_used)]

use crate::rules_support::{reply, unknown_reply};
use mailtriage::reply::InputForm;
use mailtriage::report::{ExplainReport, Format, Report, render};
use mailtriage::rules::RuleSet;

/// Renders decoded replies as `explain` does.
fn explain(
    format: Format,
    form: InputForm,
    items: &[(mailtriage::reply::Reply, mailtriage::rules::Decoded)],
) -> Vec<u8> {
    let mut out = Vec::new();
    let view = Report::Explain(ExplainReport {
        form,
        replies: items,
    });
    render(&mut out, format, &view).unwrap();
    out
}

fn items(
    replies: Vec<mailtriage::reply::Reply>,
) -> Vec<(mailtriage::reply::Reply, mailtriage::rules::Decoded)> {
    let set = RuleSet::load(None).unwrap();
    replies
        .into_iter()
        .map(|mut r| {
            r.recipient = Some("someone@example.org".into());
            r.remote_mta = Some("mx.example.org".into());
            let d = set.decode(&r);
            (r, d)
        })
        .collect()
}

#[test]
fn human_output_has_a_header_and_labelled_lines() {
    colored::control::set_override(false);
    let items = items(vec![
        reply("550 5.7.23 The sending IP is not among the permitted senders"),
        unknown_reply(),
    ]);
    let out = explain(Format::Human, InputForm::Reply, &items);
    let text = String::from_utf8(out).unwrap();
    for needle in [
        "Reply 1 of 2: 550 5.7.23\n",
        "  meaning      550: permanent negative completion, mail system: Requested action not taken",
        "               5.7.23: permanent failure; security or policy status: SPF validation failed",
        "  category     authentication-spf\n",
        "  bounce type  technical\n",
        "  action       fix-authentication\n",
        "  checks       spf\n",
        "  rule         enhanced-x-7-23 (RFC 7372 section 3.2)\n",
        "  recipient    someone@example.org\n",
        "  remote MTA   mx.example.org\n",
        "Reply 2 of 2: 599\n",
        "  recognised   no:",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when colour is off"
    );
}

#[test]
fn json_output_matches_the_schema() {
    let items = items(vec![
        reply("550 5.7.26 Unauthenticated"),
        reply("250 Ok"),
        unknown_reply(),
    ]);
    let out = explain(Format::Json, InputForm::PostfixLog, &items);
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/explain-v1.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(value["schema"], "mailtriage.explain/v1");
    assert_eq!(value["form"], "postfix-log");
    let first = &value["replies"][0];
    assert_eq!(first["enhanced"], "5.7.26");
    assert_eq!(first["action"], "fix-authentication");
    assert_eq!(first["rule"]["id"], "enhanced-x-7-26");
    assert_eq!(
        first["meaning"]["enhanced"]["subject"],
        "security or policy status"
    );
    assert_eq!(value["replies"][2]["recognised"], false);
}
