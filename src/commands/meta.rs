//! `completions` and `man`: generated from the clap definitions, never written by hand.

use crate::cli::Cli;
use crate::error::Result;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<()> {
    let mut cmd = Cli::command();
    // clap_complete panics when its writer fails: it writes into memory, and a closed pipe
    // (`| head`) is then our write's error, which exits quietly.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mailtriage", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// The exit-code contract (docs/exit-codes.md), for the EXIT STATUS section.
const EXIT_STATUS: [(&str, &str); 5] = [
    (
        "0",
        "Nothing at or above \\-\\-fail\\-on (default error) was found, and every check concluded (names \\-\\-offline did not look up are \"not checked\", not trouble).",
    ),
    (
        "1",
        "A conclusive finding at or above \\-\\-fail\\-on was found (this wins over 3).",
    ),
    (
        "2",
        "Usage or input error: a bad flag, domain, IP, selector, zone file line, unreadable input, broken rules, or an \\-\\-evidence directory that is not empty.",
    ),
    (
        "3",
        "A check was inconclusive (timeouts, SERVFAIL, REFUSED) and no conclusive finding reaches \\-\\-fail\\-on, whatever \\-\\-fail\\-on is: a CI job must not pass on DNS it could not read. In bulk mode: every domain inconclusive, or one left unchecked by an internal error.",
    ),
    (
        "130",
        "Bulk mode was interrupted by Ctrl\\-C; what was written is kept.",
    ),
];

/// Text for roff: backslashes and hyphens escaped, no line starting with a control character.
fn roff_text(s: &str) -> String {
    s.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|l| {
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One section per subcommand (and per nested subcommand): what it does, its usage and every
/// option, so the page documents `diagnose --evidence` as well as the top-level flags.
fn subcommand_sections(cmd: &clap::Command, path: &str, w: &mut dyn Write) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{path} {}", sub.get_name());
        let heading = name.to_uppercase();
        writeln!(w, ".SH \"{heading}\"")?;
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            writeln!(w, "{}", roff_text(&about.to_string()))?;
        }
        let usage = sub.clone().render_usage().to_string();
        let usage = usage.trim_start_matches("Usage:").trim();
        writeln!(w, ".PP\n\\fB{}\\fR", roff_text(usage))?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            let mut options = Vec::new();
            clap_mangen::Man::new(sub.clone()).render_options_section(&mut options)?;
            // clap_mangen titles it OPTIONS; say whose options they are.
            let options = String::from_utf8_lossy(&options)
                .replace(".SH OPTIONS", &format!(".SH \"{heading} OPTIONS\""));
            w.write_all(options.as_bytes())?;
        }
        subcommand_sections(sub, &name, w)?;
    }
    Ok(())
}

/// The full manual: the top-level page, a section for every subcommand with its options, and
/// the exit status.
pub fn man(out: &mut dyn Write) -> Result<()> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    subcommand_sections(&cmd, "mailtriage", out)?;
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (code, meaning) in EXIT_STATUS {
        writeln!(out, ".TP\n\\fB{code}\\fR\n{meaning}")?;
    }
    writeln!(
        out,
        ".PP\nA closed pipe (mailtriage ... | head) exits quietly with 0."
    )?;
    man.render_version_section(out)?;
    Ok(())
}
