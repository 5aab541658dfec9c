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

/// A JSON value that keeps its objects' key order (serde_json's map sorts them), so a schema
/// file can be rewritten with only the assembled parts changed.
#[derive(Debug, Clone, PartialEq)]
enum Ordered {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Ordered, E> {
                Ok(Ordered::Bool(b))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Ordered, E> {
                Ok(Ordered::Number(n.into()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Ordered, E> {
                Ok(Ordered::Number(n.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Ordered, E> {
                serde_json::Number::from_f64(n)
                    .map(Ordered::Number)
                    .ok_or_else(|| E::custom("not a JSON number"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Ordered, E> {
                Ok(Ordered::String(s.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(Ordered::Array(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry()? {
                    out.push((k, v));
                }
                Ok(Ordered::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl Ordered {
    fn get_mut(&mut self, key: &str) -> Option<&mut Ordered> {
        match self {
            Ordered::Object(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` in an object: in place when it is there, else at the end.
    fn set(&mut self, key: &str, value: Ordered) {
        if let Ordered::Object(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }

    /// Every `"check": {"enum": [...]}` becomes `names`.
    fn set_check_enums(&mut self, names: &[String]) {
        match self {
            Ordered::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if k == "check"
                        && let Some(e) = v.get_mut("enum")
                    {
                        *e = Ordered::Array(names.iter().cloned().map(Ordered::String).collect());
                    }
                    v.set_check_enums(names);
                }
            }
            Ordered::Array(a) => a.iter_mut().for_each(|v| v.set_check_enums(names)),
            _ => {}
        }
    }

    /// Two-space indented, one member per line: the schema files' own layout.
    fn write(&self, out: &mut String, depth: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Ordered::Null => out.push_str("null"),
            Ordered::Bool(b) => out.push_str(&b.to_string()),
            Ordered::Number(n) => out.push_str(&n.to_string()),
            Ordered::String(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Ordered::Array(a) if a.is_empty() => out.push_str("[]"),
            Ordered::Object(m) if m.is_empty() => out.push_str("{}"),
            Ordered::Array(a) => {
                out.push_str("[\n");
                for (i, v) in a.iter().enumerate() {
                    out.push_str(&pad(depth + 1));
                    v.write(out, depth + 1);
                    out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(depth));
                out.push(']');
            }
            Ordered::Object(m) => {
                out.push_str("{\n");
                for (i, (k, v)) in m.iter().enumerate() {
                    out.push_str(&pad(depth + 1));
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push_str(": ");
                    v.write(out, depth + 1);
                    out.push_str(if i + 1 < m.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(depth));
                out.push('}');
            }
        }
    }
}

/// The checks of the frozen v1 shape: typed fields of `DomainReport`, described in the schemas
/// themselves. Every check registered after them owns its facts' schema.
const V1_CHECKS: &[&str] = &["spf", "dkim", "dmarc", "ptr", "mx"];

/// A registered check's facts schema, next to its module.
fn fragment(name: &str) -> Option<(String, Ordered)> {
    let root = env!("CARGO_MANIFEST_DIR");
    [
        format!("src/checks/{name}/facts.schema.json"),
        format!("src/checks/{name}.facts.schema.json"),
    ]
    .into_iter()
    .find_map(|rel| {
        let text = std::fs::read_to_string(format!("{root}/{rel}")).ok()?;
        Some((rel, serde_json::from_str(&text).unwrap()))
    })
}

/// The published schemas are assembled from the registry: every `check` enum is `dns` and the
/// registered checks, and each check after v1 has its facts under its name in `domain_report`,
/// described by the fragment it owns (`src/checks/<name>/facts.schema.json`). Adding a check
/// is writing its fragment; `MAILTRIAGE_WRITE_SCHEMAS=1` on this test writes the assembled
/// files, whose diff is then reviewed like a snapshot's.
#[test]
fn the_published_schemas_are_assembled_from_the_checks_fragments() {
    let checks: Vec<String> = mailtriage::checks::REGISTRY
        .iter()
        .map(|e| e.check().as_str().to_string())
        .collect();
    let mut fragments = Vec::new();
    for name in checks.iter().filter(|c| !V1_CHECKS.contains(&c.as_str())) {
        let found = fragment(name);
        assert!(
            found.is_some(),
            "the check `{name}` has no facts schema: write src/checks/{name}/facts.schema.json"
        );
        fragments.extend(found.map(|(_, f)| (name.clone(), f)));
    }
    assert!(!fragments.is_empty(), "the blocklist check owns a fragment");
    let mut names = vec!["dns".to_string()];
    names.extend(checks);
    let write = std::env::var_os("MAILTRIAGE_WRITE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for file in ["check-v1.schema.json", "diagnose-v1.schema.json"] {
        let path = format!("{}/schemas/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut schema: Ordered = serde_json::from_str(&text).unwrap();
        schema.set_check_enums(&names);
        let defs = schema.get_mut("$defs").unwrap();
        for (name, f) in &fragments {
            defs.set(name, f.clone());
            let props = defs
                .get_mut("domain_report")
                .and_then(|d| d.get_mut("properties"))
                .unwrap();
            let reference = Ordered::Object(vec![(
                "$ref".into(),
                Ordered::String(format!("#/$defs/{name}")),
            )]);
            props.set(name, reference);
        }
        let mut assembled = String::new();
        schema.write(&mut assembled, 0);
        assembled.push('\n');
        if assembled != text {
            if write {
                std::fs::write(&path, &assembled).unwrap();
            }
            stale.push(file);
        }
    }
    assert!(
        write || stale.is_empty(),
        "{stale:?} differ from what the registry and the checks' fragments assemble: run this \
         test with MAILTRIAGE_WRITE_SCHEMAS=1 and review the diff"
    );
}

/// The writer above reproduces a schema file byte for byte, so an assembled file differs only
/// where the registry or a fragment changed.
#[test]
fn the_schema_writer_keeps_the_files_layout() {
    for file in ["check-v1.schema.json", "diagnose-v1.schema.json"] {
        let path = format!("{}/schemas/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let parsed: Ordered = serde_json::from_str(&text).unwrap();
        let mut out = String::new();
        parsed.write(&mut out, 0);
        out.push('\n');
        assert_eq!(out, text, "{file}");
    }
}
