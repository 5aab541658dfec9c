//! A check is its own module and one line of the registry list (issue 16, item 4): outside the
//! blocklist check's own files, no source file under src/ names it except that line.
//!
//! Every line of src/ that says "blocklist" (any case) is read. A line in the check's own files
//! passes; any other must be named in `ALLOWED` (file and text) with why it is no part of the
//! check: the registry line, the module declaration, the decoder's own word "blocklist" (a reply
//! category and a reply action's label, which predate the check) or prose. `NOT_YET` would name
//! lines that still wire the check by name (a debt that may only shrink): it is empty, since the
//! rules loader reads the check's table through its registry line. An entry that matches no
//! line fails too, so the lists stay exact.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The check's own files (relative to src/): its module, whose entry is
/// `checks/blocklist/entry.rs` and whose `knowledge.rs` is the typed schema and validator of its
/// rules file, rules/blocklists.toml (mounted into the loader by the registry line).
const OWN: &[&str] = &["checks/blocklist/"];

/// (file, text of the line, why it is allowed).
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "finding.rs",
        "Blocklist = \"blocklist\": crate::checks::blocklist::entry::Blocklist,",
        "the one registry line: the check's variant, name and entry",
    ),
    (
        "finding.rs",
        "\"DNS blocklists and allow lists:",
        "the same registry entry's --only help, wrapped onto a second line",
    ),
    (
        "finding.rs",
        "{ knowledge blocklist: \"../checks/blocklist/knowledge.rs\" },",
        "the same registry entry's table: the module that types and checks its rules file",
    ),
    (
        "checks/mod.rs",
        "pub mod blocklist;",
        "the module declaration: Rust compiles no file that is not declared",
    ),
    (
        "rules/vocab.rs",
        "Blocklist = \"blocklist\": \"The sending IP or domain is on a blocklist.\"",
        "the reply category `blocklist` of the decoding vocabulary (predates the check)",
    ),
    (
        "rules/vocab.rs",
        "&[\"tls\", \"blocklist\", \"arc\"];",
        "the decoder's word a reply may implicate (it predates the check, which takes it over)",
    ),
    (
        "rules/vocab.rs",
        "implicates `blocklist` then runs the blocklist check), so adding a check leaves this list",
        "prose: the doc comment of that list",
    ),
    (
        "rules/vocab.rs",
        "Category::parse(\"Blocklist\")",
        "a test of the category parser",
    ),
    (
        "rules/knowledge.rs",
        "(\"action-request-delisting\", \"blocklist\")",
        "the label of the request-delisting reply action's plan step (like \"rate\", \"list\")",
    ),
    (
        "rules/knowledge.rs",
        "a blocklist operator named by a rule's `escalation`",
        "escalation targets of reply rules (decoding)",
    ),
    (
        "rules/knowledge.rs",
        "(e.g. \"blocklist\")",
        "an example category of the escalation table",
    ),
    (
        "rules/types.rs",
        "/// Blocklist codes: request delisting.",
        "a reply action's doc",
    ),
    (
        "rules/types.rs",
        "reverse-dns, blocklist,",
        "the reply categories in a doc comment",
    ),
    (
        "rules/types.rs",
        "tls, blocklist, ...",
        "the words a reply rule's `checks` may hold, in a doc comment",
    ),
    (
        "rules/embedded.rs",
        "escalation-blocklists.toml",
        "the escalation entries of list operators (decoding's escalation, not the check)",
    ),
    (
        "rules/mechanism.rs",
        "a blocklist ...) a reply's own words blame",
        "the mechanisms a reply's words blame (decoding)",
    ),
    (
        "rules/mechanism.rs",
        "(\"your IP is not listed on any blocklist\")",
        "an example reply",
    ),
    (
        "rules/schema.rs",
        "reverse DNS, a blocklist ...) and the words",
        "the mechanisms a reply's words blame (decoding)",
    ),
    (
        "plan/types.rs",
        "a blocklist listing), not something in DNS.",
        "the kinds of reply that are their own cause, in a doc comment",
    ),
    (
        "plan/escalation.rs",
        "d.category.eq_ignore_ascii_case(\"blocklist\")",
        "the escalation trigger of the reply category",
    ),
    (
        "plan/escalation.rs",
        "\"escalation-trigger-blocklist\"",
        "that trigger's message",
    ),
    (
        "reply/body.rs",
        "sender listed at a blocklist",
        "a test reply",
    ),
    (
        "scan/summary.rs",
        "reverse-DNS or blocklist failure.",
        "scan's summary of reply categories",
    ),
    (
        "scan/summary.rs",
        "category == \"blocklist\"",
        "scan's summary of reply categories",
    ),
    (
        "report/human/scan.rs",
        "reverse-DNS or blocklist failures",
        "scan's summary of reply categories",
    ),
    (
        "report/markdown/scan.rs",
        "reverse-DNS or blocklist failures.",
        "scan's summary of reply categories",
    ),
];

/// Lines of the rules loader that still wire the check's table by name: none since the
/// loader reads a check's table through its registry line (`rules::check_tables`). Kept, empty,
/// so that a debt has to be written down here (and can only shrink) rather than slip in.
const NOT_YET: &[(&str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as (path relative to src/ with `/`, text).
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(src()).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// Lines outside the check's own files that name it: (file, line number, text).
fn mentions() -> Vec<(String, usize, String)> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    assert!(files.len() > 100, "{} files under src/", files.len());
    let mut out = Vec::new();
    for (file, text) in files {
        if OWN.iter().any(|own| file.starts_with(own)) {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            if line.to_ascii_lowercase().contains("blocklist") {
                out.push((file.clone(), n + 1, line.to_string()));
            }
        }
    }
    out
}

#[test]
fn only_the_registry_line_names_the_blocklist_check_outside_its_files() {
    let found = mentions();
    let listed = ALLOWED
        .iter()
        .map(|(f, t, _)| (*f, *t))
        .chain(NOT_YET.iter().copied());
    let mut used = vec![false; ALLOWED.len() + NOT_YET.len()];
    let mut unexplained = Vec::new();
    for (file, n, line) in &found {
        match listed
            .clone()
            .position(|(f, t)| f == file && line.contains(t))
        {
            Some(i) => used[i] = true,
            None => unexplained.push(format!("src/{file}:{n}: {}", line.trim())),
        }
    }
    assert!(
        unexplained.is_empty(),
        "the blocklist check is named outside its module and its registry line (move it \
         behind a DnsCheck hook, or say in ALLOWED why it is not the check):\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<String> = listed
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((f, t), _)| format!("src/{f}: {t}"))
        .collect();
    assert!(
        stale.is_empty(),
        "allowed mentions that no longer exist (remove them from the lists):\n{}",
        stale.join("\n")
    );
}

/// The registry line is the only place the check joins the crate: the registry, `Check` and
/// `--only` all have it, from that one line.
#[test]
fn the_registry_line_gives_the_check_its_name_entry_and_help() {
    use clap::ValueEnum;
    let c = mailtriage::finding::Check::parse("blocklist").unwrap();
    assert_eq!(c.as_str(), "blocklist");
    assert!(mailtriage::checks::REGISTRY.iter().any(|e| e.check() == c));
    let help = c
        .to_possible_value()
        .unwrap()
        .get_help()
        .unwrap()
        .to_string();
    assert!(help.starts_with("DNS blocklists and allow lists"), "{help}");
}
