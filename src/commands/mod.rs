//! Subcommand runners: each turns parsed arguments into output on a writer and an exit code.

mod bulk;
mod check;
mod common;
mod diagnose;
mod explain;
pub mod input;
mod meta;
mod rules;
mod scan;
mod scan_diagnose;
pub mod validate;

use crate::cli::{Cli, ColorChoice, Command};
use crate::error::Result;
use std::io::{IsTerminal, Write};

/// Runs one command, writing its report to `out` and progress/summaries to `err`; returns
/// the exit code.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8> {
    set_color(cli.color);
    let rules_dir = cli.rules.as_deref();
    match cli.command {
        Command::Explain(args) => explain::run(&args, rules_dir, out, err),
        Command::Check(args) => check::run(&args, rules_dir, out, err),
        Command::Diagnose(args) => diagnose::run(&args, rules_dir, out, err),
        Command::Scan(args) => scan::run(&args, rules_dir, out, err),
        Command::Rules(cmd) => rules::run(&cmd, rules_dir, out),
        Command::Completions { shell } => meta::completions(shell, out).map(|()| 0),
        Command::Man => meta::man(out).map(|()| 0),
    }
}

/// `auto` colors only a terminal and honours NO_COLOR (https://no-color.org).
fn set_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    colored::control::set_override(on);
}
