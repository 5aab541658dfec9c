//! The exit-code contract (docs/exit-codes.md): one test per code, through the real binary.

use super::cli_support::{QUICKSTART_REPLY, Served, args, code, json, run, stderr, stdout};
use mailtriage::dns::ServerOptions;

const ZONES: &str = "examples/zones";

#[test]
fn exit_0_when_nothing_reaches_fail_on() {
    let o = run(
        &[
            "check",
            "fixed-sender.example",
            "--ip",
            "192.0.2.25",
            "--zone",
            ZONES,
            "--offline",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("0 errors"), "{}", stdout(&o));
}

#[test]
fn exit_1_when_errors_are_found_and_fail_on_moves_the_bar() {
    let args = [
        "check",
        "broken-sender.example",
        "--zone",
        ZONES,
        "--offline",
    ];
    let o = run(&args, None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let mut never = args.to_vec();
    never.extend(["--fail-on", "never"]);
    assert_eq!(code(&run(&never, None)), 0);
    // broken-sender's DKIM has only warnings (1024-bit key, t=y): it passes at the default bar
    // and fails at `warning`.
    let warn_only = [
        "check",
        "broken-sender.example",
        "--zone",
        ZONES,
        "--offline",
        "--only",
        "dkim",
    ];
    assert_eq!(code(&run(&warn_only, None)), 0);
    let mut strict = warn_only.to_vec();
    strict.extend(["--fail-on", "warning"]);
    assert_eq!(code(&run(&strict, None)), 1);
}

#[test]
fn exit_2_for_usage_and_input_errors_with_one_line_reasons() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["check", "not a domain"], "invalid domain"),
        (
            vec!["check", "example.com", "--ip", "300.1.1.1"],
            "invalid value",
        ),
        (
            vec![
                "check",
                "example.com",
                "--dkim-selector",
                "bad selector",
                "--zone",
                ZONES,
                "--offline",
            ],
            "invalid DKIM selector",
        ),
        (
            vec![
                "check",
                "example.com",
                "--only",
                "spf,bogus",
                "--zone",
                ZONES,
                "--offline",
            ],
            "unknown check",
        ),
        (
            vec!["check", "example.com", "--zone", "no/such.zone"],
            "no such file",
        ),
        (vec!["explain", "bounces/missing.eml"], "no such file"),
        (
            vec!["diagnose", "missing-bounce.eml", "--domain", "example.com"],
            "no such file",
        ),
        (
            vec!["check", "example.com", "--nameserver", "not-an-ip"],
            "invalid --nameserver",
        ),
        (
            vec![
                "check",
                "example.com",
                "--timeout",
                "0",
                "--zone",
                ZONES,
                "--offline",
            ],
            "invalid --timeout",
        ),
        (vec!["check"], "no domain"),
        (vec!["rules", "show", "no-such-rule"], "no rule"),
    ];
    for (args, expected) in cases {
        let o = run(&args, None);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
        assert_eq!(
            stderr(&o).trim().lines().count(),
            1,
            "{args:?}: one line, not {}",
            stderr(&o)
        );
    }
}

#[test]
fn exit_2_for_a_broken_zone_file_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.example.zone");
    std::fs::write(
        &path,
        "$ORIGIN bad.example.\n$TTL 300\n@ IN SOA ns. h. 1 2 3 4 5\n@ IN MX notanumber mx.bad.example.\n",
    )
    .unwrap();
    let o = run(
        &[
            "check",
            "bad.example",
            "--zone",
            path.to_str().unwrap(),
            "--offline",
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.example.zone:4"), "{}", stderr(&o));
}

#[test]
fn exit_3_when_dns_cannot_be_consulted_at_all() {
    let served = Served::start(ServerOptions {
        random_faults: Some((1.0, 0.0, 7)),
        ..ServerOptions::default()
    });
    let o = run(
        &[
            "check",
            "example.com",
            "--nameserver",
            &served.nameserver(),
            "--timeout",
            "0.2",
            "--retries",
            "0",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    let findings = v["domains"][0]["findings"].as_array().unwrap();
    // Timeouts are inconclusive, never "missing".
    assert!(
        findings
            .iter()
            .all(|f| !f["id"].as_str().unwrap().ends_with("-missing")),
        "{v}"
    );
    assert!(findings.iter().any(|f| f["inconclusive"] == true));
}

#[test]
fn a_closed_pipe_exits_quietly() {
    use std::process::Stdio;
    // Text output and JSON output (serde_json wraps the write error in its own type).
    for args in [
        &["rules", "list"][..],
        &[
            "explain",
            "examples/replies/gmail-5.7.26.txt",
            "--format",
            "json",
        ][..],
    ] {
        let mut child = super::cli_support::mailtriage()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn completions_and_man_page_come_from_the_cli_definitions() {
    let o = run(&["completions", "bash"], None);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("diagnose") && stdout(&o).contains("--dkim-selector"));
    let o = run(&["man"], None);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains(".TH mailtriage"));
}

const QUICK_START: [&str; 9] = [
    "diagnose",
    "examples/replies/gmail-5.7.26.txt",
    "--domain",
    "broken-sender.example",
    "--ip",
    "192.0.2.24",
    "--zone",
    ZONES,
    "--offline",
];

#[test]
fn diagnose_exit_1_for_errors_and_0_below_fail_on() {
    let o = run(&QUICK_START, None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let mut never = QUICK_START.to_vec();
    never.extend(["--fail-on", "never"]);
    let o = run(&never, None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The same report either way: the exit code is the only difference.
    assert!(stdout(&o).contains("Plan"), "{}", stdout(&o));
}

#[test]
fn diagnose_exit_2_without_a_domain_or_a_bounce() {
    let o = run(
        &[
            "diagnose",
            "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
            "--zone",
            ZONES,
            "--offline",
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("pass --domain"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn diagnose_exit_2_for_a_non_empty_evidence_directory_before_any_dns_question() {
    let served = Served::zones(&[(
        "broken-sender.example",
        "$ORIGIN broken-sender.example.\n$TTL 300\n@ IN SOA ns. h. 1 2 3 4 5\n@ IN TXT \"v=spf1 -all\"\n",
    )]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old-report.md"), "earlier case").unwrap();
    let o = run(
        &[
            "diagnose",
            "examples/replies/gmail-5.7.26.txt",
            "--domain",
            "broken-sender.example",
            "--nameserver",
            &served.nameserver(),
            "--evidence",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
    assert!(
        stdout(&o).is_empty(),
        "a report was printed: {}",
        stdout(&o)
    );
    assert_eq!(served.server.queries_received(), 0, "DNS was asked");
    // Nothing was added to the directory either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn diagnose_exit_3_when_every_lookup_gets_servfail() {
    let served = Served::start(ServerOptions {
        random_faults: Some((0.0, 1.0, 7)),
        ..ServerOptions::default()
    });
    let o = run(
        &args(&[
            &QUICKSTART_REPLY,
            &[
                "--nameserver",
                &served.nameserver(),
                "--timeout",
                "0.5",
                "--retries",
                "0",
                "--format",
                "json",
            ],
        ]),
        None,
    );
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    let d = json(&o);
    // A real SERVFAIL is a cause (a receiver meeting it fails too), and never "missing".
    let causes: Vec<&str> = d["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["finding_id"].as_str().unwrap())
        .collect();
    assert!(!causes.is_empty());
    assert!(
        causes
            .iter()
            .all(|c| c.ends_with("-lookup-failed") || *c == "spf-temperror"),
        "{causes:?}"
    );
    assert_eq!(d["not_checked"], serde_json::json!([]));
    assert_eq!(d["plan"][0]["id"], "dns-inconclusive");
}

#[test]
fn diagnose_exit_3_when_the_nameserver_port_is_closed() {
    // A port that was just free: nothing listens there, so every question times out or is
    // refused by the host.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ns = format!("127.0.0.1:{port}");
    let o = run(
        &[
            "diagnose",
            "examples/replies/gmail-5.7.26.txt",
            "--domain",
            "broken-sender.example",
            "--nameserver",
            &ns,
            "--timeout",
            "0.3",
            "--retries",
            "0",
        ],
        None,
    );
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn the_man_page_documents_every_subcommands_options_and_the_exit_status() {
    let o = run(&["man"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = stdout(&o);
    for section in [
        ".SH \"MAILTRIAGE CHECK OPTIONS\"",
        ".SH \"MAILTRIAGE DIAGNOSE OPTIONS\"",
        ".SH \"MAILTRIAGE RULES LINT\"",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    // The flags people look up, in roff's escaped spelling.
    let diagnose = &page[page.find(".SH \"MAILTRIAGE DIAGNOSE OPTIONS\"").unwrap()..];
    for flag in ["\\-\\-dkim\\-selector", "\\-\\-evidence", "\\-\\-fail\\-on"] {
        assert!(diagnose.contains(flag), "{flag} missing from diagnose");
    }
    let status = &page[page.find(".SH \"EXIT STATUS\"").unwrap()..];
    for code in ["\\fB0\\fR", "\\fB1\\fR", "\\fB2\\fR", "\\fB3\\fR"] {
        assert!(status.contains(code), "exit code {code} undocumented");
    }
}
