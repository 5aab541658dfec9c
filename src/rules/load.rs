//! Stage one of loading: parse each rules file (keeping file:line) and merge them, extras overriding by id.

use super::schema::RawFile;
use super::{Kind, Located, RuleSet};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use toml::Spanned;

/// One problem in a rules file, located at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LintError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Why the rules could not be loaded. Maps to exit code 2.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read rules directory {path}: {reason}")]
    Dir { path: String, reason: String },
    #[error("{}", render(.0))]
    Invalid(Vec<LintError>),
}

fn render(errors: &[LintError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(
        "{} problem(s) in the rules files:\n{}",
        errors.len(),
        lines.join("\n")
    )
}

impl RulesError {
    /// Every located problem (a directory error becomes one entry at line 0).
    pub fn errors(&self) -> Vec<LintError> {
        match self {
            RulesError::Dir { path, reason } => vec![LintError {
                file: path.clone(),
                line: 0,
                message: format!("cannot read: {reason}"),
            }],
            RulesError::Invalid(e) => e.clone(),
        }
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Byte offsets of every newline in `src`, in order.
fn newline_offsets(src: &str) -> Vec<usize> {
    src.bytes()
        .enumerate()
        .filter_map(|(i, b)| (b == b'\n').then_some(i))
        .collect()
}

/// Parses one file; a syntax or type error names the line it points at.
pub(crate) fn parse_file(file: &str, src: &str) -> Result<RawFile, LintError> {
    toml::from_str::<RawFile>(src).map_err(|e| LintError {
        file: file.to_string(),
        line: e.span().map(|s| line_of(src, s.start)).unwrap_or(1),
        message: e.message().trim().to_string(),
    })
}

/// Reads every `*.toml` of an extra rules directory, sorted by name so the order is stable.
pub(crate) fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, RulesError> {
    let dir_err = |e: std::io::Error| RulesError::Dir {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(dir_err)? {
        let path = entry.map_err(dir_err)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| RulesError::Dir {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        files.push((path.display().to_string(), text));
    }
    Ok(files)
}

/// Something with a stable id.
pub(crate) trait HasId {
    fn id(&self) -> &str;
}

macro_rules! has_id {
    ($($t:ty),*) => { $(impl HasId for $t { fn id(&self) -> &str { &self.id } })* };
}
use super::schema::*;
has_id!(
    ClassRule,
    SubjectDigitRule,
    BasicRule,
    EnhancedClassRule,
    EnhancedSubjectRule,
    EnhancedRule,
    HandlingRule,
    Provider,
    ProviderRule,
    FindingRule,
    PlanStep,
    Escalation,
    Sender
);

/// Where an id was first defined, to report duplicates and apply overrides.
struct Seen {
    kind: Kind,
    file: String,
    line: usize,
    builtin: bool,
}

/// Merges parsed files into rule lists: built-ins first, then extras that add or override by id.
#[derive(Default)]
pub(crate) struct Merger {
    seen: HashMap<String, Seen>,
    pub errors: Vec<LintError>,
}

impl Merger {
    fn add<T: HasId>(
        &mut self,
        list: &mut Vec<Located<T>>,
        kind: Kind,
        items: Vec<Spanned<T>>,
        file: &str,
        src: &str,
        builtin: bool,
    ) {
        let newlines: Vec<usize> = newline_offsets(src);
        for item in items {
            // Counting newlines from the start for every rule was quadratic in the file size.
            let line = newlines.partition_point(|&n| n < item.span().start) + 1;
            let rule = item.into_inner();
            let id = rule.id().to_string();
            let here = Located {
                file: file.to_string(),
                line,
                rule,
            };
            match self.seen.get(&id) {
                None => {
                    self.seen.insert(
                        id,
                        Seen {
                            kind,
                            file: file.to_string(),
                            line,
                            builtin,
                        },
                    );
                    list.push(here);
                }
                Some(prev) if prev.builtin && !builtin && prev.kind == kind => {
                    // An extra file overrides a built-in rule in place, keeping its order.
                    if let Some(slot) = list.iter_mut().find(|l| l.rule.id() == id) {
                        *slot = here;
                    }
                    self.seen.insert(
                        id,
                        Seen {
                            kind,
                            file: file.to_string(),
                            line,
                            builtin: false,
                        },
                    );
                }
                Some(prev) => {
                    let message = if prev.kind == kind {
                        format!(
                            "duplicate id `{id}` (already defined at {}:{})",
                            prev.file, prev.line
                        )
                    } else {
                        format!(
                            "id `{id}` is a {} here but a {} at {}:{}",
                            kind.as_str(),
                            prev.kind.as_str(),
                            prev.file,
                            prev.line
                        )
                    };
                    self.errors.push(LintError {
                        file: file.to_string(),
                        line,
                        message,
                    });
                }
            }
        }
    }

    /// Adds one parsed file to the set.
    pub(crate) fn merge(
        &mut self,
        set: &mut RuleSet,
        raw: RawFile,
        file: &str,
        src: &str,
        builtin: bool,
    ) {
        self.add(&mut set.classes, Kind::Class, raw.class, file, src, builtin);
        self.add(
            &mut set.subject_digits,
            Kind::SubjectDigit,
            raw.subject_digit,
            file,
            src,
            builtin,
        );
        self.add(&mut set.basics, Kind::Basic, raw.basic, file, src, builtin);
        self.add(
            &mut set.enhanced_classes,
            Kind::EnhancedClass,
            raw.enhanced_class,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.enhanced_subjects,
            Kind::EnhancedSubject,
            raw.enhanced_subject,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.enhanced,
            Kind::Enhanced,
            raw.enhanced,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.handling,
            Kind::Handling,
            raw.handling,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.providers,
            Kind::Provider,
            raw.provider,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.provider_rules,
            Kind::ProviderRule,
            raw.provider_rule,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.phrases,
            Kind::Phrase,
            raw.phrase,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.findings,
            Kind::Finding,
            raw.finding,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.plan_steps,
            Kind::PlanStep,
            raw.plan_step,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.no_cause_reasons,
            Kind::NoCauseReason,
            raw.no_cause_reason,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.messages,
            Kind::Message,
            raw.message,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.escalations,
            Kind::Escalation,
            raw.escalation,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.senders,
            Kind::Sender,
            raw.sender,
            file,
            src,
            builtin,
        );
        self.add(
            &mut set.suppression,
            Kind::Suppression,
            raw.suppression,
            file,
            src,
            builtin,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_become_one_based_lines() {
        let src = "a\nbb\n\nc";
        assert_eq!(line_of(src, 0), 1);
        assert_eq!(line_of(src, 2), 2);
        assert_eq!(line_of(src, 6), 4);
        assert_eq!(line_of(src, 999), 4, "offsets past the end clamp");
    }
}
