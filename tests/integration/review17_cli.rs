//! Review 17: the command line as a new user meets it (closed pipes, empty directories, huge
//! or binary files where a list or a zone belongs), each test failing on the fault found.

use super::cli_support::{code, mailtriage, run, stderr, stdout};
use std::process::Stdio;

/// Runs `args` with standard output already closed by its reader, as `| head -1` leaves it
/// once head has its line.
fn closed_stdout(args: &[&str]) -> std::process::Output {
    let mut child = mailtriage()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mailtriage");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for mailtriage")
}

/// `mailtriage completions bash | head -1` panicked in clap_complete ("failed to write
/// completion file: Broken pipe", exit 101) for every shell but fish.
#[test]
fn completions_into_a_closed_pipe_exit_quietly() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = closed_stdout(&["completions", shell]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{shell}: {err}");
        assert!(err.is_empty(), "{shell}: {err}");
    }
    // The script itself is unchanged when someone reads it.
    let o = run(&["completions", "bash"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("--dkim-selector"));
}

/// Runs `args` and kills it after `secs`: a run that reads a 1 GB file whole (or hangs) fails
/// the test instead of holding the machine.
fn run_within(args: &[&str], secs: u64) -> std::process::Output {
    let mut child = mailtriage()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mailtriage");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().expect("try_wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still running after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("wait for mailtriage")
}

/// A 1 GB file with no line break (sparse: no disk is used).
fn sparse_gigabyte(dir: &std::path::Path) -> String {
    let path = dir.join("huge.log");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(1 << 30).expect("set_len");
    path.display().to_string()
}

/// `check --domains-file huge.log` read the 1 GB line into memory (4.6 GB and still growing
/// after a minute). A line too long to hold a domain is refused at once, in one line.
#[test]
fn a_gigabyte_domains_file_is_refused_at_its_first_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let huge = sparse_gigabyte(dir.path());
    let o = run_within(
        &[
            "check",
            "--domains-file",
            &huge,
            "--offline",
            "--zone",
            "examples/zones",
        ],
        30,
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("huge.log:1: a line longer than"), "{err}");
    // A file that is not UTF-8 is named at its line, as a bad domain is.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"ok.example\n\xff\xfe.example\n").expect("write");
    let bad = bad.display().to_string();
    let o = run(
        &[
            "check",
            "--domains-file",
            &bad,
            "--offline",
            "--zone",
            "examples/zones",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("bad.txt:2: not UTF-8"),
        "{}",
        stderr(&o)
    );
}

/// `check --zone huge.log` read the 1 GB file whole and then parsed it (2 GB and still going
/// after a minute). A zone file over 64 MiB is refused without being read.
#[test]
fn a_gigabyte_zone_file_is_refused_without_being_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let huge = sparse_gigabyte(dir.path());
    let o = run_within(&["check", "example.com", "--zone", &huge, "--offline"], 30);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("1073741824 bytes") && err.contains("64 MiB"),
        "{err}"
    );
}

/// `explain DIR` and `diagnose DIR` of a directory with nothing to read (or only hidden
/// files, or a Maildir with no messages) exited 2 with nothing on stderr; beside a readable
/// input the directory was passed over without a word. Each is named, with why.
#[test]
fn a_directory_with_nothing_to_read_is_named_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("bounces");
    std::fs::create_dir_all(empty.join(".hidden")).expect("mkdir");
    std::fs::write(empty.join(".seen"), "550 5.1.1 unknown").expect("write");
    let maildir = dir.path().join("Maildir");
    std::fs::create_dir_all(maildir.join("cur")).expect("mkdir");
    let reply = dir.path().join("reply.txt");
    std::fs::write(&reply, "550 5.1.1 <a@example.com>: user unknown\n").expect("write");
    let (empty, maildir, reply) = (
        empty.display().to_string(),
        maildir.display().to_string(),
        reply.display().to_string(),
    );
    let why = "a directory with no files to read";
    for args in [
        vec!["explain", empty.as_str()],
        vec!["explain", maildir.as_str()],
        vec!["diagnose", empty.as_str(), "--domain", "example.com"],
    ] {
        let o = run(&args, None);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(
            err.contains(&format!("{}: {why}", args[1])),
            "{args:?}: {err}"
        );
    }
    // Beside an input that is read, the run goes on and still says which one it could not.
    let o = run(&["explain", &empty, &reply], None);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("5.1.1"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!("{empty}: {why}")),
        "{}",
        stderr(&o)
    );
}

/// `scan --merge huge.log` read the 1 GB file whole (1 GB resident, 11 s) before JSON said
/// "expected value at line 1 column 1". A file that does not open a JSON object is refused
/// by its first byte; a summary with white space before it is still merged.
#[test]
fn a_merge_input_that_is_no_json_object_is_refused_by_its_first_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let huge = sparse_gigabyte(dir.path());
    let o = run_within(&["scan", "--merge", &huge], 30);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains(
            "huge.log: not a usable mailtriage.scan/v1 summary (it does not start with `{` as a JSON object does); skipped"
        ),
        "{err}"
    );
    let o = run(
        &["scan", "--format", "json", "examples/logs/mail.log"],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let summary = dir.path().join("day.json");
    let mut text = b"\n\n  ".to_vec();
    text.extend_from_slice(&o.stdout);
    std::fs::write(&summary, text).expect("write");
    let o = run(
        &[
            "scan",
            "--merge",
            &summary.display().to_string(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("{\"schema\":\"mailtriage.scan/v1\""));
}

/// `scan --help` described `--format jsonl` as "One mailtriage.check/v1 domain object per line
/// (bulk mode)", check's bulk output; scan writes one mailtriage.scan-address/v1 object per
/// address. Each command's help names what it writes.
#[test]
fn each_commands_help_says_what_its_jsonl_holds() {
    for (command, schema) in [
        ("scan", "mailtriage.scan-address/v1"),
        ("check", "mailtriage.check/v1"),
    ] {
        let o = run(&[command, "--help"], None);
        assert_eq!(code(&o), 0);
        let help = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
        let jsonl = &help[help.find("- jsonl:").expect("jsonl listed")..];
        let jsonl = &jsonl[..jsonl.find(" - ").unwrap_or(jsonl.len())];
        assert!(jsonl.contains(schema), "{command}: {jsonl}");
        // The line of the command's own output is the one a reader of that help looks for.
        assert!(
            jsonl.contains(&format!("{command}: a {schema}")),
            "{command}: {jsonl}"
        );
    }
}

/// A flag given twice, an unknown flag, a missing argument or subcommand printed clap's
/// several lines (`error:`, a tip, `Usage:`, "For more information") where docs/exit-codes.md
/// promises one line, `mailtriage: <reason>`. The reason keeps what clap listed and its tip;
/// `mailtriage` alone still prints the help.
#[test]
fn usage_errors_are_one_line_with_their_tip() {
    for (args, says) in [
        (
            &["explain", "550", "--format", "json", "--format", "human"][..],
            "the argument '--format <FORMAT>' cannot be used multiple times",
        ),
        (
            &["scan", "--soft-days", "-1", "x.log"][..],
            "to pass '-1' as a value, use '-- -1'",
        ),
        (
            &["diagnose"][..],
            "the following required arguments were not provided: <INPUT>...",
        ),
        (&["rules", "show"][..], "<ID>"),
        (&["bogus"][..], "unrecognized subcommand 'bogus'"),
        (
            &["check", "--offline", "--offline", "x.example"][..],
            "'--offline'",
        ),
        (&["rules", "list", "x\u{202e}y"][..], "'x\\u{202e}y'"),
    ] {
        let o = run(args, None);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("mailtriage: "), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(err.trim_end().ends_with("(see --help)"), "{args:?}: {err}");
    }
    let o = run(&[], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("Commands:"), "{}", stderr(&o));
}

/// `scan --follow -` said "-: no such file or directory", though `-` is standard input for
/// every other scan: it names what --follow needs instead.
#[test]
fn follow_of_standard_input_says_it_needs_a_file() {
    let o = run(&["scan", "--follow", "-"], Some(b""));
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not standard input"), "{err}");
    assert!(!err.contains("no such file"), "{err}");
}

/// A named pipe at `dir/name` that `text` is written into once a reader opens it, as the
/// shell's process substitution (`<(grep ... mail.log)`, `/dev/fd/63`) gives one.
fn fifo(
    dir: &std::path::Path,
    name: &str,
    text: &'static str,
) -> (String, std::thread::JoinHandle<()>) {
    let path = dir.join(name);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let p = path.clone();
    let writer = std::thread::spawn(move || {
        let _ = std::fs::write(&p, text);
    });
    (path.display().to_string(), writer)
}

/// Lets a writer that no reader came for finish (a run that refused its pipe).
fn drain(path: &str, writer: std::thread::JoinHandle<()>) {
    if !writer.is_finished() {
        let _ = std::fs::read(path);
    }
    writer.join().expect("writer");
}

/// `mailtriage explain <(grep ... mail.log)` said "/dev/fd/63: no such file or directory"
/// (and diagnose the same; scan skipped it as "not a regular file or directory"): a pipe is
/// read like standard input. A device that never ends is refused by what it is; `--zone`,
/// which is read twice, says it needs a file instead of "no such file".
#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_as_the_input_it_carries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pipe, w) = fifo(
        dir.path(),
        "reply",
        "550 5.1.1 <a@example.com>: user unknown\n",
    );
    let o = run(&["explain", &pipe, "--format", "json"], None);
    drain(&pipe, w);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("5.1.1"), "{}", stdout(&o));

    let (pipe, w) = fifo(dir.path(), "bounce", "550 5.7.26 unauthenticated\n");
    let o = run(
        &[
            "diagnose",
            &pipe,
            "--domain",
            "broken-sender.example",
            "--zone",
            "examples/zones",
            "--offline",
        ],
        None,
    );
    drain(&pipe, w);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("5.7.26"), "{}", stdout(&o));

    let log = "2026-03-01T01:00:01+00:00 mx1 postfix/smtp[4801]: 009E3779B9: to=<gone0@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.27.26]:25, delay=1, delays=0.01/0/0.3/0.5, dsn=5.1.1, status=bounced (host gmail-smtp-in.l.google.com[142.250.27.26] said: 550-5.1.1 The email account that you tried to reach does not exist. - gsmtp (in reply to RCPT TO command))\n";
    let (pipe, w) = fifo(dir.path(), "log", log);
    let o = run(&["scan", &pipe, "--format", "json"], None);
    drain(&pipe, w);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("gone0@gmail.com"), "{}", stdout(&o));

    let o = run(&["explain", "/dev/zero"], None);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("/dev/zero: not a regular file or a pipe"),
        "{}",
        stderr(&o)
    );
    let (pipe, w) = fifo(dir.path(), "zone", "");
    let o = run(
        &["check", "example.com", "--zone", &pipe, "--offline"],
        None,
    );
    drain(&pipe, w);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

/// A Postfix log with a block of NULs in its first lines (what syslog files hold after an
/// unclean shutdown) was refused whole as "binary data, not a mail log" (no results, exit 2).
/// It is read as the log it is, the NUL line skipped and counted as binary data; `--follow`
/// takes it too. A file of NULs is still binary.
#[test]
fn a_log_with_a_block_of_nuls_is_read_and_the_block_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = std::fs::read_to_string("examples/logs/mail.log").expect("example log");
    let lines: Vec<&str> = log.lines().collect();
    let mut text = lines[..50].join("\n").into_bytes();
    text.push(b'\n');
    text.extend_from_slice(&[0u8; 4096]);
    text.push(b'\n');
    text.extend_from_slice(lines[50..].join("\n").as_bytes());
    text.push(b'\n');
    let crashed = dir.path().join("mail.log");
    std::fs::write(&crashed, text).expect("write");
    let crashed = crashed.display().to_string();
    let clean = run(
        &["scan", "examples/logs/mail.log", "--format", "json"],
        None,
    );
    let o = run(&["scan", &crashed, "--format", "json"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (doc, want) = (
        super::cli_support::json(&o),
        super::cli_support::json(&clean),
    );
    for field in ["delivered", "deferred", "bounced", "addresses"] {
        assert_eq!(
            doc["totals"][field],
            want["totals"][field],
            "{field}: {}",
            stderr(&o)
        );
    }
    assert_eq!(doc["totals"]["skipped"], 1);
    let skipped = doc["inputs"][0]["skipped"].as_array().expect("skipped");
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"] == "binary-data" && s["count"] == 1 && s["first"] == 51),
        "{skipped:?}"
    );
    let zeros = dir.path().join("zeros.log");
    std::fs::write(&zeros, vec![0u8; 100_000]).expect("write");
    let o = run(&["scan", &zeros.display().to_string()], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("binary data"), "{}", stderr(&o));
}
