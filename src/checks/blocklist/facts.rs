//! The blocklist check's facts (the `blocklist` object of the JSON) and the question it asks.

use super::knowledge::{BlocklistRule, ListKind};
use crate::checks::types::Status;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// What one list said about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Listed,
    NotListed,
    CouldNotCheck,
    /// An IPv6 address and a list without IPv6 data: nothing to ask.
    NotApplicable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListResult {
    /// The rules/blocklists.toml id.
    pub list: String,
    pub name: String,
    pub kind: ListKind,
    /// The IP or domain asked about.
    pub item: String,
    /// The name asked (empty when nothing was asked).
    pub query: String,
    pub state: State,
    /// The A records the list answered.
    #[serde(default)]
    pub answers: Vec<String>,
    /// What the answers mean (rules/blocklists.toml).
    #[serde(default)]
    pub meanings: Vec<String>,
    /// Why it could not be checked or was not asked.
    #[serde(default)]
    pub reason: Option<String>,
    /// The list's own explanation (its TXT record), control characters removed and cut short.
    #[serde(default)]
    pub txt: Option<String>,
    pub removal: String,
    /// The rejection being diagnosed names this list.
    #[serde(default)]
    pub named_by_reply: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlocklistFacts {
    pub status: Status,
    pub ip: Option<IpAddr>,
    pub domains: Vec<String>,
    /// Identities not asked about: IP literals where a domain belongs.
    #[serde(default)]
    pub skipped: Vec<String>,
    /// Lists switched off in the rules (`enabled = false`), by name.
    #[serde(default)]
    pub disabled: Vec<String>,
    pub lists: Vec<ListResult>,
}

/// One question: a list and an item.
pub(super) struct Ask<'a> {
    pub list: &'a BlocklistRule,
    pub item: String,
    pub labels: String,
    pub named: bool,
}

pub(super) fn result(
    list: &BlocklistRule,
    item: &str,
    query: &str,
    state: State,
    named: bool,
) -> ListResult {
    ListResult {
        list: list.id.clone(),
        name: list.name.clone(),
        kind: list.kind,
        item: item.to_string(),
        query: query.to_string(),
        state,
        answers: Vec::new(),
        meanings: Vec::new(),
        reason: None,
        txt: None,
        removal: list.removal.clone(),
        named_by_reply: named,
    }
}

impl ListResult {
    pub(super) fn with_reason(mut self, reason: String) -> ListResult {
        self.reason = Some(reason);
        self
    }
}
