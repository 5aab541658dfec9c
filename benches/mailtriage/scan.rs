//! (e) `scan` over a generated 10-million-line Postfix log (lines per second, peak RSS, distinct
//! recipients) and (f) `scan` of the 586 sisimai messages as a Maildir against Debian's sisimai
//! 4.25 (`libsisimai-perl`) on the same Maildir, side by side, with the recipients each found.
//!
//! Both run the release binary as a child process under GNU time (`/usr/bin/time`), so the peak
//! RSS is the child's own.

use crate::{loadavg, median};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "../../tests/integration/scan_gen.rs"]
mod scan_gen;
#[path = "../../tests/integration/scan_gen_model.rs"]
mod scan_gen_model;
#[path = "../../tests/integration/scan_gen_stories.rs"]
mod scan_gen_stories;

/// Settings of the scan parts (environment variables of the same names).
pub struct ScanConfig {
    /// SCAN_LINES: lines of the generated log (default 10,000,000).
    pub lines: u64,
    /// SCAN_RECIPIENTS: distinct recipients (default 1,000,000).
    pub recipients: u64,
    /// SCAN_RUNS: timed runs of each (default 3).
    pub runs: usize,
    /// SCAN_LOG: where the generated log is kept between runs (default target/scan-bench/).
    pub log: PathBuf,
    /// SISIMAI_RUNS: runs of each tool on the Maildir (default 5).
    pub sisimai_runs: usize,
}

impl ScanConfig {
    pub fn from_env() -> ScanConfig {
        let env = |k: &str, d: u64| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.replace('_', "").parse().ok())
                .unwrap_or(d)
        };
        let lines = env("SCAN_LINES", 10_000_000);
        let recipients = env("SCAN_RECIPIENTS", 1_000_000);
        let log = std::env::var("SCAN_LOG")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("target/scan-bench")
                    .join(format!("postfix-{lines}-{recipients}.log"))
            });
        ScanConfig {
            lines,
            recipients,
            runs: env("SCAN_RUNS", 3).max(1) as usize,
            log,
            sisimai_runs: env("SISIMAI_RUNS", 5).max(1) as usize,
        }
    }
}

/// Wall seconds and peak RSS (MB) of a command, from GNU time; stdout is handed back.
fn timed(cmd: &[&str]) -> (f64, f64, Vec<u8>) {
    let mut c = Command::new("/usr/bin/time");
    c.arg("-f").arg("TIME %e %M").args(cmd);
    let start = Instant::now();
    let out = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("cannot run /usr/bin/time (GNU time): {e}"));
    let wall = start.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .rev()
        .find(|l| l.starts_with("TIME "))
        .unwrap_or_else(|| panic!("no GNU time line in: {err}"));
    let kb: f64 = line
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    (wall, kb / 1024.0, out.stdout)
}

/// (e) The 10-million-line log.
pub fn big_log(cfg: &ScanConfig) {
    if !cfg.log.exists() {
        let t = Instant::now();
        if let Some(dir) = cfg.log.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
        let gen_cfg = scan_gen::Config {
            lines: cfg.lines,
            recipients: cfg.recipients,
            days: 10,
            greylist: 0.1,
            stories: false,
            cycle: true,
            onset: Some(1_772_323_200 + 3 * 86_400 + 10 * 3600 + 14 * 60),
            onset_end: Some(1_772_323_200 + 3 * 86_400 + 22 * 3600),
            ..scan_gen::Config::small(scan_gen::Mta::Postfix, cfg.lines, 42)
        };
        let tmp = cfg.log.with_extension("partial");
        let file = std::fs::File::create(&tmp).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
        let exp = scan_gen::write(&gen_cfg, file).unwrap_or_else(|e| panic!("generate: {e}"));
        std::fs::rename(&tmp, &cfg.log).unwrap_or_else(|e| panic!("rename: {e}"));
        println!(
            "generated {} lines ({} delivered, {} deferred, {} bounced: {:.1} % of lines) in {:.0} s",
            exp.lines,
            exp.delivered,
            exp.deferred,
            exp.bounced,
            (exp.deferred + exp.bounced) as f64 * 100.0 / exp.lines as f64,
            t.elapsed().as_secs_f64()
        );
    }
    let bytes = std::fs::metadata(&cfg.log).map_or(0, |m| m.len());
    let lines = count_lines(&cfg.log);
    let bin = env!("CARGO_BIN_EXE_mailtriage");
    let log = cfg.log.to_string_lossy().to_string();
    let mut rates = Vec::new();
    let mut rss = Vec::new();
    let mut summary = String::new();
    for run in 0..=cfg.runs {
        let (secs, mb, out) = timed(&[
            bin,
            "--color",
            "never",
            "scan",
            &log,
            "--log-end",
            "2026-03-20",
        ]);
        if run == 0 {
            // Warm-up: the page cache holds the log from now on, as it would for a log being written.
            summary = String::from_utf8_lossy(&out)
                .lines()
                .take(2)
                .collect::<Vec<_>>()
                .join(" / ");
            continue;
        }
        rates.push(lines as f64 / secs);
        rss.push(mb);
    }
    let (json_secs, json_mb, json) = timed(&[
        bin,
        "scan",
        &log,
        "--log-end",
        "2026-03-20",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&json).unwrap_or_default();
    println!("## (e) scan of a generated Postfix log");
    println!();
    println!(
        "{} lines ({:.0} MB), {} distinct recipients found; load average {}",
        lines,
        bytes as f64 / 1e6,
        doc["totals"]["addresses"],
        loadavg()
    );
    println!("first lines of the summary: {summary}");
    println!(
        "human output: median {:.0} lines/s over {} runs (min {:.0}, max {:.0}); peak RSS median {:.1} MB (max {:.1}) (targets: >= 1,000,000 lines/s, < 300 MB)",
        median(&mut rates.clone()),
        rates.len(),
        rates.iter().copied().fold(f64::INFINITY, f64::min),
        rates.iter().copied().fold(0.0, f64::max),
        median(&mut rss.clone()),
        rss.iter().copied().fold(0.0, f64::max)
    );
    println!(
        "JSON output (every address, for --merge): {:.1} s = {:.0} lines/s, peak RSS {:.1} MB, {:.0} MB of JSON",
        json_secs,
        lines as f64 / json_secs,
        json_mb,
        json.len() as f64 / 1e6
    );
    println!();
}

fn count_lines(p: &Path) -> u64 {
    use std::io::Read;
    let mut f = std::fs::File::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).unwrap_or(0);
        if k == 0 {
            return n;
        }
        n += memchr_count(&buf[..k]);
    }
}

fn memchr_count(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

/// A Maildir (`cur/`, `new/`, `tmp/`) holding the corpus messages in `cur/`.
fn maildir() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sisimai/maildir");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap_or_else(|e| panic!("{sub}: {e}"));
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    for (i, p) in names.iter().enumerate() {
        let to = dir
            .path()
            .join("cur")
            .join(format!("17000{i:05}.M{i}P1.bench:2,S"));
        std::fs::copy(p, &to).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    dir
}

const SISIMAI: &str = "use Sisimai; my $v = Sisimai->make($ARGV[0], delivered => 1) || []; print $_->recipient->address, \"\\n\" for @$v;";

fn addresses(lines: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(lines)
        .lines()
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Every recipient of a `mailtriage.scan/v1` document.
fn scan_addresses(json: &[u8]) -> BTreeSet<String> {
    let doc: serde_json::Value = serde_json::from_slice(json).unwrap_or_default();
    let mut out = BTreeSet::new();
    for a in doc["addresses"].as_array().into_iter().flatten() {
        if let Some(s) = a["address"].as_str() {
            out.insert(s.to_string());
        }
    }
    for d in doc["state"]["delivered_only"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(s) = d[0].as_str() {
            out.insert(s.to_string());
        }
    }
    out
}

/// (f) The sisimai corpus as a Maildir, mailtriage and sisimai alternately.
pub fn maildir_vs_sisimai(cfg: &ScanConfig) {
    let have = Command::new("perl")
        .args(["-MSisimai", "-e", "print $Sisimai::VERSION"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let Some(version) = have else {
        println!("(f) skipped: perl cannot load Sisimai (apt-get install libsisimai-perl)");
        return;
    };
    let dir = maildir();
    let path = dir.path().to_string_lossy().to_string();
    let cur = dir.path().join("cur").to_string_lossy().to_string();
    let bin = env!("CARGO_BIN_EXE_mailtriage");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut our_set, mut their_set) = (BTreeSet::new(), BTreeSet::new());
    let load = loadavg();
    for run in 0..=cfg.sisimai_runs {
        let (a, _, out) = timed(&[bin, "scan", &path, "--format", "json"]);
        // sisimai reads the messages of one directory: the Maildir's cur/.
        let (b, _, sis) = timed(&["perl", "-e", SISIMAI, &cur]);
        if run == 0 {
            our_set = scan_addresses(&out);
            their_set = addresses(&sis);
            continue;
        }
        ours.push(a);
        theirs.push(b);
    }
    let (m_ours, m_theirs) = (median(&mut ours), median(&mut theirs));
    let both = our_set.intersection(&their_set).count();
    println!("## (f) The sisimai corpus as a Maildir: mailtriage scan against sisimai {version}");
    println!();
    println!("load average at start: {load}");
    println!(
        "mailtriage scan: median {:.3} s over {} runs; sisimai (perl, Sisimai->make): median {:.3} s; ratio {:.1}x (target >= 5x)",
        m_ours,
        ours.len(),
        m_theirs,
        m_theirs / m_ours
    );
    println!(
        "recipients: mailtriage {}, sisimai {}, both {}, only mailtriage {}, only sisimai {}",
        our_set.len(),
        their_set.len(),
        both,
        our_set.len() - both,
        their_set.len() - both
    );
    for a in our_set.symmetric_difference(&their_set).take(20) {
        let who = if our_set.contains(a) {
            "mailtriage"
        } else {
            "sisimai"
        };
        println!("  only {who}: {a}");
    }
    println!();
}
