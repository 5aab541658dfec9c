//! Loading's two stages over a list of files: stage one (parse, or the build's precompiled
//! tables) file by file, merged in order, then stage two over the merged set. Shared with
//! build.rs, which runs it over the built-in files so that a broken rule fails the build.

use super::load::{self, LintError, RawFile};
use super::set::RuleSet;
use std::collections::HashSet;

/// One rules file to load.
pub(crate) struct Source<'a> {
    pub file: &'a str,
    /// A built-in file (trusted: its patterns are not re-parsed unless an extra file shares
    /// its name).
    pub builtin: bool,
    pub body: Body<'a>,
}

/// What a file holds: its TOML text, or the tables the build already read from it.
pub(crate) enum Body<'a> {
    Toml(&'a str),
    Parsed(Box<RawFile>),
}

impl RuleSet {
    /// Stage one for each file (in order; later files override earlier ones by id), then
    /// stage two over the merged set. Problems are listed file by file, by line.
    pub(crate) fn assemble<'a>(
        sources: impl IntoIterator<Item = Source<'a>>,
    ) -> (RuleSet, Vec<LintError>) {
        let sources: Vec<Source<'a>> = sources.into_iter().collect();
        let mut set = RuleSet::default();
        let mut merger = load::Merger::default();
        // Built-in files read from TOML (`rules lint`, the build) are checked for duplicate
        // ids like any other; the precompiled ones were, by the build.
        merger.builtin_only = sources
            .iter()
            .all(|s| s.builtin && matches!(s.body, Body::Parsed(_)));
        let mut errors = Vec::new();
        let mut order: Vec<&str> = Vec::new();
        // Built-in files whose names no extra file shares: their patterns are not re-parsed.
        let mut builtin_files: Vec<&str> = Vec::new();
        let mut extra_files: Vec<&str> = Vec::new();
        for source in sources {
            let file = source.file;
            order.push(file);
            if source.builtin {
                builtin_files.push(file);
            } else {
                extra_files.push(file);
            }
            let raw = match source.body {
                Body::Toml(text) => load::parse_file(file, text, &mut errors),
                Body::Parsed(raw) => *raw,
            };
            merger.merge(&mut set, raw, file, source.builtin);
        }
        let precompiled_only = merger.builtin_only;
        errors.append(&mut merger.errors);
        let trusted: HashSet<&str> = builtin_files
            .into_iter()
            .filter(|f| !extra_files.contains(f))
            .collect();
        // Stage two only reads the set, but for the automata it builds: the build ran it over
        // the same tables (from their TOML) and stops on any problem, so the precompiled
        // built-ins alone are not checked again in every run (and `Tables::Reply`'s, without
        // examples or the knowledge tables, could not be).
        if precompiled_only {
            super::validate::compile_validated(&mut set);
        } else {
            super::validate::validate(&mut set, &mut errors, &trusted);
            super::validate_knowledge::validate(&set, &mut errors);
        }
        let rank = |file: &str| order.iter().position(|f| *f == file).unwrap_or(usize::MAX);
        errors.sort_by_key(|e| (rank(&e.file), e.line));
        (set, errors)
    }

    /// Patterns that parse but do not compile (the size limit): loading defers compiling, linting
    /// does not.
    pub(crate) fn pattern_compile_errors(&self) -> Vec<LintError> {
        self.lazy_patterns()
            .filter_map(|(file, line, id, re)| {
                re.compile_error().map(|e| LintError {
                    file: file.to_string(),
                    line,
                    message: format!("rule `{id}`: pattern does not compile: {e}"),
                })
            })
            .collect()
    }

    /// Every pattern of the set compiled on first use: its file, line and rule id, and itself.
    pub(crate) fn lazy_patterns(
        &self,
    ) -> impl Iterator<Item = (&str, usize, &str, &super::lazy_regex::LazyRegex)> {
        let providers = self
            .providers
            .iter()
            .zip(&self.provider_patterns)
            .flat_map(|(l, p)| {
                p.regexes()
                    .map(move |re| (l.file.as_str(), l.line, l.rule.id.as_str(), re))
            });
        let rules = self
            .provider_rules
            .iter()
            .zip(&self.rule_regexes)
            .chain(self.phrases.iter().zip(&self.phrase_regexes))
            .filter_map(|(l, re)| {
                re.as_ref()
                    .map(|re| (l.file.as_str(), l.line, l.rule.id.as_str(), re))
            });
        let vocabulary = self
            .mechanisms
            .iter()
            .map(|l| (l.file.as_str(), l.line, l.rule.id.as_str()))
            .zip(self.vocabulary.mechanism_regexes())
            .chain(
                self.mechanism_cues
                    .iter()
                    .map(|l| (l.file.as_str(), l.line, l.rule.id.as_str()))
                    .zip(self.vocabulary.cue_regexes()),
            )
            .map(|((file, line, id), re)| (file, line, id, re));
        providers.chain(rules).chain(vocabulary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::embedded::BUILTIN;

    /// The built-in files as build.rs reads them, with `edit` applied to one of them.
    fn builtin_with(file: &str, edit: impl Fn(&str) -> String) -> Vec<(&'static str, String)> {
        BUILTIN
            .iter()
            .map(|(f, text)| {
                (
                    *f,
                    if *f == file {
                        edit(text)
                    } else {
                        text.to_string()
                    },
                )
            })
            .collect()
    }

    /// What build.rs stops on: the same stages over the built-in files' TOML.
    fn build_errors(files: &[(&'static str, String)]) -> Vec<String> {
        let sources = files.iter().map(|(file, text)| Source {
            file,
            builtin: true,
            body: Body::Toml(text),
        });
        let (set, mut errors) = RuleSet::assemble(sources);
        errors.extend(set.pattern_compile_errors());
        errors.iter().map(ToString::to_string).collect()
    }

    /// A run skips stage two for the precompiled built-ins because the build ran it: a broken
    /// built-in rule (an id, a source, an example, a pattern, a reference between tables)
    /// is what build.rs reports and stops on, at its file:line, and the shipped ones pass.
    #[test]
    fn a_broken_builtin_rule_stops_the_build() {
        let all = |f: &str| builtin_with(f, str::to_string);
        assert_eq!(build_errors(&all("rules/basic.toml")), Vec::<String>::new());
        let cases: [(&str, &str, &str, &str); 5] = [
            (
                "rules/basic.toml",
                "id = \"class-2\"",
                "id = \"Class_2\"",
                "not kebab-case",
            ),
            (
                "rules/basic.toml",
                "source = \"RFC 5321 section 4.2.1\"",
                "source = \"\"",
                "empty `source`",
            ),
            (
                "rules/phrases.toml",
                r"pattern = '(?i)\bspamhaus\b'",
                r"pattern = '(?i)\bspamhaus(\b'",
                "does not compile",
            ),
            (
                "rules/phrases.toml",
                "examples = [",
                "not_examples = [",
                "unknown field",
            ),
            (
                "rules/provider-gmail.toml",
                "provider = \"gmail\"",
                "provider = \"gmial\"",
                "is not defined by any [[provider]]",
            ),
        ];
        for (file, from, to, want) in cases {
            let files = builtin_with(file, |t| t.replacen(from, to, 1));
            let errors = build_errors(&files);
            assert!(
                errors
                    .iter()
                    .any(|e| e.starts_with(file) && e.contains(want)),
                "{file}: {from} -> {to}: {errors:?}"
            );
        }
    }
}
