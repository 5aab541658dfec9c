//! Whether a response answers the question that was sent: header and question section
//! (RFC 1035 sections 4.1.1 and 7.3), checked before any record in it is believed.
//!
//! hickory already drops, over UDP, responses with a foreign message id or question section
//! (the client then waits and reports a timeout), and rejects QR=0 everywhere. Over TCP it
//! matches by message id only, and it never looks at the opcode, so a server that answers
//! another question on a TCP retry, or answers with an opcode other than QUERY, would have its
//! records taken as the answer (or its empty answer as proof of absence).

use super::names::canon;
use hickory_resolver::proto::op::{Message, OpCode, Query};
use hickory_resolver::proto::rr::{DNSClass, Name, RecordType};

/// Why `response` is not an answer to (name, rtype, IN), or `None` when it is.
pub(super) fn mismatch(response: &Message, name: &Name, rtype: RecordType) -> Option<String> {
    if response.metadata.op_code != OpCode::Query {
        return Some(format!(
            "server answered with opcode {:?}, not QUERY (RFC 1035 section 4.1.1)",
            response.metadata.op_code
        ));
    }
    question_mismatch(&response.queries, name, rtype)
}

/// Why a question section is not exactly the question asked, or `None` when it is.
/// Used on negative answers too, where hickory hands back only the question.
pub(super) fn question_mismatch(
    queries: &[Query],
    name: &Name,
    rtype: RecordType,
) -> Option<String> {
    let asked = canon(name);
    match queries {
        [] => Some("server's answer has an empty question section (RFC 1035 section 7.3)".into()),
        [q] if canon(q.name()) != asked => Some(format!(
            "server's answer is for the question {}, not {asked} (RFC 1035 section 7.3)",
            shown(q)
        )),
        [q] if q.query_type() != rtype || q.query_class() != DNSClass::IN => Some(format!(
            "server's answer is for the question {}, not {asked} IN {rtype} (RFC 1035 section 7.3)",
            shown(q)
        )),
        [_] => None,
        many => Some(format!(
            "server's answer has {} questions, not the one asked (RFC 1035 section 7.3)",
            many.len()
        )),
    }
}

fn shown(q: &Query) -> String {
    format!("{} {} {}", canon(q.name()), q.query_class(), q.query_type())
}
