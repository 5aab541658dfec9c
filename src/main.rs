//! The `mailtriage` binary: parse arguments, run, map the result to an exit code. Nothing else.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match mailtriage::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut err = std::io::stderr();
    let result = mailtriage::run(cli, &mut out, &mut err);
    let flushed = out.flush();
    match result {
        Ok(code) => match flushed {
            Err(e) if !mailtriage::error::is_broken_pipe(&e) => {
                report(&format!("cannot write output: {e}"));
                ExitCode::from(2)
            }
            _ => ExitCode::from(code),
        },
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            report(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}

#[allow(clippy::print_stderr)]
fn report(message: &str) {
    eprintln!("mailtriage: {message}");
}
