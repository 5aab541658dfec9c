//! The hook by which a check brings its own table to the rules loader: a registry line that
//! says `{ knowledge <module>: "<file>" }` mounts that file (the check's typed schema, validator
//! and rules file, kept in the check's own folder) here, and the loader reads, merges,
//! validates, documents and precompiles its `[[<check name>]]` table like its own kinds,
//! without naming the check.
//!
//! The mounting happens at compile time, from the one list in `finding::registered_checks`,
//! so that build.rs (which compiles the loader through `#[path]`) precompiles and validates a
//! check's table as the library does, and the rules layer never imports `checks`. This module
//! and the mounted ones depend on nothing else of the loader: it reaches them through the
//! small traits below, so the set can hold the tables without an import circle.
//!
//! A mounted module provides:
//! - `Row`: one `[[<check name>]]` table, `Deserialize + Serialize` (postcard, so concrete),
//!   `Debug + Clone`, implementing [`CheckRow`];
//! - `FILE`: `(name, text)` of its built-in rules file, embedded with `include_str!`;
//! - `validate(rows, v)`: stage two over its merged rows, each problem at its file:line.

use super::located::Located;
use crate::finding::Check;
use serde::de::DeserializeOwned;

/// What `rules list` and `rules show` print of a check's row.
#[derive(Debug, Clone, Default)]
pub struct RowDoc {
    pub title: String,
    pub summary: String,
    pub why: String,
    pub what_to_do: String,
    pub references: Vec<String>,
}

/// A row of a check's own table, as the loader's generic parts see it.
pub trait CheckRow: std::fmt::Debug + Sync {
    fn row_id(&self) -> &str;
    /// Its documentation for `rules show`; the title is `rules list`'s.
    fn doc(&self) -> RowDoc;
}

/// A row of a check's table, borrowed from the set with where it was read.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    pub file: &'a str,
    pub line: usize,
    pub row: &'a dyn CheckRow,
}

/// Stage one's reader of one `[[key]]` array: typed rows with their lines, or errors at the
/// line of the field at fault (`load::Reader`).
pub trait ReadRows {
    fn rows<T: DeserializeOwned>(&mut self) -> Vec<(usize, T)>;
}

/// Merging: adds one file's rows to a table, by id (duplicates, overrides; `load::Merger`).
pub trait AddRows {
    fn add<T: CheckRow>(&mut self, check: Check, list: &mut Vec<Located<T>>, rows: Vec<(usize, T)>);
}

/// What a check's validator reports to, and may ask of the rest of the rules.
pub trait Validation {
    /// A problem of the row read at `file:line`.
    fn err(&mut self, file: &str, line: usize, message: String);
    /// What every table is held to: a kebab-case id, a non-empty source.
    fn common(&mut self, file: &str, line: usize, id: &str, source: &str);
    /// True when a reply rule (a `[[phrase]]` or `[[provider_rule]]`) has this id.
    fn reply_rule_exists(&self, id: &str) -> bool;
}

/// Expands the registry list into the mounted modules and the loader's view of their tables.
macro_rules! check_tables {
    ($($variant:ident = $name:tt: $entry:path, $help:tt, $({ knowledge $m:ident: $file:literal },)?)*) => {
        $($(
            #[path = $file]
            pub mod $m;
        )?)*

        /// Each check's table of one rules file after stage one, typed, with the line of
        /// each table's header (part of `load::RawFile`, so precompiled like the others).
        #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
        pub struct RawTables {
            $($(pub $m: Vec<(usize, $m::Row)>,)?)*
        }

        /// Each check's table after merging every file (built-ins, then `--rules DIR`). Only
        /// the check's module reads its own field.
        #[derive(Debug, Default)]
        pub struct CheckTables {
            $($(pub $m: Vec<Located<$m::Row>>,)?)*
        }

        /// The checks that have a table (its key is the check's name), in registry order.
        pub const WITH_TABLES: &[Check] = &[$($(check_tables!(@first Check::$variant, $m),)?)*];

        /// The built-in rules files of the checks, in registry order.
        pub const FILES: &[(&str, &str)] = &[$($($m::FILE,)?)*];

        impl RawTables {
            /// Reads `[[key]]` when a check owns it; false when none does.
            pub fn read(&mut self, key: &str, read: &mut impl ReadRows) -> bool {
                let _ = &read;
                match key {
                    $($($name => {
                        self.$m = read.rows();
                        true
                    })?)*
                    _ => false,
                }
            }
        }

        impl CheckTables {
            /// Adds one file's tables, overriding by id like the loader's own kinds.
            pub fn merge(&mut self, raw: RawTables, add: &mut impl AddRows) {
                let _ = (&raw, &add);
                $($(add.add(Check::$variant, &mut self.$m, raw.$m);)?)*
            }

            /// Every row of every check's table, with its check, in registry and file order.
            #[allow(unused_mut)]
            pub fn rows(&self) -> Vec<(Check, RowRef<'_>)> {
                let mut out: Vec<(Check, RowRef<'_>)> = Vec::new();
                $($(out.extend(self.$m.iter().map(|l| (Check::$variant, RowRef {
                    file: &l.file,
                    line: l.line,
                    row: &l.rule as &dyn CheckRow,
                })));)?)*
                out
            }

            /// Stage two of every check's table.
            pub fn validate(&self, v: &mut dyn Validation) {
                let _ = &v;
                $($($m::validate(&self.$m, v);)?)*
            }
        }
    };
    (@first $a:expr, $($rest:tt)*) => { $a };
}

crate::finding::registered_checks!(check_tables);
