//! Review 16: faults already noticed in what users feed in, each test failing on the behaviour
//! found and passing on the fix.

use super::cli_support::{code, run, stderr, stdout};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.display().to_string()
}

/// `check --zone notes` of a shopping list used to say `notes:1:7: missing origin` (and a file
/// named `notes.txt` `expected rtype`): the scanner's word for the first token it could not
/// read. A file with no line that reads as a record is named as not being a zone file.
#[test]
fn a_file_of_prose_given_as_a_zone_is_named_as_not_a_zone_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prose = "Hello there,\nthis is a shopping list.\nEggs, milk: two litres.\n";
    for name in ["notes", "notes.txt", "README"] {
        let file = write(dir.path(), name, prose);
        let o = run(
            &["check", "example.com", "--zone", &file, "--offline"],
            None,
        );
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {}{err}", stdout(&o));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("not a zone file"), "{name}: {err}");
        assert!(!err.contains("origin") && !err.contains("rtype"), "{err}");
    }
    // A zone file with a real mistake still gets the scanner's place and words.
    let broken = write(
        dir.path(),
        "broken.example.zone",
        "$ORIGIN broken.example.\n@ 300 IN SOA ns1 host 1 2 3 4 5\n@ IN MX ten mx\n",
    );
    let o = run(
        &["check", "broken.example", "--zone", &broken, "--offline"],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(!stderr(&o).contains("not a zone file"), "{}", stderr(&o));
}

/// `scan --merge notes.txt other.json` with no summary among them used to print a summary of
/// zero mail (exit 2 hidden under "0 delivered, 0 bounced"). Nothing merged is a refusal:
/// a line per file saying why, one saying nothing was merged, no summary, exit 2.
#[test]
fn a_merge_of_files_none_of_which_is_a_summary_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "notes.txt", "not a summary\n");
    let b = write(
        dir.path(),
        "other.json",
        "{\"schema\": \"mailtriage.explain/v1\"}",
    );
    for format in ["human", "json"] {
        let o = run(&["scan", "--merge", &a, &b, "--format", format], None);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{err}");
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
        assert_eq!(err.lines().count(), 3, "{err}");
        assert!(err.contains("notes.txt: not a usable"), "{err}");
        assert!(err.contains("other.json: not a usable"), "{err}");
        assert!(err.contains("nothing merged"), "{err}");
    }
}

/// A bounce whose returned message is itself a message, `levels` deep, the reply at the bottom.
fn nested_bounce(levels: usize, header: &str) -> String {
    let mut s = String::from("From: MAILER-DAEMON@example.net\nSubject: Undelivered\n");
    s.push_str("Content-Type: message/rfc822\n\n");
    s.push_str(&header.repeat(levels));
    s.push_str("From: a@example.com\nSubject: hi\n\n550 5.1.1 <b@example.org>: user unknown\n");
    s
}

/// `explain` of a message nesting 10,000 message/rfc822 levels said "no reply in its text"
/// (the reply was only deeper than it read), and at 300,000 levels (9 MB, under the input
/// limit) dropping the parsed tree overflowed the stack: exit 134, as `scan` of a Maildir
/// holding it did. Both are refused in one line that says the nesting is too deep (exit 2);
/// a bounce that nests a few levels is read as before.
#[test]
fn messages_nested_too_deep_are_refused_in_one_line_not_read_as_no_reply_or_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let level = "From: MAILER-DAEMON@example.net\nContent-Type: message/rfc822\n\n";
    for (name, levels, header) in [
        ("ten-thousand.eml", 10_000, level),
        ("deep.eml", 300_000, "Content-Type: message/rfc822\n\n"),
    ] {
        let file = write(dir.path(), name, &nested_bounce(levels, header));
        let o = run(&["explain", &file], None);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {}{err}", stdout(&o));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("levels deep"), "{name}: {err}");
    }
    let shallow = write(dir.path(), "three.eml", &nested_bounce(3, level));
    let o = run(&["explain", &shallow], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("5.1.1"), "{}", stdout(&o));
    // The same message in a Maildir: skipped, not a crash of the scan.
    let new = dir.path().join("md/new");
    std::fs::create_dir_all(&new).expect("maildir");
    for sub in ["cur", "tmp"] {
        std::fs::create_dir_all(dir.path().join("md").join(sub)).expect("maildir");
    }
    write(
        &new,
        "1.eml",
        &nested_bounce(300_000, "Content-Type: message/rfc822\n\n"),
    );
    write(&new, "2.eml", &nested_bounce(3, level));
    let md = dir.path().join("md").display().to_string();
    let o = run(&["scan", &md, "--format", "json"], None);
    assert!(
        code(&o) == 0 || code(&o) == 2,
        "{}: {}",
        code(&o),
        stderr(&o)
    );
    assert!(stdout(&o).contains("b@example.org"), "{}", stdout(&o));
    // The skip says why: the nesting, not "no SMTP reply" (the reply is there, only deeper).
    let err = stderr(&o);
    assert!(
        err.contains("more than 32 messages inside each other"),
        "{err}"
    );
    assert!(!err.contains("no SMTP reply"), "{err}");
    assert!(stdout(&o).contains("\"nested-too-deep\""), "{}", stdout(&o));
}

/// A DMARC record whose `rua=` holds an address without `mailto:` and a broken address used to
/// list all three as report destinations on the policy line and in the JSON, and to ask
/// `rua.example._report._dmarc.x` for the broken one. Only the URI receivers can send to is
/// listed; the syntax finding still names the tag.
#[test]
fn invalid_report_uris_are_not_listed_as_report_destinations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zone = write(
        dir.path(),
        "rua16.example.zone",
        "$ORIGIN rua16.example.\n$TTL 300\n\
         @ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\n@ IN MX 10 mx\n\
         mx IN A 192.0.2.10\n@ IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n\
         _dmarc IN TXT \"v=DMARC1; p=reject; rua=dmarc@rua16.example,mailto:ok@rua16.example,mailto:bad@@x\"\n",
    );
    let base = [
        "check",
        "rua16.example",
        "--zone",
        zone.as_str(),
        "--offline",
        "--only",
        "dmarc",
    ];
    let o = run(&base, None);
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("policy for rua16.example"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("rua: mailto:ok@rua16.example,"), "{line}");
    assert!(
        !line.contains("bad@@x") && !line.contains("rua: dmarc@"),
        "{line}"
    );
    assert!(out.contains("dmarc-syntax-error"), "{out}");
    assert!(!out.contains("_report._dmarc.x"), "{out}");
    let mut args = base.to_vec();
    args.extend(["--format", "json"]);
    let v = super::cli_support::json(&run(&args, None));
    let rua = &v["domains"][0]["dmarc"]["rua"];
    assert_eq!(rua, &serde_json::json!(["mailto:ok@rua16.example"]), "{v}");
}

/// `redirct=_spf.vendor10.example` respelt as `redirect=` in a plan trusted a target the run
/// never asked (receivers ignore the misspelt modifier, so the check did not follow it): a
/// redirect to a name without an SPF record fails SPF for every sender. The step still
/// respells it, and says the target was not looked up and how to check it first.
#[test]
fn a_respelt_redirect_says_its_target_was_not_looked_up() {
    let o = run(
        &[
            "diagnose",
            "550-5.7.27 The sender's SPF record does not authorize the sending IP - gsmtp",
            "--from",
            "news@rdr10.example",
            "--ip",
            "192.0.2.203",
            "--zone",
            "tests/fixtures/scenarios10",
            "--offline",
        ],
        None,
    );
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}{}", stderr(&o));
    assert!(
        out.contains("redirect=_spf.vendor10.example\""),
        "the respelt record: {out}"
    );
    assert!(
        out.contains("did not look up _spf.vendor10.example")
            && out.contains("mailtriage check _spf.vendor10.example --only spf"),
        "{out}"
    );
}
