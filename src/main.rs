//! The `mailtriage` binary: parse arguments, run, map the result to an exit code. Nothing else.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match mailtriage::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            // A bad value (an IP that does not parse, say) gets one line, like every other input
            // error; clap prints help and version to stdout (exit 0), other usage errors with
            // their usage text.
            if matches!(
                e.kind(),
                ErrorKind::ValueValidation | ErrorKind::InvalidValue
            ) {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or("invalid value");
                report(&format!(
                    "{} (see --help)",
                    first.trim_start_matches("error: ")
                ));
                return ExitCode::from(2);
            }
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // `mailtriage` or `mailtriage rules` alone: the help is the answer (exit 2).
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                let text = mailtriage::report::escape::terminal_text(&e.render().to_string());
                let _ = std::io::stderr().write_all(text.as_bytes());
                return ExitCode::from(2);
            }
            // Any other usage error is one line like every input error (docs/exit-codes.md);
            // report() escapes the argument it may quote.
            report(&mailtriage::error::usage_line(&e.render().to_string()));
            return ExitCode::from(2);
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

/// One error on stderr; what it quotes from the input (a selector, a file name, a rules file's
/// text) cannot reach the terminal as control characters.
#[allow(clippy::print_stderr)]
fn report(message: &str) {
    let message = mailtriage::report::escape::terminal_text(message);
    eprintln!("mailtriage: {message}");
}
