//! `explain` as `mailtriage.explain/v1`.

use super::v1::{EXPLAIN, ExplainDoc, Reply};
use crate::reply::MessageKind;
use crate::report::ExplainReport;
use crate::report::text::form_str;
use serde_json::Value;

pub fn to_value(r: &ExplainReport<'_>) -> Value {
    super::v1::value(&ExplainDoc {
        schema: EXPLAIN,
        form: form_str(r.form),
        kind: r.kind.map(MessageKind::as_str),
        replies: r.replies.iter().map(|(x, d)| Reply::new(x, d)).collect(),
    })
}
