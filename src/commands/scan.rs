//! `mailtriage scan`: read the inputs (or merge earlier summaries, or follow a log), decide per
//! address, and render the summary and the suppression list.

use super::common::load_rules;
use super::scan_diagnose;
use crate::cli::ScanArgs;
use crate::error::{Error, Result, exit};
use crate::report::escape::terminal as term;
use crate::report::{Report, ScanReport};
use crate::scan::patterns::PatternSettings;
use crate::scan::policy::Policy;
use crate::scan::source::{self, Item};
use crate::scan::summary::{self, Summary};
use crate::scan::time::YearRef;
use crate::scan::{Options, Scanned, Scanner, json, outcome::Table, state::State};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

/// Inputs at least this large get a progress bar on a terminal.
const PROGRESS_BYTES: u64 = 64 * 1024 * 1024;

fn settings(args: &ScanArgs) -> Result<PatternSettings> {
    if !(0.0..=1.0).contains(&args.pattern_min_share) {
        return Err(Error::Input(format!(
            "invalid --pattern-min-share {}: give a share between 0 and 1",
            args.pattern_min_share
        )));
    }
    Ok(PatternSettings {
        min_events: args.pattern_min_events.max(1),
        min_share: args.pattern_min_share,
    })
}

pub fn run(
    args: &ScanArgs,
    rules_dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let settings = settings(args)?;
    let log_end = match &args.log_end {
        Some(s) => Some(YearRef::parse(s).ok_or_else(|| {
            Error::Input(format!(
                "invalid --log-end {s:?}: give a date as YYYY-MM-DD"
            ))
        })?),
        None => None,
    };
    if args.threads == Some(0) {
        return Err(Error::Input("invalid --threads 0: give at least 1".into()));
    }
    let rules = load_rules(rules_dir)?;
    let mut policy = Policy::from_rules(&rules).map_err(|e| Error::Rules(format!("rules: {e}")))?;
    policy.override_threshold(args.soft_failures, args.soft_days);
    if args.follow {
        return follow(args, &rules, settings, log_end, out);
    }
    let (scanned, unread) = if args.merge {
        merge(args, err)?
    } else {
        let mut opts = Options {
            log_end,
            ..Options::default()
        };
        if let Some(n) = args.threads {
            opts.threads = n;
        }
        read(args, &rules, opts, err)?
    };
    let scanned = summary::canonical(scanned);
    let mut sum = summary::build(&scanned, &policy, settings);
    let mut code = if unread > 0 { exit::USAGE } else { exit::OK };
    if args.diagnose {
        let dns_code = scan_diagnose::run(&mut sum, &args.dns, rules_dir)?;
        if dns_code == exit::DNS && code == exit::OK {
            code = exit::DNS;
        }
    }
    if let Some(path) = &args.suppressions {
        write_suppressions(path, &sum, &scanned)?;
    }
    // Large summaries are many small writes: buffer them (stdout is line-buffered).
    let mut buffered = std::io::BufWriter::with_capacity(1 << 20, out);
    let out: &mut dyn Write = &mut buffered;
    let view = Report::Scan(ScanReport {
        scanned: &scanned,
        summary: &sum,
        policy: &policy,
    });
    crate::report::render(out, args.format, &view)?;
    buffered.flush()?;
    // The process ends after this: freeing the rule set's hundreds of compiled automata one
    // by one took about 3 ms of a mailbox scan's wall time (callgrind: 17 M instructions on
    // the main thread, after every worker is done), and the system takes the memory back.
    std::mem::forget(rules);
    Ok(code)
}

fn write_suppressions(path: &Path, sum: &Summary, scanned: &Scanned) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::Input(format!(
            "--suppressions {}: {}",
            path.display(),
            source::reason(&e)
        ))
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
    crate::report::suppressions::write(&mut file, sum, &scanned.outcomes).map_err(fail)?;
    file.flush().map_err(fail)
}

fn say(err: &mut dyn Write, line: &str) -> Result<()> {
    writeln!(err, "mailtriage: {}", term(line))?;
    Ok(())
}

/// Reads every input; returns the scan and how many inputs could not be read.
fn read(
    args: &ScanArgs,
    rules: &crate::rules::RuleSet,
    opts: Options,
    err: &mut dyn Write,
) -> Result<(Scanned, usize)> {
    let items = source::expand(&args.paths);
    let total: u64 = items
        .iter()
        .map(|i| match i {
            Item::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum();
    let bar = (total >= PROGRESS_BYTES && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes}  {bytes_per_sec}  eta {eta}  {msg}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let mut scanner = Scanner::new(rules, opts);
    let mut unread = 0;
    let mut done_before = 0u64;
    for item in &items {
        if let Some(b) = &bar {
            b.set_message(item.name());
        }
        let mut progress = |n: u64| {
            if let (Some(b), Item::File(_)) = (&bar, item) {
                b.set_position(done_before + n);
            }
        };
        let report = scanner.scan(item, &mut progress);
        if let Item::File(p) = item {
            done_before += std::fs::metadata(p).map_or(0, |m| m.len());
        }
        let mut lines = Vec::new();
        if let Some(e) = &report.error {
            if report.results == 0 && report.lines == 0 && report.messages == 0 {
                unread += 1;
                lines.push(format!("{}: {e}; skipped", report.name));
            } else {
                unread += 1;
                lines.push(format!("{}: {e}; read up to there", report.name));
            }
        }
        lines.extend(report.skip_lines());
        if let Some(b) = &bar {
            b.suspend(|| -> Result<()> {
                for l in &lines {
                    say(err, l)?;
                }
                Ok(())
            })?;
        } else {
            for l in &lines {
                say(err, l)?;
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((scanner.finish(), unread))
}

/// A summary file's bytes. Its first non-blank byte is looked at before the rest is read:
/// a file that does not open a JSON object (a log, a 1 GB sparse file given by mistake) is
/// refused without being read whole.
fn read_summary(path: &Path) -> std::result::Result<Vec<u8>, String> {
    use std::io::{BufRead, Read};
    let file = std::fs::File::open(path).map_err(|e| source::reason(&e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut bytes = Vec::new();
    // Leading white space is skipped (JSON allows it); the object's first byte decides.
    loop {
        let buf = reader.fill_buf().map_err(|e| source::reason(&e))?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) if buf[i] == b'{' => break,
            Some(_) => {
                return Err(format!(
                    "not a usable {} summary (it does not start with `{{` as a JSON object does)",
                    json::SCHEMA
                ));
            }
            // An empty file: serde_json names it below, as before.
            None if buf.is_empty() => break,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| source::reason(&e))?;
    Ok(bytes)
}

/// Merges earlier JSON summaries.
fn merge(args: &ScanArgs, err: &mut dyn Write) -> Result<(Scanned, usize)> {
    if args.paths.is_empty() {
        return Err(Error::Input(
            "--merge needs the JSON summaries to merge (mailtriage scan --format json ...)".into(),
        ));
    }
    let table = Table::default();
    let mut state = State::default();
    let mut unread = 0;
    let mut thresholds = Vec::new();
    // Whose summary each input and each whole document came from: merging one twice would
    // count its mail twice.
    // Documents are told apart by length and a 64-bit hash, not kept whole: a fleet's
    // summaries can be hundreds of megabytes each.
    let mut seen_docs: std::collections::HashMap<(usize, u64), String> = Default::default();
    let mut seen_inputs: std::collections::HashMap<String, String> = Default::default();
    for path in &args.paths {
        let name = path.display().to_string();
        let bytes = match read_summary(path) {
            Ok(b) => b,
            Err(why) => {
                unread += 1;
                say(err, &format!("{name}: {why}; skipped"))?;
                continue;
            }
        };
        let digest = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut h);
            (bytes.len(), h.finish())
        };
        if let Some(first) = seen_docs.get(&digest) {
            unread += 1;
            say(
                err,
                &format!(
                    "{name}: the same summary as {first}; skipped (its mail would count twice)"
                ),
            )?;
            continue;
        }
        seen_docs.insert(digest, name.clone());
        let parsed = serde_json::from_slice::<json::MergeDoc>(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|doc| {
                for key in doc.input_keys() {
                    if let Some(first) = seen_inputs.get(&key) {
                        let _ = say(
                            err,
                            &format!(
                                "{name}: input {key} was read by {first} too; its mail counts twice in this merge"
                            ),
                        );
                    } else {
                        seen_inputs.insert(key, name.clone());
                    }
                }
                json::merge_into(doc, &table, &mut state)
            });
        match parsed {
            Ok(()) => {
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
                    && let Some(t) = json::threshold_of(&v)
                {
                    thresholds.push(t);
                }
            }
            Err(e) => {
                unread += 1;
                say(
                    err,
                    &format!(
                        "{name}: not a usable {} summary ({e}); skipped",
                        json::SCHEMA
                    ),
                )?;
            }
        }
    }
    if unread == args.paths.len() {
        // Nothing merged: a summary of zero would read as "no mail", which no input said.
        return Err(Error::Input(format!(
            "--merge: none of the {} input(s) is a usable {} summary; nothing merged",
            args.paths.len(),
            json::SCHEMA
        )));
    }
    thresholds.dedup();
    if thresholds.len() > 1 {
        say(
            err,
            "the merged summaries were made with different soft-failure thresholds; this merge decides with the current rules and flags",
        )?;
    }
    Ok((
        Scanned {
            state,
            outcomes: table.into_vec(),
        },
        unread,
    ))
}

fn follow(
    args: &ScanArgs,
    rules: &crate::rules::RuleSet,
    settings: PatternSettings,
    log_end: Option<YearRef>,
    out: &mut dyn Write,
) -> Result<u8> {
    let [path] = args.paths.as_slice() else {
        return Err(Error::Input("--follow reads exactly one log file".into()));
    };
    // `-` is standard input everywhere else in scan; here it would be read as a file name.
    if path.as_os_str() == "-" {
        return Err(Error::Input(
            "--follow reads a log file by its name, not standard input: it reopens the file after logrotate".into(),
        ));
    }
    if !(args.poll.is_finite() && args.poll > 0.0 && args.poll <= 3600.0) {
        return Err(Error::Input(format!(
            "invalid --poll {}: give seconds between 0 and 3600",
            args.poll
        )));
    }
    crate::scan::follow::run(
        path,
        rules,
        settings,
        log_end,
        args.from_start,
        Duration::from_secs_f64(args.poll),
        out,
        &|| true,
    )
    .map_err(|e| {
        if e.contains("Broken pipe") {
            Error::Io(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        } else {
            Error::Input(e)
        }
    })?;
    Ok(exit::OK)
}
