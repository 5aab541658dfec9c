//! `scan --merge`: the JSON summaries of parts combine into the summary of the whole.
#![allow(clippy::unwrap_used)]

use crate::cli_support::run;
use crate::scan_gen::{Config, Mta};
use crate::scan_support::*;
use serde_json::Value;
use std::path::Path;

/// Splits a log into the lines before day `day` of March and the rest.
fn split_by_day(log: &Path, day: &str, a: &Path, b: &Path) {
    let text = std::fs::read_to_string(log).unwrap();
    let at = text.find(&format!("\nMar {day} ")).unwrap() + 1;
    std::fs::write(a, &text[..at]).unwrap();
    std::fs::write(b, &text[at..]).unwrap();
}

fn without_inputs(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("inputs");
    v
}

#[test]
fn merged_halves_equal_one_scan_of_both_and_of_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::small(Mta::Postfix, 24_000, 3);
    let (log, exp) = generated(dir.path(), "mail.log", &cfg);
    let (a, b) = (
        dir.path().join("day1-9.log"),
        dir.path().join("day10-20.log"),
    );
    split_by_day(&log, "10", &a, &b);
    let (ja, jb) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for (input, out) in [(&a, &ja), (&b, &jb)] {
        let o = scan(&[path_str(input), "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::write(out, &o.stdout).unwrap();
    }
    let csv = dir.path().join("merged.csv");
    let merged = run(
        &[
            "scan",
            "--merge",
            path_str(&ja),
            path_str(&jb),
            "--format",
            "json",
            "--suppressions",
            path_str(&csv),
        ],
        None,
    );
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    let both = scan(&[path_str(&a), path_str(&b), "--format", "json"]);
    assert_eq!(
        stdout(&merged),
        stdout(&both),
        "merging two summaries must give byte for byte the summary of one scan of both parts"
    );
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_valid(&merged);
    let whole = scan_json(&[path_str(&log)]);
    assert_eq!(without_inputs(merged.clone()), without_inputs(whole));
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), exp.suppressions);
    assert_eq!(verdicts(&merged), exp.verdicts);
}

#[test]
fn merging_two_hosts_adds_their_traffic_and_keeps_each_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut one = Config::small(Mta::Postfix, 8_000, 21);
    one.stories = false;
    let mut two = Config::small(Mta::Exim, 8_000, 22);
    two.stories = true;
    two.host = "mx2".into();
    let (l1, e1) = generated(dir.path(), "mx1.log", &one);
    let (l2, e2) = generated(dir.path(), "mx2.log", &two);
    let docs: Vec<String> = [&l1, &l2]
        .iter()
        .map(|l| {
            let p = dir
                .path()
                .join(format!("{}.json", l.file_name().unwrap().to_str().unwrap()));
            let o = scan(&[path_str(l), "--format", "json"]);
            std::fs::write(&p, &o.stdout).unwrap();
            path_str(&p).to_string()
        })
        .collect();
    let o = run(
        &["scan", "--merge", &docs[0], &docs[1], "--format", "json"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["totals"]["delivered"], e1.delivered + e2.delivered);
    assert_eq!(v["totals"]["deferred"], e1.deferred + e2.deferred);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 2);
    // The recipients' histories are kept whole: the stories of the second host (addresses the
    // first host's ordinary traffic to user<N>@ never reaches) decide the same ...
    let got = verdicts(&v);
    let stories: Vec<_> = e2
        .verdicts
        .iter()
        .filter(|(a, _)| !a.starts_with("user"))
        .collect();
    assert!(stories.len() > 10, "{stories:?}");
    for (addr, verdict) in stories {
        assert_eq!(got.get(addr), Some(verdict), "{addr}");
    }
    // ... and the merge is one scan of both hosts' logs, byte for byte.
    let both = scan(&[path_str(&l1), path_str(&l2), "--format", "json"]);
    assert_eq!(stdout(&o), stdout(&both));
}

#[test]
fn a_file_that_is_not_a_summary_is_named_and_the_merge_goes_on_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::small(Mta::Postfix, 3_000, 5);
    let (log, _) = generated(dir.path(), "mail.log", &cfg);
    let good = dir.path().join("good.json");
    std::fs::write(&good, scan(&[path_str(&log), "--format", "json"]).stdout).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b"{\"schema\": \"mailtriage.explain/v1\"}").unwrap();
    let o = run(
        &[
            "scan",
            "--merge",
            path_str(&good),
            path_str(&bad),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.json: not a usable mailtriage.scan/v1 summary"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1);
}

/// The same summary given twice used to be merged twice: every bounce counted double. The copy
/// is named and skipped (exit 2, the merge as of one copy); two summaries that read the same
/// input are merged but the overlap is named.
#[test]
fn a_summary_given_twice_is_skipped_and_an_input_read_twice_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::small(Mta::Postfix, 3_000, 5);
    let (log, _) = generated(dir.path(), "mail.log", &cfg);
    let one = scan(&[path_str(&log), "--format", "json"]).stdout;
    let a = dir.path().join("a.json");
    std::fs::write(&a, &one).unwrap();
    let o = run(
        &[
            "scan",
            "--merge",
            path_str(&a),
            path_str(&a),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("the same summary as"), "{err}");
    let single = run(&["scan", "--merge", path_str(&a), "--format", "json"], None);
    assert_eq!(stdout(&o), stdout(&single));
    // The same input in a summary that is not byte for byte the same (another format flag,
    // another run): merged, with the overlap named.
    let b = dir.path().join("b.json");
    let mut v: Value = serde_json::from_slice(&one).unwrap();
    v.as_object_mut()
        .unwrap()
        .insert("note".into(), "copy".into());
    std::fs::write(&b, serde_json::to_vec(&v).unwrap()).unwrap();
    let o = run(
        &[
            "scan",
            "--merge",
            path_str(&a),
            path_str(&b),
            "--format",
            "json",
        ],
        None,
    );
    let err = stderr(&o);
    assert!(
        err.contains("was read by") && err.contains("counts twice"),
        "{err}"
    );
}
