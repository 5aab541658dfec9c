//! Stage one of loading: parse each rules file (keeping file:line) and merge them, extras overriding by id.

use super::check_tables::{AddRows, CheckRow, ReadRows};
use super::knowledge::*;
use super::schema::*;
use super::set::{Kind, Located, RuleSet};
use crate::finding::Check;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

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

/// Byte offsets of every newline in `src`, in order.
fn newline_offsets(src: &str) -> Vec<usize> {
    src.bytes()
        .enumerate()
        .filter_map(|(i, b)| (b == b'\n').then_some(i))
        .collect()
}

/// One rules file after stage one: every table of a known kind, typed, with the line of its
/// header.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct RawFile {
    pub class: Vec<(usize, ClassRule)>,
    pub subject_digit: Vec<(usize, SubjectDigitRule)>,
    pub basic: Vec<(usize, BasicRule)>,
    pub enhanced_class: Vec<(usize, EnhancedClassRule)>,
    pub enhanced_subject: Vec<(usize, EnhancedSubjectRule)>,
    pub enhanced: Vec<(usize, EnhancedRule)>,
    pub handling: Vec<(usize, HandlingRule)>,
    pub provider: Vec<(usize, Provider)>,
    pub provider_rule: Vec<(usize, ProviderRule)>,
    /// Provider-less rules that read the reply text (rules/phrases.toml); same fields, no `provider`.
    pub phrase: Vec<(usize, ProviderRule)>,
    pub finding: Vec<(usize, FindingRule)>,
    pub plan_step: Vec<(usize, PlanStepText)>,
    pub no_cause_reason: Vec<(usize, NoCauseReason)>,
    pub message: Vec<(usize, Message)>,
    pub escalation: Vec<(usize, EscalationRule)>,
    pub sender: Vec<(usize, SendingService)>,
    /// DKIM selectors to probe (rules/selectors.toml; see `rules::selectors`).
    pub dkim_selectors: Vec<(usize, DkimSelectorRule)>,
    /// The mechanism vocabulary (rules/mechanisms.toml): which words name which mechanism.
    pub mechanism: Vec<(usize, Mechanism)>,
    /// Words that tell whether a mention of a mechanism blames it (rules/mechanisms.toml).
    pub mechanism_cue: Vec<(usize, MechanismCue)>,
    /// Per-address decisions of `mailtriage scan` (rules/suppression.toml).
    pub suppression: Vec<(usize, SuppressionRule)>,
    /// The tables checks bring through their registry line (`check_tables`).
    pub checks: super::check_tables::RawTables,
}

/// A table's rows as they are, or with the examples left out.
#[allow(dead_code)] // only build.rs splits the files
fn rows<T: Clone>(rows: &[(usize, T)], strip: fn(&mut T)) -> Vec<(usize, T)> {
    rows.iter()
        .map(|(line, rule)| {
            let mut rule = rule.clone();
            strip(&mut rule);
            (*line, rule)
        })
        .collect()
}

#[allow(dead_code)]
fn keep<T>(_: &mut T) {}

impl RawFile {
    /// The part of this file that decoding a reply reads (`tables::Tables::Reply`): its
    /// tables, without the examples.
    #[allow(dead_code)] // only build.rs splits the files
    pub(crate) fn reply_part(&self) -> RawFile {
        RawFile {
            class: rows(&self.class, keep),
            subject_digit: rows(&self.subject_digit, keep),
            basic: rows(&self.basic, |r| r.examples = Vec::new()),
            enhanced_class: rows(&self.enhanced_class, keep),
            enhanced_subject: rows(&self.enhanced_subject, keep),
            enhanced: rows(&self.enhanced, |r| r.examples = Vec::new()),
            handling: rows(&self.handling, keep),
            provider: rows(&self.provider, keep),
            provider_rule: rows(&self.provider_rule, |r| r.examples = Vec::new()),
            phrase: rows(&self.phrase, |r| r.examples = Vec::new()),
            mechanism: rows(&self.mechanism, |r| {
                r.examples = Vec::new();
                r.not_examples = Vec::new();
            }),
            mechanism_cue: rows(&self.mechanism_cue, keep),
            ..RawFile::default()
        }
    }
}

/// 1-based lines of byte offsets, in one pass over the text.
struct Lines(Vec<usize>);

impl Lines {
    fn new(src: &str) -> Lines {
        Lines(newline_offsets(src))
    }

    fn of(&self, offset: usize) -> usize {
        // Counting newlines from the start for every table was quadratic in the file size.
        self.0.partition_point(|&n| n < offset) + 1
    }
}

/// Stage one: parses one file into typed tables. Every table is read on its own, so each
/// broken table is reported (at the line of the field or value at fault) and the others load.
pub(crate) fn parse_file(file: &str, src: &str, errors: &mut Vec<LintError>) -> RawFile {
    let lines = Lines::new(src);
    let mut raw = RawFile::default();
    let doc = match DeTable::parse(src) {
        Ok(doc) => doc.into_inner(),
        Err(e) => {
            errors.push(LintError {
                file: file.to_string(),
                line: e.span().map_or(1, |s| lines.of(s.start)),
                message: e.message().trim().to_string(),
            });
            return raw;
        }
    };
    let mut read = Reader {
        file,
        lines: &lines,
        errors,
    };
    for (key, value) in doc {
        let at = lines.of(key.span().start);
        let name: &str = key.get_ref();
        let DeValue::Array(items) = value.get_ref() else {
            read.error(
                at,
                format!("`{name}` must be an array of tables: write each one as [[{name}]]"),
            );
            continue;
        };
        match name {
            "class" => raw.class = read.tables(items),
            "subject_digit" => raw.subject_digit = read.tables(items),
            "basic" => raw.basic = read.tables(items),
            "enhanced_class" => raw.enhanced_class = read.tables(items),
            "enhanced_subject" => raw.enhanced_subject = read.tables(items),
            "enhanced" => raw.enhanced = read.tables(items),
            "handling" => raw.handling = read.tables(items),
            "provider" => raw.provider = read.tables(items),
            "provider_rule" => raw.provider_rule = read.tables(items),
            "phrase" => raw.phrase = read.tables(items),
            "finding" => raw.finding = read.tables(items),
            "plan_step" => raw.plan_step = read.tables(items),
            "no_cause_reason" => raw.no_cause_reason = read.tables(items),
            "message" => raw.message = read.tables(items),
            "escalation" => raw.escalation = read.tables(items),
            "sender" => raw.sender = read.tables(items),
            "dkim_selectors" => raw.dkim_selectors = read.tables(items),
            "mechanism" => raw.mechanism = read.tables(items),
            "mechanism_cue" => raw.mechanism_cue = read.tables(items),
            "suppression" => raw.suppression = read.tables(items),
            other
                if raw.checks.read(
                    other,
                    &mut Rows {
                        read: &mut read,
                        items,
                    },
                ) => {}
            other => {
                let known: Vec<&str> = Kind::all().iter().map(|k| k.as_str()).collect();
                read.error(
                    at,
                    format!("unknown table `[[{other}]]` (known: {})", known.join(", ")),
                );
            }
        }
    }
    raw
}

/// Reads the tables of one file, collecting what is wrong with them.
struct Reader<'a> {
    file: &'a str,
    lines: &'a Lines,
    errors: &'a mut Vec<LintError>,
}

impl Reader<'_> {
    fn error(&mut self, line: usize, message: String) {
        self.errors.push(LintError {
            file: self.file.to_string(),
            line,
            message,
        });
    }

    fn tables<T: DeserializeOwned>(&mut self, items: &[Spanned<DeValue<'_>>]) -> Vec<(usize, T)> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let at = self.lines.of(item.span().start);
            if !matches!(item.get_ref(), DeValue::Table(_)) {
                self.error(at, "expected a table".to_string());
                continue;
            }
            match T::deserialize(ValueDeserializer::from(item.clone())) {
                Ok(t) => out.push((at, t)),
                Err(e) => {
                    let line = e.span().map_or(at, |s| self.lines.of(s.start));
                    self.error(line, e.message().trim().to_string());
                }
            }
        }
        out
    }
}

/// One `[[key]]` array of a check's table, read by the same `Reader` (`check_tables`).
struct Rows<'r, 'a, 'v> {
    read: &'r mut Reader<'a>,
    items: &'r [Spanned<DeValue<'v>>],
}

impl ReadRows for Rows<'_, '_, '_> {
    fn rows<T: DeserializeOwned>(&mut self) -> Vec<(usize, T)> {
        self.read.tables(self.items)
    }
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
    PlanStepText,
    NoCauseReason,
    Message,
    EscalationRule,
    SendingService,
    DkimSelectorRule,
    Mechanism,
    MechanismCue,
    SuppressionRule
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
    /// Only built-in files are merged (the build proved their ids distinct): rules are
    /// appended without recording their ids, which was most of merging's cost.
    pub builtin_only: bool,
}

impl Merger {
    fn add<T: HasId>(
        &mut self,
        list: &mut Vec<Located<T>>,
        kind: Kind,
        items: Vec<(usize, T)>,
        file: &str,
        builtin: bool,
    ) {
        self.add_by(list, kind, items, file, builtin, HasId::id);
    }

    /// `add` with the id read by `id` (a check's row has `CheckRow::row_id`).
    fn add_by<T>(
        &mut self,
        list: &mut Vec<Located<T>>,
        kind: Kind,
        items: Vec<(usize, T)>,
        file: &str,
        builtin: bool,
        id_of: fn(&T) -> &str,
    ) {
        if self.builtin_only && builtin {
            list.extend(items.into_iter().map(|(line, rule)| Located {
                file: file.to_string(),
                line,
                rule,
            }));
            return;
        }
        for (line, rule) in items {
            let id = id_of(&rule).to_string();
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
                    if let Some(slot) = list.iter_mut().find(|l| id_of(&l.rule) == id) {
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
    pub(crate) fn merge(&mut self, set: &mut RuleSet, raw: RawFile, file: &str, builtin: bool) {
        self.add(&mut set.classes, Kind::Class, raw.class, file, builtin);
        self.add(
            &mut set.subject_digits,
            Kind::SubjectDigit,
            raw.subject_digit,
            file,
            builtin,
        );
        self.add(&mut set.basics, Kind::Basic, raw.basic, file, builtin);
        self.add(
            &mut set.enhanced_classes,
            Kind::EnhancedClass,
            raw.enhanced_class,
            file,
            builtin,
        );
        self.add(
            &mut set.enhanced_subjects,
            Kind::EnhancedSubject,
            raw.enhanced_subject,
            file,
            builtin,
        );
        self.add(
            &mut set.enhanced,
            Kind::Enhanced,
            raw.enhanced,
            file,
            builtin,
        );
        self.add(
            &mut set.handling,
            Kind::Handling,
            raw.handling,
            file,
            builtin,
        );
        self.add(
            &mut set.providers,
            Kind::Provider,
            raw.provider,
            file,
            builtin,
        );
        self.add(
            &mut set.provider_rules,
            Kind::ProviderRule,
            raw.provider_rule,
            file,
            builtin,
        );
        self.add(&mut set.phrases, Kind::Phrase, raw.phrase, file, builtin);
        self.add(&mut set.findings, Kind::Finding, raw.finding, file, builtin);
        self.add(
            &mut set.plan_steps,
            Kind::PlanStep,
            raw.plan_step,
            file,
            builtin,
        );
        self.add(
            &mut set.no_cause_reasons,
            Kind::NoCauseReason,
            raw.no_cause_reason,
            file,
            builtin,
        );
        self.add(&mut set.messages, Kind::Message, raw.message, file, builtin);
        self.add(
            &mut set.escalations,
            Kind::Escalation,
            raw.escalation,
            file,
            builtin,
        );
        self.add(&mut set.senders, Kind::Sender, raw.sender, file, builtin);
        self.add(
            &mut set.dkim_selectors,
            Kind::DkimSelectors,
            raw.dkim_selectors,
            file,
            builtin,
        );
        self.add(
            &mut set.mechanisms,
            Kind::Mechanism,
            raw.mechanism,
            file,
            builtin,
        );
        self.add(
            &mut set.mechanism_cues,
            Kind::MechanismCue,
            raw.mechanism_cue,
            file,
            builtin,
        );
        self.add(
            &mut set.suppression,
            Kind::Suppression,
            raw.suppression,
            file,
            builtin,
        );
        set.checks.merge(
            raw.checks,
            &mut IntoTable {
                merger: self,
                file,
                builtin,
            },
        );
    }
}

/// Merging into a check's table (`check_tables`).
struct IntoTable<'m> {
    merger: &'m mut Merger,
    file: &'m str,
    builtin: bool,
}

impl AddRows for IntoTable<'_> {
    fn add<T: CheckRow>(
        &mut self,
        check: Check,
        list: &mut Vec<Located<T>>,
        rows: Vec<(usize, T)>,
    ) {
        let kind = Kind::Check(check);
        let (file, builtin) = (self.file, self.builtin);
        self.merger
            .add_by(list, kind, rows, file, builtin, CheckRow::row_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_become_one_based_lines() {
        let lines = Lines::new("a\nbb\n\nc");
        assert_eq!(lines.of(0), 1);
        assert_eq!(lines.of(2), 2);
        assert_eq!(lines.of(6), 4);
        assert_eq!(lines.of(999), 4, "offsets past the end clamp");
    }
}
