//! Output that a zone, a reply or a bounce cannot forge: the hostile fixtures (records, a reply
//! and a bounce full of terminal control sequences, bidi overrides, backticks, pipes, HTML and
//! Markdown links) through check, diagnose and explain in every format they offer.
#![allow(clippy::unwrap_used)]

use super::cli_support::{code, run, stderr, stdout};
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::Value;

const ZONES: &str = "tests/fixtures/hostile";
const REPLY: &str = "tests/fixtures/hostile/reply.txt";
const BOUNCE: &str = "tests/fixtures/hostile/bounce.eml";

/// The SPF record as published: `+all`, then CR and erase-line so that a terminal shows only
/// the fake `-all` record after it.
const SPF: &str = "v=spf1 ip4:192.0.2.66 +all\r\x1b[2Kv=spf1 ip4:192.0.2.66 -all";
/// The DMARC record as published.
const DMARC: &str = "v=DMARC1; p=none; rua=mailto:dmarc@hostile.example,mailto:[click](http://evil)x\x1b]0;title\x07@evil.example; ruf=mailto:[click](http://evil)@hostile.example; x=`tick`|pipe<script>alert(1)</script>\r\x1b[1Ap=reject\u{202e}\0\x7f\u{9b}";

fn check_args(format: &str) -> Vec<&str> {
    vec![
        "check",
        "hostile.example",
        "--zone",
        ZONES,
        "--offline",
        "--ip",
        "192.0.2.66",
        "--dkim-selector",
        "s1",
        "--dkim-selector",
        "s2",
        "--format",
        format,
    ]
}

fn diagnose_args<'a>(input: &'a str, format: &'a str) -> Vec<&'a str> {
    vec![
        "diagnose",
        input,
        "--domain",
        "hostile.example",
        "--ip",
        "192.0.2.66",
        "--dkim-selector",
        "s1",
        "--dkim-selector",
        "s2",
        "--zone",
        ZONES,
        "--offline",
        "--format",
        format,
    ]
}

/// Characters a terminal or a bidi-aware viewer acts on (C0 but LF, DEL, C1, bidi controls).
fn active(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// No active character in `text`; with `color`, ESC only as the start of our own SGR colour
/// sequences (`ESC [ digits/semicolons m`).
pub(crate) fn assert_inert(what: &str, text: &str, color: bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\x1b' && color && chars.get(i + 1) == Some(&'[') {
            let mut j = i + 2;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == ';') {
                j += 1;
            }
            assert_eq!(
                chars.get(j),
                Some(&'m'),
                "{what}: an ESC that is not a colour at char {i}:\n{text}"
            );
            i = j + 1;
            continue;
        }
        assert!(
            !active(c),
            "{what}: raw U+{:04X} at char {i}:\n{}",
            c as u32,
            text.escape_debug()
        );
        i += 1;
    }
}

/// Runs and checks that neither stdout nor stderr carries an active character.
fn inert_run(what: &str, args: &[&str], color: bool) -> String {
    let o = run(args, None);
    assert!(
        matches!(code(&o), 0 | 1 | 3),
        "{what}: exit {}: {}",
        code(&o),
        stderr(&o)
    );
    assert_inert(what, &stdout(&o), color);
    assert_inert(&format!("{what} (stderr)"), &stderr(&o), false);
    stdout(&o)
}

fn with_color<'a>(args: &[&'a str], color: &'a str) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend(["--color", color]);
    v
}

#[test]
fn human_output_shows_control_characters_as_escapes_with_color_always_and_never() {
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("check", check_args("human")),
        ("diagnose reply", diagnose_args(REPLY, "human")),
        ("diagnose bounce", diagnose_args(BOUNCE, "human")),
        ("explain reply", vec!["explain", REPLY]),
        ("explain bounce", vec!["explain", BOUNCE]),
    ];
    for (what, args) in runs {
        for color in ["always", "never"] {
            let out = inert_run(
                &format!("{what} --color {color}"),
                &with_color(&args, color),
                color == "always",
            );
            if color == "always" {
                assert!(out.contains("\x1b[1m"), "{what}: colour was asked for");
            }
            if what == "check" || what.starts_with("diagnose") {
                // The `+all` stays on screen: the CR and erase-line that would hide it show
                // as text.
                assert!(out.contains("+all\\r\\x1b[2Kv=spf1"), "{what}:\n{out}");
            }
            if what == "check" {
                assert!(
                    out.contains("\\x1b[1Ap=reject\\u{202e}\\0\\x7f\\u{9b}"),
                    "{out}"
                );
            }
            if what == "explain bounce" {
                // The remote MTA of the bounce keeps its text, escaped.
                assert!(
                    out.contains("gmail-smtp-in\\x1b]0;title\\x07 \\x1b[2K\\r"),
                    "{what}:\n{out}"
                );
            }
            if what.starts_with("explain") || what.starts_with("diagnose") {
                assert!(out.contains("\\u{202e}lla+ `tick` a|b"), "{what}:\n{out}");
            }
        }
    }
}

/// Every JSON string in `v`.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

#[test]
fn json_jsonl_and_sarif_escape_every_active_character_and_json_keeps_the_original_data() {
    let check = inert_run("check json", &check_args("json"), false);
    let doc: Value = serde_json::from_str(&check).unwrap();
    let domain = &doc["domains"][0];
    assert_eq!(domain["spf"]["record"], SPF, "{domain:#}");
    assert!(
        domain["spf"]["all"].is_null(),
        "a record in error has no `all` that decides anything; the hidden +all must not read as -all: {}",
        domain["spf"]["all"]
    );
    let mut all = Vec::new();
    strings(&doc, &mut all);
    assert!(
        all.iter().any(|s| s == DMARC),
        "the DMARC record round-trips"
    );
    // The zone file's `s2\027\007` is the label of octets s, 2, ESC, BEL (RFC 1035 section
    // 5.1), kept as such in JSON (serde writes them \u001b, \u0007).
    assert!(all.iter().any(|s| s.contains("s2\u{1b}\u{7}.evil.example")));

    let jsonl = inert_run("check jsonl", &check_args("jsonl"), false);
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), 1);
    let line: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(line["spf"]["record"], SPF);

    let sarif = inert_run("check sarif", &check_args("sarif"), false);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let messages: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("+all\r\x1b\\[2Kv=spf1")),
        "SARIF keeps the data, escapes only its brackets (embedded links) and leaves the rest to JSON: {messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("\\[click\\](http://evil)")),
        "a Markdown link in a record is no SARIF embedded link: {messages:?}"
    );

    for input in [REPLY, BOUNCE] {
        let d: Value = serde_json::from_str(&inert_run(
            "diagnose json",
            &diagnose_args(input, "json"),
            false,
        ))
        .unwrap();
        assert!(
            d["reply"]["text"]
                .as_str()
                .unwrap()
                .contains("\x1b]0;title\x07 \x1b[2K"),
            "{input}: {}",
            d["reply"]["text"]
        );
        let proposed: Vec<String> = d["plan"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["records"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["name"] == "_dmarc.hostile.example")
            .map(|r| r["value"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(
            !proposed.is_empty(),
            "{input}: the plan proposes a DMARC record"
        );
        for value in &proposed {
            assert!(
                value.contains("rua=mailto:dmarc@hostile.example")
                    && !value.contains("click")
                    && !value.contains("x=")
                    && !value.chars().any(active),
                "{input}: a proposed record keeps the usable report address and nothing the zone's writer smuggled in: {value:?}"
            );
        }
        inert_run("diagnose sarif", &diagnose_args(input, "sarif"), false);
        let e: Value = serde_json::from_str(&inert_run(
            "explain json",
            &["explain", input, "--format", "json"],
            false,
        ))
        .unwrap();
        assert!(
            e["replies"][0]["text"]
                .as_str()
                .unwrap()
                .contains("\u{202e}lla+")
        );
    }
}

/// What a Markdown viewer makes of `md`: every HTML piece, every link target, and the text.
fn rendered(md: &str) -> (Vec<String>, Vec<String>, String) {
    let (mut html, mut links, mut text) = (Vec::new(), Vec::new(), String::new());
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.to_string()),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(dest_url.to_string())
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    (html, links, text)
}

#[test]
fn markdown_renders_hostile_data_as_text_with_no_html_or_links_of_its_own() {
    let runs = [
        ("check", check_args("markdown")),
        ("diagnose reply", diagnose_args(REPLY, "markdown")),
        ("diagnose bounce", diagnose_args(BOUNCE, "markdown")),
    ];
    for (what, args) in runs {
        let md = inert_run(&format!("{what} markdown"), &args, false);
        let (html, links, text) = rendered(&md);
        // Ours: the <details> wrapper of the query table.
        let foreign: Vec<&String> = html
            .iter()
            .filter(|h| !h.starts_with("<details>") && !h.starts_with("</details>"))
            .collect();
        assert!(
            foreign.is_empty(),
            "{what}: HTML from the data: {foreign:?}\n{md}"
        );
        assert!(
            links.iter().all(|l| !l.contains("evil")),
            "{what}: a link from the data: {links:?}"
        );
        assert!(
            text.contains("<script>alert(1)</script>"),
            "{what}: the script shows as text:\n{text}"
        );
        assert!(text.contains("[click](http://evil)"), "{what}:\n{text}");
        assert!(text.contains("`tick`"), "{what}:\n{text}");
        assert!(text.contains("\\x1b"), "{what}: ESC shows as text");
    }
    // Pipes in the data stay inside their cell: each finding row has the header's 4 cells.
    let md = inert_run("check markdown", &check_args("markdown"), false);
    for row in md
        .lines()
        .filter(|l| l.starts_with("| error") || l.starts_with("| warning"))
    {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 5, "{row}");
    }
}

#[test]
fn errors_that_quote_the_input_show_its_control_characters_as_escapes() {
    let o = run(
        &[
            "check",
            "hostile.example",
            "--dkim-selector",
            "s\x1b]0;t\x07",
            "--offline",
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_inert("selector error", &stderr(&o), false);
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("selector"), "{}", stderr(&o));

    let o = run(
        &[
            "check",
            "hostile.example",
            "--zone",
            "missing\x1b[2K\r\u{202e}.zone",
            "--offline",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert_inert("file error", &err, false);
    assert!(err.contains("missing\\x1b[2K\\r\\u{202e}.zone"), "{err}");

    // A bounce whose DKIM-Signature names a selector with control characters: a value written
    // by someone else is skipped with a note (inert), not a usage error.
    let tmp = tempfile::tempdir().unwrap();
    let bounce = tmp.path().join("bounce.eml");
    let text = std::fs::read_to_string(BOUNCE).unwrap();
    std::fs::write(&bounce, text.replace("s=s1;", "s=s1\x1b[2K\u{202e};")).unwrap();
    let o = run(
        &[
            "diagnose",
            bounce.to_str().unwrap(),
            "--zone",
            ZONES,
            "--offline",
        ],
        None,
    );
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    let out = stdout(&o);
    assert_inert("bounce selector note", &out, false);
    assert!(
        out.lines()
            .any(|l| l.contains("dkim_selector: s1\\x1b[2K\\u{202e}") && l.contains("skipped")),
        "{out}"
    );

    // clap's errors, a refused value (one line) and an unknown subcommand (with its usage):
    // clap drops ANSI sequences itself, but not a bidi override or a C1 control.
    for args in [
        &[
            "check",
            "hostile.example",
            "--ip",
            "1.2\u{202e}\u{9b}\x1b]0;t\x07",
        ][..],
        &["chec\u{202e}\u{9b}\x1b]0;t\x07"][..],
    ] {
        let o = run(args, None);
        assert_eq!(code(&o), 2, "{args:?}");
        assert_inert("usage error", &stderr(&o), false);
        assert!(stderr(&o).contains("\\u{202e}\\u{9b}"), "{}", stderr(&o));
    }
}

#[test]
fn rules_show_and_list_escape_the_text_of_a_rules_directory() {
    let rules = crate::rules_support::RulesDir::new(&[(
        "findings.toml",
        r#"[[finding]]
id = "spf-missing"
check = "spf"
severity = "error"
title = "No SPF \u001b]0;title\u0007record"
summary = "Line one.\nLine two \u001b[2K\rhidden \u202e."
why = "Why."
fix = "Fix."
source = "https://www.rfc-editor.org/rfc/rfc7208#section-4.5 \u009b"
"#,
    )]);
    let dir = rules.path();
    let dir = dir.to_str().unwrap();
    let show = inert_run(
        "rules show",
        &["rules", "show", "spf-missing", "--rules", dir],
        false,
    );
    assert!(show.contains("No SPF \\x1b]0;title\\x07record"), "{show}");
    // The summary keeps its line break and shows the rest.
    assert!(
        show.contains("Line one.\n  Line two \\x1b[2K\\rhidden \\u{202e}."),
        "{show}"
    );
    let list = inert_run("rules list", &["rules", "list", "--rules", dir], false);
    assert!(list.contains("No SPF \\x1b]0;title\\x07record"), "{list}");
}

#[test]
fn bulk_mode_streams_inert_json_lines_and_human_text() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("domains.txt");
    std::fs::write(&file, "hostile.example\n").unwrap();
    let file = file.to_str().unwrap();
    let base = [
        "check",
        "--domains-file",
        file,
        "--zone",
        ZONES,
        "--offline",
    ];
    let jsonl = inert_run(
        "bulk jsonl",
        &[&base[..], &["--format", "jsonl"]].concat(),
        false,
    );
    let line: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(line["spf"]["record"], SPF);
    let human = inert_run(
        "bulk human",
        &[&base[..], &["--color", "always"]].concat(),
        true,
    );
    assert!(human.contains("+all\\r\\x1b[2Kv=spf1"), "{human}");
}

#[test]
fn the_evidence_bundle_is_inert_but_for_the_input_it_keeps_as_given() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    let mut args = diagnose_args(BOUNCE, "human");
    let dir_s = dir.to_str().unwrap();
    args.extend(["--evidence", dir_s]);
    inert_run("diagnose --evidence", &args, false);
    for name in ["report.md", "report.json", "dns-log.jsonl", "versions.json"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert_inert(name, &text, false);
    }
    // The log keeps the records as they were answered, in DNS presentation format.
    let log = std::fs::read_to_string(dir.join("dns-log.jsonl")).unwrap();
    let answers: Vec<String> = log
        .lines()
        .flat_map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let mut out = Vec::new();
            strings(&v["answers"], &mut out);
            out
        })
        .collect();
    assert!(
        answers
            .iter()
            .any(|a| a == "\"v=spf1 ip4:192.0.2.66 +all\\013\\027[2Kv=spf1 ip4:192.0.2.66 -all\""),
        "{answers:?}"
    );
}
