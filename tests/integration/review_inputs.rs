//! Hostile-review findings on what users type or feed in: each test fails on the behaviour the
//! review found and passes on the fix.

use super::cli_support::{code, run, stderr, stdout};

const ZONES: &str = "examples/zones";

/// `check _dmarc.fixed-sender.example` used to check the DMARC record's own name as a sending
/// domain: "no SPF record", "no MX", and a DMARC "ok" that was only the tree walk finding the
/// record itself. A record's name is refused in one line that names the domain to give.
#[test]
fn a_record_or_reverse_dns_name_is_refused_as_the_domain() {
    for (given, owner, command) in [
        (
            "_dmarc.fixed-sender.example",
            "fixed-sender.example",
            "check",
        ),
        (
            "s1._domainkey.broken-sender.example",
            "broken-sender.example",
            "check",
        ),
        (
            "_DMARC.fixed-sender.example.",
            "fixed-sender.example",
            "check",
        ),
        (
            "_dmarc.fixed-sender.example",
            "fixed-sender.example",
            "diagnose",
        ),
    ] {
        let mut args = vec![command];
        if command == "diagnose" {
            args.extend(["550 5.7.26 unauthenticated", "--domain"]);
        }
        args.extend([given, "--zone", ZONES, "--offline"]);
        let o = run(&args, None);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{given}: {}{err}", stdout(&o));
        assert!(stdout(&o).is_empty(), "{given}: {}", stdout(&o));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("not a mail domain") && err.contains(owner),
            "{err}"
        );
    }
    // A reverse-DNS name is no mail domain either: `diagnose --domain 2.0.192.in-addr.arpa` used
    // to plan a DMARC record at _dmarc.2.0.192.in-addr.arpa.
    for given in ["2.0.192.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa"] {
        let o = run(&["check", given, "--zone", ZONES, "--offline"], None);
        assert_eq!(code(&o), 2, "{given}: {}", stdout(&o));
        assert!(stderr(&o).contains("reverse-DNS"), "{}", stderr(&o));
    }
    // The domain itself and an underscore name that is not a record's (an SPF include target)
    // are still checked.
    for ok in ["fixed-sender.example", "_spf.fixed-sender.example"] {
        let o = run(&["check", ok, "--zone", ZONES, "--offline"], None);
        assert_ne!(code(&o), 2, "{ok}: {}", stderr(&o));
    }
}

/// A Postfix line for a quoted local part with a comma (`to=<"a,b"@gmail.com>`) used to put
/// `b"@gmail.com` in the suppression list: an address nobody sent to, and the real one missing.
#[test]
fn a_quoted_local_part_with_a_comma_is_suppressed_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("mail.log");
    std::fs::write(
        &log,
        "Dec  6 10:00:02 mx postfix/smtp[1]: ABE: to=<\"a,b\"@gmail.com>, relay=x[192.0.2.9]:25, dsn=5.1.1, status=bounced (host said: 550 5.1.1 no such user)\n",
    )
    .unwrap();
    let csv = dir.path().join("suppress.csv");
    let o = run(
        &[
            "scan",
            log.to_str().unwrap(),
            "--log-end",
            "2026-12-07",
            "--suppressions",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = std::fs::read_to_string(&csv).unwrap();
    let addresses: Vec<&str> = rows
        .lines()
        .skip(1)
        .map(|r| r.split(",address,").next().unwrap_or(""))
        .collect();
    assert_eq!(addresses, [r#""""a,b""@gmail.com""#], "{rows}");
}

/// `$INCLUDE` (of /etc/passwd, or of the zone itself) is refused; the error used to point at
/// `zone:0:0`, a line no editor opens, instead of the directive's own line.
#[test]
fn an_include_directive_is_refused_at_its_own_line() {
    let text = "$ORIGIN inc.example.\n$TTL 60\n@ IN TXT \"v=spf1 -all\"\n$include /etc/passwd\nwww IN A 192.0.2.1\n";
    let e = mailtriage::dns::parse_zone("inc.zone", text, None).unwrap_err();
    assert!(
        matches!(
            e,
            mailtriage::dns::DnsSetupError::Zone {
                line: 4,
                column: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("$INCLUDE is not supported"), "{e}");
}

/// `check xn--zz.example` used to ask DNS about a name no registry can delegate (its `xn--`
/// label decodes to no valid Unicode label) and report what came back as missing records. It
/// is refused in one line; a real A-label and a Unicode name are still checked.
#[test]
fn an_xn_label_that_is_not_punycode_is_refused_and_a_real_one_is_checked() {
    let o = run(
        &["check", "xn--zz.example", "--zone", ZONES, "--offline"],
        None,
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{}{err}", stdout(&o));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not valid punycode"), "{err}");
    for given in ["xn--bcher-kva.example", "bücher.example"] {
        let o = run(
            &[
                "check",
                given,
                "--zone",
                ZONES,
                "--offline",
                "--format",
                "json",
            ],
            None,
        );
        assert_ne!(code(&o), 2, "{given}: {}", stderr(&o));
        assert!(stdout(&o).contains("xn--bcher-kva.example"), "{given}");
    }
}
