//! `cargo bench --bench mailtriage`: one diagnosis against its critical-path bound, bulk
//! throughput and peak memory, and reply decoding speed, all against an in-process loopback DNS
//! server that delays every answer. Settings come from the environment (see `Config`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bulk;
mod decode;
mod depth;
mod peers;
mod scan;
mod synth;

use mailtriage::dns::{DnsServer, ServerOptions, Zone, parse_zone};
use std::time::{Duration, Instant};

/// Benchmark settings; each is an environment variable of the same name.
struct Config {
    /// DELAY_MS: added to every DNS answer (default 20).
    delay_ms: u64,
    /// DOMAINS: comma-separated bulk sizes (default "1000,100000").
    sizes: Vec<usize>,
    /// RUNS: timed single diagnoses (default 9, after one warm-up).
    runs: usize,
    /// BULK_RUNS: runs per bulk size up to 10,000 domains (default 3); LARGE_RUNS above (default 1).
    bulk_runs: usize,
    large_runs: usize,
    /// CONCURRENCY: `--concurrency` for bulk (default: the binary's default).
    concurrency: Option<usize>,
    /// DECODE_LINES and DECODE_RUNS: reply decoding corpus size and repetitions (200,000 and 5).
    decode_lines: usize,
    decode_runs: usize,
    /// PARTS: which parts to run, any of "a,b,c,d,e,f" (default all; d needs CHECKDMARC, f
    /// needs perl's Sisimai).
    parts: String,
    /// CHECKDMARC: path of a checkdmarc executable for part (d); it only speaks to port 53, so
    /// the server then listens on PEER_LISTEN (default 127.0.0.3:53, needs root).
    checkdmarc: Option<String>,
    peer_listen: std::net::SocketAddr,
    /// PEER_DOMAINS: domains checkdmarc checks (default 50).
    peer_domains: usize,
    /// PEER_RUNS: checkdmarc runs, their median is the figure (default 3).
    peer_runs: usize,
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

impl Config {
    fn from_env() -> Config {
        let sizes = std::env::var("DOMAINS")
            .unwrap_or_else(|_| "1000,100000".into())
            .split(',')
            .filter_map(|s| s.trim().replace('_', "").parse().ok())
            .collect();
        Config {
            delay_ms: env("DELAY_MS", 20),
            sizes,
            runs: env("RUNS", 9usize).max(1),
            bulk_runs: env("BULK_RUNS", 3usize).max(1),
            large_runs: env("LARGE_RUNS", 1usize).max(1),
            concurrency: std::env::var("CONCURRENCY")
                .ok()
                .and_then(|v| v.parse().ok()),
            decode_lines: env("DECODE_LINES", 200_000usize).max(1),
            decode_runs: env("DECODE_RUNS", 5usize).max(1),
            parts: env("PARTS", "a,b,c,d,e,f".to_string()),
            checkdmarc: std::env::var("CHECKDMARC").ok().filter(|s| !s.is_empty()),
            peer_listen: env(
                "PEER_LISTEN",
                std::net::SocketAddr::from(([127, 0, 0, 3], 53)),
            ),
            peer_domains: env("PEER_DOMAINS", 50usize).max(1),
            peer_runs: env("PEER_RUNS", 3usize).max(1),
        }
    }
    fn part(&self, p: &str) -> bool {
        self.parts.split(',').any(|x| x.trim() == p)
    }
}

pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}")
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The synthetic internet for `n` customers, parsed (text is dropped zone by zone).
fn generate(n: usize, seed: u64) -> Vec<Zone> {
    let parse = |z: synth::Zone| {
        parse_zone(&format!("{}.zone", z.origin), &z.text, Some(&z.origin))
            .unwrap_or_else(|e| panic!("generated zone {} does not parse: {e}", z.origin))
    };
    let mut rng = synth::Rng::new(seed);
    let mut zones: Vec<Zone> = synth::providers().into_iter().map(parse).collect();
    zones.extend((0..n).map(|i| parse(synth::customer_zone(i, &mut rng))));
    zones.extend(synth::reverse_zones(n).into_iter().map(parse));
    zones
}

/// A gmail rejection of the kind people paste into `diagnose`.
const REPLY: &str = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. 550 5.7.26 Authentication results: dkim=none spf=fail - gsmtp";

/// (a) One `diagnose` run in process, end to end (rules, DNS, plan, JSON rendering); each run
/// starts with an empty cache. The sending IP is another customer's, so SPF evaluation fails
/// only after the whole tree is evaluated: the realistic worst case after a rejection.
fn single(cfg: &Config, server: &DnsServer, zones: &[Zone], n: usize) {
    let index = depth::Index::new(zones);
    // Customers whose SPF includes the 4-deep ESP chain: the deepest trees generated.
    let deep: Vec<usize> = (0..n)
        .filter(|&i| index.spf_depth(&synth::customer(i), &mut Vec::new()) >= 5 && i + 1 < n)
        .take(cfg.runs + 1)
        .collect();
    let Some(&first) = deep.first() else {
        println!("(a) skipped: no customer with a deep SPF tree among {n}");
        return;
    };
    let (rtt, what) = index.diagnosis_depth(&synth::customer(first), true);
    let bound_ms = f64::from(rtt) * cfg.delay_ms as f64;
    let mut times = Vec::new();
    let mut queries = Vec::new();
    let mut checks = Vec::new();
    for (k, &i) in deep.iter().enumerate() {
        let domain = synth::customer(i);
        let ip = synth::sending_ip(i + 1).to_string();
        let addr = server.addr().to_string();
        let argv = [
            "mailtriage",
            "--color",
            "never",
            "diagnose",
            REPLY,
            "--domain",
            &domain,
            "--ip",
            &ip,
            "--nameserver",
            &addr,
            "--format",
            "json",
            "--fail-on",
            "never",
        ];
        let cli = <mailtriage::cli::Cli as clap::Parser>::try_parse_from(argv)
            .unwrap_or_else(|e| panic!("bench argv: {e}"));
        let before = server.queries_received();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let start = Instant::now();
        let result = mailtriage::run(cli, &mut out, &mut err);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if let Err(e) = result {
            panic!("diagnose {domain} failed: {e}");
        }
        if k == 0 {
            continue; // warm-up: page faults, lazy statics
        }
        times.push(ms);
        queries.push((server.queries_received() - before) as f64);
        checks.push(check_phase(
            server,
            &domain,
            synth::sending_ip(i + 1).into(),
        ));
    }
    let med = median(&mut times);
    let check_med = median(&mut checks);
    println!("## (a) One diagnosis at {} ms per answer", cfg.delay_ms);
    println!();
    println!(
        "critical path: {rtt} dependent round trips ({what}) x {} ms = {bound_ms:.0} ms",
        cfg.delay_ms
    );
    println!(
        "wall time: median {med:.1} ms over {} runs (min {:.1}, max {:.1}); {:.0} questions per run",
        times.len(),
        times.first().copied().unwrap_or(f64::NAN),
        times.last().copied().unwrap_or(f64::NAN),
        median(&mut queries)
    );
    println!(
        "ratio to the bound: {:.2}x (target <= 1.3x)",
        med / bound_ms.max(1e-9)
    );
    println!(
        "of which the DNS phase (fresh resolver and cache, every check, no rules loading or rendering): median {check_med:.1} ms = {:.2}x the bound",
        check_med / bound_ms.max(1e-9)
    );
    println!();
}

/// The checks alone, as `diagnose` runs them once its rules are loaded: a fresh `Dns` (empty
/// cache) pointed at the server, every check of the domain for `ip`.
fn check_phase(server: &DnsServer, domain: &str, ip: std::net::IpAddr) -> f64 {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    rt.block_on(async {
        let start = Instant::now();
        let dns = mailtriage::dns::Dns::new(mailtriage::dns::DnsConfig {
            nameservers: vec![server.addr()],
            ..mailtriage::dns::DnsConfig::default()
        })
        .await
        .unwrap_or_else(|e| panic!("Dns::new: {e}"));
        let params = mailtriage::checks::CheckParams {
            domain: domain.to_string(),
            ip: Some(ip),
            helo: None,
            from: None,
            mail_from: None,
            dkim_selectors: Vec::new(),
            dkim_domain: None,
            only: Vec::new(),
            // With --ip, the blocklist check runs too, as it does in `diagnose`.
            ..Default::default()
        };
        let report = mailtriage::checks::check_domain(&dns.scoped(None), &params).await;
        std::hint::black_box(&report);
        start.elapsed().as_secs_f64() * 1000.0
    })
}

fn main() {
    let cfg = Config::from_env();
    let max_n = cfg.sizes.iter().copied().max().unwrap_or(1000).max(100);
    println!("# mailtriage benchmark");
    println!();
    println!("machine: {}", machine());
    println!("load average at start: {}", loadavg());
    println!(
        "delay {} ms per answer; bulk sizes {:?}; seed 1",
        cfg.delay_ms, cfg.sizes
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    let peer = cfg.checkdmarc.clone().filter(|_| cfg.part("d"));
    if cfg.part("d") && peer.is_none() {
        println!("(d) skipped: set CHECKDMARC to a checkdmarc executable to compare");
    }
    let server = if cfg.part("a") || cfg.part("b") || peer.is_some() {
        let t = Instant::now();
        let zones = generate(max_n, 1);
        let records: usize = zones.iter().map(|z| z.records.len()).sum();
        let index_zones = if cfg.part("a") {
            Some(zones.clone())
        } else {
            None
        };
        let server = rt
            .block_on(DnsServer::start(ServerOptions {
                zones,
                root_catch_all: true,
                delay: Duration::from_millis(cfg.delay_ms),
                listen: peer.as_ref().map(|_| cfg.peer_listen),
                ..ServerOptions::default()
            }))
            .unwrap_or_else(|e| panic!("DNS server: {e}"));
        println!(
            "served: {max_n} customer domains, {records} records on {} (ready in {:.1} s)",
            server.addr(),
            t.elapsed().as_secs_f64()
        );
        println!();
        if let Some(z) = index_zones {
            single(&cfg, &server, &z, max_n);
        }
        Some(server)
    } else {
        None
    };
    let mut bulk_rate = None;
    if cfg.part("b")
        && let Some(server) = &server
    {
        bulk_rate = bulk::run_all(&cfg, server);
    }
    if let (Some(bin), Some(server)) = (&peer, &server) {
        peers::run(&cfg, server, bin, bulk_rate);
    }
    if cfg.part("c") {
        let rules = mailtriage::rules::RuleSet::load(None)
            .unwrap_or_else(|e| panic!("built-in rules: {e}"));
        let lines = decode::postfix_lines(cfg.decode_lines, 7);
        let mut rates = Vec::new();
        let mut decoded = 0;
        for _ in 0..cfg.decode_runs {
            let (rate, d) = decode::measure(&rules, &lines, 5_000);
            rates.push(rate);
            decoded = d;
        }
        println!("## (c) Reply decoding");
        println!();
        println!(
            "{} Postfix log lines, extract + decode: median {:.0} lines/s over {} runs ({decoded} replies decoded per run; target >= 200,000/s)",
            lines.len(),
            median(&mut rates),
            cfg.decode_runs
        );
        println!();
    }
    if cfg.part("e") || cfg.part("f") {
        let scan_cfg = scan::ScanConfig::from_env();
        if cfg.part("e") {
            scan::big_log(&scan_cfg);
        }
        if cfg.part("f") {
            scan::maildir_vs_sisimai(&scan_cfg);
        }
    }
    println!("load average at end: {}", loadavg());
    drop(server);
}
