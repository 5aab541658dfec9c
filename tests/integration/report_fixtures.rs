//! Hand-built replies, decodings and domain reports shared by the report_* tests.
#![allow(clippy::unwrap_used, clippy::too_many_arguments, dead_code)]

use mailtriage::checks::*;
use mailtriage::dns::LogEntry;
use mailtriage::dns::{Outcome, RType};
use mailtriage::finding::{Check, Finding, Severity, ZoneLocation};
use mailtriage::plan::{DiagnoseInput, Diagnosis, Knowledge, Provenance, diagnose};
use mailtriage::reply::{InputForm, Reply};
use mailtriage::report::{DiagnoseReport, Format, Report, RunContext, ToolInfo};
use mailtriage::rules::*;
use std::collections::BTreeMap;

pub const DOMAIN: &str = "example.com";
pub const IP: &str = "192.0.2.25";

pub fn tool() -> ToolInfo {
    ToolInfo {
        name: "mailtriage".into(),
        version: "0.0.0-test".into(),
    }
}

pub fn finding(id: &str, check: Check, sev: Severity, subject: &str, msg: &str) -> Finding {
    Finding::new(id, check, sev, subject, msg).unwrap()
}

pub fn decoded(
    basic: u16,
    enhanced: Option<&str>,
    provider: Option<(&str, &str)>,
    category: &str,
    action: Action,
    checks: &[&str],
    rule: &str,
    meaning: Option<&str>,
) -> Decoded {
    Decoded {
        basic: Some(BasicMeaning {
            code: basic,
            class: if basic >= 500 {
                "permanent negative".into()
            } else {
                "transient negative".into()
            },
            category: "mail system".into(),
            meaning: None,
        }),
        enhanced: enhanced.map(|e| EnhancedMeaning {
            code: e.into(),
            class: "x".into(),
            subject: "security or policy status".into(),
            detail: None,
            rule: None,
        }),
        provider: provider.map(|(id, name)| ProviderRef {
            id: id.into(),
            name: name.into(),
        }),
        provider_meaning: meaning.map(String::from),
        text_meaning: None,
        category: category.into(),
        bounce_type: if basic >= 500 {
            BounceType::Hard
        } else {
            BounceType::Soft
        },
        action,
        action_note: "Fix it as the plan says.".into(),
        checks: checks.iter().map(|c| c.to_string()).collect(),
        rule: RuleRef {
            id: rule.into(),
            source: "https://support.google.com/mail/answer/81126".into(),
        },
        recognised: true,
    }
}

pub fn reply(basic: u16, enhanced: Option<&str>, text: &str) -> Reply {
    Reply {
        basic: Some(basic),
        enhanced: enhanced.map(String::from),
        text: text.into(),
        recipient: Some("someone@gmail.com".into()),
        ..Reply::default()
    }
}

pub fn gmail_5726() -> (Reply, Decoded) {
    (
        reply(
            550,
            Some("5.7.26"),
            "This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. - gsmtp",
        ),
        decoded(
            550,
            Some("5.7.26"),
            Some(("gmail", "Gmail")),
            "authentication-dmarc",
            Action::FixAuthentication,
            &["spf", "dkim", "dmarc"],
            "gmail-5-7-26",
            Some("The message failed DMARC or carried no authentication Gmail accepts."),
        ),
    )
}

pub fn user_unknown() -> (Reply, Decoded) {
    (
        reply(
            550,
            Some("5.1.1"),
            "The email account that you tried to reach does not exist. - gsmtp",
        ),
        decoded(
            550,
            Some("5.1.1"),
            Some(("gmail", "Gmail")),
            "recipient-address",
            Action::SuppressAddress,
            &[],
            "gmail-5-1-1",
            Some("The mailbox does not exist."),
        ),
    )
}

pub fn gmail_4727() -> (Reply, Decoded) {
    (
        reply(
            421,
            Some("4.7.27"),
            "Your email has been rate limited because SPF authentication didn't pass for this message. - gsmtp",
        ),
        decoded(
            421,
            Some("4.7.27"),
            Some(("gmail", "Gmail")),
            "authentication-spf",
            Action::SlowDown,
            &["spf"],
            "gmail-4-7-27",
            Some("SPF did not pass; Gmail defers the message."),
        ),
    )
}

pub fn microsoft_blocklist() -> (Reply, Decoded) {
    (
        reply(
            550,
            Some("5.7.606"),
            "Access denied, banned sending IP [192.0.2.25]. To request removal from this list please visit https://sender.office.com/ and follow the directions.",
        ),
        decoded(
            550,
            Some("5.7.606"),
            Some(("microsoft", "Microsoft")),
            "blocklist",
            Action::RequestDelisting,
            &["blocklist"],
            "microsoft-5-7-606",
            Some("The sending IP is on Microsoft's blocklist."),
        ),
    )
}

pub fn bad_command() -> (Reply, Decoded) {
    (
        reply(503, Some("5.5.1"), "Bad sequence of commands"),
        decoded(
            503,
            Some("5.5.1"),
            None,
            "sender-configuration",
            Action::FixSenderConfig,
            &[],
            "basic-503",
            None,
        ),
    )
}

pub fn ptr_reply() -> (Reply, Decoded) {
    (
        reply(
            550,
            Some("5.7.25"),
            "The IP address sending this message does not have a PTR record setup. - gsmtp",
        ),
        decoded(
            550,
            Some("5.7.25"),
            Some(("gmail", "Gmail")),
            "reverse-dns",
            Action::FixInfrastructure,
            &["ptr"],
            "gmail-5-7-25",
            Some("The sending IP has no PTR that confirms."),
        ),
    )
}

pub fn node(domain: &str, via: &str, own: u32, total: u32, children: Vec<SpfNode>) -> SpfNode {
    SpfNode {
        domain: domain.into(),
        via: via.into(),
        record: Some(format!("v=spf1 ... ({domain})")),
        own_lookups: own,
        total_lookups: total,
        void_lookups: 0,
        error: None,
        children,
    }
}

pub fn spf_ok() -> SpfFacts {
    SpfFacts {
        domain: DOMAIN.into(),
        status: Status::Complete,
        record: Some("v=spf1 include:_spf.google.com -all".into()),
        records_count: 1,
        lookups: 4,
        void_lookups: 0,
        all: Some("-all".into()),
        tree: Some(node(
            DOMAIN,
            "root",
            1,
            4,
            vec![node("_spf.google.com", "include", 3, 3, vec![])],
        )),
        result: None,
        ttl: Some(3600),
    }
}

pub fn dkim_ok(bits: usize) -> DkimFacts {
    DkimFacts {
        domain: DOMAIN.into(),
        status: Status::Complete,
        selectors: vec![DkimSelector {
            selector: "google".into(),
            status: "valid".into(),
            key_type: Some("rsa".into()),
            bits: Some(bits),
            cname: None,
            record: Some("v=DKIM1; k=rsa; p=MIIB...".into()),
            tags: BTreeMap::new(),
            ttl: Some(300),
        }],
        probed: vec!["google".into()],
        discovery: mailtriage::checks::DkimDiscovery {
            domainkey: "exists".into(),
            probes: vec![mailtriage::checks::DkimProbe {
                selector: "google".into(),
                reason: "common".into(),
                rule: Some("dkim-common-defaults".into()),
                service: None,
                seen: None,
                result: "key".into(),
            }],
            ..Default::default()
        },
    }
}

pub fn dmarc_facts(record: Option<&str>, policy: Option<&str>, rua: &[&str]) -> DmarcFacts {
    DmarcFacts {
        domain: DOMAIN.into(),
        status: Status::Complete,
        record: record.map(String::from),
        record_domain: record.map(|_| format!("_dmarc.{DOMAIN}")),
        organizational_domain: DOMAIN.into(),
        inherited: false,
        policy: policy.map(String::from),
        policy_source: policy.map(|_| "p".into()),
        policy_applied: policy.map(String::from),
        testing: false,
        psd: None,
        domain_exists: None,
        standard: "RFC 9989".into(),
        sp: None,
        np: None,
        pct: None,
        adkim: None,
        aspf: None,
        rua: rua.iter().map(|s| s.to_string()).collect(),
        ruf: vec![],
        alignment: None,
        ttl: Some(1800),
        tree_walk: vec![],
        invalid_records: vec![],
        rfc7489: LegacyDmarc {
            organizational_domain: DOMAIN.into(),
            record_domain: record.map(|_| format!("_dmarc.{DOMAIN}")),
            inherited: false,
            policy: policy.map(String::from),
        },
    }
}

pub fn ptr_ok() -> PtrFacts {
    PtrFacts {
        status: Status::Complete,
        ip: Some(IP.parse().unwrap()),
        names: vec![PtrName {
            name: "mail.example.com".into(),
            addresses: vec![IP.parse().unwrap()],
            confirms: true,
        }],
        fcrdns: Some(true),
        helo: None,
        helo_matches: None,
        ttl: Some(86400),
        mx_hosts: vec![],
    }
}

pub fn mx_ok() -> MxFacts {
    MxFacts {
        status: Status::Complete,
        hosts: vec![MxHost {
            preference: 10,
            host: "mx.example.com".into(),
            addresses: vec!["192.0.2.10".parse().unwrap()],
            problem: None,
        }],
        null_mx: false,
        implicit: false,
        ttl: Some(3600),
    }
}

/// Everything passes and DMARC is at p=reject with reports.
pub fn clean_report() -> DomainReport {
    DomainReport {
        domain: DOMAIN.into(),
        findings: vec![],
        spf: Some(spf_ok()),
        spf_identities: vec![],
        dkim: Some(dkim_ok(2048)),
        dkim_signing: None,
        dmarc_from: None,
        dmarc: Some(dmarc_facts(
            Some("v=DMARC1; p=reject; rua=mailto:d@example.com"),
            Some("reject"),
            &["mailto:d@example.com"],
        )),
        ptr: Some(ptr_ok()),
        mx: Some(mx_ok()),
        ..DomainReport::empty(DOMAIN.into())
    }
}

pub fn no_dmarc_report() -> DomainReport {
    let mut r = clean_report();
    r.dmarc = Some(dmarc_facts(None, None, &[]));
    let mut f = finding(
        "dmarc-missing",
        Check::Dmarc,
        Severity::Error,
        "_dmarc.example.com",
        "No DMARC record at _dmarc.example.com (NXDOMAIN).",
    );
    f.queries = vec![2];
    f.location = Some(ZoneLocation {
        file: "zones/example.com.zone".into(),
        line: 12,
        column: 1,
    });
    r.findings.push(f);
    r
}

pub fn spf_over_limit_report() -> DomainReport {
    let mut r = clean_report();
    let tree = node(
        DOMAIN,
        "root",
        4,
        11,
        vec![
            node(
                "_spf.google.com",
                "include",
                3,
                3,
                vec![
                    node("_netblocks.google.com", "include", 0, 0, vec![]),
                    node("_netblocks2.google.com", "include", 0, 0, vec![]),
                    node("_netblocks3.google.com", "include", 0, 0, vec![]),
                ],
            ),
            node("spf.protection.outlook.com", "include", 0, 0, vec![]),
            node("mail.zendesk.com", "include", 4, 4, vec![]),
        ],
    );
    r.spf = Some(SpfFacts {
        domain: DOMAIN.into(),
        status: Status::Complete,
        record: Some("v=spf1 a include:_spf.google.com include:spf.protection.outlook.com include:mail.zendesk.com ~all".into()),
        records_count: 1, lookups: 11, void_lookups: 0, all: Some("~all".into()), tree: Some(tree), result: None, ttl: Some(300),
    });
    r.findings.push(finding(
        "spf-too-many-lookups",
        Check::Spf,
        Severity::Error,
        DOMAIN,
        "The SPF record of example.com needs 11 DNS lookups; the limit is 10.",
    ));
    r
}

pub fn query(
    id: usize,
    name: &str,
    rtype: RType,
    outcome: Outcome,
    answers: &[&str],
    ttl: Option<u32>,
) -> LogEntry {
    LogEntry {
        id,
        name: name.into(),
        rtype,
        outcome,
        answers: answers.iter().map(|s| s.to_string()).collect(),
        ttl,
        cname_chain: vec![],
        started_at: format!("2025-01-02T03:04:0{id}Z"),
        elapsed_ms: 1.5,
        resolver: "127.0.0.1:5353 (zone overlay)".into(),
    }
}

pub fn queries() -> Vec<LogEntry> {
    vec![
        query(
            0,
            DOMAIN,
            RType::TXT,
            Outcome::Answer,
            &["v=spf1 include:_spf.google.com -all"],
            Some(3600),
        ),
        query(
            1,
            "google._domainkey.example.com",
            RType::TXT,
            Outcome::Answer,
            &["v=DKIM1; k=rsa; p=MIIB..."],
            Some(300),
        ),
        query(
            2,
            "_dmarc.example.com",
            RType::TXT,
            Outcome::NxDomain,
            &[],
            Some(1800),
        ),
        query(
            3,
            "25.2.0.192.in-addr.arpa",
            RType::PTR,
            Outcome::Answer,
            &["mail.example.com"],
            Some(86400),
        ),
    ]
}

pub fn params() -> CheckParams {
    CheckParams {
        domain: DOMAIN.into(),
        ip: Some(IP.parse().unwrap()),
        dkim_selectors: vec!["google".into()],
        ..CheckParams::default()
    }
}

pub fn provenance() -> Vec<Provenance> {
    vec![
        Provenance {
            field: "domain".into(),
            value: DOMAIN.into(),
            source: "flag".into(),
        },
        Provenance {
            field: "ip".into(),
            value: IP.into(),
            source: "bounce: Received header".into(),
        },
    ]
}

/// Owns everything a diagnosis borrows.
pub struct Case {
    pub replies: Vec<(Reply, Decoded)>,
    pub report: DomainReport,
    pub params: CheckParams,
    pub provenance: Vec<Provenance>,
    pub queries: Vec<LogEntry>,
}

impl Case {
    pub fn new(reply: (Reply, Decoded), report: DomainReport) -> Case {
        Case {
            replies: vec![reply],
            report,
            params: params(),
            provenance: provenance(),
            queries: queries(),
        }
    }
    pub fn input(&self) -> DiagnoseInput<'_> {
        DiagnoseInput {
            replies: &self.replies,
            report: &self.report,
            params: &self.params,
            provenance: &self.provenance,
            queries: &self.queries,
            clues: &[],
        }
    }
    pub fn diagnose(&self) -> Diagnosis {
        diagnose(&self.input(), &Knowledge::builtin().unwrap())
    }
    /// Renders the diagnosis in `format`, as `diagnose` does.
    pub fn render(&self, format: Format) -> String {
        let input = self.input();
        let d = self.diagnose();
        let t = tool();
        let run = RunContext::default();
        let r = Report::Diagnose(DiagnoseReport {
            tool: &t,
            form: InputForm::Reply,
            input: &input,
            diagnosis: &d,
            run: &run,
        });
        let mut out = Vec::new();
        mailtriage::report::render(&mut out, format, &r).unwrap();
        String::from_utf8(out).unwrap()
    }
    pub fn json(&self) -> serde_json::Value {
        let input = self.input();
        let d = self.diagnose();
        let t = tool();
        let run = RunContext::default();
        let r = DiagnoseReport {
            tool: &t,
            form: InputForm::Reply,
            input: &input,
            diagnosis: &d,
            run: &run,
        };
        mailtriage::report::json::diagnose::to_value(&r)
    }
}

pub fn gmail_no_dmarc() -> Case {
    Case::new(gmail_5726(), no_dmarc_report())
}
pub fn gmail_user_unknown() -> Case {
    Case::new(user_unknown(), clean_report())
}
pub fn gmail_spf_over_limit() -> Case {
    Case::new(gmail_4727(), spf_over_limit_report())
}

/// colored's override is process-wide; every report test wants plain text.
pub fn no_color() {
    colored::control::set_override(false);
}
