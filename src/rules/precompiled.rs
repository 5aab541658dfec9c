//! The built-in rules as build.rs read and validated them: each file's typed tables (stage
//! one), in postcard, loaded instead of parsing 490 KB of TOML in every run.

use super::assemble::{Body, Source};
use super::embedded::BUILTIN;
use super::load::RawFile;
use super::tables::Tables;

/// Written by build.rs: `Vec<(file name, length of its text, postcard of its RawFile, postcard
/// of its reply part)>` in `embedded::BUILTIN` order, so one file is read without decoding
/// the others.
static TABLES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin-rules.postcard"));

/// Each built-in file's encoded tables for `tables`, borrowed from the binary.
fn encoded(tables: Tables) -> Option<Vec<(&'static str, &'static [u8])>> {
    let files: Vec<(&str, u64, &[u8], &[u8])> = postcard::from_bytes(TABLES).ok()?;
    // Tables of other texts (an OUT_DIR left from an interrupted build) are not used.
    let same = files.len() == BUILTIN.len()
        && files
            .iter()
            .zip(BUILTIN)
            .all(|((a, len, ..), (b, text))| a == b && *len == text.len() as u64);
    same.then(|| {
        files
            .into_iter()
            .map(|(f, _, all, reply)| match tables {
                Tables::All => (f, all),
                Tables::Reply => (f, reply),
            })
            .collect()
    })
}

fn decode(bytes: &[u8]) -> Option<RawFile> {
    postcard::from_bytes(bytes).ok()
}

/// The built-in files as sources for `RuleSet::assemble`: the precompiled tables, or, should
/// they not decode (a build that did not write them from these files), the TOML texts (all
/// of them: the set is then `Tables::All` whatever was asked, which only costs time).
pub(crate) fn sources(tables: Tables) -> Vec<Source<'static>> {
    let toml = || {
        BUILTIN
            .iter()
            .map(|(file, text)| Source {
                file,
                builtin: true,
                body: Body::Toml(text),
            })
            .collect()
    };
    let Some(files) = encoded(tables) else {
        return toml();
    };
    let parsed: Option<Vec<Source<'static>>> = files
        .into_iter()
        .map(|(file, bytes)| {
            decode(bytes).map(|raw| Source {
                file,
                builtin: true,
                body: Body::Parsed(Box::new(raw)),
            })
        })
        .collect();
    parsed.unwrap_or_else(toml)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the binary loads is what the TOML says: every file's precompiled tables decode and
    /// equal the tables parsed from its text (every field and line).
    #[test]
    fn precompiled_tables_are_the_parsed_files() {
        let files = encoded(Tables::All).expect("the build wrote the precompiled rules");
        assert_eq!(files.len(), BUILTIN.len());
        for ((name, bytes), (file, text)) in files.iter().zip(BUILTIN) {
            assert_eq!(name, file);
            let mut errors = Vec::new();
            let parsed = super::super::load::parse_file(file, text, &mut errors);
            assert!(errors.is_empty(), "{errors:?}");
            let decoded = decode(bytes).expect("decodes");
            assert_eq!(format!("{decoded:?}"), format!("{parsed:?}"), "{file}");
        }
        for ((_, bytes), (file, text)) in
            encoded(Tables::Reply).expect("written").iter().zip(BUILTIN)
        {
            let parsed = super::super::load::parse_file(file, text, &mut Vec::new());
            let decoded = decode(bytes).expect("decodes");
            assert_eq!(
                format!("{decoded:?}"),
                format!("{:?}", parsed.reply_part()),
                "{file}"
            );
        }
    }

    /// The set loaded from them (merged without looking up ids) is the set loaded from the TOML.
    #[test]
    fn the_precompiled_set_is_the_toml_set() {
        let toml = BUILTIN.iter().map(|(file, text)| Source {
            file,
            builtin: true,
            body: Body::Toml(text),
        });
        let (from_toml, errors) = super::super::RuleSet::assemble(toml);
        assert!(errors.is_empty(), "{errors:?}");
        let (precompiled, errors) = super::super::RuleSet::assemble(sources(Tables::All));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(format!("{precompiled:?}"), format!("{from_toml:?}"));
    }

    /// `explain` decodes with `Tables::Reply`: every rule example and counter-example (the
    /// rules' real reply texts, read from the whole set) decodes to the same result, field for
    /// field, as with every table; the set holds none of the tables decoding never reads.
    #[test]
    fn the_reply_tables_decode_as_the_whole_set() {
        let all = super::super::RuleSet::load_for(None, Tables::All).expect("loads");
        let reply = super::super::RuleSet::load_for(None, Tables::Reply).expect("loads");
        assert_eq!(reply.tables, Tables::Reply);
        assert!(reply.findings.is_empty() && reply.plan_steps.is_empty());
        assert!(reply.escalations.is_empty() && reply.suppression.is_empty());
        assert!(reply.checks.rows().is_empty() && reply.senders.is_empty());
        assert!(reply.basics.iter().all(|l| l.rule.examples.is_empty()));
        assert_eq!(reply.provider_rules.len(), all.provider_rules.len());
        let mut texts: Vec<&str> = Vec::new();
        texts.extend(
            all.basics
                .iter()
                .flat_map(|l| &l.rule.examples)
                .map(String::as_str),
        );
        texts.extend(
            all.enhanced
                .iter()
                .flat_map(|l| &l.rule.examples)
                .map(String::as_str),
        );
        for l in all.provider_rules.iter().chain(&all.phrases) {
            texts.extend(l.rule.examples.iter().map(String::as_str));
        }
        for l in &all.mechanisms {
            texts.extend(
                l.rule
                    .examples
                    .iter()
                    .chain(&l.rule.not_examples)
                    .map(String::as_str),
            );
        }
        assert!(texts.len() > 600, "{}", texts.len());
        let mut replies = 0;
        for text in texts {
            let Ok(x) = crate::reply::extract(text.as_bytes()) else {
                continue;
            };
            for r in &x.replies {
                let want = serde_json::to_string(&all.decode(r)).expect("serializes");
                let got = serde_json::to_string(&reply.decode(r)).expect("serializes");
                assert_eq!(got, want, "{text}");
                replies += 1;
            }
        }
        assert!(replies > 500, "{replies}");
    }
}
