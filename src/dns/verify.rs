//! Whether a response answers the question that was sent: header and question section
//! (RFC 1035 sections 4.1.1 and 7.3), checked before any record in it is believed.
//!
//! `wire.rs` applies it to every response, positive or negative, over UDP and TCP alike: a
//! response to another question, or under an opcode other than QUERY, is neither an answer
//! nor proof of absence.

use super::names::canon;
use hickory_resolver::proto::op::{Message, OpCode, Query, ResponseCode};
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

/// Why a response with no record of the asked type in its answer section cannot be read as a
/// negative answer because its authority or additional section holds that very record (owned
/// by the name asked, or by a CNAME target the answer leads to), or `None`.
///
/// RFC 2308 section 2.2 has a NODATA's authority section hold an SOA or NS records, and RFC
/// 2181 section 6.1 makes authority and additional data no answer: such a response says "the record exists"
/// in a place where it is not the answer, a broken server, and proves neither the record nor
/// its absence. SOA and NS questions are left out: their records sit in the authority section
/// of honest negative answers and referrals.
pub(super) fn misplaced(response: &Message, name: &Name, rtype: RecordType) -> Option<String> {
    if matches!(rtype, RecordType::SOA | RecordType::NS)
        || !matches!(
            response.metadata.response_code,
            ResponseCode::NoError | ResponseCode::NXDomain
        )
        || response.answers.iter().any(|r| r.record_type() == rtype)
    {
        return None;
    }
    let chain = super::negative::chain(&response.answers, name);
    let mine = |r: &&hickory_resolver::proto::rr::Record| {
        r.record_type() == rtype && chain.contains(&canon(&r.name))
    };
    let (section, found) = match response.authorities.iter().find(mine) {
        Some(r) => ("authority", r),
        None => ("additional", response.additionals.iter().find(mine)?),
    };
    Some(format!(
        "server put the {rtype} record of {} in the {section} section and left the answer section without one: a broken answer, neither the record nor its absence (RFC 1035 section 4.1, RFC 2181 section 6.1, RFC 2308 section 2.2)",
        canon(&found.name)
    ))
}
