//! Reads and validates the built-in rules (rules/*.toml) at build time, with the loader's own
//! code, and writes each file's typed tables in postcard for the binary to load instead of
//! parsing TOML in every run (src/rules/precompiled.rs). A problem in them fails the build
//! with its file:line, as `mailtriage rules lint` would report it.

// What the library does not use here is unused; lints that spare the library's public API
// (`Rule::ProviderRule`) apply to these private copies.
#![allow(dead_code, unused_imports, clippy::enum_variant_names)]

#[path = "src/ascii_dfa.rs"]
mod ascii_dfa;
#[path = "src/ascii_fold.rs"]
mod ascii_fold;
#[path = "src/ascii_standin.rs"]
mod ascii_standin;
#[path = "src/standin_text.rs"]
mod standin_text;

/// What this script writes is not there yet: every pattern is compiled.
mod builtin_dfas {
    pub(crate) fn get(_: &str) -> Option<&'static [u8]> {
        None
    }
    pub(crate) fn stand_ins(_: &str) -> Option<crate::ascii_standin::StandIns> {
        None
    }
    pub(crate) fn category(_: char) -> u8 {
        crate::ascii_standin::OTHER
    }
}
#[path = "src/finding.rs"]
mod finding;
#[path = "src/match_only.rs"]
mod match_only;
#[path = "src/reply/pattern_source.rs"]
mod pattern_source;
#[path = "src/shared_search.rs"]
mod shared_search;
#[path = "src/reply/word_source.rs"]
mod word_source;

/// The loader's modules, compiled into the build script as they are into the crate.
mod rules {
    #[path = "../src/rules/assemble.rs"]
    pub mod assemble;
    #[path = "../src/rules/check_tables.rs"]
    pub mod check_tables;
    #[path = "../src/rules/embedded.rs"]
    pub mod embedded;
    #[path = "../src/rules/fingerprints.rs"]
    pub mod fingerprints;
    #[path = "../src/rules/knowledge.rs"]
    pub mod knowledge;
    #[path = "../src/rules/lazy_regex.rs"]
    pub mod lazy_regex;
    #[path = "../src/rules/load.rs"]
    pub mod load;
    #[path = "../src/rules/located.rs"]
    pub mod located;
    #[path = "../src/rules/marker_filter.rs"]
    pub mod marker_filter;
    #[path = "../src/rules/recase.rs"]
    pub mod recase;
    #[path = "../src/rules/schema.rs"]
    pub mod schema;
    #[path = "../src/rules/set.rs"]
    pub mod set;
    #[path = "../src/rules/tables.rs"]
    pub mod tables;
    #[path = "../src/rules/types.rs"]
    pub mod types;
    #[path = "../src/rules/validate.rs"]
    pub mod validate;
    #[path = "../src/rules/validate_knowledge.rs"]
    pub mod validate_knowledge;
    #[path = "../src/rules/vocab.rs"]
    pub mod vocab;
    #[path = "../src/rules/vocabulary.rs"]
    pub mod vocabulary;

    /// The binary looks a pattern's literals up in what this script writes; here they are
    /// read from the pattern.
    pub mod builtin_literals {
        pub(crate) use super::marker_filter::required_literals;

        /// `builtin_literals::digest` (that module includes what this script writes).
        pub(crate) fn digest(pattern: &str) -> u64 {
            pattern.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        }
    }
}

use rules::assemble::{Body, Source};
use rules::embedded::BUILTIN;
use rules::load::{RawFile, parse_file};
use rules::set::RuleSet;
use std::path::PathBuf;

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=src/rules");
    println!("cargo::rerun-if-changed=src/finding.rs");
    // The constant extraction patterns are read from where they are used (`pattern_source`).
    println!("cargo::rerun-if-changed={}", pattern_source::DIR);
    for f in pattern_source::FILES {
        println!("cargo::rerun-if-changed={f}");
    }
    let parsed: Vec<(&str, RawFile)> = BUILTIN
        .iter()
        .map(|(file, text)| (*file, parse_file(file, text, &mut Vec::new())))
        .collect();
    // Each file twice: every table (`Tables::All`), and what decoding a reply reads without
    // the examples (`Tables::Reply`, `explain`'s start-up).
    let mut encoded: Vec<(&str, Vec<u8>, Vec<u8>)> = Vec::new();
    for (file, raw) in &parsed {
        let all = postcard::to_allocvec(raw);
        let reply = postcard::to_allocvec(&raw.reply_part());
        match (all, reply) {
            (Ok(all), Ok(reply)) => encoded.push((file, all, reply)),
            (Err(e), _) | (_, Err(e)) => fail(&[format!("{file}: cannot encode its tables: {e}")]),
        }
    }
    // The same two stages and pattern compilation as `rules lint` of the built-in rules (from
    // the TOML, so that duplicate ids across files are looked for too).
    let sources = BUILTIN.iter().map(|(file, text)| Source {
        file,
        builtin: true,
        body: Body::Toml(text),
    });
    let (set, mut errors) = RuleSet::assemble(sources);
    errors.extend(set.pattern_compile_errors());
    if !errors.is_empty() {
        fail(&errors.iter().map(ToString::to_string).collect::<Vec<_>>());
    }
    // The decoder's word lists (rules/words.toml), written as `reply::word_patterns`' constants.
    let words = word_source::parse(rules::embedded::WORDS.1).unwrap_or_else(|p| fail(&p));
    write_out(
        "word-patterns.rs",
        word_source::rust_source(&words).as_bytes(),
    );
    let (literals, index, dfas) = literals_source(&set, &words);
    write_out("builtin-literals.rs", literals.as_bytes());
    write_out("builtin-dfas.rs", index.as_bytes());
    write_out("builtin-dfas.bin", &dfas);
    let (index, dfas) = reverse_source();
    write_out("builtin-rev-dfas.rs", index.as_bytes());
    write_out("builtin-rev-dfas.bin", &dfas);
    let (stand_ins, specials, categories) = stand_ins_source(&set, &words);
    write_out("builtin-standins.rs", stand_ins.as_bytes());
    write_out("builtin-specials.rs", specials.as_bytes());
    write_out("builtin-categories.rs", categories.as_bytes());
    let digest = format!(
        "{:016x}",
        rules::embedded::digest(&rules::embedded::versioned())
    );
    write_out("rules-digest.txt", digest.as_bytes());
    let borrowed: Vec<(&str, u64, &[u8], &[u8])> = encoded
        .iter()
        .zip(BUILTIN)
        .map(|((f, all, reply), (_, text))| {
            (*f, text.len() as u64, all.as_slice(), reply.as_slice())
        })
        .collect();
    let bytes = match postcard::to_allocvec(&borrowed) {
        Ok(b) => b,
        Err(e) => fail(&[format!("cannot encode the built-in rules: {e}")]),
    };
    write_out("builtin-rules.postcard", &bytes);
}

/// Writes one of the build's outputs into OUT_DIR.
fn write_out(name: &str, bytes: &[u8]) {
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        fail(&["OUT_DIR is not set".to_string()]);
    };
    if let Err(e) = std::fs::write(out.join(name), bytes) {
        fail(&[format!("cannot write {name}: {e}")]);
    }
}

/// Every pattern the set compiles on first use, every mechanism word, every constant word
/// pattern and every constant extraction pattern, with its digest and required literals,
/// sorted by digest then pattern, as the Rust expression `builtin_literals::LITERALS` includes;
/// the same rows with the place of each one's automaton for ASCII texts in the third result,
/// for those that have one, as `builtin_dfas::INDEX` includes them; and those automata
/// (`ascii_dfa::bytes`), each at a multiple of four bytes, as `builtin_dfas::DFAS` includes them.
fn literals_source(set: &RuleSet, words: &[word_source::WordList]) -> (String, String, Vec<u8>) {
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    let mut dfas: Vec<u8> = Vec::new();
    let mut patterns: Vec<&str> = set.lazy_patterns().map(|(.., re)| re.pattern()).collect();
    // The mechanism words one by one too: `Vocabulary::names_any` reads theirs.
    patterns.extend(
        set.mechanisms
            .iter()
            .flat_map(|l| l.rule.words.iter().map(String::as_str)),
    );
    // And the word patterns of `reply::prefilter::Words`, for their automata.
    let words: Vec<String> = words.iter().map(word_source::WordList::joined).collect();
    patterns.extend(words.iter().map(String::as_str));
    // And the constant extraction patterns (`reply::constant_regex`), for theirs.
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let constants = pattern_source::read(&root);
    patterns.extend(constants.iter().map(String::as_str));
    let mut rows: Vec<(u64, &str)> = patterns
        .into_iter()
        .map(|p| (rules::builtin_literals::digest(p), p))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let mut index = String::from("&[\n");
    let rows: Vec<String> = rows
        .into_iter()
        .map(|(digest, p)| {
            let literals = rules::marker_filter::required_literals(p);
            if let Some(bytes) = ascii_dfa::bytes(p, big_endian) {
                let at = dfas.len();
                dfas.extend_from_slice(&bytes);
                dfas.resize(dfas.len().next_multiple_of(4), 0);
                index.push_str(&format!("({digest}, {p:?}, {at}, {}),\n", bytes.len()));
            }
            format!(
                "({digest}, {p:?}, {}),\n",
                rules::marker_filter::source_of(&literals)
            )
        })
        .collect();
    index.push_str("]\n");
    (format!("&[\n{}]\n", rows.concat()), index, dfas)
}

/// The reverse automata for ASCII texts (`ascii_dfa::reverse_bytes`) of the constant extraction
/// patterns (`reply::constant_regex`, which finds where their matches start with them), as
/// rows sorted by digest then pattern for `builtin_dfas::REV_INDEX`, and the automata, each at
/// a multiple of four bytes, for `builtin_dfas::REV_DFAS`.
fn reverse_source() -> (String, Vec<u8>) {
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let mut rows: Vec<(u64, String)> = pattern_source::read(&root)
        .into_iter()
        .map(|p| (rules::builtin_literals::digest(&p), p))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let mut dfas: Vec<u8> = Vec::new();
    let mut index = String::from("&[\n");
    for (digest, p) in &rows {
        if let Some(bytes) = ascii_dfa::reverse_bytes(p, big_endian) {
            let at = dfas.len();
            dfas.extend_from_slice(&bytes);
            dfas.resize(dfas.len().next_multiple_of(4), 0);
            index.push_str(&format!("({digest}, {p:?}, {at}, {}),\n", bytes.len()));
        }
    }
    index.push_str("]\n");
    (index, dfas)
}

/// The ASCII stand-ins (`ascii_standin`) of every pattern that has an automaton for ASCII
/// texts, and of the variants of them with ASCII word boundaries that the binary asks its
/// automaton about (`prefilter::Words`, the fingerprints' `ascii_boundaries`), as rows sorted by
/// digest then pattern for `builtin_dfas::STAND_INS`; their special characters for
/// `builtin_dfas::SPECIALS`; and the categories of characters for `builtin_dfas::CATEGORIES`.
fn stand_ins_source(set: &RuleSet, words: &[word_source::WordList]) -> (String, String, String) {
    let sets = ascii_standin::category_sets();
    let mut patterns: Vec<String> = set
        .lazy_patterns()
        .map(|(.., re)| re.pattern().to_string())
        .collect();
    patterns.extend(
        set.mechanisms
            .iter()
            .flat_map(|l| l.rule.words.iter().cloned()),
    );
    patterns.extend(words.iter().map(word_source::WordList::joined));
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    patterns.extend(pattern_source::read(&root));
    let variants: Vec<String> = patterns
        .iter()
        .flat_map(|p| {
            [
                p.replace(r"\b", r"(?-u:\b)"),
                rules::fingerprints::ascii_boundaries(p),
            ]
        })
        .collect();
    patterns.extend(variants);
    let mut rows: Vec<(u64, String)> = patterns
        .into_iter()
        .map(|p| (rules::builtin_literals::digest(&p), p))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let mut index = String::from("&[\n");
    let mut specials = String::from("&[\n");
    let mut at = 0usize;
    for (digest, p) in &rows {
        let Some(s) = ascii_standin::analyze(p, &sets) else {
            continue;
        };
        index.push_str(&format!(
            "({digest}, {p:?}, {:?}, {at}, {}),\n",
            s.reps,
            s.specials.len()
        ));
        for (lo, hi) in &s.specials {
            specials.push_str(&format!("({lo}, {hi}),"));
        }
        specials.push('\n');
        at += s.specials.len();
    }
    index.push_str("]\n");
    specials.push_str("]\n");
    let mut categories = String::from("&[\n");
    for (lo, hi, k) in ascii_standin::category_ranges() {
        categories.push_str(&format!("({lo}, {hi}, {k}),\n"));
    }
    categories.push_str("]\n");
    (index, specials, categories)
}

/// Stops the build, each problem on a line of its own (file:line: message).
#[allow(clippy::print_stderr)]
fn fail(problems: &[String]) -> ! {
    eprintln!("{} problem(s) in the built-in rules files:", problems.len());
    for p in problems {
        eprintln!("{p}");
    }
    std::process::exit(1);
}
