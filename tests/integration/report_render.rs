//! Snapshots of human and JSON output, Markdown and SARIF shape, check output and JSONL lines.
#![allow(clippy::unwrap_used)]

use crate::report_fixtures::*;
use mailtriage::finding::{Check, Severity, ZoneLocation};
use mailtriage::report::json::check as check_json;
use mailtriage::report::{CheckDomain, CheckReport, Format, Report, RunContext, render, sarif};

#[test]
fn human_gmail_5726_without_dmarc() {
    no_color();
    let out = gmail_no_dmarc().render(Format::Human);
    assert!(
        out.contains("Likely cause\n  [dmarc-missing] 550 5.7.26 points at DMARC"),
        "{out}"
    );
    assert!(
        out.contains("  1. Publish a DMARC record for example.com with p=none"),
        "{out}"
    );
    assert!(out.contains(
        "_dmarc.example.com. IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com\""
    ));
    assert!(out.contains("Caches may hold the old answer for up to 1800s (30 min)"));
    assert!(!out.contains('\u{1b}'), "color must be off");
    insta::assert_snapshot!(out);
}

#[test]
fn human_user_unknown() {
    no_color();
    let out = gmail_user_unknown().render(Format::Human);
    assert!(
        out.contains("  1. Stop sending to the rejected address"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn human_421_spf_over_limit() {
    no_color();
    let out = gmail_spf_over_limit().render(Format::Human);
    assert!(
        out.contains("  1. Bring the SPF record of example.com under 10 DNS lookups"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn json_snapshots_of_three_diagnoses() {
    for (name, case) in [
        ("json_gmail_5726_no_dmarc", gmail_no_dmarc()),
        ("json_user_unknown", gmail_user_unknown()),
        ("json_421_spf_over_limit", gmail_spf_over_limit()),
    ] {
        let v = case.json();
        assert_eq!(v["schema"], "mailtriage.diagnose/v1");
        assert_eq!(v["reply"], v["replies"][0]);
        insta::assert_json_snapshot!(name, v);
    }
    let v = gmail_no_dmarc().json();
    assert_eq!(
        v["plan"][0]["records"][0]["value"],
        "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"
    );
    assert_eq!(v["likely_causes"][0]["finding_id"], "dmarc-missing");
    assert_eq!(
        v["input"]["provenance"][1]["source"],
        "bounce: Received header"
    );
    assert_eq!(v["reply"]["enhanced"], "5.7.26");
    assert_eq!(v["reply"]["action"], "fix-authentication");
}

#[test]
fn markdown_pastes_into_a_ticket() {
    let mut case = gmail_no_dmarc();
    case.queries[0].answers = vec!["v=spf1 a|b -all".into()];
    let md = case.render(Format::Markdown);
    assert!(md.starts_with("# mailtriage diagnosis for example.com\n"));
    assert!(
        md.contains("## Likely cause\n\n- **`dmarc-missing` 550 5.7.26 points at DMARC"),
        "{md}"
    );
    assert!(md.contains("### 1. Publish a DMARC record"));
    assert!(md.contains("```dns\n; create the mailbox dmarc-reports@example.com first"));
    assert!(md.contains("| 2 | _dmarc.example.com | TXT | NXDOMAIN |  | 1800 | 127.0.0.1:5353 (zone overlay) | 2025-01-02T03:04:02Z | 1.5 |"), "{md}");
    assert!(
        md.contains("v=spf1 a\\|b -all"),
        "pipes in cells are escaped"
    );
    assert!(md.contains("- [Google Postmaster Tools"));
    assert_eq!(md.matches("```").count() % 2, 0, "fences are balanced");
}

#[test]
fn check_human_draws_the_spf_tree_and_names_findings() {
    no_color();
    let report = spf_over_limit_report();
    let q = queries();
    let mut out = Vec::new();
    let run = RunContext::default();
    let t = tool();
    let domains = [CheckDomain {
        report: &report,
        queries: &q,
    }];
    let view = Report::Check(CheckReport {
        tool: &t,
        domains: &domains,
        run: &run,
    });
    render(&mut out, Format::Human, &view).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("    example.com (11 lookups)\n    ├─ include:_spf.google.com (4 lookups)\n    │  ├─ include:_netblocks.google.com (1 lookup)"), "{out}");
    assert!(
        out.contains("    └─ include:mail.zendesk.com (5 lookups)"),
        "{out}"
    );
    assert!(out.contains("  SPF fail\n"), "{out}");
    assert!(
        out.contains("    error [spf-too-many-lookups] The SPF record of example.com needs 11"),
        "{out}"
    );
    assert!(out.contains("  DMARC ok\n"));
    assert!(out.contains("1 error, 0 warnings, 0 inconclusive"));
    insta::assert_snapshot!(out);
}

#[test]
fn check_jsonl_lines_are_one_compact_object_each() {
    let report = no_dmarc_report();
    let q = queries();
    let line = check_json::check_jsonl_line(&report, &q);
    assert!(!line.contains('\n'));
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["schema"], "mailtriage.check/v1");
    assert_eq!(v["domain"], "example.com");
    assert_eq!(v["queries"].as_array().unwrap().len(), 4);
}

/// A run whose rules document one finding id.
fn rule_text() -> RunContext {
    let mut run = RunContext::default();
    run.finding_texts.insert(
        "dmarc-missing".into(),
        (
            "No DMARC record".to_string(),
            "Publish v=DMARC1; p=none; rua=...".to_string(),
        ),
    );
    run
}

#[test]
fn sarif_has_rules_levels_and_zone_file_regions() {
    let mut report = no_dmarc_report();
    report.findings.push(finding(
        "spf-softfail-all",
        Check::Spf,
        Severity::Warning,
        DOMAIN,
        "~all",
    ));
    let mut info = finding(
        "mx-implicit",
        Check::Mx,
        Severity::Info,
        DOMAIN,
        "implicit MX",
    );
    info.location = Some(ZoneLocation {
        file: "zones\\win.zone".into(),
        line: 0,
        column: 0,
    });
    report.findings.push(info);
    let v = sarif::to_value(&tool(), &[&report], &rule_text());
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        rule_ids,
        ["dmarc-missing", "mx-implicit", "spf-softfail-all"]
    );
    assert_eq!(rules[0]["shortDescription"]["text"], "No DMARC record");
    assert_eq!(
        rules[0]["help"]["text"],
        "Publish v=DMARC1; p=none; rua=..."
    );
    assert_eq!(rules[2]["shortDescription"]["text"], "spf-softfail-all");
    let results = run["results"].as_array().unwrap();
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "warning", "note"]);
    let phys = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "zones/example.com.zone");
    assert_eq!(phys["region"]["startLine"], 12);
    assert_eq!(phys["region"]["startColumn"], 1);
    assert_eq!(results[0]["ruleIndex"], 0);
    assert_eq!(results[2]["ruleIndex"], 1);
    assert!(results[1]["locations"][0].get("physicalLocation").is_none());
    assert_eq!(
        results[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "example.com/example.com"
    );
    let win = &results[2]["locations"][0]["physicalLocation"];
    assert_eq!(win["artifactLocation"]["uri"], "zones/win.zone");
    assert_eq!(win["region"]["startLine"], 1, "SARIF lines start at 1");
}

/// One dispatch: a format a command does not offer is refused (by the command line before
/// anything runs, and by the renderer if a caller asks anyway), never written half.
#[test]
fn formats_a_command_does_not_offer_are_refused() {
    let pair = [(
        crate::rules_support::reply("550 5.1.1 no such user"),
        mailtriage::rules::RuleSet::load(None)
            .unwrap()
            .decode(&crate::rules_support::reply("550 5.1.1 no such user")),
    )];
    let view = Report::Explain(mailtriage::report::ExplainReport {
        form: mailtriage::reply::InputForm::Reply,
        kind: None,
        replies: &pair,
    });
    for format in [Format::Jsonl, Format::Markdown, Format::Sarif] {
        let mut out = Vec::new();
        let err = render(&mut out, format, &view).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().starts_with("explain has no "), "{err}");
        assert!(out.is_empty());
    }
    let o = crate::cli_support::run(&["explain", "550 5.1.1 x", "--format", "markdown"], None);
    assert_eq!(crate::cli_support::code(&o), 2);
    let err = crate::cli_support::stderr(&o);
    assert!(
        err.contains("invalid value 'markdown' for '--format <FORMAT>'"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let o = crate::cli_support::run(&["diagnose", "550 5.1.1 x", "--format", "jsonl"], None);
    assert_eq!(crate::cli_support::code(&o), 2);
}
