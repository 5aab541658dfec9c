//! The built-in rules as build.rs read and validated them: each file's typed tables (stage
//! one), in postcard, loaded instead of parsing 490 KB of TOML in every run.

use super::assemble::{Body, Source};
use super::embedded::BUILTIN;
use super::load::RawFile;

/// Written by build.rs: `Vec<(file name, length of its text, postcard of its RawFile)>` in
/// `embedded::BUILTIN` order, so one file is read without decoding the others.
static TABLES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin-rules.postcard"));

/// Each built-in file's encoded tables, borrowed from the binary.
fn encoded() -> Option<Vec<(&'static str, &'static [u8])>> {
    let files: Vec<(&str, u64, &[u8])> = postcard::from_bytes(TABLES).ok()?;
    // Tables of other texts (an OUT_DIR left from an interrupted build) are not used.
    let same = files.len() == BUILTIN.len()
        && files
            .iter()
            .zip(BUILTIN)
            .all(|((a, len, _), (b, text))| a == b && *len == text.len() as u64);
    same.then(|| files.into_iter().map(|(f, _, b)| (f, b)).collect())
}

fn decode(bytes: &[u8]) -> Option<RawFile> {
    postcard::from_bytes(bytes).ok()
}

/// The built-in files as sources for `RuleSet::assemble`: the precompiled tables, or, should
/// they not decode (a build that did not write them from these files), the TOML texts.
pub(crate) fn sources() -> Vec<Source<'static>> {
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
    let Some(files) = encoded() else {
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
        let files = encoded().expect("the build wrote the precompiled rules");
        assert_eq!(files.len(), BUILTIN.len());
        for ((name, bytes), (file, text)) in files.iter().zip(BUILTIN) {
            assert_eq!(name, file);
            let mut errors = Vec::new();
            let parsed = super::super::load::parse_file(file, text, &mut errors);
            assert!(errors.is_empty(), "{errors:?}");
            let decoded = decode(bytes).expect("decodes");
            assert_eq!(format!("{decoded:?}"), format!("{parsed:?}"), "{file}");
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
        let (precompiled, errors) = super::super::RuleSet::assemble(sources());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(format!("{precompiled:?}"), format!("{from_toml:?}"));
    }
}
