//! `explain` as `mailtriage.explain/v1`.

use super::v1::{EXPLAIN, ExplainDoc, ExplainInputEntry, Reply};
use crate::reply::MessageKind;
use crate::report::text::form_str;
use crate::report::{ExplainInput, ExplainReport};
use serde_json::Value;

pub fn to_value(r: &ExplainReport<'_>) -> Value {
    super::v1::value(&ExplainDoc {
        schema: EXPLAIN,
        form: form_str(r.form),
        kind: r.kind.map(MessageKind::as_str),
        inputs: Vec::new(),
        replies: r.replies.iter().map(|(x, d)| Reply::new(x, d)).collect(),
    })
}

/// Several inputs: every reply in input order, `form` of the first input, and `inputs` naming
/// each input with its form, kind and how many of the replies are its.
pub fn many_to_value(inputs: &[ExplainInput<'_>]) -> Value {
    super::v1::value(&ExplainDoc {
        schema: EXPLAIN,
        form: inputs.first().map(|i| form_str(i.form)).unwrap_or_default(),
        kind: inputs.first().and_then(|i| i.kind).map(MessageKind::as_str),
        inputs: inputs
            .iter()
            .map(|i| ExplainInputEntry {
                name: i.name,
                form: form_str(i.form),
                kind: i.kind.map(MessageKind::as_str),
                replies: i.replies.len(),
            })
            .collect(),
        replies: inputs
            .iter()
            .flat_map(|i| i.replies.iter().map(|(x, d)| Reply::new(x, d)))
            .collect(),
    })
}
