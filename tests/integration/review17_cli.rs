//! Review 17: the command line as a new user meets it (closed pipes, empty directories, huge
//! or binary files where a list or a zone belongs), each test failing on the fault found.

use super::cli_support::{code, mailtriage, run, stderr, stdout};
use std::process::Stdio;

/// Runs `args` with standard output already closed by its reader, as `| head -1` leaves it
/// once head has its line.
fn closed_stdout(args: &[&str]) -> std::process::Output {
    let mut child = mailtriage()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mailtriage");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for mailtriage")
}

/// `mailtriage completions bash | head -1` panicked in clap_complete ("failed to write
/// completion file: Broken pipe", exit 101) for every shell but fish.
#[test]
fn completions_into_a_closed_pipe_exit_quietly() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = closed_stdout(&["completions", shell]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{shell}: {err}");
        assert!(err.is_empty(), "{shell}: {err}");
    }
    // The script itself is unchanged when someone reads it.
    let o = run(&["completions", "bash"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("--dkim-selector"));
}
