//! A deterministic generator of realistic Postfix and Exim logs of any size, built from the reply
//! texts of the rules' examples, with the decisions `scan` must reach on them.
//!
//! What it writes: messages from two sending domains to a pool of recipients at Gmail,
//! Outlook.com, Yahoo and other domains (pickup, cleanup, qmgr, smtp and removal lines; Exim's
//! arrival, delivery and completion lines), greylisting that a retry clears, Gmail answering every
//! message with 421 4.7.28 from a known time, ordinary recipients whose fate is fixed (dead
//! addresses, domains that accept no mail, full mailboxes, one-off deferrals, policy blocks; see
//! `Mix` in scan_gen_model.rs, which also decides them), and a few recipients with a known story
//! (scan_gen_stories.rs). The benchmark includes these files too (`#[path]`), to write its
//! 10-million-line log.
#![allow(dead_code, clippy::unwrap_used)]

pub use super::scan_gen_model::Mix;
use super::scan_gen_model::{Class, Fail, Fate, Model, domain_row};
use super::scan_gen_stories::example;
use super::scan_gen_stories::stories;
use std::collections::{BTreeMap, BinaryHeap};
use std::io::{self, Write};

/// splitmix64: small, fast and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / ((1u64 << 53) as f64)) < p
    }
}

/// Which MTA writes the log.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mta {
    Postfix,
    Exim,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    pub mta: Mta,
    /// At least this many lines.
    pub lines: u64,
    /// Distinct recipients of the ordinary traffic.
    pub recipients: u64,
    pub seed: u64,
    /// Unix time of the first line (UTC).
    pub start: i64,
    pub days: i64,
    pub host: String,
    /// Gmail answers every ordinary message with 421 4.7.28 from this time ...
    pub onset: Option<i64>,
    /// ... until this time (None: to the end).
    pub onset_end: Option<i64>,
    /// Share of ordinary messages to non-Gmail recipients greylisted once.
    pub greylist: f64,
    /// Add the recipients with a known story (and their expected decisions).
    pub stories: bool,
    /// syslog times as RFC 3339 (rsyslog's precise format) instead of `Mar  1 00:00:01`.
    pub iso: bool,
    /// Ordinary messages go to the recipients in turn (every one of them is reached once the
    /// messages outnumber them) instead of at random.
    pub cycle: bool,
    /// How the ordinary traffic fails besides greylisting and Gmail's deferrals.
    pub mix: Mix,
}

impl Config {
    pub fn small(mta: Mta, lines: u64, seed: u64) -> Config {
        Config {
            mta,
            lines,
            recipients: (lines / 12).max(50),
            seed,
            start: 1_772_323_200, // 2026-03-01T00:00:00Z
            days: 20,
            host: "mx1".into(),
            onset: Some(1_772_323_200 + 2 * 86_400 + 10 * 3600 + 14 * 60),
            onset_end: Some(1_772_323_200 + 2 * 86_400 + 16 * 3600),
            greylist: 0.1,
            stories: true,
            iso: false,
            cycle: false,
            mix: Mix::REALISTIC,
        }
    }
}

/// What `scan` must find in the log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The suppression list, as `--suppressions` writes it.
    pub suppressions: String,
    /// Verdict of every address that had a failure; and how many were only delivered.
    pub verdicts: BTreeMap<String, String>,
    pub delivered_only: u64,
    /// When Gmail's 4.7.28 deferrals began (the first one written).
    pub pattern_start: Option<i64>,
    pub delivered: u64,
    pub deferred: u64,
    pub bounced: u64,
    pub lines: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Provider {
    Gmail,
    Outlook,
    Yahoo,
    Other,
}

fn provider_of(domain: &str) -> Provider {
    match domain {
        "gmail.com" | "googlemail.com" => Provider::Gmail,
        "outlook.com" | "hotmail.com" => Provider::Outlook,
        "yahoo.com" => Provider::Yahoo,
        _ => Provider::Other,
    }
}

fn relay(domain: &str) -> (String, &'static str) {
    match provider_of(domain) {
        Provider::Gmail => ("gmail-smtp-in.l.google.com".into(), "142.250.27.26"),
        Provider::Outlook => (
            "outlook-com.olc.protection.outlook.com".into(),
            "52.101.9.0",
        ),
        Provider::Yahoo => ("mta7.am0.yahoodns.net".into(), "67.195.204.72"),
        Provider::Other => (format!("mx.{domain}"), "198.51.100.20"),
    }
}

/// One attempt's result.
#[derive(Clone, Debug)]
pub enum Try {
    Deliver,
    /// (dsn, reply) deferred.
    Defer(String, String),
    /// (dsn, reply) bounced.
    Bounce(String, String),
    /// Postfix's own words, no remote reply (null MX): (dsn, text).
    LocalBounce(String, String),
}

/// A queued message.
#[derive(Clone, Debug)]
struct Msg {
    id: u64,
    rcpt: String,
    sender: String,
    /// The planned attempts (a story's); empty for ordinary traffic, decided when tried.
    plan: Vec<Try>,
    attempt: usize,
    /// Time of the first attempt: retries follow it by `RETRY`.
    first: i64,
    greylisted: bool,
    /// Attempts after which the message is left in the queue (0: every retry of `RETRY`).
    give_up: usize,
    /// The ordinary recipient's number and fixed fate.
    n: u64,
    fate: Fate,
}

/// Retry offsets after the first attempt (Postfix's backoff, roughly).
pub const RETRY: [i64; 8] = [900, 2700, 6300, 13_500, 27_900, 42_300, 56_700, 71_100];

struct Writer<'a, W: Write> {
    cfg: &'a Config,
    out: W,
    rng: Rng,
    exp: Expected,
    /// Every ordinary recipient's deliveries and failures, as written.
    model: Model,
    /// Story rows of the suppression list: address (or `~domain`) -> row.
    rows: BTreeMap<String, String>,
    story_verdicts: BTreeMap<String, &'static str>,
}

fn ts_syslog(t: i64) -> String {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = civil(t.div_euclid(86_400));
    let _ = y;
    let s = t.rem_euclid(86_400);
    format!(
        "{} {:>2} {:02}:{:02}:{:02}",
        M[(m - 1) as usize],
        d,
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn ts_iso(t: i64) -> String {
    let (y, m, d) = civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The RFC 3339 form `scan` writes.
pub fn rfc3339(t: i64) -> String {
    ts_iso(t).replace(' ', "T") + "Z"
}

fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn qid(id: u64) -> String {
    format!("{:010X}", id.wrapping_mul(0x9E37_79B9) & 0xFF_FFFF_FFFF)
}

fn exim_id(id: u64) -> String {
    const B: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = id.wrapping_mul(0x2545_F491_4F6C_DD1D);
    let mut s = String::new();
    for i in 0..14 {
        if i == 6 || i == 12 {
            s.push('-');
        }
        s.push(B[(n % 62) as usize] as char);
        n /= 62;
    }
    s
}

fn gmail_session(rng: &mut Rng) -> String {
    format!(
        "{:013x}-{:010x}si{}pfb.{}",
        rng.next() & 0x1f_ffff_ffff_ffff,
        rng.next() & 0xff_ffff_ffff,
        rng.below(90_000_000) + 10_000_000,
        rng.below(400)
    )
}

impl<W: Write> Writer<'_, W> {
    fn line(&mut self, s: &str) -> io::Result<()> {
        self.exp.lines += 1;
        self.out.write_all(s.as_bytes())?;
        self.out.write_all(b"\n")
    }

    fn prefix(&self, t: i64, prog: &str) -> String {
        match self.cfg.mta {
            Mta::Postfix => {
                let time = if self.cfg.iso {
                    rfc3339(t).replace('Z', "+00:00")
                } else {
                    ts_syslog(t)
                };
                format!(
                    "{time} {} postfix/{prog}[{}]:",
                    self.cfg.host,
                    1000 + (t % 7000)
                )
            }
            Mta::Exim => ts_iso(t),
        }
    }

    fn arrive(&mut self, t: i64, m: &Msg) -> io::Result<()> {
        match self.cfg.mta {
            Mta::Postfix => {
                let q = qid(m.id);
                let l = format!(
                    "{} {q}: uid=1001 from=<{}>",
                    self.prefix(t, "pickup"),
                    m.sender
                );
                self.line(&l)?;
                let l = format!(
                    "{} {q}: message-id=<{}.{}@{}>",
                    self.prefix(t, "cleanup"),
                    m.id,
                    t,
                    m.sender.split('@').nth(1).unwrap()
                );
                self.line(&l)?;
                let l = format!(
                    "{} {q}: from=<{}>, size={}, nrcpt=1 (queue active)",
                    self.prefix(t, "qmgr"),
                    m.sender,
                    2000 + m.id % 30_000
                );
                self.line(&l)
            }
            Mta::Exim => {
                let l = format!(
                    "{} {} <= {} H=app.shop.example [10.0.0.5] P=esmtpa S={} id={}.{}@shop.example",
                    ts_iso(t),
                    exim_id(m.id),
                    m.sender,
                    2000 + m.id % 30_000,
                    m.id,
                    t
                );
                self.line(&l)
            }
        }
    }

    /// Writes one attempt; returns true when the message is done (delivered or bounced).
    fn attempt(&mut self, t: i64, m: &Msg, result: &Try) -> io::Result<bool> {
        let domain = m.rcpt.split('@').nth(1).unwrap().to_string();
        let (host, ip) = relay(&domain);
        let done = !matches!(result, Try::Defer(..));
        match self.cfg.mta {
            Mta::Postfix => {
                let q = qid(m.id);
                if m.attempt > 0 {
                    let l = format!(
                        "{} {q}: from=<{}>, size={}, nrcpt=1 (queue active)",
                        self.prefix(t, "qmgr"),
                        m.sender,
                        2000 + m.id % 30_000
                    );
                    self.line(&l)?;
                }
                let (relay_field, dsn, status, detail) = match result {
                    Try::Deliver => {
                        let said = match provider_of(&domain) {
                            Provider::Gmail => format!(
                                "250 2.0.0 OK  {} {} - gsmtp",
                                t,
                                gmail_session(&mut self.rng)
                            ),
                            Provider::Outlook => format!(
                                "250 2.6.0 <{}.{}@shop.example> [InternalId={}, Hostname=PH0PR11MB4965.namprd11.prod.outlook.com] Queued mail for delivery",
                                m.id,
                                t,
                                self.rng.below(1 << 40)
                            ),
                            Provider::Yahoo => "250 ok dirdel".to_string(),
                            Provider::Other => {
                                format!("250 2.0.0 Ok: queued as {:X}", self.rng.below(1 << 36))
                            }
                        };
                        (
                            format!("{host}[{ip}]:25"),
                            "2.0.0".to_string(),
                            "sent",
                            said,
                        )
                    }
                    Try::Defer(dsn, reply) | Try::Bounce(dsn, reply) => {
                        let cmd = if reply.contains("5.7.") || reply.contains("4.7.") {
                            "end of DATA"
                        } else {
                            "RCPT TO"
                        };
                        let status = if done { "bounced" } else { "deferred" };
                        (
                            format!("{host}[{ip}]:25"),
                            dsn.clone(),
                            status,
                            format!("host {host}[{ip}] said: {reply} (in reply to {cmd} command)"),
                        )
                    }
                    Try::LocalBounce(dsn, text) => {
                        ("none".to_string(), dsn.clone(), "bounced", text.clone())
                    }
                };
                let l = format!(
                    "{} {q}: to=<{}>, relay={relay_field}, delay={}, delays=0.01/0/0.3/0.5, dsn={dsn}, status={status} ({detail})",
                    self.prefix(t, "smtp"),
                    m.rcpt,
                    1 + m.attempt * 900
                );
                self.line(&l)?;
                if matches!(result, Try::Bounce(..) | Try::LocalBounce(..)) {
                    let l = format!(
                        "{} {q}: sender non-delivery notification: {}",
                        self.prefix(t, "bounce"),
                        qid(m.id ^ 0xABCDEF)
                    );
                    self.line(&l)?;
                }
                if done {
                    let l = format!("{} {q}: removed", self.prefix(t, "qmgr"));
                    self.line(&l)?;
                }
            }
            Mta::Exim => {
                let id = exim_id(m.id);
                let l = match result {
                    Try::Deliver => format!(
                        "{} {id} => {} R=dnslookup T=remote_smtp H={host} [{ip}] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 2.0.0 OK\"",
                        ts_iso(t),
                        m.rcpt
                    ),
                    Try::Defer(_, reply) => format!(
                        "{} {id} == {} R=dnslookup T=remote_smtp defer (-44) H={host} [{ip}]: SMTP error from remote mail server after RCPT TO:<{}>: {reply}",
                        ts_iso(t),
                        m.rcpt,
                        m.rcpt
                    ),
                    Try::Bounce(_, reply) => format!(
                        "{} {id} ** {} R=dnslookup T=remote_smtp H={host} [{ip}]: SMTP error from remote mail server after end of data: {reply}",
                        ts_iso(t),
                        m.rcpt
                    ),
                    // A smarthost answering for a null-MX domain (Exim words its own lookup failures variously).
                    Try::LocalBounce(..) => format!(
                        "{} {id} ** {} R=smarthost T=remote_smtp H={host} [{ip}]: SMTP error from remote mail server after RCPT TO:<{}>: {}",
                        ts_iso(t),
                        m.rcpt,
                        m.rcpt,
                        example("phrase-domain-accepts-no-mail", &m.rcpt)
                            .replace("example.org", &domain)
                    ),
                };
                self.line(&l)?;
                if done {
                    let l = format!("{} {id} Completed", ts_iso(t));
                    self.line(&l)?;
                }
            }
        }
        match result {
            Try::Deliver => self.exp.delivered += 1,
            Try::Defer(..) => self.exp.deferred += 1,
            _ => self.exp.bounced += 1,
        }
        Ok(done)
    }

    /// The code a suppression row names for a reply: its enhanced code, else its basic code
    /// (Postfix's `dsn=` beside a bare basic code is X.0.0 derived from its class, which says
    /// no more than the basic code, so it is not taken for the reply's own).
    fn code(&self, enhanced: Option<&'static str>, basic: &'static str) -> &'static str {
        enhanced.unwrap_or(basic)
    }

    /// What an ordinary message's attempt at `t` gets, with what a failure means.
    fn ordinary(
        &mut self,
        t: i64,
        m: &mut Msg,
    ) -> (Try, Option<(Class, &'static str, &'static str)>) {
        let domain = m.rcpt.split('@').nth(1).unwrap().to_string();
        let provider = provider_of(&domain);
        let pname = match provider {
            Provider::Gmail => "gmail",
            Provider::Outlook => "microsoft",
            Provider::Yahoo => "yahoo",
            Provider::Other => "",
        };
        let rcpt = m.rcpt.clone();
        // A domain that accepts no mail fails before any connection or rate limit.
        if domain == NULL_MX_DOMAIN {
            let text = format!("Domain {domain} does not accept mail (nullMX)");
            return (
                Try::LocalBounce("5.1.10".into(), text),
                Some((Class::Domain, "5.1.10", "")),
            );
        }
        if domain == CLOSED_DOMAIN {
            let code = self.code(None, "556");
            return (
                Try::Bounce("5.0.0".into(), example("basic-556", &rcpt)),
                Some((Class::Domain, code, "")),
            );
        }
        let in_window = self
            .cfg
            .onset
            .is_some_and(|on| t >= on && self.cfg.onset_end.is_none_or(|end| t < end));
        if provider == Provider::Gmail && in_window {
            let reply = example("gmail-4-7-28-unusual-rate", &rcpt)
                .replace("41be03b00d2f7-bsi6.6", &gmail_session(&mut self.rng));
            if self.exp.pattern_start.is_none() {
                self.exp.pattern_start = Some(t);
            }
            return (
                Try::Defer("4.7.28".into(), reply),
                Some((Class::SenderSide, "4.7.28", "gmail")),
            );
        }
        match m.fate {
            Fate::Dead => {
                let (dsn, id, code) = match provider {
                    Provider::Gmail if m.n.is_multiple_of(2) => {
                        ("5.2.1", "gmail-5-2-1-account-inactive", Some("5.2.1"))
                    }
                    Provider::Gmail => {
                        ("5.1.1", "gmail-5-1-1-account-does-not-exist", Some("5.1.1"))
                    }
                    Provider::Outlook => (
                        "5.1.1",
                        "microsoft-5-1-1-bad-destination-mailbox",
                        Some("5.1.1"),
                    ),
                    Provider::Yahoo => ("5.0.0", "yahoo-user-unknown", None),
                    Provider::Other => ("5.0.0", "phrase-recipient-unknown", None),
                };
                let basic = if provider == Provider::Yahoo {
                    "554"
                } else {
                    "550"
                };
                let code = self.code(code, basic);
                let reply = example(id, &rcpt)
                    .replace("someone@yahoo.com", &rcpt)
                    .replace("ann@example.org", &rcpt);
                return (
                    Try::Bounce(dsn.into(), reply),
                    Some((Class::Hard, code, pname)),
                );
            }
            Fate::Full if provider == Provider::Gmail => {
                return (
                    Try::Defer(
                        "4.2.2".into(),
                        example("gmail-4-2-2-inbox-out-of-storage", &rcpt),
                    ),
                    Some((Class::Soft, "4.2.2", "gmail")),
                );
            }
            _ => {}
        }
        let mix = self.cfg.mix;
        if m.attempt == 0 && mix.policy > 0.0 && self.rng.chance(mix.policy) {
            let (dsn, id, code) = match provider {
                Provider::Gmail => ("5.7.26", "gmail-5-7-26-unauthenticated", Some("5.7.26")),
                Provider::Yahoo => ("5.7.9", "yahoo-5-7-9-unauthenticated", Some("5.7.9")),
                Provider::Outlook => ("5.0.0", "microsoft-hotmail-ou-001-spamhaus", None),
                Provider::Other => ("5.7.1", "generic-spamhaus-listed", Some("5.7.1")),
            };
            let code = self.code(code, "550");
            return (
                Try::Bounce(dsn.into(), example(id, &rcpt)),
                Some((Class::SenderSide, code, pname)),
            );
        }
        if m.attempt == 0 && mix.flaky > 0.0 && self.rng.chance(mix.flaky) {
            let (dsn, id, code) = match provider {
                Provider::Gmail => ("4.3.0", "gmail-4-x-temporary-system-problem", Some("4.3.0")),
                Provider::Yahoo => ("4.0.0", "yahoo-resources-temporarily-unavailable", None),
                _ => ("4.3.0", "phrase-receiver-system-error", Some("4.3.0")),
            };
            let code = self.code(code, "451");
            return (
                Try::Defer(dsn.into(), example(id, &rcpt)),
                Some((Class::Soft, code, pname)),
            );
        }
        if provider != Provider::Gmail && m.attempt == 0 && self.rng.chance(self.cfg.greylist) {
            m.greylisted = true;
            return (
                Try::Defer(
                    "4.2.0".into(),
                    example("generic-greylisted", &rcpt)
                        .replace("user@example.org", &rcpt)
                        .replace("help/example.org", &format!("help/{domain}")),
                ),
                Some((Class::SoftNotCounted, "4.2.0", pname)),
            );
        }
        (Try::Deliver, None)
    }
}

/// Recipient domains of the ordinary traffic that accept no mail: a null MX (Postfix's own
/// bounce, no connection) and a host answering 556.
pub const NULL_MX_DOMAIN: &str = "void.example";
pub const CLOSED_DOMAIN: &str = "closed.example";

const DOMAINS: [&str; 8] = [
    "gmail.com",
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "example.org",
    "example.net",
    "mail.example",
];

/// Writes the log; returns what `scan` must find in it.
pub fn write(cfg: &Config, out: impl Write) -> io::Result<Expected> {
    let mut w = Writer {
        cfg,
        out: io::BufWriter::with_capacity(1 << 20, out),
        rng: Rng::new(cfg.seed),
        exp: Expected::default(),
        model: Model::default(),
        rows: BTreeMap::new(),
        story_verdicts: BTreeMap::new(),
    };
    let lines_per_msg = match cfg.mta {
        Mta::Postfix => 5.2,
        Mta::Exim => 3.2,
    };
    let messages = ((cfg.lines as f64 / lines_per_msg) as i64).max(1);
    let dt = (cfg.days * 86_400) as f64 / messages as f64;
    // (Reverse(time), id) -> message: the retry queue, earliest first.
    let mut queue: BinaryHeap<std::cmp::Reverse<(i64, u64)>> = BinaryHeap::new();
    let mut msgs: std::collections::HashMap<u64, (Msg, i64)> = Default::default();
    let mut next_id = 1u64;
    let mut story_sends: Vec<(i64, Msg)> = Vec::new();
    if cfg.stories {
        let (st, rows, verdicts) = stories(cfg);
        w.rows = rows;
        w.story_verdicts = verdicts;
        for s in st {
            for (t, plan) in s.sends {
                story_sends.push((
                    t,
                    Msg {
                        id: next_id,
                        rcpt: s.rcpt.clone(),
                        sender: "news@shop.example".into(),
                        plan,
                        attempt: 0,
                        first: 0,
                        greylisted: false,
                        give_up: 0,
                        n: 0,
                        fate: Fate::Ordinary,
                    },
                ));
                next_id += 1;
            }
        }
    }
    story_sends.sort_by_key(|(t, m)| (*t, m.id));
    let mut story_iter = story_sends.into_iter().peekable();
    let end = cfg.start + cfg.days * 86_400;
    let mut k = 0i64;
    loop {
        let t = cfg.start + (k as f64 * dt) as i64;
        let finished = k >= messages || w.exp.lines >= cfg.lines;
        let now = if finished { end } else { t };
        // Everything due before this message: retries and story sends, in time order.
        loop {
            let next_retry = queue.peek().map(|r| r.0.0);
            let next_story = story_iter.peek().map(|(st, _)| *st);
            let due = match (next_retry, next_story) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => break,
            };
            if due > now || due >= end {
                break;
            }
            if next_story == Some(due) {
                let (st, m) = story_iter.next().unwrap();
                w.arrive(st, &m)?;
                queue.push(std::cmp::Reverse((st + 1, m.id)));
                msgs.insert(m.id, (m, st + 1));
                continue;
            }
            let std::cmp::Reverse((at, id)) = queue.pop().unwrap();
            let (mut m, _) = msgs.remove(&id).unwrap();
            let (result, meaning) = if m.plan.is_empty() {
                w.ordinary(at, &mut m)
            } else {
                (m.plan.get(m.attempt).cloned().unwrap_or(Try::Deliver), None)
            };
            let done = w.attempt(at, &m, &result)?;
            if m.plan.is_empty() {
                match meaning {
                    None => w.model.delivered(&m.rcpt, at),
                    Some((class, code, provider)) => w.model.failed(
                        &m.rcpt,
                        Fail {
                            t: at,
                            class,
                            send: m.id,
                            code,
                            provider,
                        },
                    ),
                }
            }
            if m.attempt == 0 {
                m.first = at;
            }
            m.attempt += 1;
            let more = !done
                && (m.plan.is_empty() || m.attempt < m.plan.len())
                && (m.give_up == 0 || m.attempt < m.give_up);
            if more && m.attempt <= RETRY.len() {
                let next = m.first + RETRY[m.attempt - 1];
                queue.push(std::cmp::Reverse((next, m.id)));
                msgs.insert(m.id, (m, next));
            }
        }
        if finished {
            break;
        }
        let n = if cfg.cycle {
            k as u64 % cfg.recipients.max(1)
        } else {
            w.rng.below(cfg.recipients.max(1))
        };
        let mut domain = DOMAINS[(n.wrapping_mul(7) + 3) as usize % DOMAINS.len()];
        if cfg.mix.at_dead_domain(n) {
            domain = [NULL_MX_DOMAIN, CLOSED_DOMAIN][n as usize % 2];
        }
        let fate = cfg.mix.fate(n);
        let sender = if n % 3 == 0 {
            "billing@news.example"
        } else {
            "news@shop.example"
        };
        let m = Msg {
            id: next_id,
            rcpt: format!("user{n}@{domain}"),
            sender: sender.into(),
            plan: Vec::new(),
            attempt: 0,
            first: 0,
            greylisted: false,
            // A full mailbox is retried twice per message, then left in the queue.
            give_up: if fate == Fate::Full { 3 } else { 0 },
            n,
            fate,
        };
        next_id += 1;
        w.arrive(t, &m)?;
        queue.push(std::cmp::Reverse((t + 1, m.id)));
        msgs.insert(m.id, (m, t + 1));
        k += 1;
    }
    w.out.flush()?;
    let mut exp = w.exp.clone();
    let decided = w.model.decide(3, 14, rfc3339);
    let mut verdicts = decided.verdicts;
    for (addr, v) in &w.story_verdicts {
        verdicts.insert(addr.clone(), v.to_string());
    }
    exp.delivered_only = decided.delivered_only;
    exp.verdicts = verdicts;
    let mut rows = w.rows.clone();
    rows.extend(decided.rows);
    for (d, row) in decided.domains {
        rows.insert(format!("~{d}"), domain_row(&d, row, rfc3339));
    }
    let mut csv =
        String::from("address,scope,reason,code,provider,first_seen,last_seen,failures\n");
    let (domains, addrs): (Vec<_>, Vec<_>) = rows.iter().partition(|(k, _)| k.starts_with('~'));
    for (_, row) in addrs.into_iter().chain(domains) {
        csv.push_str(row);
        csv.push('\n');
    }
    exp.suppressions = csv;
    Ok(exp)
}

/// The sample log shipped in examples/logs/ for the README's quick start: two days of Postfix
/// with RFC 3339 times (no year to infer), Gmail's 4.7.28 deferrals on the second day.
pub fn example_config() -> Config {
    let mut c = Config::small(Mta::Postfix, 4_000, 2026);
    c.days = 2;
    c.iso = true;
    // The sample keeps to greylisting and Gmail's deferrals so that its summary stays short.
    c.mix = Mix::NONE;
    c.greylist = 0.05;
    c.onset = Some(c.start + 86_400 + 10 * 3600 + 14 * 60);
    c.onset_end = Some(c.start + 86_400 + 16 * 3600);
    c
}
