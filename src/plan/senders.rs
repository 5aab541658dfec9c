//! Recognising the sending service (Google Workspace, SES, SendGrid ...) from what a run saw.

use super::knowledge::{Knowledge, SendingService};
use super::types::{Clue, ClueKind, DiagnoseInput};
use crate::domain_name::{normalise, within};

/// A service recognised, and the clue that gave it away.
#[derive(Debug, Clone)]
pub struct Recognised<'k> {
    pub service: &'k SendingService,
    pub clue: Clue,
}

/// True when `name` is `suffix` or ends with `.suffix` (whole labels only).
fn under(name: &str, suffix: &str) -> bool {
    let s = normalise(suffix);
    !s.is_empty() && within(&normalise(name), &s)
}

fn matches(service: &SendingService, clue: &Clue) -> bool {
    let list = match clue.kind {
        ClueKind::Host => &service.hosts,
        ClueKind::DkimDomain => &service.dkim_domains,
        ClueKind::ReturnPath => &service.return_path_domains,
    };
    list.iter().any(|s| under(&clue.value, s))
}

/// Every clue of this run, strongest first: the PTR names of the sending IP (the address to
/// authorise), the HELO name, then what the bounce showed (Received hosts, Return-Path, d=).
pub(super) fn clues(input: &DiagnoseInput<'_>) -> Vec<Clue> {
    let mut out = ptr_clues(input);
    if let Some(h) = input.params.helo.as_deref() {
        out.push(Clue {
            kind: ClueKind::Host,
            value: h.to_string(),
            seen: "the HELO name".into(),
        });
    }
    out.extend(input.clues.iter().cloned());
    out
}

/// The PTR names of the sending IP: the clues that say whose address it is.
pub(super) fn ptr_clues(input: &DiagnoseInput<'_>) -> Vec<Clue> {
    let mut out = Vec::new();
    if let Some(p) = input.report.ptr.as_ref()
        && let Some(ip) = p.ip
    {
        for n in &p.names {
            out.push(Clue {
                kind: ClueKind::Host,
                value: n.name.clone(),
                seen: format!("the PTR name of {ip}"),
            });
        }
    }
    out
}

/// The first service a clue points at, in clue order (strongest first).
pub(super) fn recognise<'k>(k: &'k Knowledge, clues: &[Clue]) -> Option<Recognised<'k>> {
    clues.iter().find_map(|c| {
        k.senders
            .iter()
            .find(|s| matches(s, c))
            .map(|service| Recognised {
                service,
                clue: c.clone(),
            })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_match_whole_labels_and_clue_kinds_their_own_field() {
        assert!(under("mail-sor-f41.google.com", "google.com"));
        assert!(under("google.com.", "google.com"));
        assert!(!under("notgoogle.com", "google.com"));
        let k = Knowledge::builtin().unwrap();
        let host = |v: &str| Clue {
            kind: ClueKind::Host,
            value: v.into(),
            seen: "test".into(),
        };
        let r = recognise(
            &k,
            &[
                host("laptop.home.example"),
                host("a8-1.smtp-out.amazonses.com"),
            ],
        )
        .unwrap();
        assert_eq!(r.service.spf_include, "amazonses.com");
        assert_eq!(r.clue.value, "a8-1.smtp-out.amazonses.com");
        let dkim = Clue {
            kind: ClueKind::DkimDomain,
            value: "example-com.20230601.gappssmtp.com".into(),
            seen: "test".into(),
        };
        assert_eq!(
            recognise(&k, &[dkim]).unwrap().service.id,
            "sender-google-workspace"
        );
        assert!(recognise(&k, &[host("mx.example.net")]).is_none());
    }
}
