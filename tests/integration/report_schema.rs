//! The JSON renderers' output validates against schemas/*.schema.json (draft 2020-12).
#![allow(clippy::unwrap_used)]

use crate::report_fixtures::*;
use mailtriage::report::CheckDomain;
use mailtriage::report::json::check as check_json;
use serde_json::Value;

fn schema(name: &str) -> jsonschema::Validator {
    let path = format!("{}/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&v).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn diagnose_output_validates_for_every_scenario() {
    let v = schema("diagnose-v1.schema.json");
    for case in [
        gmail_no_dmarc(),
        gmail_user_unknown(),
        gmail_spf_over_limit(),
        Case::new(gmail_5726(), clean_report()),
        Case::new(microsoft_blocklist(), clean_report()),
        Case::new(bad_command(), spf_over_limit_report()),
    ] {
        assert_valid(&v, &case.json());
    }
}

#[test]
fn diagnose_schema_rejects_a_document_without_plan_or_with_a_wrong_version() {
    let v = schema("diagnose-v1.schema.json");
    let mut doc = gmail_no_dmarc().json();
    assert!(v.is_valid(&doc));
    doc["schema"] = "mailtriage.diagnose/v2".into();
    assert!(!v.is_valid(&doc));
    let mut doc = gmail_no_dmarc().json();
    doc.as_object_mut().unwrap().remove("plan");
    assert!(!v.is_valid(&doc));
}

#[test]
fn check_output_and_jsonl_lines_validate() {
    let v = schema("check-v1.schema.json");
    let (a, b) = (no_dmarc_report(), spf_over_limit_report());
    let q = queries();
    let doc = check_json::to_value(
        &tool(),
        &[
            CheckDomain {
                report: &a,
                queries: &q,
            },
            CheckDomain {
                report: &b,
                queries: &[],
            },
        ],
    );
    assert_valid(&v, &doc);
    let line: Value = serde_json::from_str(&check_json::check_jsonl_line(&a, &q)).unwrap();
    assert_valid(&v, &line);
    let mut bad = doc.clone();
    bad["domains"][0]["findings"][0]["severity"] = "fatal".into();
    assert!(!v.is_valid(&bad));
}

/// Every `"check"` enum of the schemas names exactly `dns` and the registered checks, so a check
/// added to the registry cannot ship JSON its own schema refuses.
#[test]
fn the_schemas_name_every_registered_check() {
    fn enums<'a>(v: &'a Value, out: &mut Vec<&'a Vec<Value>>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(check)) = m.get("check")
                    && let Some(Value::Array(e)) = check.get("enum")
                {
                    out.push(e);
                }
                m.values().for_each(|x| enums(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| enums(x, out)),
            _ => {}
        }
    }
    let mut want = vec!["dns".to_string()];
    want.extend(
        mailtriage::checks::REGISTRY
            .iter()
            .map(|e| e.check().as_str().to_string()),
    );
    for name in ["check-v1.schema.json", "diagnose-v1.schema.json"] {
        let path = format!("{}/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut found = Vec::new();
        enums(&v, &mut found);
        assert!(!found.is_empty(), "{name}: no check enum");
        for e in found {
            let names: Vec<String> = e
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
            assert_eq!(names, want, "{name}");
        }
    }
}

/// A decoded reply has one JSON shape: diagnose's replies are explain's, field for field, and
/// the two schemas describe them with the same definition.
#[test]
fn a_decoded_reply_has_one_shape_in_explain_and_diagnose() {
    use mailtriage::reply::InputForm;
    use mailtriage::report::{ExplainReport, Format, Report, render};
    let rules = mailtriage::rules::RuleSet::load(None).unwrap();
    let reply = crate::rules_support::reply(
        "550-5.7.26 This mail has been blocked because the sender is unauthenticated. gsmtp",
    );
    let decoded = rules.decode(&reply);
    let pair = [(reply, decoded)];
    let mut out = Vec::new();
    let view = Report::Explain(ExplainReport {
        form: InputForm::Reply,
        kind: None,
        replies: &pair,
    });
    render(&mut out, Format::Json, &view).unwrap();
    let explained: Value = serde_json::from_slice(&out).unwrap();
    let diagnosed = Case::new(pair[0].clone(), clean_report()).json();
    assert_eq!(diagnosed["replies"][0], explained["replies"][0]);
    assert_eq!(diagnosed["reply"], explained["replies"][0]);
    assert!(explained["replies"][0]["meaning"]["enhanced"].is_object());
    let def = |name: &str| {
        let path = format!("{}/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["$defs"]["reply"].clone()
    };
    assert_eq!(
        def("diagnose-v1.schema.json"),
        def("explain-v1.schema.json")
    );
}
