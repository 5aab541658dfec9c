//! Harness for end-to-end tests: the real binary, a scrubbed environment, and a loopback DNS
//! server (in-process hickory-server on its own runtime) serving fixture zones.
#![allow(dead_code)]

use mailtriage::dns::{DnsServer, ServerOptions};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A DNS server kept alive for the test's duration on a runtime of its own, so the test itself
/// can block on the child process.
pub struct Served {
    pub server: DnsServer,
    _rt: tokio::runtime::Runtime,
}

impl Served {
    pub fn start(opts: ServerOptions) -> Served {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt
            .block_on(DnsServer::start(opts))
            .expect("start DNS server");
        Served { server, _rt: rt }
    }

    /// Serves `zone_texts` with a root catch-all (names outside them are NXDOMAIN).
    pub fn zones(zone_texts: &[(&str, &str)]) -> Served {
        Served::start(ServerOptions {
            zones: super::common::zones(zone_texts),
            root_catch_all: true,
            ..ServerOptions::default()
        })
    }

    pub fn nameserver(&self) -> String {
        self.server.addr().to_string()
    }
}

/// The binary with an environment that cannot leak the developer's settings into the output.
pub fn mailtriage() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailtriage"));
    for var in [
        "CI",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "TERM",
        "COLUMNS",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs the binary with `args` (and stdin, when given) and returns its output.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = mailtriage();
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn mailtriage");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // The child may exit before reading everything (bad input): ignore EPIPE.
        let _ = pipe.write_all(input);
    }
    child.wait_with_output().expect("wait for mailtriage")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Parses stdout as JSON, with the output in the panic message when it is not.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

/// The README quick start's reply and identities, ahead of the DNS flags each test adds.
pub const QUICKSTART_REPLY: [&str; 6] = [
    "diagnose",
    "examples/replies/gmail-5.7.26.txt",
    "--domain",
    "broken-sender.example",
    "--ip",
    "192.0.2.24",
];

/// The argument lists `parts`, one after another.
pub fn args<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}
