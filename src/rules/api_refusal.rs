//! A sending service's API refusal pasted without any SMTP code (`{"ErrorCode": 406, ...}`,
//! `Error: Forbidden at .../@sendgrid/client/...`): read when the service's own signals name it
//! and one of its rules reads the words.

use super::RuleSet;
use crate::reply::{self, Extracted, InputError, InputForm};

impl RuleSet {
    /// What `explain` and `diagnose` read from an input: the replies [`reply::extract`] finds,
    /// else [`RuleSet::api_refusal`]; its error otherwise.
    pub fn extract(&self, input: &[u8]) -> Result<Extracted, InputError> {
        match reply::extract(input) {
            Err(InputError::NoReply) => self.api_refusal(input).ok_or(InputError::NoReply),
            other => other,
        }
    }

    /// A short input with no reply code, as one reply without a code, when its own signals
    /// (the service's host, links, error-code names, field names: its `[[provider]]`
    /// fingerprints) name a provider and a rule of that provider reads its words. The HTTP status
    /// or the API's own error number is never read as an SMTP code; a text only a generic
    /// phrase reads, or that names no one, stays refused (exit 2), as before.
    pub fn api_refusal(&self, input: &[u8]) -> Option<Extracted> {
        let r = reply::codeless(input)?;
        let d = self.decode(&r);
        let provider = d.provider.as_ref()?;
        let own_rule =
            !provider.id.is_empty() && self.provider_rules.iter().any(|p| p.rule.id == d.rule.id);
        own_rule.then(|| Extracted {
            form: InputForm::Reply,
            kind: None,
            replies: vec![r],
            original: None,
        })
    }
}
