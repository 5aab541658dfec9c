//! (d) checkdmarc side by side, in the same run against the same delaying server: the first
//! PEER_DOMAINS customers checked by checkdmarc (one process, one domain after another, as
//! it works) and by `mailtriage check --domains-file` (the same domains).

use crate::{Config, bulk, median, synth};
use mailtriage::dns::DnsServer;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One checkdmarc process over the first `n` customers: (seconds, questions the server got).
fn checkdmarc(bin: &str, server: &DnsServer, n: usize) -> (f64, usize) {
    let out = std::env::temp_dir().join("mailtriage-bench-checkdmarc.json");
    let before = server.queries_received();
    let start = Instant::now();
    let status = Command::new(bin)
        .args((0..n).map(synth::customer))
        .args(["-n", &server.addr().ip().to_string(), "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    let secs = start.elapsed().as_secs_f64();
    assert!(status.success(), "{bin} failed: {status}");
    let _ = std::fs::remove_file(out);
    (secs, server.queries_received() - before)
}

/// Prints both tools' domains per second and their ratio; `bulk_rate` is part (b)'s median at
/// its smallest size, measured in this run too.
pub fn run(cfg: &Config, server: &DnsServer, bin: &str, bulk_rate: Option<(usize, f64)>) {
    let n = cfg.peer_domains;
    println!(
        "## (d) Against checkdmarc ({bin}), {n} domains at {} ms per answer, server {}",
        cfg.delay_ms,
        server.addr()
    );
    println!();
    // checkdmarc works one domain after another, so its rate does not depend on how many
    // domains it is given; the median over runs evens out the machine's load.
    let mut cd_rates = Vec::new();
    let mut cd_queries = 0;
    for _ in 0..cfg.peer_runs {
        let (secs, q) = checkdmarc(bin, server, n);
        cd_rates.push(n as f64 / secs);
        cd_queries = q;
    }
    let cd_rate = median(&mut cd_rates);
    let mut rates = Vec::new();
    let mut queries = 0;
    for _ in 0..cfg.bulk_runs {
        let before = server.queries_received();
        let r = bulk::run_once(server, n, cfg.concurrency);
        queries = server.queries_received() - before;
        rates.push(n as f64 / r.secs);
    }
    let mt_rate = median(&mut rates);
    println!("| tool | domains/s | questions per domain |");
    println!("|---|---:|---:|");
    println!(
        "| checkdmarc (one process, sequential; median of {} runs) | {cd_rate:.2} | {:.1} |",
        cfg.peer_runs,
        cd_queries as f64 / n as f64
    );
    println!(
        "| mailtriage, same {n} domains (median of {} runs) | {mt_rate:.1} | {:.1} |",
        cfg.bulk_runs,
        queries as f64 / n as f64
    );
    println!();
    println!(
        "ratio, same domains: mailtriage {:.0}x checkdmarc",
        mt_rate / cd_rate
    );
    if let Some((size, rate)) = bulk_rate {
        println!(
            "ratio, part (b) at {size} domains ({rate:.0}/s): mailtriage {:.0}x checkdmarc (target >= 100x)",
            rate / cd_rate
        );
    }
    println!();
}
