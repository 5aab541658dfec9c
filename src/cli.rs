//! Command-line definitions (clap): the single source for --help, completions and the man page.

use crate::finding::Check;
pub use crate::report::Format;
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsStr;
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "mailtriage",
    version,
    about = "Turn a failing SMTP reply into a diagnosis of the sender's authentication DNS and an ordered plan to fix it",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// When to use colors in human output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Directory of extra rules/*.toml files that add to or override the built-in rules by id.
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode an SMTP reply, MTA log line(s) or bounce message (offline).
    Explain(ExplainArgs),
    /// Check one or more sending domains' SPF, DKIM, DMARC, PTR and MX in DNS.
    Check(CheckArgs),
    /// Decode a rejection, check the DNS it points at, and print an ordered remediation plan.
    Diagnose(DiagnoseArgs),
    /// Read mail logs, ESP exports and bounce mailboxes into per-address decisions, a
    /// suppression list and a summary (offline unless --diagnose).
    Scan(ScanArgs),
    /// List, show and lint the rules knowledge base.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    Man,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A reply, file paths or directories (every file under them), or `-` (default) for
    /// standard input.
    pub input: Vec<String>,
    /// Output format: human, json (mailtriage.explain/v1).
    #[arg(long, default_value = "human", value_parser = FormatName(Format::EXPLAIN))]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

/// How to reach DNS.
#[derive(Debug, Args, Clone)]
pub struct DnsArgs {
    /// Nameserver to ask, IP or IP:PORT (repeatable). Default: the system's resolv.conf.
    #[arg(long, value_name = "IP[:PORT]")]
    pub nameserver: Vec<String>,
    /// Seconds to wait for one answer before retrying.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub timeout: f64,
    /// Retries after a timeout.
    #[arg(long, default_value_t = 1)]
    pub retries: usize,
    /// Deadline in seconds for the whole run's DNS lookups, or for each domain's in bulk mode
    /// (`check --format jsonl`, or `--domains-file` with human output); questions not
    /// answered by then are reported as timeouts.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub deadline: f64,
    /// BIND zone file whose records override live DNS (repeatable); a directory means every
    /// *.zone file in it.
    #[arg(long, value_name = "FILE")]
    pub zone: Vec<PathBuf>,
    /// Resolve nothing outside the --zone files; say which names could not be seen.
    #[arg(long)]
    pub offline: bool,
}

/// What is being sent: the facts that sharpen the checks.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// The sending IP address (IPv4 or IPv6): SPF evaluation and reverse DNS.
    #[arg(long)]
    pub ip: Option<IpAddr>,
    /// The HELO/EHLO name the sending server announces (an address literal such as
    /// `[192.0.2.1]` is accepted and reported as a finding).
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
    /// The From: header address (or domain), for DMARC alignment.
    #[arg(long, value_name = "ADDR")]
    pub from: Option<String>,
    /// The envelope sender (MAIL FROM / Return-Path) address or domain.
    #[arg(long = "mail-from", value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// DKIM selector to check (repeatable); common selectors are probed as well.
    #[arg(long = "dkim-selector", value_name = "SELECTOR")]
    pub dkim_selector: Vec<String>,
    /// The d= domain of the DKIM signature, for DMARC alignment.
    #[arg(long = "dkim-domain", value_name = "DOMAIN")]
    pub dkim_domain: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Domains to check.
    pub domains: Vec<String>,
    /// File with one domain per line (`-` for stdin); blank lines and # comments are ignored.
    #[arg(long = "domains-file", value_name = "FILE")]
    pub domains_file: Option<String>,
    /// Domains checked at once in bulk mode.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Only these checks (comma-separated).
    #[arg(long, value_name = "CHECK", value_delimiter = ',', value_parser = CheckName)]
    pub only: Vec<Option<Check>>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub dns: DnsArgs,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Output format: human, json (mailtriage.check/v1), jsonl (bulk), markdown, sarif.
    #[arg(long, default_value = "human", value_parser = FormatName(Format::CHECK))]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// The reply, log line(s) or bounce message: a string, file paths or directories (their
    /// replies read together), or `-` for stdin.
    #[arg(required = true, num_args = 1..)]
    pub input: Vec<String>,
    /// The sending domain (default: the domain of --from or --mail-from, of the bounce's From or
    /// Return-Path, or the one the reply names as the sender).
    #[arg(long)]
    pub domain: Option<String>,
    /// Only these checks (comma-separated).
    #[arg(long, value_name = "CHECK", value_delimiter = ',', value_parser = CheckName)]
    pub only: Vec<Option<Check>>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub dns: DnsArgs,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Output format: human, json (mailtriage.diagnose/v1), markdown, sarif.
    #[arg(long, default_value = "human", value_parser = FormatName(Format::DIAGNOSE))]
    pub format: Format,
    /// Write an evidence bundle (report.md, report.json, dns-log.jsonl, input, versions) here.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Mail logs (Postfix, Sendmail, Exim; gzip-compressed too), ESP exports (CSV, JSON lines),
    /// Exchange message tracking logs, .eml files, mbox files, Maildirs and directories of
    /// these; `-` or none for standard input. With --merge: JSON summaries of earlier scans.
    pub paths: Vec<PathBuf>,
    /// Output format: human, json (mailtriage.scan/v1), markdown, jsonl (one address per line).
    #[arg(long, default_value = "human", value_parser = FormatName(Format::SCAN))]
    pub format: Format,
    /// Write the suppression list as CSV to FILE
    /// (address,scope,reason,code,provider,first_seen,last_seen,failures).
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
    /// Combine JSON summaries of earlier scans (one per host or per day) into one result, the
    /// same as one scan of all their inputs.
    #[arg(long, conflicts_with = "follow")]
    pub merge: bool,
    /// Separate sends that must fail softly before an address is suppressed (default: rules).
    #[arg(long = "soft-failures", value_name = "N")]
    pub soft_failures: Option<u32>,
    /// Days from the first to the last counted soft failure (default: rules).
    #[arg(long = "soft-days", value_name = "DAYS")]
    pub soft_days: Option<u32>,
    /// The date syslog logs end on or before, to give their lines a year (default: each file's
    /// modification time; today for standard input).
    #[arg(long = "log-end", value_name = "YYYY-MM-DD")]
    pub log_end: Option<String>,
    /// Failures of one code from one provider in an hour that make a pattern.
    #[arg(long = "pattern-min-events", value_name = "N", default_value_t = 10)]
    pub pattern_min_events: u64,
    /// ... and their least share of everything that provider answered in that hour (0 to 1).
    #[arg(
        long = "pattern-min-share",
        value_name = "SHARE",
        default_value_t = 0.5
    )]
    pub pattern_min_share: f64,
    /// Threads that read logs (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Keep reading one growing log (through logrotate) and print a line when a pattern starts
    /// or stops; for running under a service manager.
    #[arg(long)]
    pub follow: bool,
    /// With --follow: read the log from its start instead of from its end.
    #[arg(long = "from-start", requires = "follow")]
    pub from_start: bool,
    /// With --follow: seconds between looks at a log that has not grown.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub poll: f64,
    /// Run the diagnoses that matter (DNS checks of the sending domain and IP) and add their
    /// likely causes to the summary.
    #[arg(long)]
    pub diagnose: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, kind and title.
    List,
    /// Show one rule in full: summary, why it matters, what to do, references.
    Show { id: String },
    /// Check a directory of rules files (default: the built-in rules); errors point at file:line.
    Lint {
        dir: Option<PathBuf>,
        /// Read DIR as a complete rule set instead of additions to the built-in rules (to lint
        /// an edited copy of rules/ before it is built in).
        #[arg(long, requires = "dir")]
        standalone: bool,
    },
}

/// An `--only` value: a check of the registry (its help lists them), or nothing for an empty
/// item (`--only spf,`). An unknown name is refused with the list of known ones.
#[derive(Debug, Clone, Copy)]
pub struct CheckName;

impl TypedValueParser for CheckName {
    type Value = Option<Check>;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Option<Check>, clap::Error> {
        let s = value.to_string_lossy();
        if s.trim().is_empty() {
            return Ok(None);
        }
        match Check::parse(&s).filter(|c| *c != Check::Dns) {
            Some(c) => Ok(Some(c)),
            None => Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("unknown check {s:?} in --only: use {}\n", Check::names()),
            )
            .with_cmd(cmd)),
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Check::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// A `--format` value among those the command offers (one [`Format`] enum for all).
#[derive(Debug, Clone, Copy)]
pub struct FormatName(pub &'static [Format]);

impl TypedValueParser for FormatName {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Format, clap::Error> {
        let s = value.to_string_lossy();
        self.0
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let mut e = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
                e.insert(
                    clap::error::ContextKind::InvalidArg,
                    clap::error::ContextValue::String(
                        arg.map_or_else(|| "--format".into(), ToString::to_string),
                    ),
                );
                e.insert(
                    clap::error::ContextKind::InvalidValue,
                    clap::error::ContextValue::String(s.into_owned()),
                );
                e.insert(
                    clap::error::ContextKind::ValidValue,
                    clap::error::ContextValue::Strings(
                        self.0.iter().map(|f| f.as_str().to_string()).collect(),
                    ),
                );
                e
            })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.0.iter().filter_map(ValueEnum::to_possible_value),
        ))
    }
}
