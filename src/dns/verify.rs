//! Whether a response answers the question that was sent: header and question section
//! (RFC 1035 sections 4.1.1 and 7.3), checked before any record in it is believed.
//!
//! `wire.rs` applies it to every response, positive or negative, over UDP and TCP alike: a
//! response to another question, or under an opcode other than QUERY, is neither an answer
//! nor proof of absence.

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

/// Why a question section is not exactly the question asked, or `None` when it is. Names
/// compare without regard to letter case (RFC 4343 section 3; servers may echo a 0x20-mixed
/// question in another case).
fn question_mismatch(queries: &[Query], name: &Name, rtype: RecordType) -> Option<String> {
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
