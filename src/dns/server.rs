//! In-process authoritative DNS server on 127.0.0.1 (UDP and TCP): zone overlay, test fixture,
//! benchmark target. Serves zone records, optionally forwards the rest, and injects faults.

pub use super::fault::{Fault, FaultKind, QuestionFault};
use super::fault::{many_addresses, other_question, unit_hash, upper, upper_question};
use super::reply::fault_reply;
use super::resolve::record_type;
use super::store::{Reply, Store, to_name};
use super::transport::{DEFAULT_MAX_IN_FLIGHT, Transport};
use super::types::RType;
use super::zone::Zone;
use hickory_resolver::net::runtime::Time;
use hickory_resolver::net::{DnsError, NetError};
use hickory_server::Server;
use hickory_server::proto::op::{Edns, Header, HeaderCounts, Metadata, OpCode, ResponseCode};
use hickory_server::proto::rr::rdata::A;
use hickory_server::proto::rr::rdata::opt::EdnsOption;
use hickory_server::proto::rr::{RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use hickory_server::zone_handler::Queries;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to run a `DnsServer`.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub zones: Vec<Zone>,
    /// Forward questions outside every zone to these servers.
    pub upstream: Option<Vec<SocketAddr>>,
    /// Per-attempt timeout when forwarding (default 2 s).
    pub upstream_timeout: Duration,
    /// Further forwarding attempts after a timeout (default 1).
    pub upstream_retries: usize,
    /// Forwarded questions in flight at most; more wait (default [`DEFAULT_MAX_IN_FLIGHT`]).
    pub upstream_max_in_flight: usize,
    /// Without upstream: NXDOMAIN for names outside every zone (NODATA for the ancestors of
    /// a zone apex, which exist) instead of REFUSED.
    pub root_catch_all: bool,
    /// Added to every answer; each request waits on its own timer.
    pub delay: Duration,
    pub faults: Vec<Fault>,
    /// (timeout rate, SERVFAIL rate, seed): decided per (name, type) by hashing, so reruns agree.
    pub random_faults: Option<(f64, f64, u64)>,
    /// Answer this many requests, then REFUSED to every one: a server that rate-limits us.
    pub refuse_after: Option<usize>,
    /// Answer every A question, whatever the name, with this address (NOERROR, AA=1): a
    /// server that makes up an address for names that do not exist.
    pub a_for_every_name: Option<std::net::Ipv4Addr>,
    /// Listen here instead of an ephemeral port of 127.0.0.1 (the benchmark serves tools that
    /// only speak to port 53).
    pub listen: Option<SocketAddr>,
    /// Remember each distinct question and the message ids it came with, for
    /// [`DnsServer::questions_seen`] and [`DnsServer::times_asked`]. Off by default: the
    /// `--zone` overlay serves bulk runs, where it would remember every name ever asked.
    pub track_questions: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            zones: Vec::new(),
            upstream: None,
            upstream_timeout: Duration::from_secs(2),
            upstream_retries: 1,
            upstream_max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            root_catch_all: false,
            delay: Duration::ZERO,
            faults: Vec::new(),
            random_faults: None,
            refuse_after: None,
            a_for_every_name: None,
            listen: None,
            track_questions: false,
        }
    }
}

/// A running server; stops when dropped.
pub struct DnsServer {
    addr: SocketAddr,
    stats: Arc<Stats>,
    server: Server<Handler>,
}

/// What the server saw, for tests and the benchmark.
#[derive(Default)]
struct Stats {
    /// Every request, transport resends included.
    received: AtomicUsize,
    /// Requests being handled now (delay included), and the most there ever were at once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// (name, type) -> message ids it was asked with (`track_questions` only). A client resends
    /// an unanswered UDP query with the same id, so distinct ids count queries, not datagrams.
    questions: Option<Mutex<Questions>>,
}

type Questions = HashMap<(String, RecordType), HashSet<u16>>;

impl Stats {
    fn questions(&self) -> Option<std::sync::MutexGuard<'_, Questions>> {
        let q = self.questions.as_ref()?;
        Some(match q.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        })
    }
}

/// Counts a request as in flight until it is dropped (answered, dropped or cancelled).
struct InFlight<'a>(&'a Stats);

impl<'a> InFlight<'a> {
    fn start(stats: &'a Stats) -> InFlight<'a> {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(stats)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A UDP socket and a TCP listener on the same ephemeral port of 127.0.0.1, as a name server
/// needs. `prepare` may set options on the TCP socket before it listens. The UDP port may be
/// taken for TCP (often by a connection in TIME_WAIT: the resolver opens one per TCP question),
/// so SO_REUSEADDR is set and another port is tried, up to 50 times.
pub async fn bind_same_port(
    prepare: impl Fn(&tokio::net::TcpSocket) -> io::Result<()>,
) -> io::Result<(tokio::net::UdpSocket, tokio::net::TcpListener)> {
    let mut last_err = None;
    for _ in 0..50 {
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
        let addr = udp.local_addr()?;
        let tcp = tokio::net::TcpSocket::new_v4()?;
        tcp.set_reuseaddr(true)?;
        prepare(&tcp)?;
        match tcp.bind(addr).and_then(|()| tcp.listen(1024)) {
            Ok(listener) => return Ok((udp, listener)),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::other("no free port")))
}

impl DnsServer {
    /// Binds UDP and TCP on the same ephemeral port of 127.0.0.1 and starts serving.
    pub async fn start(opts: ServerOptions) -> io::Result<DnsServer> {
        let stats = Arc::new(Stats {
            questions: opts.track_questions.then(Mutex::default),
            ..Stats::default()
        });
        let listen = opts.listen;
        let handler = Handler::new(opts, stats.clone())?;
        if let Some(addr) = listen {
            let udp = tokio::net::UdpSocket::bind(addr).await?;
            let tcp = tokio::net::TcpListener::bind(addr).await?;
            return Ok(DnsServer::serve(handler, udp, tcp, stats));
        }
        let (udp, tcp) = bind_same_port(|_| Ok(())).await?;
        Ok(DnsServer::serve(handler, udp, tcp, stats))
    }

    fn serve(
        handler: Handler,
        udp: tokio::net::UdpSocket,
        tcp: tokio::net::TcpListener,
        stats: Arc<Stats>,
    ) -> DnsServer {
        // Both sockets are bound, so the address is known.
        let addr = udp
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        let mut server = Server::new(handler);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(10), 64 * 1024);
        DnsServer {
            addr,
            stats,
            server,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests received so far (over UDP and TCP), faulted ones and transport resends included.
    pub fn queries_received(&self) -> usize {
        self.stats.received.load(Ordering::Relaxed)
    }

    /// Distinct (name, type) questions received so far; 0 without `track_questions`.
    pub fn questions_seen(&self) -> usize {
        self.stats.questions().map_or(0, |q| q.len())
    }

    /// How many separate queries asked (name, type): distinct message ids, so a transport
    /// resend of one unanswered UDP query counts once. 0 without `track_questions`.
    pub fn times_asked(&self, name: &str, rtype: RType) -> usize {
        let key = (
            name.trim_end_matches('.').to_ascii_lowercase(),
            record_type(rtype),
        );
        self.stats
            .questions()
            .and_then(|q| q.get(&key).map(HashSet::len))
            .unwrap_or(0)
    }

    /// The most requests the server was handling at the same moment (its delay included).
    pub fn max_in_flight(&self) -> usize {
        self.stats.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.server.shutdown_token().cancel();
    }
}

struct Handler {
    store: Store,
    upstream: Option<Transport>,
    upstream_retries: usize,
    root_catch_all: bool,
    delay: Duration,
    faults: HashMap<(String, Option<RecordType>), FaultKind>,
    random_faults: Option<(f64, f64, u64)>,
    refuse_after: Option<usize>,
    a_for_every_name: Option<std::net::Ipv4Addr>,
    stats: Arc<Stats>,
}

impl Handler {
    fn new(opts: ServerOptions, stats: Arc<Stats>) -> io::Result<Handler> {
        let upstream = match &opts.upstream {
            Some(servers) => Some(
                Transport::new(servers, opts.upstream_timeout, opts.upstream_max_in_flight)
                    .map_err(|e| io::Error::other(e.to_string()))?,
            ),
            None => None,
        };
        let faults = opts
            .faults
            .iter()
            .map(|f| {
                (
                    (
                        f.name.trim_end_matches('.').to_ascii_lowercase(),
                        f.rtype.map(record_type),
                    ),
                    f.kind,
                )
            })
            .collect();
        Ok(Handler {
            store: Store::new(&opts.zones)?,
            upstream,
            upstream_retries: opts.upstream_retries,
            root_catch_all: opts.root_catch_all,
            delay: opts.delay,
            faults,
            random_faults: opts.random_faults,
            refuse_after: opts.refuse_after,
            a_for_every_name: opts.a_for_every_name,
            stats,
        })
    }

    fn fault(&self, name: &str, rtype: RecordType) -> Option<FaultKind> {
        if let Some(kind) = self
            .faults
            .get(&(name.to_string(), Some(rtype)))
            .or_else(|| self.faults.get(&(name.to_string(), None)))
        {
            return Some(*kind);
        }
        let (timeout_rate, servfail_rate, seed) = self.random_faults?;
        let roll = unit_hash(seed, name, u16::from(rtype));
        if roll < timeout_rate {
            Some(FaultKind::Timeout)
        } else if roll < timeout_rate + servfail_rate {
            Some(FaultKind::ServFail)
        } else {
            None
        }
    }

    async fn answer(
        &self,
        name: &str,
        rtype: RecordType,
        udp: bool,
        fault: Option<FaultKind>,
    ) -> Reply {
        if let Some(reply) = fault_reply(&self.store, name, rtype, udp, fault).await {
            return reply;
        }
        if let Some(addr) = self.a_for_every_name
            && rtype == RecordType::A
            && let Ok(owner) = to_name(name)
        {
            return Reply::Records {
                code: ResponseCode::NoError,
                authoritative: true,
                answers: vec![Record::from_rdata(owner, 300, RData::A(A(addr)))],
                authorities: Vec::new(),
                truncate: false,
            };
        }
        if self.store.zone_of(name).is_some() {
            return self.store.authoritative(name, rtype);
        }
        if let Some(upstream) = &self.upstream {
            return self.forward(upstream, name, rtype).await;
        }
        if self.root_catch_all {
            let code = if self.store.apex_ancestors.contains(name) {
                ResponseCode::NoError
            } else {
                ResponseCode::NXDomain
            };
            return Reply::Records {
                code,
                authoritative: true,
                answers: Vec::new(),
                authorities: Vec::new(),
                truncate: false,
            };
        }
        Reply::Code(ResponseCode::Refused)
    }

    async fn forward(&self, upstream: &Transport, name: &str, rtype: RecordType) -> Reply {
        let Ok(fqdn) = to_name(name) else {
            return Reply::Code(ResponseCode::FormErr);
        };
        match upstream.exchange(&fqdn, rtype, self.upstream_retries).await {
            Ok(response) => Reply::Records {
                code: response.metadata.response_code,
                authoritative: false,
                answers: response.answers.clone(),
                authorities: response.authorities.clone(),
                truncate: false,
            },
            Err(NetError::Dns(DnsError::NoRecordsFound(nr))) => Reply::Records {
                code: nr.response_code,
                authoritative: false,
                answers: Vec::new(),
                authorities: nr
                    .soa
                    .map(|s| s.into_record_of_rdata())
                    .into_iter()
                    .collect(),
                truncate: false,
            },
            Err(NetError::Dns(DnsError::ResponseCode(code))) => Reply::Code(code),
            // Let the client see a timeout, not a SERVFAIL it would report differently.
            Err(NetError::Timeout) => Reply::Drop,
            // The upstream's trouble (a lame or broken answer, a SERVFAIL and its reason) goes
            // to the client as a resolver says it: SERVFAIL with EDE 23, Network Error.
            Err(e) => Reply::Failed(NETWORK_ERROR, bounded(format!("upstream: {e}"))),
        }
    }

    async fn respond<R: ResponseHandler>(&self, request: &Request, mut handle: R) -> ResponseInfo {
        self.stats.received.fetch_add(1, Ordering::Relaxed);
        let in_flight = InFlight::start(&self.stats);
        let mut metadata = Metadata::response_from_request(&request.metadata);
        let info = match request.request_info() {
            Ok(info) => Some((
                super::resolve::canon(info.query.name()),
                info.query.query_type(),
                info.protocol == hickory_resolver::net::xfer::Protocol::Udp,
            )),
            Err(_) => None,
        };
        let Some((qname, qtype, udp)) = info else {
            metadata.response_code = ResponseCode::FormErr;
            let none = Sections::default();
            return send(&mut handle, request, None, metadata, none, OptPlan::Echo).await;
        };
        let name = qname.trim_end_matches('.').to_ascii_lowercase();
        if let Some(mut questions) = self.stats.questions() {
            questions
                .entry((name.clone(), qtype))
                .or_default()
                .insert(request.metadata.id);
        }
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let fault = self.fault(&name, qtype);
        let served = self.stats.received.load(Ordering::Relaxed);
        let fault = match self.refuse_after {
            Some(n) if served > n => Some(FaultKind::Refused),
            _ => fault,
        };
        let reply = if fault == Some(FaultKind::EdnsFormErr) && request.edns.is_some() {
            metadata.response_code = ResponseCode::FormErr;
            drop(in_flight);
            let none = Sections::default();
            return send(&mut handle, request, None, metadata, none, OptPlan::None).await;
        } else {
            self.answer(&name, qtype, udp, fault).await
        };
        if fault == Some(FaultKind::Opcode) {
            metadata.op_code = OpCode::Status;
        }
        let asked = || {
            request
                .request_info()
                .ok()
                .map(|i| i.query.original().clone())
        };
        let question = match fault {
            Some(FaultKind::WrongQuestion(what)) if !udp => other_question(asked(), what),
            Some(FaultKind::WrongQuestionUdp(what)) => other_question(asked(), what),
            Some(FaultKind::UpperCase) => upper_question(asked()),
            _ => None,
        };
        // The question stops counting before its answer leaves: a client that sends its next
        // question on receipt must not find this one still counted (a bound of 16 read as 17).
        drop(in_flight);
        match reply {
            Reply::Drop => ResponseInfo::from(Header {
                metadata,
                counts: HeaderCounts::default(),
            }),
            Reply::Code(code) => {
                metadata.response_code = code;
                let q = question.as_ref();
                let opt = match fault {
                    Some(FaultKind::ServFailEde(code, text)) => {
                        OptPlan::EchoWithEde(code, text.into())
                    }
                    _ => OptPlan::Echo,
                };
                send(&mut handle, request, q, metadata, Sections::default(), opt).await
            }
            Reply::Failed(code, why) => {
                metadata.response_code = ResponseCode::ServFail;
                let q = question.as_ref();
                let opt = OptPlan::EchoWithEde(code, why.into());
                send(&mut handle, request, q, metadata, Sections::default(), opt).await
            }
            Reply::Records {
                code,
                authoritative,
                mut answers,
                authorities,
                truncate,
            } => {
                metadata.response_code = code;
                metadata.authoritative = authoritative;
                metadata.truncation = truncate;
                metadata.recursion_available =
                    self.upstream.is_some() && fault != Some(FaultKind::Lame);
                if fault == Some(FaultKind::UpperCase) {
                    for r in &mut answers {
                        r.name = upper(&r.name);
                    }
                }
                let additionals = match fault {
                    Some(FaultKind::HugeAdditional(n)) => many_addresses(n),
                    _ => Vec::new(),
                };
                let sections = Sections {
                    answers: &answers,
                    authorities: &authorities,
                    additionals: &additionals,
                };
                let q = question.as_ref();
                send(&mut handle, request, q, metadata, sections, OptPlan::Echo).await
            }
        }
    }
}

/// The record sections of a response.
#[derive(Default)]
struct Sections<'a> {
    answers: &'a [Record],
    authorities: &'a [Record],
    additionals: &'a [Record],
}

/// Whether a response carries an OPT record, and an Extended DNS Error in it (RFC 8914).
#[derive(Clone, PartialEq, Eq)]
enum OptPlan {
    None,
    Echo,
    EchoWithEde(u16, std::borrow::Cow<'static, str>),
}

/// `text` cut to at most 512 octets at a character boundary: an EXTRA-TEXT short enough for
/// any UDP answer, whatever the upstream's error held.
fn bounded(mut text: String) -> String {
    let mut end = text.len().min(512);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

/// RFC 8914 section 4.24: "An unrecoverable error occurred while communicating with another
/// server."
const NETWORK_ERROR: u16 = 23;

async fn send<R: ResponseHandler>(
    handle: &mut R,
    request: &Request,
    question: Option<&Queries>,
    metadata: Metadata,
    sections: Sections<'_>,
    opt: OptPlan,
) -> ResponseInfo {
    let mut builder = match question {
        Some(q) => MessageResponseBuilder::new(q, None),
        None => MessageResponseBuilder::from_message_request(request),
    };
    // Echo the client's EDNS buffer size so large answers fit in UDP when they can and are
    // truncated (TC=1) when they cannot.
    let edns = request
        .edns
        .as_ref()
        .filter(|_| opt != OptPlan::None)
        .map(|req| {
            let mut e = Edns::new();
            e.set_max_payload(req.max_payload().clamp(512, 4096));
            if let OptPlan::EchoWithEde(code, text) = &opt {
                let mut data = code.to_be_bytes().to_vec();
                data.extend_from_slice(text.as_bytes());
                e.options_mut().insert(EdnsOption::Unknown(15, data));
            }
            e
        });
    if let Some(e) = &edns {
        builder.edns(e);
    }
    let response = builder.build(
        metadata,
        sections.answers.iter(),
        sections.authorities.iter(),
        [],
        sections.additionals.iter(),
    );
    match handle.send_response(response).await {
        Ok(info) => info,
        Err(_) => ResponseInfo::from(Header {
            metadata,
            counts: HeaderCounts::default(),
        }),
    }
}

impl RequestHandler for Handler {
    fn handle_request<'life0, 'life1, 'async_trait, R, T>(
        &'life0 self,
        request: &'life1 Request,
        response_handle: R,
    ) -> Pin<Box<dyn Future<Output = ResponseInfo> + Send + 'async_trait>>
    where
        R: 'async_trait + ResponseHandler,
        T: 'async_trait + Time,
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(self.respond(request, response_handle))
    }
}
