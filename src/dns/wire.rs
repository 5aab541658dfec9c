//! One question to one server, over UDP and, when the UDP answer is truncated or unreadable,
//! over TCP: the message is built and read by hickory-proto, the sockets are ours, so every
//! response is judged here (header, question, class) before anything in it is believed.
//!
//! Why not hickory's client streams: over UDP they silently drop a response whose question
//! differs from the query and keep waiting, so a server answering the wrong question read as
//! a timeout; and they turn a negative answer into an error that no longer carries the header,
//! so an NXDOMAIN under opcode STATUS was believed as absence. Here the first response with
//! our message id decides, and a wrong one is reported as what it is.

use super::verify;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::{
    DnsResponse, Edns, Message, MessageType, OpCode, Query, ResponseCode,
};
use hickory_resolver::proto::rr::{DNSClass, Name, RecordType};
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// The EDNS(0) UDP payload we advertise: the DNS Flag Day 2020 value, small enough to avoid
/// IP fragmentation on any path; bigger answers come truncated and are asked again over TCP.
const EDNS_PAYLOAD: u16 = 1232;

/// What one exchange over UDP produced.
enum Udp {
    Response(Message),
    /// TC=1: ask again over TCP (RFC 7766 section 5).
    Truncated,
    /// A response with our id that could not be parsed: possibly cut short by a path that
    /// drops what exceeds 512 bytes without setting TC (RFC 1035 section 4.2.1), so TCP may
    /// still deliver it whole.
    Unreadable(String),
}

/// Asks (name, rtype, IN) of `server`: UDP first, TCP for a truncated or unreadable UDP
/// answer. A server that rejects EDNS with FORMERR is asked again without it (RFC 6891
/// section 7). Each exchange is bounded by `timeout`.
pub(super) async fn exchange(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    tcp_slots: &tokio::sync::Semaphore,
) -> Result<DnsResponse, NetError> {
    let mut edns = true;
    loop {
        let query = request(name, rtype, edns);
        let udp = within(timeout, udp(server, &query)).await?;
        let message = match udp {
            Udp::Response(m) => m,
            Udp::Truncated | Udp::Unreadable(_) => {
                let Ok(_slot) = tcp_slots.acquire().await else {
                    return Err(NetError::Busy);
                };
                match (within(timeout, tcp(server, &query)).await, udp) {
                    (Ok(m), _) => m,
                    (Err(e), Udp::Unreadable(why)) => {
                        return Err(NetError::Msg(format!(
                            "malformed answer over UDP ({why}), and over TCP: {e}"
                        )));
                    }
                    (Err(e), _) => return Err(e),
                }
            }
        };
        judge(&message, name, rtype)?;
        // A server that does not know OPT answers FORMERR without one (RFC 6891 section 7).
        if edns && message.edns.is_none() && message.metadata.response_code == ResponseCode::FormErr
        {
            edns = false;
            continue;
        }
        if let Some(why) = failure_with_reason(&message)
            .or_else(|| super::ede::policy(&message))
            .or_else(|| super::ede::bogus(&message))
            .or_else(|| super::ede::unreached(&message, rtype))
        {
            return Err(NetError::Msg(why));
        }
        // Only NOERROR and NXDOMAIN answer the question. hickory reads an unassigned code
        // (11-15, or one an OPT record extends) as a success, so the records beside it would
        // be believed: any other code is the server's failure, named (RFC 6895 section 2.3).
        let code = message.metadata.response_code;
        if !matches!(code, ResponseCode::NoError | ResponseCode::NXDomain) {
            return Err(NetError::Dns(DnsError::ResponseCode(code)));
        }
        let response = DnsResponse::from_message(message).map_err(NetError::from)?;
        return DnsError::from_response(response).map_err(NetError::from);
    }
}

async fn within<T>(
    timeout: Duration,
    f: impl Future<Output = Result<T, NetError>>,
) -> Result<T, NetError> {
    tokio::time::timeout(timeout, f)
        .await
        .unwrap_or(Err(NetError::Timeout))
}

fn request(name: &Name, rtype: RecordType, edns: bool) -> Message {
    let mut m = Message::new(random_id(), MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(name.clone(), rtype));
    if edns {
        let mut e = Edns::new();
        e.set_max_payload(EDNS_PAYLOAD);
        m.set_edns(e);
    }
    m
}

/// A message id no one on the path can guess from the previous one (RFC 5452 section 9.2):
/// std's hasher keys are drawn from the OS's random source.
fn random_id() -> u16 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() & 0xffff) as u16
}

/// A SERVFAIL or REFUSED that says why (RFC 8914), as the message to report: the bare code
/// alone would hide the server's reason. `None` for every other answer.
fn failure_with_reason(message: &Message) -> Option<String> {
    let code = message.metadata.response_code;
    if !matches!(code, ResponseCode::ServFail | ResponseCode::Refused) {
        return None;
    }
    let code = if code == ResponseCode::ServFail {
        SERVFAIL_WHY
    } else {
        REFUSED_WHY
    };
    Some(format!("{code}{}", super::ede::describe(message)?))
}

/// How a SERVFAIL's and a REFUSED's reason open the message they travel in (hickory's error
/// type has no place for a reason): `resolve` reads them back into the outcome's kind.
pub(super) const SERVFAIL_WHY: &str = "SERVFAIL, ";
pub(super) const REFUSED_WHY: &str = "REFUSED, ";

/// Why `response` is not an answer to `query` (RFC 1035 sections 4.1.1, 7.3), as an error.
fn judge(response: &Message, name: &Name, rtype: RecordType) -> Result<(), NetError> {
    if response.metadata.message_type != MessageType::Response {
        return Err(NetError::Msg(
            "server sent a query (QR=0), not a response (RFC 1035 section 4.1.1)".into(),
        ));
    }
    if let Some(why) =
        verify::mismatch(response, name, rtype).or_else(|| verify::misplaced(response, name, rtype))
    {
        return Err(NetError::Msg(why));
    }
    let meta = &response.metadata;
    let negative = matches!(
        meta.response_code,
        ResponseCode::NoError | ResponseCode::NXDomain
    ) && response.answers.is_empty();
    let soa = response
        .authorities
        .iter()
        .any(|r| r.record_type() == RecordType::SOA);
    let delegated: Vec<String> = response
        .authorities
        .iter()
        .filter(|r| r.record_type() == RecordType::NS)
        .map(|r| super::names::canon(&r.name))
        .collect();
    // RFC 2308 section 2.2: a NODATA carries an SOA or no NS; NS without SOA is a referral.
    // Asked with RD=1, a referral means the server did not resolve the name for us.
    if negative && meta.response_code == ResponseCode::NoError && !soa && !delegated.is_empty() {
        // NS records for the root are an upward referral: a server that does not serve the
        // zone pointing back to the top of the tree (a lame delegation). The root's canonical
        // text is empty, which would read as a missing name: it is written ".".
        let (kind, zone) = match delegated.first().map(String::as_str) {
            Some("") => ("an upward referral to the root", "."),
            Some(z) => ("a referral", z),
            None => ("a referral", "?"),
        };
        return Err(NetError::Msg(format!(
            "the server did not recurse: it sent {kind} (NS records for {zone} in the authority section, no answer, no SOA; AA={}, RA={}) instead of an answer or a NODATA for {name}; ask a recursive resolver (RFC 1034 section 4.3.1, RFC 2308 section 2.2)",
            u8::from(meta.authoritative),
            u8::from(meta.recursion_available),
        )));
    }
    if negative && !soa && !meta.authoritative && !meta.recursion_available {
        return Err(NetError::Msg(format!(
            "lame answer: the server is neither authoritative for {name} (AA=0) nor recursive (RA=0), and its empty {} carries no SOA; a referral or a lame delegation, not proof of absence (RFC 2308 section 2.2)",
            meta.response_code
        )));
    }
    if let Some(why) = super::negative::foreign_soa(response, name, rtype) {
        return Err(NetError::Msg(why));
    }
    let foreign = response
        .answers
        .iter()
        .chain(&response.authorities)
        .chain(&response.additionals)
        .find(|r| r.dns_class != DNSClass::IN && r.record_type() != RecordType::OPT);
    if let Some(r) = foreign {
        return Err(NetError::ForeignClassRecord {
            record_name: r.name.clone(),
            record_class: r.dns_class,
            record_type: r.record_type(),
        });
    }
    Ok(())
}

fn io(e: std::io::Error) -> NetError {
    NetError::Io(Arc::new(e))
}

async fn udp(server: SocketAddr, query: &Message) -> Result<Udp, NetError> {
    let bytes = query.to_vec().map_err(NetError::from)?;
    let local: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(local).await.map_err(io)?;
    // A connected socket only hears `server` (RFC 5452 section 4.1: the source must match).
    socket.connect(server).await.map_err(io)?;
    let unreachable = |e: std::io::Error| {
        // ICMP port unreachable (RFC 1122 section 4.1.3.1): nothing listens there, said at
        // once; the next server is asked, and retrying the same port is pointless.
        if e.kind() == std::io::ErrorKind::ConnectionRefused {
            NetError::Msg(format!(
                "no DNS server listens at {server}: its UDP port is unreachable (ICMP port unreachable, connection refused)"
            ))
        } else {
            io(e)
        }
    };
    socket.send(&bytes).await.map_err(unreachable)?;
    // Four times what we advertise: a server that ignores the payload size still fits, and a
    // bigger datagram is cut, unreadable, and asked again over TCP.
    let mut buf = vec![0u8; 4 * usize::from(EDNS_PAYLOAD)];
    loop {
        let n = socket.recv(&mut buf).await.map_err(unreachable)?;
        let got = &buf[..n];
        // Another message id is not an answer to this question (RFC 5452 section 9.1): it
        // is dropped and the wait goes on, as for a spoofing attempt.
        if got.len() < 2 || got[..2] != query.metadata.id.to_be_bytes() {
            continue;
        }
        if got.len() >= 3 && got[2] & 0x02 != 0 {
            return Ok(Udp::Truncated);
        }
        return Ok(match Message::from_vec(got) {
            Ok(m) => Udp::Response(m),
            Err(e) => Udp::Unreadable(format!("{e} in {n} bytes")),
        });
    }
}

/// Octets of a DNS message header (RFC 1035 section 4.1.1): no response is shorter.
const HEADER_LEN: usize = 12;

/// One message each way on a fresh connection (RFC 7766 section 8: length-prefixed).
async fn tcp(server: SocketAddr, query: &Message) -> Result<Message, NetError> {
    let bytes = query.to_vec().map_err(NetError::from)?;
    let mut stream = TcpStream::connect(server).await.map_err(io)?;
    let len =
        u16::try_from(bytes.len()).map_err(|_| NetError::Message("query too large for TCP"))?;
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(&bytes);
    stream.write_all(&out).await.map_err(io)?;
    let mut prefix = [0u8; 2];
    read_all(&mut stream, &mut prefix, "its length prefix").await?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
    read_all(&mut stream, &mut buf, "its answer").await?;
    if buf.len() < HEADER_LEN {
        return Err(NetError::Msg(format!(
            "server's TCP answer is a message of {} bytes, shorter than the 12-byte DNS header (RFC 1035 section 4.1.1): no response",
            buf.len()
        )));
    }
    if buf[..2] != query.metadata.id.to_be_bytes() {
        return Err(NetError::Msg(
            "server's TCP answer carries another message id (RFC 1035 section 7.3)".into(),
        ));
    }
    let m = Message::from_vec(&buf)
        .map_err(|e| NetError::Msg(format!("malformed answer over TCP: {e}")))?;
    if m.metadata.truncation {
        // Over TCP nothing is left to ask: the answer does not fit in one message (64 KiB).
        return Err(NetError::Msg(
            "answer truncated even over TCP: it does not fit in one DNS message".into(),
        ));
    }
    Ok(m)
}

/// Fills `buf` from `stream`; a connection closed before it is full is reported with how much
/// arrived (RFC 7766 section 8: the length prefix announces the whole message). A server that
/// sends slowly is bounded by the caller's timeout, not here.
async fn read_all(stream: &mut TcpStream, buf: &mut [u8], what: &str) -> Result<(), NetError> {
    let mut got = 0;
    while got < buf.len() {
        let n = stream.read(&mut buf[got..]).await.map_err(io)?;
        if n == 0 {
            return Err(NetError::Msg(format!(
                "server closed the TCP connection after {got} of the {} bytes of {what} (RFC 7766 section 8)",
                buf.len()
            )));
        }
        got += n;
    }
    Ok(())
}
