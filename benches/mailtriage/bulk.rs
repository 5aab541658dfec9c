//! (b) Bulk throughput and peak memory: the release binary checks N domains from stdin as a
//! child process, so its VmHWM is its own and not the benchmark server's.

use crate::{Config, median, synth};
use mailtriage::dns::DnsServer;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct BulkRun {
    pub secs: f64,
    pub lines: usize,
    /// Peak RSS in MB: the binary's own summary when printed, else the last VmHWM polled.
    pub peak_mb: f64,
}

fn vmhwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn run_once(server: &DnsServer, n: usize, concurrency: Option<usize>) -> BulkRun {
    // BULK_WRAPPER="valgrind --tool=massif" (or perf record ...) profiles the child.
    let wrapper: Vec<String> = std::env::var("BULK_WRAPPER")
        .map(|w| w.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let mut cmd = match wrapper.split_first() {
        Some((prog, args)) => {
            let mut c = Command::new(prog);
            c.args(args).arg(env!("CARGO_BIN_EXE_mailtriage"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_mailtriage")),
    };
    cmd.args(["--color", "never", "check", "--domains-file", "-"])
        .args(["--format", "jsonl", "--fail-on", "never"])
        .args(["--nameserver", &server.addr().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(c) = concurrency {
        cmd.args(["--concurrency", &c.to_string()]);
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run the release binary: {e}"));
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("child stdin"));
    let writer = std::thread::spawn(move || {
        let mut buf = std::io::BufWriter::new(&mut stdin);
        for i in 0..n {
            if writeln!(buf, "{}", synth::customer(i)).is_err() {
                break;
            }
        }
        let _ = buf.flush();
    });
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("child stdout"));
    let reader = std::thread::spawn(move || {
        // Count complete lines; every one must be a JSON object.
        let mut r = BufReader::with_capacity(1 << 20, stdout);
        let mut line = Vec::new();
        let mut lines = 0usize;
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if line.first() == Some(&b'{') && line.ends_with(b"}\n") {
                        lines += 1;
                    }
                }
            }
        }
        lines
    });
    let mut stderr = child
        .stderr
        .take()
        .unwrap_or_else(|| panic!("child stderr"));
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut polled_kb = 0;
    loop {
        if let Some(kb) = vmhwm_kb(pid) {
            polled_kb = polled_kb.max(kb);
        }
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("waiting for the child: {e}"),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let _ = writer.join();
    let lines = reader.join().unwrap_or(0);
    let err = err_reader.join().unwrap_or_default();
    let summary_mb = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("peak memory (RSS): "))
        .and_then(|v| v.trim_end_matches(" MB").parse::<f64>().ok());
    BulkRun {
        secs,
        lines,
        peak_mb: summary_mb.unwrap_or(polled_kb as f64 / 1024.0),
    }
}

/// Returns the smallest size and its median domains per second, for part (d).
pub fn run_all(cfg: &Config, server: &DnsServer) -> Option<(usize, f64)> {
    let mut first = None;
    println!(
        "## (b) Bulk at {} ms per answer (`check --domains-file - --format jsonl`{})",
        cfg.delay_ms,
        cfg.concurrency
            .map(|c| format!(" --concurrency {c}"))
            .unwrap_or_default()
    );
    println!();
    println!(
        "| domains | runs | median domains/s | median wall s | max peak RSS MB | lines ok | load avg after |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---|");
    for &n in &cfg.sizes {
        let runs = if n <= 10_000 {
            cfg.bulk_runs
        } else {
            cfg.large_runs
        };
        let mut rates = Vec::new();
        let mut walls = Vec::new();
        let mut peak: f64 = 0.0;
        let mut all_ok = true;
        for _ in 0..runs {
            let r = run_once(server, n, cfg.concurrency);
            eprintln!(
                "bulk {n}: {:.1} s, {:.0} domains/s, {} lines, peak {:.1} MB (load {})",
                r.secs,
                n as f64 / r.secs,
                r.lines,
                r.peak_mb,
                crate::loadavg()
            );
            rates.push(n as f64 / r.secs);
            walls.push(r.secs);
            peak = peak.max(r.peak_mb);
            all_ok &= r.lines == n;
        }
        let rate = median(&mut rates);
        if first.is_none_or(|(size, _)| n < size) {
            first = Some((n, rate));
        }
        println!(
            "| {n} | {runs} | {rate:.0} | {:.1} | {peak:.1} | {} | {} |",
            median(&mut walls),
            if all_ok { "yes" } else { "NO" },
            crate::loadavg()
        );
    }
    println!();
    first
}
