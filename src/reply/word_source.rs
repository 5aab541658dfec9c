//! The word lists of `rules/words.toml` as build.rs reads, checks and writes them: each list
//! becomes a constant of `reply::word_patterns`, so the knowledge stays in rules/ while the
//! decoder keeps the lists as constants whose automata the build determinizes.

use serde::Deserialize;

/// The file, as its problems name it.
const FILE: &str = "rules/words.toml";

/// One `[[words]]` list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WordList {
    pub id: String,
    /// The Rust constant it becomes.
    pub name: String,
    /// Which part of the decoder reads it (the constant's documentation).
    #[serde(rename = "use")]
    pub used_by: String,
    pub source: String,
    /// The regular expression, in pieces joined as written.
    pub pattern: Vec<String>,
}

impl WordList {
    pub(crate) fn joined(&self) -> String {
        self.pattern.concat()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    words: Vec<WordList>,
}

/// The lists of `text` (the file's contents), or every problem found, each naming the list.
pub(crate) fn parse(text: &str) -> Result<Vec<WordList>, Vec<String>> {
    let file: File = toml::from_str(text).map_err(|e| vec![format!("{FILE}: {e}")])?;
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for l in &file.words {
        let at = format!("{FILE}: list `{}`", l.id);
        if !l.id.starts_with("words-") || !crate::finding::is_kebab_case(&l.id) {
            problems.push(format!(
                "{at}: the id must be kebab-case and start with `words-`"
            ));
        }
        let constant = !l.name.is_empty()
            && !l.name.starts_with(|c: char| c.is_ascii_digit())
            && l.name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !constant || l.name == "ALL" {
            problems.push(format!(
                "{at}: `name` must be an upper-case Rust constant other than ALL"
            ));
        }
        if l.source.trim().is_empty() || l.used_by.trim().is_empty() {
            problems.push(format!("{at}: `source` and `use` must not be empty"));
        }
        if l.pattern.concat().is_empty() {
            problems.push(format!("{at}: `pattern` is empty"));
        }
        if !ids.insert(l.id.clone()) || !names.insert(l.name.clone()) {
            problems.push(format!("{at}: its id or name is used twice"));
        }
    }
    if problems.is_empty() {
        Ok(file.words)
    } else {
        Err(problems)
    }
}

/// The Rust source of the constants (`reply::word_patterns` includes it), and `ALL`.
pub(crate) fn rust_source(lists: &[WordList]) -> String {
    let mut out = String::new();
    for l in lists {
        out.push_str(&format!(
            "#[doc = {:?}]\npub(crate) const {}: &str = {:?};\n",
            format!("{} Listed in rules/words.toml as `{}`.", l.used_by, l.id),
            l.name,
            l.joined()
        ));
    }
    let names: Vec<&str> = lists.iter().map(|l| l.name.as_str()).collect();
    out.push_str(&format!(
        "/// Every list, for the build.\n#[cfg_attr(not(test), allow(dead_code))]\npub(crate) const ALL: [&str; {}] = [{}];\n",
        names.len(),
        names.join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_of_the_rules_file_is_the_decoder_s_constant() {
        let lists = parse(crate::rules::embedded::WORDS.1).expect("rules/words.toml reads");
        let built = super::super::word_patterns::ALL;
        assert_eq!(lists.len(), built.len());
        for (l, c) in lists.iter().zip(built) {
            assert_eq!(l.joined(), c, "{}", l.id);
            assert!(regex::Regex::new(c).is_ok(), "{}", l.id);
        }
        let written = include_str!(concat!(env!("OUT_DIR"), "/word-patterns.rs"));
        assert_eq!(rust_source(&lists), written);
    }

    #[test]
    fn a_list_without_a_source_or_with_a_bad_name_is_refused_by_name() {
        let text = "[[words]]\nid = \"words-x\"\nname = \"lower\"\nuse = \"u\"\nsource = \"\"\npattern = ['a']\n";
        let problems = parse(text).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`words-x`") && p.contains("name"))
        );
        assert!(problems.iter().any(|p| p.contains("`source`")));
        let twice = "[[words]]\nid = \"words-a\"\nname = \"A\"\nuse = \"u\"\nsource = \"s\"\npattern = ['a']\n".repeat(2);
        assert!(parse(&twice).unwrap_err()[0].contains("used twice"));
        assert!(parse("[[words]]\nid = 1\n").is_err());
    }
}
